//! Every bench case as a cargo test, and every SBY proof with its mutant, all taken from the
//! one list of benches (`regression::benches()`), so a new case or a new IP needs no test code.
//!
//! Names are `<block>::<case>` and `formal::<id>_<block>`: `cargo test --release -p
//! pluton-testbenches --test cosim -- mailbox::` runs one block. Each case runs in lock-step
//! (RTL and model) and must check something; a bench may ask for more (`compares_reads`,
//! `scans_leaks`).

use libtest_mimic::{Arguments, Failed, Trial};
use pluton_testbenches::formal::{proofs, run_proof, Proof};
use pluton_testbenches::regression::{benches, run_case, Backend, Options};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for bench in benches() {
        for case in (bench.cases)() {
            let (block, name) = (bench.block, case.name);
            trials.push(Trial::test(format!("{block}::{name}"), move || run(block, name)));
        }
    }
    for p in proofs() {
        trials.push(Trial::test(format!("formal::{}_{}", p.id, p.block), move || prove(&p)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// One case in lock-step, with the checks its bench asks for.
fn run(block: &str, name: &str) -> Result<(), Failed> {
    let bench = benches().into_iter().find(|b| b.block == block).ok_or("bench gone")?;
    let case = (bench.cases)().into_iter().find(|c| c.name == name).ok_or("case gone")?;
    let opts = Options { seed: None, waves: false, backend: Backend::Lockstep, filter: None, scale: 1.0 };
    let r = run_case(&bench, &case, &opts);
    println!(
        "{block}::{name}: {} checks, {} cycles, {} reads compared, {} reads leak-scanned, {:.1} s, {:?}",
        r.checks, r.cycles, r.reads_compared, r.leak_reads, r.seconds, r.metrics
    );
    if !r.passed {
        return Err(r.message.into());
    }
    if r.checks == 0 || r.cycles == 0 {
        return Err("checked nothing".into());
    }
    if bench.compares_reads && r.reads_compared == 0 {
        return Err("compared no reads with the model".into());
    }
    if bench.scans_leaks && r.leak_reads == 0 {
        return Err("ran no key-leak scan".into());
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
