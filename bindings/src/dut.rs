//! The port-level interface every simulated block offers: Verilated RTL, models, and lock-step pairs.

/// Direction of a top-level port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// One top-level port, as listed in `rtl/<module>.ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: u32,
}

impl Port {
    /// Number of 32-bit words that hold this port's value.
    pub fn words(&self) -> usize {
        self.width.div_ceil(32) as usize
    }
}

/// A clocked block seen through its ports.
///
/// Values are little-endian arrays of 32-bit words (word 0 holds bits 31:0).
/// The clock port (`clock`) is driven by `step`, never poked.
pub trait Dut {
    /// Module name, e.g. `pluton_sha256`.
    fn name(&self) -> &str;
    /// Ports in declaration order; a port's index is its id.
    fn ports(&self) -> &[Port];
    /// Drive input `port` (takes effect for combinational outputs at the next `peek`).
    fn poke(&mut self, port: usize, value: &[u32]);
    /// Read the current value of `port` (settling combinational logic first).
    fn peek(&mut self, port: usize, value: &mut [u32]);
    /// One clock period: a rising edge (inputs are sampled), then the falling edge.
    fn step(&mut self);

    /// Index of the port named `name`.
    fn port_id(&self, name: &str) -> Option<usize> {
        self.ports().iter().position(|p| p.name == name)
    }
    /// Drive a port of at most 32 bits.
    fn poke_u32(&mut self, port: usize, value: u32) {
        self.poke(port, &[value]);
    }
    /// Read a port of at most 32 bits.
    fn peek_u32(&mut self, port: usize) -> u32 {
        let mut v = [0u32; 1];
        self.peek(port, &mut v);
        v[0]
    }
}

/// Parse the text of a `rtl/<module>.ports` file: lines `in|out <width> <name>`, `#` comments.
pub fn parse_ports(text: &str) -> Result<Vec<Port>, String> {
    let mut ports = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("ports line {}: expected `in|out <width> <name>`, got `{line}`", n + 1);
        if f.len() != 3 {
            return Err(bad());
        }
        let dir = match f[0] {
            "in" => Dir::In,
            "out" => Dir::Out,
            _ => return Err(bad()),
        };
        let width: u32 = f[1].parse().map_err(|_| bad())?;
        if width == 0 {
            return Err(bad());
        }
        ports.push(Port { name: f[2].to_string(), dir, width });
    }
    Ok(ports)
}
