//! Address map of the security subsystem top: which firewall window holds which block.

use crate::common::regmap::{Bus, RegMap};

/// Window k of the firewall starts at `k * WINDOW_SIZE`; the firewall's own page is window 8.
pub const WINDOW_SIZE: u32 = 0x1000;
pub const WIN_SHA256: u32 = 0;
pub const WIN_OTP: u32 = 1;
/// The Wi-Fi arbiter answers in two windows, so the mailbox side can be owned by the application
/// core while the control side stays with the security core (each window has one owner).
pub const WIN_WIFI_APP: u32 = 2;
pub const WIN_WIFI_SEC: u32 = 3;
/// Windows 4..6 leave the subsystem on the `ext_*` ports (UART, SPI, GPIO blocks and so on).
pub const WIN_EXT_FIRST: u32 = 4;
/// External windows, one `ext_*` lane each.
pub const NUM_EXT: u32 = 3;
/// The P-256 engine, the security core's after reset.
pub const WIN_P256: u32 = 7;
pub const WIN_FIREWALL: u32 = 8;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "security",
    module: "pluton_security",
    addr_bits: 16,
    bus: Bus::Apb4,
    desc: "Security subsystem: IO firewall in front of the SHA-256/HMAC engine, key fuses (OTP), Wi-Fi arbiter and P-256 engine; fuse keys reach HMAC only on the sideload port, digests reach P-256 on the digest port",
    regs: &[],
    constants: crate::constants![
        SHA256_BASE = WIN_SHA256 * WINDOW_SIZE => "SHA-256/HMAC engine (pluton_sha256 registers)",
        OTP_BASE = WIN_OTP * WINDOW_SIZE => "Key fuses (pluton_otp registers)",
        WIFI_APP_BASE = WIN_WIFI_APP * WINDOW_SIZE => "Wi-Fi arbiter, window for the application core's mailbox (pluton_wifi registers)",
        WIFI_SEC_BASE = WIN_WIFI_SEC * WINDOW_SIZE => "Wi-Fi arbiter, window for the security core (pluton_wifi registers)",
        EXT0_BASE = WIN_EXT_FIRST * WINDOW_SIZE => "First of 3 external peripheral windows (ext_psel[0..2])",
        P256_BASE = WIN_P256 * WINDOW_SIZE => "P-256 engine (pluton_p256 registers)",
        FIREWALL_BASE = WIN_FIREWALL * WINDOW_SIZE => "Firewall configuration page (pluton_firewall registers)",
        WINDOW_SIZE => "Bytes per window",
    ],
};

// The external windows run up to the P-256 engine's.
const _: () = assert!(WIN_EXT_FIRST + NUM_EXT == WIN_P256 && WIN_P256 < WIN_FIREWALL);
