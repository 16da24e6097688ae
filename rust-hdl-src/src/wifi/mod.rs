//! Wi-Fi arbiter: register map and APB top. See README.md.
pub mod arbiter;
/// The register front end generated from `regs::MAP` (by `build.rs`).
pub mod front {
    use rust_hdl::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/wifi_front.rs"));
}
pub use pluton_regs::wifi::regs;

pub use arbiter::WifiArbiter;
