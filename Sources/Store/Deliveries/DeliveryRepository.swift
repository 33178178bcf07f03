import DDEXModel

/// The deliveries subsystem's tables (`deliveries`, `delivery_files`): each (package, DSP) delivery moved through
/// `DeliveryState` and the files it places. `DeliveryStore` implements it on the SQLite store; another engine
/// (PostgreSQL) can implement the same protocol.
///
/// Errors: a requirement throws `StoreError` when the store fails (`STORE_BUSY`, `STORE_DECODE`, …); a lookup of an
/// unknown id returns nil or an empty list, a state change of one throws `STORE_MISUSE`, and an event its state does
/// not allow throws `InvalidTransition`. Thread-safety: implementations are `Sendable` and may be called from any
/// thread (blocking: not on the cooperative pool); writes run one at a time on the store's one writer, reads on a
/// committed snapshot.
public protocol DeliveryRepository: Sendable {
    /// Records a queued delivery with its files; the existing one when this package was already queued for this DSP
    /// (a restart re-running the build step must not queue it twice).
    @discardableResult
    func enqueue(_ delivery: NewDelivery, now: String) throws -> DeliveryRecord

    /// The one way a delivery's state is written (deliveries and acknowledgements alike): `event` applied to the
    /// state read in the same transaction, with the columns that go with it. Two workers (or a worker and a restart)
    /// can never both move one delivery, and an event the state does not allow is refused.
    @discardableResult
    func transition(_ id: Int64, _ event: DeliveryState.Event, now: String, changes: DeliveryChanges) throws -> DeliveryRecord

    /// Marks one file as placed on the server (final name, verified size).
    func markPlaced(delivery id: Int64, seq: Int) throws

    /// A delivery's files in upload order.
    func files(of id: Int64) throws -> [DeliveryFile]

    /// The delivery with this id, or nil when there is none.
    func delivery(_ id: Int64) throws -> DeliveryRecord?

    /// Every delivery of a package (one per DSP it was queued for, whatever its state), ordered by DSP name.
    func deliveries(ofPackage packageId: String) throws -> [DeliveryRecord]

    /// Deliveries in `states` (of one DSP, or of all), oldest first.
    func deliveries(dsp: String?, states: [DeliveryState]) throws -> [DeliveryRecord]

    /// Deliveries a worker may start now for `dsp`, oldest first: queued ones, and retry-wait ones whose time has
    /// come. A release is never in two open deliveries at once: a later delivery of the same release waits until
    /// every earlier one of it is past `uploaded`.
    func due(dsp: String, now: Double, limit: Int) throws -> [DeliveryRecord]

    /// Deliveries whose acknowledgement folder is due to be listed at `now` (Unix seconds): completed ones younger
    /// than `deadline` seconds and acknowledged ones younger than `recentWindow`, on every pass while a tenth of
    /// their age is less than `pollSeconds`, then once a tenth of their age has passed since they were last listed.
    /// Oldest first.
    func dueForAckListing(dsp: String, now: Double, pollSeconds: Double, deadline: Double,
                          recentWindow: Double) throws -> [(id: Int64, remoteFolder: String)]

    /// Records that the acknowledgement folders of `ids` were listed at `time` (Unix seconds).
    func markAckChecked(_ ids: [Int64], at time: Double) throws

    /// How many deliveries each DSP has in each state (states without any are absent).
    func counts() throws -> [String: [DeliveryState: Int]]

    /// The delivery an acknowledgement names: by MessageId first, then by batch id, then by release id (the newest
    /// completed delivery of that release).
    func match(dsp: String, messageId: String?, batchId: String?, releaseId: String?) throws -> DeliveryRecord?
}

extension DeliveryRepository {
    /// `transition(_:_:now:changes:)` with no other column changed.
    @discardableResult
    public func transition(_ id: Int64, _ event: DeliveryState.Event, now: String) throws -> DeliveryRecord {
        try transition(id, event, now: now, changes: DeliveryChanges())
    }

    /// Deliveries in `states`, of every DSP.
    public func deliveries(states: [DeliveryState]) throws -> [DeliveryRecord] {
        try deliveries(dsp: nil, states: states)
    }
}

/// Optional column changes that go with a transition (`nil` leaves a column as it is; `.some(nil)` clears it).
public struct DeliveryChanges: Sendable {
    public var nextAttemptAt: Double??
    public var lastError: (code: String, message: String)??
    public var ack: (status: String, text: String?, file: String, at: String)?

    public init(nextAttemptAt: Double?? = nil, lastError: (code: String, message: String)?? = nil,
                ack: (status: String, text: String?, file: String, at: String)? = nil)
    {
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.ack = ack
    }
}
