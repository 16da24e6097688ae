//! Top-level port lists: the `rtl/<module>.ports` files the generator writes.

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
