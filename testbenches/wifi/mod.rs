//! Wi-Fi arbiter test bench: app-core, security-core and Wi-Fi-subsystem tasks, a command-port monitor, and the tests.

use crate::regression::{ensure, Case, Ctx, TestFuture};
use pluton_bindings::apb::{Apb, ApbError, ApbTransfer};
use pluton_bindings::{Dut, Tb};
use pluton_hdl::common::regmap::{Access, APP};
use pluton_hdl::wifi::regs::*;
use rand::Rng;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::Rc;

/// The reference model the RTL runs in lock-step with.
pub fn model() -> Box<dyn Dut> {
    Box::new(pluton_cosim::WifiModel::new())
}

/// The security core's policy in these tests: op codes above this are refused.
pub const POLICY_MAX_OP: u32 = 0x7F;

/// Masters that exist on the bus (and a nonsense one).
const ALL_MASTERS: [u32; 6] = [MASTER_SEC, MASTER_APP, MASTER_IO0, MASTER_IO1, 7, 15];

/// The command-port outputs, as sampled after an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct CmdPort {
    valid: bool,
    op: u32,
    arg0: u32,
    arg1: u32,
    seq: u32,
}

/// A command the Wi-Fi subsystem took (or a request as the app core sent it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cmd {
    pub op: u32,
    pub arg0: u32,
    pub arg1: u32,
    pub seq: u32,
}

/// Shared state of the command-port monitor.
#[derive(Default)]
struct Monitor {
    /// Completed writes to the WIFI_CMD_* window, by the edge they completed at.
    writes: BTreeMap<u64, ApbTransfer>,
    /// `wifi_cmd_ready` as sampled from each edge on (a step function: edge -> value).
    ready: BTreeMap<u64, bool>,
    /// Port state after each edge.
    hist: BTreeMap<u64, CmdPort>,
    edges_checked: u64,
    good_writes: u64,
    refused_writes: u64,
}

impl Monitor {
    fn ready_at(&self, edge: u64) -> bool {
        self.ready.range(..=edge).next_back().map(|(_, v)| *v).unwrap_or(false)
    }

    /// Check the change of the command port at `edge` against the writes and handshakes there.
    fn check_edge(&mut self, edge: u64) -> Result<(), String> {
        let (Some(before), Some(after)) = (self.hist.get(&(edge - 1)).copied(), self.hist.get(&edge).copied()) else {
            return Ok(());
        };
        let mut want = before;
        if let Some(t) = self.writes.get(&edge).copied() {
            if !t.slverr {
                if t.master != MASTER_SEC {
                    return Err(format!("edge {edge}: master {} wrote {:#05x} without PSLVERR", t.master, t.addr));
                }
                if before.valid && t.addr != WIFI_CMD_ACK.offset {
                    return Err(format!("edge {edge}: write to {:#05x} accepted while the command was offered", t.addr));
                }
                self.good_writes += 1;
                match t.addr {
                    a if a == WIFI_CMD_OP.offset => want.op = t.data & 0xff,
                    a if a == WIFI_CMD_ARG0.offset => want.arg0 = t.data,
                    a if a == WIFI_CMD_ARG1.offset => want.arg1 = t.data,
                    a if a == WIFI_CMD_SEQ.offset => want.seq = t.data & 0xff,
                    a if a == WIFI_CMD_GO.offset => want.valid = true,
                    _ => {}
                }
            } else {
                self.refused_writes += 1;
            }
        }
        if before.valid && self.ready_at(edge) {
            want.valid = false;
        }
        self.edges_checked += 1;
        if after != want {
            return Err(format!(
                "edge {edge}: wifi_cmd_* changed to {after:?} from {before:?}, expected {want:?} (write there: {:?}, ready {})",
                self.writes.get(&edge),
                self.ready_at(edge)
            ));
        }
        // Keep the maps small.
        self.hist.remove(&(edge - 1));
        Ok(())
    }
}

#[derive(Clone, Copy)]
struct Ports {
    cmd_ready: usize,
    cmd_valid: usize,
    cmd_op: usize,
    cmd_arg0: usize,
    cmd_arg1: usize,
    cmd_seq: usize,
    evt_valid: usize,
    evt_data: usize,
    evt_ready: usize,
    intr_sec: usize,
    intr_app: usize,
}

/// The arbiter on its bus, with one APB requester per core and the command-port monitor running.
#[derive(Clone)]
pub struct Wifi {
    pub tb: Tb,
    pub sec: Apb,
    pub app: Apb,
    pub io0: Apb,
    p: Ports,
    mon: Rc<RefCell<Monitor>>,
    /// Cycle of the last `busy_state` (its head request times out REQ_TIMEOUT later).
    busy_since: Rc<Cell<Option<u64>>>,
}

impl Wifi {
    pub fn new(tb: &Tb) -> Result<Wifi, String> {
        let bus = Apb::new(tb)?;
        let p = Ports {
            cmd_ready: tb.port("wifi_cmd_ready")?,
            cmd_valid: tb.port("wifi_cmd_valid")?,
            cmd_op: tb.port("wifi_cmd_op")?,
            cmd_arg0: tb.port("wifi_cmd_arg0")?,
            cmd_arg1: tb.port("wifi_cmd_arg1")?,
            cmd_seq: tb.port("wifi_cmd_seq")?,
            evt_valid: tb.port("wifi_evt_valid")?,
            evt_data: tb.port("wifi_evt_data")?,
            evt_ready: tb.port("wifi_evt_ready")?,
            intr_sec: tb.port("intr_sec")?,
            intr_app: tb.port("intr_app")?,
        };
        let mon = Rc::new(RefCell::new(Monitor::default()));
        let period = tb.period_ns();
        let m = mon.clone();
        bus.observe(move |t| {
            if t.write && (WIFI_CMD_OP.offset..=WIFI_CMD_ACK.offset).contains(&t.addr) {
                m.borrow_mut().writes.insert(t.at_ns / period, *t);
            }
        });
        let w = Wifi {
            tb: tb.clone(),
            sec: bus.with_master(MASTER_SEC),
            app: bus.with_master(MASTER_APP),
            io0: bus.with_master(MASTER_IO0),
            p,
            mon,
            busy_since: Rc::new(Cell::new(None)),
        };
        // The monitor: after each edge, sample the port and check the previous edge (whose write,
        // if any, has been observed by then).
        let wm = w.clone();
        tb.spawn(async move {
            loop {
                let now = wm.tb.cycle();
                let s = wm.cmd_port();
                let r = {
                    let mut m = wm.mon.borrow_mut();
                    m.hist.insert(now, s);
                    if now > 0 {
                        m.check_edge(now - 1)
                    } else {
                        Ok(())
                    }
                };
                if let Err(e) = r {
                    panic!("Wi-Fi command port monitor: {e}");
                }
                wm.tb.rising_edge().await;
            }
        });
        Ok(w)
    }

    fn cmd_port(&self) -> CmdPort {
        let t = &self.tb;
        CmdPort {
            valid: t.peek_u32(self.p.cmd_valid) == 1,
            op: t.peek_u32(self.p.cmd_op),
            arg0: t.peek_u32(self.p.cmd_arg0),
            arg1: t.peek_u32(self.p.cmd_arg1),
            seq: t.peek_u32(self.p.cmd_seq),
        }
    }

    /// Drive `wifi_cmd_ready` (sampled from the next edge on) and tell the monitor.
    pub fn set_ready(&self, v: bool) {
        self.tb.poke_u32(self.p.cmd_ready, v as u32);
        self.mon.borrow_mut().ready.insert(self.tb.cycle() + 1, v);
    }

