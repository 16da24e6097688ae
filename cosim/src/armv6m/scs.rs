//! The System Control Space model (NVIC, SysTick, SCB) of the core contract, advanced cycle by cycle from the IRQ/NMI/RXEV inputs.

use std::fmt;
use std::sync::Arc;

pub const NMI: u32 = 2;
pub const HARD_FAULT: u32 = 3;
pub const SVCALL: u32 = 11;
pub const PENDSV: u32 = 14;
pub const SYSTICK: u32 = 15;
/// Exception number of IRQ 0.
pub const IRQ0: u32 = 16;

pub const SCS_BASE: u32 = 0xE000_E000;
pub const SCS_END: u32 = 0xE000_EFFF;
/// Interrupt Control and State Register.
pub const ICSR: u32 = 0xE000_ED04;
/// CPUID of a Cortex-M0 r0p0, so existing start-up code recognises the core.
pub const CPUID: u32 = 0x410C_C200;

/// The core's interrupt inputs over time: the value during `cycle` (sampled at the rising edge
/// that ends it). Cycle 0 is the cycle in which the first instruction starts.
pub trait IrqSource {
    /// (IRQ lines, NMI, RXEV) during `cycle`: one call per cycle, since a source may lock.
    fn at(&self, cycle: u64) -> (u32, bool, bool);
}

/// A shared input source (the harness drives the RTL's pins from the same one).
#[derive(Clone)]
pub struct Inputs(pub Arc<dyn IrqSource + Send + Sync>);

impl fmt::Debug for Inputs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Inputs(..)")
    }
}

/// NVIC, SysTick and SCB state.
#[derive(Clone, Debug, Default)]
pub struct Scs {
    /// Edges up to the end of cycle `time - 1` have been applied: this is the state during `time`.
    pub time: u64,
    pub inputs: Option<Inputs>,
    pub irq_enable: u32,
    pub irq_pending: u32,
    pub irq_active: u32,
    /// 2-bit priority per IRQ.
    pub irq_prio: [u8; 32],
    pub nmi_pending: bool,
    pub nmi_active: bool,
    nmi_prev: bool,
    pub hf_active: bool,
    /// Pending and active bits of SVCall, PendSV, SysTick (index 0, 1, 2).
    pub sys_pending: [bool; 3],
    pub sys_active: [bool; 3],
    pub sys_prio: [u8; 3],
    pub syst_enable: bool,
    pub syst_tickint: bool,
    pub syst_countflag: bool,
    pub syst_rvr: u32,
    pub syst_cvr: u32,
    pub sleepdeep: bool,
    pub sevonpend: bool,
    pub sysresetreq: bool,
    /// The WFE event register.
    pub event: bool,
}

fn sys_index(n: u32) -> Option<usize> {
    match n {
        SVCALL => Some(0),
        PENDSV => Some(1),
        SYSTICK => Some(2),
        _ => None,
    }
}

impl Scs {
    /// Applies the rising edges that end cycles `time..until`.
    pub fn advance_to(&mut self, until: u64) {
        if until <= self.time {
            return;
        }
        let Some(inputs) = self.inputs.clone() else {
            self.advance_systick(until - self.time);
            self.time = until;
            return;
        };
        while self.time < until {
            let c = self.time;
            let (lines, nmi, rxev) = inputs.0.at(c);
            self.set_irq_pending(lines & !self.irq_active);
            if nmi && !self.nmi_prev {
                self.set_nmi_pending();
            }
            self.nmi_prev = nmi;
            if rxev {
                self.event = true;
            }
            self.advance_systick(1);
            self.time += 1;
        }
    }

