//! Inter-core mailbox test bench: both cores and the I/O cores on one APB, a message scoreboard, a read-leak observer, and the tests.

use crate::regression::{Case, Ctx, TestFuture};
use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::dut::ApbPins;
use pluton_bindings::{Dut, Tb};
use pluton_hdl::common::regmap::Register;
use pluton_hdl::mailbox::regs::*;
use rand::Rng;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// The reference model the RTL runs in lock-step with.
pub fn model() -> Box<dyn Dut> {
    Box::new(pluton_cosim::MailboxModel::new())
}

/// Masters that exist on the bus plus two that should not.
const ALL_MASTERS: [u32; 6] = [MASTER_SEC, MASTER_APP, MASTER_IO0, MASTER_IO1, 7, 15];

/// What the bench knows a buffer holds and whether its message is pending, from its own good writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Chan {
    words: [u32; 4],
    pending: bool,
}

/// The bench's own picture of the block (never read from the model).
#[derive(Clone, Copy, Debug, Default)]
struct Expect {
    s2a: Chan,
    a2s: Chan,
    sec_ie: bool,
    app_ie: bool,
}

/// Read-leak observer: every completed read is checked against the rule "message words only to
/// their receiver, only while pending"; any refused read must return 0.
#[derive(Default)]
struct Leak {
    reads: u64,
    problem: Option<String>,
}

/// Port ids the bench watches every cycle or drives itself (besides the BFM): the bus (`p.psel`,
/// ... through `Deref`), the reset and the two doorbell interrupts.
#[derive(Clone, Copy)]
struct Pins {
    apb: ApbPins,
    rst_n: usize,
    irq_sec: usize,
    irq_app: usize,
}

impl std::ops::Deref for Pins {
    type Target = ApbPins;
    fn deref(&self) -> &ApbPins {
        &self.apb
    }
}

impl Pins {
    fn new(tb: &Tb) -> Result<Pins, String> {
        Ok(Pins {
            apb: ApbPins::find(|n| tb.port(n).ok()).map_err(|missing| format!("no APB port(s) {}", missing.join(", ")))?,
            rst_n: tb.port("rst_n")?,
            irq_sec: tb.port("irq_sec")?,
            irq_app: tb.port("irq_app")?,
        })
    }
}

/// Returns `Pending` once, after asking to be polled again: the task goes to the back of this
/// cycle's ready queue, behind the test body woken by the same edge.
#[derive(Default)]
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[derive(Clone)]
struct Mb {
    tb: Tb,
    sec: Apb,
    app: Apb,
    bus: Apb,
    pins: Pins,
    /// Cycles the pin monitor checked.
    pin_cycles: Rc<Cell<u64>>,
    exp: Rc<RefCell<Expect>>,
    leak: Rc<RefCell<Leak>>,
}

/// The register and element at `addr`, if mapped.
fn decode(addr: u32) -> Option<(&'static Register, u32)> {
    MAP.decode(addr)
}

impl Mb {
    fn new(tb: &Tb) -> Result<Mb, String> {
        let bus = Apb::new(tb)?;
        let mb = Mb {
            tb: tb.clone(),
            sec: bus.with_master(MASTER_SEC),
            app: bus.with_master(MASTER_APP),
            bus: bus.clone(),
            pins: Pins::new(tb)?,
            pin_cycles: Rc::default(),
            exp: Rc::default(),
            leak: Rc::default(),
        };
        // The observer runs on the bench's expectation before the transfer's effect is applied
        // (tests update `exp` after the transfer returns).
        let (exp, leak) = (mb.exp.clone(), mb.leak.clone());
        bus.observe(move |t| {
            if t.write {
                return;
            }
            let mut l = leak.borrow_mut();
            l.reads += 1;
            let e = exp.borrow();
            let data_read = match decode(t.addr) {
                Some((r, i)) if r.name == "S2A_DATA" => Some((e.s2a, MASTER_APP, i)),
                Some((r, i)) if r.name == "A2S_DATA" => Some((e.a2s, MASTER_SEC, i)),
                _ => None,
            };
            let bad = if t.slverr && t.data != 0 {
                Some(format!("refused read of {:#05x} by master {} returned {:#x}", t.addr, t.master, t.data))
            } else if let Some((c, receiver, i)) = data_read {
                let ok = t.master == receiver && c.pending;
                if ok && (t.slverr || t.data != c.words[i as usize]) {
                    Some(format!("receiver read word {i} at {:#05x}: {:#x} (slverr {}), sent {:#x}", t.addr, t.data, t.slverr, c.words[i as usize]))
                } else if !ok && !t.slverr {
                    Some(format!("master {} read {:#05x} (pending {}) without PSLVERR", t.master, t.addr, c.pending))
                } else {
                    None
                }
            } else {
                None
            };
            if let (Some(b), None) = (bad, &l.problem) {
                l.problem = Some(b);
            }
        });
        // The pin monitor: every cycle, not only when a transfer completes. It runs after the
        // test body in each cycle, so the body's pokes and its `exp` update for a transfer that
        // completed at the last edge are in (the checks hold for any inputs, so this only
        // matters for the interrupt expectation).
        let m = mb.clone();
        tb.spawn(async move {
            loop {
                YieldNow::default().await;
                if let Some(p) = m.pin_problem() {
                    panic!("mailbox pin monitor, cycle {}: {p}", m.tb.cycle());
                }
                m.pin_cycles.set(m.pin_cycles.get() + 1);
                m.tb.rising_edge().await;
            }
        });
        Ok(mb)
    }

