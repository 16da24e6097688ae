//! The Wi-Fi arbiter co-simulation regression as cargo tests: RTL and model in lock-step.

use pluton_testbenches::regression::{benches, run_named};

fn run(name: &str) {
    let r = run_named("wifi", name);
    assert!(r.reads_compared > 0, "{name} compared no reads with the model");
}

#[test]
fn wifi_registers() {
    run("wifi_registers");
}
#[test]
fn wifi_mailbox_policy() {
    run("wifi_mailbox_policy");
}
#[test]
fn wifi_backpressure() {
    run("wifi_backpressure");
}
#[test]
fn wifi_timeout() {
    run("wifi_timeout");
}
#[test]
fn wifi_events() {
    run("wifi_events");
}
#[test]
fn wifi_wrong_master() {
    run("wifi_wrong_master");
}
#[test]
fn wifi_cmd_monitor() {
    run("wifi_cmd_monitor");
}
#[test]
fn wifi_bad_input() {
    run("wifi_bad_input");
}
#[test]
fn wifi_random() {
    run("wifi_random");
}

/// Every test of the block is listed above, so none is silently skipped by `cargo test`.
#[test]
fn every_case_has_a_cargo_test() {
    let listed = [
        "wifi_registers",
        "wifi_mailbox_policy",
        "wifi_backpressure",
        "wifi_timeout",
        "wifi_events",
        "wifi_wrong_master",
        "wifi_cmd_monitor",
        "wifi_bad_input",
        "wifi_random",
    ];
    let bench = benches().into_iter().find(|b| b.block == "wifi").unwrap();
    let names: Vec<_> = (bench.cases)().iter().map(|c| c.name).collect();
    assert_eq!(names, listed);
}
