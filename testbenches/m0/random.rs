//! Constrained-random Thumb programs: machine code emitted directly (no assembler at run time), many programs chained in one image, each ending in a register and memory dump.
//!
//! A program sets R0-R12 and a 256-byte scratch buffer to random values, runs 50-200 random
//! instructions from every class (data processing with all flag cases, shifts by register,
//! high-register forms, MULS, extends and byte reversal, loads and stores of every size and
//! addressing form inside the scratch buffer, LDM/STM/PUSH/POP, forward conditional and
//! unconditional branches, BL/BX/POP {pc} calls, MRS/MSR, CPS, barriers, SVC), and then prints
//! R0-R12, LR, SP, APSR and a checksum of the buffer as one hex line. Programs only branch
//! forwards, so they end. The same seed always gives the same bytes.

use super::image::Image;

const SRAM_TOP: u32 = 0x2000_4000;
/// The scratch buffer loads and stores stay inside.
const SCRATCH: u32 = 0x2000_0100;
const SCRATCH_WORDS: u32 = 64;
/// Where the dump routine builds its text line.
const TEXT: u32 = 0x2000_0400;
const CODE: u32 = 0x40;

/// splitmix64: small, documented, and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n.
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() % n as u64) as u32
    }
    fn reg(&mut self) -> u16 {
        self.below(7) as u16 // R0-R6: R7 is the scratch base
    }
    /// An operand value with edge cases over-represented.
    fn value(&mut self) -> u32 {
        const EDGES: [u32; 12] = [0, 1, 2, 31, 32, 33, 0xFF, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFE, 0xFFFF_FFFF];
        if self.below(3) == 0 {
            EDGES[self.below(EDGES.len() as u32) as usize]
        } else {
            self.next() as u32
        }
    }
}

/// A label in the code being assembled.
#[derive(Clone, Copy)]
struct Label(usize);

enum Fix {
    /// B<cond> (cond < 14) or B (cond 14) at this halfword index, to the label.
    Branch { at: usize, cond: u16, to: Label },
    Bl { at: usize, to: Label },
    /// LDR Rt, [PC, #imm] at this index, to literal-pool entry `entry`.
    Lit { at: usize, entry: usize },
}

/// A tiny Thumb assembler: halfwords, labels, branch fix-ups and literal pools.
struct Asm {
    code: Vec<u16>,
    labels: Vec<Option<usize>>,
    fixes: Vec<Fix>,
    /// Literal values not yet placed, with the index of their placed halfword once placed.
    pool: Vec<(u32, Option<usize>)>,
    pending: Vec<usize>,
}

