//! AES engine (`pluton_aes`): ECB, CBC, CTR and GCM over one cipher core and one GHASH unit. See README.md.
//! The CTR_DRBG instantiates the cipher core (`core::AesCore`) on its own. `masked::AesMaskedCore`
//! is a first-order masked (DOM) variant of the core, not yet used by the engine.
pub mod core;
pub mod engine;
pub mod ghash;
pub mod masked;
pub mod sbox;
crate::reg_front!(front, "aes");
pub use pluton_regs::aes::regs;

pub use self::core::AesCore;
pub use engine::AesEngine;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<AesEngine>(&regs::MAP)];
