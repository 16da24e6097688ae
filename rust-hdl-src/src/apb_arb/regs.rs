//! Constants of the APB arbiter (`pluton_apb_arb`, no registers): the single source for RTL, model and docs.

use crate::common::regmap::{Bus, RegMap};

/// Requester ports (`s0_*`, `s1_*`).
pub const PORTS: u32 = 2;
/// Width of `paddr` on every port: the security subsystem's firewall input.
pub const ADDR_BITS: u32 = 16;
/// The port that wins the first tie after reset; afterwards the port not granted last wins.
pub const FIRST_TIE: u32 = 0;
/// Cycles the arbiter adds to a transfer whose SETUP finds it idle.
pub const LATENCY_IDLE: u32 = 0;
/// Cycles it adds, after the other port's transfer, to a transfer that had to wait (its own SETUP at the completer).
pub const LATENCY_WAITED: u32 = 1;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "apb_arb",
    module: "pluton_apb_arb",
    addr_bits: ADDR_BITS,
    bus: Bus::Apb4,
    desc: "APB4 arbiter: two requesters (one bridge per core, each with its own pmaster) onto one completer port, round-robin, a transfer atomic from SETUP to PREADY, read data only to the granted requester",
    regs: &[],
    constants: crate::constants![
        PORTS => "Requester ports s0_*, s1_*",
        ADDR_BITS => "paddr width on every port",
        FIRST_TIE => "Port that wins the first tie after reset (then round-robin)",
        LATENCY_IDLE => "Cycles added to a transfer that finds the arbiter idle",
        LATENCY_WAITED => "Cycles added after the other port's transfer to one that waited",
    ],
};
