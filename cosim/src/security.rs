//! Model of the security subsystem top (`pluton_security`): the block models wired as its README says.

use crate::compose::{Composite, Or2};
use crate::{AesModel, DrbgModel, FirewallModel, OtpModel, P256Model, Sha256Model, TrngModel, WifiModel};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::security::regs as map;

/// Top-level ports, in the order of the README's table.
const PORTS: &[(&str, Dir, u32)] = &[
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 16),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("ext_prdata", Dir::In, 64),
    ("ext_pready", Dir::In, 2),
    ("ext_pslverr", Dir::In, 2),
    ("noise_bit", Dir::In, 1),
    ("noise_valid", Dir::In, 1),
    ("tst_en", Dir::In, 1),
    ("tst_we", Dir::In, 1),
    ("tst_addr", Dir::In, 6),
    ("tst_wdata", Dir::In, 40),
    ("wifi_cmd_ready", Dir::In, 1),
    ("wifi_evt_valid", Dir::In, 1),
    ("wifi_evt_data", Dir::In, 32),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("ext_psel", Dir::Out, 2),
    ("ext_penable", Dir::Out, 2),
    ("ext_pwrite", Dir::Out, 2),
    ("ext_paddr", Dir::Out, 24),
    ("ext_pwdata", Dir::Out, 64),
    ("ext_pstrb", Dir::Out, 8),
    ("ext_pmaster", Dir::Out, 8),
    ("ext_owner_chg", Dir::Out, 2),
    ("wifi_cmd_valid", Dir::Out, 1),
    ("wifi_cmd_op", Dir::Out, 8),
    ("wifi_cmd_arg0", Dir::Out, 32),
    ("wifi_cmd_arg1", Dir::Out, 32),
    ("wifi_cmd_seq", Dir::Out, 8),
    ("wifi_evt_ready", Dir::Out, 1),
    ("intr_viol", Dir::Out, 1),
    ("fw_locked", Dir::Out, 1),
    ("intr_sha_done", Dir::Out, 1),
    ("intr_p256_done", Dir::Out, 1),
    ("intr_trng_alarm", Dir::Out, 1),
    ("intr_drbg_done", Dir::Out, 1),
    ("intr_aes_done", Dir::Out, 1),
    ("intr_wifi_sec", Dir::Out, 1),
    ("intr_wifi_app", Dir::Out, 1),
    ("lc_state", Dir::Out, 3),
    ("debug_en", Dir::Out, 1),
    ("svn", Dir::Out, 5),
    ("fatal", Dir::Out, 1),
    ("tst_busy", Dir::Out, 1),
    ("alert_fatal", Dir::Out, 1),
    ("alert_recov", Dir::Out, 1),
];

/// Which firewall window each block answers in: the subsystem's address map (`regs.rs`).
const WIN_SHA256: usize = map::WIN_SHA256 as usize;
const WIN_OTP: usize = map::WIN_OTP as usize;
const WIN_WIFI_APP: usize = map::WIN_WIFI_APP as usize;
const WIN_WIFI_SEC: usize = map::WIN_WIFI_SEC as usize;
const WIN_EXT_FIRST: usize = map::WIN_EXT_FIRST as usize;
/// External windows, one `ext_*` lane each.
const NUM_EXT: usize = map::NUM_EXT as usize;
const WIN_P256: usize = map::WIN_P256 as usize;
const WIN_CRYPTO: usize = map::WIN_CRYPTO as usize;

/// Window 6's split into its three 1 KiB blocks (README "Address map"): each block's select is
/// the lane's select for its `paddr[11:10]`, each sees the offset `paddr[9:0]`; the responses
/// OR together (only the selected block drives them) and the fourth KiB answers ERR.
struct CryptoDecode {
    ports: Vec<Port>,
    psel: u32,
    penable: u32,
    paddr: u32,
    prdata: [u32; 3],
    pslverr: [u32; 3],
}

