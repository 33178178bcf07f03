import DSR

/// Every repository of one store, whatever its engine: what the daemon and the commands work through, so that none
/// of them knows whether SQLite or PostgreSQL is behind it.
public struct StoreRepositories: Sendable {
    /// `sqlite` or `postgresql`, for logs and status files.
    public var engine: String
    public var packages: any PackageRepository
    public var messageIds: any MessageIdRepository
    public var deliveries: any DeliveryRepository
    public var acknowledgements: any AcknowledgementRepository
    public var reports: any DSRReportRepository
    public var cluster: any ClusterRepository
    /// Loads a DSR report's files into the store (SQLite: `DSRReportLoader`; PostgreSQL: its COPY loader).
    public var loadReport: LoadReport

    /// Loads one report's files, in bounded units of work that let other writers in between.
    public typealias LoadReport = @Sendable (DSRReportFiles) throws -> DSRLoadResult

    public init(engine: String, packages: any PackageRepository, messageIds: any MessageIdRepository,
                deliveries: any DeliveryRepository, acknowledgements: any AcknowledgementRepository,
                reports: any DSRReportRepository, cluster: any ClusterRepository, loadReport: @escaping LoadReport)
    {
        self.loadReport = loadReport
        self.engine = engine
        self.packages = packages
        self.messageIds = messageIds
        self.deliveries = deliveries
        self.acknowledgements = acknowledgements
        self.reports = reports
        self.cluster = cluster
    }

    /// The repositories of the SQLite store `database`.
    public init(sqlite database: StoreDatabase) {
        self.init(engine: "sqlite", packages: PackageStore(database: database), messageIds: MessageIdStore(database: database),
                  deliveries: DeliveryStore(database: database), acknowledgements: AcknowledgementStore(database: database),
                  reports: DSRReportStore(database: database), cluster: ClusterStore(database: database),
                  loadReport: { try DSRReportLoader(writer: database).load($0) })
    }
}
