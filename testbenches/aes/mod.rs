//! AES engine test bench: standards' examples, NIST CAVP and Wycheproof vectors, random operations, errors, sideload keys, escalation, the state check and simulated TVLA.
//!
//! The bench plays the security core on APB (and the DRBG and OTP on the sideload ports, and the
//! DRBG's mask port on the masked engine). The same cases run on `pluton_aes` and, where listed
//! in `masked_cases`, on `pluton_aes_masked`: `Aes` sees which one it drives from its ports.
//! Expected values come from `oracle` (the RustCrypto `aes` and `aes-gcm` crates); every case
//! also runs in lock-step with the port-level model. Every read is scanned for every 4-byte
//! window of every key, IV, H and E(K, J0) in use.

pub mod oracle;

use crate::leak::LeakScan;
use crate::regression::{Case, Ctx, TestFuture};
use pluton_bindings::apb::Apb;
use pluton_bindings::Tb;
use pluton_hdl::aes::regs::*;
use pluton_hdl::common::regmap::Register;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

/// One operation as software sees it.
#[derive(Clone, Debug)]
pub struct Op {
    pub mode: u32,
    pub decrypt: bool,
    pub key: Vec<u8>,
    /// CBC/CTR: 16 bytes; GCM: 12; ECB: empty.
    pub iv: Vec<u8>,
    pub aad: Vec<u8>,
    pub data: Vec<u8>,
    /// GCM decrypt: the tag to check (4..=16 bytes).
    pub tag: Vec<u8>,
    /// Where the key comes from (KEY_SRC_*); the bench drives the port with `key`.
    pub src: u32,
}

impl Op {
    fn new(mode: u32, decrypt: bool, key: &[u8], iv: &[u8], data: &[u8]) -> Op {
        Op { mode, decrypt, key: key.to_vec(), iv: iv.to_vec(), aad: vec![], data: data.to_vec(), tag: vec![], src: KEY_SRC_REGS }
    }

    /// What the engine must give: the output bytes, and for GCM the tag (encrypt) or whether
    /// the tag matches (decrypt).
    fn expect(&self) -> Result<(Vec<u8>, Option<[u8; 16]>, u32), String> {
        let iv16 = || -> Result<[u8; 16], String> { self.iv.as_slice().try_into().map_err(|_| format!("{}-byte IV", self.iv.len())) };
        Ok(match self.mode {
            MODE_ECB => (oracle::ecb(&self.key, self.decrypt, &self.data)?, None, RES_OK),
            MODE_CBC => (oracle::cbc(&self.key, self.decrypt, iv16()?, &self.data)?, None, RES_OK),
            MODE_CTR => (oracle::ctr(&self.key, iv16()?, &self.data)?, None, RES_OK),
            _ if !self.decrypt => {
                let (ct, tag) = oracle::gcm_seal(&self.key, &self.iv, &self.aad, &self.data)?;
                (ct, Some(tag), RES_OK)
            }
            _ => {
                let (pt, tag) = oracle::gcm_open_unchecked(&self.key, &self.iv, &self.aad, &self.data)?;
                let ok = self.tag.len() <= 16 && tag[..self.tag.len()] == self.tag[..];
                (pt, None, if ok { RES_OK } else { RES_TAG_MISMATCH })
            }
        })
    }
}

