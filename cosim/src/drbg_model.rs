//! Cycle-accurate, port-level reference model of the CTR_DRBG (`pluton_drbg`), written from its README.
//!
//! The model follows `rust-hdl-src/src/drbg/README.md` (the contract) and the register map in
//! `pluton_regs::drbg::regs`; it never looks at the RTL. The math is `crate::ctr_drbg` (SP 800-90A
//! CTR_DRBG, AES-256, no derivation function): a command's outputs and its next working state are
//! computed with it as soon as the command's inputs are known (at the `CMD` edge, or at the edge
//! that takes the seed), and only the *timing* of the hardware is modelled on top, from
//! `regs::UPDATE_EDGES` and `regs::BLOCK_EDGES`.
//!
//! How it is built (as the other block models):
//! - `poke` only stores input values (and applies the asynchronous reset).
//! - `peek`: the APB outputs are combinational from the state and the request (the checks run in
//!   the access cycle, `pready` is always 1); every other output is state alone.
//! - `step` is one rising edge: everything is decided from the state before the edge, then
//!   applied. The edge counter `edge` numbers the edges, so the schedule reads as the README's
//!   "C + 1", "S + UPDATE_EDGES".
//!
//! Order of what happens at one edge (all decided from the state before it):
//! 1. the APB transfer completing at this edge (an `OUT` read takes its word, `CMD` starts a
//!    command, ...), or its error in ERR_INFO;
//! 2. escalation: it wins over everything at its edge but the transfer (3 to 5 do not happen);
//! 3. the command that was running before the edge: the seed take, the PR reseed's end, a block
//!    stored, the end of the command;
//! 4. a GENERATE starts its next block if it may (see "Block starts" below);
//! 5. `key_clear`, `mask_clear` and `scalar_clear`, each unless 3 stored a block to its port.
//!
//! Where the README leaves a choice, the model takes this one (the list to reconcile with the RTL;
//! C = the edge that takes `CMD`, S = the edge that takes the seed, D = the edge that sets DONE,
//! U = `UPDATE_EDGES`, B = `BLOCK_EDGES`):
//! - **CMD checks** (bus): common checks, then ERR_VALUE (OP not 1..=4, or bits 31:16 set),
//!   then ERR_FATAL (DEAD), then ERR_BUSY. Fields an OP does not use are ignored (INSTANTIATE
//!   ignores PR, DEST, BLOCKS; RESEED ignores PR, DEST, BLOCKS; UNINSTANTIATE ignores all of them
//!   and ADDL). `ADDL` writes get ERR_BUSY while BUSY and are accepted while DEAD (ERR_FATAL is
//!   "CMD after escalation"); `RESEED_LIMIT` and `ERR_INFO` are writable while BUSY and DEAD.
//! - **Seed byte order**: `seed_in` is the TRNG's `seed`: entropy byte j = `seed_in[383-8j:376-8j]`
//!   (byte 0 in the top bits), as `key_out` orders its bytes.
//! - **What changes at which edge.** At C: BUSY = 1, DONE = 0, RESULT = 0, and the command's
//!   inputs (CMD, ADDL) are fixed. At D: BUSY = 0, DONE = 1, RESULT = {OP, ERROR}, ADDL zeroed,
//!   and, on success: INSTANTIATE sets INSTANTIATED and RESEED_COUNT = 1; RESEED sets RESEED_COUNT
//!   = 1; GENERATE adds 1 to RESEED_COUNT; UNINSTANTIATE (D = C + 1) zeroes RESEED_COUNT, `OUT`
//!   (OUT_WORDS = 0), the three sideload ports (key_valid = mask_valid = scalar_valid = 0, their
//!   values 0) and clears INSTANTIATED. The
//!   one exception: a GENERATE with PR sets RESEED_COUNT = 1 at T0 = S + U (its reseed's Update
//!   ends there), then + 1 at D (so 2 after it). A re-INSTANTIATE keeps INSTANTIATED and the old
//!   RESEED_COUNT until its D. A failed check changes nothing but ADDL (zeroed at D = C + 1).
//! - **ADDL**: CMD.ADDL = 1 uses ADDL's 48 bytes as they are (all zero is 48 zero bytes, not
//!   Null); CMD.ADDL = 0 is Null. INSTANTIATE has no check, also when already instantiated: it
//!   replaces the whole state at its D.
//! - **seed_ready** is 1 in the cycles after C up to and including the cycle before S (state, not
//!   combinational on `seed_valid`); it is 0 for a command that fails a check or needs no seed.
//! - **Block starts.** A block is stored B edges after the edge at which it starts. To the key
//!   port: block 1 starts at T0, block 2 at the edge that stores block 1 (T0 + B), stored at
//!   T0 + 2B. To `OUT`: a block starts at the first edge X >= T0 (block 1) or X >= the edge that
//!   stored the previous block (block k + 1) at which `OUT` is empty after that edge's read. So
//!   block k + 1 starts at the edge of the read that takes block k's 4th word, as the README says;
//!   and block 1 of a GENERATE whose `OUT` still holds words of an earlier GENERATE's last block
//!   waits for software to read them (nothing is lost or overwritten): it starts at the edge of the
//!   read that takes the last of them (or at T0 if that read came earlier).
//! - **Sideload ports, edge by edge** (the README: every rule of one holds for the others;
//!   DEST = 1 is the key port with `key_clear`, `key_out`, `key_valid`; DEST = 2 the mask port
//!   with `mask_clear`, `mask_out`, `mask_valid`; DEST = 3 the scalar port with `scalar_clear`,
//!   `scalar_out`, `scalar_valid`; none touches another). Written for the key port: The port has a key (256 bits), `key_valid`, and a held first
//!   half. The edge that stores block 1 of a DEST = 1 GENERATE drops any key waiting (key_valid =
//!   0, key_out = 0: this is how a new GENERATE replaces it) and holds block 1. The edge that
//!   stores block 2 makes the key block 1 || block 2 and sets key_valid, if block 1 is still held.
//!   `key_clear` at an edge with no store to the port empties it: key, key_valid and a held block
//!   1 (so a clear between the two stores, e.g. the window changing owner mid-GENERATE, means no
//!   key comes out of that GENERATE: never a key with a zero half; RESULT is still RES_OK). At an
//!   edge that stores block 1 or block 2, `key_clear` does nothing (the store wins).
//! - **RESEED_COUNT** is kept wide enough never to wrap (it stops at RESEED_LIMIT + 1 <= 2^32
//!   anyway); a read shows it saturated at 2^32 - 1. The GENERATE check compares the full value.
//! - **Escalation** (`esc` at an edge, whether DEAD already or not): after that edge's transfer
//!   (a `CMD` accepted at that edge starts and is abandoned at once; an `OUT` read returns its
//!   word), the running command is abandoned (BUSY = 0, seed_ready = 0, no DONE; also one whose
//!   D or block store would have been that edge: RESULT stays 0, nothing is stored), Key, V, the
//!   counter, ADDL, `OUT` and the three sideload ports (including a held block 1) are zeroed, DEAD sets,
//!   INSTANTIATED and DONE clear. RESULT, RESEED_LIMIT and ERR_INFO are kept. A seed offered at
//!   that edge with `seed_ready` = 1 counts as taken at the port (the handshake happened) and is
//!   dropped.
//! - ERR_INFO: any write that passes the common checks clears it (a partial strobe is ERR_STRB and
//!   is logged, so it does not clear).
//! - While `rst_n` is low the bus outputs are idle (`pready` = 1, `prdata` = `pslverr` = 0) and
//!   every other output is 0. `alert_fatal` is always 0: a model has no integrity faults.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
use crate::ctr_drbg::{CtrDrbg, BLOCK_LEN, KEY_LEN, SEED_LEN};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::drbg::regs::{self, MAP};

/// Edges of one Update and of one block, as `u64` for the edge arithmetic.
const U: u64 = regs::UPDATE_EDGES as u64;
const B: u64 = regs::BLOCK_EDGES as u64;
// Every stage takes at least one edge (a store, an end and a start never share an edge).
const _: () = assert!(regs::UPDATE_EDGES >= 1 && regs::BLOCK_EDGES >= 1);

/// Words per block in `OUT`.
const BLOCK_WORDS: u32 = (BLOCK_LEN / 4) as u32;

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
const SEED_IN: usize = 12;
const SEED_VALID: usize = 13;
const SEED_READY: usize = 14;
const ESC: usize = 15;
const KEY_CLEAR: usize = 16;
const MASK_CLEAR: usize = 17;
const SCALAR_CLEAR: usize = 18;
const KEY_OUT: usize = 19;
const KEY_VALID: usize = 20;
const MASK_OUT: usize = 21;
const MASK_VALID: usize = 22;
const SCALAR_OUT: usize = 23;
const SCALAR_VALID: usize = 24;
const INTR_DONE: usize = 25;
const ALERT_FATAL: usize = 26;

/// (name, direction, width) of every port: the README's table, in its order.
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
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("seed_in", Dir::In, (SEED_LEN * 8) as u32),
    ("seed_valid", Dir::In, 1),
    ("seed_ready", Dir::Out, 1),
    ("esc", Dir::In, 1),
    ("key_clear", Dir::In, 1),
    ("mask_clear", Dir::In, 1),
    ("scalar_clear", Dir::In, 1),
    ("key_out", Dir::Out, (KEY_LEN * 8) as u32),
    ("key_valid", Dir::Out, 1),
    ("mask_out", Dir::Out, (KEY_LEN * 8) as u32),
    ("mask_valid", Dir::Out, 1),
    ("scalar_out", Dir::Out, (KEY_LEN * 8) as u32),
    ("scalar_valid", Dir::Out, 1),
    ("intr_done", Dir::Out, 1),
    ("alert_fatal", Dir::Out, 1),
];

type Block = [u8; BLOCK_LEN];
type Seed = [u8; SEED_LEN];

/// `OUT`: one block and how many of its words are still unread (the last ones).
#[derive(Clone, Copy, Debug, Default)]
struct Out {
    block: Block,
    words: u32,
}

impl Out {
    /// The next word: output bytes 4i..4i+3, byte 4i in bits 7:0.
    fn next_word(&self) -> u32 {
        let i = (BLOCK_WORDS - self.words) as usize * 4;
        u32::from_le_bytes(self.block[i..i + 4].try_into().unwrap())
    }
}

/// A GENERATE's sideload destination: the key port (DEST = 1), the mask port (DEST = 2) or the
/// scalar port (DEST = 3). The discriminant indexes `DrbgModel::sides`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Key = 0,
    Mask = 1,
    Scalar = 2,
}

impl Side {
    const ALL: [Side; 3] = [Side::Key, Side::Mask, Side::Scalar];

    /// CMD.DEST's sideload port, or None for OUT.
    fn of(cmd: u32) -> Option<Side> {
        match regs::CMD_DEST.get(cmd) {
            regs::DEST_KEY => Some(Side::Key),
            regs::DEST_MASK => Some(Side::Mask),
            regs::DEST_SCALAR => Some(Side::Scalar),
            _ => None,
        }
    }
    /// The port's (clear input, value output, valid output).
    fn ports(self) -> (usize, usize, usize) {
        match self {
            Side::Key => (KEY_CLEAR, KEY_OUT, KEY_VALID),
            Side::Mask => (MASK_CLEAR, MASK_OUT, MASK_VALID),
            Side::Scalar => (SCALAR_CLEAR, SCALAR_OUT, SCALAR_VALID),
        }
    }
    /// The sideload port whose value (`out`) or valid output is `port`.
    fn of_output(port: usize) -> Option<(Side, bool)> {
        Side::ALL.into_iter().find_map(|s| {
            let (_, out, valid) = s.ports();
            (port == out || port == valid).then_some((s, port == valid))
        })
    }
}

