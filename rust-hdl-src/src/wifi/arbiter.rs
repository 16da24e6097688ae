//! Wi-Fi arbiter top (`pluton_wifi`): APB4 completer, app-core request mailbox, security-core policy path, Wi-Fi command/event ports.

use super::regs;
use crate::common::prims::{ErrLog, RDff, ZeroExt};
use rust_hdl::prelude::*;

crate::hdl_block! {
    WifiArbiter
    apb(12)
    ports {
        wifi_cmd_ready: Signal<In, bool>,
        wifi_evt_valid: Signal<In, bool>,
        wifi_evt_data: Signal<In, Bits<32>>,
        wifi_cmd_valid: Signal<Out, bool>,
        wifi_cmd_op: Signal<Out, Bits<8>>,
        wifi_cmd_arg0: Signal<Out, Bits<32>>,
        wifi_cmd_arg1: Signal<Out, Bits<32>>,
        wifi_cmd_seq: Signal<Out, Bits<8>>,
        wifi_evt_ready: Signal<Out, bool>,
        intr_sec: Signal<Out, bool>,
        intr_app: Signal<Out, bool>,
    }
    consts {
        // Other sized constants.
        one4: 4 = 1,
        zero3: 3 = 0,
        one3: 3 = 1,
        depth3: 3 = regs::QUEUE_DEPTH as u64,
        one8: 8 = 1,
        status_timeout: 8 = regs::STATUS_TIMEOUT as u64,
        zero11: 11 = 0,
        one11: 11 = 1,
        age_last: 11 = (regs::REQ_TIMEOUT - 1) as u64,
        zero16: 16 = 0,
        zero24: 24 = 0,
        zero32: 32 = 0,
        one32: 32 = 1,
        block_id: 32 = regs::BLOCK_ID as u64,
        e_none: 32 = regs::ERR_NONE as u64,
        e_busy: 32 = regs::ERR_BUSY as u64,
        e_seq: 32 = regs::ERR_SEQ as u64,
        e_strb: 32 = regs::ERR_STRB as u64,
        e_value: 32 = regs::ERR_VALUE as u64,
        e_full: 32 = regs::ERR_FULL as u64,
        e_empty: 32 = regs::ERR_EMPTY as u64,
        b_req_pending: 32 = regs::SEC_STATUS_REQ_PENDING.mask() as u64,
        b_cmd_busy: 32 = regs::SEC_STATUS_CMD_BUSY.mask() as u64,
        b_cmd_done: 32 = regs::SEC_STATUS_CMD_DONE.mask() as u64,
        b_evt_valid: 32 = regs::SEC_STATUS_EVT_VALID.mask() as u64,
        b_err: 32 = regs::SEC_STATUS_ERR.mask() as u64,
        b_full: 32 = regs::APP_STATUS_FULL.mask() as u64,
        b_cpl_valid: 32 = regs::APP_CPL_VALID.mask() as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        // Byte registers zero-extended for reads; each fed straight from a flop (no comb. loop).
        ze_req_op: ZeroExt<8, 32>,
        ze_last_seq: ZeroExt<8, 32>,
        ze_cq_seq0: ZeroExt<8, 32>,
        ze_rq_op0: ZeroExt<8, 32>,
        ze_rq_seq0: ZeroExt<8, 32>,
        ze_cmd_op: ZeroExt<8, 32>,
        ze_cmd_seq: ZeroExt<8, 32>,
        ze_cpl_status: ZeroExt<8, 32>,
        ze_req_level: ZeroExt<3, 32>,
        ze_cpl_level: ZeroExt<3, 32>,
        // Application-core staging registers and the seq counter.
        req_op: RDff<Bits<8>>,
        req_arg0: RDff<Bits<32>>,
        req_arg1: RDff<Bits<32>>,
        last_seq: RDff<Bits<8>>,
        // Request queue: a shift register, entry 0 is the head; `req_level` entries are valid.
        rq_op: [RDff<Bits<8>>; 4],
        rq_arg0: [RDff<Bits<32>>; 4],
        rq_arg1: [RDff<Bits<32>>; 4],
        rq_seq: [RDff<Bits<8>>; 4],
        req_level: RDff<Bits<3>>,
        /// Edges the head request has waited since it became head.
        age: RDff<Bits<11>>,
        // Completion queue, same shape.
        cq_seq: [RDff<Bits<8>>; 4],
        cq_status: [RDff<Bits<8>>; 4],
        cpl_level: RDff<Bits<3>>,
        // The Wi-Fi command interface: outputs come straight from these flops (formal property).
        cmd_valid: RDff<bool>,
        cmd_op: RDff<Bits<8>>,
        cmd_arg0: RDff<Bits<32>>,
        cmd_arg1: RDff<Bits<32>>,
        cmd_seq: RDff<Bits<8>>,
        cmd_done: RDff<bool>,
        // One-entry event buffer.
        evt_valid: RDff<bool>,
        evt_data: RDff<Bits<32>>,
        evt_ready: RDff<bool>,
        // Register addresses.
        // Decode of the current APB access.
        /// Registers whose value is one byte: `pwdata[31:8]` must be 0.
        is_byte_reg: Signal<Local, bool>,
        /// Registers that act on writing 1: any other value is bad.
        is_go_reg: Signal<Local, bool>,
        /// Registers that must not change while a command is offered.
        is_cmd_reg: Signal<Local, bool>,
        full: Signal<Local, bool>,
        req_any: Signal<Local, bool>,
        cpl_any: Signal<Local, bool>,
        /// Error code of the current access, already 32 bits wide for ERR_INFO.
        err: Signal<Local, Bits<32>>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        // Queue operations at this edge.
        do_push: Signal<Local, bool>,
        do_complete: Signal<Local, bool>,
        timeout: Signal<Local, bool>,
        req_pop: Signal<Local, bool>,
        cpl_pop: Signal<Local, bool>,
        cpl_new_status: Signal<Local, Bits<8>>,
        req_widx: Signal<Local, Bits<3>>,
        req_wsel: Signal<Local, Bits<4>>,
        cpl_widx: Signal<Local, Bits<3>>,
        cpl_wsel: Signal<Local, Bits<4>>,
        evt_valid_nx: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    WifiArbiter;
    reset [front, log, age, evt_valid, evt_ready]
    hold [req_op, req_arg0, req_arg1, last_seq, req_level, cpl_level, cmd_valid, cmd_op, cmd_arg0,
        cmd_arg1, cmd_seq, cmd_done, evt_data]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pmaster, pwdata], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        // Flop arrays: clock, reset, hold (`hdl_logic!` wires the single flops).
        for i in 0..4 {
            self.rq_op[i].clock.next = self.clock.val();
            self.rq_op[i].rst_n.next = self.rst_n.val();
            self.rq_op[i].d.next = self.rq_op[i].q.val();
            self.rq_arg0[i].clock.next = self.clock.val();
            self.rq_arg0[i].rst_n.next = self.rst_n.val();
            self.rq_arg0[i].d.next = self.rq_arg0[i].q.val();
            self.rq_arg1[i].clock.next = self.clock.val();
            self.rq_arg1[i].rst_n.next = self.rst_n.val();
            self.rq_arg1[i].d.next = self.rq_arg1[i].q.val();
            self.rq_seq[i].clock.next = self.clock.val();
            self.rq_seq[i].rst_n.next = self.rst_n.val();
            self.rq_seq[i].d.next = self.rq_seq[i].q.val();
            self.cq_seq[i].clock.next = self.clock.val();
            self.cq_seq[i].rst_n.next = self.rst_n.val();
            self.cq_seq[i].d.next = self.cq_seq[i].q.val();
            self.cq_status[i].clock.next = self.clock.val();
            self.cq_status[i].rst_n.next = self.rst_n.val();
            self.cq_status[i].d.next = self.cq_status[i].q.val();
        }

        // ---- Address decode (the front end, fed from the ports by `pass`, decodes the map and
        // applies each register's owner: `readers`/`writers`).
        self.is_cmd_reg.next = self.front.is_wifi_cmd_op.val()
            | self.front.is_wifi_cmd_arg0.val()
            | self.front.is_wifi_cmd_arg1.val()
            | self.front.is_wifi_cmd_seq.val()
            | self.front.is_wifi_cmd_go.val();
        self.is_byte_reg.next = self.front.is_req_op.val() | self.front.is_wifi_cmd_op.val() | self.front.is_wifi_cmd_seq.val();
        self.is_go_reg.next = self.front.is_req_push.val()
            | self.front.is_app_cpl_pop.val()
            | self.front.is_wifi_cmd_go.val()
            | self.front.is_wifi_cmd_ack.val()
            | self.front.is_evt_pop.val();
        self.req_any.next = self.req_level.q.val() != self.zero3.val();
        self.cpl_any.next = self.cpl_level.q.val() != self.zero3.val();
        self.full.next = (self.req_level.q.val() + self.cpl_level.q.val()) == self.depth3.val();

        // ---- Access checks, in the documented order.
        self.err.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Unmapped, not the register's owner, or WO/RO.
        } else if self.front.strb_part.val() {
            self.err.next = self.e_strb.val();
        } else if self.pwrite.val() & self.is_byte_reg.val() & (self.pwdata.val().get_bits::<24>(8) != self.zero24.val()) {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val() & self.is_go_reg.val() & (self.pwdata.val() != self.one32.val()) {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val()
            & self.front.is_sec_complete.val()
            & ((self.pwdata.val().get_bits::<16>(16) != self.zero16.val())
                | (self.pwdata.val().get_bits::<8>(0) == self.status_timeout.val()))
        {
            self.err.next = self.e_value.val();
        } else if self.pwrite.val() & self.front.is_req_push.val() & self.full.val() {
            self.err.next = self.e_full.val();
        } else if self.pwrite.val() & self.front.is_app_cpl_pop.val() & !self.cpl_any.val() {
            self.err.next = self.e_empty.val();
        } else if self.pwrite.val() & self.front.is_sec_complete.val() & !self.req_any.val() {
            self.err.next = self.e_empty.val();
        } else if self.pwrite.val() & self.front.is_sec_complete.val() & (self.pwdata.val().get_bits::<8>(8) != self.rq_seq[0].q.val()) {
            self.err.next = self.e_seq.val();
        } else if self.pwrite.val() & self.front.is_evt_pop.val() & !self.evt_valid.q.val() {
            self.err.next = self.e_empty.val();
        } else if self.pwrite.val() & self.is_cmd_reg.val() & self.cmd_valid.q.val() {
            self.err.next = self.e_busy.val();
        }
        self.ok_write.next = self.front.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.ok_read.next = self.front.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.pready.next = true;
        // The protocol check follows this block's wait states.
        self.front.pready.next = self.pready.val();
        self.pslverr.next = self.front.access.val() & (self.err.val() != self.e_none.val());

        // ---- Application-core staging registers.
        if self.ok_write.val() & self.front.is_req_op.val() {
            self.req_op.d.next = self.pwdata.val().get_bits::<8>(0);
        }
        if self.ok_write.val() & self.front.is_req_arg0.val() {
            self.req_arg0.d.next = self.pwdata.val();
        }
        if self.ok_write.val() & self.front.is_req_arg1.val() {
            self.req_arg1.d.next = self.pwdata.val();
        }

        // ---- Queue operations at this edge. A SEC_COMPLETE beats the timeout of the same edge.
        self.do_push.next = self.ok_write.val() & self.front.is_req_push.val();
        self.do_complete.next = self.ok_write.val() & self.front.is_sec_complete.val();
        self.timeout.next = self.req_any.val() & (self.age.q.val() == self.age_last.val()) & !self.do_complete.val();
        self.req_pop.next = self.do_complete.val() | self.timeout.val();
        self.cpl_pop.next = self.ok_write.val() & self.front.is_app_cpl_pop.val();
        self.cpl_new_status.next = self.status_timeout.val();
        if self.do_complete.val() {
            self.cpl_new_status.next = self.pwdata.val().get_bits::<8>(0);
        }

        // Request queue: shift down on a pop, append behind the remaining entries on a push.
        self.req_widx.next = self.req_level.q.val();
        if self.req_pop.val() {
            self.req_widx.next = self.req_level.q.val() - self.one3.val();
        }
        self.req_wsel.next = self.one4.val() << self.req_widx.val();
        for i in 0..3 {
            if self.req_pop.val() {
                self.rq_op[i].d.next = self.rq_op[i + 1].q.val();
                self.rq_arg0[i].d.next = self.rq_arg0[i + 1].q.val();
                self.rq_arg1[i].d.next = self.rq_arg1[i + 1].q.val();
                self.rq_seq[i].d.next = self.rq_seq[i + 1].q.val();
            }
        }
        for i in 0..4 {
            if self.do_push.val() & self.req_wsel.val().get_bit(i) {
                self.rq_op[i].d.next = self.req_op.q.val();
                self.rq_arg0[i].d.next = self.req_arg0.q.val();
                self.rq_arg1[i].d.next = self.req_arg1.q.val();
                self.rq_seq[i].d.next = self.last_seq.q.val() + self.one8.val();
            }
        }
        if self.do_push.val() {
            self.last_seq.d.next = self.last_seq.q.val() + self.one8.val();
        }
        if self.do_push.val() & !self.req_pop.val() {
            self.req_level.d.next = self.req_level.q.val() + self.one3.val();
        }
        if !self.do_push.val() & self.req_pop.val() {
            self.req_level.d.next = self.req_level.q.val() - self.one3.val();
        }
        // The head's age restarts whenever the head changes or the queue is empty.
        self.age.d.next = self.age.q.val() + self.one11.val();
        if !self.req_any.val() | self.req_pop.val() {
            self.age.d.next = self.zero11.val();
        }

        // Completion queue: the popped request's completion goes in, APP_CPL_POP takes one out.
        self.cpl_widx.next = self.cpl_level.q.val();
        if self.cpl_pop.val() {
            self.cpl_widx.next = self.cpl_level.q.val() - self.one3.val();
        }
        self.cpl_wsel.next = self.one4.val() << self.cpl_widx.val();
        for i in 0..3 {
            if self.cpl_pop.val() {
                self.cq_seq[i].d.next = self.cq_seq[i + 1].q.val();
                self.cq_status[i].d.next = self.cq_status[i + 1].q.val();
            }
        }
        for i in 0..4 {
            if self.req_pop.val() & self.cpl_wsel.val().get_bit(i) {
                self.cq_seq[i].d.next = self.rq_seq[0].q.val();
                self.cq_status[i].d.next = self.cpl_new_status.val();
            }
        }
        if self.req_pop.val() & !self.cpl_pop.val() {
            self.cpl_level.d.next = self.cpl_level.q.val() + self.one3.val();
        }
        if !self.req_pop.val() & self.cpl_pop.val() {
            self.cpl_level.d.next = self.cpl_level.q.val() - self.one3.val();
        }

        // ---- Wi-Fi command interface: only good writes from the security core reach it
        // (master_ok), and the registers are locked while the command is offered.
        if self.ok_write.val() & self.front.is_wifi_cmd_op.val() {
            self.cmd_op.d.next = self.pwdata.val().get_bits::<8>(0);
        }
        if self.ok_write.val() & self.front.is_wifi_cmd_arg0.val() {
            self.cmd_arg0.d.next = self.pwdata.val();
        }
        if self.ok_write.val() & self.front.is_wifi_cmd_arg1.val() {
            self.cmd_arg1.d.next = self.pwdata.val();
        }
        if self.ok_write.val() & self.front.is_wifi_cmd_seq.val() {
            self.cmd_seq.d.next = self.pwdata.val().get_bits::<8>(0);
        }
        if self.ok_write.val() & self.front.is_wifi_cmd_go.val() {
            self.cmd_valid.d.next = true;
        }
        if self.ok_write.val() & self.front.is_wifi_cmd_ack.val() {
            self.cmd_done.d.next = false;
        }
        // A take sets CMD_DONE even if WIFI_CMD_ACK clears it at the same edge.
        if self.cmd_valid.q.val() & self.wifi_cmd_ready.val() {
            self.cmd_valid.d.next = false;
            self.cmd_done.d.next = true;
        }
        self.wifi_cmd_valid.next = self.cmd_valid.q.val();
        self.wifi_cmd_op.next = self.cmd_op.q.val();
        self.wifi_cmd_arg0.next = self.cmd_arg0.q.val();
        self.wifi_cmd_arg1.next = self.cmd_arg1.q.val();
        self.wifi_cmd_seq.next = self.cmd_seq.q.val();

        // ---- Event buffer. Ready is a flop, low in reset and while an event is buffered.
        self.evt_valid_nx.next = self.evt_valid.q.val();
        if self.evt_ready.q.val() & self.wifi_evt_valid.val() {
            self.evt_valid_nx.next = true;
            self.evt_data.d.next = self.wifi_evt_data.val();
        }
        if self.ok_write.val() & self.front.is_evt_pop.val() {
            self.evt_valid_nx.next = false;
        }
        self.evt_valid.d.next = self.evt_valid_nx.val();
        self.evt_ready.d.next = !self.evt_valid_nx.val();
        self.wifi_evt_ready.next = self.evt_ready.q.val();

        // ---- Error log (ERR_INFO): the first refusal kept, OVERFLOW after it; a write clears it.
        self.log.access.next = self.front.access.val();
        self.log.err.next = self.err.val().get_bits::<4>(0);
        self.log.clear.next = self.ok_write.val() & self.front.is_err_info.val();

        // ---- Read data. Empty queues and an empty event buffer read as 0.
        self.ze_req_op.a.next = self.req_op.q.val();
        self.ze_last_seq.a.next = self.last_seq.q.val();
        self.ze_cq_seq0.a.next = self.cq_seq[0].q.val();
        self.ze_rq_op0.a.next = self.rq_op[0].q.val();
        self.ze_rq_seq0.a.next = self.rq_seq[0].q.val();
        self.ze_cmd_op.a.next = self.cmd_op.q.val();
        self.ze_cmd_seq.a.next = self.cmd_seq.q.val();
        self.ze_cpl_status.a.next = self.cq_status[0].q.val();
        self.ze_req_level.a.next = self.req_level.q.val();
        self.ze_cpl_level.a.next = self.cpl_level.q.val();
        self.rdata.next = self.zero32.val();
        if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_sec_status.val() {
            self.rdata.next = (self.ze_req_level.y.val() << 8) | (self.ze_cpl_level.y.val() << 12);
            if self.req_any.val() {
                self.rdata.next = self.rdata.val() | self.b_req_pending.val();
            }
            if self.cmd_valid.q.val() {
                self.rdata.next = self.rdata.val() | self.b_cmd_busy.val();
            }
            if self.cmd_done.q.val() {
                self.rdata.next = self.rdata.val() | self.b_cmd_done.val();
            }
            if self.evt_valid.q.val() {
                self.rdata.next = self.rdata.val() | self.b_evt_valid.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.b_err.val();
            }
        } else if self.front.is_app_status.val() {
            self.rdata.next = self.ze_last_seq.y.val() | (self.ze_req_level.y.val() << 8) | (self.ze_cpl_level.y.val() << 12);
            if self.full.val() {
                self.rdata.next = self.rdata.val() | self.b_full.val();
            }
        } else if self.front.is_req_op.val() {
            self.rdata.next = self.ze_req_op.y.val();
        } else if self.front.is_wifi_cmd_op.val() {
            self.rdata.next = self.ze_cmd_op.y.val();
        } else if self.front.is_wifi_cmd_seq.val() {
            self.rdata.next = self.ze_cmd_seq.y.val();
        } else if self.front.is_req_arg0.val() {
            self.rdata.next = self.req_arg0.q.val();
        } else if self.front.is_req_arg1.val() {
            self.rdata.next = self.req_arg1.q.val();
        } else if self.front.is_wifi_cmd_arg0.val() {
            self.rdata.next = self.cmd_arg0.q.val();
        } else if self.front.is_wifi_cmd_arg1.val() {
            self.rdata.next = self.cmd_arg1.q.val();
        } else if self.front.is_app_cpl.val() & self.cpl_any.val() {
            self.rdata.next = self.b_cpl_valid.val() | (self.ze_cpl_status.y.val() << 8) | self.ze_cq_seq0.y.val();
        } else if self.front.is_sec_req_op.val() & self.req_any.val() {
            self.rdata.next = self.ze_rq_op0.y.val();
        } else if self.front.is_sec_req_seq.val() & self.req_any.val() {
            self.rdata.next = self.ze_rq_seq0.y.val();
        } else if self.front.is_sec_req_arg0.val() & self.req_any.val() {
            self.rdata.next = self.rq_arg0[0].q.val();
        } else if self.front.is_sec_req_arg1.val() & self.req_any.val() {
            self.rdata.next = self.rq_arg1[0].q.val();
        } else if self.front.is_evt_data.val() & self.evt_valid.q.val() {
            self.rdata.next = self.evt_data.q.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }

        // ---- Interrupts: levels from flops only.
        self.intr_sec.next = self.req_any.val() | self.cmd_done.q.val() | self.evt_valid.q.val();
        self.intr_app.next = self.cpl_any.val();
    }
}
