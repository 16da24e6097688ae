//! Inter-core mailbox test bench: both cores and the I/O cores on one APB, a message scoreboard, a read-leak observer, and the tests.

use crate::regression::{Case, Ctx, TestFuture};
use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::{Dut, Tb};
use pluton_hdl::common::regmap::Register;
use pluton_hdl::mailbox::regs::*;
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

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

#[derive(Clone)]
struct Mb {
    tb: Tb,
    sec: Apb,
    app: Apb,
    bus: Apb,
    irq_sec: usize,
    irq_app: usize,
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
            irq_sec: tb.port("irq_sec")?,
            irq_app: tb.port("irq_app")?,
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
        Ok(mb)
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
        (self.tb.peek_u32(self.irq_sec) == 1, self.tb.peek_u32(self.irq_app) == 1)
    }

    /// Fail on anything the leak observer saw; count its reads.
    fn leak_report(&self, ctx: &Ctx) -> Result<(), String> {
        let l = self.leak.borrow();
        ctx.metric("reads_scanned", l.reads as f64);
        match &l.problem {
            Some(p) => Err(format!("read observer: {p}")),
            None if l.reads == 0 => Err("read observer saw no reads".into()),
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

    /// A transfer that must fail with `code`: PSLVERR, prdata 0, ERR_INFO exactly it, STATUS.ERR,
    /// nothing else changed. Clears ERR_INFO after.
    #[allow(clippy::too_many_arguments)]
    async fn expect_err(&self, what: &str, master: u32, write: bool, addr: u32, data: u32, strb: u32, code: u32) -> Result<(), String> {
        let before = self.snapshot().await?;
        if self.sec.read(ERR_INFO.offset).await? != 0 {
            return Err(format!("{what}: ERR_INFO not clear before"));
        }
        match self.bus.with_master(master).transfer(write, addr, data, strb).await {
            Err(ApbError::SlvErr { data: d, .. }) if write || d == 0 => {}
            other => return Err(format!("{what}: expected PSLVERR with prdata 0, got {other:?}")),
        }
        let info = self.sec.read(ERR_INFO.offset).await?;
        let want = ERR_INFO_CODE.put(code) | ERR_INFO_MASTER.put(master) | ERR_INFO_WRITE.put(write as u32) | ERR_INFO_ADDR.put(addr & 0xfff);
        if info != want {
            return Err(format!("{what}: ERR_INFO = {info:#010x}, expected {want:#010x} (code {code})"));
        }
        if STATUS_ERR.get(self.app.read(STATUS.offset).await?) != 1 {
            return Err(format!("{what}: STATUS.ERR not set"));
        }
        self.sec.write(ERR_INFO.offset, 0).await?;
        let after = self.snapshot().await?;
        if let Some((a, b)) = before.iter().zip(&after).find(|(a, b)| a != b) {
            return Err(format!("{what}: {} changed from {:#x} to {:#x}", a.0, a.1, b.1));
        }
        if before.len() != after.len() {
            return Err(format!("{what}: a doorbell changed"));
        }
        Ok(())
    }
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
    ]
}

/// Reset values; one message each way word by word (interrupt and STATUS at each step); a
/// second message each way after the acknowledge; a partial rewrite keeps the other words.
fn round_trip(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let mb = Mb::new(&ctx.tb)?;
        for m in ALL_MASTERS {
            if mb.bus.with_master(m).read(ID.offset).await? != BLOCK_ID {
                return Err(format!("ID read by master {m}"));
            }
        }
        for (r, apb) in [(&ERR_INFO, &mb.sec), (&STATUS, &mb.sec), (&STATUS, &mb.app), (&SEC_IRQ_EN, &mb.sec), (&APP_IRQ_EN, &mb.app)] {
            if apb.read(r.offset).await? != 0 {
                return Err(format!("{} not 0 after reset", r.name));
            }
        }
        mb.check_irqs("after reset")?;
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
