//! Replays of a run's ports through an instrumented Verilator build: waves of every signal, coverage.
//!
//! The co-simulation's models are built without instruments, which would slow every run. A run
//! that wants them writes a *port log*: each cycle's inputs and outputs as the rising edge saw
//! them. The log is replayed through the same Verilog, verilated with the instrument and the
//! co-simulation's flags and random-init seed, built once per design and instrument and cached
//! in `build/replay/<top>-<instrument>/`. The replay compares its outputs with the log's in every
//! cycle, so what it records is the run's, or it names the cycle and port where they part.
//! A log goes to a file (waves, replayed at the end) or straight into the replay's stdin
//! (coverage, replayed on another core while the run goes on).

use crate::dut::{Dir, Dut, Port, Rule};
use crate::inside::WaveFormat;
use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// What a replay records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instrument {
    /// Every signal, as waves.
    Trace(WaveFormat),
    /// Verilator's line (with branch) and toggle coverage, as a `coverage.dat`.
    Coverage,
    /// Nothing: a netlist with Yosys mutations (`crate::mutants`), one of them chosen by its
    /// `mutsel` input; the replay's only result is whether the outputs leave the log.
    Mutants,
}

impl Instrument {
    fn name(self) -> &'static str {
        match self {
            Instrument::Trace(f) => f.ext(),
            Instrument::Coverage => "coverage",
            Instrument::Mutants => "mutants",
        }
    }

    /// The co-simulation's flags plus the instrument's.
    fn verilator_flags(self) -> Vec<&'static str> {
        let mut f = pluton_toolchain::model_build::COSIM_VERILATOR_FLAGS.to_vec();
        match self {
            Instrument::Trace(WaveFormat::Vcd) => f.push("--trace"),
            Instrument::Trace(WaveFormat::Fst) => f.push("--trace-fst"),
            Instrument::Coverage => f.extend(["--coverage-line", "--coverage-toggle"]),
            Instrument::Mutants => {}
        }
        if let Instrument::Trace(_) = self {
            // Wide buses and RAM arrays included.
            f.extend(["--trace-max-width", "1024", "--trace-max-array", "256"]);
        }
        f
    }

    /// The bindings' preprocessor switches with this instrument's turned on.
    fn defines(self) -> Vec<String> {
        let on: &[&str] = match self {
            Instrument::Trace(WaveFormat::Vcd) => &["VM_TRACE", "VM_TRACE_VCD"],
            Instrument::Trace(WaveFormat::Fst) => &["VM_TRACE", "VM_TRACE_FST"],
            Instrument::Coverage => &["VM_COVERAGE"],
            Instrument::Mutants => &[],
        };
        crate::verilated::CXX_DEFINES
            .iter()
            .map(|d| match d.trim_start_matches("-D").split_once('=') {
                Some((k, _)) if on.contains(&k) => format!("-D{k}=1"),
                _ => d.to_string(),
            })
            .collect()
    }

    /// Libraries to link. The FST writer needs zlib, and lz4 where Verilator's own makefile asks
    /// for it (5.048's writer uses the system's lz4; 5.006 carries its own).
    fn libs(self) -> Vec<&'static str> {
        if self != Instrument::Trace(WaveFormat::Fst) {
            return Vec::new();
        }
        let mk = Path::new(crate::verilated::VERILATOR_ROOT).join("include").join("verilated.mk");
        if std::fs::read_to_string(mk).is_ok_and(|t| t.contains("-llz4")) {
            vec!["-llz4", "-lz"]
        } else {
            vec!["-lz"]
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The port log.

/// First word of a port log: "PLTW" little-endian, then the format version.
const LOG_MAGIC: u32 = 0x5754_4c50;
const LOG_VERSION: u32 = 1;

/// The ports a port log carries, in its order: inputs but the clock, then outputs.
fn logged(ports: &[Port]) -> Vec<usize> {
    let ins = (0..ports.len()).filter(|&i| ports[i].dir == Dir::In && ports[i].name != "clock");
    ins.chain((0..ports.len()).filter(|&i| ports[i].dir == Dir::Out)).collect()
}

fn words(ports: &[Port], dir: Dir) -> usize {
    logged(ports).iter().filter(|&&i| ports[i].dir == dir).map(|&i| ports[i].words()).sum()
}

/// Writes a port log: a header (magic, version, input words, output words per cycle), then for
/// every cycle the inputs and outputs just before the rising edge, as little-endian words.
pub struct PortLog {
    sink: BufWriter<Box<dyn Write>>,
    ports: Vec<(usize, usize)>,
    buf: Vec<u32>,
    pub cycles: u64,
}

impl PortLog {
    /// A log of a DUT with `ports` into `sink`.
    pub fn new(sink: Box<dyn Write>, ports: &[Port]) -> std::io::Result<PortLog> {
        let mut sink = BufWriter::with_capacity(1 << 16, sink);
        for w in [LOG_MAGIC, LOG_VERSION, words(ports, Dir::In) as u32, words(ports, Dir::Out) as u32] {
            sink.write_all(&w.to_le_bytes())?;
        }
        let ports: Vec<(usize, usize)> = logged(ports).into_iter().map(|i| (i, ports[i].words())).collect();
        let buf = vec![0; ports.iter().map(|p| p.1).max().unwrap_or(1)];
        Ok(PortLog { sink, ports, buf, cycles: 0 })
    }

    pub fn create(path: &Path, ports: &[Port]) -> std::io::Result<PortLog> {
        PortLog::new(Box::new(std::fs::File::create(path)?), ports)
    }

    /// Log this cycle (call just before the rising edge): every input and output of `dut`.
    pub fn sample(&mut self, dut: &mut dyn Dut) -> std::io::Result<()> {
        for &(p, n) in &self.ports {
            dut.peek(p, &mut self.buf[..n]);
            for w in &self.buf[..n] {
                self.sink.write_all(&w.to_le_bytes())?;
            }
        }
        self.cycles += 1;
        Ok(())
    }

    /// Flush and close the sink.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.sink.flush()
    }
}

