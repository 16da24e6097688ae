//! OTP controller test bench: a register-level driver, a tester-port preloader and the tests.
//!
//! Every test states the values it expects (from the README contract), so each can fail on the
//! RTL alone; in lock-step the reference model is also compared on every output, every cycle.

use crate::leak::LeakScan;
use crate::regression::{Case, Ctx, TestFuture};
use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::Tb;
use pluton_cosim::fuse_image::FuseImage;
use pluton_hdl::otp::ecc;
use pluton_hdl::otp::fusemap::{self as fm};
use pluton_hdl::otp::regs::*;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;


/// Port-level view of the controller's outputs (everything but the APB).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outs {
    pub lc_state: u32,
    pub debug_en: bool,
    pub svn: u32,
    pub fatal: bool,
    pub key_valid: bool,
    pub key: [u8; 32],
}

/// The fuse tester port (`tst_*`), as a wafer tester drives it; also reached through the
/// subsystem top, so its bench uses this too.
#[derive(Clone)]
pub struct TesterPort {
    tb: Tb,
    tst_en: usize,
    tst_we: usize,
    tst_addr: usize,
    tst_wdata: usize,
    tst_busy: usize,
}

impl TesterPort {
    pub fn new(tb: &Tb) -> Result<Self, String> {
        Ok(Self {
            tb: tb.clone(),
            tst_en: tb.port("tst_en")?,
            tst_we: tb.port("tst_we")?,
            tst_addr: tb.port("tst_addr")?,
            tst_wdata: tb.port("tst_wdata")?,
            tst_busy: tb.port("tst_busy")?,
        })
    }

    pub fn busy(&self) -> bool {
        self.tb.peek_u32(self.tst_busy) & 1 == 1
    }

    /// Edges a tester waits with `tst_we` held for its program to start: a scan still running
    /// (the port opens only after one) or an APB program still running, plus margin.
    pub const START_WAIT: u64 = (INIT_CYCLES + PROG_CYCLES) as u64 + 8;

    /// With `tst_en` high: program one raw word. Waits for the engine, then holds `tst_we` until
    /// `tst_busy` rises (the port may open only after a scan). False if the port never took it:
    /// the part refuses the tester port.
    pub async fn word(&self, word: u32, raw: u64) -> bool {
        while self.busy() {
            self.tb.rising_edge().await;
        }
        self.tb.poke_u32(self.tst_addr, word);
        self.tb.poke(self.tst_wdata, &[raw as u32, (raw >> 32) as u32]);
        self.tb.poke_u32(self.tst_we, 1);
        let mut started = false;
        for _ in 0..Self::START_WAIT {
            self.tb.rising_edge().await;
            if self.busy() {
                started = true;
                break;
            }
        }
        self.tb.poke_u32(self.tst_we, 0);
        started
    }

    /// Start one tester program and drop `tst_en` again without waiting for it (the engine runs
    /// on to its end unless a reset cuts it). False if the port refused it.
    pub async fn start(&self, word: u32, raw: u64) -> bool {
        self.tb.poke_u32(self.tst_en, 1);
        let ok = self.word(word, raw).await;
        self.tb.poke_u32(self.tst_en, 0);
        ok
    }

    /// Raise `tst_en`, OR the raw words into the array, wait for the engine, drop `tst_en` (the
    /// controller then scans the fuses). Err (with `tst_en` low again) if the port refused.
    pub async fn program(&self, words: &[(u32, u64)]) -> Result<(), String> {
        self.tb.poke_u32(self.tst_en, 1);
        for &(w, raw) in words {
            if !self.word(w, raw).await {
                self.tb.poke_u32(self.tst_en, 0);
                return Err(format!("tester port refused the program of word {w:#x}"));
            }
        }
        while self.busy() {
            self.tb.rising_edge().await;
        }
        self.tb.poke_u32(self.tst_en, 0);
        Ok(())
    }

    /// Program every non-blank word of an image (in one session, so a blank part takes a whole
    /// image, its LC words included: the state moves only at the scan after it).
    pub async fn preload(&self, img: &FuseImage) -> Result<(), String> {
        let words: Vec<(u32, u64)> = (0..fm::WORDS as u32)
            .filter(|&w| img.raw[w as usize] != 0)
            .map(|w| (w, img.raw[w as usize]))
            .collect();
        self.program(&words).await
    }
}

/// Register-level driver for one OTP controller.
#[derive(Clone)]
pub struct OtpDriver {
    pub tb: Tb,
    pub apb: Apb,
    pub leaks: Rc<RefCell<LeakScan>>,
    pub tester: TesterPort,
    key_out: usize,
    key_valid: usize,
    lc_state: usize,
    debug_en: usize,
    svn: usize,
    fatal: usize,
}

fn check<T: PartialEq + std::fmt::Debug>(ctx: &Ctx, what: &str, got: T, want: T) -> Result<(), String> {
    ctx.count(1);
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:x?}, expected {want:x?}"))
    }
}

impl OtpDriver {
    pub fn new(tb: &Tb) -> Result<Self, String> {
        let apb = Apb::new(tb)?.with_master(MASTER_SEC);
        let leaks = LeakScan::watch(&apb);
        Ok(Self {
            tb: tb.clone(),
            apb,
            leaks,
            tester: TesterPort::new(tb)?,
            key_out: tb.port("key_out")?,
            key_valid: tb.port("key_valid")?,
            lc_state: tb.port("lc_state")?,
            debug_en: tb.port("debug_en")?,
            svn: tb.port("svn")?,
            fatal: tb.port("fatal")?,
        })
    }

    /// Register the secrets of an image (root key and seed) with the leak scan.
    pub fn secrets(&self, img: &FuseImage) {
        let mut l = self.leaks.borrow_mut();
        l.add_secret(&img.bytes32(fm::DEVICE_ROOT_KEY));
        l.add_secret(&img.bytes32(fm::ATTESTATION_SEED));
    }

    pub fn outs(&self) -> Outs {
        let mut k = [0u32; 8];
        self.tb.peek(self.key_out, &mut k);
        let mut key = [0u8; 32];
        for (i, w) in k.iter().enumerate() {
            key[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        Outs {
            lc_state: self.tb.peek_u32(self.lc_state),
            debug_en: self.tb.peek_u32(self.debug_en) & 1 == 1,
            svn: self.tb.peek_u32(self.svn),
            fatal: self.tb.peek_u32(self.fatal) & 1 == 1,
            key_valid: self.tb.peek_u32(self.key_valid) & 1 == 1,
            key,
        }
    }

    pub fn tst_busy(&self) -> bool {
        self.tester.busy()
    }

    pub async fn status(&self) -> Result<u32, String> {
        Ok(self.apb.read(STATUS.offset).await?)
    }

    /// Poll STATUS until READY.
    pub async fn wait_ready(&self) -> Result<(), String> {
        for _ in 0..2000 {
            if STATUS_READY.get(self.status().await?) == 1 {
                return Ok(());
            }
        }
        Err("READY never came".into())
    }

    /// Poll STATUS until BUSY is 0.
    pub async fn wait_idle(&self) -> Result<(), String> {
        for _ in 0..2000 {
            if STATUS_BUSY.get(self.status().await?) == 0 {
                return Ok(());
            }
        }
        Err("BUSY never fell".into())
    }

    /// Reset (rst_n low for 3 cycles) and wait for the init scan.
    pub async fn reset(&self) -> Result<(), String> {
        self.tb.reset(3).await;
        self.wait_ready().await
    }

    /// With `tst_en` high: program one raw word through the tester port (waits for the engine).
    /// False if the port refused it.
    pub async fn tst_word(&self, word: u32, raw: u64) -> bool {
        self.tester.word(word, raw).await
    }

    /// Program raw words through the tester port (OR into the array), then rescan.
    pub async fn tester(&self, words: &[(u32, u64)]) -> Result<(), String> {
        self.tester.program(words).await?;
        self.wait_ready().await
    }

    /// Preload a whole fuse image (its non-blank words) through the tester port.
    pub async fn preload(&self, img: &FuseImage) -> Result<(), String> {
        self.tester.preload(img).await?;
        self.wait_ready().await
    }

    pub async fn cmd(&self, v: u32) -> Result<(), ApbError> {
        self.apb.write(CMD.offset, v).await
    }

    /// PROGRAM `data` into `word` and wait for the engine.
    pub async fn program(&self, word: u32, data: u32) -> Result<(), String> {
        self.apb.write(DAI_ADDR.offset, word).await?;
        self.apb.write(DAI_WDATA.offset, data).await?;
        self.cmd(OP_PROGRAM).await?;
        self.wait_idle().await
    }

    /// Set DAI_ADDR/DAI_WDATA and issue PROGRAM; the CMD write's result.
    pub async fn try_program(&self, word: u32, data: u32) -> Result<(), ApbError> {
        self.apb.write(DAI_ADDR.offset, word).await?;
        self.apb.write(DAI_WDATA.offset, data).await?;
        self.cmd(OP_PROGRAM).await
    }

    pub async fn lc_transition(&self, target: u32) -> Result<(), ApbError> {
        self.cmd(OP_LC_TRANSITION | CMD_LC_TARGET.put(target)).await
    }

    pub async fn key_load(&self, slot: u32) -> Result<(), ApbError> {
        self.cmd(OP_KEY_LOAD | CMD_KEY_SLOT.put(slot)).await
    }

    pub async fn fuse(&self, word: u32) -> Result<u32, ApbError> {
        self.apb.read(FUSE.addr(word)).await
    }

    /// ERR_INFO's code, then clear it.
    pub async fn take_err(&self) -> Result<u32, String> {
        let e = self.apb.read(ERR_INFO.offset).await?;
        self.apb.write(ERR_INFO.offset, 0).await?;
        Ok(ERR_INFO_CODE.get(e))
    }

    /// `r` must be a PSLVERR (with prdata 0) logged as `code`.
    pub async fn expect_err<T: std::fmt::Debug>(&self, ctx: &Ctx, what: &str, r: Result<T, ApbError>, code: u32) -> Result<(), String> {
        match r {
            Err(ApbError::SlvErr { data, write, .. }) => {
                if !write && data != 0 {
                    return Err(format!("{what}: erroring read returned 0x{data:08x}, not 0"));
                }
                let got = self.take_err().await?;
                check(ctx, &format!("{what}: ERR_INFO.CODE"), got, code)
            }
            other => Err(format!("{what}: expected PSLVERR with code {code}, got {other:?}")),
        }
    }

    /// The shadow registers: (LC_STATE, SVN, LOCKS, FATAL_PARTS, ECC_CORRECTED).
    pub async fn shadows(&self) -> Result<[u32; 5], String> {
        Ok([
            self.apb.read(LC_STATE.offset).await?,
            self.apb.read(SVN.offset).await?,
            self.apb.read(LOCKS.offset).await?,
            self.apb.read(FATAL_PARTS.offset).await?,
            self.apb.read(ECC_CORRECTED.offset).await?,
        ])
    }

    pub async fn configs(&self) -> Result<[u32; 4], String> {
        let mut c = [0; 4];
        for (i, v) in c.iter_mut().enumerate() {
            *v = self.apb.read(CONFIG.addr(i as u32)).await?;
        }
        Ok(c)
    }
}

/// Random 32 bytes with no all-equal windows (so the leak scan has something to look for).
fn random_key(tb: &Tb) -> [u8; 32] {
    let mut rng = tb.rng();
    let mut k = [0u8; 32];
    rng.fill(&mut k[..]);
    k
}

/// A fully provisioned image: keys, owner hash, SVN, LC words up to `lc`, config, all locks.
fn provisioned(tb: &Tb, lc: u32, svn: u32, lock_mask: u32) -> FuseImage {
    let mut img = FuseImage::blank();
    img.program_bytes32(fm::DEVICE_ROOT_KEY, &random_key(tb));
    img.program_bytes32(fm::ATTESTATION_SEED, &random_key(tb));
    img.program_bytes32(fm::OWNER_KEY_HASH, &random_key(tb));
    for i in 0..svn {
        img.program(fm::SVN_FIRST + i, fm::SVN_WORD);
    }
    let magics = [
        (fm::LC_DEV, fm::LC_DEV_MAGIC),
        (fm::LC_SECURED, fm::LC_SECURED_MAGIC),
        (fm::LC_RMA, fm::LC_RMA_MAGIC),
    ];
    for &(w, m) in magics.iter().take(lc as usize) {
        img.program(w, m);
    }
    // CONFIG0..2 only: TST_DISABLE (CONFIG3) blank, so the tester port stays usable in BLANK/RMA.
    for i in 0..3 {
        let v: u32 = tb.rng().gen();
        img.program(fm::CONFIG_FIRST + i, v | 1);
    }
    for p in 0..5 {
        if lock_mask >> p & 1 == 1 {
            img.program(fm::LOCK_BASE + p, fm::LOCK_MAGIC);
        }
    }
    img
}

fn key_of(img: &FuseImage, slot: u32) -> [u8; 32] {
    img.bytes32(if slot == 0 { fm::DEVICE_ROOT_KEY } else { fm::ATTESTATION_SEED })
}

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "otp_escalation",
            body: escalation,
        },
        Case {
            name: "otp_init_blank",
            body: init_blank,
        },
        Case {
            name: "otp_init_provisioned",
            body: init_provisioned,
        },
        Case {
            name: "otp_ecc_single",
            body: ecc_single,
        },
        Case {
            name: "otp_ecc_double",
            body: ecc_double,
        },
        Case {
            name: "otp_interrupted",
            body: interrupted,
        },
        Case {
            name: "otp_write_lock",
            body: write_lock,
        },
        Case {
            name: "otp_read_lock",
            body: read_lock,
        },
        Case {
            name: "otp_protocol",
            body: protocol,
        },
        Case {
            name: "otp_svn",
            body: svn,
        },
        Case {
            name: "otp_lc_transitions",
            body: lc_transitions,
        },
        Case {
            name: "otp_lc_invalid",
            body: lc_invalid,
        },
        Case {
            name: "otp_lc_invalid_reserved",
            body: lc_invalid_reserved,
        },
        Case {
            name: "otp_lc_invalid_rma",
            body: lc_invalid_rma,
        },
        Case {
            name: "otp_key_port",
            body: key_port,
        },
        Case {
            name: "otp_tester_port",
            body: tester_port,
        },
        Case {
            name: "otp_tst_lc_gate",
            body: tst_lc_gate,
        },
        Case {
            name: "otp_tst_disable",
            body: tst_disable,
        },
        Case {
            name: "otp_tst_from_reset",
            body: tst_from_reset,
        },
        Case {
            name: "otp_bad_input",
            body: bad_input,
        },
        Case {
            name: "otp_timing",
            body: timing,
        },
        Case {
            name: "otp_random",
            body: random,
        },
    ]
}

