//! NIST SP 800-90A Rev. 1 CTR_DRBG with AES-256 (section 10.2.1), as an independent reference model.
//!
//! The hardware's CSRNG runs CTR_DRBG without a derivation function, as OpenTitan's does: the
//! caller hands in full-entropy seed material of seedlen bits. That mode is [`CtrDrbg::instantiate`],
//! [`CtrDrbg::reseed`] and [`CtrDrbg::generate`]. The derivation-function mode (10.3.2
//! Block_Cipher_df over BCC) is [`CtrDrbg::instantiate_df`] and [`CtrDrbg::reseed_df`], so that the
//! NIST CAVP "use df" vector sets can run on the same model.
//!
//! Only the block cipher comes from a library (the RustCrypto `aes` crate's AES-256 encryption);
//! every DRBG step below is written from the standard's text, step numbers quoted. AES-256 fixes
//! the parameters of Table 3: keylen = 256, blocklen = outlen = 128, seedlen = 384, ctr_len =
//! blocklen (so V steps as a whole 128-bit integer, mod 2^128), reseed_interval at most 2^48,
//! max_number_of_bits_per_request = 2^19.
//!
//! The model returns bytes, not bits: requests are whole bytes, as the hardware's are whole words.
//! Zeroising is a plain overwrite (a model, not a secret store).
//!
//! [`cavp`] reads the NIST CAVP `CTR_DRBG.rsp` format (the committed subset is under
//! `testbenches/drbg/vectors/`) and runs a record through the model, for the unit tests here and
//! for any bench that wants the same vectors against the RTL.

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use aes::Aes256;
use std::fmt;

/// keylen, in bytes (256 bits).
pub const KEY_LEN: usize = 32;
/// blocklen = outlen, in bytes (128 bits).
pub const BLOCK_LEN: usize = 16;
/// seedlen = keylen + blocklen, in bytes (384 bits).
pub const SEED_LEN: usize = KEY_LEN + BLOCK_LEN;
/// The largest reseed_interval Table 3 allows: 2^48 generate requests between reseeds.
pub const MAX_RESEED_INTERVAL: u64 = 1 << 48;
/// max_number_of_bits_per_request = min((2^ctr_len - 4) * blocklen, 2^19) = 2^19 bits, in bytes.
pub const MAX_BYTES_PER_REQUEST: usize = (1 << 19) / 8;
/// The security strength of AES-256 CTR_DRBG, in bytes: the least entropy input the
/// derivation-function mode accepts (Table 3, min_length).
pub const SECURITY_STRENGTH: usize = 32;
/// With a derivation function, inputs are at most 2^35 bits (Table 3); Block_Cipher_df also
/// carries the whole input's length L as a 32-bit byte count (10.3.2 step 2), the same 2^32 bytes.
pub const MAX_DF_INPUT_BYTES: u64 = 1 << 32;
/// Block_Cipher_df returns at most 512 bits (10.3.2 step 1, max_number_of_bits).
const MAX_DF_OUTPUT_BYTES: usize = 64;

/// What a DRBG function refused, and why. No input makes the model panic; it returns one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrbgError {
    /// Generate found reseed_counter > reseed_interval (10.2.1.5.1 step 1): reseed first.
    ReseedRequired,
    /// The instance was never instantiated, or was uninstantiated.
    NotInstantiated,
    /// reseed() (no df) on an instance instantiated with a derivation function, or reseed_df()
    /// on one without.
    WrongMode { called: &'static str, mode: &'static str },
    /// An input's length is outside what the mode takes.
    BadLength { what: &'static str, len: usize, min: usize, max: u64 },
    /// A generate request above max_number_of_bits_per_request.
    RequestTooLarge { requested: usize, max: usize },
    /// A reseed interval of 0, or above 2^48.
    BadReseedInterval(u64),
}

impl fmt::Display for DrbgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DrbgError::ReseedRequired => write!(f, "reseed required: the reseed counter is past the reseed interval"),
            DrbgError::NotInstantiated => write!(f, "the DRBG is not instantiated"),
            DrbgError::WrongMode { called, mode } => write!(f, "{called} called on an instance instantiated {mode}"),
            DrbgError::BadLength { what, len, min, max } => {
                write!(f, "{what} is {len} bytes; this mode takes {min} to {max} bytes")
            }
            DrbgError::RequestTooLarge { requested, max } => {
                write!(f, "generate request of {requested} bytes; at most {max} bytes per request")
            }
            DrbgError::BadReseedInterval(n) => {
                write!(f, "reseed interval {n}: it must be 1 to 2^48 requests")
            }
        }
    }
}

impl std::error::Error for DrbgError {}

/// Whether the instance was instantiated with the derivation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    NoDf,
    Df,
}

impl Mode {
    fn describe(self) -> &'static str {
        match self {
            Mode::NoDf => "without a derivation function",
            Mode::Df => "with a derivation function",
        }
    }
}

/// One CTR_DRBG instance with AES-256: the working state (Key, V, reseed_counter) of 10.2.1.1 and
/// its administrative part (the reseed interval, and which mode instantiated it).
///
/// [`CtrDrbg::new`] makes an uninstantiated instance with a chosen reseed interval; one of the
/// instantiate functions seeds it (again, if it already was: a fresh instantiate replaces the
/// whole state, as the hardware's instantiate command does).
#[derive(Clone)]
pub struct CtrDrbg {
    key: [u8; KEY_LEN],
    v: [u8; BLOCK_LEN],
    reseed_counter: u64,
    reseed_interval: u64,
    mode: Option<Mode>,
}

impl fmt::Debug for CtrDrbg {
    // The state is secret in the hardware; a debug print shows only the administrative part.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CtrDrbg")
            .field("instantiated", &self.mode.map(Mode::describe))
            .field("reseed_counter", &self.reseed_counter)
            .field("reseed_interval", &self.reseed_interval)
            .finish_non_exhaustive()
    }
}

impl Default for CtrDrbg {
    /// An uninstantiated instance with the standard's largest reseed interval, 2^48.
    fn default() -> Self {
        Self::new(MAX_RESEED_INTERVAL).expect("2^48 is a valid interval")
    }
}

