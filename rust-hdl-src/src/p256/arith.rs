//! The P-256 engine's leaf cells: the 256 x 16 multiplier, the Montgomery step, the modular
//! adder, the register-file RAM and the two ROMs.
//!
//! These are hand-written Verilog inside rust-hdl blocks, as the project's RAM and packing
//! primitives are: rust-hdl 0.46 has no concatenation and multiplies only 16 x 16, and each cell
//! here is a few lines of concatenations, part-selects and sums. They are only simulated from the
//! generated Verilog (Verilator, Icarus); rust-hdl's own simulator is not used for them.

use super::ucode;
use rust_hdl::prelude::*;

/// Fills a custom-Verilog cell's `Logic` impl: no rust-hdl simulation, `outs` connected.
macro_rules! verilog_cell {
    ($name:ident, [$($out:ident),*], $text:expr) => {
        impl Logic for $name {
            fn update(&mut self) {}
            fn connect(&mut self) {
                $(self.$out.connect();)*
            }
            fn hdl(&self) -> Verilog {
                Verilog::Custom($text)
            }
        }
    };
}

/// a x b for a 256-bit a and a 16-bit digit b, as two rows of sixteen 16 x 16 products (one DSP
/// each): the even products side by side in `e` (a_2j·b at bit 32j), the odd ones in `o`
/// (a_2j+1·b at bit 32j), so a·b = e + o·2^16 with no adder.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct Mul256x16 {
    pub a: Signal<In, Bits<256>>,
    pub b: Signal<In, Bits<16>>,
    pub e: Signal<Out, Bits<256>>,
    pub o: Signal<Out, Bits<256>>,
}

verilog_cell!(
    Mul256x16,
    [e, o],
    "integer j;\n\
     always @(*) begin\n\
     \x20   for (j = 0; j < 8; j = j + 1) begin\n\
     \x20       e[32*j +: 32] = {16'h0, a[32*j +: 16]} * {16'h0, b};\n\
     \x20       o[32*j +: 32] = {16'h0, a[32*j+16 +: 16]} * {16'h0, b};\n\
     \x20   end\n\
     end"
    .into()
);

/// One step of the digit-serial Montgomery multiplication, on a carry-save accumulator
/// (`sc` + `ss`) and a product (`e` + `o`·2^16):
/// - `shift` = 0: (sc, ss) + product, unshifted (mod n, before m·n is added);
/// - `shift` = 1: floor(((sc, ss) + product) / 2^16), plus, with `qen`, m·(p+1)/2^16 for the
///   digit m = the sum's low 16 bits (mod p: p = -1 mod 2^16, so m needs no multiplier and
///   m·(p+1)/2^16 = m·(2^32-1)·2^208 + m·2^176 + m·2^80).
///
/// `low` is the sum's low 16 bits: the digit m mod p; mod n the engine multiplies it by n'.
/// All rows are non-negative and the true sum stays below 2^274, so the carry-save tree drops
/// nothing.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct MontStep {
    pub sc: Signal<In, Bits<274>>,
    pub ss: Signal<In, Bits<274>>,
    pub e: Signal<In, Bits<256>>,
    pub o: Signal<In, Bits<256>>,
    pub shift: Signal<In, bool>,
    pub qen: Signal<In, bool>,
    pub sc_n: Signal<Out, Bits<274>>,
    pub ss_n: Signal<Out, Bits<274>>,
    pub low: Signal<Out, Bits<16>>,
}

