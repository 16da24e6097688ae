//! Coverage of a run: its ports replayed on another core through a build with Verilator coverage.

use pluton_bindings::apb::Apb;
use pluton_bindings::coverage::{Coverage, Kind};
use pluton_bindings::{open_verilated, Sim, SimOptions};

/// SHA-256 block: CTRL at 0x000, bit 0 HMAC_EN (`rtl/pluton_sha256_regs.h`).
const CTRL: u32 = 0x000;

#[test]
fn coverage_counts_what_the_run_did_and_only_that() {
    let dir = pluton_bindings::project_root().join("build").join("tmp").join(format!("coverage_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dat = dir.join("run.dat");
    let opts = SimOptions { seed: Some(3), coverage: Some(dat.clone()), ..SimOptions::default() };
    let mut s = Sim::with_options(|| open_verilated("pluton_sha256").expect("model built"), opts);
    s.run("coverage", |tb| async move {
        let apb = Apb::new(&tb)?;
        apb.write(CTRL, 1).await?;
        tb.clock_cycles(10).await;
        Ok(())
    })
    .unwrap();
    let c = Coverage::read(&dat).unwrap();
    let toggles = |what: &str, instance: &str| -> u64 {
        let found: Vec<u64> = c.points().filter(|p| p.kind == Kind::Toggle && p.what == what && p.instance == instance).map(|p| p.count).collect();
        assert_eq!(found.len(), 1, "{what} in {instance}: {found:?}");
        found[0]
    };
    // CTRL.HMAC_EN's flop rose once and never fell; `key_valid` was never driven.
    assert_eq!(toggles("ctrl_hmac__q:0->1", "TOP.pluton_sha256"), 1);
    assert_eq!(toggles("ctrl_hmac__q:1->0", "TOP.pluton_sha256"), 0);
    assert_eq!(toggles("key_valid:0->1", "TOP.pluton_sha256"), 0);
    // One write and idle cycles cover little of the engine.
    let f = c.figures();
    assert!(f[&Kind::Line].total > 100 && f[&Kind::Toggle].total > 1000, "{f:?}");
    assert!(f[&Kind::Toggle].percent() < 20.0, "{f:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
