//! ARMv6-M Thumb decoder: 16-bit and 32-bit (BL, MRS, MSR, DMB, DSB, ISB, UDF) encodings to `Instr`.

/// Shift kinds used by the shift-by-immediate and shift-by-register instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    Lsl,
    Lsr,
    Asr,
    Ror,
}

/// The 16 data-processing operations of encoding 010000 (ARM ARM A5.2.2), in opcode order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AluOp {
    And,
    Eor,
    Lsl,
    Lsr,
    Asr,
    Adc,
    Sbc,
    Ror,
    Tst,
    Rsb,
    Cmp,
    Cmn,
    Orr,
    Mul,
    Bic,
    Mvn,
}

/// Size and signedness of a load or store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemOp {
    Str,
    Strh,
    Strb,
    Ldrsb,
    Ldr,
    Ldrh,
    Ldrb,
    Ldrsh,
}

impl MemOp {
    /// Access size in bytes.
    pub fn size(self) -> u8 {
        match self {
            MemOp::Str | MemOp::Ldr => 4,
            MemOp::Strh | MemOp::Ldrh | MemOp::Ldrsh => 2,
            MemOp::Strb | MemOp::Ldrb | MemOp::Ldrsb => 1,
        }
    }
    pub fn is_load(self) -> bool {
        !matches!(self, MemOp::Str | MemOp::Strh | MemOp::Strb)
    }
    pub fn is_signed(self) -> bool {
        matches!(self, MemOp::Ldrsb | MemOp::Ldrsh)
    }
}

/// SXTH/SXTB/UXTH/UXTB and REV/REV16/REVSH: one register in, one register out, no flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtOp {
    Sxth,
    Sxtb,
    Uxth,
    Uxtb,
    Rev,
    Rev16,
    Revsh,
}

/// Hint instructions (1011 1111 opA 0000).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    Nop,
    Yield,
    Wfe,
    Wfi,
    Sev,
}

/// Memory barriers (32-bit, 0xF3BF 0x8F4x..).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Barrier {
    Dsb,
    Dmb,
    Isb,
}