    /// The README's rules for the outputs at any moment, from the inputs driven now and the
    /// bench's expectation: `pready` is 1; `prdata`/`pslverr` are 0 outside the access phase and
    /// `prdata` is 0 on a write; the interrupts are pending & enable.
    fn pin_problem(&self) -> Option<String> {
        let (tb, p) = (&self.tb, &self.pins);
        let (psel, penable, pwrite) = (tb.peek_u32(p.psel), tb.peek_u32(p.penable), tb.peek_u32(p.pwrite));
        let (prdata, pslverr) = (tb.peek_u32(p.prdata), tb.peek_u32(p.pslverr));
        let access = psel == 1 && penable == 1;
        let request = || format!("psel {psel} penable {penable} pwrite {pwrite} paddr {:#05x} pmaster {}", tb.peek_u32(p.paddr), tb.peek_u32(p.pmaster));
        if tb.peek_u32(p.pready) != 1 {
            Some(format!("pready 0 ({})", request()))
        } else if !access && (prdata != 0 || pslverr != 0) {
            Some(format!("outside the access phase: prdata {prdata:#x}, pslverr {pslverr} ({})", request()))
        } else if access && pwrite == 1 && prdata != 0 {
            Some(format!("write with prdata {prdata:#x} ({})", request()))
        } else {
            self.check_irqs("every cycle").err()
        }
    }

    /// Apply a good write to the bench's expectation; true if it acknowledged a message.
    fn apply(&self, addr: u32, data: u32) -> bool {
        let mut x = self.exp.borrow_mut();
        match decode(addr) {
            Some((reg, i)) if reg.name == "S2A_DATA" => x.s2a.words[i as usize] = data,
            Some((reg, i)) if reg.name == "A2S_DATA" => x.a2s.words[i as usize] = data,
            Some((reg, _)) if reg.name == "S2A_SEND" => x.s2a.pending = true,
            Some((reg, _)) if reg.name == "A2S_SEND" => x.a2s.pending = true,
            Some((reg, _)) if reg.name == "S2A_ACK" => {
                x.s2a.pending = false;
                return true;
            }
            Some((reg, _)) if reg.name == "A2S_ACK" => {
                x.a2s.pending = false;
                return true;
            }
            Some((reg, _)) if reg.name == "SEC_IRQ_EN" => x.sec_ie = data == 1,
            Some((reg, _)) if reg.name == "APP_IRQ_EN" => x.app_ie = data == 1,
            _ => {}
        }
        false
    }

    /// A write that must succeed, tracked.
    async fn w(&self, apb: &Apb, addr: u32, data: u32) -> Result<(), String> {
        apb.write(addr, data).await?;
        self.apply(addr, data);
        Ok(())
    }

    fn irqs(&self) -> (bool, bool) {
        (self.tb.peek_u32(self.pins.irq_sec) == 1, self.tb.peek_u32(self.pins.irq_app) == 1)
    }

    /// Fail on anything the leak observer saw; count its reads and the pin monitor's cycles
    /// (the monitor fails the run itself, at the cycle).
    fn leak_report(&self, ctx: &Ctx) -> Result<(), String> {
        let l = self.leak.borrow();
        ctx.metric("reads_scanned", l.reads as f64);
        ctx.metric("pin_cycles", self.pin_cycles.get() as f64);
        match &l.problem {
            Some(p) => Err(format!("read observer: {p}")),
            None if l.reads == 0 => Err("read observer saw no reads".into()),
            None if self.pin_cycles.get() == 0 => Err("pin monitor checked no cycle".into()),
            None => Ok(()),
        }
    }

    /// Interrupt pins as the README defines them from the bench's expectation.
    fn check_irqs(&self, what: &str) -> Result<(), String> {
        let e = *self.exp.borrow();
        let want = (e.a2s.pending && e.sec_ie, e.s2a.pending && e.app_ie);
        if self.irqs() != want {
            return Err(format!("{what}: (irq_sec, irq_app) = {:?}, expected {want:?}", self.irqs()));
        }
        Ok(())
    }

    fn want_status(&self) -> u32 {
        let e = *self.exp.borrow();
        STATUS_S2A_PENDING.put(e.s2a.pending as u32)
            | STATUS_A2S_PENDING.put(e.a2s.pending as u32)
            | STATUS_SEC_IE.put(e.sec_ie as u32)
            | STATUS_APP_IE.put(e.app_ie as u32)
    }

    /// Write a whole message as its sender (SEC sends S2A) and ring.
    async fn send(&self, s2a: bool, words: [u32; 4]) -> Result<(), String> {
        let (apb, data, send) = if s2a { (&self.sec, &S2A_DATA, &S2A_SEND) } else { (&self.app, &A2S_DATA, &A2S_SEND) };
        for (i, w) in words.iter().enumerate() {
            self.w(apb, data.addr(i as u32), *w).await?;
        }
        self.w(apb, send.offset, 1).await
    }

