//! The project's own primitives: a reset flop and a zero-extender, both lint-clean by construction.
//!
//! rust-hdl's `DFF` has no reset and uses an `initial` block, which chip flows reject, so every
//! state element in this project is an `RDff`. rust-hdl has no concatenation operator, so
//! widening a value without width warnings needs `ZeroExt`.

use rust_hdl::prelude::*;

/// D flip-flop with an asynchronous, active-low reset to zero (`rst_n`).
#[derive(Clone, Debug, LogicBlock)]
pub struct RDff<T: Synth> {
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
}

impl<T: Synth> Default for RDff<T> {
    fn default() -> Self {
        Self {
            d: Signal::default(),
            q: Signal::default(),
            clock: Signal::default(),
            rst_n: Signal::default(),
        }
    }
}

impl<T: Synth> Logic for RDff<T> {
    fn update(&mut self) {
        if !self.rst_n.val() {
            self.q.next = T::default();
        } else if self.clock.pos_edge() {
            self.q.next = self.d.val();
        }
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "always @(posedge clock or negedge rst_n) begin\n    if (!rst_n) q <= {:x};\n    else q <= d;\nend",
            T::default().verilog()
        ))
    }
}

/// Combinational zero-extension of an `M`-bit value to `N` bits (`N > M`).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ZeroExt<const M: usize, const N: usize> {
    pub a: Signal<In, Bits<M>>,
    pub y: Signal<Out, Bits<N>>,
}

impl<const M: usize, const N: usize> Logic for ZeroExt<M, N> {
    fn update(&mut self) {
        self.y.next = bit_cast::<N, M>(self.a.val());
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        assert!(N > M, "ZeroExt must widen");
        Verilog::Custom(format!("always @(*) y = {{{{{}{{1'b0}}}}, a}};", N - M))
    }
}

/// Byte-order swap of a 32-bit word: the bus is little-endian, SHA-256 words are big-endian.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ByteSwap32 {
    pub a: Signal<In, Bits<32>>,
    pub y: Signal<Out, Bits<32>>,
}

impl Logic for ByteSwap32 {
    fn update(&mut self) {
        let a = self.a.val();
        let mut y = Bits::<32>::default();
        for i in 0..32 {
            y = y.replace_bit(i, a.get_bit((3 - i / 8) * 8 + i % 8));
        }
        self.y.next = y;
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) y = {a[7:0], a[15:8], a[23:16], a[31:24]};".into())
    }
}

/// 16 x 32-bit RAM: one write port, one read port with a registered (synchronous) output, as
/// FPGA block RAM and ASIC RAM macros have. The array has no reset, like any RAM: users must
/// track which words are valid (the read register itself is reset).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct Ram16x32 {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub we: Signal<In, bool>,
    pub waddr: Signal<In, Bits<4>>,
    pub wdata: Signal<In, Bits<32>>,
    pub raddr: Signal<In, Bits<4>>,
    /// `mem[raddr]` as sampled at the previous rising edge.
    pub rdata: Signal<Out, Bits<32>>,
}

impl Logic for Ram16x32 {
    // The RAM is only simulated from Verilog; rust-hdl's simulator is not used for it.
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "reg [31:0] mem [0:15];\n\
             always @(posedge clock) begin\n    if (we) mem[waddr] <= wdata;\nend\n\
             always @(posedge clock or negedge rst_n) begin\n    if (!rst_n) rdata <= 32'h0;\n    else rdata <= mem[raddr];\nend"
                .into(),
        )
    }
}
