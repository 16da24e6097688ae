//! IO firewall test bench: 8 emulated peripherals, a PSEL monitor on every cycle, directed tests and a 1M-transfer fuzz.
//!
//! The bench drives the ports itself, one cycle at a time, in a single task: per cycle it pokes
//! the upstream request, reads the downstream request, answers it from the emulated peripherals
//! (the selected one: a 16-word register file with random wait states and occasional PSLVERR;
//! the others: random noise on their `m_prdata/m_pready/m_pslverr`), checks the downstream bus
//! with the monitor, samples the upstream response, and steps the clock. No APB BFM is used: the
//! peripherals must answer combinationally within the cycle, which a second task cannot do
//! deterministically.
//!
//! Independent checks (besides the lock-step comparison with the model):
//! - the monitor: any `m_psel` bit that the bench's shadow of the config does not allow
//!   (wrong window, non-owner, NO_READ/NO_WRITE, no upstream request) is an unauthorized
//!   transaction; every forwarded field must equal the upstream request, and the downstream bus
//!   must be all zero when nothing is forwarded;
//! - the predictor: each transfer's outcome (forwarded or denied, PSLVERR, read data, cycles) is
//!   predicted from the shadow, following the README's check order, and the shadow's
//!   violation log and count are compared on every config read.

use crate::regression::{ensure, Case, Ctx, TestFuture};
use pluton_bindings::apb_agents::ApbMonitor;
use pluton_bindings::Tb;
use pluton_hdl::common::regmap::Access;
use pluton_hdl::firewall::regs::*;
use rand::Rng;
use std::cell::Cell;
use std::rc::Rc;

/// Base address of the config page on the upstream bus.
pub const CFG_BASE: u32 = CFG_WINDOW << 12;
/// Registers per emulated peripheral; offsets at or above `4 * PERIPH_WORDS` answer PSLVERR.
const PERIPH_WORDS: usize = 16;
/// A transfer whose `pready` stays low longer than this is stuck (peripherals wait at most 4).
const MAX_WAIT: u64 = 64;

/// One upstream transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Req {
    pub master: u32,
    pub write: bool,
    pub addr: u32,
    pub data: u32,
    pub strb: u32,
}

impl Req {
    pub fn read(master: u32, addr: u32) -> Req {
        Req { master, write: false, addr, data: 0, strb: 0 }
    }
    pub fn write(master: u32, addr: u32, data: u32) -> Req {
        Req { master, write: true, addr, data, strb: 0xf }
    }
    pub fn strb(self, strb: u32) -> Req {
        Req { strb, ..self }
    }
    fn window(&self) -> u32 {
        (self.addr >> 12) & 0xf
    }
}

/// What the bench saw of one completed transfer.
#[derive(Clone, Copy, Debug)]
pub struct Done {
    pub slverr: bool,
    pub rdata: u32,
    /// Cycles from the setup phase to the completing edge (2 with no wait states).
    pub cycles: u64,
    /// Wait states the peripheral inserted (forwarded transfers only).
    pub periph_waits: u64,
    /// Cause the bench predicted (0: allowed).
    pub cause: u32,
    pub forwarded: bool,
}

/// The bench's own view of the firewall's state, updated only from transfers it drove.
#[derive(Clone, Debug, Default)]
pub struct Shadow {
    pub owner: [u32; 8],
    pub no_read: [bool; 8],
    pub no_write: [bool; 8],
    pub locked: bool,
    /// The `esc` input (escalation): every window and every config write refused.
    pub esc: bool,
    /// First violation since the last clear: (write, cause, master, paddr).
    pub first: Option<(bool, u32, u32, u32)>,
    pub count: u32,
}

impl Shadow {
    /// The README's check order, written from the contract (not shared with the RTL or model).
    pub fn cause(&self, r: &Req) -> u32 {
        let win = r.window();
        if win < WINDOWS {
            let k = win as usize;
            if self.esc {
                CAUSE_FATAL
            } else if r.master != self.owner[k] {
                CAUSE_NOT_OWNER
            } else if (r.write && self.no_write[k]) || (!r.write && self.no_read[k]) {
                CAUSE_RULE
            } else {
                CAUSE_NONE
            }
        } else if win == CFG_WINDOW {
            if r.master != MASTER_SEC {
                return CAUSE_CFG_MASTER;
            }
            match MAP.decode(r.addr & 0xfff) {
                None => CAUSE_UNMAPPED,
                Some((reg, _)) if r.write && reg.access == Access::Ro => CAUSE_ACCESS,
                Some(_) if r.write && r.strb != 0xf => CAUSE_STRB,
                Some(_) if r.write && self.esc => CAUSE_FATAL,
                Some((reg, _)) if r.write && self.locked && (reg.name == WIN_CFG.name || reg.name == LOCK.name) => {
                    CAUSE_CFG_LOCKED
                }
                Some(_) => CAUSE_NONE,
            }
        } else {
            CAUSE_UNMAPPED
        }
    }

    /// Value of a (mapped) config register.
    pub fn reg(&self, off: u32) -> u32 {
        let (reg, i) = MAP.decode(off).expect("mapped config offset");
        let i = i as usize;
        match reg.name {
            "WIN_CFG" => {
                WIN_CFG_OWNER.put(self.owner[i])
                    | WIN_CFG_NO_READ.put(self.no_read[i] as u32)
                    | WIN_CFG_NO_WRITE.put(self.no_write[i] as u32)
            }
            "LOCK" => LOCK_LOCKED.put(self.locked as u32),
            "VIOL_INFO" => match self.first {
                None => 0,
                Some((w, cause, master, _)) => {
                    VIOL_INFO_VALID.put(1) | VIOL_INFO_WRITE.put(w as u32) | VIOL_INFO_CAUSE.put(cause) | VIOL_INFO_MASTER.put(master)
                }
            },
            "VIOL_ADDR" => self.first.map_or(0, |f| f.3),
            "VIOL_COUNT" => self.count,
            "ID" => BLOCK_ID,
            "ALERT" => ALERT_FATAL.put(self.esc as u32),
            other => panic!("no shadow for {other}"),
        }
    }

    /// Apply a completed transfer with the predicted `cause`.
    pub fn complete(&mut self, r: &Req, cause: u32) {
        if cause != CAUSE_NONE {
            if self.first.is_none() {
                self.first = Some((r.write, cause, r.master, r.addr & 0xffff));
            }
            self.count = self.count.saturating_add(1);
            return;
        }
        if r.window() != CFG_WINDOW || !r.write {
            return;
        }
        let (reg, i) = MAP.decode(r.addr & 0xfff).expect("allowed config write is mapped");
        let i = i as usize;
        match reg.name {
            "WIN_CFG" => {
                self.owner[i] = WIN_CFG_OWNER.get(r.data);
                self.no_read[i] = WIN_CFG_NO_READ.get(r.data) == 1;
                self.no_write[i] = WIN_CFG_NO_WRITE.get(r.data) == 1;
            }
            "LOCK" => self.locked |= LOCK_LOCKED.get(r.data) == 1,
            "VIOL_INFO" => {
                self.first = None;
                self.count = 0;
            }
            _ => unreachable!("writes to read-only registers are denied"),
        }
    }
}

/// One emulated APB peripheral.
#[derive(Clone, Debug)]
struct Periph {
    regs: [u32; PERIPH_WORDS],
    /// Wait states left in the current access phase; `None` outside an access.
    waits_left: Option<u64>,
    waits: u64,
    err: bool,
    completed: u64,
}

impl Default for Periph {
    fn default() -> Self {
        Periph { regs: [0; PERIPH_WORDS], waits_left: None, waits: 0, err: false, completed: 0 }
    }
}

#[derive(Clone, Copy)]
struct Ports {
    rst_n: usize,
    psel: usize,
    penable: usize,
    pwrite: usize,
    paddr: usize,
    pwdata: usize,
    pstrb: usize,
    pmaster: usize,
    m_prdata: usize,
    m_pready: usize,
    m_pslverr: usize,
    prdata: usize,
    pready: usize,
    pslverr: usize,
    m_psel: usize,
    m_penable: usize,
    m_pwrite: usize,
    m_paddr: usize,
    m_pwdata: usize,
    m_pstrb: usize,
    m_pmaster: usize,
    intr_viol: usize,
}

