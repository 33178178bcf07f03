import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Creates folders and files below one folder, through its descriptor and never by path.
///
/// Every component is opened with `O_NOFOLLOW` relative to its parent's descriptor, so nothing can be
/// written through a symbolic link, and once the folder itself is removed (by a signal handler cleaning up,
/// say) nothing more can be created below it: `mkdirat` and `openat` in a deleted folder fail.
final class UnpackFolder {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let rootFD: Int32

    /// Opens an existing folder (not a symbolic link to one).
    init(path: String) throws(Failure) {
        rootFD = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard rootFD >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(rootFD) }

    /// Creates the folder `relative` (`a/b/c`) and those above it.
    func makeFolder(_ relative: String) throws(Failure) {
        close(try folder(relative.split(separator: "/").map(String.init)))
    }

    /// Creates the file `relative` (which must not exist) and its folders; returns a descriptor open for writing.
    func createFile(_ relative: String) throws(Failure) -> Int32 {
        var parts = relative.split(separator: "/").map(String.init)
        guard let name = parts.popLast() else { throw Failure(description: "an empty file name") }
        let parent = try folder(parts)
        defer { close(parent) }
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot create '\(relative)': \(String(cString: strerror(errno)))") }
        return fd
    }

    /// A descriptor of the folder at `components` below the root, creating what is missing.
    private func folder(_ components: [String]) throws(Failure) -> Int32 {
        var current = dup(rootFD)
        guard current >= 0 else { throw Failure(description: "cannot duplicate a descriptor: \(String(cString: strerror(errno)))") }
        for (index, name) in components.enumerated() {
            var next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, mkdirat(current, name, 0o755) == 0 || errno == EEXIST {
                next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let error = errno
            close(current)
            guard next >= 0 else {
                let path = components[...index].joined(separator: "/")
                let why = error == ENOTDIR || error == ELOOP ? "a file of that name is in the way" : String(cString: strerror(error))
                throw Failure(description: "cannot create the folder '\(path)': \(why)")
            }
            current = next
        }
        return current
    }
}
