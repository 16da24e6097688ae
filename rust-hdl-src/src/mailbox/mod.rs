//! Inter-core mailbox (`pluton_mailbox`): doorbell message buffers between the security core and the application core. See README.md.
pub mod mailbox;
crate::reg_front!(front, "mailbox");
pub use pluton_regs::mailbox::regs;

pub use mailbox::Mailbox;

/// What `pluton gen` writes to `rtl/` for this folder.
pub const TOPS: &[crate::gen::IpBlock] = &[crate::gen::IpBlock::of::<Mailbox>(&regs::MAP)];
