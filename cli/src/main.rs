//! `pluton`: generate, lint, co-simulate, benchmark and synthesize the subsystem.

use clap::{Parser, Subcommand};
use pluton_testbenches::formal;
use pluton_testbenches::faults::Report;
use pluton_testbenches::regression::{self, Backend, Options};
use pluton_testbenches::report;
use pluton_testbenches::shard::{self, RunKey, Shard, ShardResults};
use std::path::PathBuf;
use std::process::ExitCode;

mod fuses;
mod handoff;

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
        /// Write waves for every test: the ports (`build/waves/<test>.vcd`), every signal inside
        /// the RTL (`<test>.inside.vcd`, replayed through a traced build) and a GTKWave save file.
        #[arg(long)]
        waves: bool,
        /// Waves of the signals inside as FST, not VCD (far smaller for long runs; also for the
        /// replay of a failing test).
        #[arg(long)]
        fst: bool,
        /// Record Verilator line (with branch) and toggle coverage of every test on RTL, merged
        /// per block: a table, `build/coverage/index.html` and `build/coverage/<top>.dat`.
        #[arg(long)]
        coverage: bool,
        /// Mutation coverage: run BLOCK's regression, make N Yosys mutants of its RTL and replay
        /// each against the tests' port logs; prints killed and surviving mutants
        /// (`build/mutants/<block>/<top>/report.md`).
        #[arg(long, value_name = "N", value_parser = mutant_count)]
        mutants: Option<u32>,
        /// What to simulate: both in lock-step (default), the RTL alone, or the model alone.
        #[arg(long, default_value = "lockstep")]
        backend: Backend,
        /// Only run tests whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Skip the formal proofs (they run when no block, filter or backend is chosen).
        #[arg(long)]
        no_proofs: bool,
        /// Start every flop and RAM word at a random value before reset (Verilator's
        /// `+verilator+rand+reset+2`), from SEED or a printed random one; results must not change.
        #[arg(long, value_name = "SEED", num_args = 0..=1)]
        random_init: Option<Option<u32>>,
        /// Multiply the random tests' workloads (1 = the regression's counts; e.g. `cosim
        /// security --filter security_random --scale 500` runs the subsystem fuzz at 10 M transfers).
        #[arg(long, default_value_t = 1.0, value_parser = positive_scale)]
        scale: f64,
        /// Flops flipped by the fault campaign (`cosim faults`, and the full regression's).
        #[arg(long, default_value_t = pluton_testbenches::faults::REGRESSION_FAULTS, value_parser = positive_count)]
        faults: usize,
        /// Run only shard I of N (e.g. 2/4): every Nth test, proof and campaign flip. Needs
        /// --seed, the same on every shard; `pluton merge` joins the shards' --results files.
        #[arg(long, value_name = "I/N")]
        shard: Option<Shard>,
        /// Write this run's results (tests, proofs, campaign flips) as JSON, for `pluton merge`.
        #[arg(long, value_name = "FILE")]
        results: Option<PathBuf>,
        /// Check lock-step in step with the RTL on one thread (default: the model checks on a
        /// second thread, a bounded number of cycles behind; a failure replays in step).
        #[arg(long)]
        in_step: bool,
    },
    /// Merge the --results files of a sharded `cosim` run and print its one summary.
    Merge {
        /// One results file per shard, all shards of one run.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write `build/report/index.html` from what was last measured: the last `cosim` run's
    /// results, coverage, `bench` speed and the committed synthesis reports (`cosim` writes it too).
    Report,
    /// Run the formal proofs (SBY k-induction, unbounded), each with a mutant that must fail.
    Prove {
        /// Only proofs of this block, or with this id (a..e); default: all.
        filter: Option<String>,
    },
    /// Print performance figures: co-sim speed against the fastest bare Verilator loop, or one block's cycles and speed.
    Bench {
        /// Block to measure; none: the co-simulation speed goals (SHA-256, the subsystem and
        /// the two-core system against the fastest bare Verilator loop).
        block: Option<String>,
    },
    /// Synthesize a block for an FPGA and write fpga/reports/<module>-<target>.md.
    Synth {
        /// Block to synthesize (e.g. sha256).
        block: String,
        /// ice40-up5k, ecp5-25k or xc7a35t.
        #[arg(long)]
        target: pluton_fpga::Target,
        /// Fuse image (from `pluton fuses build`) to preload the fuse array's block RAM with.
        #[arg(long)]
        fuses: Option<PathBuf>,
        /// Nets to keep through synthesis, so the report's critical path names them
        /// (comma-separated `reg` names of the top, e.g. `sum,rq_addr`, or `MODULE.NET`).
        #[arg(long, value_delimiter = ',')]
        keep: Vec<String>,
    },
    /// Build a fuse image from a TOML description, or decode one (`fuses build`, `fuses show`).
    Fuses { #[command(subcommand)] cmd: fuses::FusesCommand },
    /// Write the hand-off bundle for chip partners: RTL, filelists, SDC, register maps (C, Markdown,
    /// SystemRDL), docs as HTML, lint and synthesis reports, and a MANIFEST of SHA-256 hashes.
    Handoff {
        /// Folder to write (replaced if it holds an earlier bundle).
        #[arg(short, long)]
        out: PathBuf,
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
            if written.is_empty() {
                println!("rtl/ already matches the generator: nothing written");
            }
            for path in written {
                println!("wrote {path}");
            }
            Ok(())
        }
        Command::Gen { check: true } => gen_check(),
        Command::Lint => lint(),
        Command::Cosim { block, seed, waves, fst, coverage, mutants, backend, filter, no_proofs, random_init, scale, faults, shard, results, in_step } => {
            if shard.is_some() && seed.is_none() {
                return Err("--shard needs --seed S, the same S on every shard, so that the shards split one plan and each replays".into());
            }
            let shard = shard.unwrap_or(Shard::ALL);
            if let Some(init) = random_init {
                let init = init.unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(1));
                pluton_bindings::set_random_init(Some(init));
                let used = pluton_bindings::random_init().unwrap_or(0);
                println!("random initial state: seed {used} (replay with --random-init {used})");
            }
            let seed = seed.unwrap_or_else(fresh_seed);
            if let Some(n) = mutants {
                return mutation_coverage(block.as_deref(), n, seed, filter, scale, shard != Shard::ALL || waves || coverage || backend != Backend::Lockstep);
            }
            match shard {
                Shard::ALL => println!("regression seed {seed} (replay with --seed {seed})"),
                _ => println!("shard {shard}, seed {seed} (replay this shard with --shard {shard} --seed {seed})"),
            }
            let key = |faults, proofs| RunKey { seed, block: block.clone(), filter: filter.clone(), backend: format!("{backend:?}").to_lowercase(), scale, faults, proofs };
            if block.as_deref() == Some("faults") {
                let report = fault_campaign(seed, faults, shard)?;
                let mut out = ShardResults::new(shard, key(faults, false));
                out.campaign = Some(shard::CampaignPart::from_report(&report));
                return write_results(results.as_deref(), &out).and(campaign_verdict(&report));
            }
            // The full regression (nothing narrowed) includes the proofs.
            let full = block.is_none() && filter.is_none() && backend == Backend::Lockstep;
            let with_proofs = full && !no_proofs;
            let wave_format = if fst { pluton_bindings::WaveFormat::Fst } else { pluton_bindings::WaveFormat::Vcd };
            let opts = Options { seed: Some(seed), waves, backend, filter: filter.clone(), scale, shard, pipelined: !in_step, wave_format, coverage, port_logs: None };
            if coverage {
                pluton_testbenches::coverage::clear(block.as_deref())?;
            }
            let tests = regression::run_units(block.as_deref(), &opts)?;
            let proofs = if with_proofs { formal::run_shard(None, shard) } else { Vec::new() };
            let mut out = ShardResults::new(shard, key(if full { faults } else { 0 }, with_proofs));
            out.tests = tests;
            out.add_proofs(&proofs);
            let tests: Vec<_> = out.tests.iter().map(|(_, t)| t.clone()).collect();
            let proofs: Vec<_> = proofs.into_iter().map(|(_, p)| p).collect();
            regression::print_summary(&tests);
            if coverage {
                println!("\n== coverage (line counts both sides of every branch)");
                print!("{}", pluton_testbenches::coverage::summary(&pluton_testbenches::coverage::report()?));
            }
            if !proofs.is_empty() {
                print_proofs(&proofs);
            }
            // The full regression ends with the fault campaign (issue 11 C), its summary last.
            let campaign = if full {
                println!();
                let report = fault_campaign(seed, faults, shard)?;
                out.campaign = Some(shard::CampaignPart::from_report(&report));
                campaign_verdict(&report)
            } else {
                Ok(())
            };
            write_results(results.as_deref(), &out)?;
            out.write(&report::results_path(&pluton_toolchain::project_root()))?;
            write_report()?;
            if tests.iter().all(|r| r.passed) && proofs.iter().all(|p| p.passed()) {
                campaign
            } else {
                Err("co-simulation regression failed".into())
            }
        }
        Command::Merge { files } => merge(&files),
        Command::Report => write_report(),
        Command::Prove { filter } => {
            let proofs = formal::run_all(filter.as_deref());
            if proofs.is_empty() {
                return Err(format!("no proof matches `{}`", filter.unwrap_or_default()));
            }
            print_proofs(&proofs);
            if proofs.iter().all(|p| p.passed()) {
                Ok(())
            } else {
                Err("a proof failed".into())
            }
        }
        Command::Bench { block: Some(block) } => pluton_testbenches::bench::run(&block),
        Command::Bench { block: None } => pluton_testbenches::bench::run_speed(),
        Command::Synth { block, target, fuses, keep } => synth(&block, target, fuses.as_deref(), &keep),
        Command::Tools { no_install } => tools(no_install),
        Command::Handoff { out } => handoff::run(&out),
        Command::Fuses { cmd } => fuses::run(cmd),
    }
}

