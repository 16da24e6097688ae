//! AES cipher core (FIPS 197): AES-128 and AES-256, encrypt and decrypt, one round per clock.
//!
//! # Timing contract (cycle exact, independent of data and key)
//!
//! Counted in rising edges of `clock`; "edge E" is the edge that samples a pulse.
//!
//! | operation | sampled at | result | cycles |
//! |---|---|---|---|
//! | `key_load`, AES-128 | edge L | `key_ready` rises at edge L+10 | 10 |
//! | `key_load`, AES-256 | edge L | `key_ready` rises at edge L+13 | 13 |
//! | `start`, AES-128, either direction | edge S | `done` rises at edge S+10 | 10 |
//! | `start`, AES-256, either direction | edge S | `done` rises at edge S+14 | 14 |
//!
//! `start` is taken at the edge after `done` rises at the earliest (the core must be idle), so
//! a stream of blocks runs at 11 (AES-128) or 15 (AES-256) cycles per block.
//!
//! # How it works
//!
//! - Edge S does the initial AddRoundKey (`data_in ^ round key 0`, or `^ round key Nr` when
//!   decrypting); each of the next Nr edges does one full round, the last without MixColumns.
//! - The round keys are computed on the fly, one per edge, in parallel with the rounds: forward
//!   from the cipher key when encrypting, backward from the last round key when decrypting.
//!   The working window `wk` holds two consecutive round keys, because AES-256 computes each
//!   round key from the two before it (FIPS 197 5.2 with Nk = 8); AES-128 uses one half. Each
//!   step computes the next round key from the window's flops only, so the key S-boxes never
//!   wait for other logic, and the window a block starts with is a stored one: `kf` =
//!   [rk0, rk1] for encryption, `kd` = [rk(Nr-1), rk(Nr)] for decryption.
//! - `key_load` runs the key schedule forward once (as OpenTitan's AES does) to find `kd`, and
//!   for AES-128 `kf`'s rk1 on the way: 10 edges for AES-128, 13 for AES-256, whose key is
//!   already [rk0, rk1]. `key_ready` then rises.
//! - The state S-boxes invert as well (`sbox::AesSbox`), and InvMixColumns reuses the
//!   MixColumns gates (`AesMixColumn`), so decryption adds little area.
//!
//! # Reading the code
//!
//! `hdl_block!` declares the ports and the parts (flops `RDff` with `d`/`q`, sub-blocks,
//! constants, `Local` nets); `update` is one combinational `always @(*)` block in the generated
//! Verilog: `x.next = ...` is a blocking assignment, later ones win, `for` loops are unrolled,
//! and each flop's `d` starts as its `q` (hold). Arrays of bytes stand in for the 128- and
//! 256-bit values because rust-hdl's code generator has no concatenation.
//!
//! # Byte order
//!
//! State byte 0 is `data_in[127:120]` (FIPS 197's input order read as a big-endian number); key
//! byte 0 is `key[255:248]`, and AES-128 uses `key[255:128]`. `data_out` is in the same order.
//!
//! # Countermeasures
//!
//! The control flops (`run`, `kexp`, `done_r`, `kready`, `dec_r`, `len_r` and the 4-bit round
//! counter `rnd`) are stored with 4 Hamming check bits `chk` (a shortened Hamming(15,11) code):
//! any two valid control words are at Hamming distance 3 or more, so flipping one or two of these
//! 14 flops never gives another valid word, and a round-skipping jump of the counter must flip
//! check bits too. `fault` is 1 while the stored word is not a code word or the flags are in an
//! impossible combination; the core then hides `data_out`, `done` and `key_ready` in that cycle,
//! ignores `start` and `key_load`, and zeroes itself at the next edge as `clear` does (so
//! `fault` lasts one cycle: the owner must latch it as an alert).
//!
//! This core is unmasked: S-boxes are plain look-up tables.
//!
//! # Size (when written)
//!
//! Yosys `synth_ecp5`, the core alone: 8,251 LUT4 (plus 2,711 PFUMX and 957 L6MUX21) and
//! 1,038 flops; about half the LUTs are the 20 S-boxes. nextpnr on an LFE5U-25F: 44 MHz (two
//! seeds); the longest path is one round: `dec_r` (the S-box direction) through an S-box and
//! (Inv)MixColumns into the state.

use crate::aes::sbox::{AesSbox, AesSboxFwd};
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

/// The round constants Rcon[i] (FIPS 197 5.2), i = 1..=10; entry 0 is unused (0).
pub const RCON: [u8; 11] = [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

crate::hdl_block! {
    /// One column of MixColumns (`inv` = 0) or InvMixColumns (`inv` = 1). InvMixColumns is
    /// MixColumns after a cheap pre-step (its matrix is MixColumns' times
    /// [[5,0,4,0],[0,5,0,4],[4,0,5,0],[0,4,0,5]]), so both directions share the same gates.
    AesMixColumn
    ports {
        a0: Signal<In, Bits<8>>,
        a1: Signal<In, Bits<8>>,
        a2: Signal<In, Bits<8>>,
        a3: Signal<In, Bits<8>>,
        inv: Signal<In, bool>,
        y0: Signal<Out, Bits<8>>,
        y1: Signal<Out, Bits<8>>,
        y2: Signal<Out, Bits<8>>,
        y3: Signal<Out, Bits<8>>,
    }
    consts {}
    fields {
        /// a0 ^ a2 and a1 ^ a3, then those times 2 and times 4 in GF(2^8); the pre-step adds
        /// the last to the column.
        s: [Signal<Local, Bits<8>>; 2],
        s2: [Signal<Local, Bits<8>>; 2],
        s4: [Signal<Local, Bits<8>>; 2],
        /// The column MixColumns works on (the input, or the pre-stepped input).
        v: [Signal<Local, Bits<8>>; 4],
        /// v[r] ^ v[r+1], and 2 * that.
        p: [Signal<Local, Bits<8>>; 4],
        p2: [Signal<Local, Bits<8>>; 4],
    }
}

// xtime (multiply by 2 in GF(2^8)) is written out as shifts: h = b >> 7 is the carry bit, and
// 0x1b = bits 4, 3, 1, 0, so xtime(b) = (b << 1) ^ h ^ (h << 1) ^ (h << 3) ^ (h << 4).
crate::hdl_logic! {
    #[hdl_gen]
    AesMixColumn;
    fn update(&mut self) {
        self.s[0].next = self.a0.val() ^ self.a2.val();
        self.s[1].next = self.a1.val() ^ self.a3.val();
        for k in 0..2 {
            self.s2[k].next = (self.s[k].val() << 1) ^ (self.s[k].val() >> 7) ^ ((self.s[k].val() >> 7) << 1)
                ^ ((self.s[k].val() >> 7) << 3) ^ ((self.s[k].val() >> 7) << 4);
            self.s4[k].next = (self.s2[k].val() << 1) ^ (self.s2[k].val() >> 7) ^ ((self.s2[k].val() >> 7) << 1)
                ^ ((self.s2[k].val() >> 7) << 3) ^ ((self.s2[k].val() >> 7) << 4);
        }
        self.v[0].next = self.a0.val();
        self.v[1].next = self.a1.val();
        self.v[2].next = self.a2.val();
        self.v[3].next = self.a3.val();
        if self.inv.val() {
            self.v[0].next = self.a0.val() ^ self.s4[0].val();
            self.v[1].next = self.a1.val() ^ self.s4[1].val();
            self.v[2].next = self.a2.val() ^ self.s4[0].val();
            self.v[3].next = self.a3.val() ^ self.s4[1].val();
        }
        // y[r] = 2 v[r] ^ 3 v[r+1] ^ v[r+2] ^ v[r+3] = 2 (v[r] ^ v[r+1]) ^ v[r+1] ^ v[r+2] ^ v[r+3].
        for r in 0..4 {
            self.p[r].next = self.v[r].val() ^ self.v[(r + 1) % 4].val();
            self.p2[r].next = (self.p[r].val() << 1) ^ (self.p[r].val() >> 7) ^ ((self.p[r].val() >> 7) << 1)
                ^ ((self.p[r].val() >> 7) << 3) ^ ((self.p[r].val() >> 7) << 4);
        }
        self.y0.next = self.p2[0].val() ^ self.v[1].val() ^ self.v[2].val() ^ self.v[3].val();
        self.y1.next = self.p2[1].val() ^ self.v[2].val() ^ self.v[3].val() ^ self.v[0].val();
        self.y2.next = self.p2[2].val() ^ self.v[3].val() ^ self.v[0].val() ^ self.v[1].val();
        self.y3.next = self.p2[3].val() ^ self.v[0].val() ^ self.v[1].val() ^ self.v[2].val();
    }
}

/// Sixteen bytes packed into 128 bits, byte 0 in bits 127:120 (rust-hdl has no concatenation).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct PackBytes16 {
    pub b: [Signal<In, Bits<8>>; 16],
    pub y: Signal<Out, Bits<128>>,
}