impl Asm {
    fn new() -> Asm {
        Asm { code: Vec::new(), labels: Vec::new(), fixes: Vec::new(), pool: Vec::new(), pending: Vec::new() }
    }
    fn addr(&self, index: usize) -> u32 {
        CODE + 2 * index as u32
    }
    fn h(&mut self, hw: u16) {
        self.code.push(hw);
    }
    fn label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }
    fn bind(&mut self, l: Label) {
        self.labels[l.0] = Some(self.code.len());
    }
    fn b(&mut self, cond: u16, to: Label) {
        self.fixes.push(Fix::Branch { at: self.code.len(), cond, to });
        self.h(0);
    }
    fn bl(&mut self, to: Label) {
        self.fixes.push(Fix::Bl { at: self.code.len(), to });
        self.h(0);
        self.h(0);
    }
    /// LDR Rt, =value (from the next literal pool).
    fn lit(&mut self, rt: u16, value: u32) {
        self.pool.push((value, None));
        let entry = self.pool.len() - 1;
        self.pending.push(entry);
        self.fixes.push(Fix::Lit { at: self.code.len(), entry });
        self.h(0x4800 | rt << 8);
    }
    /// Places pending literals here, jumping over them.
    fn flush_pool(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let over = self.label();
        self.b(14, over);
        if self.code.len() % 2 == 1 {
            self.h(0xBF00); // align the words
        }
        for entry in std::mem::take(&mut self.pending) {
            let v = self.pool[entry].0;
            self.pool[entry].1 = Some(self.code.len());
            self.h(v as u16);
            self.h((v >> 16) as u16);
        }
        self.bind(over);
    }
    fn finish(mut self) -> Vec<u16> {
        self.flush_pool();
        for fix in &self.fixes {
            match *fix {
                Fix::Branch { at, cond, to } => {
                    let target = self.addr(self.labels[to.0].expect("bound label"));
                    let off = target.wrapping_sub(self.addr(at) + 4) as i32;
                    self.code[at] = if cond == 14 {
                        assert!((-2048..2048).contains(&off), "B out of range");
                        0xE000 | ((off >> 1) as u16 & 0x7FF)
                    } else {
                        assert!((-256..256).contains(&off), "B<cond> out of range");
                        0xD000 | cond << 8 | ((off >> 1) as u16 & 0xFF)
                    };
                }
                Fix::Bl { at, to } => {
                    let target = self.addr(self.labels[to.0].expect("bound label"));
                    let off = target.wrapping_sub(self.addr(at) + 4) as i32;
                    let imm = (off >> 1) as u32;
                    let s = (imm >> 23) & 1;
                    let j1 = ((imm >> 22) & 1 ^ 1) ^ s;
                    let j2 = ((imm >> 21) & 1 ^ 1) ^ s;
                    self.code[at] = (0xF000 | s << 10 | (imm >> 11) & 0x3FF) as u16;
                    self.code[at + 1] = (0xD000 | j1 << 13 | j2 << 11 | imm & 0x7FF) as u16;
                }
                Fix::Lit { at, entry } => {
                    let word = self.addr(self.pool[entry].1.expect("flushed literal"));
                    let base = (self.addr(at) + 4) & !3;
                    let off = word - base;
                    assert!(off % 4 == 0 && off < 1024, "literal out of range");
                    self.code[at] |= (off / 4) as u16;
                }
            }
        }
        self.code
    }
}

/// The shared routine that prints the 16 words at R0 and a checksum of the scratch buffer as one
/// hex line through semihosting SYS_WRITE0.
fn dump_routine(a: &mut Asm) -> Label {
    let dump = a.label();
    let hex8 = a.label();
    a.bind(dump);
    a.h(0xB5F0); // push {r4-r7, lr}
    a.h(0x0004); // movs r4, r0
    a.h(0x2510); // movs r5, #16
    a.lit(1, SCRATCH);
    a.h(0x2240); // movs r2, #64
    a.h(0x2600); // movs r6, #0
    let cs = a.label();
    a.bind(cs);
    a.h(0xC908); // ldm r1!, {r3}
    a.h(0x0177); // lsls r7, r6, #5
    a.h(0x19BE); // adds r6, r7, r6
    a.h(0x18F6); // adds r6, r6, r3
    a.h(0x3A01); // subs r2, #1
    a.b(1, cs); // bne cs
    a.lit(7, TEXT);
    let wl = a.label();
    a.bind(wl);
    a.h(0xCC01); // ldm r4!, {r0}
    a.bl(hex8);
    a.h(0x2120); // movs r1, #' '
    a.h(0x7039); // strb r1, [r7]
    a.h(0x3701); // adds r7, #1
    a.h(0x3D01); // subs r5, #1
    a.b(1, wl); // bne wl
    a.h(0x0030); // movs r0, r6
    a.bl(hex8);
    a.h(0x210A); // movs r1, #'\n'
    a.h(0x7039); // strb r1, [r7]
    a.h(0x2100); // movs r1, #0
    a.h(0x7079); // strb r1, [r7, #1]
    a.h(0x2004); // movs r0, #4 (SYS_WRITE0)
    a.lit(1, TEXT);
    a.h(0xBEAB); // bkpt 0xab
    a.h(0xBDF0); // pop {r4-r7, pc}
    a.flush_pool();
    // hex8: the word in r0 as 8 hex digits at r7, r7 += 8 (uses r1, r2)
    a.bind(hex8);
    a.h(0x2208); // movs r2, #8
    let h1 = a.label();
    let h2 = a.label();
    a.bind(h1);
    a.h(0x0F01); // lsrs r1, r0, #28
    a.h(0x0100); // lsls r0, r0, #4
    a.h(0x290A); // cmp r1, #10
    a.b(11, h2); // blt h2
    a.h(0x3127); // adds r1, #39 ('a' - '0' - 10)
    a.bind(h2);
    a.h(0x3130); // adds r1, #'0'
    a.h(0x7039); // strb r1, [r7]
    a.h(0x3701); // adds r7, #1
    a.h(0x3A01); // subs r2, #1
    a.b(1, h1); // bne h1
    a.h(0x4770); // bx lr
    dump
}

