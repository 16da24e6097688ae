//! Key fuses: the OTP controller, its fuse array model and the fuse map.
pub mod ctrl;
pub mod ecc;
#[path = "macro.rs"]
pub mod fuse_macro;
pub mod fusemap;
pub mod regs;

pub use ctrl::OtpCtrl;
