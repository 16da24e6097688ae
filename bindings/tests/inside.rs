//! Waves of the signals inside the RTL: a run's port log replayed through a traced build.

use pluton_bindings::apb::Apb;
use pluton_bindings::inside::WaveFormat;
use pluton_bindings::replay::{self, Instrument};
use pluton_bindings::{open_verilated, Sim, SimOptions};
use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// SHA-256 block: CTRL at 0x000, bit 0 HMAC_EN (`rtl/pluton_sha256_regs.h`).
const CTRL: u32 = 0x000;

fn dir(name: &str) -> PathBuf {
    pluton_bindings::project_root().join("build").join("tmp").join(format!("{name}_{}", std::process::id()))
}

/// Run a SHA-256 bench that sets CTRL.HMAC_EN, with waves in `format`; returns the run's waves
/// (to open, and the save file), the port VCD and the time of the edge that wrote CTRL.
fn run_sha(name: &str, format: WaveFormat) -> (PathBuf, PathBuf, PathBuf, u64) {
    let vcd = dir(name).join(format!("{name}.vcd"));
    let opts = SimOptions { seed: Some(3), waves: Some(vcd.clone()), wave_format: format, ..SimOptions::default() };
    let mut s = Sim::with_options(|| open_verilated("pluton_sha256").expect("model built"), opts);
    let written = Rc::new(Cell::new(0));
    let w = written.clone();
    let summary = s
        .run(name, move |tb| {
            let w = w.clone();
            async move {
                let apb = Apb::new(&tb)?;
                tb.clock_cycles(4).await;
                apb.write(CTRL, 1).await?;
                w.set(tb.now_ns());
                if apb.read(CTRL).await? & 1 != 1 {
                    return Err("CTRL.HMAC_EN did not stick".into());
                }
                tb.clock_cycles(20).await;
                Ok(())
            }
        })
        .unwrap();
    let (shown, gtkw) = summary.waves.expect("waves asked for");
    (shown, gtkw, vcd, written.get())
}

/// Times at which the variable `name` in scope `path` (below `TOP`) takes each new value.
fn changes(vcd: &Path, path: &[&str], name: &str) -> Vec<(u64, String)> {
    let mut p = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(vcd).unwrap()));
    let header = p.parse_header().unwrap();
    let full: Vec<&str> = std::iter::once("TOP").chain(path.iter().copied()).collect();
    let var = header.find_var(&[full.as_slice(), &[name]].concat()).unwrap_or_else(|| panic!("{}: no {full:?}.{name}", vcd.display()));
    let code = var.code;
    let (mut t, mut out) = (0, Vec::new());
    for cmd in p {
        match cmd.unwrap() {
            vcd::Command::Timestamp(ts) => t = ts,
            vcd::Command::ChangeScalar(c, v) if c == code => out.push((t, v.to_string())),
            vcd::Command::ChangeVector(c, v) if c == code => out.push((t, v.to_string())),
            _ => {}
        }
    }
    out
}

