//! AHB-Lite address decoder (`AhbDecoder`) and response mux (`AhbMux`), with the default slave that answers unmapped addresses with ERROR.

use super::c;
use super::regs;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

/// Decodes `HADDR[31:14]` into the three slave selects (ROM 64 KB at 0, SRAM 16 KB at
/// 0x20000000, APB bridge 128 KB at 0x40000000) and remembers which slave owns the data phase
/// (captured at each edge with HREADY high); `AhbMux` returns that slave's answer. A NONSEQ/SEQ
/// transfer anywhere else gets the default slave's two-cycle ERROR.
///
/// The decoder (address phase in) and the mux (HREADY out) are separate modules on purpose: in
/// one always block Verilator 5.006 sees a loop through the core, whose one block reads HREADY and
/// drives HADDR.
#[derive(LogicBlock)]
pub struct AhbDecoder {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// HADDR[31:14] (the lower bits only matter inside a slave).
    pub haddr_hi: Signal<In, Bits<18>>,
    pub htrans: Signal<In, Bits<2>>,
    /// The bus's HREADY (from `AhbMux`).
    pub hready: Signal<In, bool>,
    pub hsel_rom: Signal<Out, bool>,
    pub hsel_ram: Signal<Out, bool>,
    pub hsel_apb: Signal<Out, bool>,
    /// Owner of the data phase, and the default slave's ERROR cycles (flop outputs, to `AhbMux`).
    pub dsel_rom_q: Signal<Out, bool>,
    pub dsel_ram_q: Signal<Out, bool>,
    pub dsel_apb_q: Signal<Out, bool>,
    pub derr1_q: Signal<Out, bool>,
    pub derr2_q: Signal<Out, bool>,

    /// Owner of the data phase (at most one set; none: the default slave).
    dsel_rom: RDff<bool>,
    dsel_ram: RDff<bool>,
    dsel_apb: RDff<bool>,
    /// Default slave's ERROR, first and second cycle.
    derr1: RDff<bool>,
    derr2: RDff<bool>,

    nonseq: Constant<Bits<2>>,
    seq: Constant<Bits<2>>,
    rom_page: Constant<Bits<16>>,
    apb_page: Constant<Bits<15>>,
    ram_page: Constant<Bits<18>>,

    active: Signal<Local, bool>,
    sel_rom: Signal<Local, bool>,
    sel_ram: Signal<Local, bool>,
    sel_apb: Signal<Local, bool>,
}

impl Default for AhbDecoder {
    fn default() -> Self {
        // The decode compares HADDR[31:16] (the 64 KB ROM), HADDR[31:17] (the 128 KB APB window)
        // and HADDR[31:14] (the 16 KB SRAM).
        assert_eq!(regs::ROM_SIZE, 1 << 16);
        assert_eq!(regs::APB_SIZE, 1 << 17);
        assert_eq!(regs::SRAM_SIZE, 1 << 14);
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            haddr_hi: Default::default(),
            htrans: Default::default(),
            hready: Default::default(),
            hsel_rom: Default::default(),
            hsel_ram: Default::default(),
            hsel_apb: Default::default(),
            dsel_rom_q: Default::default(),
            dsel_ram_q: Default::default(),
            dsel_apb_q: Default::default(),
            derr1_q: Default::default(),
            derr2_q: Default::default(),
            dsel_rom: Default::default(),
            dsel_ram: Default::default(),
            dsel_apb: Default::default(),
            derr1: Default::default(),
            derr2: Default::default(),
            nonseq: c(0b10),
            seq: c(0b11),
            rom_page: c((regs::ROM_BASE >> 16) as u64),
            apb_page: c((regs::APB_BASE >> 17) as u64),
            ram_page: c((regs::SRAM_BASE >> 14) as u64),
            active: Default::default(),
            sel_rom: Default::default(),
            sel_ram: Default::default(),
            sel_apb: Default::default(),
        }
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    AhbDecoder;
    reset [derr1, derr2]
    hold [dsel_rom, dsel_ram, dsel_apb]
    fn update(&mut self) {
        // ---- Address decode (address phase).
        self.active.next = (self.htrans.val() == self.nonseq.val()) | (self.htrans.val() == self.seq.val());
        self.sel_rom.next = self.haddr_hi.val().get_bits::<16>(2) == self.rom_page.val();
        self.sel_apb.next = self.haddr_hi.val().get_bits::<15>(3) == self.apb_page.val();
        self.sel_ram.next = self.haddr_hi.val() == self.ram_page.val();
        self.hsel_rom.next = self.sel_rom.val();
        self.hsel_ram.next = self.sel_ram.val();
        self.hsel_apb.next = self.sel_apb.val();

        self.dsel_rom_q.next = self.dsel_rom.q.val();
        self.dsel_ram_q.next = self.dsel_ram.q.val();
        self.dsel_apb_q.next = self.dsel_apb.q.val();
        self.derr1_q.next = self.derr1.q.val();
        self.derr2_q.next = self.derr2.q.val();

        // ---- The next data phase's owner, captured when the current one completes.
        self.derr1.d.next = false;
        self.derr2.d.next = self.derr1.q.val();
        if self.hready.val() {
            self.dsel_rom.d.next = self.sel_rom.val();
            self.dsel_ram.d.next = self.sel_ram.val();
            self.dsel_apb.d.next = self.sel_apb.val();
            self.derr1.d.next = self.active.val() & !(self.sel_rom.val() | self.sel_ram.val() | self.sel_apb.val());
        }
    }
}

