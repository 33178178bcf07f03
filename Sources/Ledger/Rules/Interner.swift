/// Maps strings to dense Int32 ids so hot loops key dictionaries by integers.
struct Interner {
    private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]

    mutating func id(_ name: String) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        ids[name] = id
        names.append(name)
        return id
    }

    func existing(_ name: String) -> Int32? { ids[name] }

    subscript(id: Int32) -> String { names[Int(id)] }

    var count: Int { names.count }
}
