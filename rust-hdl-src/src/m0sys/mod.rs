//! The first system (`pluton_m0sys`): the soft Cortex-M0-class core with ROM, SRAM, an AHB-to-APB bridge, the SHA-256 engine and a UART; and the per-core node it is built from. See README.md.
pub mod bridge;
pub mod decoder;
pub mod node;
pub mod ram;
pub use pluton_regs::m0sys::regs;
pub mod top;
pub mod uart;
/// The UART's register front end generated from `regs::UART_MAP` (by `build.rs`).
pub mod uart_front {
    use rust_hdl::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/uart_front.rs"));
}

pub use bridge::AhbApbBridge;
pub use decoder::{AhbDecoder, AhbMux};
pub use node::M0Node;
pub use ram::{AhbRam, RamBe32};
pub use top::M0Sys;
pub use uart::Uart;


use crate::common::block::c;
