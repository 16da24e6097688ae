//! The first system (`pluton_m0sys`): the soft Cortex-M0-class core with ROM, SRAM, an AHB-to-APB bridge, the SHA-256 engine and a UART; and the per-core node it is built from. See README.md.
pub mod bridge;
pub mod decoder;
pub mod node;
pub mod ram;
pub use pluton_regs::m0sys::regs;
pub mod top;
pub mod uart;
crate::reg_front!(uart_front, "uart");

pub use bridge::AhbApbBridge;
pub use decoder::{AhbDecoder, AhbMux};
pub use node::M0Node;
pub use ram::{AhbRam, RamBe32};
pub use top::M0Sys;
pub use uart::Uart;
// The sized-constant helper, for the parts written without `hdl_block!`.
use crate::common::block::c;


/// What `pluton gen` writes to `rtl/` for this folder. The SRAM comes before the system, so the
/// system instantiates the very module its bench tests (`share.rs`).
pub const TOPS: &[crate::gen::IpBlock] = &[
    crate::gen::IpBlock::of::<Uart>(&regs::UART_MAP),
    crate::gen::IpBlock::of::<node::Sram>(&regs::SRAM_MAP),
    crate::gen::IpBlock::of::<M0Sys>(&regs::MAP),
];