    pub fn set_event(&self, valid: bool, data: u32) {
        self.tb.poke_u32(self.p.evt_valid, valid as u32);
        self.tb.poke_u32(self.p.evt_data, data);
    }

    pub fn intr_sec(&self) -> bool {
        self.tb.peek_u32(self.p.intr_sec) == 1
    }
    pub fn intr_app(&self) -> bool {
        self.tb.peek_u32(self.p.intr_app) == 1
    }
    pub fn evt_ready(&self) -> bool {
        self.tb.peek_u32(self.p.evt_ready) == 1
    }
    pub fn cmd_valid(&self) -> bool {
        self.tb.peek_u32(self.p.cmd_valid) == 1
    }

    /// Record the monitor's figures in the summary; fail if it saw nothing.
    fn monitor_report(&self, ctx: &Ctx) -> Result<(), String> {
        let m = self.mon.borrow();
        ctx.metric("monitor_edges", m.edges_checked as f64);
        ctx.metric("monitor_cmd_writes_ok", m.good_writes as f64);
        ctx.metric("monitor_cmd_writes_refused", m.refused_writes as f64);
        if m.edges_checked == 0 {
            return Err("the command-port monitor checked no edge".into());
        }
        Ok(())
    }

    // ---- Register-level helpers.

    pub async fn stage(&self, r: &Cmd) -> Result<(), ApbError> {
        self.app.write(REQ_OP.offset, r.op).await?;
        self.app.write(REQ_ARG0.offset, r.arg0).await?;
        self.app.write(REQ_ARG1.offset, r.arg1).await
    }

    pub async fn push(&self, r: &Cmd) -> Result<(), ApbError> {
        self.stage(r).await?;
        self.app.write(REQ_PUSH.offset, 1).await
    }

    pub async fn head(&self) -> Result<Cmd, ApbError> {
        Ok(Cmd {
            op: self.sec.read(SEC_REQ_OP.offset).await?,
            arg0: self.sec.read(SEC_REQ_ARG0.offset).await?,
            arg1: self.sec.read(SEC_REQ_ARG1.offset).await?,
            seq: self.sec.read(SEC_REQ_SEQ.offset).await?,
        })
    }

    pub async fn complete(&self, seq: u32, status: u32) -> Result<(), ApbError> {
        self.sec.write(SEC_COMPLETE.offset, SEC_COMPLETE_SEQ.put(seq) | SEC_COMPLETE_STATUS.put(status)).await
    }

    /// Stage a command on the Wi-Fi port and raise valid.
    pub async fn send_cmd(&self, c: &Cmd) -> Result<(), ApbError> {
        self.sec.write(WIFI_CMD_OP.offset, c.op).await?;
        self.sec.write(WIFI_CMD_ARG0.offset, c.arg0).await?;
        self.sec.write(WIFI_CMD_ARG1.offset, c.arg1).await?;
        self.sec.write(WIFI_CMD_SEQ.offset, c.seq).await?;
        self.sec.write(WIFI_CMD_GO.offset, 1).await
    }

    /// Every readable register (read by its owner) plus the non-bus outputs, except ERR_INFO.
    async fn snapshot(&self) -> Result<Vec<(String, u32)>, ApbError> {
        let mut s = Vec::new();
        for r in MAP.regs.iter().filter(|r| r.access.readable() && r.name != "ERR_INFO") {
            let apb = if r.readers == APP { &self.app } else { &self.sec };
            s.push((r.name.to_string(), apb.read(r.offset).await?));
        }
        let c = self.cmd_port();
        s.push(("wifi_cmd_op".into(), c.op));
        s.push(("wifi_cmd_arg0".into(), c.arg0));
        s.push(("wifi_cmd_arg1".into(), c.arg1));
        s.push(("wifi_cmd_seq".into(), c.seq));
        s.push(("wifi_cmd_valid".into(), c.valid as u32));
        s.push(("wifi_evt_ready".into(), self.evt_ready() as u32));
        s.push(("intr_sec".into(), self.intr_sec() as u32));
        s.push(("intr_app".into(), self.intr_app() as u32));
        Ok(s)
    }

    /// A transfer that must fail with `code`: PSLVERR, read data 0, ERR_INFO logs exactly it
    /// (code, master, direction, address), and nothing else changes. Clears ERR_INFO after.
    pub async fn expect_err(&self, what: &str, apb: &Apb, write: bool, addr: u32, data: u32, strb: u32, code: u32) -> Result<(), String> {
        let before = self.snapshot().await?;
        if self.sec.read(ERR_INFO.offset).await? != 0 {
            return Err(format!("{what}: ERR_INFO not clear before the test"));
        }
        match apb.transfer(write, addr, data, strb).await {
            Err(ApbError::SlvErr { data: d, .. }) => {
                if !write && d != 0 {
                    return Err(format!("{what}: erroring read returned {d:#x}, not 0"));
                }
            }
            other => return Err(format!("{what}: expected PSLVERR, got {other:?}")),
        }
        let info = self.sec.read(ERR_INFO.offset).await?;
        let want = ERR_INFO_CODE.put(code) | ERR_INFO_MASTER.put(apb.master) | ERR_INFO_WRITE.put(write as u32) | ERR_INFO_ADDR.put(addr & 0xfff);
        if info != want {
            return Err(format!("{what}: ERR_INFO = {info:#010x}, expected {want:#010x} (code {code})"));
        }
        if SEC_STATUS_ERR.get(self.sec.read(SEC_STATUS.offset).await?) != 1 {
            return Err(format!("{what}: SEC_STATUS.ERR not set"));
        }
        self.sec.write(ERR_INFO.offset, 0).await?;
        let after = self.snapshot().await?;
        if let Some((a, b)) = before.iter().zip(&after).find(|(a, b)| a != b) {
            return Err(format!("{what}: {} changed from {:#x} to {:#x}", a.0, a.1, b.1));
        }
        Ok(())
    }

    /// Drain everything: complete pending requests (REFUSED), pop completions, pop the event,
    /// let a pending command be taken, clear CMD_DONE and ERR_INFO.
    pub async fn drain(&self) -> Result<(), String> {
        for _ in 0..16 {
            let st = self.sec.read(SEC_STATUS.offset).await?;
            if SEC_STATUS_REQ_PENDING.get(st) == 1 {
                let seq = self.sec.read(SEC_REQ_SEQ.offset).await?;
                self.complete(seq, STATUS_REFUSED).await?;
            } else if SEC_STATUS_CPL_LEVEL.get(st) != 0 {
                self.app.write(APP_CPL_POP.offset, 1).await?;
            } else if SEC_STATUS_EVT_VALID.get(st) == 1 {
                self.sec.write(EVT_POP.offset, 1).await?;
            } else if SEC_STATUS_CMD_BUSY.get(st) == 1 {
                self.set_ready(true);
                self.tb.rising_edge().await;
                self.set_ready(false);
            } else {
                self.sec.write(WIFI_CMD_ACK.offset, 1).await?;
                self.sec.write(ERR_INFO.offset, 0).await?;
                return Ok(());
            }
        }
        Err("drain did not empty the arbiter".into())
    }

    /// A busy state for the bad-input tests: two requests queued (the head fresh), one
    /// completion waiting, an event buffered, a command offered and held (ready low).
    pub async fn busy_state(&self, tag: u32) -> Result<(), String> {
        self.drain().await?;
        self.push(&Cmd { op: 0x11, arg0: tag, arg1: !tag, seq: 0 }).await?;
        let seq = self.sec.read(SEC_REQ_SEQ.offset).await?;
        self.complete(seq, STATUS_OK).await?;
        self.push(&Cmd { op: 0x22, arg0: tag ^ 0x5555, arg1: tag.rotate_left(7), seq: 0 }).await?;
        self.push(&Cmd { op: 0x33, arg0: 3, arg1: 4, seq: 0 }).await?;
        self.set_event(true, 0xE000_0000 | tag);
        while !self.evt_ready() {
            self.tb.rising_edge().await;
        }
        self.tb.rising_edge().await;
        self.set_event(false, 0);
        self.set_ready(false);
        self.send_cmd(&Cmd { op: 0x44, arg0: tag, arg1: 0xC0DE, seq: 9 }).await?;
        self.busy_since.set(Some(self.tb.cycle()));
        Ok(())
    }

