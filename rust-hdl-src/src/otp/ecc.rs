//! The (39,32) SECDED code of a fuse word: the masks the RTL is built from, and a software reference.
//!
//! Hamming positions 1..38: check bit c[k] (k = 0..5) at position 2^k, data bits d0..d31 at the
//! other positions in increasing order (d0 at 3, d1 at 5, ...). c[k] = XOR of the data bits whose
//! position has bit k set; c[6] = XOR of the data bits and c[5:0]. Raw `[38:32]` = c[6:0].

use super::fusemap;

/// Hamming position (3..=38) of each data bit.
pub const DATA_POS: [u32; 32] = data_pos();

/// `CHECK_MASK[k]`: the data bits that c[k] covers.
pub const CHECK_MASK: [u32; 6] = check_masks();

/// Raw DONE bit.
pub const DONE: u64 = 1 << fusemap::DONE_BIT;

const fn data_pos() -> [u32; 32] {
    let mut out = [0u32; 32];
    let mut pos = 1u32;
    let mut i = 0;
    while i < 32 {
        if !pos.is_power_of_two() {
            out[i] = pos;
            i += 1;
        }
        pos += 1;
    }
    out
}

const fn check_masks() -> [u32; 6] {
    let pos = data_pos();
    let mut m = [0u32; 6];
    let mut k = 0;
    while k < 6 {
        let mut j = 0;
        while j < 32 {
            if pos[j] >> k & 1 == 1 {
                m[k] |= 1 << j;
            }
            j += 1;
        }
        k += 1;
    }
    m
}

/// c[6:0] of `data`.
pub fn encode(data: u32) -> u8 {
    let mut c = 0u8;
    for (k, m) in CHECK_MASK.iter().enumerate() {
        c |= (((data & m).count_ones() & 1) as u8) << k;
    }
    c | ((((data.count_ones() + c.count_ones()) & 1) as u8) << 6)
}

/// The raw 40-bit word PROGRAM writes for `data`: data, check bits and DONE.
pub fn raw_word(data: u32) -> u64 {
    DONE | (encode(data) as u64) << 32 | data as u64
}

/// Class of a raw word, as the init scan, KEY_LOAD and FUSE reads see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Blank,
    Clean,
    Corrected,
    Uncorrectable,
    Interrupted,
}

/// Decode a raw word: (class, data). Data is 0 for bad words.
pub fn decode(raw: u64) -> (Class, u32) {
    let raw = raw & ((1 << fusemap::RAW_BITS) - 1);
    if raw == 0 {
        return (Class::Blank, 0);
    }
    if raw & DONE == 0 {
        return (Class::Interrupted, 0);
    }
    let data = raw as u32;
    let s = (encode(data) ^ (raw >> 32) as u8) & 0x3F;
    let p = (raw & (DONE - 1)).count_ones() & 1;
    match (s, p) {
        (0, 0) => (Class::Clean, data),
        (_, 0) => (Class::Uncorrectable, 0),
        (s, _) if s > 38 => (Class::Uncorrectable, 0),
        (s, _) => match DATA_POS.iter().position(|&q| q == s as u32) {
            Some(j) => (Class::Corrected, data ^ (1 << j)),
            None => (Class::Corrected, data),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_errors_corrected_double_detected() {
        for data in [0u32, 1, 0xFFFF_FFFF, 0x4C4F_434B, 0x1234_5678] {
            let raw = raw_word(data);
            assert_eq!(decode(raw), (Class::Clean, data));
            for i in 0..39 {
                assert_eq!(decode(raw ^ 1 << i), (Class::Corrected, data), "bit {i}");
                for j in 0..i {
                    assert_eq!(decode(raw ^ 1 << i ^ 1 << j).0, Class::Uncorrectable, "bits {i} {j}");
                }
            }
            if data != 0 {
                assert_eq!(decode(raw & !DONE).0, Class::Interrupted);
            }
        }
    }
}
