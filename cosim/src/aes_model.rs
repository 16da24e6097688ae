//! Cycle-accurate, port-level reference model of the AES engine, written from its README: both
//! variants, `pluton_aes` (`AesModel::new()`) and `pluton_aes_masked` (`AesModel::masked()`, or
//! `AesModel::with_variant(Variant::Masked)`).
//!
//! The model follows `rust-hdl-src/src/aes/README.md` (the contract) and the register map in
//! `pluton_regs::aes::regs`; it never looks at the RTL. The block cipher is the `aes` crate and the
//! GCM tag is the `aes-gcm` crate (see `aes_ref`): nothing of AES or GHASH is written here. A text
//! block's output is computed at the edge that takes it, from the mode's chaining value; only the
//! *timing* of the hardware is modelled on top, from `regs::START_EDGES`, `START_EDGES_GCM`,
//! `BLOCK_EDGES` (masked: `START_EDGES_MASKED`, `START_EDGES_GCM_MASKED`, `BLOCK_EDGES_MASKED`),
//! `GHASH_EDGES` and `FINAL_EDGES_GCM`. GHASH is not computed block by block: the
//! model keeps the AAD and the text of the open GCM operation and makes the tag at FINAL with
//! `aes-gcm` (sealing the plaintext with the same key, IV and AAD, and checking that its
//! ciphertext is the one the model streamed, which holds the data path to the crate too).
//!
//! How it is built (as the other block models):
//! - `poke` only stores input values (and applies the asynchronous reset).
//! - `peek`: the APB outputs are combinational from the state and the request (the checks run in
//!   the access cycle, `pready` is always 1); every other output is state alone.
//! - `step` is one rising edge: everything is decided from the state before the edge, then
//!   applied. The edge counter `edge` numbers the edges, so the schedule reads as the README's
//!   "C + 1", "T + BLOCK_EDGES".
//!
//! Order of what happens at one edge (all decided from the state before it):
//! 1. the APB transfer completing at this edge (a `DATA_OUT` read marks its word, `CMD` takes a
//!    command: its checks, and what the README does "at C"), or its error in ERR_INFO;
//! 2. the command that ran before the edge: START's key load (C + 1), a command's end (DONE);
//! 3. a GHASH multiply that ends here;
//! 4. the text block in the core that ends here (`DATA_OUT`, OUT_VALID; GCM: its GHASH starts);
//! 5. the block waiting in `DATA_IN` is taken, if the cycle before the edge allowed it and the
//!    operation is still open after 1;
//! 6. `clear` and `esc`: the wipe wins over everything before it at this edge.
//!
//! Where the README leaves a choice, the model takes this one (the list to reconcile with the RTL;
//! C = the edge that takes `CMD`, T = the edge that takes a block, S/B/G/F = `START_EDGES[_GCM]`,
//! `BLOCK_EDGES`, `GHASH_EDGES`, `FINAL_EDGES_GCM`, indexed by the operation's CTRL.KEY256):
//! - **Ports** are listed in the order every APB block of the project uses (`paddr`, `pwdata`,
//!   `pstrb`, `pmaster`); the lock-step checker matches ports by name. The masked engine's
//!   `mask_seed`, `mask_seed_valid`, `mask_seed_taken` come after `esc`, before `intr_done`.
//! - **Variants**: the masked model differs only where the README's "Variants" table says:
//!   its three timing constants, the mask seed ports, the OTP key allowed (in GCM), and
//!   RES_NO_ENTROPY. The seed's value is not modelled (the README: masks change no result and
//!   no cycle count); `mask_seed` reads back as poked.
//! - **RES_KEY_POLICY** (START's one check at C): on CTRL as it is before C (the value START
//!   would take). Refused: KEY_SRC DRBG or OTP with MODE not GCM, and (`pluton_aes`) OTP in
//!   every mode. Like the other commands' checks it changes nothing: no wipe, CTRL and IV not
//!   taken, an open operation stays open with its DATA_IN, DATA_OUT, TAG_EXP and CV; DONE and
//!   RESULT clear at C, BUSY from C to C + 1, DONE with RES_KEY_POLICY at C + 1.
//! - **`mask_seed_taken`** (masked): 1 in an access cycle whose transfer is a CMD write that
//!   passes every bus check with OP_START, when CTRL passes RES_KEY_POLICY, `clear` and `esc`
//!   are 0 and `mask_seed_valid` is 1 (all in that cycle; a model has no fault wipe); else 0
//!   (also in reset). Combinational, like `pslverr`.
//! - **RES_NO_ENTROPY** (masked): at C + 1, after RES_NO_KEY, when no seed was taken at C (its
//!   valid then; a seed arriving after C does not count, one leaving after C is still taken).
//!   Its effects are RES_NO_KEY's.
//! - **Bus checks**: protocol, unmapped, master, write-only read / read-only write, strobe (the
//!   other models' order), then the register's own in the README's order. Only `CMD` is refused
//!   while DEAD (ERR_FATAL); CTRL, KEY, IV, TAG_EXP, BLOCK_BYTES and ERR_INFO writes pass their own
//!   checks then (nothing can use them). `DATA_IN` while DEAD is ERR_STATE (no operation),
//!   `DATA_OUT` ERR_EMPTY. ERR_INFO: any write that passes the common checks clears it (also while
//!   BUSY or DEAD); a partial strobe is ERR_STRB and is logged.
//! - **CTRL values**: ERR_VALUE for KEY_SRC = 3, TAG_BYTES not 4, 8 or 12..=16 (in every mode,
//!   not only GCM decrypt), or any bit outside the fields (31:13, 7:6). Every MODE/DECRYPT/KEY256
//!   combination is taken.
//! - **START at C** (also one that fails RES_NO_KEY at C + 1): ends any open operation, empties
//!   `DATA_IN` and `DATA_OUT`, zeroes `TAG` *and `TAG_EXP`* (whether an operation was open or not:
//!   "when an operation ends (START, ...)" taken as every START), takes CTRL and IV. So software
//!   writes `TAG_EXP` after START's DONE. Words in `DATA_IN` are dropped (START has no
//!   RES_PENDING check; a START refused by RES_KEY_POLICY does none of this). The key is sampled at C + 1 (the KEY registers as they are then, equal to
//!   their value at C since writes are refused while BUSY; or the port and its valid as driven in
//!   the cycle before C + 1). RES_NO_KEY: DONE and RESULT at C + 1, BUSY from C to C + 1, no
//!   operation open after it. A sideload valid that drops later changes nothing.
//! - **STATUS**: KEY_DRBG and KEY_OTP are the `key_*_valid` inputs in the read's access cycle
//!   (combinational, no flop). TEXT = ACTIVE and (not GCM, or after OP_TEXT): 0 while no operation
//!   is ACTIVE (during START, after FINAL). IN_FULL is 1 only with an operation ACTIVE.
//! - **"Runs until E + n"**: the multiply (or the block in the core) is BUSY in the cycles from E
//!   up to and including the one that ends at edge E + n, and is done at that edge; so the next
//!   AAD block is taken at E + G + 1 at the earliest, and a GCM text block keeps BUSY up to
//!   T + B + G (its GHASH starts at T + B).
//! - **Taking a text block** does not wait for the GHASH of the previous ciphertext (the README's
//!   text-phase rule has no such term); two ciphertext GHASHes can never overlap since they start
//!   at least B + 8 edges apart (four reads of two edges, then the take), which the model asserts
//!   against the constants at compile time.
//! - **FINAL**: ECB/CBC/CTR: ACTIVE clears and the internal values are wiped at C; DONE at C + 1.
//!   GCM: ACTIVE clears at C; at C + F the tag is made, TAG_EXP is compared (its value then,
//!   equal to its value at C), and the internal values and TAG_EXP are wiped; DONE there. The tag
//!   of a GCM encrypt shows all 16 bytes in `TAG` whatever TAG_BYTES; a decrypt leaves `TAG` 0,
//!   also on RES_TAG_MISMATCH, and an unread `DATA_OUT` block stays readable either way. A FINAL
//!   that fails (RES_NOT_ACTIVE, RES_PENDING) changes nothing: the operation stays open.
//! - **OP_CLEAR** keeps CTRL, BLOCK_BYTES, RESULT's previous value until its DONE, and ERR_INFO.
//! - **`DATA_IN` ERR_VALUE** (ECB/CBC, BLOCK_BYTES != 16) uses BLOCK_BYTES at the write, which is
//!   the value the block takes (BLOCK_BYTES is refused while a word is marked). Words of a taken
//!   block are zeroed, not only unmarked.
//! - **`DATA_OUT`** after the read that completes the set reads ERR_EMPTY (and its data is
//!   zeroed); a partial block's bytes past BLOCK_BYTES are stored as 0.
//! - **`clear`** at an edge: as the README; with `esc` at the same edge, ERR_INFO is reset too
//!   (clear's rule) and DEAD sets. **`esc`**: every register to its reset value (RESULT and DONE
//!   included) but ERR_INFO, which keeps its value *including* an error logged by the transfer
//!   completing at that edge (esc does not wipe ERR_INFO, so the log stands); DEAD until reset. A
//!   command running is abandoned with no DONE, also one whose end would have been that edge.
//! - **Lengths**: the 2^36 byte limits are not checked (the README does not say what happens past
//!   them); the CTR counter is 128 bits wide (mod 2^128), GCM's inc32 wraps in its low 32 bits.
//! - While `rst_n` is low the bus outputs are idle (`pready` = 1, `prdata` = `pslverr` = 0) and
//!   every other output is 0. `alert_fatal` is always 0: a model has no integrity faults.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::aes::regs::{self, MAP};
use pluton_regs::common::regmap::Register;

/// Bytes of an AES block, and words of a block register.
const BLOCK: usize = 16;
const WORDS: usize = BLOCK / 4;
/// Bytes of a sideload key and of `KEY`.
const KEY_LEN: usize = 32;

/// The timing constants as `u64` for the edge arithmetic, indexed by CTRL.KEY256.
const fn edges(e: [u32; 2]) -> [u64; 2] {
    [e[0] as u64, e[1] as u64]
}
const GHASH_EDGES: u64 = regs::GHASH_EDGES as u64;
const FINAL_EDGES_GCM: u64 = regs::FINAL_EDGES_GCM as u64;
// START loads the key at C + 1 and ends later; every other stage takes at least one edge.
const _: () = assert!(regs::START_EDGES[0] >= 2 && regs::START_EDGES[1] >= 2 && regs::START_EDGES_GCM[0] >= 2 && regs::START_EDGES_GCM[1] >= 2);
const _: () = assert!(regs::START_EDGES_MASKED[0] >= 2 && regs::START_EDGES_MASKED[1] >= 2 && regs::START_EDGES_GCM_MASKED[0] >= 2 && regs::START_EDGES_GCM_MASKED[1] >= 2);
const _: () = assert!(regs::BLOCK_EDGES[0] >= 1 && regs::BLOCK_EDGES[1] >= 1 && regs::GHASH_EDGES >= 1 && regs::FINAL_EDGES_GCM >= 1);
const _: () = assert!(regs::BLOCK_EDGES_MASKED[0] >= 1 && regs::BLOCK_EDGES_MASKED[1] >= 1);
// Two ciphertext GHASHes start at least B + 8 edges apart (four DATA_OUT reads, then the take):
// one never starts while the last still runs.
const _: () = assert!(regs::GHASH_EDGES <= regs::BLOCK_EDGES[0] + 8 && regs::GHASH_EDGES <= regs::BLOCK_EDGES[1] + 8);
const _: () = assert!(regs::GHASH_EDGES <= regs::BLOCK_EDGES_MASKED[0] + 8 && regs::GHASH_EDGES <= regs::BLOCK_EDGES_MASKED[1] + 8);

/// Which engine the model stands for (README "Variants"): the same registers, commands and
/// behaviour but for the cipher core's timing, the mask seed ports, the OTP key and
/// `RES_NO_ENTROPY`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// `pluton_aes`: the unmasked core; `KEY_SRC_OTP` is refused (`RES_KEY_POLICY`).
    #[default]
    Unmasked,
    /// `pluton_aes_masked`: the masked core, its mask seed ports, `RES_NO_ENTROPY`.
    Masked,
}

impl Variant {
    /// The module name (the RTL's top).
    pub fn module(self) -> &'static str {
        match self {
            Variant::Unmasked => MAP.module,
            Variant::Masked => "pluton_aes_masked",
        }
    }
    /// `START_EDGES`, `START_EDGES_GCM`, `BLOCK_EDGES` of this engine (README "Variants").
    fn timing(self) -> Timing {
        match self {
            Variant::Unmasked => Timing { start: edges(regs::START_EDGES), start_gcm: edges(regs::START_EDGES_GCM), block: edges(regs::BLOCK_EDGES) },
            Variant::Masked => Timing { start: edges(regs::START_EDGES_MASKED), start_gcm: edges(regs::START_EDGES_GCM_MASKED), block: edges(regs::BLOCK_EDGES_MASKED) },
        }
    }
}

/// The cipher core's share of the timing, `[AES-128, AES-256]` (GHASH and FINAL are shared).
#[derive(Clone, Copy, Debug)]
struct Timing {
    start: [u64; 2],
    start_gcm: [u64; 2],
    block: [u64; 2],
}

// Port ids, in declaration order (the order of `ports()`). The two variants share ids 0..=17;
// the masked engine has its three mask seed ports next, then both end with `intr_done` and
// `alert_fatal` (ids in `AesModel::intr_done` / `alert_fatal`).
const CLOCK: usize = 0;
const RST_N: usize = 1;
const PSEL: usize = 2;
const PENABLE: usize = 3;
const PWRITE: usize = 4;
const PADDR: usize = 5;
const PWDATA: usize = 6;
const PSTRB: usize = 7;
const PMASTER: usize = 8;
const PRDATA: usize = 9;
const PREADY: usize = 10;
const PSLVERR: usize = 11;
const KEY_DRBG: usize = 12;
const KEY_DRBG_VALID: usize = 13;
const KEY_OTP: usize = 14;
const KEY_OTP_VALID: usize = 15;
const CLEAR: usize = 16;
const ESC: usize = 17;
/// The masked engine's only.
const MASK_SEED: usize = 18;
const MASK_SEED_VALID: usize = 19;
const MASK_SEED_TAKEN: usize = 20;

/// Bits of the mask seed.
const MASK_SEED_BITS: u32 = 256;

/// (name, direction, width) of every port: the README's table, the APB group in the project's
/// order. The ports both variants have up to `esc`.
const PORTS_HEAD: [(&str, Dir, u32); 18] = [
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 12),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("key_drbg", Dir::In, (KEY_LEN * 8) as u32),
    ("key_drbg_valid", Dir::In, 1),
    ("key_otp", Dir::In, (KEY_LEN * 8) as u32),
    ("key_otp_valid", Dir::In, 1),
    ("clear", Dir::In, 1),
    ("esc", Dir::In, 1),
];
/// The masked engine's mask seed ports, after `esc` (README "Mask seed").
const PORTS_MASK_SEED: [(&str, Dir, u32); 3] = [("mask_seed", Dir::In, MASK_SEED_BITS), ("mask_seed_valid", Dir::In, 1), ("mask_seed_taken", Dir::Out, 1)];
/// The last ports of both.
const PORTS_TAIL: [(&str, Dir, u32); 2] = [("intr_done", Dir::Out, 1), ("alert_fatal", Dir::Out, 1)];

type Block = [u8; BLOCK];

