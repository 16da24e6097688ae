//! IO firewall top (`pluton_firewall`): forwards owner transfers to 8 APB peripherals, denies and logs the rest.

use super::regs;
use crate::common::prims::{ApbSetupCheck, LaneGate8, RDff, ZeroExt};
use rust_hdl::prelude::*;


crate::hdl_block! {
    Firewall
    apb(16)
    ports {
        // Downstream responses: peripheral k at bits [32k+31:32k] / bit k.
        m_prdata: Signal<In, Bits<256>>,
        m_pready: Signal<In, Bits<8>>,
        m_pslverr: Signal<In, Bits<8>>,
        /// Escalation: the subsystem's fatal alert. Refuse everything but config reads until reset.
        esc: Signal<In, bool>,
        // Downstream APB4 requesters, one per window (window k in lane k, packed like m_prdata):
        // a window's lane is all zero unless m_psel[k], so no window sees another's traffic.
        m_psel: Signal<Out, Bits<8>>,
        m_penable: Signal<Out, Bits<8>>,
        m_pwrite: Signal<Out, Bits<8>>,
        m_paddr: Signal<Out, Bits<96>>,
        m_pwdata: Signal<Out, Bits<256>>,
        m_pstrb: Signal<Out, Bits<32>>,
        m_pmaster: Signal<Out, Bits<32>>,
        /// Bit k: OWNER[k] changed at the last edge (a flop), so window k's block drops results.
        owner_chg: Signal<Out, Bits<8>>,
        intr_viol: Signal<Out, bool>,
        /// LOCK.LOCKED and not in the safe state: the configuration is final (the system top
        /// releases the application core on it).
        locked_o: Signal<Out, bool>,
        /// The configuration failed its integrity check (README "Countermeasures"); sticky.
        alert_fatal: Signal<Out, bool>,
        /// 1 in the cycle after each edge at which a denied transfer completed.
        alert_recov: Signal<Out, bool>,
    }
    consts {
        // Constants, sized so that every comparison has equal widths.
        cfg_win: 4 = regs::CFG_WINDOW as u64,
        block_id: 32 = regs::BLOCK_ID as u64,
        k_none: 4 = regs::CAUSE_NONE as u64,
        k_not_owner: 4 = regs::CAUSE_NOT_OWNER as u64,
        k_rule: 4 = regs::CAUSE_RULE as u64,
        k_cfg_master: 4 = regs::CAUSE_CFG_MASTER as u64,
        k_cfg_locked: 4 = regs::CAUSE_CFG_LOCKED as u64,
        k_unmapped: 4 = regs::CAUSE_UNMAPPED as u64,
        k_strb: 4 = regs::CAUSE_STRB as u64,
        k_access: 4 = regs::CAUSE_ACCESS as u64,
        k_protocol: 4 = regs::CAUSE_PROTOCOL as u64,
        k_fatal: 4 = regs::CAUSE_FATAL as u64,
        lock_code: 2 = 3,
        zero2: 2 = 0,
        master_sec: 4 = regs::MASTER_SEC as u64,
        zero4: 4 = 0,
        zero8: 8 = 0,
        one8: 8 = 1,
        zero16: 16 = 0,
        zero32: 32 = 0,
        one32: 32 = 1,
        ones32: 32 = 0xffff_ffff,
        bit0: 32 = 1 << 0,
        bit1: 32 = 1 << 1,
        bit2: 32 = 1 << 2,
        bit3: 32 = 1 << 3,
        bit8: 32 = regs::WIN_CFG_NO_READ.mask() as u64,
        bit9: 32 = regs::WIN_CFG_NO_WRITE.mask() as u64,
    }
    fields {
        /// Config-page decode and access flags, generated from the register map.
        front: super::front::RegFront,
        /// The APB protocol check of the config page (the firewall's own completer, which never
        /// waits: rule 1 alone).
        guard: ApbSetupCheck,
        // Window configuration (the formal proofs bind to these flops; keep the names).
        win_owner: [RDff<Bits<4>>; 8],
        /// Bit k: window k denies reads.
        win_no_read: RDff<Bits<8>>,
        /// Bit k: window k denies writes.
        win_no_write: RDff<Bits<8>>,
        locked: RDff<bool>,
        /// With `locked`, a 3-bit code at Hamming distance 3: 000 unlocked, 111 locked.
        lock_chk: RDff<Bits<2>>,
        /// Bit k: parity of window k's OWNER, NO_READ and NO_WRITE, written with them.
        cfg_par: RDff<Bits<8>>,
        /// A failed integrity check, kept until reset.
        fatal_q: RDff<bool>,
        recov_q: RDff<bool>,
        owner_chg_q: RDff<Bits<8>>,
        // Window k's lane of each downstream field.
        lane_paddr: LaneGate8<12, 96>,
        lane_pwdata: LaneGate8<32, 256>,
        lane_pstrb: LaneGate8<4, 32>,
        lane_pmaster: LaneGate8<4, 32>,
        // Violation log: the first violation since the last clear, and a count of all of them.
        viol_valid: RDff<bool>,
        viol_write: RDff<bool>,
        viol_cause: RDff<Bits<4>>,
        viol_master: RDff<Bits<4>>,
        viol_addr: RDff<Bits<16>>,
        viol_count: RDff<Bits<32>>,
        ze_cause: ZeroExt<4, 32>,
        /// Bit i set, for building a bit vector in a loop.
        b8: [Constant<Bits<8>>; 8] = std::array::from_fn(|i| crate::common::block::c(1 << i)),
        ze_master: ZeroExt<4, 32>,
        ze_addr: ZeroExt<16, 32>,
        // Decode of the current request (combinational, whatever psel/penable are).
        /// One-hot peripheral window, paddr[14:12].
        win_oh: Signal<Local, Bits<8>>,
        is_per: Signal<Local, bool>,
        is_cfg: Signal<Local, bool>,
        owner_sel: Signal<Local, Bits<4>>,
        rule_hit: Signal<Local, bool>,
        /// OWNER of the WIN_CFG entry addressed on the config page.
        cfg_owner: Signal<Local, Bits<4>>,
        off: Signal<Local, Bits<12>>,
        /// One-hot WIN_CFG index, off[4:2].
        cfg_oh: Signal<Local, Bits<8>>,
        /// Violation cause of the request (CAUSE_*); 0 when allowed.
        cause: Signal<Local, Bits<4>>,
        fwd: Signal<Local, bool>,
        den: Signal<Local, bool>,
        cfg_write: Signal<Local, bool>,
        cfg_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
        /// Parity of the WIN_CFG fields a write would store.
        wpar: Signal<Local, bool>,
        /// Parity of each window's stored configuration, now.
        par_now: Signal<Local, Bits<8>>,
        /// The configuration or the lock is not a valid code this cycle.
        integ_bad: Signal<Local, bool>,
        /// Refuse everything but config reads: escalation or a fault of our own.
        dead: Signal<Local, bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Firewall;
    reset [owner_chg_q, guard, recov_q]
    hold [win_no_read, win_no_write, locked, lock_chk, cfg_par, fatal_q, viol_valid, viol_write, viol_cause, viol_master,
        viol_addr, viol_count]
    pass { front: [psel, penable, pwrite, pstrb], guard: [psel, penable] }
    fn update(&mut self) {
        // Flop arrays: clock, reset, hold (`hdl_logic!` wires the single flops).
        for i in 0..8 {
            self.win_owner[i].clock.next = self.clock.val();
            self.win_owner[i].rst_n.next = self.rst_n.val();
            self.win_owner[i].d.next = self.win_owner[i].q.val();
        }

        // ---- Decode. paddr[15:12]: 0..7 peripheral window, 8 config page, 9..15 unmapped.
        self.is_per.next = !self.paddr.val().get_bit(15);
        self.is_cfg.next = self.paddr.val().get_bits::<4>(12) == self.cfg_win.val();
        self.win_oh.next = self.one8.val() << self.paddr.val().get_bits::<3>(12);
        self.owner_sel.next = self.zero4.val();
        for i in 0..8 {
            if self.win_oh.val().get_bit(i) {
                self.owner_sel.next = self.win_owner[i].q.val();
            }
        }
        self.rule_hit.next = (self.win_no_read.q.val() & self.win_oh.val()).any();
        if self.pwrite.val() {
            self.rule_hit.next = (self.win_no_write.q.val() & self.win_oh.val()).any();
        }
        self.off.next = self.paddr.val().get_bits::<12>(0);
        self.cfg_oh.next = self.one8.val() << self.off.val().get_bits::<3>(2);
        self.front.paddr.next = self.paddr.val().get_bits::<12>(0);

        // ---- Integrity (README "Countermeasures"): each window's configuration against its
        // parity bit, and the lock against its code. A failure refuses at once, in this cycle.
        self.par_now.next = self.zero8.val();
        for i in 0..8 {
            if self.win_owner[i].q.val().xor()
                ^ self.win_no_read.q.val().get_bit(i)
                ^ self.win_no_write.q.val().get_bit(i)
            {
                self.par_now.next = self.par_now.val() | self.b8[i].val();
            }
        }
        self.integ_bad.next = (self.par_now.val() != self.cfg_par.q.val())
            | (self.locked.q.val() & (self.lock_chk.q.val() != self.lock_code.val()))
            | (!self.locked.q.val() & (self.lock_chk.q.val() != self.zero2.val()));
        self.fatal_q.d.next = self.fatal_q.q.val() | self.integ_bad.val();
        self.alert_fatal.next = self.fatal_q.q.val() | self.integ_bad.val();
        self.dead.next = self.esc.val() | self.fatal_q.q.val() | self.integ_bad.val();
        self.wpar.next = self.pwdata.val().get_bits::<4>(0).xor() ^ self.pwdata.val().get_bit(8) ^ self.pwdata.val().get_bit(9);

        // ---- Violation cause, in the README's check order (the first match wins).
        self.cause.next = self.k_none.val();
        if self.is_per.val() {
            if self.dead.val() {
                self.cause.next = self.k_fatal.val();
            } else if self.pmaster.val() != self.owner_sel.val() {
                self.cause.next = self.k_not_owner.val();
            } else if self.rule_hit.val() {
                self.cause.next = self.k_rule.val();
            }
        } else if self.is_cfg.val() {
            if self.pmaster.val() != self.master_sec.val() {
                self.cause.next = self.k_cfg_master.val();
            } else if self.guard.bare.val() {
                // The page never waits, so only an access with no setup phase can break the
                // protocol here (an abandoned transfer to a peripheral is not the page's business).
                self.cause.next = self.k_protocol.val();
            } else if !self.front.mapped.val() {
                self.cause.next = self.k_unmapped.val();
            } else if self.pwrite.val() & self.front.ro.val() {
                self.cause.next = self.k_access.val();
            } else if self.front.strb_part.val() {
                self.cause.next = self.k_strb.val();
            } else if self.pwrite.val() & self.dead.val() {
                self.cause.next = self.k_fatal.val();
            } else if self.pwrite.val() & self.locked.q.val() & (self.front.is_win_cfg.val() | self.front.is_lock.val()) {
                self.cause.next = self.k_cfg_locked.val();
            }
        } else {
            self.cause.next = self.k_unmapped.val();
        }
        self.fwd.next = self.psel.val() & self.is_per.val() & (self.cause.val() == self.k_none.val());
        self.den.next = self.psel.val() & (self.cause.val() != self.k_none.val());
        self.cfg_write.next = self.psel.val() & self.is_cfg.val() & (self.cause.val() == self.k_none.val()) & self.pwrite.val();
        self.cfg_read.next = self.psel.val() & self.is_cfg.val() & (self.cause.val() == self.k_none.val()) & !self.pwrite.val();

        // ---- Downstream: each window's lane is zero unless the transfer is forwarded to it, so
        // no peripheral sees denied traffic or another window's.
        self.m_psel.next = self.zero8.val();
        if self.fwd.val() {
            self.m_psel.next = self.win_oh.val();
        }
        self.m_penable.next = self.zero8.val();
        if self.penable.val() {
            self.m_penable.next = self.m_psel.val();
        }
        self.m_pwrite.next = self.zero8.val();
        if self.pwrite.val() {
            self.m_pwrite.next = self.m_psel.val();
        }
        self.lane_paddr.sel.next = self.m_psel.val();
        self.lane_paddr.x.next = self.off.val();
        self.m_paddr.next = self.lane_paddr.y.val();
        self.lane_pwdata.sel.next = self.m_psel.val();
        self.lane_pwdata.x.next = self.pwdata.val();
        self.m_pwdata.next = self.lane_pwdata.y.val();
        self.lane_pstrb.sel.next = self.m_psel.val();
        self.lane_pstrb.x.next = self.pstrb.val();
        self.m_pstrb.next = self.lane_pstrb.y.val();
        self.lane_pmaster.sel.next = self.m_psel.val();
        self.lane_pmaster.x.next = self.pmaster.val();
        self.m_pmaster.next = self.lane_pmaster.y.val();

        // ---- Config page read data.
        self.cfg_owner.next = self.zero4.val();
        for i in 0..8 {
            if self.cfg_oh.val().get_bit(i) {
                self.cfg_owner.next = self.win_owner[i].q.val();
            }
        }
        self.ze_cause.a.next = self.viol_cause.q.val();
        self.ze_master.a.next = self.viol_master.q.val();
        self.ze_addr.a.next = self.viol_addr.q.val();
        self.rdata.next = self.zero32.val();
        if self.front.is_win_cfg.val() {
            // Bit by bit: a zero-extender here would form a combinational loop for Verilator.
            if self.cfg_owner.val().get_bit(0) {
                self.rdata.next = self.rdata.val() | self.bit0.val();
            }
            if self.cfg_owner.val().get_bit(1) {
                self.rdata.next = self.rdata.val() | self.bit1.val();
            }
            if self.cfg_owner.val().get_bit(2) {
                self.rdata.next = self.rdata.val() | self.bit2.val();
            }
            if self.cfg_owner.val().get_bit(3) {
                self.rdata.next = self.rdata.val() | self.bit3.val();
            }
            if (self.win_no_read.q.val() & self.cfg_oh.val()).any() {
                self.rdata.next = self.rdata.val() | self.bit8.val();
            }
            if (self.win_no_write.q.val() & self.cfg_oh.val()).any() {
                self.rdata.next = self.rdata.val() | self.bit9.val();
            }
        } else if self.front.is_lock.val() {
            if self.locked.q.val() {
                self.rdata.next = self.bit0.val();
            }
        } else if self.front.is_viol_info.val() {
            self.rdata.next = (self.ze_cause.y.val() << 4) | (self.ze_master.y.val() << 8);
            if self.viol_valid.q.val() {
                self.rdata.next = self.rdata.val() | self.bit0.val();
            }
            if self.viol_write.q.val() {
                self.rdata.next = self.rdata.val() | self.bit1.val();
            }
        } else if self.front.is_viol_addr.val() {
            self.rdata.next = self.ze_addr.y.val();
        } else if self.front.is_viol_count.val() {
            self.rdata.next = self.viol_count.q.val();
        } else if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_alert.val() & self.dead.val() {
            self.rdata.next = self.bit0.val();
        }

        // ---- Upstream response: the peripheral's when forwarded, else at once (error if denied).
        self.prdata.next = self.zero32.val();
        self.pready.next = true;
        self.pslverr.next = self.den.val();
        if self.fwd.val() {
            for i in 0..8 {
                if self.win_oh.val().get_bit(i) {
                    self.prdata.next = self.m_prdata.val().get_bits::<32>(32 * i);
                }
            }
            self.pready.next = (self.m_pready.val() & self.win_oh.val()).any();
            self.pslverr.next = (self.m_pslverr.val() & self.win_oh.val()).any();
        } else if self.cfg_read.val() {
            self.prdata.next = self.rdata.val();
        }
        // The protocol check follows wait states through the upstream pready (forwarded
        // transfers wait on their peripheral, which makes its own check).
        self.guard.pready.next = self.pready.val();
        self.intr_viol.next = self.viol_valid.q.val();
        // In the safe state the system must not release the application core.
        self.locked_o.next = self.locked.q.val() & !self.dead.val();
        self.owner_chg.next = self.owner_chg_q.q.val();
        self.owner_chg_q.d.next = self.zero8.val();

        // ---- Completing edge of a denied transfer (never waits): log the first, count all.
        self.recov_q.d.next = self.front.access.val() & self.den.val();
        self.alert_recov.next = self.recov_q.q.val();
        if self.front.access.val() & self.den.val() {
            if !self.viol_valid.q.val() {
                self.viol_valid.d.next = true;
                self.viol_write.d.next = self.pwrite.val();
                self.viol_cause.d.next = self.cause.val();
                self.viol_master.d.next = self.pmaster.val();
                self.viol_addr.d.next = self.paddr.val();
            }
            if self.viol_count.q.val() != self.ones32.val() {
                self.viol_count.d.next = self.viol_count.q.val() + self.one32.val();
            }
        }

        // ---- Completing edge of an allowed config write (config accesses never wait).
        if self.front.access.val() & self.cfg_write.val() {
            if self.front.is_win_cfg.val() {
                for i in 0..8 {
                    if self.cfg_oh.val().get_bit(i) {
                        self.win_owner[i].d.next = self.pwdata.val().get_bits::<4>(0);
                        self.cfg_par.d.next = self.cfg_par.q.val() & !self.cfg_oh.val();
                        if self.wpar.val() {
                            self.cfg_par.d.next = self.cfg_par.q.val() | self.cfg_oh.val();
                        }
                        if self.pwdata.val().get_bits::<4>(0) != self.win_owner[i].q.val() {
                            self.owner_chg_q.d.next = self.cfg_oh.val();
                        }
                    }
                }
                self.win_no_read.d.next = self.win_no_read.q.val() & !self.cfg_oh.val();
                if self.pwdata.val().get_bit(8) {
                    self.win_no_read.d.next = self.win_no_read.q.val() | self.cfg_oh.val();
                }
                self.win_no_write.d.next = self.win_no_write.q.val() & !self.cfg_oh.val();
                if self.pwdata.val().get_bit(9) {
                    self.win_no_write.d.next = self.win_no_write.q.val() | self.cfg_oh.val();
                }
            }
            if self.front.is_lock.val() & self.pwdata.val().get_bit(0) {
                self.locked.d.next = true;
                self.lock_chk.d.next = self.lock_code.val();
            }
            if self.front.is_viol_info.val() {
                self.viol_valid.d.next = false;
                self.viol_write.d.next = false;
                self.viol_cause.d.next = self.k_none.val();
                self.viol_master.d.next = self.zero4.val();
                self.viol_addr.d.next = self.zero16.val();
                self.viol_count.d.next = self.zero32.val();
            }
        }
    }
}
