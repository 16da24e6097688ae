//! GHASH (SP 800-38D 6.4) step: `acc = (acc ^ blk) · H` in GF(2^128), 16 multiplier bits per clock, 8 clocks.
//!
//! GCM numbers the bits of a block from the left: bit 0 is the top bit of byte 0, which here is
//! bit 127 of the 128-bit value. Multiplying by the field's generator α ("rightshift" in
//! SP 800-38D's algorithm 1) is then `v >> 1`, with `R = 0xE1 << 120` added when the bit shifted
//! out (bit 0 of the value) was 1.
//!
//! Digit-serial multiplication: `x = acc ^ blk` is taken at the `start` edge; each of the next 8
//! edges adds `x_j · V·α^j` for the next 16 bits `x_j` of `x` (from the left) into `acc`, and
//! advances `V` by α^16. `V` starts as `H`. So 16 partial products (AND-XOR) per clock instead of
//! 128: a quarter of the area of a one-clock multiplier, and 8 clocks fit inside the 11 an AES-128
//! block takes, so GCM's GHASH never waits for the cipher or the other way round.

use crate::common::prims::RDff;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// The GHASH accumulator and its multiplier.
    GhashUnit
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// The hash subkey H (held by the owner for the whole operation).
        h: Signal<In, Bits<128>>,
        /// Take `acc ^ blk` at this edge and multiply it by H over the next 8 edges. Ignored while `busy`.
        start: Signal<In, bool>,
        blk: Signal<In, Bits<128>>,
        /// Zero every flop at this edge (wins over `start`).
        clear: Signal<In, bool>,
        /// The accumulator: the GHASH of the blocks so far once `busy` is 0.
        acc: Signal<Out, Bits<128>>,
        busy: Signal<Out, bool>,
    }
    consts {
        zero3: 3 = 0,
        one3: 3 = 1,
        last3: 3 = 7,
        zero128: 128 = 0,
        k16: 8 = 16,
    }
    fields {
        /// The reduction constant R = 11100001 || 0^120.
        r: Constant<Bits<128>> = Constant::new((0xE1u128 << 120).to_bits()),
        /// The accumulator, the multiplier's remaining bits (next digit at the top), V·α^(16k).
        z: RDff<Bits<128>>,
        x: RDff<Bits<128>>,
        v: RDff<Bits<128>>,
        act: RDff<bool>,
        /// Digits done in this multiply.
        cnt: RDff<Bits<3>>,
        /// V·α^j, j = 0..=16, and the partial sums of the digit's products.
        va: [Signal<Local, Bits<128>>; 17],
        s: [Signal<Local, Bits<128>>; 17],
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    GhashUnit;
    hold [z, x, v, act, cnt]
    fn update(&mut self) {
        self.va[0].next = self.v.q.val();
        self.s[0].next = self.z.q.val();
        for j in 0..16 {
            self.va[j + 1].next = self.va[j].val() >> 1;
            if self.va[j].val().get_bit(0) {
                self.va[j + 1].next = (self.va[j].val() >> 1) ^ self.r.val();
            }
            self.s[j + 1].next = self.s[j].val();
            if self.x.q.val().get_bit(127 - j) {
                self.s[j + 1].next = self.s[j].val() ^ self.va[j].val();
            }
        }
        if self.clear.val() {
            self.z.d.next = self.zero128.val();
            self.x.d.next = self.zero128.val();
            self.v.d.next = self.zero128.val();
            self.act.d.next = false;
            self.cnt.d.next = self.zero3.val();
        } else if self.act.q.val() {
            self.z.d.next = self.s[16].val();
            self.x.d.next = self.x.q.val() << self.k16.val();
            self.v.d.next = self.va[16].val();
            self.cnt.d.next = self.cnt.q.val() + self.one3.val();
            if self.cnt.q.val() == self.last3.val() {
                // The last digit: x and V are spent; zero them so only acc holds a value.
                self.act.d.next = false;
                self.x.d.next = self.zero128.val();
                self.v.d.next = self.zero128.val();
                self.cnt.d.next = self.zero3.val();
            }
        } else if self.start.val() {
            self.x.d.next = self.z.q.val() ^ self.blk.val();
            self.z.d.next = self.zero128.val();
            self.v.d.next = self.h.val();
            self.act.d.next = true;
            self.cnt.d.next = self.zero3.val();
        }
        self.acc.next = self.z.q.val();
        self.busy.next = self.act.q.val();
    }
}
