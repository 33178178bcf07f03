#if DDEXD_LIBFUZZER
import Foundation
import FuzzTargets

// libFuzzer's entry points. The fuzzer-instrumented build links libFuzzer without its `main`
// (SwiftPM names the program's entry itself), so `FuzzMain` hands control to `LLVMFuzzerRunDriver`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target libFuzzer drives in this process (one per process: `ddexd-fuzz TARGET …`).
nonisolated(unsafe) private var selected: FuzzTarget?

/// Runs one input; a violated invariant is a crash, so libFuzzer keeps the input as a reproducer.
private func runSelected(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let target = selected else { return 0 }
    let bytes = data.map { [UInt8](UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.body(bytes)
    } catch {
        fatalError("\(target.name): \(error)")
    }
    return 0
}

/// Needed by the linker (libFuzzer's objects refer to it); `LLVMFuzzerRunDriver` gets the callback directly.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { runSelected(data, size) }

enum LibFuzzerDriver {
    /// Runs libFuzzer on `target` with the command line minus the target's name.
    static func run(_ target: FuzzTarget) -> Never {
        selected = target
        var arguments = CommandLine.arguments
        arguments.remove(at: 1)
        var argc = CInt(arguments.count)
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { buffer -> CInt in
            var base = buffer.baseAddress!
            return LLVMFuzzerRunDriver(&argc, &base) { data, size in runSelected(data, size) }
        }
        exit(status)
    }
}
#endif
