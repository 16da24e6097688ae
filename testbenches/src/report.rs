//! The regression report, `build/report/index.html`: results, coverage, co-sim speed and synthesis, as tables and SVG plots.
//!
//! It is rebuilt from whatever was last measured, each part from its own file, so a part that has
//! not been run says which command fills it:
//! - the tests: `build/report/results.json`, written by every `pluton cosim` run;
//! - coverage: the merged `build/coverage/<top>.dat` of `pluton cosim --coverage`;
//! - speed: the tests' own cycles/s, and `build/report/speed.json` from `pluton bench`;
//! - synthesis: the committed reports `fpga/reports/<top>-<target>.md` of `pluton synth`.

use crate::coverage::{escape, LINE_GOAL, TOGGLE_GOAL};
use crate::regression::TestResult;
use crate::shard::ShardResults;
use pluton_bindings::coverage::{Coverage, Figure};
use plotters::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The last `pluton cosim` run's results (one shard or the whole run), under the project `root`.
pub fn results_path(root: &Path) -> PathBuf {
    root.join("build/report/results.json")
}

/// The last `pluton bench` speed table.
pub fn speed_path(root: &Path) -> PathBuf {
    root.join("build/report/speed.json")
}

/// One row of `pluton bench`'s speed table (cycles per second).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpeedRow {
    pub workload: String,
    pub cycles: u64,
    pub lockstep: Option<f64>,
    pub rtl: f64,
    pub model: Option<f64>,
    /// The fastest bare C++ Verilator loop on the same stimulus.
    pub limit: f64,
}

/// One block's merged coverage.
pub struct CoverageRow {
    pub top: String,
    pub line: Figure,
    pub toggle: Figure,
}

/// One synthesis report's headline figures.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthRow {
    pub top: String,
    pub target: String,
    pub luts: u64,
    pub ffs: u64,
    /// `None` where the flow gives no timing (the Artix-7 Yosys estimate).
    pub fmax_mhz: Option<f64>,
}

/// Everything the report shows.
#[derive(Default)]
pub struct Inputs {
    /// Seed and scope of the run the tests come from.
    pub run: Option<String>,
    pub tests: Vec<TestResult>,
    pub coverage: Vec<CoverageRow>,
    pub speed: Vec<SpeedRow>,
    pub synth: Vec<SynthRow>,
    /// Files that were there but could not be read, with why (shown, never fatal).
    pub problems: Vec<String>,
}

/// Read what has been measured so far under `root` (the project root).
pub fn gather(root: &Path) -> Inputs {
    let mut i = Inputs::default();
    let results = results_path(root);
    if results.is_file() {
        match ShardResults::read(&results) {
            Ok(r) => {
                i.run = Some(format!(
                    "seed {}, shard {}{}{}",
                    r.key.seed,
                    r.shard,
                    r.key.block.as_deref().map(|b| format!(", block {b}")).unwrap_or_default(),
                    r.key.filter.as_deref().map(|f| format!(", filter {f}")).unwrap_or_default()
                ));
                i.tests = r.tests.into_iter().map(|(_, t)| t).collect();
            }
            Err(e) => i.problems.push(e),
        }
    }
    let cov = root.join("build").join("coverage");
    if let Ok(entries) = std::fs::read_dir(&cov) {
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "dat")).collect();
        files.sort();
        for f in files {
            match Coverage::read(&f) {
                Ok(c) => {
                    let (line, toggle, _, _) = crate::coverage::figures(&c);
                    let top = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                    i.coverage.push(CoverageRow { top, line, toggle });
                }
                Err(e) => i.problems.push(e),
            }
        }
    }
    let speed = speed_path(root);
    if speed.is_file() {
        match std::fs::read_to_string(&speed).map_err(|e| e.to_string()).and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string())) {
            Ok(rows) => i.speed = rows,
            Err(e) => i.problems.push(format!("{}: {e}", speed.display())),
        }
    }
    if let Ok(entries) = std::fs::read_dir(root.join("fpga").join("reports")) {
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "md")).collect();
        files.sort();
        for f in files {
            let name = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            // Only `<top>-<target>.md` are synthesis reports (studies sit beside them).
            let Some((top, target)) = name.split_once('-').filter(|(t, _)| t.starts_with("pluton_")) else { continue };
            match std::fs::read_to_string(&f).map_err(|e| e.to_string()).and_then(|t| parse_synth(&t)) {
                Ok((luts, ffs, fmax_mhz)) => i.synth.push(SynthRow { top: top.into(), target: target.into(), luts, ffs, fmax_mhz }),
                Err(e) => i.problems.push(format!("{}: {e}", f.display())),
            }
        }
    }
    i
}