/// Knobs of the peripheral emulation.
#[derive(Clone, Copy, Debug)]
pub struct PeriphMode {
    /// Chance that an access gets 1..=4 wait states.
    pub wait_prob: f64,
    /// Chance that an access ends with PSLVERR (besides offsets past the register file).
    pub err_prob: f64,
}

impl PeriphMode {
    pub const QUIET: PeriphMode = PeriphMode { wait_prob: 0.0, err_prob: 0.0 };
    pub const BUSY: PeriphMode = PeriphMode { wait_prob: 0.3, err_prob: 0.05 };
}

/// The firewall with its 8 peripherals, monitor and predictor.
/// The eight `w`-bit lanes of a per-window downstream output (window k in lane k).
pub fn lanes(tb: &Tb, port: usize, w: u32) -> [u32; 8] {
    let mut v = [0u32; 8];
    tb.peek(port, &mut v[..(8 * w as usize).div_ceil(32)]);
    std::array::from_fn(|k| pluton_bindings::dut::lane(&v, w, k as u32))
}

pub struct FwBench {
    pub tb: Tb,
    p: Ports,
    periph: [Periph; 8],
    pub shadow: Shadow,
    pub mode: PeriphMode,
    /// The request on the bus this cycle (`None`: `psel` low).
    cur: Option<Req>,
    penable: bool,
    /// `m_psel` bits the shadow config does not allow.
    pub unauthorized: u64,
    /// First monitor finding (unauthorized select, wrong forwarded field, noisy idle bus).
    pub monitor_error: Option<String>,
    pub transfers: u64,
    pub forwarded: u64,
    pub denied: u64,
    /// Largest `cycles - (2 + peripheral wait states)` seen on a forwarded transfer.
    pub max_added_latency: u64,
    /// Per-cycle view filled by `settle`.
    sel: u32,
    sel_ready: bool,
    sel_rdata: u32,
    sel_err: bool,
    /// Downstream (pwrite, paddr, pwdata, pstrb, pmaster) as read by `settle` this cycle.
    down: (bool, u32, u32, u32, u32),
    /// Check that the downstream bus is all zero in every cycle nothing is forwarded.
    pub check_quiet: bool,
}

impl FwBench {
    pub fn new(tb: &Tb) -> Result<FwBench, String> {
        let p = Ports {
            rst_n: tb.port("rst_n")?,
            psel: tb.port("psel")?,
            penable: tb.port("penable")?,
            pwrite: tb.port("pwrite")?,
            paddr: tb.port("paddr")?,
            pwdata: tb.port("pwdata")?,
            pstrb: tb.port("pstrb")?,
            pmaster: tb.port("pmaster")?,
            m_prdata: tb.port("m_prdata")?,
            m_pready: tb.port("m_pready")?,
            m_pslverr: tb.port("m_pslverr")?,
            prdata: tb.port("prdata")?,
            pready: tb.port("pready")?,
            pslverr: tb.port("pslverr")?,
            m_psel: tb.port("m_psel")?,
            m_penable: tb.port("m_penable")?,
            m_pwrite: tb.port("m_pwrite")?,
            m_paddr: tb.port("m_paddr")?,
            m_pwdata: tb.port("m_pwdata")?,
            m_pstrb: tb.port("m_pstrb")?,
            m_pmaster: tb.port("m_pmaster")?,
            intr_viol: tb.port("intr_viol")?,
        };
        Ok(FwBench {
            tb: tb.clone(),
            p,
            periph: Default::default(),
            shadow: Shadow::default(),
            mode: PeriphMode::BUSY,
            cur: None,
            penable: false,
            unauthorized: 0,
            monitor_error: None,
            transfers: 0,
            forwarded: 0,
            denied: 0,
            max_added_latency: 0,
            sel: 0,
            sel_ready: false,
            sel_rdata: 0,
            sel_err: false,
            down: (false, 0, 0, 0, 0),
            check_quiet: true,
        })
    }

    fn note(&mut self, msg: String) {
        if self.monitor_error.is_none() {
            self.monitor_error = Some(format!("cycle {}: {msg}", self.tb.cycle()));
        }
    }

    /// Fail if the monitor has seen anything wrong.
    pub fn monitor_ok(&self) -> Result<(), String> {
        match (&self.monitor_error, self.unauthorized) {
            (None, 0) => Ok(()),
            (Some(m), n) => Err(format!("monitor: {n} unauthorized m_psel; first finding: {m}")),
            (None, n) => Err(format!("monitor: {n} unauthorized m_psel")),
        }
    }

    /// Answer the downstream request from the peripherals and run the monitor (before an edge).
    fn settle(&mut self) {
        let (tb, p) = (self.tb.clone(), self.p);
        let sel = tb.peek_u32(p.m_psel);
        // Each window has its own downstream bus (lane k of every m_* field). Read when something
        // is forwarded, and on idle or denied cycles while `check_quiet` is on.
        let all = if sel != 0 || self.check_quiet {
            [lanes(&tb, p.m_penable, 1), lanes(&tb, p.m_pwrite, 1), lanes(&tb, p.m_paddr, 12), lanes(&tb, p.m_pwdata, 32), lanes(&tb, p.m_pstrb, 4), lanes(&tb, p.m_pmaster, 4)]
        } else {
            [[0; 8]; 6]
        };
        // (penable, pwrite, paddr, pwdata, pstrb, pmaster) in window k's lane.
        let lane = |k: usize| (all[0][k] == 1, all[1][k] == 1, all[2][k], all[3][k], all[4][k], all[5][k]);
        let quiet = (false, false, 0, 0, 0, 0);
        // The forwarded window's lane, or the first non-quiet one.
        let k_sel = if sel != 0 { sel.trailing_zeros() as usize & 7 } else { 0 };
        let (men, w, a, d, st, ma) = lane(k_sel);
        let m = (w, a, d, st, ma);
        self.down = m;
        // No window but the selected one sees anything: no broadcast of one window's traffic
        // to the others' pins.
        for k in (0..8).filter(|&k| sel >> k & 1 == 0) {
            if lane(k) != quiet {
                self.note(format!("window {k}'s downstream bus not quiet while m_psel=0x{sel:02x}: {:?} (request {:?})", lane(k), self.cur));
            }
        }
        // The monitor: is this select allowed by the bench's own view of the config?
        if sel != 0 {
            let k = sel.trailing_zeros();
            let allowed = match self.cur {
                None => false,
                Some(r) => sel.count_ones() == 1 && r.window() == k && self.shadow.cause(&r) == CAUSE_NONE,
            };
            if !allowed {
                self.unauthorized += 1;
                let m = format!("unauthorized m_psel=0x{sel:02x} for request {:?} (owner of {k}: {})", self.cur, self.shadow.owner[k as usize & 7]);
                self.note(m);
            }
            if let Some(r) = self.cur {
                let want = (r.write, r.addr & 0xfff, r.data, r.strb, r.master);
                if m != want || men != self.penable {
                    self.note(format!("forwarded (pwrite, paddr, pwdata, pstrb, pmaster) {m:?} m_penable {men}, request {want:?} penable {}", self.penable));
                }
            }
        }

        // The peripherals: noise from the unselected ones, an APB answer from the selected one.
        let mut rng = self.tb.rng();
        let mut prdata = [0u32; 8];
        rng.fill(&mut prdata[..]);
        let mut pready: u32 = rng.gen::<u32>() & 0xff;
        let mut pslverr: u32 = rng.gen::<u32>() & 0xff;
        self.sel = sel;
        self.sel_ready = false;
        if sel != 0 && men {
            let k = sel.trailing_zeros() as usize;
            let maddr = m.1 as usize;
            let per = &mut self.periph[k];
            if per.waits_left.is_none() {
                // First access cycle: this access's wait states and error are drawn now.
                let waits = if rng.gen_bool(self.mode.wait_prob) { rng.gen_range(1..=4) } else { 0 };
                per.err = maddr >= 4 * PERIPH_WORDS || rng.gen_bool(self.mode.err_prob);
                per.waits_left = Some(waits);
                per.waits = waits;
            }
            let ready = per.waits_left == Some(0);
            self.sel_ready = ready;
            self.sel_err = ready && per.err;
            pready = (pready & !(1 << k)) | ((ready as u32) << k);
            pslverr = (pslverr & !(1 << k)) | ((self.sel_err as u32) << k);
            if ready {
                prdata[k] = per.regs[(maddr >> 2) % PERIPH_WORDS];
            }
            self.sel_rdata = prdata[k];
        }
        drop(rng);
        tb.poke(p.m_prdata, &prdata);
        tb.poke_u32(p.m_pready, pready);
        tb.poke_u32(p.m_pslverr, pslverr);
    }