verilog_cell!(
    MontStep,
    [sc_n, ss_n, low],
    "reg [17:0] lo18;\n\
     reg [15:0] m;\n\
     reg [47:0] m32;\n\
     reg [273:0] r1, r2, r3, r4, r5, r6, s1, c1, s2, c2, s3, c3;\n\
     always @(*) begin\n\
     \x20   lo18 = {2'b0, sc[15:0]} + {2'b0, ss[15:0]} + {2'b0, e[15:0]};\n\
     \x20   low = lo18[15:0];\n\
     \x20   m = lo18[15:0];\n\
     \x20   m32 = {m, 32'h0} - {32'h0, m};\n\
     \x20   r1 = shift ? {16'h0, sc[273:16]} : sc;\n\
     \x20   r2 = shift ? {16'h0, ss[273:16]} : ss;\n\
     \x20   r3 = shift ? {34'h0, e[255:16]} : {18'h0, e};\n\
     \x20   r4 = shift ? {18'h0, o} : {2'b0, o, 16'h0};\n\
     \x20   r5 = (shift & qen) ? {18'h0, m32, 16'h0, m, 80'h0, m, 80'h0} : 274'h0;\n\
     \x20   r6 = shift ? {272'h0, lo18[17:16]} : 274'h0;\n\
     \x20   s1 = r1 ^ r2 ^ r3;\n\
     \x20   c1 = {(r1[272:0] & r2[272:0]) | (r1[272:0] & r3[272:0]) | (r2[272:0] & r3[272:0]), 1'b0};\n\
     \x20   s2 = r4 ^ r5 ^ r6;\n\
     \x20   c2 = {(r4[272:0] & r5[272:0]) | (r4[272:0] & r6[272:0]) | (r5[272:0] & r6[272:0]), 1'b0};\n\
     \x20   s3 = s1 ^ c1 ^ s2;\n\
     \x20   c3 = {(s1[272:0] & c1[272:0]) | (s1[272:0] & s2[272:0]) | (c1[272:0] & s2[272:0]), 1'b0};\n\
     \x20   sc_n = s3 ^ c3 ^ c2;\n\
     \x20   ss_n = {(s3[272:0] & c3[272:0]) | (s3[272:0] & c2[272:0]) | (c3[272:0] & c2[272:0]), 1'b0};\n\
     end"
    .into()
);

/// Modular add or subtract, mod p or n (`modn`), of x and y below 2^257, in two pipeline stages
/// so no carry chain is longer than 130 bits: t = x + y (or x - y) and u = t - M (or t + M), u
/// from a carry-save row, each as a low half (bits 128:0, registered with its carry) and then a
/// high half. The result, a cycle after the inputs, is u if x + y >= M (add) or x - y < 0
/// (subtract), else t. With inputs below M (or a carry-save pair summing below 2M) it is below M.
/// `ge` is x + y >= M (add): with y = 0, x >= M, the range checks.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ModAlu {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub x: Signal<In, Bits<257>>,
    pub y: Signal<In, Bits<257>>,
    pub sub: Signal<In, bool>,
    pub modn: Signal<In, bool>,
    pub res: Signal<Out, Bits<256>>,
    pub ge: Signal<Out, bool>,
}

