//! The two-core system's bench: its demo programs and the two-core lock-step run.
pub mod tb;

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![BlockBench {
        block: "soc",
        module: "pluton_soc",
        model: None,
        cases: tb::cases,
        replay: "soc_hmac_demo",
        csr: None,
        proofs: &[],
        compares_reads: false,
        scans_leaks: false,
    }]
}
