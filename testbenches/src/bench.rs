//! `pluton bench`: engine cycles per block, and co-sim speed against a bare Verilator C++ loop.
//!
//! A benchmark, not a test: it prints figures and fails only if something cannot run.

use crate::regression::{benches, run_case, Backend, BlockBench, Ctx, Options, TestFuture};
use pluton_bindings::bench::{build_fastest_replay_loop, build_replay_loop, TraceRecorder, FASTEST_CXX_FLAGS, FASTEST_VERILATOR_FLAGS};
use pluton_bindings::{Dir, Dut, Sim, SimOptions, VerilatedDut, WaveFormat};
use std::path::Path;
use std::time::Instant;

/// Messages of the random test used as the co-sim workload.
const WORKLOAD_MESSAGES: usize = 1000;
/// The fixed seed of the workload, so every backend runs the same cycles.
const WORKLOAD_SEED: u64 = 0x5eed;

fn find(block: &str) -> Result<BlockBench, String> {
    benches().into_iter().find(|b| b.block == block).ok_or_else(|| {
        let names: Vec<_> = benches().iter().map(|b| b.block).collect();
        format!("unknown block `{block}`; blocks are: {}", names.join(", "))
    })
}

pub fn run(block: &str) -> Result<(), String> {
    if block == "m0" {
        return run_m0();
    }
    if block == "p256" {
        return run_p256();
    }
    let bench = find(block)?;
    let cases = bench.all_cases();
    let case = |name: &str| cases.iter().find(|c| c.name.ends_with(name)).ok_or(format!("{block} has no `{name}` test"));
    // The AES engines: cycles per block, counted edge by edge by their throughput test.
    if let (Err(_), Ok(tp)) = (case("timing"), case("throughput")) {
        let r = run_case(&bench, tp, &Options { seed: Some(WORKLOAD_SEED), ..Options::on(Backend::Rtl) });
        if !r.passed {
            return Err(format!("throughput test failed: {}", r.message));
        }
        println!("== {} engine (RTL, Verilator)", bench.module);
        for (name, value) in &r.metrics {
            println!("{name:<36} {value:.2}");
        }
        return Ok(());
    }

    // 1. The engine's own figures, measured on the RTL by the timing test.
    let scale = WORKLOAD_MESSAGES as f64 / crate::sha256::RANDOM_MESSAGES as f64;
    let opts = |backend| Options { seed: Some(WORKLOAD_SEED), scale, ..Options::on(backend) };
    let timing = run_case(&bench, case("timing")?, &opts(Backend::Rtl));
    if !timing.passed {
        return Err(format!("timing test failed: {}", timing.message));
    }
    println!("== {} engine (RTL, Verilator)", bench.module);
    // A metric measured several times (one per message length) prints its worst case.
    let mut shown: Vec<(&str, f64)> = Vec::new();
    for (name, value) in &timing.metrics {
        match shown.iter_mut().find(|(n, _)| n == name) {
            Some((_, worst)) if name.starts_with("latency") => *worst = worst.max(*value),
            Some((_, worst)) => *worst = worst.min(*value),
            None => shown.push((name, *value)),
        }
    }
    for (name, value) in shown {
        println!("{name:<36} {value:.2}");
    }
    if let Some((_, bpc)) = timing.metrics.iter().find(|(n, _)| n == "throughput_bits_per_cycle") {
        println!("{:<36} {:.1}", "streaming_cycles_per_512bit_block", 512.0 / bpc);
    }

    // 2. The same workload (random messages, fixed seed) on each backend, and bare.
    println!("\n== co-simulation speed: {WORKLOAD_MESSAGES} random messages, seed {WORKLOAD_SEED}");
    let speed = measure(&bench, case("random")?.name, scale)?;
    print!("{}", speed.describe());

    // 3. What waves of every signal cost: a tenth of the workload, its port log replayed through
    // the traced build (compiled -O1), in each format.
    println!("\n== waves of every signal inside: the workload's port log replayed with tracing");
    let tenth = Options { seed: Some(WORKLOAD_SEED), scale: scale / 10.0, waves: true, ..Options::on(Backend::Rtl) };
    let r = run_case(&bench, case("random")?, &tenth);
    if !r.passed {
        return Err(format!("{} with waves failed: {}", case("random")?.name, r.message));
    }
    let waves = pluton_toolchain::project_root().join("build").join("waves");
    let log = waves.join(format!("{}_rtl.portlog", case("random")?.name));
    for format in [WaveFormat::Vcd, WaveFormat::Fst] {
        let out = waves.join(format!("bench_tracing.{format:?}").to_lowercase());
        match pluton_bindings::replay::run(bench.module, pluton_bindings::replay::Instrument::Trace(format), &log, &out, 10) {
            Ok(t) => {
                let size = std::fs::metadata(&out).map_or(0, |m| m.len());
                println!(
                    "{:<40} {:>12.0} cycles/s ({:.2} of the bare loop; {} cycles, {:.0} bytes a cycle)",
                    format!("traced replay, {format:?}"),
                    t.cycles_per_sec,
                    t.cycles_per_sec / speed.cosim_bare,
                    t.cycles,
                    size as f64 / t.cycles.max(1) as f64
                );
            }
            Err(e) => println!("{:<40} not measured: {}", format!("traced replay, {format:?}"), e.lines().next().unwrap_or("")),
        }
        let _ = std::fs::remove_file(&out);
    }
    // The run's own waves are as large: keep only its port log.
    for ext in ["vcd", "inside.vcd"] {
        let _ = std::fs::remove_file(log.with_extension(ext));
    }
    Ok(())
}

