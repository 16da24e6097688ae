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
/// Windows 4 and 5 leave the subsystem on the `ext_*` ports (the mailbox, UART, SPI, GPIO blocks).
pub const WIN_EXT_FIRST: u32 = 4;
/// External windows, one `ext_*` lane each.
pub const NUM_EXT: u32 = 2;
/// The entropy and cipher blocks share one window, 1 KiB each (`paddr[11:10]`): TRNG, CTR_DRBG,
/// AES. All three serve the security core only (their own master check), so one owner for the
/// three loses nothing; the last KiB answers ERR.
pub const WIN_CRYPTO: u32 = 6;
pub const CRYPTO_SUB_SIZE: u32 = 0x400;
pub const SUB_TRNG: u32 = 0;
pub const SUB_DRBG: u32 = 1;
pub const SUB_AES: u32 = 2;
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
    desc: "Security subsystem: IO firewall in front of the SHA-256/HMAC engine, key fuses (OTP), Wi-Fi arbiter, P-256 engine, TRNG, CTR_DRBG and AES engine; fuse keys reach HMAC and AES only on sideload ports, digests reach P-256 on the digest port, seeds reach the DRBG on the seed port and DRBG keys reach AES on its key port",
    regs: &[],
    constants: crate::constants![
        SHA256_BASE = WIN_SHA256 * WINDOW_SIZE => "SHA-256/HMAC engine (pluton_sha256 registers)",
        OTP_BASE = WIN_OTP * WINDOW_SIZE => "Key fuses (pluton_otp registers)",
        WIFI_APP_BASE = WIN_WIFI_APP * WINDOW_SIZE => "Wi-Fi arbiter, window for the application core's mailbox (pluton_wifi registers)",
        WIFI_SEC_BASE = WIN_WIFI_SEC * WINDOW_SIZE => "Wi-Fi arbiter, window for the security core (pluton_wifi registers)",
        EXT0_BASE = WIN_EXT_FIRST * WINDOW_SIZE => "First of 2 external peripheral windows (ext_psel[0..1])",
        TRNG_BASE = WIN_CRYPTO * WINDOW_SIZE + SUB_TRNG * CRYPTO_SUB_SIZE => "TRNG (pluton_trng registers)",
        DRBG_BASE = WIN_CRYPTO * WINDOW_SIZE + SUB_DRBG * CRYPTO_SUB_SIZE => "CTR_DRBG (pluton_drbg registers)",
        AES_BASE = WIN_CRYPTO * WINDOW_SIZE + SUB_AES * CRYPTO_SUB_SIZE => "AES engine (pluton_aes registers)",
        P256_BASE = WIN_P256 * WINDOW_SIZE => "P-256 engine (pluton_p256 registers)",
        FIREWALL_BASE = WIN_FIREWALL * WINDOW_SIZE => "Firewall configuration page (pluton_firewall registers)",
        WINDOW_SIZE => "Bytes per window",
    ],
};

// The external windows run up to the crypto window, then the P-256 engine's.
const _: () = assert!(WIN_EXT_FIRST + NUM_EXT == WIN_CRYPTO && WIN_CRYPTO + 1 == WIN_P256 && WIN_P256 < WIN_FIREWALL);
