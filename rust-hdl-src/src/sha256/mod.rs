//! SHA-256 / HMAC-SHA256 engine: register map, compression core and APB top. See README.md.
pub mod core;
pub mod engine;
pub use pluton_regs::sha256::regs;

pub use engine::Sha256Engine;
