//! `pluton cosim BLOCK --mutants N`: mutation coverage of a block's regression (as YosysHQ's MCY measures it).
//!
//! The block's regression runs once in lock-step, keeping each test's port log. Yosys makes N
//! mutants of the block's netlist ([`pluton_bindings::mutants`]); each is replayed against the
//! logs, shortest first, until one kills it. The unmutated netlist must follow every log first,
//! so a kill is the mutation's doing and not the netlist's. Each survivor gets a formal verdict
//! (equivalent, or a test gap); the goal counts the mutants not proved equivalent.

use crate::regression::{Backend, Options};
use pluton_bindings::mutants::{Fate, Mutant, Mutants, Verdict};
use pluton_bindings::par::parallel_map;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Goal per block (issue 16): this share of the mutants killed, in percent.
pub const KILL_GOAL: f64 = 95.0;

/// Limits of the formal verdict on a survivor: steps of `sat -tempinduct`, and seconds for each
/// of its two tries (`equiv_induct`, then `sat`).
pub const VERDICT_STEPS: u32 = 16;
pub const VERDICT_SECONDS: u32 = 120;

/// One mutant's result.
pub struct Tried {
    pub mutant: Mutant,
    pub fate: Fate,
    /// The test whose log killed it.
    pub by: Option<String>,
    /// A survivor's formal verdict.
    pub verdict: Option<Result<Verdict, String>>,
}

/// A campaign on one Verilated top.
pub struct Campaign {
    pub top: String,
    pub seed: u64,
    /// The logs tried (tests) and their cycles.
    pub tests: usize,
    pub cycles: u64,
    pub tried: Vec<Tried>,
    /// Where the report was written.
    pub report: PathBuf,
}

impl Campaign {
    pub fn killed(&self) -> usize {
        self.tried.iter().filter(|t| t.fate != Fate::Survived).count()
    }
    pub fn survivors(&self) -> impl Iterator<Item = &Tried> {
        self.tried.iter().filter(|t| t.fate == Fate::Survived)
    }
    /// Survivors proved equivalent to the block: no test can kill them.
    pub fn equivalent(&self) -> usize {
        self.survivors().filter(|t| matches!(t.verdict, Some(Ok(Verdict::Equivalent { .. })))).count()
    }
    /// Killed, of the mutants not proved equivalent (the goal's measure).
    pub fn percent(&self) -> f64 {
        100.0 * self.killed() as f64 / (self.tried.len() - self.equivalent()).max(1) as f64
    }
    pub fn meets_goal(&self) -> bool {
        self.percent() >= KILL_GOAL
    }
}

/// Where `pluton cosim BLOCK --mutants N` works: `build/mutants/<block>`.
pub fn dir(block: &str) -> PathBuf {
    pluton_toolchain::project_root().join("build").join("mutants").join(block)
}

/// Run `block`'s regression with `opts` (lock-step, port logs kept), make `n` mutants of each of
/// its tops with `seed`, and try each; all in `root`. `Err` when the regression fails or a log
/// cannot be replayed.
pub fn campaign(block: &str, n: u32, seed: u64, opts: &Options, root: &Path) -> Result<Vec<Campaign>, String> {
    let logs = root.join("logs");
    match std::fs::remove_dir_all(&logs) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(format!("cannot clear {}: {e}", logs.display())),
        _ => {}
    }
    let opts = Options { backend: Backend::Lockstep, waves: false, port_logs: Some(logs.clone()), ..opts.clone() };
    let results = crate::regression::run(Some(block), &opts)?;
    if let Some(r) = results.iter().find(|r| !r.passed) {
        return Err(format!("the regression of `{block}` fails ({}: {}); mutation coverage needs it to pass", r.test, r.message));
    }
    let mut campaigns = Vec::new();
    for top in subdirs(&logs)? {
        let name = top.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        campaigns.push(try_all(&name, n, seed, &top, &root.join(&name))?);
    }
    if campaigns.is_empty() {
        return Err(format!("no test of `{block}` ran on RTL, so there is nothing to mutate"));
    }
    Ok(campaigns)
}

