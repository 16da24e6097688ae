//! Fuse images: the (39,32) SECDED code of a fuse word and the 64-word image file the tools share.
//!
//! One definition of the code, used by the reference model, the testbenches and `pluton fuses`.
//! Raw fuse word (40 bits): `[31:0]` data, `[38:32]` check bits c[6:0] (c0 at bit 32), `[39]` DONE.
//!
//! Hamming layout: positions 1..38; check bit c[k] (k = 0..5) sits at position 2^k, data bits
//! d0..d31 take the other positions in increasing order (d0 at 3, d1 at 5, d2 at 6, d3 at 7,
//! d4 at 9, ...). c[k] = XOR of the data bits whose position has bit k set; c[6] = XOR of all data
//! bits and c[0..5] (overall parity), so every encoded 39-bit word has even parity.

use pluton_regs::otp::fusemap;

/// Raw bit 39: programmed last, so DONE = 0 with other bits set means an interrupted program.
pub const DONE: u64 = 1 << fusemap::DONE_BIT;
/// Raw bits [38:0]: data and check bits (everything SECDED covers).
pub const CODE_MASK: u64 = (1 << fusemap::DONE_BIT) - 1;
/// Raw bits [39:0].
pub const RAW_MASK: u64 = (1 << fusemap::RAW_BITS) - 1;

/// Hamming position (3..=38) of each data bit d0..d31.
pub const DATA_POSITION: [u32; 32] = data_positions();

const fn data_positions() -> [u32; 32] {
    let mut out = [0u32; 32];
    let mut pos = 1u32;
    let mut i = 0;
    while i < 32 {
        if !pos.is_power_of_two() {
            out[i] = pos;
            i += 1;
        }
        pos += 1;
    }
    out
}

/// The Hamming check bits c[5:0] of `data` (no overall parity).
fn hamming_checks(data: u32) -> u8 {
    let mut c = 0u8;
    for (j, &pos) in DATA_POSITION.iter().enumerate() {
        if data >> j & 1 == 1 {
            // d[j] feeds every c[k] whose position bit k is set: XOR the position in.
            c ^= pos as u8;
        }
    }
    c & 0x3F
}

/// The 7 check bits c[6:0] of `data`: c[5:0] Hamming, c[6] overall parity of data and c[5:0].
pub fn secded_encode(data: u32) -> u8 {
    let c = hamming_checks(data);
    let parity = (data.count_ones() + c.count_ones()) & 1;
    c | (parity as u8) << 6
}

/// What the decoder made of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EccStatus {
    /// No error.
    Clean,
    /// One bit was wrong (data or check bit) and `data` is the corrected value.
    Corrected,
    /// Two bits (or a syndrome pointing outside the word) wrong: `data` is the raw, uncorrected data.
    Uncorrectable,
}

/// A decoded fuse word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decoded {
    pub data: u32,
    pub status: EccStatus,
}

/// Decode raw bits [38:0] (`raw` bit 39 and up are ignored). Rules of the OTP brief:
/// s = recomputed c[5:0] ^ stored c[5:0], p = XOR of all 39 bits.
/// s == 0 && p == 0: clean. p == 1: single error (s == 0: in c6; s a power of two: in check bit
/// c[log2 s]; s <= 38 otherwise: data bit at position s, flipped back; s > 38: uncorrectable).
/// s != 0 && p == 0: double error, uncorrectable.
pub fn secded_decode(raw: u64) -> Decoded {
    let raw = raw & CODE_MASK;
    let data = raw as u32;
    let stored = (raw >> fusemap::ECC_LSB) as u8 & 0x3F;
    let s = u32::from(hamming_checks(data) ^ stored);
    let p = raw.count_ones() & 1;
    let (data, status) = match (s, p) {
        (0, 0) => (data, EccStatus::Clean),
        (_, 0) => (data, EccStatus::Uncorrectable),
        // p == 1 from here: an odd number of flips, taken as one.
        (0, _) => (data, EccStatus::Corrected),
        (s, _) if s.is_power_of_two() => (data, EccStatus::Corrected),
        (s, _) if s <= 38 => {
            // s is 3..=38 and not a power of two, so it is some data bit's position.
            let j = DATA_POSITION.iter().position(|&pos| pos == s).unwrap();
            (data ^ 1 << j, EccStatus::Corrected)
        }
        _ => (data, EccStatus::Uncorrectable),
    };
    Decoded { data, status }
}

