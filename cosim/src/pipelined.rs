//! Pipelined lock-step: the RTL runs on the test's thread and the model on a second thread,
//! which checks the RTL's recorded outputs a bounded number of cycles behind.
//!
//! The test's thread records, for every cycle, the inputs that changed, the RTL's bus outputs
//! just before the edge (in an APB access phase) and its other outputs just after the edge. The
//! checker thread replays those inputs into the model under an ordinary [`LockStep`] whose "RTL"
//! is the recording, so the compare rules and the mismatch reports are the same code, and a
//! mismatch names the same cycle, as in the synchronous lock-step. What is not compared: values
//! a test peeks between its pokes in the middle of a cycle (the synchronous lock-step compares
//! those too; the edge and after-edge checks, which the contract is written in, are the same).
//!
//! The lag is bounded by the channel ([`BATCH`] cycles times [`BATCHES_IN_FLIGHT`], plus the
//! batch being filled): the test thread waits when the checker falls that far behind. A mismatch sets a flag the test thread
//! sees within the lag; the regression then fails the run and replays it synchronously, with
//! waves, which stops at the mismatch's own cycle.

use crate::lockstep::{compare_rules, Apb, LockStep, Mismatch, Rule};
use pluton_bindings::dut::{Dir, Dut, Port};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Cycles per message to the checker (amortises the channel's synchronisation).
pub const BATCH: usize = 512;
/// Messages the checker may have queued before the test thread waits for it.
pub const BATCHES_IN_FLIGHT: usize = 4;

/// Mismatches held for the test thread at most (it takes them every cycle; the first ones are
/// the useful ones).
const MAX_HELD: usize = 1000;

/// What the checker thread reports back while it runs.
#[derive(Default)]
struct Shared {
    found: AtomicBool,
    mismatches: Mutex<Vec<Mismatch>>,
    reads_compared: AtomicU64,
}

/// An RTL block on this thread with its model checking it on another.
pub struct PipelinedLockStep {
    rtl: Box<dyn Dut>,
    ports: Vec<Port>,
    /// Last value poked on every input (exactly `words` words each).
    inputs: Vec<Vec<u32>>,
    /// Inputs poked since the last edge, each once.
    changed: Vec<bool>,
    changed_list: Vec<usize>,
    apb: Option<Apb>,
    /// Outputs compared after every edge.
    always: Vec<usize>,
    /// Recorded cycles not yet sent, and how many.
    batch: Vec<u32>,
    cycles_in_batch: usize,
    to_checker: Option<SyncSender<Vec<u32>>>,
    /// Emptied batches coming back, so the steady state allocates nothing.
    spare: Receiver<Vec<u32>>,
    checker: Option<JoinHandle<Result<(), String>>>,
    shared: Arc<Shared>,
    scratch: Vec<u32>,
}

impl PipelinedLockStep {
    /// Pair `rtl` with the model `model` makes; the model is made on the checker thread (so it
    /// need not be `Send`). Fails, as `LockStep::new` does, if the two port lists differ.
    pub fn new(rtl: Box<dyn Dut>, model: fn() -> Box<dyn Dut>) -> Result<Self, String> {
        let ports = rtl.ports().to_vec();
        let (apb, rules) = compare_rules(&ports);
        let always: Vec<usize> = (0..ports.len()).filter(|&p| ports[p].dir == Dir::Out && rules[p] == Rule::Always).collect();
        let (to_checker, batches) = sync_channel::<Vec<u32>>(BATCHES_IN_FLIGHT);
        let (spare_tx, spare) = channel::<Vec<u32>>();
        let (ready_tx, ready) = channel::<Result<(), String>>();
        let shared = Arc::new(Shared::default());
        let plan = Plan { ports: ports.clone(), apb, always: always.clone() };
        let checker_shared = shared.clone();
        let checker = std::thread::Builder::new()
            .name(format!("lock-step model of {}", rtl.name()))
            .spawn(move || check(plan, model, batches, spare_tx, ready_tx, checker_shared))
            .map_err(|e| format!("cannot start the lock-step checker thread: {e}"))?;
        match ready.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(join_message(checker.join())),
        }
        let widest = ports.iter().map(|p| p.words()).max().unwrap_or(1);
        Ok(PipelinedLockStep {
            rtl,
            inputs: crate::ports::zero_values(&ports),
            changed: vec![false; ports.len()],
            changed_list: Vec::new(),
            ports,
            apb,
            always,
            batch: Vec::new(),
            cycles_in_batch: 0,
            to_checker: Some(to_checker),
            spare,
            checker: Some(checker),
            shared,
            scratch: vec![0; widest],
        })
    }

    /// Mismatches the checker has found so far (it runs up to the lag behind).
    pub fn take_mismatches(&mut self) -> Vec<Mismatch> {
        if !self.shared.found.load(Ordering::Relaxed) {
            return Vec::new();
        }
        std::mem::take(&mut *self.shared.mismatches.lock().unwrap())
    }

    /// APB reads whose `prdata` the checker has compared so far.
    pub fn reads_compared(&self) -> u64 {
        self.shared.reads_compared.load(Ordering::Relaxed)
    }

    fn send_batch(&mut self) -> Result<(), String> {
        let Some(tx) = &self.to_checker else { return Ok(()) };
        let next = self.spare.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.batch, next);
        self.cycles_in_batch = 0;
        tx.send(full).map_err(|_| "the lock-step checker thread stopped".to_string())
    }

    /// Send what is left, wait for the checker to finish, and take its verdict.
    fn join(&mut self) -> Result<(), String> {
        let sent = if self.cycles_in_batch > 0 { self.send_batch() } else { Ok(()) };
        self.to_checker = None;
        let joined = match self.checker.take() {
            Some(h) => h.join().map_err(|p| join_message(Err(p))).and_then(|r| r),
            None => Ok(()),
        };
        sent.and(joined)
    }
}