/// One instruction (or a short group that sets up its operands) from a random class.
fn random_instruction(a: &mut Asm, rng: &mut Rng, pushed: &mut u32) {
    let (rd, rn, rm) = (rng.reg(), rng.reg(), rng.reg());
    match rng.below(24) {
        // data processing, register forms
        0 | 1 => a.h(0x4000 | (rng.below(16) as u16) << 6 | rm << 3 | rd),
        2 => a.h([0x1800, 0x1A00][rng.below(2) as usize] | rm << 6 | rn << 3 | rd),
        3 => a.h([0x1C00, 0x1E00][rng.below(2) as usize] | (rng.below(8) as u16) << 6 | rn << 3 | rd),
        4 => a.h([0x2000, 0x2800, 0x3000, 0x3800][rng.below(4) as usize] | rd << 8 | rng.below(256) as u16),
        5 => a.h([0x0000, 0x0800, 0x1000][rng.below(3) as usize] | (rng.below(32) as u16) << 6 | rm << 3 | rd),
        // shift by a register holding an edge amount
        6 => {
            a.h(0x2000 | rm << 8 | [0u16, 1, 31, 32, 33, 255, 64][rng.below(7) as usize]);
            a.h(0x4000 | [2u16, 3, 4, 7][rng.below(4) as usize] << 6 | rm << 3 | rd);
        }
        // high registers: R8-R12 written, any of R0-R12 and SP read
        7 => {
            let hi = 8 + rng.below(5) as u16;
            let src = if rng.below(6) == 0 { 13 } else { rng.below(13) as u16 };
            match rng.below(4) {
                0 => a.h(0x4400 | (hi >> 3) << 7 | src << 3 | (hi & 7)),
                1 => a.h(0x4600 | (hi >> 3) << 7 | src << 3 | (hi & 7)),
                2 => a.h(0x4500 | (hi >> 3) << 7 | rm << 3 | (hi & 7)),
                _ => a.h(0x4600 | hi << 3 | rd), // mov rd, r8..r12
            }
        }
        8 => a.h([0xB200, 0xB240, 0xB280, 0xB2C0, 0xBA00, 0xBA40, 0xBAC0][rng.below(7) as usize] | rm << 3 | rd),
        9 => a.h(0x4340 | rm << 3 | rd), // muls
        // loads and stores, immediate offsets from the scratch base R7
        10 | 11 => {
            // STR/LDR (imm5 x 4), STRB/LDRB (imm5), STRH/LDRH (imm5 x 2): all inside the buffer
            let base = [0x6000u16, 0x6800, 0x7000, 0x7800, 0x8000, 0x8800][rng.below(6) as usize];
            a.h(base | (rng.below(32) as u16) << 6 | 7 << 3 | rd);
        }
        // register offsets: an aligned offset set just before
        12 => {
            let op = rng.below(8) as u16;
            let size = [4u32, 2, 1, 1, 4, 2, 1, 2][op as usize];
            let off = rng.below(SCRATCH_WORDS * 4 / size) * size;
            let rm = if rd == 6 { 5 } else { 6 };
            a.lit(rm, off);
            a.h(0x5000 | op << 9 | rm << 6 | 7 << 3 | rd);
        }
        13 => a.lit(rd, rng.value()), // LDR literal
        // LDM/STM on a base inside the buffer; STM never stores a base that is not the lowest
        14 => {
            let b = 6u16;
            a.h(0x4600 | 7 << 3 | b); // mov r6, r7
            a.h(0x3600 | (rng.below(32) as u16) * 4); // adds r6, #0..124
            let list = (rng.below(63) as u16 + 1) & 0x3F; // R0-R5
            let list = if list == 0 { 1 } else { list };
            if rng.below(2) == 0 {
                a.h(0xC000 | b << 8 | list);
            } else {
                a.h(0xC800 | b << 8 | list | if rng.below(4) == 0 { 1 << b } else { 0 });
            }
        }
        15 => {
            let list = rng.below(127) as u16 + 1;
            a.h(0xB400 | list); // push
            *pushed += list.count_ones();
        }
        16 => {
            if *pushed > 0 {
                // pop as many words as were pushed (or fewer)
                let n = 1 + rng.below((*pushed).min(6));
                let mut list = 0u16;
                while list.count_ones() < n {
                    list |= 1 << rng.below(7);
                }
                a.h(0xBC00 | list);
                *pushed -= n;
            } else {
                a.h(0xBF00);
            }
        }
        // SP-relative into the 64 bytes reserved below the program's stack
        17 => {
            let imm = rng.below(16) as u16;
            if *pushed == 0 {
                a.h([0x9000, 0x9800][rng.below(2) as usize] | rd << 8 | imm);
            } else {
                a.h(0xA800 | rd << 8 | imm); // add rd, sp, #imm*4
            }
        }
        18 => a.h(0xA000 | rd << 8 | rng.below(256) as u16), // adr
        // forward branches over 1-4 filler instructions
        19 | 20 => {
            let over = a.label();
            let cond = if rng.below(5) == 0 { 14 } else { rng.below(14) as u16 };
            a.b(cond, over);
            for _ in 0..1 + rng.below(4) {
                a.h(0x4000 | (rng.below(16) as u16) << 6 | rng.reg() << 3 | rng.reg());
            }
            a.bind(over);
        }
        // a call: BL to a leaf placed just before, which returns by BX LR or POP {pc}
        21 => {
            let leaf = a.label();
            let after = a.label();
            a.b(14, after);
            a.bind(leaf);
            let pop_return = rng.below(2) == 0;
            if pop_return {
                a.h(0xB500); // push {lr}
            }
            a.h(0x4000 | (rng.below(16) as u16) << 6 | rm << 3 | rd);
            a.h(if pop_return { 0xBD00 } else { 0x4770 });
            a.bind(after);
            if rng.below(2) == 0 {
                a.bl(leaf);
            } else {
                // BLX through a register holding the leaf's address with the Thumb bit
                let leaf_addr = a.addr(a.labels[leaf.0].expect("bound")) | 1;
                a.lit(6, leaf_addr);
                a.h(0x4780 | 6 << 3); // blx r6
            }
        }
        // system: MRS/MSR APSR, CPS, barriers, hints, SVC
        _ => match rng.below(6) {
            0 => {
                a.h(0xF3EF);
                a.h(0x8000 | rd << 8);
            }
            // MSR APSR of NZCV only: QEMU also keeps bit 27 (Q), which ARMv6-M does not have
            1 => {
                a.h(0x0F00 | rn << 3 | rn); // lsrs rn, rn, #28
                a.h(0x0700 | rn << 3 | rn); // lsls rn, rn, #28
                a.h(0xF380 | rn);
                a.h(0x8800);
            }
            // PRIMASK set only briefly: an SVC under it would escalate to HardFault
            2 => {
                a.h(0xB672); // cpsid i
                a.h(0x4000 | (rng.below(16) as u16) << 6 | rm << 3 | rd);
                a.h(0xB662); // cpsie i
            }
            3 => {
                a.h(0xF3BF);
                a.h([0x8F5F, 0x8F4F, 0x8F6F][rng.below(3) as usize]);
            }
            4 => a.h([0xBF00, 0xBF10][rng.below(2) as usize]),
            _ => a.h(0xDF00 | rng.below(256) as u16),
        },
    }
}

