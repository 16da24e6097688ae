//! UART transmitter (`pluton_uart`): APB4 completer with TXDATA/STATUS/DIV/CTRL, an 8N1 serial output and byte-accepted outputs for simulation.

use super::c;
use super::regs;
use crate::common::prims::{RDff, ZeroExt};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Uart {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    pub psel: Signal<In, bool>,
    pub penable: Signal<In, bool>,
    pub pwrite: Signal<In, bool>,
    pub paddr: Signal<In, Bits<12>>,
    pub pwdata: Signal<In, Bits<32>>,
    pub pstrb: Signal<In, Bits<4>>,
    pub pmaster: Signal<In, Bits<4>>,
    pub prdata: Signal<Out, Bits<32>>,
    pub pready: Signal<Out, bool>,
    pub pslverr: Signal<Out, bool>,
    /// Serial output, idle high: start bit (0), 8 data bits LSB first, stop bit (1), DIV cycles each.
    pub uart_tx: Signal<Out, bool>,
    /// For simulation: 1 for one cycle after the edge that accepted a TXDATA write; `tx_byte` is
    /// that byte (held until the next one).
    pub tx_valid: Signal<Out, bool>,
    pub tx_byte: Signal<Out, Bits<8>>,
    /// Level: CTRL.TX_IE and not BUSY.
    pub intr_tx: Signal<Out, bool>,

    ze_master: ZeroExt<4, 32>,
    ze_addr: ZeroExt<12, 32>,
    ze_div: ZeroExt<16, 32>,

    div: RDff<Bits<16>>,
    tx_ie: RDff<bool>,
    err_info: RDff<Bits<32>>,
    /// Bits left to send including the current one (10 = start bit; 0 = idle).
    bitcnt: RDff<Bits<4>>,
    /// Cycles left in the current bit, minus one.
    baud: RDff<Bits<16>>,
    /// Data bits still to send (shifted out LSB first).
    shreg: RDff<Bits<8>>,
    /// The serial line, inverted so that reset (0) is the idle line (1).
    line_n: RDff<bool>,
    tx_valid_r: RDff<bool>,
    tx_byte_r: RDff<Bits<8>>,

    a_txdata: Constant<Bits<12>>,
    a_status: Constant<Bits<12>>,
    a_div: Constant<Bits<12>>,
    a_ctrl: Constant<Bits<12>>,
    a_err: Constant<Bits<12>>,
    a_id: Constant<Bits<12>>,
    strb_f: Constant<Bits<4>>,
    e_none: Constant<Bits<32>>,
    e_unmapped: Constant<Bits<32>>,
    e_read_wo: Constant<Bits<32>>,
    e_write_ro: Constant<Bits<32>>,
    e_busy: Constant<Bits<32>>,
    e_strb: Constant<Bits<32>>,
    e_value: Constant<Bits<32>>,
    zero32: Constant<Bits<32>>,
    zero24: Constant<Bits<24>>,
    zero16: Constant<Bits<16>>,
    zero31: Constant<Bits<31>>,
    one16: Constant<Bits<16>>,
    zero4: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    two4: Constant<Bits<4>>,
    ten4: Constant<Bits<4>>,
    div_reset: Constant<Bits<16>>,
    block_id: Constant<Bits<32>>,
    bit_busy: Constant<Bits<32>>,
    bit_err: Constant<Bits<32>>,
    bit_ie: Constant<Bits<32>>,
    bit_write: Constant<Bits<32>>,
    bit_overflow: Constant<Bits<32>>,

    access: Signal<Local, bool>,
    is_txdata: Signal<Local, bool>,
    is_status: Signal<Local, bool>,
    is_div: Signal<Local, bool>,
    is_ctrl: Signal<Local, bool>,
    is_err: Signal<Local, bool>,
    is_id: Signal<Local, bool>,
    busy: Signal<Local, bool>,
    err: Signal<Local, Bits<32>>,
    ok_write: Signal<Local, bool>,
    ok_read: Signal<Local, bool>,
    rdata: Signal<Local, Bits<32>>,
}

