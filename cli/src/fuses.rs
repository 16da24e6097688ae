//! `pluton fuses`: build a fuse image from a TOML description (optionally on top of an older image) and show one.
//!
//! The image is the text file `pluton_cosim::fuse_image::FuseImage` reads and writes (64 raw words,
//! `$readmemh` format). `build` behaves like a fuse programmer: it only ever blows fuses (0 -> 1),
//! refuses to touch a partition the base image has locked, and never moves the life cycle or
//! the SVN backwards. `show` decodes every partition but prints secrets only as fingerprints.

use clap::Subcommand;
use pluton_cosim::fuse_image::{raw_word, secded_decode, word_name, word_status, FuseImage, LifeCycle, WordStatus};
use pluton_hdl::otp::fusemap::{self, Partition};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum FusesCommand {
    /// Build a fuse image from a TOML description (see testbenches/otp/images/*.toml).
    Build {
        /// The TOML description: [secret], [owner], [svn], [life_cycle], [config] sections.
        config: PathBuf,
        /// Output image file.
        #[arg(short, long)]
        output: PathBuf,
        /// Image already in the fuses: the output is this image with more fuses blown.
        #[arg(long)]
        base: Option<PathBuf>,
    },
    /// Decode a fuse image: life cycle, SVN, locks, owner hash, config, ECC status of every word.
    Show {
        /// Image file.
        image: PathBuf,
    },
}

pub fn run(cmd: FusesCommand) -> Result<(), String> {
    match cmd {
        FusesCommand::Build { config, output, base } => {
            let text = read(&config, "config")?;
            let base_image = match &base {
                Some(path) => FuseImage::parse(&read(path, "base image")?).map_err(|e| format!("base image {}: {e}", path.display()))?,
                None => FuseImage::blank(),
            };
            // One problem per line, each naming the description file.
            let out = build(&text, &base_image, base.is_some())
                .map_err(|e| e.lines().map(|l| format!("{}: {l}", config.display())).collect::<Vec<_>>().join("\n"))?;
            std::fs::write(&output, out.image.to_text()).map_err(|e| format!("writing {}: {e}", output.display()))?;
            println!("wrote {}: {} word(s) programmed", output.display(), out.programmed.len());
            for p in fusemap::PARTITIONS {
                let words: Vec<u32> = out.programmed.iter().copied().filter(|&w| fusemap::partition_of(w) == Some(p)).collect();
                if !words.is_empty() {
                    println!("    {:<10} {}", p.name, word_ranges(&words));
                }
            }
            println!("life cycle {}, SVN {}", out.image.life_cycle().name(), out.image.svn());
            Ok(())
        }
        FusesCommand::Show { image } => {
            let img = FuseImage::parse(&read(&image, "fuse image")?).map_err(|e| format!("fuse image {}: {e}", image.display()))?;
            print!("{}", show(&img));
            Ok(())
        }
    }
}

/// Sorted word addresses as compact ranges, e.g. `0x00-0x0f 0x30`.
fn word_ranges(words: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j + 1 < words.len() && words[j + 1] == words[j] + 1 {
            j += 1;
        }
        out.push(if i == j { format!("0x{:02x}", words[i]) } else { format!("0x{:02x}-0x{:02x}", words[i], words[j]) });
        i = j + 1;
    }
    out.join(" ")
}

fn read(path: &Path, what: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// The TOML description. Every section and key is optional; whatever is left out is not programmed.

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Config {
    secret: Option<SecretCfg>,
    owner: Option<OwnerCfg>,
    svn: Option<SvnCfg>,
    life_cycle: Option<LifeCycleCfg>,
    config: Option<ConfigCfg>,
}

/// Partition SECRET: the two 256-bit keys, 64 hex digits each, byte 0 first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretCfg {
    device_root_key: Option<String>,
    attestation_seed: Option<String>,
    lock: Option<bool>,
}

