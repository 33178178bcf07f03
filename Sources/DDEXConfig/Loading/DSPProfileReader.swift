import DDEXModel

/// Reads one DSP profile table (`[dsp.NAME]` or a `dsps/NAME.toml` file).
enum DSPProfileReader {
    static func read(name: String, _ t: TableReader, baseFolder: String) -> DSPProfile? {
        defer { t.rejectUnknownKeys() }
        let dpid = t.parsed("recipient_dpid", required: true) { (s: String) throws(IdentifierError) in try DPID(validating: s) }
        let recipientName = t.string("recipient_name", required: true)
        let enabled = t.bool("enabled") ?? DSPProfile.Defaults.enabled
        let ern = t.choice("ern_version", default: DSPProfile.Defaults.ernVersion)
        let choreography = t.choice("choreography", default: DSPProfile.Defaults.choreography)
        let prefix = t.choice("priority_prefix", default: DSPProfile.Defaults.priorityPrefix)
        let included = territories(t, "territories") ?? DSPProfile.Defaults.territories
        let excluded = territories(t, "excluded_territories") ?? []
        let models = allowed(t, "commercial_models", AllowedValues.commercialModelTypes)
        let useTypes = allowed(t, "use_types", AllowedValues.useTypes)
        var hashes = DSPProfile.Defaults.hashAlgorithms
        if let names = t.stringArray("hash_algorithms") {
            hashes = []
            for n in names {
                guard let h = HashAlgorithm(rawValue: n) else {
                    t.report(.configInvalidValue, "hash_algorithms", "'\(n)' is not one of 'MD5', 'SHA-256'")
                    continue
                }
                hashes.append(h)
            }
            if hashes.isEmpty { t.report(.configInvalidValue, "hash_algorithms", "at least one hash algorithm is needed") }
        }
        if ern == .ern382, hashes.contains(.sha256) {
            t.report(.configInvalidValue, "hash_algorithms", "SHA-256 is not in the ERN 3.8.2 allowed values; use MD5")
        }
        let naming = t.choice("resource_naming", default: DSPProfile.Defaults.resourceNaming)
        let coverMin = t.int("cover_min_pixels", range: 1...100_000) ?? DSPProfile.Defaults.coverMinPixels
        let coverMax = t.int("cover_max_pixels", range: 1...100_000)
        if let coverMax, coverMax < coverMin { t.report(.configInvalidValue, "cover_max_pixels", "is smaller than cover_min_pixels") }
        var coverFormats = DSPProfile.Defaults.coverFormats
        if let names = t.stringArray("cover_formats") {
            coverFormats = names.compactMap { n in
                guard let c = ImageDetails.Codec(rawValue: n) else {
                    t.report(.configInvalidValue, "cover_formats", "'\(n)' is not one of 'JPEG', 'PNG'")
                    return nil
                }
                return c
            }
        }
        let square = t.bool("cover_square") ?? DSPProfile.Defaults.coverMustBeSquare
        var audioFormats = DSPProfile.Defaults.audioFormats
        if let names = t.stringArray("audio_formats") {
            audioFormats = names.compactMap { n in
                switch n {
                case "FLAC": return .flac
                case "WAV", "PCM": return .pcm
                default:
                    t.report(.configInvalidValue, "audio_formats", "'\(n)' is not one of 'FLAC', 'WAV'")
                    return nil
                }
            }
        }
        let bitDepths = t.intArray("audio_bit_depths") ?? DSPProfile.Defaults.audioBitDepths
        let rates = t.intArray("audio_sample_rates") ?? DSPProfile.Defaults.audioSampleRates
        let pcmTag = t.bool("wav_require_pcm_format_tag") ?? DSPProfile.Defaults.wavRequirePCMFormatTag
        let takedown = t.choice("takedown", default: DSPProfile.Defaults.takedownStyle)
        let testMode = t.bool("test_mode") ?? DSPProfile.Defaults.testMode
        let commission = t.int("commission_bp", range: 0...10_000)

        var transport: TransportSettings?
        if let tr = t.table("transport", required: true) {
            defer { tr.rejectUnknownKeys() }
            let kind = tr.choice("kind", default: TransportSettings.Defaults.kind)
            let root = tr.string("remote_root", required: true)
            var settings = TransportSettings(kind: kind, remoteRoot: root ?? "")
            settings.connectTimeoutSeconds = tr.int("connect_timeout_seconds", range: 1...600) ?? settings.connectTimeoutSeconds
            settings.maxSessions = tr.int("max_sessions", range: 1...64) ?? settings.maxSessions
            switch kind {
            case .sftp:
                settings.host = tr.string("host", required: true)
                settings.port = tr.int("port", range: 1...65_535) ?? settings.port
                settings.user = tr.string("user", required: true)
                settings.privateKey = tr.string("private_key", required: true).map { ConfigurationLoader.resolve($0, against: baseFolder) }
                settings.knownHosts = tr.string("known_hosts", required: true).map { ConfigurationLoader.resolve($0, against: baseFolder) }
            case .local:
                if let root { settings.remoteRoot = ConfigurationLoader.resolve(root, against: baseFolder) }
            }
            if root != nil { transport = settings }
        }

        var retry = RetryPolicy()
        if let r = t.table("retry") {
            retry.maxAttempts = r.int("max_attempts", range: 1...1000) ?? retry.maxAttempts
            retry.initialDelaySeconds = r.double("initial_delay_seconds") ?? retry.initialDelaySeconds
            retry.maxDelaySeconds = r.double("max_delay_seconds") ?? retry.maxDelaySeconds
            if retry.initialDelaySeconds <= 0 || retry.maxDelaySeconds < retry.initialDelaySeconds {
                r.report(.configInvalidValue, "initial_delay_seconds", "delays must be positive and max_delay_seconds ≥ initial_delay_seconds")
            }
            r.rejectUnknownKeys()
        }

        var ackFolder: String?
        var ackPoll = DSPProfile.Defaults.ackPollSeconds
        var ackDeadline = DSPProfile.Defaults.ackDeadlineHours
        if let a = t.table("acks") {
            ackFolder = a.string("folder")
            ackPoll = a.int("poll_seconds", range: 1...86_400) ?? ackPoll
            ackDeadline = a.int("ack_deadline_hours", range: 1...8760) ?? ackDeadline
            a.rejectUnknownKeys()
        }
        var dsrFolder: String?
        var dsrPoll = DSPProfile.Defaults.dsrPollSeconds
        var afterFetch = DSPProfile.Defaults.dsrAfterFetch
        if let d = t.table("dsr") {
            dsrFolder = d.string("folder")
            dsrPoll = d.int("poll_seconds", range: 1...604_800) ?? dsrPoll
            afterFetch = d.choice("after_fetch", default: afterFetch)
            d.rejectUnknownKeys()
        }

        guard let dpid, let recipientName, let transport else { return nil }
        return DSPProfile(
            name: name, enabled: enabled, recipientDPID: dpid, recipientName: recipientName, ernVersion: ern,
            choreography: choreography, priorityPrefix: prefix, territories: TerritorySet(included: included, excluded: excluded),
            commercialModels: models, useTypes: useTypes, hashAlgorithms: hashes, resourceNaming: naming,
            coverMinPixels: coverMin, coverMaxPixels: coverMax, coverFormats: coverFormats, coverMustBeSquare: square,
            audioFormats: audioFormats, audioBitDepths: bitDepths, audioSampleRates: rates, wavRequirePCMFormatTag: pcmTag,
            takedownStyle: takedown, testMode: testMode, transport: transport, retry: retry, ackFolder: ackFolder,
            ackPollSeconds: ackPoll, ackDeadlineHours: ackDeadline, dsrFolder: dsrFolder, dsrPollSeconds: dsrPoll, dsrAfterFetch: afterFetch,
            commissionBasisPoints: commission)
    }

    private static func territories(_ t: TableReader, _ key: String) -> [Territory]? {
        guard let codes = t.stringArray(key) else { return nil }
        var out: [Territory] = []
        for code in codes {
            do { out.append(try Territory(validating: code)) } catch { t.report(.configInvalidValue, key, error.description) }
        }
        return out
    }

    private static func allowed(_ t: TableReader, _ key: String, _ values: Set<String>) -> [String] {
        guard let list = t.stringArray(key) else { return [] }
        for v in list where !values.contains(v) {
            t.report(.configInvalidValue, key, "'\(v)' is not a DDEX allowed value here")
        }
        return list.filter(values.contains)
    }
}
