//! The P-256 engine's microcode: its instruction set, a small assembler, and the programs the
//! commands run (point double and add, the scalar-multiplication loops, inversion, ECDSA, ECDH).
//!
//! The engine executes one instruction at a time from a ROM this file fills at generation time.
//! Every branch depends on public values only: loop counters, the command and the option bits
//! (a failed check only sets the error code, which `SEL` flag 3 reads). Secret scalar bits reach the datapath only through `SEL`, which reads both
//! registers and picks one by value, so no register address depends on a secret.
//!
//! Field values live in the register file as 256-bit numbers. Arithmetic is Montgomery
//! multiplication (`a·b·2^-256 mod M`) and modular add/sub, for M = p (the field) or n (the group
//! order). Values "in Montgomery form" carry a factor 2^256.

/// One register-file address (64 registers of 256 bits).
pub type Reg = u8;

/// Instruction opcodes (bits 4:0 of a microinstruction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    /// Finish the command (the error flag says how).
    End = 0,
    /// d = a·b·2^-256 mod p (a < p).
    MulP = 1,
    /// d = a·b·2^-256 mod n (a < n).
    MulN = 2,
    /// d = a + b mod p (a, b < p).
    AddP = 3,
    /// d = a - b mod p.
    SubP = 4,
    AddN = 5,
    SubN = 6,
    /// d = flag[imm] ? b : a. Flags 0 and 1 come from `BIT`; flag 2 is always 1 (a move of b);
    /// flag 3 is 1 while no check has failed.
    Sel = 7,
    /// d = constant[imm].
    Ldc = 8,
    /// flag[imm] = bit `cnt` of register a.
    Bit = 9,
    /// cnt = imm.
    Cnt = 10,
    /// if cnt != 0 { cnt -= 1; goto imm }.
    Loop = 11,
    /// ret = next; goto imm (one level: subroutines do not call).
    Call = 12,
    Ret = 13,
    /// Check a (and b) by the mode in imm[6:4]; on failure set the error code to imm[3:0] unless
    /// one is already set.
    Chk = 14,
    Jmp = 15,
    /// if the RANDOMIZE option is off { goto imm }.
    Jnopt = 16,
}

/// Field positions in a microinstruction (33 bits).
pub const OP_LSB: u32 = 0;
pub const D_LSB: u32 = 5;
pub const A_LSB: u32 = 11;
pub const B_LSB: u32 = 17;
pub const IMM_LSB: u32 = 23;
pub const UWORD_BITS: usize = 33;
/// Microcode address bits.
pub const UPC_BITS: usize = 10;

/// `CHK` modes (imm bits 6:4; bits 3:0 are the error code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Check {
    /// Fails when a = 0 or a >= n.
    RangeN = 0,
    /// Fails when a >= p.
    LtP = 1,
    /// Fails when a = 0.
    NonZero = 2,
    /// Fails when a != b.
    Equal = 3,
    /// Fails when a = 0 and b = 0.
    NotBothZero = 4,
}

/// Error codes (the `RESULT.ERROR` field): the same order as the model's `P256Error`, from 1.
pub const ERR_SCALAR_RANGE: u8 = 1;
pub const ERR_SIGNATURE_RANGE: u8 = 2;
pub const ERR_INFINITY: u8 = 3;
pub const ERR_NOT_ON_CURVE: u8 = 4;
pub const ERR_NONCE_UNUSABLE: u8 = 5;
pub const ERR_BAD_SIGNATURE: u8 = 6;
pub const ERR_SHARED_INFINITY: u8 = 7;
/// RANDOMIZE is on and λ is 0 or at least p.
pub const ERR_MASK_RANGE: u8 = 8;

/// Commands (`CMD` values); the program for command c starts at microcode address c.
pub const CMD_PUBKEY: u8 = 1;
pub const CMD_ECDH: u8 = 2;
pub const CMD_SIGN: u8 = 3;
pub const CMD_VERIFY: u8 = 4;
pub const CMD_KEYGEN: u8 = 5;
pub const CMD_LAST: u8 = 5;

// ---- Register file. Slots 0-8 are the bus-visible operands (see the README's register map).
/// Private key d (write-only; kept across commands until WIPE).
pub const RD: Reg = 0;
/// Nonce k (write-only; wiped after every command).
pub const RK: Reg = 1;
/// Message hash z (256 bits).
pub const RE: Reg = 2;
/// Point x / public key x / shared secret x.
pub const RQX: Reg = 3;
pub const RQY: Reg = 4;
/// Signature r, s.
pub const RR: Reg = 5;
pub const RS: Reg = 6;
/// KEYGEN's seed: the private key it sets, if in [1, n-1].
pub const RSEED: Reg = 7;
/// The projective-coordinate mask λ of the RANDOMIZE option, in [1, p-1].
pub const RLAMBDA: Reg = 8;
/// Slots 0..BUS_SLOTS are reachable from the bus.
pub const BUS_SLOTS: u8 = 9;

