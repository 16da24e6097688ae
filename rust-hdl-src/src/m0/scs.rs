//! The core's System Control Space (`M0Scs`): NVIC with 32 IRQs and 2-bit priorities, SysTick, SCB.
//!
//! Every output to the core comes from this block's flops. The decisions (take, late, wake,
//! SVC allowed) are computed from the current state (the core's PRIMASK and entering exception
//! included) and registered, so they describe the state of the cycle before: the SCS's priority
//! pick never waits for the core's next state, the longest path of the first design.
//! Priorities are compared as 3-bit *ranks*: NMI 0, HardFault 1, priority p as p + 2, and 6 for
//! "nothing" (Thread mode with nothing active); a lower rank is more urgent.
//!
//! Within one clock edge the contract's order is kept: an entry's acknowledge (E9) first, then
//! the pins and SysTick, then the software write of the store whose data phase ends at the edge.
//!
//! Area (ECP5): the address is decoded once, in the address phase, into registered write strobes
//! and read selects; a read muxes the registers during its data phase (an AND-OR of the registered
//! one-hot selects and the flops), so no next-state logic feeds the read mux. The minimum priority
//! is found one bit at a time (hi, then lo; lo for both values of hi at once, so the lo search
//! does not wait for hi), and the lowest candidate by halving.

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
        // The core's PRIMASK (current) and next-state IPSR (for ICSR reads).
        primask: Signal<In, bool>,
        ipsr: Signal<In, Bits<6>>,
        // The exception being entered (current), for late arrival.
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
        // Register groups by word offset (one source: regs.rs): SysTick words 4..7, NVIC
        // enable/pending words, IPR 0..7, SCB words 0x340..0x34F.
        g_st8: 8 = regs::word(&regs::SYST_CSR) >> 2,
        g_ipr7: 7 = regs::word(&regs::NVIC_IPR) >> 3,
        g_scb6: 6 = regs::word(&regs::CPUID) >> 4,
        w_iser5: 5 = regs::word(&regs::NVIC_ISER) >> 5,
        w_icer5: 5 = regs::word(&regs::NVIC_ICER) >> 5,
        w_ispr5: 5 = regs::word(&regs::NVIC_ISPR) >> 5,
        w_icpr5: 5 = regs::word(&regs::NVIC_ICPR) >> 5,
        z5: 5 = 0,
        // Word within its group.
        o_csr: 2 = regs::word(&regs::SYST_CSR) & 3,
        o_rvr: 2 = regs::word(&regs::SYST_RVR) & 3,
        o_cvr: 2 = regs::word(&regs::SYST_CVR) & 3,
        o_calib: 2 = regs::word(&regs::SYST_CALIB) & 3,
        o_cpuid: 4 = regs::word(&regs::CPUID) & 15,
        o_icsr: 4 = regs::word(&regs::ICSR) & 15,
        o_aircr: 4 = regs::word(&regs::AIRCR) & 15,
        o_scr: 4 = regs::word(&regs::SCR) & 15,
        o_ccr: 4 = regs::word(&regs::CCR) & 15,
        o_shpr2: 4 = regs::word(&regs::SHPR2) & 15,
        o_shpr3: 4 = regs::word(&regs::SHPR3) & 15,
        v_cpuid: 32 = regs::CPUID_VALUE as u64,
        v_calib: 32 = regs::SYST_CALIB_VALUE as u64,
        v_aircr: 32 = regs::AIRCR_READ as u64,
        v_ccr: 32 = regs::CCR_VALUE as u64,
        v_clksrc: 32 = 1 << regs::SYST_CSR_CLKSOURCE.lsb,
        vectkey: 16 = regs::AIRCR_VECTKEY as u64,
        // IRQ n's bit index is n - 16, computed on the low 5 bits of n (16..47 -> 0..31).
        k5_16: 5 = 16,
        one24: 24 = 1,
        one8: 8 = 1,
        one4: 4 = 1,
        z4: 4 = 0,
        z32: 32 = 0,
        z24: 24 = 0,
        z8: 8 = 0,
        z6: 6 = 0,
        z3: 3 = 0,
        b5_1: 5 = 1, b5_2: 5 = 2, b5_4: 5 = 4, b5_8: 5 = 8,
        b6_1: 6 = 1, b6_2: 6 = 2, b6_4: 6 = 4, b6_8: 6 = 8, b6_32: 6 = 32,
        // Exception numbers.
        n_nmi: 6 = 2, n_hf: 6 = 3, n_svc: 6 = 11, n_pendsv: 6 = 14, n_systick: 6 = 15, n_irq0: 6 = 16,
        b3_1: 3 = 1, b3_4: 3 = 4,
        // Ranks.
        r_nmi: 3 = 0, r_hf: 3 = 1, r_p0: 3 = 2, r_none: 3 = 6,
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
        // SysTick is 24 bits in ARMv6-M; RVR/CVR bits 31:24 read as zero.
        st_rvr: RDff<Bits<24>>,
        st_cvr: RDff<Bits<24>>,
        scr_sleepdeep: RDff<bool>,
        scr_sevonpend: RDff<bool>,
        sysreset: RDff<bool>,
        // The access in its data phase, decoded in its address phase: one strobe per register.
        w_csr: RDff<bool>,
        w_rvr: RDff<bool>,
        w_cvr: RDff<bool>,
        w_iser: RDff<bool>,
        w_icer: RDff<bool>,
        w_ispr: RDff<bool>,
        w_icpr: RDff<bool>,
        w_icsr: RDff<bool>,
        w_aircr: RDff<bool>,
        w_scr: RDff<bool>,
        w_shpr2: RDff<bool>,
        w_shpr3: RDff<bool>,
        // IPR k written: one strobe per word, so a priority bit is a 2-input select.
        w_ipr: RDff<Bits<8>>,
        // Read selects, one per register (SYST_CSR's also clears COUNTFLAG); IPR's word in r_iw.
        r_csr: RDff<bool>,
        r_rvr: RDff<bool>,
        r_cvr: RDff<bool>,
        r_calib: RDff<bool>,
        r_en: RDff<bool>,
        r_pend: RDff<bool>,
        r_ipr: RDff<bool>,
        r_iw: RDff<Bits<3>>,
        r_cpuid: RDff<bool>,
        r_icsr: RDff<bool>,
        r_aircr: RDff<bool>,
        r_scr: RDff<bool>,
        r_ccr: RDff<bool>,
        r_shpr2: RDff<bool>,
        r_shpr3: RDff<bool>,
        // ICSR fields that show the address phase: IPSR and ISRPENDING (VECTPENDING is o_num).
        o_ipsr: RDff<Bits<6>>,
        o_isr: RDff<bool>,
        // Registered decisions.
        o_take: RDff<bool>,
        o_num: RDff<Bits<6>>,
        o_late: RDff<bool>,
        o_wake: RDff<bool>,
        o_svc: RDff<bool>,
        o_ev: RDff<bool>,
        // ---- Combinational.
        sw: Signal<Local, bool>,
        sr: Signal<Local, bool>,
        g_st: Signal<Local, bool>,
        g_nv: Signal<Local, bool>,
        g_ipr: Signal<Local, bool>,
        g_scb: Signal<Local, bool>,
        nv5: Signal<Local, Bits<5>>,
        nv_pend: Signal<Local, bool>,
        st_w: Signal<Local, Bits<2>>,
        scb_w: Signal<Local, Bits<4>>,
        ipr_mask: Signal<Local, Bits<32>>,
        ipr_hi: Signal<Local, Bits<32>>,
        ipr_lo: Signal<Local, Bits<32>>,
        ack_irq: Signal<Local, Bits<32>>,
        ret_irq: Signal<Local, Bits<32>>,
        ack_grp: Signal<Local, Bits<4>>,
        ret_grp: Signal<Local, Bits<4>>,
        ack_pos: Signal<Local, Bits<8>>,
        ret_pos: Signal<Local, Bits<8>>,
        ack_sys: Signal<Local, Bits<3>>,
        ret_sys: Signal<Local, Bits<3>>,
        ack_idx: Signal<Local, Bits<5>>,
        ret_idx: Signal<Local, Bits<5>>,
        ack_nmi: Signal<Local, bool>,
        // SysTick: the counter minus ENABLE (one subtractor steps or holds it); CVR[23:1] zero.
        st_step: Signal<Local, Bits<24>>,
        st_dec: Signal<Local, Bits<24>>,
        st_z1: Signal<Local, bool>,
        fire: Signal<Local, bool>,
        irq_kept: Signal<Local, Bits<32>>,
        irq_line: Signal<Local, Bits<32>>,
        irq_edge: Signal<Local, Bits<32>>,
        sys_kept: Signal<Local, Bits<3>>,
        sys_set: Signal<Local, Bits<3>>,
        sys_edge: Signal<Local, Bits<3>>,
        nmi_kept: Signal<Local, bool>,
        nmi_rise: Signal<Local, bool>,
        nmi_edge: Signal<Local, bool>,
        new_pend: Signal<Local, bool>,
        // Next state that several writers touch.
        n_irq_pend: Signal<Local, Bits<32>>,
        n_irq_en: Signal<Local, Bits<32>>,
        n_sys_pend: Signal<Local, Bits<3>>,
        n_sys_hi: Signal<Local, Bits<3>>,
        n_sys_lo: Signal<Local, Bits<3>>,
        // Winner over the current state: its priority bit by bit (m_hi, then m_lo), then the lowest
        // number among the candidates `cand` at that priority.
        ready: Signal<Local, Bits<32>>,
        any_p: Signal<Local, bool>,
        m_hi: Signal<Local, bool>,
        m_lo: Signal<Local, bool>,
        // m_hi and m_lo on every bit, to mask whole vectors.
        m_hi32: Signal<Local, Bits<32>>,
        m_lo32: Signal<Local, Bits<32>>,
        cand: Signal<Local, Bits<32>>,
        scand: Signal<Local, Bits<3>>,
        // Lowest candidate by halving: which half, then which quarter of it, ...
        win_idx: Signal<Local, Bits<5>>,
        c16: Signal<Local, Bits<16>>,
        c8: Signal<Local, Bits<8>>,
        c4: Signal<Local, Bits<4>>,
        c2: Signal<Local, Bits<2>>,
        win_rank: Signal<Local, Bits<3>>,
        win_num: Signal<Local, Bits<6>>,
        // Execution priority, bit by bit like the winner.
        any_a: Signal<Local, bool>,
        a_hi: Signal<Local, bool>,
        a_lo: Signal<Local, bool>,
        // a_hi on every bit; ae_hi: the active ones whose hi equals a_hi.
        a_hi32: Signal<Local, Bits<32>>,
        ae_hi: Signal<Local, Bits<32>>,
        sae_hi: Signal<Local, Bits<3>>,
        act_rank: Signal<Local, Bits<3>>,
        exec_rank: Signal<Local, Bits<3>>,
        svc_rank: Signal<Local, Bits<3>>,
        ent_idx: Signal<Local, Bits<5>>,
        ent_rank: Signal<Local, Bits<3>>,
        ent_hi: Signal<Local, bool>,
        ent_lo: Signal<Local, bool>,
        // Read data: IPR's four priorities (IRQ 4k+i in bits 8i+7:8i+6), then the whole word.
        st_rd: Signal<Local, Bits<24>>,
        ipr_rhi: Signal<Local, Bits<4>>,
        ipr_rlo: Signal<Local, Bits<4>>,
        rd: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    M0Scs;
    reset [irq_en, irq_pend, irq_act, pri_hi, pri_lo, sys_pend, sys_act, sys_hi, sys_lo, nmi_pend,
        nmi_act, nmi_prev, hf_act, st_flag, st_cvr, w_csr, w_rvr, w_cvr, w_iser, w_icer, w_ispr, w_icpr,
        w_icsr, w_aircr, w_scr, w_shpr2, w_shpr3, w_ipr, r_csr, r_rvr, r_cvr, r_calib, r_en, r_pend,
        r_ipr, r_iw, r_cpuid, r_icsr, r_aircr, r_scr, r_ccr, r_shpr2, r_shpr3, o_ipsr, o_isr, o_take,
        o_num, o_late, o_wake, o_svc, o_ev]
    hold [st_en, st_tickint, st_rvr, scr_sleepdeep, scr_sevonpend, sysreset]
    fn update(&mut self) {
        // ---- Address phase: decode once, by group, into write strobes and read selects.
        self.sw.next = self.sel.val() & self.write.val();
        self.sr.next = self.sel.val() & !self.write.val();
        self.g_st.next = self.addr.val().get_bits::<8>(2) == self.g_st8.val();
        self.nv5.next = self.addr.val().get_bits::<5>(5);
        self.g_nv.next = (self.addr.val().get_bits::<5>(0) == self.z5.val())
            & ((self.nv5.val() == self.w_iser5.val())
                | (self.nv5.val() == self.w_icer5.val())
                | (self.nv5.val() == self.w_ispr5.val())
                | (self.nv5.val() == self.w_icpr5.val()));
        self.nv_pend.next = (self.nv5.val() == self.w_ispr5.val()) | (self.nv5.val() == self.w_icpr5.val());
        self.g_ipr.next = self.addr.val().get_bits::<7>(3) == self.g_ipr7.val();
        self.g_scb.next = self.addr.val().get_bits::<6>(4) == self.g_scb6.val();
        self.st_w.next = self.addr.val().get_bits::<2>(0);
        self.scb_w.next = self.addr.val().get_bits::<4>(0);
        self.w_csr.d.next = self.sw.val() & self.g_st.val() & (self.st_w.val() == self.o_csr.val());
        self.w_rvr.d.next = self.sw.val() & self.g_st.val() & (self.st_w.val() == self.o_rvr.val());
        self.w_cvr.d.next = self.sw.val() & self.g_st.val() & (self.st_w.val() == self.o_cvr.val());
        self.w_iser.d.next = self.sw.val() & self.g_nv.val() & (self.nv5.val() == self.w_iser5.val());
        self.w_icer.d.next = self.sw.val() & self.g_nv.val() & (self.nv5.val() == self.w_icer5.val());
        self.w_ispr.d.next = self.sw.val() & self.g_nv.val() & (self.nv5.val() == self.w_ispr5.val());
        self.w_icpr.d.next = self.sw.val() & self.g_nv.val() & (self.nv5.val() == self.w_icpr5.val());
        self.w_ipr.d.next = self.z8.val();
        if self.sw.val() & self.g_ipr.val() {
            self.w_ipr.d.next = self.one8.val() << self.addr.val().get_bits::<3>(0);
        }
        self.w_icsr.d.next = self.sw.val() & self.g_scb.val() & (self.scb_w.val() == self.o_icsr.val());
        self.w_aircr.d.next = self.sw.val() & self.g_scb.val() & (self.scb_w.val() == self.o_aircr.val());
        self.w_scr.d.next = self.sw.val() & self.g_scb.val() & (self.scb_w.val() == self.o_scr.val());
        self.w_shpr2.d.next = self.sw.val() & self.g_scb.val() & (self.scb_w.val() == self.o_shpr2.val());
        self.w_shpr3.d.next = self.sw.val() & self.g_scb.val() & (self.scb_w.val() == self.o_shpr3.val());
        self.r_csr.d.next = self.sr.val() & self.g_st.val() & (self.st_w.val() == self.o_csr.val());
        self.r_rvr.d.next = self.sr.val() & self.g_st.val() & (self.st_w.val() == self.o_rvr.val());
        self.r_cvr.d.next = self.sr.val() & self.g_st.val() & (self.st_w.val() == self.o_cvr.val());
        self.r_calib.d.next = self.sr.val() & self.g_st.val() & (self.st_w.val() == self.o_calib.val());
        self.r_en.d.next = self.sr.val() & self.g_nv.val() & !self.nv_pend.val();
        self.r_pend.d.next = self.sr.val() & self.g_nv.val() & self.nv_pend.val();
        self.r_ipr.d.next = self.sr.val() & self.g_ipr.val();
        self.r_iw.d.next = self.addr.val().get_bits::<3>(0);
        self.r_cpuid.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_cpuid.val());
        self.r_icsr.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_icsr.val());
        self.r_aircr.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_aircr.val());
        self.r_scr.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_scr.val());
        self.r_ccr.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_ccr.val());
        self.r_shpr2.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_shpr2.val());
        self.r_shpr3.d.next = self.sr.val() & self.g_scb.val() & (self.scb_w.val() == self.o_shpr3.val());
        self.o_ipsr.d.next = self.ipsr.val();

        // ---- Acknowledge (entry at E9) and return, as one-hot masks.
        self.ack_idx.next = self.ack_num.val().get_bits::<5>(0) - self.k5_16.val();
        self.ret_idx.next = self.ret_num.val().get_bits::<5>(0) - self.k5_16.val();
        // Group of 8 (index bits 4:3) and place in it (bits 2:0) decoded apart, then one AND a bit.
        self.ack_grp.next = self.z4.val();
        self.ret_grp.next = self.z4.val();
        if self.ack.val() & (self.ack_num.val() >= self.n_irq0.val()) {
            self.ack_grp.next = self.one4.val() << self.ack_idx.val().get_bits::<2>(3);
        }
        if self.ret.val() & (self.ret_num.val() >= self.n_irq0.val()) {
            self.ret_grp.next = self.one4.val() << self.ret_idx.val().get_bits::<2>(3);
        }
        self.ack_pos.next = self.one8.val() << self.ack_idx.val().get_bits::<3>(0);
        self.ret_pos.next = self.one8.val() << self.ret_idx.val().get_bits::<3>(0);
        self.ack_irq.next = self.z32.val();
        self.ret_irq.next = self.z32.val();
        for g in 0..4 {
            for p in 0..8 {
                if self.ack_grp.val().get_bit(g) & self.ack_pos.val().get_bit(p) {
                    self.ack_irq.next = self.ack_irq.val() | (1 << (8 * g + p));
                }
                if self.ret_grp.val().get_bit(g) & self.ret_pos.val().get_bit(p) {
                    self.ret_irq.next = self.ret_irq.val() | (1 << (8 * g + p));
                }
            }
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
        self.ack_nmi.next = self.ack.val() & (self.ack_num.val() == self.n_nmi.val());

        // ---- Active: acknowledged at this edge, returned at this edge.
        self.irq_act.d.next = (self.irq_act.q.val() | self.ack_irq.val()) & !self.ret_irq.val();
        self.sys_act.d.next = (self.sys_act.q.val() | self.ack_sys.val()) & !self.ret_sys.val();
        self.nmi_act.d.next = (self.nmi_act.q.val() | self.ack_nmi.val())
            & !(self.ret.val() & (self.ret_num.val() == self.n_nmi.val()));
        self.hf_act.d.next = (self.hf_act.q.val() | (self.ack.val() & (self.ack_num.val() == self.n_hf.val())))
            & !(self.ret.val() & (self.ret_num.val() == self.n_hf.val()));

        // ---- SysTick: at 0 it reloads, else it counts down; the step 1 -> 0 fires. CVR - ENABLE
        // is both the step and the hold, so the counter needs one subtractor and one select.
        self.st_step.next = self.z24.val();
        if self.st_en.q.val() {
            self.st_step.next = self.one24.val();
        }
        self.st_dec.next = self.st_cvr.q.val() - self.st_step.val();
        self.st_z1.next = self.st_cvr.q.val().get_bits::<23>(1) == self.z24.val().get_bits::<23>(0);
        self.fire.next = self.st_en.q.val() & self.st_z1.val() & self.st_cvr.q.val().get_bit(0);
        self.st_cvr.d.next = self.st_dec.val();
        if self.st_en.q.val() & self.st_z1.val() & !self.st_cvr.q.val().get_bit(0) {
            self.st_cvr.d.next = self.st_rvr.q.val();
        }
        // A SYST_CSR read clears COUNTFLAG before this edge's step can set it again.
        self.st_flag.d.next = (self.st_flag.q.val() & !self.r_csr.q.val()) | self.fire.val();

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
        self.nmi_kept.next = self.nmi_pend.q.val() & !self.ack_nmi.val();
        self.nmi_rise.next = self.nmi.val() & !self.nmi_prev.q.val();
        self.nmi_edge.next = self.nmi_kept.val() | self.nmi_rise.val();
        self.nmi_prev.d.next = self.nmi.val();
        // An IRQ became pending at this edge: its edge value is set and it was not pending (a
        // kept one was pending; a line that pends is not the acknowledged one).
        self.new_pend.next = (self.irq_edge.val() & !self.irq_pend.q.val()).any()
            | (self.sys_set.val() & !self.sys_kept.val()).any()
            | (self.nmi_rise.val() & !self.nmi_kept.val());

        // ---- Software writes (data phase), applied last.
        self.n_irq_pend.next = self.irq_edge.val();
        self.n_irq_en.next = self.irq_en.q.val();
        self.n_sys_pend.next = self.sys_edge.val();
        self.n_sys_hi.next = self.sys_hi.q.val();
        self.n_sys_lo.next = self.sys_lo.q.val();
        self.nmi_pend.d.next = self.nmi_edge.val();
        // IPR k holds IRQs 4k..4k+3 in bits 8i+7:8i+6; every word's 4 priorities land on the
        // same 4 bits of each nibble, and the strobe of word k picks nibble k.
        self.ipr_mask.next = self.z32.val();
        self.ipr_hi.next = self.z32.val();
        self.ipr_lo.next = self.z32.val();
        for k in 0..8 {
            for j in 0..4 {
                if self.w_ipr.q.val().get_bit(k) {
                    self.ipr_mask.next = self.ipr_mask.val() | (1 << (4 * k + j));
                }
                if self.wdata.val().get_bit(8 * j + 7) {
                    self.ipr_hi.next = self.ipr_hi.val() | (1 << (4 * k + j));
                }
                if self.wdata.val().get_bit(8 * j + 6) {
                    self.ipr_lo.next = self.ipr_lo.val() | (1 << (4 * k + j));
                }
            }
        }
        self.pri_hi.d.next = (self.pri_hi.q.val() & !self.ipr_mask.val()) | (self.ipr_hi.val() & self.ipr_mask.val());
        self.pri_lo.d.next = (self.pri_lo.q.val() & !self.ipr_mask.val()) | (self.ipr_lo.val() & self.ipr_mask.val());
        if self.w_csr.q.val() {
            self.st_en.d.next = self.wdata.val().get_bit(0);
            self.st_tickint.d.next = self.wdata.val().get_bit(1);
        }
        if self.w_rvr.q.val() {
            self.st_rvr.d.next = self.wdata.val().get_bits::<24>(0);
        }
        if self.w_cvr.q.val() {
            self.st_cvr.d.next = self.z24.val();
            self.st_flag.d.next = false;
        }
        if self.w_iser.q.val() {
            self.n_irq_en.next = self.irq_en.q.val() | self.wdata.val();
        }
        if self.w_icer.q.val() {
            self.n_irq_en.next = self.irq_en.q.val() & !self.wdata.val();
        }
        if self.w_ispr.q.val() {
            self.n_irq_pend.next = self.irq_edge.val() | self.wdata.val();
            if (self.wdata.val() & !self.irq_edge.val()).any() {
                self.new_pend.next = true;
            }
        }
        if self.w_icpr.q.val() {
            self.n_irq_pend.next = self.irq_edge.val() & !self.wdata.val();
        }
        if self.w_icsr.q.val() {
            if self.wdata.val().get_bit(31) {
                self.nmi_pend.d.next = true;
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
        if self.w_aircr.q.val() & (self.wdata.val().get_bits::<16>(16) == self.vectkey.val()) & self.wdata.val().get_bit(2) {
            self.sysreset.d.next = true;
        }
        if self.w_scr.q.val() {
            self.scr_sleepdeep.d.next = self.wdata.val().get_bit(2);
            self.scr_sevonpend.d.next = self.wdata.val().get_bit(4);
        }
        if self.w_shpr2.q.val() {
            self.n_sys_hi.next = self.sys_hi.q.val() & !self.s_svc.val();
            self.n_sys_lo.next = self.sys_lo.q.val() & !self.s_svc.val();
            if self.wdata.val().get_bit(31) {
                self.n_sys_hi.next = self.n_sys_hi.val() | self.s_svc.val();
            }
            if self.wdata.val().get_bit(30) {
                self.n_sys_lo.next = self.n_sys_lo.val() | self.s_svc.val();
            }
        }
        if self.w_shpr3.q.val() {
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
        self.irq_pend.d.next = self.n_irq_pend.val();
        self.irq_en.d.next = self.n_irq_en.val();
        self.sys_pend.d.next = self.n_sys_pend.val();
        self.sys_hi.d.next = self.n_sys_hi.val();
        self.sys_lo.d.next = self.n_sys_lo.val();
        self.o_ev.d.next = self.new_pend.val() & self.scr_sevonpend.q.val();

        // ---- The winner over the current state (registered below, so a decision lags the state by
        // one cycle and the SCS never decides from the core's next state): the most urgent
        // priority, then the lowest number.
        // hi is 0 if anything pending has hi = 0; lo is then found among those, computed for both
        // values of hi so that it does not wait for m_hi.
        self.ready.next = self.irq_pend.q.val() & self.irq_en.q.val();
        self.any_p.next = self.ready.val().any() | self.sys_pend.q.val().any();
        self.m_hi.next = !((self.ready.val() & !self.pri_hi.q.val()).any()
            | (self.sys_pend.q.val() & !self.sys_hi.q.val()).any());
        self.m_lo.next = !((self.ready.val() & !self.pri_hi.q.val() & !self.pri_lo.q.val()).any()
            | (self.sys_pend.q.val() & !self.sys_hi.q.val() & !self.sys_lo.q.val()).any());
        if self.m_hi.val() {
            self.m_lo.next = !((self.ready.val() & !self.pri_lo.q.val()).any()
                | (self.sys_pend.q.val() & !self.sys_lo.q.val()).any());
        }
        // With m_hi = 1 nothing pending has hi = 0, so `!hi or m_hi` is "hi equals m_hi" for the
        // pending ones; likewise for lo.
        self.m_hi32.next = self.z32.val();
        self.m_lo32.next = self.z32.val();
        if self.m_hi.val() {
            self.m_hi32.next = !self.z32.val();
        }
        if self.m_lo.val() {
            self.m_lo32.next = !self.z32.val();
        }
        self.cand.next = self.ready.val() & (!self.pri_hi.q.val() | self.m_hi32.val()) & (!self.pri_lo.q.val() | self.m_lo32.val());
        self.scand.next = self.sys_pend.q.val()
            & (!self.sys_hi.q.val() | self.m_hi32.val().get_bits::<3>(0))
            & (!self.sys_lo.q.val() | self.m_lo32.val().get_bits::<3>(0));
        // Lowest candidate: the upper half if the lower has none, then a quarter of that, ...
        self.win_idx.next = self.z5.val();
        self.c16.next = self.cand.val().get_bits::<16>(0);
        if !self.c16.val().any() {
            self.win_idx.next = self.win_idx.val() | self.k5_16.val();
            self.c16.next = self.cand.val().get_bits::<16>(16);
        }
        self.c8.next = self.c16.val().get_bits::<8>(0);
        if !self.c8.val().any() {
            self.win_idx.next = self.win_idx.val() | self.b5_8.val();
            self.c8.next = self.c16.val().get_bits::<8>(8);
        }
        self.c4.next = self.c8.val().get_bits::<4>(0);
        if !self.c4.val().any() {
            self.win_idx.next = self.win_idx.val() | self.b5_4.val();
            self.c4.next = self.c8.val().get_bits::<4>(4);
        }
        self.c2.next = self.c4.val().get_bits::<2>(0);
        if !self.c2.val().any() {
            self.win_idx.next = self.win_idx.val() | self.b5_2.val();
            self.c2.next = self.c4.val().get_bits::<2>(2);
        }
        if !self.c2.val().get_bit(0) {
            self.win_idx.next = self.win_idx.val() | self.b5_1.val();
        }
        self.win_rank.next = self.r_none.val();
        if self.any_p.val() {
            // Rank 2 + 2 * hi + lo, as {hi, !hi, lo}.
            self.win_rank.next = self.r_p0.val();
            if self.m_hi.val() {
                self.win_rank.next = self.b3_4.val();
            }
            if self.m_lo.val() {
                self.win_rank.next = self.win_rank.val() | self.b3_1.val();
            }
        }
        // IRQ number = 16 + index: bit 4 of the index moves to bit 5.
        self.win_num.next = self.z6.val();
        if self.any_p.val() {
            self.win_num.next = self.n_irq0.val();
            if self.win_idx.val().get_bit(4) {
                self.win_num.next = self.b6_32.val();
            }
            if self.win_idx.val().get_bit(3) {
                self.win_num.next = self.win_num.val() | self.b6_8.val();
            }
            if self.win_idx.val().get_bit(2) {
                self.win_num.next = self.win_num.val() | self.b6_4.val();
            }
            if self.win_idx.val().get_bit(1) {
                self.win_num.next = self.win_num.val() | self.b6_2.val();
            }
            if self.win_idx.val().get_bit(0) {
                self.win_num.next = self.win_num.val() | self.b6_1.val();
            }
        }
        // System exceptions (11, 14, 15) come before every IRQ at the same priority.
        if self.scand.val().get_bit(2) {
            self.win_num.next = self.n_systick.val();
        }
        if self.scand.val().get_bit(1) {
            self.win_num.next = self.n_pendsv.val();
        }
        if self.scand.val().get_bit(0) {
            self.win_num.next = self.n_svc.val();
        }
        if self.nmi_pend.q.val() {
            self.win_rank.next = self.r_nmi.val();
            self.win_num.next = self.n_nmi.val();
        }

        // ---- Execution priority over the current state, bit by bit like the winner (PRIMASK raises
        // it to priority 0).
        self.any_a.next = self.irq_act.q.val().any() | self.sys_act.q.val().any();
        self.a_hi.next = !((self.irq_act.q.val() & !self.pri_hi.q.val()).any()
            | (self.sys_act.q.val() & !self.sys_hi.q.val()).any());
        self.a_hi32.next = self.z32.val();
        if self.a_hi.val() {
            self.a_hi32.next = !self.z32.val();
        }
        self.ae_hi.next = self.irq_act.q.val() & (!self.pri_hi.q.val() | self.a_hi32.val());
        self.sae_hi.next = self.sys_act.q.val() & (!self.sys_hi.q.val() | self.a_hi32.val().get_bits::<3>(0));
        self.a_lo.next = !((self.ae_hi.val() & !self.pri_lo.q.val()).any()
            | (self.sae_hi.val() & !self.sys_lo.q.val()).any());
        self.act_rank.next = self.r_none.val();
        if self.any_a.val() {
            // Rank 2 + 2 * hi + lo, as {hi, !hi, lo}.
            self.act_rank.next = self.r_p0.val();
            if self.a_hi.val() {
                self.act_rank.next = self.b3_4.val();
            }
            if self.a_lo.val() {
                self.act_rank.next = self.act_rank.val() | self.b3_1.val();
            }
        }
        if self.hf_act.q.val() {
            self.act_rank.next = self.r_hf.val();
        }
        if self.nmi_act.q.val() {
            self.act_rank.next = self.r_nmi.val();
        }
        self.exec_rank.next = self.act_rank.val();
        if self.primask.val() & (self.act_rank.val() > self.r_p0.val()) {
            self.exec_rank.next = self.r_p0.val();
        }
        self.svc_rank.next = self.r_p0.val();
        if self.sys_hi.q.val().get_bit(0) {
            self.svc_rank.next = self.b3_4.val();
        }
        if self.sys_lo.q.val().get_bit(0) {
            self.svc_rank.next = self.svc_rank.val() | self.b3_1.val();
        }

        // ---- Rank of the exception being entered (late arrival needs a strictly lower rank):
        // NMI and HardFault are fixed; the others are 2 + their 2-bit priority.
        self.ent_idx.next = self.entry_num.val().get_bits::<5>(0) - self.k5_16.val();
        self.ent_hi.next = self.pri_hi.q.val().get_bit(self.ent_idx.val().index());
        self.ent_lo.next = self.pri_lo.q.val().get_bit(self.ent_idx.val().index());
        if self.entry_num.val() == self.n_svc.val() {
            self.ent_hi.next = self.sys_hi.q.val().get_bit(0);
            self.ent_lo.next = self.sys_lo.q.val().get_bit(0);
        }
        if self.entry_num.val() == self.n_pendsv.val() {
            self.ent_hi.next = self.sys_hi.q.val().get_bit(1);
            self.ent_lo.next = self.sys_lo.q.val().get_bit(1);
        }
        if self.entry_num.val() == self.n_systick.val() {
            self.ent_hi.next = self.sys_hi.q.val().get_bit(2);
            self.ent_lo.next = self.sys_lo.q.val().get_bit(2);
        }
        self.ent_rank.next = self.r_p0.val();
        if self.ent_hi.val() {
            self.ent_rank.next = self.b3_4.val();
        }
        if self.ent_lo.val() {
            self.ent_rank.next = self.ent_rank.val() | self.b3_1.val();
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
        self.o_isr.d.next = self.ready.val().any();
        self.take.next = self.o_take.q.val();
        self.take_num.next = self.o_num.q.val();
        self.late.next = self.o_late.q.val();
        self.wake.next = self.o_wake.q.val();
        self.svc_ok.next = self.o_svc.q.val();
        self.sevonpend_ev.next = self.o_ev.q.val();
        self.exec_neg.next = self.nmi_act.q.val() | self.hf_act.q.val();
        self.sleepdeep.next = self.scr_sleepdeep.q.val();
        self.sysresetreq.next = self.sysreset.q.val();

        // ---- Read data, muxed in the data phase from the registers as they are then (the state
        // after the edge that ended the address phase) by the selects registered in the address
        // phase: an AND-OR of flops, so `rdata` has no path from this block's inputs. ICSR's
        // VECTPENDING, ISRPENDING and VECTACTIVE show the address phase: the registered decision
        // and copies of ISRPENDING and IPSR.
        self.rd.next = self.z32.val();
        if self.r_en.q.val() {
            self.rd.next = self.rd.val() | self.irq_en.q.val();
        }
        if self.r_pend.q.val() {
            self.rd.next = self.rd.val() | self.irq_pend.q.val();
        }
        self.st_rd.next = self.z24.val();
        if self.r_rvr.q.val() {
            self.st_rd.next = self.st_rvr.q.val();
        }
        if self.r_cvr.q.val() {
            self.st_rd.next = self.st_rd.val() | self.st_cvr.q.val();
        }
        for i in 0..24 {
            if self.st_rd.val().get_bit(i) {
                self.rd.next = self.rd.val() | (1 << i);
            }
        }
        if self.r_csr.q.val() {
            self.rd.next = self.rd.val() | self.v_clksrc.val();
            if self.st_en.q.val() {
                self.rd.next = self.rd.val() | (1 << 0);
            }
            if self.st_tickint.q.val() {
                self.rd.next = self.rd.val() | (1 << 1);
            }
            if self.st_flag.q.val() {
                self.rd.next = self.rd.val() | (1 << 16);
            }
        }
        if self.r_calib.q.val() {
            self.rd.next = self.rd.val() | self.v_calib.val();
        }
        self.ipr_rhi.next = self.pri_hi.q.val().get_bits::<4>(0);
        self.ipr_rlo.next = self.pri_lo.q.val().get_bits::<4>(0);
        for k in 1..8 {
            if self.r_iw.q.val().index() == k {
                self.ipr_rhi.next = self.pri_hi.q.val().get_bits::<4>(4 * k);
                self.ipr_rlo.next = self.pri_lo.q.val().get_bits::<4>(4 * k);
            }
        }
        if self.r_ipr.q.val() {
            for i in 0..4 {
                if self.ipr_rhi.val().get_bit(i) {
                    self.rd.next = self.rd.val() | (1 << (8 * i + 7));
                }
                if self.ipr_rlo.val().get_bit(i) {
                    self.rd.next = self.rd.val() | (1 << (8 * i + 6));
                }
            }
        }
        if self.r_cpuid.q.val() {
            self.rd.next = self.rd.val() | self.v_cpuid.val();
        }
        if self.r_icsr.q.val() {
            for i in 0..6 {
                if self.o_ipsr.q.val().get_bit(i) {
                    self.rd.next = self.rd.val() | (1 << i);
                }
                if self.o_num.q.val().get_bit(i) {
                    self.rd.next = self.rd.val() | (1 << (i + 12));
                }
            }
            if self.o_isr.q.val() {
                self.rd.next = self.rd.val() | (1 << 22);
            }
            if self.sys_pend.q.val().get_bit(2) {
                self.rd.next = self.rd.val() | (1 << 26);
            }
            if self.sys_pend.q.val().get_bit(1) {
                self.rd.next = self.rd.val() | (1 << 28);
            }
            if self.nmi_pend.q.val() {
                self.rd.next = self.rd.val() | (1 << 31);
            }
        }
        if self.r_aircr.q.val() {
            self.rd.next = self.rd.val() | self.v_aircr.val();
        }
        if self.r_scr.q.val() {
            if self.scr_sleepdeep.q.val() {
                self.rd.next = self.rd.val() | (1 << 2);
            }
            if self.scr_sevonpend.q.val() {
                self.rd.next = self.rd.val() | (1 << 4);
            }
        }
        if self.r_ccr.q.val() {
            self.rd.next = self.rd.val() | self.v_ccr.val();
        }
        if self.r_shpr2.q.val() {
            if self.sys_hi.q.val().get_bit(0) {
                self.rd.next = self.rd.val() | (1 << 31);
            }
            if self.sys_lo.q.val().get_bit(0) {
                self.rd.next = self.rd.val() | (1 << 30);
            }
        }
        if self.r_shpr3.q.val() {
            if self.sys_hi.q.val().get_bit(1) {
                self.rd.next = self.rd.val() | (1 << 23);
            }
            if self.sys_lo.q.val().get_bit(1) {
                self.rd.next = self.rd.val() | (1 << 22);
            }
            if self.sys_hi.q.val().get_bit(2) {
                self.rd.next = self.rd.val() | (1 << 31);
            }
            if self.sys_lo.q.val().get_bit(2) {
                self.rd.next = self.rd.val() | (1 << 30);
            }
        }
        self.rdata.next = self.rd.val();
    }
}
