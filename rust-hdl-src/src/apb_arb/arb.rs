//! APB arbiter top (`pluton_apb_arb`): round-robin between two APB4 requesters, one transfer at a time at the completer.

use super::regs;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// Two APB4 requester ports (`s0_*`, `s1_*`) onto one completer port (`m_*`); see the README.
    ApbArb
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        s0_psel: Signal<In, bool>,
        s0_penable: Signal<In, bool>,
        s0_pwrite: Signal<In, bool>,
        s0_paddr: Signal<In, Bits<16>>,
        s0_pwdata: Signal<In, Bits<32>>,
        s0_pstrb: Signal<In, Bits<4>>,
        s0_pmaster: Signal<In, Bits<4>>,
        s1_psel: Signal<In, bool>,
        s1_penable: Signal<In, bool>,
        s1_pwrite: Signal<In, bool>,
        s1_paddr: Signal<In, Bits<16>>,
        s1_pwdata: Signal<In, Bits<32>>,
        s1_pstrb: Signal<In, Bits<4>>,
        s1_pmaster: Signal<In, Bits<4>>,
        m_prdata: Signal<In, Bits<32>>,
        m_pready: Signal<In, bool>,
        m_pslverr: Signal<In, bool>,
        s0_prdata: Signal<Out, Bits<32>>,
        s0_pready: Signal<Out, bool>,
        s0_pslverr: Signal<Out, bool>,
        s1_prdata: Signal<Out, Bits<32>>,
        s1_pready: Signal<Out, bool>,
        s1_pslverr: Signal<Out, bool>,
        m_psel: Signal<Out, bool>,
        m_penable: Signal<Out, bool>,
        m_pwrite: Signal<Out, bool>,
        m_paddr: Signal<Out, Bits<16>>,
        m_pwdata: Signal<Out, Bits<32>>,
        m_pstrb: Signal<Out, Bits<4>>,
        m_pmaster: Signal<Out, Bits<4>>,
    }
    consts {
        zero4: 4 = 0,
        zero16: 16 = 0,
        zero32: 32 = 0,
        first_tie_is_1: 1 = regs::FIRST_TIE as u64,
    }
    fields {
        /// The completer is in ACCESS for `owner` (it saw SETUP last cycle or earlier).
        busy: RDff<bool>,
        /// Port in ACCESS: false = s0, true = s1.
        owner: RDff<bool>,
        /// Who wins the next tie, XOR FIRST_TIE (so the flop resets to 0).
        turn: RDff<bool>,
        // ---- Forward path: from requester signals and flops only, never from m_pready.
        tie1: Signal<Local, bool>,
        pick: Signal<Local, bool>,
        grant: Signal<Local, bool>,
        fwd: Signal<Local, bool>,
        // ---- Return path: flops select, the completer's answer passes.
        sel0: Signal<Local, bool>,
        sel1: Signal<Local, bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    ApbArb;
    hold [busy, owner, turn]
    fn update(&mut self) {
        // ---- Arbitration (idle only): the lone requester, or on a tie the port whose turn it is.
        self.tie1.next = self.turn.q.val() ^ self.first_tie_is_1.val().get_bit(0);
        self.pick.next = self.s1_psel.val();
        if self.s0_psel.val() & self.s1_psel.val() {
            self.pick.next = self.tie1.val();
        }
        self.grant.next = self.pick.val();
        if self.busy.q.val() {
            self.grant.next = self.owner.q.val();
        }
        self.fwd.next = self.busy.q.val() | self.s0_psel.val() | self.s1_psel.val();

        // ---- Completer request: the granted port's signals; idle (all 0) when nobody asks.
        // The arbiter makes its own SETUP cycle (m_penable needs busy), so a port that waited in
        // ACCESS still gives the completer a proper SETUP then ACCESS.
        self.m_psel.next = self.fwd.val();
        self.m_penable.next = false;
        self.m_pwrite.next = false;
        self.m_paddr.next = self.zero16.val();
        self.m_pwdata.next = self.zero32.val();
        self.m_pstrb.next = self.zero4.val();
        self.m_pmaster.next = self.zero4.val();
        if self.fwd.val() & !self.grant.val() {
            self.m_penable.next = self.busy.q.val() & self.s0_penable.val();
            self.m_pwrite.next = self.s0_pwrite.val();
            self.m_paddr.next = self.s0_paddr.val();
            self.m_pwdata.next = self.s0_pwdata.val();
            self.m_pstrb.next = self.s0_pstrb.val();
            self.m_pmaster.next = self.s0_pmaster.val();
        }
        if self.fwd.val() & self.grant.val() {
            self.m_penable.next = self.busy.q.val() & self.s1_penable.val();
            self.m_pwrite.next = self.s1_pwrite.val();
            self.m_paddr.next = self.s1_paddr.val();
            self.m_pwdata.next = self.s1_pwdata.val();
            self.m_pstrb.next = self.s1_pstrb.val();
            self.m_pmaster.next = self.s1_pmaster.val();
        }

        // ---- Answer: only to the port in ACCESS; the other sees pready = 0 and prdata = 0.
        // Read data passes only in the cycle a read completes, so whatever a completer drives
        // in wait states or on writes (a held read register) never reaches a port.
        // The only combinational paths from the completer: m_pready/m_pslverr/m_prdata AND a flop
        // (and the port's own pwrite).
        self.sel0.next = self.busy.q.val() & !self.owner.q.val();
        self.sel1.next = self.busy.q.val() & self.owner.q.val();
        self.s0_pready.next = self.sel0.val() & self.m_pready.val();
        self.s0_pslverr.next = self.sel0.val() & self.m_pslverr.val();
        self.s0_prdata.next = self.zero32.val();
        if self.sel0.val() & self.m_pready.val() & !self.s0_pwrite.val() {
            self.s0_prdata.next = self.m_prdata.val();
        }
        self.s1_pready.next = self.sel1.val() & self.m_pready.val();
        self.s1_pslverr.next = self.sel1.val() & self.m_pslverr.val();
        self.s1_prdata.next = self.zero32.val();
        if self.sel1.val() & self.m_pready.val() & !self.s1_pwrite.val() {
            self.s1_prdata.next = self.m_prdata.val();
        }

        // ---- State: a grant at an idle edge starts ACCESS; PREADY ends it.
        if !self.busy.q.val() & (self.s0_psel.val() | self.s1_psel.val()) {
            self.busy.d.next = true;
            self.owner.d.next = self.pick.val();
            // The other port wins the next tie.
            self.turn.d.next = !self.pick.val() ^ self.first_tie_is_1.val().get_bit(0);
        }
        if self.busy.q.val() & self.m_pready.val() {
            self.busy.d.next = false;
        }
    }
}
