//! Inter-core mailbox (`pluton_mailbox`): doorbell message buffers between the security core and the application core. See README.md.
pub mod mailbox;
pub use pluton_regs::mailbox::regs;

pub use mailbox::Mailbox;
