//! Stand-in for `M0Scs` (same ports, all outputs zero flops) until `scs.rs` exists.

use crate::common::prims::RDff;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct M0Scs {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub irq: Signal<In, Bits<32>>,
    pub nmi: Signal<In, bool>,
    pub sel: Signal<In, bool>,
    pub write: Signal<In, bool>,
    pub addr: Signal<In, Bits<12>>,
    pub wdata: Signal<In, Bits<32>>,
    pub rdata: Signal<Out, Bits<32>>,
    pub primask: Signal<In, bool>,
    pub ipsr: Signal<In, Bits<6>>,
    pub take: Signal<Out, bool>,
    pub take_num: Signal<Out, Bits<6>>,
    pub wake: Signal<Out, bool>,
    pub exec_neg: Signal<Out, bool>,
    pub svc_ok: Signal<Out, bool>,
    pub ack: Signal<In, bool>,
    pub ack_num: Signal<In, Bits<6>>,
    pub ret: Signal<In, bool>,
    pub ret_num: Signal<In, Bits<6>>,
    pub pend_svc: Signal<In, bool>,
    pub sevonpend_ev: Signal<Out, bool>,
    pub sleepdeep: Signal<Out, bool>,
    pub sysresetreq: Signal<Out, bool>,
    r: RDff<Bits<32>>,
}

impl Logic for M0Scs {
    #[hdl_gen]
    fn update(&mut self) {
        self.r.clock.next = self.clock.val();
        self.r.rst_n.next = self.rst_n.val();
        self.r.d.next = self.r.q.val() & 0x0200;
        if self.sel.val() & self.write.val() & self.nmi.val() & self.primask.val() & self.ack.val() & self.ret.val() & self.pend_svc.val() {
            self.r.d.next = self.irq.val() ^ self.wdata.val();
        }
        if self.sel.val() & (self.addr.val().get_bits::<6>(6) == self.ipsr.val()) & (self.ack_num.val() == self.ret_num.val()) {
            self.r.d.next = self.r.q.val() | 0x0200;
        }
        if self.sel.val() & (self.addr.val().get_bits::<6>(0) == self.ipsr.val()) & !self.write.val() {
            self.r.d.next = self.r.q.val() | 0x0200;
        }
        self.rdata.next = self.r.q.val();
        self.take.next = self.r.q.val().get_bit(0);
        self.take_num.next = self.r.q.val().get_bits::<6>(1);
        self.wake.next = self.r.q.val().get_bit(0);
        self.exec_neg.next = self.r.q.val().get_bit(8);
        self.svc_ok.next = self.r.q.val().get_bit(9);
        self.sevonpend_ev.next = self.r.q.val().get_bit(10);
        self.sleepdeep.next = self.r.q.val().get_bit(11);
        self.sysresetreq.next = self.r.q.val().get_bit(12);
    }
}
