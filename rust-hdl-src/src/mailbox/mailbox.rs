//! Mailbox top (`pluton_mailbox`): APB4 completer with one 4-word buffer, doorbell and interrupt per direction.

use super::regs;
use crate::common::prims::{ErrLog, RDff};
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// Two one-message mailboxes (SEC->APP, APP->SEC); see the README for the contract.
    Mailbox
    apb(12)
    ports {
        /// Level: a message waits for the security core and SEC_IRQ_EN.IE.
        irq_sec: Signal<Out, bool>,
        /// Level: a message waits for the application core and APP_IRQ_EN.IE.
        irq_app: Signal<Out, bool>,
    }
    consts {
        // Buffers are 16-byte aligned: paddr[11:4] selects the buffer, paddr[3:2] the word.
        one4: 4 = 1,
        zero31: 31 = 0,
        zero32: 32 = 0,
        one32: 32 = 1,
        block_id: 32 = regs::BLOCK_ID as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_empty: 32 = regs::ERR_EMPTY as u64,
        b_s2a: 32 = regs::STATUS_S2A_PENDING.mask() as u64,
        b_a2s: 32 = regs::STATUS_A2S_PENDING.mask() as u64,
        b_sec_ie: 32 = regs::STATUS_SEC_IE.mask() as u64,
        b_app_ie: 32 = regs::STATUS_APP_IE.mask() as u64,
        b_err: 32 = regs::STATUS_ERR.mask() as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        // ---- State.
        s2a: [RDff<Bits<32>>; 4],
        a2s: [RDff<Bits<32>>; 4],
        s2a_pend: RDff<bool>,
        a2s_pend: RDff<bool>,
        sec_ie: RDff<bool>,
        app_ie: RDff<bool>,
        // ---- Decode of the current access.
        /// One-hot word of the buffer addressed.
        wsel: Signal<Local, Bits<4>>,
        err: Signal<Local, Bits<32>>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Mailbox;
    reset [front, log]
    hold [s2a_pend, a2s_pend, sec_ie, app_ie]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        // Flop arrays: clock, reset, hold (`hdl_logic!` wires the single flops).
        for i in 0..4 {
            self.s2a[i].clock.next = self.clock.val();
            self.s2a[i].rst_n.next = self.rst_n.val();
            self.s2a[i].d.next = self.s2a[i].q.val();
            self.a2s[i].clock.next = self.clock.val();
            self.a2s[i].rst_n.next = self.rst_n.val();
            self.a2s[i].d.next = self.a2s[i].q.val();
        }

        // ---- Address decode (the front end, fed from the ports by `pass`, decodes the map).
        self.wsel.next = self.one4.val() << self.paddr.val().get_bits::<2>(2);
        // ---- Access checks, in the documented order; the first that applies wins.
        self.err.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Unmapped, wrong master (the registers' readers and writers), or WO/RO.
        } else if self.front.strb_part.val() {
            self.err.next = self.e_strb.val();
        } else if self.pwrite.val()
            & (self.front.is_s2a_send.val() | self.front.is_s2a_ack.val() | self.front.is_a2s_send.val() | self.front.is_a2s_ack.val())
            & (self.pwdata.val() != self.one32.val()) {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val() & (self.front.is_sec_irq_en.val() | self.front.is_app_irq_en.val()) & (self.pwdata.val().get_bits::<31>(1) != self.zero31.val()) {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val() & (self.front.is_s2a_data.val() | self.front.is_s2a_send.val()) & self.s2a_pend.q.val() {
            self.err.next = self.e_busy.val();
        } else if self.pwrite.val() & (self.front.is_a2s_data.val() | self.front.is_a2s_send.val()) & self.a2s_pend.q.val() {
            self.err.next = self.e_busy.val();
        } else if ((!self.pwrite.val() & self.front.is_s2a_data.val()) | self.front.is_s2a_ack.val()) & !self.s2a_pend.q.val() {
            self.err.next = self.e_empty.val();
        } else if ((!self.pwrite.val() & self.front.is_a2s_data.val()) | self.front.is_a2s_ack.val()) & !self.a2s_pend.q.val() {
            self.err.next = self.e_empty.val();
        }
        self.ok_write.next = self.front.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.ok_read.next = self.front.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.pready.next = true;
        // The protocol check follows this block's wait states.
        self.front.pready.next = self.pready.val();
        self.pslverr.next = self.front.access.val() & (self.err.val() != self.e_none.val());

        // ---- Writes. Buffers only change on their sender's good writes (ok_write has the checks).
        for i in 0..4 {
            if self.ok_write.val() & self.front.is_s2a_data.val() & self.wsel.val().get_bit(i) {
                self.s2a[i].d.next = self.pwdata.val();
            }
            if self.ok_write.val() & self.front.is_a2s_data.val() & self.wsel.val().get_bit(i) {
                self.a2s[i].d.next = self.pwdata.val();
            }
        }
        if self.ok_write.val() & self.front.is_s2a_send.val() {
            self.s2a_pend.d.next = true;
        }
        if self.ok_write.val() & self.front.is_s2a_ack.val() {
            self.s2a_pend.d.next = false;
        }
        if self.ok_write.val() & self.front.is_a2s_send.val() {
            self.a2s_pend.d.next = true;
        }
        if self.ok_write.val() & self.front.is_a2s_ack.val() {
            self.a2s_pend.d.next = false;
        }
        if self.ok_write.val() & self.front.is_sec_irq_en.val() {
            self.sec_ie.d.next = self.pwdata.val().get_bit(0);
        }
        if self.ok_write.val() & self.front.is_app_irq_en.val() {
            self.app_ie.d.next = self.pwdata.val().get_bit(0);
        }

        // ---- Error log (ERR_INFO): the first refusal kept, OVERFLOW after it; a write clears it.
        self.log.access.next = self.front.access.val();
        self.log.err.next = self.err.val().get_bits::<4>(0);
        self.log.clear.next = self.ok_write.val() & self.front.is_err_info.val();

        // ---- Read data; prdata is 0 unless the read passed every check.
        self.rdata.next = self.zero32.val();
        if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_status.val() {
            if self.s2a_pend.q.val() {
                self.rdata.next = self.rdata.val() | self.b_s2a.val();
            }
            if self.a2s_pend.q.val() {
                self.rdata.next = self.rdata.val() | self.b_a2s.val();
            }
            if self.sec_ie.q.val() {
                self.rdata.next = self.rdata.val() | self.b_sec_ie.val();
            }
            if self.app_ie.q.val() {
                self.rdata.next = self.rdata.val() | self.b_app_ie.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
        } else if self.front.is_sec_irq_en.val() {
            if self.sec_ie.q.val() {
                self.rdata.next = self.one32.val();
            }
        } else if self.front.is_app_irq_en.val() {
            if self.app_ie.q.val() {
                self.rdata.next = self.one32.val();
            }
        } else if self.front.is_s2a_data.val() {
            for i in 0..4 {
                if self.wsel.val().get_bit(i) {
                    self.rdata.next = self.s2a[i].q.val();
                }
            }
        } else if self.front.is_a2s_data.val() {
            for i in 0..4 {
                if self.wsel.val().get_bit(i) {
                    self.rdata.next = self.a2s[i].q.val();
                }
            }
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }

        // ---- Interrupts: levels from flops only.
        self.irq_sec.next = self.a2s_pend.q.val() & self.sec_ie.q.val();
        self.irq_app.next = self.s2a_pend.q.val() & self.app_ie.q.val();
    }
}
