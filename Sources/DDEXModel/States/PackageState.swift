/// Where one label package stands.
///
/// ```
/// received → valid → built → done
///    └─────→ rejected
/// ```
public enum PackageState: String, StateMachine {
    /// Claimed from the inbound folder into the work folder.
    case received
    /// Validation passed.
    case valid
    /// Validation failed; the package is in the rejected folder with its report.
    case rejected
    /// Bundles were built for every target DSP (some DSPs may have been refused with problems).
    case built
    /// Every delivery reached a terminal state.
    case done

    /// The steps that move a package on; `next(after:)` says which state each leads to, or refuses it.
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case validationPassed = "validation-passed"
        case validationFailed = "validation-failed"
        case bundlesBuilt = "bundles-built"
        case deliveriesFinished = "deliveries-finished"
    }

    public func next(after event: Event) -> PackageState? {
        switch self {
        case .received:
            switch event {
            case .validationPassed: .valid
            case .validationFailed: .rejected
            case .bundlesBuilt, .deliveriesFinished: nil
            }
        case .valid:
            switch event {
            case .bundlesBuilt: .built
            case .validationPassed, .validationFailed, .deliveriesFinished: nil
            }
        case .built:
            switch event {
            case .deliveriesFinished: .done
            case .validationPassed, .validationFailed, .bundlesBuilt: nil
            }
        case .rejected, .done:
            switch event {
            case .validationPassed, .validationFailed, .bundlesBuilt, .deliveriesFinished: nil
            }
        }
    }

    public var isTerminal: Bool { self == .rejected || self == .done }
}
