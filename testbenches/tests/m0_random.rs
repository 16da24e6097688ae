//! Constrained-random programs on the ISS against QEMU (1,000 programs), and the generator's coverage of every instruction class.

use pluton_cosim::armv6m::{decode16, decode32, Instr};
use pluton_testbenches::m0::iss_run::run_iss;
use pluton_testbenches::m0::qemu::{run, QemuRun};
use pluton_testbenches::m0::random::suite;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

fn base_seed() -> u64 {
    match std::env::var("M0_RANDOM_SEED") {
        Ok(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("M0_RANDOM_SEED is hex"),
        Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64,
    }
}

#[test]
fn m0_random_iss_vs_qemu() {
    let base = base_seed();
    println!("seed = {base:#x} (replay with M0_RANDOM_SEED={base:x})");
    const SUITES: u64 = 20;
    const PER_SUITE: usize = 50;
    let started = Instant::now();
    let mut compared = 0;
    for s in 0..SUITES {
        let first = base.wrapping_add(s * PER_SUITE as u64);
        let image = suite(first, PER_SUITE);
        let iss = run_iss(&image, 10_000_000).unwrap_or_else(|e| panic!("seeds {first:#x}+{PER_SUITE}: {e}"));
        assert!(iss.success, "seeds {first:#x}+{PER_SUITE} failed on the ISS:\n{}", iss.output);
        assert_eq!(iss.output.lines().count(), PER_SUITE, "one dump line per program");
        match run(&image, Duration::from_secs(30)) {
            QemuRun::Ran { output, success } => {
                assert!(success, "seeds {first:#x}+{PER_SUITE} failed on QEMU:\n{output}");
                for (i, (a, b)) in iss.output.lines().zip(output.lines()).enumerate() {
                    assert_eq!(a, b, "program seed {:#x}: ISS and QEMU differ (R0-R12, LR, SP, APSR, checksum)", first + i as u64);
                }
                assert_eq!(iss.output, output);
                compared += PER_SUITE;
            }
            QemuRun::Skipped(why) => {
                println!("SKIPPED the QEMU comparison: {why}");
                return;
            }
        }
    }
    println!("{compared} random programs identical on the ISS and QEMU in {:.1} s", started.elapsed().as_secs_f64());
    assert!(compared >= 1000);
}

#[test]
fn m0_random_is_deterministic() {
    assert_eq!(suite(42, 3).bytes, suite(42, 3).bytes);
    assert_ne!(suite(42, 3).bytes, suite(43, 3).bytes);
}

/// Decoding the generated code finds every instruction class the generator promises.
#[test]
fn m0_random_covers_every_class() {
    let image = suite(7, 200);
    let code = &image.bytes[0x40..];
    let hws: Vec<u16> = code.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let mut seen = BTreeSet::new();
    let mut i = 0;
    while i < hws.len() {
        let hw = hws[i];
        let instr = if hw >> 11 >= 0b11101 && i + 1 < hws.len() {
            i += 1;
            decode32(hw, hws[i])
        } else {
            decode16(hw)
        };
        i += 1;
        let name = format!("{instr:?}");
        let kind = match instr {
            Instr::Alu { op, .. } => format!("Alu{op:?}"),
            Instr::MemReg { op, .. } => format!("MemReg{op:?}"),
            Instr::MemImm { op, .. } => format!("MemImm{op:?}"),
            Instr::ShiftImm { op, .. } => format!("ShiftImm{op:?}"),
            Instr::Ext { op, .. } => format!("Ext{op:?}"),
            _ => name.split(|c: char| !c.is_alphanumeric()).next().unwrap().to_string(),
        };
        seen.insert(kind);
    }
    let expected = [
        "AluAnd", "AluEor", "AluLsl", "AluLsr", "AluAsr", "AluAdc", "AluSbc", "AluRor", "AluTst", "AluRsb", "AluCmp", "AluCmn",
        "AluOrr", "AluMul", "AluBic", "AluMvn", "AddsReg", "SubsReg", "AddsImm", "SubsImm", "MovsImm", "CmpImm", "ShiftImmLsl",
        "ShiftImmLsr", "ShiftImmAsr", "AddHi", "CmpHi", "MovHi", "ExtSxth", "ExtSxtb", "ExtUxth", "ExtUxtb", "ExtRev", "ExtRev16",
        "ExtRevsh", "MemImmStr", "MemImmLdr", "MemImmStrb", "MemImmLdrb", "MemImmStrh", "MemImmLdrh", "MemRegStr", "MemRegStrh",
        "MemRegStrb", "MemRegLdrsb", "MemRegLdr", "MemRegLdrh", "MemRegLdrb", "MemRegLdrsh", "LdrLit", "Stm", "Ldm", "Push", "Pop",
        "Adr", "AddSpImm", "BCond", "B", "Bl", "Blx", "Bx", "Mrs", "Msr", "Cps", "Barrier", "Hint", "Svc", "IncSp", "DecSp",
    ];
    let missing: Vec<&str> = expected.iter().copied().filter(|k| !seen.contains(*k)).collect();
    assert!(missing.is_empty(), "classes never generated: {missing:?}; seen {seen:?}");
}