/// The raw 40-bit word a complete program of `data` leaves: data, check bits and DONE.
pub fn raw_word(data: u32) -> u64 {
    u64::from(data) | u64::from(secded_encode(data)) << fusemap::ECC_LSB | DONE
}

#[cfg(test)]
mod secded_tests {
    use super::*;

    /// Independent decoder: the nearest codeword by brute force over all data values reachable
    /// with at most one flip (the original data, or one of its 39 single-flip neighbours).
    fn brute_force(raw: u64) -> Decoded {
        let raw = raw & CODE_MASK;
        let encode = |d: u32| u64::from(d) | u64::from(secded_encode_ref(d)) << 32;
        let data = raw as u32;
        if encode(data) == raw {
            return Decoded { data, status: EccStatus::Clean };
        }
        // Candidates: any codeword at distance 1. Its data differs from raw data in <= 1 bit.
        let mut candidates = vec![data];
        candidates.extend((0..32).map(|j| data ^ 1 << j));
        for d in candidates {
            if (encode(d) ^ raw).count_ones() == 1 {
                return Decoded { data: d, status: EccStatus::Corrected };
            }
        }
        Decoded { data, status: EccStatus::Uncorrectable }
    }

    /// Encoder written from the brief's words, position by position, independent of the table.
    #[allow(clippy::needless_range_loop)] // indexing by Hamming position is the point
    fn secded_encode_ref(data: u32) -> u8 {
        let mut code = [0u8; 39]; // index = Hamming position, 0 unused
        let mut j = 0;
        for pos in 1..=38usize {
            if pos & (pos - 1) != 0 {
                code[pos] = (data >> j & 1) as u8;
                j += 1;
            }
        }
        let mut c = 0u8;
        for k in 0..6 {
            let mut bit = 0;
            for pos in 1..=38usize {
                if pos & (1 << k) != 0 && pos & (pos - 1) != 0 {
                    bit ^= code[pos];
                }
            }
            c |= bit << k;
        }
        let parity = (data.count_ones() + c.count_ones()) as u8 & 1;
        c | parity << 6
    }

    fn samples() -> Vec<u32> {
        let mut v = vec![0, 1, 0xFFFF_FFFF, 0x8000_0000, 0x4C4F_434B, 0x4445_5631, 0xDEAD_BEEF, 0x1234_5678];
        let mut x = 0x9E37_79B9u32;
        for _ in 0..24 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            v.push(x);
        }
        v
    }

    #[test]
    fn fuse_image_data_positions_follow_the_brief() {
        assert_eq!(&DATA_POSITION[..5], &[3, 5, 6, 7, 9]);
        assert_eq!(DATA_POSITION[31], 38);
    }

    #[test]
    fn fuse_image_encode_matches_reference_and_is_clean() {
        for d in samples() {
            assert_eq!(secded_encode(d), secded_encode_ref(d), "data {d:#010x}");
            let raw = raw_word(d);
            assert_eq!(raw >> 39, 1);
            assert_eq!((raw & CODE_MASK).count_ones() % 2, 0, "even parity");
            assert_eq!(secded_decode(raw), Decoded { data: d, status: EccStatus::Clean });
        }
        assert_eq!(secded_decode(0), Decoded { data: 0, status: EccStatus::Clean }, "blank word");
    }

    #[test]
    fn fuse_image_every_single_error_is_corrected() {
        for d in samples() {
            for i in 0..39 {
                let raw = raw_word(d) ^ 1 << i;
                let got = secded_decode(raw);
                assert_eq!(got, Decoded { data: d, status: EccStatus::Corrected }, "data {d:#010x} bit {i}");
                assert_eq!(got, brute_force(raw), "data {d:#010x} bit {i}");
            }
        }
    }

    #[test]
    fn fuse_image_every_double_error_is_detected() {
        for d in samples() {
            for i in 0..39 {
                for j in i + 1..39 {
                    let raw = raw_word(d) ^ 1 << i ^ 1 << j;
                    let got = secded_decode(raw);
                    assert_eq!(got.status, EccStatus::Uncorrectable, "data {d:#010x} bits {i},{j}");
                    assert_eq!(got, brute_force(raw), "data {d:#010x} bits {i},{j}");
                }
            }
        }
    }
}

