//! Every bench case, every generated CSR test and every SBY proof as a cargo test, all taken from
//! the one list of benches (`regression::benches()`), so a new case or a new IP needs no test code.
//!
//! Names are `<block>::<case>` (lock-step), `csr::<block>::<case>::<backend>` (the CSR tests on
//! the model, the RTL and in lock-step) and `formal::<id>_<block>`: `cargo test --release -p
//! pluton-testbenches --test cosim -- mailbox::` runs one block's own tests.

use libtest_mimic::{Arguments, Failed, Trial};
use pluton_hdl::common::regmap::Bus;
use pluton_testbenches::formal::{proofs, run_proof, Proof};
use pluton_testbenches::regression::{benches, run_checked, Backend};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for bench in benches() {
        let block = bench.block;
        for case in (bench.cases)() {
            let name = case.name;
            trials.push(Trial::test(format!("{block}::{name}"), move || run(block, name, Backend::Lockstep)));
        }
        if let Some(spec) = bench.csr {
            for case in pluton_testbenches::csr::cases_for(spec) {
                let name = case.name;
                for backend in [Backend::Model, Backend::Rtl, Backend::Lockstep] {
                    let title = format!("csr::{block}::{name}::{}", format!("{backend:?}").to_lowercase());
                    trials.push(Trial::test(title, move || run(block, name, backend)));
                }
            }
        }
    }
    trials.push(Trial::test("csr::every_apb_map_has_csr_tests", every_apb_map_has_csr_tests));
    for p in proofs() {
        trials.push(Trial::test(format!("formal::{}_{}", p.id, p.block), move || prove(&p)));
    }
    libtest_mimic::run(&args, trials).exit();
}

fn run(block: &str, name: &str, backend: Backend) -> Result<(), Failed> {
    run_checked(block, name, backend).map(|_| ()).map_err(|e| format!("{block}::{name} on {backend:?}: {e}").into())
}

/// Every APB register map the generator emits has a bench that runs its CSR tests (the SCS is
/// inside the core, reached only by its programs: `Bus::CoreScs`).
fn every_apb_map_has_csr_tests() -> Result<(), Failed> {
    let tested: Vec<_> = benches().iter().filter_map(|b| b.csr.map(|s| s.map.module)).collect();
    for ip in pluton_hdl::gen::blocks() {
        if ip.map.bus == Bus::Apb4 && !ip.map.regs.is_empty() && !tested.contains(&ip.map.module) {
            return Err(format!("{} has registers but no CSR tests", ip.map.module).into());
        }
    }
    Ok(())
}

/// A proof must pass unbounded (k-induction) and its mutant must fail.
fn prove(p: &Proof) -> Result<(), Failed> {
    let r = run_proof(p);
    println!("({}) {}: prove {:.1} s, mutant {:.1} s", p.id, p.claim, r.proved.seconds, r.mutant.seconds);
    if r.passed() {
        Ok(())
    } else {
        Err(format!("({}) {}:\n{}", p.id, p.claim, r.message()).into())
    }
}
