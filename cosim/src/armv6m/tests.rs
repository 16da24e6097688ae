//! Instruction-, exception- and program-level tests of the ARMv6-M ISS on hand-assembled code.

use super::decode::Instr;
use super::exec::{Bus, Cpu, Event, FaultKind, Flags, Mode, Ram, Retired};

// Memory map of the test machine: one RAM from 0 holding vectors, code, data and stack.
const CODE: u32 = 0x100;
const HARDFAULT_HANDLER: u32 = 0x400;
const SVC_HANDLER: u32 = 0x500;
const DATA: u32 = 0x800;
const STACK_TOP: u32 = 0x1000;

/// A reset machine: MSP = STACK_TOP, reset vector CODE, HardFault/SVCall vectors set (Thumb bit).
fn machine() -> (Cpu, Ram) {
    let mut ram = Ram::new(0, 0x2000);
    ram.write(0x00, 4, STACK_TOP).unwrap();
    ram.write(0x04, 4, CODE | 1).unwrap();
    ram.write(4 * 3, 4, HARDFAULT_HANDLER | 1).unwrap();
    ram.write(4 * 11, 4, SVC_HANDLER | 1).unwrap();
    let mut cpu = Cpu::new();
    cpu.reset(&mut ram).unwrap();
    (cpu, ram)
}

/// Runs one instruction (`code` = its halfwords) at CODE after `setup`.
fn exec(code: &[u16], setup: impl FnOnce(&mut Cpu, &mut Ram)) -> (Cpu, Ram, Retired) {
    let (mut cpu, mut ram) = machine();
    ram.load_halfwords(CODE, code);
    setup(&mut cpu, &mut ram);
    let retired = cpu.step(&mut ram);
    (cpu, ram, retired)
}

fn flags(n: bool, z: bool, c: bool, v: bool) -> Flags {
    Flags { n, z, c, v }
}

/// Runs a two-operand ALU instruction with r0, r1, r2 and incoming flags; returns (r0, flags).
fn alu(code: u16, r0: u32, r1: u32, r2: u32, f: Flags) -> (u32, Flags) {
    let (cpu, _, ret) = exec(&[code], |cpu, _| {
        cpu.r[0] = r0;
        cpu.r[1] = r1;
        cpu.r[2] = r2;
        cpu.flags = f;
    });
    assert_eq!(ret.event, Event::None);
    // MULS (0100 0011 01..) takes 2 cycles in the contract, the others 1.
    let cycles = if code & 0xFFC0 == 0x4340 { 2 } else { 1 };
    assert_eq!(ret.cycles, cycles, "{:?}", ret.instr);
    assert_eq!(ret.flags, cpu.flags);
    (cpu.r[0], cpu.flags)
}

const F0: Flags = Flags {
    n: false,
    z: false,
    c: false,
    v: false,
};
const C1: Flags = Flags {
    n: false,
    z: false,
    c: true,
    v: false,
};
const CV: Flags = Flags {
    n: false,
    z: false,
    c: true,
    v: true,
};

#[test]
fn armv6m_add_sub_flags() {
    const ADDS_R0_R1_R2: u16 = 0x1888; // adds r0, r1, r2
    const SUBS_R0_R1_R2: u16 = 0x1A88; // subs r0, r1, r2
    assert_eq!(
        alu(ADDS_R0_R1_R2, 0, 1, 2, F0),
        (3, flags(false, false, false, false))
    );
    assert_eq!(
        alu(ADDS_R0_R1_R2, 0, 0xFFFF_FFFF, 1, F0),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(ADDS_R0_R1_R2, 0, 0x7FFF_FFFF, 1, F0),
        (0x8000_0000, flags(true, false, false, true))
    );
    assert_eq!(
        alu(ADDS_R0_R1_R2, 0, 0x8000_0000, 0x8000_0000, F0),
        (0, flags(false, true, true, true))
    );
    assert_eq!(
        alu(SUBS_R0_R1_R2, 0, 5, 5, F0),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(SUBS_R0_R1_R2, 0, 0, 1, F0),
        (0xFFFF_FFFF, flags(true, false, false, false))
    );
    assert_eq!(
        alu(SUBS_R0_R1_R2, 0, 0x8000_0000, 1, F0),
        (0x7FFF_FFFF, flags(false, false, true, true))
    );
    assert_eq!(
        alu(SUBS_R0_R1_R2, 0, 0x7FFF_FFFF, 0xFFFF_FFFF, F0),
        (0x8000_0000, flags(true, false, false, true))
    );

    const ADDS_R0_R1_7: u16 = 0x1DC8; // adds r0, r1, #7
    const SUBS_R0_R1_1: u16 = 0x1E48; // subs r0, r1, #1
    const ADDS_R2_255: u16 = 0x32FF; // adds r2, #255
    const SUBS_R2_1: u16 = 0x3A01; // subs r2, #1
    assert_eq!(
        alu(ADDS_R0_R1_7, 0, 0xFFFF_FFF9, 0, F0),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(SUBS_R0_R1_1, 0, 0, 0, F0),
        (0xFFFF_FFFF, flags(true, false, false, false))
    );
    let (cpu, _, ret) = exec(&[ADDS_R2_255], |cpu, _| cpu.r[2] = 0x7FFF_FF01);
    assert_eq!(
        (cpu.r[2], ret.flags, ret.reg_writes),
        (
            0x8000_0000,
            flags(true, false, false, true),
            vec![(2, 0x8000_0000)]
        )
    );
    let (cpu, _, ret) = exec(&[SUBS_R2_1], |cpu, _| cpu.r[2] = 1);
    assert_eq!((cpu.r[2], ret.flags), (0, flags(false, true, true, false)));
}

#[test]
fn armv6m_adc_sbc_neg_flags() {
    const ADCS_R0_R1: u16 = 0x4148; // adcs r0, r1
    const SBCS_R0_R1: u16 = 0x4188; // sbcs r0, r1
    const NEGS_R0_R1: u16 = 0x4248; // negs r0, r1 (rsbs r0, r1, #0)
    assert_eq!(alu(ADCS_R0_R1, 1, 1, 0, F0), (2, F0));
    assert_eq!(alu(ADCS_R0_R1, 1, 1, 0, C1), (3, F0));
    assert_eq!(
        alu(ADCS_R0_R1, 0xFFFF_FFFF, 0, 0, C1),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(ADCS_R0_R1, 0x7FFF_FFFF, 0, 0, C1),
        (0x8000_0000, flags(true, false, false, true))
    );
    assert_eq!(
        alu(ADCS_R0_R1, 0xFFFF_FFFF, 0xFFFF_FFFF, 0, C1),
        (0xFFFF_FFFF, flags(true, false, true, false))
    );
    // SBC: C = 0 means borrow, so an extra 1 is subtracted
    assert_eq!(
        alu(SBCS_R0_R1, 5, 5, 0, F0),
        (0xFFFF_FFFF, flags(true, false, false, false))
    );
    assert_eq!(
        alu(SBCS_R0_R1, 5, 5, 0, C1),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(SBCS_R0_R1, 0x8000_0000, 0, 0, F0),
        (0x7FFF_FFFF, flags(false, false, true, true))
    );
    assert_eq!(
        alu(SBCS_R0_R1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0, C1),
        (0x8000_0000, flags(true, false, false, true))
    );
    assert_eq!(
        alu(NEGS_R0_R1, 9, 0, 0, F0),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(NEGS_R0_R1, 9, 1, 0, C1),
        (0xFFFF_FFFF, flags(true, false, false, false))
    );
    assert_eq!(
        alu(NEGS_R0_R1, 9, 0x8000_0000, 0, F0),
        (0x8000_0000, flags(true, false, false, true))
    );
}

