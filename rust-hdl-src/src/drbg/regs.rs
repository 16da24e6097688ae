//! Register map of the CTR_DRBG (`pluton_drbg`): the single source for RTL, model, docs and header.

use crate::common::regmap::{Access, Bus, CsrTest, Field, RegMap, Register, ANY, SEC};
pub use crate::common::regmap::apb_common::*;

pub use crate::common::masters::{MASTER_APP, MASTER_SEC};

pub const STATUS_BUSY: Field = Field { name: "BUSY", lsb: 0, width: 1, desc: "A command runs: CMD and ADDL refuse access (ERR_BUSY)" };
pub const STATUS_DONE: Field = Field { name: "DONE", lsb: 1, width: 1, desc: "The last command has finished (RESULT holds its outcome); cleared by the next CMD" };
pub const STATUS_INSTANTIATED: Field = Field { name: "INSTANTIATED", lsb: 2, width: 1, desc: "The DRBG holds a state (INSTANTIATE done, no UNINSTANTIATE since)" };
pub const STATUS_OUT_WORDS: Field = Field { name: "OUT_WORDS", lsb: 4, width: 3, desc: "Words of generated output waiting in OUT, 0..=4" };
pub const STATUS_KEY_VALID: Field = Field { name: "KEY_VALID", lsb: 7, width: 1, desc: "The sideload key port holds a key (key_valid)" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 8, width: 1, desc: "ERR_INFO holds a logged bus error" };
pub const STATUS_DEAD: Field = Field { name: "DEAD", lsb: 9, width: 1, desc: "Escalation or an integrity fault has wiped the DRBG; every CMD is refused until reset" };
pub const STATUS_MASK_VALID: Field = Field { name: "MASK_VALID", lsb: 10, width: 1, desc: "The sideload mask port holds a mask seed (mask_valid)" };
pub const STATUS_SCALAR_VALID: Field = Field { name: "SCALAR_VALID", lsb: 11, width: 1, desc: "The sideload scalar port holds a value for the P-256 engine (scalar_valid)" };

pub const CMD_OP: Field = Field { name: "OP", lsb: 0, width: 4, desc: "OP_INSTANTIATE, OP_RESEED, OP_GENERATE or OP_UNINSTANTIATE; any other value: ERR_VALUE" };
pub const CMD_ADDL: Field = Field { name: "ADDL", lsb: 4, width: 1, desc: "ADDL holds the personalization string (INSTANTIATE) or additional input (RESEED, GENERATE); 0: none (Null)" };
pub const CMD_PR: Field = Field { name: "PR", lsb: 5, width: 1, desc: "GENERATE with prediction resistance: reseed from the entropy port first" };
pub const CMD_DEST: Field = Field { name: "DEST", lsb: 6, width: 2, desc: "GENERATE output: DEST_OUT, DEST_KEY, DEST_MASK or DEST_SCALAR (BLOCKS must be 2 for the three sideload ports)" };
pub const CMD_BLOCKS: Field = Field { name: "BLOCKS", lsb: 8, width: 8, desc: "GENERATE: 128-bit output blocks, 1..=255" };

pub const RESULT_ERROR: Field = Field { name: "ERROR", lsb: 0, width: 4, desc: "0: success; else RES_* (the command changed nothing)" };
pub const RESULT_OP: Field = Field { name: "OP", lsb: 8, width: 4, desc: "The command this result belongs to" };

