//! Two-requester APB4 arbiter (`pluton_apb_arb`): two cores' bridges onto one completer port. See README.md.
pub mod arb;
pub use pluton_regs::apb_arb::regs;

pub use arb::ApbArb;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<ApbArb>(&regs::MAP)];