    /// Read the pending message as its receiver and acknowledge it.
    async fn receive(&self, s2a: bool) -> Result<[u32; 4], String> {
        let (apb, data, ack) = if s2a { (&self.app, &S2A_DATA, &S2A_ACK) } else { (&self.sec, &A2S_DATA, &A2S_ACK) };
        let mut got = [0; 4];
        for (i, g) in got.iter_mut().enumerate() {
            *g = apb.read(data.addr(i as u32)).await?;
        }
        self.w(apb, ack.offset, 1).await?;
        Ok(got)
    }

    async fn set_ie(&self, sec: bool, on: bool) -> Result<(), String> {
        if sec {
            self.w(&self.sec, SEC_IRQ_EN.offset, on as u32).await
        } else {
            self.w(&self.app, APP_IRQ_EN.offset, on as u32).await
        }
    }

    /// Everything observable without an error: STATUS, the enables, pending messages, the pins.
    async fn snapshot(&self) -> Result<Vec<(String, u32)>, ApbError> {
        let st = self.sec.read(STATUS.offset).await?;
        let mut s = vec![
            ("STATUS".to_string(), st & !STATUS_ERR.mask()),
            ("STATUS(app)".into(), self.app.read(STATUS.offset).await? & !STATUS_ERR.mask()),
            ("SEC_IRQ_EN".into(), self.sec.read(SEC_IRQ_EN.offset).await?),
            ("APP_IRQ_EN".into(), self.app.read(APP_IRQ_EN.offset).await?),
        ];
        for i in 0..4 {
            if STATUS_S2A_PENDING.get(st) == 1 {
                s.push((format!("S2A_DATA[{i}]"), self.app.read(S2A_DATA.addr(i)).await?));
            }
            if STATUS_A2S_PENDING.get(st) == 1 {
                s.push((format!("A2S_DATA[{i}]"), self.sec.read(A2S_DATA.addr(i)).await?));
            }
        }
        let (a, b) = self.irqs();
        s.push(("irq_sec".into(), a as u32));
        s.push(("irq_app".into(), b as u32));
        Ok(s)
    }

    /// A transfer that must be refused: PSLVERR, prdata 0, and nothing but ERR_INFO changed.
    async fn refuse(&self, what: &str, master: u32, write: bool, addr: u32, data: u32, strb: u32) -> Result<(), String> {
        let before = self.snapshot().await?;
        match self.bus.with_master(master).transfer(write, addr, data, strb).await {
            Err(ApbError::SlvErr { data: d, .. }) if write || d == 0 => {}
            other => return Err(format!("{what}: expected PSLVERR with prdata 0, got {other:?}")),
        }
        let after = self.snapshot().await?;
        if let Some((a, b)) = before.iter().zip(&after).find(|(a, b)| a != b) {
            return Err(format!("{what}: {} changed from {:#x} to {:#x}", a.0, a.1, b.1));
        }
        if before.len() != after.len() {
            return Err(format!("{what}: a doorbell changed"));
        }
        Ok(())
    }

    /// ERR_INFO must read `want`, and STATUS.ERR must say whether it is set.
    async fn check_err_info(&self, what: &str, want: u32) -> Result<(), String> {
        let info = self.sec.read(ERR_INFO.offset).await?;
        if info != want {
            return Err(format!("{what}: ERR_INFO = {info:#010x}, expected {want:#010x}"));
        }
        if STATUS_ERR.get(self.app.read(STATUS.offset).await?) != (want != 0) as u32 {
            return Err(format!("{what}: STATUS.ERR does not follow ERR_INFO {want:#x}"));
        }
        Ok(())
    }

    /// A transfer that must fail with `code`: refused (see `refuse`), ERR_INFO exactly it,
    /// STATUS.ERR. ERR_INFO must be clear before; clears it after.
    #[allow(clippy::too_many_arguments)]
    async fn expect_err(&self, what: &str, master: u32, write: bool, addr: u32, data: u32, strb: u32, code: u32) -> Result<(), String> {
        if self.sec.read(ERR_INFO.offset).await? != 0 {
            return Err(format!("{what}: ERR_INFO not clear before"));
        }
        self.refuse(what, master, write, addr, data, strb).await?;
        self.check_err_info(&format!("{what} (code {code})"), err_info(code, master, write, addr)).await?;
        self.sec.write(ERR_INFO.offset, 0).await?;
        Ok(())
    }

    /// Every register at its README reset value, no message pending, interrupts low.
    async fn check_reset_values(&self, what: &str) -> Result<(), String> {
        for m in ALL_MASTERS {
            if self.bus.with_master(m).read(ID.offset).await? != BLOCK_ID {
                return Err(format!("{what}: ID read by master {m}"));
            }
        }
        for (r, apb) in [(&ERR_INFO, &self.sec), (&STATUS, &self.sec), (&STATUS, &self.app), (&SEC_IRQ_EN, &self.sec), (&APP_IRQ_EN, &self.app)] {
            if apb.read(r.offset).await? != 0 {
                return Err(format!("{what}: {} not 0", r.name));
            }
        }
        self.check_irqs(what)
    }
}

/// ERR_INFO as the README defines it for a first (logged) error.
fn err_info(code: u32, master: u32, write: bool, addr: u32) -> u32 {
    ERR_INFO_CODE.put(code) | ERR_INFO_MASTER.put(master) | ERR_INFO_WRITE.put(write as u32) | ERR_INFO_ADDR.put(addr & 0xfff)
}

