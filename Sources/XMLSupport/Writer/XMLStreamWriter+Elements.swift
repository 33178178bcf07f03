extension XMLStreamWriter {
    // The one-call forms of start, content and end that the ERN writers use for most leaf elements; they need
    // nothing but the writer's public calls.

    /// `<name>text</name>`.
    public func element(_ name: String, _ value: String) {
        startElement(name)
        text(value)
        endElement()
    }

    /// `<name a="v" …>text</name>`.
    public func element(_ name: String, attributes: KeyValuePairs<String, String>, _ value: String) {
        startElement(name)
        for (k, v) in attributes { attribute(k, v) }
        text(value)
        endElement()
    }

    /// `<name>` + the decimal digits of `value` + `</name>`.
    public func element(_ name: String, _ value: Int) {
        startElement(name)
        integer(value)
        endElement()
    }
}
