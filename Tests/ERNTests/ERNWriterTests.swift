import DDEXConfig
import DDEXModel
@testable import ERN
import TestSupport
import XCTest
import XMLSupport

final class ERNWriterTests: XCTestCase {
    func testAlbumValidatesInBothVersions() throws {
        let album = try SyntheticRelease.album(trackCount: 12)
        for version in ERNVersion.allCases {
            let profile = ERNFixtures.spotify(version: version)
            let message = try ERNFixtures.message(album, profile)
            let bytes = try ERNWriter(version: version).bytes(of: message)
            try ERNFixtures.assertValid(bytes, schema: ERNFixtures.xsd(for: version))
        }
    }
}

