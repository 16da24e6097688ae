//! Register map of the Wi-Fi arbiter: the single source for RTL, model, docs and header.

use crate::common::regmap::{Bus, Access, Field, RegMap, Register, CsrTest, ANY, SEC, APP};
pub use crate::common::regmap::apb_common::*;

pub use crate::common::masters::{MASTER_APP, MASTER_IO0, MASTER_IO1, MASTER_SEC};


pub const SEC_STATUS_REQ_PENDING: Field = Field { name: "REQ_PENDING", lsb: 0, width: 1, desc: "A request waits at the head of the queue (SEC_REQ_*)" };
pub const SEC_STATUS_CMD_BUSY: Field = Field { name: "CMD_BUSY", lsb: 1, width: 1, desc: "wifi_cmd_valid: a command is offered and not yet taken" };
pub const SEC_STATUS_CMD_DONE: Field = Field { name: "CMD_DONE", lsb: 2, width: 1, desc: "A command was taken since the last WIFI_CMD_ACK" };
pub const SEC_STATUS_EVT_VALID: Field = Field { name: "EVT_VALID", lsb: 3, width: 1, desc: "An event waits in EVT_DATA" };
pub const SEC_STATUS_ERR: Field = Field { name: "ERR", lsb: 4, width: 1, desc: "ERR_INFO holds a logged error" };
pub const SEC_STATUS_REQ_LEVEL: Field = Field { name: "REQ_LEVEL", lsb: 8, width: 3, desc: "Requests queued, 0..=4" };
pub const SEC_STATUS_CPL_LEVEL: Field = Field { name: "CPL_LEVEL", lsb: 12, width: 3, desc: "Completions waiting for the application core, 0..=4" };

pub const APP_STATUS_LAST_SEQ: Field = Field { name: "LAST_SEQ", lsb: 0, width: 8, desc: "Seq given to the last accepted REQ_PUSH (0 after reset; the first push gets 1)" };
pub const APP_STATUS_REQ_LEVEL: Field = Field { name: "REQ_LEVEL", lsb: 8, width: 3, desc: "Requests queued, 0..=4" };
pub const APP_STATUS_CPL_LEVEL: Field = Field { name: "CPL_LEVEL", lsb: 12, width: 3, desc: "Completions waiting, 0..=4" };
pub const APP_STATUS_FULL: Field = Field { name: "FULL", lsb: 16, width: 1, desc: "REQ_LEVEL + CPL_LEVEL == QUEUE_DEPTH: REQ_PUSH would fail with ERR_FULL" };

pub const OP: Field = Field { name: "OP", lsb: 0, width: 8, desc: "Operation code; bits 31:8 must be 0" };
pub const SEQ: Field = Field { name: "SEQ", lsb: 0, width: 8, desc: "Sequence number; bits 31:8 must be 0" };
pub const GO: Field = Field { name: "GO", lsb: 0, width: 1, desc: "Write exactly 1; any other value is ERR_VALUE" };

pub const APP_CPL_SEQ: Field = Field { name: "SEQ", lsb: 0, width: 8, desc: "Seq of the completed request" };
pub const APP_CPL_STATUS: Field = Field { name: "STATUS", lsb: 8, width: 8, desc: "STATUS_OK, STATUS_REFUSED, another software code, or STATUS_TIMEOUT" };
pub const APP_CPL_VALID: Field = Field { name: "VALID", lsb: 31, width: 1, desc: "A completion is waiting (the register reads 0 otherwise)" };

pub const SEC_COMPLETE_STATUS: Field = Field { name: "STATUS", lsb: 0, width: 8, desc: "Completion status, 0x00..=0xFE (0xFF is reserved for the hardware timeout: ERR_VALUE)" };
pub const SEC_COMPLETE_SEQ: Field = Field { name: "SEQ", lsb: 8, width: 8, desc: "Seq of the head request (SEC_REQ_SEQ); a mismatch is ERR_SEQ. Bits 31:16 must be 0" };

const RW: Access = Access::Rw;
const RO: Access = Access::Ro;
const WO: Access = Access::Wo;

