//! Throughput probes: a fixed stimulus driven through `Dut`, and the same loop as bare C++.
//!
//! Both sides use the same pseudo-random input pattern and fold every output into the same
//! checksum, so a matching checksum also cross-checks the generated binding.

use crate::dut::{Dir, Dut, Port};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The shared stimulus: xorshift32 words on every input except `clock`; `rst_n` low for 2 cycles.
pub struct Stimulus {
    state: u32,
    inputs: Vec<(usize, usize, bool)>, // (port, words, is_rst_n)
    outputs: Vec<(usize, usize)>,
    buf: Vec<u32>,
    pub checksum: u32,
}

impl Stimulus {
    pub fn new(ports: &[Port]) -> Stimulus {
        let inputs = ports
            .iter()
            .enumerate()
            .filter(|(_, p)| p.dir == Dir::In && p.name != "clock")
            .map(|(i, p)| (i, p.words(), p.name == "rst_n"))
            .collect();
        let outputs = ports.iter().enumerate().filter(|(_, p)| p.dir == Dir::Out).map(|(i, p)| (i, p.words())).collect();
        let max = ports.iter().map(|p| p.words()).max().unwrap_or(1);
        Stimulus { state: 0x1234_5678, inputs, outputs, buf: vec![0; max], checksum: 0 }
    }

    /// Drive inputs for `cycle`, step, fold outputs into the checksum. No allocation.
    pub fn cycle(&mut self, dut: &mut dyn Dut, cycle: u64) {
        for &(port, words, is_rst) in &self.inputs {
            if is_rst {
                self.buf[0] = (cycle >= 2) as u32;
            } else {
                for w in &mut self.buf[..words] {
                    self.state ^= self.state << 13;
                    self.state ^= self.state >> 17;
                    self.state ^= self.state << 5;
                    *w = self.state;
                }
            }
            dut.poke(port, &self.buf[..words]);
        }
        dut.step();
        for &(port, words) in &self.outputs {
            dut.peek(port, &mut self.buf[..words]);
            for &w in &self.buf[..words] {
                self.checksum = self.checksum.rotate_left(5) ^ w;
            }
        }
    }
}

/// Step `dut` through `cycles` cycles of the shared stimulus; returns (cycles/s, checksum).
pub fn dut_loop(dut: &mut dyn Dut, cycles: u64) -> (f64, u32) {
    let ports = dut.ports().to_vec();
    let mut s = Stimulus::new(&ports);
    let t = Instant::now();
    for c in 0..cycles {
        s.cycle(dut, c);
    }
    (cycles as f64 / t.elapsed().as_secs_f64(), s.checksum)
}

fn mask(width: u32) -> String {
    match width % 32 {
        0 => "0xffffffffu".into(),
        r => format!("0x{:x}u", (1u64 << r) - 1),
    }
}

/// C++ lines folding every output into `sum`, the checksum both loops print.
fn fold_outputs_cpp(ports: &[Port]) -> String {
    let mut s = String::new();
    for p in ports.iter().filter(|p| p.dir == Dir::Out) {
        let (n, w) = (&p.name, p.words());
        if p.width <= 32 {
            let _ = writeln!(s, "        sum = rotl5(sum) ^ uint32_t(t->{n});");
        } else if p.width <= 64 {
            let _ = writeln!(s, "        sum = rotl5(sum) ^ uint32_t(t->{n}); sum = rotl5(sum) ^ uint32_t(t->{n} >> 32);");
        } else {
            let _ = writeln!(s, "        for (int i = 0; i < {w}; ++i) sum = rotl5(sum) ^ t->{n}.m_storage[i];");
        }
    }
    s
}