// ---------------------------------------------------------------------------------------------
// Running a replay.

/// What a replay did.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// What it wrote: waves or a coverage file.
    pub out: PathBuf,
    pub cycles: u64,
    /// Replay speed with the instrument on (cycles/s).
    pub cycles_per_sec: f64,
}

/// The replay's arguments after the log: `OUT PERIOD_NS RAND_RESET SEED`. The run's random
/// initial state, if it had one ([`crate::random_init`]), is used again.
pub(crate) fn replay_args(out: &Path, period_ns: u64) -> Vec<String> {
    let (rand_reset, seed) = crate::random_init().map_or((0, 0), |s| (2, s));
    vec![out.display().to_string(), period_ns.to_string(), rand_reset.to_string(), seed.to_string()]
}

/// Read what a finished replay printed.
fn replayed(top: &str, out: &Path, run: std::process::Output) -> Result<Replayed, String> {
    let text = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        return Err(format!("the replay of {top} stopped: {}{}", String::from_utf8_lossy(&run.stderr).trim(), text.trim()));
    }
    let field = |name: &str| text.split_whitespace().find_map(|f| f.strip_prefix(name)).and_then(|v| v.parse::<f64>().ok());
    match (field("cycles="), field("cycles_per_sec=")) {
        (Some(c), Some(r)) => Ok(Replayed { out: out.to_path_buf(), cycles: c as u64, cycles_per_sec: r }),
        _ => Err(format!("unexpected output from the replay of {top}: {text}")),
    }
}

/// Replay the port log file `log` of a run of the Verilated top `top` (clock period `period_ns`)
/// into `out`. `Err` if the replay cannot be built or run, or if its outputs leave the log's (the
/// message names the cycle and the port; waves up to there are still written).
pub fn run(top: &str, instrument: Instrument, log: &Path, out: &Path, period_ns: u64) -> Result<Replayed, String> {
    let exe = executable(top, instrument)?;
    let run = Command::new(&exe).arg(log).args(replay_args(out, period_ns)).output().map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    replayed(top, out, run)
}

/// A replay reading its log from a pipe, on its own core, while the run writes it.
pub struct Streaming {
    child: Child,
    top: String,
    out: PathBuf,
}

