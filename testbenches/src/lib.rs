//! Co-simulation test benches, the vectors they use, the regression runner and the benchmark.
pub mod bench;
pub mod leak;
pub mod regression;
pub mod vectors;

/// The SHA-256/HMAC engine's test bench (kept beside its vectors in `testbenches/sha256/`).
#[path = "../sha256/tb.rs"]
pub mod sha256;
