//! CTR_DRBG (`pluton_drbg`): SP 800-90A, AES-256, no derivation function. See README.md.
pub mod drbg;
pub mod port;
crate::reg_front!(front, "drbg");
pub use pluton_regs::drbg::regs;

pub use drbg::Drbg;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Drbg>(&regs::MAP)];
