import DDEXConfig
import DDEXModel

/// Makes the transport a DSP profile configures. Every command and the daemon create their connections
/// here, so a new kind of transport is added in one place.
public enum Transports {
    /// A new (not yet connected) transport for `profile`.
    public static func make(for profile: DSPProfile) throws -> any DeliveryTransport {
        switch profile.transport.kind {
        case .local:
            return LocalFolderTransport(root: profile.transport.remoteRoot)
        case .sftp:
            throw TransportError(code: "TRANSPORT_UNSUPPORTED",
                                 message: "DSP \(profile.name): the SFTP transport is not part of this build yet",
                                 isRetryable: false)
        }
    }

    /// `make(for:)` as a `TransportFactory` for `DeliveryPass` and `PollPass`.
    public static let factory: TransportFactory = { try make(for: $0) }
}
