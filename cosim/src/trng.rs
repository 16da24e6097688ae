//! Cycle-accurate, port-level reference model of the true random number generator (`pluton_trng`), written from its README.
//!
//! The model follows `rust-hdl-src/src/trng/README.md` (the contract) and the register map in
//! `pluton_regs::trng::regs`. It never looks at the RTL. The health tests are the SP 800-90B
//! reference of `crate::sp800_90b` (`Rct`, `Apt`); the conditioner's hashes come from `ring`
//! over the bits it collected. Only the *timing* of the conditioner's SHA-256 core is modelled
//! (which edge starts a block, when the core is free, when a digest is stored), not its rounds.
//!
//! How it is built (as the other block models):
//! - `poke` only stores input values (and applies the asynchronous reset).
//! - `peek`: the APB outputs are combinational from the state and the request (the checks run in
//!   the access cycle, `pready` is always 1); every other output is state alone.
//! - `step` is one rising edge: everything is decided from the state before the edge, then
//!   applied. The edge counter `edge` numbers the edges, so the schedule reads as the README's
//!   "edge X + 65".
//!
//! Order of what happens at one edge (all decided from the state before it):
//! 1. the conditioner stores a digest whose edge it is;
//! 2. the DRBG takes the seed (`seed_valid` and `seed_ready`): SEEDS + 1, seed zeroed;
//! 3. the APB transfer completing at this edge (or its error in ERR_INFO);
//! 4. the sample (`noise_valid`, state STARTUP or RUN, no accepted CTRL/CMD write, no `esc`):
//!    both tests, then the startup count, RAW_DATA or the conditioner;
//! 5. escalation, which wins over everything at its edge.
//!
//! Where the README leaves a choice, the model takes this one (the list to reconcile with the RTL):
//! - **Core busy windows.** A data block started at edge X (its 512th bit) keeps the core busy
//!   through edge X + 65: the conditioner is closed in the cycles before edges X + 1 .. X + 65.
//!   The second data block and the padding block run back to back (X .. X + 65, X + 66 ..
//!   X + 131); the digest is stored at X + 132 and the next hash's first bit is taken at X + 133
//!   at the earliest (after hash A). After hash B the core hashes a zero block over digest B from
//!   X + 133 (README), busy through X + 198, so the next hash's first bit is taken at X + 199 at
//!   the earliest, and not before T + 1 after the edge T that takes the seed.
//!   Hash B's digest edge never meets a take (no bit is taken while a seed waits).
//! - **Seed rate.** Followed edge by edge, one raw bit per cycle and `seed_ready` high give one
//!   seed every 2,508 edges (hash A: 1,024 + 65 + 132 = 1,221 edges from its first bit to hash B's
//!   first bit; hash B: the same, plus the zero block's 66 and the edge that takes the seed).
//! - **Wipe of the core.** At every wipe edge W (leaving STARTUP, RUN or HALT) the block in the
//!   core, if any, is dropped at W, and the core hashes one all-zero block from the IV starting at
//!   the next edge, W + 1, so it is busy through W + 1 + 65 = W + 66: the conditioner is closed in
//!   the cycles before edges W + 1 .. W + 66 and open before W + 67 at the earliest. This happens
//!   at every wipe, even if the core was idle (its chaining value may still hold hash A's state).
//!   It cannot show at the ports: RUN is at least 1,024 samples after any wipe. Reset leaves the
//!   core idle (no zero block).
//! - **Escalation** (`esc` at an edge, not yet DEAD): DEAD, state OFF, and the wipe if the state
//!   was not OFF (in OFF everything the wipe zeroes is already zero; then only DEAD changes).
//!   Alarms, statistics, RAW_OVF, CTRL.RAW_MODE and ERR_INFO are kept (they are not secrets; as
//!   with a disable). The transfer completing at the `esc` edge takes effect first (a RAW_DATA
//!   read returns its word; an accepted CTRL or CMD write is applied and then overridden); the
//!   sample at that edge is dropped untested; a seed take at that edge counts. Once DEAD, `esc`
//!   does nothing more.
//! - **raw_en** gates only the two checks the README lists (CTRL.RAW_MODE = 1, RAW_DATA read). If
//!   it falls while RAW_MODE = 1 and the block runs, good bits still go to RAW_DATA (unreadable
//!   until it rises again; RAW_OVF may set); they never reach the conditioner.
//! - A **disable** with RAW_MODE = 1 in the value (CTRL = 2) while `raw_en` = 0 is refused with
//!   ERR_LC, as the table's order says; CTRL = 0 disables.
//! - **Enabling into HALT** (an alarm latched) also zeroes the statistics and RAW_OVF: it leaves
//!   OFF. The tests restart then too (no sample is taken in HALT anyway).
//! - **CLEAR_ALARM** while STARTUP, RUN or HALT always restarts (startup count and both tests start
//!   over) and wipes; statistics and RAW_OVF are kept. While OFF it only clears the alarms.
//! - **Statistics** count the failing sample: after an RCT alarm RCT_MAX_RUN = 41, after an APT
//!   alarm APT_MAX_COUNT = 793, and SAMPLES includes it. APT_MAX_COUNT counts the window's first
//!   sample (1 after the first sample). SAMPLES saturates, SEEDS wraps (regs.rs).
//! - **STATUS**: ENABLED = state not OFF (HALT included), STARTUP = state STARTUP, READY = state
//!   RUN, ERR = ERR_INFO not 0.
//! - A **refused** CTRL or CMD write does not stop the sample at its edge; only an accepted one
//!   does. Other accepted transfers (reads, ERR_INFO, RAW_DATA) never stop a sample.
//! - **RAW_DATA** is zeroed when a read takes it (not visible: a read of an empty RAW_DATA is
//!   refused with PRDATA = 0).
//! - ERR_INFO: any write that passes the common checks clears it (a partial strobe is ERR_STRB and
//!   is logged, so it does not clear).
//! - While `rst_n` is low the bus outputs are idle (`pready` = 1, `prdata` = `pslverr` = 0) and
//!   every other output is 0. `alert_fatal` is always 0: a model has no integrity faults.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
use crate::sp800_90b::{Apt, Rct};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::trng::regs::{self, MAP};

/// Bits in one SHA-256 block: the conditioner dispatches a data block at every 512th bit.
const BLOCK_BITS: usize = 512;
/// Good bits per hash (two data blocks).
const HASH_BITS: usize = regs::COND_BITS as usize;
/// A block started at edge X is added into the chaining value at edge X + 65 (the core's busy
/// window is X .. X + 65, 66 edges).
const BLOCK_EDGES: u64 = 65;
/// After the second data block (started at X): the padding block starts at X + 66, ends at
/// X + 131, and the digest is stored at X + 132.
const PAD_DONE: u64 = 2 * BLOCK_EDGES + 1;
const DIGEST_STORE: u64 = PAD_DONE + 1;

// Port ids, in declaration order (the order of `ports()`).
const CLOCK: usize = 0;
const RST_N: usize = 1;
const PSEL: usize = 2;
const PENABLE: usize = 3;
const PWRITE: usize = 4;
const PADDR: usize = 5;
const PWDATA: usize = 6;
const PSTRB: usize = 7;
const PMASTER: usize = 8;
const PRDATA: usize = 9;
const PREADY: usize = 10;
const PSLVERR: usize = 11;
const NOISE_BIT: usize = 12;
const NOISE_VALID: usize = 13;
const RAW_EN: usize = 14;
const ESC: usize = 15;
const SEED_READY: usize = 16;
const SEED: usize = 17;
const SEED_VALID: usize = 18;
const INTR_ALARM: usize = 19;
const ALERT_RECOV: usize = 20;
const ALERT_FATAL: usize = 21;

/// (name, direction, width) of every port: the README's table, in its order.
const PORTS: [(&str, Dir, u32); 22] = [
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 12),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("noise_bit", Dir::In, 1),
    ("noise_valid", Dir::In, 1),
    ("raw_en", Dir::In, 1),
    ("esc", Dir::In, 1),
    ("seed_ready", Dir::In, 1),
    ("seed", Dir::Out, regs::SEED_BITS),
    ("seed_valid", Dir::Out, 1),
    ("intr_alarm", Dir::Out, 1),
    ("alert_recov", Dir::Out, 1),
    ("alert_fatal", Dir::Out, 1),
];

/// The control state (README "States").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Off,
    Startup,
    Run,
    Halt,
}

/// The seed as a 48-byte big-endian string: byte 0 is `seed[383:376]`.
type SeedBytes = [u8; (regs::SEED_BITS / 8) as usize];

