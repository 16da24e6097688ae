//! The security subsystem top's co-simulation tests as cargo tests: RTL and the composed model in lock-step.

use pluton_testbenches::regression::run_named;

fn run(name: &str) {
    let r = run_named("security", name);
    assert!(r.reads_compared > 0, "{name} checked nothing");
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
