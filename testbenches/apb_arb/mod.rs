//! APB arbiter test bench: two cycle-driven APB4 requesters, a completer with random wait states and errors, a transfer checker, and the tests.

use crate::regression::{Case, Ctx, TestFuture};
use pluton_bindings::dut::ApbPins;
use pluton_bindings::{Dut, Tb};
use pluton_hdl::apb_arb::regs::FIRST_TIE;
use pluton_hdl::common::masters::{MASTER_APP, MASTER_SEC};
use rand::Rng;
use std::collections::HashMap;

/// The reference model the RTL runs in lock-step with.
pub fn model() -> Box<dyn Dut> {
    Box::new(pluton_cosim::ApbArbModel::new())
}

/// One requester transfer. `tag` is unique in a run and rides on `pwdata` (reads too: the
/// completer ignores it there), so the completer side knows which transfer it sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Txn {
    tag: u32,
    write: bool,
    addr: u32,
    strb: u32,
    master: u32,
}

/// What one requester port is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Setup,
    Access,
}

/// Port ids of one requester: the APB signals under its prefix (`s0_psel`, ...).
type ReqPorts = ApbPins;

fn req_ports(tb: &Tb, p: &str) -> Result<ReqPorts, String> {
    ApbPins::find(|n| tb.port(&format!("{p}_{n}")).ok()).map_err(|missing| format!("requester {p} lacks {}", missing.join(", ")))
}

/// Drive a requester's request lines for `phase` (idle: psel and penable low, the rest kept).
fn drive(tb: &Tb, p: &ReqPorts, phase: Phase, txn: Option<Txn>) {
    match (phase, txn) {
        (Phase::Idle, _) | (_, None) => {
            tb.poke_u32(p.psel, 0);
            tb.poke_u32(p.penable, 0);
        }
        (ph, Some(t)) => {
            tb.poke_u32(p.psel, 1);
            tb.poke_u32(p.penable, (ph == Phase::Access) as u32);
            tb.poke_u32(p.pwrite, t.write as u32);
            tb.poke_u32(p.paddr, t.addr);
            tb.poke_u32(p.pwdata, t.tag);
            tb.poke_u32(p.pstrb, t.strb);
            tb.poke_u32(p.pmaster, t.master);
        }
    }
}

/// What a requester gets back: (prdata, pready, pslverr).
fn answer_of(tb: &Tb, p: &ReqPorts) -> (u32, bool, bool) {
    (tb.peek_u32(p.prdata), tb.peek_u32(p.pready) == 1, tb.peek_u32(p.pslverr) == 1)
}

/// Port ids of the completer side (`m_*`).
#[derive(Clone, Copy)]
struct CompPorts {
    psel: usize,
    penable: usize,
    pwrite: usize,
    paddr: usize,
    pwdata: usize,
    pstrb: usize,
    pmaster: usize,
    prdata: usize,
    pready: usize,
    pslverr: usize,
}

/// The request the completer sees: (m_psel, m_penable, the transfer on the other lines).
type MReq = (bool, bool, Txn);

impl CompPorts {
    fn new(tb: &Tb) -> Result<CompPorts, String> {
        let id = |n: &str| tb.port(&format!("m_{n}"));
        Ok(CompPorts {
            psel: id("psel")?,
            penable: id("penable")?,
            pwrite: id("pwrite")?,
            paddr: id("paddr")?,
            pwdata: id("pwdata")?,
            pstrb: id("pstrb")?,
            pmaster: id("pmaster")?,
            prdata: id("prdata")?,
            pready: id("pready")?,
            pslverr: id("pslverr")?,
        })
    }

    fn request(&self, tb: &Tb) -> MReq {
        let txn = Txn {
            tag: tb.peek_u32(self.pwdata),
            write: tb.peek_u32(self.pwrite) == 1,
            addr: tb.peek_u32(self.paddr),
            strb: tb.peek_u32(self.pstrb),
            master: tb.peek_u32(self.pmaster),
        };
        (tb.peek_u32(self.psel) == 1, tb.peek_u32(self.penable) == 1, txn)
    }

