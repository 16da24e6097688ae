//! Simulated TVLA: per-cycle toggle-count traces of a state-access Verilated model, Welch's t-test per cycle, and the fixed-versus-random test of the AES engine.
//!
//! # Power model
//!
//! [`ToggleProbe`] reads a chosen set of flops after every clock edge and counts the bits that
//! changed since the edge before (a Hamming-distance model: dynamic power goes with the flops that
//! switch). The set is chosen by a predicate on each flop's hierarchical name. RAM arrays are never
//! in it (they are memories, not flops; the AES engine has none).
//!
//! # Statistics
//!
//! [`TTest`] keeps, per sample point (cycle index within a trace) and per group, a running mean
//! and variance (Welford), and gives Welch's t at each point. TVLA's criterion (Goodwill et al.,
//! "A testing methodology for side-channel resistance validation", NIST NIAT 2011) is
//! |t| > 4.5 at any point: a difference between the groups' means with confidence above 99.999 %.
//!
//! # The AES test ([`aes_tvla`])
//!
//! A fixed key; each trace encrypts one ECB AES-128 block whose plaintext is, by a coin toss from
//! the seeded RNG, either the fixed plaintext (group 0) or a fresh random one (group 1). One
//! operation (one OP_START) serves every trace: write DATA_IN, clock, read DATA_OUT (after one
//! unrecorded block, so that every trace follows a block, not the key expansion). A trace is
//! the toggle count at each edge from the edge that takes the block (the first edge after the
//! DATA_IN write that fills it) to the edge at which OUT_VALID rises, inclusive; the engine's
//! timing is data-independent, so every trace has the same length, and the test checks it.
//! The bus is idle inside the window.
//!
//! Flops left out of the unmasked engine's set ([`AES_IO_FLOPS`]) hold plaintext or ciphertext by
//! contract:
//!
//! - `in_buf`: DATA_IN, the plaintext as written;
//! - `front.guard.d_q`: the APB guard's copy of the last write's PWDATA (the last DATA_IN word);
//! - `blk`: the engine's copy of the block taken from `in_buf` (in ECB, the plaintext);
//! - `aes.res`: the cipher core's result register behind `data_out`, the ciphertext;
//! - `out_q`: DATA_OUT, the ciphertext.
//!
//! Plaintext and ciphertext differ between a fixed and a random group whatever the core does, so
//! these flops would show |t| far above 4.5 in any core, masked or not, and the test would say
//! nothing about the cipher (a masked core must unmask its result somewhere too). Everything else
//! stays in: the core's state (including its last round, state to ciphertext, which does depend on
//! the key), round keys and control, the sequencer, the rest of the bus front and the GHASH unit.
//! `d_q` does not change inside the window (the bus is idle), so leaving it out changes nothing
//! here; it is listed for what it holds.

use crate::leak::LeakScan;
use crate::regression::Ctx;
use crate::state_rig::StateRig;
use pluton_bindings::{Dut, VerilatedDut};
use pluton_hdl::aes::regs::*;
use rand::{Rng, RngCore};
use std::cell::RefCell;
use std::time::Instant;

/// TVLA's threshold on |t|.
pub const TVLA_THRESHOLD: f64 = 4.5;

// ---------------------------------------------------------------------------------------------
// Power model

/// One flop of a [`ToggleProbe`]: its state index and its words in the probe's buffers.
struct ProbeVar {
    index: usize,
    offset: usize,
    words: usize,
}

/// Hamming-distance power model over a set of flops: after each edge, how many of their bits
/// changed since the previous sample. Reads raw words into buffers allocated once.
pub struct ToggleProbe {
    vars: Vec<ProbeVar>,
    names: Vec<String>,
    /// The valid bits of each word (a 5-bit flop is stored in a byte).
    mask: Vec<u32>,
    prev: Vec<u32>,
    cur: Vec<u32>,
    /// Each flop's toggles at the last sample.
    per_flop: Vec<u32>,
    bits: u64,
}

