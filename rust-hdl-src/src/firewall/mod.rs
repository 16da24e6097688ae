//! IO firewall: per-window master ownership between the cores and 8 APB peripherals. See README.md.
pub mod top;
pub use pluton_regs::firewall::regs;

pub use top::Firewall;