impl CtrDrbg {
    /// An uninstantiated instance whose generate requests need a reseed after `reseed_interval`
    /// of them (1 to 2^48; the hardware uses a small one).
    pub fn new(reseed_interval: u64) -> Result<Self, DrbgError> {
        if reseed_interval == 0 || reseed_interval > MAX_RESEED_INTERVAL {
            return Err(DrbgError::BadReseedInterval(reseed_interval));
        }
        Ok(CtrDrbg { key: [0; KEY_LEN], v: [0; BLOCK_LEN], reseed_counter: 0, reseed_interval, mode: None })
    }

    /// The reseed interval this instance was made with.
    pub fn reseed_interval(&self) -> u64 {
        self.reseed_interval
    }

    /// reseed_counter: the number of generate requests since the last (re)seed, plus one.
    pub fn reseed_counter(&self) -> u64 {
        self.reseed_counter
    }

    /// Whether an instantiate has seeded this instance (and no uninstantiate has cleared it).
    pub fn is_instantiated(&self) -> bool {
        self.mode.is_some()
    }

    /// Test hook: the working state's Key. The hardware never exposes it; benches and tests read
    /// it to compare against the CAVP intermediate values or the RTL's state flops.
    pub fn test_hook_key(&self) -> &[u8; KEY_LEN] {
        &self.key
    }

    /// Test hook: the working state's V (see [`CtrDrbg::test_hook_key`]).
    pub fn test_hook_v(&self) -> &[u8; BLOCK_LEN] {
        &self.v
    }

    /// CTR_DRBG_Update (10.2.1.2), public so a bench can drive it alone. `provided_data` is
    /// exactly seedlen bits.
    pub fn update(&mut self, provided_data: &[u8; SEED_LEN]) {
        let cipher = Aes256::new(GenericArray::from_slice(&self.key));
        // 1. temp = Null.
        let mut temp = [0u8; SEED_LEN];
        // 2. While (len(temp) < seedlen) do
        for chunk in temp.chunks_exact_mut(BLOCK_LEN) {
            // 2.1 ctr_len = blocklen here, so: V = (V + 1) mod 2^blocklen.
            increment(&mut self.v);
            // 2.2 output_block = Block_Encrypt(Key, V).
            // 2.3 temp = temp || output_block.
            chunk.copy_from_slice(&encrypt(&cipher, &self.v));
        }
        // 3. temp = leftmost(temp, seedlen): three blocks are exactly seedlen.
        // 4. temp = temp ⊕ provided_data.
        for (t, p) in temp.iter_mut().zip(provided_data) {
            *t ^= p;
        }
        // 5. Key = leftmost(temp, keylen). 6. V = rightmost(temp, blocklen).
        self.key.copy_from_slice(&temp[..KEY_LEN]);
        self.v.copy_from_slice(&temp[KEY_LEN..]);
    }

    /// CTR_DRBG_Instantiate_algorithm without a derivation function (10.2.1.3.1): full-entropy
    /// `entropy_input` of seedlen bits, and a personalization string of at most seedlen bits.
    pub fn instantiate(&mut self, entropy_input: &[u8; SEED_LEN], personalization: &[u8]) -> Result<(), DrbgError> {
        // 1.-2. Pad the personalization string with zeros to seedlen.
        let personalization = pad_to_seedlen("personalization string", personalization)?;
        // 3. seed_material = entropy_input ⊕ personalization_string.
        let seed_material = xor48(entropy_input, &personalization);
        // 4. Key = 0^keylen. 5. V = 0^blocklen.
        self.key = [0; KEY_LEN];
        self.v = [0; BLOCK_LEN];
        // 6. (Key, V) = CTR_DRBG_Update(seed_material, Key, V).
        self.update(&seed_material);
        // 7. reseed_counter = 1.
        self.reseed_counter = 1;
        self.mode = Some(Mode::NoDf);
        Ok(())
    }

    /// CTR_DRBG_Instantiate_algorithm with the derivation function (10.2.1.3.2): entropy input
    /// of at least the security strength (256 bits), a nonce and a personalization string.
    pub fn instantiate_df(&mut self, entropy_input: &[u8], nonce: &[u8], personalization: &[u8]) -> Result<(), DrbgError> {
        check_df_entropy(entropy_input)?;
        // 1. seed_material = entropy_input || nonce || personalization_string.
        // 2. seed_material = Block_Cipher_df(seed_material, seedlen).
        let seed_material = block_cipher_df_seedlen(&[entropy_input, nonce, personalization])?;
        // 3. Key = 0^keylen. 4. V = 0^blocklen.
        self.key = [0; KEY_LEN];
        self.v = [0; BLOCK_LEN];
        // 5. (Key, V) = CTR_DRBG_Update(seed_material, Key, V).
        self.update(&seed_material);
        // 6. reseed_counter = 1.
        self.reseed_counter = 1;
        self.mode = Some(Mode::Df);
        Ok(())
    }

    /// CTR_DRBG_Reseed_algorithm without a derivation function (10.2.1.4.1): seedlen bits of
    /// fresh entropy and at most seedlen bits of additional input.
    pub fn reseed(&mut self, entropy_input: &[u8; SEED_LEN], additional_input: &[u8]) -> Result<(), DrbgError> {
        self.expect_mode(Mode::NoDf, "reseed (no derivation function)")?;
        // 1.-2. Pad the additional input with zeros to seedlen.
        let additional_input = pad_to_seedlen("additional input", additional_input)?;
        // 3. seed_material = entropy_input ⊕ additional_input.
        let seed_material = xor48(entropy_input, &additional_input);
        // 4. (Key, V) = CTR_DRBG_Update(seed_material, Key, V).
        self.update(&seed_material);
        // 5. reseed_counter = 1.
        self.reseed_counter = 1;
        Ok(())
    }