/// Bytes as the memory-order words of a register (word i = bytes 4i..4i+3, little-endian).
fn le_words(b: &[u8], n: usize) -> Vec<u32> {
    let mut p = b.to_vec();
    p.resize(4 * n, 0);
    p.chunks(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect()
}

/// A 256-bit sideload port value: the DRBG's with key byte 0 in bits 255:248 (port word 7's top
/// byte); the OTP's in the fuses' layout, byte 0 in bits 7:0 (as memory-order words).
fn port_words(key: &[u8], src: u32) -> Vec<u32> {
    let mut k = key.to_vec();
    k.resize(32, 0);
    if src == KEY_SRC_OTP {
        return le_words(&k, 8);
    }
    (0..8).map(|w| u32::from_be_bytes(k[28 - 4 * w..32 - 4 * w].try_into().unwrap())).collect()
}

struct Aes {
    tb: Tb,
    apb: Apb,
    leaks: Rc<RefCell<LeakScan>>,
    /// BLOCK_BYTES as last written.
    bb: RefCell<u32>,
    /// The top is `pluton_aes_masked` (it has a mask seed port).
    masked: bool,
}

/// The variant's figures: (state-access model, top, START_EDGES, BLOCK_EDGES).
fn variant(masked: bool) -> (&'static str, &'static str, [u32; 2], [u32; 2]) {
    if masked {
        ("pluton_aes_masked_fi", "pluton_aes_masked", START_EDGES_MASKED, BLOCK_EDGES_MASKED)
    } else {
        ("pluton_aes_fi", "pluton_aes", START_EDGES, BLOCK_EDGES)
    }
}

impl Aes {
    async fn new(tb: &Tb) -> Result<Aes, String> {
        let apb = Apb::new(tb)?.with_master(MASTER_SEC);
        let leaks = LeakScan::watch(&apb);
        let masked = tb.port("mask_seed").is_ok();
        let a = Aes { tb: tb.clone(), apb, leaks, bb: RefCell::new(16), masked };
        let id = a.apb.read(ID.offset).await?;
        if id != BLOCK_ID {
            return Err(format!("ID 0x{id:08x}, expected 0x{BLOCK_ID:08x}"));
        }
        Ok(a)
    }

    async fn read(&self, reg: &Register) -> Result<u32, String> {
        crate::regio::read_reg(&self.apb, 0, reg).await
    }

    async fn write(&self, reg: &Register, v: u32) -> Result<(), String> {
        crate::regio::write_reg(&self.apb, 0, reg, v).await
    }

    async fn write_words(&self, reg: &Register, words: &[u32]) -> Result<(), String> {
        for (i, w) in words.iter().enumerate() {
            self.apb.write(reg.addr(i as u32), *w).await.map_err(|e| format!("{}[{i}] <- 0x{w:08x}: {e}", reg.name))?;
        }
        Ok(())
    }

    async fn read_words(&self, reg: &Register) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for i in 0..4 {
            out.extend(self.apb.read(reg.addr(i)).await.map_err(|e| format!("{}[{i}]: {e}", reg.name))?.to_le_bytes());
        }
        Ok(out)
    }

    /// Polls STATUS until `done(status)`.
    async fn wait(&self, what: &str, done: impl Fn(u32) -> bool) -> Result<u32, String> {
        for _ in 0..2_000 {
            let s = self.read(&STATUS).await?;
            if done(s) {
                return Ok(s);
            }
        }
        Err(format!("{what}: never (STATUS 0x{:08x})", self.read(&STATUS).await?))
    }

    /// The masked engine: a fresh mask seed on its port, valid (the DRBG's part). The seed is
    /// secret (it and the masked values give the key): every read is scanned for it.
    fn offer_seed(&self) -> Result<(), String> {
        if self.masked {
            let seed: [u8; 32] = self.tb.rng().gen();
            self.leaks.borrow_mut().add_secret(&seed);
            self.tb.poke(self.tb.port("mask_seed")?, &le_words(&seed, 8));
            self.tb.poke_u32(self.tb.port("mask_seed_valid")?, 1);
        }
        Ok(())
    }

    /// The mask port empties (the DRBG's part after `mask_seed_taken`, or no seed at all).
    fn drop_seed(&self) -> Result<(), String> {
        if self.masked {
            self.tb.poke_u32(self.tb.port("mask_seed_valid")?, 0);
        }
        Ok(())
    }

    /// Writes CMD and waits for DONE; returns RESULT.ERROR after checking RESULT.OP. On the
    /// masked engine OP_START gets a fresh mask seed.
    async fn cmd(&self, op: u32) -> Result<u32, String> {
        if op == OP_START {
            self.offer_seed()?;
        }
        let r = self.cmd_raw(op).await;
        self.drop_seed()?;
        r
    }

    /// `cmd` without the mask seed.
    async fn cmd_raw(&self, op: u32) -> Result<u32, String> {
        self.write(&CMD, op).await?;
        self.wait(&format!("DONE after op {op}"), |s| STATUS_DONE.get(s) == 1).await?;
        let r = self.read(&RESULT).await?;
        if RESULT_OP.get(r) != op {
            return Err(format!("RESULT 0x{r:08x} after op {op}"));
        }
        Ok(RESULT_ERROR.get(r))
    }

    async fn set_bytes(&self, n: u32) -> Result<(), String> {
        if *self.bb.borrow() != n {
            // Refused while DATA_IN holds a block the engine has not taken yet.
            self.wait("DATA_IN empty", |s| STATUS_IN_FULL.get(s) == 0).await?;
            self.write(&BLOCK_BYTES, n).await?;
            *self.bb.borrow_mut() = n;
        }
        Ok(())
    }

    /// One block in (zero-padded); for a text block, its output's first `data.len()` bytes.
    async fn block(&self, data: &[u8], text: bool) -> Result<Vec<u8>, String> {
        self.set_bytes(data.len() as u32).await?;
        if !text {
            // The AAD block before may still wait for GHASH (IN_FULL): DATA_IN would refuse.
            self.wait("DATA_IN free", |s| STATUS_IN_FULL.get(s) == 0).await?;
        }
        if let Err(e) = self.write_words(&DATA_IN, &le_words(data, 4)).await {
            return Err(format!("{e} (ERR_INFO 0x{:08x}, a {}-byte block)", self.read(&ERR_INFO).await?, data.len()));
        }
        if !text {
            return Ok(vec![]);
        }
        self.wait("OUT_VALID", |s| STATUS_OUT_VALID.get(s) == 1).await?;
        let out = self.read_words(&DATA_OUT).await?;
        Ok(out[..data.len()].to_vec())
    }

    /// CTRL, the key (registers, or the bench drives the port), IV; registers the secrets.
    async fn setup(&self, op: &Op) -> Result<(), String> {
        let k256 = op.key.len() == 32;
        let ctrl = CTRL_MODE.put(op.mode) | CTRL_DECRYPT.put(op.decrypt as u32) | CTRL_KEY256.put(k256 as u32)
            | CTRL_KEY_SRC.put(op.src) | CTRL_TAG_BYTES.put(if op.tag.is_empty() { 16 } else { op.tag.len() as u32 });
        self.write(&CTRL, ctrl).await?;
        let mut l = self.leaks.borrow_mut();
        l.add_secret(&op.key);
        if op.mode != MODE_ECB {
            l.add_secret(&op.iv);
        }
        if op.mode == MODE_GCM {
            for s in oracle::gcm_secrets(&op.key, &op.iv)? {
                l.add_secret(&s);
            }
        }
        drop(l);
        match op.src {
            KEY_SRC_REGS => self.write_words(&KEY, &le_words(&op.key, 8)).await?,
            src => {
                let (port, valid) = if src == KEY_SRC_DRBG { ("key_drbg", "key_drbg_valid") } else { ("key_otp", "key_otp_valid") };
                self.tb.poke(self.tb.port(port)?, &port_words(&op.key, src));
                self.tb.poke_u32(self.tb.port(valid)?, 1);
            }
        }
        if op.mode != MODE_ECB {
            self.write_words(&IV, &le_words(&op.iv, 4)).await?;
        }
        Ok(())
    }

    /// Runs `op` and checks it against the oracle. Returns the cycles it took.
    async fn run(&self, op: &Op) -> Result<u64, String> {
        let (want, want_tag, want_res) = op.expect()?;
        // Outputs are public: a word of them may equal a window of a secret by chance.
        self.leaks.borrow_mut().allow_digest(&pad4(&want));
        if let Some(t) = want_tag {
            self.leaks.borrow_mut().allow_digest(&t);
        }
        let c0 = self.tb.cycle();
        self.setup(op).await?;
        let r = self.cmd(OP_START).await?;
        if r != RES_OK {
            return Err(format!("START: RESULT.ERROR {r}"));
        }
        if op.mode == MODE_GCM {
            for chunk in op.aad.chunks(16) {
                self.block(chunk, false).await?;
            }
            self.wait("AAD absorbed", |s| STATUS_BUSY.get(s) == 0 && STATUS_IN_FULL.get(s) == 0).await?;
            let r = self.cmd(OP_TEXT).await?;
            if r != RES_OK {
                return Err(format!("TEXT: RESULT.ERROR {r}"));
            }
        }
        let mut got = Vec::new();
        for chunk in op.data.chunks(16) {
            got.extend(self.block(chunk, true).await?);
        }
        if got != want {
            return Err(format!("{}: output {} differs from the oracle's {}", op_name(op), hex(&got), hex(&want)));
        }
        self.wait("idle before FINAL", |s| STATUS_BUSY.get(s) == 0).await?;
        if op.mode == MODE_GCM && op.decrypt {
            let mut t = op.tag.clone();
            t.resize(16, 0);
            self.write_words(&TAG_EXP, &le_words(&t, 4)).await?;
        }
        let r = self.cmd(OP_FINAL).await?;
        if r != want_res {
            return Err(format!("{}: FINAL RESULT.ERROR {r}, expected {want_res}", op_name(op)));
        }
        let tag = self.read_words(&TAG).await?;
        let expect_tag = want_tag.map(|t| t.to_vec()).unwrap_or(vec![0; 16]);
        if tag != expect_tag {
            return Err(format!("{}: TAG {} expected {}", op_name(op), hex(&tag), hex(&expect_tag)));
        }
        if op.src != KEY_SRC_REGS {
            for p in ["key_drbg_valid", "key_otp_valid"] {
                self.tb.poke_u32(self.tb.port(p)?, 0);
            }
        }
        // Back to 16 for the next operation (no block is waiting after FINAL).
        self.set_bytes(16).await?;
        Ok(self.tb.cycle() - c0)
    }
}

fn pad4(b: &[u8]) -> Vec<u8> {
    let mut p = b.to_vec();
    p.resize(b.len().div_ceil(4) * 4, 0);
    p
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex literal in the bench")).collect()
}

fn op_name(op: &Op) -> String {
    let m = ["ECB", "CBC", "CTR", "GCM"][op.mode as usize & 3];
    format!("AES-{}-{m} {}", 8 * op.key.len(), if op.decrypt { "decrypt" } else { "encrypt" })
}

