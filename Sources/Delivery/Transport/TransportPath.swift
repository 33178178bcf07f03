/// Checks and joins the relative `/` paths transports take, so a hostile name cannot leave the transport's root.
enum TransportPath {
    /// The path's components: empty for the root (`""` or `/`). Refuses `..`, `.`, empty components and NUL.
    static func components(_ path: String) throws(TransportError) -> [Substring] {
        if path.utf8.contains(0) { throw .invalidPath(path, "the path contains a NUL byte") }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)[...]
        if path.hasPrefix("/") { parts = parts.dropFirst() }
        if path.hasSuffix("/"), !parts.isEmpty { parts = parts.dropLast() }
        if parts == [""] { return [] }
        for part in parts {
            if part.isEmpty { throw .invalidPath(path, "the path has an empty component (`//`)") }
            if part == "." || part == ".." { throw .invalidPath(path, "`\(part)` is not allowed in transport paths") }
        }
        return Array(parts)
    }

    /// `root` + the checked relative path.
    static func join(_ root: String, _ path: String) throws(TransportError) -> String {
        let parts = try components(path)
        if parts.isEmpty { return root.isEmpty ? "." : root }
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return (base.isEmpty ? "" : base + "/") + parts.joined(separator: "/")
    }
}
