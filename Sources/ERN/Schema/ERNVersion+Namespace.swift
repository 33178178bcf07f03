import DDEXConfig

extension ERNVersion {
    /// The XML namespace of this version's messages.
    public var namespace: String {
        switch self {
        case .ern43: ERN43Writer.namespace
        case .ern382: ERN382Writer.namespace
        }
    }

    /// The version whose messages live in `namespace`; nil for any other (ERN 4.1, 4.2, 3.8.1, …).
    public init?(namespace: String) {
        guard let version = Self.allCases.first(where: { $0.namespace == namespace }) else { return nil }
        self = version
    }
}
