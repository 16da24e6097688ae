//! ARMv6-M execution: the `Cpu` state, the `Bus` it runs on, `step` and exception entry/return.

use super::decode::{
    decode16, decode32, is_32bit, AluOp, ExtOp, Hint as HintOp, Instr, MemOp, Shift,
};
use super::scs::{Inputs, IrqSource, Scs, SCS_BASE, SCS_END};
use std::sync::Arc;

/// A bus error returned by a `Bus` access (becomes a HardFault).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BusFault {
    pub addr: u32,
}

/// The memory system seen by the core. `size` is 1, 2 or 4 bytes; addresses are already aligned.
pub trait Bus {
    fn read(&mut self, addr: u32, size: u8) -> Result<u32, BusFault>;
    fn write(&mut self, addr: u32, size: u8, value: u32) -> Result<(), BusFault>;
}

/// Little-endian RAM at `base`; any access outside it is a bus fault.
pub struct Ram {
    pub base: u32,
    pub bytes: Vec<u8>,
}

impl Ram {
    pub fn new(base: u32, size: usize) -> Ram {
        Ram {
            base,
            bytes: vec![0; size],
        }
    }
    /// Stores halfwords (Thumb code) from `addr` upwards.
    pub fn load_halfwords(&mut self, addr: u32, code: &[u16]) {
        for (i, hw) in code.iter().enumerate() {
            self.write(addr + 2 * i as u32, 2, *hw as u32)
                .expect("code outside RAM");
        }
    }
    fn offset(&self, addr: u32, size: u8) -> Result<usize, BusFault> {
        let off = addr.wrapping_sub(self.base) as usize;
        if off + size as usize <= self.bytes.len() {
            Ok(off)
        } else {
            Err(BusFault { addr })
        }
    }
}

impl Bus for Ram {
    fn read(&mut self, addr: u32, size: u8) -> Result<u32, BusFault> {
        let off = self.offset(addr, size)?;
        Ok((0..size as usize).fold(0, |v, i| v | (self.bytes[off + i] as u32) << (8 * i)))
    }
    fn write(&mut self, addr: u32, size: u8, value: u32) -> Result<(), BusFault> {
        let off = self.offset(addr, size)?;
        for i in 0..size as usize {
            self.bytes[off + i] = (value >> (8 * i)) as u8;
        }
        Ok(())
    }
}

/// APSR condition flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    pub n: bool,
    pub z: bool,
    pub c: bool,
    pub v: bool,
}

/// Why a fault was taken. On ARMv6-M every one of them is a HardFault (exception 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// UDF instruction
    Udf,
    /// Undefined or UNPREDICTABLE encoding
    Undefined,
    /// Unaligned load/store (ARMv6-M has no unaligned support)
    Unaligned,
    /// Bus error on fetch, load, store, stacking or unstacking
    Bus,
    /// Executing with EPSR.T = 0 (BX/POP to an even address)
    InvalidState,
    /// Bad EXC_RETURN value, or one that does not match the stacked IPSR
    InvalidExcReturn,
    /// SVC executed where SVCall cannot be taken (PRIMASK set or already in a handler)
    SvcEscalated,
    /// System Control Space access that is unprivileged or not a word
    ScsAccess,
    /// Instruction fetch from the execute-never region at 0xE0000000 and above
    ExecuteNever,
}

/// What else happened when the instruction retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    None,
    /// WFI or WFE: the core may sleep until an interrupt/event.
    Sleep,
    /// BKPT #imm8: modelled as a halting debugger; PC stays on the BKPT.
    Breakpoint(u8),
    /// The instruction did not retire; HardFault entry was done instead.
    Fault(FaultKind),
    /// SVC retired and SVCall (11) entry was done.
    Svc(u8),
    /// An EXC_RETURN branch returned from an exception (unstacked).
    ExceptionReturn,
    /// Fault while in HardFault/NMI: the core is locked up (PC = 0xFFFFFFFE), nothing more runs.
    Lockup,
}

/// What one `step` retired; the lock-step checker compares this record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retired {
    /// Address of the instruction.
    pub pc: u32,
    pub instr: Instr,
    /// Register writes in order, (register number, value); R13 is the SP in use, R15 is never listed.
    pub reg_writes: Vec<(u8, u32)>,
    /// APSR flags after the instruction.
    pub flags: Flags,
    /// Memory writes in order, (address, size in bytes, value).
    pub mem_writes: Vec<(u32, u8, u32)>,
    pub event: Event,
    /// Address of the next instruction to execute.
    pub next_pc: u32,
    /// Cycles of the record under the core contract (zero-wait-state memory), including any
    /// sleep or post-halt refill before it and, for an entry, the faulting attempt.
    pub cycles: u32,
    /// `Some(n)`: this record is the entry to exception n (0: the core locked up); `None`: an
    /// instruction.
    pub exc: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Thread,
    Handler,
}

/// Exception numbers used here.
pub const HARD_FAULT: u32 = 3;
pub const SVCALL: u32 = 11;

/// The architectural state of an ARMv6-M core.
#[derive(Clone, Debug)]
pub struct Cpu {
    /// R0-R12
    pub r: [u32; 13],
    pub msp: u32,
    pub psp: u32,
    pub lr: u32,
    pub pc: u32,
    pub flags: Flags,
    pub primask: bool,
    /// CONTROL.nPRIV: Thread mode is unprivileged
    pub npriv: bool,
    /// CONTROL.SPSEL: Thread mode uses PSP
    pub spsel: bool,
    pub mode: Mode,
    /// IPSR: number of the exception being handled (0 in Thread mode)
    pub ipsr: u32,
    /// EPSR.T: must be 1 to execute (Thumb state)
    pub t: bool,
    pub locked_up: bool,
    /// NVIC, SysTick and SCB.
    pub scs: Scs,
    /// Cycle in which the next record starts (cycle 0: the first instruction).
    pub cycle: u64,
    /// Cycles the next record starts with (refill after a halt).
    extra: u64,
    /// WFI/WFE retired and the core sleeps before the next record.
    sleep: Option<HintOp>,
    /// An exception return found this exception to tail-chain to, with its EXC_RETURN.
    tail_chain: Option<(u32, u32)>,
    /// Cycle in which the current instruction started, and its data accesses so far.
    start: u64,
    access_no: u64,
    /// Cycles a faulting instruction spent before its fault, and an override of the table.
    attempt: u64,
    cycles_override: Option<u32>,
    /// The SCS as it was during the data phase of the last software write to it, before the
    /// write: what a decision in the cycle right after that data phase sees (`decide`).
    scs_before_write: Option<Scs>,
    /// What the current instruction's first cycle sees: SVCall's priority and the execution
    /// priority (SVC's escalation check).
    start_svc: (i32, i32),
}

