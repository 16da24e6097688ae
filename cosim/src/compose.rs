//! A model of a top built from block models: parts joined by wires, seen as one `Dut`.
//!
//! Every wire copies a bit range from a source (a top input, a part's output or a constant) to
//! a sink (a part's input or a top output). Before a peek and before each clock edge the wires
//! are settled, event by event: a wire is evaluated again only when its source may have
//! changed (a top input was poked, or the part it reads was poked or stepped and that output
//! now reads differently), until nothing is left to do. That resolves combinational paths
//! through several parts (e.g. an APB request through a firewall into a peripheral and the
//! peripheral's `pready` back out) without a hand-written evaluation order, and a quiet part
//! costs one peek per wired output per edge. All parts then take the same edge, as flops in one
//! clock domain do.

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
    /// Each part's outputs as last peeked: current once settled.
    seen: Vec<Vec<Vec<u32>>>,
    wires: Vec<Wire>,
    /// The wires reading each top port, and each part port (an input: its driven value).
    readers_top: Vec<Vec<usize>>,
    readers: Vec<Vec<Vec<usize>>>,
    /// Each part's outputs that some wire reads.
    wired_outputs: Vec<Vec<usize>>,
    /// Wires to evaluate, and parts whose outputs may have changed (each queued once).
    wire_queue: Vec<usize>,
    wire_queued: Vec<bool>,
    part_queue: Vec<usize>,
    part_queued: Vec<bool>,
    /// The reader lists match the wires (wiring is done before the first settle).
    indexed: bool,
    /// Scratch: a wire's value, what its sink holds, a part's output.
    value: Vec<u32>,
    held: Vec<u32>,
    output: Vec<u32>,
}

/// Evaluations per wire allowed in one settle before the wiring is declared a combinational
/// loop.
const MAX_PASSES: usize = 16;

