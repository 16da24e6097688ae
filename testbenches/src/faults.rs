//! Fault-injection campaign (`pluton cosim faults`): single flop flips in `pluton_security` while
//! it runs recorded regression workloads; each run is classified harmless, detected or escape.
//!
//! How a flop is flipped: Verilator's public signal access, not a fault mux. The model
//! `pluton_security_fi` is the committed RTL built once more with every flop public
//! (`bindings/build.rs`, `STATE_ACCESS_VLT`), so the design under test is exactly what chip
//! partners get, and no second netlist has to be kept equal to it. The same access saves and
//! restores whole states, which lets a run start from a golden checkpoint instead of reset.
//!
//! A workload is a regression test's input trace, replayed open-loop (the inputs the bench drove
//! in the fault-free run, cycle by cycle). Every output is compared with the fault-free run in
//! every cycle after the flip:
//! - **harmless**: no output differs (the run stops early once the whole state equals the golden
//!   state at a checkpoint);
//! - **detected**: an alert fired that the fault-free run did not raise (`alert_fatal`, or an
//!   `alert_recov` pulse: a corrected fuse bit error, a refused transfer);
//! - **escape**: a wrong output without an alert, a key on a readable bus (a completed read, or a
//!   lane of the external windows or a Wi-Fi command argument, carrying a 4-byte window of a fuse key or a KEY-register word
//!   where the golden run did not), or an unauthorized select (a transfer forwarded for a master
//!   that is not the window's owner in the golden configuration). A leak or an unauthorized select
//!   counts as an escape even when an alert fired.

use crate::leak::LeakScan;
use crate::regression::{benches, Case};
use pluton_bindings::verilated::StateVar;
use pluton_bindings::{Dir, Dut, VerilatedDut};
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const MODULE: &str = "pluton_security";
const FI_MODEL: &str = "pluton_security_fi";
/// Golden state is kept every this many cycles: a fault starts from the checkpoint before it, and
/// a run whose state equals the golden one at a later checkpoint has converged.
const CHECKPOINT: usize = 256;
/// Cycles a run goes on after its alert, to see that escalation lets nothing out.
const AFTER_ALERT: usize = 1_000;

/// The regression workloads (test, scale): the sideload HMAC with the root key, the isolation
/// attacks, the subsystem fuzz (all 16 masters, protocol violations, resets), and window 6 at
/// work (TRNG seeds, DRBG keys and mask seeds, AES-GCM under the DRBG's key and the fuse key,
/// a decrypt with a wrong tag that must stay refused).
pub const WORKLOADS: &[(&str, f64)] =
    &[("security_derive_key", 1.0), ("security_isolation", 1.0), ("security_random", 0.05), ("security_crypto", 1.0)];

/// Flips in the regression's campaign (`pluton cosim` and `cosim faults` by default): every flop
/// bit of the security subsystem at least once (19,079 bits with window 6's TRNG, DRBG and masked
/// AES engine and the P-256 engine; the report says how many were hit).
pub const REGRESSION_FAULTS: usize = 20_000;

/// Campaign settings.
#[derive(Clone, Debug)]
pub struct FaultOptions {
    /// Flips to inject (spread so that every flop bit is hit before any is hit twice).
    pub faults: usize,
    pub seed: u64,
    pub threads: usize,
    /// The part of the plan to run: flip `i` of the plan runs on shard `i mod N`.
    pub shard: crate::shard::Shard,
}

/// How one fault ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Class {
    Harmless,
    /// `alert_fatal` rose, no later than the first wrong output.
    Detected,
    /// Only a recoverable alert the fault-free run did not raise, no later than (or one cycle
    /// after, as a refused transfer's pulse comes) the first wrong output.
    DetectedRecov,
    /// An output differed and no alert fired.
    WrongOutput,
    KeyLeak,
    Unauthorized,
}

impl Class {
    pub fn is_escape(self) -> bool {
        matches!(self, Class::WrongOutput | Class::KeyLeak | Class::Unauthorized)
    }
}

/// Where the ports sit in a trace frame (inputs) and an output frame.
struct Io {
    /// (port, offset, words) of each input but the clock, in the recorder's order.
    ins: Vec<(usize, usize, usize)>,
    in_words: usize,
    /// (port, offset, words) of each output.
    outs: Vec<(usize, usize, usize)>,
    out_words: usize,
    // Offsets of the fields the scoreboard reads.
    psel: usize,
    penable: usize,
    pwrite: usize,
    paddr: usize,
    pwdata: usize,
    /// (Read by the tests, to find a workload's transfers.)
    #[cfg_attr(not(test), allow(dead_code))]
    pmaster: usize,
    prdata: usize,
    pready: usize,
    ext_pwdata: usize,
    wifi_args: [usize; 2],
    alert_fatal: usize,
    alert_recov: usize,
}

