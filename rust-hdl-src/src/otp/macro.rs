//! The fuse array: 64 x 40-bit one-time-programmable words and their bit-serial program engine.
//!
//! A fuse bit can only go 0 -> 1. The engine programs one bit slot every `PROG_CYCLES_PER_BIT`
//! cycles, bit 39 (DONE) last, so a program cut short by reset leaves DONE = 0. Every write is a
//! read-modify-write of the word read at the edge before: `wdata = rdata | (pattern & slot)`,
//! never in two consecutive cycles, so no write can clear a bit (proof (d)).

use super::fuse_array::FuseArray;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

use crate::common::block::c;

#[derive(LogicBlock)]
pub struct OtpMacro {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// Read address while the engine is idle; `rdata` is that word one edge later.
    pub rd_addr: Signal<In, Bits<6>>,
    /// Start programming `prog_raw` into word `prog_addr` (ignored while busy).
    pub start: Signal<In, bool>,
    pub prog_addr: Signal<In, Bits<6>>,
    pub prog_raw: Signal<In, Bits<40>>,
    pub rdata: Signal<Out, Bits<40>>,
    pub busy: Signal<Out, bool>,

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
    zero40: Constant<Bits<40>>,
    one40: Constant<Bits<40>>,
    zero2: Constant<Bits<2>>,
    one2: Constant<Bits<2>>,
    last_phase: Constant<Bits<2>>,
}

impl Default for OtpMacro {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            rd_addr: Default::default(),
            start: Default::default(),
            prog_addr: Default::default(),
            prog_raw: Default::default(),
            rdata: Default::default(),
            busy: Default::default(),
            fuse: Default::default(),
            busy_r: Default::default(),
            addr: Default::default(),
            pattern: Default::default(),
            slot: Default::default(),
            phase: Default::default(),
            zero40: c(0),
            one40: c(1),
            zero2: c(0),
            one2: c(1),
            last_phase: c(3),
        }
    }
}

impl Logic for OtpMacro {
    #[hdl_gen]
    fn update(&mut self) {
        self.fuse.clock.next = self.clock.val();
        self.fuse.rst_n.next = self.rst_n.val();
        self.busy_r.clock.next = self.clock.val();
        self.busy_r.rst_n.next = self.rst_n.val();
        self.busy_r.d.next = self.busy_r.q.val();
        self.addr.clock.next = self.clock.val();
        self.addr.rst_n.next = self.rst_n.val();
        self.addr.d.next = self.addr.q.val();
        self.pattern.clock.next = self.clock.val();
        self.pattern.rst_n.next = self.rst_n.val();
        self.pattern.d.next = self.pattern.q.val();
        self.slot.clock.next = self.clock.val();
        self.slot.rst_n.next = self.rst_n.val();
        self.slot.d.next = self.slot.q.val();
        self.phase.clock.next = self.clock.val();
        self.phase.rst_n.next = self.rst_n.val();
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
