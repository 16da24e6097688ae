//! CTR_DRBG test bench: NIST CAVP vectors, random command sequences against the SP 800-90A reference, errors, the three sideload ports and escalation.
//!
//! The bench plays the TRNG on the entropy port and the security core on APB. Expected outputs
//! come from `cosim::ctr_drbg` (checked on the same NIST files); every case also runs in
//! lock-step with the port-level model. Every read is scanned for every 4-byte window of Key and
//! V (taken from the reference after each step), of each seed and of each value put on a sideload
//! port.

use crate::leak::LeakScan;
use crate::regression::{ensure, Case, Ctx, TestFuture};
use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::Tb;
use pluton_cosim::ctr_drbg::{cavp, CtrDrbg};
use pluton_hdl::drbg::regs::*;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

/// A big-endian byte string as port words (word 0 = the last 4 bytes).
fn be_words(bytes: &[u8]) -> Vec<u32> {
    let n = bytes.len();
    (0..n / 4).map(|k| u32::from_be_bytes(bytes[n - 4 - 4 * k..n - 4 * k].try_into().unwrap())).collect()
}

/// Port words as a big-endian byte string.
fn words_be(words: &[u32]) -> Vec<u8> {
    words.iter().rev().flat_map(|w| w.to_be_bytes()).collect()
}

/// The sideload destinations, in port order (`Drbg::sides[dest - 1]`).
const SIDE_DESTS: [u32; 3] = [DEST_KEY, DEST_MASK, DEST_SCALAR];
/// Each sideload port's STATUS bit, in the same order.
const SIDE_STATUS: [Field; 3] = [STATUS_KEY_VALID, STATUS_MASK_VALID, STATUS_SCALAR_VALID];
const SIDE_STATUS_ALL: u32 = STATUS_KEY_VALID.mask() | STATUS_MASK_VALID.mask() | STATUS_SCALAR_VALID.mask();

/// One sideload port's pins.
struct SidePins {
    out: usize,
    valid: usize,
    clear: usize,
}

struct Drbg {
    tb: Tb,
    apb: Apb,
    leaks: Rc<RefCell<LeakScan>>,
    seed_in: usize,
    seed_valid: usize,
    sides: [SidePins; 3],
    /// The reference, stepped with the DUT.
    r: CtrDrbg,
}

impl Drbg {
    async fn new(tb: &Tb) -> Result<Drbg, String> {
        let apb = Apb::new(tb)?.with_master(MASTER_SEC);
        let leaks = LeakScan::watch(&apb);
        let d = Drbg {
            tb: tb.clone(),
            apb,
            leaks,
            seed_in: tb.port("seed_in")?,
            seed_valid: tb.port("seed_valid")?,
            sides: [
                SidePins { out: tb.port("key_out")?, valid: tb.port("key_valid")?, clear: tb.port("key_clear")? },
                SidePins { out: tb.port("mask_out")?, valid: tb.port("mask_valid")?, clear: tb.port("mask_clear")? },
                SidePins { out: tb.port("scalar_out")?, valid: tb.port("scalar_valid")?, clear: tb.port("scalar_clear")? },
            ],
            r: CtrDrbg::new(RESEED_LIMIT_RESET as u64).map_err(|e| e.to_string())?,
        };
        let id = d.apb.read(ID.offset).await?;
        if id != BLOCK_ID {
            return Err(format!("ID 0x{id:08x}, expected 0x{BLOCK_ID:08x}"));
        }
        Ok(d)
    }

    async fn read(&self, reg: &Register) -> Result<u32, String> {
        crate::regio::read_reg(&self.apb, 0, reg).await
    }

    async fn write(&self, reg: &Register, v: u32) -> Result<(), String> {
        crate::regio::write_reg(&self.apb, 0, reg, v).await
    }

    /// Key and V as the reference has them now: secrets for the scan.
    fn note_state(&self) {
        if self.r.is_instantiated() {
            let mut l = self.leaks.borrow_mut();
            l.add_past_secret(self.r.test_hook_key());
            l.add_past_secret(self.r.test_hook_v());
        }
    }

    /// Offers `seed` on the entropy port (taken by the next command that wants one).
    fn offer(&self, seed: &[u8]) {
        self.leaks.borrow_mut().add_past_secret(seed);
        self.tb.poke(self.seed_in, &be_words(seed));
        self.tb.poke_u32(self.seed_valid, 1);
    }

