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
    /// Completers on external windows 4..6 (`ext_*` lane k is window 4 + k): quiet, unless a
    /// test sets them `BUSY` (random wait states and errors).
    pub ext: Vec<ApbCompleter>,
}

impl Subsystem {
    /// Resolve the ports, hook the leak scan onto every read, and register the image's secrets.
    pub fn new(tb: &Tb, image: FuseImage) -> Result<Subsystem, String> {
        let apb = Apb::new(tb)?;
        let leaks = LeakScan::watch(&apb);
        leaks.borrow_mut().add_secret(&image.device_root_key());
        leaks.borrow_mut().add_secret(&image.attestation_seed());
        let monitor = ApbMonitor::spawn(tb, "", 0)?;
        let ext = (0..map::NUM_EXT).map(|k| ApbCompleter::spawn(tb, "ext_", k, CompleterMode::QUIET)).collect::<Result<Vec<_>, _>>()?;
        Ok(Subsystem { tb: tb.clone(), apb, leaks, image, monitor, ext })
    }

    /// The cores' bus kept the APB protocol except where the bench broke it on purpose (each
    /// must be seen by the monitor, and nothing else): `bare` accesses with no setup phase,
    /// `changed` requests changed in a wait state, and `cut` transfers dropped before `pready`
    /// (abandoned, or cut by a reset). Every transfer that reached an external window came from
    /// that window's owner (the firewall's rule, seen from behind it).
    pub fn check_agents(&self, ctx: &Ctx, bare: usize, changed: usize, cut: usize) -> Result<(), String> {
        {
            let log = self.monitor.log.borrow();
            let count = |end: &str| log.violations.iter().filter(|v| v.ends_with(end)).count();
            let seen_bare = count("ACCESS without a SETUP cycle");
            let seen_changed = log.violations.iter().filter(|v| v.contains("request changed during the transfer")).count();
            let seen_cut = count("psel dropped before pready");
            if (seen_bare, seen_changed, seen_cut) != (bare, changed, cut) || log.violations.len() != bare + changed + cut {
                return Err(format!(
                    "APB monitor: {} violations ({seen_bare} accesses without setup, {seen_changed} requests changed, {seen_cut} transfers cut); the bench made {bare}, {changed} and {cut}; first: {:?}",
                    log.violations.len(),
                    log.violations.first()
                ));
            }
        }
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
        self.hash_as(SEC, sha::CTRL_HMAC_EN.put(1) | sha::CTRL_KEY_SEL.put(1), msg).await
    }

    /// One operation of the SHA-256 engine by `master`: CTRL, START, the message, DIGEST.
    pub async fn hash_as(&self, master: u32, ctrl: u32, msg: &[u8]) -> Result<[u8; 32], String> {
        let sec = self.bus(master);
        let s = base(map::WIN_SHA256);
        sec.write(s + sha::CTRL.offset, ctrl).await?;
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
pub const BOOT_OWNERS: [u32; 8] = [SEC, SEC, APP, SEC, IO0, IO1, SEC, SEC];

/// HMAC-SHA256 from `ring`: the expected tag of a derivation.
pub fn hmac_ref(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), msg);
    tag.as_ref().try_into().unwrap()
}

async fn boot(ctx: &Ctx) -> Result<Subsystem, String> {
    boot_with(ctx, BOOT_OWNERS, true).await
}

/// Boot with the given window owners, locked or not.
async fn boot_with(ctx: &Ctx, owners: [u32; 8], lock: bool) -> Result<Subsystem, String> {
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
    sys.configure_firewall(owners, lock).await?;
    ctx.count(1);
    Ok(sys)
}

