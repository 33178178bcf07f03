import ArgumentParser
import DDEXConfig
import Foundation
import Store

/// What one-shot commands that move work (`deliver`, `poll`) hold while they run: the configuration, the
/// spool lock (so they never work beside a running daemon) and the store.
struct SpoolSession {
    let configuration: Configuration
    let lock: SpoolLock
    let database: StoreDatabase

    /// Loads the configuration, takes the spool lock (exit 2 when it is held) and opens the store.
    init(_ global: GlobalOptions, command: String) throws {
        configuration = try global.loadConfiguration()
        do {
            lock = try SpoolLock(stateFolder: configuration.spool.state)
        } catch {
            FileHandle.standardError.write(Data("ddexd \(command): \(error)\n".utf8))
            throw ExitCode(2)
        }
        database = try StoreDatabase(path: configuration.spool.database)
    }

    /// The DSP profiles a `--dsp` option selects: that one (enabled or not), or every enabled one.
    func profiles(named name: String?) throws -> [DSPProfile] {
        guard let name else { return configuration.enabledDSPs }
        guard let profile = configuration.dsps[name] else {
            throw ValidationError("no DSP profile named '\(name)' (configured: \(configuration.dsps.keys.sorted().joined(separator: ", ")))")
        }
        return [profile]
    }
}
