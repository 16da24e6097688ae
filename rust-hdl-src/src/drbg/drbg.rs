//! CTR_DRBG top (`pluton_drbg`): APB4 front, the command sequencer, the state (Key, V, counter) and one AES-256 core.

use super::port::SidePort;
use super::regs;
use crate::aes::core::AesCore;
use crate::common::prims::{ByteSwap32, ErrLog, RDff, StateCode3, ZeroExt};
use rust_hdl::prelude::*;

/// Sequencer states (README "Timing"), stored with 3 check bits (`StateCode3`).
const ST_IDLE: u64 = 0;
/// Waiting for the entropy port (`seed_ready` = 1).
const ST_SEED: u64 = 1;
/// An Update: key load, three blocks, the store of Key and V.
const ST_UPD: u64 = 2;
/// A generated block: key load, one block, its store.
const ST_GEN: u64 = 3;
/// Waiting for software to read OUT before the next block.
const ST_OWAIT: u64 = 4;
/// A command that ends at the next edge (a failed check, UNINSTANTIATE).
const ST_FIN: u64 = 5;

/// Phase edges after the key load (`cnt`): the AES core's key expansion (13 edges for AES-256,
/// so a start at the 14th), then a block each (14 edges to `done`, taken at the 15th).
const KEY_READY_CNT: u64 = 14;
const BLOCK_CNT: u64 = 15;