#[test]
fn armv6m_compare_flags_and_no_write() {
    const CMP_R0_R1: u16 = 0x4288; // cmp r0, r1
    const CMN_R0_R1: u16 = 0x42C8; // cmn r0, r1
    const CMP_R3_128: u16 = 0x2B80; // cmp r3, #128
    const CMP_R8_R1: u16 = 0x4588; // cmp r8, r1
    assert_eq!(
        alu(CMP_R0_R1, 3, 5, 0, F0),
        (3, flags(true, false, false, false))
    );
    assert_eq!(
        alu(CMP_R0_R1, 5, 3, 0, F0),
        (5, flags(false, false, true, false))
    );
    assert_eq!(
        alu(CMP_R0_R1, 0x8000_0000, 1, 0, F0),
        (0x8000_0000, flags(false, false, true, true))
    );
    assert_eq!(
        alu(CMP_R0_R1, 7, 7, 0, F0),
        (7, flags(false, true, true, false))
    );
    assert_eq!(
        alu(CMN_R0_R1, 1, 0xFFFF_FFFF, 0, F0),
        (1, flags(false, true, true, false))
    );
    assert_eq!(
        alu(CMN_R0_R1, 0x7FFF_FFFF, 1, 0, F0),
        (0x7FFF_FFFF, flags(true, false, false, true))
    );
    let (_, _, ret) = exec(&[CMP_R3_128], |cpu, _| cpu.r[3] = 128);
    assert_eq!(
        (ret.flags, ret.reg_writes.len()),
        (flags(false, true, true, false), 0)
    );
    let (_, _, ret) = exec(&[CMP_R8_R1], |cpu, _| {
        cpu.r[8] = 1;
        cpu.r[1] = 2;
    });
    assert_eq!(
        (ret.flags, ret.reg_writes.len()),
        (flags(true, false, false, false), 0)
    );
}

#[test]
fn armv6m_shift_immediate() {
    const LSLS_0: u16 = 0x0008; // lsls r0, r1, #0 (movs r0, r1): C unchanged
    const LSLS_1: u16 = 0x0048; // lsls r0, r1, #1
    const LSLS_31: u16 = 0x07C8; // lsls r0, r1, #31
    const LSRS_1: u16 = 0x0848; // lsrs r0, r1, #1
    const LSRS_32: u16 = 0x0808; // lsrs r0, r1, #32
    const ASRS_1: u16 = 0x1048; // asrs r0, r1, #1
    const ASRS_32: u16 = 0x1008; // asrs r0, r1, #32
    let x = 0x8000_0001;
    assert_eq!(
        alu(LSLS_0, 0, x, 0, C1),
        (x, flags(true, false, true, false))
    );
    assert_eq!(
        alu(LSLS_0, 0, x, 0, F0),
        (x, flags(true, false, false, false))
    );
    assert_eq!(
        alu(LSLS_0, 0, 0, 0, CV),
        (0, flags(false, true, true, true))
    ); // V is never touched
    assert_eq!(
        alu(LSLS_1, 0, x, 0, F0),
        (2, flags(false, false, true, false))
    );
    assert_eq!(
        alu(LSLS_31, 0, x, 0, C1),
        (0x8000_0000, flags(true, false, false, false))
    );
    assert_eq!(
        alu(LSRS_1, 0, x, 0, F0),
        (0x4000_0000, flags(false, false, true, false))
    );
    assert_eq!(
        alu(LSRS_32, 0, x, 0, F0),
        (0, flags(false, true, true, false))
    );
    assert_eq!(
        alu(LSRS_32, 0, 0x7FFF_FFFF, 0, C1),
        (0, flags(false, true, false, false))
    );
    assert_eq!(
        alu(ASRS_1, 0, x, 0, F0),
        (0xC000_0000, flags(true, false, true, false))
    );
    assert_eq!(
        alu(ASRS_32, 0, x, 0, F0),
        (0xFFFF_FFFF, flags(true, false, true, false))
    );
    assert_eq!(
        alu(ASRS_32, 0, 0x7FFF_FFFF, 0, C1),
        (0, flags(false, true, false, false))
    );
}

#[test]
fn armv6m_shift_register_0_1_31_32_33() {
    const LSLS_R0_R1: u16 = 0x4088; // lsls r0, r1
    const LSRS_R0_R1: u16 = 0x40C8; // lsrs r0, r1
    const ASRS_R0_R1: u16 = 0x4108; // asrs r0, r1
    const RORS_R0_R1: u16 = 0x41C8; // rors r0, r1
    let x = 0x8000_0001;
    let run = |code, amount, f| alu(code, x, amount, 0, f);
    let nz = |r: u32, c: bool| (r, flags(r >> 31 == 1, r == 0, c, false));
    // amount 0 keeps C, whatever it is
    for code in [LSLS_R0_R1, LSRS_R0_R1, ASRS_R0_R1, RORS_R0_R1] {
        assert_eq!(run(code, 0, C1), nz(x, true));
        assert_eq!(run(code, 0, F0), nz(x, false));
        assert_eq!(run(code, 0x100, C1), nz(x, true)); // only Rm[7:0] counts
    }
    assert_eq!(run(LSLS_R0_R1, 1, F0), nz(2, true));
    assert_eq!(run(LSLS_R0_R1, 31, C1), nz(0x8000_0000, false));
    assert_eq!(run(LSLS_R0_R1, 32, F0), nz(0, true));
    assert_eq!(run(LSLS_R0_R1, 33, C1), nz(0, false));
    assert_eq!(run(LSRS_R0_R1, 1, F0), nz(0x4000_0000, true));
    assert_eq!(run(LSRS_R0_R1, 31, C1), nz(1, false));
    assert_eq!(run(LSRS_R0_R1, 32, F0), nz(0, true));
    assert_eq!(run(LSRS_R0_R1, 33, C1), nz(0, false));
    assert_eq!(run(ASRS_R0_R1, 1, F0), nz(0xC000_0000, true));
    assert_eq!(run(ASRS_R0_R1, 31, C1), nz(0xFFFF_FFFF, false));
    assert_eq!(run(ASRS_R0_R1, 32, F0), nz(0xFFFF_FFFF, true));
    assert_eq!(run(ASRS_R0_R1, 33, F0), nz(0xFFFF_FFFF, true));
    assert_eq!(run(RORS_R0_R1, 1, F0), nz(0xC000_0000, true));
    assert_eq!(run(RORS_R0_R1, 31, C1), nz(0x0000_0003, false));
    assert_eq!(run(RORS_R0_R1, 32, F0), nz(x, true));
    assert_eq!(run(RORS_R0_R1, 33, F0), nz(0xC000_0000, true));
}

#[test]
fn armv6m_logical_and_multiply() {
    const ANDS: u16 = 0x4008; // ands r0, r1
    const EORS: u16 = 0x4048; // eors r0, r1
    const ORRS: u16 = 0x4308; // orrs r0, r1
    const BICS: u16 = 0x4388; // bics r0, r1
    const MVNS: u16 = 0x43C8; // mvns r0, r1
    const TST: u16 = 0x4208; // tst r0, r1
    const MULS: u16 = 0x4348; // muls r0, r1, r0
    const MOVS_R3_128: u16 = 0x2380; // movs r3, #128
    let (a, b) = (0xF0F0_00FF, 0x0FF0_0F0F);
    // C and V survive every logical operation and MULS
    assert_eq!(alu(ANDS, a, b, 0, CV), (0x00F0_000F, CV));
    assert_eq!(
        alu(EORS, a, b, 0, CV),
        (0xFF00_0FF0, flags(true, false, true, true))
    );
    assert_eq!(
        alu(ORRS, a, b, 0, F0),
        (0xFFF0_0FFF, flags(true, false, false, false))
    );
    assert_eq!(
        alu(BICS, a, b, 0, F0),
        (0xF000_00F0, flags(true, false, false, false))
    );
    assert_eq!(
        alu(MVNS, a, 0xFFFF_FFFF, 0, CV),
        (0, flags(false, true, true, true))
    );
    assert_eq!(
        alu(MVNS, a, b, 0, F0),
        (0xF00F_F0F0, flags(true, false, false, false))
    );
    assert_eq!(
        alu(TST, a, 0x0F0F_FF00, 0, CV),
        (a, flags(false, true, true, true))
    );
    assert_eq!(alu(MULS, 0x1_0000, 0x1_0001, 0, CV), (0x1_0000, CV));
    assert_eq!(
        alu(MULS, 5, (-3i32) as u32, 0, F0),
        ((-15i32) as u32, flags(true, false, false, false))
    );
    let (cpu, _, ret) = exec(&[MOVS_R3_128], |cpu, _| cpu.flags = CV);
    assert_eq!((cpu.r[3], ret.flags), (128, CV));
    let (_, _, ret) = exec(&[TST], |_, _| {});
    assert!(ret.reg_writes.is_empty());
}

