//! The first system without its core (`M0Fabric`): AHB decoder, ROM, SRAM, AHB-to-APB bridge, SHA-256 engine and UART behind one AHB-Lite slave port.

use super::{c, regs, AhbApbBridge, AhbDecoder, AhbMux, AhbRam, Uart};
use crate::sha256::Sha256Engine;
use rust_hdl::prelude::*;

/// ROM: 64 KB = 2^14 words; SRAM: 16 KB = 2^12 words.
pub type Rom = AhbRam<16, 14>;
pub type Sram = AhbRam<14, 12>;

#[derive(LogicBlock)]
pub struct M0Fabric {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    // AHB-Lite from the core (names as on the core).
    pub haddr: Signal<In, Bits<32>>,
    pub htrans: Signal<In, Bits<2>>,
    pub hsize: Signal<In, Bits<3>>,
    pub hwrite: Signal<In, bool>,
    pub hwdata: Signal<In, Bits<32>>,
    pub hrdata: Signal<Out, Bits<32>>,
    pub hready: Signal<Out, bool>,
    pub hresp: Signal<Out, bool>,
    /// ROM loader: word `ld_addr` (byte address 4 * ld_addr) gets `ld_data` at the rising edge.
    pub ld_we: Signal<In, bool>,
    pub ld_addr: Signal<In, Bits<14>>,
    pub ld_data: Signal<In, Bits<32>>,
    pub uart_tx: Signal<Out, bool>,
    pub tx_valid: Signal<Out, bool>,
    pub tx_byte: Signal<Out, Bits<8>>,
    pub irq_sha: Signal<Out, bool>,
    pub irq_uart: Signal<Out, bool>,

    dec: AhbDecoder,
    mux: AhbMux,
    rom: Rom,
    ram: Sram,
    apb: AhbApbBridge,
    sha: Sha256Engine,
    uart: Uart,

    master_id: Constant<Bits<4>>,
    zero12: Constant<Bits<12>>,
    zero32: Constant<Bits<32>>,
    zero256: Constant<Bits<256>>,
}

impl Default for M0Fabric {
    fn default() -> Self {
        assert_eq!(regs::SHA256_BASE, regs::APB_BASE, "SHA-256 is APB slot 0");
        assert_eq!(regs::UART_BASE, regs::APB_BASE + regs::APB_SLOT_SIZE, "the UART is APB slot 1");
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            haddr: Default::default(),
            htrans: Default::default(),
            hsize: Default::default(),
            hwrite: Default::default(),
            hwdata: Default::default(),
            hrdata: Default::default(),
            hready: Default::default(),
            hresp: Default::default(),
            ld_we: Default::default(),
            ld_addr: Default::default(),
            ld_data: Default::default(),
            uart_tx: Default::default(),
            tx_valid: Default::default(),
            tx_byte: Default::default(),
            irq_sha: Default::default(),
            irq_uart: Default::default(),
            dec: Default::default(),
            mux: Default::default(),
            rom: Default::default(),
            ram: Default::default(),
            apb: Default::default(),
            sha: Default::default(),
            uart: Default::default(),
            master_id: c(crate::common::masters::MASTER_SEC as u64),
            zero12: c(0),
            zero32: c(0),
            zero256: c(0),
        }
    }
}