    /// `edges` SysTick clock edges without inputs (arithmetic, not a loop).
    fn advance_systick(&mut self, mut edges: u64) {
        if !self.syst_enable || edges == 0 {
            return;
        }
        // From CVR: CVR edges count it down to 0 (the 1 -> 0 step fires); at 0 it reloads.
        while edges > 0 {
            if self.syst_cvr == 0 {
                self.syst_cvr = self.syst_rvr;
                edges -= 1;
                if self.syst_rvr == 0 {
                    return; // RVR 0: the counter stays at 0 and never fires
                }
                continue;
            }
            let steps = edges.min(self.syst_cvr as u64);
            self.syst_cvr -= steps as u32;
            edges -= steps;
            if self.syst_cvr == 0 {
                self.syst_countflag = true;
                if self.syst_tickint {
                    self.set_sys_pending(SYSTICK);
                }
            }
        }
    }

    fn set_irq_pending(&mut self, bits: u32) {
        let new = bits & !self.irq_pending;
        self.irq_pending |= bits;
        if new != 0 && self.sevonpend {
            self.event = true;
        }
    }

    fn set_nmi_pending(&mut self) {
        if !self.nmi_pending && self.sevonpend {
            self.event = true;
        }
        self.nmi_pending = true;
    }

    pub fn set_sys_pending(&mut self, n: u32) {
        let i = sys_index(n).expect("a system exception");
        if !self.sys_pending[i] && self.sevonpend {
            self.event = true;
        }
        self.sys_pending[i] = true;
    }

    /// Priority of exception `n` (NMI -2, HardFault -1, others 0..3).
    pub fn priority(&self, n: u32) -> i32 {
        match n {
            NMI => -2,
            HARD_FAULT => -1,
            n if n >= IRQ0 => self.irq_prio[(n - IRQ0) as usize] as i32,
            n => sys_index(n).map_or(4, |i| self.sys_prio[i] as i32),
        }
    }

    /// Execution priority from the active exceptions, ignoring PRIMASK (4 = nothing active).
    pub fn active_priority(&self) -> i32 {
        if self.nmi_active {
            return -2;
        }
        if self.hf_active {
            return -1;
        }
        let mut p = 4;
        for i in 0..3 {
            if self.sys_active[i] {
                p = p.min(self.sys_prio[i] as i32);
            }
        }
        for i in 0..32 {
            if self.irq_active >> i & 1 == 1 {
                p = p.min(self.irq_prio[i] as i32);
            }
        }
        p
    }

    /// The pending exception that wins (lowest priority value, then lowest number), with its priority.
    pub fn winner(&self) -> Option<(u32, i32)> {
        let mut best: Option<(u32, i32)> = None;
        let mut consider = |n: u32, p: i32| {
            if best.is_none_or(|(_, bp)| p < bp) {
                best = Some((n, p));
            }
        };
        if self.nmi_pending {
            consider(NMI, -2);
        }
        for (i, n) in [SVCALL, PENDSV, SYSTICK].into_iter().enumerate() {
            if self.sys_pending[i] {
                consider(n, self.sys_prio[i] as i32);
            }
        }
        let ready = self.irq_pending & self.irq_enable;
        for i in 0..32 {
            if ready >> i & 1 == 1 {
                consider(IRQ0 + i, self.irq_prio[i as usize] as i32);
            }
        }
        best
    }

    /// Marks `n` active and no longer pending (entry at E9).
    pub fn acknowledge(&mut self, n: u32) {
        match n {
            NMI => {
                self.nmi_pending = false;
                self.nmi_active = true;
            }
            HARD_FAULT => self.hf_active = true,
            n if n >= IRQ0 => {
                let bit = 1 << (n - IRQ0);
                self.irq_pending &= !bit;
                self.irq_active |= bit;
            }
            n => {
                let i = sys_index(n).expect("a configurable exception");
                self.sys_pending[i] = false;
                self.sys_active[i] = true;
            }
        }
    }

    /// `n` is no longer active (exception return).
    pub fn deactivate(&mut self, n: u32) {
        match n {
            NMI => self.nmi_active = false,
            HARD_FAULT => self.hf_active = false,
            n if n >= IRQ0 && n < IRQ0 + 32 => self.irq_active &= !(1 << (n - IRQ0)),
            n => {
                if let Some(i) = sys_index(n) {
                    self.sys_active[i] = false;
                }
            }
        }
    }

