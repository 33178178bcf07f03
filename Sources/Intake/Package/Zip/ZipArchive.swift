import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A zip file's central directory (APPNOTE.TXT 6.3), read without trusting any size, count or offset in it.
///
/// ddexd reads zips itself rather than through a general-purpose library: every number in a hostile zip is
/// checked against the file before it is used (entries inside the file, in order, not overlapping — the
/// "overlapping files" zip bomb —, local and central names equal, no encryption, no multi-disk), and
/// `ZipEntryExtractor` inflates with hard bounds (an entry stops the moment it passes its declared size; a
/// deflate stream that runs out of input is an error, never a wait for bytes that will not come).
final class ZipArchive {
    let path: String
    let fileSize: UInt64
    /// The number of entries the end-of-central-directory record declares (checked before the directory is read).
    let declaredEntryCount: UInt64
    private let fd: Int32
    private let directoryOffset: UInt64
    private let directorySize: UInt64
    /// A central directory larger than this is refused: 10,000 entries with ordinary names take about 1 MiB.
    static let maxDirectoryBytes: UInt64 = 64 * 1024 * 1024

    init(path: String) throws(ZipError) {
        self.path = path
        // O_NONBLOCK: a FIFO swapped in for the zip must not hang the open (the type is checked right after).
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ZipError("cannot open the file: \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw ZipError("not a regular file")
        }
        fileSize = UInt64(info.st_size)
        do {
            (declaredEntryCount, directoryOffset, directorySize) = try Self.endOfDirectory(fd: fd, fileSize: fileSize)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Exactly `count` bytes at `offset`, or an error naming what was cut short.
    func read(at offset: UInt64, count: Int) throws(ZipError) -> [UInt8] {
        try Self.read(fd: fd, at: offset, count: count)
    }

    /// Reads exactly `count` bytes at `offset` into `buffer`.
    func read(at offset: UInt64, into buffer: UnsafeMutableRawPointer, count: Int) throws(ZipError) {
        try Self.read(fd: fd, at: offset, into: buffer, count: count)
    }

    /// Every entry of the central directory, in directory order.
    func entries() throws(ZipError) -> [ZipEntry] {
        let directory = try read(at: directoryOffset, count: Int(directorySize))
        var entries: [ZipEntry] = []
        var headerOffsets: [UInt64] = []
        var p = 0
        for index in 0..<declaredEntryCount {
            guard p + 46 <= directory.count, directory.le32(p) == 0x0201_4B50 else {
                throw ZipError("central directory entry \(index + 1) of \(declaredEntryCount) is missing or damaged")
            }
            let (entry, headerOffset, length) = try centralEntry(directory, at: p)
            entries.append(entry)
            headerOffsets.append(headerOffset)
            p += length
        }
        try checkLayout(entries, headerOffsets: headerOffsets)
        return entries
    }

    // MARK: Records

    private func centralEntry(_ d: [UInt8], at p: Int) throws(ZipError) -> (ZipEntry, UInt64, Int) {
        let madeBy = d.le16(p + 4), flags = d.le16(p + 8), methodCode = d.le16(p + 10)
        let nameLength = Int(d.le16(p + 28)), extraLength = Int(d.le16(p + 30)), commentLength = Int(d.le16(p + 32))
        let length = 46 + nameLength + extraLength + commentLength
        guard p + length <= d.count else { throw ZipError("a central directory entry runs past the directory's end") }
        let rawName = Array(d[(p + 46)..<(p + 46 + nameLength)])
        let name = try Self.decodeName(rawName, utf8Flag: flags & 0x0800 != 0)
        var uncompressed = UInt64(d.le32(p + 24)), compressed = UInt64(d.le32(p + 20)), headerOffset = UInt64(d.le32(p + 42))
        // Zip64 (APPNOTE 4.5.3): the 8-byte values come in this order, only for the fields set to 0xFFFFFFFF.
        var extra = p + 46 + nameLength
        let extraEnd = extra + extraLength
        while extra + 4 <= extraEnd {
            let id = d.le16(extra), size = Int(d.le16(extra + 2))
            guard extra + 4 + size <= extraEnd else { throw ZipError("'\(name)': an extra field runs past its entry") }
            if id == 0x0001 {
                var q = extra + 4
                let fieldEnd = q + size
                func next() throws(ZipError) -> UInt64 {
                    guard q + 8 <= fieldEnd else { throw ZipError("'\(name)': the zip64 extra field is too short") }
                    defer { q += 8 }
                    return d.le64(q)
                }
                if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                if compressed == 0xFFFF_FFFF { compressed = try next() }
                if headerOffset == 0xFFFF_FFFF { headerOffset = try next() }
            }
            extra += 4 + size
        }
        guard flags & 0x0041 == 0 else { throw ZipError("'\(name)' is encrypted; packages must not be") }
        let method: ZipEntry.Method
        switch methodCode {
        case 0: method = .stored
        case 8: method = .deflated
        default: throw ZipError("'\(name)' uses compression method \(methodCode); ddexd reads stored and deflated entries")
        }
        let unixMode = madeBy >> 8 == 3 ? (d.le32(p + 38) >> 16) & 0o170000 : 0
        let dataOffset = try localDataOffset(headerOffset, rawName: rawName, name: name)
        let entry = ZipEntry(name: name, rawName: rawName, method: method, crc32: d.le32(p + 16), compressedSize: compressed,
                             uncompressedSize: uncompressed, dataOffset: dataOffset, isDirectory: name.hasSuffix("/"),
                             isSymlink: unixMode == 0o120000)
        return (entry, headerOffset, length)
    }

    /// Where an entry's data starts; its local header must name it exactly as the central directory does
    /// (tools that read one or the other would otherwise see different files).
    private func localDataOffset(_ headerOffset: UInt64, rawName: [UInt8], name: String) throws(ZipError) -> UInt64 {
        guard headerOffset <= directoryOffset, directoryOffset - headerOffset >= 30 else {
            throw ZipError("'\(name)': its local header lies outside the file's data")
        }
        let header = try read(at: headerOffset, count: 30)
        guard header.le32(0) == 0x0403_4B50 else { throw ZipError("'\(name)': no local header where the directory says") }
        let nameLength = Int(header.le16(26)), extraLength = Int(header.le16(28))
        guard try read(at: headerOffset + 30, count: nameLength) == rawName else {
            throw ZipError("'\(name)': the local header gives the entry another name than the central directory")
        }
        return headerOffset + 30 + UInt64(nameLength) + UInt64(extraLength)
    }

    /// Every entry's data lies between its local header and the next one (no overlap), before the directory.
    private func checkLayout(_ entries: [ZipEntry], headerOffsets: [UInt64]) throws(ZipError) {
        let order = headerOffsets.indices.sorted { headerOffsets[$0] < headerOffsets[$1] }
        for (position, index) in order.enumerated() {
            let entry = entries[index]
            let (end, overflow) = entry.dataOffset.addingReportingOverflow(entry.compressedSize)
            let limit = position + 1 < order.count ? headerOffsets[order[position + 1]] : directoryOffset
            guard !overflow, end <= limit else {
                throw ZipError("'\(entry.name)': its data overlaps the next entry or the central directory (a zip bomb builds on overlapping entries)")
            }
        }
    }

    // MARK: End of central directory

    private static func endOfDirectory(fd: Int32, fileSize: UInt64) throws(ZipError) -> (UInt64, UInt64, UInt64) {
        guard fileSize >= 22 else { throw ZipError("the file is too short to be a zip (\(fileSize) bytes)") }
        let tailCount = Int(min(fileSize, 22 + 0xFFFF))
        let tailStart = fileSize - UInt64(tailCount)
        let tail = try read(fd: fd, at: tailStart, count: tailCount)
        // The record is followed by its comment and nothing else; search back from the end.
        guard let e = stride(from: tailCount - 22, through: 0, by: -1).first(where: {
            tail.le32($0) == 0x0605_4B50 && $0 + 22 + Int(tail.le16($0 + 20)) == tailCount
        }) else { throw ZipError("no end-of-central-directory record: not a zip, or cut short") }
        guard tail.le16(e + 4) == 0, tail.le16(e + 6) == 0, tail.le16(e + 8) == tail.le16(e + 10) else {
            throw ZipError("a zip split over several disks; ddexd reads single-file zips")
        }
        var count = UInt64(tail.le16(e + 10)), size = UInt64(tail.le32(e + 12)), offset = UInt64(tail.le32(e + 16))
        var directoryEnd = tailStart + UInt64(e)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            guard e >= 20, tail.le32(e - 20) == 0x0706_4B50 else { throw ZipError("a zip64 zip without its zip64 locator") }
            let recordOffset = tail.le64(e - 12)
            // The 56-byte record ends before the 20-byte locator.
            guard directoryEnd >= 76, recordOffset <= directoryEnd - 76 else { throw ZipError("the zip64 end record lies outside the file") }
            let record = try read(fd: fd, at: recordOffset, count: 56)
            guard record.le32(0) == 0x0606_4B50 else { throw ZipError("no zip64 end record where the locator says") }
            (count, size, offset) = (record.le64(32), record.le64(40), record.le64(48))
            directoryEnd = recordOffset
        }
        let (end, overflow) = offset.addingReportingOverflow(size)
        guard !overflow, end <= directoryEnd else { throw ZipError("the central directory lies outside the file") }
        guard size <= maxDirectoryBytes else { throw ZipError("the central directory has \(size) bytes, more than ddexd reads (\(maxDirectoryBytes))") }
        guard count <= size / 46 else { throw ZipError("the zip declares \(count) entries, more than its central directory can hold") }
        return (count, offset, size)
    }

    private static func read(fd: Int32, at offset: UInt64, count: Int) throws(ZipError) -> [UInt8] {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        defer { buffer.deallocate() }
        try read(fd: fd, at: offset, into: buffer, count: count)
        return Array(UnsafeRawBufferPointer(start: buffer, count: count))
    }

    private static func read(fd: Int32, at offset: UInt64, into buffer: UnsafeMutableRawPointer, count: Int) throws(ZipError) {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw ZipError(n < 0 ? "cannot read the file: \(String(cString: strerror(errno)))" : "the file ends at \(offset + UInt64(done)); the zip is cut short")
            }
            done += n
        }
    }

    /// UTF-8 when flagged or valid; else CP437, the encoding the zip format assumes without the flag.
    private static func decodeName(_ bytes: [UInt8], utf8Flag: Bool) throws(ZipError) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        guard !utf8Flag else { throw ZipError("an entry name flagged as UTF-8 is not UTF-8") }
        return CP437.decode(bytes)
    }
}
