//! AES engine (`pluton_aes`, `pluton_aes_masked`): ECB, CBC, CTR and GCM over one cipher core and one GHASH unit. See README.md.
//! The CTR_DRBG instantiates the unmasked cipher core (`core::AesCore`) on its own; the masked
//! engine uses `masked::AesMaskedCore` with the mask generator `prng::MaskPrng`.
pub mod core;
pub mod engine;
pub mod ghash;
pub mod masked;
pub mod prng;
pub mod sbox;
crate::reg_front!(front, "aes");
pub use pluton_regs::aes::regs;

pub use self::core::AesCore;
pub use engine::{AesEngine, AesEngineMasked};

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[
    crate::gen::IpBlock::of::<AesEngine>(&regs::MAP),
    crate::gen::IpBlock::of::<AesEngineMasked>(&regs::MAP_MASKED),
];
