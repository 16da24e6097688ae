//! `pluton cosim --coverage`: per-block line and toggle coverage of the regression, and its HTML report.
//!
//! Each test run on RTL writes `build/coverage/dat/<top>/<test>.dat` (a replay of its ports
//! through a build with Verilator coverage, see `pluton_bindings::replay`). A block's figures are
//! those of its top merged over all its tests.

use crate::structural::Waived;
use pluton_bindings::coverage::{Coverage, Figure, Kind};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Goals per block (issue 16): line (with branch sides) and toggle coverage, in percent.
pub const LINE_GOAL: f64 = 95.0;
pub const TOGGLE_GOAL: f64 = 90.0;

fn dir() -> PathBuf {
    pluton_toolchain::project_root().join("build").join("coverage")
}

/// Start a coverage run of `block` (all blocks when `None`): clear their earlier files, which
/// would merge into this run's figures. Other blocks' files stay, so per-block runs add up.
pub fn clear(block: Option<&str>) -> Result<(), String> {
    for b in crate::regression::benches().iter().filter(|b| block.is_none_or(|x| x == b.block)) {
        let d = dir().join("dat").join(b.module);
        match std::fs::remove_dir_all(&d) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(format!("cannot clear {}: {e}", d.display())),
            _ => {}
        }
    }
    Ok(())
}

