//! Port-list plumbing every block model shares: the port table and the inputs as last poked.

use pluton_bindings::dut::{Dir, Port};

/// A model's ports from its `(name, dir, width)` table (the order of `rtl/<module>.ports`).
pub fn port_list(table: &[(&str, Dir, u32)]) -> Vec<Port> {
    table.iter().map(|&(name, dir, width)| Port { name: name.to_string(), dir, width }).collect()
}

/// One zeroed value per port (inputs start low, so a model starts in reset).
pub fn zero_values(ports: &[Port]) -> Vec<Vec<u32>> {
    ports.iter().map(|p| vec![0u32; p.words()]).collect()
}

/// Store `value` into `slot`, dropping the bits above the port's `width` (as a wire would).
pub fn store_masked(slot: &mut [u32], width: u32, value: &[u32]) {
    for (i, w) in slot.iter_mut().enumerate() {
        let bits_left = width - 32 * i as u32;
        let mask = if bits_left >= 32 { u32::MAX } else { (1u32 << bits_left) - 1 };
        *w = value.get(i).copied().unwrap_or(0) & mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_masked_to_the_port_width() {
        let mut slot = vec![0u32; 2];
        store_masked(&mut slot, 40, &[0xffff_ffff, 0xffff_ffff]);
        assert_eq!(slot, vec![0xffff_ffff, 0xff]);
        store_masked(&mut slot, 40, &[7]);
        assert_eq!(slot, vec![7, 0], "missing words read as 0");
    }
}
