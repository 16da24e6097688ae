//! The co-simulation regression: every block's tests on a chosen backend, with a summary table.

use crate::csr::CsrSpec;
use crate::formal::Proof;
use crate::leak::LeakScan;
use pluton_bindings::trace::PortRecorder;
use pluton_bindings::{open_verilated, Dut, Sim, SimOptions, Tb};
use pluton_cosim::{LockStep, Mismatch, PipelinedLockStep};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Instant;

/// What runs under the test bench.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
pub enum Backend {
    /// Verilated RTL and the reference model side by side, every output compared.
    Lockstep,
    /// Verilated RTL alone.
    Rtl,
    /// The reference model alone.
    Model,
}

pub type TestFuture = Pin<Box<dyn Future<Output = Result<(), String>>>>;

/// One named test of a block.
pub struct Case {
    pub name: &'static str,
    pub body: fn(Ctx) -> TestFuture,
}

/// What a test body gets: the test-bench handle plus counters for the summary.
#[derive(Clone)]
pub struct Ctx {
    pub tb: Tb,
    checks: Rc<Cell<u64>>,
    metrics: Rc<RefCell<Vec<(String, f64)>>>,
    leak_reads: Rc<Cell<u64>>,
    /// Cycles a bench ran on the DUT directly (outside the `Tb` clock), for the summary.
    extra_cycles: Rc<Cell<u64>>,
    /// Multiplier on the size of randomized workloads (1.0 in the regression).
    scale: f64,
    /// The block's register map as the generated CSR tests reach it.
    pub csr: Option<&'static CsrSpec>,
}

impl Ctx {
    /// A context whose counters nobody reads (benchmark runs).
    pub fn for_bench(tb: Tb, scale: f64) -> Ctx {
        Ctx { tb, checks: Rc::default(), metrics: Rc::default(), leak_reads: Rc::default(), extra_cycles: Rc::default(), scale, csr: None }
    }
    /// Count cycles that a bench ran on the DUT itself (`tb.with_dut`), outside the `Tb` clock.
    pub fn add_cycles(&self, n: u64) {
        self.extra_cycles.set(self.extra_cycles.get() + n);
    }
    /// Count `n` checked vectors or scenarios.
    pub fn count(&self, n: u64) {
        self.checks.set(self.checks.get() + n);
    }
    /// Record a measured figure for the summary and the benchmark.
    pub fn metric(&self, name: &str, value: f64) {
        self.metrics.borrow_mut().push((name.to_string(), value));
    }
    /// `n`, times the run's scale (the benchmark runs a smaller workload).
    pub fn scale(&self, n: usize) -> usize {
        ((n as f64 * self.scale).round() as usize).max(1)
    }
    /// Finish a test's key-leak scan: record how much was scanned, fail on any hit.
    pub fn leaks(&self, scan: &Rc<RefCell<LeakScan>>) -> Result<(), String> {
        let scan = scan.borrow();
        self.leak_reads.set(self.leak_reads.get() + scan.reads);
        if scan.reads == 0 || scan.windows() == 0 {
            return Err("key-leak scan saw no reads or no secrets: the scan is not wired".into());
        }
        scan.result()
    }
    /// Record the reads scanned in a test that uses no secret (plain SHA-256).
    pub fn no_secrets(&self, scan: &Rc<RefCell<LeakScan>>) -> Result<(), String> {
        self.leak_reads.set(self.leak_reads.get() + scan.borrow().reads);
        Ok(())
    }
}

/// One test's outcome.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TestResult {
    pub block: String,
    pub test: String,
    pub backend: Backend,
    pub passed: bool,
    pub message: String,
    pub checks: u64,
    pub cycles: u64,
    pub reads_compared: u64,
    pub leak_reads: u64,
    pub seconds: f64,
    pub metrics: Vec<(String, f64)>,
    /// The test did not run on this backend (the message says why).
    pub skipped: bool,
}

/// `Ok` if `ok`, else the failure `why` describes (built only then).
pub fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(why())
    }
}

