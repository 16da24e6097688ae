//! Waves of every signal inside the RTL: a run's port log replayed with tracing, and its GTKWave save file.
//!
//! See [`crate::replay`] for how a run's ports are logged and replayed.

use crate::replay::{self, Instrument, PortLog, Replayed};
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Wave file format of the inside replay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WaveFormat {
    /// Value change dump: every tool reads it.
    #[default]
    Vcd,
    /// GTKWave's compressed format: far smaller for long runs.
    Fst,
}

impl WaveFormat {
    pub(crate) fn ext(self) -> &'static str {
        match self {
            WaveFormat::Vcd => "vcd",
            WaveFormat::Fst => "fst",
        }
    }
}

/// A VCD of `top`'s hierarchy (a replay of no cycles): what the save file is written from when
/// the waves themselves are FST. Made once per build of the VCD replay.
pub fn hierarchy(top: &str) -> Result<PathBuf, String> {
    let vcd_replay = Instrument::Trace(WaveFormat::Vcd);
    let exe = replay::executable(top, vcd_replay)?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let (vcd, log) = (dir.join("hierarchy.vcd"), dir.join("empty.portlog"));
    if !vcd.is_file() {
        let model = crate::verilated::top_model(top).ok_or_else(|| format!("no Verilated top `{top}` in this build"))?;
        PortLog::create(&log, &model.port_list()).and_then(PortLog::finish).map_err(|e| format!("writing {}: {e}", log.display()))?;
        replay::run(top, vcd_replay, &log, &vcd, 10)?;
    }
    Ok(vcd)
}

/// Replay the port log `log` of a run of `top` into `out` in `format`, and write the save file
/// `gtkw` for it. Returns the replay's figures.
pub fn render(top: &str, log: &Path, out: &Path, gtkw: &Path, format: WaveFormat, period_ns: u64) -> Result<Replayed, String> {
    let r = replay::run(top, Instrument::Trace(format), log, out, period_ns)?;
    let hierarchy = match format {
        WaveFormat::Vcd => out.to_path_buf(),
        WaveFormat::Fst => hierarchy(top)?,
    };
    write_gtkw(gtkw, out, &hierarchy)?;
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// The GTKWave save file.

/// Signals shown first in each group: the APB bus (requester side, then completer side), then
/// clock and reset.
const BUS_FIRST: &[&str] =
    &["clock", "rst_n", "psel", "penable", "pwrite", "paddr", "pwdata", "pstrb", "pmaster", "pready", "prdata", "pslverr"];

/// Write a GTKWave save file `gtkw` for the inside waves `dump`, from the hierarchy in `vcd` (a
/// VCD of the same design; for a VCD dump, the dump itself). One group per block instance,
/// nested as the design is: the bus signals first, then the instance's flops (shown by their
/// `q`), then its other signals. The top's group is open, the others closed. Instances of
/// single flops are shown inside their parent, not as groups of their own; combinational leaf
/// instances are left to the signal tree.
pub fn write_gtkw(gtkw: &Path, dump: &Path, vcd: &Path) -> Result<(), String> {
    let file = File::open(vcd).map_err(|e| format!("cannot open {}: {e}", vcd.display()))?;
    let header = vcd::Parser::new(std::io::BufReader::new(file)).parse_header().map_err(|e| format!("{}: {e}", vcd.display()))?;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).display().to_string();
    let mut g = format!("[dumpfile] \"{}\"\n[savefile] \"{}\"\n[timestart] 0\n", abs(dump), abs(gtkw));
    // Verilator's dump has `TOP` (the ports) holding the top module's scope.
    let top_scope = header.items.iter().find_map(|i| match i {
        vcd::ScopeItem::Scope(s) => s.items.iter().find_map(|j| match j {
            vcd::ScopeItem::Scope(m) => Some((format!("{}.{}", s.identifier, m.identifier), m)),
            _ => None,
        }),
        _ => None,
    });
    let (path, scope) = top_scope.ok_or_else(|| format!("{}: no module scope under TOP", vcd.display()))?;
    group(&mut g, &path, scope, true);
    std::fs::write(gtkw, g).map_err(|e| format!("writing {}: {e}", gtkw.display()))
}

