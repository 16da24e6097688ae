//! The security subsystem top: firewall in front of the SHA-256/HMAC engine, the key fuses and the Wi-Fi arbiter. See README.md.
pub use pluton_regs::security::regs;
pub mod top;

pub use top::Security;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Security>(&regs::MAP)];
