import DDEXModel
import Foundation

/// Independent oracles from the system's own tools (coreutils, libxml2-utils), so tests never check
/// ddexd against itself.
public enum ReferenceTools {
    /// Size, MD5 and SHA-256 from `md5sum` and `sha256sum`.
    public static func digest(_ path: String) throws -> FileDigest {
        let md5 = try CommandRunner.run("md5sum", [path]).stdout.prefix(32)
        let sha = try CommandRunner.run("sha256sum", [path]).stdout.prefix(64)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber
        return FileDigest(size: size?.uint64Value ?? 0, md5: String(md5), sha256: String(sha))
    }
}