    /// Writes `CMD`, with ADDL first if `addl` is given (48 bytes, zero-padded here).
    async fn command(&self, op: u32, addl: Option<&[u8]>, pr: bool, dest: u32, blocks: u32) -> Result<(), String> {
        if let Some(a) = addl {
            let mut b = [0u8; 48];
            b[..a.len()].copy_from_slice(a);
            for i in 0..12 {
                self.apb.write(ADDL.addr(i), u32::from_le_bytes(b[4 * i as usize..4 * i as usize + 4].try_into().unwrap())).await?;
            }
        }
        let v = CMD_OP.put(op) | CMD_ADDL.put(addl.is_some() as u32) | CMD_PR.put(pr as u32) | CMD_DEST.put(dest) | CMD_BLOCKS.put(blocks);
        self.write(&CMD, v).await
    }

    /// Waits for DONE; returns RESULT.ERROR after checking RESULT.OP.
    async fn finish(&self, op: u32) -> Result<u32, String> {
        Ok(self.finish_status(op).await?.0)
    }

    /// Waits for DONE; returns RESULT.ERROR after checking RESULT.OP, and the STATUS that showed
    /// DONE.
    async fn finish_status(&self, op: u32) -> Result<(u32, u32), String> {
        for _ in 0..10_000 {
            let s = self.read(&STATUS).await?;
            if STATUS_DONE.get(s) == 1 {
                let r = self.read(&RESULT).await?;
                if RESULT_OP.get(r) != op {
                    return Err(format!("RESULT 0x{r:08x} after op {op}"));
                }
                self.tb.poke_u32(self.seed_valid, 0);
                return Ok((RESULT_ERROR.get(r), s));
            }
        }
        Err(format!("op {op} never finished"))
    }

    /// A command that must succeed.
    async fn ok(&self, op: u32, addl: Option<&[u8]>) -> Result<(), String> {
        self.command(op, addl, false, DEST_OUT, 0).await?;
        match self.finish(op).await? {
            0 => Ok(()),
            e => Err(format!("op {op}: RESULT.ERROR {e}")),
        }
    }

    /// GENERATE to OUT: `blocks` blocks read as they come.
    async fn generate(&self, blocks: u32, addl: Option<&[u8]>, pr: bool) -> Result<Vec<u8>, String> {
        self.command(OP_GENERATE, addl, pr, DEST_OUT, blocks).await?;
        let mut out = Vec::new();
        while out.len() < 16 * blocks as usize {
            let s = self.read(&STATUS).await?;
            for _ in 0..STATUS_OUT_WORDS.get(s) {
                out.extend(self.read(&OUT).await?.to_le_bytes());
            }
            if STATUS_DONE.get(s) == 1 && out.len() < 16 * blocks as usize {
                return Err(format!("GENERATE done after {} of {} bytes: RESULT 0x{:08x}", out.len(), 16 * blocks, self.read(&RESULT).await?));
            }
        }
        // Output to software is public: a word of it may equal a window of Key or V by chance.
        self.leaks.borrow_mut().allow_digest(&out);
        match self.finish(OP_GENERATE).await? {
            0 => Ok(out),
            e => Err(format!("GENERATE: RESULT.ERROR {e}")),
        }
    }

    /// GENERATE to the key port: the 32 bytes there.
    async fn generate_key(&self, addl: Option<&[u8]>) -> Result<Vec<u8>, String> {
        self.generate_side(DEST_KEY, addl).await
    }

    /// GENERATE to a sideload port (DEST_KEY, DEST_MASK or DEST_SCALAR): the 32 bytes there, which
    /// also become secrets for the leak scan. The other ports must not move.
    async fn generate_side(&self, dest: u32, addl: Option<&[u8]>) -> Result<Vec<u8>, String> {
        let others = self.sides_now();
        self.command(OP_GENERATE, addl, false, dest, 2).await?;
        let (err, status) = self.finish_status(OP_GENERATE).await?;
        if err != 0 {
            return Err(format!("GENERATE to sideload port {dest} failed"));
        }
        let (valid, got) = self.side(dest);
        if !valid {
            return Err(format!("valid low after GENERATE to sideload port {dest}"));
        }
        let bit = SIDE_STATUS[dest as usize - 1];
        if bit.get(status) != 1 {
            return Err(format!("STATUS.{} low after GENERATE to sideload port {dest}", bit.name));
        }
        self.others_unmoved(&others, &[dest], &format!("GENERATE to sideload port {dest}"))?;
        self.leaks.borrow_mut().add_past_secret(&got);
        Ok(got)
    }

    /// A sideload port's valid and its 32 bytes (key_out, mask_out or scalar_out).
    fn side(&self, dest: u32) -> (bool, Vec<u8>) {
        let pins = &self.sides[dest as usize - 1];
        let mut w = [0u32; 8];
        self.tb.peek(pins.out, &mut w);
        (self.tb.peek_u32(pins.valid) == 1, words_be(&w))
    }