/// `pluton cosim faults`: the fault-injection campaign on `pluton_security` (issue 11 C), or
/// this shard's part of it.
fn fault_campaign(seed: u64, faults: usize, shard: Shard) -> Result<Report, String> {
    use pluton_testbenches::faults::{self, FaultOptions};
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!("fault campaign: {faults} flips (this shard's part: {shard}), seed {seed}, {threads} threads");
    let report = faults::run(&FaultOptions { faults, seed, threads, shard })?;
    print!("{}", report.summary());
    print!("{}", report.worst(15));
    println!("full report: build/faults/report.md");
    Ok(report)
}

/// The campaign's targets: no key leak and no unauthorized select.
fn campaign_verdict(report: &Report) -> Result<(), String> {
    use pluton_testbenches::faults::Class;
    let (leaks, unauth) = (report.count(Class::KeyLeak), report.count(Class::Unauthorized));
    if leaks + unauth > 0 {
        return Err(format!("fault campaign: {leaks} key leaks and {unauth} unauthorized selects (the target is 0)"));
    }
    Ok(())
}

/// A seed for a run that was given no `--seed`: `PLUTON_SEED` if set (as the tests take it),
/// else a fresh one; printed, so the run replays.
fn fresh_seed() -> u64 {
    std::env::var("PLUTON_SEED").ok().and_then(|s| s.trim().parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
    })
}

