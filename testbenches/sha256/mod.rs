//! SHA-256/HMAC test bench: a register-level driver and the tests, run on any backend.

use crate::leak::LeakScan;
use crate::regression::{Case, Ctx};
use crate::vectors::{self, to_hex};
use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::Tb;
use pluton_hdl::sha256::regs::{self, *};
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

use pluton_hdl::common::masters::{MASTER_APP, MASTER_IO0, MASTER_IO1, MASTER_SEC};

/// Where the HMAC key comes from.
#[derive(Clone, Debug)]
pub enum Key {
    /// Written to the KEY registers (at most 64 bytes; longer keys are hashed first by the engine).
    Apb(Vec<u8>),
    /// Driven on `key_in` (32 bytes), as a fuse key would be.
    Port([u8; 32]),
}

/// How the message is pushed: word bursts with gaps, and how it ends.
#[derive(Clone, Debug)]
pub struct Pacing {
    /// Idle cycles allowed between transfers (random, 0..=max).
    pub max_gap: u32,
    /// Words per burst before a pause with a STATUS read (random, 1..=max); 0: never pause.
    pub max_burst: u32,
    /// End with `MSG_LAST` (else with a `CMD.FINISH` write).
    pub use_msg_last: bool,
}

impl Pacing {
    /// Back-to-back writes, no polling: what the throughput figure is measured with.
    pub const FAST: Pacing = Pacing { max_gap: 0, max_burst: 0, use_msg_last: true };

    pub fn random(tb: &Tb) -> Pacing {
        let mut rng = tb.rng();
        Pacing {
            max_gap: *[0u32, 0, 1, 3, 8].get(rng.gen_range(0..5)).unwrap(),
            max_burst: rng.gen_range(1..=24),
            use_msg_last: rng.gen_bool(0.5),
        }
    }
}

/// Register-level driver for one engine on an APB bus.
#[derive(Clone)]
pub struct Sha256Driver {
    pub tb: Tb,
    pub apb: Apb,
    key_in: usize,
    key_par: usize,
    key_valid: usize,
    intr_done: usize,
    pub leaks: Rc<RefCell<LeakScan>>,
}

impl Sha256Driver {
    /// Resolve ports and hook the key-leak scanner onto every completed read.
    pub fn new(tb: &Tb) -> Result<Self, String> {
        let apb = Apb::new(tb)?.with_master(MASTER_SEC);
        let leaks = LeakScan::watch(&apb);
        Ok(Self {
            tb: tb.clone(),
            apb,
            key_in: tb.port("key_in")?,
            key_par: tb.port("key_par")?,
            key_valid: tb.port("key_valid")?,
            intr_done: tb.port("intr_done")?,
            leaks,
        })
    }

    async fn gap(&self, pacing: &Pacing) {
        if pacing.max_gap > 0 {
            let n = self.tb.rng().gen_range(0..=pacing.max_gap);
            if n > 0 {
                self.tb.clock_cycles(n as u64).await;
            }
        }
    }

    pub async fn cmd(&self, bit: u32) -> Result<(), ApbError> {
        self.apb.write(CMD.offset, bit).await
    }

    /// Load a key into the KEY registers (wipe first so short keys are zero-padded).
    pub async fn write_key(&self, key: &[u8]) -> Result<(), ApbError> {
        assert!(key.len() <= 64, "KEY holds at most 64 bytes");
        self.cmd(CMD_WIPE_KEY.mask()).await?;
        for (i, chunk) in key.chunks(4).enumerate() {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            self.apb.write(KEY.addr(i as u32), u32::from_le_bytes(w)).await?;
        }
        Ok(())
    }

    pub fn drive_key_port(&self, key: Option<&[u8; 32]>) {
        let mut words = [0u32; 8];
        if let Some(k) = key {
            for (i, w) in words.iter_mut().enumerate() {
                *w = u32::from_le_bytes(k[4 * i..4 * i + 4].try_into().unwrap());
            }
        }
        // The parity the fuses carry with each word (README "Countermeasures").
        self.drive_key_raw(&words, key_parity(&words), key.is_some());
    }

    /// Drive the sideload port as given, `key_par` included (a right or a wrong one).
    pub fn drive_key_raw(&self, words: &[u32; 8], key_par: u32, key_valid: bool) {
        self.tb.poke(self.key_in, words);
        self.tb.poke_u32(self.key_par, key_par);
        self.tb.poke_u32(self.key_valid, key_valid as u32);
    }

    /// Push `msg` after START: full words, then a final partial word or a FINISH.
    async fn push_message(&self, msg: &[u8], pacing: &Pacing) -> Result<(), String> {
        self.push_runs(msg, &word_runs(msg.len()), pacing).await
    }

    /// Push `msg` after START as one MSG write per entry of `runs` (its byte count). A run that
    /// starts inside a word continues it: its strobe starts at that lane, as a CPU's STRB/STRH
    /// to MSG + lane reaches the engine through the AHB-to-APB bridge.
    async fn push_runs(&self, msg: &[u8], runs: &[usize], pacing: &Pacing) -> Result<(), String> {
        if runs.iter().sum::<usize>() != msg.len() {
            return Err(format!("runs {runs:?} do not cover a {}-byte message", msg.len()));
        }
        let mut in_burst = 0;
        let burst = if pacing.max_burst == 0 { 0 } else { self.tb.rng().gen_range(1..=pacing.max_burst) };
        let mut at = 0;
        for (i, &n) in runs.iter().enumerate() {
            let last = i + 1 == runs.len();
            let lane = at % 4;
            if n == 0 || lane + n > 4 {
                return Err(format!("run {i} of {runs:?} ({n} bytes at lane {lane}) is not inside one word"));
            }
            let mut w = [0u8; 4];
            w[lane..lane + n].copy_from_slice(&msg[at..at + n]);
            let strb = ((1u32 << n) - 1) << lane;
            let addr = if last && pacing.use_msg_last { MSG_LAST.offset } else { MSG.offset };
            self.gap(pacing).await;
            self.apb.write_strb(addr, u32::from_le_bytes(w), strb).await?;
            at += n;
            in_burst += 1;
            if in_burst == burst && !last {
                in_burst = 0;
                self.apb.read(STATUS.offset).await?;
            }
        }
        if runs.is_empty() || !pacing.use_msg_last {
            self.gap(pacing).await;
            self.cmd(CMD_FINISH.mask()).await?;
        }
        Ok(())
    }

    /// Wait for DIGEST_VALID, alternating between polling STATUS and watching `intr_done`.
    async fn wait_done(&self) -> Result<(), String> {
        let poll = self.tb.rng().gen_bool(0.5);
        for _ in 0..100_000 {
            if poll {
                let s = self.apb.read(STATUS.offset).await?;
                if STATUS_DIGEST_VALID.get(s) == 1 {
                    return Ok(());
                }
            } else {
                if self.tb.peek_u32(self.intr_done) == 1 {
                    return Ok(());
                }
                self.tb.rising_edge().await;
            }
        }
        Err("DIGEST_VALID never came".into())
    }

    pub async fn read_digest(&self) -> Result<[u8; 32], ApbError> {
        let mut d = [0u8; 32];
        for i in 0..8 {
            let w = self.apb.read(DIGEST.addr(i)).await?;
            d[4 * i as usize..4 * i as usize + 4].copy_from_slice(&w.to_le_bytes());
        }
        Ok(d)
    }

    /// One whole operation: configure, START, message, FINISH, wait, read the digest.
    pub async fn run(&self, msg: &[u8], key: Option<&Key>, pacing: &Pacing) -> Result<[u8; 32], String> {
        self.run_runs(msg, key, pacing, &word_runs(msg.len())).await
    }