/// One decoded ARMv6-M instruction. Register fields are register numbers (0-15),
/// immediates are already scaled/sign-extended as the ARM ARM's `imm32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// LSLS/LSRS/ASRS Rd, Rm, #imm (imm is the decoded shift amount 0-32; LSL #0 is MOVS Rd, Rm).
    ShiftImm {
        op: Shift,
        rd: u8,
        rm: u8,
        imm: u8,
    },
    /// ADDS Rd, Rn, Rm
    AddsReg {
        rd: u8,
        rn: u8,
        rm: u8,
    },
    /// SUBS Rd, Rn, Rm
    SubsReg {
        rd: u8,
        rn: u8,
        rm: u8,
    },
    /// ADDS Rd, Rn, #imm3 and ADDS Rdn, #imm8
    AddsImm {
        rd: u8,
        rn: u8,
        imm: u32,
    },
    /// SUBS Rd, Rn, #imm3 and SUBS Rdn, #imm8
    SubsImm {
        rd: u8,
        rn: u8,
        imm: u32,
    },
    /// MOVS Rd, #imm8
    MovsImm {
        rd: u8,
        imm: u32,
    },
    /// CMP Rn, #imm8
    CmpImm {
        rn: u8,
        imm: u32,
    },
    /// Data processing register ops; `rdn` is destination and first operand (RSBS: Rd, Rn, #0 with rdn=Rd, rm=Rn).
    Alu {
        op: AluOp,
        rdn: u8,
        rm: u8,
    },
    /// ADD Rdn, Rm (any registers, no flags; Rdn=PC branches)
    AddHi {
        rdn: u8,
        rm: u8,
    },
    /// CMP Rn, Rm (high registers)
    CmpHi {
        rn: u8,
        rm: u8,
    },
    /// MOV Rd, Rm (no flags; Rd=PC branches)
    MovHi {
        rd: u8,
        rm: u8,
    },
    /// BX Rm
    Bx {
        rm: u8,
    },
    /// BLX Rm
    Blx {
        rm: u8,
    },
    /// LDR Rt, [PC, #imm]
    LdrLit {
        rt: u8,
        imm: u32,
    },
    /// LDR*/STR* Rt, [Rn, Rm]
    MemReg {
        op: MemOp,
        rt: u8,
        rn: u8,
        rm: u8,
    },
    /// LDR*/STR* Rt, [Rn, #imm] (also SP-relative LDR/STR with rn = 13)
    MemImm {
        op: MemOp,
        rt: u8,
        rn: u8,
        imm: u32,
    },
    /// ADR Rd, label (ADD Rd, PC, #imm)
    Adr {
        rd: u8,
        imm: u32,
    },
    /// ADD Rd, SP, #imm
    AddSpImm {
        rd: u8,
        imm: u32,
    },
    /// ADD SP, SP, #imm
    IncSp {
        imm: u32,
    },
    /// SUB SP, SP, #imm
    DecSp {
        imm: u32,
    },
    /// SXTH/SXTB/UXTH/UXTB/REV/REV16/REVSH Rd, Rm
    Ext {
        op: ExtOp,
        rd: u8,
        rm: u8,
    },
    /// PUSH {list}; bit 14 of `list` is LR
    Push {
        list: u16,
    },
    /// POP {list}; bit 15 of `list` is PC
    Pop {
        list: u16,
    },
    /// STM Rn!, {list}
    Stm {
        rn: u8,
        list: u16,
    },
    /// LDM Rn{!}, {list}; writeback when Rn is not in the list
    Ldm {
        rn: u8,
        list: u16,
    },
    /// B<cond> label; `cond` 0-13, `imm` relative to PC (instruction address + 4)
    BCond {
        cond: u8,
        imm: i32,
    },
    /// B label
    B {
        imm: i32,
    },
    /// BL label (32-bit)
    Bl {
        imm: i32,
    },
    /// SVC #imm8
    Svc {
        imm: u8,
    },
    /// BKPT #imm8
    Bkpt {
        imm: u8,
    },
    /// CPSID i (disable = true) / CPSIE i
    Cps {
        disable: bool,
    },
    Hint(Hint),
    /// MRS Rd, <spec_reg>
    Mrs {
        rd: u8,
        sysm: u8,
    },
    /// MSR <spec_reg>, Rn
    Msr {
        rn: u8,
        sysm: u8,
    },
    Barrier(Barrier),
    /// UDF #imm (permanently undefined, 16-bit imm8 or 32-bit imm16)
    Udf {
        imm: u16,
    },
    /// Any other encoding (including UNPREDICTABLE ones, treated as undefined)
    Undefined {
        encoding: u32,
    },
}

/// True when `hw1` is the first halfword of a 32-bit instruction (bits 15:11 = 11101/11110/11111).
pub fn is_32bit(hw1: u16) -> bool {
    (hw1 >> 11) >= 0b11101
}

fn bits(x: u16, hi: u32, lo: u32) -> u16 {
    (x >> lo) & ((1 << (hi - lo + 1)) - 1)
}

fn sign_extend(value: u32, width: u32) -> i32 {
    let shift = 32 - width;
    ((value << shift) as i32) >> shift
}

