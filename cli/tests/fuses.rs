//! End-to-end tests of `pluton fuses build` and `pluton fuses show`: example images, upgrades, every refusal.

use pluton_cosim::fuse_image::{raw_word, FuseImage, LifeCycle, DONE};
use pluton_hdl::otp::fusemap::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// A scratch folder, removed at the end of the test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("pluton-fuses-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `pluton fuses ARGS`: (success, stdout, stderr).
fn fuses(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pluton")).arg("fuses").args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn images() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testbenches/otp/images")
}

fn read_image(path: &str) -> FuseImage {
    FuseImage::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Build `toml` (on `base` if given) and return the image; panics with stderr on failure.
fn build_ok(s: &Scratch, toml: &str, base: Option<&FuseImage>) -> FuseImage {
    let (ok, _, err) = build(s, toml, base);
    assert!(ok, "build failed: {err}");
    read_image(&s.path("out.hex"))
}

/// Build `toml` expecting a refusal; returns the message, and checks no image was written.
fn build_err(s: &Scratch, toml: &str, base: Option<&FuseImage>) -> String {
    let _ = std::fs::remove_file(s.path("out.hex"));
    let (ok, out, err) = build(s, toml, base);
    assert!(!ok, "build should have failed; stdout: {out}");
    assert!(!Path::new(&s.path("out.hex")).exists(), "an image was written despite: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn build(s: &Scratch, toml: &str, base: Option<&FuseImage>) -> (bool, String, String) {
    let config = s.file("cfg.toml", toml);
    let out = s.path("out.hex");
    let base_path = base.map(|b| s.file("base.hex", &b.to_text()));
    let mut args = vec!["build", config.as_str(), "-o", out.as_str()];
    if let Some(b) = &base_path {
        args.extend(["--base", b.as_str()]);
    }
    fuses(&args)
}

#[test]
fn example_images_are_what_their_configs_build() {
    let s = Scratch::new("examples");
    let dir = images();
    let dev_toml = dir.join("dev.toml").to_string_lossy().into_owned();
    let sec_toml = dir.join("secured.toml").to_string_lossy().into_owned();
    let dev_hex = dir.join("dev.hex").to_string_lossy().into_owned();
    let (ok, out, err) = fuses(&["build", &dev_toml, "-o", &s.path("dev.hex")]);
    assert!(ok, "{err}");
    assert!(out.contains("life cycle dev, SVN 1"), "{out}");
    assert_eq!(std::fs::read_to_string(s.path("dev.hex")).unwrap(), std::fs::read_to_string(&dev_hex).unwrap(), "dev.hex is stale: rebuild it");
    let (ok, out, err) = fuses(&["build", &sec_toml, "--base", &dev_hex, "-o", &s.path("secured.hex")]);
    assert!(ok, "{err}");
    assert!(out.contains("life cycle secured, SVN 2"), "{out}");
    assert_eq!(
        std::fs::read_to_string(s.path("secured.hex")).unwrap(),
        std::fs::read_to_string(dir.join("secured.hex")).unwrap(),
        "secured.hex is stale: rebuild it"
    );

    let dev = read_image(&dev_hex);
    assert_eq!(dev.life_cycle(), LifeCycle::Dev);
    assert_eq!(dev.svn(), 1);
    assert_eq!(hex(&dev.device_root_key()), ROOT_KEY);
    assert!(dev.locked(&SECRET) && !dev.locked(&OWNER));
    // Owner hash = SHA-256 of the P-256 generator's X || Y (the config gives the public key).
    assert_eq!(hex(&dev.owner_key_hash()), "d875db7def232236aec738c6b0bb3e80142f5d0fd8f4df24fed6eef5cbb50d9f");
    assert_eq!(dev.config(), [1, 0, 0, 0]);
    let sec = read_image(&dir.join("secured.hex").to_string_lossy());
    assert_eq!((sec.life_cycle(), sec.svn(), sec.config()), (LifeCycle::Secured, 2, [1, 0x10, 0, 0]));
    assert!(sec.locked(&OWNER) && sec.locked(&SVN) && sec.locked(&CONFIG) && !sec.locked(&LIFECYCLE));
    assert_eq!(sec.device_root_key(), dev.device_root_key());
    // The upgrade only blew fuses.
    for w in 0..WORDS {
        assert_eq!(dev.raw[w] & !sec.raw[w], 0, "word {w:#x} lost a bit");
    }
}

#[test]
fn image_text_round_trips() {
    for name in ["dev.hex", "secured.hex"] {
        let text = std::fs::read_to_string(images().join(name)).unwrap();
        assert_eq!(FuseImage::parse(&text).unwrap().to_text(), text, "{name}");
    }
    // Any raw content, even broken words, survives print then parse.
    let mut img = FuseImage::blank();
    for (w, raw) in img.raw.iter_mut().enumerate() {
        *raw = (w as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24;
    }
    assert_eq!(FuseImage::parse(&img.to_text()).unwrap(), img);
}

#[test]
fn show_decodes_every_partition_and_hides_secrets() {
    let dev_hex = images().join("secured.hex").to_string_lossy().into_owned();
    let (ok, out, err) = fuses(&["show", &dev_hex]);
    assert!(ok, "{err}");
    for want in [
        "life cycle        secured (lc_state 2, debug_en 0)",
        "svn               2",
        "locks             SECRET locked, OWNER locked, SVN locked, LIFECYCLE open, CONFIG locked",
        "fatal             none",
        "device root key   programmed, fingerprint sha256:",
        "attestation seed  programmed, fingerprint sha256:",
        "owner key hash    d875db7def232236aec738c6b0bb3e80142f5d0fd8f4df24fed6eef5cbb50d9f",
        "config            0x00000001 0x00000010 0x00000000 0x00000000",
        "interrupted       none",
        "0x00  DEVICE_ROOT_KEY[0]   SECRET     clean          (secret)",
        "0x29  LC_SECURED           LIFECYCLE  clean          0x53454331",
        "0x30  LOCK_SECRET          SECRET     clean          0x4c4f434b",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    // No secret word appears, in any byte order or as a raw fuse word.
    let img = read_image(&dev_hex);
    for w in 0..16u32 {
        let d = img.data(w);
        for needle in [format!("{d:08x}"), format!("{:08x}", d.swap_bytes()), format!("{:010x}", img.raw[w as usize])] {
            assert!(!out.contains(&needle), "secret word {w:#x} leaked as {needle}");
        }
    }
    assert!(!out.contains(&ROOT_KEY[..16]));
}

#[test]
fn show_reports_ecc_errors_and_interrupted_words() {
    let s = Scratch::new("show-ecc");
    let mut img = read_image(&images().join("dev.hex").to_string_lossy());
    img.raw[OWNER_KEY_HASH as usize] ^= 1 << 3; // one bit: corrected
    img.raw[SVN_FIRST as usize] ^= 0b11 << 33; // two bits: uncorrectable -> SVN fatal, safe value 16
    img.raw[CONFIG_FIRST as usize + 1] = raw_word(0x55) & !DONE; // program cut short
    let (ok, out, err) = fuses(&["show", &s.file("bad.hex", &img.to_text())]);
    assert!(ok, "{err}");
    for want in [
        "svn               16 (safe value: SVN partition has an uncorrectable or interrupted word)",
        "fatal             SVN, CONFIG",
        "config            0x00000000 0x00000000 0x00000000 0x00000000",
        "corrected         0x10",
        "uncorrectable     0x18",
        "interrupted       0x2d",
        "0x10  OWNER_KEY_HASH[0]    OWNER      corrected      0x7ddb75d8",
        "0x2d  CONFIG1              CONFIG     INTERRUPTED    raw 0x",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
}

#[test]
fn show_and_build_reject_bad_image_files() {
    let s = Scratch::new("bad-image");
    let mut lines: Vec<String> = FuseImage::blank().to_text().lines().map(String::from).collect();
    lines[7] = "12345".into(); // line 8 of the file (2 header lines, then words)
    let bad = s.file("bad.hex", &lines.join("\n"));
    let (ok, _, err) = fuses(&["show", &bad]);
    assert!(!ok);
    assert!(err.contains("bad.hex: line 8: expected a word of exactly 10 hex digits (40 bits), found `12345`"), "{err}");
    let cfg = s.file("cfg.toml", "[svn]\nvalue = 1\n");
    let (ok, _, err) = fuses(&["build", &cfg, "--base", &bad, "-o", &s.path("out.hex")]);
    assert!(!ok);
    assert!(err.contains("base image") && err.contains("line 8"), "{err}");
    let short = s.file("short.hex", "// nothing\n0000000000\n");
    let (ok, _, err) = fuses(&["show", &short]);
    assert!(!ok && err.contains("1 words found, a fuse image has exactly 64"), "{err}");
    let (ok, _, err) = fuses(&["show", &s.path("missing.hex")]);
    assert!(!ok && err.contains("cannot read fuse image"), "{err}");
    let (ok, _, err) = fuses(&["build", &s.path("missing.toml"), "-o", &s.path("out.hex")]);
    assert!(!ok && err.contains("cannot read config"), "{err}");
}

#[test]
fn build_rejects_bad_descriptions_naming_the_key() {
    let s = Scratch::new("bad-config");
    let cases: &[(&str, &str)] = &[
        ("[secrets]\nlock = true\n", "cfg.toml: secrets: unknown field `secrets`, expected one of `secret`, `owner`, `svn`, `life_cycle`, `config` (line 1, column 2)"),
        ("[svn]\nvalue = 1\nlocked = true\n", "svn.locked: unknown field `locked`, expected `value` or `lock` (line 3, column 1)"),
        ("[svn]\nvalue = \"3\"\n", "svn.value: invalid type: string \"3\", expected u32 (line 2, column 9)"),
        ("[svn]\nvalue = -1\n", "svn.value: invalid value: integer `-1`, expected u32"),
        ("[svn]\nvalue = 17\n", "svn.value: 17 is over the maximum 16"),
        ("[secret]\ndevice_root_key = \"0011\"\n", "secret.device_root_key: 4 hex digits, expected 64 (32 bytes)"),
        (
            "[secret]\nattestation_seed = \"00112233445566778899aabbccddeeff00112233445566778899aabbccddeegg\"\n",
            "secret.attestation_seed: character 63 is not a hex digit",
        ),
        (&format!("[secret]\ndevice_root_key = \"{}\"\n", "0".repeat(64)), "secret.device_root_key: all zero"),
        ("[owner]\nkey_hash = \"zz\"\n", "owner.key_hash: character 1 is not a hex digit"),
        ("[owner]\npublic_key = \"0011\"\n", "owner.public_key: 4 hex digits, expected 128 (64 bytes)"),
        (&format!("[owner]\nkey_hash = \"{ROOT_KEY}\"\npublic_key = \"{ROOT_KEY}{ROOT_KEY}\"\n"), "owner: give key_hash or public_key, not both"),
        ("[life_cycle]\nstate = \"production\"\n", "life_cycle.state: unknown state \"production\"; states are \"blank\", \"dev\", \"secured\", \"rma\""),
        ("[config]\nwords = [1, 2, 3, 4, 5]\n", "config.words: 5 words given, there are only 4"),
        ("[config]\nwords = [0x1_0000_0000]\n", "config.words: invalid value: integer `4294967296`, expected u32"),
        ("[config\n", "config: unclosed table, expected `]` (line 1, column 8)"),
    ];
    for (toml, want) in cases {
        let err = build_err(&s, toml, None);
        assert!(err.contains(want), "config:\n{toml}\nwanted `{want}` in: {err}");
    }
    // Several problems: all reported, one per line.
    let err = build_err(&s, "[svn]\nvalue = 20\n[life_cycle]\nstate = \"x\"\n", None);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].contains("cfg.toml: svn.value") && lines[1].contains("cfg.toml: life_cycle.state"), "{err}");
    // Secrets never appear in a message, even a wrong one.
    let err = build_err(&s, "[secret]\ndevice_root_key = \"abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678x\"\n", None);
    assert!(!err.contains("abcdef"), "{err}");
}

#[test]
fn build_refuses_what_fuses_cannot_do() {
    let s = Scratch::new("refusals");
    let dev = read_image(&images().join("dev.hex").to_string_lossy());
    let sec = read_image(&images().join("secured.hex").to_string_lossy());

    // Life cycle and SVN only move forward.
    let err = build_err(&s, "[life_cycle]\nstate = \"dev\"\n", Some(&sec));
    assert!(err.contains("life_cycle.state: \"dev\" would go backwards from \"secured\" in the base image"), "{err}");
    let err = build_err(&s, "[life_cycle]\nstate = \"blank\"\n", Some(&dev));
    assert!(err.contains("\"blank\" would go backwards from \"dev\""), "{err}");
    let mut no_svn_lock = dev.clone();
    for i in 0..5 {
        no_svn_lock.program(SVN_FIRST + i, SVN_WORD);
    }
    let err = build_err(&s, "[svn]\nvalue = 3\n", Some(&no_svn_lock));
    assert!(err.contains("svn.value: 3 is lower than the SVN 5 of the base image; the SVN only grows"), "{err}");

    // 1 -> 0: names the key, word, partition and both values.
    let err = build_err(&s, "[config]\nwords = [0x3]\n", Some(&dev));
    assert!(
        err.contains("config.words[0]: word 0x2c (CONFIG0, partition CONFIG): 0x00000001 -> 0x00000003 needs fuse bits to go 1 -> 0 (raw 0x")
            && err.contains("which fuses cannot do"),
        "{err}"
    );
    let err = build_err(&s, "[config]\nwords = [0]\n", Some(&dev));
    assert!(err.contains("0x00000001 -> 0x00000000 needs fuse bits to go 1 -> 0"), "{err}");
    // On a secret: the same refusal, but the values stay hidden.
    let mut open_secret = FuseImage::blank();
    open_secret.program_bytes32(DEVICE_ROOT_KEY, &[0x5A; 32]);
    let other = format!("[secret]\ndevice_root_key = \"{}\"\n", "a5".repeat(32));
    let err = build_err(&s, &other, Some(&open_secret));
    assert!(err.contains("secret.device_root_key: word 0x00 (DEVICE_ROOT_KEY[0], partition SECRET): already holds a different value"), "{err}");
    assert!(err.contains("values not shown: secret") && !err.contains("5a5a") && !err.contains("a5a5"), "{err}");

    // Locked partitions of the base cannot change, and locks cannot be undone.
    let err = build_err(&s, &format!("[secret]\nattestation_seed = \"{ROOT_KEY}\"\n"), Some(&dev));
    assert!(err.contains("secret.attestation_seed: word 0x08 (ATTESTATION_SEED[0], partition SECRET): partition SECRET is locked in the base image"), "{err}");
    let err = build_err(&s, "[config]\nwords = [1, 7]\n", Some(&sec));
    assert!(err.contains("config.words[1]: word 0x2d (CONFIG1, partition CONFIG): partition CONFIG is locked"), "{err}");
    let err = build_err(&s, "[svn]\nlock = false\n", Some(&sec));
    assert!(err.contains("svn.lock: false, but partition SVN is locked in the base image; a lock cannot be undone"), "{err}");

    // A broken base cannot be moved on.
    let mut bad_lc = dev.clone();
    bad_lc.program(LC_RMA, LC_RMA_MAGIC); // RMA without SECURED: a gap
    let err = build_err(&s, "[life_cycle]\nstate = \"rma\"\n", Some(&bad_lc));
    assert!(err.contains("life_cycle.state: the life cycle of the base image is INVALID"), "{err}");
    let mut bad_svn = dev.clone();
    bad_svn.program(SVN_FIRST + 1, 0x1234);
    let err = build_err(&s, "[svn]\nvalue = 4\n", Some(&bad_svn));
    assert!(err.contains("svn.value: the SVN partition of the base image is broken (SVN[1] is 0x00001234"), "{err}");
}

#[test]
fn build_upgrades_a_base_image() {
    let s = Scratch::new("upgrade");
    let dev = read_image(&images().join("dev.hex").to_string_lossy());
    // Re-applying the same description changes nothing: every word already holds its value.
    let dev_toml = std::fs::read_to_string(images().join("dev.toml")).unwrap();
    let (ok, out, err) = build(&s, &dev_toml, Some(&dev));
    assert!(ok, "{err}");
    assert!(out.contains(": 0 word(s) programmed"), "{out}");
    assert_eq!(read_image(&s.path("out.hex")), dev);

    // Words the description leaves out are kept; new ones are ORed in.
    let img = build_ok(&s, "[svn]\nvalue = 4\n[life_cycle]\nstate = \"rma\"\n[config]\nwords = [1, 0, 0xCAFE]\n", Some(&dev));
    assert_eq!((img.life_cycle(), img.svn(), img.config()), (LifeCycle::Rma, 4, [1, 0, 0xCAFE, 0]));
    assert_eq!(img.device_root_key(), dev.device_root_key());
    assert_eq!(img.raw[CONFIG_FIRST as usize + 1], 0, "a 0 on a blank word leaves it blank");
    for w in 0..WORDS {
        assert_eq!(dev.raw[w] & !img.raw[w], 0, "word {w:#x} lost a bit");
    }

    // An interrupted program (DONE still 0) is completed by programming the same value again.
    let mut cut = FuseImage::blank();
    cut.raw[CONFIG_FIRST as usize] = raw_word(0x1234_5678) & !DONE & !(1 << 31);
    let img = build_ok(&s, "[config]\nwords = [0x1234_5678]\n", Some(&cut));
    assert_eq!(img.raw[CONFIG_FIRST as usize], raw_word(0x1234_5678));
    assert!(img.interrupted_words().is_empty());

    // From blank straight to SECURED programs both LC words; without --base, a blank start.
    let img = build_ok(&s, "[life_cycle]\nstate = \"secured\"\nlock = true\n", None);
    assert_eq!(img.life_cycle(), LifeCycle::Secured);
    assert!(img.locked(&LIFECYCLE));
    assert_eq!((img.data(LC_DEV), img.data(LC_SECURED), img.data(LC_RMA)), (LC_DEV_MAGIC, LC_SECURED_MAGIC, 0));

    // An empty description on no base is the blank image.
    assert_eq!(build_ok(&s, "# nothing\n", None), FuseImage::blank());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