pub const ID: Register = Register { name: "ID", offset: 0x000, count: 1, access: RO, reset: BLOCK_ID, desc: "Block identifier and version. Any master", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x004, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SEC_STATUS: Register = Register { name: "SEC_STATUS", offset: 0x008, count: 1, access: RO, reset: 0, desc: "Arbiter status for the security core", fields: &[SEC_STATUS_REQ_PENDING, SEC_STATUS_CMD_BUSY, SEC_STATUS_CMD_DONE, SEC_STATUS_EVT_VALID, SEC_STATUS_ERR, SEC_STATUS_REQ_LEVEL, SEC_STATUS_CPL_LEVEL], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const APP_STATUS: Register = Register { name: "APP_STATUS", offset: 0x00C, count: 1, access: RO, reset: 0, desc: "Mailbox status for the application core", fields: &[APP_STATUS_LAST_SEQ, APP_STATUS_REQ_LEVEL, APP_STATUS_CPL_LEVEL, APP_STATUS_FULL], readers: APP, writers: APP, csr: CsrTest::Full };
pub const REQ_OP: Register = Register { name: "REQ_OP", offset: 0x010, count: 1, access: RW, reset: 0, desc: "Staged request: operation code", fields: &[OP], readers: APP, writers: APP, csr: CsrTest::Full };
pub const REQ_ARG0: Register = Register { name: "REQ_ARG0", offset: 0x014, count: 1, access: RW, reset: 0, desc: "Staged request: argument 0", fields: &[], readers: APP, writers: APP, csr: CsrTest::Full };
pub const REQ_ARG1: Register = Register { name: "REQ_ARG1", offset: 0x018, count: 1, access: RW, reset: 0, desc: "Staged request: argument 1", fields: &[], readers: APP, writers: APP, csr: CsrTest::Full };
pub const REQ_PUSH: Register = Register { name: "REQ_PUSH", offset: 0x01C, count: 1, access: WO, reset: 0, desc: "Enqueue {LAST_SEQ+1, REQ_OP, REQ_ARG0, REQ_ARG1}; ERR_FULL when QUEUE_DEPTH requests are outstanding", fields: &[GO], readers: APP, writers: APP, csr: CsrTest::Full };
pub const APP_CPL: Register = Register { name: "APP_CPL", offset: 0x020, count: 1, access: RO, reset: 0, desc: "Oldest completion; 0 if none", fields: &[APP_CPL_SEQ, APP_CPL_STATUS, APP_CPL_VALID], readers: APP, writers: APP, csr: CsrTest::Full };
pub const APP_CPL_POP: Register = Register { name: "APP_CPL_POP", offset: 0x024, count: 1, access: WO, reset: 0, desc: "Drop the oldest completion; ERR_EMPTY if none", fields: &[GO], readers: APP, writers: APP, csr: CsrTest::Full };
pub const SEC_REQ_OP: Register = Register { name: "SEC_REQ_OP", offset: 0x040, count: 1, access: RO, reset: 0, desc: "Head request: operation code (0 if none)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SEC_REQ_ARG0: Register = Register { name: "SEC_REQ_ARG0", offset: 0x044, count: 1, access: RO, reset: 0, desc: "Head request: argument 0 (0 if none)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SEC_REQ_ARG1: Register = Register { name: "SEC_REQ_ARG1", offset: 0x048, count: 1, access: RO, reset: 0, desc: "Head request: argument 1 (0 if none)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SEC_REQ_SEQ: Register = Register { name: "SEC_REQ_SEQ", offset: 0x04C, count: 1, access: RO, reset: 0, desc: "Head request: seq (0 if none)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const SEC_COMPLETE: Register = Register { name: "SEC_COMPLETE", offset: 0x050, count: 1, access: WO, reset: 0, desc: "Pop the head request and post its completion {seq, STATUS}; ERR_EMPTY if none", fields: &[SEC_COMPLETE_STATUS, SEC_COMPLETE_SEQ], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const WIFI_CMD_OP: Register = Register { name: "WIFI_CMD_OP", offset: 0x060, count: 1, access: RW, reset: 0, desc: "Drives wifi_cmd_op. ERR_BUSY while wifi_cmd_valid", fields: &[OP], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const WIFI_CMD_ARG0: Register = Register { name: "WIFI_CMD_ARG0", offset: 0x064, count: 1, access: RW, reset: 0, desc: "Drives wifi_cmd_arg0. ERR_BUSY while wifi_cmd_valid", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const WIFI_CMD_ARG1: Register = Register { name: "WIFI_CMD_ARG1", offset: 0x068, count: 1, access: RW, reset: 0, desc: "Drives wifi_cmd_arg1. ERR_BUSY while wifi_cmd_valid", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const WIFI_CMD_SEQ: Register = Register { name: "WIFI_CMD_SEQ", offset: 0x06C, count: 1, access: RW, reset: 0, desc: "Drives wifi_cmd_seq. ERR_BUSY while wifi_cmd_valid", fields: &[SEQ], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const WIFI_CMD_GO: Register = Register { name: "WIFI_CMD_GO", offset: 0x070, count: 1, access: WO, reset: 0, desc: "Raise wifi_cmd_valid until the command is taken (valid && ready at an edge); ERR_BUSY if it is still offered", fields: &[GO], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const WIFI_CMD_ACK: Register = Register { name: "WIFI_CMD_ACK", offset: 0x074, count: 1, access: WO, reset: 0, desc: "Clear SEC_STATUS.CMD_DONE", fields: &[GO], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const EVT_DATA: Register = Register { name: "EVT_DATA", offset: 0x080, count: 1, access: RO, reset: 0, desc: "Buffered Wi-Fi event word (0 if none)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const EVT_POP: Register = Register { name: "EVT_POP", offset: 0x084, count: 1, access: WO, reset: 0, desc: "Drop the buffered event, so the next one can be taken; ERR_EMPTY if none", fields: &[GO], readers: SEC, writers: SEC, csr: CsrTest::Full };

/// May master `pmaster` access `reg`? Reads and writes have the same rule here (each register's
/// `readers` equal its `writers`: one owner, or any master).
pub fn allowed(reg: &Register, pmaster: u32) -> bool {
    reg.allows(pmaster, false)
}

pub const BLOCK_ID: u32 = 0x5746_0100;

pub const ERR_BUSY: u32 = 4;
pub const ERR_SEQ: u32 = 5;
pub const ERR_VALUE: u32 = 7;
pub const ERR_MASTER: u32 = 8;
pub const ERR_FULL: u32 = 9;
pub const ERR_EMPTY: u32 = 10;

pub const STATUS_OK: u32 = 0x00;
pub const STATUS_REFUSED: u32 = 0x01;
pub const STATUS_TIMEOUT: u32 = 0xFF;

/// Requests outstanding at most (queued plus completed-not-yet-popped).
pub const QUEUE_DEPTH: u32 = 4;
/// Cycles a request may stay at the head of the queue before the hardware completes it with
/// `STATUS_TIMEOUT`: a request that becomes head at edge E times out at edge E + REQ_TIMEOUT.
pub const REQ_TIMEOUT: u32 = 2048;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "wifi",
    module: "pluton_wifi",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "Wi-Fi arbiter: application-core request mailbox, security-core policy and sole control of the Wi-Fi command interface",
    regs: &[
        ID, ERR_INFO, SEC_STATUS, APP_STATUS, REQ_OP, REQ_ARG0, REQ_ARG1, REQ_PUSH, APP_CPL, APP_CPL_POP, SEC_REQ_OP, SEC_REQ_ARG0,
        SEC_REQ_ARG1, SEC_REQ_SEQ, SEC_COMPLETE, WIFI_CMD_OP, WIFI_CMD_ARG0, WIFI_CMD_ARG1, WIFI_CMD_SEQ, WIFI_CMD_GO, WIFI_CMD_ACK,
        EVT_DATA, EVT_POP,
    ],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        MASTER_SEC => "pmaster of the security core: the only master for SEC_*, WIFI_CMD_*, EVT_*, ERR_INFO",
        MASTER_APP => "pmaster of the application core: the only master for REQ_*, APP_*",
        MASTER_IO0 => "pmaster of I/O core 0 (may only read ID)",
        MASTER_IO1 => "pmaster of I/O core 1 (may only read ID)",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "WIFI_CMD_* or WIFI_CMD_GO while wifi_cmd_valid (command still offered)",
        ERR_SEQ => "SEC_COMPLETE.SEQ is not the head request's seq (stale completion)",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
        ERR_VALUE => "Bad value: reserved bits set, a GO/POP/PUSH/ACK write other than 1, or SEC_COMPLETE status 0xFF",
        ERR_MASTER => "Register touched by a master that does not own it",
        ERR_FULL => "REQ_PUSH with QUEUE_DEPTH requests outstanding",
        ERR_EMPTY => "APP_CPL_POP, SEC_COMPLETE or EVT_POP with nothing to pop",
        STATUS_OK => "Completion: request forwarded or done",
        STATUS_REFUSED => "Completion: refused by the security core's policy",
        STATUS_TIMEOUT => "Completion: the security core did not answer within REQ_TIMEOUT cycles (hardware only)",
        QUEUE_DEPTH => "Maximum outstanding requests (queued + completed-not-popped)",
        REQ_TIMEOUT => "Cycles at the head of the queue before a hardware TIMEOUT completion",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_register_has_one_owner_and_fields_fit() {
        for r in MAP.regs {
            // One owner (or any master) for reads and writes alike.
            assert_eq!(r.readers, r.writers, "{}", r.name);
            assert!(r.readers == ANY || r.readers.count_ones() == 1, "{}", r.name);
            let mut used = 0u32;
            for f in r.fields {
                assert_eq!(used & f.mask(), 0, "{}.{} overlaps", r.name, f.name);
                used |= f.mask();
            }
        }
    }
}
