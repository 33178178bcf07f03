import DDEXModel

/// A polling failure with a stable code and whether the next pass may succeed.
public struct PollError: RetryableError, Hashable {
    /// The stable codes of polling failures (listed in the README).
    public enum Code: String, Sendable, CaseIterable {
        /// The downloaded file's size differs from the size the server listed (still being written, or cut).
        case sizeMismatch = "POLL_SIZE_MISMATCH"
        /// The local archive could not be written or read.
        case archiveIO = "POLL_ARCHIVE_IO"
        /// An acknowledgement is larger than any real one; it is not downloaded.
        case ackTooLarge = "POLL_ACK_TOO_LARGE"
        /// A remote name that cannot be a file of this folder (a path separator, `..`, a control character).
        case unsafeName = "POLL_UNSAFE_NAME"
        /// After the load, the report's files could not be deleted or moved on the server.
        case afterFetch = "POLL_AFTER_FETCH"
    }

    public let kind: Code
    public let message: String
    public let isRetryable: Bool

    public init(_ kind: Code, _ message: String, retryable: Bool) {
        self.kind = kind
        self.message = message
        self.isRetryable = retryable
    }

    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(message)" }
}