    /// Drive the completer's answer, its opposite first: the forward path (`m_*`) must not
    /// depend on `m_pready`, `m_pslverr` or `m_prdata` (README, combinational paths), so the
    /// request `seen` under the previous cycle's answer must stay the same under both.
    fn answer(&self, tb: &Tb, (rdata, ready, err): (u32, bool, bool), seen: &MReq) -> Result<(), String> {
        for (d, r, e) in [(!rdata, !ready, !err), (rdata, ready, err)] {
            tb.poke_u32(self.prdata, d);
            tb.poke_u32(self.pready, r as u32);
            tb.poke_u32(self.pslverr, e as u32);
            let now = self.request(tb);
            if now != *seen {
                return Err(format!("cycle {}: forwarded request {now:?} with m_pready {r}, m_pslverr {e}, m_prdata {d:#x}; was {seen:?}", tb.cycle()));
            }
        }
        Ok(())
    }
}

/// How a requester port behaves in a run.
#[derive(Clone, Copy)]
struct PortCfg {
    /// Transfers it issues.
    count: usize,
    /// Chance that a transfer follows the previous one back to back (no idle cycle).
    back_to_back: f64,
    /// Idle cycles otherwise: 1..=max_gap.
    max_gap: u64,
    /// Cycles before its first transfer.
    start: u64,
    /// Chance of a pmaster other than the port's core (pass-through must not care).
    odd_master: f64,
}

/// How the completer answers.
#[derive(Clone, Copy)]
struct CompCfg {
    /// Wait states: 0 with chance `1 - p_wait`, else 1..=max_wait.
    p_wait: f64,
    max_wait: u32,
    p_err: f64,
}

/// A transfer as it completed, from both sides.
#[derive(Clone, Copy, Debug)]
struct Done {
    port: usize,
    txn: Txn,
    /// Cycle of the port's own SETUP and of its completion (the edge ending that cycle).
    setup_at: u64,
    done_at: u64,
    /// Cycle the completer saw the SETUP.
    m_setup_at: u64,
    waits: u32,
}

/// The whole run's record.
#[derive(Default)]
struct Log {
    done: Vec<Done>,
    cycles: u64,
    /// Cycles where a port not owning the completer's ACCESS saw pready, pslverr or prdata non-zero.
    /// Completer cycles in ACCESS with garbage-free checks, for the summary.
    access_cycles: u64,
}

/// The completer's read answer: a function of the transfer, so a misrouted answer shows.
fn answer(tag: u32, addr: u32) -> u32 {
    tag.rotate_left(13) ^ addr.wrapping_mul(0x0101_0101) ^ 0xA5A5_0000
}

struct Requester {
    name: &'static str,
    core: u32,
    p: ReqPorts,
    cfg: PortCfg,
    phase: Phase,
    txn: Option<Txn>,
    setup_at: u64,
    issued: usize,
    wait: u64,
}