#[test]
fn armv6m_high_registers_and_pc_writes() {
    const ADD_R8_R1: u16 = 0x4488; // add r8, r1
    const ADD_R0_SP: u16 = 0x4468; // add r0, sp
    const MOV_R9_R0: u16 = 0x4681; // mov r9, r0
    const MOV_R1_R8: u16 = 0x4641; // mov r1, r8
    const MOV_PC_R1: u16 = 0x468F; // mov pc, r1
    const ADD_PC_R1: u16 = 0x448F; // add pc, r1
    let (cpu, _, ret) = exec(&[ADD_R8_R1], |cpu, _| {
        cpu.r[8] = 0xFFFF_FFFF;
        cpu.r[1] = 1;
    });
    assert_eq!(
        (cpu.r[8], ret.flags, ret.reg_writes, ret.cycles),
        (0, F0, vec![(8, 0)], 1)
    );
    let (cpu, _, _) = exec(&[ADD_R0_SP], |cpu, _| cpu.r[0] = 0x10);
    assert_eq!(cpu.r[0], STACK_TOP + 0x10);
    let (cpu, _, _) = exec(&[MOV_R9_R0], |cpu, _| cpu.r[0] = 0x1234);
    assert_eq!(cpu.r[9], 0x1234);
    let (cpu, _, _) = exec(&[MOV_R1_R8], |cpu, _| cpu.r[8] = 0x5678);
    assert_eq!(cpu.r[1], 0x5678);
    let (cpu, _, ret) = exec(&[MOV_PC_R1], |cpu, _| cpu.r[1] = 0x201);
    assert_eq!(
        (cpu.pc, ret.next_pc, ret.cycles, ret.reg_writes.len()),
        (0x200, 0x200, 3, 0)
    );
    // ADD PC reads PC as the instruction address + 4
    let (cpu, _, ret) = exec(&[ADD_PC_R1], |cpu, _| cpu.r[1] = 0x10);
    assert_eq!((cpu.pc, ret.cycles), (CODE + 4 + 0x10, 3));
}

#[test]
fn armv6m_bx_blx_and_invalid_state() {
    const BX_R1: u16 = 0x4708; // bx r1
    const BLX_R1: u16 = 0x4788; // blx r1
    let (cpu, _, ret) = exec(&[BX_R1], |cpu, _| cpu.r[1] = 0x301);
    assert_eq!((cpu.pc, ret.cycles, cpu.t), (0x300, 3, true));
    let (cpu, _, ret) = exec(&[BLX_R1], |cpu, _| cpu.r[1] = 0x301);
    assert_eq!(
        (cpu.pc, cpu.lr, ret.reg_writes, ret.cycles),
        (0x300, CODE + 3, vec![(14, CODE + 3)], 3)
    );
    // BX to an even address clears EPSR.T: the next instruction faults with the target as return address
    let (mut cpu, mut ram, _) = exec(&[BX_R1], |cpu, _| cpu.r[1] = 0x300);
    assert!(!cpu.t);
    let ret = cpu.step(&mut ram);
    assert_eq!(
        (ret.pc, ret.event, cpu.pc, cpu.ipsr),
        (
            0x300,
            Event::Fault(FaultKind::InvalidState),
            HARDFAULT_HANDLER,
            3
        )
    );
    assert_eq!(ram.read(STACK_TOP - 8, 4), Ok(0x300)); // stacked return address
    assert_eq!(ram.read(STACK_TOP - 4, 4).unwrap() >> 24 & 1, 0); // stacked T bit is 0
}

#[test]
fn armv6m_pc_relative_and_sp_arithmetic() {
    const LDR_R0_PC_4: u16 = 0x4801; // ldr r0, [pc, #4]
    const ADR_R1_8: u16 = 0xA102; // adr r1, #8
    const ADD_R1_SP_16: u16 = 0xA904; // add r1, sp, #16
    const ADD_SP_16: u16 = 0xB004; // add sp, #16
    const SUB_SP_16: u16 = 0xB084; // sub sp, #16
    const NOP: u16 = 0xBF00; // nop
                             // at 0x100: Align(0x104, 4) + 4 = 0x108; at 0x102: Align(0x106, 4) + 4 = 0x108 as well
    let (cpu, _, ret) = exec(&[LDR_R0_PC_4], |_, ram| {
        ram.write(0x108, 4, 0xCAFE_BABE).unwrap()
    });
    assert_eq!((cpu.r[0], ret.cycles), (0xCAFE_BABE, 2));
    let (mut cpu, mut ram, _) = exec(&[NOP, LDR_R0_PC_4], |_, ram| {
        ram.write(0x108, 4, 0x1357_9BDF).unwrap()
    });
    cpu.step(&mut ram);
    assert_eq!(cpu.r[0], 0x1357_9BDF);
    let (mut cpu, mut ram, _) = exec(&[NOP, ADR_R1_8], |_, _| {});
    let ret = cpu.step(&mut ram);
    assert_eq!((cpu.r[1], ret.pc, ret.cycles), (0x104 + 8, 0x102, 1));
    let (cpu, _, _) = exec(&[ADD_R1_SP_16], |_, _| {});
    assert_eq!(cpu.r[1], STACK_TOP + 16);
    let (cpu, _, ret) = exec(&[ADD_SP_16], |_, _| {});
    assert_eq!(
        (cpu.msp, ret.reg_writes),
        (STACK_TOP + 16, vec![(13, STACK_TOP + 16)])
    );
    let (cpu, _, _) = exec(&[SUB_SP_16], |_, _| {});
    assert_eq!(cpu.msp, STACK_TOP - 16);
}

#[test]
fn armv6m_load_store_register_offset() {
    const STR: u16 = 0x5088; // str r0, [r1, r2]
    const STRH: u16 = 0x5288; // strh r0, [r1, r2]
    const STRB: u16 = 0x5488; // strb r0, [r1, r2]
    const LDRSB: u16 = 0x5688; // ldrsb r0, [r1, r2]
    const LDR: u16 = 0x5888; // ldr r0, [r1, r2]
    const LDRH: u16 = 0x5A88; // ldrh r0, [r1, r2]
    const LDRB: u16 = 0x5C88; // ldrb r0, [r1, r2]
    const LDRSH: u16 = 0x5E88; // ldrsh r0, [r1, r2]
    let setup = |cpu: &mut Cpu, ram: &mut Ram| {
        cpu.r[0] = 0x1122_3344;
        cpu.r[1] = DATA;
        cpu.r[2] = 4;
        ram.write(DATA + 4, 4, 0x8081_82F3).unwrap();
    };
    for (code, expected) in [
        (LDR, 0x8081_82F3),
        (LDRH, 0x82F3),
        (LDRB, 0xF3),
        (LDRSB, 0xFFFF_FFF3),
        (LDRSH, 0xFFFF_82F3),
    ] {
        let (cpu, _, ret) = exec(&[code], setup);
        assert_eq!(
            (cpu.r[0], ret.reg_writes, ret.cycles),
            (expected, vec![(0, expected)], 2),
            "{:?}",
            ret.instr
        );
    }
    for (code, write) in [
        (STR, (DATA + 4, 4, 0x1122_3344)),
        (STRH, (DATA + 4, 2, 0x3344)),
        (STRB, (DATA + 4, 1, 0x44)),
    ] {
        let (_, ram, ret) = exec(&[code], setup);
        assert_eq!(
            (ret.mem_writes, ret.reg_writes.len(), ret.cycles),
            (vec![write], 0, 2)
        );
        assert_eq!(ram.bytes[(DATA + 4) as usize], 0x44);
    }
}

