import DDEXModel
import XMLSupport

/// Reads DSP acknowledgements safely (no DOCTYPE, no entities; XMLSupport's rules) in all three
/// generations, detected by root element and namespace.
public enum AcknowledgementReader {
    static let namespaces: [String: Acknowledgement.Generation] = [
        "http://ddex.net/xml/ern-c-sftp/18": .ernCSFTP18,
        "http://ddex.net/xml/ern-c-sftp/17": .echo17,
        "http://ddex.net/xml/ern-c-sftp/16": .ftpAcknowledgement,
        "http://ddex.net/xml/ern-c/15": .ftpAcknowledgement,
        "http://ddex.net/xml/ern-c/14": .ftpAcknowledgement,
    ]

    /// Reads an acknowledgement file; `name` is used in errors (e.g. the remote path).
    public static func read(fileAt path: String, name: String? = nil, maxBytes: Int = 16 * 1024 * 1024) throws(AcknowledgementError) -> Acknowledgement {
        let display = name ?? path
        let document: XMLDocument
        do {
            document = try XMLDocument.read(fileAt: path, name: display, options: XMLReadOptions(maxBytes: maxBytes))
        } catch {
            throw AcknowledgementError(code: error.code, file: display, line: error.line, message: error.message)
        }
        return try read(document)
    }

    /// Reads an acknowledgement already in memory; `name` names it in errors. An XML failure keeps its XML code.
    public static func parse(data: [UInt8], name: String) throws(AcknowledgementError) -> Acknowledgement {
        do {
            return try read(try XMLDocument.parse(data: data, name: name))
        } catch let error as XMLError {
            throw AcknowledgementError(code: error.code, file: name, line: error.line, message: error.message)
        } catch let error as AcknowledgementError {
            throw error
        } catch {
            throw AcknowledgementError(code: "ACK_UNREADABLE", file: name, line: 0, message: "\(error)")
        }
    }

    static func read(_ document: XMLDocument) throws(AcknowledgementError) -> Acknowledgement {
        let root = document.root
        let file = document.name
        let generation: Acknowledgement.Generation
        switch (root.name, root.namespaceURI.flatMap { namespaces[$0] }) {
        case ("AcknowledgementMessage", .ernCSFTP18?): generation = .ernCSFTP18
        case ("ErnAcknowledgementStatusMessage", _): generation = .echo17
        case ("FtpAcknowledgementMessage", _): generation = .ftpAcknowledgement
        case ("AcknowledgementMessage", .some(let g)): generation = g
        default:
            throw AcknowledgementError(code: "ACK_UNKNOWN_FORMAT", file: file, line: root.line,
                                       message: "root element \(root.name) in namespace \(root.namespaceURI ?? "(none)") is not a DDEX acknowledgement (AcknowledgementMessage, ErnAcknowledgementStatusMessage or FtpAcknowledgementMessage)")
        }
        let header = root.child("MessageHeader")
        var ack = Acknowledgement(
            generation: generation, file: file, ackMessageId: header?.text(of: "MessageId").nonEmpty,
            sender: header?.child("MessageSender")?.text(of: "PartyId").nonEmpty,
            createdAt: header?.text(of: "MessageCreatedDateTime").nonEmpty, entries: [])

        switch generation {
        case .ernCSFTP18:
            for status in root.children("ReleaseStatus") {
                ack.entries.append(contentsOf: try entries18(status, file: file))
            }
        case .echo17, .ftpAcknowledgement:
            ack.entries = try entriesOlder(root, file: file)
        }
        guard !ack.entries.isEmpty else {
            throw AcknowledgementError(code: "ACK_EMPTY", file: file, line: root.line,
                                       message: "the acknowledgement reports no release or file status")
        }
        return ack
    }

