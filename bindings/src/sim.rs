//! cocotb-style async test-bench runtime: one DUT, one clock, deterministic single-threaded tasks.
//!
//! # Time and phases
//! Simulated time moves only in whole clock cycles. Each cycle has two phases:
//! 1. **Active**: every ready task runs until it awaits again. Tasks poke inputs and peek
//!    outputs here; a `peek` sees combinational outputs for the inputs poked so far.
//! 2. **Edge**: `Dut::step` (rising edge: inputs are sampled; then falling edge), `cycle += 1`,
//!    then tasks waiting for this edge become ready.
//!
//! So after `tb.rising_edge().await` a task sees the post-edge state, and what it pokes is
//! sampled at the *next* rising edge. `now_ns() == cycle() * period_ns`. `timer(ns)` rounds up
//! to whole cycles.
//!
//! # Reset
//! Before the test body runs, [`Sim::run`] drives every input to 0 and, if the DUT has `rst_n`,
//! holds it low for [`SimOptions::reset_cycles`] cycles (default 5), then releases it and waits
//! one more cycle. Set `reset_cycles = 0` to do it yourself with [`Tb::reset`].
//!
//! # Failures
//! A run fails when the body returns `Err`, any task panics, a `max_cycles` limit or the
//! `after_step` hook trips, or every task is waiting on something that can never happen
//! (deadlock). A failed run without waves is replayed with the same seed with waves on, into
//! `build/waves/<name>.vcd` (the ports), and for RTL `<name>.inside.vcd` (every signal, see
//! [`crate::inside`]).

use crate::dut::{Dir, Dut};
use crate::inside::WaveFormat;
use crate::replay::{Instrument, PortLog, Streaming};
use crate::waves::Waves;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell, RefMut};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// Settings for a [`Sim`]. `SimOptions::default()` is a 10 ns clock, random seed, no waves.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// RNG seed; `None` takes `PLUTON_SEED` from the environment, else a fresh random one.
    pub seed: Option<u64>,
    /// Record a VCD here (plus a `.gtkw` next to it).
    pub waves: Option<PathBuf>,
    /// Clock period in ns (even, at least 2).
    pub period_ns: u64,
    /// Cycles `rst_n` is held low before the body runs; 0 skips the automatic reset.
    pub reset_cycles: u64,
    /// Fail the run if it goes past this many cycles (a runaway-test guard).
    pub max_cycles: Option<u64>,
    /// On failure of a run without waves, replay it with waves into `build/waves/<name>.vcd`.
    pub waves_on_failure: bool,
    /// Format of the waves of every signal inside the RTL (`<name>.inside.vcd` or `.fst`).
    pub wave_format: WaveFormat,
    /// For RTL: write Verilator's line and toggle coverage of the run here (a `coverage.dat`,
    /// from a replay of the run's ports on another core; see [`crate::replay`]).
    pub coverage: Option<PathBuf>,
    /// For RTL: keep the run's port log here (for mutation coverage, [`crate::mutants`]).
    pub port_log: Option<PathBuf>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            seed: None,
            waves: None,
            period_ns: 10,
            reset_cycles: 5,
            max_cycles: None,
            waves_on_failure: true,
            wave_format: WaveFormat::Vcd,
            coverage: None,
            port_log: None,
        }
    }
}

/// Checked after every clock cycle with the DUT (e.g. a lock-step comparator's mismatch list).
pub type AfterStep = Box<dyn FnMut(&mut dyn Dut) -> Result<(), String>>;

/// A simulation: a DUT factory plus options. Each [`Sim::run`] gets a fresh DUT.
pub struct Sim {
    factory: Box<dyn Fn() -> Box<dyn Dut>>,
    /// Options for the next runs; public so tests can tweak them between runs.
    pub options: SimOptions,
    after_step: Option<AfterStep>,
}