/// The longest sleep the ISS waits for a wake-up before calling the core stuck.
const SLEEP_LIMIT: u64 = 100_000_000;

/// Outcome of executing one instruction (internal).
enum Exec {
    Next,
    Branch(u32),
    Event(Event),
    Fault(FaultKind),
}

/// Result of AddWithCarry (ARM ARM A2.2.1).
fn add_with_carry(x: u32, y: u32, carry_in: bool) -> (u32, bool, bool) {
    let unsigned_sum = x as u64 + y as u64 + carry_in as u64;
    let signed_sum = x as i32 as i64 + y as i32 as i64 + carry_in as i64;
    let result = unsigned_sum as u32;
    (
        result,
        unsigned_sum != result as u64,
        signed_sum != result as i32 as i64,
    )
}

/// Shift_C (ARM ARM A2.2.2): amount 0 passes the value and carry through.
pub fn shift_c(value: u32, op: Shift, amount: u32, carry_in: bool) -> (u32, bool) {
    if amount == 0 {
        return (value, carry_in);
    }
    match op {
        Shift::Lsl => {
            let wide = (value as u64) << amount.min(33);
            (wide as u32, (wide >> 32) & 1 == 1)
        }
        Shift::Lsr => {
            let wide = ((value as u64) << 1) >> amount.min(33);
            ((wide >> 1) as u32, wide & 1 == 1)
        }
        Shift::Asr => {
            let wide = (((value as i32 as i64) << 1) >> amount.min(33)) as u64;
            ((wide >> 1) as u32, wide & 1 == 1)
        }
        Shift::Ror => {
            let result = value.rotate_right(amount % 32);
            (result, result >> 31 == 1)
        }
    }
}

fn condition_passed(cond: u8, f: Flags) -> bool {
    let result = match cond >> 1 {
        0 => f.z,
        1 => f.c,
        2 => f.n,
        3 => f.v,
        4 => f.c && !f.z,
        5 => f.n == f.v,
        6 => f.n == f.v && !f.z,
        _ => true,
    };
    // odd conditions invert, except AL (1110)
    if cond & 1 == 1 && cond != 0b1111 {
        !result
    } else {
        result
    }
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu::new()
    }
}

impl Cpu {
    pub fn new() -> Cpu {
        Cpu {
            r: [0; 13],
            msp: 0,
            psp: 0,
            lr: 0xFFFF_FFFF,
            pc: 0,
            flags: Flags::default(),
            primask: false,
            npriv: false,
            spsel: false,
            mode: Mode::Thread,
            ipsr: 0,
            t: true,
            locked_up: false,
            scs: Scs::default(),
            cycle: 0,
            extra: 0,
            sleep: None,
            tail_chain: None,
            start: 0,
            access_no: 0,
            attempt: 1,
            cycles_override: None,
            scs_before_write: None,
            start_svc: (0, 4),
        }
    }

    /// Drive the IRQ/NMI/RXEV inputs from `source` (cycle-exact; see `IrqSource`).
    pub fn set_irq_source(&mut self, source: impl IrqSource + Send + Sync + 'static) {
        self.scs.inputs = Some(Inputs(Arc::new(source)));
    }

    /// The last record took `n` more cycles than the contract's count (wait states seen on a bus).
    pub fn add_stall(&mut self, n: u64) {
        self.cycle += n;
    }

    /// Leave the halt of a `BKPT` (the debugger's job): continue after it, with a 2-cycle refill.
    pub fn resume_from_halt(&mut self) {
        self.pc = self.pc.wrapping_add(2);
        self.extra += 2;
    }

    /// Takes reset: MSP from address 0, PC (with its Thumb bit) from address 4.
    pub fn reset(&mut self, bus: &mut dyn Bus) -> Result<(), BusFault> {
        let inputs = self.scs.inputs.take();
        *self = Cpu::new();
        self.scs.inputs = inputs;
        self.msp = bus.read(0, 4)? & !3;
        let vector = bus.read(4, 4)?;
        self.pc = vector & !1;
        self.t = vector & 1 == 1;
        Ok(())
    }

    /// Privileged when in Handler mode or CONTROL.nPRIV = 0.
    pub fn privileged(&self) -> bool {
        self.mode == Mode::Handler || !self.npriv
    }

    fn using_psp(&self) -> bool {
        self.mode == Mode::Thread && self.spsel
    }

    /// The current stack pointer (R13).
    pub fn sp(&self) -> u32 {
        if self.using_psp() {
            self.psp
        } else {
            self.msp
        }
    }

    /// xPSR as stacked: APSR flags, EPSR.T (bit 24), IPSR.
    pub fn xpsr(&self) -> u32 {
        let f = self.flags;
        (f.n as u32) << 31
            | (f.z as u32) << 30
            | (f.c as u32) << 29
            | (f.v as u32) << 28
            | (self.t as u32) << 24
            | self.ipsr
    }

    /// Reads R0-R15; R15 reads as the instruction address + 4.
    pub fn reg(&self, n: u8) -> u32 {
        match n {
            0..=12 => self.r[n as usize],
            13 => self.sp(),
            14 => self.lr,
            _ => self.pc.wrapping_add(4),
        }
    }

    /// Writes R0-R14 and logs it; SP bits [1:0] are always zero on ARMv6-M.
    fn set_reg(&mut self, n: u8, value: u32, log: &mut Retired) {
        let value = if n == 13 { value & !3 } else { value };
        match n {
            0..=12 => self.r[n as usize] = value,
            13 => {
                if self.using_psp() {
                    self.psp = value
                } else {
                    self.msp = value
                }
            }
            14 => self.lr = value,
            _ => panic!("PC is written through branches"),
        }
        log.reg_writes.push((self.physical(n), value));
    }

    /// Register number as logged: 13 = MSP, 15 = PSP (the banked SP in use), others as they are.
    fn physical(&self, n: u8) -> u8 {
        if n == 13 && self.using_psp() {
            15
        } else {
            n
        }
    }

    fn set_nz(&mut self, result: u32) {
        self.flags.n = result >> 31 == 1;
        self.flags.z = result == 0;
    }