impl Streaming {
    /// Start the replay of `top` into `out`; returns it and the log the run writes into it.
    pub fn start(top: &str, instrument: Instrument, out: &Path, period_ns: u64, ports: &[Port]) -> Result<(Streaming, PortLog), String> {
        let exe = executable(top, instrument)?;
        let mut child = Command::new(&exe)
            .arg("-")
            .args(replay_args(out, period_ns))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let log = PortLog::new(Box::new(stdin), ports).map_err(|e| format!("starting the replay of {top}: {e}"))?;
        Ok((Streaming { child, top: top.to_string(), out: out.to_path_buf() }, log))
    }

    /// Wait for the replay (its log must be finished, which closes the pipe).
    pub fn wait(self) -> Result<Replayed, String> {
        let run = self.child.wait_with_output().map_err(|e| format!("waiting for the replay of {}: {e}", self.top))?;
        replayed(&self.top, &self.out, run)
    }
}

// ---------------------------------------------------------------------------------------------
// Building the replay.

/// The replay executable of `top` with `instrument`, built if the cached one is missing or was
/// built from other Verilog, Verilator or flags.
pub fn executable(top: &str, instrument: Instrument) -> Result<PathBuf, String> {
    let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
    let verilog: Vec<PathBuf> = model.verilog.iter().map(PathBuf::from).collect();
    let dir = crate::project_root().join("build").join("replay").join(format!("{top}-{}", instrument.name()));
    executable_in(top, instrument, &verilog, &dir)
}

/// As [`executable`], built in `dir` from other Verilog with the same top module and ports as
/// `top`'s (plus `mutsel` for [`Instrument::Mutants`]), the top module's file last.
pub(crate) fn executable_in(top: &str, instrument: Instrument, verilog: &[PathBuf], dir: &Path) -> Result<PathBuf, String> {
    let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
    // The module is the top model's file name (a `<top>_fi` build verilates the same module).
    let module = model.verilog.last().and_then(|f| Path::new(f).file_stem()).map(|s| s.to_string_lossy().into_owned()).ok_or(format!("{top}: no Verilog recorded"))?;
    let main = main_cpp(top, &model.port_list(), instrument);
    let flags = instrument.verilator_flags();

    let exe = dir.join("replay");
    let verilator = pluton_toolchain::verilator()?;
    let mut key = format!("{} {}\n{}\n{main}", verilator.program.display(), verilator.version, flags.join(" "));
    for f in verilog {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let _ = write!(key, "\n{}\n{text}", f.display());
    }
    let key = format!("{:016x}", fnv1a(key.as_bytes()));
    let key_file = dir.join("key");
    if exe.is_file() && std::fs::read_to_string(&key_file).is_ok_and(|k| k == key) {
        return Ok(exe);
    }
    println!("building the {} replay of {top} in {} ...", instrument.name(), dir.display());
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mdir = dir.join("model");
    let sources = crate::exe::verilate(&module, &format!("V{top}"), verilog, &mdir, &flags)?;
    let (defines, libs) = (instrument.defines(), instrument.libs());
    crate::exe::CxxExe { main: &main, exe: &exe, include: &[&mdir], sources: &sources, flags: &["-O1"], defines: &defines, libs: &libs }
        .build()?;
    std::fs::write(&key_file, key).map_err(|e| format!("writing {}: {e}", key_file.display()))?;
    Ok(exe)
}

