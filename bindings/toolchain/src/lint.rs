//! Lints Verilog files with Verilator `-Wall` and Yosys `check`, and flags `initial` blocks.

use crate::Tool;
use std::fs;
use std::path::{Path, PathBuf};

/// What the linters said about one Verilog file.
#[derive(Clone, Debug)]
pub struct LintReport {
    pub file: PathBuf,
    /// Every `%Warning` / `%Error` line from `verilator --lint-only -Wall`.
    pub verilator_warnings: Vec<String>,
    /// Yosys `Warning:` lines, "found and reported N problems" lines, or a failed run.
    pub yosys_problems: Vec<String>,
    /// 1-based line numbers of `initial` blocks (they do not exist in silicon).
    pub initial_blocks: Vec<usize>,
    /// Flops without an asynchronous reset (Yosys `$dff` cells after `proc`, once `memory -nomap`
    /// has folded RAM write-port registers into their memories), as `module/cell`.
    /// For information only: `clean()` does not look at it.
    pub flops_without_reset: Vec<String>,
    /// Cells other than flops that drive a flop's asynchronous reset, in the flattened design, as
    /// `module/cell`. A reset must come from a port or straight from a flop: logic can glitch
    /// within a time step, and an async reset acts on the glitch.
    pub gated_resets: Vec<String>,
}

impl LintReport {
    /// No warnings, no problems and no `initial` blocks.
    pub fn clean(&self) -> bool {
        self.verilator_warnings.is_empty()
            && self.yosys_problems.is_empty()
            && self.initial_blocks.is_empty()
            && self.gated_resets.is_empty()
    }
}

/// Lint one file; its top module is named after the file (`rtl/pluton_sha256.v` -> `pluton_sha256`).
pub fn lint_verilog(file: &Path) -> Result<LintReport, String> {
    let text =
        fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let top = file.file_stem().and_then(|s| s.to_str()).ok_or_else(|| {
        format!(
            "{}: cannot name the top module from this file name",
            file.display()
        )
    })?;
    let verilator = crate::verilator()?;
    let yosys = crate::yosys()?;
    // Each file alone: a top carries every module it needs and a stand-in for any hard macro it
    // uses. A model under
    // `models/` may start its state with an `initial`; synthesizable RTL may not.
    let is_model = file.parent().and_then(|d| d.file_name()).is_some_and(|d| d == "models");
    let (yosys_problems, flops_without_reset, gated_resets) = run_yosys(&yosys, file, top)?;
    Ok(LintReport {
        file: file.to_path_buf(),
        verilator_warnings: run_verilator(&verilator, file, top)?,
        yosys_problems,
        initial_blocks: if is_model { Vec::new() } else { initial_blocks(&text) },
        flops_without_reset,
        gated_resets,
    })
}

/// Lint every `*.v` file in `dir` and in `dir/models`, in name order.
pub fn lint_dir(dir: &Path) -> Result<Vec<LintReport>, String> {
    let list = |d: &Path| -> Vec<PathBuf> {
        fs::read_dir(d).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|ext| ext == "v")).collect()
    };
    if !dir.is_dir() {
        return Err(format!("cannot list {}", dir.display()));
    }
    let mut files = list(dir);
    files.sort();
    let mut models = list(&dir.join("models"));
    models.sort();
    files.extend(models);
    files.iter().map(|f| lint_verilog(f)).collect()
}

/// What a simulator or synthesizer reads for `file`'s design: the hard-macro models it
/// instantiates (first, so they replace its stand-ins), then the file, which holds every module
/// of the design.
pub fn design(file: &Path) -> Result<Vec<PathBuf>, String> {
    let text = fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut files: Vec<PathBuf> = models_used(file, &text).iter().map(|m| dir.join(m)).collect();
    files.push(file.to_path_buf());
    Ok(files)
}

