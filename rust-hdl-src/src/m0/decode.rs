//! The core's decode stage (`M0Decode`): the halfword that will be at the head next cycle,
//! decoded and registered with its register-file read addresses.
//!
//! Its inputs are the core's next state (PC bits, instruction buffer, store data phase), so its
//! outputs always describe the current head halfword, and the execute cycle starts from flops:
//! the register file is read at once and the instruction classes need no logic. It adds no cycle.

use crate::common::prims::RDff;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// One Thumb halfword decoded: its instruction class (`i_*`, and `m_*` for the miscellaneous
    /// 1011 forms), packed one bit each into `cls` (`b_*`), and its register-file read addresses
    /// (13 SP, 15 PC; port A is Rn / Rdn, port B is Rm). The one place the encodings are
    /// written. The stage runs three, so fetch data arriving this cycle is decoded beside the
    /// buffer and chosen after (its path to the register file's address is the longest).
    M0HalfDecode
    ports {
        hw: Signal<In, Bits<16>>,
        cls: Signal<Out, Bits<26>>,
        ra: Signal<Out, Bits<4>>,
        rb: Signal<Out, Bits<4>>,
    }
    consts {
        m7_4: 4 = 7, r8: 4 = 8, r13: 4 = 13, r15: 4 = 15,
        z9: 9 = 0, cps7: 7 = 0b0110011, h4_0: 4 = 0, h4_2: 4 = 2,
        // One bit per class in the registered class word.
        z26: 26 = 0,
        b_i_shift: 26 = 1 << 0, b_i_addsub: 26 = 1 << 1, b_i_imm8: 26 = 1 << 2, b_i_dp: 26 = 1 << 3,
        b_i_hi: 26 = 1 << 4, b_i_ldrlit: 26 = 1 << 5, b_i_ldst_reg: 26 = 1 << 6, b_i_ldst_imm: 26 = 1 << 7,
        b_i_ldst_h: 26 = 1 << 8, b_i_ldst_sp: 26 = 1 << 9, b_i_adr: 26 = 1 << 10, b_i_addsp8: 26 = 1 << 11,
        b_i_stm: 26 = 1 << 12, b_i_ldm: 26 = 1 << 13, b_i_bcg: 26 = 1 << 14, b_i_b: 26 = 1 << 15,
        b_i_32: 26 = 1 << 16, b_m_addsp: 26 = 1 << 17, b_m_subsp: 26 = 1 << 18, b_m_ext: 26 = 1 << 19,
        b_m_push: 26 = 1 << 20, b_m_cps: 26 = 1 << 21, b_m_rev: 26 = 1 << 22, b_m_pop: 26 = 1 << 23,
        b_m_bkpt: 26 = 1 << 24, b_m_hint: 26 = 1 << 25,
    }
    fields {
        h15: Signal<Local, bool>,
        h14: Signal<Local, bool>,
        h13: Signal<Local, bool>,
        h12: Signal<Local, bool>,
        h11: Signal<Local, bool>,
        h10: Signal<Local, bool>,
        h9: Signal<Local, bool>,
        h8: Signal<Local, bool>,
        h7: Signal<Local, bool>,
        h6: Signal<Local, bool>,
        i_shift: Signal<Local, bool>,
        i_addsub: Signal<Local, bool>,
        i_imm8: Signal<Local, bool>,
        i_dp: Signal<Local, bool>,
        i_hi: Signal<Local, bool>,
        i_ldrlit: Signal<Local, bool>,
        i_ldst_reg: Signal<Local, bool>,
        i_ldst_imm: Signal<Local, bool>,
        i_ldst_h: Signal<Local, bool>,
        i_ldst_sp: Signal<Local, bool>,
        i_adr: Signal<Local, bool>,
        i_addsp8: Signal<Local, bool>,
        i_stm: Signal<Local, bool>,
        i_ldm: Signal<Local, bool>,
        i_bcg: Signal<Local, bool>,
        i_b: Signal<Local, bool>,
        i_32: Signal<Local, bool>,
        m_addsp: Signal<Local, bool>,
        m_subsp: Signal<Local, bool>,
        m_ext: Signal<Local, bool>,
        m_push: Signal<Local, bool>,
        m_cps: Signal<Local, bool>,
        m_rev: Signal<Local, bool>,
        m_pop: Signal<Local, bool>,
        m_bkpt: Signal<Local, bool>,
        m_hint: Signal<Local, bool>,
        i_misc: Signal<Local, bool>,
        f_rd: Signal<Local, Bits<4>>,
        f_rm: Signal<Local, Bits<4>>,
        f_r8: Signal<Local, Bits<4>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    M0HalfDecode;
    fn update(&mut self) {
        // ---- Classes.
        self.h15.next = self.hw.val().get_bit(15);
        self.h14.next = self.hw.val().get_bit(14);
        self.h13.next = self.hw.val().get_bit(13);
        self.h12.next = self.hw.val().get_bit(12);
        self.h11.next = self.hw.val().get_bit(11);
        self.h10.next = self.hw.val().get_bit(10);
        self.h9.next = self.hw.val().get_bit(9);
        self.h8.next = self.hw.val().get_bit(8);
        self.h7.next = self.hw.val().get_bit(7);
        self.h6.next = self.hw.val().get_bit(6);
        self.i_shift.next = !self.h15.val() & !self.h14.val() & !self.h13.val() & !(self.h12.val() & self.h11.val());
        self.i_addsub.next = !self.h15.val() & !self.h14.val() & !self.h13.val() & self.h12.val() & self.h11.val();
        self.i_imm8.next = !self.h15.val() & !self.h14.val() & self.h13.val();
        self.i_dp.next = !self.h15.val() & self.h14.val() & !self.h13.val() & !self.h12.val() & !self.h11.val() & !self.h10.val();
        self.i_hi.next = !self.h15.val() & self.h14.val() & !self.h13.val() & !self.h12.val() & !self.h11.val() & self.h10.val();
        self.i_ldrlit.next = !self.h15.val() & self.h14.val() & !self.h13.val() & !self.h12.val() & self.h11.val();
        self.i_ldst_reg.next = !self.h15.val() & self.h14.val() & !self.h13.val() & self.h12.val();
        self.i_ldst_imm.next = !self.h15.val() & self.h14.val() & self.h13.val();
        self.i_ldst_h.next = self.h15.val() & !self.h14.val() & !self.h13.val() & !self.h12.val();
        self.i_ldst_sp.next = self.h15.val() & !self.h14.val() & !self.h13.val() & self.h12.val();
        self.i_adr.next = self.h15.val() & !self.h14.val() & self.h13.val() & !self.h12.val() & !self.h11.val();
        self.i_addsp8.next = self.h15.val() & !self.h14.val() & self.h13.val() & !self.h12.val() & self.h11.val();
        self.i_misc.next = self.h15.val() & !self.h14.val() & self.h13.val() & self.h12.val();
        self.i_stm.next = self.h15.val() & self.h14.val() & !self.h13.val() & !self.h12.val() & !self.h11.val();
        self.i_ldm.next = self.h15.val() & self.h14.val() & !self.h13.val() & !self.h12.val() & self.h11.val();
        self.i_bcg.next = self.h15.val() & self.h14.val() & !self.h13.val() & self.h12.val();
        self.i_b.next = self.h15.val() & self.h14.val() & self.h13.val() & !self.h12.val() & !self.h11.val();
        self.i_32.next = self.h15.val() & self.h14.val() & self.h13.val() & (self.h12.val() | self.h11.val());
        self.m_addsp.next = self.i_misc.val() & !self.h11.val() & !self.h10.val() & !self.h9.val() & !self.h8.val() & !self.h7.val();
        self.m_subsp.next = self.i_misc.val() & !self.h11.val() & !self.h10.val() & !self.h9.val() & !self.h8.val() & self.h7.val();
        self.m_ext.next = self.i_misc.val() & !self.h11.val() & !self.h10.val() & self.h9.val() & !self.h8.val();
        self.m_push.next = self.i_misc.val()
            & !self.h11.val()
            & self.h10.val()
            & !self.h9.val()
            & (self.hw.val().get_bits::<9>(0) != self.z9.val());
        self.m_cps.next = self.i_misc.val()
            & (self.hw.val().get_bits::<7>(5) == self.cps7.val())
            & (self.hw.val().get_bits::<4>(0) == self.h4_2.val());
        self.m_rev.next = self.i_misc.val() & self.h11.val() & !self.h10.val() & self.h9.val() & !self.h8.val() & !(self.h7.val() & !self.h6.val());
        self.m_pop.next = self.i_misc.val()
            & self.h11.val()
            & self.h10.val()
            & !self.h9.val()
            & (self.hw.val().get_bits::<9>(0) != self.z9.val());
        self.m_bkpt.next = self.i_misc.val() & self.h11.val() & self.h10.val() & self.h9.val() & !self.h8.val();
        self.m_hint.next = self.i_misc.val()
            & self.h11.val()
            & self.h10.val()
            & self.h9.val()
            & self.h8.val()
            & (self.hw.val().get_bits::<4>(0) == self.h4_0.val());


        self.cls.next = self.z26.val();
        if self.i_shift.val() {
            self.cls.next = self.cls.val() | self.b_i_shift.val();
        }
        if self.i_addsub.val() {
            self.cls.next = self.cls.val() | self.b_i_addsub.val();
        }
        if self.i_imm8.val() {
            self.cls.next = self.cls.val() | self.b_i_imm8.val();
        }
        if self.i_dp.val() {
            self.cls.next = self.cls.val() | self.b_i_dp.val();
        }
        if self.i_hi.val() {
            self.cls.next = self.cls.val() | self.b_i_hi.val();
        }
        if self.i_ldrlit.val() {
            self.cls.next = self.cls.val() | self.b_i_ldrlit.val();
        }
        if self.i_ldst_reg.val() {
            self.cls.next = self.cls.val() | self.b_i_ldst_reg.val();
        }
        if self.i_ldst_imm.val() {
            self.cls.next = self.cls.val() | self.b_i_ldst_imm.val();
        }
        if self.i_ldst_h.val() {
            self.cls.next = self.cls.val() | self.b_i_ldst_h.val();
        }
        if self.i_ldst_sp.val() {
            self.cls.next = self.cls.val() | self.b_i_ldst_sp.val();
        }
        if self.i_adr.val() {
            self.cls.next = self.cls.val() | self.b_i_adr.val();
        }
        if self.i_addsp8.val() {
            self.cls.next = self.cls.val() | self.b_i_addsp8.val();
        }
        if self.i_stm.val() {
            self.cls.next = self.cls.val() | self.b_i_stm.val();
        }
        if self.i_ldm.val() {
            self.cls.next = self.cls.val() | self.b_i_ldm.val();
        }
        if self.i_bcg.val() {
            self.cls.next = self.cls.val() | self.b_i_bcg.val();
        }
        if self.i_b.val() {
            self.cls.next = self.cls.val() | self.b_i_b.val();
        }
        if self.i_32.val() {
            self.cls.next = self.cls.val() | self.b_i_32.val();
        }
        if self.m_addsp.val() {
            self.cls.next = self.cls.val() | self.b_m_addsp.val();
        }
        if self.m_subsp.val() {
            self.cls.next = self.cls.val() | self.b_m_subsp.val();
        }
        if self.m_ext.val() {
            self.cls.next = self.cls.val() | self.b_m_ext.val();
        }
        if self.m_push.val() {
            self.cls.next = self.cls.val() | self.b_m_push.val();
        }
        if self.m_cps.val() {
            self.cls.next = self.cls.val() | self.b_m_cps.val();
        }
        if self.m_rev.val() {
            self.cls.next = self.cls.val() | self.b_m_rev.val();
        }
        if self.m_pop.val() {
            self.cls.next = self.cls.val() | self.b_m_pop.val();
        }
        if self.m_bkpt.val() {
            self.cls.next = self.cls.val() | self.b_m_bkpt.val();
        }
        if self.m_hint.val() {
            self.cls.next = self.cls.val() | self.b_m_hint.val();
        }

        // ---- Read addresses.
        self.f_rd.next = self.hw.val().get_bits::<4>(0) & self.m7_4.val();
        self.f_rm.next = self.hw.val().get_bits::<4>(3) & self.m7_4.val();
        self.f_r8.next = self.hw.val().get_bits::<4>(8) & self.m7_4.val();
        self.ra.next = self.f_rm.val();
        self.rb.next = self.hw.val().get_bits::<4>(6) & self.m7_4.val();
        if self.i_imm8.val() | self.i_stm.val() | self.i_ldm.val() {
            // MOV/CMP/ADD/SUB immediate, STM/LDM: Rdn / Rn at 10:8.
            self.ra.next = self.f_r8.val();
        } else if self.i_dp.val() {
            // Data processing: Rdn at 2:0, Rm at 5:3.
            self.ra.next = self.f_rd.val();
            self.rb.next = self.f_rm.val();
        } else if self.i_hi.val() {
            // High registers, BX, BLX: Rdn at H1:2:0, Rm at 6:3.
            self.ra.next = self.f_rd.val();
            if self.hw.val().get_bit(7) {
                self.ra.next = self.f_rd.val() | self.r8.val();
            }
            self.rb.next = self.hw.val().get_bits::<4>(3);
        } else if self.i_ldrlit.val() | self.i_adr.val() | self.i_bcg.val() | self.i_b.val() {
            // LDR literal, ADR, B<c>/SVC/UDF, B: PC.
            self.ra.next = self.r15.val();
        } else if self.i_ldst_sp.val() | self.i_addsp8.val() | self.i_misc.val() {
            // SP-relative load/store, ADD Rd, SP, miscellaneous: SP, with Rm at 5:3.
            self.ra.next = self.r13.val();
            self.rb.next = self.f_rm.val();
        } else if self.i_32.val() {
            // 32-bit prefix (MSR reads Rn from the first halfword).
            self.ra.next = self.hw.val().get_bits::<4>(0);
        }
    }
}

