//! The soft core's co-simulation regression as cargo tests: the RTL in lock-step with the ARMv6-M ISS on every retired record.

use pluton_testbenches::regression::{run_case, Backend, Options};

fn run(name: &str) {
    run_in("m0", name)
}

fn run_in(block: &str, name: &str) {
    let bench = pluton_testbenches::regression::benches().into_iter().find(|b| b.block == block).unwrap_or_else(|| panic!("no bench {block}"));
    let cases = (bench.cases)();
    let case = cases.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"));
    let opts = Options { seed: None, waves: false, backend: Backend::Lockstep, filter: None, scale: 1.0 };
    let r = run_case(&bench, case, &opts);
    println!("{name}: {} checks, {} cycles, {:.1} s, {:?}", r.checks, r.cycles, r.seconds, r.metrics);
    assert!(r.passed, "{}", r.message);
    assert!(r.checks > 0 && r.cycles > 0, "{name} checked nothing");
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
