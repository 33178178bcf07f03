import DDEXModel
import Foundation

/// One parser under fuzzing: a name (`scripts/fuzz NAME`), what it feeds, and the body that hands the
/// input to the product's own entry point and checks the target's invariants.
///
/// A body throws `FuzzViolation` when an invariant breaks (an error without a stable code or a place, a
/// round trip that is not stable, a write outside the throw-away folder). Under libFuzzer the driver turns
/// a violation into a crash, so the input is kept as a reproducer; the regression tests replay every
/// committed input through the same body and assert that it does not throw.
public struct FuzzTarget: Sendable {
    public let name: String
    public let summary: String
    public let body: @Sendable ([UInt8]) throws(FuzzViolation) -> Void

    public init(_ name: String, _ summary: String, _ body: @escaping @Sendable ([UInt8]) throws(FuzzViolation) -> Void) {
        self.name = name
        self.summary = summary
        self.body = body
    }

    /// Every target, in the order `scripts/fuzz all` runs them.
    public static let all: [FuzzTarget] = DSRTargets.all + AcknowledgementTargets.all + MetadataTargets.all
        + CSVTargets.all + ConfigurationTargets.all + ZipTarget.all + MediaTargets.all

    public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// A broken invariant: what was expected, and what happened.
public struct FuzzViolation: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