/// `pluton bench` with no block: the co-simulation speed goals of issue 14, in one run.
pub fn run_speed() -> Result<(), String> {
    println!("== co-simulation speed (each figure the median of {RUNS} runs; the limit is the fastest bare C++ loop)");
    println!("   limit: Verilator {}, C++ {}, two evals per cycle", FASTEST_VERILATOR_FLAGS.join(" "), FASTEST_CXX_FLAGS.join(" "));
    let sha = find("sha256")?;
    let sha_scale = WORKLOAD_MESSAGES as f64 / crate::sha256::RANDOM_MESSAGES as f64;
    let security = find("security")?;
    let soc = find("soc")?;
    let rows = [
        ("sha256 random", measure(&sha, "sha256_hmac_random", sha_scale)?),
        ("security random", measure(&security, "security_random", 4.0)?),
        ("soc hmac demo", measure(&soc, "soc_hmac_demo", 1.0)?),
    ];
    println!(
        "{:<18} {:>11} {:>12} {:>12} {:>12} {:>12} {:>12} {:>9} {:>9}",
        "workload", "cycles", "lock-step/s", "RTL/s", "model/s", "bare co-sim", "limit/s", "LS/limit", "RTL/limit"
    );
    for (name, s) in &rows {
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
        println!(
            "{name:<18} {:>11} {:>12} {:>12.0} {:>12} {:>12.0} {:>12.0} {:>9.2} {:>9.2}",
            s.cycles,
            opt(s.lockstep),
            s.rtl,
            opt(s.model),
            s.cosim_bare,
            s.limit,
            s.lockstep.unwrap_or(0.0) / s.limit,
            s.rtl / s.limit
        );
    }
    // For the regression report (`pluton report`).
    let table: Vec<crate::report::SpeedRow> = rows
        .iter()
        .map(|(name, s)| crate::report::SpeedRow { workload: name.to_string(), cycles: s.cycles, lockstep: s.lockstep, rtl: s.rtl, model: s.model, limit: s.limit })
        .collect();
    let path = crate::report::speed_path(&pluton_toolchain::project_root());
    let json = serde_json::to_string_pretty(&table).map_err(|e| format!("encoding the speed table: {e}"))?;
    std::fs::create_dir_all(path.parent().unwrap_or(&path)).and_then(|_| std::fs::write(&path, json)).map_err(|e| format!("writing {}: {e}", path.display()))?;
    let (sha, sec, soc) = (&rows[0].1, &rows[1].1, &rows[2].1);
    println!("\n== the goals");
    let goal = |what: &str, value: f64, target: f64, unit: &str| {
        println!("{what:<44} {value:>12.2} {unit} (goal {target} {unit}: {})", if value >= target { "met" } else { "NOT met" });
    };
    goal("sha256 lock-step / limit", sha.lockstep.unwrap_or(0.0) / sha.limit, 0.8, "");
    goal("sha256 RTL alone / limit", sha.rtl / sha.limit, 0.9, "");
    goal("security lock-step", sec.lockstep.unwrap_or(0.0) / 1e6, 1.0, "M cycles/s");
    goal("security composed model alone", sec.model.unwrap_or(0.0) / 1e6, 3.0, "M cycles/s");
    goal("soc RTL alone", soc.rtl / 1e6, 1.0, "M cycles/s");
    Ok(())
}

