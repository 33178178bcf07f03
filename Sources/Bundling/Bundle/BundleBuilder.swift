import DDEXConfig
import DDEXModel
import ERN
import Foundation
import XMLSupport

/// Builds per-DSP bundles on disk under `<outbound>/<dsp>/`.
///
/// For each DSP: check the profile can take the release (`DSPSuitability`), build and check the message
/// (`ERNMessageBuilder`, `ERNSemanticChecker`), then in a hidden temporary folder next to the target:
/// hard-link (or copy) the resources, stream the ERN to its file, write the BatchComplete manifest, and
/// validate every XML in-process against the official XSDs. Only when all of that succeeded is the
/// temporary folder renamed into place (atomic) and `<folder>.bundle.json` written beside it. Any failure
/// removes the temporary folder: a half-built or unvalidated bundle is never visible.
///
/// Resources are never read: their checksums and sizes come from the `ValidatedRelease` (the intake's
/// single streaming pass); only their size is checked with `stat` to catch a file changed since intake.
public struct BundleBuilder: Sendable {
    public var sender: SenderSettings
    public var schemas: ERNSchemaSet
    public var messageIds: any MessageIdProvider
    public var clock: @Sendable () -> MessageTimestamp
    /// Indentation of written XML (2 keeps messages readable for DSP support staff; 0 is smallest).
    public var indentWidth: Int
    /// Copy resources instead of hard-linking them (hard links are the default; copying is the automatic
    /// fallback across file systems anyway).
    public var alwaysCopyResources = false

    public init(sender: SenderSettings, schemas: ERNSchemaSet, messageIds: any MessageIdProvider = TimeRandomMessageIdProvider(),
                indentWidth: Int = 2, clock: @escaping @Sendable () -> MessageTimestamp = { MessageTimestamp.now() })
    {
        self.sender = sender
        self.schemas = schemas
        self.messageIds = messageIds
        self.indentWidth = indentWidth
        self.clock = clock
    }

    /// Bundles for every profile the release targets (`release.dsps`, or all given profiles when nil).
    /// A DSP that cannot take the release gets its problems; the others still get bundles.
    public func buildAll(_ validated: ValidatedRelease, profiles: [DSPProfile], outboundRoot: String) -> [BundleResult] {
        let targets = validated.release.dsps.map(Set.init)
        return profiles.filter { targets?.contains($0.name) ?? true }.map {
            build(validated, for: $0, outboundRoot: outboundRoot)
        }
    }

    /// The bundle for one DSP under `<outboundRoot>/<profile.name>/`.
    public func build(_ validated: ValidatedRelease, for profile: DSPProfile, outboundRoot: String) -> BundleResult {
        build(validated, for: profile, into: outboundRoot + "/" + profile.name)
    }