fn write_results(path: Option<&std::path::Path>, results: &ShardResults) -> Result<(), String> {
    let Some(path) = path else { return Ok(()) };
    results.write(path)?;
    println!("results: {}", path.display());
    Ok(())
}

/// The regression report from what was last measured.
fn write_report() -> Result<(), String> {
    let path = report::write(&pluton_toolchain::project_root())?;
    println!("report: {}", path.display());
    Ok(())
}

/// `pluton merge`: one summary from every shard's results file; fails as the unsharded run would.
fn merge(files: &[PathBuf]) -> Result<(), String> {
    let parts = files.iter().map(|f| Ok((f.display().to_string(), ShardResults::read(f)?))).collect::<Result<Vec<_>, String>>()?;
    let m = shard::merge(parts)?;
    println!("merged {} shards of one run (seed {})", m.shards, m.key.seed);
    regression::print_summary(&m.tests);
    if !m.proofs.is_empty() {
        print_proofs(&m.proofs);
    }
    let campaign = match &m.campaign {
        Some(report) => {
            println!();
            print!("{}", report.summary());
            print!("{}", report.worst(15));
            campaign_verdict(report)
        }
        None => Ok(()),
    };
    if m.tests.iter().all(|r| r.passed) && m.proofs.iter().all(|p| p.passed()) {
        campaign
    } else {
        Err("co-simulation regression failed".into())
    }
}