    /// As `run`, with the message sent as MSG writes of `runs` bytes each (see `push_runs`).
    pub async fn run_runs(
        &self,
        msg: &[u8],
        key: Option<&Key>,
        pacing: &Pacing,
        runs: &[usize],
    ) -> Result<[u8; 32], String> {
        let ctrl = match key {
            None => 0,
            Some(Key::Apb(k)) => {
                let k0 = if k.len() > 64 { Box::pin(self.run(k, None, pacing)).await?.to_vec() } else { k.clone() };
                self.leaks.borrow_mut().add_secret(&k0);
                self.write_key(&k0).await?;
                CTRL_HMAC_EN.mask()
            }
            Some(Key::Port(k)) => {
                self.leaks.borrow_mut().add_secret(k);
                self.drive_key_port(Some(k));
                CTRL_HMAC_EN.mask() | CTRL_KEY_SEL.mask()
            }
        };
        if let Some(k) = key {
            // The inner digest must never reach the bus either.
            self.leaks.borrow_mut().add_secret(&inner_digest(k, msg));
        }
        self.apb.write(CTRL.offset, ctrl).await?;
        self.cmd(CMD_START.mask()).await?;
        self.push_runs(msg, runs, pacing).await?;
        self.wait_done().await?;
        let expected = reference(msg, key);
        self.leaks.borrow_mut().allow_digest(&expected);
        let got = self.read_digest().await?;
        Ok(got)
    }
}

/// Byte counts of the MSG writes that carry `len` bytes as words: a short last word goes whole
/// (pstrb 0001/0011/0111).
pub fn word_runs(len: usize) -> Vec<usize> {
    (0..len).step_by(4).map(|i| (len - i).min(4)).collect()
}

/// Byte counts of the MSG writes for `len` bytes as a CPU behind the AHB-to-APB bridge sends
/// them: words, then a 1..3-byte tail as byte and halfword stores (STRH only at lane 0 or 2).
/// With `split_words`, about one word in eight is also cut into lane runs at random lanes
/// (strobes such as 0110 or 1110 that a plain APB master may use).
pub fn lane_runs(rng: &mut impl Rng, len: usize, split_words: bool) -> Vec<usize> {
    let mut runs = Vec::new();
    for _ in 0..len / 4 {
        if split_words && rng.gen_ratio(1, 8) {
            let mut from = 0;
            for cut in 1..=4 {
                if cut == 4 || rng.gen_bool(0.5) {
                    runs.push(cut - from);
                    from = cut;
                }
            }
        } else {
            runs.push(4);
        }
    }
    let tail: &[usize] = match (len % 4, rng.gen_bool(0.5)) {
        (0, _) => &[],
        (1, _) => &[1],
        (2, true) => &[2],
        (2, false) => &[1, 1],
        (_, true) => &[2, 1],
        (_, false) => &[1, 1, 1],
    };
    runs.extend_from_slice(tail);
    runs
}

/// K0 as HMAC defines it: the key, hashed first if longer than a block.
fn hmac_k0(key: &Key) -> Vec<u8> {
    match key {
        Key::Apb(k) if k.len() > 64 => ring::digest::digest(&ring::digest::SHA256, k).as_ref().to_vec(),
        Key::Apb(k) => k.clone(),
        Key::Port(k) => k.to_vec(),
    }
}

/// SHA-256((K0 ^ ipad) || msg): the HMAC inner digest, a secret.
fn inner_digest(key: &Key, msg: &[u8]) -> [u8; 32] {
    let mut block = hmac_k0(key);
    block.resize(64, 0);
    let mut data: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    data.extend_from_slice(msg);
    ring::digest::digest(&ring::digest::SHA256, &data).as_ref().try_into().unwrap()
}

/// The expected output, from `ring` (independent of both the RTL and the model).
pub fn reference(msg: &[u8], key: Option<&Key>) -> [u8; 32] {
    let out = match key {
        None => ring::digest::digest(&ring::digest::SHA256, msg).as_ref().to_vec(),
        Some(k) => {
            let key_bytes = match k {
                Key::Apb(k) => k.clone(),
                Key::Port(k) => k.to_vec(),
            };
            let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
            ring::hmac::sign(&k, msg).as_ref().to_vec()
        }
    };
    out.try_into().unwrap()
}

fn expect_eq(what: &str, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {} want {}", to_hex(got), to_hex(want)))
    }
}

/// The tests of this block, in regression order.
pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "sha256_cavp_short", body: cavp_short },
        Case { name: "sha256_cavp_long", body: cavp_long },
        Case { name: "sha256_cavp_monte", body: cavp_monte },
        Case { name: "hmac_rfc4231", body: rfc4231 },
        Case { name: "hmac_wycheproof", body: wycheproof },
        Case { name: "sha256_hmac_random", body: random },
        Case { name: "sha256_bad_input", body: bad_input },
        Case { name: "sha256_timing", body: timing },
        Case { name: "sha256_long_message", body: long_message },
        Case { name: "sha256_lane_tail", body: lane_tail },
        Case { name: "sha256_lane_tail_random", body: lane_tail_random },
        Case { name: "sha256_sideload_master", body: sideload_master },
        Case { name: "sha256_key_parity", body: key_parity_fault },
        Case { name: "sha256_protocol_stall", body: protocol_stall },
        Case { name: "sha256_escalation", body: escalation },
        Case { name: "sha256_digest_starter", body: digest_starter },
        Case { name: "sha256_owner_clear", body: owner_clear },
        Case { name: "sha256_owner_clear_same_edge", body: owner_clear_same_edge },
    ]
}

fn cavp_msgs(ctx: Ctx, file: &'static str) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let path = vectors::vectors_dir("sha256").join(file);
        for (n, (msg, md)) in vectors::sha256_msgs(&path)?.iter().enumerate() {
            let pacing = Pacing::random(&ctx.tb);
            let got = drv.run(msg, None, &pacing).await?;
            expect_eq(&format!("{file} vector {n} (len {})", msg.len()), &got, md)?;
            ctx.count(1);
        }
        ctx.no_secrets(&drv.leaks)
    })
}

fn cavp_short(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    cavp_msgs(ctx, "SHA256ShortMsg.rsp")
}

fn cavp_long(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    cavp_msgs(ctx, "SHA256LongMsg.rsp")
}

/// SHA-256 Monte Carlo (SHAVS 6.4): 100 checkpoints of 1000 chained hashes each.
fn cavp_monte(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let (mut seed, checkpoints) = vectors::sha256_monte(&vectors::vectors_dir("sha256").join("SHA256Monte.rsp"))?;
        for (j, want) in checkpoints.iter().enumerate() {
            let mut md = [seed, seed, seed];
            for _ in 0..1000 {
                let msg = [md[0], md[1], md[2]].concat();
                let next = drv.run(&msg, None, &Pacing::FAST).await?;
                md = [md[1], md[2], next];
            }
            seed = md[2];
            expect_eq(&format!("Monte checkpoint {j}"), &seed, want)?;
            ctx.count(1);
        }
        ctx.no_secrets(&drv.leaks)
    })
}

fn rfc4231(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        for (n, case) in vectors::rfc4231_sha256()?.iter().enumerate() {
            let key = Key::Apb(case.key.clone());
            let got = drv.run(&case.data, Some(&key), &Pacing::random(&ctx.tb)).await?;
            let len = case.truncate_to.unwrap_or(32);
            expect_eq(&format!("RFC 4231 case {}", n + 1), &got[..len], &case.tag[..len])?;
            ctx.count(1);
        }
        ctx.leaks(&drv.leaks)
    })
}

fn wycheproof(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        for case in vectors::wycheproof_hmac_sha256()? {
            let key = Key::Apb(case.key.clone());
            let got = drv.run(&case.msg, Some(&key), &Pacing::random(&ctx.tb)).await?;
            // A valid case's tag must match; an invalid one's (a corrupted tag) must not.
            if case.valid {
                expect_eq(&format!("Wycheproof tcId {}", case.tc_id), &got, &case.tag)?;
            } else if got[..] == case.tag[..] {
                return Err(format!("Wycheproof tcId {}: engine produced the corrupted tag", case.tc_id));
            }
            expect_eq(&format!("Wycheproof tcId {} vs ring", case.tc_id), &got, &reference(&case.msg, Some(&key)))?;
            ctx.count(1);
        }
        ctx.leaks(&drv.leaks)
    })
}

