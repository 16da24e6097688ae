//! AES engine (`pluton_aes`): ECB, CBC, CTR and GCM over one cipher core and one GHASH multiplier. See README.md.
//! The CTR_DRBG instantiates the cipher core (`core::AesCore`) on its own.
pub mod core;
pub mod sbox;
crate::reg_front!(front, "aes");
pub use pluton_regs::aes::regs;

pub use self::core::AesCore;

/// What `pluton gen` writes to `rtl/` for this folder (the engine top lands with its RTL).
pub const TOPS: &[crate::gen::IpBlock] = &[];