/// The hard-macro models (`models/<module>.v` beside the file) that the file instantiates, as
/// paths relative to the file's folder. Simulation and synthesis read them before the file, so
/// they replace the file's stand-ins.
pub fn models_used(file: &Path, text: &str) -> Vec<String> {
    let Some(dir) = file.parent().map(|d| d.join("models")) else { return Vec::new() };
    let mut found: Vec<String> = fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.path().file_stem().and_then(|s| s.to_str()).map(String::from))
        .filter(|m| text.lines().any(|l| l.trim_start().starts_with(&format!("{m} "))))
        .map(|m| format!("models/{m}.v"))
        .collect();
    found.sort();
    found
}

/// Line numbers (1-based) where a line starts with the keyword `initial`.
pub fn initial_blocks(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            // Same as the regex `^\s*initial\b`: the keyword must not run on into a longer name.
            line.trim_start()
                .strip_prefix("initial")
                .is_some_and(|rest| {
                    !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
                })
        })
        .map(|(n, _)| n + 1)
        .collect()
}

/// The file's folder and bare name: YoWASP tools only see the current folder, so we run there.
fn dir_and_name(file: &Path) -> Result<(PathBuf, String), String> {
    let file = file
        .canonicalize()
        .map_err(|e| format!("cannot find {}: {e}", file.display()))?;
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((dir, name))
}

/// `verilator --lint-only -Wall`: every `%Warning`/`%Error` line counts. No `-Wno-*` flags.
fn run_verilator(tool: &Tool, file: &Path, top: &str) -> Result<Vec<String>, String> {
    let (dir, name) = dir_and_name(file)?;
    let out = tool
        .command()
        .current_dir(&dir)
        .args(["--lint-only", "-Wall", "--top-module", top, &name])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.program.display()))?;
    let text = crate::output_text(&out);
    let mut found: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("%Warning") || l.starts_with("%Error"))
        .map(String::from)
        .collect();
    if !out.status.success() && found.is_empty() {
        // A crash or a usage error still means the file did not lint clean.
        found.push(format!(
            "verilator exited with {}: {}",
            out.status,
            text.trim()
        ));
    }
    Ok(found)
}

/// Mark the lists of reset-less flops and of reset drivers in the Yosys log.
const FLOPS: (&str, &str) = ("PLUTON-FLOPS-BEGIN", "PLUTON-FLOPS-END");
const RESETS: (&str, &str) = ("PLUTON-RESETS-BEGIN", "PLUTON-RESETS-END");

/// Yosys `hierarchy -check; proc; check -assert`; returns (problems, flops without async reset,
/// logic driving an async reset).
fn run_yosys(tool: &Tool, file: &Path, top: &str) -> Result<(Vec<String>, Vec<String>, Vec<String>), String> {
    let (dir, name) = dir_and_name(file)?;
    // Reset drivers: the wires on every `$adff`'s ARST pin, then the cells driving those wires,
    // less the wires themselves and the flops.
    let script = format!(
        "read_verilog {name}; hierarchy -check -top {top}; proc; check -assert; \
         memory -nomap; log {}; select -list t:$dff; log {}; \
         flatten; opt_clean; log {}; \
         select -list t:$adff %ci1:+[ARST] t:$adff %d %ci1 w:* %d t:$adff t:$dff %u %d; log {}",
        FLOPS.0, FLOPS.1, RESETS.0, RESETS.1
    );
    let out = tool
        .command()
        .current_dir(&dir)
        .args(["-p", &script])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", tool.program.display()))?;
    let text = crate::output_text(&out);
    let mut problems: Vec<String> = text
        .lines()
        .filter(|l| {
            l.contains("Warning:")
                || l.contains("ERROR:")
                || (l.contains("found and reported") && !l.contains("reported 0 problems"))
        })
        .map(|l| l.trim().to_string())
        .collect();
    if !out.status.success() {
        problems.push(format!("yosys exited with {}", out.status));
    }
    Ok((problems, selected(&text, FLOPS), selected(&text, RESETS)))
}

