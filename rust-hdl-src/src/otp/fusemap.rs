//! Fuse map of the OTP array: word addresses, partitions and magic values (the one source for
//! the RTL, the model, the fuse image tool and the docs).

/// Words in the fuse array.
pub const WORDS: usize = 64;
/// Bits per raw fuse word: 32 data, 7 SECDED check bits, 1 DONE bit.
pub const RAW_BITS: usize = 40;
/// Raw bit positions.
pub const ECC_LSB: u32 = 32;
pub const DONE_BIT: u32 = 39;

/// One partition: a named run of data words plus its lock word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub index: u32,
    pub name: &'static str,
    /// First data word and number of data words.
    pub first: u32,
    pub words: u32,
    /// Word whose non-blank value write-locks the partition.
    pub lock_word: u32,
    /// Software may never read the data words over APB.
    pub read_locked: bool,
    pub desc: &'static str,
}

impl Partition {
    pub const fn contains(&self, word: u32) -> bool {
        word >= self.first && word < self.first + self.words
    }
}

pub const LOCK_BASE: u32 = 0x30;

pub const SECRET: Partition = Partition { index: 0, name: "SECRET", first: 0x00, words: 16, lock_word: LOCK_BASE, read_locked: true, desc: "Device root key (words 0x00-0x07) and attestation seed (0x08-0x0F); leave only on the key port" };
pub const OWNER: Partition = Partition { index: 1, name: "OWNER", first: 0x10, words: 8, lock_word: LOCK_BASE + 1, read_locked: false, desc: "SHA-256 of the owner's secure-boot public key" };
pub const SVN: Partition = Partition { index: 2, name: "SVN", first: 0x18, words: 16, lock_word: LOCK_BASE + 2, read_locked: false, desc: "Anti-rollback security version: a thermometer of words, each blank or SVN_WORD" };
pub const LIFECYCLE: Partition = Partition { index: 3, name: "LIFECYCLE", first: 0x28, words: 4, lock_word: LOCK_BASE + 3, read_locked: false, desc: "Life cycle words LC_DEV, LC_SECURED, LC_RMA (0x2B reserved, always blank)" };
pub const CONFIG: Partition = Partition { index: 4, name: "CONFIG", first: 0x2C, words: 4, lock_word: LOCK_BASE + 4, read_locked: false, desc: "Configuration words CONFIG0..2, and TST_DISABLE (0x2F, CONFIG3): non-blank disables the tester port" };

pub const PARTITIONS: [Partition; 5] = [SECRET, OWNER, SVN, LIFECYCLE, CONFIG];

/// First word after the lock words; words from here to 0x3F are reserved.
pub const RESERVED_FIRST: u32 = LOCK_BASE + 5;

pub const DEVICE_ROOT_KEY: u32 = 0x00;
pub const ATTESTATION_SEED: u32 = 0x08;
pub const KEY_WORDS: u32 = 8;
pub const OWNER_KEY_HASH: u32 = 0x10;
pub const SVN_FIRST: u32 = 0x18;
/// Highest SVN the thermometer can hold; also the safe value when the SVN partition is broken.
pub const SVN_MAX: u32 = 16;
pub const SVN_WORD: u32 = 0xFFFF_FFFF;
pub const LC_DEV: u32 = 0x28;
pub const LC_SECURED: u32 = 0x29;
pub const LC_RMA: u32 = 0x2A;
pub const LC_RESERVED: u32 = 0x2B;
pub const CONFIG_FIRST: u32 = 0x2C;
/// Tester-port disable (the last CONFIG word): any raw bit set closes the `tst_*` port in every
/// life cycle state for good. Non-blank rather than a magic value, so that a partial or corrupted
/// program of it fails closed.
pub const TST_DISABLE: u32 = CONFIG_FIRST + 3;

pub const LOCK_MAGIC: u32 = 0x4C4F_434B;
pub const LC_DEV_MAGIC: u32 = 0x4445_5631;
pub const LC_SECURED_MAGIC: u32 = 0x5345_4331;
pub const LC_RMA_MAGIC: u32 = 0x524D_4131;

/// Life cycle state codes (3-bit `lc_state`).
pub const LC_STATE_BLANK: u32 = 0;
pub const LC_STATE_DEV: u32 = 1;
pub const LC_STATE_SECURED: u32 = 2;
pub const LC_STATE_RMA: u32 = 3;
pub const LC_STATE_INVALID: u32 = 7;

/// Partition holding `word`, counting each lock word as part of its partition; `None` if reserved.
pub fn partition_of(word: u32) -> Option<Partition> {
    PARTITIONS
        .iter()
        .copied()
        .find(|p| p.contains(word) || p.lock_word == word)
}
