//! Cycle-accurate, port-level reference model of the P-256 engine (`pluton_p256`), written from its README.
//!
//! The model follows `rust-hdl-src/src/p256/README.md` (the contract) and the register map in
//! `pluton_regs::p256::regs`. It never looks at the RTL or the microcode. The curve arithmetic is
//! `crate::p256` (RustCrypto `p256`), which also makes the README's input checks.
//!
//! How it is built (as the other block models):
//! - `poke` only stores input values (and applies the asynchronous reset).
//! - `peek`: the APB outputs are combinational from the state and the request (the checks run in
//!   every access cycle); `intr_done` is state alone.
//! - `step` is one rising edge: everything is decided from the state before the edge, then applied.
//!
//! A command's outcome is computed at the edge that takes CMD, from the operands then (no access
//! can change them while BUSY), and is applied to the operands at the edge that sets DONE,
//! `LATENCY[cmd][randomize]` edges later. A SIGN or KEYGEN with K_SIDELOAD computes it one edge
//! later, at the edge that takes `k_in`. The model has no work registers: nothing shows them.
//!
//! Where the README leaves a choice, the model takes this one:
//! - Only an operand read that passes every check waits (one wait state); a refused access
//!   completes in its first access cycle, as in every block.
//! - During the power-on wipe every access waits, except a protocol violation, which completes at
//!   once (`common/README.md`: a violation completes in that cycle; waiting would turn an access
//!   with no setup into a wait-state continuation and lose the check). An operand read still takes
//!   its wait state after the wipe.
//! - While `rst_n` is low the bus outputs are idle (`pready` = 1, `prdata` = `pslverr` = 0).
//! - CMD clears DONE, RESULT and CYCLES at its edge. CYCLES counts live: +1 at every edge of the
//!   command, so it reads the cycles so far while BUSY and `LATENCY` from DONE on.
//! - KEYGEN: once SEED passes its check, D = SEED even if a later check (λ) fails.
//! - VERIFY and WIPE make no λ check (the README lists none); RANDOMIZE still selects their
//!   latency column.
//! - `clear` (a change of the window's owner) acts, after the transfer completing at its edge,
//!   as a CMD_WIPE that replaces whatever runs, and clears ERR_INFO; DONE follows with RESULT.CMD
//!   = WIPE. It is ignored during the power-on wipe and after escalation.
//! - K_SIDELOAD: `k_taken` is state alone: 1 exactly while a SIGN or KEYGEN with K_SIDELOAD
//!   started at the last edge is still running (the cycle before the edge that takes `k_in`). So
//!   a CMD whose edge also has `clear` or `esc` never raises it (the command is replaced or
//!   abandoned at that edge), while `clear` or `esc` at the take edge itself does not lower it
//!   (the port is emptied; the command that took the value is abandoned there).
//! - Escalation: the first edge with `esc` = 1 sets DEAD (until reset), aborts any command (no
//!   DONE), clears DONE, RESULT and CYCLES, zeroes every operand and (re)starts a full wipe of
//!   `POWER_ON_WIPE_CYCLES` edges with BUSY = 1. Accesses do not wait for it (only the power-on
//!   wipe makes them wait): operands get ERR_BUSY meanwhile and are usable after it; CMD gets
//!   ERR_FATAL until reset. CTRL and ERR_INFO are kept. A transfer that completes at the `esc`
//!   edge takes effect first (and is then wiped or aborted).

use crate::apb_guard::{ApbGuardModel, ApbRequest};
use crate::p256::{self as ec, Bytes32, P256Error};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::p256::regs::{self, MAP};

/// Edges of the power-on wipe after reset (README: "64 cycles"): BUSY = 1 and every access waits.
/// An escalation's wipe takes as long.
pub const POWER_ON_WIPE_CYCLES: u64 = 64;

/// Edges from the one that takes CMD to the one that sets DONE (= CYCLES), by [CMD][CTRL.RANDOMIZE]:
/// the README's table.
pub const LATENCY: [[u64; 2]; 7] = [
    [0, 0],             // 0: not a command (ERR_VALUE)
    [201_512, 201_605], // 1 PUBKEY
    [201_557, 201_650], // 2 ECDH
    [238_451, 238_544], // 3 SIGN
    [246_583, 246_583], // 4 VERIFY
    [201_518, 201_611], // 5 KEYGEN
    [64, 64],           // 6 WIPE
];

// Every command must take at least one edge (DONE is set after the CMD edge).
const _: () = {
    let mut c = 1;
    while c < LATENCY.len() {
        assert!(LATENCY[c][0] >= 1 && LATENCY[c][1] >= 1);
        c += 1;
    }
};

/// p, the field prime (FIPS 186-4 D.1.2.3), big-endian: λ must be in [1, p-1].
const P: Bytes32 = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, //
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
];

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
const ESC: usize = 9;
const CLEAR: usize = 10;
const HASH_IN: usize = 11;
const HASH_VALID: usize = 12;
const HASH_MASTER: usize = 13;
const K_IN: usize = 14;
const K_VALID: usize = 15;
const PRDATA: usize = 16;
const PREADY: usize = 17;
const PSLVERR: usize = 18;
const K_TAKEN: usize = 19;
const INTR_DONE: usize = 20;
const ALERT_FATAL: usize = 21;

/// (name, direction, width) of every port: the README's table, inputs first as in every model
/// (the lock-step pairs ports by name).
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
    ("esc", Dir::In, 1),
    ("clear", Dir::In, 1),
    ("hash_in", Dir::In, 256),
    ("hash_valid", Dir::In, 1),
    ("hash_master", Dir::In, 4),
    ("k_in", Dir::In, 256),
    ("k_valid", Dir::In, 1),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("k_taken", Dir::Out, 1),
    ("intr_done", Dir::Out, 1),
    ("alert_fatal", Dir::Out, 1),
];

/// The bus operands, in register-file order (slot i at 0x40 + 32·i).
const OPERANDS: [Register; 9] = [regs::D, regs::K, regs::HASH, regs::QX, regs::QY, regs::R, regs::S, regs::SEED, regs::LAMBDA];
/// Slot numbers of the operands (their index in `OPERANDS`).
mod slot {
    pub const D: usize = 0;
    pub const K: usize = 1;
    pub const HASH: usize = 2;
    pub const QX: usize = 3;
    pub const QY: usize = 4;
    pub const R: usize = 5;
    pub const S: usize = 6;
    pub const SEED: usize = 7;
    pub const LAMBDA: usize = 8;
}

/// One operand as the bus sees it: word i holds bytes 4i..4i+3 of the big-endian string.
type Words = [u32; regs::OPERAND_WORDS as usize];
/// The nine operand slots of the register file.
type Slots = [Words; OPERANDS.len()];

/// The 32-byte big-endian string of an operand (byte 4i is bits 7:0 of word i: memory order).
fn bytes_of(w: &Words) -> Bytes32 {
    let mut b = [0u8; 32];
    for (i, word) in w.iter().enumerate() {
        b[4 * i..4 * i + 4].copy_from_slice(&word.to_le_bytes());
    }
    b
}

fn words_of(b: &Bytes32) -> Words {
    std::array::from_fn(|i| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()))
}

/// An operand from a 256-bit port value (`hash_in`, `k_in`): a number, word 0 least significant,
/// so bits 255:248 are byte 0 of the big-endian string.
fn words_of_port(port: &[u32]) -> Words {
    std::array::from_fn(|i| port[7 - i].swap_bytes())
}

/// The operand slot of a register, if it is one.
fn slot_of(reg: &Register) -> Option<usize> {
    OPERANDS.iter().position(|o| o.offset == reg.offset)
}

/// RESULT.ERROR of a refusal by the reference arithmetic.
fn code(e: P256Error) -> u32 {
    match e {
        P256Error::ScalarRange => regs::RES_SCALAR_RANGE,
        P256Error::SignatureRange => regs::RES_SIGNATURE_RANGE,
        P256Error::Infinity => regs::RES_INFINITY,
        P256Error::NotOnCurve => regs::RES_NOT_ON_CURVE,
        P256Error::NonceUnusable => regs::RES_NONCE_UNUSABLE,
        P256Error::BadSignature => regs::RES_BAD_SIGNATURE,
        P256Error::SharedInfinity => regs::RES_SHARED_INFINITY,
    }
}

/// r or s in [1, n-1] (x mod n = x and x ≠ 0).
fn in_scalar_range(x: &Bytes32) -> bool {
    *x != [0; 32] && ec::reduce_mod_n(x) == *x
}

/// λ in [1, p-1] (big-endian arrays compare as the numbers do).
fn in_field_range(x: &Bytes32) -> bool {
    *x != [0; 32] && *x < P
}

