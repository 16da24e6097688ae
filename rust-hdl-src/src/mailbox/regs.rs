//! Register map of the inter-core mailbox (`pluton_mailbox`): the single source for RTL, model, docs and header.

use crate::common::regmap::{Access, Bus, Field, RegMap, Register, CsrTest, ANY, SEC, APP};
pub use crate::common::regmap::apb_common::*;

pub use crate::common::masters::{MASTER_APP, MASTER_IO0, MASTER_IO1, MASTER_SEC};

/// Words in each message buffer.
pub const MSG_WORDS: u32 = 4;


pub const STATUS_S2A_PENDING: Field = Field { name: "S2A_PENDING", lsb: 0, width: 1, desc: "A message from the security core waits for the application core" };
pub const STATUS_A2S_PENDING: Field = Field { name: "A2S_PENDING", lsb: 1, width: 1, desc: "A message from the application core waits for the security core" };
pub const STATUS_SEC_IE: Field = Field { name: "SEC_IE", lsb: 2, width: 1, desc: "SEC_IRQ_EN.IE" };
pub const STATUS_APP_IE: Field = Field { name: "APP_IE", lsb: 3, width: 1, desc: "APP_IRQ_EN.IE" };
pub const STATUS_ERR: Field = Field { name: "ERR", lsb: 4, width: 1, desc: "ERR_INFO holds a logged error" };

pub const IRQ_EN_IE: Field = Field { name: "IE", lsb: 0, width: 1, desc: "Enable this core's interrupt (irq = message pending for it & IE); bits 31:1 must be 0" };
pub const GO_ONE: Field = Field { name: "GO", lsb: 0, width: 1, desc: "Write exactly 1 (any other value: ERR_VALUE)" };

