//! Cycle-accurate, port-level reference model of the key-fuse OTP controller (`pluton_otp`), written from its README.
//!
//! The model follows `rust-hdl-src/src/otp/README.md` (the behavioural and timing contract), the
//! register map in `pluton_regs::otp::regs` and the fuse map in `pluton_regs::otp::fusemap`; the
//! SECDED code is `crate::fuse_image::secded_decode/secded_encode`. It never looks at the RTL.
//!
//! How it is built:
//! - `poke` only stores input values (and applies the asynchronous reset, which clears every
//!   flop but keeps the fuse array).
//! - `peek`: the APB outputs are combinational from the state, the request and `tst_en` (the
//!   checks run in every access cycle; a counter of the transfer's wait cycles decides when a
//!   FUSE read or a PROGRAM/LC_TRANSITION command completes); every other output is a function
//!   of the state alone.
//! - `step` is one rising edge: everything is decided from the state before the edge (engine
//!   slot writes, `tst_en`, scan start and end, KEY_LOAD words, tester program start, the
//!   completing transfer), then applied.
//!
//! The fuse array cannot change during a scan, a KEY_LOAD or a successful FUSE read or PROGRAM
//! check (a program runs only when none of those does, and an OPEN tester port abandons or fails
//! them; a scan never runs while the port is OPEN, since TST_OK is 0 from its start), so the
//! model evaluates the scan's result at its last edge (S + INIT_CYCLES) from the array as it is
//! then; nothing the scan builds is visible before READY.
//!
//! Where the README leaves a choice, the model takes this one:
//! - During a wait cycle (`pready = 0`) `pslverr` and `prdata` are 0.
//! - The start conditions of a scan ("READY = 0, no scan running, port not OPEN, engine idle") and
//!   of a tester program (`tst_busy = 0`) are those before the edge, so a scan or tester program
//!   can start at the edge after the engine's last write (P + PROG_CYCLES + 1) at the earliest.
//! - The wait-cycle counter counts edges with `psel & penable & !pready`; any other edge clears it.
//!
//! Hardening (alert contract): while `esc` is 1 the key port, `lc_state` and `debug_en` are
//! withdrawn at once (the LC_STATE register is not), the tester port is not OPEN, and every edge
//! clears the key register and TST_OK. `key_par` is the parity of each `key_out` word.
//! `alert_recov` is 1 after each edge with an ECC_CORRECTED event, also with the count saturated:
//! a scan's are at the edges S+2+k of its CORRECTED words k (the model counts them at S+54, where
//! nothing shows them, but pulses at each). A scan that ends under `esc` with `tst_en` high sets
//! READY (the port will not be OPEN). `alert_fatal` reports faults in the RTL's own state: 0.

use crate::fuse_image::{secded_decode, secded_encode, EccStatus};
use crate::apb_guard::{ApbGuardModel, ApbRequest};
/// One APB request as seen on the inputs (the one the protocol check latches).
type Request = ApbRequest;
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::otp::fusemap::{self, partition_of};
use pluton_regs::otp::regs::{self, MAP};

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
const TST_EN: usize = 9;
const TST_WE: usize = 10;
const TST_ADDR: usize = 11;
const TST_WDATA: usize = 12;
const ESC: usize = 13;
const PRDATA: usize = 14;
const PREADY: usize = 15;
const PSLVERR: usize = 16;
const KEY_OUT: usize = 17;
const KEY_VALID: usize = 18;
const LC_STATE: usize = 19;
const DEBUG_EN: usize = 20;
const SVN_OUT: usize = 21;
const FATAL: usize = 22;
const TST_BUSY: usize = 23;
const KEY_PAR: usize = 24;
const ALERT_FATAL: usize = 25;
const ALERT_RECOV: usize = 26;

/// (name, direction, width) of every port, in declaration order (README port table, then the
/// alert contract's ports).
const PORTS: [(&str, Dir, u32); 27] = [
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 12),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("tst_en", Dir::In, 1),
    ("tst_we", Dir::In, 1),
    ("tst_addr", Dir::In, 6),
    ("tst_wdata", Dir::In, 40),
    ("esc", Dir::In, 1),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("key_out", Dir::Out, 256),
    ("key_valid", Dir::Out, 1),
    ("lc_state", Dir::Out, 3),
    ("debug_en", Dir::Out, 1),
    ("svn", Dir::Out, 5),
    ("fatal", Dir::Out, 1),
    ("tst_busy", Dir::Out, 1),
    ("key_par", Dir::Out, 8),
    ("alert_fatal", Dir::Out, 1),
    ("alert_recov", Dir::Out, 1),
];

/// Raw bit 39 (DONE).
const DONE: u64 = 1 << fusemap::DONE_BIT;
/// Words the init scan reads (0x00..=0x34).
const SCAN_WORDS: u32 = fusemap::RESERVED_FIRST;
/// Each LC word's magic, in word order 0x28, 0x29, 0x2A.
const LC_MAGIC: [u32; 3] = [fusemap::LC_DEV_MAGIC, fusemap::LC_SECURED_MAGIC, fusemap::LC_RMA_MAGIC];

/// The README's classes of a raw fuse word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordClass {
    /// All 40 bits 0: clean, data 0.
    Blank,
    Clean,
    Corrected,
    /// DONE = 0 with another bit set.
    Interrupted,
    Uncorrectable,
}

/// A raw word decoded as the README says: class and (corrected) data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    pub class: WordClass,
    pub data: u32,
}

impl Word {
    pub fn decode(raw: u64) -> Word {
        if raw == 0 {
            return Word {
                class: WordClass::Blank,
                data: 0,
            };
        }
        if raw & DONE == 0 {
            return Word {
                class: WordClass::Interrupted,
                data: raw as u32,
            };
        }
        let d = secded_decode(raw);
        let class = match d.status {
            EccStatus::Clean => WordClass::Clean,
            EccStatus::Corrected => WordClass::Corrected,
            EccStatus::Uncorrectable => WordClass::Uncorrectable,
        };
        Word { class, data: d.data }
    }
    /// INTERRUPTED or UNCORRECTABLE.
    pub fn bad(self) -> bool {
        matches!(self.class, WordClass::Interrupted | WordClass::Uncorrectable)
    }
    /// Good and holding `value`.
    pub fn is(self, value: u32) -> bool {
        !self.bad() && self.data == value
    }
}

/// The raw word a complete program of `data` leaves: data, check bits, DONE.
pub fn program_pattern(data: u32) -> u64 {
    u64::from(data) | u64::from(secded_encode(data)) << fusemap::ECC_LSB | DONE
}

/// The bit-serial program engine's operation.
#[derive(Clone, Copy, Debug)]
struct Program {
    /// Edge P at which it started.
    start: u64,
    addr: usize,
    pattern: u64,
}

/// A running KEY_LOAD.
#[derive(Clone, Copy, Debug)]
struct KeyLoad {
    /// Completion edge K of the CMD write.
    start: u64,
    slot: u32,
    bad: bool,
}

/// What a transfer is doing in the current access cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Checks passed so far; `pready` is low.
    Wait,
    /// Completes now with this result.
    Done(Result<Action, u32>),
}

