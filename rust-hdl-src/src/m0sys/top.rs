//! First system top (`pluton_m0sys`): the soft Cortex-M0-class core on the fabric (ROM, SRAM, APB bridge, SHA-256, UART), with bus monitor and trace outputs.

use super::{c, M0Fabric};
use crate::common::prims::ZeroExt;
use crate::m0::M0Core;
use rust_hdl::prelude::*;

#[allow(non_snake_case)]
#[derive(LogicBlock)]
pub struct M0Sys {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// ROM loader (use while `rst_n` is low): word `ld_addr` gets `ld_data` at the rising edge.
    pub ld_we: Signal<In, bool>,
    pub ld_addr: Signal<In, Bits<14>>,
    pub ld_data: Signal<In, Bits<32>>,
    /// External interrupts: `irq_ext[k]` is core IRQ 2 + k.
    pub irq_ext: Signal<In, Bits<30>>,
    pub NMI: Signal<In, bool>,
    pub RXEV: Signal<In, bool>,
    pub DBGRESTART: Signal<In, bool>,
    pub uart_tx: Signal<Out, bool>,
    pub tx_valid: Signal<Out, bool>,
    pub tx_byte: Signal<Out, Bits<8>>,
    pub SLEEPING: Signal<Out, bool>,
    pub SLEEPDEEP: Signal<Out, bool>,
    pub LOCKUP: Signal<Out, bool>,
    pub HALTED: Signal<Out, bool>,
    pub SYSRESETREQ: Signal<Out, bool>,
    pub TXEV: Signal<Out, bool>,
    // The core's AHB port, as the core sees it (for lock-step harnesses).
    pub mon_haddr: Signal<Out, Bits<32>>,
    pub mon_htrans: Signal<Out, Bits<2>>,
    pub mon_hsize: Signal<Out, Bits<3>>,
    pub mon_hwrite: Signal<Out, bool>,
    pub mon_hwdata: Signal<Out, Bits<32>>,
    pub mon_hrdata: Signal<Out, Bits<32>>,
    pub mon_hready: Signal<Out, bool>,
    pub mon_hresp: Signal<Out, bool>,
    pub mon_hprot: Signal<Out, Bits<4>>,
    pub mon_hburst: Signal<Out, Bits<3>>,
    /// The core's IRQ inputs (on-chip sources and `irq_ext`), for the lock-step ISS.
    pub mon_irq: Signal<Out, Bits<32>>,
    // The core's retirement trace.
    pub trc_retire: Signal<Out, bool>,
    pub trc_exc: Signal<Out, bool>,
    pub trc_excnum: Signal<Out, Bits<6>>,
    pub trc_pc: Signal<Out, Bits<32>>,
    pub trc_rf_we: Signal<Out, bool>,
    pub trc_rf_idx: Signal<Out, Bits<4>>,
    pub trc_rf_data: Signal<Out, Bits<32>>,
    pub trc_apsr: Signal<Out, Bits<4>>,
    pub trc_ipsr: Signal<Out, Bits<6>>,
    pub trc_control: Signal<Out, Bits<2>>,
    pub trc_primask: Signal<Out, bool>,

    core: M0Core,
    fabric: M0Fabric,
    ze_irq: ZeroExt<30, 32>,
    irq_sha_bit: Constant<Bits<32>>,
    irq_uart_bit: Constant<Bits<32>>,
    irq: Signal<Local, Bits<32>>,
}

impl Default for M0Sys {
    fn default() -> Self {
        assert_eq!(super::regs::IRQ_EXT_FIRST, 2);
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            ld_we: Default::default(),
            ld_addr: Default::default(),
            ld_data: Default::default(),
            irq_ext: Default::default(),
            NMI: Default::default(),
            RXEV: Default::default(),
            DBGRESTART: Default::default(),
            uart_tx: Default::default(),
            tx_valid: Default::default(),
            tx_byte: Default::default(),
            SLEEPING: Default::default(),
            SLEEPDEEP: Default::default(),
            LOCKUP: Default::default(),
            HALTED: Default::default(),
            SYSRESETREQ: Default::default(),
            TXEV: Default::default(),
            mon_haddr: Default::default(),
            mon_htrans: Default::default(),
            mon_hsize: Default::default(),
            mon_hwrite: Default::default(),
            mon_hwdata: Default::default(),
            mon_hrdata: Default::default(),
            mon_hready: Default::default(),
            mon_hresp: Default::default(),
            mon_hprot: Default::default(),
            mon_hburst: Default::default(),
            mon_irq: Default::default(),
            trc_retire: Default::default(),
            trc_exc: Default::default(),
            trc_excnum: Default::default(),
            trc_pc: Default::default(),
            trc_rf_we: Default::default(),
            trc_rf_idx: Default::default(),
            trc_rf_data: Default::default(),
            trc_apsr: Default::default(),
            trc_ipsr: Default::default(),
            trc_control: Default::default(),
            trc_primask: Default::default(),
            core: Default::default(),
            fabric: Default::default(),
            ze_irq: Default::default(),
            irq_sha_bit: c(1 << super::regs::IRQ_SHA256),
            irq_uart_bit: c(1 << super::regs::IRQ_UART),
            irq: Default::default(),
        }
    }
}

