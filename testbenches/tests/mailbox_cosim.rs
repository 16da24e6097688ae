//! The inter-core mailbox co-simulation tests as cargo tests: RTL and model in lock-step.

use pluton_testbenches::regression::{benches, run_named};

const CASES: [&str; 8] = [
    "mailbox_round_trip",
    "mailbox_interrupts",
    "mailbox_refused",
    "mailbox_third_master",
    "mailbox_random",
    "mailbox_bus_phases",
    "mailbox_reset",
    "mailbox_err_overflow",
];

fn run(name: &str) {
    let r = run_named("mailbox", name);
    assert!(r.reads_compared > 0, "{name} compared no reads with the model");
}

#[test]
fn mailbox_round_trip() {
    run("mailbox_round_trip");
}
#[test]
fn mailbox_interrupts() {
    run("mailbox_interrupts");
}
#[test]
fn mailbox_refused() {
    run("mailbox_refused");
}
#[test]
fn mailbox_third_master() {
    run("mailbox_third_master");
}
#[test]
fn mailbox_random() {
    run("mailbox_random");
}
#[test]
fn mailbox_bus_phases() {
    run("mailbox_bus_phases");
}
#[test]
fn mailbox_reset() {
    run("mailbox_reset");
}
#[test]
fn mailbox_err_overflow() {
    run("mailbox_err_overflow");
}

/// Every test of the block is listed above, so none is silently skipped by `cargo test`.
#[test]
fn every_case_has_a_cargo_test() {
    let bench = benches().into_iter().find(|b| b.block == "mailbox").unwrap();
    let names: Vec<_> = (bench.cases)().iter().map(|c| c.name).collect();
    assert_eq!(names, CASES);
}
