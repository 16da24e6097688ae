//! Reference models of the Pluton blocks and the lock-step checker that runs a model beside the RTL.

pub mod apb_arb;
pub mod apb_guard;
pub mod fuse_image;
pub mod compose;
pub mod aes_model;
pub mod ctr_drbg;
pub mod drbg_model;
pub mod armv6m;
pub mod lockstep;
pub mod mailbox;
pub mod noise;
pub mod sha256;
pub mod firewall;
pub mod wifi;
pub mod otp;
pub mod pipelined;
pub mod p256;
pub mod p256_model;
pub mod ports;
pub mod security;
pub mod sp800_90b;
pub mod trng;

pub mod test_apb;

pub use lockstep::{Flipped, LockStep, Mismatch};
pub use pipelined::PipelinedLockStep;
pub use sha256::Sha256Model;
pub use firewall::FirewallModel;
pub use wifi::WifiModel;
pub use otp::OtpModel;
pub use mailbox::MailboxModel;
pub use apb_arb::ApbArbModel;
pub use p256_model::P256Model;
pub use trng::TrngModel;
pub use drbg_model::DrbgModel;
pub use aes_model::AesModel;
pub use security::security_model;

/// The parity carried with a sideload key (`key_par`, issue 11 B): bit i is the XOR of the 32 bits
/// of key word i.
pub fn key_parity(words: &[u32]) -> u32 {
    words.iter().enumerate().fold(0, |p, (i, w)| p | (w.count_ones() & 1) << i)
}
