//! Coverage points that cannot toggle by construction: constant bits of the generator's primitives, waived with the reason.
//!
//! Each rule names a module of the generated RTL, one of its signals, the bits that are the
//! constant 0 there and why. The same bits of the net that carries the signal out to the parent
//! (`<instance>__<signal>`) are waived too. A waived point that a test does toggle is not
//! waived but reported: the rule's reason was not true.

use pluton_bindings::coverage::{Kind, Point};
use pluton_hdl::common::regmap::apb_common::ERR_INFO_FIELDS;
use std::collections::BTreeMap;
use std::path::Path;

/// One waived point and why.
#[derive(Clone, Debug)]
pub struct Waived {
    pub point: Point,
    pub reason: String,
}

/// The constant bits of `signal` in `module` (as ranges `lo..hi`) and why, if a rule covers it.
fn constant_bits(module: &str, signal: &str) -> Option<(Vec<(u32, u32)>, String)> {
    let signal = signal.strip_suffix("__comb").unwrap_or(signal);
    // `pluton_zext<A>to<B>`: y = {0, a}, so bits A..B of y are 0.
    if let Some((a, b)) = module.strip_prefix("pluton_zext").and_then(|w| w.split_once("to")) {
        let (a, b) = (a.parse().ok()?, b.parse().ok()?);
        return (signal == "y").then(|| (vec![(a, b)], format!("zero extension ({module}): bits {a} and up are 0")));
    }
    // The error log: ERR_INFO bits that no field uses are never set.
    if module == "pluton_errlog" && signal == "info" {
        let used = ERR_INFO_FIELDS.iter().fold(0u32, |m, f| m | f.mask());
        let reserved = (0..32).filter(|b| used >> b & 1 == 0).map(|b| (b, b + 1)).collect();
        return Some((reserved, "ERR_INFO bits outside its fields (CODE, MASTER, WRITE, ADDR, OVERFLOW) are reserved, always 0".into()));
    }
    // The register front decides a 4-bit error code (ERR_INFO.CODE) on a 32-bit wire.
    if module.ends_with("_front") && signal == "err" {
        return Some((vec![(4, 32)], "error codes fit ERR_INFO.CODE (4 bits): bits 4 and up of `err` are 0".into()));
    }
    None
}

/// `name[bit]:edge` (or `name:edge`, bit 0) of a toggle point.
fn toggle_bit(what: &str) -> Option<(&str, u32)> {
    let (sig, _edge) = what.rsplit_once(':')?;
    match sig.split_once('[') {
        Some((name, rest)) => Some((name, rest.strip_suffix(']')?.parse().ok()?)),
        None => Some((sig, 0)),
    }
}

/// The instances in `module`'s body in the Verilog file `file` (as the coverage run recorded it,
/// else the same name under `rtl/`): instance name to module name, from lines `<module> <name>(`.
fn instances_in(file: &str, module: &str) -> BTreeMap<String, String> {
    let path = Path::new(file);
    let text = std::fs::read_to_string(path)
        .or_else(|_| std::fs::read_to_string(pluton_toolchain::project_root().join("rtl").join(path.file_name().unwrap_or_default())))
        .unwrap_or_default();
    let is_ident = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let header = format!("module {module}(");
    text.lines()
        .skip_while(|l| !l.starts_with(&header))
        .skip(1)
        .take_while(|l| !l.starts_with("endmodule"))
        .filter_map(|l| {
            let (kind, rest) = l.trim().split_once(' ')?;
            let name = rest.strip_suffix('(')?;
            (is_ident(kind) && is_ident(name)).then(|| (name.to_string(), kind.to_string()))
        })
        .collect()
}

