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

/// The APB protocol check every completer's front end makes (`AW`-bit addresses). A transfer's
/// request is latched in its first access cycle; `viol` is 1 in an access cycle that breaks the
/// protocol: an access phase with no setup phase before it, a request (`paddr`, `pwrite`,
/// `pwdata`, `pstrb`, `pmaster`) that changed during the wait states, or the first access after
/// a transfer was left in a wait state (`psel` or `penable` dropped before `pready`). The block
/// then completes the transfer at once with PSLVERR (`ERR_PROTOCOL`), so it never answers for
/// another address than the one it started on (`pwdata` is compared on writes only). Hand-written Verilog: `pready` (the block's own
/// answer) only feeds the flops, so `viol` cannot form a loop with it.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ApbGuard<const AW: usize> {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub psel: Signal<In, bool>,
    pub penable: Signal<In, bool>,
    pub pready: Signal<In, bool>,
    pub pwrite: Signal<In, bool>,
    pub paddr: Signal<In, Bits<AW>>,
    pub pwdata: Signal<In, Bits<32>>,
    pub pstrb: Signal<In, Bits<4>>,
    pub pmaster: Signal<In, Bits<4>>,
    pub viol: Signal<Out, bool>,
}

impl<const AW: usize> Logic for ApbGuard<AW> {
    // Simulated only from Verilog (as `Ram`); rust-hdl's simulator is not used for it.
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.viol.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg wait_q, setup_q, bad_q, w_q;
reg [{a}:0] a_q;
reg [31:0] d_q;
reg [3:0] s_q, m_q;
always @(posedge clock or negedge rst_n) begin
    if (!rst_n) begin
        wait_q <= 1'b0; setup_q <= 1'b0; bad_q <= 1'b0; w_q <= 1'b0;
        a_q <= {aw}'d0; d_q <= 32'd0; s_q <= 4'd0; m_q <= 4'd0;
    end else begin
        if (psel & penable & !wait_q) begin
            w_q <= pwrite; a_q <= paddr; d_q <= pwdata; s_q <= pstrb; m_q <= pmaster;
        end
        if (wait_q & !(psel & penable)) bad_q <= 1'b1;
        else if (psel & penable & pready) bad_q <= 1'b0;
        setup_q <= psel & !penable;
        wait_q <= psel & penable & !pready;
    end
end
// pwdata counts only on a write (APB4 leaves it undefined on a read).
always @(*) viol = psel & penable & (bad_q | (!wait_q & !setup_q)
    | (wait_q & ((pwrite != w_q) | (paddr != a_q) | (w_q & (pwdata != d_q)) | (pstrb != s_q) | (pmaster != m_q))));",
            a = AW - 1,
            aw = AW
        ))
    }
}

/// Rule 1 of the APB protocol check alone (`ApbGuard`): `bare` is 1 in an access cycle with no
/// setup phase and no wait state in the cycle before it. For a completer that never waits (the
/// firewall's config page): it has nothing to latch, and its next access must not be refused
/// because a transfer to another window was abandoned. `pready` is the upstream answer.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ApbSetupCheck {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub psel: Signal<In, bool>,
    pub penable: Signal<In, bool>,
    pub pready: Signal<In, bool>,
    pub bare: Signal<Out, bool>,
}

impl Logic for ApbSetupCheck {
    // Simulated only from Verilog (as `Ram`).
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.bare.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "reg wait_q, setup_q;
always @(posedge clock or negedge rst_n) begin
    if (!rst_n) begin
        wait_q <= 1'b0; setup_q <= 1'b0;
    end else begin
        setup_q <= psel & !penable;
        wait_q <= psel & penable & !pready;
    end
end
always @(*) bare = psel & penable & !wait_q & !setup_q;"
                .into(),
        )
    }
}

/// One `W`-bit value fanned out to eight lanes, each gated by its select: lane k (bits
/// `W*k+W-1:W*k` of `y`, `Y = 8 * W`) is `x` when `sel[k]` is 1, else 0. A downstream bus per
/// window, so a window's pins carry nothing unless that window is selected.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct LaneGate8<const W: usize, const Y: usize> {
    pub sel: Signal<In, Bits<8>>,
    pub x: Signal<In, Bits<W>>,
    pub y: Signal<Out, Bits<Y>>,
}

impl<const W: usize, const Y: usize> Logic for LaneGate8<W, Y> {
    fn update(&mut self) {
        let mut y = Bits::<Y>::default();
        for k in 0..8 {
            if self.sel.val().get_bit(k) {
                for i in 0..W {
                    y = y.replace_bit(W * k + i, self.x.val().get_bit(i));
                }
            }
        }
        self.y.next = y;
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        assert_eq!(Y, 8 * W, "LaneGate8: Y must be 8 * W");
        let lanes: Vec<String> = (0..8).rev().map(|k| format!("({{{W}{{sel[{k}]}}}} & x)")).collect();
        Verilog::Custom(format!("always @(*) y = {{{}}};", lanes.join(", ")))
    }
}

