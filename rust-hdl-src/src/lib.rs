//! The Pluton-style security subsystem described in RustHDL, and the generator that writes `rtl/`.
pub mod apb_arb;
pub mod common;
pub mod firewall;
pub mod gen;
pub mod m0;
pub mod m0sys;
pub mod mailbox;
pub mod otp;
pub mod security;
pub mod share;
pub mod sha256;
pub mod soc;
pub mod wifi;
