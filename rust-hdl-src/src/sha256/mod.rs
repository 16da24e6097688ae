//! SHA-256 / HMAC-SHA256 engine: register map, compression core and APB top. See README.md.
pub mod core;
pub mod engine;
/// The register front end generated from `regs::MAP` (by `build.rs`).
pub mod front {
    use rust_hdl::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/sha256_front.rs"));
}
pub use pluton_regs::sha256::regs;

pub use engine::Sha256Engine;
