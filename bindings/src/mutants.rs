//! Mutation coverage as YosysHQ's MCY measures it: N Yosys mutants of a top in one netlist, each tried on the run's port logs.
//!
//! Yosys `mutate -list` samples N small faults over the top's flattened netlist (a mux input
//! tied to 0 or 1, a bit inverted, two bits swapped). All N go into one netlist, each active
//! when a new `mutsel` input holds its number (0: none, the block as written). That netlist is
//! verilated once. A mutant is *killed* when a replay of some test's port log through it, with
//! `mutsel` set, gives outputs other than the ones the run recorded: the lock-step regression
//! would have stopped there, since the recorded outputs are the reference model's.
//!
//! Hard-macro models (the fuse array) are kept out of the flattening and are not mutated: a
//! chip partner replaces them.

use crate::replay::{executable_in, replay_args, Instrument};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One mutation, as `mutate -list` wrote it.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutant {
    /// Its `mutsel` value (from 1).
    pub id: u32,
    /// `const0`, `const1`, `inv`, `cnot0`, `cnot1` (see Yosys `help mutate`).
    pub mode: String,
    /// The netlist cell and port it changes (`$flatten\core.$procmux$1173` port B bit 28).
    pub cell: String,
    pub port: String,
    pub bit: u32,
    /// Source lines of the cell, innermost first (`rtl/pluton_sha256.v:2838`).
    pub src: Vec<String>,
}

impl Mutant {
    /// Parse one `mutate -ctrl mutsel W ID -mode M ...` line.
    fn parse(line: &str) -> Option<Mutant> {
        let f: Vec<&str> = line.split_whitespace().collect();
        let after = |flag: &str| f.iter().position(|&x| x == flag).and_then(|i| f.get(i + 1)).map(|s| s.to_string());
        let id = f.iter().position(|&x| x == "-ctrl").and_then(|i| f.get(i + 3))?.parse().ok()?;
        let src = f.windows(2).filter(|w| w[0] == "-src").map(|w| shorten_src(w[1])).collect();
        Some(Mutant {
            id,
            mode: after("-mode")?,
            // Yosys names some cells after their source file: keep the path relative.
            cell: after("-cell").unwrap_or_default().replace(&format!("{}/", crate::project_root().display()), ""),
            port: after("-port").unwrap_or_default(),
            bit: after("-portbit").and_then(|b| b.parse().ok()).unwrap_or(0),
            src,
        })
    }

    /// One line for reports: `#12 const0 on $procmux$640 B[28] (rtl/pluton_sha256.v:2839)`.
    pub fn describe(&self) -> String {
        let at = self.src.first().map(|s| format!(" ({s})")).unwrap_or_default();
        format!("#{} {} on {} {}[{}]{at}", self.id, self.mode, self.cell, self.port, self.bit)
    }
}

/// `/abs/path/rtl/x.v:2838.18-2838.27` as `rtl/x.v:2838`.
fn shorten_src(src: &str) -> String {
    let root = crate::project_root();
    let s = src.strip_prefix(&format!("{}/", root.display())).unwrap_or(src);
    match s.rsplit_once(':') {
        Some((file, pos)) => format!("{file}:{}", pos.split('.').next().unwrap_or(pos)),
        None => s.to_string(),
    }
}

/// What a mutant did on one port log.
#[derive(Clone, Debug, PartialEq)]
pub enum Fate {
    /// The outputs followed the log to its end.
    Survived,
    /// The outputs left the log (the replay's message: cycle, port, values).
    Killed(String),
    /// The replay broke down (a combinational loop that does not settle): counted as killed.
    Broke(String),
}