#[test]
fn armv6m_load_store_immediate_and_sp() {
    const STR_4: u16 = 0x6048; // str r0, [r1, #4]
    const LDR_4: u16 = 0x6848; // ldr r0, [r1, #4]
    const STRB_3: u16 = 0x70C8; // strb r0, [r1, #3]
    const LDRB_3: u16 = 0x78C8; // ldrb r0, [r1, #3]
    const STRH_2: u16 = 0x8048; // strh r0, [r1, #2]
    const LDRH_2: u16 = 0x8848; // ldrh r0, [r1, #2]
    const STR_SP_8: u16 = 0x9002; // str r0, [sp, #8]
    const LDR_SP_8: u16 = 0x9802; // ldr r0, [sp, #8]
    let setup = |cpu: &mut Cpu, ram: &mut Ram| {
        cpu.r[0] = 0xA1B2_C3D4;
        cpu.r[1] = DATA;
        ram.write(DATA, 4, 0x4433_2211).unwrap();
        ram.write(DATA + 4, 4, 0x8877_6655).unwrap();
        ram.write(STACK_TOP + 8, 4, 0x0BAD_F00D).unwrap();
    };
    assert_eq!(
        exec(&[STR_4], setup).2.mem_writes,
        vec![(DATA + 4, 4, 0xA1B2_C3D4)]
    );
    assert_eq!(
        exec(&[STRB_3], setup).2.mem_writes,
        vec![(DATA + 3, 1, 0xD4)]
    );
    assert_eq!(
        exec(&[STRH_2], setup).2.mem_writes,
        vec![(DATA + 2, 2, 0xC3D4)]
    );
    assert_eq!(
        exec(&[STR_SP_8], setup).2.mem_writes,
        vec![(STACK_TOP + 8, 4, 0xA1B2_C3D4)]
    );
    assert_eq!(exec(&[LDR_4], setup).0.r[0], 0x8877_6655);
    assert_eq!(exec(&[LDRB_3], setup).0.r[0], 0x44);
    assert_eq!(exec(&[LDRH_2], setup).0.r[0], 0x4433);
    assert_eq!(exec(&[LDR_SP_8], setup).0.r[0], 0x0BAD_F00D);
}

#[test]
fn armv6m_unaligned_and_bus_fault_take_hardfault() {
    const LDR: u16 = 0x5888; // ldr r0, [r1, r2]
    const LDRH: u16 = 0x5A88; // ldrh r0, [r1, r2]
    const LDRB: u16 = 0x5C88; // ldrb r0, [r1, r2]
    const STR_4: u16 = 0x6048; // str r0, [r1, #4]
    let at = |r1: u32, r2: u32| {
        move |cpu: &mut Cpu, _: &mut Ram| {
            cpu.r[1] = r1;
            cpu.r[2] = r2;
        }
    };
    let (cpu, _, ret) = exec(&[LDR], at(DATA, 2));
    assert_eq!(
        (ret.event, cpu.pc, cpu.ipsr, cpu.r[0]),
        (Event::Fault(FaultKind::Unaligned), HARDFAULT_HANDLER, 3, 0)
    );
    assert_eq!(
        exec(&[LDRH], at(DATA, 1)).2.event,
        Event::Fault(FaultKind::Unaligned)
    );
    assert_eq!(exec(&[LDRB], at(DATA, 1)).2.event, Event::None);
    assert_eq!(
        exec(&[LDR], at(0x1000_0000, 0)).2.event,
        Event::Fault(FaultKind::Bus)
    );
    let (_, _, ret) = exec(&[STR_4], at(0x1000_0000, 0));
    // the store did not happen; only the 8 stacking writes are listed
    assert_eq!(
        (ret.event, ret.mem_writes.len()),
        (Event::Fault(FaultKind::Bus), 8)
    );
}

#[test]
fn armv6m_extend_and_reverse() {
    const SXTH: u16 = 0xB208; // sxth r0, r1
    const SXTB: u16 = 0xB248; // sxtb r0, r1
    const UXTH: u16 = 0xB288; // uxth r0, r1
    const UXTB: u16 = 0xB2C8; // uxtb r0, r1
    const REV: u16 = 0xBA08; // rev r0, r1
    const REV16: u16 = 0xBA48; // rev16 r0, r1
    const REVSH: u16 = 0xBAC8; // revsh r0, r1
    let x = 0x1234_8081;
    for (code, expected) in [
        (SXTH, 0xFFFF_8081),
        (SXTB, 0xFFFF_FF81),
        (UXTH, 0x8081),
        (UXTB, 0x81),
        (REV, 0x8180_3412),
        (REV16, 0x3412_8180),
        (REVSH, 0xFFFF_8180),
    ] {
        assert_eq!(alu(code, 0, x, 0, CV), (expected, CV));
    }
    assert_eq!(
        alu(REVSH, 0, 0x0000_1280, 0, F0).0,
        0x8012u32 as u16 as i16 as i32 as u32
    );
    assert_eq!(alu(REVSH, 0, 0x0000_8012, 0, F0).0, 0x1280);
}

#[test]
fn armv6m_ldm_stm_writeback() {
    const STM_R0_R1_R3: u16 = 0xC00E; // stm r0!, {r1, r2, r3}
    const LDM_R0_R1_R2: u16 = 0xC806; // ldm r0!, {r1, r2}
    const LDM_R0_R0_R1: u16 = 0xC803; // ldm r0, {r0, r1} (no writeback: r0 is loaded)
    const STM_R1_R1_R2: u16 = 0xC106; // stm r1!, {r1, r2} (r1 lowest: original value stored)
    let setup = |cpu: &mut Cpu, ram: &mut Ram| {
        cpu.r[0] = DATA;
        cpu.r[1] = 11;
        cpu.r[2] = 22;
        cpu.r[3] = 33;
        ram.write(DATA, 4, 0xAAAA_0000).unwrap();
        ram.write(DATA + 4, 4, 0xBBBB_0004).unwrap();
    };
    let (cpu, _, ret) = exec(&[STM_R0_R1_R3], setup);
    assert_eq!(
        ret.mem_writes,
        vec![(DATA, 4, 11), (DATA + 4, 4, 22), (DATA + 8, 4, 33)]
    );
    assert_eq!(
        (cpu.r[0], ret.reg_writes, ret.cycles),
        (DATA + 12, vec![(0, DATA + 12)], 4)
    );
    let (cpu, _, ret) = exec(&[LDM_R0_R1_R2], setup);
    assert_eq!(
        ret.reg_writes,
        vec![(1, 0xAAAA_0000), (2, 0xBBBB_0004), (0, DATA + 8)]
    );
    assert_eq!((cpu.r[0], ret.cycles), (DATA + 8, 3));
    let (cpu, _, ret) = exec(&[LDM_R0_R0_R1], setup);
    assert_eq!(ret.reg_writes, vec![(0, 0xAAAA_0000), (1, 0xBBBB_0004)]);
    assert_eq!(cpu.r[0], 0xAAAA_0000);
    let (cpu, _, ret) = exec(&[STM_R1_R1_R2], |cpu, _| {
        cpu.r[1] = DATA;
        cpu.r[2] = 22;
    });
    assert_eq!(ret.mem_writes, vec![(DATA, 4, DATA), (DATA + 4, 4, 22)]);
    assert_eq!(cpu.r[1], DATA + 8);
    // unaligned base faults before anything is written
    let (_, _, ret) = exec(&[STM_R0_R1_R3], |cpu, _| cpu.r[0] = DATA + 2);
    assert_eq!(
        (ret.event, ret.mem_writes.len()),
        (Event::Fault(FaultKind::Unaligned), 8)
    );
}