    /// Execution priority: the most urgent active exception (4 when none), PRIMASK raising it to 0.
    pub fn execution_priority(&self) -> i32 {
        self.with_primask(self.scs.active_priority())
    }

    /// The execution priority from the active exceptions' priority `p` and PRIMASK.
    fn with_primask(&self, p: i32) -> i32 {
        if self.primask {
            p.min(0)
        } else {
            p
        }
    }

    /// Applies `f` to the SCS state that the exception decisions taken in cycle `t` see: the state during
    /// `t - 1` (contract: the SCS decides from its flops and registers the decision). PRIMASK
    /// and the active set never change in the cycle before a decision (CPS and SVC take a second
    /// cycle for that; entry and return are far enough ahead), so only the NVIC's pending state
    /// and a software write in the cycle before can differ.
    fn decide<R>(&mut self, t: u64, f: impl FnOnce(&Scs) -> R) -> R {
        let v = t.saturating_sub(1);
        if self.scs.time <= v {
            self.scs.advance_to(v);
            return f(&self.scs);
        }
        // The SCS moved past `v` only by a software write whose data phase was `v`.
        let before = self.scs_before_write.as_ref().expect("SCS advanced past a decision without a write");
        assert_eq!(before.time, v, "the SCS moved past a decision's view other than by a write in the cycle before");
        f(before)
    }

    /// The boundary decision's inputs in cycle `t`: the winner, the active priority and SVCall's.
    fn boundary_view(&mut self, t: u64) -> (Option<(u32, i32)>, i32, i32) {
        self.decide(t, |s| (s.winner(), s.active_priority(), s.priority(super::scs::SVCALL)))
    }

    /// Produces the next record: an exception entry when one is taken at this boundary, else
    /// one instruction (or the HardFault entry that replaces a faulting one).
    pub fn step(&mut self, bus: &mut dyn Bus) -> Retired {
        let pc = self.pc;
        let mut log = Retired {
            pc,
            instr: Instr::Hint(HintOp::Nop),
            reg_writes: Vec::new(),
            flags: self.flags,
            mem_writes: Vec::new(),
            event: Event::None,
            next_pc: pc,
            cycles: 0,
            exc: None,
        };
        if self.locked_up {
            log.event = Event::Lockup;
            log.exc = Some(0);
            return log;
        }
        if let Some((n, exc_return)) = self.tail_chain.take() {
            // T3..T5: the vector (read in T2, where the return decided and acknowledged);
            // no stacking, LR keeps the EXC_RETURN being returned.
            log.exc = Some(n);
            match bus.read(4 * n, 4) {
                Ok(vector) => {
                    self.mode = Mode::Handler;
                    self.spsel = false;
                    self.set_reg(14, exc_return, &mut log);
                    self.pc = vector & !1;
                    self.t = vector & 1 == 1;
                    log.cycles = 3;
                }
                Err(_) => {
                    // Timed from T2, the vector's address phase.
                    self.start = self.cycle - 1;
                    self.attempt = 2;
                    return self.fault_at(FaultKind::Bus, self.pc, 0, bus, log);
                }
            }
            return self.finish(log);
        }
        let mut boundary = self.cycle + std::mem::take(&mut self.extra);
        // The decision view of the boundary (the wake-up's, when the core slept).
        let mut woke_with = None;
        if let Some(kind) = self.sleep.take() {
            loop {
                let view = self.boundary_view(boundary);
                let preempts = view.0.is_some_and(|(_, p)| p < view.1);
                self.scs.advance_to(boundary);
                let woken = match kind {
                    HintOp::Wfe => self.scs.event || preempts,
                    _ => preempts,
                };
                if woken {
                    if kind == HintOp::Wfe {
                        self.scs.event = false;
                    }
                    woke_with = Some(view);
                    break;
                }
                boundary += 1;
                if boundary - self.cycle > SLEEP_LIMIT {
                    self.lockup(&mut log);
                    return self.finish(log);
                }
            }
        }
        let (winner, active, svc) = match woke_with {
            Some(view) => view,
            None => self.boundary_view(boundary),
        };
        self.scs.advance_to(boundary);
        let lead = boundary - self.cycle;
        self.start = boundary;
        let exec = self.with_primask(active);
        self.start_svc = (svc, exec);
        if let Some((n, p)) = winner {
            if p < exec {
                log.exc = Some(n);
                if let Err(kind) = self.exception_entry_logged(n, pc, true, bus, &mut log) {
                    return self.escalate(kind, pc, bus, log);
                }
                log.cycles = (lead + 12) as u32;
                return self.finish(log);
            }
        }
        self.access_no = 0;
        self.attempt = 1;
        self.cycles_override = None;
        if !self.t {
            return self.fault_at(FaultKind::InvalidState, pc, lead, bus, log);
        }
        if pc >= 0xE000_0000 {
            return self.fault_at(FaultKind::ExecuteNever, pc, lead, bus, log);
        }
        let hw1 = match bus.read(pc, 2) {
            Ok(v) => v as u16,
            Err(_) => return self.fault_at(FaultKind::Bus, pc, lead, bus, log),
        };
        let (instr, len) = if is_32bit(hw1) {
            match bus.read(pc.wrapping_add(2), 2) {
                Ok(hw2) => (decode32(hw1, hw2 as u16), 4),
                Err(_) => return self.fault_at(FaultKind::Bus, pc, lead, bus, log),
            }
        } else {
            (decode16(hw1), 2)
        };
        log.instr = instr;
        let table = cycles(instr, self.flags);
        match self.execute(instr, bus, &mut log) {
            Exec::Next => self.pc = pc.wrapping_add(len),
            Exec::Branch(target) => self.pc = target,
            Exec::Event(Event::Breakpoint(imm)) => log.event = Event::Breakpoint(imm),
            Exec::Event(Event::Svc(imm)) => {
                // SVC retires and pends SVCall, taken at the next boundary; or it escalates
                self.pc = pc.wrapping_add(len);
                let (svc, exec) = self.start_svc;
                if svc >= exec {
                    return self.fault_at(FaultKind::SvcEscalated, self.pc, lead, bus, log);
                }
                self.scs.set_sys_pending(super::scs::SVCALL);
                log.event = Event::Svc(imm);
            }
            Exec::Event(e) => {
                self.pc = pc.wrapping_add(len);
                log.event = e;
            }
            Exec::Fault(kind) => {
                let ret = if kind == FaultKind::SvcEscalated { self.pc } else { pc };
                // A 32-bit encoding with the 11110 prefix is decoded from its second halfword, in
                // the instruction's second cycle (contract: UDF.W and its kin fault after 2).
                if matches!(kind, FaultKind::Udf | FaultKind::Undefined) && len == 4 && hw1 >> 11 == 0b11110 {
                    self.attempt = 2;
                }
                return self.fault_at(kind, ret, lead, bus, log);
            }
        }
        log.cycles = (lead as u32) + self.cycles_override.unwrap_or(table);
        self.finish(log)
    }