/// Blank array after reset: READY after exactly INIT_CYCLES + 1 edges, BLANK state, everything 0.
fn init_blank(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        // The runtime released rst_n and waited one edge: that edge started the scan (S = 1).
        check(&ctx, "lc_state while scanning", d.outs().lc_state, fm::LC_STATE_INVALID)?;
        check(&ctx, "svn while scanning", d.outs().svn, fm::SVN_MAX)?;
        check(&ctx, "STATUS while scanning", d.status().await?, 0)?;
        let v = d.shadows().await?;
        check(&ctx, "shadows while scanning", v, [fm::LC_STATE_INVALID, fm::SVN_MAX, 0, 0, 0])?;
        d.wait_ready().await?;
        let o = d.outs();
        check(
            &ctx,
            "outputs",
            o,
            Outs {
                lc_state: 0,
                debug_en: true,
                svn: 0,
                fatal: false,
                key_valid: false,
                key: [0; 32],
            },
        )?;
        // BLANK allows the tester port.
        check(&ctx, "STATUS", d.status().await?, STATUS_READY.mask() | STATUS_TST_OK.mask())?;
        check(
            &ctx,
            "LC_STATE/SVN/LOCKS/FATAL/ECC",
            d.shadows().await?,
            [LC_STATE_DEBUG_EN.mask(), 0, 0, 0, 0],
        )?;
        check(&ctx, "CONFIG", d.configs().await?, [0; 4])?;
        check(&ctx, "ID", d.apb.read(ID.offset).await?, BLOCK_ID)?;
        check(&ctx, "DAI_ADDR", d.apb.read(DAI_ADDR.offset).await?, 0)?;
        for w in fm::OWNER.first..fm::RESERVED_FIRST {
            check(&ctx, &format!("FUSE[{w:#x}]"), d.fuse(w).await?, 0)?;
        }
        check(&ctx, "ERR_INFO", d.apb.read(ERR_INFO.offset).await?, 0)?;
        ctx.no_secrets(&d.leaks)
    })
}

/// Provisioned images in each life cycle state: every shadow, the key port, the FUSE window.
fn init_provisioned(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        // SECURED, SVN 5, every partition locked; through the text format and back.
        let img = provisioned(&ctx.tb, 2, 5, 0x1F);
        let img = FuseImage::parse(&img.to_text())?;
        d.secrets(&img);
        d.preload(&img).await?;
        let o = d.outs();
        check(
            &ctx,
            "outputs",
            o,
            Outs {
                lc_state: 2,
                debug_en: false,
                svn: 5,
                fatal: false,
                key_valid: true,
                key: key_of(&img, 0),
            },
        )?;
        check(&ctx, "STATUS", d.status().await?, STATUS_READY.mask() | STATUS_KEY_VALID.mask())?;
        check(&ctx, "shadows", d.shadows().await?, [2, 5 | SVN_COUNT.put(5), 0x1F, 0, 0])?;
        check(&ctx, "CONFIG", d.configs().await?, img.config())?;
        for w in fm::OWNER.first..fm::RESERVED_FIRST {
            check(&ctx, &format!("FUSE[{w:#x}]"), d.fuse(w).await?, img.data(w))?;
        }
        // KEY_LOAD swaps slots; key_valid is low while loading.
        for slot in [1, 0, 1] {
            d.key_load(slot).await?;
            check(&ctx, "key_valid right after KEY_LOAD", d.outs().key_valid, false)?;
            d.wait_idle().await?;
            check(&ctx, &format!("key_out slot {slot}"), d.outs().key, key_of(&img, slot))?;
            check(&ctx, "STATUS.KEY_SLOT", STATUS_KEY_SLOT.get(d.status().await?), slot)?;
        }
        // Reset reloads slot 0.
        d.reset().await?;
        check(&ctx, "key after reset", d.outs().key, key_of(&img, 0))?;
        ctx.leaks(&d.leaks)
    })
}

/// One single-bit error in a word of every partition (data bit, check bit, c6, DONE-covered
/// positions): all corrected, counted by the scan, by FUSE reads and by KEY_LOAD.
fn ecc_single(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        // The RTL's encoder (ecc.rs) and the fuse tool's agree.
        for _ in 0..200 {
            let v: u32 = ctx.tb.rng().gen();
            check(
                &ctx,
                "ecc::raw_word == fuse_image::raw_word",
                ecc::raw_word(v),
                pluton_cosim::fuse_image::raw_word(v),
            )?;
        }
        let mut img = provisioned(&ctx.tb, 1, 3, 0x1F);
        d.secrets(&img);
        // (word, raw bit) flips: a key word, the seed, owner, SVN, LC, CONFIG, a lock word.
        let mut flips = vec![
            (0x03u32, 0u32),
            (0x0A, 35),
            (0x11, 38),
            (0x19, 17),
            (fm::LC_DEV, 32),
            (0x2E, 31),
            (0x32, 7),
        ];
        let extra: u32 = ctx.tb.rng().gen_range(0..39);
        flips.push((0x16, extra));
        for &(w, b) in &flips {
            img.raw[w as usize] ^= 1 << b;
        }
        d.preload(&img).await?;
        let corrected = flips.len() as u32;
        check(
            &ctx,
            "shadows",
            d.shadows().await?,
            [1 | LC_STATE_DEBUG_EN.mask(), 3 | SVN_COUNT.put(3), 0x1F, 0, corrected],
        )?;
        let o = d.outs();
        check(
            &ctx,
            "outputs",
            o,
            Outs {
                lc_state: 1,
                debug_en: true,
                svn: 3,
                fatal: false,
                key_valid: true,
                key: key_of(&FuseImage::parse(&img.to_text())?, 0),
            },
        )?;
        check(&ctx, "CONFIG (corrected)", d.configs().await?, img.config())?;
        // FUSE reads correct and count each corrected word read.
        let mut n = corrected;
        for w in fm::OWNER.first..fm::RESERVED_FIRST {
            let want = ecc::decode(img.raw[w as usize]);
            check(&ctx, &format!("FUSE[{w:#x}]"), d.fuse(w).await?, want.1)?;
            if want.0 == ecc::Class::Corrected {
                n += 1;
            }
        }
        check(&ctx, "ECC_CORRECTED after reads", d.apb.read(ECC_CORRECTED.offset).await?, n)?;
        // KEY_LOAD of the seed (one corrected word) counts too and yields the corrected key.
        d.key_load(1).await?;
        d.wait_idle().await?;
        check(&ctx, "ECC_CORRECTED after KEY_LOAD", d.apb.read(ECC_CORRECTED.offset).await?, n + 1)?;
        let mut seed = [0u8; 32];
        for j in 0..8 {
            seed[4 * j..4 * j + 4].copy_from_slice(&ecc::decode(img.raw[8 + j]).1.to_le_bytes());
        }
        check(&ctx, "seed key (corrected)", d.outs().key, seed)?;
        ctx.leaks(&d.leaks)
    })
}

