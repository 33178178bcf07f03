import DDEXConfig

/// Makes the transport a DSP profile configures. The one place that maps configuration to transports.
public enum TransportFactory {
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
