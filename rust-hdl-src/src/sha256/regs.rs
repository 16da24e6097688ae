//! Register map of the SHA-256/HMAC engine: the single source for RTL, model, docs and header.

use crate::common::regmap::{Bus, Access, Field, RegMap, Register, CsrTest, ANY};
pub use crate::common::regmap::apb_common::*;

pub const CTRL_HMAC_EN: Field = Field { name: "HMAC_EN", lsb: 0, width: 1, desc: "1: HMAC-SHA256; 0: plain SHA-256" };
pub const CTRL_KEY_SEL: Field = Field { name: "KEY_SEL", lsb: 1, width: 1, desc: "HMAC key source. 0: KEY registers; 1: key input port (sideload, 32 bytes)" };

pub const CMD_START: Field = Field { name: "START", lsb: 0, width: 1, desc: "Start a new hash from idle or from a finished digest" };
pub const CMD_FINISH: Field = Field { name: "FINISH", lsb: 1, width: 1, desc: "End of message: pad in hardware and produce the digest" };
pub const CMD_ABORT: Field = Field { name: "ABORT", lsb: 2, width: 1, desc: "Drop the current operation and digest; back to idle" };
pub const CMD_WIPE_KEY: Field = Field { name: "WIPE_KEY", lsb: 3, width: 1, desc: "Clear the KEY registers (only while idle)" };

pub const STATUS_BUSY: Field = Field { name: "BUSY", lsb: 0, width: 1, desc: "The compression core is working on a block" };
pub const STATUS_DIGEST_VALID: Field = Field { name: "DIGEST_VALID", lsb: 1, width: 1, desc: "DIGEST holds the result; also drives intr_done" };
pub const STATUS_MSG_READY: Field = Field { name: "MSG_READY", lsb: 2, width: 1, desc: "Phase is ACTIVE: started, not yet finished" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 3, width: 1, desc: "ERR_INFO holds a logged error" };
pub const STATUS_BUF_WORDS: Field = Field { name: "BUF_WORDS", lsb: 4, width: 5, desc: "Words in the message buffer, 0..=16" };


pub const CTRL: Register = Register { name: "CTRL", offset: 0x00, count: 1, access: Access::Rw, reset: 0, desc: "Mode and key selection. Writable only while idle (no operation started, or digest valid)", fields: &[CTRL_HMAC_EN, CTRL_KEY_SEL], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const CMD: Register = Register { name: "CMD", offset: 0x04, count: 1, access: Access::Wo, reset: 0, desc: "Commands. Exactly one bit per write", fields: &[CMD_START, CMD_FINISH, CMD_ABORT, CMD_WIPE_KEY], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x08, count: 1, access: Access::Ro, reset: 0, desc: "Engine status", fields: &[STATUS_BUSY, STATUS_DIGEST_VALID, STATUS_MSG_READY, STATUS_ERR, STATUS_BUF_WORDS], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x0C, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const MSG: Register = Register { name: "MSG", offset: 0x10, count: 1, access: Access::Wo, reset: 0, desc: "Message data. Byte i of the word is PWDATA[8i+7:8i]. PSTRB is one contiguous run of lanes starting at the first free lane of the word: 0b0001/0b0011/0b0111/0b1111 for a new word, then (after a partial word of k bytes) lanes k and up, e.g. 0b0011 then 0b0100. Stalls (PREADY low) while the buffer is full and the core busy; a write continuing a partial word never stalls", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const MSG_LAST: Register = Register { name: "MSG_LAST", offset: 0x14, count: 1, access: Access::Wo, reset: 0, desc: "As MSG, and then FINISH in the same transfer", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const MSG_LEN: Register = Register { name: "MSG_LEN", offset: 0x18, count: 1, access: Access::Ro, reset: 0, desc: "Message bytes accepted since START (low 32 bits; excludes HMAC key blocks)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ID: Register = Register { name: "ID", offset: 0x1C, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const DIGEST: Register = Register { name: "DIGEST", offset: 0x20, count: 8, access: Access::Ro, reset: 0, desc: "Digest or HMAC tag, bytes 4i..4i+3 in DIGEST[i] (little-endian within the word, as memcpy reads it). Reads 0 unless DIGEST_VALID. Readable only by the master that started the operation (ERR_NOT_STARTER otherwise; after reset or a change of owner, the security core)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const KEY: Register = Register { name: "KEY", offset: 0x40, count: 16, access: Access::Wo, reset: 0, desc: "HMAC key K0: bytes 4i..4i+3 (little-endian within the word). A key shorter than 64 bytes is zero-padded by software (WIPE_KEY, then write it); a longer one is hashed first. Write-only: never readable. Writable only while idle", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };

pub const BLOCK_ID: u32 = 0x5348_0100;

pub const ERR_BUSY: u32 = 4;
pub const ERR_SEQ: u32 = 5;
pub const ERR_VALUE: u32 = 7;
pub const ERR_KEY: u32 = 8;
pub const ERR_KEY_MASTER: u32 = 9;
pub const ERR_NOT_STARTER: u32 = 10;

/// Cycles from a block's dispatch edge to the edge that updates the digest state.
pub const BLOCK_LATENCY: u32 = 65;
/// Minimum distance between two dispatch edges.
pub const DISPATCH_INTERVAL: u32 = 66;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "sha256",
    module: "pluton_sha256",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "SHA-256 and HMAC-SHA256 engine with hardware padding and a sideload key port",
    regs: &[CTRL, CMD, STATUS, ERR_INFO, MSG, MSG_LAST, MSG_LEN, ID, DIGEST, KEY],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "CTRL, KEY or WIPE_KEY while an operation is active",
        ERR_SEQ => "Command or data out of order (MSG before START or after FINISH; FINISH before START; START while active)",
        ERR_STRB => "PSTRB not 0b1111 (or, on MSG/MSG_LAST, not a contiguous run of lanes starting at the first free lane of the word)",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
        ERR_VALUE => "Bad field value: CMD with no bit or several bits, or bits above WIPE_KEY",
        ERR_KEY => "START with KEY_SEL=1 while key_valid is low",
        ERR_KEY_MASTER => "START with HMAC_EN and KEY_SEL=1 from a master other than the security core (pmaster 0): only it may use the sideload key, whoever owns the window",
        ERR_NOT_STARTER => "DIGEST read by a master other than the one whose START was accepted last (after reset or a change of owner: the security core)",
        BLOCK_LATENCY => "Cycles from a block's dispatch to its digest update",
        DISPATCH_INTERVAL => "Minimum cycles between two block dispatches",
    ],
};
