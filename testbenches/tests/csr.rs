//! The CSR tests generated from the register maps, for every block with APB registers, on every
//! backend: the model alone, the RTL alone, and both in lock-step.

use pluton_hdl::common::regmap::Bus;
use pluton_testbenches::csr;
use pluton_testbenches::regression::{benches, run_case, Backend, Options};

#[test]
fn csr_tests_pass_on_every_backend() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for bench in benches().iter().filter(|b| b.csr.is_some()) {
        for backend in [Backend::Model, Backend::Rtl, Backend::Lockstep] {
            for case in csr::cases() {
                let opts = Options { seed: None, waves: false, backend, filter: None, scale: 1.0 };
                let r = run_case(bench, &case, &opts);
                if r.skipped {
                    println!("{}/{} on {backend:?}: skipped ({})", bench.block, case.name, r.message);
                    continue;
                }
                println!("{}/{} on {backend:?}: {} checks, {} cycles", bench.block, case.name, r.checks, r.cycles);
                runs += 1;
                if !r.passed || r.checks == 0 {
                    failures.push(format!("{}/{} on {backend:?}: {}", bench.block, case.name, r.message));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(runs > 0);
}

/// Every APB register map the generator emits has a bench that runs its CSR tests (the SCS
/// is inside the core, reached only by its programs: `Bus::CoreScs`).
#[test]
fn every_apb_map_has_csr_tests() {
    let tested: Vec<_> = benches().iter().filter_map(|b| b.csr.map(|s| s.map.module)).collect();
    for ip in pluton_hdl::gen::blocks() {
        if ip.map.bus == Bus::Apb4 && !ip.map.regs.is_empty() {
            assert!(tested.contains(&ip.map.module), "{} has registers but no CSR tests", ip.map.module);
        }
    }
}
