//! A model of a top built from block models: parts joined by wires, seen as one `Dut`.
//!
//! Every wire copies a bit range from a source (a top input, a part's output or a constant) to
//! a sink (a part's input or a top output). Before a peek and before each clock edge the wires
//! are settled: copied again and again until nothing changes, which resolves combinational paths
//! through several parts (e.g. an APB request through a firewall into a peripheral and the
//! peripheral's `pready` back out) without a hand-written evaluation order. All parts then take
//! the same edge, as flops in one clock domain do.

use pluton_bindings::dut::{Dir, Dut, Port};

/// One end of a wire: a port of the top (`part: None`) or of a part, from bit `lsb`.
#[derive(Clone, Copy, Debug)]
pub struct End {
    pub part: Option<usize>,
    pub port: usize,
    pub lsb: usize,
}

#[derive(Clone, Debug)]
enum Source {
    End(End),
    Const(Vec<u32>),
}

#[derive(Clone, Debug)]
struct Wire {
    from: Source,
    to: End,
    width: usize,
}

/// A top made of parts; build it with `new`, `part` and the `wire*` methods.
pub struct Composite {
    name: String,
    ports: Vec<Port>,
    parts: Vec<Box<dyn Dut>>,
    /// Current value of every top port (inputs: as poked; outputs: as last settled).
    top: Vec<Vec<u32>>,
    /// Value last poked into every part port (outputs unused).
    driven: Vec<Vec<Vec<u32>>>,
    /// Each part's outputs as last peeked, and whether that is still current (a part's outputs
    /// can only change when it is poked or stepped): settling reads each output once, not once
    /// per wire and pass.
    seen: Vec<Vec<Vec<u32>>>,
    current: Vec<Vec<bool>>,
    wires: Vec<Wire>,
    settled: bool,
}

/// Settling passes allowed before the wiring is declared a combinational loop.
const MAX_PASSES: usize = 16;

/// Mask of the low `n` bits (`n` up to 32).
fn low_mask(n: usize) -> u32 {
    ((1u64 << n) - 1) as u32
}

/// Bits `lsb..lsb+width` of `words` into `out` (resized; bit 0 of `out` is bit `lsb`).
fn get_bits(words: &[u32], lsb: usize, width: usize, out: &mut Vec<u32>) {
    out.clear();
    for j in 0..width.div_ceil(32) {
        let (w, sh) = ((lsb + 32 * j) / 32, (lsb + 32 * j) % 32);
        let mut v = words[w] >> sh;
        if sh > 0 && w + 1 < words.len() {
            v |= words[w + 1] << (32 - sh);
        }
        out.push(v & low_mask((width - 32 * j).min(32)));
    }
}

/// Write `value` (bit 0 first, `width` bits) into `words` from bit `lsb`.
fn put_bits(words: &mut [u32], lsb: usize, width: usize, value: &[u32]) {
    for (j, &v) in value.iter().enumerate().take(width.div_ceil(32)) {
        let n = (width - 32 * j).min(32);
        let (w, sh) = ((lsb + 32 * j) / 32, (lsb + 32 * j) % 32);
        let (v, m) = (u64::from(v & low_mask(n)) << sh, u64::from(low_mask(n)) << sh);
        words[w] = (words[w] & !(m as u32)) | v as u32;
        if sh + n > 32 {
            words[w + 1] = (words[w + 1] & !((m >> 32) as u32)) | (v >> 32) as u32;
        }
    }
}

impl Composite {
    /// A top named `name` with these ports (in the RTL's order).
    pub fn new(name: &str, ports: Vec<Port>) -> Self {
        let top = ports.iter().map(|p| vec![0u32; p.words()]).collect();
        Composite {
            name: name.into(),
            ports,
            parts: Vec::new(),
            top,
            driven: Vec::new(),
            seen: Vec::new(),
            current: Vec::new(),
            wires: Vec::new(),
            settled: false,
        }
    }