impl ToggleProbe {
    /// The flops of `dut` (a state-access `_fi` model) whose hierarchical name (`StateVar::name`,
    /// e.g. `pluton_aes.in_buf.q`) `keep` accepts.
    pub fn new(dut: &VerilatedDut, keep: &dyn Fn(&str) -> bool) -> Result<ToggleProbe, String> {
        let all = dut.state_vars().ok_or_else(|| format!("{} has no state access (open its `_fi` build)", dut.name()))?;
        let (mut vars, mut names, mut mask, mut bits) = (Vec::new(), Vec::new(), Vec::new(), 0u64);
        for (index, v) in all.iter().enumerate().filter(|(_, v)| v.is_flop() && keep(&v.name)) {
            let offset = mask.len();
            for w in 0..v.words {
                let left = v.bits.saturating_sub(32 * w as u32);
                mask.push(if left >= 32 { u32::MAX } else { (1u32 << left) - 1 });
            }
            vars.push(ProbeVar { index, offset, words: v.words });
            names.push(v.name.clone());
            bits += u64::from(v.bits);
        }
        if vars.is_empty() {
            return Err(format!("{}: the predicate keeps no flop", dut.name()));
        }
        let n = mask.len();
        Ok(ToggleProbe { per_flop: vec![0; vars.len()], vars, names, mask, prev: vec![0; n], cur: vec![0; n], bits })
    }

    /// The flops' hierarchical names, in the order of [`ToggleProbe::per_flop`].
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// How many flops (registers) and bits the probe watches.
    pub fn flops(&self) -> usize {
        self.vars.len()
    }
    pub fn bits(&self) -> u64 {
        self.bits
    }

    fn read(&mut self, dut: &mut VerilatedDut) {
        for v in &self.vars {
            dut.read_state(v.index, &mut self.cur[v.offset..v.offset + v.words]);
        }
    }

    /// Take the current state as the reference for the next [`ToggleProbe::sample`].
    pub fn prime(&mut self, dut: &mut VerilatedDut) {
        self.read(dut);
        std::mem::swap(&mut self.prev, &mut self.cur);
    }

    /// The bits that changed since the last sample (or `prime`); the new state becomes the
    /// reference. Call after each edge.
    pub fn sample(&mut self, dut: &mut VerilatedDut) -> u32 {
        self.read(dut);
        let mut total = 0;
        for (k, v) in self.vars.iter().enumerate() {
            let r = v.offset..v.offset + v.words;
            let d = hamming(&self.prev[r.clone()], &self.cur[r.clone()], &self.mask[r]);
            self.per_flop[k] = d;
            total += d;
        }
        std::mem::swap(&mut self.prev, &mut self.cur);
        total
    }

    /// Each flop's share of the last sample.
    pub fn per_flop(&self) -> &[u32] {
        &self.per_flop
    }
}

