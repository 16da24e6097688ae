//! The soft core's test programs on the ISS and on QEMU (`-M microbit`): identical output, and each ends with its success marker.

use pluton_testbenches::m0::compile::{build, programs};
use pluton_testbenches::m0::cases::FAULTS_ERROR_RANGES;
use pluton_testbenches::m0::iss_run::{run_iss, run_iss_with_errors};
use pluton_testbenches::m0::qemu::{run, QemuRun};
use std::time::Duration;

fn check(name: &str) {
    let image = build(name).unwrap_or_else(|e| panic!("{e}"));
    let iss = run_iss(&image, 50_000_000).unwrap_or_else(|e| panic!("{e}"));
    println!("{name}: ISS {} instructions, {} cycles (CPI {:.2})", iss.instructions, iss.cycles, iss.cycles as f64 / iss.instructions as f64);
    assert!(iss.success, "{name} failed on the ISS:\n{}", iss.output);
    assert!(iss.output.ends_with(&format!("{name} done\n")), "{name}: no success marker:\n{}", iss.output);
    match run(&image, Duration::from_secs(30)) {
        QemuRun::Ran { output, success } => {
            assert!(success, "{name} failed on QEMU:\n{output}");
            assert_eq!(iss.output, output, "{name}: the ISS and QEMU differ");
            println!("{name}: identical output on QEMU ({} bytes)", output.len());
        }
        QemuRun::Skipped(why) => println!("SKIPPED the QEMU comparison of {name}: {why}"),
    }
}

#[test]
fn m0_programs_listed() {
    // Every program in the folder is in the list (or is one of the bench-only programs).
    let bench_only = ["irq_pins", "faults"];
    let mut on_disk: Vec<String> = std::fs::read_dir(pluton_testbenches::m0::compile::programs_dir())
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".c").or_else(|| name.strip_suffix(".S"))?;
            (!["crt0", "lib"].contains(&stem) && !bench_only.contains(&stem)).then(|| stem.to_string())
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = programs().iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn m0_program_c_sort_crc() {
    check("c_sort_crc");
}

#[test]
fn m0_program_alu() {
    check("alu");
}

#[test]
fn m0_program_system() {
    check("system");
}

#[test]
fn m0_program_exceptions() {
    check("exceptions");
}

/// The fault paths QEMU cannot check (see `programs/faults.c`), on the ISS: each case faults once
/// at the expected address. The RTL runs the same program in lock-step in the regression.
#[test]
fn m0_program_faults_on_iss() {
    let image = build("faults").unwrap_or_else(|e| panic!("{e}"));
    let iss = run_iss_with_errors(&image, 1_000_000, FAULTS_ERROR_RANGES).unwrap_or_else(|e| panic!("{e}"));
    println!("{}", iss.output);
    assert!(iss.success && iss.output.ends_with("faults done\n"), "{}", iss.output);
    let cases: Vec<&str> = iss.output.lines().filter(|l| l.contains(": faults ")).collect();
    assert_eq!(cases.len(), 10, "{}", iss.output);
    for line in cases {
        assert!(line.contains("faults 1, stacked pc as expected"), "{line}");
    }
    // A multiple transfer that errors part-way: the base (SP) has its old value back, LDM's r2
    // holds the good word (0, not the 7 put there before), STM stored its first word.
    for want in ["ldm_partial: base 0x20001ffc, r2 0x00000000", "stm_partial: base 0x20001ffc, stored 0x00000005", "pop_partial: sp 0x20001ffc", "push_partial: sp 0x20002004"] {
        assert!(iss.output.contains(want), "no `{want}` in\n{}", iss.output);
    }
}

#[test]
fn m0_program_mem() {
    check("mem");
}

#[test]
fn m0_program_branch() {
    check("branch");
}