/// The P-256 engine in window 7, the security core's: it signs an image's SHA-256 digest that goes
/// from the SHA engine to the P-256 engine on the digest port (never through software), and
/// verifies it the same way; the signature is the `p256` crate's for that k. The digest port
/// refuses an HMAC tag and another master's digest (RES_HASH_UNAVAILABLE), also after window 0
/// returns to the security core. The application core
/// is refused in window 7. Then, before LOCK, window 7 goes to the application core: the change of
/// owner wipes d, so its PUBKEY finds none. d and k are in the leak scan.
fn p256(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use crate::p256::Drv;
        use pluton_cosim::p256 as ec;
        use pluton_hdl::p256::regs as pk;
        let sys = boot_with(&ctx, BOOT_OWNERS, false).await?;
        let eng = Drv::at(&ctx.tb, base(map::WIN_P256), SEC, "intr_p256_done").await?;
        let rand32 = || {
            let mut v = [0u8; 32];
            ctx.tb.rng().fill(&mut v[1..]);
            v[31] |= 1;
            v
        };
        let (d, k) = (rand32(), rand32());
        for secret in [&d, &k] {
            sys.leaks.borrow_mut().add_secret(secret);
        }
        let image = b"an application image, hashed by the SHA engine and signed by the P-256 engine";
        let digest = sys.hash_as(SEC, 0, image).await?;
        if digest != ec::hash_sha256(image) {
            return Err(format!("SHA-256 of the image: {}", to_hex(&digest)));
        }
        eng.write(&pk::D, &d).await?;
        eng.write(&pk::K, &k).await?;
        eng.write_reg(&pk::CTRL, pk::CTRL_HASH_SIDELOAD.put(1)).await?;
        eng.run_ok(pk::CMD_SIGN, "SIGN with HASH from the SHA engine").await?;
        let (r, s) = ec::sign(&d, &k, &digest).map_err(|e| format!("reference SIGN: {e:?}"))?;
        eng.read_expect(&pk::HASH, &digest, "HASH from the digest port").await?;
        eng.read_expect(&pk::R, &r, "R").await?;
        eng.read_expect(&pk::S, &s, "S").await?;
        let (qx, qy) = ec::public_key(&d).map_err(|e| format!("{e:?}"))?;
        eng.write(&pk::QX, &qx).await?;
        eng.write(&pk::QY, &qy).await?;
        eng.write(&pk::HASH, &[0; 32]).await?;
        eng.run_ok(pk::CMD_VERIFY, "VERIFY with HASH from the SHA engine").await?;
        ctx.count(1);

        // An HMAC tag under the root key never reaches the engine; nor does another master's digest.
        sys.load_key(0).await?;
        let tag = sys.derive(b"attestation key v1").await?;
        sys.leaks.borrow_mut().allow_digest(&tag);
        if eng.run(pk::CMD_VERIFY).await?.error != pk::RES_HASH_UNAVAILABLE {
            return Err("VERIFY right after an HMAC took HASH from the digest port".into());
        }
        eng.read_expect(&pk::HASH, &[0; 32], "HASH after an HMAC (the tag must not arrive)").await?;
        sys.configure_firewall([APP, SEC, APP, SEC, IO0, IO1, SEC, SEC], false).await?;
        sys.hash_as(APP, 0, image).await?;
        if eng.run(pk::CMD_VERIFY).await?.error != pk::RES_HASH_UNAVAILABLE {
            return Err("VERIFY took the application core's digest".into());
        }
        // Window 0 back to the security core: the change of owner must drop the application
        // core's finished digest, not hand it over with the starter reset to the security core.
        sys.configure_firewall([SEC, SEC, APP, SEC, IO0, IO1, SEC, SEC], false).await?;
        if eng.run(pk::CMD_VERIFY).await?.error != pk::RES_HASH_UNAVAILABLE {
            return Err("VERIFY took the application core's digest after window 0 came back to the security core".into());
        }
        ctx.count(1);

        // The application core in window 7: refused by the firewall.
        let app = sys.bus(APP);
        for (what, r) in [("read STATUS", app.read(base(map::WIN_P256) + pk::STATUS.offset).await.map(|_| ())), ("write CMD", app.write(base(map::WIN_P256) + pk::CMD.offset, pk::CMD_PUBKEY).await)] {
            if !matches!(r, Err(ApbError::SlvErr { .. })) {
                return Err(format!("the application core's {what} in window 7: {r:?}"));
            }
        }
        // Window 7 to the application core and back (before LOCK): each change of owner wipes
        // the engine, so the security core's PUBKEY then finds no d. Meanwhile the engine itself
        // refuses the application core past ID (its registers are the security core's).
        sys.configure_firewall([SEC, SEC, APP, SEC, IO0, IO1, SEC, APP], false).await?;
        let r = app.write(base(map::WIN_P256) + pk::CMD.offset, pk::CMD_PUBKEY).await;
        if !matches!(r, Err(ApbError::SlvErr { .. })) {
            return Err(format!("the application core's CMD in its own window 7: {r:?}"));
        }
        sys.configure_firewall(BOOT_OWNERS, true).await?;
        ctx.tb.clock_cycles(100).await;
        let result = eng.read_reg(&pk::RESULT).await?;
        if result != pk::RESULT_CMD.put(pk::CMD_WIPE) {
            return Err(format!("RESULT 0x{result:08x} after two changes of owner: want the wipe's"));
        }
        eng.expect_d_wiped("two changes of owner").await?;
        ctx.count(1);
        ctx.leaks(&eng.leaks)?;
        ctx.leaks(&sys.leaks)
    })
}

/// Polls `addr` until a bit of `mask` reads 1.
async fn wait_bits(sec: &Apb, addr: u32, mask: u32, what: &str) -> Result<(), String> {
    for _ in 0..20_000 {
        if sec.read(addr).await? & mask != 0 {
            return Ok(());
        }
    }
    Err(format!("{what}: never"))
}

/// Window 6's DRBG instantiated from the TRNG: a healthy noise bit every cycle (from the run's
/// seed), the TRNG enabled, INSTANTIATE taking its first seed (startup, then two conditioner
/// blocks).
async fn instantiate_drbg(ctx: &Ctx, sys: &Subsystem) -> Result<(), String> {
    use pluton_hdl::drbg::regs as dr;
    use pluton_hdl::trng::regs as tr;
    let mut noise = pluton_cosim::noise::NoiseSource::new(ctx.tb.seed(), pluton_cosim::noise::NoiseParams { p_one: 0.5, autocorr: 0.0, fault: pluton_cosim::noise::Fault::None, fault_at: 0 })?;
    let (bit, valid) = (ctx.tb.port("noise_bit")?, ctx.tb.port("noise_valid")?);
    let tb = ctx.tb.clone();
    ctx.tb.spawn(async move {
        loop {
            tb.poke_u32(bit, noise.next_bit() as u32);
            tb.poke_u32(valid, 1);
            tb.rising_edge().await;
        }
    });
    let sec = sys.bus(SEC);
    let sub = |k: u32| base(map::WIN_CRYPTO) + k * map::CRYPTO_SUB_SIZE;
    let (t, d) = (sub(map::SUB_TRNG), sub(map::SUB_DRBG));
    sec.write(t + tr::CTRL.offset, tr::CTRL_ENABLE.put(1)).await?;
    sec.write(d + dr::CMD.offset, dr::CMD_OP.put(dr::OP_INSTANTIATE)).await?;
    wait_bits(&sec, d + dr::STATUS.offset, dr::STATUS_DONE.mask(), "DRBG INSTANTIATE").await?;
    if dr::RESULT_ERROR.get(sec.read(d + dr::RESULT.offset).await?) != 0 {
        return Err("INSTANTIATE failed".into());
    }
    Ok(())
}