impl Io {
    fn new(dut: &VerilatedDut) -> Result<Io, String> {
        let ports = dut.ports();
        let (mut ins, mut outs, mut in_words, mut out_words) = (Vec::new(), Vec::new(), 0, 0);
        for (i, p) in ports.iter().enumerate() {
            if p.dir == Dir::In && p.name != "clock" {
                ins.push((i, in_words, p.words()));
                in_words += p.words();
            } else if p.dir == Dir::Out {
                outs.push((i, out_words, p.words()));
                out_words += p.words();
            }
        }
        let at = |list: &[(usize, usize, usize)], name: &str| -> Result<usize, String> {
            let id = dut.port_id(name).ok_or(format!("{MODULE} has no port `{name}`"))?;
            list.iter().find(|e| e.0 == id).map(|e| e.1).ok_or(format!("`{name}` is on the wrong side"))
        };
        Ok(Io {
            psel: at(&ins, "psel")?,
            penable: at(&ins, "penable")?,
            pwrite: at(&ins, "pwrite")?,
            paddr: at(&ins, "paddr")?,
            pwdata: at(&ins, "pwdata")?,
            pmaster: at(&ins, "pmaster")?,
            prdata: at(&outs, "prdata")?,
            pready: at(&outs, "pready")?,
            ext_pwdata: at(&outs, "ext_pwdata")?,
            wifi_args: [at(&outs, "wifi_cmd_arg0")?, at(&outs, "wifi_cmd_arg1")?],
            alert_fatal: at(&outs, "alert_fatal")?,
            alert_recov: at(&outs, "alert_recov")?,
            ins,
            in_words,
            outs,
            out_words,
        })
    }

    fn drive(&self, dut: &mut VerilatedDut, frame: &[u32]) {
        for &(port, off, n) in &self.ins {
            dut.poke(port, &frame[off..off + n]);
        }
    }

    /// Input frame `c` of a workload.
    fn frame<'g>(&self, g: &'g Golden, c: usize) -> &'g [u32] {
        &g.inputs[c * self.in_words..(c + 1) * self.in_words]
    }

    fn sample(&self, dut: &mut VerilatedDut, out: &mut [u32]) {
        for &(port, off, n) in &self.outs {
            dut.peek(port, &mut out[off..off + n]);
        }
    }
}

/// The firewall's configuration in one cycle, as the fault-free run has it.
#[derive(Clone, Copy, Debug, Default)]
struct Config {
    owner: [u32; 8],
    no_read: u32,
    no_write: u32,
}

impl Config {
    /// May window `k` take this transfer?
    fn allows(&self, k: usize, master: u32, write: bool) -> bool {
        let rule = if write { self.no_write } else { self.no_read };
        master == self.owner[k] && rule >> k & 1 == 0
    }
}

/// One workload's fault-free run.
pub struct Golden {
    pub name: &'static str,
    pub cycles: usize,
    inputs: Vec<u32>,
    outputs: Vec<u32>,
    /// The firewall's configuration in each cycle.
    config: Vec<Config>,
    /// Whole state before cycle `k * CHECKPOINT`.
    checkpoints: Vec<Vec<Vec<u32>>>,
    /// Fuse keys and KEY-register words: no read may carry them unless the golden read did.
    secrets: LeakScan,
    /// The device root key's words, as fused.
    pub root_key: [u32; 8],
}

/// The state-access model, its state list, and the port layout.
pub struct Rig {
    dut: VerilatedDut,
    pub vars: Vec<StateVar>,
    io: Io,
    /// The firewall's `m_psel` and `m_pmaster`: nets the campaign reads, not state.
    probes: [usize; 2],
}

impl Rig {
    pub fn open() -> Result<Rig, String> {
        let dut = VerilatedDut::open(FI_MODEL).ok_or_else(|| {
            format!("no Verilated model `{FI_MODEL}` in this build{}", pluton_bindings::build_error().map(|e| format!(": {e}")).unwrap_or_default())
        })?;
        let vars = dut.state_vars().ok_or(format!("{FI_MODEL} has no state access"))?;
        let io = Io::new(&dut)?;
        let mut rig = Rig { dut, vars, io, probes: [0; 2] };
        rig.probes = [rig.state_index(&format!("{MODULE}.fw.m_psel"))?, rig.state_index(&format!("{MODULE}.fw.m_pmaster"))?];
        Ok(rig)
    }

