//! Simulation bindings: Verilated RTL behind the `Dut` trait, and a cocotb-style async test-bench runtime.

pub mod apb;
pub mod apb_agents;
pub mod coverage;
pub mod bench;
pub mod dut;
mod exe;
pub mod inside;
pub mod mutants;
pub mod par;
pub mod replay;
pub mod sim;
pub mod trace;
pub mod verilated;
mod waves;

pub use dut::{parse_ports, Dir, Dut, Port};
pub use inside::WaveFormat;
pub use sim::{Failure, JoinHandle, Sim, SimOptions, Tb, Timeout};
pub use verilated::{build_error, open_verilated, random_init, set_random_init, verilated_tops, VerilatedDut};

/// The workspace root (where `build/waves/` goes).
pub use pluton_toolchain::project_root;