#[test]
fn armv6m_push_pop_with_pc() {
    const PUSH_R0_R1_LR: u16 = 0xB503; // push {r0, r1, lr}
    const POP_R0_R1_PC: u16 = 0xBD03; // pop {r0, r1, pc}
    const POP_R2_R3: u16 = 0xBC0C; // pop {r2, r3}
    let (cpu, _, ret) = exec(&[PUSH_R0_R1_LR], |cpu, _| {
        cpu.r[0] = 1;
        cpu.r[1] = 2;
        cpu.lr = 0x1235;
    });
    let sp = STACK_TOP - 12;
    assert_eq!(
        ret.mem_writes,
        vec![(sp, 4, 1), (sp + 4, 4, 2), (sp + 8, 4, 0x1235)]
    );
    assert_eq!(
        (cpu.msp, ret.reg_writes, ret.cycles),
        (sp, vec![(13, sp)], 4)
    );
    let stack = |cpu: &mut Cpu, ram: &mut Ram| {
        cpu.msp = STACK_TOP - 12;
        ram.write(STACK_TOP - 12, 4, 7).unwrap();
        ram.write(STACK_TOP - 8, 4, 8).unwrap();
        ram.write(STACK_TOP - 4, 4, 0x301).unwrap();
    };
    let (cpu, _, ret) = exec(&[POP_R0_R1_PC], stack);
    assert_eq!(ret.reg_writes, vec![(0, 7), (1, 8), (13, STACK_TOP)]);
    assert_eq!(
        (cpu.pc, ret.next_pc, ret.cycles, cpu.t),
        (0x300, 0x300, 6, true)
    );
    let (cpu, _, ret) = exec(&[POP_R2_R3], stack);
    assert_eq!(
        (cpu.r[2], cpu.r[3], cpu.msp, ret.cycles),
        (7, 8, STACK_TOP - 4, 3)
    );
    // POP of an even PC value: the next instruction takes an INVSTATE HardFault
    let (mut cpu, mut ram, _) = exec(&[POP_R0_R1_PC], |cpu, ram| {
        stack(cpu, ram);
        ram.write(STACK_TOP - 4, 4, 0x300).unwrap();
    });
    assert_eq!(
        cpu.step(&mut ram).event,
        Event::Fault(FaultKind::InvalidState)
    );
}

#[test]
fn armv6m_branches_and_timing() {
    const BEQ_8: u16 = 0xD004; // beq #8
    const BNE_M8: u16 = 0xD1FC; // bne #-8
    const B_SELF: u16 = 0xE7FE; // b . (#-4)
    const B_100: u16 = 0xE032; // b #100
    let z = |z: bool| move |cpu: &mut Cpu, _: &mut Ram| cpu.flags.z = z;
    let (cpu, _, ret) = exec(&[BEQ_8], z(true));
    assert_eq!((cpu.pc, ret.cycles), (CODE + 4 + 8, 3));
    let (cpu, _, ret) = exec(&[BEQ_8], z(false));
    assert_eq!((cpu.pc, ret.cycles), (CODE + 2, 1));
    let (cpu, _, ret) = exec(&[BNE_M8], z(false));
    assert_eq!((cpu.pc, ret.cycles), (CODE + 4 - 8, 3));
    assert_eq!(exec(&[B_SELF], |_, _| {}).0.pc, CODE);
    let (cpu, _, ret) = exec(&[B_100], |_, _| {});
    assert_eq!((cpu.pc, ret.cycles), (CODE + 4 + 100, 3));
}

#[test]
fn armv6m_bl_both_directions() {
    const BL_FWD: [u16; 2] = [0xF001, 0xF800]; // bl #0x1000
    const BL_BACK: [u16; 2] = [0xF7FF, 0xFFFC]; // bl #-8
    let (cpu, _, ret) = exec(&BL_FWD, |_, _| {});
    assert_eq!(
        (cpu.pc, cpu.lr, ret.reg_writes, ret.cycles),
        (CODE + 4 + 0x1000, CODE + 5, vec![(14, CODE + 5)], 4)
    );
    assert_eq!(ret.instr, Instr::Bl { imm: 0x1000 });
    let (cpu, _, _) = exec(&BL_BACK, |_, _| {});
    assert_eq!((cpu.pc, cpu.lr), (CODE + 4 - 8, CODE + 5));
}

#[test]
fn armv6m_hints_barriers_bkpt_cps() {
    const NOP: u16 = 0xBF00; // nop
    const YIELD: u16 = 0xBF10; // yield
    const WFE: u16 = 0xBF20; // wfe
    const WFI: u16 = 0xBF30; // wfi
    const SEV: u16 = 0xBF40; // sev
    const BKPT_AB: u16 = 0xBEAB; // bkpt #0xab
    const CPSID_I: u16 = 0xB672; // cpsid i
    const CPSIE_I: u16 = 0xB662; // cpsie i
    const DMB: [u16; 2] = [0xF3BF, 0x8F5F]; // dmb sy
    const DSB: [u16; 2] = [0xF3BF, 0x8F4F]; // dsb sy
    const ISB: [u16; 2] = [0xF3BF, 0x8F6F]; // isb sy
    for code in [NOP, YIELD, SEV] {
        let (cpu, _, ret) = exec(&[code], |_, _| {});
        assert_eq!((ret.event, ret.cycles, cpu.pc), (Event::None, 1, CODE + 2));
    }
    for code in [WFE, WFI] {
        let (cpu, _, ret) = exec(&[code], |_, _| {});
        assert_eq!((ret.event, ret.cycles, cpu.pc), (Event::Sleep, 2, CODE + 2));
    }
    for code in [DMB, DSB, ISB] {
        let (cpu, _, ret) = exec(&code, |_, _| {});
        assert_eq!((ret.event, ret.cycles, cpu.pc), (Event::None, 4, CODE + 4));
    }
    let (cpu, _, ret) = exec(&[BKPT_AB], |_, _| {});
    assert_eq!((ret.event, cpu.pc), (Event::Breakpoint(0xAB), CODE));
    assert!(exec(&[CPSID_I], |_, _| {}).0.primask);
    assert!(!exec(&[CPSIE_I], |cpu, _| cpu.primask = true).0.primask);
    // unprivileged Thread mode: CPS is ignored
    assert!(!exec(&[CPSID_I], |cpu, _| cpu.npriv = true).0.primask);
}

#[test]
fn armv6m_reset_from_vector_table() {
    let mut ram = Ram::new(0, 0x100);
    ram.write(0, 4, 0x2000_0400).unwrap();
    ram.write(4, 4, 0x0000_0081).unwrap();
    let mut cpu = Cpu::new();
    cpu.r[5] = 99;
    cpu.reset(&mut ram).unwrap();
    assert_eq!(
        (cpu.msp, cpu.pc, cpu.t, cpu.mode, cpu.ipsr, cpu.r[5], cpu.lr),
        (0x2000_0400, 0x80, true, Mode::Thread, 0, 0, 0xFFFF_FFFF)
    );
    assert!(!cpu.primask && !cpu.spsel && !cpu.npriv);
    // a reset vector without the Thumb bit faults on the first instruction (and locks up: no vectors)
    ram.write(4, 4, 0x80).unwrap();
    cpu.reset(&mut ram).unwrap();
    assert!(!cpu.t);
}