/// Why a run failed, with enough to replay it.
#[derive(Clone)]
pub struct Failure {
    pub test: String,
    pub message: String,
    pub seed: u64,
    pub cycle: u64,
    pub time_ns: u64,
    /// `(vcd, gtkw)` of the failing run (or of its replay).
    pub waves: Option<(PathBuf, PathBuf)>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "test `{}` failed at {} ns (cycle {}): {}\n  seed = {} (replay with --seed {})",
            self.test, self.time_ns, self.cycle, self.message, self.seed, self.seed
        )?;
        if let Some((vcd, gtkw)) = &self.waves {
            write!(f, "\n  waves: {}\n  gtkw:  {}", vcd.display(), gtkw.display())?;
        }
        Ok(())
    }
}

// `unwrap()` on a failed run should print the readable message, not a struct dump.
impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Failure {}

/// What a passing run did.
#[derive(Clone, Debug)]
pub struct Summary {
    pub seed: u64,
    pub cycles: u64,
    pub time_ns: u64,
    pub waves: Option<(PathBuf, PathBuf)>,
}

impl Sim {
    /// A simulation of the DUTs made by `factory`, with default options.
    pub fn new(factory: impl Fn() -> Box<dyn Dut> + 'static) -> Sim {
        Sim::with_options(factory, SimOptions::default())
    }

    pub fn with_options(factory: impl Fn() -> Box<dyn Dut> + 'static, options: SimOptions) -> Sim {
        Sim { factory: Box::new(factory), options, after_step: None }
    }

    /// Check the DUT after every cycle; an `Err` fails the run at that cycle.
    pub fn after_step(mut self, hook: impl FnMut(&mut dyn Dut) -> Result<(), String> + 'static) -> Sim {
        self.after_step = Some(Box::new(hook));
        self
    }

    /// Run the test `body` on a fresh DUT. Prints the seed first; on failure without waves,
    /// replays with the same seed and waves on, and returns the (first) failure with the paths.
    pub fn run<F, Fut>(&mut self, name: &str, body: F) -> Result<Summary, Failure>
    where
        F: Fn(Tb) -> Fut,
        Fut: Future<Output = Result<(), String>> + 'static,
    {
        let seed = self.options.seed.unwrap_or_else(|| {
            std::env::var("PLUTON_SEED").ok().and_then(|s| s.trim().parse().ok()).unwrap_or_else(fresh_seed)
        });
        println!("seed = {seed} (replay with --seed {seed})");
        let waves = self.options.waves.clone();
        let result = self.run_once(name, seed, waves.clone(), &body);
        let mut failure = match result {
            Ok(summary) => return Ok(summary),
            Err(f) => f,
        };
        if waves.is_none() && self.options.waves_on_failure {
            let path = crate::project_root().join("build").join("waves").join(format!("{}.vcd", file_safe(name)));
            // The reason first: a long test's replay takes as long again.
            println!("test `{name}` failed at cycle {}: {}", failure.cycle, failure.message);
            println!("test `{name}` failed; replaying seed {seed} with waves into {}", path.display());
            match self.run_once(name, seed, Some(path), &body) {
                Err(replay) => {
                    // A check that runs behind the simulation stops it late; the replay checks
                    // in step and stops at the cycle itself.
                    if replay.message == failure.message && replay.cycle < failure.cycle {
                        failure.cycle = replay.cycle;
                        failure.time_ns = replay.time_ns;
                    }
                    if replay.message != failure.message || replay.cycle != failure.cycle {
                        failure.message.push_str(&format!(
                            "\n  (replay differed: at cycle {}: {} - is the test deterministic?)",
                            replay.cycle, replay.message
                        ));
                    }
                    failure.waves = replay.waves;
                }
                Ok(s) => {
                    failure.message.push_str("\n  (replay with the same seed PASSED - is the test deterministic?)");
                    failure.waves = s.waves;
                }
            }
        }
        if let Some((vcd, gtkw)) = &failure.waves {
            println!("waves: {}\ngtkw:  {}", vcd.display(), gtkw.display());
        }
        Err(failure)
    }