    /// Add a part; returns its index for wiring.
    pub fn part(&mut self, dut: Box<dyn Dut>) -> usize {
        self.driven.push(dut.ports().iter().map(|p| vec![0u32; p.words()]).collect());
        self.seen.push(dut.ports().iter().map(|p| vec![0u32; p.words()]).collect());
        self.current.push(vec![false; dut.ports().len()]);
        self.parts.push(dut);
        self.parts.len() - 1
    }

    /// The part at `index` (e.g. to read a model's internal statistics).
    pub fn part_mut(&mut self, index: usize) -> &mut dyn Dut {
        self.parts[index].as_mut()
    }

    fn top_port(&self, name: &str) -> usize {
        self.ports.iter().position(|p| p.name == name).unwrap_or_else(|| panic!("{}: no top port `{name}`", self.name))
    }

    fn part_port(&self, part: usize, name: &str) -> usize {
        self.parts[part].port_id(name).unwrap_or_else(|| panic!("{}: part {} has no port `{name}`", self.name, self.parts[part].name()))
    }

    /// Wire a whole top port to a part's port of the same width (either direction).
    pub fn wire_top(&mut self, top: &str, part: usize, port: &str) {
        let t = self.top_port(top);
        let p = self.part_port(part, port);
        let width = self.ports[t].width as usize;
        assert_eq!(width, self.parts[part].ports()[p].width as usize, "{}: `{top}` and `{port}` differ in width", self.name);
        let top_end = End { part: None, port: t, lsb: 0 };
        let part_end = End { part: Some(part), port: p, lsb: 0 };
        let (from, to) = if self.ports[t].dir == Dir::In { (top_end, part_end) } else { (part_end, top_end) };
        self.wires.push(Wire { from: Source::End(from), to, width });
    }

    /// Wire `width` bits: `from_port[from_lsb..]` of part `from` (or the top when `None`) to
    /// `to_port[to_lsb..]` of part `to` (or the top when `None`).
    #[allow(clippy::too_many_arguments)]
    pub fn wire(&mut self, from: Option<usize>, from_port: &str, from_lsb: usize, to: Option<usize>, to_port: &str, to_lsb: usize, width: usize) {
        let resolve = |s: &Self, part: Option<usize>, name: &str| match part {
            Some(p) => s.part_port(p, name),
            None => s.top_port(name),
        };
        let from_end = End { part: from, port: resolve(self, from, from_port), lsb: from_lsb };
        let to_end = End { part: to, port: resolve(self, to, to_port), lsb: to_lsb };
        self.wires.push(Wire { from: Source::End(from_end), to: to_end, width });
    }

    /// Wire two parts' whole ports of the same width.
    pub fn connect(&mut self, from: usize, from_port: &str, to: usize, to_port: &str) {
        let width = self.parts[from].ports()[self.part_port(from, from_port)].width as usize;
        self.wire(Some(from), from_port, 0, Some(to), to_port, 0, width);
    }

    /// Tie a part's input to a constant.
    pub fn tie(&mut self, part: usize, port: &str, value: u64) {
        let p = self.part_port(part, port);
        let width = self.parts[part].ports()[p].width as usize;
        let mut words = vec![0u32; width.div_ceil(32)];
        words[0] = value as u32;
        if words.len() > 1 {
            words[1] = (value >> 32) as u32;
        }
        self.wires.push(Wire { from: Source::Const(words), to: End { part: Some(part), port: p, lsb: 0 }, width });
    }

