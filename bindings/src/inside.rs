//! Waves of every signal inside the RTL: a run's recorded ports replayed through a Verilator build with tracing.
//!
//! The co-simulation's models are built without tracing, which would cost every run. A run with
//! waves records each cycle's inputs and outputs as the rising edge saw them (a *port log*). At
//! the end the log is replayed through the same Verilog, verilated with `--trace` (VCD) or
//! `--trace-fst` and the co-simulation's flags, built once per design and format and cached in
//! `build/waves/models/`. The replay compares its outputs with the log's in every cycle, so the
//! waves show the run itself, or say at which cycle they stop doing so.

use crate::dut::{Dir, Port};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Wave file format of the inside replay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WaveFormat {
    /// Value change dump: every tool reads it.
    #[default]
    Vcd,
    /// GTKWave's compressed format: far smaller for long runs.
    Fst,
}

impl WaveFormat {
    pub(crate) fn ext(self) -> &'static str {
        match self {
            WaveFormat::Vcd => "vcd",
            WaveFormat::Fst => "fst",
        }
    }
}

/// First word of a port log: "PLTW" little-endian, then the format version.
const LOG_MAGIC: u32 = 0x5754_4c50;
const LOG_VERSION: u32 = 1;

/// The ports a port log carries, in its order: inputs but the clock, then outputs.
fn logged(ports: &[Port]) -> (Vec<usize>, Vec<usize>) {
    let ins = (0..ports.len()).filter(|&i| ports[i].dir == Dir::In && ports[i].name != "clock").collect();
    let outs = (0..ports.len()).filter(|&i| ports[i].dir == Dir::Out).collect();
    (ins, outs)
}

/// Writes a port log: a header (magic, version, input words, output words per cycle), then for
/// every cycle the inputs and outputs just before the rising edge, as little-endian words.
pub struct PortLog {
    file: BufWriter<File>,
    pub path: PathBuf,
    ins: Vec<usize>,
    outs: Vec<usize>,
    pub cycles: u64,
}

impl PortLog {
    pub fn create(path: &Path, ports: &[Port]) -> std::io::Result<PortLog> {
        let (ins, outs) = logged(ports);
        let words = |list: &[usize]| list.iter().map(|&i| ports[i].words() as u32).sum::<u32>();
        let mut file = BufWriter::new(File::create(path)?);
        for w in [LOG_MAGIC, LOG_VERSION, words(&ins), words(&outs)] {
            file.write_all(&w.to_le_bytes())?;
        }
        Ok(PortLog { file, path: path.to_path_buf(), ins, outs, cycles: 0 })
    }

    /// Log one cycle; `value(port)` gives the port's words as the edge sees them.
    pub fn cycle<'a>(&mut self, value: impl Fn(usize) -> &'a [u32]) -> std::io::Result<()> {
        for &p in self.ins.iter().chain(&self.outs) {
            for w in value(p) {
                self.file.write_all(&w.to_le_bytes())?;
            }
        }
        self.cycles += 1;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<PathBuf> {
        self.file.flush()?;
        Ok(self.path)
    }
}

/// What a replay made.
#[derive(Clone, Debug)]
pub struct Inside {
    /// The wave file with every signal.
    pub waves: PathBuf,
    pub cycles: u64,
    /// Replay speed with tracing on (cycles/s).
    pub cycles_per_sec: f64,
}

