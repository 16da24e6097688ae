//! UART transmitter (`pluton_uart`): APB4 completer with TXDATA/STATUS/DIV/CTRL, an 8N1 serial output and byte-accepted outputs for simulation.

use super::regs;
use crate::common::prims::{ErrLog, RDff, ZeroExt};
use rust_hdl::prelude::*;

crate::hdl_block! {
    Uart
    apb(12)
    ports {
        /// Serial output, idle high: start bit (0), 8 data bits LSB first, stop bit (1), DIV cycles each.
        uart_tx: Signal<Out, bool>,
        /// For simulation: 1 for one cycle after the edge that accepted a TXDATA write; `tx_byte` is
        /// that byte (held until the next one).
        tx_valid: Signal<Out, bool>,
        tx_byte: Signal<Out, Bits<8>>,
        /// Level: CTRL.TX_IE and not BUSY.
        intr_tx: Signal<Out, bool>,
    }
    consts {
        e_none: 32 = crate::common::regmap::apb_common::ERR_NONE as u64,
        e_busy: 32 = regs::UART_ERR_BUSY as u64,
        e_strb: 32 = crate::common::regmap::apb_common::ERR_STRB as u64,
        e_value: 32 = regs::UART_ERR_VALUE as u64,
        zero32: 32 = 0,
        zero24: 24 = 0,
        zero16: 16 = 0,
        zero31: 31 = 0,
        one16: 16 = 1,
        zero4: 4 = 0,
        one4: 4 = 1,
        two4: 4 = 2,
        ten4: 4 = 10,
        div_reset: 16 = regs::UART_DIV_RESET as u64,
        block_id: 32 = regs::UART_BLOCK_ID as u64,
        bit_busy: 32 = regs::UART_STATUS_BUSY.mask() as u64,
        bit_err: 32 = regs::UART_STATUS_ERR.mask() as u64,
        bit_ie: 32 = regs::UART_CTRL_TX_IE.mask() as u64,
    }
    fields {
        /// APB decode and the common checks, generated from the register map.
        front: super::uart_front::RegFront,
        /// ERR_INFO.
        log: ErrLog,
        ze_div: ZeroExt<16, 32>,
        div: RDff<Bits<16>>,
        tx_ie: RDff<bool>,
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
        busy: Signal<Local, bool>,
        err: Signal<Local, Bits<32>>,
        ok_write: Signal<Local, bool>,
        ok_read: Signal<Local, bool>,
        rdata: Signal<Local, Bits<32>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Uart;
    reset [front, log, tx_valid_r]
    hold [div, tx_ie, bitcnt, baud, shreg, line_n, tx_byte_r]
    pass { front: [psel, penable, pwrite, paddr, pstrb, pwdata, pmaster], log: [pwrite, pmaster, paddr] }
    fn update(&mut self) {
        // DIV resets to 0 (every flop resets to 0) and reads as DIV_RESET until written: the
        // flop holds DIV ^ DIV_RESET.
        self.busy.next = self.bitcnt.q.val() != self.zero4.val();

        // ---- Error checks in the documented order; the first that applies wins.
        self.err.next = self.front.err.val();
        if self.front.err.val() != self.e_none.val() {
            // Unmapped or misaligned, or WO/RO.
        } else if self.front.strb_part.val() {
            self.err.next = self.e_strb.val();
        } else if self.pwrite.val() & self.front.is_txdata.val() {
            if self.pwdata.val().get_bits::<24>(8) != self.zero24.val() {
                self.err.next = self.e_value.val();
            } else if self.busy.val() {
                self.err.next = self.e_busy.val();
            }
        } else if self.pwrite.val() & self.front.is_div.val() {
            if (self.pwdata.val().get_bits::<16>(16) != self.zero16.val()) | (self.pwdata.val().get_bits::<16>(0) == self.zero16.val()) {
                self.err.next = self.e_value.val();
            } else if self.busy.val() {
                self.err.next = self.e_busy.val();
            }
        } else if self.pwrite.val() & self.front.is_ctrl.val() {
            if self.pwdata.val().get_bits::<31>(1) != self.zero31.val() {
                self.err.next = self.e_value.val();
            }
        }
        self.ok_write.next = self.front.access.val() & self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.ok_read.next = self.front.access.val() & !self.pwrite.val() & (self.err.val() == self.e_none.val());
        self.pready.next = true;
        // The protocol check follows this block's wait states.
        self.front.pready.next = self.pready.val();
        self.pslverr.next = self.front.access.val() & (self.err.val() != self.e_none.val());

        // ---- Register writes.
        if self.ok_write.val() {
            if self.front.is_div.val() {
                self.div.d.next = self.pwdata.val().get_bits::<16>(0) ^ self.div_reset.val();
            }
            if self.front.is_ctrl.val() {
                self.tx_ie.d.next = self.pwdata.val().get_bit(0);
            }
        }

        // ---- Error log (ERR_INFO): the first refusal kept, OVERFLOW after it; a write clears it.
        self.log.access.next = self.front.access.val();
        self.log.err.next = self.err.val().get_bits::<4>(0);
        self.log.clear.next = self.ok_write.val() & self.front.is_err_info.val();

        // ---- Transmitter: start bit, 8 data bits, stop bit; each bit lasts DIV cycles.
        self.tx_valid_r.d.next = false;
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
        if self.ok_write.val() & self.front.is_txdata.val() {
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
        if self.front.is_status.val() {
            if self.busy.val() {
                self.rdata.next = self.bit_busy.val();
            }
            if self.log.info.val() != self.zero32.val() {
                self.rdata.next = self.rdata.val() | self.bit_err.val();
            }
        } else if self.front.is_div.val() {
            self.rdata.next = self.ze_div.y.val();
        } else if self.front.is_ctrl.val() {
            if self.tx_ie.q.val() {
                self.rdata.next = self.bit_ie.val();
            }
        } else if self.front.is_err_info.val() {
            self.rdata.next = self.log.info.val();
        } else if self.front.is_id.val() {
            self.rdata.next = self.block_id.val();
        }
        self.prdata.next = self.zero32.val();
        if self.ok_read.val() {
            self.prdata.next = self.rdata.val();
        }
    }
}