impl Default for Uart {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            psel: Default::default(),
            penable: Default::default(),
            pwrite: Default::default(),
            paddr: Default::default(),
            pwdata: Default::default(),
            pstrb: Default::default(),
            pmaster: Default::default(),
            prdata: Default::default(),
            pready: Default::default(),
            pslverr: Default::default(),
            uart_tx: Default::default(),
            tx_valid: Default::default(),
            tx_byte: Default::default(),
            intr_tx: Default::default(),
            ze_master: Default::default(),
            ze_addr: Default::default(),
            ze_div: Default::default(),
            div: Default::default(),
            tx_ie: Default::default(),
            err_info: Default::default(),
            bitcnt: Default::default(),
            baud: Default::default(),
            shreg: Default::default(),
            line_n: Default::default(),
            tx_valid_r: Default::default(),
            tx_byte_r: Default::default(),
            a_txdata: c(regs::UART_TXDATA.offset as u64),
            a_status: c(regs::UART_STATUS.offset as u64),
            a_div: c(regs::UART_DIV.offset as u64),
            a_ctrl: c(regs::UART_CTRL.offset as u64),
            a_err: c(regs::UART_ERR_INFO.offset as u64),
            a_id: c(regs::UART_ID.offset as u64),
            strb_f: c(0b1111),
            e_none: c(regs::UART_ERR_NONE as u64),
            e_unmapped: c(regs::UART_ERR_UNMAPPED as u64),
            e_read_wo: c(regs::UART_ERR_READ_WO as u64),
            e_write_ro: c(regs::UART_ERR_WRITE_RO as u64),
            e_busy: c(regs::UART_ERR_BUSY as u64),
            e_strb: c(regs::UART_ERR_STRB as u64),
            e_value: c(regs::UART_ERR_VALUE as u64),
            zero32: c(0),
            zero24: c(0),
            zero16: c(0),
            zero31: c(0),
            one16: c(1),
            zero4: c(0),
            one4: c(1),
            two4: c(2),
            ten4: c(10),
            div_reset: c(regs::UART_DIV_RESET as u64),
            block_id: c(regs::UART_BLOCK_ID as u64),
            bit_busy: c(regs::UART_STATUS_BUSY.mask() as u64),
            bit_err: c(regs::UART_STATUS_ERR.mask() as u64),
            bit_ie: c(regs::UART_CTRL_TX_IE.mask() as u64),
            bit_write: c(regs::UART_ERR_INFO_WRITE.mask() as u64),
            bit_overflow: c(regs::UART_ERR_INFO_OVERFLOW.mask() as u64),
            access: Default::default(),
            is_txdata: Default::default(),
            is_status: Default::default(),
            is_div: Default::default(),
            is_ctrl: Default::default(),
            is_err: Default::default(),
            is_id: Default::default(),
            busy: Default::default(),
            err: Default::default(),
            ok_write: Default::default(),
            ok_read: Default::default(),
            rdata: Default::default(),
        }
    }
}

