//! Sharding: N shards of a run, merged, give what the unsharded run gives (each test once, with
//! the same cycles, checks and compared reads; each campaign flip once, with the same outcome).

use pluton_testbenches::faults::{self, FaultOptions};
use pluton_testbenches::regression::{run_units, Backend, Options, TestResult};
use pluton_testbenches::shard::{merge, CampaignPart, RunKey, Shard, ShardResults};

const SEED: u64 = 0x5a4d;

/// What must not change between a sharded and an unsharded run (wall time may).
fn facts(t: &TestResult) -> (String, bool, u64, u64, u64, u64) {
    (t.test.clone(), t.passed, t.checks, t.cycles, t.reads_compared, t.leak_reads)
}

fn key(faults: usize) -> RunKey {
    RunKey { seed: SEED, block: Some("sha256".into()), filter: None, backend: "lockstep".into(), scale: 0.05, faults, proofs: false }
}

#[test]
fn three_shards_merge_into_the_unsharded_run() {
    let opts = |shard| Options { seed: Some(SEED), scale: 0.05, shard, ..Options::on(Backend::Lockstep) };
    let whole: Vec<_> = run_units(Some("sha256"), &opts(Shard::ALL)).unwrap().into_iter().map(|(_, t)| facts(&t)).collect();
    assert!(whole.len() >= 10, "only {} sha256 tests", whole.len());
    let parts: Vec<_> = (1..=3)
        .map(|index| {
            let shard = Shard { index, count: 3 };
            let mut r = ShardResults::new(shard, key(0));
            r.tests = run_units(Some("sha256"), &opts(shard)).unwrap();
            assert!(!r.tests.is_empty() && r.tests.len() < whole.len(), "shard {shard} ran {} of {} tests", r.tests.len(), whole.len());
            (format!("shard {shard}"), r)
        })
        .collect();
    let merged: Vec<_> = merge(parts).unwrap().tests.iter().map(facts).collect();
    assert_eq!(merged, whole);
}

#[test]
fn campaign_shards_split_one_plan() {
    let run = |shard| faults::campaign(&FaultOptions { faults: 24, seed: SEED, threads: 1, shard }).unwrap();
    let whole = run(Shard::ALL);
    let parts: Vec<_> = (1..=2)
        .map(|index| {
            let shard = Shard { index, count: 2 };
            let mut r = ShardResults::new(shard, key(24));
            let report = run(shard);
            assert_eq!(report.runs.len(), 12);
            r.campaign = Some(CampaignPart::from_report(&report));
            (format!("shard {shard}"), r)
        })
        .collect();
    let merged = merge(parts).unwrap().campaign.unwrap();
    let flips = |r: &faults::Report| r.runs.iter().map(|r| (r.workload, r.var, r.bit, r.at, r.class)).collect::<Vec<_>>();
    assert_eq!(flips(&merged), flips(&whole));
}
