import Bundling
import Store

extension NewDelivery {
    /// What to queue for a built bundle: its files in upload order, each at `<bundle folder>/<path>` on the server.
    public init(bundle: DeliveryBundle, packageId: String) {
        var seq = 0
        let ordered = bundle.files.filter { $0.role == .resource } + bundle.files.filter { $0.role == .message }
            + bundle.files.filter { $0.role == .manifest }
        let files = ordered.map { file -> DeliveryFile in
            defer { seq += 1 }
            let role: DeliveryFile.Role = switch file.role {
            case .resource: .resource
            case .message: .message
            case .manifest: .completion
            }
            return DeliveryFile(seq: seq, role: role, localPath: bundle.folder + "/" + file.path,
                                remotePath: bundle.folderName + "/" + file.path, size: file.size)
        }
        self.init(packageId: packageId, dsp: bundle.dsp, releaseId: bundle.releaseId,
                  kind: bundle.isTakedown ? .takedown : .newRelease, batchId: bundle.batchId, messageId: bundle.messageId,
                  bundlePath: bundle.folder, remoteFolder: bundle.folderName, files: files)
    }
}