pub const ID: Register = Register { name: "ID", offset: 0x000, count: 1, access: Access::Ro, reset: BLOCK_ID, desc: "Block identifier and version (any master)", fields: &[], readers: ANY, writers: ANY, csr: CsrTest::Full };
pub const ERR_INFO: Register = Register { name: "ERR_INFO", offset: 0x004, count: 1, access: Access::Rc, reset: 0, desc: "Logged bus error. Any write clears it", fields: ERR_INFO_FIELDS, readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const STATUS: Register = Register { name: "STATUS", offset: 0x008, count: 1, access: Access::Ro, reset: 0, desc: "Doorbells, interrupt enables, error flag", fields: &[STATUS_S2A_PENDING, STATUS_A2S_PENDING, STATUS_SEC_IE, STATUS_APP_IE, STATUS_ERR], readers: SEC | APP, writers: SEC | APP, csr: CsrTest::Full };
pub const SEC_IRQ_EN: Register = Register { name: "SEC_IRQ_EN", offset: 0x00C, count: 1, access: Access::Rw, reset: 0, desc: "irq_sec enable", fields: &[IRQ_EN_IE], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const APP_IRQ_EN: Register = Register { name: "APP_IRQ_EN", offset: 0x010, count: 1, access: Access::Rw, reset: 0, desc: "irq_app enable", fields: &[IRQ_EN_IE], readers: APP, writers: APP, csr: CsrTest::Full };
pub const S2A_DATA: Register = Register { name: "S2A_DATA", offset: 0x020, count: MSG_WORDS, access: Access::Rw, reset: 0, desc: "Security-to-application message. Written by SEC while S2A_PENDING = 0 (else ERR_BUSY); read by APP while S2A_PENDING = 1 (else ERR_EMPTY)", fields: &[], readers: APP, writers: SEC, csr: CsrTest::Live("read only while its message is pending (else ERR_EMPTY), written only while none is (else ERR_BUSY)") };
pub const S2A_SEND: Register = Register { name: "S2A_SEND", offset: 0x030, count: 1, access: Access::Wo, reset: 0, desc: "SEC writes 1: ring the doorbell (S2A_PENDING = 1); ERR_BUSY if already pending", fields: &[GO_ONE], readers: SEC, writers: SEC, csr: CsrTest::Full };
pub const S2A_ACK: Register = Register { name: "S2A_ACK", offset: 0x034, count: 1, access: Access::Wo, reset: 0, desc: "APP writes 1: message taken (S2A_PENDING = 0); ERR_EMPTY if none pending", fields: &[GO_ONE], readers: APP, writers: APP, csr: CsrTest::Full };
pub const A2S_DATA: Register = Register { name: "A2S_DATA", offset: 0x040, count: MSG_WORDS, access: Access::Rw, reset: 0, desc: "Application-to-security message. Written by APP while A2S_PENDING = 0 (else ERR_BUSY); read by SEC while A2S_PENDING = 1 (else ERR_EMPTY)", fields: &[], readers: SEC, writers: APP, csr: CsrTest::Live("read only while its message is pending (else ERR_EMPTY), written only while none is (else ERR_BUSY)") };
pub const A2S_SEND: Register = Register { name: "A2S_SEND", offset: 0x050, count: 1, access: Access::Wo, reset: 0, desc: "APP writes 1: ring the doorbell (A2S_PENDING = 1); ERR_BUSY if already pending", fields: &[GO_ONE], readers: APP, writers: APP, csr: CsrTest::Full };
pub const A2S_ACK: Register = Register { name: "A2S_ACK", offset: 0x054, count: 1, access: Access::Wo, reset: 0, desc: "SEC writes 1: message taken (A2S_PENDING = 0); ERR_EMPTY if none pending", fields: &[GO_ONE], readers: SEC, writers: SEC, csr: CsrTest::Full };

/// May master `pmaster` read (`write = false`) or write register `reg`? (The rules are the
/// registers' `readers` and `writers`.)
pub fn allowed(reg: &Register, pmaster: u32, write: bool) -> bool {
    reg.allows(pmaster, write)
}

pub const BLOCK_ID: u32 = 0x4D42_0100;

// Error codes: the same numbers as the other blocks for the same meaning.
pub const ERR_BUSY: u32 = 4;
pub const ERR_VALUE: u32 = 7;
pub const ERR_MASTER: u32 = 8;
pub const ERR_EMPTY: u32 = 10;

/// The maps of this folder (`pluton_regs::maps()` lists every folder's).
pub const MAPS: &[&RegMap] = &[&MAP];
pub const MAP: RegMap = RegMap {
    block: "mailbox",
    module: "pluton_mailbox",
    addr_bits: 12,
    bus: Bus::Apb4,
    desc: "Inter-core mailbox: a 4-word message buffer, doorbell and interrupt in each direction between the security core (master 0) and the application core (master 1)",
    regs: &[ID, ERR_INFO, STATUS, SEC_IRQ_EN, APP_IRQ_EN, S2A_DATA, S2A_SEND, S2A_ACK, A2S_DATA, A2S_SEND, A2S_ACK],
    constants: crate::constants![
        BLOCK_ID => "Value of ID",
        MSG_WORDS => "Words per message buffer",
        MASTER_SEC => "pmaster of the security core: sends S2A, receives A2S, owns ERR_INFO and SEC_IRQ_EN",
        MASTER_APP => "pmaster of the application core: sends A2S, receives S2A, owns APP_IRQ_EN",
        ERR_NONE => "No error logged",
        ERR_UNMAPPED => "Address not mapped, or not word aligned",
        ERR_READ_WO => "Read of a write-only register by its writer (returns 0)",
        ERR_WRITE_RO => "Write to a read-only register by one of its readers",
        ERR_BUSY => "Sender wrote its buffer or rang while its message is still pending",
        ERR_STRB => "Write with PSTRB not 0b1111",
        ERR_PROTOCOL => "APB protocol violation: access phase without setup, request changed during wait states, or the first access after a transfer was abandoned in a wait state",
        ERR_VALUE => "Bad value: SEND/ACK other than 1, IRQ_EN bits above IE",
        ERR_MASTER => "Master not allowed this access (any master but 0/1; the wrong core for the register and direction)",
        ERR_EMPTY => "Receiver read its buffer or acknowledged with no message pending",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_cover_both_directions_and_fields_fit() {
        for r in MAP.regs {
            // A refused direction is ERR_READ_WO/ERR_WRITE_RO for the register's own masters.
            assert!(r.readers != 0 && r.writers != 0, "{}", r.name);
            let mut used = 0u32;
            for f in r.fields {
                assert_eq!(used & f.mask(), 0, "{}.{} overlaps", r.name, f.name);
                used |= f.mask();
            }
        }
    }

    #[test]
    fn message_data_is_never_open_to_a_third_master() {
        for r in [S2A_DATA, A2S_DATA] {
            for m in 0..16 {
                let any = allowed(&r, m, false) || allowed(&r, m, true);
                assert_eq!(any, m == MASTER_SEC || m == MASTER_APP, "{} master {m}", r.name);
            }
        }
        // The sender cannot read back, the receiver cannot write.
        assert!(!allowed(&S2A_DATA, MASTER_SEC, false) && !allowed(&S2A_DATA, MASTER_APP, true));
        assert!(!allowed(&A2S_DATA, MASTER_APP, false) && !allowed(&A2S_DATA, MASTER_SEC, true));
    }
}
