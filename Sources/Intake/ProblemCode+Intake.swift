import DDEXModel

extension ProblemCode {
    // Package layout.
    /// The package path does not exist or is neither a folder nor a `.zip`.
    public static let packageNotFound: ProblemCode = "PACKAGE_NOT_FOUND"
    /// A folder package without `READY` at its top level (warning from `validate`; the daemon never picks it up).
    public static let packageNotReady: ProblemCode = "PACKAGE_NOT_READY"
    /// No metadata file (`release.json` or one `*.xml`) at the package's top level.
    public static let metadataMissing: ProblemCode = "METADATA_MISSING"
    /// More than one metadata file at the top level.
    public static let metadataAmbiguous: ProblemCode = "METADATA_AMBIGUOUS"
    /// A metadata file no registered reader handles.
    public static let metadataUnsupported: ProblemCode = "METADATA_UNSUPPORTED"
    /// The metadata file is larger than `intake.max_metadata_bytes`.
    public static let metadataTooLarge: ProblemCode = "METADATA_TOO_LARGE"
    /// The metadata file cannot be read.
    public static let metadataUnreadable: ProblemCode = "METADATA_UNREADABLE"

    // release.json syntax.
    public static let jsonEmpty: ProblemCode = "JSON_EMPTY"
    public static let jsonNotUTF8: ProblemCode = "JSON_NOT_UTF8"
    public static let jsonSyntax: ProblemCode = "JSON_SYNTAX"
    /// A field has the wrong JSON type (a number where a string belongs, …).
    public static let jsonType: ProblemCode = "JSON_TYPE"
    public static let jsonDuplicateKey: ProblemCode = "JSON_DUPLICATE_KEY"
    /// A field ddexd does not know (often a typo); warning.
    public static let jsonUnknownField: ProblemCode = "JSON_UNKNOWN_FIELD"

    // release.json content.
    public static let fieldRequired: ProblemCode = "FIELD_REQUIRED"
    /// A number outside its allowed range (track number 0, share of 12000 bp, year 20).
    public static let valueOutOfRange: ProblemCode = "VALUE_OUT_OF_RANGE"
    /// Neither an ICPN nor a GRid identifies the release.
    public static let releaseIdMissing: ProblemCode = "RELEASE_ID_MISSING"
    public static let isrcDuplicate: ProblemCode = "ISRC_DUPLICATE"
    public static let trackNumberDuplicate: ProblemCode = "TRACK_NUMBER_DUPLICATE"
    /// Track numbers on a disc do not run 1, 2, 3, … (warning).
    public static let trackNumberGap: ProblemCode = "TRACK_NUMBER_GAP"
    /// The release has no deal and is not a takedown.
    public static let dealsMissing: ProblemCode = "DEALS_MISSING"
    /// A deal ends before it starts.
    public static let dealPeriodInvalid: ProblemCode = "DEAL_PERIOD_INVALID"
    /// A deal names a track (ISRC) the release does not have.
    public static let dealTrackUnknown: ProblemCode = "DEAL_TRACK_UNKNOWN"
    /// A deal lists a territory both as included and as excluded.
    public static let dealTerritoryConflict: ProblemCode = "DEAL_TERRITORY_CONFLICT"
    /// The release has no cover image (warning; DSP profiles may require one).
    public static let coverMissing: ProblemCode = "COVER_MISSING"

    // Splits: the rules' own codes are DDEXModel's (`SplitsCSVReader`, shared with the ledger's import).
    /// `splits.csv` and `release.json` give different splits for the same track.
    public static let splitsConflict: ProblemCode = "SPLITS_CONFLICT"

    // Resource paths.
    public static let pathAbsolute: ProblemCode = "PATH_ABSOLUTE"
    public static let pathTraversal: ProblemCode = "PATH_TRAVERSAL"
    /// Empty, backslashes, NUL, or otherwise not a plain relative path.
    public static let pathInvalid: ProblemCode = "PATH_INVALID"
    /// A symbolic link on the path points outside the package.
    public static let pathSymlinkEscape: ProblemCode = "PATH_SYMLINK_ESCAPE"
    /// The path names a folder, a device, a FIFO, … rather than a regular file.
    public static let pathNotRegularFile: ProblemCode = "PATH_NOT_REGULAR_FILE"
    public static let resourceMissing: ProblemCode = "RESOURCE_MISSING"
    public static let resourceUnreadable: ProblemCode = "RESOURCE_UNREADABLE"
    /// Two tracks (or the cover and a track) name the same file.
    public static let resourceUsedTwice: ProblemCode = "RESOURCE_USED_TWICE"
    /// A file in the package that the metadata does not name (warning).
    public static let resourceUnreferenced: ProblemCode = "RESOURCE_UNREFERENCED"
    /// Two names in one folder that are the same in another Unicode normalization form (NFC and NFD).
    public static let pathUnicodeDuplicate: ProblemCode = "PATH_UNICODE_DUPLICATE"

    // Resource contents.
    /// A track file that is not audio, or a cover that is not an image.
    public static let resourceWrongKind: ProblemCode = "RESOURCE_WRONG_KIND"
    /// Declared duration differs from the measured one by more than a second (warning; the file wins).
    public static let durationMismatch: ProblemCode = "DURATION_MISMATCH"
    /// The file's digest differs from the HashSum the master ERN declares.
    public static let hashMismatch: ProblemCode = "HASH_MISMATCH"
    /// Cover smaller than 640 px on a side (warning; per-DSP limits are checked when bundling).
    public static let coverTooSmall: ProblemCode = "COVER_TOO_SMALL"
    /// Cover not square (warning).
    public static let coverNotSquare: ProblemCode = "COVER_NOT_SQUARE"

    // Zip packages.
    public static let zipUnreadable: ProblemCode = "ZIP_UNREADABLE"
    /// An entry name with `..`, an absolute path, a backslash, or a NUL.
    public static let zipUnsafeEntry: ProblemCode = "ZIP_UNSAFE_ENTRY"
    public static let zipSymlinkEntry: ProblemCode = "ZIP_SYMLINK_ENTRY"
    public static let zipDuplicateEntry: ProblemCode = "ZIP_DUPLICATE_ENTRY"
    /// Declared unpacked size above `intake.max_unpacked_bytes`.
    public static let zipTooLarge: ProblemCode = "ZIP_TOO_LARGE"
    public static let zipTooManyEntries: ProblemCode = "ZIP_TOO_MANY_ENTRIES"
    /// An entry inflates past (or stops short of) the size its headers declare; unpacking stops at once.
    public static let zipSizeMismatch: ProblemCode = "ZIP_SIZE_MISMATCH"
    /// The declared size is more than `intake.max_compression_ratio` times the compressed size.
    public static let zipRatioTooHigh: ProblemCode = "ZIP_RATIO_TOO_HIGH"
    /// The target file system has less free space than the zip declares it unpacks to.
    public static let zipNoSpace: ProblemCode = "ZIP_NO_SPACE"
    /// Unpacking stopped because the process is being terminated (nothing of it is kept).
    public static let zipInterrupted: ProblemCode = "ZIP_INTERRUPTED"
}