/// The conditioner: the good bits of the hash in progress, the SHA-256 core's timing, the seed.
#[derive(Clone, Debug)]
struct Conditioner {
    /// Good bits taken for the hash in progress, first one first (at most 1,024).
    bits: Vec<bool>,
    /// The hash in progress is hash B (digest A is stored).
    second: bool,
    /// Digest A, stored at its digest edge; it becomes `seed[383:128]`.
    digest_a: [u8; 32],
    /// The last edge at which the core still works: it is idle in the cycle before edge E
    /// exactly when E > `busy_through`.
    busy_through: u64,
    /// The edge that stores the digest of the hash whose 1,024 bits are all in.
    digest_at: Option<u64>,
    /// Zero unless `seed_valid`.
    seed: SeedBytes,
    seed_valid: bool,
}

impl Conditioner {
    fn new() -> Self {
        Conditioner { bits: Vec::with_capacity(HASH_BITS), second: false, digest_a: [0; 32], busy_through: 0, digest_at: None, seed: [0; 48], seed_valid: false }
    }

    /// Take a good bit at edge `now`. The 512th and 1,024th bits start a block in the core at
    /// that same edge.
    fn take(&mut self, bit: bool, now: u64) {
        self.bits.push(bit);
        if self.bits.len() == BLOCK_BITS {
            self.busy_through = now + BLOCK_EDGES;
        } else if self.bits.len() == HASH_BITS {
            // Second data block, then the padding block right after it, then the digest.
            self.busy_through = now + PAD_DONE;
            self.digest_at = Some(now + DIGEST_STORE);
        }
    }

    /// At the digest's edge: hash A's digest is kept, hash B's completes the seed.
    fn store_digest_if_due(&mut self, now: u64) {
        if self.digest_at != Some(now) {
            return;
        }
        let digest = sha256_of_bits(&self.bits);
        if !self.second {
            self.digest_a = digest;
            self.second = true;
        } else {
            self.seed[..32].copy_from_slice(&self.digest_a);
            self.seed[32..].copy_from_slice(&digest[..16]);
            self.seed_valid = true;
            self.digest_a = [0; 32];
            self.second = false;
            // The core then hashes a zero block over digest B, as after a wipe (README).
            self.busy_through = now + 1 + BLOCK_EDGES;
        }
        self.bits.clear();
        self.digest_at = None;
    }

    /// The wipe at edge `now`: everything zeroed, the core's block dropped; the core hashes a
    /// zero block from the next edge on, so it stays busy through `now` + 1 + 65.
    fn wipe(&mut self, now: u64) {
        *self = Conditioner::new();
        self.busy_through = now + 1 + BLOCK_EDGES;
    }
}

/// SHA-256 of a bit string whose length is a multiple of 8, packed the way SHA-256 reads a
/// message: the first bit is the most significant bit of the first byte.
fn sha256_of_bits(bits: &[bool]) -> [u8; 32] {
    let bytes: Vec<u8> = bits.chunks(8).map(|b| b.iter().fold(0u8, |acc, &x| acc << 1 | x as u8)).collect();
    ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref().try_into().unwrap()
}

/// RAW_DATA and its assembly (README "RAW_DATA").
#[derive(Clone, Copy, Debug, Default)]
struct RawData {
    /// The word software reads; valid while `valid` (STATUS.RAW_VALID).
    word: u32,
    valid: bool,
    /// Bits assembled so far, the first in bit 0, and how many.
    assembly: u32,
    assembled: u32,
}

/// What a transfer that passed every check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Read(u32),
    /// A RAW_DATA read: returns the word and empties RAW_DATA at its edge.
    PopRaw(u32),
    ClearErr,
    Ctrl(u32),
    ClearAlarm,
}

/// Port-level model of `pluton_trng`.
pub struct TrngModel {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,
    guard: ApbGuardModel,
    err_info: u32,
    /// Rising edges so far (the schedule's edge numbers; never reset).
    edge: u64,
    state: State,
    /// STATUS.DEAD: escalation has wiped the block; CTRL and CMD are refused until reset.
    dead: bool,
    /// CTRL.RAW_MODE as last written.
    raw_mode: bool,
    alarm_rct: bool,
    alarm_apt: bool,
    rct: Rct,
    apt: Apt,
    /// Samples of the startup window taken so far.
    startup_seen: u32,
    rct_max_run: u32,
    apt_max_count: u32,
    samples: u32,
    seeds: u32,
    raw: RawData,
    raw_ovf: bool,
    cond: Conditioner,
    /// `alert_recov`: a health test failed at the last edge.
    alert_recov: bool,
}

impl Default for TrngModel {
    fn default() -> Self {
        Self::new()
    }
}

/// Fresh health tests (a restart: the next sample is the first of a run and of a window).
fn fresh_tests() -> (Rct, Apt) {
    (Rct::new(regs::RCT_CUTOFF_VALUE), Apt::new(regs::APT_WINDOW, regs::APT_CUTOFF_VALUE))
}

