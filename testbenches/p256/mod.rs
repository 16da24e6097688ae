//! P-256 engine test bench: the commands on CAVP vectors and random operands, and constant time.

pub mod consttime;

use crate::regression::{Case, Ctx, TestFuture};
use crate::vectors::{parse_rsp, vectors_dir, RspRecord};
use pluton_bindings::apb::Apb;
use pluton_bindings::Tb;
use pluton_cosim::p256 as reference;
use pluton_hdl::common::regmap::Register;
use pluton_hdl::p256::regs::*;

type Bytes32 = [u8; 32];

/// The bus side of the engine: operands in and out, commands.
struct Drv {
    tb: Tb,
    apb: Apb,
    intr_done: usize,
}

/// What a command gave back.
struct Outcome {
    error: u32,
    cycles: u32,
}

impl Drv {
    async fn new(tb: &Tb) -> Result<Drv, String> {
        let drv = Drv { tb: tb.clone(), apb: Apb::new(tb)?.with_master(MASTER_SEC), intr_done: tb.port("intr_done")? };
        // The power-on wipe: the first access waits it out.
        let id = drv.apb.read(ID.offset).await.map_err(|e| format!("ID: {e}"))?;
        if id != BLOCK_ID {
            return Err(format!("ID 0x{id:08x}, expected 0x{BLOCK_ID:08x}"));
        }
        Ok(drv)
    }

    async fn write(&self, r: &Register, v: &Bytes32) -> Result<(), String> {
        for i in 0..8 {
            let w = u32::from_le_bytes(v[4 * i..4 * i + 4].try_into().expect("4 bytes"));
            self.apb.write(r.addr(i as u32), w).await.map_err(|e| format!("{}[{i}]: {e}", r.name))?;
        }
        Ok(())
    }

    async fn read(&self, r: &Register) -> Result<Bytes32, String> {
        let mut v = [0u8; 32];
        for i in 0..8 {
            let w = self.apb.read(r.addr(i as u32)).await.map_err(|e| format!("{}[{i}]: {e}", r.name))?;
            v[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        Ok(v)
    }

    /// Runs command `cmd` to its end.
    async fn run(&self, cmd: u32) -> Result<Outcome, String> {
        self.apb.write(CMD.offset, cmd).await.map_err(|e| format!("CMD {cmd}: {e}"))?;
        // intr_done falls at the CMD edge and rises with DONE.
        let mut waited = 0u64;
        while self.tb.peek_u32(self.intr_done) == 0 {
            self.tb.clock_cycles(64).await;
            waited += 64;
            if waited > 2_000_000 {
                return Err(format!("CMD {cmd} still busy after {waited} cycles"));
            }
        }
        let result = self.apb.read(RESULT.offset).await.map_err(|e| format!("RESULT: {e}"))?;
        if result >> 8 & 0xf != cmd {
            return Err(format!("RESULT 0x{result:08x} is not for CMD {cmd}"));
        }
        let cycles = self.apb.read(CYCLES.offset).await.map_err(|e| format!("CYCLES: {e}"))?;
        Ok(Outcome { error: result & 0xf, cycles })
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

/// CAVP KeyPair (FIPS 186-4 B.4.2): PUBKEY on each d.
fn pubkey(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let drv = Drv::new(&ctx.tb).await?;
        let recs: Vec<_> = records("KeyPair_P256.rsp")?.into_iter().filter(|r| r.get("d").is_some()).collect();
        let mut cycles = Vec::new();
        for r in &recs {
            drv.write(&D, &b32(r, "d")?).await?;
            let out = drv.run(CMD_PUBKEY).await?;
            if out.error != RES_OK {
                return Err(format!("KeyPair line {}: RESULT.ERROR {}", r.line, out.error));
            }
            expect(&format!("KeyPair line {} Qx", r.line), &drv.read(&QX).await?, &b32(r, "Qx")?)?;
            expect(&format!("KeyPair line {} Qy", r.line), &drv.read(&QY).await?, &b32(r, "Qy")?)?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("PUBKEY", &cycles)?;
        ctx.metric("pubkey_cycles", n as f64);
        ctx.metric("cavp_keypair_cases", recs.len() as f64);
        Ok(())
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
            let out = drv.run(CMD_SIGN).await?;
            if out.error != RES_OK {
                return Err(format!("SigGen line {}: RESULT.ERROR {}", r.line, out.error));
            }
            expect(&format!("SigGen line {} R", r.line), &drv.read(&R).await?, &b32(r, "R")?)?;
            expect(&format!("SigGen line {} S", r.line), &drv.read(&S).await?, &b32(r, "S")?)?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("SIGN", &cycles)?;
        ctx.metric("sign_cycles", n as f64);
        ctx.metric("cavp_siggen_cases", recs.len() as f64);
        Ok(())
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
        Ok(())
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
            let out = drv.run(CMD_ECDH).await?;
            if out.error != RES_OK {
                return Err(format!("ECDH d = {}: RESULT.ERROR {}", hex(&a), out.error));
            }
            expect(&format!("ECDH d = {}", hex(&a)), &drv.read(&QX).await?, &want)?;
            cycles.push(out.cycles);
            ctx.count(1);
        }
        let n = same_cycles("ECDH", &cycles)?;
        ctx.metric("ecdh_cycles", n as f64);
        Ok(())
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
                total += t.0;
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
        total += randomized.0 + plain.0;
        if consttime::all_equal("RANDOMIZE", &[("on".into(), randomized), ("off".into(), plain)]).is_ok() {
            return Err("the control trace is the same with RANDOMIZE on and off: the check cannot see a schedule change".into());
        }
        ctx.metric("pubkey_randomized_cycles", randomized.0 as f64);
        ctx.add_cycles(total);
        Ok(())
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "p256_pubkey", body: pubkey },
        Case { name: "p256_sign", body: sign },
        Case { name: "p256_verify", body: verify },
        Case { name: "p256_ecdh", body: ecdh },
        Case { name: "p256_const_time", body: const_time },
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
        replay: "p256_pubkey",
        csr: None,
        proofs: &[],
        compares_reads: false,
        scans_leaks: false,
    }]
}
