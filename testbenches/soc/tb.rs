//! The two-core system (`pluton_soc`): both cores in lock-step with two ISS instances while the security core serves HMAC requests from the application core, checked against `ring`, with a key-leak scan on every device read either core makes.

use crate::leak::LeakScan;
use crate::m0::compile::build_at;
use crate::m0::image::Image;
use crate::m0::system::load_rom_of;
use crate::m0::tb::{BusMode, Follower, RunConfig, RunResult};
use crate::regression::{Case, Ctx};
use crate::security::{dev_image, hmac_ref};
use crate::vectors::to_hex;
use pluton_bindings::Dut;
use pluton_cosim::fuse_image::FuseImage;
use pluton_hdl::firewall::regs as firewall;
use pluton_hdl::security::regs as security;
use pluton_hdl::soc::regs as soc;
use pluton_toolchain::project_root;
use std::cell::RefCell;
use std::rc::Rc;

pub fn cases() -> Vec<Case> {
    vec![Case { name: "soc_hmac_demo", body: |ctx| Box::pin(hmac_demo(ctx)) }]
}

/// The labels `soc_app.c` asks for, in order.
pub const LABELS: [&str; 2] = ["attest-1", "abc"];
/// The accesses `soc_app.c` tries and the firewall must refuse.
pub const REFUSED: [&str; 3] = ["otp read", "sha key write", "firewall config write"];

/// The wafer tester: with `tst_en` high from reset on, programs every non-blank fuse word, then
/// drops `tst_en` so the OTP controller scans the fuses (the security core waits for READY).
/// Each word's `tst_we` is held until `tst_busy` rises: the port opens only after the init scan
/// has found a part that allows it. One call per cycle, before the edge; the same sequence as
/// `otp::TesterPort::program`.
struct FuseTester {
    words: Vec<(u32, u64)>,
    next: usize,
    wrote: bool,
    done: bool,
    tst_en: usize,
    tst_we: usize,
    tst_addr: usize,
    tst_wdata: usize,
    tst_busy: usize,
}

impl FuseTester {
    fn new(dut: &dyn Dut, image: &FuseImage) -> Result<FuseTester, String> {
        let id = |n: &str| dut.port_id(n).ok_or_else(|| format!("{} has no port `{n}`", dut.name()));
        let words = image.raw.iter().enumerate().filter(|(_, &raw)| raw != 0).map(|(w, &raw)| (w as u32, raw)).collect();
        Ok(FuseTester {
            words,
            next: 0,
            wrote: false,
            done: false,
            tst_en: id("tst_en")?,
            tst_we: id("tst_we")?,
            tst_addr: id("tst_addr")?,
            tst_wdata: id("tst_wdata")?,
            tst_busy: id("tst_busy")?,
        })
    }

    fn cycle(&mut self, dut: &mut dyn Dut) {
        if self.done {
            return;
        }
        dut.poke_u32(self.tst_en, 1);
        let busy = dut.peek_u32(self.tst_busy) & 1 == 1;
        if self.wrote {
            // tst_we stays high until the word's program has started.
            if busy {
                dut.poke_u32(self.tst_we, 0);
                self.wrote = false;
            }
            return;
        }
        if busy {
            return;
        }
        match self.words.get(self.next) {
            Some(&(word, raw)) => {
                dut.poke_u32(self.tst_addr, word);
                dut.poke(self.tst_wdata, &[raw as u32, (raw >> 32) as u32]);
                dut.poke_u32(self.tst_we, 1);
                self.next += 1;
                self.wrote = true;
            }
            None => {
                dut.poke_u32(self.tst_en, 0);
                self.done = true;
            }
        }
    }
}

/// What one run of the two programs produced.
pub struct SocRun {
    pub sec: RunResult,
    pub app: RunResult,
    pub cycles: u64,
}