    /// Every sideload port as `side` gives it, in `SIDE_DESTS` order.
    fn sides_now(&self) -> Vec<(bool, Vec<u8>)> {
        SIDE_DESTS.iter().map(|&d| self.side(d)).collect()
    }

    /// Err unless every port outside `moved` still shows what `before` (from `sides_now`) holds.
    fn others_unmoved(&self, before: &[(bool, Vec<u8>)], moved: &[u32], what: &str) -> Result<(), String> {
        for (dest, was) in SIDE_DESTS.iter().zip(before) {
            if !moved.contains(dest) && self.side(*dest) != *was {
                return Err(format!("{what} changed sideload port {dest}"));
            }
        }
        Ok(())
    }

    /// One edge with a sideload port's clear input high (key_clear, mask_clear or scalar_clear).
    async fn clear(&self, dest: u32) {
        let port = self.sides[dest as usize - 1].clear;
        self.tb.poke_u32(port, 1);
        self.tb.rising_edge().await;
        self.tb.poke_u32(port, 0);
    }
}

use pluton_hdl::common::regmap::{Field, Register};

/// Every committed no-df CAVP case (instantiate, reseed or PR as the record says, two
/// generates), the second output compared with ReturnedBits.
fn cavp_nodf(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = Drbg::new(&ctx.tb).await?;
        let path = crate::vectors::vectors_dir("drbg").join("ctr_drbg_aes256_nodf.rsp");
        let cases = cavp::load(&path).map_err(|e| e.to_string())?;
        let step = (cases.len() / ctx.scale(cases.len())).max(1);
        let mut ran = 0;
        for c in cases.iter().step_by(step) {
            if c.use_df {
                continue;
            }
            let n = (c.returned_bits.len() / 16) as u32;
            let opt = |v: &Vec<u8>| if v.is_empty() { None } else { Some(v.clone()) };
            d.offer(&c.entropy_input);
            d.ok(OP_INSTANTIATE, opt(&c.personalization).as_deref()).await?;
            if let Some((e, a)) = &c.reseed {
                d.offer(e);
                d.ok(OP_RESEED, opt(a).as_deref()).await?;
            }
            let mut out = Vec::new();
            for i in 0..2 {
                if let Some(e) = &c.entropy_pr {
                    d.offer(&e[i]);
                }
                out = d.generate(n, opt(&c.additional[i]).as_deref(), c.entropy_pr.is_some()).await?;
            }
            if out != c.returned_bits {
                return Err(format!("{} line {} ({}): returned bits differ", c.file, c.line, c.kind()));
            }
            // The reference, for the leak scan's Key and V.
            let mut r = CtrDrbg::default();
            r.instantiate(c.entropy_input.as_slice().try_into().map_err(|_| "entropy length")?, &c.personalization).map_err(|e| e.to_string())?;
            d.leaks.borrow_mut().add_past_secret(r.test_hook_key());
            d.leaks.borrow_mut().allow_digest(&out);
            ran += 1;
            ctx.count(1);
        }
        d.ok(OP_UNINSTANTIATE, None).await?;
        ctx.metric("cavp_cases", ran as f64);
        ctx.leaks(&d.leaks)
    })
}

