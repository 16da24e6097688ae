//! The security subsystem top's co-simulation tests as cargo tests: RTL and the composed model in lock-step.

use pluton_testbenches::regression::{benches, run_case, Backend, Options};

fn run(name: &str) {
    let bench = benches().into_iter().find(|b| b.block == "security").unwrap();
    let cases = (bench.cases)();
    let case = cases.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case {name}"));
    let opts = Options { seed: None, waves: false, backend: Backend::Lockstep, filter: None, scale: 1.0 };
    let r = run_case(&bench, case, &opts);
    println!("{name}: {} checks, {} cycles, {} reads compared, {:.1} s", r.checks, r.cycles, r.reads_compared, r.seconds);
    assert!(r.passed, "{}", r.message);
    assert!(r.checks > 0 && r.reads_compared > 0, "{name} checked nothing");
    assert!(r.leak_reads > 0, "{name} ran no key-leak scan");
}

#[test]
fn security_derive_key() {
    run("security_derive_key");
}
#[test]
fn security_isolation() {
    run("security_isolation");
}
#[test]
fn security_wifi_mailbox() {
    run("security_wifi_mailbox");
}
#[test]
fn security_random() {
    run("security_random");
}
