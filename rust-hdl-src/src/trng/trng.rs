//! TRNG top (`pluton_trng`): APB4 front, the OFF/STARTUP/RUN/HALT state, health tests, RAW_DATA and the conditioner.

use super::cond::Conditioner;
use super::health::HealthTests;
use super::regs;
use crate::common::prims::{ErrLog, RDff, StateCode3, ZeroExt};
use rust_hdl::prelude::*;

/// States (README "States"), stored with 3 check bits (`StateCode3`).
const ST_OFF: u64 = 0;
const ST_STARTUP: u64 = 1;
const ST_RUN: u64 = 2;
const ST_HALT: u64 = 3;

crate::hdl_block! {
    /// The TRNG; see the README for the contract.
    Trng
    apb(12)
    ports {
        noise_bit: Signal<In, bool>,
        noise_valid: Signal<In, bool>,
        /// The life cycle allows RAW_MODE and RAW_DATA.
        raw_en: Signal<In, bool>,
        /// Escalation: wipe and stay off until reset.
        esc: Signal<In, bool>,
        seed_ready: Signal<In, bool>,
        seed: Signal<Out, Bits<384>>,
        seed_valid: Signal<Out, bool>,
        /// Level: an alarm is latched.
        intr_alarm: Signal<Out, bool>,
        /// One cycle after the edge at which a health test failed.
        alert_recov: Signal<Out, bool>,
        /// The state or the core's state failed its check; sticky until reset.
        alert_fatal: Signal<Out, bool>,
    }
    consts {
        st_off: 3 = ST_OFF,
        st_startup: 3 = ST_STARTUP,
        st_run: 3 = ST_RUN,
        st_halt: 3 = ST_HALT,
        zero5: 5 = 0,
        one5: 5 = 1,
        last5: 5 = 31,
        zero30: 30 = 0,
        zero32: 32 = 0,
        one32: 32 = 1,
        top32: 32 = 0x8000_0000,
        block_id: 32 = regs::BLOCK_ID as u64,
        rct_cutoff: 32 = regs::RCT_CUTOFF_VALUE as u64,
        apt_cutoff: 32 = (regs::APT_CUTOFF_VALUE | regs::APT_WINDOW << 16) as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_empty: 32 = regs::ERR_EMPTY as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_lc: 32 = regs::ERR_LC as u64,
        e_fatal: 32 = regs::ERR_FATAL as u64,
        b_enabled: 32 = regs::STATUS_ENABLED.mask() as u64,
        b_startup: 32 = regs::STATUS_STARTUP.mask() as u64,
        b_ready: 32 = regs::STATUS_READY.mask() as u64,
        b_alarm_rct: 32 = regs::STATUS_ALARM_RCT.mask() as u64,
        b_alarm_apt: 32 = regs::STATUS_ALARM_APT.mask() as u64,
        b_raw_valid: 32 = regs::STATUS_RAW_VALID.mask() as u64,
        b_raw_ovf: 32 = regs::STATUS_RAW_OVF.mask() as u64,
        b_seed_valid: 32 = regs::STATUS_SEED_VALID.mask() as u64,
        b_err: 32 = regs::STATUS_ERR.mask() as u64,
        b_dead: 32 = regs::STATUS_DEAD.mask() as u64,
        b_raw_mode: 32 = regs::CTRL_RAW_MODE.mask() as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        health: HealthTests,
        cond: Conditioner,
        rct_max32: ZeroExt<6, 32>,
        apt_max32: ZeroExt<11, 32>,
        // ---- State, and its check bits (the code of the state they were stored with).
        st: RDff<Bits<3>>,
        st_chk: RDff<Bits<3>>,
        code_q: StateCode3,
        code_d: StateCode3,
        /// An integrity check failed (sticky: alert_fatal).
        fatal_q: RDff<bool>,
        dead: RDff<bool>,
        alarm_rct: RDff<bool>,
        alarm_apt: RDff<bool>,
        /// A test failed at the last edge (alert_recov).
        alarm_pulse: RDff<bool>,
        ctrl_raw: RDff<bool>,
        // ---- RAW_DATA: the word being assembled (the newest bit enters at 31), its bit count,
        // and the word waiting for a read.
        raw_sh: RDff<Bits<32>>,
        raw_n: RDff<Bits<5>>,
        raw_word: RDff<Bits<32>>,
        raw_valid: RDff<bool>,
        raw_ovf: RDff<bool>,
        seeds: RDff<Bits<32>>,
        // ---- Decisions of this cycle.
        st_bad: Signal<Local, bool>,
        kill: Signal<Local, bool>,
        enabled: Signal<Local, bool>,
        testing: Signal<Local, bool>,
        wr_ctrl: Signal<Local, bool>,
        wr_cmd: Signal<Local, bool>,
        enable_ev: Signal<Local, bool>,
        disable_ev: Signal<Local, bool>,
        restart_ev: Signal<Local, bool>,
        sample: Signal<Local, bool>,
        fail: Signal<Local, bool>,
        good: Signal<Local, bool>,
        wipe: Signal<Local, bool>,
        raw_next: Signal<Local, Bits<32>>,
        raw_push: Signal<Local, bool>,
        pop: Signal<Local, bool>,
        // ---- Bus.
        err_code: Signal<Local, Bits<32>>,
        complete: Signal<Local, bool>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Trng;
    reset [front, log, health, cond]
    hold [st, st_chk, fatal_q, dead, alarm_rct, alarm_apt, ctrl_raw, raw_sh, raw_n, raw_word, raw_valid, raw_ovf, seeds]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        self.alarm_pulse.clock.next = self.clock.val();
        self.alarm_pulse.rst_n.next = self.rst_n.val();
        self.code_q.s.next = self.st.q.val();
        self.st_bad.next = self.code_q.code.val() != self.st_chk.q.val();
        self.kill.next = self.esc.val() | self.st_bad.val() | self.cond.fault.val();
        self.fatal_q.d.next = self.fatal_q.q.val() | self.st_bad.val() | self.cond.fault.val();
        self.alert_fatal.next = self.fatal_q.q.val() | self.st_bad.val() | self.cond.fault.val();
        self.enabled.next = self.st.q.val() != self.st_off.val();
        self.testing.next = (self.st.q.val() == self.st_startup.val()) | (self.st.q.val() == self.st_run.val());

        // ---- Bus: the access checks, in the README's order; the first that applies wins.
        self.front.pready.next = true;
        self.pready.next = true;
        self.err_code.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Protocol, unmapped, wrong master, WO/RO.
        } else if self.front.strb_part.val() {
            self.err_code.next = self.e_strb.val();
        } else if self.pwrite.val() & self.front.is_ctrl.val() {
            if self.pwdata.val().get_bits::<30>(2) != self.zero30.val() {
                self.err_code.next = self.e_value.val();
            } else if self.dead.q.val() {
                self.err_code.next = self.e_fatal.val();
            } else if self.enabled.val() & self.pwdata.val().get_bit(0) {
                self.err_code.next = self.e_busy.val();
            } else if self.pwdata.val().get_bit(1) & !self.raw_en.val() {
                self.err_code.next = self.e_lc.val();
            }
        } else if self.pwrite.val() & self.front.is_cmd.val() {
            if self.pwdata.val() != self.one32.val() {
                self.err_code.next = self.e_value.val();
            } else if self.dead.q.val() {
                self.err_code.next = self.e_fatal.val();
            }
        } else if !self.pwrite.val() & self.front.is_raw_data.val() {
            if !self.raw_en.val() {
                self.err_code.next = self.e_lc.val();
            } else if !self.raw_valid.q.val() {
                self.err_code.next = self.e_empty.val();
            }
        }
        self.complete.next = self.front.access.val();
        self.pslverr.next = self.complete.val() & (self.err_code.val() != self.e_none.val());
        self.ok_write.next = self.complete.val() & self.pwrite.val() & (self.err_code.val() == self.e_none.val());
        self.ok_read.next = self.complete.val() & !self.pwrite.val() & (self.err_code.val() == self.e_none.val());
        self.wr_ctrl.next = self.ok_write.val() & self.front.is_ctrl.val();
        self.wr_cmd.next = self.ok_write.val() & self.front.is_cmd.val();

        // ---- Events of this edge. An accepted CTRL write while enabled can only disable.
        // A write at the edge of an escalation or fault takes effect first; the state then goes
        // OFF and DEAD (below).
        self.enable_ev.next = self.wr_ctrl.val() & self.pwdata.val().get_bit(0);
        self.disable_ev.next = self.wr_ctrl.val() & !self.pwdata.val().get_bit(0) & self.enabled.val();
        self.restart_ev.next = self.enable_ev.val() | (self.wr_cmd.val() & self.enabled.val());
        self.sample.next = self.noise_valid.val() & self.testing.val() & !self.wr_ctrl.val() & !self.wr_cmd.val() & !self.kill.val();
        self.health.sample.next = self.sample.val();
        self.health.raw_bit.next = self.noise_bit.val();
        self.health.restart.next = self.restart_ev.val();
        self.health.zero_stats.next = self.enable_ev.val();
        self.fail.next = self.health.rct_fail.val() | self.health.apt_fail.val();
        self.good.next = self.sample.val() & !self.fail.val() & (self.st.q.val() == self.st_run.val());
        self.wipe.next = (self.kill.val() & !self.dead.q.val()) | self.disable_ev.val()
            | (self.wr_cmd.val() & self.enabled.val()) | (self.sample.val() & self.fail.val());

        // ---- State.
        self.alarm_pulse.d.next = self.sample.val() & self.fail.val();
        if self.wr_ctrl.val() {
            self.ctrl_raw.d.next = self.pwdata.val().get_bit(1);
        }
        if self.enable_ev.val() {
            self.st.d.next = self.st_startup.val();
            if self.alarm_rct.q.val() | self.alarm_apt.q.val() {
                self.st.d.next = self.st_halt.val();
            }
            self.raw_ovf.d.next = false;
            self.seeds.d.next = self.zero32.val();
        } else if self.disable_ev.val() {
            self.st.d.next = self.st_off.val();
        } else if self.wr_cmd.val() {
            self.alarm_rct.d.next = false;
            self.alarm_apt.d.next = false;
            if self.enabled.val() {
                self.st.d.next = self.st_startup.val();
            }
        } else if self.sample.val() & self.fail.val() {
            self.st.d.next = self.st_halt.val();
            self.alarm_rct.d.next = self.alarm_rct.q.val() | self.health.rct_fail.val();
            self.alarm_apt.d.next = self.alarm_apt.q.val() | self.health.apt_fail.val();
        } else if self.health.window_end.val() & (self.st.q.val() == self.st_startup.val()) {
            self.st.d.next = self.st_run.val();
        }
        if self.kill.val() {
            self.st.d.next = self.st_off.val();
            self.dead.d.next = true;
        }

        // ---- Where good bits go.
        self.cond.run.next = (self.st.q.val() == self.st_run.val()) & !self.ctrl_raw.q.val();
        self.cond.good.next = self.good.val() & !self.ctrl_raw.q.val();
        self.cond.raw_bit.next = self.noise_bit.val();
        self.cond.wipe.next = self.wipe.val();
        self.cond.seed_ready.next = self.seed_ready.val();
        if self.cond.taken.val() {
            self.seeds.d.next = self.seeds.q.val() + self.one32.val();
        }
        // RAW_DATA: the oldest bit ends in bit 0 after 32 shifts.
        self.raw_next.next = self.raw_sh.q.val() >> self.one5.val();
        if self.noise_bit.val() {
            self.raw_next.next = (self.raw_sh.q.val() >> self.one5.val()) | self.top32.val();
        }
        self.pop.next = self.ok_read.val() & self.front.is_raw_data.val();
        self.raw_push.next = self.good.val() & self.ctrl_raw.q.val() & (self.raw_n.q.val() == self.last5.val());
        if self.pop.val() {
            self.raw_word.d.next = self.zero32.val();
            self.raw_valid.d.next = false;
        }
        if self.good.val() & self.ctrl_raw.q.val() {
            self.raw_sh.d.next = self.raw_next.val();
            self.raw_n.d.next = self.raw_n.q.val() + self.one5.val();
        }
        if self.raw_push.val() {
            if !self.raw_valid.q.val() | self.pop.val() {
                self.raw_word.d.next = self.raw_next.val();
                self.raw_valid.d.next = true;
            } else {
                self.raw_ovf.d.next = true;
            }
        }
        if self.wipe.val() {
            self.raw_sh.d.next = self.zero32.val();
            self.raw_n.d.next = self.zero5.val();
            self.raw_word.d.next = self.zero32.val();
            self.raw_valid.d.next = false;
        }

        // ---- Error log.
        self.log.access.next = self.complete.val();
        self.log.err.next = self.err_code.val().get_bits::<4>(0);
        self.log.clear.next = self.ok_write.val() & self.front.is_err_info.val();

        // ---- Read data: prdata is 0 unless the read passed every check.
        self.rct_max32.a.next = self.health.rct_max.val();
        self.apt_max32.a.next = self.health.apt_max.val();
        self.rdata.next = self.zero32.val();
        if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_status.val() {
            if self.enabled.val() {
                self.rdata.next = self.rdata.val() | self.b_enabled.val();
            }
            if self.st.q.val() == self.st_startup.val() {
                self.rdata.next = self.rdata.val() | self.b_startup.val();
            }
            if self.st.q.val() == self.st_run.val() {
                self.rdata.next = self.rdata.val() | self.b_ready.val();
            }
            if self.alarm_rct.q.val() {
                self.rdata.next = self.rdata.val() | self.b_alarm_rct.val();
            }
            if self.alarm_apt.q.val() {
                self.rdata.next = self.rdata.val() | self.b_alarm_apt.val();
            }
            if self.raw_valid.q.val() {
                self.rdata.next = self.rdata.val() | self.b_raw_valid.val();
            }
            if self.raw_ovf.q.val() {
                self.rdata.next = self.rdata.val() | self.b_raw_ovf.val();
            }
            if self.cond.seed_valid.val() {
                self.rdata.next = self.rdata.val() | self.b_seed_valid.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
            if self.dead.q.val() {
                self.rdata.next = self.rdata.val() | self.b_dead.val();
            }
        } else if self.front.is_ctrl.val() {
            if self.enabled.val() {
                self.rdata.next = self.one32.val();
            }
            if self.ctrl_raw.q.val() {
                self.rdata.next = self.rdata.val() | self.b_raw_mode.val();
            }
        } else if self.front.is_raw_data.val() {
            self.rdata.next = self.raw_word.q.val();
        } else if self.front.is_rct_cutoff.val() {
            self.rdata.next = self.rct_cutoff.val();
        } else if self.front.is_apt_cutoff.val() {
            self.rdata.next = self.apt_cutoff.val();
        } else if self.front.is_rct_max_run.val() {
            self.rdata.next = self.rct_max32.y.val();
        } else if self.front.is_apt_max_count.val() {
            self.rdata.next = self.apt_max32.y.val();
        } else if self.front.is_samples.val() {
            self.rdata.next = self.health.samples.val();
        } else if self.front.is_seeds.val() {
            self.rdata.next = self.seeds.q.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }

        self.seed.next = self.cond.seed.val();
        self.seed_valid.next = self.cond.seed_valid.val();
        self.intr_alarm.next = self.alarm_rct.q.val() | self.alarm_apt.q.val();
        self.alert_recov.next = self.alarm_pulse.q.val();

        // The check bits to store: those of the next state, with every update above applied.
        self.code_d.s.next = self.st.d.val();
        self.st_chk.d.next = self.code_d.code.val();
    }
}