/// Runs the two images on `pluton_soc`, each core in lock-step with its own ISS, until both
/// programs have exited. The fuses get `fuses` through the tester port first.
pub fn run_soc(dut: &mut dyn Dut, sec_image: &Image, app_image: &Image, fuses: &FuseImage, max_cycles: u64) -> Result<SocRun, String> {
    let monitor = BusMode::Monitor { mmio_base: soc::SECURITY_BASE };
    let sec_cfg = RunConfig { bus: monitor, core: "sec_", max_cycles, ..RunConfig::default() };
    let app_cfg = RunConfig { bus: monitor, core: "app_", core_reset: Some("app_rst_n"), max_cycles, ..RunConfig::default() };
    let mut cores = [Follower::new(dut, sec_image, &sec_cfg)?, Follower::new(dut, app_image, &app_cfg)?];
    let id = |dut: &dyn Dut, n: &str| dut.port_id(n).ok_or_else(|| format!("{} has no port `{n}`", dut.name()));
    let rst_n = id(dut, "rst_n")?;
    for n in ["wifi_cmd_ready", "wifi_evt_valid", "wifi_evt_data", "tst_we", "tst_addr"] {
        let port = id(dut, n)?;
        dut.poke_u32(port, 0);
    }
    let port = id(dut, "tst_wdata")?;
    dut.poke(port, &[0, 0]);
    let mut tester = FuseTester::new(dut, fuses)?;
    // tst_en is high from reset on: the OTP controller scans the blank fuses first and then opens
    // the port without READY in between, so the security core keeps waiting for READY.
    dut.poke_u32(tester.tst_en, 1);
    for core in &cores {
        core.idle_inputs(dut);
    }
    dut.poke_u32(rst_n, 0);
    dut.step();
    load_rom_of(dut, sec_image, "sec_")?;
    load_rom_of(dut, app_image, "app_")?;
    dut.step();
    dut.poke_u32(rst_n, 1);
    cores[0].start(dut);
    // The application core must stay in reset until the security core's write to LOCK.
    let app_rst_n = id(dut, "app_rst_n")?;
    let lock = (soc::SECURITY_BASE + security::WIN_FIREWALL * security::WINDOW_SIZE + firewall::LOCK.offset, 1);
    let mut released = false;
    let mut cycles = 0u64;
    while !cores.iter().all(|c| c.finished) {
        cycles += 1;
        if cycles > max_cycles {
            return Err(format!("the programs did not both exit within {max_cycles} cycles (security core done: {}, application core done: {})", cores[0].finished, cores[1].finished));
        }
        tester.cycle(dut);
        if !released && dut.peek_u32(app_rst_n) == 1 {
            // The firewall locks at the APB ACCESS edge; the AHB write completes a cycle later.
            if !cores[0].result().device_writes.contains(&lock) && cores[0].writing(dut) != Some(lock) {
                return Err(format!("cycle {cycles}: the application core left reset before the security core set the firewall's LOCK"));
            }
            released = true;
        }
        for (core, name) in cores.iter_mut().zip(["security", "application"]) {
            core.inputs(dut).map_err(|e| format!("{name} core: {e}"))?;
        }
        for (core, name) in cores.iter_mut().zip(["security", "application"]) {
            core.outputs(dut).map_err(|e| format!("{name} core: {e}"))?;
        }
        dut.step();
        for core in &mut cores {
            core.after_edge(dut);
        }
    }
    let [sec, app] = cores;
    Ok(SocRun { sec: sec.result().clone(), app: app.result().clone(), cycles })
}

async fn hmac_demo(ctx: Ctx) -> Result<(), String> {
    let dir = project_root().join("testbenches/soc/programs");
    let (sec_image, app_image) = (build_at(&dir, "soc_sec")?, build_at(&dir, "soc_app")?);
    let fuses = dev_image(&ctx.tb);
    let started = std::time::Instant::now();
    let r = ctx.tb.with_dut(|dut| run_soc(dut, &sec_image, &app_image, &fuses, 1_000_000))?;
    let seconds = started.elapsed().as_secs_f64();
    ctx.add_cycles(r.cycles);
    let both = format!("security core:\n{}\napplication core:\n{}", r.sec.output, r.app.output);
    if !r.sec.success || !r.app.success {
        return Err(format!("a program did not exit successfully; output:\n{both}"));
    }
    // The tags, from ring with the fused device root key.
    let root = fuses.device_root_key();
    let mut leaks = LeakScan::default();
    leaks.add_secret(&root);
    leaks.add_secret(&fuses.attestation_seed());
    let leaks = Rc::new(RefCell::new(leaks));
    for label in LABELS {
        let tag = hmac_ref(&root, label.as_bytes());
        leaks.borrow_mut().allow_digest(&tag);
        let line = format!("app: hmac({label}) = {}", to_hex(&tag));
        if !r.app.output.lines().any(|l| l == line) {
            return Err(format!("the application core's UART lacks `{line}` (ring's tag); output:\n{both}"));
        }
        ctx.count(1);
    }
    for what in REFUSED {
        let line = format!("app: refused: {what}");
        if !r.app.output.lines().any(|l| l == line) {
            return Err(format!("the application core's UART lacks `{line}`; output:\n{both}"));
        }
        ctx.count(1);
    }
    let line = format!("sec: served {:02x}, violations {:02x}", LABELS.len(), REFUSED.len());
    if !r.sec.output.lines().any(|l| l == line) {
        return Err(format!("the security core's UART lacks `{line}`; output:\n{both}"));
    }
    ctx.count(1);
    // No device read by either core carried a window of a key.
    for &(addr, data) in r.app.device_reads.iter().chain(&r.sec.device_reads) {
        leaks.borrow_mut().check_read(addr, data);
    }
    ctx.leaks(&leaks)?;
    if r.app.device_reads.len() < 16 {
        return Err(format!("the leak scan saw only {} device reads by the application core (the tags alone are 16)", r.app.device_reads.len()));
    }
    ctx.count(r.app.device_reads.len() as u64);
    let instructions = r.sec.instructions + r.app.instructions;
    ctx.metric("instructions", instructions as f64);
    ctx.metric("instructions_per_s_lockstep", instructions as f64 / seconds);
    ctx.metric("app_device_reads", r.app.device_reads.len() as f64);
    Ok(())
}
