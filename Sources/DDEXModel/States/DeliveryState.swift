/// Where one delivery (a package's bundle for one DSP) stands.
///
/// ```
/// queued → uploading → uploaded → completed → acknowledged | rejected-by-dsp
///             │            │
///             └────────────┴─→ retry-wait → uploading …   (retryable failure, budget left)
///                          └─→ failed                     (permanent failure or budget spent)
/// ```
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

    public enum Event: String, Sendable, Hashable {
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
        switch (self, event) {
        case (.queued, .startUpload), (.retryWait, .startUpload): .uploading
        case (.uploading, .filesVerified): .uploaded
        case (.uploaded, .completionWritten): .completed
        case (.completed, .ackAccepted): .acknowledged
        case (.completed, .ackRejected): .rejectedByDSP
        case (.uploading, .retryableFailure), (.uploaded, .retryableFailure), (.queued, .retryableFailure): .retryWait
        case (.queued, .permanentFailure), (.uploading, .permanentFailure), (.uploaded, .permanentFailure),
             (.retryWait, .permanentFailure): .failed
        case (.failed, .requeue), (.rejectedByDSP, .requeue), (.retryWait, .requeue): .queued
        default: nil
        }
    }

    public var isTerminal: Bool { self == .acknowledged || self == .rejectedByDSP || self == .failed }

    /// States in which a worker holds the delivery (used to find interrupted work after a crash).
    public var isInFlight: Bool { self == .uploading || self == .uploaded }
}
