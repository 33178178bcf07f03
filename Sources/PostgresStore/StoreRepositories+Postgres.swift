import Ledger
import Store

extension StoreRepositories {
    /// The repositories of the PostgreSQL store `database`, shared with every other instance on it.
    public init(postgres database: PostgresDatabase) {
        let loader = PostgresDSRReportLoader(database: database)
        self.init(engine: "postgresql", packages: PostgresPackageStore(database: database),
                  messageIds: PostgresMessageIdStore(database: database), deliveries: PostgresDeliveryStore(database: database),
                  acknowledgements: PostgresAcknowledgementStore(database: database),
                  reports: PostgresDSRReportStore(database: database), cluster: PostgresClusterStore(database: database),
                  loadReport: { try loader.load($0, progress: nil) })
    }
}

extension LedgerCatalog {
    /// Records releases in the catalogue of the PostgreSQL store `database`.
    public static func recorder(postgres database: PostgresDatabase) -> Recorder {
        { release, account in _ = try LedgerCatalog(store: PostgresLedgerStore(database: database)).record(release: release, account: account) }
    }
}