    /// Fills in the state after a record and moves the cycle count on.
    fn finish(&mut self, mut log: Retired) -> Retired {
        log.flags = self.flags;
        log.next_pc = self.pc;
        self.cycle += log.cycles as u64;
        log
    }

    /// A faulting instruction at `self.start`: HardFault entry (return address `ret`) after its
    /// attempt, or lockup.
    fn fault_at(&mut self, kind: FaultKind, ret: u32, lead: u64, bus: &mut dyn Bus, mut log: Retired) -> Retired {
        let attempt = self.attempt.max(1);
        self.start += attempt;
        log.cycles = (lead + attempt + 12) as u32;
        log.exc = Some(super::scs::HARD_FAULT);
        log.event = Event::Fault(kind);
        if self.execution_priority() < 0 {
            self.lockup(&mut log);
        } else if self.exception_entry_logged(super::scs::HARD_FAULT, ret, false, bus, &mut log).is_err() {
            self.lockup(&mut log);
        }
        self.finish(log)
    }

    /// Stacking for an asynchronous exception failed: enter HardFault instead, or lock up.
    fn escalate(&mut self, kind: FaultKind, ret: u32, bus: &mut dyn Bus, mut log: Retired) -> Retired {
        log.event = Event::Fault(kind);
        log.exc = Some(super::scs::HARD_FAULT);
        if self.execution_priority() < 0 || self.exception_entry_logged(super::scs::HARD_FAULT, ret, false, bus, &mut log).is_err() {
            self.lockup(&mut log);
        }
        log.cycles = (self.start - self.cycle + 12) as u32;
        self.finish(log)
    }

    fn lockup(&mut self, log: &mut Retired) {
        self.locked_up = true;
        self.pc = 0xFFFF_FFFE;
        log.event = Event::Lockup;
        log.exc = Some(0);
    }

    /// Enters exception `n` now, whatever its priority (for tests of the entry itself): the
    /// return address is the current PC. Stacking errors escalate as in `step`.
    pub fn exception_entry(&mut self, n: u32, bus: &mut dyn Bus) -> Retired {
        let return_address = self.pc;
        let mut log = Retired {
            pc: self.pc,
            instr: Instr::Hint(HintOp::Nop),
            reg_writes: Vec::new(),
            flags: self.flags,
            mem_writes: Vec::new(),
            event: Event::None,
            next_pc: self.pc,
            cycles: 0,
            exc: Some(n),
        };
        self.start = self.cycle;
        if let Err(kind) = self.exception_entry_logged(n, return_address, false, bus, &mut log) {
            return self.escalate(kind, return_address, bus, log);
        }
        log.cycles = 12;
        self.finish(log)
    }

    /// PushStack + ExceptionTaken. On a stacking bus error nothing architectural is changed
    /// except the writes already done, and the caller escalates.
    /// Entry starts in cycle `self.start` (E1). With `late_ok`, a more urgent exception pending
    /// at E9 replaces `n` (late arrival); `n` then stays pending.
    fn exception_entry_logged(
        &mut self,
        mut n: u32,
        return_address: u32,
        late_ok: bool,
        bus: &mut dyn Bus,
        log: &mut Retired,
    ) -> Result<(), FaultKind> {
        let sp = self.sp();
        // frame is 8-word aligned; xPSR bit 9 remembers the realignment
        let frameptr_align = (sp >> 2) & 1;
        let frameptr = sp.wrapping_sub(0x20) & !4;
        let xpsr = (self.xpsr() & !(1 << 9)) | frameptr_align << 9;
        let frame = [
            self.r[0],
            self.r[1],
            self.r[2],
            self.r[3],
            self.r[12],
            self.lr,
            return_address,
            xpsr,
        ];
        for (i, word) in frame.iter().enumerate() {
            let addr = frameptr.wrapping_add(4 * i as u32);
            bus.write(addr, 4, *word).map_err(|_| FaultKind::Bus)?;
            log.mem_writes.push((addr, 4, *word));
        }
        // E9: the vector read; the winner is chosen again (from the state during E8).
        if late_ok {
            if let Some((w, _)) = self.decide(self.start + 8, |s| s.winner().filter(|&(_, p)| p < s.priority(n))) {
                n = w;
            }
        }
        self.scs.advance_to(self.start + 8);
        let vector = bus.read(4 * n, 4).map_err(|_| FaultKind::Bus)?;
        self.scs.acknowledge(n);
        log.exc = Some(n);
        self.set_reg(13, frameptr, log);
        let exc_return = if self.mode == Mode::Handler {
            0xFFFF_FFF1
        } else if !self.spsel {
            0xFFFF_FFF9
        } else {
            0xFFFF_FFFD
        };
        self.mode = Mode::Handler;
        self.spsel = false;
        self.ipsr = n;
        self.set_reg(14, exc_return, log);
        self.pc = vector & !1;
        self.t = vector & 1 == 1;
        Ok(())
    }