/// Random command sequences against the reference: instantiate with and without
/// personalization, reseeds, generates of 1..8 blocks with and without additional input and PR,
/// keys to the key port, mask seeds to the mask port, scalars to the scalar port (each port
/// cleared or left full at random, so values wait on some while another is written); OUT and the
/// ports compared byte for byte, and a port no step writes or clears must not move.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut d = Drbg::new(&ctx.tb).await?;
        let rounds = ctx.scale(60);
        let bytes = |tb: &Tb, n: usize| -> Vec<u8> { (0..n).map(|_| tb.rng().gen()).collect() };
        let seed = bytes(&ctx.tb, 48);
        let pers = bytes(&ctx.tb, 48);
        d.offer(&seed);
        d.ok(OP_INSTANTIATE, Some(&pers)).await?;
        d.r.instantiate(seed.as_slice().try_into().unwrap(), &pers).map_err(|e| e.to_string())?;
        d.note_state();
        let mut sides = 0;
        for k in 0..rounds {
            let what: u32 = ctx.tb.rng().gen_range(0..11);
            let before = d.sides_now();
            let addl = if ctx.tb.rng().gen_bool(0.5) { Some(bytes(&ctx.tb, 48)) } else { None };
            let a: &[u8] = addl.as_deref().unwrap_or(&[]);
            if what == 0 {
                let s = bytes(&ctx.tb, 48);
                d.offer(&s);
                d.ok(OP_RESEED, addl.as_deref()).await?;
                d.r.reseed(s.as_slice().try_into().unwrap(), a).map_err(|e| e.to_string())?;
            } else if (1..=3).contains(&what) {
                let dest = SIDE_DESTS[what as usize - 1];
                let got = d.generate_side(dest, addl.as_deref()).await?;
                let want = d.r.generate(32, a).map_err(|e| e.to_string())?;
                if got != want {
                    return Err(format!("round {k}: sideload port {dest} {got:02x?}, reference {want:02x?}"));
                }
                sides += 1;
                if ctx.tb.rng().gen_bool(0.5) {
                    d.clear(dest).await;
                    if d.side(dest) != (false, vec![0; 32]) {
                        return Err(format!("round {k}: the clear left sideload port {dest}"));
                    }
                }
            } else {
                let n = ctx.tb.rng().gen_range(1..=8);
                let pr = ctx.tb.rng().gen_bool(0.2);
                let want = if pr {
                    let s = bytes(&ctx.tb, 48);
                    d.offer(&s);
                    d.r.generate_pr(&s, 16 * n as usize, a).map_err(|e| e.to_string())?
                } else {
                    d.r.generate(16 * n as usize, a).map_err(|e| e.to_string())?
                };
                let got = d.generate(n, addl.as_deref(), pr).await?;
                if got != want {
                    return Err(format!("round {k}: GENERATE {n} blocks (addl {}, PR {pr}) differs from the reference", addl.is_some()));
                }
                d.leaks.borrow_mut().allow_digest(&got);
            }
            // Only a GENERATE to a port (and its clear) moves it.
            d.others_unmoved(&before, &[what], &format!("round {k} (step {what})"))?;
            d.note_state();
            let count = d.read(&RESEED_COUNT).await?;
            if count as u64 != d.r.reseed_counter() {
                return Err(format!("round {k}: RESEED_COUNT {count}, reference {}", d.r.reseed_counter()));
            }
            ctx.count(1);
        }
        ctx.metric("sideload_generates", sides as f64);
        ctx.leaks(&d.leaks)
    })
}

/// An instantiated DRBG and its reference, from a random seed and personalization.
async fn instantiated(ctx: &Ctx) -> Result<Drbg, String> {
    let mut d = Drbg::new(&ctx.tb).await?;
    let seed: Vec<u8> = (0..48).map(|_| ctx.tb.rng().gen()).collect();
    let pers: Vec<u8> = (0..48).map(|_| ctx.tb.rng().gen()).collect();
    d.offer(&seed);
    d.ok(OP_INSTANTIATE, Some(&pers)).await?;
    d.r.instantiate(seed.as_slice().try_into().unwrap(), &pers).map_err(|e| e.to_string())?;
    d.note_state();
    Ok(d)
}

/// README: "The last block to OUT may still be waiting" when a GENERATE is done. A GENERATE
/// that starts with that block unread stores its first block only once software has read it;
/// nothing is lost or overwritten, plain, with additional input and with prediction resistance.
fn out_backlog(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut d = instantiated(&ctx).await?;
        for (case, with_addl, pr) in [("plain", false, false), ("additional input", true, false), ("prediction resistance", false, true)] {
            d.command(OP_GENERATE, None, false, DEST_OUT, 1).await?;
            ensure(d.finish(OP_GENERATE).await? == 0, || format!("{case}: first GENERATE failed"))?;
            let waiting = STATUS_OUT_WORDS.get(d.read(&STATUS).await?);
            ensure(waiting == 4, || format!("{case}: {waiting} words waiting in OUT, expected 4"))?;
            let mut want = d.r.generate(16, &[]).map_err(|e| e.to_string())?;
            let addl: Option<Vec<u8>> = with_addl.then(|| (0..48).map(|_| ctx.tb.rng().gen()).collect());
            let a: &[u8] = addl.as_deref().unwrap_or(&[]);
            want.extend(if pr {
                let s: Vec<u8> = (0..48).map(|_| ctx.tb.rng().gen()).collect();
                d.offer(&s);
                d.r.generate_pr(&s, 32, a).map_err(|e| e.to_string())?
            } else {
                d.r.generate(32, a).map_err(|e| e.to_string())?
            });
            d.command(OP_GENERATE, addl.as_deref(), pr, DEST_OUT, 2).await?;
            let mut got = Vec::new();
            for _ in 0..10_000 {
                if got.len() == want.len() {
                    break;
                }
                for _ in 0..STATUS_OUT_WORDS.get(d.read(&STATUS).await?) {
                    got.extend(d.read(&OUT).await?.to_le_bytes());
                }
            }
            d.leaks.borrow_mut().allow_digest(&got);
            ensure(d.finish(OP_GENERATE).await? == 0, || format!("{case}: second GENERATE failed"))?;
            ensure(got == want, || format!("{case}: OUT gave {got:02x?}, the reference {want:02x?}"))?;
            d.note_state();
            let count = d.read(&RESEED_COUNT).await?;
            ensure(count as u64 == d.r.reseed_counter(), || format!("{case}: RESEED_COUNT {count}, reference {}", d.r.reseed_counter()))?;
            ctx.count(1);
        }
        ctx.leaks(&d.leaks)
    })
}

