//! Lock-step checker: drives the RTL and a reference model with the same inputs and compares their outputs.
//!
//! `LockStep` is itself a `Dut`, so a testbench drives it exactly like the RTL alone. Every value it
//! returns comes from the RTL; the model's value is compared beside it and differences are recorded
//! as `Mismatch`es (the testbench decides when to fail, usually at the end of a test).
//!
//! Which output is compared when (an APB completer's `pready`/`pslverr` only in the access
//! phase, `prdata` only when a read completes, everything else always) is decided once, by
//! `pluton_bindings::dut::compare_rules`, which the mutation miters share.
//!
//! The checks run at each `peek` and again at each `step` (just before the edge for the bus
//! outputs, so every completed transfer is compared even if the testbench never peeked, and just
//! after the edge for the other outputs).

use pluton_bindings::dut::{Dir, Dut, Port};

/// Stop storing mismatches past this many (they are still counted); the first ones are the useful ones.
const MAX_STORED_MISMATCHES: usize = 1000;

/// One output that differed between the RTL and the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Steps (clock cycles) taken before the comparison.
    pub cycle: u64,
    /// Port name.
    pub port: String,
    pub rtl: Vec<u32>,
    pub model: Vec<u32>,
    /// What was happening: the APB request on the bus, or "after edge".
    pub context: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cycle {}: {} rtl={} model={} ({})",
            self.cycle,
            self.port,
            hex_words(&self.rtl),
            hex_words(&self.model),
            self.context
        )
    }
}

fn hex_words(words: &[u32]) -> String {
    let hex: Vec<String> = words.iter().rev().map(|w| format!("{w:08x}")).collect();
    format!("0x{}", hex.join("_"))
}

pub(crate) use pluton_bindings::dut::{compare_rules, Apb, Rule};

/// An RTL block and its reference model run side by side.
pub struct LockStep {
    rtl: Box<dyn Dut>,
    model: Box<dyn Dut>,
    ports: Vec<Port>,
    /// The model's index of each RTL port (the two may list their ports in different orders).
    to_model: Vec<usize>,
    /// Last value poked on every port (the inputs are the same for both sides).
    inputs: Vec<Vec<u32>>,
    apb: Option<Apb>,
    rules: Vec<Rule>,
    cycle: u64,
    reads_compared: u64,
    mismatches: Vec<Mismatch>,
    mismatch_count: u64,
    /// Ports already recorded as mismatching in the current cycle, so a peek and the step
    /// after it do not record the same difference twice.
    recorded_this_cycle: (u64, Vec<usize>),
    /// Scratch for `compare`, as wide as the widest port.
    rtl_value: Vec<u32>,
    model_value: Vec<u32>,
}

impl LockStep {
    /// Pair `rtl` with `model`. They must have the same ports (names, directions, widths), in
    /// any order: ports are matched by name, and the pair shows the RTL's order.
    pub fn new(rtl: Box<dyn Dut>, model: Box<dyn Dut>) -> Result<Self, String> {
        let to_model = match_ports(rtl.as_ref(), model.as_ref())?;
        let ports = rtl.ports().to_vec();
        let (apb, rules) = compare_rules(&ports);
        let inputs = crate::ports::zero_values(&ports);
        let widest = ports.iter().map(|p| p.words()).max().unwrap_or(1);
        Ok(LockStep {
            rtl,
            model,
            ports,
            to_model,
            inputs,
            apb,
            rules,
            cycle: 0,
            reads_compared: 0,
            mismatches: Vec::new(),
            mismatch_count: 0,
            recorded_this_cycle: (0, Vec::new()),
            rtl_value: vec![0; widest],
            model_value: vec![0; widest],
        })
    }