    /// Renew the busy state when its head request is getting old, so no timeout falls inside
    /// a check that expects nothing to change.
    pub async fn keep_busy(&self) -> Result<(), String> {
        match self.busy_since.get() {
            Some(t) if self.tb.cycle() - t < 1200 => Ok(()),
            _ => self.busy_state(self.tb.cycle() as u32).await,
        }
    }
}

/// Expected status of a request under the test policy.
pub fn policy(op: u32) -> u32 {
    if op > POLICY_MAX_OP {
        STATUS_REFUSED
    } else {
        STATUS_OK
    }
}

/// How the security core behaves in a run.
#[derive(Clone, Copy)]
struct SecCfg {
    /// Chance of leaving a request alone for longer than REQ_TIMEOUT.
    ignore: f64,
    /// Idle cycles between its actions (random, 0..=max).
    max_gap: u32,
}

/// What the security core did: (seq -> status) it completed, commands it forwarded, events read.
#[derive(Default)]
struct SecLog {
    completed: HashMap<u32, u32>,
    forwarded: Vec<Cmd>,
    events: Vec<u32>,
    timed_out_under_it: u64,
}

/// The security-core task: serve requests with the policy, forward allowed ones to the Wi-Fi
/// port and wait for them to be taken, read events. Runs until `stop`.
async fn sec_core(w: Wifi, cfg: SecCfg, stop: Rc<Cell<bool>>, log: Rc<RefCell<SecLog>>) -> Result<(), String> {
    while !stop.get() {
        let gap = w.tb.rng().gen_range(0..=cfg.max_gap);
        w.tb.clock_cycles(gap as u64).await;
        if !w.intr_sec() {
            w.tb.rising_edge().await;
            continue;
        }
        let st = w.sec.read(SEC_STATUS.offset).await?;
        if SEC_STATUS_EVT_VALID.get(st) == 1 {
            let d = w.sec.read(EVT_DATA.offset).await?;
            w.sec.write(EVT_POP.offset, 1).await?;
            log.borrow_mut().events.push(d);
        }
        if SEC_STATUS_CMD_DONE.get(st) == 1 {
            w.sec.write(WIFI_CMD_ACK.offset, 1).await?;
        }
        if SEC_STATUS_REQ_PENDING.get(st) == 0 {
            continue;
        }
        let ignore = w.tb.rng().gen_bool(cfg.ignore);
        if ignore {
            w.tb.clock_cycles(REQ_TIMEOUT as u64 + 10).await;
            continue;
        }
        let req = w.head().await?;
        let status = policy(req.op);
        if status == STATUS_OK {
            w.send_cmd(&req).await?;
            loop {
                let st = w.sec.read(SEC_STATUS.offset).await?;
                if SEC_STATUS_CMD_DONE.get(st) == 1 {
                    break;
                }
            }
            w.sec.write(WIFI_CMD_ACK.offset, 1).await?;
            log.borrow_mut().forwarded.push(req);
        }
        match w.complete(req.seq, status).await {
            Ok(()) => {
                log.borrow_mut().completed.insert(req.seq, status);
            }
            Err(ApbError::SlvErr { .. }) => {
                // Only allowed if the request timed out while we worked on it: then it is no
                // longer the head. (ERR_INFO may hold another core's earlier error.)
                let st = w.sec.read(SEC_STATUS.offset).await?;
                if SEC_STATUS_REQ_PENDING.get(st) == 1 && w.sec.read(SEC_REQ_SEQ.offset).await? == req.seq {
                    return Err(format!("SEC_COMPLETE of head seq {} refused", req.seq));
                }
                w.sec.write(ERR_INFO.offset, 0).await?;
                log.borrow_mut().timed_out_under_it += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The Wi-Fi subsystem: takes commands after random delays (ready may also be high while idle)
/// and sends `events` with random gaps. Returns the commands taken, in order.
async fn wifi_subsystem(w: Wifi, max_delay: u32, events: Vec<u32>, max_evt_gap: u32, stop: Rc<Cell<bool>>) -> (Vec<Cmd>, usize) {
    let mut taken = Vec::new();
    let mut delay = 0u32;
    let mut evts: VecDeque<u32> = events.into();
    let mut sent = 0;
    let mut evt_gap = 0u32;
    while !stop.get() {
        let c = w.cmd_port();
        if c.valid {
            if delay == 0 {
                w.set_ready(true);
                taken.push(Cmd { op: c.op, arg0: c.arg0, arg1: c.arg1, seq: c.seq });
                delay = w.tb.rng().gen_range(0..=max_delay);
            } else {
                delay -= 1;
                w.set_ready(false);
            }
        } else {
            let r = w.tb.rng().gen_bool(0.3);
            // Ready while idle is legal; it must not make anything happen.
            w.set_ready(r);
        }
        if let Some(&d) = evts.front() {
            if evt_gap > 0 {
                evt_gap -= 1;
                w.set_event(false, 0);
            } else {
                w.set_event(true, d);
                if w.evt_ready() {
                    // Taken at the coming edge.
                    evts.pop_front();
                    sent += 1;
                    evt_gap = w.tb.rng().gen_range(0..=max_evt_gap);
                }
            }
        } else {
            w.set_event(false, 0);
        }
        w.tb.rising_edge().await;
    }
    w.set_ready(false);
    w.set_event(false, 0);
    (taken, sent)
}

/// The application core: sends `reqs`, pops completions as `intr_app` shows them, checks each
/// completion's order, seq and status (`expect(seq, op)`, `None`: any of the policy status or
/// TIMEOUT, as the security core's log says). Handles FULL back-pressure. Returns
/// (completions seen, requests pushed with their seq, FULL refusals).
async fn app_core(
    w: Wifi,
    reqs: Vec<Cmd>,
    max_gap: u32,
    sec_log: Rc<RefCell<SecLog>>,
) -> Result<(Vec<(u32, u32)>, Vec<(u32, Cmd)>, u64), String> {
    let mut pushed = Vec::new();
    let mut outstanding: VecDeque<(u32, Cmd)> = VecDeque::new();
    let mut next = 0;
    let mut seq = APP_STATUS_LAST_SEQ.get(w.app.read(APP_STATUS.offset).await?);
    let mut seen = Vec::new();
    let mut fulls = 0;
    while next < reqs.len() || !outstanding.is_empty() {
        let gap = w.tb.rng().gen_range(0..=max_gap);
        w.tb.clock_cycles(gap as u64).await;
        if w.intr_app() {
            let cpl = w.app.read(APP_CPL.offset).await?;
            let (s, r) = outstanding.pop_front().ok_or_else(|| format!("completion {cpl:#x} with nothing outstanding"))?;
            if APP_CPL_VALID.get(cpl) != 1 || APP_CPL_SEQ.get(cpl) != s {
                return Err(format!("APP_CPL = {cpl:#010x}, expected the completion of seq {s}"));
            }
            let status = APP_CPL_STATUS.get(cpl);
            // Seqs wrap, so each entry is used once.
            let want = sec_log.borrow_mut().completed.remove(&s).unwrap_or(STATUS_TIMEOUT);
            if status != want {
                return Err(format!("seq {s} (op {:#x}) completed with status {status:#x}, expected {want:#x}", r.op));
            }
            if status != STATUS_TIMEOUT && status != policy(r.op) {
                return Err(format!("seq {s} (op {:#x}): status {status:#x} breaks the policy", r.op));
            }
            w.app.write(APP_CPL_POP.offset, 1).await?;
            seen.push((s, status));
        } else if next < reqs.len() {
            let r = reqs[next];
            match w.push(&r).await {
                Ok(()) => {
                    seq = (seq + 1) & 0xff;
                    let last = APP_STATUS_LAST_SEQ.get(w.app.read(APP_STATUS.offset).await?);
                    if last != seq {
                        return Err(format!("APP_STATUS.LAST_SEQ = {last} after a push, expected {seq}"));
                    }
                    outstanding.push_back((seq, r));
                    pushed.push((seq, r));
                    next += 1;
                }
                Err(ApbError::SlvErr { .. }) => {
                    let st = w.app.read(APP_STATUS.offset).await?;
                    if APP_STATUS_FULL.get(st) != 1 || outstanding.len() != QUEUE_DEPTH as usize {
                        return Err(format!("REQ_PUSH refused with {} outstanding, APP_STATUS {st:#x}", outstanding.len()));
                    }
                    if APP_STATUS_LAST_SEQ.get(st) != seq {
                        return Err("a refused REQ_PUSH changed LAST_SEQ".into());
                    }
                    fulls += 1;
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            w.tb.rising_edge().await;
        }
    }
    Ok((seen, pushed, fulls))
}

fn random_reqs(tb: &Tb, n: usize) -> Vec<Cmd> {
    let mut rng = tb.rng();
    (0..n)
        .map(|_| Cmd {
            op: if rng.gen_bool(0.5) { rng.gen_range(0..=POLICY_MAX_OP) } else { rng.gen_range(POLICY_MAX_OP + 1..=0xff) },
            arg0: rng.gen(),
            arg1: rng.gen(),
            seq: 0,
        })
        .collect()
}

/// App core, security core and Wi-Fi subsystem together; checks every completion and that
/// exactly the allowed requests reached the Wi-Fi port, in order, with their seq.
async fn system_run(ctx: &Ctx, w: &Wifi, n: usize, sec: SecCfg, app_gap: u32, wifi_delay: u32, n_events: usize) -> Result<(), String> {
    let reqs = random_reqs(&w.tb, n);
    let events: Vec<u32> = (0..n_events).map(|_| w.tb.rng().gen()).collect();
    let (stop_sec, stop_wifi) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let log = Rc::new(RefCell::new(SecLog::default()));
    let sec_task = w.tb.spawn(sec_core(w.clone(), sec, stop_sec.clone(), log.clone()));
    let wifi_task = w.tb.spawn(wifi_subsystem(w.clone(), wifi_delay, events.clone(), 40, stop_wifi.clone()));
    let (seen, pushed, fulls) = app_core(w.clone(), reqs.clone(), app_gap, log.clone()).await?;
    // Let the last events arrive.
    for _ in 0..20_000 {
        if log.borrow().events.len() == events.len() {
            break;
        }
        w.tb.rising_edge().await;
    }
    // The security core first (it may wait for a command to be taken), then the Wi-Fi side.
    stop_sec.set(true);
    sec_task.await?;
    stop_wifi.set(true);
    let (taken, sent) = wifi_task.await;
    let log = log.borrow();
    if seen.len() != n {
        return Err(format!("{} completions for {n} requests", seen.len()));
    }
    // Seqs are consecutive (mod 256) in push order.
    for pair in seen.windows(2) {
        if pair[1].0 != (pair[0].0 + 1) & 0xff {
            return Err(format!("completion seqs out of order: {} then {}", pair[0].0, pair[1].0));
        }
    }
    if taken != log.forwarded {
        return Err(format!("the Wi-Fi port took {} commands, the security core forwarded {}: {:?} vs {:?}", taken.len(), log.forwarded.len(), taken.first(), log.forwarded.first()));
    }
    // Every forwarded command is a pushed request, unchanged, in push order, allowed by policy.
    let mut j = 0;
    for f in &log.forwarded {
        while j < pushed.len() && pushed[j].0 != f.seq {
            j += 1;
        }
        let Some((s, r)) = pushed.get(j) else {
            return Err(format!("forwarded command {f:?} matches no pushed request (in order)"));
        };
        if (r.op, r.arg0, r.arg1, *s) != (f.op, f.arg0, f.arg1, f.seq) || policy(f.op) != STATUS_OK {
            return Err(format!("forwarded command {f:?} differs from pushed request {r:?} seq {s}"));
        }
        j += 1;
    }
    if log.events != events[..sent] || sent != events.len() {
        return Err(format!("events: sent {} of {}, the security core read {}", sent, events.len(), log.events.len()));
    }
    let timeouts = seen.iter().filter(|(_, s)| *s == STATUS_TIMEOUT).count();
    ctx.metric("requests", n as f64);
    ctx.metric("forwarded", taken.len() as f64);
    ctx.metric("timeouts", timeouts as f64);
    ctx.metric("full_refusals", fulls as f64);
    ctx.metric("events", sent as f64);
    ctx.metric("timed_out_while_served", log.timed_out_under_it as f64);
    ctx.count(n as u64 + sent as u64);
    if sec.ignore == 0.0 && timeouts != 0 {
        return Err(format!("{timeouts} timeouts with an attentive security core"));
    }
    Ok(())
}

/// The tests of this block, in regression order.
pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "wifi_registers", body: registers },
        Case { name: "wifi_mailbox_policy", body: mailbox_policy },
        Case { name: "wifi_backpressure", body: backpressure },
        Case { name: "wifi_queue_slots", body: queue_slots },
        Case { name: "wifi_timeout", body: timeout },
        Case { name: "wifi_events", body: events },
        Case { name: "wifi_wrong_master", body: wrong_master },
        Case { name: "wifi_cmd_monitor", body: cmd_monitor },
        Case { name: "wifi_bad_input", body: bad_input },
        Case { name: "wifi_random", body: random },
    ]
}

/// Reset values, read-back of every RW register by its owner, ID for every master, the
/// command port following the WIFI_CMD_* registers.
fn registers(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        for r in MAP.regs.iter().filter(|r| r.access.readable()) {
            let apb = if r.readers == APP { &w.app } else { &w.sec };
            let v = apb.read(r.offset).await?;
            if v != r.reset {
                return Err(format!("{} reads {v:#x} after reset, expected {:#x}", r.name, r.reset));
            }
            ctx.count(1);
        }
        if w.cmd_port() != CmdPort::default() || w.intr_sec() || w.intr_app() || !w.evt_ready() {
            return Err("outputs not at their reset values (evt_ready must be 1 once out of reset)".into());
        }
        for m in ALL_MASTERS {
            if w.sec.with_master(m).read(ID.offset).await? != BLOCK_ID {
                return Err(format!("ID read by master {m}"));
            }
        }
        for _ in 0..20 {
            let (a, b, op, seq) = {
                let mut rng = ctx.tb.rng();
                (rng.gen::<u32>(), rng.gen::<u32>(), rng.gen_range(0..=0xffu32), rng.gen_range(0..=0xffu32))
            };
            for (r, v, apb) in [
                (&REQ_OP, op, &w.app),
                (&REQ_ARG0, a, &w.app),
                (&REQ_ARG1, b, &w.app),
                (&WIFI_CMD_OP, op, &w.sec),
                (&WIFI_CMD_ARG0, a, &w.sec),
                (&WIFI_CMD_ARG1, b, &w.sec),
                (&WIFI_CMD_SEQ, seq, &w.sec),
            ] {
                apb.write(r.offset, v).await?;
                let got = apb.read(r.offset).await?;
                if got != v {
                    return Err(format!("{} reads {got:#x} after writing {v:#x}", r.name));
                }
                ctx.count(1);
            }
            let c = w.cmd_port();
            if (c.op, c.arg0, c.arg1, c.seq, c.valid) != (op, a, b, seq, false) {
                return Err(format!("wifi_cmd_* = {c:?} after writing op {op:#x} arg0 {a:#x} arg1 {b:#x} seq {seq:#x}"));
            }
        }
        // The staging registers are not consumed by a push.
        w.app.write(REQ_PUSH.offset, 1).await?;
        let h = w.head().await?;
        let staged = Cmd { op: w.app.read(REQ_OP.offset).await?, arg0: w.app.read(REQ_ARG0.offset).await?, arg1: w.app.read(REQ_ARG1.offset).await?, seq: 1 };
        if h != staged {
            return Err(format!("head request {h:?}, staged {staged:?}"));
        }
        let st = w.sec.read(SEC_STATUS.offset).await?;
        if st != SEC_STATUS_REQ_PENDING.mask() | SEC_STATUS_REQ_LEVEL.put(1) || !w.intr_sec() {
            return Err(format!("SEC_STATUS {st:#x} with one request"));
        }
        w.monitor_report(&ctx)
    })
}

/// The normal flow under load: policy, forwarding, completions, events; attentive security core.
fn mailbox_policy(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let n = ctx.scale(300);
        system_run(&ctx, &w, n, SecCfg { ignore: 0.0, max_gap: 6 }, 8, 12, 40).await?;
        w.monitor_report(&ctx)
    })
}