/// The bits that differ between `a` and `b` among those set in `mask`.
pub fn hamming(a: &[u32], b: &[u32], mask: &[u32]) -> u32 {
    a.iter().zip(b).zip(mask).map(|((x, y), m)| ((x ^ y) & m).count_ones()).sum()
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Running mean and variance (Welford's update: stable, one pass).
#[derive(Clone, Copy, Debug, Default)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }
    pub fn n(&self) -> u64 {
        self.n
    }
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// The unbiased sample variance (divided by n - 1); 0 below two samples.
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
}

/// Welch's t: `(mean_a - mean_b) / sqrt(var_a / n_a + var_b / n_b)`. 0 when a group has fewer
/// than two samples, or both are constant and equal; +-infinity when both are constant and differ.
pub fn welch_t(a: &Welford, b: &Welford) -> f64 {
    if a.n < 2 || b.n < 2 {
        return 0.0;
    }
    let diff = a.mean - b.mean;
    let se2 = a.variance() / a.n as f64 + b.variance() / b.n as f64;
    if se2 > 0.0 {
        diff / se2.sqrt()
    } else if diff == 0.0 {
        0.0
    } else {
        diff.signum() * f64::INFINITY
    }
}

/// Welch's t-test at each sample point of equal-length traces in two groups, computed online.
#[derive(Clone, Debug)]
pub struct TTest {
    groups: [Vec<Welford>; 2],
}

impl TTest {
    pub fn new(points: usize) -> TTest {
        TTest { groups: [vec![Welford::default(); points], vec![Welford::default(); points]] }
    }

    pub fn points(&self) -> usize {
        self.groups[0].len()
    }

    /// Traces added to each group.
    pub fn traces(&self) -> [u64; 2] {
        [0, 1].map(|g| self.groups[g].first().map_or(0, |w| w.n))
    }

    /// Add one trace to group 0 or 1. Panics if its length is not [`TTest::points`].
    pub fn add<T: Copy + Into<f64>>(&mut self, group: usize, trace: &[T]) {
        let g = &mut self.groups[group];
        assert_eq!(trace.len(), g.len(), "a trace of {} points in a t-test of {}", trace.len(), g.len());
        for (w, &x) in g.iter_mut().zip(trace) {
            w.push(x.into());
        }
    }

    /// The two groups' running statistics at point `i`.
    pub fn stats(&self, i: usize) -> (Welford, Welford) {
        (self.groups[0][i], self.groups[1][i])
    }

    /// Welch's t at each point (group 0 minus group 1).
    pub fn t(&self) -> Vec<f64> {
        self.groups[0].iter().zip(&self.groups[1]).map(|(a, b)| welch_t(a, b)).collect()
    }

    /// The largest |t| and its point (0 and point 0 with no points).
    pub fn max_abs_t(&self) -> (f64, usize) {
        self.t().iter().enumerate().fold((0.0, 0), |best, (i, t)| if t.abs() > best.0 { (t.abs(), i) } else { best })
    }

    /// How many points have |t| above `threshold`.
    pub fn points_above(&self, threshold: f64) -> usize {
        self.t().iter().filter(|t| t.abs() > threshold).count()
    }
}

// ---------------------------------------------------------------------------------------------
// The AES engine's test

/// Flops of the AES engine that hold plaintext or ciphertext by contract (instance paths under
/// the top; see the module doc): DATA_IN, the bus guard's write data, the text block taken from
/// DATA_IN, the core's result register and DATA_OUT.
pub const AES_IO_FLOPS: &[&str] = &["in_buf", "front.guard.d_q", "blk", "aes.res", "out_q"];

/// A flop predicate that keeps every flop but those at `path` under the top, for each `path` in
/// `excluded`: `<top>.<path>.q`, `<top>.<path>` (a register inside a primitive), and each element
/// `<top>.<path>__<i>.q` of an array of flops.
pub fn excluding(excluded: &'static [&'static str]) -> impl Fn(&str) -> bool {
    move |name: &str| {
        let path = name.split_once('.').map_or(name, |(_, rest)| rest);
        let path = path.strip_suffix(".q").unwrap_or(path);
        let base = match path.rsplit_once("__") {
            Some((b, i)) if !i.is_empty() && i.bytes().all(|c| c.is_ascii_digit()) => b,
            _ => path,
        };
        !excluded.contains(&base)
    }
}

/// The unmasked engine's flop set: every flop but [`AES_IO_FLOPS`].
pub fn aes_unmasked_keep(name: &str) -> bool {
    excluding(AES_IO_FLOPS)(name)
}

/// How the two groups' plaintexts are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Groups {
    /// Group 0: the fixed plaintext; group 1: a fresh random one (TVLA's non-specific test).
    FixedVsRandom,
    /// Both groups random: nothing to find (the negative control).
    RandomVsRandom,
}

/// What to run [`aes_tvla`] on, and how.
pub struct AesTvla<'a> {
    /// The state-access model and its top, e.g. `pluton_aes_fi` and `pluton_aes`. It must take
    /// the AES engine's register map (`pluton_hdl::aes::regs`).
    pub model: &'a str,
    pub top: &'a str,
    /// Which flops (by hierarchical name) the power model counts.
    pub keep: &'a dyn Fn(&str) -> bool,
    /// The flop (instance path under the top) that holds STATUS.OUT_VALID: the window ends at
    /// the edge at which it rises.
    pub out_valid: &'a str,
    pub traces: usize,
    pub groups: Groups,
    pub key: [u8; 16],
    pub fixed: [u8; 16],
    /// Run once after reset, before CTRL is written (e.g. to seed a masked core's PRNG).
    pub setup: Option<&'a dyn Fn(&mut StateRig, &mut dyn RngCore) -> Result<(), String>>,
    /// Run before each block's DATA_IN writes (e.g. to drive fresh mask randomness on a port).
    pub before_block: Option<&'a dyn Fn(&mut StateRig, &mut dyn RngCore)>,
    /// If set, the key is registered as a secret and every DATA_OUT read is scanned.
    pub leaks: Option<&'a RefCell<LeakScan>>,
}

