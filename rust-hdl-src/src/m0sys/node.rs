//! One core with its private bus (`M0Node`): the M0 core, AHB decoder, ROM, SRAM, its UART, and an AHB-to-APB bridge whose slot 0 leaves the node as an APB4 master port.
//!
//! `pluton_m0sys` puts the SHA-256 engine on that port; `pluton_soc` builds two nodes and puts
//! the shared security subsystem behind them. The node brings out the core's AHB port (`mon_*`)
//! and retirement trace (`trc_*`) for lock-step harnesses.

use super::{c, regs, AhbApbBridge, AhbDecoder, AhbMux, AhbRam, Uart};
use crate::m0::M0Core;
use rust_hdl::prelude::*;

/// ROM: 64 KB = 2^14 words; SRAM: 16 KB = 2^12 words.
pub type Rom = AhbRam<16, 14>;
pub type Sram = AhbRam<14, 12>;

/// `SLOT0_BITS`: the size of bridge slot 0 (the APB port) as a power of two; the UART is the
/// 4 KB slot right after it.
#[allow(non_snake_case)]
#[derive(LogicBlock)]
pub struct M0Node<const SLOT0_BITS: usize> {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// Master ID the bridge puts on `pmaster` (a constant at the top: software cannot change it).
    pub hmaster: Signal<In, Bits<4>>,
    /// ROM loader (use while `rst_n` is low): word `ld_addr` gets `ld_data` at the rising edge.
    pub ld_we: Signal<In, bool>,
    pub ld_addr: Signal<In, Bits<14>>,
    pub ld_data: Signal<In, Bits<32>>,
    /// The core's IRQ lines from outside the node; the node's UART adds `IRQ_UART`.
    pub irq: Signal<In, Bits<32>>,
    pub NMI: Signal<In, bool>,
    pub RXEV: Signal<In, bool>,
    pub DBGRESTART: Signal<In, bool>,
    // APB4 master (bridge slot 0).
    pub psel: Signal<Out, bool>,
    pub penable: Signal<Out, bool>,
    pub pwrite: Signal<Out, bool>,
    pub paddr: Signal<Out, Bits<16>>,
    pub pwdata: Signal<Out, Bits<32>>,
    pub pstrb: Signal<Out, Bits<4>>,
    pub pmaster: Signal<Out, Bits<4>>,
    pub prdata: Signal<In, Bits<32>>,
    pub pready: Signal<In, bool>,
    pub pslverr: Signal<In, bool>,
    // UART.
    pub uart_tx: Signal<Out, bool>,
    pub tx_valid: Signal<Out, bool>,
    pub tx_byte: Signal<Out, Bits<8>>,
    // Core status.
    pub SLEEPING: Signal<Out, bool>,
    pub SLEEPDEEP: Signal<Out, bool>,
    pub LOCKUP: Signal<Out, bool>,
    pub HALTED: Signal<Out, bool>,
    pub SYSRESETREQ: Signal<Out, bool>,
    pub TXEV: Signal<Out, bool>,
    // The core's AHB port, as the core sees it.
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
    /// The core's IRQ inputs (with the UART's), for the lock-step ISS.
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
    dec: AhbDecoder,
    mux: AhbMux,
    rom: Rom,
    ram: Sram,
    apb: AhbApbBridge<SLOT0_BITS>,
    uart: Uart,
    uart_paddr: Signal<Local, Bits<12>>,
    irq_uart_bit: Constant<Bits<32>>,
    zero12: Constant<Bits<12>>,
    zero32: Constant<Bits<32>>,
    irq_all: Signal<Local, Bits<32>>,
}

