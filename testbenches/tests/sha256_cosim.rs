//! The SHA-256/HMAC co-simulation regression as cargo tests: RTL and model in lock-step.

use pluton_testbenches::regression::{benches, run_named};

fn run(name: &str) {
    let r = run_named("sha256", name);
    assert!(r.reads_compared > 0, "{name} compared no reads with the model");
}

#[test]
fn sha256_cavp_short() {
    run("sha256_cavp_short");
}
#[test]
fn sha256_cavp_long() {
    run("sha256_cavp_long");
}
#[test]
fn sha256_cavp_monte() {
    run("sha256_cavp_monte");
}
#[test]
fn hmac_rfc4231() {
    run("hmac_rfc4231");
}
#[test]
fn hmac_wycheproof() {
    run("hmac_wycheproof");
}
#[test]
fn sha256_hmac_random() {
    run("sha256_hmac_random");
}
#[test]
fn sha256_bad_input() {
    run("sha256_bad_input");
}
#[test]
fn sha256_timing() {
    run("sha256_timing");
}
#[test]
fn sha256_lane_tail() {
    run("sha256_lane_tail");
}
#[test]
fn sha256_lane_tail_random() {
    run("sha256_lane_tail_random");
}

/// Every test of the block is listed above, so none is silently skipped by `cargo test`.
#[test]
fn every_case_has_a_cargo_test() {
    let listed = [
        "sha256_cavp_short",
        "sha256_cavp_long",
        "sha256_cavp_monte",
        "hmac_rfc4231",
        "hmac_wycheproof",
        "sha256_hmac_random",
        "sha256_bad_input",
        "sha256_timing",
        "sha256_lane_tail",
        "sha256_lane_tail_random",
    ];
    let bench = benches().into_iter().find(|b| b.block == "sha256").unwrap();
    let names: Vec<_> = (bench.cases)().iter().map(|c| c.name).collect();
    assert_eq!(names, listed);
}
