//! Cycle-accurate, port-level reference model of the SHA-256/HMAC engine (`pluton_sha256`), written from its README.
//!
//! The model follows `rust-hdl-src/src/sha256/README.md` (the behavioural and timing contract) and
//! the register map in `pluton_regs::sha256::regs`. It never looks at the RTL.
//!
//! How it is built:
//! - `poke` only stores input values (and applies the asynchronous reset).
//! - `peek` of an output is combinational: it is computed from the registered state and the
//!   current inputs, exactly like `pready`/`prdata`/`pslverr` in the APB access phase.
//! - `step` is one rising edge: everything is decided from the state *before* the edge
//!   (the completing APB transfer, which block to dispatch, which block finishes), then applied.
//!
//! The model does not compress blocks itself. It only keeps the timing (which block goes to the
//! core at which edge, how full the buffer is) and the message bytes; when the last block
//! finishes, the digest is computed with `ring` over the whole message.
//!
//! Outside the APB access phase (`psel & penable`) the bus outputs are `pready = 1`,
//! `prdata = 0`, `pslverr = 0`. During a wait state (`pready = 0`) `pslverr` and `prdata` are 0
//! too, as the AMBA APB spec recommends: the error is shown only in the cycle that completes.
//! (Only MSG/MSG_LAST writes without error ever wait, so this only matters for their `prdata`.)
//!
//! Where the README leaves a choice, the model takes this one:
//! - ABORT wins at its edge: no block finishes and none is dispatched at that edge, and the
//!   core is free again at the very next edge (the dropped block does not hold the 66-edge interval).
//! - `key_in` (KEY_SEL=1) and KEY[0..16] (KEY_SEL=0) are read once, when `K0 ^ ipad` is dispatched;
//!   the `K0 ^ opad` block uses the same key (the README requires `key_in` to stay stable).
//! - BUF_WORDS counts a partial word as a word; the buffer (and BUF_WORDS) is emptied when the
//!   first padding block is dispatched (the second padding block holds no message bytes).
//! - A partial word can only be continued while ACTIVE (`k` of bus rule 3 is 0 in any other
//!   phase), so after FINISH a MSG write with a lane-0 strobe is ERR_SEQ, any other ERR_STRB.
//! - A CMD write with a bad value is ERR_VALUE before any phase check (ERR_SEQ/ERR_BUSY/ERR_KEY).
//! - Before the first `rst_n` high the model is in reset (all inputs start at 0).
//! - `clear` (a change of owner) is applied after everything else at its edge: the completing
//!   transfer's effects (or its logged error) first, then ABORT, the KEY wipe and the starter
//!   reset; like ABORT, nothing finishes or is dispatched at that edge.
//!
//! Hardening (alert contract): `key_par[i]` is the even parity of sideload key word i. An edge
//! with `key_valid` and a `key_par` that disagrees sets a sticky fault flag, `alert_fatal`. While
//! `esc` or `alert_fatal` is 1 every edge acts as one with `clear` (effective clear =
//! `clear | esc | alert_fatal | mismatch`): the edge that sees the mismatch already clears the
//! engine (the bad key must not finish a block), and every edge after it until reset.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
/// One APB request as seen on the inputs (the one the protocol check latches).
type Request = ApbRequest;
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::common::masters::MASTER_SEC;
use pluton_regs::sha256::regs::{self, MAP};

/// Bytes in one SHA-256 block (and in the message buffer: 16 words of 4 bytes).
const BLOCK_BYTES: u32 = 64;
/// The most message bytes a single padding block can carry (64 - 1 byte of 0x80 - 8 length bytes).
const ONE_PAD_BLOCK_MAX: u32 = 55;

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
const KEY_IN: usize = 9;
const KEY_VALID: usize = 10;
const CLEAR: usize = 11;
const ESC: usize = 12;
const KEY_PAR: usize = 13;
const PRDATA: usize = 14;
const PREADY: usize = 15;
const PSLVERR: usize = 16;
const INTR_DONE: usize = 17;
const ALERT_FATAL: usize = 18;
const DIGEST_OUT: usize = 19;
const DIGEST_VALID: usize = 20;
const DIGEST_MASTER: usize = 21;

/// (name, direction, width) of every port, in declaration order.
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
    ("key_in", Dir::In, 256),
    ("key_valid", Dir::In, 1),
    ("clear", Dir::In, 1),
    ("esc", Dir::In, 1),
    ("key_par", Dir::In, 8),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("intr_done", Dir::Out, 1),
    ("alert_fatal", Dir::Out, 1),
    ("digest_out", Dir::Out, 256),
    ("digest_valid", Dir::Out, 1),
    ("digest_master", Dir::Out, 4),
];

/// Operation phase, as named in the README.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// After reset or ABORT.
    Idle,
    /// After START: accepting message data.
    Active,
    /// After FINISH/MSG_LAST: padding and, for HMAC, the outer hash.
    Finishing,
    /// The digest is valid.
    Done,
}

/// A block handed to the compression core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// HMAC `K0 ^ ipad`.
    KeyIpad,
    /// A full message buffer (16 words).
    Buffer,
    /// First padding block, built from what is left in the buffer.
    Pad1,
    /// Second padding block (only when the buffer held more than 55 bytes).
    Pad2,
    /// HMAC `K0 ^ opad`.
    KeyOpad,
    /// HMAC outer block: inner digest + padding.
    Outer,
}

/// The blocks that still have to go once the phase is FINISHING, after any full buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tail {
    Pad1,
    Pad2,
    KeyOpad,
    Outer,
    Nothing,
}

/// The block currently in the compression core.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    /// Edge at which the core finishes the block (dispatch edge + BLOCK_LATENCY).
    finish_at: u64,
    /// Finishing this block makes the digest valid.
    last: bool,
}


/// What a transfer that passed every check does when it completes.
#[derive(Clone, Copy, Debug)]
enum Action {
    Read(u32),
    WriteCtrl(u32),
    WriteKey(usize, u32),
    ClearErrInfo,
    /// START, accepted from `master` (who alone may read the result).
    Start { master: u32 },
    Finish,
    Abort,
    WipeKey,
    /// MSG (`last = false`) or MSG_LAST (`last = true`): append `nbytes` bytes of `data` from
    /// lane `first_lane` up (`first_lane` is the `k` of bus rule 3).
    Msg {
        data: u32,
        first_lane: u32,
        nbytes: u32,
        last: bool,
    },
}

/// Port-level model of `pluton_sha256`.
pub struct Sha256Model {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,

    // Software-visible registers.
    ctrl: u32,
    key: [u32; 16],
    err_info: u32,
    guard: ApbGuardModel,
    /// `alert_fatal`: `key_par` once disagreed with `key_in` while `key_valid`; sticky until reset.
    key_fault: bool,

    // The running operation.
    phase: Phase,
    /// CTRL as latched by START.
    op_ctrl: u32,
    /// `STARTER`: pmaster of the last accepted START, the only master DIGEST answers; the
    /// security core's after reset and after `clear`.
    starter: u32,
    /// HMAC: the `K0 ^ ipad` block has not been dispatched yet.
    key_block_pending: bool,
    /// Message bytes in the buffer, 0..=64 (a partial word counts its bytes only).
    buf_bytes: u32,
    /// Bytes in the partial word (0: none, the next MSG write starts a new word at lane 0).
    partial_bytes: u32,
    /// The core is reading the buffer (a Buffer or Pad1 block); it is cleared at this edge.
    drain_until: Option<u64>,
    tail: Tail,
    /// Every message byte accepted since START (the digest is computed over it at the end).
    message: Vec<u8>,
    /// HMAC key, taken when the key block is dispatched.
    hmac_key: Vec<u8>,
    digest: [u32; 8],
    digest_valid: bool,