    fn run_once<F, Fut>(&mut self, name: &str, seed: u64, waves: Option<PathBuf>, body: &F) -> Result<Summary, Failure>
    where
        F: Fn(Tb) -> Fut,
        Fut: Future<Output = Result<(), String>> + 'static,
    {
        let period = self.options.period_ns.max(2) & !1;
        let mut dut = (self.factory)();
        let fail = |message: String, cycle: u64, waves| Failure {
            test: name.to_string(),
            message,
            seed,
            cycle,
            time_ns: cycle * period,
            waves,
        };
        let waves = match &waves {
            Some(path) => match Waves::create(path, dut.as_mut(), period) {
                Ok(w) => Some(w),
                Err(e) => return Err(fail(format!("cannot create waves {}: {e}", path.display()), 0, None)),
            },
            None => None,
        };
        // RTL: port logs for the replays (waves of every signal inside; coverage).
        let rtl = dut.rtl().map(str::to_string);
        let ports = dut.ports().to_vec();
        let inside = match (&waves, &rtl) {
            (Some(w), Some(top)) => match PortLog::create(&w.vcd_path.with_extension("portlog"), &ports) {
                Ok(log) => Some((top.clone(), log)),
                Err(e) => return Err(fail(format!("cannot create the port log beside {}: {e}", w.vcd_path.display()), 0, None)),
            },
            _ => None,
        };
        let coverage = match (&self.options.coverage, &rtl) {
            (Some(dat), Some(top)) => match Streaming::start(top, Instrument::Coverage, dat, period, &ports) {
                Ok(c) => Some(c),
                Err(e) => return Err(fail(format!("cannot start the coverage replay: {e}"), 0, None)),
            },
            _ => None,
        };
        let kept_log = match (&self.options.port_log, &rtl) {
            (Some(path), Some(_)) => match PortLog::create(path, &ports) {
                Ok(log) => Some(log),
                Err(e) => return Err(fail(format!("cannot create the port log {}: {e}", path.display()), 0, None)),
            },
            _ => None,
        };
        let (inside_top, inside_log) = inside.unzip();
        let (coverage_run, coverage_log) = coverage.unzip();
        let inner = Rc::new(Inner {
            dut: RefCell::new(dut),
            cycle: Cell::new(0),
            period_ns: period,
            seed,
            rng: RefCell::new(ChaCha8Rng::seed_from_u64(seed)),
            sched: RefCell::new(Sched::default()),
            current: Cell::new(0),
            remote: Arc::new(Remote::default()),
            late: Cell::new(false),
        });
        let tb = Tb { inner: inner.clone() };

        // The main task: default inputs, reset, then the body. Its result ends the run.
        let outcome: Rc<RefCell<Option<Result<(), String>>>> = Rc::new(RefCell::new(None));
        let (reset_cycles, out) = (self.options.reset_cycles, outcome.clone());
        let main_body = body(tb.clone());
        let tb2 = tb.clone();
        tb.spawn_task(Box::pin(async move {
            tb2.drive_inputs_low();
            if reset_cycles > 0 {
                tb2.reset(reset_cycles).await;
            }
            let r = main_body.await;
            *out.borrow_mut() = Some(r);
        }));
        drop(tb);

        let mut exec = Executor {
            inner: &inner,
            outcome: &outcome,
            after_step: self.after_step.as_mut(),
            max_cycles: self.options.max_cycles,
            waves,
            logs: [inside_log, coverage_log, kept_log],
        };
        let result = exec.run();
        // A check that runs behind the simulation reports now; its finding (a lock-step
        // mismatch) is the root cause of any later failure of the body, so it comes first.
        let result = match (inner.dut.borrow_mut().finish(), result) {
            (Err(found), _) => Err(found),
            (Ok(()), r) => r,
        };
        let waves = exec.waves.take();
        let [inside_log, coverage_log, kept_log] = std::mem::take(&mut exec.logs);
        // Tasks hold `Tb` clones (Rc cycles): drop them now so the DUT is freed.
        let tasks = std::mem::take(&mut inner.sched.borrow_mut().tasks);
        drop(tasks);
        let cycle = inner.cycle.get();
        // Coverage: close the pipe and take the replay's verdict (a replay that left the run is
        // a failure of the run: its coverage would not be the run's).
        let result = match (coverage_run, coverage_log) {
            (Some(run), Some(log)) => {
                let closed = log.finish();
                // A replay that stopped also breaks the pipe the run writes into: say why it stopped.
                match (run.wait(), result) {
                    (Err(e), Ok(())) => Err(format!("coverage: {e}")),
                    (Err(e), Err(r)) => Err(format!("{r}\n  coverage: {e}")),
                    (Ok(_), Ok(())) => closed.map_err(|e| format!("coverage: writing the port log: {e}")),
                    (Ok(_), r) => r,
                }
            }
            _ => result,
        };
        let result = match (kept_log.map(PortLog::finish), result) {
            (Some(Err(e)), Ok(())) => Err(format!("writing the port log: {e}")),
            (_, r) => r,
        };
        let paths = match waves {
            Some(w) => {
                let (vcd, gtkw) = (w.vcd_path.clone(), w.gtkw_path.clone());
                if let Err(e) = w.finish(cycle * period) {
                    eprintln!("warning: writing waves {}: {e}", vcd.display());
                }
                Some(match (inside_top, inside_log) {
                    (Some(top), Some(log)) => self.render_inside(&top, log, &vcd, &gtkw, period),
                    _ => (vcd, gtkw),
                })
            }
            None => None,
        };
        match result {
            Ok(()) => Ok(Summary { seed, cycles: cycle, time_ns: cycle * period, waves: paths }),
            Err(msg) => Err(fail(msg, cycle, paths)),
        }
    }

