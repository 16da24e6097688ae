//! SHA-256 / HMAC-SHA256 engine: register map, compression core and APB top. See README.md.
pub mod core;
pub mod engine;
crate::reg_front!(front, "sha256");
pub use pluton_regs::sha256::regs;

pub use engine::Sha256Engine;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Sha256Engine>(&regs::MAP)];
