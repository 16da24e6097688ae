//! AES engine top (`pluton_aes`): APB4 front, the operation sequencer, the mode datapath, one AES core and one GHASH unit.

use super::core::AesCore;
use super::ghash::GhashUnit;
use super::regs;
use crate::common::prims::{ByteSwap32, ErrLog, RDff, StateCode3, ZeroExt};
use rust_hdl::prelude::*;

/// Sequencer states, stored with 3 check bits (`StateCode3`).
const ST_IDLE: u64 = 0;
/// OP_START: key load (and GCM's H and E(K, J0)).
const ST_INIT: u64 = 1;
/// An operation is open and no text block is in the core.
const ST_READY: u64 = 2;
/// A text block is in the core.
const ST_BLOCK: u64 = 3;
/// GCM OP_FINAL: the length block's GHASH, then the tag.
const ST_FINAL: u64 = 4;
/// A command that ends at the next edge.
const ST_FIN: u64 = 5;

/// `cnt` values in ST_INIT (edges since the CMD edge): the core's key is ready at KR (key load
/// at cnt 0, 10 or 13 edges of expansion); GCM's E(0) starts there and is done at KR + 1 + B,
/// where E(J0) starts; that is done at KR + 2 + 2B (B = 10 or 14 edges per block).
const KR: [u64; 2] = [11, 14];
const B: [u64; 2] = [10, 14];