/// Split `points` into those that count and those waived by a rule. A point a rule would waive
/// but a test hit goes into the third list (and still counts, as covered), unless its signal is
/// wider than 64 bits: Verilator 5.048 counts toggles on bits of such signals that cannot move
/// (a 0->1 on bit 100 of a 128-bit zero extension, reproduced with a two-module design), so
/// there a hit does not disprove the rule, and the point stays waived.
pub fn split(points: Vec<Point>) -> (Vec<Point>, Vec<Waived>, Vec<Waived>) {
    // The widest bit seen of each signal (instance, name).
    let mut widest: BTreeMap<(String, String), u32> = BTreeMap::new();
    for p in points.iter().filter(|p| p.kind == Kind::Toggle) {
        if let Some((name, bit)) = toggle_bit(&p.what) {
            let w = widest.entry((p.instance.clone(), name.to_string())).or_default();
            *w = (*w).max(bit);
        }
    }
    let wide = |p: &Point| toggle_bit(&p.what).is_some_and(|(name, _)| widest.get(&(p.instance.clone(), name.to_string())).is_some_and(|&w| w >= 64));
    // Which module each child instance is, per (file, parent module), read from the RTL: the
    // coverage file's instance names are merged with wildcards, so they cannot tell.
    let mut children: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.kind == Kind::Toggle) {
        children.entry((p.file.clone(), p.module.clone())).or_insert_with(|| instances_in(&p.file, &p.module));
    }
    let rule = |p: &Point| -> Option<String> {
        if p.kind != Kind::Toggle {
            return None;
        }
        let (name, bit) = toggle_bit(&p.what)?;
        let hit = |(ranges, why): (Vec<(u32, u32)>, String)| ranges.iter().any(|&(lo, hi)| (lo..hi).contains(&bit)).then_some(why);
        if let Some(why) = constant_bits(&p.module, name).and_then(hit) {
            return Some(why);
        }
        // A net of the parent that carries a child's output: `<child>__<signal>`.
        let (child, signal) = name.split_once("__")?;
        let module = children.get(&(p.file.clone(), p.module.clone()))?.get(child)?;
        constant_bits(module, signal).and_then(hit).map(|why| format!("{why} (the net `{name}` carries it out of `{child}`)"))
    };
    let (mut counted, mut waived, mut wrong) = (Vec::new(), Vec::new(), Vec::new());
    for p in points {
        match rule(&p) {
            Some(reason) if p.count > 0 && !wide(&p) => {
                wrong.push(Waived { point: p.clone(), reason });
                counted.push(p);
            }
            Some(reason) => waived.push(Waived { point: p, reason }),
            None => counted.push(p),
        }
    }
    (counted, waived, wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toggle(file: &str, instance: &str, module: &str, what: &str, count: u64) -> Point {
        Point { kind: Kind::Toggle, file: file.into(), line: 1, module: module.into(), what: what.into(), instance: instance.into(), count }
    }

    #[test]
    fn constant_bits_are_waived_in_the_module_and_on_the_parents_net() {
        let dir = pluton_toolchain::project_root().join("build/tmp/structural-test");
        std::fs::create_dir_all(&dir).unwrap();
        let v = dir.join("t.v");
        // `other` instantiates the same name as another module: only `pluton_t`'s body counts.
        std::fs::write(&v, "module pluton_t(a);\n    pluton_zext3to32 ze_req_level(\n    );\nendmodule\nmodule other(a);\n    pluton_zext8to32 ze_x(\n    );\nendmodule\n").unwrap();
        let f = v.to_str().unwrap();
        let points = vec![
            toggle(f, "TOP.t.ze_*_level", "pluton_zext3to32", "y[2]:0->1", 4),
            toggle(f, "TOP.t.ze_*_level", "pluton_zext3to32", "y[3]:0->1", 0),
            toggle(f, "TOP.t", "pluton_t", "ze_req_level__y[31]:1->0", 0),
            toggle(f, "TOP.t", "pluton_t", "ze_req_level__y[1]:1->0", 0),
            toggle(f, "TOP.t", "pluton_t", "ze_x__y[31]:1->0", 0),
            toggle(f, "TOP.t.res", "pluton_zext128to384", "y[300]:0->1", 0),
            // Verilator's miscount on a wide signal: still waived.
            toggle(f, "TOP.t.res", "pluton_zext128to384", "y[301]:0->1", 1),
            toggle(f, "TOP.t.log", "pluton_errlog", "info[12]:0->1", 0),
            toggle(f, "TOP.t.log", "pluton_errlog", "info[16]:0->1", 0),
            toggle(f, "TOP.t.front", "pluton_t_front", "err__comb[4]:0->1", 0),
            toggle(f, "TOP.t.front", "pluton_t_front", "err[3]:0->1", 0),
            // A rule that is wrong for this run: the bit toggled.
            toggle(f, "TOP.t.front", "pluton_t_front", "err[9]:0->1", 1),
        ];
        let (counted, waived, wrong) = split(points);
        let names = |v: &[Waived]| v.iter().map(|w| format!("{} {}", w.point.instance, w.point.what)).collect::<Vec<_>>();
        assert_eq!(
            names(&waived),
            ["TOP.t.ze_*_level y[3]:0->1", "TOP.t ze_req_level__y[31]:1->0", "TOP.t.res y[300]:0->1", "TOP.t.res y[301]:0->1", "TOP.t.log info[12]:0->1", "TOP.t.front err__comb[4]:0->1"]
        );
        assert_eq!(names(&wrong), ["TOP.t.front err[9]:0->1"]);
        let kept: Vec<&str> = counted.iter().map(|p| p.what.as_str()).collect();
        assert_eq!(kept, ["y[2]:0->1", "ze_req_level__y[1]:1->0", "ze_x__y[31]:1->0", "info[16]:0->1", "err[3]:0->1", "err[9]:0->1"]);
    }
}
