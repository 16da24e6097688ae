//! The formal proofs as cargo tests: each must pass unbounded (k-induction) and its mutant must fail.

use pluton_testbenches::formal::{proofs, run_proof};

fn prove(id: &str) {
    let p = proofs().into_iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no proof ({id})"));
    let r = run_proof(&p);
    println!("({id}) {}: prove {:.1} s, mutant {:.1} s", p.claim, r.proved.seconds, r.mutant.seconds);
    assert!(r.passed(), "({id}) {}:\n{}", p.claim, r.message());
}

#[test]
fn a_firewall_owner_only() {
    prove("a");
}
#[test]
fn b_firewall_lock_holds() {
    prove("b");
}
#[test]
fn c_wifi_security_core_only() {
    prove("c");
}
#[test]
fn d_fuse_bits_never_clear() {
    prove("d");
}
#[test]
fn e_read_lock_zero_data() {
    prove("e");
}
