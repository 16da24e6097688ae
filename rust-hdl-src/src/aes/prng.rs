//! Mask generator of the masked AES engine (`MaskPrng`): Trivium's keystream, 448 bits per clock, from a 256-bit seed.
//!
//! The masked core needs 160 fresh bits every clock and a 256-bit key mask or a 128-bit data
//! mask with its pulses; the DRBG gives 128 bits per 30 edges. So, as OpenTitan's AES does with
//! Bivium, a stream cipher stretches one DRBG seed per operation: Trivium (De Cannière and
//! Preneel, eSTREAM portfolio), 7 x 64 of its steps per clock.
//!
//! # State and steps
//!
//! Trivium's 288-bit state s1..s288 is held with s_k at bit 288 - k (so s1 is bit 287), which
//! makes "the tap s_k in steps 0..63" the 64 bits from 288 - k up: step i reads s_(k-i). Every
//! tap is s66 or later, so 64 steps depend only on the state before them (Trivium's designed
//! parallelism); `Trivium64` does them in one go and 7 of them in a row give 448 steps a clock.
//!
//! # Seeding
//!
//! `load` puts the seed in s1..s256 (seed bit 255 in s1) and ones in s257..s288. Trivium's 1,152
//! warm-up steps spread a structured key and IV over its state; this seed is full-entropy DRBG
//! output, so the state is uniformly random already and the keystream starts at once.
//!
//! # Ports
//!
//! `seed` (256), `load` (take the seed at this edge), `clear` (zero the state at this edge; wins
//! over `load`), `seeded` (out: holds a seed), `rnd` (out, 160) and `mask` (out, 256): the
//! keystream of the current state (`rnd` the first 160 bits, `mask` bits 192..447); the state
//! moves 448 steps at every edge while `seeded`, so each clock's bits are fresh.

use crate::common::prims::RDff;
use rust_hdl::prelude::*;

/// Positions in the state of s_k for a tap: bit 288 - k.
const fn tap(k: usize) -> u64 {
    (288 - k) as u64
}

crate::hdl_block! {
    /// 64 Trivium steps (combinational).
    Trivium64
    ports {
        s: Signal<In, Bits<288>>,
        s_next: Signal<Out, Bits<288>>,
        /// Keystream bits of steps 0..63 in bits 63:0 (step 0 in bit 0); 0 above.
        z: Signal<Out, Bits<288>>,
    }
    consts {
        t66: 9 = tap(66), t69: 9 = tap(69), t91: 9 = tap(91), t92: 9 = tap(92), t93: 9 = tap(93),
        t162: 9 = tap(162), t171: 9 = tap(171), t175: 9 = tap(175), t176: 9 = tap(176),
        t177: 9 = tap(177), t243: 9 = tap(243), t264: 9 = tap(264), t286: 9 = tap(286),
        t287: 9 = tap(287), t288: 9 = tap(288),
        k64: 9 = 64,
        // Where step i's new bit lands after the 64 steps: t3 at s_(64-i), t1 at s_(157-i),
        // t2 at s_(241-i), i.e. bits 224 + i, 131 + i, 47 + i.
        at_a: 9 = 224, at_b: 9 = 131, at_c: 9 = 47,
    }
    fields {
        ones64: Constant<Bits<288>> = Constant::new(bits::<288>(u64::MAX)),
        /// The bits that stay in their register, moved 64 places: s65..s93, s158..s177, s242..s288.
        keep: Constant<Bits<288>> = Constant::new(keep_mask()),
        t1: Signal<Local, Bits<288>>,
        t2: Signal<Local, Bits<288>>,
        t3: Signal<Local, Bits<288>>,
    }
}

fn keep_mask() -> Bits<288> {
    let mut m = Bits::<288>::default();
    for (lo, hi) in [(195, 223), (111, 130), (0, 46)] {
        for b in lo..=hi {
            m = m.replace_bit(b, true);
        }
    }
    m
}