/// A command's outcome: RESULT.ERROR and the operand slots as it leaves them.
fn execute(cmd: u32, randomize: bool, before: &Slots) -> (u32, Slots) {
    let mut s = *before;
    let get = |i: usize| bytes_of(&before[i]);
    // After the checks before it (`res`): λ, only with RANDOMIZE, where each command's row puts it.
    let lambda_ok = !randomize || in_field_range(&get(slot::LAMBDA));
    let lambda = |res: Result<(), u32>| res.and(if lambda_ok { Ok(()) } else { Err(regs::RES_MASK_RANGE) });
    let error = match cmd {
        regs::CMD_PUBKEY | regs::CMD_KEYGEN => {
            // KEYGEN: SEED in [1, n-1] becomes D; else D is unchanged and the command fails (1).
            let seed = (cmd == regs::CMD_KEYGEN).then(|| get(slot::SEED));
            let seed_ok = seed.is_none_or(|x| ec::public_key(&x) != Err(P256Error::ScalarRange));
            if let (Some(x), true) = (seed, seed_ok) {
                s[slot::D] = words_of(&x);
            }
            let q = ec::public_key(&bytes_of(&s[slot::D]));
            // SEED and d (1), then λ (8), then the result.
            let checked = if !seed_ok || q == Err(P256Error::ScalarRange) { Err(regs::RES_SCALAR_RANGE) } else { Ok(()) };
            match lambda(checked).and_then(|()| q.map_err(code)) {
                Ok((x, y)) => {
                    (s[slot::QX], s[slot::QY]) = (words_of(&x), words_of(&y));
                    regs::RES_OK
                }
                Err(e) => {
                    (s[slot::QX], s[slot::QY]) = ([0; 8], [0; 8]);
                    e
                }
            }
        }
        regs::CMD_ECDH => {
            let x = ec::ecdh(&get(slot::D), &get(slot::QX), &get(slot::QY));
            // d (1), Q (3, 4), then λ (8), then the result (7). QY is not an output of ECDH.
            let inputs = match x {
                Err(e @ (P256Error::ScalarRange | P256Error::Infinity | P256Error::NotOnCurve)) => Err(code(e)),
                _ => Ok(()),
            };
            match lambda(inputs).and_then(|()| x.map_err(code)) {
                Ok(x) => {
                    s[slot::QX] = words_of(&x);
                    regs::RES_OK
                }
                Err(e) => {
                    s[slot::QX] = [0; 8];
                    e
                }
            }
        }
        regs::CMD_SIGN => {
            let sig = ec::sign(&get(slot::D), &get(slot::K), &get(slot::HASH));
            // d, k (1), then λ (8), then r ≠ 0 and s ≠ 0 (5).
            let inputs = match sig {
                Err(P256Error::ScalarRange) => Err(regs::RES_SCALAR_RANGE),
                _ => Ok(()),
            };
            match lambda(inputs).and_then(|()| sig.map_err(code)) {
                Ok((r, sv)) => {
                    (s[slot::R], s[slot::S]) = (words_of(&r), words_of(&sv));
                    regs::RES_OK
                }
                Err(e) => {
                    (s[slot::R], s[slot::S]) = ([0; 8], [0; 8]);
                    e
                }
            }
        }
        regs::CMD_VERIFY => {
            // r, s range (2) first, then Q (3, 4), then the signature (6). Writes no operand.
            if !in_scalar_range(&get(slot::R)) || !in_scalar_range(&get(slot::S)) {
                regs::RES_SIGNATURE_RANGE
            } else {
                match ec::verify(&get(slot::QX), &get(slot::QY), &get(slot::HASH), &get(slot::R), &get(slot::S)) {
                    Ok(()) => regs::RES_OK,
                    Err(e) => code(e),
                }
            }
        }
        regs::CMD_WIPE => {
            s = [[0; 8]; OPERANDS.len()];
            regs::RES_OK
        }
        _ => unreachable!("CMD {cmd} was refused with ERR_VALUE"),
    };
    // The wipe after every command: K, SEED and λ (and the work registers the model has not).
    for i in [slot::K, slot::SEED, slot::LAMBDA] {
        s[i] = [0; 8];
    }
    (error, s)
}

/// `execute`, unless an error from the command's own ports (`early`: RES_HASH_UNAVAILABLE,
/// RES_K_UNAVAILABLE) came first: then that is RESULT.ERROR and a SIGN leaves R and S zero.
/// (A KEYGEN with no k value has SEED = 0, so `execute` already leaves D, and QX, QY zero.)
fn outcome(cmd: u32, randomize: bool, before: &Slots, early: Option<u32>) -> (u32, Slots) {
    let (mut error, mut after) = execute(cmd, randomize, before);
    if let Some(e) = early {
        error = e;
        if cmd == regs::CMD_SIGN {
            (after[slot::R], after[slot::S]) = ([0; 8], [0; 8]);
        }
    }
    (error, after)
}

/// A command between the edge that took CMD and the edge that sets DONE.
#[derive(Clone, Copy, Debug)]
struct Run {
    cmd: u32,
    randomize: bool,
    /// Edges until DONE.
    left: u64,
    /// SIGN or KEYGEN with K_SIDELOAD, before its first edge: the slot (K or SEED) that takes
    /// `k_in` at the coming edge (`k_taken` = 1). `error` and `after` are set there.
    take: Option<usize>,
    /// An error from the CMD edge that comes before RES_K_UNAVAILABLE (RES_HASH_UNAVAILABLE).
    early: Option<u32>,
    /// RESULT.ERROR.
    error: u32,
    /// The operands as the command leaves them (outputs, and the wipe after it), applied at DONE.
    after: Slots,
}

/// What the transfer on the bus does in the current access cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// `pready` = 0 for the power-on wipe.
    WipeWait,
    /// `pready` = 0: an operand read's one wait state (the register file's read is registered).
    ReadWait,
    /// Completes at the coming edge with this outcome.
    Done(Result<Action, u32>),
}

/// What a transfer that passed every check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Read { value: u32, operand: bool },
    ClearErr,
    Ctrl(u32),
    Operand { slot: usize, word: usize, value: u32 },
    Cmd(u32),
}

/// Port-level model of `pluton_p256`.
pub struct P256Model {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,
    guard: ApbGuardModel,
    err_info: u32,
    ctrl: u32,
    /// The operand slots of the register file (D, K, HASH, QX, QY, R, S, SEED, LAMBDA).
    slots: Slots,
    /// Edges left of a full wipe (power-on or escalation); BUSY while it is not 0.
    wipe_left: u64,
    /// The wipe running is the power-on one: every access waits for it.
    power_on: bool,
    run: Option<Run>,
    done: bool,
    result: u32,
    cycles: u32,
    /// STATUS.DEAD: escalation has wiped the engine; CMD is refused until reset.
    dead: bool,
    /// The last edge issued an operand read to the register file (its wait state is over).
    read_issued: bool,
}

impl Default for P256Model {
    fn default() -> Self {
        Self::new()
    }
}