/// TVLA's AES-128 key and fixed plaintext (Goodwill et al., section 4.1).
pub const TVLA_KEY: [u8; 16] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0];
pub const TVLA_FIXED: [u8; 16] = [0xda, 0x39, 0xa3, 0xee, 0x5e, 0x6b, 0x4b, 0x0d, 0x32, 0x55, 0xbf, 0xef, 0x95, 0x60, 0x18, 0x90];

impl AesTvla<'static> {
    /// The unmasked engine (`pluton_aes_fi`) without its I/O flops, TVLA's key and plaintext.
    pub fn unmasked(traces: usize, groups: Groups) -> AesTvla<'static> {
        AesTvla {
            model: "pluton_aes_fi",
            top: "pluton_aes",
            keep: &aes_unmasked_keep,
            out_valid: "out_valid",
            traces,
            groups,
            key: TVLA_KEY,
            fixed: TVLA_FIXED,
            setup: None,
            before_block: None,
            leaks: None,
        }
    }
}

impl AesTvla<'static> {
    /// The masked engine (`pluton_aes_masked_fi`): the same flop set (its core's result register
    /// is `aes.res` too), a fresh mask seed on its port before OP_START.
    pub fn masked(traces: usize, groups: Groups) -> AesTvla<'static> {
        AesTvla { model: "pluton_aes_masked_fi", top: "pluton_aes_masked", setup: Some(&seed_mask_port), ..AesTvla::unmasked(traces, groups) }
    }
}

/// The DRBG's part for the masked engine on a state rig: a fresh 256-bit seed on `mask_seed`,
/// `mask_seed_valid` = 1.
pub fn seed_mask_port(rig: &mut StateRig, rng: &mut dyn RngCore) -> Result<(), String> {
    let id = rig.dut.port_id("mask_seed").ok_or("no port mask_seed")?;
    let w: Vec<u32> = (0..8).map(|_| rng.next_u32()).collect();
    pluton_bindings::Dut::poke(&mut rig.dut, id, &w);
    rig.set("mask_seed_valid", 1)
}

/// The outcome of one TVLA run.
#[derive(Clone, Debug)]
pub struct TvlaReport {
    pub traces: usize,
    /// Traces in group 0 (fixed, or the first random group) and group 1.
    pub per_group: [u64; 2],
    /// Sample points per trace: edges from taking the block to OUT_VALID, inclusive.
    pub samples: usize,
    /// The flops (registers) and bits the power model counts.
    pub flops: usize,
    pub bits: u64,
    /// Welch's t at each point, group 0 minus group 1.
    pub t: Vec<f64>,
    pub max_abs_t: f64,
    /// The point of `max_abs_t`: 0 is the edge that takes the block.
    pub max_cycle: usize,
    /// Points with |t| > 4.5.
    pub leaky_points: usize,
    /// Each group's mean toggle count at each point.
    pub mean_toggles: [Vec<f64>; 2],
    /// Each flop's own max |t| (its toggle count as the trace) and the point, largest first.
    pub by_flop: Vec<(String, f64, usize)>,
    /// Wall time of the whole run (model, setup, traces) and of the traces alone.
    pub seconds: f64,
    pub trace_seconds: f64,
    /// Edges the model ran.
    pub edges: u64,
}

impl TvlaReport {
    /// |t| exceeded 4.5 somewhere.
    pub fn leaks(&self) -> bool {
        self.max_abs_t > TVLA_THRESHOLD
    }

