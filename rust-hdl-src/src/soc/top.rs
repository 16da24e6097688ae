//! Two-core system top (`pluton_soc`): the security core and the application core, each a node with its own ROM, SRAM and UART, sharing the security subsystem and the mailbox through the APB arbiter and the firewall.
//!
//! See README.md for the contract. Per-core ports carry a `sec_` or `app_` prefix; `*_mon_*` and
//! `*_trc_*` mean what `pluton_m0sys`'s `mon_*`/`trc_*` mean.

use super::regs;
use crate::apb_arb::ApbArb;
use crate::common::masters::{MASTER_APP, MASTER_SEC};
use crate::common::prims::{PackBits8, RDff, ZeroExt};
use crate::m0sys::M0Node;
use crate::mailbox::Mailbox;
use crate::security::Security;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// Security core (master 0) and application core (master 1) on the shared security blocks.
    Soc
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// ROM loaders (use while `rst_n` is low): word `*_ld_addr` gets `*_ld_data`.
        sec_ld_we: Signal<In, bool>,
        sec_ld_addr: Signal<In, Bits<14>>,
        sec_ld_data: Signal<In, Bits<32>>,
        app_ld_we: Signal<In, bool>,
        app_ld_addr: Signal<In, Bits<14>>,
        app_ld_data: Signal<In, Bits<32>>,
        /// Debug restart after a halt (BKPT), per core.
        sec_DBGRESTART: Signal<In, bool>,
        app_DBGRESTART: Signal<In, bool>,
        /// Fuse tester port (manufacturing only; tie `tst_en` low in mission mode).
        tst_en: Signal<In, bool>,
        tst_we: Signal<In, bool>,
        tst_addr: Signal<In, Bits<6>>,
        tst_wdata: Signal<In, Bits<40>>,
        // Wi-Fi subsystem.
        wifi_cmd_ready: Signal<In, bool>,
        wifi_evt_valid: Signal<In, bool>,
        wifi_evt_data: Signal<In, Bits<32>>,
        /// The TRNG's noise source (the FPGA shell's ring-oscillator sampler, or a bench model).
        noise_bit: Signal<In, bool>,
        noise_valid: Signal<In, bool>,
        wifi_cmd_valid: Signal<Out, bool>,
        wifi_cmd_op: Signal<Out, Bits<8>>,
        wifi_cmd_arg0: Signal<Out, Bits<32>>,
        wifi_cmd_arg1: Signal<Out, Bits<32>>,
        wifi_cmd_seq: Signal<Out, Bits<8>>,
        wifi_evt_ready: Signal<Out, bool>,
        // Device state from the fuses.
        lc_state: Signal<Out, Bits<3>>,
        svn: Signal<Out, Bits<5>>,
        debug_en: Signal<Out, bool>,
        fatal: Signal<Out, bool>,
        tst_busy: Signal<Out, bool>,
        /// The security subsystem's alerts (README "Countermeasures").
        alert_fatal: Signal<Out, bool>,
        alert_recov: Signal<Out, bool>,
        /// The application core's reset (low until the firewall is locked).
        app_rst_n: Signal<Out, bool>,
        sec_mon_haddr: Signal<Out, Bits<32>>,
        sec_mon_htrans: Signal<Out, Bits<2>>,
        sec_mon_hsize: Signal<Out, Bits<3>>,
        sec_mon_hwrite: Signal<Out, bool>,
        sec_mon_hwdata: Signal<Out, Bits<32>>,
        sec_mon_hrdata: Signal<Out, Bits<32>>,
        sec_mon_hready: Signal<Out, bool>,
        sec_mon_hresp: Signal<Out, bool>,
        sec_mon_hprot: Signal<Out, Bits<4>>,
        sec_mon_hburst: Signal<Out, Bits<3>>,
        sec_mon_irq: Signal<Out, Bits<32>>,
        sec_trc_retire: Signal<Out, bool>,
        sec_trc_exc: Signal<Out, bool>,
        sec_trc_excnum: Signal<Out, Bits<6>>,
        sec_trc_pc: Signal<Out, Bits<32>>,
        sec_trc_rf_we: Signal<Out, bool>,
        sec_trc_rf_idx: Signal<Out, Bits<4>>,
        sec_trc_rf_data: Signal<Out, Bits<32>>,
        sec_trc_apsr: Signal<Out, Bits<4>>,
        sec_trc_ipsr: Signal<Out, Bits<6>>,
        sec_trc_control: Signal<Out, Bits<2>>,
        sec_trc_primask: Signal<Out, bool>,
        sec_uart_tx: Signal<Out, bool>,
        sec_tx_valid: Signal<Out, bool>,
        sec_tx_byte: Signal<Out, Bits<8>>,
        sec_SLEEPING: Signal<Out, bool>,
        sec_SLEEPDEEP: Signal<Out, bool>,
        sec_TXEV: Signal<Out, bool>,
        sec_LOCKUP: Signal<Out, bool>,
        sec_HALTED: Signal<Out, bool>,
        sec_SYSRESETREQ: Signal<Out, bool>,
        app_mon_haddr: Signal<Out, Bits<32>>,
        app_mon_htrans: Signal<Out, Bits<2>>,
        app_mon_hsize: Signal<Out, Bits<3>>,
        app_mon_hwrite: Signal<Out, bool>,
        app_mon_hwdata: Signal<Out, Bits<32>>,
        app_mon_hrdata: Signal<Out, Bits<32>>,
        app_mon_hready: Signal<Out, bool>,
        app_mon_hresp: Signal<Out, bool>,
        app_mon_hprot: Signal<Out, Bits<4>>,
        app_mon_hburst: Signal<Out, Bits<3>>,
        app_mon_irq: Signal<Out, Bits<32>>,
        app_trc_retire: Signal<Out, bool>,
        app_trc_exc: Signal<Out, bool>,
        app_trc_excnum: Signal<Out, Bits<6>>,
        app_trc_pc: Signal<Out, Bits<32>>,
        app_trc_rf_we: Signal<Out, bool>,
        app_trc_rf_idx: Signal<Out, Bits<4>>,
        app_trc_rf_data: Signal<Out, Bits<32>>,
        app_trc_apsr: Signal<Out, Bits<4>>,
        app_trc_ipsr: Signal<Out, Bits<6>>,
        app_trc_control: Signal<Out, Bits<2>>,
        app_trc_primask: Signal<Out, bool>,
        app_uart_tx: Signal<Out, bool>,
        app_tx_valid: Signal<Out, bool>,
        app_tx_byte: Signal<Out, Bits<8>>,
        app_SLEEPING: Signal<Out, bool>,
        app_SLEEPDEEP: Signal<Out, bool>,
        app_TXEV: Signal<Out, bool>,
        app_LOCKUP: Signal<Out, bool>,
        app_HALTED: Signal<Out, bool>,
        app_SYSRESETREQ: Signal<Out, bool>,
    }
    consts {
        master_sec: 4 = MASTER_SEC as u64,
        master_app: 4 = MASTER_APP as u64,
        ext_mbox: 2 = 0b11,
        zero2: 2 = 0,
    }
    fields {
        sec: M0Node<{ regs::SLOT0_BITS }>,
        app: M0Node<{ regs::SLOT0_BITS }>,
        arb: ApbArb,
        security: Security,
        mbox: Mailbox,
        mbox_paddr: Signal<Local, Bits<12>>,
        mbox_word: ZeroExt<32, 64>,
        ext_pready: Signal<Local, Bits<2>>,
        ext_pslverr: Signal<Local, Bits<2>>,
        sec_irq8: PackBits8,
        app_irq8: PackBits8,
        sec_irq: ZeroExt<8, 32>,
        app_irq: ZeroExt<8, 32>,
        // The application core's reset, from its own flop: `fw_locked` is a flop ANDed with the
        // firewall's alarm, which can glitch at a clock edge, and an async reset must not.
        app_run: RDff<bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Soc;
    reset [sec, arb, security, mbox, app_run]
    clock [app]
    fn update(&mut self) {
        // The application core runs only under a locked firewall: it leaves reset the cycle
        // after `fw_locked` rises, and is held there again the cycle after the firewall's alarm.
        // Straight from a flop (reset by `rst_n`), so the reset pin never glitches.
        self.app_run.d.next = self.security.fw_locked.val();
        self.app_rst_n.next = self.app_run.q.val();
        self.app.rst_n.next = self.app_run.q.val();

        // Each node's master ID is fixed here: no software can change it.
        self.sec.hmaster.next = self.master_sec.val();
        self.app.hmaster.next = self.master_app.val();
        self.sec.ld_we.next = self.sec_ld_we.val();
        self.sec.ld_addr.next = self.sec_ld_addr.val();
        self.sec.ld_data.next = self.sec_ld_data.val();
        self.app.ld_we.next = self.app_ld_we.val();
        self.app.ld_addr.next = self.app_ld_addr.val();
        self.app.ld_data.next = self.app_ld_data.val();
        self.sec.NMI.next = false;
        self.app.NMI.next = false;
        self.sec.RXEV.next = false;
        self.app.RXEV.next = false;
        self.sec.DBGRESTART.next = self.sec_DBGRESTART.val();
        self.app.DBGRESTART.next = self.app_DBGRESTART.val();

        // Both nodes' APB ports into the arbiter (s0: security core, s1: application core).
        self.arb.s0_psel.next = self.sec.psel.val();
        self.arb.s0_penable.next = self.sec.penable.val();
        self.arb.s0_pwrite.next = self.sec.pwrite.val();
        self.arb.s0_paddr.next = self.sec.paddr.val();
        self.arb.s0_pwdata.next = self.sec.pwdata.val();
        self.arb.s0_pstrb.next = self.sec.pstrb.val();
        self.arb.s0_pmaster.next = self.sec.pmaster.val();
        self.sec.prdata.next = self.arb.s0_prdata.val();
        self.sec.pready.next = self.arb.s0_pready.val();
        self.sec.pslverr.next = self.arb.s0_pslverr.val();
        self.arb.s1_psel.next = self.app.psel.val();
        self.arb.s1_penable.next = self.app.penable.val();
        self.arb.s1_pwrite.next = self.app.pwrite.val();
        self.arb.s1_paddr.next = self.app.paddr.val();
        self.arb.s1_pwdata.next = self.app.pwdata.val();
        self.arb.s1_pstrb.next = self.app.pstrb.val();
        self.arb.s1_pmaster.next = self.app.pmaster.val();
        self.app.prdata.next = self.arb.s1_prdata.val();
        self.app.pready.next = self.arb.s1_pready.val();
        self.app.pslverr.next = self.arb.s1_pslverr.val();

        // The arbiter's completer port: the security subsystem, firewall first.
        self.security.psel.next = self.arb.m_psel.val();
        self.security.penable.next = self.arb.m_penable.val();
        self.security.pwrite.next = self.arb.m_pwrite.val();
        self.security.paddr.next = self.arb.m_paddr.val();
        self.security.pwdata.next = self.arb.m_pwdata.val();
        self.security.pstrb.next = self.arb.m_pstrb.val();
        self.security.pmaster.next = self.arb.m_pmaster.val();
        self.arb.m_prdata.next = self.security.prdata.val();
        self.arb.m_pready.next = self.security.pready.val();
        self.arb.m_pslverr.next = self.security.pslverr.val();
        self.security.tst_en.next = self.tst_en.val();
        self.security.tst_we.next = self.tst_we.val();
        self.security.tst_addr.next = self.tst_addr.val();
        self.security.tst_wdata.next = self.tst_wdata.val();
        self.security.wifi_cmd_ready.next = self.wifi_cmd_ready.val();
        self.security.wifi_evt_valid.next = self.wifi_evt_valid.val();
        self.security.wifi_evt_data.next = self.wifi_evt_data.val();
        self.wifi_cmd_valid.next = self.security.wifi_cmd_valid.val();
        self.wifi_cmd_op.next = self.security.wifi_cmd_op.val();
        self.wifi_cmd_arg0.next = self.security.wifi_cmd_arg0.val();
        self.wifi_cmd_arg1.next = self.security.wifi_cmd_arg1.val();
        self.wifi_cmd_seq.next = self.security.wifi_cmd_seq.val();
        self.wifi_evt_ready.next = self.security.wifi_evt_ready.val();
        self.lc_state.next = self.security.lc_state.val();
        self.svn.next = self.security.svn.val();
        self.debug_en.next = self.security.debug_en.val();
        self.fatal.next = self.security.fatal.val();
        self.tst_busy.next = self.security.tst_busy.val();
        self.alert_fatal.next = self.security.alert_fatal.val();
        self.alert_recov.next = self.security.alert_recov.val();

        // The mailbox behind external windows 4 and 5 (ext_psel[0], ext_psel[1]).
        // Each window has its own bus, zero unless selected, so OR joins lanes 0 and 1.
        self.mbox_paddr.next = self.security.ext_paddr.val().get_bits::<12>(0) | self.security.ext_paddr.val().get_bits::<12>(12);
        self.mbox.psel.next = self.security.ext_psel.val().get_bit(0) | self.security.ext_psel.val().get_bit(1);
        self.mbox.penable.next = self.security.ext_penable.val().get_bit(0) | self.security.ext_penable.val().get_bit(1);
        self.mbox.pwrite.next = self.security.ext_pwrite.val().get_bit(0) | self.security.ext_pwrite.val().get_bit(1);
        self.mbox.paddr.next = self.mbox_paddr.val();
        self.mbox.pwdata.next = self.security.ext_pwdata.val().get_bits::<32>(0) | self.security.ext_pwdata.val().get_bits::<32>(32);
        self.mbox.pstrb.next = self.security.ext_pstrb.val().get_bits::<4>(0) | self.security.ext_pstrb.val().get_bits::<4>(4);
        self.mbox.pmaster.next = self.security.ext_pmaster.val().get_bits::<4>(0) | self.security.ext_pmaster.val().get_bits::<4>(4);
        self.mbox_word.a.next = self.mbox.prdata.val();
        self.security.ext_prdata.next = self.mbox_word.y.val() | (self.mbox_word.y.val() << 32);
        self.ext_pready.next = self.zero2.val();
        if self.mbox.pready.val() {
            self.ext_pready.next = self.ext_mbox.val();
        }
        self.ext_pslverr.next = self.zero2.val();
        if self.mbox.pslverr.val() {
            self.ext_pslverr.next = self.ext_mbox.val();
        }
        self.security.noise_bit.next = self.noise_bit.val();
        self.security.noise_valid.next = self.noise_valid.val();
        self.security.ext_pready.next = self.ext_pready.val();
        self.security.ext_pslverr.next = self.ext_pslverr.val();

        // Interrupts (README table); the nodes add their UART's line.
        self.sec_irq8.b0.next = self.security.intr_sha_done.val();
        self.sec_irq8.b1.next = false;
        self.sec_irq8.b2.next = self.mbox.irq_sec.val();
        self.sec_irq8.b3.next = self.security.intr_viol.val();
        self.sec_irq8.b4.next = self.security.intr_wifi_sec.val();
        self.sec_irq8.b5.next = self.security.intr_p256_done.val();
        self.sec_irq8.b6.next = self.security.intr_drbg_done.val() | self.security.intr_trng_alarm.val();
        self.sec_irq8.b7.next = self.security.intr_aes_done.val();
        self.sec_irq.a.next = self.sec_irq8.y.val();
        self.sec.irq.next = self.sec_irq.y.val();
        self.app_irq8.b0.next = false;
        self.app_irq8.b1.next = false;
        self.app_irq8.b2.next = self.mbox.irq_app.val();
        self.app_irq8.b3.next = false;
        self.app_irq8.b4.next = self.security.intr_wifi_app.val();
        self.app_irq8.b5.next = false;
        self.app_irq8.b6.next = false;
        self.app_irq8.b7.next = false;
        self.app_irq.a.next = self.app_irq8.y.val();
        self.app.irq.next = self.app_irq.y.val();

        // Per-core monitor, trace, UART and status.
        self.sec_mon_haddr.next = self.sec.mon_haddr.val();
        self.sec_mon_htrans.next = self.sec.mon_htrans.val();
        self.sec_mon_hsize.next = self.sec.mon_hsize.val();
        self.sec_mon_hwrite.next = self.sec.mon_hwrite.val();
        self.sec_mon_hwdata.next = self.sec.mon_hwdata.val();
        self.sec_mon_hrdata.next = self.sec.mon_hrdata.val();
        self.sec_mon_hready.next = self.sec.mon_hready.val();
        self.sec_mon_hresp.next = self.sec.mon_hresp.val();
        self.sec_mon_hprot.next = self.sec.mon_hprot.val();
        self.sec_mon_hburst.next = self.sec.mon_hburst.val();
        self.sec_mon_irq.next = self.sec.mon_irq.val();
        self.sec_trc_retire.next = self.sec.trc_retire.val();
        self.sec_trc_exc.next = self.sec.trc_exc.val();
        self.sec_trc_excnum.next = self.sec.trc_excnum.val();
        self.sec_trc_pc.next = self.sec.trc_pc.val();
        self.sec_trc_rf_we.next = self.sec.trc_rf_we.val();
        self.sec_trc_rf_idx.next = self.sec.trc_rf_idx.val();
        self.sec_trc_rf_data.next = self.sec.trc_rf_data.val();
        self.sec_trc_apsr.next = self.sec.trc_apsr.val();
        self.sec_trc_ipsr.next = self.sec.trc_ipsr.val();
        self.sec_trc_control.next = self.sec.trc_control.val();
        self.sec_trc_primask.next = self.sec.trc_primask.val();
        self.sec_uart_tx.next = self.sec.uart_tx.val();
        self.sec_tx_valid.next = self.sec.tx_valid.val();
        self.sec_tx_byte.next = self.sec.tx_byte.val();
        self.sec_SLEEPING.next = self.sec.SLEEPING.val();
        self.sec_SLEEPDEEP.next = self.sec.SLEEPDEEP.val();
        self.sec_TXEV.next = self.sec.TXEV.val();
        self.sec_LOCKUP.next = self.sec.LOCKUP.val();
        self.sec_HALTED.next = self.sec.HALTED.val();
        self.sec_SYSRESETREQ.next = self.sec.SYSRESETREQ.val();
        self.app_mon_haddr.next = self.app.mon_haddr.val();
        self.app_mon_htrans.next = self.app.mon_htrans.val();
        self.app_mon_hsize.next = self.app.mon_hsize.val();
        self.app_mon_hwrite.next = self.app.mon_hwrite.val();
        self.app_mon_hwdata.next = self.app.mon_hwdata.val();
        self.app_mon_hrdata.next = self.app.mon_hrdata.val();
        self.app_mon_hready.next = self.app.mon_hready.val();
        self.app_mon_hresp.next = self.app.mon_hresp.val();
        self.app_mon_hprot.next = self.app.mon_hprot.val();
        self.app_mon_hburst.next = self.app.mon_hburst.val();
        self.app_mon_irq.next = self.app.mon_irq.val();
        self.app_trc_retire.next = self.app.trc_retire.val();
        self.app_trc_exc.next = self.app.trc_exc.val();
        self.app_trc_excnum.next = self.app.trc_excnum.val();
        self.app_trc_pc.next = self.app.trc_pc.val();
        self.app_trc_rf_we.next = self.app.trc_rf_we.val();
        self.app_trc_rf_idx.next = self.app.trc_rf_idx.val();
        self.app_trc_rf_data.next = self.app.trc_rf_data.val();
        self.app_trc_apsr.next = self.app.trc_apsr.val();
        self.app_trc_ipsr.next = self.app.trc_ipsr.val();
        self.app_trc_control.next = self.app.trc_control.val();
        self.app_trc_primask.next = self.app.trc_primask.val();
        self.app_uart_tx.next = self.app.uart_tx.val();
        self.app_tx_valid.next = self.app.tx_valid.val();
        self.app_tx_byte.next = self.app.tx_byte.val();
        self.app_SLEEPING.next = self.app.SLEEPING.val();
        self.app_SLEEPDEEP.next = self.app.SLEEPDEEP.val();
        self.app_TXEV.next = self.app.TXEV.val();
        self.app_LOCKUP.next = self.app.LOCKUP.val();
        self.app_HALTED.next = self.app.HALTED.val();
        self.app_SYSRESETREQ.next = self.app.SYSRESETREQ.val();
    }
}