/// Effect of a transfer that passed every check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Read(u32),
    FuseRead {
        data: u32,
        corrected: bool,
    },
    ClearErrInfo,
    DaiAddr(u32),
    DaiWdata(u32),
    /// PROGRAM (`lc = false`) or LC_TRANSITION (`lc = true`): start the engine.
    Program {
        addr: u32,
        pattern: u64,
        lc: bool,
    },
    KeyLoad(u32),
}


/// Port-level model of `pluton_otp`.
pub struct OtpModel {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,

    /// The fuse array (raw 40-bit words); kept through reset.
    mem: [u64; fusemap::WORDS],

    // Bus.
    /// Wait cycles the transfer on the bus has had so far.
    waited: u32,
    err_info: u32,
    guard: ApbGuardModel,
    dai_addr: u32,
    dai_wdata: u32,

    // Controller.
    ready: bool,
    /// Start edge S of the running init scan.
    scan: Option<u64>,
    engine: Option<Program>,
    key_load: Option<KeyLoad>,

    // Shadows.
    locks: u32,
    fatal_parts: u32,
    ecc_corrected: u32,
    svn_count: u32,
    lc: u32,
    config: [u32; 4],
    interrupted: bool,
    key: [u32; 8],
    key_loaded: bool,
    key_slot: u32,
    /// TST_OK: the last completed scan allows the tester port (cleared at a scan's start).
    tst_ok: bool,
    /// STATUS.TST_REFUSED: sticky until reset.
    tst_refused: bool,
    /// `alert_recov`: a single-bit error was corrected (an ECC_CORRECTED event) at the last edge.
    alert_recov: bool,

    /// Rising edges seen so far (reset does not clear it).
    edge: u64,
    /// Program operations started since the model was created.
    programs: u64,
}

impl Default for OtpModel {
    fn default() -> Self {
        Self::new()
    }
}