crate::hdl_logic! {
    #[hdl_gen]
    Trivium64;
    fn update(&mut self) {
        // t1 = s66 + s93, t2 = s162 + s177, t3 = s243 + s288; z = t1 + t2 + t3.
        self.t1.next = ((self.s.val() >> self.t66.val()) ^ (self.s.val() >> self.t93.val())) & self.ones64.val();
        self.t2.next = ((self.s.val() >> self.t162.val()) ^ (self.s.val() >> self.t177.val())) & self.ones64.val();
        self.t3.next = ((self.s.val() >> self.t243.val()) ^ (self.s.val() >> self.t288.val())) & self.ones64.val();
        self.z.next = self.t1.val() ^ self.t2.val() ^ self.t3.val();
        // t1 += s91 s92 + s171, t2 += s175 s176 + s264, t3 += s286 s287 + s69.
        self.t1.next = self.t1.val() ^ (((self.s.val() >> self.t91.val()) & (self.s.val() >> self.t92.val())
            ^ (self.s.val() >> self.t171.val())) & self.ones64.val());
        self.t2.next = self.t2.val() ^ (((self.s.val() >> self.t175.val()) & (self.s.val() >> self.t176.val())
            ^ (self.s.val() >> self.t264.val())) & self.ones64.val());
        self.t3.next = self.t3.val() ^ (((self.s.val() >> self.t286.val()) & (self.s.val() >> self.t287.val())
            ^ (self.s.val() >> self.t69.val())) & self.ones64.val());
        self.s_next.next = ((self.s.val() >> self.k64.val()) & self.keep.val())
            | (self.t3.val() << self.at_a.val())
            | (self.t1.val() << self.at_b.val())
            | (self.t2.val() << self.at_c.val());
    }
}

/// Steps per clock, in 64-step blocks.
pub const STEPS64: usize = 7;

