import DDEXConfig
import DDEXModel
import Foundation

/// Reads `release.json`, the simple package metadata (PACKAGE.md), checking every field and collecting every problem.
///
/// Decisions a label can rely on:
/// - Identifiers are checked with their check characters; dates against the calendar; codes against the DDEX
///   allowed-value sets. Unknown fields are warnings (`JSON_UNKNOWN_FIELD`), so typos do not go unnoticed.
/// - `parentalWarning` may be left out: the release then says `NoAdviceAvailable`, and tracks inherit the release's.
///   Tracks also inherit `displayArtist` and `artists` when they leave them out.
/// - The release is returned even when problems were found (best effort, so the validator can still check its
///   files); it is usable only when no problem is an error.
public struct ReleaseJSONReader: MetadataReader {
    public static let fileName = "release.json"

    public init() {}

    public func canRead(fileName: String) -> Bool { fileName == Self.fileName }

    public func read(fileAt url: URL, relativePath: String, settings: IntakeSettings) -> MetadataReadResult {
        switch MetadataFile.read(url, relativePath: relativePath, maxBytes: settings.maxMetadataBytes) {
        case .problem(let problem): MetadataReadResult(release: nil, problems: [problem])
        case .bytes(let bytes): read(bytes: bytes, relativePath: relativePath, settings: settings)
        }
    }

    /// Reads `release.json` from bytes already in memory.
    ///
    /// A UTF-8 byte order mark at the start is accepted and ignored (RFC 8259 §8.1 lets parsers do so, and
    /// Windows editors write one); anywhere else U+FEFF is an ordinary character.
    public func read(bytes: [UInt8], relativePath: String, settings: IntakeSettings = IntakeSettings()) -> MetadataReadResult {
        func fail(_ code: ProblemCode, _ location: String, _ message: String) -> MetadataReadResult {
            MetadataReadResult(release: nil, problems: [.error(code, at: location, message)])
        }
        if let problem = MetadataFile.sizeProblem(bytes.count, relativePath: relativePath, maxBytes: settings.maxMetadataBytes) {
            return MetadataReadResult(release: nil, problems: [problem])
        }
        let bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard bytes.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
            return fail(.jsonEmpty, relativePath, bytes.isEmpty ? "the file is empty" : "the file holds only white space")
        }
        if let bad = Self.firstInvalidUTF8(bytes) {
            return fail(.jsonNotUTF8, "\(relativePath):\(bad.line)", "the file is not UTF-8: invalid byte 0x\(String(bytes[bad.offset], radix: 16)) at offset \(bad.offset) (line \(bad.line)); save it as UTF-8")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            return fail(.jsonSyntax, "\(relativePath):\(error.line):\(error.column)", "invalid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
        let context = ReleaseJSONContext(reader: JSONFieldReader(file: relativePath))
        let release = context.release(root)
        return MetadataReadResult(release: release, problems: context.reader.problems, unmodelledResources: context.unmodelledResources)
    }

    /// The offset and line of the first byte that breaks UTF-8, if any.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (offset: Int, line: Int)? {
        var i = 0
        var line = 1
        while i < bytes.count {
            let c = bytes[i]
            if c < 0x80 {
                if c == 0x0A { line += 1 }
                i += 1
                continue
            }
            let (n, min): (Int, UInt32) = switch c {
            case 0xC2...0xDF: (1, 0x80)
            case 0xE0...0xEF: (2, 0x800)
            case 0xF0...0xF4: (3, 0x10000)
            default: (-1, 0)
            }
            guard n > 0, i + n < bytes.count else { return (i, line) }
            var v = UInt32(c) & (n == 1 ? 0x1F : n == 2 ? 0x0F : 0x07)
            for k in 1...n {
                guard i + k < bytes.count, bytes[i + k] & 0xC0 == 0x80 else { return (i, line) }
                v = v << 6 | UInt32(bytes[i + k] & 0x3F)
            }
            guard v >= min, v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { return (i, line) }
            i += n + 1
        }
        return nil
    }
}
