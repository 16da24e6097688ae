//! Cycle-accurate, port-level reference model of the APB arbiter (`pluton_apb_arb`), written from its README.
//!
//! Every output is combinational from the three state bits and the current inputs, so `peek`
//! computes it on demand; `step` is one rising edge.

use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::apb_arb::regs::{self, MAP};

/// The seven request signals of a requester, in port order.
const REQ: [(&str, u32); 7] = [("psel", 1), ("penable", 1), ("pwrite", 1), ("paddr", 16), ("pwdata", 32), ("pstrb", 4), ("pmaster", 4)];

// Port ids (README order): clock, rst_n, s0 request 2..=8, s1 request 9..=15, m answer 16..=18,
// s0 answer 19..=21, s1 answer 22..=24, m request 25..=31.
const CLOCK: usize = 0;
const RST_N: usize = 1;
const S0: usize = 2;
const S1: usize = 9;
const M_PRDATA: usize = 16;
const M_PREADY: usize = 17;
const M_PSLVERR: usize = 18;
const S0_ANS: usize = 19;
const S1_ANS: usize = 22;
const M_REQ: usize = 25;
/// Offsets inside a request group / an answer group.
const PSEL: usize = 0;
const PENABLE: usize = 1;
const PWRITE: usize = 2;
const PRDATA: usize = 0;
const PREADY: usize = 1;
const PSLVERR: usize = 2;

fn port_table() -> Vec<(String, Dir, u32)> {
    let mut t = vec![("clock".to_string(), Dir::In, 1), ("rst_n".to_string(), Dir::In, 1)];
    for s in ["s0", "s1"] {
        t.extend(REQ.iter().map(|(n, w)| (format!("{s}_{n}"), Dir::In, *w)));
    }
    t.extend([("m_prdata".to_string(), Dir::In, 32), ("m_pready".into(), Dir::In, 1), ("m_pslverr".into(), Dir::In, 1)]);
    for s in ["s0", "s1"] {
        t.extend([(format!("{s}_prdata"), Dir::Out, 32), (format!("{s}_pready"), Dir::Out, 1), (format!("{s}_pslverr"), Dir::Out, 1)]);
    }
    t.extend(REQ.iter().map(|(n, w)| (format!("m_{n}"), Dir::Out, *w)));
    t
}

/// Port-level model of `pluton_apb_arb`.
pub struct ApbArbModel {
    ports: Vec<Port>,
    inputs: Vec<Vec<u32>>,
    pub busy: bool,
    pub owner: usize,
    /// The port that wins the next tie.
    pub next_tie: usize,
    /// Grants so far, per port (for tests).
    pub grants: [u64; 2],
}

impl Default for ApbArbModel {
    fn default() -> Self {
        Self::new()
    }
}

impl ApbArbModel {
    pub fn new() -> Self {
        let table = port_table();
        let ports: Vec<Port> = table.iter().map(|(n, d, w)| Port { name: n.clone(), dir: *d, width: *w }).collect();
        let inputs = crate::ports::zero_values(&ports);
        let mut m = ApbArbModel { ports, inputs, busy: false, owner: 0, next_tie: 0, grants: [0; 2] };
        m.reset();
        m
    }

    fn reset(&mut self) {
        self.busy = false;
        self.owner = 0;
        self.next_tie = regs::FIRST_TIE as usize;
    }

    fn input(&self, p: usize) -> u32 {
        self.inputs[p][0]
    }
    fn base(port: usize) -> usize {
        if port == 0 {
            S0
        } else {
            S1
        }
    }
    fn asks(&self, port: usize) -> bool {
        self.input(Self::base(port) + PSEL) == 1
    }

    /// The granted port: the owner while busy, else the README's idle choice.
    fn granted(&self) -> usize {
        if self.busy {
            self.owner
        } else {
            match (self.asks(0), self.asks(1)) {
                (true, true) => self.next_tie,
                (false, true) => 1,
                _ => 0,
            }
        }
    }

    fn m_psel(&self) -> bool {
        self.busy || self.asks(0) || self.asks(1)
    }

    fn selected(&self, port: usize) -> bool {
        self.busy && self.owner == port
    }
}