fn vars(scope: &vcd::Scope) -> Vec<&vcd::Var> {
    scope.items.iter().filter_map(|i| if let vcd::ScopeItem::Var(v) = i { Some(v) } else { None }).collect()
}

fn scopes(scope: &vcd::Scope) -> Vec<&vcd::Scope> {
    scope.items.iter().filter_map(|i| if let vcd::ScopeItem::Scope(s) = i { Some(s) } else { None }).collect()
}

/// A flop primitive's instance: no sub-instances, and a `q` beside its `d`.
fn is_flop(scope: &vcd::Scope) -> bool {
    let v = vars(scope);
    scopes(scope).is_empty() && v.iter().any(|v| v.reference == "q") && v.iter().any(|v| v.reference == "d")
}

/// Sort key that puts numbered names in number order: `sb__2` before `sb__10`, `mem[2]` before
/// `mem[10]` (rust-hdl numbers array elements `__N`; Verilator's dump numbers words `[N]`).
fn natural(name: &str) -> (String, u64) {
    let s = name.trim_end_matches(']');
    let stem = s.trim_end_matches(|c: char| c.is_ascii_digit());
    (stem.to_string(), s[stem.len()..].parse().unwrap_or(0))
}

/// A leaf instance with state of its own: a RAM array (`mem[i]`) or registers named `*_q`.
fn holds_state(scope: &vcd::Scope) -> bool {
    vars(scope).iter().any(|v| v.reference.starts_with("mem[") || v.reference.ends_with("_q"))
}

/// One signal line (`@28` binary for a bit, `@22` hex for a bus).
fn signal(g: &mut String, path: &str, v: &vcd::Var) {
    match v.index {
        Some(vcd::ReferenceIndex::Range(msb, lsb)) => {
            let _ = write!(g, "@22\n{path}.{}[{msb}:{lsb}]\n", v.reference);
        }
        None if v.size == 1 => {
            let _ = write!(g, "@28\n{path}.{}\n", v.reference);
        }
        // Array words and single bits of a bus: reachable in the signal tree, not listed.
        _ => {}
    }
}

fn group(g: &mut String, path: &str, scope: &vcd::Scope, open: bool) {
    let name = &scope.identifier;
    let _ = write!(g, "{}\n-{name}\n", if open { "@800200" } else { "@c00200" });
    let mut own = vars(scope);
    own.sort_by_key(|v| (BUS_FIRST.iter().position(|b| *b == v.reference).unwrap_or(BUS_FIRST.len()), natural(&v.reference)));
    let (bus, rest): (Vec<_>, Vec<_>) = own.into_iter().partition(|v| BUS_FIRST.contains(&v.reference.as_str()));
    for v in bus {
        signal(g, path, v);
    }
    let mut children = scopes(scope);
    children.sort_by_key(|c| natural(&c.identifier));
    for f in children.iter().filter(|s| is_flop(s)) {
        if let Some(q) = vars(f).into_iter().find(|v| v.reference == "q") {
            signal(g, &format!("{path}.{}", f.identifier), q);
        }
    }
    for v in rest {
        signal(g, path, v);
    }
    // Blocks (instances with instances inside) and state-holding leaves (RAMs, guards) get groups;
    // combinational leaves (byte swaps, masked gadgets) stay in the dump's tree only.
    for c in children.iter().filter(|s| !is_flop(s) && (!scopes(s).is_empty() || holds_state(s))) {
        group(g, &format!("{path}.{}", c.identifier), c, false);
    }
    let _ = write!(g, "{}\n-{name}\n", if open { "@1000200" } else { "@1401200" });
}

#[cfg(test)]
mod tests {
    use super::natural;

    #[test]
    fn numbered_names_sort_by_number() {
        let mut v = ["sb__10", "sb__2", "mem[10]", "mem[9]", "paddr", "sb__1"];
        v.sort_by_key(|n| natural(n));
        assert_eq!(v, ["mem[9]", "mem[10]", "paddr", "sb__1", "sb__2", "sb__10"]);
    }
}
