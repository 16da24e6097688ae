//! Key-leak scanner: no APB read may return any 4-byte window of a secret in use.

use pluton_bindings::apb::Apb;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::rc::Rc;

/// Hashing for the scan's 32-bit words: one multiply, folded so every input bit reaches the
/// low bits the table indexes with. (SipHash's resistance to chosen keys buys nothing against
/// a test bench, and the scan hashes every read.)
#[derive(Default, Clone, Copy)]
struct WordHash(u64);

impl std::hash::Hasher for WordHash {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.0 = (self.0 ^ u64::from(v)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

type Words = HashSet<u32, BuildHasherDefault<WordHash>>;

/// Secrets are registered as they are used; every completed read is checked against them.
#[derive(Default)]
pub struct LeakScan {
    windows: Words,
    /// Public results (digests and tags) whose words may equal a window by chance.
    allowed: Words,
    pub reads: u64,
    hits: Vec<String>,
    /// Every value read, with the first address that returned it, for `add_past_secret`.
    seen: HashMap<u32, u32, BuildHasherDefault<WordHash>>,
}

impl LeakScan {
    /// A scan of every read `apb` completes (from any master, error or not).
    pub fn watch(apb: &Apb) -> Rc<RefCell<LeakScan>> {
        let leaks = Rc::new(RefCell::new(LeakScan::default()));
        let scan = leaks.clone();
        apb.observe(move |t| {
            if !t.write {
                scan.borrow_mut().check_read(t.addr, t.data);
            }
        });
        leaks
    }

    /// Register a secret (key bytes, an HMAC inner digest). Windows with fewer than three distinct
    /// byte values (0x00000000, 0x0b0b0b0b, ...) are skipped: status words hold such values legitimately.
    pub fn add_secret(&mut self, bytes: &[u8]) {
        for w in bytes.windows(4) {
            let mut distinct: Vec<u8> = w.to_vec();
            distinct.sort();
            distinct.dedup();
            if distinct.len() >= 3 {
                let w: [u8; 4] = w.try_into().unwrap();
                self.windows.insert(u32::from_le_bytes(w));
                self.windows.insert(u32::from_be_bytes(w));
            }
        }
    }

    /// A secret that existed before the bench knew it (a seed or key it takes from a port at
    /// the end): registered as `add_secret` does, and every read so far is checked against it
    /// too. (`add_secret` checks later reads only: a value may be public until some point, as a
    /// tag only its owner may read.)
    pub fn add_past_secret(&mut self, bytes: &[u8]) {
        let mut one = LeakScan::default();
        one.add_secret(bytes);
        let mut past: Vec<(u32, u32)> = self.seen.iter().filter(|(d, _)| one.windows.contains(d) && !self.allowed.contains(d)).map(|(&d, &a)| (a, d)).collect();
        past.sort();
        for (addr, data) in past {
            if self.hits.len() < 10 {
                self.hits.push(format!("read of 0x{addr:03x} returned 0x{data:08x}, a window of a secret learnt later"));
            }
        }
        self.windows.extend(one.windows);
    }

    /// An expected public output (computed by `ring`, not read from the DUT).
    pub fn allow_digest(&mut self, digest: &[u8]) {
        for w in digest.chunks(4) {
            self.allowed.insert(u32::from_le_bytes(w.try_into().unwrap()));
        }
    }

    pub fn check_read(&mut self, addr: u32, data: u32) {
        self.reads += 1;
        self.seen.entry(data).or_insert(addr);
        if self.is_secret(data) && self.hits.len() < 10 {
            self.hits.push(format!("read of 0x{addr:03x} returned 0x{data:08x}, a window of a secret"));
        }
    }

    /// `data` is a window of a registered secret (and not an expected public value).
    pub fn is_secret(&self, data: u32) -> bool {
        self.windows.contains(&data) && !self.allowed.contains(&data)
    }

    pub fn windows(&self) -> usize {
        self.windows.len()
    }

    pub fn result(&self) -> Result<(), String> {
        if self.hits.is_empty() {
            Ok(())
        } else {
            Err(format!("key leak: {}", self.hits.join("; ")))
        }
    }


}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_key_window_in_either_byte_order() {
        let mut s = LeakScan::default();
        s.add_secret(&[0x11, 0x22, 0x33, 0x44, 0x55]);
        s.check_read(0x20, 0x1234_5678);
        assert!(s.result().is_ok());
        s.check_read(0x20, 0x5544_3322);
        assert!(s.result().is_err());
        let mut s = LeakScan::default();
        s.add_secret(&[0x11, 0x22, 0x33, 0x44]);
        s.check_read(0x20, 0x1122_3344);
        assert!(s.result().is_err());
    }

    #[test]
    fn public_digest_words_and_low_entropy_windows_are_not_leaks() {
        let mut s = LeakScan::default();
        s.add_secret(&[0, 0, 0, 0, 0x0b, 0x0b, 0x0b, 0x0b]);
        s.check_read(0x08, 0);
        s.add_secret(&[1, 2, 3, 4]);
        s.allow_digest(&[4, 3, 2, 1]);
        s.check_read(0x20, 0x0102_0304);
        assert!(s.result().is_ok());
        assert_eq!(s.reads, 2);
    }

    #[test]
    fn a_past_secret_is_checked_against_earlier_reads_and_a_new_one_is_not() {
        let mut s = LeakScan::default();
        s.check_read(0x14, 0xa1b2_c3d4);
        s.add_secret(&[0xa1, 0xb2, 0xc3, 0xd4]);
        assert!(s.result().is_ok(), "a secret from now on: the earlier read was allowed");
        s.add_past_secret(&[0xa1, 0xb2, 0xc3, 0xd4]);
        assert!(s.result().unwrap_err().contains("0x014"));
    }
}
