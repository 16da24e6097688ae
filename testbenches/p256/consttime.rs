//! Constant-time evidence for the P-256 engine on its state-access model (`pluton_p256_fi`):
//! the control state in every cycle of a command (sequencer state, microcode address, loop and
//! digit counters, wipe address) must be the same whatever the secret.
//!
//! Every register-file address is a function of that control state: the microcode word at `upc`
//! names the registers, `st` says which port uses them, `wipe_cnt` addresses the wipe, and `cnt`
//! picks the scalar bit. So equal control traces mean equal address traces and equal timing. The
//! check can fail: the same command with RANDOMIZE on (a public option with its own schedule)
//! must give a different trace, and does.

use crate::state_rig::StateRig;
use pluton_bindings::Dut;


const MODEL: &str = "pluton_p256_fi";
/// The control flops, by instance name under the top.
const CONTROL: [&str; 6] = ["st", "upc", "cnt", "dig", "wipe_cnt", "ret"];

/// The state-access model, with the control flops it traces.
pub struct Rig {
    rig: StateRig,
    control: Vec<usize>,
    intr_done: usize,
}

impl std::ops::Deref for Rig {
    type Target = StateRig;
    fn deref(&self) -> &StateRig {
        &self.rig
    }
}

impl std::ops::DerefMut for Rig {
    fn deref_mut(&mut self) -> &mut StateRig {
        &mut self.rig
    }
}

impl Rig {
    /// The state-access model, with the control flops traced.
    pub fn open() -> Result<Rig, String> {
        let rig = Rig::open_model(MODEL)?;
        if rig.control.is_empty() {
            return Err(format!("{MODEL} was built without state access: no control trace to compare"));
        }
        Ok(rig)
    }

    /// `model` (`pluton_p256`, or `pluton_p256_fi` for the control trace), out of reset.
    pub fn open_model(model: &str) -> Result<Rig, String> {
        let rig = StateRig::open(model, "pluton_p256")?;
        let control = match rig.dut.state_vars() {
            None => Vec::new(),
            Some(_) => CONTROL.iter().map(|n| rig.state_var(n).map(|(i, _)| i)).collect::<Result<Vec<_>, _>>()?,
        };
        let intr_done = rig.dut.port_id("intr_done").ok_or(format!("{model} has no port intr_done"))?;
        Ok(Rig { rig, control, intr_done })
    }

    /// Writes a 32-byte operand (memory layout, as the bus takes it).
    pub fn operand(&mut self, base: u32, v: &[u8; 32]) {
        for i in 0..8 {
            self.write(base + 4 * i as u32, u32::from_le_bytes(v[4 * i..4 * i + 4].try_into().expect("4 bytes")));
        }
    }

    /// Runs command `cmd`; returns (cycles to DONE, a digest of the control state in each of them;
    /// 0 without state access). `prefix`: the digest of the first PREFIX cycles alone, so two
    /// schedules can be told apart at equal length.
    pub fn command(&mut self, cmd_addr: u32, cmd: u32) -> Trace {
        use std::hash::Hasher;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        let mut prefix = 0;
        self.write(cmd_addr, cmd);
        let mut cycles = 0u64;
        let mut w = [0u32; 1];
        while self.rig.dut.peek_u32(self.intr_done) == 0 {
            for &i in &self.control {
                self.rig.dut.read_state(i, &mut w);
                h.write_u32(w[0]);
            }
            self.rig.dut.step();
            cycles += 1;
            if cycles == PREFIX {
                prefix = h.finish();
            }
            assert!(cycles < 5_000_000, "command {cmd} never finished");
        }
        Trace { cycles, digest: h.finish(), prefix }
    }
}

/// Cycles of a command's start whose control trace `Trace::prefix` digests.
pub const PREFIX: u64 = 2_000;

/// One command's control trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trace {
    pub cycles: u64,
    pub digest: u64,
    pub prefix: u64,
}

/// Traces are equal: Ok; else the first pair that differs.
pub fn all_equal(what: &str, traces: &[(String, Trace)]) -> Result<(), String> {
    let Some((first_name, first)) = traces.first() else { return Err(format!("{what}: no traces")) };
    for (name, t) in traces {
        if t != first {
            return Err(format!(
                "{what}: {name} took {} cycles (control digest {:016x}), {first_name} {} ({:016x}): the schedule depends on the secret",
                t.cycles, t.digest, first.cycles, first.digest
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{all_equal, Trace};

    #[test]
    fn a_different_trace_is_reported() {
        let t = |cycles, digest| Trace { cycles, digest, prefix: digest };
        let same = [("a".to_string(), t(10, 7)), ("b".to_string(), t(10, 7))];
        assert!(all_equal("x", &same).is_ok());
        let other_digest = [("a".to_string(), t(10, 7)), ("b".to_string(), t(10, 8))];
        assert!(all_equal("x", &other_digest).unwrap_err().contains("b took 10 cycles"));
        let other_length = [("a".to_string(), t(10, 7)), ("b".to_string(), t(11, 7))];
        assert!(all_equal("x", &other_length).is_err());
        assert!(all_equal("x", &[]).is_err());
    }
}