/// Replay the port log `log` of a run of the Verilated top `top` into `out` (every signal, in
/// `format`). `period_ns` is the run's clock period. The run's random initial state, if it had
/// one ([`crate::random_init`]), is used again. `Err` if the replay cannot be built or run, or if
/// its outputs leave the log's (the message names the cycle and the port; the waves up to there
/// are still written).
pub fn replay(top: &str, log: &Path, out: &Path, format: WaveFormat, period_ns: u64) -> Result<Inside, String> {
    let exe = traced_replay(top, format)?;
    let (rand_reset, seed) = match crate::random_init() {
        Some(s) => (2, s),
        None => (0, 0),
    };
    let run = std::process::Command::new(&exe)
        .arg(log)
        .arg(out)
        .args([period_ns.to_string(), rand_reset.to_string(), seed.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let text = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        return Err(format!("the traced replay of {top} stopped: {}{}", String::from_utf8_lossy(&run.stderr).trim(), text.trim()));
    }
    let field = |name: &str| text.split_whitespace().find_map(|f| f.strip_prefix(name)).and_then(|v| v.parse::<f64>().ok());
    match (field("cycles="), field("cycles_per_sec=")) {
        (Some(c), Some(r)) => Ok(Inside { waves: out.to_path_buf(), cycles: c as u64, cycles_per_sec: r }),
        _ => Err(format!("unexpected output from {}: {text}", exe.display())),
    }
}

/// A VCD of `top`'s hierarchy (a replay of no cycles): what the save file is written from when
/// the waves themselves are FST. Made once per build of the VCD replay.
pub fn hierarchy(top: &str) -> Result<PathBuf, String> {
    let exe = traced_replay(top, WaveFormat::Vcd)?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let (vcd, log) = (dir.join("hierarchy.vcd"), dir.join("empty.portlog"));
    if !vcd.is_file() {
        let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
        PortLog::create(&log, &model.port_list()).and_then(PortLog::finish).map_err(|e| format!("writing {}: {e}", log.display()))?;
        replay(top, &log, &vcd, WaveFormat::Vcd, 10)?;
    }
    Ok(vcd)
}

/// The traced replay executable of `top` in `format`, built if the cached one is missing or was
/// built from other Verilog, Verilator or flags.
pub fn traced_replay(top: &str, format: WaveFormat) -> Result<PathBuf, String> {
    let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
    let verilog: Vec<PathBuf> = model.verilog.iter().map(PathBuf::from).collect();
    // The module is the top file's name (a `<top>_fi` build verilates the same module).
    let module = verilog.last().and_then(|f| f.file_stem()).map(|s| s.to_string_lossy().into_owned()).ok_or(format!("{top}: no Verilog recorded"))?;
    let main = replay_main_cpp(top, &model.port_list(), format);
    let flags = verilator_flags(format);

    let dir = crate::project_root().join("build").join("waves").join("models").join(format!("{top}-{}", format.ext()));
    let exe = dir.join("replay");
    let verilator = pluton_toolchain::verilator()?;
    let mut key = format!("{} {}\n{}\n{main}", verilator.program.display(), verilator.version, flags.join(" "));
    for f in &verilog {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let _ = write!(key, "\n{}\n{text}", f.display());
    }
    let key = format!("{:016x}", fnv1a(key.as_bytes()));
    let key_file = dir.join("key");
    if exe.is_file() && std::fs::read_to_string(&key_file).is_ok_and(|k| k == key) {
        return Ok(exe);
    }
    println!("building the traced replay of {top} ({}) in {} ...", format.ext(), dir.display());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mdir = dir.join("model");
    let prefix = format!("V{top}");
    let sources = crate::exe::verilate(&module, &prefix, &verilog, &mdir, &flags)?;
    let defines = trace_defines(format);
    let libs = if format == WaveFormat::Fst { fst_libs() } else { Vec::new() };
    crate::exe::CxxExe { main: &main, exe: &exe, include: &[&mdir], sources: &sources, flags: &["-O1"], defines: &defines, libs: &libs }
        .build()?;
    std::fs::write(&key_file, key).map_err(|e| format!("writing {}: {e}", key_file.display()))?;
    Ok(exe)
}

/// The co-simulation's flags plus tracing of every signal: wide buses and RAM arrays included.
fn verilator_flags(format: WaveFormat) -> Vec<&'static str> {
    let mut f = pluton_toolchain::model_build::COSIM_VERILATOR_FLAGS.to_vec();
    f.push(match format {
        WaveFormat::Vcd => "--trace",
        WaveFormat::Fst => "--trace-fst",
    });
    f.extend(["--trace-max-width", "1024", "--trace-max-array", "256"]);
    f
}

/// Libraries the FST writer links: zlib, and lz4 where Verilator's own makefile asks for it
/// (5.048's writer uses the system's lz4; 5.006 carries its own).
fn fst_libs() -> Vec<&'static str> {
    let mk = std::path::Path::new(crate::verilated::VERILATOR_ROOT).join("include").join("verilated.mk");
    let lz4 = std::fs::read_to_string(mk).is_ok_and(|t| t.contains("-llz4"));
    if lz4 { vec!["-llz4", "-lz"] } else { vec!["-lz"] }
}

