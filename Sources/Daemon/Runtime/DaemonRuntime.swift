import DDEXConfig
import DDEXModel
import Delivery
import ERN
import Foundation
import Logging
import Store

/// What the daemon's tasks share: the configuration in force (replaced on SIGHUP), the store, and
/// what it remembers about each DSP between heartbeats. Every field is guarded by one lock.
public final class DaemonRuntime: @unchecked Sendable {
    private let lock = NSLock()
    private var _configuration: Configuration
    private var _schemas: ERNSchemaSet
    private var _health: [String: DSPRuntimeHealth] = [:]
    private var _stopping = false

    public let database: SharedDatabase
    public let packages: PackageStore
    public let deliveries: DeliveryStore
    public let messageIds: MessageIdStore
    public let logger: Logger
    public let startedAt: String

    public init(configuration: Configuration, database: SharedDatabase, logger: Logger) {
        _configuration = configuration
        _schemas = ERNSchemaSet(settings: configuration.schemas)
        self.database = database
        packages = PackageStore(database: database)
        deliveries = DeliveryStore(database: database)
        messageIds = MessageIdStore(database: database)
        self.logger = logger
        startedAt = Timestamp.format()
    }

    public var configuration: Configuration { lock.withLock { _configuration } }

    /// Swaps in a new configuration (validated by the caller).
    public func replace(configuration: Configuration) {
        lock.withLock {
            if configuration.schemas != _configuration.schemas { _schemas = ERNSchemaSet(settings: configuration.schemas) }
            _configuration = configuration
        }
    }

    public var processor: PackageProcessor {
        lock.withLock {
            PackageProcessor(configuration: _configuration, packages: packages, deliveries: deliveries, messageIds: messageIds,
                             schemas: _schemas, logger: logger)
        }
    }

    public var health: [String: DSPRuntimeHealth] { lock.withLock { _health } }

    public func recordSuccess(dsp: String) {
        lock.withLock { _health[dsp, default: DSPRuntimeHealth()].lastSuccessAt = Timestamp.format() }
    }

    public func recordError(dsp: String, code: String, message: String) {
        lock.withLock { _health[dsp, default: DSPRuntimeHealth()].lastError = StatusError(code: code, message: message, at: Timestamp.format()) }
    }

    /// Parks `dsp` after a permanent error until `retryAfter` seconds from now. True when this is news (the DSP
    /// was not blocked, or by another code): the caller logs it then, and only then.
    public func block(dsp: String, code: String, message: String, retryAfter: Double) -> Bool {
        lock.withLock {
            var health = _health[dsp, default: DSPRuntimeHealth()]
            let changed = health.blocked?.code != code
            if changed { health.blocked = StatusError(code: code, message: message, at: Timestamp.format()) }
            health.lastError = StatusError(code: code, message: message, at: Timestamp.format())
            health.retryBlockedAt = Date().addingTimeInterval(retryAfter)
            _health[dsp] = health
            return changed
        }
    }

    /// Clears a block after the DSP was reached; true when it was blocked (the caller logs the change).
    public func unblock(dsp: String) -> Bool {
        lock.withLock {
            guard _health[dsp]?.blocked != nil else { return false }
            _health[dsp]?.blocked = nil
            _health[dsp]?.retryBlockedAt = nil
            return true
        }
    }

    /// True while `dsp` is blocked and its next try is not due yet: workers and pollers leave it alone.
    public func isParked(dsp: String, at now: Date = Date()) -> Bool {
        lock.withLock {
            guard _health[dsp]?.blocked != nil, let retry = _health[dsp]?.retryBlockedAt else { return false }
            return now < retry
        }
    }

    public var isStopping: Bool { lock.withLock { _stopping } }
    public func beginStopping() { lock.withLock { _stopping = true } }
}