/// Random messages of 0..=1000 bytes in random modes, pacing and keys; checked against `ring`
/// here and against the model by the lock-step comparator.
pub const RANDOM_MESSAGES: usize = 10_000;

fn random(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let count = ctx.scale(RANDOM_MESSAGES);
        for n in 0..count {
            let (msg, key) = {
                let mut rng = ctx.tb.rng();
                let len = rng.gen_range(0..=1000usize);
                let msg: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                let key = match rng.gen_range(0..3) {
                    0 => None,
                    1 => {
                        let klen = *[0usize, 1, 16, 20, 32, 33, 63, 64, 65, 100].get(rng.gen_range(0..10)).unwrap();
                        Some(Key::Apb((0..klen).map(|_| rng.gen()).collect()))
                    }
                    _ => Some(Key::Port(rng.gen())),
                };
                (msg, key)
            };
            let pacing = Pacing::random(&ctx.tb);
            let got = drv.run(&msg, key.as_ref(), &pacing).await?;
            let mode = match &key {
                None => "sha256".to_string(),
                Some(Key::Apb(k)) => format!("hmac apb key {} bytes", k.len()),
                Some(Key::Port(_)) => "hmac port key".to_string(),
            };
            expect_eq(&format!("random message {n} ({mode}, {} bytes, {pacing:?})", msg.len()), &got, &reference(&msg, key.as_ref()))?;
            drv.drive_key_port(None);
            ctx.count(1);
        }
        ctx.leaks(&drv.leaks)
    })
}

/// Expect `result` to be a PSLVERR that logs `code`, then clear ERR_INFO.
async fn expect_err<T: std::fmt::Debug>(
    drv: &Sha256Driver,
    what: &str,
    result: Result<T, ApbError>,
    code: u32,
) -> Result<(), String> {
    match result {
        Err(ApbError::SlvErr { .. }) => {}
        other => return Err(format!("{what}: expected PSLVERR, got {other:?}")),
    }
    let info = drv.apb.read(ERR_INFO.offset).await?;
    if ERR_INFO_CODE.get(info) != code {
        return Err(format!("{what}: ERR_INFO code {} (0x{info:08x}), expected {code}", ERR_INFO_CODE.get(info)));
    }
    let status = drv.apb.read(STATUS.offset).await?;
    if STATUS_ERR.get(status) != 1 {
        return Err(format!("{what}: STATUS.ERR not set"));
    }
    drv.apb.write(ERR_INFO.offset, 0).await?;
    if drv.apb.read(ERR_INFO.offset).await? != 0 {
        return Err(format!("{what}: ERR_INFO not cleared by a write"));
    }
    Ok(())
}

/// Every bus error case: each gives PSLVERR, logs its code, and leaves the operation intact.
fn bad_input(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let apb = &drv.apb;
        let key = Key::Apb(b"a key that must survive bad input".to_vec());
        let msg: Vec<u8> = (0..150u32).map(|i| (i * 7) as u8).collect();

        // Idle-state errors.
        expect_err(&drv, "unmapped read", apb.read(0x100).await, ERR_UNMAPPED).await?;
        expect_err(&drv, "unmapped write", apb.write(0xFFC, 1).await, ERR_UNMAPPED).await?;
        expect_err(&drv, "misaligned read", apb.read(STATUS.offset + 1).await, ERR_UNMAPPED).await?;
        expect_err(&drv, "read CMD", apb.read(CMD.offset).await, ERR_READ_WO).await?;
        expect_err(&drv, "read MSG", apb.read(MSG.offset).await, ERR_READ_WO).await?;
        expect_err(&drv, "read MSG_LAST", apb.read(MSG_LAST.offset).await, ERR_READ_WO).await?;
        for i in [0, 7, 15] {
            expect_err(&drv, "read KEY", apb.read(KEY.addr(i)).await, ERR_READ_WO).await?;
        }
        expect_err(&drv, "write STATUS", apb.write(STATUS.offset, 0).await, ERR_WRITE_RO).await?;
        expect_err(&drv, "write ID", apb.write(ID.offset, 0).await, ERR_WRITE_RO).await?;
        expect_err(&drv, "write MSG_LEN", apb.write(MSG_LEN.offset, 0).await, ERR_WRITE_RO).await?;
        expect_err(&drv, "write DIGEST", apb.write(DIGEST.addr(3), 0).await, ERR_WRITE_RO).await?;
        expect_err(&drv, "CTRL with partial strobe", apb.write_strb(CTRL.offset, 1, 0b0011).await, ERR_STRB).await?;
        expect_err(&drv, "KEY with partial strobe", apb.write_strb(KEY.addr(0), 1, 0b0001).await, ERR_STRB).await?;
        // Exactly one bit per CMD write: every command with any other bit beside it is refused
        // (the decode must look at all 32 bits; mutation coverage found one it did not check).
        for bad in [0u32, 0x10, 0x8000_0000] {
            expect_err(&drv, "CMD with bad value", drv.cmd(bad).await, ERR_VALUE).await?;
        }
        for cmd in [CMD_START, CMD_FINISH, CMD_ABORT, CMD_WIPE_KEY] {
            for bit in (0..32).filter(|&b| 1u32 << b != cmd.mask()) {
                let bad = cmd.mask() | 1 << bit;
                expect_err(&drv, &format!("CMD {bad:#010x}"), drv.cmd(bad).await, ERR_VALUE).await?;
            }
        }
        expect_err(&drv, "FINISH while idle", drv.cmd(CMD_FINISH.mask()).await, ERR_SEQ).await?;
        expect_err(&drv, "MSG before START", apb.write(MSG.offset, 1).await, ERR_SEQ).await?;
        apb.write(CTRL.offset, CTRL_HMAC_EN.mask() | CTRL_KEY_SEL.mask()).await?;
        drv.drive_key_port(None);
        expect_err(&drv, "START without key_valid", drv.cmd(CMD_START.mask()).await, ERR_KEY).await?;

        // Errors in the middle of an HMAC must not disturb it.
        let k0 = match &key {
            Key::Apb(k) => k.clone(),
            Key::Port(_) => unreachable!(),
        };
        drv.leaks.borrow_mut().add_secret(&k0);
        drv.write_key(&k0).await?;
        apb.write(CTRL.offset, CTRL_HMAC_EN.mask()).await?;
        drv.cmd(CMD_START.mask()).await?;
        for chunk in msg[..64].chunks(4) {
            apb.write(MSG.offset, u32::from_le_bytes(chunk.try_into().unwrap())).await?;
        }
        expect_err(&drv, "CTRL while active", apb.write(CTRL.offset, 0).await, ERR_BUSY).await?;
        expect_err(&drv, "KEY while active", apb.write(KEY.addr(0), 0xdead_beef).await, ERR_BUSY).await?;
        expect_err(&drv, "WIPE_KEY while active", drv.cmd(CMD_WIPE_KEY.mask()).await, ERR_BUSY).await?;
        expect_err(&drv, "START while active", drv.cmd(CMD_START.mask()).await, ERR_SEQ).await?;
        expect_err(&drv, "MSG with gap strobe", apb.write_strb(MSG.offset, 0x1234, 0b0101).await, ERR_STRB).await?;
        expect_err(&drv, "MSG with high strobe", apb.write_strb(MSG.offset, 0x1234, 0b1000).await, ERR_STRB).await?;
        // Two errors in a row: the first is kept, OVERFLOW is set.
        let _ = apb.read(0x200).await;
        let _ = apb.write(ID.offset, 0).await;
        let info = apb.read(ERR_INFO.offset).await?;
        if ERR_INFO_CODE.get(info) != ERR_UNMAPPED || ERR_INFO_OVERFLOW.get(info) != 1 || ERR_INFO_ADDR.get(info) != 0x200 {
            return Err(format!("ERR_INFO after two errors: 0x{info:08x}"));
        }
        apb.write(ERR_INFO.offset, 0).await?;
        let rest = &msg[64..];
        let (full, tail) = rest.split_at(rest.len() - rest.len() % 4);
        for chunk in full.chunks(4) {
            apb.write(MSG.offset, u32::from_le_bytes(chunk.try_into().unwrap())).await?;
        }
        let mut w = [0u8; 4];
        w[..tail.len()].copy_from_slice(tail);
        apb.write_strb(MSG.offset, u32::from_le_bytes(w), (1 << tail.len()) - 1).await?;
        // The tail is 2 bytes (k = 2): only 0100 or 1100 may follow; a new word is ERR_STRB.
        expect_err(&drv, "MSG word after a partial word", apb.write(MSG.offset, 1).await, ERR_STRB).await?;
        for strb in [0b0001, 0b0010, 0b0110, 0b1000, 0b1110] {
            let r = apb.write_strb(MSG.offset, 1, strb).await;
            expect_err(&drv, &format!("MSG pstrb {strb:04b} after 2 bytes"), r, ERR_STRB).await?;
        }
        drv.cmd(CMD_FINISH.mask()).await?;
        // Not ACTIVE: no continuation, so the lane-2 strobe is ERR_STRB, a lane-0 one ERR_SEQ.
        expect_err(&drv, "continuing MSG after FINISH", apb.write_strb(MSG.offset, 1, 0b0100).await, ERR_STRB).await?;
        expect_err(&drv, "MSG after FINISH", apb.write(MSG.offset, 1).await, ERR_SEQ).await?;
        expect_err(&drv, "FINISH twice", drv.cmd(CMD_FINISH.mask()).await, ERR_SEQ).await?;
        drv.wait_done().await?;
        let want = reference(&msg, Some(&key));
        drv.leaks.borrow_mut().allow_digest(&want);
        expect_eq("HMAC after bad input", &drv.read_digest().await?, &want)?;
        if apb.read(MSG_LEN.offset).await? != msg.len() as u32 {
            return Err("MSG_LEN disturbed by bad input".into());
        }
        if apb.read(ID.offset).await? != regs::BLOCK_ID {
            return Err("ID register wrong".into());
        }

        // ABORT mid-message, then a clean hash.
        drv.cmd(CMD_START.mask()).await?;
        apb.write(MSG.offset, 0x0102_0304).await?;
        drv.cmd(CMD_ABORT.mask()).await?;
        let status = apb.read(STATUS.offset).await?;
        if STATUS_MSG_READY.get(status) != 0 || STATUS_DIGEST_VALID.get(status) != 0 {
            return Err(format!("STATUS after ABORT: 0x{status:08x}"));
        }
        if apb.read(DIGEST.addr(0)).await? != 0 {
            return Err("DIGEST readable after ABORT".into());
        }
        let got = drv.run(b"abc", None, &Pacing::FAST).await?;
        expect_eq("SHA-256(abc) after ABORT", &got, &reference(b"abc", None))?;
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// Bytes of `sha256_long_message`: past 2^20 so the bit counter's bits up to 23 and the byte
/// counter's up to 20 turn over (mutation coverage found faults in them no shorter message shows),
/// with a 3-byte tail.
pub const LONG_MESSAGE_BYTES: usize = (1 << 20) + 3;

/// One message of [`LONG_MESSAGE_BYTES`] random bytes, its digest against `ring` and MSG_LEN.
fn long_message(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let msg: Vec<u8> = {
            let mut rng = ctx.tb.rng();
            (0..LONG_MESSAGE_BYTES).map(|_| rng.gen()).collect()
        };
        let got = drv.run(&msg, None, &Pacing::FAST).await?;
        expect_eq(&format!("{}-byte message", msg.len()), &got, &reference(&msg, None))?;
        let len = drv.apb.read(MSG_LEN.offset).await?;
        if len != msg.len() as u32 {
            return Err(format!("MSG_LEN {len} after a {}-byte message", msg.len()));
        }
        ctx.count(2);
        ctx.no_secrets(&drv.leaks)
    })
}

