//! Scale-out: split the regression into N shards that run on N machines, and merge their results.
//!
//! The regression's units (every test case, every proof, every flip of the fault campaign) are
//! numbered in one fixed order. Shard `I/N` takes the units whose number is `I-1` modulo `N`, so
//! the split depends only on the unit list, never on timing. Every shard gets the same `--seed`,
//! which makes each shard replayable on its own and lets the campaign's shards split one plan.
//! Each shard writes a results file; `pluton merge` checks that the files form one complete run
//! and prints the summary the unsharded regression would.

use crate::faults::{Class, Report, Run};
use crate::formal::{self, ProofResult, TaskResult};
use crate::regression::TestResult;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Results file format; a merge refuses files of another version.
const FORMAT: u32 = 1;

/// Shard `index` of `count` (1-based, as CI matrices count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole regression as one shard.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether unit number `k` (0-based, in the regression's order) belongs to this shard.
    pub fn owns(&self, k: usize) -> bool {
        k % self.count == self.index - 1
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("shard `{s}` is not I/N with 1 <= I <= N (e.g. 2/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (i.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a shard ran: the command-line choices every shard of one run must share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunKey {
    pub seed: u64,
    pub block: Option<String>,
    pub filter: Option<String>,
    pub backend: String,
    pub scale: f64,
    /// Flips in the whole campaign (all shards together); 0 when the run has no campaign.
    pub faults: usize,
    pub proofs: bool,
}

/// One shard's results, as written by `pluton cosim --shard I/N --results FILE`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ShardResults {
    pub format: u32,
    pub shard: Shard,
    pub key: RunKey,
    /// (unit number, result): the number orders the merged table as the unsharded run's.
    pub tests: Vec<(usize, TestResult)>,
    pub proofs: Vec<(usize, ProofRecord)>,
    pub campaign: Option<CampaignPart>,
}

/// A proof's result, named by its id (the proof list is static).
#[derive(Debug, Serialize, Deserialize)]
pub struct ProofRecord {
    pub id: String,
    pub proved: TaskResult,
    pub mutant: TaskResult,
}

/// This shard's flips of the fault campaign.
#[derive(Debug, Serialize, Deserialize)]
pub struct CampaignPart {
    /// Names of the state elements (`Run::var` indexes them).
    pub vars: Vec<String>,
    pub workloads: Vec<(String, usize)>,
    pub flops: usize,
    pub flop_bits: usize,
    pub seconds: f64,
    /// (workload, var, bit, at, class) of each flip.
    pub runs: Vec<(usize, usize, u32, usize, Class)>,
}

impl CampaignPart {
    pub fn from_report(r: &Report) -> CampaignPart {
        CampaignPart {
            vars: r.vars.iter().map(|v| v.name.clone()).collect(),
            workloads: r.workloads.clone(),
            flops: r.flops,
            flop_bits: r.flop_bits,
            seconds: r.seconds,
            runs: r.runs.iter().map(|r| (r.workload, r.var, r.bit, r.at, r.class)).collect(),
        }
    }
}

impl ShardResults {
    pub fn new(shard: Shard, key: RunKey) -> ShardResults {
        ShardResults { format: FORMAT, shard, key, tests: Vec::new(), proofs: Vec::new(), campaign: None }
    }

    pub fn add_proofs(&mut self, proofs: &[(usize, ProofResult)]) {
        self.proofs.extend(proofs.iter().map(|(k, p)| (*k, ProofRecord { id: p.proof.id.to_string(), proved: p.proved.clone(), mutant: p.mutant.clone() })));
    }

    pub fn write(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string(self).map_err(|e| format!("encoding shard results: {e}"))?;
        std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
    }

    pub fn read(path: &Path) -> Result<ShardResults, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let r: ShardResults = serde_json::from_str(&text).map_err(|e| format!("{}: not a shard results file: {e}", path.display()))?;
        if r.format != FORMAT {
            return Err(format!("{}: results format {} (this build reads {FORMAT}); rerun the shard with this build", path.display(), r.format));
        }
        Ok(r)
    }
}

/// The merged run: what the unsharded regression would report.
pub struct Merged {
    pub key: RunKey,
    pub shards: usize,
    pub tests: Vec<TestResult>,
    pub proofs: Vec<ProofResult>,
    pub campaign: Option<Report>,
}

