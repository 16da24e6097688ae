//! Security subsystem test bench: boot from fuses, key derivation on the sideload path, isolation by the firewall, the Wi-Fi mailbox, and random traffic from every core, all under a key-leak scan.

use crate::leak::LeakScan;
use crate::regression::{Case, Ctx, TestFuture};
use crate::vectors::to_hex;
use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::apb_agents::{ApbCompleter, ApbMonitor, CompleterMode};
use pluton_bindings::Tb;
use pluton_cosim::fuse_image::{FuseImage, LifeCycle};
use pluton_hdl::firewall::regs as fw;
use pluton_hdl::otp::{fusemap, regs as otp};
use pluton_hdl::security::regs::{self as map, WINDOW_SIZE};
use pluton_hdl::sha256::regs as sha;
use pluton_hdl::wifi::regs as wifi;
use rand::Rng;
use ring::hmac;
use std::cell::RefCell;
use std::rc::Rc;

const SEC: u32 = fw::MASTER_SEC;
const APP: u32 = fw::MASTER_APP;
const IO0: u32 = fw::MASTER_IO0;
const IO1: u32 = fw::MASTER_IO1;

fn base(win: u32) -> u32 {
    win * WINDOW_SIZE
}

/// The subsystem as the cores see it: one APB port, one requester per master ID.
#[derive(Clone)]
pub struct Subsystem {
    pub tb: Tb,
    apb: Apb,
    pub leaks: Rc<RefCell<LeakScan>>,
    pub image: FuseImage,
    /// The cores' bus, watched by a passive monitor.
    pub monitor: ApbMonitor,
    /// Completers on external windows 4..7 (`ext_*` lane k is window 4 + k): quiet, unless a
    /// test sets them `BUSY` (random wait states and errors).
    pub ext: Vec<ApbCompleter>,
}

impl Subsystem {
    /// Resolve the ports, hook the leak scan onto every read, and register the image's secrets.
    pub fn new(tb: &Tb, image: FuseImage) -> Result<Subsystem, String> {
        let apb = Apb::new(tb)?;
        let leaks = Rc::new(RefCell::new(LeakScan::default()));
        leaks.borrow_mut().add_secret(&image.device_root_key());
        leaks.borrow_mut().add_secret(&image.attestation_seed());
        let scan = leaks.clone();
        apb.observe(move |t| {
            if !t.write {
                scan.borrow_mut().check_read(t.addr, t.data);
            }
        });
        let monitor = ApbMonitor::spawn(tb, "", 0)?;
        let ext = (0..4).map(|k| ApbCompleter::spawn(tb, "ext_", k, CompleterMode::QUIET)).collect::<Result<Vec<_>, _>>()?;
        Ok(Subsystem { tb: tb.clone(), apb, leaks, image, monitor, ext })
    }

    /// The cores' bus kept the APB protocol, and every transfer that reached an external window
    /// came from that window's owner (the firewall's rule, seen from behind it).
    pub fn check_agents(&self, ctx: &Ctx) -> Result<(), String> {
        self.monitor.check()?;
        let seen = self.monitor.log.borrow().transfers.len();
        let mut served = 0;
        for (k, c) in self.ext.iter().enumerate() {
            let owner = BOOT_OWNERS[4 + k];
            for t in c.served.borrow().iter() {
                if t.master != owner {
                    return Err(format!("external window {} served master {} (owner {owner}): {t:?}", 4 + k, t.master));
                }
            }
            served += c.served.borrow().len();
        }
        ctx.metric("monitored_transfers", seen as f64);
        ctx.metric("external_window_transfers", served as f64);
        if seen == 0 || served == 0 {
            return Err(format!("the agents saw nothing: {seen} monitored, {served} served behind the firewall"));
        }
        Ok(())
    }

    pub fn bus(&self, master: u32) -> Apb {
        self.apb.with_master(master)
    }

    fn out(&self, port: &str) -> u32 {
        let id = self.tb.port(port).expect("port");
        self.tb.peek_u32(id)
    }

    /// Program the image through the fuse tester port (as a wafer tester would), then release
    /// `tst_en` so the OTP controller scans the fuses.
    pub async fn provision(&self) -> Result<(), String> {
        crate::otp::TesterPort::new(&self.tb)?.preload(&self.image).await
    }