/// The README's checks, in order, from the register table and the doorbells: `Some(code)` if the
/// access must be refused. Written from the README for this bench (not shared with the model).
fn expected_error(addr: u32, master: u32, write: bool, data: u32, strb: u32, s2a_pending: bool, a2s_pending: bool) -> Option<u32> {
    let Some((reg, _)) = decode(addr) else { return Some(ERR_UNMAPPED) };
    let (sec, app) = (master == MASTER_SEC, master == MASTER_APP);
    let ok_master = match (reg.name, write) {
        ("ID", _) => true,
        ("STATUS", _) => sec || app,
        ("ERR_INFO" | "SEC_IRQ_EN" | "S2A_SEND" | "A2S_ACK", _) => sec,
        ("APP_IRQ_EN" | "A2S_SEND" | "S2A_ACK", _) => app,
        ("S2A_DATA", w) => if w { sec } else { app },
        ("A2S_DATA", w) => if w { app } else { sec },
        _ => unreachable!(),
    };
    let go = reg.name.ends_with("_SEND") || reg.name.ends_with("_ACK");
    let s2a = reg.name.starts_with("S2A");
    let pending = if s2a { s2a_pending } else { a2s_pending };
    if !ok_master {
        Some(ERR_MASTER)
    } else if !write && go {
        Some(ERR_READ_WO)
    } else if write && (reg.name == "ID" || reg.name == "STATUS") {
        Some(ERR_WRITE_RO)
    } else if write && strb != 0xF {
        Some(ERR_STRB)
    } else if write && ((go && data != 1) || (reg.name.ends_with("IRQ_EN") && data > 1)) {
        Some(ERR_VALUE)
    } else if write && (reg.name.ends_with("_DATA") || reg.name.ends_with("_SEND")) && pending {
        Some(ERR_BUSY)
    } else if ((!write && reg.name.ends_with("_DATA")) || (write && reg.name.ends_with("_ACK"))) && !pending && reg.name != "ERR_INFO" {
        Some(ERR_EMPTY)
    } else {
        None
    }
}

/// The tests of this block, in regression order.
pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "mailbox_round_trip", body: round_trip },
        Case { name: "mailbox_interrupts", body: interrupts },
        Case { name: "mailbox_refused", body: refused },
        Case { name: "mailbox_third_master", body: third_master },
        Case { name: "mailbox_random", body: random },
        Case { name: "mailbox_bus_phases", body: bus_phases },
        Case { name: "mailbox_reset", body: reset },
        Case { name: "mailbox_err_overflow", body: err_overflow },
    ]
}

/// Reset values; one message each way word by word (interrupt and STATUS at each step); a
/// second message each way after the acknowledge; a partial rewrite keeps the other words.
fn round_trip(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        mb.check_reset_values("after reset").await?;
        mb.set_ie(true, true).await?;
        mb.set_ie(false, true).await?;
        for round in 0..2u32 {
            for s2a in [true, false] {
                let (tx, rx, data, send, ack) =
                    if s2a { (&mb.sec, &mb.app, &S2A_DATA, &S2A_SEND, &S2A_ACK) } else { (&mb.app, &mb.sec, &A2S_DATA, &A2S_SEND, &A2S_ACK) };
                let words = [0x1111_0000 ^ round, 0x2222_0000 ^ s2a as u32, 0xdead_beef ^ round << 8, 0x8000_0001 ^ round];
                for (i, w) in words.iter().enumerate() {
                    mb.w(tx, data.addr(i as u32), *w).await?;
                    mb.check_irqs("while writing")?;
                    ctx.count(1);
                }
                mb.w(tx, send.offset, 1).await?;
                // The doorbell and interrupt are up from the ringing edge.
                let pend = if s2a { STATUS_S2A_PENDING } else { STATUS_A2S_PENDING };
                let (isec, iapp) = mb.irqs();
                if (isec, iapp) != (!s2a, s2a) {
                    return Err(format!("round {round} s2a {s2a}: irqs ({isec}, {iapp}) after the ring"));
                }
                let ie = STATUS_SEC_IE.mask() | STATUS_APP_IE.mask();
                for who in [&mb.sec, &mb.app] {
                    let st = who.read(STATUS.offset).await?;
                    if st != ie | pend.mask() {
                        return Err(format!("STATUS {st:#x} with one message pending"));
                    }
                }
                for (i, w) in words.iter().enumerate() {
                    let got = rx.read(data.addr(i as u32)).await?;
                    if got != *w {
                        return Err(format!("round {round} s2a {s2a}: word {i} read {got:#x}, sent {w:#x}"));
                    }
                    ctx.count(1);
                }
                mb.w(rx, ack.offset, 1).await?;
                if mb.irqs() != (false, false) {
                    return Err(format!("interrupt still up after the acknowledge: {:?}", mb.irqs()));
                }
                if mb.sec.read(STATUS.offset).await? != ie {
                    return Err("STATUS after the acknowledge".into());
                }
            }
        }
        // A partial rewrite: only word 2 changes, the message carries the old words 0, 1, 3.
        mb.w(&mb.sec, S2A_DATA.addr(2), 0x5a5a_5a5a).await?;
        mb.w(&mb.sec, S2A_SEND.offset, 1).await?;
        let want = [0x1111_0001, 0x2222_0001, 0x5a5a_5a5a, 0x8000_0000];
        for (i, w) in want.iter().enumerate() {
            let got = mb.app.read(S2A_DATA.addr(i as u32)).await?;
            if got != *w {
                return Err(format!("partial rewrite: word {i} = {got:#x}, expected {w:#x}"));
            }
        }
        ctx.count(4);
        mb.leak_report(&ctx)
    })
}

