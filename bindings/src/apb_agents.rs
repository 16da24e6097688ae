//! APB4 completer and passive monitor, the requester's (`apb.rs`) two companions.
//!
//! Both run in the late phase of every cycle (`Tb::late`), when every task has driven the bus.
//! A bus is named by its port prefix (`""` for `psel`..., `"ext_"` for `ext_psel`...) and, on a
//! bus shared by several completers, the lane: bit `k` of `psel`/`pready`/`pslverr` and word
//! `k` of `prdata` (as the security top's external windows are). Where each completer also has
//! its own request (`penable` as wide as `psel`, as the security top's `ext_*` buses), lane `k`
//! of every request field is that completer's (the field split in equal lanes).

use crate::apb::ApbTransfer;
use crate::sim::Tb;
use rand::Rng;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

/// The widest shared `prdata` the agents serve (8 lanes of 32 bits, as the firewall's).
const MAX_WORDS: usize = 8;

/// The port ids of one APB bus, and which lane of it an agent looks at (the requester's is
/// lane 0 of the unprefixed ports).
#[derive(Clone, Copy)]
pub(crate) struct Bus {
    pub(crate) psel: usize,
    pub(crate) penable: usize,
    pub(crate) pwrite: usize,
    pub(crate) paddr: usize,
    pub(crate) pwdata: usize,
    pub(crate) pstrb: Option<usize>,
    pub(crate) pmaster: Option<usize>,
    pub(crate) prdata: usize,
    pub(crate) pready: usize,
    pub(crate) pslverr: Option<usize>,
    pub(crate) lane: u32,
    /// Words of `prdata` (one per lane on a shared bus), looked up once.
    prdata_words: usize,
    /// Lanes of the request fields: 1 when the request is shared, else one per completer.
    req_lanes: u32,
    /// (port, words, lane width) of each request field, looked up once (agents run every cycle).
    lanes: [(usize, usize, u32); 6],
}

impl Bus {
    pub(crate) fn new(tb: &Tb, prefix: &str, lane: u32) -> Result<Bus, String> {
        let p = |n: &str| tb.port(&format!("{prefix}{n}"));
        let o = |n: &str| tb.port_id(&format!("{prefix}{n}"));
        let prdata = p("prdata")?;
        let prdata_words = tb.with_dut(|d| d.ports()[prdata].words());
        if prdata_words > MAX_WORDS {
            return Err(format!("{prefix}prdata has {prdata_words} words; the agents handle at most {MAX_WORDS}"));
        }
        let (psel, penable) = (p("psel")?, p("penable")?);
        let width = |port: usize| tb.with_dut(|d| d.ports()[port].width);
        // A request per completer: `penable` has one bit per `psel` bit.
        let req_lanes = if width(penable) > 1 && width(penable) == width(psel) { width(psel) } else { 1 };
        let (pwrite, paddr, pwdata, pstrb, pmaster) = (p("pwrite")?, p("paddr")?, p("pwdata")?, o("pstrb"), o("pmaster"));
        // An absent optional field repeats `pwrite`'s entry (never looked up).
        let lanes = [penable, pwrite, paddr, pwdata, pstrb.unwrap_or(pwrite), pmaster.unwrap_or(pwrite)]
            .map(|port| (port, tb.with_dut(|d| d.ports()[port].words()), width(port) / req_lanes));
        Ok(Bus { psel, penable, pwrite, paddr, pwdata, pstrb, pmaster, prdata, pready: p("pready")?, pslverr: o("pslverr"), lane, prdata_words, req_lanes, lanes })
    }

    /// This completer's lane of request field `port` (all of it when the request is shared).
    fn field(&self, tb: &Tb, port: usize) -> u32 {
        if self.req_lanes == 1 {
            return tb.peek_u32(port);
        }
        let mut v = [0u32; MAX_WORDS];
        let &(_, words, w) = self.lanes.iter().find(|l| l.0 == port).expect("a request field of this bus");
        tb.peek(port, &mut v[..words.min(MAX_WORDS)]);
        crate::dut::lane(&v, w, self.lane)
    }