impl TrngModel {
    /// A model with all inputs low, hence held in reset until `rst_n` is driven high.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let (rct, apt) = fresh_tests();
        let mut m = TrngModel {
            ports,
            inputs,
            guard: ApbGuardModel::default(),
            err_info: 0,
            edge: 0,
            state: State::Off,
            dead: false,
            raw_mode: false,
            alarm_rct: false,
            alarm_apt: false,
            rct,
            apt,
            startup_seen: 0,
            rct_max_run: 0,
            apt_max_count: 0,
            samples: 0,
            seeds: 0,
            raw: RawData::default(),
            raw_ovf: false,
            cond: Conditioner::new(),
            alert_recov: false,
        };
        m.reset();
        m
    }

    /// The control state (for benches and reports).
    pub fn state(&self) -> State {
        self.state
    }

    /// Reset: every register to its reset value, OFF, not DEAD, the core idle.
    fn reset(&mut self) {
        self.guard.reset();
        self.err_info = regs::ERR_INFO.reset;
        self.state = State::Off;
        self.dead = false;
        self.raw_mode = false;
        self.alarm_rct = false;
        self.alarm_apt = false;
        self.restart_tests();
        self.zero_statistics();
        self.raw = RawData::default();
        self.cond = Conditioner::new();
        self.alert_recov = false;
    }

    fn restart_tests(&mut self) {
        (self.rct, self.apt) = fresh_tests();
        self.startup_seen = 0;
    }

    /// What an enable zeroes besides restarting the tests.
    fn zero_statistics(&mut self) {
        self.rct_max_run = 0;
        self.apt_max_count = 0;
        self.samples = 0;
        self.seeds = 0;
        self.raw_ovf = false;
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn in_reset(&self) -> bool {
        self.input(RST_N) == 0
    }
    fn access_phase(&self) -> bool {
        !self.in_reset() && self.input(PSEL) == 1 && self.input(PENABLE) == 1
    }
    fn request(&self) -> ApbRequest {
        ApbRequest { paddr: self.input(PADDR), pwrite: self.input(PWRITE) == 1, pwdata: self.input(PWDATA), pstrb: self.input(PSTRB), pmaster: self.input(PMASTER) }
    }
    fn enabled(&self) -> bool {
        self.state != State::Off
    }

    fn status(&self) -> u32 {
        regs::STATUS_ENABLED.put(self.enabled() as u32)
            | regs::STATUS_STARTUP.put((self.state == State::Startup) as u32)
            | regs::STATUS_READY.put((self.state == State::Run) as u32)
            | regs::STATUS_ALARM_RCT.put(self.alarm_rct as u32)
            | regs::STATUS_ALARM_APT.put(self.alarm_apt as u32)
            | regs::STATUS_RAW_VALID.put(self.raw.valid as u32)
            | regs::STATUS_RAW_OVF.put(self.raw_ovf as u32)
            | regs::STATUS_SEED_VALID.put(self.cond.seed_valid as u32)
            | regs::STATUS_ERR.put((self.err_info != 0) as u32)
            | regs::STATUS_DEAD.put(self.dead as u32)
    }

    /// The outcome of the transfer in the current access cycle (it completes at the coming
    /// edge: the block never waits), or `None` outside an access cycle.
    fn bus_outcome(&self) -> Option<Result<Action, u32>> {
        if !self.access_phase() {
            return None;
        }
        let req = self.request();
        // The APB protocol first: nothing else about a malformed transfer is judged.
        if self.guard.violation(true, true, &req) {
            return Some(Err(regs::ERR_PROTOCOL));
        }
        Some(self.check(&req))
    }

    /// The common checks (unmapped, master, read-only/write-only, strobes), then the README's
    /// table, first that applies wins; all on the state before the edge.
    fn check(&self, req: &ApbRequest) -> Result<Action, u32> {
        let (reg, _) = MAP.decode(req.paddr).ok_or(regs::ERR_UNMAPPED)?;
        if !regs::allowed(reg, req.pmaster, req.pwrite) {
            return Err(regs::ERR_MASTER);
        }
        if !req.pwrite && !reg.access.readable() {
            return Err(regs::ERR_READ_WO);
        }
        if req.pwrite && !reg.access.writable() {
            return Err(regs::ERR_WRITE_RO);
        }
        if req.pwrite && req.pstrb != 0b1111 {
            return Err(regs::ERR_STRB);
        }
        if req.pwrite {
            self.check_write(reg, req.pwdata)
        } else {
            self.check_read(reg)
        }
    }

    fn check_read(&self, reg: &Register) -> Result<Action, u32> {
        let value = match reg.offset {
            o if o == regs::RAW_DATA.offset => {
                return if self.input(RAW_EN) == 0 {
                    Err(regs::ERR_LC)
                } else if !self.raw.valid {
                    Err(regs::ERR_EMPTY)
                } else {
                    Ok(Action::PopRaw(self.raw.word))
                };
            }
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == regs::ERR_INFO.offset => self.err_info,
            o if o == regs::STATUS.offset => self.status(),
            o if o == regs::CTRL.offset => regs::CTRL_ENABLE.put(self.enabled() as u32) | regs::CTRL_RAW_MODE.put(self.raw_mode as u32),
            // The cutoffs are constants: their reset values.
            o if o == regs::RCT_CUTOFF.offset => regs::RCT_CUTOFF.reset,
            o if o == regs::APT_CUTOFF.offset => regs::APT_CUTOFF.reset,
            o if o == regs::RCT_MAX_RUN.offset => self.rct_max_run,
            o if o == regs::APT_MAX_COUNT.offset => self.apt_max_count,
            o if o == regs::SAMPLES.offset => self.samples,
            o if o == regs::SEEDS.offset => self.seeds,
            _ => unreachable!("register {} is not readable", reg.name),
        };
        Ok(Action::Read(value))
    }

    fn check_write(&self, reg: &Register, v: u32) -> Result<Action, u32> {
        match reg.offset {
            o if o == regs::ERR_INFO.offset => Ok(Action::ClearErr),
            o if o == regs::CTRL.offset => {
                let defined = regs::CTRL_ENABLE.mask() | regs::CTRL_RAW_MODE.mask();
                if v & !defined != 0 {
                    Err(regs::ERR_VALUE)
                } else if self.dead {
                    Err(regs::ERR_FATAL)
                } else if self.enabled() && regs::CTRL_ENABLE.get(v) == 1 {
                    Err(regs::ERR_BUSY)
                } else if regs::CTRL_RAW_MODE.get(v) == 1 && self.input(RAW_EN) == 0 {
                    Err(regs::ERR_LC)
                } else {
                    Ok(Action::Ctrl(v))
                }
            }
            o if o == regs::CMD.offset => {
                if v != regs::CMD_CLEAR_ALARM.put(1) {
                    Err(regs::ERR_VALUE)
                } else if self.dead {
                    Err(regs::ERR_FATAL)
                } else {
                    Ok(Action::ClearAlarm)
                }
            }
            _ => unreachable!("register {} is not writable", reg.name),
        }
    }

    /// ERR_INFO: the first refusal since the last clear; later ones only set OVERFLOW.
    fn log_error(&mut self, code: u32, req: &ApbRequest) {
        if self.err_info == 0 {
            self.err_info = regs::ERR_INFO_CODE.put(code)
                | regs::ERR_INFO_MASTER.put(req.pmaster)
                | regs::ERR_INFO_WRITE.put(req.pwrite as u32)
                | regs::ERR_INFO_ADDR.put(req.paddr);
        } else {
            self.err_info |= regs::ERR_INFO_OVERFLOW.put(1);
        }
    }

    /// Is the conditioner open in the cycle before edge `now` (README "Schedule")?
    fn conditioner_open(&self, now: u64) -> bool {
        self.state == State::Run
            && !self.raw_mode
            && !self.cond.seed_valid
            && now > self.cond.busy_through
            && self.cond.bits.len() < HASH_BITS
    }

    /// An edge that leaves STARTUP, RUN or HALT: go to `to`, wipe the conditioner, the seed and
    /// RAW_DATA; entering STARTUP restarts the tests.
    fn leave_for(&mut self, to: State, now: u64) {
        self.state = to;
        self.cond.wipe(now);
        self.raw = RawData::default();
        if to == State::Startup {
            self.restart_tests();
        }
    }

    /// An accepted CTRL write (the checks guarantee ENABLE = 0 when the block is enabled).
    fn write_ctrl(&mut self, v: u32, now: u64) {
        self.raw_mode = regs::CTRL_RAW_MODE.get(v) == 1;
        let enable = regs::CTRL_ENABLE.get(v) == 1;
        match (self.state, enable) {
            (State::Off, true) => {
                self.zero_statistics();
                self.restart_tests();
                self.state = if self.alarm_rct || self.alarm_apt { State::Halt } else { State::Startup };
            }
            (State::Off, false) => {}
            (_, false) => self.leave_for(State::Off, now),
            (_, true) => unreachable!("ERR_BUSY refuses ENABLE = 1 while enabled"),
        }
    }

    /// An accepted CMD.CLEAR_ALARM.
    fn clear_alarm(&mut self, now: u64) {
        self.alarm_rct = false;
        self.alarm_apt = false;
        if self.enabled() {
            self.leave_for(State::Startup, now);
        }
    }

    /// One sample through both tests, then where it goes. Returns whether a test failed.
    fn sample(&mut self, bit: bool, open: bool, now: u64) -> bool {
        let rct_fail = self.rct.sample(bit as u8);
        let apt_fail = self.apt.sample(bit as u8);
        self.samples = self.samples.saturating_add(1);
        self.rct_max_run = self.rct_max_run.max(self.rct.run());
        self.apt_max_count = self.apt_max_count.max(self.apt.count());
        if rct_fail || apt_fail {
            // The failing sample goes nowhere.
            self.alarm_rct |= rct_fail;
            self.alarm_apt |= apt_fail;
            self.leave_for(State::Halt, now);
            return true;
        }
        match self.state {
            State::Startup => {
                // The startup window is tested and discarded; its last sample makes RUN.
                self.startup_seen += 1;
                if self.startup_seen == regs::APT_WINDOW {
                    self.state = State::Run;
                }
            }
            State::Run if self.raw_mode => self.raw_bit(bit),
            State::Run if open => self.cond.take(bit, now),
            // The conditioner is closed: the (tested) bit is dropped.
            State::Run => {}
            State::Off | State::Halt => unreachable!("no sample in {:?}", self.state),
        }
        false
    }

    /// A good bit in RAW_MODE: assembled LSB first; a full word goes to RAW_DATA if it is empty
    /// (a read at this edge has already emptied it), else it is lost.
    fn raw_bit(&mut self, bit: bool) {
        self.raw.assembly |= (bit as u32) << self.raw.assembled;
        self.raw.assembled += 1;
        if self.raw.assembled == 32 {
            if self.raw.valid {
                self.raw_ovf = true;
            } else {
                self.raw.word = self.raw.assembly;
                self.raw.valid = true;
            }
            self.raw.assembly = 0;
            self.raw.assembled = 0;
        }
    }

    /// Rising edge `now` with `rst_n` high; every decision uses the state before it.
    fn rising_edge(&mut self, now: u64) {
        let req = self.request();
        let outcome = self.bus_outcome();
        let esc = self.input(ESC) == 1;
        let control_write = matches!(outcome, Some(Ok(Action::Ctrl(_) | Action::ClearAlarm)));
        let sampling = matches!(self.state, State::Startup | State::Run);
        let sample = (self.input(NOISE_VALID) == 1 && sampling && !control_write && !esc).then(|| self.input(NOISE_BIT) == 1);
        let open = self.conditioner_open(now);
        let take = self.cond.seed_valid && self.input(SEED_READY) == 1;

        // 1. The conditioner's own schedule.
        self.cond.store_digest_if_due(now);
        // 2. The DRBG takes the seed.
        if take {
            self.seeds = self.seeds.wrapping_add(1);
            self.cond.seed = [0; 48];
            self.cond.seed_valid = false;
        }
        // 3. The transfer completing at this edge.
        match outcome {
            Some(Ok(Action::Read(_))) | None => {}
            Some(Ok(Action::PopRaw(_))) => {
                self.raw.valid = false;
                self.raw.word = 0;
            }
            Some(Ok(Action::ClearErr)) => self.err_info = 0,
            Some(Ok(Action::Ctrl(v))) => self.write_ctrl(v, now),
            Some(Ok(Action::ClearAlarm)) => self.clear_alarm(now),
            Some(Err(code)) => self.log_error(code, &req),
        }
        // 4. The sample.
        self.alert_recov = match sample {
            Some(bit) => self.sample(bit, open, now),
            None => false,
        };
        // 5. Escalation wins over everything at its edge.
        if esc && !self.dead {
            self.dead = true;
            if self.enabled() {
                self.leave_for(State::Off, now);
            }
        }
    }
}