    /// Mismatches recorded so far (at most the first 1000; see `mismatch_count`).
    pub fn mismatches(&self) -> &[Mismatch] {
        &self.mismatches
    }
    /// Hand over the recorded mismatches and start a fresh list.
    pub fn take_mismatches(&mut self) -> Vec<Mismatch> {
        std::mem::take(&mut self.mismatches)
    }
    /// All mismatches seen, including those not stored.
    pub fn mismatch_count(&self) -> u64 {
        self.mismatch_count
    }
    /// APB reads that completed and whose `prdata` was compared.
    pub fn reads_compared(&self) -> u64 {
        self.reads_compared
    }
    /// Clock cycles (steps) run so far.
    pub fn cycles(&self) -> u64 {
        self.cycle
    }
    /// The RTL side, e.g. to dump its waveform.
    pub fn rtl(&mut self) -> &mut dyn Dut {
        self.rtl.as_mut()
    }
    /// The model side.
    pub fn model(&mut self) -> &mut dyn Dut {
        self.model.as_mut()
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn access_phase(&self) -> bool {
        self.apb
            .is_some_and(|a| self.input(a.psel) == 1 && self.input(a.penable) == 1)
    }

    /// A short description of the bus request, for mismatch reports.
    fn context(&self, what: &str) -> String {
        let Some(a) = self.apb else { return what.to_string() };
        if !self.access_phase() {
            return what.to_string();
        }
        let addr = a
            .paddr
            .map(|p| format!(" paddr=0x{:03x}", self.input(p)))
            .unwrap_or_default();
        if self.input(a.pwrite) == 1 {
            let data = a
                .pwdata
                .map(|p| format!(" pwdata=0x{:08x}", self.input(p)))
                .unwrap_or_default();
            format!("{what}: APB write{addr}{data}")
        } else {
            format!("{what}: APB read{addr}")
        }
    }

    /// Read `port` from both sides, record a mismatch if they differ; the RTL value is left in
    /// `self.rtl_value[..words]` (scratch buffers: this runs several times per cycle).
    fn compare(&mut self, port: usize, what: &str) -> u32 {
        let words = self.ports[port].words();
        let (rtl, model) = (&mut self.rtl_value[..words], &mut self.model_value[..words]);
        self.rtl.peek(port, rtl);
        self.model.peek(self.to_model[port], model);
        let (rtl, model) = (&self.rtl_value[..words], &self.model_value[..words]);
        if self.recorded_this_cycle.0 != self.cycle {
            self.recorded_this_cycle = (self.cycle, Vec::new());
        }
        if rtl != model && !self.recorded_this_cycle.1.contains(&port) {
            self.recorded_this_cycle.1.push(port);
            self.mismatch_count += 1;
            if self.mismatches.len() < MAX_STORED_MISMATCHES {
                let context = self.context(what);
                self.mismatches.push(Mismatch {
                    cycle: self.cycle,
                    port: self.ports[port].name.clone(),
                    rtl: self.rtl_value[..words].to_vec(),
                    model: self.model_value[..words].to_vec(),
                    context,
                });
            }
        }
        self.rtl_value[0]
    }

    /// Peek both sides' `port` without comparing.
    fn peek_pair(&mut self, port: usize) -> (u32, u32) {
        (self.rtl.peek_u32(port), self.model.peek_u32(self.to_model[port]))
    }

    /// Should `port` be compared now, under its rule?
    fn rule_applies(&mut self, port: usize) -> bool {
        match self.rules[port] {
            Rule::Always => true,
            Rule::AccessPhase => self.access_phase(),
            Rule::ReadData => {
                let a = self.apb.expect("ReadData rule only exists with APB ports");
                if !self.access_phase() || self.input(a.pwrite) == 1 {
                    return false;
                }
                // prdata only means something when both sides complete the read now
                // (a difference in pready is reported on pready itself).
                let (rtl_ready, model_ready) = self.peek_pair(a.pready);
                rtl_ready == 1 && model_ready == 1
            }
        }
    }

    /// Compare the bus outputs of the transfer that the coming edge may complete.
    fn check_bus_before_edge(&mut self) {
        let Some(a) = self.apb else { return };
        if !self.access_phase() {
            return;
        }
        let ready = self.compare(a.pready, "before edge");
        self.compare(a.pslverr, "before edge");
        if self.input(a.pwrite) == 0 && ready == 1 {
            // A read completes at this edge in the RTL.
            if self.rule_applies(a.prdata) {
                self.compare(a.prdata, "before edge");
            }
            self.reads_compared += 1;
        }
    }
}

/// The model's index of each RTL port, by name; or a readable account of how the lists differ.
fn match_ports(rtl: &dyn Dut, model: &dyn Dut) -> Result<Vec<usize>, String> {
    let show = |p: &Port| format!("{} {} {}", if p.dir == Dir::In { "in" } else { "out" }, p.width, p.name);
    let (a, b) = (rtl.ports(), model.ports());
    let differ = |what: String| {
        Err(format!("lock-step: port lists differ (rtl `{}` has {} ports, model `{}` has {}): {what}", rtl.name(), a.len(), model.name(), b.len()))
    };
    let mut to_model = Vec::with_capacity(a.len());
    for p in a {
        match b.iter().position(|q| q.name == p.name) {
            Some(i) if b[i] == *p => to_model.push(i),
            Some(i) => return differ(format!("rtl `{}`, model `{}`", show(p), show(&b[i]))),
            None => return differ(format!("rtl `{}` is not in the model", show(p))),
        }
    }
    if let Some(q) = b.iter().find(|q| !a.iter().any(|p| p.name == q.name)) {
        return differ(format!("model `{}` is not in the rtl", show(q)));
    }
    Ok(to_model)
}

impl Dut for LockStep {
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
        // Keep our own copy, masked to the port width, to apply the compare rules.
        let width = self.ports[port].width;
        crate::ports::store_masked(&mut self.inputs[port], width, value);
        self.rtl.poke(port, value);
        self.model.poke(self.to_model[port], value);
    }