/// The 3-bit check code that a sparse control state stores beside its flags (issue 11 B): 110,
/// 101 or 011 for the first of `s110`, `s101`, `s011` that is 1, else 000. With the flags, each
/// state's code is at Hamming distance 3 or more from every other; a block computes it twice, from
/// the flags' `d` (the code to store) and from their `q` (the code to expect).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct CheckCode3 {
    pub s110: Signal<In, bool>,
    pub s101: Signal<In, bool>,
    pub s011: Signal<In, bool>,
    pub code: Signal<Out, Bits<3>>,
}

impl Logic for CheckCode3 {
    fn update(&mut self) {
        self.code.next = bits::<3>(if self.s110.val() {
            0b110
        } else if self.s101.val() {
            0b101
        } else if self.s011.val() {
            0b011
        } else {
            0
        });
    }
    fn connect(&mut self) {
        self.code.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) code = s110 ? 3'b110 : (s101 ? 3'b101 : (s011 ? 3'b011 : 3'b000));".into())
    }
}

/// The 3 check bits of a 3-bit state (a shortened Hamming code): `{s1^s2, s0^s2, s0^s1}`. Each
/// state bit feeds two check bits, so state and check bits together keep every pair of states at
/// Hamming distance 3 or more; a block stores the code of its next state and compares the stored
/// code with that of its current state.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct StateCode3 {
    pub s: Signal<In, Bits<3>>,
    pub code: Signal<Out, Bits<3>>,
}

impl Logic for StateCode3 {
    fn update(&mut self) {
        let s = self.s.val();
        let b = |i: usize| s.get_bit(i);
        let mut c = Bits::<3>::default();
        c = c.replace_bit(0, b(0) ^ b(1));
        c = c.replace_bit(1, b(0) ^ b(2));
        c = c.replace_bit(2, b(1) ^ b(2));
        self.code.next = c;
    }
    fn connect(&mut self) {
        self.code.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) code = {s[1] ^ s[2], s[0] ^ s[2], s[0] ^ s[1]};".into())
    }
}

/// Byte-order reversal of an `N`-bit value (`N` a multiple of 8): the bus is little-endian,
/// SHA-256 words are big-endian, and the AES core takes the fuse key's bytes the other way round.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ByteSwap<const N: usize> {
    pub a: Signal<In, Bits<N>>,
    pub y: Signal<Out, Bits<N>>,
}

/// A 32-bit word's byte swap.
pub type ByteSwap32 = ByteSwap<32>;

impl<const N: usize> Logic for ByteSwap<N> {
    fn update(&mut self) {
        let a = self.a.val();
        let mut y = Bits::<N>::default();
        for i in 0..N {
            y = y.replace_bit(i, a.get_bit((N / 8 - 1 - i / 8) * 8 + i % 8));
        }
        self.y.next = y;
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        assert!(N % 8 == 0, "ByteSwap takes whole bytes");
        // Byte 0 goes to the top: {a[7:0], a[15:8], ...}.
        let bytes: Vec<String> = (0..N / 8).map(|k| format!("a[{}:{}]", 8 * k + 7, 8 * k)).collect();
        Verilog::Custom(format!("always @(*) y = {{{}}};", bytes.join(", ")))
    }
}

/// RAM of `2^AW` words of `W` bits: one write port, one read port with a registered (synchronous)
/// output, as FPGA block RAM and ASIC RAM macros have. The array has no reset, like any RAM: users
/// must track which words are valid (the read register itself is reset).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct Ram<const AW: usize, const W: usize> {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub we: Signal<In, bool>,
    pub waddr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<W>>,
    pub raddr: Signal<In, Bits<AW>>,
    /// `mem[raddr]` as sampled at the previous rising edge.
    pub rdata: Signal<Out, Bits<W>>,
}

/// The 16 x 32 RAM the SHA-256 engine uses for its buffer and key.
pub type Ram16x32 = Ram<4, 32>;

impl<const AW: usize, const W: usize> Logic for Ram<AW, W> {
    // The RAM is only simulated from Verilog; rust-hdl's simulator is not used for it.
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [{}:0] mem [0:{}];\n\
             always @(posedge clock) begin\n    if (we) mem[waddr] <= wdata;\nend\n\
             always @(posedge clock or negedge rst_n) begin\n    if (!rst_n) rdata <= {}'h0;\n    else rdata <= mem[raddr];\nend",
            W - 1,
            (1usize << AW) - 1,
            W
        ))
    }
}

