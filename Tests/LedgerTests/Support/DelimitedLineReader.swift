import Foundation
import Ledger

/// Reads a file (or the output of `gzip -dc` for `.gz`) line by line in fixed-size chunks,
/// handing each line's bytes (without LF or CRLF) to a closure. Memory does not grow with the file.
enum DelimitedLineReader {
    /// Calls `body` with each line and its 1-based number.
    static func forEachLine(path: String, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        var process: Process?
        let handle: FileHandle
        if path.hasSuffix(".gz") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["gzip", "-dc", path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            process = p
            handle = pipe.fileHandleForReading
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else {
                throw LedgerError(.ledgerFileUnreadable, at: path, "cannot open the file")
            }
            handle = h
        }
        defer { if process == nil { try? handle.close() } }
        var carry: [UInt8] = []
        var number = 0
        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            number += 1
            var n = line.count
            if n > 0, line[n - 1] == 0x0D { n -= 1 }
            try body(UnsafeBufferPointer(rebasing: line[0..<n]), number)
        }
        while true {
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
            try chunk.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                var start = 0
                while let nl = bytes[start...].firstIndex(of: 0x0A) {
                    if carry.isEmpty {
                        try emit(UnsafeBufferPointer(rebasing: bytes[start..<nl]))
                    } else {
                        carry.append(contentsOf: bytes[start..<nl])
                        try carry.withUnsafeBufferPointer { try emit($0) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = nl + 1
                }
                carry.append(contentsOf: bytes[start...])
            }
        }
        if !carry.isEmpty { try carry.withUnsafeBufferPointer { try emit($0) } }
        if let process {
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw LedgerError(.ledgerFileUnreadable, at: path, "gzip -dc failed with status \(process.terminationStatus)")
            }
        }
    }

    /// Splits a line at tabs into byte ranges.
    @inline(__always)
    static func cells(_ line: UnsafeBufferPointer<UInt8>, into cells: inout [Range<Int>]) {
        cells.removeAll(keepingCapacity: true)
        var start = 0
        for i in 0..<line.count where line[i] == 0x09 {
            cells.append(start..<i)
            start = i + 1
        }
        cells.append(start..<line.count)
    }
}