crate::hdl_block! {
    /// The AES engine; see the README for the contract.
    AesEngine
    apb(12)
    ports {
        key_drbg: Signal<In, Bits<256>>,
        key_drbg_valid: Signal<In, bool>,
        key_otp: Signal<In, Bits<256>>,
        key_otp_valid: Signal<In, bool>,
        /// The window changed owner: wipe and return every register to its reset value.
        clear: Signal<In, bool>,
        /// Escalation: wipe and refuse every command until reset.
        esc: Signal<In, bool>,
        /// Level: STATUS.DONE.
        intr_done: Signal<Out, bool>,
        /// The sequencer state or the AES core's control word failed its check; sticky.
        alert_fatal: Signal<Out, bool>,
    }
    consts {
        st_idle: 3 = ST_IDLE,
        st_init: 3 = ST_INIT,
        st_ready: 3 = ST_READY,
        st_block: 3 = ST_BLOCK,
        st_final: 3 = ST_FINAL,
        st_fin: 3 = ST_FIN,
        zero2: 2 = 0,
        src_drbg: 2 = regs::KEY_SRC_DRBG as u64,
        src_otp: 2 = regs::KEY_SRC_OTP as u64,
        src_bad: 2 = 3,
        mode_ctr: 2 = regs::MODE_CTR as u64,
        mode_gcm: 2 = regs::MODE_GCM as u64,
        mode_cbc: 2 = regs::MODE_CBC as u64,
        zero4: 4 = 0,
        full4: 4 = 0xf,
        zero5: 5 = 0,
        k4_5: 5 = 4,
        k8_5: 5 = 8,
        k12_5: 5 = 12,
        k16_5: 5 = 16,
        zero6: 6 = 0,
        one6: 6 = 1,
        kr128: 6 = KR[0],
        kr256: 6 = KR[1],
        h128: 6 = KR[0] + 1 + B[0],
        h256: 6 = KR[1] + 1 + B[1],
        j128: 6 = KR[0] + 2 + 2 * B[0],
        j256: 6 = KR[1] + 2 + 2 * B[1],
        k16_8: 8 = 16,
        three8: 8 = 3,
        eight10: 10 = 8,
        k67_10: 10 = 67,
        three10: 10 = 3,
        zero32: 32 = 0,
        zero36: 36 = 0,
        zero128: 128 = 0,
        one128: 128 = 1,
        zero256: 256 = 0,
        op_start: 4 = regs::OP_START as u64,
        op_text: 4 = regs::OP_TEXT as u64,
        op_final: 4 = regs::OP_FINAL as u64,
        op_clear: 4 = regs::OP_CLEAR as u64,
        r_no_key: 4 = regs::RES_NO_KEY as u64,
        r_not_active: 4 = regs::RES_NOT_ACTIVE as u64,
        r_sequence: 4 = regs::RES_SEQUENCE as u64,
        r_pending: 4 = regs::RES_PENDING as u64,
        r_tag: 4 = regs::RES_TAG_MISMATCH as u64,
        block_id: 32 = regs::BLOCK_ID as u64,
        ctrl_reset: 32 = regs::CTRL_RESET as u64,
        // CTRL bits that must be 0: 31:13 and 7:6.
        ctrl_reserved: 32 = !(regs::CTRL_MODE.mask() | regs::CTRL_DECRYPT.mask() | regs::CTRL_KEY256.mask()
            | regs::CTRL_KEY_SRC.mask() | regs::CTRL_TAG_BYTES.mask()) as u64,
        // BLOCK_BYTES bits that must be 0: 31:5.
        bb_reserved: 32 = 0xffff_ffe0,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_empty: 32 = regs::ERR_EMPTY as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_state: 32 = regs::ERR_STATE as u64,
        e_fatal: 32 = regs::ERR_FATAL as u64,
        b_busy: 32 = regs::STATUS_BUSY.mask() as u64,
        b_done: 32 = regs::STATUS_DONE.mask() as u64,
        b_active: 32 = regs::STATUS_ACTIVE.mask() as u64,
        b_in_full: 32 = regs::STATUS_IN_FULL.mask() as u64,
        b_out_valid: 32 = regs::STATUS_OUT_VALID.mask() as u64,
        b_text: 32 = regs::STATUS_TEXT.mask() as u64,
        b_key_drbg: 32 = regs::STATUS_KEY_DRBG.mask() as u64,
        b_key_otp: 32 = regs::STATUS_KEY_OTP.mask() as u64,
        b_err: 32 = regs::STATUS_ERR.mask() as u64,
        b_dead: 32 = regs::STATUS_DEAD.mask() as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        aes: AesCore,
        gh: GhashUnit,
        wswap: ByteSwap32,
        rswap: ByteSwap32,
        /// A written word at its place in a 128- or 256-bit register (word i: lane i from the top).
        w128: ZeroExt<32, 128>,
        w256: ZeroExt<32, 256>,
        bytes8: ZeroExt<5, 8>,
        blk_bytes8: ZeroExt<5, 8>,
        bytes36: ZeroExt<5, 36>,
        len_a128: ZeroExt<36, 128>,
        len_c128: ZeroExt<36, 128>,
        tagb8: ZeroExt<5, 8>,
        bb32: ZeroExt<5, 32>,
        res_e: ZeroExt<4, 32>,
        res_o: ZeroExt<4, 32>,
        /// Lane masks and shifts of word i in a 4-word and an 8-word register.
        mask4: [Constant<Bits<128>>; 4] = std::array::from_fn(|i| Constant::new(lane_mask::<128>(i, 4))),
        shift4: [Constant<Bits<10>>; 4] = std::array::from_fn(|i| Constant::new(bits::<10>(32 * (3 - i) as u64))),
        mask8: [Constant<Bits<256>>; 8] = std::array::from_fn(|i| Constant::new(lane_mask::<256>(i, 8))),
        shift8: [Constant<Bits<10>>; 8] = std::array::from_fn(|i| Constant::new(bits::<10>(32 * (7 - i) as u64))),
        /// All ones: the byte masks are it shifted left.
        ones128: Constant<Bits<128>> = Constant::new(!Bits::<128>::default()),
        /// Byte i of the OTP's key: its shift down (8i) and up (248 - 8i), and the byte mask.
        sh_lo: [Constant<Bits<9>>; 32] = std::array::from_fn(|i| Constant::new(bits::<9>(8 * i as u64))),
        sh_hi: [Constant<Bits<9>>; 32] = std::array::from_fn(|i| Constant::new(bits::<9>(248 - 8 * i as u64))),
        ff256: Constant<Bits<256>> = Constant::new(bits::<256>(0xff)),
        /// Word i's bit in a 4-bit word mask.
        bit4: [Constant<Bits<4>>; 4] = std::array::from_fn(|i| Constant::new(bits::<4>(1 << i))),
        // ---- Sequencer.
        st: RDff<Bits<3>>,
        st_chk: RDff<Bits<3>>,
        code_q: StateCode3,
        code_d: StateCode3,
        fatal_q: RDff<bool>,
        dead: RDff<bool>,
        /// Edges since the command's edge (ST_INIT).
        cnt: RDff<Bits<6>>,
        /// The command running.
        op: RDff<Bits<4>>,
        /// The open operation: CTRL as taken by OP_START.
        c_mode: RDff<Bits<2>>,
        c_dec: RDff<bool>,
        c_k256: RDff<bool>,
        c_src: RDff<Bits<2>>,
        c_tagb: RDff<Bits<5>>,
        active: RDff<bool>,
        /// The text phase (0: GCM's AAD phase, or no operation).
        text: RDff<bool>,
        /// The phase has had its partial block.
        partial: RDff<bool>,
        // ---- Secrets and the operation's values (never readable).
        keyr: RDff<Bits<256>>,
        iv: RDff<Bits<128>>,
        tag_exp: RDff<Bits<128>>,
        /// The chaining value: CBC's previous block, CTR's counter, GCM's counter block.
        cv: RDff<Bits<128>>,
        h: RDff<Bits<128>>,
        ej0: RDff<Bits<128>>,
        /// The text block in the core (masked to its bytes), and its byte count.
        blk: RDff<Bits<128>>,
        blk_n: RDff<Bits<5>>,
        len_a: RDff<Bits<36>>,
        len_c: RDff<Bits<36>>,
        // ---- Registers and outputs.
        /// CTRL XOR its reset value; BLOCK_BYTES XOR 16 (flops reset to 0).
        ctrl_x: RDff<Bits<32>>,
        bb_x: RDff<Bits<5>>,
        in_buf: RDff<Bits<128>>,
        in_mask: RDff<Bits<4>>,
        out_q: RDff<Bits<128>>,
        out_rd: RDff<Bits<4>>,
        out_valid: RDff<bool>,
        tag: RDff<Bits<128>>,
        done: RDff<bool>,
        res_err: RDff<Bits<4>>,
        res_op: RDff<Bits<4>>,
        // ---- Decisions of this cycle.
        st_bad: Signal<Local, bool>,
        kill: Signal<Local, bool>,
        busy: Signal<Local, bool>,
        in_full: Signal<Local, bool>,
        in_any: Signal<Local, bool>,
        ctrl_v: Signal<Local, Bits<32>>,
        bb_v: Signal<Local, Bits<5>>,
        gcm: Signal<Local, bool>,
        ecb_cbc: Signal<Local, bool>,
        ctrl_bad: Signal<Local, bool>,
        tagb_w: Signal<Local, Bits<5>>,
        err_code: Signal<Local, Bits<32>>,
        complete: Signal<Local, bool>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
        word_idx: Signal<Local, Bits<3>>,
        go: Signal<Local, bool>,
        g_op: Signal<Local, Bits<4>>,
        g_err: Signal<Local, Bits<4>>,
        /// The OTP key reversed byte by byte, built up one byte per stage (stage 31 complete).
        otp_be: [Signal<Local, Bits<256>>; 32],
        wipe_op: Signal<Local, bool>,
        wipe_regs: Signal<Local, bool>,
        wipe_all: Signal<Local, bool>,
        start_cv: Signal<Local, Bits<128>>,
        kr: Signal<Local, Bits<6>>,
        hcnt: Signal<Local, Bits<6>>,
        jcnt: Signal<Local, Bits<6>>,
        /// The byte mask of BLOCK_BYTES, and of the block in the core.
        in_m: Signal<Local, Bits<128>>,
        blk_m: Signal<Local, Bits<128>>,
        take_txt: Signal<Local, bool>,
        take_aad: Signal<Local, bool>,
        cv_inc32: Signal<Local, Bits<128>>,
        res_x: Signal<Local, Bits<128>>,
        outv: Signal<Local, Bits<128>>,
        len_blk: Signal<Local, Bits<128>>,
        t_calc: Signal<Local, Bits<128>>,
        t_mask: Signal<Local, Bits<128>>,
        rd_after: Signal<Local, Bits<4>>,
    }
}