    /// The rising edge, and the peripherals' registered effects of it.
    async fn edge(&mut self) {
        let (sel, ready, (write, addr, data, strb, _)) = (self.sel, self.sel_ready, self.down);
        let completing = (sel != 0 && self.penable && ready).then(|| sel.trailing_zeros() as usize);
        self.tb.rising_edge().await;
        for (k, per) in self.periph.iter_mut().enumerate() {
            match per.waits_left {
                Some(_) if sel & (1 << k) == 0 || !self.penable => per.waits_left = None,
                Some(0) => {
                    per.waits_left = None;
                    per.completed += 1;
                }
                Some(n) => per.waits_left = Some(n - 1),
                None => {}
            }
        }
        if let Some(k) = completing {
            let per = &mut self.periph[k];
            if write && !per.err {
                let idx = (addr as usize >> 2) % PERIPH_WORDS;
                let mut mask = 0u32;
                for b in 0..4 {
                    if strb & (1 << b) != 0 {
                        mask |= 0xff << (8 * b);
                    }
                }
                per.regs[idx] = (per.regs[idx] & !mask) | (data & mask);
            }
        }
    }

    /// `n` idle cycles (`psel` low), monitored.
    pub async fn idle(&mut self, n: u64) {
        self.cur = None;
        self.penable = false;
        self.tb.poke_u32(self.p.psel, 0);
        self.tb.poke_u32(self.p.penable, 0);
        for _ in 0..n {
            self.settle();
            self.edge().await;
        }
    }

    /// Reset the firewall (`rst_n` low for `cycles`), monitored; the peripherals keep their data.
    pub async fn reset(&mut self, cycles: u64) {
        self.tb.poke_u32(self.p.rst_n, 0);
        self.idle(cycles).await;
        self.tb.poke_u32(self.p.rst_n, 1);
        self.shadow = Shadow::default();
        self.idle(1).await;
    }

    /// `intr_viol` must equal the shadow's VIOL_INFO.VALID.
    pub fn check_intr(&self) -> Result<(), String> {
        let intr = self.tb.peek_u32(self.p.intr_viol) == 1;
        if intr != self.shadow.first.is_some() {
            return Err(format!("intr_viol = {intr}, but the bench expects {}", self.shadow.first.is_some()));
        }
        Ok(())
    }

    pub fn intr(&self) -> bool {
        self.tb.peek_u32(self.p.intr_viol) == 1
    }

    /// One APB transfer, checked against the predictor. Ends with `psel` low (a following
    /// transfer pokes its setup phase before the next edge, so transfers can run back to back).
    pub async fn xfer(&mut self, r: Req) -> Result<Done, String> {
        let (tb, p) = (self.tb.clone(), self.p);
        let cause = self.shadow.cause(&r);
        let win = r.window();
        let forward = cause == CAUSE_NONE && win < WINDOWS;
        // Setup phase.
        self.cur = Some(r);
        self.penable = false;
        tb.poke_u32(p.psel, 1);
        tb.poke_u32(p.penable, 0);
        tb.poke_u32(p.pwrite, r.write as u32);
        tb.poke_u32(p.paddr, r.addr);
        tb.poke_u32(p.pwdata, r.data);
        tb.poke_u32(p.pstrb, r.strb);
        tb.poke_u32(p.pmaster, r.master);
        self.settle();
        let mut fwd_cycles = (self.sel == 1 << win) as u64;
        self.edge().await;
        // Access phase.
        self.penable = true;
        tb.poke_u32(p.penable, 1);
        let mut cycles = 1;
        let (slverr, rdata, periph_err, periph_rdata, periph_waits) = loop {
            self.settle();
            cycles += 1;
            fwd_cycles += (self.sel == 1 << win) as u64;
            let ready = tb.peek_u32(p.pready) == 1;
            if forward && ready != self.sel_ready {
                return Err(format!("{r:x?}: upstream pready {ready} but the peripheral's is {}", self.sel_ready));
            }
            let sampled = ready.then(|| (tb.peek_u32(p.pslverr) == 1, tb.peek_u32(p.prdata), self.sel_err, self.sel_rdata));
            let waits = if self.sel != 0 { self.periph[self.sel.trailing_zeros() as usize].waits } else { 0 };
            self.edge().await;
            if let Some((e, d, pe, pd)) = sampled {
                break (e, d, pe, pd, waits);
            }
            if cycles > MAX_WAIT {
                return Err(format!("{r:x?}: pready stuck low for {cycles} cycles"));
            }
        };
        self.cur = None;
        self.penable = false;
        tb.poke_u32(p.psel, 0);
        tb.poke_u32(p.penable, 0);

        // Check the outcome: the monitor first, then against the prediction.
        self.monitor_ok()?;
        let what = || {
            let rw = if r.write { format!("write 0x{:08x} pstrb 0x{:x}", r.data, r.strb) } else { "read".to_string() };
            format!("{rw} from master {} at 0x{:04x}", r.master, r.addr)
        };
        self.transfers += 1;
        if forward {
            self.forwarded += 1;
            if fwd_cycles != cycles {
                return Err(format!("{}: allowed, but m_psel[{win}] was set in {fwd_cycles} of {cycles} cycles", what()));
            }
            if slverr != periph_err {
                return Err(format!("{}: pslverr {slverr}, the peripheral answered {periph_err}", what()));
            }
            if !r.write && rdata != periph_rdata {
                return Err(format!("{}: prdata 0x{rdata:08x}, the peripheral drove 0x{periph_rdata:08x}", what()));
            }
            let added = cycles - (2 + periph_waits);
            self.max_added_latency = self.max_added_latency.max(added);
            if added != 0 {
                return Err(format!("{}: {cycles} cycles with {periph_waits} peripheral wait states: {added} added", what()));
            }
        } else {
            if fwd_cycles != 0 {
                return Err(format!("{}: not to be forwarded (cause {cause}) but m_psel was set", what()));
            }
            if cycles != 2 {
                return Err(format!("{}: took {cycles} cycles, firewall answers never wait", what()));
            }
            if cause != CAUSE_NONE {
                self.denied += 1;
                if !slverr || rdata != 0 {
                    return Err(format!("{}: denied (cause {cause}): expected pslverr=1 prdata=0, got {slverr} 0x{rdata:08x}", what()));
                }
            } else {
                if slverr {
                    return Err(format!("{}: allowed config access answered pslverr", what()));
                }
                if !r.write {
                    let want = self.shadow.reg(r.addr & 0xfff);
                    if rdata != want {
                        return Err(format!("{}: read 0x{rdata:08x}, the bench expects 0x{want:08x}", what()));
                    }
                }
            }
        }
        self.shadow.complete(&r, cause);
        self.check_intr()?;
        Ok(Done { slverr, rdata, cycles, periph_waits, cause, forwarded: forward })
    }

    // ---- Register-level helpers (security core on the config page).

    pub async fn cfg_write(&mut self, off: u32, data: u32) -> Result<Done, String> {
        self.xfer(Req::write(MASTER_SEC, CFG_BASE + off, data)).await
    }

    pub async fn cfg_read(&mut self, off: u32) -> Result<u32, String> {
        let d = self.xfer(Req::read(MASTER_SEC, CFG_BASE + off)).await?;
        if d.slverr {
            return Err(format!("config read 0x{off:03x} failed"));
        }
        Ok(d.rdata)
    }

    pub async fn set_window(&mut self, k: u32, owner: u32, no_read: bool, no_write: bool) -> Result<(), String> {
        let v = WIN_CFG_OWNER.put(owner) | WIN_CFG_NO_READ.put(no_read as u32) | WIN_CFG_NO_WRITE.put(no_write as u32);
        let d = self.cfg_write(WIN_CFG.addr(k), v).await?;
        if d.slverr {
            return Err(format!("WIN_CFG[{k}] write failed"));
        }
        Ok(())
    }