/// The standards' own examples, with the expected values written out here (not computed):
/// FIPS 197 C.1 and C.3, SP 800-38A F.2.1/F.2.6 (CBC) and F.5.1 (CTR), and the GCM spec's test
/// cases 2, 4 and 16 (a 60-byte plaintext: a partial last block; 20 bytes of AAD).
fn known(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let k128 = unhex("000102030405060708090a0b0c0d0e0f");
        let k256 = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        let p = unhex("00112233445566778899aabbccddeeff");
        let cases: Vec<(Op, &str)> = vec![
            (Op::new(MODE_ECB, false, &k128, &[], &p), "69c4e0d86a7b0430d8cdb78070b4c55a"),
            (Op::new(MODE_ECB, false, &k256, &[], &p), "8ea2b7ca516745bfeafc49904b496089"),
            (Op::new(MODE_ECB, true, &k256, &[], &unhex("8ea2b7ca516745bfeafc49904b496089")), "00112233445566778899aabbccddeeff"),
        ];
        let sp_key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
        let sp_pt = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        let mut more: Vec<(Op, &str)> = vec![
            (Op::new(MODE_CBC, false, &sp_key, &unhex("000102030405060708090a0b0c0d0e0f"), &sp_pt),
             "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"),
            (Op::new(MODE_CTR, false, &sp_key, &unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), &sp_pt),
             "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"),
            (Op::new(MODE_CBC, true, &unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"),
                     &unhex("000102030405060708090a0b0c0d0e0f"), &unhex("f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d")),
             "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"),
        ];
        let mut all = cases;
        all.append(&mut more);
        for (op, want) in &all {
            let (got, _, _) = op.expect()?;
            if hex(&got) != *want {
                return Err(format!("the oracle disagrees with the standard on {}", op_name(op)));
            }
            a.run(op).await?;
            ctx.count(1);
        }
        // GCM test case 2: K = 0, IV = 0, P = 0^128: C = 0388dace..., T = ab6e47d4...
        let mut g = Op::new(MODE_GCM, false, &[0; 16], &[0; 12], &[0; 16]);
        let (c, t, _) = g.expect()?;
        if hex(&c) != "0388dace60b6a392f328c2b971b2fe78" || hex(&t.unwrap()) != "ab6e47d42cec13bdf53a67b21257bddf" {
            return Err("the oracle disagrees with GCM test case 2".into());
        }
        a.run(&g).await?;
        // Test case 4 (AES-128) and 16 (AES-256): AAD of 20 bytes, 60-byte plaintext.
        let tc4_key = unhex("feffe9928665731c6d6a8f9467308308");
        let tc4_iv = unhex("cafebabefacedbaddecaf888");
        let tc4_p = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        let tc4_a = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        g = Op::new(MODE_GCM, false, &tc4_key, &tc4_iv, &tc4_p);
        g.aad = tc4_a.clone();
        let (_, t, _) = g.expect()?;
        if hex(&t.unwrap()) != "5bc94fbc3221a5db94fae95ae7121a47" {
            return Err("the oracle disagrees with GCM test case 4".into());
        }
        a.run(&g).await?;
        let mut tc16 = g.clone();
        tc16.key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        let (_, t, _) = tc16.expect()?;
        if hex(&t.unwrap()) != "76fc6ece0f4e1768cddf8853bb2d551b" {
            return Err("the oracle disagrees with GCM test case 16".into());
        }
        a.run(&tc16).await?;
        // Decrypt: the right tag, then a tag with one bit flipped.
        let (ct, t, _) = g.expect()?;
        let mut d = Op::new(MODE_GCM, true, &tc4_key, &tc4_iv, &ct);
        d.aad = tc4_a;
        d.tag = t.unwrap().to_vec();
        a.run(&d).await?;
        d.tag[15] ^= 0x80;
        a.run(&d).await?;
        ctx.count(5);
        ctx.leaks(&a.leaks)
    })
}

/// Random operations against the oracle: every mode, both directions, both key lengths, 0..6
/// blocks with partial last blocks in CTR and GCM, 0..40 bytes of AAD, truncated tags, right
/// and wrong tags, keys from the registers and both sideload ports.
fn random(ctx: Ctx) -> TestFuture {
    random_ops(ctx, 10_000)
}

fn random_masked(ctx: Ctx) -> TestFuture {
    random_ops(ctx, 1_000)
}

fn random_ops(ctx: Ctx, ops: usize) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let n = ctx.scale(ops);
        let mut blocks = 0u64;
        for k in 0..n {
            let op = {
                let mut r = ctx.tb.rng();
                let mode = r.gen_range(0..4u32);
                let decrypt = r.gen_bool(0.5);
                let klen = if r.gen_bool(0.5) { 16 } else { 32 };
                let key: Vec<u8> = (0..klen).map(|_| r.gen()).collect();
                let ivlen = match mode { MODE_ECB => 0, MODE_GCM => 12, _ => 16 };
                let iv: Vec<u8> = (0..ivlen).map(|_| r.gen()).collect();
                let nb = r.gen_range(0..=5usize);
                let len = if mode == MODE_ECB || mode == MODE_CBC { 16 * nb } else { (16 * nb).saturating_sub(r.gen_range(0..16)) };
                let data: Vec<u8> = (0..len).map(|_| r.gen()).collect();
                let mut op = Op::new(mode, decrypt, &key, &iv, &data);
                // Sideload keys run GCM only; the fuse key only on the masked engine.
                if mode == MODE_GCM {
                    op.src = if a.masked { r.gen_range(0..3) } else { r.gen_range(0..2) };
                }
                if mode == MODE_GCM {
                    let alen = r.gen_range(0..=40);
                    op.aad = (0..alen).map(|_| r.gen()).collect();
                    if decrypt {
                        let tl = [4, 8, 12, 13, 14, 15, 16][r.gen_range(0..7)];
                        let wrong = r.gen_bool(0.3);
                        drop(r);
                        let (_, tag) = oracle::gcm_open_unchecked(&op.key, &op.iv, &op.aad, &op.data)?;
                        op.tag = tag[..tl].to_vec();
                        if wrong {
                            let mut r = ctx.tb.rng();
                            let i = r.gen_range(0..tl);
                            op.tag[i] ^= 1 << r.gen_range(0..8);
                        }
                    }
                }
                op
            };
            blocks += op.data.len().div_ceil(16) as u64 + op.aad.len().div_ceil(16) as u64;
            a.run(&op).await.map_err(|e| format!("op {k}: {e}"))?;
            ctx.count(1);
        }
        ctx.metric("operations", n as f64);
        ctx.metric("blocks", blocks as f64);
        ctx.leaks(&a.leaks)
    })
}

/// Every committed CAVP ECB and CBC record (KAT and MMT, 128- and 256-bit keys), both
/// directions: the oracle first agrees with the file, then the engine with the oracle.
fn cavp(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let files = crate::vectors::aes_cavp()?;
        let total: usize = files.iter().map(|(_, r)| r.len()).sum();
        let step = (total / ctx.scale(total)).max(1);
        let mut ran = 0;
        for (file, recs) in &files {
            let mode = if file.starts_with("CBC") { MODE_CBC } else { MODE_ECB };
            for (k, r) in recs.iter().enumerate().step_by(step) {
                let (input, want) = if r.encrypt { (&r.plaintext, &r.ciphertext) } else { (&r.ciphertext, &r.plaintext) };
                let op = Op::new(mode, !r.encrypt, &r.key, r.iv.as_deref().unwrap_or(&[]), input);
                if op.expect()?.0 != *want {
                    return Err(format!("{file} record {k}: the oracle disagrees with the file"));
                }
                a.run(&op).await.map_err(|e| format!("{file} record {k}: {e}"))?;
                ran += 1;
                ctx.count(1);
            }
        }
        ctx.metric("records", ran as f64);
        ctx.leaks(&a.leaks)
    })
}

