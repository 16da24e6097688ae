//! The two-core system (`pluton_soc`): security core and application core sharing the security subsystem and a mailbox. See README.md.
pub use pluton_regs::soc::regs;
pub mod top;

pub use top::Soc;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Soc>(&regs::MAP)];