    /// CTR_DRBG_Reseed_algorithm with the derivation function (10.2.1.4.2).
    pub fn reseed_df(&mut self, entropy_input: &[u8], additional_input: &[u8]) -> Result<(), DrbgError> {
        self.expect_mode(Mode::Df, "reseed_df")?;
        check_df_entropy(entropy_input)?;
        // 1. seed_material = entropy_input || additional_input.
        // 2. seed_material = Block_Cipher_df(seed_material, seedlen).
        let seed_material = block_cipher_df_seedlen(&[entropy_input, additional_input])?;
        // 3. (Key, V) = CTR_DRBG_Update(seed_material, Key, V).
        self.update(&seed_material);
        // 4. reseed_counter = 1.
        self.reseed_counter = 1;
        Ok(())
    }

    /// CTR_DRBG_Generate_algorithm (10.2.1.5.1 without, 10.2.1.5.2 with the derivation function,
    /// as the instance was instantiated): `out_len` bytes, with optional additional input (at
    /// most seedlen bits without a derivation function, zero-padded to seedlen). Fails with
    /// [`DrbgError::ReseedRequired`] once reseed_counter > reseed_interval.
    pub fn generate(&mut self, out_len: usize, additional_input: &[u8]) -> Result<Vec<u8>, DrbgError> {
        let mode = self.mode.ok_or(DrbgError::NotInstantiated)?;
        if out_len > MAX_BYTES_PER_REQUEST {
            return Err(DrbgError::RequestTooLarge { requested: out_len, max: MAX_BYTES_PER_REQUEST });
        }
        // 1. If reseed_counter > reseed_interval, then return a reseed required indication.
        if self.reseed_counter > self.reseed_interval {
            return Err(DrbgError::ReseedRequired);
        }
        // 2. If (additional_input ≠ Null), then ... else additional_input = 0^seedlen.
        let additional = if additional_input.is_empty() {
            [0u8; SEED_LEN]
        } else {
            let a = match mode {
                // 10.2.1.5.1 2.1-2.2: pad with zeros to seedlen.
                Mode::NoDf => pad_to_seedlen("additional input", additional_input)?,
                // 10.2.1.5.2 2.1: additional_input = Block_Cipher_df(additional_input, seedlen).
                Mode::Df => block_cipher_df_seedlen(&[additional_input])?,
            };
            // 2.3 (2.2 with df): (Key, V) = CTR_DRBG_Update(additional_input, Key, V).
            self.update(&a);
            a
        };
        // 3. temp = Null.
        let mut temp = Vec::with_capacity(out_len.div_ceil(BLOCK_LEN) * BLOCK_LEN);
        let cipher = Aes256::new(GenericArray::from_slice(&self.key));
        // 4. While (len(temp) < requested_number_of_bits) do:
        while temp.len() < out_len {
            // 4.1 V = (V + 1) mod 2^blocklen (ctr_len = blocklen).
            increment(&mut self.v);
            // 4.2 output_block = Block_Encrypt(Key, V). 4.3 temp = temp || output_block.
            temp.extend_from_slice(&encrypt(&cipher, &self.v));
        }
        // 5. returned_bits = leftmost(temp, requested_number_of_bits).
        temp.truncate(out_len);
        // 6. (Key, V) = CTR_DRBG_Update(additional_input, Key, V).
        self.update(&additional);
        // 7. reseed_counter = reseed_counter + 1.
        self.reseed_counter += 1;
        Ok(temp)
    }

    /// Generate with prediction resistance, for a caller that supplies the entropy (9.3.1 step
    /// 9): reseed with `entropy_input` and the additional input, then generate with no
    /// additional input. Without a derivation function the entropy must be seedlen bits.
    pub fn generate_pr(&mut self, entropy_input: &[u8], out_len: usize, additional_input: &[u8]) -> Result<Vec<u8>, DrbgError> {
        match self.mode.ok_or(DrbgError::NotInstantiated)? {
            Mode::NoDf => {
                let e: &[u8; SEED_LEN] = entropy_input.try_into().map_err(|_| DrbgError::BadLength {
                    what: "entropy input",
                    len: entropy_input.len(),
                    min: SEED_LEN,
                    max: SEED_LEN as u64,
                })?;
                self.reseed(e, additional_input)?;
            }
            Mode::Df => self.reseed_df(entropy_input, additional_input)?,
        }
        self.generate(out_len, &[])
    }

    /// Uninstantiate (9.4): zero the working state; the instance must be instantiated again
    /// before use.
    pub fn uninstantiate(&mut self) {
        self.key = [0; KEY_LEN];
        self.v = [0; BLOCK_LEN];
        self.reseed_counter = 0;
        self.mode = None;
    }

    fn expect_mode(&self, want: Mode, called: &'static str) -> Result<(), DrbgError> {
        match self.mode {
            None => Err(DrbgError::NotInstantiated),
            Some(m) if m != want => Err(DrbgError::WrongMode { called, mode: m.describe() }),
            Some(_) => Ok(()),
        }
    }
}

/// V = (V + 1) mod 2^128, V a big-endian integer.
fn increment(v: &mut [u8; BLOCK_LEN]) {
    *v = u128::from_be_bytes(*v).wrapping_add(1).to_be_bytes();
}

/// Block_Encrypt(Key, block) with the cipher already keyed.
fn encrypt(cipher: &Aes256, block: &[u8; BLOCK_LEN]) -> [u8; BLOCK_LEN] {
    let mut b = GenericArray::clone_from_slice(block);
    cipher.encrypt_block(&mut b);
    b.into()
}

fn xor48(a: &[u8; SEED_LEN], b: &[u8; SEED_LEN]) -> [u8; SEED_LEN] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// `data` followed by zeros up to seedlen; longer than seedlen is an error.
fn pad_to_seedlen(what: &'static str, data: &[u8]) -> Result<[u8; SEED_LEN], DrbgError> {
    if data.len() > SEED_LEN {
        return Err(DrbgError::BadLength { what, len: data.len(), min: 0, max: SEED_LEN as u64 });
    }
    let mut out = [0u8; SEED_LEN];
    out[..data.len()].copy_from_slice(data);
    Ok(out)
}