impl Logic for M0Fabric {
    #[hdl_gen]
    fn update(&mut self) {
        self.dec.clock.next = self.clock.val();
        self.rom.clock.next = self.clock.val();
        self.ram.clock.next = self.clock.val();
        self.apb.clock.next = self.clock.val();
        self.sha.clock.next = self.clock.val();
        self.uart.clock.next = self.clock.val();
        self.dec.rst_n.next = self.rst_n.val();
        self.rom.rst_n.next = self.rst_n.val();
        self.ram.rst_n.next = self.rst_n.val();
        self.apb.rst_n.next = self.rst_n.val();
        self.sha.rst_n.next = self.rst_n.val();
        self.uart.rst_n.next = self.rst_n.val();

        // Decoder and response mux.
        self.dec.haddr_hi.next = self.haddr.val().get_bits::<18>(14);
        self.dec.htrans.next = self.htrans.val();
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
        self.hready.next = self.mux.hready.val();
        self.hresp.next = self.mux.hresp.val();
        self.hrdata.next = self.mux.hrdata.val();

        // ROM at 0x00000000: bus writes are errors; the loader fills it.
        self.rom.hsel.next = self.dec.hsel_rom.val();
        self.rom.haddr.next = self.haddr.val().get_bits::<16>(0);
        self.rom.htrans.next = self.htrans.val();
        self.rom.hsize.next = self.hsize.val();
        self.rom.hwrite.next = self.hwrite.val();
        self.rom.hwdata.next = self.hwdata.val();
        self.rom.hready.next = self.mux.hready.val();
        self.rom.read_only.next = true;
        self.rom.ld_we.next = self.ld_we.val();
        self.rom.ld_addr.next = self.ld_addr.val();
        self.rom.ld_data.next = self.ld_data.val();

        // SRAM at 0x20000000 (its loader port unused).
        self.ram.hsel.next = self.dec.hsel_ram.val();
        self.ram.haddr.next = self.haddr.val().get_bits::<14>(0);
        self.ram.htrans.next = self.htrans.val();
        self.ram.hsize.next = self.hsize.val();
        self.ram.hwrite.next = self.hwrite.val();
        self.ram.hwdata.next = self.hwdata.val();
        self.ram.hready.next = self.mux.hready.val();
        self.ram.read_only.next = false;
        self.ram.ld_we.next = false;
        self.ram.ld_addr.next = self.zero12.val();
        self.ram.ld_data.next = self.zero32.val();

        // APB bridge at 0x40000000; every transfer is the security core's.
        self.apb.hsel.next = self.dec.hsel_apb.val();
        self.apb.haddr.next = self.haddr.val().get_bits::<16>(0);
        self.apb.htrans.next = self.htrans.val();
        self.apb.hsize.next = self.hsize.val();
        self.apb.hwrite.next = self.hwrite.val();
        self.apb.hwdata.next = self.hwdata.val();
        self.apb.hready.next = self.mux.hready.val();
        self.apb.hmaster.next = self.master_id.val();

        // APB slot 0: SHA-256/HMAC. No fuses in this system: the sideload key is tied off.
        self.sha.psel.next = self.apb.psel0.val();
        self.sha.penable.next = self.apb.penable.val();
        self.sha.pwrite.next = self.apb.pwrite.val();
        self.sha.paddr.next = self.apb.paddr.val();
        self.sha.pwdata.next = self.apb.pwdata.val();
        self.sha.pstrb.next = self.apb.pstrb.val();
        self.sha.pmaster.next = self.apb.pmaster.val();
        self.sha.key_in.next = self.zero256.val();
        self.sha.key_valid.next = false;
        self.apb.prdata0.next = self.sha.prdata.val();
        self.apb.pready0.next = self.sha.pready.val();
        self.apb.pslverr0.next = self.sha.pslverr.val();
        self.irq_sha.next = self.sha.intr_done.val();

        // APB slot 1: UART.
        self.uart.psel.next = self.apb.psel1.val();
        self.uart.penable.next = self.apb.penable.val();
        self.uart.pwrite.next = self.apb.pwrite.val();
        self.uart.paddr.next = self.apb.paddr.val();
        self.uart.pwdata.next = self.apb.pwdata.val();
        self.uart.pstrb.next = self.apb.pstrb.val();
        self.uart.pmaster.next = self.apb.pmaster.val();
        self.apb.prdata1.next = self.uart.prdata.val();
        self.apb.pready1.next = self.uart.pready.val();
        self.apb.pslverr1.next = self.uart.pslverr.val();
        self.uart_tx.next = self.uart.uart_tx.val();
        self.tx_valid.next = self.uart.tx_valid.val();
        self.tx_byte.next = self.uart.tx_byte.val();
        self.irq_uart.next = self.uart.intr_tx.val();
    }
}

impl crate::gen::TopBlock for M0Fabric {
    fn connect_inputs(&mut self) {
        self.clock.connect();
        self.rst_n.connect();
        self.haddr.connect();
        self.htrans.connect();
        self.hsize.connect();
        self.hwrite.connect();
        self.hwdata.connect();
        self.ld_we.connect();
        self.ld_addr.connect();
        self.ld_data.connect();
    }
}