// Work registers.
const X1: Reg = 16;
const Y1: Reg = 17;
const Z1: Reg = 18;
const X2: Reg = 19;
const Y2: Reg = 20;
const Z2: Reg = 21;
const X3: Reg = 22;
const Y3: Reg = 23;
const Z3: Reg = 24;
const T: [Reg; 8] = [25, 26, 27, 28, 29, 30, 31, 32];
/// b·2^256 mod p.
const BM: Reg = 33;
/// 2^256 mod p (1 in Montgomery form).
const ONEP: Reg = 34;
/// 0.
const ZERO: Reg = 35;
/// The scalar the ladder walks.
const SCAL: Reg = 36;
/// G, Q and G + Q for verification (z of G and Q is ONEP).
const GX: Reg = 37;
const GY: Reg = 38;
const QXM: Reg = 39;
const QYM: Reg = 40;
const GQX: Reg = 41;
const GQY: Reg = 42;
const GQZ: Reg = 43;
/// Exponentiation: exponent (raw), base, accumulator, scratch.
const EXP: Reg = 44;
const BASE: Reg = 45;
const ACC: Reg = 46;
const TMP: Reg = 47;
/// 2^256 mod n.
const ONEN: Reg = 48;
/// Raw 1.
const ONE: Reg = 49;
/// Verification scalars u1, u2 and the reduced hash.
const U1: Reg = 50;
const U2: Reg = 51;
const EN: Reg = 52;
/// A register no instruction writes: the engine's idle read address (always 0 after a wipe).
pub const UNUSED: Reg = 63;
/// Registers the wipe after a command keeps: d, the hash, and the bus-visible points and signature.
pub const KEEP_AFTER_COMMAND: [Reg; 6] = [RD, RE, RQX, RQY, RR, RS];

// ---- Constants (`LDC` index), little-endian 32-bit words.
pub const C_ZERO: u16 = 0;
pub const C_ONE: u16 = 1;
/// 2^512 mod p and 2^512 mod n: into Montgomery form by one multiplication.
pub const C_R2P: u16 = 2;
pub const C_R2N: u16 = 3;
pub const C_B: u16 = 4;
pub const C_GX: u16 = 5;
pub const C_GY: u16 = 6;
pub const C_PM2: u16 = 7;
pub const C_NM2: u16 = 8;
/// 2^256 - n: the ladder's scalar offset (see `ladder`).
pub const C_WRAP_N: u16 = 9;

/// Big-endian hex of the constants, in `LDC` index order. p, n, b and G are SEC 2's P-256
/// domain parameters; the two R^2 values are derived from p and n (a unit test recomputes them).
pub const CONSTANTS_HEX: [&str; 10] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000001",
    "00000004fffffffdfffffffffffffffefffffffbffffffff0000000000000003",
    "66e12d94f3d956202845b2392b6bec594699799c49bd6fa683244c95be79eea2",
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    "ffffffff00000001000000000000000000000000fffffffffffffffffffffffd",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f",
    "00000000ffffffff00000000000000004319055258e8617b0c46353d039cdaaf",
];
/// p and n, big-endian hex.
pub const P_HEX: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
pub const N_HEX: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
/// -n^-1 mod 2^16, the Montgomery digit factor for n (for p it is 1).
pub const N_PRIME16: u16 = 0xbc4f;

/// 256-bit value from big-endian hex, as 8 little-endian 32-bit words.
pub fn words_of_hex(hex: &str) -> [u32; 8] {
    assert_eq!(hex.len(), 64, "{hex}");
    std::array::from_fn(|i| u32::from_str_radix(&hex[64 - 8 * (i + 1)..64 - 8 * i], 16).expect("hex constant"))
}

/// One assembled instruction.
pub fn encode(op: Op, d: Reg, a: Reg, b: Reg, imm: u16) -> u64 {
    assert!(d < 64 && a < 64 && b < 64 && imm < 1 << 10, "field out of range: {op:?} {d} {a} {b} {imm}");
    (op as u64) << OP_LSB | (d as u64) << D_LSB | (a as u64) << A_LSB | (b as u64) << B_LSB | (imm as u64) << IMM_LSB
}

/// The fields of an instruction word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    pub op: u8,
    pub d: Reg,
    pub a: Reg,
    pub b: Reg,
    pub imm: u16,
}

pub fn decode(w: u64) -> Fields {
    Fields {
        op: (w >> OP_LSB & 0x1f) as u8,
        d: (w >> D_LSB & 0x3f) as u8,
        a: (w >> A_LSB & 0x3f) as u8,
        b: (w >> B_LSB & 0x3f) as u8,
        imm: (w >> IMM_LSB & 0x3ff) as u16,
    }
}

