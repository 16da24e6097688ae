//! Register map of the AES engine (`pluton_aes`): the single source for RTL, model, docs and header.

use crate::common::regmap::{Access, Bus, CsrTest, Field, RegMap, Register, ANY, SEC};
pub use crate::common::regmap::apb_common::*;

pub use crate::common::masters::{MASTER_APP, MASTER_SEC};

pub const STATUS_BUSY: Field = Field { name: "BUSY", lsb: 0, width: 1, desc: "A command, a block or a GHASH step runs: CMD, CTRL, KEY, IV and TAG_EXP refuse writes (ERR_BUSY)" };
pub const STATUS_DONE: Field = Field { name: "DONE", lsb: 1, width: 1, desc: "The last command has finished (RESULT holds its outcome); cleared by the next CMD" };
pub const STATUS_ACTIVE: Field = Field { name: "ACTIVE", lsb: 2, width: 1, desc: "An operation is open: START has finished, no FINAL or CLEAR since" };
pub const STATUS_IN_FULL: Field = Field { name: "IN_FULL", lsb: 3, width: 1, desc: "DATA_IN holds a whole block the engine has not taken yet" };
pub const STATUS_OUT_VALID: Field = Field { name: "OUT_VALID", lsb: 4, width: 1, desc: "DATA_OUT holds a result not yet read in full" };
pub const STATUS_TEXT: Field = Field { name: "TEXT", lsb: 5, width: 1, desc: "The open operation takes text blocks (GCM: after OP_TEXT; other modes: always); 0 in GCM's AAD phase" };
pub const STATUS_KEY_DRBG: Field = Field { name: "KEY_DRBG", lsb: 6, width: 1, desc: "The DRBG's sideload key port holds a key" };
pub const STATUS_KEY_OTP: Field = Field { name: "KEY_OTP", lsb: 7, width: 1, desc: "The OTP's sideload key port holds a key" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 8, width: 1, desc: "ERR_INFO holds a logged bus error" };
pub const STATUS_DEAD: Field = Field { name: "DEAD", lsb: 9, width: 1, desc: "Escalation or an integrity fault has wiped the engine; every CMD is refused until reset" };

pub const CTRL_MODE: Field = Field { name: "MODE", lsb: 0, width: 2, desc: "MODE_ECB, MODE_CBC, MODE_CTR or MODE_GCM" };
pub const CTRL_DECRYPT: Field = Field { name: "DECRYPT", lsb: 2, width: 1, desc: "1: decrypt, 0: encrypt" };
pub const CTRL_KEY256: Field = Field { name: "KEY256", lsb: 3, width: 1, desc: "1: AES-256, 0: AES-128 (the key's first 16 bytes)" };
pub const CTRL_KEY_SRC: Field = Field { name: "KEY_SRC", lsb: 4, width: 2, desc: "KEY_SRC_REGS, KEY_SRC_DRBG or KEY_SRC_OTP; 3: ERR_VALUE" };
pub const CTRL_TAG_BYTES: Field = Field { name: "TAG_BYTES", lsb: 8, width: 5, desc: "GCM decrypt: how many leading bytes of TAG_EXP FINAL compares: 4, 8 or 12..=16 (SP 800-38D 5.2.1.2); other values: ERR_VALUE" };

pub const CMD_OP: Field = Field { name: "OP", lsb: 0, width: 4, desc: "OP_START, OP_TEXT, OP_FINAL or OP_CLEAR; any other value, or bits 31:4 set: ERR_VALUE" };

pub const RESULT_ERROR: Field = Field { name: "ERROR", lsb: 0, width: 4, desc: "0: success; else RES_*" };
pub const RESULT_OP: Field = Field { name: "OP", lsb: 8, width: 4, desc: "The command this result belongs to" };