/// What Yosys `sat` says of a surviving mutant against the block as written, under the
/// lock-step's compare rules, from all flops zero and any inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Proved: no input sequence tells them apart (`method` says how).
    Equivalent { method: String },
    /// Some input sequence tells them apart at this step: a gap in the tests (or a behaviour
    /// only inputs outside the bus protocol reach). `log` holds the sequence (`sat -show-inputs`).
    Differs { step: u32, log: PathBuf },
    /// Neither within the step and time limits.
    Unknown(String),
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Equivalent { method } => write!(f, "equivalent ({method})"),
            Verdict::Differs { step, log } => write!(f, "not equivalent: inputs tell it apart {step} cycles from power-up, so a test gap (the inputs: {})", log.display()),
            Verdict::Unknown(why) => write!(f, "undecided: {why}"),
        }
    }
}

/// N mutants of a Verilated top, built into one replay executable.
pub struct Mutants {
    pub top: String,
    module: String,
    /// The hard-macro models, kept out of the mutation.
    macros: Vec<PathBuf>,
    /// Bits of `mutsel`.
    width: u32,
    pub list: Vec<Mutant>,
    /// The mutated netlist (Yosys `write_verilog`).
    pub netlist: PathBuf,
    exe: PathBuf,
    period_ns: u64,
}

impl Mutants {
    /// Make `n` mutants of `top` (seeded by `seed`) in `dir`, and build their replay there.
    pub fn make(top: &str, n: u32, seed: u64, period_ns: u64, dir: &Path) -> Result<Mutants, String> {
        if n == 0 || n > 4095 {
            return Err(format!("the number of mutants must be 1..=4095, not {n}"));
        }
        let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
        let verilog: Vec<PathBuf> = model.verilog.iter().map(PathBuf::from).collect();
        let (macros, top_file) = verilog.split_at(verilog.len() - 1);
        let module = top_file[0].file_stem().map(|s| s.to_string_lossy().into_owned()).ok_or("no top file")?;
        let mut keep = Vec::new();
        for m in macros {
            let text = std::fs::read_to_string(m).map_err(|e| format!("cannot read {}: {e}", m.display()))?;
            keep.extend(text.lines().filter_map(|l| l.trim_start().strip_prefix("module ")).map(|l| {
                l.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default().to_string()
            }));
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        // Yosys runs in `dir` on copies, by bare file name: YoWASP's Yosys sees the host's
        // folders only below its working directory (and mounts its own `/tmp`).
        let mut names = Vec::new();
        for f in &verilog {
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or("a Verilog path without a file name")?;
            std::fs::copy(f, dir.join(&name)).map_err(|e| format!("copying {} into {}: {e}", f.display(), dir.display()))?;
            names.push(name);
        }
        let width = 32 - n.leading_zeros();
        let netlist = dir.join(format!("{module}_mutants.v"));
        let read: String = names.iter().map(|f| format!("read_verilog -sv {f}; ")).collect();
        let keep: String = keep.iter().map(|m| format!("setattr -mod -set keep_hierarchy 1 {m}; ")).collect();
        let prep = format!("{read}{keep}prep -top {module} -flatten; ");
        // Pass 1: the list, sampled over the top module only (not the macro models).
        yosys(&format!("{prep}mutate -list {n} -seed {seed} -ctrl mutsel {width} 1 -o mutations.ys {module}"), dir)?;
        let list_file = dir.join("mutations.ys");
        let text = std::fs::read_to_string(&list_file).map_err(|e| format!("reading {}: {e}", list_file.display()))?;
        let list: Vec<Mutant> = text.lines().filter_map(Mutant::parse).collect();
        if list.is_empty() {
            return Err(format!("Yosys listed no mutations of {module}"));
        }
        // Pass 2: all of them into one netlist, the top module only: the macro models are read
        // from their own files beside it.
        yosys(&format!("{prep}script mutations.ys; opt_clean; select {module}; write_verilog -selected -noattr {module}_mutants.v"), dir)?;
        let files: Vec<PathBuf> = macros.iter().cloned().chain([netlist.clone()]).collect();
        let exe = executable_in(top, Instrument::Mutants, &files, &dir.join("replay"))?;
        Ok(Mutants { top: top.to_string(), module, macros: macros.to_vec(), width, list, netlist, exe, period_ns })
    }

    /// Replay the port log `log` with mutant `id` active (0: none).
    pub fn run(&self, id: u32, log: &Path) -> Result<Fate, String> {
        let out = Command::new(&self.exe)
            .arg(log)
            .args(replay_args(Path::new("-"), self.period_ns))
            .arg(id.to_string())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.exe.display()))?;
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        match out.status.code() {
            Some(0) => Ok(Fate::Survived),
            Some(1) if err.starts_with("cycle ") => Ok(Fate::Killed(err)),
            Some(2) => Err(format!("the mutants replay of {} refused {}: {err}", self.top, log.display())),
            _ => Ok(Fate::Broke(if err.is_empty() { format!("exit {:?}", out.status) } else { err })),
        }
    }
}