impl P256Model {
    /// A model with all inputs low, hence held in reset until `rst_n` is driven high.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let mut m = P256Model {
            ports,
            inputs,
            guard: ApbGuardModel::default(),
            err_info: 0,
            ctrl: 0,
            slots: [[0; 8]; OPERANDS.len()],
            wipe_left: 0,
            power_on: false,
            run: None,
            done: false,
            result: 0,
            cycles: 0,
            dead: false,
            read_issued: false,
        };
        m.reset();
        m
    }

    /// Reset: every register to its reset value and the power-on wipe pending (the register file
    /// reads zero after it, which the model has at once: nothing can read it before).
    fn reset(&mut self) {
        self.guard.reset();
        self.err_info = regs::ERR_INFO.reset;
        self.ctrl = regs::CTRL.reset;
        self.slots = [[0; 8]; OPERANDS.len()];
        self.wipe_left = POWER_ON_WIPE_CYCLES;
        self.power_on = true;
        self.run = None;
        self.done = false;
        self.result = regs::RESULT.reset;
        self.cycles = regs::CYCLES.reset;
        self.dead = false;
        self.read_issued = false;
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
    fn busy(&self) -> bool {
        self.run.is_some() || self.wipe_left > 0
    }

    fn status(&self) -> u32 {
        regs::STATUS_BUSY.put(self.busy() as u32)
            | regs::STATUS_DONE.put(self.done as u32)
            | regs::STATUS_ERR.put((self.err_info != 0) as u32)
            | regs::STATUS_DEAD.put(self.dead as u32)
    }

    /// The transfer in the current access cycle, if any.
    fn bus_step(&self) -> Option<Step> {
        if !self.access_phase() {
            return None;
        }
        let req = self.request();
        // 1. The APB protocol, first and at once, even during the power-on wipe.
        if self.guard.violation(true, true, &req) {
            return Some(Step::Done(Err(regs::ERR_PROTOCOL)));
        }
        if self.power_on {
            return Some(Step::WipeWait);
        }
        Some(match self.check(&req) {
            Ok(Action::Read { operand: true, .. }) if !self.read_issued => Step::ReadWait,
            outcome => Step::Done(outcome),
        })
    }

    /// Bus rules 2-6 of the README, in its order, on the state before the edge.
    fn check(&self, req: &ApbRequest) -> Result<Action, u32> {
        // 2. Unmapped or misaligned, another master, the wrong direction.
        let (reg, i) = MAP.decode(req.paddr).ok_or(regs::ERR_UNMAPPED)?;
        if !regs::allowed(reg, req.pmaster, req.pwrite) {
            return Err(regs::ERR_MASTER);
        }
        if !req.pwrite && !reg.access.readable() {
            return Err(regs::ERR_READ_WO);
        }
        if req.pwrite && !reg.access.writable() {
            return Err(regs::ERR_WRITE_RO);
        }
        // 3. Writes are whole words.
        if req.pwrite && req.pstrb != 0b1111 {
            return Err(regs::ERR_STRB);
        }
        let (word, v) = (i as usize, req.pwdata);
        let slot = slot_of(reg);
        if !req.pwrite {
            if let Some(slot) = slot {
                // 6. Operands only while idle.
                if self.busy() {
                    return Err(regs::ERR_BUSY);
                }
                return Ok(Action::Read { value: self.slots[slot][word], operand: true });
            }
            let value = match reg.offset {
                o if o == regs::ID.offset => regs::BLOCK_ID,
                o if o == regs::ERR_INFO.offset => self.err_info,
                o if o == regs::STATUS.offset => self.status(),
                o if o == regs::CTRL.offset => self.ctrl,
                o if o == regs::RESULT.offset => self.result,
                o if o == regs::CYCLES.offset => self.cycles,
                _ => unreachable!("register {} is not readable", reg.name),
            };
            return Ok(Action::Read { value, operand: false });
        }
        match reg.offset {
            o if o == regs::ERR_INFO.offset => Ok(Action::ClearErr),
            // 4. CTRL: no bit above K_SIDELOAD. Allowed while BUSY (taken by the next CMD).
            o if o == regs::CTRL.offset => {
                if v & !(regs::CTRL_RANDOMIZE.mask() | regs::CTRL_HASH_SIDELOAD.mask() | regs::CTRL_K_SIDELOAD.mask()) != 0 {
                    Err(regs::ERR_VALUE)
                } else {
                    Ok(Action::Ctrl(v))
                }
            }
            // 4, 5, 6: a command, not after escalation, not while BUSY.
            o if o == regs::CMD.offset => {
                if !(regs::CMD_PUBKEY..=regs::CMD_WIPE).contains(&v) {
                    Err(regs::ERR_VALUE)
                } else if self.dead {
                    Err(regs::ERR_FATAL)
                } else if self.busy() {
                    Err(regs::ERR_BUSY)
                } else {
                    Ok(Action::Cmd(v))
                }
            }
            _ => match slot {
                Some(_) if self.busy() => Err(regs::ERR_BUSY),
                Some(slot) => Ok(Action::Operand { slot, word, value: v }),
                None => unreachable!("register {} is not writable", reg.name),
            },
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

    /// The edge that takes CMD (written by `master`): the outcome is fixed now (or, with
    /// K_SIDELOAD, at the next edge: `take_k`), shown `LATENCY` edges later. With HASH_SIDELOAD,
    /// SIGN and VERIFY first load HASH from the digest port: the digest if it is valid and
    /// `master` started it, else 0 and RES_HASH_UNAVAILABLE, which comes before any other check
    /// (a failed SIGN leaves R and S zero).
    fn start(&mut self, cmd: u32, master: u32) {
        let randomize = regs::CTRL_RANDOMIZE.get(self.ctrl) == 1;
        let mut early = None;
        if regs::CTRL_HASH_SIDELOAD.get(self.ctrl) == 1 && (cmd == regs::CMD_SIGN || cmd == regs::CMD_VERIFY) {
            let good = self.input(HASH_VALID) == 1 && self.input(HASH_MASTER) == master;
            self.slots[slot::HASH] = if good { words_of_port(&self.inputs[HASH_IN]) } else { [0; 8] };
            early = (!good).then_some(regs::RES_HASH_UNAVAILABLE);
        }
        let take = match cmd {
            _ if regs::CTRL_K_SIDELOAD.get(self.ctrl) == 0 => None,
            regs::CMD_SIGN => Some(slot::K),
            regs::CMD_KEYGEN => Some(slot::SEED),
            _ => None,
        };
        let (error, after) = if take.is_some() { (0, self.slots) } else { outcome(cmd, randomize, &self.slots, early) };
        self.run = Some(Run { cmd, randomize, left: LATENCY[cmd as usize][randomize as usize], take, early, error, after });
        self.done = false;
        self.result = 0;
        self.cycles = 0;
    }

    /// K_SIDELOAD, the command's first edge: K (SIGN) or SEED (KEYGEN) = `k_in` if `k_valid`,
    /// else 0 and RES_K_UNAVAILABLE unless an earlier error is set; then the outcome.
    fn take_k(&self, run: &mut Run) {
        let Some(dest) = run.take.take() else { return };
        let valid = self.input(K_VALID) == 1;
        let mut before = self.slots;
        before[dest] = if valid { words_of_port(&self.inputs[K_IN]) } else { [0; 8] };
        let early = run.early.or((!valid).then_some(regs::RES_K_UNAVAILABLE));
        (run.error, run.after) = outcome(run.cmd, run.randomize, &before, early);
    }

    /// The first edge with `esc`: abort, zero everything, start a full wipe, refuse CMD from now.
    fn escalate(&mut self) {
        self.dead = true;
        self.run = None;
        self.done = false;
        self.result = 0;
        self.cycles = 0;
        self.slots = [[0; 8]; OPERANDS.len()];
        self.wipe_left = POWER_ON_WIPE_CYCLES;
    }

    /// A rising edge with `rst_n` high; every decision uses the state before it.
    fn rising_edge(&mut self) {
        let req = self.request();
        let step = self.bus_step();
        // `clear` means nothing during the power-on wipe (it zeroes everything anyway) or after
        // escalation (everything is zero and refused).
        let clear = self.input(CLEAR) == 1 && !self.power_on && !self.dead;
        // The engine advances: the wipe, then the running command.
        if self.wipe_left > 0 {
            self.wipe_left -= 1;
            self.power_on &= self.wipe_left > 0;
        }
        if let Some(mut run) = self.run {
            self.take_k(&mut run);
            self.run = Some(run);
        }
        if let Some(run) = &mut self.run {
            run.left -= 1;
            self.cycles += 1;
            if run.left == 0 {
                let run = *run;
                self.slots = run.after;
                self.result = regs::RESULT_ERROR.put(run.error) | regs::RESULT_CMD.put(run.cmd);
                self.done = true;
                self.run = None;
            }
        }
        // The transfer that completes at this edge.
        self.read_issued = step == Some(Step::ReadWait);
        match step {
            Some(Step::Done(Ok(action))) => match action {
                Action::Read { .. } => {}
                Action::ClearErr => self.err_info = 0,
                Action::Ctrl(v) => self.ctrl = v,
                Action::Operand { slot, word, value } => self.slots[slot][word] = value,
                Action::Cmd(cmd) => self.start(cmd, req.pmaster),
            },
            Some(Step::Done(Err(code))) => self.log_error(code, &req),
            _ => {}
        }
        // A change of owner after the transfer: whatever runs (or just started) is replaced by WIPE,
        // and the old owner's ERR_INFO goes.
        if clear {
            self.run = None;
            self.start(regs::CMD_WIPE, req.pmaster);
            self.err_info = 0;
        }
        // Escalation last: it wins over everything at its edge.
        if self.input(ESC) == 1 && !self.dead {
            self.escalate();
        }
    }
}

impl Dut for P256Model {
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
        let step = self.bus_step();
        let out = match port {
            PREADY => !matches!(step, Some(Step::WipeWait | Step::ReadWait)) as u32,
            // Read data only in the cycle that completes an allowed read.
            PRDATA => match step {
                Some(Step::Done(Ok(Action::Read { value, .. }))) => value,
                _ => 0,
            },
            PSLVERR => matches!(step, Some(Step::Done(Err(_)))) as u32,
            // The cycle before the edge that takes k_in (state alone; see the module doc).
            K_TAKEN => self.run.is_some_and(|r| r.take.is_some()) as u32,
            INTR_DONE => self.done as u32,
            // The sequencer's state check has nothing to check in a model.
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
        if self.in_reset() {
            self.reset();
            return;
        }
        // The protocol check's next state, from the bus and `pready` before the edge.
        let req = self.request();
        let pready = !matches!(self.bus_step(), Some(Step::WipeWait | Step::ReadWait));
        let mut guard = self.guard;
        guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, pready, &req);
        self.rising_edge();
        self.guard = guard;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_apb::{Apb, Done};
    use pluton_regs::p256::regs::*;
    use std::collections::HashMap;

    /// n, the group order (FIPS 186-4 D.1.2.3).
    const N_HEX: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    const P_HEX: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

    fn b32(hex: &str) -> Bytes32 {
        let v: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(&v);
        out
    }

    fn unhex(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }

    /// The records of a CAVP file (`key = value` lines, a blank line between records) that have `key`.
    fn records(file: &str, key: &str) -> Vec<HashMap<String, String>> {
        let path = format!("{}/../testbenches/p256/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut out = Vec::new();
        let mut cur = HashMap::new();
        for line in text.lines().map(str::trim).chain(std::iter::once("")) {
            if let Some((k, v)) = line.split_once(" = ").filter(|_| !line.starts_with('#')) {
                cur.insert(k.to_string(), v.to_string());
            } else if line.is_empty() && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        out.retain(|r| r.contains_key(key));
        out
    }

    /// A model out of reset, past its power-on wipe, and a bus master for it.
    fn setup() -> (P256Model, Apb) {
        let mut m = P256Model::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        for _ in 0..POWER_ON_WIPE_CYCLES {
            apb.step(&mut m);
        }
        (m, apb)
    }

    fn write_operand(m: &mut P256Model, apb: &mut Apb, reg: Register, v: &Bytes32) {
        for (i, w) in words_of(v).into_iter().enumerate() {
            let d = apb.write(m, reg.addr(i as u32), w);
            assert!(!d.err && d.waits == 0, "{} word {i}: {d:?}", reg.name);
        }
    }

    /// An operand as 32 bytes, read word by word (each with its one wait state).
    fn read_operand(m: &mut P256Model, apb: &mut Apb, reg: Register) -> Bytes32 {
        let mut out = [0u8; 32];
        for i in 0..8 {
            let d = apb.read(m, reg.addr(i));
            assert_eq!((d.err, d.waits), (false, 1), "{} word {i}", reg.name);
            out[4 * i as usize..4 * i as usize + 4].copy_from_slice(&d.data.to_le_bytes());
        }
        out
    }

    fn read(m: &mut P256Model, apb: &mut Apb, reg: Register) -> u32 {
        let d = apb.read(m, reg.offset);
        assert!(!d.err, "{}", reg.name);
        d.data
    }

    /// ERR_INFO's code, then clear it.
    fn take_code(m: &mut P256Model, apb: &mut Apb) -> u32 {
        let c = ERR_INFO_CODE.get(read(m, apb, ERR_INFO));
        assert!(!apb.write(m, ERR_INFO.offset, 0).err);
        c
    }

    /// Write CMD, clock until intr_done; check it took exactly LATENCY and RESULT/CYCLES agree.
    /// Returns RESULT.ERROR.
    fn command(m: &mut P256Model, apb: &mut Apb, cmd: u32) -> u32 {
        let randomize = CTRL_RANDOMIZE.get(read(m, apb, CTRL)) as usize;
        let d = apb.write(m, CMD.offset, cmd);
        assert!(!d.err, "CMD {cmd} refused");
        let t0 = apb.edges;
        let latency = LATENCY[cmd as usize][randomize];
        assert_eq!(m.peek_u32(INTR_DONE), 0, "DONE cleared at the CMD edge");
        while m.peek_u32(INTR_DONE) == 0 {
            assert!(apb.edges - t0 < latency, "CMD {cmd}: no DONE after {latency} edges");
            apb.step(m);
        }
        assert_eq!(apb.edges - t0, latency, "CMD {cmd} RANDOMIZE {randomize}");
        let status = read(m, apb, STATUS);
        assert_eq!((STATUS_BUSY.get(status), STATUS_DONE.get(status)), (0, 1));
        assert_eq!(read(m, apb, CYCLES) as u64, latency);
        let result = read(m, apb, RESULT);
        assert_eq!(RESULT_CMD.get(result), cmd);
        RESULT_ERROR.get(result)
    }

    fn keypair(i: usize) -> (Bytes32, Bytes32, Bytes32) {
        let r = &records("KeyPair_P256.rsp", "d")[i];
        (b32(&r["d"]), b32(&r["Qx"]), b32(&r["Qy"]))
    }

    #[test]
    fn ports_in_order() {
        let m = P256Model::new();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "esc", "clear", "hash_in", "hash_valid", "hash_master", "k_in", "k_valid", "prdata",
                "pready", "pslverr", "k_taken", "intr_done", "alert_fatal"
            ]
        );
        let widths: Vec<u32> = m.ports().iter().map(|p| p.width).collect();
        assert_eq!(widths, [1, 1, 1, 1, 1, 12, 32, 4, 4, 1, 1, 256, 1, 4, 256, 1, 32, 1, 1, 1, 1, 1]);
        let outs: Vec<&str> = m.ports().iter().filter(|p| p.dir == Dir::Out).map(|p| p.name.as_str()).collect();
        assert_eq!(outs, ["prdata", "pready", "pslverr", "k_taken", "intr_done", "alert_fatal"]);
        assert_eq!(m.name(), "pluton_p256");
    }

    #[test]
    fn id_and_reset_values() {
        let (mut m, mut apb) = setup();
        for master in 0..16 {
            let d = apb.transfer(&mut m, false, ID.offset, 0, 0, master);
            assert_eq!((d.data, d.err, d.waits), (0x5032_0100, false, 0), "master {master}");
        }
        for reg in [ERR_INFO, STATUS, CTRL, RESULT, CYCLES] {
            assert_eq!(read(&mut m, &mut apb, reg), 0, "{}", reg.name);
        }
        for reg in [HASH, QX, QY, R, S] {
            assert_eq!(read_operand(&mut m, &mut apb, reg), [0; 32], "{}", reg.name);
        }
        assert_eq!(m.peek_u32(INTR_DONE), 0);
    }

    #[test]
    fn power_on_wipe_holds_every_access() {
        let mut m = P256Model::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        let release = apb.edges;
        // Setup at the first edge after release; the access waits until BUSY falls at edge 64 and
        // completes at the next edge.
        let d = apb.read(&mut m, STATUS.offset);
        assert_eq!((d.data, d.err), (0, false));
        assert_eq!(apb.edges - release, POWER_ON_WIPE_CYCLES + 1);
        assert_eq!(d.waits as u64, POWER_ON_WIPE_CYCLES - 1);
        // A reset restarts it; an operand read also waits, then takes its own wait state.
        m.poke_u32(RST_N, 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        let d = apb.read(&mut m, HASH.addr(3));
        assert_eq!((d.data, d.err, d.waits as u64), (0, false, POWER_ON_WIPE_CYCLES));
        // Refusals wait too: ERR_READ_WO for D, once the wipe is over.
        m.poke_u32(RST_N, 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        let d = apb.read(&mut m, D.addr(0));
        assert_eq!((d.data, d.err, d.waits as u64), (0, true, POWER_ON_WIPE_CYCLES - 1));
        assert_eq!(take_code(&mut m, &mut apb), ERR_READ_WO);
        // A protocol violation (an access with no setup) completes at once, even in the wipe.
        m.poke_u32(RST_N, 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        apb.step(&mut m);
        let (psel, penable, paddr) = (m.port_id("psel").unwrap(), m.port_id("penable").unwrap(), m.port_id("paddr").unwrap());
        m.poke_u32(paddr, STATUS.offset);
        m.poke_u32(psel, 1);
        m.poke_u32(penable, 1);
        assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR), m.peek_u32(PRDATA)), (1, 1, 0));
        apb.step(&mut m);
        m.poke_u32(psel, 0);
        m.poke_u32(penable, 0);
        let d = apb.read(&mut m, ERR_INFO.offset);
        assert_eq!(ERR_INFO_CODE.get(d.data), ERR_PROTOCOL);
    }

    #[test]
    fn operand_write_read_back_in_memory_order() {
        let (mut m, mut apb) = setup();
        // Bytes 0x00, 0x01, .. 0x1f as memcpy stores them: word i = bytes 4i..4i+3, byte 4i low.
        let bytes: Bytes32 = std::array::from_fn(|i| i as u8);
        for (k, reg) in [HASH, QX, QY, R, S].into_iter().enumerate() {
            let v: Bytes32 = std::array::from_fn(|i| bytes[i] ^ (k as u8 * 0x40));
            write_operand(&mut m, &mut apb, reg, &v);
            assert_eq!(read_operand(&mut m, &mut apb, reg), v, "{}", reg.name);
        }
        let d = apb.read(&mut m, HASH.addr(0));
        assert_eq!((d.data, d.waits), (0x0302_0100, 1));
        assert_eq!(apb.read(&mut m, HASH.addr(7)).data, 0x1f1e_1d1c);
        // A partial strobe changes nothing.
        assert!(apb.write_strb(&mut m, HASH.addr(0), 0xdead_beef, 0b0011).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_STRB);
        assert_eq!(apb.read(&mut m, HASH.addr(0)).data, 0x0302_0100);
        // Another master may not touch an operand.
        let d = apb.transfer(&mut m, false, QX.addr(1), 0, 0, MASTER_APP);
        assert_eq!((d.data, d.err, d.waits), (0, true, 0));
        assert_eq!(take_code(&mut m, &mut apb), ERR_MASTER);
    }

    #[test]
    fn write_only_secrets_are_refused() {
        let (mut m, mut apb) = setup();
        for reg in [D, K, SEED, LAMBDA] {
            write_operand(&mut m, &mut apb, reg, &[0xa5; 32]);
            for i in [0, 7] {
                let d = apb.read(&mut m, reg.addr(i));
                // Refused at once (no wait state), data 0.
                assert_eq!((d.data, d.err, d.waits), (0, true, 0), "{}", reg.name);
                let info = read(&mut m, &mut apb, ERR_INFO);
                assert_eq!(ERR_INFO_CODE.get(info), ERR_READ_WO);
                assert_eq!(ERR_INFO_ADDR.get(info), reg.addr(i));
                assert_eq!((ERR_INFO_WRITE.get(info), ERR_INFO_MASTER.get(info)), (0, MASTER_SEC));
                assert!(!apb.write(&mut m, ERR_INFO.offset, 0).err);
            }
            let d = apb.transfer(&mut m, false, reg.offset, 0, 0, MASTER_APP);
            assert_eq!((d.data, d.err), (0, true));
            assert_eq!(take_code(&mut m, &mut apb), ERR_MASTER, "{}", reg.name);
        }
        assert!(apb.read(&mut m, CMD.offset).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_READ_WO);
        assert_eq!(m.slots[slot::D], [0xa5a5_a5a5; 8]);
    }

    #[test]
    fn bus_check_order() {
        let (mut m, mut apb) = setup();
        let expect = |m: &mut P256Model, apb: &mut Apb, write: bool, addr: u32, data: u32, strb: u32, master: u32, code: u32| {
            let d = apb.transfer(m, write, addr, data, strb, master);
            assert_eq!((d.err, d.data), (true, 0), "0x{addr:03x}");
            assert_eq!(take_code(m, apb), code, "0x{addr:03x} <- {data}");
        };
        expect(&mut m, &mut apb, false, 0x01c, 0, 0, MASTER_SEC, ERR_UNMAPPED);
        expect(&mut m, &mut apb, false, 0x160, 0, 0, MASTER_SEC, ERR_UNMAPPED);
        expect(&mut m, &mut apb, false, 0x082, 0, 0, MASTER_SEC, ERR_UNMAPPED);
        expect(&mut m, &mut apb, true, 0x161, 0, 0b0101, MASTER_APP, ERR_UNMAPPED);
        expect(&mut m, &mut apb, false, STATUS.offset, 0, 0, MASTER_APP, ERR_MASTER);
        expect(&mut m, &mut apb, true, CMD.offset, 9, 0b0001, MASTER_APP, ERR_MASTER);
        expect(&mut m, &mut apb, true, ID.offset, 0, 0xF, MASTER_APP, ERR_WRITE_RO);
        expect(&mut m, &mut apb, true, RESULT.offset, 0, 0b0001, MASTER_SEC, ERR_WRITE_RO);
        expect(&mut m, &mut apb, true, CMD.offset, 9, 0b0111, MASTER_SEC, ERR_STRB);
        expect(&mut m, &mut apb, true, ERR_INFO.offset, 0, 0b1000, MASTER_SEC, ERR_STRB);
        for bad in [0, 7, 0x101, 0xffff_ffff] {
            expect(&mut m, &mut apb, true, CMD.offset, bad, 0xF, MASTER_SEC, ERR_VALUE);
        }
        // CTRL: bits 2:0 are options (K_SIDELOAD is bit 2); bit 3 and up: ERR_VALUE.
        for bad in [8, 0xf, 1 << 31] {
            expect(&mut m, &mut apb, true, CTRL.offset, bad, 0xF, MASTER_SEC, ERR_VALUE);
        }
        assert_eq!(read(&mut m, &mut apb, CTRL), 0);
        assert!(!apb.write(&mut m, CTRL.offset, 7).err);
        assert_eq!(read(&mut m, &mut apb, CTRL), 7);
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        assert_eq!(read(&mut m, &mut apb, CTRL), 1);
        // ERR_INFO keeps the first refusal; later ones set OVERFLOW; any write clears it.
        assert!(apb.transfer(&mut m, true, STATUS.offset, 0, 0xF, MASTER_SEC).err);
        assert!(apb.read(&mut m, K.offset).err);
        let info = read(&mut m, &mut apb, ERR_INFO);
        assert_eq!(info, ERR_INFO_CODE.put(ERR_WRITE_RO) | ERR_INFO_WRITE.put(1) | ERR_INFO_ADDR.put(STATUS.offset) | ERR_INFO_OVERFLOW.put(1));
        assert_eq!(STATUS_ERR.get(read(&mut m, &mut apb, STATUS)), 1);
        assert!(!apb.write(&mut m, ERR_INFO.offset, 0x1234).err);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
    }

    #[test]
    fn pubkey_cavp_keypair() {
        let (mut m, mut apb) = setup();
        let (d, qx, qy) = keypair(0);
        write_operand(&mut m, &mut apb, D, &d);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QX), qx);
        assert_eq!(read_operand(&mut m, &mut apb, QY), qy);
        // D is kept: the next PUBKEY gives the same key; intr_done stays until the next CMD.
        write_operand(&mut m, &mut apb, QX, &[0; 32]);
        assert_eq!(m.peek_u32(INTR_DONE), 1);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QX), qx);
    }

    #[test]
    fn pubkey_randomized_and_mask_range() {
        let (mut m, mut apb) = setup();
        let (d, qx, qy) = keypair(1);
        let mut p_minus_1 = b32(P_HEX);
        p_minus_1[31] -= 1;
        assert!(!apb.write(&mut m, CTRL.offset, CTRL_RANDOMIZE.put(1)).err);
        write_operand(&mut m, &mut apb, D, &d);
        for (lambda, want) in [(p_minus_1, RES_OK), (b32(P_HEX), RES_MASK_RANGE), ([0; 32], RES_MASK_RANGE), (b32("01"), RES_OK)] {
            write_operand(&mut m, &mut apb, LAMBDA, &lambda);
            assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), want, "λ {lambda:02x?}");
            let ok = want == RES_OK;
            assert_eq!(read_operand(&mut m, &mut apb, QX), if ok { qx } else { [0; 32] });
            assert_eq!(read_operand(&mut m, &mut apb, QY), if ok { qy } else { [0; 32] });
        }
        // λ was wiped after the last command: RANDOMIZE with no new λ fails.
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_MASK_RANGE);
        // Without RANDOMIZE λ is not checked; d is checked before λ.
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        write_operand(&mut m, &mut apb, D, &b32(N_HEX));
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_SCALAR_RANGE);
    }

    #[test]
    fn keygen_takes_seed_in_range_only() {
        let (mut m, mut apb) = setup();
        let (d0, qx0, qy0) = keypair(2);
        let (d1, qx1, qy1) = keypair(3);
        write_operand(&mut m, &mut apb, D, &d0);
        write_operand(&mut m, &mut apb, SEED, &d1);
        assert_eq!(command(&mut m, &mut apb, CMD_KEYGEN), RES_OK);
        assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), (qx1, qy1));
        // SEED was wiped, D = SEED: a KEYGEN with no new seed fails and leaves D; PUBKEY shows D.
        assert_eq!(command(&mut m, &mut apb, CMD_KEYGEN), RES_SCALAR_RANGE);
        assert_eq!(read_operand(&mut m, &mut apb, QX), [0; 32]);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QY), qy1);
        // SEED = n is refused; D stays.
        write_operand(&mut m, &mut apb, SEED, &b32(N_HEX));
        assert_eq!(command(&mut m, &mut apb, CMD_KEYGEN), RES_SCALAR_RANGE);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QX), qx1);
        // With RANDOMIZE and a bad λ: D = SEED already, the outputs are 0.
        write_operand(&mut m, &mut apb, SEED, &d0);
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        assert_eq!(command(&mut m, &mut apb, CMD_KEYGEN), RES_MASK_RANGE);
        assert_eq!(read_operand(&mut m, &mut apb, QX), [0; 32]);
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), (qx0, qy0));
    }

    #[test]
    fn sign_cavp_siggen_then_verify() {
        let (mut m, mut apb) = setup();
        let r = &records("SigGen_P256_SHA256.txt", "k")[0];
        let hash = ec::hash_sha256(&unhex(&r["Msg"]));
        write_operand(&mut m, &mut apb, D, &b32(&r["d"]));
        write_operand(&mut m, &mut apb, K, &b32(&r["k"]));
        write_operand(&mut m, &mut apb, HASH, &hash);
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, R), b32(&r["R"]));
        assert_eq!(read_operand(&mut m, &mut apb, S), b32(&r["S"]));
        // HASH, R and S are kept: VERIFY them under the vector's Q.
        write_operand(&mut m, &mut apb, QX, &b32(&r["Qx"]));
        write_operand(&mut m, &mut apb, QY, &b32(&r["Qy"]));
        assert_eq!(command(&mut m, &mut apb, CMD_VERIFY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, HASH), hash);
        // K was wiped after SIGN: signing again fails (k = 0) and zeroes R and S.
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_SCALAR_RANGE);
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
    }

    #[test]
    fn verify_cavp_pass_and_fail() {
        let (mut m, mut apb) = setup();
        let recs = records("SigVer_P256_SHA256.rsp", "Result");
        let pass = recs.iter().find(|r| r["Result"].starts_with('P')).unwrap();
        let fail = recs.iter().find(|r| r["Result"].contains("S changed")).unwrap();
        for (r, want) in [(pass, RES_OK), (fail, RES_BAD_SIGNATURE)] {
            write_operand(&mut m, &mut apb, QX, &b32(&r["Qx"]));
            write_operand(&mut m, &mut apb, QY, &b32(&r["Qy"]));
            write_operand(&mut m, &mut apb, R, &b32(&r["R"]));
            write_operand(&mut m, &mut apb, S, &b32(&r["S"]));
            write_operand(&mut m, &mut apb, HASH, &ec::hash_sha256(&unhex(&r["Msg"])));
            assert_eq!(command(&mut m, &mut apb, CMD_VERIFY), want, "{}", r["Result"]);
            // VERIFY writes no operand.
            assert_eq!(read_operand(&mut m, &mut apb, S), b32(&r["S"]));
        }
        // Check order: r, s range (2) before Q (3), Q = (0, 0) (3), a coordinate = p (4).
        let r = pass;
        write_operand(&mut m, &mut apb, R, &b32(&r["R"]));
        write_operand(&mut m, &mut apb, HASH, &ec::hash_sha256(&unhex(&r["Msg"])));
        write_operand(&mut m, &mut apb, S, &b32(N_HEX));
        write_operand(&mut m, &mut apb, QX, &[0; 32]);
        write_operand(&mut m, &mut apb, QY, &[0; 32]);
        assert_eq!(command(&mut m, &mut apb, CMD_VERIFY), RES_SIGNATURE_RANGE);
        write_operand(&mut m, &mut apb, S, &b32(&r["S"]));
        assert_eq!(command(&mut m, &mut apb, CMD_VERIFY), RES_INFINITY);
        write_operand(&mut m, &mut apb, QX, &b32(P_HEX));
        write_operand(&mut m, &mut apb, QY, &b32(&r["Qy"]));
        assert_eq!(command(&mut m, &mut apb, CMD_VERIFY), RES_NOT_ON_CURVE);
        // RANDOMIZE only changes the latency column; VERIFY checks no λ.
        write_operand(&mut m, &mut apb, QX, &b32(&r["Qx"]));
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        assert_eq!(command(&mut m, &mut apb, CMD_VERIFY), RES_OK);
    }

    #[test]
    fn ecdh_matches_the_p256_crate_and_errors_zero_qx() {
        let (mut m, mut apb) = setup();
        let (da, _, _) = keypair(4);
        let (_, bx, by) = keypair(5);
        let sk = p256::SecretKey::from_bytes(&da.into()).unwrap();
        let pk = p256::PublicKey::from_sec1_bytes(&[&[4u8][..], &bx, &by].concat()).unwrap();
        let shared: Bytes32 = (*p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine()).raw_secret_bytes()).into();
        write_operand(&mut m, &mut apb, D, &da);
        write_operand(&mut m, &mut apb, QX, &bx);
        write_operand(&mut m, &mut apb, QY, &by);
        assert_eq!(command(&mut m, &mut apb, CMD_ECDH), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QX), shared);
        assert_eq!(read_operand(&mut m, &mut apb, QY), by, "QY is not an output of ECDH");
        // Off the curve: QX = 0, QY untouched.
        let mut off = by;
        off[31] ^= 1;
        write_operand(&mut m, &mut apb, QX, &bx);
        write_operand(&mut m, &mut apb, QY, &off);
        assert_eq!(command(&mut m, &mut apb, CMD_ECDH), RES_NOT_ON_CURVE);
        assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), ([0; 32], off));
        // Order: d (1) before Q = (0, 0) (3); Q (3) before λ (8).
        write_operand(&mut m, &mut apb, QY, &[0; 32]);
        write_operand(&mut m, &mut apb, D, &[0; 32]);
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        assert_eq!(command(&mut m, &mut apb, CMD_ECDH), RES_SCALAR_RANGE);
        write_operand(&mut m, &mut apb, D, &da);
        assert_eq!(command(&mut m, &mut apb, CMD_ECDH), RES_INFINITY);
        write_operand(&mut m, &mut apb, QX, &bx);
        write_operand(&mut m, &mut apb, QY, &by);
        assert_eq!(command(&mut m, &mut apb, CMD_ECDH), RES_MASK_RANGE);
        assert_eq!(read_operand(&mut m, &mut apb, QX), [0; 32]);
    }

    /// HASH_SIDELOAD: SIGN takes HASH from the digest port (a number, word 0 least significant)
    /// and gives CAVP's signature; a digest that is not valid, or another master's, gives
    /// RES_HASH_UNAVAILABLE with HASH and the outputs zero; other commands ignore the port.
    #[test]
    fn sign_with_the_hash_from_the_digest_port() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[2];
        let (d, k) = (b32(&rec["d"]), b32(&rec["k"]));
        let hash = ec::hash_sha256(&unhex(&rec["Msg"]));
        let number = ec::port_words(&hash);
        m.poke(HASH_IN, &number);
        m.poke_u32(HASH_VALID, 1);
        m.poke_u32(HASH_MASTER, MASTER_SEC);
        assert!(!apb.write(&mut m, CTRL.offset, CTRL_HASH_SIDELOAD.put(1)).err);
        assert_eq!(read(&mut m, &mut apb, CTRL), 2);
        let sign = |m: &mut P256Model, apb: &mut Apb| {
            write_operand(m, apb, D, &d);
            write_operand(m, apb, K, &k);
            write_operand(m, apb, HASH, &[0x77; 32]);
            command(m, apb, CMD_SIGN)
        };
        assert_eq!(sign(&mut m, &mut apb), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, HASH), hash);
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), (b32(&rec["R"]), b32(&rec["S"])));
        for (valid, master) in [(0, MASTER_SEC), (1, MASTER_APP)] {
            m.poke_u32(HASH_VALID, valid);
            m.poke_u32(HASH_MASTER, master);
            assert_eq!(sign(&mut m, &mut apb), RES_HASH_UNAVAILABLE, "valid {valid}, master {master}");
            assert_eq!(read_operand(&mut m, &mut apb, HASH), [0; 32]);
            assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
        }
        // PUBKEY ignores the port, and HASH keeps what the bus wrote.
        write_operand(&mut m, &mut apb, HASH, &[0x77; 32]);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, HASH), [0x77; 32]);
    }

    #[test]
    fn failed_sign_zeroes_outputs_and_checks_in_order() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[1];
        let (d, k) = (b32(&rec["d"]), b32(&rec["k"]));
        let hash = ec::hash_sha256(&unhex(&rec["Msg"]));
        write_operand(&mut m, &mut apb, HASH, &hash);
        // Outputs of an earlier success, to see them zeroed.
        write_operand(&mut m, &mut apb, D, &d);
        write_operand(&mut m, &mut apb, K, &k);
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, R), b32(&rec["R"]));
        // k = n (1), and with RANDOMIZE and a bad λ, still 1: k before λ.
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        write_operand(&mut m, &mut apb, K, &b32(N_HEX));
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_SCALAR_RANGE);
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
        // Good d and k, λ = 0: 8.
        write_operand(&mut m, &mut apb, K, &k);
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_MASK_RANGE);
        assert_eq!(read_operand(&mut m, &mut apb, S), [0; 32]);
        // A good λ gives the same signature (randomization changes no result).
        write_operand(&mut m, &mut apb, K, &k);
        write_operand(&mut m, &mut apb, LAMBDA, &[0x5a; 32]);
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_OK);
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), (b32(&rec["R"]), b32(&rec["S"])));
    }

    #[test]
    fn busy_refuses_operands_and_cmd_but_not_ctrl() {
        let (mut m, mut apb) = setup();
        let (d, qx, _) = keypair(6);
        write_operand(&mut m, &mut apb, D, &d);
        write_operand(&mut m, &mut apb, HASH, &[0x11; 32]);
        assert!(!apb.write(&mut m, CMD.offset, CMD_PUBKEY).err);
        let t0 = apb.edges;
        let status = read(&mut m, &mut apb, STATUS);
        assert_eq!((STATUS_BUSY.get(status), STATUS_DONE.get(status)), (1, 0));
        // CYCLES counts live; RESULT is 0 until DONE.
        assert_eq!(read(&mut m, &mut apb, CYCLES) as u64, apb.edges - 1 - t0);
        assert_eq!(read(&mut m, &mut apb, RESULT), 0);
        // Operand reads (no wait state), operand writes and CMD: ERR_BUSY, nothing changes.
        let rd = apb.read(&mut m, HASH.addr(2));
        assert_eq!((rd.data, rd.err, rd.waits), (0, true, 0));
        assert_eq!(take_code(&mut m, &mut apb), ERR_BUSY);
        assert!(apb.write(&mut m, HASH.addr(2), 0).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_BUSY);
        assert!(apb.write(&mut m, D.addr(0), 0).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_BUSY);
        assert!(apb.write(&mut m, CMD.offset, CMD_WIPE).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_BUSY);
        // A bad CMD value is ERR_VALUE first; CTRL is written (for the next command).
        assert!(apb.write(&mut m, CMD.offset, 0).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_VALUE);
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        while m.peek_u32(INTR_DONE) == 0 {
            apb.step(&mut m);
        }
        assert_eq!(apb.edges - t0, LATENCY[CMD_PUBKEY as usize][0], "RANDOMIZE is taken at CMD");
        assert_eq!(read_operand(&mut m, &mut apb, QX), qx);
        assert_eq!(read_operand(&mut m, &mut apb, HASH), [0x11; 32]);
        // The next CMD clears DONE, RESULT and CYCLES at its edge.
        write_operand(&mut m, &mut apb, LAMBDA, &[1; 32]);
        assert!(!apb.write(&mut m, CMD.offset, CMD_PUBKEY).err);
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        assert_eq!(read(&mut m, &mut apb, CYCLES), 1, "setup after the CMD edge, access after one more");
        assert_eq!(read(&mut m, &mut apb, RESULT), 0);
    }

    #[test]
    fn wipe_clears_every_operand() {
        let (mut m, mut apb) = setup();
        for reg in [D, K, HASH, QX, QY, R, S, SEED, LAMBDA] {
            write_operand(&mut m, &mut apb, reg, &[0x77; 32]);
        }
        assert!(!apb.write(&mut m, CTRL.offset, 1).err);
        assert_eq!(command(&mut m, &mut apb, CMD_WIPE), RES_OK);
        for reg in [HASH, QX, QY, R, S] {
            assert_eq!(read_operand(&mut m, &mut apb, reg), [0; 32], "{}", reg.name);
        }
        assert_eq!(m.slots, [[0; 8]; 9], "D, K, SEED and λ too");
        // D = 0 now: PUBKEY fails on d.
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_SCALAR_RANGE);
    }

    #[test]
    fn escalation_aborts_wipes_and_refuses_cmd_until_reset() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[2];
        write_operand(&mut m, &mut apb, D, &b32(&rec["d"]));
        write_operand(&mut m, &mut apb, K, &b32(&rec["k"]));
        write_operand(&mut m, &mut apb, HASH, &[0x33; 32]);
        assert!(apb.read(&mut m, D.offset).err); // logged: ERR_INFO survives escalation
        assert!(!apb.write(&mut m, CMD.offset, CMD_SIGN).err);
        for _ in 0..10 {
            apb.step(&mut m);
        }
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        let esc_edge = apb.edges;
        m.poke_u32(ESC, 0); // DEAD holds after esc falls
        // The wipe: BUSY, operands refused; the command never finishes.
        let status = read(&mut m, &mut apb, STATUS);
        assert_eq!(status, STATUS_BUSY.put(1) | STATUS_ERR.put(1) | STATUS_DEAD.put(1));
        assert_eq!((read(&mut m, &mut apb, RESULT), read(&mut m, &mut apb, CYCLES)), (0, 0));
        assert!(apb.read(&mut m, HASH.offset).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_READ_WO, "the first refusal is kept");
        assert!(apb.read(&mut m, HASH.offset).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_BUSY);
        // CMD: ERR_FATAL before ERR_BUSY; a bad value is still ERR_VALUE.
        assert!(apb.write(&mut m, CMD.offset, CMD_WIPE).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_FATAL);
        assert!(apb.write(&mut m, CMD.offset, 8).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_VALUE);
        while STATUS_BUSY.get(read(&mut m, &mut apb, STATUS)) == 1 {}
        assert!(apb.edges - esc_edge > POWER_ON_WIPE_CYCLES);
        assert!(apb.edges - esc_edge <= POWER_ON_WIPE_CYCLES + 2);
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        assert_eq!(m.slots, [[0; 8]; 9], "every operand, D included");
        assert_eq!(read_operand(&mut m, &mut apb, HASH), [0; 32]);
        for _ in 0..LATENCY[CMD_SIGN as usize][0] {
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        assert!(apb.write(&mut m, CMD.offset, CMD_PUBKEY).err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_FATAL);
        // Only reset revives the engine.
        m.poke_u32(RST_N, 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        for _ in 0..POWER_ON_WIPE_CYCLES {
            apb.step(&mut m);
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        assert_eq!(command(&mut m, &mut apb, CMD_WIPE), RES_OK);
    }

    #[test]
    fn escalation_while_idle_wipes_d() {
        let (mut m, mut apb) = setup();
        let (d, _, _) = keypair(7);
        write_operand(&mut m, &mut apb, D, &d);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        m.poke_u32(ESC, 1);
        assert_eq!(m.peek_u32(INTR_DONE), 1, "esc acts at the edge");
        apb.step(&mut m);
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        assert_eq!(m.slots, [[0; 8]; 9]);
        // esc held: no further wipe after the first; operands are usable again, CMD is not.
        for _ in 0..POWER_ON_WIPE_CYCLES {
            apb.step(&mut m);
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), STATUS_DEAD.put(1));
        write_operand(&mut m, &mut apb, HASH, &[9; 32]);
        assert_eq!(read_operand(&mut m, &mut apb, HASH), [9; 32]);
        let d: Done = apb.write(&mut m, CMD.offset, CMD_PUBKEY);
        assert!(d.err);
        assert_eq!(take_code(&mut m, &mut apb), ERR_FATAL);
    }

    #[test]
    fn reset_aborts_a_command_and_wipes() {
        let (mut m, mut apb) = setup();
        write_operand(&mut m, &mut apb, D, &keypair(8).0);
        write_operand(&mut m, &mut apb, QX, &[5; 32]);
        assert!(!apb.write(&mut m, CMD.offset, CMD_PUBKEY).err);
        apb.step(&mut m);
        m.poke_u32(RST_N, 0);
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        apb.step(&mut m);
        m.poke_u32(RST_N, 1);
        for _ in 0..LATENCY[CMD_PUBKEY as usize][0] {
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(INTR_DONE), 0);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        assert_eq!(read_operand(&mut m, &mut apb, QX), [0; 32]);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_SCALAR_RANGE, "D wiped by reset");
    }

    // K_SIDELOAD: k (SIGN) and SEED (KEYGEN) from the k_in port.

    /// `k_in` for a 32-byte big-endian value: byte j in bits 255-8j:248-8j (README: big-endian
    /// byte order as K is written, so bits 255:248 are byte 0). Word w holds bits 32w+31:32w.
    fn k_words(b: &Bytes32) -> [u32; 8] {
        let mut w = [0u32; 8];
        for (j, &byte) in b.iter().enumerate() {
            let lsb = 248 - 8 * j;
            w[lsb / 32] |= (byte as u32) << (lsb % 32);
        }
        w
    }

    fn offer_k(m: &mut P256Model, k: &Bytes32) {
        m.poke(K_IN, &k_words(k));
        m.poke_u32(K_VALID, 1);
    }

    fn withdraw_k(m: &mut P256Model) {
        m.poke(K_IN, &[0; 8]);
        m.poke_u32(K_VALID, 0);
    }

    const K_SIDE: u32 = CTRL_K_SIDELOAD.mask();

    /// As `command`, also sampling `k_taken` in every cycle from the CMD write's setup to DONE.
    /// Returns RESULT.ERROR and the cycles with `k_taken` = 1, counted from the CMD edge (0 = the
    /// cycle right after it, before the command's first edge).
    fn command_k(m: &mut P256Model, apb: &mut Apb, cmd: u32) -> (u32, Vec<u64>) {
        assert_eq!(m.peek_u32(K_TAKEN), 0, "k_taken while idle");
        let randomize = CTRL_RANDOMIZE.get(read(m, apb, CTRL)) as usize;
        // The CMD write by hand, to see k_taken in its setup and access cycles too.
        for (port, v) in [(PSEL, 1), (PENABLE, 0), (PWRITE, 1), (PADDR, CMD.offset), (PWDATA, cmd), (PSTRB, 0xF), (PMASTER, MASTER_SEC)] {
            m.poke_u32(port, v);
        }
        assert_eq!(m.peek_u32(K_TAKEN), 0, "k_taken in the CMD setup cycle");
        apb.step(m);
        m.poke_u32(PENABLE, 1);
        assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR), m.peek_u32(K_TAKEN)), (1, 0, 0), "the CMD access cycle");
        apb.step(m);
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        let t0 = apb.edges;
        let latency = LATENCY[cmd as usize][randomize];
        let mut taken = Vec::new();
        while m.peek_u32(INTR_DONE) == 0 {
            assert!(apb.edges - t0 < latency, "CMD {cmd}: no DONE after {latency} edges");
            if m.peek_u32(K_TAKEN) == 1 {
                taken.push(apb.edges - t0);
            }
            apb.step(m);
        }
        assert_eq!(apb.edges - t0, latency, "CMD {cmd}: the schedule does not change");
        assert_eq!(m.peek_u32(K_TAKEN), 0);
        assert_eq!(read(m, apb, CYCLES) as u64, latency);
        let result = read(m, apb, RESULT);
        assert_eq!(RESULT_CMD.get(result), cmd);
        (RESULT_ERROR.get(result), taken)
    }

    /// SIGN with K_SIDELOAD takes k from the port at the command's first edge and gives CAVP
    /// SigGen's R and S; K written on the bus is not used. With HASH from its port as well.
    #[test]
    fn sign_with_k_from_the_port() {
        let (mut m, mut apb) = setup();
        let recs = records("SigGen_P256_SHA256.txt", "k");
        for (i, hash_side) in [(3, false), (4, true)] {
            let rec = &recs[i];
            let hash = ec::hash_sha256(&unhex(&rec["Msg"]));
            write_operand(&mut m, &mut apb, D, &b32(&rec["d"]));
            // Another record's k on the bus: a signature with it would differ.
            write_operand(&mut m, &mut apb, K, &b32(&recs[0]["k"]));
            if hash_side {
                m.poke(HASH_IN, &ec::port_words(&hash));
                m.poke_u32(HASH_VALID, 1);
                m.poke_u32(HASH_MASTER, MASTER_SEC);
                write_operand(&mut m, &mut apb, HASH, &[0x55; 32]);
            } else {
                write_operand(&mut m, &mut apb, HASH, &hash);
            }
            let ctrl = K_SIDE | CTRL_HASH_SIDELOAD.put(hash_side as u32);
            assert!(!apb.write(&mut m, CTRL.offset, ctrl).err);
            assert_eq!(read(&mut m, &mut apb, CTRL), ctrl);
            offer_k(&mut m, &b32(&rec["k"]));
            assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_OK, vec![0]), "record {i}");
            assert_eq!(read_operand(&mut m, &mut apb, R), b32(&rec["R"]), "record {i}");
            assert_eq!(read_operand(&mut m, &mut apb, S), b32(&rec["S"]), "record {i}");
            assert_eq!(read_operand(&mut m, &mut apb, HASH), hash);
        }
    }

    /// The value is taken at the edge after the CMD edge, not at the CMD edge nor later: k is
    /// on the port only in the cycle between them (then garbage), and the signature is right;
    /// k on the port only until the CMD edge gives RES_K_UNAVAILABLE.
    #[test]
    fn k_is_taken_at_the_commands_first_edge() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[5];
        let sign_with = |m: &mut P256Model, apb: &mut Apb, k_during_cmd: bool, k_after: bool| {
            write_operand(m, apb, D, &b32(&rec["d"]));
            write_operand(m, apb, HASH, &ec::hash_sha256(&unhex(&rec["Msg"])));
            assert!(!apb.write(m, CTRL.offset, K_SIDE).err);
            if k_during_cmd {
                offer_k(m, &b32(&rec["k"]));
            } else {
                offer_k(m, &[0x3c; 32]);
            }
            assert!(!apb.write(m, CMD.offset, CMD_SIGN).err);
            assert_eq!(m.peek_u32(K_TAKEN), 1);
            if k_after {
                offer_k(m, &b32(&rec["k"]));
            } else {
                withdraw_k(m);
            }
            apb.step(m);
            assert_eq!(m.peek_u32(K_TAKEN), 0);
            offer_k(m, &[0x3c; 32]);
            while m.peek_u32(INTR_DONE) == 0 {
                apb.step(m);
            }
            withdraw_k(m);
            RESULT_ERROR.get(read(m, apb, RESULT))
        };
        assert_eq!(sign_with(&mut m, &mut apb, false, true), RES_OK);
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), (b32(&rec["R"]), b32(&rec["S"])));
        assert_eq!(sign_with(&mut m, &mut apb, true, false), RES_K_UNAVAILABLE);
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
    }

    /// KEYGEN with K_SIDELOAD takes SEED from the port: D = the value, QX, QY = its public key
    /// (CAVP KeyPair, and the p256 crate for another value); SEED written on the bus is not used.
    #[test]
    fn keygen_with_seed_from_the_port() {
        let (mut m, mut apb) = setup();
        let (d0, qx0, qy0) = keypair(9);
        let seed1: Bytes32 = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5a);
        let pk = p256::SecretKey::from_bytes(&seed1.into()).unwrap().public_key();
        let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&pk, false);
        let (qx1, qy1): (Bytes32, Bytes32) = ((*point.x().unwrap()).into(), (*point.y().unwrap()).into());
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        for (seed, qx, qy) in [(d0, qx0, qy0), (seed1, qx1, qy1)] {
            write_operand(&mut m, &mut apb, SEED, &keypair(0).0);
            offer_k(&mut m, &seed);
            assert_eq!(command_k(&mut m, &mut apb, CMD_KEYGEN), (RES_OK, vec![0]));
            withdraw_k(&mut m);
            assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), (qx, qy));
            // D = the value: PUBKEY (which ignores the option and the port) gives the same key.
            write_operand(&mut m, &mut apb, QX, &[0; 32]);
            assert_eq!(command_k(&mut m, &mut apb, CMD_PUBKEY), (RES_OK, vec![]));
            assert_eq!(read_operand(&mut m, &mut apb, QX), qx);
        }
        // With RANDOMIZE (and a good λ) too.
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE | CTRL_RANDOMIZE.put(1)).err);
        write_operand(&mut m, &mut apb, LAMBDA, &[0x21; 32]);
        offer_k(&mut m, &d0);
        assert_eq!(command_k(&mut m, &mut apb, CMD_KEYGEN), (RES_OK, vec![0]));
        assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), (qx0, qy0));
    }

    /// No value on the port: RES_K_UNAVAILABLE (K or SEED is then 0), before the d and k checks
    /// and λ; outputs zero, D unchanged by KEYGEN; the whole schedule runs. A bad digest with
    /// HASH_SIDELOAD is reported first (k is still taken).
    #[test]
    fn k_unavailable_and_the_hash_error_first() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[6];
        let (d, k) = (b32(&rec["d"]), b32(&rec["k"]));
        let (d0, qx0, qy0) = keypair(1);
        let hash = ec::hash_sha256(&unhex(&rec["Msg"]));
        write_operand(&mut m, &mut apb, HASH, &hash);
        // Outputs of a success, to see them zeroed.
        write_operand(&mut m, &mut apb, D, &d);
        write_operand(&mut m, &mut apb, K, &k);
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_OK);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        withdraw_k(&mut m);
        write_operand(&mut m, &mut apb, K, &k);
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_K_UNAVAILABLE, vec![0]));
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
        // Before d's check (1) and λ's (8).
        write_operand(&mut m, &mut apb, D, &[0; 32]);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE | CTRL_RANDOMIZE.put(1)).err);
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_K_UNAVAILABLE, vec![0]));
        // HASH_SIDELOAD with no digest and no k: the hash error; with k valid it is still the
        // hash error, and k_taken still pulses.
        write_operand(&mut m, &mut apb, D, &d);
        write_operand(&mut m, &mut apb, LAMBDA, &[0x21; 32]);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE | CTRL_HASH_SIDELOAD.put(1)).err);
        m.poke_u32(HASH_VALID, 0);
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_HASH_UNAVAILABLE, vec![0]));
        offer_k(&mut m, &k);
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_HASH_UNAVAILABLE, vec![0]));
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
        // A good digest and k: the CAVP signature (the errors above left nothing behind).
        m.poke(HASH_IN, &ec::port_words(&hash));
        m.poke_u32(HASH_VALID, 1);
        m.poke_u32(HASH_MASTER, MASTER_SEC);
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_OK, vec![0]));
        assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), (b32(&rec["R"]), b32(&rec["S"])));
        // KEYGEN with no value: RES_K_UNAVAILABLE although SEED on the bus is good; D stays.
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        write_operand(&mut m, &mut apb, D, &d0);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        withdraw_k(&mut m);
        write_operand(&mut m, &mut apb, SEED, &keypair(2).0);
        assert_eq!(command_k(&mut m, &mut apb, CMD_KEYGEN), (RES_K_UNAVAILABLE, vec![0]));
        assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), ([0; 32], [0; 32]));
        assert_eq!(command_k(&mut m, &mut apb, CMD_PUBKEY), (RES_OK, vec![]));
        assert_eq!((read_operand(&mut m, &mut apb, QX), read_operand(&mut m, &mut apb, QY)), (qx0, qy0));
    }

    /// `k_taken` pulses once per SIGN or KEYGEN with K_SIDELOAD, in the cycle after the CMD edge,
    /// whether or not a value waits; never for the other commands or without the option (and
    /// those ignore the port: SIGN without it signs with the bus K).
    #[test]
    fn k_taken_only_for_sign_and_keygen_with_the_option() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[7];
        let (d, qx, qy) = keypair(4);
        let hash = ec::hash_sha256(&unhex(&rec["Msg"]));
        for (ctrl, valid) in [(K_SIDE, true), (K_SIDE, false), (0, true), (CTRL_RANDOMIZE.put(1) | CTRL_HASH_SIDELOAD.put(1), true)] {
            assert!(!apb.write(&mut m, CTRL.offset, ctrl).err);
            write_operand(&mut m, &mut apb, LAMBDA, &[0x11; 32]);
            if valid {
                offer_k(&mut m, &d);
            } else {
                withdraw_k(&mut m);
            }
            m.poke(HASH_IN, &ec::port_words(&hash));
            m.poke_u32(HASH_VALID, 1);
            m.poke_u32(HASH_MASTER, MASTER_SEC);
            let option = ctrl & K_SIDE != 0;
            let pulse = if option { vec![0] } else { vec![] };
            for cmd in [CMD_PUBKEY, CMD_ECDH, CMD_VERIFY, CMD_WIPE] {
                write_operand(&mut m, &mut apb, D, &d);
                write_operand(&mut m, &mut apb, QX, &qx);
                write_operand(&mut m, &mut apb, QY, &qy);
                write_operand(&mut m, &mut apb, LAMBDA, &[0x11; 32]);
                assert_eq!(command_k(&mut m, &mut apb, cmd).1, Vec::<u64>::new(), "CMD {cmd}, CTRL {ctrl}");
            }
            write_operand(&mut m, &mut apb, D, &b32(&rec["d"]));
            write_operand(&mut m, &mut apb, K, &b32(&rec["k"]));
            write_operand(&mut m, &mut apb, HASH, &hash);
            write_operand(&mut m, &mut apb, LAMBDA, &[0x11; 32]);
            let (err, taken) = command_k(&mut m, &mut apb, CMD_SIGN);
            assert_eq!(taken, pulse, "SIGN, CTRL {ctrl}, k_valid {valid}");
            match (option, valid) {
                (true, false) => assert_eq!(err, RES_K_UNAVAILABLE),
                // The port holds d (a good scalar but not the record's k): a valid signature, not the file's.
                (true, true) => {
                    assert_eq!(err, RES_OK);
                    assert_ne!(read_operand(&mut m, &mut apb, R), b32(&rec["R"]));
                }
                // Without the option the bus K signs.
                (false, _) => {
                    assert_eq!(err, RES_OK);
                    assert_eq!(read_operand(&mut m, &mut apb, R), b32(&rec["R"]));
                }
            }
            write_operand(&mut m, &mut apb, SEED, &d);
            write_operand(&mut m, &mut apb, LAMBDA, &[0x11; 32]);
            assert_eq!(command_k(&mut m, &mut apb, CMD_KEYGEN).1, pulse, "KEYGEN, CTRL {ctrl}, k_valid {valid}");
        }
    }

    /// K and SEED taken from the port are wiped after the command, as written ones are: the next
    /// SIGN or KEYGEN without the option finds 0 (RES_SCALAR_RANGE).
    #[test]
    fn k_and_seed_from_the_port_are_wiped_after_the_command() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[8];
        let (d1, qx1, _) = keypair(5);
        write_operand(&mut m, &mut apb, D, &b32(&rec["d"]));
        write_operand(&mut m, &mut apb, HASH, &ec::hash_sha256(&unhex(&rec["Msg"])));
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        offer_k(&mut m, &b32(&rec["k"]));
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_OK, vec![0]));
        assert_eq!((m.slots[slot::K], m.slots[slot::SEED]), ([0; 8], [0; 8]));
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_SCALAR_RANGE);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        offer_k(&mut m, &d1);
        assert_eq!(command_k(&mut m, &mut apb, CMD_KEYGEN), (RES_OK, vec![0]));
        assert_eq!((m.slots[slot::K], m.slots[slot::SEED]), ([0; 8], [0; 8]));
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        assert_eq!(command(&mut m, &mut apb, CMD_KEYGEN), RES_SCALAR_RANGE);
        // D is still the port's value.
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QX), qx1);
    }

    /// A value from the port out of [1, n-1] fails the range check as a written one would
    /// (RES_SCALAR_RANGE, not RES_K_UNAVAILABLE): k = n or 0 for SIGN, SEED = n for KEYGEN (D
    /// unchanged).
    #[test]
    fn out_of_range_k_from_the_port_is_scalar_range() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[9];
        let (d0, qx0, _) = keypair(6);
        write_operand(&mut m, &mut apb, D, &b32(&rec["d"]));
        write_operand(&mut m, &mut apb, K, &b32(&rec["k"]));
        write_operand(&mut m, &mut apb, HASH, &ec::hash_sha256(&unhex(&rec["Msg"])));
        assert_eq!(command(&mut m, &mut apb, CMD_SIGN), RES_OK);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        let mut n_plus_1 = b32(N_HEX);
        n_plus_1[31] += 1;
        for bad in [b32(N_HEX), n_plus_1, [0xff; 32], [0; 32]] {
            offer_k(&mut m, &bad);
            assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_SCALAR_RANGE, vec![0]), "k {bad:02x?}");
            assert_eq!((read_operand(&mut m, &mut apb, R), read_operand(&mut m, &mut apb, S)), ([0; 32], [0; 32]));
        }
        // n - 1 is in range.
        let mut n_minus_1 = b32(N_HEX);
        n_minus_1[31] -= 1;
        offer_k(&mut m, &n_minus_1);
        assert_eq!(command_k(&mut m, &mut apb, CMD_SIGN), (RES_OK, vec![0]));
        // KEYGEN: SEED = n refused, D unchanged.
        assert!(!apb.write(&mut m, CTRL.offset, 0).err);
        write_operand(&mut m, &mut apb, D, &d0);
        assert!(!apb.write(&mut m, CTRL.offset, K_SIDE).err);
        offer_k(&mut m, &b32(N_HEX));
        assert_eq!(command_k(&mut m, &mut apb, CMD_KEYGEN), (RES_SCALAR_RANGE, vec![0]));
        assert_eq!(read_operand(&mut m, &mut apb, QX), [0; 32]);
        assert_eq!(command(&mut m, &mut apb, CMD_PUBKEY), RES_OK);
        assert_eq!(read_operand(&mut m, &mut apb, QX), qx0);
    }

    /// A SIGN with K_SIDELOAD whose CMD edge also has `clear` (it becomes WIPE) or `esc` (it is
    /// abandoned) never raises `k_taken`; `clear` at the take edge itself abandons the command
    /// after the pulse (the port's owner empties it anyway).
    #[test]
    fn clear_or_esc_at_the_cmd_edge_takes_no_k() {
        let (mut m, mut apb) = setup();
        let rec = &records("SigGen_P256_SHA256.txt", "k")[10];
        let sign_cmd_with = |m: &mut P256Model, apb: &mut Apb, port: usize| {
            write_operand(m, apb, D, &b32(&rec["d"]));
            assert!(!apb.write(m, CTRL.offset, K_SIDE).err);
            offer_k(m, &b32(&rec["k"]));
            for (p, v) in [(PSEL, 1), (PENABLE, 0), (PWRITE, 1), (PADDR, CMD.offset), (PWDATA, CMD_SIGN), (PSTRB, 0xF), (PMASTER, MASTER_SEC)] {
                m.poke_u32(p, v);
            }
            apb.step(m);
            m.poke_u32(PENABLE, 1);
            m.poke_u32(port, 1);
            assert_eq!(m.peek_u32(PSLVERR), 0);
            apb.step(m);
            m.poke_u32(port, 0);
            m.poke_u32(PSEL, 0);
            m.poke_u32(PENABLE, 0);
        };
        // clear: the SIGN is replaced by WIPE.
        sign_cmd_with(&mut m, &mut apb, CLEAR);
        let t0 = apb.edges;
        assert_eq!(m.peek_u32(K_TAKEN), 0);
        while m.peek_u32(INTR_DONE) == 0 {
            assert_eq!(m.peek_u32(K_TAKEN), 0);
            apb.step(&mut m);
        }
        assert_eq!((apb.edges - t0, RESULT_CMD.get(read(&mut m, &mut apb, RESULT))), (LATENCY[CMD_WIPE as usize][0], CMD_WIPE));
        // clear at the take edge: the pulse came, then WIPE.
        write_operand(&mut m, &mut apb, D, &b32(&rec["d"]));
        assert!(!apb.write(&mut m, CMD.offset, CMD_SIGN).err);
        assert_eq!(m.peek_u32(K_TAKEN), 1);
        m.poke_u32(CLEAR, 1);
        apb.step(&mut m);
        m.poke_u32(CLEAR, 0);
        assert_eq!(m.peek_u32(K_TAKEN), 0);
        while m.peek_u32(INTR_DONE) == 0 {
            apb.step(&mut m);
        }
        assert_eq!(RESULT_CMD.get(read(&mut m, &mut apb, RESULT)), CMD_WIPE);
        // esc: abandoned, DEAD.
        sign_cmd_with(&mut m, &mut apb, ESC);
        assert_eq!(m.peek_u32(K_TAKEN), 0);
        assert_eq!(STATUS_DEAD.get(read(&mut m, &mut apb, STATUS)), 1);
        for _ in 0..2 * POWER_ON_WIPE_CYCLES {
            assert_eq!(m.peek_u32(K_TAKEN), 0);
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(INTR_DONE), 0);
    }
}
