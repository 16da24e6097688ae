//! P-256 engine (`pluton_p256`): ECDSA sign and verify, ECDH and public keys, microcoded. See README.md.
pub mod ucode;