impl Mutants {
    /// Decide whether mutant `id` is equivalent to the block, each Yosys run bounded by
    /// `seconds`:
    /// 1. Yosys's equivalence checker on the netlist with `mutsel` 0 against `id`, signal by
    ///    signal (`equiv_simple`, `equiv_induct`: every named signal of one side matched with the
    ///    other's, assumed equal and proved to stay equal a cycle on; the reset is an input, so
    ///    the reset cycle is covered too). If it proves every pair, a bounded check from reset
    ///    (`sat -seq`) on a miter of the outputs as the lock-step compares them confirms the
    ///    base case: then *equivalent*.
    /// 2. Otherwise `sat -tempinduct` on that miter, from all flops zero, up to `max_steps`
    ///    steps: its base case finds the inputs that tell them apart, its induction step may
    ///    still prove them equal.
    pub fn verdict(&self, id: u32, max_steps: u32, seconds: u32) -> Result<Verdict, String> {
        let model = crate::verilated::top_model(&self.top).ok_or_else(|| format!("no Verilated top `{}`", self.top))?;
        let dir = self.netlist.parent().unwrap_or(Path::new(".")).to_path_buf();
        let ports = model.port_list();
        // Bare names in `dir`, where `make` copied the macro models (see there).
        let read = |extra: &Path| -> String {
            self.macros
                .iter()
                .chain([&self.netlist, &extra.to_path_buf()])
                .filter_map(|f| f.file_name())
                .map(|f| format!("read_verilog -sv {}; ", f.to_string_lossy()))
                .collect()
        };
        let miter = dir.join(format!("miter_{id}.v"));
        std::fs::write(&miter, miter_verilog(&self.module, &ports, self.width, id)).map_err(|e| format!("writing {}: {e}", miter.display()))?;
        let on_miter = |sat: &str| format!("{}prep -top mutant_miter -flatten; async2sync; memory_map; opt -fast; {sat}", read(&miter));

        let sides = dir.join(format!("equiv_{id}.v"));
        std::fs::write(&sides, sides_verilog(&self.module, &ports, self.width, id)).map_err(|e| format!("writing {}: {e}", sides.display()))?;
        // Only the design's own names are matched: Yosys's numbered nets (`_0276_`) differ
        // between the two sides by construction, and `mutsel` is what sets them apart.
        let script = format!(
            "{}hierarchy -check; rename -hide {}/w:_*_; proc; flatten; rename -hide w:u.mutsel; async2sync; memory_map; opt -fast; \
             equiv_make gold gate equiv; hierarchy -top equiv; equiv_simple -seq 4; equiv_induct -seq 4; equiv_status -assert",
            read(&sides),
            self.module
        );
        if let Some((status, text)) = yosys_bounded(&script, &dir, &dir.join(format!("equiv_{id}.log")), seconds)? {
            if status.success() {
                let cells = text.lines().rev().find_map(|l| l.trim().strip_prefix("Of those cells ")).unwrap_or("").trim().trim_end_matches('.').to_string();
                const BASE: u32 = 4;
                let log = dir.join(format!("base_{id}.log"));
                let base = yosys_bounded(&on_miter(&format!("sat -seq {BASE} -prove trigger 0 -set-init-zero -show-inputs")), &dir, &log, seconds)?;
                match base {
                    Some((status, _)) if status.success() => {
                        return Ok(Verdict::Equivalent { method: format!("equiv_simple/equiv_induct, {cells}; base case from reset, {BASE} steps") })
                    }
                    Some((_, text)) if text.contains("SAT proof finished - model found: FAIL!") => return Ok(Verdict::Differs { step: BASE, log }),
                    _ => {}
                }
            }
        }

        let log = dir.join(format!("miter_{id}.log"));
        let script = on_miter(&format!("sat -tempinduct -prove trigger 0 -set-init-zero -show-inputs -maxsteps {max_steps}"));
        let Some((status, text)) = yosys_bounded(&script, &dir, &log, seconds)? else {
            return Ok(Verdict::Unknown(format!("no proof or difference within {seconds} s")));
        };
        let last_length = text.lines().filter_map(|l| l.strip_prefix("** Trying induction with length ")).filter_map(|l| l.trim_end_matches(" **").parse::<u32>().ok()).last().unwrap_or(0);
        if text.contains("Induction step proven: SUCCESS!") {
            Ok(Verdict::Equivalent { method: format!("k-induction on the outputs, k = {last_length}") })
        } else if text.contains("model found for base case: FAIL!") {
            Ok(Verdict::Differs { step: last_length, log })
        } else if text.contains("Reached maximum number of time steps") {
            Ok(Verdict::Unknown(format!("no proof or difference within {max_steps} steps")))
        } else if !status.success() {
            let tail: Vec<&str> = text.lines().rev().take(6).collect();
            Err(format!("Yosys failed on the miter of mutant {id}:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n")))
        } else {
            Ok(Verdict::Unknown("Yosys gave no result".into()))
        }
    }
}

