//! Mutation coverage (`cosim BLOCK --mutants N`) on the APB arbiter: the full regression kills
//! what is not equivalent, and a regression cut down to one test leaves gaps that the formal
//! verdict names.

use pluton_bindings::mutants::{Fate, Verdict};
use pluton_testbenches::mutants::campaign;
use pluton_testbenches::regression::{Backend, Options};

const MUTANTS: u32 = 40;
const SEED: u64 = 5;

fn run(filter: Option<&str>, dir: &str) -> pluton_testbenches::mutants::Campaign {
    let opts = Options { seed: Some(SEED), filter: filter.map(str::to_string), ..Options::on(Backend::Lockstep) };
    let root = pluton_toolchain::project_root().join("build").join("tmp").join(dir);
    let mut c = campaign("apb_arb", MUTANTS, SEED, &opts, &root).expect("the campaign runs");
    assert_eq!(c.len(), 1, "one top: pluton_apb_arb");
    c.remove(0)
}

#[test]
fn the_regression_kills_every_mutant_not_proved_equivalent_and_a_thinner_one_leaves_named_gaps() {
    let full = run(None, "mutants-full");
    assert_eq!(full.top, "pluton_apb_arb");
    assert_eq!(full.tried.len(), MUTANTS as usize, "Yosys lists the mutants asked for");
    for t in &full.tried {
        match &t.fate {
            // A kill names the cycle and the output that left the recorded run.
            Fate::Killed(m) => assert!(m.starts_with("cycle ") && m.contains("output `"), "{}: {m}", t.mutant.describe()),
            Fate::Broke(m) => panic!("{}: the replay broke down: {m}", t.mutant.describe()),
            Fate::Survived => assert!(
                matches!(t.verdict, Some(Ok(Verdict::Equivalent { .. }))),
                "{} survived the full regression without being equivalent: {:?}",
                t.mutant.describe(),
                t.verdict
            ),
        }
    }
    assert!(full.killed() > 0);
    assert!(full.meets_goal(), "{:.1}% killed", full.percent());
    let report = std::fs::read_to_string(&full.report).unwrap();
    assert!(report.contains("| killed |") && report.contains(&format!("#{} ", full.tried[0].mutant.id)), "{report}");

    // Only the reset test: most mutants live, and sat finds inputs that tell them apart.
    let thin = run(Some("apb_arb_reset"), "mutants-reset");
    let gaps = thin.survivors().filter(|t| matches!(t.verdict, Some(Ok(Verdict::Differs { .. })))).count();
    assert!(gaps > 10, "only {gaps} test gaps found with the reset test alone");
    assert!(!thin.meets_goal(), "one reset test cannot meet the goal ({:.1}%)", thin.percent());
    // The verdict is sound: no mutant the full regression killed is called equivalent here.
    for t in thin.survivors() {
        let killed = full.tried.iter().any(|f| f.mutant.id == t.mutant.id && matches!(f.fate, Fate::Killed(_)));
        assert!(
            !(killed && matches!(t.verdict, Some(Ok(Verdict::Equivalent { .. })))),
            "{} was killed by the full regression, yet its verdict says equivalent: {:?}",
            t.mutant.describe(),
            t.verdict
        );
    }
}