/// Each enable gates only its own core's interrupt, with a message pending or not, enabled before
/// or after the ring; the other direction never raises it.
fn interrupts(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        for s2a in [true, false] {
            let rx_sec = !s2a; // the receiver of this direction
            mb.send(s2a, [1, 2, 3, 4]).await?;
            mb.check_irqs("pending, IE off")?;
            // The other core's enable does nothing for this message.
            mb.set_ie(!rx_sec, true).await?;
            mb.check_irqs("pending, other IE on")?;
            mb.set_ie(rx_sec, true).await?;
            mb.check_irqs("pending, IE on")?;
            if mb.irqs() != (rx_sec, !rx_sec) {
                return Err("receiver interrupt not up".into());
            }
            mb.set_ie(rx_sec, false).await?;
            mb.check_irqs("pending, IE off again")?;
            mb.set_ie(rx_sec, true).await?;
            mb.receive(s2a).await?;
            mb.check_irqs("acknowledged")?;
            // Enabled before the ring: up from the ringing edge, not before.
            mb.send(s2a, [5, 6, 7, 8]).await?;
            mb.check_irqs("ring with IE on")?;
            mb.receive(s2a).await?;
            mb.set_ie(true, false).await?;
            mb.set_ie(false, false).await?;
            mb.check_irqs("all off")?;
            ctx.count(8);
        }
        // Both pending, both enabled: both up; acknowledging one leaves the other.
        mb.set_ie(true, true).await?;
        mb.set_ie(false, true).await?;
        mb.send(true, [9; 4]).await?;
        mb.send(false, [10; 4]).await?;
        if mb.irqs() != (true, true) {
            return Err(format!("both pending: {:?}", mb.irqs()));
        }
        mb.receive(true).await?;
        mb.check_irqs("one acknowledged")?;
        if mb.irqs() != (true, false) {
            return Err(format!("after S2A_ACK: {:?}", mb.irqs()));
        }
        ctx.count(2);
        mb.leak_report(&ctx)
    })
}

/// Every register x every master x read/write in both doorbell states, against the README's
/// table (a refused access changes nothing but ERR_INFO); non-word strobes on every writable
/// register; bad values; the check order; ERR_INFO overflow. Buffers are checked afterwards.
fn refused(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        mb.set_ie(true, true).await?;
        let mut addrs: Vec<u32> = Vec::new();
        for r in MAP.regs {
            for i in 0..r.count {
                addrs.push(r.addr(i));
            }
        }
        addrs.extend([0x002, 0x018, 0x023, 0x038, 0x05C, 0xFFC]);
        let mut refused = 0;
        for phase in 0..2 {
            let pending = phase == 1;
            if pending {
                mb.send(true, [0xA0, 0xA1, 0xA2, 0xA3]).await?;
                mb.send(false, [0xB0, 0xB1, 0xB2, 0xB3]).await?;
            }
            for &addr in &addrs {
                for m in ALL_MASTERS {
                    for (write, data, strb) in [(false, 0, 0), (true, 1, 0xF), (true, 0x77, 0xF), (true, 1, 0x7)] {
                        let Some(code) = expected_error(addr, m, write, data, strb, pending, pending) else { continue };
                        let what = format!("master {m} {} {addr:#05x} data {data:#x} strb {strb:#x} pending {pending}", if write { "write" } else { "read" });
                        mb.expect_err(&what, m, write, addr, data, strb, code).await?;
                        refused += 1;
                        ctx.count(1);
                    }
                }
            }
            if pending {
                // The messages survived every refused access.
                for s2a in [true, false] {
                    let got = mb.receive(s2a).await?;
                    let base = if s2a { 0xA0 } else { 0xB0 };
                    if got != [base, base + 1, base + 2, base + 3] {
                        return Err(format!("message {s2a} after refused accesses: {got:x?}"));
                    }
                }
            } else {
                // Buffers were never written by a refused access: zeros go out.
                for s2a in [true, false] {
                    let (apb, send) = if s2a { (&mb.sec, S2A_SEND.offset) } else { (&mb.app, A2S_SEND.offset) };
                    mb.w(apb, send, 1).await?;
                    let got = mb.receive(s2a).await?;
                    if got != [0; 4] {
                        return Err(format!("buffer {s2a} written by a refused access: {got:x?}"));
                    }
                }
            }
        }
        ctx.metric("refused_accesses", refused as f64);
        // The check order on single accesses (each pair: the earlier check wins).
        let order: [(&str, u32, bool, u32, u32, u32, u32); 6] = [
            ("unmapped before master", 0x06C, false, 0, 0, MASTER_IO0, ERR_UNMAPPED),
            ("master before direction", S2A_ACK.offset, false, 0, 0, MASTER_SEC, ERR_MASTER),
            ("direction before strobe", STATUS.offset, true, 0, 0x1, MASTER_APP, ERR_WRITE_RO),
            ("strobe before value", A2S_SEND.offset, true, 2, 0x3, MASTER_APP, ERR_STRB),
            ("value before state", S2A_ACK.offset, true, 0, 0xF, MASTER_APP, ERR_VALUE),
            ("state", S2A_ACK.offset, true, 1, 0xF, MASTER_APP, ERR_EMPTY),
        ];
        for (what, addr, write, data, strb, m, code) in order {
            mb.expect_err(what, m, write, addr, data, strb, code).await?;
            ctx.count(1);
        }
        // A second error only sets OVERFLOW.
        let _ = mb.bus.with_master(MASTER_IO1).read(S2A_DATA.addr(1)).await;
        let _ = mb.app.write(S2A_DATA.addr(1), 5).await;
        let info = mb.sec.read(ERR_INFO.offset).await?;
        let want = ERR_INFO_CODE.put(ERR_MASTER) | ERR_INFO_MASTER.put(MASTER_IO1) | ERR_INFO_ADDR.put(S2A_DATA.addr(1)) | ERR_INFO_OVERFLOW.mask();
        if info != want {
            return Err(format!("ERR_INFO {info:#x} after two errors, expected {want:#x}"));
        }
        mb.sec.write(ERR_INFO.offset, 0xFFFF_FFFF).await?;
        if mb.sec.read(ERR_INFO.offset).await? != 0 {
            return Err("ERR_INFO not cleared by a write".into());
        }
        mb.leak_report(&ctx)
    })
}

