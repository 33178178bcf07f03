/// Classic hostile XML documents.
enum HostileXML {
    /// Ten levels of ten-fold entity expansion: 10^9 "lol"s if a parser expands them.
    static let billionLaughs: String = {
        var s = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        for i in 1...9 {
            let previous = i == 1 ? "lol" : "lol\(i - 1)"
            s += " <!ENTITY lol\(i) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        s += "]>\n<lolz>&lol9;</lolz>\n"
        return s
    }()

    /// An external entity pointing at a local file (`file://…`).
    static func xxe(fileURL: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE foo [ <!ENTITY xxe SYSTEM "\(fileURL)"> ]>
        <foo>&xxe;</foo>
        """
    }

    /// A document that names an external DTD.
    static func externalDTD(url: String) -> String {
        """
        <?xml version="1.0"?>
        <!DOCTYPE foo SYSTEM "\(url)">
        <foo>&bar;</foo>
        """
    }
}
