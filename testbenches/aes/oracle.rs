//! Expected values for the AES bench, from the RustCrypto `aes` and `aes-gcm` crates (never from the model or the RTL).

use aes::cipher::{generic_array::GenericArray, BlockDecrypt, BlockEncrypt, KeyInit};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm};

/// AES-128 or AES-256 by key length.
pub enum Cipher {
    A128(aes::Aes128),
    A256(aes::Aes256),
}

impl Cipher {
    pub fn new(key: &[u8]) -> Result<Cipher, String> {
        match key.len() {
            16 => Ok(Cipher::A128(aes::Aes128::new_from_slice(key).map_err(|e| e.to_string())?)),
            32 => Ok(Cipher::A256(aes::Aes256::new_from_slice(key).map_err(|e| e.to_string())?)),
            n => Err(format!("a {n}-byte AES key (the engine takes 16 or 32)")),
        }
    }

    pub fn encrypt(&self, b: [u8; 16]) -> [u8; 16] {
        let mut g = GenericArray::from(b);
        match self {
            Cipher::A128(c) => c.encrypt_block(&mut g),
            Cipher::A256(c) => c.encrypt_block(&mut g),
        }
        g.into()
    }

    pub fn decrypt(&self, b: [u8; 16]) -> [u8; 16] {
        let mut g = GenericArray::from(b);
        match self {
            Cipher::A128(c) => c.decrypt_block(&mut g),
            Cipher::A256(c) => c.decrypt_block(&mut g),
        }
        g.into()
    }
}

fn blocks(data: &[u8]) -> impl Iterator<Item = [u8; 16]> + '_ {
    data.chunks(16).map(|c| {
        let mut b = [0u8; 16];
        b[..c.len()].copy_from_slice(c);
        b
    })
}

fn xor(a: [u8; 16], b: [u8; 16]) -> [u8; 16] {
    std::array::from_fn(|i| a[i] ^ b[i])
}

/// ECB over whole blocks.
pub fn ecb(key: &[u8], decrypt: bool, data: &[u8]) -> Result<Vec<u8>, String> {
    let c = Cipher::new(key)?;
    Ok(blocks(data).flat_map(|b| if decrypt { c.decrypt(b) } else { c.encrypt(b) }).collect())
}

/// CBC over whole blocks.
pub fn cbc(key: &[u8], decrypt: bool, iv: [u8; 16], data: &[u8]) -> Result<Vec<u8>, String> {
    let c = Cipher::new(key)?;
    let mut cv = iv;
    let mut out = Vec::new();
    for b in blocks(data) {
        if decrypt {
            out.extend(xor(c.decrypt(b), cv));
            cv = b;
        } else {
            cv = c.encrypt(xor(b, cv));
            out.extend(cv);
        }
    }
    Ok(out)
}

/// CTR with a 128-bit big-endian counter (SP 800-38A's standard incrementing function on the
/// whole block); the last block may be partial.
pub fn ctr(key: &[u8], iv: [u8; 16], data: &[u8]) -> Result<Vec<u8>, String> {
    let c = Cipher::new(key)?;
    let mut n = u128::from_be_bytes(iv);
    let mut out = Vec::new();
    for chunk in data.chunks(16) {
        let ks = c.encrypt(n.to_be_bytes());
        out.extend(chunk.iter().zip(ks).map(|(a, b)| a ^ b));
        n = n.wrapping_add(1);
    }
    Ok(out)
}

/// GCM encryption with a 96-bit IV: the ciphertext and the full 16-byte tag.
pub fn gcm_seal(key: &[u8], iv: &[u8], aad: &[u8], pt: &[u8]) -> Result<(Vec<u8>, [u8; 16]), String> {
    if iv.len() != 12 {
        return Err(format!("a {}-byte GCM IV (the engine takes 12)", iv.len()));
    }
    let mut buf = pt.to_vec();
    let nonce = GenericArray::from_slice(iv);
    let tag = match key.len() {
        16 => Aes128Gcm::new_from_slice(key).map_err(|e| e.to_string())?.encrypt_in_place_detached(nonce, aad, &mut buf),
        32 => Aes256Gcm::new_from_slice(key).map_err(|e| e.to_string())?.encrypt_in_place_detached(nonce, aad, &mut buf),
        n => return Err(format!("a {n}-byte AES key")),
    }
    .map_err(|e| format!("aes-gcm: {e}"))?;
    Ok((buf, tag.into()))
}

/// GCM decryption without the tag check (CTR is its own inverse): the plaintext and the full
/// tag the ciphertext should carry.
pub fn gcm_open_unchecked(key: &[u8], iv: &[u8], aad: &[u8], ct: &[u8]) -> Result<(Vec<u8>, [u8; 16]), String> {
    let (ks, _) = gcm_seal(key, iv, &[], &vec![0u8; ct.len()])?;
    let pt: Vec<u8> = ct.iter().zip(&ks).map(|(a, b)| a ^ b).collect();
    let (_, tag) = gcm_seal(key, iv, aad, &pt)?;
    Ok((pt, tag))
}

/// GCM's internal secrets, for the leak scan: H = E(K, 0) and E(K, J0).
pub fn gcm_secrets(key: &[u8], iv: &[u8]) -> Result<[[u8; 16]; 2], String> {
    let c = Cipher::new(key)?;
    let mut j0 = [0u8; 16];
    j0[..12].copy_from_slice(iv);
    j0[15] = 1;
    Ok([c.encrypt([0; 16]), c.encrypt(j0)])
}