/// QUEUE_DEPTH outstanding requests, counting completions not yet popped; FULL refusals change
/// nothing; seq wraps 255 -> 0.
fn backpressure(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let r = |i: u32| Cmd { op: i, arg0: 0x1000 + i, arg1: 0x2000 + i, seq: 0 };
        for i in 0..QUEUE_DEPTH {
            w.push(&r(i)).await?;
        }
        let st = w.app.read(APP_STATUS.offset).await?;
        if st != APP_STATUS_LAST_SEQ.put(4) | APP_STATUS_REQ_LEVEL.put(4) | APP_STATUS_FULL.mask() {
            return Err(format!("APP_STATUS {st:#x} with 4 queued"));
        }
        w.stage(&r(99)).await?;
        w.expect_err("push while 4 queued", &w.app, true, REQ_PUSH.offset, 1, 0xf, ERR_FULL).await?;
        // Completing moves requests to the completion queue: still FULL.
        for s in 1..=2 {
            w.complete(s, STATUS_OK).await?;
        }
        let st = w.app.read(APP_STATUS.offset).await?;
        if st != APP_STATUS_LAST_SEQ.put(4) | APP_STATUS_REQ_LEVEL.put(2) | APP_STATUS_CPL_LEVEL.put(2) | APP_STATUS_FULL.mask() {
            return Err(format!("APP_STATUS {st:#x} with 2 queued + 2 completed"));
        }
        if !w.intr_app() {
            return Err("intr_app low with completions waiting".into());
        }
        w.expect_err("push while 2 queued + 2 completed", &w.app, true, REQ_PUSH.offset, 1, 0xf, ERR_FULL).await?;
        // Popping one completion frees one slot.
        let cpl = w.app.read(APP_CPL.offset).await?;
        if cpl != APP_CPL_VALID.mask() | APP_CPL_SEQ.put(1) | APP_CPL_STATUS.put(STATUS_OK) {
            return Err(format!("APP_CPL {cpl:#x}"));
        }
        w.app.write(APP_CPL_POP.offset, 1).await?;
        w.push(&r(5)).await?;
        w.expect_err("push when full again", &w.app, true, REQ_PUSH.offset, 1, 0xf, ERR_FULL).await?;
        ctx.count(4);
        // Drain, then run seqs past the wrap with short bursts.
        w.drain().await?;
        let mut last = APP_STATUS_LAST_SEQ.get(w.app.read(APP_STATUS.offset).await?);
        for i in 0..300u32 {
            w.push(&r(i & 0x7f)).await?;
            let want = (last + 1) & 0xff;
            let h = w.head().await?;
            if h.seq != want || h.op != i & 0x7f {
                return Err(format!("push {i}: head {h:?}, expected seq {want}"));
            }
            w.complete(want, i & 0x3f).await?;
            let cpl = w.app.read(APP_CPL.offset).await?;
            if cpl != APP_CPL_VALID.mask() | APP_CPL_SEQ.put(want) | APP_CPL_STATUS.put(i & 0x3f) {
                return Err(format!("push {i}: APP_CPL {cpl:#x}, expected seq {want}"));
            }
            w.app.write(APP_CPL_POP.offset, 1).await?;
            last = want;
            ctx.count(1);
        }
        w.monitor_report(&ctx)
    })
}