/// How one raw word reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WordStatus {
    /// All 40 bits 0: never programmed (reads 0).
    Blank,
    /// DONE = 1 and the code word is intact.
    Clean,
    /// DONE = 1 and one bit was corrected.
    Corrected,
    /// DONE = 1 but two bits (or more) are wrong.
    Uncorrectable,
    /// DONE = 0 but other bits set: a program was cut short (by reset); fatal for its partition.
    Interrupted,
}

impl WordStatus {
    /// Makes its partition FATAL at init (uncorrectable or interrupted).
    pub fn is_fatal(self) -> bool {
        matches!(self, WordStatus::Uncorrectable | WordStatus::Interrupted)
    }

    pub fn name(self) -> &'static str {
        match self {
            WordStatus::Blank => "blank",
            WordStatus::Clean => "clean",
            WordStatus::Corrected => "corrected",
            WordStatus::Uncorrectable => "UNCORRECTABLE",
            WordStatus::Interrupted => "INTERRUPTED",
        }
    }
}

/// Status of a raw word (any bits above 39 ignored).
pub fn word_status(raw: u64) -> WordStatus {
    let raw = raw & RAW_MASK;
    if raw == 0 {
        return WordStatus::Blank;
    }
    if raw & DONE == 0 {
        return WordStatus::Interrupted;
    }
    match secded_decode(raw).status {
        EccStatus::Clean => WordStatus::Clean,
        EccStatus::Corrected => WordStatus::Corrected,
        EccStatus::Uncorrectable => WordStatus::Uncorrectable,
    }
}

/// Life cycle state decoded from the LC words (codes as on the `lc_state` output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LifeCycle {
    Blank,
    Dev,
    Secured,
    Rma,
    /// Non-magic value, a gap, or a broken LIFECYCLE partition.
    Invalid,
}

impl LifeCycle {
    /// The order of legal states; `Invalid` is not in it.
    pub const ORDER: [LifeCycle; 4] = [LifeCycle::Blank, LifeCycle::Dev, LifeCycle::Secured, LifeCycle::Rma];

    /// The 3-bit `lc_state` code.
    pub fn code(self) -> u32 {
        match self {
            LifeCycle::Blank => fusemap::LC_STATE_BLANK,
            LifeCycle::Dev => fusemap::LC_STATE_DEV,
            LifeCycle::Secured => fusemap::LC_STATE_SECURED,
            LifeCycle::Rma => fusemap::LC_STATE_RMA,
            LifeCycle::Invalid => fusemap::LC_STATE_INVALID,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LifeCycle::Blank => "blank",
            LifeCycle::Dev => "dev",
            LifeCycle::Secured => "secured",
            LifeCycle::Rma => "rma",
            LifeCycle::Invalid => "INVALID",
        }
    }

    pub fn from_name(name: &str) -> Option<LifeCycle> {
        LifeCycle::ORDER.into_iter().find(|s| s.name() == name)
    }

    /// The `debug_en` output in this state.
    pub fn debug_en(self) -> bool {
        matches!(self, LifeCycle::Blank | LifeCycle::Dev | LifeCycle::Rma)
    }

    /// The LC words (address, magic) a chip in this state has programmed.
    pub fn words(self) -> &'static [(u32, u32)] {
        const ALL: [(u32, u32); 3] = [
            (fusemap::LC_DEV, fusemap::LC_DEV_MAGIC),
            (fusemap::LC_SECURED, fusemap::LC_SECURED_MAGIC),
            (fusemap::LC_RMA, fusemap::LC_RMA_MAGIC),
        ];
        match self {
            LifeCycle::Blank | LifeCycle::Invalid => &ALL[..0],
            LifeCycle::Dev => &ALL[..1],
            LifeCycle::Secured => &ALL[..2],
            LifeCycle::Rma => &ALL[..3],
        }
    }
}

