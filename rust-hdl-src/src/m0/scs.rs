//! The core's System Control Space (`M0Scs`): NVIC with 32 IRQs and 2-bit priorities, SysTick, SCB.
//!
//! Every output to the core comes from this block's flops (the decisions are computed from the
//! next state and registered), so no combinational path runs from the core back into itself.
//! Priorities are compared as 3-bit *ranks*: NMI 0, HardFault 1, priority p as p + 2, and 6 for
//! "nothing" (Thread mode with nothing active); a lower rank is more urgent.
//!
//! Within one clock edge the contract's order is kept: an entry's acknowledge (E9) first, then
//! the pins and SysTick, then the software write of the store whose data phase ends at the edge.

use super::regs;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// NVIC, SysTick and SCB of the soft core (see the SCS table in the README).
    M0Scs
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        irq: Signal<In, Bits<32>>,
        nmi: Signal<In, bool>,
        // Address phase of a (checked: word, privileged) SCS access.
        sel: Signal<In, bool>,
        write: Signal<In, bool>,
        /// Word offset (byte offset / 4) inside the SCS.
        addr: Signal<In, Bits<10>>,
        // Data phase.
        wdata: Signal<In, Bits<32>>,
        rdata: Signal<Out, Bits<32>>,
        // The core's next-state PRIMASK and IPSR (so registered outputs match the current state).
        primask: Signal<In, bool>,
        ipsr: Signal<In, Bits<6>>,
        // The exception being entered (next state), for late arrival.
        entry_num: Signal<In, Bits<6>>,
        take: Signal<Out, bool>,
        take_num: Signal<Out, Bits<6>>,
        late: Signal<Out, bool>,
        wake: Signal<Out, bool>,
        exec_neg: Signal<Out, bool>,
        svc_ok: Signal<Out, bool>,
        ack: Signal<In, bool>,
        ack_num: Signal<In, Bits<6>>,
        ret: Signal<In, bool>,
        ret_num: Signal<In, Bits<6>>,
        pend_svc: Signal<In, bool>,
        sevonpend_ev: Signal<Out, bool>,
        sleepdeep: Signal<Out, bool>,
        sysresetreq: Signal<Out, bool>,
    }
    consts {
        // Read-only registers, decoded for reads only.
        w_calib: 10 = regs::word(&regs::SYST_CALIB),
        w_cpuid: 10 = regs::word(&regs::CPUID),
        w_ccr: 10 = regs::word(&regs::CCR),
        v_cpuid: 32 = regs::CPUID_VALUE as u64,
        v_calib: 32 = regs::SYST_CALIB_VALUE as u64,
        v_aircr: 32 = regs::AIRCR_READ as u64,
        v_ccr: 32 = regs::CCR_VALUE as u64,
        v_clksrc: 32 = 1 << regs::SYST_CSR_CLKSOURCE.lsb,
        vectkey: 16 = regs::AIRCR_VECTKEY as u64,
        m24: 32 = 0x00FF_FFFF,
        seven10: 10 = 7,
        // IRQ n's bit index is n - 16, computed on the low 5 bits of n (16..47 -> 0..31).
        k5_16: 5 = 16,
        fifteen32: 32 = 15,
        one32: 32 = 1,
        z32: 32 = 0,
        z3: 3 = 0,
        // Bit masks that turn a one-hot word into its index.
        ix0: 32 = 0xAAAA_AAAA, ix1: 32 = 0xCCCC_CCCC, ix2: 32 = 0xF0F0_F0F0,
        ix3: 32 = 0xFF00_FF00, ix4: 32 = 0xFFFF_0000,
        // Exception numbers.
        n_nmi: 6 = 2, n_hf: 6 = 3, n_svc: 6 = 11, n_pendsv: 6 = 14, n_systick: 6 = 15, n_irq0: 6 = 16,
        b6_1: 6 = 1, b6_2: 6 = 2, b6_4: 6 = 4, b6_8: 6 = 8, b6_16: 6 = 16, z6: 6 = 0,
        // Ranks.
        r_nmi: 3 = 0, r_hf: 3 = 1, r_p0: 3 = 2, r_p1: 3 = 3, r_p2: 3 = 4, r_p3: 3 = 5, r_none: 3 = 6,
        // System exception bits: SVCall, PendSV, SysTick.
        s_svc: 3 = 1, s_pendsv: 3 = 2, s_systick: 3 = 4,
    }
    fields {
        // ---- State.
        irq_en: RDff<Bits<32>>,
        irq_pend: RDff<Bits<32>>,
        irq_act: RDff<Bits<32>>,
        // IRQ i's priority is {pri_hi[i], pri_lo[i]}: whole-vector compares, no 32-way mux.
        pri_hi: RDff<Bits<32>>,
        pri_lo: RDff<Bits<32>>,
        sys_pend: RDff<Bits<3>>,
        sys_act: RDff<Bits<3>>,
        sys_hi: RDff<Bits<3>>,
        sys_lo: RDff<Bits<3>>,
        nmi_pend: RDff<bool>,
        nmi_act: RDff<bool>,
        nmi_prev: RDff<bool>,
        hf_act: RDff<bool>,
        st_en: RDff<bool>,
        st_tickint: RDff<bool>,
        st_flag: RDff<bool>,
        st_rvr: RDff<Bits<32>>,
        st_cvr: RDff<Bits<32>>,
        scr_sleepdeep: RDff<bool>,
        scr_sevonpend: RDff<bool>,
        sysreset: RDff<bool>,
        // Access in its data phase.
        d_sel: RDff<bool>,
        d_write: RDff<bool>,
        d_addr: RDff<Bits<10>>,
        o_rdata: RDff<Bits<32>>,
        // Registered decisions.
        o_take: RDff<bool>,
        o_num: RDff<Bits<6>>,
        o_late: RDff<bool>,
        o_wake: RDff<bool>,
        o_svc: RDff<bool>,
        o_ev: RDff<bool>,
        // Register decode in the address phase (reads) and the data phase (writes).
        dec_a: ScsDecode,
        dec_d: ScsDecode,
        // ---- Combinational.
        wr: Signal<Local, bool>,
        rd: Signal<Local, bool>,
        ipr_sh: Signal<Local, Bits<10>>,
        ipr_mask: Signal<Local, Bits<32>>,
        ipr_hi4: Signal<Local, Bits<32>>,
        ipr_lo4: Signal<Local, Bits<32>>,
        ipr_rhi: Signal<Local, Bits<4>>,
        ipr_rlo: Signal<Local, Bits<4>>,
        ack_irq: Signal<Local, Bits<32>>,
        ret_irq: Signal<Local, Bits<32>>,
        ack_sys: Signal<Local, Bits<3>>,
        ret_sys: Signal<Local, Bits<3>>,
        ack_idx: Signal<Local, Bits<5>>,
        ret_idx: Signal<Local, Bits<5>>,
        irq_kept: Signal<Local, Bits<32>>,
        irq_line: Signal<Local, Bits<32>>,
        irq_edge: Signal<Local, Bits<32>>,
        sys_kept: Signal<Local, Bits<3>>,
        sys_set: Signal<Local, Bits<3>>,
        sys_edge: Signal<Local, Bits<3>>,
        nmi_kept: Signal<Local, bool>,
        nmi_rise: Signal<Local, bool>,
        nmi_edge: Signal<Local, bool>,
        fire: Signal<Local, bool>,
        new_pend: Signal<Local, bool>,
        // Next state.
        n_irq_pend: Signal<Local, Bits<32>>,
        n_irq_act: Signal<Local, Bits<32>>,
        n_irq_en: Signal<Local, Bits<32>>,
        n_pri_hi: Signal<Local, Bits<32>>,
        n_pri_lo: Signal<Local, Bits<32>>,
        n_sys_pend: Signal<Local, Bits<3>>,
        n_sys_act: Signal<Local, Bits<3>>,
        n_sys_hi: Signal<Local, Bits<3>>,
        n_sys_lo: Signal<Local, Bits<3>>,
        n_nmi_pend: Signal<Local, bool>,
        n_nmi_act: Signal<Local, bool>,
        n_hf_act: Signal<Local, bool>,
        // Winner and priorities over the next state.
        ready: Signal<Local, Bits<32>>,
        lv0: Signal<Local, Bits<32>>,
        lv1: Signal<Local, Bits<32>>,
        lv2: Signal<Local, Bits<32>>,
        lv3: Signal<Local, Bits<32>>,
        slv0: Signal<Local, Bits<3>>,
        slv1: Signal<Local, Bits<3>>,
        slv2: Signal<Local, Bits<3>>,
        slv3: Signal<Local, Bits<3>>,
        win_irq: Signal<Local, Bits<32>>,
        win_sys: Signal<Local, Bits<3>>,
        win_rank: Signal<Local, Bits<3>>,
        win_oh: Signal<Local, Bits<32>>,
        win_idx: Signal<Local, Bits<6>>,
        win_num: Signal<Local, Bits<6>>,
        act_rank: Signal<Local, Bits<3>>,
        exec_rank: Signal<Local, Bits<3>>,
        svc_rank: Signal<Local, Bits<3>>,
        ent_idx: Signal<Local, Bits<5>>,
        ent_rank: Signal<Local, Bits<3>>,
        ent_hi: Signal<Local, bool>,
        ent_lo: Signal<Local, bool>,
        rd_val: Signal<Local, Bits<32>>,
        r_hit: Signal<Local, bool>,
    }
}

