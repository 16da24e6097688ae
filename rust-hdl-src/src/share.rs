//! One definition per module across `rtl/`: tops instantiate the blocks' own modules, and the
//! leaf primitives (flops, RAMs, zero-extenders, the error log) live once in `pluton_prims.v`.
//!
//! rust-hdl writes a top with every sub-block re-emitted under the top's names. After each file
//! is generated, a module whose text (own name blanked, children by their final names) equals a
//! module of an earlier file is dropped and its instances renamed to it; a primitive (rust-hdl
//! custom Verilog) moves to the primitives file under a name from its shape. Each top then gets a
//! filelist (`<top>.f`): the files it needs, in order, itself last.

use std::collections::{BTreeMap, HashMap};

/// The file that holds every primitive.
pub const PRIMS: &str = "pluton_prims";

#[derive(Default)]
pub struct Library {
    /// Module text with its own name blanked -> (its name, the file stem defining it).
    known: HashMap<String, (String, String)>,
    /// Primitive name -> its definition.
    prims: BTreeMap<String, String>,
    /// File stem -> its filelist (stems, in order, itself last).
    lists: HashMap<String, Vec<String>>,
}

struct Def {
    name: String,
    text: String,
}

fn parse(text: &str) -> (String, Vec<Def>) {
    let mut preamble = String::new();
    let mut defs = Vec::new();
    let mut cur: Option<Def> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("module ") {
            let name = rest.split('(').next().unwrap_or_default().to_string();
            cur = Some(Def { name, text: String::new() });
        }
        match cur.as_mut() {
            Some(d) => {
                d.text.push_str(line);
                d.text.push('\n');
            }
            None if defs.is_empty() => {
                preamble.push_str(line);
                preamble.push('\n');
            }
            None => {}
        }
        if line.starts_with("endmodule") {
            defs.extend(cur.take());
        }
    }
    (preamble, defs)
}

/// The module names a definition instantiates (`<module> <instance>(` at the start of a line).
fn children(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let t = l.trim_start();
            let mut parts = t.split_whitespace();
            let (m, inst) = (parts.next()?, parts.next()?);
            (t.ends_with('(') && inst.ends_with('(') && m.starts_with("pluton_")).then(|| m.to_string())
        })
        .collect()
}

/// Rename instantiated modules (first word of an instantiation line) by `map`.
fn rename_children(text: &str, map: &HashMap<String, String>) -> String {
    let mut out = String::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        let first = t.split(' ').next().unwrap_or_default();
        match map.get(first) {
            Some(new) if i > 0 && t.ends_with('(') => {
                out.push_str(&l[..l.len() - t.len()]);
                out.push_str(new);
                out.push_str(&t[first.len()..]);
            }
            _ => out.push_str(l),
        }
        out.push('\n');
    }
    out
}

fn retitle(text: &str, from: &str, to: &str) -> String {
    text.replacen(&format!("module {from}("), &format!("module {to}("), 1).replace(&format!("endmodule // {from}"), &format!("endmodule // {to}"))
}

/// Width of port `name` in a module's declarations (1 when it has no range).
fn width(text: &str, name: &str) -> u32 {
    text.lines()
        .map(str::trim)
        .find(|l| l.ends_with(&format!(" {name};")) && (l.starts_with("input ") || l.starts_with("output ")))
        .and_then(|l| l.split('[').nth(1))
        .and_then(|r| r.split(':').next())
        .and_then(|msb| msb.parse::<u32>().ok())
        .map_or(1, |msb| msb + 1)
}

/// A primitive's name from its shape (the generator's per-file names carry the top's prefix).
fn prim_name(top: &str, name: &str, text: &str) -> String {
    let local = name.strip_prefix(&format!("{top}_")).unwrap_or(name);
    if local.starts_with("rdff") || local.starts_with("ram") || local.starts_with("regram") || local == "bswap32" {
        return format!("pluton_{local}");
    }
    if text.contains("{1'b0}}, a}") {
        return format!("pluton_zext{}to{}", width(text, "a"), width(text, "y"));
    }
    if text.contains("info <= {1'b1, info[30:0]}") {
        return "pluton_errlog".into();
    }
    if text.contains("y = {b7, b6, b5, b4, b3, b2, b1, b0}") {
        return "pluton_pack8x1".into();
    }
    if text.contains("y = {w7, w6, w5, w4, w3, w2, w1, w0}") {
        return "pluton_pack8x32".into();
    }
    panic!("share.rs: primitive `{name}` has no name yet (add its shape to prim_name)")
}

