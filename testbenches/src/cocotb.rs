//! Runs the cocotb bench (`testbenches/cocotb/`): provisions cocotb, builds and installs the `pluton_models` wheel, runs the bench on Icarus.
//!
//! Everything comes from PyPI into the tools venv (pinned in `pluton_toolchain`) or is built
//! here: the wheel from `bindings/python/` with maturin, in its own target dir under
//! `build/python/`. One lock (`build/cocotb/run.lock`) serializes whole runs, so two processes
//! never reinstall the wheel or share a simulation folder at the same time.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// How a run of the bench ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every test passed; how many ran.
    Passed { tests: usize },
    /// A test failed, or the bench could not be built or run; what went wrong.
    Failed { why: String },
    /// A tool the bench needs is missing (python3, iverilog); printed as `SKIPPED: ...`.
    Skipped { reason: String },
}

/// Environment variable that makes the bench corrupt one model expectation (it must then fail).
pub const PLANT_ENV: &str = "PLUTON_COCOTB_PLANT";

/// Provision what the bench needs and run it; `plant` sets [`PLANT_ENV`].
pub fn run(plant: bool) -> Outcome {
    if let Some(reason) = missing_tool() {
        println!("SKIPPED: {reason}");
        return Outcome::Skipped { reason };
    }
    match run_provisioned(plant) {
        Ok(outcome) => outcome,
        Err(why) => Outcome::Failed { why },
    }
}

/// Why the bench cannot run here, if it cannot.
fn missing_tool() -> Option<String> {
    let runs = |tool: &str| Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
    if !runs("python3") {
        return Some("python3 not found on PATH (the cocotb bench needs Python 3 with pip and venv)".into());
    }
    pluton_bindings::trace::icarus_missing()
}

fn run_provisioned(plant: bool) -> Result<Outcome, String> {
    let root = pluton_toolchain::project_root();
    let work = root.join("build/cocotb");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let _lock = pluton_toolchain::lock_file(&work.join("run.lock"))?;

    let python = pluton_toolchain::cocotb_python()?;
    let maturin = pluton_toolchain::maturin()?;
    install_wheel(&root, &python, &build_wheel(&root, &python, &maturin)?)?;

    let name = if plant { "planted" } else { "clean" };
    let mut cmd = Command::new(&python);
    cmd.arg(root.join("testbenches/cocotb/run.py"))
        .arg("--build-dir")
        .arg(work.join("sim_build"))
        .arg("--test-dir")
        .arg(work.join(name))
        .env("PATH", with_venv_on_path(&python))
        .env_remove(PLANT_ENV);
    if plant {
        cmd.env(PLANT_ENV, "1");
    }
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let text = output_text(&out);
    fs::write(work.join(format!("{name}.log")), &text).map_err(|e| format!("cannot write the bench's log: {e}"))?;
    Ok(outcome_of(out.status.code(), &text, &work.join(format!("{name}.log"))))
}

/// The bench's verdict from run.py's exit code and its last line `cocotb: N tests, M failed`.
fn outcome_of(code: Option<i32>, text: &str, log: &Path) -> Outcome {
    let summary = text.lines().rev().find_map(|l| {
        let rest = l.strip_prefix("cocotb: ")?;
        let (tests, failed) = rest.split_once(" tests, ")?;
        Some((tests.parse::<usize>().ok()?, failed.strip_suffix(" failed")?.parse::<usize>().ok()?))
    });
    if let Some(line) = text.lines().find(|l| l.starts_with("SKIPPED: ")) {
        let reason = line.trim_start_matches("SKIPPED: ").to_string();
        println!("SKIPPED: {reason}");
        return Outcome::Skipped { reason };
    }
    match (code, summary) {
        (Some(0), Some((tests, 0))) if tests > 0 => Outcome::Passed { tests },
        (_, Some((tests, failed))) => {
            let fails: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL ")).collect();
            Outcome::Failed { why: format!("{failed} of {tests} cocotb tests failed (log: {}):\n{}", log.display(), fails.join("\n")) }
        }
        _ => {
            let tail: Vec<&str> = text.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
            Outcome::Failed { why: format!("the cocotb bench did not finish (exit {code:?}; log: {}):\n{}", log.display(), tail.join("\n")) }
        }
    }
}

