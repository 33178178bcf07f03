import DDEXModel
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that passed a check, or the problem that stopped it.
public enum Checked<Value: Sendable>: Sendable {
    case ok(Value)
    case problem(Problem)
}

/// Turns package-relative resource paths into files, refusing any that could reach outside the package.
///
/// Rules: no absolute path, no `..`, no backslash, NUL or other control character; every component is looked at with `lstat`, and a
/// symbolic link is allowed only when its fully resolved target stays inside the package's own resolved root.
/// The result must be a regular, readable file. Nothing is created, changed or opened for writing.
public struct PackagePathResolver: Sendable {
    /// A resource path that passed every rule.
    public struct Resolved: Sendable, Hashable {
        /// The file's canonical absolute path (no symbolic links).
        public var url: URL
        /// The path as written, normalised (`./a//b.flac` → `a/b.flac`), for matching the same file named twice.
        public var normalized: String
    }

    /// The package root's canonical absolute path.
    public let root: String

    /// Fails when the root cannot be resolved (it does not exist).
    public init?(root: URL) {
        guard let real = Self.realPath(root.path) else { return nil }
        self.root = real
    }

    /// Checks the syntax of a relative path without touching the file system; returns its normalised form.
    public static func normalize(_ path: String, location: String) -> Checked<String> {
        if path.isEmpty { return .problem(.error(.pathInvalid, at: location, "the path is empty")) }
        if let control = TextRules.firstControlCharacter(in: path) {
            return .problem(.error(.pathInvalid, at: location,
                                   "'\(TextRules.escaped(path))' contains the control character \(TextRules.codePoint(control)); file names must not hold NUL, newlines, tabs or other control characters"))
        }
        if path.contains("\\") {
            return .problem(.error(.pathInvalid, at: location, "'\(path)' contains a backslash; package paths use / between folders"))
        }
        let bytes = Array(path.utf8)
        if path.hasPrefix("/") || path.hasPrefix("~") || (bytes.count >= 2 && bytes[1] == UInt8(ascii: ":")) {
            return .problem(.error(.pathAbsolute, at: location, "'\(path)' is absolute; paths must be relative to the package folder"))
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") {
            return .problem(.error(.pathTraversal, at: location, "'\(path)' contains '..'; resources must lie inside the package folder"))
        }
        guard !parts.isEmpty else { return .problem(.error(.pathInvalid, at: location, "'\(path)' names no file")) }
        return .ok(parts.joined(separator: "/"))
    }

    /// Resolves `path` (relative to the package) under every rule; problems are located at `location`.
    public func resolve(_ path: String, location: String) -> Checked<Resolved> {
        let normalized: String
        switch Self.normalize(path, location: location) {
        case .problem(let p): return .problem(p)
        case .ok(let n): normalized = n
        }
        var current = root
        var walked = ""
        for component in normalized.split(separator: "/") {
            walked = walked.isEmpty ? String(component) : walked + "/" + component
            let candidate = current + "/" + component
            var st = stat()
            guard lstat(candidate, &st) == 0 else {
                let e = errno
                if e == ENOENT || e == ENOTDIR {
                    let what = walked == normalized ? "the file '\(normalized)' is not in the package" : "the folder '\(walked)' is not in the package"
                    return .problem(.error(.resourceMissing, at: location, what))
                }
                return .problem(.error(.resourceUnreadable, at: location, "cannot look at '\(walked)': \(String(cString: strerror(e)))"))
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                guard let target = Self.realPath(candidate) else {
                    return .problem(.error(.resourceMissing, at: location, "'\(walked)' is a symbolic link to nothing"))
                }
                guard Self.isInside(target, root: root) else {
                    return .problem(.error(.pathSymlinkEscape, at: location, "'\(walked)' is a symbolic link leading outside the package"))
                }
                current = target
            } else {
                current = candidate
            }
        }
        var st = stat()
        guard stat(current, &st) == 0 else {
            return .problem(.error(.resourceUnreadable, at: location, "cannot look at '\(normalized)': \(String(cString: strerror(errno)))"))
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            let kind = st.st_mode & S_IFMT == S_IFDIR ? "a folder" : "not a regular file"
            return .problem(.error(.pathNotRegularFile, at: location, "'\(normalized)' is \(kind)"))
        }
        guard access(current, R_OK) == 0 else {
            return .problem(.error(.resourceUnreadable, at: location, "'\(normalized)' cannot be read: \(String(cString: strerror(errno)))"))
        }
        return .ok(Resolved(url: URL(fileURLWithPath: current), normalized: normalized))
    }

    static func isInside(_ path: String, root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }
}
