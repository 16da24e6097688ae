//! The soft core's System Control Space map (NVIC, SysTick, SCB): the single source for the SCS decode, docs and C header.

use crate::common::regmap::{Access, Bus, Field, RegMap, Register, CsrTest, ANY};

/// Byte address of the SCS; register offsets below are from here.
pub const SCS_BASE: u32 = 0xE000_E000;
/// A Cortex-M0 r0p0, so existing start-up code recognises the core.
pub const CPUID_VALUE: u32 = 0x410C_C200;
/// No reference clock, no 10 ms calibration value.
pub const SYST_CALIB_VALUE: u32 = 0xC000_0000;
/// `AIRCR` reads the VECTKEYSTAT value; a write needs `VECTKEY` in bits 31:16.
pub const AIRCR_READ: u32 = 0xFA05_0000;
pub const AIRCR_VECTKEY: u32 = 0x05FA;
/// STKALIGN and UNALIGN_TRP, fixed.
pub const CCR_VALUE: u32 = 0x0000_0208;

pub const SYST_CSR_ENABLE: Field = Field { name: "ENABLE", lsb: 0, width: 1, desc: "The counter runs (one step per clock)" };
pub const SYST_CSR_TICKINT: Field = Field { name: "TICKINT", lsb: 1, width: 1, desc: "Counting down to 0 pends SysTick" };
pub const SYST_CSR_CLKSOURCE: Field = Field { name: "CLKSOURCE", lsb: 2, width: 1, desc: "Reads 1: the core clock" };
pub const SYST_CSR_COUNTFLAG: Field = Field { name: "COUNTFLAG", lsb: 16, width: 1, desc: "Counted to 0 since last read; a read clears it" };
pub const SYST_RVR_RELOAD: Field = Field { name: "RELOAD", lsb: 0, width: 24, desc: "Loaded when the counter is 0" };
pub const SYST_CVR_CURRENT: Field = Field { name: "CURRENT", lsb: 0, width: 24, desc: "Current value; any write clears it and COUNTFLAG" };
pub const ICSR_VECTACTIVE: Field = Field { name: "VECTACTIVE", lsb: 0, width: 6, desc: "IPSR" };
pub const ICSR_VECTPENDING: Field = Field { name: "VECTPENDING", lsb: 12, width: 9, desc: "Highest-priority enabled pending exception, 0 if none" };
pub const ICSR_ISRPENDING: Field = Field { name: "ISRPENDING", lsb: 22, width: 1, desc: "An enabled IRQ is pending" };
pub const ICSR_PENDSTCLR: Field = Field { name: "PENDSTCLR", lsb: 25, width: 1, desc: "Write 1: clear SysTick pending (wins over PENDSTSET)" };
pub const ICSR_PENDSTSET: Field = Field { name: "PENDSTSET", lsb: 26, width: 1, desc: "Write 1: pend SysTick; reads SysTick pending" };
pub const ICSR_PENDSVCLR: Field = Field { name: "PENDSVCLR", lsb: 27, width: 1, desc: "Write 1: clear PendSV pending (wins over PENDSVSET)" };
pub const ICSR_PENDSVSET: Field = Field { name: "PENDSVSET", lsb: 28, width: 1, desc: "Write 1: pend PendSV; reads PendSV pending" };
pub const ICSR_NMIPENDSET: Field = Field { name: "NMIPENDSET", lsb: 31, width: 1, desc: "Write 1: pend NMI; reads NMI pending" };
pub const AIRCR_SYSRESETREQ: Field = Field { name: "SYSRESETREQ", lsb: 2, width: 1, desc: "Write 1 with VECTKEY 0x05FA: SYSRESETREQ rises and stays until reset" };
pub const SCR_SLEEPDEEP: Field = Field { name: "SLEEPDEEP", lsb: 2, width: 1, desc: "Drives SLEEPDEEP while sleeping" };
pub const SCR_SEVONPEND: Field = Field { name: "SEVONPEND", lsb: 4, width: 1, desc: "Any exception becoming pending sets the WFE event" };
pub const SHPR2_PRI_11: Field = Field { name: "PRI_11", lsb: 30, width: 2, desc: "SVCall priority" };
pub const SHPR3_PRI_14: Field = Field { name: "PRI_14", lsb: 22, width: 2, desc: "PendSV priority" };
pub const SHPR3_PRI_15: Field = Field { name: "PRI_15", lsb: 30, width: 2, desc: "SysTick priority" };