/// Every slot of both queues carries every bit both ways: bursts of four requests whose
/// arguments walk a one (and, every other burst, a zero) over all 32 bits, read back at the head
/// in order, completed with statuses that set and clear every status bit in every completion
/// slot (0x00..=0xFE: software's range), then popped in order with CPL_LEVEL counting down.
fn queue_slots(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        const STATUSES: [u32; 4] = [0xFE, 0x01, 0xAA, 0x55];
        let mut seq = APP_STATUS_LAST_SEQ.get(w.app.read(APP_STATUS.offset).await?);
        for burst in 0..16u32 {
            let invert = if burst % 2 == 1 { u32::MAX } else { 0 };
            let reqs: Vec<Cmd> = (0..QUEUE_DEPTH)
                .map(|k| {
                    let one = 1u32 << ((4 * (burst / 2) + k) % 32);
                    seq = (seq + 1) & 0xff;
                    Cmd { op: (0x11 * (k + 1) + burst) & 0xff, arg0: one ^ invert, arg1: !one ^ invert, seq }
                })
                .collect();
            for r in &reqs {
                w.push(r).await?;
            }
            let statuses: Vec<u32> = (0..QUEUE_DEPTH as usize).map(|k| STATUSES[(k + burst as usize) % 4]).collect();
            for (r, status) in reqs.iter().zip(&statuses) {
                let h = w.head().await?;
                ensure(h == *r, || format!("burst {burst}: head {h:?}, expected {r:?}"))?;
                w.complete(r.seq, *status).await?;
            }
            ensure(w.intr_app(), || format!("burst {burst}: intr_app low with four completions waiting"))?;
            for (k, (r, status)) in reqs.iter().zip(&statuses).enumerate() {
                let st = w.app.read(APP_STATUS.offset).await?;
                let level = QUEUE_DEPTH - k as u32;
                ensure(APP_STATUS_CPL_LEVEL.get(st) == level, || format!("burst {burst}: APP_STATUS {st:#x}, expected CPL_LEVEL {level}"))?;
                let cpl = w.app.read(APP_CPL.offset).await?;
                let want = APP_CPL_VALID.mask() | APP_CPL_STATUS.put(*status) | APP_CPL_SEQ.put(r.seq);
                ensure(cpl == want, || format!("burst {burst}, completion {k}: APP_CPL {cpl:#x}, expected {want:#x}"))?;
                w.app.write(APP_CPL_POP.offset, 1).await?;
            }
            ensure(w.app.read(APP_CPL.offset).await? == 0, || format!("burst {burst}: APP_CPL not 0 once drained"))?;
            ctx.count(1);
        }
        w.monitor_report(&ctx)
    })
}