impl CryptoDecode {
    const IN: [&'static str; 9] = ["psel", "penable", "paddr", "prdata0", "prdata1", "prdata2", "pslverr0", "pslverr1", "pslverr2"];
    fn new() -> Self {
        let port = |n: &str, dir, width| Port { name: n.into(), dir, width };
        let mut ports: Vec<Port> = Self::IN.iter().map(|n| port(n, Dir::In, if n == &"paddr" { 12 } else if n.starts_with("prdata") { 32 } else { 1 })).collect();
        for (n, w) in [("psel0", 1), ("psel1", 1), ("psel2", 1), ("offset", 12), ("prdata", 32), ("pready", 1), ("pslverr", 1)] {
            ports.push(port(n, Dir::Out, w));
        }
        CryptoDecode { ports, psel: 0, penable: 0, paddr: 0, prdata: [0; 3], pslverr: [0; 3] }
    }
}

impl Dut for CryptoDecode {
    fn name(&self) -> &str {
        "crypto_decode"
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        match port {
            0 => self.psel = value[0] & 1,
            1 => self.penable = value[0] & 1,
            2 => self.paddr = value[0] & 0xfff,
            3..=5 => self.prdata[port - 3] = value[0],
            6..=8 => self.pslverr[port - 6] = value[0] & 1,
            _ => {}
        }
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        let sub = (self.paddr >> 10) as usize;
        value[0] = match port {
            9..=11 => self.psel & (sub == port - 9) as u32,
            12 => self.paddr & (map::CRYPTO_SUB_SIZE - 1),
            13 => self.prdata.iter().fold(0, |a, b| a | b),
            14 => 1,
            15 => self.pslverr.iter().fold(0, |a, b| a | b) | (self.psel & self.penable & (sub == 3) as u32),
            _ => 0,
        };
    }
    fn step(&mut self) {}
}

/// The subsystem model: a `Composite` of the firewall, SHA-256, OTP, Wi-Fi arbiter, P-256, TRNG, DRBG and AES models.
pub fn security_model() -> Composite {
    let ports = PORTS.iter().map(|&(name, dir, width)| Port { name: name.into(), dir, width }).collect();
    let mut top = Composite::new("pluton_security", ports);
    let fw = top.part(Box::new(FirewallModel::new()));
    let sha = top.part(Box::new(Sha256Model::new()));
    let otp = top.part(Box::new(OtpModel::new()));
    let wifi = top.part(Box::new(WifiModel::new()));
    let p256 = top.part(Box::new(P256Model::new()));
    let trng = top.part(Box::new(TrngModel::new()));
    let drbg = top.part(Box::new(DrbgModel::new()));
    let aes = top.part(Box::new(AesModel::masked()));
    let dec = top.part(Box::new(CryptoDecode::new()));

    for part in [fw, sha, otp, wifi, p256, trng, drbg, aes] {
        top.wire_top("rst_n", part, "rst_n");
    }
    for p in ["psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster"] {
        top.wire_top(p, fw, p);
    }
    for p in ["prdata", "pready", "pslverr", "intr_viol"] {
        top.wire_top(p, fw, p);
    }
    top.wire_top("fw_locked", fw, "locked_o");

    // The downstream buses: window k's lane of each field (width w at bit w * k) goes to window
    // k's completer; the arbiter answers in windows 2 and 3, whose lanes are joined by an OR.
    const FIELDS: [(&str, &str, usize); 6] = [("m_penable", "penable", 1), ("m_pwrite", "pwrite", 1), ("m_paddr", "paddr", 12), ("m_pwdata", "pwdata", 32), ("m_pstrb", "pstrb", 4), ("m_pmaster", "pmaster", 4)];
    for (from, to, w) in FIELDS {
        top.wire(Some(fw), from, w * WIN_SHA256, Some(sha), to, 0, w);
        top.wire(Some(fw), from, w * WIN_OTP, Some(otp), to, 0, w);
        let join = top.part(Box::new(Or2::new(w as u32)));
        top.wire(Some(fw), from, w * WIN_WIFI_APP, Some(join), "a", 0, w);
        top.wire(Some(fw), from, w * WIN_WIFI_SEC, Some(join), "b", 0, w);
        top.connect(join, "y", wifi, to);
        top.wire(Some(fw), from, w * WIN_EXT_FIRST, None, &format!("ext_{to}"), 0, NUM_EXT * w);
        top.wire(Some(fw), from, w * WIN_P256, Some(p256), to, 0, w);
        if to != "paddr" {
            for part in [trng, drbg, aes] {
                top.wire(Some(fw), from, w * WIN_CRYPTO, Some(part), to, 0, w);
            }
        }
    }
    top.wire(Some(fw), "m_psel", WIN_CRYPTO, Some(dec), "psel", 0, 1);
    top.wire(Some(fw), "m_penable", WIN_CRYPTO, Some(dec), "penable", 0, 1);
    top.wire(Some(fw), "m_paddr", 12 * WIN_CRYPTO, Some(dec), "paddr", 0, 12);
    for (k, part) in [trng, drbg, aes].into_iter().enumerate() {
        top.connect(dec, &format!("psel{k}"), part, "psel");
        top.connect(dec, "offset", part, "paddr");
        top.connect(part, "prdata", dec, &format!("prdata{k}"));
        top.connect(part, "pslverr", dec, &format!("pslverr{k}"));
    }
    top.wire(Some(dec), "prdata", 0, Some(fw), "m_prdata", 32 * WIN_CRYPTO, 32);
    top.wire(Some(dec), "pready", 0, Some(fw), "m_pready", WIN_CRYPTO, 1);
    top.wire(Some(dec), "pslverr", 0, Some(fw), "m_pslverr", WIN_CRYPTO, 1);
    top.wire(Some(fw), "m_psel", WIN_SHA256, Some(sha), "psel", 0, 1);
    top.wire(Some(fw), "m_psel", WIN_OTP, Some(otp), "psel", 0, 1);
    let wifi_sel = top.part(Box::new(Or2::default()));
    top.wire(Some(fw), "m_psel", WIN_WIFI_APP, Some(wifi_sel), "a", 0, 1);
    top.wire(Some(fw), "m_psel", WIN_WIFI_SEC, Some(wifi_sel), "b", 0, 1);
    top.connect(wifi_sel, "y", wifi, "psel");
    top.wire(Some(fw), "m_psel", WIN_EXT_FIRST, None, "ext_psel", 0, NUM_EXT);
    top.wire(Some(fw), "m_psel", WIN_P256, Some(p256), "psel", 0, 1);
    // Responses: window k's completer in slot k.
    for (win, part) in [(WIN_SHA256, sha), (WIN_OTP, otp), (WIN_WIFI_APP, wifi), (WIN_WIFI_SEC, wifi), (WIN_P256, p256)] {
        top.wire(Some(part), "prdata", 0, Some(fw), "m_prdata", 32 * win, 32);
        top.wire(Some(part), "pready", 0, Some(fw), "m_pready", win, 1);
        top.wire(Some(part), "pslverr", 0, Some(fw), "m_pslverr", win, 1);
    }
    top.wire(None, "ext_prdata", 0, Some(fw), "m_prdata", 32 * WIN_EXT_FIRST, 32 * NUM_EXT);
    top.wire(None, "ext_pready", 0, Some(fw), "m_pready", WIN_EXT_FIRST, NUM_EXT);
    top.wire(None, "ext_pslverr", 0, Some(fw), "m_pslverr", WIN_EXT_FIRST, NUM_EXT);

    // Fuse keys reach the HMAC engine only on the sideload port.
    top.connect(otp, "key_out", sha, "key_in");
    top.connect(otp, "key_valid", sha, "key_valid");
    // A change of window 0's owner clears the engine; windows 4..6's leave on `ext_owner_chg`.
    top.wire(Some(fw), "owner_chg", WIN_SHA256, Some(sha), "clear", 0, 1);
    top.wire(Some(fw), "owner_chg", WIN_EXT_FIRST, None, "ext_owner_chg", 0, NUM_EXT);
    top.wire_top("intr_sha_done", sha, "intr_done");
    // P-256: a change of owner wipes it; HASH may come from the SHA engine's digest port, and k
    // or KEYGEN's seed from the DRBG's scalar port, which empties when the engine takes it or
    // when window 6 or 7 changes owner (neither new owner may use the old one's value).
    top.wire(Some(fw), "owner_chg", WIN_P256, Some(p256), "clear", 0, 1);
    top.connect(sha, "digest_out", p256, "hash_in");
    top.connect(sha, "digest_valid", p256, "hash_valid");
    top.connect(sha, "digest_master", p256, "hash_master");
    top.connect(drbg, "scalar_out", p256, "k_in");
    top.connect(drbg, "scalar_valid", p256, "k_valid");
    let owner_6_7 = top.part(Box::new(Or2::default()));
    top.wire(Some(fw), "owner_chg", WIN_CRYPTO, Some(owner_6_7), "a", 0, 1);
    top.wire(Some(fw), "owner_chg", WIN_P256, Some(owner_6_7), "b", 0, 1);
    let scalar_clear = top.part(Box::new(Or2::default()));
    top.connect(owner_6_7, "y", scalar_clear, "a");
    top.connect(p256, "k_taken", scalar_clear, "b");
    top.connect(scalar_clear, "y", drbg, "scalar_clear");
    top.wire_top("intr_p256_done", p256, "intr_done");
    // Window 6: noise in; the raw tap while the life cycle allows debug; seeds to the DRBG; DRBG
    // keys and fuse keys to AES on sideload ports; a change of owner wipes AES and empties the
    // DRBG's three sideload ports (the scalar port above); the DRBG's mask port seeds the masked
    // AES engine, whose taking a seed empties the port.
    top.wire_top("noise_bit", trng, "noise_bit");
    top.wire_top("noise_valid", trng, "noise_valid");
    top.connect(otp, "debug_en", trng, "raw_en");
    top.connect(drbg, "seed_ready", trng, "seed_ready");
    top.connect(trng, "seed", drbg, "seed_in");
    top.connect(trng, "seed_valid", drbg, "seed_valid");
    top.wire(Some(fw), "owner_chg", WIN_CRYPTO, Some(drbg), "key_clear", 0, 1);
    let mask_clear = top.part(Box::new(Or2::default()));
    top.wire(Some(fw), "owner_chg", WIN_CRYPTO, Some(mask_clear), "a", 0, 1);
    top.connect(aes, "mask_seed_taken", mask_clear, "b");
    top.connect(mask_clear, "y", drbg, "mask_clear");
    top.connect(drbg, "mask_out", aes, "mask_seed");
    top.connect(drbg, "mask_valid", aes, "mask_seed_valid");
    top.wire(Some(fw), "owner_chg", WIN_CRYPTO, Some(aes), "clear", 0, 1);
    top.connect(drbg, "key_out", aes, "key_drbg");
    top.connect(drbg, "key_valid", aes, "key_drbg_valid");
    top.connect(otp, "key_out", aes, "key_otp");
    top.connect(otp, "key_valid", aes, "key_otp_valid");
    top.wire_top("intr_trng_alarm", trng, "intr_alarm");
    top.wire_top("intr_drbg_done", drbg, "intr_done");
    top.wire_top("intr_aes_done", aes, "intr_done");
    for p in ["tst_en", "tst_we", "tst_addr", "tst_wdata", "lc_state", "debug_en", "svn", "fatal", "tst_busy"] {
        top.wire_top(p, otp, p);
    }
    for p in ["wifi_cmd_ready", "wifi_evt_valid", "wifi_evt_data", "wifi_cmd_valid", "wifi_cmd_op", "wifi_cmd_arg0", "wifi_cmd_arg1", "wifi_cmd_seq", "wifi_evt_ready"] {
        top.wire_top(p, wifi, p);
    }
    top.wire_top("intr_wifi_sec", wifi, "intr_sec");
    top.wire_top("intr_wifi_app", wifi, "intr_app");

    // Alerts. The key port's parity travels with the key, so the engine can check the path.
    top.connect(otp, "key_par", sha, "key_par");
    // alert_fatal = the seven blocks' alert_fatal ORed; alert_recov = the firewall's, OTP's and
    // the TRNG's.
    let fatal = or_tree(&mut top, &[(fw, "alert_fatal"), (sha, "alert_fatal"), (otp, "alert_fatal"), (p256, "alert_fatal"), (trng, "alert_fatal"), (drbg, "alert_fatal"), (aes, "alert_fatal")]);
    top.wire(Some(fatal), "y", 0, None, "alert_fatal", 0, 1);
    // Escalation: the fatal alert goes back to every block's `esc`. No combinational loop:
    // each block's alert_fatal is a flop (or 0), never a function of its `esc`.
    for part in [fw, sha, otp, p256, trng, drbg, aes] {
        top.connect(fatal, "y", part, "esc");
    }
    let recov = or_tree(&mut top, &[(fw, "alert_recov"), (otp, "alert_recov"), (trng, "alert_recov")]);
    top.wire(Some(recov), "y", 0, None, "alert_recov", 0, 1);
    top
}

/// An OR of one-bit outputs, as a chain of `Or2` parts; returns the part whose `y` is the OR.
fn or_tree(top: &mut Composite, ins: &[(usize, &str)]) -> usize {
    let mut acc = top.part(Box::new(Or2::default()));
    top.connect(ins[0].0, ins[0].1, acc, "a");
    top.connect(ins[1].0, ins[1].1, acc, "b");
    for &(part, port) in &ins[2..] {
        let next = top.part(Box::new(Or2::default()));
        top.connect(acc, "y", next, "a");
        top.connect(part, port, next, "b");
        acc = next;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use pluton_bindings::dut::Dut;

    #[test]
    fn every_input_and_output_is_driven_once() {
        security_model().check_wiring().unwrap();
    }

    #[test]
    fn a_denied_transfer_raises_alert_recov_and_nothing_is_fatal() {
        let mut top = security_model();
        let id = |top: &Composite, n: &str| top.port_id(n).unwrap_or_else(|| panic!("no port {n}"));
        let (rst_n, psel, penable, paddr, pslverr) = (id(&top, "rst_n"), id(&top, "psel"), id(&top, "penable"), id(&top, "paddr"), id(&top, "pslverr"));
        let (fatal, recov) = (id(&top, "alert_fatal"), id(&top, "alert_recov"));
        top.poke_u32(rst_n, 0);
        top.step();
        top.poke_u32(rst_n, 1);
        // An unmapped window: denied by the firewall at the access phase's edge.
        top.poke_u32(psel, 1);
        top.poke_u32(paddr, 0xF_000);
        top.step();
        top.poke_u32(penable, 1);
        assert_eq!((top.peek_u32(pslverr), top.peek_u32(recov)), (1, 0));
        top.step();
        top.poke_u32(psel, 0);
        top.poke_u32(penable, 0);
        assert_eq!((top.peek_u32(recov), top.peek_u32(fatal)), (1, 0));
        top.step();
        assert_eq!((top.peek_u32(recov), top.peek_u32(fatal)), (0, 0));
    }
}
