//! Memory map of the first system (`pluton_m0sys`) and register map of its UART (`pluton_uart`): the single source for RTL, docs and headers.

use crate::common::regmap::{Bus, Access, Field, RegMap, Register, CsrTest, ANY};
use crate::common::regmap::apb_common::*;

// ---- System memory map (as the core sees it).

pub const ROM_BASE: u32 = 0x0000_0000;
/// The ROM window; the array fills it (no aliases).
pub const ROM_SIZE: u32 = 64 * 1024;
pub const SRAM_BASE: u32 = 0x2000_0000;
pub const SRAM_SIZE: u32 = 16 * 1024;
/// The AHB-to-APB bridge's window; each peripheral has a 4 KB slot in it.
pub const APB_BASE: u32 = 0x4000_0000;
pub const APB_SIZE: u32 = 128 * 1024;
pub const APB_SLOT_SIZE: u32 = 0x1000;
pub const SHA256_BASE: u32 = APB_BASE;
pub const UART_BASE: u32 = APB_BASE + APB_SLOT_SIZE;
/// Core interrupt lines of the on-chip sources; `irq_ext[k]` drives IRQ `IRQ_EXT_FIRST + k`.
pub const IRQ_SHA256: u32 = 0;
pub const IRQ_UART: u32 = 1;
pub const IRQ_EXT_FIRST: u32 = 2;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP, &UART_MAP, &SRAM_MAP];
pub const MAP: RegMap = RegMap {
    block: "m0sys",
    module: "pluton_m0sys",
    addr_bits: 32,
    bus: Bus::Apb4,
    desc: "First system: the soft Cortex-M0-class core with ROM, SRAM, and the SHA-256/HMAC engine and a UART behind an AHB-to-APB bridge",
    regs: &[],
    constants: crate::constants![
        ROM_BASE => "ROM (vector table at 0); loaded through ld_we/ld_addr/ld_data; core writes give an AHB ERROR",
        ROM_SIZE => "ROM bytes",
        SRAM_BASE => "SRAM, byte/halfword/word writes, zero wait states",
        SRAM_SIZE => "SRAM bytes",
        APB_BASE => "AHB-to-APB bridge window (each slot 4 KB; unused slots give an AHB ERROR)",
        APB_SIZE => "APB window bytes",
        SHA256_BASE => "SHA-256/HMAC engine (pluton_sha256 registers); pmaster = MASTER_SEC",
        UART_BASE => "UART (pluton_uart registers)",
        IRQ_SHA256 => "Core IRQ of the SHA-256 engine's intr_done",
        IRQ_UART => "Core IRQ of the UART's intr_tx",
        IRQ_EXT_FIRST => "Core IRQ of irq_ext[0]; irq_ext[k] is IRQ IRQ_EXT_FIRST + k",
        MASTER_ID = crate::common::masters::MASTER_SEC => "pmaster of every APB transfer from this core (the security core)",
    ],
};

/// The SRAM alone (`AhbRam` as the system builds it), a top of its own so a bench can drive its
/// AHB port directly; the systems instantiate this module.
pub const SRAM_MAP: RegMap = RegMap {
    block: "sram",
    module: "pluton_sram",
    addr_bits: 14,
    // No registers, so no register bus: the RAM is an AHB-Lite slave (as the systems' maps,
    // which carry only the address map's constants).
    bus: Bus::Apb4,
    desc: "The systems' SRAM (AhbRam): an AHB-Lite slave on one 32-bit RAM with byte enables, zero wait states, a loader port, and read-after-write forwarding",
    regs: &[],
    constants: crate::constants![
        SRAM_SIZE => "Bytes: 4096 words of 32 bits, byte/halfword/word access, zero wait states",
    ],
};

// ---- UART register map.

pub const UART_TXDATA_BYTE: Field = Field { name: "BYTE", lsb: 0, width: 8, desc: "Byte to send; bits 31:8 must be 0" };
pub const UART_STATUS_BUSY: Field = Field { name: "BUSY", lsb: 0, width: 1, desc: "The transmitter is sending a byte (start, 8 data, stop bit); TXDATA and DIV writes fail with ERR_BUSY" };
pub const UART_STATUS_ERR: Field = Field { name: "ERR", lsb: 1, width: 1, desc: "ERR_INFO holds a logged error" };
pub const UART_DIV_DIV: Field = Field { name: "DIV", lsb: 0, width: 16, desc: "Clock cycles per serial bit, 1..=65535; bits 31:16 must be 0" };
pub const UART_CTRL_TX_IE: Field = Field { name: "TX_IE", lsb: 0, width: 1, desc: "intr_tx = TX_IE and not BUSY (level: the transmitter can take a byte)" };