/// Drive both requesters and the completer cycle by cycle until every transfer is done; check
/// every cycle; return the record.
async fn run(ctx: &Ctx, cfg: [PortCfg; 2], comp: CompCfg) -> Result<Log, String> {
    let tb = &ctx.tb;
    let m = CompPorts::new(tb)?;
    let mut reqs = [
        Requester { name: "s0", core: MASTER_SEC, p: req_ports(tb, "s0")?, cfg: cfg[0], phase: Phase::Idle, txn: None, setup_at: 0, issued: 0, wait: cfg[0].start },
        Requester { name: "s1", core: MASTER_APP, p: req_ports(tb, "s1")?, cfg: cfg[1], phase: Phase::Idle, txn: None, setup_at: 0, issued: 0, wait: cfg[1].start },
    ];
    let mut log = Log::default();
    let mut seq = 0u32;
    // Tag -> (port, transfer, setup cycle) for every transfer issued and not yet seen at the completer.
    let mut in_flight: HashMap<u32, (usize, Txn)> = HashMap::new();
    let mut seen_at_completer: HashMap<u32, u64> = HashMap::new();
    // The completer's current transfer: (port, txn, SETUP cycle, and once in ACCESS: waits left,
    // waits drawn, error).
    let mut cur: Option<(usize, Txn, u64, Option<(u32, u32, bool)>)> = None;
    // The last read data the completer gave: it drives it again in wait states and on writes,
    // as a completer holding its read register would, so a leak to the wrong port would show.
    let mut last_read = 0u32;
    let total: usize = cfg.iter().map(|c| c.count).sum();
    let limit = 200 + total as u64 * (8 + comp.max_wait as u64) + cfg.iter().map(|c| c.start + c.count as u64 * c.max_gap).sum::<u64>();
    let start = tb.cycle();
    while log.done.len() < total {
        let now = tb.cycle();
        if now - start > limit {
            return Err(format!("stuck: {} of {total} transfers done after {} cycles", log.done.len(), now - start));
        }
        // ---- Requesters drive this cycle.
        for (i, r) in reqs.iter_mut().enumerate() {
            if r.phase == Phase::Idle && r.issued < r.cfg.count {
                if r.wait == 0 {
                    let (write, addr, strb, odd) = {
                        let mut rng = tb.rng();
                        let w = rng.gen_bool(0.5);
                        (w, rng.gen::<u32>() & 0xfffc, if w { rng.gen_range(1..16u32) } else { 0 }, rng.gen_bool(r.cfg.odd_master))
                    };
                    seq += 1;
                    // Odd multiplier: unique tags for unique seq, spread over all bits.
                    let tag = (seq << 1 | i as u32).wrapping_mul(0x9E37_79B1);
                    let master = if odd { (r.core + 2 + (seq & 7)) & 15 } else { r.core };
                    let t = Txn { tag, write, addr, strb, master };
                    in_flight.insert(tag, (i, t));
                    r.txn = Some(t);
                    r.phase = Phase::Setup;
                    r.setup_at = now;
                    r.issued += 1;
                } else {
                    r.wait -= 1;
                }
            }
            drive(tb, &r.p, r.phase, r.txn);
        }
        // ---- The completer sees the arbiter's request and answers.
        let request = m.request(tb);
        let (sel, en, seen) = request;
        let (mut rdata, mut ready, mut err) = {
            let mut rng = tb.rng();
            (rng.gen::<u32>(), rng.gen_bool(0.5), rng.gen_bool(0.5))
        };
        let mut completing = false;
        match (sel, en) {
            (false, true) => return Err(format!("cycle {now}: m_penable without m_psel")),
            (false, false) => {
                if cur.is_some() {
                    return Err(format!("cycle {now}: completer transfer abandoned"));
                }
                if seen != (Txn { tag: 0, write: false, addr: 0, strb: 0, master: 0 }) {
                    return Err(format!("cycle {now}: idle completer port not all zero: {seen:?}"));
                }
            }
            (true, false) => {
                if cur.is_some() {
                    return Err(format!("cycle {now}: SETUP during a transfer"));
                }
                let Some(&(port, t)) = in_flight.get(&seen.tag) else {
                    return Err(format!("cycle {now}: completer SETUP for no issued transfer: {seen:?}"));
                };
                if let Some(c) = seen_at_completer.insert(seen.tag, now) {
                    return Err(format!("cycle {now}: transfer {:#x} of port {port} reached the completer again (first at cycle {c})", seen.tag));
                }
                if seen != t {
                    return Err(format!("cycle {now}: completer sees {seen:?}, port {port} issued {t:?}"));
                }
                if reqs[port].phase == Phase::Idle || reqs[port].txn != Some(t) {
                    return Err(format!("cycle {now}: SETUP for port {port}'s transfer it is not driving"));
                }
                cur = Some((port, t, now, None));
            }
            (true, true) => {
                let Some((port, t, _, ref mut w)) = cur else {
                    return Err(format!("cycle {now}: ACCESS without SETUP at the completer"));
                };
                if seen != t {
                    return Err(format!("cycle {now}: request changed in ACCESS: {seen:?}, was {t:?}"));
                }
                let (left, _, e) = *w.get_or_insert_with(|| {
                    let mut rng = tb.rng();
                    let n = if rng.gen_bool(comp.p_wait) { rng.gen_range(1..=comp.max_wait.max(1)) } else { 0 };
                    (n, n, rng.gen_bool(comp.p_err))
                });
                log.access_cycles += 1;
                if left == 0 {
                    ready = true;
                    err = e;
                    if t.write {
                        rdata = last_read;
                    } else {
                        rdata = answer(t.tag, t.addr);
                        last_read = rdata;
                    }
                    completing = true;
                } else {
                    ready = false;
                    if tb.rng().gen_bool(0.5) {
                        rdata = last_read;
                    }
                }
                let _ = port;
            }
        }
        m.answer(tb, (rdata, ready, err), &request)?;

        // ---- What each requester gets back: only the completer's ACCESS owner gets anything.
        let owner = match (sel && en, &cur) {
            (true, Some((port, ..))) => Some(*port),
            _ => None,
        };
        let mut finished: Option<usize> = None;
        for (i, r) in reqs.iter().enumerate() {
            let got = answer_of(tb, &r.p);
            if owner == Some(i) {
                if r.phase != Phase::Access {
                    return Err(format!("cycle {now}: completer ACCESS for {} which is not in ACCESS", r.name));
                }
                // Read data passes only in the cycle a read completes (README, security property).
                let cur_write = cur.as_ref().is_some_and(|c| c.1.write);
                let want = (if ready && !cur_write { rdata } else { 0 }, ready, err);
                if got != want {
                    return Err(format!("cycle {now}: {} got {got:x?}, expected {want:x?} (completer drove {:x?})", r.name, (rdata, ready, err)));
                }
                if ready {
                    finished = Some(i);
                }
            } else if got != (0, false, false) {
                return Err(format!("cycle {now}: {} (not the owner) sees prdata/pready/pslverr {got:x?}", r.name));
            }
        }
        if completing != finished.is_some() {
            return Err(format!("cycle {now}: completer completing {completing}, requester finishing {finished:?}"));
        }
        if let Some(i) = finished {
            let (_, t, m_setup_at, w) = cur.take().expect("owner has a transfer");
            in_flight.remove(&t.tag);
            let r = &mut reqs[i];
            log.done.push(Done { port: i, txn: t, setup_at: r.setup_at, done_at: now, m_setup_at, waits: w.map_or(0, |x| x.1) });
            ctx.count(1);
        }

        tb.rising_edge().await;

        // ---- After the edge: phases move on.
        for (i, r) in reqs.iter_mut().enumerate() {
            match r.phase {
                Phase::Setup => r.phase = Phase::Access,
                Phase::Access if finished == Some(i) => {
                    r.phase = Phase::Idle;
                    r.txn = None;
                    let (b2b, gap) = {
                        let mut rng = tb.rng();
                        (rng.gen_bool(r.cfg.back_to_back), rng.gen_range(1..=r.cfg.max_gap.max(1)))
                    };
                    r.wait = if b2b { 0 } else { gap };
                }
                _ => {}
            }
        }
        if let Some((_, _, _, Some((ref mut left, _, _)))) = cur {
            *left = left.saturating_sub(1);
        }
    }
    // Every issued transfer reached the completer exactly once and came back.
    if !in_flight.is_empty() || seen_at_completer.len() != total {
        return Err(format!("{} transfers never completed, {} seen at the completer of {total}", in_flight.len(), seen_at_completer.len()));
    }
    for (i, r) in reqs.iter().enumerate() {
        let n = log.done.iter().filter(|d| d.port == i).count();
        if n != r.cfg.count {
            return Err(format!("{}: {n} transfers completed, {} issued", r.name, r.cfg.count));
        }
    }
    log.cycles = tb.cycle() - start;
    Ok(log)
}

