import DDEXModel
import Foundation

/// The checks every target applies to what the product gives back.
enum FuzzInvariants {
    /// `SOME_CODE`: upper-case words joined by underscores, as every stable code is.
    static func isStableCode(_ code: String) -> Bool {
        let words = code.split(separator: "_", omittingEmptySubsequences: false)
        return words.count >= 2 && words.allSatisfy { word in
            !word.isEmpty && word.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }
        } && code.first.map { $0 >= "A" && $0 <= "Z" } == true
    }

    /// A refusal carries a stable code and names the input (`place`, usually the file name).
    static func checkRefusal(_ error: any Error, place: String) throws(FuzzViolation) {
        guard let coded = error as? any CodedError else {
            throw FuzzViolation("an error without a stable code: \(type(of: error)): \(error)")
        }
        guard isStableCode(coded.code) else { throw FuzzViolation("an unstable code '\(coded.code)': \(coded)") }
        guard place.isEmpty || "\(coded)".contains(place) else { throw FuzzViolation("a refusal that does not name \(place): \(coded)") }
    }

    /// Every problem has a stable code, a place and a message.
    static func checkProblems(_ problems: [Problem]) throws(FuzzViolation) {
        for problem in problems {
            guard isStableCode(problem.code.rawValue) else { throw FuzzViolation("an unstable problem code: \(problem)") }
            guard !problem.location.isEmpty else { throw FuzzViolation("a problem without a place: \(problem)") }
            guard !problem.message.isEmpty else { throw FuzzViolation("a problem without a message: \(problem)") }
        }
    }

    /// A result is either usable or explained: no value and no error-severity problem is a silent refusal.
    static func checkExplained(hasValue: Bool, _ problems: [Problem]) throws(FuzzViolation) {
        try checkProblems(problems)
        if !hasValue && !problems.contains(where: { $0.severity == .error }) {
            throw FuzzViolation("refused without an error problem: \(problems)")
        }
    }
}