/// README: "A clear between a GENERATE's two stores to its port drops block 1: that GENERATE
/// puts nothing on the port (never a half-zero value), and its RESULT is still RES_OK. A clear
/// of one port never touches the other." For each port, the clear one edge after block 1 is
/// stored; the DRBG's state still moves on as the reference's does (the next output matches).
fn side_clear_between(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut d = instantiated(&ctx).await?;
        for dest in SIDE_DESTS {
            // A value on every port first, so that "the others unmoved" means something.
            for other in SIDE_DESTS {
                let got = d.generate_side(other, None).await?;
                let want = d.r.generate(32, &[]).map_err(|e| e.to_string())?;
                ensure(got == want, || format!("port {other}: {got:02x?}, reference {want:02x?}"))?;
            }
            // This port empty, so that its valid rising would show.
            d.clear(dest).await;
            let before = d.sides_now();
            d.command(OP_GENERATE, None, false, dest, 2).await?;
            // The CMD write completed at the edge before this one (C); block 1 is stored at
            // C + BLOCK_EDGES and block 2 at C + 2 * BLOCK_EDGES: clear halfway between. The
            // port must never show valid meanwhile, up to the final Update's end.
            let clear_at = BLOCK_EDGES + BLOCK_EDGES / 2 - 1;
            for edge in 0..2 * BLOCK_EDGES + UPDATE_EDGES + 4 {
                if edge == clear_at {
                    d.clear(dest).await;
                } else {
                    ctx.tb.rising_edge().await;
                }
                ensure(!d.side(dest).0, || format!("port {dest}: valid rose {edge} edges into the GENERATE, with a clear between its stores"))?;
            }
            let err = d.finish(OP_GENERATE).await?;
            ensure(err == 0, || format!("port {dest}: RESULT.ERROR {err} after a clear between the stores, expected RES_OK"))?;
            ensure(d.side(dest) == (false, vec![0; 32]), || format!("port {dest}: the GENERATE left {:?} after the clear between its stores", d.side(dest)))?;
            d.others_unmoved(&before, &[dest], &format!("a clear of port {dest} between the stores"))?;
            // The 32 bytes were drawn all the same.
            let _dropped = d.r.generate(32, &[]).map_err(|e| e.to_string())?;
            d.note_state();
            let got = d.generate(1, None, false).await?;
            let want = d.r.generate(16, &[]).map_err(|e| e.to_string())?;
            ensure(got == want, || format!("port {dest}: the next OUT block differs from the reference"))?;
            ctx.count(1);
        }
        ctx.leaks(&d.leaks)
    })
}

