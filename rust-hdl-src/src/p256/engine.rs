//! P-256 engine top (`pluton_p256`): APB4 front, microcode sequencer, register file and field unit.

use super::arith::{ConstRom, ModAlu, MontStep, Mul256x16, RfRam, UcodeRom};
use super::regs;
use super::ucode::{self, Op};
use crate::common::prims::{ByteSwap32, ErrLog, PackWords8, RDff, StateCode3, ZeroExt};
use rust_hdl::prelude::*;

/// Sequencer states. WIPE is the reset state: the power-on wipe. An instruction is ISSUE (read
/// the ROM and the registers), then EXEC (the adder's first half) or MLOAD, MRUN, MRES (the
/// multiplier, then the adder's first half on its result), then WB (the adder's second half, and
/// every write and flag). The adder is split so no carry chain spans 259 bits in one cycle.
/// The state flops carry 3 check bits (`StateCode3`); a state that does not match its check bits
/// is a fault: the engine wipes, goes DEAD and raises `alert_fatal` until reset.
const ST_WIPE: u64 = 0;
const ST_IDLE: u64 = 1;
const ST_ISSUE: u64 = 2;
const ST_EXEC: u64 = 3;
const ST_MLOAD: u64 = 4;
const ST_MRUN: u64 = 5;
const ST_MRES: u64 = 6;
const ST_WB: u64 = 7;

