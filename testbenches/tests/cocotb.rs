//! The cocotb bench (`testbenches/cocotb/`) passes, and fails when one model expectation is planted wrong.

use pluton_testbenches::cocotb::{run, Outcome};

#[test]
fn cocotb_bench_passes_and_a_planted_fault_fails() {
    let started = std::time::Instant::now();
    match run(false) {
        // `run` has printed `SKIPPED: why` (no python3 or no iverilog here).
        Outcome::Skipped { .. } => return,
        Outcome::Passed { tests } => {
            assert!(tests >= 3, "only {tests} cocotb tests ran");
            println!("cocotb bench: {tests} tests passed in {:.1} s", started.elapsed().as_secs_f64());
        }
        Outcome::Failed { why } => panic!("cocotb bench failed: {why}"),
    }
    match run(true) {
        Outcome::Failed { why } => {
            // Exactly the planted DIGEST expectation, not some other breakage.
            assert!(why.contains("1 of ") && why.contains("read 0x020") && why.contains("model"), "{why}");
            println!("planted fault caught:\n{why}");
        }
        other => panic!("the planted run should fail, got {other:?}"),
    }
}