/// Run a Yosys script in `dir` with its log in `log`, killed after `seconds` (`sat -timeout`
/// bounds each solver call, not the run): the exit status and the log, or `None` if it ran out.
fn yosys_bounded(script: &str, dir: &Path, log: &Path, seconds: u32) -> Result<Option<(std::process::ExitStatus, String)>, String> {
    let tool = pluton_toolchain::yosys()?;
    let file = std::fs::File::create(log).map_err(|e| format!("creating {}: {e}", log.display()))?;
    let mut child = tool
        .command()
        .current_dir(dir)
        .args(["-q", "-p", script, "-l"])
        .arg(log.file_name().unwrap_or_default())
        .stdout(std::process::Stdio::null())
        .stderr(file)
        .spawn()
        .map_err(|e| format!("cannot run Yosys: {e}"))?;
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| format!("waiting for Yosys: {e}"))? {
            Some(status) => break status,
            None if started.elapsed().as_secs() >= u64::from(seconds) => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(None);
            }
            None => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    };
    Ok(Some((status, std::fs::read_to_string(log).unwrap_or_default())))
}

/// A Verilog declaration's vector range for `w` bits (`[w-1:0] `; nothing for one bit).
fn range(w: u32) -> String {
    if w > 1 {
        format!("[{}:0] ", w - 1)
    } else {
        String::new()
    }
}

/// `gold` and `gate`: `module` with `mutsel` tied to 0 and to `id`, each with the block's ports,
/// for Yosys's `equiv_make`.
fn sides_verilog(module: &str, ports: &[crate::dut::Port], width: u32, id: u32) -> String {
    use crate::dut::Dir;
    let decls: Vec<String> = ports.iter().map(|p| format!("    {} {}{}", if p.dir == Dir::In { "input" } else { "output" }, range(p.width), p.name)).collect();
    let conns: Vec<String> = ports.iter().map(|p| format!(".{0}({0})", p.name)).collect();
    let mut v = format!("// Mutant {id} of {module} beside the block. Generated by pluton-bindings (mutants.rs).\n");
    for (side, sel) in [("gold", 0), ("gate", id)] {
        v += &format!("module {side}(\n{}\n);\n    {module} u({}, .mutsel({width}'d{sel}));\nendmodule\n", decls.join(",\n"), conns.join(", "));
    }
    v
}