impl Logic for Uart {
    #[hdl_gen]
    fn update(&mut self) {
        self.div.clock.next = self.clock.val();
        self.tx_ie.clock.next = self.clock.val();
        self.err_info.clock.next = self.clock.val();
        self.bitcnt.clock.next = self.clock.val();
        self.baud.clock.next = self.clock.val();
        self.shreg.clock.next = self.clock.val();
        self.line_n.clock.next = self.clock.val();
        self.tx_valid_r.clock.next = self.clock.val();
        self.tx_byte_r.clock.next = self.clock.val();
        self.div.rst_n.next = self.rst_n.val();
        self.tx_ie.rst_n.next = self.rst_n.val();
        self.err_info.rst_n.next = self.rst_n.val();
        self.bitcnt.rst_n.next = self.rst_n.val();
        self.baud.rst_n.next = self.rst_n.val();
        self.shreg.rst_n.next = self.rst_n.val();
        self.line_n.rst_n.next = self.rst_n.val();
        self.tx_valid_r.rst_n.next = self.rst_n.val();
        self.tx_byte_r.rst_n.next = self.rst_n.val();

        // DIV resets to 0 (every flop resets to 0) and reads as DIV_RESET until written: the
        // flop holds DIV ^ DIV_RESET.
        self.busy.next = self.bitcnt.q.val() != self.zero4.val();

        // ---- Decode of the APB access phase.
        self.access.next = self.psel.val() & self.penable.val();
        self.is_txdata.next = self.paddr.val() == self.a_txdata.val();
        self.is_status.next = self.paddr.val() == self.a_status.val();
        self.is_div.next = self.paddr.val() == self.a_div.val();
        self.is_ctrl.next = self.paddr.val() == self.a_ctrl.val();
        self.is_err.next = self.paddr.val() == self.a_err.val();
        self.is_id.next = self.paddr.val() == self.a_id.val();

        // Error checks in the documented order; the first that applies wins.
        self.err.next = self.e_none.val();
        if !(self.is_txdata.val() | self.is_status.val() | self.is_div.val() | self.is_ctrl.val() | self.is_err.val() | self.is_id.val()) {
            self.err.next = self.e_unmapped.val();
        } else if !self.pwrite.val() & self.is_txdata.val() {
            self.err.next = self.e_read_wo.val();
        } else if self.pwrite.val() & (self.is_status.val() | self.is_id.val()) {
            self.err.next = self.e_write_ro.val();
        } else if self.pwrite.val() & (self.pstrb.val() != self.strb_f.val()) {
            self.err.next = self.e_strb.val();
        } else if self.pwrite.val() & self.is_txdata.val() {
            if self.pwdata.val().get_bits::<24>(8) != self.zero24.val() {
                self.err.next = self.e_value.val();
            } else if self.busy.val() {
                self.err.next = self.e_busy.val();
            }
        } else if self.pwrite.val() & self.is_div.val() {
            if (self.pwdata.val().get_bits::<16>(16) != self.zero16.val()) | (self.pwdata.val().get_bits::<16>(0) == self.zero16.val()) {
                self.err.next = self.e_value.val();
            } else if self.busy.val() {
                self.err.next = self.e_busy.val();
            }
        } else if self.pwrite.val() & self.is_ctrl.val() {
            if self.pwdata.val().get_bits::<31>(1) != self.zero31.val() {
                self.err.next = self.e_value.val();
            }
        }
        self.ok_write.next = self.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.ok_read.next = self.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.pready.next = true;
        self.pslverr.next = self.access.val() & (self.err.val() != self.e_none.val());

        // ---- Register writes.
        self.div.d.next = self.div.q.val();
        self.tx_ie.d.next = self.tx_ie.q.val();
        self.err_info.d.next = self.err_info.q.val();
        if self.ok_write.val() {
            if self.is_div.val() {
                self.div.d.next = self.pwdata.val().get_bits::<16>(0) ^ self.div_reset.val();
            }
            if self.is_ctrl.val() {
                self.tx_ie.d.next = self.pwdata.val().get_bit(0);
            }
            if self.is_err.val() {
                self.err_info.d.next = self.zero32.val();
            }
        }

        // ---- Error log: the first error is kept, later ones only set OVERFLOW.
        self.ze_master.a.next = self.pmaster.val();
        self.ze_addr.a.next = self.paddr.val();
        if self.access.val() & (self.err.val() != self.e_none.val()) {
            if self.err_info.q.val() == self.zero32.val() {
                self.err_info.d.next = self.err.val() | (self.ze_master.y.val() << 4) | (self.ze_addr.y.val() << 16);
                if self.pwrite.val() {
                    self.err_info.d.next =
                        self.err.val() | (self.ze_master.y.val() << 4) | (self.ze_addr.y.val() << 16) | self.bit_write.val();
                }
            } else {
                self.err_info.d.next = self.err_info.q.val() | self.bit_overflow.val();
            }
        }

        // ---- Transmitter: start bit, 8 data bits, stop bit; each bit lasts DIV cycles.
        self.bitcnt.d.next = self.bitcnt.q.val();
        self.baud.d.next = self.baud.q.val();
        self.shreg.d.next = self.shreg.q.val();
        self.line_n.d.next = self.line_n.q.val();
        self.tx_valid_r.d.next = false;
        self.tx_byte_r.d.next = self.tx_byte_r.q.val();
        if self.busy.val() {
            if self.baud.q.val() == self.zero16.val() {
                self.baud.d.next = (self.div.q.val() ^ self.div_reset.val()) - self.one16.val();
                self.bitcnt.d.next = self.bitcnt.q.val() - self.one4.val();
                if self.bitcnt.q.val() == self.one4.val() {
                    // End of the stop bit: idle line.
                    self.line_n.d.next = false;
                } else if self.bitcnt.q.val() == self.two4.val() {
                    // Stop bit.
                    self.line_n.d.next = false;
                } else {
                    self.line_n.d.next = !self.shreg.q.val().get_bit(0);
                    self.shreg.d.next = self.shreg.q.val() >> 1;
                }
            } else {
                self.baud.d.next = self.baud.q.val() - self.one16.val();
            }
        }
        if self.ok_write.val() & self.is_txdata.val() {
            self.bitcnt.d.next = self.ten4.val();
            self.baud.d.next = (self.div.q.val() ^ self.div_reset.val()) - self.one16.val();
            self.shreg.d.next = self.pwdata.val().get_bits::<8>(0);
            self.line_n.d.next = true;
            self.tx_valid_r.d.next = true;
            self.tx_byte_r.d.next = self.pwdata.val().get_bits::<8>(0);
        }
        self.uart_tx.next = !self.line_n.q.val();
        self.tx_valid.next = self.tx_valid_r.q.val();
        self.tx_byte.next = self.tx_byte_r.q.val();
        self.intr_tx.next = self.tx_ie.q.val() & !self.busy.val();

        // ---- Read data (0 on errors and writes).
        self.ze_div.a.next = self.div.q.val() ^ self.div_reset.val();
        self.rdata.next = self.zero32.val();
        if self.is_status.val() {
            if self.busy.val() {
                self.rdata.next = self.bit_busy.val();
            }
            if self.err_info.q.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.bit_err.val();
            }
        } else if self.is_div.val() {
            self.rdata.next = self.ze_div.y.val();
        } else if self.is_ctrl.val() {
            if self.tx_ie.q.val() {
                self.rdata.next = self.bit_ie.val();
            }
        } else if self.is_err.val() {
            self.rdata.next = self.err_info.q.val();
        } else if self.is_id.val() {
            self.rdata.next = self.block_id.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }
    }
}

impl crate::gen::TopBlock for Uart {
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
