import DDEXModel

/// One payee's recoupment for a period (ACCOUNTING.md §6).
public struct Recoupment: Sendable, Hashable, Codable {
    public var earnings: MicroAmount
    public var openingBalance: MicroAmount
    public var recouped: MicroAmount
    public var closingBalance: MicroAmount
    public var payable: MicroAmount

    /// recouped = min(max(E, 0), B); B' = B − recouped; payable = E − recouped. A negative B counts as 0.
    public init(earnings: MicroAmount, openingBalance: MicroAmount) {
        let balance = max(openingBalance, .zero)
        self.earnings = earnings
        self.openingBalance = openingBalance
        self.recouped = min(max(earnings, .zero), balance)
        self.closingBalance = openingBalance - recouped
        self.payable = earnings - recouped
    }
}