/// Latency and throughput measured on the bus, against the documented figures.
fn timing(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let intr = ctx.tb.port("intr_done")?;
        // Single block: cycles from the MSG_LAST edge to DIGEST_VALID, for two data patterns
        // per length, which must take the same time.
        let mut latencies = Vec::new();
        for (len, fill) in [(0usize, 0x00u8), (3, 0x00), (3, 0xff), (55, 0x00), (55, 0xff), (55, 0x5a)] {
            drv.apb.write(CTRL.offset, 0).await?;
            drv.cmd(CMD_START.mask()).await?;
            let msg = vec![fill; len];
            let words: Vec<&[u8]> = msg.chunks(4).collect();
            for w in words.iter().take(words.len().saturating_sub(1)) {
                drv.apb.write(MSG.offset, u32::from_le_bytes((*w).try_into().unwrap())).await?;
            }
            let t0 = if let Some(last) = words.last() {
                let mut w = [0u8; 4];
                w[..last.len()].copy_from_slice(last);
                drv.apb.write_strb(MSG_LAST.offset, u32::from_le_bytes(w), (1 << last.len()) - 1).await?;
                ctx.tb.cycle()
            } else {
                drv.cmd(CMD_FINISH.mask()).await?;
                ctx.tb.cycle()
            };
            while ctx.tb.peek_u32(intr) == 0 {
                ctx.tb.rising_edge().await;
            }
            let latency = ctx.tb.cycle() - t0;
            ctx.tb.log(format!("{len}-byte message of 0x{fill:02x}: {latency} cycles from the last write to DIGEST_VALID"));
            if let Some((_, _, other)) = latencies.iter().find(|(l, _, _)| *l == len) {
                if *other != latency {
                    return Err(format!("{len}-byte message: latency {latency} depends on the data (also saw {other})"));
                }
            }
            latencies.push((len, fill, latency));
            if latency > 68 {
                return Err(format!("latency {latency} cycles > 68 for a one-block message"));
            }
            ctx.metric("latency_one_block_cycles", latency as f64);
            expect_eq("timing digest", &drv.read_digest().await?, &reference(&msg, None))?;
        }
        // Throughput: back-to-back writes of a long message.
        let msg = vec![0xa5u8; 64 * 64];
        drv.apb.write(CTRL.offset, 0).await?;
        drv.cmd(CMD_START.mask()).await?;
        let t0 = ctx.tb.cycle();
        drv.push_message(&msg, &Pacing::FAST).await?;
        while ctx.tb.peek_u32(intr) == 0 {
            ctx.tb.rising_edge().await;
        }
        let cycles = ctx.tb.cycle() - t0;
        let bits_per_cycle = (msg.len() * 8) as f64 / cycles as f64;
        ctx.tb.log(format!("{} bytes in {cycles} cycles: {bits_per_cycle:.2} bits/cycle", msg.len()));
        ctx.metric("throughput_bits_per_cycle", bits_per_cycle);
        if bits_per_cycle < 7.0 {
            return Err(format!("throughput {bits_per_cycle:.2} bits/cycle < 7"));
        }
        expect_eq("throughput digest", &drv.read_digest().await?, &reference(&msg, None))?;
        ctx.count(latencies.len() as u64 + 1);
        ctx.no_secrets(&drv.leaks)
    })
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).filter_map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// Messages whose last word is sent in lane-continuing pieces (directed): "abc" as STRH + STRB
/// and as three STRB, HMAC with 3 mod 4 bytes, a full buffer ending in a continued word, and the
/// NIST short-message vectors. Expected values come from FIPS 180-4, `ring`, Wycheproof and the
/// CAVP file, never from the model or the RTL.
fn lane_tail(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let apb = &drv.apb;
        // FIPS 180-4 example "abc".
        let abc = unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        for (what, runs) in [("STRH 0011 + STRB 0100", &[2usize, 1][..]), ("STRB 0001, 0010, 0100", &[1, 1, 1])] {
            for pacing in [Pacing::FAST, Pacing { max_gap: 3, max_burst: 1, use_msg_last: false }] {
                let got = drv.run_runs(b"abc", None, &pacing, runs).await?;
                expect_eq(&format!("SHA-256(abc) as {what}, {pacing:?}"), &got, &abc)?;
                if apb.read(MSG_LEN.offset).await? != 3 {
                    return Err(format!("MSG_LEN after abc as {what} is not 3"));
                }
                ctx.count(1);
            }
        }

        // HMAC over 31 bytes (3 mod 4), key in KEY and on the sideload port.
        let msg = b"what do ya want for nothing?abc";
        let runs = [4, 4, 4, 4, 4, 4, 4, 2, 1];
        let got = drv.run_runs(msg, Some(&Key::Apb(b"Jefe".to_vec())), &Pacing::random(&ctx.tb), &runs).await?;
        expect_eq("HMAC(Jefe, 31 bytes) with a STRH+STRB tail", &got, &reference(msg, Some(&Key::Apb(b"Jefe".to_vec()))))?;
        let port_key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ 0x5c);
        let long: Vec<u8> = (0..67u32).map(|i| (i * 13 + 1) as u8).collect();
        let runs = lane_runs(&mut *ctx.tb.rng(), long.len(), true);
        let key = Key::Port(port_key);
        let got = drv.run_runs(&long, Some(&key), &Pacing::random(&ctx.tb), &runs).await?;
        expect_eq(&format!("HMAC(port key, 67 bytes) as runs {runs:?}"), &got, &reference(&long, Some(&key)))?;
        drv.drive_key_port(None);
        ctx.count(2);

        // Wycheproof HMAC-SHA256 cases of 3 mod 4 bytes, the tail as byte/halfword stores.
        let mut wp = 0;
        for case in vectors::wycheproof_hmac_sha256()?.iter().filter(|c| c.valid && c.msg.len() % 4 == 3) {
            let key = Key::Apb(case.key.clone());
            let runs = lane_runs(&mut *ctx.tb.rng(), case.msg.len(), false);
            let got = drv.run_runs(&case.msg, Some(&key), &Pacing::random(&ctx.tb), &runs).await?;
            expect_eq(&format!("Wycheproof tcId {} as runs {runs:?}", case.tc_id), &got, &case.tag)?;
            wp += 1;
        }
        if wp == 0 {
            return Err("no Wycheproof case of 3 mod 4 bytes".into());
        }
        ctx.count(wp);

        // Sixteen words, the last one continued: it fills the buffer without any wait.
        let msg: Vec<u8> = (0..64u32).map(|i| (i * 7 + 5) as u8).collect();
        let mut runs = vec![4; 15];
        runs.extend([2, 1, 1]);
        let got = drv.run_runs(&msg, None, &Pacing::FAST, &runs).await?;
        expect_eq("64 bytes, the 16th word as 0011, 0100, 1000", &got, &reference(&msg, None))?;
        ctx.count(1);

        // NIST CAVP short messages (0..64 bytes), every tail in lane runs.
        let path = vectors::vectors_dir("sha256").join("SHA256ShortMsg.rsp");
        for (n, (msg, md)) in vectors::sha256_msgs(&path)?.iter().enumerate() {
            let runs = lane_runs(&mut *ctx.tb.rng(), msg.len(), true);
            let got = drv.run_runs(msg, None, &Pacing::random(&ctx.tb), &runs).await?;
            expect_eq(&format!("SHA256ShortMsg vector {n} (len {}) as runs {runs:?}", msg.len()), &got, md)?;
            ctx.count(1);
        }
        ctx.leaks(&drv.leaks)
    })
}