/// A miter of `module` with `mutsel` 0 (`gold`) and `id` (`gate`): `trigger` is 1 when an output
/// differs where the lock-step would compare it ([`crate::dut::compare_rules`]).
fn miter_verilog(module: &str, ports: &[crate::dut::Port], width: u32, id: u32) -> String {
    use crate::dut::{Dir, Rule};
    use std::fmt::Write as _;
    let (apb, rules) = crate::dut::compare_rules(ports);
    let mut v = format!("// Miter of mutant {id} against {module}. Generated by pluton-bindings (mutants.rs).\nmodule mutant_miter(\n");
    for p in ports.iter().filter(|p| p.dir == Dir::In) {
        let _ = writeln!(v, "    input {}{},", range(p.width), p.name);
    }
    v.push_str("    output trigger\n);\n");
    for side in ["g", "u"] {
        for p in ports.iter().filter(|p| p.dir == Dir::Out) {
            let _ = writeln!(v, "    wire {}{side}_{};", range(p.width), p.name);
        }
    }
    for (side, inst, sel) in [("g", "gold", 0), ("u", "gate", id)] {
        let conns: Vec<String> = ports
            .iter()
            .map(|p| match p.dir {
                Dir::In => format!(".{0}({0})", p.name),
                Dir::Out => format!(".{0}({side}_{0})", p.name),
            })
            .chain([format!(".mutsel({width}'d{sel})")])
            .collect();
        let _ = writeln!(v, "    {module} {inst}({});", conns.join(", "));
    }
    let name = |i: usize| ports[i].name.as_str();
    let terms: Vec<String> = (0..ports.len())
        .filter(|&i| ports[i].dir == Dir::Out)
        .map(|i| {
            let differs = format!("(g_{0} != u_{0})", name(i));
            match (rules[i], apb) {
                (Rule::AccessPhase, Some(a)) => format!("({} && {} && {differs})", name(a.psel), name(a.penable)),
                (Rule::ReadData, Some(a)) => format!("({} && {} && !{} && g_{} && {differs})", name(a.psel), name(a.penable), name(a.pwrite), name(a.pready)),
                _ => differs,
            }
        })
        .collect();
    let _ = writeln!(v, "    assign trigger = {};\nendmodule", if terms.is_empty() { "1'b0".to_string() } else { terms.join("\n        || ") });
    v
}

/// Run a Yosys script in `dir`; `Err` with Yosys's last lines if it fails.
fn yosys(script: &str, dir: &Path) -> Result<(), String> {
    let tool = pluton_toolchain::yosys()?;
    let out = tool.command().current_dir(dir).args(["-q", "-p", script]).output().map_err(|e| format!("cannot run Yosys: {e}"))?;
    if !out.status.success() {
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = text.lines().rev().take(12).collect();
        return Err(format!("Yosys failed making mutants:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_mutate_list_line() {
        let line = "mutate -ctrl mutsel 8 4 -mode const1 -module pluton_sha256 -cell $flatten\\core.$procmux$640 -port B -portbit 28 -src /x/rtl/pluton_sha256.v:2839.17-2839.26 -src /x/rtl/pluton_sha256.v:2839.13-2920.16";
        let m = Mutant::parse(line).unwrap();
        assert_eq!(m.id, 4);
        assert_eq!(m.mode, "const1");
        assert_eq!(m.cell, "$flatten\\core.$procmux$640");
        assert_eq!((m.port.as_str(), m.bit), ("B", 28));
        assert_eq!(m.src[0], "/x/rtl/pluton_sha256.v:2839");
        assert_eq!(m.src.len(), 2);
        assert!(Mutant::parse("mutate -mode none").is_none());
    }
}
