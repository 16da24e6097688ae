//! FPGA synthesis of one Pluton block: serial shell, Yosys/nextpnr flows, and a Markdown report.
//!
//! Targets: iCE40UP5K (iCEBreaker) and ECP5-25F (ULX3S) go through place and route and get a
//! bitstream and Fmax; Artix-7 (Arty A7-35T) gets a Yosys `synth_xilinx` estimate only
//! (run `fpga/xilinx/vivado.tcl` for timing).

pub mod parse;
pub mod shell;

use pluton_toolchain::Tool;
use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An FPGA part, named as on the `pluton` command line.
#[allow(non_camel_case_types)] // `Ecp5_25k` reads like the part name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Ice40Up5k,
    Ecp5_25k,
    /// The larger ECP5 for systems that outgrow the 25F (the two-core `soc`).
    Ecp5_85k,
    Xc7a35t,
}

impl Target {
    pub const ALL: [Target; 4] = [Target::Ice40Up5k, Target::Ecp5_25k, Target::Ecp5_85k, Target::Xc7a35t];

    /// The CLI name, e.g. `ice40-up5k`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Ice40Up5k => "ice40-up5k",
            Target::Ecp5_25k => "ecp5-25k",
            Target::Ecp5_85k => "ecp5-85k",
            Target::Xc7a35t => "xc7a35t",
        }
    }

    /// Device, package and board, for reports.
    pub fn device(self) -> &'static str {
        match self {
            Target::Ice40Up5k => "Lattice iCE40UP5K-SG48 (iCEBreaker)",
            Target::Ecp5_25k => "Lattice LFE5U-25F-CABGA381 (ULX3S 25F)",
            Target::Ecp5_85k => "Lattice LFE5U-85F-CABGA381 (ULX3S 85F)",
            Target::Xc7a35t => "AMD Artix-7 XC7A35T (Arty A7-35T), Yosys estimate",
        }
    }

    /// LUTs (4-input for Lattice, 6-input for Artix-7) the device has.
    pub fn lut_capacity(self) -> u64 {
        match self {
            Target::Ice40Up5k => 5_280,
            Target::Ecp5_25k => 24_288,
            Target::Ecp5_85k => 83_640,
            Target::Xc7a35t => 20_800,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Target::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Target::ALL.iter().map(|t| t.name()).collect();
                format!(
                    "unknown FPGA target `{s}` (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Resource use of one block on one target.
#[derive(Clone, Debug)]
pub struct SynthReport {
    pub target: Target,
    pub top: String,
    /// LUTs of what was placed: block + shell on iCE40/ECP5, the block alone on Artix-7.
    /// iCE40: SB_LUT4; ECP5: LUT4 + 2 per CCU2C carry cell + 6 per DPR16X4 LUT RAM; Artix-7:
    /// LUT1..LUT6 + the LUTs of LUT RAM cells.
    pub luts: u64,
    /// Flip-flops, counted the same way (SB_DFF*, TRELLIS_FF, FD*E).
    pub ffs: u64,
    /// Block RAMs (SB_RAM40_4K / DP16KD / RAMB18E1 + RAMB36E1).
    pub brams: u64,
    /// DSP blocks (SB_MAC16 / MULT18X18D / DSP48E1).
    pub dsps: u64,
    /// nextpnr's Fmax for `clk` after routing; `None` for Artix-7.
    pub fmax_mhz: Option<f64>,
    /// `(tool, version)` of every tool that ran.
    pub tool_versions: Vec<(String, String)>,
    /// Everything the tools printed.
    pub log_path: PathBuf,
    /// The block without the shell, so the shell's cost is visible.
    pub block_luts: u64,
    pub block_ffs: u64,
    /// Shell flip-flops: one per input bit (except clock and rst_n) and per output bit.
    pub shell_ffs: u64,
    /// nextpnr's "Device utilisation" table (empty for Artix-7).
    pub utilisation: Vec<parse::Utilisation>,
    /// Cell counts from Yosys `stat` of what was placed.
    pub cells: Vec<(String, u64)>,
    /// The bitstream, when the flow makes one.
    pub bitstream: Option<PathBuf>,
    /// Why place and route could not finish, when the design does not fit the device.
    pub does_not_fit: Option<String>,
    /// nextpnr's critical path for `clk` (empty for Artix-7).
    pub critical_path: Vec<parse::PathStep>,
    /// How nextpnr placed and routed it (empty for Artix-7).
    pub placement: String,
}

impl SynthReport {
    /// The report as a Markdown page.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        // `write!` into a String cannot fail.
        let _ = writeln!(md, "# `{}` on {}\n", self.top, self.target);
        let _ = writeln!(md, "Device: {}.\n", self.target.device());
        if let Some(why) = &self.does_not_fit {
            let _ = writeln!(md, "**Does not fit:** {why}. No bitstream and no Fmax.\n");
        }
        let placed = if self.target == Target::Xc7a35t {
            "block (synth_xilinx)"
        } else {
            "block + shell (placed)"
        };
        let _ = writeln!(md, "| resource | {placed} | block alone (yosys) |");
        let _ = writeln!(md, "|---|---:|---:|");
        let _ = writeln!(md, "| LUTs | {} | {} |", self.luts, self.block_luts);
        let _ = writeln!(md, "| FFs | {} | {} |", self.ffs, self.block_ffs);
        let _ = writeln!(md, "| BRAMs | {} | |", self.brams);
        let _ = writeln!(md, "| DSPs | {} | |", self.dsps);
        let fmax = match self.fmax_mhz {
            Some(f) => format!("{f:.2} MHz (nextpnr after routing; placement steered at 50 MHz{})", self.placement),
            None if self.target == Target::Xc7a35t => "n/a: use fpga/xilinx/vivado.tcl".to_string(),
            None if self.does_not_fit.is_some() => "n/a: does not fit".to_string(),
            None => "not reported by nextpnr".to_string(),
        };
        let _ = writeln!(md, "| Fmax | {fmax} | |\n");
        if self.target != Target::Xc7a35t {
            let _ = writeln!(
                md,
                "The shell (`{}_shell`: pins `clk`, `rst_n`, `sin`, `sout`) adds {} FFs, one per block \
                 port bit, plus about one LUT per output bit for the XOR fold.\n",
                self.top, self.shell_ffs
            );
        }
        if !self.critical_path.is_empty() {
            let _ = writeln!(md, "## Critical path (nextpnr)\n");
            let _ = writeln!(
                md,
                "Cell outputs in order, with the time at each (routing is the gap). ABC renames \
                 internal nets; `pluton synth BLOCK --keep NET,...` keeps named ones visible.\n"
            );
            let _ = writeln!(md, "| ns | step | cell output |\n|---:|---|---|");
            let mut carries = 0;
            for (i, step) in self.critical_path.iter().enumerate() {
                // A carry chain is one line: its cells' FCO outputs follow each other.
                if step.cell.ends_with(".FCO") {
                    carries += 1;
                    if self.critical_path.get(i + 1).is_some_and(|n| n.cell.ends_with(".FCO")) {
                        continue;
                    }
                    let _ = writeln!(md, "| {:.2} | carry | {carries} carry cells |", step.at_ns);
                    carries = 0;
                    continue;
                }
                let cell: String = step.cell.chars().take(90).collect();
                let _ = writeln!(md, "| {:.2} | {} | `{cell}` |", step.at_ns, step.kind);
            }
            let _ = writeln!(md);
        }
        if !self.utilisation.is_empty() {
            let _ = writeln!(md, "## nextpnr device utilisation\n");
            let _ = writeln!(md, "| bel | used | available |\n|---|---:|---:|");
            for u in self.utilisation.iter().filter(|u| u.used > 0) {
                let _ = writeln!(md, "| {} | {} | {} |", u.bel, u.used, u.available);
            }
            let _ = writeln!(md);
        }
        let _ = writeln!(md, "## Yosys cells\n");
        let _ = writeln!(md, "| cell | count |\n|---|---:|");
        for (cell, n) in &self.cells {
            let _ = writeln!(md, "| {cell} | {n} |");
        }
        let _ = writeln!(md, "\n## Tools\n");
        for (tool, version) in &self.tool_versions {
            let _ = writeln!(md, "- {tool} {version}");
        }
        // Paths relative to the project, so a committed report does not name one machine.
        let root = pluton_toolchain::project_root();
        let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
        if let Some(bit) = &self.bitstream {
            let _ = writeln!(md, "\nBitstream: `{}`", rel(bit));
        }
        let _ = writeln!(md, "\nLog: `{}`", rel(&self.log_path));
        md
    }
}

/// `<root>/fpga/reports`, where committed reports go.
pub fn reports_dir() -> PathBuf {
    pluton_toolchain::project_root().join("fpga/reports")
}

/// Write `<dir>/<top>-<target>.md` (pass `reports_dir()` for `fpga/reports/`); returns its path.
pub fn write_report(report: &SynthReport, dir: &Path) -> Result<PathBuf, String> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}-{}.md", report.top, report.target));
    fs::write(&path, report.to_markdown())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Collects what every tool printed, and runs tools in the output folder.
struct Flow {
    out_dir: PathBuf,
    log: String,
    log_path: PathBuf,
    versions: Vec<(String, String)>,
}

impl Flow {
    /// Run `tool args...` in the output folder (YoWASP tools only see the current folder, so
    /// every file name passed is relative to it). Returns stdout + stderr.
    fn run(&mut self, tool: &Tool, args: &[&str]) -> Result<String, String> {
        if !self.versions.iter().any(|(name, _)| name == tool.name) {
            self.versions.push((
                tool.name.to_string(),
                format!("{} ({})", tool.version, tool.origin),
            ));
        }
        let out = tool
            .command()
            .current_dir(&self.out_dir)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", tool.program.display()))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = writeln!(self.log, "$ {} {}\n{text}", tool.name, args.join(" "));
        // Keep the log even when a step fails: that is when it is needed.
        fs::write(&self.log_path, &self.log)
            .map_err(|e| format!("cannot write {}: {e}", self.log_path.display()))?;
        if !out.status.success() {
            let tail: Vec<&str> = text
                .lines()
                .rev()
                .take(20)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            return Err(format!(
                "{} failed ({}); full log in {}\n{}",
                tool.name,
                out.status,
                self.log_path.display(),
                tail.join("\n")
            ));
        }
        Ok(text)
    }

    /// Yosys `script`, then the cell counts of `stat -json` written to `stat_file`.
    fn yosys_cells(
        &mut self,
        yosys: &Tool,
        script: &str,
        stat_file: &str,
    ) -> Result<Vec<(String, u64)>, String> {
        let script = format!("{script}; tee -q -o {stat_file} stat -json");
        self.run(yosys, &["-p", &script])?;
        let path = self.out_dir.join(stat_file);
        let json = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        parse::stat_cells(&json)
    }
}

/// Marks the `reg` declarations of `nets` with `(* keep *)`, so synthesis keeps them as nets and
/// nextpnr's critical path names them (this changes the result a little). A net is a `reg` of
/// module `top`, or `MODULE.NET` for one inside a submodule (e.g. `pluton_m0.opa__d` in a system).
pub fn keep_nets(verilog: &str, top: &str, nets: &[String]) -> Result<String, String> {
    let wanted: Vec<(&str, &str)> = nets.iter().map(|n| n.split_once('.').unwrap_or((top, n))).collect();
    let mut out = Vec::new();
    let mut module = "";
    let mut found = vec![false; nets.len()];
    for line in verilog.lines() {
        if let Some(rest) = line.strip_prefix("module ") {
            module = rest.split('(').next().unwrap_or("");
        }
        // `reg  [31:0] name;`, perhaps with a comment before the `;`.
        let decl = line.split("/*").next().unwrap_or("");
        let name = decl.trim().strip_prefix("reg ").and_then(|r| r.trim_end_matches(';').split_whitespace().last());
        match wanted.iter().position(|&(m, n)| m == module && Some(n) == name) {
            Some(i) => {
                found[i] = true;
                out.push(format!("    (* keep *) {}", line.trim_start()));
            }
            None => out.push(line.to_string()),
        }
    }
    let missing: Vec<String> = wanted
        .iter()
        .zip(&found)
        .filter(|(_, f)| !**f)
        .map(|((m, n), _)| format!("{n} in module {m}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("--keep: no `reg` named {}", missing.join(", ")));
    }
    Ok(out.join("\n") + "\n")
}

/// LUTs and FFs of one target's cell library.
fn luts_and_ffs(target: Target, cells: &[(String, u64)]) -> (u64, u64) {
    use parse::count_cells;
    match target {
        Target::Ice40Up5k => (
            count_cells(cells, |c| c == "SB_LUT4"),
            count_cells(cells, |c| c.starts_with("SB_DFF")),
        ),
        // A CCU2C carry cell holds two LUT4s. A DPR16X4 LUT RAM takes a slice pair's four LUT4s
        // and the write-port slice beside them (TRELLIS_RAMW), whose two LUT4s are lost to logic.
        Target::Ecp5_25k | Target::Ecp5_85k => (
            count_cells(cells, |c| c == "LUT4")
                + 2 * count_cells(cells, |c| c == "CCU2C")
                + 6 * count_cells(cells, |c| c == "TRELLIS_DPR16X4"),
            count_cells(cells, |c| c == "TRELLIS_FF"),
        ),
        Target::Xc7a35t => (
            count_cells(cells, |c| {
                matches!(c, "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6")
            }) + xilinx_lutram_luts(cells),
            count_cells(cells, |c| matches!(c, "FDRE" | "FDCE" | "FDPE" | "FDSE")),
        ),
    }
}

/// LUTs (SLICEM LUT6 sites) taken by Artix-7 distributed RAM cells.
fn xilinx_lutram_luts(cells: &[(String, u64)]) -> u64 {
    use parse::count_cells;
    4 * count_cells(cells, |c| matches!(c, "RAM32M" | "RAM64M"))
        + 2 * count_cells(cells, |c| matches!(c, "RAM32X1D" | "RAM64X1D" | "RAM128X1S"))
        + count_cells(cells, |c| matches!(c, "RAM32X1S" | "RAM64X1S"))
        + 4 * count_cells(cells, |c| matches!(c, "RAM128X1D" | "RAM256X1S"))
}

/// BRAMs and DSPs of one target's cell library.
fn brams_and_dsps(target: Target, cells: &[(String, u64)]) -> (u64, u64) {
    use parse::count_cells;
    match target {
        Target::Ice40Up5k => (
            count_cells(cells, |c| c == "SB_RAM40_4K"),
            count_cells(cells, |c| c == "SB_MAC16"),
        ),
        Target::Ecp5_25k | Target::Ecp5_85k => (
            count_cells(cells, |c| c == "DP16KD"),
            count_cells(cells, |c| c == "MULT18X18D"),
        ),
        Target::Xc7a35t => (
            count_cells(cells, |c| c.starts_with("RAMB")),
            count_cells(cells, |c| c == "DSP48E1"),
        ),
    }
}

/// Copy `from` into the output folder (unless it is already there); returns its bare name.
fn copy_in(from: &Path, out_dir: &Path) -> Result<String, String> {
    let name = from
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{}: not a file name", from.display()))?
        .to_string();
    let to = out_dir.join(&name);
    if from.canonicalize().ok() != to.canonicalize().ok() {
        fs::copy(from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    Ok(name)
}

/// The board constraints shipped for a target, for the shell's four pins.
fn board_constraints(target: Target) -> Option<PathBuf> {
    let boards = pluton_toolchain::project_root().join("fpga/boards");
    let file = match target {
        Target::Ice40Up5k => boards.join("icebreaker/icebreaker.pcf"),
        Target::Ecp5_25k | Target::Ecp5_85k => boards.join("ulx3s/ulx3s.lpf"),
        Target::Xc7a35t => return None,
    };
    file.is_file().then_some(file)
}

/// nextpnr-ecp5's heap placer timing weight (its default is 10); the report names it.
const ECP5_HEAP_TIMING_WEIGHT: &str = "30";

/// Above this share of an ECP5's LUTs, nextpnr places with its static (electrostatic) placer and
/// routes with router2. The heap placer packs such designs too densely to route: `security`
/// (69% of the 85F) kept 350-650 wires overused after 1 h 45 min of router1 on the heap
/// placement, and router2's overuse grew again after its 20th pass; on the static placement
/// router2 finished in 43 passes (2026-12-07).
const ECP5_STATIC_ABOVE: f64 = 0.5;

/// Synthesise block `top` from `rtl_file` for `target`, working in `out_dir`. `models` are the
/// hard-macro models the block instantiates (e.g. the fuse array), read beside it.
///
/// iCE40/ECP5: the block is wrapped in the generated `<top>_shell` (from `ports_file`), placed,
/// routed and packed into a bitstream. Artix-7: the block alone through `synth_xilinx`.
/// The block alone is also synthesised for every target so the shell's cost is visible.
pub fn synth(
    rtl_file: &Path,
    models: &[PathBuf],
    top: &str,
    ports_file: &Path,
    target: Target,
    out_dir: &Path,
    keep: &[String],
) -> Result<SynthReport, String> {
    fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let ports_text = fs::read_to_string(ports_file)
        .map_err(|e| format!("cannot read {}: {e}", ports_file.display()))?;
    let ports =
        shell::parse_ports(&ports_text).map_err(|e| format!("{}: {e}", ports_file.display()))?;
    let shell_ffs = u64::from(shell::input_bits(&ports) + shell::output_bits(&ports));

    let block_file = copy_in(rtl_file, out_dir)?;
    // What Yosys reads: the models the block instantiates, then the block (whose stand-ins then
    // step aside).
    let mut rtl = String::new();
    for model in models {
        rtl += &format!("{} ", copy_in(model, out_dir)?);
    }
    rtl += &block_file;
    if !keep.is_empty() {
        let path = out_dir.join(&block_file);
        let text = fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        fs::write(&path, keep_nets(&text, top, keep)?)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let shell_top = format!("{top}_shell");
    let shell_file = format!("{shell_top}.v");
    fs::write(
        out_dir.join(&shell_file),
        shell::shell_verilog(top, &ports)?,
    )
    .map_err(|e| format!("cannot write the shell into {}: {e}", out_dir.display()))?;

    let yosys = pluton_toolchain::yosys()?;
    let mut flow = Flow {
        out_dir: out_dir.to_path_buf(),
        log: String::new(),
        log_path: out_dir.join(format!("{top}-{target}.log")),
        versions: vec![],
    };

    let synth_cmd = match target {
        Target::Ice40Up5k => "synth_ice40",
        Target::Ecp5_25k | Target::Ecp5_85k => "synth_ecp5",
        // synth_xilinx keeps the hierarchy unless told to flatten (the others flatten anyway);
        // -noiopad matches Vivado's out-of-context run: the block's ports are not pins.
        Target::Xc7a35t => "synth_xilinx -family xc7 -flatten -noiopad",
    };
    let block_cells = flow.yosys_cells(
        &yosys,
        &format!("read_verilog {rtl}; {synth_cmd} -top {top}"),
        &format!("{top}-block-stat.json"),
    )?;
    let (block_luts, block_ffs) = luts_and_ffs(target, &block_cells);

    let json = format!("{shell_top}.json");
    let placed_cells = match target {
        Target::Xc7a35t => block_cells.clone(),
        _ => flow.yosys_cells(
            &yosys,
            &format!("read_verilog {rtl} {shell_file}; {synth_cmd} -top {shell_top} -json {json}"),
            &format!("{shell_top}-stat.json"),
        )?,
    };
    let constraints = board_constraints(target)
        .map(|f| copy_in(&f, out_dir))
        .transpose()?;

    let mut placement = String::new();
    let (pnr_log, bitstream) = match target {
        Target::Ice40Up5k => {
            let asc = format!("{shell_top}.asc");
            let bin = format!("{shell_top}.bin");
            let mut args = vec![
                "--up5k",
                "--package",
                "sg48",
                "--json",
                &json,
                "--asc",
                &asc,
                "--freq",
                "50",
            ];
            args.push("--pcf-allow-unconstrained");
            // The 50 MHz target only steers placement; the report gives what was achieved.
            args.push("--timing-allow-fail");
            if let Some(pcf) = &constraints {
                args.extend(["--pcf", pcf.as_str()]);
            }
            match place(&mut flow, &pluton_toolchain::nextpnr_ice40()?, &args)? {
                Placed::Yes(log) => {
                    flow.run(&pluton_toolchain::icepack()?, &[&asc, &bin])?;
                    (log, Some(out_dir.join(bin)))
                }
                Placed::DoesNotFit(log) => (log, None),
            }
        }
        Target::Ecp5_25k | Target::Ecp5_85k => {
            let config = format!("{shell_top}.config");
            let bit = format!("{shell_top}.bit");
            let mut args = vec![
                if target == Target::Ecp5_85k { "--85k" } else { "--25k" },
                "--package",
                "CABGA381",
                "--json",
                &json,
                "--textcfg",
                &config,
                "--freq",
                "50",
            ];
            let (luts, _) = luts_and_ffs(target, &placed_cells);
            if luts as f64 > ECP5_STATIC_ABOVE * target.lut_capacity() as f64 {
                args.extend(["--placer", "static", "--router", "router2"]);
                placement = ", static placer and router2: the design fills more than half the device".into();
            } else {
                // The heap placer weighs timing 3x its default, with a steeper criticality curve:
                // measured on pluton_m0 (same netlist, two seeds) 35.3-36.4 MHz against 32.2-33.5.
                args.extend(["--placer-heap-timingweight", ECP5_HEAP_TIMING_WEIGHT, "--placer-heap-critexp", "4"]);
                placement = format!(", heap timing weight {ECP5_HEAP_TIMING_WEIGHT}");
            }
            args.push("--lpf-allow-unconstrained");
            args.push("--timing-allow-fail");
            if let Some(lpf) = &constraints {
                args.extend(["--lpf", lpf.as_str()]);
            }
            match place(&mut flow, &pluton_toolchain::nextpnr_ecp5()?, &args)? {
                Placed::Yes(log) => {
                    flow.run(&pluton_toolchain::ecppack()?, &[&config, &bit])?;
                    (log, Some(out_dir.join(bit)))
                }
                Placed::DoesNotFit(log) => (log, None),
            }
        }
        Target::Xc7a35t => (String::new(), None),
    };

    let utilisation = parse::nextpnr_utilisation(&pnr_log);
    let does_not_fit = over_capacity(&utilisation);
    let (luts, ffs) = luts_and_ffs(target, &placed_cells);
    let (brams, dsps) = brams_and_dsps(target, &placed_cells);
    Ok(SynthReport {
        target,
        top: top.to_string(),
        luts,
        ffs,
        brams,
        dsps,
        fmax_mhz: parse::nextpnr_fmax(&pnr_log, "clk"),
        tool_versions: flow.versions,
        log_path: flow.log_path,
        block_luts,
        block_ffs,
        shell_ffs: if target == Target::Xc7a35t {
            0
        } else {
            shell_ffs
        },
        utilisation,
        cells: placed_cells,
        bitstream,
        does_not_fit,
        critical_path: parse::nextpnr_critical_path(&pnr_log, "clk"),
        placement,
    })
}

enum Placed {
    Yes(String),
    DoesNotFit(String),
}

/// Run nextpnr; a failure because the design needs more cells than the device has is a result
/// (reported with its utilisation), any other failure an error.
fn place(flow: &mut Flow, nextpnr: &Tool, args: &[&str]) -> Result<Placed, String> {
    match flow.run(nextpnr, args) {
        Ok(log) => Ok(Placed::Yes(log)),
        Err(e) => {
            let log = flow.log.clone();
            if over_capacity(&parse::nextpnr_utilisation(&log)).is_some() {
                Ok(Placed::DoesNotFit(log))
            } else {
                Err(e)
            }
        }
    }
}

/// "ICESTORM_LC 6975/5280 (132%)" for every resource used beyond what the device has.
fn over_capacity(utilisation: &[parse::Utilisation]) -> Option<String> {
    let over: Vec<String> = utilisation
        .iter()
        .filter(|u| u.used > u.available)
        .map(|u| format!("{} {}/{} ({}%)", u.bel, u.used, u.available, u.used * 100 / u.available.max(1)))
        .collect();
    (!over.is_empty()).then(|| format!("needs {}", over.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_marks_only_the_named_regs() {
        let v = "module t(a);\n    reg  [31:0] sum;\n    reg  fault;\nendmodule\nmodule t_sub(b);\n    reg  [31:0] sum;\nendmodule\n";
        let keep = |nets: &[&str]| keep_nets(v, "t", &nets.iter().map(|n| n.to_string()).collect::<Vec<_>>());
        let out = keep(&["sum"]).unwrap();
        assert_eq!(out.matches("(* keep *)").count(), 1, "{out}");
        assert!(out.contains("    (* keep *) reg  [31:0] sum;\n    reg  fault;"), "{out}");
        assert_eq!(keep(&["sum", "nope"]).unwrap_err(), "--keep: no `reg` named nope in module t");
        // A submodule's net is named with its module.
        let sub = keep(&["t_sub.sum"]).unwrap();
        assert!(sub.contains("endmodule\nmodule t_sub(b);\n    (* keep *) reg  [31:0] sum;"), "{sub}");
        assert_eq!(keep(&["t_sub.fault"]).unwrap_err(), "--keep: no `reg` named fault in module t_sub");
    }

    #[test]
    fn target_names_round_trip() {
        for t in Target::ALL {
            assert_eq!(t.to_string().parse::<Target>(), Ok(t));
        }
        assert_eq!("ecp5-25k".parse::<Target>(), Ok(Target::Ecp5_25k));
        assert_eq!("ecp5-85k".parse::<Target>(), Ok(Target::Ecp5_85k));
        assert!("ice40".parse::<Target>().is_err());
    }
}

#[cfg(test)]
mod fit_tests {
    use super::*;

    #[test]
    fn over_capacity_names_each_overfull_resource() {
        let u = |bel: &str, used, available| parse::Utilisation { bel: bel.into(), used, available };
        assert_eq!(over_capacity(&[u("ICESTORM_LC", 5000, 5280), u("ICESTORM_RAM", 0, 30)]), None);
        assert_eq!(
            over_capacity(&[u("ICESTORM_LC", 6975, 5280), u("SB_IO", 4, 39)]).as_deref(),
            Some("needs ICESTORM_LC 6975/5280 (132%)")
        );
    }
}