    /// ExceptionReturn (ARM ARM B1.5.8) for an EXC_RETURN value known in the instruction's
    /// cycle `known` (BX: 1; POP: registers + 1). Tail-chains when a pending exception preempts
    /// the priority being returned to.
    fn exception_return(&mut self, exc_return: u32, known: u64, bus: &mut dyn Bus, log: &mut Retired) -> Exec {
        self.attempt = known;
        if exc_return >> 4 != 0x0FFF_FFFF {
            return Exec::Fault(FaultKind::InvalidExcReturn);
        }
        let (frameptr, mode, spsel) = match exc_return & 0xF {
            0b0001 => (self.msp, Mode::Handler, false),
            0b1001 => (self.msp, Mode::Thread, false),
            0b1101 => (self.psp, Mode::Thread, true),
            _ => return Exec::Fault(FaultKind::InvalidExcReturn),
        };
        // The returning exception stops being active at the edge that ends cycle `known`; T1
        // waits, and T2 decides from the state during T1.
        let t1 = self.start + known;
        self.scs.advance_to(t1);
        self.scs.deactivate(self.ipsr);
        if let Some((w, p)) = self.scs.winner() {
            if p < self.execution_priority() {
                // T2 decides, reads the vector and acknowledges; the returning record ends there.
                self.scs.advance_to(t1 + 1);
                self.scs.acknowledge(w);
                self.ipsr = w;
                self.tail_chain = Some((w, exc_return));
                self.cycles_override = Some(known as u32 + 2);
                log.event = Event::ExceptionReturn;
                return Exec::Branch(self.pc);
            }
        }
        self.cycles_override = Some(known as u32 + 12);
        if frameptr & 3 != 0 {
            return Exec::Fault(FaultKind::Unaligned);
        }
        let mut frame = [0u32; 8];
        for (i, word) in frame.iter_mut().enumerate() {
            match bus.read(frameptr.wrapping_add(4 * i as u32), 4) {
                Ok(v) => *word = v,
                Err(_) => return Exec::Fault(FaultKind::Bus),
            }
        }
        let psr = frame[7];
        let ipsr = psr & 0x3F;
        // returning to Handler with IPSR 0, or to Thread with IPSR != 0, is an invalid return
        if (mode == Mode::Handler) == (ipsr == 0) {
            return Exec::Fault(FaultKind::InvalidExcReturn);
        }
        self.mode = mode;
        self.spsel = spsel;
        for (i, n) in [0u8, 1, 2, 3, 12, 14].iter().enumerate() {
            self.set_reg(*n, frame[i], log);
        }
        self.set_reg(13, frameptr.wrapping_add(0x20) | ((psr >> 9) & 1) << 2, log);
        self.flags = Flags {
            n: psr >> 31 == 1,
            z: psr >> 30 & 1 == 1,
            c: psr >> 29 & 1 == 1,
            v: psr >> 28 & 1 == 1,
        };
        self.ipsr = ipsr;
        self.t = psr >> 24 & 1 == 1;
        log.event = Event::ExceptionReturn;
        Exec::Branch(frame[6] & !1)
    }

    /// BXWritePC: exception return for EXC_RETURN in Handler mode, else interworking branch.
    /// `known`: the instruction cycle in which the target is known.
    fn bx_write_pc(&mut self, target: u32, known: u64, bus: &mut dyn Bus, log: &mut Retired) -> Exec {
        if self.mode == Mode::Handler && target >> 28 == 0xF {
            return self.exception_return(target, known, bus, log);
        }
        // T = target<0>; clearing it makes the next instruction fault (InvalidState)
        self.t = target & 1 == 1;
        Exec::Branch(target & !1)
    }

    /// An access that fails its checks (alignment, SCS rules) makes no bus transfer; the
    /// HardFault is taken in the instruction's second cycle (contract). Only an instruction's
    /// first access can fail one (LDM/STM add 4 to an aligned base; PUSH/POP use SP, always
    /// aligned), so the attempt is always 2 cycles.
    fn check_failed(&mut self, kind: FaultKind) -> FaultKind {
        self.attempt = 2;
        kind
    }

    fn load(&mut self, addr: u32, size: u8, bus: &mut dyn Bus) -> Result<u32, FaultKind> {
        // ARMv6-M has no unaligned access: address must be a multiple of the size
        if addr & (size as u32 - 1) != 0 {
            return Err(self.check_failed(FaultKind::Unaligned));
        }
        // data phase of access i is the instruction's cycle i + 2
        let dphase = self.start + 1 + self.access_no;
        self.access_no += 1;
        if (SCS_BASE..=SCS_END).contains(&addr) {
            if size != 4 || !self.privileged() {
                return Err(self.check_failed(FaultKind::ScsAccess));
            }
            // ICSR's VECTPENDING and ISRPENDING come from the SCS's registered pick, so they show
            // the address phase's state (what the decisions see); the rest the data phase's.
            let (vect, isr) = self.decide(dphase, |s| (s.winner().map_or(0, |(n, _)| n), s.irq_pending & s.irq_enable != 0));
            self.scs.advance_to(dphase);
            let mut v = self.scs.read(addr, self.ipsr);
            if addr == super::scs::ICSR {
                v = (v & !(0x1FF << 12 | 1 << 22)) | (vect & 0x1FF) << 12 | (isr as u32) << 22;
            }
            return Ok(v);
        }
        bus.read(addr, size).map_err(|_| FaultKind::Bus)
    }

    fn store(
        &mut self,
        addr: u32,
        size: u8,
        value: u32,
        bus: &mut dyn Bus,
        log: &mut Retired,
    ) -> Result<(), FaultKind> {
        // ARMv6-M has no unaligned access: address must be a multiple of the size
        if addr & (size as u32 - 1) != 0 {
            return Err(self.check_failed(FaultKind::Unaligned));
        }
        let value = if size == 4 {
            value
        } else {
            value & ((1 << (8 * size)) - 1)
        };
        let dphase = self.start + 1 + self.access_no;
        self.access_no += 1;
        if (SCS_BASE..=SCS_END).contains(&addr) {
            if size != 4 || !self.privileged() {
                return Err(self.check_failed(FaultKind::ScsAccess));
            }
            // takes effect at the edge that ends the data phase (software wins that edge); the
            // state during the data phase is kept for a decision in the next cycle
            self.scs.advance_to(dphase);
            self.scs_before_write = Some(self.scs.clone());
            self.scs.advance_to(dphase + 1);
            self.scs.write(addr, value);
            return Ok(());
        }
        bus.write(addr, size, value).map_err(|_| FaultKind::Bus)?;
        log.mem_writes.push((addr, size, value));
        Ok(())
    }

    /// Reads `count` words from `addr` upwards; all reads complete before any register is written.
    /// Reads up to `count` words from `addr` upwards, stopping at the first fault: the words
    /// read before it, and the fault.
    fn load_words(&mut self, addr: u32, count: u32, bus: &mut dyn Bus) -> (Vec<u32>, Option<FaultKind>) {
        let mut words = Vec::with_capacity(count as usize);
        for i in 0..count {
            match self.load(addr.wrapping_add(4 * i), 4, bus) {
                Ok(w) => words.push(w),
                Err(k) => return (words, Some(k)),
            }
        }
        (words, None)
    }