    // Compression core timing.
    /// Rising edges processed since the model was created (reset does not clear it).
    edge: u64,
    in_flight: Option<InFlight>,
    /// First edge at which the core may take another block.
    core_free_at: u64,

    // Statistics, for tests and reports.
    blocks_dispatched: u64,
    stall_edges: u64,
}

impl Default for Sha256Model {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256Model {
    /// A model with all inputs low, hence held in reset until `rst_n` is driven high.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let mut model = Sha256Model {
            ports,
            inputs,
            ctrl: 0,
            key: [0; 16],
            err_info: 0,
            guard: ApbGuardModel::default(),
            key_fault: false,
            phase: Phase::Idle,
            op_ctrl: 0,
            starter: MASTER_SEC,
            key_block_pending: false,
            buf_bytes: 0,
            partial_bytes: 0,
            tail: Tail::Nothing,
            message: Vec::new(),
            hmac_key: Vec::new(),
            digest: [0; 8],
            digest_valid: false,
            edge: 0,
            in_flight: None,
            core_free_at: 0,
            blocks_dispatched: 0,
            stall_edges: 0,
            drain_until: None,
        };
        model.reset();
        model
    }

    /// Current operation phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// Rising edges seen so far (including edges held in reset).
    pub fn edges(&self) -> u64 {
        self.edge
    }
    /// Blocks handed to the compression core since the model was created.
    pub fn blocks_dispatched(&self) -> u64 {
        self.blocks_dispatched
    }
    /// Edges at which an APB access was held with `pready = 0`.
    pub fn stall_edges(&self) -> u64 {
        self.stall_edges
    }
    /// Words in the message buffer, as STATUS.BUF_WORDS shows them.
    pub fn buf_words(&self) -> u32 {
        self.buf_bytes.div_ceil(4)
    }

    /// Reset values of every register and of the operation state (inputs are kept).
    fn reset(&mut self) {
        self.ctrl = regs::CTRL.reset;
        self.key = [0; 16];
        self.err_info = regs::ERR_INFO.reset;
        self.clear_operation();
        self.phase = Phase::Idle;
        self.op_ctrl = 0;
        self.starter = MASTER_SEC;
        self.guard.reset();
        self.key_fault = false;
    }

    /// `clear`: the window has a new owner. ABORT, wipe KEY, forget the starter, clear ERR_INFO.
    fn owner_changed(&mut self) {
        self.clear_operation();
        self.phase = Phase::Idle;
        self.key = [0; 16];
        self.starter = MASTER_SEC;
        self.err_info = 0;
    }

    /// What START and ABORT both clear: buffer, digest, MSG_LEN, pending and in-flight blocks.
    fn clear_operation(&mut self) {
        self.key_block_pending = false;
        self.buf_bytes = 0;
        self.partial_bytes = 0;
        self.drain_until = None;
        self.tail = Tail::Nothing;
        self.message.clear();
        self.hmac_key.clear();
        self.digest = [0; 8];
        self.digest_valid = false;
        // An in-flight compression is dropped and the core is free at once.
        self.in_flight = None;
        self.core_free_at = 0;
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn in_reset(&self) -> bool {
        self.input(RST_N) == 0
    }
    /// The effective `clear`: a change of owner, escalation (`esc`) or our own key-path fault
    /// all leave the engine as an owner change does, in every cycle they last.
    fn clear_now(&self) -> bool {
        self.input(CLEAR) == 1 || self.input(ESC) == 1 || self.key_fault || self.key_par_mismatch()
    }
    /// `key_valid` with a `key_par` that is not the parity of `key_in`, word by word.
    fn key_par_mismatch(&self) -> bool {
        let par = crate::key_parity(&self.inputs[KEY_IN][..8]);
        self.input(KEY_VALID) == 1 && self.input(KEY_PAR) != par
    }
    /// APB access phase: the request is on the bus and may complete at the next edge.
    fn access_phase(&self) -> bool {
        !self.in_reset() && self.input(PSEL) == 1 && self.input(PENABLE) == 1
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
    fn hmac(&self) -> bool {
        regs::CTRL_HMAC_EN.get(self.op_ctrl) == 1
    }
    /// The digest port carries a finished plain SHA-256 digest, never an HMAC tag.
    fn digest_port_valid(&self) -> bool {
        self.digest_valid && !self.hmac()
    }
    fn buffer_full(&self) -> bool {
        self.buf_bytes == BLOCK_BYTES
    }
    /// The core reads a buffer block during its first 16 rounds; the buffer is busy until then.
    fn draining(&self) -> bool {
        self.drain_until.is_some()
    }

    /// The block dispatched at the coming edge, from the state before that edge.
    fn next_dispatch(&self) -> Option<Block> {
        let running = matches!(self.phase, Phase::Active | Phase::Finishing);
        let core_free = self.edge + 1 >= self.core_free_at;
        if !running || !core_free {
            return None;
        }
        // Priority: key block, then a full buffer, then (in FINISHING) padding and outer HMAC.
        if self.key_block_pending {
            Some(Block::KeyIpad)
        } else if self.buffer_full() && !self.draining() {
            Some(Block::Buffer)
        } else if self.phase == Phase::Finishing {
            match self.tail {
                Tail::Pad1 => Some(Block::Pad1),
                Tail::Pad2 => Some(Block::Pad2),
                Tail::KeyOpad => Some(Block::KeyOpad),
                Tail::Outer => Some(Block::Outer),
                Tail::Nothing => None,
            }
        } else {
            None
        }
    }

    /// `pready` for the request on the bus: low only for an error-free MSG/MSG_LAST write that
    /// starts a word and meets a full or draining buffer. A write continuing a partial word
    /// already has its slot, and an erroring transfer never waits.
    fn pready_now(&self) -> bool {
        if !self.access_phase() {
            return true;
        }
        let new_word = matches!(self.check(&self.request()), Ok(Action::Msg { first_lane: 0, .. }));
        let stalled = new_word && (self.buf_words() == 16 || self.draining());
        !stalled
    }

    /// `k` of bus rule 3: bytes already in the partial word, counted only while ACTIVE.
    fn first_free_lane(&self) -> u32 {
        if self.phase == Phase::Active {
            self.partial_bytes
        } else {
            0
        }
    }

    /// Value of a readable register.
    fn read_register(&self, reg: &Register, index: u32) -> u32 {
        match reg.offset {
            o if o == regs::CTRL.offset => self.ctrl,
            o if o == regs::STATUS.offset => {
                regs::STATUS_BUSY.put(self.in_flight.is_some() as u32)
                    | regs::STATUS_DIGEST_VALID.put(self.digest_valid as u32)
                    | regs::STATUS_MSG_READY.put((self.phase == Phase::Active) as u32)
                    | regs::STATUS_ERR.put((regs::ERR_INFO_CODE.get(self.err_info) != 0) as u32)
                    | regs::STATUS_BUF_WORDS.put(self.buf_words())
            }
            o if o == regs::ERR_INFO.offset => self.err_info,
            o if o == regs::MSG_LEN.offset => self.message.len() as u32,
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == regs::DIGEST.offset => {
                if self.digest_valid {
                    self.digest[index as usize]
                } else {
                    0
                }
            }
            _ => unreachable!("register {} is not readable", reg.name),
        }
    }

    /// The README's error checks, in its order, against the state before the edge.
    fn check(&self, req: &Request) -> Result<Action, u32> {
        // 0. The APB protocol.
        if self.guard.violation(self.input(PSEL) == 1, self.input(PENABLE) == 1, req) {
            return Err(regs::ERR_PROTOCOL);
        }
        // 1. Not word aligned or not mapped.
        let Some((reg, index)) = MAP.decode(req.paddr) else {
            return Err(regs::ERR_UNMAPPED);
        };
        // 2. Access direction.
        if !req.pwrite {
            return if !reg.access.readable() {
                Err(regs::ERR_READ_WO)
            } else if reg.offset == regs::DIGEST.offset && req.pmaster != self.starter {
                // 4. A result belongs to the master that started its operation.
                Err(regs::ERR_NOT_STARTER)
            } else {
                Ok(Action::Read(self.read_register(reg, index)))
            };
        }
        if !reg.access.writable() {
            return Err(regs::ERR_WRITE_RO);
        }
        // 3. Byte strobes: all four, except that message data may come in lane runs that
        //    continue the word from its first free lane.
        let is_msg = reg.offset == regs::MSG.offset || reg.offset == regs::MSG_LAST.offset;
        let first_lane = self.first_free_lane();
        let msg_run = lane_run_from(req.pstrb, first_lane);
        let strb_ok = if is_msg { msg_run.is_some() } else { req.pstrb == 0b1111 };
        if !strb_ok {
            return Err(regs::ERR_STRB);
        }
        // 4. Register-specific checks.
        let idle_or_done = matches!(self.phase, Phase::Idle | Phase::Done);
        let data = req.pwdata;
        match reg.offset {
            o if o == regs::CTRL.offset => {
                if idle_or_done {
                    // Only the defined fields are stored; other bits are ignored and read 0.
                    let fields = regs::CTRL.fields.iter().fold(0, |m, f| m | f.mask());
                    Ok(Action::WriteCtrl(data & fields))
                } else {
                    Err(regs::ERR_BUSY)
                }
            }
            o if o == regs::KEY.offset => {
                if idle_or_done {
                    Ok(Action::WriteKey(index as usize, data))
                } else {
                    Err(regs::ERR_BUSY)
                }
            }
            o if o == regs::ERR_INFO.offset => Ok(Action::ClearErrInfo),
            o if o == regs::CMD.offset => self.check_cmd(data, req.pmaster, idle_or_done),
            _ if is_msg => match (self.phase, msg_run) {
                (Phase::Active, Some(nbytes)) => Ok(Action::Msg {
                    data,
                    first_lane,
                    nbytes,
                    last: reg.offset == regs::MSG_LAST.offset,
                }),
                _ => Err(regs::ERR_SEQ),
            },
            _ => unreachable!("register {} is not writable", reg.name),
        }
    }

    fn check_cmd(&self, data: u32, master: u32, idle_or_done: bool) -> Result<Action, u32> {
        let one_bit = |f: &pluton_regs::common::regmap::Field| data == f.put(1);
        if one_bit(&regs::CMD_START) {
            let sideload = regs::CTRL_HMAC_EN.get(self.ctrl) == 1 && regs::CTRL_KEY_SEL.get(self.ctrl) == 1;
            if !idle_or_done {
                Err(regs::ERR_SEQ)
            } else if sideload && master != MASTER_SEC {
                // Only the security core uses the sideload key; checked before key_valid.
                Err(regs::ERR_KEY_MASTER)
            } else if sideload && self.input(KEY_VALID) == 0 {
                Err(regs::ERR_KEY)
            } else {
                Ok(Action::Start { master })
            }
        } else if one_bit(&regs::CMD_FINISH) {
            if self.phase == Phase::Active {
                Ok(Action::Finish)
            } else {
                Err(regs::ERR_SEQ)
            }
        } else if one_bit(&regs::CMD_ABORT) {
            Ok(Action::Abort)
        } else if one_bit(&regs::CMD_WIPE_KEY) {
            if idle_or_done {
                Ok(Action::WipeKey)
            } else {
                Err(regs::ERR_BUSY)
            }
        } else {
            // No bit, several bits, or an undefined bit.
            Err(regs::ERR_VALUE)
        }
    }

    /// Log an error in ERR_INFO: the first one since the last clear, later ones only set OVERFLOW.
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

    /// The HMAC key K0: the 32 bytes of `key_in` (KEY_SEL=1) or the 64 bytes of KEY[0..16]
    /// (KEY_SEL=0). `ring` zero-pads a key shorter than a block, exactly as K0 is defined.
    fn take_hmac_key(&self) -> Vec<u8> {
        if regs::CTRL_KEY_SEL.get(self.op_ctrl) == 1 {
            le_bytes(&self.inputs[KEY_IN])
        } else {
            le_bytes(&self.key)
        }
    }

    /// The block `block` enters the core at edge `now`.
    fn dispatch(&mut self, block: Block, now: u64) {
        let hmac = self.hmac();
        let mut last = false;
        match block {
            Block::KeyIpad => {
                self.key_block_pending = false;
                self.hmac_key = self.take_hmac_key();
            }
            Block::Buffer => self.drain_until = Some(now + 16),
            Block::Pad1 => {
                let two = self.buf_bytes > ONE_PAD_BLOCK_MAX;
                self.drain_until = Some(now + 16);
                self.tail = match (two, hmac) {
                    (true, _) => Tail::Pad2,
                    (false, true) => Tail::KeyOpad,
                    (false, false) => Tail::Nothing,
                };
                last = !two && !hmac;
            }
            Block::Pad2 => {
                self.tail = if hmac { Tail::KeyOpad } else { Tail::Nothing };
                last = !hmac;
            }
            Block::KeyOpad => self.tail = Tail::Outer,
            Block::Outer => {
                self.tail = Tail::Nothing;
                last = true;
            }
        }
        self.in_flight = Some(InFlight {
            finish_at: now + regs::BLOCK_LATENCY as u64,
            last,
        });
        self.core_free_at = now + regs::DISPATCH_INTERVAL as u64;
        self.blocks_dispatched += 1;
    }

    /// The core finishes its block; after the last one the digest (computed by `ring`) is valid.
    fn finish_block(&mut self, last: bool) {
        self.in_flight = None;
        if !last {
            return;
        }
        let bytes: Vec<u8> = if self.hmac() {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.hmac_key);
            ring::hmac::sign(&key, &self.message).as_ref().to_vec()
        } else {
            ring::digest::digest(&ring::digest::SHA256, &self.message)
                .as_ref()
                .to_vec()
        };
        for (i, w) in self.digest.iter_mut().enumerate() {
            *w = u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
        }
        self.digest_valid = true;
        self.phase = Phase::Done;
    }

    /// Effects of a transfer that passed every check. Runs after this edge's finish and dispatch,
    /// so a MSG word lands in a buffer emptied at the same edge.
    fn apply(&mut self, action: Action) {
        match action {
            Action::Read(_) => {}
            Action::WriteCtrl(v) => self.ctrl = v,
            Action::WriteKey(i, v) => self.key[i] = v,
            Action::ClearErrInfo => self.err_info = 0,
            Action::Start { master } => {
                self.clear_operation();
                self.op_ctrl = self.ctrl;
                self.starter = master;
                self.key_block_pending = self.hmac();
                self.tail = Tail::Pad1;
                self.phase = Phase::Active;
            }
            Action::Finish => self.phase = Phase::Finishing,
            Action::Abort => {
                self.clear_operation();
                self.phase = Phase::Idle;
            }
            Action::WipeKey => self.key = [0; 16],
            Action::Msg { data, first_lane, nbytes, last } => {
                let lanes = first_lane as usize..(first_lane + nbytes) as usize;
                self.message.extend_from_slice(&data.to_le_bytes()[lanes]);
                self.buf_bytes += nbytes;
                // Reaching lane 3 completes the word; the next write starts a new one.
                self.partial_bytes = (first_lane + nbytes) % 4;
                if last {
                    self.phase = Phase::Finishing;
                }
            }
        }
    }
}

