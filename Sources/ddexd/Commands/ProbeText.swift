import Delivery
import Foundation
import SFTP

/// `ddexd check-config --probe` as a person reads it.
enum ProbeText {
    static func render(_ probe: TransportProbe) -> String {
        let server = probe.server, algorithms = server.algorithms
        func pair(_ out: String, _ back: String) -> String { out == back ? out : "\(out) (back: \(back))" }
        var lines = [
            "probe \(probe.target)",
            "  server       \(server.banner)",
            "  host key     \(server.hostKey), pinned by \(probe.knownHosts)",
            "  algorithms   key exchange \(algorithms.keyExchange), host key \(algorithms.hostKey), cipher "
                + pair(algorithms.cipherClientToServer, algorithms.cipherServerToClient) + ", MAC "
                + pair(algorithms.macClientToServer, algorithms.macServerToClient) + ", compression "
                + pair(algorithms.compressionClientToServer, algorithms.compressionServerToClient),
            "  SFTP         version \(server.sftpVersion); extensions: "
                + (server.extensions.isEmpty ? "none" : server.extensions.map { extensionText($0) }.joined(separator: ", ")),
        ]
        if let limits = server.limits {
            lines.append("  limits       packet \(limits.maximumPacket), read \(limits.maximumRead), write "
                + "\(limits.maximumWrite), open handles \(limits.maximumOpenHandles) bytes/handles (limits@openssh.com)")
        } else {
            lines.append("  limits       not announced: requests of \(server.writeRequestSize) bytes, which every server takes")
        }
        lines += [
            "  in flight    window \(server.window) bytes; write requests of \(server.writeRequestSize) bytes, as many "
                + "as the window takes; read requests of \(server.readRequestSize) bytes",
            "  placement    \(server.placement.guarantee)",
            "  fsync        " + (server.offers("fsync@openssh.com")
                ? "fsync@openssh.com: each file is flushed to the server's disk before it is closed and linked"
                : "not offered: files are linked once closed"),
            "  resume       \(probe.resume)",
            "  drop box     \(probe.dropBox): \(probe.entries.count) entr\(probe.entries.count == 1 ? "y" : "ies")"
                + (probe.entries.isEmpty ? "" : " (" + probe.entries.prefix(10).joined(separator: ", ")
                    + (probe.entries.count > 10 ? ", …" : "") + ")"),
        ]
        if let available = probe.availableBytes, let total = probe.totalBytes {
            lines.append(String(format: "  free space   %.1f GiB of %.1f GiB (statvfs@openssh.com)",
                                Double(available) / 1_073_741_824, Double(total) / 1_073_741_824))
        }
        lines.append("Nothing was written on the server.")
        return lines.joined(separator: "\n")
    }

    private static func extensionText(_ item: SFTPServerProfile.Extension) -> String {
        let printable = item.data.allSatisfy { $0.isASCII && !$0.isNewline && ($0.isLetter || $0.isNumber || $0 == "." || $0 == ",") }
        return printable && !item.data.isEmpty && item.data.count <= 16 ? "\(item.name) \(item.data)" : item.name
    }
}