impl Dut for TrngModel {
    fn name(&self) -> &str {
        MAP.module
    }

    fn ports(&self) -> &[Port] {
        &self.ports
    }

    fn poke(&mut self, port: usize, value: &[u32]) {
        let p = &self.ports[port];
        assert_eq!(p.dir, Dir::In, "poke of output port {}", p.name);
        if port == CLOCK {
            return; // the clock is driven by step()
        }
        let width = p.width;
        crate::ports::store_masked(&mut self.inputs[port], width, value);
        // Asynchronous reset: takes effect as soon as rst_n is low.
        if self.in_reset() {
            self.reset();
        }
    }

    fn peek(&mut self, port: usize, value: &mut [u32]) {
        value.fill(0);
        let out = match port {
            // The block never waits.
            PREADY => 1,
            // Read data only in the cycle of an allowed read.
            PRDATA => match self.bus_outcome() {
                Some(Ok(Action::Read(v) | Action::PopRaw(v))) => v,
                _ => 0,
            },
            PSLVERR => matches!(self.bus_outcome(), Some(Err(_))) as u32,
            SEED => {
                // Word k holds seed[32k+31:32k]; seed byte 0 is seed[383:376].
                if self.cond.seed_valid {
                    let s = &self.cond.seed;
                    let n = s.len();
                    for (k, w) in value.iter_mut().enumerate().take(n / 4) {
                        *w = u32::from_be_bytes(s[n - 4 - 4 * k..n - 4 * k].try_into().unwrap());
                    }
                }
                return;
            }
            SEED_VALID => self.cond.seed_valid as u32,
            INTR_ALARM => (self.alarm_rct || self.alarm_apt) as u32,
            ALERT_RECOV => self.alert_recov as u32,
            // Integrity faults cannot happen in a model.
            ALERT_FATAL => 0,
            _ => {
                // Inputs read back as poked (the clock reads 0 between steps).
                let n = value.len().min(self.inputs[port].len());
                value[..n].copy_from_slice(&self.inputs[port][..n]);
                return;
            }
        };
        if let Some(v) = value.first_mut() {
            *v = out;
        }
    }

    fn step(&mut self) {
        let now = self.edge + 1;
        self.edge = now;
        if self.in_reset() {
            self.reset();
            return;
        }
        // The protocol check's next state, from the bus before the edge (pready is always 1).
        let req = self.request();
        let mut guard = self.guard;
        guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, true, &req);
        self.rising_edge(now);
        self.guard = guard;
    }
}

#[cfg(test)]
mod tests {
    //! Every expected value here comes from the README, the register map or an independent
    //! computation in the test (SHA-256 by `ring` over bits the test packs itself), never from
    //! the model's own state.

    use super::*;
    use crate::noise::{Fault, NoiseParams, NoiseSource};
    use crate::sp800_90b::{apt_cutoff, rct_cutoff};
    use crate::test_apb::{Apb, Done};
    use pluton_regs::trng::regs::*;

    /// A model out of reset and a bus master for it.
    fn setup() -> (TrngModel, Apb) {
        let mut m = TrngModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        (m, apb)
    }

    // The shared checked accesses of `crate::test_apb`, on this block's ERR_INFO.
    fn read(m: &mut TrngModel, apb: &mut Apb, reg: Register) -> u32 {
        apb.read_ok(m, &reg)
    }
    fn write(m: &mut TrngModel, apb: &mut Apb, reg: Register, v: u32) {
        apb.write_ok(m, &reg, v)
    }
    fn take_code(m: &mut TrngModel, apb: &mut Apb) -> u32 {
        apb.take_code(m, &ERR_INFO)
    }
    fn refused(m: &mut TrngModel, apb: &mut Apb, write: bool, addr: u32, data: u32, strb: u32, master: u32) -> u32 {
        apb.refused(m, &ERR_INFO, write, addr, data, strb, master)
    }

    /// A security-core write that must be refused: its code.
    fn refused_write(m: &mut TrngModel, apb: &mut Apb, reg: Register, v: u32) -> u32 {
        refused(m, apb, true, reg.offset, v, 0b1111, MASTER_SEC)
    }

    /// One raw bit, valid at exactly one edge.
    fn feed(m: &mut TrngModel, apb: &mut Apb, bit: bool) {
        m.poke_u32(NOISE_BIT, bit as u32);
        m.poke_u32(NOISE_VALID, 1);
        apb.step(m);
        m.poke_u32(NOISE_VALID, 0);
    }

    fn feed_all(m: &mut TrngModel, apb: &mut Apb, bits: impl IntoIterator<Item = bool>) {
        for b in bits {
            feed(m, apb, b);
        }
    }

    /// 0, 1, 0, 1, ...
    fn alternating(n: usize) -> Vec<bool> {
        (0..n).map(|i| i % 2 == 1).collect()
    }

    /// The 32 bits of `w`, bit 0 first.
    fn word_bits(w: u32) -> Vec<bool> {
        (0..32).map(|i| w >> i & 1 == 1).collect()
    }

    /// A security-core transfer whose access cycle (its completing edge, not its setup edge) also
    /// sees the inputs `pokes`; they go back to 0 after that edge.
    fn transfer_at_completion(m: &mut TrngModel, apb: &mut Apb, write: bool, addr: u32, data: u32, pokes: &[(usize, u32)]) -> Done {
        for (port, v) in [(PSEL, 1), (PENABLE, 0), (PWRITE, write as u32), (PADDR, addr), (PWDATA, data), (PSTRB, if write { 0xF } else { 0 }), (PMASTER, MASTER_SEC)] {
            m.poke_u32(port, v);
        }
        apb.step(m);
        m.poke_u32(PENABLE, 1);
        for &(port, v) in pokes {
            m.poke_u32(port, v);
        }
        assert_eq!(m.peek_u32(PREADY), 1);
        let done = Done { data: m.peek_u32(PRDATA), err: m.peek_u32(PSLVERR) == 1, waits: 0 };
        apb.step(m);
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        for &(port, _) in pokes {
            m.poke_u32(port, 0);
        }
        done
    }

    /// The seed port as 48 bytes, byte j = seed[383 - 8j : 376 - 8j].
    fn seed_port(m: &mut TrngModel) -> Vec<u8> {
        let mut w = [0u32; 12];
        m.peek(SEED, &mut w);
        (0..48).map(|j| (w[(376 - 8 * j) / 32] >> ((376 - 8 * j) % 32)) as u8).collect()
    }

