//! Soft Cortex-M0-class core (`pluton_m0`): ARMv6-M Thumb, AHB-Lite master, NVIC/SysTick/SCB. See README.md.
pub mod core;
pub mod decode;
pub use pluton_regs::m0::regs;
pub mod scs;

pub use self::core::M0Core;
pub use self::scs::M0Scs;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<M0Core>(&regs::MAP)];
