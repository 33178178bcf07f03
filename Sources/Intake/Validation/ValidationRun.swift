import DDEXConfig
import DDEXModel
import Foundation
import Media

/// One validation of one package folder: the steps in order, sharing the problems list.
struct ValidationRun {
    let validator: PackageValidator
    let resolver: PackagePathResolver
    let displayName: String
    private var problems: [Problem] = []
    private var measured: [String: MeasuredResource] = [:]
    private var metadataFile = ""

    init(validator: PackageValidator, resolver: PackagePathResolver, displayName: String) {
        self.validator = validator
        self.resolver = resolver
        self.displayName = displayName
    }

    private var rootURL: URL { URL(fileURLWithPath: resolver.root, isDirectory: true) }

    mutating func validate(expectReady: Bool) -> ValidationReport {
        let topLevel = ((try? FileManager.default.contentsOfDirectory(atPath: resolver.root)) ?? []).sorted()
        if expectReady, !topLevel.contains(PackageDiscovery.readyFileName) {
            problems.append(.warning(.packageNotReady, at: PackageDiscovery.readyFileName,
                                     "no READY file: the daemon will not take this package until READY is written (last)"))
        }
        guard let (metadataFile, read) = readMetadata(topLevel: topLevel) else {
            return ValidationReport(valid: false, package: displayName, problems: problems)
        }
        self.metadataFile = metadataFile
        problems += read.problems
        guard var release = read.release else {
            return ValidationReport(valid: false, package: displayName, metadataFile: metadataFile, problems: problems)
        }
        var referenced: Set<String> = [metadataFile, PackageDiscovery.readyFileName]
        if topLevel.contains(SplitsCSVReader.fileName) {
            referenced.insert(SplitsCSVReader.fileName)
            mergeSplitsCSV(into: &release)
        }
        referenced.formUnion(checkResources(of: release, unmodelled: read.unmodelledResources))
        scanPackageTree(referenced: referenced)

        let valid = !problems.hasErrors
        let summary = ReleaseSummary(release: release, measured: measured)
        let validated = valid ? ValidatedRelease(release: release, resources: measured, packageRoot: resolver.root, warnings: problems.warnings) : nil
        return ValidationReport(valid: valid, package: displayName, metadataFile: metadataFile, release: summary, problems: problems, validated: validated)
    }

    // MARK: Metadata

    /// Finds exactly one metadata file at the top level and reads it.
    private mutating func readMetadata(topLevel: [String]) -> (String, MetadataReadResult)? {
        let candidates = topLevel.filter { name in
            name == ReleaseJSONReader.fileName || (name.lowercased().hasSuffix(".xml") && !name.hasPrefix("."))
                || validator.readers.contains { $0.canRead(fileName: name) }
        }
        guard let name = candidates.first else {
            problems.append(.error(.metadataMissing, at: displayName, "no metadata file: the package needs release.json or one master ERN (*.xml) at its top level"))
            return nil
        }
        guard candidates.count == 1 else {
            problems.append(.error(.metadataAmbiguous, at: displayName, "several metadata files at the top level (\(candidates.joined(separator: ", "))); keep exactly one"))
            return nil
        }
        let file: URL
        switch resolver.resolve(name, location: name) {
        case .problem(let p):
            problems.append(p)
            return nil
        case .ok(let resolved):
            file = resolved.url
        }
        guard let reader = validator.readers.first(where: { $0.canRead(fileName: name) }) else {
            problems.append(.error(.metadataUnsupported, at: name, "no reader for this metadata file in this build (expected release.json or a DDEX NewReleaseMessage)"))
            return nil
        }
        return (name, reader.read(fileAt: file, relativePath: name, settings: validator.settings))
    }

    /// Reads `splits.csv` and puts its splits on the tracks; a track with different splits in both is a conflict.
    private mutating func mergeSplitsCSV(into release: inout Release) {
        let name = SplitsCSVReader.fileName
        let file: URL
        switch resolver.resolve(name, location: name) {
        case .problem(let p):
            problems.append(p)
            return
        case .ok(let resolved):
            file = resolved.url
        }
        let csv = SplitsCSVReader().read(fileAt: file, relativePath: name, knownISRCs: Set(release.tracks.map(\.isrc)),
                                         maxBytes: validator.settings.maxMetadataBytes)
        problems += csv.problems
        for index in release.tracks.indices {
            let track = release.tracks[index]
            guard let splits = csv.splits[track.isrc] else { continue }
            if track.splits.isEmpty {
                release.tracks[index].splits = splits
            } else if Set(track.splits) != Set(splits) {
                problems.append(.error(.splitsConflict, at: "\(name): \(track.isrc)",
                                       "splits.csv and the metadata give different splits for \(track.isrc); give them in one place"))
            }
        }
    }

    // MARK: Resources

    private enum Role {
        case cover
        case track(Int)
        case unknown

        var location: String {
            switch self {
            case .cover: "cover"
            case .track(let i): "tracks[\(i)].file"
            case .unknown: "resource"
            }
        }
    }