fn join_message(r: std::thread::Result<Result<(), String>>) -> String {
    match r {
        Ok(Err(e)) => e,
        Ok(Ok(())) => "the lock-step checker thread ended early".into(),
        Err(p) => {
            let what = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned());
            format!("panic in the lock-step model: {}", what.unwrap_or_else(|| "(non-string panic)".into()))
        }
    }
}

impl Drop for PipelinedLockStep {
    fn drop(&mut self) {
        let _ = self.join();
    }
}

impl Dut for PipelinedLockStep {
    fn name(&self) -> &str {
        self.rtl.name()
    }
    fn rtl(&self) -> Option<&str> {
        self.rtl.rtl()
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        self.rtl.poke(port, value);
        let slot = &mut self.inputs[port];
        let n = slot.len().min(value.len());
        slot[..n].copy_from_slice(&value[..n]);
        slot[n..].fill(0);
        if !self.changed[port] {
            self.changed[port] = true;
            self.changed_list.push(port);
        }
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        self.rtl.peek(port, value)
    }
    fn step(&mut self) {
        // One cycle's record: [changed inputs: n, (port, words..)*], [access phase: 0 | 1,
        // pready, pslverr, prdata], [after the edge: every `always` output].
        self.batch.push(self.changed_list.len() as u32);
        for &p in &self.changed_list {
            self.batch.push(p as u32);
            self.batch.extend_from_slice(&self.inputs[p]);
            self.changed[p] = false;
        }
        self.changed_list.clear();
        match self.apb {
            Some(a) if self.inputs[a.psel][0] & 1 == 1 && self.inputs[a.penable][0] & 1 == 1 => {
                self.batch.push(1);
                for p in [a.pready, a.pslverr, a.prdata] {
                    let words = self.ports[p].words();
                    self.rtl.peek(p, &mut self.scratch[..words]);
                    self.batch.extend_from_slice(&self.scratch[..words]);
                }
            }
            _ => self.batch.push(0),
        }
        self.rtl.step();
        for &p in &self.always {
            let words = self.ports[p].words();
            self.rtl.peek(p, &mut self.scratch[..words]);
            self.batch.extend_from_slice(&self.scratch[..words]);
        }
        self.cycles_in_batch += 1;
        if self.cycles_in_batch == BATCH {
            // A stopped checker has already said why; `finish` reports it.
            let _ = self.send_batch();
        }
    }
    fn finish(&mut self) -> Result<(), String> {
        self.join()
    }
}

/// The recorded RTL, as the checker's `LockStep` sees it: before its `step`, the bus outputs
/// recorded before the edge; after it, the outputs recorded after the edge.
struct Recorded {
    ports: Vec<Port>,
    /// Per port: (value before the edge, value after the edge).
    values: Rc<RefCell<Vec<[Vec<u32>; 2]>>>,
    after_edge: Rc<Cell<bool>>,
}

impl Dut for Recorded {
    fn name(&self) -> &str {
        "recorded RTL"
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, _port: usize, _value: &[u32]) {}
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        let values = self.values.borrow();
        let v = &values[port][self.after_edge.get() as usize];
        let n = v.len().min(value.len());
        value[..n].copy_from_slice(&v[..n]);
    }
    fn step(&mut self) {
        self.after_edge.set(true);
    }
}

/// Reads a batch's words in order.
struct Cursor<'a> {
    words: &'a [u32],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> &'a [u32] {
        let s = &self.words[self.at..self.at + n];
        self.at += n;
        s
    }
    fn done(&self) -> bool {
        self.at >= self.words.len()
    }
}

/// What the test thread records, which the checker reads back: the ports, the APB ids (when
/// the block has a bus) and the outputs compared after every edge.
struct Plan {
    ports: Vec<Port>,
    apb: Option<Apb>,
    always: Vec<usize>,
}

