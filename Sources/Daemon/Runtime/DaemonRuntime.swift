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

    public var isStopping: Bool { lock.withLock { _stopping } }
    public func beginStopping() { lock.withLock { _stopping = true } }
}