/// Name of a fuse word for messages, e.g. `OWNER_KEY_HASH[2]`, `LOCK_SVN`, `RESERVED`.
pub fn word_name(word: u32) -> String {
    use fusemap::*;
    match word {
        w if (DEVICE_ROOT_KEY..DEVICE_ROOT_KEY + KEY_WORDS).contains(&w) => format!("DEVICE_ROOT_KEY[{}]", w - DEVICE_ROOT_KEY),
        w if (ATTESTATION_SEED..ATTESTATION_SEED + KEY_WORDS).contains(&w) => format!("ATTESTATION_SEED[{}]", w - ATTESTATION_SEED),
        w if (OWNER_KEY_HASH..OWNER_KEY_HASH + KEY_WORDS).contains(&w) => format!("OWNER_KEY_HASH[{}]", w - OWNER_KEY_HASH),
        w if (SVN_FIRST..SVN_FIRST + SVN_MAX).contains(&w) => format!("SVN[{}]", w - SVN_FIRST),
        LC_DEV => "LC_DEV".into(),
        LC_SECURED => "LC_SECURED".into(),
        LC_RMA => "LC_RMA".into(),
        LC_RESERVED => "LC_RESERVED".into(),
        w if (CONFIG_FIRST..CONFIG_FIRST + 4).contains(&w) => format!("CONFIG{}", w - CONFIG_FIRST),
        w if (LOCK_BASE..RESERVED_FIRST).contains(&w) => format!("LOCK_{}", PARTITIONS[(w - LOCK_BASE) as usize].name),
        _ => "RESERVED".into(),
    }
}

/// A whole fuse array: 64 raw 40-bit words (bit 39 DONE, [38:32] check bits, [31:0] data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuseImage {
    pub raw: [u64; fusemap::WORDS],
}

impl Default for FuseImage {
    fn default() -> Self {
        FuseImage::blank()
    }
}

impl FuseImage {
    /// A never-programmed array: every bit 0.
    pub fn blank() -> FuseImage {
        FuseImage { raw: [0; fusemap::WORDS] }
    }

    /// A blank image with `(word, data)` programmed (data, check bits and DONE), e.g. for a test preload.
    pub fn with_words(words: &[(u32, u32)]) -> FuseImage {
        let mut img = FuseImage::blank();
        for &(word, data) in words {
            img.program(word, data);
        }
        img
    }