/// Partition OWNER: the SHA-256 of the secure-boot public key, or the key itself (X || Y).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerCfg {
    key_hash: Option<String>,
    public_key: Option<String>,
    lock: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SvnCfg {
    value: Option<u32>,
    lock: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LifeCycleCfg {
    state: Option<String>,
    lock: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigCfg {
    words: Option<Vec<u32>>,
    lock: Option<bool>,
}

/// One word the description asks for, with the TOML key it came from (for messages).
struct Write {
    word: u32,
    data: u32,
    key: String,
}

pub struct Built {
    pub image: FuseImage,
    /// Words whose raw value changed.
    pub programmed: Vec<u32>,
}

/// Build an image from the TOML `text` on top of `base`. `has_base` only words the messages.
/// Every problem found is reported, one per line.
pub fn build(text: &str, base: &FuseImage, has_base: bool) -> Result<Built, String> {
    let cfg: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    let base_name = if has_base { "the base image" } else { "a blank image" };

    if let Some(s) = &cfg.secret {
        for (name, value, first) in [
            ("device_root_key", &s.device_root_key, fusemap::DEVICE_ROOT_KEY),
            ("attestation_seed", &s.attestation_seed, fusemap::ATTESTATION_SEED),
        ] {
            let key = format!("secret.{name}");
            // Never echo a secret in a message: hex_bytes only describes what is wrong.
            match value.as_deref().map(|v| hex_bytes::<32>(v, &key)) {
                None => {}
                Some(Err(e)) => errors.push(e),
                Some(Ok(bytes)) if bytes == [0; 32] => {
                    errors.push(format!("{key}: all zero; a zero key cannot be told from unprogrammed fuses"))
                }
                Some(Ok(bytes)) => writes.extend(key_words(first, &bytes, &key)),
            }
        }
        lock_write(&fusemap::SECRET, "secret", s.lock, base, &mut writes, &mut errors);
    }

    if let Some(o) = &cfg.owner {
        let hash = match (&o.key_hash, &o.public_key) {
            (Some(_), Some(_)) => Err("owner: give key_hash or public_key, not both".to_string()),
            (Some(h), None) => hex_bytes::<32>(h, "owner.key_hash").map(Some),
            (None, Some(k)) => hex_bytes::<64>(k, "owner.public_key").map(|xy| {
                let digest = ring::digest::digest(&ring::digest::SHA256, &xy);
                Some(digest.as_ref().try_into().unwrap())
            }),
            (None, None) => Ok(None),
        };
        match hash {
            Ok(Some(h)) => writes.extend(key_words(fusemap::OWNER_KEY_HASH, &h, "owner")),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
        lock_write(&fusemap::OWNER, "owner", o.lock, base, &mut writes, &mut errors);
    }

    if let Some(s) = &cfg.svn {
        if let Some(value) = s.value {
            if value > fusemap::SVN_MAX {
                errors.push(format!("svn.value: {value} is over the maximum {} (the SVN thermometer has {} words)", fusemap::SVN_MAX, fusemap::SVN_MAX));
            } else {
                match base.svn_checked() {
                    Err(why) => errors.push(format!("svn.value: the SVN partition of {base_name} is broken ({why}); cannot add to it")),
                    Ok(old) if value < old => errors.push(format!(
                        "svn.value: {value} is lower than the SVN {old} of {base_name}; the SVN only grows (anti-rollback)"
                    )),
                    Ok(_) => writes.extend((0..value).map(|i| Write {
                        word: fusemap::SVN_FIRST + i,
                        data: fusemap::SVN_WORD,
                        key: "svn.value".into(),
                    })),
                }
            }
        }
        lock_write(&fusemap::SVN, "svn", s.lock, base, &mut writes, &mut errors);
    }

    if let Some(l) = &cfg.life_cycle {
        if let Some(name) = &l.state {
            match LifeCycle::from_name(name) {
                None => errors.push(format!("life_cycle.state: unknown state \"{name}\"; states are \"blank\", \"dev\", \"secured\", \"rma\"")),
                Some(target) => match base.life_cycle() {
                    LifeCycle::Invalid => errors.push(format!(
                        "life_cycle.state: the life cycle of {base_name} is INVALID (bad LC words or a broken LIFECYCLE partition); cannot move it"
                    )),
                    old if target < old => errors.push(format!(
                        "life_cycle.state: \"{}\" would go backwards from \"{}\" in {base_name}; the life cycle only moves forward (blank -> dev -> secured -> rma)",
                        target.name(),
                        old.name()
                    )),
                    _ => writes.extend(target.words().iter().map(|&(word, magic)| Write { word, data: magic, key: "life_cycle.state".into() })),
                },
            }
        }
        lock_write(&fusemap::LIFECYCLE, "life_cycle", l.lock, base, &mut writes, &mut errors);
    }

    if let Some(c) = &cfg.config {
        if let Some(words) = &c.words {
            if words.len() > 4 {
                errors.push(format!("config.words: {} words given, there are only 4 (CONFIG0..3)", words.len()));
            } else {
                writes.extend(words.iter().enumerate().map(|(i, &data)| Write {
                    word: fusemap::CONFIG_FIRST + i as u32,
                    data,
                    key: format!("config.words[{i}]"),
                }));
            }
        }
        lock_write(&fusemap::CONFIG, "config", c.lock, base, &mut writes, &mut errors);
    }

    // Apply: each word must end as exactly the clean code word of its data, reachable by 0 -> 1 only.
    let mut image = base.clone();
    let mut programmed = Vec::new();
    for w in &writes {
        let old = base.raw[w.word as usize];
        // Data 0 on a blank word leaves it blank; otherwise program data, check bits and DONE.
        let new = if w.data == 0 && old == 0 { 0 } else { raw_word(w.data) };
        if old == new {
            continue; // already programmed with this value
        }
        let part = fusemap::partition_of(w.word).expect("the tool only writes mapped words");
        let what = format!("{}: word 0x{:02x} ({}, partition {})", w.key, w.word, word_name(w.word), part.name);
        if base.locked(&part) {
            errors.push(format!("{what}: partition {} is locked in {base_name}; it cannot be programmed", part.name));
        } else if old & !new != 0 && part.read_locked {
            errors.push(format!("{what}: already holds a different value; changing it needs fuse bits to go 1 -> 0, which fuses cannot do (values not shown: secret)"));
        } else if old & !new != 0 {
            errors.push(format!(
                "{what}: {} -> {} needs fuse bits to go 1 -> 0 (raw 0x{old:010x} -> 0x{new:010x}), which fuses cannot do",
                show_value(old),
                show_value(new)
            ));
        } else {
            image.raw[w.word as usize] = new;
            programmed.push(w.word);
        }
    }
    if errors.is_empty() {
        programmed.sort_unstable();
        programmed.dedup();
        Ok(Built { image, programmed })
    } else {
        Err(errors.join("\n"))
    }
}

/// A TOML error as `section.key: problem (line L, column C)`, naming the key the way the other messages do.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else { return e.message().trim_end().to_string() };
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_no = text[..start].matches('\n').count() + 1;
    let column = text[line_start..start].chars().count() + 1;
    let line = text[line_start..].lines().next().unwrap_or("");
    // The section is the last `[name]` header at or before the error's line.
    let section = text[..line_start + line.len()]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim());
    let key = line.split_once('=').map(|(k, _)| k.trim()).filter(|k| !k.starts_with('['));
    let path = match (section, key) {
        (Some(s), Some(k)) => format!("{s}.{k}: "),
        (None, Some(k)) => format!("{k}: "),
        (Some(s), None) => format!("{s}: "),
        (None, None) => String::new(),
    };
    format!("{path}{} (line {line_no}, column {column})", e.message().trim_end())
}

/// A lock request: `lock = true` programs LOCK_MAGIC; `lock = false` on a base that is locked is an error.
fn lock_write(p: &Partition, section: &str, lock: Option<bool>, base: &FuseImage, writes: &mut Vec<Write>, errors: &mut Vec<String>) {
    match lock {
        Some(true) => writes.push(Write { word: p.lock_word, data: fusemap::LOCK_MAGIC, key: format!("{section}.lock") }),
        Some(false) if base.locked(p) => errors.push(format!(
            "{section}.lock: false, but partition {} is locked in the base image; a lock cannot be undone",
            p.name
        )),
        _ => {}
    }
}

/// 8 words from 32 bytes: byte i goes to bits [8(i%4)+7 : 8(i%4)] of word first + i/4.
fn key_words(first: u32, bytes: &[u8; 32], key: &str) -> Vec<Write> {
    bytes
        .chunks(4)
        .enumerate()
        .map(|(i, c)| Write { word: first + i as u32, data: u32::from_le_bytes(c.try_into().unwrap()), key: key.into() })
        .collect()
}

/// Exactly 2N hex digits -> N bytes, byte 0 first. The message never repeats the value.
fn hex_bytes<const N: usize>(text: &str, key: &str) -> Result<[u8; N], String> {
    if let Some(bad) = text.chars().position(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("{key}: character {} is not a hex digit; expected {} hex digits ({N} bytes)", bad + 1, 2 * N));
    }
    if text.len() != 2 * N {
        return Err(format!("{key}: {} hex digits, expected {} ({N} bytes)", text.len(), 2 * N));
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap();
    }
    Ok(out)
}

