//! Master IDs on the `pmaster` sideband: which core issued a bus transfer (one source for every block).

/// The security core (Pluton's own Cortex-M): the only master for keys, fuses and the firewall.
pub const MASTER_SEC: u32 = 0;
/// The application core (Cortex-A7 on the MT3620).
pub const MASTER_APP: u32 = 1;
/// The first real-time I/O core (Cortex-M4F).
pub const MASTER_IO0: u32 = 2;
/// The second real-time I/O core.
pub const MASTER_IO1: u32 = 3;