    /// Checks every resource the metadata names; returns their normalised paths (the referenced files).
    private mutating func checkResources(of release: Release, unmodelled: [ResourceFile]) -> Set<String> {
        var list: [(ResourceFile, Role)] = []
        if let cover = release.cover { list.append((cover.file, .cover)) }
        for (i, t) in release.tracks.enumerated() { list.append((t.file, .track(i))) }
        for f in unmodelled { list.append((f, .unknown)) }

        var firstUse: [String: String] = [:]
        var referenced: Set<String> = []
        for (file, role) in list {
            let location = file.path
            let resolved: PackagePathResolver.Resolved
            switch resolver.resolve(file.path, location: location) {
            case .problem(var p):
                p.message = "\(role.location): \(p.message)"
                problems.append(p)
                continue
            case .ok(let r):
                resolved = r
            }
            referenced.insert(resolved.normalized)
            if let other = firstUse[resolved.url.path] {
                problems.append(.error(.resourceUsedTwice, at: location, "'\(file.path)' is already used as \(other); each track and the cover need their own file"))
                continue
            }
            firstUse[resolved.url.path] = role.location
            do {
                let m = try MediaInspector.inspect(fileAt: resolved.url, file: file)
                measured[file.path] = m
                check(m, role: role, release: release, location: location)
            } catch {
                problems.append(Problem(error.problemCode, .error, at: location, "\(role.location): \(error.message)"))
            }
        }
        return referenced
    }

    /// Checks a measured file against what its role and the metadata require.
    private mutating func check(_ m: MeasuredResource, role: Role, release: Release, location: String) {
        if let declared = m.file.declaredHash {
            let actual = m.digest.hex(for: declared.algorithm)
            if actual != declared.hex {
                problems.append(.error(.hashMismatch, at: location, "the file's \(declared.algorithm.rawValue) is \(actual); the metadata declares \(declared.hex)"))
            }
        }
        switch role {
        case .cover:
            guard let image = m.image else {
                problems.append(.error(.resourceWrongKind, at: location, "the cover must be a JPEG or PNG image; the file is audio"))
                return
            }
            let minimum = validator.minimumCoverPixels
            if image.width < minimum || image.height < minimum {
                problems.append(.warning(.coverTooSmall, at: location, "the cover is \(image.width)x\(image.height) px; DSPs need at least \(minimum) px on each side"))
            }
            if image.width != image.height {
                problems.append(.warning(.coverNotSquare, at: location, "the cover is \(image.width)x\(image.height) px; DSPs expect a square image"))
            }
        case .track(let i):
            guard let audio = m.audio else {
                problems.append(.error(.resourceWrongKind, at: location, "a track must be FLAC or WAV audio; the file is an image"))
                return
            }
            if let declared = release.tracks[i].declaredDuration,
               abs(declared.milliseconds - audio.duration.milliseconds) > validator.durationTolerance.milliseconds
            {
                problems.append(.warning(.durationMismatch, at: "\(metadataFile): tracks[\(i)].duration",
                                         "the metadata says \(declared), the file lasts \(audio.duration); the file's duration is used"))
            }
        case .unknown:
            break
        }
    }

    /// Looks at every name in the package: control characters and Unicode twins are refused (whether the
    /// metadata names the file or not: a DSP or a file system may turn either into another file), and files
    /// the metadata does not name get a warning (a misspelt name shows up here and as a missing file).
    private mutating func scanPackageTree(referenced: Set<String>) {
        var stack = [""]
        var seen = 0
        var unreferenced: [String] = []
        while let folder = stack.popLast(), seen < 10_000 {
            let absolute = folder.isEmpty ? resolver.root : resolver.root + "/" + folder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: absolute) else { continue }
            // Swift compares strings by canonical equivalence: NFC and NFD spellings of a name are one key.
            var spellings: [String: String] = [:]
            for name in names.sorted() where !name.hasPrefix(".") && name != "__MACOSX" {
                seen += 1
                let relative = folder.isEmpty ? name : folder + "/" + name
                if let control = TextRules.firstControlCharacter(in: name) {
                    problems.append(.error(.pathInvalid, at: TextRules.escaped(relative),
                                           "the name holds the control character \(TextRules.codePoint(control)); file names must not hold NUL, newlines, tabs or other control characters"))
                    continue
                }
                if let twin = spellings[name] {
                    problems.append(.error(.pathUnicodeDuplicate, at: relative,
                                           "'\(name)' and '\(twin)' are the same name in two Unicode forms (composed NFC and decomposed NFD); they are duplicates: keep one"))
                    continue
                }
                spellings[name] = name
                switch PackageDiscovery.fileType(absolute + "/" + name) {
                case .directory: stack.append(relative)
                case .regular, .symlink, .other:
                    if !referenced.contains(relative) { unreferenced.append(relative) }
                case .missing: break
                }
            }
        }
        for path in unreferenced.sorted() {
            problems.append(.warning(.resourceUnreferenced, at: path, "the metadata does not name this file; it will not be delivered"))
        }
    }
}
