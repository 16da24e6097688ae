//! The Pluton-style security subsystem described in RustHDL, and the generator that writes `rtl/`.
pub mod common;
pub mod gen;
pub mod sha256;