/// Wait until the next edge where `intr_app` is high, up to `limit` cycles; returns its cycle.
async fn wait_intr_app(w: &Wifi, limit: u64) -> Result<u64, String> {
    for _ in 0..limit {
        if w.intr_app() {
            return Ok(w.tb.cycle());
        }
        w.tb.rising_edge().await;
    }
    Err(format!("intr_app did not rise within {limit} cycles"))
}

/// The hardware TIMEOUT: exact cycle, status, restart for the next head, and the SEC_COMPLETE
/// races at the last edge (it wins) and just after (stale: ERR_SEQ / ERR_EMPTY).
fn timeout(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let t = REQ_TIMEOUT as u64;
        let r = Cmd { op: 1, arg0: 2, arg1: 3, seq: 0 };
        // One ignored request: completed with TIMEOUT at push edge + REQ_TIMEOUT.
        w.push(&r).await?;
        let e = w.tb.cycle();
        let at = wait_intr_app(&w, t + 10).await?;
        if at != e + t {
            return Err(format!("timeout completion visible after edge {at}, push completed at edge {e}: {} cycles, expected {t}", at - e));
        }
        let cpl = w.app.read(APP_CPL.offset).await?;
        if cpl != APP_CPL_VALID.mask() | APP_CPL_SEQ.put(1) | APP_CPL_STATUS.put(STATUS_TIMEOUT) {
            return Err(format!("APP_CPL {cpl:#x} after a timeout"));
        }
        if w.sec.read(SEC_STATUS.offset).await? & SEC_STATUS_REQ_PENDING.mask() != 0 {
            return Err("request still pending after its timeout".into());
        }
        w.expect_err("complete a timed-out request", &w.sec, true, SEC_COMPLETE.offset, SEC_COMPLETE_SEQ.put(1), 0xf, ERR_EMPTY).await?;
        w.app.write(APP_CPL_POP.offset, 1).await?;
        ctx.count(1);

        // Two queued: the second becomes head at the first's timeout and gets its own full time.
        w.push(&r).await?;
        let e1 = w.tb.cycle();
        w.push(&r).await?;
        let a1 = wait_intr_app(&w, t + 10).await?;
        w.app.write(APP_CPL_POP.offset, 1).await?;
        let a2 = wait_intr_app(&w, t + 10).await?;
        if a1 != e1 + t || a2 != a1 + t {
            return Err(format!("timeouts after edges {a1} and {a2}, first push at {e1}: expected {} and {}", e1 + t, e1 + 2 * t));
        }
        let cpl = w.app.read(APP_CPL.offset).await?;
        if APP_CPL_SEQ.get(cpl) != 3 || APP_CPL_STATUS.get(cpl) != STATUS_TIMEOUT {
            return Err(format!("second timeout: APP_CPL {cpl:#x}"));
        }
        w.app.write(APP_CPL_POP.offset, 1).await?;
        ctx.count(2);

        // SEC_COMPLETE completing exactly at edge head + REQ_TIMEOUT wins over the timeout.
        // A write started in the cycle after edge X completes at edge X + 2.
        w.push(&r).await?;
        let e = w.tb.cycle();
        w.tb.clock_cycles(t - 2).await;
        w.complete(4, 0x42).await?;
        if w.tb.cycle() != e + t {
            return Err(format!("harness: SEC_COMPLETE landed at edge {}, wanted {}", w.tb.cycle(), e + t));
        }
        let cpl = w.app.read(APP_CPL.offset).await?;
        if cpl != APP_CPL_VALID.mask() | APP_CPL_SEQ.put(4) | APP_CPL_STATUS.put(0x42) {
            return Err(format!("SEC_COMPLETE at the timeout edge: APP_CPL {cpl:#x}, expected status 0x42"));
        }
        w.app.write(APP_CPL_POP.offset, 1).await?;
        ctx.count(1);

        // One edge later it is too late: the head is already the next request (ERR_SEQ).
        w.push(&r).await?;
        let e = w.tb.cycle();
        w.push(&r).await?;
        w.tb.clock_cycles(t - 1 - (w.tb.cycle() - e)).await;
        let before = w.tb.cycle();
        let res = w.complete(5, STATUS_OK).await;
        if w.tb.cycle() != e + t + 1 || before != e + t - 1 {
            return Err(format!("harness: late SEC_COMPLETE landed at edge {}, wanted {}", w.tb.cycle(), e + t + 1));
        }
        if !matches!(res, Err(ApbError::SlvErr { .. })) {
            return Err(format!("late SEC_COMPLETE: {res:?}, expected PSLVERR"));
        }
        let info = w.sec.read(ERR_INFO.offset).await?;
        if ERR_INFO_CODE.get(info) != ERR_SEQ {
            return Err(format!("late SEC_COMPLETE logged {info:#x}, expected ERR_SEQ"));
        }
        w.sec.write(ERR_INFO.offset, 0).await?;
        let cpl = w.app.read(APP_CPL.offset).await?;
        if cpl != APP_CPL_VALID.mask() | APP_CPL_SEQ.put(5) | APP_CPL_STATUS.put(STATUS_TIMEOUT) {
            return Err(format!("late SEC_COMPLETE: APP_CPL {cpl:#x}, expected seq 5 TIMEOUT"));
        }
        // The timer restarted for seq 6 at seq 5's timeout edge: complete it near the end.
        if w.sec.read(SEC_REQ_SEQ.offset).await? != 6 {
            return Err("seq 6 is not the head".into());
        }
        w.complete(6, STATUS_REFUSED).await?;
        w.drain().await?;
        ctx.count(2);

        // A completion elsewhere resets the timer: complete the head after t/2, the next head
        // times out t after that completion.
        w.push(&r).await?;
        w.push(&r).await?;
        w.tb.clock_cycles(t / 2).await;
        w.complete(7, STATUS_OK).await?;
        let c = w.tb.cycle();
        w.app.write(APP_CPL_POP.offset, 1).await?;
        let a = wait_intr_app(&w, t + 10).await?;
        if a != c + t {
            return Err(format!("next head timed out after edge {a}, expected {} (REQ_TIMEOUT after the completion)", c + t));
        }
        ctx.count(1);
        w.monitor_report(&ctx)
    })
}

/// Events: valid/ready handshake, one buffered, readable and poppable by the security core only.
fn events(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        // Single event by hand: taken at the first edge with ready, then ready low until popped.
        w.set_event(true, 0xA5A5_0001);
        w.tb.rising_edge().await;
        w.set_event(true, 0xA5A5_0002);
        if w.evt_ready() || !w.intr_sec() {
            return Err("after an event was taken: evt_ready still 1 or intr_sec low".into());
        }
        w.tb.clock_cycles(5).await;
        if w.sec.read(EVT_DATA.offset).await? != 0xA5A5_0001 {
            return Err("EVT_DATA is not the first event (the second must wait)".into());
        }
        w.expect_err("app reads EVT_DATA", &w.app, false, EVT_DATA.offset, 0, 0, ERR_MASTER).await?;
        w.expect_err("io0 pops the event", &w.io0, true, EVT_POP.offset, 1, 0xf, ERR_MASTER).await?;
        w.sec.write(EVT_POP.offset, 1).await?;
        // Ready again after the pop edge: the second event goes in at the next edge.
        if !w.evt_ready() {
            return Err("evt_ready low after EVT_POP".into());
        }
        w.tb.rising_edge().await;
        w.set_event(false, 0);
        if w.sec.read(EVT_DATA.offset).await? != 0xA5A5_0002 {
            return Err("second event lost".into());
        }
        w.sec.write(EVT_POP.offset, 1).await?;
        if w.sec.read(EVT_DATA.offset).await? != 0 || w.intr_sec() {
            return Err("EVT_DATA not 0 or intr_sec high with no event".into());
        }
        w.expect_err("pop with no event", &w.sec, true, EVT_POP.offset, 1, 0xf, ERR_EMPTY).await?;
        ctx.count(2);
        // A stream of random events against a slow reader.
        let n = ctx.scale(200);
        let evs: Vec<u32> = (0..n).map(|_| ctx.tb.rng().gen()).collect();
        let stop = Rc::new(Cell::new(false));
        let sub = ctx.tb.spawn(wifi_subsystem(w.clone(), 0, evs.clone(), 6, stop.clone()));
        let mut got = Vec::new();
        let mut spins = 0u64;
        while got.len() < n {
            let gap = ctx.tb.rng().gen_range(0..=10u64);
            ctx.tb.clock_cycles(gap).await;
            let st = w.sec.read(SEC_STATUS.offset).await?;
            if SEC_STATUS_EVT_VALID.get(st) == 1 {
                got.push(w.sec.read(EVT_DATA.offset).await?);
                w.sec.write(EVT_POP.offset, 1).await?;
            }
            spins += 1;
            if spins > 100 * n as u64 {
                return Err(format!("only {} of {n} events arrived", got.len()));
            }
        }
        stop.set(true);
        let (_, sent) = sub.await;
        if got != evs || sent != n {
            return Err(format!("events out of order or lost ({} sent, {} read)", sent, got.len()));
        }
        ctx.count(n as u64);
        w.monitor_report(&ctx)
    })
}

