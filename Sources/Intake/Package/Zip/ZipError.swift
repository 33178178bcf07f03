/// Why a zip's structure cannot be trusted (becomes `ZIP_UNREADABLE`, or the code the unpacker picks).
struct ZipError: Error, Sendable, CustomStringConvertible {
    let message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