/// 64-bit FNV-1a: a stable cache key (std's hasher may change between Rust releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// C++ `main` of a replay: `replay LOG|- OUT PERIOD_NS RAND_RESET SEED [MUTSEL]`. It opens the model as
/// the co-simulation does (inputs 0, a falling edge on `rst_n`), then per logged cycle sets the
/// inputs with the clock low (half a period before the edge, as the port waves show them),
/// checks the outputs against the log, and raises the clock. Waves are dumped at both clock
/// levels; coverage is written at the end. A mutants replay sets `mutsel` with the other inputs
/// and stops at the first cycle whose outputs leave the log (exit status 1).
fn main_cpp(top: &str, ports: &[Port], instrument: Instrument) -> String {
    let v = format!("V{top}");
    let list = logged(ports);
    let (in_words, out_words) = (words(ports, Dir::In), words(ports, Dir::Out));
    let trace = match instrument {
        Instrument::Trace(WaveFormat::Vcd) => Some(("VerilatedVcdC", "verilated_vcd_c.h")),
        Instrument::Trace(WaveFormat::Fst) => Some(("VerilatedFstC", "verilated_fst_c.h")),
        Instrument::Coverage | Instrument::Mutants => None,
    };
    let dump = |at: &str| if trace.is_some() { format!("tf->dump({at});") } else { String::new() };
    let mut s = String::new();
    let _ = writeln!(s, "// {} replay of a {top} port log. Generated by pluton-bindings (replay.rs); do not edit.", instrument.name());
    let _ = writeln!(s, "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n#include <cstring>\n#include <vector>");
    let _ = writeln!(s, "#include \"verilated.h\"");
    match trace {
        Some((_, header)) => {
            let _ = writeln!(s, "#include \"{header}\"");
        }
        None if instrument == Instrument::Coverage => {
            let _ = writeln!(s, "#include \"verilated_cov.h\"");
        }
        None => {}
    }
    let _ = writeln!(s, "#include \"{v}.h\"\n");
    let _ = writeln!(s, "int main(int argc, char** argv) {{");
    let _ = writeln!(s, "    if (argc < 6) {{ fprintf(stderr, \"usage: %s LOG|- OUT PERIOD_NS RAND_RESET SEED\\n\", argv[0]); return 2; }}");
    let _ = writeln!(s, "    FILE* f = strcmp(argv[1], \"-\") == 0 ? stdin : fopen(argv[1], \"rb\");\n    if (!f) {{ perror(argv[1]); return 2; }}");
    let _ = writeln!(s, "    uint32_t hdr[4];");
    let _ = writeln!(
        s,
        "    if (fread(hdr, 4, 4, f) != 4 || hdr[0] != 0x{LOG_MAGIC:08x}u || hdr[1] != {LOG_VERSION}u || hdr[2] != {in_words}u || hdr[3] != {out_words}u) {{\n        \
         fprintf(stderr, \"%s is not a port log of {top} ({in_words} input and {out_words} output words a cycle)\\n\", argv[1]);\n        return 2;\n    }}"
    );
    let _ = writeln!(s, "    const uint64_t period = strtoull(argv[3], nullptr, 10);");
    let _ = writeln!(s, "    VerilatedContext ctx;\n    ctx.randReset(atoi(argv[4]));\n    if (atoi(argv[5]) > 0) ctx.randSeed(atoi(argv[5]));");
    let _ = writeln!(s, "    {v}* t = new {v}{{&ctx, \"TOP\"}};");
    if let Some((writer, _)) = trace {
        let _ = writeln!(s, "    ctx.traceEverOn(true);\n    {writer}* tf = new {writer};\n    t->trace(tf, 99);\n    tf->open(argv[2]);");
    }
    // Power-up, as `VerilatedDut::open`.
    for p in ports.iter().filter(|p| p.dir == Dir::In) {
        let _ = writeln!(s, "    {}", assign(p, None));
    }
    if instrument == Instrument::Mutants {
        let _ = writeln!(s, "    if (argc < 7) {{ fprintf(stderr, \"a mutants replay needs MUTSEL\\n\"); return 2; }}\n    t->mutsel = strtoul(argv[6], nullptr, 10);");
    }
    let _ = writeln!(s, "    t->eval();");
    if ports.iter().any(|p| p.name == "rst_n" && p.dir == Dir::In) {
        let _ = writeln!(s, "    t->rst_n = 1; t->eval(); t->rst_n = 0; t->eval();");
    }
    let _ = writeln!(s, "    {}", dump("0"));
    let _ = writeln!(s, "    std::vector<uint32_t> in({}), out({});", in_words.max(1), out_words.max(1));
    let _ = writeln!(s, "    uint64_t c = 0;\n    int status = 0;\n    auto t0 = std::chrono::steady_clock::now();");
    let _ = writeln!(s, "    while (fread(in.data(), 4, {in_words}, f) == {in_words} && fread(out.data(), 4, {out_words}, f) == {out_words}) {{");
    let (mut in_off, mut out_off) = (0, 0);
    for &i in list.iter().filter(|&&i| ports[i].dir == Dir::In) {
        let _ = writeln!(s, "        {}", assign(&ports[i], Some(in_off)));
        in_off += ports[i].words();
    }
    let _ = writeln!(s, "        t->clock = 0; t->eval();\n        {}", dump("c * period + period / 2"));
    let when = compare_when(ports, instrument);
    for &i in list.iter().filter(|&&i| ports[i].dir == Dir::Out) {
        let p = &ports[i];
        for w in 0..p.words() {
            let (got, at) = (word(p, w), out_off + w);
            let _ = writeln!(
                s,
                "        if ({}{got} != out[{at}]) {{ fprintf(stderr, \"cycle %llu: output `{}` word {w} is %08x in the replay, %08x in the run\\n\", (unsigned long long)c, {got}, out[{at}]); status = 1; break; }}",
                when[i],
                p.name
            );
        }
        out_off += p.words();
    }
    let _ = writeln!(s, "        t->clock = 1; t->eval();\n        {}\n        ++c;\n    }}", dump("(c + 1) * period"));
    let _ = writeln!(s, "    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();");
    let _ = writeln!(s, "    t->final();\n    if (f != stdin) fclose(f);");
    match trace {
        Some(_) => {
            let _ = writeln!(s, "    tf->close();\n    delete tf;");
        }
        None if instrument == Instrument::Coverage => {
            let _ = writeln!(s, "    if (status == 0) ctx.coveragep()->write(argv[2]);");
        }
        None => {}
    }
    let _ = writeln!(s, "    printf(\"cycles=%llu cycles_per_sec=%.0f\\n\", (unsigned long long)c, c / (secs > 0 ? secs : 1e-9));");
    let _ = writeln!(s, "    delete t;\n    return status;\n}}");
    s
}

