/// Every schema migration, in order. Append new subsystems' migrations at the end (their SQL lives in
/// `Migration+<Subsystem>.swift`); never reorder or edit released entries.
public enum Migrations {
    public static let all: [Migration] = [
        .dsrReports,
        .deliveries,
        .polling,
        .ledger,
        .ackPolling,
        .stateChecks,
        .ledgerAccounts,
        .cluster,
    ]
}
