import DDEXModel

/// What a probe wants next while the inspector streams a file through the digests.
enum ProbeStep: Equatable {
    /// The `count` bytes at `offset`. Offsets only move forward: a probe never asks for bytes before the
    /// end of its previous request, so the file is read once, front to back.
    case need(offset: UInt64, count: Int)
    /// The probe has its answer.
    case done(MeasuredResource.Kind)
}

/// A header parser driven by the bytes streaming past: it asks for ranges, gets them, and finally answers.
///
/// Probes check every size they read against the file size before asking for bytes beyond it, and throw
/// `MEDIA_TRUNCATED` themselves with a message naming the part that is cut off.
protocol MediaProbe {
    /// The first request, knowing only the file size.
    mutating func start() throws(MediaError) -> ProbeStep
    /// The bytes of the last request, exactly as many as were asked for.
    mutating func received(_ bytes: [UInt8]) throws(MediaError) -> ProbeStep
}

extension MediaProbe {
    /// An error for `path`, shorter to write in probes.
    static func fail(_ code: ProblemCode, _ path: String, _ message: String) -> MediaError {
        MediaError(code, path: path, message)
    }
}