    fn bit(&self, tb: &Tb, port: usize) -> bool {
        tb.peek_u32(port) >> self.lane & 1 == 1
    }

    /// Set this lane's bit of `port`, leaving the other lanes' bits.
    fn set_bit(&self, tb: &Tb, port: usize, v: bool) {
        let old = tb.peek_u32(port);
        tb.poke_u32(port, (old & !(1 << self.lane)) | (v as u32) << self.lane);
    }

    /// This lane's word of `prdata` (no allocation: agents run every cycle).
    fn rdata(&self, tb: &Tb) -> u32 {
        let mut v = [0u32; MAX_WORDS];
        let v = &mut v[..self.prdata_words];
        tb.peek(self.prdata, v);
        v[self.lane as usize % self.prdata_words]
    }

    fn set_rdata(&self, tb: &Tb, value: u32) {
        let mut v = [0u32; MAX_WORDS];
        let v = &mut v[..self.prdata_words];
        tb.peek(self.prdata, v);
        v[self.lane as usize % self.prdata_words] = value;
        tb.poke(self.prdata, v);
    }

    /// The request fields: (write, addr, wdata, strb, master).
    fn request(&self, tb: &Tb) -> (bool, u32, u32, u32, u32) {
        (
            self.field(tb, self.pwrite) & 1 == 1,
            self.field(tb, self.paddr),
            self.field(tb, self.pwdata),
            self.pstrb.map_or(0xf, |p| self.field(tb, p)),
            self.pmaster.map_or(0, |p| self.field(tb, p)),
        )
    }
}

/// A requester that drives the bus pins cycle by cycle, to break the APB protocol on purpose
/// (`Apb` only makes well-formed transfers): an access with no setup phase, a request changed in
/// a wait state, a transfer abandoned before `pready`.
pub struct ApbRaw {
    tb: Tb,
    bus: Bus,
}

impl ApbRaw {
    /// Drive bus `prefix` (lane 0; `""` for the unprefixed requester ports).
    pub fn new(tb: &Tb, prefix: &str) -> Result<ApbRaw, String> {
        Ok(ApbRaw { tb: tb.clone(), bus: Bus::new(tb, prefix, 0)? })
    }

    /// Drive one cycle (`psel`, `penable` and the request; `pstrb` all lanes on a write), and
    /// return (`pready`, `pslverr`, `prdata`) as they settle before the edge that ends it.
    pub async fn cycle(&self, sel: bool, en: bool, write: bool, addr: u32, data: u32, master: u32) -> (bool, bool, u32) {
        let (t, b) = (&self.tb, &self.bus);
        t.poke_u32(b.psel, sel as u32);
        t.poke_u32(b.penable, en as u32);
        t.poke_u32(b.pwrite, write as u32);
        t.poke_u32(b.paddr, addr);
        t.poke_u32(b.pwdata, data);
        if let Some(p) = b.pstrb {
            t.poke_u32(p, if write { 0xf } else { 0 });
        }
        if let Some(p) = b.pmaster {
            t.poke_u32(p, master);
        }
        t.late().await;
        let out = (b.bit(t, b.pready), b.pslverr.is_some_and(|p| b.bit(t, p)), b.rdata(t));
        t.rising_edge().await;
        out
    }

    /// One idle cycle (`psel` and `penable` low, the request zero).
    pub async fn idle(&self) {
        self.cycle(false, false, false, 0, 0, 0).await;
    }
}

/// What a monitor has seen.
#[derive(Default, Debug)]
pub struct MonitorLog {
    pub transfers: Vec<ApbTransfer>,
    /// Protocol violations, each with its cycle.
    pub violations: Vec<String>,
    pub max_wait_states: u64,
}