/// Decodes a 16-bit Thumb instruction (ARM ARM A5.2).
pub fn decode16(hw: u16) -> Instr {
    let r = |hi: u32, lo: u32| bits(hw, hi, lo) as u8;
    let undefined = Instr::Undefined {
        encoding: hw as u32,
    };
    match hw >> 10 {
        // 00xxxx: shift (immediate), add, subtract, move, compare
        0b000000..=0b001111 => {
            let (rd, rn_or_rm) = (r(2, 0), r(5, 3));
            match r(13, 11) {
                0b000 => Instr::ShiftImm {
                    op: Shift::Lsl,
                    rd,
                    rm: rn_or_rm,
                    imm: r(10, 6),
                },
                // LSR/ASR: imm5 = 0 encodes a shift of 32 (DecodeImmShift)
                0b001 | 0b010 => {
                    let imm = if r(10, 6) == 0 { 32 } else { r(10, 6) };
                    let op = if r(13, 11) == 0b001 {
                        Shift::Lsr
                    } else {
                        Shift::Asr
                    };
                    Instr::ShiftImm {
                        op,
                        rd,
                        rm: rn_or_rm,
                        imm,
                    }
                }
                0b011 => {
                    let third = r(8, 6);
                    match r(10, 9) {
                        0b00 => Instr::AddsReg {
                            rd,
                            rn: rn_or_rm,
                            rm: third,
                        },
                        0b01 => Instr::SubsReg {
                            rd,
                            rn: rn_or_rm,
                            rm: third,
                        },
                        0b10 => Instr::AddsImm {
                            rd,
                            rn: rn_or_rm,
                            imm: third as u32,
                        },
                        _ => Instr::SubsImm {
                            rd,
                            rn: rn_or_rm,
                            imm: third as u32,
                        },
                    }
                }
                op => {
                    let (rdn, imm) = (r(10, 8), (hw & 0xFF) as u32);
                    match op {
                        0b100 => Instr::MovsImm { rd: rdn, imm },
                        0b101 => Instr::CmpImm { rn: rdn, imm },
                        0b110 => Instr::AddsImm {
                            rd: rdn,
                            rn: rdn,
                            imm,
                        },
                        _ => Instr::SubsImm {
                            rd: rdn,
                            rn: rdn,
                            imm,
                        },
                    }
                }
            }
        }
        // 010000: data processing
        0b010000 => {
            const OPS: [AluOp; 16] = [
                AluOp::And,
                AluOp::Eor,
                AluOp::Lsl,
                AluOp::Lsr,
                AluOp::Asr,
                AluOp::Adc,
                AluOp::Sbc,
                AluOp::Ror,
                AluOp::Tst,
                AluOp::Rsb,
                AluOp::Cmp,
                AluOp::Cmn,
                AluOp::Orr,
                AluOp::Mul,
                AluOp::Bic,
                AluOp::Mvn,
            ];
            Instr::Alu {
                op: OPS[r(9, 6) as usize],
                rdn: r(2, 0),
                rm: r(5, 3),
            }
        }
        // 010001: special data processing, branch and exchange
        0b010001 => {
            let rdn = (r(7, 7) << 3) | r(2, 0);
            let rm = r(6, 3);
            match r(9, 8) {
                0b00 => {
                    if rdn == 15 && rm == 15 {
                        undefined // UNPREDICTABLE
                    } else {
                        Instr::AddHi { rdn, rm }
                    }
                }
                0b01 => {
                    // both low or either PC: UNPREDICTABLE
                    if (rdn < 8 && rm < 8) || rdn == 15 || rm == 15 {
                        undefined
                    } else {
                        Instr::CmpHi { rn: rdn, rm }
                    }
                }
                0b10 => Instr::MovHi { rd: rdn, rm },
                _ => {
                    if r(2, 0) != 0 {
                        undefined // (0)(0)(0) bits set: UNPREDICTABLE
                    } else if r(7, 7) == 0 {
                        Instr::Bx { rm }
                    } else if rm == 15 {
                        undefined
                    } else {
                        Instr::Blx { rm }
                    }
                }
            }
        }
        // 01001x: LDR (literal)
        0b010010 | 0b010011 => Instr::LdrLit {
            rt: r(10, 8),
            imm: ((hw & 0xFF) as u32) << 2,
        },
        // 0101xx: load/store register offset
        0b010100..=0b010111 => {
            const OPS: [MemOp; 8] = [
                MemOp::Str,
                MemOp::Strh,
                MemOp::Strb,
                MemOp::Ldrsb,
                MemOp::Ldr,
                MemOp::Ldrh,
                MemOp::Ldrb,
                MemOp::Ldrsh,
            ];
            Instr::MemReg {
                op: OPS[r(11, 9) as usize],
                rt: r(2, 0),
                rn: r(5, 3),
                rm: r(8, 6),
            }
        }
        // 011xxx, 100xxx: load/store immediate offset (word scaled by 4, halfword by 2)
        0b011000..=0b100011 => {
            let imm5 = r(10, 6) as u32;
            let (op, imm) = match r(15, 11) {
                0b01100 => (MemOp::Str, imm5 << 2),
                0b01101 => (MemOp::Ldr, imm5 << 2),
                0b01110 => (MemOp::Strb, imm5),
                0b01111 => (MemOp::Ldrb, imm5),
                0b10000 => (MemOp::Strh, imm5 << 1),
                _ => (MemOp::Ldrh, imm5 << 1),
            };
            Instr::MemImm {
                op,
                rt: r(2, 0),
                rn: r(5, 3),
                imm,
            }
        }
        // 1001xx: SP-relative load/store
        0b100100..=0b100111 => {
            let op = if r(11, 11) == 1 {
                MemOp::Ldr
            } else {
                MemOp::Str
            };
            Instr::MemImm {
                op,
                rt: r(10, 8),
                rn: 13,
                imm: ((hw & 0xFF) as u32) << 2,
            }
        }
        // 10100x: ADR; 10101x: ADD Rd, SP, #imm
        0b101000 | 0b101001 => Instr::Adr {
            rd: r(10, 8),
            imm: ((hw & 0xFF) as u32) << 2,
        },
        0b101010 | 0b101011 => Instr::AddSpImm {
            rd: r(10, 8),
            imm: ((hw & 0xFF) as u32) << 2,
        },
        // 1011xx: miscellaneous 16-bit instructions (A5.2.5)
        0b101100..=0b101111 => decode_misc(hw),
        // 11000x: STM; 11001x: LDM
        0b110000 | 0b110001 => {
            let list = hw & 0xFF;
            if list == 0 {
                undefined
            } else {
                Instr::Stm { rn: r(10, 8), list }
            }
        }
        0b110010 | 0b110011 => {
            let list = hw & 0xFF;
            if list == 0 {
                undefined
            } else {
                Instr::Ldm { rn: r(10, 8), list }
            }
        }
        // 1101xx: conditional branch, UDF, SVC
        0b110100..=0b110111 => match r(11, 8) {
            0b1110 => Instr::Udf { imm: hw & 0xFF },
            0b1111 => Instr::Svc {
                imm: (hw & 0xFF) as u8,
            },
            cond => Instr::BCond {
                cond,
                imm: sign_extend(((hw & 0xFF) as u32) << 1, 9),
            },
        },
        // 11100x: unconditional branch
        0b111000 | 0b111001 => Instr::B {
            imm: sign_extend(((hw & 0x7FF) as u32) << 1, 12),
        },
        _ => undefined, // first halfword of a 32-bit instruction: use decode32
    }
}