    /// A word read of SCS register `addr` (state as during the current `time`).
    pub fn read(&mut self, addr: u32, ipsr: u32) -> u32 {
        match addr {
            0xE000_E010 => {
                let v = self.syst_enable as u32 | (self.syst_tickint as u32) << 1 | 1 << 2 | (self.syst_countflag as u32) << 16;
                self.syst_countflag = false;
                v
            }
            0xE000_E014 => self.syst_rvr,
            0xE000_E018 => self.syst_cvr,
            0xE000_E01C => 0xC000_0000,
            0xE000_E100 | 0xE000_E180 => self.irq_enable,
            0xE000_E200 | 0xE000_E280 => self.irq_pending,
            0xE000_E400..=0xE000_E41C => {
                let base = ((addr - 0xE000_E400) / 4 * 4) as usize;
                (0..4).fold(0, |v, i| v | (self.irq_prio[base + i] as u32) << (8 * i + 6))
            }
            0xE000_ED00 => CPUID,
            0xE000_ED04 => {
                let pending_vec = self.winner().map_or(0, |(n, _)| n);
                (self.nmi_pending as u32) << 31
                    | (self.sys_pending[1] as u32) << 28
                    | (self.sys_pending[2] as u32) << 26
                    | ((self.irq_pending & self.irq_enable != 0) as u32) << 22
                    | (pending_vec & 0x1FF) << 12
                    | (ipsr & 0x3F)
            }
            0xE000_ED0C => 0xFA05_0000,
            0xE000_ED10 => (self.sleepdeep as u32) << 2 | (self.sevonpend as u32) << 4,
            0xE000_ED14 => 0x0000_0208,
            0xE000_ED1C => (self.sys_prio[0] as u32) << 30,
            0xE000_ED20 => (self.sys_prio[2] as u32) << 30 | (self.sys_prio[1] as u32) << 22,
            _ => 0,
        }
    }

    /// A word write (applied after the edge that ends its data-phase cycle).
    pub fn write(&mut self, addr: u32, v: u32) {
        match addr {
            0xE000_E010 => {
                self.syst_enable = v & 1 == 1;
                self.syst_tickint = v >> 1 & 1 == 1;
            }
            0xE000_E014 => self.syst_rvr = v & 0x00FF_FFFF,
            0xE000_E018 => {
                self.syst_cvr = 0;
                self.syst_countflag = false;
            }
            0xE000_E100 => self.irq_enable |= v,
            0xE000_E180 => self.irq_enable &= !v,
            0xE000_E200 => self.set_irq_pending(v),
            0xE000_E280 => self.irq_pending &= !v,
            0xE000_E400..=0xE000_E41C => {
                let base = ((addr - 0xE000_E400) / 4 * 4) as usize;
                for i in 0..4 {
                    self.irq_prio[base + i] = (v >> (8 * i + 6) & 3) as u8;
                }
            }
            0xE000_ED04 => {
                if v >> 31 & 1 == 1 {
                    self.set_nmi_pending();
                }
                if v >> 27 & 1 == 1 {
                    self.sys_pending[1] = false;
                } else if v >> 28 & 1 == 1 {
                    self.set_sys_pending(PENDSV);
                }
                if v >> 25 & 1 == 1 {
                    self.sys_pending[2] = false;
                } else if v >> 26 & 1 == 1 {
                    self.set_sys_pending(SYSTICK);
                }
            }
            0xE000_ED0C => {
                if v >> 16 == 0x05FA && v >> 2 & 1 == 1 {
                    self.sysresetreq = true;
                }
            }
            0xE000_ED10 => {
                self.sleepdeep = v >> 2 & 1 == 1;
                self.sevonpend = v >> 4 & 1 == 1;
            }
            0xE000_ED1C => self.sys_prio[0] = (v >> 30) as u8,
            0xE000_ED20 => {
                self.sys_prio[2] = (v >> 30) as u8;
                self.sys_prio[1] = (v >> 22 & 3) as u8;
            }
            _ => {}
        }
    }
}
