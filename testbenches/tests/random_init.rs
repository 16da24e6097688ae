//! The regression with random initial state: every flop and RAM word starts at a seeded random
//! value before reset (Verilator `--x-initial unique` with `randReset` 2), and every test must give
//! the same result as with all-zero state: pass, and the same checks, cycles, compared reads and
//! leak-scanned reads. Its own test binary, since the setting is process-wide.

use pluton_testbenches::regression::{benches, run_case, Backend, Options, TestResult};

/// Smaller random workloads than the full regression; both runs use the same test seed.
const SCALE: f64 = 0.25;
const TEST_SEED: u64 = 0x5eed_1417;

fn run_all() -> Vec<TestResult> {
    let opts = Options { seed: Some(TEST_SEED), scale: SCALE, ..Options::on(Backend::Lockstep) };
    benches().iter().flat_map(|b| b.all_cases().iter().map(|c| run_case(b, c, &opts)).collect::<Vec<_>>()).collect()
}

#[test]
fn random_initial_state_changes_no_result() {
    let init_seed = std::env::var("PLUTON_RANDOM_INIT").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(1)
    });
    pluton_bindings::set_random_init(None);
    let zero = run_all();
    pluton_bindings::set_random_init(Some(init_seed));
    let used = pluton_bindings::random_init().unwrap();
    println!("random initial state: seed {used} (replay with PLUTON_RANDOM_INIT={used})");
    let random = run_all();
    pluton_bindings::set_random_init(None);

    assert_eq!(zero.len(), random.len());
    assert!(zero.len() >= 60, "only {} tests ran", zero.len());
    let mut diffs = Vec::new();
    for (z, r) in zero.iter().zip(&random) {
        let name = format!("{}/{}", z.block, z.test);
        if !z.passed {
            diffs.push(format!("{name} fails even from all-zero state: {}", z.message));
        } else if !r.passed {
            diffs.push(format!("{name} fails from random state (seed {used}): {}", r.message));
        } else if (z.checks, z.cycles, z.reads_compared, z.leak_reads) != (r.checks, r.cycles, r.reads_compared, r.leak_reads) {
            diffs.push(format!(
                "{name}: checks/cycles/reads/leak-scanned {:?} from zero, {:?} from random (seed {used})",
                (z.checks, z.cycles, z.reads_compared, z.leak_reads),
                (r.checks, r.cycles, r.reads_compared, r.leak_reads)
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