/// The `module/cell` lines `select -list` printed between a pair of markers.
fn selected(text: &str, (begin, end): (&str, &str)) -> Vec<String> {
    match (text.find(&format!("\n{begin}")), text.rfind(&format!("\n{end}"))) {
        (Some(b), Some(e)) if b < e => text[b + begin.len() + 1..e]
            .lines()
            .map(str::trim)
            .filter(|l| l.contains('/') && !l.starts_with("--"))
            .map(String::from)
            .collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_initial_keyword_only() {
        let text = "module m;\n  initial begin\n  end\n  reg initialized;\ninitial\n// initial\nendmodule\n";
        assert_eq!(initial_blocks(text), vec![2, 5]);
    }

    /// A fresh temp folder for throwaway Verilog.
    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pluton-lint-{tag}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    const CLEAN: &str = "\
module good (
    input  wire       clock,
    input  wire       rst_n,
    input  wire [7:0] d,
    output reg  [7:0] q
);
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) q <= 8'd0;
        else        q <= d;
    end
endmodule
";

    const WITH_INITIAL: &str = "\
module withinit (
    input  wire clock,
    output reg  q
);
    initial q = 1'b0;
    always @(posedge clock) q <= ~q;
endmodule
";

    const WIDTH_MISMATCH: &str = "\
module narrow (
    input  wire [7:0] a,
    output wire [3:0] y
);
    assign y = a;
endmodule
";

    /// A sub-block's reset gated by logic (flagged), and one from a flop (not flagged).
    const GATED: &str = "\
module sub (
    input  wire clock,
    input  wire rst_n,
    output reg  q
);
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) q <= 1'b0;
        else        q <= ~q;
    end
endmodule
module gated (
    input  wire clock,
    input  wire rst_n,
    input  wire en,
    output wire y
);
    reg run;
    wire q1, q2;
    always @(posedge clock or negedge rst_n) begin
        if (!rst_n) run <= 1'b0;
        else        run <= en;
    end
    sub by_logic (.clock(clock), .rst_n(rst_n & en), .q(q1));
    sub by_flop (.clock(clock), .rst_n(run), .q(q2));
    assign y = q1 ^ q2;
endmodule
";

    /// Runs the real tools (provisioning them if needed), so it is slow the first time.
    #[test]
    fn lints_throwaway_modules() {
        let dir = temp_dir("modules");
        fs::write(dir.join("good.v"), CLEAN).unwrap();
        fs::write(dir.join("withinit.v"), WITH_INITIAL).unwrap();
        fs::write(dir.join("narrow.v"), WIDTH_MISMATCH).unwrap();
        fs::write(dir.join("notes.txt"), "not verilog").unwrap();
        fs::write(dir.join("gated.v"), GATED).unwrap();

        let reports = lint_dir(&dir).unwrap();
        let names: Vec<_> = reports
            .iter()
            .map(|r| r.file.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["gated.v", "good.v", "narrow.v", "withinit.v"]);
        let [gated, good, narrow, withinit] = &reports[..] else {
            unreachable!()
        };

        assert!(good.clean(), "{good:#?}");
        assert!(good.flops_without_reset.is_empty(), "{good:#?}");

        // Exactly one driver: the AND, not the flop `run`.
        assert!(!gated.clean());
        assert_eq!(gated.gated_resets.len(), 1, "{gated:#?}");
        assert!(gated.gated_resets[0].contains("$and"), "{gated:#?}");

        assert!(!narrow.clean());
        assert!(
            narrow
                .verilator_warnings
                .iter()
                .any(|w| w.contains("WIDTH")),
            "{narrow:#?}"
        );

        assert!(!withinit.clean());
        assert_eq!(withinit.initial_blocks, vec![5]);
        assert_eq!(withinit.flops_without_reset.len(), 1, "{withinit:#?}");

        fs::remove_dir_all(&dir).unwrap();
    }
}
