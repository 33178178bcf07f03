/// A BCP 47 language tag as ERN 4.3 constrains it (`en`, `en-US`, `ja-Latn`, `zh-Hant-TW`, `es-419`).
public struct LanguageTag: ValidatedIdentifier {
    public let value: String

    public init(validating string: String) throws(IdentifierError) {
        guard LanguageTag.matches(string) else {
            throw IdentifierError(.languageInvalid, value: string, reason: "is not a BCP 47 language tag such as en or en-US")
        }
        value = string
    }

    /// The ERN 4.3 pattern: `[a-zA-Z]{2,3}(-[a-zA-Z]+)?(-[a-zA-Z]{2}|-[0-9]{3})?(-[a-zA-Z][a-zA-Z0-9]{4}[a-zA-Z0-9]*)?`,
    /// matched greedily with backtracking over the optional parts.
    static func matches(_ string: String) -> Bool {
        let parts = string.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy(isLetter) else { return false }
        return matchRest(parts.dropFirst(), stage: 0)
    }

    private static func isLetter(_ c: Character) -> Bool { c.isASCII && c.isLetter }
    private static func isAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }

    private static func matchRest(_ rest: ArraySlice<String>, stage: Int) -> Bool {
        guard let part = rest.first else { return true }
        let next = rest.dropFirst()
        // stage 0: script/extlang (letters+), 1: region, 2: variant
        if stage <= 0, !part.isEmpty, part.allSatisfy(isLetter), matchRest(next, stage: 1) { return true }
        if stage <= 1, (part.count == 2 && part.allSatisfy(isLetter)) || (part.count == 3 && part.allSatisfy { $0.isASCII && $0.isNumber }),
           matchRest(next, stage: 2) { return true }
        if stage <= 2, part.count >= 5, isLetter(part.first!), part.allSatisfy(isAlnum), next.isEmpty { return true }
        return false
    }
}