    /// The bundle for one DSP directly inside `dspFolder` (created if needed): `dspFolder/<bundle folder>`
    /// and `dspFolder/<bundle folder>.bundle.json`.
    public func build(_ validated: ValidatedRelease, for profile: DSPProfile, into dspFolder: String) -> BundleResult {
        func fail(_ problems: [Problem]) -> BundleResult { BundleResult(dsp: profile.name, bundle: nil, problems: problems) }
        let release = validated.release
        var warnings: [Problem] = []

        let names: [String: String]
        switch checkNames(validated, for: profile) {
        case .failure(let refusal): return fail(refusal.problems)
        case .success(let n): names = n
        }
        // A BatchId no existing bundle of this DSP uses (two builds in one millisecond get the next one).
        let releaseId = release.primaryId
        var now = clock()
        var layout = BundleLayout(profile: profile, releaseId: releaseId, batchId: now.compactUTC)
        while FileOperations.exists(dspFolder + "/" + layout.folderName) {
            now = now.adding(milliseconds: 1)
            layout = BundleLayout(profile: profile, releaseId: releaseId, batchId: now.compactUTC)
        }

        // The message, with a MessageId issued only now that the DSP can take the release.
        let messageId: String
        do {
            messageId = try messageIds.nextMessageId(sender: sender.dpid, at: now)
        } catch {
            return fail([.error(.bundleMessageIdFailed, at: "dsp.\(profile.name)", "no MessageId: \(error)")])
        }
        let prepared: PreparedMessage
        switch prepareMessage(validated, for: profile, names: names, messageId: messageId, at: now) {
        case .failure(let refusal): return fail(refusal.problems)
        case .success(let p): prepared = p
        }
        let message = prepared.message
        let context = prepared.context
        warnings += prepared.warnings
        let isTakedown = release.takedown

        // Build in a hidden folder beside the target, then rename.
        let temp = dspFolder + "/.building-" + layout.folderName + "-" + String(UInt32.random(in: .min ... .max), radix: 16)
        do throws(BundleIOError) {
            try FileOperations.makeDirectory(temp + "/" + layout.releaseFolder)
        } catch {
            return fail([.error(.bundleIOFailed, at: "dsp.\(profile.name)", error.description)])
        }
        var published = false
        defer { if !published { FileOperations.removeTree(temp) } }

        var files: [DeliveryBundle.File] = []
        // 1. Resources (not for a takedown): tracks in order, then the cover.
        if !isTakedown {
            do throws(BundleIOError) {
                try FileOperations.makeDirectory(temp + "/" + layout.resourcesFolder)
            } catch {
                return fail([.error(.bundleIOFailed, at: "dsp.\(profile.name)", error.description)])
            }
            let ordered = release.tracks.sorted { ($0.disc, $0.number) < ($1.disc, $1.number) }.map(\.file)
                + (release.cover.map { [$0.file] } ?? [])
            for file in ordered {
                guard let measured = validated.measured(file), let name = names[file.path] else {
                    return fail([.error(.bundleResourceChanged, at: "dsp.\(profile.name): \(file.path)", "the resource was not measured at intake")])
                }
                let source = validated.packageRoot + "/" + file.path
                guard let size = FileOperations.regularFileSize(source), size == measured.digest.size else {
                    return fail([.error(.bundleResourceChanged, at: file.path,
                                        "the file is missing or its size changed since it was validated (expected \(measured.digest.size) bytes)")])
                }
                let relative = layout.resourcesFolder + name
                do throws(BundleIOError) {
                    if alwaysCopyResources {
                        try FileOperations.copy(from: source, to: temp + "/" + relative)
                    } else {
                        _ = try FileOperations.linkOrCopy(from: source, to: temp + "/" + relative)
                    }
                } catch {
                    return fail([.error(.bundleIOFailed, at: file.path, error.description)])
                }
                files.append(DeliveryBundle.File(path: relative, role: .resource, size: measured.digest.size,
                                                 md5: measured.digest.md5, sha256: measured.digest.sha256))
            }
        }

        // 2. The release message, streamed to its file, then validated in-process.
        let writer = ERNWriter(version: profile.ernVersion, indentWidth: indentWidth)
        let messagePath = temp + "/" + layout.messagePath
        do throws(XMLWriteError) {
            try writer.write(message, toFileAt: messagePath)
        } catch {
            return fail([.error(.ernWriteFailed, at: "dsp.\(profile.name): \(layout.messagePath)", error.description)])
        }
        let messageIssues = schemas.problems(validatingFileAt: messagePath, against: { try schemas.schema(for: profile.ernVersion) },
                                             location: "dsp.\(profile.name): \(layout.messagePath)")
        guard messageIssues.isEmpty else { return fail(messageIssues) }
        let messageDigest: FileDigest
        do throws(BundleIOError) {
            messageDigest = try FileOperations.digest(ofFileAt: messagePath)
        } catch {
            return fail([.error(.bundleIOFailed, at: layout.messagePath, error.description)])
        }
        files.append(DeliveryBundle.File(path: layout.messagePath, role: .message, size: messageDigest.size,
                                         md5: messageDigest.md5, sha256: messageDigest.sha256))

        // 3. The completion file (batch only), last.
        var completion = DeliveryBundle.Completion.none
        if let manifestPath = layout.manifestPath {
            let path = temp + "/" + manifestPath
            if case .newRelease = message {
                let (algorithm, _) = ERNMessageBuilder.hashAlgorithm(for: profile)
                let manifest = ERNManifest(
                    sender: context.header.sender, recipient: context.header.recipient, createdAt: now,
                    isTest: profile.testMode, rootDirectory: layout.folderName,
                    entries: [ERNManifest.Entry(
                        messageId: messageId, url: layout.messagePath,
                        releaseId: ERNReleaseId(grid: release.grid, icpn: release.icpn, catalogNumber: release.catalogNumber,
                                                proprietaryIds: release.proprietaryIds),
                        deliveryType: isTakedown ? "TakeDown" : "NewReleaseDelivery",
                        hashSum: HashSum(algorithm: algorithm, hex: messageDigest.hex(for: algorithm)))])
                do throws(XMLWriteError) {
                    let w = try XMLStreamWriter(fileAt: path, indentWidth: indentWidth)
                    ManifestWriter().write(manifest, to: w)
                    try w.finish()
                } catch {
                    return fail([.error(.ernWriteFailed, at: "dsp.\(profile.name): \(manifestPath)", error.description)])
                }
                let issues = schemas.problems(validatingFileAt: path, against: { try schemas.choreography() },
                                              location: "dsp.\(profile.name): \(manifestPath)")
                guard issues.isEmpty else { return fail(issues) }
                completion = .manifest
            } else {
                do throws(BundleIOError) {
                    try FileOperations.writeAtomically([], to: path)
                } catch {
                    return fail([.error(.bundleIOFailed, at: manifestPath, error.description)])
                }
                completion = .zeroByteSemaphore
            }
            do throws(BundleIOError) {
                let d = try FileOperations.digest(ofFileAt: path)
                files.append(DeliveryBundle.File(path: manifestPath, role: .manifest, size: d.size, md5: d.md5, sha256: d.sha256))
            } catch {
                return fail([.error(.bundleIOFailed, at: manifestPath, error.description)])
            }
        }

        // 4. Publish: one rename, then the description beside the folder.
        let folder = dspFolder + "/" + layout.folderName
        let bundle = DeliveryBundle(
            dsp: profile.name, choreography: profile.choreography, batchId: layout.batchId, folderName: layout.folderName,
            folder: folder, releaseId: releaseId, messageId: messageId, messageType: message.messageType,
            ernVersion: profile.ernVersion, isTakedown: isTakedown, isTest: profile.testMode, completion: completion,
            createdAt: now.iso8601, files: files, warnings: warnings)
        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            json = Array(try encoder.encode(bundle))
        } catch {
            return fail([.error(.bundleIOFailed, at: bundle.descriptionPath, "cannot encode the bundle description: \(error)")])
        }
        do throws(BundleIOError) {
            guard !FileOperations.exists(folder) else {
                throw BundleIOError(path: folder, message: "a bundle with this name appeared while building")
            }
            try FileOperations.rename(temp, folder)
            published = true
            FileOperations.syncDirectory(dspFolder)
            try FileOperations.writeAtomically(json, to: bundle.descriptionPath)
        } catch {
            if published { FileOperations.removeTree(folder) }
            return fail([.error(.bundleIOFailed, at: "dsp.\(profile.name)", error.description)])
        }
        return BundleResult(dsp: profile.name, bundle: bundle, problems: warnings)
    }

    /// Removes what interrupted builds left in a DSP's outbound folder: hidden `.building-*` folders, bundle
    /// folders whose `.bundle.json` was never written (the crash came between the rename and the
    /// description), and half-written descriptions (`.<batch>.bundle.json.tmp-<pid>`). Call it at startup,
    /// before any build runs for that folder; returns what was removed.
    @discardableResult
    public static func removeInterruptedBuilds(in dspFolder: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dspFolder) else { return [] }
        let names = Set(entries)
        var removed: [String] = []
        for entry in entries.sorted() {
            let path = dspFolder + "/" + entry
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            guard isDirectory.boolValue else {
                if Self.isInterruptedDescription(entry) {
                    try? FileManager.default.removeItem(atPath: path)
                    removed.append(entry)
                }
                continue
            }
            let interrupted = entry.hasPrefix(".building-") || !names.contains(entry + ".bundle.json")
            // Only names a build could have made: a BatchId, optionally prefixed, or a release-by-release folder.
            guard interrupted, entry.hasPrefix(".building-") || Self.looksLikeBundleFolder(entry) else { continue }
            FileOperations.removeTree(path)
            removed.append(entry)
        }
        return removed
    }

    /// `.<bundle folder>.bundle.json.tmp-<pid>`: a description `writeAtomically` had not yet renamed into place.
    static func isInterruptedDescription(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: ".bundle.json.tmp-") else { return false }
        let folder = String(name[name.index(after: name.startIndex)..<range.lowerBound])
        return looksLikeBundleFolder(folder) && name[range.upperBound...].allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func looksLikeBundleFolder(_ name: String) -> Bool {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        guard let stamp = parts.last, stamp.count == 17, stamp.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return parts.count == 1 || ["P", "N", "L"].contains(parts[0])
    }
}