/// A passive APB monitor: records every completed transfer and checks the protocol (a SETUP
/// cycle before ACCESS; `psel` held and the request unchanged from SETUP until `pready`).
#[derive(Clone)]
pub struct ApbMonitor {
    pub log: Rc<RefCell<MonitorLog>>,
}

impl ApbMonitor {
    /// Start watching bus `prefix` (lane `lane`) for the rest of the test.
    pub fn spawn(tb: &Tb, prefix: &str, lane: u32) -> Result<ApbMonitor, String> {
        let bus = Bus::new(tb, prefix, lane)?;
        let log = Rc::new(RefCell::new(MonitorLog::default()));
        let (t, l) = (tb.clone(), log.clone());
        tb.spawn(async move {
            // The request seen in SETUP, and wait states so far.
            let mut open: Option<((bool, u32, u32, u32, u32), u64)> = None;
            loop {
                t.late().await;
                let (sel, en) = (bus.bit(&t, bus.psel), bus.field(&t, bus.penable) & 1 == 1);
                let req = bus.request(&t);
                let mut log = l.borrow_mut();
                let mut violation = |m: String| log.violations.push(format!("cycle {}: {m}", t.cycle()));
                match (open, sel, en) {
                    (None, true, true) => violation("ACCESS without a SETUP cycle".into()),
                    (None, true, false) => open = Some((req, 0)),
                    (Some(_), false, _) => {
                        violation("psel dropped before pready".into());
                        open = None;
                    }
                    (Some((setup, _)), true, false) => {
                        violation(format!("a second SETUP cycle (request {setup:?})"));
                        open = Some((req, 0));
                    }
                    (Some((setup, waits)), true, true) => {
                        if req != setup {
                            violation(format!("request changed during the transfer: {setup:?} -> {req:?}"));
                        }
                        if bus.bit(&t, bus.pready) {
                            let slverr = bus.pslverr.is_some_and(|p| bus.bit(&t, p));
                            let data = if setup.0 { setup.2 } else { bus.rdata(&t) };
                            let (write, addr, _, strb, master) = setup;
                            log.max_wait_states = log.max_wait_states.max(waits);
                            log.transfers.push(ApbTransfer { write, addr, data, strb, master, slverr, wait_states: waits, at_ns: t.now_ns() });
                            open = None;
                        } else {
                            open = Some((setup, waits + 1));
                        }
                    }
                    (None, false, _) => {}
                }
                drop(log);
                t.rising_edge().await;
            }
        });
        Ok(ApbMonitor { log })
    }

    /// `Err` with the first violation, if any.
    pub fn check(&self) -> Result<(), String> {
        match self.log.borrow().violations.first() {
            Some(v) => Err(format!("APB monitor: {v}")),
            None => Ok(()),
        }
    }
}

/// How a completer answers.
#[derive(Clone, Copy, Debug)]
pub struct CompleterMode {
    /// Chance that a transfer gets 1..=`max_waits` wait states.
    pub wait_prob: f64,
    pub max_waits: u64,
    /// Chance that a transfer ends with `pslverr` (a refused write changes nothing).
    pub err_prob: f64,
}

impl CompleterMode {
    /// Zero wait states, never an error.
    pub const QUIET: CompleterMode = CompleterMode { wait_prob: 0.0, max_waits: 0, err_prob: 0.0 };
    /// Up to 3 wait states on 30% of transfers, an error on 5%.
    pub const BUSY: CompleterMode = CompleterMode { wait_prob: 0.3, max_waits: 3, err_prob: 0.05 };
}

/// An APB completer backed by a word memory (unwritten words read 0; writes honour `pstrb`).
/// It decides each transfer's wait states and error in its SETUP cycle, so `pready` and
/// `prdata` are valid from the first ACCESS cycle on.
#[derive(Clone)]
pub struct ApbCompleter {
    pub mem: Rc<RefCell<HashMap<u32, u32>>>,
    /// Completed transfers, as the completer saw them.
    pub served: Rc<RefCell<Vec<ApbTransfer>>>,
    mode: Rc<Cell<CompleterMode>>,
}

