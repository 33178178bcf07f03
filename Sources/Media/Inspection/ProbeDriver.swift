import DDEXModel

/// Feeds a probe the byte ranges it asks for from chunks streaming past, without ever seeking back.
///
/// A request may overlap the previous one (a JPEG fill byte moves the next marker by one byte): the overlap
/// comes from the previous request's bytes, which the driver keeps.
struct ProbeDriver {
    private var probe: any MediaProbe
    private var pending: (offset: UInt64, count: Int)?
    private var collected: [UInt8] = []
    private var previous: (offset: UInt64, bytes: [UInt8]) = (0, [])
    private let path: String
    private(set) var result: MeasuredResource.Kind?

    init(probe: any MediaProbe, path: String) throws(MediaError) {
        self.probe = probe
        self.path = path
        try apply(self.probe.start())
    }

    private mutating func apply(_ step: ProbeStep) throws(MediaError) {
        switch step {
        case .done(let kind):
            if case .image(let image) = kind, UInt64(image.width) * UInt64(image.height) > MediaInspector.maxImagePixels {
                throw MediaError(.mediaImageTooLarge, path: path,
                                 "the header declares \(image.width)×\(image.height) = \(UInt64(image.width) * UInt64(image.height)) pixels, more than the \(MediaInspector.maxImagePixels) ddexd takes (a decompression bomb for whoever renders it)")
            }
            result = kind
            pending = nil
        case .need(let offset, let count):
            let previousEnd = previous.offset + UInt64(previous.bytes.count)
            guard offset >= previous.offset else {
                throw MediaError(.mediaCorrupt, path: path, "internal: probe asked for offset \(offset) behind the stream")
            }
            pending = (offset, count)
            collected.removeAll(keepingCapacity: true)
            collected.reserveCapacity(count)
            if offset < previousEnd {
                let from = Int(offset - previous.offset)
                let to = Int(min(previousEnd, offset + UInt64(count)) - previous.offset)
                collected.append(contentsOf: previous.bytes[from..<to])
            }
            if collected.count == count { try deliver() }
        }
    }

    private mutating func deliver() throws(MediaError) {
        guard let need = pending else { return }
        let bytes = collected
        previous = (need.offset, bytes)
        try apply(probe.received(bytes))
    }

    /// True once the probe has its answer (the rest of the file only feeds the digests).
    var isDone: Bool { result != nil }

    /// Offers the chunk that starts at `chunkStart` to the probe.
    mutating func feed(_ chunk: UnsafeRawBufferPointer, at chunkStart: UInt64) throws(MediaError) {
        let chunkEnd = chunkStart + UInt64(chunk.count)
        while let need = pending {
            let wantFrom = need.offset + UInt64(collected.count)
            let wantEnd = need.offset + UInt64(need.count)
            guard wantFrom < chunkEnd else { return }
            guard wantFrom >= chunkStart else {
                throw MediaError(.mediaCorrupt, path: path, "internal: probe range at \(wantFrom) was skipped")
            }
            let lo = Int(wantFrom - chunkStart)
            let hi = Int(min(wantEnd, chunkEnd) - chunkStart)
            collected.append(contentsOf: chunk[lo..<hi])
            guard collected.count == need.count else { return }
            try deliver()
        }
    }

    /// Called at the end of the stream: a probe still waiting means the file was shorter than its size said.
    func finish(streamSize: UInt64) throws(MediaError) -> MeasuredResource.Kind {
        guard let result else {
            throw MediaError(.mediaTruncated, path: path, "the file ended at \(streamSize) bytes while its headers were being read (it shrank while being read?)")
        }
        return result
    }
}