/// Each RESULT code and bus error, each leaving the state as it was (CMD bits 31:16: ERR_VALUE;
/// a sideload DEST with BLOCKS != 2: RES_BAD_LENGTH); the reseed limit; each sideload port
/// replaced and cleared, a clear of one leaving the others; UNINSTANTIATE empties all three.
fn errors(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut d = Drbg::new(&ctx.tb).await?;
        let refused = |r: Result<(), String>, what: &str| match r {
            Err(e) if e.contains("pslverr") => Ok(()),
            other => Err(format!("{what}: {other:?}, expected PSLVERR")),
        };
        // Not instantiated.
        for op in [OP_RESEED, OP_GENERATE] {
            d.command(op, None, false, DEST_OUT, 1).await?;
            if d.finish(op).await? != RES_NOT_INSTANTIATED {
                return Err(format!("op {op} without a state"));
            }
        }
        // Bus errors.
        refused(d.write(&CMD, 0).await, "CMD 0")?;
        refused(d.write(&CMD, 9).await, "CMD 9")?;
        refused(d.write(&CMD, OP_GENERATE | CMD_DEST.put(DEST_SCALAR) | CMD_BLOCKS.put(2) | 1 << 16).await, "CMD bit 16")?;
        refused(d.write(&CMD, OP_INSTANTIATE | 1 << 31).await, "INSTANTIATE with bit 31")?;
        if STATUS_BUSY.get(d.read(&STATUS).await?) != 0 {
            return Err("a CMD with bits 31:16 set started a command".into());
        }
        refused(d.read(&OUT).await.map(|_| ()), "OUT empty")?;
        let info = d.read(&ERR_INFO).await?;
        if ERR_INFO_CODE.get(info) != ERR_VALUE || ERR_INFO_OVERFLOW.get(info) != 1 {
            return Err(format!("ERR_INFO 0x{info:08x} after four ERR_VALUE and an ERR_EMPTY"));
        }
        d.write(&ERR_INFO, 0).await?;
        match d.apb.with_master(MASTER_APP).read(STATUS.offset).await {
            Err(ApbError::SlvErr { .. }) => {}
            r => return Err(format!("the application core read STATUS: {r:?}")),
        }
        d.write(&ERR_INFO, 0).await?;
        // No entropy comes: UNINSTANTIATE abandons the INSTANTIATE that waits for it.
        d.command(OP_INSTANTIATE, None, false, DEST_OUT, 0).await?;
        ctx.tb.clock_cycles(20).await;
        if STATUS_BUSY.get(d.read(&STATUS).await?) != 1 {
            return Err("INSTANTIATE without entropy is not waiting".into());
        }
        refused(d.write(&CMD, OP_RESEED).await, "RESEED while waiting for entropy")?;
        d.write(&ERR_INFO, 0).await?;
        d.ok(OP_UNINSTANTIATE, None).await?;
        if d.read(&STATUS).await? & (STATUS_BUSY.mask() | STATUS_INSTANTIATED.mask()) != 0 {
            return Err("UNINSTANTIATE did not abandon the INSTANTIATE waiting for entropy".into());
        }
        // Instantiate, then the limit: RESEED_LIMIT = 2 lets two GENERATEs through.
        let seed: [u8; 48] = std::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ 0x5a);
        d.offer(&seed);
        d.ok(OP_INSTANTIATE, None).await?;
        d.r.instantiate(&seed, &[]).map_err(|e| e.to_string())?;
        d.note_state();
        // Busy: a command and ADDL while one runs.
        d.command(OP_GENERATE, None, false, DEST_OUT, 2).await?;
        refused(d.write(&CMD, OP_GENERATE | 1 << 8).await, "CMD while busy")?;
        refused(d.apb.write(ADDL.addr(0), 1).await.map_err(|e| e.to_string()), "ADDL while busy")?;
        d.write(&ERR_INFO, 0).await?;
        let mut out = Vec::new();
        while out.len() < 32 {
            if STATUS_OUT_WORDS.get(d.read(&STATUS).await?) > 0 {
                out.extend(d.read(&OUT).await?.to_le_bytes());
            }
        }
        d.finish(OP_GENERATE).await?;
        if out != d.r.generate(32, &[]).map_err(|e| e.to_string())? {
            return Err("GENERATE after refused accesses differs".into());
        }
        d.write(&RESEED_LIMIT, 2).await?;
        d.generate(1, None, false).await?;
        d.r.generate(16, &[]).map_err(|e| e.to_string())?;
        d.command(OP_GENERATE, None, false, DEST_OUT, 1).await?;
        if d.finish(OP_GENERATE).await? != RES_RESEED_NEEDED {
            return Err("third GENERATE with RESEED_LIMIT = 2 not refused".into());
        }
        // Bad lengths.
        for (dest, blocks) in [(DEST_OUT, 0), (DEST_KEY, 1), (DEST_KEY, 3), (DEST_MASK, 0), (DEST_MASK, 1), (DEST_MASK, 3), (DEST_MASK, 255),
                               (DEST_SCALAR, 0), (DEST_SCALAR, 1), (DEST_SCALAR, 3), (DEST_SCALAR, 255)] {
            d.command(OP_GENERATE, None, false, dest, blocks).await?;
            if d.finish(OP_GENERATE).await? != RES_BAD_LENGTH {
                return Err(format!("GENERATE dest {dest} blocks {blocks} not refused"));
            }
        }
        // A reseed recovers; the state was not changed by the refusals.
        let s2: [u8; 48] = std::array::from_fn(|i| (i as u8).wrapping_mul(53) ^ 0xa5);
        d.offer(&s2);
        d.ok(OP_RESEED, None).await?;
        d.r.reseed(&s2, &[]).map_err(|e| e.to_string())?;
        let got = d.generate(2, None, false).await?;
        if got != d.r.generate(32, &[]).map_err(|e| e.to_string())? {
            return Err("GENERATE after the refusals and a reseed differs".into());
        }
        d.leaks.borrow_mut().allow_digest(&got);
        d.note_state();
        d.write(&RESEED_LIMIT, RESEED_LIMIT_RESET).await?;
        // Each sideload port: replaced by the next GENERATE to it, emptied by its clear; the other
        // ports (full with values from the reference) neither move nor empty meanwhile.
        let empty = (false, vec![0u8; 32]);
        for dest in SIDE_DESTS {
            for other in SIDE_DESTS.into_iter().filter(|&o| o != dest) {
                let o = d.generate_side(other, None).await?;
                if o != d.r.generate(32, &[]).map_err(|e| e.to_string())? {
                    return Err(format!("sideload port {other} differs from the reference"));
                }
            }
            let full = d.sides_now();
            let k1 = d.generate_side(dest, None).await?;
            let k2 = d.generate_side(dest, None).await?;
            let (w1, w2) = (d.r.generate(32, &[]).map_err(|e| e.to_string())?, d.r.generate(32, &[]).map_err(|e| e.to_string())?);
            if k1 != w1 || k2 != w2 || k1 == k2 {
                return Err(format!("sideload port {dest}: values differ from the reference"));
            }
            d.clear(dest).await;
            if d.side(dest) != empty {
                return Err(format!("the clear left sideload port {dest}"));
            }
            d.others_unmoved(&full, &[dest], &format!("the clear of sideload port {dest}"))?;
            for other in SIDE_DESTS {
                d.clear(other).await;
            }
            let s = d.read(&STATUS).await?;
            if d.sides_now().iter().any(|p| *p != empty) || s & SIDE_STATUS_ALL != 0 {
                return Err(format!("every port cleared: STATUS 0x{s:08x}"));
            }
        }
        // UNINSTANTIATE empties every port.
        for dest in SIDE_DESTS {
            let v = d.generate_side(dest, None).await?;
            if v != d.r.generate(32, &[]).map_err(|e| e.to_string())? {
                return Err(format!("sideload port {dest} before UNINSTANTIATE differs from the reference"));
            }
        }
        d.note_state();
        d.ok(OP_UNINSTANTIATE, None).await?;
        let s = d.read(&STATUS).await?;
        if STATUS_INSTANTIATED.get(s) != 0 || d.read(&RESEED_COUNT).await? != 0 {
            return Err(format!("after UNINSTANTIATE: STATUS 0x{s:08x}"));
        }
        if d.sides_now().iter().any(|p| *p != empty) || s & SIDE_STATUS_ALL != 0 {
            return Err(format!("UNINSTANTIATE left a sideload port: STATUS 0x{s:08x}"));
        }
        ctx.count(20);
        ctx.leaks(&d.leaks)
    })
}