    fn peek(&mut self, port: usize, value: &mut [u32]) {
        if self.ports[port].dir == Dir::In {
            self.rtl.peek(port, value);
            return;
        }
        let words = self.ports[port].words();
        if self.rule_applies(port) {
            self.compare(port, "peek");
        } else {
            self.rtl.peek(port, &mut self.rtl_value[..words]);
        }
        let n = value.len().min(words);
        value[..n].copy_from_slice(&self.rtl_value[..n]);
        value[n..].fill(0);
    }

    fn step(&mut self) {
        self.check_bus_before_edge();
        self.rtl.step();
        self.model.step();
        self.cycle += 1;
        // Non-bus outputs (interrupts, ...) must agree after every edge.
        for port in 0..self.ports.len() {
            if self.ports[port].dir == Dir::Out && self.rules[port] == Rule::Always {
                self.compare(port, "after edge");
            }
        }
    }
}

/// A block model with one output XORed with a constant from a given cycle on: the buggy "RTL"
/// or the planted model error with which a test shows that a lock-step check can fail.
pub struct Flipped {
    inner: Box<dyn Dut>,
    /// The ports as the inner model has them (a test may change them to provoke a port-list error).
    pub ports: Vec<Port>,
    port: usize,
    xor: u32,
    from_cycle: u64,
    cycle: u64,
}

impl Flipped {
    /// `inner` with output `port` XORed with `xor` from `from_cycle` (steps) on.
    pub fn new(inner: Box<dyn Dut>, port: &str, xor: u32, from_cycle: u64) -> Flipped {
        let ports = inner.ports().to_vec();
        let port = ports.iter().position(|p| p.name == port).unwrap_or_else(|| panic!("{} has no port `{port}`", inner.name()));
        Flipped { inner, ports, port, xor, from_cycle, cycle: 0 }
    }
}

