//! Hand-off checks on rtl/: it matches the generator and passes lint (Verilator -Wall, Yosys).

#[test]
fn rtl_matches_the_generator() {
    let stale = pluton_hdl::gen::check_all(&pluton_toolchain::project_root());
    assert!(stale.is_empty(), "rtl/ is out of date, run `cargo run --release -- gen`: {stale:?}");
}

#[test]
fn rtl_is_lint_clean_with_resets_and_no_initial() {
    let reports = pluton_toolchain::lint::lint_dir(&pluton_toolchain::project_root().join("rtl")).unwrap();
    assert!(!reports.is_empty(), "no Verilog in rtl/");
    for r in reports {
        assert!(r.clean(), "{}: {:?} {:?} initial at {:?}, resets driven by logic {:?}", r.file.display(), r.verilator_warnings, r.yosys_problems, r.initial_blocks, r.gated_resets);
        assert!(r.flops_without_reset.is_empty(), "{}: flops without reset: {:?}", r.file.display(), r.flops_without_reset);
    }
}

#[test]
fn cli_rejects_unknown_block_with_a_clear_message() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pluton"))
        .args(["synth", "nosuch", "--target", "ice40-up5k"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown block `nosuch`") && err.contains("sha256"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pluton"))
        .args(["synth", "sha256", "--target", "virtex2"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("virtex2"));
}
