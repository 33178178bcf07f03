import Foundation

/// Writes a valid single-file DSR (dsrf 1.1 BasicAudioProfile) of about `lines` lines, fast: one summary, then
/// blocks of a release, a resource and 98 sales lines of one stream each, then the FOOT. For tests and
/// benchmarks that need a report of millions of lines without the Python generator.
public enum SyntheticDSRReport {
    /// The report's file name (`DSR_<recipient>_<sender>_<service>_<period>_<territory>_1of1_<created>.tsv`).
    public static let fileName = "DSR_PADPIDA2019071502R_PADPIDA1314952773X_SpotifyPremium_2020-06-01--2020-06-30_multi_1of1_20200703T075930.tsv"
    /// Its semaphore, which tells a poller the report is complete.
    public static let semaphoreName = "DSR_PADPIDA2019071502R_PADPIDA1314952773X_SpotifyPremium_2020-06-01--2020-06-30_multi_20200703T075930.ctrl"

    /// Writes the report into `folder`; returns its path and its exact line count.
    @discardableResult
    public static func write(lines: Int, into folder: String) throws -> (path: String, lines: Int) {
        let linesPerBlock = 100
        let blocks = max(1, (lines - 4) / linesPerBlock)
        let salesPerBlock = linesPerBlock - 2
        let path = folder + "/" + fileName
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = Data()
        buffer.reserveCapacity(1 << 22)
        func flush(force: Bool = false) throws {
            guard force || buffer.count > 1 << 22 else { return }
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        func line(_ text: String) { buffer.append(contentsOf: Array(text.utf8)); buffer.append(0x0A) }
        let usages = blocks * salesPerBlock
        line("HEAD\tdsrf/1.1/1.4.1/1.3\tBasicAudioProfile\t1.3\t3654435761\t2020-07-03T07:59:30Z\t1\t1\t2020-06-01\t2020-06-30\tPADPIDA1314952773X\tSpotify\tSpotifyPremium\tPADPIDA2019071502R\tExample Music Ltd.\t")
        line("SY01.02\tS1\tSpotifyPremium\tPADPIDA1314952773X\tSubscriptionModel\t\tGB\tSpotifyPremium\t\(usages)\t742043\tGBP\t\(usages / 100).00\t0.00\tGBP\t1.00")
        let sales = Array((0..<salesPerBlock).map { n in
            "\tS1\t1T000LGACYJ20000000000\(String(format: "%05d", n))\t\tT000LGACYJ-200000000\tTRUE\t1\t\t\tOnDemandStream\n"
        }.joined().utf8)
        for block in 1...blocks {
            let id = String(block)
            line("RE01.02\t\(id)\tR1\tB000PFTYLX\t\t\t1005192837464\tThe Velvet Tigers\t\tDon't Leave the Lantern\t\tAlbum\tVelvet Records\t\"(P) 1980 Velvet Records\"\tVelvet Records\t1980-01-01")
            line("AS02.03\t\(id)\tT000LGACYJ-200000000\tT000LGACYJ\tJPFPL8003517\tMañana Falcon\t\tThe Velvet Tigers\t\tPT2M31S\tSoundRecording\t\tLeo D. Castillo\t\t\t\t\t\t\t\t\t")
            // The sales lines differ only by their block id: "SU02.02\t<id>" then the shared tail of each line.
            let prefix = Array("SU02.02\t\(id)".utf8)
            var start = 0
            for index in sales.indices where sales[index] == 0x0A {
                buffer.append(contentsOf: prefix)
                buffer.append(contentsOf: sales[start...index])
                start = index + 1
            }
            try flush()
        }
        let total = 3 + blocks * linesPerBlock
        line("FOOT\t\(total)\t\(total)\t1\t\(blocks)\t\(blocks)")
        try flush(force: true)
        return (path, total)
    }
}
