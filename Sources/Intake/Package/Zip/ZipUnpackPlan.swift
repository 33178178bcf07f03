import DDEXModel

/// A zip's entries sorted into folders and files to create, with every name judged before anything is written.
struct ZipUnpackPlan {
    private(set) var folders: [(entry: ZipEntry, path: String)] = []
    private(set) var files: [(entry: ZipEntry, path: String)] = []
    private(set) var problems: [Problem] = []

    init(entries: [ZipEntry], displayName: String) {
        // Swift compares strings by canonical equivalence, so `café` in NFC and in NFD are one key here:
        // a file system would keep them apart, and a DSP would not.
        var seen: [String: String] = [:]
        for entry in entries {
            let at = "\(displayName): \(TextRules.escaped(entry.name))"
            if entry.isSymlink {
                problems.append(.error(.zipSymlinkEntry, at: at, "the zip holds a symbolic link; packages must hold plain files"))
                continue
            }
            let path: String
            switch PackagePathResolver.normalize(entry.name, location: at) {
            case .problem(let p):
                problems.append(Problem(.zipUnsafeEntry, .error, at: at, p.message))
                continue
            case .ok(let normalized):
                path = normalized
            }
            if let first = seen[path] {
                let twins = Array(first.unicodeScalars) != Array(path.unicodeScalars)
                problems.append(.error(.zipDuplicateEntry, at: at, twins
                    ? "'\(TextRules.escaped(first))' and '\(TextRules.escaped(path))' are the same name in two Unicode forms (composed NFC and decomposed NFD); they are duplicates, keep one"
                    : "the zip holds '\(TextRules.escaped(path))' more than once"))
                continue
            }
            seen[path] = path
            if entry.isDirectory {
                folders.append((entry, path))
            } else {
                files.append((entry, path))
            }
        }
        // A name used for a file and, by another entry, as a folder on its path.
        let filePaths = Set(files.map(\.path))
        for (entry, path) in folders + files {
            let parts = path.split(separator: "/")
            for length in parts.indices.dropLast() {
                let prefix = parts[...length].joined(separator: "/")
                if filePaths.contains(prefix) {
                    problems.append(.error(.zipDuplicateEntry, at: "\(displayName): \(TextRules.escaped(entry.name))",
                                           "'\(TextRules.escaped(prefix))' is a file in the zip and a folder on this entry's path"))
                    break
                }
            }
        }
    }

    /// What the files declare they unpack to (saturating: a hostile sum cannot wrap round).
    var declaredBytes: UInt64 { Self.sum(files.map(\.entry.uncompressedSize)) }

    /// What the files take in the zip.
    var compressedBytes: UInt64 { Self.sum(files.map(\.entry.compressedSize)) }

    private static func sum(_ values: [UInt64]) -> UInt64 {
        values.reduce(0) { total, value in
            let (sum, overflow) = total.addingReportingOverflow(value)
            return overflow ? .max : sum
        }
    }
}