/// Nonces and keys from the DRBG (README "Nonces and key seeds"): the DRBG's scalar port gives
/// the P-256 engine its k and KEYGEN's seed, which no bus carries. A SIGN with k from the port
/// verifies under the p256 crate; the take empties the port, so a second SIGN without a new
/// GENERATE gets RES_K_UNAVAILABLE; two signatures of one digest differ (fresh k); KEYGEN's key
/// pair signs what the crate verifies under its public key; a change of owner of window 7 or of
/// window 6 empties the port.
fn p256_nonce(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use crate::p256::Drv;
        use pluton_cosim::p256 as ec;
        use pluton_hdl::drbg::regs as dr;
        use pluton_hdl::p256::regs as pk;
        let sys = boot_with(&ctx, BOOT_OWNERS, false).await?;
        instantiate_drbg(&ctx, &sys).await?;
        let sec = sys.bus(SEC);
        let d = base(map::WIN_CRYPTO) + map::SUB_DRBG * map::CRYPTO_SUB_SIZE;
        let scalar_valid = || {
            let sec = sec.clone();
            async move { Ok::<bool, String>(sec.read(d + dr::STATUS.offset).await? & dr::STATUS_SCALAR_VALID.mask() != 0) }
        };
        let scalar = || {
            let sec = sec.clone();
            async move {
                sec.write(d + dr::CMD.offset, dr::CMD_OP.put(dr::OP_GENERATE) | dr::CMD_DEST.put(dr::DEST_SCALAR) | dr::CMD_BLOCKS.put(2)).await?;
                wait_bits(&sec, d + dr::STATUS.offset, dr::STATUS_DONE.mask(), "DRBG GENERATE to the scalar port").await?;
                if sec.read(d + dr::STATUS.offset).await? & dr::STATUS_SCALAR_VALID.mask() == 0 {
                    return Err::<(), String>("GENERATE with DEST_SCALAR left the scalar port empty".into());
                }
                Ok(())
            }
        };
        let eng = Drv::at(&ctx.tb, base(map::WIN_P256), SEC, "intr_p256_done").await?;
        let mut key = [0u8; 32];
        ctx.tb.rng().fill(&mut key[1..]);
        key[31] |= 1;
        sys.leaks.borrow_mut().add_secret(&key);
        let (qx, qy) = ec::public_key(&key).map_err(|e| format!("{e:?}"))?;
        let image = b"an image signed with a nonce no software ever saw";
        let digest = sys.hash_as(SEC, 0, image).await?;
        eng.write(&pk::D, &key).await?;
        eng.write_reg(&pk::CTRL, pk::CTRL_HASH_SIDELOAD.put(1) | pk::CTRL_K_SIDELOAD.put(1)).await?;
        let mut sigs = Vec::new();
        for i in 0..2 {
            scalar().await?;
            eng.run_ok(pk::CMD_SIGN, "SIGN with k from the DRBG").await?;
            if scalar_valid().await? {
                return Err("SIGN left its k on the DRBG's scalar port".into());
            }
            let (r, s) = (eng.read(&pk::R).await?, eng.read(&pk::S).await?);
            ec::verify(&qx, &qy, &digest, &r, &s).map_err(|e| format!("signature {i} with the DRBG's k does not verify: {e:?}"))?;
            sigs.push((r, s));
            ctx.count(1);
        }
        if sigs[0] == sigs[1] {
            return Err("two SIGNs of one digest gave one signature: k was not fresh".into());
        }
        if eng.run(pk::CMD_SIGN).await?.error != pk::RES_K_UNAVAILABLE {
            return Err("a SIGN with no new GENERATE found a k on the port".into());
        }
        // KEYGEN: a key pair no software sees; what it signs verifies under its public key.
        scalar().await?;
        eng.run_ok(pk::CMD_KEYGEN, "KEYGEN with the seed from the DRBG").await?;
        let (kx, ky) = (eng.read(&pk::QX).await?, eng.read(&pk::QY).await?);
        sys.leaks.borrow_mut().allow_digest(&kx);
        sys.leaks.borrow_mut().allow_digest(&ky);
        if kx == qx || kx == [0; 32] {
            return Err("KEYGEN from the DRBG kept the written key".into());
        }
        scalar().await?;
        eng.run_ok(pk::CMD_SIGN, "SIGN with the generated key").await?;
        let (r, s) = (eng.read(&pk::R).await?, eng.read(&pk::S).await?);
        ec::verify(&kx, &ky, &digest, &r, &s).map_err(|e| format!("a signature by KEYGEN's key does not verify under its QX, QY: {e:?}"))?;
        ctx.count(2);
        // A new owner of either window finds the port empty.
        for (what, owners) in [("window 7", [SEC, SEC, APP, SEC, IO0, IO1, SEC, APP]), ("window 6", [SEC, SEC, APP, SEC, IO0, IO1, APP, SEC])] {
            scalar().await?;
            sys.configure_firewall(owners, false).await?;
            sys.configure_firewall(BOOT_OWNERS, false).await?;
            if scalar_valid().await? {
                return Err(format!("the scalar port survived a change of {what}'s owner"));
            }
            ctx.count(1);
        }
        for (r, s) in &sigs {
            sys.leaks.borrow_mut().allow_digest(r);
            sys.leaks.borrow_mut().allow_digest(s);
        }
        ctx.leaks(&eng.leaks)?;
        ctx.leaks(&sys.leaks)
    })
}