/// Merge the results of shards 1..N of one run: each shard exactly once, all with the same
/// seed and options, and no unit claimed twice.
pub fn merge(parts: Vec<(String, ShardResults)>) -> Result<Merged, String> {
    let Some((first_name, first)) = parts.first() else { return Err("no shard results to merge".into()) };
    let (count, key) = (first.shard.count, first.key.clone());
    let mut seen = vec![None::<&str>; count];
    for (name, p) in &parts {
        if p.shard.count != count {
            return Err(format!("{name} is shard {} but {first_name} is of {count} shards", p.shard));
        }
        if p.key != key {
            return Err(format!("{name} ran with other options than {first_name}: {:?} against {:?}", p.key, key));
        }
        if let Some(other) = seen[p.shard.index - 1].replace(name) {
            return Err(format!("shard {} is given twice: {other} and {name}", p.shard));
        }
    }
    let missing: Vec<String> = seen.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(i, _)| format!("{}/{count}", i + 1)).collect();
    if !missing.is_empty() {
        return Err(format!("shard results missing for {}", missing.join(", ")));
    }

    let mut tests: Vec<(usize, TestResult)> = parts.iter().flat_map(|(_, p)| p.tests.iter().cloned()).collect();
    tests.sort_by_key(|(k, _)| *k);
    if let Some(w) = tests.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("test unit {} ({}) comes from two shards", w[0].0, w[0].1.test));
    }
    let all_proofs = formal::proofs();
    let mut proofs: Vec<(usize, ProofResult)> = Vec::new();
    for (name, p) in &parts {
        for (k, r) in &p.proofs {
            let proof = all_proofs.iter().find(|x| x.id == r.id).ok_or(format!("{name}: proof `{}` is not in this build's list", r.id))?;
            proofs.push((*k, ProofResult { proof: *proof, proved: r.proved.clone(), mutant: r.mutant.clone() }));
        }
    }
    proofs.sort_by_key(|(k, _)| *k);

    let campaign = merge_campaign(&parts, key.faults)?;
    Ok(Merged { key, shards: count, tests: tests.into_iter().map(|(_, t)| t).collect(), proofs: proofs.into_iter().map(|(_, p)| p).collect(), campaign })
}