    /// Read the text format: `//` comments (whole line or after a word), blank lines ignored,
    /// then exactly 64 words of 10 hex digits, one per line (what `$readmemh` loads).
    pub fn parse(text: &str) -> Result<FuseImage, String> {
        let mut raw = Vec::with_capacity(fusemap::WORDS);
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let body = match line.find("//") {
                Some(at) => &line[..at],
                None => line,
            }
            .trim();
            if body.is_empty() {
                continue;
            }
            if body.starts_with('@') {
                return Err(format!("line {n}: address markers (`{body}`) are not supported; list all 64 words in order"));
            }
            if body.contains("/*") {
                return Err(format!("line {n}: `/* */` comments are not supported; use `//`"));
            }
            if body.split_whitespace().count() > 1 {
                return Err(format!("line {n}: one word per line expected, found `{body}`"));
            }
            if body.len() != 10 || !body.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("line {n}: expected a word of exactly 10 hex digits (40 bits), found `{body}`"));
            }
            if raw.len() == fusemap::WORDS {
                return Err(format!("line {n}: more than {} words", fusemap::WORDS));
            }
            // 10 hex digits always fit in 40 bits.
            raw.push(u64::from_str_radix(body, 16).map_err(|e| format!("line {n}: {e}"))?);
        }
        let raw: [u64; fusemap::WORDS] = raw
            .try_into()
            .map_err(|v: Vec<u64>| format!("{} words found, a fuse image has exactly {}", v.len(), fusemap::WORDS))?;
        Ok(FuseImage { raw })
    }

    /// Write the text format: a comment header, then one word per line with its address and name.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str("// Pluton fuse image (pluton_otp): 64 raw words, one per line, $readmemh format.\n");
        s.push_str("// Word = DONE[39] | SECDED check bits[38:32] | data[31:0]. Contains secrets: handle as key material.\n");
        for (w, raw) in self.raw.iter().enumerate() {
            s.push_str(&format!("{:010x} // 0x{w:02x} {}\n", raw & RAW_MASK, word_name(w as u32)));
        }
        s
    }

    /// Status of word `word`.
    pub fn status(&self, word: u32) -> WordStatus {
        word_status(self.raw[word as usize])
    }

    /// Decoded (ECC-corrected) data of word `word`; a blank word reads 0.
    pub fn data(&self, word: u32) -> u32 {
        secded_decode(self.raw[word as usize]).data
    }

    /// Program `data` into `word` as the controller would (OR in data, check bits and DONE).
    pub fn program(&mut self, word: u32, data: u32) {
        self.raw[word as usize] |= raw_word(data);
    }

    /// A word counts as blank when its decoded data is 0 and it is not broken.
    pub fn is_blank(&self, word: u32) -> bool {
        !self.status(word).is_fatal() && self.data(word) == 0
    }

    /// Words with DONE = 0 but other bits set.
    pub fn interrupted_words(&self) -> Vec<u32> {
        (0..fusemap::WORDS as u32).filter(|&w| self.status(w) == WordStatus::Interrupted).collect()
    }

    /// A partition is FATAL when any of its words (lock word included) is uncorrectable or
    /// interrupted; reserved words (0x35-0x3F) belong to none and are not scanned.
    pub fn partition_fatal(&self, p: &fusemap::Partition) -> bool {
        (p.first..p.first + p.words).chain([p.lock_word]).any(|w| self.status(w).is_fatal())
    }

    /// Write-locked: the lock word has any fuse blown (any non-blank value locks: fail-safe).
    pub fn locked(&self, p: &fusemap::Partition) -> bool {
        self.status(p.lock_word) != WordStatus::Blank
    }

    /// Life cycle state (INVALID if the LIFECYCLE partition is FATAL or the words do not form a state).
    pub fn life_cycle(&self) -> LifeCycle {
        if self.partition_fatal(&fusemap::LIFECYCLE) {
            return LifeCycle::Invalid;
        }
        let programmed: Vec<(u32, u32)> = [fusemap::LC_DEV, fusemap::LC_SECURED, fusemap::LC_RMA]
            .into_iter()
            .filter(|&w| !self.is_blank(w))
            .map(|w| (w, self.data(w)))
            .collect();
        LifeCycle::ORDER
            .into_iter()
            .find(|s| s.words() == programmed.as_slice())
            .unwrap_or(LifeCycle::Invalid)
    }

    /// SVN thermometer: leading words equal to SVN_WORD; `Err(reason)` when the partition is
    /// broken (FATAL, a word that is neither blank nor SVN_WORD, or a programmed word after a
    /// blank one), in which case the controller uses the safe value SVN_MAX.
    pub fn svn_checked(&self) -> Result<u32, String> {
        if self.partition_fatal(&fusemap::SVN) {
            return Err("SVN partition has an uncorrectable or interrupted word".into());
        }
        let mut count = 0;
        let mut gap = false;
        for i in 0..fusemap::SVN_MAX {
            let w = fusemap::SVN_FIRST + i;
            match (self.is_blank(w), self.data(w)) {
                (true, _) => gap = true,
                (false, fusemap::SVN_WORD) if !gap => count += 1,
                (false, fusemap::SVN_WORD) => return Err(format!("{} programmed after a blank SVN word", word_name(w))),
                (false, d) => return Err(format!("{} is {d:#010x}, neither blank nor {:#010x}", word_name(w), fusemap::SVN_WORD)),
            }
        }
        Ok(count)
    }

    /// The SVN the controller reports (SVN_MAX when the partition is broken).
    pub fn svn(&self) -> u32 {
        self.svn_checked().unwrap_or(fusemap::SVN_MAX)
    }

    /// 8 consecutive words from `first` as 32 bytes: byte i = bits [8(i%4)+7 : 8(i%4)] of word i/4.
    pub fn bytes32(&self, first: u32) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, chunk) in out.chunks_mut(4).enumerate() {
            chunk.copy_from_slice(&self.data(first + i as u32).to_le_bytes());
        }
        out
    }

    /// Program 32 bytes into 8 consecutive words (byte order as in `bytes32`).
    pub fn program_bytes32(&mut self, first: u32, bytes: &[u8; 32]) {
        for (i, chunk) in bytes.chunks(4).enumerate() {
            self.program(first + i as u32, u32::from_le_bytes(chunk.try_into().unwrap()));
        }
    }

    /// The device root key as it leaves on the key port (key slot 0). Tests only: a secret.
    pub fn device_root_key(&self) -> [u8; 32] {
        self.bytes32(fusemap::DEVICE_ROOT_KEY)
    }

    /// The attestation seed (key slot 1). Tests only: a secret.
    pub fn attestation_seed(&self) -> [u8; 32] {
        self.bytes32(fusemap::ATTESTATION_SEED)
    }

    /// SHA-256 of the owner's secure-boot public key.
    pub fn owner_key_hash(&self) -> [u8; 32] {
        self.bytes32(fusemap::OWNER_KEY_HASH)
    }

    /// CONFIG0..3 as the controller's shadows hold them (0 when the CONFIG partition is FATAL).
    pub fn config(&self) -> [u32; 4] {
        if self.partition_fatal(&fusemap::CONFIG) {
            return [0; 4];
        }
        [0, 1, 2, 3].map(|i| self.data(fusemap::CONFIG_FIRST + i))
    }
}

