//! Co-simulation test benches, the vectors they use, the regression runner and the benchmark.
pub mod bench;
pub mod csr;
pub mod formal;
pub mod leak;
pub mod regression;
pub mod vectors;

/// The SHA-256/HMAC engine's test bench (kept beside its vectors in `testbenches/sha256/`).
#[path = "../sha256/tb.rs"]
pub mod sha256;

/// The IO firewall's test bench.
#[path = "../firewall/tb.rs"]
pub mod firewall;

/// The Wi-Fi arbiter's test bench.
#[path = "../wifi/tb.rs"]
pub mod wifi;

/// The inter-core mailbox's test bench.
#[path = "../mailbox/tb.rs"]
pub mod mailbox;

/// The two-requester APB arbiter's test bench.
#[path = "../apb_arb/tb.rs"]
pub mod apb_arb;

/// The OTP (key fuse) controller's test bench.
#[path = "../otp/tb.rs"]
pub mod otp;

/// The security subsystem top's test bench (integration of all the blocks above).
#[path = "../security/tb.rs"]
pub mod security;

/// The soft Cortex-M0 core's benches, programs and harnesses.
#[path = "../m0/mod.rs"]
pub mod m0;

/// The two-core system's bench (both cores in lock-step).
#[path = "../soc/mod.rs"]
pub mod soc;