/// LUTs, FFs and Fmax from a synthesis report's first table (its placed, or synthesized, column).
pub fn parse_synth(text: &str) -> Result<(u64, u64, Option<f64>), String> {
    let cell = |row: &str| -> Option<String> {
        text.lines().find_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() > 2 && cells[1] == row).then(|| cells[2].to_string())
        })
    };
    let count = |row: &str| -> Result<u64, String> {
        let c = cell(row).ok_or(format!("no `{row}` row in the resource table"))?;
        c.parse().map_err(|_| format!("`{row}` is `{c}`, not a count"))
    };
    let fmax = cell("Fmax").ok_or("no `Fmax` row in the resource table")?;
    let fmax_mhz = fmax.split_once(" MHz").and_then(|(v, _)| v.trim().parse().ok());
    Ok((count("LUTs")?, count("FFs")?, fmax_mhz))
}

/// Horizontal bars, one group per category, one bar per series; goal lines. SVG text.
fn bars(title: &str, unit: &str, categories: &[String], series: &[(&str, Vec<f64>)], goals: &[(&str, f64)]) -> String {
    const PALETTE: [RGBColor; 4] = [RGBColor(0x33, 0x66, 0xaa), RGBColor(0xdd, 0x88, 0x22), RGBColor(0x44, 0x99, 0x55), RGBColor(0x99, 0x44, 0x99)];
    let n = categories.len().max(1);
    let height = 70 + 22 * n as u32 * series.len().max(1) as u32;
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).chain(goals.iter().map(|g| g.1)).fold(0.0f64, f64::max).max(1e-9) * 1.08;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, height)).into_drawing_area();
        let draw = || -> Result<(), Box<dyn std::error::Error + '_>> {
            root.fill(&WHITE)?;
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 16))
                .margin(8)
                .x_label_area_size(30)
                .y_label_area_size(190)
                .build_cartesian_2d(0.0..max, 0.0..n as f64)?;
            let label = |y: &f64| {
                // Category k is drawn top-down, centred at n - k - 0.5.
                let k = n as f64 - y - 0.5;
                if (k - k.round()).abs() < 1e-6 && k >= 0.0 { categories.get(k.round() as usize).cloned().unwrap_or_default() } else { String::new() }
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(2 * n + 1)
                .y_label_formatter(&label)
                .x_desc(unit)
                .draw()?;
            let band = 0.8 / series.len().max(1) as f64;
            for (s, (name, values)) in series.iter().enumerate() {
                let color = PALETTE[s % PALETTE.len()];
                chart
                    .draw_series(values.iter().enumerate().map(|(k, v)| {
                        let top = n as f64 - k as f64 - 0.1 - band * s as f64;
                        Rectangle::new([(0.0, top - band), (*v, top)], color.filled())
                    }))?
                    .label(*name)
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
            }
            for (g, (name, value)) in goals.iter().enumerate() {
                let color = PALETTE[g % PALETTE.len()].stroke_width(2);
                chart
                    .draw_series(LineSeries::new([(*value, 0.0), (*value, n as f64)], color))?
                    .label(format!("{name} {value}"))
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 10, y)], color));
            }
            if series.len() > 1 || !goals.is_empty() {
                chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
            }
            root.present()?;
            Ok(())
        };
        if let Err(e) = draw() {
            return format!("<p>plot {title} not drawn: {}</p>", escape(&e.to_string()));
        }
    }
    svg
}

fn percent_cell(f: &Figure, goal: f64) -> String {
    format!("<td class=\"n {}\">{:.1}% ({}/{})</td>", if f.percent() >= goal { "ok" } else { "low" }, f.percent(), f.covered, f.total)
}