/// Every committed CAVP GCM record (96-bit IVs; `gcmEncryptExtIV` and `gcmDecrypt`, 128- and
/// 256-bit keys, every tag length): encrypt records give CT and the tag's prefix; decrypt
/// records give PT and RES_OK, or RES_TAG_MISMATCH where the file says FAIL.
fn gcm_cavp(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let files = crate::vectors::gcm_cavp()?;
        let total: usize = files.iter().map(|(_, r)| r.len()).sum();
        let step = (total / ctx.scale(total)).max(1);
        let (mut ran, mut fails) = (0, 0);
        for (file, recs) in &files {
            let decrypt = file.contains("Decrypt");
            for (k, r) in recs.iter().enumerate().step_by(step) {
                let mut op = Op::new(MODE_GCM, decrypt, &r.key, &r.iv, if decrypt { &r.ct } else { r.pt.as_deref().unwrap_or(&[]) });
                op.aad = r.aad.clone();
                if decrypt {
                    op.tag = r.tag.clone();
                }
                let (out, tag, res) = op.expect()?;
                let agrees = if decrypt {
                    (res == RES_TAG_MISMATCH) == r.fail && (r.fail || Some(&out) == r.pt.as_ref())
                } else {
                    out == r.ct && tag.is_some_and(|t| t[..r.tag.len()] == r.tag[..])
                };
                if !agrees {
                    return Err(format!("{file} record {k}: the oracle disagrees with the file"));
                }
                fails += r.fail as usize;
                a.run(&op).await.map_err(|e| format!("{file} record {k}: {e}"))?;
                ran += 1;
                ctx.count(1);
            }
        }
        ctx.metric("records", ran as f64);
        ctx.metric("fail_records", fails as f64);
        ctx.leaks(&a.leaks)
    })
}

/// Wycheproof `aes_gcm` (128- and 256-bit keys, 96-bit IVs) and `aes_cbc_pkcs5` (the padding
/// done here, as software on the security core would): valid cases give their ciphertext both
/// ways; invalid ones are refused, by the tag check or by the padding check on the engine's
/// plaintext.
fn wycheproof(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let (mut valid, mut invalid) = (0, 0);
        for c in crate::vectors::wycheproof_aes_gcm()? {
            let bad = c.result == wycheproof::TestResult::Invalid;
            let mut d = Op::new(MODE_GCM, true, &c.key, &c.iv, &c.ct);
            d.aad = c.aad.clone();
            d.tag = c.tag.clone();
            let (pt, _, res) = d.expect()?;
            if (res == RES_TAG_MISMATCH) != bad || (!bad && pt != c.pt) {
                return Err(format!("wycheproof aes_gcm tc {}: the oracle disagrees with the file", c.tc_id));
            }
            a.run(&d).await.map_err(|e| format!("wycheproof aes_gcm tc {} ({}): {e}", c.tc_id, c.comment))?;
            if !bad {
                let mut e = Op::new(MODE_GCM, false, &c.key, &c.iv, &c.pt);
                e.aad = c.aad.clone();
                a.run(&e).await.map_err(|e| format!("wycheproof aes_gcm tc {} encrypt: {e}", c.tc_id))?;
                valid += 1;
            } else {
                invalid += 1;
            }
            ctx.count(1);
        }
        for c in crate::vectors::wycheproof_aes_cbc_pkcs5()? {
            let bad = c.result == wycheproof::TestResult::Invalid;
            let iv: [u8; 16] = c.iv.as_slice().try_into().map_err(|_| format!("cbc tc {}: IV length", c.tc_id))?;
            let refused = if c.ct.len() % 16 != 0 || c.ct.is_empty() {
                true // software refuses it before the engine: not whole blocks
            } else {
                let d = Op::new(MODE_CBC, true, &c.key, &iv, &c.ct);
                a.run(&d).await.map_err(|e| format!("wycheproof aes_cbc_pkcs5 tc {}: {e}", c.tc_id))?;
                let padded = d.expect()?.0;
                match crate::vectors::pkcs7_unpad(&padded) {
                    Some(pt) if pt == c.pt.as_slice() => false,
                    Some(_) if !bad => return Err(format!("cbc tc {}: plaintext differs", c.tc_id)),
                    _ => true,
                }
            };
            if refused != bad {
                return Err(format!("wycheproof aes_cbc_pkcs5 tc {} ({}): refused {refused}, file says {:?}", c.tc_id, c.comment, c.result));
            }
            if !bad {
                let e = Op::new(MODE_CBC, false, &c.key, &iv, &crate::vectors::pkcs7_pad(&c.pt));
                if e.expect()?.0 != c.ct {
                    return Err(format!("cbc tc {}: the oracle disagrees with the file", c.tc_id));
                }
                a.run(&e).await.map_err(|e| format!("wycheproof aes_cbc_pkcs5 tc {} encrypt: {e}", c.tc_id))?;
                valid += 1;
            } else {
                invalid += 1;
            }
            ctx.count(1);
        }
        ctx.metric("valid", valid as f64);
        ctx.metric("invalid", invalid as f64);
        ctx.leaks(&a.leaks)
    })
}