/// Emits one program: random state, a random body, and the dump.
fn emit_program(a: &mut Asm, seed: u64, dump: Label) {
    let mut rng = Rng::new(seed);
    a.h(0xB090); // sub sp, #64: room for SP-relative stores
    a.lit(7, SCRATCH);
    for i in 0..SCRATCH_WORDS as u16 / 4 {
        for r in 0..4 {
            a.lit(r, rng.value());
        }
        a.h(0x6000 | 0 | 7 << 3); // str r0, [r7]
        a.h(0x6000 | 1 << 6 | 7 << 3 | 1);
        a.h(0x6000 | 2 << 6 | 7 << 3 | 2);
        a.h(0x6000 | 3 << 6 | 7 << 3 | 3);
        a.h(0x3710); // adds r7, #16
        if i % 4 == 3 {
            a.flush_pool();
        }
    }
    a.lit(7, SCRATCH);
    for r in 0..7 {
        a.lit(r, rng.value());
    }
    for hi in 8..13u16 {
        a.h(0x4600 | (hi >> 3) << 7 | (rng.below(7) as u16) << 3 | (hi & 7)); // mov r8..r12, rX
    }
    a.lit(0, rng.value() & 0xF000_0000);
    a.h(0xF380); // msr apsr, r0: random flags
    a.h(0x8800);
    a.lit(0, rng.value());
    a.flush_pool();
    let mut pushed = 0;
    let length = 50 + rng.below(151);
    for i in 0..length {
        random_instruction(a, &mut rng, &mut pushed);
        if i % 24 == 23 {
            a.flush_pool();
        }
    }
    // balance the stack, then dump R0-R12, LR, SP, APSR
    while pushed > 0 {
        let n = pushed.min(127);
        a.h(0xB000 | n as u16); // add sp, #n*4
        pushed -= n;
    }
    a.h(0xB4FF); // push {r0-r7}
    a.h(0x4640); // mov r0, r8
    a.h(0x4649); // mov r1, r9
    a.h(0x4652); // mov r2, r10
    a.h(0x465B); // mov r3, r11
    a.h(0x4664); // mov r4, r12
    a.h(0x4675); // mov r5, lr
    a.h(0xF3EF); // mrs r6, apsr
    a.h(0x8600);
    a.h(0x466F); // mov r7, sp
    a.h(0xB4FF); // push {r0-r7}: the dump is 16 words at SP
    a.h(0x4668); // mov r0, sp
    a.bl(dump);
    a.h(0xB010); // add sp, #64
    a.h(0xB010); // add sp, #64 (the room reserved at the start)
    a.flush_pool();
}