const QUIET: PortCfg = PortCfg { count: 0, back_to_back: 0.0, max_gap: 1, start: 0, odd_master: 0.0 };
const ZERO_WAIT: CompCfg = CompCfg { p_wait: 0.0, max_wait: 0, p_err: 0.0 };

/// The tests of this block, in regression order.
pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "apb_arb_single", body: single },
        Case { name: "apb_arb_contention", body: contention },
        Case { name: "apb_arb_errors_waits", body: errors_waits },
        Case { name: "apb_arb_random", body: random },
        Case { name: "apb_arb_tie_turn", body: tie_turn },
        Case { name: "apb_arb_reset", body: reset },
    ]
}

/// Each port alone, zero-wait completer: every transfer takes SETUP + ACCESS = 2 cycles (0 added),
/// back to back without an idle cycle at the completer; then with gaps.
fn single(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        for port in 0..2 {
            for (b2b, n) in [(1.0, 20), (0.0, 20)] {
                let mut cfg = [QUIET, QUIET];
                cfg[port] = PortCfg { count: n, back_to_back: b2b, max_gap: 4, start: 0, odd_master: 0.0 };
                let log = run(&ctx, cfg, ZERO_WAIT).await?;
                for d in &log.done {
                    if d.done_at - d.setup_at != 1 || d.m_setup_at != d.setup_at || d.port != port {
                        return Err(format!("port {port}: {d:?} took {} cycles, expected 2 with its SETUP at the completer in the same cycle", d.done_at - d.setup_at + 1));
                    }
                    let core = if port == 0 { MASTER_SEC } else { MASTER_APP };
                    if d.txn.master != core {
                        return Err(format!("port {port} master {}", d.txn.master));
                    }
                }
                if b2b == 1.0 && log.cycles != 2 * n as u64 {
                    return Err(format!("port {port}: {n} back-to-back transfers took {} cycles, expected {}", log.cycles, 2 * n));
                }
            }
        }
        ctx.metric("added_cycles_idle", 0.0);
        Ok(())
    })
}