fn check_df_entropy(entropy_input: &[u8]) -> Result<(), DrbgError> {
    if entropy_input.len() < SECURITY_STRENGTH || entropy_input.len() as u64 >= MAX_DF_INPUT_BYTES {
        return Err(DrbgError::BadLength {
            what: "entropy input",
            len: entropy_input.len(),
            min: SECURITY_STRENGTH,
            max: MAX_DF_INPUT_BYTES - 1,
        });
    }
    Ok(())
}

/// Block_Cipher_df(parts concatenated, seedlen).
fn block_cipher_df_seedlen(parts: &[&[u8]]) -> Result<[u8; SEED_LEN], DrbgError> {
    let out = block_cipher_df(parts, SEED_LEN)?;
    Ok(out.try_into().expect("Block_Cipher_df returned seedlen bytes"))
}

/// Block_Cipher_df (10.3.2) over the concatenation of `parts`, returning `out_len` bytes (at most
/// 512 bits).
pub fn block_cipher_df(parts: &[&[u8]], out_len: usize) -> Result<Vec<u8>, DrbgError> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    // 1. If (number_of_bits_to_return > max_number_of_bits), then return an ERROR_FLAG.
    if out_len > MAX_DF_OUTPUT_BYTES {
        return Err(DrbgError::RequestTooLarge { requested: out_len, max: MAX_DF_OUTPUT_BYTES });
    }
    // 2. L = len(input_string)/8, a 32-bit integer.
    let l = u32::try_from(total).map_err(|_| DrbgError::BadLength {
        what: "derivation function input",
        len: total,
        min: 0,
        max: MAX_DF_INPUT_BYTES - 1,
    })?;
    // 3. N = number_of_bits_to_return/8, a 32-bit integer.
    let n = out_len as u32;
    // 4. S = L || N || input_string || 0x80.
    let mut s = Vec::with_capacity(8 + total + 1 + BLOCK_LEN);
    s.extend_from_slice(&l.to_be_bytes());
    s.extend_from_slice(&n.to_be_bytes());
    for p in parts {
        s.extend_from_slice(p);
    }
    s.push(0x80);
    // 5. While (len(S) mod outlen) ≠ 0, S = S || 0x00.
    while !s.len().is_multiple_of(BLOCK_LEN) {
        s.push(0);
    }
    // 6. temp = Null. 7. i = 0.
    let mut temp = Vec::with_capacity(KEY_LEN + BLOCK_LEN);
    let mut i: u32 = 0;
    // 8. K = leftmost(0x00010203...1D1E1F, keylen).
    let k: [u8; KEY_LEN] = std::array::from_fn(|j| j as u8);
    let k_cipher = Aes256::new(GenericArray::from_slice(&k));
    // 9. While len(temp) < keylen + outlen, do
    while temp.len() < KEY_LEN + BLOCK_LEN {
        // 9.1 IV = i || 0^(outlen - len(i)), i a 32-bit integer.
        let mut iv = [0u8; BLOCK_LEN];
        iv[..4].copy_from_slice(&i.to_be_bytes());
        // 9.2 temp = temp || BCC(K, (IV || S)).
        temp.extend_from_slice(&bcc(&k_cipher, &iv, &s));
        // 9.3 i = i + 1.
        i += 1;
    }
    // 10. K = leftmost(temp, keylen).
    let k_cipher = Aes256::new(GenericArray::from_slice(&temp[..KEY_LEN]));
    // 11. X = select(temp, keylen+1, keylen+outlen).
    let mut x: [u8; BLOCK_LEN] = temp[KEY_LEN..KEY_LEN + BLOCK_LEN].try_into().expect("one block");
    // 12. temp = Null.
    let mut out = Vec::with_capacity(out_len.div_ceil(BLOCK_LEN) * BLOCK_LEN);
    // 13. While len(temp) < number_of_bits_to_return, do
    while out.len() < out_len {
        // 13.1 X = Block_Encrypt(K, X). 13.2 temp = temp || X.
        x = encrypt(&k_cipher, &x);
        out.extend_from_slice(&x);
    }
    // 14. requested_bits = leftmost(temp, number_of_bits_to_return).
    out.truncate(out_len);
    Ok(out)
}

/// BCC (10.3.3) of the data `first_block || rest` (a whole number of blocks).
fn bcc(cipher: &Aes256, first_block: &[u8; BLOCK_LEN], rest: &[u8]) -> [u8; BLOCK_LEN] {
    debug_assert_eq!(rest.len() % BLOCK_LEN, 0);
    // 1. chaining_value = 0^outlen.
    let mut chaining_value = [0u8; BLOCK_LEN];
    // 2.-3. n = len(data)/outlen; data = block_1 || ... || block_n.
    // 4. For i = 1 to n do: input_block = chaining_value ⊕ block_i;
    //    chaining_value = Block_Encrypt(Key, input_block).
    for block in std::iter::once(&first_block[..]).chain(rest.chunks_exact(BLOCK_LEN)) {
        let input_block: [u8; BLOCK_LEN] = std::array::from_fn(|j| chaining_value[j] ^ block[j]);
        chaining_value = encrypt(cipher, &input_block);
    }
    // 5. output_block = chaining_value.
    chaining_value
}

/// The NIST CAVP DRBG response-file format (`CTR_DRBG.rsp`, CAVS 14.3), AES-256 sections only:
/// a parser that names the file and line of anything it cannot take, and a runner that puts
/// one record through [`CtrDrbg`] with CAVP's semantics.
pub mod cavp {
    use super::{CtrDrbg, DrbgError, SEED_LEN};
    use std::fmt;
    use std::path::Path;