    /// Read VIOL_INFO/ADDR/COUNT, check them against explicit expectations, then clear.
    pub async fn expect_log(&mut self, what: &str, write: bool, cause: u32, master: u32, addr: u32, count: u32) -> Result<(), String> {
        if !self.intr() {
            return Err(format!("{what}: intr_viol low after a violation"));
        }
        let info = self.cfg_read(VIOL_INFO.offset).await?;
        let got = (
            VIOL_INFO_VALID.get(info),
            VIOL_INFO_WRITE.get(info) == 1,
            VIOL_INFO_CAUSE.get(info),
            VIOL_INFO_MASTER.get(info),
        );
        if got != (1, write, cause, master) {
            return Err(format!("{what}: VIOL_INFO 0x{info:08x} = (valid, write, cause, master) {got:?}, expected {:?}", (1, write, cause, master)));
        }
        let a = self.cfg_read(VIOL_ADDR.offset).await?;
        if a != addr {
            return Err(format!("{what}: VIOL_ADDR 0x{a:04x}, expected 0x{addr:04x}"));
        }
        let n = self.cfg_read(VIOL_COUNT.offset).await?;
        if n != count {
            return Err(format!("{what}: VIOL_COUNT {n}, expected {count}"));
        }
        self.clear_log().await
    }

    pub async fn clear_log(&mut self) -> Result<(), String> {
        let d = self.cfg_write(VIOL_INFO.offset, 0xffff_ffff).await?;
        if d.slverr || self.intr() {
            return Err("VIOL_INFO clear failed or intr_viol still high".into());
        }
        for r in [VIOL_INFO, VIOL_ADDR, VIOL_COUNT] {
            if self.cfg_read(r.offset).await? != 0 {
                return Err(format!("{} not cleared", r.name));
            }
        }
        Ok(())
    }

    /// One transfer that must be denied with `cause`; checks the log with explicit values and clears it.
    pub async fn expect_denied(&mut self, what: &str, r: Req, cause: u32) -> Result<(), String> {
        let d = self.xfer(r).await?;
        if !d.slverr || d.forwarded {
            return Err(format!("{what}: expected a denial, got {d:?}"));
        }
        self.expect_log(what, r.write, cause, r.master, r.addr & 0xffff, 1).await
    }

    /// One transfer that must be forwarded to window `addr >> 12`.
    pub async fn expect_forwarded(&mut self, what: &str, r: Req) -> Result<Done, String> {
        let d = self.xfer(r).await?;
        if !d.forwarded {
            return Err(format!("{what}: expected forwarding, bench predicted cause {}", d.cause));
        }
        Ok(d)
    }
}

/// Peripheral window base address.
pub fn win(k: u32) -> u32 {
    k << 12
}

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "fw_reset_defaults", body: reset_defaults },
        Case { name: "fw_ownership", body: ownership },
        Case { name: "fw_rules", body: rules },
        Case { name: "fw_lock", body: lock },
        Case { name: "fw_causes", body: causes },
        Case { name: "fw_log", body: log },
        Case { name: "fw_latency", body: latency },
        Case { name: "fw_bad_input", body: bad_input },
        Case { name: "fw_fuzz", body: fuzz },
        Case { name: "fw_protocol", body: protocol },
        Case { name: "fw_escalation", body: escalation },
    ]
}

/// Issue 11 B: with `esc` high the firewall refuses its owner's window and every config write
/// (cause FATAL before CFG_LOCKED, logged and counted; `alert_recov` once per refusal), still
/// answers config reads, shows ALERT.FATAL and drops `locked_o`. Its own `alert_fatal` stays low:
/// escalation is not its fault.
fn escalation(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        let (esc, fatal, recov) = (ctx.tb.port("esc")?, ctx.tb.port("alert_fatal")?, ctx.tb.port("alert_recov")?);
        // Count alert_recov cycles from here on.
        let pulses = Rc::new(Cell::new(0u32));
        let (tb, seen) = (ctx.tb.clone(), pulses.clone());
        ctx.tb.spawn(async move {
            loop {
                tb.rising_edge().await;
                seen.set(seen.get() + tb.peek_u32(recov));
            }
        });
        b.set_window(1, MASTER_APP, false, false).await?;
        b.expect_forwarded("owner read before esc", Req::read(MASTER_APP, win(1))).await?;
        ensure(b.cfg_read(ALERT.offset).await? == 0, || "ALERT.FATAL set before esc".into())?;
        ensure(pulses.get() == 0, || format!("alert_recov pulsed {} times with no refusal", pulses.get()))?;
        // Locked, so the configuration is final: the system would release the application core.
        let locked_o = ctx.tb.port("locked_o")?;
        b.cfg_write(LOCK.offset, 1).await?;
        b.shadow.locked = true;
        ensure(ctx.tb.peek_u32(locked_o) == 1, || "locked_o low after LOCK".into())?;
        ctx.tb.poke_u32(esc, 1);
        b.shadow.esc = true;
        ensure(ctx.tb.peek_u32(locked_o) == 0, || "locked_o high in the safe state: the application core would run".into())?;
        ensure(b.cfg_read(ALERT.offset).await? == ALERT_FATAL.put(1), || "ALERT.FATAL low under esc".into())?;
        let d = b.xfer(Req::read(MASTER_APP, win(1))).await?;
        ensure(d.slverr && !d.forwarded, || format!("owner read under esc: {d:?}, expected a refusal"))?;
        let d = b.xfer(Req::write(MASTER_SEC, CFG_BASE + WIN_CFG.addr(1), MASTER_SEC)).await?;
        ensure(d.slverr, || "WIN_CFG write under esc was taken".into())?;
        let d = b.xfer(Req::write(MASTER_SEC, CFG_BASE + VIOL_INFO.offset, 0)).await?;
        ensure(d.slverr, || "VIOL_INFO clear under esc was taken".into())?;
        b.idle(2).await;
        let info = b.cfg_read(VIOL_INFO.offset).await?;
        let want = VIOL_INFO_VALID.put(1) | VIOL_INFO_CAUSE.put(CAUSE_FATAL) | VIOL_INFO_MASTER.put(MASTER_APP);
        ensure(info == want, || format!("VIOL_INFO {info:#x} under esc, expected {want:#x}"))?;
        ensure(b.cfg_read(VIOL_COUNT.offset).await? == 3, || "VIOL_COUNT is not 3 after three refusals".into())?;
        ensure(b.cfg_read(WIN_CFG.addr(1)).await? == WIN_CFG_OWNER.put(MASTER_APP), || "WIN_CFG[1] changed under esc".into())?;
        ensure(pulses.get() == 3, || format!("alert_recov pulsed {} times for 3 refusals", pulses.get()))?;
        ensure(ctx.tb.peek_u32(fatal) == 0, || "the firewall raised its own alert_fatal on esc".into())?;
        ctx.count(1);
        Ok(())
    })
}

