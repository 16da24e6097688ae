//! The Pluton-style security subsystem described in RustHDL, and the generator that writes `rtl/`.
pub mod common;
pub mod gen;
pub mod ipxact;
pub mod share;

// One module per IP folder, from the project's one list (`pluton_regs::for_each_ip!`).
macro_rules! ip_modules {
    ($($ip:ident $([$($file:ident),*])?),* $(,)?) => {
        $(pub mod $ip;)*
    };
}
pluton_regs::for_each_ip!(ip_modules);
pub use pluton_regs::for_each_ip;
