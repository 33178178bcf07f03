import ERN
import Foundation

/// DSP acknowledgements, as the ack poller reads a downloaded file. One reader serves the three
/// generations (chosen by root element and namespace); each target starts from its own generation's seeds.
enum AcknowledgementTargets {
    static let all = [
        ("ack-ern-c-sftp18", "an ERN-C SFTP 1.8 AcknowledgementMessage"),
        ("ack-echo17", "an ECHO 1.7 ErnAcknowledgementStatusMessage"),
        ("ack-ern-c", "an ERN-C 1.4/1.6 FtpAcknowledgementMessage"),
    ].map { name, summary in
        FuzzTarget(name, summary) { bytes throws(FuzzViolation) in
            let fileName = "ACK_MSG-0001_20261121100500000.xml"
            let url = try FuzzScratch.shared.write(bytes, as: fileName)
            do {
                let ack = try AcknowledgementReader.read(fileAt: url.path, name: fileName)
                _ = ack.entries.count
            } catch {
                try FuzzInvariants.checkRefusal(error, place: fileName)
            }
        }
    }
}
