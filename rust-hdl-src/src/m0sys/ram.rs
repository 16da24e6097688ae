//! AHB-Lite SRAM/ROM (`AhbRam`): one 32-bit RAM with byte enables, zero wait states, a loader port, and a read-after-write bypass.

use super::c;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

/// RAM of `2^AW` 32-bit words with a write enable per byte lane and a registered read port, as
/// FPGA block RAM and ASIC RAM macros have. The array has no reset (its read register does).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct RamBe32<const AW: usize> {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// Byte lane write enables: `we[i]` writes `wdata[8i+7:8i]`.
    pub we: Signal<In, Bits<4>>,
    pub waddr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<32>>,
    pub raddr: Signal<In, Bits<AW>>,
    /// `mem[raddr]` as sampled at the previous rising edge (before that edge's write).
    pub rdata: Signal<Out, Bits<32>>,
}

impl<const AW: usize> Logic for RamBe32<AW> {
    // Only simulated from Verilog; rust-hdl's simulator is not used for it.
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [31:0] mem [0:{}];\n\
             always @(posedge clock) begin\n\
             \x20   if (we[0]) mem[waddr][7:0] <= wdata[7:0];\n\
             \x20   if (we[1]) mem[waddr][15:8] <= wdata[15:8];\n\
             \x20   if (we[2]) mem[waddr][23:16] <= wdata[23:16];\n\
             \x20   if (we[3]) mem[waddr][31:24] <= wdata[31:24];\n\
             end\n\
             always @(posedge clock or negedge rst_n) begin\n    if (!rst_n) rdata <= 32'h0;\n    else rdata <= mem[raddr];\nend",
            (1usize << AW) - 1
        ))
    }
}

/// AHB-Lite slave memory of `2^AW` words; `BA = AW + 2` is the width of its byte address `haddr`.
///
/// Zero wait states. Reads: the address phase drives the RAM's read address, the data arrives in
/// the data phase. Writes: `HWDATA` arrives in the data phase and is written at its end. A read
/// whose address phase is that data phase would get the old word from the RAM, so the written
/// bytes are forwarded to it (bypass). With `read_only` high (ROM), a write gets a two-cycle
/// ERROR and changes nothing. Sizes above a word and misaligned transfers get ERROR too.
#[derive(LogicBlock)]
pub struct AhbRam<const BA: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub hsel: Signal<In, bool>,
    pub haddr: Signal<In, Bits<BA>>,
    pub htrans: Signal<In, Bits<2>>,
    pub hsize: Signal<In, Bits<3>>,
    pub hwrite: Signal<In, bool>,
    pub hwdata: Signal<In, Bits<32>>,
    /// The bus's HREADY (the selected slave's HREADYOUT).
    pub hready: Signal<In, bool>,
    /// 1: ROM (bus writes are errors).
    pub read_only: Signal<In, bool>,
    /// Loader port: writes word `ld_addr` at the rising edge; has priority over bus writes. Use
    /// it while the core is held in reset.
    pub ld_we: Signal<In, bool>,
    pub ld_addr: Signal<In, Bits<AW>>,
    pub ld_data: Signal<In, Bits<32>>,
    pub hreadyout: Signal<Out, bool>,
    pub hresp: Signal<Out, bool>,
    pub hrdata: Signal<Out, Bits<32>>,

    array: RamBe32<AW>,
    /// Data phase of an accepted write / read; first and second cycle of an ERROR response.
    wr: RDff<bool>,
    rd: RDff<bool>,
    err1: RDff<bool>,
    err2: RDff<bool>,
    /// Word address and byte lanes of the last address phase (used by a write's data phase).
    waddr_r: RDff<Bits<AW>>,
    wmask: RDff<Bits<4>>,
    /// Bypass: the read in its data phase gets `fwd_data` on the lanes in `fwd_lanes` (none when
    /// there is no bypass, so each data bit is one 4-input function: rd, lane, fwd_data, RAM).
    fwd_lanes: RDff<Bits<4>>,
    fwd_data: RDff<Bits<32>>,

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
    byte0: Constant<Bits<32>>,
    byte1: Constant<Bits<32>>,
    byte2: Constant<Bits<32>>,
    byte3: Constant<Bits<32>>,

    active: Signal<Local, bool>,
    word: Signal<Local, Bits<AW>>,
    lanes: Signal<Local, Bits<4>>,
    bad: Signal<Local, bool>,
    commit: Signal<Local, bool>,
    fwd_mask32: Signal<Local, Bits<32>>,
    wdata_masked: Signal<Local, Bits<32>>,
    wmask32: Signal<Local, Bits<32>>,
}

impl<const BA: usize, const AW: usize> Default for AhbRam<BA, AW> {
    fn default() -> Self {
        assert_eq!(BA, AW + 2, "AhbRam: BA must be AW + 2");
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
            read_only: Default::default(),
            ld_we: Default::default(),
            ld_addr: Default::default(),
            ld_data: Default::default(),
            hreadyout: Default::default(),
            hresp: Default::default(),
            hrdata: Default::default(),
            array: Default::default(),
            wr: Default::default(),
            rd: Default::default(),
            err1: Default::default(),
            err2: Default::default(),
            waddr_r: Default::default(),
            wmask: Default::default(),
            fwd_lanes: Default::default(),
            fwd_data: Default::default(),
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
            byte0: c(0x0000_00ff),
            byte1: c(0x0000_ff00),
            byte2: c(0x00ff_0000),
            byte3: c(0xff00_0000),
            active: Default::default(),
            word: Default::default(),
            lanes: Default::default(),
            bad: Default::default(),
            commit: Default::default(),
            fwd_mask32: Default::default(),
            wdata_masked: Default::default(),
            wmask32: Default::default(),
        }
    }
}

