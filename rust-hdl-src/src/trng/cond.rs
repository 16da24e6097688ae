//! The TRNG's conditioner: good raw bits into two SHA-256 hashes per 384-bit seed, on its own SHA-256 compression core.

use crate::common::prims::{PackWords8, RDff, ZeroExt};
use crate::sha256::core::Sha256Core;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// README "Conditioner": 512-bit block buffer, two data blocks and a padding block per hash,
    /// hash A into the seed's high 256 bits, hash B's first 128 bits into its low bits.
    Conditioner
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// The state is RUN without RAW_MODE: the conditioner may take bits.
        run: Signal<In, bool>,
        /// A good bit is offered in this cycle.
        good: Signal<In, bool>,
        raw_bit: Signal<In, bool>,
        /// Wipe at this edge: buffer, progress and seed to 0, the core's block abandoned, then the
        /// core hashes one zero block from the IV.
        wipe: Signal<In, bool>,
        seed_ready: Signal<In, bool>,
        /// The seed while `seed_valid`, else 0.
        seed: Signal<Out, Bits<384>>,
        seed_valid: Signal<Out, bool>,
        /// The DRBG takes the seed at this edge.
        taken: Signal<Out, bool>,
        /// The core's control state failed its check.
        fault: Signal<Out, bool>,
    }
    consts {
        zero2: 2 = 0,
        one2: 2 = 1,
        pad_phase: 2 = 2,
        zero5: 5 = 0,
        one5: 5 = 1,
        sixteen5: 5 = 16,
        last9: 9 = 511,
        zero9: 9 = 0,
        one9: 9 = 1,
        one10: 10 = 1,
        thirty_two10: 10 = 32,
        // The padding block of a 1,024-bit message: word 0 is the 1 bit, word 15 the length.
        pad_first: 32 = 0x8000_0000,
        pad_len: 32 = 1024,
        zero128: 128 = 0,
        zero256: 256 = 0,
        k128: 10 = 128,
        zero384: 384 = 0,
        zero512: 512 = 0,
        one512: 512 = 1,
    }
    fields {
        core: Sha256Core,
        /// The block being collected; the first bit taken ends up in bit 511 (SHA-256 bit order).
        cbuf: RDff<Bits<512>>,
        /// Bits in `cbuf`, 0..=511 (the 512th dispatches the block).
        fill: RDff<Bits<9>>,
        /// 0: collecting the hash's first block, 1: its second, 2: its padding block.
        blk: RDff<Bits<2>>,
        /// The padding block has been dispatched.
        pad_sent: RDff<bool>,
        /// The hash in progress is B (the second of the seed).
        hsel: RDff<bool>,
        /// Words still to stream into the core after a dispatch (16..1).
        strm: RDff<Bits<5>>,
        /// Hash A's digest (the seed's bits 383:128) and hash B's first 128 bits (127:0).
        seed_a: RDff<Bits<256>>,
        seed_b: RDff<Bits<128>>,
        /// The digest, packed: h0 in bits 255:224.
        pack: PackWords8,
        ext_a: ZeroExt<256, 384>,
        ext_b: ZeroExt<128, 384>,
        sv: RDff<bool>,
        /// A wipe has happened and its zero block is not yet dispatched.
        wipe_pend: RDff<bool>,
        /// The conditioner takes a good bit in this cycle.
        open: Signal<Local, bool>,
        take: Signal<Local, bool>,
        bit512: Signal<Local, Bits<512>>,
        /// The padding block is dispatched or done.
        in_pad: Signal<Local, bool>,
        capture: Signal<Local, bool>,
        pad_start: Signal<Local, bool>,
        wipe_start: Signal<Local, bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Conditioner;
    reset [core]
    hold [cbuf, fill, blk, pad_sent, hsel, strm, seed_a, seed_b, sv, wipe_pend]
    fn update(&mut self) {
        self.open.next = self.run.val() & !self.sv.q.val() & !self.core.busy.val()
            & (self.blk.q.val() != self.pad_phase.val()) & !self.wipe_pend.q.val();
        self.take.next = self.good.val() & self.open.val();
        self.in_pad.next = (self.blk.q.val() == self.pad_phase.val()) & self.pad_sent.q.val();
        self.pad_start.next = (self.blk.q.val() == self.pad_phase.val()) & !self.pad_sent.q.val() & !self.core.busy.val();
        self.capture.next = self.in_pad.val() & !self.core.busy.val();
        self.wipe_start.next = self.wipe_pend.q.val() & !self.core.busy.val();
        self.bit512.next = self.zero512.val();
        if self.raw_bit.val() {
            self.bit512.next = self.one512.val();
        }
        self.pack.w7.next = self.core.h[0].val();
        self.pack.w6.next = self.core.h[1].val();
        self.pack.w5.next = self.core.h[2].val();
        self.pack.w4.next = self.core.h[3].val();
        self.pack.w3.next = self.core.h[4].val();
        self.pack.w2.next = self.core.h[5].val();
        self.pack.w1.next = self.core.h[6].val();
        self.pack.w0.next = self.core.h[7].val();

        // The core: word t of a block streams in the t-th cycle after its dispatch edge, from the
        // top of the buffer (which then shifts up a word), or the padding words.
        self.core.word_in.next = self.cbuf.q.val().get_bits::<32>(480);
        if self.in_pad.val() {
            if self.strm.q.val() == self.sixteen5.val() {
                self.core.word_in.next = self.pad_first.val();
            } else if self.strm.q.val() == self.one5.val() {
                self.core.word_in.next = self.pad_len.val();
            }
        }
        self.core.start.next = false;
        self.core.from_iv.next = false;
        self.core.cancel.next = false;
        if self.strm.q.val() != self.zero5.val() {
            self.cbuf.d.next = self.cbuf.q.val() << self.thirty_two10.val();
            self.strm.d.next = self.strm.q.val() - self.one5.val();
        }

        if self.take.val() {
            self.cbuf.d.next = (self.cbuf.q.val() << self.one10.val()) | self.bit512.val();
            self.fill.d.next = self.fill.q.val() + self.one9.val();
            if self.fill.q.val() == self.last9.val() {
                self.core.start.next = true;
                self.core.from_iv.next = self.blk.q.val() == self.zero2.val();
                self.strm.d.next = self.sixteen5.val();
                self.blk.d.next = self.blk.q.val() + self.one2.val();
            }
        } else if self.pad_start.val() {
            self.core.start.next = true;
            self.pad_sent.d.next = true;
            self.strm.d.next = self.sixteen5.val();
        } else if self.capture.val() {
            if self.hsel.q.val() {
                self.seed_b.d.next = self.pack.y.val().get_bits::<128>(128);
                self.sv.d.next = true;
                // The core still holds digest B (and its working state): hash a zero block over
                // it, so the seed leaves no copy behind.
                self.wipe_pend.d.next = true;
            } else {
                self.seed_a.d.next = self.pack.y.val();
            }
            self.blk.d.next = self.zero2.val();
            self.pad_sent.d.next = false;
            self.hsel.d.next = !self.hsel.q.val();
        } else if self.wipe_start.val() {
            // The zero block from the IV: the buffer is 0 after a wipe.
            self.core.start.next = true;
            self.core.from_iv.next = true;
            self.strm.d.next = self.sixteen5.val();
            self.wipe_pend.d.next = false;
        }

        self.taken.next = self.sv.q.val() & self.seed_ready.val();
        if self.taken.val() {
            self.seed_a.d.next = self.zero256.val();
            self.seed_b.d.next = self.zero128.val();
            self.sv.d.next = false;
        }

        if self.wipe.val() {
            self.core.start.next = false;
            self.core.cancel.next = true;
            self.cbuf.d.next = self.zero512.val();
            self.fill.d.next = self.zero9.val();
            self.blk.d.next = self.zero2.val();
            self.pad_sent.d.next = false;
            self.hsel.d.next = false;
            self.strm.d.next = self.zero5.val();
            self.seed_a.d.next = self.zero256.val();
            self.seed_b.d.next = self.zero128.val();
            self.sv.d.next = false;
            self.wipe_pend.d.next = true;
        }

        self.ext_a.a.next = self.seed_a.q.val();
        self.ext_b.a.next = self.seed_b.q.val();
        self.seed.next = self.zero384.val();
        if self.sv.q.val() {
            self.seed.next = (self.ext_a.y.val() << self.k128.val()) | self.ext_b.y.val();
        }
        self.seed_valid.next = self.sv.q.val();
        self.fault.next = self.core.fault.val();
    }
}
