//! AES engine tops (`pluton_aes`, `pluton_aes_masked`): APB4 front, the operation sequencer, the mode datapath, one AES core and one GHASH unit.
//!
//! `aes_engine!` writes the engine once; it is instantiated over the unmasked core (`AesEngine`)
//! and over the masked core with its mask generator (`AesEngineMasked`, README "Variants"). The
//! macro's body says `$s` where a block says `self`, and the invocation gives `self` and
//! `#[hdl_gen]`, so that the variant's own lines, the body and the generated `update` share one
//! `self` (macro hygiene would keep them apart).

use super::core::AesCore;
use super::ghash::GhashUnit;
use super::masked::AesMaskedCore;
use super::prng::MaskPrng;
use super::regs;
use crate::common::prims::{ByteSwap, ByteSwap32, ErrLog, RDff, StateCode3, ZeroExt};
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

/// `cnt` values in ST_INIT (edges since the CMD edge), `[AES-128, AES-256]`: the core's key is
/// ready at KR (key load at cnt 0, then the core's key expansion); GCM's E(0) starts there and
/// is done at KR + 1 + B, where E(J0) starts; that is done at KR + 2 + 2B (B: the core's edges
/// from `start` to `done`). The unmasked core: 10 or 13 edges of expansion, B = 10 or 14.
const KR: [u64; 2] = [11, 14];
const B: [u64; 2] = [10, 14];
/// The masked core (`masked.rs`): 50 or 65 edges of expansion, B = 51 or 71.
const KR_MASKED: [u64; 2] = [51, 66];
const B_MASKED: [u64; 2] = [51, 71];

