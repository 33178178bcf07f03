import Daemon
import Logging

/// Logging for one-shot commands: one line per event on standard error, warnings and up unless
/// `DDEXD_LOG_LEVEL` says otherwise.
enum CommandLogging {
    static func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in LineLogHandler(label: label, stream: .standardError) }
        logger.logLevel = LineLogHandler.level(fromEnvironment: "DDEXD_LOG_LEVEL") ?? .warning
        return logger
    }
}