    /// A transfer of LDM/STM/PUSH/POP faulted (a bus error, or the first address failing its
    /// alignment check): the registers loaded so far keep their values and the base (`rn`,
    /// 13 = SP) is written with its value from before the instruction (contract).
    fn abandon_multiple(&mut self, rn: u8, base: u32, kind: FaultKind, log: &mut Retired) -> Exec {
        self.set_reg(rn, base, log);
        Exec::Fault(kind)
    }

    fn execute(&mut self, instr: Instr, bus: &mut dyn Bus, log: &mut Retired) -> Exec {
        use Instr::*;
        match instr {
            ShiftImm { op, rd, rm, imm } => {
                let (result, carry) = shift_c(self.reg(rm), op, imm as u32, self.flags.c);
                self.set_reg(rd, result, log);
                self.set_nz(result);
                self.flags.c = carry;
            }
            AddsReg { rd, rn, rm } => self.adds(rd, self.reg(rn), self.reg(rm), false, log),
            SubsReg { rd, rn, rm } => self.adds(rd, self.reg(rn), !self.reg(rm), true, log),
            AddsImm { rd, rn, imm } => self.adds(rd, self.reg(rn), imm, false, log),
            SubsImm { rd, rn, imm } => self.adds(rd, self.reg(rn), !imm, true, log),
            MovsImm { rd, imm } => {
                self.set_reg(rd, imm, log);
                self.set_nz(imm);
            }
            CmpImm { rn, imm } => self.compare(self.reg(rn), !imm, true),
            Alu { op, rdn, rm } => self.alu(op, rdn, rm, log),
            AddHi { rdn, rm } => {
                let result = self.reg(rdn).wrapping_add(self.reg(rm));
                if rdn == 15 {
                    return Exec::Branch(result & !1); // ALUWritePC
                }
                self.set_reg(rdn, result, log);
            }
            CmpHi { rn, rm } => self.compare(self.reg(rn), !self.reg(rm), true),
            MovHi { rd, rm } => {
                let value = self.reg(rm);
                if rd == 15 {
                    return Exec::Branch(value & !1);
                }
                self.set_reg(rd, value, log);
            }
            Bx { rm } => return self.bx_write_pc(self.reg(rm), 1, bus, log),
            Blx { rm } => {
                let target = self.reg(rm);
                self.set_reg(14, self.pc.wrapping_add(2) | 1, log);
                self.t = target & 1 == 1;
                return Exec::Branch(target & !1);
            }
            LdrLit { rt, imm } => {
                let addr = (self.reg(15) & !3).wrapping_add(imm);
                match self.load(addr, 4, bus) {
                    Ok(v) => self.set_reg(rt, v, log),
                    Err(k) => return Exec::Fault(k),
                }
            }
            MemReg { op, rt, rn, rm } => {
                let addr = self.reg(rn).wrapping_add(self.reg(rm));
                if let Err(k) = self.load_store(op, rt, addr, bus, log) {
                    return Exec::Fault(k);
                }
            }
            MemImm { op, rt, rn, imm } => {
                let addr = self.reg(rn).wrapping_add(imm);
                if let Err(k) = self.load_store(op, rt, addr, bus, log) {
                    return Exec::Fault(k);
                }
            }
            Adr { rd, imm } => self.set_reg(rd, (self.reg(15) & !3).wrapping_add(imm), log),
            AddSpImm { rd, imm } => self.set_reg(rd, self.sp().wrapping_add(imm), log),
            IncSp { imm } => self.set_reg(13, self.sp().wrapping_add(imm), log),
            DecSp { imm } => self.set_reg(13, self.sp().wrapping_sub(imm), log),
            Ext { op, rd, rm } => {
                let m = self.reg(rm);
                let result = match op {
                    ExtOp::Sxth => m as u16 as i16 as i32 as u32,
                    ExtOp::Sxtb => m as u8 as i8 as i32 as u32,
                    ExtOp::Uxth => m & 0xFFFF,
                    ExtOp::Uxtb => m & 0xFF,
                    ExtOp::Rev => m.swap_bytes(),
                    ExtOp::Rev16 => (m & 0xFF00_FF00) >> 8 | (m & 0x00FF_00FF) << 8,
                    ExtOp::Revsh => ((m as u16).swap_bytes() as i16) as i32 as u32,
                };
                self.set_reg(rd, result, log);
            }
            Push { list } => {
                let count = list.count_ones();
                let start = self.sp().wrapping_sub(4 * count);
                let mut addr = start;
                for n in (0..15u8).filter(|n| list >> n & 1 == 1) {
                    if let Err(k) = self.store(addr, 4, self.reg(n), bus, log) {
                        return self.abandon_multiple(13, self.sp(), k, log);
                    }
                    addr = addr.wrapping_add(4);
                }
                self.set_reg(13, start, log);
            }
            Pop { list } => {
                let sp = self.sp();
                let (words, fault) = self.load_words(sp, list.count_ones(), bus);
                if let Some(k) = fault {
                    for (n, w) in (0..8u8).filter(|n| list >> n & 1 == 1).zip(words) {
                        self.set_reg(n, w, log);
                    }
                    return self.abandon_multiple(13, sp, k, log);
                }
                let mut words = words.into_iter();
                for n in (0..8u8).filter(|n| list >> n & 1 == 1) {
                    self.set_reg(n, words.next().unwrap(), log);
                }
                self.set_reg(13, sp.wrapping_add(4 * list.count_ones()), log);
                if list >> 15 & 1 == 1 {
                    let known = list.count_ones() as u64 + 1;
                    return self.bx_write_pc(words.next().unwrap(), known, bus, log); // LoadWritePC
                }
            }
            Stm { rn, list } => {
                // Rn not the lowest listed register stores an UNKNOWN value; we store Rn
                let base = self.reg(rn);
                let mut addr = base;
                for n in (0..8u8).filter(|n| list >> n & 1 == 1) {
                    if let Err(k) = self.store(addr, 4, self.reg(n), bus, log) {
                        return self.abandon_multiple(rn, base, k, log);
                    }
                    addr = addr.wrapping_add(4);
                }
                self.set_reg(rn, addr, log);
            }
            Ldm { rn, list } => {
                let base = self.reg(rn);
                let (words, fault) = self.load_words(base, list.count_ones(), bus);
                for (n, w) in (0..8u8).filter(|n| list >> n & 1 == 1).zip(words) {
                    self.set_reg(n, w, log);
                }
                if let Some(k) = fault {
                    return self.abandon_multiple(rn, base, k, log);
                }
                // writeback only when Rn is not loaded
                if list >> rn & 1 == 0 {
                    self.set_reg(rn, base.wrapping_add(4 * list.count_ones()), log);
                }
            }
            BCond { cond, imm } => {
                if condition_passed(cond, self.flags) {
                    return Exec::Branch(self.reg(15).wrapping_add(imm as u32));
                }
            }
            B { imm } => return Exec::Branch(self.reg(15).wrapping_add(imm as u32)),
            Bl { imm } => {
                self.set_reg(14, self.pc.wrapping_add(4) | 1, log);
                return Exec::Branch(self.reg(15).wrapping_add(imm as u32));
            }
            Svc { imm } => return Exec::Event(Event::Svc(imm)),
            Bkpt { imm } => return Exec::Event(Event::Breakpoint(imm)),
            Cps { disable } => {
                if self.privileged() {
                    self.primask = disable;
                }
            }
            Hint(HintOp::Wfi) => {
                self.sleep = Some(HintOp::Wfi);
                return Exec::Event(Event::Sleep);
            }
            Hint(HintOp::Wfe) => {
                // a set event register is consumed and the core does not sleep
                if std::mem::take(&mut self.scs.event) {
                    return Exec::Next;
                }
                self.sleep = Some(HintOp::Wfe);
                return Exec::Event(Event::Sleep);
            }
            Hint(HintOp::Sev) => self.scs.event = true,
            Hint(_) => {}
            Mrs { rd, sysm } => {
                let value = self.read_special(sysm);
                self.set_reg(rd, value, log);
            }
            Msr { rn, sysm } => self.write_special(sysm, self.reg(rn), log),
            Barrier(_) => {} // in-order core with no buffers: barriers complete at once
            Udf { .. } => return Exec::Fault(FaultKind::Udf),
            Undefined { .. } => return Exec::Fault(FaultKind::Undefined),
        }
        Exec::Next
    }