verilog_cell!(ModAlu, [res, ge], {
    let p = ucode::P_HEX;
    let n = ucode::N_HEX;
    format!(
        "reg [255:0] m;\n\
         reg [258:0] xe, ye, me, s, c;\n\
         reg [129:0] tl, ul;\n\
         reg [128:0] tl_q, ul_q;\n\
         reg tc_q, uc_q, sub_q;\n\
         reg [129:0] xh_q, yh_q, sh_q, ch_q;\n\
         // th and uh: bits 128:127 only carry into the sign, bit 129 (bit 258 of t and u).\n\
         /* verilator lint_off UNUSEDSIGNAL */\n\
         reg [129:0] th, uh;\n\
         /* verilator lint_on UNUSEDSIGNAL */\n\
         always @(*) begin\n\
         \x20   m = modn ? 256'h{n} : 256'h{p};\n\
         \x20   xe = {{2'b0, x}};\n\
         \x20   ye = sub ? ~{{2'b0, y}} : {{2'b0, y}};\n\
         \x20   me = sub ? {{3'b0, m}} : ~{{3'b0, m}};\n\
         \x20   s = xe ^ ye ^ me;\n\
         \x20   c = {{(xe[257:0] & ye[257:0]) | (xe[257:0] & me[257:0]) | (ye[257:0] & me[257:0]), 1'b1}};\n\
         \x20   tl = {{1'b0, xe[128:0]}} + {{1'b0, ye[128:0]}} + {{129'h0, sub}};\n\
         \x20   ul = {{1'b0, s[128:0]}} + {{1'b0, c[128:0]}};\n\
         end\n\
         always @(posedge clock or negedge rst_n) begin\n\
         \x20   if (!rst_n) begin\n\
         \x20       tl_q <= 129'h0; ul_q <= 129'h0; tc_q <= 1'b0; uc_q <= 1'b0; sub_q <= 1'b0;\n\
         \x20       xh_q <= 130'h0; yh_q <= 130'h0; sh_q <= 130'h0; ch_q <= 130'h0;\n\
         \x20   end else begin\n\
         \x20       tl_q <= tl[128:0]; ul_q <= ul[128:0]; tc_q <= tl[129]; uc_q <= ul[129]; sub_q <= sub;\n\
         \x20       xh_q <= xe[258:129]; yh_q <= ye[258:129]; sh_q <= s[258:129]; ch_q <= c[258:129];\n\
         \x20   end\n\
         end\n\
         always @(*) begin\n\
         \x20   th = xh_q + yh_q + {{129'h0, tc_q}};\n\
         \x20   uh = sh_q + ch_q + {{129'h0, uc_q}};\n\
         \x20   ge = !uh[129];\n\
         \x20   res = (sub_q ? th[129] : !uh[129]) ? {{uh[126:0], ul_q}} : {{th[126:0], tl_q}};\n\
         end"
    )
});

/// The register file's RAM: 64 words of 256 bits, one write port with a 32-bit word mask, one
/// registered read port (the engine keeps two copies for two reads). No reset on the array, like
/// any RAM; the engine zeroes it after reset.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct RfRam {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub we: Signal<In, bool>,
    pub wmask: Signal<In, Bits<8>>,
    pub waddr: Signal<In, Bits<6>>,
    pub wdata: Signal<In, Bits<256>>,
    pub raddr: Signal<In, Bits<6>>,
    pub rdata: Signal<Out, Bits<256>>,
}

verilog_cell!(
    RfRam,
    [rdata],
    "reg [255:0] mem [0:63];\n\
     integer i;\n\
     always @(posedge clock) begin\n\
     \x20   for (i = 0; i < 8; i = i + 1) begin\n\
     \x20       if (we & wmask[i]) mem[waddr][32*i +: 32] <= wdata[32*i +: 32];\n\
     \x20   end\n\
     end\n\
     always @(posedge clock or negedge rst_n) begin\n\
     \x20   if (!rst_n) rdata <= 256'h0;\n\
     \x20   else rdata <= mem[raddr];\n\
     end"
        .into()
);

/// The microcode ROM (`ucode::program()`), combinational.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct UcodeRom {
    pub addr: Signal<In, Bits<{ ucode::UPC_BITS }>>,
    pub data: Signal<Out, Bits<{ ucode::UWORD_BITS }>>,
}

verilog_cell!(UcodeRom, [data], {
    let mut v = String::from("// P-256 microcode ROM (ucode.rs)\nalways @(*) begin\n    case (addr)\n");
    for (i, w) in ucode::program().iter().enumerate() {
        v += &format!("        {}'d{i}: data = {}'h{w:x};\n", ucode::UPC_BITS, ucode::UWORD_BITS);
    }
    v += &format!("        default: data = {}'h0;\n    endcase\nend", ucode::UWORD_BITS);
    v
});

/// The constant ROM (`ucode::CONSTANTS_HEX`), combinational.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct ConstRom {
    pub addr: Signal<In, Bits<4>>,
    pub data: Signal<Out, Bits<256>>,
}

verilog_cell!(ConstRom, [data], {
    let mut v = String::from("// P-256 constants (ucode.rs)\nalways @(*) begin\n    case (addr)\n");
    for (i, h) in ucode::CONSTANTS_HEX.iter().enumerate() {
        v += &format!("        4'd{i}: data = 256'h{h};\n");
    }
    v += "        default: data = 256'h0;\n    endcase\nend";
    v
});
