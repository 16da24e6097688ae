//! The soft Cortex-M0 core's benches: program images, the semihosting service, the cross compiler, QEMU, random programs and the lock-step harness.
pub mod cases;
pub mod compile;
pub mod image;
pub mod iss_run;
pub mod qemu;
pub mod random;
pub mod semihost;
pub mod system;
pub mod tb;

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    // The soft core has no port-level model: its benches step the ARMv6-M ISS per retired record.
    vec![BlockBench {
        block: "m0",
        module: "pluton_m0",
        model: None,
        cases: cases::cases,
        replay: "m0_faults",
        csr: None,
        proofs: &[],
        compares_reads: false,
        scans_leaks: false,
    }]
}