/// Miscellaneous 16-bit instructions, 1011 xxxx xxxx xxxx.
fn decode_misc(hw: u16) -> Instr {
    let r = |hi: u32, lo: u32| bits(hw, hi, lo) as u8;
    let undefined = Instr::Undefined {
        encoding: hw as u32,
    };
    let imm7 = ((hw & 0x7F) as u32) << 2;
    match r(11, 5) {
        0b0000000..=0b0000011 => Instr::IncSp { imm: imm7 },
        0b0000100..=0b0000111 => Instr::DecSp { imm: imm7 },
        0b0010000..=0b0010111 => {
            const OPS: [ExtOp; 4] = [ExtOp::Sxth, ExtOp::Sxtb, ExtOp::Uxth, ExtOp::Uxtb];
            Instr::Ext {
                op: OPS[r(7, 6) as usize],
                rd: r(2, 0),
                rm: r(5, 3),
            }
        }
        0b0100000..=0b0101111 => {
            // PUSH: M bit (8) adds LR
            let list = (hw & 0xFF) | ((r(8, 8) as u16) << 14);
            if list == 0 {
                undefined
            } else {
                Instr::Push { list }
            }
        }
        0b0110011 => {
            // CPS: 1011 0110 011 im (0)(0)(1)(0); only the I flag exists on ARMv6-M
            if r(3, 0) == 0b0010 {
                Instr::Cps {
                    disable: r(4, 4) == 1,
                }
            } else {
                undefined
            }
        }
        0b1010000..=0b1010111 => match r(7, 6) {
            0b00 => Instr::Ext {
                op: ExtOp::Rev,
                rd: r(2, 0),
                rm: r(5, 3),
            },
            0b01 => Instr::Ext {
                op: ExtOp::Rev16,
                rd: r(2, 0),
                rm: r(5, 3),
            },
            0b11 => Instr::Ext {
                op: ExtOp::Revsh,
                rd: r(2, 0),
                rm: r(5, 3),
            },
            _ => undefined,
        },
        0b1100000..=0b1101111 => {
            // POP: P bit (8) adds PC
            let list = (hw & 0xFF) | ((r(8, 8) as u16) << 15);
            if list == 0 {
                undefined
            } else {
                Instr::Pop { list }
            }
        }
        0b1110000..=0b1110111 => Instr::Bkpt {
            imm: (hw & 0xFF) as u8,
        },
        0b1111000..=0b1111111 => {
            // IT (opB != 0) does not exist on ARMv6-M
            if r(3, 0) != 0 {
                return undefined;
            }
            match r(7, 4) {
                0 => Instr::Hint(Hint::Nop),
                1 => Instr::Hint(Hint::Yield),
                2 => Instr::Hint(Hint::Wfe),
                3 => Instr::Hint(Hint::Wfi),
                4 => Instr::Hint(Hint::Sev),
                _ => Instr::Hint(Hint::Nop), // unallocated hints execute as NOP
            }
        }
        _ => undefined,
    }
}

