//! The register maps, master IDs and fuse map: what the HDL and the reference models share.
//!
//! Each map stays in its IP's folder (`rust-hdl-src/src/<ip>/regs.rs`, beside the HDL that
//! implements it); this crate compiles those files without rust-hdl, so a model that reads a
//! map never links the HDL. `pluton-hdl` re-exports every module at its old path
//! (`pluton_hdl::sha256::regs`, `pluton_hdl::common::regmap`, ...), and the files keep the paths
//! they use inside `pluton-hdl` (`crate::common::regmap`, `crate::m0sys::regs`, `super::fusemap`).

#[path = "../../src/common/masters.rs"]
#[doc(hidden)]
pub mod masters_map;
#[path = "../../src/common/regmap.rs"]
#[doc(hidden)]
pub mod regmap_types;
// At the crate root because `otp/regs.rs` reaches it as `super::fusemap`.
#[path = "../../src/otp/fusemap.rs"]
#[doc(hidden)]
pub mod fusemap;

pub mod common {
    pub use super::masters_map as masters;
    pub use super::regmap_types as regmap;
}

#[path = "../../src/apb_arb/regs.rs"]
#[doc(hidden)]
pub mod apb_arb_regs;
pub mod apb_arb {
    pub use super::apb_arb_regs as regs;
}

#[path = "../../src/firewall/regs.rs"]
#[doc(hidden)]
pub mod firewall_regs;
pub mod firewall {
    pub use super::firewall_regs as regs;
}

#[path = "../../src/m0/regs.rs"]
#[doc(hidden)]
pub mod m0_regs;
pub mod m0 {
    pub use super::m0_regs as regs;
}

#[path = "../../src/m0sys/regs.rs"]
#[doc(hidden)]
pub mod m0sys_regs;
pub mod m0sys {
    pub use super::m0sys_regs as regs;
}

#[path = "../../src/mailbox/regs.rs"]
#[doc(hidden)]
pub mod mailbox_regs;
pub mod mailbox {
    pub use super::mailbox_regs as regs;
}

#[path = "../../src/otp/regs.rs"]
#[doc(hidden)]
pub mod otp_regs;
pub mod otp {
    pub use super::otp_regs as regs;
    pub use super::fusemap;
}

#[path = "../../src/security/regs.rs"]
#[doc(hidden)]
pub mod security_regs;
pub mod security {
    pub use super::security_regs as regs;
}

#[path = "../../src/sha256/regs.rs"]
#[doc(hidden)]
pub mod sha256_regs;
pub mod sha256 {
    pub use super::sha256_regs as regs;
}

#[path = "../../src/soc/regs.rs"]
#[doc(hidden)]
pub mod soc_regs;
pub mod soc {
    pub use super::soc_regs as regs;
}

#[path = "../../src/wifi/regs.rs"]
#[doc(hidden)]
pub mod wifi_regs;
pub mod wifi {
    pub use super::wifi_regs as regs;
}