    /// Replay a waves run's port log through the traced build: returns the inside waves and the
    /// save file (rewritten for them), or, if the replay fails, the port VCD and why.
    fn render_inside(&self, top: &str, log: PortLog, vcd: &Path, gtkw: &Path, period: u64) -> (PathBuf, PathBuf) {
        let out = vcd.with_extension(format!("inside.{}", self.options.wave_format.ext()));
        let done = log.finish().map_err(|e| format!("writing the port log: {e}")).and_then(|()| {
            crate::inside::render(top, &vcd.with_extension("portlog"), &out, gtkw, self.options.wave_format, period)
        });
        match done {
            Ok(r) => {
                println!("inside waves: {} cycles of {top} replayed with tracing at {:.0} cycles/s", r.cycles, r.cycles_per_sec);
                (out, gtkw.to_path_buf())
            }
            Err(e) => {
                println!("warning: no waves of the signals inside {top} (the port waves stay): {e}");
                (vcd.to_path_buf(), gtkw.to_path_buf())
            }
        }
    }
}

fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS; mix in the time so consecutive runs differ too.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.finish()
}

fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

// ---------------------------------------------------------------------------------------------
// Scheduler state shared by the executor and every `Tb` handle.

struct Inner {
    dut: RefCell<Box<dyn Dut>>,
    cycle: Cell<u64>,
    period_ns: u64,
    seed: u64,
    rng: RefCell<ChaCha8Rng>,
    sched: RefCell<Sched>,
    /// The task being polled: our own futures register wake-ups for it directly.
    current: Cell<usize>,
    /// Wake-ups from ordinary `Waker`s (foreign futures), which must be `Send`.
    remote: Arc<Remote>,
    /// The late phase of the cycle is running (see `Tb::late`).
    late: Cell<bool>,
}

#[derive(Default)]
struct Remote {
    pending: AtomicBool,
    ids: Mutex<Vec<usize>>,
}

type TaskFuture = Pin<Box<dyn Future<Output = ()>>>;

