//! Every block on a 4-state, event-driven simulator: one regression test per block (its bench's
//! `replay`, chosen to use the block's storage: the OTP and the subsystem provision fuses through
//! the tester port, which failed on Icarus while the fuse array started as X) runs on
//! Verilator with its port trace recorded, and the trace is replayed on Icarus Verilog (Debian's
//! `iverilog`) by a generated test bench that compares every output before every rising edge. An
//! X or Z on any output is a mismatch. Without `iverilog` the test says SKIPPED and why; CI's
//! `.ci/run` installs it.

use pluton_bindings::trace::{icarus_missing, replay_on_icarus};
use pluton_bindings::open_verilated;
use pluton_testbenches::regression::{benches, run_case_recorded, Backend, BlockBench, Options};
use pluton_toolchain::project_root;

/// Records `bench.replay` on Verilator and replays it on Icarus.
fn replay(bench: &BlockBench) -> Result<String, String> {
    let (block, test) = (bench.block, bench.replay);
    let cases = bench.all_cases();
    let case = cases.iter().find(|c| c.name == test).ok_or(format!("no test {test} in {block}"))?;
    let work = project_root().join("build").join("icarus").join(block);
    let trace = work.join(format!("{test}.trace.hex"));
    let opts = Options { seed: Some(0x1ca7), ..Options::on(Backend::Lockstep) };
    let r = run_case_recorded(bench, case, &opts, &trace);
    if !r.passed {
        return Err(format!("{block}/{test} failed on Verilator: {}", r.message));
    }
    let ports = open_verilated(bench.module).ok_or("no Verilated model")?.ports().to_vec();
    let rtl = project_root().join("rtl");
    let top = rtl.join(format!("{}.v", bench.module));
    // The hard-macro models, read before the top.
    let models: Vec<_> = pluton_toolchain::lint::design(&top)?.into_iter().filter(|f| *f != top).collect();
    let replay = replay_on_icarus(bench.module, &ports, &top, &models, &trace, &work)?;
    // The trace also holds the bench's set-up cycles (reset, ROM loading) that the test does not
    // count, so it is at least as long; the replay must have run all of it.
    if replay.mismatches != 0 || replay.cycles != replay.trace_cycles || (replay.cycles as u64) < r.cycles {
        return Err(format!(
            "{block}/{test}: Icarus replayed {} of {} traced cycles ({} in the test) with {} mismatches:\n{}",
            replay.cycles,
            replay.trace_cycles,
            r.cycles,
            replay.mismatches,
            replay.report.join("\n")
        ));
    }
    Ok(format!("{block}/{test}: {} cycles, every output equal on Icarus", replay.cycles))
}

#[test]
fn every_block_replays_on_icarus() {
    if let Some(why) = icarus_missing() {
        println!("SKIPPED: {why}");
        return;
    }
    let only = std::env::var("PLUTON_ICARUS_BLOCK").ok();
    let mut failures = Vec::new();
    for bench in benches().iter().filter(|b| only.as_deref().is_none_or(|o| o == b.block)) {
        match replay(bench) {
            Ok(line) => println!("{line}"),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
