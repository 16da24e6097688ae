//! The soft core's co-simulation regression as cargo tests: the RTL in lock-step with the ARMv6-M ISS on every retired record.

use pluton_testbenches::regression::run_named;

fn run(name: &str) {
    run_in("m0", name)
}

fn run_in(block: &str, name: &str) {
    run_named(block, name);
}

#[test]
fn m0_programs() {
    run("m0_programs");
}
#[test]
fn m0_random() {
    run("m0_random");
}
#[test]
fn m0_random_waits() {
    run("m0_random_waits");
}
#[test]
fn m0_irq_pins() {
    run("m0_irq_pins");
}
#[test]
fn m0_faults() {
    run("m0_faults");
}
#[test]
fn m0sys_sha_demo() {
    run_in("m0sys", "m0sys_sha_demo");
}
#[test]
fn soc_hmac_demo() {
    run_in("soc", "soc_hmac_demo");
}