/// The checker thread: replay each recorded cycle into the model and compare.
fn check(
    plan: Plan,
    model: fn() -> Box<dyn Dut>,
    batches: Receiver<Vec<u32>>,
    spare: Sender<Vec<u32>>,
    ready: Sender<Result<(), String>>,
    shared: Arc<Shared>,
) -> Result<(), String> {
    let Plan { ports, apb, always } = plan;
    let values = Rc::new(RefCell::new(crate::ports::zero_values(&ports).into_iter().map(|v| [v.clone(), v]).collect::<Vec<_>>()));
    let after_edge = Rc::new(Cell::new(false));
    let recorded = Recorded { ports: ports.clone(), values: values.clone(), after_edge: after_edge.clone() };
    let mut ls = match LockStep::new(Box::new(recorded), model()) {
        Ok(ls) => {
            let _ = ready.send(Ok(()));
            ls
        }
        Err(e) => {
            let _ = ready.send(Err(e.clone()));
            return Err(e);
        }
    };
    for batch in batches {
        let mut rec = Cursor { words: &batch, at: 0 };
        while !rec.done() {
            let changed = rec.take(1)[0] as usize;
            for _ in 0..changed {
                let p = rec.take(1)[0] as usize;
                ls.poke(p, rec.take(ports[p].words()));
            }
            let mut v = values.borrow_mut();
            if rec.take(1)[0] == 1 {
                let a = apb.expect("an access phase is only recorded for an APB block");
                for p in [a.pready, a.pslverr, a.prdata] {
                    v[p][0].copy_from_slice(rec.take(ports[p].words()));
                }
            }
            // The after-edge values go in place now; `Recorded` shows them after its step.
            for &p in &always {
                v[p][1].copy_from_slice(rec.take(ports[p].words()));
            }
            drop(v);
            after_edge.set(false);
            ls.step();
            let found = ls.take_mismatches();
            if !found.is_empty() {
                let mut stored = shared.mismatches.lock().unwrap();
                let room = MAX_HELD.saturating_sub(stored.len());
                stored.extend(found.into_iter().take(room));
                shared.found.store(true, Ordering::Relaxed);
            }
        }
        shared.reads_compared.store(ls.reads_compared(), Ordering::Relaxed);
        let mut batch = batch;
        batch.clear();
        let _ = spare.send(batch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockstep::tests::{broken, run_hmac};
    use crate::sha256::Sha256Model;

    /// Enough HMACs for several batches.
    fn workload(dut: &mut dyn Dut) {
        for _ in 0..12 {
            run_hmac(dut);
        }
    }

    fn model() -> Box<dyn Dut> {
        Box::new(Sha256Model::new())
    }

    /// With an honest "RTL" the pipelined checker finds nothing and compares every read; with
    /// a broken one it reports exactly what the synchronous lock-step reports, same cycles.
    #[test]
    fn finds_what_the_synchronous_lockstep_finds() {
        let mut sync = LockStep::new(model(), model()).unwrap();
        workload(&mut sync);
        assert!(sync.cycles() > 2 * BATCH as u64, "only {} cycles", sync.cycles());
        let mut good = PipelinedLockStep::new(model(), model).unwrap();
        workload(&mut good);
        good.finish().unwrap();
        assert!(good.take_mismatches().is_empty());
        assert_eq!(good.reads_compared(), sync.reads_compared());

        for (port, xor) in [("prdata", 0x100), ("intr_done", 1), ("pslverr", 1)] {
            // The context may differ (the synchronous one also compares at a test's peek, the
            // pipelined one at the edge of that cycle); cycle, port and values may not.
            let facts = |m: Vec<Mismatch>| m.into_iter().map(|m| (m.cycle, m.port, m.rtl, m.model)).collect::<Vec<_>>();
            let mut sync = LockStep::new(Box::new(broken(port, xor)), model()).unwrap();
            workload(&mut sync);
            let expected = facts(sync.take_mismatches());
            assert!(!expected.is_empty(), "{port}: the broken RTL must mismatch");

            let mut piped = PipelinedLockStep::new(Box::new(broken(port, xor)), model).unwrap();
            workload(&mut piped);
            piped.finish().unwrap();
            let got = facts(piped.take_mismatches());
            // (The synchronous list stops storing at 1,000.)
            let n = expected.len().min(got.len()).min(300);
            assert!(n >= 10, "{port}: {} and {} mismatches", expected.len(), got.len());
            if let Some(i) = (0..n).find(|&i| got[i] != expected[i]) {
                panic!("{port}: mismatch #{i} differs: pipelined {:?}, in step {:?}", got[i], expected[i]);
            }
        }
    }

    #[test]
    fn port_lists_must_match() {
        let mut other = broken("prdata", 0);
        other.ports[5].width = 16; // paddr
        let err = PipelinedLockStep::new(Box::new(other), model).err().unwrap();
        assert!(err.contains("port lists differ"), "{err}");
    }
}