/// Double errors, added partition by partition (fuses only gain bits): FATAL with safe values.
fn ecc_double(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 1, 2, 0x01);
        d.secrets(&img);
        // Set two bits that are 0 in `word`: a double error.
        let two_zero_bits = |w: u32| -> u64 {
            let raw = img.raw[w as usize];
            let zeros: Vec<u32> = (0..39).filter(|b| raw >> b & 1 == 0).collect();
            raw | 1 << zeros[0] | 1 << zeros[zeros.len() / 2]
        };
        // SECRET: no key. In the image's one tester session: DEV closes the port afterwards.
        let mut first = img.clone();
        first.raw[0x05] = two_zero_bits(0x05);
        d.preload(&first).await?;
        check(
            &ctx,
            "SECRET fatal: outputs",
            d.outs(),
            Outs {
                lc_state: 1,
                debug_en: true,
                svn: 2,
                fatal: true,
                key_valid: false,
                key: [0; 32],
            },
        )?;
        check(&ctx, "SECRET fatal: FATAL_PARTS", d.shadows().await?[3], 0b00001)?;
        check(&ctx, "STATUS.FATAL", STATUS_FATAL.get(d.status().await?), 1)?;
        d.key_load(0).await?;
        d.wait_idle().await?;
        check(&ctx, "SECRET fatal: key_valid after KEY_LOAD", d.outs().key_valid, false)?;
        // The rest goes in through the tester port, which RMA opens again: DEV -> SECURED -> RMA.
        for t in [2, 3] {
            d.lc_transition(t).await?;
            d.wait_idle().await?;
            d.reset().await?;
        }
        check(&ctx, "RMA: lc_state", d.outs().lc_state, fm::LC_STATE_RMA)?;
        // OWNER: reads fail (the bad word ERR_ECC, the others ERR_FATAL).
        check(&ctx, "OWNER read before", d.fuse(0x12).await?, img.data(0x12))?;
        d.tester(&[(0x12, two_zero_bits(0x12))]).await?;
        check(&ctx, "OWNER fatal: FATAL_PARTS", d.shadows().await?[3], 0b00011)?;
        let r = d.fuse(0x12).await;
        d.expect_err(&ctx, "FUSE read of the bad word", r, ERR_ECC).await?;
        let r = d.fuse(0x13).await;
        d.expect_err(&ctx, "FUSE read in a FATAL partition", r, ERR_FATAL).await?;
        let r = d.fuse(fm::OWNER.lock_word).await;
        d.expect_err(&ctx, "FUSE read of a FATAL partition's lock word", r, ERR_FATAL)
            .await?;
        // SVN: 16.
        d.tester(&[(0x18, two_zero_bits(0x18))]).await?;
        check(&ctx, "SVN fatal: svn", d.outs().svn, 16)?;
        check(&ctx, "SVN fatal: SVN reg", d.shadows().await?[1], 16)?;
        // CONFIG: shadows read 0 (not through word 0x2F: TST_DISABLE would close the port).
        check(&ctx, "CONFIG before", d.configs().await?, img.config())?;
        d.tester(&[(0x2E, two_zero_bits(0x2E))]).await?;
        check(&ctx, "CONFIG fatal: CONFIG", d.configs().await?, [0; 4])?;
        // LIFECYCLE: INVALID, no debug.
        d.tester(&[(fm::LC_DEV, two_zero_bits(fm::LC_DEV))]).await?;
        check(
            &ctx,
            "LC fatal: outputs",
            d.outs(),
            Outs {
                lc_state: 7,
                debug_en: false,
                svn: 16,
                fatal: true,
                key_valid: false,
                key: [0; 32],
            },
        )?;
        check(&ctx, "all fatal: FATAL_PARTS", d.shadows().await?[3], 0b11111)?;
        let r = d.lc_transition(2).await;
        d.expect_err(&ctx, "LC_TRANSITION from INVALID", r, ERR_LC).await?;
        ctx.leaks(&d.leaks)
    })
}

/// A PROGRAM cut by reset: INTERRUPTED at the next scan, then completed by programming it again.
fn interrupted(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 1, 0, 0x01);
        d.secrets(&img);
        d.preload(&img).await?;
        // Cut a program of the first SVN word: before its first write it stays blank.
        d.apb.write(DAI_ADDR.offset, 0x18).await?;
        d.apb.write(DAI_WDATA.offset, fm::SVN_WORD).await?;
        d.cmd(OP_PROGRAM).await?;
        ctx.tb.clock_cycles(2).await; // before the first write: nothing programmed
        d.reset().await?;
        check(
            &ctx,
            "cut before any write: STATUS",
            d.status().await?,
            STATUS_READY.mask() | STATUS_KEY_VALID.mask(),
        )?;
        check(&ctx, "cut before any write: FUSE", d.fuse(0x18).await?, 0)?;
        check(&ctx, "cut before any write: svn", d.outs().svn, 0)?;
        // Now cut it after a random number of slots (1..39 writes).
        let slots: u64 = ctx.tb.rng().gen_range(1..40);
        d.apb.write(DAI_ADDR.offset, 0x18).await?;
        d.apb.write(DAI_WDATA.offset, fm::SVN_WORD).await?;
        d.cmd(OP_PROGRAM).await?;
        ctx.tb.clock_cycles(4 * slots).await;
        d.reset().await?;
        check(
            &ctx,
            "interrupted: STATUS",
            d.status().await?,
            STATUS_READY.mask() | STATUS_FATAL.mask() | STATUS_INTERRUPTED.mask() | STATUS_KEY_VALID.mask(),
        )?;
        check(&ctx, "interrupted: FATAL_PARTS", d.shadows().await?[3], 0b00100)?;
        check(&ctx, "interrupted: svn", d.outs().svn, 16)?;
        check(&ctx, "interrupted: fatal", d.outs().fatal, true)?;
        let r = d.fuse(0x18).await;
        d.expect_err(&ctx, "FUSE read of the interrupted word", r, ERR_ECC).await?;
        // A different value cannot be put over it; the same value completes it.
        let r = d.try_program(0x18, 0x0000_0000).await;
        d.expect_err(&ctx, "SVN word not all ones", r, ERR_VALUE).await?;
        d.program(0x18, fm::SVN_WORD).await?;
        check(&ctx, "completed: svn count bumped, still FATAL until reset", d.outs().svn, 16)?;
        d.reset().await?;
        check(
            &ctx,
            "completed: STATUS",
            d.status().await?,
            STATUS_READY.mask() | STATUS_KEY_VALID.mask(),
        )?;
        check(&ctx, "completed: svn", d.outs().svn, 1)?;
        check(&ctx, "completed: FUSE", d.fuse(0x18).await?, fm::SVN_WORD)?;
        // A lock word cut mid-way: it locks anyway (any non-blank lock word does) and is FATAL.
        let slots: u64 = ctx.tb.rng().gen_range(1..40);
        d.apb.write(DAI_ADDR.offset, fm::OWNER.lock_word).await?;
        d.apb.write(DAI_WDATA.offset, fm::LOCK_MAGIC).await?;
        d.cmd(OP_PROGRAM).await?;
        check(&ctx, "LOCKS at once", d.apb.read(LOCKS.offset).await?, 0b00011)?;
        ctx.tb.clock_cycles(4 * slots).await;
        d.reset().await?;
        check(
            &ctx,
            "interrupted lock word: locked anyway",
            d.apb.read(LOCKS.offset).await?,
            0b00011,
        )?;
        check(&ctx, "interrupted lock word: FATAL", d.shadows().await?[3], 0b00010)?;
        let r = d.try_program(fm::OWNER.lock_word, fm::LOCK_MAGIC).await;
        d.expect_err(&ctx, "re-program a lock word of a locked partition", r, ERR_LOCKED)
            .await?;
        ctx.leaks(&d.leaks)
    })
}

/// Write locks: effective at once, survive reset, cover the lock word itself and LC transitions.
fn write_lock(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let key = random_key(&ctx.tb);
        d.leaks.borrow_mut().add_secret(&key);
        // Program OWNER and CONFIG words, then lock them.
        let v: u32 = ctx.tb.rng().gen::<u32>() | 0x10;
        d.program(0x10, v).await?;
        d.program(0x2C, 0x1234_5678).await?;
        check(&ctx, "FUSE[0x10]", d.fuse(0x10).await?, v)?;
        // A lock word must hold LOCK_MAGIC.
        let r = d.try_program(fm::OWNER.lock_word, fm::LOCK_MAGIC ^ 1).await;
        d.expect_err(&ctx, "lock word not LOCK_MAGIC", r, ERR_VALUE).await?;
        d.program(fm::OWNER.lock_word, fm::LOCK_MAGIC).await?;
        check(&ctx, "LOCKS", d.apb.read(LOCKS.offset).await?, 0b00010)?;
        let r = d.try_program(0x11, 1).await;
        d.expect_err(&ctx, "PROGRAM into locked OWNER", r, ERR_LOCKED).await?;
        let r = d.try_program(0x10, v).await;
        d.expect_err(&ctx, "PROGRAM same value into locked OWNER", r, ERR_LOCKED).await?;
        let r = d.try_program(fm::OWNER.lock_word, fm::LOCK_MAGIC).await;
        d.expect_err(&ctx, "PROGRAM the lock word again", r, ERR_LOCKED).await?;
        check(&ctx, "FUSE[0x11] untouched", d.fuse(0x11).await?, 0)?;
        // Other partitions are still open.
        d.program(0x2D, 0x55).await?;
        d.program(fm::CONFIG.lock_word, fm::LOCK_MAGIC).await?;
        let r = d.try_program(0x2E, 0x77).await;
        d.expect_err(&ctx, "PROGRAM into locked CONFIG", r, ERR_LOCKED).await?;
        // SECRET: program the key, lock, and it is no longer writable.
        for j in 0..8 {
            d.program(j, u32::from_le_bytes(key[4 * j as usize..4 * j as usize + 4].try_into().unwrap()))
                .await?;
        }
        d.program(fm::SECRET.lock_word, fm::LOCK_MAGIC).await?;
        let r = d.try_program(0x03, 0xFFFF_FFFF).await;
        d.expect_err(&ctx, "PROGRAM into locked SECRET", r, ERR_LOCKED).await?;
        // LIFECYCLE lock blocks LC transitions.
        d.program(fm::LIFECYCLE.lock_word, fm::LOCK_MAGIC).await?;
        let r = d.lc_transition(1).await;
        d.expect_err(&ctx, "LC_TRANSITION with LIFECYCLE locked", r, ERR_LOCKED).await?;
        check(&ctx, "LOCKS", d.apb.read(LOCKS.offset).await?, 0b11011)?;
        // After reset the locks come from the fuses.
        d.reset().await?;
        check(&ctx, "LOCKS after reset", d.apb.read(LOCKS.offset).await?, 0b11011)?;
        check(&ctx, "CONFIG after reset", d.configs().await?, [0x1234_5678, 0x55, 0, 0])?;
        let r = d.try_program(0x12, 1).await;
        d.expect_err(&ctx, "PROGRAM into locked OWNER after reset", r, ERR_LOCKED).await?;
        // SVN still open.
        d.program(0x18, fm::SVN_WORD).await?;
        check(&ctx, "svn", d.outs().svn, 1)?;
        ctx.leaks(&d.leaks)
    })
}