/// Each bus error and RESULT code, each changing nothing: a correct operation follows them all.
fn errors(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        // A write or read that must be refused, with its logged code.
        async fn refused(a: &Aes, r: Result<(), String>, code: u32, what: &str) -> Result<(), String> {
            match r {
                Err(e) if e.contains("pslverr") => {}
                other => return Err(format!("{what}: {other:?}, expected PSLVERR")),
            }
            let info = a.read(&ERR_INFO).await?;
            if ERR_INFO_CODE.get(info) != code {
                return Err(format!("{what}: ERR_INFO 0x{info:08x}, expected code {code}"));
            }
            a.write(&ERR_INFO, 0).await
        }
        let key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
        a.leaks.borrow_mut().add_secret(&key);
        refused(&a, a.write(&DATA_IN, 1).await, ERR_STATE, "DATA_IN with no operation").await?;
        refused(&a, a.read(&DATA_OUT).await.map(|_| ()), ERR_EMPTY, "DATA_OUT empty").await?;
        refused(&a, a.write(&CTRL, CTRL_RESET | CTRL_KEY_SRC.put(3)).await, ERR_VALUE, "CTRL KEY_SRC 3").await?;
        refused(&a, a.write(&CTRL, CTRL_TAG_BYTES.put(5)).await, ERR_VALUE, "CTRL TAG_BYTES 5").await?;
        refused(&a, a.write(&CTRL, CTRL_RESET | 1 << 6).await, ERR_VALUE, "CTRL bit 6").await?;
        refused(&a, a.write(&BLOCK_BYTES, 0).await, ERR_VALUE, "BLOCK_BYTES 0").await?;
        refused(&a, a.write(&BLOCK_BYTES, 17).await, ERR_VALUE, "BLOCK_BYTES 17").await?;
        for v in [0, 5, OP_START | 1 << 4] {
            refused(&a, a.write(&CMD, v).await, ERR_VALUE, &format!("CMD 0x{v:x}")).await?;
        }
        match a.apb.with_master(MASTER_APP).read(STATUS.offset).await {
            Err(e) if e.to_string().contains("pslverr") => {}
            r => return Err(format!("the application core read STATUS: {r:?}")),
        }
        if ERR_INFO_CODE.get(a.read(&ERR_INFO).await?) != ERR_MASTER {
            return Err("the application core's read: not ERR_MASTER".into());
        }
        a.write(&ERR_INFO, 0).await?;
        for op in [OP_TEXT, OP_FINAL] {
            if a.cmd(op).await? != RES_NOT_ACTIVE {
                return Err(format!("op {op} with no operation: not RES_NOT_ACTIVE"));
            }
        }
        // A sideload port with no key (in GCM, which the policy allows).
        a.write(&CTRL, CTRL_RESET | CTRL_MODE.put(MODE_GCM) | CTRL_KEY_SRC.put(KEY_SRC_DRBG)).await?;
        if a.cmd(OP_START).await? != RES_NO_KEY || STATUS_ACTIVE.get(a.read(&STATUS).await?) != 0 {
            return Err("START from an empty DRBG port: not RES_NO_KEY, or ACTIVE".into());
        }
        // The key policy, checked at the CMD edge: a refused START leaves the open operation.
        a.write(&CTRL, CTRL_RESET).await?;
        a.write_words(&KEY, &le_words(&key, 8)).await?;
        if a.cmd(OP_START).await? != RES_OK {
            return Err("ECB START".into());
        }
        for (mode, src) in [(MODE_ECB, KEY_SRC_DRBG), (MODE_CBC, KEY_SRC_DRBG), (MODE_CTR, KEY_SRC_DRBG), (MODE_CTR, KEY_SRC_OTP), (MODE_GCM, KEY_SRC_OTP)] {
            // The ports hold keys, so only the policy can refuse.
            a.tb.poke(a.tb.port("key_drbg")?, &[0x5a5a_5a5a; 8]);
            a.tb.poke_u32(a.tb.port("key_drbg_valid")?, 1);
            a.tb.poke(a.tb.port("key_otp")?, &[0xa5a5_a5a5; 8]);
            a.tb.poke_u32(a.tb.port("key_otp_valid")?, 1);
            a.write(&CTRL, CTRL_RESET | CTRL_MODE.put(mode) | CTRL_KEY_SRC.put(src)).await?;
            let r = a.cmd(OP_START).await?;
            let want = if mode == MODE_GCM && a.masked { RES_OK } else { RES_KEY_POLICY };
            if r != want {
                return Err(format!("START with KEY_SRC {src} in mode {mode}: RESULT.ERROR {r}, expected {want}"));
            }
            if want == RES_KEY_POLICY && STATUS_ACTIVE.get(a.read(&STATUS).await?) != 1 {
                return Err(format!("START refused by the policy (KEY_SRC {src}, mode {mode}) ended the open operation"));
            }
            for p in ["key_drbg_valid", "key_otp_valid"] {
                a.tb.poke_u32(a.tb.port(p)?, 0);
            }
        }
        if a.masked {
            // No mask seed: RES_NO_ENTROPY after the wipe, no operation open.
            a.write(&CTRL, CTRL_RESET).await?;
            if a.cmd_raw(OP_START).await? != RES_NO_ENTROPY || STATUS_ACTIVE.get(a.read(&STATUS).await?) != 0 {
                return Err("START with no mask seed: not RES_NO_ENTROPY, or ACTIVE".into());
            }
        } else if a.cmd(OP_FINAL).await? != RES_OK {
            return Err("FINAL of the ECB operation the policy refusals left open".into());
        }
        // ECB: TEXT out of sequence; a short block; busy; pending words.
        a.write(&CTRL, CTRL_RESET).await?;
        a.write_words(&KEY, &le_words(&key, 8)).await?;
        a.offer_seed()?;
        a.write(&CMD, OP_START).await?;
        a.drop_seed()?;
        refused(&a, a.write(&CMD, OP_FINAL).await, ERR_BUSY, "CMD during START").await?;
        refused(&a, a.write(&KEY, 0).await, ERR_BUSY, "KEY during START").await?;
        a.wait("START done", |s| STATUS_DONE.get(s) == 1).await?;
        if a.cmd(OP_TEXT).await? != RES_SEQUENCE {
            return Err("TEXT in ECB: not RES_SEQUENCE".into());
        }
        a.write(&BLOCK_BYTES, 8).await?;
        refused(&a, a.write(&DATA_IN, 1).await, ERR_VALUE, "DATA_IN in ECB with BLOCK_BYTES 8").await?;
        a.write(&BLOCK_BYTES, 16).await?;
        a.write(&DATA_IN, 0x1234_5678).await?;
        refused(&a, a.write(&BLOCK_BYTES, 8).await, ERR_BUSY, "BLOCK_BYTES with a word written").await?;
        if a.cmd(OP_FINAL).await? != RES_PENDING || STATUS_ACTIVE.get(a.read(&STATUS).await?) != 1 {
            return Err("FINAL with a word written: not RES_PENDING, or the operation ended".into());
        }
        // Finish the block, then a second one while the first is unread: IN_FULL refuses more.
        let p = unhex("6bc1bee22e409f96e93d7e117393172a");
        a.write_words(&DATA_IN, &le_words(&p, 4)).await?;
        a.wait("OUT_VALID", |s| STATUS_OUT_VALID.get(s) == 1).await?;
        a.write_words(&DATA_IN, &le_words(&p, 4)).await?;
        refused(&a, a.write(&DATA_IN, 0).await, ERR_BUSY, "DATA_IN while IN_FULL").await?;
        let want = unhex("3ad77bb40d7a3660a89ecaf32466ef97");
        a.leaks.borrow_mut().allow_digest(&want);
        for _ in 0..2 {
            a.wait("OUT_VALID", |s| STATUS_OUT_VALID.get(s) == 1).await?;
            let got = a.read_words(&DATA_OUT).await?;
            if got != want {
                return Err(format!("ECB block after the refusals: {} expected {}", hex(&got), hex(&want)));
            }
        }
        if a.cmd(OP_FINAL).await? != RES_OK {
            return Err("FINAL".into());
        }
        // CTR: after a partial block the phase takes no more data.
        let mut op = Op::new(MODE_CTR, false, &key, &[7; 16], &[]);
        a.setup(&op).await?;
        a.cmd(OP_START).await?;
        a.block(&[1, 2, 3, 4, 5], true).await?;
        refused(&a, a.write(&DATA_IN, 0).await, ERR_STATE, "DATA_IN after a partial block").await?;
        a.cmd(OP_FINAL).await?;
        a.set_bytes(16).await?;
        // GCM: TEXT twice.
        op.mode = MODE_GCM;
        op.iv = vec![9; 12];
        a.setup(&op).await?;
        a.cmd(OP_START).await?;
        a.cmd(OP_TEXT).await?;
        if a.cmd(OP_TEXT).await? != RES_SEQUENCE {
            return Err("TEXT twice: not RES_SEQUENCE".into());
        }
        a.cmd(OP_FINAL).await?;
        // Nothing was corrupted: a whole GCM operation still matches.
        let mut g = Op::new(MODE_GCM, false, &key, &[3; 12], &[0x5a; 40]);
        g.aad = vec![0xa5; 20];
        a.run(&g).await?;
        ctx.count(30);
        ctx.leaks(&a.leaks)
    })
}

