//! The port-level interface every simulated block offers: Verilated RTL, models, and lock-step pairs.

pub use pluton_toolchain::ports::{parse_ports, Dir, Port};

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
    /// The test body has finished: a DUT that checks behind the simulation (the pipelined
    /// lock-step, whose model runs on another thread) completes its checks and reports here.
    fn finish(&mut self) -> Result<(), String> {
        Ok(())
    }

    /// The Verilated top whose outputs this DUT shows (directly, or as the RTL side of a
    /// lock-step pair); `None` for a model. Waves of a run replay its ports through that top
    /// with tracing, to show every signal inside.
    fn rtl(&self) -> Option<&str> {
        None
    }

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


/// The `Dut` methods a wrapper passes straight to the DUT in its field `$inner` (all but `step`,
/// which a wrapper exists to extend): `impl Dut for W { delegate_dut!(inner); fn step(..) {..} }`.
#[macro_export]
macro_rules! delegate_dut {
    ($inner:ident) => {
        fn name(&self) -> &str {
            self.$inner.name()
        }
        fn ports(&self) -> &[$crate::Port] {
            self.$inner.ports()
        }
        fn poke(&mut self, port: usize, value: &[u32]) {
            self.$inner.poke(port, value)
        }
        fn peek(&mut self, port: usize, value: &mut [u32]) {
            self.$inner.peek(port, value)
        }
        fn finish(&mut self) -> Result<(), String> {
            self.$inner.finish()
        }
        fn rtl(&self) -> Option<&str> {
            self.$inner.rtl()
        }
    };
}

/// Lane `k` of a packed port value: bits `[w*k+w-1 : w*k]` of `words` (little-endian 32-bit
/// words), as the per-window buses pack one `w`-bit field per window.
pub fn lane(words: &[u32], w: u32, k: u32) -> u32 {
    (0..w).fold(0, |acc, i| {
        let bit = w * k + i;
        acc | ((words[(bit / 32) as usize] >> (bit % 32)) & 1) << i
    })
}

// ---------------------------------------------------------------------------------------------
// APB4 port ids, and how a reference checks an APB completer's outputs (the lock-step's rules;
// the mutants replay's).

/// Port ids of the ten APB4 signals with the `pmaster` sideband: a completer's, or one
/// requester's side of an arbiter (found under a prefix). Benches and models drive and watch
/// the bus through these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApbPins {
    pub psel: usize,
    pub penable: usize,
    pub pwrite: usize,
    pub paddr: usize,
    pub pwdata: usize,
    pub pstrb: usize,
    pub pmaster: usize,
    pub prdata: usize,
    pub pready: usize,
    pub pslverr: usize,
}

impl ApbPins {
    /// Each signal's id from `id(name)`; else the names it could not find.
    pub fn find(mut id: impl FnMut(&str) -> Option<usize>) -> Result<ApbPins, Vec<&'static str>> {
        let names = ["psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "prdata", "pready", "pslverr"];
        let ids: Vec<Option<usize>> = names.iter().map(|n| id(n)).collect();
        let missing: Vec<&'static str> = names.iter().zip(&ids).filter(|(_, i)| i.is_none()).map(|(n, _)| *n).collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        let i = |k: usize| ids[k].unwrap_or_default();
        Ok(ApbPins { psel: i(0), penable: i(1), pwrite: i(2), paddr: i(3), pwdata: i(4), pstrb: i(5), pmaster: i(6), prdata: i(7), pready: i(8), pslverr: i(9) })
    }

    /// Drive a transfer's setup phase on `dut` (a model or the RTL driven by port id): `psel`
    /// high, `penable` low, the request; write data and strobes are 0 on a read.
    pub fn drive_setup(&self, dut: &mut dyn Dut, write: bool, addr: u32, data: u32, strb: u32, master: u32) {
        dut.poke_u32(self.psel, 1);
        dut.poke_u32(self.penable, 0);
        dut.poke_u32(self.pwrite, write as u32);
        dut.poke_u32(self.paddr, addr);
        dut.poke_u32(self.pwdata, if write { data } else { 0 });
        dut.poke_u32(self.pstrb, if write { strb } else { 0 });
        dut.poke_u32(self.pmaster, master);
    }
}

/// Port ids of the APB completer signals, when the block has them all.
///
/// A reference compares an APB completer's outputs by these rules: `pready` and `pslverr` only
/// in the access phase (`psel & penable`), where they mean something; `prdata` only when a read
/// completes (`psel & penable & !pwrite & pready`); every other output always.
#[derive(Clone, Copy, Debug)]
pub struct Apb {
    pub psel: usize,
    pub penable: usize,
    pub pwrite: usize,
    pub paddr: Option<usize>,
    pub pwdata: Option<usize>,
    pub pready: usize,
    pub prdata: usize,
    pub pslverr: usize,
}

/// How an output port is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Compared in the APB access phase (`pready`, `pslverr`).
    AccessPhase,
    /// Compared when a read completes (`prdata`).
    ReadData,
    /// Compared at every peek and after every step.
    Always,
}

/// The APB completer ports (when the block has them all) and each port's compare rule.
pub fn compare_rules(ports: &[Port]) -> (Option<Apb>, Vec<Rule>) {
    let id = |name: &str| ports.iter().position(|p| p.name == name);
    let apb = match (id("psel"), id("penable"), id("pwrite"), id("pready"), id("prdata"), id("pslverr")) {
        (Some(psel), Some(penable), Some(pwrite), Some(pready), Some(prdata), Some(pslverr)) => {
            Some(Apb { psel, penable, pwrite, paddr: id("paddr"), pwdata: id("pwdata"), pready, prdata, pslverr })
        }
        _ => None,
    };
    let rules = (0..ports.len())
        .map(|i| match apb {
            Some(a) if i == a.pready || i == a.pslverr => Rule::AccessPhase,
            Some(a) if i == a.prdata => Rule::ReadData,
            _ => Rule::Always,
        })
        .collect();
    (apb, rules)
}

