//! Co-simulation throughput: cycles/s through the `Dut` trait, the async runtime, and bare C++.
//!
//! `cargo run --release -p pluton-bindings --example cycles_per_sec -- [top] [cycles]`

use pluton_bindings::bench::{build_bare_loop, dut_loop};
use pluton_bindings::{open_verilated, verilated_tops, Sim, SimOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(top) = args.first().cloned().or_else(|| verilated_tops().first().map(|s| s.to_string())) else {
        eprintln!("no Verilated tops in this build (rtl/*.ports)");
        std::process::exit(1);
    };
    let cycles: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2_000_000);
    println!("top = {top}, {cycles} cycles");

    // 1. Dut trait: poke every input, step, peek every output, each cycle.
    let mut dut = open_verilated(&top).unwrap_or_else(|| panic!("unknown top {top}"));
    let (rate, sum) = dut_loop(dut.as_mut(), cycles);
    println!("Dut trait      : {rate:>12.0} cycles/s  checksum={sum:08x}");

    // 2. Async runtime: one task awaiting every rising edge (no stimulus), then clock_cycles(n).
    let t = top.clone();
    let opts = SimOptions { seed: Some(1), reset_cycles: 0, waves_on_failure: false, ..Default::default() };
    let mut sim = Sim::with_options(move || open_verilated(&t).unwrap(), opts);
    let start = std::time::Instant::now();
    sim.run("bench_rising_edge", move |tb| async move {
        for _ in 0..cycles {
            tb.rising_edge().await;
        }
        Ok(())
    })
    .unwrap();
    println!("Tb rising_edge : {:>12.0} cycles/s", cycles as f64 / start.elapsed().as_secs_f64());
    let start = std::time::Instant::now();
    sim.run("bench_clock_cycles", move |tb| async move {
        tb.clock_cycles(cycles).await;
        Ok(())
    })
    .unwrap();
    println!("Tb clock_cycles: {:>12.0} cycles/s", cycles as f64 / start.elapsed().as_secs_f64());

    // 3. Bare C++ loop with the same stimulus (checksums must match).
    let dir = std::env::temp_dir().join(format!("pluton_bare_loop_{}", std::process::id()));
    match build_bare_loop(&top, &dir) {
        Ok(exe) => {
            let out = std::process::Command::new(&exe).arg(cycles.to_string()).output().expect("run bare loop");
            print!("bare C++       : {}", String::from_utf8_lossy(&out.stdout));
        }
        Err(e) => println!("bare C++       : skipped ({e})"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
