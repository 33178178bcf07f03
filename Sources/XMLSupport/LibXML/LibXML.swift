import CLibXML2

/// Process-wide libxml2 set-up, done once before the first parse.
///
/// libxml2 wants `xmlInitParser()` called once before threads use it, and its external entity loader is a
/// process-global hook. ddexd installs a loader that refuses every URL with a scheme other than `file`, so
/// nothing it parses (documents or the XSDs' imports) can make libxml2 open a network connection, whatever
/// options a caller (or libxml2 itself, as in its schema loader) passes.
enum LibXML {
    private static let setUp: Void = {
        xmlInitParser()
        LibXMLNetworkGuard.defaultLoader = xmlGetExternalEntityLoader()
        xmlSetExternalEntityLoader(LibXMLNetworkGuard.loader)
    }()

    /// Runs the one-time set-up (cheap after the first call).
    static func ensureInitialized() {
        _ = setUp
    }
}

enum LibXMLNetworkGuard {
    /// libxml2's own loader, saved once before ddexd's is installed and only read afterwards.
    nonisolated(unsafe) static var defaultLoader: xmlExternalEntityLoader?

    /// True when `url` names a local file: a plain path or a `file:` URL.
    static func isLocal(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return true }
        let scheme = url[..<colon]
        // A scheme is letters, digits, `+`, `-`, `.` starting with a letter; anything else is a path.
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return true }
        return scheme.lowercased() == "file"
    }

    static let loader: xmlExternalEntityLoader = { url, id, context in
        guard let url else { return nil }
        let text = String(cString: url)
        guard isLocal(text) else {
            // libxml2 then reports its own "failed to load" error; this one says why.
            DiagnosticCollector.current?.add(
                line: context.flatMap { $0.pointee.input }.map { Int($0.pointee.line) } ?? 0,
                message: "refused to fetch '\(text)': ddexd never loads schemas or entities from the network")
            return nil
        }
        return LibXMLNetworkGuard.defaultLoader?(url, id, context)
    }
}