#[test]
fn armv6m_svc_entry_stacking_and_return() {
    const SVC_5: u16 = 0xDF05; // svc #5
    const BX_LR: u16 = 0x4770; // bx lr
    let (mut cpu, mut ram, ret) = exec(&[SVC_5], |cpu, ram| {
        cpu.r[..4].copy_from_slice(&[10, 11, 12, 13]);
        cpu.r[12] = 14;
        cpu.lr = 15;
        cpu.flags = flags(true, false, true, false);
        ram.load_halfwords(SVC_HANDLER, &[BX_LR]);
    });
    // SVC is a 2-cycle record that pends SVCall; the entry is the next record
    assert_eq!((ret.event, ret.exc, ret.cycles, ret.mem_writes.len()), (Event::Svc(5), None, 2, 0));
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.cycles), (Some(11), 12));
    let frame = STACK_TOP - 0x20;
    let xpsr = 0xA000_0000 | 1 << 24; // N, C, T, IPSR = 0
    let expected: Vec<(u32, u8, u32)> = [10, 11, 12, 13, 14, 15, CODE + 2, xpsr]
        .iter()
        .enumerate()
        .map(|(i, v)| (frame + 4 * i as u32, 4, *v))
        .collect();
    assert_eq!(ret.mem_writes, expected);
    assert_eq!(ret.reg_writes, vec![(13, frame), (14, 0xFFFF_FFF9)]);
    assert_eq!(ret.next_pc, SVC_HANDLER);
    assert_eq!(
        (cpu.mode, cpu.ipsr, cpu.msp, cpu.lr),
        (Mode::Handler, 11, frame, 0xFFFF_FFF9)
    );
    // handler changes state, then BX LR unstacks all of it
    cpu.r[0] = 0xDEAD;
    cpu.flags = F0;
    let ret = cpu.step(&mut ram);
    assert_eq!(ret.event, Event::ExceptionReturn);
    assert_eq!(
        ret.reg_writes,
        vec![
            (0, 10),
            (1, 11),
            (2, 12),
            (3, 13),
            (12, 14),
            (14, 15),
            (13, STACK_TOP)
        ]
    );
    assert_eq!(
        (cpu.pc, cpu.mode, cpu.ipsr, cpu.msp, cpu.flags),
        (
            CODE + 2,
            Mode::Thread,
            0,
            STACK_TOP,
            flags(true, false, true, false)
        )
    );
}

#[test]
fn armv6m_exception_entry_realigns_and_nests() {
    let (mut cpu, mut ram) = machine();
    cpu.msp = STACK_TOP - 4; // not 8-byte aligned
    cpu.pc = 0x1234;
    let ret = cpu.exception_entry(11, &mut ram);
    let frame = (STACK_TOP - 4 - 0x20) & !4;
    assert_eq!((cpu.msp, cpu.pc, cpu.lr), (frame, SVC_HANDLER, 0xFFFF_FFF9));
    assert_eq!(ret.mem_writes[7], (frame + 28, 4, 1 << 24 | 1 << 9)); // xPSR bit 9: realigned
    assert_eq!(ret.mem_writes[6], (frame + 24, 4, 0x1234));
    // a second (nested) exception from Handler mode gets EXC_RETURN 0xFFFFFFF1 and stacks IPSR 11
    let ret = cpu.exception_entry(3, &mut ram);
    assert_eq!((cpu.lr, cpu.ipsr, cpu.msp), (0xFFFF_FFF1, 3, frame - 0x20));
    assert_eq!(ret.mem_writes[7].2 & 0x3F, 11);
    // return to the SVC handler (Handler mode), then to Thread with the realignment undone
    const BX_LR: u16 = 0x4770; // bx lr
    ram.load_halfwords(HARDFAULT_HANDLER, &[BX_LR]);
    ram.load_halfwords(SVC_HANDLER, &[BX_LR]);
    assert_eq!(cpu.step(&mut ram).event, Event::ExceptionReturn);
    assert_eq!(
        (cpu.mode, cpu.ipsr, cpu.pc, cpu.msp),
        (Mode::Handler, 11, SVC_HANDLER, frame)
    );
    cpu.lr = 0xFFFF_FFF9;
    assert_eq!(cpu.step(&mut ram).event, Event::ExceptionReturn);
    assert_eq!(
        (cpu.mode, cpu.ipsr, cpu.pc, cpu.msp),
        (Mode::Thread, 0, 0x1234, STACK_TOP - 4)
    );
}

#[test]
fn armv6m_psp_thread_exception_uses_process_stack() {
    const MSR_CONTROL_R1: [u16; 2] = [0xF381, 0x8814]; // msr control, r1
    const MRS_R0_CONTROL: [u16; 2] = [0xF3EF, 0x8014]; // mrs r0, control
    const PUSH_R4_R5: u16 = 0xB430; // push {r4, r5}
    const SVC_5: u16 = 0xDF05; // svc #5
    const POP_PC: u16 = 0xBD00; // pop {pc}: EXC_RETURN through POP
    const PUSH_LR: u16 = 0xB500; // push {lr}
    let psp_top = 0x1800;
    let (mut cpu, mut ram, ret) = exec(
        &[
            MSR_CONTROL_R1[0],
            MSR_CONTROL_R1[1],
            MRS_R0_CONTROL[0],
            MRS_R0_CONTROL[1],
            PUSH_R4_R5,
            SVC_5,
        ],
        |cpu, ram| {
            cpu.psp = psp_top;
            cpu.r[1] = 2; // SPSEL = 1
            ram.load_halfwords(SVC_HANDLER, &[PUSH_LR, POP_PC]);
        },
    );
    assert_eq!((cpu.spsel, cpu.sp(), ret.cycles), (true, psp_top, 4));
    cpu.step(&mut ram);
    assert_eq!(cpu.r[0], 2);
    let ret = cpu.step(&mut ram);
    assert_eq!(
        (ret.reg_writes[0], cpu.psp, cpu.msp),
        ((15, psp_top - 8), psp_top - 8, STACK_TOP)
    );
    let ret = cpu.step(&mut ram);
    assert_eq!(ret.event, Event::Svc(5));
    let ret = cpu.step(&mut ram);
    // stacked on PSP (logged as register 15), handler runs on MSP with SPSEL cleared
    assert_eq!((ret.mem_writes[0].0, ret.reg_writes[0]), (psp_top - 8 - 0x20, (15, psp_top - 0x28)));
    assert_eq!(
        (cpu.lr, cpu.psp, cpu.sp(), cpu.spsel),
        (0xFFFF_FFFD, psp_top - 0x28, STACK_TOP, false)
    );
    cpu.step(&mut ram); // push {lr}
    let ret = cpu.step(&mut ram); // pop {pc}
    assert_eq!(ret.event, Event::ExceptionReturn);
    assert_eq!(
        (cpu.mode, cpu.spsel, cpu.psp, cpu.msp, cpu.pc),
        (Mode::Thread, true, psp_top - 8, STACK_TOP, CODE + 12)
    );
}

