//! Register map of the P-256 engine (`pluton_p256`): the single source for RTL, model, docs and header.

use crate::common::regmap::{Access, Bus, CsrTest, Field, RegMap, Register, ANY, SEC};
pub use crate::common::regmap::apb_common::*;

pub use crate::common::masters::{MASTER_APP, MASTER_SEC};

/// Words per 256-bit operand.
pub const OPERAND_WORDS: u32 = 8;

pub const STATUS_BUSY: Field = Field { name: "BUSY", lsb: 0, width: 1, desc: "A command (or the wipe after it) is running: operands and CMD refuse access (ERR_BUSY)" };
pub const STATUS_DONE: Field = Field { name: "DONE", lsb: 1, width: 1, desc: "The last command has finished (RESULT holds its outcome); cleared by the next CMD" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 2, width: 1, desc: "ERR_INFO holds a logged bus error" };
pub const STATUS_DEAD: Field = Field { name: "DEAD", lsb: 3, width: 1, desc: "Escalation (esc) has wiped the engine; every CMD is refused until reset" };

pub const CTRL_RANDOMIZE: Field = Field { name: "RANDOMIZE", lsb: 0, width: 1, desc: "Randomize the projective coordinates of the base point by LAMBDA (PUBKEY, KEYGEN, ECDH, SIGN)" };
pub const CTRL_HASH_SIDELOAD: Field = Field { name: "HASH_SIDELOAD", lsb: 1, width: 1, desc: "SIGN and VERIFY take HASH from the SHA-256 engine's digest port when they start (RES_HASH_UNAVAILABLE if it holds no plain SHA-256 digest started by the same master)" };
pub const CTRL_K_SIDELOAD: Field = Field { name: "K_SIDELOAD", lsb: 2, width: 1, desc: "SIGN takes K, and KEYGEN takes SEED, from the k_in port (the DRBG's scalar port) at the command's first edge (RES_K_UNAVAILABLE if it holds no value); bits 31:3 must be 0" };

pub const CMD_OP: Field = Field { name: "OP", lsb: 0, width: 32, desc: "CMD_PUBKEY, CMD_ECDH, CMD_SIGN, CMD_VERIFY, CMD_KEYGEN or CMD_WIPE; any other value: ERR_VALUE" };

pub const RESULT_ERROR: Field = Field { name: "ERROR", lsb: 0, width: 4, desc: "0: success; else the first check that failed (RES_* constants)" };
pub const RESULT_CMD: Field = Field { name: "CMD", lsb: 8, width: 4, desc: "The command this result belongs to" };

