//! SHA-256 compression core: one round per clock, 64 rounds plus one digest-update cycle per block.

use crate::common::prims::{CheckCode3, RDff};
use rust_hdl::prelude::*;

/// FIPS 180-4 round constants.
pub const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// FIPS 180-4 initial hash value.
pub const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

crate::hdl_block! {
    /// Compression core. A pulse on `start` dispatches a block, whose words the core then reads on
    /// `word_in` one per round: word t in the cycle before edge `dispatch + 1 + t`, for t in 0..16.
    /// `done` is high in the cycle whose rising edge adds the working state into `h` (65 edges after
    /// dispatch).
    Sha256Core
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// Dispatch a block at this edge (ignored while busy).
        start: Signal<In, bool>,
        /// With `start`: begin from the IV (first block of a hash) instead of `h`. `h` itself keeps
        /// its value until the block finishes (so an HMAC inner digest stays readable during the
        /// opad block), and the block's result is then added to the IV.
        from_iv: Signal<In, bool>,
        /// Drop the block in flight.
        cancel: Signal<In, bool>,
        /// Message word `t` of the block during round `t < 16` (big-endian, as FIPS 180-4 reads it).
        word_in: Signal<In, Bits<32>>,
        /// The chaining value / digest.
        h: [Signal<Out, Bits<32>>; 8],
        busy: Signal<Out, bool>,
        done: Signal<Out, bool>,
        /// The control state (`busy_r`, `adding`, `ctl_chk`) is not a valid code.
        fault: Signal<Out, bool>,
    }
    consts {
        round_one: 6 = 1,
        round_last: 6 = 63,
        round_zero: 6 = 0,
        zero2: 2 = 0,
    }
    fields {
        // Working variables a..h, the message schedule window W[t-16..t-1], the digest state.
        st: [RDff<Bits<32>>; 8],
        w: [RDff<Bits<32>>; 16],
        hs: [RDff<Bits<32>>; 8],
        /// Round number t, 0..=63.
        round: RDff<Bits<6>>,
        busy_r: RDff<bool>,
        adding: RDff<bool>,
        /// The block in flight started from the IV.
        from_iv_r: RDff<bool>,
        /// With `busy_r` and `adding`, a 5-bit code at Hamming distance 3 or more: idle 00/000,
        /// rounds 10/011, adding 11/101 (README "Countermeasures").
        ctl_chk: RDff<Bits<3>>,
        /// The control state's check code (rounds 011, adding 101): expected, and to store.
        ctl_want: CheckCode3,
        ctl_next: CheckCode3,
        /// K[t], read through a 64-way `case` so synthesis builds a ROM, not a shifter.
        k: [Constant<Bits<32>>; 64] = K.map(|x| Constant::new(bits::<32>(x as u64))),
        iv: [Constant<Bits<32>>; 8] = IV.map(|x| Constant::new(bits::<32>(x as u64))),
        streaming: Signal<Local, bool>,
        wt: Signal<Local, Bits<32>>,
        kt: Signal<Local, Bits<32>>,
        big_sigma0: Signal<Local, Bits<32>>,
        big_sigma1: Signal<Local, Bits<32>>,
        ch: Signal<Local, Bits<32>>,
        maj: Signal<Local, Bits<32>>,
        t1: Signal<Local, Bits<32>>,
        t2: Signal<Local, Bits<32>>,
        small_sigma0: Signal<Local, Bits<32>>,
        small_sigma1: Signal<Local, Bits<32>>,
        w_next: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Sha256Core;
    hold [round, busy_r, from_iv_r, adding, ctl_chk]
    fn update(&mut self) {
        // Flop arrays: clock, reset, hold (`hdl_logic!` wires the single flops).
        for i in 0..8 {
            self.st[i].clock.next = self.clock.val();
            self.st[i].rst_n.next = self.rst_n.val();
            self.st[i].d.next = self.st[i].q.val();
            self.hs[i].clock.next = self.clock.val();
            self.hs[i].rst_n.next = self.rst_n.val();
            self.hs[i].d.next = self.hs[i].q.val();
            self.h[i].next = self.hs[i].q.val();
        }
        for i in 0..16 {
            self.w[i].clock.next = self.clock.val();
            self.w[i].rst_n.next = self.rst_n.val();
            self.w[i].d.next = self.w[i].q.val();
        }

        // Round function (FIPS 180-4 section 6.2.2), st[0..8] = a..h.
        // Rounds 0..15 take the message word from outside; later rounds extend the schedule.
        self.streaming.next = self.busy_r.q.val() & !self.adding.q.val() & (self.round.q.val().get_bits::<2>(4) == self.zero2.val());
        match self.round.q.val().index() {
            0 => self.kt.next = self.k[0].val(),
            1 => self.kt.next = self.k[1].val(),
            2 => self.kt.next = self.k[2].val(),
            3 => self.kt.next = self.k[3].val(),
            4 => self.kt.next = self.k[4].val(),
            5 => self.kt.next = self.k[5].val(),
            6 => self.kt.next = self.k[6].val(),
            7 => self.kt.next = self.k[7].val(),
            8 => self.kt.next = self.k[8].val(),
            9 => self.kt.next = self.k[9].val(),
            10 => self.kt.next = self.k[10].val(),
            11 => self.kt.next = self.k[11].val(),
            12 => self.kt.next = self.k[12].val(),
            13 => self.kt.next = self.k[13].val(),
            14 => self.kt.next = self.k[14].val(),
            15 => self.kt.next = self.k[15].val(),
            16 => self.kt.next = self.k[16].val(),
            17 => self.kt.next = self.k[17].val(),
            18 => self.kt.next = self.k[18].val(),
            19 => self.kt.next = self.k[19].val(),
            20 => self.kt.next = self.k[20].val(),
            21 => self.kt.next = self.k[21].val(),
            22 => self.kt.next = self.k[22].val(),
            23 => self.kt.next = self.k[23].val(),
            24 => self.kt.next = self.k[24].val(),
            25 => self.kt.next = self.k[25].val(),
            26 => self.kt.next = self.k[26].val(),
            27 => self.kt.next = self.k[27].val(),
            28 => self.kt.next = self.k[28].val(),
            29 => self.kt.next = self.k[29].val(),
            30 => self.kt.next = self.k[30].val(),
            31 => self.kt.next = self.k[31].val(),
            32 => self.kt.next = self.k[32].val(),
            33 => self.kt.next = self.k[33].val(),
            34 => self.kt.next = self.k[34].val(),
            35 => self.kt.next = self.k[35].val(),
            36 => self.kt.next = self.k[36].val(),
            37 => self.kt.next = self.k[37].val(),
            38 => self.kt.next = self.k[38].val(),
            39 => self.kt.next = self.k[39].val(),
            40 => self.kt.next = self.k[40].val(),
            41 => self.kt.next = self.k[41].val(),
            42 => self.kt.next = self.k[42].val(),
            43 => self.kt.next = self.k[43].val(),
            44 => self.kt.next = self.k[44].val(),
            45 => self.kt.next = self.k[45].val(),
            46 => self.kt.next = self.k[46].val(),
            47 => self.kt.next = self.k[47].val(),
            48 => self.kt.next = self.k[48].val(),
            49 => self.kt.next = self.k[49].val(),
            50 => self.kt.next = self.k[50].val(),
            51 => self.kt.next = self.k[51].val(),
            52 => self.kt.next = self.k[52].val(),
            53 => self.kt.next = self.k[53].val(),
            54 => self.kt.next = self.k[54].val(),
            55 => self.kt.next = self.k[55].val(),
            56 => self.kt.next = self.k[56].val(),
            57 => self.kt.next = self.k[57].val(),
            58 => self.kt.next = self.k[58].val(),
            59 => self.kt.next = self.k[59].val(),
            60 => self.kt.next = self.k[60].val(),
            61 => self.kt.next = self.k[61].val(),
            62 => self.kt.next = self.k[62].val(),
            63 => self.kt.next = self.k[63].val(),
            _ => self.kt.next = self.k[0].val(),
        }
        self.big_sigma0.next = ((self.st[0].q.val() >> 2) | (self.st[0].q.val() << 30))
            ^ ((self.st[0].q.val() >> 13) | (self.st[0].q.val() << 19))
            ^ ((self.st[0].q.val() >> 22) | (self.st[0].q.val() << 10));
        self.big_sigma1.next = ((self.st[4].q.val() >> 6) | (self.st[4].q.val() << 26))
            ^ ((self.st[4].q.val() >> 11) | (self.st[4].q.val() << 21))
            ^ ((self.st[4].q.val() >> 25) | (self.st[4].q.val() << 7));
        self.ch.next = (self.st[4].q.val() & self.st[5].q.val()) ^ (!self.st[4].q.val() & self.st[6].q.val());
        self.maj.next = (self.st[0].q.val() & self.st[1].q.val())
            ^ (self.st[0].q.val() & self.st[2].q.val())
            ^ (self.st[1].q.val() & self.st[2].q.val());
        // Message schedule: W[t] from the window W[t-16..t-1].
        self.small_sigma0.next = ((self.w[1].q.val() >> 7) | (self.w[1].q.val() << 25))
            ^ ((self.w[1].q.val() >> 18) | (self.w[1].q.val() << 14))
            ^ (self.w[1].q.val() >> 3);
        self.small_sigma1.next = ((self.w[14].q.val() >> 17) | (self.w[14].q.val() << 15))
            ^ ((self.w[14].q.val() >> 19) | (self.w[14].q.val() << 13))
            ^ (self.w[14].q.val() >> 10);
        self.w_next.next = self.small_sigma1.val() + self.w[9].q.val() + self.small_sigma0.val() + self.w[0].q.val();
        self.wt.next = self.w_next.val();
        if self.streaming.val() {
            self.wt.next = self.word_in.val();
        }
        self.t1.next = self.st[7].q.val() + self.big_sigma1.val() + self.ch.val() + self.kt.val() + self.wt.val();
        self.t2.next = self.big_sigma0.val() + self.maj.val();

        self.busy.next = self.busy_r.q.val();
        self.done.next = self.busy_r.q.val() & self.adding.q.val();

        if self.cancel.val() {
            self.busy_r.d.next = false;
            self.adding.d.next = false;
        } else if self.start.val() & !self.busy_r.q.val() {
            self.from_iv_r.d.next = self.from_iv.val();
            if self.from_iv.val() {
                for i in 0..8 {
                    self.st[i].d.next = self.iv[i].val();
                }
            } else {
                for i in 0..8 {
                    self.st[i].d.next = self.hs[i].q.val();
                }
            }
            self.round.d.next = self.round_zero.val();
            self.busy_r.d.next = true;
            self.adding.d.next = false;
        } else if self.busy_r.q.val() {
            if self.adding.q.val() {
                for i in 0..8 {
                    if self.from_iv_r.q.val() {
                        self.hs[i].d.next = self.iv[i].val() + self.st[i].q.val();
                    } else {
                        self.hs[i].d.next = self.hs[i].q.val() + self.st[i].q.val();
                    }
                }
                self.busy_r.d.next = false;
                self.adding.d.next = false;
            } else {
                self.st[7].d.next = self.st[6].q.val();
                self.st[6].d.next = self.st[5].q.val();
                self.st[5].d.next = self.st[4].q.val();
                self.st[4].d.next = self.st[3].q.val() + self.t1.val();
                self.st[3].d.next = self.st[2].q.val();
                self.st[2].d.next = self.st[1].q.val();
                self.st[1].d.next = self.st[0].q.val();
                self.st[0].d.next = self.t1.val() + self.t2.val();
                for i in 0..15 {
                    self.w[i].d.next = self.w[i + 1].q.val();
                }
                self.w[15].d.next = self.wt.val();
                self.round.d.next = self.round.q.val() + self.round_one.val();
                if self.round.q.val() == self.round_last.val() {
                    self.adding.d.next = true;
                }
            }
        }

        // ---- Control-state check: the code that goes with the next busy_r/adding is stored
        // beside them; a flip of any one of the five flops leaves no valid code.
        self.ctl_next.s011.next = self.busy_r.d.val();
        self.ctl_next.s101.next = self.busy_r.d.val() & self.adding.d.val();
        self.ctl_next.s110.next = false;
        self.ctl_chk.d.next = self.ctl_next.code.val();
        self.ctl_want.s011.next = self.busy_r.q.val();
        self.ctl_want.s101.next = self.busy_r.q.val() & self.adding.q.val();
        self.ctl_want.s110.next = false;
        self.fault.next = (self.adding.q.val() & !self.busy_r.q.val()) | (self.ctl_chk.q.val() != self.ctl_want.code.val());
    }
}
