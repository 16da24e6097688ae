//! Formal proofs with SBY (unbounded, by k-induction): the list, the runner and their results.
//!
//! Each proof is one task of an IP's `.sby` file under `testbenches/<ip>/formal/`. A `prove`
//! task must pass both the base case and the induction step. Every proof has a mutant task
//! beside it (the same property over a deliberately broken design or weakened harness) that
//! must FAIL, so a property that can never fail is caught.

use std::path::PathBuf;
use std::time::Instant;

/// One SBY task and what it must give.
#[derive(Clone, Copy, Debug)]
pub struct Proof {
    /// Letter from the issue, e.g. "a".
    pub id: &'static str,
    pub block: &'static str,
    /// What is proved, in words.
    pub claim: &'static str,
    /// `.sby` file, relative to the project root.
    pub sby: &'static str,
    /// Task that must prove the claim.
    pub task: &'static str,
    /// Task that must fail (the claim over a broken design).
    pub mutant: &'static str,
}

/// Every proof in the regression: each bench's `proofs`.
pub fn proofs() -> Vec<Proof> {
    crate::regression::benches().iter().flat_map(|b| b.proofs.iter().copied()).collect()
}

/// Outcome of one SBY task.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TaskResult {
    pub task: String,
    /// SBY's own verdict: PASS, FAIL, ERROR, UNKNOWN, TIMEOUT.
    pub verdict: String,
    pub seconds: f64,
    /// The tail of SBY's log when something went wrong.
    pub log: String,
}

/// Outcome of a proof and its mutant.
#[derive(Clone, Debug)]
pub struct ProofResult {
    pub proof: Proof,
    pub proved: TaskResult,
    pub mutant: TaskResult,
}

impl ProofResult {
    pub fn passed(&self) -> bool {
        self.proved.verdict == "PASS" && self.mutant.verdict == "FAIL"
    }
    pub fn message(&self) -> String {
        let mut m = String::new();
        if self.proved.verdict != "PASS" {
            m += &format!("task `{}` gave {}, not PASS:\n{}\n", self.proved.task, self.proved.verdict, self.proved.log);
        }
        if self.mutant.verdict != "FAIL" {
            m += &format!(
                "mutant task `{}` gave {}, not FAIL: the property does not catch the broken design\n{}\n",
                self.mutant.task, self.mutant.verdict, self.mutant.log
            );
        }
        m
    }
}

/// Run one SBY task of `sby` in `build/formal/<file stem>_<task>` (paths in the file are
/// relative to the file's folder).
pub fn run_task(sby: &str, task: &str) -> TaskResult {
    let root = pluton_toolchain::project_root();
    let file = root.join(sby);
    let started = Instant::now();
    let fail = |verdict: &str, log: String| TaskResult { task: task.into(), verdict: verdict.into(), seconds: started.elapsed().as_secs_f64(), log };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => return fail("ERROR", format!("cannot read {}: {e}", file.display())),
    };
    // A bounded check must not pass for a proof: the task's mode has to be `prove`.
    if !task_mode_is_prove(&text, task) {
        return fail("ERROR", format!("{sby}: task `{task}` does not run in `mode prove` (unbounded)"));
    }
    let tool = match pluton_toolchain::formal() {
        Ok(t) => t,
        Err(e) => return fail("ERROR", format!("SBY is not available: {e}")),
    };
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let workdir: PathBuf = root.join("build/formal").join(format!("{stem}_{task}"));
    let _ = std::fs::create_dir_all(workdir.parent().unwrap());
    let out = tool.command().arg("-f").arg("-d").arg(&workdir).arg(&file).arg(task).current_dir(file.parent().unwrap_or(&root)).output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return fail("ERROR", format!("cannot run {}: {e}", tool.program.display())),
    };
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let verdict = std::fs::read_to_string(workdir.join("status"))
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "ERROR".into());
    let tail: Vec<&str> = log.lines().rev().take(25).collect();
    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    TaskResult { task: task.into(), verdict, seconds: started.elapsed().as_secs_f64(), log: tail }
}