/// The shards' campaign flips as one report; every flip of the plan must be there once.
fn merge_campaign(parts: &[(String, ShardResults)], faults: usize) -> Result<Option<Report>, String> {
    let with: Vec<&(String, ShardResults)> = parts.iter().filter(|(_, p)| p.campaign.is_some()).collect();
    if faults == 0 {
        return Ok(None);
    }
    let Some((first_name, first)) = with.first().map(|(n, p)| (n, p.campaign.as_ref().unwrap())) else {
        return Err("the run has a fault campaign but no shard results hold it".into());
    };
    if with.len() != parts.len() {
        return Err(format!("only {} of {} shard results hold their part of the fault campaign", with.len(), parts.len()));
    }
    let mut runs = Vec::new();
    let mut seconds = 0.0;
    for (name, p) in &with {
        let c = p.campaign.as_ref().unwrap();
        if c.vars != first.vars || c.workloads != first.workloads {
            return Err(format!("{name} ran the campaign on another design or workloads than {first_name}"));
        }
        seconds += c.seconds;
        runs.extend(c.runs.iter().map(|&(workload, var, bit, at, class)| Run { workload, var, bit, at, class }));
    }
    if runs.len() != faults {
        return Err(format!("the campaign's shards hold {} flips; the run asked for {faults}", runs.len()));
    }
    runs.sort_by_key(|r| (r.var, r.bit, r.at));
    let vars = first.vars.iter().map(|name| pluton_bindings::verilated::StateVar { name: name.clone(), bits: 0, elements: 1, words: 0 }).collect();
    Ok(Some(Report {
        runs,
        vars,
        workloads: first.workloads.clone(),
        flops: first.flops,
        flop_bits: first.flop_bits,
        seconds,
        seed: with[0].1.key.seed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regression::Backend;

    fn key() -> RunKey {
        RunKey { seed: 7, block: None, filter: None, backend: "lockstep".into(), scale: 1.0, faults: 0, proofs: false }
    }

    fn result(test: &str) -> TestResult {
        TestResult {
            block: "sha256".into(),
            test: test.into(),
            backend: Backend::Lockstep,
            passed: true,
            message: String::new(),
            checks: 1,
            cycles: 10,
            reads_compared: 0,
            leak_reads: 0,
            seconds: 0.1,
            metrics: vec![("latency".into(), 66.0)],
            skipped: false,
        }
    }

    #[test]
    fn parses_shards_and_names_bad_ones() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { index: 2, count: 4 });
        for bad in ["0/4", "5/4", "2", "a/4", "2/", "/4", "1/0"] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }

    #[test]
    fn every_unit_has_exactly_one_shard() {
        for count in 1..=6 {
            for k in 0..50 {
                let owners = (1..=count).filter(|&index| Shard { index, count }.owns(k)).count();
                assert_eq!(owners, 1, "unit {k} of {count} shards");
            }
        }
    }

    /// Two shards merge into one table in unit order; a missing, doubled or mismatched shard
    /// is refused with a message naming it.
    #[test]
    fn merge_checks_the_shard_set() {
        let shard = |index, tests: &[(usize, &str)]| {
            let mut r = ShardResults::new(Shard { index, count: 2 }, key());
            r.tests = tests.iter().map(|&(k, t)| (k, result(t))).collect();
            (format!("s{index}.json"), r)
        };
        let m = merge(vec![shard(2, &[(1, "b"), (3, "d")]), shard(1, &[(0, "a"), (2, "c")])]).unwrap();
        let names: Vec<&str> = m.tests.iter().map(|t| t.test.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);

        let e = merge(vec![shard(1, &[(0, "a")])]).err().unwrap();
        assert!(e.contains("missing for 2/2"), "{e}");
        let e = merge(vec![shard(1, &[(0, "a")]), shard(1, &[(2, "c")])]).err().unwrap();
        assert!(e.contains("given twice"), "{e}");
        let e = merge(vec![shard(1, &[(0, "a")]), shard(2, &[(0, "a")])]).err().unwrap();
        assert!(e.contains("two shards"), "{e}");
        let (n, mut other) = shard(2, &[(1, "b")]);
        other.key.seed = 8;
        let e = merge(vec![shard(1, &[(0, "a")]), (n, other)]).err().unwrap();
        assert!(e.contains("other options"), "{e}");
    }

    /// A results file survives the round trip; a file of another format, or not JSON, gets a
    /// message naming the file.
    #[test]
    fn results_files_round_trip_and_bad_ones_are_named() {
        let dir = std::env::temp_dir().join(format!("pluton-shard-{}", std::process::id()));
        let path = dir.join("s.json");
        let mut r = ShardResults::new(Shard { index: 1, count: 1 }, key());
        r.tests.push((0, result("a")));
        r.write(&path).unwrap();
        let back = ShardResults::read(&path).unwrap();
        assert_eq!(back.tests[0].1.metrics, r.tests[0].1.metrics);
        assert_eq!(back.key, r.key);

        std::fs::write(&path, "{not json").unwrap();
        assert!(ShardResults::read(&path).unwrap_err().contains("s.json: not a shard results file"));
        r.format = FORMAT + 1;
        r.write(&path).unwrap();
        assert!(ShardResults::read(&path).unwrap_err().contains("results format"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The campaign's parts must add up to the whole plan.
    #[test]
    fn campaign_parts_must_cover_the_plan() {
        let part = |index, runs: Vec<(usize, usize, u32, usize, Class)>| {
            let mut r = ShardResults::new(Shard { index, count: 2 }, RunKey { faults: 3, ..key() });
            r.campaign = Some(CampaignPart { vars: vec!["a.q".into()], workloads: vec![("w".into(), 100)], flops: 1, flop_bits: 2, seconds: 1.0, runs });
            (format!("s{index}.json"), r)
        };
        let a = vec![(0, 0, 0, 5, Class::Harmless), (0, 0, 1, 6, Class::Detected)];
        let m = merge(vec![part(1, a.clone()), part(2, vec![(0, 0, 0, 9, Class::WrongOutput)])]).unwrap();
        let c = m.campaign.unwrap();
        assert_eq!((c.runs.len(), c.count(Class::WrongOutput), c.seconds), (3, 1, 2.0));
        let e = merge(vec![part(1, a), part(2, vec![])]).err().unwrap();
        assert!(e.contains("hold 2 flips; the run asked for 3"), "{e}");
    }
}