/// The bindings' preprocessor switches with tracing in `format` turned on.
fn trace_defines(format: WaveFormat) -> Vec<String> {
    crate::verilated::CXX_DEFINES
        .iter()
        .map(|d| {
            let on = |name: &str| d.starts_with(&format!("-D{name}="));
            let set = on("VM_TRACE") || (on("VM_TRACE_VCD") && format == WaveFormat::Vcd) || (on("VM_TRACE_FST") && format == WaveFormat::Fst);
            match d.split_once('=') {
                Some((k, _)) if set => format!("{k}=1"),
                _ => d.to_string(),
            }
        })
        .collect()
}

/// 64-bit FNV-1a: a stable cache key (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// C++ `main` of the traced replay: `replay LOG OUT PERIOD_NS RAND_RESET SEED`. It opens the
/// model as the co-simulation does (inputs 0, a falling edge on `rst_n`), then per logged cycle
/// sets the inputs with the clock low (shown half a period before the edge, as the port-level
/// waves show them), checks the outputs against the log, and raises the clock.
fn replay_main_cpp(top: &str, ports: &[Port], format: WaveFormat) -> String {
    let v = format!("V{top}");
    let (ins, outs) = logged(ports);
    let words = |list: &[usize]| list.iter().map(|&i| ports[i].words()).sum::<usize>();
    let (in_words, out_words) = (words(&ins), words(&outs));
    let (writer, header) = match format {
        WaveFormat::Vcd => ("VerilatedVcdC", "verilated_vcd_c.h"),
        WaveFormat::Fst => ("VerilatedFstC", "verilated_fst_c.h"),
    };
    let mut s = String::new();
    let _ = writeln!(s, "// Traced replay of a {top} port log. Generated by pluton-bindings (inside.rs); do not edit.");
    let _ = writeln!(s, "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n#include <vector>");
    let _ = writeln!(s, "#include \"verilated.h\"\n#include \"{header}\"\n#include \"{v}.h\"\n");
    let _ = writeln!(s, "int main(int argc, char** argv) {{");
    let _ = writeln!(s, "    if (argc < 6) {{ fprintf(stderr, \"usage: %s LOG OUT PERIOD_NS RAND_RESET SEED\\n\", argv[0]); return 2; }}");
    let _ = writeln!(s, "    FILE* f = fopen(argv[1], \"rb\");\n    if (!f) {{ perror(argv[1]); return 2; }}");
    let _ = writeln!(s, "    uint32_t hdr[4];");
    let _ = writeln!(
        s,
        "    if (fread(hdr, 4, 4, f) != 4 || hdr[0] != 0x{LOG_MAGIC:08x}u || hdr[1] != {LOG_VERSION}u || hdr[2] != {in_words}u || hdr[3] != {out_words}u) {{\n        \
         fprintf(stderr, \"%s is not a port log of {top} ({in_words} input and {out_words} output words a cycle)\\n\", argv[1]);\n        return 2;\n    }}"
    );
    let _ = writeln!(s, "    const uint64_t period = strtoull(argv[3], nullptr, 10);");
    let _ = writeln!(s, "    VerilatedContext ctx;\n    ctx.randReset(atoi(argv[4]));\n    if (atoi(argv[5]) > 0) ctx.randSeed(atoi(argv[5]));\n    ctx.traceEverOn(true);");
    let _ = writeln!(s, "    {v}* t = new {v}{{&ctx, \"TOP\"}};\n    {writer}* tf = new {writer};\n    t->trace(tf, 99);\n    tf->open(argv[2]);");
    // Power-up, as `VerilatedDut::open`.
    for p in ports.iter().filter(|p| p.dir == Dir::In) {
        let _ = writeln!(s, "    {}", assign(&p.name, p, None));
    }
    let _ = writeln!(s, "    t->eval();");
    if ports.iter().any(|p| p.name == "rst_n" && p.dir == Dir::In) {
        let _ = writeln!(s, "    t->rst_n = 1; t->eval(); t->rst_n = 0; t->eval();");
    }
    let _ = writeln!(s, "    tf->dump(0);");
    let _ = writeln!(s, "    std::vector<uint32_t> in({}), out({});", in_words.max(1), out_words.max(1));
    let _ = writeln!(s, "    uint64_t c = 0;\n    int status = 0;\n    auto t0 = std::chrono::steady_clock::now();");
    let _ = writeln!(s, "    while (fread(in.data(), 4, {in_words}, f) == {in_words} && fread(out.data(), 4, {out_words}, f) == {out_words}) {{");
    let mut off = 0;
    for &i in &ins {
        let p = &ports[i];
        let _ = writeln!(s, "        {}", assign(&p.name, p, Some(off)));
        off += p.words();
    }
    let _ = writeln!(s, "        t->clock = 0; t->eval();\n        tf->dump(c * period + period / 2);");
    let mut off = 0;
    for &i in &outs {
        let p = &ports[i];
        for w in 0..p.words() {
            let _ = writeln!(
                s,
                "        if ({} != out[{}]) {{ fprintf(stderr, \"cycle %llu: output `{}` word {w} is %08x in the replay, %08x in the run\\n\", (unsigned long long)c, {}, out[{}]); status = 1; break; }}",
                word(&p.name, p, w),
                off + w,
                p.name,
                word(&p.name, p, w),
                off + w
            );
        }
        off += p.words();
    }
    let _ = writeln!(s, "        t->clock = 1; t->eval();\n        tf->dump((c + 1) * period);\n        ++c;\n    }}");
    let _ = writeln!(s, "    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();");
    let _ = writeln!(s, "    tf->close();\n    t->final();\n    fclose(f);");
    let _ = writeln!(s, "    printf(\"cycles=%llu cycles_per_sec=%.0f\\n\", (unsigned long long)c, c / (secs > 0 ? secs : 1e-9));");
    let _ = writeln!(s, "    delete tf;\n    delete t;\n    return status;\n}}");
    s
}