/// Escalation in the middle of a GENERATE with a key waiting: every output empties, DEAD,
/// commands get ERR_FATAL, no alert_fatal; reset recovers.
fn escalation(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut d = Drbg::new(&ctx.tb).await?;
        let seed: [u8; 48] = std::array::from_fn(|i| (i as u8).wrapping_mul(71) ^ 0x3c);
        d.offer(&seed);
        d.ok(OP_INSTANTIATE, None).await?;
        d.r.instantiate(&seed, &[]).map_err(|e| e.to_string())?;
        d.note_state();
        d.generate_key(None).await?;
        d.generate_side(DEST_MASK, None).await?;
        d.generate_side(DEST_SCALAR, None).await?;
        d.command(OP_GENERATE, None, false, DEST_OUT, 4).await?;
        ctx.tb.clock_cycles(40).await;
        let esc = ctx.tb.port("esc")?;
        ctx.tb.poke_u32(esc, 1);
        ctx.tb.rising_edge().await;
        ctx.tb.poke_u32(esc, 0);
        ctx.tb.clock_cycles(2).await;
        let s = d.read(&STATUS).await?;
        let empty = (false, vec![0u8; 32]);
        if s != STATUS_DEAD.mask() || d.sides_now().iter().any(|p| *p != empty) || ctx.tb.peek_u32(ctx.tb.port("alert_fatal")?) != 0 {
            return Err(format!("after escalation: STATUS 0x{s:08x}"));
        }
        match d.write(&CMD, OP_INSTANTIATE).await {
            Err(e) if e.contains("pslverr") => {}
            r => return Err(format!("CMD after escalation: {r:?}")),
        }
        if ERR_INFO_CODE.get(d.read(&ERR_INFO).await?) != ERR_FATAL {
            return Err("CMD after escalation: not ERR_FATAL".into());
        }
        ctx.tb.reset(3).await;
        d.offer(&seed);
        d.ok(OP_INSTANTIATE, None).await?;
        ctx.count(3);
        ctx.leaks(&d.leaks)
    })
}