/// Secret words never readable: FUSE reads of 0x00..0x0F fail with 0 data in every state.
fn read_lock(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        // While scanning (not READY): still RDLOCKED first.
        let r = d.fuse(0x00).await;
        d.expect_err(&ctx, "FUSE[0] during scan", r, ERR_RDLOCKED).await?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 1, 1, 0x1F);
        d.secrets(&img);
        d.preload(&img).await?;
        // Twice: with the root key, then with the seed in the key register.
        for pass in 0..2 {
            for w in fm::SECRET.first..fm::SECRET.first + fm::SECRET.words {
                let r = d.fuse(w).await;
                d.expect_err(&ctx, &format!("FUSE[{w:#x}]"), r, ERR_RDLOCKED).await?;
            }
            // The lock word of SECRET is not secret.
            check(&ctx, "FUSE[SECRET lock]", d.fuse(fm::SECRET.lock_word).await?, fm::LOCK_MAGIC)?;
            // Other masters get nothing at all.
            for m in 1..4 {
                let r = d.apb.with_master(m).read(FUSE.addr(0x10)).await;
                d.expect_err(&ctx, &format!("master {m} FUSE read"), r, ERR_MASTER).await?;
            }
            // Every readable register, read all over: no secret window (the leak scan checks).
            for reg in MAP.regs {
                for i in 0..reg.count {
                    let _ = d.apb.read(reg.addr(i)).await;
                }
            }
            d.take_err().await?;
            if pass == 0 {
                d.key_load(1).await?;
                d.wait_idle().await?;
            }
        }
        ctx.leaks(&d.leaks)
    })
}

/// SVN: thermometer increments at once, bad programs refused, bad images fail safe to 16.
fn svn(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        // A gap image: 0x18 ones, 0x19 blank, 0x1A ones: FATAL, svn 16, COUNT 1.
        let img = FuseImage::with_words(&[(0x18, fm::SVN_WORD), (0x1A, fm::SVN_WORD)]);
        d.preload(&img).await?;
        check(&ctx, "gap: svn", d.outs().svn, 16)?;
        check(&ctx, "gap: SVN reg", d.shadows().await?[1], 16 | SVN_COUNT.put(1))?;
        check(&ctx, "gap: FATAL_PARTS", d.shadows().await?[3], 0b00100)?;
        let r = d.fuse(0x19).await;
        d.expect_err(&ctx, "gap: FUSE read in FATAL SVN", r, ERR_FATAL).await?;
        // Fill the gap: allowed (0x18 + COUNT), fixed at the next scan.
        d.program(0x19, fm::SVN_WORD).await?;
        check(&ctx, "gap filled: SVN reg", d.shadows().await?[1], 16 | SVN_COUNT.put(2))?;
        d.reset().await?;
        check(&ctx, "gap filled, reset: svn", d.outs().svn, 3)?;
        check(&ctx, "FATAL_PARTS", d.shadows().await?[3], 0)?;
        // Bad programs.
        let r = d.try_program(0x18 + 4, fm::SVN_WORD).await;
        d.expect_err(&ctx, "SVN word skipping one", r, ERR_VALUE).await?;
        let r = d.try_program(0x18 + 2, fm::SVN_WORD).await;
        d.expect_err(&ctx, "SVN word already programmed", r, ERR_VALUE).await?;
        let r = d.try_program(0x18 + 3, 0x7FFF_FFFF).await;
        d.expect_err(&ctx, "SVN word not all ones", r, ERR_VALUE).await?;
        check(&ctx, "svn unchanged", d.outs().svn, 3)?;
        // Increments, each effective at once.
        for n in 3..16 {
            d.program(0x18 + n, fm::SVN_WORD).await?;
            check(&ctx, &format!("svn after word {n}"), d.outs().svn, n + 1)?;
        }
        let r = d.try_program(0x27, fm::SVN_WORD).await;
        d.expect_err(&ctx, "SVN full", r, ERR_VALUE).await?;
        d.reset().await?;
        check(&ctx, "svn 16 after reset", d.outs().svn, 16)?;
        check(&ctx, "not FATAL", d.outs().fatal, false)?;
        // The SVN lock.
        d.program(fm::SVN.lock_word, fm::LOCK_MAGIC).await?;
        let r = d.try_program(0x27, fm::SVN_WORD).await;
        d.expect_err(&ctx, "SVN locked", r, ERR_LOCKED).await?;
        ctx.count(1);
        // A non-ones SVN word image is checked in otp_random's preload and otp_ecc_double.
        ctx.no_secrets(&d.leaks)
    })
}

/// Every LC transition allowed and refused; debug_en and key_valid in each state.
fn lc_transitions(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 0, 0, 0x01);
        d.secrets(&img);
        d.preload(&img).await?;
        let key = key_of(&img, 0);
        // (state, debug_en, key_valid)
        let expect = [(0u32, true, false), (1, true, true), (2, false, true), (3, true, false)];
        for (state, dbg, kv) in expect {
            let o = d.outs();
            check(
                &ctx,
                &format!("state {state}: outputs"),
                o,
                Outs {
                    lc_state: state,
                    debug_en: dbg,
                    svn: 0,
                    fatal: false,
                    key_valid: kv,
                    key: if kv { key } else { [0; 32] },
                },
            )?;
            check(
                &ctx,
                "LC_STATE reg",
                d.apb.read(LC_STATE.offset).await?,
                state | if dbg { LC_STATE_DEBUG_EN.mask() } else { 0 },
            )?;
            for t in 0..4 {
                if t != state + 1 {
                    let r = d.lc_transition(t).await;
                    d.expect_err(&ctx, &format!("LC {state} -> {t}"), r, ERR_LC).await?;
                }
            }
            // PROGRAM of LC words is never allowed.
            for w in fm::LC_DEV..fm::LC_DEV + 4 {
                let r = d.try_program(w, 0).await;
                d.expect_err(&ctx, &format!("PROGRAM LC word {w:#x}"), r, ERR_ACCESS).await?;
            }
            if state == 3 {
                break;
            }
            d.lc_transition(state + 1).await?;
            d.wait_idle().await?;
            check(&ctx, "LC takes effect only at reset", d.outs().lc_state, state)?;
            // Again (same value): allowed.
            d.lc_transition(state + 1).await?;
            d.wait_idle().await?;
            d.reset().await?;
        }
        ctx.leaks(&d.leaks)
    })
}

/// Invalid LC word combinations: INVALID, no debug, no key, FATAL. One combination per part:
/// INVALID refuses the tester port, so no second image can follow on the same part.
async fn lc_invalid_with(ctx: &Ctx, lc_words: &[(u32, u32)]) -> Result<(), String> {
    let d = OtpDriver::new(&ctx.tb)?;
    d.wait_ready().await?;
    let mut img = provisioned(&ctx.tb, 0, 0, 0x01);
    d.secrets(&img);
    for &(w, v) in lc_words {
        img.raw[w as usize] = ecc::raw_word(v);
    }
    d.preload(&img).await?;
    let invalid = Outs {
        lc_state: 7,
        debug_en: false,
        svn: 0,
        fatal: true,
        key_valid: false,
        key: [0; 32],
    };
    check(ctx, "outputs", d.outs(), invalid)?;
    check(ctx, "FATAL_PARTS", d.shadows().await?[3], 0b01000)?;
    let r = d.lc_transition(3).await;
    d.expect_err(ctx, "LC_TRANSITION from INVALID", r, ERR_LC).await?;
    check(ctx, "INVALID: STATUS.TST_OK", STATUS_TST_OK.get(d.status().await?), 0)?;
    check(ctx, "INVALID: tester port refused", d.tester.program(&[(0x2E, ecc::raw_word(1))]).await.is_err(), true)?;
    check(ctx, "INVALID: STATUS.TST_REFUSED", STATUS_TST_REFUSED.get(d.status().await?), 1)?;
    ctx.leaks(&d.leaks)
}

fn lc_invalid(ctx: Ctx) -> TestFuture {
    Box::pin(async move { lc_invalid_with(&ctx, &[(fm::LC_SECURED, fm::LC_SECURED_MAGIC)]).await })
}

fn lc_invalid_reserved(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        lc_invalid_with(&ctx, &[(fm::LC_DEV, fm::LC_DEV_MAGIC), (fm::LC_SECURED, fm::LC_SECURED_MAGIC), (fm::LC_RESERVED, 1)]).await
    })
}

fn lc_invalid_rma(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        lc_invalid_with(
            &ctx,
            &[(fm::LC_DEV, fm::LC_DEV_MAGIC), (fm::LC_SECURED, fm::LC_SECURED_MAGIC), (fm::LC_RMA, fm::LC_RMA_MAGIC ^ 0x100)],
        )
        .await
    })
}

/// Key port: key_valid rules, byte order, reload after programming secrets, KEY_LOAD timing.
fn key_port(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        d.lc_transition(1).await?;
        d.wait_idle().await?;
        d.reset().await?;
        check(&ctx, "DEV, blank key, unlocked", d.outs().key_valid, false)?;
        let root = random_key(&ctx.tb);
        let seed = random_key(&ctx.tb);
        d.leaks.borrow_mut().add_secret(&root);
        d.leaks.borrow_mut().add_secret(&seed);
        for j in 0..8u32 {
            let r = u32::from_le_bytes(root[4 * j as usize..4 * j as usize + 4].try_into().unwrap());
            let s = u32::from_le_bytes(seed[4 * j as usize..4 * j as usize + 4].try_into().unwrap());
            d.program(fm::DEVICE_ROOT_KEY + j, r).await?;
            d.program(fm::ATTESTATION_SEED + j, s).await?;
        }
        // Locking SECRET does not validate the stale key register.
        d.program(fm::SECRET.lock_word, fm::LOCK_MAGIC).await?;
        check(&ctx, "locked, key register stale", d.outs().key_valid, false)?;
        d.key_load(0).await?;
        d.wait_idle().await?;
        check(&ctx, "after KEY_LOAD 0", (d.outs().key_valid, d.outs().key), (true, root))?;
        d.key_load(1).await?;
        d.wait_idle().await?;
        check(&ctx, "after KEY_LOAD 1", (d.outs().key_valid, d.outs().key), (true, seed))?;
        // KEY_LOAD while busy.
        d.key_load(0).await?;
        let r = d.key_load(1).await;
        d.expect_err(&ctx, "KEY_LOAD while KEY_LOAD runs", r, ERR_BUSY).await?;
        d.wait_idle().await?;
        check(&ctx, "slot 0 again", d.outs().key, root)?;
        // Bad KEY_LOAD encodings.
        for v in [OP_KEY_LOAD | 0x20, OP_KEY_LOAD | CMD_KEY_SLOT.mask() | 0x100, 0x4, 0x0, 0x7] {
            let r = d.cmd(v).await;
            d.expect_err(&ctx, &format!("CMD {v:#x}"), r, ERR_VALUE).await?;
        }
        d.reset().await?;
        check(&ctx, "after reset", (d.outs().key_valid, d.outs().key), (true, root))?;
        // SECURED keeps the key, RMA drops it.
        d.lc_transition(2).await?;
        d.wait_idle().await?;
        d.reset().await?;
        check(&ctx, "SECURED", (d.outs().key_valid, d.outs().key), (true, root))?;
        d.lc_transition(3).await?;
        d.wait_idle().await?;
        d.reset().await?;
        check(&ctx, "RMA", (d.outs().key_valid, d.outs().key), (false, [0; 32]))?;
        ctx.leaks(&d.leaks)
    })
}