/// Runs per figure; the median is reported, so one disturbed run does not move it.
const RUNS: usize = 3;

/// Co-simulation speed of one workload (a test run with the benchmark's fixed seed): cycles/s
/// through the async runtime on each backend, and the workload's recorded input trace replayed
/// by two bare C++ loops, one built as the co-simulation's model is and one as fast as
/// Verilator and the compiler go (the limit).
struct Speed {
    cycles: u64,
    lockstep: Option<f64>,
    rtl: f64,
    model: Option<f64>,
    cosim_bare: f64,
    limit: f64,
}

impl Speed {
    fn describe(&self) -> String {
        let mut s = String::new();
        let mut line = |name: &str, rate: Option<f64>| {
            if let Some(rate) = rate {
                s += &format!("{name:<40} {rate:>12.0} cycles/s\n");
            }
        };
        line("lock-step (async runtime)", self.lockstep);
        line("RTL alone (async runtime)", Some(self.rtl));
        line("model alone (async runtime)", self.model);
        line("bare C++ loop, co-sim's build", Some(self.cosim_bare));
        line("bare C++ loop, fastest build (limit)", Some(self.limit));
        s += &format!("{:<40} {:>12.2}\n", "lock-step / limit", self.lockstep.unwrap_or(0.0) / self.limit);
        s += &format!("{:<40} {:>12.2}\n", "RTL alone / limit", self.rtl / self.limit);
        s += &format!("({} cycles per run, median of {RUNS} runs)\n", self.cycles);
        s
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn measure(bench: &BlockBench, name: &str, scale: f64) -> Result<Speed, String> {
    let cases = bench.all_cases();
    let case = cases.iter().find(|c| c.name == name).ok_or(format!("{} has no `{name}` test", bench.block))?;
    let opts = |backend| Options { seed: Some(WORKLOAD_SEED), scale, ..Options::on(backend) };
    let mut cycles = 0;
    let mut rate = |backend: Backend| -> Result<f64, String> {
        let mut rates = Vec::new();
        for _ in 0..RUNS {
            let r = run_case(bench, case, &opts(backend));
            if !r.passed {
                return Err(format!("{} on {backend:?} failed: {}", case.name, r.message));
            }
            cycles = r.cycles;
            rates.push(r.cycles as f64 / r.seconds);
        }
        Ok(median(rates))
    };
    let has_model = bench.model.is_some();
    let lockstep = if has_model { Some(rate(Backend::Lockstep)?) } else { None };
    let rtl = rate(Backend::Rtl)?;
    let model = if has_model { Some(rate(Backend::Model)?) } else { None };

    let dir = pluton_toolchain::project_root().join("build").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let trace = dir.join(format!("{}.trace", bench.module));
    record_trace(bench.module, case.body, &trace, scale)?;
    let verilog = pluton_toolchain::project_root().join("rtl").join(format!("{}.v", bench.module));
    let design = pluton_toolchain::lint::design(&verilog)?;
    let cosim_exe = build_replay_loop(bench.module, &dir)?;
    let limit_exe = build_fastest_replay_loop(bench.module, &design, &dir)?;
    let bare = |exe: &Path| -> Result<(f64, String), String> {
        let runs = (0..RUNS).map(|_| replay(exe, &trace)).collect::<Result<Vec<_>, String>>()?;
        Ok((median(runs.iter().map(|r| r.0).collect()), runs[0].1.clone()))
    };
    let (cosim_bare, sum_a) = bare(&cosim_exe)?;
    let (limit, sum_b) = bare(&limit_exe)?;
    // Both builds of the same RTL must see the same outputs for the same inputs.
    if sum_a != sum_b {
        return Err(format!("{}: the fastest build's outputs differ from the co-sim build's (checksum {sum_b} against {sum_a})", bench.module));
    }
    Ok(Speed { cycles, lockstep, rtl, model, cosim_bare, limit })
}

/// Replays `trace` with the bare loop `exe`; returns its cycles/s and output checksum.
fn replay(exe: &Path, trace: &Path) -> Result<(f64, String), String> {
    let out = std::process::Command::new(exe).arg(trace).output().map_err(|e| format!("running {}: {e}", exe.display()))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", exe.display(), String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| text.split_whitespace().find_map(|f| f.strip_prefix(name)).map(str::to_string);
    let rate = field("cycles_per_sec=").and_then(|v| v.parse().ok()).ok_or(format!("unexpected output from the bare loop: {text}"))?;
    Ok((rate, field("checksum=").unwrap_or_default()))
}

/// Builds the bare C++ replay loop of `module` in `dir` (the co-sim's build), replays `trace`
/// and returns its cycles/s.
fn replay_rate(module: &str, dir: &Path, trace: &Path) -> Result<f64, String> {
    Ok(replay(&build_replay_loop(module, dir)?, trace)?.0)
}

/// Run the workload once on the RTL of `module` alone (fixed seed), recording the inputs at every
/// edge into `path`; returns the cycles recorded.
pub(crate) fn record_trace(module: &'static str, body: fn(Ctx) -> TestFuture, path: &Path, scale: f64) -> Result<u64, String> {
    let per_cycle: usize = {
        let d = VerilatedDut::open(module).ok_or(format!("no Verilated model for {module}"))?;
        d.ports().iter().filter(|p| p.dir == Dir::In && p.name != "clock").map(|p| p.words()).sum()
    };
    let file = path.to_path_buf();
    let factory = move || -> Box<dyn Dut> {
        Box::new(TraceRecorder::new(VerilatedDut::open(module).unwrap(), file.clone()))
    };
    let mut sim = Sim::with_options(factory, SimOptions { seed: Some(WORKLOAD_SEED), waves_on_failure: false, ..SimOptions::default() });
    sim.run("bench_trace", move |tb| body(Ctx::for_bench(tb, scale))).map_err(|f| f.to_string())?;
    let bytes = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    Ok(bytes / 4 / per_cycle as u64)
}

/// Random programs of the soft core's regression, with a fixed seed.
const M0_PROGRAMS: usize = 200;
const M0_SEED: u64 = 0x5eed;

/// The soft core: CPI against the Cortex-M0 table, and co-sim speed in retired instructions and
/// cycles per second, RTL with the ISS in lock-step against the ISS alone.
fn run_m0() -> Result<(), String> {
    use crate::m0::{iss_run::run_iss, random::suite, tb};
    let image = suite(M0_SEED, M0_PROGRAMS);
    let mut dut = VerilatedDut::open("pluton_m0").ok_or("no Verilated model for pluton_m0")?;
    let started = Instant::now();
    let r = tb::run(&mut dut, &image, &tb::RunConfig::default())?;
    let lockstep_s = started.elapsed().as_secs_f64();
    if !r.success {
        return Err(format!("the benchmark programs failed:\n{}", r.output));
    }
    let started = Instant::now();
    let iss = run_iss(&image, 100_000_000)?;
    let iss_s = started.elapsed().as_secs_f64();
    println!("== pluton_m0: {M0_PROGRAMS} random programs, seed {M0_SEED:#x}, zero wait states");
    println!("{:<44} {}", "instructions retired", r.instructions);
    println!("{:<44} {}", "exception entries", r.entries);
    println!("{:<44} {:.3}", "CPI (RTL, = the timing contract)", r.instruction_cycles as f64 / r.instructions as f64);
    println!("{:<44} {}", "records whose cycles were compared", r.timed_records);
    println!("\n== co-simulation speed");
    println!("{:<44} {:.0} instructions/s, {:.0} cycles/s", "RTL (Verilator) + ISS in lock-step", r.instructions as f64 / lockstep_s, r.cycles as f64 / lockstep_s);
    println!("{:<44} {:.0} instructions/s", "ISS alone", iss.instructions as f64 / iss_s);

    // The same cycles once more with the core's inputs recorded, replayed by a bare C++ loop.
    let dir = pluton_toolchain::project_root().join("build").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let trace_path = dir.join("pluton_m0.trace");
    {
        let mut recorder = TraceRecorder::new(VerilatedDut::open("pluton_m0").ok_or("no Verilated model for pluton_m0")?, trace_path.clone());
        tb::run(&mut recorder, &image, &tb::RunConfig::default())?;
    } // the recorder writes the trace when dropped
    let bare_rate = replay_rate("pluton_m0", &dir, &trace_path)?;
    let lockstep_rate = r.cycles as f64 / lockstep_s;
    println!("{:<44} {:.0} cycles/s", "bare C++ Verilator loop (same inputs)", bare_rate);
    println!("{:<44} {:.2}", "lock-step / bare C++ ratio", lockstep_rate / bare_rate);
    Ok(())
}

/// The P-256 engine: cycles of every command (both RANDOMIZE settings) on the RTL alone, against
/// OpenTitan OTBN's published figures; then co-sim speed on the CAVP KeyPair test.
fn run_p256() -> Result<(), String> {
    use crate::p256::consttime::Rig;
    use pluton_hdl::p256::regs::*;
    let mut rig = Rig::open_model("pluton_p256")?;
    // Valid operands: the first CAVP KeyPair key, its public key, and a signature made by the engine.
    let d: [u8; 32] = pluton_cosim::p256::reduce_mod_n(&[0x5a; 32]);
    let k: [u8; 32] = pluton_cosim::p256::reduce_mod_n(&[0x3c; 32]);
    let z = pluton_cosim::p256::hash_sha256(b"pluton bench p256");
    let (qx, qy) = pluton_cosim::p256::public_key(&d).map_err(|e| format!("{e:?}"))?;
    let (r, s) = pluton_cosim::p256::sign(&d, &k, &z).map_err(|e| format!("{e:?}"))?;
    let lambda = pluton_cosim::p256::reduce_mod_n(&[0x77; 32]);
    println!("== pluton_p256 (RTL, Verilator): cycles from the CMD edge to DONE (= CYCLES)");
    println!("{:<10} {:>12} {:>14} {:>10} {:>16}", "command", "RANDOMIZE=0", "RANDOMIZE=1", "result", "OpenTitan OTBN");
    let otbn = |c| match c {
        CMD_PUBKEY | CMD_KEYGEN | CMD_ECDH => "670,089",
        CMD_SIGN => "704,126",
        CMD_VERIFY => "420,220",
        _ => "",
    };
    for (cmd, name) in [(CMD_PUBKEY, "PUBKEY"), (CMD_KEYGEN, "KEYGEN"), (CMD_ECDH, "ECDH"), (CMD_SIGN, "SIGN"), (CMD_VERIFY, "VERIFY"), (CMD_WIPE, "WIPE")] {
        let mut row = Vec::new();
        let mut result = 0;
        for randomize in [0, 1] {
            rig.write(CTRL.offset, randomize);
            rig.operand(D.offset, &d);
            rig.operand(SEED.offset, &d);
            rig.operand(K.offset, &k);
            rig.operand(HASH.offset, &z);
            rig.operand(LAMBDA.offset, &lambda);
            rig.operand(QX.offset, &qx);
            rig.operand(QY.offset, &qy);
            rig.operand(R.offset, &r);
            rig.operand(S.offset, &s);
            let edges = rig.command(CMD.offset, cmd).cycles;
            let counted = rig.read(CYCLES.offset) as u64;
            if counted != edges {
                return Err(format!("{name}: CYCLES says {counted}, the bench counted {edges}"));
            }
            result |= rig.read(RESULT.offset) & 0xf;
            row.push(edges);
        }
        println!("{name:<10} {:>12} {:>14} {:>10} {:>16}", row[0], row[1], if result == 0 { "ok" } else { "ERROR" }, otbn(cmd));
        if result != 0 {
            return Err(format!("{name} failed on valid operands (RESULT.ERROR {result})"));
        }
    }

    let bench = find("p256")?;
    let cases = bench.all_cases();
    let case = cases.iter().find(|c| c.name == "p256_pubkey").ok_or("p256 has no p256_pubkey test")?;
    println!("\n== co-simulation speed: CAVP KeyPair (10 x PUBKEY)");
    let mut lockstep_rate = 0.0;
    for backend in [Backend::Lockstep, Backend::Rtl, Backend::Model] {
        let r = run_case(&bench, case, &Options { seed: Some(WORKLOAD_SEED), ..Options::on(backend) });
        if !r.passed {
            return Err(format!("{backend:?} run failed: {}", r.message));
        }
        let rate = r.cycles as f64 / r.seconds;
        if backend == Backend::Lockstep {
            lockstep_rate = rate;
        }
        println!("{:<36} {:>12.0} cycles/s ({} cycles in {:.2} s)", format!("{backend:?} (async runtime)").to_lowercase(), rate, r.cycles, r.seconds);
    }
    let dir = pluton_toolchain::project_root().join("build").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let trace_path = dir.join("pluton_p256.trace");
    let recorded = record_trace(bench.module, case.body, &trace_path, 1.0)?;
    let bare_rate = replay_rate(bench.module, &dir, &trace_path)?;
    println!("{:<36} {:>12.0} cycles/s ({recorded} cycles replayed)", "bare C++ Verilator loop", bare_rate);
    println!("{:<36} {:>12.2}", "lockstep / bare C++ ratio", lockstep_rate / bare_rate);
    Ok(())
}
