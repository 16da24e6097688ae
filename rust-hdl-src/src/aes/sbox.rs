//! AES S-boxes as look-up ROMs, with their tables computed from the FIPS 197 definition.
//!
//! FIPS 197 section 5.1.1 defines the S-box as the multiplicative inverse in GF(2^8) followed by
//! an affine map. The tables below are built from that definition by `const fn`s, so no table is
//! typed in by hand. Two primitives use them:
//! - `AesSboxFwd`: the S-box alone (one 256-entry ROM); the key schedule needs only this one.
//! - `AesSbox`: S-box or inverse S-box, chosen by `inv`, for the cipher state. Both directions
//!   share one ROM of the field inverse: `S(x) = A(x^-1)` and `S^-1(x) = (A^-1(x))^-1`, so only
//!   the cheap affine maps (XORs) differ. On ECP5 (Yosys `synth_ecp5`) this is about 210 LUT4
//!   per byte against 349 for two ROMs and a multiplexer; the forward ROM alone is 159.
//!
//! The ROMs are written as Verilog `case` tables (custom Verilog, as the project's other
//! primitives), so synthesis builds a ROM; their Rust `update` computes the same functions for
//! rust-hdl's simulator. The Verilog test in `core.rs` checks that the two agree.

use rust_hdl::prelude::*;

/// Multiply in GF(2^8) modulo the AES polynomial x^8 + x^4 + x^3 + x + 1.
const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

/// The multiplicative inverse, x^254 (0 maps to 0, as FIPS 197 asks).
const fn gf_inv(x: u8) -> u8 {
    let mut r = 1u8;
    let mut i = 0;
    while i < 254 {
        r = gf_mul(r, x);
        i += 1;
    }
    if x == 0 {
        0
    } else {
        r
    }
}

/// FIPS 197 equation 5.2: b'_i = b_i ^ b_{i+4} ^ b_{i+5} ^ b_{i+6} ^ b_{i+7} ^ c_i, c = 0x63.
pub const fn affine(b: u8) -> u8 {
    b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63
}

/// The inverse of `affine`: b_i = b'_{i+2} ^ b'_{i+5} ^ b'_{i+7} ^ d_i, d = 0x05.
pub const fn affine_inv(b: u8) -> u8 {
    b.rotate_left(1) ^ b.rotate_left(3) ^ b.rotate_left(6) ^ 0x05
}

const fn table(f: u8) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        let v = x as u8;
        t[x] = match f {
            0 => gf_inv(v),
            1 => affine(gf_inv(v)),
            _ => gf_inv(affine_inv(v)),
        };
        x += 1;
    }
    t
}

/// x^-1 in GF(2^8), the ROM both directions of `AesSbox` share.
pub const GF_INV: [u8; 256] = table(0);
/// The AES S-box (FIPS 197 figure 7).
pub const SBOX: [u8; 256] = table(1);
/// The inverse S-box (FIPS 197 figure 14).
pub const INV_SBOX: [u8; 256] = table(2);

/// A Verilog `case` on `sel` giving `out = t[sel]` for all 256 values (a ROM).
fn rom_case(sel: &str, out: &str, t: &[u8; 256]) -> String {
    let mut s = format!("always @(*) begin\n    case ({sel})\n");
    for (x, v) in t.iter().enumerate() {
        s += &format!("        8'h{x:02x}: {out} = 8'h{v:02x};\n");
    }
    s + "    endcase\nend"
}

/// The forward S-box: `y = S(x)`. Used by the key schedule.
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct AesSboxFwd {
    pub x: Signal<In, Bits<8>>,
    pub y: Signal<Out, Bits<8>>,
}

impl Logic for AesSboxFwd {
    fn update(&mut self) {
        self.y.next = bits::<8>(SBOX[self.x.val().index()] as u64);
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(rom_case("x", "y", &SBOX))
    }
}

/// S-box or inverse S-box: `y = S(x)` when `inv` is 0, `S^-1(x)` when 1. One GF-inverse ROM
/// with the affine map after it (forward) or its inverse before it (inverse).
#[derive(Clone, Debug, LogicBlock, Default)]
pub struct AesSbox {
    pub x: Signal<In, Bits<8>>,
    pub inv: Signal<In, bool>,
    pub y: Signal<Out, Bits<8>>,
}

impl Logic for AesSbox {
    fn update(&mut self) {
        // The same structure as the Verilog: ROM input, ROM, output.
        let x = self.x.val().index() as u8;
        let rom_in = if self.inv.val() { affine_inv(x) } else { x };
        let g = GF_INV[rom_in as usize];
        let y = if self.inv.val() { g } else { affine(g) };
        self.y.next = bits::<8>(y as u64);
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        // Rotations written as concatenations: {x[6:0], x[7]} is x rotated left by 1.
        let rol = |v: &str, n: u32| if n == 0 { v.to_string() } else { format!("{{{v}[{}:0], {v}[7:{}]}}", 7 - n, 8 - n) };
        Verilog::Custom(format!(
            "reg [7:0] rom_in, g;\n\
             // Inverse affine map (FIPS 197 5.3.2) before the shared ROM when inverting.\n\
             always @(*) rom_in = inv ? ({} ^ {} ^ {} ^ 8'h05) : x;\n\
             {}\n\
             // Affine map (FIPS 197 5.1.1) after it when going forward.\n\
             always @(*) y = inv ? g : (g ^ {} ^ {} ^ {} ^ {} ^ 8'h63);",
            rol("x", 1),
            rol("x", 3),
            rol("x", 6),
            rom_case("rom_in", "g", &GF_INV),
            rol("g", 1),
            rol("g", 2),
            rol("g", 3),
            rol("g", 4),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_fips_197() {
        // Spot values from FIPS 197 figures 7 and 14.
        assert_eq!(SBOX[0x00], 0x63);
        assert_eq!(SBOX[0x53], 0xed);
        assert_eq!(SBOX[0xff], 0x16);
        assert_eq!(INV_SBOX[0x00], 0x52);
        assert_eq!(INV_SBOX[0xed], 0x53);
        for x in 0..=255u8 {
            assert_eq!(INV_SBOX[SBOX[x as usize] as usize], x);
            assert_eq!(affine_inv(affine(x)), x);
        }
    }
}
