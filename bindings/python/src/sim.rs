//! The one generic driver behind every Python model: ports by name, clock steps, reset and APB4 transfers on any `Dut`.

use pluton_bindings::dut::{ApbPins, Dir, Dut, Port};

/// Access cycles a transfer may wait for `pready` before it is given up (a model whose
/// downstream side nobody answers, e.g. the firewall's `m_pready`, would otherwise hang).
pub const DEFAULT_MAX_WAITS: u32 = 10_000;

/// How one APB transfer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// `prdata` in the completing cycle (0 for a write).
    pub data: u32,
    /// `pslverr` in the completing cycle.
    pub slverr: bool,
    /// Access cycles with `pready` low before it completed.
    pub waits: u32,
}

/// A model (any `Dut`) with the edges it has been clocked, driven by port name.
pub struct Sim {
    dut: Box<dyn Dut + Send>,
    /// `None` when the block lacks one of the APB ports (then `why_no_apb` says which).
    apb: Option<ApbPins>,
    why_no_apb: String,
    /// Rising edges so far (every `step`, including those inside `reset` and the transfers).
    pub edges: u64,
    pub max_waits: u32,
    /// Wait states of the last completed transfer.
    pub last_waits: u32,
}

impl Sim {
    pub fn new(dut: Box<dyn Dut + Send>) -> Sim {
        let (apb, why_no_apb) = match ApbPins::find(|n| dut.port_id(n)) {
            Ok(pins) => (Some(pins), String::new()),
            Err(missing) => (None, format!("{} has no APB4 completer port(s) {}", dut.name(), missing.join(", "))),
        };
        Sim { dut, apb, why_no_apb, edges: 0, max_waits: DEFAULT_MAX_WAITS, last_waits: 0 }
    }

    pub fn name(&self) -> &str {
        self.dut.name()
    }

    pub fn ports(&self) -> &[Port] {
        self.dut.ports()
    }

    /// The port called `name`, or an error listing the block's ports.
    pub fn port(&self, name: &str) -> Result<(usize, &Port), String> {
        let ports = self.dut.ports();
        match ports.iter().position(|p| p.name == name) {
            Some(i) => Ok((i, &ports[i])),
            None => {
                let all: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
                Err(format!("{} has no port `{name}` (its ports: {})", self.dut.name(), all.join(", ")))
            }
        }
    }

    /// Drive input `name` with `value` (little-endian 32-bit words, at most the port's width).
    pub fn poke(&mut self, name: &str, value: &[u32]) -> Result<(), String> {
        let (id, port) = self.port(name)?;
        if port.dir != Dir::In {
            return Err(format!("`{name}` is an output of {}: only inputs can be poked", self.dut.name()));
        }
        if name == "clock" {
            return Err("`clock` is driven by step(), never poked".into());
        }
        let width = port.width;
        let mut words = vec![0u32; words_of(width)];
        for (k, w) in value.iter().enumerate() {
            if *w != 0 && k >= words.len() {
                return Err(format!("value does not fit the {width}-bit port `{name}`"));
            }
            if k < words.len() {
                words[k] = *w;
            }
        }
        // The top word may hold only the port's remaining bits.
        let top_bits = width - 32 * (words.len() as u32 - 1);
        if top_bits < 32 && words[words.len() - 1] >> top_bits != 0 {
            return Err(format!("value does not fit the {width}-bit port `{name}`"));
        }
        self.dut.poke(id, &words);
        Ok(())
    }

    /// Read port `name` (inputs read back what was poked; outputs settle first).
    pub fn peek(&mut self, name: &str) -> Result<Vec<u32>, String> {
        let (id, port) = self.port(name)?;
        let mut words = vec![0u32; words_of(port.width)];
        self.dut.peek(id, &mut words);
        Ok(words)
    }

    /// `n` clock periods.
    pub fn step(&mut self, n: u64) {
        for _ in 0..n {
            self.dut.step();
            self.edges += 1;
        }
    }

    fn apb(&self) -> Result<ApbPins, String> {
        self.apb.ok_or_else(|| self.why_no_apb.clone())
    }

    /// Hold `rst_n` low for two edges, then release it (as the Rust benches do).
    pub fn reset(&mut self) -> Result<(), String> {
        let rst_n = self.port("rst_n")?.0;
        self.dut.poke_u32(rst_n, 0);
        self.step(2);
        self.dut.poke_u32(rst_n, 1);
        Ok(())
    }

    /// One APB4 transfer: a setup edge, then access edges until `pready`; returns after the
    /// completing edge with the bus back to idle. `pmaster` is left driven.
    pub fn transfer(&mut self, write: bool, addr: u32, data: u32, strb: u32, master: u32) -> Result<Done, String> {
        let a = self.apb()?;
        let width = |id: usize| self.dut.ports()[id].width;
        let fits = |v: u32, w: u32| w >= 32 || v >> w == 0;
        if !fits(addr, width(a.paddr)) {
            return Err(format!("address {addr:#x} does not fit the {}-bit paddr of {}", width(a.paddr), self.name()));
        }
        if !fits(strb, width(a.pstrb)) {
            return Err(format!("pstrb {strb:#x} does not fit {} bits", width(a.pstrb)));
        }
        if !fits(master, width(a.pmaster)) {
            return Err(format!("pmaster {master} does not fit {} bits", width(a.pmaster)));
        }
        a.drive_setup(&mut *self.dut, write, addr, data, strb, master);
        self.step(1);
        self.dut.poke_u32(a.penable, 1);
        let mut waits = 0;
        let done = loop {
            if self.dut.peek_u32(a.pready) == 1 {
                let done = Done { data: self.dut.peek_u32(a.prdata), slverr: self.dut.peek_u32(a.pslverr) == 1, waits };
                self.step(1);
                break done;
            }
            if waits >= self.max_waits {
                // Leave the bus idle so the caller can go on (the model logs the abandoned transfer).
                self.idle(a);
                return Err(format!(
                    "{} {addr:#x} on {}: no pready after {waits} access cycles",
                    if write { "write to" } else { "read of" },
                    self.name()
                ));
            }
            self.step(1);
            waits += 1;
        };
        self.idle(a);
        self.last_waits = done.waits;
        Ok(done)
    }

    /// The bus between transfers: no select, request lines zero (as cocotbext-apb leaves them).
    fn idle(&mut self, a: ApbPins) {
        for id in [a.psel, a.penable, a.pwrite, a.paddr, a.pwdata, a.pstrb] {
            self.dut.poke_u32(id, 0);
        }
    }

    /// A write transfer; returns how it ended.
    pub fn apb_write(&mut self, addr: u32, data: u32, master: u32, strb: u32) -> Result<Done, String> {
        self.transfer(true, addr, data, strb, master)
    }

    /// A read transfer; returns how it ended.
    pub fn apb_read(&mut self, addr: u32, master: u32) -> Result<Done, String> {
        self.transfer(false, addr, 0, 0, master)
    }
}

/// 32-bit words a `width`-bit value takes.
pub fn words_of(width: u32) -> usize {
    width.div_ceil(32).max(1) as usize
}