/// A block under test: its Verilated top, its model and its tests.
pub struct BlockBench {
    pub block: &'static str,
    pub module: &'static str,
    /// The port-level model that lock-step runs beside the RTL; `None` when the bench compares
    /// with its reference itself (the core's benches step the ISS per retired instruction).
    pub model: Option<fn() -> Box<dyn Dut>>,
    pub cases: fn() -> Vec<Case>,
    /// The test whose port trace is replayed on Icarus (`tests/icarus.rs`): one that uses the
    /// block's storage.
    pub replay: &'static str,
    /// How the CSR tests generated from the register map reach it (`None`: no APB registers).
    pub csr: Option<&'static CsrSpec>,
    /// The block's SBY proofs (`testbenches/<ip>/formal/`), each with its mutant.
    pub proofs: &'static [Proof],
    /// Every case in lock-step must compare reads with the model (a block with its own `prdata`).
    pub compares_reads: bool,
    /// Every case must scan its reads for key bytes.
    pub scans_leaks: bool,
}

impl BlockBench {
    /// The block's own tests, then the CSR tests generated from its map.
    pub fn all_cases(&self) -> Vec<Case> {
        let mut cases = (self.cases)();
        if let Some(spec) = self.csr {
            cases.extend(crate::csr::cases_for(spec));
        }
        cases
    }
}

/// Every block's bench: each bench folder's `benches()`, in the order of the IP list
/// (`pluton_regs::for_each_ip!`).
pub fn benches() -> Vec<BlockBench> {
    macro_rules! all {
        ($($ip:ident $([$($file:ident),*])?),* $(,)?) => {
            [$(crate::$ip::benches()),*].into_iter().flatten().collect()
        };
    }
    pluton_hdl::for_each_ip!(all)
}

/// Regression options, as the CLI takes them.
#[derive(Clone, Debug)]
pub struct Options {
    pub seed: Option<u64>,
    pub waves: bool,
    pub backend: Backend,
    pub filter: Option<String>,
    /// Multiplier on randomized workload sizes; 1.0 runs the counts the regression promises.
    pub scale: f64,
    /// The part of the selected tests to run (`Shard::ALL`: every one).
    pub shard: crate::shard::Shard,
    /// Lock-step checks on a second thread, behind the RTL (a failure's replay checks in step).
    pub pipelined: bool,
    /// Format of the waves of every signal inside the RTL.
    pub wave_format: pluton_bindings::WaveFormat,
    /// Record Verilator coverage of every test run on RTL (`crate::coverage`).
    pub coverage: bool,
    /// Keep the port log of every test run on RTL in `<dir>/<top>/<test>.portlog` (`crate::mutants`).
    pub port_logs: Option<std::path::PathBuf>,
}

impl Options {
    /// The regression's own options on `backend`: its seeds, full workloads, no waves, no filter.
    pub fn on(backend: Backend) -> Options {
        Options { seed: None, waves: false, backend, filter: None, scale: 1.0, shard: crate::shard::Shard::ALL, pipelined: true, wave_format: Default::default(), coverage: false, port_logs: None }
    }
}

/// Lock-step statistics shared between the DUT wrapper and the per-cycle check.
#[derive(Default)]
struct LockStats {
    reads_compared: u64,
    mismatches: Vec<Mismatch>,
}

/// A lock-step checker: in step with the simulation (`LockStep`), or on a second thread behind
/// it (`PipelinedLockStep`).
trait Checker: Dut {
    fn reads_compared(&self) -> u64;
    fn take_mismatches(&mut self) -> Vec<Mismatch>;
}

impl Checker for LockStep {
    fn reads_compared(&self) -> u64 {
        LockStep::reads_compared(self)
    }
    fn take_mismatches(&mut self) -> Vec<Mismatch> {
        LockStep::take_mismatches(self)
    }
}

impl Checker for PipelinedLockStep {
    fn reads_compared(&self) -> u64 {
        PipelinedLockStep::reads_compared(self)
    }
    fn take_mismatches(&mut self) -> Vec<Mismatch> {
        PipelinedLockStep::take_mismatches(self)
    }
}

/// A lock-step checker that publishes its statistics after every edge.
struct Published {
    inner: Box<dyn Checker>,
    stats: Rc<RefCell<LockStats>>,
}

impl Published {
    fn publish(&mut self) {
        let mut stats = self.stats.borrow_mut();
        stats.reads_compared = self.inner.reads_compared();
        stats.mismatches.extend(self.inner.take_mismatches());
    }
}

