/// ISO 4217 minor units: how many decimals a currency is displayed with.
///
/// Only display uses this. The ledger keeps micro-units whatever the currency.
public enum CurrencyMinorUnits {
    private static let zero: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ]
    private static let three: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
    private static let four: Set<String> = ["CLF", "UYW"]

    /// Decimals to display for `currency` (2 unless ISO 4217 says otherwise).
    public static func decimals(for currency: String) -> Int {
        if zero.contains(currency) { return 0 }
        if three.contains(currency) { return 3 }
        if four.contains(currency) { return 4 }
        return 2
    }

    /// True for a code of three upper-case ASCII letters.
    public static func isWellFormed(_ currency: String) -> Bool {
        let b = Array(currency.utf8)
        return b.count == 3 && b.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }
    }
}