/// `maturin build` of `bindings/python/` into `build/python/wheels/`; returns the wheel.
/// Cargo's own change tracking makes a rebuild of unchanged sources a few seconds.
fn build_wheel(root: &Path, python: &Path, maturin: &Path) -> Result<PathBuf, String> {
    let crate_dir = root.join("bindings/python");
    let wheels = root.join("build/python/wheels");
    // Only this build's wheel in the folder, so there is no doubt which one to install.
    let _ = fs::remove_dir_all(&wheels);
    let started = Instant::now();
    let out = Command::new(maturin)
        .current_dir(&crate_dir)
        .args(["build", "--release", "--auditwheel", "skip", "--locked", "-i"])
        .arg(python)
        .arg("-o")
        .arg(&wheels)
        .env("CARGO_TARGET_DIR", root.join("build/python/target"))
        // The models need no Verilated RTL: a folder without `.ports` files keeps
        // pluton-bindings' build script from running Verilator over all of rtl/.
        .env("PLUTON_RTL_DIR", crate_dir.join("src"))
        .output()
        .map_err(|e| format!("cannot run {}: {e}", maturin.display()))?;
    if !out.status.success() {
        let text = output_text(&out);
        let tail: Vec<&str> = text.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!("maturin build of bindings/python failed ({}):\n{}", out.status, tail.join("\n")));
    }
    let wheel = fs::read_dir(&wheels)
        .map_err(|e| format!("maturin wrote no {}: {e}", wheels.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| format!("maturin finished but {} holds no wheel", wheels.display()))?;
    eprintln!("built {} in {:.1} s", wheel.display(), started.elapsed().as_secs_f64());
    Ok(wheel)
}

/// Install `wheel` into the tools venv (over any earlier build of the same version).
fn install_wheel(root: &Path, python: &Path, wheel: &Path) -> Result<(), String> {
    let out = Command::new(python)
        .current_dir(root)
        .args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-deps", "--force-reinstall"])
        .arg(wheel)
        .output()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("pip install {} failed: {}", wheel.display(), output_text(&out)))
    }
}

/// PATH with the venv's `bin/` first (cocotb's runner looks for its own tools there).
fn with_venv_on_path(python: &Path) -> std::ffi::OsString {
    let bin = python.parent().map(Path::to_path_buf).unwrap_or_default();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).unwrap_or(rest)
}

fn output_text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The bench as one row of the co-simulation regression's summary (`pluton cosim`).
pub fn regression_entry() -> crate::regression::TestResult {
    let started = Instant::now();
    let outcome = run(false);
    let (passed, skipped, message, checks) = match outcome {
        Outcome::Passed { tests } => (true, false, String::new(), tests as u64),
        Outcome::Failed { why } => (false, false, why, 0),
        Outcome::Skipped { reason } => (true, true, format!("SKIPPED: {reason}"), 0),
    };
    crate::regression::TestResult {
        block: "sha256".into(),
        test: "cocotb_icarus".into(),
        backend: crate::regression::Backend::Lockstep,
        passed,
        message,
        checks,
        cycles: 0,
        reads_compared: 0,
        leak_reads: 0,
        seconds: started.elapsed().as_secs_f64(),
        metrics: Vec::new(),
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_from_the_runner_output() {
        let log = Path::new("x.log");
        assert_eq!(outcome_of(Some(0), "noise\ncocotb: 3 tests, 0 failed\n", log), Outcome::Passed { tests: 3 });
        match outcome_of(Some(1), "FAIL a: read 0x020\ncocotb: 3 tests, 1 failed\n", log) {
            Outcome::Failed { why } => assert!(why.contains("1 of 3") && why.contains("FAIL a: read 0x020"), "{why}"),
            o => panic!("{o:?}"),
        }
        assert!(matches!(outcome_of(Some(1), "Traceback ...", log), Outcome::Failed { .. }));
        assert!(matches!(outcome_of(Some(0), "cocotb: 0 tests, 0 failed", log), Outcome::Failed { .. }));
        assert!(matches!(outcome_of(Some(2), "SKIPPED: iverilog is not on PATH", log), Outcome::Skipped { .. }));
    }
}
