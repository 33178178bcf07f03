import Foundation
import FuzzTargets

/// `ddexd-fuzz`: the parsers' fuzz targets in one binary (`scripts/fuzz` is the interface).
///
/// Built with `-sanitize=fuzzer,address -DDDEXD_LIBFUZZER`, `ddexd-fuzz TARGET [libFuzzer options] [CORPUS…]`
/// runs libFuzzer on one target. Built normally (as `swift build` does), it replays inputs instead:
/// `ddexd-fuzz TARGET FILE…` runs each file through the target and exits non-zero on a violation, and
/// `ddexd-fuzz --list` prints the targets.
@main
struct FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: ddexd-fuzz --list | TARGET [libFuzzer options | FILE...]\n".utf8))
            exit(2)
        }
        if arguments[1] == "--list" {
            for target in FuzzTarget.all { print(target.name) }
            exit(0)
        }
        guard let target = FuzzTarget.named(arguments[1]) else {
            FileHandle.standardError.write(Data("ddexd-fuzz: no target \(arguments[1]); --list shows them\n".utf8))
            exit(2)
        }
        #if DDEXD_LIBFUZZER
        LibFuzzerDriver.run(target)
        #else
        var failures = 0
        for path in arguments.dropFirst(2) {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): unreadable")
                failures += 1
                continue
            }
            do {
                try target.body([UInt8](data))
                print("\(path): ok")
            } catch {
                print("\(path): VIOLATION \(error)")
                failures += 1
            }
        }
        exit(failures == 0 ? 0 : 1)
        #endif
    }
}