    /// Wait for the OTP controller's init scan, as the security core's boot ROM would.
    pub async fn wait_fuses_ready(&self) -> Result<u32, String> {
        let sec = self.bus(SEC);
        for _ in 0..1000 {
            let status = sec.read(base(map::WIN_OTP) + otp::STATUS.offset).await?;
            if otp::STATUS_READY.get(status) == 1 {
                return Ok(status);
            }
        }
        Err("OTP never became READY".into())
    }

    /// The boot ROM's firewall setup: owners for every window, then LOCK.
    pub async fn configure_firewall(&self, owners: [u32; 8], lock: bool) -> Result<(), String> {
        let sec = self.bus(SEC);
        let cfg = base(map::WIN_FIREWALL);
        for (k, owner) in owners.iter().enumerate() {
            sec.write(cfg + fw::WIN_CFG.offset + 4 * k as u32, fw::WIN_CFG_OWNER.put(*owner)).await?;
        }
        if lock {
            sec.write(cfg + fw::LOCK.offset, 1).await?;
        }
        Ok(())
    }

    /// HMAC-SHA256 of `msg` keyed by the fuse key on the sideload port; software never sees the key.
    pub async fn derive(&self, msg: &[u8]) -> Result<[u8; 32], String> {
        let sec = self.bus(SEC);
        let s = base(map::WIN_SHA256);
        sec.write(s + sha::CTRL.offset, sha::CTRL_HMAC_EN.put(1) | sha::CTRL_KEY_SEL.put(1)).await?;
        sec.write(s + sha::CMD.offset, sha::CMD_START.put(1)).await?;
        let chunks: Vec<&[u8]> = msg.chunks(4).collect();
        if chunks.is_empty() {
            sec.write(s + sha::CMD.offset, sha::CMD_FINISH.put(1)).await?;
        }
        for (i, c) in chunks.iter().enumerate() {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            let reg = if i + 1 == chunks.len() { sha::MSG_LAST.offset } else { sha::MSG.offset };
            sec.write_strb(s + reg, u32::from_le_bytes(w), (1 << c.len()) - 1).await?;
        }
        loop {
            let st = sec.read(s + sha::STATUS.offset).await?;
            if sha::STATUS_DIGEST_VALID.get(st) == 1 {
                break;
            }
        }
        let mut tag = [0u8; 32];
        for i in 0..8 {
            let w = sec.read(s + sha::DIGEST.offset + 4 * i as u32).await?;
            tag[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        Ok(tag)
    }

    /// Select which fuse key drives the sideload port (0: device root key, 1: attestation seed).
    pub async fn load_key(&self, slot: u32) -> Result<(), String> {
        let sec = self.bus(SEC);
        let o = base(map::WIN_OTP);
        sec.write(o + otp::CMD.offset, otp::CMD_OP.put(otp::OP_KEY_LOAD) | otp::CMD_KEY_SLOT.put(slot)).await?;
        loop {
            let st = sec.read(o + otp::STATUS.offset).await?;
            if otp::STATUS_BUSY.get(st) == 0 {
                return if otp::STATUS_KEY_VALID.get(st) == 1 { Ok(()) } else { Err(format!("KEY_LOAD {slot}: no valid key (STATUS {st:#x})")) };
            }
        }
    }
}

/// A provisioned development-stage image: random secrets, owner hash, SVN and locks.
pub fn dev_image(tb: &Tb) -> FuseImage {
    let mut rng = tb.rng();
    let mut key = [0u8; 32];
    let mut seed = [0u8; 32];
    let mut owner = [0u8; 32];
    rng.fill(&mut key);
    rng.fill(&mut seed);
    rng.fill(&mut owner);
    let mut img = FuseImage::blank();
    img.program_bytes32(fusemap::DEVICE_ROOT_KEY, &key);
    img.program_bytes32(fusemap::ATTESTATION_SEED, &seed);
    img.program_bytes32(fusemap::OWNER_KEY_HASH, &owner);
    for i in 0..3 {
        img.program(fusemap::SVN_FIRST + i, fusemap::SVN_WORD);
    }
    for &(word, value) in LifeCycle::Dev.words() {
        img.program(word, value);
    }
    img.program(fusemap::SECRET.lock_word, fusemap::LOCK_MAGIC);
    img.program(fusemap::OWNER.lock_word, fusemap::LOCK_MAGIC);
    img
}

/// The owners a boot ROM would set: see the top's README.
pub const BOOT_OWNERS: [u32; 8] = [SEC, SEC, APP, SEC, IO0, IO1, APP, SEC];

/// HMAC-SHA256 from `ring`: the expected tag of a derivation.
pub fn hmac_ref(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg);
    tag.as_ref().try_into().unwrap()
}

async fn boot(ctx: &Ctx) -> Result<Subsystem, String> {
    let image = dev_image(&ctx.tb);
    let sys = Subsystem::new(&ctx.tb, image)?;
    sys.provision().await?;
    let status = sys.wait_fuses_ready().await?;
    if otp::STATUS_FATAL.get(status) == 1 || otp::STATUS_KEY_VALID.get(status) == 0 {
        return Err(format!("provisioned fuses gave OTP STATUS {status:#x}"));
    }
    if sys.out("lc_state") != LifeCycle::Dev.code() || sys.out("svn") != 3 || sys.out("debug_en") != 1 {
        return Err(format!("lc_state {} svn {} debug_en {} after boot", sys.out("lc_state"), sys.out("svn"), sys.out("debug_en")));
    }
    sys.configure_firewall(BOOT_OWNERS, true).await?;
    ctx.count(1);
    Ok(sys)
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "security_derive_key", body: derive_key },
        Case { name: "security_isolation", body: isolation },
        Case { name: "security_wifi_mailbox", body: wifi_mailbox },
        Case { name: "security_random", body: random },
    ]
}