impl<const BA: usize, const AW: usize> Logic for AhbRam<BA, AW> {
    #[hdl_gen]
    fn update(&mut self) {
        self.array.clock.next = self.clock.val();
        self.wr.clock.next = self.clock.val();
        self.rd.clock.next = self.clock.val();
        self.err1.clock.next = self.clock.val();
        self.err2.clock.next = self.clock.val();
        self.waddr_r.clock.next = self.clock.val();
        self.wmask.clock.next = self.clock.val();
        self.fwd_lanes.clock.next = self.clock.val();
        self.fwd_data.clock.next = self.clock.val();
        self.array.rst_n.next = self.rst_n.val();
        self.wr.rst_n.next = self.rst_n.val();
        self.rd.rst_n.next = self.rst_n.val();
        self.err1.rst_n.next = self.rst_n.val();
        self.err2.rst_n.next = self.rst_n.val();
        self.waddr_r.rst_n.next = self.rst_n.val();
        self.wmask.rst_n.next = self.rst_n.val();
        self.fwd_lanes.rst_n.next = self.rst_n.val();
        self.fwd_data.rst_n.next = self.rst_n.val();

        // ---- Address phase: a transfer to this slave is accepted when HREADY is high.
        self.active.next = self.hsel.val()
            & self.hready.val()
            & ((self.htrans.val() == self.nonseq.val()) | (self.htrans.val() == self.seq.val()));
        self.word.next = self.haddr.val().get_bits::<AW>(2);
        // Byte lanes from HSIZE and HADDR[1:0] (little-endian); misaligned or too wide is bad.
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

        // ---- Data-phase state: one cycle per transfer (an ERROR takes two).
        self.wr.d.next = false;
        self.rd.d.next = false;
        self.err1.d.next = false;
        self.err2.d.next = self.err1.q.val();
        if self.active.val() {
            if self.bad.val() | (self.hwrite.val() & self.read_only.val()) {
                self.err1.d.next = true;
            } else if self.hwrite.val() {
                self.wr.d.next = true;
            } else {
                self.rd.d.next = true;
            }
        }
        self.waddr_r.d.next = self.waddr_r.q.val();
        self.wmask.d.next = self.wmask.q.val();
        if self.hready.val() {
            self.waddr_r.d.next = self.word.val();
            self.wmask.d.next = self.lanes.val();
        }

        // ---- RAM ports: reads addressed in the address phase, writes at the end of the data phase.
        self.commit.next = self.wr.q.val() & self.hready.val();
        self.array.raddr.next = self.word.val();
        self.array.we.next = self.zero4.val();
        self.array.waddr.next = self.waddr_r.q.val();
        self.array.wdata.next = self.hwdata.val();
        if self.commit.val() {
            self.array.we.next = self.wmask.q.val();
        }
        if self.ld_we.val() {
            self.array.we.next = self.lanes_all.val();
            self.array.waddr.next = self.ld_addr.val();
            self.array.wdata.next = self.ld_data.val();
        }

        // ---- Bypass: a read of the word being written in the same cycle gets the new bytes.
        self.wmask32.next = self.zero32.val();
        if self.wmask.q.val().get_bit(0) {
            self.wmask32.next = self.byte0.val();
        }
        if self.wmask.q.val().get_bit(1) {
            self.wmask32.next = self.wmask32.val() | self.byte1.val();
        }
        if self.wmask.q.val().get_bit(2) {
            self.wmask32.next = self.wmask32.val() | self.byte2.val();
        }
        if self.wmask.q.val().get_bit(3) {
            self.wmask32.next = self.wmask32.val() | self.byte3.val();
        }
        self.wdata_masked.next = self.hwdata.val() & self.wmask32.val();
        self.fwd_lanes.d.next = self.zero4.val();
        if self.commit.val() & self.active.val() & !self.hwrite.val() & (self.word.val() == self.waddr_r.q.val()) {
            self.fwd_lanes.d.next = self.wmask.q.val();
        }
        self.fwd_data.d.next = self.fwd_data.q.val();
        if self.commit.val() {
            self.fwd_data.d.next = self.wdata_masked.val();
        }
        self.fwd_mask32.next = self.zero32.val();
        if self.fwd_lanes.q.val().get_bit(0) {
            self.fwd_mask32.next = self.byte0.val();
        }
        if self.fwd_lanes.q.val().get_bit(1) {
            self.fwd_mask32.next = self.fwd_mask32.val() | self.byte1.val();
        }
        if self.fwd_lanes.q.val().get_bit(2) {
            self.fwd_mask32.next = self.fwd_mask32.val() | self.byte2.val();
        }
        if self.fwd_lanes.q.val().get_bit(3) {
            self.fwd_mask32.next = self.fwd_mask32.val() | self.byte3.val();
        }

        // ---- Response: from flops only (never from this cycle's request).
        self.hrdata.next = self.zero32.val();
        if self.rd.q.val() {
            self.hrdata.next = (self.array.rdata.val() & !self.fwd_mask32.val()) | (self.fwd_data.q.val() & self.fwd_mask32.val());
        }
        self.hreadyout.next = !self.err1.q.val();
        self.hresp.next = self.err1.q.val() | self.err2.q.val();
    }
}

impl<const BA: usize, const AW: usize> crate::gen::TopBlock for AhbRam<BA, AW> {
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
        self.read_only.connect();
        self.ld_we.connect();
        self.ld_addr.connect();
        self.ld_data.connect();
    }
}
