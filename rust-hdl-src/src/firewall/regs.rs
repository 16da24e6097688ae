//! Register map of the IO firewall's config page: the single source for RTL, model, docs and header.

use crate::common::regmap::{Bus, Access, Field, RegMap, Register, CsrTest, SEC};

pub const WIN_CFG_OWNER: Field = Field { name: "OWNER", lsb: 0, width: 4, desc: "Master ID that owns the window; only it is forwarded" };
pub const WIN_CFG_NO_READ: Field = Field { name: "NO_READ", lsb: 8, width: 1, desc: "Deny reads, even from the owner (cause RULE)" };
pub const WIN_CFG_NO_WRITE: Field = Field { name: "NO_WRITE", lsb: 9, width: 1, desc: "Deny writes, even from the owner (cause RULE)" };

pub const LOCK_LOCKED: Field = Field { name: "LOCKED", lsb: 0, width: 1, desc: "Writing 1 locks WIN_CFG and LOCK until reset; writing 0 does nothing" };

pub const VIOL_INFO_VALID: Field = Field { name: "VALID", lsb: 0, width: 1, desc: "A violation is logged; drives intr_viol" };
pub const VIOL_INFO_WRITE: Field = Field { name: "WRITE", lsb: 1, width: 1, desc: "The first logged violation was a write" };
pub const VIOL_INFO_CAUSE: Field = Field { name: "CAUSE", lsb: 4, width: 4, desc: "Cause of the first logged violation (CAUSE_* constants)" };
pub const VIOL_INFO_MASTER: Field = Field { name: "MASTER", lsb: 8, width: 4, desc: "pmaster of the first logged violation" };

pub const VIOL_ADDR_ADDR: Field = Field { name: "ADDR", lsb: 0, width: 16, desc: "paddr of the first logged violation" };

pub const ALERT_FATAL: Field = Field { name: "FATAL", lsb: 0, width: 1, desc: "The subsystem's fatal alert (esc input, or this block's own integrity check): every window and every config write is refused (cause FATAL) until reset" };

pub const WIN_CFG: Register = Register { name: "WIN_CFG", offset: 0x000, count: 8, access: Access::Rw, reset: 0, desc: "Window k (paddr[15:12] = k): owner and read/write rules. Writes denied once LOCKED", fields: &[WIN_CFG_OWNER, WIN_CFG_NO_READ, WIN_CFG_NO_WRITE], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const LOCK: Register = Register { name: "LOCK", offset: 0x020, count: 1, access: Access::Rw, reset: 0, desc: "Configuration lock, cleared only by reset. Writes denied once LOCKED", fields: &[LOCK_LOCKED], readers: SEC, writers: SEC, csr: CsrTest::NoWrite("writing 1 locks WIN_CFG and LOCK until reset") };
pub const VIOL_INFO: Register = Register { name: "VIOL_INFO", offset: 0x024, count: 1, access: Access::Rc, reset: 0, desc: "First violation since the last clear. Any write clears VIOL_INFO, VIOL_ADDR and VIOL_COUNT (allowed when locked)", fields: &[VIOL_INFO_VALID, VIOL_INFO_WRITE, VIOL_INFO_CAUSE, VIOL_INFO_MASTER], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const VIOL_ADDR: Register = Register { name: "VIOL_ADDR", offset: 0x028, count: 1, access: Access::Ro, reset: 0, desc: "Address of the first violation since the last clear", fields: &[VIOL_ADDR_ADDR], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const VIOL_COUNT: Register = Register { name: "VIOL_COUNT", offset: 0x02C, count: 1, access: Access::Ro, reset: 0, desc: "Denied transactions since the last clear (saturating)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const ID: Register = Register { name: "ID", offset: 0x030, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };

pub const ALERT: Register = Register { name: "ALERT", offset: 0x034, count: 1, access: Access::Ro, reset: 0, desc: "Alert status (README \"Countermeasures\")", fields: &[ALERT_FATAL], readers: SEC, writers: SEC, csr: CsrTest::Full };

pub const BLOCK_ID: u32 = 0x4657_0100;

/// Upstream window (`paddr[15:12]`) of the config page; 0..7 are the peripherals, 9..15 unmapped.
pub const CFG_WINDOW: u32 = 8;
/// Number of peripheral windows.
pub const WINDOWS: u32 = 8;

pub use crate::common::masters::{MASTER_APP, MASTER_IO0, MASTER_IO1, MASTER_SEC};

pub const CAUSE_NONE: u32 = 0;
pub const CAUSE_NOT_OWNER: u32 = 1;
pub const CAUSE_RULE: u32 = 2;
pub const CAUSE_CFG_MASTER: u32 = 3;
pub const CAUSE_CFG_LOCKED: u32 = 4;
pub const CAUSE_UNMAPPED: u32 = 5;
pub const CAUSE_STRB: u32 = 6;
pub const CAUSE_ACCESS: u32 = 7;
pub const CAUSE_PROTOCOL: u32 = 8;
pub const CAUSE_FATAL: u32 = 9;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "firewall",
    module: "pluton_firewall",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "IO firewall: per-window master ownership and read/write rules between the cores and 8 APB peripherals; config page at window 8",
    regs: &[WIN_CFG, LOCK, VIOL_INFO, VIOL_ADDR, VIOL_COUNT, ID, ALERT],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        CFG_WINDOW => "paddr[15:12] of this config page (16-bit upstream address)",
        WINDOWS => "Peripheral windows, paddr[15:12] = 0..7",
        MASTER_SEC => "Security core: the only master allowed on the config page",
        MASTER_APP => "Application core",
        MASTER_IO0 => "I/O core 0",
        MASTER_IO1 => "I/O core 1",
        CAUSE_NONE => "No violation",
        CAUSE_NOT_OWNER => "Peripheral window accessed by a master that does not own it",
        CAUSE_RULE => "Owner read with NO_READ or write with NO_WRITE",
        CAUSE_CFG_MASTER => "Config page accessed by a master other than the security core",
        CAUSE_CFG_LOCKED => "WIN_CFG or LOCK written while LOCKED",
        CAUSE_UNMAPPED => "Window 9..15, or a config offset that is unmapped or not word aligned",
        CAUSE_STRB => "Config write with PSTRB != 0b1111",
        CAUSE_ACCESS => "Write to a read-only config register",
        CAUSE_PROTOCOL => "Config page access breaking the APB protocol: access phase without setup, request changed in a wait state (the page never waits), or the first access after an abandoned transfer",
        CAUSE_FATAL => "The subsystem's fatal alert is up: every peripheral access and every config write is refused until reset",
    ],
};