impl Dut for Published {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn rtl(&self) -> Option<&str> {
        self.inner.rtl()
    }
    fn ports(&self) -> &[pluton_bindings::Port] {
        self.inner.ports()
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        self.inner.poke(port, value)
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        self.inner.peek(port, value)
    }
    fn step(&mut self) {
        self.inner.step();
        self.publish();
    }
    fn finish(&mut self) -> Result<(), String> {
        let done = self.inner.finish();
        self.publish();
        done?;
        match self.stats.borrow().mismatches.first() {
            Some(m) => Err(mismatch_message(m)),
            None => Ok(()),
        }
    }
}

/// How a run fails on a lock-step mismatch (the same words in step and pipelined).
fn mismatch_message(m: &Mismatch) -> String {
    format!("lock-step mismatch between RTL and model: {m}")
}

fn open_rtl(module: &str) -> Box<dyn Dut> {
    open_verilated(module).unwrap_or_else(|| match pluton_bindings::build_error() {
        Some(e) => panic!("no Verilated model for {module}; the bindings build said:\n{e}"),
        None => panic!("no Verilated model for {module}: is rtl/{module}.ports present?"),
    })
}

/// Runs test `name` of `block` on `backend`, as a cargo test does: prints its figures and fails
/// unless it passed, checked something and, in lock-step, showed what its bench asks of every
/// case (`compares_reads`, `scans_leaks`). A backend the bench has no use for is `Ok(None)`.
pub fn run_checked(block: &str, name: &str, backend: Backend) -> Result<Option<TestResult>, String> {
    let bench = benches().into_iter().find(|b| b.block == block).ok_or(format!("no bench {block}"))?;
    let cases = bench.all_cases();
    let case = cases.iter().find(|c| c.name == name).ok_or(format!("no case {name} in {block}"))?;
    // The test harness already runs one test per core: the model checks in step here, and the
    // pipelined checker has its own test (`tests/pipelined.rs`).
    let r = run_case(&bench, case, &Options { pipelined: false, ..Options::on(backend) });
    if r.skipped {
        println!("{block}/{name} on {backend:?}: skipped ({})", r.message);
        return Ok(None);
    }
    println!(
        "{block}/{name} on {backend:?}: {} checks, {} cycles, {} reads compared, {} reads leak-scanned, {:.1} s, {:?}",
        r.checks, r.cycles, r.reads_compared, r.leak_reads, r.seconds, r.metrics
    );
    if !r.passed {
        return Err(r.message);
    }
    if r.checks == 0 || r.cycles == 0 {
        return Err("checked nothing".into());
    }
    // The CSR tests are the map's, not the block's: its per-case expectations do not apply.
    let own = (bench.cases)().iter().any(|c| c.name == name);
    if own && backend == Backend::Lockstep {
        if bench.compares_reads && r.reads_compared == 0 {
            return Err("compared no reads with the model".into());
        }
        if bench.scans_leaks && r.leak_reads == 0 {
            return Err("ran no key-leak scan".into());
        }
    }
    Ok(Some(r))
}

/// Run one test of one block on one backend.
pub fn run_case(bench: &BlockBench, case: &Case, opts: &Options) -> TestResult {
    run_case_with(bench, case, opts, None)
}

/// Run one test and record the RTL's port trace (every cycle's inputs and outputs) into `trace`,
/// for a replay on another simulator (`pluton_bindings::trace`).
pub fn run_case_recorded(bench: &BlockBench, case: &Case, opts: &Options, trace: &std::path::Path) -> TestResult {
    run_case_with(bench, case, opts, Some(trace.to_path_buf()))
}

