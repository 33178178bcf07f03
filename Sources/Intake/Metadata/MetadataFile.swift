import DDEXModel
import Foundation

/// How intake reads a top-level metadata file (`release.json`, `splits.csv`) into memory: at most one byte past
/// `intake.max_metadata_bytes`, which tells "too large" without reading a huge file, with one pair of codes for a
/// file that cannot be read (`METADATA_UNREADABLE`) or is too large (`METADATA_TOO_LARGE`).
enum MetadataFile {
    enum Read {
        case bytes([UInt8])
        case problem(Problem)
    }

    static func read(_ url: URL, relativePath: String, maxBytes: Int) -> Read {
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let bytes = Array(try handle.read(upToCount: maxBytes + 1) ?? Data())
            if let problem = sizeProblem(bytes.count, relativePath: relativePath, maxBytes: maxBytes) { return .problem(problem) }
            return .bytes(bytes)
        } catch {
            return .problem(.error(.metadataUnreadable, at: relativePath, "cannot read the file: \(error.localizedDescription)"))
        }
    }

    /// `METADATA_TOO_LARGE` when `count` bytes are over the limit.
    static func sizeProblem(_ count: Int, relativePath: String, maxBytes: Int) -> Problem? {
        guard count > maxBytes else { return nil }
        return .error(.metadataTooLarge, at: relativePath, "the file is larger than the \(maxBytes)-byte limit (intake.max_metadata_bytes)")
    }
}
