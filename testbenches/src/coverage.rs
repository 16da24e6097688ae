//! `pluton cosim --coverage`: per-block line and toggle coverage of the regression, and its HTML report.
//!
//! Each test run on RTL writes `build/coverage/dat/<top>/<test>.dat` (a replay of its ports
//! through a build with Verilator coverage, see `pluton_bindings::replay`). A block's figures are
//! those of its top merged over all its tests.

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
    pub line: Figure,
    pub toggle: Figure,
    pub coverage: Coverage,
}

impl BlockCoverage {
    pub fn meets_goals(&self) -> bool {
        self.line.percent() >= LINE_GOAL && self.toggle.percent() >= TOGGLE_GOAL
    }
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
        let f = merged.figures();
        blocks.push(BlockCoverage { top, tests, line: f[&Kind::Line], toggle: f[&Kind::Toggle], coverage: merged });
    }
    let html = dir().join("index.html");
    std::fs::write(&html, html_report(&blocks)).map_err(|e| format!("writing {}: {e}", html.display()))?;
    Ok(blocks)
}

/// The summary table, as the CLI prints it.
pub fn summary(blocks: &[BlockCoverage]) -> String {
    let mut s = format!("{:<22} {:>6} {:>22} {:>22}  goals ({LINE_GOAL}% line, {TOGGLE_GOAL}% toggle)\n", "top", "tests", "line (with branches)", "toggle");
    let cell = |f: &Figure| format!("{:.1}% ({}/{})", f.percent(), f.covered, f.total);
    for b in blocks {
        let _ = writeln!(
            s,
            "{:<22} {:>6} {:>22} {:>22}  {}",
            b.top,
            b.tests,
            cell(&b.line),
            cell(&b.toggle),
            if b.meets_goals() { "met" } else { "NOT met" }
        );
    }
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
    let _ = writeln!(h, "<p>Verilator line coverage (statement blocks and both sides of every branch) and toggle coverage (each bit, each direction), merged over every test of each block. Goals: {LINE_GOAL}% line, {TOGGLE_GOAL}% toggle.</p>");
    h.push_str("<table><tr><th>top</th><th>tests</th><th>line</th><th>toggle</th></tr>\n");
    for b in blocks {
        let cell = |f: &Figure, goal: f64| {
            format!("<td class=\"n {}\">{:.1}% ({}/{})</td>", if f.percent() >= goal { "ok" } else { "low" }, f.percent(), f.covered, f.total)
        };
        let _ = writeln!(h, "<tr><td><a href=\"#{0}\">{0}</a></td><td class=\"n\">{1}</td>{2}{3}</tr>", b.top, b.tests, cell(&b.line, LINE_GOAL), cell(&b.toggle, TOGGLE_GOAL));
    }
    h.push_str("</table>\n");
    for b in blocks {
        let _ = writeln!(h, "<h2 id=\"{0}\">{0}</h2>", b.top);
        for (kind, title) in [(Kind::Line, "Lines and branch sides never reached"), (Kind::Toggle, "Toggles never seen")] {
            let missed: Vec<_> = b.coverage.points().filter(|p| p.kind == kind && p.count == 0).collect();
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