/// Tester port (on a BLANK part, which allows it): out of service while tst_en, rescan after,
/// tst_we ignored while busy.
fn tester_port(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let mut img = provisioned(&ctx.tb, 0, 1, 0x01);
        for w in 0x14..0x18 {
            img.raw[w] = 0; // blank OWNER words for the tester and APB to program
        }
        d.secrets(&img);
        d.preload(&img).await?;
        check(&ctx, "lc_state", d.outs().lc_state, fm::LC_STATE_BLANK)?;
        check(&ctx, "STATUS.TST_OK", STATUS_TST_OK.get(d.status().await?), 1)?;
        d.tb.poke_u32(d.tester.tst_en, 1);
        // Commands and FUSE reads refused at once (tst_en is checked combinationally).
        let r = d.key_load(0).await;
        d.expect_err(&ctx, "KEY_LOAD with tst_en", r, ERR_BUSY).await?;
        let r = d.fuse(0x10).await;
        d.expect_err(&ctx, "FUSE read with tst_en", r, ERR_BUSY).await?;
        check(&ctx, "STATUS with tst_en", d.status().await?, 0)?;
        check(
            &ctx,
            "outputs with tst_en",
            d.outs(),
            Outs {
                lc_state: 7,
                debug_en: false,
                svn: 16,
                fatal: false,
                key_valid: false,
                key: [0; 32],
            },
        )?;
        check(&ctx, "shadows read 0", d.shadows().await?, [7, 16, 0, 0, 0])?;
        // A second tst_we while busy is ignored.
        check(&ctx, "tester program started", d.tst_word(0x16, ecc::raw_word(0xAAAA_0000)).await, true)?;
        check(&ctx, "tst_busy", d.tst_busy(), true)?;
        let lock = ecc::raw_word(fm::LOCK_MAGIC);
        d.tb.poke_u32(d.tester.tst_addr, fm::OWNER.lock_word);
        d.tb.poke(d.tester.tst_wdata, &[lock as u32, (lock >> 32) as u32]);
        d.tb.poke_u32(d.tester.tst_we, 1);
        ctx.tb.clock_cycles(3).await;
        d.tb.poke_u32(d.tester.tst_we, 0);
        // tst_en falls while the engine still runs: the scan waits for it.
        d.tb.poke_u32(d.tester.tst_en, 0);
        d.wait_ready().await?;
        check(&ctx, "word programmed by the tester", d.fuse(0x16).await?, 0xAAAA_0000)?;
        check(&ctx, "ignored tst_we: OWNER not locked", d.apb.read(LOCKS.offset).await?, 0b00001)?;
        // An APB program running when tst_en rises goes on; the tester waits for it.
        d.try_program(0x14, 0x0F0F_0F0F).await?;
        d.tb.poke_u32(d.tester.tst_en, 1);
        ctx.tb.clock_cycles(5).await;
        check(&ctx, "tst_busy from the APB program", d.tst_busy(), true)?;
        check(&ctx, "tester program after the APB one", d.tst_word(0x15, ecc::raw_word(0x0000_00F0)).await, true)?;
        while d.tst_busy() {
            ctx.tb.rising_edge().await;
        }
        d.tb.poke_u32(d.tester.tst_en, 0);
        d.wait_ready().await?;
        check(&ctx, "APB-programmed word", d.fuse(0x14).await?, 0x0F0F_0F0F)?;
        check(&ctx, "tester-programmed word after it", d.fuse(0x15).await?, 0xF0)?;
        ctx.leaks(&d.leaks)
    })
}

/// Words an attacker holding `tst_en` would program: a root-key word, a blank OWNER word, the
/// next SVN word, the LC words that would move the part on (SECURED, or RMA, which reopens the
/// port) and the tester-disable word.
fn tst_attack_words() -> Vec<(u32, u64)> {
    vec![
        (fm::DEVICE_ROOT_KEY, ecc::raw_word(0xFFFF_FFFF)),
        (fm::OWNER_KEY_HASH + 6, ecc::raw_word(0x5A5A_A5A5)),
        (fm::SVN_FIRST + 1, ecc::raw_word(fm::SVN_WORD)),
        (fm::LC_SECURED, ecc::raw_word(fm::LC_SECURED_MAGIC)),
        (fm::LC_RMA, ecc::raw_word(fm::LC_RMA_MAGIC)),
    ]
}

/// With the part in service and the port not allowed: `tst_en` and `tst_we` are ignored entirely
/// (READY stays, no program, tst_busy 0, APB served, outputs unchanged), STATUS.TST_REFUSED is set;
/// after a reset (rescan) the array, the state and the key are what they were.
async fn expect_refused(ctx: &Ctx, d: &OtpDriver, what: &str) -> Result<(), String> {
    let before = d.outs();
    let shadows = d.shadows().await?;
    let owner = d.fuse(fm::OWNER_KEY_HASH + 6).await.unwrap_or(0xDEAD);
    check(ctx, &format!("{what}: STATUS.TST_OK"), STATUS_TST_OK.get(d.status().await?), 0)?;
    d.tb.poke_u32(d.tester.tst_en, 1);
    for (w, raw) in tst_attack_words() {
        check(ctx, &format!("{what}: tester program of word {w:#x} refused"), d.tst_word(w, raw).await, false)?;
        // Still in service with tst_en high: READY, no BUSY, TST_REFUSED.
        let st = d.status().await?;
        check(ctx, &format!("{what}: STATUS READY/BUSY/TST_REFUSED"), (STATUS_READY.get(st), STATUS_BUSY.get(st), STATUS_TST_REFUSED.get(st)), (1, 0, 1))?;
        check(ctx, &format!("{what}: outputs with tst_en"), d.outs(), before.clone())?;
    }
    // The bus is served as if tst_en were low (no ERR_BUSY).
    check(ctx, &format!("{what}: FUSE read with tst_en"), d.fuse(fm::OWNER_KEY_HASH + 6).await.unwrap_or(0xDEAD), owner)?;
    d.tb.poke_u32(d.tester.tst_en, 0);
    d.reset().await?;
    check(ctx, &format!("{what}: outputs after rescan"), d.outs(), before)?;
    check(ctx, &format!("{what}: shadows after rescan"), d.shadows().await?, shadows)?;
    check(ctx, &format!("{what}: OWNER word after rescan"), d.fuse(fm::OWNER_KEY_HASH + 6).await.unwrap_or(0xDEAD), owner)?;
    check(ctx, &format!("{what}: TST_REFUSED cleared by reset"), STATUS_TST_REFUSED.get(d.status().await?), 0)?;
    Ok(())
}

/// Issue 11 B: `esc` (the subsystem's fatal alert) drops the sideload key and its parity in the
/// same cycle and for good, shows life cycle INVALID with debug off on the pins (the LC_STATE
/// register keeps the truth for software), and shuts the tester port until reset.
fn escalation(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        let esc = ctx.tb.port("esc")?;
        let key_par = ctx.tb.port("key_par")?;
        d.wait_ready().await?;
        // A BLANK part allows the tester port, until escalation.
        ctx.tb.poke_u32(esc, 1);
        ctx.tb.clock_cycles(1).await;
        d.tb.poke_u32(d.tester.tst_en, 1);
        check(&ctx, "BLANK under esc: tester word refused", d.tst_word(0x16, ecc::raw_word(0x55)).await, false)?;
        let st = d.status().await?;
        check(&ctx, "BLANK under esc: STATUS TST_OK/TST_REFUSED", (STATUS_TST_OK.get(st), STATUS_TST_REFUSED.get(st)), (0, 1))?;
        d.tb.poke_u32(d.tester.tst_en, 0);
        ctx.tb.poke_u32(esc, 0);
        check(&ctx, "TST_OK stays 0 after esc, until a scan", STATUS_TST_OK.get(d.status().await?), 0)?;
        d.reset().await?;
        check(&ctx, "word 0x16 never programmed", d.fuse(0x16).await?, 0)?;
        ctx.count(1);

        // A DEV part with its root key on the sideload port.
        let img = provisioned(&ctx.tb, 1, 1, 0x01);
        d.secrets(&img);
        d.preload(&img).await?;
        let root = key_of(&img, 0);
        let words: [u32; 8] = std::array::from_fn(|i| u32::from_le_bytes(root[4 * i..4 * i + 4].try_into().unwrap()));
        let par = pluton_cosim::key_parity(&words);
        check(&ctx, "DEV: key, its parity, lc_state, debug_en", (d.outs().key_valid, d.outs().key, ctx.tb.peek_u32(key_par), d.outs().lc_state, d.outs().debug_en), (true, root, par, fm::LC_STATE_DEV, true))?;
        ctx.tb.poke_u32(esc, 1);
        let o = d.outs();
        check(&ctx, "esc, same cycle: pins", (o.key_valid, o.key, ctx.tb.peek_u32(key_par), o.lc_state, o.debug_en), (false, [0; 32], 0, fm::LC_STATE_INVALID, false))?;
        check(&ctx, "esc: STATUS.KEY_VALID", STATUS_KEY_VALID.get(d.status().await?), 0)?;
        check(&ctx, "esc: LC_STATE register keeps DEV", LC_STATE_STATE.get(d.apb.read(LC_STATE.offset).await?), fm::LC_STATE_DEV)?;
        ctx.tb.poke_u32(esc, 0);
        let o = d.outs();
        check(&ctx, "after esc: the key is gone, the pins are back", (o.key_valid, o.key, ctx.tb.peek_u32(key_par), o.lc_state), (false, [0; 32], 0, fm::LC_STATE_DEV))?;
        ctx.count(1);
        ctx.leaks(&d.leaks)
    })
}