    /// SHA-256 of a bit string, the first bit the most significant bit of the first byte.
    fn sha(bits: &[bool]) -> Vec<u8> {
        assert_eq!(bits.len(), 1024);
        let mut bytes = vec![0u8; 128];
        for (i, _) in bits.iter().enumerate().filter(|(_, b)| **b) {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
        ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref().to_vec()
    }

    /// The README's seed: digest A ‖ the first 16 bytes of digest B.
    fn expected_seed(a: &[bool], b: &[bool]) -> Vec<u8> {
        [&sha(a)[..], &sha(b)[..16]].concat()
    }

    /// A healthy source: P(1) = 0.5, independent bits.
    fn healthy(seed: u64) -> NoiseSource {
        println!("noise seed = {seed:#x}");
        NoiseSource::new(seed, NoiseParams { p_one: 0.5, autocorr: 0.0, fault: Fault::None, fault_at: 0 }).unwrap()
    }

    const ENABLED: u32 = STATUS_ENABLED.mask();
    const STARTUP: u32 = STATUS_STARTUP.mask();
    const READY: u32 = STATUS_READY.mask();
    const A_RCT: u32 = STATUS_ALARM_RCT.mask();
    const A_APT: u32 = STATUS_ALARM_APT.mask();
    const RAW_VALID: u32 = STATUS_RAW_VALID.mask();
    const RAW_OVF: u32 = STATUS_RAW_OVF.mask();
    const SEED_V: u32 = STATUS_SEED_VALID.mask();
    const DEAD: u32 = STATUS_DEAD.mask();

    /// From the start of startup with bits every cycle: the 1,024 startup samples, then good bits
    /// until the first seed is valid (README schedule: 2,442 good bits, the seed rising at the
    /// edge of good bit 2,441). Returns every bit fed.
    fn run_to_first_seed(m: &mut TrngModel, apb: &mut Apb, src: &mut NoiseSource) -> Vec<bool> {
        let bits: Vec<bool> = (0..1024 + 2442).map(|_| src.next_bit()).collect();
        feed_all(m, apb, bits.iter().copied());
        assert_eq!(m.peek_u32(SEED_VALID), 1);
        bits
    }

    #[test]
    fn cutoffs_are_sp800_90b_at_h_half_alpha_2_pow_minus_20() {
        assert_eq!(rct_cutoff(0.5, 20), Ok(RCT_CUTOFF_VALUE));
        assert_eq!(apt_cutoff(APT_WINDOW, 0.5, 20), Ok(APT_CUTOFF_VALUE));
        assert_eq!((RCT_CUTOFF_VALUE, APT_WINDOW, APT_CUTOFF_VALUE), (41, 1024, 793));
        let (mut m, mut apb) = setup();
        assert_eq!(read(&mut m, &mut apb, RCT_CUTOFF), 41);
        assert_eq!(read(&mut m, &mut apb, APT_CUTOFF), 793 | 1024 << 16);
    }

    #[test]
    fn ports_in_order() {
        let m = TrngModel::new();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "prdata", "pready", "pslverr", "noise_bit", "noise_valid", "raw_en", "esc", "seed_ready", "seed", "seed_valid", "intr_alarm", "alert_recov", "alert_fatal"]
        );
        let widths: Vec<u32> = m.ports().iter().map(|p| p.width).collect();
        assert_eq!(widths, [1, 1, 1, 1, 1, 12, 32, 4, 4, 32, 1, 1, 1, 1, 1, 1, 1, 384, 1, 1, 1, 1]);
        assert_eq!(m.name(), "pluton_trng");
    }

    #[test]
    fn id_for_every_master_and_reset_values() {
        let (mut m, mut apb) = setup();
        for master in 0..16 {
            let d = apb.transfer(&mut m, false, ID.offset, 0, 0, master);
            assert_eq!((d.data, d.err, d.waits), (0x5452_0100, false, 0), "master {master}");
        }
        for reg in [ERR_INFO, STATUS, CTRL, RCT_MAX_RUN, APT_MAX_COUNT, SAMPLES, SEEDS] {
            assert_eq!(read(&mut m, &mut apb, reg), 0, "{}", reg.name);
        }
        for port in [SEED_VALID, INTR_ALARM, ALERT_RECOV, ALERT_FATAL, PRDATA, PSLVERR] {
            assert_eq!(m.peek_u32(port), 0);
        }
        assert_eq!(m.peek_u32(PREADY), 1);
        assert_eq!(seed_port(&mut m), [0; 48]);
    }

    /// A stuck source (the noise model's stuck-at mode from sample 0) fails the RCT at its 41st
    /// sample, inside startup; alert_recov is 1 for the one cycle after that edge.
    #[test]
    fn stuck_source_trips_the_rct_at_sample_41() {
        for value in [true, false] {
            let (mut m, mut apb) = setup();
            let mut src = NoiseSource::new(1, NoiseParams { p_one: 0.5, autocorr: 0.0, fault: Fault::StuckAt(value), fault_at: 0 }).unwrap();
            write(&mut m, &mut apb, CTRL, 1);
            for _ in 0..40 {
                feed(&mut m, &mut apb, src.next_bit());
                assert_eq!((m.peek_u32(INTR_ALARM), m.peek_u32(ALERT_RECOV)), (0, 0));
            }
            assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
            assert_eq!(read(&mut m, &mut apb, SAMPLES), 40);
            feed(&mut m, &mut apb, src.next_bit());
            assert_eq!((m.peek_u32(INTR_ALARM), m.peek_u32(ALERT_RECOV)), (1, 1), "stuck at {value}");
            apb.step(&mut m);
            assert_eq!((m.peek_u32(INTR_ALARM), m.peek_u32(ALERT_RECOV)), (1, 0));
            assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_RCT, "HALT, RCT only");
            assert_eq!(read(&mut m, &mut apb, RCT_MAX_RUN), 41);
            assert_eq!(read(&mut m, &mut apb, APT_MAX_COUNT), 41);
            assert_eq!(read(&mut m, &mut apb, SAMPLES), 41);
            // HALT takes no sample.
            feed_all(&mut m, &mut apb, (0..10).map(|_| src.next_bit()));
            assert_eq!(read(&mut m, &mut apb, SAMPLES), 41);
            assert_eq!(m.peek_u32(ALERT_FATAL), 0);
        }
    }

    /// 0101...: every run is 1 long and the window's first value (0) occurs 512 times: both
    /// tests pass and RUN begins at the edge of the 1,024th sample.
    #[test]
    fn alternating_source_passes_startup_at_sample_1024() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        let bits = alternating(1024);
        feed_all(&mut m, &mut apb, bits[..1023].iter().copied());
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
        feed(&mut m, &mut apb, bits[1023]);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        assert_eq!(read(&mut m, &mut apb, RCT_MAX_RUN), 1);
        assert_eq!(read(&mut m, &mut apb, APT_MAX_COUNT), 512);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 1024);
        assert_eq!(m.peek_u32(INTR_ALARM), 0);
    }

    /// 11110 repeated: runs of 4 (the RCT passes); the window's first value 1 occurs 4 times in
    /// every 5 samples, so after 198 periods (990 samples) it counts 792 and the 991st sample (a 1)
    /// makes 793: the APT fails there.
    #[test]
    fn biased_source_trips_the_apt_at_sample_991() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        let bits: Vec<bool> = (0..991).map(|i| i % 5 != 4).collect();
        feed_all(&mut m, &mut apb, bits[..990].iter().copied());
        assert_eq!(m.peek_u32(INTR_ALARM), 0);
        assert_eq!(read(&mut m, &mut apb, APT_MAX_COUNT), 792);
        feed(&mut m, &mut apb, bits[990]);
        assert_eq!(m.peek_u32(ALERT_RECOV), 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_APT);
        assert_eq!(read(&mut m, &mut apb, APT_MAX_COUNT), 793);
        assert_eq!(read(&mut m, &mut apb, RCT_MAX_RUN), 4);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 991);
    }

    /// (40 ones, a zero) x 18, 32 ones, a zero, 41 ones: the last sample makes a run of 41 and
    /// the 793rd one (720 + 32 + 41): both alarms at sample 812.
    #[test]
    fn both_tests_fail_on_the_same_sample() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        let mut bits = Vec::new();
        for _ in 0..18 {
            bits.extend([true; 40]);
            bits.push(false);
        }
        bits.extend([true; 32]);
        bits.push(false);
        bits.extend([true; 41]);
        assert_eq!(bits.len(), 812);
        feed_all(&mut m, &mut apb, bits[..811].iter().copied());
        assert_eq!(m.peek_u32(INTR_ALARM), 0);
        feed(&mut m, &mut apb, bits[811]);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_RCT | A_APT);
        assert_eq!((read(&mut m, &mut apb, RCT_MAX_RUN), read(&mut m, &mut apb, APT_MAX_COUNT)), (41, 793));
    }

    /// Windows follow one another from the restart: the first RUN sample opens window 2, so 11110
    /// from there fails the APT at the 991st RUN sample.
    #[test]
    fn continuous_apt_windows_start_at_the_first_run_sample() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        feed_all(&mut m, &mut apb, alternating(1024));
        let bits: Vec<bool> = (0..991).map(|i| i % 5 != 4).collect();
        feed_all(&mut m, &mut apb, bits[..990].iter().copied());
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        feed(&mut m, &mut apb, bits[990]);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_APT);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 1024 + 991);
        // The last startup bit (1) and the first four RUN bits (1111) make one run of 5.
        assert_eq!(read(&mut m, &mut apb, RCT_MAX_RUN), 5);
    }

    /// One bit every 150 edges: the conditioner is always open when a bit comes (it closes for at
    /// most 132 edges), so the good bits taken are exactly the bits fed after startup, and the
    /// seed is SHA-256(bits 0..1024) ‖ SHA-256(bits 1024..2048)[..16] of them.
    #[test]
    fn first_seed_is_sha256_of_the_good_bits() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        let mut src = healthy(0x7e57_5eed);
        let bits: Vec<bool> = (0..1024 + 2048).map(|_| src.next_bit()).collect();
        for (i, &b) in bits.iter().enumerate() {
            feed(&mut m, &mut apb, b);
            if i + 1 < bits.len() {
                for _ in 0..149 {
                    apb.step(&mut m);
                    assert_eq!(m.peek_u32(SEED_VALID), 0);
                }
            }
        }
        // The last bit fed is hash B's 1,024th, taken at edge X: the seed comes at X + 132.
        for _ in 0..131 {
            apb.step(&mut m);
            assert_eq!((m.peek_u32(SEED_VALID), seed_port(&mut m)), (0, vec![0; 48]));
        }
        apb.step(&mut m);
        assert_eq!(m.peek_u32(SEED_VALID), 1);
        assert_eq!(seed_port(&mut m), expected_seed(&bits[1024..2048], &bits[2048..3072]));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY | SEED_V);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 3072);
        // The DRBG takes it: seed and seed_valid go to 0 at that edge; SEEDS counts it.
        m.poke_u32(SEED_READY, 1);
        apb.step(&mut m);
        m.poke_u32(SEED_READY, 0);
        assert_eq!((m.peek_u32(SEED_VALID), seed_port(&mut m)), (0, vec![0; 48]));
        assert_eq!(read(&mut m, &mut apb, SEEDS), 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
    }

    /// A new bit every cycle: which good bits the conditioner takes, edge by edge, from the
    /// README's schedule (g[k] is the good bit at the k-th edge of RUN):
    /// - hash A: g[0..512] (the 512th at X = 511); closed before X+1..X+65, so g[512..577] are
    ///   dropped; g[577..1089] (the 1,024th at X = 1088); padding; digest at 1088 + 132 = 1220;
    /// - hash B from X + 133 = 1221: g[1221..1733], dropped g[1733..1798], g[1798..2310];
    ///   digest at 2309 + 132 = 2441, seed_valid rises there.
    ///
    /// The seed waits (no bit taken) until the edge that takes it, 2741 here; the next hash
    /// starts at 2742, and the second seed (same offsets from 2742) rises at 2742 + 2441.
    #[test]
    fn conditioner_schedule_edge_by_edge() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        let mut src = healthy(0x5c4e_d01e);
        feed_all(&mut m, &mut apb, (0..1024).map(|_| src.next_bit()));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        let (take_at, last) = (2741, 2742 + 2442);
        let mut g = Vec::new();
        let mut valid_at = Vec::new();
        let mut seeds = Vec::new();
        for k in 0..=last {
            if k == take_at {
                m.poke_u32(SEED_READY, 1);
            }
            let b = src.next_bit();
            g.push(b);
            feed(&mut m, &mut apb, b);
            if m.peek_u32(SEED_VALID) == 1 {
                if valid_at.last() != Some(&(k - 1)) {
                    seeds.push(seed_port(&mut m));
                }
                valid_at.push(k);
            } else {
                assert_eq!(seed_port(&mut m), vec![0; 48], "seed port while not valid, k = {k}");
            }
        }
        m.poke_u32(SEED_READY, 0);
        let want_valid: Vec<usize> = (2441..take_at).chain([2742 + 2441]).collect();
        assert_eq!(valid_at, want_valid);
        let seed_from = |base: usize| {
            let a = [&g[base..base + 512], &g[base + 577..base + 1089]].concat();
            let b = [&g[base + 1221..base + 1733], &g[base + 1798..base + 2310]].concat();
            expected_seed(&a, &b)
        };
        assert_eq!(seeds, [seed_from(0), seed_from(2742)]);
        assert_eq!(read(&mut m, &mut apb, SEEDS), 2);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 1024 + last as u32 + 1);
    }

    /// RAW_MODE: good bits in 32-bit words, the first in bit 0; a read empties RAW_DATA; a word
    /// arriving at the edge of that read is stored; a word meeting a full RAW_DATA is lost
    /// (RAW_OVF). Disable wipes RAW_DATA and keeps RAW_OVF; enable clears RAW_OVF.
    #[test]
    fn raw_data_words_are_the_fed_bits_lsb_first() {
        let (mut m, mut apb) = setup();
        m.poke_u32(RAW_EN, 1);
        write(&mut m, &mut apb, CTRL, 3);
        assert_eq!(read(&mut m, &mut apb, CTRL), 3);
        feed_all(&mut m, &mut apb, alternating(1024));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        let w0 = word_bits(0xdead_beef);
        feed_all(&mut m, &mut apb, w0[..31].iter().copied());
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        feed(&mut m, &mut apb, w0[31]);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY | RAW_VALID);
        assert_eq!(read(&mut m, &mut apb, RAW_DATA), 0xdead_beef);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        assert_eq!(refused(&mut m, &mut apb, false, RAW_DATA.offset, 0, 0, MASTER_SEC), ERR_EMPTY);
        // w1 waits; w2's 32nd bit comes at the edge of the read that takes w1: w2 is stored.
        let (w1, w2) = (0x1234_5678, 0x0f0f_a5a5);
        feed_all(&mut m, &mut apb, word_bits(w1));
        let b2 = word_bits(w2);
        feed_all(&mut m, &mut apb, b2[..31].iter().copied());
        let d = transfer_at_completion(&mut m, &mut apb, false, RAW_DATA.offset, 0, &[(NOISE_BIT, b2[31] as u32), (NOISE_VALID, 1)]);
        assert_eq!((d.data, d.err), (w1, false));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY | RAW_VALID);
        assert_eq!(read(&mut m, &mut apb, RAW_DATA), w2);
        // w3 is stored, w4 and w5 are lost; after a read, w6 is stored.
        for w in [0x8001_7ffe, 0x5555_0000, 0x0000_aaaa] {
            feed_all(&mut m, &mut apb, word_bits(w));
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY | RAW_VALID | RAW_OVF);
        assert_eq!(read(&mut m, &mut apb, RAW_DATA), 0x8001_7ffe);
        feed_all(&mut m, &mut apb, word_bits(0xc3c3_3c3c));
        assert_eq!(read(&mut m, &mut apb, RAW_DATA), 0xc3c3_3c3c);
        // Raw bits never reach the conditioner.
        assert_eq!((m.peek_u32(SEED_VALID), read(&mut m, &mut apb, SEEDS)), (0, 0));
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 1024 + 7 * 32);
        // Disable (RAW_MODE kept in the value): RAW_DATA and a half-assembled word are wiped.
        feed_all(&mut m, &mut apb, word_bits(0x7777_7777));
        feed_all(&mut m, &mut apb, alternating(16));
        write(&mut m, &mut apb, CTRL, 2);
        assert_eq!(read(&mut m, &mut apb, CTRL), 2);
        assert_eq!(read(&mut m, &mut apb, STATUS), RAW_OVF);
        assert_eq!(refused(&mut m, &mut apb, false, RAW_DATA.offset, 0, 0, MASTER_SEC), ERR_EMPTY);
        write(&mut m, &mut apb, CTRL, 3);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
        // After a new startup, the first word is 32 new bits (nothing left of the old assembly).
        feed_all(&mut m, &mut apb, alternating(1024));
        feed_all(&mut m, &mut apb, word_bits(0x0bad_f00d));
        assert_eq!(read(&mut m, &mut apb, RAW_DATA), 0x0bad_f00d);
    }

    /// raw_en = 0: RAW_MODE = 1 in a CTRL write and RAW_DATA reads get ERR_LC.
    #[test]
    fn raw_en_low_refuses_raw_mode_and_raw_data() {
        let (mut m, mut apb) = setup();
        assert_eq!(refused_write(&mut m, &mut apb, CTRL, 3), ERR_LC);
        assert_eq!(refused_write(&mut m, &mut apb, CTRL, 2), ERR_LC);
        assert_eq!((read(&mut m, &mut apb, CTRL), read(&mut m, &mut apb, STATUS)), (0, 0));
        assert_eq!(refused(&mut m, &mut apb, false, RAW_DATA.offset, 0, 0, MASTER_SEC), ERR_LC);
        m.poke_u32(RAW_EN, 1);
        assert_eq!(refused(&mut m, &mut apb, false, RAW_DATA.offset, 0, 0, MASTER_SEC), ERR_EMPTY);
        // A word in RAW_DATA: raw_en low hides it (ERR_LC), and it is still there after.
        write(&mut m, &mut apb, CTRL, 3);
        feed_all(&mut m, &mut apb, alternating(1024));
        feed_all(&mut m, &mut apb, word_bits(0x600d_cafe));
        m.poke_u32(RAW_EN, 0);
        assert_eq!(refused(&mut m, &mut apb, false, RAW_DATA.offset, 0, 0, MASTER_SEC), ERR_LC);
        // Disabling with RAW_MODE = 1 in the value is refused too; CTRL = 0 disables.
        assert_eq!(refused_write(&mut m, &mut apb, CTRL, 2), ERR_LC);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY | RAW_VALID);
        m.poke_u32(RAW_EN, 1);
        assert_eq!(read(&mut m, &mut apb, RAW_DATA), 0x600d_cafe);
        m.poke_u32(RAW_EN, 0);
        write(&mut m, &mut apb, CTRL, 0);
        assert_eq!((read(&mut m, &mut apb, CTRL), read(&mut m, &mut apb, STATUS)), (0, 0));
    }

    /// The common checks in their order, then the README's table: each check with every later
    /// check's condition also true, so the first one must win.
    #[test]
    fn error_order() {
        let (mut m, mut apb) = setup();
        let (sec, app) = (MASTER_SEC, MASTER_APP);
        let (m, apb) = (&mut m, &mut apb);
        // Unmapped (or misaligned) before master; master before read-only/write-only; those
        // before strobes; strobes before the register's own checks.
        assert_eq!(refused(m, apb, false, 0x030, 0, 0, app), ERR_UNMAPPED);
        assert_eq!(refused(m, apb, true, 0x00e, 5, 0b0011, app), ERR_UNMAPPED);
        assert_eq!(refused(m, apb, false, CMD.offset, 0, 0, app), ERR_MASTER);
        assert_eq!(refused(m, apb, true, STATUS.offset, 0, 0b0001, app), ERR_MASTER);
        assert_eq!(refused(m, apb, false, CMD.offset, 0, 0, sec), ERR_READ_WO);
        assert_eq!(refused(m, apb, true, STATUS.offset, 0, 0b0001, sec), ERR_WRITE_RO);
        assert_eq!(refused(m, apb, true, RAW_DATA.offset, 0, 0b0001, sec), ERR_WRITE_RO);
        assert_eq!(refused(m, apb, true, ID.offset, 0, 0b1111, app), ERR_WRITE_RO);
        assert_eq!(refused(m, apb, true, CTRL.offset, 0xffff_ffff, 0b0111, sec), ERR_STRB);
        assert_eq!(refused(m, apb, true, CMD.offset, 5, 0, sec), ERR_STRB);
        // CTRL, enabled, raw_en = 0: bits 31:2 (VALUE) before ENABLE while enabled (BUSY) before
        // RAW_MODE without raw_en (LC).
        write(m, apb, CTRL, 1);
        assert_eq!(refused_write(m, apb, CTRL, 0b111), ERR_VALUE);
        assert_eq!(refused_write(m, apb, CTRL, 0x8000_0001), ERR_VALUE);
        assert_eq!(refused_write(m, apb, CTRL, 0b11), ERR_BUSY);
        assert_eq!(refused_write(m, apb, CTRL, 0b01), ERR_BUSY);
        assert_eq!(refused_write(m, apb, CTRL, 0b10), ERR_LC);
        // CMD: not exactly 1.
        for v in [0, 2, 3, 0x8000_0001, 0xffff_ffff] {
            assert_eq!(refused_write(m, apb, CMD, v), ERR_VALUE, "CMD {v:#x}");
        }
        // RAW_DATA: raw_en (LC) before empty.
        assert_eq!(refused(m, apb, false, RAW_DATA.offset, 0, 0, sec), ERR_LC);
        m.poke_u32(RAW_EN, 1);
        assert_eq!(refused(m, apb, false, RAW_DATA.offset, 0, 0, sec), ERR_EMPTY);
        m.poke_u32(RAW_EN, 0);
        // DEAD: VALUE before FATAL (CTRL and CMD); FATAL before LC.
        m.poke_u32(ESC, 1);
        apb.step(m);
        m.poke_u32(ESC, 0);
        assert_eq!(refused_write(m, apb, CTRL, 0b110), ERR_VALUE);
        assert_eq!(refused_write(m, apb, CTRL, 0b10), ERR_FATAL);
        assert_eq!(refused_write(m, apb, CTRL, 0b01), ERR_FATAL);
        assert_eq!(refused_write(m, apb, CTRL, 0), ERR_FATAL);
        assert_eq!(refused_write(m, apb, CMD, 2), ERR_VALUE);
        assert_eq!(refused_write(m, apb, CMD, 1), ERR_FATAL);
        // Refusals changed nothing.
        assert_eq!(read(m, apb, STATUS), DEAD);
        assert_eq!(read(m, apb, CTRL), 0);
    }

    /// The APB protocol check comes first: an access with no setup phase is ERR_PROTOCOL even to
    /// an unmapped address from another master, and a write without setup changes nothing.
    #[test]
    fn protocol_violation_comes_first() {
        let (mut m, mut apb) = setup();
        for (write, addr, data, master) in [(false, 0x030, 0, MASTER_APP), (true, CTRL.offset, 1, MASTER_SEC)] {
            for (port, v) in [(PWRITE, write as u32), (PADDR, addr), (PWDATA, data), (PSTRB, 0xF), (PMASTER, master), (PSEL, 1), (PENABLE, 1)] {
                m.poke_u32(port, v);
            }
            assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR), m.peek_u32(PRDATA)), (1, 1, 0));
            apb.step(&mut m);
            m.poke_u32(PSEL, 0);
            m.poke_u32(PENABLE, 0);
            assert_eq!(take_code(&mut m, &mut apb), ERR_PROTOCOL);
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
    }

    /// Every register but ID is the security core's: any other master gets ERR_MASTER, reading
    /// or writing; ID reads for anyone (and is read-only for anyone).
    #[test]
    fn other_masters_get_err_master_except_on_id() {
        let (mut m, mut apb) = setup();
        m.poke_u32(RAW_EN, 1);
        for master in 1..16 {
            for reg in MAP.regs {
                let d = apb.transfer(&mut m, false, reg.offset, 0, 0, master);
                if reg.offset == ID.offset {
                    assert_eq!((d.data, d.err), (BLOCK_ID, false));
                } else {
                    assert_eq!((d.data, d.err), (0, true), "{} by {master}", reg.name);
                    assert_eq!(take_code(&mut m, &mut apb), ERR_MASTER);
                }
                let d = apb.transfer(&mut m, true, reg.offset, 1, 0xF, master);
                assert!(d.err);
                let want = if reg.offset == ID.offset { ERR_WRITE_RO } else { ERR_MASTER };
                assert_eq!(take_code(&mut m, &mut apb), want, "{} written by {master}", reg.name);
            }
        }
        // Nothing was enabled, no command ran.
        assert_eq!((read(&mut m, &mut apb, STATUS), read(&mut m, &mut apb, CTRL)), (0, 0));
    }

    /// ERR_INFO keeps the first refusal (code, master, direction, address), later ones set
    /// OVERFLOW; STATUS.ERR shows it; any whole-word write clears it, a partial one is refused.
    #[test]
    fn err_info_keeps_the_first_error() {
        let (mut m, mut apb) = setup();
        assert!(apb.read(&mut m, CMD.offset).err);
        assert!(apb.transfer(&mut m, true, STATUS.offset, 5, 0xF, MASTER_SEC).err);
        let first = ERR_INFO_CODE.put(ERR_READ_WO) | ERR_INFO_ADDR.put(CMD.offset);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), first | ERR_INFO_OVERFLOW.put(1));
        assert_eq!(read(&mut m, &mut apb, STATUS), STATUS_ERR.mask());
        assert!(apb.write_strb(&mut m, ERR_INFO.offset, 0, 0b0001).err);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), first | ERR_INFO_OVERFLOW.put(1));
        write(&mut m, &mut apb, ERR_INFO, 0xffff_ffff);
        assert_eq!((read(&mut m, &mut apb, ERR_INFO), read(&mut m, &mut apb, STATUS)), (0, 0));
        // A write by another master to an unmapped address: every field.
        assert!(apb.transfer(&mut m, true, 0xffc, 0xabc, 0b0101, 5).err);
        let want = ERR_INFO_CODE.put(ERR_UNMAPPED) | ERR_INFO_MASTER.put(5) | ERR_INFO_WRITE.put(1) | ERR_INFO_ADDR.put(0xffc);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), want);
        // ERR_INFO survives disable and escalation (only reset clears it besides a write).
        write(&mut m, &mut apb, CTRL, 1);
        write(&mut m, &mut apb, CTRL, 0);
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        m.poke_u32(ESC, 0);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), want);
    }

    /// CLEAR_ALARM: alarms cleared and, when enabled, startup again with both tests from scratch
    /// (a run does not continue across it); statistics are kept. In OFF it only clears alarms.
    /// Enabling with an alarm latched goes to HALT (and zeroes the statistics).
    #[test]
    fn clear_alarm_restarts_startup() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        feed_all(&mut m, &mut apb, [true; 40]);
        write(&mut m, &mut apb, CMD, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
        feed_all(&mut m, &mut apb, [true; 40]);
        assert_eq!(m.peek_u32(INTR_ALARM), 0, "80 ones, but the run restarted at 40");
        assert_eq!(read(&mut m, &mut apb, RCT_MAX_RUN), 40);
        feed(&mut m, &mut apb, true);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_RCT);
        write(&mut m, &mut apb, CMD, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
        assert_eq!(m.peek_u32(INTR_ALARM), 0);
        assert_eq!((read(&mut m, &mut apb, SAMPLES), read(&mut m, &mut apb, RCT_MAX_RUN)), (81, 41));
        feed_all(&mut m, &mut apb, alternating(1024));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | READY);
        // In RUN the last startup bit was a 1: 40 more ones make a run of 41.
        let mut ones = 0;
        while m.peek_u32(INTR_ALARM) == 0 {
            feed(&mut m, &mut apb, true);
            ones += 1;
            assert!(ones <= 41);
        }
        assert_eq!(ones, 40);
        // Disable keeps the alarm; enabling with it latched goes to HALT, statistics zeroed.
        write(&mut m, &mut apb, CTRL, 0);
        assert_eq!(read(&mut m, &mut apb, STATUS), A_RCT);
        assert_eq!(m.peek_u32(INTR_ALARM), 1);
        write(&mut m, &mut apb, CTRL, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_RCT);
        assert_eq!((read(&mut m, &mut apb, SAMPLES), read(&mut m, &mut apb, RCT_MAX_RUN)), (0, 0));
        feed_all(&mut m, &mut apb, alternating(8));
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 0, "HALT takes no sample");
        // CLEAR_ALARM in OFF: alarms cleared, still OFF.
        write(&mut m, &mut apb, CTRL, 0);
        write(&mut m, &mut apb, CMD, 1);
        assert_eq!((read(&mut m, &mut apb, STATUS), m.peek_u32(INTR_ALARM)), (0, 0));
        write(&mut m, &mut apb, CTRL, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
    }

    /// Disable wipes a waiting seed (port 0, seed_valid 0); a take at that same edge still counts.
    /// Enable zeroes the statistics. CLEAR_ALARM and a failing test wipe a waiting seed too.
    #[test]
    fn disable_wipes_the_seed() {
        let (mut m, mut apb) = setup();
        let mut src = healthy(0xd15a_b1e0);
        write(&mut m, &mut apb, CTRL, 1);
        let fed = run_to_first_seed(&mut m, &mut apb, &mut src);
        assert_ne!(seed_port(&mut m), vec![0; 48]);
        let d = transfer_at_completion(&mut m, &mut apb, true, CTRL.offset, 0, &[(SEED_READY, 1)]);
        assert!(!d.err);
        assert_eq!((m.peek_u32(SEED_VALID), seed_port(&mut m)), (0, vec![0; 48]));
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        assert_eq!(read(&mut m, &mut apb, SEEDS), 1);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), fed.len() as u32);
        write(&mut m, &mut apb, CTRL, 1);
        for reg in [RCT_MAX_RUN, APT_MAX_COUNT, SAMPLES, SEEDS] {
            assert_eq!(read(&mut m, &mut apb, reg), 0, "{} after enable", reg.name);
        }
        // CLEAR_ALARM in RUN with a seed waiting: wiped, back to STARTUP.
        run_to_first_seed(&mut m, &mut apb, &mut src);
        write(&mut m, &mut apb, CMD, 1);
        assert_eq!((m.peek_u32(SEED_VALID), seed_port(&mut m)), (0, vec![0; 48]));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
        // A failing test with a seed waiting: wiped, HALT.
        run_to_first_seed(&mut m, &mut apb, &mut src);
        while m.peek_u32(INTR_ALARM) == 0 {
            feed(&mut m, &mut apb, true);
        }
        assert_eq!((m.peek_u32(SEED_VALID), seed_port(&mut m)), (0, vec![0; 48]));
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | A_RCT);
    }

    /// Escalation: the seed is wiped, the sample at that edge is dropped, DEAD until reset;
    /// CTRL and CMD get ERR_FATAL. From OFF it sets DEAD as well.
    #[test]
    fn escalation_makes_the_block_dead_until_reset() {
        let (mut m, mut apb) = setup();
        let mut src = healthy(0xe5ca_1a7e);
        write(&mut m, &mut apb, CTRL, 1);
        let fed = run_to_first_seed(&mut m, &mut apb, &mut src);
        m.poke_u32(ESC, 1);
        feed(&mut m, &mut apb, true);
        assert_eq!((m.peek_u32(SEED_VALID), seed_port(&mut m)), (0, vec![0; 48]));
        m.poke_u32(ESC, 0);
        assert_eq!(read(&mut m, &mut apb, STATUS), DEAD);
        assert_eq!(read(&mut m, &mut apb, CTRL), 0);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), fed.len() as u32, "the bit at the esc edge is dropped");
        assert_eq!(refused_write(&mut m, &mut apb, CTRL, 1), ERR_FATAL);
        assert_eq!(refused_write(&mut m, &mut apb, CMD, 1), ERR_FATAL);
        feed_all(&mut m, &mut apb, alternating(100));
        assert_eq!(read(&mut m, &mut apb, SAMPLES), fed.len() as u32);
        assert_eq!((m.peek_u32(INTR_ALARM), m.peek_u32(ALERT_FATAL)), (0, 0));
        // Reset revives it.
        apb.reset(&mut m);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        write(&mut m, &mut apb, CTRL, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), ENABLED | STARTUP);
        // Escalation while OFF.
        write(&mut m, &mut apb, CTRL, 0);
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        m.poke_u32(ESC, 0);
        assert_eq!(read(&mut m, &mut apb, STATUS), DEAD);
        assert_eq!(refused_write(&mut m, &mut apb, CTRL, 1), ERR_FATAL);
    }

    /// A sample is dropped at an edge where a CTRL or CMD write is accepted, not where one is
    /// refused, nor where another transfer completes.
    #[test]
    fn accepted_control_write_drops_the_sample_at_its_edge() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        let noise = [(NOISE_BIT, 1), (NOISE_VALID, 1)];
        assert!(!transfer_at_completion(&mut m, &mut apb, true, CMD.offset, 1, &noise).err);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 0);
        assert!(transfer_at_completion(&mut m, &mut apb, true, CMD.offset, 2, &noise).err);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 1);
        assert!(transfer_at_completion(&mut m, &mut apb, true, CTRL.offset, 3, &noise).err);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 2);
        assert!(!transfer_at_completion(&mut m, &mut apb, false, STATUS.offset, 0, &noise).err);
        assert!(!transfer_at_completion(&mut m, &mut apb, true, ERR_INFO.offset, 0, &noise).err);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 4);
        assert!(!transfer_at_completion(&mut m, &mut apb, true, CTRL.offset, 0, &noise).err);
        assert_eq!(read(&mut m, &mut apb, SAMPLES), 4);
    }

    /// The wipe's zero block (the model's reading of the README): it starts at the edge after the
    /// wipe edge W and keeps the core busy through W + 66, so the conditioner could open before
    /// edge W + 67 at the earliest. Not visible at the ports (RUN is 1,024 samples away).
    #[test]
    fn wipe_keeps_the_core_busy_for_its_zero_block() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CTRL, 1);
        feed_all(&mut m, &mut apb, alternating(1024 + 100));
        assert_eq!(m.cond.bits.len(), 100);
        write(&mut m, &mut apb, CTRL, 0);
        let w = m.edge;
        assert!(m.cond.bits.is_empty());
        assert_eq!(m.cond.busy_through, w + 66);
    }
}
