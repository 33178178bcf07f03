import Foundation
import Logging
import Store

/// Tells the operator when this host's clock is off the store's (`CLOCK_SKEW`), once per change, and when it agrees
/// again. Leases are safe either way (they follow the store's clock), but logs, status files and file names carry
/// this host's time, and a clock that is off usually means NTP stopped.
struct ClockSkewReport {
    /// The offset last warned about; nil while the clocks agree.
    private(set) var warnedOffset: Double?

    mutating func note(_ reading: ClusterClock.Reading?, logger: Logger) {
        guard let reading, reading.isSkewed else {
            if warnedOffset != nil {
                logger.notice("this host's clock agrees with the database server's again")
                warnedOffset = nil
            }
            return
        }
        if let warned = warnedOffset, abs(warned - reading.offset) <= ClusterClock.Reading.skewTolerance { return }
        warnedOffset = reading.offset
        logger.warning("this host's clock is off the database server's; leases follow the server's clock, but fix this host's time (NTP)", metadata: [
            "code": "CLOCK_SKEW", "offset_seconds": "\(String(format: "%.3f", reading.offset))",
            "uncertainty_seconds": "\(String(format: "%.3f", reading.uncertainty))",
        ])
    }
}