/// True if `task` (or every task, when the file sets the mode for all) uses `mode prove`.
fn task_mode_is_prove(text: &str, task: &str) -> bool {
    let mut in_options = false;
    let mut found = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_options = line == "[options]";
            continue;
        }
        if !in_options {
            continue;
        }
        // `mode prove`, or `task1 task2: mode prove` for some tasks only.
        let (tasks, rest) = match line.split_once(':') {
            Some((t, r)) => (Some(t), r.trim()),
            None => (None, line),
        };
        if let Some(mode) = rest.strip_prefix("mode") {
            let applies = tasks.is_none_or(|t| t.split_whitespace().any(|x| x == task));
            if applies {
                found = mode.trim() == "prove";
                if !found {
                    return false;
                }
            }
        }
    }
    found
}

/// Run a proof and its mutant.
pub fn run_proof(p: &Proof) -> ProofResult {
    ProofResult { proof: *p, proved: run_task(p.sby, p.task), mutant: run_task(p.sby, p.mutant) }
}

/// Run every proof (or those whose block or id matches `filter`).
pub fn run_all(filter: Option<&str>) -> Vec<ProofResult> {
    run_shard(filter, crate::shard::Shard::ALL).into_iter().map(|(_, r)| r).collect()
}

/// [`run_all`] for one shard: the proofs whose number in the list the shard owns, with it.
pub fn run_shard(filter: Option<&str>, shard: crate::shard::Shard) -> Vec<(usize, ProofResult)> {
    proofs()
        .iter()
        .filter(|p| filter.is_none_or(|f| p.block == f || p.id == f))
        .enumerate()
        .filter(|(k, _)| shard.owns(*k))
        .map(|(k, p)| {
            eprintln!("proving ({}) {} ...", p.id, p.claim);
            (k, run_proof(p))
        })
        .collect()
}

/// The proofs' part of the regression summary.
pub fn summary_table(results: &[ProofResult]) -> String {
    let mut s = format!("{:<3} {:<9} {:<58} {:>8} {:>9}  {}\n", "id", "block", "proved (k-induction, unbounded)", "prove s", "mutant s", "result");
    for r in results {
        s += &format!(
            "{:<3} {:<9} {:<58} {:>8.1} {:>9.1}  {}\n",
            r.proof.id,
            r.proof.block,
            r.proof.claim,
            r.proved.seconds,
            r.mutant.seconds,
            if r.passed() { "PROVED (mutant fails)".to_string() } else { format!("FAIL ({} / mutant {})", r.proved.verdict, r.mutant.verdict) }
        );
    }
    let ok = results.iter().filter(|r| r.passed()).count();
    s += &format!("{ok} proofs passed, {} failed\n", results.len() - ok);
    s
}

/// Check that a formal twin of a generated module repeats its body verbatim (the twin may only
/// add lines after it): `module` is looked up in `rtl_file`, the twin in `twin_file`.
pub fn twin_matches(rtl_file: &str, module: &str, twin_file: &str) -> Result<(), String> {
    let root = pluton_toolchain::project_root();
    let read = |f: &str| std::fs::read_to_string(root.join(f)).map_err(|e| format!("cannot read {f}: {e}"));
    let (rtl, twin) = (read(rtl_file)?, read(twin_file)?);
    let start = rtl.find(&format!("module {module}(")).ok_or_else(|| format!("{rtl_file} has no module {module}"))?;
    let end = rtl[start..].find("endmodule").map(|e| start + e).ok_or("unterminated module")?;
    let body = rtl[start..end].trim_end();
    if twin.contains(body) {
        Ok(())
    } else {
        Err(format!("{twin_file} no longer repeats the generated {module} of {rtl_file}: update the twin"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuse_array_twin_is_the_generated_ram() {
        twin_matches("rtl/models/pluton_fuse_array.v", "pluton_fuse_array", "testbenches/otp/formal/fuse_array_twin.sv").unwrap();
        assert!(twin_matches("rtl/pluton_otp.v", "pluton_otp_mac", "testbenches/otp/formal/fuse_array_twin.sv").is_err());
    }

    #[test]
    fn mode_check_reads_task_specific_options() {
        let sby = "[tasks]\nprove_a\nbmc_b\n\n[options]\nprove_a: mode prove\nbmc_b: mode bmc\n";
        assert!(task_mode_is_prove(sby, "prove_a"));
        assert!(!task_mode_is_prove(sby, "bmc_b"));
        assert!(task_mode_is_prove("[options]\nmode prove\n", "x"));
        assert!(!task_mode_is_prove("[options]\nmode bmc\n", "x"));
        assert!(!task_mode_is_prove("[engines]\nsmtbmc\n", "x"));
    }
}
