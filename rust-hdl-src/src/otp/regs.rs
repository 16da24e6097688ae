//! Register map of the OTP controller: the single source for RTL, model, docs and header.

use super::fusemap;
use crate::common::regmap::{Bus, Access, Field, RegMap, Register, CsrTest, SEC};
pub use crate::common::regmap::apb_common::*;

pub const CMD_OP: Field = Field { name: "OP", lsb: 0, width: 3, desc: "1 PROGRAM (DAI_WDATA into word DAI_ADDR), 2 LC_TRANSITION (to LC_TARGET), 3 KEY_LOAD (slot KEY_SLOT)" };
pub const CMD_KEY_SLOT: Field = Field { name: "KEY_SLOT", lsb: 4, width: 1, desc: "KEY_LOAD only: 0 device root key (words 0x00-0x07), 1 attestation seed (0x08-0x0F)" };
pub const CMD_LC_TARGET: Field = Field { name: "LC_TARGET", lsb: 8, width: 2, desc: "LC_TRANSITION only: target state, must be the current state + 1" };

pub const STATUS_READY: Field = Field { name: "READY", lsb: 0, width: 1, desc: "Init scan done and tester port not open: the controller is in service" };
pub const STATUS_BUSY: Field = Field { name: "BUSY", lsb: 1, width: 1, desc: "A program operation or KEY_LOAD is running" };
pub const STATUS_FATAL: Field = Field { name: "FATAL", lsb: 2, width: 1, desc: "Some partition is FATAL (FATAL_PARTS != 0); equals the fatal output" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 3, width: 1, desc: "ERR_INFO holds a logged error" };
pub const STATUS_INTERRUPTED: Field = Field { name: "INTERRUPTED", lsb: 4, width: 1, desc: "The init scan found a word whose program was interrupted (DONE = 0, other bits set)" };
pub const STATUS_KEY_VALID: Field = Field { name: "KEY_VALID", lsb: 5, width: 1, desc: "The key port carries a key (equals the key_valid output)" };
pub const STATUS_KEY_SLOT: Field = Field { name: "KEY_SLOT", lsb: 6, width: 1, desc: "Slot last loaded into the key register (0 after the init scan)" };
pub const STATUS_TST_OK: Field = Field { name: "TST_OK", lsb: 7, width: 1, desc: "The last init scan allows the tester port (life cycle BLANK or RMA, TST_DISABLE blank) and TST_DISABLE was not programmed since" };
pub const STATUS_TST_REFUSED: Field = Field { name: "TST_REFUSED", lsb: 8, width: 1, desc: "tst_en was high while in service with TST_OK = 0 (the port ignored it); sticky until reset" };


pub const DAI_ADDR_WORD: Field = Field { name: "WORD", lsb: 0, width: 6, desc: "Fuse word address for PROGRAM" };
pub const LC_STATE_STATE: Field = Field { name: "STATE", lsb: 0, width: 3, desc: "0 BLANK, 1 DEV, 2 SECURED, 3 RMA, 7 INVALID (also while not READY); equals lc_state, except while esc is high (the pin then shows INVALID)" };
pub const LC_STATE_DEBUG_EN: Field = Field { name: "DEBUG_EN", lsb: 4, width: 1, desc: "Equals the debug_en output, except while esc is high (the pin is then 0)" };
pub const SVN_VALUE: Field = Field { name: "VALUE", lsb: 0, width: 5, desc: "Effective SVN (the svn output): COUNT, or 16 when the SVN partition is FATAL or not READY" };
pub const SVN_COUNT: Field = Field { name: "COUNT", lsb: 8, width: 5, desc: "Leading SVN words programmed to 0xFFFFFFFF; the next SVN PROGRAM must target word 0x18 + COUNT" };
pub const PARTS: Field = Field { name: "PART", lsb: 0, width: 5, desc: "Bit p for partition p (0 SECRET, 1 OWNER, 2 SVN, 3 LIFECYCLE, 4 CONFIG)" };
pub const ECC_CORRECTED_COUNT: Field = Field { name: "COUNT", lsb: 0, width: 16, desc: "Words corrected by SECDED (init scan, KEY_LOAD, FUSE reads); saturates" };