    /// One paragraph: the figures, the t trace, and the flops that lead.
    pub fn summary(&self) -> String {
        let t: Vec<String> = self.t.iter().map(|t| format!("{t:.1}")).collect();
        let top: Vec<String> = self.by_flop.iter().take(6).map(|(n, t, c)| format!("{n} {t:.1}@{c}")).collect();
        let means = |g: usize| self.mean_toggles[g].iter().map(|m| format!("{m:.1}")).collect::<Vec<_>>().join(", ");
        format!(
            "{} traces ({} / {}), {} points, {} flops ({} bits): max |t| {:.2} at cycle {}, {} points above {TVLA_THRESHOLD}; \
             t = [{}]; mean toggles [{}] / [{}]; leading flops (|t|@cycle): {}; {:.2} s ({:.2} s of traces, {} edges)",
            self.traces, self.per_group[0], self.per_group[1], self.samples, self.flops, self.bits, self.max_abs_t,
            self.max_cycle, self.leaky_points, t.join(", "), means(0), means(1), top.join(", "), self.seconds, self.trace_seconds, self.edges
        )
    }
}

/// Memory-order words of a 16-byte block (word i = bytes 4i..4i+3, little-endian).
fn words(b: &[u8; 16]) -> [u32; 4] {
    std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()))
}

/// Longest window accepted before giving up on OUT_VALID.
const MAX_WINDOW: usize = 256;

