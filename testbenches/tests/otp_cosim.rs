//! The OTP controller co-simulation regression as cargo tests: RTL and model in lock-step.

use pluton_testbenches::regression::{benches, run_named};

fn run(name: &str) {
    let r = run_named("otp", name);
    assert!(r.reads_compared > 0, "{name} compared no reads with the model");
}

#[test]
fn otp_init_blank() {
    run("otp_init_blank");
}
#[test]
fn otp_init_provisioned() {
    run("otp_init_provisioned");
}
#[test]
fn otp_ecc_single() {
    run("otp_ecc_single");
}
#[test]
fn otp_ecc_double() {
    run("otp_ecc_double");
}
#[test]
fn otp_interrupted() {
    run("otp_interrupted");
}
#[test]
fn otp_write_lock() {
    run("otp_write_lock");
}
#[test]
fn otp_read_lock() {
    run("otp_read_lock");
}
#[test]
fn otp_svn() {
    run("otp_svn");
}
#[test]
fn otp_lc_transitions() {
    run("otp_lc_transitions");
}
#[test]
fn otp_lc_invalid() {
    run("otp_lc_invalid");
}
#[test]
fn otp_key_port() {
    run("otp_key_port");
}
#[test]
fn otp_tester_port() {
    run("otp_tester_port");
}
#[test]
fn otp_bad_input() {
    run("otp_bad_input");
}
#[test]
fn otp_timing() {
    run("otp_timing");
}
#[test]
fn otp_random() {
    run("otp_random");
}

/// Every test of the block is listed above, so none is silently skipped by `cargo test`.
#[test]
fn every_case_has_a_cargo_test() {
    let listed = [
        "otp_init_blank",
        "otp_init_provisioned",
        "otp_ecc_single",
        "otp_ecc_double",
        "otp_interrupted",
        "otp_write_lock",
        "otp_read_lock",
        "otp_svn",
        "otp_lc_transitions",
        "otp_lc_invalid",
        "otp_key_port",
        "otp_tester_port",
        "otp_bad_input",
        "otp_timing",
        "otp_random",
    ];
    let bench = benches().into_iter().find(|b| b.block == "otp").unwrap();
    let names: Vec<_> = (bench.cases)().iter().map(|c| c.name).collect();
    assert_eq!(names, listed);
}