/// The assembler: instructions appended in order, labels resolved at the end.
#[derive(Default)]
struct Asm {
    code: Vec<u64>,
    labels: std::collections::HashMap<&'static str, u16>,
    /// (instruction index, label) to patch into imm.
    fixups: Vec<(usize, &'static str)>,
}

impl Asm {
    fn here(&self) -> u16 {
        self.code.len() as u16
    }
    fn label(&mut self, name: &'static str) {
        assert!(self.labels.insert(name, self.here()).is_none(), "label {name} twice");
    }
    fn emit(&mut self, op: Op, d: Reg, a: Reg, b: Reg, imm: u16) {
        self.code.push(encode(op, d, a, b, imm));
    }
    fn jump(&mut self, op: Op, target: &'static str) {
        self.fixups.push((self.code.len(), target));
        self.emit(op, 0, 0, 0, 0);
    }
    fn mulp(&mut self, d: Reg, a: Reg, b: Reg) {
        self.emit(Op::MulP, d, a, b, 0);
    }
    fn muln(&mut self, d: Reg, a: Reg, b: Reg) {
        self.emit(Op::MulN, d, a, b, 0);
    }
    fn add(&mut self, d: Reg, a: Reg, b: Reg) {
        self.emit(Op::AddP, d, a, b, 0);
    }
    fn sub(&mut self, d: Reg, a: Reg, b: Reg) {
        self.emit(Op::SubP, d, a, b, 0);
    }
    fn addn(&mut self, d: Reg, a: Reg, b: Reg) {
        self.emit(Op::AddN, d, a, b, 0);
    }
    fn subn(&mut self, d: Reg, a: Reg, b: Reg) {
        self.emit(Op::SubN, d, a, b, 0);
    }
    fn sel(&mut self, d: Reg, a: Reg, b: Reg, flag: u16) {
        self.emit(Op::Sel, d, a, b, flag);
    }
    fn mov(&mut self, d: Reg, s: Reg) {
        self.sel(d, s, s, 2);
    }
    fn ldc(&mut self, d: Reg, c: u16) {
        self.emit(Op::Ldc, d, 0, 0, c);
    }
    fn bit(&mut self, a: Reg, flag: u16) {
        self.emit(Op::Bit, 0, a, 0, flag);
    }
    fn cnt(&mut self, n: u16) {
        self.emit(Op::Cnt, 0, 0, 0, n);
    }
    fn chk(&mut self, mode: Check, a: Reg, b: Reg, err: u8) {
        self.emit(Op::Chk, 0, a, b, (mode as u16) << 4 | err as u16);
    }
    fn finish(mut self) -> Vec<u64> {
        for (at, name) in std::mem::take(&mut self.fixups) {
            let target = *self.labels.get(name).unwrap_or_else(|| panic!("no label {name}"));
            self.code[at] |= (target as u64) << IMM_LSB;
        }
        assert!(self.code.len() <= 1 << UPC_BITS, "microcode too long: {}", self.code.len());
        self.code
    }
}

/// (X1, Y1, Z1) = 2·(X1, Y1, Z1): Renes-Costello-Batina 2016, Algorithm 6 (a = -3), complete.
fn point_double(s: &mut Asm) {
    let [t0, t1, t2, t3, t4, t5, t6, t7] = T;
    s.mulp(t0, X1, X1); // xx
    s.mulp(t1, Y1, Y1); // yy
    s.mulp(t2, Z1, Z1); // zz
    s.mulp(t3, X1, Y1);
    s.add(t3, t3, t3); // xy2
    s.mulp(t4, X1, Z1);
    s.add(t4, t4, t4); // xz2
    s.mulp(t5, BM, t2);
    s.sub(t5, t5, t4); // b·zz - xz2
    s.add(t6, t5, t5);
    s.add(t5, t6, t5); // bzz3
    s.sub(t6, t1, t5); // yy - bzz3
    s.add(t5, t1, t5); // yy + bzz3
    s.mulp(t5, t5, t6); // y_frag
    s.mulp(t6, t6, t3); // x_frag
    s.add(t3, t2, t2);
    s.add(t2, t3, t2); // zz3
    s.mulp(t4, BM, t4); // b·xz2
    s.add(t3, t2, t0);
    s.sub(t4, t4, t3); // b·xz2 - (zz3 + xx)
    s.add(t3, t4, t4);
    s.add(t4, t3, t4); // bxz6
    s.add(t3, t0, t0);
    s.add(t0, t3, t0);
    s.sub(t0, t0, t2); // 3xx - zz3
    s.mulp(t0, t0, t4);
    s.add(t7, t5, t0); // y
    s.mulp(t2, Y1, Z1);
    s.add(t2, t2, t2); // yz2
    s.mulp(t4, t4, t2);
    s.sub(X1, t6, t4); // x
    s.mulp(Z1, t2, t1);
    s.add(Z1, Z1, Z1);
    s.add(Z1, Z1, Z1); // z
    s.mov(Y1, t7);
}

/// (X3, Y3, Z3) = (X1, Y1, Z1) + (X2, Y2, Z2): Renes-Costello-Batina 2016, Algorithm 4 (a = -3),
/// complete (any two points, either of them infinity, or equal).
fn point_add(s: &mut Asm) {
    let [t0, t1, t2, t3, t4, t5, t6, t7] = T;
    s.mulp(t0, X1, X2); // xx
    s.mulp(t1, Y1, Y2); // yy
    s.mulp(t2, Z1, Z2); // zz
    s.add(t3, X1, Y1);
    s.add(t4, X2, Y2);
    s.mulp(t3, t3, t4);
    s.add(t4, t0, t1);
    s.sub(t3, t3, t4); // xy_pairs
    s.add(t4, Y1, Z1);
    s.add(t5, Y2, Z2);
    s.mulp(t4, t4, t5);
    s.add(t5, t1, t2);
    s.sub(t4, t4, t5); // yz_pairs
    s.add(t5, X1, Z1);
    s.add(t6, X2, Z2);
    s.mulp(t5, t5, t6);
    s.add(t6, t0, t2);
    s.sub(t5, t5, t6); // xz_pairs
    s.mulp(t6, BM, t2);
    s.sub(t6, t5, t6); // xz_pairs - b·zz
    s.add(t7, t6, t6);
    s.add(t6, t7, t6); // bzz3
    s.sub(t7, t1, t6); // yy - bzz3
    s.add(t6, t1, t6); // yy + bzz3
    s.add(t1, t2, t2);
    s.add(t2, t1, t2); // zz3
    s.mulp(t5, BM, t5);
    s.add(t1, t2, t0);
    s.sub(t5, t5, t1); // b·xz_pairs - (zz3 + xx)
    s.add(t1, t5, t5);
    s.add(t5, t1, t5); // bxz3
    s.add(t1, t0, t0);
    s.add(t0, t1, t0);
    s.sub(t0, t0, t2); // 3xx - zz3
    s.mulp(X3, t6, t3);
    s.mulp(t1, t4, t5);
    s.sub(X3, X3, t1);
    s.mulp(Y3, t6, t7);
    s.mulp(t1, t0, t5);
    s.add(Y3, Y3, t1);
    s.mulp(Z3, t7, t4);
    s.mulp(t1, t3, t0);
    s.add(Z3, Z3, t1);
}

/// ACC = BASE^EXP (Montgomery form, modulus by `mul`), square-and-multiply-always over all 256
/// exponent bits: the exponent (p-2 or n-2) is public, the fixed count keeps the schedule fixed.
fn power(s: &mut Asm, label: &'static str, mul: Op, one: Reg) {
    s.mov(ACC, one);
    s.cnt(255);
    s.label(label);
    s.bit(EXP, 1);
    s.emit(mul, ACC, ACC, ACC, 0);
    s.emit(mul, TMP, ACC, BASE, 0);
    s.sel(ACC, ACC, TMP, 1);
    s.jump(Op::Loop, label);
    s.emit(Op::Ret, 0, 0, 0, 0);
}

/// Constants every program needs: ZERO, ONE, ONEP = 2^256 mod p, BM = b in Montgomery form.
fn setup(s: &mut Asm) {
    s.ldc(ZERO, C_ZERO);
    s.ldc(ONE, C_ONE);
    s.ldc(TMP, C_R2P);
    s.mulp(ONEP, TMP, ONE); // R^2·1·R^-1 = R
    s.ldc(BM, C_B);
    s.mulp(BM, BM, TMP);
}

/// (X1, Y1, Z1) = SCAL·(X2, Y2, Z2), double-and-add-always, with the scalar made 257 bits long
/// whatever its value: SCAL (in [1, n-1]) becomes k' = 2^256 + ((SCAL - (2^256 - n)) mod n),
/// which is SCAL + n or SCAL + 2n, so k' ≡ SCAL (mod n) and bit 256 of k' is always 1. The loop
/// then starts from R = P (that top bit) and runs over bits 255..0: no leading zero bits, so no
/// doublings of the point at infinity whose zero operands would show a short scalar in the power
/// trace. Each step: R = 2R; S = R + P; R = bit ? S : R. With the RANDOMIZE option, P's
/// projective coordinates are first multiplied by λ (register RLAMBDA, which must be in [1, p-1]).
fn ladder(s: &mut Asm, tag: &'static str) {
    let (plain, top) = match tag {
        "pub" => ("pub_plain", "pub_top"),
        "ecdh" => ("ecdh_plain", "ecdh_top"),
        _ => ("sign_plain", "sign_top"),
    };
    s.jump(Op::Jnopt, plain);
    s.chk(Check::NonZero, RLAMBDA, 0, ERR_MASK_RANGE);
    s.chk(Check::LtP, RLAMBDA, 0, ERR_MASK_RANGE);
    s.ldc(TMP, C_R2P);
    s.mulp(T[0], RLAMBDA, TMP); // λ in Montgomery form
    s.mulp(X2, X2, T[0]);
    s.mulp(Y2, Y2, T[0]);
    s.mulp(Z2, Z2, T[0]);
    s.label(plain);
    s.ldc(TMP, C_WRAP_N);
    s.subn(SCAL, SCAL, TMP); // the low 256 bits of k'
    s.mov(X1, X2);
    s.mov(Y1, Y2);
    s.mov(Z1, Z2);
    s.cnt(255);
    s.label(top);
    s.bit(SCAL, 0);
    s.jump(Op::Call, "dbl");
    s.jump(Op::Call, "add");
    s.sel(X1, X1, X3, 0);
    s.sel(Y1, Y1, Y3, 0);
    s.sel(Z1, Z1, Z3, 0);
    s.jump(Op::Loop, top);
}

/// (x, RQY) = affine (X1, Y1, Z1), raw (y only if `with_y`); `err` if Z1 = 0 (infinity).
fn to_affine(s: &mut Asm, err: u8, x: Reg, with_y: bool) {
    s.chk(Check::NonZero, Z1, 0, err);
    s.mov(BASE, Z1);
    s.ldc(EXP, C_PM2);
    s.jump(Op::Call, "powp");
    s.mulp(T[0], X1, ACC);
    s.mulp(x, T[0], ONE);
    if with_y {
        s.mulp(T[0], Y1, ACC);
        s.mulp(RQY, T[0], ONE);
    }
}

/// (X2, Y2, Z2) = G in Montgomery form.
fn load_g(s: &mut Asm) {
    s.ldc(TMP, C_R2P);
    s.ldc(X2, C_GX);
    s.mulp(X2, X2, TMP);
    s.ldc(Y2, C_GY);
    s.mulp(Y2, Y2, TMP);
    s.mov(Z2, ONEP);
}

/// Checks the point (RQX, RQY): not (0, 0), coordinates below p, on y^2 = x^3 - 3x + b; leaves
/// it in Montgomery form in QXM, QYM.
fn check_point(s: &mut Asm) {
    s.chk(Check::NotBothZero, RQX, RQY, ERR_INFINITY);
    s.chk(Check::LtP, RQX, 0, ERR_NOT_ON_CURVE);
    s.chk(Check::LtP, RQY, 0, ERR_NOT_ON_CURVE);
    s.ldc(TMP, C_R2P);
    s.mulp(QXM, RQX, TMP);
    s.mulp(QYM, RQY, TMP);
    let [t0, t1, ..] = T;
    s.mulp(t0, QYM, QYM); // y^2
    s.mulp(t1, QXM, QXM);
    s.mulp(t1, t1, QXM); // x^3
    s.sub(t1, t1, QXM);
    s.sub(t1, t1, QXM);
    s.sub(t1, t1, QXM);
    s.add(t1, t1, BM); // x^3 - 3x + b
    s.chk(Check::Equal, t0, t1, ERR_NOT_ON_CURVE);
}

/// The whole microcode ROM.
pub fn program() -> Vec<u64> {
    let mut s = Asm::default();
    // Addresses 0..=CMD_LAST: the dispatch table (0 is never entered).
    s.emit(Op::End, 0, 0, 0, 0);
    for entry in ["pubkey", "ecdh", "sign", "verify", "keygen"] {
        s.jump(Op::Jmp, entry);
    }

    // KEYGEN: d = the seed if it is in [1, n-1], then PUBKEY.
    s.label("keygen");
    s.chk(Check::RangeN, RSEED, 0, ERR_SCALAR_RANGE);
    s.sel(RD, RD, RSEED, 3); // d changes only if the seed is good
    // PUBKEY: (QX, QY) = d·G.
    s.label("pubkey");
    s.chk(Check::RangeN, RD, 0, ERR_SCALAR_RANGE);
    setup(&mut s);
    load_g(&mut s);
    s.mov(SCAL, RD);
    ladder(&mut s, "pub");
    to_affine(&mut s, ERR_SHARED_INFINITY, RQX, true);
    s.emit(Op::End, 0, 0, 0, 0);

    // ECDH: QX = x(d·Q).
    s.label("ecdh");
    s.chk(Check::RangeN, RD, 0, ERR_SCALAR_RANGE);
    setup(&mut s);
    check_point(&mut s);
    s.mov(X2, QXM);
    s.mov(Y2, QYM);
    s.mov(Z2, ONEP);
    s.mov(SCAL, RD);
    ladder(&mut s, "ecdh");
    to_affine(&mut s, ERR_SHARED_INFINITY, RQX, false);
    s.emit(Op::End, 0, 0, 0, 0);

    // SIGN: r = x(k·G) mod n, s = k^-1 (z + r·d) mod n.
    s.label("sign");
    s.chk(Check::RangeN, RD, 0, ERR_SCALAR_RANGE);
    s.chk(Check::RangeN, RK, 0, ERR_SCALAR_RANGE);
    setup(&mut s);
    load_g(&mut s);
    s.mov(SCAL, RK);
    ladder(&mut s, "sign");
    to_affine(&mut s, ERR_NONCE_UNUSABLE, T[3], false);
    s.addn(RR, T[3], ZERO); // x mod n (x < p < 2n)
    s.chk(Check::NonZero, RR, 0, ERR_NONCE_UNUSABLE);
    s.addn(EN, RE, ZERO); // z mod n (z < 2^256 < 2n)
    s.ldc(TMP, C_R2N);
    s.muln(ONEN, TMP, ONE);
    s.muln(BASE, RK, TMP); // k·R
    s.ldc(EXP, C_NM2);
    s.jump(Op::Call, "pown"); // ACC = k^-1·R
    s.ldc(TMP, C_R2N);
    s.muln(T[0], RD, TMP); // d·R
    s.muln(T[0], RR, T[0]); // r·d
    s.addn(T[0], T[0], EN); // z + r·d
    s.muln(RS, T[0], ACC); // (z + r·d)·k^-1
    s.chk(Check::NonZero, RS, 0, ERR_NONCE_UNUSABLE);
    s.emit(Op::End, 0, 0, 0, 0);

    // VERIFY: u1 = z·s^-1, u2 = r·s^-1 mod n; x(u1·G + u2·Q) mod n = r.
    s.label("verify");
    s.chk(Check::RangeN, RR, 0, ERR_SIGNATURE_RANGE);
    s.chk(Check::RangeN, RS, 0, ERR_SIGNATURE_RANGE);
    setup(&mut s);
    check_point(&mut s);
    s.addn(EN, RE, ZERO);
    s.ldc(TMP, C_R2N);
    s.muln(ONEN, TMP, ONE);
    s.muln(BASE, RS, TMP); // s·R
    s.ldc(EXP, C_NM2);
    s.jump(Op::Call, "pown"); // ACC = w·R, w = s^-1
    s.muln(U1, EN, ACC); // z·w
    s.muln(U2, RR, ACC); // r·w
    // G, Q and G + Q.
    load_g(&mut s);
    s.mov(GX, X2);
    s.mov(GY, Y2);
    s.mov(X1, QXM);
    s.mov(Y1, QYM);
    s.mov(Z1, ONEP);
    s.jump(Op::Call, "add");
    s.mov(GQX, X3);
    s.mov(GQY, Y3);
    s.mov(GQZ, Z3);
    // Shamir's trick over all 256 bit pairs: R = 2R + {O, Q, G, G+Q}[u1_i, u2_i].
    s.mov(X1, ZERO);
    s.mov(Y1, ONEP);
    s.mov(Z1, ZERO);
    s.cnt(255);
    s.label("ver_top");
    s.bit(U1, 0);
    s.bit(U2, 1);
    s.jump(Op::Call, "dbl");
    s.sel(X2, ZERO, QXM, 1); // u2 ? Q : O
    s.sel(Y2, ONEP, QYM, 1);
    s.sel(Z2, ZERO, ONEP, 1);
    s.sel(T[0], GX, GQX, 1); // u2 ? G+Q : G
    s.sel(T[1], GY, GQY, 1);
    s.sel(T[2], ONEP, GQZ, 1);
    s.sel(X2, X2, T[0], 0); // u1 ? (G or G+Q) : (O or Q)
    s.sel(Y2, Y2, T[1], 0);
    s.sel(Z2, Z2, T[2], 0);
    s.jump(Op::Call, "add");
    s.mov(X1, X3);
    s.mov(Y1, Y3);
    s.mov(Z1, Z3);
    s.jump(Op::Loop, "ver_top");
    to_affine(&mut s, ERR_BAD_SIGNATURE, T[3], false);
    s.addn(T[0], T[3], ZERO);
    s.chk(Check::Equal, T[0], RR, ERR_BAD_SIGNATURE);
    s.emit(Op::End, 0, 0, 0, 0);

    // Subroutines.
    s.label("dbl");
    point_double(&mut s);
    s.emit(Op::Ret, 0, 0, 0, 0);
    s.label("add");
    point_add(&mut s);
    s.emit(Op::Ret, 0, 0, 0, 0);
    s.label("powp");
    power(&mut s, "powp_top", Op::MulP, ONEP);
    s.label("pown");
    power(&mut s, "pown_top", Op::MulN, ONEN);
    s.finish()
}

/// An instruction-level interpreter of the microcode (big integers from num-bigint), so the
/// programs are checked against CAVP and the p256 crate before any RTL runs them. It counts
/// instructions by class; the RTL's cycle counts are measured, not derived from this.
#[cfg(test)]
pub mod interp {
    use super::*;
    use num_bigint::BigUint;

