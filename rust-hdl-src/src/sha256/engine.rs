//! SHA-256/HMAC engine top (`pluton_sha256`): APB4 completer, message buffer, padding, HMAC sequencing.

use super::core::Sha256Core;
use super::regs;
use crate::common::prims::{ByteSwap32, CheckCode3, ErrLog, PackWords8, RDff, Ram16x32, ZeroExt};
use rust_hdl::prelude::*;


crate::hdl_block! {
    Sha256Engine
    apb(12)
    ports {
        key_in: Signal<In, Bits<256>>,
        key_valid: Signal<In, bool>,
        /// The window's owner changed: abort, wipe KEY, forget the starter (applied last).
        clear: Signal<In, bool>,
        /// Bit i: parity of key word `key_in[32i+31:32i]`, carried with the key from the fuses.
        key_par: Signal<In, Bits<8>>,
        /// Escalation: the subsystem's fatal alert. Acts as `clear` held, and zeroizes the core.
        esc: Signal<In, bool>,
        intr_done: Signal<Out, bool>,
        /// A failed integrity check (phase or core code, key parity); sticky until reset.
        alert_fatal: Signal<Out, bool>,
        /// The digest port, for the P-256 engine's HASH: the finished digest as a 256-bit number
        /// (H0 in bits 255:224) while DIGEST is readable after a plain SHA-256 (never an HMAC
        /// tag), else 0; `digest_master` is its starter.
        digest_out: Signal<Out, Bits<256>>,
        digest_valid: Signal<Out, bool>,
        digest_master: Signal<Out, Bits<4>>,
    }
    consts {
        // Constants, sized so that every comparison has equal widths.
        zero2: 2 = 0,
        cmd_start_v: 32 = regs::CMD_START.mask() as u64,
        cmd_finish_v: 32 = regs::CMD_FINISH.mask() as u64,
        cmd_abort_v: 32 = regs::CMD_ABORT.mask() as u64,
        cmd_wipe_v: 32 = regs::CMD_WIPE_KEY.mask() as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_seq: 32 = regs::ERR_SEQ as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_key: 32 = regs::ERR_KEY as u64,
        e_key_master: 32 = regs::ERR_KEY_MASTER as u64,
        e_not_starter: 32 = regs::ERR_NOT_STARTER as u64,
        master_sec: 4 = crate::common::masters::MASTER_SEC as u64,
        zero32: 32 = 0,
        zero256: 256 = 0,
        block_id: 32 = regs::BLOCK_ID as u64,
        ipad: 32 = 0x3636_3636,
        opad: 32 = 0x5c5c_5c5c,
        mark0: 32 = 0x8000_0000,
        mark1: 32 = 0x0080_0000,
        mark2: 32 = 0x0000_8000,
        mark3: 32 = 0x0000_0080,
        mask1: 32 = 0x0000_00ff,
        byte1: 32 = 0x0000_ff00,
        byte2: 32 = 0x00ff_0000,
        byte3: 32 = 0xff00_0000,
        outer_len: 32 = (64 + 32) * 8,
        bit0: 32 = regs::STATUS_BUSY.mask() as u64,
        bit1: 32 = regs::STATUS_DIGEST_VALID.mask() as u64,
        bit2: 32 = regs::STATUS_MSG_READY.mask() as u64,
        bit3: 32 = regs::STATUS_ERR.mask() as u64,
        zero16: 16 = 0,
        one16: 16 = 1,
        one8: 8 = 1,
        one4: 4 = 1,
        zero4: 4 = 0,
        zero8: 8 = 0,
        first15: 16 = 0x7fff,
        zero5: 5 = 0,
        one5: 5 = 1,
        lb1: 2 = 1,
        lb2: 2 = 2,
        lb3: 2 = 3,
        zero64: 64 = 0,
        len_hmac: 64 = 64,
        n64_1: 64 = 1,
        n64_2: 64 = 2,
        n64_3: 64 = 3,
        n64_4: 64 = 4,
        n32_1: 32 = 1,
        n32_2: 32 = 2,
        n32_3: 32 = 3,
        n32_4: 32 = 4,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        core: Sha256Core,
        /// The running or finished operation is an HMAC (CTRL.HMAC_EN as START took it).
        run_hmac: RDff<bool>,
        /// The digest port may carry the digest: DONE after a plain SHA-256. A flop, so that the
        /// edge where an HMAC's DONE ends and a plain START begins cannot glitch a tag onto it.
        port_ok: RDff<bool>,
        /// The digest words, H0 on top.
        dig_pack: PackWords8,
        swap_in: ByteSwap32,
        swap_key: [ByteSwap32; 8],
        ze_words: ZeroExt<5, 32>,
        // Configuration and phase.
        ctrl_hmac: RDff<bool>,
        ctrl_keysel: RDff<bool>,
        active: RDff<bool>,
        finishing: RDff<bool>,
        done_r: RDff<bool>,
        /// With `active`, `finishing` and `done_r`, a 6-bit phase code at Hamming distance 3 or
        /// more: idle 000/000, active 100/011, finishing 010/101, done 001/110.
        phase_chk: RDff<Bits<3>>,
        /// A failed integrity check, kept until reset.
        fatal_q: RDff<bool>,
        /// Zeroization (README "Countermeasures"): the core hashes one all-zero block from the
        /// IV, which overwrites its working state, schedule and digest with constants through
        /// the datapath it has (a clear on each of its 1,792 flops would cost a LUT each).
        wiping: RDff<bool>,
        /// The wipe block has run since this escalation began.
        wiped: RDff<bool>,
        /// Words of the KEY and buffer RAMs overwritten with 0 in this wipe (16: all).
        wipe_cnt: RDff<Bits<5>>,
        /// The phase's check code (active 011, finishing 101, done 110): expected, and to store.
        phase_want: CheckCode3,
        phase_next: CheckCode3,
        /// pmaster of the last accepted START: the only master that may read DIGEST. Reset and
        /// `clear` make it the security core's.
        starter: RDff<Bits<4>>,
        // Key K0 and the message buffer, both as big-endian SHA words in RAM. A RAM keeps its
        // contents over reset, so each has a mask of the words written since: `key_mask` and
        // `filled`. Masked words read as zero, so a key from before a reset or WIPE_KEY is never used.
        key_ram: Ram16x32,
        buf_ram: Ram16x32,
        key_mask: RDff<Bits<16>>,
        /// Read address of both RAMs: the word the core reads in the next round.
        rptr: RDff<Bits<4>>,
        /// Thermometer code of written buffer words.
        filled: RDff<Bits<16>>,
        nwords: RDff<Bits<5>>,
        partial: RDff<bool>,
        /// The core is reading the buffer (the first 16 rounds of a buffer or first-padding block).
        draining: RDff<bool>,
        /// One-hot index of the word the core reads this cycle (rounds 0..15 after a dispatch).
        stream_oh: RDff<Bits<16>>,
        /// Kind of the block the core is reading (set at dispatch).
        src_key: RDff<bool>,
        src_opad: RDff<bool>,
        src_buf: RDff<bool>,
        src_pad1: RDff<bool>,
        src_pad2: RDff<bool>,
        src_outer: RDff<bool>,
        /// Bytes in the partial word: 1..=3.
        last_bytes: RDff<Bits<2>>,
        /// The partial word in bus lane order (unwritten lanes zero). The RAM has no byte enables,
        /// so a write continuing the word rewrites it whole from this copy and the new lanes.
        part_be: RDff<Bits<32>>,
        /// Bytes hashed by the inner (or only) hash, including the HMAC key block.
        len: RDff<Bits<64>>,
        msg_len: RDff<Bits<32>>,
        // Blocks waiting for the core.
        pend_key: RDff<bool>,
        pend_pad1: RDff<bool>,
        pend_pad2: RDff<bool>,
        pend_opad: RDff<bool>,
        pend_outer: RDff<bool>,
        // Meaning of the block in flight.
        inner_last: RDff<bool>,
        final_last: RDff<bool>,
        any_dispatched: RDff<bool>,
        /// ERR_INFO.
        log: ErrLog,
        /// Bit i set, for building a bit vector in a loop.
        b8: [Constant<Bits<8>>; 8] = std::array::from_fn(|i| crate::common::block::c(1 << i)),
        // Decode of the current APB access (the registers themselves: `front`).
        is_msgw: Signal<Local, bool>,
        key_oh: Signal<Local, Bits<16>>,
        digest_oh: Signal<Local, Bits<8>>,
        /// The MSG write continues a partial word (`k > 0` in README bus rule 3).
        cont_word: Signal<Local, bool>,
        /// `k`: the first free lane of the current word (0 unless continuing).
        first_lane: Signal<Local, Bits<2>>,
        /// Lanes below `k`, and lanes up to the highest strobed one.
        below_first: Signal<Local, Bits<4>>,
        strb_upto: Signal<Local, Bits<4>>,
        strb_msg_ok: Signal<Local, bool>,
        phase_busy: Signal<Local, bool>,
        cmd_start: Signal<Local, bool>,
        cmd_finish: Signal<Local, bool>,
        cmd_abort: Signal<Local, bool>,
        cmd_wipe: Signal<Local, bool>,
        /// A START that would use the sideload key, from a master other than the security core.
        key_master_bad: Signal<Local, bool>,
        /// A DIGEST read by a master other than the starter.
        not_starter: Signal<Local, bool>,
        /// ABORT's clearing: a completing ABORT, or `clear`.
        abort_all: Signal<Local, bool>,
        /// A START completes at this edge.
        op_start: Signal<Local, bool>,
        /// Error code of the current access, already 32 bits wide for ERR_INFO.
        err: Signal<Local, Bits<32>>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        // Message word and buffer bookkeeping.
        msg_word: Signal<Local, Bits<32>>,
        lane_mask: Signal<Local, Bits<32>>,
        /// The word as it stands after this write, in bus lane order.
        merged_be: Signal<Local, Bits<32>>,
        /// Bytes in the word after this write (1..=4), and before it (`k`).
        fill32: Signal<Local, Bits<32>>,
        fill64: Signal<Local, Bits<64>>,
        first32: Signal<Local, Bits<32>>,
        first64: Signal<Local, Bits<64>>,
        msg_bytes64: Signal<Local, Bits<64>>,
        msg_bytes32: Signal<Local, Bits<32>>,
        next_slot: Signal<Local, Bits<16>>,
        top_slot: Signal<Local, Bits<16>>,
        mark_oh: Signal<Local, Bits<16>>,
        mark_val: Signal<Local, Bits<32>>,
        one_block: Signal<Local, bool>,
        len_bits: Signal<Local, Bits<64>>,
        buf_full: Signal<Local, bool>,
        buf_plain_full: Signal<Local, bool>,
        // Dispatch.
        core_free: Signal<Local, bool>,
        disp_key: Signal<Local, bool>,
        disp_buf: Signal<Local, bool>,
        disp_pad1: Signal<Local, bool>,
        disp_pad2: Signal<Local, bool>,
        disp_opad: Signal<Local, bool>,
        disp_outer: Signal<Local, bool>,
        key_pad: Signal<Local, Bits<32>>,
        buf_word: Signal<Local, Bits<32>>,
        key_word: Signal<Local, Bits<32>>,
        keyin_word: Signal<Local, Bits<32>>,
        at_mark: Signal<Local, bool>,
        h_oh: Signal<Local, Bits<8>>,
        low_half: Signal<Local, bool>,
        h_word: Signal<Local, Bits<32>>,
        /// `h_word` in bus byte order; inline (not a ByteSwap32) because `h_word` also feeds the core.
        h_word_le: Signal<Local, Bits<32>>,
        stream_word: Signal<Local, Bits<32>>,
        stall: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
        /// Parity of each sideload key word as it arrives.
        par_in: Signal<Local, Bits<8>>,
        key_bad: Signal<Local, bool>,
        phase_bad: Signal<Local, bool>,
        /// `clear`, escalation, or a failed check: drop everything, as a new owner would get.
        clr: Signal<Local, bool>,
        /// Escalation or a failed check: `clr`, and zeroize the core.
        kill: Signal<Local, bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Sha256Engine;
    reset [front, core, log, key_ram, buf_ram, rptr, stream_oh]
    hold [run_hmac, port_ok, ctrl_hmac, ctrl_keysel, active, finishing, done_r, phase_chk, fatal_q, wiping, wiped, wipe_cnt, starter, key_mask, filled, nwords, partial,
        draining, src_key, src_opad, src_buf, src_pad1, src_pad2, src_outer, last_bytes, part_be,
        len, msg_len, pend_key, pend_pad1, pend_pad2, pend_opad, pend_outer, inner_last,
        final_last, any_dispatched]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pwdata, pmaster], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        // Defaults other than hold.
        self.key_ram.we.next = false;
        self.key_ram.waddr.next = self.paddr.val().get_bits::<4>(2);
        self.buf_ram.we.next = false;
        self.buf_ram.waddr.next = self.nwords.q.val().get_bits::<4>(0);
        self.key_ram.raddr.next = self.rptr.q.val();
        self.buf_ram.raddr.next = self.rptr.q.val();
        // Walks one position per cycle and runs out to zero after word 15.
        self.stream_oh.d.next = self.stream_oh.q.val() << 1;

        // ---- Integrity (README "Countermeasures"): the sideload key against the parity carried
        // with it, the phase flags against their check code, the core's control state.
        for i in 0..8 {
            self.swap_key[i].a.next = self.key_in.val().get_bits::<32>(32 * i);
        }
        self.par_in.next = self.zero8.val();
        for i in 0..8 {
            if self.key_in.val().get_bits::<32>(32 * i).xor() {
                self.par_in.next = self.par_in.val() | self.b8[i].val();
            }
        }
        self.key_bad.next = self.key_valid.val() & (self.par_in.val() != self.key_par.val());
        self.phase_want.s011.next = self.active.q.val();
        self.phase_want.s101.next = self.finishing.q.val();
        self.phase_want.s110.next = self.done_r.q.val();
        self.phase_bad.next = (self.phase_chk.q.val() != self.phase_want.code.val())
            | (self.active.q.val() & (self.finishing.q.val() | self.done_r.q.val()))
            | (self.finishing.q.val() & self.done_r.q.val());
        self.fatal_q.d.next = self.fatal_q.q.val() | self.key_bad.val() | self.phase_bad.val() | self.core.fault.val();
        // Not key_bad directly: it depends on key_valid, which escalation itself clears (a loop).
        self.alert_fatal.next = self.fatal_q.q.val() | self.phase_bad.val() | self.core.fault.val();
        self.kill.next = self.esc.val() | self.fatal_q.q.val() | self.phase_bad.val() | self.core.fault.val() | self.key_bad.val();
        self.clr.next = self.clear.val() | self.kill.val();

        // ---- Address decode: the front end, from the ports alone; MSG and MSG_LAST alike.
        self.is_msgw.next = self.front.is_msg.val() | self.front.is_msg_last.val();
        self.key_oh.next = self.one16.val() << self.paddr.val().get_bits::<4>(2);
        self.digest_oh.next = self.one8.val() << self.paddr.val().get_bits::<3>(2);
        // MSG strobes: one run of lanes from the word's first free lane `k`. A partial word is
        // continued only while ACTIVE; in any other phase `k` is 0.
        self.cont_word.next = self.active.q.val() & self.partial.q.val();
        self.first_lane.next = self.zero2.val();
        if self.cont_word.val() {
            self.first_lane.next = self.last_bytes.q.val();
        }
        self.below_first.next = (self.one4.val() << self.first_lane.val()) - self.one4.val();
        self.strb_upto.next = self.pstrb.val()
            | (self.pstrb.val() >> 1)
            | (self.pstrb.val() >> 2)
            | (self.pstrb.val() >> 3);
        self.strb_msg_ok.next = (self.pstrb.val() != self.zero4.val())
            & (self.pstrb.val() == (self.strb_upto.val() & !self.below_first.val()));
        self.phase_busy.next = self.active.q.val() | self.finishing.q.val();
        self.cmd_start.next = self.pwdata.val() == self.cmd_start_v.val();
        self.cmd_finish.next = self.pwdata.val() == self.cmd_finish_v.val();
        self.cmd_abort.next = self.pwdata.val() == self.cmd_abort_v.val();
        self.cmd_wipe.next = self.pwdata.val() == self.cmd_wipe_v.val();
        // CTRL before the edge is what START latches (CTRL cannot change in the same transfer).
        self.key_master_bad.next = self.cmd_start.val()
            & self.ctrl_hmac.q.val()
            & self.ctrl_keysel.q.val()
            & (self.pmaster.val() != self.master_sec.val());
        self.not_starter.next = !self.pwrite.val() & self.front.is_digest.val() & (self.pmaster.val() != self.starter.q.val());

        // ---- Access checks, in the documented order: the front end's common ones, then the engine's.
        self.err.next = self.front.err.val();
        if self.front.err.val() == self.e_none.val() {
            if self.front.strb_part.val() & !self.is_msgw.val() {
                self.err.next = self.e_strb.val();
            } else if self.pwrite.val() & self.is_msgw.val() & !self.strb_msg_ok.val() {
                self.err.next = self.e_strb.val();
            } else if self.pwrite.val() & (self.front.is_ctrl.val() | self.front.is_key.val()) & self.phase_busy.val() {
                self.err.next = self.e_busy.val();
            } else if self.pwrite.val() & self.front.is_cmd.val() {
                if !(self.cmd_start.val() | self.cmd_finish.val() | self.cmd_abort.val() | self.cmd_wipe.val()) {
                    self.err.next = self.e_value.val();
                } else if self.cmd_start.val() & self.phase_busy.val() {
                    self.err.next = self.e_seq.val();
                } else if self.key_master_bad.val() {
                    // Before ERR_KEY: another master does not learn whether a key is loaded.
                    self.err.next = self.e_key_master.val();
                } else if self.cmd_start.val() & self.ctrl_hmac.q.val() & self.ctrl_keysel.q.val() & !self.key_valid.val() {
                    self.err.next = self.e_key.val();
                } else if self.cmd_finish.val() & !self.active.q.val() {
                    self.err.next = self.e_seq.val();
                } else if self.cmd_wipe.val() & self.phase_busy.val() {
                    self.err.next = self.e_busy.val();
                }
            } else if self.pwrite.val() & self.is_msgw.val() & !self.active.q.val() {
                self.err.next = self.e_seq.val();
            } else if self.not_starter.val() {
                self.err.next = self.e_not_starter.val();
            }
        }
        self.ok_write.next = self.front.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.ok_read.next = self.front.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val());

        // ---- Message word: pwdata made a big-endian SHA word, its strobed bytes kept over the
        // partial word's earlier bytes. KEY writes (pstrb 1111, never continuing) take it whole.
        // The swapper is fed from the port only: a block input computed here and read back
        // would be a false loop for Verilator 5.006.
        self.swap_in.a.next = self.pwdata.val();
        self.lane_mask.next = self.zero32.val();
        if self.pstrb.val().get_bit(0) {
            self.lane_mask.next = self.byte3.val();
        }
        if self.pstrb.val().get_bit(1) {
            self.lane_mask.next = self.lane_mask.val() | self.byte2.val();
        }
        if self.pstrb.val().get_bit(2) {
            self.lane_mask.next = self.lane_mask.val() | self.byte1.val();
        }
        if self.pstrb.val().get_bit(3) {
            self.lane_mask.next = self.lane_mask.val() | self.mask1.val();
        }
        self.merged_be.next = self.swap_in.y.val() & self.lane_mask.val();
        if self.cont_word.val() & self.is_msgw.val() {
            self.merged_be.next = (self.swap_in.y.val() & self.lane_mask.val()) | self.part_be.q.val();
        }
        self.msg_word.next = self.merged_be.val();
        // Bytes added = (highest strobed lane + 1) - k; the strobe check makes the run contiguous.
        self.fill32.next = self.n32_1.val();
        self.fill64.next = self.n64_1.val();
        if self.pstrb.val().get_bit(3) {
            self.fill32.next = self.n32_4.val();
            self.fill64.next = self.n64_4.val();
        } else if self.pstrb.val().get_bit(2) {
            self.fill32.next = self.n32_3.val();
            self.fill64.next = self.n64_3.val();
        } else if self.pstrb.val().get_bit(1) {
            self.fill32.next = self.n32_2.val();
            self.fill64.next = self.n64_2.val();
        }
        self.first32.next = self.zero32.val();
        self.first64.next = self.zero64.val();
        if self.first_lane.val() == self.lb1.val() {
            self.first32.next = self.n32_1.val();
            self.first64.next = self.n64_1.val();
        } else if self.first_lane.val() == self.lb2.val() {
            self.first32.next = self.n32_2.val();
            self.first64.next = self.n64_2.val();
        } else if self.first_lane.val() == self.lb3.val() {
            self.first32.next = self.n32_3.val();
            self.first64.next = self.n64_3.val();
        }
        self.msg_bytes32.next = self.fill32.val() - self.first32.val();
        self.msg_bytes64.next = self.fill64.val() - self.first64.val();
        self.key_ram.wdata.next = self.msg_word.val();
        self.buf_ram.wdata.next = self.msg_word.val();

        // ---- Buffer slots and the padding marker.
        self.buf_full.next = self.filled.q.val().get_bit(15);
        self.buf_plain_full.next = self.buf_full.val() & !self.partial.q.val() & !self.draining.q.val();
        self.next_slot.next = !self.filled.q.val() & ((self.filled.q.val() << 1) | self.one16.val());
        self.top_slot.next = self.filled.q.val() & !(self.filled.q.val() >> 1);
        self.mark_oh.next = self.next_slot.val();
        self.mark_val.next = self.mark0.val();
        if self.partial.q.val() {
            self.mark_oh.next = self.top_slot.val();
            if self.last_bytes.q.val() == self.lb1.val() {
                self.mark_val.next = self.mark1.val();
            } else if self.last_bytes.q.val() == self.lb2.val() {
                self.mark_val.next = self.mark2.val();
            } else {
                self.mark_val.next = self.mark3.val();
            }
        }
        // The 64-bit length needs words 14 and 15: one block only if the marker is before them.
        self.one_block.next = !(self.mark_oh.val().get_bit(14) | self.mark_oh.val().get_bit(15));
        self.len_bits.next = self.len.q.val() << 3;

        // ---- Which block goes to the core at this edge (documented priority).
        self.core_free.next = !self.core.busy.val();
        self.disp_key.next = false;
        self.disp_buf.next = false;
        self.disp_pad1.next = false;
        self.disp_pad2.next = false;
        self.disp_opad.next = false;
        self.disp_outer.next = false;
        if self.core_free.val() {
            if self.pend_key.q.val() {
                self.disp_key.next = true;
            } else if self.buf_plain_full.val() {
                self.disp_buf.next = true;
            } else if self.finishing.q.val() & self.pend_pad1.q.val() {
                self.disp_pad1.next = true;
            } else if self.pend_pad2.q.val() {
                self.disp_pad2.next = true;
            } else if self.pend_opad.q.val() {
                self.disp_opad.next = true;
            } else if self.pend_outer.q.val() {
                self.disp_outer.next = true;
            }
        }
        self.core.start.next = self.disp_key.val()
            | self.disp_buf.val()
            | self.disp_pad1.val()
            | self.disp_pad2.val()
            | self.disp_opad.val()
            | self.disp_outer.val();
        self.core.from_iv.next = self.disp_key.val()
            | self.disp_opad.val()
            | (!self.any_dispatched.q.val() & (self.disp_buf.val() | self.disp_pad1.val()));
        self.core.cancel.next = false;

        // ---- The word the core reads this round (rounds 0..15 of the block in flight).
        self.key_pad.next = self.ipad.val();
        if self.src_opad.q.val() {
            self.key_pad.next = self.opad.val();
        }
        // The RAMs were read at the previous edge at `rptr`, the index of this round's word.
        self.buf_word.next = self.zero32.val();
        if (self.filled.q.val() & self.stream_oh.q.val()) != self.zero16.val() {
            self.buf_word.next = self.buf_ram.rdata.val();
        }
        self.key_word.next = self.zero32.val();
        if (self.key_mask.q.val() & self.stream_oh.q.val()) != self.zero16.val() {
            self.key_word.next = self.key_ram.rdata.val();
        }
        self.keyin_word.next = self.zero32.val();
        for i in 0..8 {
            if self.stream_oh.q.val().get_bit(i) {
                self.keyin_word.next = self.swap_key[i].y.val();
            }
        }
        if self.ctrl_keysel.q.val() {
            self.key_word.next = self.keyin_word.val();
        }
        // One 8-way mux over the core's state serves DIGEST reads and the outer HMAC block.
        // During the opad block's first 8 rounds the core still holds the inner digest; copy it
        // word by word into the (idle) buffer RAM for the outer block. DIGEST reads 0 until
        // DIGEST_VALID, so the copy may take the mux meanwhile.
        self.low_half.next = self.stream_oh.q.val().get_bits::<8>(0) != self.zero8.val();
        self.h_oh.next = self.digest_oh.val();
        if self.src_opad.q.val() & self.low_half.val() {
            self.h_oh.next = self.stream_oh.q.val().get_bits::<8>(0);
        }
        self.h_word.next = self.zero32.val();
        for i in 0..8 {
            if self.h_oh.val().get_bit(i) {
                self.h_word.next = self.core.h[i].val();
            }
        }
        if self.src_opad.q.val() & self.low_half.val() {
            self.buf_ram.we.next = true;
            self.buf_ram.waddr.next = self.rptr.q.val() - self.one4.val();
            self.buf_ram.wdata.next = self.h_word.val();
        }
        self.at_mark.next = (self.stream_oh.q.val() & self.mark_oh.val()) != self.zero16.val();
        self.stream_word.next = self.zero32.val();
        if self.src_key.q.val() | self.src_opad.q.val() {
            self.stream_word.next = self.key_word.val() ^ self.key_pad.val();
        } else if self.src_buf.q.val() {
            self.stream_word.next = self.buf_word.val();
        } else if self.src_pad1.q.val() {
            self.stream_word.next = self.buf_word.val();
            if self.at_mark.val() {
                self.stream_word.next = self.buf_word.val() | self.mark_val.val();
            }
            if self.one_block.val() & self.stream_oh.q.val().get_bit(14) {
                self.stream_word.next = self.len_bits.val().get_bits::<32>(32);
            }
            if self.one_block.val() & self.stream_oh.q.val().get_bit(15) {
                self.stream_word.next = self.len_bits.val().get_bits::<32>(0);
            }
        } else if self.src_pad2.q.val() {
            if self.stream_oh.q.val().get_bit(14) {
                self.stream_word.next = self.len_bits.val().get_bits::<32>(32);
            }
            if self.stream_oh.q.val().get_bit(15) {
                self.stream_word.next = self.len_bits.val().get_bits::<32>(0);
            }
        } else if self.src_outer.q.val() {
            // Words 0..8: the inner digest, copied into the buffer RAM during the opad block.
            if self.low_half.val() {
                self.stream_word.next = self.buf_ram.rdata.val();
            }
            if self.stream_oh.q.val().get_bit(8) {
                self.stream_word.next = self.mark0.val();
            }
            if self.stream_oh.q.val().get_bit(15) {
                self.stream_word.next = self.outer_len.val();
            }
        }
        self.core.word_in.next = self.stream_word.val();

        // ---- Back-pressure: a good message write that starts a word waits while the buffer is
        // full or draining. A continuing write already has its slot (and no drain runs then).
        self.stall.next = self.ok_write.val()
            & self.is_msgw.val()
            & !self.cont_word.val()
            & (self.buf_full.val() | self.draining.q.val());
        self.pready.next = !self.stall.val();
        // The protocol check follows this block's wait states.
        self.front.pready.next = self.pready.val();
        self.pslverr.next = self.front.access.val() & (self.err.val() != self.e_none.val());

        // ---- Sequencing of dispatched and finished blocks.
        if self.core.start.val() {
            self.any_dispatched.d.next = true;
        }
        if self.disp_key.val() {
            self.pend_key.d.next = false;
        }
        if self.core.start.val() {
            self.stream_oh.d.next = self.one16.val();
            self.src_key.d.next = self.disp_key.val();
            self.src_opad.d.next = self.disp_opad.val();
            self.src_buf.d.next = self.disp_buf.val();
            self.src_pad1.d.next = self.disp_pad1.val();
            self.src_pad2.d.next = self.disp_pad2.val();
            self.src_outer.d.next = self.disp_outer.val();
        }
        if self.disp_buf.val() | self.disp_pad1.val() {
            self.draining.d.next = true;
        }
        // The buffer is free once the core has read its last word (edge dispatch + 16).
        if self.draining.q.val() & self.stream_oh.q.val().get_bit(15) {
            self.draining.d.next = false;
            self.filled.d.next = self.zero16.val();
            self.nwords.d.next = self.zero5.val();
            self.partial.d.next = false;
            self.part_be.d.next = self.zero32.val();
        }
        if self.disp_pad1.val() {
            self.pend_pad1.d.next = false;
            if !self.one_block.val() {
                self.pend_pad2.d.next = true;
            } else if self.ctrl_hmac.q.val() {
                self.inner_last.d.next = true;
            } else {
                self.final_last.d.next = true;
            }
        }
        if self.disp_pad2.val() {
            self.pend_pad2.d.next = false;
            if self.ctrl_hmac.q.val() {
                self.inner_last.d.next = true;
            } else {
                self.final_last.d.next = true;
            }
        }
        if self.disp_opad.val() {
            self.pend_opad.d.next = false;
        }
        if self.disp_outer.val() {
            self.pend_outer.d.next = false;
            self.final_last.d.next = true;
        }
        if self.core.done.val() & self.inner_last.q.val() {
            self.inner_last.d.next = false;
            self.pend_opad.d.next = true;
            self.pend_outer.d.next = true;
        }
        if self.core.done.val() & self.final_last.q.val() {
            self.final_last.d.next = false;
            self.finishing.d.next = false;
            self.done_r.d.next = true;
        }

        // ---- Register writes (only error-free, completing transfers).
        if self.ok_write.val() & !self.stall.val() {
            if self.front.is_ctrl.val() {
                self.ctrl_hmac.d.next = self.pwdata.val().get_bit(0);
                self.ctrl_keysel.d.next = self.pwdata.val().get_bit(1);
            }
            if self.front.is_key.val() {
                self.key_ram.we.next = true;
                self.key_mask.d.next = self.key_mask.q.val() | self.key_oh.val();
            }
            if self.is_msgw.val() {
                self.buf_ram.we.next = true;
                if self.cont_word.val() {
                    // Rewrite the partial word in its slot (the top filled one).
                    self.buf_ram.waddr.next = self.nwords.q.val().get_bits::<4>(0) - self.one4.val();
                } else {
                    self.filled.d.next = (self.filled.q.val() << 1) | self.one16.val();
                    self.nwords.d.next = self.nwords.q.val() + self.one5.val();
                }
                self.len.d.next = self.len.q.val() + self.msg_bytes64.val();
                self.msg_len.d.next = self.msg_len.q.val() + self.msg_bytes32.val();
                // A write that reaches lane 3 completes the word; the next one starts at lane 0.
                self.partial.d.next = !self.pstrb.val().get_bit(3);
                self.last_bytes.d.next = self.fill32.val().get_bits::<2>(0);
                self.part_be.d.next = self.zero32.val();
                if !self.pstrb.val().get_bit(3) {
                    self.part_be.d.next = self.merged_be.val();
                }
                if self.front.is_msg_last.val() {
                    self.active.d.next = false;
                    self.finishing.d.next = true;
                    self.pend_pad1.d.next = true;
                }
            }
            if self.front.is_cmd.val() {
                if self.cmd_finish.val() {
                    self.active.d.next = false;
                    self.finishing.d.next = true;
                    self.pend_pad1.d.next = true;
                }
                if self.cmd_wipe.val() {
                    self.key_mask.d.next = self.zero16.val();
                }
            }
        }

        // ---- ABORT, and `clear` (a new owner), after every other update so that they win: an
        // in-flight block is dropped, and a transfer completing at a `clear` edge is undone.
        self.abort_all.next = (self.ok_write.val() & self.front.is_cmd.val() & self.cmd_abort.val()) | self.clr.val();
        self.op_start.next = self.ok_write.val() & !self.stall.val() & self.front.is_cmd.val() & self.cmd_start.val();
        // START and ABORT both begin from an empty operation (buffer, lengths, pending blocks).
        if self.op_start.val() | self.abort_all.val() {
            self.finishing.d.next = false;
            self.done_r.d.next = false;
            self.filled.d.next = self.zero16.val();
            self.nwords.d.next = self.zero5.val();
            self.partial.d.next = false;
            self.part_be.d.next = self.zero32.val();
            self.msg_len.d.next = self.zero32.val();
            self.len.d.next = self.zero64.val();
            self.pend_key.d.next = false;
            self.pend_pad1.d.next = false;
            self.pend_pad2.d.next = false;
            self.pend_opad.d.next = false;
            self.pend_outer.d.next = false;
            self.any_dispatched.d.next = false;
        }
        // START then opens it (an HMAC counts its key block) and records its master.
        if self.op_start.val() & !self.abort_all.val() {
            self.active.d.next = true;
            if self.ctrl_hmac.q.val() {
                self.len.d.next = self.len_hmac.val();
            }
            self.pend_key.d.next = self.ctrl_hmac.q.val();
            self.run_hmac.d.next = self.ctrl_hmac.q.val();
            self.starter.d.next = self.pmaster.val();
        }
        // ABORT also drops the block in flight.
        if self.abort_all.val() {
            self.core.cancel.next = true;
            self.core.start.next = false;
            self.active.d.next = false;
            self.draining.d.next = false;
            self.stream_oh.d.next = self.zero16.val();
            self.inner_last.d.next = false;
            self.final_last.d.next = false;
            // No block kind: the core then reads 0 words (the wipe block's message).
            self.src_key.d.next = false;
            self.src_opad.d.next = false;
            self.src_buf.d.next = false;
            self.src_pad1.d.next = false;
            self.src_pad2.d.next = false;
            self.src_outer.d.next = false;
        }
        // ---- Zeroization: under `kill`, once per escalation, the in-flight block is dropped and
        // then the core hashes a block of zeros from the IV (word_in 0, no cancel while it runs).
        // Meanwhile both RAMs are overwritten with 0, a word per cycle: KEY (a masked word keeps
        // its bits) and the buffer (which held the inner HMAC digest).
        // Its words are 0 because `abort_all` cleared every block kind (`src_*`), so the read mux
        // gives 0 with no extra level on the round's critical path.
        if self.wiping.q.val() {
            self.core.cancel.next = false;
            if !self.wipe_cnt.q.val().get_bit(4) {
                self.key_ram.we.next = true;
                self.key_ram.waddr.next = self.wipe_cnt.q.val().get_bits::<4>(0);
                self.key_ram.wdata.next = self.zero32.val();
                self.buf_ram.we.next = true;
                self.buf_ram.waddr.next = self.wipe_cnt.q.val().get_bits::<4>(0);
                self.buf_ram.wdata.next = self.zero32.val();
                self.wipe_cnt.d.next = self.wipe_cnt.q.val() + self.one5.val();
            }
            if self.core.done.val() {
                self.wiping.d.next = false;
                self.wiped.d.next = true;
            }
        } else if self.kill.val() & !self.wiped.q.val() & !self.core.busy.val() {
            self.core.cancel.next = false;
            self.core.start.next = true;
            self.core.from_iv.next = true;
            self.wiping.d.next = true;
            self.wipe_cnt.d.next = self.zero5.val();
        }
        if !self.kill.val() {
            self.wiped.d.next = false;
        }
        if self.clr.val() {
            // The old owner's software key and result must not serve the new owner.
            self.key_mask.d.next = self.zero16.val();
            self.starter.d.next = self.master_sec.val();
        }

        // ---- Error log (ERR_INFO): the first refusal kept, OVERFLOW after it; a write clears it.
        self.log.access.next = self.front.access.val();
        self.log.err.next = self.err.val().get_bits::<4>(0);
        // A new owner does not see the old owner's refused accesses either.
        self.log.clear.next = (self.ok_write.val() & self.front.is_err_info.val()) | self.clr.val();

        // ---- Read data. DIGEST is zero until valid, so no intermediate state is ever visible.
        self.ze_words.a.next = self.nwords.q.val();
        self.h_word_le.next = ((self.h_word.val() & self.mask1.val()) << 24)
            | ((self.h_word.val() & self.byte1.val()) << 8)
            | ((self.h_word.val() >> 8) & self.byte1.val())
            | ((self.h_word.val() >> 24) & self.mask1.val());
        self.rdata.next = self.zero32.val();
        if self.front.is_ctrl.val() {
            if self.ctrl_hmac.q.val() {
                self.rdata.next = self.bit0.val();
            }
            if self.ctrl_keysel.q.val() {
                self.rdata.next = self.rdata.val() | self.bit1.val();
            }
        } else if self.front.is_status.val() {
            self.rdata.next = self.ze_words.y.val() << 4;
            // The wipe block is not an operation: STATUS shows it as idle.
            if self.core.busy.val() & !self.wiping.q.val() {
                self.rdata.next = self.rdata.val() | self.bit0.val();
            }
            if self.done_r.q.val() {
                self.rdata.next = self.rdata.val() | self.bit1.val();
            }
            if self.active.q.val() {
                self.rdata.next = self.rdata.val() | self.bit2.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.bit3.val();
            }
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_msg_len.val() {
            self.rdata.next = self.msg_len.q.val();
        } else if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_digest.val() & self.done_r.q.val() & !self.phase_bad.val() & !self.core.fault.val() {
            self.rdata.next = self.h_word_le.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }
        self.intr_done.next = self.done_r.q.val();

        // The digest port: the words DIGEST would return, only for a plain SHA-256.
        self.dig_pack.w7.next = self.core.h[0].val();
        self.dig_pack.w6.next = self.core.h[1].val();
        self.dig_pack.w5.next = self.core.h[2].val();
        self.dig_pack.w4.next = self.core.h[3].val();
        self.dig_pack.w3.next = self.core.h[4].val();
        self.dig_pack.w2.next = self.core.h[5].val();
        self.dig_pack.w1.next = self.core.h[6].val();
        self.dig_pack.w0.next = self.core.h[7].val();
        self.digest_valid.next = self.port_ok.q.val() & !self.phase_bad.val() & !self.core.fault.val();
        self.digest_out.next = self.zero256.val();
        if self.digest_valid.val() {
            self.digest_out.next = self.dig_pack.y.val();
        }
        self.digest_master.next = self.starter.q.val();

        // The phase check code that goes with the next phase flags (all updates above applied).
        self.phase_next.s011.next = self.active.d.val();
        self.phase_next.s101.next = self.finishing.d.val();
        self.phase_next.s110.next = self.done_r.d.val();
        self.phase_chk.d.next = self.phase_next.code.val();
        self.port_ok.d.next = self.done_r.d.val() & !self.run_hmac.d.val();

        // Read pointer: 0 at a dispatch edge (word 0 is read there), then one ahead of the round.
        self.rptr.d.next = self.zero4.val();
        if self.core.start.val() | ((self.stream_oh.q.val() & self.first15.val()) != self.zero16.val()) {
            self.rptr.d.next = self.rptr.q.val() + self.one4.val();
        }
    }
}