/// The mask of word i's 32 bits in an n-word register (word 0 at the top).
fn lane_mask<const N: usize>(i: usize, n: usize) -> Bits<N> {
    let mut m = Bits::<N>::default();
    for b in 0..32 {
        m = m.replace_bit(32 * (n - 1 - i) + b, true);
    }
    m
}

crate::hdl_logic! {
    #[hdl_gen]
    AesEngine;
    reset [front, log, aes, gh]
    hold [st, st_chk, fatal_q, dead, cnt, op, c_mode, c_dec, c_k256, c_src, c_tagb, active, text, partial,
          keyr, iv, tag_exp, cv, h, ej0, blk, blk_n, len_a, len_c, ctrl_x, bb_x, in_buf, in_mask,
          out_q, out_rd, out_valid, tag, done, res_err, res_op]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        self.code_q.s.next = self.st.q.val();
        self.st_bad.next = self.code_q.code.val() != self.st_chk.q.val();
        self.kill.next = self.esc.val() | self.st_bad.val() | self.aes.fault.val();
        self.fatal_q.d.next = self.fatal_q.q.val() | self.st_bad.val() | self.aes.fault.val();
        self.alert_fatal.next = self.fatal_q.q.val() | self.st_bad.val() | self.aes.fault.val();
        self.busy.next = ((self.st.q.val() != self.st_idle.val()) & (self.st.q.val() != self.st_ready.val())) | self.gh.busy.val();
        self.in_full.next = self.in_mask.q.val() == self.full4.val();
        self.in_any.next = self.in_mask.q.val() != self.zero4.val();
        self.ctrl_v.next = self.ctrl_x.q.val() ^ self.ctrl_reset.val();
        self.bb_v.next = self.bb_x.q.val() ^ self.k16_5.val();
        self.gcm.next = self.c_mode.q.val() == self.mode_gcm.val();
        self.ecb_cbc.next = !self.c_mode.q.val().get_bit(1);

        // ---- Bus: the access checks, in order; the first that applies wins.
        self.front.pready.next = true;
        self.pready.next = true;
        self.tagb_w.next = self.pwdata.val().get_bits::<5>(8);
        self.ctrl_bad.next = ((self.pwdata.val() & self.ctrl_reserved.val()) != self.zero32.val())
            | (self.pwdata.val().get_bits::<2>(4) == self.src_bad.val())
            | !((self.tagb_w.val() == self.k4_5.val()) | (self.tagb_w.val() == self.k8_5.val())
                | ((self.tagb_w.val() >= self.k12_5.val()) & (self.tagb_w.val() <= self.k16_5.val())));
        self.err_code.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Protocol, unmapped, wrong master, WO/RO.
        } else if self.front.strb_part.val() {
            self.err_code.next = self.e_strb.val();
        } else if self.pwrite.val() & self.front.is_cmd.val() {
            if ((self.pwdata.val() >> 4) != self.zero32.val())
                | (self.pwdata.val().get_bits::<4>(0) == self.zero4.val())
                | (self.pwdata.val().get_bits::<4>(0) > self.op_clear.val()) {
                self.err_code.next = self.e_value.val();
            } else if self.dead.q.val() {
                self.err_code.next = self.e_fatal.val();
            } else if self.busy.val() {
                self.err_code.next = self.e_busy.val();
            }
        } else if self.pwrite.val() & (self.front.is_ctrl.val() | self.front.is_key.val() | self.front.is_iv.val() | self.front.is_tag_exp.val()) {
            if self.busy.val() {
                self.err_code.next = self.e_busy.val();
            } else if self.front.is_ctrl.val() & self.ctrl_bad.val() {
                self.err_code.next = self.e_value.val();
            }
        } else if self.pwrite.val() & self.front.is_block_bytes.val() {
            if self.in_any.val() {
                self.err_code.next = self.e_busy.val();
            } else if ((self.pwdata.val() & self.bb_reserved.val()) != self.zero32.val())
                | (self.pwdata.val().get_bits::<5>(0) == self.zero5.val())
                | (self.pwdata.val().get_bits::<5>(0) > self.k16_5.val()) {
                self.err_code.next = self.e_value.val();
            }
        } else if self.pwrite.val() & self.front.is_data_in.val() {
            if !self.active.q.val() | self.partial.q.val() {
                self.err_code.next = self.e_state.val();
            } else if self.in_full.val() {
                self.err_code.next = self.e_busy.val();
            } else if self.ecb_cbc.val() & (self.bb_v.val() != self.k16_5.val()) {
                self.err_code.next = self.e_value.val();
            }
        } else if !self.pwrite.val() & self.front.is_data_out.val() & !self.out_valid.q.val() {
            self.err_code.next = self.e_empty.val();
        }
        self.complete.next = self.front.access.val();
        self.pslverr.next = self.complete.val() & (self.err_code.val() != self.e_none.val());
        self.ok_write.next = self.complete.val() & self.pwrite.val() & (self.err_code.val() == self.e_none.val());
        self.ok_read.next = self.complete.val() & !self.pwrite.val() & (self.err_code.val() == self.e_none.val());

        // ---- Register writes: a word goes to lane paddr[4:2] (8-word KEY) or paddr[3:2].
        self.word_idx.next = self.paddr.val().get_bits::<3>(2);
        self.wswap.a.next = self.pwdata.val();
        self.w128.a.next = self.wswap.y.val();
        self.w256.a.next = self.wswap.y.val();
        if self.ok_write.val() & self.front.is_key.val() {
            for i in 0..8 {
                if self.word_idx.val().index() == i {
                    self.keyr.d.next = (self.keyr.q.val() & !self.mask8[i].val()) | (self.w256.y.val() << self.shift8[i].val());
                }
            }
        }
        for i in 0..4 {
            if self.word_idx.val().get_bits::<2>(0).index() == i {
                if self.ok_write.val() & self.front.is_iv.val() {
                    self.iv.d.next = (self.iv.q.val() & !self.mask4[i].val()) | (self.w128.y.val() << self.shift4[i].val());
                }
                if self.ok_write.val() & self.front.is_tag_exp.val() {
                    self.tag_exp.d.next = (self.tag_exp.q.val() & !self.mask4[i].val()) | (self.w128.y.val() << self.shift4[i].val());
                }
                if self.ok_write.val() & self.front.is_data_in.val() {
                    self.in_buf.d.next = (self.in_buf.q.val() & !self.mask4[i].val()) | (self.w128.y.val() << self.shift4[i].val());
                    self.in_mask.d.next = self.in_mask.q.val() | (self.bit4[i].val());
                }
            }
        }
        if self.ok_write.val() & self.front.is_ctrl.val() {
            self.ctrl_x.d.next = self.pwdata.val() ^ self.ctrl_reset.val();
        }
        if self.ok_write.val() & self.front.is_block_bytes.val() {
            self.bb_x.d.next = self.pwdata.val().get_bits::<5>(0) ^ self.k16_5.val();
        }
        // DATA_OUT: a read marks its word; OUT_VALID clears when all four are marked.
        self.rd_after.next = self.out_rd.q.val();
        if self.ok_read.val() & self.front.is_data_out.val() {
            for i in 0..4 {
                if self.word_idx.val().get_bits::<2>(0).index() == i {
                    self.rd_after.next = self.out_rd.q.val() | (self.bit4[i].val());
                }
            }
            self.out_rd.d.next = self.rd_after.val();
            if self.rd_after.val() == self.full4.val() {
                self.out_valid.d.next = false;
                self.out_rd.d.next = self.zero4.val();
            }
        }

        // ---- Byte masks: BLOCK_BYTES n keeps bytes 0..n (the top 8n bits).
        self.bytes8.a.next = self.bb_v.val();
        self.in_m.next = self.ones128.val() << ((self.k16_8.val() - self.bytes8.y.val()) << self.three8.val());
        self.blk_bytes8.a.next = self.blk_n.q.val();
        self.blk_m.next = self.ones128.val() << ((self.k16_8.val() - self.blk_bytes8.y.val()) << self.three8.val());
        self.bytes36.a.next = self.bb_v.val();

        // ---- The OTP's key in the core's byte order (byte i from bits 8i+7:8i to 255-8i:248-8i).
        self.otp_be[0].next = ((self.key_otp.val() >> self.sh_lo[0].val()) & self.ff256.val()) << self.sh_hi[0].val();
        for i in 1..32 {
            self.otp_be[i].next = self.otp_be[i - 1].val() | (((self.key_otp.val() >> self.sh_lo[i].val()) & self.ff256.val()) << self.sh_hi[i].val());
        }

        // ---- The cores' inputs (their pulses are set below).
        self.aes.key.next = self.keyr.q.val();
        if self.c_src.q.val() == self.src_drbg.val() {
            self.aes.key.next = self.key_drbg.val();
        } else if self.c_src.q.val() == self.src_otp.val() {
            self.aes.key.next = self.otp_be[31].val();
        }
        self.aes.key_len256.next = self.c_k256.q.val();
        self.aes.decrypt.next = self.c_dec.q.val() & self.ecb_cbc.val();
        self.aes.key_load.next = false;
        self.aes.start.next = false;
        self.aes.clear.next = false;
        self.gh.h.next = self.h.q.val();
        self.gh.start.next = false;
        self.gh.clear.next = false;
        self.gh.blk.next = self.in_buf.q.val() & self.in_m.val();
        // inc32: the counter block's last 32 bits + 1 mod 2^32.
        self.cv_inc32.next = (self.cv.q.val() & !self.mask4[3].val())
            | ((self.cv.q.val() + self.one128.val()) & self.mask4[3].val());
        self.aes.data_in.next = self.in_buf.q.val();
        if self.c_mode.q.val() == self.mode_cbc.val() {
            if !self.c_dec.q.val() {
                self.aes.data_in.next = self.in_buf.q.val() ^ self.cv.q.val();
            }
        } else if self.c_mode.q.val() == self.mode_ctr.val() {
            self.aes.data_in.next = self.cv.q.val();
        } else if self.gcm.val() {
            self.aes.data_in.next = self.cv_inc32.val();
        }

        // ---- Taking a block (README "Data path").
        self.take_txt.next = (self.st.q.val() == self.st_ready.val()) & self.in_full.val() & self.text.q.val() & !self.out_valid.q.val();
        self.take_aad.next = (self.st.q.val() == self.st_ready.val()) & self.in_full.val() & !self.text.q.val() & !self.gh.busy.val();
        if self.take_txt.val() | self.take_aad.val() {
            self.in_mask.d.next = self.zero4.val();
            self.in_buf.d.next = self.zero128.val();
            if self.bb_v.val() != self.k16_5.val() {
                self.partial.d.next = true;
            }
        }
        if self.take_aad.val() {
            self.gh.start.next = true;
            self.len_a.d.next = self.len_a.q.val() + self.bytes36.y.val();
        }
        if self.take_txt.val() {
            self.aes.start.next = true;
            self.blk.d.next = self.in_buf.q.val() & self.in_m.val();
            self.blk_n.d.next = self.bb_v.val();
            self.len_c.d.next = self.len_c.q.val() + self.bytes36.y.val();
            self.st.d.next = self.st_block.val();
            if self.c_mode.q.val() == self.mode_ctr.val() {
                self.cv.d.next = self.cv.q.val() + self.one128.val();
            } else if self.gcm.val() {
                self.cv.d.next = self.cv_inc32.val();
            }
        }
        // The block's result: the core's output, chained by the mode, masked to its bytes.
        self.res_x.next = self.aes.data_out.val();
        if self.c_mode.q.val() == self.mode_cbc.val() {
            if self.c_dec.q.val() {
                self.res_x.next = self.aes.data_out.val() ^ self.cv.q.val();
            }
        } else if !self.ecb_cbc.val() {
            self.res_x.next = self.aes.data_out.val() ^ self.blk.q.val();
        }
        self.outv.next = self.res_x.val() & self.blk_m.val();
        if (self.st.q.val() == self.st_block.val()) & self.aes.done.val() {
            self.out_q.d.next = self.outv.val();
            self.out_valid.d.next = true;
            self.out_rd.d.next = self.zero4.val();
            self.st.d.next = self.st_ready.val();
            if self.c_mode.q.val() == self.mode_cbc.val() {
                self.cv.d.next = self.outv.val();
                if self.c_dec.q.val() {
                    self.cv.d.next = self.blk.q.val();
                }
            }
            if self.gcm.val() {
                self.gh.start.next = true;
                self.gh.blk.next = self.outv.val();
                if self.c_dec.q.val() {
                    self.gh.blk.next = self.blk.q.val();
                }
            }
            self.blk.d.next = self.zero128.val();
        }

        // ---- OP_START: key load at cnt 0, then (GCM) E(0) = H and E(J0).
        self.kr.next = self.kr128.val();
        self.hcnt.next = self.h128.val();
        self.jcnt.next = self.j128.val();
        if self.c_k256.q.val() {
            self.kr.next = self.kr256.val();
            self.hcnt.next = self.h256.val();
            self.jcnt.next = self.j256.val();
        }
        self.wipe_op.next = false;
        self.wipe_regs.next = false;
        if self.st.q.val() == self.st_init.val() {
            self.cnt.d.next = self.cnt.q.val() + self.one6.val();
            if self.cnt.q.val() == self.zero6.val() {
                if ((self.c_src.q.val() == self.src_drbg.val()) & !self.key_drbg_valid.val())
                    | ((self.c_src.q.val() == self.src_otp.val()) & !self.key_otp_valid.val()) {
                    self.res_err.d.next = self.r_no_key.val();
                    self.st.d.next = self.st_idle.val();
                    self.done.d.next = true;
                    self.res_op.d.next = self.op.q.val();
                    self.wipe_op.next = true;
                } else {
                    self.aes.key_load.next = true;
                }
            }
            if self.cnt.q.val() == self.kr.val() {
                if self.gcm.val() {
                    self.aes.data_in.next = self.zero128.val();
                    self.aes.start.next = true;
                } else {
                    self.st.d.next = self.st_ready.val();
                    self.active.d.next = true;
                    self.text.d.next = true;
                    self.done.d.next = true;
                    self.res_op.d.next = self.op.q.val();
                }
            }
            if self.gcm.val() & (self.cnt.q.val() == self.hcnt.val()) {
                self.h.d.next = self.aes.data_out.val();
                self.aes.data_in.next = self.cv.q.val();
                self.aes.start.next = true;
            }
            if self.gcm.val() & (self.cnt.q.val() == self.jcnt.val()) {
                self.ej0.d.next = self.aes.data_out.val();
                self.st.d.next = self.st_ready.val();
                self.active.d.next = true;
                self.done.d.next = true;
                self.res_op.d.next = self.op.q.val();
            }
        }

        // ---- GCM OP_FINAL: the length block's GHASH ran from the CMD edge; then the tag.
        self.len_a128.a.next = self.len_a.q.val();
        self.len_c128.a.next = self.len_c.q.val();
        self.len_blk.next = (self.len_a128.y.val() << self.k67_10.val()) | (self.len_c128.y.val() << self.three10.val());
        self.t_calc.next = self.gh.acc.val() ^ self.ej0.q.val();
        self.tagb8.a.next = self.c_tagb.q.val();
        self.t_mask.next = self.ones128.val() << ((self.k16_8.val() - self.tagb8.y.val()) << self.three8.val());
        if (self.st.q.val() == self.st_final.val()) & !self.gh.busy.val() {
            if self.c_dec.q.val() {
                if ((self.t_calc.val() ^ self.tag_exp.q.val()) & self.t_mask.val()) != self.zero128.val() {
                    self.res_err.d.next = self.r_tag.val();
                }
            } else {
                self.tag.d.next = self.t_calc.val();
            }
            self.st.d.next = self.st_idle.val();
            self.done.d.next = true;
            self.res_op.d.next = self.op.q.val();
            self.wipe_op.next = true;
        }
        if self.st.q.val() == self.st_fin.val() {
            self.st.d.next = self.st_idle.val();
            if self.active.q.val() {
                self.st.d.next = self.st_ready.val();
            }
            self.done.d.next = true;
            self.res_op.d.next = self.op.q.val();
        }

        // ---- A command at its edge (checks in the README's order).
        self.go.next = self.ok_write.val() & self.front.is_cmd.val();
        self.g_op.next = self.pwdata.val().get_bits::<4>(0);
        self.g_err.next = self.zero4.val();
        if (self.g_op.val() == self.op_text.val()) | (self.g_op.val() == self.op_final.val()) {
            if !self.active.q.val() {
                self.g_err.next = self.r_not_active.val();
            } else if (self.g_op.val() == self.op_text.val()) & (!self.gcm.val() | self.text.q.val()) {
                self.g_err.next = self.r_sequence.val();
            } else if self.in_any.val() {
                self.g_err.next = self.r_pending.val();
            }
        }
        if self.go.val() {
            self.done.d.next = false;
            self.res_err.d.next = self.zero4.val();
            self.res_op.d.next = self.zero4.val();
            self.op.d.next = self.g_op.val();
            self.cnt.d.next = self.zero6.val();
            self.st.d.next = self.st_fin.val();
            if self.g_err.val() != self.zero4.val() {
                self.res_err.d.next = self.g_err.val();
            } else if self.g_op.val() == self.op_start.val() {
                self.wipe_op.next = true;
                self.active.d.next = false;
                self.text.d.next = false;
                self.in_mask.d.next = self.zero4.val();
                self.in_buf.d.next = self.zero128.val();
                self.out_q.d.next = self.zero128.val();
                self.out_valid.d.next = false;
                self.out_rd.d.next = self.zero4.val();
                self.tag.d.next = self.zero128.val();
                self.c_mode.d.next = self.ctrl_v.val().get_bits::<2>(0);
                self.c_dec.d.next = self.ctrl_v.val().get_bit(2);
                self.c_k256.d.next = self.ctrl_v.val().get_bit(3);
                self.c_src.d.next = self.ctrl_v.val().get_bits::<2>(4);
                self.c_tagb.d.next = self.ctrl_v.val().get_bits::<5>(8);
                self.st.d.next = self.st_init.val();
            } else if self.g_op.val() == self.op_text.val() {
                self.text.d.next = true;
                self.partial.d.next = false;
            } else if self.g_op.val() == self.op_final.val() {
                self.active.d.next = false;
                self.text.d.next = false;
                if self.gcm.val() {
                    self.gh.start.next = true;
                    self.gh.blk.next = self.len_blk.val();
                    self.st.d.next = self.st_final.val();
                } else {
                    self.wipe_op.next = true;
                }
            } else {
                // OP_CLEAR.
                self.wipe_op.next = true;
                self.wipe_regs.next = true;
                self.active.d.next = false;
                self.text.d.next = false;
            }
        }
        // ---- Wipes, last, so they win over every write above: `clear` (owner change) and kill
        // (escalation, fault) wipe everything, OP_CLEAR the registers and the operation, the
        // end of an operation its values. START's own chaining value survives its wipe.
        self.wipe_all.next = self.clear.val() | self.kill.val();
        self.start_cv.next = self.zero128.val();
        if self.go.val() & (self.g_err.val() == self.zero4.val()) & (self.g_op.val() == self.op_start.val()) & !self.wipe_all.val() {
            // CBC's IV, CTR's first counter block, GCM's J0 = IV[0..12] || 1.
            self.start_cv.next = self.iv.q.val();
            if self.ctrl_v.val().get_bits::<2>(0) == self.mode_gcm.val() {
                self.start_cv.next = (self.iv.q.val() & !self.mask4[3].val()) | self.one128.val();
            }
        }
        if self.wipe_op.val() | self.wipe_all.val() {
            self.cv.d.next = self.start_cv.val();
            self.h.d.next = self.zero128.val();
            self.ej0.d.next = self.zero128.val();
            self.blk.d.next = self.zero128.val();
            self.blk_n.d.next = self.zero5.val();
            self.len_a.d.next = self.zero36.val();
            self.len_c.d.next = self.zero36.val();
            self.partial.d.next = false;
            self.tag_exp.d.next = self.zero128.val();
            self.gh.clear.next = true;
            self.aes.clear.next = true;
        }
        if self.wipe_regs.val() | self.wipe_all.val() {
            self.keyr.d.next = self.zero256.val();
            self.iv.d.next = self.zero128.val();
            self.in_mask.d.next = self.zero4.val();
            self.in_buf.d.next = self.zero128.val();
            self.out_q.d.next = self.zero128.val();
            self.out_valid.d.next = false;
            self.out_rd.d.next = self.zero4.val();
            self.tag.d.next = self.zero128.val();
        }
        if self.wipe_all.val() {
            self.aes.key_load.next = false;
            self.aes.start.next = false;
            self.gh.start.next = false;
            self.st.d.next = self.st_idle.val();
            self.cnt.d.next = self.zero6.val();
            self.op.d.next = self.zero4.val();
            self.c_mode.d.next = self.zero2.val();
            self.c_dec.d.next = false;
            self.c_k256.d.next = false;
            self.c_src.d.next = self.zero2.val();
            self.c_tagb.d.next = self.zero5.val();
            self.active.d.next = false;
            self.text.d.next = false;
            self.ctrl_x.d.next = self.zero32.val();
            self.bb_x.d.next = self.zero5.val();
            self.done.d.next = false;
            self.res_err.d.next = self.zero4.val();
            self.res_op.d.next = self.zero4.val();
        }
        if self.kill.val() {
            self.dead.d.next = true;
        }

        // ---- Error log.
        self.log.access.next = self.complete.val();
        self.log.err.next = self.err_code.val().get_bits::<4>(0);
        self.log.clear.next = (self.ok_write.val() & self.front.is_err_info.val()) | self.clear.val();

        // ---- Read data.
        self.rswap.a.next = self.zero32.val();
        for i in 0..4 {
            if self.word_idx.val().get_bits::<2>(0).index() == i {
                if self.front.is_data_out.val() {
                    self.rswap.a.next = self.out_q.q.val().get_bits::<32>(96 - 32 * i);
                }
                if self.front.is_tag.val() {
                    self.rswap.a.next = self.tag.q.val().get_bits::<32>(96 - 32 * i);
                }
            }
        }
        self.bb32.a.next = self.bb_v.val();
        self.res_e.a.next = self.res_err.q.val();
        self.res_o.a.next = self.res_op.q.val();
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
            if self.active.q.val() {
                self.rdata.next = self.rdata.val() | self.b_active.val();
            }
            if self.in_full.val() {
                self.rdata.next = self.rdata.val() | self.b_in_full.val();
            }
            if self.out_valid.q.val() {
                self.rdata.next = self.rdata.val() | self.b_out_valid.val();
            }
            if self.text.q.val() {
                self.rdata.next = self.rdata.val() | self.b_text.val();
            }
            if self.key_drbg_valid.val() {
                self.rdata.next = self.rdata.val() | self.b_key_drbg.val();
            }
            if self.key_otp_valid.val() {
                self.rdata.next = self.rdata.val() | self.b_key_otp.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
            if self.dead.q.val() {
                self.rdata.next = self.rdata.val() | self.b_dead.val();
            }
        } else if self.front.is_ctrl.val() {
            self.rdata.next = self.ctrl_v.val();
        } else if self.front.is_result.val() {
            self.rdata.next = self.res_e.y.val() | (self.res_o.y.val() << self.eight10.val());
        } else if self.front.is_block_bytes.val() {
            self.rdata.next = self.bb32.y.val();
        } else if self.front.is_data_out.val() | self.front.is_tag.val() {
            self.rdata.next = self.rswap.y.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }
        self.intr_done.next = self.done.q.val();

        // The check bits to store: those of the next state, with every update above applied.
        self.code_d.s.next = self.st.d.val();
        self.st_chk.d.next = self.code_d.code.val();
    }
}