/// Messages pending both ways: masters 2, 3, 7, 15 (and each sender on its own buffer) read every
/// word and get PSLVERR with prdata 0, and the receivers still get the message.
fn third_master(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        let s = [0x5EC0_0000, 0x5EC0_0001, 0x5EC0_0002, 0x5EC0_0003];
        let a = [0xA990_0000, 0xA990_0001, 0xA990_0002, 0xA990_0003];
        mb.send(true, s).await?;
        mb.send(false, a).await?;
        for (data, sender) in [(&S2A_DATA, MASTER_SEC), (&A2S_DATA, MASTER_APP)] {
            for m in [MASTER_IO0, MASTER_IO1, 7, 15, sender] {
                for i in 0..4 {
                    match mb.bus.with_master(m).read(data.addr(i)).await {
                        Err(ApbError::SlvErr { data: 0, .. }) => ctx.count(1),
                        other => return Err(format!("master {m} read {}[{i}]: {other:?}", data.name)),
                    }
                }
            }
        }
        // The I/O cores cannot see the doorbells either.
        for m in [MASTER_IO0, MASTER_IO1] {
            if mb.bus.with_master(m).read(STATUS.offset).await.is_ok() {
                return Err(format!("master {m} read STATUS"));
            }
        }
        mb.sec.write(ERR_INFO.offset, 0).await?;
        if mb.receive(true).await? != s || mb.receive(false).await? != a {
            return Err("messages changed by the refused reads".into());
        }
        mb.leak_report(&ctx)
    })
}

/// Seeded random traffic from masters 0..3 and 15 (registers, directions, values, strobes all
/// random, biased to the legal flow); the lock-step model checks every cycle, the bench's own
/// scoreboard checks every delivered word, every PSLVERR and both interrupt pins.
fn random(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        let n = ctx.scale(6000);
        let masters = [MASTER_SEC, MASTER_APP, MASTER_SEC, MASTER_APP, MASTER_IO0, MASTER_IO1, 15];
        let (mut delivered, mut refusals) = (0u64, 0u64);
        for k in 0..n {
            let (m, addr, write, data, strb, gap) = {
                let mut rng = ctx.tb.rng();
                let mut m = masters[rng.gen_range(0..masters.len())];
                let addr = if rng.gen_bool(0.03) {
                    rng.gen_range(0..0x100u32) & !rng.gen_range(0..2u32)
                } else {
                    let r = &MAP.regs[rng.gen_range(0..MAP.regs.len())];
                    r.addr(rng.gen_range(0..r.count))
                };
                let mut write = rng.gen_bool(0.5);
                // Mostly the master and direction the flow uses for this register.
                if rng.gen_bool(0.6) {
                    let name = decode(addr).map_or("", |(r, _)| r.name);
                    let sender_sec = name.starts_with("S2A");
                    (m, write) = match name {
                        "S2A_DATA" | "A2S_DATA" if write => (if sender_sec { MASTER_SEC } else { MASTER_APP }, true),
                        "S2A_DATA" | "A2S_DATA" => (if sender_sec { MASTER_APP } else { MASTER_SEC }, false),
                        "S2A_SEND" | "A2S_ACK" | "SEC_IRQ_EN" => (MASTER_SEC, true),
                        "A2S_SEND" | "S2A_ACK" | "APP_IRQ_EN" => (MASTER_APP, true),
                        _ => (m, write),
                    };
                }
                let name = decode(addr).map_or("", |(r, _)| r.name);
                // Mostly legal values: 1 to ring/acknowledge, 0 or 1 for an enable.
                let data = if rng.gen_bool(0.1) {
                    rng.gen::<u32>()
                } else if name.ends_with("IRQ_EN") {
                    rng.gen_range(0..2u32)
                } else if name.ends_with("_SEND") || name.ends_with("_ACK") {
                    1
                } else {
                    rng.gen::<u32>()
                };
                let strb = if rng.gen_bool(0.95) { 0xF } else { rng.gen_range(0..15u32) };
                (m, addr, write, data, strb, rng.gen_range(0..3u64))
            };
            if gap > 0 {
                mb.tb.clock_cycles(gap).await;
            }
            let e = *mb.exp.borrow();
            let want = expected_error(addr, m, write, data, strb, e.s2a.pending, e.a2s.pending);
            let r = mb.bus.with_master(m).transfer(write, addr, data, strb).await;
            match (want, &r) {
                (Some(_), Err(ApbError::SlvErr { .. })) => refusals += 1,
                (None, Ok(_)) => {}
                _ => return Err(format!("transfer {k}: master {m} {} {addr:#05x} data {data:#x} strb {strb:#x}: {r:?}, expected error {want:?}", if write { "write" } else { "read" })),
            }
            if want.is_none() && write {
                delivered += mb.apply(addr, data) as u64;
            }
            if want.is_none() && !write && addr == STATUS.offset {
                let got = r.as_ref().map(|t| t.data & !STATUS_ERR.mask()).unwrap_or(0);
                if got != mb.want_status() {
                    return Err(format!("transfer {k}: STATUS {got:#x}, expected {:#x}", mb.want_status()));
                }
            }
            mb.check_irqs(&format!("after transfer {k}"))?;
            ctx.count(1);
        }
        ctx.metric("messages_delivered", delivered as f64);
        ctx.metric("refused", refusals as f64);
        if delivered < 20 || refusals < 100 {
            return Err(format!("weak run: {delivered} messages delivered, {refusals} refusals"));
        }
        mb.leak_report(&ctx)
    })
}