/// The tester port per life cycle state: refused in DEV and SECURED (no word changes, LC and SVN
/// words included), honoured in RMA; TST_DISABLE programmed by software closes it at once.
fn tst_lc_gate(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let mut img = provisioned(&ctx.tb, 1, 1, 0x01);
        for w in 0x14..0x18 {
            img.raw[w] = 0; // blank OWNER words
        }
        d.secrets(&img);
        d.preload(&img).await?;
        check(&ctx, "DEV", (d.outs().lc_state, d.outs().key_valid), (fm::LC_STATE_DEV, true))?;
        expect_refused(&ctx, &d, "DEV").await?;
        d.lc_transition(2).await?;
        d.wait_idle().await?;
        d.reset().await?;
        check(&ctx, "SECURED", (d.outs().lc_state, d.outs().key_valid), (fm::LC_STATE_SECURED, true))?;
        expect_refused(&ctx, &d, "SECURED").await?;
        d.lc_transition(3).await?;
        d.wait_idle().await?;
        d.reset().await?;
        check(&ctx, "RMA", d.outs().lc_state, fm::LC_STATE_RMA)?;
        check(&ctx, "RMA: STATUS.TST_OK", STATUS_TST_OK.get(d.status().await?), 1)?;
        d.tester(&[(0x16, ecc::raw_word(0x1234_5678))]).await?;
        check(&ctx, "RMA: tester-programmed word", d.fuse(0x16).await?, 0x1234_5678)?;
        check(&ctx, "RMA after the session", d.outs().lc_state, fm::LC_STATE_RMA)?;
        // Software disables the port for good: at once, before any rescan.
        d.program(fm::TST_DISABLE, 0).await?;
        check(&ctx, "TST_DISABLE: STATUS.TST_OK at once", STATUS_TST_OK.get(d.status().await?), 0)?;
        d.tb.poke_u32(d.tester.tst_en, 1);
        check(&ctx, "TST_DISABLE: refused before the rescan", d.tst_word(0x17, ecc::raw_word(1)).await, false)?;
        d.tb.poke_u32(d.tester.tst_en, 0);
        d.reset().await?;
        expect_refused(&ctx, &d, "RMA, TST_DISABLE").await?;
        check(&ctx, "word 0x17 never programmed", d.fuse(0x17).await?, 0)?;
        ctx.leaks(&d.leaks)
    })
}

/// TST_DISABLE programmed through the tester port (DONE bit alone: any raw bit counts) closes
/// the port from the next scan, in every life cycle state.
fn tst_disable(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        check(&ctx, "BLANK: STATUS.TST_OK", STATUS_TST_OK.get(d.status().await?), 1)?;
        // The session goes on after the disable word: it acts only at the next scan.
        d.tester(&[
            (0x10, ecc::raw_word(0x0000_0010)),
            (fm::TST_DISABLE, 1 << fm::DONE_BIT),
            (0x11, ecc::raw_word(0x0000_0011)),
        ])
        .await?;
        check(&ctx, "words of the session", (d.fuse(0x10).await?, d.fuse(0x11).await?), (0x10, 0x11))?;
        check(&ctx, "CONFIG3 = TST_DISABLE data", d.configs().await?[3], 0)?;
        for (state, name) in ["BLANK", "DEV", "SECURED", "RMA"].iter().enumerate() {
            check(&ctx, &format!("{name}: lc_state"), d.outs().lc_state, state as u32)?;
            expect_refused(&ctx, &d, &format!("{name}, TST_DISABLE")).await?;
            if state < 3 {
                d.lc_transition(state as u32 + 1).await?;
                d.wait_idle().await?;
                d.reset().await?;
            }
        }
        ctx.no_secrets(&d.leaks)
    })
}

/// `tst_en` (and `tst_we`) held from reset: the scan comes first. On a BLANK part READY never
/// reads 1 and the first program starts at edge INIT_CYCLES + 2; on a SECURED part READY comes
/// after INIT_CYCLES + 1 edges as usual and nothing is ever programmed.
fn tst_from_reset(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 2, 1, 0x1F);
        d.secrets(&img);
        let words: Vec<(u32, u64)> = (0..fm::WORDS as u32).filter(|&w| img.raw[w as usize] != 0).map(|w| (w, img.raw[w as usize])).collect();
        let t = &d.tester;
        let hold = |w: u32, raw: u64| {
            d.tb.poke_u32(t.tst_en, 1);
            d.tb.poke_u32(t.tst_addr, w);
            d.tb.poke(t.tst_wdata, &[raw as u32, (raw >> 32) as u32]);
            d.tb.poke_u32(t.tst_we, 1);
        };
        // BLANK part: the image's first word held from reset.
        hold(words[0].0, words[0].1);
        ctx.tb.reset(3).await; // edge 1 (the scan's start) has passed
        let mut edges = 1u64;
        while !d.tst_busy() && edges < 1000 {
            check(&ctx, &format!("BLANK: lc_state after edge {edges} (READY never 1)"), d.outs().lc_state, fm::LC_STATE_INVALID)?;
            ctx.tb.rising_edge().await;
            edges += 1;
        }
        check(&ctx, "BLANK: edge of the first tester program", edges, INIT_CYCLES as u64 + 2)?;
        d.tb.poke_u32(t.tst_we, 0);
        check(&ctx, "STATUS while the port is open", d.status().await?, STATUS_BUSY.mask())?;
        for &(w, raw) in &words[1..] {
            check(&ctx, &format!("tester program of word {w:#x}"), d.tst_word(w, raw).await, true)?;
        }
        while d.tst_busy() {
            ctx.tb.rising_edge().await;
        }
        d.tb.poke_u32(t.tst_en, 0);
        d.wait_ready().await?;
        check(&ctx, "SECURED image", (d.outs().lc_state, d.outs().key), (fm::LC_STATE_SECURED, key_of(&img, 0)))?;
        // SECURED part: the RMA word (which would reopen the port) held from reset.
        hold(fm::LC_RMA, ecc::raw_word(fm::LC_RMA_MAGIC));
        ctx.tb.reset(3).await;
        let mut edges = 1u64;
        while d.outs().lc_state == fm::LC_STATE_INVALID && edges < 1000 {
            check(&ctx, "SECURED: tst_busy during the scan", d.tst_busy(), false)?;
            ctx.tb.rising_edge().await;
            edges += 1;
        }
        check(&ctx, "SECURED: edges to READY with tst_en held", edges, INIT_CYCLES as u64 + 1)?;
        for _ in 0..TesterPort::START_WAIT {
            check(&ctx, "SECURED: tst_busy with tst_en, tst_we held", d.tst_busy(), false)?;
            check(&ctx, "SECURED: lc_state with tst_en held", d.outs().lc_state, fm::LC_STATE_SECURED)?;
            ctx.tb.rising_edge().await;
        }
        let st = d.status().await?;
        check(&ctx, "SECURED: STATUS with tst_en held", st, STATUS_READY.mask() | STATUS_KEY_VALID.mask() | STATUS_TST_REFUSED.mask())?;
        // Commands are served with tst_en high.
        d.key_load(0).await?;
        d.wait_idle().await?;
        check(&ctx, "SECURED: KEY_LOAD with tst_en held", d.outs().key, key_of(&img, 0))?;
        d.tb.poke_u32(t.tst_en, 0);
        d.tb.poke_u32(t.tst_we, 0);
        d.reset().await?;
        check(&ctx, "SECURED after rescan", d.outs().lc_state, fm::LC_STATE_SECURED)?;
        check(&ctx, "RMA word still blank", d.fuse(fm::LC_RMA).await?, 0)?;
        ctx.leaks(&d.leaks)
    })
}

/// Every bus error code: PSLVERR, prdata 0, logged once, OVERFLOW, no state change.
fn bad_input(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        // During the scan: commands are ERR_BUSY.
        let r = d.key_load(0).await;
        d.expect_err(&ctx, "KEY_LOAD during scan", r, ERR_BUSY).await?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 1, 0, 0x00);
        d.secrets(&img);
        d.preload(&img).await?;
        let apb = d.apb.clone();
        // ERR_MASTER for every register and master.
        for m in 1..16 {
            let r = apb.with_master(m).read(STATUS.offset).await;
            d.expect_err(&ctx, &format!("master {m} read"), r, ERR_MASTER).await?;
        }
        let r = apb.with_master(1).write(ERR_INFO.offset, 0).await;
        d.expect_err(&ctx, "master 1 clears ERR_INFO", r, ERR_MASTER).await?;
        let r = apb.with_master(2).write(DAI_ADDR.offset, 5).await;
        d.expect_err(&ctx, "master 2 DAI_ADDR", r, ERR_MASTER).await?;
        check(&ctx, "DAI_ADDR unchanged", apb.read(DAI_ADDR.offset).await?, 0)?;
        // ERR_UNMAPPED.
        for a in [0x2C, 0x40, 0x3FC, 0x401, 0x402, 0x4D4, 0x4FC, 0x500, 0xFFC, 0x005] {
            let r = apb.read(a).await;
            d.expect_err(&ctx, &format!("read {a:#x}"), r, ERR_UNMAPPED).await?;
            let r = apb.write(a, 1).await;
            d.expect_err(&ctx, &format!("write {a:#x}"), r, ERR_UNMAPPED).await?;
        }
        let r = d.try_program(0x35, 1).await;
        d.expect_err(&ctx, "PROGRAM reserved word", r, ERR_UNMAPPED).await?;
        let r = d.try_program(0x3F, 1).await;
        d.expect_err(&ctx, "PROGRAM reserved word", r, ERR_UNMAPPED).await?;
        // ERR_READ_WO / ERR_WRITE_RO.
        for a in [CMD.offset, DAI_WDATA.offset] {
            let r = apb.read(a).await;
            d.expect_err(&ctx, &format!("read WO {a:#x}"), r, ERR_READ_WO).await?;
        }
        for a in [
            STATUS.offset,
            LC_STATE.offset,
            SVN.offset,
            LOCKS.offset,
            FATAL_PARTS.offset,
            ECC_CORRECTED.offset,
            ID.offset,
            CONFIG.addr(2),
            FUSE.addr(0x10),
            FUSE.addr(0x00),
        ] {
            let r = apb.write(a, 0).await;
            d.expect_err(&ctx, &format!("write RO {a:#x}"), r, ERR_WRITE_RO).await?;
        }
        // ERR_STRB.
        for strb in [0u32, 1, 7, 0xE] {
            let r = apb.write_strb(DAI_WDATA.offset, 1, strb).await;
            d.expect_err(&ctx, &format!("strb {strb:#x}"), r, ERR_STRB).await?;
        }
        let r = apb.write_strb(CMD.offset, OP_KEY_LOAD, 3).await;
        d.expect_err(&ctx, "CMD strb", r, ERR_STRB).await?;
        // ERR_VALUE.
        for v in [0u32, 4, 5, 7, 0x11, 0x101, 0x1000_0003, 0x402] {
            let r = d.cmd(v).await;
            d.expect_err(&ctx, &format!("CMD {v:#x}"), r, ERR_VALUE).await?;
        }
        let r = apb.write(DAI_ADDR.offset, 0x40).await;
        d.expect_err(&ctx, "DAI_ADDR 0x40", r, ERR_VALUE).await?;
        // ERR_ACCESS, ERR_LC, ERR_ONE_TO_ZERO, ERR_RDLOCKED, ERR_LOCKED.
        let r = d.try_program(fm::LC_RMA, fm::LC_RMA_MAGIC).await;
        d.expect_err(&ctx, "PROGRAM LC word", r, ERR_ACCESS).await?;
        let r = d.lc_transition(3).await;
        d.expect_err(&ctx, "DEV -> RMA", r, ERR_LC).await?;
        let w = fm::OWNER_KEY_HASH + 2;
        let old = img.data(w);
        let r = d.try_program(w, !old).await;
        d.expect_err(&ctx, "PROGRAM over a programmed word", r, ERR_ONE_TO_ZERO).await?;
        check(&ctx, "no change after refused PROGRAM", d.fuse(w).await?, old)?;
        check(&ctx, "not busy after refused PROGRAM", STATUS_BUSY.get(d.status().await?), 0)?;
        let r = d.fuse(0x07).await;
        d.expect_err(&ctx, "FUSE secret", r, ERR_RDLOCKED).await?;
        d.program(fm::CONFIG.lock_word, fm::LOCK_MAGIC).await?;
        let r = d.try_program(0x2F, 1).await;
        d.expect_err(&ctx, "PROGRAM locked", r, ERR_LOCKED).await?;
        // ERR_BUSY: commands and FUSE reads while programming.
        d.apb.write(DAI_ADDR.offset, fm::SVN_FIRST).await?;
        d.apb.write(DAI_WDATA.offset, fm::SVN_WORD).await?;
        d.cmd(OP_PROGRAM).await?;
        let r = d.cmd(OP_PROGRAM).await;
        d.expect_err(&ctx, "PROGRAM while busy", r, ERR_BUSY).await?;
        let r = d.fuse(0x10).await;
        d.expect_err(&ctx, "FUSE while busy", r, ERR_BUSY).await?;
        let r = d.lc_transition(2).await;
        d.expect_err(&ctx, "LC while busy", r, ERR_BUSY).await?;
        check(
            &ctx,
            "DAI_WDATA write while busy is fine",
            apb.write(DAI_WDATA.offset, 1).await.is_ok(),
            true,
        )?;
        d.wait_idle().await?;
        // ERR_FATAL and ERR_ECC are in otp_ecc_double / otp_interrupted; ERR_INFO semantics:
        let r = apb.read(0x2C).await;
        d.expect_err(&ctx, "first", r, ERR_UNMAPPED).await?;
        let _ = apb.read(0x2C).await;
        let _ = apb.with_master(3).write(CMD.offset, 1).await;
        let e = apb.read(ERR_INFO.offset).await?;
        check(
            &ctx,
            "ERR_INFO keeps the first error, OVERFLOW set",
            e,
            ERR_UNMAPPED | ERR_INFO_ADDR.put(0x2C) | ERR_INFO_OVERFLOW.mask(),
        )?;
        check(&ctx, "STATUS.ERR", STATUS_ERR.get(d.status().await?), 1)?;
        apb.write(ERR_INFO.offset, 0x1234).await?;
        check(&ctx, "ERR_INFO cleared", apb.read(ERR_INFO.offset).await?, 0)?;
        let _ = apb.with_master(3).write(FUSE.addr(3), 1).await;
        let e = apb.read(ERR_INFO.offset).await?;
        check(
            &ctx,
            "ERR_INFO fields",
            e,
            ERR_MASTER | ERR_INFO_MASTER.put(3) | ERR_INFO_WRITE.mask() | ERR_INFO_ADDR.put(FUSE.addr(3)),
        )?;
        ctx.leaks(&d.leaks)
    })
}

