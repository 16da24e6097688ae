//! IO firewall: per-window master ownership between the cores and 8 APB peripherals. See README.md.
pub mod top;
crate::reg_front!(front, "firewall");
pub use pluton_regs::firewall::regs;

pub use top::Firewall;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Firewall>(&regs::MAP)];
