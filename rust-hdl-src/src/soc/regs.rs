//! Memory map and interrupt lines of the two-core system (`pluton_soc`): the single source for RTL, docs, headers and benches.

use crate::common::masters::{MASTER_APP, MASTER_SEC};
use crate::common::regmap::{Bus, RegMap};
use crate::m0sys::regs as m0sys;
use crate::security::regs as security;

// Each core sees the same map; ROM, SRAM and UART are its own.
pub const ROM_BASE: u32 = m0sys::ROM_BASE;
pub const ROM_SIZE: u32 = m0sys::ROM_SIZE;
pub const SRAM_BASE: u32 = m0sys::SRAM_BASE;
pub const SRAM_SIZE: u32 = m0sys::SRAM_SIZE;
/// The shared security subsystem (`pluton_security` map), bridge slot 0: `paddr` = offset.
pub const SECURITY_BASE: u32 = m0sys::APB_BASE;
pub const SECURITY_SIZE: u32 = 0x1_0000;
/// The mailbox answers in firewall windows 4 (owned by the security core) and 5 (the app core).
pub const MBOX_WIN_SEC: u32 = security::WIN_EXT_FIRST;
pub const MBOX_WIN_APP: u32 = security::WIN_EXT_FIRST + 1;
pub const MBOX_SEC_BASE: u32 = SECURITY_BASE + MBOX_WIN_SEC * security::WINDOW_SIZE;
pub const MBOX_APP_BASE: u32 = SECURITY_BASE + MBOX_WIN_APP * security::WINDOW_SIZE;
/// The core's own UART, bridge slot 1.
pub const UART_BASE: u32 = SECURITY_BASE + SECURITY_SIZE;
/// log2 of bridge slot 0 (`M0Node<SLOT0_BITS>`).
pub const SLOT0_BITS: usize = 16;

// Core interrupt lines.
pub const IRQ_SHA256: u32 = 0;
pub const IRQ_UART: u32 = m0sys::IRQ_UART;
pub const IRQ_MAILBOX: u32 = 2;
pub const IRQ_VIOL: u32 = 3;
pub const IRQ_WIFI: u32 = 4;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "soc",
    module: "pluton_soc",
    addr_bits: 32,
    bus: Bus::Apb4,
    desc: "Two-core system: the security core (master 0) and the application core (master 1), each with its own ROM, SRAM and UART, sharing the security subsystem and a mailbox through an APB arbiter and the firewall. Both cores see the same map",
    regs: &[],
    constants: crate::constants![
        ROM_BASE => "The core's own ROM (vector table at 0), loaded through sec_ld_*/app_ld_* while reset is held",
        ROM_SIZE => "ROM bytes per core",
        SRAM_BASE => "The core's own SRAM",
        SRAM_SIZE => "SRAM bytes per core",
        SECURITY_BASE => "Shared security subsystem (pluton_security map: firewall windows); pmaster is the core's ID",
        SECURITY_SIZE => "Bytes of the security subsystem's window",
        MBOX_SEC_BASE => "Mailbox (pluton_mailbox registers) in firewall window 4, for the security core",
        MBOX_APP_BASE => "The same mailbox in firewall window 5, for the application core",
        UART_BASE => "The core's own UART (pluton_uart registers)",
        IRQ_SHA256 => "Security core: SHA-256 engine done",
        IRQ_UART => "Each core: its UART can take a byte",
        IRQ_MAILBOX => "Each core: a mailbox message waits for it (irq_sec / irq_app)",
        IRQ_VIOL => "Security core: firewall violation logged",
        IRQ_WIFI => "Each core: its Wi-Fi arbiter interrupt (intr_wifi_sec / intr_wifi_app)",
        MASTER_SEC => "pmaster of the security core's transfers",
        MASTER_APP => "pmaster of the application core's transfers",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_bridge() {
        assert_eq!(1u32 << SLOT0_BITS, SECURITY_SIZE, "bridge slot 0 is the security window");
        assert!(UART_BASE + m0sys::APB_SLOT_SIZE <= m0sys::APB_BASE + m0sys::APB_SIZE, "the UART slot fits the bridge window");
        assert!(MBOX_APP_BASE + security::WINDOW_SIZE <= SECURITY_BASE + security::WIN_FIREWALL * security::WINDOW_SIZE);
        let lines = [IRQ_SHA256, IRQ_UART, IRQ_MAILBOX, IRQ_VIOL, IRQ_WIFI];
        for (i, a) in lines.iter().enumerate() {
            assert!(lines[i + 1..].iter().all(|b| a != b), "IRQ {a} used twice");
        }
    }
}
