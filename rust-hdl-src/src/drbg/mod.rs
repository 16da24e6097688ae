//! CTR_DRBG (`pluton_drbg`): SP 800-90A, AES-256, no derivation function. See README.md.
pub use pluton_regs::drbg::regs;