/// `clear` (the window changed owner) in the middle of a GCM operation: everything returns to
/// reset, and the key registers are empty (an ECB START then encrypts under the all-zero key).
fn owner_change(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let mut g = Op::new(MODE_GCM, false, &unhex("feffe9928665731c6d6a8f9467308308"), &unhex("cafebabefacedbaddecaf888"), &[0x11; 32]);
        g.aad = vec![0x22; 16];
        a.setup(&g).await?;
        a.cmd(OP_START).await?;
        a.block(&[0x22; 16], false).await?;
        a.set_bytes(12).await?;
        a.apb.write(DATA_IN.offset, 0x99).await.map_err(|e| e.to_string())?;
        // ERR_INFO gets something to clear.
        if a.read(&DATA_OUT).await.is_ok() {
            return Err("DATA_OUT read in the AAD phase not refused".into());
        }
        let clear = ctx.tb.port("clear")?;
        ctx.tb.poke_u32(clear, 1);
        ctx.tb.rising_edge().await;
        ctx.tb.poke_u32(clear, 0);
        let (s, c, b, e) = (a.read(&STATUS).await?, a.read(&CTRL).await?, a.read(&BLOCK_BYTES).await?, a.read(&ERR_INFO).await?);
        if s != 0 || c != CTRL_RESET || b != 16 || e != 0 {
            return Err(format!("after clear: STATUS 0x{s:08x} CTRL 0x{c:08x} BLOCK_BYTES {b} ERR_INFO 0x{e:08x}"));
        }
        *a.bb.borrow_mut() = 16;
        a.cmd(OP_START).await?;
        let p = [0x42u8; 16];
        let want = oracle::ecb(&[0; 16], false, &p)?;
        a.leaks.borrow_mut().allow_digest(&want);
        let got = a.block(&p, true).await?;
        if got != want {
            return Err(format!("ECB after clear: {} (the key registers were not wiped)", hex(&got)));
        }
        a.cmd(OP_FINAL).await?;
        ctx.count(2);
        ctx.leaks(&a.leaks)
    })
}

/// Escalation in the middle of a GCM text block: STATUS shows DEAD alone, every CMD gets
/// ERR_FATAL, `alert_fatal` stays low (escalation is not a fault of this block); reset recovers.
fn escalation(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let g = Op::new(MODE_GCM, false, &unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"), &[5; 12], &[0; 16]);
        a.setup(&g).await?;
        a.cmd(OP_START).await?;
        a.cmd(OP_TEXT).await?;
        a.write_words(&DATA_IN, &[1, 2, 3, 4]).await?;
        ctx.tb.clock_cycles(4).await;
        let esc = ctx.tb.port("esc")?;
        ctx.tb.poke_u32(esc, 1);
        ctx.tb.rising_edge().await;
        ctx.tb.poke_u32(esc, 0);
        let s = a.read(&STATUS).await?;
        if s != STATUS_DEAD.mask() || ctx.tb.peek_u32(ctx.tb.port("alert_fatal")?) != 0 {
            return Err(format!("after escalation: STATUS 0x{s:08x}"));
        }
        match a.write(&CMD, OP_START).await {
            Err(e) if e.contains("pslverr") => {}
            r => return Err(format!("CMD after escalation: {r:?}")),
        }
        if ERR_INFO_CODE.get(a.read(&ERR_INFO).await?) != ERR_FATAL {
            return Err("CMD after escalation: not ERR_FATAL".into());
        }
        ctx.tb.reset(3).await;
        *a.bb.borrow_mut() = 16;
        a.run(&g).await?;
        ctx.count(3);
        ctx.leaks(&a.leaks)
    })
}

/// `AES.FSM.SPARSE`, `AES.CTRL.DUP` and `AES.NO_RESIDUE`, on the state-access build
/// `pluton_aes_fi`. A GCM operation with FINAL leaves no key-derived value in any flop but the
/// KEY registers; then a flip of any sequencer state or check bit, or of any bit of either copy
/// of the latched CTRL, in the middle of a text block raises `alert_fatal` at once and for good,
/// wipes the key, H, E(K, J0) and the counter, and leaves DEAD alone.
fn state_fault(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        ctx.count(1);
        let key = unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        let open = |rig: &mut crate::state_rig::StateRig| {
            rig.write(CTRL.offset, CTRL_RESET | CTRL_MODE.put(MODE_GCM) | CTRL_KEY256.put(1));
            for (i, w) in le_words(&key, 8).iter().enumerate() {
                rig.write(KEY.addr(i as u32), *w);
            }
            for (i, w) in le_words(&[7; 12], 4).iter().enumerate() {
                rig.write(IV.addr(i as u32), *w);
            }
            rig.write(CMD.offset, OP_START);
            rig.clock(START_EDGES_GCM[1] as usize);
            rig.write(CMD.offset, OP_TEXT);
            rig.clock(2);
            for i in 0..4 {
                rig.write(DATA_IN.addr(i), 0x0101_0101 * (i + 1));
            }
        };
        let secrets = ["keyr", "h", "ej0", "cv", "blk", "tag_exp", "gh.z", "gh.x", "gh.v"];
        // The rig's reads go through the same scan as the bench's.
        a.leaks.borrow_mut().add_secret(&key);
        for s in oracle::gcm_secrets(&key, &[7; 12])? {
            a.leaks.borrow_mut().add_secret(&s);
        }
        let scan = |addr: u32, v: u32| a.leaks.borrow_mut().check_read(addr, v);
        // No residue: after FINAL only the KEY registers hold key material.
        let mut rig = crate::state_rig::StateRig::open("pluton_aes_fi", "pluton_aes")?;
        open(&mut rig);
        rig.clock(BLOCK_EDGES[1] as usize + 2);
        for i in 0..4 {
            let v = rig.read(DATA_OUT.addr(i));
            scan(DATA_OUT.addr(i), v);
        }
        rig.clock(GHASH_EDGES as usize + 2);
        rig.write(CMD.offset, OP_FINAL);
        rig.clock(FINAL_EDGES_GCM as usize + 2);
        if rig.read(STATUS.offset) & STATUS_DONE.mask() == 0 {
            return Err("no flip: FINAL did not finish".into());
        }
        for name in &secrets[1..] {
            if rig.flop(name)?.iter().any(|w| *w != 0) {
                return Err(format!("after FINAL, flop {name} still holds a value"));
            }
        }
        // One open model of a kind at a time: Verilator deadlocks destroying the second of two.
        drop(rig);
        ctx.count(1);
        // The sequencer state and its check bits; CTRL as START took it and its copy.
        // The cipher core's control word and its Hamming check bits (`AES.CORE.CTRL.HAMMING`).
        let flops = [("st", 3), ("st_chk", 3), ("c_mode", 2), ("c_mode2", 2), ("c_dec", 1), ("c_dec2", 1), ("c_k256", 1),
                     ("c_k2562", 1), ("c_src", 2), ("c_src2", 2), ("c_tagb", 5), ("c_tagb2", 5), ("aes.run", 1),
                     ("aes.kexp", 1), ("aes.done_r", 1), ("aes.kready", 1), ("aes.dec_r", 1), ("aes.len_r", 1),
                     ("aes.rnd", 4), ("aes.chk__0", 1), ("aes.chk__3", 1)];
        for (name, bit) in flops.iter().flat_map(|&(n, w)| (0..w).map(move |b| (n, b))) {
            let mut rig = crate::state_rig::StateRig::open("pluton_aes_fi", "pluton_aes")?;
            open(&mut rig);
            rig.clock(5);
            rig.flip(name, bit)?;
            let alert_now = rig.out("alert_fatal")?;
            rig.clock(40);
            let (alert, status) = (rig.out("alert_fatal")?, rig.read(STATUS.offset));
            scan(STATUS.offset, status);
            let mut left = Vec::new();
            for f in secrets {
                if rig.flop(f)?.iter().any(|w| *w != 0) {
                    left.push(f);
                }
            }
            if alert_now != 1 || alert != 1 || status != STATUS_DEAD.mask() || !left.is_empty() {
                return Err(format!("{name} bit {bit} flipped: alert_fatal {alert_now} then {alert}, STATUS 0x{status:08x}, not wiped: {left:?}"));
            }
            ctx.count(1);
        }
        ctx.leaks(&a.leaks)
    })
}

