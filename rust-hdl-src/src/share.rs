//! One name per module across `rtl/`: a top instantiates the blocks' own modules (`pluton_sha256`,
//! not a copy named `pluton_security_sha`), and the leaf primitives (flops, RAMs, zero-extenders,
//! the error log) get names from their shape (`pluton_rdff32`).
//!
//! rust-hdl writes a top with every sub-block re-emitted under the top's names. After each file
//! is generated, a module whose text (own name blanked, children by their final names) equals a
//! module of an earlier file takes that module's name. Every file still holds every module its
//! top needs, so it lints and synthesizes alone; each definition sits inside
//! `` `ifndef <NAME>_DEFINED ``, so files read together define each module once.

use std::collections::HashMap;

#[derive(Default)]
pub struct Library {
    /// Module text with its own name blanked -> its name.
    known: HashMap<String, String>,
    /// Module name -> its definition (children by their final names).
    texts: HashMap<String, String>,
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

/// `(words, width)` of a `Ram` prim's module body (`reg [W-1:0] mem [0:D-1];`).
fn ram_shape(text: &str) -> Option<(u32, u32)> {
    let line = text.lines().map(str::trim).find(|l| l.starts_with("reg [") && l.contains("] mem [0:"))?;
    let msb: u32 = line.strip_prefix("reg [")?.split(':').next()?.parse().ok()?;
    let last: u32 = line.split("mem [0:").nth(1)?.split(']').next()?.parse().ok()?;
    Some((last + 1, msb + 1))
}

/// A primitive's name from its shape (its rust-hdl custom Verilog), the same in every file.
pub fn prim_name(text: &str) -> String {
    if text.contains("else q <= d;") {
        return format!("pluton_rdff{}", width(text, "q"));
    }
    if text.contains("if (we & wmask[i]) mem[waddr]") {
        let (words, width) = ram_shape(text).unwrap_or((0, 0));
        return format!("pluton_wram{words}x{width}");
    }
    if text.contains("// P-256 microcode ROM") {
        return "pluton_p256_ucode".into();
    }
    if text.contains("// P-256 constants") {
        return "pluton_p256_consts".into();
    }
    if text.contains("o[32*j +: 32] = {16'h0, a[32*j+16 +: 16]} * {16'h0, b};") {
        return "pluton_mul256x16".into();
    }
    if text.contains("m32 = {m, 32'h0} - {32'h0, m};") {
        return "pluton_montstep".into();
    }
    if text.contains("res = (sub_q ? th[129] : !uh[129])") {
        return "pluton_modalu".into();
    }
    if let Some((words, width)) = ram_shape(text) {
        // Two asynchronous read ports (`RegRam`) and one registered one (`Ram`) differ.
        let kind = if text.contains("rdata_b = mem[raddr_b]") { "regram" } else { "ram" };
        return format!("pluton_{kind}{words}x{width}");
    }
    if text.contains("y = {a[7:0], a[15:8], ") {
        return format!("pluton_bswap{}", width(text, "a"));
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
    if text.contains("always @(*) bare = psel & penable & !wait_q & !setup_q;") {
        return "pluton_apbsetupcheck".into();
    }
    if text.contains("wait_q <= psel & penable & !pready;") {
        return format!("pluton_apbguard{}", width(text, "paddr"));
    }
    if text.contains("code = {s[1] ^ s[2], s[0] ^ s[2], s[0] ^ s[1]};") {
        return "pluton_statecode3".into();
    }
    if text.contains("code = s110 ? 3'b110") {
        return "pluton_checkcode3".into();
    }
    if text.contains("{sel[0]}} & x)}") {
        return format!("pluton_lanegate8x{}", width(text, "x"));
    }
    if text.contains("// Inverse affine map (FIPS 197 5.3.2)") {
        return "pluton_aes_sbox".into();
    }
    if text.contains("8'h53: y = 8'hed;") {
        return "pluton_aes_sbox_fwd".into();
    }
    if text.contains("y = {b__0, b__1, b__2,") {
        return "pluton_pack16x8".into();
    }
    let name = text.split('(').next().unwrap_or_default().trim_start_matches("module ");
    panic!("share.rs: primitive `{name}` has no name yet (add its shape to prim_name)")
}

/// `text` inside `` `ifndef <NAME>_DEFINED `` (as the fuse macro's stand-in is).
fn guarded(name: &str, text: &str) -> String {
    let g = format!("{}_DEFINED", name.to_uppercase());
    format!("`ifndef {g}\n`define {g}\n{}`endif // {g}\n", text)
}

impl Library {
    /// `text` (one generated top, `top` its module) with every module an earlier file defines
    /// renamed to that module, primitives named by shape, and every module the top needs present
    /// once, each guarded.
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
        let mut final_name: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
        for i in order {
            let d = &defs[i];
            let text = rename_children(&d.text, &rename);
            // Primitives already carry their shape's name (`gen::dedupe_modules`).
            let key = retitle(&text, &d.name, "@");
            let name = match self.known.get(&key) {
                Some(name) if d.name != top => name.clone(),
                _ => {
                    self.known.insert(key, d.name.clone());
                    d.name.clone()
                }
            };
            let body = retitle(&text, &d.name, &name);
            if let Some(old) = self.texts.get(&name) {
                assert_eq!(old, &body, "share.rs: two modules named {name} differ");
            }
            self.texts.insert(name.clone(), body);
            rename.insert(d.name.clone(), name.clone());
            final_name[i] = name;
        }
        // The top, then every module it reaches, each once (file order for the top's own).
        let mut names: Vec<String> = Vec::new();
        let mut todo: Vec<String> = final_name.clone();
        todo.reverse();
        while let Some(n) = todo.pop() {
            if names.contains(&n) {
                continue;
            }
            let t = &self.texts[&n];
            todo.extend(children(t).into_iter().rev().filter(|c| self.texts.contains_key(c)));
            names.push(n);
        }
        let mut out = preamble;
        for (k, n) in names.iter().enumerate() {
            if k == 1 {
                // Sub-modules and instantiated blocks follow the top, so their names cannot match the file.
                out.push_str(&format!(
                    "// The modules {top} instantiates follow it (each file is complete alone), so their\n// names differ from the file name by design.\n/* verilator lint_off DECLFILENAME */\n"
                ));
            }
            out.push_str(&guarded(n, &self.texts[n]));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_uses_the_names_an_earlier_file_gave_and_is_complete() {
        // Primitives come named by shape (`gen::dedupe_modules`); blocks by their file's top.
        let leaf = "module pluton_rdff1(d,q,clock,rst_n);\n    // Update code (custom)\nendmodule // pluton_rdff1\n";
        let a = format!("module pluton_a(x);\n    pluton_rdff1 r(\n    );\nendmodule // pluton_a\n{leaf}");
        let top = format!(
            "module pluton_t(x);\n    pluton_t_a a(\n    );\nendmodule // pluton_t\n\
             module pluton_t_a(x);\n    pluton_rdff1 r(\n    );\nendmodule // pluton_t_a\n{leaf}"
        );
        let mut lib = Library::default();
        let a_out = lib.share("pluton_a", &a);
        assert!(a_out.contains("    pluton_rdff1 r(") && a_out.contains("module pluton_rdff1("), "{a_out}");
        let t_out = lib.share("pluton_t", &top);
        assert!(t_out.contains("    pluton_a a(") && !t_out.contains("pluton_t_a"), "{t_out}");
        // Complete alone: the block and the primitive are there, each guarded, each once.
        assert_eq!(t_out.matches("module pluton_a(").count(), 1, "{t_out}");
        assert_eq!(t_out.matches("module pluton_rdff1(").count(), 1, "{t_out}");
        assert!(t_out.contains("`ifndef PLUTON_A_DEFINED\n`define PLUTON_A_DEFINED\nmodule pluton_a("), "{t_out}");
    }
}