/// Equal words, compared in line (most values here are one or two words, where a call to
/// `memcmp` costs more than the comparison).
fn same(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

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
            wires: Vec::new(),
            readers_top: Vec::new(),
            readers: Vec::new(),
            wired_outputs: Vec::new(),
            wire_queue: Vec::new(),
            wire_queued: Vec::new(),
            part_queue: Vec::new(),
            part_queued: Vec::new(),
            indexed: false,
            value: Vec::new(),
            held: Vec::new(),
            output: Vec::new(),
        }
    }

    /// Add a part; returns its index for wiring.
    pub fn part(&mut self, dut: Box<dyn Dut>) -> usize {
        self.driven.push(dut.ports().iter().map(|p| vec![0u32; p.words()]).collect());
        self.seen.push(dut.ports().iter().map(|p| vec![0u32; p.words()]).collect());
        self.parts.push(dut);
        self.indexed = false;
        self.parts.len() - 1
    }

    /// The part at `index` (e.g. to read a model's internal statistics). Its outputs are read
    /// again at the next settle, in case the caller changed it.
    pub fn part_mut(&mut self, index: usize) -> &mut dyn Dut {
        self.queue_part(index);
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
        self.indexed = false;
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
        self.indexed = false;
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
        self.indexed = false;
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

    /// Build the reader lists, and queue every wire and every part: the next settle starts
    /// from scratch.
    fn index(&mut self) {
        self.readers_top = vec![Vec::new(); self.ports.len()];
        self.readers = self.parts.iter().map(|p| vec![Vec::new(); p.ports().len()]).collect();
        for (i, w) in self.wires.iter().enumerate() {
            if let Source::End(e) = &w.from {
                match e.part {
                    None => self.readers_top[e.port].push(i),
                    Some(p) => self.readers[p][e.port].push(i),
                }
            }
        }
        self.wired_outputs = (0..self.parts.len())
            .map(|p| (0..self.readers[p].len()).filter(|&o| self.parts[p].ports()[o].dir == Dir::Out && !self.readers[p][o].is_empty()).collect())
            .collect();
        let widest = self.parts.iter().flat_map(|p| p.ports().iter().map(|q| q.words())).max().unwrap_or(1);
        self.output = vec![0; widest];
        self.wire_queued = vec![true; self.wires.len()];
        self.wire_queue = (0..self.wires.len()).collect();
        self.part_queued = vec![true; self.parts.len()];
        self.part_queue = (0..self.parts.len()).collect();
        self.indexed = true;
    }

    fn queue_wires(queue: &mut Vec<usize>, queued: &mut [bool], wires: &[usize]) {
        for &w in wires {
            if !queued[w] {
                queued[w] = true;
                queue.push(w);
            }
        }
    }

    fn queue_part(&mut self, part: usize) {
        if self.indexed && !self.part_queued[part] {
            self.part_queued[part] = true;
            self.part_queue.push(part);
        }
    }

    /// Copy wire `w` from its source to its sink; if the sink changes, queue what reads it.
    fn eval_wire(&mut self, w: usize) {
        let wire = &self.wires[w];
        let (to, width) = (wire.to, wire.width);
        match &wire.from {
            Source::Const(v) => get_bits(v, 0, width, &mut self.value),
            Source::End(e) => {
                let src = match e.part {
                    None => &self.top[e.port],
                    Some(p) if self.parts[p].ports()[e.port].dir == Dir::In => &self.driven[p][e.port],
                    Some(p) => &self.seen[p][e.port],
                };
                get_bits(src, e.lsb, width, &mut self.value);
            }
        }
        let slot = match to.part {
            None => &mut self.top[to.port],
            Some(p) => &mut self.driven[p][to.port],
        };
        get_bits(slot, to.lsb, width, &mut self.held);
        if same(&self.held, &self.value) {
            return;
        }
        put_bits(slot, to.lsb, width, &self.value);
        match to.part {
            None => Self::queue_wires(&mut self.wire_queue, &mut self.wire_queued, &self.readers_top[to.port]),
            Some(p) => {
                self.parts[p].poke(to.port, &self.driven[p][to.port]);
                Self::queue_wires(&mut self.wire_queue, &mut self.wire_queued, &self.readers[p][to.port]);
                self.queue_part(p);
            }
        }
    }

    /// Peek part `p`'s wired outputs; queue the readers of those that changed.
    fn refresh(&mut self, p: usize) {
        for i in 0..self.wired_outputs[p].len() {
            let o = self.wired_outputs[p][i];
            let words = self.seen[p][o].len();
            // `output` is as wide as the widest port (set at `index`): no resizing here.
            let output = &mut self.output[..words];
            self.parts[p].peek(o, output);
            if !same(output, &self.seen[p][o]) {
                self.seen[p][o].copy_from_slice(output);
                Self::queue_wires(&mut self.wire_queue, &mut self.wire_queued, &self.readers[p][o]);
            }
        }
    }

    /// Evaluate queued wires and re-read queued parts until nothing changes.
    fn settle(&mut self) {
        if !self.indexed {
            self.index();
        }
        let limit = MAX_PASSES * (self.wires.len() + 1);
        let mut evaluated = 0;
        loop {
            while let Some(w) = self.wire_queue.pop() {
                self.wire_queued[w] = false;
                evaluated += 1;
                if evaluated > limit {
                    panic!("{}: the wiring does not settle in {MAX_PASSES} evaluations per wire (a combinational loop?)", self.name);
                }
                self.eval_wire(w);
            }
            match self.part_queue.pop() {
                Some(p) => {
                    self.part_queued[p] = false;
                    self.refresh(p);
                }
                None => return,
            }
        }
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
        // Words past the end of `value` read as 0.
        let slot = &mut self.top[port];
        let n = slot.len().min(value.len());
        if slot[..n] != value[..n] || slot[n..].iter().any(|&w| w != 0) {
            slot[..n].copy_from_slice(&value[..n]);
            slot[n..].fill(0);
            if self.indexed {
                Self::queue_wires(&mut self.wire_queue, &mut self.wire_queued, &self.readers_top[port]);
            }
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
            self.queue_part(p);
        }
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