/// The expected-value oracle: AES modes and GCM from the `aes` and `aes-gcm` crates, independent
/// of the model's timing. Benches use it for the values a run must read, and `gcm_h`/`gcm_ej0`
/// for the secrets no read may show. Keys are 16 (AES-128) or 32 (AES-256) bytes.
pub mod aes_ref {
    use aes::cipher::{generic_array::GenericArray, BlockDecrypt, BlockEncrypt, KeyInit};
    use aes::{Aes128, Aes256};
    use aes_gcm::aead::AeadInPlace;
    use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce};
    use std::fmt;

    pub type Block = [u8; 16];

    /// Why a reference computation was refused.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum RefError {
        /// The key is not 16 or 32 bytes.
        KeyLength(usize),
        /// ECB and CBC take whole blocks only.
        NotWholeBlocks(usize),
        /// A truncated tag of 0 or more than 16 bytes.
        TagLength(usize),
        /// `aes-gcm` refused the lengths (past SP 800-38D's limits).
        GcmLimits,
    }

    impl fmt::Display for RefError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                RefError::KeyLength(n) => write!(f, "AES key of {n} bytes (16 or 32 expected)"),
                RefError::NotWholeBlocks(n) => write!(f, "{n} bytes is not a whole number of 16-byte blocks"),
                RefError::TagLength(n) => write!(f, "tag of {n} bytes (1..=16 expected)"),
                RefError::GcmLimits => write!(f, "GCM lengths past SP 800-38D's limits"),
            }
        }
    }

    impl std::error::Error for RefError {}

    /// The block cipher with its key schedule (the `aes` crate), boxed: the schedules differ in size.
    #[derive(Clone)]
    pub enum Cipher {
        Aes128(Box<Aes128>),
        Aes256(Box<Aes256>),
    }

    impl Cipher {
        pub fn new(key: &[u8]) -> Result<Cipher, RefError> {
            match key.len() {
                16 => Ok(Cipher::Aes128(Box::new(Aes128::new(GenericArray::from_slice(key))))),
                32 => Ok(Cipher::Aes256(Box::new(Aes256::new(GenericArray::from_slice(key))))),
                n => Err(RefError::KeyLength(n)),
            }
        }
        /// E(K, block).
        pub fn encrypt(&self, block: &Block) -> Block {
            let mut b = GenericArray::clone_from_slice(block);
            match self {
                Cipher::Aes128(c) => c.encrypt_block(&mut b),
                Cipher::Aes256(c) => c.encrypt_block(&mut b),
            }
            b.into()
        }
        /// D(K, block).
        pub fn decrypt(&self, block: &Block) -> Block {
            let mut b = GenericArray::clone_from_slice(block);
            match self {
                Cipher::Aes128(c) => c.decrypt_block(&mut b),
                Cipher::Aes256(c) => c.decrypt_block(&mut b),
            }
            b.into()
        }
    }

    pub fn xor(a: &Block, b: &Block) -> Block {
        std::array::from_fn(|i| a[i] ^ b[i])
    }

    fn blocks(data: &[u8]) -> Result<impl Iterator<Item = Block> + '_, RefError> {
        if !data.len().is_multiple_of(16) {
            return Err(RefError::NotWholeBlocks(data.len()));
        }
        Ok(data.chunks_exact(16).map(|c| c.try_into().expect("16-byte chunk")))
    }

    /// ECB (SP 800-38A 6.1) over whole blocks.
    pub fn ecb(key: &[u8], decrypt: bool, data: &[u8]) -> Result<Vec<u8>, RefError> {
        let c = Cipher::new(key)?;
        Ok(blocks(data)?.flat_map(|b| if decrypt { c.decrypt(&b) } else { c.encrypt(&b) }).collect())
    }

    /// CBC (SP 800-38A 6.2) over whole blocks.
    pub fn cbc(key: &[u8], decrypt: bool, iv: &Block, data: &[u8]) -> Result<Vec<u8>, RefError> {
        let c = Cipher::new(key)?;
        let mut cv = *iv;
        let mut out = Vec::with_capacity(data.len());
        for b in blocks(data)? {
            if decrypt {
                out.extend(xor(&c.decrypt(&b), &cv));
                cv = b;
            } else {
                cv = c.encrypt(&xor(&b, &cv));
                out.extend(cv);
            }
        }
        Ok(out)
    }

    /// CTR (SP 800-38A 6.5) with the standard 128-bit big-endian increment; the last block may
    /// be partial (its keystream is cut). Encrypt and decrypt are the same.
    pub fn ctr(key: &[u8], counter: &Block, data: &[u8]) -> Result<Vec<u8>, RefError> {
        let c = Cipher::new(key)?;
        let mut cv = u128::from_be_bytes(*counter);
        let mut out = Vec::with_capacity(data.len());
        for chunk in data.chunks(16) {
            let ks = c.encrypt(&cv.to_be_bytes());
            out.extend(chunk.iter().zip(ks).map(|(d, k)| d ^ k));
            cv = cv.wrapping_add(1);
        }
        Ok(out)
    }

    /// GCM authenticated encryption (SP 800-38D, 96-bit IV, 16-byte tag) by `aes-gcm`.
    pub fn gcm_seal(key: &[u8], iv: &[u8; 12], aad: &[u8], pt: &[u8]) -> Result<(Vec<u8>, Block), RefError> {
        let mut buf = pt.to_vec();
        let nonce = Nonce::from_slice(iv);
        let tag = match key.len() {
            16 => Aes128Gcm::new(GenericArray::from_slice(key)).encrypt_in_place_detached(nonce, aad, &mut buf),
            32 => Aes256Gcm::new(GenericArray::from_slice(key)).encrypt_in_place_detached(nonce, aad, &mut buf),
            n => return Err(RefError::KeyLength(n)),
        }
        .map_err(|_| RefError::GcmLimits)?;
        Ok((buf, tag.into()))
    }

    /// The GCM plaintext of `ct` (its keystream is the ciphertext of zeros under the same key and IV).
    fn gcm_plaintext(key: &[u8], iv: &[u8; 12], ct: &[u8]) -> Result<Vec<u8>, RefError> {
        let (ks, _) = gcm_seal(key, iv, &[], &vec![0; ct.len()])?;
        Ok(ct.iter().zip(ks).map(|(c, k)| c ^ k).collect())
    }

    /// The full tag of a ciphertext (what a decrypt computes): decrypt, then seal again.
    pub fn gcm_tag(key: &[u8], iv: &[u8; 12], aad: &[u8], ct: &[u8]) -> Result<Block, RefError> {
        let pt = gcm_plaintext(key, iv, ct)?;
        let (again, tag) = gcm_seal(key, iv, aad, &pt)?;
        debug_assert_eq!(again, ct);
        Ok(tag)
    }

    /// GCM authenticated decryption with a tag of 1..=16 bytes compared against the leading
    /// bytes of the computed one: the plaintext, or `None` if the tags differ.
    pub fn gcm_open(key: &[u8], iv: &[u8; 12], aad: &[u8], ct: &[u8], tag: &[u8]) -> Result<Option<Vec<u8>>, RefError> {
        if tag.is_empty() || tag.len() > 16 {
            return Err(RefError::TagLength(tag.len()));
        }
        let full = gcm_tag(key, iv, aad, ct)?;
        if full[..tag.len()] != *tag {
            return Ok(None);
        }
        gcm_plaintext(key, iv, ct).map(Some)
    }

    /// GCM's hash subkey H = E(K, 0^128).
    pub fn gcm_h(key: &[u8]) -> Result<Block, RefError> {
        Ok(Cipher::new(key)?.encrypt(&[0; 16]))
    }

    /// E(K, J0) with J0 = IV || 0^31 || 1, the mask of the tag.
    pub fn gcm_ej0(key: &[u8], iv: &[u8; 12]) -> Result<Block, RefError> {
        let mut j0 = [0u8; 16];
        j0[..12].copy_from_slice(iv);
        j0[15] = 1;
        Ok(Cipher::new(key)?.encrypt(&j0))
    }
}

use aes_ref::{xor, Cipher};

/// `DATA_IN`: four words and which of them are written.
#[derive(Clone, Copy, Debug, Default)]
struct DataIn {
    words: [u32; WORDS],
    /// Bit i: word i written since the last take.
    marked: u8,
}

impl DataIn {
    fn full(&self) -> bool {
        self.marked == 0xF
    }
    fn block(&self) -> Block {
        let mut b = [0u8; BLOCK];
        for (chunk, w) in b.chunks_exact_mut(4).zip(self.words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        b
    }
}

/// `DATA_OUT`: the last output block and which words of it have been read.
#[derive(Clone, Copy, Debug, Default)]
struct DataOut {
    block: Block,
    valid: bool,
    /// Bit i: word i read since the block came.
    read: u8,
}

impl DataOut {
    fn word(&self, i: usize) -> u32 {
        word_of(&self.block, i)
    }
}

/// Word i of a block in memory order (byte 4i in bits 7:0).
fn word_of(b: &Block, i: usize) -> u32 {
    u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
}

/// Store word i of a register in memory order.
fn put_word(bytes: &mut [u8], i: usize, v: u32) {
    bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
}

/// GCM's limits per operation (README "Lengths"): 2^32 - 2 text blocks, and the AAD the 36-bit
/// counter holds in whole blocks.
const GCM_MAX_TEXT: u64 = (1 << 36) - 32;
const GCM_MAX_AAD: u64 = (1 << 36) - 16;

/// The open operation (from START's C until it ends).
#[derive(Clone)]
struct Op {
    /// CTRL and IV as taken at C.
    ctrl: u32,
    iv: Block,
    /// The key and its schedule, from C + 1 (16 or 32 bytes).
    key: Vec<u8>,
    cipher: Option<Cipher>,
    /// The chaining value CV.
    cv: Block,
    active: bool,
    /// GCM: after OP_TEXT.
    text: bool,
    /// The current phase has had its partial block.
    partial: bool,
    /// Bytes taken in the AAD phase and the text phase (README "Lengths"; a test may advance
    /// them without the data).
    a_bytes: u64,
    c_bytes: u64,
    /// GCM: the AAD and the text so far (their tag is made at FINAL).
    aad: Vec<u8>,
    pt: Vec<u8>,
    ct: Vec<u8>,
    /// Masked engine: a mask seed was taken at C (else START ends with RES_NO_ENTROPY).
    seed: bool,
}

impl Op {
    fn new(ctrl: u32, iv: Block, seed: bool) -> Op {
        let mut cv = iv;
        if regs::CTRL_MODE.get(ctrl) == regs::MODE_GCM {
            // J0 = IV[0..12] || 00000001.
            cv[12..].copy_from_slice(&[0, 0, 0, 1]);
        }
        Op { ctrl, iv, key: Vec::new(), cipher: None, cv, active: false, text: false, partial: false, a_bytes: 0, c_bytes: 0, aad: Vec::new(), pt: Vec::new(), ct: Vec::new(), seed }
    }
    fn mode(&self) -> u32 {
        regs::CTRL_MODE.get(self.ctrl)
    }
    fn gcm(&self) -> bool {
        self.mode() == regs::MODE_GCM
    }
    fn decrypt(&self) -> bool {
        regs::CTRL_DECRYPT.get(self.ctrl) == 1
    }
    /// 0 for AES-128, 1 for AES-256: the index of the timing constants.
    fn klen(&self) -> usize {
        regs::CTRL_KEY256.get(self.ctrl) as usize
    }
    /// The phase takes text blocks (GCM: after OP_TEXT; other modes: always).
    fn text_phase(&self) -> bool {
        !self.gcm() || self.text
    }
    /// GCM: the phase holds as many bytes as it may (README "Lengths"): DATA_IN is refused.
    fn at_length_limit(&self) -> bool {
        self.gcm() && if self.text { self.c_bytes >= GCM_MAX_TEXT } else { self.a_bytes >= GCM_MAX_AAD }
    }
    fn iv96(&self) -> [u8; 12] {
        std::array::from_fn(|i| self.iv[i])
    }
}

/// A text block in the core: what comes out at `done_at`.
#[derive(Clone, Copy, Debug)]
struct InCore {
    done_at: u64,
    out: Block,
    /// GCM: its ciphertext's GHASH starts at `done_at`.
    ghash: bool,
}

#[derive(Clone, Copy, Debug)]
enum Stage {
    /// START: the key is sampled and checked at `at` = C + 1.
    KeyLoad { at: u64 },
    /// Ends at `at` with `error` (RES_*).
    Finish { at: u64, error: u32 },
}

/// The command running (BUSY).
#[derive(Clone, Copy, Debug)]
struct Job {
    op: u32,
    /// The edge that took it.
    c: u64,
    stage: Stage,
}

/// What a transfer that passed every check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Read(u32),
    /// A `DATA_OUT` read: returns word `.0` and marks it read at its edge.
    ReadOut(usize, u32),
    ClearErr,
    Ctrl(u32),
    BlockBytes(u32),
    Key(usize, u32),
    Iv(usize, u32),
    TagExp(usize, u32),
    DataIn(usize, u32),
    Cmd(u32),
}

/// Port-level model of `pluton_aes` or `pluton_aes_masked` (see `Variant`).
pub struct AesModel {
    variant: Variant,
    timing: Timing,
    ports: Vec<Port>,
    /// Port ids of the outputs whose place depends on the variant.
    intr_done: usize,
    alert_fatal: usize,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,
    guard: ApbGuardModel,
    /// Rising edges so far (the schedule's edge numbers; never reset).
    edge: u64,
    err_info: u32,
    /// STATUS.DEAD: escalation has wiped the engine; CMD is refused until reset.
    dead: bool,
    done: bool,
    result: u32,
    ctrl: u32,
    block_bytes: u32,
    key: [u8; KEY_LEN],
    iv: Block,
    tag_exp: Block,
    tag: Block,
    data_in: DataIn,
    data_out: DataOut,
    op: Option<Op>,
    job: Option<Job>,
    in_core: Option<InCore>,
    /// The edge a running GHASH multiply ends.
    ghash_end: Option<u64>,
}

impl Default for AesModel {
    fn default() -> Self {
        Self::new()
    }
}

impl AesModel {
    /// A model of the unmasked engine, `pluton_aes`, with all inputs low, hence held in reset
    /// until `rst_n` is driven high.
    pub fn new() -> Self {
        Self::with_variant(Variant::Unmasked)
    }

    /// A model of the masked engine, `pluton_aes_masked` (its mask seed ports after `esc`).
    pub fn masked() -> Self {
        Self::with_variant(Variant::Masked)
    }

    /// A model of either engine, with all inputs low.
    pub fn with_variant(variant: Variant) -> Self {
        let mut table: Vec<(&str, Dir, u32)> = PORTS_HEAD.to_vec();
        if variant == Variant::Masked {
            table.extend_from_slice(&PORTS_MASK_SEED);
        }
        table.extend_from_slice(&PORTS_TAIL);
        let ports = crate::ports::port_list(&table);
        let inputs = crate::ports::zero_values(&ports);
        let (intr_done, alert_fatal) = (ports.len() - 2, ports.len() - 1);
        if variant == Variant::Masked {
            for (id, name) in [(MASK_SEED, "mask_seed"), (MASK_SEED_VALID, "mask_seed_valid"), (MASK_SEED_TAKEN, "mask_seed_taken")] {
                assert_eq!(ports[id].name, name, "mask seed port ids");
            }
        }
        let mut m = AesModel {
            variant,
            timing: variant.timing(),
            ports,
            intr_done,
            alert_fatal,
            inputs,
            guard: ApbGuardModel::default(),
            edge: 0,
            err_info: 0,
            dead: false,
            done: false,
            result: 0,
            ctrl: 0,
            block_bytes: 0,
            key: [0; KEY_LEN],
            iv: [0; BLOCK],
            tag_exp: [0; BLOCK],
            tag: [0; BLOCK],
            data_in: DataIn::default(),
            data_out: DataOut::default(),
            op: None,
            job: None,
            in_core: None,
            ghash_end: None,
        };
        m.reset();
        m
    }

    /// Which engine this models.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// For tests of the length limits: the open operation counts `aad` and `text` more bytes
    /// taken, as if that much had gone through (no data is kept for them, so its tag is not
    /// the standard's). No effect without an open operation.
    pub fn test_hook_skip_lengths(&mut self, aad: u64, text: u64) {
        if let Some(op) = self.op.as_mut() {
            op.a_bytes += aad;
            op.c_bytes += text;
        }
    }

    /// Reset: every register to its reset value, nothing running, not DEAD.
    fn reset(&mut self) {
        self.guard.reset();
        self.err_info = regs::ERR_INFO.reset;
        self.dead = false;
        self.wipe();
    }

    /// `clear`'s and `esc`'s wipe: every register but ERR_INFO (and DEAD) to its reset value,
    /// any operation, command, block and GHASH gone.
    fn wipe(&mut self) {
        self.done = false;
        self.result = regs::RESULT.reset;
        self.ctrl = regs::CTRL.reset;
        self.block_bytes = regs::BLOCK_BYTES.reset;
        self.key = [0; KEY_LEN];
        self.iv = [0; BLOCK];
        self.tag_exp = [0; BLOCK];
        self.tag = [0; BLOCK];
        self.data_in = DataIn::default();
        self.data_out = DataOut::default();
        self.op = None;
        self.job = None;
        self.in_core = None;
        self.ghash_end = None;
    }

