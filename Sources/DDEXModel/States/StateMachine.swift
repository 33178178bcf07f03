/// A persisted state machine, the one form every machine of ddexd takes (after swift-nio's state machines): the
/// states are an enum stored by raw value, the events are an enum too, and every allowed transition is written
/// in one place, `next(after:)`, as an exhaustive switch over states and events without `default`, so a new
/// state or event does not compile until every pair is decided. Anything else is refused with
/// `InvalidTransition`. Each machine is persisted through one store method, and tested over the whole
/// state × event table (`allCases` × `Event.allCases`).
public protocol StateMachine: RawRepresentable, Hashable, Sendable, Codable, CaseIterable where RawValue == String {
    /// What can happen to the thing the machine tracks; `CaseIterable` so tests can walk the whole table.
    associatedtype Event: Sendable, Hashable, CaseIterable

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