/// Every register touched by every master that does not own it: ERR_MASTER, nothing changes
/// (in particular wifi_cmd_*, which the monitor also watches).
fn wrong_master(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let mut n = 0u64;
        for r in MAP.regs {
            for m in ALL_MASTERS {
                if allowed(r, m) {
                    continue;
                }
                w.keep_busy().await?;
                let apb = w.sec.with_master(m);
                let what = format!("master {m} reads {}", r.name);
                w.expect_err(&what, &apb, false, r.offset, 0, 0, ERR_MASTER).await?;
                let v = ctx.tb.rng().gen::<u32>();
                for data in [1u32, 0, v] {
                    let what = format!("master {m} writes {data:#x} to {}", r.name);
                    w.expect_err(&what, &apb, true, r.offset, data, 0xf, ERR_MASTER).await?;
                }
                n += 4;
            }
        }
        // A wrong-master write to ERR_INFO does not clear a logged error.
        let _ = w.app.read(0x100).await;
        let _ = w.app.write(ERR_INFO.offset, 0).await;
        let info = w.sec.read(ERR_INFO.offset).await?;
        if ERR_INFO_CODE.get(info) != ERR_UNMAPPED || ERR_INFO_OVERFLOW.get(info) != 1 {
            return Err(format!("ERR_INFO {info:#x} after an app write to it"));
        }
        w.sec.write(ERR_INFO.offset, 0).await?;
        ctx.count(n);
        w.monitor_report(&ctx)
    })
}

/// Random writes from every master to the WIFI_CMD_* window with a random Wi-Fi subsystem: the
/// monitor proves every change of wifi_cmd_* came from a good security-core write or a take.
fn cmd_monitor(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let stop = Rc::new(Cell::new(false));
        let sub = ctx.tb.spawn(wifi_subsystem(w.clone(), 6, vec![], 0, stop.clone()));
        let n = ctx.scale(3000);
        let cmd_regs = [WIFI_CMD_OP, WIFI_CMD_ARG0, WIFI_CMD_ARG1, WIFI_CMD_SEQ, WIFI_CMD_GO, WIFI_CMD_ACK];
        let mut ok = 0u64;
        for _ in 0..n {
            let (m, r, data, strb, gap) = {
                let mut rng = ctx.tb.rng();
                let m = *[MASTER_SEC, MASTER_SEC, MASTER_APP, MASTER_IO0, MASTER_IO1, 9].get(rng.gen_range(0..6)).unwrap();
                let r = cmd_regs[rng.gen_range(0..cmd_regs.len())];
                let data = match rng.gen_range(0..4) {
                    0 => 1,
                    1 => rng.gen_range(0..=0xff),
                    _ => rng.gen(),
                };
                let strb = if rng.gen_bool(0.9) { 0xf } else { rng.gen_range(0..0xf) };
                (m, r, data, strb, rng.gen_range(0..=3u64))
            };
            ctx.tb.clock_cycles(gap).await;
            if w.sec.with_master(m).write_strb(r.offset, data, strb).await.is_ok() {
                ok += 1;
                if m != MASTER_SEC {
                    return Err(format!("master {m} wrote {} without PSLVERR", r.name));
                }
            }
            // Now and then, the registers must read what the port shows.
            if ctx.tb.rng().gen_bool(0.05) {
                let c = w.cmd_port();
                let regs = (
                    w.sec.read(WIFI_CMD_OP.offset).await?,
                    w.sec.read(WIFI_CMD_ARG0.offset).await?,
                    w.sec.read(WIFI_CMD_ARG1.offset).await?,
                    w.sec.read(WIFI_CMD_SEQ.offset).await?,
                );
                if regs != (c.op, c.arg0, c.arg1, c.seq) {
                    return Err(format!("WIFI_CMD_* read {regs:x?}, the port shows {c:x?}"));
                }
            }
        }
        stop.set(true);
        let (taken, _) = sub.await;
        w.sec.write(ERR_INFO.offset, 0).await?;
        ctx.metric("accepted_writes", ok as f64);
        ctx.metric("commands_taken", taken.len() as f64);
        if ok == 0 || taken.is_empty() {
            return Err("no accepted write or no command taken: the test exercised nothing".into());
        }
        ctx.count(n as u64);
        w.monitor_report(&ctx)
    })
}