impl Dut for Flipped {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        self.inner.poke(port, value)
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        self.inner.peek(port, value);
        if port == self.port && self.cycle >= self.from_cycle {
            value[0] ^= self.xor;
        }
    }
    fn step(&mut self) {
        self.inner.step();
        self.cycle += 1;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sha256::Sha256Model;
    use crate::test_apb::Apb;
    use pluton_regs::sha256::regs::*;

    /// The SHA-256 model with `port` XORed with `xor` from the start: buggy "RTL".
    pub(crate) fn broken(port: &str, xor: u32) -> Flipped {
        Flipped::new(Box::new(Sha256Model::new()), port, xor, 0)
    }

    /// Reset, then an HMAC over 20 words (so the bus sees back-pressure), then read everything.
    pub(crate) fn run_hmac(dut: &mut dyn Dut) {
        let mut apb = Apb::new(dut);
        apb.reset(dut);
        apb.write(dut, KEY.addr(0), 0x1234_5678);
        apb.write(dut, CTRL.offset, CTRL_HMAC_EN.put(1));
        apb.write(dut, CMD.offset, CMD_START.put(1));
        for i in 0..20 {
            apb.write(dut, MSG.offset, i * 0x0101_0101);
        }
        apb.write(dut, CMD.offset, CMD_FINISH.put(1));
        let mut polls = 0;
        while apb.read(dut, STATUS.offset).data & STATUS_DIGEST_VALID.mask() == 0 {
            polls += 1;
            assert!(polls < 10_000, "digest never became valid");
        }
        for i in 0..8 {
            apb.read(dut, DIGEST.addr(i));
        }
        apb.read(dut, KEY.addr(0)); // an erroring read
    }

    fn pair(rtl: Box<dyn Dut>) -> LockStep {
        LockStep::new(rtl, Box::new(Sha256Model::new())).unwrap()
    }

    #[test]
    fn two_models_agree() {
        let mut ls = pair(Box::new(Sha256Model::new()));
        run_hmac(&mut ls);
        assert!(ls.mismatches().is_empty(), "{:?}", ls.mismatches());
        assert!(ls.reads_compared() > 10);
        assert!(ls.cycles() > 5 * 66);
        assert_eq!(ls.name(), "pluton_sha256");
    }

    #[test]
    fn flipped_prdata_bit_is_caught() {
        let mut ls = pair(Box::new(broken("prdata", 1)));
        run_hmac(&mut ls);
        let m = ls.take_mismatches();
        assert!(!m.is_empty());
        assert!(m.iter().all(|m| m.port == "prdata"), "{m:?}");
        assert_eq!(m[0].rtl[0] ^ m[0].model[0], 1);
        assert!(m[0].context.contains("APB read paddr="), "{}", m[0]);
        // Every completed read differs, and each is recorded once although it was peeked and stepped.
        assert_eq!(m.len() as u64, ls.reads_compared());
        assert!(ls.mismatches().is_empty());
    }

    #[test]
    fn reads_are_compared_even_when_nobody_peeks() {
        let mut ls = pair(Box::new(broken("prdata", 0x100)));
        let id = |n: &str| ls.port_id(n).unwrap();
        let (rst_n, psel, penable, paddr) = (id("rst_n"), id("psel"), id("penable"), id("paddr"));
        ls.poke_u32(rst_n, 1);
        ls.poke_u32(psel, 1);
        ls.poke_u32(paddr, ID.offset);
        ls.step();
        ls.poke_u32(penable, 1);
        ls.step();
        assert_eq!(ls.reads_compared(), 1);
        assert_eq!(ls.mismatches().len(), 1);
        assert_eq!(ls.mismatches()[0].model, vec![BLOCK_ID]);
    }

    #[test]
    fn interrupt_is_compared_after_every_edge() {
        let mut ls = pair(Box::new(broken("intr_done", 1)));
        ls.step();
        assert_eq!(ls.mismatches().len(), 1);
        assert_eq!(ls.mismatches()[0].port, "intr_done");
        assert_eq!(ls.mismatches()[0].context, "after edge");
    }

    #[test]
    fn bus_outputs_outside_the_access_phase_are_not_compared() {
        // A completer that drives pslverr high while idle is still correct APB.
        let mut ls = pair(Box::new(broken("pslverr", 1)));
        ls.step();
        let pslverr = ls.port_id("pslverr").unwrap();
        ls.peek_u32(pslverr);
        assert!(ls.mismatches().is_empty());
    }

    #[test]
    fn different_port_lists_are_refused() {
        let mut other = broken("prdata", 0);
        other.ports[5].width = 16; // paddr
        let err = LockStep::new(Box::new(other), Box::new(Sha256Model::new()))
            .err()
            .unwrap();
        assert!(err.contains("in 16 paddr") && err.contains("in 12 paddr"), "{err}");
        let mut fewer = broken("prdata", 0);
        fewer.ports.retain(|p| p.name != "intr_done");
        let err = LockStep::new(Box::new(Sha256Model::new()), Box::new(fewer)).err().unwrap();
        assert!(err.contains("intr_done") && err.contains("not in the model"), "{err}");
    }

    /// The same model with its ports listed in reverse order.
    struct Reversed(Sha256Model, Vec<Port>);

    impl Dut for Reversed {
        fn name(&self) -> &str {
            "pluton_sha256"
        }
        fn ports(&self) -> &[Port] {
            &self.1
        }
        fn poke(&mut self, port: usize, value: &[u32]) {
            self.0.poke(self.1.len() - 1 - port, value)
        }
        fn peek(&mut self, port: usize, value: &mut [u32]) {
            self.0.peek(self.1.len() - 1 - port, value)
        }
        fn step(&mut self) {
            self.0.step()
        }
    }

    #[test]
    fn ports_are_matched_by_name_not_order() {
        let inner = Sha256Model::new();
        let ports = inner.ports().iter().rev().cloned().collect();
        let mut ls = LockStep::new(Box::new(Reversed(inner, ports)), Box::new(Sha256Model::new())).unwrap();
        run_hmac(&mut ls);
        assert!(ls.mismatches().is_empty(), "{:?}", ls.mismatches());
        assert!(ls.reads_compared() > 10);
    }
}
