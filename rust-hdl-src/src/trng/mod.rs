//! True random number generator (`pluton_trng`): noise input, SP 800-90B health tests, SHA-256 conditioner, seed port. See README.md.
pub mod cond;
pub mod health;
pub mod trng;
crate::reg_front!(front, "trng");
pub use pluton_regs::trng::regs;

pub use trng::Trng;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Trng>(&regs::MAP)];