pub const CMD: Register = Register { name: "CMD", offset: 0x00, count: 1, access: Access::Wo, reset: 0, desc: "Command. Values: 0x1 PROGRAM, 0x2|LC_TARGET<<8 LC_TRANSITION, 0x3 / 0x13 KEY_LOAD slot 0 / 1; anything else is ERR_VALUE. PROGRAM and LC_TRANSITION take one wait state (the old word is read for the one-to-zero check)", fields: &[CMD_OP, CMD_KEY_SLOT, CMD_LC_TARGET], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x04, count: 1, access: Access::Ro, reset: 0, desc: "Controller status", fields: &[STATUS_READY, STATUS_BUSY, STATUS_FATAL, STATUS_ERR, STATUS_INTERRUPTED, STATUS_KEY_VALID, STATUS_KEY_SLOT, STATUS_TST_OK, STATUS_TST_REFUSED], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x08, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const DAI_ADDR: Register = Register { name: "DAI_ADDR", offset: 0x0C, count: 1, access: Access::Rw, reset: 0, desc: "Word address for PROGRAM (0x00-0x34); bits above WORD must be 0", fields: &[DAI_ADDR_WORD], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const DAI_WDATA: Register = Register { name: "DAI_WDATA", offset: 0x10, count: 1, access: Access::Wo, reset: 0, desc: "Data word for PROGRAM; the controller adds the check bits and DONE. Write-only, cleared when a PROGRAM is accepted", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const LC_STATE: Register = Register { name: "LC_STATE", offset: 0x14, count: 1, access: Access::Ro, reset: 0x7, desc: "Life cycle state decoded at the last init scan", fields: &[LC_STATE_STATE, LC_STATE_DEBUG_EN], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SVN: Register = Register { name: "SVN", offset: 0x18, count: 1, access: Access::Ro, reset: 0x10, desc: "Anti-rollback security version", fields: &[SVN_VALUE, SVN_COUNT], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const LOCKS: Register = Register { name: "LOCKS", offset: 0x1C, count: 1, access: Access::Ro, reset: 0, desc: "Write-locked partitions (lock word non-blank, or programmed since the scan)", fields: &[PARTS], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const FATAL_PARTS: Register = Register { name: "FATAL_PARTS", offset: 0x20, count: 1, access: Access::Ro, reset: 0, desc: "Partitions found FATAL by the last init scan (uncorrectable or interrupted word, bad SVN thermometer, invalid LC combination)", fields: &[PARTS], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const ECC_CORRECTED: Register = Register { name: "ECC_CORRECTED", offset: 0x24, count: 1, access: Access::Ro, reset: 0, desc: "Corrected-word counter", fields: &[ECC_CORRECTED_COUNT], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const ID: Register = Register { name: "ID", offset: 0x28, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const CONFIG: Register = Register { name: "CONFIG", offset: 0x30, count: 4, access: Access::Ro, reset: 0, desc: "CONFIG0..3 fuse words as of the last init scan; 0 if the CONFIG partition is FATAL", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const FUSE: Register = Register { name: "FUSE", offset: 0x400, count: fusemap::RESERVED_FIRST, access: Access::Ro, reset: 0, desc: "Read window: ECC-corrected data of fuse word i. Two wait states. Words 0x00-0x0F (secrets) always fail with ERR_RDLOCKED", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Live("the fuse array's contents; words 0x00-0x0F always refuse reads (ERR_RDLOCKED)") };

pub const BLOCK_ID: u32 = 0x4F54_0100;

pub const OP_PROGRAM: u32 = 1;
pub const OP_LC_TRANSITION: u32 = 2;
pub const OP_KEY_LOAD: u32 = 3;

pub const ERR_BUSY: u32 = 4;
pub const ERR_MASTER: u32 = 5;
pub const ERR_VALUE: u32 = 7;
pub const ERR_LOCKED: u32 = 8;
pub const ERR_ACCESS: u32 = 9;
pub const ERR_ONE_TO_ZERO: u32 = 10;
pub const ERR_LC: u32 = 11;
pub const ERR_RDLOCKED: u32 = 12;
pub const ERR_ECC: u32 = 13;
pub const ERR_FATAL: u32 = 14;

/// Master allowed on this block (the security core).
pub use crate::common::masters::MASTER_SEC;

/// Edges from the scan's start edge S to the edge that sets READY.
pub const INIT_CYCLES: u32 = 54;
/// Cycles per bit slot of the program engine.
pub const PROG_CYCLES_PER_BIT: u32 = 4;
/// Edges from a program operation's start to its last write (BUSY falls at that edge).
pub const PROG_CYCLES: u32 = PROG_CYCLES_PER_BIT * fusemap::RAW_BITS as u32;
/// Edges from KEY_LOAD's acceptance to the edge that ends it.
pub const KEY_LOAD_CYCLES: u32 = 9;
/// Wait states of a FUSE window read and of a PROGRAM / LC_TRANSITION command.
pub const FUSE_READ_WAITS: u32 = 2;
pub const CMD_PROGRAM_WAITS: u32 = 1;
/// Saturation value of ECC_CORRECTED.
pub const ECC_COUNT_MAX: u32 = 0xFFFF;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "otp",
    module: "pluton_otp",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "Key-fuse OTP controller: 64 x 40-bit fuse array with SECDED, partitions, locks, life cycle, SVN and a key port",
    regs: &[CMD, STATUS, ERR_INFO, DAI_ADDR, DAI_WDATA, LC_STATE, SVN, LOCKS, FATAL_PARTS, ECC_CORRECTED, ID, CONFIG, FUSE],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        OP_PROGRAM => "CMD.OP: program DAI_WDATA (with ECC and DONE) into word DAI_ADDR",
        OP_LC_TRANSITION => "CMD.OP: program the LC word of CMD.LC_TARGET with its magic",
        OP_KEY_LOAD => "CMD.OP: reload the key register from slot CMD.KEY_SLOT",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped or not word aligned; FUSE word or DAI_ADDR in the reserved words 0x35-0x3F",
        ERR_READ_WO => "Read of a write-only register (returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "Command or FUSE read while not READY, the tester port open, or an operation running",
        ERR_MASTER => "Access from a master other than the security core (0)",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
        ERR_VALUE => "Bad CMD value, DAI_ADDR above 6 bits, SVN word not 0xFFFFFFFF or not the next one, LOCK word not LOCK_MAGIC",
        ERR_LOCKED => "PROGRAM or LC_TRANSITION into a write-locked partition",
        ERR_ACCESS => "PROGRAM of a life cycle word (use LC_TRANSITION)",
        ERR_ONE_TO_ZERO => "The word already has a 1 where the new raw word has a 0",
        ERR_LC => "LC_TRANSITION target not the current state + 1",
        ERR_RDLOCKED => "FUSE read of a secret word (0x00-0x0F); returns 0",
        ERR_ECC => "FUSE read of an uncorrectable or interrupted word; returns 0",
        ERR_FATAL => "FUSE read of a word in a FATAL partition; returns 0",
        MASTER_SEC => "The only master allowed (security core)",
        INIT_CYCLES => "Edges from the init scan's start to READY",
        PROG_CYCLES_PER_BIT => "Cycles per bit of the bit-serial program engine",
        PROG_CYCLES => "Edges from a program operation's start to its end (BUSY falls)",
        KEY_LOAD_CYCLES => "Edges from KEY_LOAD's acceptance to its end",
        FUSE_READ_WAITS => "Wait states of a FUSE window read",
        CMD_PROGRAM_WAITS => "Wait states of a PROGRAM or LC_TRANSITION command",
        ECC_COUNT_MAX => "Saturation value of ECC_CORRECTED",
        LOCK_MAGIC = fusemap::LOCK_MAGIC => "Value of a programmed LOCK word",
        LC_DEV_MAGIC = fusemap::LC_DEV_MAGIC => "Value of the programmed LC_DEV word (0x28)",
        LC_SECURED_MAGIC = fusemap::LC_SECURED_MAGIC => "Value of the programmed LC_SECURED word (0x29)",
        LC_RMA_MAGIC = fusemap::LC_RMA_MAGIC => "Value of the programmed LC_RMA word (0x2A)",
        SVN_FIRST = fusemap::SVN_FIRST => "First SVN thermometer word",
        TST_DISABLE = fusemap::TST_DISABLE => "Fuse word that, once non-blank, disables the tester port for good (CONFIG3)",
    ],
};
