import DDEXConfig
import DDEXModel
import ERN
import Foundation
import XMLSupport

/// Reads a label's master DDEX ERN (a NewReleaseMessage, ERN 4.3 or 3.8.2) into the model.
///
/// In this order, each step refusing the file before the next one reads more of it:
/// 1. the bytes, size-capped by `IntakeSettings.maxMetadataBytes` (`XML_TOO_LARGE`);
/// 2. XMLSupport's safe parse: no DTD, no entities, nothing fetched, the bytes in the encoding the
///    declaration names (`XML_DOCTYPE_FORBIDDEN`, `XML_ENTITY_FORBIDDEN`, `XML_ENCODING`, `XML_MALFORMED`);
/// 3. the root: a `NewReleaseMessage` in the ERN 4.3 or 3.8.2 namespace (`MASTER_ERN_UNSUPPORTED`);
/// 4. the official XSD of that namespace, from the configured schema folder and compiled once in the shared
///    `ERNSchemaSet` (`XSD_INVALID` with line and element; `XSD_LOAD_FAILED` when the schema is missing).
///    An `xi:include` or any element the schema does not allow stops the file here: nothing it points at
///    is ever read, and no XInclude processing is ever done;
/// 5. the mapping onto the model, collecting every problem, located as
///    `master.xml:120: ReleaseList/Release/ReleaseId/ICPN`.
///
/// File paths are recorded as the ERN gives them (relative to the package root); whether the files exist and
/// match their declared hashes is the validator's job.
public struct MasterERNReader: MetadataReader {
    /// The compiled official XSDs (shared with the bundler, so each is compiled once per process).
    public let schemas: ERNSchemaSet
    /// Schema errors listed before the rest are summed up in one problem: a hostile file can have thousands.
    public static let maxSchemaProblems = 20

    /// A reader validating against `schemas` (shared, so each XSD is compiled once per process).
    public init(schemas: ERNSchemaSet) {
        self.schemas = schemas
    }

    /// Any top-level `*.xml` file.
    public func canRead(fileName: String) -> Bool {
        !fileName.contains("/") && fileName.lowercased().hasSuffix(".xml") && !fileName.hasPrefix(".")
    }

    public func read(fileAt url: URL, relativePath: String, settings: IntakeSettings) -> MetadataReadResult {
        let bytes: [UInt8]
        do {
            bytes = try XMLDocument.bytes(ofFileAt: url.path, name: relativePath, options: XMLReadOptions(maxBytes: settings.maxMetadataBytes))
        } catch {
            return MetadataReadResult(release: nil, problems: [error.problem()])
        }
        return read(bytes: bytes, name: relativePath, settings: settings)
    }

    /// Reads a master ERN from bytes in memory; `name` (the package-relative path) locates every problem.
    public func read(bytes: [UInt8], name: String, settings: IntakeSettings = IntakeSettings()) -> MetadataReadResult {
        func refused(_ problems: [Problem]) -> MetadataReadResult { MetadataReadResult(release: nil, problems: problems) }
        let document: XMLDocument
        do {
            document = try XMLDocument.parse(data: bytes, name: name, options: XMLReadOptions(maxBytes: settings.maxMetadataBytes))
        } catch {
            return refused([error.problem()])
        }
        let root = document.root
        let at = "\(name):\(root.line): \(root.name)"
        guard root.name == "NewReleaseMessage" else {
            return refused([.error(.masterERNUnsupported, at: at,
                                   "the root element is \(root.name); a master ERN must be an ERN 4.3 or 3.8.2 NewReleaseMessage")])
        }
        guard let version = root.namespaceURI.flatMap(ERNVersion.init(namespace:)) else {
            return refused([.error(.masterERNUnsupported, at: at,
                                   "namespace '\(root.namespaceURI ?? "none")' is not ERN 4.3 (\(ERNVersion.ern43.namespace)) or 3.8.2 (\(ERNVersion.ern382.namespace))")])
        }
        let schemaProblems = schemaProblems(bytes, name: name, version: version)
        guard schemaProblems.isEmpty else { return refused(schemaProblems) }
        return map(document, version: version)
    }

    /// Every way the bytes break the official XSD of `version` (empty when they match it).
    private func schemaProblems(_ bytes: [UInt8], name: String, version: ERNVersion) -> [Problem] {
        let schema: XSDSchema
        do {
            schema = try schemas.schema(for: version)
        } catch let error as XMLError {
            return [.error(.xsdLoadFailed, at: name, "the ERN \(version.rawValue) schema could not be loaded, so the master ERN cannot be checked: \(error.description)")]
        } catch {
            return [.error(.xsdLoadFailed, at: name, "the ERN \(version.rawValue) schema could not be loaded, so the master ERN cannot be checked: \(error)")]
        }
        let issues = schema.validate(data: bytes, name: name)
        var problems = issues.prefix(Self.maxSchemaProblems).map { issue in
            Problem.error(.xsdInvalid, at: Self.location(of: issue, in: name),
                          "does not match the ERN \(version.rawValue) schema: \(issue.message)")
        }
        if issues.count > Self.maxSchemaProblems {
            problems.append(.error(.xsdInvalid, at: name, "\(issues.count - Self.maxSchemaProblems) further schema errors are not listed"))
        }
        return problems
    }

    /// `master.xml:12: Element` from libxml2's `Element '{namespace}Name': …` wording.
    static func location(of issue: XMLIssue, in name: String) -> String {
        var location = issue.line > 0 ? "\(name):\(issue.line)" : name
        if let start = issue.message.range(of: "Element '"), let end = issue.message[start.upperBound...].firstIndex(of: "'") {
            var element = issue.message[start.upperBound..<end]
            if element.hasPrefix("{"), let close = element.firstIndex(of: "}") {
                element = element[element.index(after: close)...]
            }
            location += ": \(element)"
        }
        return location
    }

    /// Maps a document that passed its schema onto the model.
    func map(_ document: XMLDocument, version: ERNVersion) -> MetadataReadResult {
        let log = MasterERNLog(file: document.name)
        let root = ERNNode(element: document.root, path: document.root.name)
        let release: Release?
        switch version {
        case .ern43: release = ERN43Mapper(root: root, log: log).map()
        case .ern382: release = ERN382Mapper(root: root, log: log).map()
        }
        // XML 1.0 already refuses NUL and most C0 characters; DEL, C1 and line breaks inside a title remain.
        for (path, value) in release?.textFields ?? [] {
            if let problem = TextRules.problem(value, field: path, at: "\(document.name): \(path)") { log.add(problem) }
        }
        return MetadataReadResult(release: release, problems: log.problems)
    }
}
