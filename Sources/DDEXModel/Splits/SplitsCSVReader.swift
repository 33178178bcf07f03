import Foundation

/// The one reader of `splits.csv` (header `isrc,payee,share_bp`): per-ISRC payee shares in basis points, for a
/// package's optional `splits.csv` (intake) and for `ddexd import splits` (the ledger) alike, with one set of rules
/// and problem codes.
///
/// The rules: the header is exactly `isrc,payee,share_bp`; every row has 3 cells; the ISRC is valid (and, where the
/// caller knows the release, one of its tracks); the payee is not empty, has no leading or trailing white space and
/// follows `TextRules`; the share is a whole number of basis points from 1 to 10000 written in ASCII digits; a payee
/// appears once per ISRC; an ISRC's shares sum to 10000. The CSV itself is strict RFC 4180 (`CSVTokenizer`). Every
/// row is checked and every problem named by file, line and cell, e.g. `splits.csv:7: share_bp`.
public struct SplitsCSVReader: Sendable {
    public static let fileName = "splits.csv"
    public static let header = ["isrc", "payee", "share_bp"]

    /// The splits of one ISRC, payees in the order of their rows.
    public struct Track: Sendable, Hashable {
        public var isrc: ISRC
        public var splits: [Split]

        public init(isrc: ISRC, splits: [Split]) {
            self.isrc = isrc
            self.splits = splits
        }
    }

    /// What a read gives: the usable splits and every problem, so a package report lists them all at once and an
    /// import refuses the file when there is any.
    public struct Result: Sendable {
        /// The ISRCs whose rows were all valid, in the order of their first row.
        public var tracks: [Track]
        public var problems: [Problem]

        public init(tracks: [Track], problems: [Problem]) {
            self.tracks = tracks
            self.problems = problems
        }

        /// `tracks` by ISRC.
        public var splits: [ISRC: [Split]] {
            Dictionary(uniqueKeysWithValues: tracks.map { ($0.isrc, $0.splits) })
        }
    }

    public init() {}

    /// Reads the whole file from `bytes`; `file` names it in problems. With `knownISRCs` (the release's tracks),
    /// rows for other ISRCs are problems (`SPLITS_UNKNOWN_ISRC`).
    public func read(bytes: some Sequence<UInt8>, relativePath file: String, knownISRCs: Set<ISRC>? = nil) -> Result {
        func refused(_ location: String, _ message: String) -> Result {
            Result(tracks: [], problems: [.error(.splitsCSVSyntax, at: location, message)])
        }
        let records: [CSVTokenizer.Record]
        do {
            records = try CSVTokenizer.records(in: bytes)
        } catch {
            return refused("\(file):\(error.line)", error.message)
        }
        let expected = Self.header.joined(separator: ",")
        guard let header = records.first else {
            return refused("\(file):1", "the file is empty; it must start with the header \(expected)")
        }
        guard header.fields == Self.header else {
            return refused("\(file):\(header.line)", "the header must be \(expected); found \(TextRules.escaped(header.fields.joined(separator: ",")))")
        }
        var table = SplitsTable(file: file, knownISRCs: knownISRCs)
        for record in records.dropFirst() { table.add(record) }
        return table.result()
    }
}

/// The rows read so far: the per-row rules, then the per-ISRC sum.
private struct SplitsTable {
    let file: String
    let knownISRCs: Set<ISRC>?
    var tracks: [SplitsCSVReader.Track] = []
    var index: [ISRC: (position: Int, line: Int)] = [:]
    var broken: Set<ISRC> = []
    var problems: [Problem] = []

    init(file: String, knownISRCs: Set<ISRC>?) {
        self.file = file
        self.knownISRCs = knownISRCs
    }

    mutating func add(_ record: CSVTokenizer.Record) {
        let f = record.fields
        let file = self.file
        func at(_ cell: String) -> String { "\(file):\(record.line): \(cell)" }
        guard f.count == SplitsCSVReader.header.count else {
            problems.append(.error(.splitsCSVSyntax, at: "\(file):\(record.line)",
                                   "the row has \(f.count) cells; isrc,payee,share_bp needs 3"))
            return
        }
        let isrc: ISRC
        do throws(IdentifierError) { isrc = try ISRC(validating: f[0]) } catch {
            problems.append(error.problem(at: at("isrc")))
            return
        }
        if let knownISRCs, !knownISRCs.contains(isrc) {
            problems.append(.error(.splitsUnknownISRC, at: at("isrc"), "ISRC \(isrc) is not a track of this release"))
            return
        }
        let position = index[isrc]?.position ?? tracks.count
        if position == tracks.count {
            index[isrc] = (position, record.line)
            tracks.append(SplitsCSVReader.Track(isrc: isrc, splits: []))
        }
        if let problem = Self.payeeProblem(f[1], at: at("payee")) {
            problems.append(problem)
            broken.insert(isrc)
            return
        }
        guard let share = Self.share(f[2]) else {
            problems.append(.error(.splitShareInvalid, at: at("share_bp"),
                                   "'\(TextRules.escaped(f[2]))' is not a whole number of basis points from 1 to 10000 (10000 = 100%)"))
            broken.insert(isrc)
            return
        }
        guard !tracks[position].splits.contains(where: { $0.payee == f[1] }) else {
            problems.append(.error(.splitPayeeDuplicate, at: at("payee"), "payee '\(f[1])' already has a share of \(isrc)"))
            broken.insert(isrc)
            return
        }
        tracks[position].splits.append(Split(payee: f[1], shareBasisPoints: share))
    }

    /// The tracks whose rows were all valid and sum to 10000; every other one is a problem already or here.
    mutating func result() -> SplitsCSVReader.Result {
        var valid: [SplitsCSVReader.Track] = []
        for track in tracks where !broken.contains(track.isrc) {
            let sum = track.splits.reduce(0) { $0 + $1.shareBasisPoints }
            guard sum == Split.totalBasisPoints else {
                let line = index[track.isrc]?.line ?? 0
                problems.append(.error(.splitsSumInvalid, at: "\(file):\(line): \(track.isrc)",
                                       "the shares of \(track.isrc) sum to \(sum) basis points; they must sum to \(Split.totalBasisPoints)"))
                continue
            }
            valid.append(track)
        }
        return SplitsCSVReader.Result(tracks: valid, problems: problems)
    }

    /// An empty or padded payee (`SPLIT_PAYEE_INVALID`), or one that breaks `TextRules`.
    static func payeeProblem(_ payee: String, at location: String) -> Problem? {
        guard !payee.isEmpty, payee.trimmingCharacters(in: .whitespaces) == payee else {
            return .error(.splitPayeeInvalid, at: location,
                          "the payee '\(TextRules.escaped(payee))' is empty or has leading or trailing spaces")
        }
        return TextRules.problem(payee, field: "payee", at: location)
    }

    /// A share written in ASCII digits only (no sign, no spaces, no decimals) within `Split.shareRange`.
    static func share(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let share = Int(text),
              Split.shareRange.contains(share)
        else { return nil }
        return share
    }
}