struct Task {
    /// `None` while being polled (so the task may spawn without a double borrow).
    fut: Option<TaskFuture>,
    queued: bool,
    /// Lent to the poll (and put back), not cloned: a clone is two atomic operations a cycle.
    waker: Option<Waker>,
}

#[derive(Default)]
struct Sched {
    tasks: Vec<Option<Task>>,
    free: Vec<usize>,
    ready: VecDeque<usize>,
    /// `(wake cycle, order, task)`: min-heap, ties broken by registration order (deterministic).
    timers: BinaryHeap<Reverse<(u64, u64, usize)>>,
    order: u64,
    /// Tasks waiting for this cycle's late phase, in registration order.
    late: Vec<usize>,
}

impl Sched {
    fn wake(&mut self, id: usize) {
        if let Some(Some(t)) = self.tasks.get_mut(id) {
            if !t.queued {
                t.queued = true;
                self.ready.push_back(id);
            }
        }
    }
}

struct TaskWaker {
    id: usize,
    remote: Arc<Remote>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.remote.ids.lock().unwrap().push(self.id);
        self.remote.pending.store(true, Ordering::Release);
    }
}

impl Inner {
    /// Wake the current task at the start of cycle `at` (after that edge).
    fn wake_at(&self, at: u64) {
        let mut s = self.sched.borrow_mut();
        let order = s.order;
        s.order += 1;
        s.timers.push(Reverse((at, order, self.current.get())));
    }
}

struct Executor<'a> {
    inner: &'a Rc<Inner>,
    outcome: &'a Rc<RefCell<Option<Result<(), String>>>>,
    after_step: Option<&'a mut AfterStep>,
    max_cycles: Option<u64>,
    waves: Option<Waves>,
    /// Port logs written before every edge: for the inside waves, for coverage, kept.
    logs: [Option<PortLog>; 3],
}

