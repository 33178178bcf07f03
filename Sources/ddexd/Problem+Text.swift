import DDEXModel

extension Problem {
    /// Two lines for a terminal: severity, code and location, then the sentence.
    func textLines(indent: String = "") -> String {
        "\(indent)\(severity == .error ? "error  " : "warning") \(code)  \(location)\n\(indent)        \(message)\n"
    }
}