/// HMAC(device root key, label) through the sideload path, checked against `ring` (and, in
/// lock-step, against the model); then the attestation seed after KEY_LOAD.
fn derive_key(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let sys = boot(&ctx).await?;
        let root = sys.image.device_root_key();
        let seed = sys.image.attestation_seed();
        let labels: [&[u8]; 5] = [b"", b"pluton device identity", b"abc", b"attestation key v1", &[0x5a; 100]];
        for (slot, key) in [(0u32, root), (1, seed), (0, root)] {
            sys.load_key(slot).await?;
            for label in labels {
                let got = sys.derive(label).await?;
                let want = hmac_ref(&key, label);
                if got != want {
                    return Err(format!("slot {slot} HMAC({:?}): got {} want {}", String::from_utf8_lossy(label), to_hex(&got), to_hex(&want)));
                }
                sys.leaks.borrow_mut().allow_digest(&want);
                ctx.count(1);
            }
        }
        // The secrets are read-locked even for the security core.
        let sec = sys.bus(SEC);
        for word in [fusemap::DEVICE_ROOT_KEY, fusemap::ATTESTATION_SEED + 7] {
            match sec.read(base(map::WIN_OTP) + otp::FUSE.offset + 4 * word).await {
                Err(ApbError::SlvErr { data: 0, .. }) => ctx.count(1),
                other => return Err(format!("read of secret fuse word {word:#x}: {other:?}")),
            }
        }
        ctx.leaks(&sys.leaks)
    })
}