/// Decodes a 32-bit Thumb instruction from its two halfwords (ARM ARM A5.3).
pub fn decode32(hw1: u16, hw2: u16) -> Instr {
    let encoding = ((hw1 as u32) << 16) | hw2 as u32;
    let undefined = Instr::Undefined { encoding };
    // Only op1 = 10, op = 1 (branch and miscellaneous control) exists on ARMv6-M
    if bits(hw1, 15, 11) != 0b11110 || bits(hw2, 15, 15) != 1 {
        return undefined;
    }
    let op2 = bits(hw2, 14, 12);
    if op2 & 0b101 == 0b101 {
        // BL: imm32 = SignExtend(S:I1:I2:imm10:imm11:'0'), I1 = NOT(J1 EOR S), I2 = NOT(J2 EOR S)
        let s = bits(hw1, 10, 10) as u32;
        let j1 = bits(hw2, 13, 13) as u32;
        let j2 = bits(hw2, 11, 11) as u32;
        let i1 = !(j1 ^ s) & 1;
        let i2 = !(j2 ^ s) & 1;
        let imm = (s << 24)
            | (i1 << 23)
            | (i2 << 22)
            | ((bits(hw1, 9, 0) as u32) << 12)
            | ((bits(hw2, 10, 0) as u32) << 1);
        return Instr::Bl {
            imm: sign_extend(imm, 25),
        };
    }
    if op2 == 0b010 && bits(hw1, 10, 4) == 0b1111111 {
        // UDF.W #imm16 = imm4:imm12
        return Instr::Udf {
            imm: (bits(hw1, 3, 0) << 12) | bits(hw2, 11, 0),
        };
    }
    if op2 & 0b101 != 0b000 {
        return undefined;
    }
    let sysm = (hw2 & 0xFF) as u8;
    match bits(hw1, 10, 4) {
        // MSR: 11110 0 1110 0 (0) Rn | 10 (0) 0 (1)(0)(0)(0) SYSm
        0b0111000 | 0b0111001 => {
            let rn = bits(hw1, 3, 0) as u8;
            if rn == 13 || rn == 15 {
                undefined
            } else {
                Instr::Msr { rn, sysm }
            }
        }
        // Miscellaneous control: 11110 0 111 01 1 (1111) | 10 (0) 0 (1111) opc option
        0b0111011 => match bits(hw2, 7, 4) {
            0b0100 => Instr::Barrier(Barrier::Dsb),
            0b0101 => Instr::Barrier(Barrier::Dmb),
            0b0110 => Instr::Barrier(Barrier::Isb),
            _ => undefined,
        },
        // MRS: 11110 0 1111 1 (0)(1)(1)(1)(1) | 10 (0) 0 Rd SYSm
        0b0111110 | 0b0111111 => {
            let rd = bits(hw2, 11, 8) as u8;
            if rd == 13 || rd == 15 {
                undefined
            } else {
                Instr::Mrs { rd, sysm }
            }
        }
        _ => undefined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armv6m_decode_shifts_and_add_sub() {
        const LSLS_R1_R2_3: u16 = 0x00D1; // lsls r1, r2, #3
        const LSRS_R0_R1_32: u16 = 0x0808; // lsrs r0, r1, #32
        const ASRS_R7_R7_1: u16 = 0x107F; // asrs r7, r7, #1
        const ADDS_R0_R1_R2: u16 = 0x1888; // adds r0, r1, r2
        const SUBS_R3_R4_5: u16 = 0x1F63; // subs r3, r4, #5
        const ADDS_R5_200: u16 = 0x35C8; // adds r5, #200
        assert_eq!(
            decode16(LSLS_R1_R2_3),
            Instr::ShiftImm {
                op: Shift::Lsl,
                rd: 1,
                rm: 2,
                imm: 3
            }
        );
        assert_eq!(
            decode16(LSRS_R0_R1_32),
            Instr::ShiftImm {
                op: Shift::Lsr,
                rd: 0,
                rm: 1,
                imm: 32
            }
        );
        assert_eq!(
            decode16(ASRS_R7_R7_1),
            Instr::ShiftImm {
                op: Shift::Asr,
                rd: 7,
                rm: 7,
                imm: 1
            }
        );
        assert_eq!(
            decode16(ADDS_R0_R1_R2),
            Instr::AddsReg {
                rd: 0,
                rn: 1,
                rm: 2
            }
        );
        assert_eq!(
            decode16(SUBS_R3_R4_5),
            Instr::SubsImm {
                rd: 3,
                rn: 4,
                imm: 5
            }
        );
        assert_eq!(
            decode16(ADDS_R5_200),
            Instr::AddsImm {
                rd: 5,
                rn: 5,
                imm: 200
            }
        );
    }

    #[test]
    fn armv6m_decode_misc_and_special() {
        const MOV_PC_LR: u16 = 0x46F7; // mov pc, lr
        const BX_LR: u16 = 0x4770; // bx lr
        const BLX_R3: u16 = 0x4798; // blx r3
        const PUSH_R4_LR: u16 = 0xB510; // push {r4, lr}
        const POP_R4_PC: u16 = 0xBD10; // pop {r4, pc}
        const CPSID_I: u16 = 0xB672; // cpsid i
        const CPSIE_I: u16 = 0xB662; // cpsie i
        const WFI: u16 = 0xBF30; // wfi
        const IT_EQ: u16 = 0xBF08; // it eq (not ARMv6-M)
        const UDF_7: u16 = 0xDE07; // udf #7
        const SVC_5: u16 = 0xDF05; // svc #5
        const REV_R0_R1: u16 = 0xBA08; // rev r0, r1
        const REV_UNALLOC: u16 = 0xBA88; // 1011 1010 10 xxx xxx: unallocated
        const CBZ_R0: u16 = 0xB100; // cbz r0, . (ARMv7-M only)
        assert_eq!(
            decode16(CBZ_R0),
            Instr::Undefined {
                encoding: CBZ_R0 as u32
            }
        );
        assert_eq!(decode16(0xB300), Instr::Undefined { encoding: 0xB300 }); // cbz with i=1 (bits 11:8 = 0011)
        const BEQ_BACK: u16 = 0xD0FE; // beq . (imm = -4)
        const B_FWD: u16 = 0xE002; // b .+8
        assert_eq!(decode16(MOV_PC_LR), Instr::MovHi { rd: 15, rm: 14 });
        assert_eq!(decode16(BX_LR), Instr::Bx { rm: 14 });
        assert_eq!(decode16(BLX_R3), Instr::Blx { rm: 3 });
        assert_eq!(decode16(PUSH_R4_LR), Instr::Push { list: 0x4010 });
        assert_eq!(decode16(POP_R4_PC), Instr::Pop { list: 0x8010 });
        assert_eq!(decode16(CPSID_I), Instr::Cps { disable: true });
        assert_eq!(decode16(CPSIE_I), Instr::Cps { disable: false });
        assert_eq!(decode16(WFI), Instr::Hint(Hint::Wfi));
        assert_eq!(
            decode16(IT_EQ),
            Instr::Undefined {
                encoding: IT_EQ as u32
            }
        );
        assert_eq!(decode16(UDF_7), Instr::Udf { imm: 7 });
        assert_eq!(decode16(SVC_5), Instr::Svc { imm: 5 });
        assert_eq!(
            decode16(REV_R0_R1),
            Instr::Ext {
                op: ExtOp::Rev,
                rd: 0,
                rm: 1
            }
        );
        assert_eq!(
            decode16(REV_UNALLOC),
            Instr::Undefined {
                encoding: REV_UNALLOC as u32
            }
        );
        assert_eq!(decode16(BEQ_BACK), Instr::BCond { cond: 0, imm: -4 });
        assert_eq!(decode16(B_FWD), Instr::B { imm: 4 });
    }

    #[test]
    fn armv6m_decode_32bit() {
        // bl .+0x1004 (imm = +0x1000): F001 F800
        assert_eq!(decode32(0xF001, 0xF800), Instr::Bl { imm: 0x1000 });
        // bl . (imm = -4): F7FF FFFE
        assert_eq!(decode32(0xF7FF, 0xFFFE), Instr::Bl { imm: -4 });
        // mrs r0, control: F3EF 8014
        assert_eq!(decode32(0xF3EF, 0x8014), Instr::Mrs { rd: 0, sysm: 20 });
        // msr psp, r1: F381 8809
        assert_eq!(decode32(0xF381, 0x8809), Instr::Msr { rn: 1, sysm: 9 });
        // dsb sy / dmb sy / isb sy
        assert_eq!(decode32(0xF3BF, 0x8F4F), Instr::Barrier(Barrier::Dsb));
        assert_eq!(decode32(0xF3BF, 0x8F5F), Instr::Barrier(Barrier::Dmb));
        assert_eq!(decode32(0xF3BF, 0x8F6F), Instr::Barrier(Barrier::Isb));
        // udf.w #0x1234: F7F1 A234
        assert_eq!(decode32(0xF7F1, 0xA234), Instr::Udf { imm: 0x1234 });
        // a Thumb-2 data processing instruction (add.w r0, r1, r2): EB01 0002 -> undefined on v6-M
        assert_eq!(
            decode32(0xEB01, 0x0002),
            Instr::Undefined {
                encoding: 0xEB01_0002
            }
        );
        assert!(is_32bit(0xF000) && is_32bit(0xE800) && !is_32bit(0xE7FE));
    }

    #[test]
    fn armv6m_decode_every_16bit_encoding_is_total() {
        // No panics for any halfword; all 32-bit prefixes are reported by is_32bit, not decode16.
        for hw in 0..=u16::MAX {
            let _ = decode16(hw);
        }
    }
}
