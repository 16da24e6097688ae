//! First system top (`pluton_m0sys`): one core node (core, ROM, SRAM, APB bridge, UART) with the SHA-256 engine on its APB port, and bus monitor and trace outputs.

use super::{c, M0Node};
use crate::common::prims::ZeroExt;
use crate::sha256::Sha256Engine;
use rust_hdl::prelude::*;

#[allow(non_snake_case)]
#[derive(LogicBlock)]
pub struct M0Sys {
    pub clock: Signal<In, Clock>,
    pub rst_n: Signal<In, bool>,
    /// ROM loader (use while `rst_n` is low): word `ld_addr` gets `ld_data` at the rising edge.
    pub ld_we: Signal<In, bool>,
    pub ld_addr: Signal<In, Bits<14>>,
    pub ld_data: Signal<In, Bits<32>>,
    /// External interrupts: `irq_ext[k]` is core IRQ 2 + k.
    pub irq_ext: Signal<In, Bits<30>>,
    pub NMI: Signal<In, bool>,
    pub RXEV: Signal<In, bool>,
    pub DBGRESTART: Signal<In, bool>,
    pub uart_tx: Signal<Out, bool>,
    pub tx_valid: Signal<Out, bool>,
    pub tx_byte: Signal<Out, Bits<8>>,
    pub SLEEPING: Signal<Out, bool>,
    pub SLEEPDEEP: Signal<Out, bool>,
    pub LOCKUP: Signal<Out, bool>,
    pub HALTED: Signal<Out, bool>,
    pub SYSRESETREQ: Signal<Out, bool>,
    pub TXEV: Signal<Out, bool>,
    // The core's AHB port, as the core sees it (for lock-step harnesses).
    pub mon_haddr: Signal<Out, Bits<32>>,
    pub mon_htrans: Signal<Out, Bits<2>>,
    pub mon_hsize: Signal<Out, Bits<3>>,
    pub mon_hwrite: Signal<Out, bool>,
    pub mon_hwdata: Signal<Out, Bits<32>>,
    pub mon_hrdata: Signal<Out, Bits<32>>,
    pub mon_hready: Signal<Out, bool>,
    pub mon_hresp: Signal<Out, bool>,
    pub mon_hprot: Signal<Out, Bits<4>>,
    pub mon_hburst: Signal<Out, Bits<3>>,
    /// The core's IRQ inputs (on-chip sources and `irq_ext`), for the lock-step ISS.
    pub mon_irq: Signal<Out, Bits<32>>,
    // The core's retirement trace.
    pub trc_retire: Signal<Out, bool>,
    pub trc_exc: Signal<Out, bool>,
    pub trc_excnum: Signal<Out, Bits<6>>,
    pub trc_pc: Signal<Out, Bits<32>>,
    pub trc_rf_we: Signal<Out, bool>,
    pub trc_rf_idx: Signal<Out, Bits<4>>,
    pub trc_rf_data: Signal<Out, Bits<32>>,
    pub trc_apsr: Signal<Out, Bits<4>>,
    pub trc_ipsr: Signal<Out, Bits<6>>,
    pub trc_control: Signal<Out, Bits<2>>,
    pub trc_primask: Signal<Out, bool>,
    /// The SHA engine's fatal alert (its integrity checks; README "Countermeasures").
    pub sha_alert: Signal<Out, bool>,

    /// Bridge slot 0 (4 KB) is the SHA-256 engine; the UART is slot 1.
    node: M0Node<12>,
    sha: Sha256Engine,
    ze_irq: ZeroExt<30, 32>,
    irq_sha_bit: Constant<Bits<32>>,
    master_id: Constant<Bits<4>>,
    zero256: Constant<Bits<256>>,
    zero4: Constant<Bits<4>>,
    zero8: Constant<Bits<8>>,
    irq: Signal<Local, Bits<32>>,
    sha_paddr: Signal<Local, Bits<12>>,
}