/// Random messages with their tails (and some words) in lane runs, as in `lane_runs`.
pub const LANE_TAIL_MESSAGES: usize = 10_000;

fn lane_tail_random(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        for n in 0..ctx.scale(LANE_TAIL_MESSAGES) {
            let (msg, key, runs) = {
                let mut rng = ctx.tb.rng();
                let len = rng.gen_range(0..=300usize);
                let msg: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
                let key = match rng.gen_range(0..3) {
                    0 => None,
                    1 => {
                        let klen = *[0usize, 1, 20, 32, 63, 64, 65].get(rng.gen_range(0..7)).unwrap_or(&32);
                        Some(Key::Apb((0..klen).map(|_| rng.gen()).collect()))
                    }
                    _ => Some(Key::Port(rng.gen())),
                };
                let runs = lane_runs(&mut *rng, len, true);
                (msg, key, runs)
            };
            let pacing = Pacing::random(&ctx.tb);
            let got = drv.run_runs(&msg, key.as_ref(), &pacing, &runs).await?;
            let mode = match &key {
                None => "sha256".to_string(),
                Some(Key::Apb(k)) => format!("hmac apb key {} bytes", k.len()),
                Some(Key::Port(_)) => "hmac port key".to_string(),
            };
            let what = format!("lane-run message {n} ({mode}, {} bytes, runs {runs:?}, {pacing:?})", msg.len());
            expect_eq(&what, &got, &reference(&msg, key.as_ref()))?;
            drv.drive_key_port(None);
            ctx.count(1);
        }
        ctx.leaks(&drv.leaks)
    })
}

impl Sha256Driver {
    /// The same engine and leak scan, driven as master `id`.
    pub fn as_master(&self, id: u32) -> Sha256Driver {
        Sha256Driver { apb: self.apb.with_master(id), ..self.clone() }
    }
}

/// HMAC with KEY_SEL = 0 over whatever KEY holds now (no KEY write): after a wipe the tag must
/// be that of the all-zero key.
async fn hmac_current_key(drv: &Sha256Driver, msg: &[u8]) -> Result<[u8; 32], String> {
    drv.apb.write(CTRL.offset, CTRL_HMAC_EN.mask()).await?;
    drv.cmd(CMD_START.mask()).await?;
    drv.push_message(msg, &Pacing::FAST).await?;
    drv.wait_done().await?;
    Ok(drv.read_digest().await?)
}

/// HMAC under the all-zero 64-byte key, from `ring`.
fn zero_key_tag(msg: &[u8]) -> [u8; 32] {
    ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &[0u8; 64]), msg).as_ref().try_into().unwrap()
}

/// `clear` high for one rising edge: the window's owner changed.
async fn pulse_clear(drv: &Sha256Driver) -> Result<(), String> {
    let clear = drv.tb.port("clear")?;
    drv.tb.poke_u32(clear, 1);
    drv.tb.rising_edge().await;
    drv.tb.poke_u32(clear, 0);
    Ok(())
}

/// A read by `apb` that must be refused with `code`, returning 0 (the data never reaches the bus).
async fn expect_refused_read(drv: &Sha256Driver, apb: &Apb, what: &str, addr: u32, code: u32) -> Result<(), String> {
    match apb.read(addr).await {
        Err(ApbError::SlvErr { data: 0, .. }) => {}
        other => return Err(format!("{what}: expected PSLVERR with prdata 0, got {other:?}")),
    }
    let info = drv.apb.read(ERR_INFO.offset).await?;
    if ERR_INFO_CODE.get(info) != code || ERR_INFO_MASTER.get(info) != apb.master || ERR_INFO_ADDR.get(info) != addr {
        return Err(format!("{what}: ERR_INFO 0x{info:08x}, expected code {code}, master {}, address 0x{addr:03x}", apb.master));
    }
    drv.apb.write(ERR_INFO.offset, 0).await?;
    Ok(())
}