/// Issue 11: the config page refuses an access that breaks the APB protocol (no setup phase
/// before it, alone or straight after a completed transfer) with PSLVERR and cause PROTOCOL,
/// and the refused write changes nothing. A wait state in the cycle before counts as the setup
/// phase (README: the page never waits, so a transfer abandoned at a peripheral window does not
/// refuse the next config access).
fn protocol(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let raw = pluton_bindings::apb_agents::ApbRaw::new(&ctx.tb, "")?;
        let apb = pluton_bindings::apb::Apb::new(&ctx.tb)?.with_master(MASTER_SEC);
        let win3 = CFG_BASE + WIN_CFG.addr(3);
        let info = |write: bool| VIOL_INFO_VALID.put(1) | VIOL_INFO_WRITE.put(write as u32) | VIOL_INFO_CAUSE.put(CAUSE_PROTOCOL) | VIOL_INFO_MASTER.put(MASTER_SEC);
        // 1. A WIN_CFG write with no setup phase: refused at once, config unchanged, logged.
        raw.idle().await;
        let out = raw.cycle(true, true, true, win3, WIN_CFG_OWNER.put(MASTER_APP), MASTER_SEC).await;
        raw.idle().await;
        ensure(out == (true, true, 0), || format!("WIN_CFG[3] write with no setup gave {out:?}, expected an immediate PSLVERR"))?;
        let cfg = apb.read(win3).await.map_err(|e| e.to_string())?;
        ensure(cfg == 0, || format!("the refused write changed WIN_CFG[3] to {cfg:#x}"))?;
        let got = apb.read(CFG_BASE + VIOL_INFO.offset).await.map_err(|e| e.to_string())?;
        ensure(got == info(true), || format!("VIOL_INFO {got:#x}, expected {:#x}", info(true)))?;
        let addr = apb.read(CFG_BASE + VIOL_ADDR.offset).await.map_err(|e| e.to_string())?;
        ensure(addr == win3, || format!("VIOL_ADDR {addr:#x}, expected {win3:#x}"))?;
        apb.write(CFG_BASE + VIOL_INFO.offset, 0).await.map_err(|e| e.to_string())?;
        ctx.count(1);
        // 2. A good read of ID, then psel and penable held into a second access with no setup.
        let id = CFG_BASE + ID.offset;
        raw.cycle(true, false, false, id, 0, MASTER_SEC).await;
        let first = raw.cycle(true, true, false, id, 0, MASTER_SEC).await;
        let second = raw.cycle(true, true, false, id, 0, MASTER_SEC).await;
        raw.idle().await;
        ensure(first == (true, false, BLOCK_ID), || format!("well-formed ID read gave {first:?}"))?;
        ensure(second == (true, true, 0), || format!("back-to-back access with no setup gave {second:?}, expected an immediate PSLVERR with 0"))?;
        let got = apb.read(CFG_BASE + VIOL_INFO.offset).await.map_err(|e| e.to_string())?;
        ensure(got == info(false), || format!("VIOL_INFO {got:#x}, expected {:#x}", info(false)))?;
        apb.write(CFG_BASE + VIOL_INFO.offset, 0).await.map_err(|e| e.to_string())?;
        ctx.count(1);
        // 3. A read of window 0 left in a wait state (no peripheral answers here), then the
        //    request switched to a config read with no setup phase of its own: the wait state
        //    came in the cycle before, so the page answers it (an abandoned transfer does not
        //    refuse the next config access).
        raw.cycle(true, false, false, win(0), 0, MASTER_SEC).await;
        let waiting = raw.cycle(true, true, false, win(0), 0, MASTER_SEC).await;
        let switched = raw.cycle(true, true, false, id, 0, MASTER_SEC).await;
        raw.idle().await;
        ensure(!waiting.0, || format!("window 0 with no peripheral answering gave {waiting:?}, expected a wait state"))?;
        ensure(switched == (true, false, BLOCK_ID), || format!("ID read straight after the wait state gave {switched:?}, expected ID with no PSLVERR"))?;
        let got = apb.read(CFG_BASE + VIOL_INFO.offset).await.map_err(|e| e.to_string())?;
        ensure(got == 0, || format!("the answered ID read logged VIOL_INFO {got:#x}"))?;
        ctx.count(1);
        Ok(())
    })
}

/// After reset: ID, all-zero config and log, SEC owns every window, nobody else owns any.
fn reset_defaults(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::QUIET;
        ensure(b.cfg_read(ID.offset).await? == BLOCK_ID, || "ID".into())?;
        for k in 0..8 {
            ensure(b.cfg_read(WIN_CFG.addr(k)).await? == 0, || format!("WIN_CFG[{k}] not 0 after reset"))?;
        }
        for r in [LOCK, VIOL_INFO, VIOL_ADDR, VIOL_COUNT] {
            ensure(b.cfg_read(r.offset).await? == 0, || format!("{} not 0 after reset", r.name))?;
        }
        ensure(!b.intr(), || "intr_viol high after reset".into())?;
        for k in 0..8 {
            b.expect_forwarded("SEC write after reset", Req::write(MASTER_SEC, win(k) + 4, 0x1111_0000 + k)).await?;
            let d = b.expect_forwarded("SEC read after reset", Req::read(MASTER_SEC, win(k) + 4)).await?;
            ensure(d.rdata == 0x1111_0000 + k, || format!("window {k}: read back 0x{:08x}", d.rdata))?;
            for m in [MASTER_APP, MASTER_IO0, MASTER_IO1, 4, 15] {
                b.expect_denied("non-SEC after reset", Req::read(m, win(k)), CAUSE_NOT_OWNER).await?;
            }
        }
        ctx.count(b.transfers);
        b.monitor_ok()
    })
}

/// Each window owned by one master: only that master is forwarded; data goes to the right peripheral.
fn ownership(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::QUIET;
        let owners = [MASTER_APP, MASTER_IO0, MASTER_IO1, MASTER_SEC, 7, MASTER_APP, 15, MASTER_IO1];
        for (k, &o) in owners.iter().enumerate() {
            b.set_window(k as u32, o, false, false).await?;
        }
        for (k, &o) in owners.iter().enumerate() {
            let k = k as u32;
            ensure(b.cfg_read(WIN_CFG.addr(k)).await? == o, || format!("WIN_CFG[{k}] readback"))?;
            b.expect_forwarded("owner write", Req::write(o, win(k) + 8, 0xa5a5_0000 | (k << 8) | o)).await?;
            for m in [0, 1, 2, 3, 4, 7, 15] {
                if m == o {
                    continue;
                }
                b.expect_denied("non-owner read", Req::read(m, win(k) + 8), CAUSE_NOT_OWNER).await?;
                b.expect_denied("non-owner write", Req::write(m, win(k) + 8, 0xdead_beef), CAUSE_NOT_OWNER).await?;
            }
            let d = b.expect_forwarded("owner read", Req::read(o, win(k) + 8)).await?;
            ensure(d.rdata == 0xa5a5_0000 | (k << 8) | o, || format!("window {k}: owner reads 0x{:08x}: a denied write got through?", d.rdata))?;
        }
        // Re-own: window 0 moves from APP to IO0; APP loses it at once.
        b.set_window(0, MASTER_IO0, false, false).await?;
        b.expect_denied("old owner", Req::read(MASTER_APP, win(0)), CAUSE_NOT_OWNER).await?;
        b.expect_forwarded("new owner", Req::read(MASTER_IO0, win(0))).await?;
        // Every address bit of the window offset reaches the peripheral.
        for bit in 0..12 {
            b.expect_forwarded("offset bits", Req::read(MASTER_IO0, win(0) | (1 << bit))).await?;
        }
        ctx.count(b.transfers);
        b.monitor_ok()
    })
}

/// NO_READ / NO_WRITE: owner denied with RULE, non-owner still NOT_OWNER (checked first).
fn rules(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::QUIET;
        for (nr, nw) in [(false, false), (true, false), (false, true), (true, true)] {
            for k in 0..8 {
                let owner = k % 4;
                b.set_window(k, owner, nr, nw).await?;
                let rd = Req::read(owner, win(k) + 0x10);
                let wr = Req::write(owner, win(k) + 0x10, 0x5555_0000 + k);
                if nr {
                    b.expect_denied("NO_READ read", rd, CAUSE_RULE).await?;
                } else {
                    b.expect_forwarded("read allowed", rd).await?;
                }
                if nw {
                    b.expect_denied("NO_WRITE write", wr, CAUSE_RULE).await?;
                } else {
                    b.expect_forwarded("write allowed", wr).await?;
                }
                let other = (owner + 1) % 4;
                b.expect_denied("non-owner beats rule", Req::write(other, win(k), 0), CAUSE_NOT_OWNER).await?;
                b.expect_denied("non-owner beats rule", Req::read(other, win(k)), CAUSE_NOT_OWNER).await?;
                let want = WIN_CFG_OWNER.put(owner) | WIN_CFG_NO_READ.put(nr as u32) | WIN_CFG_NO_WRITE.put(nw as u32);
                ensure(b.cfg_read(WIN_CFG.addr(k)).await? == want, || format!("WIN_CFG[{k}] readback"))?;
            }
        }
        // Unused WIN_CFG bits are ignored and read 0.
        b.cfg_write(WIN_CFG.addr(2), 0xffff_fcf3).await?;
        let v = b.cfg_read(WIN_CFG.addr(2)).await?;
        ensure(v == 0x0000_0003, || format!("WIN_CFG with junk bits reads 0x{v:08x}"))?;
        ctx.count(b.transfers);
        b.monitor_ok()
    })
}

