//! P-256 engine (`pluton_p256`): ECDSA sign and verify, ECDH and public keys, microcoded. See README.md.
pub mod arith;
pub mod engine;
pub mod ucode;
crate::reg_front!(front, "p256");
pub use pluton_regs::p256::regs;

pub use engine::P256;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<P256>(&regs::MAP)];
