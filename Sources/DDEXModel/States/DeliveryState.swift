/// Where one delivery (a package's bundle for one DSP) stands.
///
/// ```
/// queued → uploading → uploaded → completed → acknowledged | rejected-by-dsp
///             │            │                        ↑↓ (a later acknowledgement)
///             └────────────┴─→ retry-wait → uploading …   (retryable failure, budget left)
///                          └─→ failed                     (permanent failure or budget spent)
/// ```
///
/// A DSP may send a second acknowledgement after the first, e.g. an error found after it reported
/// FileOK (CHOREOGRAPHY.md §5); the newest one decides. So `acknowledged` and `rejected-by-dsp` accept
/// further acknowledgements, including the same verdict again (which only replaces the DSP's words).
public enum DeliveryState: String, StateMachine {
    /// Built and waiting for a transfer slot.
    case queued
    /// Files are being uploaded (resources, then release XMLs).
    case uploading
    /// Every file is on the server under its final name and its remote size equals the local size.
    case uploaded
    /// The choreography's completion step is done (BatchComplete written last); waiting for the DSP.
    case completed
    /// The DSP acknowledged the delivery as processed.
    case acknowledged
    /// The DSP acknowledged the delivery with an error; its words are kept with the delivery.
    case rejectedByDSP = "rejected-by-dsp"
    /// A retryable failure; the next attempt is scheduled.
    case retryWait = "retry-wait"
    /// A permanent failure, or the retry budget is spent.
    case failed

    /// What can happen to a delivery (upload steps, the DSP's acknowledgement, failures); `next(after:)` says
    /// which state each event leads to, or refuses it.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case startUpload = "start-upload"
        case filesVerified = "files-verified"
        case completionWritten = "completion-written"
        case ackAccepted = "ack-accepted"
        case ackRejected = "ack-rejected"
        case retryableFailure = "retryable-failure"
        case permanentFailure = "permanent-failure"
        /// An operator asks to deliver again (after a failure or a DSP rejection).
        case requeue
    }

    public func next(after event: Event) -> DeliveryState? {
        switch self {
        case .queued:
            switch event {
            case .startUpload: .uploading
            case .retryableFailure: .retryWait
            case .permanentFailure: .failed
            case .filesVerified, .completionWritten, .ackAccepted, .ackRejected, .requeue: nil
            }
        case .uploading:
            switch event {
            case .filesVerified: .uploaded
            case .retryableFailure: .retryWait
            case .permanentFailure: .failed
            case .startUpload, .completionWritten, .ackAccepted, .ackRejected, .requeue: nil
            }
        case .uploaded:
            switch event {
            case .completionWritten: .completed
            case .retryableFailure: .retryWait
            case .permanentFailure: .failed
            case .startUpload, .filesVerified, .ackAccepted, .ackRejected, .requeue: nil
            }
        // A later acknowledgement overrides an earlier one: the newest decides.
        case .completed, .acknowledged:
            switch event {
            case .ackAccepted: .acknowledged
            case .ackRejected: .rejectedByDSP
            case .startUpload, .filesVerified, .completionWritten, .retryableFailure, .permanentFailure, .requeue: nil
            }
        case .rejectedByDSP:
            switch event {
            case .ackAccepted: .acknowledged
            case .ackRejected: .rejectedByDSP
            case .requeue: .queued
            case .startUpload, .filesVerified, .completionWritten, .retryableFailure, .permanentFailure: nil
            }
        case .retryWait:
            switch event {
            case .startUpload: .uploading
            case .permanentFailure: .failed
            case .requeue: .queued
            case .filesVerified, .completionWritten, .ackAccepted, .ackRejected, .retryableFailure: nil
            }
        case .failed:
            switch event {
            case .requeue: .queued
            case .startUpload, .filesVerified, .completionWritten, .ackAccepted, .ackRejected, .retryableFailure,
                 .permanentFailure: nil
            }
        }
    }

    /// The delivery's work is over. A late acknowledgement may still flip `acknowledged` and
    /// `rejected-by-dsp` (and an operator may requeue a rejected one), but nothing more is uploaded.
    public var isTerminal: Bool { self == .acknowledged || self == .rejectedByDSP || self == .failed }

    /// States in which a worker holds the delivery (used to find interrupted work after a crash).
    public var isInFlight: Bool { self == .uploading || self == .uploaded }
}
