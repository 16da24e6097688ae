//! Register map of the true random number generator (`pluton_trng`): the single source for RTL, model, docs and header.

use crate::common::regmap::{Access, Bus, CsrTest, Field, RegMap, Register, ANY, SEC};
pub use crate::common::regmap::apb_common::*;

pub use crate::common::masters::{MASTER_APP, MASTER_SEC};

pub const STATUS_ENABLED: Field = Field { name: "ENABLED", lsb: 0, width: 1, desc: "CTRL.ENABLE is set" };
pub const STATUS_STARTUP: Field = Field { name: "STARTUP", lsb: 1, width: 1, desc: "The startup test runs: the first APT_WINDOW raw bits after enable or CLEAR_ALARM are tested and discarded" };
pub const STATUS_READY: Field = Field { name: "READY", lsb: 2, width: 1, desc: "Startup passed and no alarm: tested bits flow to the conditioner (or RAW_DATA)" };
pub const STATUS_ALARM_RCT: Field = Field { name: "ALARM_RCT", lsb: 3, width: 1, desc: "The Repetition Count Test failed (sticky until CMD.CLEAR_ALARM or reset)" };
pub const STATUS_ALARM_APT: Field = Field { name: "ALARM_APT", lsb: 4, width: 1, desc: "The Adaptive Proportion Test failed (sticky until CMD.CLEAR_ALARM or reset)" };
pub const STATUS_RAW_VALID: Field = Field { name: "RAW_VALID", lsb: 5, width: 1, desc: "RAW_DATA holds a word" };
pub const STATUS_RAW_OVF: Field = Field { name: "RAW_OVF", lsb: 6, width: 1, desc: "A raw word was lost because RAW_DATA was still full: the words read since enable are not one contiguous sequence (sticky until the next enable)" };
pub const STATUS_SEED_VALID: Field = Field { name: "SEED_VALID", lsb: 7, width: 1, desc: "A seed waits on the seed port for the DRBG" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 8, width: 1, desc: "ERR_INFO holds a logged bus error" };
pub const STATUS_DEAD: Field = Field { name: "DEAD", lsb: 9, width: 1, desc: "Escalation or an integrity fault has wiped the block; it stays off until reset" };

pub const CTRL_ENABLE: Field = Field { name: "ENABLE", lsb: 0, width: 1, desc: "1: sample the noise source, run the startup test, then the continuous tests and the conditioner. 0: stop and wipe the conditioner, the seed and RAW_DATA (alarms and statistics stay)" };
pub const CTRL_RAW_MODE: Field = Field { name: "RAW_MODE", lsb: 1, width: 1, desc: "Tested raw bits go to RAW_DATA instead of the conditioner (characterization). Refused (ERR_LC) unless the life cycle allows it (raw_en)" };

pub const CMD_CLEAR_ALARM: Field = Field { name: "CLEAR_ALARM", lsb: 0, width: 1, desc: "Clear ALARM_RCT and ALARM_APT; if enabled, run the startup test again. The value must be exactly 1" };

pub const APT_CUTOFF_CUTOFF: Field = Field { name: "CUTOFF", lsb: 0, width: 16, desc: "APT fails when the window's first bit has occurred this many times in the window" };
pub const APT_CUTOFF_WINDOW: Field = Field { name: "WINDOW", lsb: 16, width: 16, desc: "APT window W, in raw bits" };

