import DDEXConfig
import DDEXModel
import ERN
import Foundation
import XMLSupport

extension BundleBuilder {
    /// The hidden folder a bundle is built in, beside its final place, with what every step writes by.
    struct Staging {
        var profile: DSPProfile
        var layout: BundleLayout
        /// `<dspFolder>/.building-<bundle folder>-<random hex>`.
        var folder: String
        var now: MessageTimestamp

        /// Where problems of this DSP's build are located.
        var location: String { "dsp.\(profile.name)" }

        /// Creates the hidden folder with the release folder inside it.
        static func make(profile: DSPProfile, layout: BundleLayout, in dspFolder: String,
                         at now: MessageTimestamp) throws(Refusal) -> Staging
        {
            let folder = dspFolder + "/.building-" + layout.folderName + "-" + String(UInt32.random(in: .min ... .max), radix: 16)
            let staging = Staging(profile: profile, layout: layout, folder: folder, now: now)
            do throws(BundleIOError) {
                try FileOperations.makeDirectory(folder + "/" + layout.releaseFolder)
            } catch {
                throw Refusal(problems: [.error(.bundleIOFailed, at: staging.location, error.description)])
            }
            return staging
        }
    }

    /// A BatchId no existing bundle of this DSP uses and `batchIds` lets this build claim (two builds in one
    /// millisecond, on one machine or on two instances, get different ones), and the moment it stands for.
    func freeLayout(for profile: DSPProfile, releaseId: String, in dspFolder: String) throws(Refusal) -> (BundleLayout, MessageTimestamp) {
        var now = clock()
        var layout = BundleLayout(profile: profile, releaseId: releaseId, batchId: now.compactUTC)
        while true {
            if !FileOperations.exists(dspFolder + "/" + layout.folderName), try claim(layout.batchId, for: profile) {
                return (layout, now)
            }
            now = now.adding(milliseconds: 1)
            layout = BundleLayout(profile: profile, releaseId: releaseId, batchId: now.compactUTC)
        }
    }

    private func claim(_ batchId: String, for profile: DSPProfile) throws(Refusal) -> Bool {
        guard let batchIds else { return true }
        do {
            return try batchIds.claim(dsp: profile.name, batchId: batchId)
        } catch {
            throw Refusal(problems: [.error(.bundleIOFailed, at: "dsp.\(profile.name)", "no BatchId: \(error)")])
        }
    }

    func nextMessageId(for profile: DSPProfile, at now: MessageTimestamp) throws(Refusal) -> String {
        do {
            return try messageIds.nextMessageId(sender: sender.dpid, at: now)
        } catch {
            throw Refusal(problems: [.error(.bundleMessageIdFailed, at: "dsp.\(profile.name)", "no MessageId: \(error)")])
        }
    }

    /// 1. Resources: tracks in disc and track order, then the cover, hard-linked (or copied) under their bundle
    /// names. Each must still have the size measured at intake; their digests are those of intake.
    func placeResources(_ validated: ValidatedRelease, names: [String: String],
                        in staging: Staging) throws(Refusal) -> [DeliveryBundle.File]
    {
        let release = validated.release
        let layout = staging.layout
        do throws(BundleIOError) {
            try FileOperations.makeDirectory(staging.folder + "/" + layout.resourcesFolder)
        } catch {
            throw Refusal(problems: [.error(.bundleIOFailed, at: staging.location, error.description)])
        }
        var files: [DeliveryBundle.File] = []
        let ordered = release.tracks.sorted { ($0.disc, $0.number) < ($1.disc, $1.number) }.map(\.file)
            + (release.cover.map { [$0.file] } ?? [])
        for file in ordered {
            guard let measured = validated.measured(file), let name = names[file.path] else {
                throw Refusal(problems: [.error(.bundleResourceChanged, at: "\(staging.location): \(file.path)", "the resource was not measured at intake")])
            }
            let source = validated.packageRoot + "/" + file.path
            guard let size = FileOperations.regularFileSize(source), size == measured.digest.size else {
                throw Refusal(problems: [.error(.bundleResourceChanged, at: file.path,
                                                "the file is missing or its size changed since it was validated (expected \(measured.digest.size) bytes)")])
            }
            let relative = layout.resourcesFolder + name
            do throws(BundleIOError) {
                if alwaysCopyResources {
                    try FileOperations.copy(from: source, to: staging.folder + "/" + relative)
                } else {
                    _ = try FileOperations.linkOrCopy(from: source, to: staging.folder + "/" + relative)
                }
            } catch {
                throw Refusal(problems: [.error(.bundleIOFailed, at: file.path, error.description)])
            }
            files.append(DeliveryBundle.File(path: relative, role: .resource, size: measured.digest.size,
                                             md5: measured.digest.md5, sha256: measured.digest.sha256))
        }
        return files
    }

