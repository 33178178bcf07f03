import DDEXModel
import Foundation
import Media

/// The media probes, which read a resource's format from its own bytes (never its name), then hash it.
enum MediaTargets {
    static let all: [FuzzTarget] = ["flac", "wav", "jpg", "png"].map { ext in
        FuzzTarget("probe-\(ext == "jpg" ? "jpeg" : ext)", "a .\(ext) resource through the media inspector") { bytes throws(FuzzViolation) in
            let name = "resource.\(ext)"
            let url = try FuzzScratch.shared.write(bytes, as: name)
            do {
                let measured = try MediaInspector.inspect(fileAt: url, file: ResourceFile(path: "resources/" + name))
                guard measured.digest.size == UInt64(bytes.count) else {
                    throw FuzzViolation("measured \(measured.digest.size) bytes of a \(bytes.count)-byte file")
                }
            } catch let violation as FuzzViolation {
                throw violation
            } catch {
                try FuzzInvariants.checkRefusal(error, place: name)
            }
        }
    }
}
