//! Security subsystem top (`pluton_security`): one APB port in, the firewall deciding per window.

use crate::aes::AesEngineMasked;
use crate::common::prims::{PackBits8, PackWords8, ZeroExt};
use crate::drbg::Drbg;
use crate::firewall::Firewall;
use crate::otp::OtpCtrl;
use crate::p256::P256;
use crate::sha256::Sha256Engine;
use crate::trng::Trng;
use crate::wifi::WifiArbiter;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// The security subsystem: firewall, SHA-256/HMAC, OTP, Wi-Fi arbiter, P-256, TRNG, CTR_DRBG and AES behind one APB port.
    Security
    apb(16)
    ports {
        // Completer side of external windows 4 and 5 (word k-4 / bit k-4 for window k).
        ext_prdata: Signal<In, Bits<64>>,
        ext_pready: Signal<In, Bits<2>>,
        ext_pslverr: Signal<In, Bits<2>>,
        /// The TRNG's noise source: one raw bit per `noise_valid` (a ring-oscillator sampler on
        /// an FPGA, the bench's noise model in simulation).
        noise_bit: Signal<In, bool>,
        noise_valid: Signal<In, bool>,
        // Fuse tester port (manufacturing only; tie tst_en low in mission mode).
        tst_en: Signal<In, bool>,
        tst_we: Signal<In, bool>,
        tst_addr: Signal<In, Bits<6>>,
        tst_wdata: Signal<In, Bits<40>>,
        // Wi-Fi subsystem.
        wifi_cmd_ready: Signal<In, bool>,
        wifi_evt_valid: Signal<In, bool>,
        wifi_evt_data: Signal<In, Bits<32>>,
        // Requester side of external windows 4 and 5, one bus each (lane k-4 for window k), all
        // zero unless that window is selected.
        ext_psel: Signal<Out, Bits<2>>,
        ext_penable: Signal<Out, Bits<2>>,
        ext_pwrite: Signal<Out, Bits<2>>,
        ext_paddr: Signal<Out, Bits<24>>,
        ext_pwdata: Signal<Out, Bits<64>>,
        ext_pstrb: Signal<Out, Bits<8>>,
        ext_pmaster: Signal<Out, Bits<8>>,
        /// Bit j: the owner of window 4 + j changed at the last edge (a peripheral drops what
        /// it holds for the old owner, e.g. a FIFO's contents).
        ext_owner_chg: Signal<Out, Bits<2>>,
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
        /// The TRNG's health alarm; the DRBG's and the AES engine's STATUS.DONE.
        intr_trng_alarm: Signal<Out, bool>,
        intr_drbg_done: Signal<Out, bool>,
        intr_aes_done: Signal<Out, bool>,
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
    consts {
        sub_trng: 2 = crate::security::regs::SUB_TRNG as u64,
        sub_drbg: 2 = crate::security::regs::SUB_DRBG as u64,
        sub_aes: 2 = crate::security::regs::SUB_AES as u64,
        sub_none: 2 = 3,
    }
    fields {
        fw: Firewall,
        sha: Sha256Engine,
        otp: OtpCtrl,
        wifi: WifiArbiter,
        p256: P256,
        trng: Trng,
        drbg: Drbg,
        aes: AesEngineMasked,
        /// Window 6's lane, and its offset within a 1 KiB block.
        c_paddr: Signal<Local, Bits<12>>,
        c_off: ZeroExt<10, 12>,
        c_sub: Signal<Local, Bits<2>>,
        c_hole: Signal<Local, bool>,
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
    reset [fw, sha, otp, wifi, p256, trng, drbg, aes]
    fn update(&mut self) {
        // ---- Alerts. Escalation zeroizes every block and shuts every window until reset; each
        // source is sticky in its block, so the safe state holds.
        self.esc.next = self.fw.alert_fatal.val() | self.sha.alert_fatal.val() | self.otp.alert_fatal.val() | self.p256.alert_fatal.val()
            | self.trng.alert_fatal.val() | self.drbg.alert_fatal.val() | self.aes.alert_fatal.val();
        self.alert_fatal.next = self.esc.val();
        self.alert_recov.next = self.fw.alert_recov.val() | self.otp.alert_recov.val() | self.trng.alert_recov.val();
        self.fw.esc.next = self.esc.val();
        self.sha.esc.next = self.esc.val();
        self.otp.esc.next = self.esc.val();
        self.p256.esc.next = self.esc.val();
        self.trng.esc.next = self.esc.val();
        self.drbg.esc.next = self.esc.val();
        self.aes.esc.next = self.esc.val();

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

        // Windows 4 and 5 leave the subsystem.
        self.ext_psel.next = self.fw.m_psel.val().get_bits::<2>(4);
        self.ext_penable.next = self.fw.m_penable.val().get_bits::<2>(4);
        self.ext_pwrite.next = self.fw.m_pwrite.val().get_bits::<2>(4);
        self.ext_paddr.next = self.fw.m_paddr.val().get_bits::<24>(48);
        self.ext_pwdata.next = self.fw.m_pwdata.val().get_bits::<64>(128);
        self.ext_pstrb.next = self.fw.m_pstrb.val().get_bits::<8>(16);
        self.ext_pmaster.next = self.fw.m_pmaster.val().get_bits::<8>(16);
        self.ext_owner_chg.next = self.fw.owner_chg.val().get_bits::<2>(4);

        // Window 6: TRNG, CTR_DRBG and AES, 1 KiB each (paddr[11:10]); the last KiB answers
        // ERR. Each block sees its offset (paddr[9:0]) and only its own select, so the lane's
        // other fields may reach all three: a block ignores them without its select.
        self.c_paddr.next = self.fw.m_paddr.val().get_bits::<12>(72);
        self.c_sub.next = self.c_paddr.val().get_bits::<2>(10);
        self.c_off.a.next = self.c_paddr.val().get_bits::<10>(0);
        self.trng.psel.next = self.fw.m_psel.val().get_bit(6) & (self.c_sub.val() == self.sub_trng.val());
        self.drbg.psel.next = self.fw.m_psel.val().get_bit(6) & (self.c_sub.val() == self.sub_drbg.val());
        self.aes.psel.next = self.fw.m_psel.val().get_bit(6) & (self.c_sub.val() == self.sub_aes.val());
        self.c_hole.next = self.fw.m_psel.val().get_bit(6) & self.fw.m_penable.val().get_bit(6) & (self.c_sub.val() == self.sub_none.val());
        self.trng.penable.next = self.fw.m_penable.val().get_bit(6);
        self.trng.pwrite.next = self.fw.m_pwrite.val().get_bit(6);
        self.trng.paddr.next = self.c_off.y.val();
        self.trng.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(192);
        self.trng.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(24);
        self.trng.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(24);
        self.drbg.penable.next = self.fw.m_penable.val().get_bit(6);
        self.drbg.pwrite.next = self.fw.m_pwrite.val().get_bit(6);
        self.drbg.paddr.next = self.c_off.y.val();
        self.drbg.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(192);
        self.drbg.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(24);
        self.drbg.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(24);
        self.aes.penable.next = self.fw.m_penable.val().get_bit(6);
        self.aes.pwrite.next = self.fw.m_pwrite.val().get_bit(6);
        self.aes.paddr.next = self.c_off.y.val();
        self.aes.pwdata.next = self.fw.m_pwdata.val().get_bits::<32>(192);
        self.aes.pstrb.next = self.fw.m_pstrb.val().get_bits::<4>(24);
        self.aes.pmaster.next = self.fw.m_pmaster.val().get_bits::<4>(24);
        // Noise in; the raw tap only while the life cycle allows debug; seeds to the DRBG; DRBG
        // keys and fuse keys to AES, on sideload ports only. A new owner of the window gets no
        // key or mask seed of the old one's: the AES engine wipes and the DRBG's key port and mask
        // port empty. The DRBG's mask port seeds the masked AES engine's mask generator; the
        // engine's taking it empties the port, so a seed serves one operation.
        self.trng.noise_bit.next = self.noise_bit.val();
        self.trng.noise_valid.next = self.noise_valid.val();
        self.trng.raw_en.next = self.otp.debug_en.val();
        self.trng.seed_ready.next = self.drbg.seed_ready.val();
        self.drbg.seed_in.next = self.trng.seed.val();
        self.drbg.seed_valid.next = self.trng.seed_valid.val();
        self.drbg.key_clear.next = self.fw.owner_chg.val().get_bit(6);
        self.drbg.mask_clear.next = self.fw.owner_chg.val().get_bit(6) | self.aes.mask_seed_taken.val();
        self.aes.mask_seed.next = self.drbg.mask_out.val();
        self.aes.mask_seed_valid.next = self.drbg.mask_valid.val();
        self.aes.key_drbg.next = self.drbg.key_out.val();
        self.aes.key_drbg_valid.next = self.drbg.key_valid.val();
        self.aes.key_otp.next = self.otp.key_out.val();
        self.aes.key_otp_valid.next = self.otp.key_valid.val();
        self.aes.clear.next = self.fw.owner_chg.val().get_bit(6);
        self.intr_trng_alarm.next = self.trng.intr_alarm.val();
        self.intr_drbg_done.next = self.drbg.intr_done.val();
        self.intr_aes_done.next = self.aes.intr_done.val();

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
        // Nonces and key seeds from the DRBG's scalar port: one value per SIGN or KEYGEN (the
        // engine's take empties it), and a new owner of either window finds it empty.
        self.p256.k_in.next = self.drbg.scalar_out.val();
        self.p256.k_valid.next = self.drbg.scalar_valid.val();
        self.drbg.scalar_clear.next = self.p256.k_taken.val() | self.fw.owner_chg.val().get_bit(6) | self.fw.owner_chg.val().get_bit(7);
        self.intr_p256_done.next = self.p256.intr_done.val();

        // Completer responses back into the firewall, window k in slot k.
        self.pack_prdata.w0.next = self.sha.prdata.val();
        self.pack_prdata.w1.next = self.otp.prdata.val();
        self.pack_prdata.w2.next = self.wifi.prdata.val();
        self.pack_prdata.w3.next = self.wifi.prdata.val();
        self.pack_prdata.w4.next = self.ext_prdata.val().get_bits::<32>(0);
        self.pack_prdata.w5.next = self.ext_prdata.val().get_bits::<32>(32);
        self.pack_prdata.w6.next = self.trng.prdata.val() | self.drbg.prdata.val() | self.aes.prdata.val();
        self.pack_prdata.w7.next = self.p256.prdata.val();
        self.fw.m_prdata.next = self.pack_prdata.y.val();
        self.pack_pready.b0.next = self.sha.pready.val();
        self.pack_pready.b1.next = self.otp.pready.val();
        self.pack_pready.b2.next = self.wifi.pready.val();
        self.pack_pready.b3.next = self.wifi.pready.val();
        self.pack_pready.b4.next = self.ext_pready.val().get_bit(0);
        self.pack_pready.b5.next = self.ext_pready.val().get_bit(1);
        // The three blocks never wait, nor does the hole.
        self.pack_pready.b6.next = self.trng.pready.val() & self.drbg.pready.val() & self.aes.pready.val();
        self.pack_pready.b7.next = self.p256.pready.val();
        self.fw.m_pready.next = self.pack_pready.y.val();
        self.pack_pslverr.b0.next = self.sha.pslverr.val();
        self.pack_pslverr.b1.next = self.otp.pslverr.val();
        self.pack_pslverr.b2.next = self.wifi.pslverr.val();
        self.pack_pslverr.b3.next = self.wifi.pslverr.val();
        self.pack_pslverr.b4.next = self.ext_pslverr.val().get_bit(0);
        self.pack_pslverr.b5.next = self.ext_pslverr.val().get_bit(1);
        self.pack_pslverr.b6.next = self.trng.pslverr.val() | self.drbg.pslverr.val() | self.aes.pslverr.val() | self.c_hole.val();
        self.pack_pslverr.b7.next = self.p256.pslverr.val();
        self.fw.m_pslverr.next = self.pack_pslverr.y.val();
    }
}