#[test]
fn armv6m_mrs_msr_special_registers() {
    const MRS_APSR: [u16; 2] = [0xF3EF, 0x8000]; // mrs r0, apsr
    const MRS_IPSR: [u16; 2] = [0xF3EF, 0x8005]; // mrs r0, ipsr
    const MRS_XPSR: [u16; 2] = [0xF3EF, 0x8003]; // mrs r0, xpsr
    const MRS_MSP: [u16; 2] = [0xF3EF, 0x8008]; // mrs r0, msp
    const MRS_PSP: [u16; 2] = [0xF3EF, 0x8009]; // mrs r0, psp
    const MRS_PRIMASK: [u16; 2] = [0xF3EF, 0x8010]; // mrs r0, primask
    const MSR_APSR: [u16; 2] = [0xF381, 0x8800]; // msr apsr_nzcvq, r1
    const MSR_CONTROL: [u16; 2] = [0xF381, 0x8814]; // msr control, r1
    const MSR_MSP: [u16; 2] = [0xF381, 0x8808]; // msr msp, r1
    const MSR_PRIMASK: [u16; 2] = [0xF381, 0x8810]; // msr primask, r1
    let handler = |cpu: &mut Cpu, _: &mut Ram| {
        cpu.mode = Mode::Handler;
        cpu.ipsr = 11;
        cpu.scs.sys_active[0] = true;
        cpu.flags = flags(false, true, false, true);
        cpu.psp = 0x1800;
        cpu.primask = true;
        cpu.r[1] = 0xF000_1233;
    };
    assert_eq!(exec(&MRS_APSR, handler).0.r[0], 0x5000_0000);
    assert_eq!(exec(&MRS_IPSR, handler).0.r[0], 11);
    assert_eq!(exec(&MRS_XPSR, handler).0.r[0], 0x5000_000B); // EPSR.T reads as zero
    assert_eq!(exec(&MRS_MSP, handler).0.r[0], STACK_TOP);
    assert_eq!(exec(&MRS_PSP, handler).0.r[0], 0x1800);
    assert_eq!(exec(&MRS_PRIMASK, handler).0.r[0], 1);
    assert_eq!(
        exec(&MSR_APSR, handler).0.flags,
        flags(true, true, true, true)
    );
    assert_eq!(exec(&MSR_MSP, handler).0.msp, 0xF000_1230);
    assert!(
        !exec(&MSR_PRIMASK, |cpu, ram| {
            handler(cpu, ram);
            cpu.r[1] = 0;
        })
        .0
        .primask
    );
    // in Handler mode SPSEL cannot be set
    assert!(
        !exec(&MSR_CONTROL, |cpu, ram| {
            handler(cpu, ram);
            cpu.r[1] = 2;
        })
        .0
        .spsel
    );
    // unprivileged Thread mode: MSR to MSP/PRIMASK/CONTROL is ignored, APSR still works
    let user = |cpu: &mut Cpu, _: &mut Ram| {
        cpu.npriv = true;
        cpu.r[1] = 0x8000_0001;
    };
    assert!(exec(&MSR_CONTROL, user).0.npriv);
    assert!(!exec(&MSR_PRIMASK, user).0.primask);
    assert_eq!(exec(&MSR_MSP, user).0.msp, STACK_TOP);
    assert_eq!(
        exec(&MSR_APSR, user).0.flags,
        flags(true, false, false, false)
    );
    // Cortex-M0 has no unprivileged mode: writing nPRIV = 1 leaves the core privileged
    let (cpu, _, ret) = exec(&MSR_CONTROL, |cpu, _| cpu.r[1] = 1);
    assert_eq!(
        (cpu.npriv, cpu.privileged(), ret.reg_writes.len()),
        (false, true, 0)
    );
}

#[test]
fn armv6m_udf_and_undefined_take_hardfault() {
    const UDF_7: u16 = 0xDE07; // udf #7
    const UDF_W: [u16; 2] = [0xF7F1, 0xA234]; // udf.w #0x1234
    const ADD_W: [u16; 2] = [0xEB01, 0x0002]; // add.w r0, r1, r2 (Thumb-2 only)
    let (cpu, mut ram, ret) = exec(&[UDF_7], |cpu, _| cpu.flags.z = true);
    assert_eq!(
        (ret.event, ret.next_pc, ret.cycles),
        (Event::Fault(FaultKind::Udf), HARDFAULT_HANDLER, 13)
    );
    assert_eq!(
        (cpu.mode, cpu.ipsr, cpu.lr, cpu.msp),
        (Mode::Handler, 3, 0xFFFF_FFF9, STACK_TOP - 0x20)
    );
    // return address is the UDF itself
    assert_eq!(ram.read(STACK_TOP - 8, 4), Ok(CODE));
    assert_eq!(ram.read(STACK_TOP - 4, 4), Ok(0x4000_0000 | 1 << 24));
    assert_eq!(
        exec(&UDF_W, |_, _| {}).2.event,
        Event::Fault(FaultKind::Udf)
    );
    assert_eq!(
        exec(&ADD_W, |_, _| {}).2.event,
        Event::Fault(FaultKind::Undefined)
    );
}

#[test]
fn armv6m_fault_in_hardfault_locks_up() {
    const UDF_0: u16 = 0xDE00; // udf #0
    let (mut cpu, mut ram, ret) = exec(&[UDF_0], |_, ram| {
        ram.load_halfwords(HARDFAULT_HANDLER, &[UDF_0])
    });
    assert_eq!(ret.event, Event::Fault(FaultKind::Udf));
    let ret = cpu.step(&mut ram);
    assert_eq!(
        (ret.pc, ret.event, ret.next_pc, ret.mem_writes.len()),
        (HARDFAULT_HANDLER, Event::Lockup, 0xFFFF_FFFE, 0)
    );
    assert!(cpu.locked_up);
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.event, ret.reg_writes.len()), (Event::Lockup, 0));
}

#[test]
fn armv6m_svc_escalates_to_hardfault() {
    const SVC_1: u16 = 0xDF01; // svc #1
                               // PRIMASK set: SVCall cannot preempt, HardFault returns past the SVC
    let (cpu, mut ram, ret) = exec(&[SVC_1], |cpu, _| cpu.primask = true);
    assert_eq!(
        (ret.event, cpu.ipsr, cpu.pc),
        (Event::Fault(FaultKind::SvcEscalated), 3, HARDFAULT_HANDLER)
    );
    assert_eq!(ram.read(STACK_TOP - 8, 4), Ok(CODE + 2));
    // SVC inside the SVCall handler (same priority) escalates too; SVC in HardFault locks up
    let (cpu, _, ret) = exec(&[SVC_1], |cpu, _| {
        cpu.mode = Mode::Handler;
        cpu.ipsr = 11;
        cpu.scs.sys_active[0] = true;
    });
    assert_eq!(
        (ret.event, cpu.ipsr),
        (Event::Fault(FaultKind::SvcEscalated), 3)
    );
    let (_, _, ret) = exec(&[SVC_1], |cpu, _| {
        cpu.mode = Mode::Handler;
        cpu.ipsr = 3;
        cpu.scs.hf_active = true;
    });
    assert_eq!(ret.event, Event::Lockup);
}

#[test]
fn armv6m_invalid_exc_return_faults() {
    const BX_R1: u16 = 0x4708; // bx r1
    let in_handler = |value: u32| {
        move |cpu: &mut Cpu, _: &mut Ram| {
            cpu.mode = Mode::Handler;
            cpu.ipsr = 11;
            cpu.scs.sys_active[0] = true;
        cpu.scs.sys_active[0] = true;
            cpu.r[1] = value;
        }
    };
    let (cpu, _, ret) = exec(&[BX_R1], in_handler(0xFFFF_FFF5));
    assert_eq!(
        (ret.event, cpu.ipsr),
        (Event::Fault(FaultKind::InvalidExcReturn), 3)
    );
    // in Thread mode 0xFFFFFFF9 is an ordinary (faulting) branch target, not a return
    let (cpu, _, ret) = exec(&[BX_R1], |cpu, _| cpu.r[1] = 0xFFFF_FFF9);
    assert_eq!(
        (ret.event, cpu.pc, cpu.mode),
        (Event::None, 0xFFFF_FFF8, Mode::Thread)
    );
}