/// Window 6 (README "Address map"): the TRNG seeds the DRBG over the seed port, the DRBG puts a
/// key on the AES engine's sideload port, and AES runs under it and under a fuse key; the
/// application core is refused in all three blocks, and a change of the window's owner wipes
/// the AES engine and empties the DRBG's key port and mask port. Lock-step with the composed model checks
/// every value; the fuse key's ciphertext is also checked against RustCrypto.
fn crypto(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use pluton_hdl::aes::regs as ae;
        use pluton_hdl::drbg::regs as dr;
        use pluton_hdl::trng::regs as tr;
        let sys = boot_with(&ctx, BOOT_OWNERS, false).await?;
        let sec = sys.bus(SEC);
        let sub = |k: u32| base(map::WIN_CRYPTO) + k * map::CRYPTO_SUB_SIZE;
        let (t, d, a) = (sub(map::SUB_TRNG), sub(map::SUB_DRBG), sub(map::SUB_AES));
        for (b, id) in [(t, tr::BLOCK_ID), (d, dr::BLOCK_ID), (a, ae::BLOCK_ID)] {
            if sec.read(b).await? != id {
                return Err(format!("ID at 0x{b:04x} is not 0x{id:08x}"));
            }
        }
        // The fourth KiB of the window answers an error.
        if sec.read(base(map::WIN_CRYPTO) + 3 * map::CRYPTO_SUB_SIZE).await.is_ok() {
            return Err("window 6's fourth KiB answered".into());
        }
        instantiate_drbg(&ctx, &sys).await?;
        let wait = |addr: u32, mask: u32, what: &'static str| wait_bits(&sec, addr, mask, what);
        sec.write(d + dr::CMD.offset, dr::CMD_OP.put(dr::OP_GENERATE) | dr::CMD_DEST.put(dr::DEST_KEY) | dr::CMD_BLOCKS.put(2)).await?;
        wait(d + dr::STATUS.offset, dr::STATUS_KEY_VALID.mask(), "DRBG key to the key port").await?;
        wait(a + ae::STATUS.offset, ae::STATUS_KEY_DRBG.mask(), "AES sees the DRBG's key").await?;
        wait(d + dr::STATUS.offset, dr::STATUS_DONE.mask(), "DRBG GENERATE to the key port done").await?;
        ctx.count(1);
        // A fresh mask seed on the DRBG's mask port, as software makes one before each AES
        // OP_START (the masked engine refuses to start without one).
        let mask_seed = || {
            let sec = sec.clone();
            async move {
                sec.write(d + dr::CMD.offset, dr::CMD_OP.put(dr::OP_GENERATE) | dr::CMD_DEST.put(dr::DEST_MASK) | dr::CMD_BLOCKS.put(2)).await?;
                for _ in 0..200 {
                    let st = sec.read(d + dr::STATUS.offset).await?;
                    if st & dr::STATUS_DONE.mask() != 0 && st & dr::STATUS_MASK_VALID.mask() != 0 {
                        return Ok(());
                    }
                }
                Err::<(), String>("DRBG seed to the mask port: never".into())
            }
        };
        // AES-256-GCM under the DRBG's key (sideload keys run GCM only), then decrypt: the
        // block comes back with RES_OK; with one tag bit flipped, RES_TAG_MISMATCH; the
        // ciphertext differs from the block and from its encryption under the zero key.
        let p: [u8; 16] = *b"window six block";
        let iv = [0x5eu8; 12];
        // One GCM operation of one text block: (output, TAG, START's RESULT.ERROR, FINAL's).
        let run = |src: u32, decrypt: bool, k256: bool, block: [u8; 16], tag: [u8; 16]| {
            let sec = sec.clone();
            let seed = mask_seed();
            async move {
                seed.await?;
                let poll = |mask: u32, want: u32| {
                    let sec = sec.clone();
                    async move {
                        for _ in 0..500 {
                            if sec.read(a + ae::STATUS.offset).await? & mask == want {
                                return Ok(());
                            }
                        }
                        Err::<(), String>(format!("AES STATUS & 0x{mask:x} never 0x{want:x}"))
                    }
                };
                let ctrl = ae::CTRL_RESET | ae::CTRL_MODE.put(ae::MODE_GCM) | ae::CTRL_KEY_SRC.put(src)
                    | ae::CTRL_DECRYPT.put(decrypt as u32) | ae::CTRL_KEY256.put(k256 as u32);
                sec.write(a + ae::CTRL.offset, ctrl).await?;
                for (i, w) in iv.chunks(4).enumerate() {
                    sec.write(a + ae::IV.addr(i as u32), u32::from_le_bytes(w.try_into().unwrap())).await?;
                }
                sec.write(a + ae::CMD.offset, ae::OP_START).await?;
                poll(ae::STATUS_DONE.mask(), ae::STATUS_DONE.mask()).await?;
                let started = ae::RESULT_ERROR.get(sec.read(a + ae::RESULT.offset).await?);
                // The engine took the seed: the DRBG's mask port is empty again.
                if started == ae::RES_OK && sec.read(d + dr::STATUS.offset).await? & dr::STATUS_MASK_VALID.mask() != 0 {
                    return Err(format!("AES START from source {src} left the mask seed on the DRBG's port"));
                }
                if started != ae::RES_OK {
                    return Ok::<_, String>(([0u8; 16], [0u8; 16], started, 0));
                }
                if decrypt {
                    for (i, w) in tag.chunks(4).enumerate() {
                        sec.write(a + ae::TAG_EXP.addr(i as u32), u32::from_le_bytes(w.try_into().unwrap())).await?;
                    }
                }
                sec.write(a + ae::CMD.offset, ae::OP_TEXT).await?;
                poll(ae::STATUS_DONE.mask(), ae::STATUS_DONE.mask()).await?;
                for (i, w) in block.chunks(4).enumerate() {
                    sec.write(a + ae::DATA_IN.addr(i as u32), u32::from_le_bytes(w.try_into().unwrap())).await?;
                }
                poll(ae::STATUS_OUT_VALID.mask(), ae::STATUS_OUT_VALID.mask()).await?;
                let mut out = [0u8; 16];
                for i in 0..4 {
                    out[4 * i..4 * i + 4].copy_from_slice(&sec.read(a + ae::DATA_OUT.addr(i as u32)).await?.to_le_bytes());
                }
                poll(ae::STATUS_BUSY.mask(), 0).await?;
                sec.write(a + ae::CMD.offset, ae::OP_FINAL).await?;
                poll(ae::STATUS_DONE.mask(), ae::STATUS_DONE.mask()).await?;
                let finished = ae::RESULT_ERROR.get(sec.read(a + ae::RESULT.offset).await?);
                let mut t = [0u8; 16];
                for i in 0..4 {
                    t[4 * i..4 * i + 4].copy_from_slice(&sec.read(a + ae::TAG.addr(i as u32)).await?.to_le_bytes());
                }
                Ok((out, t, started, finished))
            }
        };
        let (c, tag, r0, r1) = run(ae::KEY_SRC_DRBG, false, true, p, [0; 16]).await?;
        let (back, _, r2, r3) = run(ae::KEY_SRC_DRBG, true, true, c, tag).await?;
        let mut bad = tag;
        bad[5] ^= 0x10;
        let (_, _, r4, r5) = run(ae::KEY_SRC_DRBG, true, true, c, bad).await?;
        let (zero_key, _) = crate::aes::oracle::gcm_seal(&[0; 32], &iv, &[], &p)?;
        if (r0, r1, r2, r3, r4, r5) != (0, 0, 0, 0, 0, ae::RES_TAG_MISMATCH) || back != p || c == p || c[..] == zero_key[..] {
            return Err(format!("AES-GCM under the DRBG's key: {} (tag {}) decrypts to {}; results {:?}",
                to_hex(&c), to_hex(&tag), to_hex(&back), (r0, r1, r2, r3, r4, r5)));
        }
        ctx.count(3);
        // AES-128-GCM under fuse key slot 0 (the device root key's first 16 bytes, on the OTP's
        // port), through the masked engine.
        sys.load_key(0).await?;
        let root = &sys.image.device_root_key()[..16];
        let (want_c, want_t) = crate::aes::oracle::gcm_seal(root, &iv, &[], &p)?;
        sys.leaks.borrow_mut().allow_digest(&want_c);
        sys.leaks.borrow_mut().allow_digest(&want_t);
        let (got, got_t, r0, r1) = run(ae::KEY_SRC_OTP, false, false, p, [0; 16]).await?;
        if (r0, r1) != (0, 0) || got[..] != want_c[..] || got_t[..] != want_t[..] {
            return Err(format!("AES-GCM under the fuse key: {} tag {} (results {r0}, {r1}), RustCrypto {} tag {}",
                to_hex(&got), to_hex(&got_t), to_hex(&want_c), to_hex(&want_t)));
        }
        ctx.count(1);
        // The application core is refused in all three blocks (the firewall: window 6 is the
        // security core's).
        let app = sys.bus(APP);
        for b in [t, d, a] {
            if app.read(b + 8).await.is_ok() {
                return Err(format!("the application core read 0x{b:04x}"));
            }
        }
        // A change of owner: the AES engine wipes (its KEY registers too) and the DRBG's key
        // port and mask port empty.
        sec.write(a + ae::KEY.offset, 0x1234_5678).await?;
        mask_seed().await?;
        sys.configure_firewall([SEC, SEC, APP, SEC, IO0, IO1, APP, SEC], false).await?;
        sys.configure_firewall(BOOT_OWNERS, false).await?;
        if sec.read(d + dr::STATUS.offset).await? & dr::STATUS_KEY_VALID.mask() != 0 || sec.read(a + ae::STATUS.offset).await? & ae::STATUS_KEY_DRBG.mask() != 0 {
            return Err("the DRBG's key port survived a change of window 6's owner".into());
        }
        if sec.read(d + dr::STATUS.offset).await? & dr::STATUS_MASK_VALID.mask() != 0 {
            return Err("the DRBG's mask port survived a change of window 6's owner".into());
        }
        // GCM under KEY after the wipe: the zero key's ciphertext and tag.
        let (z, zt, _, _) = run(ae::KEY_SRC_REGS, false, false, p, [0; 16]).await?;
        let (want_z, want_zt) = crate::aes::oracle::gcm_seal(&[0; 16], &iv, &[], &p)?;
        if z[..] != want_z[..] || zt[..] != want_zt[..] {
            return Err("the AES KEY registers survived a change of window 6's owner".into());
        }
        ctx.count(2);
        for out in [&c[..], &tag[..], &z[..], &zt[..]] {
            sys.leaks.borrow_mut().allow_digest(out);
        }
        ctx.leaks(&sys.leaks)
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "security_derive_key", body: derive_key },
        Case { name: "security_p256", body: p256 },
        Case { name: "security_crypto", body: crypto },
        Case { name: "security_p256_nonce", body: p256_nonce },
        Case { name: "security_isolation", body: isolation },
        Case { name: "security_wifi_mailbox", body: wifi_mailbox },
        Case { name: "security_random", body: random },
        Case { name: "security_app_window0_no_root_key", body: app_window0_no_root_key },
        Case { name: "security_digest_stays_with_starter", body: digest_stays_with_starter },
        Case { name: "security_no_broadcast", body: no_broadcast },
    ]
}

