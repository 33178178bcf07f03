import DDEXModel

/// Collects every problem of one master ERN, located as `file:line: element path`.
final class MasterERNLog {
    let file: String
    private(set) var problems: [Problem] = []

    init(file: String) {
        self.file = file
    }

    func location(_ node: ERNNode) -> String {
        "\(file):\(node.line): \(node.path)"
    }

    func error(_ code: ProblemCode, _ node: ERNNode, _ message: String) {
        problems.append(.error(code, at: location(node), message))
    }

    func warning(_ code: ProblemCode, _ node: ERNNode, _ message: String) {
        problems.append(.warning(code, at: location(node), message))
    }

    func add(_ problem: Problem) {
        problems.append(problem)
    }

    /// Reports `name` missing inside `parent`.
    func missing(_ name: String, in parent: ERNNode, _ why: String = "") {
        error(.masterERNMissing, parent, "\(name) is missing" + (why.isEmpty ? "" : ": " + why))
    }

    /// Validates a node's text with a model type; logs the model's problem and returns nil when invalid.
    func validated<T>(_ node: ERNNode?, _ make: (String) throws(IdentifierError) -> T,
                      severity: Severity = .error) -> T?
    {
        guard let node else { return nil }
        do {
            return try make(node.text)
        } catch {
            problems.append(error.problem(at: location(node), severity: severity))
            return nil
        }
    }

    /// Checks a DDEX code against its allowed-value set (`UserDefined` is in every set).
    @discardableResult
    func allowed(_ node: ERNNode, in values: Set<String>, _ what: String, severity: Severity = .error) -> Bool {
        guard values.contains(node.text) else {
            problems.append(Problem(.valueNotAllowed, severity, at: location(node),
                                    "'\(node.text)' is not a DDEX \(what)"))
            return false
        }
        return true
    }
}

extension MasterERNLog {
    /// Resources by their `ResourceReference` (both ERN versions), logging a missing or duplicated reference.
    func indexByResourceReference(_ nodes: [ERNNode]) -> [String: ERNNode] {
        var byReference: [String: ERNNode] = [:]
        for node in nodes {
            guard let reference = node.text("ResourceReference") else {
                missing("ResourceReference", in: node)
                continue
            }
            if byReference[reference] != nil {
                error(.masterERNReferenceUnknown, node, "ResourceReference '\(reference)' is used twice")
            }
            byReference[reference] = node
        }
        return byReference
    }
}