/// A (non-secret) word's value for a message.
fn show_value(raw: u64) -> String {
    match word_status(raw) {
        WordStatus::Blank => "blank".into(),
        WordStatus::Clean | WordStatus::Corrected => format!("0x{:08x}", secded_decode(raw).data),
        s => format!("{} word", s.name()),
    }
}

// ---------------------------------------------------------------------------------------------
// show

fn fingerprint(bytes: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    d.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Everything in the image, decoded; secrets only as "programmed" plus a SHA-256 fingerprint.
pub fn show(img: &FuseImage) -> String {
    let mut s = String::new();
    let mut line = |k: &str, v: String| s.push_str(&format!("{k:<18}{v}\n"));
    let lc = img.life_cycle();
    line("life cycle", format!("{} (lc_state {}, debug_en {})", lc.name(), lc.code(), u8::from(lc.debug_en())));
    line(
        "svn",
        match img.svn_checked() {
            Ok(n) => n.to_string(),
            Err(why) => format!("{} (safe value: {why})", fusemap::SVN_MAX),
        },
    );
    let locks: Vec<String> = fusemap::PARTITIONS
        .iter()
        .map(|p| format!("{} {}", p.name, if img.locked(p) { "locked" } else { "open" }))
        .collect();
    line("locks", locks.join(", "));
    let fatal: Vec<&str> = fusemap::PARTITIONS.iter().filter(|p| img.partition_fatal(p)).map(|p| p.name).collect();
    line("fatal", if fatal.is_empty() { "none".into() } else { fatal.join(", ") });
    for (name, first) in [("device root key", fusemap::DEVICE_ROOT_KEY), ("attestation seed", fusemap::ATTESTATION_SEED)] {
        let blank = (first..first + fusemap::KEY_WORDS).filter(|&w| img.status(w) == WordStatus::Blank).count();
        let v = if blank == fusemap::KEY_WORDS as usize {
            "not programmed".to_string()
        } else {
            let partial = if blank > 0 { format!(" ({blank} of 8 words blank)") } else { String::new() };
            format!("programmed{partial}, fingerprint sha256:{}", fingerprint(&img.bytes32(first)))
        };
        line(name, v);
    }
    let owner_blank = (fusemap::OWNER_KEY_HASH..fusemap::OWNER_KEY_HASH + fusemap::KEY_WORDS).all(|w| img.status(w) == WordStatus::Blank);
    line("owner key hash", if owner_blank { "not programmed".into() } else { hex(&img.owner_key_hash()) });
    line("config", img.config().iter().map(|c| format!("0x{c:08x}")).collect::<Vec<_>>().join(" "));
    let list = |status: WordStatus| -> String {
        let words: Vec<String> = (0..fusemap::WORDS as u32).filter(|&w| img.status(w) == status).map(|w| format!("0x{w:02x}")).collect();
        if words.is_empty() {
            "none".into()
        } else {
            words.join(" ")
        }
    };
    line("corrected", list(WordStatus::Corrected));
    line("uncorrectable", list(WordStatus::Uncorrectable));
    line("interrupted", list(WordStatus::Interrupted));

    s.push_str("\nword  name                 partition  status         data\n");
    for w in 0..fusemap::WORDS as u32 {
        let part = fusemap::partition_of(w);
        let status = img.status(w);
        // Only the SECRET data words are hidden; its lock word is not a secret.
        let secret = part.is_some_and(|p| p.read_locked && p.contains(w));
        let data = if secret {
            "(secret)".to_string()
        } else if status == WordStatus::Interrupted {
            format!("raw 0x{:010x}", img.raw[w as usize])
        } else {
            format!("0x{:08x}", img.data(w))
        };
        s.push_str(&format!(
            "0x{w:02x}  {:<20} {:<10} {:<14} {data}\n",
            word_name(w),
            part.map_or("-", |p| p.name),
            status.name()
        ));
    }
    s
}