/// LOCK: config frozen until reset; reads and log clearing still work; reset unlocks.
fn lock(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        // `locked_o` releases the application core in `pluton_soc`: it must follow LOCK exactly.
        let locked_o = ctx.tb.port("locked_o")?;
        let pin = |b: &FwBench| b.tb.peek_u32(locked_o);
        b.mode = PeriphMode::QUIET;
        b.set_window(1, MASTER_APP, false, true).await?;
        b.set_window(2, MASTER_IO0, false, false).await?;
        ensure(pin(&b) == 0, || "locked_o high before LOCK".into())?;
        // Writing 0 to LOCK does nothing.
        b.cfg_write(LOCK.offset, 0).await?;
        ensure(b.cfg_read(LOCK.offset).await? == 0, || "LOCK set by writing 0".into())?;
        ensure(pin(&b) == 0, || "locked_o high after LOCK = 0".into())?;
        b.cfg_write(LOCK.offset, 0xffff_ffff).await?;
        ensure(b.cfg_read(LOCK.offset).await? == 1, || "LOCK reads other bits".into())?;
        ensure(pin(&b) == 1, || "locked_o low after LOCK".into())?;
        let before: Vec<u32> = {
            let mut v = Vec::new();
            for k in 0..8 {
                v.push(b.cfg_read(WIN_CFG.addr(k)).await?);
            }
            v
        };
        for k in 0..8 {
            b.expect_denied("WIN_CFG when locked", Req::write(MASTER_SEC, CFG_BASE + WIN_CFG.addr(k), 0x3), CAUSE_CFG_LOCKED).await?;
        }
        b.expect_denied("LOCK=0 when locked", Req::write(MASTER_SEC, CFG_BASE + LOCK.offset, 0), CAUSE_CFG_LOCKED).await?;
        b.expect_denied("LOCK=1 when locked", Req::write(MASTER_SEC, CFG_BASE + LOCK.offset, 1), CAUSE_CFG_LOCKED).await?;
        for k in 0..8 {
            let v = b.cfg_read(WIN_CFG.addr(k)).await?;
            ensure(v == before[k as usize], || format!("WIN_CFG[{k}] changed while locked"))?;
        }
        ensure(b.cfg_read(LOCK.offset).await? == 1, || "LOCK cleared while locked".into())?;
        // Forwarding keeps following the locked config.
        b.expect_forwarded("locked owner", Req::read(MASTER_APP, win(1))).await?;
        b.expect_denied("locked rule", Req::write(MASTER_APP, win(1), 1), CAUSE_RULE).await?;
        b.expect_forwarded("locked owner", Req::write(MASTER_IO0, win(2), 1)).await?;
        // VIOL_INFO can still be cleared (expect_denied cleared it several times above).
        b.xfer(Req::read(MASTER_IO1, win(1))).await?;
        b.clear_log().await?;
        // Reset unlocks and restores the defaults.
        b.reset(3).await;
        ensure(b.cfg_read(LOCK.offset).await? == 0, || "LOCK survived reset".into())?;
        ensure(pin(&b) == 0, || "locked_o survived reset".into())?;
        ensure(b.cfg_read(WIN_CFG.addr(1)).await? == 0, || "WIN_CFG survived reset".into())?;
        b.set_window(1, MASTER_IO1, false, false).await?;
        b.expect_forwarded("after reset", Req::read(MASTER_IO1, win(1))).await?;
        ctx.count(b.transfers);
        b.monitor_ok()
    })
}

/// Every violation cause, and the check order between causes.
fn causes(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::QUIET;
        b.set_window(3, MASTER_IO1, true, false).await?;
        let c = CFG_BASE;
        let list: Vec<(&str, Req, u32)> = vec![
            ("NOT_OWNER", Req::write(MASTER_APP, win(3) + 4, 1), CAUSE_NOT_OWNER),
            ("RULE", Req::read(MASTER_IO1, win(3) + 4), CAUSE_RULE),
            ("CFG_MASTER read", Req::read(MASTER_APP, c + ID.offset), CAUSE_CFG_MASTER),
            ("CFG_MASTER write", Req::write(MASTER_IO0, c + WIN_CFG.addr(0), 2), CAUSE_CFG_MASTER),
            ("CFG_MASTER before UNMAPPED", Req::read(MASTER_IO1, c + 0x800), CAUSE_CFG_MASTER),
            ("CFG_MASTER unknown master", Req::read(9, c + LOCK.offset), CAUSE_CFG_MASTER),
            ("UNMAPPED window 9", Req::read(MASTER_SEC, 0x9000), CAUSE_UNMAPPED),
            ("UNMAPPED window 15", Req::write(MASTER_APP, 0xf004, 1), CAUSE_UNMAPPED),
            ("UNMAPPED config offset", Req::read(MASTER_SEC, c + 0x038), CAUSE_UNMAPPED),
            ("UNMAPPED config top", Req::write(MASTER_SEC, c + 0xffc, 1), CAUSE_UNMAPPED),
            ("UNMAPPED unaligned", Req::read(MASTER_SEC, c + 0x001), CAUSE_UNMAPPED),
            ("UNMAPPED before ACCESS", Req::write(MASTER_SEC, c + ID.offset + 2, 1), CAUSE_UNMAPPED),
            ("ACCESS ID", Req::write(MASTER_SEC, c + ID.offset, 1), CAUSE_ACCESS),
            ("ACCESS VIOL_ADDR", Req::write(MASTER_SEC, c + VIOL_ADDR.offset, 1), CAUSE_ACCESS),
            ("ACCESS VIOL_COUNT", Req::write(MASTER_SEC, c + VIOL_COUNT.offset, 1), CAUSE_ACCESS),
            ("ACCESS before STRB", Req::write(MASTER_SEC, c + ID.offset, 1).strb(0x1), CAUSE_ACCESS),
            ("STRB WIN_CFG", Req::write(MASTER_SEC, c + WIN_CFG.addr(5), 1).strb(0x7), CAUSE_STRB),
            ("STRB zero", Req::write(MASTER_SEC, c + WIN_CFG.addr(5), 1).strb(0x0), CAUSE_STRB),
            ("STRB VIOL_INFO", Req::write(MASTER_SEC, c + VIOL_INFO.offset, 1).strb(0xe), CAUSE_STRB),
        ];
        for (what, r, cause) in &list {
            b.expect_denied(what, *r, *cause).await?;
        }
        // A config write with a bad strobe changed nothing.
        ensure(b.cfg_read(WIN_CFG.addr(5)).await? == 0, || "STRB-denied write changed WIN_CFG[5]".into())?;
        // Reads ignore pstrb.
        let v = b.xfer(Req::read(MASTER_SEC, c + ID.offset).strb(0x5)).await?;
        ensure(!v.slverr && v.rdata == BLOCK_ID, || "config read with pstrb != 0 failed".into())?;
        // Locked: STRB is checked before CFG_LOCKED.
        b.cfg_write(LOCK.offset, 1).await?;
        b.expect_denied("STRB before CFG_LOCKED", Req::write(MASTER_SEC, c + WIN_CFG.addr(1), 1).strb(0x3), CAUSE_STRB).await?;
        b.expect_denied("CFG_LOCKED", Req::write(MASTER_SEC, c + WIN_CFG.addr(1), 1), CAUSE_CFG_LOCKED).await?;
        b.expect_denied("CFG_MASTER before CFG_LOCKED", Req::write(MASTER_APP, c + LOCK.offset, 1), CAUSE_CFG_MASTER).await?;
        ctx.count(list.len() as u64 + 3);
        b.monitor_ok()
    })
}