/// `count` programs from `first_seed` on, chained in one image that ends with SYS_EXIT.
pub fn suite(first_seed: u64, count: usize) -> Image {
    let mut a = Asm::new();
    let start = a.label();
    a.b(14, start);
    let dump = dump_routine(&mut a);
    // SVC returns at once; any other exception reports and fails the run.
    let svc = a.label();
    a.bind(svc);
    a.h(0x4770); // bx lr
    let fail = a.label();
    a.bind(fail);
    a.h(0x2018); // movs r0, #0x18
    a.h(0x2101); // movs r1, #1
    a.h(0xBEAB);
    a.bind(start);
    for i in 0..count {
        emit_program(&mut a, first_seed.wrapping_add(i as u64), dump);
    }
    a.h(0x2018); // movs r0, #SYS_EXIT
    a.lit(1, 0x20026);
    a.h(0xBEAB);
    let svc_at = a.labels[svc.0].expect("bound");
    let fail_at = a.labels[fail.0].expect("bound");
    let code = a.finish();
    let mut bytes = Vec::new();
    let mut vectors = vec![0u32; CODE as usize / 4];
    vectors[0] = SRAM_TOP;
    vectors[1] = CODE | 1;
    for (n, v) in vectors.iter_mut().enumerate().skip(2) {
        *v = (CODE + 2 * if n == 11 { svc_at } else { fail_at } as u32) | 1;
    }
    for v in vectors {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    for hw in code {
        bytes.extend_from_slice(&hw.to_le_bytes());
    }
    Image::new(format!("random-{first_seed:#x}+{count}"), bytes)
}

/// One random program.
pub fn program(seed: u64) -> Image {
    suite(seed, 1)
}
