/// A file named by the package, relative to the package root, with the hash the metadata declares (if any).
public struct ResourceFile: Sendable, Hashable, Codable {
    /// Relative path inside the package, `/`-separated, never absolute, never containing `..`.
    public var path: String
    /// A HashSum the master ERN gave for the file; the file must match it.
    public var declaredHash: HashSum?

    public init(path: String, declaredHash: HashSum? = nil) {
        self.path = path
        self.declaredHash = declaredHash
    }

    /// The last path component.
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// The lower-cased extension without the dot, `flac` for `resources/01.FLAC`.
    public var fileExtension: String {
        guard let dot = fileName.lastIndex(of: ".") else { return "" }
        return fileName[fileName.index(after: dot)...].lowercased()
    }
}

/// An image resource of the release, normally the front cover.
public struct ImageResource: Sendable, Hashable, Codable {
    /// A DDEX ImageType, `FrontCoverImage` for the cover.
    public var type: String
    public var file: ResourceFile

    public init(type: String = "FrontCoverImage", file: ResourceFile) {
        self.type = type
        self.file = file
    }
}

/// A hash algorithm ddexd computes and writes.
public enum HashAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    case md5 = "MD5"
    case sha256 = "SHA-256"
}

/// A checksum as DDEX HashSum carries it: algorithm and lower-case hex value.
public struct HashSum: Sendable, Hashable, Codable {
    public var algorithm: HashAlgorithm
    public var hex: String

    public init(algorithm: HashAlgorithm, hex: String) {
        self.algorithm = algorithm
        self.hex = hex.lowercased()
    }
}

/// Size and checksums of a file, from one streaming pass over it.
public struct FileDigest: Sendable, Hashable, Codable {
    public var size: UInt64
    public var md5: String
    public var sha256: String

    public init(size: UInt64, md5: String, sha256: String) {
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
    }

    /// The digest in lowercase hex for `algorithm` (both were computed in the same read).
    public func hex(for algorithm: HashAlgorithm) -> String {
        switch algorithm {
        case .md5: md5
        case .sha256: sha256
        }
    }
}

/// What a probe read from an audio file's headers.
public struct AudioDetails: Sendable, Hashable, Codable {
    /// The audio encodings ddexd delivers, named as DDEX's AudioCodecType writes them (WAV files carry PCM).
    public enum Codec: String, Sendable, Hashable, Codable {
        case flac = "FLAC"
        case pcm = "PCM"
    }

    public var codec: Codec
    /// `FLAC`, or `WAV`; the container DDEX calls ContainerFormat.
    public var container: String
    public var sampleRate: UInt32
    public var bitsPerSample: UInt16
    public var channels: UInt16
    public var totalSamples: UInt64
    public var duration: ISODuration
    /// WAV only: the fmt chunk's format tag (1 = PCM, 0xFFFE = EXTENSIBLE).
    public var wavFormatTag: UInt16?
    /// FLAC only: the STREAMINFO MD5 signature of the decoded audio (hex; all zeros when the encoder left it unset).
    public var flacAudioMD5: String?
    /// WAV only: bytes in the file after the data chunk (other chunks or junk). Some DSPs refuse any (Spotify).
    public var bytesAfterData: UInt64?

    public init(codec: Codec, container: String, sampleRate: UInt32, bitsPerSample: UInt16, channels: UInt16,
                totalSamples: UInt64, duration: ISODuration, wavFormatTag: UInt16? = nil, flacAudioMD5: String? = nil,
                bytesAfterData: UInt64? = nil)
    {
        self.codec = codec
        self.container = container
        self.sampleRate = sampleRate
        self.bitsPerSample = bitsPerSample
        self.channels = channels
        self.totalSamples = totalSamples
        self.duration = duration
        self.wavFormatTag = wavFormatTag
        self.flacAudioMD5 = flacAudioMD5
        self.bytesAfterData = bytesAfterData
    }
}

/// What a probe read from an image file's headers.
public struct ImageDetails: Sendable, Hashable, Codable {
    /// The image formats ddexd delivers, named as DDEX's ImageCodecType writes them.
    public enum Codec: String, Sendable, Hashable, Codable {
        case jpeg = "JPEG"
        case png = "PNG"
    }

    public var codec: Codec
    public var width: UInt32
    public var height: UInt32
    /// Colour components: 1 grey, 3 RGB/YCbCr, 4 CMYK (JPEG); for PNG, derived from the colour type.
    public var components: UInt8
    public var bitDepth: UInt8

    public init(codec: Codec, width: UInt32, height: UInt32, components: UInt8, bitDepth: UInt8) {
        self.codec = codec
        self.width = width
        self.height = height
        self.components = components
        self.bitDepth = bitDepth
    }
}

/// A resource file as measured on disk: what it really is, its size and checksums.
public struct MeasuredResource: Sendable, Hashable, Codable {
    /// What the bytes turned out to be, with what the probe read: a track's audio or the cover image.
    public enum Kind: Sendable, Hashable, Codable {
        case audio(AudioDetails)
        case image(ImageDetails)
    }

    public var file: ResourceFile
    public var kind: Kind
    public var digest: FileDigest

    public init(file: ResourceFile, kind: Kind, digest: FileDigest) {
        self.file = file
        self.kind = kind
        self.digest = digest
    }

    public var audio: AudioDetails? { if case .audio(let a) = kind { a } else { nil } }
    public var image: ImageDetails? { if case .image(let i) = kind { i } else { nil } }
}

/// A release that passed validation, with every resource measured: what the ERN writers and bundler consume.
public struct ValidatedRelease: Sendable, Hashable, Codable {
    public var release: Release
    /// Measured resources keyed by their package-relative path.
    public var resources: [String: MeasuredResource]
    /// Absolute path of the package folder the resource paths are relative to.
    public var packageRoot: String
    /// Warnings found while validating (errors would have stopped the release).
    public var warnings: [Problem]

    public init(release: Release, resources: [String: MeasuredResource], packageRoot: String, warnings: [Problem] = []) {
        self.release = release
        self.resources = resources
        self.packageRoot = packageRoot
        self.warnings = warnings
    }

    /// What intake measured for `file` (by package path); nil for a file intake did not measure.
    public func measured(_ file: ResourceFile) -> MeasuredResource? { resources[file.path] }
}
