//! `pluton`: generate, lint, co-simulate, benchmark and synthesize the subsystem.

use clap::{Parser, Subcommand};
use pluton_testbenches::regression::{self, Backend, Options};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "pluton", about = "Pluton-style security subsystem: RustHDL -> rtl/ -> Verilator co-sim -> FPGA")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write rtl/ (Verilog, port lists, register docs, C headers, manifest) from the RustHDL source.
    Gen {
        /// Do not write: fail if rtl/ differs from what the generator produces.
        #[arg(long)]
        check: bool,
    },
    /// Check rtl/: up to date, no `initial`, Verilator -Wall clean, Yosys `check -assert` clean.
    Lint,
    /// Run the co-simulation regression (RTL on Verilator in lock-step with the reference model).
    Cosim {
        /// Only this block (e.g. sha256); default: all.
        block: Option<String>,
        /// Seed for the random tests (printed at start; replays a run).
        #[arg(long)]
        seed: Option<u64>,
        /// Write VCD waves (and a GTKWave save file) for every test.
        #[arg(long)]
        waves: bool,
        /// What to simulate: both in lock-step (default), the RTL alone, or the model alone.
        #[arg(long, default_value = "lockstep")]
        backend: Backend,
        /// Only run tests whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
    },
    /// Print performance figures: cycles per block, co-sim cycles/s, and a bare Verilator C++ loop.
    Bench {
        /// Block to measure.
        #[arg(default_value = "sha256")]
        block: String,
    },
    /// Synthesize a block for an FPGA and write fpga/reports/<module>-<target>.md.
    Synth {
        /// Block to synthesize (e.g. sha256).
        block: String,
        /// ice40-up5k, ecp5-25k or xc7a35t.
        #[arg(long)]
        target: pluton_fpga::Target,
    },
    /// Show the external tools in use, provisioning any that are missing.
    Tools {
        /// Only show; do not provision.
        #[arg(long)]
        no_install: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    pluton_toolchain::project_root()
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Gen { check: false } => {
            let written = pluton_hdl::gen::write_all(&root()).map_err(|e| format!("writing rtl/: {e}"))?;
            for path in written {
                println!("wrote {path}");
            }
            Ok(())
        }
        Command::Gen { check: true } => gen_check(),
        Command::Lint => lint(),
        Command::Cosim { block, seed, waves, backend, filter } => {
            let opts = Options { seed, waves, backend, filter, scale: 1.0 };
            let results = regression::run(block.as_deref(), &opts)?;
            regression::print_summary(&results);
            if results.iter().all(|r| r.passed) {
                Ok(())
            } else {
                Err("co-simulation regression failed".into())
            }
        }
        Command::Bench { block } => pluton_testbenches::bench::run(&block),
        Command::Synth { block, target } => synth(&block, target),
        Command::Tools { no_install } => tools(no_install),
    }
}

fn gen_check() -> Result<(), String> {
    let stale = pluton_hdl::gen::check_all(&root());
    if stale.is_empty() {
        println!("rtl/ matches the generator");
        Ok(())
    } else {
        Err(format!("rtl/ is out of date (run `cargo run --release -- gen`): {}", stale.join(", ")))
    }
}

fn lint() -> Result<(), String> {
    gen_check()?;
    let reports = pluton_toolchain::lint::lint_dir(&root().join("rtl"))?;
    if reports.is_empty() {
        return Err("no Verilog files in rtl/".into());
    }
    let mut clean = true;
    for r in &reports {
        let name = r.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        println!(
            "{name}: verilator -Wall {} warning(s), yosys check {} problem(s), {} initial block(s), {} flop(s) without reset",
            r.verilator_warnings.len(),
            r.yosys_problems.len(),
            r.initial_blocks.len(),
            r.flops_without_reset.len()
        );
        for line in r.verilator_warnings.iter().chain(&r.yosys_problems).chain(&r.flops_without_reset) {
            println!("    {line}");
        }
        for line in &r.initial_blocks {
            println!("    initial block at line {line}");
        }
        clean &= r.clean() && r.flops_without_reset.is_empty();
    }
    if clean {
        println!("lint clean");
        Ok(())
    } else {
        Err("lint found problems".into())
    }
}

fn synth(block: &str, target: pluton_fpga::Target) -> Result<(), String> {
    let b = pluton_hdl::gen::block(block).ok_or_else(|| {
        let names: Vec<_> = pluton_hdl::gen::blocks().iter().map(|b| b.map.block).collect();
        format!("unknown block `{block}`; blocks are: {}", names.join(", "))
    })?;
    let m = b.map.module;
    let rtl = root().join("rtl");
    let out = root().join("build").join("synth").join(format!("{m}-{target}"));
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let report = pluton_fpga::synth(&rtl.join(format!("{m}.v")), m, &rtl.join(format!("{m}.ports")), target, &out)?;
    print!("{}", report.to_markdown());
    let path = pluton_fpga::write_report(&report, &pluton_fpga::reports_dir())?;
    println!("report: {}", path.display());
    match report.does_not_fit {
        Some(why) => Err(format!("{m} does not fit {target}: {why}")),
        None => Ok(()),
    }
}

fn tools(no_install: bool) -> Result<(), String> {
    if !no_install {
        pluton_toolchain::provision_all()?;
    }
    let mut missing = false;
    for (name, tool) in pluton_toolchain::status() {
        match tool {
            Ok(t) => println!("{name:<14} {:<12} {:<12} {}", t.version, t.origin, t.program.display()),
            Err(e) => {
                missing = true;
                println!("{name:<14} missing: {e}")
            }
        }
    }
    if missing && !no_install {
        Err("some tools are missing".into())
    } else {
        Ok(())
    }
}
