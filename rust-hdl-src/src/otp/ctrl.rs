//! OTP controller top (`pluton_otp`): APB4 completer, init scan, shadows, key port and commands.
//!
//! The behaviour and every cycle count are fixed in README.md; the reference model implements
//! the same page. The SECDED decoder and encoder are inline (see ecc.rs for the masks).

use super::ecc;
use super::fuse_macro::OtpMacro;
use super::fusemap as fm;
use super::regs;
use crate::common::prims::{CheckCode3, ErrLog, RDff, ZeroExt};
use rust_hdl::prelude::*;

use crate::common::block::c;

crate::hdl_block! {
    OtpCtrl
    apb(12)
    ports {
        tst_en: Signal<In, bool>,
        tst_we: Signal<In, bool>,
        tst_addr: Signal<In, Bits<6>>,
        tst_wdata: Signal<In, Bits<40>>,
        key_out: Signal<Out, Bits<256>>,
        key_valid: Signal<Out, bool>,
        lc_state: Signal<Out, Bits<3>>,
        debug_en: Signal<Out, bool>,
        svn: Signal<Out, Bits<5>>,
        fatal: Signal<Out, bool>,
        tst_busy: Signal<Out, bool>,
        /// Escalation: the subsystem's fatal alert. Drop the key, close the tester port, and
        /// show life cycle INVALID with debug off on the pins.
        esc: Signal<In, bool>,
        /// Bit i: parity of key word `key_out[32i+31:32i]`, kept in flops beside the key since
        /// the word was read, so the consumer can check the key path.
        key_par: Signal<Out, Bits<8>>,
        /// The service state failed its check (README "Escalation"); sticky until reset.
        alert_fatal: Signal<Out, bool>,
        /// 1 in the cycle after each edge at which a single-bit error was corrected.
        alert_recov: Signal<Out, bool>,
    }
    consts {
        w_owner: 6 = fm::OWNER.first as u64,
        w_svn: 6 = fm::SVN.first as u64,
        w_lc: 6 = fm::LIFECYCLE.first as u64,
        w_lc_sec: 6 = fm::LC_SECURED as u64,
        w_lc_rma: 6 = fm::LC_RMA as u64,
        w_lc_res: 6 = fm::LC_RESERVED as u64,
        w_config: 6 = fm::CONFIG.first as u64,
        w_tst_dis: 6 = fm::TST_DISABLE as u64,
        w_resv: 6 = fm::RESERVED_FIRST as u64,
        w_key_end: 6 = (fm::DEVICE_ROOT_KEY + fm::KEY_WORDS - 1) as u64,
        w_seed: 6 = fm::ATTESTATION_SEED as u64,
        w_seed_end: 6 = (fm::ATTESTATION_SEED + fm::KEY_WORDS - 1) as u64,
        w_zero: 6 = 0,
        w_last: 6 = (fm::RESERVED_FIRST - 1) as u64,
        lock_magic: 32 = fm::LOCK_MAGIC as u64,
        ones32: 32 = fm::SVN_WORD as u64,
        zero32: 32 = 0,
        zero40: 40 = 0,
        done40: 40 = ecc::DONE,
        zero256: 256 = 0,
        zero8: 8 = 0,
        b8_7: 8 = 0x80,

        zero2: 2 = 0,
        one2: 2 = 1,
        two2: 2 = 2,
        three2: 2 = 3,
        zero26: 26 = 0,
        syn_max: 6 = 38,
        zero4: 4 = 0,
        zero5: 5 = 0,
        one5: 5 = 1,
        svn_safe: 32 = fm::SVN_MAX as u64,
        zero6: 6 = 0,
        one6: 6 = 1,
        zero16: 16 = 0,
        one16: 16 = 1,
        max16: 16 = regs::ECC_COUNT_MAX as u64,
        lc_blank: 32 = fm::LC_STATE_BLANK as u64,
        lc_dev_v: 32 = fm::LC_STATE_DEV as u64,
        lc_sec_v: 32 = fm::LC_STATE_SECURED as u64,
        lc_rma_v: 32 = fm::LC_STATE_RMA as u64,
        lc_inv_v: 32 = fm::LC_STATE_INVALID as u64,
        cmd_prog_v: 32 = regs::OP_PROGRAM as u64,
        cmd_lc_v: 32 = regs::OP_LC_TRANSITION as u64,
        cmd_lc_mask: 32 = !regs::CMD_LC_TARGET.mask() as u64,
        cmd_kl0_v: 32 = regs::OP_KEY_LOAD as u64,
        cmd_kl1_v: 32 = (regs::OP_KEY_LOAD | regs::CMD_KEY_SLOT.mask()) as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_unmapped: 32 = regs::ERR_UNMAPPED as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_master: 32 = regs::ERR_MASTER as u64,
        e_protocol: 32 = regs::ERR_PROTOCOL as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_locked: 32 = regs::ERR_LOCKED as u64,
        e_access: 32 = regs::ERR_ACCESS as u64,
        e_one_to_zero: 32 = regs::ERR_ONE_TO_ZERO as u64,
        e_lc: 32 = regs::ERR_LC as u64,
        e_rdlocked: 32 = regs::ERR_RDLOCKED as u64,
        e_ecc: 32 = regs::ERR_ECC as u64,
        e_fatal: 32 = regs::ERR_FATAL as u64,
        block_id: 32 = regs::BLOCK_ID as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        /// The fuse array and its program engine.
        mac: OtpMacro,
        ze_edata: ZeroExt<32, 40>,
        ze_key: ZeroExt<32, 256>,
        ze_svn6: ZeroExt<5, 6>,
        ze_daddr: ZeroExt<6, 32>,
        ze_cnt: ZeroExt<5, 32>,
        ze_locks: ZeroExt<5, 32>,
        ze_fatal: ZeroExt<5, 32>,
        ze_ecc: ZeroExt<16, 32>,
        // Service state.
        /// Init scan done and tester port idle (STATUS.READY).
        ready: RDff<bool>,
        scanning: RDff<bool>,
        kl_busy: RDff<bool>,
        /// With `ready`, `scanning` and `kl_busy`, a 6-bit service code at Hamming distance 3 or
        /// more: out of service 000/000, scanning 010/011, ready 100/101, key load 101/110.
        svc_chk: RDff<Bits<3>>,
        /// A failed check, kept until reset.
        fatal_q: RDff<bool>,
        /// The service state's check code (scanning 011, ready 101, key load 110): expected, and
        /// to store.
        svc_want: CheckCode3,
        svc_next: CheckCode3,
        // The reader: one RAM read per edge from `rd_ptr` to `rd_end`; the word read at one edge is
        // taken in (index `rd_widx`) at the next.
        rd_run: RDff<bool>,
        rd_vld: RDff<bool>,
        rd_ptr: RDff<Bits<6>>,
        rd_end: RDff<Bits<6>>,
        rd_widx: RDff<Bits<6>>,
        /// Wait cycles already spent by the current APB transfer.
        wcnt: RDff<Bits<2>>,
        /// FUSE read data: loaded only for non-secret words, zero outside a FUSE read's last cycle.
        win_data: RDff<Bits<32>>,
        win_bad: RDff<bool>,
        win_corr: RDff<bool>,
        dai_addr: RDff<Bits<6>>,
        dai_wdata: RDff<Bits<32>>,
        // Shadows built by the init scan.
        locks: RDff<Bits<5>>,
        fatal_p: RDff<Bits<5>>,
        lc_dev: RDff<bool>,
        lc_sec: RDff<bool>,
        lc_rma: RDff<bool>,
        lc_bad: RDff<bool>,
        svn_cnt: RDff<Bits<5>>,
        svn_gap: RDff<bool>,
        ecc_cnt: RDff<Bits<16>>,
        interrupted: RDff<bool>,
        cfg: [RDff<Bits<32>>; 4],
        /// Key register: a shift register, each word taken in enters at the top.
        key: RDff<Bits<256>>,
        /// Bit i: parity of key word i, shifted in with it.
        key_par_r: RDff<Bits<8>>,
        recov_q: RDff<bool>,
        key_loaded: RDff<bool>,
        kl_bad: RDff<bool>,
        key_slot: RDff<bool>,
        // Tester-port gate (README "Tester port").
        /// The last scan allows the port (BLANK or RMA, TST_DISABLE blank); 0 from scan start.
        tst_ok: RDff<bool>,
        /// The scan found word TST_DISABLE non-blank.
        tst_dis: RDff<bool>,
        /// STATUS.TST_REFUSED: tst_en seen while in service and not allowed; sticky until reset.
        tst_refused: RDff<bool>,
        // Constants.
        ecc_mask: [Constant<Bits<32>>; 6] = std::array::from_fn(|k| c(ecc::CHECK_MASK[k] as u64)),
        ecc_pos: [Constant<Bits<6>>; 32] = std::array::from_fn(|j| c(ecc::DATA_POS[j] as u64)),
        w_lock: [Constant<Bits<6>>; 5] = std::array::from_fn(|p| c(fm::PARTITIONS[p].lock_word as u64)),
        w_lc_word: [Constant<Bits<6>>; 4] = [
                c(fm::LC_DEV as u64 - 1),
                c(fm::LC_DEV as u64),
                c(fm::LC_SECURED as u64),
                c(fm::LC_RMA as u64),
            ],
        magic: [Constant<Bits<32>>; 4] = [
                c(0),
                c(fm::LC_DEV_MAGIC as u64),
                c(fm::LC_SECURED_MAGIC as u64),
                c(fm::LC_RMA_MAGIC as u64),
            ],
        magic40: [Constant<Bits<40>>; 4] = [
                c(0),
                c(fm::LC_DEV_MAGIC as u64),
                c(fm::LC_SECURED_MAGIC as u64),
                c(fm::LC_RMA_MAGIC as u64),
            ],
        part: [Constant<Bits<5>>; 5] = std::array::from_fn(|p| c(1 << p)),
        b32: [Constant<Bits<32>>; 32] = std::array::from_fn(|i| c(1 << i)),
        b6: [Constant<Bits<6>>; 6] = std::array::from_fn(|i| c(1 << i)),
        /// Raw bit 32+k: check bit c[k].
        chk40: [Constant<Bits<40>>; 7] = std::array::from_fn(|k| c(1 << (32 + k))),
        // APB decode.
        win_w: Signal<Local, Bits<6>>,
        cmd_prog: Signal<Local, bool>,
        cmd_lc: Signal<Local, bool>,
        cmd_kl: Signal<Local, bool>,
        lc_t: Signal<Local, Bits<2>>,
        // Word classes of the target of a command and of a FUSE read.
        cmd_addr: Signal<Local, Bits<6>>,
        c_svnw: Signal<Local, bool>,
        c_lcw: Signal<Local, bool>,
        c_lockw: Signal<Local, bool>,
        c_resv: Signal<Local, bool>,
        c_secret: Signal<Local, bool>,
        c_part: Signal<Local, Bits<5>>,
        w_part: Signal<Local, Bits<5>>,
        a_part: Signal<Local, Bits<5>>,
        // The word on the RAM's read port, decoded.
        raw: Signal<Local, Bits<40>>,
        d_data: Signal<Local, Bits<32>>,
        d_chk: Signal<Local, Bits<6>>,
        syn: Signal<Local, Bits<6>>,
        d_par: Signal<Local, bool>,
        d_blank: Signal<Local, bool>,
        d_intr: Signal<Local, bool>,
        d_sbig: Signal<Local, bool>,
        d_corr: Signal<Local, bool>,
        d_bad: Signal<Local, bool>,
        d_flip: Signal<Local, Bits<32>>,
        d_val: Signal<Local, Bits<32>>,
        d_ones: Signal<Local, bool>,
        // The raw word a command would program.
        e_data: Signal<Local, Bits<32>>,
        e_raw: Signal<Local, Bits<40>>,
        one_to_zero: Signal<Local, bool>,
        // Shadow-derived state.
        lc_invalid: Signal<Local, bool>,
        fatal_v: Signal<Local, Bits<5>>,
        fatal32: Signal<Local, Bits<32>>,
        lc_v: Signal<Local, Bits<32>>,
        lc_next_ok: Signal<Local, bool>,
        busy: Signal<Local, bool>,
        avail: Signal<Local, bool>,
        kv: Signal<Local, bool>,
        svn_v: Signal<Local, Bits<32>>,
        lc_o: Signal<Local, Bits<32>>,
        dbg: Signal<Local, bool>,
        // Checks and effects.
        err: Signal<Local, Bits<32>>,
        need_wait: Signal<Local, bool>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        prog_go: Signal<Local, bool>,
        lc_go: Signal<Local, bool>,
        kl_go: Signal<Local, bool>,
        tst_go: Signal<Local, bool>,
        /// `tst_en` honoured (README "OPEN"): only when the last scan allowed the port.
        open: Signal<Local, bool>,
        /// This scan's verdict on the port, valid at its last edge.
        scan_ok: Signal<Local, bool>,
        start_scan: Signal<Local, bool>,
        lock_add: Signal<Local, Bits<5>>,
        fatal_add: Signal<Local, Bits<5>>,
        ecc_inc: Signal<Local, bool>,
        /// Parity of the key word entering now.
        word_par: Signal<Local, Bits<8>>,
        svc_bad: Signal<Local, bool>,
        /// `esc`, or this block's own alarm: act as under escalation.
        esc_i: Signal<Local, bool>,
        key_in: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    OtpCtrl;
    reset [front, mac, log, rd_vld, rd_widx, wcnt, win_data, win_bad, win_corr, locks, fatal_p, recov_q]
    hold [ready, scanning, kl_busy, rd_run, rd_ptr, rd_end, dai_addr, dai_wdata, lc_dev,
        lc_sec, lc_rma, lc_bad, svn_cnt, svn_gap, ecc_cnt, interrupted, key, key_par_r, key_loaded, kl_bad, svc_chk, fatal_q,
        key_slot, tst_ok, tst_dis, tst_refused]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        // ---- Integrity (README "Escalation"): the service flags against their check code. A
        // failure acts as escalation here at once, and raises alert_fatal until reset.
        self.svc_want.s110.next = self.ready.q.val() & self.kl_busy.q.val();
        self.svc_want.s101.next = self.ready.q.val();
        self.svc_want.s011.next = self.scanning.q.val();
        self.svc_bad.next = (self.svc_chk.q.val() != self.svc_want.code.val())
            | (self.ready.q.val() & self.scanning.q.val())
            | (self.kl_busy.q.val() & !self.ready.q.val());
        self.fatal_q.d.next = self.fatal_q.q.val() | self.svc_bad.val();
        self.alert_fatal.next = self.fatal_q.q.val() | self.svc_bad.val();
        self.esc_i.next = self.esc.val() | self.fatal_q.q.val() | self.svc_bad.val();

        // Defaults other than hold.
        self.rd_vld.d.next = self.rd_run.q.val();
        self.rd_widx.d.next = self.rd_ptr.q.val();
        self.win_data.d.next = self.zero32.val();
        self.win_bad.d.next = false;
        self.win_corr.d.next = false;
        for i in 0..4 {
            self.cfg[i].clock.next = self.clock.val();
            self.cfg[i].rst_n.next = self.rst_n.val();
            self.cfg[i].d.next = self.cfg[i].q.val();
        }

        // ---- Address decode (the front end, fed from the ports by `pass`, decodes the map).
        self.win_w.next = self.paddr.val().get_bits::<6>(2);
        self.cmd_prog.next = self.pwdata.val() == self.cmd_prog_v.val();
        self.cmd_lc.next = (self.pwdata.val() & self.cmd_lc_mask.val()) == self.cmd_lc_v.val();
        self.cmd_kl.next = (self.pwdata.val() == self.cmd_kl0_v.val()) | (self.pwdata.val() == self.cmd_kl1_v.val());
        self.lc_t.next = self.pwdata.val().get_bits::<2>(8);

        // ---- Shadow-derived state (README "Outputs").
        self.lc_invalid.next = self.lc_bad.q.val()
            | (!self.lc_dev.q.val() & (self.lc_sec.q.val() | self.lc_rma.q.val()))
            | (!self.lc_sec.q.val() & self.lc_rma.q.val());
        self.ze_fatal.a.next = self.fatal_p.q.val();
        self.fatal32.next = self.ze_fatal.y.val();
        if self.lc_invalid.val() {
            self.fatal32.next = self.ze_fatal.y.val() | self.b32[3].val();
        }
        self.fatal_v.next = self.fatal32.val().get_bits::<5>(0);
        self.lc_v.next = self.lc_blank.val();
        if self.fatal_v.val().get_bit(3) {
            self.lc_v.next = self.lc_inv_v.val();
        } else if self.lc_rma.q.val() {
            self.lc_v.next = self.lc_rma_v.val();
        } else if self.lc_sec.q.val() {
            self.lc_v.next = self.lc_sec_v.val();
        } else if self.lc_dev.q.val() {
            self.lc_v.next = self.lc_dev_v.val();
        }
        self.lc_o.next = self.lc_inv_v.val();
        if self.ready.q.val() {
            self.lc_o.next = self.lc_v.val();
        }
        self.dbg.next = self.ready.q.val()
            & ((self.lc_v.val() == self.lc_blank.val())
                | (self.lc_v.val() == self.lc_dev_v.val())
                | (self.lc_v.val() == self.lc_rma_v.val()));
        self.ze_cnt.a.next = self.svn_cnt.q.val();
        self.svn_v.next = self.svn_safe.val();
        if self.ready.q.val() & !self.fatal_v.val().get_bit(2) {
            self.svn_v.next = self.ze_cnt.y.val();
        }
        self.kv.next = self.ready.q.val()
            & self.key_loaded.q.val()
            & self.locks.q.val().get_bit(0)
            & !self.fatal_v.val().get_bit(0)
            & ((self.lc_v.val() == self.lc_dev_v.val()) | (self.lc_v.val() == self.lc_sec_v.val()))
            & !self.esc_i.val();
        self.busy.next = self.mac.busy.val() | self.kl_busy.q.val();
        // A refused tst_en must change nothing, so everything below looks at `open`, never tst_en.
        self.open.next = self.tst_en.val() & self.tst_ok.q.val() & !self.esc_i.val();
        self.avail.next = self.ready.q.val() & !self.open.val() & !self.busy.val();
        self.scan_ok.next = ((self.lc_v.val() == self.lc_blank.val()) | (self.lc_v.val() == self.lc_rma_v.val()))
            & !self.tst_dis.q.val();
        self.lc_next_ok.next = ((self.lc_v.val() == self.lc_blank.val()) & (self.lc_t.val() == self.one2.val()))
            | ((self.lc_v.val() == self.lc_dev_v.val()) & (self.lc_t.val() == self.two2.val()))
            | ((self.lc_v.val() == self.lc_sec_v.val()) & (self.lc_t.val() == self.three2.val()));

        // ---- Target word of a command: DAI_ADDR, or the LC word of the target state.
        self.cmd_addr.next = self.dai_addr.q.val();
        self.e_data.next = self.dai_wdata.q.val();
        if self.cmd_lc.val() {
            match self.lc_t.val().index() {
                0 => {
                    self.cmd_addr.next = self.w_lc_word[0].val();
                    self.e_data.next = self.magic[0].val();
                }
                1 => {
                    self.cmd_addr.next = self.w_lc_word[1].val();
                    self.e_data.next = self.magic[1].val();
                }
                2 => {
                    self.cmd_addr.next = self.w_lc_word[2].val();
                    self.e_data.next = self.magic[2].val();
                }
                _ => {
                    self.cmd_addr.next = self.w_lc_word[3].val();
                    self.e_data.next = self.magic[3].val();
                }
            }
        }
        self.c_secret.next = self.cmd_addr.val() < self.w_owner.val();
        self.c_svnw.next = (self.cmd_addr.val() >= self.w_svn.val()) & (self.cmd_addr.val() < self.w_lc.val());
        self.c_lcw.next = (self.cmd_addr.val() >= self.w_lc.val()) & (self.cmd_addr.val() < self.w_config.val());
        self.c_lockw.next = (self.cmd_addr.val() >= self.w_lock[0].val()) & (self.cmd_addr.val() < self.w_resv.val());
        self.c_resv.next = self.cmd_addr.val() >= self.w_resv.val();
        // Partition (one-hot) of the command's word, the FUSE read's word and the word taken in.
        self.c_part.next = self.zero5.val();
        if self.c_secret.val() | (self.cmd_addr.val() == self.w_lock[0].val()) {
            self.c_part.next = self.part[0].val();
        }
        if ((self.cmd_addr.val() >= self.w_owner.val()) & (self.cmd_addr.val() < self.w_svn.val()))
            | (self.cmd_addr.val() == self.w_lock[1].val())
        {
            self.c_part.next = self.part[1].val();
        }
        if self.c_svnw.val() | (self.cmd_addr.val() == self.w_lock[2].val()) {
            self.c_part.next = self.part[2].val();
        }
        if self.c_lcw.val() | (self.cmd_addr.val() == self.w_lock[3].val()) {
            self.c_part.next = self.part[3].val();
        }
        if ((self.cmd_addr.val() >= self.w_config.val()) & (self.cmd_addr.val() < self.w_lock[0].val()))
            | (self.cmd_addr.val() == self.w_lock[4].val())
        {
            self.c_part.next = self.part[4].val();
        }
        self.w_part.next = self.zero5.val();
        if (self.win_w.val() < self.w_owner.val()) | (self.win_w.val() == self.w_lock[0].val()) {
            self.w_part.next = self.part[0].val();
        }
        if ((self.win_w.val() >= self.w_owner.val()) & (self.win_w.val() < self.w_svn.val())) | (self.win_w.val() == self.w_lock[1].val()) {
            self.w_part.next = self.part[1].val();
        }
        if ((self.win_w.val() >= self.w_svn.val()) & (self.win_w.val() < self.w_lc.val())) | (self.win_w.val() == self.w_lock[2].val()) {
            self.w_part.next = self.part[2].val();
        }
        if ((self.win_w.val() >= self.w_lc.val()) & (self.win_w.val() < self.w_config.val())) | (self.win_w.val() == self.w_lock[3].val()) {
            self.w_part.next = self.part[3].val();
        }
        if ((self.win_w.val() >= self.w_config.val()) & (self.win_w.val() < self.w_lock[0].val()))
            | (self.win_w.val() == self.w_lock[4].val())
        {
            self.w_part.next = self.part[4].val();
        }
        self.a_part.next = self.zero5.val();
        if (self.rd_widx.q.val() < self.w_owner.val()) | (self.rd_widx.q.val() == self.w_lock[0].val()) {
            self.a_part.next = self.part[0].val();
        }
        if ((self.rd_widx.q.val() >= self.w_owner.val()) & (self.rd_widx.q.val() < self.w_svn.val()))
            | (self.rd_widx.q.val() == self.w_lock[1].val())
        {
            self.a_part.next = self.part[1].val();
        }
        if ((self.rd_widx.q.val() >= self.w_svn.val()) & (self.rd_widx.q.val() < self.w_lc.val()))
            | (self.rd_widx.q.val() == self.w_lock[2].val())
        {
            self.a_part.next = self.part[2].val();
        }
        if ((self.rd_widx.q.val() >= self.w_lc.val()) & (self.rd_widx.q.val() < self.w_config.val()))
            | (self.rd_widx.q.val() == self.w_lock[3].val())
        {
            self.a_part.next = self.part[3].val();
        }
        if ((self.rd_widx.q.val() >= self.w_config.val()) & (self.rd_widx.q.val() < self.w_lock[0].val()))
            | (self.rd_widx.q.val() == self.w_lock[4].val())
        {
            self.a_part.next = self.part[4].val();
        }

        // ---- RAM read port: the reader, else the FUSE word, else the command's word.
        self.mac.rd_addr.next = self.cmd_addr.val();
        if self.rd_run.q.val() {
            self.mac.rd_addr.next = self.rd_ptr.q.val();
        } else if self.front.is_fuse.val() {
            self.mac.rd_addr.next = self.win_w.val();
        }

        // ---- SECDED decode of the word on the read port (README "Words, decode and classes").
        self.raw.next = self.mac.rdata.val();
        self.d_data.next = self.raw.val().get_bits::<32>(0);
        self.d_chk.next = self.raw.val().get_bits::<6>(32);
        self.syn.next = self.zero6.val();
        for k in 0..6 {
            if (self.d_data.val() & self.ecc_mask[k].val()).xor() ^ self.d_chk.val().get_bit(k) {
                self.syn.next = self.syn.val() | self.b6[k].val();
            }
        }
        self.d_par.next = self.raw.val().get_bits::<39>(0).xor();
        self.d_blank.next = self.raw.val() == self.zero40.val();
        self.d_intr.next = !self.raw.val().get_bit(39) & !self.d_blank.val();
        self.d_sbig.next = self.syn.val() > self.syn_max.val();
        self.d_corr.next = self.raw.val().get_bit(39) & self.d_par.val() & !self.d_sbig.val();
        self.d_bad.next = self.d_intr.val()
            | (self.raw.val().get_bit(39)
                & ((self.d_par.val() & self.d_sbig.val()) | (!self.d_par.val() & (self.syn.val() != self.zero6.val()))));
        self.d_flip.next = self.zero32.val();
        for j in 0..32 {
            if self.d_par.val() & (self.syn.val() == self.ecc_pos[j].val()) {
                self.d_flip.next = self.d_flip.val() | self.b32[j].val();
            }
        }
        self.d_val.next = self.d_data.val() ^ self.d_flip.val();
        if self.d_bad.val() {
            self.d_val.next = self.zero32.val();
        }
        self.d_ones.next = !self.d_bad.val() & (self.d_val.val() == self.ones32.val());

        // ---- SECDED encode of the word a command programs, and the one-to-zero check.
        // Built in 40 bits (no concatenation in RustHDL): data, then each check bit, then DONE.
        self.ze_edata.a.next = self.dai_wdata.q.val();
        self.e_raw.next = self.ze_edata.y.val() | self.done40.val();
        if self.cmd_lc.val() {
            match self.lc_t.val().index() {
                0 => self.e_raw.next = self.magic40[0].val() | self.done40.val(),
                1 => self.e_raw.next = self.magic40[1].val() | self.done40.val(),
                2 => self.e_raw.next = self.magic40[2].val() | self.done40.val(),
                _ => self.e_raw.next = self.magic40[3].val() | self.done40.val(),
            }
        }
        for k in 0..6 {
            if (self.e_data.val() & self.ecc_mask[k].val()).xor() {
                self.e_raw.next = self.e_raw.val() | self.chk40[k].val();
            }
        }
        // c6: parity of the data and c[5:0] = parity of the 38 bits built so far.
        if self.e_raw.val().get_bits::<38>(0).xor() {
            self.e_raw.next = self.e_raw.val() | self.chk40[6].val();
        }
        self.one_to_zero.next = (self.raw.val() & !self.e_raw.val()) != self.zero40.val();

        // ---- Access checks, in the documented order; evaluated in every access cycle.
        self.ze_svn6.a.next = self.svn_cnt.q.val();
        // Any master but the security core is refused first, even at an unmapped address.
        self.err.next = self.front.err.val();
        if self.front.err.val() == self.e_protocol.val() {
            // An APB protocol violation comes first: the transfer is not what it claims to be.
        } else if self.pmaster.val() != self.zero4.val() {
            self.err.next = self.e_master.val();
        } else if self.front.err.val() != self.e_none.val() {
            // Unmapped or misaligned, or WO/RO.
        } else if self.front.strb_part.val() {
            self.err.next = self.e_strb.val();
        } else if self.pwrite.val() & self.front.is_cmd.val() {
            if !(self.cmd_prog.val() | self.cmd_lc.val() | self.cmd_kl.val()) {
                self.err.next = self.e_value.val();
            } else if !self.avail.val() {
                self.err.next = self.e_busy.val();
            } else if self.cmd_prog.val() {
                if self.c_resv.val() {
                    self.err.next = self.e_unmapped.val();
                } else if self.c_lcw.val() {
                    self.err.next = self.e_access.val();
                } else if (self.c_part.val() & self.locks.q.val()) != self.zero5.val() {
                    self.err.next = self.e_locked.val();
                } else if (self.c_svnw.val()
                    & ((self.dai_wdata.q.val() != self.ones32.val()) | (self.cmd_addr.val() != self.w_svn.val() + self.ze_svn6.y.val())))
                    | (self.c_lockw.val() & (self.dai_wdata.q.val() != self.lock_magic.val()))
                {
                    // SVN words: all ones, and only the next one; LOCK words: LOCK_MAGIC.
                    self.err.next = self.e_value.val();
                } else if (self.wcnt.q.val() == self.one2.val()) & self.one_to_zero.val() {
                    self.err.next = self.e_one_to_zero.val();
                }
            } else if self.cmd_lc.val() {
                if !self.lc_next_ok.val() {
                    self.err.next = self.e_lc.val();
                } else if self.locks.q.val().get_bit(3) {
                    self.err.next = self.e_locked.val();
                } else if (self.wcnt.q.val() == self.one2.val()) & self.one_to_zero.val() {
                    self.err.next = self.e_one_to_zero.val();
                }
            }
        } else if self.pwrite.val() & self.front.is_dai_addr.val() & (self.pwdata.val().get_bits::<26>(6) != self.zero26.val()) {
            self.err.next = self.e_value.val();
        } else if !self.pwrite.val() & self.front.is_fuse.val() {
            if self.win_w.val() < self.w_owner.val() {
                self.err.next = self.e_rdlocked.val();
            } else if !self.avail.val() {
                self.err.next = self.e_busy.val();
            } else if (self.wcnt.q.val() == self.two2.val()) & self.win_bad.q.val() {
                self.err.next = self.e_ecc.val();
            } else if (self.wcnt.q.val() == self.two2.val()) & ((self.w_part.val() & self.fatal_v.val()) != self.zero5.val()) {
                self.err.next = self.e_fatal.val();
            }
        }
        // Wait states: FUSE reads 2, PROGRAM / LC_TRANSITION 1; an erroring transfer never waits.
        self.need_wait.next = self.front.access.val()
            & (self.err.val() == self.e_none.val())
            & ((!self.pwrite.val() & self.front.is_fuse.val() & (self.wcnt.q.val() != self.two2.val()))
                | (self.pwrite.val()
                    & self.front.is_cmd.val()
                    & (self.cmd_prog.val() | self.cmd_lc.val())
                    & (self.wcnt.q.val() != self.one2.val())));
        self.pready.next = !self.need_wait.val();
        // The protocol check follows this block's wait states.
        self.front.pready.next = self.pready.val();
        self.pslverr.next = self.front.access.val() & (self.err.val() != self.e_none.val());
        self.wcnt.d.next = self.zero2.val();
        if self.need_wait.val() {
            self.wcnt.d.next = self.wcnt.q.val() + self.one2.val();
        }
        self.ok_write.next = self.front.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val()) & !self.need_wait.val();
        self.ok_read.next = self.front.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val()) & !self.need_wait.val();

        // ---- FUSE read: the decoded word is registered in the 2nd access cycle, never a secret.
        if self.front.access.val()
            & !self.pwrite.val()
            & self.front.is_fuse.val()
            & (self.err.val() == self.e_none.val())
            & (self.wcnt.q.val() == self.one2.val())
            & (self.win_w.val() >= self.w_owner.val())
        {
            self.win_data.d.next = self.d_val.val();
            self.win_bad.d.next = self.d_bad.val();
            self.win_corr.d.next = self.d_corr.val();
        }

        // ---- Register writes and commands (error-free, completing transfers only).
        self.prog_go.next = self.ok_write.val() & self.front.is_cmd.val() & self.cmd_prog.val();
        self.lc_go.next = self.ok_write.val() & self.front.is_cmd.val() & self.cmd_lc.val();
        self.kl_go.next = self.ok_write.val() & self.front.is_cmd.val() & self.cmd_kl.val();
        self.tst_go.next = self.open.val() & self.tst_we.val() & !self.mac.busy.val();
        self.mac.start.next = self.prog_go.val() | self.lc_go.val() | self.tst_go.val();
        self.mac.prog_addr.next = self.cmd_addr.val();
        self.mac.prog_raw.next = self.e_raw.val();
        if self.open.val() {
            self.mac.prog_addr.next = self.tst_addr.val();
            self.mac.prog_raw.next = self.tst_wdata.val();
        }
        self.lock_add.next = self.zero5.val();
        if self.ok_write.val() {
            if self.front.is_dai_addr.val() {
                self.dai_addr.d.next = self.pwdata.val().get_bits::<6>(0);
            }
            if self.front.is_dai_wdata.val() {
                self.dai_wdata.d.next = self.pwdata.val();
            }
        }
        if self.prog_go.val() {
            self.dai_wdata.d.next = self.zero32.val();
            if self.c_lockw.val() {
                self.lock_add.next = self.c_part.val();
            }
            if self.c_svnw.val() {
                self.svn_cnt.d.next = self.svn_cnt.q.val() + self.one5.val();
            }
            if self.c_secret.val() {
                self.key_loaded.d.next = false;
            }
            // TST_DISABLE from software closes the port at once, not only at the next scan.
            if self.cmd_addr.val() == self.w_tst_dis.val() {
                self.tst_ok.d.next = false;
            }
        }
        if self.kl_go.val() {
            self.kl_busy.d.next = true;
            self.kl_bad.d.next = false;
            self.key_loaded.d.next = false;
            self.key_slot.d.next = self.pwdata.val().get_bit(4);
            self.rd_run.d.next = true;
            self.rd_ptr.d.next = self.w_zero.val();
            self.rd_end.d.next = self.w_key_end.val();
            if self.pwdata.val().get_bit(4) {
                self.rd_ptr.d.next = self.w_seed.val();
                self.rd_end.d.next = self.w_seed_end.val();
            }
        }

        // ---- The reader: one word per edge, taken in one edge later.
        if self.rd_run.q.val() {
            self.rd_ptr.d.next = self.rd_ptr.q.val() + self.one6.val();
            if self.rd_ptr.q.val() == self.rd_end.q.val() {
                self.rd_run.d.next = false;
            }
        }
        self.fatal_add.next = self.zero5.val();
        self.ecc_inc.next = self.ok_read.val() & self.front.is_fuse.val() & self.win_corr.q.val();
        self.key_in.next = false;
        if self.rd_vld.q.val() {
            self.ecc_inc.next = self.d_corr.val();
            if self.kl_busy.q.val() {
                self.key_in.next = true;
                if self.d_bad.val() {
                    self.kl_bad.d.next = true;
                }
                if self.rd_widx.q.val() == self.rd_end.q.val() {
                    self.kl_busy.d.next = false;
                    self.key_loaded.d.next = !(self.kl_bad.q.val() | self.d_bad.val());
                }
            }
            if self.scanning.q.val() {
                self.key_in.next = self.rd_widx.q.val() <= self.w_key_end.val();
                if self.d_bad.val() {
                    self.fatal_add.next = self.a_part.val();
                }
                if self.d_intr.val() {
                    self.interrupted.d.next = true;
                }
                // SVN thermometer: count leading ONES words; anything else after a gap is FATAL.
                if (self.rd_widx.q.val() >= self.w_svn.val()) & (self.rd_widx.q.val() < self.w_lc.val()) {
                    if self.d_ones.val() {
                        if self.svn_gap.q.val() {
                            self.fatal_add.next = self.part[2].val();
                        } else {
                            self.svn_cnt.d.next = self.svn_cnt.q.val() + self.one5.val();
                        }
                    } else {
                        self.svn_gap.d.next = true;
                        if !self.d_blank.val() {
                            self.fatal_add.next = self.part[2].val();
                        }
                    }
                }
                // Life cycle words: magic, blank, or anything else (invalid).
                if self.rd_widx.q.val() == self.w_lc.val() {
                    if !self.d_bad.val() & (self.d_val.val() == self.magic[1].val()) {
                        self.lc_dev.d.next = true;
                    } else if !self.d_blank.val() {
                        self.lc_bad.d.next = true;
                    }
                }
                if self.rd_widx.q.val() == self.w_lc_sec.val() {
                    if !self.d_bad.val() & (self.d_val.val() == self.magic[2].val()) {
                        self.lc_sec.d.next = true;
                    } else if !self.d_blank.val() {
                        self.lc_bad.d.next = true;
                    }
                }
                if self.rd_widx.q.val() == self.w_lc_rma.val() {
                    if !self.d_bad.val() & (self.d_val.val() == self.magic[3].val()) {
                        self.lc_rma.d.next = true;
                    } else if !self.d_blank.val() {
                        self.lc_bad.d.next = true;
                    }
                }
                if (self.rd_widx.q.val() == self.w_lc_res.val()) & !self.d_blank.val() {
                    self.lc_bad.d.next = true;
                }
                if (self.rd_widx.q.val() >= self.w_config.val()) & (self.rd_widx.q.val() < self.w_lock[0].val()) {
                    match self.rd_widx.q.val().get_bits::<2>(0).index() {
                        0 => self.cfg[0].d.next = self.d_val.val(),
                        1 => self.cfg[1].d.next = self.d_val.val(),
                        2 => self.cfg[2].d.next = self.d_val.val(),
                        _ => self.cfg[3].d.next = self.d_val.val(),
                    }
                }
                if (self.rd_widx.q.val() >= self.w_lock[0].val()) & !self.d_blank.val() {
                    self.lock_add.next = self.a_part.val();
                }
                // Any raw bit closes the port: a cut or corrupted program of it fails closed.
                if (self.rd_widx.q.val() == self.w_tst_dis.val()) & !self.d_blank.val() {
                    self.tst_dis.d.next = true;
                }
                if self.rd_widx.q.val() == self.w_last.val() {
                    self.scanning.d.next = false;
                    // With tst_en already high on an allowed part, go straight to the tester:
                    // READY never reads 1 for a cycle that software could mistake for service.
                    self.ready.d.next = !(self.tst_en.val() & self.scan_ok.val() & !self.esc_i.val());
                    self.tst_ok.d.next = self.scan_ok.val();
                    self.key_loaded.d.next = true;
                }
            }
        }
        // Key words enter at the top of the shift register: after 8, word j is key_out[32j+31:32j].
        self.ze_key.a.next = self.d_val.val();
        self.word_par.next = self.zero8.val();
        if self.d_val.val().xor() {
            self.word_par.next = self.b8_7.val();
        }
        if self.key_in.val() {
            self.key.d.next = (self.key.q.val() >> 32) | (self.ze_key.y.val() << 224);
            self.key_par_r.d.next = (self.key_par_r.q.val() >> 1) | self.word_par.val();
        }
        self.locks.d.next = self.locks.q.val() | self.lock_add.val();
        self.fatal_p.d.next = self.fatal_p.q.val() | self.fatal_add.val();
        if self.ecc_inc.val() & (self.ecc_cnt.q.val() != self.max16.val()) {
            self.ecc_cnt.d.next = self.ecc_cnt.q.val() + self.one16.val();
        }

        // ---- Init scan start: out of service, tester port not open, engine idle. After reset
        // tst_ok is 0, so the scan always comes first, whatever tst_en is.
        self.start_scan.next = !self.ready.q.val() & !self.scanning.q.val() & !self.open.val() & !self.mac.busy.val();
        if self.start_scan.val() {
            self.scanning.d.next = true;
            self.rd_run.d.next = true;
            self.rd_vld.d.next = false;
            self.rd_ptr.d.next = self.w_zero.val();
            self.rd_end.d.next = self.w_last.val();
            self.locks.d.next = self.zero5.val();
            self.fatal_p.d.next = self.zero5.val();
            self.lc_dev.d.next = false;
            self.lc_sec.d.next = false;
            self.lc_rma.d.next = false;
            self.lc_bad.d.next = false;
            self.svn_cnt.d.next = self.zero5.val();
            self.svn_gap.d.next = false;
            self.ecc_cnt.d.next = self.zero16.val();
            self.interrupted.d.next = false;
            self.key_loaded.d.next = false;
            self.key_slot.d.next = false;
            self.tst_ok.d.next = false;
            self.tst_dis.d.next = false;
        }

        // ---- Tester port: when open, takes the controller out of service; when refused, only
        // leaves a trace for software.
        if self.tst_en.val() & self.ready.q.val() & !(self.tst_ok.q.val() & !self.esc_i.val()) {
            self.tst_refused.d.next = true;
        }
        // Escalation: the key goes, and the port stays shut until reset.
        if self.esc_i.val() {
            self.key.d.next = self.zero256.val();
            self.key_par_r.d.next = self.zero8.val();
            self.key_loaded.d.next = false;
            self.tst_ok.d.next = false;
        }
        self.recov_q.d.next = self.ecc_inc.val();
        self.alert_recov.next = self.recov_q.q.val();

        if self.open.val() {
            self.ready.d.next = false;
            self.scanning.d.next = false;
            self.kl_busy.d.next = false;
            self.rd_run.d.next = false;
            self.rd_vld.d.next = false;
        }

        // ---- Error log (ERR_INFO): the first refusal kept, OVERFLOW after it; a write clears it.
        self.log.access.next = self.front.access.val();
        self.log.err.next = self.err.val().get_bits::<4>(0);
        self.log.clear.next = self.ok_write.val() & self.front.is_err_info.val();

        // ---- Read data. Secrets have no path here: win_data never holds a word below 0x10.
        self.ze_daddr.a.next = self.dai_addr.q.val();
        self.ze_locks.a.next = self.locks.q.val();
        self.ze_ecc.a.next = self.ecc_cnt.q.val();
        self.rdata.next = self.zero32.val();
        if self.front.is_status.val() {
            if self.ready.q.val() {
                self.rdata.next = self.b32[0].val();
            }
            if self.busy.val() {
                self.rdata.next = self.rdata.val() | self.b32[1].val();
            }
            if self.ready.q.val() & (self.fatal_v.val() != self.zero5.val()) {
                self.rdata.next = self.rdata.val() | self.b32[2].val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b32[3].val();
            }
            if self.ready.q.val() & self.interrupted.q.val() {
                self.rdata.next = self.rdata.val() | self.b32[4].val();
            }
            if self.kv.val() {
                self.rdata.next = self.rdata.val() | self.b32[5].val();
            }
            if self.ready.q.val() & self.key_slot.q.val() {
                self.rdata.next = self.rdata.val() | self.b32[6].val();
            }
            if self.ready.q.val() & self.tst_ok.q.val() {
                self.rdata.next = self.rdata.val() | self.b32[7].val();
            }
            if self.tst_refused.q.val() {
                self.rdata.next = self.rdata.val() | self.b32[8].val();
            }
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_dai_addr.val() {
            self.rdata.next = self.ze_daddr.y.val();
        } else if self.front.is_lc_state.val() {
            self.rdata.next = self.lc_o.val();
            if self.dbg.val() {
                self.rdata.next = self.lc_o.val() | self.b32[4].val();
            }
        } else if self.front.is_svn.val() {
            self.rdata.next = self.svn_v.val();
            if self.ready.q.val() {
                self.rdata.next = self.svn_v.val() | (self.ze_cnt.y.val() << 8);
            }
        } else if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_fuse.val() {
            self.rdata.next = self.win_data.q.val();
        } else if self.ready.q.val() {
            if self.front.is_locks.val() {
                self.rdata.next = self.ze_locks.y.val();
            } else if self.front.is_fatal_parts.val() {
                self.rdata.next = self.fatal32.val();
            } else if self.front.is_ecc_corrected.val() {
                self.rdata.next = self.ze_ecc.y.val();
            } else if self.front.is_config.val() & !self.fatal_v.val().get_bit(4) {
                match self.paddr.val().get_bits::<2>(2).index() {
                    0 => self.rdata.next = self.cfg[0].q.val(),
                    1 => self.rdata.next = self.cfg[1].q.val(),
                    2 => self.rdata.next = self.cfg[2].q.val(),
                    _ => self.rdata.next = self.cfg[3].q.val(),
                }
            }
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }

        // ---- Outputs.
        self.key_valid.next = self.kv.val();
        self.key_out.next = self.zero256.val();
        self.key_par.next = self.zero8.val();
        if self.kv.val() {
            self.key_out.next = self.key.q.val();
            self.key_par.next = self.key_par_r.q.val();
        }
        self.lc_state.next = self.lc_o.val().get_bits::<3>(0);
        self.debug_en.next = self.dbg.val() & !self.esc_i.val();
        if self.esc_i.val() {
            self.lc_state.next = self.lc_inv_v.val().get_bits::<3>(0);
        }
        self.svn.next = self.svn_v.val().get_bits::<5>(0);
        self.fatal.next = self.ready.q.val() & (self.fatal_v.val() != self.zero5.val());
        self.tst_busy.next = self.mac.busy.val();

        // The check code that goes with the next service flags (all updates above applied).
        self.svc_next.s110.next = self.ready.d.val() & self.kl_busy.d.val();
        self.svc_next.s101.next = self.ready.d.val();
        self.svc_next.s011.next = self.scanning.d.val();
        self.svc_chk.d.next = self.svc_next.code.val();
    }
}