    /// ADDS/SUBS/ADCS/SBCS/RSBS core: Rd = AddWithCarry(x, y, carry_in), all four flags.
    fn adds(&mut self, rd: u8, x: u32, y: u32, carry_in: bool, log: &mut Retired) {
        let (result, c, v) = add_with_carry(x, y, carry_in);
        self.set_reg(rd, result, log);
        self.flags = Flags {
            n: result >> 31 == 1,
            z: result == 0,
            c,
            v,
        };
    }

    fn compare(&mut self, x: u32, y: u32, carry_in: bool) {
        let (result, c, v) = add_with_carry(x, y, carry_in);
        self.flags = Flags {
            n: result >> 31 == 1,
            z: result == 0,
            c,
            v,
        };
    }

    fn alu(&mut self, op: AluOp, rdn: u8, rm: u8, log: &mut Retired) {
        let (n, m, c) = (self.reg(rdn), self.reg(rm), self.flags.c);
        let shift = |cpu: &mut Cpu, kind: Shift, log: &mut Retired| {
            let (result, carry) = shift_c(n, kind, m & 0xFF, c);
            cpu.set_reg(rdn, result, log);
            cpu.set_nz(result);
            cpu.flags.c = carry;
        };
        // logical ops: N and Z from the result, C and V unchanged
        let logical = |cpu: &mut Cpu, result: u32, log: &mut Retired| {
            cpu.set_reg(rdn, result, log);
            cpu.set_nz(result);
        };
        match op {
            AluOp::And => logical(self, n & m, log),
            AluOp::Eor => logical(self, n ^ m, log),
            AluOp::Orr => logical(self, n | m, log),
            AluOp::Bic => logical(self, n & !m, log),
            AluOp::Mvn => logical(self, !m, log),
            AluOp::Mul => logical(self, n.wrapping_mul(m), log),
            AluOp::Tst => self.set_nz(n & m),
            AluOp::Lsl => shift(self, Shift::Lsl, log),
            AluOp::Lsr => shift(self, Shift::Lsr, log),
            AluOp::Asr => shift(self, Shift::Asr, log),
            AluOp::Ror => shift(self, Shift::Ror, log),
            AluOp::Adc => self.adds(rdn, n, m, c, log),
            AluOp::Sbc => self.adds(rdn, n, !m, c, log),
            // RSBS Rd, Rn, #0: here rdn is Rd and rm is Rn
            AluOp::Rsb => self.adds(rdn, !m, 0, true, log),
            AluOp::Cmp => self.compare(n, !m, true),
            AluOp::Cmn => self.compare(n, m, false),
        }
    }

    fn load_store(
        &mut self,
        op: MemOp,
        rt: u8,
        addr: u32,
        bus: &mut dyn Bus,
        log: &mut Retired,
    ) -> Result<(), FaultKind> {
        let size = op.size();
        if op.is_load() {
            let raw = self.load(addr, size, bus)?;
            let value = match (op.is_signed(), size) {
                (true, 1) => raw as u8 as i8 as i32 as u32,
                (true, _) => raw as u16 as i16 as i32 as u32,
                _ => raw,
            };
            self.set_reg(rt, value, log);
            Ok(())
        } else {
            self.store(addr, size, self.reg(rt), bus, log)
        }
    }

    /// MRS (ARM ARM B4.2.2): SYSm 0-7 xPSR views, 8 MSP, 9 PSP, 16 PRIMASK, 20 CONTROL.
    fn read_special(&self, sysm: u8) -> u32 {
        match sysm {
            0..=7 => {
                let mut value = 0;
                if sysm & 1 == 1 {
                    value |= self.ipsr & 0x3F;
                }
                // EPSR (bit 1) reads as zero
                if sysm & 4 == 0 {
                    value |= self.xpsr() & 0xF800_0000;
                }
                value
            }
            8 => self.msp,
            9 => self.psp,
            16 => self.primask as u32,
            20 => (self.spsel as u32) << 1 | self.npriv as u32,
            _ => 0,
        }
    }