/// Cycle counts of the README: init scan, program, KEY_LOAD, wait states.
fn timing(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        // Edge 1 has passed (it started the scan); READY (seen as lc_state 7 -> 0) after edge 55.
        let mut edges = 1u64;
        while d.outs().lc_state == fm::LC_STATE_INVALID && edges < 1000 {
            ctx.tb.rising_edge().await;
            edges += 1;
        }
        check(&ctx, "edges to READY after reset", edges, INIT_CYCLES as u64 + 1)?;
        let key = random_key(&ctx.tb);
        d.leaks.borrow_mut().add_secret(&key);
        // PROGRAM: one wait state, then BUSY for PROG_CYCLES edges.
        d.apb.write(DAI_ADDR.offset, 0x10).await?;
        d.apb.write(DAI_WDATA.offset, 0x1234_5678).await?;
        let t = d.apb.transfer(true, CMD.offset, OP_PROGRAM, 0xF).await?;
        check(&ctx, "PROGRAM wait states", t.wait_states, CMD_PROGRAM_WAITS as u64)?;
        let mut busy = 0u64;
        while d.tst_busy() && busy < 1000 {
            ctx.tb.rising_edge().await;
            busy += 1;
        }
        check(&ctx, "program edges", busy, PROG_CYCLES as u64)?;
        // FUSE read: two wait states; error reads none.
        let t = d.apb.transfer(false, FUSE.addr(0x10), 0, 0).await?;
        check(
            &ctx,
            "FUSE wait states and data",
            (t.wait_states, t.data),
            (FUSE_READ_WAITS as u64, 0x1234_5678),
        )?;
        let t = d.apb.transfer(false, FUSE.addr(0x01), 0, 0).await;
        check(
            &ctx,
            "RDLOCKED: no wait",
            matches!(t, Err(ApbError::SlvErr { wait_states: 0, .. })),
            true,
        )?;
        d.take_err().await?;
        let t = d.apb.transfer(false, STATUS.offset, 0, 0).await?;
        check(&ctx, "register read wait states", t.wait_states, 0)?;
        // Tester program: tst_busy for PROG_CYCLES edges too; rescan INIT_CYCLES after.
        d.tb.poke_u32(d.tester.tst_en, 1);
        // An all-zero program (no bit set) to time it.
        check(&ctx, "tester program started", d.tst_word(0x00, 0).await, true)?;
        let mut busy = 0u64;
        while d.tst_busy() && busy < 1000 {
            ctx.tb.rising_edge().await;
            busy += 1;
        }
        check(&ctx, "tester program edges", busy, PROG_CYCLES as u64)?;
        d.tb.poke_u32(d.tester.tst_en, 0);
        d.wait_ready().await?;
        // KEY_LOAD: key_valid low for KEY_LOAD_CYCLES edges (needs a valid key: DEV, locked).
        for j in 0..8u32 {
            d.program(j, u32::from_le_bytes(key[4 * j as usize..4 * j as usize + 4].try_into().unwrap()))
                .await?;
        }
        d.program(fm::SECRET.lock_word, fm::LOCK_MAGIC).await?;
        d.lc_transition(1).await?;
        d.wait_idle().await?;
        d.reset().await?;
        check(&ctx, "key_valid", d.outs().key_valid, true)?;
        d.key_load(0).await?;
        let mut low = 0u64;
        while !d.outs().key_valid && low < 1000 {
            ctx.tb.rising_edge().await;
            low += 1;
        }
        check(&ctx, "KEY_LOAD edges", low, KEY_LOAD_CYCLES as u64)?;
        check(&ctx, "key", d.outs().key, key)?;
        ctx.metric("init_cycles", INIT_CYCLES as f64);
        ctx.metric("prog_cycles", PROG_CYCLES as f64);
        ctx.leaks(&d.leaks)
    })
}