/// C++ `main()` that runs the same stimulus on `V<stem>` directly and prints
/// `cycles_per_sec=<f> checksum=<hex>`; takes the cycle count as argv[1].
pub fn bare_loop_cpp(stem: &str, ports: &[Port]) -> String {
    let mut s = String::new();
    let v = format!("V{stem}");
    let _ = writeln!(s, "// Bare Verilator loop for {stem}: the baseline for the Rust `Dut` binding.");
    let _ = writeln!(s, "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n#include <cstdlib>\n#include \"verilated.h\"\n#include \"{v}.h\"\n");
    let _ = writeln!(s, "static inline uint32_t rotl5(uint32_t x) {{ return (x << 5) | (x >> 27); }}\n");
    let _ = writeln!(s, "int main(int argc, char** argv) {{");
    let _ = writeln!(s, "    uint64_t cycles = argc > 1 ? strtoull(argv[1], nullptr, 10) : 1000000;");
    let _ = writeln!(s, "    VerilatedContext ctx;\n    {v}* t = new {v}{{&ctx, \"TOP\"}};");
    let _ = writeln!(s, "    uint32_t st = 0x12345678u, sum = 0;");
    let _ = writeln!(s, "    auto rnd = [&]() {{ st ^= st << 13; st ^= st >> 17; st ^= st << 5; return st; }};");
    let has_clock = ports.iter().any(|p| p.name == "clock");
    if has_clock {
        let _ = writeln!(s, "    t->clock = 0;");
    }
    let _ = writeln!(s, "    t->eval();\n    auto t0 = std::chrono::steady_clock::now();");
    let _ = writeln!(s, "    for (uint64_t c = 0; c < cycles; ++c) {{");
    for p in ports.iter().filter(|p| p.dir == Dir::In && p.name != "clock") {
        let (n, m, w) = (&p.name, mask(p.width), p.words());
        if p.name == "rst_n" {
            let _ = writeln!(s, "        t->{n} = c >= 2;");
        } else if p.width <= 32 {
            let _ = writeln!(s, "        t->{n} = rnd() & {m};");
        } else if p.width <= 64 {
            let _ = writeln!(s, "        {{ uint32_t lo = rnd(); uint32_t hi = rnd() & {m}; t->{n} = (QData(hi) << 32) | lo; }}");
        } else {
            let _ = writeln!(s, "        for (int i = 0; i < {w}; ++i) t->{n}.m_storage[i] = rnd(); t->{n}.m_storage[{}] &= {m};", w - 1);
        }
    }
    if has_clock {
        let _ = writeln!(s, "        t->clock = 1; t->eval(); t->clock = 0; t->eval();");
    } else {
        let _ = writeln!(s, "        t->eval();");
    }
    s.push_str(&fold_outputs_cpp(ports));
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();");
    let _ = writeln!(s, "    printf(\"cycles_per_sec=%.0f checksum=%08x\\n\", cycles / secs, sum);");
    let _ = writeln!(s, "    t->final();\n    delete t;\n    return 0;\n}}");
    s
}

/// C++ `main()` that replays a recorded input trace on `V<stem>` (argv[1]: trace file, see
/// [`TraceRecorder`]) and prints `cycles_per_sec=<f> checksum=<hex>`. Each cycle takes two evals,
/// as the Rust runtime's does: the inputs with the falling clock, then the rising edge; then the
/// outputs are folded in.
pub fn replay_loop_cpp(stem: &str, ports: &[Port]) -> String {
    let mut s = String::new();
    let v = format!("V{stem}");
    let _ = writeln!(s, "// Bare Verilator trace replay for {stem}: the baseline for the co-simulation runtime.");
    let _ = writeln!(s, "#include <chrono>\n#include <cstdint>\n#include <cstdio>\n#include <vector>\n#include \"verilated.h\"\n#include \"{v}.h\"\n");
    let _ = writeln!(s, "static inline uint32_t rotl5(uint32_t x) {{ return (x << 5) | (x >> 27); }}\n");
    let _ = writeln!(s, "int main(int argc, char** argv) {{");
    let _ = writeln!(s, "    if (argc < 2) {{ fprintf(stderr, \"usage: %s TRACE\\n\", argv[0]); return 2; }}");
    let _ = writeln!(s, "    FILE* f = fopen(argv[1], \"rb\");\n    if (!f) {{ perror(argv[1]); return 2; }}");
    let _ = writeln!(s, "    std::vector<uint32_t> tr;\n    uint32_t w;\n    while (fread(&w, 4, 1, f) == 1) tr.push_back(w);\n    fclose(f);");
    let per_cycle: usize = ports.iter().filter(|p| p.dir == Dir::In && p.name != "clock").map(|p| p.words()).sum();
    let _ = writeln!(s, "    const size_t per_cycle = {per_cycle};\n    const size_t cycles = tr.size() / per_cycle;");
    let _ = writeln!(s, "    VerilatedContext ctx;\n    {v}* t = new {v}{{&ctx, \"TOP\"}};\n    uint32_t sum = 0;");
    let _ = writeln!(s, "    t->clock = 0;\n    t->eval();\n    auto t0 = std::chrono::steady_clock::now();");
    let _ = writeln!(s, "    for (size_t c = 0; c < cycles; ++c) {{\n        const uint32_t* in = &tr[c * per_cycle];");
    let mut off = 0;
    for p in ports.iter().filter(|p| p.dir == Dir::In && p.name != "clock") {
        let _ = writeln!(s, "        {}", crate::replay::assign(p, Some(off)));
        off += p.words();
    }
    let _ = writeln!(s, "        t->clock = 0; t->eval();\n        t->clock = 1; t->eval();");
    s.push_str(&fold_outputs_cpp(ports));
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();");
    let _ = writeln!(s, "    printf(\"cycles=%zu cycles_per_sec=%.0f checksum=%08x\\n\", cycles, cycles / secs, sum);");
    let _ = writeln!(s, "    t->final();\n    delete t;\n    return 0;\n}}");
    s
}

/// A `Dut` wrapper that records every input port's value at each rising edge, for replay by
/// the bare C++ loop ([`replay_loop_cpp`]): little-endian u32 words, inputs in port order.
/// The trace is written to `file` when the recorder is dropped (a simulation drops its DUT).
pub struct TraceRecorder<D: Dut> {
    pub inner: D,
    inputs: Vec<(usize, usize)>,
    current: Vec<Vec<u32>>,
    pub trace: Vec<u32>,
    file: PathBuf,
}

impl<D: Dut> Drop for TraceRecorder<D> {
    fn drop(&mut self) {
        if let Err(e) = self.write(&self.file) {
            eprintln!("writing {}: {e}", self.file.display());
        }
    }
}

