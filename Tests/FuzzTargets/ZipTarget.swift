import DDEXConfig
import Foundation
import Intake

/// A zip package unpacked into a throw-away folder. Nothing may appear outside that folder, nothing inside
/// it may be a link, and a refusal says why.
enum ZipTarget {
    static let settings = IntakeSettings(maxUnpackedBytes: 16 << 20, maxZipEntries: 200)

    static let all = [
        FuzzTarget("zip-package", "a zip package through the unpacker, into a throw-away folder") { bytes throws(FuzzViolation) in
            let box = FuzzScratch.shared.emptyFolder("zip")
            let zip = box.appendingPathComponent("package.zip")
            let destination = box.appendingPathComponent("out", isDirectory: true)
            try? Data(bytes).write(to: zip)
            let result = ZipPackageUnpacker(settings: settings).unpack(zipAt: zip, into: destination, displayName: "package.zip")
            try FuzzInvariants.checkExplained(hasValue: result.root != nil, result.problems)
            let beside = (try? FileManager.default.contentsOfDirectory(atPath: box.path)) ?? []
            guard Set(beside).isSubset(of: ["package.zip", "out"]) else {
                throw FuzzViolation("the unpacker wrote outside its folder: \(beside.sorted())")
            }
            try checkPlainTree(destination)
        },
    ]

    /// Every entry under `folder` is a plain file or folder: no symbolic link, no device, no FIFO.
    static func checkPlainTree(_ folder: URL) throws(FuzzViolation) {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return }
        while let relative = walker.nextObject() as? String {
            let path = folder.appendingPathComponent(relative).path
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            guard type == S_IFREG || type == S_IFDIR else {
                throw FuzzViolation("the unpacker left a non-plain entry \(relative) (mode \(String(info.st_mode, radix: 8)))")
            }
        }
    }
}