/// Every master against every window after the boot ROM's lock: only owners get through, the
/// rest is refused, logged and raises `intr_viol`; nothing they try changes anything.
fn isolation(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let sys = boot(&ctx).await?;
        let sec = sys.bus(SEC);
        let cfg = base(map::WIN_FIREWALL);
        if sys.out("intr_viol") != 0 {
            return Err("intr_viol set before any violation".into());
        }
        // The first violation: the application core tries to start an HMAC with the device key.
        let first = base(map::WIN_SHA256) + sha::CTRL.offset;
        match sys.bus(APP).write(first, 3).await {
            Err(ApbError::SlvErr { .. }) => {}
            other => return Err(format!("APP write to the SHA-256 engine: {other:?}")),
        }
        let mut denied = 1u32;
        for master in [SEC, APP, IO0, IO1, 7] {
            for win in 0..8u32 {
                let allowed = BOOT_OWNERS[win as usize] == master;
                let addr = base(win) + if win == map::WIN_OTP { otp::ID.offset } else { 0 };
                let r = sys.bus(master).read(addr).await;
                match (allowed, r) {
                    (true, Ok(_)) => {}
                    (false, Err(ApbError::SlvErr { data: 0, .. })) => denied += 1,
                    (a, r) => return Err(format!("master {master} read of window {win} (allowed {a}): {r:?}")),
                }
            }
            if master != SEC {
                // The configuration page is the security core's alone.
                match sys.bus(master).write(cfg + fw::WIN_CFG.offset, master).await {
                    Err(ApbError::SlvErr { .. }) => denied += 1,
                    other => return Err(format!("master {master} firewall config write: {other:?}")),
                }
            }
        }
        // Locked: even the security core cannot remap a window.
        match sec.write(cfg + fw::WIN_CFG.offset + 4 * map::WIN_OTP, fw::WIN_CFG_OWNER.put(APP)).await {
            Err(ApbError::SlvErr { .. }) => denied += 1,
            other => return Err(format!("config write after LOCK: {other:?}")),
        }
        let info = sec.read(cfg + fw::VIOL_INFO.offset).await?;
        let addr = sec.read(cfg + fw::VIOL_ADDR.offset).await?;
        let count = sec.read(cfg + fw::VIOL_COUNT.offset).await?;
        if fw::VIOL_INFO_VALID.get(info) != 1 || fw::VIOL_INFO_MASTER.get(info) != APP || fw::VIOL_INFO_WRITE.get(info) != 1
            || fw::VIOL_INFO_CAUSE.get(info) != fw::CAUSE_NOT_OWNER || addr != first || count != denied
        {
            return Err(format!("violation log: info {info:#x} addr {addr:#x} count {count} (want first APP write to {first:#x}, {denied} denials)"));
        }
        if sys.out("intr_viol") != 1 {
            return Err("intr_viol not raised".into());
        }
        // The denied APP write did not reach the engine: CTRL still reads 0.
        if sec.read(base(map::WIN_SHA256) + sha::CTRL.offset).await? != 0 {
            return Err("a denied write changed the SHA-256 engine".into());
        }
        sec.write(cfg + fw::VIOL_INFO.offset, 0).await?;
        if sys.out("intr_viol") != 0 || sec.read(cfg + fw::VIOL_COUNT.offset).await? != 0 {
            return Err("VIOL_INFO write did not clear the log".into());
        }
        ctx.count(u64::from(denied));
        ctx.leaks(&sys.leaks)
    })
}

/// The application core asks for Wi-Fi through its mailbox window; the security core forwards
/// or refuses; the Wi-Fi control interface only ever moves on the security core's writes.
fn wifi_mailbox(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let sys = boot(&ctx).await?;
        let (app, sec) = (sys.bus(APP), sys.bus(SEC));
        let (wa, ws) = (base(map::WIN_WIFI_APP), base(map::WIN_WIFI_SEC));
        let ready = ctx.tb.port("wifi_cmd_ready")?;
        ctx.tb.poke_u32(ready, 1);
        let requests: Vec<(u32, u32, u32)> = (0..6).map(|i| (0x10 + i, 0x1000 + i, 0xbeef_0000 | i)).collect();
        for (i, &(op, a0, a1)) in requests.iter().enumerate() {
            app.write(wa + wifi::REQ_OP.offset, op).await?;
            app.write(wa + wifi::REQ_ARG0.offset, a0).await?;
            app.write(wa + wifi::REQ_ARG1.offset, a1).await?;
            app.write(wa + wifi::REQ_PUSH.offset, 1).await?;
            // The application core cannot drive the radio, even through its own window.
            match app.write(wa + wifi::WIFI_CMD_OP.offset, 0x66).await {
                Err(ApbError::SlvErr { .. }) => {}
                other => return Err(format!("APP write of WIFI_CMD_OP: {other:?}")),
            }
            if sys.out("wifi_cmd_op") == 0x66 {
                return Err("the application core changed wifi_cmd_op".into());
            }
            // Security core: read the request, apply a policy (odd ops refused), complete it.
            let seq = sec.read(ws + wifi::SEC_REQ_SEQ.offset).await?;
            let got_op = sec.read(ws + wifi::SEC_REQ_OP.offset).await?;
            if got_op != op {
                return Err(format!("request {i}: SEC_REQ_OP {got_op:#x}, want {op:#x}"));
            }
            let status = if op % 2 == 1 {
                wifi::STATUS_REFUSED
            } else {
                sec.write(ws + wifi::WIFI_CMD_OP.offset, op).await?;
                sec.write(ws + wifi::WIFI_CMD_ARG0.offset, sec.read(ws + wifi::SEC_REQ_ARG0.offset).await?).await?;
                sec.write(ws + wifi::WIFI_CMD_ARG1.offset, sec.read(ws + wifi::SEC_REQ_ARG1.offset).await?).await?;
                sec.write(ws + wifi::WIFI_CMD_SEQ.offset, seq).await?;
                sec.write(ws + wifi::WIFI_CMD_GO.offset, 1).await?;
                if (sys.out("wifi_cmd_op"), sys.out("wifi_cmd_arg0"), sys.out("wifi_cmd_arg1")) != (op, a0, a1) {
                    return Err(format!("request {i}: Wi-Fi interface does not carry the forwarded command"));
                }
                wifi::STATUS_OK
            };
            sec.write(ws + wifi::SEC_COMPLETE.offset, wifi::SEC_COMPLETE_STATUS.put(status) | wifi::SEC_COMPLETE_SEQ.put(seq)).await?;
            let cpl = app.read(wa + wifi::APP_CPL.offset).await?;
            if wifi::APP_CPL_VALID.get(cpl) != 1 || wifi::APP_CPL_SEQ.get(cpl) != seq || wifi::APP_CPL_STATUS.get(cpl) != status {
                return Err(format!("request {i}: APP_CPL {cpl:#x}, want seq {seq} status {status}"));
            }
            app.write(wa + wifi::APP_CPL_POP.offset, 1).await?;
            ctx.count(1);
        }
        ctx.leaks(&sys.leaks)
    })
}

