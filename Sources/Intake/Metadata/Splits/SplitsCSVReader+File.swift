import DDEXModel
import Foundation

extension SplitsCSVReader {
    /// Reads a package's `splits.csv` as intake reads every metadata file (`MetadataFile`: within
    /// `intake.max_metadata_bytes`); `knownISRCs` are the release's tracks.
    public func read(fileAt url: URL, relativePath: String, knownISRCs: Set<ISRC>, maxBytes: Int) -> Result {
        switch MetadataFile.read(url, relativePath: relativePath, maxBytes: maxBytes) {
        case .problem(let problem): Result(tracks: [], problems: [problem])
        case .bytes(let bytes): read(bytes: bytes, relativePath: relativePath, knownISRCs: knownISRCs)
        }
    }
}