/// Bus rule 3 for MSG/MSG_LAST: `pstrb` must be one contiguous run of lanes starting at lane
/// `first_lane`, ending at lane 3 at most. Returns the run's length in bytes, or `None`.
fn lane_run_from(pstrb: u32, first_lane: u32) -> Option<u32> {
    let run = pstrb.count_ones();
    let fits = run >= 1 && first_lane + run <= 4;
    (fits && pstrb == ((1 << run) - 1) << first_lane).then_some(run)
}

/// Bytes of a little-endian word array: byte i is bits 8i+7:8i.
fn le_bytes(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

impl Dut for Sha256Model {
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
            PREADY => self.pready_now() as u32,
            PRDATA | PSLVERR => {
                // Only a transfer that completes at the coming edge shows data or an error.
                let result = (self.access_phase() && self.pready_now()).then(|| self.check(&self.request()));
                match (port, result) {
                    (PRDATA, Some(Ok(Action::Read(v)))) => v,
                    (PSLVERR, Some(Err(_))) => 1,
                    _ => 0,
                }
            }
            INTR_DONE => self.digest_valid as u32,
            DIGEST_VALID => self.digest_port_valid() as u32,
            DIGEST_MASTER => self.starter,
            DIGEST_OUT => {
                // The digest as a number, H7 in word 0: bus word i holds H_i byte-swapped.
                if self.digest_port_valid() {
                    for (k, v) in value.iter_mut().enumerate().take(8) {
                        *v = self.digest[7 - k].swap_bytes();
                    }
                }
                return;
            }
            ALERT_FATAL => self.key_fault as u32,
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
        // The protocol check's next state, from the bus before the edge (the edge's decisions
        // use the state it had before).
        let apb = self.request();
        let mut guard = self.guard;
        guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, self.pready_now(), &apb);
        self.rising_edge(now);
        if !self.in_reset() {
            self.guard = guard;
        }
        self.edge = now;
    }
}