/// Only the security core starts an HMAC with the sideload key, whoever drives the bus: every
/// other master gets ERR_KEY_MASTER (before ERR_KEY) and nothing starts; a plain SHA-256 or a
/// KEY-register HMAC from them still works, and so does the security core's sideload HMAC.
fn sideload_master(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let port_key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(71) ^ 0xa3);
        drv.leaks.borrow_mut().add_secret(&port_key);
        let sideload = CTRL_HMAC_EN.mask() | CTRL_KEY_SEL.mask();
        for master in [MASTER_APP, MASTER_IO0, MASTER_IO1, 7, 15] {
            let other = drv.as_master(master);
            for key_valid in [true, false] {
                drv.drive_key_port(key_valid.then_some(&port_key));
                other.apb.write(CTRL.offset, sideload).await?;
                let what = format!("START with the sideload key from master {master} (key_valid {key_valid})");
                expect_err(&drv, &what, other.cmd(CMD_START.mask()).await, ERR_KEY_MASTER).await?;
                // Nothing started: no phase, no message accepted, no digest, CTRL as written.
                let status = drv.apb.read(STATUS.offset).await?;
                if status != 0 {
                    return Err(format!("{what}: STATUS 0x{status:08x} after the refusal"));
                }
                expect_err(&drv, &format!("{what}: then MSG_LAST"), other.apb.write(MSG_LAST.offset, 0x61).await, ERR_SEQ).await?;
                if other.apb.read(CTRL.offset).await? != sideload {
                    return Err(format!("{what}: CTRL changed"));
                }
                ctx.count(1);
            }
        }
        // The refusal is logged with the requester's master.
        drv.drive_key_port(Some(&port_key));
        let app = drv.as_master(MASTER_APP);
        let _ = app.cmd(CMD_START.mask()).await;
        let info = drv.apb.read(ERR_INFO.offset).await?;
        if ERR_INFO_CODE.get(info) != ERR_KEY_MASTER || ERR_INFO_MASTER.get(info) != MASTER_APP || ERR_INFO_WRITE.get(info) != 1 || ERR_INFO_ADDR.get(info) != CMD.offset {
            return Err(format!("ERR_INFO after APP's START: 0x{info:08x}"));
        }
        drv.apb.write(ERR_INFO.offset, 0).await?;

        // The security core's sideload HMAC still works.
        let msg = b"pluton sideload from the security core";
        let key = Key::Port(port_key);
        let got = drv.run(msg, Some(&key), &Pacing::random(&ctx.tb)).await?;
        expect_eq("security core's sideload HMAC", &got, &reference(msg, Some(&key)))?;
        // Other masters keep what does not use the sideload key: plain SHA-256 (KEY_SEL alone is
        // ignored without HMAC_EN) and HMAC with a key they wrote.
        app.apb.write(CTRL.offset, CTRL_KEY_SEL.mask()).await?;
        app.cmd(CMD_START.mask()).await?;
        app.push_message(b"abc", &Pacing::FAST).await?;
        app.wait_done().await?;
        expect_eq("APP SHA-256(abc) with KEY_SEL=1, HMAC_EN=0", &app.read_digest().await?, &reference(b"abc", None))?;
        let key = Key::Apb(b"the application core's own key".to_vec());
        let got = app.run(msg, Some(&key), &Pacing::random(&ctx.tb)).await?;
        expect_eq("APP HMAC with a KEY-register key", &got, &reference(msg, Some(&key)))?;
        drv.drive_key_port(None);
        ctx.count(3);
        ctx.leaks(&drv.leaks)
    })
}

/// Escalation at the block (issue 11 B): `esc` in the middle of an HMAC clears everything as a
/// change of owner does, in every cycle it lasts (a START is undone, nothing finishes), and the
/// engine works again once it falls (after its wipe block), with a fresh key.
fn escalation(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let esc = ctx.tb.port("esc")?;
        let key = Key::Apb(b"a key that escalation must wipe".to_vec());
        drv.leaks.borrow_mut().add_secret(b"a key that escalation must wipe");
        if let Key::Apb(k) = &key {
            drv.write_key(k).await?;
        }
        drv.apb.write(CTRL.offset, CTRL_HMAC_EN.mask()).await?;
        drv.cmd(CMD_START.mask()).await?;
        for i in 0..20u32 {
            drv.apb.write(MSG.offset, 0x0303_0303 ^ i).await?;
        }
        ctx.tb.poke_u32(esc, 1);
        ctx.tb.clock_cycles(3).await;
        let status = drv.apb.read(STATUS.offset).await?;
        if status != 0 || drv.tb.peek_u32(drv.intr_done) != 0 {
            return Err(format!("STATUS 0x{status:08x} under esc: the operation goes on"));
        }
        drv.cmd(CMD_START.mask()).await?;
        let last = drv.apb.write(MSG_LAST.offset, 0x61).await;
        if !matches!(last, Err(ApbError::SlvErr { .. })) {
            return Err(format!("MSG_LAST under esc after a START: {last:?}, expected PSLVERR (the START undone)"));
        }
        ctx.tb.clock_cycles(80).await;
        if drv.apb.read(STATUS.offset).await? != 0 || drv.apb.read(DIGEST.addr(0)).await? != 0 {
            return Err("STATUS or DIGEST non-zero under esc".into());
        }
        ctx.count(1);
        ctx.tb.poke_u32(esc, 0);
        // KEY was wiped: an HMAC over KEY now uses the all-zero key.
        let msg = b"after escalation";
        expect_eq("HMAC over KEY after esc", &hmac_current_key(&drv, msg).await?, &zero_key_tag(msg))?;
        let got = drv.run(msg, Some(&key), &Pacing::FAST).await?;
        expect_eq("HMAC with a fresh key after esc", &got, &reference(msg, Some(&key)))?;
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// The APB protocol rules in the engine's own wait states (a MSG write stalled by a draining
/// buffer): a request changed in a wait state is refused with ERR_PROTOCOL and takes nothing, and
/// so is the first access after a transfer abandoned in a wait state; the hash then goes on with
/// the well-formed writes alone and gives the right digest (issue 11 D).
fn protocol_stall(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let raw = pluton_bindings::apb_agents::ApbRaw::new(&ctx.tb, "")?;
        let sec = MASTER_SEC;
        let mut msg: Vec<u8> = Vec::new();
        drv.apb.write(CTRL.offset, 0).await?;
        drv.cmd(CMD_START.mask()).await?;
        for (case, abandon) in [("pwdata changed in a wait state", false), ("a transfer abandoned in a wait state", true)] {
            // A full buffer: 16 words; the 17th waits while the core reads them.
            for i in 0..16u32 {
                let w = 0x0101_0101u32.wrapping_mul(i + 1) ^ (abandon as u32);
                drv.apb.write(MSG.offset, w).await?;
                msg.extend_from_slice(&w.to_le_bytes());
            }
            raw.idle().await;
            raw.cycle(true, false, true, MSG.offset, 0xdead_0001, sec).await;
            let (ready, _, _) = raw.cycle(true, true, true, MSG.offset, 0xdead_0001, sec).await;
            if ready {
                return Err(format!("{case}: the 17th MSG word did not wait for the draining buffer"));
            }
            let out = if abandon {
                // psel and penable fall in the wait state; the next access, well formed, is refused.
                raw.idle().await;
                raw.cycle(true, false, true, MSG.offset, 0xdead_0002, sec).await;
                raw.cycle(true, true, true, MSG.offset, 0xdead_0002, sec).await
            } else {
                let mut out = (false, false, 0);
                for _ in 0..32 {
                    out = raw.cycle(true, true, true, MSG.offset, 0xdead_0003, sec).await;
                    if out.0 {
                        break;
                    }
                }
                out
            };
            raw.idle().await;
            if out != (true, true, 0) {
                return Err(format!("{case}: the access ended as {out:?} (pready, pslverr, prdata), expected an immediate PSLVERR"));
            }
            let info = drv.apb.read(ERR_INFO.offset).await?;
            if ERR_INFO_CODE.get(info) != ERR_PROTOCOL {
                return Err(format!("{case}: ERR_INFO 0x{info:08x}, expected code ERR_PROTOCOL ({ERR_PROTOCOL})"));
            }
            drv.apb.write(ERR_INFO.offset, 0).await?;
            let len = drv.apb.read(MSG_LEN.offset).await?;
            if len as usize != msg.len() {
                return Err(format!("{case}: MSG_LEN {len}, expected {} (the refused word taken?)", msg.len()));
            }
            ctx.count(1);
        }
        // A whole last word (all four strobes).
        drv.apb.write(MSG_LAST.offset, 0x0000_0061).await?;
        msg.extend_from_slice(&0x61u32.to_le_bytes());
        drv.wait_done().await?;
        expect_eq("digest after the refused words", &drv.read_digest().await?, &reference(&msg, None))?;
        ctx.no_secrets(&drv.leaks)
    })
}