crate::hdl_block! {
    /// The mask generator; see the module's documentation.
    MaskPrng
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        seed: Signal<In, Bits<256>>,
        load: Signal<In, bool>,
        clear: Signal<In, bool>,
        seeded: Signal<Out, bool>,
        rnd: Signal<Out, Bits<160>>,
        mask: Signal<Out, Bits<256>>,
    }
    consts {
        k32: 9 = 32,
        k64: 9 = 64,
        k128: 9 = 128,
        k192: 9 = 192,
    }
    fields {
        ones32: Constant<Bits<288>> = Constant::new(bits::<288>(0xffff_ffff)),
        zero288: Constant<Bits<288>> = Constant::new(Bits::<288>::default()),
        seed_w: crate::common::prims::ZeroExt<256, 288>,
        step: [Trivium64; STEPS64],
        st: RDff<Bits<288>>,
        on: RDff<bool>,
        /// Steps 0..191 (`rnd` uses 0..159) and 192..447 (`mask`).
        zr: Signal<Local, Bits<288>>,
        zm: Signal<Local, Bits<288>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    MaskPrng;
    reset [st, on]
    hold [st, on]
    fn update(&mut self) {
        self.step[0].s.next = self.st.q.val();
        for j in 1..7 {
            self.step[j].s.next = self.step[j - 1].s_next.val();
        }
        self.zr.next = self.step[0].z.val() | (self.step[1].z.val() << self.k64.val()) | (self.step[2].z.val() << self.k128.val());
        self.zm.next = self.step[3].z.val() | (self.step[4].z.val() << self.k64.val()) | (self.step[5].z.val() << self.k128.val())
            | (self.step[6].z.val() << self.k192.val());
        self.rnd.next = self.zr.val().get_bits::<160>(0);
        self.mask.next = self.zm.val().get_bits::<256>(0);
        self.seeded.next = self.on.q.val();
        self.seed_w.a.next = self.seed.val();
        if self.on.q.val() {
            self.st.d.next = self.step[6].s_next.val();
        }
        if self.load.val() {
            self.st.d.next = (self.seed_w.y.val() << self.k32.val()) | self.ones32.val();
            self.on.d.next = true;
        }
        if self.clear.val() {
            self.st.d.next = self.zero288.val();
            self.on.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trivium as its specification writes it, one step at a time: s[k] is s_k (s[0] unused).
    struct TriviumRef {
        s: [bool; 289],
    }

    impl TriviumRef {
        fn from_seed(seed: &[u8; 32]) -> Self {
            let mut s = [false; 289];
            for k in 1..=256 {
                // Seed bit 255 (the top bit of byte 0) is s1.
                let bit = 256 - k;
                s[k] = seed[31 - bit / 8] >> (bit % 8) & 1 == 1;
            }
            for k in 257..=288 {
                s[k] = true;
            }
            TriviumRef { s }
        }
        fn step(&mut self) -> bool {
            let s = &mut self.s;
            let mut t1 = s[66] ^ s[93];
            let mut t2 = s[162] ^ s[177];
            let mut t3 = s[243] ^ s[288];
            let z = t1 ^ t2 ^ t3;
            t1 ^= (s[91] & s[92]) ^ s[171];
            t2 ^= (s[175] & s[176]) ^ s[264];
            t3 ^= (s[286] & s[287]) ^ s[69];
            s.copy_within(1..93, 2);
            s[1] = t3;
            s.copy_within(94..177, 95);
            s[94] = t1;
            s.copy_within(178..288, 179);
            s[178] = t2;
            z
        }
    }

    fn bytes_to_bits<const N: usize>(b: &[u8]) -> Bits<N> {
        // b[0] is the most significant byte.
        let mut v = Bits::<N>::default();
        for (i, byte) in b.iter().enumerate() {
            for j in 0..8 {
                if byte >> j & 1 == 1 {
                    v = v.replace_bit(8 * (b.len() - 1 - i) + j, true);
                }
            }
        }
        v
    }

    /// The block in rust-hdl's simulator against the bit-serial reference: per seed (one all
    /// zero), load it, then three clocks of 448 bits each; then `clear` (with `load`) zeroes
    /// the state and `seeded`.
    #[test]
    fn prng_matches_bit_serial_trivium() {
        use crate::gen::TopBlock;
        use std::sync::{Arc, Mutex};
        type Tb = Box<MaskPrng>;
        let errors = Arc::new(Mutex::new(Vec::<String>::new()));
        let errs = errors.clone();
        let mut uut = MaskPrng::default();
        uut.connect_inputs();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Tb| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<MaskPrng>| {
            let mut x = sim.init()?;
            let fail = |m: String| errs.lock().unwrap().push(m);
            let mut rng = 0x1234_5678_9abc_def0u64;
            x.rst_n.next = false;
            wait_clock_cycle!(sim, clock, x);
            x.rst_n.next = true;
            wait_clock_cycle!(sim, clock, x);
            if x.seeded.val() {
                fail("seeded before a load".into());
            }
            for trial in 0..4 {
                let mut seed = [0u8; 32];
                if trial > 0 {
                    for b in seed.iter_mut() {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        *b = rng as u8;
                    }
                }
                let mut reference = TriviumRef::from_seed(&seed);
                x.seed.next = bytes_to_bits::<256>(&seed);
                x.load.next = true;
                wait_clock_cycle!(sim, clock, x);
                x.load.next = false;
                if !x.seeded.val() {
                    fail(format!("trial {trial}: not seeded after the load"));
                }
                for cycle in 0..3 {
                    let want: Vec<bool> = (0..448).map(|_| reference.step()).collect();
                    let rnd_bad = (0..160).filter(|&i| x.rnd.val().get_bit(i) != want[i]).count();
                    let mask_bad = (0..256).filter(|&i| x.mask.val().get_bit(i) != want[192 + i]).count();
                    if rnd_bad + mask_bad > 0 {
                        fail(format!("trial {trial} cycle {cycle}: {rnd_bad} rnd bits and {mask_bad} mask bits differ"));
                    }
                    wait_clock_cycle!(sim, clock, x);
                }
                x.clear.next = true;
                x.load.next = true;
                wait_clock_cycle!(sim, clock, x);
                x.clear.next = false;
                x.load.next = false;
                if x.seeded.val() || x.st.q.val() != Bits::<288>::default() {
                    fail(format!("trial {trial}: clear (with load) left the state or seeded"));
                }
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
        let errors = errors.lock().unwrap();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
    }
}