/// Register-file RAM of `2^AW` words of `W` bits: one synchronous write port and two
/// asynchronous read ports, which FPGA tools map to distributed (LUT) RAM, one copy per read
/// port. Like any RAM the array has no reset; the user writes a word before reading it, or the
/// architecture leaves it UNKNOWN (the soft core's R0-R12).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct RegRam<const AW: usize, const W: usize> {
    pub clock: Signal<In, Clock>,
    pub we: Signal<In, bool>,
    pub waddr: Signal<In, Bits<AW>>,
    pub wdata: Signal<In, Bits<W>>,
    pub raddr_a: Signal<In, Bits<AW>>,
    /// `mem[raddr_a]` now (combinational).
    pub rdata_a: Signal<Out, Bits<W>>,
    pub raddr_b: Signal<In, Bits<AW>>,
    pub rdata_b: Signal<Out, Bits<W>>,
}

impl<const AW: usize, const W: usize> Logic for RegRam<AW, W> {
    // Like `Ram`, only simulated from Verilog.
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.rdata_a.connect();
        self.rdata_b.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "reg [{}:0] mem [0:{}];\n\
             always @(posedge clock) begin\n    if (we) mem[waddr] <= wdata;\nend\n\
             always @(*) rdata_a = mem[raddr_a];\n\
             always @(*) rdata_b = mem[raddr_b];",
            W - 1,
            (1usize << AW) - 1
        ))
    }
}

/// Eight single bits packed into a byte: `y = {b7, ..., b0}` (rust-hdl has no concatenation).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct PackBits8 {
    pub b0: Signal<In, bool>,
    pub b1: Signal<In, bool>,
    pub b2: Signal<In, bool>,
    pub b3: Signal<In, bool>,
    pub b4: Signal<In, bool>,
    pub b5: Signal<In, bool>,
    pub b6: Signal<In, bool>,
    pub b7: Signal<In, bool>,
    pub y: Signal<Out, Bits<8>>,
}

impl Logic for PackBits8 {
    fn update(&mut self) {
        let b = [&self.b0, &self.b1, &self.b2, &self.b3, &self.b4, &self.b5, &self.b6, &self.b7];
        let mut y = Bits::<8>::default();
        for (i, s) in b.iter().enumerate() {
            y = y.replace_bit(i, s.val());
        }
        self.y.next = y;
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) y = {b7, b6, b5, b4, b3, b2, b1, b0};".into())
    }
}

/// Eight 32-bit words packed into 256 bits: `y = {w7, ..., w0}` (word k at bits 32k+31:32k).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct PackWords8 {
    pub w0: Signal<In, Bits<32>>,
    pub w1: Signal<In, Bits<32>>,
    pub w2: Signal<In, Bits<32>>,
    pub w3: Signal<In, Bits<32>>,
    pub w4: Signal<In, Bits<32>>,
    pub w5: Signal<In, Bits<32>>,
    pub w6: Signal<In, Bits<32>>,
    pub w7: Signal<In, Bits<32>>,
    pub y: Signal<Out, Bits<256>>,
}

impl Logic for PackWords8 {
    fn update(&mut self) {
        let w = [&self.w0, &self.w1, &self.w2, &self.w3, &self.w4, &self.w5, &self.w6, &self.w7];
        let mut y = Bits::<256>::default();
        for (k, s) in w.iter().enumerate() {
            for i in 0..32 {
                y = y.replace_bit(32 * k + i, s.val().get_bit(i));
            }
        }
        self.y.next = y;
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom("always @(*) y = {w7, w6, w5, w4, w3, w2, w1, w0};".into())
    }
}

/// The `ERR_INFO` register every APB block keeps: the first refused access since the last clear,
/// as CODE | MASTER << 4 | WRITE << 8 | ADDR << 16, and OVERFLOW (bit 31) once more follow.
/// `info` comes straight from the flop, so a block may compute `err` from its decode and read
/// `info` back in the same logic without a combinational loop.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ErrLog {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// The access phase of a transfer (`psel & penable`); refusals never wait.
    pub access: Signal<In, bool>,
    /// The transfer's error code (0: none).
    pub err: Signal<In, Bits<4>>,
    pub pwrite: Signal<In, bool>,
    pub pmaster: Signal<In, Bits<4>>,
    pub paddr: Signal<In, Bits<12>>,
    /// An accepted write to `ERR_INFO` (any value clears it).
    pub clear: Signal<In, bool>,
    pub info: Signal<Out, Bits<32>>,
}

impl Logic for ErrLog {
    // Only simulated from Verilog, like the RAMs.
    fn update(&mut self) {}
    fn connect(&mut self) {
        self.info.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "always @(posedge clock or negedge rst_n) begin\n    \
                 if (!rst_n) info <= 32'h0;\n    \
                 else if (clear) info <= 32'h0;\n    \
                 else if (access && err != 4'h0) begin\n        \
                     if (info == 32'h0) info <= {4'h0, paddr, 7'h0, pwrite, pmaster, err};\n        \
                     else info <= {1'b1, info[30:0]};\n    \
                 end\n\
             end"
                .into(),
        )
    }
}