    pub fn big(hex: &str) -> BigUint {
        BigUint::parse_bytes(hex.as_bytes(), 16).expect("hex")
    }

    /// The outcome of one command.
    pub struct Run {
        pub rf: Vec<BigUint>,
        pub err: u8,
        /// Instructions executed: (multiplications mod p, mod n, others).
        pub counts: (u64, u64, u64),
        /// Multiplications mod p with a zero operand (what a short scalar's doublings of the
        /// point at infinity would show).
        pub zero_products: u64,
    }

    /// Runs command `cmd` on a register file whose bus slots hold `slots`.
    pub fn run(rom: &[u64], cmd: u8, slots: &[(Reg, BigUint)], randomize: bool) -> Run {
        let (p, n) = (big(P_HEX), big(N_HEX));
        let r_inv = |m: &BigUint| (BigUint::from(1u8) << 256u32).modpow(&(m - 2u32), m);
        let (rinv_p, rinv_n) = (r_inv(&p), r_inv(&n));
        let consts: Vec<BigUint> = CONSTANTS_HEX.iter().map(|h| big(h)).collect();
        let mut rf = vec![BigUint::default(); 64];
        for (r, v) in slots {
            rf[*r as usize] = v.clone();
        }
        let (mut upc, mut cnt, mut ret, mut err) = (cmd as usize, 0u16, 0usize, 0u8);
        let mut flag = [false, false, true, true];
        let mut counts = (0, 0, 0);
        let mut zero_products = 0;
        loop {
            let f = decode(rom[upc]);
            let (d, a, b) = (f.d as usize, rf[f.a as usize].clone(), rf[f.b as usize].clone());
            upc += 1;
            match f.op {
                1 | 2 => {
                    let (m, ri) = if f.op == 1 { (&p, &rinv_p) } else { (&n, &rinv_n) };
                    assert!(&a < m || err != 0, "upc {}: multiplicand {a:x} not below the modulus", upc - 1);
                    zero_products += (f.op == 1 && (a == BigUint::default() || b == BigUint::default())) as u64;
                    rf[d] = a * b * ri % m;
                    if f.op == 1 { counts.0 += 1 } else { counts.1 += 1 }
                }
                3..=6 => {
                    let m = if f.op <= 4 { &p } else { &n };
                    rf[d] = if f.op % 2 == 1 { (a + b) % m } else { (a + m - b) % m };
                }
                7 => {
                    flag[3] = err == 0;
                    rf[d] = if flag[f.imm as usize] { b } else { a }
                }
                8 => rf[d] = consts[f.imm as usize].clone(),
                9 => flag[f.imm as usize] = a.bit(cnt as u64),
                10 => cnt = f.imm,
                11 => {
                    if cnt != 0 {
                        cnt -= 1;
                        upc = f.imm as usize;
                    }
                }
                12 => {
                    ret = upc;
                    upc = f.imm as usize;
                }
                13 => upc = ret,
                14 => {
                    let zero = BigUint::default();
                    let fail = match f.imm >> 4 {
                        0 => a == zero || a >= n,
                        1 => a >= p,
                        2 => a == zero,
                        3 => a != b,
                        4 => a == zero && b == zero,
                        m => panic!("CHK mode {m}"),
                    };
                    if fail && err == 0 {
                        err = (f.imm & 0xf) as u8;
                    }
                }
                15 => upc = f.imm as usize,
                16 => {
                    if !randomize {
                        upc = f.imm as usize;
                    }
                }
                0 => return Run { rf, err, counts, zero_products },
                op => panic!("opcode {op}"),
            }
            if f.op > 2 {
                counts.2 += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::interp::{big, run};
    use super::*;
    use num_bigint::BigUint;
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    use p256::elliptic_curve::PrimeField;

    fn vectors(name: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testbenches/p256/vectors/");
        std::fs::read_to_string(format!("{path}{name}")).expect("committed CAVP file")
    }

    /// `key = value` records separated by blank lines.
    fn records(text: &str) -> Vec<std::collections::HashMap<String, String>> {
        text.split("\n\n")
            .map(|rec| {
                rec.lines()
                    .filter_map(|l| l.split_once(" = "))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect::<std::collections::HashMap<_, _>>()
            })
            .filter(|r| !r.is_empty())
            .collect()
    }

    fn hex(v: &BigUint) -> String {
        format!("{v:064x}")
    }

    #[test]
    fn field_positions_match_the_engine_and_nothing_writes_the_unused_register() {
        // engine.rs decodes with these literal offsets.
        assert_eq!((OP_LSB, D_LSB, A_LSB, B_LSB, IMM_LSB), (0, 5, 11, 17, 23));
        for (at, w) in program().iter().enumerate() {
            let f = decode(*w);
            let writes = matches!(f.op, 1..=8);
            assert!(!(writes && f.d == UNUSED), "instruction {at} writes the unused register");
        }
    }

    #[test]
    fn constants_are_the_curve_and_its_montgomery_factors() {
        let (p, n) = (big(P_HEX), big(N_HEX));
        let r2 = |m: &BigUint| (BigUint::from(1u8) << 512u32) % m;
        assert_eq!(big(CONSTANTS_HEX[C_R2P as usize]), r2(&p));
        assert_eq!(big(CONSTANTS_HEX[C_R2N as usize]), r2(&n));
        assert_eq!(big(CONSTANTS_HEX[C_PM2 as usize]), &p - 2u32);
        assert_eq!(big(CONSTANTS_HEX[C_NM2 as usize]), &n - 2u32);
        assert_eq!(big(CONSTANTS_HEX[C_WRAP_N as usize]), (BigUint::from(1u8) << 256u32) - &n);
        // -n^-1 mod 2^16: n·n' = -1 mod 2^16.
        assert_eq!((n.clone() * N_PRIME16 as u32 + 1u32) % 65536u32, BigUint::default());
        // G from the p256 crate.
        let g = p256::AffinePoint::GENERATOR.to_encoded_point(false);
        assert_eq!(hex(&big(CONSTANTS_HEX[C_GX as usize])), hex(&BigUint::from_bytes_be(g.x().unwrap())));
        assert_eq!(hex(&big(CONSTANTS_HEX[C_GY as usize])), hex(&BigUint::from_bytes_be(g.y().unwrap())));
        assert_eq!(words_of_hex(P_HEX)[0], 0xffff_ffff);
        assert_eq!(words_of_hex(P_HEX)[7], 0xffff_ffff);
        assert_eq!(words_of_hex(P_HEX)[6], 1);
    }

    #[test]
    fn pubkey_matches_cavp_keypair_with_and_without_randomization() {
        let rom = program();
        let recs: Vec<_> = records(&vectors("KeyPair_P256.rsp")).into_iter().filter(|r| r.contains_key("d")).collect();
        assert_eq!(recs.len(), 10);
        for (i, r) in recs.iter().enumerate() {
            let lambda = big("1234567890abcdef") + i as u32;
            let out = run(&rom, CMD_PUBKEY, &[(RD, big(&r["d"])), (RLAMBDA, lambda)], i % 2 == 1);
            assert_eq!(out.err, 0);
            assert_eq!(hex(&out.rf[RQX as usize]), r["Qx"]);
            assert_eq!(hex(&out.rf[RQY as usize]), r["Qy"]);
            if i == 0 {
                println!("PUBKEY: {:?} (mulp, muln, other)", out.counts);
            }
        }
    }

    /// The scalars on both sides of the ladder's two cases (SCAL < 2^256 - n gives k' = SCAL + 2n,
    /// else SCAL + n) and at the ends of the range: d·G from the p256 crate.
    #[test]
    fn pubkey_is_right_for_short_and_long_scalars() {
        let rom = program();
        let (n, wrap) = (big(N_HEX), big(CONSTANTS_HEX[C_WRAP_N as usize]));
        let one = BigUint::from(1u8);
        for d in [one.clone(), BigUint::from(2u8), &wrap - 1u32, wrap.clone(), &wrap + 1u32, &n - 2u32, &n - 1u32] {
            let bytes: [u8; 32] = {
                let b = d.to_bytes_be();
                std::array::from_fn(|i| if i + b.len() >= 32 { b[i + b.len() - 32] } else { 0 })
            };
            let scalar = p256::Scalar::from_repr(bytes.into()).unwrap();
            let q = (p256::ProjectivePoint::GENERATOR * scalar).to_affine().to_encoded_point(false);
            let out = run(&rom, CMD_PUBKEY, &[(RD, d.clone())], false);
            assert_eq!(out.err, 0, "d = {}", hex(&d));
            assert_eq!(hex(&out.rf[RQX as usize]), hex(&BigUint::from_bytes_be(q.x().unwrap())), "d = {}", hex(&d));
            assert_eq!(hex(&out.rf[RQY as usize]), hex(&BigUint::from_bytes_be(q.y().unwrap())), "d = {}", hex(&d));
            // Next to no multiplication by zero, for d = 1 as for d = n - 1: the ladder does not
            // double the point at infinity 255 times for d = 1, as a ladder from R = O would
            // (thousands of zero products). The few left are d = 1's last two steps: k' = 2n + 1,
            // whose top 256 bits are n, so the prefix meets O there; that is k', not a length.
            assert!(out.zero_products < 32, "d = {}: {} zero products", hex(&d), out.zero_products);
        }
    }

    #[test]
    fn sign_matches_cavp_siggen() {
        use sha2::Digest;
        let rom = program();
        let recs: Vec<_> = records(&vectors("SigGen_P256_SHA256.txt")).into_iter().filter(|r| r.contains_key("k")).collect();
        assert_eq!(recs.len(), 15);
        for r in &recs {
            let msg: Vec<u8> = (0..r["Msg"].len() / 2).map(|i| u8::from_str_radix(&r["Msg"][2 * i..2 * i + 2], 16).unwrap()).collect();
            let z = BigUint::from_bytes_be(&sha2::Sha256::digest(&msg));
            let out = run(&rom, CMD_SIGN, &[(RD, big(&r["d"])), (RK, big(&r["k"])), (RE, z)], false);
            assert_eq!(out.err, 0);
            assert_eq!(hex(&out.rf[RR as usize]), r["R"]);
            assert_eq!(hex(&out.rf[RS as usize]), r["S"]);
        }
        let out = run(&rom, CMD_SIGN, &[(RD, big("1")), (RK, big("0")), (RE, big("1"))], false);
        assert_eq!(out.err, ERR_SCALAR_RANGE);
    }

    #[test]
    fn verify_matches_cavp_sigver() {
        use sha2::Digest;
        let rom = program();
        let recs: Vec<_> = records(&vectors("SigVer_P256_SHA256.rsp")).into_iter().filter(|r| r.contains_key("Result")).collect();
        assert_eq!(recs.len(), 15);
        let mut passed = 0;
        for r in &recs {
            let msg: Vec<u8> = (0..r["Msg"].len() / 2).map(|i| u8::from_str_radix(&r["Msg"][2 * i..2 * i + 2], 16).unwrap()).collect();
            let z = BigUint::from_bytes_be(&sha2::Sha256::digest(&msg));
            let slots = [(RQX, big(&r["Qx"])), (RQY, big(&r["Qy"])), (RR, big(&r["R"])), (RS, big(&r["S"])), (RE, z)];
            let out = run(&rom, CMD_VERIFY, &slots, false);
            let ok = r["Result"].starts_with('P');
            assert_eq!(out.err == 0, ok, "{r:?}: error {}", out.err);
            passed += ok as usize;
            if !ok {
                assert!([ERR_BAD_SIGNATURE, ERR_NOT_ON_CURVE, ERR_SIGNATURE_RANGE].contains(&out.err), "error {}", out.err);
            }
        }
        assert_eq!(passed, 3);
    }

    #[test]
    fn ecdh_matches_the_p256_crate() {
        let rom = program();
        for seed in 1u64..6 {
            let a = p256::Scalar::from(seed * 0x9e37_79b9_7f4a_7c15);
            let b = p256::Scalar::from(seed * 0xc2b2_ae3d_27d4_eb4f + 7);
            let qb = (p256::ProjectivePoint::GENERATOR * b).to_affine().to_encoded_point(false);
            let shared = (p256::ProjectivePoint::GENERATOR * (a * b)).to_affine().to_encoded_point(false);
            let slots = [
                (RD, BigUint::from_bytes_be(&a.to_repr())),
                (RQX, BigUint::from_bytes_be(qb.x().unwrap())),
                (RQY, BigUint::from_bytes_be(qb.y().unwrap())),
                (RLAMBDA, big("fedcba9876543210") * seed),
            ];
            let out = run(&rom, CMD_ECDH, &slots, seed % 2 == 0);
            assert_eq!(out.err, 0);
            assert_eq!(hex(&out.rf[RQX as usize]), hex(&BigUint::from_bytes_be(shared.x().unwrap())));
        }
        // A point off the curve, and (0, 0).
        let off = [(RD, big("5")), (RQX, big("1")), (RQY, big("1"))];
        assert_eq!(run(&rom, CMD_ECDH, &off, false).err, ERR_NOT_ON_CURVE);
        let inf = [(RD, big("5")), (RQX, big("0")), (RQY, big("0"))];
        assert_eq!(run(&rom, CMD_ECDH, &inf, false).err, ERR_INFINITY);
        // RANDOMIZE with λ = 0.
        let no_mask = [(RD, big("5")), (RQX, big(CONSTANTS_HEX[C_GX as usize])), (RQY, big(CONSTANTS_HEX[C_GY as usize]))];
        assert_eq!(run(&rom, CMD_ECDH, &no_mask, true).err, ERR_MASK_RANGE);
        assert_eq!(run(&rom, CMD_ECDH, &no_mask, false).err, 0);
    }
}
