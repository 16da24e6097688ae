//! The APB arbiter co-simulation tests as cargo tests: RTL and model in lock-step.
//!
//! The arbiter has no `psel`/`prdata` port of its own (its ports are `s0_*`, `s1_*`, `m_*`), so
//! lock-step compares every output at every peek and edge rather than counting APB reads.

use pluton_testbenches::regression::{benches, run_named};

const CASES: [&str; 6] = ["apb_arb_single", "apb_arb_contention", "apb_arb_errors_waits", "apb_arb_random", "apb_arb_tie_turn", "apb_arb_reset"];

fn run(name: &str) {
    run_named("apb_arb", name);
}

#[test]
fn apb_arb_single() {
    run("apb_arb_single");
}
#[test]
fn apb_arb_contention() {
    run("apb_arb_contention");
}
#[test]
fn apb_arb_errors_waits() {
    run("apb_arb_errors_waits");
}
#[test]
fn apb_arb_random() {
    run("apb_arb_random");
}
#[test]
fn apb_arb_tie_turn() {
    run("apb_arb_tie_turn");
}
#[test]
fn apb_arb_reset() {
    run("apb_arb_reset");
}

/// Every test of the block is listed above, so none is silently skipped by `cargo test`.
#[test]
fn every_case_has_a_cargo_test() {
    let bench = benches().into_iter().find(|b| b.block == "apb_arb").unwrap();
    let names: Vec<_> = (bench.cases)().iter().map(|c| c.name).collect();
    assert_eq!(names, CASES);
}
