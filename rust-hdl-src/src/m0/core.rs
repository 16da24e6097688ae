//! Soft ARMv6-M core top (`pluton_m0`): prefetch, decode, execute, register file, exception sequencer.
//!
//! One `update()` holds the whole core (combinational sub-blocks on paths both driven and read
//! here would make Verilator see false loops). The exceptions: the decode stage (`M0Decode`),
//! whose outputs are flops, and the register file's LUT RAM, whose read addresses come from the
//! decode stage through nets that `gen.rs` isolates for Verilator.
//! Every cycle either advances (`adv`: HREADY high,
//! no ERROR) or freezes; the AHB address phase is a function of frozen state, so it holds still
//! during wait states. See README.md for the timing contract.

use super::decode::M0Decode;
use super::scs::M0Scs;
use crate::common::prims::{RDff, RegRam};
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// The ARMv6-M core (`pluton_m0`), its System Control Space block inside.
    M0Core
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        HADDR: Signal<Out, Bits<32>>,
        HTRANS: Signal<Out, Bits<2>>,
        HSIZE: Signal<Out, Bits<3>>,
        HBURST: Signal<Out, Bits<3>>,
        HPROT: Signal<Out, Bits<4>>,
        HWRITE: Signal<Out, bool>,
        HWDATA: Signal<Out, Bits<32>>,
        HRDATA: Signal<In, Bits<32>>,
        HREADY: Signal<In, bool>,
        HRESP: Signal<In, bool>,
        IRQ: Signal<In, Bits<32>>,
        NMI: Signal<In, bool>,
        RXEV: Signal<In, bool>,
        TXEV: Signal<Out, bool>,
        SLEEPING: Signal<Out, bool>,
        SLEEPDEEP: Signal<Out, bool>,
        LOCKUP: Signal<Out, bool>,
        SYSRESETREQ: Signal<Out, bool>,
        HALTED: Signal<Out, bool>,
        DBGRESTART: Signal<In, bool>,
        trc_retire: Signal<Out, bool>,
        trc_exc: Signal<Out, bool>,
        trc_excnum: Signal<Out, Bits<6>>,
        trc_pc: Signal<Out, Bits<32>>,
        trc_rf_we: Signal<Out, bool>,
        trc_rf_idx: Signal<Out, Bits<4>>,
        trc_rf_data: Signal<Out, Bits<32>>,
        trc_apsr: Signal<Out, Bits<4>>,
        trc_ipsr: Signal<Out, Bits<6>>,
        trc_control: Signal<Out, Bits<2>>,
        trc_primask: Signal<Out, bool>,
    }
    consts {
        // States.
        s_exec: 4 = 1, s_x2: 4 = 2, s_lsm: 4 = 3, s_lastd: 4 = 4, s_bra: 4 = 5,
        s_brd: 4 = 6, s_stk: 4 = 7, s_veca: 4 = 8, s_vecd: 4 = 9, s_ret: 4 = 10, s_unstk: 4 = 11,
        s_unlast: 4 = 12, s_halt: 4 = 13, s_lock: 4 = 14, s_lock2: 4 = 15,
        // Register numbers (13 MSP, 15 PSP in the file; 15 is PC in instructions).
        r0: 4 = 0, r1: 4 = 1, r2: 4 = 2, r3: 4 = 3, r4: 4 = 4, r12: 4 = 12, r13: 4 = 13,
        r14: 4 = 14, r15: 4 = 15,
        k1: 3 = 1, n0: 6 = 0, n1: 6 = 1, n3: 6 = 3,
        h4_2: 4 = 2, h4_3: 4 = 3, h4_4: 4 = 4, h4_e: 4 = 14,
        one9: 9 = 1,
        zero8: 8 = 0,
        tr_nonseq: 2 = 2, tr_idle: 2 = 0,
        sz0: 3 = 0, sz1: 3 = 1, sz2: 3 = 2, zero4: 4 = 0,
        ones4: 4 = 15,
        one16: 16 = 1,
        sys8: 8 = 8, sys9: 8 = 9, sys16: 8 = 16, sys20: 8 = 20,
        // SCS base address bits 31:12.
        scs_k: 32 = 0xE000E,
        // ~0xE000E000 (the SCS base's complement), bits 31:12 only.
        scs_nk: 32 = 0x1FFF_1000,
        xn3: 3 = 7,
        ret28: 28 = 0xFFF_FFFF,
        er1: 4 = 1, er9: 4 = 9, erd: 4 = 13,
        b2_0: 2 = 0, b2_1: 2 = 1, b2_2: 2 = 2, b2_3: 2 = 3,
        z5: 5 = 0, z9: 9 = 0, c8_32: 8 = 32, c8_31: 8 = 31, k0: 3 = 0,
        k_and: 4 = 1, k_eor: 4 = 2, k_orr: 4 = 3, k_bic: 4 = 4, k_mvn: 4 = 5, k_mov: 4 = 6,
        k_sh: 4 = 7, k_mul: 4 = 8, k_ext: 4 = 9,
        w_o: 2 = 0, w_res: 2 = 1, w_ld: 2 = 2,
        m_nz: 4 = 0b0011, m_nz_only: 4 = 0b1100, m_c: 4 = 0b1101, f8: 4 = 8, f4: 4 = 4, f2: 4 = 2,
        f1: 4 = 1,
        op_msr: 6 = 0b011100, op_mrs: 6 = 0b011111, op_bar: 7 = 0b0111011,
        h4_1: 4 = 1, h4_5: 4 = 5, h4_6: 4 = 6, m9_ff: 9 = 0xFF,
        xff000000: 32 = 0xFF000000,
        xffff0000: 32 = 0xFFFF0000,
        xfffff000: 32 = 0xFFFFF000,
        xfffffe00: 32 = 0xFFFFFE00,
        xffffff00: 32 = 0xFFFFFF00,
        xfffffff0: 32 = 0xFFFFFFF0,
        xfffffff1: 32 = 0xFFFFFFF1,
        xfffffffb: 32 = 0xFFFFFFFB,
        xfffffffc: 32 = 0xFFFFFFFC,
        xfffffffe: 32 = 0xFFFFFFFE,
        ones32: 32 = 0xFFFFFFFF,
    }
    fields {
        scs: M0Scs,
        // Decode stage: the head halfword, its classes and read addresses, in flops.
        ds: M0Decode,
        // R0-R12 and LR in LUT RAM (words 13 and 15 are written but never read);
        // MSP and PSP in flops, since the core reads them beside the two ports.
        rf: RegRam<4, 32>,
        // Which RAM words were written since reset: an unwritten R0-R12 reads as 0, as after
        // reset with flops (the RAM itself has no reset).
        rf_ok: RDff<Bits<16>>,
        /// The register-file words at the decode stage's next read addresses, read a cycle early
        /// (with this edge's write bypassed in), so each execute cycle starts from flops.
        opa: RDff<Bits<32>>,
        opb: RDff<Bits<32>>,
        /// The register write of the edge that loaded `opa`/`opb`, and whether it hit their
        /// addresses: the bypass is chosen after the flops, beside SP and PC, so it stays off
        /// the end of the execute cycle.
        wq: RDff<Bits<32>>,
        /// Whether the words in `opa`/`opb` were written since reset: applied after the flops, so
        /// the register file's read goes straight into them.
        ok_a: RDff<bool>,
        ok_b: RDff<bool>,
        hit_a: RDff<bool>,
        hit_b: RDff<bool>,
        msp: RDff<Bits<32>>,
        psp: RDff<Bits<32>>,
        // ---- State.
        st: RDff<Bits<4>>,
        k: RDff<Bits<3>>,
        pc: RDff<Bits<32>>,
        // PC + 4 (what R15 reads), kept in flops beside the PC so no adder precedes the operands.
        pc4_q: RDff<Bits<32>>,
        ipc: RDff<Bits<32>>,
        buf0: RDff<Bits<32>>,
        buf1: RDff<Bits<32>>,
        bv: RDff<Bits<2>>,
        be: RDff<Bits<2>>,
        faddr: RDff<Bits<32>>,
        maddr: RDff<Bits<32>>,
        fp: RDff<Bits<32>>,
        lsm_list: RDff<Bits<9>>,
        lsm_pc: RDff<bool>,
        lsm_st: RDff<bool>,
        lsm_wb: RDff<bool>,
        lsm_rn: RDff<Bits<4>>,
        // The base register's value before the instruction, put back if a transfer errors.
        lsm_base: RDff<Bits<32>>,
        exc_num: RDff<Bits<6>>,
        exc_thread: RDff<bool>,
        exc_psp: RDff<bool>,
        vmode: RDff<Bits<2>>,
        er: RDff<Bits<4>>,
        align: RDff<bool>,
        unstk_sp: RDff<bool>,
        brd_kind: RDff<Bits<2>>,
        apsr: RDff<Bits<4>>,
        tbit: RDff<bool>,
        ipsr: RDff<Bits<6>>,
        spsel: RDff<bool>,
        npriv: RDff<bool>,
        primask: RDff<bool>,
        asleep: RDff<bool>,
        slp_wfe: RDff<bool>,
        ev: RDff<bool>,
        txev: RDff<bool>,
        // A DBGRESTART pulse that came during a wait state, kept until the bus moves.
        restart_p: RDff<bool>,
        // Data phase in progress.
        dp_fetch: RDff<bool>,
        dp_fslot: RDff<bool>,
        dp_ld: RDff<bool>,
        dp_st: RDff<bool>,
        dp_xpsr: RDff<bool>,
        dp_msp: RDff<bool>,
        dp_pc: RDff<bool>,
        dp_raw: RDff<bool>,
        dp_scs: RDff<bool>,
        dp_size: RDff<Bits<2>>,
        dp_signed: RDff<bool>,
        dp_lane: RDff<Bits<2>>,
        dp_reg: RDff<Bits<4>>,
        dp_wsel: RDff<Bits<2>>,
        // SCS outputs held while the core is frozen.
        fz: RDff<bool>,
        take_h: RDff<bool>,
        late_h: RDff<bool>,
        num_h: RDff<Bits<6>>,
        wake_h: RDff<bool>,
        neg_h: RDff<bool>,
        svc_h: RDff<bool>,
        ev_h: RDff<bool>,
        // ---- Combinational.
        adv: Signal<Local, bool>,
        take_e: Signal<Local, bool>,
        late_e: Signal<Local, bool>,
        num_e: Signal<Local, Bits<6>>,
        wake_e: Signal<Local, bool>,
        neg_e: Signal<Local, bool>,
        svc_e: Signal<Local, bool>,
        ev_e: Signal<Local, bool>,
        is_exec: Signal<Local, bool>,
        handler: Signal<Local, bool>,
        privd: Signal<Local, bool>,
        slot: Signal<Local, bool>,
        w_head: Signal<Local, Bits<32>>,
        w_other: Signal<Local, Bits<16>>,
        hw32: Signal<Local, Bits<32>>,
        hw2_32: Signal<Local, Bits<32>>,
        ipsr32: Signal<Local, Bits<32>>,
        apsr32: Signal<Local, Bits<32>>,
        vaddr: Signal<Local, Bits<32>>,
        hv: Signal<Local, bool>,
        he: Signal<Local, bool>,
        ov: Signal<Local, bool>,
        oe: Signal<Local, bool>,
        hw: Signal<Local, Bits<14>>,
        hw2: Signal<Local, Bits<16>>,
        hv2: Signal<Local, bool>,
        he2: Signal<Local, bool>,
        h12: Signal<Local, bool>,
        h11: Signal<Local, bool>,
        h10: Signal<Local, bool>,
        h9: Signal<Local, bool>,
        h8: Signal<Local, bool>,
        h7: Signal<Local, bool>,
        h6: Signal<Local, bool>,
        imm5: Signal<Local, Bits<32>>,
        imm8: Signal<Local, Bits<32>>,
        imm3: Signal<Local, Bits<32>>,
        cond_ok: Signal<Local, bool>,
        cond_base: Signal<Local, bool>,
        // Operands and ALU.
        ra: Signal<Local, Bits<4>>,
        rb: Signal<Local, Bits<4>>,
        ra_v: Signal<Local, Bits<32>>,
        rb_v: Signal<Local, Bits<32>>,
        sp_cur: Signal<Local, Bits<32>>,
        pc4: Signal<Local, Bits<32>>,
        a_v: Signal<Local, Bits<32>>,
        b_v: Signal<Local, Bits<32>>,
        b_inv: Signal<Local, bool>,
        cin: Signal<Local, bool>,
        cin32: Signal<Local, Bits<32>>,
        bx: Signal<Local, Bits<32>>,
        sum: Signal<Local, Bits<32>>,
        c_add: Signal<Local, bool>,
        v_add: Signal<Local, bool>,
        sh_in: Signal<Local, Bits<32>>,
        sh_amt: Signal<Local, Bits<8>>,
        sh_op: Signal<Local, Bits<2>>,
        sh_neg: Signal<Local, bool>,
        sh_x: Signal<Local, Bits<32>>,
        sh_n5: Signal<Local, Bits<5>>,
        sh_big: Signal<Local, bool>,
        // The rotator: right by sh_rn, in five stages.
        sh_rn: Signal<Local, Bits<5>>,
        sh_q1: Signal<Local, Bits<32>>,
        sh_q2: Signal<Local, Bits<32>>,
        sh_q3: Signal<Local, Bits<32>>,
        sh_q4: Signal<Local, Bits<32>>,
        sh_rot: Signal<Local, Bits<32>>,
        sh_mask: Signal<Local, Bits<32>>,
        sh_u: Signal<Local, Bits<32>>,
        sh_uc: Signal<Local, bool>,
        sh_res: Signal<Local, Bits<32>>,
        sh_c: Signal<Local, bool>,
        p0: Signal<Local, Bits<32>>,
        p1: Signal<Local, Bits<32>>,
        p2: Signal<Local, Bits<32>>,
        prod: Signal<Local, Bits<32>>,
        prod_q: RDff<Bits<32>>,
        ext_res: Signal<Local, Bits<32>>,
        r_sel: Signal<Local, Bits<4>>,
        res: Signal<Local, Bits<32>>,
        c_old: Signal<Local, bool>,
        f_nz: Signal<Local, bool>,
        f_cv: Signal<Local, bool>,
        f_c: Signal<Local, bool>,
        // Register write port (one per cycle).
        we: Signal<Local, bool>,
        wl: Signal<Local, Bits<4>>,
        wphys: Signal<Local, bool>,
        wd: Signal<Local, Bits<32>>,
        /// The write data's source: `wd_o`, the ALU result or the load value, chosen last so the
        /// result and the load data (the latest signals) pass one mux, not the whole chain.
        wd_sel: Signal<Local, Bits<2>>,
        /// A data instruction retires this cycle (its result, flags and PC step).
        alu_done: Signal<Local, bool>,
        wd_o: Signal<Local, Bits<32>>,
        widx: Signal<Local, Bits<4>>,
        wdata: Signal<Local, Bits<32>>,
        wen: Signal<Local, bool>,
        // Loads, stores, bus requests.
        ls: Signal<Local, bool>,
        ls_load: Signal<Local, bool>,
        ls_size: Signal<Local, Bits<2>>,
        ls_signed: Signal<Local, bool>,
        ls_rt: Signal<Local, Bits<4>>,
        list9: Signal<Local, Bits<9>>,
        lcnt: Signal<Local, Bits<32>>,
        pc4_k: Signal<Local, Bits<32>>,
        lc4: Signal<Local, Bits<4>>,
        low9: Signal<Local, Bits<9>>,
        low_idx: Signal<Local, Bits<4>>,
        req: Signal<Local, bool>,
        rq_addr: Signal<Local, Bits<32>>,
        rq_write: Signal<Local, bool>,
        rq_size: Signal<Local, Bits<2>>,
        rq_scs: Signal<Local, bool>,
        // The request's address is the adder's sum (its SCS test then skips the carry chain).
        rq_sum: Signal<Local, bool>,
        // The request's address when it is not the sum.
        rq_alt: Signal<Local, Bits<32>>,
        scs_lo: Signal<Local, Bits<32>>,
        scs_need: Signal<Local, Bits<32>>,
        scs_get: Signal<Local, Bits<32>>,
        rq_fault: Signal<Local, bool>,
        /// A request failed its checks in the previous cycle: HardFault now (its second cycle).
        rq_fault_q: RDff<bool>,
        /// T1 of an exception return: wait for the SCS's decision (state 10 decides in T2).
        ret_wait: RDff<bool>,
        n_ld: Signal<Local, bool>,
        n_st: Signal<Local, bool>,
        n_xpsr: Signal<Local, bool>,
        n_msp: Signal<Local, bool>,
        n_pc: Signal<Local, bool>,
        n_raw: Signal<Local, bool>,
        n_signed: Signal<Local, bool>,
        n_reg: Signal<Local, Bits<4>>,
        n_wsel: Signal<Local, Bits<2>>,
        fetch: Signal<Local, bool>,
        fetch_xn: Signal<Local, bool>,
        pf_en: Signal<Local, bool>,
        /// Keeps the prefetch off in a cycle that also enables it (a branch); only the fetch reads it.
        flush: Signal<Local, bool>,
        ex_fault: Signal<Local, bool>,
        fd: Signal<Local, Bits<2>>,
        pc_cross: Signal<Local, bool>,
        /// PC's next value is `target` (the ALU result), unless `pc_step` (PC + 2) is set.
        pc_tgt: Signal<Local, bool>,
        /// PC's next value is the loaded word (POP of PC, unstacking, a vector), unless `pc_step`
        /// or `pc_tgt` is set.
        pc_rd: Signal<Local, bool>,
        /// PC + 2: the step, and BLX's return address.
        pc2: Signal<Local, Bits<32>>,
        req_pre: Signal<Local, bool>,
        fault_pre: Signal<Local, bool>,
        rd_word: Signal<Local, Bits<32>>,
        ld_val: Signal<Local, Bits<32>>,
        ld_sh: Signal<Local, Bits<32>>,
        st_val: Signal<Local, Bits<32>>,
        xpsr_v: Signal<Local, Bits<32>>,
        frameptr: Signal<Local, Bits<32>>,
        exc_ret: Signal<Local, Bits<32>>,
        target: Signal<Local, Bits<32>>,
        ex_val: Signal<Local, Bits<32>>,
        bl_off: Signal<Local, Bits<32>>,
        mrs_v: Signal<Local, Bits<32>>,
        sysm: Signal<Local, Bits<8>>,
        // Control.
        retire: Signal<Local, bool>,
        // The instruction ends and the next one, 2 bytes on, runs next (if nothing intervenes).
        pc_step: Signal<Local, bool>,
        seq_step: Signal<Local, bool>,
        step_pre: Signal<Local, bool>,
        // Fetch data lands in the buffer this cycle.
        f_in: Signal<Local, bool>,
        ret_ipc: Signal<Local, bool>,
        ret_exc: Signal<Local, bool>,
        ret_lock: Signal<Local, bool>,
        fault: Signal<Local, bool>,
        stk_go: Signal<Local, bool>,
        /// This cycle's request is a word of a multi-word transfer: `maddr` gets its address + 4.
        maddr_up: Signal<Local, bool>,
        stk_k: Signal<Local, Bits<3>>,
        veca_go: Signal<Local, bool>,
        vnum: Signal<Local, Bits<6>>,
        exret: Signal<Local, bool>,
        exret_ok: Signal<Local, bool>,
        err_now: Signal<Local, bool>,
        wake_c: Signal<Local, bool>,
        alu: Signal<Local, bool>,
        /// MULS: its product is registered in its first cycle and written in its second.
        mul_x: Signal<Local, bool>,
        alu_we: Signal<Local, bool>,
        wl_alu: Signal<Local, Bits<4>>,
        apsr_alu: Signal<Local, Bits<4>>,
        lsm_go: Signal<Local, bool>,
        lsm_abort: Signal<Local, bool>,
        rq_chk: Signal<Local, bool>,
        hwdata: Signal<Local, Bits<32>>,
        f_addr: Signal<Local, Bits<32>>,
        ahb: Signal<Local, bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    M0Core;
    reset [wq, hit_a, hit_b, ok_a, ok_b, opa, opb, rq_fault_q, prod_q, scs, ds, pc4_q, unstk_sp, ev, txev, fz, take_h, late_h, num_h, wake_h, neg_h, svc_h,
        ev_h, restart_p]
    clock [rf]
    hold [ret_wait, rf_ok, msp, psp, st, k, pc, ipc, buf0, buf1, bv, be, faddr, maddr, fp, lsm_list, lsm_pc,
        lsm_st, lsm_wb, lsm_rn, lsm_base, exc_num, exc_thread, exc_psp, vmode, er, align, brd_kind,
        apsr, tbit, ipsr, spsel, npriv, primask, asleep, slp_wfe, dp_fetch, dp_fslot, dp_ld, dp_st,
        dp_xpsr, dp_msp, dp_pc, dp_raw, dp_scs, dp_size, dp_signed, dp_lane, dp_reg, dp_wsel]
    fn update(&mut self) {
        // Defaults other than hold.
        self.unstk_sp.d.next = false;
        self.ev.d.next = self.ev.q.val() | self.scs.sevonpend_ev.val();
        self.txev.d.next = false;


        // ---- Bus status; SCS outputs are held while frozen so decisions repeat exactly.
        self.adv.next = self.HREADY.val() & !self.HRESP.val();
        self.restart_p.d.next = (self.st.q.val() == self.s_halt.val()) & (self.DBGRESTART.val() | self.restart_p.q.val()) & !self.adv.val();
        self.take_e.next = self.scs.take.val();
        self.late_e.next = self.scs.late.val();
        self.num_e.next = self.scs.take_num.val();
        self.wake_e.next = self.scs.wake.val();
        self.neg_e.next = self.scs.exec_neg.val();
        self.svc_e.next = self.scs.svc_ok.val();
        self.ev_e.next = self.ev.q.val() | self.scs.sevonpend_ev.val();
        if self.fz.q.val() {
            self.take_e.next = self.take_h.q.val();
            self.late_e.next = self.late_h.q.val();
            self.num_e.next = self.num_h.q.val();
            self.wake_e.next = self.wake_h.q.val();
            self.neg_e.next = self.neg_h.q.val();
            self.svc_e.next = self.svc_h.q.val();
            self.ev_e.next = self.ev_h.q.val();
        }
        self.fz.d.next = !self.adv.val();
        self.take_h.d.next = self.take_e.val();
        self.late_h.d.next = self.late_e.val();
        self.num_h.d.next = self.num_e.val();
        self.wake_h.d.next = self.wake_e.val();
        self.neg_h.d.next = self.neg_e.val();
        self.svc_h.d.next = self.svc_e.val();
        self.ev_h.d.next = self.ev_e.val();

        self.is_exec.next = self.st.q.val() == self.s_exec.val();
        self.handler.next = self.ipsr.q.val() != self.n0.val();
        self.privd.next = self.handler.val() | !self.npriv.q.val();

        // ---- Instruction buffer: two words, slot = address bit 2.
        self.slot.next = self.pc.q.val().get_bit(2);
        self.w_head.next = self.buf0.q.val();
        self.w_other.next = self.buf1.q.val().get_bits::<16>(0);
        self.hv.next = self.bv.q.val().get_bit(0);
        self.he.next = self.be.q.val().get_bit(0);
        self.ov.next = self.bv.q.val().get_bit(1);
        self.oe.next = self.be.q.val().get_bit(1);
        if self.slot.val() {
            self.w_head.next = self.buf1.q.val();
            self.w_other.next = self.buf0.q.val().get_bits::<16>(0);
            self.hv.next = self.bv.q.val().get_bit(1);
            self.he.next = self.be.q.val().get_bit(1);
            self.ov.next = self.bv.q.val().get_bit(0);
            self.oe.next = self.be.q.val().get_bit(0);
        }
        // The head halfword comes from the decode stage's flops (bits 15:14 are in its classes).
        self.hw.next = self.ds.hw32.val().get_bits::<14>(0);
        self.hw2.next = self.w_head.val().get_bits::<16>(16);
        self.hw32.next = self.ds.hw32.val();
        self.hw2_32.next = self.w_head.val() >> 16;
        self.hv2.next = self.hv.val();
        self.he2.next = self.he.val();
        if self.pc.q.val().get_bit(1) {
            self.hw2.next = self.w_other.val();
            if self.slot.val() {
                self.hw2_32.next = self.buf0.q.val() & 0xFFFF;
            } else {
                self.hw2_32.next = self.buf1.q.val() & 0xFFFF;
            }
            self.hv2.next = self.ov.val();
            self.he2.next = self.oe.val();
        }

        // ---- Decode (of the head halfword; it stays at the head until the instruction ends).
        self.h12.next = self.hw.val().get_bit(12);
        self.h11.next = self.hw.val().get_bit(11);
        self.h10.next = self.hw.val().get_bit(10);
        self.h9.next = self.hw.val().get_bit(9);
        self.h8.next = self.hw.val().get_bit(8);
        self.h7.next = self.hw.val().get_bit(7);
        self.h6.next = self.hw.val().get_bit(6);
        self.imm5.next = (self.hw32.val() >> 6) & 0x1F;
        self.imm8.next = self.hw32.val() & 0xFF;
        self.imm3.next = (self.hw32.val() >> 6) & 7;

        // Condition codes: bits 3..1 pick a test, bit 0 inverts it.
        self.cond_base.next = false;
        match self.hw.val().get_bits::<3>(9).index() {
            0 => self.cond_base.next = self.apsr.q.val().get_bit(2),
            1 => self.cond_base.next = self.apsr.q.val().get_bit(1),
            2 => self.cond_base.next = self.apsr.q.val().get_bit(3),
            3 => self.cond_base.next = self.apsr.q.val().get_bit(0),
            4 => self.cond_base.next = self.apsr.q.val().get_bit(1) & !self.apsr.q.val().get_bit(2),
            5 => self.cond_base.next = self.apsr.q.val().get_bit(3) == self.apsr.q.val().get_bit(0),
            6 => {
                self.cond_base.next =
                    !self.apsr.q.val().get_bit(2) & (self.apsr.q.val().get_bit(3) == self.apsr.q.val().get_bit(0))
            }
            _ => self.cond_base.next = true,
        }
        self.cond_ok.next = self.cond_base.val() ^ self.h8.val();


        // ---- Load/store decode: size 0 byte, 1 half, 2 word.
        self.ls.next = self.ds.i_ldst_reg.val() | self.ds.i_ldst_imm.val() | self.ds.i_ldst_h.val() | self.ds.i_ldst_sp.val() | self.ds.i_ldrlit.val();
        self.ls_load.next = self.h11.val();
        self.ls_size.next = self.b2_2.val();
        self.ls_signed.next = false;
        self.ls_rt.next = self.ds.f_rd.val();
        if self.ds.i_ldst_reg.val() {
            match self.hw.val().get_bits::<3>(9).index() {
                0 => self.ls_load.next = false,
                1 => {
                    self.ls_load.next = false;
                    self.ls_size.next = self.b2_1.val();
                }
                2 => {
                    self.ls_load.next = false;
                    self.ls_size.next = self.b2_0.val();
                }
                3 => {
                    self.ls_load.next = true;
                    self.ls_size.next = self.b2_0.val();
                    self.ls_signed.next = true;
                }
                4 => self.ls_load.next = true,
                5 => {
                    self.ls_load.next = true;
                    self.ls_size.next = self.b2_1.val();
                }
                6 => {
                    self.ls_load.next = true;
                    self.ls_size.next = self.b2_0.val();
                }
                _ => {
                    self.ls_load.next = true;
                    self.ls_size.next = self.b2_1.val();
                    self.ls_signed.next = true;
                }
            }
        } else if self.ds.i_ldst_imm.val() & self.h12.val() {
            self.ls_size.next = self.b2_0.val();
        } else if self.ds.i_ldst_h.val() {
            self.ls_size.next = self.b2_1.val();
        } else if self.ds.i_ldst_sp.val() | self.ds.i_ldrlit.val() {
            self.ls_rt.next = self.ds.f_r8.val();
            self.ls_load.next = self.h11.val() | self.ds.i_ldrlit.val();
        }

        // ---- LDM/STM/PUSH/POP register list (bit 8: LR for PUSH, PC for POP).
        self.list9.next = self.lsm_list.q.val();
        if self.is_exec.val() {
            self.list9.next = self.hw.val().get_bits::<9>(0);
            if self.ds.i_stm.val() | self.ds.i_ldm.val() {
                self.list9.next = self.hw.val().get_bits::<9>(0) & self.m9_ff.val();
            }
        }
        // 4 x the number of listed registers: counted in 4 bits, then shifted (it feeds PUSH's
        // address adder; 32-bit adds of the counts cost 40 LUTs).
        self.lc4.next = self.zero4.val();
        for i in 0..9 {
            if self.list9.val().get_bit(i) {
                self.lc4.next = self.lc4.val() + self.h4_1.val();
            }
        }
        self.lcnt.next = bits::<32>(0);
        for i in 0..4 {
            if self.lc4.val().get_bit(i) {
                self.lcnt.next = self.lcnt.val() | (4 << i);
            }
        }
        self.low9.next = self.list9.val() & (!self.list9.val() + self.one9.val());
        self.low_idx.next = self.zero4.val();
        if self.low9.val().get_bit(1) | self.low9.val().get_bit(3) | self.low9.val().get_bit(5) | self.low9.val().get_bit(7) {
            self.low_idx.next = self.r1.val();
        }
        if self.low9.val().get_bit(2) | self.low9.val().get_bit(3) | self.low9.val().get_bit(6) | self.low9.val().get_bit(7) {
            self.low_idx.next = self.low_idx.val() | self.r2.val();
        }
        if self.low9.val().get_bit(4) | self.low9.val().get_bit(5) | self.low9.val().get_bit(6) | self.low9.val().get_bit(7) {
            self.low_idx.next = self.low_idx.val() | self.r4.val();
        }
        if self.low9.val().get_bit(8) {
            self.low_idx.next = self.r14.val();
        }

        // ---- BL offset: S:I1:I2:imm10:imm11:0, I = NOT(J EOR S).
        self.bl_off.next = ((self.hw2_32.val() & 0x7FF) << 1) | ((self.hw32.val() & 0x3FF) << 12);
        if self.hw.val().get_bit(10) {
            self.bl_off.next = self.bl_off.val() | self.xff000000.val();
        }
        if !(self.hw2.val().get_bit(13) ^ self.hw.val().get_bit(10)) {
            self.bl_off.next = self.bl_off.val() | 0x0080_0000;
        }
        if !(self.hw2.val().get_bit(11) ^ self.hw.val().get_bit(10)) {
            self.bl_off.next = self.bl_off.val() | 0x0040_0000;
        }

        // ---- Register read ports (15 reads as PC + 4, 13 as the SP in use).
        self.pc4.next = self.pc4_q.q.val();
        self.pc2.next = self.pc.q.val() + 2;
        self.sp_cur.next = self.msp.q.val();
        if self.spsel.q.val() {
            self.sp_cur.next = self.psp.q.val();
        }
        // The read addresses were decoded a cycle early and come from flops; so do the register
        // file's words (`opa`, `opb`, read with the next addresses, below), and only SP and PC
        // are chosen here.
        self.ra.next = self.ds.ra.val();
        self.rb.next = self.ds.rb.val();
        self.ra_v.next = self.opa.q.val();
        if !self.ok_a.q.val() {
            self.ra_v.next = bits::<32>(0);
        }
        if self.hit_a.q.val() {
            self.ra_v.next = self.wq.q.val();
        }
        if self.ra.val() == self.r13.val() {
            self.ra_v.next = self.sp_cur.val();
        } else if self.ra.val() == self.r15.val() {
            self.ra_v.next = self.pc4.val();
        }
        self.rb_v.next = self.opb.q.val();
        if !self.ok_b.q.val() {
            self.rb_v.next = bits::<32>(0);
        }
        if self.hit_b.q.val() {
            self.rb_v.next = self.wq.q.val();
        }
        if self.rb.val() == self.r13.val() {
            self.rb_v.next = self.sp_cur.val();
        } else if self.rb.val() == self.r15.val() {
            self.rb_v.next = self.pc4.val();
        }

        // ---- Operands, result select and flag updates of the 1-cycle data instructions.
        // r_sel: 0 add, 1 and, 2 eor, 3 orr, 4 bic, 5 mvn, 6 mov B, 7 shift, 8 mul, 9 ext.
        self.a_v.next = self.ra_v.val();
        self.b_v.next = self.rb_v.val();
        self.b_inv.next = false;
        self.cin.next = false;
        self.c_old.next = self.apsr.q.val().get_bit(1);
        self.sh_in.next = self.ra_v.val();
        self.sh_amt.next = self.rb_v.val().get_bits::<8>(0);
        self.sh_op.next = self.hw.val().get_bits::<2>(11);
        self.r_sel.next = self.zero4.val();
        self.alu.next = false;
        self.alu_we.next = true;
        self.wl_alu.next = self.ds.f_rd.val();
        self.f_nz.next = true;
        self.f_cv.next = false;
        self.f_c.next = false;
        if self.ds.i_shift.val() {
            self.alu.next = true;
            self.r_sel.next = self.k_sh.val();
            self.f_c.next = true;
            self.sh_amt.next = self.hw.val().get_bits::<8>(6) & self.c8_31.val();
            // LSR/ASR #0 mean 32.
            if (self.hw.val().get_bits::<5>(6) == self.z5.val()) & (self.h12.val() | self.h11.val()) {
                self.sh_amt.next = self.c8_32.val();
            }
        } else if self.ds.i_addsub.val() {
            self.alu.next = true;
            self.f_cv.next = true;
            if self.h10.val() {
                self.b_v.next = self.imm3.val();
            }
            self.b_inv.next = self.h9.val();
            self.cin.next = self.h9.val();
        } else if self.ds.i_imm8.val() {
            // MOV, CMP, ADD, SUB.
            self.alu.next = true;
            self.wl_alu.next = self.ds.f_r8.val();
            self.b_v.next = self.imm8.val();
            self.b_inv.next = self.h11.val();
            self.cin.next = self.h11.val();
            self.f_cv.next = self.h12.val() | self.h11.val();
            if !self.h12.val() & !self.h11.val() {
                self.r_sel.next = self.k_mov.val();
            }
            if !self.h12.val() & self.h11.val() {
                self.alu_we.next = false;
            }
        } else if self.ds.i_dp.val() {
            self.alu.next = true;
            match self.hw.val().get_bits::<4>(6).index() {
                0 => self.r_sel.next = self.k_and.val(),
                1 => self.r_sel.next = self.k_eor.val(),
                2 => {
                    self.r_sel.next = self.k_sh.val();
                    self.sh_op.next = self.b2_0.val();
                    self.f_c.next = true;
                }
                3 => {
                    self.r_sel.next = self.k_sh.val();
                    self.sh_op.next = self.b2_1.val();
                    self.f_c.next = true;
                }
                4 => {
                    self.r_sel.next = self.k_sh.val();
                    self.sh_op.next = self.b2_2.val();
                    self.f_c.next = true;
                }
                5 => {
                    self.cin.next = self.c_old.val();
                    self.f_cv.next = true;
                }
                6 => {
                    self.b_inv.next = true;
                    self.cin.next = self.c_old.val();
                    self.f_cv.next = true;
                }
                7 => {
                    self.r_sel.next = self.k_sh.val();
                    self.sh_op.next = self.b2_3.val();
                    self.f_c.next = true;
                }
                8 => {
                    self.r_sel.next = self.k_and.val();
                    self.alu_we.next = false;
                }
                9 => {
                    self.a_v.next = bits::<32>(0);
                    self.b_inv.next = true;
                    self.cin.next = true;
                    self.f_cv.next = true;
                }
                10 => {
                    self.b_inv.next = true;
                    self.cin.next = true;
                    self.f_cv.next = true;
                    self.alu_we.next = false;
                }
                11 => {
                    self.f_cv.next = true;
                    self.alu_we.next = false;
                }
                12 => self.r_sel.next = self.k_orr.val(),
                13 => self.r_sel.next = self.k_mul.val(),
                14 => self.r_sel.next = self.k_bic.val(),
                _ => self.r_sel.next = self.k_mvn.val(),
            }
        } else if self.ds.i_hi.val() {
            // ADD (no flags), CMP, MOV (no flags); BX/BLX handled by control.
            self.wl_alu.next = self.ds.f_hd.val();
            self.f_nz.next = false;
            if !self.h9.val() & self.h8.val() {
                self.b_inv.next = true;
                self.cin.next = true;
                self.f_nz.next = true;
                self.f_cv.next = true;
                self.alu_we.next = false;
            }
            // MOV, and BX/BLX (whose target is Rm).
            if self.h9.val() {
                self.r_sel.next = self.k_mov.val();
            }
            self.alu.next = !(self.h9.val() & self.h8.val()) & (self.ds.f_hd.val() != self.r15.val());
        } else if self.ls.val() {
            if self.ds.i_ldrlit.val() {
                self.a_v.next = self.ra_v.val() & self.xfffffffc.val();
                self.b_v.next = self.imm8.val() << 2;
            } else if self.ds.i_ldst_sp.val() {
                self.b_v.next = self.imm8.val() << 2;
            } else if self.ds.i_ldst_imm.val() {
                self.b_v.next = self.imm5.val() << 2;
                if self.h12.val() {
                    self.b_v.next = self.imm5.val();
                }
            } else if self.ds.i_ldst_h.val() {
                self.b_v.next = self.imm5.val() << 1;
            }
        } else if self.ds.i_adr.val() | self.ds.i_addsp8.val() {
            self.alu.next = true;
            self.f_nz.next = false;
            self.wl_alu.next = self.ds.f_r8.val();
            self.a_v.next = self.ra_v.val() & self.xfffffffc.val();
            self.b_v.next = self.imm8.val() << 2;
        } else if self.ds.m_addsp.val() | self.ds.m_subsp.val() {
            self.alu.next = true;
            self.f_nz.next = false;
            self.wl_alu.next = self.r13.val();
            self.b_v.next = (self.hw32.val() & 0x7F) << 2;
            self.b_inv.next = self.h7.val();
            self.cin.next = self.h7.val();
        } else if self.ds.m_ext.val() | self.ds.m_rev.val() {
            self.alu.next = true;
            self.f_nz.next = false;
            self.r_sel.next = self.k_ext.val();
        } else if self.ds.i_stm.val() | self.ds.i_ldm.val() | self.ds.m_push.val() | self.ds.m_pop.val() {
            // The adder gives the written-back SP/Rn; PUSH starts at SP - 4n.
            self.b_v.next = self.lcnt.val();
            self.b_inv.next = self.ds.m_push.val();
            self.cin.next = self.ds.m_push.val();
        } else if self.ds.i_bcg.val() {
            self.b_v.next = (self.hw32.val() & 0xFF) << 1;
            if self.h7.val() {
                self.b_v.next = ((self.hw32.val() & 0xFF) << 1) | self.xfffffe00.val();
            }
        } else if self.ds.i_b.val() {
            self.b_v.next = (self.hw32.val() & 0x7FF) << 1;
            if self.h10.val() {
                self.b_v.next = ((self.hw32.val() & 0x7FF) << 1) | self.xfffff000.val();
            }
        } else if self.ds.i_32.val() {
            // BL adds its offset; MSR, MRS and the barriers (second halfword bit 14 clear) add 0,
            // so every 32-bit instruction's next PC is the result.
            self.a_v.next = self.pc4.val();
            self.b_v.next = bits::<32>(0);
            if self.hw2.val().get_bit(14) {
                self.b_v.next = self.bl_off.val();
            }
        }

        // ---- Adder.
        self.bx.next = self.b_v.val();
        if self.b_inv.val() {
            self.bx.next = !self.b_v.val();
        }
        // The carry-in as a third operand, not `if cin { a + b + 1 }`: Yosys makes that one
        // carry chain with CI instead of two adders and a 32-bit mux after them.
        self.cin32.next = bits::<32>(0);
        if self.cin.val() {
            self.cin32.next = bits::<32>(1);
        }
        self.sum.next = self.a_v.val() + self.bx.val() + self.cin32.val();
        // Carry out of bit 31 from bit 31 of the operands and the sum.
        self.c_add.next = (self.a_v.val().get_bit(31) & self.bx.val().get_bit(31))
            | ((self.a_v.val().get_bit(31) ^ self.bx.val().get_bit(31)) & !self.sum.val().get_bit(31));
        self.v_add.next = (self.a_v.val().get_bit(31) == self.bx.val().get_bit(31))
            & (self.sum.val().get_bit(31) != self.a_v.val().get_bit(31));

        // ---- Shifter: 0 LSL, 1 LSR, 2 ASR, 3 ROR. ASR shifts the complement of a negative value.
        self.sh_neg.next = (self.sh_op.val() == self.b2_2.val()) & self.sh_in.val().get_bit(31);
        self.sh_x.next = self.sh_in.val();
        if self.sh_neg.val() {
            self.sh_x.next = !self.sh_in.val();
        }
        // One rotator and a mask instead of two barrel shifters. LSL by n rotates right by
        // 32 - n; the carry (last bit shifted out) then sits in bit 0 (LSL) or bit 31 (others).
        // Amounts of 32 and more (register shifts) give 0, or the sign for ASR.
        self.sh_n5.next = self.sh_amt.val().get_bits::<5>(0);
        self.sh_big.next = self.sh_amt.val().get_bits::<3>(5) != self.k0.val();
        self.sh_rn.next = self.sh_n5.val();
        self.sh_mask.next = self.ones32.val() >> self.sh_n5.val();
        if self.sh_op.val() == self.b2_0.val() {
            self.sh_rn.next = self.z5.val() - self.sh_n5.val();
            self.sh_mask.next = self.ones32.val() << self.sh_n5.val();
        }
        self.sh_q1.next = self.sh_x.val();
        if self.sh_rn.val().get_bit(0) {
            self.sh_q1.next = (self.sh_x.val() >> 1) | (self.sh_x.val() << 31);
        }
        self.sh_q2.next = self.sh_q1.val();
        if self.sh_rn.val().get_bit(1) {
            self.sh_q2.next = (self.sh_q1.val() >> 2) | (self.sh_q1.val() << 30);
        }
        self.sh_q3.next = self.sh_q2.val();
        if self.sh_rn.val().get_bit(2) {
            self.sh_q3.next = (self.sh_q2.val() >> 4) | (self.sh_q2.val() << 28);
        }
        self.sh_q4.next = self.sh_q3.val();
        if self.sh_rn.val().get_bit(3) {
            self.sh_q4.next = (self.sh_q3.val() >> 8) | (self.sh_q3.val() << 24);
        }
        self.sh_rot.next = self.sh_q4.val();
        if self.sh_rn.val().get_bit(4) {
            self.sh_rot.next = (self.sh_q4.val() >> 16) | (self.sh_q4.val() << 16);
        }
        // LSL, LSR and ASR (before ASR's complement): masked, and 0 from 32 on.
        self.sh_u.next = self.sh_rot.val() & self.sh_mask.val();
        self.sh_uc.next = self.sh_rot.val().get_bit(31);
        if self.sh_op.val() == self.b2_0.val() {
            self.sh_uc.next = self.sh_rot.val().get_bit(0);
        }
        if self.sh_big.val() {
            self.sh_u.next = bits::<32>(0);
            if self.sh_amt.val() != self.c8_32.val() {
                self.sh_uc.next = false;
            }
        }
        self.sh_res.next = self.sh_u.val();
        self.sh_c.next = self.sh_uc.val();
        if self.sh_op.val() == self.b2_3.val() {
            self.sh_res.next = self.sh_rot.val();
            self.sh_c.next = self.sh_rot.val().get_bit(31);
        } else if self.sh_neg.val() {
            self.sh_res.next = !self.sh_u.val();
            self.sh_c.next = !self.sh_uc.val();
        }
        if self.sh_amt.val() == self.zero8.val() {
            self.sh_res.next = self.sh_in.val();
            self.sh_c.next = self.c_old.val();
        }

        // ---- Multiplier: low 32 bits from three 16 x 16 products.
        // MULS multiplies Rdn by Rm (a_v and b_v are the read ports then): taking the ports
        // keeps the operand muxes off the multiplier's path.
        self.p0.next = self.ra_v.val().get_bits::<16>(0) * self.rb_v.val().get_bits::<16>(0);
        self.p1.next = self.ra_v.val().get_bits::<16>(16) * self.rb_v.val().get_bits::<16>(0);
        self.p2.next = self.ra_v.val().get_bits::<16>(0) * self.rb_v.val().get_bits::<16>(16);
        // Only the upper half needs adding (the cross products have no low half).
        self.prod.next = (self.p0.val() & 0xFFFF) | (((self.p0.val() >> 16) + self.p1.val() + self.p2.val()) << 16);
        // Registered every cycle: MULS's second cycle writes the product of its first (nothing
        // writes the registers in between), so the multiplier ends in a flop, not in the RF.
        self.prod_q.d.next = self.prod.val();
        self.mul_x.next = self.alu.val() & (self.r_sel.val() == self.k_mul.val());

        // ---- Extend and byte reverse of Rm.
        match self.hw.val().get_bits::<2>(6).index() {
            0 => {
                self.ext_res.next = self.b_v.val() & 0xFFFF;
                if self.b_v.val().get_bit(15) {
                    self.ext_res.next = self.b_v.val() | self.xffff0000.val();
                }
            }
            1 => {
                self.ext_res.next = self.b_v.val() & 0xFF;
                if self.b_v.val().get_bit(7) {
                    self.ext_res.next = self.b_v.val() | self.xffffff00.val();
                }
            }
            2 => self.ext_res.next = self.b_v.val() & 0xFFFF,
            _ => self.ext_res.next = self.b_v.val() & 0xFF,
        }
        if self.ds.m_rev.val() {
            if self.h6.val() {
                self.ext_res.next = ((self.b_v.val() & 0x00FF_00FF) << 8) | ((self.b_v.val() >> 8) & 0x00FF_00FF);
                if self.h7.val() {
                    self.ext_res.next = ((self.b_v.val() & 0xFF) << 8) | ((self.b_v.val() >> 8) & 0xFF);
                    if self.b_v.val().get_bit(7) {
                        self.ext_res.next = self.ext_res.val() | self.xffff0000.val();
                    }
                }
            } else {
                self.ext_res.next = ((self.b_v.val() & 0xFF) << 24)
                    | ((self.b_v.val() & 0xFF00) << 8)
                    | ((self.b_v.val() >> 8) & 0xFF00)
                    | (self.b_v.val() >> 24);
            }
        }
        match self.r_sel.val().index() {
            1 => self.res.next = self.a_v.val() & self.b_v.val(),
            2 => self.res.next = self.a_v.val() ^ self.b_v.val(),
            3 => self.res.next = self.a_v.val() | self.b_v.val(),
            4 => self.res.next = self.a_v.val() & !self.b_v.val(),
            5 => self.res.next = !self.b_v.val(),
            6 => self.res.next = self.b_v.val(),
            7 => self.res.next = self.sh_res.val(),
            8 => self.res.next = self.prod_q.q.val(),
            9 => self.res.next = self.ext_res.val(),
            _ => self.res.next = self.sum.val(),
        }
        // Flags after a data instruction.
        self.apsr_alu.next = self.apsr.q.val();
        if self.f_nz.val() {
            self.apsr_alu.next = self.apsr_alu.val() & self.m_nz.val();
            if self.res.val().get_bit(31) {
                self.apsr_alu.next = self.apsr_alu.val() | self.f8.val();
            }
            if self.res.val() == 0 {
                self.apsr_alu.next = self.apsr_alu.val() | self.f4.val();
            }
        }
        if self.f_cv.val() {
            self.apsr_alu.next = self.apsr_alu.val() & self.m_nz_only.val();
            if self.c_add.val() {
                self.apsr_alu.next = self.apsr_alu.val() | self.f2.val();
            }
            if self.v_add.val() {
                self.apsr_alu.next = self.apsr_alu.val() | self.f1.val();
            }
        }
        if self.f_c.val() {
            self.apsr_alu.next = self.apsr_alu.val() & self.m_c.val();
            if self.sh_c.val() {
                self.apsr_alu.next = self.apsr_alu.val() | self.f2.val();
            }
        }

        // ---- Data phase: read word, load value, store data, xPSR.
        self.rd_word.next = self.HRDATA.val();
        if self.dp_scs.q.val() {
            self.rd_word.next = self.scs.rdata.val();
        }
        match self.dp_lane.q.val().index() {
            0 => self.ld_sh.next = self.rd_word.val(),
            1 => self.ld_sh.next = self.rd_word.val() >> 8,
            2 => self.ld_sh.next = self.rd_word.val() >> 16,
            _ => self.ld_sh.next = self.rd_word.val() >> 24,
        }
        self.ld_val.next = self.rd_word.val();
        if self.dp_size.q.val() == self.b2_0.val() {
            self.ld_val.next = self.ld_sh.val() & 0xFF;
            if self.dp_signed.q.val() & self.ld_sh.val().get_bit(7) {
                self.ld_val.next = self.ld_sh.val() | self.xffffff00.val();
            }
        } else if self.dp_size.q.val() == self.b2_1.val() {
            self.ld_val.next = self.ld_sh.val() & 0xFFFF;
            if self.dp_signed.q.val() & self.ld_sh.val().get_bit(15) {
                self.ld_val.next = self.ld_sh.val() | self.xffff0000.val();
            }
        }
        self.ipsr32.next = bits::<32>(0);
        for i in 0..6 {
            if self.ipsr.q.val().get_bit(i) {
                self.ipsr32.next = self.ipsr32.val() | (1 << i);
            }
        }
        self.apsr32.next = bits::<32>(0);
        for i in 0..4 {
            if self.apsr.q.val().get_bit(i) {
                self.apsr32.next = self.apsr32.val() | (1 << (i + 28));
            }
        }
        self.xpsr_v.next = self.apsr32.val() | self.ipsr32.val();
        if self.tbit.q.val() {
            self.xpsr_v.next = self.xpsr_v.val() | 0x0100_0000;
        }
        if self.align.q.val() {
            self.xpsr_v.next = self.xpsr_v.val() | 0x200;
        }
        self.st_val.next = self.rb_v.val();
        if self.dp_wsel.q.val() == self.b2_1.val() {
            self.st_val.next = self.pc.q.val();
        } else if self.dp_wsel.q.val() == self.b2_2.val() {
            self.st_val.next = self.xpsr_v.val();
        }
        self.hwdata.next = self.st_val.val();
        if self.dp_size.q.val() == self.b2_0.val() {
            self.hwdata.next = (self.st_val.val() & 0xFF)
                | ((self.st_val.val() & 0xFF) << 8)
                | ((self.st_val.val() & 0xFF) << 16)
                | ((self.st_val.val() & 0xFF) << 24);
        } else if self.dp_size.q.val() == self.b2_1.val() {
            self.hwdata.next = (self.st_val.val() & 0xFFFF) | ((self.st_val.val() & 0xFFFF) << 16);
        }
        self.frameptr.next = (self.sp_cur.val() - 32) & self.xfffffffb.val();
        self.exc_ret.next = self.xfffffff1.val();
        if self.exc_thread.q.val() {
            self.exc_ret.next = self.exc_ret.val() | 8;
        }
        if self.exc_psp.q.val() {
            self.exc_ret.next = self.exc_ret.val() | 4;
        }
        self.wake_c.next = self.wake_e.val();
        if self.slp_wfe.q.val() {
            self.wake_c.next = self.wake_e.val() | self.ev_e.val();
        }
        self.sysm.next = self.hw2.val().get_bits::<8>(0);
        self.mrs_v.next = bits::<32>(0);
        if self.sysm.val().get_bits::<5>(3) == self.z5.val() {
            if self.sysm.val().get_bit(0) {
                self.mrs_v.next = self.ipsr32.val();
            }
            if !self.sysm.val().get_bit(2) {
                self.mrs_v.next = self.mrs_v.val() | self.apsr32.val();
            }
        } else if self.sysm.val() == self.sys8.val() {
            self.mrs_v.next = self.msp.q.val();
        } else if self.sysm.val() == self.sys9.val() {
            self.mrs_v.next = self.psp.q.val();
        } else if self.sysm.val() == self.sys16.val() {
            if self.primask.q.val() {
                self.mrs_v.next = bits::<32>(1);
            }
        } else if self.sysm.val() == self.sys20.val() {
            if self.npriv.q.val() {
                self.mrs_v.next = bits::<32>(1);
            }
            if self.spsel.q.val() {
                self.mrs_v.next = self.mrs_v.val() | 2;
            }
        }

        // ---- Control defaults.
        self.we.next = false;
        self.wphys.next = false;
        self.wl.next = self.zero4.val();
        self.wd_sel.next = self.w_res.val();
        self.wd_o.next = bits::<32>(0);
        self.alu_done.next = false;
        self.lsm_go.next = false;
        self.req.next = false;
        self.rq_chk.next = false;
        // The adder by default; `rq_alt` (when `rq_sum` is low) keeps the adder off the
        // checks of the other addresses. Reset's A(0) uses the 0 left here.
        self.rq_alt.next = bits::<32>(0);
        self.rq_sum.next = true;
        self.rq_write.next = false;
        self.rq_size.next = self.b2_2.val();
        self.n_ld.next = false;
        self.n_st.next = false;
        self.n_xpsr.next = false;
        self.n_msp.next = false;
        self.n_pc.next = false;
        self.n_raw.next = false;
        self.n_signed.next = false;
        self.n_reg.next = self.zero4.val();
        self.n_wsel.next = self.b2_0.val();
        self.pf_en.next = false;
        self.flush.next = false;
        self.ex_fault.next = false;
        self.retire.next = false;
        self.pc_step.next = false;
        self.ret_ipc.next = false;
        self.ret_exc.next = false;
        self.ret_lock.next = false;
        self.fault.next = false;
        self.stk_go.next = false;
        self.stk_k.next = self.k.q.val();
        self.veca_go.next = false;
        self.maddr_up.next = false;
        self.pc_tgt.next = false;
        self.pc_rd.next = false;
        self.vnum.next = self.exc_num.q.val();
        self.vaddr.next = bits::<32>(0);
        self.exret.next = false;
        // Every target not loaded from memory is the ALU's result: the sum for B, B<c>, BL and
        // ADD PC; Rm moved for MOV PC, BX and BLX; PC + 4 + 0 for MSR, MRS and the barriers. So
        // PC's next value has one input for them, beside PC + 2 and the loaded word (POP of PC,
        // unstacking, a vector).
        self.target.next = self.res.val() & self.xfffffffe.val();
        self.scs.ack.next = false;
        self.scs.ret.next = false;
        self.scs.pend_svc.next = false;
        self.scs.ret_num.next = self.ipsr.q.val();

        // ---- Generic data-phase completion (loads into registers, MSP at reset, unstacking).
        if self.dp_ld.q.val() {
            self.we.next = true;
            self.wphys.next = true;
            self.wl.next = self.dp_reg.q.val();
            self.wd_sel.next = self.w_ld.val();
        }
        if self.dp_msp.q.val() {
            self.we.next = true;
            self.wphys.next = true;
            self.wl.next = self.r13.val();
            // A word: the load value is the read word.
            self.wd_sel.next = self.w_ld.val();
        }
        if self.dp_pc.q.val() {
            self.pc_rd.next = true;
        }
        if self.dp_xpsr.q.val() {
            self.apsr.d.next = self.rd_word.val().get_bits::<4>(28);
            self.tbit.d.next = self.rd_word.val().get_bit(24);
            self.ipsr.d.next = self.rd_word.val().get_bits::<6>(0);
            self.align.d.next = self.rd_word.val().get_bit(9);
        }

        // ---- State machine.
        match self.st.q.val().index() {
            0 => {
                // Reset: A(0) for the initial MSP, then the vector sequence for number 1.
                self.req.next = true;
                self.rq_sum.next = false;
                self.n_msp.next = true;
                self.exc_num.d.next = self.n1.val();
                self.vmode.d.next = self.b2_0.val();
                self.st.d.next = self.s_veca.val();
                // LR = 0xFFFFFFFF, an invalid EXC_RETURN (ARMv6-M TakeReset), in cycle 1, which
                // no wait state can stretch.
                self.we.next = true;
                self.wphys.next = true;
                self.wl.next = self.r14.val();
                self.wd_sel.next = self.w_o.val();
                self.wd_o.next = self.ones32.val();
            }
            1 => {
                // Instruction boundary (or sleep).
                if self.asleep.q.val() & !self.wake_c.val() {
                    self.pf_en.next = true;
                } else {
                    if self.asleep.q.val() {
                        self.asleep.d.next = false;
                        if self.slp_wfe.q.val() {
                            self.ev.d.next = false;
                        }
                    }
                    if self.take_e.val() {
                        self.stk_go.next = true;
                        self.stk_k.next = self.k0.val();
                        self.exc_num.d.next = self.num_e.val();
                        self.vmode.d.next = self.b2_1.val();
                    } else if !self.hv.val() {
                        self.pf_en.next = true;
                    } else if self.he.val() | !self.tbit.q.val() {
                        self.fault.next = true;
                    } else {
                        self.ipc.d.next = self.pc.q.val();
                        self.pf_en.next = true;
                        if self.mul_x.val() {
                            self.st.d.next = self.s_x2.val();
                        } else if self.alu.val() {
                            self.alu_done.next = true;
                        } else if self.ds.i_hi.val() {
                            // ADD/MOV to PC, BX, BLX (the target is the result: BX/BLX move Rm).
                            if self.h9.val() & self.h8.val() & !self.h7.val() & self.handler.val() & (self.rb_v.val().get_bits::<4>(28) == self.ones4.val()) {
                                // No fetch either way (return or fault), so its check stays off the fetch.
                                self.exret.next = true;
                                self.flush.next = true;
                            } else {
                                self.flush.next = true;
                                self.pc_tgt.next = true;
                                self.st.d.next = self.s_bra.val();
                                self.brd_kind.d.next = self.b2_1.val();
                                if self.h9.val() & self.h8.val() {
                                    self.tbit.d.next = self.rb_v.val().get_bit(0);
                                }
                                if self.h9.val() & self.h8.val() & self.h7.val() {
                                    self.we.next = true;
                                    self.wl.next = self.r14.val();
                                    self.wd_sel.next = self.w_o.val();
                                    self.wd_o.next = self.pc2.val() | 1;
                                }
                            }
                        } else if self.ls.val() {
                            self.req.next = true;
                            self.rq_chk.next = true;
                            self.rq_size.next = self.ls_size.val();
                            self.rq_write.next = !self.ls_load.val();
                            self.n_ld.next = self.ls_load.val();
                            self.n_st.next = !self.ls_load.val();
                            self.n_signed.next = self.ls_signed.val();
                            self.n_reg.next = self.ls_rt.val();
                            self.st.d.next = self.s_x2.val();
                        } else if self.ds.i_stm.val() | self.ds.i_ldm.val() | self.ds.m_push.val() | self.ds.m_pop.val() {
                            self.req.next = true;
                            self.rq_chk.next = true;
                            self.rq_alt.next = self.ra_v.val();
                            self.rq_sum.next = false;
                            if self.ds.m_push.val() {
                                self.rq_sum.next = true;
                            }
                            self.lsm_st.d.next = self.ds.i_stm.val() | self.ds.m_push.val();
                            self.lsm_wb.d.next = self.ds.i_stm.val();
                            self.lsm_rn.d.next = self.ds.f_r8.val();
                            if self.ds.m_push.val() | self.ds.m_pop.val() {
                                self.lsm_rn.d.next = self.r13.val();
                            }
                            self.lsm_base.d.next = self.ra_v.val();
                            self.lsm_pc.d.next = self.ds.m_pop.val() & self.h8.val();
                            // LDM (Rn not loaded), PUSH, POP write Rn/SP back now; STM at its end.
                            if self.ds.m_push.val() | self.ds.m_pop.val() {
                                self.we.next = true;
                                self.wl.next = self.r13.val();
                                self.wd_sel.next = self.w_res.val();
                            }
                            if self.ds.i_ldm.val() & !self.list9.val().get_bit(self.ds.f_r8.val().index()) {
                                self.we.next = true;
                                self.wl.next = self.ds.f_r8.val();
                                self.wd_sel.next = self.w_res.val();
                            }
                            self.lsm_go.next = true;
                        } else if self.ds.i_bcg.val() {
                            if self.hw.val().get_bits::<4>(8) == self.h4_e.val() {
                                self.fault.next = true;
                            } else if self.hw.val().get_bits::<4>(8) == self.ones4.val() {
                                // SVC: pends SVCall, or escalates to HardFault returning past it.
                                if self.svc_e.val() {
                                    // SVCall pends at the end of the first cycle; the second lets the
                                    // SCS's decision see it, so it is taken at the next boundary.
                                    self.scs.pend_svc.next = true;
                                    self.st.d.next = self.s_x2.val();
                                } else {
                                    self.pc_step.next = true;
                                    self.fault.next = true;
                                }
                            } else if self.cond_ok.val() {
                                self.flush.next = true;
                                self.pc_tgt.next = true;
                                self.st.d.next = self.s_bra.val();
                                self.brd_kind.d.next = self.b2_1.val();
                            } else {
                                self.pc_step.next = true;
                                self.retire.next = true;
                            }
                        } else if self.ds.i_b.val() {
                            self.flush.next = true;
                            self.pc_tgt.next = true;
                            self.st.d.next = self.s_bra.val();
                            self.brd_kind.d.next = self.b2_1.val();
                        } else if self.ds.i_32.val() {
                            // Only 11110 prefixes exist on ARMv6-M; the second halfword is read next cycle.
                            if self.h12.val() & !self.h11.val() {
                                self.st.d.next = self.s_x2.val();
                            } else {
                                self.fault.next = true;
                            }
                        } else if self.ds.m_bkpt.val() {
                            self.pc_step.next = true;
                            self.retire.next = true;
                            self.st.d.next = self.s_halt.val();
                        } else if self.ds.m_cps.val() {
                            // PRIMASK changes at the end of the first cycle; the second lets the
                            // SCS's (lagging) decision see it before the next boundary.
                            if self.privd.val() {
                                self.primask.d.next = self.hw.val().get_bit(4);
                            }
                            self.st.d.next = self.s_x2.val();
                        } else if self.ds.m_hint.val() {
                            if (self.hw.val().get_bits::<4>(4) == self.h4_2.val()) | (self.hw.val().get_bits::<4>(4) == self.h4_3.val()) {
                                self.st.d.next = self.s_x2.val();
                            } else {
                                if self.hw.val().get_bits::<4>(4) == self.h4_4.val() {
                                    self.ev.d.next = true;
                                    self.txev.d.next = true;
                                }
                                self.pc_step.next = true;
                                self.retire.next = true;
                            }
                        } else {
                            self.fault.next = true;
                        }
                    }
                }
            }
            2 => {
                // Second cycle: load/store data phase, WFI/WFE, MULS, CPS, SVC, or the second halfword.
                if self.ds.m_cps.val() | self.ds.i_bcg.val() {
                    self.pf_en.next = true;
                    self.pc_step.next = true;
                    self.retire.next = true;
                    self.st.d.next = self.s_exec.val();
                } else if self.mul_x.val() {
                    self.pf_en.next = true;
                    self.alu_done.next = true;
                    self.st.d.next = self.s_exec.val();
                } else if self.ls.val() {
                    self.pf_en.next = true;
                    self.pc_step.next = true;
                    self.retire.next = true;
                    self.st.d.next = self.s_exec.val();
                } else if self.ds.m_hint.val() {
                    self.pf_en.next = true;
                    self.pc_step.next = true;
                    self.retire.next = true;
                    self.asleep.d.next = true;
                    self.slp_wfe.d.next = self.hw.val().get_bits::<4>(4) == self.h4_2.val();
                    self.st.d.next = self.s_exec.val();
                } else if !self.hv2.val() {
                    self.pf_en.next = true;
                } else if self.he2.val() | !self.hw2.val().get_bit(15) {
                    self.fault.next = true;
                } else if self.hw2.val().get_bit(14) & self.hw2.val().get_bit(12) {
                    // BL.
                    self.flush.next = true;
                    self.we.next = true;
                    self.wl.next = self.r14.val();
                    self.wd_sel.next = self.w_o.val();
                    self.wd_o.next = self.pc4.val() | 1;
                    self.pc_tgt.next = true;
                    self.st.d.next = self.s_bra.val();
                    self.brd_kind.d.next = self.b2_1.val();
                } else if self.hw2.val().get_bit(14) | self.hw2.val().get_bit(12) {
                    self.fault.next = true;
                } else if (self.hw.val().get_bits::<6>(5) == self.op_msr.val())
                    & (self.hw.val().get_bits::<4>(0) != self.r13.val())
                    & (self.hw.val().get_bits::<4>(0) != self.r15.val())
                {
                    self.flush.next = true;
                    self.pc_tgt.next = true;
                    self.st.d.next = self.s_bra.val();
                    self.brd_kind.d.next = self.b2_1.val();
                    if self.sysm.val().get_bits::<5>(3) == self.z5.val() {
                        if !self.sysm.val().get_bit(2) {
                            self.apsr.d.next = self.ra_v.val().get_bits::<4>(28);
                        }
                    } else if self.privd.val() {
                        if self.sysm.val() == self.sys8.val() {
                            self.we.next = true;
                            self.wphys.next = true;
                            self.wl.next = self.r13.val();
                            self.wd_sel.next = self.w_o.val();
                            self.wd_o.next = self.ra_v.val();
                        } else if self.sysm.val() == self.sys9.val() {
                            self.we.next = true;
                            self.wphys.next = true;
                            self.wl.next = self.r15.val();
                            self.wd_sel.next = self.w_o.val();
                            self.wd_o.next = self.ra_v.val();
                        } else if self.sysm.val() == self.sys16.val() {
                            self.primask.d.next = self.ra_v.val().get_bit(0);
                        } else if self.sysm.val() == self.sys20.val() {
                            // Cortex-M0: no unprivileged Thread mode, nPRIV is RAZ/WI.
                            if !self.handler.val() {
                                self.spsel.d.next = self.ra_v.val().get_bit(1);
                            }
                        }
                    }
                } else if (self.hw.val().get_bits::<7>(4) == self.op_bar.val())
                    & ((self.hw2.val().get_bits::<4>(4) == self.h4_4.val())
                        | (self.hw2.val().get_bits::<4>(4) == self.h4_5.val())
                        | (self.hw2.val().get_bits::<4>(4) == self.h4_6.val()))
                {
                    self.flush.next = true;
                    self.pc_tgt.next = true;
                    self.st.d.next = self.s_bra.val();
                    self.brd_kind.d.next = self.b2_1.val();
                } else if (self.hw.val().get_bits::<6>(5) == self.op_mrs.val())
                    & (self.hw2.val().get_bits::<4>(8) != self.r13.val())
                    & (self.hw2.val().get_bits::<4>(8) != self.r15.val())
                {
                    self.flush.next = true;
                    self.we.next = true;
                    self.wl.next = self.hw2.val().get_bits::<4>(8);
                    self.wd_sel.next = self.w_o.val();
                    self.wd_o.next = self.mrs_v.val();
                    self.pc_tgt.next = true;
                    self.st.d.next = self.s_bra.val();
                    self.brd_kind.d.next = self.b2_1.val();
                } else {
                    self.fault.next = true;
                }
            }
            3 => {
                // LDM/STM/PUSH/POP: one address phase per listed register.
                self.lsm_go.next = true;
                self.rq_alt.next = self.maddr.q.val();
                self.rq_sum.next = false;
            }
            4 => {
                // Data phase of the last listed register. POP of PC needs no flush: it does not
                // enable the prefetch, and a flush decided from the loaded word would put the
                // block RAM's read data in front of the fetch decision.
                if self.lsm_pc.q.val() {
                    if self.handler.val() & (self.rd_word.val().get_bits::<4>(28) == self.ones4.val()) {
                        self.exret.next = true;
                    } else {
                        self.pc_rd.next = true;
                        self.tbit.d.next = self.rd_word.val().get_bit(0);
                        self.st.d.next = self.s_bra.val();
                        self.brd_kind.d.next = self.b2_1.val();
                    }
                } else {
                    if self.lsm_wb.q.val() {
                        self.we.next = true;
                        self.wphys.next = false;
                        self.wl.next = self.lsm_rn.q.val();
                        self.wd_sel.next = self.w_o.val();
                        self.wd_o.next = self.maddr.q.val();
                    }
                    self.pf_en.next = true;
                    self.pc_step.next = true;
                    self.retire.next = true;
                    self.st.d.next = self.s_exec.val();
                }
            }
            5 => {
                // A(target): refill after a branch, entry, return, reset or halt.
                self.bv.d.next = self.b2_0.val();
                self.be.d.next = self.b2_0.val();
                self.pf_en.next = true;
                if self.unstk_sp.q.val() {
                    self.we.next = true;
                    self.wphys.next = true;
                    self.wl.next = self.r13.val();
                    if self.er.q.val().get_bit(2) {
                        self.wl.next = self.r15.val();
                    }
                    self.wd_sel.next = self.w_o.val();
                    self.wd_o.next = self.maddr.q.val();
                    // PopStack: (frame + 0x20) OR (xPSR bit 9 << 2), an OR and not an add, so a
                    // frame that was not 8-byte aligned keeps its SP.
                    if self.align.q.val() {
                        self.wd_sel.next = self.w_o.val();
                        self.wd_o.next = self.maddr.q.val() | 4;
                    }
                }
                self.st.d.next = self.s_brd.val();
            }
            6 => {
                // D(target): the record of the branch, entry or return ends here.
                self.pf_en.next = true;
                if self.brd_kind.q.val() == self.b2_1.val() {
                    self.retire.next = true;
                    self.ret_ipc.next = true;
                } else if self.brd_kind.q.val() == self.b2_2.val() {
                    self.retire.next = true;
                    self.ret_exc.next = true;
                }
                self.st.d.next = self.s_exec.val();
            }
            7 => self.stk_go.next = true,
            8 => self.veca_go.next = true,
            9 => {
                // D(vector).
                self.pc_rd.next = true;
                self.tbit.d.next = self.rd_word.val().get_bit(0);
                self.st.d.next = self.s_bra.val();
                self.brd_kind.d.next = self.b2_2.val();
                if self.vmode.q.val() == self.b2_0.val() {
                    self.brd_kind.d.next = self.b2_0.val();
                } else {
                    self.we.next = true;
                    self.wphys.next = true;
                    self.wl.next = self.r14.val();
                    self.wd_sel.next = self.w_o.val();
                    self.wd_o.next = self.exc_ret.val();
                    if self.vmode.q.val() == self.b2_2.val() {
                        self.wd_sel.next = self.w_o.val();
                        self.wd_o.next = self.xfffffff0.val();
                        for i in 0..4 {
                            if self.er.q.val().get_bit(i) {
                                self.wd_o.next = self.wd_o.val() | (1 << i);
                            }
                        }
                    }
                }
            }
            10 => {
                // T1 waits (the SCS's decision lags a cycle: it sees the returned exception as
                // active until T2); U1/T2: tail-chain if something preempts now, else unstack word 0.
                if self.ret_wait.q.val() {
                    self.ret_wait.d.next = false;
                } else if self.take_e.val() {
                    self.retire.next = true;
                    self.ret_ipc.next = true;
                    self.vmode.d.next = self.b2_2.val();
                    self.vnum.next = self.num_e.val();
                    self.veca_go.next = true;
                } else {
                    self.req.next = true;
                    self.rq_alt.next = self.msp.q.val();
                    self.rq_sum.next = false;
                    if self.er.q.val().get_bit(2) {
                        self.rq_alt.next = self.psp.q.val();
                    }
                    self.n_ld.next = true;
                    self.n_reg.next = self.r0.val();
                    self.maddr_up.next = true;
                    self.k.d.next = self.k1.val();
                    self.st.d.next = self.s_unstk.val();
                }
            }
            11 => {
                // U2..U8: words 1..7 (R1-R3, R12, LR, return address, xPSR).
                self.req.next = true;
                self.rq_alt.next = self.maddr.q.val();
                self.rq_sum.next = false;
                self.maddr_up.next = true;
                self.k.d.next = self.k.q.val() + self.k1.val();
                match self.k.q.val().index() {
                    1 => {
                        self.n_ld.next = true;
                        self.n_reg.next = self.r1.val();
                    }
                    2 => {
                        self.n_ld.next = true;
                        self.n_reg.next = self.r2.val();
                    }
                    3 => {
                        self.n_ld.next = true;
                        self.n_reg.next = self.r3.val();
                    }
                    4 => {
                        self.n_ld.next = true;
                        self.n_reg.next = self.r12.val();
                    }
                    5 => {
                        self.n_ld.next = true;
                        self.n_reg.next = self.r14.val();
                    }
                    6 => self.n_pc.next = true,
                    _ => {
                        self.n_xpsr.next = true;
                        self.st.d.next = self.s_unlast.val();
                    }
                }
            }
            12 => {
                // U9: xPSR arrives (generic completion); mode and SP selection return.
                self.spsel.d.next = self.er.q.val().get_bit(2);
                self.unstk_sp.d.next = true;
                self.st.d.next = self.s_bra.val();
                self.brd_kind.d.next = self.b2_1.val();
            }
            13 => {
                if self.DBGRESTART.val() | self.restart_p.q.val() {
                    self.st.d.next = self.s_bra.val();
                    self.brd_kind.d.next = self.b2_0.val();
                }
            }
            14 => {
                self.retire.next = true;
                self.ret_lock.next = true;
                self.st.d.next = self.s_lock2.val();
            }
            _ => {}
        }
        // A data instruction (or MULS's second cycle) retires: result, flags, next PC.
        if self.alu_done.val() {
            self.we.next = self.alu_we.val();
            self.wphys.next = false;
            self.wl.next = self.wl_alu.val();
            self.wd_sel.next = self.w_res.val();
            self.apsr.d.next = self.apsr_alu.val();
            self.pc_step.next = true;
            self.retire.next = true;
        }

        // The sequential next PC for the decode stage and PC + 4: a fault cancels the step, but
        // then entry follows, not an instruction, so the fault's late logic stays off this path.
        self.seq_step.next = self.pc_step.val() & self.adv.val();
        // The same step for the prefetch, without `adv`: the address phase is a function of
        // frozen state, so a wait state must not change the fetch decision.
        self.step_pre.next = self.pc_step.val();

        // ---- LDM/STM/PUSH/POP address phase for the lowest listed register.
        if self.lsm_go.val() {
            self.req.next = true;
            self.rq_chk.next = true;
            self.rq_write.next = self.lsm_st.d.val();
            self.maddr_up.next = true;
            self.lsm_list.d.next = self.list9.val() & !self.low9.val();
            self.n_reg.next = self.low_idx.val();
            if self.lsm_st.d.val() {
                self.n_st.next = true;
            } else if self.low9.val().get_bit(8) {
                self.n_raw.next = true;
            } else {
                self.n_ld.next = true;
            }
            if (self.list9.val() & !self.low9.val()) == self.z9.val() {
                self.st.d.next = self.s_lastd.val();
            } else {
                self.st.d.next = self.s_lsm.val();
            }
        }

        // ---- Exception entry: E1..E8 write R0-R3, R12, LR, return address, xPSR.
        if self.stk_go.val() {
            self.req.next = true;
            self.rq_write.next = true;
            self.rq_alt.next = self.maddr.q.val();
            self.rq_sum.next = false;
            self.n_st.next = true;
            if self.stk_k.val() == self.k0.val() {
                self.rq_alt.next = self.frameptr.val();
                self.fp.d.next = self.frameptr.val();
                self.align.d.next = self.sp_cur.val().get_bit(2);
                self.exc_thread.d.next = !self.handler.val();
                self.exc_psp.d.next = self.spsel.q.val();
            }
            self.maddr_up.next = true;
            self.k.d.next = self.stk_k.val() + self.k1.val();
            self.st.d.next = self.s_stk.val();
            match self.stk_k.val().index() {
                0 => self.n_reg.next = self.r0.val(),
                1 => self.n_reg.next = self.r1.val(),
                2 => self.n_reg.next = self.r2.val(),
                3 => self.n_reg.next = self.r3.val(),
                4 => self.n_reg.next = self.r12.val(),
                5 => self.n_reg.next = self.r14.val(),
                6 => self.n_wsel.next = self.b2_1.val(),
                _ => {
                    self.n_wsel.next = self.b2_2.val();
                    self.st.d.next = self.s_veca.val();
                }
            }
        }

        // ---- E9/T2: choose the exception again (late arrival), read its vector, make it active.
        if self.veca_go.val() {
            // Late arrival: a strictly more urgent exception replaces the one being entered
            // (HardFault entries are never replaced, as in the contract).
            if (self.vmode.d.val() == self.b2_1.val()) & self.late_e.val() & (self.exc_num.q.val() != self.n3.val()) {
                self.vnum.next = self.num_e.val();
            }
            self.req.next = true;
            for i in 0..6 {
                if self.vnum.val().get_bit(i) {
                    self.vaddr.next = self.vaddr.val() | (1 << (i + 2));
                }
            }
            self.rq_alt.next = self.vaddr.val();
            self.rq_sum.next = false;
            self.n_raw.next = true;
            self.st.d.next = self.s_vecd.val();
            if self.vmode.d.val() != self.b2_0.val() {
                self.scs.ack.next = true;
                self.ipsr.d.next = self.vnum.val();
                self.spsel.d.next = false;
            }
            if self.vmode.d.val() == self.b2_1.val() {
                self.we.next = true;
                self.wphys.next = true;
                self.wl.next = self.r13.val();
                if self.spsel.q.val() {
                    self.wl.next = self.r15.val();
                }
                self.wd_sel.next = self.w_o.val();
                self.wd_o.next = self.fp.q.val();
            }
        }
        self.scs.ack_num.next = self.vnum.val();

        // ---- Exception return (BX, or POP of PC, in Handler mode with 0xFxxxxxxx).
        // The EXC_RETURN value: BX's Rm in the boundary state, else POP's read word, both taken
        // directly rather than through the result mux (`res`, `target`).
        self.ex_val.next = self.rd_word.val();
        if self.is_exec.val() {
            self.ex_val.next = self.rb_v.val();
        }
        self.exret_ok.next = (self.ex_val.val().get_bits::<28>(4) == self.ret28.val())
            & ((self.ex_val.val().get_bits::<4>(0) == self.er1.val())
                | (self.ex_val.val().get_bits::<4>(0) == self.er9.val())
                | (self.ex_val.val().get_bits::<4>(0) == self.erd.val()));
        if self.exret.val() {
            if self.exret_ok.val() {
                self.scs.ret.next = true;
                self.ret_wait.d.next = true;
                self.er.d.next = self.ex_val.val().get_bits::<4>(0);
                // No flush here: BX's return has flushed already and POP's does not prefetch,
                // so the fetch decision stays clear of the late EXC_RETURN check.
                self.st.d.next = self.s_ret.val();
            } else {
                self.ex_fault.next = true;
            }
        }

        self.rq_addr.next = self.rq_alt.val();
        if self.rq_sum.val() {
            self.rq_addr.next = self.sum.val();
        }

        // ---- Bus request checks: alignment, SCS (word, privileged).
        // SCS hit. For an address from the adder, A + B + c == 0xE000E over bits 31:12 is tested
        // without the carry chain: bit i needs carry-in A^B^K, and if the bits below match it
        // gets (A&B) | ((A|B)&~K) from bit i-1; only the carry into bit 12 needs an add.
        self.scs_lo.next = (self.a_v.val() & 0xFFF) + (self.bx.val() & 0xFFF) + self.cin32.val();
        self.scs_need.next = ((self.a_v.val() ^ self.bx.val()) >> 12) ^ self.scs_k.val();
        self.scs_get.next = ((((self.a_v.val() & self.bx.val()) | ((self.a_v.val() | self.bx.val()) & self.scs_nk.val())) >> 12) << 1)
            | ((self.scs_lo.val() >> 12) & 1);
        self.rq_scs.next = (self.rq_alt.val() >> 12) == self.scs_k.val();
        if self.rq_sum.val() {
            self.rq_scs.next = ((self.scs_need.val() ^ self.scs_get.val()) & 0xF_FFFF) == 0;
        }
        // The next word of a multi-word transfer (LDM/STM, stacking, unstacking): one adder
        // after the request's address, for all of them.
        if self.maddr_up.val() {
            self.maddr.d.next = self.rq_addr.val() + 4;
        }
        self.rq_fault.next = false;
        if self.rq_chk.val() {
            if (self.rq_size.val() == self.b2_2.val()) & (self.rq_addr.val().get_bits::<2>(0) != self.b2_0.val()) {
                self.rq_fault.next = true;
            }
            if (self.rq_size.val() == self.b2_1.val()) & self.rq_addr.val().get_bit(0) {
                self.rq_fault.next = true;
            }
            if self.rq_scs.val() & ((self.rq_size.val() != self.b2_2.val()) | !self.privd.val()) {
                self.rq_fault.next = true;
            }
        }
        // For the prefetch: a request or fault other than the request's own checks (those need
        // a request, which already stops the fetch), before the fault cancels the request; and
        // the fault a failed check takes in the next cycle (from a flop), so no fetch goes out
        // while the HardFault is being taken.
        // An invalid EXC_RETURN (from the POP's load data or BX's operand, late) is left out: no
        // fetch can start in its cycle anyway (the POP's last data phase fetches nothing, and
        // BX's return flushes).
        self.req_pre.next = self.req.val();
        self.fault_pre.next = self.fault.val() | self.rq_fault_q.q.val();
        if self.ex_fault.val() {
            self.fault.next = true;
        }
        // A failed check keeps the request off the bus at once (HTRANS IDLE, no SCS select,
        // below) and takes the HardFault in the instruction's second cycle, so the checks reach
        // neither the next state of the core nor its data-phase flops (the phase they start
        // moves nothing: its register write falls under the fault).
        self.rq_fault_q.d.next = false;
        if self.rq_fault_q.q.val() {
            self.fault.next = true;
        } else if self.rq_fault.val() {
            self.rq_fault_q.d.next = true;
        }

        // ---- Faults: HardFault entry from the next cycle, or lockup.
        // (An SVC pend, a return or a PRIMASK write is never cleared here: each comes from a
        // branch of its instruction that neither faults nor makes a request, so this block never
        // runs with one set; leaving them out keeps the request checks off the SCS's inputs.
        // A failed check faults in its instruction's second cycle, alongside that cycle's own
        // branch: only a load, a store or LDM/STM can fail one (an unaligned address or a bad
        // SCS access; PUSH/POP use SP, always aligned, and the core is always privileged), and
        // their second cycles set none of these.)
        // The request and register write are cancelled without the late EXC_RETURN check:
        // its cycle has neither.
        if self.fault_pre.val() {
            self.we.next = false;
            self.req.next = false;
        }
        if self.fault.val() {
            self.retire.next = false;
            self.k.d.next = self.k0.val();
            self.exc_num.d.next = self.n3.val();
            self.vmode.d.next = self.b2_1.val();
            self.st.d.next = self.s_stk.val();
            if self.neg_e.val() {
                self.st.d.next = self.s_lock.val();
            }
            if !self.ds.i_bcg.val() | !self.is_exec.val() {
                self.pc_step.next = false;
                self.pc_tgt.next = false;
                self.pc_rd.next = false;
            }
            self.apsr.d.next = self.apsr.q.val();
        }

        // ---- Prefetch: 32-bit words into the slot of their address, at most one word ahead.
        self.f_addr.next = self.faddr.q.val();
        if self.st.q.val() == self.s_bra.val() {
            self.f_addr.next = self.pc.q.val() & self.xfffffffc.val();
        }
        // The fetch address must be the next PC's word or the one after. Whenever a fetch may
        // start (pf_en, no flush, request or fault), the next PC is PC or PC + 2, so its word is
        // PC's word, or the next one when bit 2 changes: compare with the distance from PC's
        // word, which flops alone give, instead of subtracting the next PC.
        // The fetch address runs at most 8 bytes ahead of PC's word and never behind it while a
        // fetch may start (a branch, entry or return restarts both in A(target)), so the
        // distance in words modulo 4 is exact: 2 bits, not a 32-bit subtraction.
        self.fd.next = self.f_addr.val().get_bits::<2>(2) - self.pc.q.val().get_bits::<2>(2);
        // PC + 2 leaves its word when PC is its upper halfword. The step before a fault's
        // cancellation is used: a fault keeps the fetch off, and entry refills the buffer.
        self.pc_cross.next = self.step_pre.val() & self.pc.q.val().get_bit(1);
        self.fetch.next = self.pf_en.val()
            & !self.flush.val()
            & !self.req_pre.val()
            & !self.fault_pre.val()
            & (self.fd.val() == self.b2_1.val());
        if self.pc_cross.val() {
            if self.fd.val() == self.b2_2.val() {
                self.fetch.next = self.pf_en.val() & !self.flush.val() & !self.req_pre.val() & !self.fault_pre.val();
            }
        } else if self.fd.val() == self.b2_0.val() {
            self.fetch.next = self.pf_en.val() & !self.flush.val() & !self.req_pre.val() & !self.fault_pre.val();
        }
        self.fetch_xn.next = self.f_addr.val().get_bits::<3>(29) == self.xn3.val();
        // Leaving a word frees its slot.
        if self.pc_cross.val() {
            if self.slot.val() {
                self.bv.d.next = self.bv.d.val() & self.b2_1.val();
            } else {
                self.bv.d.next = self.bv.d.val() & self.b2_2.val();
            }
        }
        if self.fetch.val() {
            self.faddr.d.next = self.f_addr.val() + 4;
            if self.fetch_xn.val() {
                if self.f_addr.val().get_bit(2) {
                    self.bv.d.next = self.bv.d.val() | self.b2_2.val();
                    self.be.d.next = self.be.d.val() | self.b2_2.val();
                } else {
                    self.bv.d.next = self.bv.d.val() | self.b2_1.val();
                    self.be.d.next = self.be.d.val() | self.b2_1.val();
                }
            }
        }

        // ---- AHB address phase (IDLE during an ERROR response) and the SCS port.
        self.ahb.next = (self.req.val() & !self.rq_fault.val() & !self.rq_scs.val()) | (self.fetch.val() & !self.fetch_xn.val());
        self.HTRANS.next = self.tr_idle.val();
        if self.ahb.val() & !self.HRESP.val() {
            self.HTRANS.next = self.tr_nonseq.val();
        }
        self.HADDR.next = self.f_addr.val();
        self.HSIZE.next = self.sz2.val();
        self.HWRITE.next = false;
        self.HPROT.next = self.zero4.val();
        if self.privd.val() | !self.is_exec.val() {
            self.HPROT.next = self.h4_2.val();
        }
        if self.req.val() {
            self.HADDR.next = self.rq_addr.val();
            self.HSIZE.next = self.sz0.val();
            if self.rq_size.val() == self.b2_1.val() {
                self.HSIZE.next = self.sz1.val();
            } else if self.rq_size.val() == self.b2_2.val() {
                self.HSIZE.next = self.sz2.val();
            }
            self.HWRITE.next = self.rq_write.val();
            self.HPROT.next = self.HPROT.val() | self.h4_1.val();
        }
        self.HBURST.next = self.sz0.val();
        self.HWDATA.next = self.hwdata.val();
        self.scs.sel.next = self.req.val() & !self.rq_fault.val() & self.rq_scs.val() & self.adv.val();
        self.scs.write.next = self.rq_write.val();
        self.scs.addr.next = self.rq_addr.val().get_bits::<10>(2);
        self.scs.wdata.next = self.hwdata.val();

        // ---- LDM/STM/PUSH/POP whose transfer errors, or whose first address fails its check:
        // the base (SP) gets its old value back in the ERROR's (the check's) second cycle, so the
        // entry stacks from it; loaded registers keep theirs.
        self.lsm_abort.next = ((self.HREADY.val() & self.HRESP.val() & (self.dp_ld.q.val() | self.dp_st.q.val())) | self.rq_fault_q.q.val())
            & ((self.st.q.val() == self.s_lsm.val()) | (self.st.q.val() == self.s_lastd.val()));
        if self.lsm_abort.val() {
            self.we.next = true;
            self.wphys.next = false;
            self.wl.next = self.lsm_rn.q.val();
            self.wd_sel.next = self.w_o.val();
            self.wd_o.next = self.lsm_base.q.val();
        }

        // ---- Register write port (SP always word aligned).
        match self.wd_sel.val().index() {
            1 => self.wd.next = self.res.val(),
            2 => self.wd.next = self.ld_val.val(),
            _ => self.wd.next = self.wd_o.val(),
        }
        self.widx.next = self.wl.val();
        if !self.wphys.val() & (self.wl.val() == self.r13.val()) & self.spsel.q.val() {
            self.widx.next = self.r15.val();
        }
        self.wdata.next = self.wd.val();
        if (self.widx.val() == self.r13.val()) | (self.widx.val() == self.r15.val()) {
            self.wdata.next = self.wd.val() & self.xfffffffc.val();
        }
        self.wen.next = (self.we.val() & self.adv.val()) | self.lsm_abort.val();
        self.rf.we.next = self.wen.val();
        self.rf.waddr.next = self.widx.val();
        self.rf.wdata.next = self.wdata.val();
        if self.wen.val() {
            self.rf_ok.d.next = self.rf_ok.q.val() | (self.one16.val() << self.widx.val());
        }
        // Next cycle's operands: the words at the decode stage's next read addresses before this
        // edge, whether they were written (an unwritten R0-R12 reads 0, applied after the flops),
        // and this edge's write with whether it hits them.
        self.rf.raddr_a.next = self.ds.ra_n.val();
        self.rf.raddr_b.next = self.ds.rb_n.val();
        self.opa.d.next = self.rf.rdata_a.val();
        self.opb.d.next = self.rf.rdata_b.val();
        self.ok_a.d.next = self.rf_ok.q.val().get_bit(self.ds.ra_n.val().index());
        self.ok_b.d.next = self.rf_ok.q.val().get_bit(self.ds.rb_n.val().index());
        self.wq.d.next = self.wdata.val();
        self.hit_a.d.next = self.wen.val() & (self.widx.val() == self.ds.ra_n.val());
        self.hit_b.d.next = self.wen.val() & (self.widx.val() == self.ds.rb_n.val());
        if self.wen.val() & (self.widx.val() == self.r13.val()) {
            self.msp.d.next = self.wdata.val();
        }
        if self.wen.val() & (self.widx.val() == self.r15.val()) {
            self.psp.d.next = self.wdata.val();
        }

        // ---- Frozen cycle: nothing moves except the data-phase bookkeeping below.
        if !self.adv.val() {
            self.st.d.next = self.st.q.val();
            self.k.d.next = self.k.q.val();
            self.pc_step.next = false;
            self.pc_tgt.next = false;
            self.pc_rd.next = false;
            self.ipc.d.next = self.ipc.q.val();
            self.bv.d.next = self.bv.q.val();
            self.be.d.next = self.be.q.val();
            self.faddr.d.next = self.faddr.q.val();
            self.maddr.d.next = self.maddr.q.val();
            self.fp.d.next = self.fp.q.val();
            self.lsm_list.d.next = self.lsm_list.q.val();
            self.lsm_pc.d.next = self.lsm_pc.q.val();
            self.lsm_st.d.next = self.lsm_st.q.val();
            self.lsm_wb.d.next = self.lsm_wb.q.val();
            self.lsm_rn.d.next = self.lsm_rn.q.val();
            self.lsm_base.d.next = self.lsm_base.q.val();
            self.rq_fault_q.d.next = self.rq_fault_q.q.val();
            self.ret_wait.d.next = self.ret_wait.q.val();
            self.exc_num.d.next = self.exc_num.q.val();
            self.exc_thread.d.next = self.exc_thread.q.val();
            self.exc_psp.d.next = self.exc_psp.q.val();
            self.vmode.d.next = self.vmode.q.val();
            self.er.d.next = self.er.q.val();
            self.align.d.next = self.align.q.val();
            self.unstk_sp.d.next = self.unstk_sp.q.val();
            self.brd_kind.d.next = self.brd_kind.q.val();
            self.apsr.d.next = self.apsr.q.val();
            self.tbit.d.next = self.tbit.q.val();
            self.ipsr.d.next = self.ipsr.q.val();
            self.spsel.d.next = self.spsel.q.val();
            self.npriv.d.next = self.npriv.q.val();
            self.primask.d.next = self.primask.q.val();
            self.asleep.d.next = self.asleep.q.val();
            self.slp_wfe.d.next = self.slp_wfe.q.val();
            self.ev.d.next = self.ev.q.val() | self.scs.sevonpend_ev.val();
            self.txev.d.next = false;
            self.retire.next = false;
            self.scs.ack.next = false;
            self.scs.ret.next = false;
            self.scs.pend_svc.next = false;
        }
        if self.RXEV.val() {
            self.ev.d.next = true;
        }

        // ---- PC's next value: one mux after the cycle has chosen its source (the step, a branch
        // target, or a loaded word: POP of PC, unstacking, a vector), not a mux at each place.
        if self.pc_step.val() {
            self.pc.d.next = self.pc2.val();
        } else if self.pc_tgt.val() {
            self.pc.d.next = self.target.val();
        } else if self.pc_rd.val() {
            self.pc.d.next = self.rd_word.val() & self.xfffffffe.val();
        }

        // ---- Data bus ERROR: HardFault entry (a failed HardFault stacking locks up).
        self.err_now.next = self.HREADY.val()
            & self.HRESP.val()
            & (self.dp_ld.q.val() | self.dp_st.q.val() | self.dp_xpsr.q.val() | self.dp_msp.q.val() | self.dp_pc.q.val() | self.dp_raw.q.val());
        if self.err_now.val() {
            self.k.d.next = self.k0.val();
            self.exc_num.d.next = self.n3.val();
            self.vmode.d.next = self.b2_1.val();
            self.st.d.next = self.s_stk.val();
            if self.neg_e.val()
                | ((self.exc_num.q.val() == self.n3.val())
                    & (self.vmode.q.val() == self.b2_1.val())
                    & ((self.st.q.val() == self.s_stk.val()) | (self.st.q.val() == self.s_veca.val()) | (self.st.q.val() == self.s_vecd.val())))
            {
                self.st.d.next = self.s_lock.val();
            }
        }

        // ---- Fetch data arrives (ignored during A(target), which starts a new stream).
        self.f_in.next = self.HREADY.val() & self.dp_fetch.q.val() & (self.st.q.val() != self.s_bra.val());
        if self.f_in.val() {
            if self.dp_fslot.q.val() {
                self.buf1.d.next = self.HRDATA.val();
                self.bv.d.next = self.bv.d.val() | self.b2_2.val();
                if self.HRESP.val() {
                    self.be.d.next = self.be.d.val() | self.b2_2.val();
                } else {
                    self.be.d.next = self.be.d.val() & self.b2_1.val();
                }
            } else {
                self.buf0.d.next = self.HRDATA.val();
                self.bv.d.next = self.bv.d.val() | self.b2_1.val();
                if self.HRESP.val() {
                    self.be.d.next = self.be.d.val() | self.b2_1.val();
                } else {
                    self.be.d.next = self.be.d.val() & self.b2_2.val();
                }
            }
        }

        // ---- Next data phase (moves only when HREADY is high).
        if self.HREADY.val() {
            self.dp_fetch.d.next = self.adv.val() & self.fetch.val() & !self.fetch_xn.val();
            self.dp_fslot.d.next = self.f_addr.val().get_bit(2);
            self.dp_ld.d.next = self.adv.val() & self.req.val() & self.n_ld.val();
            self.dp_st.d.next = self.adv.val() & self.req.val() & self.n_st.val();
            self.dp_xpsr.d.next = self.adv.val() & self.req.val() & self.n_xpsr.val();
            self.dp_msp.d.next = self.adv.val() & self.req.val() & self.n_msp.val();
            self.dp_pc.d.next = self.adv.val() & self.req.val() & self.n_pc.val();
            self.dp_raw.d.next = self.adv.val() & self.req.val() & self.n_raw.val();
            self.dp_scs.d.next = self.req.val() & self.rq_scs.val();
            self.dp_size.d.next = self.rq_size.val();
            self.dp_signed.d.next = self.n_signed.val();
            self.dp_lane.d.next = self.rq_addr.val().get_bits::<2>(0);
            self.dp_reg.d.next = self.n_reg.val();
            self.dp_wsel.d.next = self.n_wsel.val();
        }

        // PC + 4 for the next cycle; after a branch it is right again by D(target).
        // One adder: the step is its third operand.
        self.pc4_k.next = bits::<32>(4);
        if self.seq_step.val() {
            self.pc4_k.next = bits::<32>(6);
        }
        self.pc4_q.d.next = self.pc.q.val() + self.pc4_k.val();

        // ---- Decode stage inputs: next cycle's PC bits, buffer and store data phase. Only the
        // sequential next PC is given (PC, or PC + 2 when the instruction steps): a branch's
        // target goes through A(target) and D(target) first, and the stage has the target's
        // halfword by the time it runs, without the branch adder on the stage's path.
        self.ds.pc_n.next = self.pc.q.val().get_bits::<2>(1);
        if self.seq_step.val() {
            self.ds.pc_n.next = self.pc.q.val().get_bits::<2>(1) + self.b2_1.val();
        }
        self.ds.buf0_n.next = self.buf0.d.val();
        self.ds.buf1_n.next = self.buf1.d.val();
        self.ds.buf0_q.next = self.buf0.q.val();
        self.ds.buf1_q.next = self.buf1.q.val();
        self.ds.bus_data.next = self.HRDATA.val();
        self.ds.bus_in.next = self.f_in.val();
        self.ds.bus_slot.next = self.dp_fslot.q.val();
        // The store-data read follows the request as made, before its address checks: a store
        // whose check fails faults in the next cycle anyway, and this keeps the address adder and
        // the checks off the register file's read address.
        self.ds.st_n.next = self.dp_st.q.val();
        if self.HREADY.val() {
            self.ds.st_n.next = self.adv.val() & self.req_pre.val() & self.n_st.val();
        }
        self.ds.st_reg_n.next = self.dp_reg.d.val();

        // ---- SCS inputs: the pins, the current PRIMASK and entering exception (its decisions
        // lag the state by a cycle), and the next-state IPSR for ICSR reads.
        self.scs.irq.next = self.IRQ.val();
        self.scs.nmi.next = self.NMI.val();
        self.scs.primask.next = self.primask.q.val();
        self.scs.ipsr.next = self.ipsr.d.val();
        self.scs.entry_num.next = self.exc_num.q.val();

        // ---- Status pins and the retirement trace.
        self.TXEV.next = self.txev.q.val();
        self.SLEEPING.next = self.asleep.q.val() & !self.wake_c.val();
        self.SLEEPDEEP.next = self.scs.sleepdeep.val();
        self.SYSRESETREQ.next = self.scs.sysresetreq.val();
        self.LOCKUP.next = (self.st.q.val() == self.s_lock.val()) | (self.st.q.val() == self.s_lock2.val());
        self.HALTED.next = self.st.q.val() == self.s_halt.val();
        self.trc_retire.next = self.retire.val();
        self.trc_exc.next = self.ret_exc.val() | self.ret_lock.val();
        self.trc_excnum.next = self.ipsr.q.val();
        if self.ret_lock.val() {
            self.trc_excnum.next = self.n0.val();
        }
        self.trc_pc.next = self.pc.q.val();
        if self.ret_ipc.val() {
            self.trc_pc.next = self.ipc.q.val();
        }
        self.trc_rf_we.next = self.wen.val();
        self.trc_rf_idx.next = self.widx.val();
        self.trc_rf_data.next = self.wdata.val();
        self.trc_apsr.next = self.apsr.d.val();
        self.trc_ipsr.next = self.ipsr.d.val();
        self.trc_control.next = self.b2_0.val();
        if self.spsel.d.val() {
            self.trc_control.next = self.b2_2.val();
        }
        if self.npriv.d.val() {
            self.trc_control.next = self.trc_control.val() | self.b2_1.val();
        }
        self.trc_primask.next = self.primask.d.val();
    }
}
