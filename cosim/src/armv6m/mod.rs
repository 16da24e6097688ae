//! ARMv6-M (Cortex-M0 class) instruction-set simulator: the reference the soft core runs beside in lock-step.

pub mod decode;
pub mod exec;
#[cfg(test)]
mod tests;

pub use decode::{decode16, decode32, Instr};
pub use exec::{Bus, BusFault, Cpu, Event, FaultKind, Flags, Mode, Ram, Retired};