impl Default for M0Sys {
    fn default() -> Self {
        use super::regs;
        assert_eq!(regs::IRQ_EXT_FIRST, 2);
        assert_eq!(regs::SHA256_BASE, regs::APB_BASE, "SHA-256 is APB slot 0");
        assert_eq!(regs::UART_BASE, regs::APB_BASE + regs::APB_SLOT_SIZE, "the UART is APB slot 1");
        Self {
            clock: Default::default(),
            rst_n: Default::default(),
            ld_we: Default::default(),
            ld_addr: Default::default(),
            ld_data: Default::default(),
            irq_ext: Default::default(),
            NMI: Default::default(),
            RXEV: Default::default(),
            DBGRESTART: Default::default(),
            uart_tx: Default::default(),
            tx_valid: Default::default(),
            tx_byte: Default::default(),
            SLEEPING: Default::default(),
            SLEEPDEEP: Default::default(),
            LOCKUP: Default::default(),
            HALTED: Default::default(),
            SYSRESETREQ: Default::default(),
            TXEV: Default::default(),
            mon_haddr: Default::default(),
            mon_htrans: Default::default(),
            mon_hsize: Default::default(),
            mon_hwrite: Default::default(),
            mon_hwdata: Default::default(),
            mon_hrdata: Default::default(),
            mon_hready: Default::default(),
            mon_hresp: Default::default(),
            mon_hprot: Default::default(),
            mon_hburst: Default::default(),
            mon_irq: Default::default(),
            trc_retire: Default::default(),
            trc_exc: Default::default(),
            trc_excnum: Default::default(),
            trc_pc: Default::default(),
            trc_rf_we: Default::default(),
            trc_rf_idx: Default::default(),
            trc_rf_data: Default::default(),
            trc_apsr: Default::default(),
            trc_ipsr: Default::default(),
            trc_control: Default::default(),
            trc_primask: Default::default(),
            sha_alert: Default::default(),
            node: Default::default(),
            sha: Default::default(),
            ze_irq: Default::default(),
            irq_sha_bit: c(1 << regs::IRQ_SHA256),
            master_id: c(crate::common::masters::MASTER_SEC as u64),
            zero256: c(0),
            zero4: c(0),
            zero8: c(0),
            irq: Default::default(),
            sha_paddr: Default::default(),
        }
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    M0Sys;
    reset [node, sha]
    fn update(&mut self) {
        // Every APB transfer is the security core's.
        self.node.hmaster.next = self.master_id.val();

        // APB slot 0: SHA-256/HMAC. No fuses in this system: the sideload key is tied off.
        self.sha_paddr.next = self.node.paddr.val().get_bits::<12>(0);
        // Slot 0 is 4 KB here: the upper offset bits are 0 whenever psel is high; decoding them
        // anyway keeps the engine's window exact if the slot ever grows.
        self.sha.psel.next = self.node.psel.val() & (self.node.paddr.val().get_bits::<4>(12) == self.zero4.val());
        self.sha.penable.next = self.node.penable.val();
        self.sha.pwrite.next = self.node.pwrite.val();
        self.sha.paddr.next = self.sha_paddr.val();
        self.sha.pwdata.next = self.node.pwdata.val();
        self.sha.pstrb.next = self.node.pstrb.val();
        self.sha.pmaster.next = self.node.pmaster.val();
        self.sha.key_in.next = self.zero256.val();
        self.sha.key_valid.next = false;
        self.sha.key_par.next = self.zero8.val();
        // One master, no firewall: the owner never changes.
        self.sha.clear.next = false;
        // No alert handler here: the engine's own alarm still zeroizes it (it acts on it too).
        self.sha.esc.next = false;
        self.sha_alert.next = self.sha.alert_fatal.val();
        self.node.prdata.next = self.sha.prdata.val();
        self.node.pready.next = self.sha.pready.val();
        self.node.pslverr.next = self.sha.pslverr.val();

        // Loader and UART.
        self.node.ld_we.next = self.ld_we.val();
        self.node.ld_addr.next = self.ld_addr.val();
        self.node.ld_data.next = self.ld_data.val();
        self.uart_tx.next = self.node.uart_tx.val();
        self.tx_valid.next = self.node.tx_valid.val();
        self.tx_byte.next = self.node.tx_byte.val();

        // Interrupts: IRQ 0 SHA-256 done, IRQ 1 UART (added in the node), IRQ 2..31 external.
        self.ze_irq.a.next = self.irq_ext.val();
        self.irq.next = self.ze_irq.y.val() << 2;
        if self.sha.intr_done.val() {
            self.irq.next = (self.ze_irq.y.val() << 2) | self.irq_sha_bit.val();
        }
        self.node.irq.next = self.irq.val();
        self.node.NMI.next = self.NMI.val();
        self.node.RXEV.next = self.RXEV.val();
        self.node.DBGRESTART.next = self.DBGRESTART.val();
        self.SLEEPING.next = self.node.SLEEPING.val();
        self.SLEEPDEEP.next = self.node.SLEEPDEEP.val();
        self.LOCKUP.next = self.node.LOCKUP.val();
        self.HALTED.next = self.node.HALTED.val();
        self.SYSRESETREQ.next = self.node.SYSRESETREQ.val();
        self.TXEV.next = self.node.TXEV.val();

        // Monitor and retirement trace.
        self.mon_haddr.next = self.node.mon_haddr.val();
        self.mon_htrans.next = self.node.mon_htrans.val();
        self.mon_hsize.next = self.node.mon_hsize.val();
        self.mon_hwrite.next = self.node.mon_hwrite.val();
        self.mon_hwdata.next = self.node.mon_hwdata.val();
        self.mon_hrdata.next = self.node.mon_hrdata.val();
        self.mon_hready.next = self.node.mon_hready.val();
        self.mon_hresp.next = self.node.mon_hresp.val();
        self.mon_hprot.next = self.node.mon_hprot.val();
        self.mon_hburst.next = self.node.mon_hburst.val();
        self.mon_irq.next = self.node.mon_irq.val();
        self.trc_retire.next = self.node.trc_retire.val();
        self.trc_exc.next = self.node.trc_exc.val();
        self.trc_excnum.next = self.node.trc_excnum.val();
        self.trc_pc.next = self.node.trc_pc.val();
        self.trc_rf_we.next = self.node.trc_rf_we.val();
        self.trc_rf_idx.next = self.node.trc_rf_idx.val();
        self.trc_rf_data.next = self.node.trc_rf_data.val();
        self.trc_apsr.next = self.node.trc_apsr.val();
        self.trc_ipsr.next = self.node.trc_ipsr.val();
        self.trc_control.next = self.node.trc_control.val();
        self.trc_primask.next = self.node.trc_primask.val();
    }
}

impl crate::gen::TopBlock for M0Sys {
    fn connect_inputs(&mut self) {
        self.clock.connect();
        self.rst_n.connect();
        self.ld_we.connect();
        self.ld_addr.connect();
        self.ld_data.connect();
        self.irq_ext.connect();
        self.NMI.connect();
        self.RXEV.connect();
        self.DBGRESTART.connect();
    }
}