crate::hdl_block! {
    /// Thumb decode, registered: `i_*` instruction classes, `m_*` miscellaneous (1011) forms.
    M0Decode
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// Next PC bits 2:1 (word slot, halfword) and the next instruction buffer.
        pc_n: Signal<In, Bits<2>>,
        buf0_n: Signal<In, Bits<32>>,
        buf1_n: Signal<In, Bits<32>>,
        /// The buffer's flops and the fetch data that lands in slot `bus_slot` this cycle when
        /// `bus_in` (what `buf0_n`/`buf1_n` are made of): the read addresses are decoded from
        /// each and chosen last, so the bus data does not pass the buffer's and PC's muxes first.
        buf0_q: Signal<In, Bits<32>>,
        buf1_q: Signal<In, Bits<32>>,
        bus_data: Signal<In, Bits<32>>,
        bus_in: Signal<In, bool>,
        bus_slot: Signal<In, bool>,
        /// A store's data phase next cycle sends register `st_reg_n`, read through port B.
        st_n: Signal<In, bool>,
        st_reg_n: Signal<In, Bits<4>>,
        /// The head halfword, zero-extended.
        hw32: Signal<Out, Bits<32>>,
        i_shift: Signal<Out, bool>,
        i_addsub: Signal<Out, bool>,
        i_imm8: Signal<Out, bool>,
        i_dp: Signal<Out, bool>,
        i_hi: Signal<Out, bool>,
        i_ldrlit: Signal<Out, bool>,
        i_ldst_reg: Signal<Out, bool>,
        i_ldst_imm: Signal<Out, bool>,
        i_ldst_h: Signal<Out, bool>,
        i_ldst_sp: Signal<Out, bool>,
        i_adr: Signal<Out, bool>,
        i_addsp8: Signal<Out, bool>,
        i_stm: Signal<Out, bool>,
        i_ldm: Signal<Out, bool>,
        i_bcg: Signal<Out, bool>,
        i_b: Signal<Out, bool>,
        i_32: Signal<Out, bool>,
        m_addsp: Signal<Out, bool>,
        m_subsp: Signal<Out, bool>,
        m_ext: Signal<Out, bool>,
        m_push: Signal<Out, bool>,
        m_cps: Signal<Out, bool>,
        m_rev: Signal<Out, bool>,
        m_pop: Signal<Out, bool>,
        m_bkpt: Signal<Out, bool>,
        m_hint: Signal<Out, bool>,
        /// Low-register fields Rd (2:0), R8 (10:8); high-register Rd (H1:2:0).
        f_rd: Signal<Out, Bits<4>>,
        f_r8: Signal<Out, Bits<4>>,
        f_hd: Signal<Out, Bits<4>>,
        /// Register-file read addresses (13 SP, 15 PC).
        ra: Signal<Out, Bits<4>>,
        rb: Signal<Out, Bits<4>>,
        /// The read addresses of the next cycle (the inputs of `ra`'s and `rb`'s flops), so the
        /// core can read the register file a cycle early into its operand flops.
        ra_n: Signal<Out, Bits<4>>,
        rb_n: Signal<Out, Bits<4>>,
    }
    consts {
        m7_4: 4 = 7, r8: 4 = 8,
    }
    fields {
        hw_q: RDff<Bits<32>>,
        // The bus word's two halfwords and the buffer's halfword, decoded.
        rr_lo: M0HalfDecode,
        rr_hi: M0HalfDecode,
        rr_q: M0HalfDecode,
        w_q: Signal<Local, Bits<32>>,
        // The classes, one bit each (`b_*`).
        cls_q: RDff<Bits<26>>,
        ra_q: RDff<Bits<4>>,
        rb_q: RDff<Bits<4>>,
        w_n: Signal<Local, Bits<32>>,
        hw_n: Signal<Local, Bits<32>>,
        n_cls: Signal<Local, Bits<26>>,
        n_ra: Signal<Local, Bits<4>>,
        n_rb: Signal<Local, Bits<4>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    M0Decode;
    reset [hw_q, cls_q, ra_q, rb_q]
    fn update(&mut self) {
        // ---- The next head halfword.
        self.w_n.next = self.buf0_n.val();
        if self.pc_n.val().get_bit(1) {
            self.w_n.next = self.buf1_n.val();
        }
        self.hw_n.next = self.w_n.val() & 0xFFFF;
        if self.pc_n.val().get_bit(0) {
            self.hw_n.next = self.w_n.val() >> 16;
        }

        // The next head halfword's classes and read addresses (the core puts a store's data
        // register on B itself): from the fetch data when that halfword arrives now, else from
        // the buffer's flops.
        self.rr_lo.hw.next = self.bus_data.val().get_bits::<16>(0);
        self.rr_hi.hw.next = self.bus_data.val().get_bits::<16>(16);
        self.w_q.next = self.buf0_q.val();
        if self.pc_n.val().get_bit(1) {
            self.w_q.next = self.buf1_q.val();
        }
        self.rr_q.hw.next = self.w_q.val().get_bits::<16>(0);
        if self.pc_n.val().get_bit(0) {
            self.rr_q.hw.next = self.w_q.val().get_bits::<16>(16);
        }
        self.n_cls.next = self.rr_q.cls.val();
        self.n_ra.next = self.rr_q.ra.val();
        self.n_rb.next = self.rr_q.rb.val();
        if self.bus_in.val() & (self.bus_slot.val() == self.pc_n.val().get_bit(1)) {
            if self.pc_n.val().get_bit(0) {
                self.n_cls.next = self.rr_hi.cls.val();
                self.n_ra.next = self.rr_hi.ra.val();
                self.n_rb.next = self.rr_hi.rb.val();
            } else {
                self.n_cls.next = self.rr_lo.cls.val();
                self.n_ra.next = self.rr_lo.ra.val();
                self.n_rb.next = self.rr_lo.rb.val();
            }
        }

        // ---- Registered. The classes share one 26-bit flop (bit `b_*` each): one reset flop
        // instead of 26 in the Verilog.
        self.cls_q.d.next = self.n_cls.val();
        self.hw_q.d.next = self.hw_n.val();
        self.ra_q.d.next = self.n_ra.val();
        self.rb_q.d.next = self.n_rb.val();
        if self.st_n.val() {
            self.rb_q.d.next = self.st_reg_n.val();
        }
        self.hw32.next = self.hw_q.q.val();
        self.i_shift.next = self.cls_q.q.val().get_bit(0);
        self.i_addsub.next = self.cls_q.q.val().get_bit(1);
        self.i_imm8.next = self.cls_q.q.val().get_bit(2);
        self.i_dp.next = self.cls_q.q.val().get_bit(3);
        self.i_hi.next = self.cls_q.q.val().get_bit(4);
        self.i_ldrlit.next = self.cls_q.q.val().get_bit(5);
        self.i_ldst_reg.next = self.cls_q.q.val().get_bit(6);
        self.i_ldst_imm.next = self.cls_q.q.val().get_bit(7);
        self.i_ldst_h.next = self.cls_q.q.val().get_bit(8);
        self.i_ldst_sp.next = self.cls_q.q.val().get_bit(9);
        self.i_adr.next = self.cls_q.q.val().get_bit(10);
        self.i_addsp8.next = self.cls_q.q.val().get_bit(11);
        self.i_stm.next = self.cls_q.q.val().get_bit(12);
        self.i_ldm.next = self.cls_q.q.val().get_bit(13);
        self.i_bcg.next = self.cls_q.q.val().get_bit(14);
        self.i_b.next = self.cls_q.q.val().get_bit(15);
        self.i_32.next = self.cls_q.q.val().get_bit(16);
        self.m_addsp.next = self.cls_q.q.val().get_bit(17);
        self.m_subsp.next = self.cls_q.q.val().get_bit(18);
        self.m_ext.next = self.cls_q.q.val().get_bit(19);
        self.m_push.next = self.cls_q.q.val().get_bit(20);
        self.m_cps.next = self.cls_q.q.val().get_bit(21);
        self.m_rev.next = self.cls_q.q.val().get_bit(22);
        self.m_pop.next = self.cls_q.q.val().get_bit(23);
        self.m_bkpt.next = self.cls_q.q.val().get_bit(24);
        self.m_hint.next = self.cls_q.q.val().get_bit(25);
        // Register fields are slices of the registered halfword.
        self.f_rd.next = self.hw_q.q.val().get_bits::<4>(0) & self.m7_4.val();
        self.f_r8.next = self.hw_q.q.val().get_bits::<4>(8) & self.m7_4.val();
        self.f_hd.next = self.f_rd.val();
        if self.hw_q.q.val().get_bit(7) {
            self.f_hd.next = self.f_rd.val() | self.r8.val();
        }
        self.ra.next = self.ra_q.q.val();
        self.rb.next = self.rb_q.q.val();
        self.ra_n.next = self.ra_q.d.val();
        self.rb_n.next = self.rb_q.d.val();
    }
}