pub const ID: Register = Register { name: "ID", offset: 0x000, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version (any master)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x004, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x008, count: 1, access: Access::Ro, reset: 0, desc: "DRBG state", fields: &[STATUS_BUSY, STATUS_DONE, STATUS_INSTANTIATED, STATUS_OUT_WORDS, STATUS_KEY_VALID, STATUS_ERR, STATUS_DEAD, STATUS_MASK_VALID, STATUS_SCALAR_VALID], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const CMD: Register = Register { name: "CMD", offset: 0x00C, count: 1, access: Access::Wo, reset: 0, desc: "Start a command. Refused while BUSY (ERR_BUSY) and after escalation (ERR_FATAL)", fields: &[CMD_OP, CMD_ADDL, CMD_PR, CMD_DEST, CMD_BLOCKS], readers: SEC, writers: SEC, csr: CsrTest::NoWrite("starts a command") };
pub const RESULT: Register = Register { name: "RESULT", offset: 0x010, count: 1, access: Access::Ro, reset: 0, desc: "Outcome of the last command (0 until one finishes)", fields: &[RESULT_ERROR, RESULT_OP], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const RESEED_LIMIT: Register = Register { name: "RESEED_LIMIT", offset: 0x014, count: 1, access: Access::Rw, reset: RESEED_LIMIT_RESET, desc: "GENERATE is refused (RES_RESEED_NEEDED) once the reseed counter exceeds this (SP 800-90A reseed_interval; 1..=2^32-1, 0 refuses every GENERATE)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const RESEED_COUNT: Register = Register { name: "RESEED_COUNT", offset: 0x018, count: 1, access: Access::Ro, reset: 0, desc: "The reseed counter: 1 after INSTANTIATE or RESEED, +1 per GENERATE (0 when not instantiated)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const ADDL: Register = Register { name: "ADDL", offset: 0x040, count: 12, access: Access::Wo, reset: 0, desc: "Personalization string or additional input, 48 bytes in memory order (word i: bytes 4i..4i+3, byte 4i in bits 7:0), zero-padded by software; write-only, wiped when a command ends", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const OUT: Register = Register { name: "OUT", offset: 0x080, count: 1, access: Access::Ro, reset: 0, desc: "Generated output for software: each read takes the next word of the current block (bytes in memory order); ERR_EMPTY when none waits", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Live("a read takes a word; ERR_EMPTY when none waits") };

pub const BLOCK_ID: u32 = 0x4452_0100;

pub const OP_INSTANTIATE: u32 = 1;
pub const OP_RESEED: u32 = 2;
pub const OP_GENERATE: u32 = 3;
pub const OP_UNINSTANTIATE: u32 = 4;

pub const DEST_OUT: u32 = 0;
pub const DEST_KEY: u32 = 1;
pub const DEST_MASK: u32 = 2;
pub const DEST_SCALAR: u32 = 3;

pub const RES_OK: u32 = 0;
pub const RES_NOT_INSTANTIATED: u32 = 1;
pub const RES_RESEED_NEEDED: u32 = 2;
pub const RES_BAD_LENGTH: u32 = 3;

pub const RESEED_LIMIT_RESET: u32 = 1 << 20;

/// Edges an Update takes (three AES-256 encryptions and the store of Key and V), and a generated
/// block (README "Timing"). Measured on the RTL; the model reads these.
pub const UPDATE_EDGES: u32 = 60;
pub const BLOCK_EDGES: u32 = 30;

pub const ERR_BUSY: u32 = 4;
pub const ERR_EMPTY: u32 = 5;
pub const ERR_VALUE: u32 = 7;
pub const ERR_MASTER: u32 = 8;
pub const ERR_FATAL: u32 = 14;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "drbg",
    module: "pluton_drbg",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "CTR_DRBG (SP 800-90A, AES-256, no derivation function): entropy from the TRNG's seed port, output to software, the sideload key port, mask port or scalar port",
    regs: &[ID, ERR_INFO, STATUS, CMD, RESULT, RESEED_LIMIT, RESEED_COUNT, ADDL, OUT],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        OP_INSTANTIATE => "CMD.OP: instantiate from the entropy port (personalization from ADDL)",
        OP_RESEED => "CMD.OP: reseed from the entropy port",
        OP_GENERATE => "CMD.OP: generate CMD.BLOCKS blocks",
        OP_UNINSTANTIATE => "CMD.OP: zero the state, OUT and the three sideload ports",
        DEST_OUT => "CMD.DEST: GENERATE to OUT (software)",
        DEST_KEY => "CMD.DEST: GENERATE to the sideload key port (key_out)",
        DEST_MASK => "CMD.DEST: GENERATE to the sideload mask port (mask_out: the masked AES engine's mask seed)",
        DEST_SCALAR => "CMD.DEST: GENERATE to the sideload scalar port (scalar_out: the P-256 engine's k or KEYGEN seed)",
        RES_OK => "RESULT.ERROR: success",
        RES_NOT_INSTANTIATED => "RESULT.ERROR: RESEED or GENERATE without a state",
        RES_RESEED_NEEDED => "RESULT.ERROR: GENERATE with the reseed counter above RESEED_LIMIT",
        RES_BAD_LENGTH => "RESULT.ERROR: GENERATE with BLOCKS = 0, or a sideload DEST with BLOCKS != 2",
        RESEED_LIMIT_RESET => "RESEED_LIMIT after reset",
        UPDATE_EDGES => "Edges of one CTR_DRBG_Update",
        BLOCK_EDGES => "Edges of one generated block",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (CMD, ADDL; returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "CMD or ADDL while BUSY",
        ERR_EMPTY => "OUT read while no word waits",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_VALUE => "CMD.OP not a command, or CMD bits 31:16 set",
        ERR_MASTER => "Master other than the security core (any register but ID)",
        ERR_FATAL => "CMD after escalation or an integrity fault (STATUS.DEAD)",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
    ],
};
