//! AHB-Lite to APB4 bridge (`AhbApbBridge`) with the master-ID sideband and a two-slot APB decode.

use super::c;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

/// AHB-Lite slave for a 128 KB window; APB4 master to slot 0 (offset 0, `2^SLOT0_BITS` bytes)
/// and slot 1 (4 KB right after slot 0). `pluton_m0sys` uses two 4 KB slots (`SLOT0_BITS` = 12);
/// `pluton_soc` gives slot 0 the security subsystem's whole 64 KB map (16). Any other offset, a
/// misaligned transfer or one wider than a word gets a two-cycle AHB ERROR without an APB
/// transfer.
///
/// An accepted AHB address phase is followed by APB SETUP (1 cycle), ACCESS (until PREADY) and a
/// response cycle: the AHB data phase takes 3 cycles plus one per PREADY-low cycle. The response
/// (`hreadyout`, `hresp`, `hrdata`) comes from flops only, so no path runs from a completer's
/// decode through PREADY/PRDATA into the core's next-state logic. PSLVERR turns the response into
/// the two-cycle ERROR. `paddr` is the word-aligned offset (16 bits; a slot uses its low bits);
/// `pstrb` gives the written lanes (0 on reads). `pwdata` is HWDATA registered at the end of
/// SETUP, so it is valid in ACCESS (where completers use it) but not yet in SETUP: a
/// combinational HWDATA -> PWDATA path would close a loop through the core.
#[derive(LogicBlock)]
pub struct AhbApbBridge<const SLOT0_BITS: usize> {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub hsel: Signal<In, bool>,
    /// HADDR[16:0]: offset in the bridge's window.
    pub haddr: Signal<In, Bits<17>>,
    pub htrans: Signal<In, Bits<2>>,
    pub hsize: Signal<In, Bits<3>>,
    pub hwrite: Signal<In, bool>,
    pub hwdata: Signal<In, Bits<32>>,
    pub hready: Signal<In, bool>,
    /// Master ID of the address phase (AHB HMASTER), passed to APB as `pmaster`.
    pub hmaster: Signal<In, Bits<4>>,
    pub hreadyout: Signal<Out, bool>,
    pub hresp: Signal<Out, bool>,
    pub hrdata: Signal<Out, Bits<32>>,
    // APB4 master.
    pub psel0: Signal<Out, bool>,
    pub psel1: Signal<Out, bool>,
    pub penable: Signal<Out, bool>,
    pub pwrite: Signal<Out, bool>,
    pub paddr: Signal<Out, Bits<16>>,
    pub pwdata: Signal<Out, Bits<32>>,
    pub pstrb: Signal<Out, Bits<4>>,
    pub pmaster: Signal<Out, Bits<4>>,
    pub prdata0: Signal<In, Bits<32>>,
    pub pready0: Signal<In, bool>,
    pub pslverr0: Signal<In, bool>,
    pub prdata1: Signal<In, Bits<32>>,
    pub pready1: Signal<In, bool>,
    pub pslverr1: Signal<In, bool>,

    /// APB phase: SETUP, ACCESS; AHB ERROR first and second cycle (the OKAY response cycle
    /// needs no flop: it is the cycle after ACCESS that is not ERROR).
    setup: RDff<bool>,
    access: RDff<bool>,
    err1: RDff<bool>,
    err2: RDff<bool>,
    /// The transfer, captured at the AHB address phase.
    slot1: RDff<bool>,
    addr_r: RDff<Bits<16>>,
    write_r: RDff<bool>,
    strb_r: RDff<Bits<4>>,
    master_r: RDff<Bits<4>>,
    wdata_r: RDff<Bits<32>>,
    /// The completer's read data, held for the response cycle only (0 otherwise).
    rdata_r: RDff<Bits<32>>,

    nonseq: Constant<Bits<2>>,
    seq: Constant<Bits<2>>,
    sz_byte: Constant<Bits<3>>,
    sz_half: Constant<Bits<3>>,
    sz_word: Constant<Bits<3>>,
    lane0: Constant<Bits<4>>,
    lane1: Constant<Bits<4>>,
    lane2: Constant<Bits<4>>,
    lane3: Constant<Bits<4>>,
    lanes_lo: Constant<Bits<4>>,
    lanes_hi: Constant<Bits<4>>,
    lanes_all: Constant<Bits<4>>,
    zero4: Constant<Bits<4>>,
    zero32: Constant<Bits<32>>,
    word_mask: Constant<Bits<16>>,
    slot0_mask: Constant<Bits<17>>,
    slot1_mask: Constant<Bits<17>>,
    slot1_base: Constant<Bits<17>>,
    zero17: Constant<Bits<17>>,