impl Logic for PackBytes16 {
    fn update(&mut self) {
        let mut y = Bits::<128>::default();
        for b in &self.b {
            y = (y << 8) | bit_cast::<128, 8>(b.val());
        }
        self.y.next = y;
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        let parts: Vec<String> = (0..16).map(|i| format!("b${i}")).collect();
        Verilog::Custom(format!("always @(*) y = {{{}}};", parts.join(", ")))
    }
}

crate::hdl_block! {
    /// The AES cipher core; see the module documentation for the timing contract.
    AesCore
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// The cipher key, sampled at `key_load`: key byte 0 in bits 255:248; AES-128 uses bits
        /// 255:128 (bits 127:0 are ignored).
        key: Signal<In, Bits<256>>,
        /// With `key_load`: 1 for AES-256, 0 for AES-128.
        key_len256: Signal<In, bool>,
        /// Take `key` at this edge (ignored while `busy`; wins over `start`). `key_ready` falls,
        /// and rises 10 (AES-128) or 13 (AES-256) edges later, when the decryption key is ready.
        /// A finished result stays on `data_out` meanwhile.
        key_load: Signal<In, bool>,
        /// Start a block at this edge: taken only when idle (`busy` 0) and `key_ready`.
        start: Signal<In, bool>,
        /// With `start`: 1 to decrypt, 0 to encrypt.
        decrypt: Signal<In, bool>,
        /// With `start`: the block (state byte 0 in bits 127:120).
        data_in: Signal<In, Bits<128>>,
        /// Zero every key, round-key, state and control flop at this edge (wins over all).
        clear: Signal<In, bool>,
        /// The result while `done`; 0 otherwise. Straight from a flop (never glitches to
        /// intermediate state).
        data_out: Signal<Out, Bits<128>>,
        /// A block or a key expansion is in progress.
        busy: Signal<Out, bool>,
        /// `data_out` is valid: from the edge that finishes a block until the next taken `start`,
        /// `clear` or fault.
        done: Signal<Out, bool>,
        /// A key is loaded and expanded: `start` may be taken.
        key_ready: Signal<Out, bool>,
        /// The control state failed its check; the core zeroes itself at the next edge.
        fault: Signal<Out, bool>,
    }
    consts {
        nr128: 4 = 10,
        nr256: 4 = 14,
        zero4: 4 = 0,
        one4: 4 = 1,
        zero8: 8 = 0,
    }
    fields {
        /// The cipher state, byte i = FIPS 197 input byte i.
        st: [RDff<Bits<8>>; 16],
        /// The result register behind `data_out`.
        res: [RDff<Bits<8>>; 16],
        /// Round-key window of two round keys, bytes 0..16 the older: [rk(r-1), rk(r)] while
        /// encrypting or expanding (round r adds the second), [rk(r), rk(r+1)] while decrypting
        /// (round r adds the first), r = `rnd`.
        wk: [RDff<Bits<8>>; 32],
        /// The encryption start window [rk0, rk1] (for AES-256 the key itself).
        kf: [RDff<Bits<8>>; 32],
        /// The decryption start window [rk(Nr-1), rk(Nr)].
        kd: [RDff<Bits<8>>; 32],
        /// Control: rounds in progress, key expansion in progress, result valid, key expanded,
        /// the block decrypts, the key is AES-256.
        run: RDff<bool>,
        kexp: RDff<bool>,
        done_r: RDff<bool>,
        kready: RDff<bool>,
        dec_r: RDff<bool>,
        len_r: RDff<bool>,
        /// Round counter: the window index r (0 when idle).
        rnd: RDff<Bits<4>>,
        /// Hamming check bits of the control word (module documentation, Countermeasures).
        chk: [RDff<bool>; 4],
        sb: [AesSbox; 16],
        ksb: [AesSboxFwd; 4],
        mix: [AesMixColumn; 4],
        pack: PackBytes16,
        /// Rcon[i], read through a `case` on i (a small ROM).
        rc: [Constant<Bits<8>>; 11] = RCON.map(|x| Constant::new(bits::<8>(x as u64))),
        // ---- control
        flt: Signal<Local, bool>,
        clr: Signal<Local, bool>,
        idle: Signal<Local, bool>,
        take_key: Signal<Local, bool>,
        take_start: Signal<Local, bool>,
        /// Nr: 10 or 14.
        nr: Signal<Local, Bits<4>>,
        /// This edge ends the key expansion or the block.
        last: Signal<Local, bool>,
        /// Parity bits of the control word: from the flops' outputs (to check) and inputs (to store).
        pq: [Signal<Local, bool>; 4],
        pd: [Signal<Local, bool>; 4],
        // ---- key schedule
        /// The key schedule steps forward (else backward).
        fwd: Signal<Local, bool>,
        rc_idx: Signal<Local, Bits<4>>,
        /// This step applies RotWord and Rcon (AES-256 alternates with SubWord alone).
        rot: Signal<Local, bool>,
        rcon: Signal<Local, Bits<8>>,
        /// The word the key S-boxes substitute (before RotWord), and the substituted word.
        ks_in: [Signal<Local, Bits<8>>; 4],
        g: [Signal<Local, Bits<8>>; 4],
        /// The round key Nk words back, forward and backward.
        base_f: [Signal<Local, Bits<8>>; 16],
        base_b: [Signal<Local, Bits<8>>; 16],
        /// The next round key forward, and the one before backward.
        nf: [Signal<Local, Bits<8>>; 16],
        pb: [Signal<Local, Bits<8>>; 16],
        /// The next window.
        wn: [Signal<Local, Bits<8>>; 32],
        /// The key port in window form.
        kb: [Signal<Local, Bits<8>>; 32],
        // ---- round
        /// After (Inv)SubBytes and (Inv)ShiftRows; decrypting, AddRoundKey too.
        u: [Signal<Local, Bits<8>>; 16],
        /// After (Inv)MixColumns (or `u` in the last round).
        mixed: [Signal<Local, Bits<8>>; 16],
        /// The round's result.
        rnd_out: [Signal<Local, Bits<8>>; 16],
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    AesCore;
    hold [run, kexp, done_r, kready, dec_r, len_r, rnd]
    fn update(&mut self) {
        // Flop arrays: clock, reset, hold (`hdl_logic!` wires the single flops).
        for i in 0..16 {
            self.st[i].clock.next = self.clock.val();
            self.st[i].rst_n.next = self.rst_n.val();
            self.st[i].d.next = self.st[i].q.val();
            self.res[i].clock.next = self.clock.val();
            self.res[i].rst_n.next = self.rst_n.val();
            self.res[i].d.next = self.res[i].q.val();
        }
        for j in 0..32 {
            self.wk[j].clock.next = self.clock.val();
            self.wk[j].rst_n.next = self.rst_n.val();
            self.wk[j].d.next = self.wk[j].q.val();
            self.kf[j].clock.next = self.clock.val();
            self.kf[j].rst_n.next = self.rst_n.val();
            self.kf[j].d.next = self.kf[j].q.val();
            self.kd[j].clock.next = self.clock.val();
            self.kd[j].rst_n.next = self.rst_n.val();
            self.kd[j].d.next = self.kd[j].q.val();
        }
        for k in 0..4 {
            self.chk[k].clock.next = self.clock.val();
            self.chk[k].rst_n.next = self.rst_n.val();
        }

        // ---- Control-word check (Hamming(15,11) shortened to 10 data bits: run, kexp, done_r,
        // kready, dec_r, len_r, rnd[0..3] at positions 3, 5, 6, 7, 9, 10, 11, 12, 13, 14).
        self.pq[0].next = self.run.q.val() ^ self.kexp.q.val() ^ self.kready.q.val() ^ self.dec_r.q.val()
            ^ self.rnd.q.val().get_bit(0) ^ self.rnd.q.val().get_bit(2);
        self.pq[1].next = self.run.q.val() ^ self.done_r.q.val() ^ self.kready.q.val() ^ self.len_r.q.val()
            ^ self.rnd.q.val().get_bit(0) ^ self.rnd.q.val().get_bit(3);
        self.pq[2].next = self.kexp.q.val() ^ self.done_r.q.val() ^ self.kready.q.val()
            ^ self.rnd.q.val().get_bit(1) ^ self.rnd.q.val().get_bit(2) ^ self.rnd.q.val().get_bit(3);
        self.pq[3].next = self.dec_r.q.val() ^ self.len_r.q.val() ^ self.rnd.q.val().get_bit(0)
            ^ self.rnd.q.val().get_bit(1) ^ self.rnd.q.val().get_bit(2) ^ self.rnd.q.val().get_bit(3);
        self.idle.next = !self.run.q.val() & !self.kexp.q.val();
        // Besides the code: flags that never go together, and a round counter that is not 0
        // between operations.
        self.flt.next = (self.chk[0].q.val() ^ self.pq[0].val()) | (self.chk[1].q.val() ^ self.pq[1].val())
            | (self.chk[2].q.val() ^ self.pq[2].val()) | (self.chk[3].q.val() ^ self.pq[3].val())
            | (self.run.q.val() & (self.kexp.q.val() | self.done_r.q.val() | !self.kready.q.val()))
            | (self.kexp.q.val() & self.kready.q.val())
            | (self.idle.val() & (self.rnd.q.val() != self.zero4.val()));
        self.fault.next = self.flt.val();
        self.clr.next = self.clear.val() | self.flt.val();
        self.take_key.next = self.key_load.val() & self.idle.val() & !self.clr.val();
        self.take_start.next = self.start.val() & self.idle.val() & self.kready.q.val() & !self.key_load.val() & !self.clr.val();

        self.nr.next = self.nr128.val();
        if self.len_r.q.val() {
            self.nr.next = self.nr256.val();
        }
        self.last.next = false;
        if self.kexp.q.val() {
            self.last.next = (self.rnd.q.val() + self.one4.val()) == self.nr.val();
        }
        if self.run.q.val() {
            if self.dec_r.q.val() {
                self.last.next = self.rnd.q.val() == self.zero4.val();
            } else {
                self.last.next = self.rnd.q.val() == self.nr.val();
            }
        }

        // ---- Key schedule: one step of the working window, forward or backward.
        // Encrypting (and expanding a key), the window is [rk(r-1), rk(r)] with r = `rnd`; a
        // forward step makes it [rk(r), rk(r+1)]. Decrypting, it is [rk(r), rk(r+1)]; a backward
        // step makes it [rk(r-1), rk(r)]. The new round key is always computed from the window
        // alone: nothing but flops feeds the key S-boxes.
        self.fwd.next = !(self.run.q.val() & self.dec_r.q.val());
        // Which Rcon, and whether RotWord applies: AES-128 always; AES-256 for every other
        // round key (words 8k get RotWord + Rcon[k], words 8k+4 SubWord alone; FIPS 197 fig. 11).
        if self.len_r.q.val() {
            self.rc_idx.next = (self.rnd.q.val() + self.one4.val()) >> 1;
        } else if self.fwd.val() {
            self.rc_idx.next = self.rnd.q.val() + self.one4.val();
        } else {
            self.rc_idx.next = self.rnd.q.val();
        }
        self.rot.next = !self.len_r.q.val() | self.rnd.q.val().get_bit(0);
        match self.rc_idx.val().index() {
            1 => self.rcon.next = self.rc[1].val(),
            2 => self.rcon.next = self.rc[2].val(),
            3 => self.rcon.next = self.rc[3].val(),
            4 => self.rcon.next = self.rc[4].val(),
            5 => self.rcon.next = self.rc[5].val(),
            6 => self.rcon.next = self.rc[6].val(),
            7 => self.rcon.next = self.rc[7].val(),
            8 => self.rcon.next = self.rc[8].val(),
            9 => self.rcon.next = self.rc[9].val(),
            10 => self.rcon.next = self.rc[10].val(),
            _ => self.rcon.next = self.rc[0].val(),
        }
        if !self.rot.val() {
            self.rcon.next = self.zero8.val();
        }
        // The word the S-boxes take (before RotWord): forward, the newest word (the window's
        // last); backward, the word just before the one being recovered (AES-256: the first
        // half's last word; AES-128: rk(r) word 3 ^ word 2, which is rk(r-1) word 3).
        for k in 0..4 {
            self.ks_in[k].next = self.wk[28 + k].q.val();
            if !self.fwd.val() {
                if self.len_r.q.val() {
                    self.ks_in[k].next = self.wk[12 + k].q.val();
                } else {
                    self.ks_in[k].next = self.wk[12 + k].q.val() ^ self.wk[8 + k].q.val();
                }
            }
        }
        for k in 0..4 {
            self.ksb[k].x.next = self.ks_in[k].val();
            if self.rot.val() {
                self.ksb[k].x.next = self.ks_in[(k + 1) % 4].val();
            }
        }
        self.g[0].next = self.ksb[0].y.val() ^ self.rcon.val();
        for k in 1..4 {
            self.g[k].next = self.ksb[k].y.val();
        }
        // w[i] = w[i-Nk] ^ w[i-1], the first word of a round key w[i-Nk] ^ g. The Nk words back
        // are the round key before (AES-128: rk(r), the second half; AES-256: rk(r-1), the
        // first). Backward, w[i-Nk] = w[i] ^ w[i-1], from rk(r) (AES-128: the first half) or
        // rk(r+1) (AES-256: the second).
        for j in 0..16 {
            self.base_f[j].next = self.wk[16 + j].q.val();
            self.base_b[j].next = self.wk[j].q.val();
            if self.len_r.q.val() {
                self.base_f[j].next = self.wk[j].q.val();
                self.base_b[j].next = self.wk[16 + j].q.val();
            }
        }
        for k in 0..4 {
            self.nf[k].next = self.base_f[k].val() ^ self.g[k].val();
            self.pb[k].next = self.base_b[k].val() ^ self.g[k].val();
        }
        for j in 4..16 {
            self.nf[j].next = self.base_f[j].val() ^ self.nf[j - 4].val();
            self.pb[j].next = self.base_b[j].val() ^ self.base_b[j - 4].val();
        }
        // The next window: [rk(r), new] forward, [new, rk(r)] backward.
        for j in 0..16 {
            if self.fwd.val() {
                self.wn[j].next = self.wk[16 + j].q.val();
                self.wn[16 + j].next = self.nf[j].val();
            } else {
                self.wn[j].next = self.pb[j].val();
                self.wn[16 + j].next = self.wk[j].q.val();
            }
        }
        // The key port in window form: AES-128 puts its key in both halves (the first forward
        // step only reads the second).
        for j in 0..16 {
            self.kb[j].next = self.key.val().get_bits::<8>(248 - 8 * j);
            self.kb[16 + j].next = self.key.val().get_bits::<8>(248 - 8 * j);
            if self.key_len256.val() {
                self.kb[16 + j].next = self.key.val().get_bits::<8>(120 - 8 * j);
            }
        }

        // ---- Round. State byte 4c + r is row r of column c. Encrypting, SubBytes then
        // ShiftRows (row r of column c comes from column c + r); decrypting, InvShiftRows then
        // InvSubBytes (from column c - r). S-boxes commute with the byte permutation, so the
        // permutation is done first and one set of S-boxes serves both.
        for c in 0..4 {
            for r in 0..4 {
                self.sb[4 * c + r].inv.next = self.dec_r.q.val();
                self.sb[4 * c + r].x.next = self.st[4 * ((c + r) % 4) + r].q.val();
                if self.dec_r.q.val() {
                    self.sb[4 * c + r].x.next = self.st[4 * ((c + 4 - r) % 4) + r].q.val();
                }
            }
        }
        // Decrypting, AddRoundKey (rk(r), the window's first half) comes before InvMixColumns;
        // encrypting, AddRoundKey (rk(r), the second half) comes after MixColumns.
        for i in 0..16 {
            self.u[i].next = self.sb[i].y.val();
            if self.dec_r.q.val() {
                self.u[i].next = self.sb[i].y.val() ^ self.wk[i].q.val();
            }
        }
        for c in 0..4 {
            self.mix[c].inv.next = self.dec_r.q.val();
            self.mix[c].a0.next = self.u[4 * c].val();
            self.mix[c].a1.next = self.u[4 * c + 1].val();
            self.mix[c].a2.next = self.u[4 * c + 2].val();
            self.mix[c].a3.next = self.u[4 * c + 3].val();
            self.mixed[4 * c].next = self.mix[c].y0.val();
            self.mixed[4 * c + 1].next = self.mix[c].y1.val();
            self.mixed[4 * c + 2].next = self.mix[c].y2.val();
            self.mixed[4 * c + 3].next = self.mix[c].y3.val();
            if self.last.val() {
                self.mixed[4 * c].next = self.u[4 * c].val();
                self.mixed[4 * c + 1].next = self.u[4 * c + 1].val();
                self.mixed[4 * c + 2].next = self.u[4 * c + 2].val();
                self.mixed[4 * c + 3].next = self.u[4 * c + 3].val();
            }
        }
        for i in 0..16 {
            self.rnd_out[i].next = self.mixed[i].val() ^ self.wk[16 + i].q.val();
            if self.dec_r.q.val() {
                self.rnd_out[i].next = self.mixed[i].val();
            }
        }

        // ---- Next state. `clear` (or a fault) first, then a key load, a start, a step.
        if self.clr.val() {
            for i in 0..16 {
                self.st[i].d.next = self.zero8.val();
                self.res[i].d.next = self.zero8.val();
            }
            for j in 0..32 {
                self.wk[j].d.next = self.zero8.val();
                self.kf[j].d.next = self.zero8.val();
                self.kd[j].d.next = self.zero8.val();
            }
            self.run.d.next = false;
            self.kexp.d.next = false;
            self.done_r.d.next = false;
            self.kready.d.next = false;
            self.dec_r.d.next = false;
            self.len_r.d.next = false;
            self.rnd.d.next = self.zero4.val();
        } else if self.take_key.val() {
            for j in 0..32 {
                self.wk[j].d.next = self.kb[j].val();
                self.kf[j].d.next = self.kb[j].val();
            }
            self.len_r.d.next = self.key_len256.val();
            self.kexp.d.next = true;
            self.kready.d.next = false;
            // The window is [rk0, rk1] (AES-256), or rk0 for AES-128 (index 0).
            self.rnd.d.next = self.zero4.val();
            if self.key_len256.val() {
                self.rnd.d.next = self.one4.val();
            }
        } else if self.take_start.val() {
            // Initial AddRoundKey with rk0 (or rk(Nr) when decrypting); the window starts as
            // [rk0, rk1] (or [rk(Nr-1), rk(Nr)]).
            for i in 0..16 {
                self.res[i].d.next = self.zero8.val();
                if self.decrypt.val() {
                    self.st[i].d.next = self.data_in.val().get_bits::<8>(120 - 8 * i) ^ self.kd[16 + i].q.val();
                } else {
                    self.st[i].d.next = self.data_in.val().get_bits::<8>(120 - 8 * i) ^ self.kf[i].q.val();
                }
            }
            for j in 0..32 {
                self.wk[j].d.next = self.kf[j].q.val();
                if self.decrypt.val() {
                    self.wk[j].d.next = self.kd[j].q.val();
                }
            }
            self.dec_r.d.next = self.decrypt.val();
            self.run.d.next = true;
            self.done_r.d.next = false;
            if self.decrypt.val() {
                self.rnd.d.next = self.nr.val() - self.one4.val();
            } else {
                self.rnd.d.next = self.one4.val();
            }
        } else if self.kexp.q.val() {
            // Forward to [rk(Nr-1), rk(Nr)]: the start window for decryption. AES-128's first
            // step gives [rk0, rk1], the start window for encryption.
            for j in 0..32 {
                self.wk[j].d.next = self.wn[j].val();
                if self.rnd.q.val() == self.zero4.val() {
                    self.kf[j].d.next = self.wn[j].val();
                }
            }
            self.rnd.d.next = self.rnd.q.val() + self.one4.val();
            if self.last.val() {
                for j in 0..32 {
                    self.kd[j].d.next = self.wn[j].val();
                }
                self.kexp.d.next = false;
                self.kready.d.next = true;
                self.rnd.d.next = self.zero4.val();
            }
        } else if self.run.q.val() {
            for i in 0..16 {
                self.st[i].d.next = self.rnd_out[i].val();
            }
            for j in 0..32 {
                self.wk[j].d.next = self.wn[j].val();
            }
            if self.dec_r.q.val() {
                self.rnd.d.next = self.rnd.q.val() - self.one4.val();
            } else {
                self.rnd.d.next = self.rnd.q.val() + self.one4.val();
            }
            if self.last.val() {
                for i in 0..16 {
                    self.res[i].d.next = self.rnd_out[i].val();
                }
                self.run.d.next = false;
                self.done_r.d.next = true;
                self.rnd.d.next = self.zero4.val();
            }
        }

        // The check bits that go with the next control word.
        self.pd[0].next = self.run.d.val() ^ self.kexp.d.val() ^ self.kready.d.val() ^ self.dec_r.d.val()
            ^ self.rnd.d.val().get_bit(0) ^ self.rnd.d.val().get_bit(2);
        self.pd[1].next = self.run.d.val() ^ self.done_r.d.val() ^ self.kready.d.val() ^ self.len_r.d.val()
            ^ self.rnd.d.val().get_bit(0) ^ self.rnd.d.val().get_bit(3);
        self.pd[2].next = self.kexp.d.val() ^ self.done_r.d.val() ^ self.kready.d.val()
            ^ self.rnd.d.val().get_bit(1) ^ self.rnd.d.val().get_bit(2) ^ self.rnd.d.val().get_bit(3);
        self.pd[3].next = self.dec_r.d.val() ^ self.len_r.d.val() ^ self.rnd.d.val().get_bit(0)
            ^ self.rnd.d.val().get_bit(1) ^ self.rnd.d.val().get_bit(2) ^ self.rnd.d.val().get_bit(3);
        for k in 0..4 {
            self.chk[k].d.next = self.pd[k].val();
        }

        // ---- Outputs, hidden while the control word is bad.
        self.busy.next = self.run.q.val() | self.kexp.q.val();
        self.done.next = self.done_r.q.val() & !self.flt.val();
        self.key_ready.next = self.kready.q.val() & !self.flt.val();
        for i in 0..16 {
            self.pack.b[i].next = self.res[i].q.val();
            if self.flt.val() {
                self.pack.b[i].next = self.zero8.val();
            }
        }
        self.data_out.next = self.pack.y.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::TopBlock;
    use aes::cipher::generic_array::GenericArray;
    use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
    use std::sync::{Arc, Mutex};

    // ------------------------------------------------------------------ reference and vectors

    /// The RustCrypto `aes` crate's answer. AES-128 uses key bytes 0..16.
    fn reference(key: &[u8; 32], len256: bool, decrypt: bool, data: [u8; 16]) -> [u8; 16] {
        let mut b = GenericArray::from(data);
        match (len256, decrypt) {
            (false, false) => aes::Aes128::new_from_slice(&key[..16]).unwrap().encrypt_block(&mut b),
            (false, true) => aes::Aes128::new_from_slice(&key[..16]).unwrap().decrypt_block(&mut b),
            (true, false) => aes::Aes256::new_from_slice(key).unwrap().encrypt_block(&mut b),
            (true, true) => aes::Aes256::new_from_slice(key).unwrap().decrypt_block(&mut b),
        }
        b.into()
    }

    fn hex<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    /// A known answer: AES-256?, key, plaintext, ciphertext.
    type Kat = (bool, [u8; 32], [u8; 16], [u8; 16]);

    /// FIPS 197 Appendix C.1 (AES-128) and C.3 (AES-256).
    fn fips_197() -> Vec<Kat> {
        let pt = hex::<16>("00112233445566778899aabbccddeeff");
        let mut k128 = [0u8; 32];
        k128[..16].copy_from_slice(&hex::<16>("000102030405060708090a0b0c0d0e0f"));
        let k256 = hex::<32>("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        vec![
            (false, k128, pt, hex::<16>("69c4e0d86a7b0430d8cdb78070b4c55a")),
            (true, k256, pt, hex::<16>("8ea2b7ca516745bfeafc49904b496089")),
        ]
    }

    /// SplitMix64: small, seedable, the same on every platform.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn bytes<const N: usize>(&mut self) -> [u8; N] {
            let mut out = [0u8; N];
            out.iter_mut().for_each(|b| *b = self.next() as u8);
            out
        }
    }

    /// The seed: `AES_TEST_SEED` if set, else the clock. Printed so a failure can be replayed.
    fn seed(name: &str) -> u64 {
        let seed = std::env::var("AES_TEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        println!("{name}: seed {seed} (replay with AES_TEST_SEED={seed})");
        seed
    }

    /// One step of a test: load a key, or run a block and expect a result.
    #[derive(Clone, Debug)]
    enum Op {
        Key { key: [u8; 32], len256: bool },
        Block { decrypt: bool, data: [u8; 16], expect: [u8; 16] },
    }

    /// `keys` random keys (AES-128 and AES-256 alternately), each followed by `blocks` random
    /// blocks in random directions, with the reference's answers.
    fn random_ops(rng: &mut Rng, keys: usize, blocks: usize) -> Vec<Op> {
        let mut ops = Vec::new();
        for k in 0..keys {
            let key = rng.bytes::<32>();
            let len256 = k % 2 == 1;
            ops.push(Op::Key { key, len256 });
            for _ in 0..blocks {
                let decrypt = rng.next() & 1 == 1;
                let data = rng.bytes::<16>();
                ops.push(Op::Block { decrypt, data, expect: reference(&key, len256, decrypt, data) });
            }
        }
        ops
    }

    fn fips_ops() -> Vec<Op> {
        let mut ops = Vec::new();
        for (len256, key, pt, ct) in fips_197() {
            assert_eq!(reference(&key, len256, false, pt), ct, "the reference disagrees with FIPS 197");
            ops.push(Op::Key { key, len256 });
            ops.push(Op::Block { decrypt: false, data: pt, expect: ct });
            ops.push(Op::Block { decrypt: true, data: ct, expect: pt });
        }
        ops
    }

    // ------------------------------------------------------------------ rust-hdl simulation

    fn to_bits<const N: usize>(bytes: &[u8]) -> Bits<N> {
        let mut b = Bits::<N>::default();
        for &x in bytes {
            b = (b << 8) | bit_cast::<N, 8>(bits::<8>(x as u64));
        }
        b
    }

    fn from_bits128(b: Bits<128>) -> [u8; 16] {
        b.to_u128().to_be_bytes()
    }

    type Tb = Box<AesCore>;
    type Errors = Mutex<Vec<String>>;

    /// One rising edge, then let the outputs settle (what the next edge will sample).
    macro_rules! edge {
        ($sim:ident, $x:ident) => {
            wait_clock_cycle!($sim, clock, $x)
        };
    }

    /// Pulse `key_load`; returns the edges from the load to `key_ready` (at most 100).
    fn load_key(sim: &mut Sim<AesCore>, mut x: Tb, key: &[u8; 32], len256: bool) -> Result<(Tb, usize), SimError> {
        x.key.next = to_bits::<256>(key);
        x.key_len256.next = len256;
        x.key_load.next = true;
        edge!(sim, x);
        x.key_load.next = false;
        x.key.next = Bits::default();
        x.key_len256.next = false;
        let mut cycles = 0;
        while !x.key_ready.val() && x.busy.val() && cycles < 100 {
            edge!(sim, x);
            cycles += 1;
        }
        Ok((x, cycles))
    }

    /// Pulse `start`; returns the edges from the start to `done` (at most 100) and `data_out`.
    /// `busy` must stay high and `data_out` 0 until then, else the count is 0.
    fn run_block(sim: &mut Sim<AesCore>, mut x: Tb, decrypt: bool, data: &[u8; 16]) -> Result<(Tb, usize, [u8; 16]), SimError> {
        x.data_in.next = to_bits::<128>(data);
        x.decrypt.next = decrypt;
        x.start.next = true;
        edge!(sim, x);
        x.start.next = false;
        x.data_in.next = Bits::default();
        x.decrypt.next = false;
        let mut cycles = 0;
        while !x.done.val() && cycles < 100 {
            if !x.busy.val() || x.data_out.val() != Bits::<128>::default() {
                return Ok((x, 0, [0; 16]));
            }
            edge!(sim, x);
            cycles += 1;
        }
        let out = from_bits128(x.data_out.val());
        Ok((x, cycles, out))
    }

    /// Run `ops` on the core in rust-hdl's simulator, checking results and cycle counts, then
    /// `extra`; returns the failures (the run stops at the first failing op).
    fn simulate(ops: Vec<Op>, extra: fn(&mut Sim<AesCore>, Tb, &Errors) -> Result<Tb, SimError>) -> Vec<String> {
        let mut uut = AesCore::default();
        uut.connect_inputs();
        uut.connect_all();
        let errors = Arc::new(Mutex::new(Vec::<String>::new()));
        let errs = errors.clone();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Tb| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<AesCore>| {
            let mut x = sim.init()?;
            let fail = |msg: String| errs.lock().unwrap().push(msg);
            x.rst_n.next = false;
            edge!(sim, x);
            x.rst_n.next = true;
            edge!(sim, x);
            let mut nr = 10;
            let mut last_out: Option<[u8; 16]> = None;
            for (n, op) in ops.iter().enumerate() {
                match op {
                    Op::Key { key, len256 } => {
                        let cycles;
                        (x, cycles) = load_key(&mut sim, x, key, *len256)?;
                        nr = if *len256 { 14 } else { 10 };
                        let want = if *len256 { 13 } else { 10 };
                        if cycles != want || !x.key_ready.val() || x.busy.val() {
                            fail(format!("op {n}: key_ready after {cycles} cycles, expected {want}"));
                        }
                        // A key load leaves a finished result readable.
                        if let Some(out) = last_out {
                            if !x.done.val() || from_bits128(x.data_out.val()) != out {
                                fail(format!("op {n}: the key load changed done/data_out"));
                            }
                        }
                    }
                    Op::Block { decrypt, data, expect } => {
                        let (cycles, got);
                        (x, cycles, got) = run_block(&mut sim, x, *decrypt, data)?;
                        if cycles != nr || got != *expect || x.busy.val() || x.fault.val() {
                            fail(format!(
                                "op {n} ({}, AES-{}): {cycles} cycles (expected {nr}), data_out {got:02x?}, expected {expect:02x?}, busy {}, fault {}",
                                if *decrypt { "decrypt" } else { "encrypt" },
                                if nr == 14 { 256 } else { 128 },
                                x.busy.val(),
                                x.fault.val()
                            ));
                        }
                        last_out = Some(*expect);
                    }
                }
                if !errs.lock().unwrap().is_empty() {
                    return sim.halt(x);
                }
            }
            x = extra(&mut sim, x, &errs)?;
            sim.done(x)
        });
        let result = sim.run(Box::new(uut), 1 << 40);
        let mut errors = errors.lock().unwrap().clone();
        if let Err(e) = result {
            if errors.is_empty() {
                errors.push(format!("simulation: {e:?}"));
            }
        }
        errors
    }

    fn nothing(_: &mut Sim<AesCore>, x: Tb, _: &Errors) -> Result<Tb, SimError> {
        Ok(x)
    }

    /// Every key, round-key, state and control flop is 0 (what `clear` promises).
    fn all_zero(x: &AesCore) -> bool {
        let z8 = Bits::<8>::default();
        x.st.iter().chain(&x.res).all(|f| f.q.val() == z8)
            && x.wk.iter().chain(&x.kf).chain(&x.kd).all(|f| f.q.val() == z8)
            && [&x.run, &x.kexp, &x.done_r, &x.kready, &x.dec_r, &x.len_r].iter().all(|f| !f.q.val())
            && x.chk.iter().all(|f| !f.q.val())
            && x.rnd.q.val() == Bits::<4>::default()
    }

    #[test]
    fn aes_fips_197_vectors() {
        let errors = simulate(fips_ops(), nothing);
        assert!(errors.is_empty(), "{errors:#?}");
    }

    #[test]
    fn aes_random_blocks_match_reference() {
        let mut rng = Rng(seed("aes_random_blocks_match_reference"));
        let ops = random_ops(&mut rng, 40, 6);
        let errors = simulate(ops, nothing);
        assert!(errors.is_empty(), "{errors:#?}");
    }

    /// Pulses that must be ignored, priorities, `clear`.
    #[test]
    fn aes_protocol() {
        fn check(sim: &mut Sim<AesCore>, mut x: Tb, errs: &Errors) -> Result<Tb, SimError> {
            let fail = |msg: &str| errs.lock().unwrap().push(msg.to_string());
            let [(_, k128, pt, ct128), (_, k256, _, ct256)] = <[_; 2]>::try_from(fips_197()).unwrap();
            // `start` without a key (after reset or clear) is ignored.
            x.clear.next = true;
            edge!(sim, x);
            x.clear.next = false;
            if !all_zero(&x) || x.key_ready.val() || x.done.val() || x.busy.val() {
                fail("clear: not everything zero");
            }
            x.start.next = true;
            x.data_in.next = to_bits::<128>(&pt);
            edge!(sim, x);
            x.start.next = false;
            for _ in 0..3 {
                edge!(sim, x);
            }
            if x.busy.val() || x.done.val() || !all_zero(&x) {
                fail("start without a key was taken");
            }
            // `start` and `key_load` while a block runs are ignored; so is `start` during the
            // key expansion.
            let cycles;
            (x, cycles) = load_key(sim, x, &k128, false)?;
            if cycles != 10 {
                fail("AES-128 key load");
            }
            x.data_in.next = to_bits::<128>(&pt);
            x.start.next = true;
            edge!(sim, x);
            x.data_in.next = to_bits::<128>(&ct128);
            x.decrypt.next = true;
            x.key.next = to_bits::<256>(&k256);
            x.key_len256.next = true;
            for n in 1..=10 {
                x.key_load.next = n % 2 == 0;
                edge!(sim, x);
                if n < 10 && (x.done.val() || !x.busy.val()) {
                    fail("a pulse during the block disturbed it");
                }
            }
            x.start.next = false;
            x.key_load.next = false;
            if !x.done.val() || from_bits128(x.data_out.val()) != ct128 || !x.key_ready.val() || x.busy.val() {
                fail("start/key_load during a block changed its result or timing");
            }
            // `key_load` and `start` at one edge: the key load wins; `start` during the
            // expansion is ignored; done and data_out stay.
            x.key.next = to_bits::<256>(&k256);
            x.key_len256.next = true;
            x.key_load.next = true;
            x.start.next = true;
            x.decrypt.next = true;
            x.data_in.next = to_bits::<128>(&ct256);
            edge!(sim, x);
            x.key_load.next = false;
            let mut n = 0;
            while !x.key_ready.val() && n < 100 {
                if !x.done.val() || from_bits128(x.data_out.val()) != ct128 {
                    fail("the key expansion disturbed done/data_out");
                }
                edge!(sim, x);
                n += 1;
            }
            x.start.next = false;
            if n != 13 {
                fail("AES-256 key load with start held: wrong cycle count");
            }
            let (cycles, out);
            (x, cycles, out) = run_block(sim, x, true, &ct256)?;
            if cycles != 14 || out != pt {
                fail("AES-256 decrypt after the key load");
            }
            // `clear` in the middle of a block: everything zero at that edge.
            x.data_in.next = to_bits::<128>(&pt);
            x.start.next = true;
            edge!(sim, x);
            x.start.next = false;
            for _ in 0..5 {
                edge!(sim, x);
            }
            x.clear.next = true;
            edge!(sim, x);
            x.clear.next = false;
            if !all_zero(&x) || x.busy.val() || x.done.val() || x.key_ready.val() || x.fault.val() {
                fail("clear during a block left state");
            }
            // And during a key expansion.
            x.key.next = to_bits::<256>(&k256);
            x.key_len256.next = true;
            x.key_load.next = true;
            edge!(sim, x);
            x.key_load.next = false;
            edge!(sim, x);
            x.clear.next = true;
            edge!(sim, x);
            x.clear.next = false;
            if !all_zero(&x) || x.busy.val() {
                fail("clear during a key expansion left state");
            }
            Ok(x)
        }
        let errors = simulate(fips_ops(), check);
        assert!(errors.is_empty(), "{errors:#?}");
    }

    /// Invert control flop `n` (0..14) in place, as a fault would.
    fn flip(x: &mut AesCore, n: usize) {
        let b = |f: &mut RDff<bool>| f.q.next = !f.q.val();
        match n {
            0 => b(&mut x.run),
            1 => b(&mut x.kexp),
            2 => b(&mut x.done_r),
            3 => b(&mut x.kready),
            4 => b(&mut x.dec_r),
            5 => b(&mut x.len_r),
            6..=9 => {
                let v = x.rnd.q.val();
                x.rnd.q.next = v ^ bits::<4>(1 << (n - 6));
            }
            _ => b(&mut x.chk[n - 10]),
        }
    }

    /// Every single flip of a control flop, in every kind of state, and every double flip in one,
    /// raises `fault`, hides the outputs in that cycle and zeroes the core at the next edge.
    #[test]
    fn aes_control_flips_are_detected() {
        fn check(sim: &mut Sim<AesCore>, mut x: Tb, errs: &Errors) -> Result<Tb, SimError> {
            let fips = fips_197();
            for state in 0..6 {
                for n in 0..14 {
                    let (len256, key, pt, _) = fips[state % 2];
                    let where_ = ["idle with a result", "encrypting", "decrypting"][state / 2];
                    // Get to the state.
                    let cycles;
                    (x, cycles) = load_key(sim, x, &key, len256)?;
                    if cycles != if len256 { 13 } else { 10 } {
                        errs.lock().unwrap().push(format!("flop {n}, {where_}: key load"));
                    }
                    match state / 2 {
                        0 => (x, _, _) = run_block(sim, x, false, &pt)?,
                        _ => {
                            x.data_in.next = to_bits::<128>(&pt);
                            x.decrypt.next = state / 2 == 2;
                            x.start.next = true;
                            edge!(sim, x);
                            x.start.next = false;
                            for _ in 0..(n % 9) {
                                edge!(sim, x);
                            }
                        }
                    }
                    flip(&mut x, n);
                    x = sim.wait(1, x)?;
                    let hidden = x.fault.val() && !x.done.val() && !x.key_ready.val() && x.data_out.val() == Bits::<128>::default();
                    edge!(sim, x);
                    if !hidden || x.fault.val() || !all_zero(&x) {
                        errs.lock().unwrap().push(format!("flop {n} flipped while {where_} (AES-{}): not detected and cleared", if len256 { 256 } else { 128 }));
                    }
                }
            }
            // Two flips at once (a distance-3 code detects them too), idle with a result.
            let (_, key, pt, _) = fips[0];
            for a in 0..14 {
                for b in a + 1..14 {
                    (x, _) = load_key(sim, x, &key, false)?;
                    (x, _, _) = run_block(sim, x, false, &pt)?;
                    flip(&mut x, a);
                    flip(&mut x, b);
                    x = sim.wait(1, x)?;
                    let hidden = x.fault.val() && !x.done.val() && x.data_out.val() == Bits::<128>::default();
                    edge!(sim, x);
                    if !hidden || !all_zero(&x) {
                        errs.lock().unwrap().push(format!("flops {a} and {b} flipped together: not detected and cleared"));
                    }
                }
            }
            // A flip during the key expansion too.
            for n in 0..14 {
                x.key_load.next = true;
                edge!(sim, x);
                x.key_load.next = false;
                edge!(sim, x);
                flip(&mut x, n);
                x = sim.wait(1, x)?;
                let seen = x.fault.val();
                edge!(sim, x);
                if !seen || !all_zero(&x) {
                    errs.lock().unwrap().push(format!("flop {n} flipped during the key expansion: not detected and cleared"));
                }
            }
            Ok(x)
        }
        let errors = simulate(Vec::new(), check);
        assert!(errors.is_empty(), "{errors:#?}");
    }

    // ------------------------------------------------------------------ generated Verilog

    /// The core alone as Verilog, modules named and guarded as `pluton gen` does (top `pluton_aes_core`).
    fn verilog() -> String {
        let mut uut = AesCore::default();
        uut.connect_inputs();
        uut.connect_all();
        let text = crate::gen::tidy_verilog(&generate_verilog(&uut), "pluton_aes_core");
        let body = crate::share::Library::default().share("pluton_aes_core", &text);
        format!("// pluton_aes_core: the AES cipher core alone (test build).\n// Reset: asynchronous, active-low `rst_n`; every flop is reset.\n\n{body}")
    }

    /// A fresh folder for this test's files (YoWASP tools see only their working folder).
    fn scratch(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pluton-aes-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Verilator `-Wall` and Yosys `hierarchy; proc; check -assert` find nothing; no `initial`,
    /// no flop without reset, no logic-driven reset (the project's lint, `pluton lint`).
    #[test]
    fn aes_verilog_lint_clean() {
        let dir = scratch("lint");
        let file = dir.join("pluton_aes_core.v");
        std::fs::write(&file, verilog()).unwrap();
        let report = pluton_toolchain::lint::lint_verilog(&file).unwrap_or_else(|e| panic!("lint: {e}"));
        assert!(report.clean(), "{report:#?}");
        assert!(report.flops_without_reset.is_empty(), "{report:#?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Drives `vectors.hex` (one 520-bit word per line: op, key, data, expected) into the core
    /// and checks results and cycle counts, as the rust-hdl testbench does.
    const VERILOG_TB: &str = r#"
`timescale 1ns/1ps
module tb;
    reg clock = 1'b0, rst_n = 1'b0;
    reg [255:0] key = 256'h0;
    reg key_len256 = 1'b0, key_load = 1'b0, start = 1'b0, decrypt = 1'b0, clear = 1'b0;
    reg [127:0] data_in = 128'h0;
    wire [127:0] data_out;
    wire busy, done, key_ready, fault;
    pluton_aes_core dut(.clock(clock), .rst_n(rst_n), .key(key), .key_len256(key_len256),
        .key_load(key_load), .start(start), .decrypt(decrypt), .data_in(data_in), .clear(clear),
        .data_out(data_out), .busy(busy), .done(done), .key_ready(key_ready), .fault(fault));
    always #5 clock = ~clock;
    // op (bits 519:512): 01 key AES-128, 02 key AES-256, 10 encrypt, 11 decrypt; then the key,
    // the data and the expected data_out.
    reg [519:0] vec [0:`NVEC-1];
    integer i, cycles, errors, nr, blocks;
    initial begin
        $readmemh("vectors.hex", vec);
        errors = 0; nr = 10; blocks = 0;
        repeat (2) @(posedge clock);
        #1 rst_n = 1'b1;
        for (i = 0; i < `NVEC; i = i + 1) begin
            if (vec[i][519:516] == 4'h0) begin
                key = vec[i][511:256]; key_len256 = vec[i][513]; key_load = 1'b1;
                nr = vec[i][513] ? 14 : 10;
                @(posedge clock); #1 key_load = 1'b0; key = 256'h0; cycles = 0;
                while (!key_ready && cycles < 100) begin
                    @(posedge clock); #1 cycles = cycles + 1;
                end
                if (cycles != (vec[i][513] ? 13 : 10) || busy || fault) begin
                    errors = errors + 1;
                    $display("FAIL vector %0d: key_ready after %0d cycles", i, cycles);
                end
            end else begin
                data_in = vec[i][255:128]; decrypt = vec[i][512]; start = 1'b1;
                @(posedge clock); #1 start = 1'b0; data_in = 128'h0; decrypt = 1'b0; cycles = 0;
                while (!done && cycles < 100) begin
                    if (!busy || data_out != 128'h0) begin
                        errors = errors + 1;
                        $display("FAIL vector %0d: busy low or data_out not 0 while running", i);
                    end
                    @(posedge clock); #1 cycles = cycles + 1;
                end
                blocks = blocks + 1;
                if (cycles != nr || data_out != vec[i][127:0] || busy || fault) begin
                    errors = errors + 1;
                    $display("FAIL vector %0d: %0d cycles, data_out %h, expected %h", i, cycles, data_out, vec[i][127:0]);
                end
            end
        end
        $display("AES-TB %0d blocks, %0d errors", blocks, errors);
        $finish;
    end
endmodule
"#;

    /// The generated Verilog, built and run by Verilator, against the reference: FIPS 197 and
    /// random keys and blocks, exact cycle counts. (The S-box ROMs are hand-written Verilog
    /// beside their Rust models, so this is where the two are checked against each other.)
    #[test]
    fn aes_verilog_matches_reference() {
        let mut rng = Rng(seed("aes_verilog_matches_reference"));
        let mut ops = fips_ops();
        ops.extend(random_ops(&mut rng, 200, 8));
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let lines: Vec<String> = ops
            .iter()
            .map(|op| match op {
                Op::Key { key, len256 } => format!("{:02x}{}{}", if *len256 { 2 } else { 1 }, hex(key), "0".repeat(64)),
                Op::Block { decrypt, data, expect } => format!("{:02x}{}{}{}", 0x10 + *decrypt as u8, "0".repeat(64), hex(data), hex(expect)),
            })
            .collect();
        let dir = scratch("sim");
        std::fs::write(dir.join("pluton_aes_core.v"), verilog()).unwrap();
        std::fs::write(dir.join("tb.sv"), VERILOG_TB).unwrap();
        std::fs::write(dir.join("vectors.hex"), lines.join("\n") + "\n").unwrap();
        let verilator = pluton_toolchain::verilator().unwrap_or_else(|e| panic!("verilator: {e}"));
        let out = verilator
            .command()
            .current_dir(&dir)
            // g++ before 13 needs coroutines switched on for `--timing` (implied by `--binary`).
            .args(["--binary", "-j", "2", "-CFLAGS", "-fcoroutines", "--top-module", "tb", "-o", "tb"])
            .arg(format!("+define+NVEC={}", lines.len()))
            .args(["tb.sv", "pluton_aes_core.v"])
            .output()
            .unwrap();
        assert!(out.status.success(), "verilator:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let run = std::process::Command::new(dir.join("obj_dir/tb")).current_dir(&dir).output().unwrap();
        let text = String::from_utf8_lossy(&run.stdout);
        let blocks = ops.iter().filter(|o| matches!(o, Op::Block { .. })).count();
        assert!(text.contains(&format!("AES-TB {blocks} blocks, 0 errors")), "{text}");
        println!("{}", text.lines().find(|l| l.starts_with("AES-TB")).unwrap_or_default());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
