//! Mailbox top (`pluton_mailbox`): APB4 completer with one 4-word buffer, doorbell and interrupt per direction.

use super::regs;
use crate::common::prims::{RDff, ZeroExt};
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// Two one-message mailboxes (SEC->APP, APP->SEC); see the README for the contract.
    Mailbox
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        psel: Signal<In, bool>,
        penable: Signal<In, bool>,
        pwrite: Signal<In, bool>,
        paddr: Signal<In, Bits<12>>,
        pwdata: Signal<In, Bits<32>>,
        pstrb: Signal<In, Bits<4>>,
        pmaster: Signal<In, Bits<4>>,
        prdata: Signal<Out, Bits<32>>,
        pready: Signal<Out, bool>,
        pslverr: Signal<Out, bool>,
        /// Level: a message waits for the security core and SEC_IRQ_EN.IE.
        irq_sec: Signal<Out, bool>,
        /// Level: a message waits for the application core and APP_IRQ_EN.IE.
        irq_app: Signal<Out, bool>,
    }
    consts {
        a_id: 12 = regs::ID.offset as u64,
        a_err: 12 = regs::ERR_INFO.offset as u64,
        a_status: 12 = regs::STATUS.offset as u64,
        a_sec_ie: 12 = regs::SEC_IRQ_EN.offset as u64,
        a_app_ie: 12 = regs::APP_IRQ_EN.offset as u64,
        a_s2a_send: 12 = regs::S2A_SEND.offset as u64,
        a_s2a_ack: 12 = regs::S2A_ACK.offset as u64,
        a_a2s_send: 12 = regs::A2S_SEND.offset as u64,
        a_a2s_ack: 12 = regs::A2S_ACK.offset as u64,
        // Buffers are 16-byte aligned: paddr[11:4] selects the buffer, paddr[3:2] the word.
        p_s2a: 8 = (regs::S2A_DATA.offset >> 4) as u64,
        p_a2s: 8 = (regs::A2S_DATA.offset >> 4) as u64,
        m_sec: 4 = regs::MASTER_SEC as u64,
        m_app: 4 = regs::MASTER_APP as u64,
        strb_f: 4 = 0b1111,
        one4: 4 = 1,
        zero2: 2 = 0,
        zero31: 31 = 0,
        zero32: 32 = 0,
        one32: 32 = 1,
        block_id: 32 = regs::BLOCK_ID as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_unmapped: 32 = regs::ERR_UNMAPPED as u64,
        e_read_wo: 32 = regs::ERR_READ_WO as u64,
        e_write_ro: 32 = regs::ERR_WRITE_RO as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_master: 32 = regs::ERR_MASTER as u64,
        e_empty: 32 = regs::ERR_EMPTY as u64,
        b_s2a: 32 = regs::STATUS_S2A_PENDING.mask() as u64,
        b_a2s: 32 = regs::STATUS_A2S_PENDING.mask() as u64,
        b_sec_ie: 32 = regs::STATUS_SEC_IE.mask() as u64,
        b_app_ie: 32 = regs::STATUS_APP_IE.mask() as u64,
        b_err: 32 = regs::STATUS_ERR.mask() as u64,
        b_write: 32 = regs::ERR_INFO_WRITE.mask() as u64,
        b_overflow: 32 = regs::ERR_INFO_OVERFLOW.mask() as u64,
    }
    fields {
        ze_master: ZeroExt<4, 32>,
        ze_addr: ZeroExt<12, 32>,
        // ---- State.
        s2a: [RDff<Bits<32>>; 4],
        a2s: [RDff<Bits<32>>; 4],
        s2a_pend: RDff<bool>,
        a2s_pend: RDff<bool>,
        sec_ie: RDff<bool>,
        app_ie: RDff<bool>,
        err_info: RDff<Bits<32>>,
        // ---- Decode of the current access.
        access: Signal<Local, bool>,
        aligned: Signal<Local, bool>,
        is_id: Signal<Local, bool>,
        is_err: Signal<Local, bool>,
        is_status: Signal<Local, bool>,
        is_sec_ie: Signal<Local, bool>,
        is_app_ie: Signal<Local, bool>,
        is_s2a_data: Signal<Local, bool>,
        is_s2a_send: Signal<Local, bool>,
        is_s2a_ack: Signal<Local, bool>,
        is_a2s_data: Signal<Local, bool>,
        is_a2s_send: Signal<Local, bool>,
        is_a2s_ack: Signal<Local, bool>,
        is_mapped: Signal<Local, bool>,
        is_wo: Signal<Local, bool>,
        is_ro: Signal<Local, bool>,
        by_sec: Signal<Local, bool>,
        by_app: Signal<Local, bool>,
        master_ok: Signal<Local, bool>,
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
    hold [s2a_pend, a2s_pend, sec_ie, app_ie, err_info]
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

        // ---- Address decode.
        self.access.next = self.psel.val() & self.penable.val();
        self.aligned.next = self.paddr.val().get_bits::<2>(0) == self.zero2.val();
        self.is_id.next = self.paddr.val() == self.a_id.val();
        self.is_err.next = self.paddr.val() == self.a_err.val();
        self.is_status.next = self.paddr.val() == self.a_status.val();
        self.is_sec_ie.next = self.paddr.val() == self.a_sec_ie.val();
        self.is_app_ie.next = self.paddr.val() == self.a_app_ie.val();
        self.is_s2a_send.next = self.paddr.val() == self.a_s2a_send.val();
        self.is_s2a_ack.next = self.paddr.val() == self.a_s2a_ack.val();
        self.is_a2s_send.next = self.paddr.val() == self.a_a2s_send.val();
        self.is_a2s_ack.next = self.paddr.val() == self.a_a2s_ack.val();
        self.is_s2a_data.next = self.aligned.val() & (self.paddr.val().get_bits::<8>(4) == self.p_s2a.val());
        self.is_a2s_data.next = self.aligned.val() & (self.paddr.val().get_bits::<8>(4) == self.p_a2s.val());
        self.wsel.next = self.one4.val() << self.paddr.val().get_bits::<2>(2);
        self.is_mapped.next = self.is_id.val()
            | self.is_err.val()
            | self.is_status.val()
            | self.is_sec_ie.val()
            | self.is_app_ie.val()
            | self.is_s2a_data.val()
            | self.is_s2a_send.val()
            | self.is_s2a_ack.val()
            | self.is_a2s_data.val()
            | self.is_a2s_send.val()
            | self.is_a2s_ack.val();
        self.is_wo.next = self.is_s2a_send.val() | self.is_s2a_ack.val() | self.is_a2s_send.val() | self.is_a2s_ack.val();
        self.is_ro.next = self.is_id.val() | self.is_status.val();

        // Who may touch what (regs::RULES): a buffer is written by its sender, read by its receiver.
        self.by_sec.next = self.pmaster.val() == self.m_sec.val();
        self.by_app.next = self.pmaster.val() == self.m_app.val();
        self.master_ok.next = self.is_id.val()
            | (self.is_status.val() & (self.by_sec.val() | self.by_app.val()))
            | ((self.is_err.val() | self.is_sec_ie.val() | self.is_s2a_send.val() | self.is_a2s_ack.val()) & self.by_sec.val())
            | ((self.is_app_ie.val() | self.is_a2s_send.val() | self.is_s2a_ack.val()) & self.by_app.val())
            | (self.is_s2a_data.val() & ((self.pwrite.val() & self.by_sec.val()) | (!self.pwrite.val() & self.by_app.val())))
            | (self.is_a2s_data.val() & ((self.pwrite.val() & self.by_app.val()) | (!self.pwrite.val() & self.by_sec.val())));

        // ---- Access checks, in the documented order; the first that applies wins.
        self.err.next = self.e_none.val();
        if !self.is_mapped.val() {
            self.err.next = self.e_unmapped.val();
        } else if !self.master_ok.val() {
            self.err.next = self.e_master.val();
        } else if !self.pwrite.val() & self.is_wo.val() {
            self.err.next = self.e_read_wo.val();
        } else if self.pwrite.val() & self.is_ro.val() {
            self.err.next = self.e_write_ro.val();
        } else if self.pwrite.val() & (self.pstrb.val() != self.strb_f.val()) {
            self.err.next = self.e_strb.val();
        } else if self.pwrite.val() & self.is_wo.val() & (self.pwdata.val() != self.one32.val()) {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val() & (self.is_sec_ie.val() | self.is_app_ie.val()) & (self.pwdata.val().get_bits::<31>(1) != self.zero31.val()) {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val() & (self.is_s2a_data.val() | self.is_s2a_send.val()) & self.s2a_pend.q.val() {
            self.err.next = self.e_busy.val();
        } else if self.pwrite.val() & (self.is_a2s_data.val() | self.is_a2s_send.val()) & self.a2s_pend.q.val() {
            self.err.next = self.e_busy.val();
        } else if ((!self.pwrite.val() & self.is_s2a_data.val()) | self.is_s2a_ack.val()) & !self.s2a_pend.q.val() {
            self.err.next = self.e_empty.val();
        } else if ((!self.pwrite.val() & self.is_a2s_data.val()) | self.is_a2s_ack.val()) & !self.a2s_pend.q.val() {
            self.err.next = self.e_empty.val();
        }
        self.ok_write.next = self.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.ok_read.next = self.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.pready.next = true;
        self.pslverr.next = self.access.val() & (self.err.val() != self.e_none.val());

        // ---- Writes. Buffers only change on their sender's good writes (ok_write has the checks).
        for i in 0..4 {
            if self.ok_write.val() & self.is_s2a_data.val() & self.wsel.val().get_bit(i) {
                self.s2a[i].d.next = self.pwdata.val();
            }
            if self.ok_write.val() & self.is_a2s_data.val() & self.wsel.val().get_bit(i) {
                self.a2s[i].d.next = self.pwdata.val();
            }
        }
        if self.ok_write.val() & self.is_s2a_send.val() {
            self.s2a_pend.d.next = true;
        }
        if self.ok_write.val() & self.is_s2a_ack.val() {
            self.s2a_pend.d.next = false;
        }
        if self.ok_write.val() & self.is_a2s_send.val() {
            self.a2s_pend.d.next = true;
        }
        if self.ok_write.val() & self.is_a2s_ack.val() {
            self.a2s_pend.d.next = false;
        }
        if self.ok_write.val() & self.is_sec_ie.val() {
            self.sec_ie.d.next = self.pwdata.val().get_bit(0);
        }
        if self.ok_write.val() & self.is_app_ie.val() {
            self.app_ie.d.next = self.pwdata.val().get_bit(0);
        }
        if self.ok_write.val() & self.is_err.val() {
            self.err_info.d.next = self.zero32.val();
        }

        // ---- Error log: the first error is kept, later ones only set OVERFLOW.
        self.ze_master.a.next = self.pmaster.val();
        self.ze_addr.a.next = self.paddr.val();
        if self.access.val() & (self.err.val() != self.e_none.val()) {
            if self.err_info.q.val() == self.zero32.val() {
                self.err_info.d.next = self.err.val() | (self.ze_master.y.val() << 4) | (self.ze_addr.y.val() << 16);
                if self.pwrite.val() {
                    self.err_info.d.next =
                        self.err.val() | (self.ze_master.y.val() << 4) | (self.ze_addr.y.val() << 16) | self.b_write.val();
                }
            } else {
                self.err_info.d.next = self.err_info.q.val() | self.b_overflow.val();
            }
        }

        // ---- Read data; prdata is 0 unless the read passed every check.
        self.rdata.next = self.zero32.val();
        if self.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.is_err.val() {
            self.rdata.next = self.err_info.q.val();
        } else if self.is_status.val() {
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
            if self.err_info.q.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
        } else if self.is_sec_ie.val() {
            if self.sec_ie.q.val() {
                self.rdata.next = self.one32.val();
            }
        } else if self.is_app_ie.val() {
            if self.app_ie.q.val() {
                self.rdata.next = self.one32.val();
            }
        } else if self.is_s2a_data.val() {
            for i in 0..4 {
                if self.wsel.val().get_bit(i) {
                    self.rdata.next = self.s2a[i].q.val();
                }
            }
        } else if self.is_a2s_data.val() {
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

impl crate::gen::TopBlock for Mailbox {
    fn connect_inputs(&mut self) {
        self.clock.connect();
        self.rst_n.connect();
        self.psel.connect();
        self.penable.connect();
        self.pwrite.connect();
        self.paddr.connect();
        self.pwdata.connect();
        self.pstrb.connect();
        self.pmaster.connect();
    }
}