pub const ID: Register = Register { name: "ID", offset: 0x000, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version (any master)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x004, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x008, count: 1, access: Access::Ro, reset: 0, desc: "Source state", fields: &[STATUS_ENABLED, STATUS_STARTUP, STATUS_READY, STATUS_ALARM_RCT, STATUS_ALARM_APT, STATUS_RAW_VALID, STATUS_RAW_OVF, STATUS_SEED_VALID, STATUS_ERR, STATUS_DEAD], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const CTRL: Register = Register { name: "CTRL", offset: 0x00C, count: 1, access: Access::Rw, reset: 0, desc: "Enable and mode. While enabled, only a write that clears ENABLE is taken (ERR_BUSY otherwise); bits 31:2 must be 0 (ERR_VALUE)", fields: &[CTRL_ENABLE, CTRL_RAW_MODE], readers: SEC, writers: SEC, csr: CsrTest::Legal(&[1, 0], "ENABLE = 1 while enabled is ERR_BUSY; RAW_MODE = 1 needs raw_en, which the CSR tests hold low") };
pub const CMD: Register = Register { name: "CMD", offset: 0x010, count: 1, access: Access::Wo, reset: 0, desc: "Commands", fields: &[CMD_CLEAR_ALARM], readers: SEC, writers: SEC, csr: CsrTest::NoWrite("clears alarms and restarts the startup test") };
pub const RAW_DATA: Register = Register { name: "RAW_DATA", offset: 0x014, count: 1, access: Access::Ro, reset: 0, desc: "In RAW_MODE: the next 32 health-tested raw bits, the oldest in bit 0. A read takes the word (RAW_VALID drops); ERR_EMPTY when none waits", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Live("a read pops the waiting word; ERR_EMPTY when none waits") };
pub const RCT_CUTOFF: Register = Register { name: "RCT_CUTOFF", offset: 0x018, count: 1, access: Access::Ro, reset: RCT_CUTOFF_VALUE, desc: "RCT fails when this many identical raw bits come in a row (H and alpha in the README)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const APT_CUTOFF: Register = Register { name: "APT_CUTOFF", offset: 0x01C, count: 1, access: Access::Ro, reset: APT_CUTOFF_VALUE | APT_WINDOW << 16, desc: "APT cutoff and window", fields: &[APT_CUTOFF_CUTOFF, APT_CUTOFF_WINDOW], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const RCT_MAX_RUN: Register = Register { name: "RCT_MAX_RUN", offset: 0x020, count: 1, access: Access::Ro, reset: 0, desc: "Longest run of identical raw bits seen since enable (saturates at RCT_CUTOFF)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const APT_MAX_COUNT: Register = Register { name: "APT_MAX_COUNT", offset: 0x024, count: 1, access: Access::Ro, reset: 0, desc: "Highest count of a window's first bit seen in any APT window since enable", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SAMPLES: Register = Register { name: "SAMPLES", offset: 0x028, count: 1, access: Access::Ro, reset: 0, desc: "Raw bits tested since enable (saturates at 2^32 - 1)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SEEDS: Register = Register { name: "SEEDS", offset: 0x02C, count: 1, access: Access::Ro, reset: 0, desc: "Seeds taken by the DRBG since enable (wraps)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };

/// May master `pmaster` read (`write = false`) or write register `reg`?
pub fn allowed(reg: &Register, pmaster: u32, write: bool) -> bool {
    reg.allows(pmaster, write)
}

pub const BLOCK_ID: u32 = 0x5452_0100;

/// The health tests' parameters (README "Health tests"): claimed min-entropy H = 0.5 bit per raw
/// bit, false-alarm probability 2^-20 per test. The model's tests recompute both cutoffs from
/// H and alpha (`cosim::sp800_90b`) and compare.
pub const RCT_CUTOFF_VALUE: u32 = 41;
pub const APT_WINDOW: u32 = 1024;
pub const APT_CUTOFF_VALUE: u32 = 793;
/// Raw bits per conditioner input: each of the two SHA-256 hashes behind a seed takes this many.
pub const COND_BITS: u32 = 1024;
/// Seed width in bits (the CTR_DRBG's seedlen for AES-256).
pub const SEED_BITS: u32 = 384;

pub const ERR_BUSY: u32 = 4;
pub const ERR_EMPTY: u32 = 5;
pub const ERR_VALUE: u32 = 7;
pub const ERR_MASTER: u32 = 8;
pub const ERR_LC: u32 = 9;
pub const ERR_FATAL: u32 = 14;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "trng",
    module: "pluton_trng",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "True random number generator: noise input, SP 800-90B health tests, SHA-256 conditioner, 384-bit seed port",
    regs: &[ID, ERR_INFO, STATUS, CTRL, CMD, RAW_DATA, RCT_CUTOFF, APT_CUTOFF, RCT_MAX_RUN, APT_MAX_COUNT, SAMPLES, SEEDS],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        RCT_CUTOFF_VALUE => "Repetition Count Test cutoff (H = 0.5, alpha = 2^-20)",
        APT_WINDOW => "Adaptive Proportion Test window, raw bits",
        APT_CUTOFF_VALUE => "Adaptive Proportion Test cutoff (H = 0.5, alpha = 2^-20, W = 1,024)",
        COND_BITS => "Raw bits per conditioner hash (two hashes per seed)",
        SEED_BITS => "Seed width, bits",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (CMD; returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "CTRL write that keeps ENABLE set while enabled",
        ERR_EMPTY => "RAW_DATA read while RAW_VALID is 0",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_VALUE => "CTRL bits 31:2 set; CMD not exactly CLEAR_ALARM",
        ERR_MASTER => "Master other than the security core (any register but ID)",
        ERR_LC => "CTRL.RAW_MODE while the life cycle forbids raw data (raw_en low)",
        ERR_FATAL => "CTRL or CMD write after escalation or an integrity fault (STATUS.DEAD)",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
    ],
};
