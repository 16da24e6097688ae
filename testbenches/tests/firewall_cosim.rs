//! The IO firewall co-simulation regression as cargo tests: RTL and model in lock-step.

use pluton_testbenches::regression::{benches, run_named};

fn run(name: &str) {
    let r = run_named("firewall", name);
    assert!(r.reads_compared > 0, "{name} compared no reads with the model");
    for (metric, value) in &r.metrics {
        if metric == "unauthorized_psel" || metric == "added_latency_cycles" {
            assert_eq!(*value, 0.0, "{name}: {metric}");
        }
    }
}

#[test]
fn fw_reset_defaults() {
    run("fw_reset_defaults");
}
#[test]
fn fw_ownership() {
    run("fw_ownership");
}
#[test]
fn fw_rules() {
    run("fw_rules");
}
#[test]
fn fw_lock() {
    run("fw_lock");
}
#[test]
fn fw_causes() {
    run("fw_causes");
}
#[test]
fn fw_log() {
    run("fw_log");
}
#[test]
fn fw_latency() {
    run("fw_latency");
}
#[test]
fn fw_bad_input() {
    run("fw_bad_input");
}
#[test]
fn fw_fuzz() {
    run("fw_fuzz");
}

/// Every test of the block is listed above, so none is silently skipped by `cargo test`.
#[test]
fn every_case_has_a_cargo_test() {
    let listed = [
        "fw_reset_defaults",
        "fw_ownership",
        "fw_rules",
        "fw_lock",
        "fw_causes",
        "fw_log",
        "fw_latency",
        "fw_bad_input",
        "fw_fuzz",
    ];
    let bench = benches().into_iter().find(|b| b.block == "firewall").unwrap();
    let names: Vec<_> = (bench.cases)().iter().map(|c| c.name).collect();
    assert_eq!(names, listed);
}