/// Requests held outside the access phase (SETUP, penable without psel, idle with a request on
/// the lines) for every register x master x read/write, with both messages pending and both
/// enables on, so good reads have words to show and good writes something to change: prdata and
/// pslverr stay 0 (the pin monitor checks every cycle), nothing changes and nothing is logged,
/// since only a completed transfer has an effect.
fn bus_phases(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        let (tb, p) = (&mb.tb, mb.pins);
        let (s, a) = ([0x5E0, 0x5E1, 0x5E2, 0x5E3], [0xA90, 0xA91, 0xA92, 0xA93]);
        mb.set_ie(true, true).await?;
        mb.set_ie(false, true).await?;
        mb.send(true, s).await?;
        mb.send(false, a).await?;
        let before = mb.snapshot().await?;
        let mut addrs: Vec<u32> = MAP.regs.iter().flat_map(|r| (0..r.count).map(|i| r.addr(i))).collect();
        addrs.extend([0x002, 0x018, 0xFFC]);
        for &addr in &addrs {
            for m in ALL_MASTERS {
                for write in [false, true] {
                    // pwdata 1 is a legal value for every register: SEND, ACK, enables, ERR_INFO.
                    for (psel, penable) in [(1, 0), (0, 1), (0, 0)] {
                        tb.poke_u32(p.psel, psel);
                        tb.poke_u32(p.penable, penable);
                        tb.poke_u32(p.pwrite, write as u32);
                        tb.poke_u32(p.paddr, addr);
                        tb.poke_u32(p.pwdata, 1);
                        tb.poke_u32(p.pstrb, 0xF);
                        tb.poke_u32(p.pmaster, m);
                        tb.rising_edge().await; // the pin monitor checks this cycle
                        ctx.count(1);
                    }
                }
            }
        }
        tb.poke_u32(p.psel, 0);
        tb.poke_u32(p.penable, 0);
        let after = mb.snapshot().await?;
        if let Some((x, y)) = before.iter().zip(&after).find(|(x, y)| x != y) {
            return Err(format!("{} changed from {:#x} to {:#x} without a completed transfer", x.0, x.1, y.1));
        }
        mb.check_err_info("no error logged outside the access phase", 0).await?;
        if mb.receive(true).await? != s || mb.receive(false).await? != a {
            return Err("messages changed outside the access phase".into());
        }
        mb.leak_report(&ctx)
    })
}