/// Runs the TVLA procedure of the module doc on `cfg.model`; the group of each trace and the
/// random plaintexts come from `rng`. Fails if the engine misbehaves (a wrong ciphertext, a bus
/// error, a window whose length changes), not on the t-test's outcome: the caller decides.
pub fn aes_tvla(cfg: &AesTvla, rng: &mut dyn RngCore) -> Result<TvlaReport, String> {
    use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
    let started = Instant::now();
    let mut rig = StateRig::open(cfg.model, cfg.top)?;
    let mut probe = ToggleProbe::new(&rig.dut, cfg.keep)?;
    let (ov_index, ov_var) = rig.state_var(cfg.out_valid)?;
    let mut ov = vec![0u32; ov_var.words];
    if let Some(setup) = cfg.setup {
        setup(&mut rig, rng)?;
    }
    if let Some(l) = cfg.leaks {
        l.borrow_mut().add_secret(&cfg.key);
    }
    // One ECB encrypt operation, AES-128, key from the KEY registers.
    rig.write(CTRL.offset, CTRL_RESET | CTRL_MODE.put(MODE_ECB));
    for (i, w) in words(&cfg.key).iter().enumerate() {
        rig.write(KEY.addr(i as u32), *w);
    }
    rig.write(CMD.offset, OP_START);
    let mut status = 0;
    for _ in 0..1_000 {
        status = rig.read(STATUS.offset);
        if STATUS_DONE.get(status) == 1 {
            break;
        }
    }
    let result = rig.read(RESULT.offset);
    if STATUS_ACTIVE.get(status) != 1 || RESULT_ERROR.get(result) != RES_OK {
        return Err(format!("{}: OP_START gave STATUS 0x{status:08x}, RESULT 0x{result:08x}", cfg.model));
    }
    let cipher = aes::Aes128::new(&GenericArray::from(cfg.key));
    // One block before the traces, not recorded: the first block after OP_START starts from the
    // key expansion's state, every later one from a block's, and one odd trace in one group
    // gives a point that toggles identically in every other trace a |t| of about 1.
    let warm: [u8; 16] = rng.gen();
    for (i, w) in words(&warm).iter().enumerate() {
        rig.write(DATA_IN.addr(i as u32), *w);
    }
    rig.clock(1);
    for _ in 0..MAX_WINDOW {
        rig.dut.read_state(ov_index, &mut ov);
        if ov[0] & 1 == 1 {
            break;
        }
        rig.clock(1);
    }
    for i in 0..4 {
        rig.read(DATA_OUT.addr(i));
    }

    let mut window: Option<usize> = None;
    let mut tt = TTest::new(0);
    let mut flop_tt: Vec<TTest> = Vec::new();
    let mut trace: Vec<u32> = Vec::with_capacity(MAX_WINDOW);
    // Each flop's toggles, flop k's at [k * MAX_WINDOW ..].
    let mut flop_trace = vec![0u32; probe.flops() * MAX_WINDOW];
    let traces_started = Instant::now();
    for n in 0..cfg.traces {
        let group = usize::from(rng.gen::<bool>());
        let pt: [u8; 16] = match (cfg.groups, group) {
            (Groups::FixedVsRandom, 0) => cfg.fixed,
            _ => rng.gen(),
        };
        if let Some(before) = cfg.before_block {
            before(&mut rig, rng);
        }
        for (i, w) in words(&pt).iter().enumerate() {
            rig.write(DATA_IN.addr(i as u32), *w);
        }
        // The block is taken at the next edge; the window runs from it to OUT_VALID.
        probe.prime(&mut rig.dut);
        trace.clear();
        loop {
            rig.clock(1);
            let j = trace.len();
            trace.push(probe.sample(&mut rig.dut));
            for (k, &d) in probe.per_flop().iter().enumerate() {
                flop_trace[k * MAX_WINDOW + j] = d;
            }
            rig.dut.read_state(ov_index, &mut ov);
            if ov[0] & 1 == 1 {
                break;
            }
            if window.is_some_and(|w| trace.len() >= w) || trace.len() >= MAX_WINDOW {
                return Err(format!("trace {n}: OUT_VALID not up {} edges after the block was taken (trace 0: {window:?})", trace.len()));
            }
        }
        match window {
            None => {
                window = Some(trace.len());
                tt = TTest::new(trace.len());
                flop_tt = vec![TTest::new(trace.len()); probe.flops()];
            }
            Some(w) if w != trace.len() => {
                return Err(format!("trace {n}: OUT_VALID {} edges after the block was taken, trace 0: {w} (timing depends on the data)", trace.len()));
            }
            Some(_) => {}
        }
        let len = trace.len();
        tt.add(group, &trace);
        for (k, t) in flop_tt.iter_mut().enumerate() {
            t.add(group, &flop_trace[k * MAX_WINDOW..k * MAX_WINDOW + len]);
        }
        // The block out, checked against RustCrypto's AES.
        let mut want = GenericArray::from(pt);
        cipher.encrypt_block(&mut want);
        let want: [u8; 16] = want.into();
        if let Some(l) = cfg.leaks {
            l.borrow_mut().allow_digest(&want);
        }
        for (i, w) in words(&want).iter().enumerate() {
            let addr = DATA_OUT.addr(i as u32);
            let got = rig.read(addr);
            if let Some(l) = cfg.leaks {
                l.borrow_mut().check_read(addr, got);
            }
            if got != *w {
                return Err(format!("trace {n}: DATA_OUT[{i}] 0x{got:08x}, expected 0x{w:08x} (plaintext {pt:02x?})"));
            }
        }
    }
    let trace_seconds = traces_started.elapsed().as_secs_f64();
    let err = rig.read(ERR_INFO.offset);
    if err != 0 {
        return Err(format!("{}: ERR_INFO 0x{err:08x} after the traces (a refused access)", cfg.model));
    }
    let (max_abs_t, max_cycle) = tt.max_abs_t();
    let mut by_flop: Vec<(String, f64, usize)> = flop_tt
        .iter()
        .zip(probe.names())
        .map(|(t, name)| {
            let (m, c) = t.max_abs_t();
            (name.clone(), m, c)
        })
        .collect();
    by_flop.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(TvlaReport {
        traces: cfg.traces,
        per_group: tt.traces(),
        samples: tt.points(),
        flops: probe.flops(),
        bits: probe.bits(),
        t: tt.t(),
        max_abs_t,
        max_cycle,
        leaky_points: tt.points_above(TVLA_THRESHOLD),
        mean_toggles: [0, 1].map(|g| (0..tt.points()).map(|i| [tt.stats(i).0, tt.stats(i).1][g].mean()).collect()),
        by_flop,
        seconds: started.elapsed().as_secs_f64(),
        trace_seconds,
        edges: rig.edges(),
    })
}

/// What a TVLA case asserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// max |t| > 4.5: the test sees the unmasked core leak (so it can fail).
    Leakage,
    /// max |t| <= 4.5: a masked core, or the random-vs-random control.
    NoLeakage,
}