/// Every bad bus input: PSLVERR, its code logged, nothing else changes; the check order.
fn bad_input(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let (sec, app) = (&w.sec, &w.app);
        let mut n = 0u64;
        w.busy_state(1).await?;
        // Unmapped and misaligned, by every master.
        for addr in [0x028u32, 0x03C, 0x054, 0x05C, 0x078, 0x07C, 0x088, 0x100, 0xFFC, 0x001, 0x002, 0x063, 0x06E] {
            for m in [MASTER_SEC, MASTER_APP, MASTER_IO1] {
                let apb = sec.with_master(m);
                w.keep_busy().await?;
                w.expect_err(&format!("read {addr:#x} by {m}"), &apb, false, addr, 0, 0, ERR_UNMAPPED).await?;
                w.expect_err(&format!("write {addr:#x} by {m}"), &apb, true, addr, 1, 0xf, ERR_UNMAPPED).await?;
                n += 2;
            }
        }
        for r in MAP.regs {
            let apb = if r.readers == APP { app } else { sec };
            w.keep_busy().await?;
            match r.access {
                Access::Wo => w.expect_err(&format!("read {}", r.name), apb, false, r.offset, 0, 0, ERR_READ_WO).await?,
                Access::Ro => w.expect_err(&format!("write {}", r.name), apb, true, r.offset, 0, 0xf, ERR_WRITE_RO).await?,
                _ => {}
            }
            // Wrong strobes on every writable register (WRITE_RO comes first on RO ones).
            for strb in [0x0u32, 0x1, 0x7, 0x8, 0xE] {
                w.keep_busy().await?;
                let code = if r.access == Access::Ro { ERR_WRITE_RO } else { ERR_STRB };
                w.expect_err(&format!("{} with pstrb {strb:#x}", r.name), apb, true, r.offset, 1, strb, code).await?;
            }
            n += 6;
        }
        // Values.
        w.busy_state(3).await?;
        w.drain().await?;
        for (r, v) in [
            (&REQ_OP, 0x100u32),
            (&REQ_OP, 0x8000_0000),
            (&WIFI_CMD_OP, 0x1FF),
            (&WIFI_CMD_SEQ, 0x0001_0000),
            (&REQ_PUSH, 0),
            (&REQ_PUSH, 3),
            (&REQ_PUSH, 0x8000_0001),
            (&APP_CPL_POP, 2),
            (&WIFI_CMD_GO, 0),
            (&WIFI_CMD_GO, 0xFFFF_FFFF),
            (&WIFI_CMD_ACK, 0x10),
            (&EVT_POP, 0),
            (&SEC_COMPLETE, STATUS_TIMEOUT),
            (&SEC_COMPLETE, 0x0001_0000),
            (&SEC_COMPLETE, 0x8000_0100),
        ] {
            let apb = if r.readers == APP { app } else { sec };
            w.expect_err(&format!("{} = {v:#x}", r.name), apb, true, r.offset, v, 0xf, ERR_VALUE).await?;
            n += 1;
        }
        // Empty: nothing to pop or complete.
        w.expect_err("APP_CPL_POP empty", app, true, APP_CPL_POP.offset, 1, 0xf, ERR_EMPTY).await?;
        w.expect_err("SEC_COMPLETE empty", sec, true, SEC_COMPLETE.offset, 0, 0xf, ERR_EMPTY).await?;
        w.expect_err("EVT_POP empty", sec, true, EVT_POP.offset, 1, 0xf, ERR_EMPTY).await?;
        // ACK with nothing done is fine.
        sec.write(WIFI_CMD_ACK.offset, 1).await?;
        n += 3;
        // Busy: the command registers are locked while the command is offered.
        w.busy_state(4).await?;
        for r in [&WIFI_CMD_OP, &WIFI_CMD_ARG0, &WIFI_CMD_ARG1, &WIFI_CMD_SEQ, &WIFI_CMD_GO] {
            let v = if r.name == "WIFI_CMD_GO" { 1 } else { 0x5A };
            w.expect_err(&format!("{} while offered", r.name), sec, true, r.offset, v, 0xf, ERR_BUSY).await?;
            n += 1;
        }
        // Seq: completing with a seq other than the head's.
        let head = sec.read(SEC_REQ_SEQ.offset).await?;
        for s in [head ^ 1, (head + 1) & 0xff, 0] {
            w.expect_err(&format!("SEC_COMPLETE seq {s} (head {head})"), sec, true, SEC_COMPLETE.offset, SEC_COMPLETE_SEQ.put(s), 0xf, ERR_SEQ).await?;
            n += 1;
        }
        // Full.
        app.write(REQ_PUSH.offset, 1).await?;
        w.expect_err("REQ_PUSH full", app, true, REQ_PUSH.offset, 1, 0xf, ERR_FULL).await?;
        // Check order: each case breaks two rules; the earlier one is logged.
        w.busy_state(5).await?;
        let order = [
            ("unmapped before master", MASTER_APP, true, 0x090u32, 1u32, 0xfu32, ERR_UNMAPPED),
            ("master before RO", MASTER_APP, true, SEC_STATUS.offset, 0, 0xf, ERR_MASTER),
            ("master before WO", MASTER_SEC, false, REQ_PUSH.offset, 0, 0, ERR_MASTER),
            ("RO before strobe", MASTER_SEC, true, EVT_DATA.offset, 0, 0x1, ERR_WRITE_RO),
            ("strobe before value", MASTER_APP, true, REQ_OP.offset, 0x1234, 0x3, ERR_STRB),
            ("strobe before busy", MASTER_SEC, true, WIFI_CMD_ARG0.offset, 0, 0x0, ERR_STRB),
            ("value before busy", MASTER_SEC, true, WIFI_CMD_GO.offset, 2, 0xf, ERR_VALUE),
            ("value before full", MASTER_APP, true, REQ_PUSH.offset, 7, 0xf, ERR_VALUE),
            ("value before seq", MASTER_SEC, true, SEC_COMPLETE.offset, 0xFF, 0xf, ERR_VALUE),
        ];
        for (what, m, write, addr, data, strb, code) in order {
            w.expect_err(what, &sec.with_master(m), write, addr, data, strb, code).await?;
            n += 1;
        }
        // Two errors: the first is kept, OVERFLOW set, a good write clears.
        let _ = app.read(0x200).await;
        let _ = sec.write(ID.offset, 0).await;
        let info = sec.read(ERR_INFO.offset).await?;
        if info != ERR_INFO_CODE.put(ERR_UNMAPPED) | ERR_INFO_MASTER.put(MASTER_APP) | ERR_INFO_ADDR.put(0x200) | ERR_INFO_OVERFLOW.mask() {
            return Err(format!("ERR_INFO after two errors: {info:#010x}"));
        }
        if sec.write_strb(ERR_INFO.offset, 0, 0x1).await.is_ok() || sec.read(ERR_INFO.offset).await? != info {
            return Err("ERR_INFO cleared by a write with a bad strobe".into());
        }
        sec.write(ERR_INFO.offset, 0xFFFF_FFFF).await?;
        if sec.read(ERR_INFO.offset).await? != 0 {
            return Err("ERR_INFO not cleared".into());
        }
        // After all that, the arbiter still works.
        w.drain().await?;
        w.push(&Cmd { op: 1, arg0: 2, arg1: 3, seq: 0 }).await?;
        let h = w.head().await?;
        w.complete(h.seq, STATUS_OK).await?;
        if APP_CPL_SEQ.get(app.read(APP_CPL.offset).await?) != h.seq {
            return Err("arbiter broken after bad input".into());
        }
        ctx.count(n);
        w.monitor_report(&ctx)
    })
}

/// Random everything: app pushes/pops with random pacing, a security core that sometimes
/// ignores requests (timeouts), a random Wi-Fi subsystem, events, and another core poking.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let w = Wifi::new(&ctx.tb)?;
        let stop = Rc::new(Cell::new(false));
        // An I/O core hammering registers it does not own; every access must fail.
        let (io, stop_io) = (w.io0.clone(), stop.clone());
        let tb = ctx.tb.clone();
        let intruder = ctx.tb.spawn(async move {
            let mut tries = 0u64;
            while !stop_io.get() {
                let (r, data, write, gap) = {
                    let mut rng = tb.rng();
                    (MAP.regs[rng.gen_range(0..MAP.regs.len())], rng.gen::<u32>(), rng.gen_bool(0.5), rng.gen_range(0..=60u64))
                };
                tb.clock_cycles(gap).await;
                let res = io.transfer(write, r.offset, data, 0xf).await;
                if res.is_ok() != (r.name == "ID" && !write) {
                    return Err(format!("I/O core {} {}: {res:?}", if write { "write" } else { "read" }, r.name));
                }
                tries += 1;
            }
            Ok::<u64, String>(tries)
        });
        let n = ctx.scale(400);
        let cfg = SecCfg { ignore: 0.03, max_gap: 30 };
        system_run(&ctx, &w, n, cfg, 30, 25, 60).await?;
        stop.set(true);
        let tries = intruder.await?;
        ctx.metric("intruder_accesses", tries as f64);
        w.monitor_report(&ctx)
    })
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    use crate::formal::Proof;
    const SBY: &str = "testbenches/wifi/formal/wifi.sby";
    vec![BlockBench {
        block: "wifi",
        module: "pluton_wifi",
        model: Some(model),
        cases,
        replay: "wifi_events",
        csr: Some(&crate::csr::CsrSpec { map: &pluton_hdl::wifi::regs::MAP, base: 0, master: pluton_hdl::common::masters::MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[Proof { id: "c", block: "wifi", claim: "only the security core drives the Wi-Fi control interface", sby: SBY, task: "sec_only", mutant: "sec_only_mutant" }],
        compares_reads: true,
        scans_leaks: false,
    }]
}