impl crate::gen::TopBlock for AhbDecoder {
    fn connect_inputs(&mut self) {
        self.clock.connect();
        self.rst_n.connect();
        self.haddr_hi.connect();
        self.htrans.connect();
        self.hready.connect();
    }
}

/// HREADY/HRESP/HRDATA of the slave that owns the data phase (`AhbDecoder`'s flops say which);
/// with no owner OKAY with no wait state, or the default slave's ERROR. HRDATA is the OR of the
/// slaves' read data: each drives zero outside its own read data phase (the RAMs gate theirs with
/// their read flop, the bridge loads its register only for a completing read), so the memories'
/// late outputs pass one LUT here instead of a priority chain.
#[derive(LogicBlock)]
pub struct AhbMux {
    pub dsel_rom: Signal<In, bool>,
    pub dsel_ram: Signal<In, bool>,
    pub dsel_apb: Signal<In, bool>,
    pub derr1: Signal<In, bool>,
    pub derr2: Signal<In, bool>,
    pub rom_hreadyout: Signal<In, bool>,
    pub rom_hresp: Signal<In, bool>,
    pub rom_hrdata: Signal<In, Bits<32>>,
    pub ram_hreadyout: Signal<In, bool>,
    pub ram_hresp: Signal<In, bool>,
    pub ram_hrdata: Signal<In, Bits<32>>,
    pub apb_hreadyout: Signal<In, bool>,
    pub apb_hresp: Signal<In, bool>,
    pub apb_hrdata: Signal<In, Bits<32>>,
    /// The bus's HREADY (to the master and to every slave), HRESP and HRDATA.
    pub hready: Signal<Out, bool>,
    pub hresp: Signal<Out, bool>,
    pub hrdata: Signal<Out, Bits<32>>,
}

impl Default for AhbMux {
    fn default() -> Self {
        Self {
            dsel_rom: Default::default(),
            dsel_ram: Default::default(),
            dsel_apb: Default::default(),
            derr1: Default::default(),
            derr2: Default::default(),
            rom_hreadyout: Default::default(),
            rom_hresp: Default::default(),
            rom_hrdata: Default::default(),
            ram_hreadyout: Default::default(),
            ram_hresp: Default::default(),
            ram_hrdata: Default::default(),
            apb_hreadyout: Default::default(),
            apb_hresp: Default::default(),
            apb_hrdata: Default::default(),
            hready: Default::default(),
            hresp: Default::default(),
            hrdata: Default::default(),
        }
    }
}

impl Logic for AhbMux {
    #[hdl_gen]
    fn update(&mut self) {
        self.hready.next = true;
        self.hresp.next = false;
        self.hrdata.next = self.rom_hrdata.val() | self.ram_hrdata.val() | self.apb_hrdata.val();
        if self.dsel_rom.val() {
            self.hready.next = self.rom_hreadyout.val();
            self.hresp.next = self.rom_hresp.val();
        } else if self.dsel_ram.val() {
            self.hready.next = self.ram_hreadyout.val();
            self.hresp.next = self.ram_hresp.val();
        } else if self.dsel_apb.val() {
            self.hready.next = self.apb_hreadyout.val();
            self.hresp.next = self.apb_hresp.val();
        } else if self.derr1.val() {
            self.hready.next = false;
            self.hresp.next = true;
        } else if self.derr2.val() {
            self.hresp.next = true;
        }
    }
}

impl crate::gen::TopBlock for AhbMux {
    fn connect_inputs(&mut self) {
        self.dsel_rom.connect();
        self.dsel_ram.connect();
        self.dsel_apb.connect();
        self.derr1.connect();
        self.derr2.connect();
        self.rom_hreadyout.connect();
        self.rom_hresp.connect();
        self.rom_hrdata.connect();
        self.ram_hreadyout.connect();
        self.ram_hresp.connect();
        self.ram_hrdata.connect();
        self.apb_hreadyout.connect();
        self.apb_hresp.connect();
        self.apb_hrdata.connect();
    }
}
