//! ARMv6-M (Cortex-M0 class) instruction-set simulator: the reference the soft core runs beside in lock-step.
//!
//! Written from the ARMv6-M Architecture Reference Manual and the core contract
//! (`rust-hdl-src/src/m0/README.md`), not from the HDL. Each `Cpu::step` returns one record,
//! an instruction or an exception entry, with its register and memory writes and its cycles:
//!
//! ```ignore
//! let mut cpu = Cpu::new();
//! cpu.set_irq_source(plan);           // optional: cycle-exact IRQ/NMI/RXEV inputs
//! cpu.reset(&mut memory)?;
//! loop {
//!     let r = cpu.step(&mut memory);  // r.exc: Some(n) for an entry, None for an instruction
//!     if let Event::Breakpoint(0xAB) = r.event { /* semihosting */ cpu.resume_from_halt(); }
//! }
//! ```

pub mod decode;
pub mod exec;
pub mod scs;
#[cfg(test)]
mod tests;

pub use decode::{decode16, decode32, Instr};
pub use exec::{Bus, BusFault, Cpu, Event, FaultKind, Flags, Mode, Ram, Retired};
pub use scs::{IrqSource, Scs};
