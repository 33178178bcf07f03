/// A DSR file name (DSR Part 1 §8.1):
/// `DSR_<recipient>_<sender>_<service>_<period>_<territory>_<XofY>_<created>.tsv[.gz]`.
///
/// Elements never contain `_` or a space; an omitted element leaves `__`. The recipient, service and
/// territory may be empty; `XofY` may be empty or left out (with its underscore) for single-file reports.
public struct DSRFileName: Sendable, Hashable, CustomStringConvertible {
    /// The name as given (no folders).
    public var text: String
    public var recipient: String
    public var sender: String
    public var service: String
    public var period: DSRPeriod
    /// An ISO 3166 code, `multi`, `Worldwide`, a TIS numeric code, or "".
    public var territory: String
    /// x of XofY (1 when omitted).
    public var fileNumber: Int
    /// y of XofY (1 when omitted).
    public var numberOfFiles: Int
    /// True when the name carries XofY.
    public var hasFileCount: Bool
    /// `yyyymmddThhmmss` with optional milliseconds, as written.
    public var created: String
    public var isGzip: Bool

    /// The part that every file of one report shares: the name without XofY.
    public var reportKey: DSRReportKey {
        DSRReportKey(recipient: recipient, sender: sender, service: service, period: period.text,
                     territory: territory, created: created)
    }

    public var description: String { text }

    /// Parses `name` (a last path component), or throws `DSR_FILE_NAME` saying which element is wrong.
    public init(parsing name: String) throws(DSRError) {
        func fail(_ why: String) -> DSRError {
            DSRError(.fileName, file: name, "\(why); expected DSR_<recipient>_<sender>_<service>_<period>_<territory>_<XofY>_<yyyymmddThhmmss>.tsv[.gz]")
        }
        text = name
        var stem = Substring(name)
        if stem.hasSuffix(".tsv.gz") {
            isGzip = true
            stem = stem.dropLast(7)
        } else if stem.hasSuffix(".tsv") {
            isGzip = false
            stem = stem.dropLast(4)
        } else {
            throw fail("the name does not end in .tsv or .tsv.gz")
        }
        guard stem.hasPrefix("DSR_") else { throw fail("the name does not start with DSR_") }
        guard !stem.contains(" ") else { throw fail("the name contains a space") }
        let parts = stem.dropFirst(4).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7 || parts.count == 6 else {
            throw fail("the name has \(parts.count) elements after DSR_, not 7 (or 6 without XofY)")
        }
        recipient = parts[0]
        sender = parts[1]
        service = parts[2]
        guard !sender.isEmpty else { throw fail("the sender element is empty") }
        guard let period = DSRPeriod(parts[3]) else {
            throw fail("'\(parts[3])' is not a period (yyyy, yyyy-mm, yyyy-mm-dd, yyyy-Qq, yyyy-Www or yyyy-mm-dd--yyyy-mm-dd)")
        }
        self.period = period
        territory = parts[4]
        guard DSRFileName.isTerritory(territory) else {
            throw fail("'\(territory)' is not a territory (ISO 3166 alpha-2, TIS numeric, multi, Worldwide or empty)")
        }
        let xofy = parts.count == 7 ? parts[5] : ""
        hasFileCount = !xofy.isEmpty
        if xofy.isEmpty {
            fileNumber = 1
            numberOfFiles = 1
        } else {
            let pieces = xofy.split(separator: "of", omittingEmptySubsequences: false)
            guard pieces.count == 2, let x = Int(pieces[0]), let y = Int(pieces[1]),
                  pieces[0].allSatisfy(\.isASCIIDigit), pieces[1].allSatisfy(\.isASCIIDigit),
                  x >= 1, y >= 1, x <= y, y <= 9999 else {
                throw fail("'\(xofy)' is not XofY with 1 ≤ X ≤ Y (e.g. 1of3)")
            }
            fileNumber = x
            numberOfFiles = y
        }
        created = parts[parts.count - 1]
        guard DSRFileName.isCreated(created) else {
            throw fail("'\(created)' is not a creation time yyyymmddThhmmss (optionally with milliseconds)")
        }
    }