impl Library {
    /// `text` (one generated top, `top` its module) with every module an earlier file defines
    /// and every primitive taken out; records the top's filelist.
    pub fn share(&mut self, top: &str, text: &str) -> String {
        let (preamble, defs) = parse(text);
        let local: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        // Children before parents.
        let mut order: Vec<usize> = Vec::new();
        fn visit(i: usize, defs: &[Def], local: &[&str], order: &mut Vec<usize>, seen: &mut Vec<bool>) {
            if seen[i] {
                return;
            }
            seen[i] = true;
            for c in children(&defs[i].text) {
                if let Some(j) = local.iter().position(|n| *n == c) {
                    visit(j, defs, local, order, seen);
                }
            }
            order.push(i);
        }
        let mut seen = vec![false; defs.len()];
        for i in 0..defs.len() {
            visit(i, &defs, &local, &mut order, &mut seen);
        }
        let mut rename: HashMap<String, String> = HashMap::new();
        let mut kept: Vec<Option<String>> = vec![None; defs.len()];
        let mut deps: Vec<String> = Vec::new();
        let add_dep = |deps: &mut Vec<String>, stem: &str, lists: &HashMap<String, Vec<String>>| {
            for s in lists.get(stem).cloned().unwrap_or_else(|| vec![stem.to_string()]) {
                if !deps.contains(&s) {
                    deps.push(s);
                }
            }
        };
        let mut new_known = Vec::new();
        for i in order {
            let d = &defs[i];
            let text = rename_children(&d.text, &rename);
            if text.contains("// Update code (custom)") && d.name != top {
                let name = prim_name(top, &d.name, &text);
                let body = retitle(&text, &d.name, &name);
                if let Some(old) = self.prims.get(&name) {
                    assert_eq!(old, &body, "share.rs: two primitives named {name} differ");
                }
                self.prims.insert(name.clone(), body);
                rename.insert(d.name.clone(), name);
                add_dep(&mut deps, PRIMS, &self.lists);
                continue;
            }
            let key = retitle(&text, &d.name, "@");
            if d.name != top {
                if let Some((name, stem)) = self.known.get(&key) {
                    rename.insert(d.name.clone(), name.clone());
                    let stem = stem.clone();
                    add_dep(&mut deps, &stem, &self.lists);
                    continue;
                }
            }
            new_known.push((key, d.name.clone()));
            kept[i] = Some(text);
        }
        for (key, name) in new_known {
            self.known.insert(key, (name, top.to_string()));
        }
        deps.push(top.to_string());
        self.lists.insert(top.to_string(), deps);
        let mut out = preamble;
        for (n, t) in kept.into_iter().flatten().enumerate() {
            if n == 1 {
                // One file per block: its sub-modules follow the top, so their names cannot match the file.
                out.push_str(&format!(
                    "// Sub-modules of {top} stay in its file (one file per block), so their\n// names differ from the file name by design.\n/* verilator lint_off DECLFILENAME */\n"
                ));
            }
            out.push_str(&t);
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }

    /// `<top>.f`: the files `top` needs, one per line, in order, itself last.
    pub fn filelist(&self, top: &str) -> String {
        let list = self.lists.get(top).map(Vec::as_slice).unwrap_or_default();
        format!(
            "# {top}: the files it needs, in order (relative to rtl/); hard-macro models from rtl/models/ come first in simulation\n{}",
            list.iter().map(|s| format!("{s}.v\n")).collect::<String>()
        )
    }

    /// `pluton_prims.v`: every primitive the tops use.
    pub fn prims_file(&self) -> String {
        let mut s = format!(
            "// {PRIMS}: the leaf primitives every block uses (reset flop, RAMs, zero-extenders, the error log).\n\
             // Generated by `pluton gen` from rust-hdl-src/ (RustHDL). Do not edit.\n\
             // Reset: asynchronous, active-low `rst_n`; every flop is reset. RAM arrays have no reset, as RAM macros.\n\n\
             // One file for all of them, so their names differ from the file name by design, and\n\
             // each is a top when the file is linted alone.\n\
             /* verilator lint_off DECLFILENAME */\n\
             /* verilator lint_off MULTITOP */\n"
        );
        for body in self.prims.values() {
            s.push_str(body);
            s.push('\n');
        }
        s.trim_end().to_string() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_instantiates_the_module_an_earlier_file_defines() {
        let leaf = "module pluton_a_rdff1(d,q,clock,rst_n);\n    // Update code (custom)\nendmodule // pluton_a_rdff1\n";
        let a = format!("module pluton_a(x);\n    pluton_a_rdff1 r(\n    );\nendmodule // pluton_a\n{leaf}");
        let top = "module pluton_t(x);\n    pluton_t_a a(\n    );\nendmodule // pluton_t\n\
                   module pluton_t_a(x);\n    pluton_t_rdff1 r(\n    );\nendmodule // pluton_t_a\n\
                   module pluton_t_rdff1(d,q,clock,rst_n);\n    // Update code (custom)\nendmodule // pluton_t_rdff1\n";
        let mut lib = Library::default();
        let a_out = lib.share("pluton_a", &a);
        assert!(a_out.contains("    pluton_rdff1 r(") && !a_out.contains("module pluton_a_rdff1"), "{a_out}");
        let t_out = lib.share("pluton_t", top);
        assert!(t_out.contains("    pluton_a a(") && !t_out.contains("module pluton_t_a("), "{t_out}");
        assert_eq!(lib.filelist("pluton_t").lines().skip(1).collect::<Vec<_>>(), ["pluton_prims.v", "pluton_a.v", "pluton_t.v"]);
        assert!(lib.prims_file().contains("module pluton_rdff1("));
    }
}
