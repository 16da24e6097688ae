//! A planted model/RTL mismatch is caught at its own cycle by the pipelined lock-step (the
//! model on a second thread) as by the in-step one: the run fails, its replay with waves stops
//! at that cycle, and the failure names it. The waves of the replay show the RTL inside.

use pluton_bindings::Dut;
use pluton_cosim::{Flipped, Sha256Model};
use pluton_testbenches::regression::{benches, run_case, Backend, BlockBench, Options};

/// The cycle from which the planted model drives `intr_done` wrong.
const PLANTED_AT: u64 = 300;

/// The SHA-256 model with `intr_done` inverted from cycle `PLANTED_AT` on.
fn planted() -> Box<dyn Dut> {
    Box::new(Flipped::new(Box::new(Sha256Model::new()), "intr_done", 1, PLANTED_AT))
}

#[test]
fn a_planted_mismatch_stops_at_its_cycle_in_both_modes() {
    let sha = benches().into_iter().find(|b| b.block == "sha256").unwrap();
    let bench = BlockBench { model: Some(planted), ..sha };
    let cases = bench.all_cases();
    let case = cases.iter().find(|c| c.name == "sha256_cavp_short").unwrap();
    for pipelined in [true, false] {
        let r = run_case(&bench, case, &Options { seed: Some(1), pipelined, ..Options::on(Backend::Lockstep) });
        assert!(!r.passed, "pipelined={pipelined}: the planted mismatch was not caught");
        assert!(r.message.contains(&format!("lock-step mismatch between RTL and model: cycle {PLANTED_AT}: intr_done")), "pipelined={pipelined}: {}", r.message);
        assert!(r.message.contains(&format!("(cycle {PLANTED_AT})")), "pipelined={pipelined}: the run did not stop at the cycle: {}", r.message);
        assert!(!r.message.contains("replay differed"), "pipelined={pipelined}: {}", r.message);
        assert!(r.message.contains("waves: "), "pipelined={pipelined}: no waves: {}", r.message);
        // The RTL side's every signal, replayed through the traced build up to the mismatch.
        let inside = pluton_bindings::project_root().join("build/waves/sha256_cavp_short_lockstep.inside.vcd");
        assert!(r.message.contains(&inside.display().to_string()), "pipelined={pipelined}: waves not inside: {}", r.message);
        let text = std::fs::read_to_string(&inside).unwrap();
        assert!(text.contains("$scope module core $end"), "pipelined={pipelined}: no SHA core in {}", inside.display());
        let last = text.lines().rev().find(|l| l.starts_with('#')).unwrap();
        assert_eq!(last, format!("#{}", PLANTED_AT * 10), "pipelined={pipelined}: the inside waves end at the mismatch's edge");
    }
}