/// Random mix of every command, bad accesses, resets (also mid-program) and tester writes.
/// On the RTL alone it checks invariants; in lock-step the model checks every cycle.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let (lc, svn, locks) = {
            let mut rng = ctx.tb.rng();
            // BLANK or RMA (tester port open) twice as often as DEV or SECURED (refused).
            ([0, 1, 2, 3, 0, 3][rng.gen_range(0..6)], rng.gen_range(0..4), rng.gen_range(0..32) & 0b00101)
        };
        let mut img = provisioned(&ctx.tb, lc, svn, locks);
        // Leave some OWNER and CONFIG words blank, so that programs can succeed.
        let mut blank: Vec<u32> = Vec::new();
        // TST_DISABLE is blank in the image and kept out of this list (see `word` below).
        for w in (fm::OWNER.first..fm::OWNER.first + 8).chain(fm::CONFIG_FIRST..fm::TST_DISABLE) {
            if ctx.tb.rng().gen_bool(0.6) {
                img.raw[w as usize] = 0;
                blank.push(w);
            }
        }
        d.secrets(&img);
        // Last data read from each word: fuse bits only ever gain ones.
        let mut seen = [0u32; 64];
        // Words the tester ORed raw bits into (their decoded data may change arbitrarily).
        let mut tested = [false; 64];
        // What the run exercised: accepted programs, resets, resets cutting a program, tester writes.
        let (mut accepted, mut resets, mut cuts, mut tester_ops, mut tester_refused) = (0u32, 0u32, 0u32, 0u32, 0u32);
        // First, one program cut by a reset on the still-blank array (nothing can be locked yet),
        // so every seed covers it; the image then goes on top of the half-written word.
        d.wait_ready().await?;
        let (cut_word, cut_data, cut_at) = {
            let mut rng = ctx.tb.rng();
            // Not TST_DISABLE: a cut program of it would close the port before the preload.
            (fm::CONFIG_FIRST + rng.gen_range(0..3), rng.gen::<u32>() | 1, rng.gen_range(1..PROG_CYCLES as u64))
        };
        d.try_program(cut_word, cut_data).await.map_err(|e| format!("program of the blank array: {e}"))?;
        ctx.tb.clock_cycles(cut_at).await;
        d.reset().await?;
        (accepted, resets, cuts) = (accepted + 1, resets + 1, cuts + 1);
        tested[cut_word as usize] = true;
        blank.retain(|&b| b != cut_word);
        d.preload(&img).await?;
        let ops = ctx.scale(3000);
        // Run the planned operations, then on (up to 4x) until a program was accepted and one was
        // cut by a reset: whether a seed hits both early is luck, the coverage must not be.
        let mut done_ops = 0;
        while done_ops < ops || ((accepted == 0 || cuts == 0) && done_ops < 4 * ops) {
            done_ops += 1;
            let op = ctx.tb.rng().gen_range(0..100);
            // A program target: mostly one that can succeed (next SVN word, a blank word, a lock
            // word with its magic), else anything.
            let kind = ctx.tb.rng().gen_range(0..10);
            let (word, data) = match kind {
                0..=2 => {
                    let count = SVN_COUNT.get(d.apb.read(SVN.offset).await?);
                    (fm::SVN_FIRST + count.min(15), fm::SVN_WORD)
                }
                3..=6 if !blank.is_empty() => {
                    let mut rng = ctx.tb.rng();
                    (blank[rng.gen_range(0..blank.len())], rng.gen())
                }
                7 => (fm::LOCK_BASE + ctx.tb.rng().gen_range(0..5), fm::LOCK_MAGIC),
                _ => {
                    let mut rng = ctx.tb.rng();
                    let w = if rng.gen_bool(0.7) {
                        rng.gen_range(0x10..0x35)
                    } else {
                        rng.gen_range(0..0x40)
                    };
                    let v = match rng.gen_range(0..3) {
                        0 => seen[w as usize & 63] | rng.gen::<u32>() & rng.gen::<u32>(),
                        1 => fm::LOCK_MAGIC,
                        _ => rng.gen(),
                    };
                    (w, v)
                }
            };
            // TST_DISABLE (any bit, even a cut program) ends the tester port for the rest of the
            // run, so it is aimed at only rarely.
            let word = if word == fm::TST_DISABLE && ctx.tb.rng().gen_bool(0.9) { word - 1 } else { word };
            match op {
                0..=29 => {
                    if d.try_program(word, data).await.is_ok() {
                        accepted += 1;
                        blank.retain(|&b| b != word);
                    }
                    if ctx.tb.rng().gen_bool(0.8) {
                        d.wait_idle().await?;
                    }
                }
                30..=33 => {
                    let t = ctx.tb.rng().gen_range(0..4);
                    // Mostly let it finish: a cut LC word makes the part INVALID for good, which
                    // would also end the tester writes (INVALID refuses the port).
                    if d.lc_transition(t).await.is_ok() && ctx.tb.rng().gen_bool(0.8) {
                        d.wait_idle().await?;
                    }
                }
                34..=39 => {
                    let s = ctx.tb.rng().gen_range(0..2);
                    let _ = d.key_load(s).await;
                }
                40..=64 => {
                    let w = if ctx.tb.rng().gen_bool(0.8) {
                        word
                    } else {
                        ctx.tb.rng().gen_range(0..0x40)
                    };
                    match d.fuse(w).await {
                        Ok(v) => {
                            if w < 0x10 {
                                return Err(format!("FUSE[{w:#x}] read a secret word"));
                            }
                            if !tested[w as usize] && v & seen[w as usize] != seen[w as usize] {
                                return Err(format!("FUSE[{w:#x}] lost bits: {:#x} then {v:#x}", seen[w as usize]));
                            }
                            seen[w as usize] = v;
                        }
                        Err(ApbError::SlvErr { data, .. }) => {
                            if data != 0 {
                                return Err("erroring FUSE read returned data".into());
                            }
                        }
                        Err(e) => return Err(e.to_string()),
                    }
                }
                65..=79 => {
                    let reg = MAP.regs[ctx.tb.rng().gen_range(0..MAP.regs.len())];
                    let i = ctx.tb.rng().gen_range(0..reg.count);
                    let _ = d.apb.read(reg.addr(i)).await;
                }
                80..=88 => {
                    let (m, a, w, v, s) = {
                        let mut rng = ctx.tb.rng();
                        (
                            rng.gen_range(0..4),
                            rng.gen_range(0..0x1000u32),
                            rng.gen_bool(0.5),
                            rng.gen::<u32>(),
                            rng.gen_range(0..16u32),
                        )
                    };
                    let _ = d.apb.with_master(m).transfer(w, a, v, s).await;
                }
                89..=96 => {
                    // Reset, often in the middle of a program (the word is then INTERRUPTED).
                    if ctx.tb.rng().gen_bool(0.6) {
                        // Through the bus if the controller accepts it; else (say, everything is
                        // locked by now) through the tester port, which uses the same engine.
                        if d.try_program(word, data).await.is_ok() {
                            blank.retain(|&b| b != word);
                        } else {
                            let w = tester_target(&ctx);
                            let allowed = tester_allowed(&d).await?;
                            if d.tester.start(w, ecc::raw_word(seen[w as usize] | data)).await != allowed {
                                return Err(format!("tester program: STATUS.TST_OK said {allowed}, the port did not agree"));
                            }
                            if allowed {
                                tested[w as usize] = true;
                                blank.retain(|&b| b != w);
                            }
                        }
                        let n = ctx.tb.rng().gen_range(0..170);
                        ctx.tb.clock_cycles(n).await;
                        cuts += (n < PROG_CYCLES as u64) as u32;
                    }
                    resets += 1;
                    d.reset().await?;
                }
                _ => {
                    let w = tester_target(&ctx);
                    let allowed = tester_allowed(&d).await?;
                    let took = d.tester.program(&[(w, ecc::raw_word(seen[w as usize] | data))]).await.is_ok();
                    if took != allowed {
                        return Err(format!("tester program: STATUS.TST_OK said {allowed}, the port did not agree"));
                    }
                    if took {
                        tested[w as usize] = true;
                        tester_ops += 1;
                        blank.retain(|&b| b != w);
                    } else {
                        tester_refused += 1;
                        if STATUS_TST_REFUSED.get(d.status().await?) != 1 {
                            return Err("refused tester program without STATUS.TST_REFUSED".into());
                        }
                    }
                    d.wait_ready().await?;
                }
            }
            if ctx.tb.rng().gen_bool(0.3) {
                let _ = d.take_err().await;
            }
            // Invariants of the outputs.
            let o = d.outs();
            if o.key_valid && !(o.lc_state == 1 || o.lc_state == 2) {
                return Err(format!("key_valid in LC state {}", o.lc_state));
            }
            if !o.key_valid && o.key != [0; 32] {
                return Err("key_out non-zero while key_valid is low".into());
            }
            if o.debug_en && !(o.lc_state == 0 || o.lc_state == 1 || o.lc_state == 3) {
                return Err(format!("debug_en in LC state {}", o.lc_state));
            }
            if o.svn > 16 {
                return Err(format!("svn {}", o.svn));
            }
            ctx.count(1);
        }
        ctx.metric("programs_accepted", accepted as f64);
        ctx.metric("resets", resets as f64);
        ctx.metric("programs_cut_by_reset", cuts as f64);
        ctx.metric("tester_writes", tester_ops as f64);
        ctx.metric("tester_refused", tester_refused as f64);
        if accepted == 0 || cuts == 0 {
            return Err(format!("random run too weak: {accepted} programs accepted, {cuts} cut by reset"));
        }
        ctx.leaks(&d.leaks)
    })
}

/// A word for otp_random's tester writes: not an LC word (a raw OR into one makes the part
/// INVALID) and not TST_DISABLE, either of which would close the port for the rest of the run.
fn tester_target(ctx: &Ctx) -> u32 {
    loop {
        let w = ctx.tb.rng().gen_range(0x10..0x35);
        if !fm::LIFECYCLE.contains(w) && w != fm::TST_DISABLE {
            return w;
        }
    }
}

/// STATUS.TST_OK (the controller in service), checked against the life cycle state it rests on.
async fn tester_allowed(d: &OtpDriver) -> Result<bool, String> {
    let ok = STATUS_TST_OK.get(d.status().await?) == 1;
    let lc = d.outs().lc_state;
    if ok && !(lc == fm::LC_STATE_BLANK || lc == fm::LC_STATE_RMA) {
        return Err(format!("STATUS.TST_OK in LC state {lc}"));
    }
    Ok(ok)
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    use crate::formal::Proof;
    const SBY: &str = "testbenches/otp/formal/otp.sby";
    vec![BlockBench {
        block: "otp",
        module: "pluton_otp",
        model: Some(|| Box::new(pluton_cosim::OtpModel::new())),
        cases,
        replay: "otp_init_provisioned",
        csr: Some(&crate::csr::CsrSpec { map: &pluton_hdl::otp::regs::MAP, base: 0, master: pluton_hdl::common::masters::MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[
            Proof { id: "d", block: "otp", claim: "a fuse bit never goes from 1 to 0", sby: SBY, task: "otp_bits", mutant: "otp_bits_mutant" },
            Proof { id: "e", block: "otp", claim: "a read-locked partition never puts non-zero data on APB", sby: SBY, task: "read_lock", mutant: "read_lock_mutant" },
            Proof { id: "t", block: "otp", claim: "the tester port programs only when the last scan allowed it (BLANK or RMA, TST_DISABLE blank)", sby: SBY, task: "tst_gate", mutant: "tst_gate_mutant" },
        ],
        compares_reads: true,
        scans_leaks: false,
    }]
}

/// Issue 11, hole 4: a FUSE read must never complete with another word's data. A read whose
/// `penable` drops in a wait state (and comes back at another address), or whose `paddr` changes
/// in a wait state, completes with PSLVERR, 0 and ERR_PROTOCOL; the next read is right again.
fn protocol(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let d = OtpDriver::new(&ctx.tb)?;
        d.wait_ready().await?;
        let img = provisioned(&ctx.tb, 1, 1, 0x1F);
        d.secrets(&img);
        d.preload(&img).await?;
        // Two readable words with different values (the case: 0x28 then 0x2e).
        let (w1, w2) = (0x28, 0x2e);
        let (v1, v2) = (d.fuse(w1).await.map_err(|e| e.to_string())?, d.fuse(w2).await.map_err(|e| e.to_string())?);
        if v1 == v2 {
            return Err(format!("FUSE[{w1:#x}] and FUSE[{w2:#x}] both read {v1:#x}: the test needs two values"));
        }
        let raw = pluton_bindings::apb_agents::ApbRaw::new(&ctx.tb, "")?;
        let (a1, a2) = (FUSE.addr(w1), FUSE.addr(w2));
        let sec = MASTER_SEC;
        for case in ["penable drops in a wait state", "paddr changes in a wait state"] {
            raw.idle().await;
            raw.cycle(true, false, false, a1, 0, sec).await;
            let (ready, _, _) = raw.cycle(true, true, false, a1, 0, sec).await;
            if ready {
                return Err(format!("{case}: FUSE[{w1:#x}] completed in its first access cycle; it has two wait states"));
            }
            if case.starts_with("penable") {
                // penable falls (a second setup phase, now at the other address), then rises.
                raw.cycle(true, false, false, a2, 0, sec).await;
            }
            let mut out = (false, false, 0);
            for _ in 0..8 {
                out = raw.cycle(true, true, false, a2, 0, sec).await;
                if out.0 {
                    break;
                }
            }
            raw.idle().await;
            if out != (true, true, 0) {
                return Err(format!("{case}: the read completed as {out:?} (pready, pslverr, prdata); FUSE[{w1:#x}] = {v1:#x}, FUSE[{w2:#x}] = {v2:#x}; expected PSLVERR and 0"));
            }
            let code = d.take_err().await?;
            if code != ERR_PROTOCOL {
                return Err(format!("{case}: ERR_INFO code {code}, expected ERR_PROTOCOL ({ERR_PROTOCOL})"));
            }
            ctx.count(1);
        }
        // Well-formed reads are right again.
        check(&ctx, "FUSE[w2] after the violations", d.fuse(w2).await.map_err(|e| e.to_string())?, v2)?;
        check(&ctx, "FUSE[w1] after the violations", d.fuse(w1).await.map_err(|e| e.to_string())?, v1)?;
        ctx.leaks(&d.leaks)
    })
}