pub const SYST_CSR: Register = Register { name: "SYST_CSR", offset: 0x010, count: 1, access: Access::Rw, reset: 0x0000_0004, desc: "SysTick control and status", fields: &[SYST_CSR_ENABLE, SYST_CSR_TICKINT, SYST_CSR_CLKSOURCE, SYST_CSR_COUNTFLAG], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const SYST_RVR: Register = Register { name: "SYST_RVR", offset: 0x014, count: 1, access: Access::Rw, reset: 0, desc: "SysTick reload value", fields: &[SYST_RVR_RELOAD], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const SYST_CVR: Register = Register { name: "SYST_CVR", offset: 0x018, count: 1, access: Access::Rw, reset: 0, desc: "SysTick current value", fields: &[SYST_CVR_CURRENT], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const SYST_CALIB: Register = Register { name: "SYST_CALIB", offset: 0x01C, count: 1, access: Access::Ro, reset: SYST_CALIB_VALUE, desc: "SysTick calibration: no reference clock, no 10 ms value", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const NVIC_ISER: Register = Register { name: "NVIC_ISER", offset: 0x100, count: 1, access: Access::Rw, reset: 0, desc: "IRQ enables; write 1 sets", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const NVIC_ICER: Register = Register { name: "NVIC_ICER", offset: 0x180, count: 1, access: Access::Rw, reset: 0, desc: "IRQ enables; write 1 clears", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const NVIC_ISPR: Register = Register { name: "NVIC_ISPR", offset: 0x200, count: 1, access: Access::Rw, reset: 0, desc: "IRQ pending; write 1 sets", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const NVIC_ICPR: Register = Register { name: "NVIC_ICPR", offset: 0x280, count: 1, access: Access::Rw, reset: 0, desc: "IRQ pending; write 1 clears", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const NVIC_IPR: Register = Register { name: "NVIC_IPR", offset: 0x400, count: 8, access: Access::Rw, reset: 0, desc: "IRQ priorities: IRQ 4k+i in bits [8i+7:8i+6] of IPR k, other bits read 0", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const CPUID: Register = Register { name: "CPUID", offset: 0xD00, count: 1, access: Access::Ro, reset: CPUID_VALUE, desc: "Cortex-M0 r0p0", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ICSR: Register = Register { name: "ICSR", offset: 0xD04, count: 1, access: Access::Rw, reset: 0, desc: "Interrupt control and state", fields: &[ICSR_VECTACTIVE, ICSR_VECTPENDING, ICSR_ISRPENDING, ICSR_PENDSTCLR, ICSR_PENDSTSET, ICSR_PENDSVCLR, ICSR_PENDSVSET, ICSR_NMIPENDSET], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const AIRCR: Register = Register { name: "AIRCR", offset: 0xD0C, count: 1, access: Access::Rw, reset: AIRCR_READ, desc: "Reads 0xFA050000; system reset request", fields: &[AIRCR_SYSRESETREQ], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const SCR: Register = Register { name: "SCR", offset: 0xD10, count: 1, access: Access::Rw, reset: 0, desc: "System control (SLEEPONEXIT reads 0 and is ignored)", fields: &[SCR_SLEEPDEEP, SCR_SEVONPEND], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const CCR: Register = Register { name: "CCR", offset: 0xD14, count: 1, access: Access::Ro, reset: CCR_VALUE, desc: "STKALIGN and UNALIGN_TRP, fixed (writes ignored)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const SHPR2: Register = Register { name: "SHPR2", offset: 0xD1C, count: 1, access: Access::Rw, reset: 0, desc: "SVCall priority", fields: &[SHPR2_PRI_11], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const SHPR3: Register = Register { name: "SHPR3", offset: 0xD20, count: 1, access: Access::Rw, reset: 0, desc: "PendSV and SysTick priorities", fields: &[SHPR3_PRI_14, SHPR3_PRI_15], readers: ANY, writers: ANY, csr: CsrTest::Full };

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "m0",
    module: "pluton_m0",
    addr_bits: 12,
    bus: Bus::CoreScs,
    desc: "Soft Cortex-M0-class core: its System Control Space (NVIC with 32 IRQs and 2-bit priorities, SysTick, SCB)",
    regs: &[SYST_CSR, SYST_RVR, SYST_CVR, SYST_CALIB, NVIC_ISER, NVIC_ICER, NVIC_ISPR, NVIC_ICPR, NVIC_IPR, CPUID, ICSR, AIRCR, SCR, CCR, SHPR2, SHPR3],
    constants: crate::constants![
        SCS_BASE => "Byte address of the System Control Space; offsets above are from here",
        NUM_IRQ = 32 => "External interrupts IRQ 0..31 (exceptions 16..47)",
        PRIO_BITS = 2 => "Priority bits per exception (0 most urgent)",
        EXC_NMI = 2 => "Exception number of NMI",
        EXC_HARDFAULT = 3 => "Exception number of HardFault",
        EXC_SVCALL = 11 => "Exception number of SVCall",
        EXC_PENDSV = 14 => "Exception number of PendSV",
        EXC_SYSTICK = 15 => "Exception number of SysTick",
        EXC_IRQ0 = 16 => "Exception number of IRQ 0",
    ],
};

/// Word index (offset / 4) of a register, as the SCS decodes it.
pub const fn word(r: &Register) -> u64 {
    (r.offset >> 2) as u64
}
