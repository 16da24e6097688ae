//! Simulation bindings: Verilated RTL behind the `Dut` trait, and a cocotb-style async test-bench runtime.

pub mod apb;
pub mod bench;
pub mod dut;
pub mod sim;
pub mod verilated;
mod waves;

pub use dut::{parse_ports, Dir, Dut, Port};
pub use sim::{Failure, JoinHandle, Sim, SimOptions, Tb, Timeout};
pub use verilated::{build_error, open_verilated, verilated_tops, VerilatedDut};

/// The workspace root this crate was built in (where `build/waves/` goes).
pub fn project_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("PLUTON_PROJECT_ROOT"))
}