pub const ID: Register = Register { name: "ID", offset: 0x000, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version (any master)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x004, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x008, count: 1, access: Access::Ro, reset: 0, desc: "Engine state. After reset BUSY is 1 for the power-on wipe", fields: &[STATUS_BUSY, STATUS_DONE, STATUS_ERR, STATUS_DEAD], readers: SEC, writers: SEC, csr: CsrTest::Live("BUSY is 1 during the power-on wipe after reset") };
pub const CTRL: Register = Register { name: "CTRL", offset: 0x00C, count: 1, access: Access::Rw, reset: 0, desc: "Options, taken by each command when it starts (a write while BUSY applies to the next one)", fields: &[CTRL_RANDOMIZE, CTRL_HASH_SIDELOAD, CTRL_K_SIDELOAD], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const CMD: Register = Register { name: "CMD", offset: 0x010, count: 1, access: Access::Wo, reset: 0, desc: "Start a command. Refused while BUSY (ERR_BUSY) and after escalation (ERR_FATAL)", fields: &[CMD_OP], readers: SEC, writers: SEC, csr: CsrTest::NoWrite("starts a command") };
pub const RESULT: Register = Register { name: "RESULT", offset: 0x014, count: 1, access: Access::Ro, reset: 0, desc: "Outcome of the last command (0 until one finishes)", fields: &[RESULT_ERROR, RESULT_CMD], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const CYCLES: Register = Register { name: "CYCLES", offset: 0x018, count: 1, access: Access::Ro, reset: 0, desc: "Clock cycles of the last command, from the edge that took CMD to the edge that set DONE (a constant per command and CTRL; see the README)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };

/// An operand: 32 bytes, the big-endian encoding of FIPS 186 / SEC 1, laid out as memory: word i
/// holds bytes 4i..4i+3, byte 4i in bits 7:0. Access only while idle (ERR_BUSY).
const fn operand(name: &'static str, offset: u32, access: Access, desc: &'static str) -> Register {
    Register { name, offset, count: OPERAND_WORDS, access, reset: 0, desc, fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full }
}

pub const D: Register = operand("D", 0x040, Access::Wo, "Private key d. Write-only; kept until CMD_WIPE, escalation or reset (KEYGEN sets it)");
pub const K: Register = operand("K", 0x060, Access::Wo, "Nonce k for SIGN (or, with CTRL.K_SIDELOAD, from the DRBG). Write-only; wiped after every command");
pub const HASH: Register = operand("HASH", 0x080, Access::Rw, "Message hash z (SHA-256 digest, 256 bits) for SIGN and VERIFY; with CTRL.HASH_SIDELOAD, loaded from the SHA-256 engine when the command starts");
pub const QX: Register = operand("QX", 0x0A0, Access::Rw, "Point x: the peer's public key (ECDH), the signer's (VERIFY); out: the public key (PUBKEY, KEYGEN), the shared secret x (ECDH). An output is 0 after a failed command");
pub const QY: Register = operand("QY", 0x0C0, Access::Rw, "Point y: as QX (not written by ECDH)");
pub const R: Register = operand("R", 0x0E0, Access::Rw, "Signature r: out of SIGN (0 if it failed), into VERIFY");
pub const S: Register = operand("S", 0x100, Access::Rw, "Signature s: as R");
pub const SEED: Register = operand("SEED", 0x120, Access::Wo, "KEYGEN's candidate private key (FIPS 186-5 A.2.2, rejection sampling: it must be in [1, n-1]; or, with CTRL.K_SIDELOAD, from the DRBG). Write-only; wiped after every command");
pub const LAMBDA: Register = operand("LAMBDA", 0x140, Access::Wo, "The RANDOMIZE option's mask, in [1, p-1]. Write-only; wiped after every command");

/// May master `pmaster` read (`write = false`) or write register `reg`?
pub fn allowed(reg: &Register, pmaster: u32, write: bool) -> bool {
    reg.allows(pmaster, write)
}

pub const BLOCK_ID: u32 = 0x5032_0100;

// Commands (CMD values).
pub const CMD_PUBKEY: u32 = 1;
pub const CMD_ECDH: u32 = 2;
pub const CMD_SIGN: u32 = 3;
pub const CMD_VERIFY: u32 = 4;
pub const CMD_KEYGEN: u32 = 5;
pub const CMD_WIPE: u32 = 6;

// Command outcomes (RESULT.ERROR).
pub const RES_OK: u32 = 0;
pub const RES_SCALAR_RANGE: u32 = 1;
pub const RES_SIGNATURE_RANGE: u32 = 2;
pub const RES_INFINITY: u32 = 3;
pub const RES_NOT_ON_CURVE: u32 = 4;
pub const RES_NONCE_UNUSABLE: u32 = 5;
pub const RES_BAD_SIGNATURE: u32 = 6;
pub const RES_SHARED_INFINITY: u32 = 7;
pub const RES_MASK_RANGE: u32 = 8;
pub const RES_HASH_UNAVAILABLE: u32 = 9;
pub const RES_K_UNAVAILABLE: u32 = 10;

// Bus error codes: the same numbers as the other blocks for the same meaning.
pub const ERR_BUSY: u32 = 4;
pub const ERR_VALUE: u32 = 7;
pub const ERR_MASTER: u32 = 8;
pub const ERR_FATAL: u32 = 14;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "p256",
    module: "pluton_p256",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "P-256 engine: ECDSA sign and verify, ECDH, public keys and key generation, microcoded over a Montgomery multiplier; every command takes a fixed number of cycles",
    regs: &[ID, ERR_INFO, STATUS, CTRL, CMD, RESULT, CYCLES, D, K, HASH, QX, QY, R, S, SEED, LAMBDA],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        OPERAND_WORDS => "Words per operand",
        MASTER_SEC => "pmaster of the security core: the only master allowed past ID",
        CMD_PUBKEY => "QX, QY = d·G",
        CMD_ECDH => "QX = x(d·Q), Q = (QX, QY) checked",
        CMD_SIGN => "R, S = ECDSA signature of HASH with d and k",
        CMD_VERIFY => "RESULT.ERROR = 0 if (R, S) is a valid signature of HASH under Q = (QX, QY)",
        CMD_KEYGEN => "d = SEED if it is in [1, n-1], then as CMD_PUBKEY",
        CMD_WIPE => "Zero every register of the engine, d included",
        RES_OK => "The command succeeded (VERIFY: the signature is valid)",
        RES_SCALAR_RANGE => "d, k or SEED is 0 or at least n",
        RES_SIGNATURE_RANGE => "r or s is 0 or at least n",
        RES_INFINITY => "The point is (0, 0), the encoding of the point at infinity",
        RES_NOT_ON_CURVE => "A coordinate is at least p, or the point is not on the curve",
        RES_NONCE_UNUSABLE => "r or s came out 0: sign again with another k",
        RES_BAD_SIGNATURE => "The signature does not verify",
        RES_SHARED_INFINITY => "The result is the point at infinity",
        RES_MASK_RANGE => "RANDOMIZE is set and LAMBDA is 0 or at least p",
        RES_HASH_UNAVAILABLE => "HASH_SIDELOAD is set and the SHA-256 engine holds no plain digest started by the master that wrote CMD (HASH is then 0)",
        RES_K_UNAVAILABLE => "K_SIDELOAD is set and the k_in port holds no value (K or SEED is then 0)",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (D, K, SEED, LAMBDA, CMD; returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "Operand or CMD access while BUSY",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_VALUE => "CMD not a command; CTRL bits above K_SIDELOAD",
        ERR_MASTER => "Master other than the security core (any register but ID)",
        ERR_FATAL => "CMD after escalation",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_are_the_microcode_slots_in_order() {
        // Slot i of the register file is the operand at 0x40 + 32·i.
        let ops = [D, K, HASH, QX, QY, R, S, SEED, LAMBDA];
        for (i, r) in ops.iter().enumerate() {
            assert_eq!(r.offset, 0x40 + 32 * i as u32, "{}", r.name);
            assert_eq!(r.count, OPERAND_WORDS);
        }
    }

    #[test]
    fn secrets_are_write_only_and_security_core_only() {
        // The security core's read of a secret is refused as ERR_READ_WO (it is the register's
        // reader for the rules); every other master gets ERR_MASTER.
        for r in [D, K, SEED, LAMBDA] {
            assert_eq!(r.access, Access::Wo, "{}", r.name);
            for m in 0..16 {
                assert_eq!(allowed(&r, m, false), m == MASTER_SEC, "{} read, master {m}", r.name);
                assert_eq!(allowed(&r, m, true), m == MASTER_SEC, "{} write, master {m}", r.name);
            }
        }
    }
}