#[test]
fn inside_waves_show_a_flop_change_at_its_edge() {
    let (shown, gtkw, ports, written_ns) = run_sha("inside_vcd", WaveFormat::Vcd);
    assert!(shown.to_string_lossy().ends_with("inside_vcd.inside.vcd"), "{}", shown.display());
    assert!(ports.is_file(), "the port-level VCD stays");
    // The flop behind CTRL.HMAC_EN goes 0 -> 1 at the edge that completes the write, and only then.
    let ch = changes(&shown, &["pluton_sha256", "ctrl_hmac"], "q");
    assert_eq!(ch, vec![(0, "0".to_string()), (written_ns, "1".to_string())], "ctrl_hmac.q in {}", shown.display());
    // Far more signals than ports: the inside is there.
    let text = std::fs::read_to_string(&shown).unwrap();
    let vars = text.lines().take_while(|l| !l.contains("$enddefinitions")).filter(|l| l.contains("$var")).count();
    assert!(vars > 500, "only {vars} signals in {}", shown.display());

    let g = std::fs::read_to_string(&gtkw).unwrap();
    assert!(g.contains(&format!("[dumpfile] \"{}\"", std::path::absolute(&shown).unwrap().display())), "{g}");
    // The top's group is open and starts with clock, reset and the bus; blocks are closed groups.
    let lines: Vec<&str> = g.lines().collect();
    let top = lines.iter().position(|l| *l == "-pluton_sha256").expect("a group for the top");
    assert_eq!(lines[top - 1], "@800200");
    let first: Vec<&str> = lines[top + 1..].iter().filter(|l| l.starts_with("TOP.")).take(4).copied().collect();
    assert_eq!(first, ["TOP.pluton_sha256.clock", "TOP.pluton_sha256.rst_n", "TOP.pluton_sha256.psel", "TOP.pluton_sha256.penable"]);
    for block in ["-core", "-front"] {
        let at = lines.iter().position(|l| *l == block).unwrap_or_else(|| panic!("no group {block}: {g}"));
        assert_eq!(lines[at - 1], "@c00200", "{block} starts closed");
    }
    assert!(g.contains("TOP.pluton_sha256.ctrl_hmac.q\n"), "flops are listed by their q");
    // A RAM gets a group; a combinational leaf (a byte swap) is left to the signal tree.
    assert!(lines.contains(&"-buf_ram"), "no group for the message buffer RAM");
    assert!(text.contains("$scope module swap_in $end") && !lines.contains(&"-swap_in"), "swap_in: {g}");
    // Every listed signal is in the dump.
    let mut p = vcd::Parser::new(std::io::BufReader::new(std::fs::File::open(&shown).unwrap()));
    let header = p.parse_header().unwrap();
    for l in lines.iter().filter(|l| l.starts_with("TOP.")) {
        // `a.b.bus[7:0]`, `a.b.mem[3][31:0]`: the reference is all but the bit range.
        let name = l.rsplit_once('[').filter(|(_, r)| r.contains(':')).map_or(*l, |(n, _)| n);
        let parts: Vec<&str> = name.split('.').collect();
        assert!(header.find_var(&parts).is_some(), "{name} is in the save file but not in the dump");
    }
    let _ = std::fs::remove_dir_all(dir("inside_vcd"));
}

#[test]
fn a_replay_that_leaves_the_run_names_the_cycle_and_port() {
    let (shown, _, ports, _) = run_sha("inside_diverge", WaveFormat::Vcd);
    let log = ports.with_extension("portlog");
    let mut bytes = std::fs::read(&log).unwrap();
    let word = |i: usize| u32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
    let (ins, outs) = (word(2) as usize, word(3) as usize);
    let cycles = (bytes.len() / 4 - 4) / (ins + outs);
    assert!(cycles > 20, "{cycles} cycles logged");
    // Flip bit 0 of the first output word (prdata, the first output port) in cycle 12.
    let at = 4 * (4 + 12 * (ins + outs) + ins);
    bytes[at] ^= 1;
    let bad = log.with_extension("bad.portlog");
    std::fs::write(&bad, &bytes).unwrap();
    let vcd = Instrument::Trace(WaveFormat::Vcd);
    let e = replay::run("pluton_sha256", vcd, &bad, &shown.with_extension("bad.vcd"), 10).unwrap_err();
    assert!(e.contains("cycle 12: output `prdata` word 0"), "{e}");
    // The untouched log replays in full.
    let ok = replay::run("pluton_sha256", vcd, &log, &shown.with_extension("again.vcd"), 10).unwrap();
    assert_eq!(ok.cycles as usize, cycles);
    let _ = std::fs::remove_dir_all(dir("inside_diverge"));
}

#[test]
fn fst_waves_get_the_same_save_file() {
    // Verilator's FST writer needs the lz4 and zlib headers (Debian liblz4-dev, zlib1g-dev), which
    // CI installs; without them the waves stay VCD and this test says so.
    if let Err(e) = replay::executable("pluton_sha256", Instrument::Trace(WaveFormat::Fst)) {
        if e.contains("lz4.h") || e.contains("zlib.h") {
            println!("SKIPPED: no FST writer here (install liblz4-dev and zlib1g-dev): {}", e.lines().nth(1).unwrap_or(&e));
            return;
        }
        panic!("building the FST replay: {e}");
    }
    let (fst, gtkw, _, written_ns) = run_sha("inside_fst", WaveFormat::Fst);
    assert!(fst.to_string_lossy().ends_with("inside_fst.inside.fst"), "{}", fst.display());
    let bytes = std::fs::read(&fst).unwrap();
    // An FST file opens with its header block: type 0, then its length.
    assert_eq!(bytes[0], 0, "not an FST file");
    assert!(u64::from_be_bytes(bytes[1..9].try_into().unwrap()) >= 321, "short FST header");
    assert!(written_ns > 0);
    let g = std::fs::read_to_string(&gtkw).unwrap();
    assert!(g.contains("inside_fst.inside.fst\""), "{g}");
    assert!(g.contains("-core\n") && g.contains("TOP.pluton_sha256.ctrl_hmac.q\n"), "{g}");
    let _ = std::fs::remove_dir_all(dir("inside_fst"));
}