/// C++ statement setting input `name` from `in[off..]` (or to 0 when `off` is `None`).
fn assign(name: &str, p: &Port, off: Option<usize>) -> String {
    let w = |i: usize| off.map_or("0u".to_string(), |o| format!("in[{}]", o + i));
    if p.width <= 32 {
        format!("t->{name} = {};", w(0))
    } else if p.width <= 64 {
        format!("t->{name} = (QData({}) << 32) | {};", w(1), w(0))
    } else {
        (0..p.words()).map(|i| format!("t->{name}.m_storage[{i}] = {};", w(i))).collect::<Vec<_>>().join(" ")
    }
}

/// C++ expression for word `i` of port `name`.
fn word(name: &str, p: &Port, i: usize) -> String {
    if p.width <= 32 {
        format!("uint32_t(t->{name})")
    } else if p.width <= 64 {
        format!("uint32_t(t->{name} >> {})", 32 * i)
    } else {
        format!("t->{name}.m_storage[{i}]")
    }
}

// ---------------------------------------------------------------------------------------------
// The GTKWave save file.

/// Signals shown first in each group: the APB bus (requester side, then completer side), then
/// clock and reset.
const BUS_FIRST: &[&str] =
    &["clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "pready", "prdata", "pslverr"];

/// Write a GTKWave save file `gtkw` for the inside waves `dump`, from the hierarchy in `vcd` (a
/// VCD of the same design; for a VCD dump, the dump itself). One group per block instance,
/// nested as the design is: the bus signals first, then the instance's flops (shown by their
/// `q`), then its other signals. The top's group is open, the others closed. Instances of
/// single flops are shown inside their parent, not as groups of their own; combinational leaf
/// instances are left to the signal tree.
pub fn write_gtkw(gtkw: &Path, dump: &Path, vcd: &Path) -> Result<(), String> {
    let file = File::open(vcd).map_err(|e| format!("cannot open {}: {e}", vcd.display()))?;
    let header = vcd::Parser::new(std::io::BufReader::new(file)).parse_header().map_err(|e| format!("{}: {e}", vcd.display()))?;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string();
    let mut g = format!("[dumpfile] \"{}\"\n[savefile] \"{}\"\n[timestart] 0\n", abs(dump), abs(gtkw));
    // Verilator's dump has `TOP` (the ports) holding the top module's scope.
    let top_scope = header.items.iter().find_map(|i| match i {
        vcd::ScopeItem::Scope(s) => s.items.iter().find_map(|j| match j {
            vcd::ScopeItem::Scope(m) => Some((format!("{}.{}", s.identifier, m.identifier), m)),
            _ => None,
        }),
        _ => None,
    });
    let (path, scope) = top_scope.ok_or_else(|| format!("{}: no module scope under TOP", vcd.display()))?;
    group(&mut g, &path, scope, true);
    std::fs::write(gtkw, g).map_err(|e| format!("writing {}: {e}", gtkw.display()))
}

fn vars(scope: &vcd::Scope) -> Vec<&vcd::Var> {
    scope.items.iter().filter_map(|i| if let vcd::ScopeItem::Var(v) = i { Some(v) } else { None }).collect()
}

fn scopes(scope: &vcd::Scope) -> Vec<&vcd::Scope> {
    scope.items.iter().filter_map(|i| if let vcd::ScopeItem::Scope(s) = i { Some(s) } else { None }).collect()
}

/// A flop primitive's instance: no sub-instances, and a `q` beside its `d`.
fn is_flop(scope: &vcd::Scope) -> bool {
    let v = vars(scope);
    scopes(scope).is_empty() && v.iter().any(|v| v.reference == "q") && v.iter().any(|v| v.reference == "d")
}

/// Sort key that puts numbered names in number order: `sb__2` before `sb__10`, `mem[2]` before
/// `mem[10]` (rust-hdl numbers array elements `__N`; Verilator's dump numbers words `[N]`).
fn natural(name: &str) -> (String, u64) {
    let s = name.trim_end_matches(']');
    let stem = s.trim_end_matches(|c: char| c.is_ascii_digit());
    (stem.to_string(), s[stem.len()..].parse().unwrap_or(0))
}

/// A leaf instance with state of its own: a RAM array (`mem[i]`) or registers named `*_q`.
fn holds_state(scope: &vcd::Scope) -> bool {
    vars(scope).iter().any(|v| v.reference.starts_with("mem[") || v.reference.ends_with("_q"))
}

/// One signal line (`@28` binary for a bit, `@22` hex for a bus).
fn signal(g: &mut String, path: &str, v: &vcd::Var) {
    match v.index {
        Some(vcd::ReferenceIndex::Range(msb, lsb)) => {
            let _ = write!(g, "@22\n{path}.{}[{msb}:{lsb}]\n", v.reference);
        }
        None if v.size == 1 => {
            let _ = write!(g, "@28\n{path}.{}\n", v.reference);
        }
        // Array words and single bits of a bus: reachable in the signal tree, not listed.
        _ => {}
    }
}

fn group(g: &mut String, path: &str, scope: &vcd::Scope, open: bool) {
    let name = &scope.identifier;
    let _ = write!(g, "{}\n-{name}\n", if open { "@800200" } else { "@c00200" });
    let mut own = vars(scope);
    own.sort_by_key(|v| (BUS_FIRST.iter().position(|b| *b == v.reference).unwrap_or(BUS_FIRST.len()), natural(&v.reference)));
    let (bus, rest): (Vec<_>, Vec<_>) = own.into_iter().partition(|v| BUS_FIRST.contains(&v.reference.as_str()));
    for v in bus {
        signal(g, path, v);
    }
    let mut children = scopes(scope);
    children.sort_by_key(|c| natural(&c.identifier));
    for f in children.iter().filter(|s| is_flop(s)) {
        if let Some(q) = vars(f).into_iter().find(|v| v.reference == "q") {
            signal(g, &format!("{path}.{}", f.identifier), q);
        }
    }
    for v in rest {
        signal(g, path, v);
    }
    // Blocks (instances with instances inside) and state-holding leaves (RAMs, guards) get groups;
    // combinational leaves (byte swaps, masked gadgets) stay in the dump's tree only.
    for c in children.iter().filter(|s| !is_flop(s) && (!scopes(s).is_empty() || holds_state(s))) {
        group(g, &format!("{path}.{}", c.identifier), c, false);
    }
    let _ = write!(g, "{}\n-{name}\n", if open { "@1000200" } else { "@1401200" });
}

#[cfg(test)]
mod tests {
    use super::natural;

    #[test]
    fn numbered_names_sort_by_number() {
        let mut v = ["sb__10", "sb__2", "mem[10]", "mem[9]", "paddr", "sb__1"];
        v.sort_by_key(|n| natural(n));
        assert_eq!(v, ["mem[9]", "mem[10]", "paddr", "sb__1", "sb__2", "sb__10"]);
    }
}
