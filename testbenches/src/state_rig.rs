//! A Verilated model driven directly, without the bench scheduler: its flops by name (on a state-access `_fi` build), its ports, and a synchronous APB requester.

use pluton_bindings::verilated::StateVar;
use pluton_bindings::{Dut, VerilatedDut};
use pluton_cosim::test_apb::Apb;

pub struct StateRig {
    pub dut: VerilatedDut,
    apb: Apb,
    model: String,
    /// The top module's name: flops are `<top>.<instance path>.q`.
    top: String,
    /// Edges run by `clock` (the bus helper counts its own).
    clocked: u64,
}

impl StateRig {
    /// Model `model` (`pluton_p256`, or `pluton_p256_fi` for state access) of top `top`, out of reset.
    /// Keep one rig of a model open at a time: Verilator (5.x) deadlocks in its scope registry
    /// when the second of two live instances of one model is destroyed.
    pub fn open(model: &str, top: &str) -> Result<StateRig, String> {
        let mut dut = VerilatedDut::open(model).ok_or_else(|| {
            format!("no Verilated model `{model}` in this build{}", pluton_bindings::build_error().map(|e| format!(": {e}")).unwrap_or_default())
        })?;
        let mut apb = Apb::new(&dut);
        apb.reset(&mut dut);
        Ok(StateRig { dut, apb, model: model.to_string(), top: top.to_string(), clocked: 0 })
    }

    /// Flop `name` (its instance path under the top, e.g. `opa` or `cond.sv`): index and shape.
    pub fn state_var(&self, name: &str) -> Result<(usize, StateVar), String> {
        let full = format!("{}.{name}.q", self.top);
        let vars = self.dut.state_vars().ok_or(format!("{} has no state access", self.model))?;
        vars.iter().enumerate().find(|(_, v)| v.name == full).map(|(i, v)| (i, v.clone())).ok_or(format!("no state element {full}"))
    }

    /// The value of flop `name`.
    pub fn flop(&mut self, name: &str) -> Result<Vec<u32>, String> {
        let (i, v) = self.state_var(name)?;
        let mut w = vec![0u32; v.words];
        self.dut.read_state(i, &mut w);
        Ok(w)
    }

    /// Flips bit `bit` of flop `name` between two edges, as a fault would.
    pub fn flip(&mut self, name: &str, bit: u32) -> Result<(), String> {
        let (i, v) = self.state_var(name)?;
        self.dut.flip(i, &v, bit);
        Ok(())
    }

    /// Sets flop `name` to `want` (32-bit words, least significant first) between two edges, by
    /// flipping the bits that differ (as a test presets a counter it cannot run up in time).
    pub fn preset(&mut self, name: &str, want: &[u32]) -> Result<(), String> {
        let now = self.flop(name)?;
        let (_, v) = self.state_var(name)?;
        for bit in 0..v.bits {
            let (w, b) = ((bit / 32) as usize, bit % 32);
            if (now[w] ^ want.get(w).copied().unwrap_or(0)) >> b & 1 == 1 {
                self.flip(name, bit)?;
            }
        }
        Ok(())
    }

    /// The value of output port `name` (at most 32 bits).
    pub fn out(&mut self, name: &str) -> Result<u32, String> {
        let id = self.dut.port_id(name).ok_or(format!("no port {name}"))?;
        Ok(self.dut.peek_u32(id))
    }

    /// Drives input port `name` (at most 32 bits).
    pub fn set(&mut self, name: &str, v: u32) -> Result<(), String> {
        let id = self.dut.port_id(name).ok_or(format!("no port {name}"))?;
        self.dut.poke_u32(id, v);
        Ok(())
    }

    /// `n` clock edges with the bus idle.
    pub fn clock(&mut self, n: usize) {
        for _ in 0..n {
            self.dut.step();
        }
        self.clocked += n as u64;
    }

    /// Rising edges since `open` (reset, bus transfers and `clock`).
    pub fn edges(&self) -> u64 {
        self.apb.edges + self.clocked
    }

    /// A write from the security core (master 0), waiting out PREADY; its response.
    pub fn write(&mut self, addr: u32, data: u32) -> pluton_cosim::test_apb::Done {
        self.apb.write(&mut self.dut, addr, data)
    }

    pub fn read(&mut self, addr: u32) -> u32 {
        self.apb.read(&mut self.dut, addr).data
    }
}
