//! Soft Cortex-M0-class core (`pluton_m0`): ARMv6-M Thumb, AHB-Lite master, NVIC/SysTick/SCB. See README.md.
pub mod core;
#[path = "scs_stub.rs"]
pub mod scs;

pub use self::core::M0Core;