impl OtpModel {
    /// A model with all inputs low (held in reset until `rst_n` is driven high) and a blank array.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let mut model = OtpModel {
            ports,
            inputs,
            mem: [0; fusemap::WORDS],
            waited: 0,
            err_info: 0,
            guard: ApbGuardModel::default(),
            dai_addr: 0,
            dai_wdata: 0,
            ready: false,
            scan: None,
            engine: None,
            key_load: None,
            locks: 0,
            fatal_parts: 0,
            ecc_corrected: 0,
            svn_count: 0,
            lc: 0,
            config: [0; 4],
            interrupted: false,
            key: [0; 8],
            key_loaded: false,
            key_slot: 0,
            tst_ok: false,
            tst_refused: false,
            alert_recov: false,
            edge: 0,
            programs: 0,
        };
        model.reset();
        model
    }

    /// Raw content of fuse word `w`.
    pub fn fuse(&self, w: usize) -> u64 {
        self.mem[w]
    }
    /// Rising edges seen so far.
    pub fn edges(&self) -> u64 {
        self.edge
    }
    /// Program operations started since the model was created (APB and tester port).
    pub fn programs(&self) -> u64 {
        self.programs
    }
    /// STATUS.READY.
    pub fn ready(&self) -> bool {
        self.ready
    }

    /// Every flop to 0; the fuse array keeps its contents.
    fn reset(&mut self) {
        self.guard.reset();
        self.waited = 0;
        self.err_info = 0;
        self.dai_addr = 0;
        self.dai_wdata = 0;
        self.ready = false;
        self.scan = None;
        self.engine = None;
        self.key_load = None;
        self.tst_refused = false;
        self.alert_recov = false;
        self.clear_shadows();
    }

    fn clear_shadows(&mut self) {
        self.locks = 0;
        self.fatal_parts = 0;
        self.ecc_corrected = 0;
        self.svn_count = 0;
        self.lc = 0;
        self.config = [0; 4];
        self.interrupted = false;
        self.key = [0; 8];
        self.key_loaded = false;
        self.key_slot = 0;
        self.tst_ok = false;
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn in_reset(&self) -> bool {
        self.input(RST_N) == 0
    }
    fn tst_en(&self) -> bool {
        self.input(TST_EN) == 1
    }
    /// Escalation: the subsystem's fatal alert, held until reset.
    fn esc(&self) -> bool {
        self.input(ESC) == 1
    }
    /// The README's OPEN: `tst_en` honoured only when the last scan allowed the port, and never
    /// during escalation.
    fn open(&self) -> bool {
        self.tst_en() && self.tst_ok && !self.esc()
    }
    fn access_phase(&self) -> bool {
        self.input(PSEL) == 1 && self.input(PENABLE) == 1
    }
    fn request(&self) -> Request {
        Request {
            paddr: self.input(PADDR),
            pwrite: self.input(PWRITE) == 1,
            pwdata: self.input(PWDATA),
            pstrb: self.input(PSTRB),
            pmaster: self.input(PMASTER),
        }
    }
    fn word(&self, w: u32) -> Word {
        Word::decode(self.mem[w as usize])
    }

    // Outputs, as the README defines them.
    fn busy(&self) -> bool {
        self.engine.is_some() || self.key_load.is_some()
    }
    fn avail(&self) -> bool {
        self.ready && !self.open() && !self.busy()
    }
    fn lc_state_out(&self) -> u32 {
        if self.ready {
            self.lc
        } else {
            fusemap::LC_STATE_INVALID
        }
    }
    /// The `lc_state` pin: INVALID during escalation (the LC_STATE register keeps the state).
    fn lc_state_pin(&self) -> u32 {
        if self.esc() {
            fusemap::LC_STATE_INVALID
        } else {
            self.lc_state_out()
        }
    }
    /// The `debug_en` pin: 0 during escalation (the LC_STATE register keeps DEBUG_EN).
    fn debug_en_pin(&self) -> bool {
        !self.esc() && self.debug_en_out()
    }
    fn debug_en_out(&self) -> bool {
        self.ready
            && matches!(
                self.lc,
                fusemap::LC_STATE_BLANK | fusemap::LC_STATE_DEV | fusemap::LC_STATE_RMA
            )
    }
    fn svn_out(&self) -> u32 {
        if self.ready && self.fatal_parts & 1 << fusemap::SVN.index == 0 {
            self.svn_count
        } else {
            fusemap::SVN_MAX
        }
    }
    fn fatal_out(&self) -> bool {
        self.ready && self.fatal_parts != 0
    }
    /// `key_valid`, also STATUS.KEY_VALID: escalation withdraws the key at once.
    fn key_valid_out(&self) -> bool {
        !self.esc()
            && self.ready
            && self.key_loaded
            && self.locks & 1 << fusemap::SECRET.index != 0
            && self.fatal_parts & 1 << fusemap::SECRET.index == 0
            && matches!(self.lc, fusemap::LC_STATE_DEV | fusemap::LC_STATE_SECURED)
    }

    fn read_register(&self, reg: &Register, index: u32) -> u32 {
        let when_ready = |v: u32| if self.ready { v } else { 0 };
        match reg.offset {
            o if o == regs::STATUS.offset => {
                regs::STATUS_READY.put(self.ready as u32)
                    | regs::STATUS_BUSY.put(self.busy() as u32)
                    | regs::STATUS_FATAL.put(self.fatal_out() as u32)
                    | regs::STATUS_ERR.put((self.err_info != 0) as u32)
                    | regs::STATUS_INTERRUPTED.put(when_ready(self.interrupted as u32))
                    | regs::STATUS_KEY_VALID.put(self.key_valid_out() as u32)
                    | regs::STATUS_KEY_SLOT.put(when_ready(self.key_slot))
                    | regs::STATUS_TST_OK.put(when_ready(self.tst_ok as u32))
                    | regs::STATUS_TST_REFUSED.put(self.tst_refused as u32)
            }
            o if o == regs::ERR_INFO.offset => self.err_info,
            o if o == regs::DAI_ADDR.offset => self.dai_addr,
            o if o == regs::LC_STATE.offset => {
                regs::LC_STATE_STATE.put(self.lc_state_out()) | regs::LC_STATE_DEBUG_EN.put(self.debug_en_out() as u32)
            }
            o if o == regs::SVN.offset => {
                regs::SVN_VALUE.put(self.svn_out()) | regs::SVN_COUNT.put(when_ready(self.svn_count))
            }
            o if o == regs::LOCKS.offset => when_ready(self.locks),
            o if o == regs::FATAL_PARTS.offset => when_ready(self.fatal_parts),
            o if o == regs::ECC_CORRECTED.offset => when_ready(self.ecc_corrected),
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == regs::CONFIG.offset => when_ready(self.config[index as usize]),
            _ => unreachable!("register {} has no plain read", reg.name),
        }
    }

    /// The README's checks for the access cycle on the bus, in its order.
    fn check(&self, req: &Request) -> Step {
        let err = |code| Step::Done(Err(code));
        // The APB protocol first: the transfer is not what it claims to be.
        if self.guard.violation(self.input(PSEL) == 1, self.input(PENABLE) == 1, req) {
            return err(regs::ERR_PROTOCOL);
        }
        if req.pmaster != regs::MASTER_SEC {
            return err(regs::ERR_MASTER);
        }
        let Some((reg, index)) = MAP.decode(req.paddr) else {
            return err(regs::ERR_UNMAPPED);
        };
        if !req.pwrite && !reg.access.readable() {
            return err(regs::ERR_READ_WO);
        }
        if req.pwrite && !reg.access.writable() {
            return err(regs::ERR_WRITE_RO);
        }
        if req.pwrite && req.pstrb != 0b1111 {
            return err(regs::ERR_STRB);
        }
        if !req.pwrite {
            if reg.offset == regs::FUSE.offset {
                return self.check_fuse_read(index);
            }
            return Step::Done(Ok(Action::Read(self.read_register(reg, index))));
        }
        let d = req.pwdata;
        match reg.offset {
            o if o == regs::CMD.offset => self.check_cmd(d),
            o if o == regs::DAI_ADDR.offset => {
                if d >> regs::DAI_ADDR_WORD.width != 0 {
                    err(regs::ERR_VALUE)
                } else {
                    Step::Done(Ok(Action::DaiAddr(d)))
                }
            }
            o if o == regs::DAI_WDATA.offset => Step::Done(Ok(Action::DaiWdata(d))),
            o if o == regs::ERR_INFO.offset => Step::Done(Ok(Action::ClearErrInfo)),
            _ => unreachable!("register {} is not writable", reg.name),
        }
    }

    fn check_fuse_read(&self, w: u32) -> Step {
        let err = |code| Step::Done(Err(code));
        if fusemap::SECRET.contains(w) {
            return err(regs::ERR_RDLOCKED);
        }
        if !self.avail() {
            return err(regs::ERR_BUSY);
        }
        if self.waited < regs::FUSE_READ_WAITS {
            return Step::Wait;
        }
        // Checks that need the word: made in the 3rd access cycle only (contract change 07:45).
        let word = self.word(w);
        if word.bad() {
            return err(regs::ERR_ECC);
        }
        let part = partition_of(w).expect("mapped FUSE word has a partition");
        if self.fatal_parts & 1 << part.index != 0 {
            return err(regs::ERR_FATAL);
        }
        Step::Done(Ok(Action::FuseRead {
            data: word.data,
            corrected: word.class == WordClass::Corrected,
        }))
    }

    fn check_cmd(&self, d: u32) -> Step {
        let err = |code| Step::Done(Err(code));
        let is_lc = regs::CMD_OP.get(d) == regs::OP_LC_TRANSITION
            && d == regs::CMD_OP.put(regs::OP_LC_TRANSITION) | regs::CMD_LC_TARGET.put(regs::CMD_LC_TARGET.get(d));
        let key_slot = match d {
            _ if d == regs::OP_KEY_LOAD => Some(0),
            _ if d == regs::OP_KEY_LOAD | regs::CMD_KEY_SLOT.put(1) => Some(1),
            _ => None,
        };
        if d != regs::OP_PROGRAM && !is_lc && key_slot.is_none() {
            return err(regs::ERR_VALUE);
        }
        if !self.avail() {
            return err(regs::ERR_BUSY);
        }
        if let Some(slot) = key_slot {
            return Step::Done(Ok(Action::KeyLoad(slot)));
        }
        // PROGRAM or LC_TRANSITION: address, data and the checks before the wait state.
        let (addr, data) = if is_lc {
            let t = regs::CMD_LC_TARGET.get(d);
            if self.lc > fusemap::LC_STATE_SECURED || t != self.lc + 1 {
                return err(regs::ERR_LC);
            }
            if self.locks & 1 << fusemap::LIFECYCLE.index != 0 {
                return err(regs::ERR_LOCKED);
            }
            (fusemap::LC_DEV - 1 + t, LC_MAGIC[t as usize - 1])
        } else {
            let (a, data) = (self.dai_addr, self.dai_wdata);
            if a >= fusemap::RESERVED_FIRST {
                return err(regs::ERR_UNMAPPED);
            }
            if fusemap::LIFECYCLE.contains(a) {
                return err(regs::ERR_ACCESS);
            }
            let part = partition_of(a).expect("word below the reserved ones has a partition");
            if self.locks & 1 << part.index != 0 {
                return err(regs::ERR_LOCKED);
            }
            if fusemap::SVN.contains(a) && (data != fusemap::SVN_WORD || a != fusemap::SVN_FIRST + self.svn_count) {
                return err(regs::ERR_VALUE);
            }
            if a >= fusemap::LOCK_BASE && data != fusemap::LOCK_MAGIC {
                return err(regs::ERR_VALUE);
            }
            (a, data)
        };
        if self.waited < regs::CMD_PROGRAM_WAITS {
            return Step::Wait;
        }
        let pattern = program_pattern(data);
        if self.mem[addr as usize] & !pattern != 0 {
            return err(regs::ERR_ONE_TO_ZERO);
        }
        Step::Done(Ok(Action::Program {
            addr,
            pattern,
            lc: is_lc,
        }))
    }

    fn log_error(&mut self, code: u32, req: &Request) {
        if regs::ERR_INFO_CODE.get(self.err_info) == regs::ERR_NONE {
            self.err_info = regs::ERR_INFO_CODE.put(code)
                | regs::ERR_INFO_MASTER.put(req.pmaster)
                | regs::ERR_INFO_WRITE.put(req.pwrite as u32)
                | regs::ERR_INFO_ADDR.put(req.paddr);
        } else {
            self.err_info |= regs::ERR_INFO_OVERFLOW.put(1);
        }
    }

    fn count_corrected(&mut self, n: u32) {
        self.ecc_corrected = (self.ecc_corrected + n).min(regs::ECC_COUNT_MAX);
    }

    /// One corrected word counted at this edge (KEY_LOAD, FUSE read): `alert_recov` follows,
    /// also when the count is saturated.
    fn corrected_now(&mut self) {
        self.count_corrected(1);
        self.alert_recov = true;
    }

    /// The init scan's result, from the array as it is (it cannot change during a scan).
    fn finish_scan(&mut self) {
        self.clear_shadows();
        let words: Vec<Word> = (0..SCAN_WORDS).map(|w| self.word(w)).collect();
        let mut fatal = 0u32;
        for (w, word) in words.iter().enumerate() {
            let w = w as u32;
            let p = partition_of(w).expect("scanned word has a partition").index;
            if word.bad() {
                fatal |= 1 << p;
            }
            if word.class == WordClass::Corrected {
                self.count_corrected(1);
            }
            if word.class == WordClass::Interrupted {
                self.interrupted = true;
            }
        }
        for p in fusemap::PARTITIONS {
            if self.mem[p.lock_word as usize] != 0 {
                self.locks |= 1 << p.index;
            }
        }
        // SVN thermometer.
        let svn: Vec<Word> = (0..fusemap::SVN.words)
            .map(|i| words[(fusemap::SVN_FIRST + i) as usize])
            .collect();
        let ones = |w: &Word| w.is(fusemap::SVN_WORD);
        self.svn_count = svn.iter().take_while(|w| ones(w)).count() as u32;
        let svn_bad = svn.iter().any(|w| w.class != WordClass::Blank && !ones(w))
            || svn.iter().skip(self.svn_count as usize).any(ones);
        if svn_bad {
            fatal |= 1 << fusemap::SVN.index;
        }
        // Life cycle.
        let lcw = |i: u32| words[(fusemap::LC_DEV + i) as usize];
        let blank = |i: u32| lcw(i).class == WordClass::Blank;
        let magic = |i: u32| lcw(i).is(LC_MAGIC[i as usize]);
        let lc = if blank(0) && blank(1) && blank(2) && blank(3) {
            Some(fusemap::LC_STATE_BLANK)
        } else if magic(0) && blank(1) && blank(2) && blank(3) {
            Some(fusemap::LC_STATE_DEV)
        } else if magic(0) && magic(1) && blank(2) && blank(3) {
            Some(fusemap::LC_STATE_SECURED)
        } else if magic(0) && magic(1) && magic(2) && blank(3) {
            Some(fusemap::LC_STATE_RMA)
        } else {
            None
        };
        if lc.is_none() {
            fatal |= 1 << fusemap::LIFECYCLE.index;
        }
        self.lc = match lc {
            Some(s) if fatal & 1 << fusemap::LIFECYCLE.index == 0 => s,
            _ => fusemap::LC_STATE_INVALID,
        };
        if fatal & 1 << fusemap::CONFIG.index == 0 {
            for i in 0..4 {
                self.config[i] = words[fusemap::CONFIG_FIRST as usize + i].data;
            }
        }
        self.fatal_parts = fatal;
        for (k, w) in self.key.iter_mut().zip(&words) {
            *k = if w.bad() { 0 } else { w.data };
        }
        self.key_loaded = true;
        self.key_slot = 0;
        // The tester port: BLANK or RMA (never INVALID), and TST_DISABLE without a single bit set.
        self.tst_ok = matches!(self.lc, fusemap::LC_STATE_BLANK | fusemap::LC_STATE_RMA)
            && self.mem[fusemap::TST_DISABLE as usize] == 0;
        // With tst_en already high on an allowed part, READY stays 0: the port is OPEN next
        // (never under escalation, which also clears TST_OK at this edge).
        self.ready = !self.open();
    }

    /// Rising edge number `now` with `rst_n` high; every decision uses the state before it.
    fn rising_edge(&mut self, now: u64) {
        let req = self.request();
        let step = self.access_phase().then(|| self.check(&req));
        self.guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, step != Some(Step::Wait), &req);
        let open = self.open();
        // Refused: in service, and the port not open for want of TST_OK or because of esc.
        let refused = self.tst_en() && self.ready && (!self.tst_ok || self.esc());
        let engine_idle = self.engine.is_none();
        let tst_start = open && self.input(TST_WE) == 1 && engine_idle;

        self.waited = if step == Some(Step::Wait) { self.waited + 1 } else { 0 };
        // A pulse: set only below, for one cycle.
        self.alert_recov = false;

        // Program engine: slot i writes at P + 4(i+1); the last one (DONE) ends the operation.
        if let Some(e) = self.engine {
            let t = now - e.start;
            if t.is_multiple_of(regs::PROG_CYCLES_PER_BIT as u64) {
                let i = t / regs::PROG_CYCLES_PER_BIT as u64 - 1;
                self.mem[e.addr] |= e.pattern & 1 << i;
            }
            if t == regs::PROG_CYCLES as u64 {
                self.engine = None;
            }
        }

        if refused {
            self.tst_refused = true;
        }
        if open {
            // The tester port takes the array: out of service, KEY_LOAD abandoned (no scan runs).
            self.ready = false;
            self.scan = None;
            self.key_load = None;
        } else {
            match self.scan {
                None if !self.ready && engine_idle => {
                    self.scan = Some(now);
                    self.clear_shadows();
                }
                Some(s) => {
                    // Word k is taken in (and, if CORRECTED, counted) at edge S+2+k; the model
                    // builds the shadows at the last one, but the pulse is per word.
                    let t = now - s;
                    if (2..2 + SCAN_WORDS as u64).contains(&t) && self.word((t - 2) as u32).class == WordClass::Corrected {
                        self.alert_recov = true;
                    }
                    if t == regs::INIT_CYCLES as u64 {
                        self.scan = None;
                        self.finish_scan();
                    }
                }
                _ => {}
            }
            if let Some(k) = self.key_load {
                let t = now - k.start;
                if (2..2 + fusemap::KEY_WORDS as u64).contains(&t) {
                    let j = (t - 2) as usize;
                    let word = self.word(k.slot * fusemap::KEY_WORDS + j as u32);
                    self.key[j] = if word.bad() { 0 } else { word.data };
                    if word.class == WordClass::Corrected {
                        self.corrected_now();
                    }
                    self.key_load = Some(KeyLoad {
                        bad: k.bad || word.bad(),
                        ..k
                    });
                }
                if t == regs::KEY_LOAD_CYCLES as u64 {
                    self.key_loaded = !self.key_load.unwrap().bad;
                    self.key_load = None;
                }
            }
        }

        if tst_start {
            let addr = self.input(TST_ADDR) as usize;
            let pattern = u64::from(self.inputs[TST_WDATA][0]) | u64::from(self.inputs[TST_WDATA][1]) << 32;
            self.start_program(now, addr, pattern);
        }

        match step {
            Some(Step::Done(Ok(action))) => self.apply(action, now),
            Some(Step::Done(Err(code))) => self.log_error(code, &req),
            _ => {}
        }

        // Escalation, last: the key is gone and the tester port stays shut until reset.
        if self.esc() {
            self.key = [0; 8];
            self.key_loaded = false;
            self.tst_ok = false;
        }
    }

    fn start_program(&mut self, now: u64, addr: usize, pattern: u64) {
        self.engine = Some(Program {
            start: now,
            addr,
            pattern,
        });
        self.programs += 1;
    }

    fn apply(&mut self, action: Action, now: u64) {
        match action {
            Action::Read(_) => {}
            Action::FuseRead { corrected, .. } => {
                if corrected {
                    self.corrected_now();
                }
            }
            Action::ClearErrInfo => self.err_info = 0,
            Action::DaiAddr(v) => self.dai_addr = v,
            Action::DaiWdata(v) => self.dai_wdata = v,
            Action::Program { addr, pattern, lc } => {
                self.start_program(now, addr as usize, pattern);
                if !lc {
                    if addr >= fusemap::LOCK_BASE {
                        self.locks |= 1 << (addr - fusemap::LOCK_BASE);
                    }
                    if fusemap::SVN.contains(addr) {
                        self.svn_count += 1;
                    }
                    if addr < fusemap::OWNER.first {
                        self.key_loaded = false;
                    }
                    if addr == fusemap::TST_DISABLE {
                        self.tst_ok = false;
                    }
                    self.dai_wdata = 0;
                }
            }
            Action::KeyLoad(slot) => {
                self.key_loaded = false;
                self.key_slot = slot;
                self.key_load = Some(KeyLoad {
                    start: now,
                    slot,
                    bad: false,
                });
            }
        }
    }
}