/// Random transfers from every master to every window (registers and unmapped space alike),
/// with fuse-key derivations interleaved and checked; the leak scan watches every read.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let sys = boot(&ctx).await?;
        sys.ext.iter().for_each(|c| c.set_mode(CompleterMode::BUSY));
        let root = sys.image.device_root_key();
        let n = ctx.scale(20_000);
        let masters = [SEC, APP, IO0, IO1, 9];
        let mut denied = 0u64;
        for i in 0..n {
            if i % 2000 == 0 {
                let label = format!("label {i}");
                // Software may have left the engine mid-operation: abort first.
                sys.bus(SEC).write(base(map::WIN_SHA256) + sha::CMD.offset, sha::CMD_ABORT.put(1)).await.ok();
                sys.load_key(0).await?;
                let got = sys.derive(label.as_bytes()).await?;
                let want = hmac_ref(&root, label.as_bytes());
                if got != want {
                    return Err(format!("derivation {i}: got {} want {}", to_hex(&got), to_hex(&want)));
                }
                sys.leaks.borrow_mut().allow_digest(&want);
                ctx.count(1);
            }
            let (master, win, off, write, data, strb) = {
                let mut rng = ctx.tb.rng();
                let win: u32 = rng.gen_range(0..10);
                // Mostly register offsets, sometimes anywhere in the window (FUSE window included).
                let off = if rng.gen_bool(0.8) { rng.gen_range(0..0x90) & !3 } else { rng.gen_range(0..0x1000) };
                // Owners most of the time, so the blocks behind the firewall see real traffic too.
                let master = if win < 8 && rng.gen_bool(0.6) { BOOT_OWNERS[win as usize] } else { masters[rng.gen_range(0..masters.len())] };
                (master, win, off, rng.gen_bool(0.3), rng.gen::<u32>(), if rng.gen_bool(0.9) { 0xf } else { rng.gen_range(0..16) })
            };
            // The firewall page is read-only to this traffic, so the boot ROM's mapping stays.
            let write = write && win != map::WIN_FIREWALL;
            match sys.bus(master).transfer(write, base(win) + off, data, strb).await {
                Ok(_) => {}
                Err(ApbError::SlvErr { .. }) => denied += 1,
                Err(e) => return Err(format!("transfer {i}: {e}")),
            }
            ctx.count(1);
        }
        ctx.metric("random_transfers", n as f64);
        ctx.metric("refused_with_pslverr", denied as f64);
        sys.check_agents(&ctx)?;
        ctx.leaks(&sys.leaks)
    })
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![BlockBench {
        block: "security",
        module: "pluton_security",
        model: Some(|| Box::new(pluton_cosim::security_model())),
        cases,
        replay: "security_derive_key",
        csr: None,
        proofs: &[],
        compares_reads: true,
        scans_leaks: true,
    }]
}
