//! The register maps, master IDs and fuse map: what the HDL and the reference models share; and
//! the project's one list of IPs.
//!
//! Each map stays in its IP's folder (`rust-hdl-src/src/<ip>/regs.rs`, beside the HDL that
//! implements it); this crate compiles those files without rust-hdl, so a model that reads a
//! map never links the HDL. The files keep the paths they use inside `pluton-hdl`
//! (`crate::common::regmap`, `crate::m0sys::regs`, `super::fusemap`), and both crates expose
//! them at the same paths (`pluton_regs::sha256::regs`, `pluton_hdl::sha256::regs`).

/// Every IP, one line each: its folder name, the same under `rust-hdl-src/src/` (HDL and map)
/// and `testbenches/` (bench), then in brackets any file of that folder besides `regs.rs` that
/// the map reads. The order is the generation order: a top comes after the blocks it
/// instantiates, so their modules keep the blocks' names (`share.rs`).
///
/// Adding an IP is its folders plus one line here. `for_each_ip!(m)` calls macro `m` with the
/// list; the crates that need the list (this one, `pluton-hdl` and its build script, the
/// benches) each pass their own `m`.
#[macro_export]
macro_rules! for_each_ip {
    ($then:ident) => {
        $then! {
            sha256,
            firewall,
            wifi,
            otp [fusemap],
            p256,
            trng,
            drbg,
            aes,
            mailbox,
            apb_arb,
            security,
            m0,
            m0sys,
            soc,
        }
    };
}

#[path = "../../src/common/masters.rs"]
#[doc(hidden)]
pub mod masters_map;
#[path = "../../src/common/regmap.rs"]
#[doc(hidden)]
pub mod regmap_types;

pub mod common {
    pub use super::masters_map as masters;
    pub use super::regmap_types as regmap;
}

/// Each IP's `regs.rs` (and the files it reads), at `crate::<ip>::regs`.
macro_rules! map_modules {
    ($($ip:ident $([$($file:ident),*])?),* $(,)?) => {
        #[path = "../../src"]
        #[doc(hidden)]
        pub mod ips {
            $(pub mod $ip {
                pub mod regs;
                $($(pub mod $file;)*)?
            })*
        }
        pub use ips::*;

        /// Every register map, in the list's order (an IP's `regs::MAPS`).
        pub fn maps() -> Vec<&'static common::regmap::RegMap> {
            [$($ip::regs::MAPS),*].concat()
        }
    };
}
for_each_ip!(map_modules);