    /// The whole state (every element but the probes; theirs left empty).
    fn save(&mut self) -> Vec<Vec<u32>> {
        (0..self.vars.len())
            .map(|i| {
                if self.probes.contains(&i) {
                    return Vec::new();
                }
                let mut w = vec![0; self.vars[i].words];
                self.dut.read_state(i, &mut w);
                w
            })
            .collect()
    }

    fn restore(&mut self, snap: &[Vec<u32>]) {
        for (i, w) in snap.iter().enumerate().filter(|(i, _)| !self.probes.contains(i)) {
            self.dut.write_state(i, w);
        }
    }

    /// A window forwarded this cycle that `config` does not allow (the master is not its owner,
    /// or a NO_READ/NO_WRITE rule forbids it), or any window forwarded while `safe` (the
    /// subsystem is in its safe state: nothing may pass).
    fn unauthorized(&mut self, config: &Config, write: bool, safe: bool) -> bool {
        let (mut sel, mut master) = ([0u32; 1], [0u32; 1]);
        self.dut.read_state(self.probes[0], &mut sel);
        self.dut.read_state(self.probes[1], &mut master);
        (0..8).any(|k| sel[0] >> k & 1 == 1 && (safe || !config.allows(k, master[0] >> (4 * k) & 0xf, write)))
    }

    /// The firewall's configuration now.
    fn config(&mut self, vars: &[usize; 10]) -> Config {
        let mut w = [0u32; 1];
        let mut read = |i: usize| {
            self.dut.read_state(i, &mut w);
            w[0]
        };
        Config { owner: std::array::from_fn(|k| read(vars[k])), no_read: read(vars[8]), no_write: read(vars[9]) }
    }

    /// The state element named `name` (e.g. `pluton_security.fw.locked.q`).
    pub fn state_index(&self, name: &str) -> Result<usize, String> {
        self.vars.iter().position(|v| v.name == name).ok_or(format!("{FI_MODEL} has no state element `{name}`"))
    }

    /// The flop bits, as (state element, bit), in name order.
    pub fn flop_bits(&self) -> Vec<(usize, u32)> {
        self.vars.iter().enumerate().filter(|(i, v)| v.is_flop() && !self.probes.contains(i)).flat_map(|(i, v)| (0..v.bits).map(move |b| (i, b))).collect()
    }

    /// Replay a recorded input trace from reset: the golden outputs, owners, checkpoints, secrets.
    pub fn golden(&mut self, name: &'static str, trace: &[u32]) -> Result<Golden, String> {
        let in_words = self.io.in_words;
        if trace.is_empty() || trace.len() % in_words != 0 {
            return Err(format!("{name}: trace of {} words is not whole frames of {in_words}", trace.len()));
        }
        let cycles = trace.len() / in_words;
        let cfg_vars: [usize; 10] = {
            let mut names: Vec<String> = (0..8).map(|k| format!("{MODULE}.fw.win_owner__{k}.q")).collect();
            names.push(format!("{MODULE}.fw.win_no_read.q"));
            names.push(format!("{MODULE}.fw.win_no_write.q"));
            let v: Vec<usize> = names.iter().map(|n| self.state_index(n)).collect::<Result<_, _>>()?;
            v.try_into().unwrap()
        };
        self.dut = VerilatedDut::open(FI_MODEL).ok_or("cannot reopen the model")?;
        let (mut outputs, mut config, mut checkpoints) = (vec![0u32; cycles * self.io.out_words], Vec::with_capacity(cycles), Vec::new());
        let mut secrets = LeakScan::default();
        let key = pluton_hdl::sha256::regs::KEY;
        for c in 0..cycles {
            if c % CHECKPOINT == 0 {
                checkpoints.push(self.save());
            }
            config.push(self.config(&cfg_vars));
            let frame = &trace[c * self.io.in_words..(c + 1) * self.io.in_words];
            self.io.drive(&mut self.dut, frame);
            let out = &mut outputs[c * self.io.out_words..(c + 1) * self.io.out_words];
            self.io.sample(&mut self.dut, out);
            if out[self.io.alert_fatal] != 0 {
                return Err(format!("{name}: alert_fatal rose at cycle {c} with no fault (a false alarm)"));
            }
            // The scoreboard's view of the configuration must agree with the fault-free firewall.
            if self.unauthorized(config.last().unwrap(), frame[self.io.pwrite] & 1 == 1, false) {
                return Err(format!("{name}: a select the golden run's owners do not allow, at cycle {c}, with no fault"));
            }
            // A software key written to the SHA engine's KEY (window 0) is a secret too.
            let paddr = frame[self.io.paddr];
            let completes = frame[self.io.psel] & frame[self.io.penable] & out[self.io.pready] & 1 == 1;
            let off = paddr & 0xfff;
            if completes && frame[self.io.pwrite] & 1 == 1 && paddr >> 12 == 0 && off >= key.offset && off < key.offset + 4 * key.count {
                secrets.add_secret(&frame[self.io.pwdata].to_le_bytes());
            }
            self.dut.step();
        }
        // The fuse keys, as programmed by the end of the run (64 words of 40 bits, 2 words each).
        let fuse = self.state_index(&format!("{MODULE}.otp.mac.fuse.mem"))?;
        let mut mem = vec![0u32; self.vars[fuse].words];
        self.dut.read_state(fuse, &mut mem);
        let per = self.vars[fuse].words / self.vars[fuse].elements as usize;
        use pluton_hdl::otp::fusemap as fm;
        for first in [fm::DEVICE_ROOT_KEY, fm::ATTESTATION_SEED] {
            let bytes: Vec<u8> = (first..first + fm::KEY_WORDS).flat_map(|w| mem[w as usize * per].to_le_bytes()).collect();
            secrets.add_secret(&bytes);
        }
        let root_key = std::array::from_fn(|i| mem[(fm::DEVICE_ROOT_KEY as usize + i) * per]);
        Ok(Golden { name, cycles, inputs: trace.to_vec(), outputs, config, checkpoints, secrets, root_key })
    }

