//! Wi-Fi arbiter: register map and APB top. See README.md.
pub mod arbiter;
crate::reg_front!(front, "wifi");
pub use pluton_regs::wifi::regs;

pub use arbiter::WifiArbiter;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<WifiArbiter>(&regs::MAP)];
