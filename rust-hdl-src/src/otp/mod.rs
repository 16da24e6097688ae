//! Key fuses: the OTP controller, its fuse array model and the fuse map.
pub mod ctrl;
crate::reg_front!(front, "otp");
pub mod ecc;
pub mod fuse_array;
#[path = "macro.rs"]
pub mod fuse_macro;
pub use pluton_regs::otp::fusemap;
pub use pluton_regs::otp::regs;

pub use ctrl::OtpCtrl;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<OtpCtrl>(&regs::MAP)];