    /// Restore the checkpoint before `at`, run to `at` unchanged.
    fn seek(&mut self, g: &Golden, at: usize) {
        let cp = at / CHECKPOINT;
        if cp > 0 {
            // The inputs of the cycle before, so that Verilator's edge detection (a falling
            // `rst_n`) sees what it saw in the golden run.
            self.io.drive(&mut self.dut, self.io.frame(g, cp * CHECKPOINT - 1));
            self.dut.eval();
        }
        self.restore(&g.checkpoints[cp]);
        for c in cp * CHECKPOINT..at {
            self.io.drive(&mut self.dut, self.io.frame(g, c));
            self.dut.step();
        }
    }

    /// Check that a restored checkpoint reproduces the golden run (the state list is complete):
    /// from the middle checkpoint, every output for `2 * CHECKPOINT` cycles.
    pub fn check_restore(&mut self, g: &Golden) -> Result<(), String> {
        let cp = g.checkpoints.len() / 2;
        self.dut = VerilatedDut::open(FI_MODEL).ok_or("cannot reopen the model")?;
        self.seek(g, cp * CHECKPOINT);
        let mut out = vec![0u32; self.io.out_words];
        for c in cp * CHECKPOINT..(cp * CHECKPOINT + 2 * CHECKPOINT).min(g.cycles) {
            self.io.drive(&mut self.dut, self.io.frame(g, c));
            self.io.sample(&mut self.dut, &mut out);
            if out[..] != g.outputs[c * self.io.out_words..(c + 1) * self.io.out_words] {
                return Err(format!("{}: restoring the checkpoint of cycle {} does not reproduce cycle {c}: the state list misses something", g.name, cp * CHECKPOINT));
            }
            self.dut.step();
        }
        Ok(())
    }

    /// Flip bit `bit` of state element `var` before cycle `at`, replay to the end (or until the
    /// state converges), and classify.
    pub fn inject(&mut self, g: &Golden, var: usize, bit: u32, at: usize) -> Class {
        let v = self.vars[var].clone();
        self.inject_with(g, at, |dut| dut.flip(var, &v, bit))
    }