/// The page.
pub fn html(i: &Inputs) -> String {
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pluton regression report</title>\n<style>\
         body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin-bottom:1em}\
         td,th{border:1px solid #bbb;padding:3px 8px}td.n{text-align:right}.ok{background:#dfd}.low,.fail{background:#fdd}\
         .skip{background:#eee}svg{display:block;margin:1em 0}</style></head><body>\n<h1>Pluton regression report</h1>\n",
    );
    for p in &i.problems {
        let _ = writeln!(h, "<p class=\"fail\">Not read: {}</p>", escape(p));
    }

    // 1. The summary table.
    h.push_str("<h2 id=\"tests\">Tests</h2>\n");
    if i.tests.is_empty() {
        h.push_str("<p>No results yet: run <code>cargo run --release -- cosim</code>.</p>\n");
    } else {
        let passed = i.tests.iter().filter(|t| t.passed && !t.skipped).count();
        let skipped = i.tests.iter().filter(|t| t.skipped).count();
        let failed = i.tests.len() - passed - skipped;
        let _ = writeln!(
            h,
            "<p id=\"verdict\" class=\"{}\">{passed} passed, {failed} failed, {skipped} skipped ({}).</p>",
            if failed == 0 { "ok" } else { "fail" },
            escape(i.run.as_deref().unwrap_or("run unknown"))
        );
        h.push_str("<table><tr><th>block</th><th>test</th><th>backend</th><th>checks</th><th>cycles</th><th>reads compared</th><th>seconds</th><th>cycles/s</th><th>result</th></tr>\n");
        for t in &i.tests {
            let (class, word) = if t.skipped { ("skip", "SKIP") } else if t.passed { ("ok", "PASS") } else { ("fail", "FAIL") };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{:.0}</td><td class=\"{class}\" title=\"{}\">{word}</td></tr>",
                escape(&t.block),
                escape(&t.test),
                format!("{:?}", t.backend).to_lowercase(),
                t.checks,
                t.cycles,
                t.reads_compared,
                t.seconds,
                t.cycles as f64 / t.seconds.max(1e-9),
                escape(&t.message)
            );
        }
        h.push_str("</table>\n");
    }

    // 2. Coverage.
    h.push_str("<h2 id=\"coverage\">Coverage</h2>\n");
    if i.coverage.is_empty() {
        h.push_str("<p>No coverage yet: run <code>cargo run --release -- cosim --coverage</code>.</p>\n");
    } else {
        let _ = writeln!(h, "<p>Verilator line (with both sides of every branch) and toggle coverage, merged over each block's tests. Goals {LINE_GOAL}% line, {TOGGLE_GOAL}% toggle. What was never reached: <a href=\"../coverage/index.html\">the coverage report</a>.</p>");
        h.push_str("<table><tr><th>top</th><th>line</th><th>toggle</th></tr>\n");
        for c in &i.coverage {
            let _ = writeln!(h, "<tr><td>{}</td>{}{}</tr>", escape(&c.top), percent_cell(&c.line, LINE_GOAL), percent_cell(&c.toggle, TOGGLE_GOAL));
        }
        h.push_str("</table>\n");
        let tops: Vec<String> = i.coverage.iter().map(|c| c.top.clone()).collect();
        let line = i.coverage.iter().map(|c| c.line.percent()).collect();
        let toggle = i.coverage.iter().map(|c| c.toggle.percent()).collect();
        h += &bars("Coverage per block", "percent", &tops, &[("line", line), ("toggle", toggle)], &[("line goal", LINE_GOAL), ("toggle goal", TOGGLE_GOAL)]);
    }

    // 3. Co-simulation speed.
    h.push_str("<h2 id=\"speed\">Co-simulation speed</h2>\n");
    let mut blocks: Vec<(String, u64, f64)> = Vec::new();
    // Tests that simulate nothing here (the cocotb bench runs Icarus) would only dilute it.
    for t in i.tests.iter().filter(|t| !t.skipped && t.seconds > 0.0 && t.cycles > 0) {
        match blocks.iter_mut().find(|b| b.0 == t.block) {
            Some(b) => (b.1, b.2) = (b.1 + t.cycles, b.2 + t.seconds),
            None => blocks.push((t.block.clone(), t.cycles, t.seconds)),
        }
    }
    if blocks.is_empty() {
        h.push_str("<p>No tests measured yet.</p>\n");
    } else {
        let names: Vec<String> = blocks.iter().map(|b| b.0.clone()).collect();
        let rates: Vec<f64> = blocks.iter().map(|b| b.1 as f64 / b.2 / 1e6).collect();
        h += &bars("Regression throughput per block (all its tests)", "M cycles/s", &names, &[("cycles/s", rates)], &[]);
    }
    if i.speed.is_empty() {
        h.push_str("<p>No benchmark yet: run <code>cargo run --release -- bench</code>.</p>\n");
    } else {
        h.push_str("<table><tr><th>workload</th><th>cycles</th><th>lock-step/s</th><th>RTL alone/s</th><th>model alone/s</th><th>bare C++ limit/s</th><th>lock-step / limit</th></tr>\n");
        let opt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
        for s in &i.speed {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.0}</td><td class=\"n\">{}</td><td class=\"n\">{:.0}</td><td class=\"n\">{}</td></tr>",
                escape(&s.workload),
                s.cycles,
                opt(s.lockstep),
                s.rtl,
                opt(s.model),
                s.limit,
                s.lockstep.map_or("-".into(), |l| format!("{:.2}", l / s.limit))
            );
        }
        h.push_str("</table>\n");
        let names: Vec<String> = i.speed.iter().map(|s| s.workload.clone()).collect();
        let m = |v: f64| v / 1e6;
        h += &bars(
            "Benchmark: lock-step, RTL alone and the bare-loop limit",
            "M cycles/s",
            &names,
            &[
                ("lock-step", i.speed.iter().map(|s| m(s.lockstep.unwrap_or(0.0))).collect()),
                ("RTL alone", i.speed.iter().map(|s| m(s.rtl)).collect()),
                ("limit", i.speed.iter().map(|s| m(s.limit)).collect()),
            ],
            &[],
        );
    }

    // 4. Synthesis.
    h.push_str("<h2 id=\"synthesis\">Synthesis</h2>\n");
    if i.synth.is_empty() {
        h.push_str("<p>No synthesis reports: run <code>cargo run --release -- synth BLOCK --target TARGET</code>.</p>\n");
    } else {
        h.push_str("<p>From the committed reports in <code>fpga/reports/</code> (placed figures with the test shell on Lattice parts; the Yosys estimate on Artix-7, whose Fmax comes from <code>fpga/xilinx/vivado.tcl</code>).</p>\n");
        h.push_str("<table><tr><th>top</th><th>target</th><th>LUTs</th><th>FFs</th><th>Fmax</th></tr>\n");
        for s in &i.synth {
            let fmax = s.fmax_mhz.map_or("n/a".into(), |f| format!("{f:.2} MHz"));
            let _ = writeln!(h, "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{fmax}</td></tr>", escape(&s.top), escape(&s.target), s.luts, s.ffs);
        }
        h.push_str("</table>\n");
        let mut targets: Vec<&str> = i.synth.iter().map(|s| s.target.as_str()).collect();
        targets.sort();
        targets.dedup();
        for target in targets {
            let rows: Vec<&SynthRow> = i.synth.iter().filter(|s| s.target == target).collect();
            let names: Vec<String> = rows.iter().map(|s| s.top.clone()).collect();
            let k = |v: u64| v as f64 / 1000.0;
            h += &bars(
                &format!("{target}: LUTs and FFs"),
                "thousands",
                &names,
                &[("LUTs", rows.iter().map(|s| k(s.luts)).collect()), ("FFs", rows.iter().map(|s| k(s.ffs)).collect())],
                &[],
            );
            if rows.iter().any(|s| s.fmax_mhz.is_some()) {
                h += &bars(&format!("{target}: Fmax"), "MHz", &names, &[("Fmax", rows.iter().map(|s| s.fmax_mhz.unwrap_or(0.0)).collect())], &[]);
            }
        }
    }
    h + "</body></html>\n"
}

/// Gather and write `build/report/index.html`; returns its path.
pub fn write(root: &Path) -> Result<PathBuf, String> {
    let out = root.join("build").join("report");
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let path = out.join("index.html");
    std::fs::write(&path, html(&gather(root))).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(path)
}