/// Cycles per block, counted edge by edge on the state-access build: from the edge that takes
/// a block to OUT_VALID, for AES-128 and AES-256, with two keys and two blocks each (the count
/// must not change). The bound is 11 and 15 (OpenTitan: 12 and 16). Then a 64-block
/// GCM stream through APB, as software would run it.
fn throughput(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let (fi, top, start_edges, block_edges) = variant(a.masked);
        // The bound on the unmasked engine; the masked one's is its contract figure.
        let bounds = if a.masked { [block_edges[0] as u64, block_edges[1] as u64] } else { [11, 15] };
        for (k256, bound) in [(false, bounds[0]), (true, bounds[1])] {
            let mut counts = Vec::new();
            for seed in [0x00u8, 0xff] {
                let mut rig = crate::state_rig::StateRig::open(fi, top)?;
                if a.masked {
                    crate::tvla::seed_mask_port(&mut rig, &mut *ctx.tb.rng())?;
                }
                rig.write(CTRL.offset, CTRL_RESET | CTRL_MODE.put(MODE_CTR) | CTRL_KEY256.put(k256 as u32));
                for i in 0..8 {
                    rig.write(KEY.addr(i), 0x0102_0304u32.wrapping_mul(i + 1) ^ u32::from(seed) * 0x0101_0101);
                }
                rig.write(CMD.offset, OP_START);
                rig.clock(start_edges[1] as usize + 2);
                for i in 0..4 {
                    rig.write(DATA_IN.addr(i), u32::from(seed) * 0x1111_1111 + i);
                }
                // The block is taken at the next edge; count edges from there to OUT_VALID.
                rig.clock(1);
                let mut n = 0u64;
                while rig.flop("out_valid")?[0] == 0 && n < 200 {
                    rig.clock(1);
                    n += 1;
                }
                counts.push(n);
            }
            if counts[0] != counts[1] || counts[0] > bound {
                return Err(format!("AES-{}: {counts:?} cycles per block (bound {bound}, and equal for any data)", if k256 { 256 } else { 128 }));
            }
            ctx.metric(if k256 { "aes256_cycles_per_block" } else { "aes128_cycles_per_block" }, counts[0] as f64);
        }
        let mut g = Op::new(MODE_GCM, false, &[0x3c; 16], &[1; 12], &vec![0x77; 64 * 16]);
        g.aad = vec![0x55; 32];
        let cycles = a.run(&g).await?;
        ctx.metric("gcm128_64_blocks_apb_cycles", cycles as f64);
        ctx.metric("gcm128_apb_cycles_per_block", cycles as f64 / 64.0);
        ctx.count(5);
        ctx.leaks(&a.leaks)
    })
}

/// GCM's length limits (README "Lengths", `AES.GCM.LENGTH`), on the state-access build, whose
/// byte counters are preset near the limits (2^32 blocks cannot be run in simulation): an AAD
/// block that reaches 2^36 - 16 bytes is taken, the next `DATA_IN` write gets ERR_STATE; text
/// blocks up to 2^36 - 32 bytes (2^32 - 2 blocks) come out, the next write gets ERR_STATE;
/// `OP_FINAL` still ends the operation with RES_OK.
fn length_limit(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let a = Aes::new(&ctx.tb).await?;
        let (fi, top, _, _) = variant(a.masked);
        let mut rig = crate::state_rig::StateRig::open(fi, top)?;
        if a.masked {
            crate::tvla::seed_mask_port(&mut rig, &mut *ctx.tb.rng())?;
        }
        // The key and what it makes are secrets; every read of the rig goes through the scan.
        let key: Vec<u8> = (0..4u32).flat_map(|i| (0x2b7e_1516 ^ i).to_le_bytes()).collect();
        a.leaks.borrow_mut().add_secret(&key);
        for secret in oracle::gcm_secrets(&key, &[0; 12])? {
            a.leaks.borrow_mut().add_secret(&secret);
        }
        let read = |rig: &mut crate::state_rig::StateRig, addr: u32| -> u32 {
            let v = rig.read(addr);
            a.leaks.borrow_mut().check_read(addr, v);
            v
        };
        // Polls STATUS until `mask` reads `want`.
        let wait = |rig: &mut crate::state_rig::StateRig, mask: u32, want: u32, what: &str| -> Result<(), String> {
            for _ in 0..500 {
                if read(rig, STATUS.offset) & mask == want {
                    return Ok(());
                }
            }
            Err(format!("STATUS & 0x{mask:x} never 0x{want:x} ({what})"))
        };
        // A block into DATA_IN: the four writes' PSLVERR.
        let block = |rig: &mut crate::state_rig::StateRig, v: u32| -> Vec<bool> { (0..4).map(|i| rig.write(DATA_IN.addr(i), v ^ i).err).collect() };
        let command = |rig: &mut crate::state_rig::StateRig, op: u32, what: &str| -> Result<(), String> {
            rig.write(CMD.offset, op);
            wait(rig, STATUS_DONE.mask(), STATUS_DONE.mask(), what)?;
            match RESULT_ERROR.get(read(rig, RESULT.offset)) {
                RES_OK => Ok(()),
                e => Err(format!("{what}: RESULT.ERROR {e}")),
            }
        };
        // The counters as 36-bit values in 32-bit words.
        let words36 = |v: u64| [v as u32, (v >> 32) as u32];
        rig.write(CTRL.offset, CTRL_RESET | CTRL_MODE.put(MODE_GCM));
        for i in 0..4 {
            rig.write(KEY.addr(i), u32::from_le_bytes(key[4 * i as usize..4 * i as usize + 4].try_into().unwrap()));
        }
        command(&mut rig, OP_START, "OP_START")?;
        rig.preset("len_a", &words36((1 << 36) - 32))?;
        if block(&mut rig, 0xaad0_0000).contains(&true) {
            return Err("the AAD block that reaches 2^36 - 16 bytes was refused".into());
        }
        wait(&mut rig, STATUS_IN_FULL.mask() | STATUS_BUSY.mask(), 0, "the AAD block absorbed")?;
        if !rig.write(DATA_IN.offset, 1).err || ERR_INFO_CODE.get(read(&mut rig, ERR_INFO.offset)) != ERR_STATE {
            return Err("DATA_IN past 2^36 - 16 bytes of AAD was not refused with ERR_STATE".into());
        }
        rig.write(ERR_INFO.offset, 0);
        command(&mut rig, OP_TEXT, "OP_TEXT at the AAD limit")?;
        rig.preset("len_c", &words36((1 << 36) - 64))?;
        // The two text blocks' ciphertext is GCM's from counter block 2 on (the limit moves the
        // byte count, not the counter): RustCrypto's. It is public, so the scan allows it.
        let pt: Vec<u8> = (0..2u32).flat_map(|k| (0..4u32).flat_map(move |i| ((0x7e70_0000 + k) ^ i).to_le_bytes())).collect();
        let (want, _) = oracle::gcm_seal(&key, &[0; 12], &[], &pt)?;
        a.leaks.borrow_mut().allow_digest(&want);
        let mut got = Vec::new();
        for k in 0..2 {
            if block(&mut rig, 0x7e70_0000 + k).contains(&true) {
                return Err(format!("text block {k} below 2^36 - 32 bytes was refused"));
            }
            wait(&mut rig, STATUS_OUT_VALID.mask(), STATUS_OUT_VALID.mask(), "a text block out")?;
            for i in 0..4 {
                got.extend(read(&mut rig, DATA_OUT.addr(i)).to_le_bytes());
            }
        }
        if got[..] != want[..] {
            return Err(format!("the text blocks at the limit: {got:02x?}, RustCrypto {want:02x?}"));
        }
        if !rig.write(DATA_IN.offset, 1).err || ERR_INFO_CODE.get(read(&mut rig, ERR_INFO.offset)) != ERR_STATE {
            return Err("DATA_IN past 2^32 - 2 text blocks was not refused with ERR_STATE".into());
        }
        rig.write(ERR_INFO.offset, 0);
        wait(&mut rig, STATUS_BUSY.mask(), 0, "the last text block's GHASH")?;
        command(&mut rig, OP_FINAL, "OP_FINAL at the text limit")?;
        ctx.count(4);
        ctx.leaks(&a.leaks)
    })
}