/// Reset in the middle of a run: messages pending both ways, both enables on, both interrupts up,
/// ERR_INFO holding an error with OVERFLOW. rst_n low drops the interrupts at once (asynchronous
/// reset) and wins over a write completing at a held-in-reset edge; after it every register has
/// its reset value, the buffers are zero, and a message each way works as after a fresh reset.
fn reset(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        let (tb, p) = (&mb.tb, mb.pins);
        mb.set_ie(true, true).await?;
        mb.set_ie(false, true).await?;
        mb.send(true, [0x11, 0x12, 0x13, 0x14]).await?;
        mb.send(false, [0x21, 0x22, 0x23, 0x24]).await?;
        mb.refuse("first error", MASTER_IO0, false, S2A_DATA.addr(0), 0, 0).await?;
        mb.refuse("second error", MASTER_IO1, true, A2S_ACK.offset, 1, 0xF).await?;
        // Preconditions: everything the reset must clear is set.
        let st = mb.sec.read(STATUS.offset).await?;
        if st != 0x1F || mb.irqs() != (true, true) || ERR_INFO_OVERFLOW.get(mb.sec.read(ERR_INFO.offset).await?) != 1 {
            return Err(format!("set-up before the reset: STATUS {st:#x}, irqs {:?}", mb.irqs()));
        }
        // Asynchronous: the interrupts drop with rst_n, before any edge.
        tb.poke_u32(p.rst_n, 0);
        *mb.exp.borrow_mut() = Expect::default();
        mb.check_irqs("rst_n low, before an edge")?;
        tb.reset(3).await;
        mb.check_reset_values("after a reset mid-run").await?;
        for (what, m, write, addr) in [("S2A_DATA", MASTER_APP, false, S2A_DATA.addr(1)), ("A2S_ACK", MASTER_SEC, true, A2S_ACK.offset)] {
            mb.expect_err(&format!("{what} with nothing pending after the reset"), m, write, addr, 1, 0xF, ERR_EMPTY).await?;
        }
        // The buffers were cleared: ringing without writing delivers zeros.
        for s2a in [true, false] {
            let (apb, send) = if s2a { (&mb.sec, S2A_SEND.offset) } else { (&mb.app, A2S_SEND.offset) };
            mb.w(apb, send, 1).await?;
            if mb.receive(s2a).await? != [0; 4] {
                return Err(format!("buffer s2a={s2a} not cleared by the reset"));
            }
        }
        // A write whose access phase meets rst_n low does not happen: S2A_SEND by SEC, held in
        // reset at the edge that would have completed it.
        for (psel, penable, rst_n) in [(1, 0, 1), (1, 1, 0)] {
            tb.poke_u32(p.psel, psel);
            tb.poke_u32(p.penable, penable);
            tb.poke_u32(p.pwrite, 1);
            tb.poke_u32(p.paddr, S2A_SEND.offset);
            tb.poke_u32(p.pwdata, 1);
            tb.poke_u32(p.pstrb, 0xF);
            tb.poke_u32(p.pmaster, MASTER_SEC);
            tb.poke_u32(p.rst_n, rst_n);
            tb.rising_edge().await;
        }
        tb.poke_u32(p.psel, 0);
        tb.poke_u32(p.penable, 0);
        tb.reset(1).await;
        mb.check_reset_values("after a write met the reset").await?;
        // The next transfers behave as after a fresh reset.
        mb.set_ie(true, true).await?;
        mb.set_ie(false, true).await?;
        for (s2a, words) in [(true, [1, 2, 3, 4]), (false, [5, 6, 7, 8])] {
            mb.send(s2a, words).await?;
            mb.check_irqs("message after the reset")?;
            if mb.receive(s2a).await? != words {
                return Err(format!("message s2a={s2a} after the reset"));
            }
            ctx.count(1);
        }
        mb.leak_report(&ctx)
    })
}

/// ERR_INFO keeps the first error: later refused accesses, writes included, with another code,
/// master, address and WRITE bit, even a refused write to ERR_INFO itself (wrong strobes, wrong
/// master), only set OVERFLOW; a good write of any value clears it; the next error is logged
/// afresh without OVERFLOW. Each refused access changes nothing else.
fn err_overflow(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        mb.send(false, [7; 4]).await?; // A2S pending: ERR_BUSY and ERR_VALUE on its registers
        // Rounds of (first error, refused accesses after it), each access (master, write, addr,
        // data, strb); their codes come from the README's check order (`expected_error`).
        type Access = (u32, bool, u32, u32, u32);
        let rounds: [(Access, &[Access]); 2] = [
            (
                (MASTER_IO0, false, A2S_DATA.addr(2), 0, 0),
                &[
                    (MASTER_APP, true, A2S_SEND.offset, 2, 0xF),
                    (MASTER_APP, true, A2S_DATA.addr(1), 5, 0xF),
                    (MASTER_SEC, true, ERR_INFO.offset, 0, 0x3),
                    (MASTER_APP, true, ERR_INFO.offset, 0, 0xF),
                    (MASTER_SEC, true, STATUS.offset, 0, 0xF),
                ],
            ),
            (
                (MASTER_IO1, true, S2A_SEND.offset, 1, 0xF),
                &[(MASTER_SEC, false, S2A_SEND.offset, 0, 0), (MASTER_APP, true, S2A_ACK.offset, 1, 0xF), (MASTER_SEC, true, SEC_IRQ_EN.offset, 2, 0xF)],
            ),
        ];
        for (first, later) in rounds {
            let e = *mb.exp.borrow();
            let code = |(m, w, a, d, s): Access| {
                expected_error(a, m, w, d, s, e.s2a.pending, e.a2s.pending).ok_or(format!("master {m} write {w} {a:#05x} is not refused"))
            };
            let (m, w, a, d, s) = first;
            mb.refuse("first error", m, w, a, d, s).await?;
            let logged = err_info(code(first)?, m, w, a);
            mb.check_err_info("first error", logged).await?;
            for &t in later {
                let (m2, w2, a2, d2, s2) = t;
                let what = format!("master {m2} write {w2} {a2:#05x} (code {}) after the first error", code(t)?);
                mb.refuse(&what, m2, w2, a2, d2, s2).await?;
                mb.check_err_info(&what, logged | ERR_INFO_OVERFLOW.mask()).await?;
                ctx.count(1);
            }
            mb.sec.write(ERR_INFO.offset, 0x8000_0001).await?;
            mb.check_err_info("cleared by a good write", 0).await?;
        }
        mb.leak_report(&ctx)
    })
}

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![BlockBench {
        block: "mailbox",
        module: "pluton_mailbox",
        model: Some(model),
        cases,
        replay: "mailbox_round_trip",
        csr: Some(&crate::csr::CsrSpec { map: &pluton_hdl::mailbox::regs::MAP, base: 0, master: pluton_hdl::common::masters::MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
        proofs: &[],
        compares_reads: true,
        scans_leaks: false,
    }]
}