    /// Part 3 1.8: one entry per Acknowledgement of a ReleaseStatus, or one for the ReleaseStatus alone.
    private static func entries18(_ status: XMLElement, file: String) throws(AcknowledgementError) -> [Acknowledgement.Entry] {
        let releaseIds = ids(status.child("ReleaseId"))
        guard let releaseStatus = status.text(of: "ReleaseStatus").nonEmpty else {
            throw AcknowledgementError(code: "ACK_FIELD_MISSING", file: file, line: status.line, message: "ReleaseStatus has no ReleaseStatus value")
        }
        let errorText = status.text(of: "ErrorText").nonEmpty
        let proposed = status.text(of: "ProposedActionType").nonEmpty
        let affected = status.children("AffectedResource").flatMap { ids($0) }
        let acknowledgements = status.children("Acknowledgement")
        if acknowledgements.isEmpty {
            let failed = releaseStatus.hasPrefix("ProcessingError") || ["ReleaseNotAvailable", "ReleaseViolatesTermsOfService", "RightsConflict"].contains(releaseStatus)
            return [Acknowledgement.Entry(releaseIds: releaseIds, messageId: nil, batchId: nil, messageType: nil,
                                          status: failed ? "UserDefined" : "FileOK", releaseStatus: releaseStatus, text: errorText,
                                          proposedAction: proposed, affectedResources: affected, acknowledgedDate: nil)]
        }
        var out: [Acknowledgement.Entry] = []
        for a in acknowledgements {
            guard let messageId = a.text(of: "MessageId").nonEmpty else {
                throw AcknowledgementError(code: "ACK_FIELD_MISSING", file: file, line: a.line, message: "Acknowledgement has no MessageId")
            }
            let statuses = a.children("MessageStatus")
            guard let first = statuses.first?.text(of: "Status").nonEmpty else {
                throw AcknowledgementError(code: "ACK_FIELD_MISSING", file: file, line: a.line, message: "Acknowledgement has no MessageStatus/Status")
            }
            // The worst status decides: any non-FileOK status makes the entry a failure.
            let status = statuses.compactMap { $0.text(of: "Status").nonEmpty }.first { $0 != "FileOK" } ?? first
            let information = statuses.compactMap { $0.text(of: "Information").nonEmpty }
            let text = ([errorText].compactMap { $0 } + information).joined(separator: " — ").nonEmpty
            out.append(Acknowledgement.Entry(releaseIds: releaseIds, messageId: messageId, batchId: a.text(of: "BatchId").nonEmpty,
                                             messageType: a.text(of: "MessageType").nonEmpty, status: status, releaseStatus: releaseStatus,
                                             text: text, proposedAction: proposed, affectedResources: affected, acknowledgedDate: nil))
        }
        return out
    }

    /// ERN-C 1.4-1.6 and ECHO 1.7: the elements differ by generation; read what each names, wherever it sits.
    private static func entriesOlder(_ root: XMLElement, file: String) throws(AcknowledgementError) -> [Acknowledgement.Entry] {
        let containers = root.children("AcknowledgedFile").isEmpty
            ? (root.descendants("ReleaseStatus").filter { !$0.children.isEmpty }.nonEmptyArray ?? [root])
            : [root]
        var out: [Acknowledgement.Entry] = []
        for container in containers {
            let acknowledged = container.child("AcknowledgedFile")
            let status = container.descendants("FileStatus").first?.trimmedText.nonEmpty
                ?? container.descendants("Status").first?.trimmedText.nonEmpty
                ?? container.child("MessageStatus")?.trimmedText.nonEmpty
            guard let status else {
                throw AcknowledgementError(code: "ACK_FIELD_MISSING", file: file, line: container.line,
                                           message: "no FileStatus or Status in the acknowledgement")
            }
            var releaseIds = acknowledged.map { a in a.texts(of: "ReleaseId").compactMap(\.nonEmpty) } ?? []
            releaseIds += container.descendants("ReleaseId").flatMap { ids($0) }
            let messageId = container.descendants("MessageId").first { $0.line != root.child("MessageHeader")?.child("MessageId")?.line }?
                .trimmedText.nonEmpty
            let texts = (container.descendants("ErrorText") + container.descendants("Information")).compactMap { $0.trimmedText.nonEmpty }
            out.append(Acknowledgement.Entry(
                releaseIds: Array(Set(releaseIds)).sorted(), messageId: messageId,
                batchId: container.descendants("BatchId").first?.trimmedText.nonEmpty,
                messageType: container.descendants("MessageType").first?.trimmedText.nonEmpty, status: status,
                releaseStatus: container.child("ReleaseStatus")?.trimmedText.nonEmpty,
                text: texts.joined(separator: " — ").nonEmpty,
                proposedAction: container.descendants("ProposedActionType").first?.trimmedText.nonEmpty,
                affectedResources: container.descendants("AffectedResource").flatMap { ids($0) },
                acknowledgedDate: acknowledged?.text(of: "Date").nonEmpty))
        }
        return out
    }

    /// The identifier values under an id composite (`ICPN`, `GRid`, `ISRC`, `CatalogNumber`, `ProprietaryId`, …),
    /// or its own text when it has no children.
    private static func ids(_ element: XMLElement?) -> [String] {
        guard let element else { return [] }
        if element.children.isEmpty { return element.trimmedText.nonEmpty.map { [$0] } ?? [] }
        return element.children.compactMap { $0.trimmedText.nonEmpty }
    }
}

/// An acknowledgement that cannot be read, with file and line.
public struct AcknowledgementError: CodedError, Hashable {
    public let code: String
    public let file: String
    public let line: Int
    public let message: String

    public var description: String { "\(file)\(line > 0 ? ":\(line)" : ""): \(code): \(message)" }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? { self.flatMap { $0.nonEmpty } }
}

extension String {
    var nonEmpty: String? {
        let t = trimmingXMLSpace()
        return t.isEmpty ? nil : t
    }

    func trimmingXMLSpace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}

extension Array {
    var nonEmptyArray: [Element]? { isEmpty ? nil : self }
}
