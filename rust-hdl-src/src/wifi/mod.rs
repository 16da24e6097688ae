//! Wi-Fi arbiter: register map and APB top. See README.md.
pub mod arbiter;
pub use pluton_regs::wifi::regs;

pub use arbiter::WifiArbiter;