fn subdirs(d: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(d)
        .map_err(|e| format!("no port logs in {}: {e}", d.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

/// Try `n` mutants of `top` on the logs in `logs`; write the report into `out`.
pub fn try_all(top: &str, n: u32, seed: u64, logs: &Path, out: &Path) -> Result<Campaign, String> {
    // Shortest log first: most mutants die early in any test.
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(logs)
        .map_err(|e| format!("{}: {e}", logs.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "portlog"))
        .map(|p| (std::fs::metadata(&p).map_or(0, |m| m.len()), p))
        .collect();
    files.sort();
    let files: Vec<PathBuf> = files.into_iter().map(|(_, p)| p).collect();
    println!("making {n} mutants of {top} (seed {seed}) ...");
    let mutants = Mutants::make(top, n, seed, 10, out)?;
    let mut cycles = 0;
    for f in &files {
        match mutants.run(0, f)? {
            Fate::Survived => cycles += log_cycles(f),
            other => return Err(format!("the unmutated netlist of {top} leaves the log {}: {other:?}", f.display())),
        }
    }
    let bar = indicatif::ProgressBar::new(mutants.list.len() as u64)
        .with_style(indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} mutants, {msg}").unwrap().progress_chars("=> "));
    bar.set_prefix(top.to_string());
    let killed = std::sync::atomic::AtomicUsize::new(0);
    let mut tried = parallel_map(&mutants.list, |m| {
        let mut tried = Tried { mutant: m.clone(), fate: Fate::Survived, by: None, verdict: None };
        for f in &files {
            match mutants.run(m.id, f) {
                Ok(Fate::Survived) => continue,
                Ok(fate) => tried.fate = fate,
                Err(e) => tried.fate = Fate::Broke(e),
            }
            tried.by = f.file_stem().map(|s| s.to_string_lossy().into_owned());
            let k = killed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            bar.set_message(format!("{k} killed"));
            break;
        }
        bar.inc(1);
        tried
    });
    bar.finish_and_clear();
    // The survivors' formal verdicts.
    let survivors: Vec<&mut Tried> = tried.iter_mut().filter(|t| t.fate == Fate::Survived).collect();
    if !survivors.is_empty() {
        println!("{top}: {} survivors; asking Yosys whether each is equivalent (equiv_induct, then sat; up to {VERDICT_SECONDS} s each) ...", survivors.len());
    }
    let verdicts = parallel_map(&survivors, |t| mutants.verdict(t.mutant.id, VERDICT_STEPS, VERDICT_SECONDS));
    for (t, v) in survivors.into_iter().zip(verdicts) {
        t.verdict = Some(v);
    }
    let report = out.join("report.md");
    let c = Campaign { top: top.to_string(), seed, tests: files.len(), cycles, tried, report: report.clone() };
    std::fs::write(&report, markdown(&c)).map_err(|e| format!("writing {}: {e}", report.display()))?;
    Ok(c)
}

/// Cycles in a port log, from its size and header.
fn log_cycles(f: &Path) -> u64 {
    let Ok(bytes) = std::fs::read(f) else { return 0 };
    let word = |i: usize| bytes.get(4 * i..4 * i + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64);
    let per_cycle = 4 * (word(2) + word(3));
    (bytes.len() as u64).saturating_sub(16) / per_cycle.max(1)
}

/// The report: figures, then every survivor, then every kill with the test and cycle.
pub fn markdown(c: &Campaign) -> String {
    let mut s = format!("# Mutation coverage of `{}`\n\n", c.top);
    let _ = writeln!(s, "{} Yosys mutants (seed {}), tried on the port logs of {} lock-step tests ({} cycles).\n", c.tried.len(), c.seed, c.tests, c.cycles);
    let broke = c.tried.iter().filter(|t| matches!(t.fate, Fate::Broke(_))).count();
    let _ = writeln!(s, "| killed | of which the replay broke down | survived | proved equivalent | killed % of the rest | goal |\n|---|---|---|---|---|---|");
    let _ = writeln!(
        s,
        "| {} | {broke} | {} | {} | {:.1} | {KILL_GOAL:.0} ({}) |\n",
        c.killed(),
        c.tried.len() - c.killed(),
        c.equivalent(),
        c.percent(),
        if c.meets_goal() { "met" } else { "NOT met" }
    );
    let _ = writeln!(s, "## Survivors, with Yosys's verdict (`equiv_induct`, then `sat -tempinduct`)\n");
    for t in c.survivors() {
        let _ = writeln!(s, "- {}: {}", t.mutant.describe(), verdict_text(t));
    }
    let _ = writeln!(s, "\n## Killed\n");
    for t in c.tried.iter().filter(|t| t.fate != Fate::Survived) {
        let how = match &t.fate {
            Fate::Killed(m) | Fate::Broke(m) => m.lines().next().unwrap_or_default().to_string(),
            Fate::Survived => String::new(),
        };
        let _ = writeln!(s, "- {} by `{}`: {how}", t.mutant.describe(), t.by.as_deref().unwrap_or("?"));
    }
    s
}

fn verdict_text(t: &Tried) -> String {
    match &t.verdict {
        Some(Ok(v)) => v.to_string(),
        Some(Err(e)) => format!("no verdict: {}", e.lines().next().unwrap_or_default()),
        None => "no verdict".into(),
    }
}

/// The table `pluton cosim BLOCK --mutants N` prints.
pub fn summary(campaigns: &[Campaign]) -> String {
    let mut s = format!("{:<20} {:>8} {:>8} {:>9} {:>11} {:>9}  {}\n", "top", "mutants", "killed", "survived", "equivalent", "killed %", "goal 95%");
    for c in campaigns {
        let _ = writeln!(
            s,
            "{:<20} {:>8} {:>8} {:>9} {:>11} {:>9.1}  {}",
            c.top,
            c.tried.len(),
            c.killed(),
            c.tried.len() - c.killed(),
            c.equivalent(),
            c.percent(),
            if c.meets_goal() { "met" } else { "NOT met" }
        );
        for t in c.survivors() {
            let _ = writeln!(s, "    survived: {}: {}", t.mutant.describe(), verdict_text(t));
        }
        let _ = writeln!(s, "    report: {}", c.report.display());
    }
    s
}
