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
    /// Where BatchIds are claimed (the daemon's store), besides the bundle folders already there; nil: the folders
    /// alone, enough for one process.
    public var batchIds: (any BatchIdClaiming)?
    public var clock: @Sendable () -> MessageTimestamp
    /// Indentation of written XML (2 keeps messages readable for DSP support staff; 0 is smallest).
    public var indentWidth: Int
    /// Copy resources instead of hard-linking them (hard links are the default; copying is the automatic
    /// fallback across file systems anyway).
    public var alwaysCopyResources = false

    /// A builder for `sender`, validating against `schemas`. `messageIds` must never hand out an id twice (the
    /// daemon gives a persisted one); `clock` dates messages and batch ids (replaceable in tests).
    public init(sender: SenderSettings, schemas: ERNSchemaSet, messageIds: any MessageIdProvider = TimeRandomMessageIdProvider(),
                batchIds: (any BatchIdClaiming)? = nil, indentWidth: Int = 2,
                clock: @escaping @Sendable () -> MessageTimestamp = { MessageTimestamp.now() })
    {
        self.sender = sender
        self.schemas = schemas
        self.messageIds = messageIds
        self.batchIds = batchIds
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
        do throws(Refusal) {
            return try buildOrRefuse(validated, for: profile, into: dspFolder)
        } catch {
            return BundleResult(dsp: profile.name, bundle: nil, problems: error.problems)
        }
    }

    /// `build`'s steps in order: the checks, a free BatchId, the MessageId, the message, then the hidden
    /// folder with the resources (not for a takedown), the message and the completion file, and publication.
    private func buildOrRefuse(_ validated: ValidatedRelease, for profile: DSPProfile,
                               into dspFolder: String) throws(Refusal) -> BundleResult
    {
        let release = validated.release
        let names = try checkNames(validated, for: profile).get()
        let (layout, now) = try freeLayout(for: profile, releaseId: release.primaryId, in: dspFolder)
        // The message, with a MessageId issued only now that the DSP can take the release.
        let messageId = try nextMessageId(for: profile, at: now)
        let prepared = try prepareMessage(validated, for: profile, names: names, messageId: messageId, at: now).get()

        // Build in a hidden folder beside the target, then rename.
        let staging = try Staging.make(profile: profile, layout: layout, in: dspFolder, at: now)
        var published = false
        defer { if !published { FileOperations.removeTree(staging.folder) } }

        var files: [DeliveryBundle.File] = []
        if !release.takedown {
            files += try placeResources(validated, names: names, in: staging)
        }
        let messageDigest = try writeMessage(prepared.message, in: staging)
        files.append(DeliveryBundle.File(path: layout.messagePath, role: .message, size: messageDigest.size,
                                         md5: messageDigest.md5, sha256: messageDigest.sha256))
        var completion = DeliveryBundle.Completion.none
        if let manifestPath = layout.manifestPath {
            completion = try writeCompletion(at: manifestPath, for: prepared, release: release, messageId: messageId,
                                             messageDigest: messageDigest, in: staging)
            files.append(try completionFile(at: manifestPath, in: staging))
        }

        let bundle = DeliveryBundle(
            dsp: profile.name, choreography: profile.choreography, batchId: layout.batchId, folderName: layout.folderName,
            folder: dspFolder + "/" + layout.folderName, releaseId: release.primaryId, messageId: messageId,
            messageType: prepared.message.messageType, ernVersion: profile.ernVersion, isTakedown: release.takedown,
            isTest: profile.testMode, completion: completion, createdAt: now.iso8601, files: files, warnings: prepared.warnings)
        try publish(bundle, from: staging, into: dspFolder, published: &published)
        return BundleResult(dsp: profile.name, bundle: bundle, problems: prepared.warnings)
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
