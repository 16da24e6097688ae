//! Inter-core mailbox (`pluton_mailbox`): doorbell message buffers between the security core and the application core. See README.md.
pub mod mailbox;
pub mod regs;

pub use mailbox::Mailbox;