impl Dut for OtpModel {
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
            PREADY | PRDATA | PSLVERR => {
                let step = self.access_phase().then(|| self.check(&self.request()));
                match (port, step) {
                    (PREADY, Some(Step::Wait)) => 0,
                    (PREADY, _) => 1,
                    (PRDATA, Some(Step::Done(Ok(Action::Read(v))))) => v,
                    (PRDATA, Some(Step::Done(Ok(Action::FuseRead { data, .. })))) => data,
                    (PSLVERR, Some(Step::Done(Err(_)))) => 1,
                    _ => 0,
                }
            }
            KEY_OUT => {
                if self.key_valid_out() {
                    let n = value.len().min(8);
                    value[..n].copy_from_slice(&self.key[..n]);
                }
                return;
            }
            KEY_VALID => self.key_valid_out() as u32,
            // Parity of each `key_out` word (so 0 while `key_out` is 0).
            KEY_PAR => {
                let key = if self.key_valid_out() { self.key } else { [0; 8] };
                crate::key_parity(&key)
            }
            LC_STATE => self.lc_state_pin(),
            DEBUG_EN => self.debug_en_pin() as u32,
            SVN_OUT => self.svn_out(),
            FATAL => self.fatal_out() as u32,
            TST_BUSY => self.engine.is_some() as u32,
            // Faults in the RTL's own state: a model has none.
            ALERT_FATAL => 0,
            ALERT_RECOV => self.alert_recov as u32,
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
        self.rising_edge(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_apb::{Apb, Done};
    use pluton_regs::otp::fusemap::*;
    use pluton_regs::otp::regs::{self as r};
    use pluton_regs::otp::regs::{
        CMD, CONFIG, DAI_ADDR, DAI_WDATA, ECC_CORRECTED, ERR_INFO, ERR_INFO_CODE, FATAL_PARTS, FUSE, LOCKS, STATUS,
        STATUS_BUSY, STATUS_INTERRUPTED, STATUS_READY, SVN as SVN_REG, SVN_COUNT, SVN_VALUE,
    };

    /// Drive the tester port: program each (word, raw) pair, then release `tst_en` (the scan
    /// follows). Returns with the model in service again.
    fn preload(m: &mut OtpModel, apb: &mut Apb, words: &[(u32, u64)]) {
        m.poke_u32(TST_EN, 1);
        for &(w, raw) in words {
            m.poke_u32(TST_ADDR, w);
            m.poke(TST_WDATA, &[raw as u32, (raw >> 32) as u32]);
            m.poke_u32(TST_WE, 1);
            // The port opens only after the scan: hold tst_we until the engine starts.
            for _ in 0..=r::INIT_CYCLES + 1 {
                apb.step(m);
                if m.peek_u32(TST_BUSY) == 1 {
                    break;
                }
            }
            m.poke_u32(TST_WE, 0);
            assert_eq!(m.peek_u32(TST_BUSY), 1);
            while m.peek_u32(TST_BUSY) == 1 {
                apb.step(m);
            }
        }
        m.poke_u32(TST_EN, 0);
        wait_ready(m, apb);
    }

    fn wait_ready(m: &mut OtpModel, apb: &mut Apb) {
        for _ in 0..1000 {
            if m.ready() {
                return;
            }
            apb.step(m);
        }
        panic!("never READY");
    }

    fn setup(words: &[(u32, u64)]) -> (OtpModel, Apb) {
        let mut m = OtpModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        if words.is_empty() {
            wait_ready(&mut m, &mut apb);
        } else {
            preload(&mut m, &mut apb, words);
        }
        (m, apb)
    }

    fn code(m: &mut OtpModel, apb: &mut Apb) -> u32 {
        let c = ERR_INFO_CODE.get(apb.read(m, ERR_INFO.offset).data);
        assert!(!apb.write(m, ERR_INFO.offset, 0).err);
        c
    }

    fn program(m: &mut OtpModel, apb: &mut Apb, w: u32, data: u32) -> Done {
        assert!(!apb.write(m, DAI_ADDR.offset, w).err);
        assert!(!apb.write(m, DAI_WDATA.offset, data).err);
        apb.write(m, CMD.offset, r::OP_PROGRAM)
    }

    fn wait_idle(m: &mut OtpModel, apb: &mut Apb) {
        while STATUS_BUSY.get(apb.read(m, STATUS.offset).data) == 1 {}
    }

    /// The key of slot 0 for tests, and the image words that provision it (locked, DEV).
    fn provisioned() -> (Vec<u32>, Vec<(u32, u64)>) {
        let key: Vec<u32> = (0..8)
            .map(|i| 0x0102_0304u32.wrapping_mul(i + 1) ^ 0xa5a5_0000)
            .collect();
        let mut words: Vec<(u32, u64)> = key
            .iter()
            .enumerate()
            .map(|(i, &k)| (i as u32, program_pattern(k)))
            .collect();
        words.push((LOCK_BASE, program_pattern(LOCK_MAGIC)));
        words.push((LC_DEV, program_pattern(LC_DEV_MAGIC)));
        (key, words)
    }

    #[test]
    fn port_list_matches_readme() {
        let m = OtpModel::new();
        assert_eq!(m.ports().len(), 27);
        assert_eq!(m.port_id("tst_wdata"), Some(12));
        assert_eq!(m.ports()[12].words(), 2);
        assert_eq!(m.port_id("tst_busy"), Some(23));
        for (name, id, width) in [("esc", ESC, 1), ("key_par", KEY_PAR, 8), ("alert_fatal", ALERT_FATAL, 1), ("alert_recov", ALERT_RECOV, 1)] {
            assert_eq!(m.port_id(name), Some(id), "{name}");
            assert_eq!(m.ports()[id].width, width, "{name}");
        }
        assert_eq!(m.name(), "pluton_otp");
    }

    #[test]
    fn ready_after_55_edges_blank_image() {
        let mut m = OtpModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        for _ in 0..54 {
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_INVALID);
        assert_eq!(m.peek_u32(SVN_OUT), 16);
        apb.step(&mut m);
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_BLANK);
        assert_eq!(m.peek_u32(DEBUG_EN), 1);
        assert_eq!(m.peek_u32(SVN_OUT), 0);
        assert_eq!(m.peek_u32(FATAL), 0);
        assert_eq!(m.peek_u32(KEY_VALID), 0);
        // BLANK allows the tester port.
        assert_eq!(apb.read(&mut m, STATUS.offset).data, STATUS_READY.put(1) | r::STATUS_TST_OK.put(1));
        assert_eq!(apb.read(&mut m, r::ID.offset).data, r::BLOCK_ID);
    }