impl<const SLOT0_BITS: usize> Default for M0Node<SLOT0_BITS> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            hmaster: Default::default(),
            ld_we: Default::default(),
            ld_addr: Default::default(),
            ld_data: Default::default(),
            irq: Default::default(),
            NMI: Default::default(),
            RXEV: Default::default(),
            DBGRESTART: Default::default(),
            psel: Default::default(),
            penable: Default::default(),
            pwrite: Default::default(),
            paddr: Default::default(),
            pwdata: Default::default(),
            pstrb: Default::default(),
            pmaster: Default::default(),
            prdata: Default::default(),
            pready: Default::default(),
            pslverr: Default::default(),
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
            dec: Default::default(),
            mux: Default::default(),
            rom: Default::default(),
            ram: Default::default(),
            apb: Default::default(),
            uart: Default::default(),
            uart_paddr: Default::default(),
            irq_uart_bit: c(1 << regs::IRQ_UART),
            zero12: c(0),
            zero32: c(0),
            irq_all: Default::default(),
        }
    }
}

impl<const SLOT0_BITS: usize> Logic for M0Node<SLOT0_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        self.core.clock.next = self.clock.val();
        self.dec.clock.next = self.clock.val();
        self.rom.clock.next = self.clock.val();
        self.ram.clock.next = self.clock.val();
        self.apb.clock.next = self.clock.val();
        self.uart.clock.next = self.clock.val();
        self.core.rst_n.next = self.rst_n.val();
        self.dec.rst_n.next = self.rst_n.val();
        self.rom.rst_n.next = self.rst_n.val();
        self.ram.rst_n.next = self.rst_n.val();
        self.apb.rst_n.next = self.rst_n.val();
        self.uart.rst_n.next = self.rst_n.val();

        // Decoder and response mux; the core's HREADY/HRESP/HRDATA come from the mux.
        self.dec.haddr_hi.next = self.core.HADDR.val().get_bits::<18>(14);
        self.dec.htrans.next = self.core.HTRANS.val();
        self.dec.hready.next = self.mux.hready.val();
        self.mux.dsel_rom.next = self.dec.dsel_rom_q.val();
        self.mux.dsel_ram.next = self.dec.dsel_ram_q.val();
        self.mux.dsel_apb.next = self.dec.dsel_apb_q.val();
        self.mux.derr1.next = self.dec.derr1_q.val();
        self.mux.derr2.next = self.dec.derr2_q.val();
        self.mux.rom_hreadyout.next = self.rom.hreadyout.val();
        self.mux.rom_hresp.next = self.rom.hresp.val();
        self.mux.rom_hrdata.next = self.rom.hrdata.val();
        self.mux.ram_hreadyout.next = self.ram.hreadyout.val();
        self.mux.ram_hresp.next = self.ram.hresp.val();
        self.mux.ram_hrdata.next = self.ram.hrdata.val();
        self.mux.apb_hreadyout.next = self.apb.hreadyout.val();
        self.mux.apb_hresp.next = self.apb.hresp.val();
        self.mux.apb_hrdata.next = self.apb.hrdata.val();
        self.core.HREADY.next = self.mux.hready.val();
        self.core.HRESP.next = self.mux.hresp.val();
        self.core.HRDATA.next = self.mux.hrdata.val();

        // ROM at 0x00000000: bus writes are errors; the loader fills it.
        self.rom.hsel.next = self.dec.hsel_rom.val();
        self.rom.haddr.next = self.core.HADDR.val().get_bits::<16>(0);
        self.rom.htrans.next = self.core.HTRANS.val();
        self.rom.hsize.next = self.core.HSIZE.val();
        self.rom.hwrite.next = self.core.HWRITE.val();
        self.rom.hwdata.next = self.core.HWDATA.val();
        self.rom.hready.next = self.mux.hready.val();
        self.rom.read_only.next = true;
        self.rom.ld_we.next = self.ld_we.val();
        self.rom.ld_addr.next = self.ld_addr.val();
        self.rom.ld_data.next = self.ld_data.val();

        // SRAM at 0x20000000 (its loader port unused).
        self.ram.hsel.next = self.dec.hsel_ram.val();
        self.ram.haddr.next = self.core.HADDR.val().get_bits::<14>(0);
        self.ram.htrans.next = self.core.HTRANS.val();
        self.ram.hsize.next = self.core.HSIZE.val();
        self.ram.hwrite.next = self.core.HWRITE.val();
        self.ram.hwdata.next = self.core.HWDATA.val();
        self.ram.hready.next = self.mux.hready.val();
        self.ram.read_only.next = false;
        self.ram.ld_we.next = false;
        self.ram.ld_addr.next = self.zero12.val();
        self.ram.ld_data.next = self.zero32.val();

        // APB bridge at 0x40000000, every transfer tagged with this node's master ID.
        self.apb.hsel.next = self.dec.hsel_apb.val();
        self.apb.haddr.next = self.core.HADDR.val().get_bits::<17>(0);
        self.apb.htrans.next = self.core.HTRANS.val();
        self.apb.hsize.next = self.core.HSIZE.val();
        self.apb.hwrite.next = self.core.HWRITE.val();
        self.apb.hwdata.next = self.core.HWDATA.val();
        self.apb.hready.next = self.mux.hready.val();
        self.apb.hmaster.next = self.hmaster.val();

        // Slot 0: the node's APB port.
        self.psel.next = self.apb.psel0.val();
        self.penable.next = self.apb.penable.val();
        self.pwrite.next = self.apb.pwrite.val();
        self.paddr.next = self.apb.paddr.val();
        self.pwdata.next = self.apb.pwdata.val();
        self.pstrb.next = self.apb.pstrb.val();
        self.pmaster.next = self.apb.pmaster.val();
        self.apb.prdata0.next = self.prdata.val();
        self.apb.pready0.next = self.pready.val();
        self.apb.pslverr0.next = self.pslverr.val();

        // Slot 1: the UART.
        self.uart_paddr.next = self.apb.paddr.val().get_bits::<12>(0);
        self.uart.psel.next = self.apb.psel1.val();
        self.uart.penable.next = self.apb.penable.val();
        self.uart.pwrite.next = self.apb.pwrite.val();
        self.uart.paddr.next = self.uart_paddr.val();
        self.uart.pwdata.next = self.apb.pwdata.val();
        self.uart.pstrb.next = self.apb.pstrb.val();
        self.uart.pmaster.next = self.apb.pmaster.val();
        self.apb.prdata1.next = self.uart.prdata.val();
        self.apb.pready1.next = self.uart.pready.val();
        self.apb.pslverr1.next = self.uart.pslverr.val();
        self.uart_tx.next = self.uart.uart_tx.val();
        self.tx_valid.next = self.uart.tx_valid.val();
        self.tx_byte.next = self.uart.tx_byte.val();

        // Interrupts: the outside's lines plus the UART's.
        self.irq_all.next = self.irq.val();
        if self.uart.intr_tx.val() {
            self.irq_all.next = self.irq.val() | self.irq_uart_bit.val();
        }
        self.core.IRQ.next = self.irq_all.val();
        self.mon_irq.next = self.irq_all.val();
        self.core.NMI.next = self.NMI.val();
        self.core.RXEV.next = self.RXEV.val();
        self.core.DBGRESTART.next = self.DBGRESTART.val();
        self.SLEEPING.next = self.core.SLEEPING.val();
        self.SLEEPDEEP.next = self.core.SLEEPDEEP.val();
        self.LOCKUP.next = self.core.LOCKUP.val();
        self.HALTED.next = self.core.HALTED.val();
        self.SYSRESETREQ.next = self.core.SYSRESETREQ.val();
        self.TXEV.next = self.core.TXEV.val();

        // Monitor and retirement trace.
        self.mon_haddr.next = self.core.HADDR.val();
        self.mon_htrans.next = self.core.HTRANS.val();
        self.mon_hsize.next = self.core.HSIZE.val();
        self.mon_hwrite.next = self.core.HWRITE.val();
        self.mon_hwdata.next = self.core.HWDATA.val();
        self.mon_hrdata.next = self.mux.hrdata.val();
        self.mon_hready.next = self.mux.hready.val();
        self.mon_hresp.next = self.mux.hresp.val();
        self.mon_hprot.next = self.core.HPROT.val();
        self.mon_hburst.next = self.core.HBURST.val();
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