    /// The wipe when an operation ends: CV, H, E(K, J0), GHASH, the counters, the round keys (all
    /// in `op`), the buffered input and TAG_EXP. (No block or GHASH runs: the commands that end
    /// an operation are refused while BUSY.)
    fn end_op(&mut self) {
        self.op = None;
        self.data_in = DataIn::default();
        self.tag_exp = [0; BLOCK];
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn in_reset(&self) -> bool {
        self.input(RST_N) == 0
    }
    fn access_phase(&self) -> bool {
        !self.in_reset() && self.input(PSEL) == 1 && self.input(PENABLE) == 1
    }
    fn request(&self) -> ApbRequest {
        ApbRequest { paddr: self.input(PADDR), pwrite: self.input(PWRITE) == 1, pwdata: self.input(PWDATA), pstrb: self.input(PSTRB), pmaster: self.input(PMASTER) }
    }
    fn busy(&self) -> bool {
        self.job.is_some() || self.in_core.is_some() || self.ghash_end.is_some()
    }
    fn active(&self) -> bool {
        self.op.as_ref().is_some_and(|op| op.active)
    }

    /// A sideload port's key (word k holds bits 32k+31:32k). The DRBG's: byte j =
    /// `key_drbg[255-8j:248-8j]`; the OTP's, in the fuses' own layout: byte j = `key_otp[8j+7:8j]`.
    fn port_key(&self, port: usize) -> [u8; KEY_LEN] {
        let w = &self.inputs[port];
        let mut k = [0u8; KEY_LEN];
        for (i, chunk) in k.chunks_exact_mut(4).enumerate() {
            if port == KEY_OTP {
                chunk.copy_from_slice(&w[i].to_le_bytes());
            } else {
                chunk.copy_from_slice(&w[w.len() - 1 - i].to_be_bytes());
            }
        }
        k
    }

    fn status(&self) -> u32 {
        regs::STATUS_BUSY.put(self.busy() as u32)
            | regs::STATUS_DONE.put(self.done as u32)
            | regs::STATUS_ACTIVE.put(self.active() as u32)
            | regs::STATUS_IN_FULL.put(self.data_in.full() as u32)
            | regs::STATUS_OUT_VALID.put(self.data_out.valid as u32)
            | regs::STATUS_TEXT.put(self.op.as_ref().is_some_and(|op| op.active && op.text_phase()) as u32)
            | regs::STATUS_KEY_DRBG.put(self.input(KEY_DRBG_VALID))
            | regs::STATUS_KEY_OTP.put(self.input(KEY_OTP_VALID))
            | regs::STATUS_ERR.put((self.err_info != 0) as u32)
            | regs::STATUS_DEAD.put(self.dead as u32)
    }

    /// The outcome of the transfer in the current access cycle (it completes at the coming
    /// edge: the block never waits), or `None` outside an access cycle.
    fn bus_outcome(&self) -> Option<Result<Action, u32>> {
        if !self.access_phase() {
            return None;
        }
        let req = self.request();
        // The APB protocol first: nothing else about a malformed transfer is judged.
        if self.guard.violation(true, true, &req) {
            return Some(Err(regs::ERR_PROTOCOL));
        }
        Some(self.check(&req))
    }

    /// The common checks (unmapped, master, read-only/write-only, strobes), then the register's
    /// own; all on the state before the edge.
    fn check(&self, req: &ApbRequest) -> Result<Action, u32> {
        let (reg, i) = MAP.decode(req.paddr).ok_or(regs::ERR_UNMAPPED)?;
        if !reg.allows(req.pmaster, req.pwrite) {
            return Err(regs::ERR_MASTER);
        }
        if !req.pwrite && !reg.access.readable() {
            return Err(regs::ERR_READ_WO);
        }
        if req.pwrite && !reg.access.writable() {
            return Err(regs::ERR_WRITE_RO);
        }
        if req.pwrite && req.pstrb != 0b1111 {
            return Err(regs::ERR_STRB);
        }
        if req.pwrite {
            self.check_write(reg, i as usize, req.pwdata)
        } else {
            self.check_read(reg, i as usize)
        }
    }

    fn check_read(&self, reg: &Register, i: usize) -> Result<Action, u32> {
        let value = match reg.offset {
            o if o == regs::DATA_OUT.offset => {
                return if self.data_out.valid { Ok(Action::ReadOut(i, self.data_out.word(i))) } else { Err(regs::ERR_EMPTY) };
            }
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == regs::ERR_INFO.offset => self.err_info,
            o if o == regs::STATUS.offset => self.status(),
            o if o == regs::CTRL.offset => self.ctrl,
            o if o == regs::RESULT.offset => self.result,
            o if o == regs::BLOCK_BYTES.offset => self.block_bytes,
            o if o == regs::TAG.offset => word_of(&self.tag, i),
            _ => unreachable!("register {} is not readable", reg.name),
        };
        Ok(Action::Read(value))
    }

    /// A CTRL value the engine takes.
    fn ctrl_allowed(v: u32) -> bool {
        let tag_bytes = regs::CTRL_TAG_BYTES.get(v);
        v & !regs::CTRL.writable_mask() == 0 && regs::CTRL_KEY_SRC.get(v) != 3 && matches!(tag_bytes, 4 | 8 | 12..=16)
    }

    /// START's check at C: the usage policy for sideload keys (GCM only), and no OTP key on
    /// the unmasked engine. Judged on CTRL as it is before C (the value START would take).
    fn key_policy_refuses(&self, ctrl: u32) -> bool {
        let src = regs::CTRL_KEY_SRC.get(ctrl);
        let sideload = src == regs::KEY_SRC_DRBG || src == regs::KEY_SRC_OTP;
        (sideload && regs::CTRL_MODE.get(ctrl) != regs::MODE_GCM) || (src == regs::KEY_SRC_OTP && self.variant == Variant::Unmasked)
    }

    /// `mask_seed_taken` in the current cycle: the masked engine, `mask_seed_valid`, and a CMD
    /// write with OP_START completing at the coming edge without a bus error, passing
    /// RES_KEY_POLICY, at an edge with no `clear` or `esc` (a model has no fault wipe).
    /// Combinational from the bus inputs, like `pslverr`.
    fn mask_seed_taken(&self) -> bool {
        self.variant == Variant::Masked
            && !self.in_reset()
            && self.input(MASK_SEED_VALID) == 1
            && self.input(CLEAR) == 0
            && self.input(ESC) == 0
            && self.bus_outcome() == Some(Ok(Action::Cmd(regs::OP_START)))
            && !self.key_policy_refuses(self.ctrl)
    }

    fn check_write(&self, reg: &Register, i: usize, v: u32) -> Result<Action, u32> {
        let busy = || if self.busy() { Err(regs::ERR_BUSY) } else { Ok(()) };
        match reg.offset {
            o if o == regs::ERR_INFO.offset => Ok(Action::ClearErr),
            o if o == regs::CTRL.offset => {
                busy()?;
                if Self::ctrl_allowed(v) {
                    Ok(Action::Ctrl(v))
                } else {
                    Err(regs::ERR_VALUE)
                }
            }
            o if o == regs::CMD.offset => {
                let op = regs::CMD_OP.get(v);
                if !(regs::OP_START..=regs::OP_CLEAR).contains(&op) || v & !regs::CMD_OP.mask() != 0 {
                    Err(regs::ERR_VALUE)
                } else if self.dead {
                    Err(regs::ERR_FATAL)
                } else {
                    busy()?;
                    Ok(Action::Cmd(op))
                }
            }
            o if o == regs::BLOCK_BYTES.offset => {
                if self.data_in.marked != 0 {
                    Err(regs::ERR_BUSY)
                } else if !(1..=BLOCK as u32).contains(&v) {
                    Err(regs::ERR_VALUE)
                } else {
                    Ok(Action::BlockBytes(v))
                }
            }
            o if o == regs::KEY.offset => busy().map(|_| Action::Key(i, v)),
            o if o == regs::IV.offset => busy().map(|_| Action::Iv(i, v)),
            o if o == regs::TAG_EXP.offset => busy().map(|_| Action::TagExp(i, v)),
            o if o == regs::DATA_IN.offset => {
                let op = match &self.op {
                    Some(op) if op.active && !op.partial && !op.at_length_limit() => op,
                    _ => return Err(regs::ERR_STATE),
                };
                if self.data_in.full() {
                    Err(regs::ERR_BUSY)
                } else if matches!(op.mode(), regs::MODE_ECB | regs::MODE_CBC) && self.block_bytes != BLOCK as u32 {
                    Err(regs::ERR_VALUE)
                } else {
                    Ok(Action::DataIn(i, v))
                }
            }
            _ => unreachable!("register {} is not writable", reg.name),
        }
    }

    /// ERR_INFO: the first refusal since the last clear; later ones only set OVERFLOW.
    fn log_error(&mut self, code: u32, req: &ApbRequest) {
        if self.err_info == 0 {
            self.err_info = regs::ERR_INFO_CODE.put(code)
                | regs::ERR_INFO_MASTER.put(req.pmaster)
                | regs::ERR_INFO_WRITE.put(req.pwrite as u32)
                | regs::ERR_INFO_ADDR.put(req.paddr);
        } else {
            self.err_info |= regs::ERR_INFO_OVERFLOW.put(1);
        }
    }

    /// The edge C that takes command `op`: DONE and RESULT clear, the README's checks in its
    /// order on the state before C, and what the command does at C.
    fn command(&mut self, op: u32, now: u64) {
        self.done = false;
        self.result = 0;
        let fail = |error| Stage::Finish { at: now + 1, error };
        let ok_at = |at| Stage::Finish { at, error: regs::RES_OK };
        let pending = self.data_in.marked != 0;
        let stage = match op {
            // RES_KEY_POLICY at C, before the wipe: it changes nothing.
            regs::OP_START if self.key_policy_refuses(self.ctrl) => fail(regs::RES_KEY_POLICY),
            regs::OP_START => {
                // The masked engine takes the seed at C if its port holds one (this edge has no
                // clear or esc that matters: their wipe at step 6 drops the operation anyway).
                let seed = self.variant == Variant::Masked && self.input(MASK_SEED_VALID) == 1;
                self.end_op();
                self.data_out = DataOut::default();
                self.tag = [0; BLOCK];
                self.op = Some(Op::new(self.ctrl, self.iv, seed));
                Stage::KeyLoad { at: now + 1 }
            }
            regs::OP_TEXT => match &self.op {
                Some(o) if o.active => {
                    if !o.gcm() || o.text {
                        fail(regs::RES_SEQUENCE)
                    } else if pending {
                        fail(regs::RES_PENDING)
                    } else {
                        ok_at(now + 1)
                    }
                }
                _ => fail(regs::RES_NOT_ACTIVE),
            },
            regs::OP_FINAL => match self.op.as_ref().map(|o| (o.active, o.gcm())) {
                Some((true, _)) if pending => fail(regs::RES_PENDING),
                Some((true, true)) => {
                    // ACTIVE clears at C; the length block's GHASH runs from C; the tag at C + F.
                    if let Some(o) = self.op.as_mut() {
                        o.active = false;
                    }
                    ok_at(now + FINAL_EDGES_GCM)
                }
                Some((true, false)) => {
                    self.end_op();
                    ok_at(now + 1)
                }
                _ => fail(regs::RES_NOT_ACTIVE),
            },
            regs::OP_CLEAR => {
                self.end_op();
                self.key = [0; KEY_LEN];
                self.iv = [0; BLOCK];
                self.data_out = DataOut::default();
                self.tag = [0; BLOCK];
                ok_at(now + 1)
            }
            op => unreachable!("CMD.OP {op} passed the bus check"),
        };
        self.job = Some(Job { op, c: now, stage });
    }

    /// START at C + 1: the key from its source into the core, or RES_NO_KEY, then (masked)
    /// RES_NO_ENTROPY.
    fn load_key(&mut self, job: &Job) -> Stage {
        let Some((ctrl, seed)) = self.op.as_ref().map(|o| (o.ctrl, o.seed)) else { unreachable!("START's operation is open until its key load") };
        let key = match regs::CTRL_KEY_SRC.get(ctrl) {
            regs::KEY_SRC_REGS => Some(self.key),
            regs::KEY_SRC_DRBG => (self.input(KEY_DRBG_VALID) == 1).then(|| self.port_key(KEY_DRBG)),
            regs::KEY_SRC_OTP => (self.input(KEY_OTP_VALID) == 1).then(|| self.port_key(KEY_OTP)),
            src => unreachable!("CTRL.KEY_SRC {src} passed the bus check"),
        };
        let refusal = if key.is_none() {
            Some(regs::RES_NO_KEY)
        } else if self.variant == Variant::Masked && !seed {
            Some(regs::RES_NO_ENTROPY)
        } else {
            None
        };
        let (None, Some(key), Some(op)) = (refusal, key, self.op.as_mut()) else {
            self.end_op();
            return Stage::Finish { at: job.c + 1, error: refusal.unwrap_or(regs::RES_NO_KEY) };
        };
        let klen = op.klen();
        op.key = key[..16 * (klen + 1)].to_vec();
        op.cipher = Some(Cipher::new(&op.key).expect("16 or 32 bytes"));
        let edges = if op.gcm() { self.timing.start_gcm[klen] } else { self.timing.start[klen] };
        Stage::Finish { at: job.c + edges, error: regs::RES_OK }
    }

    /// GCM FINAL at C + F: the tag, stored (encrypt) or compared with TAG_EXP (decrypt). Returns RESULT.ERROR.
    fn gcm_tag(&mut self) -> u32 {
        let Some(op) = self.op.as_ref() else { unreachable!("GCM FINAL's operation is open until its end") };
        let (ct, tag) = aes_ref::gcm_seal(&op.key, &op.iv96(), &op.aad, &op.pt).unwrap_or_else(|e| panic!("GCM tag: {e}"));
        // The data path (the `aes` crate, CV and inc32 here) against `aes-gcm`.
        assert!(ct == op.ct, "model's GCM text disagrees with aes-gcm");
        if !op.decrypt() {
            self.tag = tag;
            return regs::RES_OK;
        }
        let n = regs::CTRL_TAG_BYTES.get(op.ctrl) as usize;
        // One XOR-OR over the compared bytes, as the engine does it.
        let diff = tag.iter().zip(self.tag_exp).take(n).fold(0u8, |d, (a, b)| d | (a ^ b));
        if diff == 0 {
            regs::RES_OK
        } else {
            regs::RES_TAG_MISMATCH
        }
    }

    /// A command's end: its effect on success, DONE and RESULT.
    fn finish(&mut self, op: u32, mut error: u32) {
        if error == regs::RES_OK {
            match op {
                regs::OP_START => {
                    if let Some(o) = self.op.as_mut() {
                        o.active = true;
                    }
                }
                regs::OP_TEXT => {
                    if let Some(o) = self.op.as_mut() {
                        o.text = true;
                        o.partial = false;
                    }
                }
                // GCM (ECB/CBC/CTR ended the operation at C).
                regs::OP_FINAL if self.op.is_some() => {
                    error = self.gcm_tag();
                    self.end_op();
                }
                _ => {}
            }
        }
        self.done = true;
        self.result = regs::RESULT_ERROR.put(error) | regs::RESULT_OP.put(op);
    }

    /// Step 2 of the edge, for the command that ran before it.
    fn advance(&mut self, mut job: Job, now: u64) {
        match job.stage {
            Stage::KeyLoad { at } if at == now => {
                job.stage = self.load_key(&job);
                if let Stage::Finish { at, error } = job.stage {
                    if at == now {
                        return self.finish(job.op, error);
                    }
                }
            }
            Stage::Finish { at, error } if at == now => return self.finish(job.op, error),
            _ => {}
        }
        self.job = Some(job);
    }

    /// A block may be taken at the coming edge (from the state before it).
    fn take_ready(&self) -> bool {
        let Some(op) = &self.op else { return false };
        let phase_free = if op.text_phase() { !self.data_out.valid } else { self.ghash_end.is_none() };
        op.active && self.in_core.is_none() && self.data_in.full() && phase_free
    }

    /// Step 5: the block in `DATA_IN` (`block`, `n` valid bytes) is taken at T = `now`.
    fn take(&mut self, block: Block, n: usize, now: u64) {
        let block_edges = self.timing.block;
        let Some(op) = self.op.as_mut() else { unreachable!("a block is taken only while ACTIVE") };
        self.data_in = DataIn::default();
        let mut block = block;
        block[n..].fill(0);
        op.partial |= n < BLOCK;
        if op.text_phase() {
            op.c_bytes += n as u64;
        } else {
            op.a_bytes += n as u64;
        }
        if !op.text_phase() {
            // AAD: its GHASH starts at T.
            op.aad.extend_from_slice(&block[..n]);
            self.ghash_end = Some(now + GHASH_EDGES);
            return;
        }
        let Some(cipher) = op.cipher.as_ref() else { unreachable!("the key is in the core before ACTIVE") };
        let mut out = match (op.mode(), op.decrypt()) {
            (regs::MODE_ECB, false) => cipher.encrypt(&block),
            (regs::MODE_ECB, true) => cipher.decrypt(&block),
            (regs::MODE_CBC, false) => {
                op.cv = cipher.encrypt(&xor(&block, &op.cv));
                op.cv
            }
            (regs::MODE_CBC, true) => {
                let p = xor(&cipher.decrypt(&block), &op.cv);
                op.cv = block;
                p
            }
            (regs::MODE_CTR, _) => {
                let ks = cipher.encrypt(&op.cv);
                op.cv = u128::from_be_bytes(op.cv).wrapping_add(1).to_be_bytes();
                xor(&block, &ks)
            }
            _ => {
                // GCM: CV = inc32(CV), then the keystream block.
                let ctr = u32::from_be_bytes([op.cv[12], op.cv[13], op.cv[14], op.cv[15]]).wrapping_add(1);
                op.cv[12..].copy_from_slice(&ctr.to_be_bytes());
                xor(&block, &cipher.encrypt(&op.cv))
            }
        };
        out[n..].fill(0);
        if op.gcm() {
            let (p, c) = if op.decrypt() { (&out, &block) } else { (&block, &out) };
            op.pt.extend_from_slice(&p[..n]);
            op.ct.extend_from_slice(&c[..n]);
        }
        self.in_core = Some(InCore { done_at: now + block_edges[op.klen()], out, ghash: op.gcm() });
    }

    /// Rising edge `now` with `rst_n` high; every decision uses the state before it.
    fn rising_edge(&mut self, now: u64) {
        let req = self.request();
        let outcome = self.bus_outcome();
        let take = self.take_ready().then(|| (self.data_in.block(), self.block_bytes as usize));
        let running = self.job.take();

        // 1. The transfer completing at this edge.
        match outcome {
            Some(Ok(Action::Read(_))) | None => {}
            Some(Ok(Action::ReadOut(i, _))) => {
                self.data_out.read |= 1 << i;
                if self.data_out.read == 0xF {
                    self.data_out = DataOut::default();
                }
            }
            Some(Ok(Action::ClearErr)) => self.err_info = 0,
            Some(Ok(Action::Ctrl(v))) => self.ctrl = v,
            Some(Ok(Action::BlockBytes(v))) => self.block_bytes = v,
            Some(Ok(Action::Key(i, v))) => put_word(&mut self.key, i, v),
            Some(Ok(Action::Iv(i, v))) => put_word(&mut self.iv, i, v),
            Some(Ok(Action::TagExp(i, v))) => put_word(&mut self.tag_exp, i, v),
            Some(Ok(Action::DataIn(i, v))) => {
                self.data_in.words[i] = v;
                self.data_in.marked |= 1 << i;
            }
            Some(Ok(Action::Cmd(op))) => self.command(op, now),
            Some(Err(code)) => self.log_error(code, &req),
        }
        // 2. The command that ran before this edge (a CMD is refused while one runs).
        if let Some(job) = running {
            self.advance(job, now);
        }
        // 3. A GHASH multiply ends.
        if self.ghash_end == Some(now) {
            self.ghash_end = None;
        }
        // 4. The text block in the core comes out; GCM's GHASH of the ciphertext starts.
        if let Some(b) = self.in_core.filter(|b| b.done_at == now) {
            self.in_core = None;
            self.data_out = DataOut { block: b.out, valid: true, read: 0 };
            if b.ghash {
                self.ghash_end = Some(now + GHASH_EDGES);
            }
        }
        // 5. The waiting block, unless a command ended the operation at this edge.
        if let Some((block, n)) = take {
            if self.active() {
                self.take(block, n, now);
            }
        }
        // 6. clear and esc: the wipe wins over any register written at this edge.
        let (clear, esc) = (self.input(CLEAR) == 1, self.input(ESC) == 1);
        if clear || esc {
            self.wipe();
            if clear {
                self.err_info = regs::ERR_INFO.reset;
            }
            if esc {
                self.dead = true;
            }
        }
    }
}

impl Dut for AesModel {
    fn name(&self) -> &str {
        self.variant.module()
    }