    #[test]
    fn tester_port_refused_on_a_dev_part() {
        let (_, words) = provisioned();
        let (mut m, mut apb) = setup(&words);
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_DEV);
        let programs = m.programs();
        m.poke_u32(TST_EN, 1);
        m.poke_u32(TST_ADDR, LC_SECURED);
        m.poke(TST_WDATA, &[LC_SECURED_MAGIC, (program_pattern(LC_SECURED_MAGIC) >> 32) as u32]);
        m.poke_u32(TST_WE, 1);
        for _ in 0..300 {
            apb.step(&mut m);
            assert_eq!(m.peek_u32(TST_BUSY), 0);
        }
        assert!(m.ready());
        assert_eq!(m.programs(), programs);
        let st = apb.read(&mut m, STATUS.offset).data;
        assert_eq!((r::STATUS_TST_OK.get(st), r::STATUS_TST_REFUSED.get(st)), (0, 1));
        m.poke_u32(TST_EN, 0);
        m.poke_u32(TST_WE, 0);
        apb.reset(&mut m);
        wait_ready(&mut m, &mut apb);
        assert_eq!(m.fuse(LC_SECURED as usize), 0);
        assert_eq!(r::STATUS_TST_REFUSED.get(apb.read(&mut m, STATUS.offset).data), 0);
    }

    #[test]
    fn tst_en_from_reset_scans_first_and_ready_never_pulses() {
        let mut m = OtpModel::new();
        let mut apb = Apb::new(&m);
        m.poke_u32(TST_EN, 1);
        m.poke_u32(TST_WE, 1);
        m.poke_u32(TST_ADDR, 0x10);
        m.poke(TST_WDATA, &[1, (program_pattern(1) >> 32) as u32]);
        apb.reset(&mut m); // the next edge (1) starts the scan
        let mut edge = 0;
        while m.peek_u32(TST_BUSY) == 0 {
            assert!(!m.ready(), "READY after edge {edge}");
            apb.step(&mut m);
            edge += 1;
        }
        assert_eq!(edge, r::INIT_CYCLES + 2);
        // TST_DISABLE from software closes the port at once.
        m.poke_u32(TST_WE, 0);
        m.poke_u32(TST_EN, 0);
        wait_ready(&mut m, &mut apb);
        wait_idle(&mut m, &mut apb);
        assert!(!program(&mut m, &mut apb, TST_DISABLE, 0).err);
        assert_eq!(r::STATUS_TST_OK.get(apb.read(&mut m, STATUS.offset).data), 0);
    }

    #[test]
    fn provisioned_key_port() {
        let (key, words) = provisioned();
        let (mut m, mut apb) = setup(&words);
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_DEV);
        assert_eq!(m.peek_u32(KEY_VALID), 1);
        let mut out = [0u32; 8];
        m.peek(KEY_OUT, &mut out);
        assert_eq!(out.to_vec(), key);
        assert_eq!(apb.read(&mut m, LOCKS.offset).data, 1);
        // Secrets never read over APB.
        let rd = apb.read(&mut m, FUSE.addr(3));
        assert_eq!((rd.data, rd.err, rd.waits), (0, true, 0));
        assert_eq!(code(&mut m, &mut apb), r::ERR_RDLOCKED);
        // KEY_LOAD slot 1 (blank seed): key_valid drops for 9 edges then comes back with zeros.
        assert!(
            !apb.write(&mut m, CMD.offset, r::OP_KEY_LOAD | r::CMD_KEY_SLOT.put(1))
                .err
        );
        let k = apb.edges;
        assert_eq!(m.peek_u32(KEY_VALID), 0);
        while apb.edges < k + r::KEY_LOAD_CYCLES as u64 - 1 {
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(KEY_VALID), 0);
        apb.step(&mut m);
        assert_eq!(m.peek_u32(KEY_VALID), 1);
        m.peek(KEY_OUT, &mut out);
        assert_eq!(out, [0; 8]);
    }

    use crate::key_parity as parity;

    fn key_out(m: &mut OtpModel) -> Vec<u32> {
        let mut out = [0xdead_beef; 8];
        m.peek(KEY_OUT, &mut out);
        out.to_vec()
    }

    #[test]
    fn key_par_is_the_parity_of_key_out() {
        let (key, words) = provisioned();
        let (mut m, mut apb) = setup(&words);
        assert_eq!(key_out(&mut m), key);
        assert_eq!(m.peek_u32(KEY_PAR), parity(&key));
        assert_ne!(parity(&key), 0);
        // key_out 0 while a KEY_LOAD runs: key_par 0 too.
        assert!(!apb.write(&mut m, CMD.offset, r::OP_KEY_LOAD).err);
        assert_eq!((m.peek_u32(KEY_VALID), m.peek_u32(KEY_PAR)), (0, 0));
        wait_idle(&mut m, &mut apb);
        assert_eq!(m.peek_u32(KEY_PAR), parity(&key));
    }

    #[test]
    fn escalation_withdraws_key_life_cycle_and_debug() {
        let (key, words) = provisioned();
        let (mut m, mut apb) = setup(&words);
        assert_eq!((m.peek_u32(KEY_VALID), m.peek_u32(LC_STATE), m.peek_u32(DEBUG_EN)), (1, LC_STATE_DEV, 1));
        let lc_reg = apb.read(&mut m, r::LC_STATE.offset).data;
        assert_eq!(lc_reg, r::LC_STATE_STATE.put(LC_STATE_DEV) | r::LC_STATE_DEBUG_EN.put(1));
        // In the very cycle esc rises.
        m.poke_u32(ESC, 1);
        assert_eq!(m.peek_u32(KEY_VALID), 0);
        assert_eq!(key_out(&mut m), [0; 8]);
        assert_eq!(m.peek_u32(KEY_PAR), 0);
        assert_eq!((m.peek_u32(LC_STATE), m.peek_u32(DEBUG_EN)), (LC_STATE_INVALID, 0));
        assert_eq!((m.peek_u32(ALERT_FATAL), m.peek_u32(ALERT_RECOV)), (0, 0));
        // STATUS.KEY_VALID follows the pin; the LC_STATE register does not.
        assert_eq!(r::STATUS_KEY_VALID.get(apb.read(&mut m, STATUS.offset).data), 0);
        assert_eq!(apb.read(&mut m, r::LC_STATE.offset).data, lc_reg);
        // The edges with esc cleared the key register: without esc (in the system only reset
        // drops it) the pins are back but the key is not, until a KEY_LOAD.
        m.poke_u32(ESC, 0);
        assert_eq!((m.peek_u32(KEY_VALID), m.peek_u32(LC_STATE), m.peek_u32(DEBUG_EN)), (0, LC_STATE_DEV, 1));
        assert_eq!(m.key, [0; 8]);
        assert!(!apb.write(&mut m, CMD.offset, r::OP_KEY_LOAD).err);
        wait_idle(&mut m, &mut apb);
        assert_eq!(m.peek_u32(KEY_VALID), 1);
        assert_eq!(key_out(&mut m), key);
        // A KEY_LOAD that runs under esc ends with no key.
        assert!(!apb.write(&mut m, CMD.offset, r::OP_KEY_LOAD).err);
        m.poke_u32(ESC, 1);
        for _ in 0..r::KEY_LOAD_CYCLES {
            apb.step(&mut m);
        }
        m.poke_u32(ESC, 0);
        wait_idle(&mut m, &mut apb);
        assert_eq!((m.peek_u32(KEY_VALID), m.key), (0, [0; 8]));
        // Reset and the scan bring it all back.
        apb.reset(&mut m);
        wait_ready(&mut m, &mut apb);
        assert_eq!(key_out(&mut m), key);
    }

    #[test]
    fn escalation_shuts_the_tester_port() {
        let (mut m, mut apb) = setup(&[]);
        let status = |m: &mut OtpModel, apb: &mut Apb| {
            let st = apb.read(m, STATUS.offset).data;
            (r::STATUS_TST_OK.get(st), r::STATUS_TST_REFUSED.get(st))
        };
        // BLANK: the port is allowed.
        assert_eq!(status(&mut m, &mut apb), (1, 0));
        let programs = m.programs();
        m.poke_u32(ESC, 1);
        m.poke_u32(TST_EN, 1);
        m.poke_u32(TST_ADDR, OWNER_KEY_HASH);
        m.poke(TST_WDATA, &[1, (program_pattern(1) >> 32) as u32]);
        m.poke_u32(TST_WE, 1);
        // Not OPEN: refused from the first edge (TST_OK still 1 before it), and ignored;
        // READY stays, the controller serves the bus.
        apb.step(&mut m);
        assert!(m.tst_refused);
        for _ in 0..2 * r::INIT_CYCLES {
            apb.step(&mut m);
            assert_eq!(m.peek_u32(TST_BUSY), 0);
            assert!(m.ready());
        }
        assert_eq!(status(&mut m, &mut apb), (0, 1));
        assert!(!apb.read(&mut m, FUSE.addr(OWNER_KEY_HASH)).err);
        // TST_OK was cleared: the port stays shut without esc, until the next scan.
        m.poke_u32(ESC, 0);
        for _ in 0..10 {
            apb.step(&mut m);
            assert_eq!(m.peek_u32(TST_BUSY), 0);
        }
        assert_eq!(m.programs(), programs);
        assert_eq!(m.fuse(OWNER_KEY_HASH as usize), 0);
        m.poke_u32(TST_EN, 0);
        m.poke_u32(TST_WE, 0);
        apb.reset(&mut m);
        wait_ready(&mut m, &mut apb);
        assert_eq!(status(&mut m, &mut apb), (1, 0));
    }

    #[test]
    fn corrected_words_pulse_alert_recov() {
        let key_word = 2;
        let owner_word = OWNER_KEY_HASH + 3;
        let (mut m, mut apb) = setup(&[
            (key_word, program_pattern(0x600d_1dea) ^ 1 << 7),
            (owner_word, program_pattern(0xCAFE_F00D) ^ 1 << 38),
            (OWNER_KEY_HASH, program_pattern(0x1234)),
        ]);
        // The scan: word w is taken in at edge S+2+w, S the first edge after reset.
        apb.reset(&mut m);
        let pulses: Vec<u32> = (1..=r::INIT_CYCLES + 3)
            .filter(|_| {
                apb.step(&mut m);
                m.peek_u32(ALERT_RECOV) == 1
            })
            .collect();
        assert_eq!(pulses, [3 + key_word, 3 + owner_word]);
        assert_eq!(apb.read(&mut m, ECC_CORRECTED.offset).data, 2);
        // A corrected FUSE read: one pulse, after its completion edge; a clean one none.
        let rd = apb.read(&mut m, FUSE.addr(owner_word));
        assert_eq!((rd.data, rd.err), (0xCAFE_F00D, false));
        assert_eq!(m.peek_u32(ALERT_RECOV), 1);
        apb.step(&mut m);
        assert_eq!(m.peek_u32(ALERT_RECOV), 0);
        assert!(!apb.read(&mut m, FUSE.addr(OWNER_KEY_HASH)).err);
        assert_eq!(m.peek_u32(ALERT_RECOV), 0);
        assert_eq!(apb.read(&mut m, ECC_CORRECTED.offset).data, 3);
        // KEY_LOAD: word j at edge K+2+j.
        assert!(!apb.write(&mut m, CMD.offset, r::OP_KEY_LOAD).err);
        let k = apb.edges;
        let pulses: Vec<u64> = (1..=r::KEY_LOAD_CYCLES as u64 + 2)
            .filter(|_| {
                apb.step(&mut m);
                m.peek_u32(ALERT_RECOV) == 1
            })
            .collect();
        assert_eq!(pulses, [2 + key_word as u64]);
        assert_eq!(apb.edges, k + r::KEY_LOAD_CYCLES as u64 + 2);
        assert_eq!(apb.read(&mut m, ECC_CORRECTED.offset).data, 4);
        // Saturated: the count does not move, the pulse still comes.
        m.ecc_corrected = r::ECC_COUNT_MAX;
        assert!(!apb.read(&mut m, FUSE.addr(owner_word)).err);
        assert_eq!(m.peek_u32(ALERT_RECOV), 1);
        assert_eq!(apb.read(&mut m, ECC_CORRECTED.offset).data, r::ECC_COUNT_MAX);
        // Reset clears it at once.
        assert!(!apb.read(&mut m, FUSE.addr(owner_word)).err);
        m.poke_u32(RST_N, 0);
        assert_eq!(m.peek_u32(ALERT_RECOV), 0);
    }

    #[test]
    fn program_sequence_and_cycle_count() {
        let (mut m, mut apb) = setup(&[]);
        let done = program(&mut m, &mut apb, OWNER_KEY_HASH + 2, 0x1234_5678);
        assert_eq!((done.err, done.waits), (false, r::CMD_PROGRAM_WAITS));
        let p = apb.edges;
        assert_eq!(m.peek_u32(TST_BUSY), 1);
        // Busy through edge P + 160, idle after it.
        while apb.edges < p + r::PROG_CYCLES as u64 {
            assert_eq!(m.peek_u32(TST_BUSY), 1, "edge {}", apb.edges - p);
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(TST_BUSY), 0);
        assert_eq!(m.fuse((OWNER_KEY_HASH + 2) as usize), program_pattern(0x1234_5678));
        let rd = apb.read(&mut m, FUSE.addr(OWNER_KEY_HASH + 2));
        assert_eq!((rd.data, rd.err, rd.waits), (0x1234_5678, false, r::FUSE_READ_WAITS));
        // A different value cannot overwrite it; the same value can.
        let done = program(&mut m, &mut apb, OWNER_KEY_HASH + 2, 0);
        assert!(done.err);
        assert_eq!(done.waits, 1);
        assert_eq!(code(&mut m, &mut apb), r::ERR_ONE_TO_ZERO);
        assert!(!program(&mut m, &mut apb, OWNER_KEY_HASH + 2, 0x1234_5678).err);
        // Busy: another command and a FUSE read are refused at once.
        let rd = apb.read(&mut m, FUSE.addr(OWNER_KEY_HASH));
        assert_eq!((rd.err, rd.waits), (true, 0));
        assert_eq!(code(&mut m, &mut apb), r::ERR_BUSY);
    }

    #[test]
    fn bit_serial_program_interrupted_by_reset_then_completed() {
        let (mut m, mut apb) = setup(&[]);
        let w = CONFIG_FIRST + 1;
        let data = 0xFFFF_FFFF;
        assert!(!program(&mut m, &mut apb, w, data).err);
        let p = apb.edges;
        // Reset after edge P + 4*10: slots 0..9 written.
        while apb.edges < p + 40 {
            apb.step(&mut m);
        }
        apb.reset(&mut m);
        assert_eq!(m.fuse(w as usize), program_pattern(data) & 0x3FF);
        wait_ready(&mut m, &mut apb);
        assert_eq!(m.peek_u32(FATAL), 1);
        let st = apb.read(&mut m, STATUS.offset).data;
        assert_eq!(STATUS_INTERRUPTED.get(st), 1);
        assert_eq!(apb.read(&mut m, FATAL_PARTS.offset).data, 1 << fusemap::CONFIG.index);
        assert_eq!(apb.read(&mut m, CONFIG.addr(1)).data, 0);
        // The interrupted word itself: ERR_ECC, after the two wait states.
        let rd = apb.read(&mut m, FUSE.addr(w));
        assert_eq!((rd.data, rd.err, rd.waits), (0, true, r::FUSE_READ_WAITS));
        assert_eq!(code(&mut m, &mut apb), r::ERR_ECC);
        // A good word of the FATAL partition: ERR_FATAL, also after the wait states.
        let rd = apb.read(&mut m, FUSE.addr(CONFIG_FIRST));
        assert_eq!((rd.data, rd.err, rd.waits), (0, true, r::FUSE_READ_WAITS));
        assert_eq!(code(&mut m, &mut apb), r::ERR_FATAL);
        // Re-programming the same value completes the word; the next scan sees it clean.
        assert!(!program(&mut m, &mut apb, w, data).err);
        wait_idle(&mut m, &mut apb);
        apb.reset(&mut m);
        wait_ready(&mut m, &mut apb);
        assert_eq!(m.peek_u32(FATAL), 0);
        assert_eq!(apb.read(&mut m, CONFIG.addr(1)).data, data);
    }

    #[test]
    fn ecc_single_error_corrected_double_error_fatal() {
        let good = program_pattern(0xCAFE_F00D);
        let (mut m, mut apb) = setup(&[(OWNER_KEY_HASH, good ^ 1 << 5), (CONFIG_FIRST, good ^ 0b11)]);
        assert_eq!(apb.read(&mut m, ECC_CORRECTED.offset).data, 1);
        assert_eq!(apb.read(&mut m, FATAL_PARTS.offset).data, 1 << fusemap::CONFIG.index);
        let rd = apb.read(&mut m, FUSE.addr(OWNER_KEY_HASH));
        assert_eq!((rd.data, rd.err), (0xCAFE_F00D, false));
        assert_eq!(apb.read(&mut m, ECC_CORRECTED.offset).data, 2);
    }

    #[test]
    fn svn_thermometer_and_lock() {
        let (mut m, mut apb) = setup(&[]);
        // Not the next word, or not all ones: ERR_VALUE.
        assert!(program(&mut m, &mut apb, SVN_FIRST + 1, SVN_WORD).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_VALUE);
        assert!(program(&mut m, &mut apb, SVN_FIRST, 7).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_VALUE);
        assert!(!program(&mut m, &mut apb, SVN_FIRST, SVN_WORD).err);
        // COUNT and svn move at once.
        assert_eq!(m.peek_u32(SVN_OUT), 1);
        let v = apb.read(&mut m, SVN_REG.offset).data;
        assert_eq!((SVN_VALUE.get(v), SVN_COUNT.get(v)), (1, 1));
        wait_idle(&mut m, &mut apb);
        // Lock the SVN partition: at once.
        assert!(program(&mut m, &mut apb, LOCK_BASE + 2, 1).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_VALUE);
        assert!(!program(&mut m, &mut apb, LOCK_BASE + 2, LOCK_MAGIC).err);
        assert_eq!(apb.read(&mut m, LOCKS.offset).data, 1 << 2);
        wait_idle(&mut m, &mut apb);
        assert!(program(&mut m, &mut apb, SVN_FIRST + 1, SVN_WORD).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_LOCKED);
        // LC words only through LC_TRANSITION; reserved words unmapped.
        assert!(program(&mut m, &mut apb, LC_DEV, LC_DEV_MAGIC).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_ACCESS);
        assert!(program(&mut m, &mut apb, 0x35, 0).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_UNMAPPED);
    }

    #[test]
    fn lc_transitions_take_effect_at_the_next_scan() {
        let (mut m, mut apb) = setup(&[]);
        let lc = |t: u32| r::OP_LC_TRANSITION | r::CMD_LC_TARGET.put(t);
        assert!(apb.write(&mut m, CMD.offset, lc(2)).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_LC);
        let d = apb.write(&mut m, CMD.offset, lc(1));
        assert_eq!((d.err, d.waits), (false, 1));
        wait_idle(&mut m, &mut apb);
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_BLANK);
        assert_eq!(m.fuse(LC_DEV as usize), program_pattern(LC_DEV_MAGIC));
        apb.reset(&mut m);
        wait_ready(&mut m, &mut apb);
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_DEV);
        assert!(!apb.write(&mut m, CMD.offset, lc(2)).err);
        wait_idle(&mut m, &mut apb);
        apb.reset(&mut m);
        wait_ready(&mut m, &mut apb);
        assert_eq!(m.peek_u32(LC_STATE), LC_STATE_SECURED);
        assert_eq!(m.peek_u32(DEBUG_EN), 0);
    }

    #[test]
    fn bad_input() {
        let (mut m, mut apb) = setup(&[]);
        let r1 = apb.transfer(&mut m, false, r::ID.offset, 0, 0, 1);
        assert!(r1.err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_MASTER);
        assert!(apb.read(&mut m, 0x2C).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_UNMAPPED);
        assert!(apb.read(&mut m, FUSE.addr(0x35)).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_UNMAPPED);
        assert!(apb.read(&mut m, CMD.offset).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_READ_WO);
        assert!(apb.write(&mut m, STATUS.offset, 0).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_WRITE_RO);
        assert!(apb.write_strb(&mut m, DAI_ADDR.offset, 0, 0b0111).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_STRB);
        assert!(apb.write(&mut m, DAI_ADDR.offset, 0x40).err);
        assert_eq!(code(&mut m, &mut apb), r::ERR_VALUE);
        for bad in [0, 4, 0x23, 0x103, 0x402, 0x12] {
            assert!(apb.write(&mut m, CMD.offset, bad).err, "CMD 0x{bad:x}");
            assert_eq!(code(&mut m, &mut apb), r::ERR_VALUE, "CMD 0x{bad:x}");
        }
        // tst_en takes the controller out of service.
        m.poke_u32(TST_EN, 1);
        assert!(apb.write(&mut m, CMD.offset, r::OP_KEY_LOAD).err);
        m.poke_u32(TST_EN, 0);
        assert_eq!(code(&mut m, &mut apb), r::ERR_BUSY);
        assert!(!m.ready());
        wait_ready(&mut m, &mut apb);
    }
}