impl Dut for ApbArbModel {
    fn name(&self) -> &str {
        MAP.module
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        let p = &self.ports[port];
        assert_eq!(p.dir, Dir::In, "poke of output port {}", p.name);
        if port == CLOCK {
            return;
        }
        let width = p.width;
        crate::ports::store_masked(&mut self.inputs[port], width, value);
        if self.input(RST_N) == 0 {
            self.reset();
        }
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        value.fill(0);
        let out = if (S0_ANS..S0_ANS + 3).contains(&port) || (S1_ANS..S1_ANS + 3).contains(&port) {
            let (i, k) = if port >= S1_ANS { (1, port - S1_ANS) } else { (0, port - S0_ANS) };
            if !self.selected(i) {
                0
            } else {
                match k {
                    // Read data only in the cycle a read completes (README, security property).
                    PRDATA if self.input(M_PREADY) == 1 && self.input(Self::base(i) + PWRITE) == 0 => self.input(M_PRDATA),
                    PRDATA => 0,
                    PREADY => self.input(M_PREADY),
                    PSLVERR => self.input(M_PSLVERR),
                    _ => unreachable!(),
                }
            }
        } else if (M_REQ..M_REQ + 7).contains(&port) {
            let k = port - M_REQ;
            let g = Self::base(self.granted());
            match k {
                _ if !self.m_psel() => 0,
                PSEL => 1,
                PENABLE => (self.busy && self.input(g + PENABLE) == 1) as u32,
                _ => self.input(g + k),
            }
        } else {
            let n = value.len().min(self.inputs[port].len());
            value[..n].copy_from_slice(&self.inputs[port][..n]);
            return;
        };
        value[0] = out;
    }
    fn step(&mut self) {
        if self.input(RST_N) == 0 {
            self.reset();
            return;
        }
        if !self.busy {
            if self.asks(0) || self.asks(1) {
                let g = self.granted();
                self.busy = true;
                self.owner = g;
                self.next_tie = 1 - g;
                self.grants[g] += 1;
            }
        } else if self.input(M_PREADY) == 1 {
            self.busy = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_follow_the_readme() {
        let m = ApbArbModel::new();
        let names: Vec<&str> = m.ports().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), 32);
        assert_eq!(names[S0], "s0_psel");
        assert_eq!(names[S1 + 3], "s1_paddr");
        assert_eq!(names[M_PREADY], "m_pready");
        assert_eq!(names[S1_ANS], "s1_prdata");
        assert_eq!(names[M_REQ + 6], "m_pmaster");
    }

    #[test]
    fn tie_alternates_and_answer_goes_to_owner_only() {
        let mut m = ApbArbModel::new();
        m.poke_u32(RST_N, 1);
        m.poke_u32(S0 + PSEL, 1);
        m.poke_u32(S1 + PSEL, 1);
        m.poke_u32(S1 + 3, 0x1234);
        m.poke_u32(M_PRDATA, 0xAAAA);
        m.poke_u32(M_PREADY, 1);
        // Idle tie: port 0 first; the completer sees SETUP.
        assert_eq!((m.peek_u32(M_REQ + PSEL), m.peek_u32(M_REQ + PENABLE), m.peek_u32(M_REQ + 3)), (1, 0, 0));
        assert_eq!(m.peek_u32(S0_ANS + PREADY), 0);
        m.step();
        m.poke_u32(S0 + PENABLE, 1);
        m.poke_u32(S1 + PENABLE, 1);
        assert_eq!((m.peek_u32(S0_ANS + PREADY), m.peek_u32(S0_ANS + PRDATA)), (1, 0xAAAA));
        assert_eq!((m.peek_u32(S1_ANS + PREADY), m.peek_u32(S1_ANS + PRDATA)), (0, 0));
        m.step();
        // Port 1 waited in ACCESS: it gets a SETUP at the completer first.
        assert_eq!((m.peek_u32(M_REQ + PENABLE), m.peek_u32(M_REQ + 3)), (0, 0x1234));
        assert_eq!(m.peek_u32(S1_ANS + PREADY), 0);
        m.step();
        assert_eq!(m.peek_u32(S1_ANS + PREADY), 1);
        assert_eq!(m.grants, [1, 1]);
    }
}
