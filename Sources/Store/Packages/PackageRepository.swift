import DDEXModel

/// The packages subsystem's tables (`packages`, `package_events`): packages moved through `PackageState`, each step
/// recorded in their timeline. `PackageStore` implements it on the SQLite store; another engine (PostgreSQL) can
/// implement the same protocol.
///
/// Errors: a requirement throws `StoreError` when the store fails (`STORE_BUSY`, `STORE_DECODE`, …); a lookup of an
/// unknown id returns nil or an empty list, a state change of one throws `STORE_MISUSE`, and an event its state does
/// not allow throws `InvalidTransition`. Thread-safety: implementations are `Sendable` and may be called from any
/// thread (blocking: not on the cooperative pool); writes run one at a time on the store's one writer, reads on a
/// committed snapshot.
public protocol PackageRepository: Sendable {
    /// Records a claimed package in state `received`. Idempotent by id (a restart re-claiming the same work folder
    /// gets the existing record back).
    @discardableResult
    func receive(id: String, account: String, source: String, workPath: String, now: String) throws -> PackageRecord

    /// The one way a package's state is written: `event` applied to the state read in the same transaction, with the
    /// release summary, problems and work path that come with it, and a timeline entry.
    @discardableResult
    func transition(_ id: String, _ event: PackageState.Event, now: String, changes: PackageChanges) throws -> PackageRecord

    /// Adds a timeline entry without changing the state (a DSP's progress, an acknowledgement).
    func record(_ id: String, _ event: PackageEvent) throws

    /// The package with this id, or nil when there is none.
    func package(_ id: String) throws -> PackageRecord?

    /// Packages in `states`, oldest first.
    func packages(in states: [PackageState]) throws -> [PackageRecord]

    /// A package's timeline, in the order its entries were recorded (empty for an unknown id).
    func timeline(_ id: String) throws -> [PackageEvent]

    /// How many packages are in each state.
    func counts() throws -> [PackageState: Int]
}

/// What a package transition stores beside the state (nil leaves a column as it is).
public struct PackageChanges: Sendable {
    public var release: Release?
    public var releaseJSON: String?
    public var problems: [Problem]?
    public var workPath: String?
    /// The timeline entry's detail.
    public var detail: String?

    public init(release: Release? = nil, releaseJSON: String? = nil, problems: [Problem]? = nil, workPath: String? = nil,
                detail: String? = nil)
    {
        self.release = release
        self.releaseJSON = releaseJSON
        self.problems = problems
        self.workPath = workPath
        self.detail = detail
    }
}

extension PackageRepository {
    /// `transition(_:_:now:changes:)` with the changes spelt out.
    @discardableResult
    public func transition(_ id: String, _ event: PackageState.Event, now: String, release: Release? = nil,
                           releaseJSON: String? = nil, problems: [Problem]? = nil, workPath: String? = nil,
                           detail: String? = nil) throws -> PackageRecord
    {
        try transition(id, event, now: now, changes: PackageChanges(release: release, releaseJSON: releaseJSON,
                                                                    problems: problems, workPath: workPath, detail: detail))
    }
}

/// Every MessageId issued per sender, so none is ever reused (DDEX: unique with the sender's DPID), in the packages
/// subsystem's `message_ids` table.
public protocol MessageIdRepository: Sendable {
    /// Records `messageId` for `sender`; false when it was issued before (the caller must pick another).
    func claim(sender: String, messageId: String, now: String) throws -> Bool
}