    /// As `inject`, with any change of state made by `fault` before cycle `at` (several flips, a
    /// value written): for the campaign's own tests.
    pub fn inject_with(&mut self, g: &Golden, at: usize, fault: impl FnOnce(&mut VerilatedDut)) -> Class {
        let io_words = (self.io.in_words, self.io.out_words);
        self.seek(g, at);
        fault(&mut self.dut);
        let mut out = vec![0u32; io_words.1];
        let (mut leak, mut unauth) = (false, false);
        // First cycle with a wrong output other than the alerts; first alert of each kind.
        let (mut wrong_at, mut fatal_at, mut recov_at) = (None::<usize>, None::<usize>, None::<usize>);
        for c in at..g.cycles {
            let frame = self.io.frame(g, c);
            let gold = &g.outputs[c * io_words.1..(c + 1) * io_words.1];
            self.io.drive(&mut self.dut, frame);
            self.io.sample(&mut self.dut, &mut out);
            let io = &self.io;
            let safe = out[io.alert_fatal] & 1 == 1;
            if out[..] != gold[..] {
                if safe {
                    fatal_at.get_or_insert(c);
                }
                if out[io.alert_recov] & !gold[io.alert_recov] & 1 == 1 {
                    recov_at.get_or_insert(c);
                }
                let alerts = [io.alert_fatal, io.alert_recov];
                if (0..io_words.1).any(|i| !alerts.contains(&i) && out[i] != gold[i]) {
                    wrong_at.get_or_insert(c);
                }
                // A key on a readable bus: a completed read, or an external window's data lane.
                let read_done = frame[io.psel] & frame[io.penable] & out[io.pready] & !frame[io.pwrite] & 1 == 1;
                if read_done && out[io.prdata] != gold[io.prdata] && g.secrets.is_secret(out[io.prdata]) {
                    leak = true;
                }
                // The external windows' data lanes and the Wi-Fi command arguments leave the
                // subsystem: another domain sees them.
                for o in (0..pluton_hdl::security::regs::NUM_EXT as usize).map(|l| io.ext_pwdata + l).chain(io.wifi_args) {
                    if out[o] != gold[o] && g.secrets.is_secret(out[o]) {
                        leak = true;
                    }
                }
            }
            // A transfer forwarded against the configuration, or anything forwarded in the safe
            // state (checked in every cycle: a select is wrong even when the pins agree).
            unauth |= self.unauthorized(&g.config[c], frame[self.io.pwrite] & 1 == 1, safe);
            self.dut.step();
            // After the fatal alert, long enough to see that the safe state lets nothing out.
            if fatal_at.is_some_and(|a| c > a + AFTER_ALERT) {
                break;
            }
            // Converged: the rest of the run would be the golden one.
            let next = c + 1;
            if next % CHECKPOINT == 0 && next < g.cycles && fatal_at.is_none() && self.save() == g.checkpoints[next / CHECKPOINT] {
                break;
            }
        }
        // An alert counts only if it came no later than the first wrong output (a refused
        // transfer's recoverable pulse comes one cycle after its response).
        let in_time = |alert: Option<usize>, slack: usize| alert.is_some_and(|a| wrong_at.is_none_or(|w| a <= w + slack));
        if leak {
            Class::KeyLeak
        } else if unauth {
            Class::Unauthorized
        } else if in_time(fatal_at, 0) {
            Class::Detected
        } else if in_time(recov_at, 1) {
            Class::DetectedRecov
        } else if wrong_at.is_some() || fatal_at.is_some() || recov_at.is_some() {
            Class::WrongOutput
        } else {
            Class::Harmless
        }
    }
}