impl Executor<'_> {
    fn run(&mut self) -> Result<(), String> {
        let inner = self.inner;
        let half = inner.period_ns / 2;
        if let Some(w) = &mut self.waves {
            w.sample(inner.dut.borrow_mut().as_mut(), 0, false).map_err(|e| format!("writing waves: {e}"))?;
        }
        loop {
            // Active phase: run tasks until all are waiting.
            if let Some(r) = self.run_ready()? {
                return r;
            }
            // Late phase: the tasks that asked to see this cycle's settled inputs (`Tb::late`).
            let late = std::mem::take(&mut inner.sched.borrow_mut().late);
            if !late.is_empty() {
                inner.late.set(true);
                late.into_iter().for_each(|id| inner.sched.borrow_mut().wake(id));
                let r = self.run_ready();
                inner.late.set(false);
                if let Some(r) = r? {
                    return r;
                }
            }

            // Edge phase: step straight to the earliest wake-up (no polling in between).
            let next = match inner.sched.borrow().timers.peek() {
                Some(Reverse((at, _, _))) => *at,
                None => return Err("deadlock: every task is waiting on something that never happens".into()),
            };
            let mut dut = inner.dut.borrow_mut();
            while inner.cycle.get() < next {
                let c = inner.cycle.get();
                if let Some(max) = self.max_cycles {
                    if c >= max {
                        return Err(format!("ran past max_cycles = {max}"));
                    }
                }
                if let Some(w) = &mut self.waves {
                    // Inputs as the edge will sample them, shown half a period before it.
                    w.sample(dut.as_mut(), c * inner.period_ns + half, false).map_err(|e| format!("writing waves: {e}"))?;
                }
                for log in self.logs.iter_mut().flatten() {
                    log.sample(dut.as_mut()).map_err(|e| format!("writing a port log: {e}"))?;
                }
                dut.step();
                inner.cycle.set(c + 1);
                if let Some(w) = &mut self.waves {
                    w.sample(dut.as_mut(), (c + 1) * inner.period_ns, true).map_err(|e| format!("writing waves: {e}"))?;
                }
                if let Some(hook) = &mut self.after_step {
                    hook(dut.as_mut())?;
                }
            }
            drop(dut);
            let mut s = inner.sched.borrow_mut();
            while let Some(Reverse((at, _, id))) = s.timers.peek().copied() {
                if at > next {
                    break;
                }
                s.timers.pop();
                s.wake(id);
            }
        }
    }

    /// Run woken tasks until all are waiting; `Some` once the main task has finished.
    fn run_ready(&mut self) -> Result<Option<Result<(), String>>, String> {
        let inner = self.inner;
        loop {
            // A plain load first: foreign wakers are rare, and a swap costs an atomic every poll.
            if inner.remote.pending.load(Ordering::Relaxed) && inner.remote.pending.swap(false, Ordering::Acquire) {
                let ids = std::mem::take(&mut *inner.remote.ids.lock().unwrap());
                let mut s = inner.sched.borrow_mut();
                ids.into_iter().for_each(|id| s.wake(id));
            }
            let Some(id) = inner.sched.borrow_mut().ready.pop_front() else { return Ok(None) };
            self.poll_task(id)?;
            if let Some(r) = self.outcome.borrow_mut().take() {
                return Ok(Some(r));
            }
        }
    }

    fn poll_task(&mut self, id: usize) -> Result<(), String> {
        let inner = self.inner;
        let (mut fut, waker) = {
            let mut s = inner.sched.borrow_mut();
            let Some(Some(t)) = s.tasks.get_mut(id) else { return Ok(()) };
            t.queued = false;
            let Some(fut) = t.fut.take() else { return Ok(()) };
            (fut, t.waker.take().expect("a task's waker is home between polls"))
        };
        inner.current.set(id);
        let mut cx = Context::from_waker(&waker);
        match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx))) {
            Ok(Poll::Pending) => {
                if let Some(Some(t)) = inner.sched.borrow_mut().tasks.get_mut(id) {
                    t.fut = Some(fut);
                    t.waker = Some(waker);
                }
                Ok(())
            }
            Ok(Poll::Ready(())) => {
                let mut s = inner.sched.borrow_mut();
                s.tasks[id] = None;
                s.free.push(id);
                drop(s);
                drop(fut);
                Ok(())
            }
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "(non-string panic)".into());
                Err(format!("panic in a test-bench task: {msg}"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The test bench handle.

/// Handle to the running simulation, given to the test body. Cheap to clone (an `Rc`).
///
/// Not `Send`: everything runs on the test's own thread, one task at a time.
#[derive(Clone)]
pub struct Tb {
    inner: Rc<Inner>,
}

/// Print a line stamped with simulation time: `tb_log!(tb, "wrote {:#x}", v)`.
#[macro_export]
macro_rules! tb_log {
    ($tb:expr, $($arg:tt)*) => {
        $tb.log(format_args!($($arg)*))
    };
}

impl Tb {
    fn spawn_task(&self, fut: TaskFuture) -> usize {
        let mut s = self.inner.sched.borrow_mut();
        let id = s.free.pop().unwrap_or(s.tasks.len());
        let waker = Waker::from(Arc::new(TaskWaker { id, remote: self.inner.remote.clone() }));
        let task = Task { fut: Some(fut), queued: false, waker: Some(waker) };
        if id == s.tasks.len() {
            s.tasks.push(Some(task));
        } else {
            s.tasks[id] = Some(task);
        }
        s.wake(id);
        id
    }

    /// Start `fut` as a concurrent task (it first runs in the current active phase).
    /// Await the handle for its result; dropping the handle lets it run on detached.
    /// Tasks still running when the test body returns are dropped.
    pub fn spawn<T: 'static>(&self, fut: impl Future<Output = T> + 'static) -> JoinHandle<T> {
        let slot = Rc::new(RefCell::new(JoinSlot { value: None, waiter: None }));
        let (s2, inner) = (slot.clone(), self.inner.clone());
        self.spawn_task(Box::pin(async move {
            let v = fut.await;
            let mut s = s2.borrow_mut();
            s.value = Some(v);
            if let Some(w) = s.waiter.take() {
                inner.sched.borrow_mut().wake(w);
            }
        }));
        JoinHandle { slot, inner: self.inner.clone() }
    }

    /// Wait for this cycle's late phase: after every task has run and poked for this cycle,
    /// before the edge (cocotb's `ReadWrite`). A monitor samples the settled bus there; a
    /// completer answers there what it saw, for the next cycle (what it pokes now holds until
    /// it pokes again, so a requester sampling in the next cycle's active phase sees it).
    pub fn late(&self) -> Late {
        Late { inner: self.inner.clone(), registered: false }
    }

    /// Wait for the next rising edge.
    pub fn rising_edge(&self) -> Edge {
        self.clock_cycles(1)
    }

    /// Wait for `n` rising edges (`n = 0` returns at once).
    pub fn clock_cycles(&self, n: u64) -> Edge {
        Edge { inner: self.inner.clone(), cycles: n, target: None }
    }

    /// Wait at least `ns` of simulated time, rounded up to whole clock cycles.
    pub fn timer(&self, ns: u64) -> Edge {
        self.clock_cycles(ns.div_ceil(self.inner.period_ns))
    }

    /// Run `fut` for at most `cycles` clock cycles; `Err(Timeout)` if it is not done by then.
    pub fn timeout<F: Future>(&self, cycles: u64, fut: F) -> WithTimeout<F> {
        WithTimeout { fut, inner: self.inner.clone(), cycles, deadline: None }
    }

    /// Hold `rst_n` low for `cycles` cycles, release it, and wait one more cycle.
    /// Without an `rst_n` port this just waits `cycles + 1` cycles.
    pub async fn reset(&self, cycles: u64) {
        let rst = self.port_id("rst_n");
        if let Some(r) = rst {
            self.poke_u32(r, 0);
        }
        self.clock_cycles(cycles).await;
        if let Some(r) = rst {
            self.poke_u32(r, 1);
        }
        self.rising_edge().await;
    }

    fn drive_inputs_low(&self) {
        let mut d = self.inner.dut.borrow_mut();
        let zero = vec![0u32; d.ports().iter().map(|p| p.words()).max().unwrap_or(1)];
        for i in 0..d.ports().len() {
            let p = &d.ports()[i];
            if p.dir == Dir::In && p.name != "clock" {
                let w = p.words();
                d.poke(i, &zero[..w]);
            }
        }
    }

    /// The run's seeded RNG (ChaCha8). Don't hold the borrow across an `.await`.
    pub fn rng(&self) -> RefMut<'_, ChaCha8Rng> {
        self.inner.rng.borrow_mut()
    }

    /// The run's seed.
    pub fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// Rising edges so far.
    pub fn cycle(&self) -> u64 {
        self.inner.cycle.get()
    }

    /// Simulated time: `cycle() * period_ns()`.
    pub fn now_ns(&self) -> u64 {
        self.inner.cycle.get() * self.inner.period_ns
    }

    pub fn period_ns(&self) -> u64 {
        self.inner.period_ns
    }

    /// Print `[   1230 ns] message`.
    pub fn log(&self, msg: impl fmt::Display) {
        println!("[{:>7} ns] {msg}", self.now_ns());
    }

    /// Index of port `name` (resolve once, outside loops).
    pub fn port_id(&self, name: &str) -> Option<usize> {
        self.inner.dut.borrow().port_id(name)
    }

    /// Like `port_id`, with an error that names the DUT and the port.
    pub fn port(&self, name: &str) -> Result<usize, String> {
        let d = self.inner.dut.borrow();
        d.port_id(name).ok_or_else(|| format!("{} has no port `{name}`", d.name()))
    }

    pub fn poke(&self, port: usize, value: &[u32]) {
        self.inner.dut.borrow_mut().poke(port, value)
    }

    pub fn peek(&self, port: usize, value: &mut [u32]) {
        self.inner.dut.borrow_mut().peek(port, value)
    }

    pub fn poke_u32(&self, port: usize, value: u32) {
        self.inner.dut.borrow_mut().poke_u32(port, value)
    }

    pub fn peek_u32(&self, port: usize) -> u32 {
        self.inner.dut.borrow_mut().peek_u32(port)
    }

    /// Direct access to the DUT (custom checks, lock-step queries). Must not be nested.
    pub fn with_dut<R>(&self, f: impl FnOnce(&mut dyn Dut) -> R) -> R {
        f(self.inner.dut.borrow_mut().as_mut())
    }
}