/// The sequencer's check bits (`DRBG.FSM.SPARSE`), on the state-access build `pluton_drbg_fi`:
/// a flip of any state or check bit in the middle of an Update raises `alert_fatal` at once and
/// for good, wipes Key and V and leaves DEAD alone in STATUS. The negative control runs the same
/// INSTANTIATE in lock-step first: no alert in any cycle (compared with the model every cycle).
fn state_fault(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = Drbg::new(&ctx.tb).await?;
        let seed: [u8; 48] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x77);
        d.offer(&seed);
        d.ok(OP_INSTANTIATE, None).await?;
        if d.read(&STATUS).await? != STATUS_DONE.mask() | STATUS_INSTANTIATED.mask() {
            return Err("no flip: INSTANTIATE did not end cleanly".into());
        }
        ctx.count(1);
        for (name, bit) in ["st", "st_chk"].iter().flat_map(|n| (0..3).map(move |b| (*n, b))) {
            let mut rig = crate::state_rig::StateRig::open("pluton_drbg_fi", "pluton_drbg")?;
            use pluton_bindings::Dut;
            let id = rig.dut.port_id("seed_in").ok_or("no seed_in")?;
            rig.dut.poke(id, &be_words(&seed));
            rig.set("seed_valid", 1)?;
            rig.write(CMD.offset, OP_INSTANTIATE);
            rig.clock(30);
            rig.flip(name, bit)?;
            let alert_now = rig.out("alert_fatal")?;
            rig.clock(100);
            let (alert, status) = (rig.out("alert_fatal")?, rig.read(STATUS.offset));
            let state: Vec<u32> = rig.flop("key")?.into_iter().chain(rig.flop("v")?).chain(rig.flop("pd")?).collect();
            if alert_now != 1 || alert != 1 || status != STATUS_DEAD.mask() || state.iter().any(|w| *w != 0) {
                return Err(format!("{name} bit {bit} flipped: alert_fatal {alert_now} then {alert}, STATUS 0x{status:08x}, state wiped {}", state.iter().all(|w| *w == 0)));
            }
            ctx.count(1);
        }
        d.leaks.borrow_mut().add_past_secret(&seed);
        ctx.leaks(&d.leaks)
    })
}

/// Throughput: cycles of a 32-block GENERATE to OUT read by a requester as fast as APB allows,
/// and of a key to the key port; both against the README's timing (the blocks of a GENERATE
/// cost BLOCK_EDGES each plus the reads, then the final Update).
fn throughput(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut d = Drbg::new(&ctx.tb).await?;
        let seed: [u8; 48] = std::array::from_fn(|i| (i as u8).wrapping_mul(91) ^ 0x1d);
        d.offer(&seed);
        d.ok(OP_INSTANTIATE, None).await?;
        d.r.instantiate(&seed, &[]).map_err(|e| e.to_string())?;
        d.note_state();
        let n = 32;
        let c0 = ctx.tb.cycle();
        let got = d.generate(n, None, false).await?;
        let cycles = ctx.tb.cycle() - c0;
        if got != d.r.generate(16 * n as usize, &[]).map_err(|e| e.to_string())? {
            return Err("32-block GENERATE differs from the reference".into());
        }
        d.leaks.borrow_mut().allow_digest(&got);
        d.note_state();
        // The engine's own share: BLOCK_EDGES per block and one Update; the rest is the reads.
        let engine = (n * BLOCK_EDGES + UPDATE_EDGES) as u64;
        if cycles < engine {
            return Err(format!("{cycles} cycles for {n} blocks, less than the engine's {engine}: the schedule is not the README's"));
        }
        let c1 = ctx.tb.cycle();
        let k = d.generate_key(None).await?;
        let key_cycles = ctx.tb.cycle() - c1;
        d.leaks.borrow_mut().add_past_secret(&k);
        ctx.metric("generate_32_blocks_cycles", cycles as f64);
        ctx.metric("out_bits_per_cycle_with_apb_reads", (128 * n) as f64 / cycles as f64);
        ctx.metric("engine_bits_per_cycle", 128.0 / BLOCK_EDGES as f64);
        ctx.metric("key_to_port_cycles", key_cycles as f64);
        ctx.count(2);
        ctx.leaks(&d.leaks)
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "drbg_cavp", body: cavp_nodf },
        Case { name: "drbg_random", body: random },
        Case { name: "drbg_errors", body: errors },
        Case { name: "drbg_escalation", body: escalation },
        Case { name: "drbg_state_fault", body: state_fault },
        Case { name: "drbg_throughput", body: throughput },
        Case { name: "drbg_out_backlog", body: out_backlog },
        Case { name: "drbg_side_clear_between", body: side_clear_between },
    ]
}

pub fn model() -> Box<dyn pluton_bindings::Dut> {
    Box::new(pluton_cosim::drbg_model::DrbgModel::new())
}

pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![BlockBench {
        block: "drbg",
        module: "pluton_drbg",
        model: Some(model),
        cases,
        replay: "drbg_escalation",
        csr: Some(&crate::csr::CsrSpec { map: &MAP, base: 0, master: MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[],
        compares_reads: true,
        scans_leaks: true,
    }]
}
