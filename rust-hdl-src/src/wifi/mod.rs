//! Wi-Fi arbiter: register map and APB top. See README.md.
pub mod arbiter;
pub mod regs;

pub use arbiter::WifiArbiter;
