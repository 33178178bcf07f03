import DDEXModel

extension MasterERNFields {
    /// Roles a master ERN may give a contributor: ERN 4.3 `Contributor/Role` is the AVS `ContributorRole`
    /// set, that is `ResourceContributorRole` (in the model) plus `MusicalWorkContributorRole` (below,
    /// copied from `ddex/xsd/ern43/allowed-value-sets.xsd`, AVS 3). ERN 3.8.2 splits them into
    /// `ResourceContributorRole` and `IndirectResourceContributorRole`.
    static let contributorRoles: Set<String> = AllowedValues.resourceContributorRoles.union([
        "Adapter", "Architect", "Arranger", "Author", "AuthorInQuotations", "AuthorOfAfterword", "Compiler",
        "Composer", "ComposerLyricist", "Conceptor", "Creator", "DialogueAuthor", "Dissertant", "Engraver",
        "Etcher", "Journalist", "LandscapeArchitect", "Librettist", "Lithographer", "Lyricist",
        "MetalEngraver", "NonLyricAuthor", "PlateMaker", "Playwright", "Reporter", "Reviewer", "Rubricator",
        "ScreenplayAuthor", "Sculptor", "SubArranger", "SubLyricist", "Translator", "Woodcutter",
        "WoodEngraver", "WriterOfAccompanyingMaterial", "BookPublisher", "CopyrightClaimant",
        "CopyrightHolder", "MusicPublisher", "NewspaperPublisher", "OriginalPublisher", "PeriodicalPublisher",
        "SubPublisher", "SubstitutedPublisher", "Unknown", "UserDefined",
    ])
}