    /// 2. The release message, streamed to its file, validated in-process against the profile's ERN schema,
    /// then digested.
    func writeMessage(_ message: ERNMessage, in staging: Staging) throws(Refusal) -> FileDigest {
        let profile = staging.profile
        let layout = staging.layout
        let writer = ERNWriter(version: profile.ernVersion, indentWidth: indentWidth)
        let messagePath = staging.folder + "/" + layout.messagePath
        do throws(XMLWriteError) {
            try writer.write(message, toFileAt: messagePath)
        } catch {
            throw Refusal(problems: [.error(.ernWriteFailed, at: "\(staging.location): \(layout.messagePath)", error.description)])
        }
        let messageIssues = schemas.problems(validatingFileAt: messagePath, against: { try schemas.schema(for: profile.ernVersion) },
                                             location: "\(staging.location): \(layout.messagePath)")
        guard messageIssues.isEmpty else { throw Refusal(problems: messageIssues) }
        do throws(BundleIOError) {
            return try FileOperations.digest(ofFileAt: messagePath)
        } catch {
            throw Refusal(problems: [.error(.bundleIOFailed, at: layout.messagePath, error.description)])
        }
    }

    /// 3. The completion file (batch only), last: a ManifestMessage for a NewReleaseMessage (validated against
    /// the choreography schema), else a zero-byte semaphore.
    func writeCompletion(at manifestPath: String, for prepared: PreparedMessage, release: Release, messageId: String,
                         messageDigest: FileDigest, in staging: Staging) throws(Refusal) -> DeliveryBundle.Completion
    {
        let path = staging.folder + "/" + manifestPath
        guard case .newRelease = prepared.message else {
            do throws(BundleIOError) {
                try FileOperations.writeAtomically([], to: path)
            } catch {
                throw Refusal(problems: [.error(.bundleIOFailed, at: manifestPath, error.description)])
            }
            return .zeroByteSemaphore
        }
        let profile = staging.profile
        let layout = staging.layout
        let (algorithm, _) = ERNMessageBuilder.hashAlgorithm(for: profile)
        let manifest = ERNManifest(
            sender: prepared.context.header.sender, recipient: prepared.context.header.recipient, createdAt: staging.now,
            isTest: profile.testMode, rootDirectory: layout.folderName,
            entries: [ERNManifest.Entry(
                messageId: messageId, url: layout.messagePath,
                releaseId: ERNReleaseId(grid: release.grid, icpn: release.icpn, catalogNumber: release.catalogNumber,
                                        proprietaryIds: release.proprietaryIds),
                deliveryType: release.takedown ? "TakeDown" : "NewReleaseDelivery",
                hashSum: HashSum(algorithm: algorithm, hex: messageDigest.hex(for: algorithm)))])
        do throws(XMLWriteError) {
            let w = try XMLStreamWriter(fileAt: path, indentWidth: indentWidth)
            ManifestWriter().write(manifest, to: w)
            try w.finish()
        } catch {
            throw Refusal(problems: [.error(.ernWriteFailed, at: "\(staging.location): \(manifestPath)", error.description)])
        }
        let issues = schemas.problems(validatingFileAt: path, against: { try schemas.choreography() },
                                      location: "\(staging.location): \(manifestPath)")
        guard issues.isEmpty else { throw Refusal(problems: issues) }
        return .manifest
    }

    /// The completion file's entry in the bundle description.
    func completionFile(at manifestPath: String, in staging: Staging) throws(Refusal) -> DeliveryBundle.File {
        do throws(BundleIOError) {
            let d = try FileOperations.digest(ofFileAt: staging.folder + "/" + manifestPath)
            return DeliveryBundle.File(path: manifestPath, role: .manifest, size: d.size, md5: d.md5, sha256: d.sha256)
        } catch {
            throw Refusal(problems: [.error(.bundleIOFailed, at: manifestPath, error.description)])
        }
    }

    /// 4. Publish: one rename of the hidden folder into place, then the description beside the folder.
    /// `published` turns true with the rename; a failure after it removes the published folder again.
    func publish(_ bundle: DeliveryBundle, from staging: Staging, into dspFolder: String,
                 published: inout Bool) throws(Refusal)
    {
        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            json = Array(try encoder.encode(bundle))
        } catch {
            throw Refusal(problems: [.error(.bundleIOFailed, at: bundle.descriptionPath, "cannot encode the bundle description: \(error)")])
        }
        let folder = bundle.folder
        do throws(BundleIOError) {
            guard !FileOperations.exists(folder) else {
                throw BundleIOError(path: folder, message: "a bundle with this name appeared while building")
            }
            try FileOperations.rename(staging.folder, folder)
            published = true
            FileOperations.syncDirectory(dspFolder)
            try FileOperations.writeAtomically(json, to: bundle.descriptionPath)
        } catch {
            if published { FileOperations.removeTree(folder) }
            throw Refusal(problems: [.error(.bundleIOFailed, at: staging.location, error.description)])
        }
    }
}