/// Record a security regression test's input trace (RTL alone, fixed seed) into `build/faults/`.
pub fn record(name: &str, scale: f64) -> Result<Vec<u32>, String> {
    let bench = benches().into_iter().find(|b| b.module == MODULE).ok_or(format!("no bench for {MODULE}"))?;
    let cases: Vec<Case> = bench.all_cases();
    let case = cases.iter().find(|c| c.name == name).ok_or(format!("{MODULE} has no test `{name}`"))?;
    let dir = pluton_toolchain::project_root().join("build").join("faults");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    // A file per call: tests record the same workload in parallel.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let path: PathBuf = dir.join(format!("{name}-{}-{}.trace", std::process::id(), CALLS.fetch_add(1, Ordering::Relaxed)));
    crate::bench::record_trace(MODULE, case.body, &path, scale)?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let _ = std::fs::remove_file(&path);
    Ok(bytes.chunks_exact(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect())
}

/// One injected fault and its outcome.
#[derive(Clone, Debug)]
pub struct Run {
    pub workload: usize,
    pub var: usize,
    pub bit: u32,
    pub at: usize,
    pub class: Class,
}

/// The campaign's result.
pub struct Report {
    pub runs: Vec<Run>,
    pub vars: Vec<StateVar>,
    pub workloads: Vec<(String, usize)>,
    pub flops: usize,
    pub flop_bits: usize,
    pub seconds: f64,
    pub seed: u64,
}

impl Report {
    pub fn count(&self, class: Class) -> usize {
        self.runs.iter().filter(|r| r.class == class).count()
    }

    /// The summary printed after the regression (and the first part of the report file).
    pub fn summary(&self) -> String {
        let n = self.runs.len().max(1) as f64;
        let mut s = String::new();
        let _ = writeln!(s, "== fault campaign: {} single flop flips in {MODULE} (seed {}; replay with --seed {})", self.runs.len(), self.seed, self.seed);
        let w: Vec<String> = self.workloads.iter().map(|(n, c)| format!("{n} ({c} cycles)")).collect();
        let _ = writeln!(s, "workloads: {}", w.join(", "));
        let flops = self.flops;
        let hit: std::collections::HashSet<(usize, u32)> = self.runs.iter().map(|r| (r.var, r.bit)).collect();
        let _ = writeln!(s, "flops: {flops} registers, {} bits, {} bits hit at least once; {:.1} s", self.flop_bits, hit.len(), self.seconds);
        let _ = writeln!(s, "{:<36} {:>8} {:>9}", "class", "runs", "fraction");
        let esc: usize = self.runs.iter().filter(|r| r.class.is_escape()).count();
        for (label, k) in [
            ("harmless (outputs as without the fault)", self.count(Class::Harmless)),
            ("detected (an alert fired in time)", self.count(Class::Detected) + self.count(Class::DetectedRecov)),
            ("  alert_fatal", self.count(Class::Detected)),
            ("  alert_recov only", self.count(Class::DetectedRecov)),
            ("escape", esc),
            ("  wrong output, no alert", self.count(Class::WrongOutput)),
            ("  key on a readable bus", self.count(Class::KeyLeak)),
            ("  unauthorized select", self.count(Class::Unauthorized)),
        ] {
            let _ = writeln!(s, "{label:<36} {k:>8} {:>8.2}%", 100.0 * k as f64 / n);
        }
        s
    }

    /// Escapes per state element, most first: (name, wrong output, leak, unauthorized, runs on it).
    pub fn escapes_by_flop(&self) -> Vec<(String, [usize; 3], usize)> {
        let mut m: BTreeMap<usize, ([usize; 3], usize)> = BTreeMap::new();
        for r in &self.runs {
            let e = m.entry(r.var).or_default();
            e.1 += 1;
            match r.class {
                Class::WrongOutput => e.0[0] += 1,
                Class::KeyLeak => e.0[1] += 1,
                Class::Unauthorized => e.0[2] += 1,
                _ => {}
            }
        }
        let mut v: Vec<_> = m.into_iter().filter(|(_, (e, _))| e.iter().sum::<usize>() > 0).map(|(i, (e, n))| (self.vars[i].name.clone(), e, n)).collect();
        v.sort_by_key(|(name, e, _)| (std::cmp::Reverse(e.iter().sum::<usize>()), name.clone()));
        v
    }

    /// The `most` flops with the most escapes, one line each (all of them for `usize::MAX`).
    pub fn worst(&self, most: usize) -> String {
        let rows = self.escapes_by_flop();
        let mut s = String::new();
        if rows.is_empty() {
            return s;
        }
        let _ = writeln!(s, "escapes per flop (wrong output / key leak / unauthorized, of runs on it), {} of {}:", rows.len().min(most), rows.len());
        for (name, e, n) in rows.iter().take(most) {
            let _ = writeln!(s, "  {name:<56} {:>4} / {} / {}  of {n}", e[0], e[1], e[2]);
        }
        s
    }

    /// The whole report (summary, then every escaping flop), as written to `build/faults/report.md`.
    pub fn full(&self) -> String {
        self.summary() + "\n" + &self.worst(usize::MAX)
    }
}

/// Record the workloads, run the campaign on `threads` threads, and return the report.
pub fn campaign(opts: &FaultOptions) -> Result<Report, String> {
    let started = Instant::now();
    let mut rig = Rig::open()?;
    let mut goldens = Vec::new();
    for &(name, scale) in WORKLOADS {
        let trace = record(name, scale)?;
        let g = rig.golden(name, &trace)?;
        rig.check_restore(&g)?;
        goldens.push(g);
    }
    let bits = rig.flop_bits();
    // Fault i hits flop bit i mod bits (every bit before any twice), in workload
    // (i / bits + i) mod W (so each pass over the bits rotates the workloads), at a random cycle.
    let mut rng = rand::rngs::StdRng::seed_from_u64(opts.seed);
    // Every shard draws the whole plan (same seed, same draws) and runs its part of it.
    let plan: Vec<(usize, usize, u32, usize)> = (0..opts.faults)
        .map(|i| {
            let (var, bit) = bits[i % bits.len()];
            let w = (i / bits.len() + i) % goldens.len();
            (w, var, bit, rng.gen_range(1..goldens[w].cycles))
        })
        .enumerate()
        .filter(|(i, _)| opts.shard.owns(*i))
        .map(|(_, flip)| flip)
        .collect();
    let next = AtomicUsize::new(0);
    let threads = opts.threads.max(1);
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> Result<Vec<Run>, String> {
                    let mut rig = Rig::open()?;
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(w, var, bit, at)) = plan.get(i) else { break };
                        let class = rig.inject(&goldens[w], var, bit, at);
                        mine.push(Run { workload: w, var, bit, at, class });
                    }
                    Ok(mine)
                })
            })
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().map_err(|_| "a campaign thread panicked".to_string())??);
        }
        Ok::<_, String>(all)
    })?;
    let mut runs = runs;
    runs.sort_by_key(|r| (r.var, r.bit, r.at));
    Ok(Report {
        runs,
        vars: rig.vars.clone(),
        workloads: goldens.iter().map(|g| (g.name.to_string(), g.cycles)).collect(),
        flops: bits.iter().map(|b| b.0).collect::<std::collections::HashSet<_>>().len(),
        flop_bits: bits.len(),
        seconds: started.elapsed().as_secs_f64(),
        seed: opts.seed,
    })
}