crate::hdl_block! {
    /// The P-256 engine; see the README for the contract.
    P256
    apb(12)
    ports {
        /// Escalation: abort, wipe every register, refuse CMD until reset.
        esc: Signal<In, bool>,
        /// The window's owner changed: abort and wipe every register, d included, as CMD_WIPE
        /// does, and clear ERR_INFO (ignored during the power-on wipe and after escalation).
        clear: Signal<In, bool>,
        /// The SHA-256 engine's digest port (README "Hash from the SHA-256 engine"): the digest as
        /// a 256-bit number (H0 in bits 255:224), valid for a finished plain SHA-256 only, and
        /// the master that started it.
        hash_in: Signal<In, Bits<256>>,
        hash_valid: Signal<In, bool>,
        hash_master: Signal<In, Bits<4>>,
        /// The DRBG's scalar port (README "k and SEED from the DRBG"): a random 256-bit number
        /// for K (SIGN) or SEED (KEYGEN) with CTRL.K_SIDELOAD; `k_taken` empties the port.
        k_in: Signal<In, Bits<256>>,
        k_valid: Signal<In, bool>,
        k_taken: Signal<Out, bool>,
        /// Level: STATUS.DONE.
        intr_done: Signal<Out, bool>,
        /// The sequencer state failed its check; sticky until reset.
        alert_fatal: Signal<Out, bool>,
    }
    consts {
        st_wipe: 3 = ST_WIPE,
        st_idle: 3 = ST_IDLE,
        st_issue: 3 = ST_ISSUE,
        st_exec: 3 = ST_EXEC,
        st_mload: 3 = ST_MLOAD,
        st_mrun: 3 = ST_MRUN,
        st_mres: 3 = ST_MRES,
        st_wb: 3 = ST_WB,
        op_end: 5 = Op::End as u64,
        op_mulp: 5 = Op::MulP as u64,
        op_muln: 5 = Op::MulN as u64,
        op_subp: 5 = Op::SubP as u64,
        op_addn: 5 = Op::AddN as u64,
        op_subn: 5 = Op::SubN as u64,
        op_sel: 5 = Op::Sel as u64,
        op_ldc: 5 = Op::Ldc as u64,
        op_bit: 5 = Op::Bit as u64,
        op_cnt: 5 = Op::Cnt as u64,
        op_loop: 5 = Op::Loop as u64,
        op_call: 5 = Op::Call as u64,
        op_ret: 5 = Op::Ret as u64,
        op_chk: 5 = Op::Chk as u64,
        op_jmp: 5 = Op::Jmp as u64,
        op_jnopt: 5 = Op::Jnopt as u64,
        chk_range_n: 3 = ucode::Check::RangeN as u64,
        chk_lt_p: 3 = ucode::Check::LtP as u64,
        chk_nonzero: 3 = ucode::Check::NonZero as u64,
        chk_equal: 3 = ucode::Check::Equal as u64,
        chk_both: 3 = ucode::Check::NotBothZero as u64,
        zero4: 4 = 0,
        zero6: 6 = 0,
        one6: 6 = 1,
        last6: 6 = 63,
        zero7: 7 = 0,
        one7: 7 = 1,
        last_p: 7 = 16,
        last_n: 7 = 63,
        zero8: 8 = 0,
        one8: 8 = 1,
        all8: 8 = 0xff,
        top8: 8 = 0x80,
        one10: 10 = 1,
        zero10: 10 = 0,
        zero16: 16 = 0,
        // A register the microcode never writes: 0 after every wipe.
        unused_reg: 6 = ucode::UNUSED as u64,
        n_prime: 16 = ucode::N_PRIME16 as u64,
        zero29: 29 = 0,
        zero32: 32 = 0,
        one32: 32 = 1,
        zero256: 256 = 0,
        zero274: 274 = 0,
        zero257: 257 = 0,
        one2: 2 = 1,
        two2: 2 = 2,
        three2: 2 = 3,
        sixteen8: 8 = 16,
        eight8: 8 = 8,
        // Bus operands: paddr[10:5] = slot + 2 (0x40 = slot 0).
        slot_base: 6 = 2,
        s_d: 6 = ucode::RD as u64,
        s_e: 6 = ucode::RE as u64,
        s_qx: 6 = ucode::RQX as u64,
        s_qy: 6 = ucode::RQY as u64,
        s_r: 6 = ucode::RR as u64,
        s_s: 6 = ucode::RS as u64,
        c_pubkey: 4 = regs::CMD_PUBKEY as u64,
        c_ecdh: 4 = regs::CMD_ECDH as u64,
        c_sign: 4 = regs::CMD_SIGN as u64,
        c_keygen: 4 = regs::CMD_KEYGEN as u64,
        c_sign32: 32 = regs::CMD_SIGN as u64,
        c_verify32: 32 = regs::CMD_VERIFY as u64,
        s_hash: 6 = ucode::RE as u64,
        s_k: 6 = ucode::RK as u64,
        s_seed: 6 = ucode::RSEED as u64,
        c_keygen32: 32 = regs::CMD_KEYGEN as u64,
        r_hash_unavail: 4 = regs::RES_HASH_UNAVAILABLE as u64,
        r_k_unavail: 4 = regs::RES_K_UNAVAILABLE as u64,
        four32: 32 = 4,
        two32: 32 = 2,
        c_wipe: 32 = regs::CMD_WIPE as u64,
        block_id: 32 = regs::BLOCK_ID as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_fatal: 32 = regs::ERR_FATAL as u64,
        e_protocol: 32 = regs::ERR_PROTOCOL as u64,
        b_busy: 32 = regs::STATUS_BUSY.mask() as u64,
        b_done: 32 = regs::STATUS_DONE.mask() as u64,
        b_err: 32 = regs::STATUS_ERR.mask() as u64,
        b_dead: 32 = regs::STATUS_DEAD.mask() as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        // ---- Leaf cells.
        rfa: RfRam,
        rfb: RfRam,
        urom: UcodeRom,
        crom: ConstRom,
        mul: Mul256x16,
        step: MontStep,
        alu: ModAlu,
        wswap: ByteSwap32,
        wrep: PackWords8,
        rswap: ByteSwap32,
        alu_xa: ZeroExt<256, 257>,
        alu_ya: ZeroExt<256, 257>,
        res_e: ZeroExt<4, 32>,
        res_c: ZeroExt<4, 32>,
        /// n, the multiplier's other operand in the second pass of a digit mod n.
        n_mod: Constant<Bits<256>> = Constant::new(n_bits()),
        // ---- Sequencer state, and its check bits (the code of the state they were stored with).
        st: RDff<Bits<3>>,
        st_chk: RDff<Bits<3>>,
        code_q: StateCode3,
        code_d: StateCode3,
        /// A state check failed (sticky: alert_fatal).
        fatal_q: RDff<bool>,
        upc: RDff<Bits<{ ucode::UPC_BITS }>>,
        /// The instruction being executed (after ISSUE): execution decodes from a flop, not the ROM.
        ir: RDff<Bits<{ ucode::UWORD_BITS }>>,
        ret: RDff<Bits<{ ucode::UPC_BITS }>>,
        cnt: RDff<Bits<8>>,
        flag0: RDff<bool>,
        flag1: RDff<bool>,
        /// The first failed check of the running command (RESULT.ERROR at its end).
        err: RDff<Bits<4>>,
        cmd: RDff<Bits<4>>,
        /// CTRL.RANDOMIZE as the running command took it.
        rand_run: RDff<bool>,
        /// The wipe clears every register (power-on, WIPE, escalation), not just the work.
        wipe_all: RDff<bool>,
        wipe_cnt: RDff<Bits<6>>,
        /// The power-on wipe has finished.
        booted: RDff<bool>,
        dead: RDff<bool>,
        // ---- Multiplier state.
        opa: RDff<Bits<256>>,
        opb: RDff<Bits<256>>,
        sc: RDff<Bits<274>>,
        ss: RDff<Bits<274>>,
        pe: RDff<Bits<256>>,
        po: RDff<Bits<256>>,
        mr: RDff<Bits<16>>,
        dig: RDff<Bits<7>>,
        // ---- Registers.
        ctrl_rand: RDff<bool>,
        ctrl_hash: RDff<bool>,
        ctrl_k: RDff<bool>,
        /// The command that started at the last edge takes k_in at the next (K_SIDELOAD).
        k_pend: RDff<bool>,
        done: RDff<bool>,
        res_err: RDff<Bits<4>>,
        res_cmd: RDff<Bits<4>>,
        cycles: RDff<Bits<32>>,
        /// An operand read's wait state has passed (the RAM's data is valid).
        rd_pend: RDff<bool>,
        // ---- Decode: u_* of the ROM word at upc (ISSUE), x_* of the instruction register.
        u_op: Signal<Local, Bits<5>>,
        u_a: Signal<Local, Bits<6>>,
        u_b: Signal<Local, Bits<6>>,
        u_imm: Signal<Local, Bits<10>>,
        u_mul: Signal<Local, bool>,
        x_op: Signal<Local, Bits<5>>,
        x_d: Signal<Local, Bits<6>>,
        /// imm bits 6:0 (constant index, check mode and code, flag number).
        x_imm: Signal<Local, Bits<7>>,
        modn: Signal<Local, bool>,
        upc_next: Signal<Local, Bits<{ ucode::UPC_BITS }>>,
        sel_flag: Signal<Local, bool>,
        a_zero: Signal<Local, bool>,
        b_zero: Signal<Local, bool>,
        chk_fail: Signal<Local, bool>,
        /// EXEC or MRES result to write to register d.
        wr_exec: Signal<Local, bool>,
        wr_data: Signal<Local, Bits<256>>,
        keep: Signal<Local, bool>,
        busy: Signal<Local, bool>,
        // ---- Bus.
        is_operand: Signal<Local, bool>,
        slot: Signal<Local, Bits<6>>,
        word: Signal<Local, Bits<3>>,
        err_code: Signal<Local, Bits<32>>,
        complete: Signal<Local, bool>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
        cmd_ok: Signal<Local, bool>,
        readable: Signal<Local, bool>,
        wsel: Signal<Local, Bits<8>>,
        chk_mode: Signal<Local, Bits<3>>,
        failed: Signal<Local, bool>,
        out_q: Signal<Local, bool>,
        out_x: Signal<Local, bool>,
        out_rs: Signal<Local, bool>,
        mprod: Signal<Local, Bits<32>>,
        /// The state does not match its check bits.
        st_bad: Signal<Local, bool>,
        /// Escalation or a state fault: abort and wipe.
        kill: Signal<Local, bool>,
        /// This CMD write loads HASH from the digest port; the digest there is usable.
        hash_load: Signal<Local, bool>,
        hash_good: Signal<Local, bool>,
        /// K or SEED is loaded from k_in at this edge.
        k_load: Signal<Local, bool>,
        /// `clear` while it applies.
        clr: Signal<Local, bool>,
        /// A command starts at this edge (CMD written, or the wipe of `clear`), and which.
        go: Signal<Local, bool>,
        go_cmd: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    P256;
    reset [front, log, rfa, rfb, alu]
    hold [st, st_chk, fatal_q, ctrl_hash, ctrl_k, k_pend, upc, ir, ret, cnt, flag0, flag1, err, cmd, rand_run, wipe_all, wipe_cnt, booted, dead,
          opa, opb, sc, ss, pe, po, mr, dig, ctrl_rand, done, res_err, res_cmd, cycles, rd_pend]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        self.busy.next = self.st.q.val() != self.st_idle.val();
        self.code_q.s.next = self.st.q.val();
        self.st_bad.next = self.code_q.code.val() != self.st_chk.q.val();
        self.kill.next = self.esc.val() | self.st_bad.val();
        self.fatal_q.d.next = self.fatal_q.q.val() | self.st_bad.val();
        self.alert_fatal.next = self.fatal_q.q.val() | self.st_bad.val();

        // ---- The instruction at upc.
        self.urom.addr.next = self.upc.q.val();
        // Field positions: ucode::OP_LSB, D_LSB, A_LSB, B_LSB, IMM_LSB (a unit test checks).
        self.u_op.next = self.urom.data.val().get_bits::<5>(0);
        self.u_a.next = self.urom.data.val().get_bits::<6>(11);
        self.u_b.next = self.urom.data.val().get_bits::<6>(17);
        self.u_imm.next = self.urom.data.val().get_bits::<10>(23);
        self.u_mul.next = (self.u_op.val() == self.op_mulp.val()) | (self.u_op.val() == self.op_muln.val());
        if self.st.q.val() == self.st_issue.val() {
            self.ir.d.next = self.urom.data.val();
        }
        self.x_op.next = self.ir.q.val().get_bits::<5>(0);
        self.x_d.next = self.ir.q.val().get_bits::<6>(5);
        self.x_imm.next = self.ir.q.val().get_bits::<7>(23);
        self.modn.next = (self.x_op.val() == self.op_muln.val()) | (self.x_op.val() == self.op_addn.val()) | (self.x_op.val() == self.op_subn.val());
        self.upc_next.next = self.upc.q.val() + self.one10.val();
        self.crom.addr.next = self.x_imm.val().get_bits::<4>(0);

        // ---- Field unit. The multiplier's operands: a and the digit of b, or (mod n, phase 2) n and m.
        self.mul.a.next = self.opa.q.val();
        self.mul.b.next = self.opb.q.val().get_bits::<16>(0);
        if self.modn.val() & (self.dig.q.val().get_bits::<2>(0) == self.two2.val()) {
            self.mul.a.next = self.n_mod.val();
            self.mul.b.next = self.mr.q.val();
        }
        self.step.sc.next = self.sc.q.val();
        self.step.ss.next = self.ss.q.val();
        self.step.e.next = self.pe.q.val();
        self.step.o.next = self.po.q.val();
        self.step.shift.next = !self.modn.val() | self.dig.q.val().get_bit(1);
        self.step.qen.next = !self.modn.val();
        // The adder: register operands, or the accumulator's two halves in MRES; y = 0 for CHK;
        // zeros while wiping, so its pipeline registers hold nothing afterwards.
        self.alu_xa.a.next = self.rfa.rdata.val();
        self.alu_ya.a.next = self.rfb.rdata.val();
        self.alu.x.next = self.alu_xa.y.val();
        self.alu.y.next = self.alu_ya.y.val();
        self.alu.sub.next = (self.x_op.val() == self.op_subp.val()) | (self.x_op.val() == self.op_subn.val());
        self.alu.modn.next = self.modn.val();
        if self.x_op.val() == self.op_chk.val() {
            self.alu.y.next = self.zero257.val();
            self.alu.modn.next = self.x_imm.val().get_bits::<3>(4) == self.chk_range_n.val();
        }
        if self.st.q.val() == self.st_mres.val() {
            self.alu.x.next = self.sc.q.val().get_bits::<257>(0);
            self.alu.y.next = self.ss.q.val().get_bits::<257>(0);
        }
        if self.st.q.val() == self.st_wipe.val() {
            self.alu.x.next = self.zero257.val();
            self.alu.y.next = self.zero257.val();
        }

        // ---- Checks and selects (EXEC).
        self.a_zero.next = self.rfa.rdata.val() == self.zero256.val();
        self.b_zero.next = self.rfb.rdata.val() == self.zero256.val();
        self.chk_mode.next = self.x_imm.val().get_bits::<3>(4);
        self.chk_fail.next = false;
        if self.chk_mode.val() == self.chk_range_n.val() {
            self.chk_fail.next = self.a_zero.val() | self.alu.ge.val();
        } else if self.chk_mode.val() == self.chk_lt_p.val() {
            self.chk_fail.next = self.alu.ge.val();
        } else if self.chk_mode.val() == self.chk_nonzero.val() {
            self.chk_fail.next = self.a_zero.val();
        } else if self.chk_mode.val() == self.chk_equal.val() {
            self.chk_fail.next = self.rfa.rdata.val() != self.rfb.rdata.val();
        } else if self.chk_mode.val() == self.chk_both.val() {
            self.chk_fail.next = self.a_zero.val() & self.b_zero.val();
        }
        self.sel_flag.next = self.flag0.q.val();
        if self.x_imm.val().get_bits::<2>(0) == self.one2.val() {
            self.sel_flag.next = self.flag1.q.val();
        } else if self.x_imm.val().get_bits::<2>(0) == self.two2.val() {
            self.sel_flag.next = true;
        } else if self.x_imm.val().get_bits::<2>(0) == self.three2.val() {
            self.sel_flag.next = self.err.q.val() == self.zero4.val();
        }
        self.wr_data.next = self.alu.res.val();
        if self.x_op.val() == self.op_sel.val() {
            self.wr_data.next = self.rfa.rdata.val();
            if self.sel_flag.val() {
                self.wr_data.next = self.rfb.rdata.val();
            }
        } else if self.x_op.val() == self.op_ldc.val() {
            self.wr_data.next = self.crom.data.val();
        }
        self.wr_exec.next = (self.st.q.val() == self.st_wb.val())
            & (self.x_op.val() != self.op_bit.val())
            & (self.x_op.val() != self.op_chk.val());

        // ---- What the wipe keeps: after a command, d, the hash and the points and signature,
        // except a failed command's outputs.
        self.failed.next = self.err.q.val() != self.zero4.val();
        self.out_q.next = (self.cmd.q.val() == self.c_pubkey.val()) | (self.cmd.q.val() == self.c_keygen.val());
        self.out_x.next = self.out_q.val() | (self.cmd.q.val() == self.c_ecdh.val());
        self.out_rs.next = self.cmd.q.val() == self.c_sign.val();
        // The power-on wipe (after any reset, warm too) keeps nothing.
        self.keep.next = self.booted.q.val() & !self.wipe_all.q.val()
            & ((self.wipe_cnt.q.val() == self.s_d.val())
                | (self.wipe_cnt.q.val() == self.s_e.val())
                | ((self.wipe_cnt.q.val() == self.s_qx.val()) & !(self.failed.val() & self.out_x.val()))
                | ((self.wipe_cnt.q.val() == self.s_qy.val()) & !(self.failed.val() & self.out_q.val()))
                | (((self.wipe_cnt.q.val() == self.s_r.val()) | (self.wipe_cnt.q.val() == self.s_s.val()))
                    & !(self.failed.val() & self.out_rs.val())));

        // ---- Bus decode.
        self.is_operand.next = self.front.is_d.val() | self.front.is_k.val() | self.front.is_hash.val()
            | self.front.is_qx.val() | self.front.is_qy.val() | self.front.is_r.val()
            | self.front.is_s.val() | self.front.is_seed.val() | self.front.is_lambda.val();
        self.slot.next = self.paddr.val().get_bits::<6>(5) - self.slot_base.val();
        self.word.next = self.paddr.val().get_bits::<3>(2);
        self.wsel.next = self.one8.val() << self.word.val();
        self.cmd_ok.next = (self.pwdata.val() != self.zero32.val()) & (self.pwdata.val() <= self.c_wipe.val());
        // Access checks, in the documented order; the first that applies wins.
        self.err_code.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Protocol, unmapped, wrong master, WO/RO.
        } else if self.front.strb_part.val() {
            self.err_code.next = self.e_strb.val();
        } else if self.pwrite.val() & self.front.is_cmd.val() & !self.cmd_ok.val() {
            self.err_code.next = self.e_value.val();
        } else if self.pwrite.val() & self.front.is_ctrl.val() & (self.pwdata.val().get_bits::<29>(3) != self.zero29.val()) {
            self.err_code.next = self.e_value.val();
        } else if self.pwrite.val() & self.front.is_cmd.val() & self.dead.q.val() {
            self.err_code.next = self.e_fatal.val();
        } else if (self.is_operand.val() | (self.pwrite.val() & self.front.is_cmd.val())) & self.busy.val() {
            self.err_code.next = self.e_busy.val();
        }
        // PREADY: every access waits out the power-on wipe; a good operand read waits one cycle
        // for the RAM.
        self.pready.next = true;
        if !self.booted.q.val() & (self.front.err.val() != self.e_protocol.val()) {
            self.pready.next = false;
        } else if self.front.access.val() & !self.pwrite.val() & self.is_operand.val()
            & (self.err_code.val() == self.e_none.val()) & !self.rd_pend.q.val() {
            self.pready.next = false;
        }
        self.front.pready.next = self.pready.val();
        self.rd_pend.d.next = self.front.access.val() & !self.pready.val() & self.booted.q.val();
        self.complete.next = self.front.access.val() & self.pready.val();
        self.pslverr.next = self.complete.val() & (self.err_code.val() != self.e_none.val());
        self.ok_write.next = self.complete.val() & self.pwrite.val() & (self.err_code.val() == self.e_none.val());
        self.ok_read.next = self.complete.val() & !self.pwrite.val() & (self.err_code.val() == self.e_none.val());

        // ---- A command starts: CMD written, or a change of owner, which replaces any command
        // with WIPE (the running one is abandoned).
        self.clr.next = self.clear.val() & self.booted.q.val() & !self.dead.q.val();
        self.go.next = (self.ok_write.val() & self.front.is_cmd.val()) | self.clr.val();
        self.go_cmd.next = self.pwdata.val();
        if self.clr.val() {
            self.go_cmd.next = self.c_wipe.val();
        }

        // ---- HASH from the SHA-256 engine: SIGN and VERIFY with CTRL.HASH_SIDELOAD take the
        // digest when CMD is written, if it is a plain SHA-256 digest this master started.
        self.hash_load.next = self.ok_write.val() & self.front.is_cmd.val() & self.ctrl_hash.q.val() & !self.clr.val()
            & ((self.pwdata.val() == self.c_sign32.val()) | (self.pwdata.val() == self.c_verify32.val()));
        self.hash_good.next = self.hash_valid.val() & (self.hash_master.val() == self.pmaster.val());
        // ---- K (SIGN) or SEED (KEYGEN) from the DRBG: at the command's first edge, since the
        // CMD edge may be writing HASH (one write port).
        self.k_load.next = self.k_pend.q.val() & (self.st.q.val() == self.st_issue.val());
        self.k_taken.next = self.k_load.val();

        // ---- Register file ports. The microcode's registers while it runs. Otherwise both ports
        // read a register the microcode never writes (0 after any wipe), except that idle port a
        // reads the operand a bus read addresses if it is a readable one: so the read registers
        // never hold d, k or the work values while nothing runs.
        self.readable.next = self.front.is_hash.val() | self.front.is_qx.val() | self.front.is_qy.val()
            | self.front.is_r.val() | self.front.is_s.val();
        self.rfa.raddr.next = self.u_a.val();
        self.rfb.raddr.next = self.u_b.val();
        if (self.st.q.val() == self.st_idle.val()) | (self.st.q.val() == self.st_wipe.val()) {
            self.rfa.raddr.next = self.unused_reg.val();
            self.rfb.raddr.next = self.unused_reg.val();
            if (self.st.q.val() == self.st_idle.val()) & self.psel.val() & !self.pwrite.val() & self.readable.val() {
                self.rfa.raddr.next = self.slot.val();
            }
        }
        self.wswap.a.next = self.pwdata.val();
        self.wrep.w0.next = self.wswap.y.val();
        self.wrep.w1.next = self.wswap.y.val();
        self.wrep.w2.next = self.wswap.y.val();
        self.wrep.w3.next = self.wswap.y.val();
        self.wrep.w4.next = self.wswap.y.val();
        self.wrep.w5.next = self.wswap.y.val();
        self.wrep.w6.next = self.wswap.y.val();
        self.wrep.w7.next = self.wswap.y.val();
        self.rfa.we.next = false;
        self.rfa.wmask.next = self.all8.val();
        self.rfa.waddr.next = self.x_d.val();
        self.rfa.wdata.next = self.wr_data.val();
        if self.st.q.val() == self.st_wipe.val() {
            self.rfa.we.next = !self.keep.val();
            self.rfa.waddr.next = self.wipe_cnt.q.val();
            self.rfa.wdata.next = self.zero256.val();
        } else if self.wr_exec.val() {
            self.rfa.we.next = true;
        } else if self.hash_load.val() {
            // The digest port's value, or 0 when it holds nothing this master may use.
            self.rfa.we.next = true;
            self.rfa.waddr.next = self.s_hash.val();
            self.rfa.wdata.next = self.zero256.val();
            if self.hash_good.val() {
                self.rfa.wdata.next = self.hash_in.val();
            }
        } else if self.k_load.val() {
            // The port's value, or 0 when it holds none.
            self.rfa.we.next = true;
            self.rfa.waddr.next = self.s_k.val();
            if self.cmd.q.val() == self.c_keygen.val() {
                self.rfa.waddr.next = self.s_seed.val();
            }
            self.rfa.wdata.next = self.zero256.val();
            if self.k_valid.val() {
                self.rfa.wdata.next = self.k_in.val();
            }
        } else if self.ok_write.val() & self.is_operand.val() {
            // Bus word w is bytes 4w..4w+3 of the big-endian number: 32-bit lane 7 - w, swapped.
            self.rfa.we.next = true;
            self.rfa.waddr.next = self.slot.val();
            self.rfa.wmask.next = self.top8.val() >> self.word.val();
            self.rfa.wdata.next = self.wrep.y.val();
        }
        self.rfb.we.next = self.rfa.we.val();
        self.rfb.wmask.next = self.rfa.wmask.val();
        self.rfb.waddr.next = self.rfa.waddr.val();
        self.rfb.wdata.next = self.rfa.wdata.val();

        // ---- Sequencer.
        // CYCLES counts the running command (not the power-on or escalation wipe).
        if self.busy.val() & self.booted.q.val() & !self.dead.q.val() {
            self.cycles.d.next = self.cycles.q.val() + self.one32.val();
        }
        self.mprod.next = self.step.low.val() * self.n_prime.val();
        if self.st.q.val() == self.st_wipe.val() {
            // The datapath's flops too: operands, accumulator, products, digit, scalar bits.
            self.opa.d.next = self.zero256.val();
            self.opb.d.next = self.zero256.val();
            self.sc.d.next = self.zero274.val();
            self.ss.d.next = self.zero274.val();
            self.pe.d.next = self.zero256.val();
            self.po.d.next = self.zero256.val();
            self.mr.d.next = self.zero16.val();
            self.flag0.d.next = false;
            self.flag1.d.next = false;
            self.wipe_cnt.d.next = self.wipe_cnt.q.val() + self.one6.val();
            if self.wipe_cnt.q.val() == self.last6.val() {
                self.st.d.next = self.st_idle.val();
                self.booted.d.next = true;
                // The end of a command (or WIPE): its outcome. Not after power-on or escalation.
                if self.booted.q.val() & !self.dead.q.val() {
                    self.done.d.next = true;
                    self.res_err.d.next = self.err.q.val();
                    self.res_cmd.d.next = self.cmd.q.val();
                }
            }
        } else if self.st.q.val() == self.st_issue.val() {
            self.upc.d.next = self.upc_next.val();
            if self.u_op.val() == self.op_end.val() {
                self.st.d.next = self.st_wipe.val();
                self.wipe_all.d.next = false;
                self.wipe_cnt.d.next = self.zero6.val();
            } else if self.u_op.val() == self.op_cnt.val() {
                self.cnt.d.next = self.u_imm.val().get_bits::<8>(0);
            } else if self.u_op.val() == self.op_loop.val() {
                if self.cnt.q.val() != self.zero8.val() {
                    self.cnt.d.next = self.cnt.q.val() - self.one8.val();
                    self.upc.d.next = self.u_imm.val();
                }
            } else if self.u_op.val() == self.op_call.val() {
                self.ret.d.next = self.upc_next.val();
                self.upc.d.next = self.u_imm.val();
            } else if self.u_op.val() == self.op_ret.val() {
                self.upc.d.next = self.ret.q.val();
            } else if self.u_op.val() == self.op_jmp.val() {
                self.upc.d.next = self.u_imm.val();
            } else if self.u_op.val() == self.op_jnopt.val() {
                if !self.rand_run.q.val() {
                    self.upc.d.next = self.u_imm.val();
                }
            } else if self.u_mul.val() {
                self.upc.d.next = self.upc.q.val();
                self.st.d.next = self.st_mload.val();
            } else {
                self.upc.d.next = self.upc.q.val();
                self.st.d.next = self.st_exec.val();
            }
        } else if (self.st.q.val() == self.st_exec.val()) | (self.st.q.val() == self.st_mres.val()) {
            self.st.d.next = self.st_wb.val();
        } else if self.st.q.val() == self.st_wb.val() {
            self.upc.d.next = self.upc_next.val();
            self.st.d.next = self.st_issue.val();
            if self.x_op.val() == self.op_bit.val() {
                if self.x_imm.val().get_bit(0) {
                    self.flag1.d.next = self.rfa.rdata.val().get_bit(self.cnt.q.val().index());
                } else {
                    self.flag0.d.next = self.rfa.rdata.val().get_bit(self.cnt.q.val().index());
                }
            }
            if (self.x_op.val() == self.op_chk.val()) & self.chk_fail.val() & (self.err.q.val() == self.zero4.val()) {
                self.err.d.next = self.x_imm.val().get_bits::<4>(0);
            }
        } else if self.st.q.val() == self.st_mload.val() {
            self.opa.d.next = self.rfa.rdata.val();
            self.opb.d.next = self.rfb.rdata.val();
            self.sc.d.next = self.zero274.val();
            self.ss.d.next = self.zero274.val();
            self.dig.d.next = self.zero7.val();
            self.st.d.next = self.st_mrun.val();
        } else if self.st.q.val() == self.st_mrun.val() {
            // Mod p: the product of digit j is ready a cycle after it is formed; each cycle adds
            // one and forms the next. Mod n: four phases per digit (a·b_j, add, m·n, add >> 16).
            self.pe.d.next = self.mul.e.val();
            self.po.d.next = self.mul.o.val();
            self.dig.d.next = self.dig.q.val() + self.one7.val();
            if !self.modn.val() {
                self.opb.d.next = self.opb.q.val() >> self.sixteen8.val();
                if self.dig.q.val() != self.zero7.val() {
                    self.sc.d.next = self.step.sc_n.val();
                    self.ss.d.next = self.step.ss_n.val();
                }
                if self.dig.q.val() == self.last_p.val() {
                    self.st.d.next = self.st_mres.val();
                }
            } else {
                if self.dig.q.val().get_bit(0) {
                    self.sc.d.next = self.step.sc_n.val();
                    self.ss.d.next = self.step.ss_n.val();
                }
                if self.dig.q.val().get_bits::<2>(0) == self.one2.val() {
                    self.mr.d.next = self.mprod.val().get_bits::<16>(0);
                    self.opb.d.next = self.opb.q.val() >> self.sixteen8.val();
                }
                if self.dig.q.val() == self.last_n.val() {
                    self.st.d.next = self.st_mres.val();
                }
            }
        }

        // ---- Bus writes (only idle ones reach the engine: the checks refuse the rest).
        if self.ok_write.val() & self.front.is_ctrl.val() {
            self.ctrl_rand.d.next = self.pwdata.val().get_bit(0);
            self.ctrl_hash.d.next = self.pwdata.val().get_bit(1);
            self.ctrl_k.d.next = self.pwdata.val().get_bit(2);
        }
        if self.k_load.val() {
            self.k_pend.d.next = false;
            if !self.k_valid.val() & (self.err.q.val() == self.zero4.val()) {
                self.err.d.next = self.r_k_unavail.val();
            }
        }
        if self.go.val() {
            self.done.d.next = false;
            self.cycles.d.next = self.zero32.val();
            self.err.d.next = self.zero4.val();
            if self.hash_load.val() & !self.hash_good.val() {
                self.err.d.next = self.r_hash_unavail.val();
            }
            self.flag0.d.next = false;
            self.flag1.d.next = false;
            self.cmd.d.next = self.go_cmd.val().get_bits::<4>(0);
            self.k_pend.d.next = self.ctrl_k.q.val() & !self.clr.val()
                & ((self.go_cmd.val() == self.c_sign32.val()) | (self.go_cmd.val() == self.c_keygen32.val()));
            self.rand_run.d.next = self.ctrl_rand.q.val();
            // Every command starts from the same control state, whatever ran before.
            self.ret.d.next = self.zero10.val();
            self.cnt.d.next = self.zero8.val();
            self.dig.d.next = self.zero7.val();
            // RESULT belongs to the command now running: 0 until it finishes.
            self.res_err.d.next = self.zero4.val();
            self.res_cmd.d.next = self.zero4.val();
            if self.go_cmd.val() == self.c_wipe.val() {
                self.st.d.next = self.st_wipe.val();
                self.wipe_all.d.next = true;
                self.wipe_cnt.d.next = self.zero6.val();
            } else {
                self.st.d.next = self.st_issue.val();
                self.upc.d.next = self.go_cmd.val().get_bits::<10>(0);
            }
        }
        // Escalation or a state fault: abort and wipe everything, once.
        if self.kill.val() & !self.dead.q.val() {
            self.dead.d.next = true;
            self.k_pend.d.next = false;
            self.done.d.next = false;
            self.res_err.d.next = self.zero4.val();
            self.res_cmd.d.next = self.zero4.val();
            self.cycles.d.next = self.zero32.val();
            self.st.d.next = self.st_wipe.val();
            self.wipe_all.d.next = true;
            self.wipe_cnt.d.next = self.zero6.val();
        }

        // ---- Error log.
        self.log.access.next = self.complete.val();
        self.log.err.next = self.err_code.val().get_bits::<4>(0);
        self.log.clear.next = (self.ok_write.val() & self.front.is_err_info.val()) | self.clr.val();

        // ---- Read data: prdata is 0 unless the read passed every check.
        self.rswap.a.next = self.zero32.val();
        for k in 0..8 {
            if self.wsel.val().get_bit(k) {
                self.rswap.a.next = self.rfa.rdata.val().get_bits::<32>(32 * (7 - k));
            }
        }
        self.rdata.next = self.zero32.val();
        if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_status.val() {
            if self.busy.val() {
                self.rdata.next = self.rdata.val() | self.b_busy.val();
            }
            if self.done.q.val() {
                self.rdata.next = self.rdata.val() | self.b_done.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
            if self.dead.q.val() {
                self.rdata.next = self.rdata.val() | self.b_dead.val();
            }
        } else if self.front.is_ctrl.val() {
            if self.ctrl_rand.q.val() {
                self.rdata.next = self.one32.val();
            }
            if self.ctrl_hash.q.val() {
                self.rdata.next = self.rdata.val() | self.two32.val();
            }
            if self.ctrl_k.q.val() {
                self.rdata.next = self.rdata.val() | self.four32.val();
            }
        } else if self.front.is_result.val() {
            self.rdata.next = self.res_e.y.val() | (self.res_c.y.val() << self.eight8.val());
        } else if self.front.is_cycles.val() {
            self.rdata.next = self.cycles.q.val();
        } else if self.is_operand.val() {
            self.rdata.next = self.rswap.y.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }
        self.res_e.a.next = self.res_err.q.val();
        self.res_c.a.next = self.res_cmd.q.val();
        self.intr_done.next = self.done.q.val();

        // The check bits to store: those of the next state, with every update above applied.
        self.code_d.s.next = self.st.d.val();
        self.st_chk.d.next = self.code_d.code.val();
    }
}

/// n as a 256-bit value.
fn n_bits() -> Bits<256> {
    let mut v = Bits::<256>::default();
    for (i, x) in ucode::words_of_hex(ucode::N_HEX).iter().enumerate() {
        for b in 0..32 {
            v = v.replace_bit(32 * i + b, x >> b & 1 == 1);
        }
    }
    v
}
