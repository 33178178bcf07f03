@testable import Ledger
import XCTest

/// The byte-keyed tables of a statement run: ids dense and stable, keys found from bytes, growth, and a
/// breakdown table that sums equal keys and keeps different ones apart.
final class ByteTableTests: XCTestCase {
    func testIdsAreDenseStableAndFoundFromBytes() {
        var table = ByteTable()
        var keys: [String] = []
        for i in 0..<5_000 { keys.append(i % 7 == 0 ? "" : "GBAAA26\(String(format: "%05d", i))" + String(repeating: "x", count: i % 19)) }
        var ids: [String: Int32] = [:]
        for key in keys {
            let id = table.id(key)
            if let known = ids[key] { XCTAssertEqual(id, known, key) } else { XCTAssertEqual(Int(id), ids.count, "ids are dense"); ids[key] = id }
        }
        XCTAssertEqual(table.count, ids.count)
        for (key, id) in ids {
            var bytes = key
            XCTAssertEqual(bytes.withUTF8 { table.find($0) }, id)
            XCTAssertEqual(table.name(id), key)
        }
        var missing = "GBAAA2699999"
        XCTAssertNil(missing.withUTF8 { table.find($0) })
        XCTAssertEqual(table.names, ids.sorted { $0.value < $1.value }.map(\.key))
    }

    func testBreakdownTableSumsEqualKeysOnly() {
        var table = BreakdownTable()
        var expected: [[Int32]: Int64] = [:]
        for i in 0..<20_000 {
            let k = [Int32(i % 13), Int32(i % 3), Int32(i % 5), Int32(i % 17), Int32(i % 11), Int32(i % 2)]
            table.add(BreakdownTable.Key(payee: k[0], dsp: k[1], territory: k[2], release: k[3], track: k[4], useType: k[5]),
                      usages: 1, commission: 2, net: Int64(i))
            expected[k, default: 0] += Int64(i)
        }
        let entries = table.takeEntries()
        XCTAssertEqual(entries.count, expected.count)
        for e in entries {
            let k = [e.key.payee, e.key.dsp, e.key.territory, e.key.release, e.key.track, e.key.useType]
            XCTAssertEqual(e.net, expected[k])
            XCTAssertEqual(e.commission, 2 * e.usages)
        }
    }
}
