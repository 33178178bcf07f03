/// A persisted state machine: the states are an enum stored by raw value, and every allowed transition
/// is written in one place, `next(after:)`. Anything else is refused with `InvalidTransition`.
public protocol StateMachine: RawRepresentable, Hashable, Sendable, Codable, CaseIterable where RawValue == String {
    associatedtype Event: Sendable, Hashable

    /// The state `event` leads to from `self`, or nil when the event is not allowed here.
    func next(after event: Event) -> Self?

    /// True when no event leads anywhere else (the work is over).
    var isTerminal: Bool { get }
}

extension StateMachine {
    /// The state after `event`, or an error naming both when the transition is not allowed.
    public func applying(_ event: Event) throws(InvalidTransition) -> Self {
        guard let next = next(after: event) else {
            throw InvalidTransition(machine: String(describing: Self.self), from: rawValue, event: String(describing: event))
        }
        return next
    }
}

/// An event that the current state does not allow, e.g. an acknowledgement for a delivery that was never completed.
public struct InvalidTransition: CodedError, Hashable {
    public let machine: String
    public let from: String
    public let event: String
    public var code: String { "STATE_INVALID_TRANSITION" }
    public var description: String { "\(machine): '\(event)' is not allowed in state '\(from)'" }
}