/// Simulated TVLA (`crate::tvla`): fixed-vs-random plaintexts, 10,000 traces of per-cycle flop
/// toggle counts on the state-access build. The unmasked engine (`pluton_aes_fi`) must leak
/// (max |t| > 4.5): that shows the test can fail. The masked engine (`pluton_aes_masked_fi`),
/// the same procedure and flop rule, must not (max |t| <= 4.5).
fn tvla(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use crate::tvla::{tvla_case, AesTvla, Expect, Groups};
        let a = Aes::new(&ctx.tb).await?;
        let (config, expect, block_edges) = if a.masked {
            (AesTvla::masked(ctx.scale(10_000), Groups::FixedVsRandom), Expect::NoLeakage, BLOCK_EDGES_MASKED[0])
        } else {
            (AesTvla::unmasked(ctx.scale(10_000), Groups::FixedVsRandom), Expect::Leakage, BLOCK_EDGES[0])
        };
        let r = tvla_case(&ctx, &AesTvla { leaks: Some(&*a.leaks), ..config }, expect)?;
        // The window is the contract's: the taking edge T, then T + 1 ..= T + BLOCK_EDGES.
        if r.samples != block_edges as usize + 1 {
            return Err(format!("{} edges from taking a block to OUT_VALID, inclusive; the contract says {}", r.samples, block_edges + 1));
        }
        ctx.leaks(&a.leaks)
    })
}

/// The negative control: the same run with both groups random must find nothing (max |t| <= 4.5).
/// Under the null hypothesis a point exceeds 4.5 with probability about 7e-6, so with a dozen
/// points a false alarm is a 1-in-10,000 event: if this fails, look at the seed before the core.
fn tvla_control(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use crate::tvla::{tvla_case, AesTvla, Expect, Groups};
        let a = Aes::new(&ctx.tb).await?;
        let cfg = AesTvla { leaks: Some(&*a.leaks), ..AesTvla::unmasked(ctx.scale(10_000), Groups::RandomVsRandom) };
        tvla_case(&ctx, &cfg, Expect::NoLeakage)?;
        ctx.leaks(&a.leaks)
    })
}

/// The cases the masked engine runs: the standards' examples, random operations (a tenth of
/// the unmasked engine's: its blocks take 52 / 72 cycles on a larger model), every error and
/// policy refusal, the owner change, escalation, throughput and TVLA.
pub fn masked_cases() -> Vec<Case> {
    vec![
        Case { name: "aes_masked_known", body: known },
        Case { name: "aes_masked_random", body: random_masked },
        Case { name: "aes_masked_errors", body: errors },
        Case { name: "aes_masked_owner_change", body: owner_change },
        Case { name: "aes_masked_escalation", body: escalation },
        Case { name: "aes_masked_throughput", body: throughput },
        Case { name: "aes_masked_gcm_length_limit", body: length_limit },
        Case { name: "aes_masked_tvla", body: tvla },
    ]
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "aes_known", body: known },
        Case { name: "aes_cavp", body: cavp },
        Case { name: "aes_gcm_cavp", body: gcm_cavp },
        Case { name: "aes_wycheproof", body: wycheproof },
        Case { name: "aes_random", body: random },
        Case { name: "aes_errors", body: errors },
        Case { name: "aes_owner_change", body: owner_change },
        Case { name: "aes_escalation", body: escalation },
        Case { name: "aes_state_fault", body: state_fault },
        Case { name: "aes_throughput", body: throughput },
        Case { name: "aes_gcm_length_limit", body: length_limit },
        Case { name: "aes_tvla_unmasked", body: tvla },
        Case { name: "aes_tvla_control", body: tvla_control },
    ]
}

pub fn model() -> Box<dyn pluton_bindings::Dut> {
    Box::new(pluton_cosim::aes_model::AesModel::new())
}

pub fn masked_model() -> Box<dyn pluton_bindings::Dut> {
    Box::new(pluton_cosim::aes_model::AesModel::masked())
}

pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    // One bench per engine: the same register map under two module names.
    let bench = |block, module, model, cases, replay, csr| BlockBench {
        block,
        module,
        model: Some(model),
        cases,
        replay,
        csr: Some(csr),
        proofs: &[],
        compares_reads: true,
        scans_leaks: true,
    };
    const CSR: crate::csr::CsrSpec = crate::csr::CsrSpec { map: &MAP, base: 0, master: MASTER_SEC, log: crate::csr::ErrLog::ErrInfo };
    const CSR_MASKED: crate::csr::CsrSpec = crate::csr::CsrSpec { map: &MAP_MASKED, ..CSR };
    vec![
        bench("aes", "pluton_aes", model as fn() -> _, cases as fn() -> _, "aes_known", &CSR),
        bench("aes_masked", "pluton_aes_masked", masked_model, masked_cases, "aes_masked_known", &CSR_MASKED),
    ]
}
