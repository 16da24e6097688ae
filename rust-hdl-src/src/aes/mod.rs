//! AES: the cipher core (`core::AesCore`) and its S-boxes. No register map yet: the AES-GCM
//! engine and the CTR_DRBG instantiate the core.
pub mod core;
pub mod sbox;

pub use self::core::AesCore;
