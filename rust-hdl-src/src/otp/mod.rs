//! Key fuses: the OTP controller, its fuse array model and the fuse map.
pub mod ctrl;
/// The register front end generated from `regs::MAP` (by `build.rs`).
pub mod front {
    use rust_hdl::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/otp_front.rs"));
}
pub mod ecc;
pub mod fuse_array;
#[path = "macro.rs"]
pub mod fuse_macro;
pub use pluton_regs::otp::fusemap;
pub use pluton_regs::otp::regs;

pub use ctrl::OtpCtrl;
