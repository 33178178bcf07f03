import DDEXConfig

extension RetryPolicy {
    /// The wait before attempt `attempt + 1` after `attempt` failed attempts (1-based): exponential
    /// backoff capped at `maxDelaySeconds`, with "full jitter" (uniform in [delay/2, delay]) so that many
    /// deliveries failing together against one DSP do not retry in lockstep.
    ///
    /// Returns nil when the budget (`maxAttempts`) is spent.
    public func delay(afterFailedAttempts attempt: Int, random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Double? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        let exponent = min(attempt - 1, 62)
        let base = min(maxDelaySeconds, initialDelaySeconds * Double(1 << exponent))
        return random((base / 2)...base)
    }
}