    /// What a record exercises between instantiate and the two generates.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum CaseKind {
        /// drbgvectors_no_reseed: instantiate, generate, generate.
        NoReseed,
        /// drbgvectors_pr_false: instantiate, reseed, generate, generate.
        Reseed,
        /// drbgvectors_pr_true: instantiate, generate with prediction resistance (twice).
        PredictionResistance,
    }

    impl fmt::Display for CaseKind {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(match self {
                CaseKind::NoReseed => "no reseed",
                CaseKind::Reseed => "reseed, PR false",
                CaseKind::PredictionResistance => "PR true",
            })
        }
    }

    /// One `COUNT = n` record with the section headers in force for it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Case {
        /// The file (as named to the parser) and the line of the record's `COUNT`.
        pub file: String,
        pub line: usize,
        pub count: u32,
        /// `[AES-256 use df]` rather than `[AES-256 no df]`.
        pub use_df: bool,
        pub entropy_input: Vec<u8>,
        pub nonce: Vec<u8>,
        pub personalization: Vec<u8>,
        /// `EntropyInputReseed` and `AdditionalInputReseed`, in a PR-false record.
        pub reseed: Option<(Vec<u8>, Vec<u8>)>,
        /// The two generates' `AdditionalInput`.
        pub additional: [Vec<u8>; 2],
        /// The two generates' `EntropyInputPR`, in a PR-true record.
        pub entropy_pr: Option<[Vec<u8>; 2]>,
        /// The second generate's output.
        pub returned_bits: Vec<u8>,
    }

    impl Case {
        pub fn kind(&self) -> CaseKind {
            match (&self.reseed, &self.entropy_pr) {
                (Some(_), _) => CaseKind::Reseed,
                (None, Some(_)) => CaseKind::PredictionResistance,
                (None, None) => CaseKind::NoReseed,
            }
        }

        /// Run the record through a fresh [`CtrDrbg`]: instantiate, then reseed or generate with
        /// prediction resistance as the record says, generate twice; the first output is
        /// discarded (CAVP semantics) and the second returned, to compare with `returned_bits`.
        pub fn run(&self) -> Result<Vec<u8>, DrbgError> {
            let mut d = CtrDrbg::default();
            let n = self.returned_bits.len();
            if self.use_df {
                d.instantiate_df(&self.entropy_input, &self.nonce, &self.personalization)?;
            } else {
                d.instantiate(&seed48("entropy input", &self.entropy_input)?, &self.personalization)?;
            }
            if let Some((e, a)) = &self.reseed {
                if self.use_df {
                    d.reseed_df(e, a)?;
                } else {
                    d.reseed(&seed48("reseed entropy input", e)?, a)?;
                }
            }
            let mut out = Vec::new();
            for i in 0..2 {
                out = match &self.entropy_pr {
                    Some(e) => d.generate_pr(&e[i], n, &self.additional[i])?,
                    None => d.generate(n, &self.additional[i])?,
                };
            }
            Ok(out)
        }
    }

    fn seed48(what: &'static str, v: &[u8]) -> Result<[u8; SEED_LEN], DrbgError> {
        v.try_into().map_err(|_| DrbgError::BadLength { what, len: v.len(), min: SEED_LEN, max: SEED_LEN as u64 })
    }

    /// A line the parser could not take.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ParseError {
        pub file: String,
        pub line: usize,
        pub message: String,
    }

    impl fmt::Display for ParseError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }

    impl std::error::Error for ParseError {}

    /// Read and parse a response file.
    pub fn load(path: &Path) -> Result<Vec<Case>, ParseError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ParseError { file: name.clone(), line: 0, message: format!("cannot read the file: {e}") })?;
        parse(&name, &text)
    }

    /// The section headers in force (`[AES-256 no df]`, `[EntropyInputLen = 384]`, ...).
    #[derive(Default)]
    struct Section {
        use_df: Option<bool>,
        pr: Option<bool>,
        entropy_bits: Option<usize>,
        nonce_bits: Option<usize>,
        perso_bits: Option<usize>,
        additional_bits: Option<usize>,
        returned_bits: Option<usize>,
    }

    /// A record being read: its fields in the order they came.
    struct Pending {
        line: usize,
        count: u32,
        fields: Vec<(String, Vec<u8>, usize)>,
    }

    /// Parse the text of a response file; `file` names it in errors. Comment (`#`) and blank
    /// lines are skipped; any other line must be a section header or a field of a record.
    pub fn parse(file: &str, text: &str) -> Result<Vec<Case>, ParseError> {
        let err = |line: usize, message: String| ParseError { file: file.to_string(), line, message };
        let mut section = Section::default();
        let mut pending: Option<Pending> = None;
        let mut cases = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let ln = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(inner) = line.strip_prefix('[') {
                let inner = inner
                    .strip_suffix(']')
                    .ok_or_else(|| err(ln, format!("section header `{line}` has no closing `]`")))?;
                if let Some(p) = pending.take() {
                    cases.push(finish(file, &section, p)?);
                }
                match inner.split_once('=') {
                    None => {
                        section = Section::default();
                        section.use_df = Some(match inner.trim() {
                            "AES-256 no df" => false,
                            "AES-256 use df" => true,
                            other => {
                                return Err(err(ln, format!("section `[{other}]`: only the AES-256 CTR_DRBG sections (`[AES-256 no df]`, `[AES-256 use df]`) are supported")))
                            }
                        });
                    }
                    Some((k, v)) => {
                        let (k, v) = (k.trim(), v.trim());
                        if section.use_df.is_none() {
                            return Err(err(ln, format!("header `[{k} = {v}]` before any `[AES-256 ...]` section")));
                        }
                        if k == "PredictionResistance" {
                            section.pr = Some(match v {
                                "True" => true,
                                "False" => false,
                                _ => return Err(err(ln, format!("PredictionResistance is `{v}`, not True or False"))),
                            });
                            continue;
                        }
                        let bits: usize =
                            v.parse().map_err(|_| err(ln, format!("header {k} = `{v}` is not a number of bits")))?;
                        if !bits.is_multiple_of(8) {
                            return Err(err(ln, format!("header {k} = {bits} is not a whole number of bytes")));
                        }
                        let slot = match k {
                            "EntropyInputLen" => &mut section.entropy_bits,
                            "NonceLen" => &mut section.nonce_bits,
                            "PersonalizationStringLen" => &mut section.perso_bits,
                            "AdditionalInputLen" => &mut section.additional_bits,
                            "ReturnedBitsLen" => &mut section.returned_bits,
                            _ => return Err(err(ln, format!("unknown section header `[{k} = {v}]`"))),
                        };
                        *slot = Some(bits);
                    }
                }
                continue;
            }
            let (k, v) = match line.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim()),
                None => return Err(err(ln, format!("`{line}` is neither a header, a comment nor `Name = value`"))),
            };
            if k == "COUNT" {
                if let Some(p) = pending.take() {
                    cases.push(finish(file, &section, p)?);
                }
                if section.use_df.is_none() {
                    return Err(err(ln, "a record before any `[AES-256 ...]` section header".into()));
                }
                let count = v.parse().map_err(|_| err(ln, format!("COUNT = `{v}` is not a number")))?;
                pending = Some(Pending { line: ln, count, fields: Vec::new() });
                continue;
            }
            let p = pending.as_mut().ok_or_else(|| err(ln, format!("field `{k}` outside a record (no COUNT line before it)")))?;
            match k {
                "EntropyInput" | "Nonce" | "PersonalizationString" | "EntropyInputReseed" | "AdditionalInputReseed"
                | "AdditionalInput" | "EntropyInputPR" | "ReturnedBits" => {}
                _ => return Err(err(ln, format!("unknown field `{k}`"))),
            }
            let bytes = hex(v).map_err(|m| err(ln, format!("{k}: {m}")))?;
            p.fields.push((k.to_string(), bytes, ln));
        }
        if let Some(p) = pending.take() {
            cases.push(finish(file, &section, p)?);
        }
        Ok(cases)
    }

    /// Check a record against its section headers and CAVP's field order, and build the case.
    fn finish(file: &str, s: &Section, p: Pending) -> Result<Case, ParseError> {
        let at = |line: usize, message: String| ParseError { file: file.to_string(), line, message };
        let rec = format!("record COUNT = {}", p.count);
        let need = |v: Option<usize>, h: &str| v.ok_or_else(|| at(p.line, format!("{rec}: no [{h} = ...] header in force")));
        let use_df = s.use_df.expect("a record is only opened inside a section");
        let pr = s.pr.ok_or_else(|| at(p.line, format!("{rec}: no [PredictionResistance = ...] header in force")))?;
        let lens = [
            ("EntropyInput", need(s.entropy_bits, "EntropyInputLen")?),
            ("EntropyInputReseed", need(s.entropy_bits, "EntropyInputLen")?),
            ("EntropyInputPR", need(s.entropy_bits, "EntropyInputLen")?),
            ("Nonce", need(s.nonce_bits, "NonceLen")?),
            ("PersonalizationString", need(s.perso_bits, "PersonalizationStringLen")?),
            ("AdditionalInput", need(s.additional_bits, "AdditionalInputLen")?),
            ("AdditionalInputReseed", need(s.additional_bits, "AdditionalInputLen")?),
            ("ReturnedBits", need(s.returned_bits, "ReturnedBitsLen")?),
        ];
        for (name, value, ln) in &p.fields {
            let bits = lens.iter().find(|(n, _)| n == name).expect("field names were checked").1;
            if value.len() * 8 != bits {
                return Err(at(*ln, format!("{name} is {} bits; the section header says {bits}", value.len() * 8)));
            }
        }
        // The field order CAVP writes, one per kind of record.
        let names: Vec<&str> = p.fields.iter().map(|(n, _, _)| n.as_str()).collect();
        const NO_RESEED: &[&str] =
            &["EntropyInput", "Nonce", "PersonalizationString", "AdditionalInput", "AdditionalInput", "ReturnedBits"];
        const RESEED: &[&str] = &[
            "EntropyInput",
            "Nonce",
            "PersonalizationString",
            "EntropyInputReseed",
            "AdditionalInputReseed",
            "AdditionalInput",
            "AdditionalInput",
            "ReturnedBits",
        ];
        const PR: &[&str] = &[
            "EntropyInput",
            "Nonce",
            "PersonalizationString",
            "AdditionalInput",
            "EntropyInputPR",
            "AdditionalInput",
            "EntropyInputPR",
            "ReturnedBits",
        ];
        let expected = if pr {
            PR
        } else if names.contains(&"EntropyInputReseed") {
            RESEED
        } else {
            NO_RESEED
        };
        if names != expected {
            return Err(at(
                p.line,
                format!(
                    "{rec} ([PredictionResistance = {}]) has the fields {names:?}; expected {expected:?}",
                    if pr { "True" } else { "False" }
                ),
            ));
        }
        let mut v = p.fields.into_iter().map(|(_, b, _)| b);
        let mut next = || v.next().expect("the field list was checked");
        let (entropy_input, nonce, personalization) = (next(), next(), next());
        let (reseed, additional, entropy_pr) = if pr {
            let (a0, e0, a1, e1) = (next(), next(), next(), next());
            (None, [a0, a1], Some([e0, e1]))
        } else if expected == RESEED {
            let (e, a) = (next(), next());
            (Some((e, a)), [next(), next()], None)
        } else {
            (None, [next(), next()], None)
        };
        let returned_bits = next();
        Ok(Case {
            file: file.to_string(),
            line: p.line,
            count: p.count,
            use_df,
            entropy_input,
            nonce,
            personalization,
            reseed,
            additional,
            entropy_pr,
            returned_bits,
        })
    }

    /// Hex digits (either case, even count; empty is empty) to bytes.
    fn hex(s: &str) -> Result<Vec<u8>, String> {
        if !s.len().is_multiple_of(2) {
            return Err(format!("odd number of hex digits ({})", s.len()));
        }
        (0..s.len())
            .step_by(2)
            .map(|i| {
                s.get(i..i + 2)
                    .and_then(|d| u8::from_str_radix(d, 16).ok())
                    .ok_or_else(|| format!("`{}` is not hex", s.get(i..i + 2).unwrap_or("(non-ASCII)")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::cavp::{self, CaseKind};
    use super::*;
    use std::collections::BTreeMap;

    fn vectors(file: &str) -> std::path::PathBuf {
        format!("{}/../testbenches/drbg/vectors/{file}", env!("CARGO_MANIFEST_DIR")).into()
    }

    fn h(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn h48(s: &str) -> [u8; SEED_LEN] {
        h(s).try_into().unwrap()
    }

    /// Every committed case of one file, counted per kind; each kind must have `per_kind` cases.
    fn run_file(file: &str, use_df: bool, per_kind: usize) {
        let cases = cavp::load(&vectors(file)).unwrap_or_else(|e| panic!("{e}"));
        let mut ran: BTreeMap<CaseKind, usize> = BTreeMap::new();
        let mut failures = Vec::new();
        for c in &cases {
            assert_eq!(c.use_df, use_df, "{}:{}: section mode", c.file, c.line);
            match c.run() {
                Ok(out) if out == c.returned_bits => {}
                Ok(out) => failures.push(format!("{}:{}: COUNT = {}: ReturnedBits differ: got {:02x?}", c.file, c.line, c.count, out)),
                Err(e) => failures.push(format!("{}:{}: COUNT = {}: {e}", c.file, c.line, c.count)),
            }
            *ran.entry(c.kind()).or_default() += 1;
        }
        for (kind, n) in &ran {
            println!("{file}: {n} cases ({kind})");
        }
        assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
        let expected: BTreeMap<CaseKind, usize> =
            [CaseKind::NoReseed, CaseKind::Reseed, CaseKind::PredictionResistance].into_iter().map(|k| (k, per_kind)).collect();
        assert_eq!(ran, expected, "{file}: cases per set");
    }

    #[test]
    fn ctr_drbg_cavp_aes256_no_df() {
        run_file("ctr_drbg_aes256_nodf.rsp", false, 60);
    }

    #[test]
    fn ctr_drbg_cavp_aes256_use_df() {
        run_file("ctr_drbg_aes256_df.rsp", true, 60);
    }

    /// The working state after each step of the first record of each mode, from NIST's
    /// intermediate-value file drbgvectors_pr_false/CTR_DRBG.txt ([AES-256 no df] and
    /// [AES-256 use df], PersonalizationStringLen = 0, AdditionalInputLen = 0, COUNT = 0).
    #[test]
    fn ctr_drbg_intermediate_key_and_v() {
        let check = |d: &CtrDrbg, key: &str, v: &str, step: &str| {
            assert_eq!((d.test_hook_key().to_vec(), d.test_hook_v().to_vec()), (h(key), h(v)), "{step}");
        };
        let mut d = CtrDrbg::default();
        d.instantiate(&h48("e4bc23c5089a19d86f4119cb3fa08c0a4991e0a1def17e101e4c14d9c323460a7c2fb58e0b086c6c57b55f56cae25bad"), &[]).unwrap();
        check(&d, "b7b3a93ecfdf2f61c622ad3afb6bff818736a09c9391157e1902d10a79d0db12", "0e4fb6443cae46188617aad8bfe46e23", "no df instantiate");
        d.reseed(&h48("fd85a836bba85019881e8c6bad23c9061adc75477659acaea8e4a01dfe07a1832dad1c136f59d70f8653a5dc118663d6"), &[]).unwrap();
        check(&d, "d230044c2594510d195ffe9923de8848bdbd19f24d0e7558b28e55b2d4de7841", "e18637ff12f514f37adc2013a40f38c1", "no df reseed");
        d.generate(64, &[]).unwrap();
        check(&d, "ec871bb7a4f2c45dccdd0e514a21628959aa21e9643934f619b2709b3e38697c", "d8bbe7bfc60bfb710f39acd1088c9f41", "no df generate 1");
        let out = d.generate(64, &[]).unwrap();
        check(&d, "e728308a0e92cbacb269d12246d8e2d24cf5fcc678aa09564132e4972c456eda", "c95f38da34ecb65ebf8b34c32bc215a5", "no df generate 2");
        assert_eq!(out, h("b2cb8905c05e5950ca31895096be29ea3d5a3b82b269495554eb80fe07de43e193b9e7c3ece73b80e062b1c1f68202fbb1c52a040ea2478864295282234aaada"));

        let mut d = CtrDrbg::default();
        d.instantiate_df(&h("2d4c9f46b981c6a0b2b5d8c69391e569ff13851437ebc0fc00d616340252fed5"), &h("0bf814b411f65ec4866be1abb59d3c32"), &[]).unwrap();
        check(&d, "d64160c3e965f377caef625c7eb21dd37728bcf84bfc23b92e267611feaffda8", "446ce986bd722ad1a514ebb7d274ec99", "df instantiate");
        d.reseed_df(&h("93500fae4fa32b86033b7a7bac9d37e710dcc67ca266bc8607d665937766d207"), &[]).unwrap();
        check(&d, "50d9feb33fc77303b83232b7deded04f1bfa4afaa937712f88458d6b64c046c5", "0b8e38a54036f1ba80a2880d4f17bb09", "df reseed");
        d.generate(64, &[]).unwrap();
        check(&d, "a2203a6f082ecdc0cd38f0b3b19f1a8cd6a5f110a13bb488c1e70f9f95a93024", "84b0a849c5459e27fe7f8c5db26fa13d", "df generate 1");
        d.generate(64, &[]).unwrap();
        check(&d, "de721178a341a85eb54a2f7e2b3cd4bcc201417e739eb183fa958f9af8535b2c", "de67dd5f9a431fc46dd1825cd1a2bff3", "df generate 2");
    }

    /// A changed byte of entropy changes the output, and the reseed interval is enforced: with
    /// interval 3, three generates pass, the fourth needs a reseed, and a reseed clears it.
    #[test]
    fn ctr_drbg_entropy_changes_output_and_reseed_limit() {
        let entropy: [u8; SEED_LEN] = std::array::from_fn(|i| i as u8 * 7 + 1);
        let mut flipped = entropy;
        flipped[17] ^= 0x01;
        let out = |e: &[u8; SEED_LEN]| {
            let mut d = CtrDrbg::default();
            d.instantiate(e, b"pluton").unwrap();
            d.generate(64, &[]).unwrap()
        };
        assert_ne!(out(&entropy), out(&flipped));
        assert_eq!(out(&entropy), out(&entropy));

        let mut d = CtrDrbg::new(3).unwrap();
        d.instantiate(&entropy, &[]).unwrap();
        for _ in 0..3 {
            d.generate(16, &[]).unwrap();
        }
        assert_eq!(d.reseed_counter(), 4);
        let (key, v) = (*d.test_hook_key(), *d.test_hook_v());
        assert_eq!(d.generate(16, &[]), Err(DrbgError::ReseedRequired));
        assert_eq!(d.generate_pr(&entropy[..47], 16, &[]), Err(DrbgError::BadLength { what: "entropy input", len: 47, min: 48, max: 48 }));
        assert_eq!((*d.test_hook_key(), *d.test_hook_v()), (key, v), "a refused request leaves the state alone");
        d.reseed(&flipped, b"more").unwrap();
        assert_eq!(d.reseed_counter(), 1);
        assert!(d.generate(16, &[]).is_ok());
        // Prediction resistance reseeds on every request, so the limit never bites.
        let mut d = CtrDrbg::new(1).unwrap();
        d.instantiate(&entropy, &[]).unwrap();
        for _ in 0..3 {
            d.generate_pr(&flipped, 16, &[]).unwrap();
        }
    }

    #[test]
    fn ctr_drbg_bad_inputs_are_errors() {
        let e = [0x5au8; SEED_LEN];
        assert_eq!(CtrDrbg::new(0).unwrap_err(), DrbgError::BadReseedInterval(0));
        assert!(CtrDrbg::new(MAX_RESEED_INTERVAL + 1).is_err());
        let mut d = CtrDrbg::default();
        assert_eq!(d.generate(16, &[]), Err(DrbgError::NotInstantiated));
        assert_eq!(d.reseed(&e, &[]), Err(DrbgError::NotInstantiated));
        assert!(matches!(d.instantiate(&e, &[0; 49]), Err(DrbgError::BadLength { len: 49, .. })));
        d.instantiate(&e, &[1; 48]).unwrap();
        assert!(matches!(d.generate(16, &[0; 49]), Err(DrbgError::BadLength { len: 49, .. })));
        assert!(matches!(d.reseed(&e, &[0; 49]), Err(DrbgError::BadLength { len: 49, .. })));
        assert!(matches!(d.generate(MAX_BYTES_PER_REQUEST + 1, &[]), Err(DrbgError::RequestTooLarge { .. })));
        assert_eq!(d.generate(MAX_BYTES_PER_REQUEST, &[]).map(|v| v.len()), Ok(MAX_BYTES_PER_REQUEST));
        assert!(matches!(d.reseed_df(&e, &[]), Err(DrbgError::WrongMode { .. })));
        assert!(matches!(d.instantiate_df(&e[..31], &[], &[]), Err(DrbgError::BadLength { len: 31, .. })));
        d.instantiate_df(&e[..32], &[7; 16], &[]).unwrap();
        assert!(matches!(d.reseed(&e, &[]), Err(DrbgError::WrongMode { .. })));
        // With a derivation function, additional input is not limited to seedlen.
        assert_eq!(d.generate(5, &[3; 100]).map(|v| v.len()), Ok(5));
        assert_eq!(d.generate(0, &[]), Ok(vec![]));
        d.uninstantiate();
        assert_eq!((d.test_hook_key(), d.test_hook_v(), d.reseed_counter()), (&[0; KEY_LEN], &[0; BLOCK_LEN], 0));
        assert_eq!(d.generate(16, &[]), Err(DrbgError::NotInstantiated));
        assert!(!DrbgError::ReseedRequired.to_string().is_empty());
    }

    #[test]
    fn ctr_drbg_v_wraps_mod_2_128() {
        let mut v = [0xff; BLOCK_LEN];
        increment(&mut v);
        assert_eq!(v, [0; BLOCK_LEN]);
        let mut v = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff];
        increment(&mut v);
        assert_eq!(v[14..], [0x02, 0x00]);
    }

    #[test]
    fn ctr_drbg_parser_names_file_and_line() {
        let head = "[AES-256 no df]\n[PredictionResistance = False]\n[EntropyInputLen = 384]\n[NonceLen = 0]\n\
                    [PersonalizationStringLen = 0]\n[AdditionalInputLen = 0]\n[ReturnedBitsLen = 512]\n\nCOUNT = 0\n";
        let e = "00".repeat(48);
        let good = format!("{head}EntropyInput = {e}\nNonce = \nPersonalizationString = \nAdditionalInput = \nAdditionalInput = \nReturnedBits = {}\n", "11".repeat(64));
        assert_eq!(cavp::parse("t.rsp", &good).unwrap().len(), 1);
        let cases: &[(String, usize, &str)] = &[
            (good.replace("EntropyInput = 00", "EntropyInput = 0g"), 10, "not hex"),
            (good.replace("EntropyInput = 00", "EntropyInput = 000"), 10, "odd number"),
            (good.replace(&format!("EntropyInput = {e}"), "EntropyInput = 00"), 10, "section header says 384"),
            (good.replace("AdditionalInput = \nAdditionalInput = \n", "AdditionalInput = \n"), 9, "expected"),
            (good.replace("Nonce = ", "Noncey = "), 11, "unknown field"),
            (good.replace("[AES-256 no df]", "[AES-128 no df]"), 1, "only the AES-256"),
            (good.replace("[ReturnedBitsLen = 512]", "[ReturnedBitsLen = x]"), 7, "not a number"),
            (good.replace("[PredictionResistance = False]", "[PredictionResistance = False"), 2, "closing"),
            (good.replace("COUNT = 0\n", ""), 9, "outside a record"),
            (format!("garbage\n{good}"), 1, "neither"),
        ];
        for (text, line, msg) in cases {
            let err = cavp::parse("t.rsp", text).unwrap_err();
            assert_eq!((err.file.as_str(), err.line), ("t.rsp", *line), "{err}");
            assert!(err.to_string().contains(msg), "{err}");
        }
        let missing = cavp::load(std::path::Path::new("/nonexistent/x.rsp")).unwrap_err();
        assert!(missing.to_string().starts_with("/nonexistent/x.rsp:0: cannot read"), "{missing}");
    }
}