/// `pluton cosim faults`: run the campaign, print the summary and the worst flops, write the full
/// report to `build/faults/report.md`. Fails on any key leak or unauthorized select (the targets).
pub fn run(opts: &FaultOptions) -> Result<Report, String> {
    let report = campaign(opts)?;
    let path = pluton_toolchain::project_root().join("build").join("faults").join("report.md");
    std::fs::write(&path, report.full()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rig with one recorded workload (the isolation attacks: the application core tries the
    /// security core's windows).
    fn rig_and(name: &'static str, scale: f64) -> (Rig, Golden) {
        let mut rig = Rig::open().expect("the state-access model");
        let trace = record(name, scale).expect("recording the workload");
        let g = rig.golden(name, &trace).expect("the golden run");
        (rig, g)
    }

    /// A restored checkpoint replays the golden run exactly (else the state list misses a flop),
    /// and a restored state is not the same as a fresh model's (so the check can fail).
    #[test]
    fn checkpoints_restore_the_whole_state() {
        let (mut rig, g) = rig_and("security_isolation", 1.0);
        rig.check_restore(&g).unwrap();
        assert!(g.checkpoints.len() > 4);
        assert_ne!(g.checkpoints[0], g.checkpoints[g.checkpoints.len() / 2]);
    }

    /// Each protected flop (lock code, configuration parity, SHA phase code, core control code,
    /// OTP service code, P-256 sequencer state and its check bits),
    /// flipped alone anywhere in the run, raises alert_fatal.
    #[test]
    fn single_flips_of_coded_flops_are_detected() {
        let (mut rig, g) = rig_and("security_derive_key", 1.0);
        let coded = [
            ("fw.locked.q", 0), ("fw.lock_chk.q", 1), ("fw.cfg_par.q", 1), ("fw.win_owner__1.q", 0), ("fw.win_no_write.q", 3),
            ("sha.active.q", 0), ("sha.finishing.q", 0), ("sha.done_r.q", 0), ("sha.phase_chk.q", 2),
            ("sha.core.busy_r.q", 0), ("sha.core.adding.q", 0), ("sha.core.ctl_chk.q", 1),
            ("otp.ready.q", 0), ("otp.scanning.q", 0), ("otp.kl_busy.q", 0), ("otp.svc_chk.q", 0),
            ("p256.st.q", 0), ("p256.st.q", 2), ("p256.st_chk.q", 1),
        ];
        for (name, bit) in coded {
            let var = rig.state_index(&format!("{MODULE}.{name}")).unwrap();
            for k in 1..6 {
                let at = k * g.cycles / 6;
                assert_eq!(rig.inject(&g, var, bit, at), Class::Detected, "{name} bit {bit} flipped before cycle {at}");
            }
        }
        // The fuse key and its parity, once on the sideload port (the run's last sixth): the SHA
        // engine's check catches a hit anywhere on the way.
        for (name, bit) in [("otp.key.q", 77), ("otp.key.q", 255), ("otp.key_par_r.q", 2)] {
            let var = rig.state_index(&format!("{MODULE}.{name}")).unwrap();
            let at = 5 * g.cycles / 6;
            assert_eq!(rig.inject(&g, var, bit, at), Class::Detected, "{name} bit {bit} flipped before cycle {at}");
        }
    }

    /// The scoreboard sees a bypass: two flips that defeat the parity (OTP's window 1 handed to
    /// the application core, parity fixed up) let the core's attempts through, an unauthorized
    /// select; either flip alone is detected.
    #[test]
    fn a_double_flip_past_the_parity_is_an_unauthorized_select() {
        let (mut rig, g) = rig_and("security_isolation", 1.0);
        let owner = rig.state_index(&format!("{MODULE}.fw.win_owner__1.q")).unwrap();
        let par = rig.state_index(&format!("{MODULE}.fw.cfg_par.q")).unwrap();
        let (vo, vp) = (rig.vars[owner].clone(), rig.vars[par].clone());
        // Just before the application core's read of window 1 (refused in the golden run).
        let io = &rig.io;
        let attempt = (0..g.cycles)
            .find(|&c| {
                let f = &g.inputs[c * io.in_words..(c + 1) * io.in_words];
                f[io.psel] == 1 && f[io.paddr] >> 12 == 1 && f[io.pmaster] == pluton_hdl::common::masters::MASTER_APP
            })
            .expect("the workload has the application core try window 1");
        let classes: Vec<Class> = [attempt - 1, attempt]
            .iter()
            .map(|&at| {
                rig.inject_with(&g, at, |d| {
                    d.flip(owner, &vo, 0);
                    d.flip(par, &vp, 1);
                })
            })
            .collect();
        assert_eq!(classes, [Class::Unauthorized, Class::Unauthorized]);
        let early = attempt - 1;
        assert_eq!(rig.inject(&g, owner, 0, early), Class::Detected);
    }

    /// The scoreboard sees a key leave: a root-key word put into a Wi-Fi command argument flop.
    #[test]
    fn a_key_word_on_an_outgoing_bus_is_a_leak() {
        let (mut rig, g) = rig_and("security_derive_key", 1.0);
        let arg = rig.state_index(&format!("{MODULE}.wifi.cmd_arg0.q")).unwrap();
        let word = g.root_key[3];
        assert_eq!(rig.inject_with(&g, g.cycles / 2, |d| d.write_state(arg, &[word])), Class::KeyLeak);
        assert_eq!(rig.inject_with(&g, g.cycles / 2, |d| d.write_state(arg, &[0x1357_9bdf])), Class::WrongOutput);
    }

    /// Escalation zeroizes the SHA engine: after an alarm in the middle of the sideload HMAC with
    /// the root key, the core's schedule and both RAMs are all zero and the core's digest and
    /// working state are those of one zero block hashed from the IV (computed with the `sha2`
    /// crate), whatever the key.
    #[test]
    fn escalation_zeroizes_the_core() {
        let (mut rig, g) = rig_and("security_derive_key", 1.0);
        let busy = rig.state_index(&format!("{MODULE}.sha.core.busy_r.q")).unwrap();
        let lock = rig.state_index(&format!("{MODULE}.fw.lock_chk.q")).unwrap();
        let read = |rig: &mut Rig, name: &str| -> u32 {
            let i = rig.state_index(&format!("{MODULE}.sha.core.{name}.q")).unwrap();
            let mut w = [0u32; 1];
            rig.dut.read_state(i, &mut w);
            w[0]
        };
        // The last cycle at which the core is busy (the HMAC's last block), from the golden run.
        let mut at = None;
        for c in 1..g.cycles - 400 {
            rig.seek(&g, c);
            let mut w = [0u32; 1];
            rig.dut.read_state(busy, &mut w);
            if w[0] == 1 {
                at = Some(c);
            }
            if at.is_some() && w[0] == 0 {
                break;
            }
        }
        let at = at.expect("the workload runs the SHA core") - 10;
        rig.seek(&g, at);
        assert_eq!(read(&mut rig, "busy_r"), 1);
        let secret: Vec<u32> = (0..16).map(|i| read(&mut rig, &format!("w__{i}"))).collect();
        assert!(secret.iter().any(|&w| w != 0), "the schedule holds message or key words before the alarm");
        // Both RAMs full of non-zero words (whatever the workload left in them).
        for ram in ["key_ram", "buf_ram"] {
            let i = rig.state_index(&format!("{MODULE}.sha.{ram}.mem")).unwrap();
            let words: Vec<u32> = (0..rig.vars[i].words as u32).map(|k| 0x5a5a_0001 + k).collect();
            rig.dut.write_state(i, &words);
        }
        let v = rig.vars[lock].clone();
        rig.dut.flip(lock, &v, 0);
        for c in at..at + 200 {
            rig.io.drive(&mut rig.dut, rig.io.frame(&g, c));
            rig.dut.step();
        }
        // FIPS 180-4, section 5.3.3.
        const IV: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
        let mut state = IV;
        sha2::compress256(&mut state, &[[0u8; 64].into()]);
        for i in 0..16 {
            assert_eq!(read(&mut rig, &format!("w__{i}")), 0, "schedule word {i} after the wipe");
        }
        // Both RAMs hold zeros.
        for ram in ["key_ram", "buf_ram"] {
            let i = rig.state_index(&format!("{MODULE}.sha.{ram}.mem")).unwrap();
            let mut mem = vec![0u32; rig.vars[i].words];
            rig.dut.read_state(i, &mut mem);
            assert!(mem.iter().all(|&w| w == 0), "{ram} after the wipe: {mem:x?}");
        }
        for i in 0..8 {
            assert_eq!(read(&mut rig, &format!("hs__{i}")), state[i], "digest word {i} after the wipe");
            assert_eq!(read(&mut rig, &format!("st__{i}")), state[i].wrapping_sub(IV[i]), "working word {i} after the wipe");
        }
    }
}