/// Issue 11, hole 1: the security core's writes to its own blocks (an HMAC key to SHA `KEY`, a
/// word to OTP `DAI_WDATA`) must not show on the external windows' pins. A watcher checks, in
/// every cycle, that each `ext_*` lane is all zero unless that window's `ext_psel` bit is set,
/// while the owners of windows 4 and 5 also use them (so selected lanes do carry traffic).
fn no_broadcast(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let sys = boot(&ctx).await?;
        let tb = ctx.tb.clone();
        let port = |n: &str| tb.port(n);
        let fields = [(port("ext_penable")?, 1u32), (port("ext_pwrite")?, 1), (port("ext_paddr")?, 12), (port("ext_pwdata")?, 32), (port("ext_pstrb")?, 4), (port("ext_pmaster")?, 4)];
        let psel = port("ext_psel")?;
        // (cycles watched, cycles with a selected lane, first finding)
        let seen: Rc<RefCell<(u64, u64, Option<String>)>> = Rc::default();
        let (t, log) = (tb.clone(), seen.clone());
        tb.spawn(async move {
            loop {
                t.late().await;
                let sel = t.peek_u32(psel);
                let mut v = [0u32; map::NUM_EXT as usize];
                let mut found = None;
                for &(p, w) in &fields {
                    let words = (map::NUM_EXT as usize * w as usize).div_ceil(32);
                    v.fill(0);
                    t.peek(p, &mut v[..words]);
                    for k in (0..map::NUM_EXT).filter(|k| sel >> k & 1 == 0) {
                        let lane = pluton_bindings::dut::lane(&v, w, k);
                        if lane != 0 && found.is_none() {
                            found = Some(format!("window {} (ext lane {k}) carries {lane:#x} on port {p} at {} ns while ext_psel = {sel:#x}", 4 + k, t.now_ns()));
                        }
                    }
                }
                let mut l = log.borrow_mut();
                l.0 += 1;
                l.1 += (sel != 0) as u64;
                if l.2.is_none() {
                    l.2 = found;
                }
                drop(l);
                t.rising_edge().await;
            }
        });
        let sec = sys.bus(SEC);
        // The RNG borrow must not be held across an await.
        let draw = || ctx.tb.rng().gen::<u32>() | 1;
        for round in 0..4 {
            // A software HMAC key, word by word, into SHA KEY (write-only).
            for i in 0..16 {
                sec.write(base(map::WIN_SHA256) + sha::KEY.offset + 4 * i, draw()).await?;
            }
            // A fuse word into OTP DAI_WDATA (not programmed: no PROGRAM command follows).
            sec.write(base(map::WIN_OTP) + otp::DAI_WDATA.offset, draw()).await?;
            // The owners of the external windows 4 and 5 use them at the same time.
            sys.bus(IO0).write(base(4) + 4 * round, 0x1111_0000 + round).await?;
            sys.bus(IO1).write(base(5) + 4 * round, 0x2222_0000 + round).await?;
            ctx.count(1);
        }
        let (cycles, selected, found) = seen.borrow().clone();
        ctx.metric("watched_cycles", cycles as f64);
        if let Some(f) = found {
            return Err(format!("broadcast: {f}"));
        }
        if selected == 0 {
            return Err(format!("the watcher saw no external window selected in {cycles} cycles"));
        }
        ctx.leaks(&sys.leaks)
    })
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
        let raw = pluton_bindings::apb_agents::ApbRaw::new(&ctx.tb, "")?;
        let mut denied = 0u64;
        let mut injected = 0usize;
        let mut resets = 0usize;
        // Violations inside wait states: a request changed, a transfer abandoned.
        let (mut changed, mut cut) = (0usize, 0usize);
        for i in 0..n {
            if i % 5000 == 2500 {
                // A reset in the middle of a transfer (a FUSE read, in its first wait state): the
                // requester drops it as rst_n falls. The fuses keep their words; the boot ROM
                // then waits for the scan and sets up the firewall again.
                let fuse = base(map::WIN_OTP) + otp::FUSE.addr(fusemap::OWNER_KEY_HASH);
                raw.idle().await;
                raw.cycle(true, false, false, fuse, 0, SEC).await;
                let (ready, _, _) = raw.cycle(true, true, false, fuse, 0, SEC).await;
                if ready {
                    return Err(format!("transfer {i}: the FUSE read completed at once; it has wait states"));
                }
                ctx.tb.poke_u32(ctx.tb.port("psel")?, 0);
                ctx.tb.poke_u32(ctx.tb.port("penable")?, 0);
                ctx.tb.reset(3).await;
                resets += 1;
                sys.wait_fuses_ready().await?;
                sys.configure_firewall(BOOT_OWNERS, true).await?;
                ctx.count(1);
            }
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
                // Owners most of the time, so the blocks behind the firewall see real traffic too;
                // else any of the 16 master IDs.
                let master = if win < 8 && rng.gen_bool(0.6) { BOOT_OWNERS[win as usize] } else { rng.gen_range(0..16) };
                (master, win, off, rng.gen_bool(0.3), rng.gen::<u32>(), if rng.gen_bool(0.9) { 0xf } else { rng.gen_range(0..16) })
            };
            // The firewall page is read-only to this traffic, so the boot ROM's mapping stays.
            let write = write && win != map::WIN_FIREWALL;
            // About 2% are APB protocol violations: an access phase with no setup phase. Every
            // completer inside the subsystem refuses it at once (PSLVERR, 0); an external
            // window's peripheral (a bench agent here) answers as it likes.
            if ctx.tb.rng().gen_bool(0.01) {
                // Inside a wait state (a FUSE read by the security core: two wait states), either
                // the address changes (refused in that cycle), or the transfer is abandoned (then
                // the OTP's next access is refused, as the rule says).
                let fuse = |w: u32| base(map::WIN_OTP) + otp::FUSE.addr(w);
                let (w1, w2) = (fusemap::OWNER_KEY_HASH, fusemap::OWNER_KEY_HASH + 1 + (i as u32 % 7));
                raw.idle().await;
                raw.cycle(true, false, false, fuse(w1), 0, SEC).await;
                let (ready, _, _) = raw.cycle(true, true, false, fuse(w1), 0, SEC).await;
                if ready {
                    return Err(format!("transfer {i}: the FUSE read completed at once; it has wait states"));
                }
                if ctx.tb.rng().gen_bool(0.5) {
                    let out = raw.cycle(true, true, false, fuse(w2), 0, SEC).await;
                    raw.idle().await;
                    if out != (true, true, 0) {
                        return Err(format!("transfer {i}: FUSE read whose address changed in a wait state gave {out:?}; expected an immediate PSLVERR with 0"));
                    }
                    changed += 1;
                } else {
                    raw.idle().await;
                    cut += 1;
                    let r = sys.bus(SEC).read(base(map::WIN_OTP) + otp::STATUS.offset).await;
                    if !matches!(r, Err(ApbError::SlvErr { data: 0, .. })) {
                        return Err(format!("transfer {i}: the OTP access after an abandoned FUSE read gave {r:?}; expected PSLVERR"));
                    }
                }
                denied += 1;
                ctx.count(1);
                continue;
            }
            if ctx.tb.rng().gen_bool(0.02) {
                raw.idle().await;
                let (ready, err, rdata) = raw.cycle(true, true, write, base(win) + off, data, master).await;
                raw.idle().await;
                injected += 1;
                let external = (map::WIN_EXT_FIRST..map::WIN_EXT_FIRST + map::NUM_EXT).contains(&win);
                if !external && !(ready && err && rdata == 0) {
                    return Err(format!("transfer {i}: access with no setup to window {win} offset {off:#x} from master {master} gave (pready {ready}, pslverr {err}, prdata {rdata:#x}); expected an immediate PSLVERR with 0"));
                }
                denied += err as u64;
                ctx.count(1);
                continue;
            }
            match sys.bus(master).transfer(write, base(win) + off, data, strb).await {
                Ok(_) => {}
                Err(ApbError::SlvErr { .. }) => denied += 1,
                Err(e) => return Err(format!("transfer {i}: {e}")),
            }
            ctx.count(1);
        }
        ctx.metric("random_transfers", n as f64);
        ctx.metric("protocol_violations_injected", injected as f64);
        ctx.metric("resets_mid_transfer", resets as f64);
        ctx.metric("changed_in_wait", changed as f64);
        ctx.metric("abandoned_in_wait", cut as f64);
        ctx.metric("refused_with_pslverr", denied as f64);
        sys.check_agents(&ctx, injected, changed, resets + cut)?;
        ctx.leaks(&sys.leaks)
    })
}