pub const ID: Register = Register { name: "ID", offset: 0x000, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version (any master)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x004, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x008, count: 1, access: Access::Ro, reset: 0, desc: "Engine state", fields: &[STATUS_BUSY, STATUS_DONE, STATUS_ACTIVE, STATUS_IN_FULL, STATUS_OUT_VALID, STATUS_TEXT, STATUS_KEY_DRBG, STATUS_KEY_OTP, STATUS_ERR, STATUS_DEAD], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const CTRL: Register = Register { name: "CTRL", offset: 0x00C, count: 1, access: Access::Rw, reset: CTRL_RESET, desc: "Options, taken by OP_START (a write during an operation applies to the next one). Bits 31:13, 7:6 must be 0 (ERR_VALUE)", fields: &[CTRL_MODE, CTRL_DECRYPT, CTRL_KEY256, CTRL_KEY_SRC, CTRL_TAG_BYTES], readers: SEC, writers: SEC, csr: CsrTest::Legal(&[CTRL_RESET, 0x102f, 0x0c1b, 0x0405, 0x0e02], "MODE/DECRYPT/KEY256/KEY_SRC/TAG_BYTES combinations; KEY_SRC 3 and other TAG_BYTES values get ERR_VALUE") };
pub const CMD: Register = Register { name: "CMD", offset: 0x010, count: 1, access: Access::Wo, reset: 0, desc: "Start a command. Refused while BUSY (ERR_BUSY) and after escalation (ERR_FATAL)", fields: &[CMD_OP], readers: SEC, writers: SEC, csr: CsrTest::NoWrite("starts a command") };
pub const RESULT: Register = Register { name: "RESULT", offset: 0x014, count: 1, access: Access::Ro, reset: 0, desc: "Outcome of the last command (0 until one finishes)", fields: &[RESULT_ERROR, RESULT_OP], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const BLOCK_BYTES: Register = Register { name: "BLOCK_BYTES", offset: 0x018, count: 1, access: Access::Rw, reset: 16, desc: "Valid bytes of the next block written to DATA_IN, 1..=16 (else ERR_VALUE); less than 16 only in CTR and GCM, for the last block of a phase. Refused while DATA_IN holds a word (ERR_BUSY)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Legal(&[16, 1, 15, 8], "only 1..=16 is taken") };
pub const KEY: Register = Register { name: "KEY", offset: 0x020, count: 8, access: Access::Wo, reset: 0, desc: "The key (KEY_SRC_REGS), 32 bytes in memory order (word i: bytes 4i..4i+3, byte 4i in bits 7:0); AES-128 uses words 0..3. Write-only; wiped by OP_CLEAR", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const IV: Register = Register { name: "IV", offset: 0x040, count: 4, access: Access::Wo, reset: 0, desc: "CBC: the IV; CTR: the first counter block; GCM: words 0..2 the 96-bit IV (word 3 unused). Taken by OP_START; write-only; wiped by OP_CLEAR", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const DATA_IN: Register = Register { name: "DATA_IN", offset: 0x050, count: 4, access: Access::Wo, reset: 0, desc: "The next input block, in memory order; the engine takes it once all four words are written (see the README)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::NoWrite("data into the engine") };
pub const DATA_OUT: Register = Register { name: "DATA_OUT", offset: 0x060, count: 4, access: Access::Ro, reset: 0, desc: "The last output block, in memory order (bytes past BLOCK_BYTES read 0); OUT_VALID clears once all four words have been read; ERR_EMPTY while OUT_VALID is 0", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Live("ERR_EMPTY until a block is done") };
pub const TAG: Register = Register { name: "TAG", offset: 0x070, count: 4, access: Access::Ro, reset: 0, desc: "GCM encrypt: the 16-byte tag after OP_FINAL, in memory order; 0 otherwise (a decrypt's computed tag is never shown)", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const TAG_EXP: Register = Register { name: "TAG_EXP", offset: 0x080, count: 4, access: Access::Wo, reset: 0, desc: "GCM decrypt: the expected tag, in memory order, compared by OP_FINAL (leading CTRL.TAG_BYTES bytes); write-only, wiped when an operation ends", fields: &[], readers: SEC, writers: SEC, csr: CsrTest::Full };

pub const BLOCK_ID: u32 = 0x4145_0100;

pub const MODE_ECB: u32 = 0;
pub const MODE_CBC: u32 = 1;
pub const MODE_CTR: u32 = 2;
pub const MODE_GCM: u32 = 3;

pub const KEY_SRC_REGS: u32 = 0;
pub const KEY_SRC_DRBG: u32 = 1;
pub const KEY_SRC_OTP: u32 = 2;

/// CTRL after reset: ECB, encrypt, AES-128, KEY registers, 16 tag bytes.
pub const CTRL_RESET: u32 = 16 << 8;

pub const OP_START: u32 = 1;
pub const OP_TEXT: u32 = 2;
pub const OP_FINAL: u32 = 3;
pub const OP_CLEAR: u32 = 4;

pub const RES_OK: u32 = 0;
pub const RES_NO_KEY: u32 = 1;
pub const RES_NOT_ACTIVE: u32 = 2;
pub const RES_SEQUENCE: u32 = 3;
pub const RES_PENDING: u32 = 4;
pub const RES_TAG_MISMATCH: u32 = 5;
pub const RES_NO_ENTROPY: u32 = 6;
pub const RES_KEY_POLICY: u32 = 7;

/// Edges from the CMD edge of OP_START to DONE: `[AES-128, AES-256]`, for ECB/CBC/CTR and for
/// GCM (which also makes H and E(K, J0)); edges from taking a text block to OUT_VALID; edges of
/// a GHASH multiply; edges from the CMD edge of a GCM OP_FINAL to DONE (README "Timing").
/// Measured on the RTL; the model reads these.
pub const START_EDGES: [u32; 2] = [12, 15];
pub const START_EDGES_GCM: [u32; 2] = [34, 45];
pub const BLOCK_EDGES: [u32; 2] = [11, 15];
/// The same for `pluton_aes_masked` (README "Variants"); GHASH and FINAL are the same.
pub const START_EDGES_MASKED: [u32; 2] = [52, 67];
pub const START_EDGES_GCM_MASKED: [u32; 2] = [156, 211];
pub const BLOCK_EDGES_MASKED: [u32; 2] = [52, 72];
pub const GHASH_EDGES: u32 = 8;
pub const FINAL_EDGES_GCM: u32 = 9;

pub const ERR_BUSY: u32 = 4;
pub const ERR_EMPTY: u32 = 5;
pub const ERR_VALUE: u32 = 7;
pub const ERR_MASTER: u32 = 8;
pub const ERR_STATE: u32 = 9;
pub const ERR_FATAL: u32 = 14;

/// The masked engine (`pluton_aes_masked`, README "Variants"): the same registers.
pub const MAP_MASKED: RegMap = RegMap {
    block: "aes_masked",
    module: "pluton_aes_masked",
    desc: "AES engine over the first-order masked (DOM) cipher core, masks from a generator seeded per operation from the DRBG's mask port: the registers of pluton_aes",
    ..MAP
};

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "aes",
    module: "pluton_aes",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "AES engine (FIPS 197, SP 800-38A/D): AES-128 and AES-256 in ECB, CBC, CTR and GCM, GHASH in hardware, keys from write-only registers or the DRBG's or the OTP's sideload port",
    regs: &[ID, ERR_INFO, STATUS, CTRL, CMD, RESULT, BLOCK_BYTES, KEY, IV, DATA_IN, DATA_OUT, TAG, TAG_EXP],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        MODE_ECB => "CTRL.MODE: electronic codebook",
        MODE_CBC => "CTRL.MODE: cipher block chaining",
        MODE_CTR => "CTRL.MODE: counter (128-bit big-endian increment)",
        MODE_GCM => "CTRL.MODE: Galois/counter mode, 96-bit IV",
        KEY_SRC_REGS => "CTRL.KEY_SRC: the KEY registers",
        KEY_SRC_DRBG => "CTRL.KEY_SRC: the DRBG's sideload port",
        KEY_SRC_OTP => "CTRL.KEY_SRC: the OTP's sideload port",
        CTRL_RESET => "CTRL after reset",
        OP_START => "CMD.OP: open an operation with CTRL, the key and IV (ends any open one)",
        OP_TEXT => "CMD.OP: GCM: end the AAD, the next blocks are text",
        OP_FINAL => "CMD.OP: end the operation (GCM: make the tag; decrypt: compare it)",
        OP_CLEAR => "CMD.OP: end any operation and wipe KEY, IV, TAG_EXP, the data and every internal value",
        RES_OK => "RESULT.ERROR: success",
        RES_NO_KEY => "RESULT.ERROR: OP_START with a sideload port that holds no key",
        RES_NOT_ACTIVE => "RESULT.ERROR: OP_TEXT or OP_FINAL with no operation open",
        RES_SEQUENCE => "RESULT.ERROR: OP_TEXT outside GCM's AAD phase",
        RES_PENDING => "RESULT.ERROR: OP_TEXT or OP_FINAL while DATA_IN holds a word",
        RES_TAG_MISMATCH => "RESULT.ERROR: GCM decrypt: the tag differs from TAG_EXP (discard the plaintext)",
        RES_NO_ENTROPY => "RESULT.ERROR: OP_START on the masked engine with no mask seed at its port",
        RES_KEY_POLICY => "RESULT.ERROR: OP_START with a sideload key outside GCM, or the OTP key on the unmasked engine",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (CMD, KEY, IV, DATA_IN, TAG_EXP; returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY => "CMD, CTRL, KEY, IV or TAG_EXP while BUSY; DATA_IN while IN_FULL; BLOCK_BYTES while DATA_IN holds a word",
        ERR_EMPTY => "DATA_OUT read while OUT_VALID is 0",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_VALUE => "CMD.OP not a command or CMD bits 31:4 set; a CTRL or BLOCK_BYTES value not allowed; DATA_IN in ECB or CBC with BLOCK_BYTES != 16",
        ERR_MASTER => "Master other than the security core (any register but ID)",
        ERR_STATE => "DATA_IN with no operation open, after a partial block in the phase, or past GCM's length limit (2^36 - 32 bytes of text, 2^36 - 16 of AAD)",
        ERR_FATAL => "CMD after escalation or an integrity fault (STATUS.DEAD)",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
    ],
};