/// Future of [`Tb::rising_edge`], [`Tb::clock_cycles`] and [`Tb::timer`].
pub struct Edge {
    inner: Rc<Inner>,
    cycles: u64,
    /// Set at first poll: the cycle count is relative to when you await, not when you create.
    target: Option<u64>,
}

impl Future for Edge {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        let now = self.inner.cycle.get();
        match self.target {
            Some(t) if now >= t => Poll::Ready(()),
            Some(_) => Poll::Pending, // already registered; this was a wake-up for another future
            None if self.cycles == 0 => Poll::Ready(()),
            None => {
                let t = now + self.cycles;
                self.target = Some(t);
                self.inner.wake_at(t);
                Poll::Pending
            }
        }
    }
}

/// Future of [`Tb::late`].
pub struct Late {
    inner: Rc<Inner>,
    registered: bool,
}

impl Future for Late {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.registered && self.inner.late.get() {
            return Poll::Ready(());
        }
        if !self.registered {
            self.registered = true;
            let id = self.inner.current.get();
            self.inner.sched.borrow_mut().late.push(id);
        }
        Poll::Pending
    }
}

/// `Err` of [`Tb::timeout`]: the future was still pending after `cycles` cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeout {
    pub cycles: u64,
    /// Simulated time when it fired.
    pub at_ns: u64,
}

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "timed out after {} cycles (at {} ns)", self.cycles, self.at_ns)
    }
}