/// The log: first violation kept, every one counted, intr_viol timing, clear rules.
fn log(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::QUIET;
        b.set_window(0, MASTER_APP, false, false).await?;
        // intr_viol rises right after the completing edge of the first denied transfer
        // (xfer checks it against the bench's log after every transfer).
        ensure(!b.intr(), || "intr_viol high before any violation".into())?;
        b.xfer(Req::write(MASTER_IO0, win(0) + 0x24, 7)).await?;
        ensure(b.intr(), || "intr_viol not high right after the denied transfer".into())?;
        // More violations: the first is kept, all are counted; an allowed transfer changes nothing.
        b.xfer(Req::read(MASTER_IO1, 0xa123)).await?;
        b.expect_forwarded("allowed amid violations", Req::read(MASTER_APP, win(0))).await?;
        ensure(b.intr(), || "intr_viol dropped".into())?;
        b.xfer(Req::read(MASTER_APP, CFG_BASE + VIOL_INFO.offset)).await?;
        // A denied VIOL_INFO write does not clear.
        b.xfer(Req::write(MASTER_APP, CFG_BASE + VIOL_INFO.offset, 0)).await?;
        b.xfer(Req::write(MASTER_SEC, CFG_BASE + VIOL_INFO.offset, 0).strb(0x1)).await?;
        b.expect_log("first kept", true, CAUSE_NOT_OWNER, MASTER_IO0, win(0) + 0x24, 5).await?;
        // intr_viol stays low through reads; the count runs on from zero after the clear.
        for i in 1..=40u32 {
            b.xfer(Req::read(4 + i % 12, win(0) + 4 * (i % 16))).await?;
        }
        b.expect_log("after clear", false, CAUSE_NOT_OWNER, 5, win(0) + 4, 40).await?;
        // A peripheral's own PSLVERR is passed back but is not a violation.
        let d = b.xfer(Req::read(MASTER_APP, win(0) + 0x100)).await?;
        ensure(d.forwarded && d.slverr, || format!("peripheral PSLVERR not passed back: {d:?}"))?;
        ensure(!b.intr() && b.cfg_read(VIOL_COUNT.offset).await? == 0, || "peripheral PSLVERR logged as a violation".into())?;
        // Reset clears the log.
        b.xfer(Req::read(MASTER_IO1, win(0))).await?;
        b.reset(2).await;
        ensure(!b.intr(), || "intr_viol survived reset".into())?;
        ensure(b.cfg_read(VIOL_COUNT.offset).await? == 0, || "VIOL_COUNT survived reset".into())?;
        ctx.count(b.transfers);
        b.monitor_ok()
    })
}

/// Forwarded transfers add no cycles: measured with 0..=4 peripheral wait states, reads and writes.
fn latency(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode { wait_prob: 0.5, err_prob: 0.0 };
        let mut hist = [0u64; 5];
        let mut zero_wait_cycles = 0;
        for i in 0..400u32 {
            let r = if i % 2 == 0 { Req::write(MASTER_SEC, win(i % 8) + 4 * (i % 16), i) } else { Req::read(MASTER_SEC, win(i % 8) + 4 * (i % 16)) };
            let d = b.expect_forwarded("latency", r).await?;
            hist[d.periph_waits as usize] += 1;
            if d.periph_waits == 0 {
                zero_wait_cycles = d.cycles;
            }
            if i % 3 == 0 {
                b.idle(1).await;
            }
        }
        ensure(hist.iter().all(|&n| n > 0), || format!("wait-state histogram {hist:?} misses a case"))?;
        ensure(zero_wait_cycles == 2, || format!("zero-wait forwarded transfer took {zero_wait_cycles} cycles"))?;
        // The setup phase reaches the peripheral in the same cycle (checked per cycle by xfer:
        // m_psel is set in every cycle of the transfer, setup included).
        ctx.tb.log(format!("forwarded transfers: {} cycles with 0 wait states; added latency {} cycles (max over {} transfers)", zero_wait_cycles, b.max_added_latency, b.transfers));
        ctx.metric("added_latency_cycles", b.max_added_latency as f64);
        ctx.metric("zero_wait_transfer_cycles", zero_wait_cycles as f64);
        // Denied and config transfers: setup + one access cycle.
        let d = b.xfer(Req::read(MASTER_APP, win(0))).await?;
        ensure(d.cycles == 2, || "denied transfer waited".into())?;
        let d = b.xfer(Req::read(MASTER_SEC, CFG_BASE + ID.offset)).await?;
        ensure(d.cycles == 2, || "config read waited".into())?;
        ctx.count(b.transfers);
        b.monitor_ok()
    })
}

/// Denied traffic never reaches a peripheral and changes nothing but the log; odd bus behaviour.
fn bad_input(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::QUIET;
        b.set_window(4, MASTER_IO0, false, false).await?;
        b.expect_forwarded("seed value", Req::write(MASTER_IO0, win(4) + 0xc, 0x1234_5678)).await?;
        // Denied writes from everyone else, with every strobe: the peripheral keeps its value
        // (the monitor checks the downstream bus stays all zero meanwhile).
        for m in [0, 1, 3, 4, 8, 15] {
            for strb in [0xf, 0x1, 0x0] {
                b.xfer(Req::write(m, win(4) + 0xc, 0xdead_beef).strb(strb)).await?;
            }
        }
        let d = b.expect_forwarded("value kept", Req::read(MASTER_IO0, win(4) + 0xc)).await?;
        ensure(d.rdata == 0x1234_5678, || format!("denied write reached the peripheral: 0x{:08x}", d.rdata))?;
        ensure(b.cfg_read(VIOL_COUNT.offset).await? == 18, || "VIOL_COUNT != 18".into())?;
        b.clear_log().await?;
        // Denied config writes change no config.
        b.xfer(Req::write(MASTER_APP, CFG_BASE + WIN_CFG.addr(4), 1)).await?;
        b.xfer(Req::write(MASTER_SEC, CFG_BASE + WIN_CFG.addr(4), 1).strb(0xb)).await?;
        b.xfer(Req::write(MASTER_SEC, CFG_BASE + WIN_CFG.addr(4) + 1, 1)).await?;
        ensure(b.cfg_read(WIN_CFG.addr(4)).await? == MASTER_IO0, || "denied config write changed WIN_CFG[4]".into())?;
        b.clear_log().await?;
        // A long setup phase (psel without penable) is not a transfer: nothing logged, nothing forwarded.
        let p_psel = ctx.tb.port("psel")?;
        let p_paddr = ctx.tb.port("paddr")?;
        let p_pmaster = ctx.tb.port("pmaster")?;
        let p_msel = ctx.tb.port("m_psel")?;
        ctx.tb.poke_u32(p_paddr, win(4));
        ctx.tb.poke_u32(p_pmaster, MASTER_APP);
        ctx.tb.poke_u32(p_psel, 1);
        for _ in 0..5 {
            ensure(ctx.tb.peek_u32(p_msel) == 0, || "denied setup phase selected a peripheral".into())?;
            ctx.tb.rising_edge().await;
        }
        ctx.tb.poke_u32(p_psel, 0);
        b.idle(1).await;
        ensure(!b.intr() && b.cfg_read(VIOL_COUNT.offset).await? == 0, || "a setup phase alone was logged".into())?;
        // penable without psel is nothing either.
        let p_pen = ctx.tb.port("penable")?;
        ctx.tb.poke_u32(p_pen, 1);
        for _ in 0..3 {
            ensure(ctx.tb.peek_u32(p_msel) == 0, || "penable alone selected a peripheral".into())?;
            ctx.tb.rising_edge().await;
        }
        ctx.tb.poke_u32(p_pen, 0);
        ensure(!b.intr(), || "penable alone was logged".into())?;
        ctx.count(b.transfers + 2);
        b.monitor_ok()
    })
}