    active: Signal<Local, bool>,
    lanes: Signal<Local, Bits<4>>,
    bad: Signal<Local, bool>,
    mapped: Signal<Local, bool>,
    in_slot0: Signal<Local, bool>,
    ready_sel: Signal<Local, bool>,
    err_sel: Signal<Local, bool>,
    rdata_sel: Signal<Local, Bits<32>>,
    done: Signal<Local, bool>,
}

impl<const SLOT0_BITS: usize> Default for AhbApbBridge<SLOT0_BITS> {
    fn default() -> Self {
        assert!((12..=16).contains(&SLOT0_BITS), "slot 0 is 4 KB to 64 KB");
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            hsel: Default::default(),
            haddr: Default::default(),
            htrans: Default::default(),
            hsize: Default::default(),
            hwrite: Default::default(),
            hwdata: Default::default(),
            hready: Default::default(),
            hmaster: Default::default(),
            hreadyout: Default::default(),
            hresp: Default::default(),
            hrdata: Default::default(),
            psel0: Default::default(),
            psel1: Default::default(),
            penable: Default::default(),
            pwrite: Default::default(),
            paddr: Default::default(),
            pwdata: Default::default(),
            pstrb: Default::default(),
            pmaster: Default::default(),
            prdata0: Default::default(),
            pready0: Default::default(),
            pslverr0: Default::default(),
            prdata1: Default::default(),
            pready1: Default::default(),
            pslverr1: Default::default(),
            setup: Default::default(),
            access: Default::default(),
            err1: Default::default(),
            err2: Default::default(),
            slot1: Default::default(),
            addr_r: Default::default(),
            write_r: Default::default(),
            strb_r: Default::default(),
            master_r: Default::default(),
            wdata_r: Default::default(),
            rdata_r: Default::default(),
            nonseq: c(0b10),
            seq: c(0b11),
            sz_byte: c(0),
            sz_half: c(1),
            sz_word: c(2),
            lane0: c(0b0001),
            lane1: c(0b0010),
            lane2: c(0b0100),
            lane3: c(0b1000),
            lanes_lo: c(0b0011),
            lanes_hi: c(0b1100),
            lanes_all: c(0b1111),
            zero4: c(0),
            zero32: c(0),
            word_mask: c(0xfffc),
            slot0_mask: c(0x1_ffff & !((1u64 << SLOT0_BITS) - 1)),
            slot1_mask: c(0x1_f000),
            slot1_base: c(1u64 << SLOT0_BITS),
            zero17: c(0),
            active: Default::default(),
            lanes: Default::default(),
            bad: Default::default(),
            mapped: Default::default(),
            in_slot0: Default::default(),
            ready_sel: Default::default(),
            err_sel: Default::default(),
            rdata_sel: Default::default(),
            done: Default::default(),
        }
    }
}