fn run_case_with(bench: &BlockBench, case: &Case, opts: &Options, trace: Option<std::path::PathBuf>) -> TestResult {
    if bench.model.is_none() && opts.backend == Backend::Model {
        return TestResult {
            block: bench.block.to_string(),
            test: case.name.to_string(),
            backend: opts.backend,
            passed: true,
            message: "no port-level model: this bench runs its reference beside the RTL".into(),
            checks: 0,
            cycles: 0,
            reads_compared: 0,
            leak_reads: 0,
            seconds: 0.0,
            metrics: Vec::new(),
            skipped: true,
        };
    }
    let stats = Rc::new(RefCell::new(LockStats::default()));
    let module = bench.module;
    let model = bench.model;
    let backend = opts.backend;
    let factory_stats = stats.clone();
    let pipelined = opts.pipelined && !opts.waves;
    let opens = Rc::new(Cell::new(0u32));
    let factory = move || -> Box<dyn Dut> {
        let open_rtl = |module: &str| match &trace {
            Some(path) => Box::new(PortRecorder::new(open_rtl(module), path)) as Box<dyn Dut>,
            None => open_rtl(module),
        };
        match backend {
            Backend::Rtl => open_rtl(module),
            Backend::Model => model.expect("checked above")(),
            Backend::Lockstep if model.is_none() => open_rtl(module),
            Backend::Lockstep => {
                let model = model.expect("checked above");
                *factory_stats.borrow_mut() = LockStats::default();
                // The model checks on a second thread, except in a run with waves (a replay
                // of a failure among them), which checks in step and so stops at the
                // mismatch's own cycle.
                let inner: Box<dyn Checker> = if pipelined && opens.get() == 0 {
                    Box::new(PipelinedLockStep::new(open_rtl(module), model).expect("RTL and model ports differ"))
                } else {
                    Box::new(LockStep::new(open_rtl(module), model()).expect("RTL and model ports differ"))
                };
                opens.set(opens.get() + 1);
                Box::new(Published { inner, stats: factory_stats.clone() })
            }
        }
    };
    let mut options = SimOptions { seed: opts.seed, wave_format: opts.wave_format, ..SimOptions::default() };
    let name = format!("{}_{:?}", case.name, backend).to_lowercase();
    if opts.coverage && backend != Backend::Model {
        match crate::coverage::dat_path(module, &name) {
            Ok(dat) => options.coverage = Some(dat),
            Err(e) => eprintln!("warning: no coverage for {name}: {e}"),
        }
    }
    if let (Some(dir), false) = (&opts.port_logs, backend == Backend::Model) {
        let d = dir.join(module);
        match std::fs::create_dir_all(&d) {
            Ok(()) => options.port_log = Some(d.join(format!("{name}.portlog"))),
            Err(e) => eprintln!("warning: no port log for {name}: cannot create {}: {e}", d.display()),
        }
    }
    if opts.waves {
        options.waves = Some(pluton_toolchain::project_root().join("build").join("waves").join(format!("{name}.vcd")));
    }
    let check_stats = stats.clone();
    let mut sim = Sim::with_options(factory, options).after_step(move |_| match check_stats.borrow().mismatches.first() {
        Some(m) => Err(mismatch_message(m)),
        None => Ok(()),
    });
    let checks = Rc::new(Cell::new(0));
    let metrics = Rc::new(RefCell::new(Vec::new()));
    let leak_reads = Rc::new(Cell::new(0));
    let extra_cycles = Rc::new(Cell::new(0));
    let body = case.body;
    let scale = opts.scale;
    let csr = bench.csr;
    let (c, m, l, x) = (checks.clone(), metrics.clone(), leak_reads.clone(), extra_cycles.clone());
    let started = Instant::now();
    let outcome = sim.run(&name, move |tb| {
        // A replay starts the counters again.
        c.set(0);
        m.borrow_mut().clear();
        l.set(0);
        x.set(0);
        body(Ctx { tb, checks: c.clone(), metrics: m.clone(), leak_reads: l.clone(), extra_cycles: x.clone(), scale, csr })
    });
    let seconds = started.elapsed().as_secs_f64();
    let reads_compared = stats.borrow().reads_compared;
    let (passed, message, cycles) = match outcome {
        Ok(summary) => (true, String::new(), summary.cycles + extra_cycles.get()),
        Err(failure) => (false, failure.to_string(), failure.cycle + extra_cycles.get()),
    };
    let metrics = metrics.borrow().clone();
    TestResult {
        block: bench.block.to_string(),
        test: case.name.to_string(),
        backend,
        passed,
        message,
        checks: checks.get(),
        cycles,
        reads_compared,
        leak_reads: leak_reads.get(),
        seconds,
        metrics,
        skipped: false,
    }
}

/// Run the regression for one block (or all), printing each result as it finishes.
pub fn run(block: Option<&str>, opts: &Options) -> Result<Vec<TestResult>, String> {
    Ok(run_units(block, opts)?.into_iter().map(|(_, r)| r).collect())
}