#[test]
fn armv6m_program_checksum_loop() {
    const PROGRAM: [u16; 18] = [
        0x2080, // 0x100 main:     movs r0, #0x80
        0x0100, // 0x102           lsls r0, r0, #4      ; r0 = DATA
        0x2110, // 0x104           movs r1, #16         ; word count
        0xF000, 0xF801, // 0x106   bl checksum          ; imm = +2
        0xBE01, // 0x10A           bkpt #1
        0xB510, // 0x10C checksum: push {r4, lr}
        0x2200, // 0x10E           movs r2, #0
        0x241F, // 0x110           movs r4, #31
        0xC808, // 0x112 loop:     ldm r0!, {r3}
        0x41E2, // 0x114           rors r2, r4          ; sum = rotl(sum, 1)
        0x18D2, // 0x116           adds r2, r2, r3
        0x3901, // 0x118           subs r1, #1
        0xD1FA, // 0x11A           bne loop             ; imm = -12
        0x0010, // 0x11C           movs r0, r2
        0xBD10, // 0x11E           pop {r4, pc}
        0xBF00, 0xBF00, // padding
    ];
    let (mut cpu, mut ram) = machine();
    ram.load_halfwords(CODE, &PROGRAM);
    let words: Vec<u32> = (0..16u32)
        .map(|i| 0x9E37_79B9u32.wrapping_mul(i + 1) ^ (i << 28))
        .collect();
    for (i, w) in words.iter().enumerate() {
        ram.write(DATA + 4 * i as u32, 4, *w).unwrap();
    }
    cpu.r[4] = 0x4444;
    let mut cycles = 0;
    let mut steps = 0;
    let last = loop {
        let ret = cpu.step(&mut ram);
        if ret.event != Event::None {
            break ret;
        }
        cycles += ret.cycles;
        steps += 1;
        assert!(steps < 1000, "runaway");
    };
    let expected = words
        .iter()
        .fold(0u32, |sum, w| sum.rotate_left(1).wrapping_add(*w));
    assert_eq!((last.event, last.pc), (Event::Breakpoint(1), 0x10A));
    assert_eq!(
        (cpu.r[0], cpu.r[2], cpu.r[1], cpu.r[3]),
        (expected, expected, 0, words[15])
    );
    assert_eq!((cpu.r[4], cpu.lr, cpu.msp), (0x4444, 0x10B, STACK_TOP));
    // flags come from the final MOVS r0, r2
    assert_eq!(
        (cpu.flags.n, cpu.flags.z),
        (expected >> 31 == 1, expected == 0)
    );
    // 3 (setup) + 4 (bl) + 3 (push) + 2 (movs) + 16 * 5 (loop body) + 15 * 3 + 1 (bne) + 1 (movs) + 5 (pop {r4, pc})
    assert_eq!(steps, 3 + 1 + 1 + 2 + 16 * 5 + 1 + 1);
    assert_eq!(cycles, 3 + 4 + 3 + 2 + 16 * 5 + 15 * 3 + 1 + 1 + 5);
}

/// Every 16-bit encoding (and every 32-bit first halfword with a few second halfwords) from a
/// pseudo-random register state: no panic, SP stays word-aligned, and a fault always lands in
/// HardFault (or lockup). Deterministic, so a failure names the encoding and replays as is.
#[test]
fn armv6m_every_encoding_executes_without_panic() {
    let mut seed: u32 = 0x1234_5678;
    let mut next = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223); // LCG
        seed
    };
    let mut check = |code: &[u16]| {
        let values: Vec<u32> = (0..16).map(|_| next()).collect();
        let (cpu, _, ret) = exec(code, |cpu, _| {
            for (i, v) in values[..13].iter().enumerate() {
                // half the registers point into RAM so loads/stores often succeed
                cpu.r[i] = if i % 2 == 0 { DATA + (v & 0x3FC) } else { *v };
            }
            cpu.lr = values[13];
            cpu.flags = Flags {
                n: values[14] & 1 == 1,
                z: values[14] & 2 == 2,
                c: values[14] & 4 == 4,
                v: values[14] & 8 == 8,
            };
        });
        assert_eq!(cpu.sp() & 3, 0, "{code:04X?}");
        if let Event::Fault(_) = ret.event {
            assert_eq!((cpu.ipsr, cpu.pc), (3, HARDFAULT_HANDLER), "{code:04X?}");
        }
    };
    for hw in 0..=u16::MAX {
        if super::decode::is_32bit(hw) {
            for hw2 in [0x0000, 0x8000, 0x8F4F, 0xA000, 0xF800, 0xFFFF] {
                check(&[hw, hw2]);
            }
        } else {
            check(&[hw]);
        }
    }
}

/// The exception decision sees the SCS state of the cycle before (contract): an IRQ pended by a
/// store to NVIC_ISPR is taken one instruction after the store, not right after it; after CPSIE
/// (2 cycles) a pending IRQ is taken at once; a return from a handler spends one more cycle
/// (T1 waits, T2 decides).
#[test]
fn armv6m_decisions_see_the_cycle_before() {
    const STR_R1_R0: u16 = 0x6001; // str r1, [r0]
    const NOP: u16 = 0xBF00;
    const CPSIE_I: u16 = 0xB662;
    const BX_LR: u16 = 0x4770;
    const IRQ0_HANDLER: u32 = 0x600;
    let (mut cpu, mut ram) = machine();
    ram.write(4 * 16, 4, IRQ0_HANDLER | 1).unwrap();
    ram.load_halfwords(CODE, &[STR_R1_R0, NOP, NOP, CPSIE_I, NOP]);
    ram.load_halfwords(IRQ0_HANDLER, &[BX_LR]);
    cpu.scs.irq_enable = 1;
    cpu.r[0] = 0xE000_E200; // NVIC_ISPR
    cpu.r[1] = 1;
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.cycles), (None, 2), "the store");
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.pc), (None, CODE + 2), "the NOP after the store runs first");
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.cycles), (Some(16), 12), "then IRQ 0 is taken");
    // BX LR returns: 3 - 2 + 12 cycles (T1 waits for the SCS's decision).
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.event, ret.cycles), (Event::ExceptionReturn, 13));
    // PRIMASK set, IRQ 0 pending: the NOP runs; CPSIE takes 2 cycles and the IRQ follows at once.
    cpu.primask = true;
    cpu.scs.irq_pending = 1;
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.pc), (None, CODE + 4));
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.pc, ret.cycles), (None, CODE + 6, 2), "CPSIE");
    let ret = cpu.step(&mut ram);
    assert_eq!(ret.exc, Some(16), "taken right after CPSIE");
}

/// ICSR's VECTPENDING and ISRPENDING show the address phase of the read (the decisions' view):
/// an IRQ pended at the edge between the LDR's address and data phases is not in them yet, but
/// it is taken at the boundary right after the LDR.
#[test]
fn armv6m_icsr_pending_fields_show_the_address_phase() {
    struct Irq0From(u64);
    impl crate::armv6m::scs::IrqSource for Irq0From {
        fn at(&self, cycle: u64) -> (u32, bool, bool) {
            ((cycle >= self.0) as u32, false, false)
        }
    }
    const LDR_R1_R0: u16 = 0x6801; // ldr r1, [r0]
    let (mut cpu, mut ram) = machine();
    ram.write(4 * 16, 4, 0x600 | 1).unwrap();
    ram.load_halfwords(CODE, &[LDR_R1_R0]);
    cpu.scs.irq_enable = 1;
    cpu.r[0] = 0xE000_ED04; // ICSR
    let start = cpu.cycle;
    // IRQ 0 high during the LDR's address phase (its first cycle): pending from the data phase.
    cpu.set_irq_source(Irq0From(start));
    let ret = cpu.step(&mut ram);
    assert_eq!((ret.exc, ret.cycles), (None, 2));
    assert_eq!(cpu.r[1] >> 12 & 0x1FF, 0, "VECTPENDING from the address phase");
    assert_eq!(cpu.r[1] >> 22 & 1, 0, "ISRPENDING from the address phase");
    let ret = cpu.step(&mut ram);
    assert_eq!(ret.exc, Some(16), "taken at the next boundary");
}
