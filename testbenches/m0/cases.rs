//! The soft core's regression cases: test programs (also against QEMU), random programs, interrupt pins, wait states and bus errors.

use super::image::Image;
use super::tb::{run, IrqPlan, RunConfig, RunResult};
use super::{compile, qemu, random};
use crate::regression::{Case, Ctx};
use std::time::Duration;

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "m0_programs", body: |ctx| Box::pin(programs(ctx)) },
        Case { name: "m0_random", body: |ctx| Box::pin(random_programs(ctx, 10_000, 0)) },
        Case { name: "m0_random_waits", body: |ctx| Box::pin(random_programs(ctx, 500, 3)) },
        Case { name: "m0_irq_pins", body: |ctx| Box::pin(irq_pins(ctx)) },
        Case { name: "m0_faults", body: |ctx| Box::pin(faults(ctx)) },
    ]
}

/// Runs one image in lock-step on the bench's DUT and counts its cycles into the summary.
fn lockstep(ctx: &Ctx, image: &Image, cfg: &RunConfig) -> Result<RunResult, String> {
    let r = ctx.tb.with_dut(|dut| run(dut, image, cfg)).map_err(|e| format!("{}: {e}", image.name))?;
    ctx.add_cycles(r.cycles);
    Ok(r)
}

/// Every test program: RTL and ISS in lock-step, then the same image on QEMU, same output.
async fn programs(ctx: Ctx) -> Result<(), String> {
    let (mut instructions, mut cycles, mut on_qemu) = (0u64, 0u64, 0u64);
    let mut skipped = None;
    for name in compile::programs() {
        let image = compile::build(name)?;
        let r = lockstep(&ctx, &image, &RunConfig::default())?;
        if !r.success {
            return Err(format!("{name}: did not exit successfully; output:\n{}", r.output));
        }
        instructions += r.instructions;
        cycles += r.instruction_cycles;
        match qemu::run(&image, Duration::from_secs(20)) {
            qemu::QemuRun::Ran { output, success } => {
                if output != r.output || !success {
                    return Err(format!("{name}: QEMU and the RTL differ\n--- RTL ---\n{}\n--- QEMU (success {success}) ---\n{output}", r.output));
                }
                on_qemu += 1;
            }
            qemu::QemuRun::Skipped(why) => skipped = Some(why),
        }
        ctx.count(1);
    }
    if let Some(why) = skipped {
        ctx.tb.log(format!("SKIPPED the QEMU comparison: {why}"));
    }
    ctx.metric("programs_vs_qemu", on_qemu as f64);
    ctx.metric("instructions", instructions as f64);
    ctx.metric("cpi", cycles as f64 / instructions.max(1) as f64);
    Ok(())
}

/// `count` random programs, RTL against the ISS; `max_waits` > 0 adds random wait states.
async fn random_programs(ctx: Ctx, count: usize, max_waits: u32) -> Result<(), String> {
    let count = ctx.scale(count);
    let base = ctx.tb.seed();
    ctx.tb.log(format!("random programs: seeds {base:#x}..+{count}"));
    const PER_SUITE: usize = 100;
    let (mut done, mut instructions) = (0usize, 0u64);
    while done < count {
        let n = PER_SUITE.min(count - done);
        let first = base.wrapping_add(done as u64);
        let image = random::suite(first, n);
        let cfg = RunConfig { max_waits, wait_seed: first, ..RunConfig::default() };
        let r = lockstep(&ctx, &image, &cfg).map_err(|e| format!("suite of seeds {first:#x}..+{n}: {e}"))?;
        if !r.success {
            return Err(format!("suite of seeds {first:#x}..+{n} did not exit successfully:\n{}", r.output));
        }
        instructions += r.instructions;
        done += n;
        ctx.count(n as u64);
    }
    ctx.metric("programs", done as f64);
    ctx.metric("instructions", instructions as f64);
    Ok(())
}

/// Interrupts driven on the pins at random cycles: nesting, tail chaining and late arrival
/// happen at cycle-exact moments, so only lock-step (not QEMU) can check them.
async fn irq_pins(ctx: Ctx) -> Result<(), String> {
    let image = compile::build("irq_pins")?;
    let runs = ctx.scale(40);
    let mut entries = 0u64;
    for _ in 0..runs {
        let plan = {
            let mut rng = ctx.tb.rng();
            random_irq_plan(&mut *rng, 40_000)
        };
        let cfg = RunConfig { irq: plan, ..RunConfig::default() };
        let r = lockstep(&ctx, &image, &cfg)?;
        if !r.success {
            return Err(format!("irq_pins did not exit successfully:\n{}", r.output));
        }
        entries += r.entries;
        ctx.count(1);
    }
    ctx.metric("exception_entries", entries as f64);
    Ok(())
}

/// Pulses and held levels on IRQ 0..7 and NMI, some close together so entries overlap.
fn random_irq_plan(rng: &mut impl rand::Rng, cycles: u64) -> IrqPlan {
    let mut events: Vec<(u64, u32, bool, bool)> = Vec::new();
    let mut t = 200;
    while t < cycles {
        let line = 1u32 << rng.gen_range(0..8);
        let len = if rng.gen_bool(0.8) { 1 } else { rng.gen_range(2..60) };
        let nmi = rng.gen_bool(0.03);
        events.push((t, line, nmi, false));
        events.push((t + len, 0, false, false));
        // A second pulse within a few cycles: lands during the first one's stacking.
        t += if rng.gen_bool(0.4) { rng.gen_range(1..12) } else { rng.gen_range(20..600) };
    }
    // Overlapping pulses merge: rebuild the line levels cycle-step by cycle-step.
    let mut cuts: Vec<u64> = events.iter().map(|e| e.0).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut steps = Vec::new();
    for &c in &cuts {
        let mut irq = 0;
        let mut nmi = false;
        let mut i = 0;
        while i + 1 < events.len() {
            let (start, line, n, _) = events[i];
            let end = events[i + 1].0;
            if start <= c && c < end {
                irq |= line;
                nmi |= n;
            }
            i += 2;
        }
        steps.push((c, irq, nmi, false));
    }
    IrqPlan { steps }
}

/// Where the bench answers ERROR for `faults.c`: a window at 0x30000000 (loads and fetches) and
/// one word inside the SRAM (0x20002000), so PUSH/POP can fault half-way with SP in the SRAM.
pub const FAULTS_ERROR_RANGES: &[(u32, u32)] = &[(0x3000_0000, 0x3000_1000), (0x2000_2000, 0x2000_2004)];

/// The fault paths QEMU cannot check: 0x30000000 answers ERROR on the bus (load and fetch), plus
/// T = 0, a bad EXC_RETURN, execute-never, UDF.W and multiple transfers that error part-way.
async fn faults(ctx: Ctx) -> Result<(), String> {
    let image = compile::build("faults")?;
    let cfg = RunConfig { error_ranges: FAULTS_ERROR_RANGES.to_vec(), ..RunConfig::default() };
    let r = lockstep(&ctx, &image, &cfg)?;
    if !r.success || r.exceptions.get(&3) != Some(&10) || r.output.contains("WRONG") {
        return Err(format!("faults: expected 10 HardFault entries, each at its instruction; got {:?}; output:\n{}", r.exceptions, r.output));
    }
    ctx.count(1);
    ctx.metric("hardfault_entries", 10.0);
    Ok(())
}