/// [`run`], each result with its unit number: its place among all the selected tests, the
/// number the shards split by (`opts.shard`).
pub fn run_units(block: Option<&str>, opts: &Options) -> Result<Vec<(usize, TestResult)>, String> {
    let benches = benches();
    if let Some(b) = block {
        if !benches.iter().any(|x| x.block == b) {
            let names: Vec<_> = benches.iter().map(|x| x.block).collect();
            return Err(format!("unknown block `{b}`; blocks are: {}", names.join(", ")));
        }
    }
    let mut results = Vec::new();
    let mut unit = 0;
    for bench in benches.iter().filter(|x| block.is_none_or(|b| b == x.block)) {
        let cases = bench.all_cases();
        let selected: Vec<&Case> = cases
            .iter()
            .filter(|c| opts.filter.as_deref().is_none_or(|f| c.name.contains(f)))
            .collect();
        if selected.is_empty() {
            return Err(format!("no test of `{}` matches the filter", bench.block));
        }
        let mine: Vec<(usize, &Case)> = (unit..).zip(selected.iter().copied()).filter(|(k, _)| opts.shard.owns(*k)).collect();
        unit += selected.len();
        if mine.is_empty() {
            continue;
        }
        let bar = indicatif::ProgressBar::new(mine.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap()
                .progress_chars("=> "),
        );
        bar.set_prefix(bench.block);
        for (k, case) in mine {
            bar.set_message(case.name);
            let r = bar.suspend(|| run_case(bench, case, opts));
            if !r.passed {
                bar.suspend(|| eprintln!("FAIL {}: {}", r.test, r.message));
            }
            results.push((k, r));
            bar.inc(1);
        }
        bar.finish_and_clear();
    }
    // The full run ends with the cocotb bench (the SHA-256 RTL on Icarus against the model's
    // Python wheel): one more unit, so a shard owns it like any test.
    let full = block.is_none() && opts.filter.is_none() && opts.backend == Backend::Lockstep && !opts.coverage && opts.port_logs.is_none();
    if full && opts.shard.owns(unit) {
        let r = crate::cocotb::regression_entry();
        if !r.passed {
            eprintln!("FAIL {}: {}", r.test, r.message);
        }
        results.push((unit, r));
    }
    Ok(results)
}

/// The summary table printed at the end of `pluton cosim`.
pub fn summary_table(results: &[TestResult]) -> String {
    let mut s = format!(
        "{:<8} {:<20} {:<9} {:>7} {:>11} {:>10} {:>10} {:>8} {:>11}  {}\n",
        "block", "test", "backend", "checks", "cycles", "reads cmp", "leak scan", "wall s", "cycles/s", "result"
    );
    for r in results {
        s += &format!(
            "{:<8} {:<20} {:<9} {:>7} {:>11} {:>10} {:>10} {:>8.2} {:>11.0}  {}\n",
            r.block,
            r.test,
            format!("{:?}", r.backend).to_lowercase(),
            r.checks,
            r.cycles,
            r.reads_compared,
            r.leak_reads,
            r.seconds,
            r.cycles as f64 / r.seconds.max(1e-9),
            if r.skipped { "SKIP" } else if r.passed { "PASS" } else { "FAIL" }
        );
    }
    // Figures the tests measured (latencies, fuzz counts, monitor results).
    for r in results.iter().filter(|r| !r.metrics.is_empty()) {
        let figures: Vec<String> = r.metrics.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        s += &format!("  {}/{}: {}\n", r.block, r.test, figures.join(", "));
    }
    let passed = results.iter().filter(|r| r.passed && !r.skipped).count();
    let skipped = results.iter().filter(|r| r.skipped).count();
    let cycles: u64 = results.iter().map(|r| r.cycles).sum();
    let secs: f64 = results.iter().map(|r| r.seconds).sum();
    let reads: u64 = results.iter().map(|r| r.reads_compared).sum();
    s += &format!(
        "total: {cycles} cycles in {secs:.1} s ({:.0} cycles/s), {reads} reads compared with the model\n",
        cycles as f64 / secs.max(1e-9)
    );
    s += &format!("{passed} passed, {} failed, {skipped} skipped\n", results.len() - passed - skipped);
    s
}

pub fn print_summary(results: &[TestResult]) {
    print!("{}", summary_table(results));
    for r in results.iter().filter(|r| !r.passed) {
        println!("\nFAIL {} ({:?}): {}", r.test, r.backend, r.message);
    }
}