impl<D: Dut> TraceRecorder<D> {
    pub fn new(inner: D, file: PathBuf) -> Self {
        let ports = inner.ports().to_vec();
        let inputs: Vec<(usize, usize)> =
            ports.iter().enumerate().filter(|(_, p)| p.dir == Dir::In && p.name != "clock").map(|(i, p)| (i, p.words())).collect();
        let current = ports.iter().map(|p| vec![0; p.words()]).collect();
        TraceRecorder { inner, inputs, current, trace: Vec::new(), file }
    }

    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let bytes: Vec<u8> = self.trace.iter().flat_map(|w| w.to_le_bytes()).collect();
        std::fs::write(path, bytes)
    }
}

impl<D: Dut> Dut for TraceRecorder<D> {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn rtl(&self) -> Option<&str> {
        self.inner.rtl()
    }
    fn ports(&self) -> &[Port] {
        self.inner.ports()
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        let n = self.current[port].len();
        self.current[port].copy_from_slice(&value[..n]);
        self.inner.poke(port, value)
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        self.inner.peek(port, value)
    }
    fn step(&mut self) {
        for &(port, _) in &self.inputs {
            self.trace.extend_from_slice(&self.current[port]);
        }
        self.inner.step()
    }
}

/// Write and compile the bare loop (random stimulus) for a built top into `dir`.
pub fn build_bare_loop(top: &str, dir: &Path) -> Result<PathBuf, String> {
    build_cpp_main(top, dir, "bare_loop", bare_loop_cpp)
}

/// Write and compile the trace-replay loop for a built top into `dir`, from the model the
/// bindings run (the co-simulation's own Verilator and C++ flags).
pub fn build_replay_loop(top: &str, dir: &Path) -> Result<PathBuf, String> {
    build_cpp_main(top, dir, "replay_loop", replay_loop_cpp)
}

/// Verilator flags of the fastest bare loop: no X randomisation, no assertions.
pub const FASTEST_VERILATOR_FLAGS: &[&str] = &["-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert", "--no-timing"];
/// C++ flags of the fastest bare loop (the bindings' hot path gets `-O2`).
pub const FASTEST_CXX_FLAGS: &[&str] = &["-O3", "-march=native", "-fno-stack-protector"];

/// The trace-replay loop of `module` (whose Verilog is `verilog`) built as fast as Verilator
/// and the C++ compiler make it: verilated afresh with [`FASTEST_VERILATOR_FLAGS`], every
/// generated file compiled with [`FASTEST_CXX_FLAGS`]. This is the limit the co-simulation is
/// measured against.
pub fn build_fastest_replay_loop(module: &str, verilog: &[PathBuf], dir: &Path) -> Result<PathBuf, String> {
    let ports = built_ports(module)?;
    let mdir = dir.join(format!("{module}_fastest"));
    let sources = crate::exe::verilate(module, &format!("V{module}"), verilog, &mdir, FASTEST_VERILATOR_FLAGS)?;
    let main = replay_loop_cpp(module, &ports);
    let exe = dir.join(format!("{module}_fastest_loop"));
    crate::exe::CxxExe { main: &main, exe: &exe, include: &[&mdir], sources: &sources, flags: FASTEST_CXX_FLAGS, defines: &cxx_defines(), libs: &[] }
        .build()
}

/// Compile a generated C++ `main` against a built top (same sources, defines and -O2 as the
/// crate's build). Needs a C++ compiler (`$CXX`, else `c++`). Returns the executable.
fn build_cpp_main(top: &str, dir: &Path, kind: &str, source: fn(&str, &[Port]) -> String) -> Result<PathBuf, String> {
    let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
    let sources: Vec<PathBuf> = model.cpp_sources.iter().filter(|f| !f.ends_with("_shim.cpp")).map(|f| PathBuf::from(*f)).collect();
    let main = source(top, &built_ports(top)?);
    compile_loop(&main, &dir.join(format!("{top}_{kind}")), Path::new(model.model_dir), &sources, &["-O2"])
}

/// The ports of a Verilated top of this build.
fn built_ports(top: &str) -> Result<Vec<Port>, String> {
    let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
    Ok(model.port_list())
}

/// Compile `main` with the model's generated `sources` (headers in `model_dir`) and Verilator's
/// runtime into `exe`, with the bindings' own preprocessor switches.
fn compile_loop(main: &str, exe: &Path, model_dir: &Path, sources: &[PathBuf], flags: &[&str]) -> Result<PathBuf, String> {
    let sources: Vec<PathBuf> = sources.iter().cloned().chain(crate::verilated::RUNTIME_SOURCES.iter().map(PathBuf::from)).collect();
    crate::exe::CxxExe { main, exe, include: &[model_dir], sources: &sources, flags, defines: &cxx_defines(), libs: &[] }.build()
}

/// The bindings' own preprocessor switches, as the crate's build compiled the models with.
fn cxx_defines() -> Vec<String> {
    crate::verilated::CXX_DEFINES.iter().map(|d| d.to_string()).collect()
}