impl Logic for M0Sys {
    #[hdl_gen]
    fn update(&mut self) {
        self.core.clock.next = self.clock.val();
        self.fabric.clock.next = self.clock.val();
        self.core.rst_n.next = self.rst_n.val();
        self.fabric.rst_n.next = self.rst_n.val();

        // The core's AHB master port to the fabric.
        self.fabric.haddr.next = self.core.HADDR.val();
        self.fabric.htrans.next = self.core.HTRANS.val();
        self.fabric.hsize.next = self.core.HSIZE.val();
        self.fabric.hwrite.next = self.core.HWRITE.val();
        self.fabric.hwdata.next = self.core.HWDATA.val();
        self.core.HRDATA.next = self.fabric.hrdata.val();
        self.core.HREADY.next = self.fabric.hready.val();
        self.core.HRESP.next = self.fabric.hresp.val();
        self.mon_haddr.next = self.core.HADDR.val();
        self.mon_htrans.next = self.core.HTRANS.val();
        self.mon_hsize.next = self.core.HSIZE.val();
        self.mon_hwrite.next = self.core.HWRITE.val();
        self.mon_hwdata.next = self.core.HWDATA.val();
        self.mon_hrdata.next = self.fabric.hrdata.val();
        self.mon_hready.next = self.fabric.hready.val();
        self.mon_hresp.next = self.fabric.hresp.val();
        self.mon_hprot.next = self.core.HPROT.val();
        self.mon_hburst.next = self.core.HBURST.val();

        // Loader and UART.
        self.fabric.ld_we.next = self.ld_we.val();
        self.fabric.ld_addr.next = self.ld_addr.val();
        self.fabric.ld_data.next = self.ld_data.val();
        self.uart_tx.next = self.fabric.uart_tx.val();
        self.tx_valid.next = self.fabric.tx_valid.val();
        self.tx_byte.next = self.fabric.tx_byte.val();

        // Interrupts: IRQ 0 SHA-256 done, IRQ 1 UART, IRQ 2..31 external.
        self.ze_irq.a.next = self.irq_ext.val();
        self.irq.next = self.ze_irq.y.val() << 2;
        if self.fabric.irq_sha.val() {
            self.irq.next = self.irq.val() | self.irq_sha_bit.val();
        }
        if self.fabric.irq_uart.val() {
            self.irq.next = self.irq.val() | self.irq_uart_bit.val();
        }
        self.core.IRQ.next = self.irq.val();
        self.mon_irq.next = self.irq.val();
        self.core.NMI.next = self.NMI.val();
        self.core.RXEV.next = self.RXEV.val();
        self.core.DBGRESTART.next = self.DBGRESTART.val();
        self.SLEEPING.next = self.core.SLEEPING.val();
        self.SLEEPDEEP.next = self.core.SLEEPDEEP.val();
        self.LOCKUP.next = self.core.LOCKUP.val();
        self.HALTED.next = self.core.HALTED.val();
        self.SYSRESETREQ.next = self.core.SYSRESETREQ.val();
        self.TXEV.next = self.core.TXEV.val();

        // Retirement trace.
        self.trc_retire.next = self.core.trc_retire.val();
        self.trc_exc.next = self.core.trc_exc.val();
        self.trc_excnum.next = self.core.trc_excnum.val();
        self.trc_pc.next = self.core.trc_pc.val();
        self.trc_rf_we.next = self.core.trc_rf_we.val();
        self.trc_rf_idx.next = self.core.trc_rf_idx.val();
        self.trc_rf_data.next = self.core.trc_rf_data.val();
        self.trc_apsr.next = self.core.trc_apsr.val();
        self.trc_ipsr.next = self.core.trc_ipsr.val();
        self.trc_control.next = self.core.trc_control.val();
        self.trc_primask.next = self.core.trc_primask.val();
    }
}

impl crate::gen::TopBlock for M0Sys {
    fn connect_inputs(&mut self) {
        self.clock.connect();
        self.rst_n.connect();
        self.ld_we.connect();
        self.ld_addr.connect();
        self.ld_data.connect();
        self.irq_ext.connect();
        self.NMI.connect();
        self.RXEV.connect();
        self.DBGRESTART.connect();
    }
}
