//! Inter-core mailbox (`pluton_mailbox`): doorbell message buffers between the security core and the application core. See README.md.
pub mod mailbox;
/// The register front end generated from `regs::MAP` (by `build.rs`).
pub mod front {
    use rust_hdl::prelude::*;
    include!(concat!(env!("OUT_DIR"), "/mailbox_front.rs"));
}
pub use pluton_regs::mailbox::regs;

pub use mailbox::Mailbox;