/// Both ports always asking, zero-wait completer: the first tie after reset goes to FIRST_TIE,
/// then grants alternate and the completer never idles; a transfer that waited gets its SETUP
/// the cycle after the other's completion (1 cycle added); with one port back to back and the
/// other occasional, the occasional one never waits more than one transfer.
fn contention(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let busy = PortCfg { count: 30, back_to_back: 1.0, max_gap: 1, start: 0, odd_master: 0.0 };
        let log = run(&ctx, [busy, busy], ZERO_WAIT).await?;
        if log.done[0].port != FIRST_TIE as usize {
            return Err(format!("first tie went to port {}", log.done[0].port));
        }
        for (k, d) in log.done.iter().enumerate() {
            if d.port != (FIRST_TIE as usize + k) % 2 {
                return Err(format!("grant {k} went to port {}: not alternating", d.port));
            }
            if k > 0 && d.m_setup_at != log.done[k - 1].done_at + 1 {
                return Err(format!("grant {k}: completer SETUP at {}, previous done at {}", d.m_setup_at, log.done[k - 1].done_at));
            }
            // Every transfer after the first finds the other's transfer running at its SETUP.
            let want = if k == 0 { 1 } else { 3 };
            if d.done_at - d.setup_at != want {
                return Err(format!("grant {k} ({d:?}): {} cycles from SETUP to completion, expected {}", d.done_at - d.setup_at + 1, want + 1));
            }
            ctx.count(1);
        }
        if log.cycles != 4 * 30 {
            return Err(format!("60 contended transfers took {} cycles, expected 120 (completer never idle)", log.cycles));
        }
        // One hog, one occasional: the occasional port waits at most one hog transfer.
        let hog = PortCfg { count: 200, back_to_back: 1.0, max_gap: 1, start: 0, odd_master: 0.0 };
        let occ = PortCfg { count: 20, back_to_back: 0.0, max_gap: 9, start: 3, odd_master: 0.0 };
        for (p, cfg) in [(1, [hog, occ]), (0, [occ, hog])] {
            let log = run(&ctx, cfg, CompCfg { p_wait: 0.3, max_wait: 3, p_err: 0.0 }).await?;
            let worst = log.done.iter().filter(|d| d.port == p).map(|d| d.done_at - d.setup_at + 1 - 2 - d.waits as u64).max().unwrap_or(0);
            // Its own SETUP found a hog transfer in ACCESS: at most that one (<= 1 + 3 wait cycles) plus 1.
            if worst > 5 {
                return Err(format!("occasional port {p} waited {worst} cycles beyond its own transfer"));
            }
            ctx.metric(&format!("worst_wait_port{p}"), worst as f64);
        }
        Ok(())
    })
}

/// Wait states and PSLVERR from the completer reach only the owner; the other port, waiting in
/// ACCESS, sees pready = 0, pslverr = 0, prdata = 0 in every cycle (checked by `run`).
fn errors_waits(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let p = PortCfg { count: 150, back_to_back: 0.5, max_gap: 3, start: 0, odd_master: 0.0 };
        let log = run(&ctx, [p, p], CompCfg { p_wait: 0.6, max_wait: 5, p_err: 0.3 }).await?;
        let waited = log.done.iter().filter(|d| d.waits > 0).count();
        for d in &log.done {
            if d.done_at != d.m_setup_at + 1 + d.waits as u64 {
                return Err(format!("{d:?}: not SETUP, ACCESS with its wait states, done"));
            }
        }
        ctx.metric("transfers_with_waits", waited as f64);
        if waited < 50 {
            return Err(format!("only {waited} transfers had wait states"));
        }
        Ok(())
    })
}