/// A sideload port (see the module doc, "Sideload ports"): the key, mask or scalar port.
#[derive(Clone, Copy, Debug, Default)]
struct KeyPort {
    key: [u8; KEY_LEN],
    valid: bool,
    /// Block 1 of a GENERATE to this port, stored and waiting for block 2.
    first: Option<Block>,
}

/// A GENERATE past its checks (and past its seed, with PR): its blocks and where they are.
#[derive(Clone, Debug)]
struct Gen {
    blocks: Vec<Block>,
    /// The working state after the command (committed at D).
    next: CtrDrbg,
    /// The sideload port the blocks go to (None: OUT).
    side: Option<Side>,
    /// The edge the block generation may start (README: S + U with PR, C + U with additional
    /// input, else C).
    t0: u64,
    /// With PR: RESEED_COUNT = 1 at T0.
    pr: bool,
    /// Blocks stored so far.
    stored: usize,
    /// The edge that stores the block being generated (None: none is being generated).
    store_at: Option<u64>,
    /// The edge that ends the final Update (set when the last block is stored).
    done_at: Option<u64>,
}

#[derive(Clone, Debug)]
enum Stage {
    /// `seed_ready` = 1 until the seed is taken.
    Seed,
    /// Ends at edge `at` with `error` (RES_*); `next` is the working state to commit on success
    /// (None: UNINSTANTIATE, or a failed check).
    Finish { at: u64, error: u32, next: Option<CtrDrbg> },
    Gen(Gen),
}

/// The command running (BUSY).
#[derive(Clone, Debug)]
struct Job {
    /// The CMD word as written.
    cmd: u32,
    /// ADDL at C if CMD.ADDL = 1, else None (Null).
    addl: Option<Seed>,
    stage: Stage,
}

impl Job {
    fn op(&self) -> u32 {
        regs::CMD_OP.get(self.cmd)
    }
}

/// What a transfer that passed every check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Read(u32),
    /// An `OUT` read: returns the word and takes it at its edge.
    TakeOut(u32),
    ClearErr,
    Cmd(u32),
    Limit(u32),
    Addl(usize, u32),
}

/// Port-level model of `pluton_drbg`.
pub struct DrbgModel {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,
    guard: ApbGuardModel,
    err_info: u32,
    /// Rising edges so far (the schedule's edge numbers; never reset).
    edge: u64,
    /// STATUS.DEAD: escalation has wiped the block; CMD is refused until reset.
    dead: bool,
    done: bool,
    result: u32,
    instantiated: bool,
    /// The reseed counter as STATUS shows it (its own timing; see the module doc).
    counter: u64,
    reseed_limit: u32,
    /// Key and V (and the math): the committed working state.
    drbg: CtrDrbg,
    addl: Seed,
    out: Out,
    /// The sideload ports, indexed by `Side`.
    sides: [KeyPort; 3],
    job: Option<Job>,
}

impl Default for DrbgModel {
    fn default() -> Self {
        Self::new()
    }
}

