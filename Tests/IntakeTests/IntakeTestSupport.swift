import DDEXConfig
import DDEXModel
import ERN
import Foundation
@testable import Intake
import TestSupport
import XCTest

enum IntakeFixtures {
    static var packages: URL { RepositoryPaths.fixtures.appendingPathComponent("packages") }
    static var hostile: URL { RepositoryPaths.fixtures.appendingPathComponent("hostile") }
    static var album: URL { packages.appendingPathComponent("album-flac") }
    /// The official XSDs, compiled once for every test of the target.
    static let schemas = ERNSchemaSet(settings: SchemaSettings(folder: RepositoryPaths.xsd.path))
    /// A validator with the default limits.
    static var validator: PackageValidator { PackageValidator(schemas: schemas) }
    static var single: URL { packages.appendingPathComponent("single-wav") }

    /// The album's release.json as a mutable dictionary.
    static func albumJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: album.appendingPathComponent("release.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func bytes(_ object: [String: Any]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
    }

    /// Copies a fixture package into a temporary folder (so a test may change it) and returns the copy.
    static func copy(_ package: URL, into dir: TemporaryDirectory, as name: String = "pkg") throws -> URL {
        let target = dir.url.appendingPathComponent(name)
        try FileManager.default.copyItem(at: package, to: target)
        return target
    }

    /// Every entry under `folder` (not following links) with its type, size and modification time.
    static func snapshot(_ folder: URL) -> [String] {
        var out: [String] = []
        var stack = [""]
        while let rel = stack.popLast() {
            let abs = rel.isEmpty ? folder.path : folder.path + "/" + rel
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: abs)) ?? []).sorted() {
                let r = rel.isEmpty ? name : rel + "/" + name
                var st = stat()
                guard lstat(abs + "/" + name, &st) == 0 else { continue }
                out.append("\(r) mode=\(st.st_mode) size=\(st.st_size) mtime=\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)")
                if st.st_mode & S_IFMT == S_IFDIR { stack.append(r) }
            }
        }
        return out.sorted()
    }
}

extension Array where Element == Problem {
    func codes() -> [ProblemCode] { map(\.code) }

    func with(_ code: ProblemCode) -> [Problem] { filter { $0.code == code } }
}

func XCTAssertHasProblem(_ problems: [Problem], _ code: ProblemCode, severity: Severity = .error, locationContains: String? = nil,
                         file: StaticString = #filePath, line: UInt = #line)
{
    let matching = problems.filter { $0.code == code && $0.severity == severity && (locationContains.map($0.location.contains) ?? true) }
    XCTAssertFalse(matching.isEmpty, "expected \(severity) \(code)\(locationContains.map { " at …\($0)…" } ?? ""); got:\n" + problems.map(\.description).joined(separator: "\n"), file: file, line: line)
}
