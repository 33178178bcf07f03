/// Shared wording of ddexd's XML safety rules.
enum XMLSafety {
    static let doctypeMessage =
        "the document has a DOCTYPE; ddexd refuses DTDs and entity declarations (they enable external entity and entity-expansion attacks, and DDEX messages never need them)"
}