impl Sha256Model {
    /// Rising edge number `now`; `self.edge` still holds the previous edge, so every
    /// decision here sees the state before the edge.
    fn rising_edge(&mut self, now: u64) {
        if self.in_reset() {
            self.reset();
            return;
        }

        // Decide everything from the state before the edge.
        let transfer = self.access_phase() && self.pready_now();
        if self.access_phase() && !transfer {
            self.stall_edges += 1;
        }
        let req = self.request();
        let outcome = transfer.then(|| self.check(&req));
        let dispatch = self.next_dispatch();
        let finishing = self.in_flight.filter(|f| f.finish_at == now);
        let clear = self.clear_now();
        self.key_fault |= self.key_par_mismatch();

        // `clear` is applied last and wins: the transfer's effects, then the owner change.
        if clear {
            match outcome {
                Some(Ok(action)) => self.apply(action),
                Some(Err(code)) => self.log_error(code, &req),
                None => {}
            }
            self.owner_changed();
            return;
        }

        // ABORT wins over everything else at its edge (the in-flight block is dropped).
        if let Some(Ok(Action::Abort)) = outcome {
            self.apply(Action::Abort);
            return;
        }
        if let Some(f) = finishing {
            self.finish_block(f.last);
        }
        if self.drain_until == Some(now) {
            self.drain_until = None;
            self.buf_bytes = 0;
            self.partial_bytes = 0;
        }
        if let Some(block) = dispatch {
            self.dispatch(block, now);
        }
        match outcome {
            Some(Ok(action)) => self.apply(action),
            Some(Err(code)) => self.log_error(code, &req),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_apb::Apb;
    use pluton_regs::sha256::regs::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// A model out of reset, and a bus master for it.
    fn setup() -> (Sha256Model, Apb) {
        let mut m = Sha256Model::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        (m, apb)
    }

    fn ctrl_hmac(key_sel: u32) -> u32 {
        CTRL_HMAC_EN.put(1) | CTRL_KEY_SEL.put(key_sel)
    }

    /// START, then the message as MSG words with the last one through MSG_LAST (or CMD.FINISH
    /// for an empty message). Returns the edge at which the last transfer completed.
    fn send_message(m: &mut Sha256Model, apb: &mut Apb, msg: &[u8]) -> u64 {
        assert!(!apb.write(m, CMD.offset, CMD_START.put(1)).err);
        if msg.is_empty() {
            assert!(!apb.write(m, CMD.offset, CMD_FINISH.put(1)).err);
            return apb.edges;
        }
        let chunks: Vec<&[u8]> = msg.chunks(4).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut word = [0u8; 4];
            word[..chunk.len()].copy_from_slice(chunk);
            let strb = (1u32 << chunk.len()) - 1;
            let addr = if i + 1 == chunks.len() {
                MSG_LAST.offset
            } else {
                MSG.offset
            };
            let done = apb.write_strb(m, addr, u32::from_le_bytes(word), strb);
            assert!(!done.err, "MSG write {i} failed");
        }
        apb.edges
    }

    /// Clock until intr_done; return the edge after which it rose.
    fn wait_done(m: &mut Sha256Model, apb: &mut Apb) -> u64 {
        for _ in 0..100_000 {
            if m.peek_u32(INTR_DONE) == 1 {
                return apb.edges;
            }
            apb.step(m);
        }
        panic!("digest never became valid");
    }

    fn read_digest(m: &mut Sha256Model, apb: &mut Apb) -> Vec<u8> {
        (0..8)
            .flat_map(|i| apb.read(m, DIGEST.addr(i)).data.to_le_bytes())
            .collect()
    }

    fn sha256(msg: &[u8]) -> (Vec<u8>, u64, u64) {
        let (mut m, mut apb) = setup();
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        let last = send_message(&mut m, &mut apb, msg);
        let done = wait_done(&mut m, &mut apb);
        (read_digest(&mut m, &mut apb), last, done)
    }

    #[test]
    fn sha256_abc_fips() {
        let (digest, last, done) = sha256(b"abc");
        // FIPS 180-4 example "abc".
        assert_eq!(
            digest,
            unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        // One padding block, dispatched the edge after MSG_LAST, done BLOCK_LATENCY later.
        assert_eq!(done, last + 1 + 65);
    }

    #[test]
    fn sha256_empty_fips() {
        let (digest, last, done) = sha256(b"");
        assert_eq!(
            digest,
            unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(done, last + 1 + 65);
    }

    #[test]
    fn sha256_56_bytes_needs_two_padding_blocks() {
        let (digest, last, done) = sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
        // FIPS 180-4 two-block example.
        assert_eq!(
            digest,
            unhex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        );
        // Pad1 the edge after MSG_LAST, Pad2 DISPATCH_INTERVAL later, done BLOCK_LATENCY after that.
        assert_eq!(done, last + 1 + 66 + 65);
    }

    #[test]
    fn sha256_64_bytes_full_buffer_goes_before_padding() {
        let msg = [0x5au8; 64];
        let (digest, last, done) = sha256(&msg);
        assert_eq!(digest, ring::digest::digest(&ring::digest::SHA256, &msg).as_ref());
        // MSG_LAST fills the buffer: the full buffer goes first, then one padding block.
        assert_eq!(done, last + 1 + 66 + 65);
    }

    #[test]
    fn hmac_rfc4231_case2_jefe() {
        let (mut m, mut apb) = setup();
        assert!(!apb.write(&mut m, KEY.addr(0), u32::from_le_bytes(*b"Jefe")).err);
        assert!(!apb.write(&mut m, CTRL.offset, ctrl_hmac(0)).err);
        let last = send_message(&mut m, &mut apb, b"what do ya want for nothing?");
        let done = wait_done(&mut m, &mut apb);
        assert_eq!(
            read_digest(&mut m, &mut apb),
            unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        // The key block goes at START+1 and holds the core for 66 edges, longer than the 7
        // words take (2 edges each); then pad1, K0^opad, outer, 66 edges apart.
        let start = last - 2 * 7;
        assert_eq!(done, start + 1 + 3 * 66 + 65);
        assert_eq!(m.phase(), Phase::Done);
    }

    #[test]
    fn hmac_sideload_key_bytes_in_port_order() {
        let (mut m, mut apb) = setup();
        let key: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        let words: Vec<u32> = key
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        m.poke(KEY_IN, &words);
        // Whoever drives key_in drives its parity (a mismatch with key_valid would be fatal).
        m.poke_u32(KEY_PAR, parity(&words));
        // Without key_valid the START is refused.
        assert!(!apb.write(&mut m, CTRL.offset, ctrl_hmac(1)).err);
        assert!(apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert_eq!(ERR_INFO_CODE.get(apb.read(&mut m, ERR_INFO.offset).data), ERR_KEY);
        m.poke_u32(KEY_VALID, 1);
        send_message(&mut m, &mut apb, b"sideloaded");
        wait_done(&mut m, &mut apb);
        let expected = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key), b"sideloaded");
        assert_eq!(read_digest(&mut m, &mut apb), expected.as_ref());
    }

    #[test]
    fn read_of_key_is_read_wo_and_errors_are_logged_once() {
        let (mut m, mut apb) = setup();
        let r = apb.transfer(&mut m, false, KEY.addr(3), 0, 0, 0x9);
        assert!(r.err);
        assert_eq!(r.data, 0);
        let info = apb.read(&mut m, ERR_INFO.offset).data;
        assert_eq!(ERR_INFO_CODE.get(info), ERR_READ_WO);
        assert_eq!(ERR_INFO_MASTER.get(info), 0x9);
        assert_eq!(ERR_INFO_WRITE.get(info), 0);
        assert_eq!(ERR_INFO_ADDR.get(info), KEY.addr(3));
        assert_eq!(ERR_INFO_OVERFLOW.get(info), 0);
        assert_eq!(STATUS_ERR.get(apb.read(&mut m, STATUS.offset).data), 1);
        // A second error keeps the first and sets OVERFLOW.
        assert!(apb.write(&mut m, STATUS.offset, 0xffff_ffff).err);
        let info2 = apb.read(&mut m, ERR_INFO.offset).data;
        assert_eq!(info2, info | ERR_INFO_OVERFLOW.put(1));
        // Any write clears it.
        assert!(!apb.write(&mut m, ERR_INFO.offset, 0x1234).err);
        assert_eq!(apb.read(&mut m, ERR_INFO.offset).data, 0);
        assert_eq!(STATUS_ERR.get(apb.read(&mut m, STATUS.offset).data), 0);
    }

    #[test]
    fn unmapped_and_unaligned_addresses() {
        for addr in [0x080, 0xffc, 0x001, 0x012] {
            let (mut m, mut apb) = setup();
            let r = apb.read(&mut m, addr);
            assert!(r.err, "read 0x{addr:03x}");
            let info = apb.read(&mut m, ERR_INFO.offset).data;
            assert_eq!(ERR_INFO_CODE.get(info), ERR_UNMAPPED, "read 0x{addr:03x}");
            assert_eq!(ERR_INFO_ADDR.get(info), addr);
        }
        // Unmapped beats every later check, even a bad strobe.
        let (mut m, mut apb) = setup();
        assert!(apb.write_strb(&mut m, 0x0a0, 1, 0b0101).err);
        assert_eq!(ERR_INFO_CODE.get(apb.read(&mut m, ERR_INFO.offset).data), ERR_UNMAPPED);
    }

    #[test]
    fn register_checks() {
        let (mut m, mut apb) = setup();
        let code = |m: &mut Sha256Model, apb: &mut Apb| {
            let c = ERR_INFO_CODE.get(apb.read(m, ERR_INFO.offset).data);
            apb.write(m, ERR_INFO.offset, 0);
            c
        };
        assert_eq!(apb.read(&mut m, ID.offset).data, BLOCK_ID);
        assert!(apb.write_strb(&mut m, CTRL.offset, 0, 0b0111).err);
        assert_eq!(code(&mut m, &mut apb), ERR_STRB);
        // Undefined CTRL bits are ignored and read 0.
        assert!(!apb.write(&mut m, CTRL.offset, 0xffff_ffff).err);
        assert_eq!(
            apb.read(&mut m, CTRL.offset).data,
            CTRL_HMAC_EN.mask() | CTRL_KEY_SEL.mask()
        );
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        assert!(apb.write(&mut m, CMD.offset, 1 << 4).err);
        assert_eq!(code(&mut m, &mut apb), ERR_VALUE);
        assert!(apb.write(&mut m, CMD.offset, 0b0011).err);
        assert_eq!(code(&mut m, &mut apb), ERR_VALUE);
        assert!(apb.write(&mut m, CMD.offset, 0).err);
        assert_eq!(code(&mut m, &mut apb), ERR_VALUE);
        assert!(apb.write(&mut m, CMD.offset, CMD_FINISH.put(1)).err);
        assert_eq!(code(&mut m, &mut apb), ERR_SEQ);
        assert!(apb.write(&mut m, MSG.offset, 0).err);
        assert_eq!(code(&mut m, &mut apb), ERR_SEQ);
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert!(apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert_eq!(code(&mut m, &mut apb), ERR_SEQ);
        assert!(apb.write(&mut m, CTRL.offset, 0).err);
        assert_eq!(code(&mut m, &mut apb), ERR_BUSY);
        assert!(apb.write(&mut m, KEY.addr(15), 0).err);
        assert_eq!(code(&mut m, &mut apb), ERR_BUSY);
        assert!(apb.write(&mut m, CMD.offset, CMD_WIPE_KEY.put(1)).err);
        assert_eq!(code(&mut m, &mut apb), ERR_BUSY);
        assert!(apb.write_strb(&mut m, MSG.offset, 0, 0b0110).err);
        assert_eq!(code(&mut m, &mut apb), ERR_STRB);
        // After a partial word only a continuing strobe is accepted; a new word is ERR_STRB.
        assert!(!apb.write_strb(&mut m, MSG.offset, 0x61, 0b0001).err);
        assert!(apb.write(&mut m, MSG.offset, 0).err);
        assert_eq!(code(&mut m, &mut apb), ERR_STRB);
        assert_eq!(apb.read(&mut m, MSG_LEN.offset).data, 1);
        // ABORT is always allowed and clears the operation.
        assert!(!apb.write(&mut m, CMD.offset, CMD_ABORT.put(1)).err);
        assert_eq!(apb.read(&mut m, MSG_LEN.offset).data, 0);
        assert_eq!(apb.read(&mut m, STATUS.offset).data, 0);
        // Reads of RO/RW registers never fail, whatever the phase.
        assert!(!apb.read(&mut m, CTRL.offset).err);
    }

    /// Write `msg` after START as lane runs of the given byte counts (each inside one word, as
    /// STRB/STRH/STR would write it at MSG + lane), the last one through MSG_LAST. Returns the
    /// edge at which the last transfer completed.
    fn send_runs(m: &mut Sha256Model, apb: &mut Apb, msg: &[u8], runs: &[usize]) -> u64 {
        assert_eq!(runs.iter().sum::<usize>(), msg.len(), "runs must cover the message");
        assert!(!apb.write(m, CMD.offset, CMD_START.put(1)).err);
        let mut at = 0;
        for (i, &n) in runs.iter().enumerate() {
            let lane = at % 4;
            assert!(n >= 1 && lane + n <= 4, "run {i} crosses a word");
            let mut word = [0u8; 4];
            word[lane..lane + n].copy_from_slice(&msg[at..at + n]);
            let strb = ((1u32 << n) - 1) << lane;
            let addr = if i + 1 == runs.len() { MSG_LAST.offset } else { MSG.offset };
            let r = apb.write_strb(m, addr, u32::from_le_bytes(word), strb);
            assert!(!r.err, "run {i} (pstrb {strb:04b}) failed");
            at += n;
        }
        apb.edges
    }

    /// The legal MSG strobes after a partial word of k bytes, as the README's table lists them.
    const LEGAL_AFTER: [&[u32]; 4] = [
        &[0b0001, 0b0011, 0b0111, 0b1111],
        &[0b0010, 0b0110, 0b1110],
        &[0b0100, 0b1100],
        &[0b1000],
    ];

    #[test]
    fn continuation_strobes_after_each_partial_length() {
        for k in 0..4u32 {
            for strb in 0..16u32 {
                let (mut m, mut apb) = setup();
                assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
                // One full word, then a partial word of k bytes (none when k = 0).
                assert!(!apb.write(&mut m, MSG.offset, 0x6463_6261).err);
                if k > 0 {
                    assert!(!apb.write_strb(&mut m, MSG.offset, 0x6867_6665, (1 << k) - 1).err);
                }
                let what = format!("k={k} pstrb={strb:04b}");
                let r = apb.write_strb(&mut m, MSG.offset, 0x6c6b_6a69, strb);
                let legal = LEGAL_AFTER[k as usize].contains(&strb);
                assert_eq!(r.err, !legal, "{what}");
                assert_eq!(r.waits, 0, "{what}");
                let len = apb.read(&mut m, MSG_LEN.offset).data;
                let words = STATUS_BUF_WORDS.get(apb.read(&mut m, STATUS.offset).data);
                if legal {
                    assert_eq!(len, 4 + k + strb.count_ones(), "{what}");
                    // The continued word is still the second word.
                    assert_eq!(words, 2, "{what}");
                } else {
                    let info = apb.read(&mut m, ERR_INFO.offset).data;
                    assert_eq!(ERR_INFO_CODE.get(info), ERR_STRB, "{what}");
                    assert_eq!((len, words), (4 + k, 1 + (k > 0) as u32), "{what}");
                    assert!(!apb.write(&mut m, ERR_INFO.offset, 0).err);
                }
                // The bytes that were accepted are exactly what gets hashed.
                assert!(!apb.write(&mut m, CMD.offset, CMD_FINISH.put(1)).err);
                wait_done(&mut m, &mut apb);
                let mut msg = b"abcd".to_vec();
                msg.extend_from_slice(&b"efgh"[..k as usize]);
                if legal {
                    let lanes = (k + strb.count_ones()) as usize;
                    msg.extend_from_slice(&b"ijkl"[k as usize..lanes]);
                }
                assert_eq!(
                    read_digest(&mut m, &mut apb),
                    ring::digest::digest(&ring::digest::SHA256, &msg).as_ref(),
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn abc_as_halfword_then_byte_and_as_three_bytes() {
        // FIPS 180-4 example "abc".
        let want = unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        for runs in [&[2usize, 1][..], &[1, 1, 1], &[1, 2]] {
            let (mut m, mut apb) = setup();
            let last = send_runs(&mut m, &mut apb, b"abc", runs);
            let done = wait_done(&mut m, &mut apb);
            assert_eq!(read_digest(&mut m, &mut apb), want, "runs {runs:?}");
            // The same timing as one 0111 write: padding goes the edge after MSG_LAST.
            assert_eq!(done, last + 1 + 65, "runs {runs:?}");
        }
    }

    #[test]
    fn continued_sixteenth_word_never_waits_and_fills_the_buffer() {
        let (mut m, mut apb) = setup();
        let msg: Vec<u8> = (0..64u32).map(|i| (i * 11 + 3) as u8).collect();
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        for (i, w) in msg[..60].chunks(4).enumerate() {
            assert!(!apb.write(&mut m, MSG.offset, u32::from_le_bytes(w.try_into().unwrap())).err, "word {i}");
        }
        // Sixteen words, the last partial: nothing is dispatched, and continuing never waits.
        let w = u32::from_le_bytes(msg[60..64].try_into().unwrap());
        for strb in [0b0011, 0b0100] {
            let r = apb.write_strb(&mut m, MSG.offset, w, strb);
            assert_eq!((r.err, r.waits), (false, 0), "pstrb {strb:04b}");
            assert_eq!(m.buf_words(), 16);
        }
        let r = apb.write_strb(&mut m, MSG.offset, w, 0b1000);
        assert_eq!((r.err, r.waits), (false, 0));
        let complete = apb.edges;
        assert_eq!(m.blocks_dispatched(), 0);
        // Now a plain full buffer: it goes at the next edge.
        apb.step(&mut m);
        assert_eq!(m.blocks_dispatched(), 1);
        assert!(!apb.write(&mut m, CMD.offset, CMD_FINISH.put(1)).err);
        let done = wait_done(&mut m, &mut apb);
        assert_eq!(done, complete + 1 + 66 + 65);
        assert_eq!(read_digest(&mut m, &mut apb), ring::digest::digest(&ring::digest::SHA256, &msg).as_ref());
    }

    #[test]
    fn partial_word_outside_active_is_not_continued() {
        let (mut m, mut apb) = setup();
        let code = |m: &mut Sha256Model, apb: &mut Apb| {
            let c = ERR_INFO_CODE.get(apb.read(m, ERR_INFO.offset).data);
            apb.write(m, ERR_INFO.offset, 0);
            c
        };
        // Idle: k is 0, so a lane-1 strobe is a strobe error and a lane-0 one a sequence error.
        assert!(apb.write_strb(&mut m, MSG.offset, 0, 0b0010).err);
        assert_eq!(code(&mut m, &mut apb), ERR_STRB);
        assert!(apb.write_strb(&mut m, MSG.offset, 0, 0b0001).err);
        assert_eq!(code(&mut m, &mut apb), ERR_SEQ);
        // FINISHING with a partial word of 2 bytes: no continuation any more.
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert!(!apb.write_strb(&mut m, MSG.offset, 0x7a79, 0b0011).err);
        assert!(!apb.write(&mut m, CMD.offset, CMD_FINISH.put(1)).err);
        assert!(apb.write_strb(&mut m, MSG.offset, 0, 0b0100).err);
        assert_eq!(code(&mut m, &mut apb), ERR_STRB);
        assert!(apb.write(&mut m, MSG.offset, 0).err);
        assert_eq!(code(&mut m, &mut apb), ERR_SEQ);
        wait_done(&mut m, &mut apb);
        assert_eq!(read_digest(&mut m, &mut apb), ring::digest::digest(&ring::digest::SHA256, b"yz").as_ref());
    }

    #[test]
    fn hmac_message_of_3_mod_4_bytes_in_lane_runs() {
        let (mut m, mut apb) = setup();
        assert!(!apb.write(&mut m, KEY.addr(0), u32::from_le_bytes(*b"Jefe")).err);
        assert!(!apb.write(&mut m, CTRL.offset, ctrl_hmac(0)).err);
        let msg = b"what do ya want for nothing?abc"; // 31 bytes
        let mut runs = vec![4; 7];
        runs.extend([1, 2]);
        send_runs(&mut m, &mut apb, msg, &runs);
        wait_done(&mut m, &mut apb);
        let want = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"Jefe"), msg);
        assert_eq!(read_digest(&mut m, &mut apb), want.as_ref());
    }

    #[test]
    fn back_pressure_behind_hmac_key_block() {
        let (mut m, mut apb) = setup();
        assert!(!apb.write(&mut m, CTRL.offset, ctrl_hmac(0)).err);
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        let start = apb.edges;
        // Words 1..16 fill the buffer without waiting (each transfer is 2 edges).
        for i in 1..=16u32 {
            let r = apb.write(&mut m, MSG.offset, i);
            assert_eq!((r.err, r.waits), (false, 0), "word {i}");
            assert_eq!(apb.edges, start + 2 * i as u64);
        }
        assert_eq!(m.buf_words(), 16);
        // An erroring MSG write never waits, even into a full buffer (completes at start+34).
        let r = apb.write_strb(&mut m, MSG.offset, 0, 0b0101);
        assert_eq!((r.err, r.waits), (true, 0));
        assert!(!apb.write(&mut m, ERR_INFO.offset, 0).err); // start+36
        // Word 17: the key block (dispatched at start+1) holds the core until start+67, where
        // the full buffer is dispatched; the core drains it until start+83 (dispatch + 16), so
        // the word lands in the emptied buffer at start+84.
        let r = apb.write(&mut m, MSG.offset, 17);
        assert!(!r.err);
        assert_eq!(apb.edges, start + 1 + DISPATCH_INTERVAL as u64 + 17);
        // Setup at start+37; pready is low at the edges start+38 ..= start+83.
        assert_eq!(r.waits, 46);
        let status = apb.read(&mut m, STATUS.offset).data;
        assert_eq!(STATUS_BUF_WORDS.get(status), 1);
        assert_eq!(STATUS_BUSY.get(status), 1);
        assert_eq!(apb.read(&mut m, MSG_LEN.offset).data, 68);
        // FINISH; then pad1 at start+133, K0^opad at +199, outer at +265, done at +330.
        assert!(!apb.write(&mut m, CMD.offset, CMD_FINISH.put(1)).err);
        let done = wait_done(&mut m, &mut apb);
        assert_eq!(done, start + 265 + BLOCK_LATENCY as u64);
        assert_eq!(m.blocks_dispatched(), 5);
        let msg: Vec<u8> = (1..=17u32).flat_map(|w| w.to_le_bytes()).collect();
        let expected = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b""), &msg);
        assert_eq!(read_digest(&mut m, &mut apb), expected.as_ref());
    }

    #[test]
    fn sixteen_words_ending_in_a_partial_word_wait_for_finishing() {
        let (mut m, mut apb) = setup();
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        let start = apb.edges;
        let mut msg = Vec::new();
        for i in 0..15u32 {
            assert!(!apb.write(&mut m, MSG.offset, i).err);
            msg.extend_from_slice(&i.to_le_bytes());
        }
        assert!(!apb.write_strb(&mut m, MSG.offset, 0xee, 0b0001).err); // start+32
        msg.push(0xee);
        assert_eq!(m.buf_words(), 16);
        // Not a full buffer: nothing is dispatched, and a further MSG errors without waiting.
        let r = apb.write(&mut m, MSG.offset, 0);
        assert_eq!((r.err, r.waits), (true, 0)); // start+34
        assert_eq!(m.blocks_dispatched(), 0);
        assert!(!apb.write(&mut m, CMD.offset, CMD_FINISH.put(1)).err); // start+36
                                                                        // 61 bytes: two padding blocks, at start+37 and start+103.
        let done = wait_done(&mut m, &mut apb);
        assert_eq!(done, start + 37 + 66 + 65);
        assert_eq!(m.blocks_dispatched(), 2);
        assert_eq!(
            read_digest(&mut m, &mut apb),
            ring::digest::digest(&ring::digest::SHA256, &msg).as_ref()
        );
    }

    #[test]
    fn busy_follows_block_latency_and_digest_reads_zero_until_valid() {
        let (mut m, mut apb) = setup();
        let last = send_message(&mut m, &mut apb, b"abc");
        assert_eq!(apb.edges, last);
        // Pad1 is dispatched at last+1; BUSY from then until the edge last+66.
        let status = apb.read(&mut m, STATUS.offset).data; // completes at last+2
        assert_eq!(STATUS_BUSY.get(status), 1);
        assert_eq!(apb.read(&mut m, DIGEST.addr(0)).data, 0);
        while apb.edges < last + 65 {
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        apb.step(&mut m);
        assert_eq!(m.peek_u32(INTR_DONE), 1);
        let status = apb.read(&mut m, STATUS.offset).data;
        assert_eq!(STATUS_BUSY.get(status), 0);
        assert_eq!(STATUS_DIGEST_VALID.get(status), 1);
        assert_eq!(STATUS_MSG_READY.get(status), 0);
        // A new START clears the digest.
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        assert_eq!(apb.read(&mut m, DIGEST.addr(0)).data, 0);
    }

    #[test]
    fn reset_is_asynchronous_and_holds() {
        let (mut m, mut apb) = setup();
        send_message(&mut m, &mut apb, b"abc");
        wait_done(&mut m, &mut apb);
        m.poke_u32(RST_N, 0);
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        assert_eq!(apb.read(&mut m, STATUS.offset).data, 0);
    }

    use crate::key_parity as parity;

    /// The digest port: SHA-256("abc") as a number (FIPS 180-4's example, H0 = ba7816bf on top)
    /// after a plain hash, with its starter; nothing after an HMAC, though DIGEST is readable.
    #[test]
    fn digest_port_carries_plain_digests_only() {
        let (mut m, mut apb) = setup();
        let word = |m: &mut Sha256Model| {
            let mut v = [0u32; 8];
            m.peek(DIGEST_OUT, &mut v);
            v
        };
        assert_eq!((m.peek_u32(DIGEST_VALID), word(&mut m)), (0, [0; 8]));
        send_message(&mut m, &mut apb, b"abc");
        wait_done(&mut m, &mut apb);
        let want = [0xf20015ad, 0xb410ff61, 0x96177a9c, 0xb00361a3, 0x5dae2223, 0x414140de, 0x8f01cfea, 0xba7816bf];
        assert_eq!(m.peek_u32(DIGEST_VALID), 1);
        assert_eq!(word(&mut m), want);
        assert_eq!(m.peek_u32(DIGEST_MASTER), MASTER_SEC);
        assert!(!apb.write(&mut m, CTRL.offset, ctrl_hmac(0)).err);
        send_message(&mut m, &mut apb, b"abc");
        wait_done(&mut m, &mut apb);
        assert_eq!((m.peek_u32(INTR_DONE), m.peek_u32(DIGEST_VALID), word(&mut m)), (1, 0, [0; 8]));
    }

    #[test]
    fn port_list_has_the_alert_ports() {
        let m = Sha256Model::new();
        assert_eq!(m.ports().len(), 22);
        for (name, id, width) in [("esc", ESC, 1), ("key_par", KEY_PAR, 8), ("alert_fatal", ALERT_FATAL, 1), ("intr_done", INTR_DONE, 1), ("digest_out", DIGEST_OUT, 256), ("digest_valid", DIGEST_VALID, 1), ("digest_master", DIGEST_MASTER, 4)] {
            assert_eq!(m.port_id(name), Some(id), "{name}");
            assert_eq!(m.ports()[id].width, width, "{name}");
        }
    }

    #[test]
    fn key_parity_mismatch_is_fatal_and_clears_the_engine() {
        let (mut m, mut apb) = setup();
        let key: [u32; 8] = std::array::from_fn(|i| 0x1357_9bdf_u32.rotate_left(5 * i as u32) ^ i as u32);
        assert_ne!(parity(&key), 0);
        m.poke(KEY_IN, &key);
        // A wrong key_par without key_valid is no fault; the right one with key_valid neither.
        m.poke_u32(KEY_PAR, !parity(&key) & 0xFF);
        apb.step(&mut m);
        m.poke_u32(KEY_PAR, parity(&key));
        m.poke_u32(KEY_VALID, 1);
        assert!(!apb.write(&mut m, KEY.addr(0), 0x6566_6a4a).err);
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert!(!apb.write(&mut m, MSG.offset, 0x6463_6261).err);
        assert!(apb.write(&mut m, CTRL.offset, 0).err); // ERR_BUSY, logged
        assert_eq!(m.peek_u32(ALERT_FATAL), 0);
        assert_eq!(m.phase(), Phase::Active);
        // One flipped bit of word 5, parity not updated: fatal from the cycle after the edge,
        // and that edge clears.
        let mut bad = key;
        bad[5] ^= 1 << 17;
        m.poke(KEY_IN, &bad);
        assert_eq!(m.peek_u32(ALERT_FATAL), 0, "registered");
        apb.step(&mut m);
        m.poke(KEY_IN, &key);
        assert_eq!(m.peek_u32(ALERT_FATAL), 1);
        // The edge that saw the mismatch already cleared the engine.
        assert_eq!(m.phase(), Phase::Idle);
        assert_eq!(m.key, [0; 16]);
        assert_eq!(m.buf_words(), 0);
        // Sticky, and every edge clears: ERR_INFO and a START completing at an edge are undone.
        assert_eq!(apb.read(&mut m, ERR_INFO.offset).data, 0);
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert_eq!(m.phase(), Phase::Idle);
        assert!(apb.write(&mut m, MSG.offset, 0).err);
        assert_eq!(apb.read(&mut m, ERR_INFO.offset).data, 0);
        assert!(!apb.write(&mut m, KEY.addr(1), 7).err);
        assert_eq!(m.key, [0; 16]);
        assert_eq!(m.peek_u32(ALERT_FATAL), 1);
        // Only reset clears the flag.
        m.poke_u32(RST_N, 0);
        assert_eq!(m.peek_u32(ALERT_FATAL), 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert_eq!(m.phase(), Phase::Active);
    }

    #[test]
    fn escalation_acts_as_clear_at_every_edge() {
        let (mut m, mut apb) = setup();
        assert!(!apb.write(&mut m, KEY.addr(0), u32::from_le_bytes(*b"Jefe")).err);
        assert!(!apb.write(&mut m, CTRL.offset, ctrl_hmac(0)).err);
        assert!(!apb.transfer(&mut m, true, CMD.offset, CMD_START.put(1), 0xF, 2).err);
        assert!(apb.read(&mut m, DIGEST.addr(0)).err); // ERR_NOT_STARTER, logged
        assert_eq!(m.phase(), Phase::Active);
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        assert_eq!((m.phase(), m.key, m.starter, m.err_info), (Phase::Idle, [0; 16], MASTER_SEC, 0));
        // Nothing holds while esc does; alert_fatal is the engine's own fault only.
        assert!(!apb.write(&mut m, CMD.offset, CMD_START.put(1)).err);
        assert_eq!(m.phase(), Phase::Idle);
        assert_eq!(m.peek_u32(ALERT_FATAL), 0);
        // esc gone (only reset drops it in the system): the engine works again.
        m.poke_u32(ESC, 0);
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        let last = send_message(&mut m, &mut apb, b"abc");
        assert_eq!(wait_done(&mut m, &mut apb), last + 1 + 65);
        assert_eq!(read_digest(&mut m, &mut apb), ring::digest::digest(&ring::digest::SHA256, b"abc").as_ref());
    }

    #[test]
    fn cavp_short_messages() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testbenches/sha256/vectors/SHA256ShortMsg.rsp"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            panic!("missing {path}");
        };
        let (mut len, mut msg, mut count) = (0usize, Vec::new(), 0);
        for line in text.lines().map(str::trim) {
            if let Some(v) = line.strip_prefix("Len = ") {
                len = v.parse().unwrap();
            } else if let Some(v) = line.strip_prefix("Msg = ") {
                msg = unhex(v);
                msg.truncate(len / 8);
            } else if let Some(v) = line.strip_prefix("MD = ") {
                assert_eq!(sha256(&msg).0, unhex(v), "Len = {len}");
                count += 1;
            }
        }
        assert_eq!(count, 65);
    }
}