fn print_proofs(proofs: &[formal::ProofResult]) {
    println!();
    print!("{}", formal::summary_table(proofs));
    for p in proofs.iter().filter(|p| !p.passed()) {
        println!("\nFAIL ({}) {}:\n{}", p.proof.id, p.proof.claim, p.message());
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
    let (text, clean) = lint_text(&reports);
    print!("{text}");
    if clean {
        Ok(())
    } else {
        Err("lint found problems".into())
    }
}

/// The lint reports as `pluton lint` prints them (and the hand-off bundle keeps them); `true`
/// if every file is clean.
fn lint_text(reports: &[pluton_toolchain::lint::LintReport]) -> (String, bool) {
    use std::fmt::Write as _;
    let mut s = String::new();
    let mut clean = true;
    for r in reports {
        let name = r.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let _ = writeln!(
            s,
            "{name}: verilator -Wall {} warning(s), yosys check {} problem(s), {} initial block(s), {} flop(s) without reset, {} reset(s) driven by logic",
            r.verilator_warnings.len(),
            r.yosys_problems.len(),
            r.initial_blocks.len(),
            r.flops_without_reset.len(),
            r.gated_resets.len()
        );
        for line in r.verilator_warnings.iter().chain(&r.yosys_problems).chain(&r.flops_without_reset) {
            let _ = writeln!(s, "    {line}");
        }
        for line in &r.gated_resets {
            let _ = writeln!(s, "    async reset driven by logic: {line}");
        }
        for line in &r.initial_blocks {
            let _ = writeln!(s, "    initial block at line {line}");
        }
        clean &= r.clean() && r.flops_without_reset.is_empty();
    }
    if clean {
        s += "lint clean\n";
    }
    (s, clean)
}

fn synth(block: &str, target: pluton_fpga::Target, fuses: Option<&std::path::Path>, keep: &[String]) -> Result<(), String> {
    let b = pluton_hdl::gen::block(block).ok_or_else(|| {
        let names: Vec<_> = pluton_hdl::gen::blocks().iter().map(|b| b.map.block).collect();
        format!("unknown block `{block}`; blocks are: {}", names.join(", "))
    })?;
    let m = b.map.module;
    let rtl = root().join("rtl");
    let out = root().join("build").join("synth").join(format!("{m}-{target}"));
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    let verilog = rtl.join(format!("{m}.v"));
    // The hard-macro models the block instantiates are read before it.
    let mut models: Vec<std::path::PathBuf> = pluton_toolchain::lint::design(&verilog)?.into_iter().filter(|f| *f != verilog).collect();
    if let Some(image) = fuses {
        let fuse_model = rtl.join(pluton_hdl::otp::fuse_array::MODEL_PATH.trim_start_matches("rtl/"));
        let Some(slot) = models.iter_mut().find(|m| **m == fuse_model) else {
            return Err(format!("{block} has no fuse array (`{}`), so --fuses does not apply", pluton_hdl::otp::fuse_array::MODULE));
        };
        // The image is checked like any fuse image, then sits beside the model for $readmemh.
        let image_text = std::fs::read_to_string(image).map_err(|e| format!("cannot read fuse image {}: {e}", image.display()))?;
        pluton_cosim::fuse_image::FuseImage::parse(&image_text).map_err(|e| format!("fuse image {}: {e}", image.display()))?;
        std::fs::write(out.join("fuses.hex"), &image_text).map_err(|e| format!("writing {}: {e}", out.display()))?;
        *slot = out.join(format!("{}.v", pluton_hdl::otp::fuse_array::MODULE));
        std::fs::write(&*slot, pluton_hdl::otp::fuse_array::model_with_image("fuses.hex"))
            .map_err(|e| format!("writing {}: {e}", slot.display()))?;
        println!("fuse array preloaded from {}", image.display());
    }
    let report = pluton_fpga::synth(&verilog, &models, m, &rtl.join(format!("{m}.ports")), target, &out, keep)?;
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

/// `--scale`: a positive, finite number.
fn positive_scale(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("the scale must be a positive number, not {v}")),
        Err(_) => Err(format!("`{text}` is not a number")),
    }
}

/// `--faults N`: a whole number of at least 1.
fn mutant_count(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(v) if (1..=4095).contains(&v) => Ok(v),
        Ok(v) => Err(format!("the number of mutants must be 1 to 4095, not {v}")),
        Err(_) => Err(format!("`{text}` is not a whole number of mutants")),
    }
}

/// `pluton cosim BLOCK --mutants N`: mutation coverage of one block's regression.
fn mutation_coverage(block: Option<&str>, n: u32, seed: u64, filter: Option<String>, scale: f64, other_mode: bool) -> Result<(), String> {
    let Some(block) = block else { return Err("--mutants needs a block: `pluton cosim BLOCK --mutants N`".into()) };
    if other_mode {
        return Err("--mutants runs the block's lock-step regression itself: leave out --shard, --waves, --coverage and --backend".into());
    }
    println!("mutation coverage of {block}: seed {seed} (replay with --seed {seed})");
    let opts = Options { seed: Some(seed), filter, scale, ..Options::on(Backend::Lockstep) };
    let campaigns = pluton_testbenches::mutants::campaign(block, n, seed, &opts, &pluton_testbenches::mutants::dir(block))?;
    print!("{}", pluton_testbenches::mutants::summary(&campaigns));
    Ok(())
}

fn positive_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(v) if v > 0 => Ok(v),
        Ok(_) => Err("the fault count must be at least 1".into()),
        Err(_) => Err(format!("`{text}` is not a whole number of faults")),
    }
}