    fn ports(&self) -> &[Port] {
        &self.ports
    }

    fn poke(&mut self, port: usize, value: &[u32]) {
        let p = &self.ports[port];
        assert_eq!(p.dir, Dir::In, "poke of output port {}", p.name);
        if port == CLOCK {
            return; // the clock is driven by step()
        }
        let width = p.width;
        crate::ports::store_masked(&mut self.inputs[port], width, value);
        // Asynchronous reset: takes effect as soon as rst_n is low.
        if self.in_reset() {
            self.reset();
        }
    }

    fn peek(&mut self, port: usize, value: &mut [u32]) {
        value.fill(0);
        let out = match port {
            // The block never waits.
            PREADY => 1,
            // Read data only in the cycle of an allowed read.
            PRDATA => match self.bus_outcome() {
                Some(Ok(Action::Read(v) | Action::ReadOut(_, v))) => v,
                _ => 0,
            },
            PSLVERR => matches!(self.bus_outcome(), Some(Err(_))) as u32,
            p if p == self.intr_done => (self.done && !self.in_reset()) as u32,
            // Integrity faults cannot happen in a model.
            p if p == self.alert_fatal => 0,
            MASK_SEED_TAKEN if self.variant == Variant::Masked => self.mask_seed_taken() as u32,
            _ => {
                // Inputs read back as poked (the clock reads 0 between steps).
                let n = value.len().min(self.inputs[port].len());
                value[..n].copy_from_slice(&self.inputs[port][..n]);
                return;
            }
        };
        if let Some(v) = value.first_mut() {
            *v = out;
        }
    }

    fn step(&mut self) {
        let now = self.edge + 1;
        self.edge = now;
        if self.in_reset() {
            self.reset();
            return;
        }
        // The protocol check's next state, from the bus before the edge (pready is always 1).
        let req = self.request();
        let mut guard = self.guard;
        guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, true, &req);
        self.rising_edge(now);
        self.guard = guard;
    }
}

#[cfg(test)]
mod tests {
    //! Every expected value here comes from the standards (FIPS 197 appendix C, SP 800-38A
    //! appendix F, the test cases of McGrew and Viega's GCM specification), the README or the
    //! register map; never from the model's own state. Edge numbers are the test's own count
    //! (`Apb::edges`); `m.status()` and `now()` sample, between two edges, exactly what a STATUS
    //! (or other register) read would return in that cycle.

    use super::*;
    use crate::test_apb::{Apb, Done};
    use pluton_regs::aes::regs::*;
    // The timing as the map publishes it (not the model's copies).
    use pluton_regs::aes::regs::{BLOCK_EDGES, BLOCK_EDGES_MASKED, FINAL_EDGES_GCM, GHASH_EDGES, START_EDGES, START_EDGES_GCM, START_EDGES_GCM_MASKED, START_EDGES_MASKED};

    const BUSY: u32 = STATUS_BUSY.mask();
    const DONE: u32 = STATUS_DONE.mask();
    const ACTIVE: u32 = STATUS_ACTIVE.mask();
    const IN_FULL: u32 = STATUS_IN_FULL.mask();
    const OUT_VALID: u32 = STATUS_OUT_VALID.mask();
    const TEXT: u32 = STATUS_TEXT.mask();
    const ERR: u32 = STATUS_ERR.mask();
    const DEAD: u32 = STATUS_DEAD.mask();
    const G: u64 = GHASH_EDGES as u64;