use pluton_cosim::key_parity;

/// Issue 11 B, key-path integrity: a sideload key bit that flips on its way (its parity no
/// longer matches) stops the HMAC at once, raises `alert_fatal` until reset, and leaves the
/// engine refusing to produce anything; with the right parity the same run gives the right tag.
fn key_parity_fault(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let alert = ctx.tb.port("alert_fatal")?;
        let port_key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ 0x5c);
        drv.leaks.borrow_mut().add_secret(&port_key);
        let words: [u32; 8] = core::array::from_fn(|i| u32::from_le_bytes(port_key[4 * i..4 * i + 4].try_into().unwrap()));
        let msg = b"a sideload HMAC whose key is hit on its way";
        let key = Key::Port(port_key);
        // A wrong parity without key_valid is nothing; the right one gives the right tag.
        drv.drive_key_raw(&words, !key_parity(&words) & 0xff, false);
        drv.tb.clock_cycles(3).await;
        if drv.tb.peek_u32(alert) != 0 {
            return Err("alert_fatal from a wrong key_par without key_valid".into());
        }
        let got = drv.run(msg, Some(&key), &Pacing::FAST).await?;
        expect_eq("sideload HMAC with the right parity", &got, &reference(msg, Some(&key)))?;
        ctx.count(1);
        // Start again, then one key bit flips on the port while its parity stays.
        drv.apb.write(CTRL.offset, CTRL_HMAC_EN.mask() | CTRL_KEY_SEL.mask()).await?;
        drv.cmd(CMD_START.mask()).await?;
        drv.apb.write(MSG.offset, 0x6162_6364).await?;
        let mut hit = words;
        hit[3] ^= 1 << 9;
        drv.drive_key_raw(&hit, key_parity(&words), true);
        drv.tb.clock_cycles(2).await;
        drv.drive_key_raw(&words, key_parity(&words), true);
        if drv.tb.peek_u32(alert) != 1 {
            return Err("no alert_fatal after a key bit flipped on the sideload port".into());
        }
        let status = drv.apb.read(STATUS.offset).await?;
        if status != 0 || drv.tb.peek_u32(drv.intr_done) != 0 {
            return Err(format!("STATUS 0x{status:08x} after the key fault: the operation goes on"));
        }
        // Held: a new START is undone, so MSG_LAST has no operation to end (refused; ERR_INFO,
        // cleared at every edge as under `clear`, keeps nothing) and nothing finishes.
        drv.cmd(CMD_START.mask()).await?;
        let last = drv.apb.write(MSG_LAST.offset, 0x61).await;
        if !matches!(last, Err(ApbError::SlvErr { .. })) || drv.apb.read(ERR_INFO.offset).await? != 0 {
            return Err(format!("MSG_LAST after the key fault: {last:?}, expected PSLVERR and an empty ERR_INFO"));
        }
        drv.tb.clock_cycles(200).await;
        if drv.apb.read(STATUS.offset).await? != 0 || drv.apb.read(DIGEST.addr(0)).await? != 0 || drv.tb.peek_u32(alert) != 1 {
            return Err("the engine worked again, or the alert dropped, before reset".into());
        }
        drv.drive_key_port(None);
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// A result belongs to the master whose START was accepted: DIGEST read by anyone else is
/// ERR_NOT_STARTER with prdata 0, in every phase; after reset that master is the security core;
/// ABORT keeps it, and the next START (from anyone) clears the digest.
fn digest_starter(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let app = drv.as_master(MASTER_APP);
        // After reset: the security core's (reading 0), nobody else's.
        expect_refused_read(&drv, &app.apb, "APP DIGEST[0] after reset", DIGEST.addr(0), ERR_NOT_STARTER).await?;
        if drv.apb.read(DIGEST.addr(7)).await? != 0 {
            return Err("DIGEST[7] after reset is not 0".into());
        }
        // The security core's HMAC: no other master reads its tag, in DONE or after.
        let key = Key::Apb(b"security core key".to_vec());
        let msg = b"the security core's result";
        let want = reference(msg, Some(&key));
        expect_eq("SEC HMAC", &drv.run(msg, Some(&key), &Pacing::random(&ctx.tb)).await?, &want)?;
        for master in [MASTER_APP, MASTER_IO0, MASTER_IO1, 15] {
            let other = drv.apb.with_master(master);
            for i in 0..8 {
                expect_refused_read(&drv, &other, &format!("master {master} DIGEST[{i}] of SEC's tag"), DIGEST.addr(i), ERR_NOT_STARTER).await?;
            }
            ctx.count(1);
        }
        expect_eq("SEC's tag after the refused reads", &drv.read_digest().await?, &want)?;
        // APP's START makes the engine APP's: SEC's digest is gone, APP's is APP's alone.
        app.apb.write(CTRL.offset, 0).await?;
        app.cmd(CMD_START.mask()).await?;
        if app.apb.read(DIGEST.addr(0)).await? != 0 {
            return Err("the digest survived APP's START".into());
        }
        expect_refused_read(&drv, &drv.apb, "SEC DIGEST while APP's operation is active", DIGEST.addr(0), ERR_NOT_STARTER).await?;
        app.push_message(b"abc", &Pacing::FAST).await?;
        app.wait_done().await?;
        expect_eq("APP SHA-256(abc)", &app.read_digest().await?, &reference(b"abc", None))?;
        for i in 0..8 {
            expect_refused_read(&drv, &drv.apb, &format!("SEC DIGEST[{i}] of APP's digest"), DIGEST.addr(i), ERR_NOT_STARTER).await?;
        }
        // ABORT (from anyone) keeps the starter; the digest is gone.
        drv.cmd(CMD_ABORT.mask()).await?;
        expect_refused_read(&drv, &drv.apb, "SEC DIGEST after ABORT of APP's operation", DIGEST.addr(0), ERR_NOT_STARTER).await?;
        if app.apb.read(DIGEST.addr(0)).await? != 0 {
            return Err("APP's DIGEST after ABORT is not 0".into());
        }
        // SEC's START takes it back.
        let got = drv.run(b"abc", None, &Pacing::FAST).await?;
        expect_eq("SEC SHA-256(abc)", &got, &reference(b"abc", None))?;
        expect_refused_read(&drv, &app.apb, "APP DIGEST of SEC's digest", DIGEST.addr(3), ERR_NOT_STARTER).await?;
        ctx.count(4);
        ctx.leaks(&drv.leaks)
    })
}

