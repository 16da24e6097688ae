//! Co-simulation test benches, the vectors they use, the regression runner and the benchmark.
pub mod bench;
pub mod cocotb;
pub mod coverage;
pub mod csr;
pub mod faults;
pub mod formal;
pub mod leak;
pub mod mutants;
pub mod regio;
pub mod regression;
pub mod report;
pub mod shard;
pub mod state_rig;
pub mod structural;
pub mod tvla;
pub mod vectors;

// One module per bench folder (`testbenches/<ip>/mod.rs`), from the project's one list of IPs
// (`pluton_regs::for_each_ip!`); each folder's `benches()` registers its blocks.
macro_rules! bench_modules {
    ($($ip:ident $([$($file:ident),*])?),* $(,)?) => {
        #[path = ".."]
        mod folders {
            $(pub mod $ip;)*
        }
        pub use folders::*;
    };
}
pluton_hdl::for_each_ip!(bench_modules);