    // FIPS 197 appendix C.1 and C.3.
    const FIPS_PT: &str = "00112233445566778899aabbccddeeff";
    const FIPS_KEY128: &str = "000102030405060708090a0b0c0d0e0f";
    const FIPS_CT128: &str = "69c4e0d86a7b0430d8cdb78070b4c55a";
    const FIPS_KEY256: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const FIPS_CT256: &str = "8ea2b7ca516745bfeafc49904b496089";
    // SP 800-38A appendix F: the key, plaintext and IVs of F.2 (CBC) and F.5 (CTR).
    const SP_KEY128: &str = "2b7e151628aed2a6abf7158809cf4f3c";
    const SP_KEY256: &str = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    const SP_PT: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    const SP_CBC_IV: &str = "000102030405060708090a0b0c0d0e0f";
    const SP_CBC_CT: &str = "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7";
    const SP_CTR_IV: &str = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    const SP_CTR_CT128: &str = "874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee";
    const SP_CTR_CT256: &str = "601ec313775789a5b7a7f504bbf3d228 f443e3ca4d62b59aca84e990cacaf5c5 2b0930daa23de94ce87017ba2d84988d dfc9c58db67aada613c2dd08457941a6";
    // The GCM specification (McGrew, Viega), test cases 4 and 16: 20 bytes of AAD, 60 of text.
    const GCM_KEY: &str = "feffe9928665731c6d6a8f9467308308";
    const GCM_IV: &str = "cafebabefacedbaddecaf888";
    const GCM_AAD: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    const GCM_PT: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    const GCM_CT4: &str = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
    const GCM_TAG4: &str = "5bc94fbc3221a5db94fae95ae7121a47";
    const GCM_CT16: &str = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
    const GCM_TAG16: &str = "76fc6ece0f4e1768cddf8853bb2d551b";
    // Test cases 1 and 2 (zero key, zero IV): the tag of nothing is E(K, J0); H = E(0, 0).
    const GCM_TAG1: &str = "58e2fccefa7e3061367f1d57a4e7455a";
    const GCM_CT2: &str = "0388dace60b6a392f328c2b971b2fe78";
    const GCM_TAG2: &str = "ab6e47d42cec13bdf53a67b21257bddf";
    const H_ZERO_KEY: &str = "66e94bd4ef8a2c3b884cfa59ca342b2e";
    const H_GCM_KEY: &str = "b83b533708bf535d0aa6e52980d53b78";

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("test constant in hex")).collect()
    }

    const VARIANTS: [Variant; 2] = [Variant::Unmasked, Variant::Masked];

    /// A model of `pluton_aes` out of reset and a bus master for it.
    fn setup() -> (AesModel, Apb) {
        setup_variant(Variant::Unmasked)
    }

    /// The same for either engine; the masked one with a seed waiting at its port (which the
    /// test's source never empties: the model does not care which seed it takes).
    fn setup_variant(v: Variant) -> (AesModel, Apb) {
        let mut m = match v {
            Variant::Unmasked => AesModel::new(),
            Variant::Masked => AesModel::masked(),
        };
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        if v == Variant::Masked {
            m.poke(MASK_SEED, &[0x9E37_79B9; 8]);
            m.poke_u32(MASK_SEED_VALID, 1);
        }
        (m, apb)
    }

    /// `START_EDGES`, `START_EDGES_GCM` and `BLOCK_EDGES` of each engine, from the README's
    /// "Variants" table as the map publishes them.
    fn published_timing(v: Variant) -> ([u32; 2], [u32; 2], [u32; 2]) {
        match v {
            Variant::Unmasked => (START_EDGES, START_EDGES_GCM, BLOCK_EDGES),
            Variant::Masked => (START_EDGES_MASKED, START_EDGES_GCM_MASKED, BLOCK_EDGES_MASKED),
        }
    }

    fn intr_done(m: &mut AesModel) -> u32 {
        let p = m.port_id("intr_done").expect("intr_done");
        m.peek_u32(p)
    }
    fn alert_fatal(m: &mut AesModel) -> u32 {
        let p = m.port_id("alert_fatal").expect("alert_fatal");
        m.peek_u32(p)
    }
    /// `mask_seed_taken` now (the masked engine's only).
    fn seed_taken(m: &mut AesModel) -> u32 {
        let p = m.port_id("mask_seed_taken").expect("the masked engine's mask_seed_taken");
        m.peek_u32(p)
    }

    // The shared checked accesses of `crate::test_apb`, on this block's ERR_INFO.
    fn read(m: &mut AesModel, apb: &mut Apb, reg: Register) -> u32 {
        apb.read_ok(m, &reg)
    }
    fn write(m: &mut AesModel, apb: &mut Apb, reg: Register, v: u32) {
        apb.write_ok(m, &reg, v)
    }
    fn take_code(m: &mut AesModel, apb: &mut Apb) -> u32 {
        apb.take_code(m, &ERR_INFO)
    }
    fn refused(m: &mut AesModel, apb: &mut Apb, write: bool, addr: u32, data: u32, strb: u32, master: u32) -> u32 {
        apb.refused(m, &ERR_INFO, write, addr, data, strb, master)
    }
    fn refused_write(m: &mut AesModel, apb: &mut Apb, addr: u32, v: u32) -> u32 {
        refused(m, apb, true, addr, v, 0b1111, MASTER_SEC)
    }
    fn refused_read(m: &mut AesModel, apb: &mut Apb, addr: u32) -> u32 {
        refused(m, apb, false, addr, 0, 0, MASTER_SEC)
    }

    /// What a read of word 0 of `reg` would return in the current cycle (no edge taken).
    fn now(m: &AesModel, reg: Register) -> u32 {
        match m.check_read(&reg, 0) {
            Ok(Action::Read(v) | Action::ReadOut(_, v)) => v,
            other => panic!("{} not readable now: {other:?}", reg.name),
        }
    }

    /// Step until the edge count is `edge` (the next check sees the state after that edge).
    fn step_to(m: &mut AesModel, apb: &mut Apb, edge: u64) {
        assert!(apb.edges <= edge, "already past edge {edge} (at {})", apb.edges);
        while apb.edges < edge {
            apb.step(m);
        }
    }

    fn ctrl(mode: u32, decrypt: bool, key256: bool, src: u32, tag_bytes: u32) -> u32 {
        CTRL_MODE.put(mode) | CTRL_DECRYPT.put(decrypt as u32) | CTRL_KEY256.put(key256 as u32) | CTRL_KEY_SRC.put(src) | CTRL_TAG_BYTES.put(tag_bytes)
    }
    /// CTRL for the KEY registers, 16 tag bytes, AES-256 for a 32-byte key.
    fn ctrl_for(mode: u32, decrypt: bool, key: &[u8]) -> u32 {
        ctrl(mode, decrypt, key.len() == 32, KEY_SRC_REGS, 16)
    }
    fn res(op: u32, error: u32) -> u32 {
        RESULT_OP.put(op) | RESULT_ERROR.put(error)
    }

    /// Bytes into a multi-word register from word 0, in memory order (byte 4i in bits 7:0).
    fn write_bytes(m: &mut AesModel, apb: &mut Apb, reg: Register, bytes: &[u8]) {
        assert!(bytes.len().is_multiple_of(4) && bytes.len() <= 4 * reg.count as usize);
        for (i, c) in bytes.chunks_exact(4).enumerate() {
            let d = apb.write(m, reg.addr(i as u32), u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
            assert!(!d.err, "{}[{i}] refused", reg.name);
        }
    }

    /// Every word of a register, as bytes in memory order.
    fn read_bytes(m: &mut AesModel, apb: &mut Apb, reg: Register) -> Vec<u8> {
        (0..reg.count)
            .flat_map(|i| {
                let d = apb.read(m, reg.addr(i));
                assert!(!d.err, "{}[{i}] refused", reg.name);
                d.data.to_le_bytes()
            })
            .collect()
    }

    /// Read STATUS until `done(status)`.
    fn wait_for(m: &mut AesModel, apb: &mut Apb, what: &str, done: impl Fn(u32) -> bool) -> u32 {
        for _ in 0..10_000 {
            let st = read(m, apb, STATUS);
            if done(st) {
                return st;
            }
        }
        panic!("STATUS never showed {what}");
    }

    /// A command as software runs it: wait for BUSY to drop, write CMD, wait for DONE; RESULT.
    fn command(m: &mut AesModel, apb: &mut Apb, op: u32) -> u32 {
        wait_for(m, apb, "idle", |st| st & BUSY == 0);
        write(m, apb, CMD, CMD_OP.put(op));
        wait_for(m, apb, "DONE", |st| st & DONE != 0);
        read(m, apb, RESULT)
    }

    /// CTRL, KEY (its first bytes), IV, then START, which must succeed.
    fn start(m: &mut AesModel, apb: &mut Apb, ctrl: u32, key: &[u8], iv: &[u8]) {
        write(m, apb, CTRL, ctrl);
        write_bytes(m, apb, KEY, key);
        let mut iv16 = [0u8; 16];
        iv16[..iv.len()].copy_from_slice(iv);
        write_bytes(m, apb, IV, &iv16);
        assert_eq!(command(m, apb, OP_START), res(OP_START, RES_OK));
        assert_eq!(read(m, apb, STATUS) & (ACTIVE | BUSY), ACTIVE);
    }

    /// One block into DATA_IN: BLOCK_BYTES set first if it is short, and the bytes past it
    /// filled with junk the engine must ignore.
    fn put_block(m: &mut AesModel, apb: &mut Apb, chunk: &[u8]) {
        if chunk.len() < 16 {
            write(m, apb, BLOCK_BYTES, chunk.len() as u32);
        }
        let mut b = [0xA5u8; 16];
        b[..chunk.len()].copy_from_slice(chunk);
        write_bytes(m, apb, DATA_IN, &b);
    }

    /// After a short block: wait until it is taken, then BLOCK_BYTES back to 16.
    fn restore_block_bytes(m: &mut AesModel, apb: &mut Apb, n: usize) {
        if n < 16 {
            wait_for(m, apb, "the block taken", |st| st & IN_FULL == 0);
            write(m, apb, BLOCK_BYTES, 16);
        }
    }

    /// Text through the open operation, block by block: what DATA_OUT gives (bytes past a
    /// short block's length must read 0).
    fn text(m: &mut AesModel, apb: &mut Apb, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for chunk in data.chunks(16) {
            put_block(m, apb, chunk);
            wait_for(m, apb, "OUT_VALID", |st| st & OUT_VALID != 0);
            let b = read_bytes(m, apb, DATA_OUT);
            assert!(b[chunk.len()..].iter().all(|&x| x == 0), "bytes past BLOCK_BYTES read {b:02x?}");
            out.extend_from_slice(&b[..chunk.len()]);
            restore_block_bytes(m, apb, chunk.len());
        }
        assert_eq!(read(m, apb, STATUS) & OUT_VALID, 0, "DATA_OUT read in full");
        out
    }

    /// GCM AAD through the open operation: each block absorbed, nothing out.
    fn aad(m: &mut AesModel, apb: &mut Apb, data: &[u8]) {
        for chunk in data.chunks(16) {
            put_block(m, apb, chunk);
            wait_for(m, apb, "the block absorbed", |st| st & (IN_FULL | BUSY) == 0);
            assert_eq!(read(m, apb, STATUS) & (OUT_VALID | TEXT), 0);
            restore_block_bytes(m, apb, chunk.len());
        }
    }

    /// One whole operation in ECB, CBC or CTR: START, the text, FINAL; the output.
    fn run(m: &mut AesModel, apb: &mut Apb, mode: u32, decrypt: bool, key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8> {
        start(m, apb, ctrl_for(mode, decrypt, key), key, iv);
        let out = text(m, apb, data);
        assert_eq!(command(m, apb, OP_FINAL), res(OP_FINAL, RES_OK));
        out
    }

    /// One GCM operation: START (TAG_EXP written after it), the AAD, OP_TEXT, the text, FINAL.
    /// Returns the text out, RESULT of FINAL and TAG.
    #[allow(clippy::too_many_arguments)]
    fn gcm(m: &mut AesModel, apb: &mut Apb, key: &[u8], iv: &[u8], a: &[u8], data: &[u8], tag_exp: Option<(&[u8], u32)>) -> (Vec<u8>, u32, Vec<u8>) {
        gcm_from(m, apb, KEY_SRC_REGS, key, iv, a, data, tag_exp)
    }

    /// The same with the key from `src`: the KEY registers get `key` from KEY_SRC_REGS, else a
    /// junk key of the same length (the test drives the port with `key`).
    #[allow(clippy::too_many_arguments)]
    fn gcm_from(m: &mut AesModel, apb: &mut Apb, src: u32, key: &[u8], iv: &[u8], a: &[u8], data: &[u8], tag_exp: Option<(&[u8], u32)>) -> (Vec<u8>, u32, Vec<u8>) {
        let decrypt = tag_exp.is_some();
        let tag_bytes = tag_exp.map_or(16, |t| t.1);
        let junk = vec![0x33; key.len()];
        let regs_key = if src == KEY_SRC_REGS { key } else { &junk[..] };
        start(m, apb, ctrl(MODE_GCM, decrypt, key.len() == 32, src, tag_bytes), regs_key, iv);
        if let Some((t, _)) = tag_exp {
            write_bytes(m, apb, TAG_EXP, t);
        }
        assert_eq!(read(m, apb, STATUS) & TEXT, 0, "GCM starts in its AAD phase");
        aad(m, apb, a);
        assert_eq!(command(m, apb, OP_TEXT), res(OP_TEXT, RES_OK));
        assert_eq!(read(m, apb, STATUS) & (TEXT | ACTIVE), TEXT | ACTIVE);
        let out = text(m, apb, data);
        let r = command(m, apb, OP_FINAL);
        (out, r, read_bytes(m, apb, TAG))
    }

    /// `key_*` port words for a key, byte j in bits 255-8j:248-8j.
    fn port_words(key: &[u8; 32]) -> [u32; 8] {
        std::array::from_fn(|k| u32::from_be_bytes([key[28 - 4 * k], key[29 - 4 * k], key[30 - 4 * k], key[31 - 4 * k]]))
    }

    /// A security-core transfer whose completing access cycle also sees `pokes` (back to 0
    /// after that edge).
    fn transfer_at_completion(m: &mut AesModel, apb: &mut Apb, write: bool, addr: u32, data: u32, pokes: &[(usize, u32)]) -> Done {
        let strb = if write { 0xF } else { 0 };
        transfer_seeing_taken(m, apb, write, addr, data, strb, MASTER_SEC, pokes).0
    }

    /// The same with any strobe and master, also returning `mask_seed_taken` in the access
    /// cycle (`None` on `pluton_aes`); it must be 0 in the setup cycle and after the edge (bus
    /// idle again).
    #[allow(clippy::too_many_arguments)]
    fn transfer_seeing_taken(m: &mut AesModel, apb: &mut Apb, write: bool, addr: u32, data: u32, strb: u32, master: u32, pokes: &[(usize, u32)]) -> (Done, Option<u32>) {
        let taken = m.port_id("mask_seed_taken");
        for (port, v) in [(PSEL, 1), (PENABLE, 0), (PWRITE, write as u32), (PADDR, addr), (PWDATA, data), (PSTRB, strb), (PMASTER, master)] {
            m.poke_u32(port, v);
        }
        if let Some(t) = taken {
            assert_eq!(m.peek_u32(t), 0, "mask_seed_taken in a setup cycle");
        }
        apb.step(m);
        m.poke_u32(PENABLE, 1);
        for &(port, v) in pokes {
            m.poke_u32(port, v);
        }
        let seen = taken.map(|t| m.peek_u32(t));
        let done = Done { data: m.peek_u32(PRDATA), err: m.peek_u32(PSLVERR) == 1, waits: 0 };
        apb.step(m);
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        for &(port, _) in pokes {
            m.poke_u32(port, 0);
        }
        if let Some(t) = taken {
            assert_eq!(m.peek_u32(t), 0, "mask_seed_taken after the edge, bus idle");
        }
        (done, seen)
    }

    /// A CMD write of OP_START by the security core, which must complete without a bus error;
    /// `mask_seed_taken` in its access cycle (`None` on `pluton_aes`).
    fn write_start(m: &mut AesModel, apb: &mut Apb) -> Option<u32> {
        let (d, taken) = transfer_seeing_taken(m, apb, true, CMD.offset, OP_START, 0xF, MASTER_SEC, &[]);
        assert!(!d.err, "CMD <- OP_START refused");
        taken
    }

    /// The edge of one write (the test's count after it).
    fn write_at(m: &mut AesModel, apb: &mut Apb, reg: Register, i: u32, v: u32) -> u64 {
        let d = apb.write(m, reg.addr(i), v);
        assert!(!d.err, "{}[{i}] <- {v:#x} refused", reg.name);
        apb.edges
    }

    #[test]
    fn ports_in_order() {
        let m = AesModel::new();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "prdata", "pready", "pslverr", "key_drbg", "key_drbg_valid",
                "key_otp", "key_otp_valid", "clear", "esc", "intr_done", "alert_fatal"
            ]
        );
        let widths: Vec<u32> = m.ports().iter().map(|p| p.width).collect();
        assert_eq!(widths, [1, 1, 1, 1, 1, 12, 32, 4, 4, 32, 1, 1, 256, 1, 256, 1, 1, 1, 1, 1]);
        let outs: Vec<&str> = m.ports().iter().filter(|p| p.dir == Dir::Out).map(|p| p.name.as_str()).collect();
        assert_eq!(outs, ["prdata", "pready", "pslverr", "intr_done", "alert_fatal"]);
        assert_eq!(m.name(), "pluton_aes");
        assert_eq!((AesModel::default().variant(), m.variant()), (Variant::Unmasked, Variant::Unmasked));
    }

    /// `pluton_aes_masked`: the same ports with `mask_seed` (256), `mask_seed_valid` (1) and
    /// `mask_seed_taken` (out, 1) after `esc` and before `intr_done` (README "Mask seed").
    #[test]
    fn masked_ports_in_order() {
        let m = AesModel::masked();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "prdata", "pready", "pslverr", "key_drbg", "key_drbg_valid",
                "key_otp", "key_otp_valid", "clear", "esc", "mask_seed", "mask_seed_valid", "mask_seed_taken", "intr_done", "alert_fatal"
            ]
        );
        let widths: Vec<u32> = m.ports().iter().map(|p| p.width).collect();
        assert_eq!(widths, [1, 1, 1, 1, 1, 12, 32, 4, 4, 32, 1, 1, 256, 1, 256, 1, 1, 1, 256, 1, 1, 1, 1]);
        let outs: Vec<&str> = m.ports().iter().filter(|p| p.dir == Dir::Out).map(|p| p.name.as_str()).collect();
        assert_eq!(outs, ["prdata", "pready", "pslverr", "mask_seed_taken", "intr_done", "alert_fatal"]);
        assert_eq!((m.name(), m.variant()), ("pluton_aes_masked", Variant::Masked));
        assert_eq!(AesModel::with_variant(Variant::Masked).ports(), m.ports());
        assert_eq!(AesModel::new().port_id("mask_seed_taken"), None, "pluton_aes has no mask seed ports");
    }

    #[test]
    fn id_for_every_master_and_reset_values() {
        let (mut m, mut apb) = setup();
        for master in 0..16 {
            let d = apb.transfer(&mut m, false, ID.offset, 0, 0, master);
            assert_eq!((d.data, d.err, d.waits), (0x4145_0100, false, 0), "master {master}");
        }
        for reg in [ERR_INFO, STATUS, RESULT] {
            assert_eq!(read(&mut m, &mut apb, reg), 0, "{}", reg.name);
        }
        assert_eq!(read(&mut m, &mut apb, CTRL), 16 << 8, "ECB, encrypt, AES-128, KEY registers, 16 tag bytes");
        assert_eq!(read(&mut m, &mut apb, BLOCK_BYTES), 16);
        assert_eq!(read_bytes(&mut m, &mut apb, TAG), [0; 16]);
        assert_eq!((intr_done(&mut m), alert_fatal(&mut m)), (0, 0));
        for port in [PRDATA, PSLVERR] {
            assert_eq!(m.peek_u32(port), 0);
        }
        assert_eq!(m.peek_u32(PREADY), 1);
        // In reset every output is idle, even in an access cycle.
        m.poke_u32(RST_N, 0);
        m.poke_u32(PSEL, 1);
        m.poke_u32(PENABLE, 1);
        assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR), m.peek_u32(PRDATA), intr_done(&mut m)), (1, 0, 0, 0));
        // The masked engine's mask_seed_taken too, even for a START with a seed waiting.
        let (mut m, _apb) = setup_variant(Variant::Masked);
        for (port, v) in [(PWRITE, 1), (PADDR, CMD.offset), (PWDATA, OP_START), (PSTRB, 0xF), (PMASTER, MASTER_SEC), (PSEL, 1), (PENABLE, 1)] {
            m.poke_u32(port, v);
        }
        m.poke_u32(RST_N, 0);
        assert_eq!((seed_taken(&mut m), intr_done(&mut m), alert_fatal(&mut m), m.peek_u32(PSLVERR)), (0, 0, 0, 0));
    }

    /// FIPS 197 appendix C.1 (AES-128) and C.3 (AES-256), both directions. Word 0 of DATA_IN is
    /// first written with junk and rewritten (a word may be rewritten before the block is whole).
    #[test]
    fn ecb_fips197_appendix_c() {
        let (mut m, mut apb) = setup();
        for (key, ct) in [(FIPS_KEY128, FIPS_CT128), (FIPS_KEY256, FIPS_CT256)] {
            let (key, pt, ct) = (hex(key), hex(FIPS_PT), hex(ct));
            start(&mut m, &mut apb, ctrl_for(MODE_ECB, false, &key), &key, &[]);
            write_at(&mut m, &mut apb, DATA_IN, 0, 0xdead_beef);
            assert_eq!(m.status() & IN_FULL, 0);
            assert_eq!(text(&mut m, &mut apb, &pt), ct, "encrypt");
            assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
            assert_eq!(run(&mut m, &mut apb, MODE_ECB, true, &key, &[], &ct), pt, "decrypt");
            // The AES-256 key's second half matters: an AES-128 run on the same registers gives C.1.
        }
        let key = hex(FIPS_KEY128);
        assert_eq!(run(&mut m, &mut apb, MODE_ECB, false, &key, &[], &hex(FIPS_PT)), hex(FIPS_CT128), "AES-128 reads KEY words 0..3 only");
    }

    /// SP 800-38A F.2.1 / F.2.2 (CBC-AES128) and F.2.5 / F.2.6 (CBC-AES256, first block).
    #[test]
    fn cbc_sp800_38a_f2() {
        let (mut m, mut apb) = setup();
        let (key, iv, pt, ct) = (hex(SP_KEY128), hex(SP_CBC_IV), hex(SP_PT), hex(SP_CBC_CT));
        assert_eq!(run(&mut m, &mut apb, MODE_CBC, false, &key, &iv, &pt), ct);
        assert_eq!(run(&mut m, &mut apb, MODE_CBC, true, &key, &iv, &ct), pt);
        // F.2.5: CBC-AES256.Encrypt, block 1.
        let ct256 = hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6");
        assert_eq!(run(&mut m, &mut apb, MODE_CBC, false, &hex(SP_KEY256), &iv, &pt[..16]), ct256);
        assert_eq!(run(&mut m, &mut apb, MODE_CBC, true, &hex(SP_KEY256), &iv, &ct256), pt[..16]);
    }

    /// SP 800-38A F.5.1 / F.5.2 (CTR-AES128) and F.5.5 (CTR-AES256); a short last block gives the
    /// leading bytes of the standard's block and zeros, and ends the phase (ERR_STATE after it).
    #[test]
    fn ctr_sp800_38a_f5() {
        let (mut m, mut apb) = setup();
        let (key, iv, pt, ct) = (hex(SP_KEY128), hex(SP_CTR_IV), hex(SP_PT), hex(SP_CTR_CT128));
        assert_eq!(run(&mut m, &mut apb, MODE_CTR, false, &key, &iv, &pt), ct);
        assert_eq!(run(&mut m, &mut apb, MODE_CTR, true, &key, &iv, &ct), pt);
        assert_eq!(run(&mut m, &mut apb, MODE_CTR, false, &hex(SP_KEY256), &iv, &pt), hex(SP_CTR_CT256));
        // 55 bytes: three blocks and 7 bytes.
        start(&mut m, &mut apb, ctrl_for(MODE_CTR, false, &key), &key, &iv);
        assert_eq!(text(&mut m, &mut apb, &pt[..55]), ct[..55]);
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 0), ERR_STATE, "after the partial block");
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
    }

    /// README "Lengths": GCM takes AAD up to 2^36 - 16 bytes and text up to 2^36 - 32 (2^32 - 2
    /// blocks); past each, DATA_IN is ERR_STATE in that phase while OP_TEXT and OP_FINAL still
    /// work. CTR has no such limit.
    #[test]
    fn gcm_length_limits() {
        let (mut m, mut apb) = setup();
        let key = hex(GCM_KEY);
        let block = [0x42u8; 16];
        start(&mut m, &mut apb, ctrl(MODE_GCM, false, false, KEY_SRC_REGS, 16), &key, &hex(GCM_IV));
        m.test_hook_skip_lengths((1 << 36) - 48, 0);
        aad(&mut m, &mut apb, &block);
        aad(&mut m, &mut apb, &block);
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 0), ERR_STATE, "AAD past 2^36 - 16 bytes");
        assert_eq!(command(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_OK));
        m.test_hook_skip_lengths(0, (1 << 36) - 64);
        assert_eq!(text(&mut m, &mut apb, &[0x17; 32]).len(), 32, "the last two blocks below the limit");
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 0), ERR_STATE, "text past 2^32 - 2 blocks");
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        // One block short of the limit the write is taken; CTR ignores the count.
        start(&mut m, &mut apb, ctrl(MODE_GCM, false, false, KEY_SRC_REGS, 16), &key, &hex(GCM_IV));
        m.test_hook_skip_lengths((1 << 36) - 32, 0);
        aad(&mut m, &mut apb, &block);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        start(&mut m, &mut apb, ctrl_for(MODE_CTR, false, &key), &key, &[0; 16]);
        m.test_hook_skip_lengths((1 << 36) - 16, (1 << 36) - 16);
        assert_eq!(text(&mut m, &mut apb, &block).len(), 16, "CTR has no length limit");
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
    }

    /// GCM test case 4: AES-128, 20 bytes of AAD (a short second block), 60 bytes of text (a
    /// short fourth block); TAG shows the tag.
    #[test]
    fn gcm_test_case_4_encrypt() {
        let (mut m, mut apb) = setup();
        let (out, r, tag) = gcm(&mut m, &mut apb, &hex(GCM_KEY), &hex(GCM_IV), &hex(GCM_AAD), &hex(GCM_PT), None);
        assert_eq!((out, r, tag), (hex(GCM_CT4), res(OP_FINAL, RES_OK), hex(GCM_TAG4)));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE);
        // The next START zeroes TAG.
        start(&mut m, &mut apb, ctrl_for(MODE_ECB, false, &hex(GCM_KEY)), &hex(GCM_KEY), &[]);
        assert_eq!(read_bytes(&mut m, &mut apb, TAG), [0; 16]);
    }

    /// GCM test case 16: the same with AES-256.
    #[test]
    fn gcm_test_case_16_aes256() {
        let (mut m, mut apb) = setup();
        let key = hex(&format!("{GCM_KEY}{GCM_KEY}"));
        let (out, r, tag) = gcm(&mut m, &mut apb, &key, &hex(GCM_IV), &hex(GCM_AAD), &hex(GCM_PT), None);
        assert_eq!((out, r, tag), (hex(GCM_CT16), res(OP_FINAL, RES_OK), hex(GCM_TAG16)));
        let (out, r, tag) = gcm(&mut m, &mut apb, &key, &hex(GCM_IV), &hex(GCM_AAD), &hex(GCM_CT16), Some((&hex(GCM_TAG16), 16)));
        assert_eq!((out, r, tag), (hex(GCM_PT), res(OP_FINAL, RES_OK), vec![0; 16]));
    }

    /// GCM test case 4 decrypted: RES_OK and the plaintext, TAG stays 0; a flipped tag bit is
    /// RES_TAG_MISMATCH (the plaintext still came out: software discards it); TAG_BYTES = 12
    /// compares the leading 12 bytes only.
    #[test]
    fn gcm_test_case_4_decrypt_and_tag_mismatch() {
        let (mut m, mut apb) = setup();
        let (key, iv, a, ct, pt) = (hex(GCM_KEY), hex(GCM_IV), hex(GCM_AAD), hex(GCM_CT4), hex(GCM_PT));
        let tag = hex(GCM_TAG4);
        let mismatch = res(OP_FINAL, RES_TAG_MISMATCH);
        let (out, r, t) = gcm(&mut m, &mut apb, &key, &iv, &a, &ct, Some((&tag, 16)));
        assert_eq!((out, r, t), (pt.clone(), res(OP_FINAL, RES_OK), vec![0; 16]));
        for (byte, tag_bytes, want) in [(15, 16, mismatch), (0, 16, mismatch), (15, 12, res(OP_FINAL, RES_OK)), (11, 12, mismatch), (3, 4, mismatch), (4, 4, res(OP_FINAL, RES_OK)), (7, 8, mismatch)] {
            let mut bad = tag.clone();
            bad[byte] ^= 0x01;
            let (out, r, t) = gcm(&mut m, &mut apb, &key, &iv, &a, &ct, Some((&bad, tag_bytes)));
            assert_eq!((out, r, t), (pt.clone(), want, vec![0; 16]), "byte {byte} flipped, TAG_BYTES {tag_bytes}");
        }
        // A flipped ciphertext bit is caught the same way.
        let mut bad_ct = ct.clone();
        bad_ct[59] ^= 0x80;
        assert_eq!(gcm(&mut m, &mut apb, &key, &iv, &a, &bad_ct, Some((&tag, 16))).1, mismatch);
        // The model's choice: START wipes TAG_EXP, so a tag written before START is not compared.
        write_bytes(&mut m, &mut apb, TAG_EXP, &tag);
        start(&mut m, &mut apb, ctrl(MODE_GCM, true, false, KEY_SRC_REGS, 16), &key, &iv);
        aad(&mut m, &mut apb, &a);
        assert_eq!(command(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_OK));
        assert_eq!(text(&mut m, &mut apb, &ct), pt);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), mismatch);
    }

    /// GMAC: FINAL straight after START (test case 1: the tag of nothing) or after the AAD alone;
    /// test case 2 (one zero block of text, no AAD).
    #[test]
    fn gcm_test_cases_1_and_2_and_gmac() {
        let (mut m, mut apb) = setup();
        let (zero_key, zero_iv) = ([0u8; 16], [0u8; 12]);
        start(&mut m, &mut apb, ctrl(MODE_GCM, false, false, KEY_SRC_REGS, 16), &zero_key, &zero_iv);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        assert_eq!(read_bytes(&mut m, &mut apb, TAG), hex(GCM_TAG1));
        let (out, r, tag) = gcm(&mut m, &mut apb, &zero_key, &zero_iv, &[], &[0; 16], None);
        assert_eq!((out, r, tag), (hex(GCM_CT2), res(OP_FINAL, RES_OK), hex(GCM_TAG2)));
        // GMAC over test case 4's AAD (no standard vector: the oracle, i.e. aes-gcm).
        let (key, iv, a) = (hex(GCM_KEY), hex(GCM_IV), hex(GCM_AAD));
        start(&mut m, &mut apb, ctrl(MODE_GCM, false, false, KEY_SRC_REGS, 16), &key, &iv);
        aad(&mut m, &mut apb, &a);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        let iv12: [u8; 12] = iv.as_slice().try_into().expect("96-bit IV");
        assert_eq!(read_bytes(&mut m, &mut apb, TAG), aes_ref::gcm_seal(&key, &iv12, &a, &[]).expect("AES-128").1);
    }

    /// The oracle benches use: each function against the standards' values.
    #[test]
    fn aes_ref_matches_the_standards() {
        use aes_ref::*;
        let iv12: [u8; 12] = hex(GCM_IV).try_into().expect("96-bit IV");
        let b16 = |s: &str| -> [u8; 16] { hex(s).try_into().expect("16 bytes") };
        assert_eq!(ecb(&hex(FIPS_KEY128), false, &hex(FIPS_PT)), Ok(hex(FIPS_CT128)));
        assert_eq!(ecb(&hex(FIPS_KEY256), true, &hex(FIPS_CT256)), Ok(hex(FIPS_PT)));
        assert_eq!(cbc(&hex(SP_KEY128), false, &b16(SP_CBC_IV), &hex(SP_PT)), Ok(hex(SP_CBC_CT)));
        assert_eq!(cbc(&hex(SP_KEY128), true, &b16(SP_CBC_IV), &hex(SP_CBC_CT)), Ok(hex(SP_PT)));
        assert_eq!(ctr(&hex(SP_KEY256), &b16(SP_CTR_IV), &hex(SP_PT)), Ok(hex(SP_CTR_CT256)));
        assert_eq!(ctr(&hex(SP_KEY128), &b16(SP_CTR_IV), &hex(SP_PT)[..40]), Ok(hex(SP_CTR_CT128)[..40].to_vec()));
        assert_eq!(gcm_seal(&hex(GCM_KEY), &iv12, &hex(GCM_AAD), &hex(GCM_PT)), Ok((hex(GCM_CT4), b16(GCM_TAG4))));
        assert_eq!(gcm_tag(&hex(GCM_KEY), &iv12, &hex(GCM_AAD), &hex(GCM_CT4)), Ok(b16(GCM_TAG4)));
        assert_eq!(gcm_open(&hex(GCM_KEY), &iv12, &hex(GCM_AAD), &hex(GCM_CT4), &hex(GCM_TAG4)[..12]), Ok(Some(hex(GCM_PT))));
        let mut bad = hex(GCM_TAG4);
        bad[0] ^= 1;
        assert_eq!(gcm_open(&hex(GCM_KEY), &iv12, &hex(GCM_AAD), &hex(GCM_CT4), &bad), Ok(None));
        assert_eq!(gcm_h(&[0; 16]), Ok(b16(H_ZERO_KEY)));
        assert_eq!(gcm_h(&hex(GCM_KEY)), Ok(b16(H_GCM_KEY)));
        assert_eq!(gcm_ej0(&[0; 16], &[0; 12]), Ok(b16(GCM_TAG1)), "the tag of nothing is E(K, J0)");
        assert_eq!(ecb(&[0; 24], false, &[0; 16]), Err(RefError::KeyLength(24)));
        assert_eq!(cbc(&[0; 16], false, &[0; 16], &[0; 15]), Err(RefError::NotWholeBlocks(15)));
        assert_eq!(gcm_open(&[0; 16], &[0; 12], &[], &[], &[]), Err(RefError::TagLength(0)));
    }

    /// START: BUSY from C, DONE and ACTIVE at exactly C + START_EDGES (GCM: START_EDGES_GCM),
    /// [AES-128, AES-256]; TEXT with them outside GCM. DONE and RESULT of the previous command
    /// clear at C. The masked engine: START_EDGES_MASKED and START_EDGES_GCM_MASKED.
    #[test]
    fn timing_start() {
        for v in VARIANTS {
            let (mut m, mut apb) = setup_variant(v);
            let (start_edges, start_edges_gcm, _) = published_timing(v);
            for (mode, key256) in [(MODE_ECB, false), (MODE_ECB, true), (MODE_CBC, false), (MODE_CTR, true), (MODE_GCM, false), (MODE_GCM, true)] {
                let edges = if mode == MODE_GCM { start_edges_gcm } else { start_edges }[key256 as usize] as u64;
                write(&mut m, &mut apb, CTRL, ctrl(mode, false, key256, KEY_SRC_REGS, 16));
                write(&mut m, &mut apb, CMD, OP_START);
                let c = apb.edges;
                assert_eq!((m.status(), now(&m, RESULT), intr_done(&mut m)), (BUSY, 0, 0), "at C");
                step_to(&mut m, &mut apb, c + edges - 1);
                assert_eq!(m.status(), BUSY, "{v:?}, mode {mode}, AES-{}: C + {} - 1", if key256 { 256 } else { 128 }, edges);
                step_to(&mut m, &mut apb, c + edges);
                let text = if mode == MODE_GCM { 0 } else { TEXT };
                assert_eq!((m.status(), now(&m, RESULT), intr_done(&mut m)), (DONE | ACTIVE | text, res(OP_START, RES_OK), 1), "{v:?}, mode {mode}");
            }
        }
    }

    /// The masked engine's START figures written out from the README's "Variants" table (so a
    /// change to the map alone is caught too): 52 / 67 edges, GCM 156 / 211; a block 52 / 72.
    #[test]
    fn masked_timing_figures() {
        let (mut m, mut apb) = setup_variant(Variant::Masked);
        for (mode, key256, edges) in [(MODE_ECB, false, 52), (MODE_ECB, true, 67), (MODE_GCM, false, 156), (MODE_GCM, true, 211)] {
            write(&mut m, &mut apb, CTRL, ctrl(mode, false, key256, KEY_SRC_REGS, 16));
            write(&mut m, &mut apb, CMD, OP_START);
            let c = apb.edges;
            step_to(&mut m, &mut apb, c + edges - 1);
            assert_eq!(m.status() & (BUSY | DONE), BUSY, "mode {mode}, AES-{}", if key256 { 256 } else { 128 });
            step_to(&mut m, &mut apb, c + edges);
            assert_eq!((m.status() & (BUSY | DONE | ACTIVE), now(&m, RESULT)), (DONE | ACTIVE, res(OP_START, RES_OK)));
            if mode == MODE_ECB {
                let b = if key256 { 72 } else { 52 };
                for i in 0..4 {
                    write_at(&mut m, &mut apb, DATA_IN, i, 0);
                }
                let t = apb.edges + 1;
                step_to(&mut m, &mut apb, t + b - 1);
                assert_eq!(m.status() & (BUSY | OUT_VALID), BUSY);
                step_to(&mut m, &mut apb, t + b);
                assert_eq!(m.status() & (BUSY | OUT_VALID), OUT_VALID, "a block: T + {b}");
                let key = [0u8; 32];
                assert_eq!(read_bytes(&mut m, &mut apb, DATA_OUT), aes_ref::ecb(&key[..16 * (key256 as usize + 1)], false, &[0; 16]).expect("AES"));
            }
            assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        }
    }

    /// A text block (on both engines, with each one's BLOCK_EDGES): taken at T = the edge after
    /// the write that fills DATA_IN; OUT_VALID at T + BLOCK_EDGES; a block waiting behind an unread DATA_OUT is taken one edge after the read
    /// that completes the set. GCM: the ciphertext's GHASH keeps BUSY until T + B + GHASH_EDGES.
    #[test]
    fn timing_text_blocks() {
        for v in VARIANTS {
            timing_text_blocks_on(v);
        }
    }

    fn timing_text_blocks_on(v: Variant) {
        let (mut m, mut apb) = setup_variant(v);
        let (_, _, block_edges) = published_timing(v);
        for (mode, key256) in [(MODE_ECB, false), (MODE_CTR, true), (MODE_GCM, false), (MODE_GCM, true)] {
            let b = block_edges[key256 as usize] as u64;
            let key = [7u8; 32];
            start(&mut m, &mut apb, ctrl(mode, false, key256, KEY_SRC_REGS, 16), &key[..16 * (key256 as usize + 1)], &[1; 16]);
            if mode == MODE_GCM {
                assert_eq!(command(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_OK));
            }
            let ghash = if mode == MODE_GCM { G } else { 0 };
            for i in 0..3 {
                write_at(&mut m, &mut apb, DATA_IN, i, i);
                assert_eq!(m.status() & (IN_FULL | BUSY), 0);
            }
            let w = write_at(&mut m, &mut apb, DATA_IN, 3, 3);
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | IN_FULL, "IN_FULL from the edge of the 4th word");
            let t = w + 1;
            step_to(&mut m, &mut apb, t);
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | BUSY, "taken at T");
            step_to(&mut m, &mut apb, t + b - 1);
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | BUSY);
            step_to(&mut m, &mut apb, t + b);
            let busy = if ghash > 0 { BUSY } else { 0 };
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | OUT_VALID | busy, "out at T + BLOCK_EDGES");
            if ghash > 0 {
                step_to(&mut m, &mut apb, t + b + ghash - 1);
                assert_eq!(m.status(), DONE | ACTIVE | TEXT | OUT_VALID | BUSY);
                step_to(&mut m, &mut apb, t + b + ghash);
                assert_eq!(m.status(), DONE | ACTIVE | TEXT | OUT_VALID, "GHASH ends at T + B + GHASH_EDGES");
            }
            // The next block waits for DATA_OUT to be read (re-reading a word is allowed).
            for i in 0..4 {
                write_at(&mut m, &mut apb, DATA_IN, i, 0x100 + i);
            }
            let e = apb.edges + 3 * b;
        step_to(&mut m, &mut apb, e);
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | OUT_VALID | IN_FULL);
            for i in [0, 1, 1, 2] {
                assert!(!apb.read(&mut m, DATA_OUT.addr(i)).err);
                assert_eq!(m.status() & OUT_VALID, OUT_VALID);
            }
            assert!(!apb.read(&mut m, DATA_OUT.addr(3)).err);
            let x = apb.edges;
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | IN_FULL, "OUT_VALID clears at the 4th word's read");
            assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.offset), ERR_EMPTY);
            assert!(apb.edges > x + 1);
            // Taken at X + 1: check on a fresh operation with the same schedule, without the extra read.
            let x2 = {
                let e = apb.edges + b + ghash + 2;
        step_to(&mut m, &mut apb, e);
                assert_eq!(m.status(), DONE | ACTIVE | TEXT | OUT_VALID);
                for i in 0..4 {
                    write_at(&mut m, &mut apb, DATA_IN, i, 0x200 + i);
                }
                for i in 0..4 {
                    assert!(!apb.read(&mut m, DATA_OUT.addr(i)).err);
                }
                apb.edges
            };
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | IN_FULL);
            step_to(&mut m, &mut apb, x2 + 1);
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | BUSY, "taken one edge after the read that emptied DATA_OUT");
            step_to(&mut m, &mut apb, x2 + 1 + b + ghash);
            assert_eq!(m.status(), DONE | ACTIVE | TEXT | OUT_VALID);
            read_bytes(&mut m, &mut apb, DATA_OUT);
            assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        }
    }

    /// GCM AAD: each block's GHASH starts at T and keeps BUSY until T + GHASH_EDGES; a block
    /// filled meanwhile is taken at T + GHASH_EDGES + 1 at the earliest. OP_TEXT: DONE and TEXT
    /// at C + 1. FINAL: ACTIVE clears at C, DONE and TAG at C + FINAL_EDGES_GCM; ECB's FINAL ends
    /// at C + 1.
    #[test]
    fn timing_aad_text_and_final() {
        let (mut m, mut apb) = setup();
        start(&mut m, &mut apb, ctrl(MODE_GCM, false, false, KEY_SRC_REGS, 16), &[0; 16], &[0; 12]);
        // One block alone: its GHASH ends at exactly T + GHASH_EDGES.
        for i in 0..4 {
            write_at(&mut m, &mut apb, DATA_IN, i, 0);
        }
        let t = apb.edges + 1;
        step_to(&mut m, &mut apb, t);
        assert_eq!(m.status(), DONE | ACTIVE | BUSY, "taken at T, nothing comes out");
        step_to(&mut m, &mut apb, t + G - 1);
        assert_eq!(m.status(), DONE | ACTIVE | BUSY);
        step_to(&mut m, &mut apb, t + G);
        assert_eq!(m.status(), DONE | ACTIVE, "GHASH done at T + GHASH_EDGES");
        // Back-to-back blocks: the second's words are written from the edge after the take on
        // (no idle cycle), so it is full before the first GHASH ends and waits for it.
        for i in 0..4 {
            write_at(&mut m, &mut apb, DATA_IN, i, 0);
        }
        let t = apb.edges + 1;
        for i in 0..4 {
            write_at(&mut m, &mut apb, DATA_IN, i, 0);
        }
        let w2 = apb.edges;
        assert_eq!(w2, t + 7, "the writes complete at T + 1, T + 3, T + 5 and T + 7");
        let t2 = (w2 + 1).max(t + G + 1);
        if w2 < t + G {
            step_to(&mut m, &mut apb, t + G - 1);
            assert_eq!(m.status(), DONE | ACTIVE | BUSY | IN_FULL);
            step_to(&mut m, &mut apb, t + G);
            assert_eq!(m.status(), DONE | ACTIVE | IN_FULL, "GHASH done at T + GHASH_EDGES, the block not taken yet");
        }
        step_to(&mut m, &mut apb, t2 - 1);
        assert_eq!(m.status() & (BUSY | IN_FULL), IN_FULL);
        step_to(&mut m, &mut apb, t2);
        assert_eq!(m.status(), DONE | ACTIVE | BUSY, "the waiting AAD block taken at T + GHASH_EDGES + 1");
        step_to(&mut m, &mut apb, t2 + G);
        assert_eq!(m.status(), DONE | ACTIVE);
        // OP_TEXT.
        write(&mut m, &mut apb, CMD, OP_TEXT);
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, RESULT)), (ACTIVE | BUSY, 0));
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE | ACTIVE | TEXT, res(OP_TEXT, RES_OK)));
        // FINAL: GMAC over 48 zero bytes of AAD under the zero key (the oracle's value).
        write(&mut m, &mut apb, CMD, OP_FINAL);
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, TAG)), (BUSY, 0), "ACTIVE clears at C");
        step_to(&mut m, &mut apb, c + FINAL_EDGES_GCM as u64 - 1);
        assert_eq!((m.status(), now(&m, TAG)), (BUSY, 0));
        step_to(&mut m, &mut apb, c + FINAL_EDGES_GCM as u64);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE, res(OP_FINAL, RES_OK)));
        let want = aes_ref::gcm_seal(&[0; 16], &[0; 12], &[0; 48], &[]).expect("AES-128").1;
        assert_eq!(read_bytes(&mut m, &mut apb, TAG), want);
        // ECB's FINAL.
        start(&mut m, &mut apb, ctrl(MODE_ECB, false, false, KEY_SRC_REGS, 16), &[0; 16], &[]);
        write(&mut m, &mut apb, CMD, OP_FINAL);
        let c = apb.edges;
        assert_eq!(m.status(), BUSY);
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE, res(OP_FINAL, RES_OK)));
    }

    /// The failed checks of the commands, each DONE with its RESULT at C + 1, changing nothing.
    #[test]
    fn command_results() {
        let (mut m, mut apb) = setup();
        let at_c_plus_1 = |m: &mut AesModel, apb: &mut Apb, op: u32| {
            write(m, apb, CMD, op);
            let c = apb.edges;
            assert_eq!(m.status() & (BUSY | DONE), BUSY);
            step_to(m, apb, c + 1);
            assert_eq!(m.status() & (BUSY | DONE), DONE);
            now(m, RESULT)
        };
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_NOT_ACTIVE));
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_NOT_ACTIVE));
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_CLEAR), res(OP_CLEAR, RES_OK));
        // No key on the DRBG's port (GCM: the mode sideload keys may run): RES_NO_KEY at C + 1,
        // no operation open. (The OTP's, on the masked engine: `sideload_keys`.)
        write(&mut m, &mut apb, CTRL, ctrl(MODE_GCM, false, false, KEY_SRC_DRBG, 16));
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_START), res(OP_START, RES_NO_KEY));
        assert_eq!(m.status(), DONE);
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 0), ERR_STATE);
        // Not GCM: RES_SEQUENCE. DATA_IN holding a word: RES_PENDING, the operation stays open.
        start(&mut m, &mut apb, ctrl(MODE_CBC, false, false, KEY_SRC_REGS, 16), &[0; 16], &[]);
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_SEQUENCE));
        write_at(&mut m, &mut apb, DATA_IN, 2, 5);
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_PENDING));
        assert_eq!(m.status(), DONE | ACTIVE | TEXT);
        // The rest of the block: CBC with a zero key and IV on a block with word 2 = 5 (the oracle).
        for i in [0, 1, 3] {
            write_at(&mut m, &mut apb, DATA_IN, i, 0);
        }
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & OUT_VALID != 0);
        let mut block = [0u8; 16];
        block[8] = 5;
        assert_eq!(read_bytes(&mut m, &mut apb, DATA_OUT), aes_ref::cbc(&[0; 16], false, &[0; 16], &block).expect("AES-128"));
        // GCM: OP_TEXT with a word pending, then twice.
        start(&mut m, &mut apb, ctrl(MODE_GCM, true, true, KEY_SRC_REGS, 16), &[0; 32], &[0; 12]);
        write_at(&mut m, &mut apb, DATA_IN, 0, 5);
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_PENDING));
        assert_eq!(m.status(), DONE | ACTIVE, "still in the AAD phase");
        // START drops the word (no RES_PENDING for START).
        start(&mut m, &mut apb, ctrl(MODE_GCM, true, true, KEY_SRC_REGS, 16), &[0; 32], &[0; 12]);
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_OK));
        assert_eq!(at_c_plus_1(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_SEQUENCE));
        // OP_CLEAR ends it at C.
        write(&mut m, &mut apb, CMD, OP_CLEAR);
        assert_eq!(m.status(), BUSY);
    }

    /// Sideload keys, in GCM (the only mode they may run). The DRBG's with byte 0 in bits
    /// 255:248 (test case 16, AES-256, on `pluton_aes`); the OTP's with byte 0 in bits 7:0 and
    /// AES-128 taking its first 16 bytes (test case 4, on `pluton_aes_masked`, the only engine
    /// that takes it). STATUS shows the valids; the key is sampled at C + 1 (later changes to
    /// the port change nothing), the valid too (not at C).
    #[test]
    fn sideload_keys() {
        let (mut m, mut apb) = setup();
        let (iv, a, pt) = (hex(GCM_IV), hex(GCM_AAD), hex(GCM_PT));
        let k256: [u8; 32] = hex(&format!("{GCM_KEY}{GCM_KEY}")).try_into().expect("32 bytes");
        let mut k128 = [0x5Au8; 32];
        k128[..16].copy_from_slice(&hex(GCM_KEY));
        let otp_words: [u32; 8] = std::array::from_fn(|i| u32::from_le_bytes(k128[4 * i..4 * i + 4].try_into().expect("4 bytes")));
        m.poke(KEY_DRBG, &port_words(&k256));
        m.poke(KEY_OTP, &otp_words);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        m.poke_u32(KEY_DRBG_VALID, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), STATUS_KEY_DRBG.mask());
        m.poke_u32(KEY_OTP_VALID, 1);
        let keys = STATUS_KEY_DRBG.mask() | STATUS_KEY_OTP.mask();
        assert_eq!(read(&mut m, &mut apb, STATUS), keys);
        // The KEY registers hold another key, which must not be used.
        write_bytes(&mut m, &mut apb, KEY, &[0x33; 32]);
        let mut iv16 = [0u8; 16];
        iv16[..12].copy_from_slice(&iv);
        write_bytes(&mut m, &mut apb, IV, &iv16);
        write(&mut m, &mut apb, CTRL, ctrl(MODE_GCM, false, true, KEY_SRC_DRBG, 16));
        write(&mut m, &mut apb, CMD, OP_START);
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + 1);
        // After C + 1 the port may change or empty.
        m.poke(KEY_DRBG, &[0; 8]);
        m.poke_u32(KEY_DRBG_VALID, 0);
        wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
        assert_eq!(read(&mut m, &mut apb, RESULT), res(OP_START, RES_OK));
        aad(&mut m, &mut apb, &a);
        assert_eq!(command(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_OK));
        assert_eq!(text(&mut m, &mut apb, &pt), hex(GCM_CT16));
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        assert_eq!(read_bytes(&mut m, &mut apb, TAG), hex(GCM_TAG16));

        // The OTP's key on the masked engine.
        let (mut m, mut apb) = setup_variant(Variant::Masked);
        m.poke(KEY_OTP, &otp_words);
        m.poke_u32(KEY_OTP_VALID, 1);
        assert_eq!(read(&mut m, &mut apb, STATUS), STATUS_KEY_OTP.mask());
        let (out, r, tag) = gcm_from(&mut m, &mut apb, KEY_SRC_OTP, &k128[..16], &iv, &a, &pt, None);
        assert_eq!((out, r, tag), (hex(GCM_CT4), res(OP_FINAL, RES_OK), hex(GCM_TAG4)));
        let (out, r, _) = gcm_from(&mut m, &mut apb, KEY_SRC_OTP, &k128[..16], &iv, &a, &hex(GCM_CT4), Some((&hex(GCM_TAG4), 16)));
        assert_eq!((out, r), (pt.clone(), res(OP_FINAL, RES_OK)));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE | STATUS_KEY_OTP.mask());
        // The valid is sampled at C + 1, not at C.
        m.poke_u32(KEY_OTP_VALID, 0);
        write(&mut m, &mut apb, CTRL, ctrl(MODE_GCM, false, false, KEY_SRC_OTP, 16));
        write(&mut m, &mut apb, CMD, OP_START);
        let c = apb.edges;
        m.poke_u32(KEY_OTP_VALID, 1);
        step_to(&mut m, &mut apb, c + START_EDGES_GCM_MASKED[0] as u64);
        assert_eq!((m.status() & (DONE | ACTIVE), now(&m, RESULT)), (DONE | ACTIVE, res(OP_START, RES_OK)));
        m.poke_u32(KEY_OTP_VALID, 0);
        write(&mut m, &mut apb, CMD, OP_START);
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE, res(OP_START, RES_NO_KEY)));
    }

    /// RES_KEY_POLICY (README "Usage policy for sideload keys", "Variants"): START with the
    /// DRBG's or the OTP's key in ECB, CBC or CTR, and the OTP's key in every mode on
    /// `pluton_aes`, is refused at C with DONE at C + 1 and changes nothing: the open CBC
    /// operation keeps its block in DATA_OUT, its key, mode and chaining value, and carries on
    /// (SP 800-38A F.2.1); no seed is taken. Every other source and mode starts. Both ports
    /// hold a key, so RES_NO_KEY cannot stand in for it.
    #[test]
    fn key_policy() {
        let (key, iv, pt, ct) = (hex(SP_KEY128), hex(SP_CBC_IV), hex(SP_PT), hex(SP_CBC_CT));
        for v in VARIANTS {
            let (mut m, mut apb) = setup_variant(v);
            m.poke(KEY_DRBG, &[0x1111_1111; 8]);
            m.poke(KEY_OTP, &[0x2222_2222; 8]);
            m.poke_u32(KEY_DRBG_VALID, 1);
            m.poke_u32(KEY_OTP_VALID, 1);
            let ports = STATUS_KEY_DRBG.mask() | STATUS_KEY_OTP.mask();
            for mode in [MODE_ECB, MODE_CBC, MODE_CTR, MODE_GCM] {
                for src in [KEY_SRC_REGS, KEY_SRC_DRBG, KEY_SRC_OTP] {
                    let refused = (src != KEY_SRC_REGS && mode != MODE_GCM) || (src == KEY_SRC_OTP && v == Variant::Unmasked);
                    let what = format!("{v:?}, mode {mode}, KEY_SRC {src}");
                    // An open CBC operation with its first block unread.
                    start(&mut m, &mut apb, ctrl_for(MODE_CBC, false, &key), &key, &iv);
                    put_block(&mut m, &mut apb, &pt[..16]);
                    wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & (OUT_VALID | BUSY) == OUT_VALID);
                    let new_ctrl = ctrl(mode, false, false, src, 16);
                    write(&mut m, &mut apb, CTRL, new_ctrl);
                    let taken = write_start(&mut m, &mut apb);
                    let c = apb.edges;
                    let want_taken = (v == Variant::Masked).then_some(!refused as u32);
                    assert_eq!(taken, want_taken, "mask_seed_taken, {what}");
                    if !refused {
                        assert_eq!((m.status(), now(&m, RESULT)), (BUSY | ports, 0), "at C the operation ended, DATA_OUT emptied: {what}");
                        wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
                        assert_eq!(read(&mut m, &mut apb, RESULT), res(OP_START, RES_OK), "{what}");
                        assert_eq!(read(&mut m, &mut apb, STATUS) & (ACTIVE | OUT_VALID), ACTIVE, "{what}");
                        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
                        continue;
                    }
                    assert_eq!((m.status(), now(&m, RESULT), intr_done(&mut m)), (BUSY | ACTIVE | TEXT | OUT_VALID | ports, 0, 0), "at C: {what}");
                    step_to(&mut m, &mut apb, c + 1);
                    assert_eq!((m.status(), now(&m, RESULT)), (DONE | ACTIVE | TEXT | OUT_VALID | ports, res(OP_START, RES_KEY_POLICY)), "C + 1: {what}");
                    assert_eq!(read(&mut m, &mut apb, CTRL), new_ctrl, "CTRL keeps what software wrote");
                    assert_eq!(read_bytes(&mut m, &mut apb, DATA_OUT), ct[..16], "{what}");
                    assert_eq!(text(&mut m, &mut apb, &pt[16..32]), ct[16..32], "the CBC operation carries on: {what}");
                    assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
                }
            }
        }
    }

    /// The policy also refuses a sideload START with no operation open and an empty port: at C
    /// (RES_KEY_POLICY), before RES_NO_KEY at C + 1 could be reached; and on the masked engine
    /// with no seed, before RES_NO_ENTROPY.
    #[test]
    fn key_policy_comes_before_no_key_and_no_entropy() {
        for v in VARIANTS {
            let (mut m, mut apb) = setup_variant(v);
            if v == Variant::Masked {
                m.poke_u32(MASK_SEED_VALID, 0);
            }
            for (mode, src) in [(MODE_ECB, KEY_SRC_DRBG), (MODE_CTR, KEY_SRC_OTP), (MODE_CBC, KEY_SRC_DRBG)] {
                write(&mut m, &mut apb, CTRL, ctrl(mode, false, true, src, 16));
                assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, RES_KEY_POLICY), "{v:?}, mode {mode}, KEY_SRC {src}");
                assert_eq!(read(&mut m, &mut apb, STATUS), DONE);
            }
            write(&mut m, &mut apb, CTRL, ctrl(MODE_GCM, false, true, KEY_SRC_OTP, 16));
            let want = if v == Variant::Unmasked { RES_KEY_POLICY } else { RES_NO_KEY };
            assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, want), "{v:?}: GCM from an empty OTP port");
        }
    }

    /// RES_NO_ENTROPY (masked engine): START with no seed at its port at C ends at C + 1 with
    /// it, after the wipe at C (the open operation is gone, DATA_OUT emptied), no operation
    /// open; RES_NO_KEY comes first. The seed's valid counts at C, not at C + 1.
    #[test]
    fn no_entropy() {
        let (mut m, mut apb) = setup_variant(Variant::Masked);
        let key = hex(FIPS_KEY128);
        start(&mut m, &mut apb, ctrl_for(MODE_ECB, false, &key), &key, &[]);
        put_block(&mut m, &mut apb, &hex(FIPS_PT));
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & (OUT_VALID | BUSY) == OUT_VALID);
        m.poke_u32(MASK_SEED_VALID, 0);
        assert_eq!(write_start(&mut m, &mut apb), Some(0));
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, RESULT)), (BUSY, 0), "the wipe at C");
        // A seed arriving after C does not count.
        m.poke_u32(MASK_SEED_VALID, 1);
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT), intr_done(&mut m)), (DONE, res(OP_START, RES_NO_ENTROPY), 1));
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 0), ERR_STATE);
        assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.offset), ERR_EMPTY);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_NOT_ACTIVE));
        // A seed at C and gone at C + 1 is enough: it was taken at C.
        assert_eq!(write_start(&mut m, &mut apb), Some(1));
        m.poke_u32(MASK_SEED_VALID, 0);
        let c = apb.edges;
        step_to(&mut m, &mut apb, c + START_EDGES_MASKED[0] as u64);
        assert_eq!((m.status() & (DONE | ACTIVE), now(&m, RESULT)), (DONE | ACTIVE, res(OP_START, RES_OK)));
        assert_eq!(text(&mut m, &mut apb, &hex(FIPS_PT)), hex(FIPS_CT128));
        // No key and no seed: RES_NO_KEY.
        write(&mut m, &mut apb, CTRL, ctrl(MODE_GCM, false, false, KEY_SRC_DRBG, 16));
        assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, RES_NO_KEY));
        // A key but no seed: RES_NO_ENTROPY, also from a sideload port.
        m.poke_u32(KEY_DRBG_VALID, 1);
        assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, RES_NO_ENTROPY));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE | STATUS_KEY_DRBG.mask());
        // The unmasked engine never refuses for entropy (it has no seed port).
        let (mut m, mut apb) = setup();
        assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, RES_OK));
    }

    /// `mask_seed_taken`: 1 only in the access cycle of a CMD write with OP_START that
    /// completes without a bus error, passes RES_KEY_POLICY, at an edge with no `clear` or
    /// `esc`, while `mask_seed_valid` is 1; 0 in every other cycle (setup cycles, every cycle of
    /// a running START, reads, other commands, refused writes).
    #[test]
    fn mask_seed_taken_pulses() {
        let (mut m, mut apb) = setup_variant(Variant::Masked);
        let cmd = |m: &mut AesModel, apb: &mut Apb, data: u32, strb: u32, master: u32, pokes: &[(usize, u32)]| -> (bool, u32) {
            let (d, taken) = transfer_seeing_taken(m, apb, true, CMD.offset, data, strb, master, pokes);
            (d.err, taken.expect("the masked engine's port"))
        };
        // Taken: one cycle, then 0 in every cycle of the START (a STATUS poll each).
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (false, 1));
        let c = apb.edges;
        while apb.edges < c + START_EDGES_MASKED[0] as u64 + 2 {
            assert_eq!(seed_taken(&mut m), 0);
            let (d, taken) = transfer_seeing_taken(&mut m, &mut apb, false, STATUS.offset, 0, 0, MASTER_SEC, &[]);
            assert_eq!((d.err, taken), (false, Some(0)));
            m.poke_u32(PSEL, 0);
            apb.step(&mut m);
        }
        assert_eq!(now(&m, RESULT), res(OP_START, RES_OK));
        // No seed: not taken (RES_NO_ENTROPY, in `no_entropy`).
        m.poke_u32(MASK_SEED_VALID, 0);
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (false, 0));
        wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
        assert_eq!(read(&mut m, &mut apb, RESULT), res(OP_START, RES_NO_ENTROPY));
        m.poke_u32(MASK_SEED_VALID, 1);
        // While BUSY (ERR_BUSY): a START running.
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (false, 1));
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (true, 0), "ERR_BUSY");
        wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
        // Other commands; bad values; a partial strobe; another master; a protocol error.
        for op in [OP_TEXT, OP_FINAL, OP_CLEAR] {
            assert_eq!(cmd(&mut m, &mut apb, op, 0xF, MASTER_SEC, &[]), (false, 0), "op {op}");
            wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
        }
        assert_eq!(cmd(&mut m, &mut apb, 1 << 4 | OP_START, 0xF, MASTER_SEC, &[]), (true, 0), "ERR_VALUE");
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0b0111, MASTER_SEC, &[]), (true, 0), "ERR_STRB");
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_APP, &[]), (true, 0), "ERR_MASTER");
        for (port, v) in [(PWRITE, 1), (PADDR, CMD.offset), (PWDATA, OP_START), (PSTRB, 0xF), (PMASTER, MASTER_SEC), (PSEL, 1), (PENABLE, 1)] {
            m.poke_u32(port, v);
        }
        assert_eq!((m.peek_u32(PSLVERR), seed_taken(&mut m)), (1, 0), "an access with no setup: ERR_PROTOCOL");
        apb.step(&mut m);
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        assert_eq!(read(&mut m, &mut apb, STATUS) & BUSY, 0, "nothing started");
        write(&mut m, &mut apb, ERR_INFO, 0);
        // Refused by the policy.
        write(&mut m, &mut apb, CTRL, ctrl(MODE_ECB, false, false, KEY_SRC_DRBG, 16));
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (false, 0), "RES_KEY_POLICY");
        wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
        assert_eq!(read(&mut m, &mut apb, RESULT), res(OP_START, RES_KEY_POLICY));
        write(&mut m, &mut apb, CTRL, CTRL_RESET);
        // clear or esc at the edge: not taken (the wipe wins; nothing starts).
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[(CLEAR, 1)]), (false, 0), "clear");
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[(ESC, 1)]), (false, 0), "esc");
        assert_eq!(read(&mut m, &mut apb, STATUS), DEAD);
        // DEAD: ERR_FATAL.
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (true, 0), "ERR_FATAL");
        // After reset, taken again; a seed with no CMD write is never taken.
        apb.reset(&mut m);
        assert_eq!(seed_taken(&mut m), 0);
        assert_eq!(cmd(&mut m, &mut apb, OP_START, 0xF, MASTER_SEC, &[]), (false, 1));
    }

    /// The register checks of the README: ERR_STATE, ERR_EMPTY, ERR_BUSY, ERR_VALUE, ERR_FATAL
    /// (in `escalation`), and the common ones.
    #[test]
    fn bus_errors() {
        let (mut m, mut apb) = setup();
        // No operation.
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.addr(3), 1), ERR_STATE);
        assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.addr(0)), ERR_EMPTY);
        // Values.
        for v in [ctrl(MODE_ECB, false, false, 3, 16), ctrl(MODE_GCM, true, false, 0, 9), ctrl(0, false, false, 0, 0), ctrl(0, false, false, 0, 17), CTRL_RESET | 1 << 6, CTRL_RESET | 1 << 13] {
            assert_eq!(refused_write(&mut m, &mut apb, CTRL.offset, v), ERR_VALUE, "CTRL <- {v:#x}");
        }
        for v in [4, 8, 12, 13, 14, 15, 16] {
            write(&mut m, &mut apb, CTRL, ctrl(MODE_GCM, true, true, KEY_SRC_OTP, v));
            assert_eq!(read(&mut m, &mut apb, CTRL), ctrl(MODE_GCM, true, true, KEY_SRC_OTP, v));
        }
        for v in [0, 5, 15, 1 << 4 | OP_START, 1 << 31 | OP_FINAL] {
            assert_eq!(refused_write(&mut m, &mut apb, CMD.offset, v), ERR_VALUE, "CMD <- {v:#x}");
        }
        for v in [0, 17, 1 << 31] {
            assert_eq!(refused_write(&mut m, &mut apb, BLOCK_BYTES.offset, v), ERR_VALUE, "BLOCK_BYTES <- {v}");
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), 0, "nothing started (and every code taken)");
        // ECB with BLOCK_BYTES 8: the DATA_IN write is ERR_VALUE.
        write(&mut m, &mut apb, BLOCK_BYTES, 8);
        start(&mut m, &mut apb, ctrl(MODE_ECB, false, false, KEY_SRC_REGS, 16), &[0; 16], &[]);
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 1), ERR_VALUE);
        write(&mut m, &mut apb, BLOCK_BYTES, 16);
        // BLOCK_BYTES while DATA_IN holds a word; DATA_IN while IN_FULL (behind an unread DATA_OUT).
        write_at(&mut m, &mut apb, DATA_IN, 1, 0);
        assert_eq!(refused_write(&mut m, &mut apb, BLOCK_BYTES.offset, 16), ERR_BUSY);
        for i in [0, 2, 3] {
            write_at(&mut m, &mut apb, DATA_IN, i, 0);
        }
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & OUT_VALID != 0);
        for i in 0..4 {
            write_at(&mut m, &mut apb, DATA_IN, i, 0);
        }
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.addr(2), 0), ERR_BUSY);
        // While BUSY (a START running, each check within its START_EDGES): CMD, CTRL, KEY, IV and
        // TAG_EXP; a bad CMD value is ERR_VALUE before ERR_BUSY, a bad CTRL value ERR_BUSY first;
        // BLOCK_BYTES and ERR_INFO writes pass.
        let checks = [
            (CMD.offset, OP_CLEAR, ERR_BUSY),
            (CTRL.offset, CTRL_RESET, ERR_BUSY),
            (KEY.addr(7), 0, ERR_BUSY),
            (IV.addr(0), 0, ERR_BUSY),
            (TAG_EXP.addr(3), 0, ERR_BUSY),
            (CMD.offset, 9, ERR_VALUE),
            (CTRL.offset, ctrl(0, false, false, 3, 16), ERR_BUSY),
        ];
        for (addr, v, code) in checks {
            assert_eq!(command(&mut m, &mut apb, OP_CLEAR), res(OP_CLEAR, RES_OK));
            write(&mut m, &mut apb, CMD, OP_START);
            assert_eq!(refused_write(&mut m, &mut apb, addr, v), code, "{addr:#x} <- {v:#x} while BUSY");
            assert_eq!(m.status() & BUSY, BUSY, "still starting");
        }
        assert_eq!(command(&mut m, &mut apb, OP_CLEAR), res(OP_CLEAR, RES_OK));
        write(&mut m, &mut apb, CMD, OP_START);
        write(&mut m, &mut apb, BLOCK_BYTES, 16);
        write(&mut m, &mut apb, ERR_INFO, 0);
        assert_eq!(m.status() & BUSY, BUSY, "still starting");
        // Write-only, read-only, strobes, unmapped.
        for reg in [CMD, KEY, IV, DATA_IN, TAG_EXP] {
            assert_eq!(refused_read(&mut m, &mut apb, reg.addr(reg.count - 1)), ERR_READ_WO, "{}", reg.name);
        }
        for reg in [ID, STATUS, RESULT, DATA_OUT, TAG] {
            assert_eq!(refused_write(&mut m, &mut apb, reg.addr(reg.count - 1), 0), ERR_WRITE_RO, "{}", reg.name);
        }
        assert_eq!(refused(&mut m, &mut apb, true, CTRL.offset, CTRL_RESET, 0b0111, MASTER_SEC), ERR_STRB);
        assert_eq!(refused(&mut m, &mut apb, true, KEY.offset, 0, 0, MASTER_SEC), ERR_STRB);
        for addr in [0x01C, 0x090, 0xFFC, 0x009, 0x052] {
            assert_eq!(refused_read(&mut m, &mut apb, addr), ERR_UNMAPPED, "{addr:#x}");
        }
    }

    /// Every register but ID is the security core's: the application core (and any other
    /// master) gets ERR_MASTER, reading or writing; ID reads for anyone and is read-only.
    #[test]
    fn other_masters_get_err_master_except_on_id() {
        let (mut m, mut apb) = setup();
        for master in 1..16 {
            for reg in MAP.regs {
                for i in [0, reg.count - 1] {
                    let addr = reg.addr(i);
                    let d = apb.transfer(&mut m, false, addr, 0, 0, master);
                    if reg.offset == ID.offset {
                        assert_eq!((d.data, d.err), (BLOCK_ID, false));
                    } else {
                        assert_eq!((d.data, d.err), (0, true), "{} by {master}", reg.name);
                        assert_eq!(take_code(&mut m, &mut apb), ERR_MASTER);
                    }
                    let d = apb.transfer(&mut m, true, addr, OP_START, 0xF, master);
                    assert!(d.err);
                    let want = if reg.offset == ID.offset { ERR_WRITE_RO } else { ERR_MASTER };
                    assert_eq!(take_code(&mut m, &mut apb), want, "{} written by {master}", reg.name);
                }
            }
        }
        assert_eq!(refused(&mut m, &mut apb, true, CMD.offset, OP_START, 0xF, MASTER_APP), ERR_MASTER);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0, "no command ran");
        assert_eq!(read(&mut m, &mut apb, CTRL), CTRL_RESET);
    }

    /// ERR_INFO keeps the first refusal (code, master, direction, address); later ones set
    /// OVERFLOW; a whole-word write clears it. The protocol check comes first: an access with no
    /// setup is ERR_PROTOCOL, even a CMD, which then starts nothing.
    #[test]
    fn err_info_and_protocol() {
        let (mut m, mut apb) = setup();
        assert!(apb.read(&mut m, KEY.addr(5)).err);
        assert!(apb.transfer(&mut m, true, STATUS.offset, 5, 0xF, MASTER_APP).err);
        let first = ERR_INFO_CODE.put(ERR_READ_WO) | ERR_INFO_ADDR.put(KEY.addr(5));
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), first | ERR_INFO_OVERFLOW.put(1));
        assert_eq!(read(&mut m, &mut apb, STATUS), ERR);
        assert!(apb.write_strb(&mut m, ERR_INFO.offset, 0, 0b0001).err);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), first | ERR_INFO_OVERFLOW.put(1));
        write(&mut m, &mut apb, ERR_INFO, 0xffff_ffff);
        assert_eq!((read(&mut m, &mut apb, ERR_INFO), read(&mut m, &mut apb, STATUS)), (0, 0));
        assert!(apb.transfer(&mut m, true, 0xffc, 0xabc, 0b0101, 5).err);
        let want = ERR_INFO_CODE.put(ERR_UNMAPPED) | ERR_INFO_MASTER.put(5) | ERR_INFO_WRITE.put(1) | ERR_INFO_ADDR.put(0xffc);
        assert_eq!(read(&mut m, &mut apb, ERR_INFO), want);
        write(&mut m, &mut apb, ERR_INFO, 0);
        for (write, addr, data, master) in [(false, 0x030, 0, MASTER_APP), (true, CMD.offset, OP_START, MASTER_SEC)] {
            for (port, v) in [(PWRITE, write as u32), (PADDR, addr), (PWDATA, data), (PSTRB, 0xF), (PMASTER, master), (PSEL, 1), (PENABLE, 1)] {
                m.poke_u32(port, v);
            }
            assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR), m.peek_u32(PRDATA)), (1, 1, 0));
            apb.step(&mut m);
            m.poke_u32(PSEL, 0);
            m.poke_u32(PENABLE, 0);
            assert_eq!(take_code(&mut m, &mut apb), ERR_PROTOCOL);
        }
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
    }

    /// OP_CLEAR: KEY, IV and the data are zeroed (CTRL and BLOCK_BYTES stay): the same CBC
    /// START then runs with the zero key and IV, so a zero block gives E(0, 0), GCM's H for test
    /// case 1. An unread DATA_OUT block survives FINAL; START empties it.
    #[test]
    fn op_clear_and_data_out_across_final() {
        let (mut m, mut apb) = setup();
        let (key, iv, pt, ct) = (hex(SP_KEY128), hex(SP_CBC_IV), hex(SP_PT), hex(SP_CBC_CT));
        start(&mut m, &mut apb, ctrl_for(MODE_CBC, false, &key), &key, &iv);
        put_block(&mut m, &mut apb, &pt[..16]);
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & (OUT_VALID | BUSY) == OUT_VALID);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE | OUT_VALID);
        assert_eq!(read_bytes(&mut m, &mut apb, DATA_OUT), ct[..16]);
        assert_eq!(read(&mut m, &mut apb, STATUS), DONE);
        // Left unread across FINAL, then START empties it (at its C).
        start(&mut m, &mut apb, ctrl_for(MODE_CBC, false, &key), &key, &iv);
        put_block(&mut m, &mut apb, &pt[..16]);
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & (OUT_VALID | BUSY) == OUT_VALID);
        assert_eq!(command(&mut m, &mut apb, OP_FINAL), res(OP_FINAL, RES_OK));
        write(&mut m, &mut apb, CMD, OP_START);
        assert_eq!(m.status(), BUSY, "DATA_OUT emptied at C");
        wait_for(&mut m, &mut apb, "DONE", |st| st & DONE != 0);
        assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.offset), ERR_EMPTY);
        // Again, left unread: OP_CLEAR empties it.
        put_block(&mut m, &mut apb, &pt[..16]);
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & (OUT_VALID | BUSY) == OUT_VALID);
        write(&mut m, &mut apb, BLOCK_BYTES, 12);
        write(&mut m, &mut apb, CMD, OP_CLEAR);
        let c = apb.edges;
        assert_eq!((m.status(), now(&m, RESULT)), (BUSY, 0), "ended at C, DATA_OUT gone");
        step_to(&mut m, &mut apb, c + 1);
        assert_eq!((m.status(), now(&m, RESULT)), (DONE, res(OP_CLEAR, RES_OK)));
        assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.offset), ERR_EMPTY);
        assert_eq!((read(&mut m, &mut apb, CTRL), read(&mut m, &mut apb, BLOCK_BYTES)), (ctrl_for(MODE_CBC, false, &key), 12));
        write(&mut m, &mut apb, BLOCK_BYTES, 16);
        assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, RES_OK));
        assert_eq!(text(&mut m, &mut apb, &[0; 16]), hex(H_ZERO_KEY));
    }

    /// `clear` in the middle of a GCM block: every register to its reset value at that edge
    /// (ERR_INFO, CTRL and BLOCK_BYTES included), the key gone; a write completing at that edge
    /// is answered as without the wipe, and the wipe wins over it.
    #[test]
    fn clear_returns_every_register_to_reset() {
        let (mut m, mut apb) = setup();
        let (key, iv) = (hex(GCM_KEY), hex(GCM_IV));
        start(&mut m, &mut apb, ctrl(MODE_GCM, false, false, KEY_SRC_REGS, 12), &key, &iv);
        assert_eq!(command(&mut m, &mut apb, OP_TEXT), res(OP_TEXT, RES_OK));
        write(&mut m, &mut apb, BLOCK_BYTES, 8);
        put_block(&mut m, &mut apb, &[1; 8]);
        assert!(apb.read(&mut m, CMD.offset).err);
        apb.step(&mut m);
        assert_eq!(m.status(), DONE | ACTIVE | TEXT | BUSY | ERR, "a block in the core");
        let d = transfer_at_completion(&mut m, &mut apb, true, BLOCK_BYTES.offset, 4, &[(CLEAR, 1)]);
        assert!(!d.err, "BLOCK_BYTES may be written once the block is taken");
        assert_eq!(m.status(), 0);
        assert_eq!((now(&m, ERR_INFO), now(&m, CTRL), now(&m, BLOCK_BYTES), now(&m, RESULT), intr_done(&mut m)), (0, CTRL_RESET, 16, 0, 0));
        let e = apb.edges + 40;
        step_to(&mut m, &mut apb, e);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0, "the block never comes out");
        assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.offset), ERR_EMPTY);
        // A read completing at a clear edge returns the value before it.
        write(&mut m, &mut apb, CTRL, ctrl(MODE_CTR, false, false, KEY_SRC_REGS, 16));
        let d = transfer_at_completion(&mut m, &mut apb, false, CTRL.offset, 0, &[(CLEAR, 1)]);
        assert_eq!((d.err, d.data, read(&mut m, &mut apb, CTRL)), (false, ctrl(MODE_CTR, false, false, KEY_SRC_REGS, 16), CTRL_RESET));
        // KEY and IV are zero: ECB of the zero block under the zero key.
        assert_eq!(command(&mut m, &mut apb, OP_START), res(OP_START, RES_OK));
        assert_eq!(text(&mut m, &mut apb, &[0; 16]), hex(H_ZERO_KEY));
    }

    /// `esc` in the middle of an operation: the wipe, but ERR_INFO keeps its value (with an error
    /// logged at that very edge); DEAD until reset; CMD gets ERR_FATAL (after ERR_VALUE); `clear`
    /// does not revive it; reset does.
    #[test]
    fn escalation() {
        let (mut m, mut apb) = setup();
        let key = hex(FIPS_KEY128);
        start(&mut m, &mut apb, ctrl_for(MODE_ECB, false, &key), &key, &[]);
        put_block(&mut m, &mut apb, &hex(FIPS_PT));
        wait_for(&mut m, &mut apb, "OUT_VALID", |st| st & OUT_VALID != 0);
        let d = transfer_at_completion(&mut m, &mut apb, false, KEY.offset, 0, &[(ESC, 1)]);
        assert_eq!((d.err, d.data), (true, 0), "answered as without the wipe");
        let logged = ERR_INFO_CODE.put(ERR_READ_WO) | ERR_INFO_ADDR.put(KEY.offset);
        assert_eq!((m.status(), now(&m, ERR_INFO), now(&m, CTRL), now(&m, RESULT)), (DEAD | ERR, logged, CTRL_RESET, 0));
        assert_eq!((intr_done(&mut m), alert_fatal(&mut m)), (0, 0));
        // ERR_INFO stays writable (it is cleared here so each refusal below shows its own code).
        write(&mut m, &mut apb, ERR_INFO, 0);
        assert_eq!(read(&mut m, &mut apb, STATUS), DEAD);
        assert_eq!(refused_read(&mut m, &mut apb, DATA_OUT.offset), ERR_EMPTY);
        assert_eq!(refused_write(&mut m, &mut apb, CMD.offset, 0), ERR_VALUE);
        for op in [OP_START, OP_TEXT, OP_FINAL, OP_CLEAR] {
            assert_eq!(refused_write(&mut m, &mut apb, CMD.offset, op), ERR_FATAL);
        }
        assert_eq!(refused_write(&mut m, &mut apb, DATA_IN.offset, 0), ERR_STATE);
        write(&mut m, &mut apb, CTRL, ctrl(MODE_CTR, false, false, KEY_SRC_REGS, 16));
        // clear wipes ERR_INFO and the rest, DEAD stays.
        m.poke_u32(CLEAR, 1);
        apb.step(&mut m);
        m.poke_u32(CLEAR, 0);
        assert_eq!((read(&mut m, &mut apb, STATUS), read(&mut m, &mut apb, CTRL)), (DEAD, CTRL_RESET));
        assert_eq!(refused_write(&mut m, &mut apb, CMD.offset, OP_START), ERR_FATAL);
        // Reset revives it; the key must be written again.
        apb.reset(&mut m);
        assert_eq!(read(&mut m, &mut apb, STATUS), 0);
        assert_eq!(run(&mut m, &mut apb, MODE_ECB, false, &key, &[], &hex(FIPS_PT)), hex(FIPS_CT128));
    }
}