    static func isTerritory(_ text: String) -> Bool {
        if text.isEmpty || text.lowercased() == "multi" || text.lowercased() == "worldwide" { return true }
        let bytes = Array(text.utf8)
        if bytes.count == 2, bytes.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) { return true }
        return (1...4).contains(bytes.count) && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `yyyymmddThhmmss`, then optionally `.fff` or `fff` (the newer text allows milliseconds).
    static func isCreated(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count >= 15, b[8] == 0x54,
              let year = DSRDateTime.number(b, 0, 4), let month = DSRDateTime.number(b, 4, 2),
              let day = DSRDateTime.number(b, 6, 2), let hour = DSRDateTime.number(b, 9, 2),
              let minute = DSRDateTime.number(b, 11, 2), let second = DSRDateTime.number(b, 13, 2),
              DSRDateTime.daysSinceEpoch(year: year, month: month, day: day) != nil,
              hour < 24, minute < 60, second <= 60 else { return false }
        switch b.count {
        case 15: return true
        case 18: return DSRDateTime.number(b, 15, 3) != nil
        case 19: return b[15] == 0x2E && DSRDateTime.number(b, 16, 3) != nil
        default: return false
        }
    }
}

/// What the files of one report share: every file-name element except XofY (CHOREOGRAPHY.md §7).
public struct DSRReportKey: Sendable, Hashable, CustomStringConvertible {
    public var recipient: String
    public var sender: String
    public var service: String
    public var period: String
    public var territory: String
    public var created: String

    public init(recipient: String, sender: String, service: String, period: String, territory: String, created: String) {
        self.recipient = recipient
        self.sender = sender
        self.service = service
        self.period = period
        self.territory = territory
        self.created = created
    }

    public var description: String { "DSR_\(recipient)_\(sender)_\(service)_\(period)_\(territory)_\(created)" }
}

/// MessageNotificationPeriod: `yyyy`, `yyyy-mm`, `yyyy-mm-dd`, `yyyy-Qq`, `yyyy-Www` or
/// `yyyy-mm-dd--yyyy-mm-dd`.
public struct DSRPeriod: Sendable, Hashable {
    /// Which of the period forms the text uses.
    public enum Kind: Sendable, Hashable {
        case year, month, day, quarter, week, range
    }

    public var text: String
    public var kind: Kind

    /// The period `text` names, or nil when it has none of the forms above, names a day, month, quarter or week that
    /// does not exist, or a range that ends before it starts.
    public init?(_ text: String) {
        self.text = text
        let b = Array(text.utf8)
        func digits(_ offset: Int, _ length: Int) -> Int? { DSRDateTime.number(b, offset, length) }
        func day(_ offset: Int) -> Bool {
            guard offset + 10 <= b.count, b[offset + 4] == 0x2D, b[offset + 7] == 0x2D,
                  let y = digits(offset, 4), let m = digits(offset + 5, 2), let d = digits(offset + 8, 2) else { return false }
            return DSRDateTime.daysSinceEpoch(year: y, month: m, day: d) != nil
        }
        guard digits(0, 4) != nil else { return nil }
        switch b.count {
        case 4:
            kind = .year
        case 7 where b[4] == 0x2D && b[5] == 0x51:
            guard let q = digits(6, 1), (1...4).contains(q) else { return nil }
            kind = .quarter
        case 7 where b[4] == 0x2D:
            guard let m = digits(5, 2), (1...12).contains(m) else { return nil }
            kind = .month
        case 8 where b[4] == 0x2D && b[5] == 0x57:
            guard let w = digits(6, 2), (1...53).contains(w) else { return nil }
            kind = .week
        case 10:
            guard day(0) else { return nil }
            kind = .day
        case 22:
            guard day(0), b[10] == 0x2D, b[11] == 0x2D, day(12), text.prefix(10) <= text.suffix(10) else { return nil }
            kind = .range
        default:
            return nil
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