    /// Every part input and top output must be driven by exactly one wire per bit.
    pub fn check_wiring(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut check = |label: String, width: usize, ends: Vec<(usize, usize)>| {
            let mut count = vec![0u32; width];
            for (lsb, w) in ends {
                for c in count.iter_mut().skip(lsb).take(w) {
                    *c += 1;
                }
            }
            if let Some(bit) = count.iter().position(|&c| c != 1) {
                problems.push(format!("{label}[{bit}] has {} drivers", count[bit]));
            }
        };
        for (i, p) in self.ports.iter().enumerate().filter(|(_, p)| p.dir == Dir::Out) {
            let ends = self.wires.iter().filter(|w| w.to.part.is_none() && w.to.port == i).map(|w| (w.to.lsb, w.width)).collect();
            check(format!("top output {}", p.name), p.width as usize, ends);
        }
        for (pi, part) in self.parts.iter().enumerate() {
            for (i, p) in part.ports().iter().enumerate().filter(|(_, p)| p.dir == Dir::In && p.name != "clock") {
                let ends = self.wires.iter().filter(|w| w.to.part == Some(pi) && w.to.port == i).map(|w| (w.to.lsb, w.width)).collect();
                check(format!("{}.{}", part.name(), p.name), p.width as usize, ends);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{}: {}", self.name, problems.join("; ")))
        }
    }

    /// Bits `lsb..lsb+width` of a wire's source, into `out`.
    fn read(&mut self, src: &Source, width: usize, out: &mut Vec<u32>) {
        match src {
            Source::Const(v) => get_bits(v, 0, width, out),
            Source::End(e) => match e.part {
                None => get_bits(&self.top[e.port], e.lsb, width, out),
                Some(p) if self.parts[p].ports()[e.port].dir == Dir::In => get_bits(&self.driven[p][e.port], e.lsb, width, out),
                Some(p) => {
                    if !self.current[p][e.port] {
                        self.parts[p].peek(e.port, &mut self.seen[p][e.port]);
                        self.current[p][e.port] = true;
                    }
                    get_bits(&self.seen[p][e.port], e.lsb, width, out)
                }
            },
        }
    }

    /// A part's outputs may have changed: forget what was peeked.
    fn stale(&mut self, part: usize) {
        self.current[part].fill(false);
    }

    /// Copy every wire until a whole pass changes nothing.
    fn settle(&mut self) {
        if self.settled {
            return;
        }
        let wires = std::mem::take(&mut self.wires);
        // Scratch for the value on a wire and what its sink holds now: no allocation per wire.
        let (mut value, mut held) = (Vec::new(), Vec::new());
        for _ in 0..MAX_PASSES {
            let mut changed = false;
            for w in &wires {
                self.read(&w.from, w.width, &mut value);
                let slot = match w.to.part {
                    None => &mut self.top[w.to.port],
                    Some(p) => &mut self.driven[p][w.to.port],
                };
                get_bits(slot, w.to.lsb, w.width, &mut held);
                if held == value {
                    continue;
                }
                put_bits(slot, w.to.lsb, w.width, &value);
                changed = true;
                if let Some(p) = w.to.part {
                    self.parts[p].poke(w.to.port, &self.driven[p][w.to.port]);
                    self.stale(p);
                }
            }
            if !changed {
                self.wires = wires;
                self.settled = true;
                return;
            }
        }
        panic!("{}: the wiring does not settle in {MAX_PASSES} passes (a combinational loop?)", self.name);
    }
}

impl Dut for Composite {
    fn name(&self) -> &str {
        &self.name
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        if self.top[port] != value {
            self.top[port] = value.to_vec();
            self.settled = false;
        }
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        self.settle();
        value.copy_from_slice(&self.top[port]);
    }
    fn step(&mut self) {
        self.settle();
        for part in &mut self.parts {
            part.step();
        }
        for p in 0..self.parts.len() {
            self.stale(p);
        }
        self.settled = false;
    }
}

/// A combinational OR of two values of up to 32 bits, for glue such as one completer selected
/// by two windows (whose lanes are never both non-zero).
pub struct Or2 {
    ports: Vec<Port>,
    a: u32,
    b: u32,
}

impl Default for Or2 {
    fn default() -> Self {
        Or2::new(1)
    }
}

impl Or2 {
    pub fn new(width: u32) -> Self {
        assert!((1..=32).contains(&width), "Or2: width {width} is not 1..=32");
        let port = |n: &str, dir| Port { name: n.into(), dir, width };
        Or2 { ports: vec![port("a", Dir::In), port("b", Dir::In), port("y", Dir::Out)], a: 0, b: 0 }
    }
}

impl Dut for Or2 {
    fn name(&self) -> &str {
        "or2"
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        let mask = u32::MAX >> (32 - self.ports[0].width);
        match port {
            0 => self.a = value[0] & mask,
            1 => self.b = value[0] & mask,
            _ => {}
        }
    }
    fn peek(&mut self, _port: usize, value: &mut [u32]) {
        value[0] = self.a | self.b;
    }
    fn step(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A register that adds its input to itself each edge, output combinational `acc + a`.
    struct Acc {
        ports: Vec<Port>,
        a: u32,
        acc: u32,
    }
    impl Acc {
        fn new() -> Self {
            let port = |n: &str, dir, width| Port { name: n.into(), dir, width };
            Acc { ports: vec![port("clock", Dir::In, 1), port("a", Dir::In, 8), port("y", Dir::Out, 8)], a: 0, acc: 0 }
        }
    }
    impl Dut for Acc {
        fn name(&self) -> &str {
            "acc"
        }
        fn ports(&self) -> &[Port] {
            &self.ports
        }
        fn poke(&mut self, port: usize, value: &[u32]) {
            if port == 1 {
                self.a = value[0] & 0xff;
            }
        }
        fn peek(&mut self, _port: usize, value: &mut [u32]) {
            value[0] = (self.acc + self.a) & 0xff;
        }
        fn step(&mut self) {
            self.acc = (self.acc + self.a) & 0xff;
        }
    }

    fn chain() -> Composite {
        let port = |n: &str, dir, width| Port { name: n.into(), dir, width };
        let mut c = Composite::new("chain", vec![port("clock", Dir::In, 1), port("x", Dir::In, 8), port("y", Dir::Out, 16)]);
        let a = c.part(Box::new(Acc::new()));
        let b = c.part(Box::new(Acc::new()));
        // Wired "backwards" on purpose: settling must not depend on the wire order.
        c.wire(Some(b), "y", 0, None, "y", 8, 8);
        c.wire(Some(a), "y", 0, Some(b), "a", 0, 8);
        c.wire(Some(a), "y", 0, None, "y", 0, 8);
        c.wire_top("x", a, "a");
        c
    }

    #[test]
    fn bit_ranges_cross_word_boundaries() {
        let mut words = vec![0u32; 3];
        put_bits(&mut words, 20, 40, &[0xdead_beef, 0xab]);
        let mut out = Vec::new();
        get_bits(&words, 20, 40, &mut out);
        assert_eq!(out, vec![0xdead_beef, 0xab]);
        assert_eq!(words, vec![0xeef0_0000, 0x0abd_eadb, 0]);
        put_bits(&mut words, 5, 1, &[1]);
        get_bits(&words, 0, 8, &mut out);
        assert_eq!(out, vec![0x20]);
    }

    #[test]
    fn combinational_paths_settle_through_parts() {
        let mut c = chain();
        c.check_wiring().unwrap();
        c.poke(1, &[3]);
        // a.y = 0 + 3; b.y = 0 + a.y = 3.
        assert_eq!(c.peek_u32(2), 3 | (3 << 8));
        c.step();
        // a.acc = 3, a.y = 6; b.acc = 3, b.y = 3 + 6 = 9.
        assert_eq!(c.peek_u32(2), 6 | (9 << 8));
    }

    #[test]
    fn undriven_and_doubly_driven_inputs_are_reported() {
        let mut c = chain();
        c.tie(1, "a", 0);
        let e = c.check_wiring().unwrap_err();
        assert!(e.contains("acc.a[0] has 2 drivers"), "{e}");
        let port = |n: &str, dir, width| Port { name: n.into(), dir, width };
        let mut c = Composite::new("open", vec![port("clock", Dir::In, 1), port("y", Dir::Out, 8)]);
        c.part(Box::new(Acc::new()));
        let e = c.check_wiring().unwrap_err();
        assert!(e.contains("top output y[0] has 0 drivers") && e.contains("acc.a[0] has 0 drivers"), "{e}");
    }
}