/// Seeded random: both ports random (gaps, back to back, reads/writes, odd pmaster values), the
/// completer random (wait states, errors, garbage on its answer lines outside ACCESS); every
/// transfer reaches the completer exactly once, unchanged, and its answer only its requester.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let n = ctx.scale(4000);
        let (c0, c1, b0, b1, g0, g1) = {
            let mut rng = ctx.tb.rng();
            (n + rng.gen_range(0..n / 4), n + rng.gen_range(0..n / 4), rng.gen_range(0.2..0.9), rng.gen_range(0.2..0.9), rng.gen_range(1..8u64), rng.gen_range(1..8u64))
        };
        let cfg = [
            PortCfg { count: c0, back_to_back: b0, max_gap: g0, start: 0, odd_master: 0.1 },
            PortCfg { count: c1, back_to_back: b1, max_gap: g1, start: 1, odd_master: 0.1 },
        ];
        let log = run(&ctx, cfg, CompCfg { p_wait: 0.3, max_wait: 4, p_err: 0.1 }).await?;
        let per_port: [usize; 2] = [0, 1].map(|p| log.done.iter().filter(|d| d.port == p).count());
        // Round-robin bound: a transfer waits for at most one transfer of the other port (its
        // SETUP, ACCESS with up to max_wait wait states) plus its own SETUP at the completer.
        let bound = 2 + 4;
        if let Some(d) = log.done.iter().find(|d| d.done_at - d.setup_at + 1 - 2 - d.waits as u64 > bound) {
            return Err(format!("{d:?} waited {} cycles beyond its own transfer (bound {bound})", d.done_at - d.setup_at + 1 - 2 - d.waits as u64));
        }
        let worst = log.done.iter().map(|d| d.done_at - d.setup_at + 1 - 2 - d.waits as u64).max().unwrap_or(0);
        ctx.metric("worst_extra_wait", worst as f64);
        ctx.metric("transfers", log.done.len() as f64);
        ctx.metric("completer_access_cycles", log.access_cycles as f64);
        if per_port.iter().any(|&c| c == 0) {
            return Err("a port never completed".into());
        }
        Ok(())
    })
}

/// One step of a directed grant sequence.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// One transfer from this port alone: an uncontested grant.
    Lone(usize),
    /// One transfer from each port, SETUP in the same cycle: a tie.
    Tie,
    /// rst_n low for two cycles with both requesters idle.
    Reset,
}

/// The tie-break follows every grant, contested or not (README: after a grant to `g` the other
/// port wins the next tie; FIRST_TIE after reset): lone grants and ties in sequence, the same
/// port granted alone twice, ties back to back, and a reset after a grant that had turned it.
fn tie_turn(ctx: Ctx) -> TestFuture {
    use Step::*;
    Box::pin(async move {
        let tb = &ctx.tb;
        let reqs = [req_ports(tb, "s0")?, req_ports(tb, "s1")?];
        let steps = [Tie, Tie, Lone(0), Tie, Lone(1), Tie, Lone(0), Lone(0), Tie, Lone(1), Lone(1), Tie, Lone(0), Reset, Tie, Lone(1), Reset, Lone(1), Tie];
        let one = PortCfg { count: 1, back_to_back: 0.0, max_gap: 1, start: 0, odd_master: 0.0 };
        // The bench's own TURN, from the README's rule.
        let mut next_tie = FIRST_TIE as usize;
        for (k, &step) in steps.iter().enumerate() {
            let cfg = match step {
                Reset => {
                    reqs.iter().for_each(|p| drive(tb, p, Phase::Idle, None));
                    tb.reset(2).await;
                    next_tie = FIRST_TIE as usize;
                    continue;
                }
                Lone(g) => {
                    let mut c = [QUIET, QUIET];
                    c[g] = one;
                    c
                }
                Tie => [one, one],
            };
            let log = run(&ctx, cfg, ZERO_WAIT).await?;
            let (first, last) = (log.done[0], log.done[log.done.len() - 1]);
            let want = match step {
                Lone(g) => g,
                _ => next_tie,
            };
            // A real tie: both SETUPs in the same cycle, the winner's at the completer at once.
            if matches!(step, Tie) && (first.setup_at != last.setup_at || first.m_setup_at != first.setup_at) {
                return Err(format!("step {k}: not a tie from idle: {:?}", log.done));
            }
            if first.port != want {
                return Err(format!("step {k} ({step:?}, steps {:?}): port {} granted first, expected {want}", &steps[..=k], first.port));
            }
            next_tie = 1 - last.port;
            ctx.count(1);
        }
        Ok(())
    })
}