impl<const SLOT0_BITS: usize> Logic for AhbApbBridge<SLOT0_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        self.setup.clock.next = self.clock.val();
        self.access.clock.next = self.clock.val();
        self.err1.clock.next = self.clock.val();
        self.err2.clock.next = self.clock.val();
        self.slot1.clock.next = self.clock.val();
        self.addr_r.clock.next = self.clock.val();
        self.write_r.clock.next = self.clock.val();
        self.strb_r.clock.next = self.clock.val();
        self.master_r.clock.next = self.clock.val();
        self.wdata_r.clock.next = self.clock.val();
        self.rdata_r.clock.next = self.clock.val();
        self.setup.rst_n.next = self.rst_n.val();
        self.access.rst_n.next = self.rst_n.val();
        self.err1.rst_n.next = self.rst_n.val();
        self.err2.rst_n.next = self.rst_n.val();
        self.slot1.rst_n.next = self.rst_n.val();
        self.addr_r.rst_n.next = self.rst_n.val();
        self.write_r.rst_n.next = self.rst_n.val();
        self.strb_r.rst_n.next = self.rst_n.val();
        self.master_r.rst_n.next = self.rst_n.val();
        self.wdata_r.rst_n.next = self.rst_n.val();
        self.rdata_r.rst_n.next = self.rst_n.val();

        // ---- AHB address phase.
        self.active.next = self.hsel.val()
            & self.hready.val()
            & ((self.htrans.val() == self.nonseq.val()) | (self.htrans.val() == self.seq.val()));
        self.in_slot0.next = (self.haddr.val() & self.slot0_mask.val()) == self.zero17.val();
        self.mapped.next = self.in_slot0.val() | ((self.haddr.val() & self.slot1_mask.val()) == self.slot1_base.val());
        self.lanes.next = self.zero4.val();
        self.bad.next = true;
        if self.hsize.val() == self.sz_byte.val() {
            self.bad.next = false;
            match self.haddr.val().get_bits::<2>(0).index() {
                0 => self.lanes.next = self.lane0.val(),
                1 => self.lanes.next = self.lane1.val(),
                2 => self.lanes.next = self.lane2.val(),
                _ => self.lanes.next = self.lane3.val(),
            }
        } else if self.hsize.val() == self.sz_half.val() {
            self.bad.next = self.haddr.val().get_bit(0);
            self.lanes.next = self.lanes_lo.val();
            if self.haddr.val().get_bit(1) {
                self.lanes.next = self.lanes_hi.val();
            }
        } else if self.hsize.val() == self.sz_word.val() {
            self.bad.next = self.haddr.val().get_bit(0) | self.haddr.val().get_bit(1);
            self.lanes.next = self.lanes_all.val();
        }

        // ---- The selected APB slot's answer (meaningful in ACCESS).
        self.ready_sel.next = self.pready0.val();
        self.err_sel.next = self.pslverr0.val();
        self.rdata_sel.next = self.prdata0.val();
        if self.slot1.q.val() {
            self.ready_sel.next = self.pready1.val();
            self.err_sel.next = self.pslverr1.val();
            self.rdata_sel.next = self.prdata1.val();
        }

        // ---- AHB response, from flops: waits through SETUP and ACCESS, then OKAY or ERROR.
        self.hreadyout.next = !(self.setup.q.val() | self.access.q.val() | self.err1.q.val());
        self.hresp.next = self.err1.q.val() | self.err2.q.val();
        self.hrdata.next = self.rdata_r.q.val();

        // ---- Phase sequencing. PSLVERR and a refused transfer both become ERROR cycle 1.
        self.done.next = self.access.q.val() & self.ready_sel.val();
        self.setup.d.next = false;
        self.access.d.next = self.setup.q.val() | (self.access.q.val() & !self.ready_sel.val());
        self.err1.d.next = self.done.val() & self.err_sel.val();
        self.err2.d.next = self.err1.q.val();
        self.rdata_r.d.next = self.zero32.val();
        if self.done.val() & !self.err_sel.val() & !self.write_r.q.val() {
            self.rdata_r.d.next = self.rdata_sel.val();
        }
        self.slot1.d.next = self.slot1.q.val();
        self.addr_r.d.next = self.addr_r.q.val();
        self.write_r.d.next = self.write_r.q.val();
        self.strb_r.d.next = self.strb_r.q.val();
        self.master_r.d.next = self.master_r.q.val();
        if self.active.val() {
            if self.bad.val() | !self.mapped.val() {
                self.err1.d.next = true;
            } else {
                self.setup.d.next = true;
                self.slot1.d.next = !self.in_slot0.val();
                self.addr_r.d.next = self.haddr.val().get_bits::<16>(0) & self.word_mask.val();
                self.write_r.d.next = self.hwrite.val();
                self.strb_r.d.next = self.zero4.val();
                if self.hwrite.val() {
                    self.strb_r.d.next = self.lanes.val();
                }
                self.master_r.d.next = self.hmaster.val();
            }
        }

        // HWDATA is valid from the first data-phase cycle (SETUP) and held by the master.
        self.wdata_r.d.next = self.wdata_r.q.val();
        if self.setup.q.val() & self.write_r.q.val() {
            self.wdata_r.d.next = self.hwdata.val();
        }

        // ---- APB outputs, from flops.
        self.psel0.next = (self.setup.q.val() | self.access.q.val()) & !self.slot1.q.val();
        self.psel1.next = (self.setup.q.val() | self.access.q.val()) & self.slot1.q.val();
        self.penable.next = self.access.q.val();
        self.pwrite.next = self.write_r.q.val();
        self.paddr.next = self.addr_r.q.val();
        self.pwdata.next = self.wdata_r.q.val();
        self.pstrb.next = self.strb_r.q.val();
        self.pmaster.next = self.master_r.q.val();
    }
}

impl<const SLOT0_BITS: usize> crate::gen::TopBlock for AhbApbBridge<SLOT0_BITS> {
    fn connect_inputs(&mut self) {
        self.clock.connect();
        self.rst_n.connect();
        self.hsel.connect();
        self.haddr.connect();
        self.htrans.connect();
        self.hsize.connect();
        self.hwrite.connect();
        self.hwdata.connect();
        self.hready.connect();
        self.hmaster.connect();
        self.prdata0.connect();
        self.pready0.connect();
        self.pslverr0.connect();
        self.prdata1.connect();
        self.pready1.connect();
        self.pslverr1.connect();
    }
}