impl ApbCompleter {
    /// Serve bus `prefix` (lane `lane`) for the rest of the test.
    pub fn spawn(tb: &Tb, prefix: &str, lane: u32, mode: CompleterMode) -> Result<ApbCompleter, String> {
        let bus = Bus::new(tb, prefix, lane)?;
        let mem: Rc<RefCell<HashMap<u32, u32>>> = Rc::default();
        let served: Rc<RefCell<Vec<ApbTransfer>>> = Rc::default();
        let mode = Rc::new(Cell::new(mode));
        let (t, m, s, md) = (tb.clone(), mem.clone(), served.clone(), mode.clone());
        // Idle: ready, no error, so a transfer it has not seen the SETUP of cannot hang.
        bus.set_bit(tb, bus.pready, true);
        if let Some(p) = bus.pslverr {
            bus.set_bit(tb, p, false);
        }
        tb.spawn(async move {
            // Wait states left and the error of the transfer in progress.
            let mut cur: Option<(u64, bool, u64)> = None;
            loop {
                t.late().await;
                let (sel, en) = (bus.bit(&t, bus.psel), bus.field(&t, bus.penable) & 1 == 1);
                let (write, addr, wdata, strb, master) = bus.request(&t);
                let word = addr & !3;
                match (sel, en, cur) {
                    (true, false, _) => {
                        // SETUP: draw this transfer's wait states and error, answer from next cycle.
                        let (waits, err) = {
                            let mode = md.get();
                            let mut rng = t.rng();
                            let waits = if mode.max_waits > 0 && rng.gen_bool(mode.wait_prob) { rng.gen_range(1..=mode.max_waits) } else { 0 };
                            (waits, rng.gen_bool(mode.err_prob))
                        };
                        cur = Some((waits, err, 0));
                        bus.set_bit(&t, bus.pready, waits == 0);
                        if let Some(p) = bus.pslverr {
                            bus.set_bit(&t, p, err && waits == 0);
                        }
                        let rdata = if write || (err && waits == 0) { 0 } else { *m.borrow().get(&word).unwrap_or(&0) };
                        bus.set_rdata(&t, rdata);
                    }
                    (true, true, Some((left, err, waited))) if left > 0 => {
                        // A wait state: ready next cycle when this was the last one.
                        cur = Some((left - 1, err, waited + 1));
                        bus.set_bit(&t, bus.pready, left == 1);
                        if let Some(p) = bus.pslverr {
                            bus.set_bit(&t, p, err && left == 1);
                        }
                    }
                    (true, true, Some((_, err, waited))) => {
                        // The completing cycle.
                        if write && !err {
                            let mut mask = 0u32;
                            for b in 0..4 {
                                if strb >> b & 1 == 1 {
                                    mask |= 0xff << (8 * b);
                                }
                            }
                            let mut mem = m.borrow_mut();
                            let old = *mem.get(&word).unwrap_or(&0);
                            mem.insert(word, (old & !mask) | (wdata & mask));
                        }
                        let data = if write { wdata } else { bus.rdata(&t) };
                        s.borrow_mut().push(ApbTransfer { write, addr, data, strb, master, slverr: err, wait_states: waited, at_ns: t.now_ns() });
                        cur = None;
                        bus.set_bit(&t, bus.pready, true);
                        if let Some(p) = bus.pslverr {
                            bus.set_bit(&t, p, false);
                        }
                        bus.set_rdata(&t, 0);
                    }
                    _ => {
                        cur = None;
                    }
                }
                t.rising_edge().await;
            }
        });
        Ok(ApbCompleter { mem, served, mode })
    }

    /// How the following transfers are answered.
    pub fn set_mode(&self, mode: CompleterMode) {
        self.mode.set(mode);
    }
}