    /// MSR: APSR is always writable; the rest only when privileged. IPSR/EPSR ignore writes.
    fn write_special(&mut self, sysm: u8, value: u32, log: &mut Retired) {
        match sysm {
            // SYSm<2> = 0 selects APSR
            0..=7 if sysm & 4 == 0 => {
                self.flags = Flags {
                    n: value >> 31 == 1,
                    z: value >> 30 & 1 == 1,
                    c: value >> 29 & 1 == 1,
                    v: value >> 28 & 1 == 1,
                };
            }
            0..=7 => {}
            _ if !self.privileged() => {}
            8 => {
                self.msp = value & !3;
                log.reg_writes.push((13, self.msp));
            }
            9 => {
                self.psp = value & !3;
                log.reg_writes.push((15, self.psp));
            }
            16 => self.primask = value & 1 == 1,
            20 => {
                // Cortex-M0 has no unprivileged Thread mode: nPRIV reads as zero, ignores writes
                self.npriv = false;
                // SPSEL is only writable in Thread mode (Handler always uses MSP)
                if self.mode == Mode::Thread {
                    self.spsel = value >> 1 & 1 == 1;
                }
            }
            _ => {}
        }
    }
}

/// Cycle counts of the core contract (zero wait states): Cortex-M0's (TRM table 3-1), except
/// MULS, CPS and SVC, which take 2.
/// `flags` (before execution) decides whether a conditional branch is taken.
pub fn cycles(instr: Instr, flags: Flags) -> u32 {
    use Instr::*;
    match instr {
        AddHi { rdn: 15, .. } | MovHi { rd: 15, .. } => 3,
        LdrLit { .. } | MemReg { .. } | MemImm { .. } => 2,
        Push { list } | Stm { list, .. } | Ldm { list, .. } => 1 + list.count_ones(),
        // POP {..,pc}: 4 + N, N = registers other than PC
        Pop { list } if list >> 15 & 1 == 1 => 4 + list.count_ones() - 1,
        Pop { list } => 1 + list.count_ones(),
        BCond { cond, .. } if condition_passed(cond, flags) => 3,
        BCond { .. } => 1,
        B { .. } | Bx { .. } | Blx { .. } => 3,
        Bl { .. } | Mrs { .. } | Msr { .. } | Barrier(_) => 4,
        Hint(HintOp::Wfi | HintOp::Wfe) => 2,
        // MULS registers its product; CPS and SVC give the SCS's lagging decision a cycle to see
        // the new PRIMASK or the pended SVCall.
        Alu { op: AluOp::Mul, .. } | Cps { .. } | Svc { .. } => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armv6m_shift_c_edges() {
        // LSL by 0/1/31/32/33
        assert_eq!(
            shift_c(0x8000_0001, Shift::Lsl, 0, true),
            (0x8000_0001, true)
        );
        assert_eq!(
            shift_c(0x8000_0001, Shift::Lsl, 1, false),
            (0x0000_0002, true)
        );
        assert_eq!(
            shift_c(0x0000_0003, Shift::Lsl, 31, false),
            (0x8000_0000, true)
        );
        assert_eq!(shift_c(0x0000_0001, Shift::Lsl, 32, false), (0, true));
        assert_eq!(shift_c(0xFFFF_FFFF, Shift::Lsl, 33, true), (0, false));
        // LSR
        assert_eq!(
            shift_c(0x8000_0001, Shift::Lsr, 1, false),
            (0x4000_0000, true)
        );
        assert_eq!(shift_c(0xC000_0000, Shift::Lsr, 31, false), (1, true));
        assert_eq!(shift_c(0x8000_0000, Shift::Lsr, 32, false), (0, true));
        assert_eq!(shift_c(0xFFFF_FFFF, Shift::Lsr, 33, true), (0, false));
        // ASR
        assert_eq!(
            shift_c(0x8000_0001, Shift::Asr, 1, false),
            (0xC000_0000, true)
        );
        assert_eq!(
            shift_c(0x8000_0000, Shift::Asr, 31, false),
            (0xFFFF_FFFF, false)
        );
        assert_eq!(
            shift_c(0x8000_0000, Shift::Asr, 32, false),
            (0xFFFF_FFFF, true)
        );
        assert_eq!(shift_c(0x7FFF_FFFF, Shift::Asr, 33, true), (0, false));
        assert_eq!(
            shift_c(0x8000_0000, Shift::Asr, 200, false),
            (0xFFFF_FFFF, true)
        );
        // ROR: 32 leaves the value and copies bit 31 to C
        assert_eq!(
            shift_c(0x0000_0001, Shift::Ror, 1, false),
            (0x8000_0000, true)
        );
        assert_eq!(
            shift_c(0x8000_0000, Shift::Ror, 32, false),
            (0x8000_0000, true)
        );
        assert_eq!(
            shift_c(0x0000_0002, Shift::Ror, 33, true),
            (0x0000_0001, false)
        );
    }

    #[test]
    fn armv6m_add_with_carry_edges() {
        assert_eq!(add_with_carry(0xFFFF_FFFF, 1, false), (0, true, false));
        assert_eq!(
            add_with_carry(0x7FFF_FFFF, 1, false),
            (0x8000_0000, false, true)
        );
        assert_eq!(
            add_with_carry(0x8000_0000, 0x8000_0000, false),
            (0, true, true)
        );
        // SUB 0 - 1 = x + NOT(y) + 1: borrow -> C = 0
        assert_eq!(add_with_carry(0, !1, true), (0xFFFF_FFFF, false, false));
        assert_eq!(
            add_with_carry(0x8000_0000, !1, true),
            (0x7FFF_FFFF, true, true)
        );
    }

    #[test]
    fn armv6m_conditions() {
        let f = Flags {
            n: true,
            z: false,
            c: true,
            v: false,
        };
        let passed: Vec<bool> = (0..15).map(|c| condition_passed(c, f)).collect();
        // EQ NE CS CC MI PL VS VC HI LS GE LT GT LE AL
        assert_eq!(
            passed,
            [
                false, true, true, false, true, false, false, true, true, false, false, true,
                false, true, true
            ]
        );
    }

    #[test]
    fn armv6m_ram_bus() {
        let mut ram = Ram::new(0x2000_0000, 16);
        ram.write(0x2000_0000, 4, 0x1122_3344).unwrap();
        assert_eq!(ram.read(0x2000_0001, 1), Ok(0x33));
        assert_eq!(ram.read(0x2000_0002, 2), Ok(0x1122));
        assert_eq!(
            ram.read(0x2000_0010, 1),
            Err(BusFault { addr: 0x2000_0010 })
        );
        assert_eq!(
            ram.read(0x1FFF_FFFF, 1),
            Err(BusFault { addr: 0x1FFF_FFFF })
        );
    }
}