#[cfg(test)]
mod image_tests {
    use super::*;
    use fusemap::*;

    #[test]
    fn fuse_image_text_round_trip() {
        let mut img = FuseImage::blank();
        img.program_bytes32(DEVICE_ROOT_KEY, &[0x11; 32]);
        img.program(LC_DEV, LC_DEV_MAGIC);
        img.program(LOCK_BASE, LOCK_MAGIC);
        img.raw[0x3F] = 0x12_3456_789A; // garbage in a reserved word survives too
        assert_eq!(FuseImage::with_words(&[(LC_DEV, LC_DEV_MAGIC)]).raw[LC_DEV as usize], raw_word(LC_DEV_MAGIC));
        let text = img.to_text();
        assert!(text.starts_with("//"));
        assert_eq!(FuseImage::parse(&text).unwrap(), img);
        assert_eq!(img.device_root_key(), [0x11; 32]);
        assert_eq!(img.life_cycle(), LifeCycle::Dev);
        assert!(img.locked(&SECRET) && !img.locked(&OWNER));
    }

    #[test]
    fn fuse_image_parse_errors_name_the_line() {
        let good: Vec<String> = (0..64).map(|_| "0000000000".to_string()).collect();
        let with = |i: usize, s: &str| {
            let mut v = good.clone();
            v[i] = s.into();
            v.join("\n")
        };
        assert!(FuseImage::parse(&with(3, "00000000")).unwrap_err().starts_with("line 4: expected a word of exactly 10 hex digits"));
        assert!(FuseImage::parse(&with(0, "00000000zz")).unwrap_err().contains("line 1"));
        assert!(FuseImage::parse(&with(5, "@10")).unwrap_err().contains("address markers"));
        assert!(FuseImage::parse(&with(5, "0000000000 0000000000")).unwrap_err().contains("one word per line"));
        assert_eq!(FuseImage::parse(&good[..63].join("\n")).unwrap_err(), "63 words found, a fuse image has exactly 64");
        let mut long = good.clone();
        long.push("0000000000".into());
        assert_eq!(FuseImage::parse(&long.join("\n")).unwrap_err(), "line 65: more than 64 words");
        assert!(FuseImage::parse(&with(2, "0000000000 // ok")).is_ok());
    }

    #[test]
    fn fuse_image_decodes_partitions() {
        let mut img = FuseImage::blank();
        assert_eq!((img.life_cycle(), img.svn(), img.config()), (LifeCycle::Blank, 0, [0; 4]));
        for i in 0..3 {
            img.program(SVN_FIRST + i, SVN_WORD);
        }
        assert_eq!(img.svn(), 3);
        img.program(SVN_FIRST + 5, SVN_WORD);
        assert_eq!(img.svn(), SVN_MAX, "gap in the thermometer");
        assert!(img.svn_checked().unwrap_err().contains("SVN[5]"));

        img.program(LC_SECURED, LC_SECURED_MAGIC);
        assert_eq!(img.life_cycle(), LifeCycle::Invalid, "SECURED without DEV");
        img.program(LC_DEV, LC_DEV_MAGIC);
        assert_eq!(img.life_cycle(), LifeCycle::Secured);

        // One flipped bit: corrected; two: uncorrectable, LIFECYCLE fatal; DONE missing: interrupted.
        img.raw[LC_DEV as usize] ^= 1 << 7;
        assert_eq!((img.status(LC_DEV), img.life_cycle()), (WordStatus::Corrected, LifeCycle::Secured));
        img.raw[LC_DEV as usize] ^= 1 << 8;
        assert_eq!((img.status(LC_DEV), img.life_cycle()), (WordStatus::Uncorrectable, LifeCycle::Invalid));
        img.raw[CONFIG_FIRST as usize] = raw_word(5) & !DONE;
        assert_eq!(img.interrupted_words(), vec![CONFIG_FIRST]);
        assert!(img.partition_fatal(&CONFIG));
        assert_eq!(img.config(), [0; 4]);
    }
}