macro_rules! aes_engine {
    (
        $(#[$meta:meta])*
        $name:ident, $s:ident, $pound:tt $gen:tt, core: $core:ty, kr: $kr:expr, b: $b:expr, masked: $masked:expr,
        ports { $($xp:tt)* }
        fields { $($xf:tt)* }
        pre { $($pre:tt)* }
        post { $($post:tt)* }
    ) => {

crate::hdl_block! {
    $(#[$meta])*
    $name
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
        $($xp)*
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
        zero8: 8 = 0,
        one8: 8 = 1,
        kr128: 8 = $kr[0],
        kr256: 8 = $kr[1],
        h128: 8 = $kr[0] + 1 + $b[0],
        h256: 8 = $kr[1] + 1 + $b[1],
        j128: 8 = $kr[0] + 2 + 2 * $b[0],
        j256: 8 = $kr[1] + 2 + 2 * $b[1],
        // 1 on the masked engine (README "Variants").
        masked: 1 = $masked as u64,
        k16_8: 8 = 16,
        three8: 8 = 3,
        eight10: 10 = 8,
        k67_10: 10 = 67,
        three10: 10 = 3,
        zero32: 32 = 0,
        zero36: 36 = 0,
        // GCM's length limits (README "Lengths"): text up to 2^36 - 32 bytes (the 32-bit
        // counter's 2^32 - 2 blocks), AAD up to 2^36 - 16; no block is taken past them.
        c_full31: 31 = 0x7fff_ffff,
        a_full32: 32 = 0xffff_ffff,
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
        r_no_entropy: 4 = regs::RES_NO_ENTROPY as u64,
        r_policy: 4 = regs::RES_KEY_POLICY as u64,
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
        aes: $core,
        gh: GhashUnit,
        wswap: ByteSwap32,
        rswap: ByteSwap32,
        /// The OTP's key in the core's byte order (byte i from bits 8i+7:8i to 255-8i:248-8i).
        otp_swap: ByteSwap<256>,
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
        cnt: RDff<Bits<8>>,
        /// The command running.
        op: RDff<Bits<4>>,
        /// The open operation: CTRL as taken by OP_START, and a second copy (`AES.CTRL.DUP`).
        c_mode: RDff<Bits<2>>,
        c_dec: RDff<bool>,
        c_k256: RDff<bool>,
        c_src: RDff<Bits<2>>,
        c_tagb: RDff<Bits<5>>,
        c_mode2: RDff<Bits<2>>,
        c_dec2: RDff<bool>,
        c_k2562: RDff<bool>,
        c_src2: RDff<Bits<2>>,
        c_tagb2: RDff<Bits<5>>,
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
        /// GCM: the phase has reached its length limit (DATA_IN gets ERR_STATE).
        len_full: Signal<Local, bool>,
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
        wipe_op: Signal<Local, bool>,
        wipe_regs: Signal<Local, bool>,
        wipe_all: Signal<Local, bool>,
        start_cv: Signal<Local, Bits<128>>,
        kr: Signal<Local, Bits<8>>,
        hcnt: Signal<Local, Bits<8>>,
        jcnt: Signal<Local, Bits<8>>,
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
        /// OP_START is taken at this edge (no bus error, no refusal, no wipe at this edge).
        start_taken: Signal<Local, bool>,
        /// START's key-usage policy refuses CTRL (README "Variants").
        policy_bad: Signal<Local, bool>,
        /// The masked engine holds no mask seed (always 0 unmasked).
        no_entropy: Signal<Local, bool>,
        /// START's checks at C + 1.
        init_err: Signal<Local, Bits<4>>,
        /// The decrypt's tag compare, two ways, and CTRL.TAG_BYTES checked again.
        tag_eq: Signal<Local, bool>,
        tag_eq2: Signal<Local, bool>,
        tagb_ok: Signal<Local, bool>,
        $($xf)*
    }
}

crate::hdl_logic! {
    $pound $gen
    $name;
    reset [front, log, aes, gh]
    hold [st, st_chk, fatal_q, dead, cnt, op, c_mode, c_dec, c_k256, c_src, c_tagb,
          c_mode2, c_dec2, c_k2562, c_src2, c_tagb2, active, text, partial,
          keyr, iv, tag_exp, cv, h, ej0, blk, blk_n, len_a, len_c, ctrl_x, bb_x, in_buf, in_mask,
          out_q, out_rd, out_valid, tag, done, res_err, res_op]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut $s) {
        $s.code_q.s.next = $s.st.q.val();
        $s.st_bad.next = ($s.code_q.code.val() != $s.st_chk.q.val())
            | ($s.c_mode.q.val() != $s.c_mode2.q.val()) | ($s.c_dec.q.val() != $s.c_dec2.q.val())
            | ($s.c_k256.q.val() != $s.c_k2562.q.val()) | ($s.c_src.q.val() != $s.c_src2.q.val())
            | ($s.c_tagb.q.val() != $s.c_tagb2.q.val());
        $s.kill.next = $s.esc.val() | $s.st_bad.val() | $s.aes.fault.val();
        $s.fatal_q.d.next = $s.fatal_q.q.val() | $s.st_bad.val() | $s.aes.fault.val();
        $s.alert_fatal.next = $s.fatal_q.q.val() | $s.st_bad.val() | $s.aes.fault.val();
        $($pre)*
        $s.busy.next = (($s.st.q.val() != $s.st_idle.val()) & ($s.st.q.val() != $s.st_ready.val())) | $s.gh.busy.val();
        $s.in_full.next = $s.in_mask.q.val() == $s.full4.val();
        $s.in_any.next = $s.in_mask.q.val() != $s.zero4.val();
        $s.ctrl_v.next = $s.ctrl_x.q.val() ^ $s.ctrl_reset.val();
        $s.bb_v.next = $s.bb_x.q.val() ^ $s.k16_5.val();
        $s.gcm.next = $s.c_mode.q.val() == $s.mode_gcm.val();
        $s.len_full.next = $s.gcm.val()
            & (($s.text.q.val() & ($s.len_c.q.val().get_bits::<31>(5) == $s.c_full31.val()))
                | (!$s.text.q.val() & ($s.len_a.q.val().get_bits::<32>(4) == $s.a_full32.val())));
        $s.ecb_cbc.next = !$s.c_mode.q.val().get_bit(1);

        // ---- Bus: the access checks, in order; the first that applies wins.
        $s.front.pready.next = true;
        $s.pready.next = true;
        $s.tagb_w.next = $s.pwdata.val().get_bits::<5>(8);
        $s.ctrl_bad.next = (($s.pwdata.val() & $s.ctrl_reserved.val()) != $s.zero32.val())
            | ($s.pwdata.val().get_bits::<2>(4) == $s.src_bad.val())
            | !(($s.tagb_w.val() == $s.k4_5.val()) | ($s.tagb_w.val() == $s.k8_5.val())
                | (($s.tagb_w.val() >= $s.k12_5.val()) & ($s.tagb_w.val() <= $s.k16_5.val())));
        $s.err_code.next = $s.front.err.val();
        if $s.front.err.val() != $s.e_none.val() {
            // Protocol, unmapped, wrong master, WO/RO.
        } else if $s.front.strb_part.val() {
            $s.err_code.next = $s.e_strb.val();
        } else if $s.pwrite.val() & $s.front.is_cmd.val() {
            if (($s.pwdata.val() >> 4) != $s.zero32.val())
                | ($s.pwdata.val().get_bits::<4>(0) == $s.zero4.val())
                | ($s.pwdata.val().get_bits::<4>(0) > $s.op_clear.val()) {
                $s.err_code.next = $s.e_value.val();
            } else if $s.dead.q.val() {
                $s.err_code.next = $s.e_fatal.val();
            } else if $s.busy.val() {
                $s.err_code.next = $s.e_busy.val();
            }
        } else if $s.pwrite.val() & ($s.front.is_ctrl.val() | $s.front.is_key.val() | $s.front.is_iv.val() | $s.front.is_tag_exp.val()) {
            if $s.busy.val() {
                $s.err_code.next = $s.e_busy.val();
            } else if $s.front.is_ctrl.val() & $s.ctrl_bad.val() {
                $s.err_code.next = $s.e_value.val();
            }
        } else if $s.pwrite.val() & $s.front.is_block_bytes.val() {
            if $s.in_any.val() {
                $s.err_code.next = $s.e_busy.val();
            } else if (($s.pwdata.val() & $s.bb_reserved.val()) != $s.zero32.val())
                | ($s.pwdata.val().get_bits::<5>(0) == $s.zero5.val())
                | ($s.pwdata.val().get_bits::<5>(0) > $s.k16_5.val()) {
                $s.err_code.next = $s.e_value.val();
            }
        } else if $s.pwrite.val() & $s.front.is_data_in.val() {
            if !$s.active.q.val() | $s.partial.q.val() | $s.len_full.val() {
                $s.err_code.next = $s.e_state.val();
            } else if $s.in_full.val() {
                $s.err_code.next = $s.e_busy.val();
            } else if $s.ecb_cbc.val() & ($s.bb_v.val() != $s.k16_5.val()) {
                $s.err_code.next = $s.e_value.val();
            }
        } else if !$s.pwrite.val() & $s.front.is_data_out.val() & !$s.out_valid.q.val() {
            $s.err_code.next = $s.e_empty.val();
        }
        $s.complete.next = $s.front.access.val();
        $s.pslverr.next = $s.complete.val() & ($s.err_code.val() != $s.e_none.val());
        $s.ok_write.next = $s.complete.val() & $s.pwrite.val() & ($s.err_code.val() == $s.e_none.val());
        $s.ok_read.next = $s.complete.val() & !$s.pwrite.val() & ($s.err_code.val() == $s.e_none.val());

        // ---- Register writes: a word goes to lane paddr[4:2] (8-word KEY) or paddr[3:2].
        $s.word_idx.next = $s.paddr.val().get_bits::<3>(2);
        $s.wswap.a.next = $s.pwdata.val();
        $s.w128.a.next = $s.wswap.y.val();
        $s.w256.a.next = $s.wswap.y.val();
        if $s.ok_write.val() & $s.front.is_key.val() {
            for i in 0..8 {
                if $s.word_idx.val().index() == i {
                    $s.keyr.d.next = ($s.keyr.q.val() & !$s.mask8[i].val()) | ($s.w256.y.val() << $s.shift8[i].val());
                }
            }
        }
        for i in 0..4 {
            if $s.word_idx.val().get_bits::<2>(0).index() == i {
                if $s.ok_write.val() & $s.front.is_iv.val() {
                    $s.iv.d.next = ($s.iv.q.val() & !$s.mask4[i].val()) | ($s.w128.y.val() << $s.shift4[i].val());
                }
                if $s.ok_write.val() & $s.front.is_tag_exp.val() {
                    $s.tag_exp.d.next = ($s.tag_exp.q.val() & !$s.mask4[i].val()) | ($s.w128.y.val() << $s.shift4[i].val());
                }
                if $s.ok_write.val() & $s.front.is_data_in.val() {
                    $s.in_buf.d.next = ($s.in_buf.q.val() & !$s.mask4[i].val()) | ($s.w128.y.val() << $s.shift4[i].val());
                    $s.in_mask.d.next = $s.in_mask.q.val() | ($s.bit4[i].val());
                }
            }
        }
        if $s.ok_write.val() & $s.front.is_ctrl.val() {
            $s.ctrl_x.d.next = $s.pwdata.val() ^ $s.ctrl_reset.val();
        }
        if $s.ok_write.val() & $s.front.is_block_bytes.val() {
            $s.bb_x.d.next = $s.pwdata.val().get_bits::<5>(0) ^ $s.k16_5.val();
        }
        // DATA_OUT: a read marks its word; OUT_VALID clears when all four are marked.
        $s.rd_after.next = $s.out_rd.q.val();
        if $s.ok_read.val() & $s.front.is_data_out.val() {
            for i in 0..4 {
                if $s.word_idx.val().get_bits::<2>(0).index() == i {
                    $s.rd_after.next = $s.out_rd.q.val() | ($s.bit4[i].val());
                }
            }
            $s.out_rd.d.next = $s.rd_after.val();
            if $s.rd_after.val() == $s.full4.val() {
                $s.out_valid.d.next = false;
                $s.out_rd.d.next = $s.zero4.val();
            }
        }

        // ---- Byte masks: BLOCK_BYTES n keeps bytes 0..n (the top 8n bits).
        $s.bytes8.a.next = $s.bb_v.val();
        $s.in_m.next = $s.ones128.val() << (($s.k16_8.val() - $s.bytes8.y.val()) << $s.three8.val());
        $s.blk_bytes8.a.next = $s.blk_n.q.val();
        $s.blk_m.next = $s.ones128.val() << (($s.k16_8.val() - $s.blk_bytes8.y.val()) << $s.three8.val());
        $s.bytes36.a.next = $s.bb_v.val();

        $s.otp_swap.a.next = $s.key_otp.val();

        // ---- The cores' inputs (their pulses are set below).
        $s.aes.key.next = $s.keyr.q.val();
        if $s.c_src.q.val() == $s.src_drbg.val() {
            $s.aes.key.next = $s.key_drbg.val();
        } else if $s.c_src.q.val() == $s.src_otp.val() {
            $s.aes.key.next = $s.otp_swap.y.val();
        }
        $s.aes.key_len256.next = $s.c_k256.q.val();
        $s.aes.decrypt.next = $s.c_dec.q.val() & $s.ecb_cbc.val();
        $s.aes.key_load.next = false;
        $s.aes.start.next = false;
        $s.aes.clear.next = false;
        $s.gh.h.next = $s.h.q.val();
        $s.gh.start.next = false;
        $s.gh.clear.next = false;
        $s.gh.blk.next = $s.in_buf.q.val() & $s.in_m.val();
        // inc32: the counter block's last 32 bits + 1 mod 2^32.
        $s.cv_inc32.next = ($s.cv.q.val() & !$s.mask4[3].val())
            | (($s.cv.q.val() + $s.one128.val()) & $s.mask4[3].val());
        $s.aes.data_in.next = $s.in_buf.q.val();
        if $s.c_mode.q.val() == $s.mode_cbc.val() {
            if !$s.c_dec.q.val() {
                $s.aes.data_in.next = $s.in_buf.q.val() ^ $s.cv.q.val();
            }
        } else if $s.c_mode.q.val() == $s.mode_ctr.val() {
            $s.aes.data_in.next = $s.cv.q.val();
        } else if $s.gcm.val() {
            $s.aes.data_in.next = $s.cv_inc32.val();
        }

        // ---- Taking a block (README "Data path").
        $s.take_txt.next = ($s.st.q.val() == $s.st_ready.val()) & $s.in_full.val() & $s.text.q.val() & !$s.out_valid.q.val();
        $s.take_aad.next = ($s.st.q.val() == $s.st_ready.val()) & $s.in_full.val() & !$s.text.q.val() & !$s.gh.busy.val();
        if $s.take_txt.val() | $s.take_aad.val() {
            $s.in_mask.d.next = $s.zero4.val();
            $s.in_buf.d.next = $s.zero128.val();
            if $s.bb_v.val() != $s.k16_5.val() {
                $s.partial.d.next = true;
            }
        }
        if $s.take_aad.val() {
            $s.gh.start.next = true;
            $s.len_a.d.next = $s.len_a.q.val() + $s.bytes36.y.val();
        }
        if $s.take_txt.val() {
            $s.aes.start.next = true;
            $s.blk.d.next = $s.in_buf.q.val() & $s.in_m.val();
            $s.blk_n.d.next = $s.bb_v.val();
            $s.len_c.d.next = $s.len_c.q.val() + $s.bytes36.y.val();
            $s.st.d.next = $s.st_block.val();
            if $s.c_mode.q.val() == $s.mode_ctr.val() {
                $s.cv.d.next = $s.cv.q.val() + $s.one128.val();
            } else if $s.gcm.val() {
                $s.cv.d.next = $s.cv_inc32.val();
            }
        }
        // The block's result: the core's output, chained by the mode, masked to its bytes.
        $s.res_x.next = $s.aes.data_out.val();
        if $s.c_mode.q.val() == $s.mode_cbc.val() {
            if $s.c_dec.q.val() {
                $s.res_x.next = $s.aes.data_out.val() ^ $s.cv.q.val();
            }
        } else if !$s.ecb_cbc.val() {
            $s.res_x.next = $s.aes.data_out.val() ^ $s.blk.q.val();
        }
        $s.outv.next = $s.res_x.val() & $s.blk_m.val();
        if ($s.st.q.val() == $s.st_block.val()) & $s.aes.done.val() {
            $s.out_q.d.next = $s.outv.val();
            $s.out_valid.d.next = true;
            $s.out_rd.d.next = $s.zero4.val();
            $s.st.d.next = $s.st_ready.val();
            if $s.c_mode.q.val() == $s.mode_cbc.val() {
                $s.cv.d.next = $s.outv.val();
                if $s.c_dec.q.val() {
                    $s.cv.d.next = $s.blk.q.val();
                }
            }
            if $s.gcm.val() {
                $s.gh.start.next = true;
                $s.gh.blk.next = $s.outv.val();
                if $s.c_dec.q.val() {
                    $s.gh.blk.next = $s.blk.q.val();
                }
            }
            $s.blk.d.next = $s.zero128.val();
        }

        // ---- OP_START: key load at cnt 0, then (GCM) E(0) = H and E(J0).
        $s.kr.next = $s.kr128.val();
        $s.hcnt.next = $s.h128.val();
        $s.jcnt.next = $s.j128.val();
        if $s.c_k256.q.val() {
            $s.kr.next = $s.kr256.val();
            $s.hcnt.next = $s.h256.val();
            $s.jcnt.next = $s.j256.val();
        }
        $s.wipe_op.next = false;
        $s.wipe_regs.next = false;
        $s.init_err.next = $s.zero4.val();
        if $s.st.q.val() == $s.st_init.val() {
            $s.cnt.d.next = $s.cnt.q.val() + $s.one8.val();
            $s.init_err.next = $s.zero4.val();
            if (($s.c_src.q.val() == $s.src_drbg.val()) & !$s.key_drbg_valid.val())
                | (($s.c_src.q.val() == $s.src_otp.val()) & !$s.key_otp_valid.val()) {
                $s.init_err.next = $s.r_no_key.val();
            } else if $s.no_entropy.val() {
                $s.init_err.next = $s.r_no_entropy.val();
            }
            if $s.cnt.q.val() == $s.zero8.val() {
                if $s.init_err.val() != $s.zero4.val() {
                    $s.res_err.d.next = $s.init_err.val();
                    $s.st.d.next = $s.st_idle.val();
                    $s.done.d.next = true;
                    $s.res_op.d.next = $s.op.q.val();
                    $s.wipe_op.next = true;
                } else {
                    $s.aes.key_load.next = true;
                }
            }
            if $s.cnt.q.val() == $s.kr.val() {
                if $s.gcm.val() {
                    $s.aes.data_in.next = $s.zero128.val();
                    $s.aes.start.next = true;
                } else {
                    $s.st.d.next = $s.st_ready.val();
                    $s.active.d.next = true;
                    $s.text.d.next = true;
                    $s.done.d.next = true;
                    $s.res_op.d.next = $s.op.q.val();
                }
            }
            if $s.gcm.val() & ($s.cnt.q.val() == $s.hcnt.val()) {
                $s.h.d.next = $s.aes.data_out.val();
                $s.aes.data_in.next = $s.cv.q.val();
                $s.aes.start.next = true;
            }
            if $s.gcm.val() & ($s.cnt.q.val() == $s.jcnt.val()) {
                $s.ej0.d.next = $s.aes.data_out.val();
                $s.st.d.next = $s.st_ready.val();
                $s.active.d.next = true;
                $s.done.d.next = true;
                $s.res_op.d.next = $s.op.q.val();
            }
        }

        // ---- GCM OP_FINAL: the length block's GHASH ran from the CMD edge; then the tag.
        $s.len_a128.a.next = $s.len_a.q.val();
        $s.len_c128.a.next = $s.len_c.q.val();
        $s.len_blk.next = ($s.len_a128.y.val() << $s.k67_10.val()) | ($s.len_c128.y.val() << $s.three10.val());
        $s.t_calc.next = $s.gh.acc.val() ^ $s.ej0.q.val();
        $s.tagb8.a.next = $s.c_tagb.q.val();
        $s.t_mask.next = $s.ones128.val() << (($s.k16_8.val() - $s.tagb8.y.val()) << $s.three8.val());
        // Fail closed: a decrypt's RESULT is TAG_MISMATCH unless both compares say equal and
        // TAG_BYTES is still an allowed value (a flipped bit cannot make the mask empty).
        $s.tag_eq.next = (($s.t_calc.val() ^ $s.tag_exp.q.val()) & $s.t_mask.val()) == $s.zero128.val();
        $s.tag_eq2.next = ($s.t_calc.val() & $s.t_mask.val()) == ($s.tag_exp.q.val() & $s.t_mask.val());
        $s.tagb_ok.next = ($s.c_tagb.q.val() == $s.k4_5.val()) | ($s.c_tagb.q.val() == $s.k8_5.val())
            | (($s.c_tagb.q.val() >= $s.k12_5.val()) & ($s.c_tagb.q.val() <= $s.k16_5.val()));
        if ($s.st.q.val() == $s.st_final.val()) & !$s.gh.busy.val() {
            if $s.c_dec.q.val() {
                $s.res_err.d.next = $s.r_tag.val();
                if $s.tag_eq.val() & $s.tag_eq2.val() & $s.tagb_ok.val() {
                    $s.res_err.d.next = $s.zero4.val();
                }
            } else {
                $s.tag.d.next = $s.t_calc.val();
            }
            $s.st.d.next = $s.st_idle.val();
            $s.done.d.next = true;
            $s.res_op.d.next = $s.op.q.val();
            $s.wipe_op.next = true;
        }
        if $s.st.q.val() == $s.st_fin.val() {
            $s.st.d.next = $s.st_idle.val();
            if $s.active.q.val() {
                $s.st.d.next = $s.st_ready.val();
            }
            $s.done.d.next = true;
            $s.res_op.d.next = $s.op.q.val();
        }

        // ---- A command at its edge (checks in the README's order).
        $s.go.next = $s.ok_write.val() & $s.front.is_cmd.val();
        $s.g_op.next = $s.pwdata.val().get_bits::<4>(0);
        $s.g_err.next = $s.zero4.val();
        // Sideload keys run GCM only; the fuse key never runs through the unmasked core.
        $s.policy_bad.next = ((($s.ctrl_v.val().get_bits::<2>(4) == $s.src_drbg.val()) | ($s.ctrl_v.val().get_bits::<2>(4) == $s.src_otp.val()))
                & ($s.ctrl_v.val().get_bits::<2>(0) != $s.mode_gcm.val()))
            | (($s.ctrl_v.val().get_bits::<2>(4) == $s.src_otp.val()) & !$s.masked.val().get_bit(0));
        if ($s.g_op.val() == $s.op_start.val()) & $s.policy_bad.val() {
            $s.g_err.next = $s.r_policy.val();
        }
        if ($s.g_op.val() == $s.op_text.val()) | ($s.g_op.val() == $s.op_final.val()) {
            if !$s.active.q.val() {
                $s.g_err.next = $s.r_not_active.val();
            } else if ($s.g_op.val() == $s.op_text.val()) & (!$s.gcm.val() | $s.text.q.val()) {
                $s.g_err.next = $s.r_sequence.val();
            } else if $s.in_any.val() {
                $s.g_err.next = $s.r_pending.val();
            }
        }
        if $s.go.val() {
            $s.done.d.next = false;
            $s.res_err.d.next = $s.zero4.val();
            $s.res_op.d.next = $s.zero4.val();
            $s.op.d.next = $s.g_op.val();
            $s.cnt.d.next = $s.zero8.val();
            $s.st.d.next = $s.st_fin.val();
            if $s.g_err.val() != $s.zero4.val() {
                $s.res_err.d.next = $s.g_err.val();
            } else if $s.g_op.val() == $s.op_start.val() {
                $s.wipe_op.next = true;
                $s.active.d.next = false;
                $s.text.d.next = false;
                $s.in_mask.d.next = $s.zero4.val();
                $s.in_buf.d.next = $s.zero128.val();
                $s.out_q.d.next = $s.zero128.val();
                $s.out_valid.d.next = false;
                $s.out_rd.d.next = $s.zero4.val();
                $s.tag.d.next = $s.zero128.val();
                $s.c_mode.d.next = $s.ctrl_v.val().get_bits::<2>(0);
                $s.c_dec.d.next = $s.ctrl_v.val().get_bit(2);
                $s.c_k256.d.next = $s.ctrl_v.val().get_bit(3);
                $s.c_src.d.next = $s.ctrl_v.val().get_bits::<2>(4);
                $s.c_tagb.d.next = $s.ctrl_v.val().get_bits::<5>(8);
                $s.c_mode2.d.next = $s.ctrl_v.val().get_bits::<2>(0);
                $s.c_dec2.d.next = $s.ctrl_v.val().get_bit(2);
                $s.c_k2562.d.next = $s.ctrl_v.val().get_bit(3);
                $s.c_src2.d.next = $s.ctrl_v.val().get_bits::<2>(4);
                $s.c_tagb2.d.next = $s.ctrl_v.val().get_bits::<5>(8);
                $s.st.d.next = $s.st_init.val();
            } else if $s.g_op.val() == $s.op_text.val() {
                $s.text.d.next = true;
                $s.partial.d.next = false;
            } else if $s.g_op.val() == $s.op_final.val() {
                $s.active.d.next = false;
                $s.text.d.next = false;
                if $s.gcm.val() {
                    $s.gh.start.next = true;
                    $s.gh.blk.next = $s.len_blk.val();
                    $s.st.d.next = $s.st_final.val();
                } else {
                    $s.wipe_op.next = true;
                }
            } else {
                // OP_CLEAR.
                $s.wipe_op.next = true;
                $s.wipe_regs.next = true;
                $s.active.d.next = false;
                $s.text.d.next = false;
            }
        }
        // ---- Wipes, last, so they win over every write above: `clear` (owner change) and kill
        // (escalation, fault) wipe everything, OP_CLEAR the registers and the operation, the
        // end of an operation its values. START's own chaining value survives its wipe.
        $s.wipe_all.next = $s.clear.val() | $s.kill.val();
        $s.start_cv.next = $s.zero128.val();
        $s.start_taken.next = $s.go.val() & ($s.g_err.val() == $s.zero4.val()) & ($s.g_op.val() == $s.op_start.val()) & !$s.wipe_all.val();
        if $s.start_taken.val() {
            // CBC's IV, CTR's first counter block, GCM's J0 = IV[0..12] || 1.
            $s.start_cv.next = $s.iv.q.val();
            if $s.ctrl_v.val().get_bits::<2>(0) == $s.mode_gcm.val() {
                $s.start_cv.next = ($s.iv.q.val() & !$s.mask4[3].val()) | $s.one128.val();
            }
        }
        if $s.wipe_op.val() | $s.wipe_all.val() {
            $s.cv.d.next = $s.start_cv.val();
            $s.h.d.next = $s.zero128.val();
            $s.ej0.d.next = $s.zero128.val();
            $s.blk.d.next = $s.zero128.val();
            $s.blk_n.d.next = $s.zero5.val();
            $s.len_a.d.next = $s.zero36.val();
            $s.len_c.d.next = $s.zero36.val();
            $s.partial.d.next = false;
            $s.tag_exp.d.next = $s.zero128.val();
            $s.gh.clear.next = true;
            $s.aes.clear.next = true;
        }
        if $s.wipe_regs.val() | $s.wipe_all.val() {
            $s.keyr.d.next = $s.zero256.val();
            $s.iv.d.next = $s.zero128.val();
            $s.in_mask.d.next = $s.zero4.val();
            $s.in_buf.d.next = $s.zero128.val();
            $s.out_q.d.next = $s.zero128.val();
            $s.out_valid.d.next = false;
            $s.out_rd.d.next = $s.zero4.val();
            $s.tag.d.next = $s.zero128.val();
        }
        if $s.wipe_all.val() {
            $s.aes.key_load.next = false;
            $s.aes.start.next = false;
            $s.gh.start.next = false;
            $s.st.d.next = $s.st_idle.val();
            $s.cnt.d.next = $s.zero8.val();
            $s.op.d.next = $s.zero4.val();
            $s.c_mode.d.next = $s.zero2.val();
            $s.c_dec.d.next = false;
            $s.c_k256.d.next = false;
            $s.c_src.d.next = $s.zero2.val();
            $s.c_tagb.d.next = $s.zero5.val();
            $s.c_mode2.d.next = $s.zero2.val();
            $s.c_dec2.d.next = false;
            $s.c_k2562.d.next = false;
            $s.c_src2.d.next = $s.zero2.val();
            $s.c_tagb2.d.next = $s.zero5.val();
            $s.active.d.next = false;
            $s.text.d.next = false;
            $s.ctrl_x.d.next = $s.zero32.val();
            $s.bb_x.d.next = $s.zero5.val();
            $s.done.d.next = false;
            $s.res_err.d.next = $s.zero4.val();
            $s.res_op.d.next = $s.zero4.val();
        }
        if $s.kill.val() {
            $s.dead.d.next = true;
        }

        // ---- Error log.
        $s.log.access.next = $s.complete.val();
        $s.log.err.next = $s.err_code.val().get_bits::<4>(0);
        $s.log.clear.next = ($s.ok_write.val() & $s.front.is_err_info.val()) | $s.clear.val();

        // ---- Read data.
        $s.rswap.a.next = $s.zero32.val();
        for i in 0..4 {
            if $s.word_idx.val().get_bits::<2>(0).index() == i {
                if $s.front.is_data_out.val() {
                    $s.rswap.a.next = $s.out_q.q.val().get_bits::<32>(96 - 32 * i);
                }
                if $s.front.is_tag.val() {
                    $s.rswap.a.next = $s.tag.q.val().get_bits::<32>(96 - 32 * i);
                }
            }
        }
        $s.bb32.a.next = $s.bb_v.val();
        $s.res_e.a.next = $s.res_err.q.val();
        $s.res_o.a.next = $s.res_op.q.val();
        $s.rdata.next = $s.zero32.val();
        if $s.front.is_id.val() {
            $s.rdata.next = $s.block_id.val();
        } else if $s.front.is_err_info.val() {
            $s.rdata.next = $s.log.info.val();
        } else if $s.front.is_status.val() {
            if $s.busy.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_busy.val();
            }
            if $s.done.q.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_done.val();
            }
            if $s.active.q.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_active.val();
            }
            if $s.in_full.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_in_full.val();
            }
            if $s.out_valid.q.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_out_valid.val();
            }
            if $s.text.q.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_text.val();
            }
            if $s.key_drbg_valid.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_key_drbg.val();
            }
            if $s.key_otp_valid.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_key_otp.val();
            }
            if $s.log.info.val() != $s.zero32.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_err.val();
            }
            if $s.dead.q.val() {
                $s.rdata.next = $s.rdata.val() | $s.b_dead.val();
            }
        } else if $s.front.is_ctrl.val() {
            $s.rdata.next = $s.ctrl_v.val();
        } else if $s.front.is_result.val() {
            $s.rdata.next = $s.res_e.y.val() | ($s.res_o.y.val() << $s.eight10.val());
        } else if $s.front.is_block_bytes.val() {
            $s.rdata.next = $s.bb32.y.val();
        } else if $s.front.is_data_out.val() | $s.front.is_tag.val() {
            $s.rdata.next = $s.rswap.y.val();
        }
        $s.prdata.next = $s.zero32.val();
        if $s.ok_read.val() {
            $s.prdata.next = $s.rdata.val();
        }
        $s.intr_done.next = $s.done.q.val();
        $($post)*

        // The check bits to store: those of the next state, with every update above applied.
        $s.code_d.s.next = $s.st.d.val();
        $s.st_chk.d.next = $s.code_d.code.val();
    }
}
    };
}

