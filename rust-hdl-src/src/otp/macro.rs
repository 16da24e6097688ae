//! The fuse array: 64 x 40-bit one-time-programmable words and their bit-serial program engine.
//!
//! A fuse bit can only go 0 -> 1. The engine programs one bit slot every `PROG_CYCLES_PER_BIT`
//! cycles, bit 39 (DONE) last, so a program cut short by reset leaves DONE = 0. Every write is a
//! read-modify-write of the word read at the edge before: `wdata = rdata | (pattern & slot)`,
//! never in two consecutive cycles, so no write can clear a bit (proof (d)).

use super::fuse_array::FuseArray;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;


crate::hdl_block! {
    OtpMacro
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// Read address while the engine is idle; `rdata` is that word one edge later.
        rd_addr: Signal<In, Bits<6>>,
        /// Start programming `prog_raw` into word `prog_addr` (ignored while busy).
        start: Signal<In, bool>,
        prog_addr: Signal<In, Bits<6>>,
        prog_raw: Signal<In, Bits<40>>,
        rdata: Signal<Out, Bits<40>>,
        busy: Signal<Out, bool>,
    }
    consts {
        zero40: 40 = 0,
        one40: 40 = 1,
        zero2: 2 = 0,
        one2: 2 = 1,
        last_phase: 2 = 3,
    }
    fields {
        /// The fuse macro (`pluton_fuse_array`, outside the generated RTL).
        fuse: FuseArray,
        busy_r: RDff<bool>,
        addr: RDff<Bits<6>>,
        /// Bits still to be ORed in; cleared at the end so no secret lingers here.
        pattern: RDff<Bits<40>>,
        /// One-hot: the bit of the current slot.
        slot: RDff<Bits<40>>,
        /// Cycle within the slot; the write happens in cycle 3.
        phase: RDff<Bits<2>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    OtpMacro;
    reset [fuse, phase]
    hold [busy_r, addr, pattern, slot]
    fn update(&mut self) {
        self.phase.d.next = self.zero2.val();

        // While programming, the engine reads its own word every cycle.
        self.fuse.raddr.next = self.rd_addr.val();
        if self.busy_r.q.val() {
            self.fuse.raddr.next = self.addr.q.val();
        }
        self.fuse.waddr.next = self.addr.q.val();
        self.fuse.wdata.next = self.fuse.rdata.val() | (self.pattern.q.val() & self.slot.q.val());
        self.fuse.we.next = self.busy_r.q.val() & (self.phase.q.val() == self.last_phase.val());

        if self.busy_r.q.val() {
            self.phase.d.next = self.phase.q.val() + self.one2.val();
            if self.phase.q.val() == self.last_phase.val() {
                self.slot.d.next = self.slot.q.val() << 1;
                if self.slot.q.val().get_bit(39) {
                    self.busy_r.d.next = false;
                    self.pattern.d.next = self.zero40.val();
                    self.slot.d.next = self.zero40.val();
                }
            }
        } else if self.start.val() {
            self.busy_r.d.next = true;
            self.addr.d.next = self.prog_addr.val();
            self.pattern.d.next = self.prog_raw.val();
            self.slot.d.next = self.one40.val();
        }

        self.rdata.next = self.fuse.rdata.val();
        self.busy.next = self.busy_r.q.val();
    }
}