/// Check the engine after a `clear`: idle, no digest, the starter forgotten (APP is refused, SEC
/// reads 0), and KEY wiped (an HMAC over the current KEY gives the all-zero key's tag).
async fn check_cleared(drv: &Sha256Driver, what: &str) -> Result<(), String> {
    let app = drv.as_master(MASTER_APP);
    let status = drv.apb.read(STATUS.offset).await?;
    if status != 0 || drv.tb.peek_u32(drv.intr_done) != 0 {
        return Err(format!("{what}: STATUS 0x{status:08x} after clear"));
    }
    if drv.apb.read(MSG_LEN.offset).await? != 0 {
        return Err(format!("{what}: MSG_LEN not cleared"));
    }
    expect_refused_read(drv, &app.apb, &format!("{what}: APP DIGEST after clear"), DIGEST.addr(0), ERR_NOT_STARTER).await?;
    if drv.apb.read(DIGEST.addr(0)).await? != 0 {
        return Err(format!("{what}: DIGEST not 0 after clear"));
    }
    expect_err(drv, &format!("{what}: MSG after clear"), app.apb.write(MSG.offset, 1).await, ERR_SEQ).await?;
    let msg = b"after a change of owner";
    expect_eq(&format!("{what}: HMAC over KEY after clear"), &hmac_current_key(drv, msg).await?, &zero_key_tag(msg))
}

/// `clear` (a change of owner) in DONE and during ACTIVE: the digest and the operation are gone,
/// KEY is wiped and the starter forgotten. APP is the old owner each time.
fn owner_clear(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let app = drv.as_master(MASTER_APP);
        let key = Key::Apb(b"the old owner's key, which must not outlive it".to_vec());
        let msg: Vec<u8> = (0..100u32).map(|i| (i * 3 + 1) as u8).collect();
        // DONE: APP's tag is valid and APP may read it, until the clear.
        let want = reference(&msg, Some(&key));
        expect_eq("APP HMAC before clear", &app.run(&msg, Some(&key), &Pacing::FAST).await?, &want)?;
        pulse_clear(&drv).await?;
        check_cleared(&drv, "clear in DONE").await?;
        ctx.count(1);

        // ACTIVE, with the key block in the core and message words in the buffer.
        app.write_key(b"a second old key").await?;
        drv.leaks.borrow_mut().add_secret(b"a second old key");
        app.apb.write(CTRL.offset, CTRL_HMAC_EN.mask()).await?;
        app.cmd(CMD_START.mask()).await?;
        for i in 0..5 {
            app.apb.write(MSG.offset, 0x0101_0101 * i).await?;
        }
        if STATUS_BUSY.get(drv.apb.read(STATUS.offset).await?) != 1 {
            return Err("the key block is not in the core before the clear".into());
        }
        pulse_clear(&drv).await?;
        check_cleared(&drv, "clear in ACTIVE").await?;
        ctx.count(1);

        // FINISHING: the padding block in flight.
        app.write_key(b"a third old key").await?;
        drv.leaks.borrow_mut().add_secret(b"a third old key");
        app.apb.write(CTRL.offset, CTRL_HMAC_EN.mask()).await?;
        app.cmd(CMD_START.mask()).await?;
        app.apb.write(MSG_LAST.offset, 0x0063_6261).await?;
        drv.tb.clock_cycles(100).await;
        pulse_clear(&drv).await?;
        check_cleared(&drv, "clear in FINISHING").await?;
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// One write whose completing edge is also a `clear` edge (driven by hand: the requester has no
/// hook between its access cycle and the edge). Returns its `pslverr`.
async fn write_at_clear(drv: &Sha256Driver, master: u32, addr: u32, data: u32) -> Result<bool, String> {
    let tb = &drv.tb;
    let port = |n: &str| tb.port(n);
    let (psel, penable, pwrite, paddr, pwdata, pstrb, pmaster, clear, pready, pslverr) = (
        port("psel")?, port("penable")?, port("pwrite")?, port("paddr")?, port("pwdata")?,
        port("pstrb")?, port("pmaster")?, port("clear")?, port("pready")?, port("pslverr")?,
    );
    tb.poke_u32(psel, 1);
    tb.poke_u32(penable, 0);
    tb.poke_u32(pwrite, 1);
    tb.poke_u32(paddr, addr);
    tb.poke_u32(pwdata, data);
    tb.poke_u32(pstrb, 0xf);
    tb.poke_u32(pmaster, master);
    tb.rising_edge().await;
    tb.poke_u32(penable, 1);
    tb.poke_u32(clear, 1);
    if tb.peek_u32(pready) != 1 {
        return Err(format!("write of 0x{addr:03x} at the clear edge waits"));
    }
    let err = tb.peek_u32(pslverr) == 1;
    tb.rising_edge().await;
    tb.poke_u32(psel, 0);
    tb.poke_u32(penable, 0);
    tb.poke_u32(clear, 0);
    Ok(err)
}

/// A transfer completing at a `clear` edge: its effects come first and `clear` wins, so a KEY
/// write or a START at that edge is undone, and ERR_INFO is cleared; a CTRL write stays.
fn owner_clear_same_edge(ctx: Ctx) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>> {
    Box::pin(async move {
        let drv = Sha256Driver::new(&ctx.tb)?;
        let app = drv.as_master(MASTER_APP);
        drv.cmd(CMD_WIPE_KEY.mask()).await?;
        // KEY write at the clear edge: wiped.
        if write_at_clear(&drv, MASTER_APP, KEY.addr(0), 0x5eed_c0de).await? {
            return Err("KEY write at the clear edge gave PSLVERR".into());
        }
        let msg = b"key written at the clear edge";
        expect_eq("HMAC after a KEY write at the clear edge", &hmac_current_key(&drv, msg).await?, &zero_key_tag(msg))?;
        // START at the clear edge: undone, and APP is not the starter.
        app.apb.write(CTRL.offset, 0).await?;
        if write_at_clear(&drv, MASTER_APP, CMD.offset, CMD_START.mask()).await? {
            return Err("START at the clear edge gave PSLVERR".into());
        }
        check_cleared(&drv, "START at the clear edge").await?;
        // CTRL write at the clear edge: kept.
        if write_at_clear(&drv, MASTER_APP, CTRL.offset, CTRL_KEY_SEL.mask()).await? {
            return Err("CTRL write at the clear edge gave PSLVERR".into());
        }
        if drv.apb.read(CTRL.offset).await? != CTRL_KEY_SEL.mask() {
            return Err("CTRL write at the clear edge was lost".into());
        }
        // An error logged before the change of owner, and one at the clear edge: both gone, so
        // the new owner learns nothing of the old one's accesses.
        if app.apb.write(ID.offset, 0).await.is_ok() {
            return Err("write of ID did not give PSLVERR".into());
        }
        if ERR_INFO_CODE.get(drv.apb.read(ERR_INFO.offset).await?) != ERR_WRITE_RO {
            return Err("the refused write of ID was not logged".into());
        }
        if !write_at_clear(&drv, MASTER_APP, ID.offset, 0).await? {
            return Err("write of ID at the clear edge did not give PSLVERR".into());
        }
        let info = drv.apb.read(ERR_INFO.offset).await?;
        if info != 0 {
            return Err(format!("ERR_INFO after the clear edge: 0x{info:08x}, expected 0"));
        }
        ctx.count(4);
        ctx.no_secrets(&drv.leaks)
    })
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::formal::Proof;
    use crate::regression::BlockBench;
    const SBY: &str = "testbenches/sha256/formal/sha256.sby";
    vec![BlockBench {
        block: "sha256",
        module: "pluton_sha256",
        model: Some(|| Box::new(pluton_cosim::Sha256Model::new())),
        cases,
        replay: "hmac_rfc4231",
        csr: Some(&crate::csr::CsrSpec { map: &pluton_hdl::sha256::regs::MAP, base: 0, master: pluton_hdl::common::masters::MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[
            Proof { id: "h", block: "sha256", claim: "only pmaster 0 starts an HMAC with the sideload key", sby: SBY, task: "sideload", mutant: "sideload_mutant" },
            Proof { id: "i", block: "sha256", claim: "DIGEST answers only the master that started the operation", sby: SBY, task: "starter", mutant: "starter_mutant" },
        ],
        compares_reads: true,
        scans_leaks: false,
    }]
}