aes_engine! {
    /// The AES engine over the unmasked core (`pluton_aes`); see the README for the contract.
    AesEngine, self, #[hdl_gen], core: AesCore, kr: KR, b: B, masked: false,
    ports {}
    fields {}
    pre {
        self.no_entropy.next = false;
    }
    post {}
}

aes_engine! {
    /// The AES engine over the first-order masked core (`pluton_aes_masked`), its masks from a
    /// generator seeded once per operation from `mask_seed` (README "Variants").
    AesEngineMasked, self, #[hdl_gen], core: AesMaskedCore, kr: KR_MASKED, b: B_MASKED, masked: true,
    ports {
        /// A fresh full-entropy seed for the mask generator (the DRBG's mask port).
        mask_seed: Signal<In, Bits<256>>,
        mask_seed_valid: Signal<In, bool>,
        /// The seed is taken at this edge (a taken OP_START while `mask_seed_valid`).
        mask_seed_taken: Signal<Out, bool>,
    }
    fields {
        prng: MaskPrng,
    }
    pre {
        self.no_entropy.next = !self.prng.seeded.val();
    }
    post {
        self.prng.clock.next = self.clock.val();
        self.prng.rst_n.next = self.rst_n.val();
        self.prng.seed.next = self.mask_seed.val();
        self.prng.load.next = self.start_taken.val() & self.mask_seed_valid.val();
        self.mask_seed_taken.next = self.start_taken.val() & self.mask_seed_valid.val();
        // One seed per operation: the generator goes with the operation's values, at START's
        // own wipe too unless it takes the next seed there (an old seed never serves a new one).
        self.prng.clear.next = (self.wipe_op.val() & !self.mask_seed_taken.val()) | self.wipe_all.val();
        self.aes.rnd.next = self.prng.rnd.val();
        self.aes.key_mask.next = self.prng.mask.val();
        self.aes.data_mask.next = self.prng.mask.val().get_bits::<128>(0);
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