/// Per port, the C++ condition (with `&& ` after it) under which its output is compared. A replay
/// of the run's own netlist compares every output in every cycle; a mutants replay compares as
/// the lock-step does ([`crate::dut::compare_rules`]), so that it kills no mutant the regression
/// would let through.
fn compare_when(ports: &[Port], instrument: Instrument) -> Vec<String> {
    let (apb, rules) = crate::dut::compare_rules(ports);
    let (Some(apb), Instrument::Mutants) = (apb, instrument) else { return vec![String::new(); ports.len()] };
    let list = logged(ports);
    let at = |port: usize, dir: Dir| -> usize { list.iter().filter(|&&i| ports[i].dir == dir).take_while(|&&i| i != port).map(|&i| ports[i].words()).sum() };
    let access = format!("in[{}] && in[{}]", at(apb.psel, Dir::In), at(apb.penable, Dir::In));
    rules
        .iter()
        .map(|r| match r {
            Rule::Always => String::new(),
            Rule::AccessPhase => format!("{access} && "),
            Rule::ReadData => format!("{access} && !in[{}] && out[{}] && ", at(apb.pwrite, Dir::In), at(apb.pready, Dir::Out)),
        })
        .collect()
}

/// C++ statement setting input `p` of the model `t` from `in[off..]` (or to 0 when `off` is `None`).
pub(crate) fn assign(p: &Port, off: Option<usize>) -> String {
    let name = &p.name;
    let w = |i: usize| off.map_or("0u".to_string(), |o| format!("in[{}]", o + i));
    if p.width <= 32 {
        format!("t->{name} = {};", w(0))
    } else if p.width <= 64 {
        format!("t->{name} = (QData({}) << 32) | {};", w(1), w(0))
    } else {
        (0..p.words()).map(|i| format!("t->{name}.m_storage[{i}] = {};", w(i))).collect::<Vec<_>>().join(" ")
    }
}

/// C++ expression for word `i` of port `p`.
fn word(p: &Port, i: usize) -> String {
    let name = &p.name;
    if p.width <= 32 {
        format!("uint32_t(t->{name})")
    } else if p.width <= 64 {
        format!("uint32_t(t->{name} >> {})", 32 * i)
    } else {
        format!("t->{name}.m_storage[{i}]")
    }
}