/// Random transfers from every master under random configs, lock points and resets.
fn fuzz(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let total = ctx.scale(1_000_000) as u64;
        let mut b = FwBench::new(&ctx.tb)?;
        b.mode = PeriphMode::BUSY;
        // Passive monitors on the eight downstream lanes: the protocol, and a count to match.
        let lanes: Vec<ApbMonitor> = (0..8).map(|k| ApbMonitor::spawn(&ctx.tb, "m_", k)).collect::<Result<_, _>>()?;
        let mut epochs = 0u64;
        let mut locked_epochs = 0u64;
        while b.transfers < total {
            epochs += 1;
            let hold = ctx.tb.rng().gen_range(1..4);
            b.reset(hold).await;
            // Random ownership and rules.
            for k in 0..8 {
                let (owner, nr, nw) = {
                    let mut rng = ctx.tb.rng();
                    let owner = if rng.gen_bool(0.9) { rng.gen_range(0..4) } else { rng.gen_range(4..16) };
                    (owner, rng.gen_bool(0.1), rng.gen_bool(0.1))
                };
                b.set_window(k, owner, nr, nw).await?;
            }
            let (len, lock_at) = {
                let mut rng = ctx.tb.rng();
                let len = rng.gen_range(50..20_000u64);
                (len, rng.gen_bool(0.7).then(|| rng.gen_range(0..len)))
            };
            for i in 0..len {
                if b.transfers >= total {
                    break;
                }
                if Some(i) == lock_at {
                    b.cfg_write(LOCK.offset, 1).await?;
                    locked_epochs += 1;
                    continue;
                }
                let (r, gap) = random_req(&ctx.tb, &b.shadow);
                b.xfer(r).await?;
                if gap > 0 {
                    b.idle(gap).await;
                }
            }
            // Epoch end: the whole config page read back against the bench.
            for off in (0..0x34).step_by(4) {
                b.cfg_read(off).await?;
            }
            b.monitor_ok()?;
        }
        ctx.tb.log(format!(
            "fuzz: {} transfers ({} forwarded, {} denied) in {} epochs ({} locked), {} cycles, {} unauthorized m_psel",
            b.transfers,
            b.forwarded,
            b.denied,
            epochs,
            locked_epochs,
            ctx.tb.cycle(),
            b.unauthorized
        ));
        ctx.count(b.transfers);
        ctx.metric("fuzz_transactions", b.transfers as f64);
        ctx.metric("fuzz_forwarded", b.forwarded as f64);
        ctx.metric("fuzz_denied", b.denied as f64);
        ctx.metric("unauthorized_psel", b.unauthorized as f64);
        ensure(b.forwarded > b.transfers / 5 && b.denied > b.transfers / 5, || "fuzz mix too one-sided".into())?;
        for m in &lanes {
            m.check()?;
        }
        let seen: usize = lanes.iter().map(|m| m.log.borrow().transfers.len()).sum();
        ensure(seen as u64 == b.forwarded, || format!("downstream monitors saw {seen} transfers, the bench forwarded {}", b.forwarded))?;
        b.monitor_ok()
    })
}

/// A random transfer (biased towards ones that pass) and the idle cycles after it.
fn random_req(tb: &Tb, s: &Shadow) -> (Req, u64) {
    let mut rng = tb.rng();
    let master = if rng.gen_bool(0.92) { rng.gen_range(0..4) } else { rng.gen_range(4..16) };
    let write = rng.gen_bool(0.5);
    let data: u32 = rng.gen();
    let strb = if rng.gen_bool(0.8) { 0xf } else { rng.gen_range(0..16) };
    let pick = rng.gen_range(0..100);
    let addr = if pick < 80 {
        // A peripheral window, mostly one this master owns.
        let owned: Vec<u32> = (0..8).filter(|&k| s.owner[k as usize] == master).collect();
        let k = if !owned.is_empty() && rng.gen_bool(0.85) { owned[rng.gen_range(0..owned.len())] } else { rng.gen_range(0..8) };
        let off = if rng.gen_bool(0.9) { 4 * rng.gen_range(0..PERIPH_WORDS as u32) } else { rng.gen_range(0..0x1000) };
        win(k) | off
    } else if pick < 95 {
        // The config page: mostly mapped offsets; LOCK writes rare so most epochs stay open a while.
        let off = match rng.gen_range(0..20) {
            0..=9 => WIN_CFG.addr(rng.gen_range(0..8)),
            10 => LOCK.offset,
            11..=13 => VIOL_INFO.offset,
            14 => VIOL_ADDR.offset,
            15 => VIOL_COUNT.offset,
            16 => ID.offset,
            _ => rng.gen_range(0..0x1000),
        };
        let off = if off == LOCK.offset && write && rng.gen_bool(0.7) { WIN_CFG.addr(0) } else { off };
        CFG_BASE | off
    } else {
        rng.gen_range(9..16) << 12 | rng.gen_range(0..0x1000)
    };
    // The config page: mostly the security core with valid strobes, so reconfiguration happens.
    let master = if addr >> 12 == CFG_WINDOW && rng.gen_bool(0.5) { MASTER_SEC } else { master };
    let strb = if addr >> 12 == CFG_WINDOW && master == MASTER_SEC && rng.gen_bool(0.8) { 0xf } else { strb };
    // WIN_CFG writes: junk in the unused bits, owners mostly among the four cores, rules rare.
    let data = if addr >> 12 == CFG_WINDOW && (addr & 0xfff) < WIN_CFG.addr(8) {
        let owner = if rng.gen_bool(0.9) { rng.gen_range(0..4) } else { rng.gen_range(4..16) };
        let junk = data & !(WIN_CFG_OWNER.mask() | WIN_CFG_NO_READ.mask() | WIN_CFG_NO_WRITE.mask());
        junk | WIN_CFG_OWNER.put(owner) | WIN_CFG_NO_READ.put(rng.gen_bool(0.1) as u32) | WIN_CFG_NO_WRITE.put(rng.gen_bool(0.1) as u32)
    } else {
        data
    };
    let gap = if rng.gen_bool(0.8) { 0 } else { rng.gen_range(1..4) };
    (Req { master, write, addr, data, strb }, gap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_check_order() {
        let mut s = Shadow::default();
        s.owner[2] = MASTER_IO0;
        s.no_read[2] = true;
        assert_eq!(s.cause(&Req::read(MASTER_APP, win(2))), CAUSE_NOT_OWNER);
        assert_eq!(s.cause(&Req::read(MASTER_IO0, win(2))), CAUSE_RULE);
        assert_eq!(s.cause(&Req::write(MASTER_IO0, win(2), 0)), CAUSE_NONE);
        assert_eq!(s.cause(&Req::read(MASTER_APP, CFG_BASE + 0x3)), CAUSE_CFG_MASTER);
        assert_eq!(s.cause(&Req::read(MASTER_SEC, CFG_BASE + 0x3)), CAUSE_UNMAPPED);
        assert_eq!(s.cause(&Req::write(MASTER_SEC, CFG_BASE + ID.offset, 0).strb(1)), CAUSE_ACCESS);
        s.locked = true;
        assert_eq!(s.cause(&Req::write(MASTER_SEC, CFG_BASE, 0).strb(1)), CAUSE_STRB);
        assert_eq!(s.cause(&Req::write(MASTER_SEC, CFG_BASE, 0)), CAUSE_CFG_LOCKED);
        assert_eq!(s.cause(&Req::write(MASTER_SEC, CFG_BASE + VIOL_INFO.offset, 0)), CAUSE_NONE);
        assert_eq!(s.cause(&Req::read(MASTER_SEC, 0xa000)), CAUSE_UNMAPPED);
    }
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    use crate::formal::Proof;
    const SBY: &str = "testbenches/firewall/formal/firewall.sby";
    vec![BlockBench {
        block: "firewall",
        module: "pluton_firewall",
        model: Some(|| Box::new(pluton_cosim::FirewallModel::new())),
        cases,
        replay: "fw_rules",
        csr: Some(&crate::csr::CsrSpec { map: &pluton_hdl::firewall::regs::MAP, base: CFG_BASE, master: pluton_hdl::common::masters::MASTER_SEC, log: crate::csr::ErrLog::Viol }),
        proofs: &[
            Proof { id: "a", block: "firewall", claim: "no transaction from a non-owner master asserts a PSEL", sby: SBY, task: "owner", mutant: "owner_mutant" },
            Proof { id: "b", block: "firewall", claim: "once locked, the configuration cannot change until reset", sby: SBY, task: "lock", mutant: "lock_mutant" },
            Proof { id: "n", block: "firewall", claim: "a window's downstream pins (enable, write, address, data, strobes, master) are all zero unless that window is selected", sby: SBY, task: "nobcast", mutant: "nobcast_mutant" },
        ],
        compares_reads: true,
        scans_leaks: false,
    }]
}