/// Expect a refused transfer (PSLVERR; a read returns 0) and `code` in the SHA engine's ERR_INFO,
/// read and cleared by `master` (the window's owner).
async fn expect_sha_err<T: std::fmt::Debug>(sys: &Subsystem, master: u32, what: &str, r: Result<T, ApbError>, code: u32) -> Result<(), String> {
    match r {
        Err(ApbError::SlvErr { write, data, .. }) if write || data == 0 => {}
        other => return Err(format!("{what}: expected PSLVERR, got {other:?}")),
    }
    let bus = sys.bus(master);
    let s = base(map::WIN_SHA256);
    let info = bus.read(s + sha::ERR_INFO.offset).await?;
    if sha::ERR_INFO_CODE.get(info) != code || sha::ERR_INFO_MASTER.get(info) != master {
        return Err(format!("{what}: SHA ERR_INFO {info:#x}, want code {code} from master {master}"));
    }
    bus.write(s + sha::ERR_INFO.offset, 0).await?;
    Ok(())
}

/// Window 0 given to the application core (WIN_CFG, then LOCK), the device root key on the
/// sideload port: the application core cannot start an HMAC under it (ERR_KEY_MASTER), so no
/// tag under the fused key ever comes out; HMAC with its own KEY-register key still works.
fn app_window0_no_root_key(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut owners = BOOT_OWNERS;
        owners[map::WIN_SHA256 as usize] = APP;
        let sys = boot_with(&ctx, owners, true).await?;
        sys.load_key(0).await?;
        let root = sys.image.device_root_key();
        let app = sys.bus(APP);
        let s = base(map::WIN_SHA256);
        let labels: [&[u8]; 3] = [b"", b"abc", b"pluton device identity"];
        // Any tag under the fused key is a secret: the scan fails if one is ever read.
        for label in labels {
            sys.leaks.borrow_mut().add_secret(&hmac_ref(&root, label));
        }
        app.write(s + sha::CTRL.offset, sha::CTRL_HMAC_EN.put(1) | sha::CTRL_KEY_SEL.put(1)).await?;
        let r = app.write(s + sha::CMD.offset, sha::CMD_START.put(1)).await;
        expect_sha_err(&sys, APP, "APP START with KEY_SEL=1", r, sha::ERR_KEY_MASTER).await?;
        // Nothing started: the message is refused and no digest ever comes.
        let r = app.write_strb(s + sha::MSG_LAST.offset, u32::from_le_bytes(*b"abc\0"), 0b0111).await;
        expect_sha_err(&sys, APP, "APP MSG_LAST after the refused START", r, sha::ERR_SEQ).await?;
        ctx.tb.clock_cycles(200).await;
        let status = app.read(s + sha::STATUS.offset).await?;
        if sha::STATUS_DIGEST_VALID.get(status) != 0 || sha::STATUS_MSG_READY.get(status) != 0 || sys.out("intr_sha_done") != 0 {
            return Err(format!("SHA STATUS {status:#x} after the refused START"));
        }
        let r = app.read(s + sha::DIGEST.offset).await;
        expect_sha_err(&sys, APP, "APP DIGEST read without an operation of its own", r, sha::ERR_NOT_STARTER).await?;
        // Every label, every way of asking: never a tag.
        for label in labels {
            let r = sys.hash_as(APP, sha::CTRL_HMAC_EN.put(1) | sha::CTRL_KEY_SEL.put(1), label).await;
            match r {
                Err(e) if e.contains("pslverr") => {}
                other => return Err(format!("APP HMAC(root key, {label:?}): {other:?}")),
            }
            app.write(s + sha::ERR_INFO.offset, 0).await?;
            ctx.count(1);
        }
        // The window is APP's: SHA-256 and HMAC with its own key work, and it reads its results.
        let key = b"the application core's key";
        sys.leaks.borrow_mut().add_secret(key);
        app.write(s + sha::CMD.offset, sha::CMD_WIPE_KEY.put(1)).await?;
        for (i, c) in key.chunks(4).enumerate() {
            let mut w = [0u8; 4];
            w[..c.len()].copy_from_slice(c);
            app.write(s + sha::KEY.offset + 4 * i as u32, u32::from_le_bytes(w)).await?;
        }
        let want = hmac_ref(key, b"abc");
        sys.leaks.borrow_mut().allow_digest(&want);
        let got = sys.hash_as(APP, sha::CTRL_HMAC_EN.put(1), b"abc").await?;
        if got != want {
            return Err(format!("APP HMAC(own key, abc): got {} want {}", to_hex(&got), to_hex(&want)));
        }
        ctx.count(1);
        ctx.leaks(&sys.leaks)
    })
}