crate::hdl_block! {
    /// The CTR_DRBG; see the README for the contract.
    Drbg
    apb(12)
    ports {
        seed_in: Signal<In, Bits<384>>,
        seed_valid: Signal<In, bool>,
        seed_ready: Signal<Out, bool>,
        /// Escalation: wipe and refuse every command until reset.
        esc: Signal<In, bool>,
        /// The key port's consumer took the key (or its window changed owner).
        key_clear: Signal<In, bool>,
        /// The mask port's consumer took the seed (or its window changed owner).
        mask_clear: Signal<In, bool>,
        /// The scalar port's consumer took the value (or its window changed owner).
        scalar_clear: Signal<In, bool>,
        key_out: Signal<Out, Bits<256>>,
        key_valid: Signal<Out, bool>,
        /// The mask seed for the masked AES engine's mask generator (key_out's layout).
        mask_out: Signal<Out, Bits<256>>,
        mask_valid: Signal<Out, bool>,
        /// A random 256-bit number for the P-256 engine's k or KEYGEN seed (key_out's layout).
        scalar_out: Signal<Out, Bits<256>>,
        scalar_valid: Signal<Out, bool>,
        /// Level: STATUS.DONE.
        intr_done: Signal<Out, bool>,
        /// The sequencer state or the AES core's control state failed its check; sticky.
        alert_fatal: Signal<Out, bool>,
    }
    consts {
        st_idle: 3 = ST_IDLE,
        st_seed: 3 = ST_SEED,
        st_upd: 3 = ST_UPD,
        st_gen: 3 = ST_GEN,
        st_owait: 3 = ST_OWAIT,
        st_fin: 3 = ST_FIN,
        zero3: 3 = 0,
        one3: 3 = 1,
        four3: 3 = 4,
        zero2: 2 = 0,
        dest_key: 2 = regs::DEST_KEY as u64,
        dest_mask: 2 = regs::DEST_MASK as u64,
        dest_scalar: 2 = regs::DEST_SCALAR as u64,
        zero4: 4 = 0,
        zero6: 6 = 0,
        one6: 6 = 1,
        c_start1: 6 = KEY_READY_CNT,
        c_start2: 6 = KEY_READY_CNT + BLOCK_CNT,
        c_start3: 6 = KEY_READY_CNT + 2 * BLOCK_CNT,
        c_store: 6 = KEY_READY_CNT + 3 * BLOCK_CNT,
        zero8: 8 = 0,
        one8: 8 = 1,
        two8: 8 = 2,
        zero32: 32 = 0,
        one32: 32 = 1,
        four10: 10 = 4,
        eight10: 10 = 8,
        k32: 10 = 32,
        k128: 10 = 128,
        k256: 10 = 256,
        zero128: 128 = 0,
        one128: 128 = 1,
        zero256: 256 = 0,
        zero384: 384 = 0,
        op_inst: 4 = regs::OP_INSTANTIATE as u64,
        op_reseed: 4 = regs::OP_RESEED as u64,
        op_gen: 4 = regs::OP_GENERATE as u64,
        op_uninst: 4 = regs::OP_UNINSTANTIATE as u64,
        r_not_inst: 4 = regs::RES_NOT_INSTANTIATED as u64,
        r_reseed: 4 = regs::RES_RESEED_NEEDED as u64,
        r_length: 4 = regs::RES_BAD_LENGTH as u64,
        block_id: 32 = regs::BLOCK_ID as u64,
        limit_reset: 32 = regs::RESEED_LIMIT_RESET as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_empty: 32 = regs::ERR_EMPTY as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_fatal: 32 = regs::ERR_FATAL as u64,
        b_busy: 32 = regs::STATUS_BUSY.mask() as u64,
        b_done: 32 = regs::STATUS_DONE.mask() as u64,
        b_inst: 32 = regs::STATUS_INSTANTIATED.mask() as u64,
        b_key_valid: 32 = regs::STATUS_KEY_VALID.mask() as u64,
        b_mask_valid: 32 = regs::STATUS_MASK_VALID.mask() as u64,
        b_scalar_valid: 32 = regs::STATUS_SCALAR_VALID.mask() as u64,
        b_err: 32 = regs::STATUS_ERR.mask() as u64,
        b_dead: 32 = regs::STATUS_DEAD.mask() as u64,
        // CMD bits that must be 0: 31:16.
        cmd_reserved: 32 = 0xffff_0000,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        aes: AesCore,
        wswap: ByteSwap32,
        rswap: ByteSwap32,
        /// An ADDL word at its place in the 384-bit string (lane 11 - i for word i).
        wext: ZeroExt<32, 384>,
        ext_a: ZeroExt<128, 384>,
        ext_b: ZeroExt<128, 384>,
        ext_c: ZeroExt<128, 384>,
        out_words32: ZeroExt<3, 32>,
        res_e: ZeroExt<4, 32>,
        res_o: ZeroExt<4, 32>,
        /// Word i's lane of ADDL (bits 383-32i .. 352-32i), as a mask and as a shift.
        lane_mask: [Constant<Bits<384>>; 12] = std::array::from_fn(|i| Constant::new(lane_mask(i))),
        lane_shift: [Constant<Bits<10>>; 12] = std::array::from_fn(|i| Constant::new(bits::<10>(32 * (11 - i) as u64))),
        // ---- Sequencer.
        st: RDff<Bits<3>>,
        st_chk: RDff<Bits<3>>,
        code_q: StateCode3,
        code_d: StateCode3,
        fatal_q: RDff<bool>,
        dead: RDff<bool>,
        /// Edges since the phase's key load (0 in the cycle that issues it).
        cnt: RDff<Bits<6>>,
        /// The Update running is GENERATE's first one (blocks follow), not a command's last.
        upd_pre: RDff<bool>,
        /// The command running, and its options.
        op: RDff<Bits<4>>,
        c_addl: RDff<bool>,
        /// CMD.DEST: 0 OUT, 1 the key port, 2 the mask port.
        c_dest: RDff<Bits<2>>,
        c_pr: RDff<bool>,
        /// Blocks still to generate, the current one included.
        blocks: RDff<Bits<8>>,
        // ---- The state (never readable).
        key: RDff<Bits<256>>,
        v: RDff<Bits<128>>,
        ctr: RDff<Bits<32>>,
        inst: RDff<bool>,
        /// The Update's provided data (seed XOR ADDL, ADDL or 0).
        pd: RDff<Bits<384>>,
        /// The Update's first two blocks.
        tmp_a: RDff<Bits<128>>,
        tmp_b: RDff<Bits<128>>,
        // ---- Registers and outputs.
        addl: RDff<Bits<384>>,
        /// RESEED_LIMIT XOR its reset value.
        limit: RDff<Bits<32>>,
        done: RDff<bool>,
        res_err: RDff<Bits<4>>,
        res_op: RDff<Bits<4>>,
        out_q: RDff<Bits<128>>,
        out_words: RDff<Bits<3>>,
        /// The sideload ports (DEST 1, 2, 3).
        key_port: SidePort,
        mask_port: SidePort,
        scalar_port: SidePort,
        // ---- Decisions of this cycle.
        st_bad: Signal<Local, bool>,
        kill: Signal<Local, bool>,
        busy: Signal<Local, bool>,
        limit_v: Signal<Local, Bits<32>>,
        err_code: Signal<Local, Bits<32>>,
        complete: Signal<Local, bool>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
        go: Signal<Local, bool>,
        g_op: Signal<Local, Bits<4>>,
        g_addl: Signal<Local, bool>,
        g_pr: Signal<Local, bool>,
        g_dest: Signal<Local, Bits<2>>,
        /// The GENERATE goes to a sideload port (DEST 1, 2 or 3), not OUT.
        g_side: Signal<Local, bool>,
        c_side: Signal<Local, bool>,
        /// A generated block is stored to the running GENERATE's sideload port at this edge.
        side_st: Signal<Local, bool>,
        /// UNINSTANTIATE empties the sideload ports at this edge.
        uninst: Signal<Local, bool>,
        g_blocks: Signal<Local, Bits<8>>,
        g_err: Signal<Local, Bits<4>>,
        addl_or_0: Signal<Local, Bits<384>>,
        take_seed: Signal<Local, bool>,
        v1: Signal<Local, Bits<128>>,
        upd_x: Signal<Local, Bits<384>>,
        capture: Signal<Local, bool>,
        store: Signal<Local, bool>,
        finish: Signal<Local, bool>,
        pop: Signal<Local, bool>,
        out_empty: Signal<Local, bool>,
    }
}