/// A regression case's body: runs `cfg` with the run's seeded RNG, records the figures
/// (`max_abs_t`, `max_abs_t_cycle`, `leaky_points`, `traces`, `samples`, `seconds`), and fails
/// unless the outcome is `expect`; returns the report when it passes. The masked core's case is
/// one more call (its own model, top, flop set and, if it needs them, hooks):
///
/// ```ignore
/// let keep = |name: &str| /* every flop but the masked core's I/O registers */;
/// let cfg = AesTvla { model: "pluton_aes_masked_fi", top: "pluton_aes_masked", keep: &keep,
///                     ..AesTvla::unmasked(ctx.scale(10_000), Groups::FixedVsRandom) };
/// let report = tvla_case(&ctx, &cfg, Expect::NoLeakage)?;
/// ```
pub fn tvla_case(ctx: &Ctx, cfg: &AesTvla, expect: Expect) -> Result<TvlaReport, String> {
    let r = aes_tvla(cfg, &mut *ctx.tb.rng())?;
    ctx.count(r.traces as u64);
    ctx.add_cycles(r.edges);
    ctx.metric("max_abs_t", (r.max_abs_t * 100.0).round() / 100.0);
    ctx.metric("max_abs_t_cycle", r.max_cycle as f64);
    ctx.metric("leaky_points", r.leaky_points as f64);
    ctx.metric("traces", r.traces as f64);
    ctx.metric("samples", r.samples as f64);
    ctx.metric("seconds", (r.seconds * 100.0).round() / 100.0);
    println!("TVLA {} ({:?}, seed {}): {}", cfg.model, cfg.groups, ctx.tb.seed(), r.summary());
    match (expect, r.leaks()) {
        (Expect::Leakage, false) => Err(format!(
            "{}: no leakage found (max |t| {:.2} <= {TVLA_THRESHOLD}), yet this core is expected to leak: the test cannot detect it. {}",
            cfg.model,
            r.max_abs_t,
            r.summary()
        )),
        (Expect::NoLeakage, true) => Err(format!(
            "{} {:?}: max |t| {:.2} > {TVLA_THRESHOLD} at cycle {} ({} points). {}",
            cfg.model,
            cfg.groups,
            r.max_abs_t,
            r.max_cycle,
            r.leaky_points,
            r.summary()
        )),
        _ => Ok(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn two_pass(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        (m, x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0))
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn welch_t_on_small_known_data() {
        // a: mean 3, variance 2.5; b: mean 6, variance 10. t = -3 / sqrt(2.5/5 + 10/5) = -3 / sqrt(2.5).
        let mut t = TTest::new(1);
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            t.add(0, &[x]);
        }
        for x in [2.0, 4.0, 6.0, 8.0, 10.0] {
            t.add(1, &[x]);
        }
        let (a, b) = t.stats(0);
        assert_eq!((a.mean(), a.variance(), b.mean(), b.variance()), (3.0, 2.5, 6.0, 10.0));
        let want = -3.0 / 2.5f64.sqrt();
        assert!(close(t.t()[0], want, 1e-12), "{} vs {want}", t.t()[0]);
        assert_eq!(t.max_abs_t(), (-want, 0));
        assert_eq!(t.traces(), [5, 5]);
    }

    #[test]
    fn constant_offset_gives_the_closed_form() {
        // b = a + d point by point, a Gaussian-ish sequence (sum of 12 uniforms): equal variances
        // s^2, so t = -d / sqrt(2 s^2 / n), with s^2 from a two-pass computation.
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let n = 2_000;
        let a: Vec<f64> = (0..n).map(|_| (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0).collect();
        let (_, s2) = two_pass(&a);
        let mut t = TTest::new(3);
        // Point 0: offset 0.3; point 1: offset 0; point 2: offset 0.3 on a large base.
        for &x in &a {
            t.add(0, &[x, x, 1e6 + x]);
        }
        for &x in &a {
            t.add(1, &[x + 0.3, x, 1e6 + x + 0.3]);
        }
        let want = -0.3 / (2.0 * s2 / n as f64).sqrt();
        let got = t.t();
        assert!(close(got[0], want, 1e-9), "{} vs {want}", got[0]);
        assert!(got[1].abs() < 1e-12);
        assert!(close(got[2], want, 1e-6), "{} vs {want} with a large mean", got[2]);
        assert!(want < -4.5, "{want}");
        assert_eq!(t.points_above(4.5), 2);
    }

    #[test]
    fn same_distribution_gives_small_t() {
        // 10,000 traces of 50 points, both groups drawn alike (binomial toggle counts, as the
        // power model gives): |t| stays below 4.5 (fixed seed, so this is not a flaky test).
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut t = TTest::new(50);
        let mut tr = [0u32; 50];
        for _ in 0..10_000 {
            for x in tr.iter_mut() {
                *x = rng.gen::<u128>().count_ones();
            }
            t.add(usize::from(rng.gen::<bool>()), &tr);
        }
        let (m, _) = t.max_abs_t();
        assert!(m < 4.5, "max |t| {m}");
        assert_eq!(t.points_above(4.5), 0);
        assert_eq!(t.traces().iter().sum::<u64>(), 10_000);
    }

    #[test]
    fn a_small_shift_is_found_with_enough_traces() {
        // One point where group 0 is one bit higher on average (128 random bits): sd 5.66, so at
        // 5,000 per group t is about 1 / (5.66 * sqrt(2 / 5000)) = 8.8.
        let mut rng = rand::rngs::StdRng::seed_from_u64(2);
        let mut t = TTest::new(4);
        for _ in 0..10_000 {
            let g = usize::from(rng.gen::<bool>());
            let tr: [u32; 4] = std::array::from_fn(|i| rng.gen::<u128>().count_ones() + u32::from(i == 2 && g == 0));
            t.add(g, &tr);
        }
        let (m, at) = t.max_abs_t();
        assert_eq!(at, 2);
        assert!(m > 6.0 && m < 12.0, "max |t| {m}");
        assert_eq!(t.points_above(4.5), 1);
    }

    #[test]
    fn constant_groups() {
        let mut t = TTest::new(2);
        for _ in 0..3 {
            t.add(0, &[5u32, 5]);
            t.add(1, &[5u32, 6]);
        }
        assert_eq!(t.t(), vec![0.0, f64::NEG_INFINITY]);
        // One trace per group: no variance, no t.
        let mut one = TTest::new(1);
        one.add(0, &[1u32]);
        one.add(1, &[2u32]);
        assert_eq!(one.t(), vec![0.0]);
    }

    #[test]
    fn welford_matches_two_pass() {
        let x: Vec<f64> = (0..1000).map(|i| 1e9 + ((i * 7919) % 101) as f64).collect();
        let mut w = Welford::default();
        x.iter().for_each(|&v| w.push(v));
        let (m, v) = two_pass(&x);
        assert!(close(w.mean(), m, 1e-15) && close(w.variance(), v, 1e-9), "{} {} vs {m} {v}", w.mean(), w.variance());
    }

    #[test]
    fn hamming_counts_valid_bits_only() {
        assert_eq!(hamming(&[0, 0], &[0xffff_ffff, 0x1f], &[u32::MAX, 0x1f]), 37);
        assert_eq!(hamming(&[0xff], &[0x00], &[0x0f]), 4);
    }

    #[test]
    fn the_io_flops_are_excluded_by_path() {
        for n in ["pluton_aes.in_buf.q", "pluton_aes.out_q.q", "pluton_aes.blk.q", "pluton_aes_masked.blk.q", "pluton_aes.aes.res__0.q",
                  "pluton_aes.aes.res__15.q", "pluton_aes.front.guard.d_q"] {
            assert!(!aes_unmasked_keep(n), "{n}");
        }
        for n in ["pluton_aes.blk_n.q", "pluton_aes.aes.st__0.q", "pluton_aes.in_mask.q", "pluton_aes.front.guard.a_q", "pluton_aes.res_err.q",
                  "pluton_aes.aes.res__x.q"] {
            assert!(aes_unmasked_keep(n), "{n}");
        }
    }
}