impl Logic for M0Scs {
    #[hdl_gen]
    fn update(&mut self) {
        // ---- Flops: clock, reset, hold by default.
        self.irq_en.clock.next = self.clock.val();
        self.irq_en.rst_n.next = self.rst_n.val();
        self.irq_pend.clock.next = self.clock.val();
        self.irq_pend.rst_n.next = self.rst_n.val();
        self.irq_act.clock.next = self.clock.val();
        self.irq_act.rst_n.next = self.rst_n.val();
        self.pri_hi.clock.next = self.clock.val();
        self.pri_hi.rst_n.next = self.rst_n.val();
        self.pri_lo.clock.next = self.clock.val();
        self.pri_lo.rst_n.next = self.rst_n.val();
        self.sys_pend.clock.next = self.clock.val();
        self.sys_pend.rst_n.next = self.rst_n.val();
        self.sys_act.clock.next = self.clock.val();
        self.sys_act.rst_n.next = self.rst_n.val();
        self.sys_hi.clock.next = self.clock.val();
        self.sys_hi.rst_n.next = self.rst_n.val();
        self.sys_lo.clock.next = self.clock.val();
        self.sys_lo.rst_n.next = self.rst_n.val();
        self.nmi_pend.clock.next = self.clock.val();
        self.nmi_pend.rst_n.next = self.rst_n.val();
        self.nmi_act.clock.next = self.clock.val();
        self.nmi_act.rst_n.next = self.rst_n.val();
        self.nmi_prev.clock.next = self.clock.val();
        self.nmi_prev.rst_n.next = self.rst_n.val();
        self.hf_act.clock.next = self.clock.val();
        self.hf_act.rst_n.next = self.rst_n.val();
        self.st_en.clock.next = self.clock.val();
        self.st_en.rst_n.next = self.rst_n.val();
        self.st_en.d.next = self.st_en.q.val();
        self.st_tickint.clock.next = self.clock.val();
        self.st_tickint.rst_n.next = self.rst_n.val();
        self.st_tickint.d.next = self.st_tickint.q.val();
        self.st_flag.clock.next = self.clock.val();
        self.st_flag.rst_n.next = self.rst_n.val();
        self.st_rvr.clock.next = self.clock.val();
        self.st_rvr.rst_n.next = self.rst_n.val();
        self.st_rvr.d.next = self.st_rvr.q.val();
        self.st_cvr.clock.next = self.clock.val();
        self.st_cvr.rst_n.next = self.rst_n.val();
        self.st_cvr.d.next = self.st_cvr.q.val();
        self.scr_sleepdeep.clock.next = self.clock.val();
        self.scr_sleepdeep.rst_n.next = self.rst_n.val();
        self.scr_sleepdeep.d.next = self.scr_sleepdeep.q.val();
        self.scr_sevonpend.clock.next = self.clock.val();
        self.scr_sevonpend.rst_n.next = self.rst_n.val();
        self.scr_sevonpend.d.next = self.scr_sevonpend.q.val();
        self.sysreset.clock.next = self.clock.val();
        self.sysreset.rst_n.next = self.rst_n.val();
        self.sysreset.d.next = self.sysreset.q.val();
        self.d_sel.clock.next = self.clock.val();
        self.d_sel.rst_n.next = self.rst_n.val();
        self.d_write.clock.next = self.clock.val();
        self.d_write.rst_n.next = self.rst_n.val();
        self.d_addr.clock.next = self.clock.val();
        self.d_addr.rst_n.next = self.rst_n.val();
        self.o_rdata.clock.next = self.clock.val();
        self.o_rdata.rst_n.next = self.rst_n.val();
        self.o_take.clock.next = self.clock.val();
        self.o_take.rst_n.next = self.rst_n.val();
        self.o_num.clock.next = self.clock.val();
        self.o_num.rst_n.next = self.rst_n.val();
        self.o_late.clock.next = self.clock.val();
        self.o_late.rst_n.next = self.rst_n.val();
        self.o_wake.clock.next = self.clock.val();
        self.o_wake.rst_n.next = self.rst_n.val();
        self.o_svc.clock.next = self.clock.val();
        self.o_svc.rst_n.next = self.rst_n.val();
        self.o_ev.clock.next = self.clock.val();
        self.o_ev.rst_n.next = self.rst_n.val();

        // ---- The access in its data phase: which register.
        self.d_sel.d.next = self.sel.val();
        self.d_write.d.next = self.write.val();
        self.d_addr.d.next = self.addr.val();
        self.wr.next = self.d_sel.q.val() & self.d_write.q.val();
        self.rd.next = self.d_sel.q.val() & !self.d_write.q.val();
        self.dec_d.addr.next = self.d_addr.q.val();
        self.dec_a.addr.next = self.addr.val();

        // IPR k holds IRQs 4k..4k+3: shift the 4 priorities of the word to/from bit 4k.
        self.ipr_sh.next = (self.d_addr.q.val() & self.seven10.val()) << 2;
        self.ipr_mask.next = self.fifteen32.val() << self.ipr_sh.val();
        self.ipr_hi4.next = self.z32.val();
        self.ipr_lo4.next = self.z32.val();
        for i in 0..4 {
            if self.wdata.val().get_bit(8 * i + 7) {
                self.ipr_hi4.next = self.ipr_hi4.val() | (1 << i);
            }
            if self.wdata.val().get_bit(8 * i + 6) {
                self.ipr_lo4.next = self.ipr_lo4.val() | (1 << i);
            }
        }

        // ---- Acknowledge (entry at E9) and return, as one-hot masks.
        self.ack_idx.next = self.ack_num.val().get_bits::<5>(0) - self.k5_16.val();
        self.ret_idx.next = self.ret_num.val().get_bits::<5>(0) - self.k5_16.val();
        self.ack_irq.next = self.z32.val();
        self.ret_irq.next = self.z32.val();
        if self.ack.val() & (self.ack_num.val() >= self.n_irq0.val()) {
            self.ack_irq.next = self.one32.val() << self.ack_idx.val();
        }
        if self.ret.val() & (self.ret_num.val() >= self.n_irq0.val()) {
            self.ret_irq.next = self.one32.val() << self.ret_idx.val();
        }
        self.ack_sys.next = self.z3.val();
        self.ret_sys.next = self.z3.val();
        if self.ack.val() {
            if self.ack_num.val() == self.n_svc.val() {
                self.ack_sys.next = self.s_svc.val();
            }
            if self.ack_num.val() == self.n_pendsv.val() {
                self.ack_sys.next = self.s_pendsv.val();
            }
            if self.ack_num.val() == self.n_systick.val() {
                self.ack_sys.next = self.s_systick.val();
            }
        }
        if self.ret.val() {
            if self.ret_num.val() == self.n_svc.val() {
                self.ret_sys.next = self.s_svc.val();
            }
            if self.ret_num.val() == self.n_pendsv.val() {
                self.ret_sys.next = self.s_pendsv.val();
            }
            if self.ret_num.val() == self.n_systick.val() {
                self.ret_sys.next = self.s_systick.val();
            }
        }

        // ---- Active: acknowledged at this edge, returned at this edge.
        self.n_irq_act.next = (self.irq_act.q.val() | self.ack_irq.val()) & !self.ret_irq.val();
        self.n_sys_act.next = (self.sys_act.q.val() | self.ack_sys.val()) & !self.ret_sys.val();
        self.n_nmi_act.next = (self.nmi_act.q.val() | (self.ack.val() & (self.ack_num.val() == self.n_nmi.val())))
            & !(self.ret.val() & (self.ret_num.val() == self.n_nmi.val()));
        self.n_hf_act.next = (self.hf_act.q.val() | (self.ack.val() & (self.ack_num.val() == self.n_hf.val())))
            & !(self.ret.val() & (self.ret_num.val() == self.n_hf.val()));

        // ---- SysTick: at 0 it reloads, else it counts down; the step 1 -> 0 fires.
        self.fire.next = false;
        if self.st_en.q.val() {
            if self.st_cvr.q.val() == self.z32.val() {
                self.st_cvr.d.next = self.st_rvr.q.val();
            } else {
                self.st_cvr.d.next = self.st_cvr.q.val() - self.one32.val();
                self.fire.next = self.st_cvr.q.val() == self.one32.val();
            }
        }
        // A SYST_CSR read clears COUNTFLAG before this edge's step can set it again.
        self.st_flag.d.next = (self.st_flag.q.val() & !(self.rd.val() & self.dec_d.csr.val())) | self.fire.val();

        // ---- Pending after the acknowledge and the edge (pins, SysTick, SVC), before software.
        // An IRQ pin pends only while its IRQ is not active (the acknowledged one counts as active).
        self.irq_kept.next = self.irq_pend.q.val() & !self.ack_irq.val();
        self.irq_line.next = self.irq.val() & !(self.irq_act.q.val() | self.ack_irq.val());
        self.irq_edge.next = self.irq_kept.val() | self.irq_line.val();
        self.sys_kept.next = self.sys_pend.q.val() & !self.ack_sys.val();
        self.sys_set.next = self.z3.val();
        if self.pend_svc.val() {
            self.sys_set.next = self.s_svc.val();
        }
        if self.fire.val() & self.st_tickint.q.val() {
            self.sys_set.next = self.sys_set.val() | self.s_systick.val();
        }
        self.sys_edge.next = self.sys_kept.val() | self.sys_set.val();
        self.nmi_kept.next = self.nmi_pend.q.val() & !(self.ack.val() & (self.ack_num.val() == self.n_nmi.val()));
        self.nmi_rise.next = self.nmi.val() & !self.nmi_prev.q.val();
        self.nmi_edge.next = self.nmi_kept.val() | self.nmi_rise.val();
        self.nmi_prev.d.next = self.nmi.val();
        self.new_pend.next = (self.irq_line.val() & !self.irq_kept.val()).any()
            | (self.sys_set.val() & !self.sys_kept.val()).any()
            | (self.nmi_rise.val() & !self.nmi_kept.val());

        // ---- Software writes (data phase), applied last.
        self.n_irq_pend.next = self.irq_edge.val();
        self.n_irq_en.next = self.irq_en.q.val();
        self.n_pri_hi.next = self.pri_hi.q.val();
        self.n_pri_lo.next = self.pri_lo.q.val();
        self.n_sys_pend.next = self.sys_edge.val();
        self.n_sys_hi.next = self.sys_hi.q.val();
        self.n_sys_lo.next = self.sys_lo.q.val();
        self.n_nmi_pend.next = self.nmi_edge.val();
        if self.wr.val() {
            if self.dec_d.csr.val() {
                self.st_en.d.next = self.wdata.val().get_bit(0);
                self.st_tickint.d.next = self.wdata.val().get_bit(1);
            }
            if self.dec_d.rvr.val() {
                self.st_rvr.d.next = self.wdata.val() & self.m24.val();
            }
            if self.dec_d.cvr.val() {
                self.st_cvr.d.next = self.z32.val();
                self.st_flag.d.next = false;
            }
            if self.dec_d.iser.val() {
                self.n_irq_en.next = self.irq_en.q.val() | self.wdata.val();
            }
            if self.dec_d.icer.val() {
                self.n_irq_en.next = self.irq_en.q.val() & !self.wdata.val();
            }
            if self.dec_d.ispr.val() {
                self.n_irq_pend.next = self.irq_edge.val() | self.wdata.val();
                if (self.wdata.val() & !self.irq_edge.val()).any() {
                    self.new_pend.next = true;
                }
            }
            if self.dec_d.icpr.val() {
                self.n_irq_pend.next = self.irq_edge.val() & !self.wdata.val();
            }
            if self.dec_d.ipr.val() {
                self.n_pri_hi.next = (self.pri_hi.q.val() & !self.ipr_mask.val()) | (self.ipr_hi4.val() << self.ipr_sh.val());
                self.n_pri_lo.next = (self.pri_lo.q.val() & !self.ipr_mask.val()) | (self.ipr_lo4.val() << self.ipr_sh.val());
            }
            if self.dec_d.icsr.val() {
                if self.wdata.val().get_bit(31) {
                    self.n_nmi_pend.next = true;
                    if !self.nmi_edge.val() {
                        self.new_pend.next = true;
                    }
                }
                // CLR wins over SET.
                if self.wdata.val().get_bit(27) {
                    self.n_sys_pend.next = self.n_sys_pend.val() & !self.s_pendsv.val();
                } else if self.wdata.val().get_bit(28) {
                    self.n_sys_pend.next = self.n_sys_pend.val() | self.s_pendsv.val();
                    if !self.sys_edge.val().get_bit(1) {
                        self.new_pend.next = true;
                    }
                }
                if self.wdata.val().get_bit(25) {
                    self.n_sys_pend.next = self.n_sys_pend.val() & !self.s_systick.val();
                } else if self.wdata.val().get_bit(26) {
                    self.n_sys_pend.next = self.n_sys_pend.val() | self.s_systick.val();
                    if !self.sys_edge.val().get_bit(2) {
                        self.new_pend.next = true;
                    }
                }
            }
            if self.dec_d.aircr.val()
                & (self.wdata.val().get_bits::<16>(16) == self.vectkey.val())
                & self.wdata.val().get_bit(2)
            {
                self.sysreset.d.next = true;
            }
            if self.dec_d.scr.val() {
                self.scr_sleepdeep.d.next = self.wdata.val().get_bit(2);
                self.scr_sevonpend.d.next = self.wdata.val().get_bit(4);
            }
            if self.dec_d.shpr2.val() {
                self.n_sys_hi.next = self.sys_hi.q.val() & !self.s_svc.val();
                self.n_sys_lo.next = self.sys_lo.q.val() & !self.s_svc.val();
                if self.wdata.val().get_bit(31) {
                    self.n_sys_hi.next = self.n_sys_hi.val() | self.s_svc.val();
                }
                if self.wdata.val().get_bit(30) {
                    self.n_sys_lo.next = self.n_sys_lo.val() | self.s_svc.val();
                }
            }
            if self.dec_d.shpr3.val() {
                self.n_sys_hi.next = self.sys_hi.q.val() & self.s_svc.val();
                self.n_sys_lo.next = self.sys_lo.q.val() & self.s_svc.val();
                if self.wdata.val().get_bit(23) {
                    self.n_sys_hi.next = self.n_sys_hi.val() | self.s_pendsv.val();
                }
                if self.wdata.val().get_bit(22) {
                    self.n_sys_lo.next = self.n_sys_lo.val() | self.s_pendsv.val();
                }
                if self.wdata.val().get_bit(31) {
                    self.n_sys_hi.next = self.n_sys_hi.val() | self.s_systick.val();
                }
                if self.wdata.val().get_bit(30) {
                    self.n_sys_lo.next = self.n_sys_lo.val() | self.s_systick.val();
                }
            }
        }
        self.irq_pend.d.next = self.n_irq_pend.val();
        self.irq_act.d.next = self.n_irq_act.val();
        self.irq_en.d.next = self.n_irq_en.val();
        self.pri_hi.d.next = self.n_pri_hi.val();
        self.pri_lo.d.next = self.n_pri_lo.val();
        self.sys_pend.d.next = self.n_sys_pend.val();
        self.sys_act.d.next = self.n_sys_act.val();
        self.sys_hi.d.next = self.n_sys_hi.val();
        self.sys_lo.d.next = self.n_sys_lo.val();
        self.nmi_pend.d.next = self.n_nmi_pend.val();
        self.nmi_act.d.next = self.n_nmi_act.val();
        self.hf_act.d.next = self.n_hf_act.val();
        self.o_ev.d.next = self.new_pend.val() & self.scr_sevonpend.q.val();

        // ---- The winner over the next state: the most urgent level, then the lowest number.
        self.ready.next = self.n_irq_pend.val() & self.n_irq_en.val();
        self.lv0.next = self.ready.val() & !self.n_pri_hi.val() & !self.n_pri_lo.val();
        self.lv1.next = self.ready.val() & !self.n_pri_hi.val() & self.n_pri_lo.val();
        self.lv2.next = self.ready.val() & self.n_pri_hi.val() & !self.n_pri_lo.val();
        self.lv3.next = self.ready.val() & self.n_pri_hi.val() & self.n_pri_lo.val();
        self.slv0.next = self.n_sys_pend.val() & !self.n_sys_hi.val() & !self.n_sys_lo.val();
        self.slv1.next = self.n_sys_pend.val() & !self.n_sys_hi.val() & self.n_sys_lo.val();
        self.slv2.next = self.n_sys_pend.val() & self.n_sys_hi.val() & !self.n_sys_lo.val();
        self.slv3.next = self.n_sys_pend.val() & self.n_sys_hi.val() & self.n_sys_lo.val();
        self.win_irq.next = self.z32.val();
        self.win_sys.next = self.z3.val();
        self.win_rank.next = self.r_none.val();
        if self.n_nmi_pend.val() {
            self.win_rank.next = self.r_nmi.val();
        } else if self.lv0.val().any() | self.slv0.val().any() {
            self.win_irq.next = self.lv0.val();
            self.win_sys.next = self.slv0.val();
            self.win_rank.next = self.r_p0.val();
        } else if self.lv1.val().any() | self.slv1.val().any() {
            self.win_irq.next = self.lv1.val();
            self.win_sys.next = self.slv1.val();
            self.win_rank.next = self.r_p1.val();
        } else if self.lv2.val().any() | self.slv2.val().any() {
            self.win_irq.next = self.lv2.val();
            self.win_sys.next = self.slv2.val();
            self.win_rank.next = self.r_p2.val();
        } else if self.lv3.val().any() | self.slv3.val().any() {
            self.win_irq.next = self.lv3.val();
            self.win_sys.next = self.slv3.val();
            self.win_rank.next = self.r_p3.val();
        }
        // Lowest set IRQ bit, as a one-hot word, then its index.
        self.win_oh.next = self.win_irq.val() & (!self.win_irq.val() + self.one32.val());
        self.win_idx.next = self.z6.val();
        if (self.win_oh.val() & self.ix0.val()).any() {
            self.win_idx.next = self.win_idx.val() | self.b6_1.val();
        }
        if (self.win_oh.val() & self.ix1.val()).any() {
            self.win_idx.next = self.win_idx.val() | self.b6_2.val();
        }
        if (self.win_oh.val() & self.ix2.val()).any() {
            self.win_idx.next = self.win_idx.val() | self.b6_4.val();
        }
        if (self.win_oh.val() & self.ix3.val()).any() {
            self.win_idx.next = self.win_idx.val() | self.b6_8.val();
        }
        if (self.win_oh.val() & self.ix4.val()).any() {
            self.win_idx.next = self.win_idx.val() | self.b6_16.val();
        }
        self.win_num.next = self.win_idx.val() + self.n_irq0.val();
        // System exceptions (11, 14, 15) come before every IRQ at the same level.
        if self.win_sys.val().get_bit(2) {
            self.win_num.next = self.n_systick.val();
        }
        if self.win_sys.val().get_bit(1) {
            self.win_num.next = self.n_pendsv.val();
        }
        if self.win_sys.val().get_bit(0) {
            self.win_num.next = self.n_svc.val();
        }
        if self.n_nmi_pend.val() {
            self.win_num.next = self.n_nmi.val();
        }
        if self.win_rank.val() == self.r_none.val() {
            self.win_num.next = self.z6.val();
        }

        // ---- Execution priority over the next state (PRIMASK raises it to priority 0).
        self.act_rank.next = self.r_none.val();
        if self.n_nmi_act.val() {
            self.act_rank.next = self.r_nmi.val();
        } else if self.n_hf_act.val() {
            self.act_rank.next = self.r_hf.val();
        } else if (self.n_irq_act.val() & !self.n_pri_hi.val() & !self.n_pri_lo.val()).any()
            | (self.n_sys_act.val() & !self.n_sys_hi.val() & !self.n_sys_lo.val()).any()
        {
            self.act_rank.next = self.r_p0.val();
        } else if (self.n_irq_act.val() & !self.n_pri_hi.val() & self.n_pri_lo.val()).any()
            | (self.n_sys_act.val() & !self.n_sys_hi.val() & self.n_sys_lo.val()).any()
        {
            self.act_rank.next = self.r_p1.val();
        } else if (self.n_irq_act.val() & self.n_pri_hi.val() & !self.n_pri_lo.val()).any()
            | (self.n_sys_act.val() & self.n_sys_hi.val() & !self.n_sys_lo.val()).any()
        {
            self.act_rank.next = self.r_p2.val();
        } else if (self.n_irq_act.val() & self.n_pri_hi.val() & self.n_pri_lo.val()).any()
            | (self.n_sys_act.val() & self.n_sys_hi.val() & self.n_sys_lo.val()).any()
        {
            self.act_rank.next = self.r_p3.val();
        }
        self.exec_rank.next = self.act_rank.val();
        if self.primask.val() & (self.act_rank.val() > self.r_p0.val()) {
            self.exec_rank.next = self.r_p0.val();
        }
        self.svc_rank.next = self.r_p0.val();
        if self.n_sys_hi.val().get_bit(0) {
            self.svc_rank.next = self.svc_rank.val() + self.r_p0.val();
        }
        if self.n_sys_lo.val().get_bit(0) {
            self.svc_rank.next = self.svc_rank.val() + self.r_hf.val();
        }

        // ---- Rank of the exception being entered (late arrival needs a strictly lower rank):
        // NMI and HardFault are fixed; the others are 2 + their 2-bit priority.
        self.ent_idx.next = self.entry_num.val().get_bits::<5>(0) - self.k5_16.val();
        self.ent_hi.next = self.n_pri_hi.val().get_bit(self.ent_idx.val().index());
        self.ent_lo.next = self.n_pri_lo.val().get_bit(self.ent_idx.val().index());
        if self.entry_num.val() == self.n_svc.val() {
            self.ent_hi.next = self.n_sys_hi.val().get_bit(0);
            self.ent_lo.next = self.n_sys_lo.val().get_bit(0);
        }
        if self.entry_num.val() == self.n_pendsv.val() {
            self.ent_hi.next = self.n_sys_hi.val().get_bit(1);
            self.ent_lo.next = self.n_sys_lo.val().get_bit(1);
        }
        if self.entry_num.val() == self.n_systick.val() {
            self.ent_hi.next = self.n_sys_hi.val().get_bit(2);
            self.ent_lo.next = self.n_sys_lo.val().get_bit(2);
        }
        self.ent_rank.next = self.r_p0.val();
        if self.ent_hi.val() {
            self.ent_rank.next = self.ent_rank.val() + self.r_p0.val();
        }
        if self.ent_lo.val() {
            self.ent_rank.next = self.ent_rank.val() + self.r_hf.val();
        }
        if self.entry_num.val() == self.n_nmi.val() {
            self.ent_rank.next = self.r_nmi.val();
        }
        if self.entry_num.val() == self.n_hf.val() {
            self.ent_rank.next = self.r_hf.val();
        }

        // ---- Registered decisions (current in the next cycle).
        self.o_take.d.next = self.win_rank.val() < self.exec_rank.val();
        self.o_wake.d.next = self.win_rank.val() < self.act_rank.val();
        self.o_late.d.next = self.win_rank.val() < self.ent_rank.val();
        self.o_num.d.next = self.win_num.val();
        self.o_svc.d.next = self.svc_rank.val() < self.exec_rank.val();
        self.take.next = self.o_take.q.val();
        self.take_num.next = self.o_num.q.val();
        self.late.next = self.o_late.q.val();
        self.wake.next = self.o_wake.q.val();
        self.svc_ok.next = self.o_svc.q.val();
        self.sevonpend_ev.next = self.o_ev.q.val();
        self.exec_neg.next = self.nmi_act.q.val() | self.hf_act.q.val();
        self.sleepdeep.next = self.scr_sleepdeep.q.val();
        self.sysresetreq.next = self.sysreset.q.val();

        // ---- Read data: the register as it will be during the data phase (the next state),
        // muxed in the address phase and registered, so `rdata` comes from a flop.
        self.r_hit.next = self.sel.val() & !self.write.val();
        match self.addr.val().get_bits::<3>(0).index() {
            0 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(0);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(0);
            }
            1 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(4);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(4);
            }
            2 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(8);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(8);
            }
            3 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(12);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(12);
            }
            4 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(16);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(16);
            }
            5 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(20);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(20);
            }
            6 => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(24);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(24);
            }
            _ => {
                self.ipr_rhi.next = self.n_pri_hi.val().get_bits::<4>(28);
                self.ipr_rlo.next = self.n_pri_lo.val().get_bits::<4>(28);
            }
        }
        self.rd_val.next = self.z32.val();
        if self.dec_a.csr.val() {
            self.rd_val.next = self.v_clksrc.val();
            if self.st_en.d.val() {
                self.rd_val.next = self.rd_val.val() | (1 << 0);
            }
            if self.st_tickint.d.val() {
                self.rd_val.next = self.rd_val.val() | (1 << 1);
            }
            if self.st_flag.d.val() {
                self.rd_val.next = self.rd_val.val() | (1 << 16);
            }
        }
        if self.dec_a.rvr.val() {
            self.rd_val.next = self.st_rvr.d.val();
        }
        if self.dec_a.cvr.val() {
            self.rd_val.next = self.st_cvr.d.val();
        }
        if self.addr.val() == self.w_calib.val() {
            self.rd_val.next = self.v_calib.val();
        }
        if self.dec_a.iser.val() | self.dec_a.icer.val() {
            self.rd_val.next = self.n_irq_en.val();
        }
        if self.dec_a.ispr.val() | self.dec_a.icpr.val() {
            self.rd_val.next = self.n_irq_pend.val();
        }
        if self.dec_a.ipr.val() {
            for i in 0..4 {
                if self.ipr_rhi.val().get_bit(i) {
                    self.rd_val.next = self.rd_val.val() | (1 << (8 * i + 7));
                }
                if self.ipr_rlo.val().get_bit(i) {
                    self.rd_val.next = self.rd_val.val() | (1 << (8 * i + 6));
                }
            }
        }
        if self.addr.val() == self.w_cpuid.val() {
            self.rd_val.next = self.v_cpuid.val();
        }
        if self.dec_a.icsr.val() {
            for i in 0..6 {
                if self.ipsr.val().get_bit(i) {
                    self.rd_val.next = self.rd_val.val() | (1 << i);
                }
                if self.win_num.val().get_bit(i) {
                    self.rd_val.next = self.rd_val.val() | (1 << (i + 12));
                }
            }
            if (self.n_irq_pend.val() & self.n_irq_en.val()).any() {
                self.rd_val.next = self.rd_val.val() | (1 << 22);
            }
            if self.n_sys_pend.val().get_bit(2) {
                self.rd_val.next = self.rd_val.val() | (1 << 26);
            }
            if self.n_sys_pend.val().get_bit(1) {
                self.rd_val.next = self.rd_val.val() | (1 << 28);
            }
            if self.n_nmi_pend.val() {
                self.rd_val.next = self.rd_val.val() | (1 << 31);
            }
        }
        if self.dec_a.aircr.val() {
            self.rd_val.next = self.v_aircr.val();
        }
        if self.dec_a.scr.val() {
            if self.scr_sleepdeep.d.val() {
                self.rd_val.next = self.rd_val.val() | (1 << 2);
            }
            if self.scr_sevonpend.d.val() {
                self.rd_val.next = self.rd_val.val() | (1 << 4);
            }
        }
        if self.addr.val() == self.w_ccr.val() {
            self.rd_val.next = self.v_ccr.val();
        }
        if self.dec_a.shpr2.val() {
            if self.n_sys_hi.val().get_bit(0) {
                self.rd_val.next = self.rd_val.val() | (1 << 31);
            }
            if self.n_sys_lo.val().get_bit(0) {
                self.rd_val.next = self.rd_val.val() | (1 << 30);
            }
        }
        if self.dec_a.shpr3.val() {
            if self.n_sys_hi.val().get_bit(1) {
                self.rd_val.next = self.rd_val.val() | (1 << 23);
            }
            if self.n_sys_lo.val().get_bit(1) {
                self.rd_val.next = self.rd_val.val() | (1 << 22);
            }
            if self.n_sys_hi.val().get_bit(2) {
                self.rd_val.next = self.rd_val.val() | (1 << 31);
            }
            if self.n_sys_lo.val().get_bit(2) {
                self.rd_val.next = self.rd_val.val() | (1 << 30);
            }
        }
        self.o_rdata.d.next = self.z32.val();
        if self.r_hit.val() {
            self.o_rdata.d.next = self.rd_val.val();
        }
        self.rdata.next = self.o_rdata.q.val();
    }
}