/// Where a test of `top` writes its coverage.
pub fn dat_path(top: &str, test: &str) -> Result<PathBuf, String> {
    let d = dir().join("dat").join(top);
    std::fs::create_dir_all(&d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    Ok(d.join(format!("{test}.dat")))
}

/// One block's merged coverage.
pub struct BlockCoverage {
    pub top: String,
    pub tests: usize,
    /// The figures without the points waived as constant by construction.
    pub line: Figure,
    pub toggle: Figure,
    /// Points left out, each with its reason (`structural.rs`).
    pub waived: Vec<Waived>,
    /// Points a rule would waive but a test hit: the rule is wrong for this block.
    pub wrong: Vec<Waived>,
    pub coverage: Coverage,
}

impl BlockCoverage {
    pub fn meets_goals(&self) -> bool {
        self.line.percent() >= LINE_GOAL && self.toggle.percent() >= TOGGLE_GOAL && self.wrong.is_empty()
    }
}

/// Line and toggle figures of `c` without the points constant by construction; and those points
/// (waived, and wrongly waived).
pub fn figures(c: &Coverage) -> (Figure, Figure, Vec<Waived>, Vec<Waived>) {
    let (counted, waived, wrong) = crate::structural::split(c.points().collect());
    let figure = |kind: Kind| {
        let of_kind = counted.iter().filter(|p| p.kind == kind);
        Figure { covered: of_kind.clone().filter(|p| p.count > 0).count() as u64, total: of_kind.count() as u64 }
    };
    (figure(Kind::Line), figure(Kind::Toggle), waived, wrong)
}

/// Merge every top's files; write `build/coverage/<top>.dat` (merged) and the report
/// `build/coverage/index.html`; return the figures, by top.
pub fn report() -> Result<Vec<BlockCoverage>, String> {
    let root = dir().join("dat");
    let mut tops: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| format!("no coverage in {}: {e}", root.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    tops.sort();
    let mut blocks = Vec::new();
    for t in tops {
        let top = t.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut merged = Coverage::default();
        let mut tests = 0;
        for f in std::fs::read_dir(&t).map_err(|e| format!("{}: {e}", t.display()))?.filter_map(|e| e.ok().map(|e| e.path())) {
            if f.extension().is_some_and(|x| x == "dat") {
                merged.merge(&Coverage::read(&f)?);
                tests += 1;
            }
        }
        merged.write(&dir().join(format!("{top}.dat")))?;
        let (line, toggle, waived, wrong) = figures(&merged);
        blocks.push(BlockCoverage { top, tests, line, toggle, waived, wrong, coverage: merged });
    }
    let html = dir().join("index.html");
    std::fs::write(&html, html_report(&blocks)).map_err(|e| format!("writing {}: {e}", html.display()))?;
    Ok(blocks)
}

/// The summary table, as the CLI prints it.
pub fn summary(blocks: &[BlockCoverage]) -> String {
    let mut s = format!("{:<22} {:>6} {:>22} {:>22} {:>7}  goals ({LINE_GOAL}% line, {TOGGLE_GOAL}% toggle)\n", "top", "tests", "line (with branches)", "toggle", "waived");
    let cell = |f: &Figure| format!("{:.1}% ({}/{})", f.percent(), f.covered, f.total);
    for b in blocks {
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>22} {:>22} {:>7}  {}",
            b.top,
            b.tests,
            cell(&b.line),
            cell(&b.toggle),
            b.waived.len(),
            if b.meets_goals() { "met" } else { "NOT met" }
        );
        for w in &b.wrong {
            let _ = writeln!(s, "  WRONG WAIVER: {} {} toggled, yet: {}", w.point.instance, w.point.what, w.reason);
        }
    }
    s += "waived: toggles constant by construction (testbenches/src/structural.rs), left out of the figures\n";
    s + &format!("report: {}\n", dir().join("index.html").display())
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Uncovered points listed per block, at most this many of each kind.
const LISTED: usize = 400;

fn html_report(blocks: &[BlockCoverage]) -> String {
    let mut h = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Pluton coverage</title>\n<style>\
         body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px}\
         td.n{text-align:right}.ok{background:#dfd}.low{background:#fdd}code{font-size:90%}</style></head><body>\n\
         <h1>Coverage of the co-simulation regression</h1>\n",
    );
    let _ = writeln!(h, "<p>Verilator line coverage (statement blocks and both sides of every branch) and toggle coverage (each bit, each direction), merged over every test of each block. Goals: {LINE_GOAL}% line, {TOGGLE_GOAL}% toggle. Toggles that are constant by construction (the rules in <code>testbenches/src/structural.rs</code>) are waived: left out of the figures, and listed per block with their reason.</p>");
    h.push_str("<table><tr><th>top</th><th>tests</th><th>line</th><th>toggle</th><th>waived</th></tr>\n");
    for b in blocks {
        let cell = |f: &Figure, goal: f64| {
            format!("<td class=\"n {}\">{:.1}% ({}/{})</td>", if f.percent() >= goal { "ok" } else { "low" }, f.percent(), f.covered, f.total)
        };
        let _ = writeln!(
            h,
            "<tr><td><a href=\"#{0}\">{0}</a></td><td class=\"n\">{1}</td>{2}{3}<td class=\"n {5}\">{4}</td></tr>",
            b.top,
            b.tests,
            cell(&b.line, LINE_GOAL),
            cell(&b.toggle, TOGGLE_GOAL),
            b.waived.len(),
            if b.wrong.is_empty() { "" } else { "low" }
        );
    }
    h.push_str("</table>\n");
    for b in blocks {
        let _ = writeln!(h, "<h2 id=\"{0}\">{0}</h2>", b.top);
        for w in &b.wrong {
            let _ = writeln!(h, "<p class=\"low\">Wrong waiver: <code>{} {}</code> toggled, yet the rule says: {}</p>", escape(&w.point.instance), escape(&w.point.what), escape(&w.reason));
        }
        if !b.waived.is_empty() {
            // One row per signal and reason: the bits are many, the reasons few.
            let mut groups: std::collections::BTreeMap<(String, String, String), usize> = Default::default();
            for w in &b.waived {
                let signal = w.point.what.split(['[', ':']).next().unwrap_or("").to_string();
                *groups.entry((w.point.instance.clone(), signal, w.reason.clone())).or_default() += 1;
            }
            let _ = writeln!(h, "<h3>Waived: {} toggles constant by construction</h3>\n<table><tr><th>instance</th><th>signal</th><th>toggles</th><th>why</th></tr>", b.waived.len());
            for ((inst, signal, why), n) in &groups {
                let _ = writeln!(h, "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"n\">{n}</td><td>{}</td></tr>", escape(inst), escape(signal), escape(why));
            }
            h.push_str("</table>\n");
        }
        let (counted, _, _) = crate::structural::split(b.coverage.points().collect());
        for (kind, title) in [(Kind::Line, "Lines and branch sides never reached"), (Kind::Toggle, "Toggles never seen")] {
            let missed: Vec<_> = counted.iter().filter(|p| p.kind == kind && p.count == 0).collect();
            let _ = writeln!(h, "<h3>{title}: {}</h3>", missed.len());
            if missed.is_empty() {
                continue;
            }
            h.push_str("<table><tr><th>file:line</th><th>module</th><th>instance</th><th>what</th></tr>\n");
            for p in missed.iter().take(LISTED) {
                let file = p.file.rsplit('/').next().unwrap_or(&p.file);
                let _ = writeln!(
                    h,
                    "<tr><td><code>{}:{}</code></td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                    escape(file),
                    p.line,
                    escape(&p.module),
                    escape(&p.instance),
                    escape(&p.what)
                );
            }
            h.push_str("</table>\n");
            if missed.len() > LISTED {
                let _ = writeln!(h, "<p>... and {} more (all in <code>build/coverage/{}.dat</code>).</p>", missed.len() - LISTED, b.top);
            }
        }
    }
    h.push_str("</body></html>\n");
    h
}