impl std::error::Error for Timeout {}

// Lets a test body (which returns `Result<(), String>`) use `?` on a timeout.
impl From<Timeout> for String {
    fn from(t: Timeout) -> String {
        t.to_string()
    }
}

/// Future of [`Tb::timeout`].
pub struct WithTimeout<F> {
    fut: F,
    inner: Rc<Inner>,
    cycles: u64,
    deadline: Option<u64>,
}

impl<F: Future> Future for WithTimeout<F> {
    type Output = Result<F::Output, Timeout>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is structurally pinned; nothing else is moved out of the pinned struct.
        let this = unsafe { self.get_unchecked_mut() };
        if let Poll::Ready(v) = unsafe { Pin::new_unchecked(&mut this.fut) }.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        let now = this.inner.cycle.get();
        let deadline = *this.deadline.get_or_insert_with(|| {
            this.inner.wake_at(now + this.cycles);
            now + this.cycles
        });
        if now >= deadline {
            return Poll::Ready(Err(Timeout { cycles: this.cycles, at_ns: now * this.inner.period_ns }));
        }
        Poll::Pending
    }
}

struct JoinSlot<T> {
    value: Option<T>,
    waiter: Option<usize>,
}

/// Handle to a spawned task; awaiting it yields the task's result.
pub struct JoinHandle<T> {
    slot: Rc<RefCell<JoinSlot<T>>>,
    inner: Rc<Inner>,
}

impl<T> JoinHandle<T> {
    /// Has the task finished?
    pub fn is_finished(&self) -> bool {
        self.slot.borrow().value.is_some()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<T> {
        let mut s = self.slot.borrow_mut();
        match s.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.waiter = Some(self.inner.current.get());
                Poll::Pending
            }
        }
    }
}
