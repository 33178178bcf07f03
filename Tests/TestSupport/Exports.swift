// Test support re-exports the harness it shares with the benchmarks (local sshd, synthetic releases,
// temporary folders), so a test needs one import for both.
@_exported import Harness