/// The security core derives under the root key, then (before LOCK) gives window 0 to the
/// application core: the new owner cannot read the old owner's tag (ERR_NOT_STARTER, prdata 0),
/// but reads results of its own operations.
fn digest_stays_with_starter(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let sys = boot_with(&ctx, BOOT_OWNERS, false).await?;
        sys.load_key(0).await?;
        let root = sys.image.device_root_key();
        let label = b"attestation key v1";
        let want = hmac_ref(&root, label);
        let got = sys.derive(label).await?;
        if got != want {
            return Err(format!("SEC HMAC(root key): got {} want {}", to_hex(&got), to_hex(&want)));
        }
        // Only the security core's reads of it were allowed; from here on it is a secret again.
        sys.leaks.borrow_mut().add_secret(&want);
        let sec = sys.bus(SEC);
        // A software HMAC key of the security core's, left in KEY.
        let soft: Vec<u8> = (0..64).map(|_| ctx.tb.rng().gen::<u8>() | 1).collect();
        for (i, w) in soft.chunks(4).enumerate() {
            sec.write(base(map::WIN_SHA256) + sha::KEY.offset + 4 * i as u32, u32::from_le_bytes([w[0], w[1], w[2], w[3]])).await?;
        }
        sys.leaks.borrow_mut().add_secret(&soft);
        let cfg = base(map::WIN_FIREWALL);
        sec.write(cfg + fw::WIN_CFG.offset + 4 * map::WIN_SHA256, fw::WIN_CFG_OWNER.put(APP)).await?;
        sec.write(cfg + fw::LOCK.offset, 1).await?;
        let app = sys.bus(APP);
        let s = base(map::WIN_SHA256);
        for i in 0..8 {
            let r = app.read(s + sha::DIGEST.offset + 4 * i).await;
            expect_sha_err(&sys, APP, &format!("APP read of DIGEST[{i}] after the change of owner"), r, sha::ERR_NOT_STARTER).await?;
            ctx.count(1);
        }
        // The change of owner cleared the engine (firewall owner_chg -> SHA clear): no digest
        // valid, no interrupt, and KEY wiped (APP's HMAC over the KEY registers as they are uses
        // the all-zero key, not the security core's).
        let st = app.read(s + sha::STATUS.offset).await?;
        if sha::STATUS_DIGEST_VALID.get(st) != 0 || sys.out("intr_sha_done") != 0 {
            return Err(format!("after the change of owner: STATUS {st:#x}, intr_sha_done {}", sys.out("intr_sha_done")));
        }
        let tag = sys.hash_as(APP, sha::CTRL_HMAC_EN.put(1), b"whose key").await?;
        if tag != hmac_ref(&[0u8; 64], b"whose key") {
            return Err(format!("APP HMAC over the KEY registers after the change of owner: {} is not the all-zero-key tag", to_hex(&tag)));
        }
        sys.leaks.borrow_mut().allow_digest(&tag);
        ctx.count(1);
        let got = sys.hash_as(APP, 0, b"abc").await?;
        let sha_abc = ring::digest::digest(&ring::digest::SHA256, b"abc");
        if got[..] != sha_abc.as_ref()[..] {
            return Err(format!("APP SHA-256(abc): got {}", to_hex(&got)));
        }
        ctx.count(1);
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