crate::hdl_block! {
    /// Which writable SCS register a word offset names; used for the address phase (reads) and
    /// the data phase (writes), which can overlap (a store's data phase with the next load's
    /// address). The read-only CALIB, CPUID and CCR are decoded in the read mux alone.
    ScsDecode
    ports {
        addr: Signal<In, Bits<10>>,
        csr: Signal<Out, bool>,
        rvr: Signal<Out, bool>,
        cvr: Signal<Out, bool>,
        iser: Signal<Out, bool>,
        icer: Signal<Out, bool>,
        ispr: Signal<Out, bool>,
        icpr: Signal<Out, bool>,
        ipr: Signal<Out, bool>,
        icsr: Signal<Out, bool>,
        aircr: Signal<Out, bool>,
        scr: Signal<Out, bool>,
        shpr2: Signal<Out, bool>,
        shpr3: Signal<Out, bool>,
    }
    consts {
        // Word offsets of the registers (one source: regs.rs).
        w_csr: 10 = regs::word(&regs::SYST_CSR),
        w_rvr: 10 = regs::word(&regs::SYST_RVR),
        w_cvr: 10 = regs::word(&regs::SYST_CVR),
        w_iser: 10 = regs::word(&regs::NVIC_ISER),
        w_icer: 10 = regs::word(&regs::NVIC_ICER),
        w_ispr: 10 = regs::word(&regs::NVIC_ISPR),
        w_icpr: 10 = regs::word(&regs::NVIC_ICPR),
        w_ipr7: 7 = regs::word(&regs::NVIC_IPR) >> 3,
        w_icsr: 10 = regs::word(&regs::ICSR),
        w_aircr: 10 = regs::word(&regs::AIRCR),
        w_scr: 10 = regs::word(&regs::SCR),
        w_shpr2: 10 = regs::word(&regs::SHPR2),
        w_shpr3: 10 = regs::word(&regs::SHPR3),
    }
    fields {}
}

impl Logic for ScsDecode {
    #[hdl_gen]
    fn update(&mut self) {
        self.csr.next = self.addr.val() == self.w_csr.val();
        self.rvr.next = self.addr.val() == self.w_rvr.val();
        self.cvr.next = self.addr.val() == self.w_cvr.val();
        self.iser.next = self.addr.val() == self.w_iser.val();
        self.icer.next = self.addr.val() == self.w_icer.val();
        self.ispr.next = self.addr.val() == self.w_ispr.val();
        self.icpr.next = self.addr.val() == self.w_icpr.val();
        self.ipr.next = self.addr.val().get_bits::<7>(3) == self.w_ipr7.val();
        self.icsr.next = self.addr.val() == self.w_icsr.val();
        self.aircr.next = self.addr.val() == self.w_aircr.val();
        self.scr.next = self.addr.val() == self.w_scr.val();
        self.shpr2.next = self.addr.val() == self.w_shpr2.val();
        self.shpr3.next = self.addr.val() == self.w_shpr3.val();
    }
}
