//! The first system's benches: its UART alone (CSR tests), its SRAM alone (`sram.rs`: the AHB
//! port driven directly, forwarding included), and the system running its demo program
//! (`crate::m0::system`, beside the core's other program benches).
pub mod sram;

/// This folder's benches (`regression::benches()` lists every folder's).
pub fn benches() -> Vec<crate::regression::BlockBench> {
    use crate::regression::BlockBench;
    vec![
        // No model of its own (the core's programs check it in m0sys): its only tests are the
        // CSR tests generated from its map, on the RTL.
        BlockBench {
            block: "uart",
            module: "pluton_uart",
            model: None,
            cases: Vec::new,
            replay: "csr_refusals",
            csr: Some(&crate::csr::CsrSpec { map: &pluton_hdl::m0sys::regs::UART_MAP, base: 0, master: pluton_hdl::common::masters::MASTER_SEC, log: crate::csr::ErrLog::ErrInfo }),
            proofs: &[],
            compares_reads: false,
            scans_leaks: false,
        },
        // The bench is the master and checks every answer against its own reference memory (no
        // port-level model); the system's SRAM is this module.
        BlockBench {
            block: "sram",
            module: "pluton_sram",
            model: None,
            cases: sram::cases,
            replay: "sram_directed",
            csr: None,
            proofs: &[],
            compares_reads: false,
            scans_leaks: false,
        },
        BlockBench {
            block: "m0sys",
            module: "pluton_m0sys",
            model: None,
            cases: crate::m0::system::cases,
            replay: "m0sys_sha_demo",
            csr: None,
            proofs: &[],
            compares_reads: false,
            scans_leaks: false,
        },
    ]
}
