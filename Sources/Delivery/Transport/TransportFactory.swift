import DDEXConfig

/// Makes the transport a DSP profile configures. The one place that maps configuration to transports.
public enum TransportFactory {
    /// A new, unconnected transport for the profile's `[transport]`. Throws `TransportError`
    /// (`TRANSPORT_SETTING_MISSING`) when an SFTP profile lacks a setting it needs; nothing touches the network.
    @Sendable
    public static func make(_ profile: DSPProfile) throws -> any DeliveryTransport {
        switch profile.transport.kind {
        case .local:
            return LocalFolderTransport(root: profile.transport.remoteRoot)
        case .sftp:
            return try SFTPTransport(settings: profile.transport)
        }
    }
}
