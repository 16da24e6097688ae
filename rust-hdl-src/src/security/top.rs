//! Security subsystem top (`pluton_security`): one APB port in, the firewall deciding per window.

use crate::common::prims::{PackBits8, PackWords8};
use crate::firewall::Firewall;
use crate::otp::OtpCtrl;
use crate::p256::P256;
use crate::sha256::Sha256Engine;
use crate::wifi::WifiArbiter;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// The security subsystem: firewall, SHA-256/HMAC, OTP, Wi-Fi arbiter and P-256 behind one APB port.
    Security
    apb(16)
    ports {
        // Completer side of external windows 4..6 (word k-4 / bit k-4 for window k).
        ext_prdata: Signal<In, Bits<96>>,
        ext_pready: Signal<In, Bits<3>>,
        ext_pslverr: Signal<In, Bits<3>>,
        // Fuse tester port (manufacturing only; tie tst_en low in mission mode).
        tst_en: Signal<In, bool>,
        tst_we: Signal<In, bool>,
        tst_addr: Signal<In, Bits<6>>,
        tst_wdata: Signal<In, Bits<40>>,
        // Wi-Fi subsystem.
        wifi_cmd_ready: Signal<In, bool>,
        wifi_evt_valid: Signal<In, bool>,
        wifi_evt_data: Signal<In, Bits<32>>,
        // Requester side of external windows 4..6, one bus each (lane k-4 for window k), all
        // zero unless that window is selected.
        ext_psel: Signal<Out, Bits<3>>,
        ext_penable: Signal<Out, Bits<3>>,
        ext_pwrite: Signal<Out, Bits<3>>,
        ext_paddr: Signal<Out, Bits<36>>,
        ext_pwdata: Signal<Out, Bits<96>>,
        ext_pstrb: Signal<Out, Bits<12>>,
        ext_pmaster: Signal<Out, Bits<12>>,
        /// Bit j: the owner of window 4 + j changed at the last edge (a peripheral drops what
        /// it holds for the old owner, e.g. a FIFO's contents).
        ext_owner_chg: Signal<Out, Bits<3>>,
        wifi_cmd_valid: Signal<Out, bool>,
        wifi_cmd_op: Signal<Out, Bits<8>>,
        wifi_cmd_arg0: Signal<Out, Bits<32>>,
        wifi_cmd_arg1: Signal<Out, Bits<32>>,
        wifi_cmd_seq: Signal<Out, Bits<8>>,
        wifi_evt_ready: Signal<Out, bool>,
        intr_viol: Signal<Out, bool>,
        /// The firewall's LOCK.LOCKED.
        fw_locked: Signal<Out, bool>,
        intr_sha_done: Signal<Out, bool>,
        /// The P-256 engine's STATUS.DONE.
        intr_p256_done: Signal<Out, bool>,
        intr_wifi_sec: Signal<Out, bool>,
        intr_wifi_app: Signal<Out, bool>,
        lc_state: Signal<Out, Bits<3>>,
        debug_en: Signal<Out, bool>,
        svn: Signal<Out, Bits<5>>,
        fatal: Signal<Out, bool>,
        tst_busy: Signal<Out, bool>,
        /// Fatal alert: a block's integrity check failed. Held until reset; while it is high the
        /// subsystem is in its safe state (README "Countermeasures").
        alert_fatal: Signal<Out, bool>,
        /// Recoverable alert: one cycle per refused transfer or corrected fuse bit error.
        alert_recov: Signal<Out, bool>,
    }
    consts {}
    fields {
        fw: Firewall,
        sha: Sha256Engine,
        otp: OtpCtrl,
        wifi: WifiArbiter,
        p256: P256,
        pack_prdata: PackWords8,
        pack_pready: PackBits8,
        pack_pslverr: PackBits8,
        /// The fatal alert, fed back to every block as `esc`.
        esc: Signal<Local, bool>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    Security;
    reset [fw, sha, otp, wifi, p256]
    fn update(&mut self) {
        // ---- Alerts. Escalation zeroizes every block and shuts every window until reset; each
        // source is sticky in its block, so the safe state holds.
        self.esc.next = self.fw.alert_fatal.val() | self.sha.alert_fatal.val() | self.otp.alert_fatal.val() | self.p256.alert_fatal.val();
        self.alert_fatal.next = self.esc.val();
        self.alert_recov.next = self.fw.alert_recov.val() | self.otp.alert_recov.val();
        self.fw.esc.next = self.esc.val();
        self.sha.esc.next = self.esc.val();
        self.otp.esc.next = self.esc.val();
        self.p256.esc.next = self.esc.val();

        // Every transfer goes through the firewall.
        self.fw.psel.next = self.psel.val();
        self.fw.penable.next = self.penable.val();
        self.fw.pwrite.next = self.pwrite.val();
        self.fw.paddr.next = self.paddr.val();
        self.fw.pwdata.next = self.pwdata.val();
        self.fw.pstrb.next = self.pstrb.val();
        self.fw.pmaster.next = self.pmaster.val();
        self.prdata.next = self.fw.prdata.val();
        self.pready.next = self.fw.pready.val();
        self.pslverr.next = self.fw.pslverr.val();
        self.intr_viol.next = self.fw.intr_viol.val();
        self.fw_locked.next = self.fw.locked_o.val();

        // Window 0: SHA-256/HMAC. Its sideload key comes only from the fuses.
        self.sha.psel.next = self.fw.m_psel.val().get_bit(0);
        self.sha.penable.next = self.fw.m_penable.val().get_bit(0);
        self.sha.pwrite.next = self.fw.m_pwrite.val().get_bit(0);
        self.sha.paddr.next = self.fw.m_paddr.val().get_bits::<12>(0);
        self.sha.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(0);
        self.sha.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(0);
        self.sha.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(0);
        self.sha.key_in.next = self.otp.key_out.val();
        self.sha.key_valid.next = self.otp.key_valid.val();
        self.sha.key_par.next = self.otp.key_par.val();
        // A new owner of window 0 gets nothing of the old owner's: the engine aborts, wipes KEY
        // and forgets the starter.
        self.sha.clear.next = self.fw.owner_chg.val().get_bit(0);
        self.intr_sha_done.next = self.sha.intr_done.val();

        // Window 1: key fuses.
        self.otp.psel.next = self.fw.m_psel.val().get_bit(1);
        self.otp.penable.next = self.fw.m_penable.val().get_bit(1);
        self.otp.pwrite.next = self.fw.m_pwrite.val().get_bit(1);
        self.otp.paddr.next = self.fw.m_paddr.val().get_bits::<12>(12);
        self.otp.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(32);
        self.otp.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(4);
        self.otp.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(4);
        self.otp.tst_en.next = self.tst_en.val();
        self.otp.tst_we.next = self.tst_we.val();
        self.otp.tst_addr.next = self.tst_addr.val();
        self.otp.tst_wdata.next = self.tst_wdata.val();
        self.lc_state.next = self.otp.lc_state.val();
        self.debug_en.next = self.otp.debug_en.val();
        self.svn.next = self.otp.svn.val();
        self.fatal.next = self.otp.fatal.val();
        self.tst_busy.next = self.otp.tst_busy.val();

        // Windows 2 (mailbox side) and 3 (control side): the Wi-Fi arbiter.
        self.wifi.psel.next = self.fw.m_psel.val().get_bit(2) | self.fw.m_psel.val().get_bit(3);
        // Lanes 2 and 3 are never both non-zero (one window at a time), so OR joins them.
        self.wifi.penable.next = self.fw.m_penable.val().get_bit(2) | self.fw.m_penable.val().get_bit(3);
        self.wifi.pwrite.next = self.fw.m_pwrite.val().get_bit(2) | self.fw.m_pwrite.val().get_bit(3);
        self.wifi.paddr.next = self.fw.m_paddr.val().get_bits::<12>(24) | self.fw.m_paddr.val().get_bits::<12>(36);
        self.wifi.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(64) | self.fw.m_pwdata.val().get_bits::<32>(96);
        self.wifi.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(8) | self.fw.m_pstrb.val().get_bits::<4>(12);
        self.wifi.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(8) | self.fw.m_pmaster.val().get_bits::<4>(12);
        self.wifi.wifi_cmd_ready.next = self.wifi_cmd_ready.val();
        self.wifi.wifi_evt_valid.next = self.wifi_evt_valid.val();
        self.wifi.wifi_evt_data.next = self.wifi_evt_data.val();
        self.wifi_cmd_valid.next = self.wifi.wifi_cmd_valid.val();
        self.wifi_cmd_op.next = self.wifi.wifi_cmd_op.val();
        self.wifi_cmd_arg0.next = self.wifi.wifi_cmd_arg0.val();
        self.wifi_cmd_arg1.next = self.wifi.wifi_cmd_arg1.val();
        self.wifi_cmd_seq.next = self.wifi.wifi_cmd_seq.val();
        self.wifi_evt_ready.next = self.wifi.wifi_evt_ready.val();
        self.intr_wifi_sec.next = self.wifi.intr_sec.val();
        self.intr_wifi_app.next = self.wifi.intr_app.val();

        // Windows 4..6 leave the subsystem.
        self.ext_psel.next = self.fw.m_psel.val().get_bits::<3>(4);
        self.ext_penable.next = self.fw.m_penable.val().get_bits::<3>(4);
        self.ext_pwrite.next = self.fw.m_pwrite.val().get_bits::<3>(4);
        self.ext_paddr.next = self.fw.m_paddr.val().get_bits::<36>(48);
        self.ext_pwdata.next = self.fw.m_pwdata.val().get_bits::<96>(128);
        self.ext_pstrb.next = self.fw.m_pstrb.val().get_bits::<12>(16);
        self.ext_pmaster.next = self.fw.m_pmaster.val().get_bits::<12>(16);
        self.ext_owner_chg.next = self.fw.owner_chg.val().get_bits::<3>(4);

        // Window 7: the P-256 engine. HASH can come straight from the SHA engine's digest port
        // (a plain SHA-256 digest with its starter, never an HMAC tag); a new owner of the
        // window gets nothing of the old one's, d included.
        self.p256.psel.next = self.fw.m_psel.val().get_bit(7);
        self.p256.penable.next = self.fw.m_penable.val().get_bit(7);
        self.p256.pwrite.next = self.fw.m_pwrite.val().get_bit(7);
        self.p256.paddr.next = self.fw.m_paddr.val().get_bits::<12>(84);
        self.p256.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(224);
        self.p256.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(28);
        self.p256.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(28);
        self.p256.clear.next = self.fw.owner_chg.val().get_bit(7);
        self.p256.hash_in.next = self.sha.digest_out.val();
        self.p256.hash_valid.next = self.sha.digest_valid.val();
        self.p256.hash_master.next = self.sha.digest_master.val();
        self.intr_p256_done.next = self.p256.intr_done.val();

        // Completer responses back into the firewall, window k in slot k.
        self.pack_prdata.w0.next = self.sha.prdata.val();
        self.pack_prdata.w1.next = self.otp.prdata.val();
        self.pack_prdata.w2.next = self.wifi.prdata.val();
        self.pack_prdata.w3.next = self.wifi.prdata.val();
        self.pack_prdata.w4.next = self.ext_prdata.val().get_bits::<32>(0);
        self.pack_prdata.w5.next = self.ext_prdata.val().get_bits::<32>(32);
        self.pack_prdata.w6.next = self.ext_prdata.val().get_bits::<32>(64);
        self.pack_prdata.w7.next = self.p256.prdata.val();
        self.fw.m_prdata.next = self.pack_prdata.y.val();
        self.pack_pready.b0.next = self.sha.pready.val();
        self.pack_pready.b1.next = self.otp.pready.val();
        self.pack_pready.b2.next = self.wifi.pready.val();
        self.pack_pready.b3.next = self.wifi.pready.val();
        self.pack_pready.b4.next = self.ext_pready.val().get_bit(0);
        self.pack_pready.b5.next = self.ext_pready.val().get_bit(1);
        self.pack_pready.b6.next = self.ext_pready.val().get_bit(2);
        self.pack_pready.b7.next = self.p256.pready.val();
        self.fw.m_pready.next = self.pack_pready.y.val();
        self.pack_pslverr.b0.next = self.sha.pslverr.val();
        self.pack_pslverr.b1.next = self.otp.pslverr.val();
        self.pack_pslverr.b2.next = self.wifi.pslverr.val();
        self.pack_pslverr.b3.next = self.wifi.pslverr.val();
        self.pack_pslverr.b4.next = self.ext_pslverr.val().get_bit(0);
        self.pack_pslverr.b5.next = self.ext_pslverr.val().get_bit(1);
        self.pack_pslverr.b6.next = self.ext_pslverr.val().get_bit(2);
        self.pack_pslverr.b7.next = self.p256.pslverr.val();
        self.fw.m_pslverr.next = self.pack_pslverr.y.val();
    }
}