pub const UART_TXDATA: Register = Register { name: "TXDATA", offset: 0x00, count: 1, access: Access::Wo, reset: 0, desc: "Write a byte to send. Accepted only while not BUSY (else ERR_BUSY); the sim outputs tx_valid/tx_byte show it the next cycle", fields: &[UART_TXDATA_BYTE], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const UART_STATUS: Register = Register { name: "STATUS", offset: 0x04, count: 1, access: Access::Ro, reset: 0, desc: "Transmitter status", fields: &[UART_STATUS_BUSY, UART_STATUS_ERR], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const UART_DIV: Register = Register { name: "DIV", offset: 0x08, count: 1, access: Access::Rw, reset: UART_DIV_RESET, desc: "Baud divisor. Writable only while not BUSY", fields: &[UART_DIV_DIV], readers: ANY, writers: ANY, csr: CsrTest::Legal(&[0xFFFF, 0x5A5A, 1], "0 and values above 0xFFFF are refused (ERR_VALUE)") };
pub const UART_CTRL: Register = Register { name: "CTRL", offset: 0x0C, count: 1, access: Access::Rw, reset: 0, desc: "Interrupt enable; other bits must be 0", fields: &[UART_CTRL_TX_IE], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const UART_ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x10, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const UART_ID: Register = Register { name: "ID", offset: 0x14, count: 1, access: Access::Ro, reset: UART_BLOCK_ID, desc: "Block identifier and version", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };

pub const UART_BLOCK_ID: u32 = 0x5541_0100;
/// 115200 baud from a 12 MHz clock (iCEBreaker); a simulation sets DIV = 1.
pub const UART_DIV_RESET: u32 = 104;

// Error codes: the same numbers as the other blocks (sha256) for the same meaning.
pub const UART_ERR_BUSY: u32 = 4;
pub const UART_ERR_VALUE: u32 = 7;

pub const UART_MAP: RegMap = RegMap {
    block: "uart",
    module: "pluton_uart",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "UART transmitter (8N1) with a baud divisor, an interrupt when it can take a byte, and byte-accepted outputs for simulation",
    regs: &[UART_TXDATA, UART_STATUS, UART_DIV, UART_CTRL, UART_ERR_INFO, UART_ID],
    constants: crate::constants![
        BLOCK_ID = UART_BLOCK_ID => "Value of ID",
        DIV_RESET = UART_DIV_RESET => "DIV after reset",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register (returns 0)",
        ERR_WRITE_RO => "Write to a read-only register",
        ERR_BUSY = UART_ERR_BUSY => "TXDATA or DIV written while BUSY",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
        ERR_VALUE = UART_ERR_VALUE => "Bad value: TXDATA above 0xFF, DIV 0 or above 0xFFFF, CTRL bits above TX_IE",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_and_apart() {
        let windows = [(ROM_BASE, ROM_SIZE), (SRAM_BASE, SRAM_SIZE), (APB_BASE, APB_SIZE)];
        for (i, &(base, size)) in windows.iter().enumerate() {
            assert!(size.is_power_of_two() && base % size == 0, "window {i} not aligned to its size");
            for &(b2, s2) in &windows[i + 1..] {
                assert!(base + size <= b2 || b2 + s2 <= base, "windows overlap");
            }
        }
        for slot in [SHA256_BASE, UART_BASE] {
            assert!(slot >= APB_BASE && slot + APB_SLOT_SIZE <= APB_BASE + APB_SIZE && slot % APB_SLOT_SIZE == 0);
        }
    }

    #[test]
    fn uart_map_decodes_each_register_once() {
        for r in UART_MAP.regs {
            assert_eq!(r.count, 1);
            assert_eq!(UART_MAP.decode(r.offset).map(|(x, _)| x.name), Some(r.name));
            assert!(UART_MAP.decode(r.offset + 1).is_none());
        }
        assert!(UART_DIV_RESET >= 1 && UART_DIV_RESET <= UART_DIV_DIV.mask());
    }
}