impl DrbgModel {
    /// A model with all inputs low, hence held in reset until `rst_n` is driven high.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let mut m = DrbgModel {
            ports,
            inputs,
            guard: ApbGuardModel::default(),
            err_info: 0,
            edge: 0,
            dead: false,
            done: false,
            result: 0,
            instantiated: false,
            counter: 0,
            reseed_limit: 0,
            drbg: CtrDrbg::default(),
            addl: [0; SEED_LEN],
            out: Out::default(),
            sides: [KeyPort::default(); 3],
            job: None,
        };
        m.reset();
        m
    }

    /// The committed working state (Key and V through its test hooks), for benches that scan
    /// the bus for it. It changes at a command's D, to the state after the whole command.
    pub fn working_state(&self) -> &CtrDrbg {
        &self.drbg
    }

    /// Reset: every register to its reset value, nothing running, not DEAD.
    fn reset(&mut self) {
        self.guard.reset();
        self.err_info = regs::ERR_INFO.reset;
        self.dead = false;
        self.done = false;
        self.result = regs::RESULT.reset;
        self.reseed_limit = regs::RESEED_LIMIT.reset;
        self.wipe();
    }

    /// Key, V, the counter, ADDL, OUT, the three sideload ports and any command: gone.
    fn wipe(&mut self) {
        self.instantiated = false;
        self.counter = 0;
        self.drbg = CtrDrbg::default();
        self.addl = [0; SEED_LEN];
        self.out = Out::default();
        self.sides = [KeyPort::default(); 3];
        self.job = None;
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
        self.job.is_some()
    }
    fn seed_ready(&self) -> bool {
        !self.in_reset() && matches!(self.job, Some(Job { stage: Stage::Seed, .. }))
    }

    /// `seed_in` as 48 bytes, byte 0 = `seed_in[383:376]` (word k holds bits 32k+31:32k).
    fn seed_in(&self) -> Seed {
        let w = &self.inputs[SEED_IN];
        let n = w.len();
        let mut s = [0u8; SEED_LEN];
        for (k, chunk) in s.chunks_exact_mut(4).enumerate() {
            chunk.copy_from_slice(&w[n - 1 - k].to_be_bytes());
        }
        s
    }

    fn status(&self) -> u32 {
        regs::STATUS_BUSY.put(self.busy() as u32)
            | regs::STATUS_DONE.put(self.done as u32)
            | regs::STATUS_INSTANTIATED.put(self.instantiated as u32)
            | regs::STATUS_OUT_WORDS.put(self.out.words)
            | regs::STATUS_KEY_VALID.put(self.sides[Side::Key as usize].valid as u32)
            | regs::STATUS_ERR.put((self.err_info != 0) as u32)
            | regs::STATUS_DEAD.put(self.dead as u32)
            | regs::STATUS_MASK_VALID.put(self.sides[Side::Mask as usize].valid as u32)
            | regs::STATUS_SCALAR_VALID.put(self.sides[Side::Scalar as usize].valid as u32)
    }

    fn port_mut(&mut self, side: Side) -> &mut KeyPort {
        &mut self.sides[side as usize]
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

    /// The common checks (unmapped, master, read-only/write-only, strobes), then the register's
    /// own; all on the state before the edge.
    fn check(&self, req: &ApbRequest) -> Result<Action, u32> {
        let (reg, i) = MAP.decode(req.paddr).ok_or(regs::ERR_UNMAPPED)?;
        if !reg.allows(req.pmaster, req.pwrite) {
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
            self.check_write(reg, i as usize, req.pwdata)
        } else {
            self.check_read(reg)
        }
    }

    fn check_read(&self, reg: &Register) -> Result<Action, u32> {
        let value = match reg.offset {
            o if o == regs::OUT.offset => {
                return if self.out.words == 0 { Err(regs::ERR_EMPTY) } else { Ok(Action::TakeOut(self.out.next_word())) };
            }
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == regs::ERR_INFO.offset => self.err_info,
            o if o == regs::STATUS.offset => self.status(),
            o if o == regs::RESULT.offset => self.result,
            o if o == regs::RESEED_LIMIT.offset => self.reseed_limit,
            o if o == regs::RESEED_COUNT.offset => self.counter.min(u32::MAX as u64) as u32,
            _ => unreachable!("register {} is not readable", reg.name),
        };
        Ok(Action::Read(value))
    }

    fn check_write(&self, reg: &Register, i: usize, v: u32) -> Result<Action, u32> {
        match reg.offset {
            o if o == regs::ERR_INFO.offset => Ok(Action::ClearErr),
            o if o == regs::RESEED_LIMIT.offset => Ok(Action::Limit(v)),
            o if o == regs::ADDL.offset => {
                if self.busy() {
                    Err(regs::ERR_BUSY)
                } else {
                    Ok(Action::Addl(i, v))
                }
            }
            o if o == regs::CMD.offset => {
                let op = regs::CMD_OP.get(v);
                let defined = regs::CMD_OP.mask() | regs::CMD_ADDL.mask() | regs::CMD_PR.mask() | regs::CMD_DEST.mask() | regs::CMD_BLOCKS.mask();
                if !(regs::OP_INSTANTIATE..=regs::OP_UNINSTANTIATE).contains(&op) || v & !defined != 0 {
                    Err(regs::ERR_VALUE)
                } else if self.dead {
                    Err(regs::ERR_FATAL)
                } else if self.busy() && !(op == regs::OP_UNINSTANTIATE && self.seed_ready()) {
                    // UNINSTANTIATE abandons a command that waits for entropy (README).
                    Err(regs::ERR_BUSY)
                } else {
                    Ok(Action::Cmd(v))
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

    /// The edge C that takes `CMD` = `cmd`: the README's checks, in its order, on the state
    /// before C; the command's first stage.
    fn start(&mut self, cmd: u32, now: u64) {
        self.done = false;
        self.result = 0;
        let addl = (regs::CMD_ADDL.get(cmd) == 1).then_some(self.addl);
        let fail = |error| Stage::Finish { at: now + 1, error, next: None };
        let stage = match regs::CMD_OP.get(cmd) {
            regs::OP_INSTANTIATE => Stage::Seed,
            regs::OP_RESEED if !self.instantiated => fail(regs::RES_NOT_INSTANTIATED),
            regs::OP_RESEED => Stage::Seed,
            regs::OP_GENERATE => {
                let blocks = regs::CMD_BLOCKS.get(cmd);
                let to_side = Side::of(cmd).is_some();
                let pr = regs::CMD_PR.get(cmd) == 1;
                if !self.instantiated {
                    fail(regs::RES_NOT_INSTANTIATED)
                } else if blocks == 0 || (to_side && blocks != 2) {
                    fail(regs::RES_BAD_LENGTH)
                } else if self.counter > self.reseed_limit as u64 && !pr {
                    fail(regs::RES_RESEED_NEEDED)
                } else if pr {
                    Stage::Seed
                } else {
                    // With additional input, its Update runs first.
                    let t0 = if addl.is_some() { now + U } else { now };
                    Stage::Gen(self.generate(cmd, addl.as_ref(), None, t0))
                }
            }
            regs::OP_UNINSTANTIATE => Stage::Finish { at: now + 1, error: regs::RES_OK, next: None },
            op => unreachable!("CMD.OP {op} passed the bus check"),
        };
        self.job = Some(Job { cmd, addl, stage });
    }

    /// A GENERATE's blocks and next state, from the committed state (and with PR the seed: a
    /// reseed with the additional input, after which the additional input is Null).
    fn generate(&self, cmd: u32, addl: Option<&Seed>, pr_seed: Option<&Seed>, t0: u64) -> Gen {
        let mut next = self.drbg.clone();
        let addl: &[u8] = addl.map_or(&[], |a| &a[..]);
        let addl = match pr_seed {
            Some(seed) => {
                next.reseed(seed, addl).expect("instantiated, no df, 48 bytes");
                &[][..]
            }
            None => addl,
        };
        let n = regs::CMD_BLOCKS.get(cmd) as usize;
        // The model keeps the reseed limit itself; CtrDrbg's own interval (2^48) never bites.
        let bytes = next.generate(n * BLOCK_LEN, addl).expect("checked at C");
        Gen {
            blocks: bytes.chunks_exact(BLOCK_LEN).map(|b| b.try_into().unwrap()).collect(),
            next,
            side: Side::of(cmd),
            t0,
            pr: pr_seed.is_some(),
            stored: 0,
            store_at: None,
            done_at: None,
        }
    }

    /// The seed is taken at S = `now`: the command's next stage.
    fn seed_taken(&self, job: &Job, seed: &Seed, now: u64) -> Stage {
        let addl: &[u8] = job.addl.as_ref().map_or(&[], |a| &a[..]);
        match job.op() {
            regs::OP_INSTANTIATE => {
                let mut next = CtrDrbg::default();
                next.instantiate(seed, addl).expect("48 bytes");
                Stage::Finish { at: now + U, error: regs::RES_OK, next: Some(next) }
            }
            regs::OP_RESEED => {
                let mut next = self.drbg.clone();
                next.reseed(seed, addl).expect("checked at C");
                Stage::Finish { at: now + U, error: regs::RES_OK, next: Some(next) }
            }
            regs::OP_GENERATE => Stage::Gen(self.generate(job.cmd, job.addl.as_ref(), Some(seed), now + U)),
            op => unreachable!("OP {op} takes no seed"),
        }
    }

    /// D: DONE with RESULT, ADDL wiped; on success the command's effect.
    fn finish(&mut self, job: &Job, error: u32, next: Option<CtrDrbg>) {
        let op = job.op();
        self.done = true;
        self.result = regs::RESULT_ERROR.put(error) | regs::RESULT_OP.put(op);
        self.addl = [0; SEED_LEN];
        if error != regs::RES_OK {
            return;
        }
        match op {
            regs::OP_INSTANTIATE => {
                self.instantiated = true;
                self.counter = 1;
            }
            regs::OP_RESEED => self.counter = 1,
            regs::OP_GENERATE => self.counter += 1,
            regs::OP_UNINSTANTIATE => {
                self.instantiated = false;
                self.counter = 0;
                self.out = Out::default();
                self.sides = [KeyPort::default(); 3];
            }
            _ => unreachable!(),
        }
        self.drbg = next.unwrap_or_default();
    }

    /// Store a generated block; returns the sideload port it went to (None: OUT).
    fn store(&mut self, gen: &mut Gen) -> Option<Side> {
        let block = gen.blocks[gen.stored];
        gen.stored += 1;
        let Some(side) = gen.side else {
            self.out = Out { block, words: BLOCK_WORDS };
            return None;
        };
        let port = self.port_mut(side);
        if gen.stored == 1 {
            // The value waiting (if any) is replaced: dropped now, block 1 held.
            *port = KeyPort { first: Some(block), ..KeyPort::default() };
        } else if let Some(first) = port.first.take() {
            port.key[..BLOCK_LEN].copy_from_slice(&first);
            port.key[BLOCK_LEN..].copy_from_slice(&block);
            port.valid = true;
        }
        Some(side)
    }

    /// Step 3 of the edge, for the command that ran before it. Returns the sideload port a block
    /// was stored to, if any.
    fn advance(&mut self, mut job: Job, now: u64, seed: Option<Seed>) -> Option<Side> {
        let mut to_side = None;
        match &mut job.stage {
            Stage::Seed => {
                if let Some(seed) = seed {
                    job.stage = self.seed_taken(&job, &seed, now);
                }
            }
            Stage::Finish { at, error, next } if *at == now => {
                let (error, next) = (*error, next.take());
                self.finish(&job, error, next);
                return None;
            }
            Stage::Finish { .. } => {}
            Stage::Gen(gen) => {
                if gen.pr && now == gen.t0 {
                    // The PR reseed's Update ends here.
                    self.counter = 1;
                }
                if gen.store_at == Some(now) {
                    gen.store_at = None;
                    to_side = self.store(gen);
                    if gen.stored == gen.blocks.len() {
                        // The final Update runs from the edge that stored the last block.
                        gen.done_at = Some(now + U);
                    }
                }
                if gen.done_at == Some(now) {
                    let next = gen.next.clone();
                    self.finish(&job, regs::RES_OK, Some(next));
                    return to_side;
                }
            }
        }
        self.job = Some(job);
        to_side
    }

    /// Step 4: a GENERATE starts its next block once T0 is reached, if a sideload port is its
    /// destination (never waits) or OUT is empty after this edge.
    fn start_block(&mut self, now: u64) {
        let out_empty = self.out.words == 0;
        if let Some(Job { stage: Stage::Gen(gen), .. }) = &mut self.job {
            if gen.store_at.is_none() && gen.stored < gen.blocks.len() && now >= gen.t0 && (gen.side.is_some() || out_empty) {
                gen.store_at = Some(now + B);
            }
        }
    }

    /// Rising edge `now` with `rst_n` high; every decision uses the state before it.
    fn rising_edge(&mut self, now: u64) {
        let req = self.request();
        let outcome = self.bus_outcome();
        let seed = (self.seed_ready() && self.input(SEED_VALID) == 1).then(|| self.seed_in());
        let running = self.job.take();

        // 1. The transfer completing at this edge.
        match outcome {
            Some(Ok(Action::Read(_))) | None => {}
            Some(Ok(Action::TakeOut(_))) => {
                self.out.words -= 1;
                if self.out.words == 0 {
                    self.out.block = [0; BLOCK_LEN];
                }
            }
            Some(Ok(Action::ClearErr)) => self.err_info = 0,
            Some(Ok(Action::Limit(v))) => self.reseed_limit = v,
            Some(Ok(Action::Addl(i, v))) => self.addl[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes()),
            Some(Ok(Action::Cmd(v))) => self.start(v, now),
            Some(Err(code)) => self.log_error(code, &req),
        }
        // 2. Escalation wins over everything at its edge but the transfer: the command is
        // abandoned, even one that would have stored a block or ended here.
        if self.input(ESC) == 1 {
            self.wipe();
            self.dead = true;
            self.done = false;
            return;
        }
        // 3. The command that ran before this edge (a CMD is refused while one runs, except an
        // UNINSTANTIATE that abandons a command waiting for entropy: that one is dropped).
        let started = matches!(outcome, Some(Ok(Action::Cmd(_))));
        let side_store = match running {
            Some(job) if !started => self.advance(job, now, seed),
            _ => None,
        };
        // 4. The next block may start.
        self.start_block(now);
        // 5. Each port's clear, unless a block is stored to that port at this edge.
        for side in Side::ALL {
            if self.input(side.ports().0) == 1 && side_store != Some(side) {
                *self.port_mut(side) = KeyPort::default();
            }
        }
    }
}

impl Dut for DrbgModel {
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
                Some(Ok(Action::Read(v) | Action::TakeOut(v))) => v,
                _ => 0,
            },
            PSLVERR => matches!(self.bus_outcome(), Some(Err(_))) as u32,
            SEED_READY => self.seed_ready() as u32,
            _ if Side::of_output(port).is_some() => {
                let (side, is_valid) = Side::of_output(port).unwrap();
                let p = &self.sides[side as usize];
                if is_valid {
                    p.valid as u32
                } else {
                    // Word k holds bits 32k+31:32k; byte 0 is bits 255:248 (all three ports alike).
                    if p.valid && !self.in_reset() {
                        let n = value.len().min(KEY_LEN / 4);
                        for (k, w) in value.iter_mut().enumerate().take(n) {
                            *w = u32::from_be_bytes(p.key[KEY_LEN - 4 - 4 * k..KEY_LEN - 4 * k].try_into().unwrap());
                        }
                    }
                    return;
                }
            }
            INTR_DONE => self.done as u32,
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
    //! Every expected value here comes from the README, the register map, NIST's CAVP files or
    //! `crate::ctr_drbg` run by the test itself, never from the model's own state. Edge numbers
    //! are the test's own count (`Apb::edges`); `m.status()` and `now()` sample, between two
    //! edges, exactly what a STATUS (or other register) read would return in that cycle.

    use super::*;
    use crate::ctr_drbg::cavp::{self, CaseKind};
    use crate::test_apb::{Apb, Done};
    use pluton_regs::drbg::regs::*;

    const BUSY: u32 = STATUS_BUSY.mask();
    const DONE: u32 = STATUS_DONE.mask();
    const INST: u32 = STATUS_INSTANTIATED.mask();
    const KEYV: u32 = STATUS_KEY_VALID.mask();
    const MASKV: u32 = STATUS_MASK_VALID.mask();
    const SCALARV: u32 = STATUS_SCALAR_VALID.mask();
    const ERR: u32 = STATUS_ERR.mask();
    const DEAD: u32 = STATUS_DEAD.mask();
    const U: u64 = UPDATE_EDGES as u64;
    const B: u64 = BLOCK_EDGES as u64;

    fn words(n: u32) -> u32 {
        STATUS_OUT_WORDS.put(n)
    }

    /// A model out of reset and a bus master for it.
    fn setup() -> (DrbgModel, Apb) {
        let mut m = DrbgModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        (m, apb)
    }

    // The shared checked accesses of `crate::test_apb`, on this block's ERR_INFO.
    fn read(m: &mut DrbgModel, apb: &mut Apb, reg: Register) -> u32 {
        apb.read_ok(m, &reg)
    }
    fn write(m: &mut DrbgModel, apb: &mut Apb, reg: Register, v: u32) {
        apb.write_ok(m, &reg, v)
    }
    fn take_code(m: &mut DrbgModel, apb: &mut Apb) -> u32 {
        apb.take_code(m, &ERR_INFO)
    }
    fn refused(m: &mut DrbgModel, apb: &mut Apb, write: bool, addr: u32, data: u32, strb: u32, master: u32) -> u32 {
        apb.refused(m, &ERR_INFO, write, addr, data, strb, master)
    }

    fn refused_write(m: &mut DrbgModel, apb: &mut Apb, reg: Register, v: u32) -> u32 {
        refused(m, apb, true, reg.offset, v, 0b1111, MASTER_SEC)
    }

    /// What a read of `reg` would return in the current cycle (no edge taken).
    fn now(m: &DrbgModel, reg: Register) -> u32 {
        match m.check_read(&reg) {
            Ok(Action::Read(v) | Action::TakeOut(v)) => v,
            other => panic!("{} not readable now: {other:?}", reg.name),
        }
    }

    /// Step until the edge count is `edge` (the next check sees the state after that edge).
    fn step_to(m: &mut DrbgModel, apb: &mut Apb, edge: u64) {
        assert!(apb.edges <= edge, "already past edge {edge} (at {})", apb.edges);
        while apb.edges < edge {
            apb.step(m);
        }
    }

    fn cmd(op: u32, addl: bool, pr: bool, dest: bool, blocks: u32) -> u32 {
        CMD_OP.put(op) | CMD_ADDL.put(addl as u32) | CMD_PR.put(pr as u32) | CMD_DEST.put(dest as u32) | CMD_BLOCKS.put(blocks)
    }
    fn generate(blocks: u32) -> u32 {
        cmd(OP_GENERATE, false, false, false, blocks)
    }
    fn res(op: u32, error: u32) -> u32 {
        RESULT_OP.put(op) | RESULT_ERROR.put(error)
    }

    /// `seed_in` for a seed, byte j in bits 383-8j:376-8j (the TRNG's seed order).
    fn seed_words(seed: &[u8; 48]) -> [u32; 12] {
        let mut w = [0u32; 12];
        for (j, &b) in seed.iter().enumerate() {
            let lsb = 376 - 8 * j;
            w[lsb / 32] |= (b as u32) << (lsb % 32);
        }
        w
    }

    fn offer(m: &mut DrbgModel, seed: &[u8; 48]) {
        m.poke(SEED_IN, &seed_words(seed));
        m.poke_u32(SEED_VALID, 1);
    }

    fn withdraw(m: &mut DrbgModel) {
        m.poke_u32(SEED_VALID, 0);
        m.poke(SEED_IN, &[0; 12]);
    }

    /// `key_out` as 32 bytes, byte j = key_out[255-8j:248-8j].
    fn key_bytes(m: &mut DrbgModel) -> Vec<u8> {
        port_bytes(m, KEY_OUT)
    }

    /// `key_out` or `mask_out` as 32 bytes, byte j = bits 255-8j:248-8j.
    fn port_bytes(m: &mut DrbgModel, port: usize) -> Vec<u8> {
        let mut w = [0u32; 8];
        m.peek(port, &mut w);
        (0..32).map(|j| (w[(248 - 8 * j) / 32] >> ((248 - 8 * j) % 32)) as u8).collect()
    }

    /// ADDL, word i = bytes 4i..4i+3 (byte 4i in bits 7:0).
    fn write_addl(m: &mut DrbgModel, apb: &mut Apb, data: &[u8]) {
        assert_eq!(data.len(), 48);
        for i in 0..12 {
            let w = data[4 * i] as u32 | (data[4 * i + 1] as u32) << 8 | (data[4 * i + 2] as u32) << 16 | (data[4 * i + 3] as u32) << 24;
            let d = apb.write(m, ADDL.addr(i as u32), w);
            assert!(!d.err);
        }
    }

    /// Take OUT's next word as bytes.
    fn read_out(m: &mut DrbgModel, apb: &mut Apb) -> [u8; 4] {
        let w = read(m, apb, OUT);
        [w as u8, (w >> 8) as u8, (w >> 16) as u8, (w >> 24) as u8]
    }

    /// One command as software runs it: the seed (if any) offered from the start, OUT read
    /// whenever STATUS shows words, until DONE with OUT empty. Returns RESULT and the bytes read.
    fn run(m: &mut DrbgModel, apb: &mut Apb, command: u32, seed: Option<&[u8; 48]>) -> (u32, Vec<u8>) {
        if let Some(s) = seed {
            offer(m, s);
        }
        write(m, apb, CMD, command);
        let mut out = Vec::new();
        for _ in 0..100_000 {
            let st = read(m, apb, STATUS);
            if STATUS_OUT_WORDS.get(st) > 0 {
                out.extend(read_out(m, apb));
            } else if st & DONE != 0 {
                withdraw(m);
                return (read(m, apb, RESULT), out);
            } else {
                apb.step(m);
            }
        }
        panic!("command {command:#x} never finished");
    }

    /// A command that must succeed; its output.
    fn ok(m: &mut DrbgModel, apb: &mut Apb, command: u32, seed: Option<&[u8; 48]>) -> Vec<u8> {
        let (r, out) = run(m, apb, command, seed);
        assert_eq!(r, res(CMD_OP.get(command), RES_OK), "command {command:#x}");
        out
    }

    /// A security-core transfer whose completing access cycle also sees `pokes` (back to 0
    /// after that edge).
    fn transfer_at_completion(m: &mut DrbgModel, apb: &mut Apb, write: bool, addr: u32, data: u32, pokes: &[(usize, u32)]) -> Done {
        for (port, v) in [(PSEL, 1), (PENABLE, 0), (PWRITE, write as u32), (PADDR, addr), (PWDATA, data), (PSTRB, if write { 0xF } else { 0 }), (PMASTER, MASTER_SEC)] {
            m.poke_u32(port, v);
        }
        apb.step(m);
        m.poke_u32(PENABLE, 1);
        for &(port, v) in pokes {
            m.poke_u32(port, v);
        }
        let done = Done { data: m.peek_u32(PRDATA), err: m.peek_u32(PSLVERR) == 1, waits: 0 };
        apb.step(m);
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        for &(port, _) in pokes {
            m.poke_u32(port, 0);
        }
        done
    }

    /// A recognisable seed or string.
    fn pattern(tag: u8) -> [u8; 48] {
        std::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ tag)
    }

    /// The reference instantiated as the model will be.
    fn reference(seed: &[u8; 48], pers: &[u8]) -> CtrDrbg {
        let mut d = CtrDrbg::default();
        d.instantiate(seed, pers).unwrap();
        d
    }

    #[test]
    fn ports_in_order() {
        let m = DrbgModel::new();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "prdata", "pready", "pslverr", "seed_in", "seed_valid",
                "seed_ready", "esc", "key_clear", "mask_clear", "scalar_clear", "key_out", "key_valid", "mask_out", "mask_valid", "scalar_out", "scalar_valid",
                "intr_done", "alert_fatal"
            ]
        );
        let widths: Vec<u32> = m.ports().iter().map(|p| p.width).collect();
        assert_eq!(widths, [1, 1, 1, 1, 1, 12, 32, 4, 4, 32, 1, 1, 384, 1, 1, 1, 1, 1, 1, 256, 1, 256, 1, 256, 1, 1, 1]);
        let outs: Vec<&str> = m.ports().iter().filter(|p| p.dir == Dir::Out).map(|p| p.name.as_str()).collect();
        assert_eq!(outs, ["prdata", "pready", "pslverr", "seed_ready", "key_out", "key_valid", "mask_out", "mask_valid", "scalar_out", "scalar_valid", "intr_done", "alert_fatal"]);
        assert_eq!(m.name(), "pluton_drbg");
    }

    #[test]
    fn id_for_every_master_and_reset_values() {
        let (mut m, mut apb) = setup();
        for master in 0..16 {
            let d = apb.transfer(&mut m, false, ID.offset, 0, 0, master);
            assert_eq!((d.data, d.err, d.waits), (0x4452_0100, false, 0), "master {master}");
        }
        for reg in [ERR_INFO, STATUS, RESULT, RESEED_COUNT] {
            assert_eq!(read(&mut m, &mut apb, reg), 0, "{}", reg.name);
        }
        assert_eq!(read(&mut m, &mut apb, RESEED_LIMIT), 1 << 20);
        for port in [SEED_READY, KEY_VALID, MASK_VALID, INTR_DONE, ALERT_FATAL, PRDATA, PSLVERR] {
            assert_eq!(m.peek_u32(port), 0);
        }
        assert_eq!(m.peek_u32(PREADY), 1);
        assert_eq!((key_bytes(&mut m), port_bytes(&mut m, MASK_OUT)), (vec![0; 32], vec![0; 32]));
        // In reset every output is idle.
        m.poke_u32(RST_N, 0);
        assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR), m.peek_u32(SEED_READY)), (1, 0, 0));
    }

    /// The README's first use: INSTANTIATE from the seed port with a personalization string,
    /// then GENERATE 4 blocks twice (the second with additional input); the 64 bytes read from
    /// OUT each time are the reference's.
    #[test]
    fn instantiate_and_generate_twice_match_the_reference() {
        let (mut m, mut apb) = setup();
        let (seed, pers, addl) = (pattern(0x11), pattern(0x22), pattern(0x33));
        let mut d = reference(&seed, &pers);
        write_addl(&mut m, &mut apb, &pers);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, true, false, false, 0), Some(&seed));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE | INST);
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 1);
        let first = ok(&mut m, &mut apb, generate(4), None);
        assert_eq!(first, d.generate(64, &[]).unwrap());
        write_addl(&mut m, &mut apb, &addl);
        let second = ok(&mut m, &mut apb, cmd(OP_GENERATE, true, false, false, 4), None);
        assert_eq!(second, d.generate(64, &addl).unwrap());
        assert_ne!(first, second);
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 3);
        assert_eq!(d.reseed_counter(), 3);
        // The committed working state is the reference's.
        assert_eq!((m.working_state().test_hook_key(), m.working_state().test_hook_v()), (d.test_hook_key(), d.test_hook_v()));
    }

    /// One CAVP record through the ports: entropy on the seed port (the nonce is unused without
    /// a derivation function), personalization and additional inputs in ADDL (Null when empty),
    /// ReturnedBits from OUT after the second GENERATE.
    fn cavp_through_ports(c: &cavp::Case) -> Vec<u8> {
        let (mut m, mut apb) = setup();
        let s48 = |v: &[u8]| -> [u8; 48] { v.try_into().expect("384-bit entropy") };
        let addl = |m: &mut DrbgModel, apb: &mut Apb, v: &[u8]| {
            if !v.is_empty() {
                write_addl(m, apb, v);
            }
            !v.is_empty()
        };
        let p = addl(&mut m, &mut apb, &c.personalization);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, p, false, false, 0), Some(&s48(&c.entropy_input)));
        if let Some((e, a)) = &c.reseed {
            let f = addl(&mut m, &mut apb, a);
            ok(&mut m, &mut apb, cmd(OP_RESEED, f, false, false, 0), Some(&s48(e)));
        }
        let blocks = (c.returned_bits.len() / 16) as u32;
        let mut out = Vec::new();
        for i in 0..2 {
            let f = addl(&mut m, &mut apb, &c.additional[i]);
            out = match &c.entropy_pr {
                Some(e) => ok(&mut m, &mut apb, cmd(OP_GENERATE, f, true, false, blocks), Some(&s48(&e[i]))),
                None => ok(&mut m, &mut apb, cmd(OP_GENERATE, f, false, false, blocks), None),
            };
            assert_eq!(out.len(), c.returned_bits.len());
        }
        out
    }

    /// NIST CAVP [AES-256 no df]: the no-reseed, PR-false and PR-true sets (60 records each).
    #[test]
    fn cavp_no_df_through_the_ports() {
        let path = format!("{}/../testbenches/drbg/vectors/ctr_drbg_aes256_nodf.rsp", env!("CARGO_MANIFEST_DIR"));
        let cases = cavp::load(std::path::Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
        let mut ran = std::collections::BTreeMap::<CaseKind, usize>::new();
        let mut failures = Vec::new();
        for c in &cases {
            assert!(!c.use_df);
            let out = cavp_through_ports(c);
            if out != c.returned_bits {
                failures.push(format!("{}:{} COUNT = {} ({})", c.file, c.line, c.count, c.kind()));
            }
            *ran.entry(c.kind()).or_default() += 1;
        }
        assert!(failures.is_empty(), "{} of {} records differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
        assert_eq!(ran.into_iter().collect::<Vec<_>>(), [(CaseKind::NoReseed, 60), (CaseKind::Reseed, 60), (CaseKind::PredictionResistance, 60)]);
    }

    /// A failed check: BUSY from C, DONE with RESULT at C + 1, and DONE/RESULT of the previous
    /// command cleared at C. UNINSTANTIATE: done at C + 1 as well. No seed is asked for.
    #[test]
    fn timing_failed_check_and_uninstantiate_end_at_c_plus_1() {
        let (mut m, mut apb) = setup();
        write(&mut m, &mut apb, CMD, generate(1));
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, RESULT), m.peek_u32(INTR_DONE), m.peek_u32(SEED_READY)), (BUSY, 0, 0, 0));
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT), m.peek_u32(INTR_DONE)), (DONE, res(OP_GENERATE, RES_NOT_INSTANTIATED), 1));
        // The next CMD clears DONE and RESULT at its own edge.
        write(&mut m, &mut apb, CMD, cmd(OP_RESEED, false, false, false, 0));
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, RESULT), m.peek_u32(INTR_DONE), m.peek_u32(SEED_READY)), (BUSY, 0, 0, 0));
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE, res(OP_RESEED, RES_NOT_INSTANTIATED)));
        write(&mut m, &mut apb, CMD, cmd(OP_UNINSTANTIATE, false, false, false, 0));
        let c = apb.edges;
        assert_eq!(m.status(), BUSY);
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE, res(OP_UNINSTANTIATE, RES_OK)));
    }

    /// INSTANTIATE and RESEED: seed_ready from C on, the seed taken at the first edge S > C with
    /// seed_valid, done at S + UPDATE_EDGES (INSTANTIATED and RESEED_COUNT change there).
    #[test]
    fn timing_instantiate_and_reseed_end_at_s_plus_update_edges() {
        let (mut m, mut apb) = setup();
        let (seed, reseed) = (pattern(1), pattern(2));
        write(&mut m, &mut apb, CMD, cmd(OP_INSTANTIATE, false, false, false, 0));
        let c = apb.edges;
        for e in c..c + 8 {
            step_to(&mut m, &mut apb, e);
            assert_eq!((m.peek_u32(SEED_READY), m.status()), (1, BUSY), "edge {e}");
        }
        // seed_valid in the cycle before edge c + 8: taken there.
        offer(&mut m, &seed);
        apb.step(&mut m);
        let s = apb.edges;
        assert_eq!(s, c + 8);
        assert_eq!(m.peek_u32(SEED_READY), 0);
        withdraw(&mut m);
        step_to(&mut m, &mut apb, s + U - 1);
        assert_eq!((m.status(), now(&m, RESEED_COUNT), m.peek_u32(INTR_DONE)), (BUSY, 0, 0));
        step_to(&mut m, &mut apb, s + U);
        assert_eq!((m.status(), now(&m, RESEED_COUNT), m.peek_u32(INTR_DONE)), (DONE | INST, 1, 1));
        assert_eq!(now(&m, RESULT), res(OP_INSTANTIATE, RES_OK));

        // A generate brings the counter to 2; RESEED with the seed already offered: S = C + 1.
        let mut d = reference(&seed, &[]);
        assert_eq!(ok(&mut m, &mut apb, generate(1), None), d.generate(16, &[]).unwrap());
        offer(&mut m, &reseed);
        write(&mut m, &mut apb, CMD, cmd(OP_RESEED, false, false, false, 0));
        let c = apb.edges;
        assert_eq!(m.peek_u32(SEED_READY), 1);
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!(m.peek_u32(SEED_READY), 0);
        withdraw(&mut m);
        step_to(&mut m, &mut apb, c + 1 + U - 1);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (BUSY | INST, 2));
        step_to(&mut m, &mut apb, c + 1 + U);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (DONE | INST, 1));
        d.reseed(&reseed, &[]).unwrap();
        assert_eq!(ok(&mut m, &mut apb, generate(2), None), d.generate(32, &[]).unwrap());
    }

    /// GENERATE to OUT, no additional input: T0 = C, block 1 at T0 + BLOCK_EDGES; block 2
    /// BLOCK_EDGES after the read that takes block 1's 4th word (nothing moves while software
    /// does not read); done UPDATE_EDGES after the last block, which may still wait in OUT.
    #[test]
    fn timing_generate_to_out_is_paced_by_reads() {
        let (mut m, mut apb) = setup();
        let seed = pattern(3);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        let want = reference(&seed, &[]).generate(32, &[]).unwrap();
        write(&mut m, &mut apb, CMD, generate(2));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B - 1);
        assert_eq!(m.status(), BUSY | INST);
        step_to(&mut m, &mut apb, c + B);
        assert_eq!(m.status(), BUSY | INST | words(4));
        // Software takes its time: nothing changes.
        step_to(&mut m, &mut apb, c + 3 * B + U);
        assert_eq!(m.status(), BUSY | INST | words(4));
        let mut got = Vec::new();
        for n in [3, 2, 1] {
            got.extend(read_out(&mut m, &mut apb));
            assert_eq!(m.status(), BUSY | INST | words(n));
            for _ in 0..5 {
                apb.step(&mut m);
            }
        }
        got.extend(read_out(&mut m, &mut apb));
        let e = apb.edges;
        assert_eq!(m.status(), BUSY | INST);
        step_to(&mut m, &mut apb, e + B - 1);
        assert_eq!(m.status(), BUSY | INST);
        step_to(&mut m, &mut apb, e + B);
        assert_eq!(m.status(), BUSY | INST | words(4));
        step_to(&mut m, &mut apb, e + B + U - 1);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (BUSY | INST | words(4), 1));
        step_to(&mut m, &mut apb, e + B + U);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (DONE | INST | words(4), 2));
        for _ in 0..4 {
            got.extend(read_out(&mut m, &mut apb));
        }
        assert_eq!(got, want);
        assert_eq!(m.status(), DONE | INST);
    }

    /// GENERATE with additional input: T0 = C + UPDATE_EDGES. With PR: the seed at S, T0 = S +
    /// UPDATE_EDGES, where RESEED_COUNT becomes 1 (the reseed), then 2 at the end.
    #[test]
    fn timing_generate_t0_with_additional_input_and_with_pr() {
        let (mut m, mut apb) = setup();
        let (seed, addl, pr_seed) = (pattern(4), pattern(5), pattern(6));
        let mut d = reference(&seed, &[]);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        ok(&mut m, &mut apb, generate(1), None);
        d.generate(16, &[]).unwrap();

        write_addl(&mut m, &mut apb, &addl);
        write(&mut m, &mut apb, CMD, cmd(OP_GENERATE, true, false, false, 1));
        let c = apb.edges;
        assert_eq!(m.peek_u32(SEED_READY), 0, "no PR: no seed");
        step_to(&mut m, &mut apb, c + U + B - 1);
        assert_eq!(m.status(), BUSY | INST);
        step_to(&mut m, &mut apb, c + U + B);
        assert_eq!(m.status(), BUSY | INST | words(4));
        step_to(&mut m, &mut apb, c + U + B + U - 1);
        assert_eq!(m.status(), BUSY | INST | words(4));
        step_to(&mut m, &mut apb, c + U + B + U);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (DONE | INST | words(4), 3));
        let got: Vec<u8> = (0..4).flat_map(|_| read_out(&mut m, &mut apb)).collect();
        assert_eq!(got, d.generate(16, &addl).unwrap());

        // PR with additional input, the seed offered 3 edges after C.
        write_addl(&mut m, &mut apb, &addl);
        write(&mut m, &mut apb, CMD, cmd(OP_GENERATE, true, true, false, 1));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + 2);
        assert_eq!(m.peek_u32(SEED_READY), 1);
        offer(&mut m, &pr_seed);
        step_to(&mut m, &mut apb, c + 3);
        let (s, t0) = (c + 3, c + 3 + U);
        assert_eq!(m.peek_u32(SEED_READY), 0);
        withdraw(&mut m);
        step_to(&mut m, &mut apb, t0 - 1);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (BUSY | INST, 3));
        step_to(&mut m, &mut apb, t0);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (BUSY | INST, 1));
        step_to(&mut m, &mut apb, t0 + B - 1);
        assert_eq!(m.status(), BUSY | INST);
        step_to(&mut m, &mut apb, t0 + B);
        assert_eq!(m.status(), BUSY | INST | words(4));
        step_to(&mut m, &mut apb, t0 + B + U - 1);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (BUSY | INST | words(4), 1));
        step_to(&mut m, &mut apb, t0 + B + U);
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (DONE | INST | words(4), 2));
        assert!(s > c);
        let got: Vec<u8> = (0..4).flat_map(|_| read_out(&mut m, &mut apb)).collect();
        assert_eq!(got, d.generate_pr(&pr_seed, 16, &addl).unwrap());
        assert_eq!(d.reseed_counter(), 2);
    }

    /// A sideload port as the tests see it: its DEST, clear input, outputs and STATUS bit.
    #[derive(Clone, Copy)]
    struct SidePorts {
        dest: u32,
        clear: usize,
        out: usize,
        valid: usize,
        status: u32,
    }
    const KEYP: SidePorts = SidePorts { dest: DEST_KEY, clear: KEY_CLEAR, out: KEY_OUT, valid: KEY_VALID, status: KEYV };
    const MASKP: SidePorts = SidePorts { dest: DEST_MASK, clear: MASK_CLEAR, out: MASK_OUT, valid: MASK_VALID, status: MASKV };
    const SCALARP: SidePorts = SidePorts { dest: DEST_SCALAR, clear: SCALAR_CLEAR, out: SCALAR_OUT, valid: SCALAR_VALID, status: SCALARV };
    const SIDES: [SidePorts; 3] = [KEYP, MASKP, SCALARP];

    /// The sideload ports other than `p`.
    fn others(p: SidePorts) -> Vec<SidePorts> {
        SIDES.into_iter().filter(|o| o.dest != p.dest).collect()
    }

    /// A GENERATE of `blocks` blocks to `dest` (no additional input, no PR).
    fn gen_to(dest: u32, blocks: u32) -> u32 {
        CMD_OP.put(OP_GENERATE) | CMD_DEST.put(dest) | CMD_BLOCKS.put(blocks)
    }

    /// The sideload port: DEST = 1 (2, 3) puts the two blocks on key_out (mask_out, scalar_out)
    /// (block 1 in 255:128), its valid at T0 + 2 * BLOCK_EDGES, done UPDATE_EDGES later; OUT and
    /// the other ports are not used. Its own clear empties it, the others' do not.
    fn sideload_generate_and_clear(p: SidePorts) {
        let (mut m, mut apb) = setup();
        let seed = pattern(7);
        let mut d = reference(&seed, &[]);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        write(&mut m, &mut apb, CMD, gen_to(p.dest, 2));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + 2 * B - 1);
        assert_eq!((m.status(), m.peek_u32(p.valid), port_bytes(&mut m, p.out)), (BUSY | INST, 0, vec![0; 32]));
        step_to(&mut m, &mut apb, c + 2 * B);
        assert_eq!((m.status(), m.peek_u32(p.valid)), (BUSY | INST | p.status, 1));
        let key = d.generate(32, &[]).unwrap();
        assert_eq!(port_bytes(&mut m, p.out), key);
        for o in others(p) {
            assert_eq!((m.peek_u32(o.valid), port_bytes(&mut m, o.out)), (0, vec![0; 32]), "the other ports");
        }
        step_to(&mut m, &mut apb, c + 2 * B + U - 1);
        assert_eq!(m.status(), BUSY | INST | p.status);
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!((m.status(), now(&m, RESULT), now(&m, RESEED_COUNT)), (DONE | INST | p.status, res(OP_GENERATE, RES_OK), 2));
        assert_eq!(refused(&mut m, &mut apb, false, OUT.offset, 0, 0, MASTER_SEC), ERR_EMPTY);
        // The value stays until its port's clear (the other ports' clears do nothing to it),
        // which empties the port at its edge.
        let t = apb.edges + 20;
        step_to(&mut m, &mut apb, t);
        assert_eq!(port_bytes(&mut m, p.out), key);
        for o in others(p) {
            m.poke_u32(o.clear, 1);
        }
        apb.step(&mut m);
        for o in others(p) {
            m.poke_u32(o.clear, 0);
        }
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out), m.status()), (1, key.clone(), DONE | INST | p.status));
        m.poke_u32(p.clear, 1);
        apb.step(&mut m);
        m.poke_u32(p.clear, 0);
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out), m.status()), (0, vec![0; 32], DONE | INST));
        // BLOCKS must be 2 for a sideload port.
        for blocks in [1, 3, 255] {
            assert_eq!(run(&mut m, &mut apb, gen_to(p.dest, blocks), None).0, res(OP_GENERATE, RES_BAD_LENGTH));
        }
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 2, "the refusals changed nothing");
    }

    #[test]
    fn key_port_generate_and_clear() {
        sideload_generate_and_clear(KEYP);
    }

    #[test]
    fn mask_port_generate_and_clear() {
        sideload_generate_and_clear(MASKP);
    }

    #[test]
    fn scalar_port_generate_and_clear() {
        sideload_generate_and_clear(SCALARP);
    }

    /// A new GENERATE to a sideload port replaces a waiting value: the old one stays until block
    /// 1 of the new one is stored (T0 + BLOCK_EDGES), the new one comes at T0 + 2 *
    /// BLOCK_EDGES. The port's clear at a store edge loses to the store; between the two stores
    /// it drops the half-made value.
    fn sideload_replace_and_clear_against_stores(p: SidePorts) {
        let (mut m, mut apb) = setup();
        let seed = pattern(8);
        let mut d = reference(&seed, &[]);
        let to_key = gen_to(p.dest, 2);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        ok(&mut m, &mut apb, to_key, None);
        let k1 = d.generate(32, &[]).unwrap();
        assert_eq!(port_bytes(&mut m, p.out), k1);

        write(&mut m, &mut apb, CMD, to_key);
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B - 1);
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out)), (1, k1.clone()));
        step_to(&mut m, &mut apb, c + B);
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out)), (0, vec![0; 32]));
        step_to(&mut m, &mut apb, c + 2 * B);
        let k2 = d.generate(32, &[]).unwrap();
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out)), (1, k2.clone()));
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!(m.status(), DONE | INST | p.status);

        // The clear at both store edges: the stores win.
        write(&mut m, &mut apb, CMD, to_key);
        let c = apb.edges;
        for store in [c + B, c + 2 * B] {
            step_to(&mut m, &mut apb, store - 1);
            m.poke_u32(p.clear, 1);
            apb.step(&mut m);
            m.poke_u32(p.clear, 0);
        }
        let k3 = d.generate(32, &[]).unwrap();
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out)), (1, k3));
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!(m.status(), DONE | INST | p.status);

        // The clear between the stores (the window changed owner): nothing from this GENERATE,
        // though it succeeds and the state moves on.
        write(&mut m, &mut apb, CMD, to_key);
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B);
        m.poke_u32(p.clear, 1);
        apb.step(&mut m);
        m.poke_u32(p.clear, 0);
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE | INST, res(OP_GENERATE, RES_OK)));
        assert_eq!((m.peek_u32(p.valid), port_bytes(&mut m, p.out)), (0, vec![0; 32]));
        d.generate(32, &[]).unwrap();
        assert_eq!(ok(&mut m, &mut apb, to_key, None), Vec::<u8>::new());
        assert_eq!(port_bytes(&mut m, p.out), d.generate(32, &[]).unwrap());
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 6);
    }

    #[test]
    fn key_port_replace_and_clear_against_stores() {
        sideload_replace_and_clear_against_stores(KEYP);
    }

    #[test]
    fn mask_port_replace_and_clear_against_stores() {
        sideload_replace_and_clear_against_stores(MASKP);
    }

    #[test]
    fn scalar_port_replace_and_clear_against_stores() {
        sideload_replace_and_clear_against_stores(SCALARP);
    }

    /// The scalar port beside the other two: each GENERATE fills only its own port, each clear
    /// empties only its own (also at another port's store edge), and a scalar waits through a
    /// key and a mask seed being made.
    #[test]
    fn three_sideload_ports_are_independent() {
        let (mut m, mut apb) = setup();
        let seed = pattern(20);
        let mut d = reference(&seed, &[]);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        // One value on each port, in the order scalar, key, mask; each leaves the others.
        let mut vals = [vec![], vec![], vec![]];
        for (i, p) in [(2, SCALARP), (0, KEYP), (1, MASKP)] {
            ok(&mut m, &mut apb, gen_to(p.dest, 2), None);
            vals[i] = d.generate(32, &[]).unwrap();
            assert_eq!(port_bytes(&mut m, p.out), vals[i]);
        }
        assert_eq!(m.status(), DONE | INST | KEYV | MASKV | SCALARV);
        for (p, v) in SIDES.iter().zip(&vals) {
            assert_eq!((m.peek_u32(p.valid), &port_bytes(&mut m, p.out)), (1, v), "DEST {}", p.dest);
        }
        // A new scalar replaces only the scalar; key_clear and mask_clear held over its two
        // store edges empty their ports and leave the scalar coming.
        write(&mut m, &mut apb, CMD, gen_to(DEST_SCALAR, 2));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B - 1);
        m.poke_u32(KEY_CLEAR, 1);
        m.poke_u32(MASK_CLEAR, 1);
        step_to(&mut m, &mut apb, c + 2 * B);
        m.poke_u32(KEY_CLEAR, 0);
        m.poke_u32(MASK_CLEAR, 0);
        let scalar2 = d.generate(32, &[]).unwrap();
        assert_ne!(scalar2, vals[2]);
        assert_eq!((m.peek_u32(SCALAR_VALID), port_bytes(&mut m, SCALAR_OUT)), (1, scalar2.clone()));
        assert_eq!((m.peek_u32(KEY_VALID), m.peek_u32(MASK_VALID)), (0, 0));
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!(m.status(), DONE | INST | SCALARV);
        // A key while the scalar waits; scalar_clear at the key's block-2 store edge empties the
        // scalar port only, and the key still comes.
        write(&mut m, &mut apb, CMD, gen_to(DEST_KEY, 2));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + 2 * B - 1);
        m.poke_u32(SCALAR_CLEAR, 1);
        apb.step(&mut m);
        m.poke_u32(SCALAR_CLEAR, 0);
        let key2 = d.generate(32, &[]).unwrap();
        assert_eq!((m.peek_u32(SCALAR_VALID), port_bytes(&mut m, SCALAR_OUT)), (0, vec![0; 32]));
        assert_eq!((m.peek_u32(KEY_VALID), port_bytes(&mut m, KEY_OUT)), (1, key2));
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!(m.status(), DONE | INST | KEYV);
        // To OUT: no port moves. A scalar again; then all three clears at once empty all three.
        assert_eq!(ok(&mut m, &mut apb, generate(1), None), d.generate(16, &[]).unwrap());
        assert_eq!(m.status(), DONE | INST | KEYV);
        ok(&mut m, &mut apb, gen_to(DEST_MASK, 2), None);
        ok(&mut m, &mut apb, gen_to(DEST_SCALAR, 2), None);
        d.generate(32, &[]).unwrap();
        assert_eq!(port_bytes(&mut m, SCALAR_OUT), d.generate(32, &[]).unwrap());
        assert_eq!(m.status(), DONE | INST | KEYV | MASKV | SCALARV);
        for p in SIDES {
            m.poke_u32(p.clear, 1);
        }
        apb.step(&mut m);
        for p in SIDES {
            m.poke_u32(p.clear, 0);
        }
        assert_eq!(m.status(), DONE | INST);
        // INSTANTIATE (1) and eight GENERATEs.
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 9);
    }

    /// The two sideload ports are independent: a key waits while a mask seed is made, replaced
    /// and cleared, and the other way round; a clear of one at the other's store edge changes
    /// nothing of the store.
    #[test]
    fn key_port_and_mask_port_are_independent() {
        let (mut m, mut apb) = setup();
        let seed = pattern(9);
        let mut d = reference(&seed, &[]);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        ok(&mut m, &mut apb, gen_to(DEST_KEY, 2), None);
        let key = d.generate(32, &[]).unwrap();
        // Mask seed 1, with key_clear held at both its store edges: the key goes, the seed comes.
        write(&mut m, &mut apb, CMD, gen_to(DEST_MASK, 2));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B - 1);
        m.poke_u32(KEY_CLEAR, 1);
        apb.step(&mut m);
        assert_eq!((m.peek_u32(KEY_VALID), port_bytes(&mut m, KEY_OUT)), (0, vec![0; 32]));
        step_to(&mut m, &mut apb, c + 2 * B);
        m.poke_u32(KEY_CLEAR, 0);
        let mask = d.generate(32, &[]).unwrap();
        assert_eq!((m.peek_u32(MASK_VALID), port_bytes(&mut m, MASK_OUT)), (1, mask.clone()));
        step_to(&mut m, &mut apb, c + 2 * B + U);
        assert_eq!(m.status(), DONE | INST | MASKV);
        // A key while the mask seed waits; mask_clear during it empties the mask port only.
        write(&mut m, &mut apb, CMD, gen_to(DEST_KEY, 2));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B + 3);
        m.poke_u32(MASK_CLEAR, 1);
        apb.step(&mut m);
        m.poke_u32(MASK_CLEAR, 0);
        assert_eq!((m.peek_u32(MASK_VALID), port_bytes(&mut m, MASK_OUT)), (0, vec![0; 32]));
        step_to(&mut m, &mut apb, c + 2 * B + U);
        let key2 = d.generate(32, &[]).unwrap();
        assert_ne!(key, key2);
        assert_eq!((m.status(), port_bytes(&mut m, KEY_OUT)), (DONE | INST | KEYV, key2.clone()));
        // Both full, then one GENERATE to each replaces only its own.
        ok(&mut m, &mut apb, gen_to(DEST_MASK, 2), None);
        let mask2 = d.generate(32, &[]).unwrap();
        assert_eq!((m.status(), port_bytes(&mut m, KEY_OUT), port_bytes(&mut m, MASK_OUT)), (DONE | INST | KEYV | MASKV, key2.clone(), mask2.clone()));
        ok(&mut m, &mut apb, gen_to(DEST_KEY, 2), None);
        let key3 = d.generate(32, &[]).unwrap();
        assert_eq!((port_bytes(&mut m, KEY_OUT), port_bytes(&mut m, MASK_OUT)), (key3, mask2));
        // To OUT: neither port moves.
        assert_eq!(ok(&mut m, &mut apb, generate(1), None), d.generate(16, &[]).unwrap());
        assert_eq!(m.status(), DONE | INST | KEYV | MASKV);
        // A clear of both at once empties both.
        m.poke_u32(KEY_CLEAR, 1);
        m.poke_u32(MASK_CLEAR, 1);
        apb.step(&mut m);
        m.poke_u32(KEY_CLEAR, 0);
        m.poke_u32(MASK_CLEAR, 0);
        assert_eq!((m.status(), m.peek_u32(KEY_VALID), m.peek_u32(MASK_VALID)), (DONE | INST, 0, 0));
    }

    /// Block 1 of a GENERATE whose OUT still holds the last block of the one before waits for
    /// software to read it (the model's reading of "nothing is lost or overwritten").
    #[test]
    fn a_block_left_in_out_is_read_before_the_next_generate_fills_it() {
        let (mut m, mut apb) = setup();
        let seed = pattern(9);
        let mut d = reference(&seed, &[]);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        write(&mut m, &mut apb, CMD, generate(1));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B + U);
        assert_eq!(m.status(), DONE | INST | words(4));
        write(&mut m, &mut apb, CMD, generate(1));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + 3 * B);
        assert_eq!(m.status(), BUSY | INST | words(4));
        let old: Vec<u8> = (0..4).flat_map(|_| read_out(&mut m, &mut apb)).collect();
        let e = apb.edges;
        assert_eq!(old, d.generate(16, &[]).unwrap());
        step_to(&mut m, &mut apb, e + B - 1);
        assert_eq!(m.status(), BUSY | INST);
        step_to(&mut m, &mut apb, e + B);
        assert_eq!(m.status(), BUSY | INST | words(4));
        step_to(&mut m, &mut apb, e + B + U);
        assert_eq!(m.status(), DONE | INST | words(4));
        let new: Vec<u8> = (0..4).flat_map(|_| read_out(&mut m, &mut apb)).collect();
        assert_eq!(new, d.generate(16, &[]).unwrap());
    }

    /// Every RESULT code, the checks in the README's order (each with the later ones' conditions
    /// true as well), and a failed check changes nothing.
    #[test]
    fn result_codes_in_order() {
        let (mut m, mut apb) = setup();
        let seed = pattern(10);
        let not_inst = res(OP_GENERATE, RES_NOT_INSTANTIATED);
        write(&mut m, &mut apb, RESEED_LIMIT, 0);
        assert_eq!(run(&mut m, &mut apb, generate(0), None).0, not_inst);
        assert_eq!(run(&mut m, &mut apb, cmd(OP_GENERATE, false, false, true, 1), None).0, not_inst);
        assert_eq!(run(&mut m, &mut apb, cmd(OP_RESEED, false, false, false, 0), Some(&seed)).0, res(OP_RESEED, RES_NOT_INSTANTIATED));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        // Limit 0: every GENERATE needs a reseed, but a bad length is reported first.
        assert_eq!(run(&mut m, &mut apb, generate(0), None).0, res(OP_GENERATE, RES_BAD_LENGTH));
        assert_eq!(run(&mut m, &mut apb, cmd(OP_GENERATE, false, false, true, 3), None).0, res(OP_GENERATE, RES_BAD_LENGTH));
        assert_eq!(run(&mut m, &mut apb, gen_to(DEST_SCALAR, 1), None).0, res(OP_GENERATE, RES_BAD_LENGTH));
        assert_eq!(run(&mut m, &mut apb, gen_to(DEST_SCALAR, 2), None).0, res(OP_GENERATE, RES_RESEED_NEEDED));
        assert_eq!(run(&mut m, &mut apb, generate(1), None).0, res(OP_GENERATE, RES_RESEED_NEEDED));
        assert_eq!(run(&mut m, &mut apb, cmd(OP_GENERATE, false, false, true, 2), None).0, res(OP_GENERATE, RES_RESEED_NEEDED));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE | INST);
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 1);
        // Nothing changed: the state is still the freshly instantiated one.
        write(&mut m, &mut apb, RESEED_LIMIT, 1);
        assert_eq!(ok(&mut m, &mut apb, generate(3), None), reference(&seed, &[]).generate(48, &[]).unwrap());
        // INSTANTIATE and UNINSTANTIATE have no check; RES_OK is 0.
        assert_eq!(res(OP_INSTANTIATE, RES_OK), OP_INSTANTIATE << 8);
    }

    /// RESEED_LIMIT = 2: the third GENERATE after INSTANTIATE is refused (counter 3 > 2) and so
    /// is the fourth, RESEED recovers; a GENERATE with PR passes whatever the counter (it
    /// reseeds first). The reference with reseed_interval 2 refuses the same request.
    #[test]
    fn reseed_counter_and_limit() {
        let (mut m, mut apb) = setup();
        let (seed, reseed, pr_seed) = (pattern(11), pattern(12), pattern(13));
        let mut d = CtrDrbg::new(2).unwrap();
        d.instantiate(&seed, &[]).unwrap();
        write(&mut m, &mut apb, RESEED_LIMIT, 2);
        assert_eq!(read(&mut m, &mut apb, RESEED_LIMIT), 2);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        for count in [2, 3] {
            assert_eq!(ok(&mut m, &mut apb, generate(1), None), d.generate(16, &[]).unwrap());
            assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), count);
        }
        for _ in 0..2 {
            assert_eq!(run(&mut m, &mut apb, generate(1), None), (res(OP_GENERATE, RES_RESEED_NEEDED), vec![]));
            assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 3);
        }
        assert_eq!(d.generate(16, &[]), Err(crate::ctr_drbg::DrbgError::ReseedRequired));
        ok(&mut m, &mut apb, cmd(OP_RESEED, false, false, false, 0), Some(&reseed));
        d.reseed(&reseed, &[]).unwrap();
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 1);
        for _ in 0..2 {
            assert_eq!(ok(&mut m, &mut apb, generate(2), None), d.generate(32, &[]).unwrap());
        }
        assert_eq!(run(&mut m, &mut apb, generate(1), None).0, res(OP_GENERATE, RES_RESEED_NEEDED));
        // PR passes over the limit.
        assert_eq!(ok(&mut m, &mut apb, cmd(OP_GENERATE, false, true, false, 1), Some(&pr_seed)), d.generate_pr(&pr_seed, 16, &[]).unwrap());
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 2);
        // Raising the limit lets the counter go on.
        write(&mut m, &mut apb, RESEED_LIMIT, 3);
        ok(&mut m, &mut apb, generate(1), None);
        assert_eq!(read(&mut m, &mut apb, RESEED_COUNT), 3);
    }

    /// UNINSTANTIATE zeroes Key, V, the counter, OUT and the key, mask and scalar ports at C + 1;
    /// afterwards RESEED and GENERATE find no state.
    #[test]
    fn uninstantiate_zeroes_everything() {
        let (mut m, mut apb) = setup();
        let seed = pattern(14);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        ok(&mut m, &mut apb, cmd(OP_GENERATE, false, false, true, 2), None);
        ok(&mut m, &mut apb, gen_to(DEST_MASK, 2), None);
        ok(&mut m, &mut apb, gen_to(DEST_SCALAR, 2), None);
        write(&mut m, &mut apb, CMD, generate(1));
        let t = apb.edges + B + U;
        step_to(&mut m, &mut apb, t);
        assert_eq!(m.status(), DONE | INST | KEYV | MASKV | SCALARV | words(4));
        // DEST = 3 with an OP that has no output is ignored, as the other fields.
        write(&mut m, &mut apb, CMD, cmd(OP_UNINSTANTIATE, true, true, false, 7) | CMD_DEST.put(DEST_SCALAR));
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, RESEED_COUNT)), (BUSY | INST | KEYV | MASKV | SCALARV | words(4), 5));
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESEED_COUNT), now(&m, RESULT)), (DONE, 0, res(OP_UNINSTANTIATE, RES_OK)));
        assert_eq!((m.peek_u32(KEY_VALID), key_bytes(&mut m)), (0, vec![0; 32]));
        assert_eq!((m.peek_u32(MASK_VALID), port_bytes(&mut m, MASK_OUT)), (0, vec![0; 32]));
        assert_eq!((m.peek_u32(SCALAR_VALID), port_bytes(&mut m, SCALAR_OUT)), (0, vec![0; 32]));
        assert_eq!((m.working_state().test_hook_key(), m.working_state().test_hook_v()), (&[0; 32], &[0; 16]));
        assert_eq!(refused(&mut m, &mut apb, false, OUT.offset, 0, 0, MASTER_SEC), ERR_EMPTY);
        assert_eq!(run(&mut m, &mut apb, generate(1), None).0, res(OP_GENERATE, RES_NOT_INSTANTIATED));
        assert_eq!(run(&mut m, &mut apb, cmd(OP_RESEED, false, false, false, 0), Some(&seed)).0, res(OP_RESEED, RES_NOT_INSTANTIATED));
        ok(&mut m, &mut apb, cmd(OP_UNINSTANTIATE, false, false, false, 0), None);
        // A new INSTANTIATE starts from scratch.
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        assert_eq!(ok(&mut m, &mut apb, generate(1), None), reference(&seed, &[]).generate(16, &[]).unwrap());
    }

    /// ADDL is wiped when a command ends, successful or not: CMD.ADDL = 1 afterwards means 48
    /// zero bytes (which is not Null for GENERATE).
    #[test]
    fn addl_is_wiped_when_a_command_ends() {
        let (mut m, mut apb) = setup();
        let (seed, pers, junk) = (pattern(15), pattern(16), pattern(17));
        let mut d = reference(&seed, &pers);
        write_addl(&mut m, &mut apb, &pers);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, true, false, false, 0), Some(&seed));
        let with_addl = cmd(OP_GENERATE, true, false, false, 1);
        let zeros = [0u8; 48];
        assert_eq!(ok(&mut m, &mut apb, with_addl, None), d.generate(16, &zeros).unwrap());
        // A failed check wipes it too.
        write_addl(&mut m, &mut apb, &junk);
        assert_eq!(run(&mut m, &mut apb, cmd(OP_GENERATE, true, false, false, 0), None).0, res(OP_GENERATE, RES_BAD_LENGTH));
        assert_eq!(ok(&mut m, &mut apb, with_addl, None), d.generate(16, &zeros).unwrap());
        // 48 zero bytes and Null give different outputs; CMD.ADDL = 0 is Null.
        let mut e = d.clone();
        let (z, n) = (d.generate(16, &zeros).unwrap(), e.generate(16, &[]).unwrap());
        assert_ne!(z, n);
        assert_eq!(ok(&mut m, &mut apb, generate(1), None), n);
    }

    /// The common checks in their order (protocol, unmapped, master, read-only/write-only,
    /// strobes), then the registers' own: CMD ERR_VALUE before ERR_BUSY, ADDL ERR_BUSY, OUT
    /// ERR_EMPTY. RESEED_LIMIT and ERR_INFO stay writable while BUSY.
    #[test]
    fn bus_errors_in_order() {
        let (mut m, mut apb) = setup();
        let (sec, app) = (MASTER_SEC, MASTER_APP);
        let (m, apb) = (&mut m, &mut apb);
        assert_eq!(refused(m, apb, false, 0x01c, 0, 0, app), ERR_UNMAPPED);
        assert_eq!(refused(m, apb, true, 0x042, 5, 0b0011, app), ERR_UNMAPPED);
        assert_eq!(refused(m, apb, false, ADDL.addr(12), 0, 0, sec), ERR_UNMAPPED);
        assert_eq!(refused(m, apb, false, OUT.offset + 4, 0, 0, sec), ERR_UNMAPPED);
        assert_eq!(refused(m, apb, false, CMD.offset, 0, 0, app), ERR_MASTER);
        assert_eq!(refused(m, apb, true, STATUS.offset, 0, 0b0001, app), ERR_MASTER);
        for reg in [CMD, ADDL] {
            assert_eq!(refused(m, apb, false, reg.offset, 0, 0, sec), ERR_READ_WO, "{}", reg.name);
        }
        assert_eq!(refused(m, apb, false, ADDL.addr(11), 0, 0, sec), ERR_READ_WO);
        for reg in [ID, STATUS, RESULT, RESEED_COUNT, OUT] {
            assert_eq!(refused(m, apb, true, reg.offset, 0, 0b0001, sec), ERR_WRITE_RO, "{}", reg.name);
        }
        assert_eq!(refused(m, apb, true, ID.offset, 0, 0b1111, app), ERR_WRITE_RO);
        assert_eq!(refused(m, apb, true, CMD.offset, 0xffff_ffff, 0b0111, sec), ERR_STRB);
        assert_eq!(refused(m, apb, true, RESEED_LIMIT.offset, 5, 0b0001, sec), ERR_STRB);
        assert_eq!(refused(m, apb, true, ADDL.offset, 5, 0, sec), ERR_STRB);
        assert_eq!(read(m, apb, RESEED_LIMIT), RESEED_LIMIT_RESET);
        // CMD values: OP not a command (also with DEST = 3), bits 31:16 (also a good GENERATE
        // to the scalar port). DEST = 3 alone is no longer ERR_VALUE (the scalar port).
        let dest3 = CMD_DEST.put(DEST_SCALAR);
        for v in [0, 5, 6, 15, dest3, 7 | dest3, gen_to(DEST_SCALAR, 2) | 1 << 16, OP_INSTANTIATE | 1 << 16, OP_UNINSTANTIATE | 1 << 31, 0xffff_ffff] {
            assert_eq!(refused_write(m, apb, CMD, v), ERR_VALUE, "CMD {v:#x}");
        }
        assert_eq!(read(m, apb, STATUS), 0, "no command started");
        assert_eq!(refused(m, apb, false, OUT.offset, 0, 0, sec), ERR_EMPTY);
        // While BUSY (waiting for a seed): VALUE before BUSY; ADDL busy; the others go through.
        // (UNINSTANTIATE is taken while waiting for a seed: README "Timing"; below.)
        write(m, apb, CMD, cmd(OP_INSTANTIATE, false, false, false, 0));
        assert_eq!(refused_write(m, apb, CMD, 9), ERR_VALUE);
        for op in [OP_INSTANTIATE, OP_RESEED, OP_GENERATE] {
            assert_eq!(refused_write(m, apb, CMD, cmd(op, false, false, false, 1)), ERR_BUSY);
        }
        assert_eq!(refused(m, apb, true, ADDL.addr(3), 1, 0b1111, sec), ERR_BUSY);
        write(m, apb, RESEED_LIMIT, 77);
        assert_eq!(read(m, apb, RESEED_LIMIT), 77);
        assert_eq!(refused(m, apb, false, OUT.offset, 0, 0, sec), ERR_EMPTY);
        assert_eq!(read(m, apb, STATUS), BUSY);
        assert_eq!(m.peek_u32(SEED_READY), 1);
        // UNINSTANTIATE abandons the wait for entropy: no seed port request after it.
        write(m, apb, CMD, cmd(OP_UNINSTANTIATE, false, false, false, 0));
        assert_eq!(m.peek_u32(SEED_READY), 0);
    }

    /// DEST = 3 passes the bus check (it was ERR_VALUE before the scalar port): a GENERATE to it
    /// runs its checks (RES_NOT_INSTANTIATED here), and the OPs that have no output ignore it.
    #[test]
    fn dest_3_is_a_destination_not_err_value() {
        let (mut m, mut apb) = setup();
        let seed = pattern(21);
        assert_eq!(run(&mut m, &mut apb, gen_to(DEST_SCALAR, 2), None).0, res(OP_GENERATE, RES_NOT_INSTANTIATED));
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), 0, "no bus error");
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0) | CMD_DEST.put(DEST_SCALAR), Some(&seed));
        ok(&mut m, &mut apb, cmd(OP_RESEED, false, false, false, 0) | CMD_DEST.put(DEST_SCALAR), Some(&pattern(22)));
        let mut d = reference(&seed, &[]);
        d.reseed(&pattern(22), &[]).unwrap();
        ok(&mut m, &mut apb, gen_to(DEST_SCALAR, 2), None);
        assert_eq!(port_bytes(&mut m, SCALAR_OUT), d.generate(32, &[]).unwrap());
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE | INST | SCALARV);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), 0);
    }

    /// The APB protocol check comes first: an access with no setup phase is ERR_PROTOCOL even to
    /// an unmapped address from another master, and a CMD written without setup starts nothing.
    #[test]
    fn protocol_violation_comes_first() {
        let (mut m, mut apb) = setup();
        for (write, addr, data, master) in [(false, 0x030, 0, MASTER_APP), (true, CMD.offset, OP_UNINSTANTIATE, MASTER_SEC)] {
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
        for master in 1..16 {
            for reg in MAP.regs {
                for i in [0, reg.count - 1] {
                    let addr = reg.addr(i);
                    let d = apb.transfer(&mut m, false, addr, 0, 0, master);
                    if reg.offset == ID.offset {
                        assert_eq!((d.data, d.err), (BLOCK_ID, false));
                    } else {
                        assert_eq!((d.data, d.err), (0, true), "{} by {master}", reg.name);
                        assert_eq!(take_code(&mut m, &mut apb), ERR_MASTER);
                    }
                    let d = apb.transfer(&mut m, true, addr, OP_UNINSTANTIATE, 0xF, master);
                    assert!(d.err);
                    let want = if reg.offset == ID.offset { ERR_WRITE_RO } else { ERR_MASTER };
                    assert_eq!(take_code(&mut m, &mut apb), want, "{} written by {master}", reg.name);
                }
            }
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), 0, "no command ran");
        assert_eq!(read(&mut m, &mut apb, RESEED_LIMIT), RESEED_LIMIT_RESET);
    }

    /// ERR_INFO keeps the first refusal (code, master, direction, address), later ones set
    /// OVERFLOW; STATUS.ERR shows it; any whole-word write clears it, a partial one is refused.
    /// It survives escalation.
    #[test]
    fn err_info_keeps_the_first_error() {
        let (mut m, mut apb) = setup();
        assert!(apb.read(&mut m, ADDL.addr(2)).err);
        assert!(apb.transfer(&mut m, true, STATUS.offset, 5, 0xF, MASTER_SEC).err);
        let first = ERR_INFO_CODE.put(ERR_READ_WO) | ERR_INFO_ADDR.put(ADDL.addr(2));
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), first | ERR_INFO_OVERFLOW.put(1));
        assert_eq!(read(&mut m, &mut apb, STATUS), ERR);
        assert!(apb.write_strb(&mut m, ERR_INFO.offset, 0, 0b0001).err);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), first | ERR_INFO_OVERFLOW.put(1));
        write(&mut m, &mut apb, ERR_INFO, 0xffff_ffff);
        assert_eq!((read(&mut m, &mut apb, ERR_INFO), read(&mut m, &mut apb, STATUS)), (0, 0));
        assert!(apb.transfer(&mut m, true, 0xffc, 0xabc, 0b0101, 5).err);
        let want = ERR_INFO_CODE.put(ERR_UNMAPPED) | ERR_INFO_MASTER.put(5) | ERR_INFO_WRITE.put(1) | ERR_INFO_ADDR.put(0xffc);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), want);
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        m.poke_u32(ESC, 0);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), want);
        assert_eq!(read(&mut m, &mut apb, STATUS), ERR | DEAD);
    }

    /// Escalation in the middle of a GENERATE: the command is abandoned, Key, V, the counter,
    /// OUT and the three sideload ports are zeroed at that edge, DEAD until reset; CMD gets ERR_FATAL (after
    /// ERR_VALUE). The transfer completing at the esc edge takes effect first.
    #[test]
    fn escalation_wipes_and_makes_the_block_dead_until_reset() {
        let (mut m, mut apb) = setup();
        let seed = pattern(18);
        let mut d = reference(&seed, &[]);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        ok(&mut m, &mut apb, cmd(OP_GENERATE, false, false, true, 2), None);
        let key = d.generate(32, &[]).unwrap();
        ok(&mut m, &mut apb, gen_to(DEST_MASK, 2), None);
        let mask = d.generate(32, &[]).unwrap();
        ok(&mut m, &mut apb, gen_to(DEST_SCALAR, 2), None);
        let scalar = d.generate(32, &[]).unwrap();
        write(&mut m, &mut apb, CMD, generate(3));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B);
        let out = d.generate(48, &[]).unwrap();
        assert_eq!(read_out(&mut m, &mut apb), out[..4]);
        assert_eq!(m.status(), BUSY | INST | KEYV | MASKV | SCALARV | words(3));
        assert_eq!((key_bytes(&mut m), port_bytes(&mut m, MASK_OUT), port_bytes(&mut m, SCALAR_OUT)), (key, mask, scalar));
        // The OUT read completing at the esc edge still returns its word.
        let r = transfer_at_completion(&mut m, &mut apb, false, OUT.offset, 0, &[(ESC, 1)]);
        assert_eq!((r.err, r.data.to_le_bytes().to_vec()), (false, out[4..8].to_vec()));
        assert_eq!(m.status(), DEAD);
        assert_eq!((m.peek_u32(KEY_VALID), key_bytes(&mut m), m.peek_u32(INTR_DONE), m.peek_u32(SEED_READY)), (0, vec![0; 32], 0, 0));
        assert_eq!((m.peek_u32(MASK_VALID), port_bytes(&mut m, MASK_OUT)), (0, vec![0; 32]));
        assert_eq!((m.peek_u32(SCALAR_VALID), port_bytes(&mut m, SCALAR_OUT)), (0, vec![0; 32]));
        assert_eq!((now(&m, RESEED_COUNT), now(&m, RESULT)), (0, 0));
        assert_eq!((m.working_state().test_hook_key(), m.working_state().test_hook_v()), (&[0; 32], &[0; 16]));
        assert_eq!(m.peek_u32(ALERT_FATAL), 0);
        // Dead: CMD refused (a bad value is still ERR_VALUE first); ADDL and RESEED_LIMIT go through.
        assert_eq!(refused_write(&mut m, &mut apb, CMD, 0), ERR_VALUE);
        for op in [OP_INSTANTIATE, OP_RESEED, OP_GENERATE, OP_UNINSTANTIATE] {
            assert_eq!(refused_write(&mut m, &mut apb, CMD, cmd(op, false, false, false, 1)), ERR_FATAL);
        }
        write_addl(&mut m, &mut apb, &pattern(19));
        write(&mut m, &mut apb, RESEED_LIMIT, 5);
        assert_eq!(refused(&mut m, &mut apb, false, OUT.offset, 0, 0, MASTER_SEC), ERR_EMPTY);
        step_to(&mut m, &mut apb, c + 10 * B + 10 * U);
        assert_eq!((read(&mut m, &mut apb, STATUS), m.peek_u32(KEY_VALID)), (DEAD, 0));
        // Reset revives it.
        apb.reset(&mut m);
        assert_eq!((read(&mut m, &mut apb, STATUS), read(&mut m, &mut apb, RESEED_LIMIT)), (0, RESEED_LIMIT_RESET));
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        assert_eq!(ok(&mut m, &mut apb, generate(1), None), reference(&seed, &[]).generate(16, &[]).unwrap());

        // A CMD accepted at the esc edge starts and is abandoned at once; the waiting seed
        // request goes with it. Idle with DONE: DONE clears, RESULT stays.
        let r = transfer_at_completion(&mut m, &mut apb, true, CMD.offset, cmd(OP_RESEED, false, false, false, 0), &[(ESC, 1)]);
        assert!(!r.err);
        assert_eq!((m.status(), m.peek_u32(SEED_READY), now(&m, RESULT)), (DEAD, 0, 0));
        apb.reset(&mut m);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        assert_eq!((m.status(), now(&m, RESULT)), (DEAD, res(OP_INSTANTIATE, RES_OK)));
        // esc held: nothing more happens.
        apb.step(&mut m);
        m.poke_u32(ESC, 0);
        assert_eq!(read(&mut m, &mut apb, STATUS), DEAD);
        // A command whose D would be the esc edge is abandoned as well: RESULT stays 0.
        apb.reset(&mut m);
        ok(&mut m, &mut apb, cmd(OP_INSTANTIATE, false, false, false, 0), Some(&seed));
        write(&mut m, &mut apb, CMD, generate(1));
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + B + U - 1);
        assert_eq!(m.status(), BUSY | INST | words(4));
        m.poke_u32(ESC, 1);
        apb.step(&mut m);
        m.poke_u32(ESC, 0);
        assert_eq!((m.status(), now(&m, RESULT), now(&m, RESEED_COUNT)), (DEAD, 0, 0), "C + B + U would have been D");
    }
}