/// Reset in the middle of a run: port FIRST_TIE owns the completer's ACCESS (a wait state) and
/// the other port waits, so BUSY = 1 and TURN points away from FIRST_TIE. rst_n low clears them
/// at once (no edge needed): the completer sees only a SETUP, for FIRST_TIE's request (the tie
/// rule after reset), and no port gets pready, pslverr or prdata though the completer answers.
/// After the release both ports, as requesters that missed the reset, are still in ACCESS: each
/// transfer starts over with a SETUP at the completer (no half transfer continues), FIRST_TIE
/// first, as after a fresh reset.
fn reset(ctx: Ctx) -> TestFuture {
    use Phase::*;
    Box::pin(async move {
        let tb = &ctx.tb;
        let (reqs, m, rst_n) = ([req_ports(tb, "s0")?, req_ports(tb, "s1")?], CompPorts::new(tb)?, tb.port("rst_n")?);
        let (ft, ot) = (FIRST_TIE as usize, 1 - FIRST_TIE as usize);
        let mut txns = [None; 2];
        txns[ft] = Some(Txn { tag: 0x5EC0_0001, write: false, addr: 0x0100, strb: 0, master: MASTER_SEC });
        txns[ot] = Some(Txn { tag: 0xA990_0002, write: true, addr: 0x0204, strb: 0xF, master: MASTER_APP });
        // Per cycle: phases of (FIRST_TIE, other), rst_n, completer's pready and pslverr, the
        // completer request expected (port, penable), the port expected to complete.
        type Row = ([Phase; 2], u32, bool, bool, Option<(usize, bool)>, Option<usize>);
        let script: [Row; 9] = [
            ([Setup, Idle], 1, false, false, Some((ft, false)), None),
            ([Access, Setup], 1, false, false, Some((ft, true)), None), // a wait state; the other asks
            ([Access, Access], 0, true, true, Some((ft, false)), None), // rst_n low
            ([Access, Access], 0, true, true, Some((ft, false)), None),
            ([Access, Access], 1, true, false, Some((ft, false)), None), // released: a fresh SETUP
            ([Access, Access], 1, true, false, Some((ft, true)), Some(ft)),
            ([Idle, Access], 1, true, true, Some((ot, false)), None),
            ([Idle, Access], 1, true, true, Some((ot, true)), Some(ot)),
            ([Idle, Idle], 1, true, true, None, None),
        ];
        for (c, &(phases, rst, ready, err, want_req, done)) in script.iter().enumerate() {
            tb.poke_u32(rst_n, rst);
            drive(tb, &reqs[ft], phases[0], txns[ft]);
            drive(tb, &reqs[ot], phases[1], txns[ot]);
            let req = m.request(tb);
            let want = match want_req {
                Some((port, en)) => (true, en, txns[port].expect("script")),
                None => (false, false, Txn { tag: 0, write: false, addr: 0, strb: 0, master: 0 }),
            };
            if req != want {
                return Err(format!("cycle {c}: completer sees {req:x?}, expected {want:x?}"));
            }
            let rdata = answer(want.2.tag, want.2.addr);
            m.answer(tb, (rdata, ready, err), &req)?;
            for port in 0..2 {
                let got = answer_of(tb, &reqs[port]);
                let want = match done {
                    Some(d) if d == port => (if txns[port].is_some_and(|t| t.write) { 0 } else { rdata }, true, err),
                    _ => (0, false, false),
                };
                if got != want {
                    return Err(format!("cycle {c}: port {port} gets {got:x?}, expected {want:x?}"));
                }
            }
            tb.rising_edge().await;
            ctx.count(1);
        }
        Ok(())
    })
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    // The arbiter has no `prdata` of its own (its ports are `s0_*`, `s1_*`, `m_*`): lock-step
    // compares every output at every peek and edge rather than counting APB reads.
    vec![BlockBench {
        block: "apb_arb",
        module: "pluton_apb_arb",
        model: Some(model),
        cases,
        replay: "apb_arb_contention",
        csr: None,
        proofs: &[],
        compares_reads: false,
        scans_leaks: false,
    }]
}