/// The mask of ADDL word i's 32 bits in the 384-bit string.
fn lane_mask(i: usize) -> Bits<384> {
    let mut m = Bits::<384>::default();
    for b in 0..32 {
        m = m.replace_bit(32 * (11 - i) + b, true);
    }
    m
}

crate::hdl_logic! {
    #[hdl_gen]
    Drbg;
    reset [front, log, aes, key_port, mask_port, scalar_port]
    hold [st, st_chk, fatal_q, dead, cnt, upd_pre, op, c_addl, c_dest, c_pr, blocks, key, v, ctr, inst, pd, tmp_a, tmp_b,
          addl, limit, done, res_err, res_op, out_q, out_words]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        self.code_q.s.next = self.st.q.val();
        self.st_bad.next = self.code_q.code.val() != self.st_chk.q.val();
        self.kill.next = self.esc.val() | self.st_bad.val() | self.aes.fault.val();
        self.fatal_q.d.next = self.fatal_q.q.val() | self.st_bad.val() | self.aes.fault.val();
        self.alert_fatal.next = self.fatal_q.q.val() | self.st_bad.val() | self.aes.fault.val();
        self.busy.next = self.st.q.val() != self.st_idle.val();

        // ---- Bus: the access checks, in order; the first that applies wins.
        self.front.pready.next = true;
        self.pready.next = true;
        self.err_code.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Protocol, unmapped, wrong master, WO/RO.
        } else if self.front.strb_part.val() {
            self.err_code.next = self.e_strb.val();
        } else if self.pwrite.val() & self.front.is_cmd.val() {
            if ((self.pwdata.val() & self.cmd_reserved.val()) != self.zero32.val())
                | (self.pwdata.val().get_bits::<4>(0) == self.zero4.val())
                | (self.pwdata.val().get_bits::<4>(0) > self.op_uninst.val()) {
                self.err_code.next = self.e_value.val();
            } else if self.dead.q.val() {
                self.err_code.next = self.e_fatal.val();
            } else if self.busy.val() & !((self.pwdata.val().get_bits::<4>(0) == self.op_uninst.val()) & (self.st.q.val() == self.st_seed.val())) {
                // UNINSTANTIATE may abandon a command that waits for entropy (a TRNG that
                // has stopped would otherwise hold the DRBG until reset).
                self.err_code.next = self.e_busy.val();
            }
        } else if self.pwrite.val() & self.front.is_addl.val() & self.busy.val() {
            self.err_code.next = self.e_busy.val();
        } else if !self.pwrite.val() & self.front.is_out.val() & (self.out_words.q.val() == self.zero3.val()) {
            self.err_code.next = self.e_empty.val();
        }
        self.complete.next = self.front.access.val();
        self.pslverr.next = self.complete.val() & (self.err_code.val() != self.e_none.val());
        self.ok_write.next = self.complete.val() & self.pwrite.val() & (self.err_code.val() == self.e_none.val());
        self.ok_read.next = self.complete.val() & !self.pwrite.val() & (self.err_code.val() == self.e_none.val());

        // ---- Register writes.
        self.wswap.a.next = self.pwdata.val();
        self.wext.a.next = self.wswap.y.val();
        if self.ok_write.val() & self.front.is_addl.val() {
            for i in 0..12 {
                if self.paddr.val().get_bits::<4>(2).index() == i {
                    self.addl.d.next = (self.addl.q.val() & !self.lane_mask[i].val()) | (self.wext.y.val() << self.lane_shift[i].val());
                }
            }
        }
        // RESEED_LIMIT is stored XOR its reset value (flops reset to 0).
        self.limit_v.next = self.limit.q.val() ^ self.limit_reset.val();
        if self.ok_write.val() & self.front.is_reseed_limit.val() {
            self.limit.d.next = self.pwdata.val() ^ self.limit_reset.val();
        }

        // ---- A command: its checks, in the README's order, at its edge.
        self.go.next = self.ok_write.val() & self.front.is_cmd.val();
        self.g_op.next = self.pwdata.val().get_bits::<4>(0);
        self.g_addl.next = self.pwdata.val().get_bit(4);
        self.g_pr.next = self.pwdata.val().get_bit(5);
        self.g_dest.next = self.pwdata.val().get_bits::<2>(6);
        self.g_side.next = self.g_dest.val() != self.zero2.val();
        self.g_blocks.next = self.pwdata.val().get_bits::<8>(8);
        self.g_err.next = self.zero4.val();
        if (self.g_op.val() == self.op_reseed.val()) | (self.g_op.val() == self.op_gen.val()) {
            if !self.inst.q.val() {
                self.g_err.next = self.r_not_inst.val();
            } else if self.g_op.val() == self.op_gen.val() {
                if (self.g_blocks.val() == self.zero8.val()) | (self.g_side.val() & (self.g_blocks.val() != self.two8.val())) {
                    self.g_err.next = self.r_length.val();
                } else if (self.ctr.q.val() > self.limit_v.val()) & !self.g_pr.val() {
                    self.g_err.next = self.r_reseed.val();
                }
            }
        }
        self.addl_or_0.next = self.zero384.val();
        if self.c_addl.q.val() {
            self.addl_or_0.next = self.addl.q.val();
        }

        // ---- The AES core: a phase issues its key load in its first cycle (cnt 0), then starts
        // blocks of V + 1 when the key is ready and at each capture.
        self.v1.next = self.v.q.val() + self.one128.val();
        self.aes.key.next = self.key.q.val();
        self.aes.key_len256.next = true;
        self.aes.decrypt.next = false;
        self.aes.data_in.next = self.v1.val();
        self.aes.key_load.next = false;
        self.aes.start.next = false;
        self.aes.clear.next = false;
        if (self.st.q.val() == self.st_upd.val()) | (self.st.q.val() == self.st_gen.val()) {
            self.cnt.d.next = self.cnt.q.val() + self.one6.val();
            if self.cnt.q.val() == self.zero6.val() {
                self.aes.key_load.next = true;
            }
            if (self.cnt.q.val() == self.c_start1.val())
                | ((self.st.q.val() == self.st_upd.val()) & ((self.cnt.q.val() == self.c_start2.val()) | (self.cnt.q.val() == self.c_start3.val()))) {
                self.aes.start.next = true;
                self.v.d.next = self.v1.val();
            }
        }
        // Captures: the Update's blocks at 30 and 45 (and its store at 60), a generated block at 30.
        self.capture.next = (self.st.q.val() == self.st_gen.val()) & (self.cnt.q.val() == self.c_start2.val());
        if (self.st.q.val() == self.st_upd.val()) & (self.cnt.q.val() == self.c_start2.val()) {
            self.tmp_a.d.next = self.aes.data_out.val();
        }
        if (self.st.q.val() == self.st_upd.val()) & (self.cnt.q.val() == self.c_start3.val()) {
            self.tmp_b.d.next = self.aes.data_out.val();
        }
        self.store.next = (self.st.q.val() == self.st_upd.val()) & (self.cnt.q.val() == self.c_store.val());
        self.ext_a.a.next = self.tmp_a.q.val();
        self.ext_b.a.next = self.tmp_b.q.val();
        self.ext_c.a.next = self.aes.data_out.val();
        self.upd_x.next = ((self.ext_a.y.val() << self.k256.val()) | (self.ext_b.y.val() << self.k128.val()) | self.ext_c.y.val())
            ^ self.pd.q.val();

        // ---- Sequencer.
        self.seed_ready.next = self.st.q.val() == self.st_seed.val();
        self.take_seed.next = self.seed_ready.val() & self.seed_valid.val();
        self.finish.next = false;
        self.pop.next = self.ok_read.val() & self.front.is_out.val();
        // OUT is empty after this edge's read: a block may start.
        self.out_empty.next = (self.out_words.q.val() == self.zero3.val()) | (self.pop.val() & (self.out_words.q.val() == self.one3.val()));
        if self.pop.val() {
            self.out_q.d.next = self.out_q.q.val() << self.k32.val();
            self.out_words.d.next = self.out_words.q.val() - self.one3.val();
        }
        self.c_side.next = self.c_dest.q.val() != self.zero2.val();
        self.side_st.next = false;
        self.uninst.next = false;
        if self.go.val() {
            self.done.d.next = false;
            self.res_err.d.next = self.zero4.val();
            self.res_op.d.next = self.zero4.val();
            self.op.d.next = self.g_op.val();
            self.c_addl.d.next = self.g_addl.val();
            self.c_dest.d.next = self.g_dest.val();
            self.c_pr.d.next = self.g_pr.val();
            self.blocks.d.next = self.g_blocks.val();
            self.cnt.d.next = self.zero6.val();
            self.upd_pre.d.next = false;
            if self.g_err.val() != self.zero4.val() {
                self.res_err.d.next = self.g_err.val();
                self.st.d.next = self.st_fin.val();
            } else if self.g_op.val() == self.op_uninst.val() {
                self.st.d.next = self.st_fin.val();
            } else if (self.g_op.val() != self.op_gen.val()) | self.g_pr.val() {
                // INSTANTIATE, RESEED, GENERATE with PR: entropy first.
                self.st.d.next = self.st_seed.val();
                self.upd_pre.d.next = self.g_op.val() == self.op_gen.val();
            } else {
                self.pd.d.next = self.zero384.val();
                self.st.d.next = self.st_gen.val();
                if !self.g_side.val() & !self.out_empty.val() {
                    self.st.d.next = self.st_owait.val();
                }
                if self.g_addl.val() {
                    self.pd.d.next = self.addl.q.val();
                    self.st.d.next = self.st_upd.val();
                    self.upd_pre.d.next = true;
                }
            }
        } else if self.st.q.val() == self.st_fin.val() {
            self.finish.next = true;
            if (self.op.q.val() == self.op_uninst.val()) & (self.res_err.q.val() == self.zero4.val()) {
                self.key.d.next = self.zero256.val();
                self.v.d.next = self.zero128.val();
                self.ctr.d.next = self.zero32.val();
                self.inst.d.next = false;
                self.out_q.d.next = self.zero128.val();
                self.out_words.d.next = self.zero3.val();
                self.uninst.next = true;
            }
        } else if self.take_seed.val() {
            self.pd.d.next = self.seed_in.val() ^ self.addl_or_0.val();
            if self.op.q.val() == self.op_inst.val() {
                self.key.d.next = self.zero256.val();
                self.v.d.next = self.zero128.val();
            }
            self.st.d.next = self.st_upd.val();
            self.cnt.d.next = self.zero6.val();
        } else if self.store.val() {
            self.key.d.next = self.upd_x.val().get_bits::<256>(128);
            self.v.d.next = self.upd_x.val().get_bits::<128>(0);
            self.cnt.d.next = self.zero6.val();
            if self.upd_pre.q.val() {
                // Blocks follow; after PR the additional input is Null for the last Update.
                self.upd_pre.d.next = false;
                self.st.d.next = self.st_gen.val();
                if !self.c_side.val() & !self.out_empty.val() {
                    self.st.d.next = self.st_owait.val();
                }
                if self.op.q.val() == self.op_gen.val() {
                    if self.c_pr.q.val() {
                        self.pd.d.next = self.zero384.val();
                        self.ctr.d.next = self.one32.val();
                    }
                }
            } else {
                self.finish.next = true;
                self.inst.d.next = true;
                self.ctr.d.next = self.one32.val();
                if self.op.q.val() == self.op_gen.val() {
                    self.ctr.d.next = self.ctr.q.val() + self.one32.val();
                }
            }
        } else if self.capture.val() {
            self.cnt.d.next = self.zero6.val();
            self.blocks.d.next = self.blocks.q.val() - self.one8.val();
            if self.c_side.val() {
                self.side_st.next = true;
            } else {
                self.out_q.d.next = self.aes.data_out.val();
                self.out_words.d.next = self.four3.val();
            }
            if self.blocks.q.val() == self.one8.val() {
                self.st.d.next = self.st_upd.val();
            } else if !self.c_side.val() {
                self.st.d.next = self.st_owait.val();
            }
        } else if (self.st.q.val() == self.st_owait.val()) & self.out_empty.val() {
            self.st.d.next = self.st_gen.val();
            self.cnt.d.next = self.zero6.val();
        }
        if self.finish.val() {
            self.st.d.next = self.st_idle.val();
            self.done.d.next = true;
            self.res_op.d.next = self.op.q.val();
            // Nothing of the command stays behind: the provided data (seed XOR input, or the
            // input), the Update's blocks (the new Key) and the AES core (its result is the new
            // V, its key registers the old Key).
            self.addl.d.next = self.zero384.val();
            self.pd.d.next = self.zero384.val();
            self.tmp_a.d.next = self.zero128.val();
            self.tmp_b.d.next = self.zero128.val();
            self.aes.clear.next = true;
        }

        // Escalation or a fault: abandon, wipe the state and every output, refuse commands.
        if self.kill.val() {
            self.aes.clear.next = true;
            self.aes.key_load.next = false;
            self.aes.start.next = false;
            self.st.d.next = self.st_idle.val();
            self.dead.d.next = true;
            self.done.d.next = false;
            self.inst.d.next = false;
            self.key.d.next = self.zero256.val();
            self.v.d.next = self.zero128.val();
            self.ctr.d.next = self.zero32.val();
            self.pd.d.next = self.zero384.val();
            self.tmp_a.d.next = self.zero128.val();
            self.tmp_b.d.next = self.zero128.val();
            self.addl.d.next = self.zero384.val();
            self.out_q.d.next = self.zero128.val();
            self.out_words.d.next = self.zero3.val();
        }

        // ---- The sideload ports: the running GENERATE's block goes to the port its DEST names
        // (block 1 while two remain); a consumer's clear loses to a store, a wipe wins.
        self.key_port.clear.next = self.key_clear.val();
        self.mask_port.clear.next = self.mask_clear.val();
        self.scalar_port.clear.next = self.scalar_clear.val();
        self.key_port.store.next = self.side_st.val() & (self.c_dest.q.val() == self.dest_key.val());
        self.mask_port.store.next = self.side_st.val() & (self.c_dest.q.val() == self.dest_mask.val());
        self.scalar_port.store.next = self.side_st.val() & (self.c_dest.q.val() == self.dest_scalar.val());
        self.key_port.wipe.next = self.uninst.val() | self.kill.val();
        self.mask_port.wipe.next = self.uninst.val() | self.kill.val();
        self.scalar_port.wipe.next = self.uninst.val() | self.kill.val();
        self.key_port.first.next = self.blocks.q.val() == self.two8.val();
        self.mask_port.first.next = self.blocks.q.val() == self.two8.val();
        self.scalar_port.first.next = self.blocks.q.val() == self.two8.val();
        self.key_port.block.next = self.aes.data_out.val();
        self.mask_port.block.next = self.aes.data_out.val();
        self.scalar_port.block.next = self.aes.data_out.val();

        // ---- Error log.
        self.log.access.next = self.complete.val();
        self.log.err.next = self.err_code.val().get_bits::<4>(0);
        self.log.clear.next = self.ok_write.val() & self.front.is_err_info.val();

        // ---- Read data.
        self.rswap.a.next = self.out_q.q.val().get_bits::<32>(96);
        self.out_words32.a.next = self.out_words.q.val();
        self.res_e.a.next = self.res_err.q.val();
        self.res_o.a.next = self.res_op.q.val();
        self.rdata.next = self.zero32.val();
        if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_status.val() {
            self.rdata.next = self.out_words32.y.val() << self.four10.val();
            if self.busy.val() {
                self.rdata.next = self.rdata.val() | self.b_busy.val();
            }
            if self.done.q.val() {
                self.rdata.next = self.rdata.val() | self.b_done.val();
            }
            if self.inst.q.val() {
                self.rdata.next = self.rdata.val() | self.b_inst.val();
            }
            if self.key_port.valid.val() {
                self.rdata.next = self.rdata.val() | self.b_key_valid.val();
            }
            if self.mask_port.valid.val() {
                self.rdata.next = self.rdata.val() | self.b_mask_valid.val();
            }
            if self.scalar_port.valid.val() {
                self.rdata.next = self.rdata.val() | self.b_scalar_valid.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
            if self.dead.q.val() {
                self.rdata.next = self.rdata.val() | self.b_dead.val();
            }
        } else if self.front.is_result.val() {
            self.rdata.next = self.res_e.y.val() | (self.res_o.y.val() << self.eight10.val());
        } else if self.front.is_reseed_limit.val() {
            self.rdata.next = self.limit_v.val();
        } else if self.front.is_reseed_count.val() {
            self.rdata.next = self.ctr.q.val();
        } else if self.front.is_out.val() {
            self.rdata.next = self.rswap.y.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }

        self.key_out.next = self.key_port.value.val();
        self.key_valid.next = self.key_port.valid.val();
        self.mask_out.next = self.mask_port.value.val();
        self.mask_valid.next = self.mask_port.valid.val();
        self.scalar_out.next = self.scalar_port.value.val();
        self.scalar_valid.next = self.scalar_port.valid.val();
        self.intr_done.next = self.done.q.val();

        // The check bits to store: those of the next state, with every update above applied.
        self.code_d.s.next = self.st.d.val();
        self.st_chk.d.next = self.code_d.code.val();
    }
}
