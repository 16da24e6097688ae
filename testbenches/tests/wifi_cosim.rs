//! The Wi-Fi arbiter co-simulation regression as cargo tests: RTL and model in lock-step.

use pluton_testbenches::regression::{benches, run_case, Backend, Options};

fn run(name: &str) {
    let bench = benches().into_iter().find(|b| b.block == "wifi").unwrap();
    let cases = (bench.cases)();
    let case = cases.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"));
    let opts = Options { seed: None, waves: false, backend: Backend::Lockstep, filter: None, scale: 1.0 };
    let r = run_case(&bench, case, &opts);
    println!("{name}: {} checks, {} cycles, {} reads compared, {:.1} s", r.checks, r.cycles, r.reads_compared, r.seconds);
    assert!(r.passed, "{}", r.message);
    assert!(r.checks > 0, "{name} checked nothing");
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
