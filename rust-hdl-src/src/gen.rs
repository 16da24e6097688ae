//! Generator: RustHDL tops -> `rtl/<module>.v`, `.ports`, register docs, C headers and a manifest.

use crate::common::regmap::RegMap;
use rust_hdl::core::atom::{Atom, AtomKind};
use rust_hdl::prelude::*;
use std::path::Path;

/// One generated IP block.
#[derive(Clone, Copy)]
pub struct IpBlock {
    pub map: &'static RegMap,
    /// Builds the RustHDL top with its inputs marked as driven from outside.
    pub verilog: fn() -> (String, String),
}

impl IpBlock {
    /// The generated top `T`, documented by `map`.
    pub const fn of<T: TopBlock + 'static>(map: &'static RegMap) -> IpBlock {
        IpBlock { map, verilog: top_text::<T> }
    }
}

/// Every block the project generates: each IP's `TOPS`, in the order of `for_each_ip!`.
pub fn blocks() -> Vec<IpBlock> {
    macro_rules! tops {
        ($($ip:ident $([$($file:ident),*])?),* $(,)?) => {
            [$(crate::$ip::TOPS),*].concat()
        };
    }
    pluton_regs::for_each_ip!(tops)
}

pub fn block(name: &str) -> Option<IpBlock> {
    blocks().into_iter().find(|b| b.map.block == name)
}

/// Lists the top's own ports (not those of sub-blocks) in declaration order.
#[derive(Default)]
struct PortLister {
    depth: usize,
    lines: Vec<String>,
}

impl Probe for PortLister {
    fn visit_start_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth += 1;
    }
    fn visit_atom(&mut self, name: &str, signal: &dyn Atom) {
        if self.depth != 1 {
            return;
        }
        let dir = match signal.kind() {
            AtomKind::InputParameter => "in",
            AtomKind::OutputParameter | AtomKind::OutputPassthrough => "out",
            _ => return,
        };
        self.lines.push(format!("{dir} {} {name}", signal.bits()));
    }
    fn visit_end_scope(&mut self, _name: &str, _node: &dyn Block) {
        self.depth -= 1;
    }
}

/// A generated top: rust-hdl's checks need its inputs marked as driven from outside.
/// `hdl_block!` implements it for every block it declares (any block may be a top).
pub trait TopBlock: Block + Default {
    fn connect_inputs(&mut self);
}

/// A port's part in `TopBlock::connect_inputs`: an input is driven from outside, an output is not.
pub trait ConnectIfInput {
    fn connect_if_input(&mut self);
}

impl<T: Synth> ConnectIfInput for Signal<In, T> {
    fn connect_if_input(&mut self) {
        self.connect();
    }
}

impl<T: Synth> ConnectIfInput for Signal<Out, T> {
    fn connect_if_input(&mut self) {}
}

impl<S: ConnectIfInput, const N: usize> ConnectIfInput for [S; N] {
    fn connect_if_input(&mut self) {
        self.iter_mut().for_each(ConnectIfInput::connect_if_input);
    }
}

fn top_text<T: TopBlock + 'static>() -> (String, String) {
    // Deep block trees (the masked AES core's 20 S-boxes) need more stack than a main thread has.
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(top_text_here::<T>)
        .expect("spawning the generator's thread")
        .join()
        .expect("the generator's thread panicked")
}

fn top_text_here<T: TopBlock>() -> (String, String) {
    let mut uut = T::default();
    uut.connect_inputs();
    uut.connect_all();
    let verilog = generate_verilog(&uut);
    let mut lister = PortLister::default();
    uut.accept("top", &mut lister);
    (verilog, lister.lines.join("\n") + "\n")
}

/// Rename rust-hdl's path-named modules (`top$core$st$0`) to `<module>_core_st_0`, and replace `$`
/// inside identifiers (legal Verilog, but unwelcome in many ASIC flows) by `__`.
pub fn tidy_verilog(text: &str, module: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' && i > 0 && (chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_') {
            out.push_str("__");
        } else {
            out.push(c);
        }
        i += 1;
    }
    // Module names: `top` and `top__x__y` become `<module>` and `<module>_x_y`.
    let mut lines = Vec::new();
    for line in out.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let renamed = if let Some(rest) = trimmed.strip_prefix("module ") {
            format!("{indent}module {}", rename_module(rest, module))
        } else if trimmed.starts_with("top") && trimmed.contains('(') && !trimmed.contains('=') {
            // A sub-module instantiation line: `top__core__st__0 st__0(`.
            format!("{indent}{}", rename_module(trimmed, module))
        } else if let Some(rest) = trimmed.strip_prefix("endmodule // ") {
            format!("{indent}endmodule // {}", rename_module(rest, module))
        } else {
            line.trim_end().to_string()
        };
        lines.push(renamed);
    }
    // Drop runs of blank lines.
    let mut text = String::new();
    let mut blank = 0;
    for line in lines {
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        text.push_str(&line);
        text.push('\n');
    }
    // (The sub-modules' DECLFILENAME waiver is written by `share`, which decides what stays.)
    dedupe_modules(text.trim_start(), module)
}

/// rust-hdl writes one module per instance; merge sub-modules whose bodies are identical so a
/// chip partner sees one `<module>_rdff<width>` per flop width, not one module per register.
fn dedupe_modules(text: &str, module: &str) -> String {
    struct Def {
        name: String,
        text: String,
    }
    let mut defs: Vec<Def> = Vec::new();
    let mut preamble = String::new();
    let mut current: Option<Def> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("module ") {
            let name = rest.split('(').next().unwrap_or_default().to_string();
            current = Some(Def { name, text: String::new() });
        }
        match current.as_mut() {
            Some(d) => {
                d.text.push_str(line);
                d.text.push('\n');
            }
            None => {
                preamble.push_str(line);
                preamble.push('\n');
            }
        }
        if line.starts_with("endmodule") {
            defs.extend(current.take());
        }
    }
    // Group by body with the name blanked out; pick one name per group.
    let body = |d: &Def| d.text.replace(&d.name, "@");
    let mut canonical: std::collections::BTreeMap<String, String> = Default::default();
    let mut rename: std::collections::HashMap<String, String> = Default::default();
    for d in defs.iter().filter(|d| d.name != module) {
        let key = body(d);
        // A primitive (rust-hdl custom Verilog) is named by its shape, the same in every file.
        let name = canonical.entry(key).or_insert_with(|| {
            if d.text.contains("// Update code (custom)") {
                crate::share::prim_name(&d.text)
            } else {
                d.name.clone()
            }
        });
        rename.insert(d.name.clone(), name.clone());
    }
    let mut out = preamble;
    let mut emitted = std::collections::HashSet::new();
    for d in &defs {
        let target = rename.get(&d.name).cloned().unwrap_or_else(|| d.name.clone());
        if !emitted.insert(target.clone()) {
            continue;
        }
        let mut t = d.text.replace(&format!("module {}(", d.name), &format!("module {target}("));
        t = t.replace(&format!("endmodule // {}", d.name), &format!("endmodule // {target}"));
        // Instantiations: `<name> <instance>(` at the start of a line.
        let lines: Vec<String> = t
            .lines()
            .map(|l| {
                let trimmed = l.trim_start();
                let first = trimmed.split(' ').next().unwrap_or_default();
                match rename.get(first) {
                    Some(new) if trimmed.ends_with('(') => format!("{}{new}{}", &l[..l.len() - trimmed.len()], &trimmed[first.len()..]),
                    _ => l.to_string(),
                }
            })
            .collect();
        out.push_str(&lines.join("\n"));
        out.push_str("\n\n");
    }
    out.trim_end().to_string() + "\n"
}

fn rename_module(s: &str, module: &str) -> String {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    let (name, rest) = s.split_at(end);
    if name == "top" {
        format!("{module}{rest}")
    } else if let Some(path) = name.strip_prefix("top__") {
        format!("{module}_{}{rest}", path.replace("__", "_"))
    } else {
        s.to_string()
    }
}

/// Nets whose assignments Verilator must schedule on their own (`isolate_assignments`).
///
/// rust-hdl writes a block's logic as one `always @(*)`. In the firewall that block computes the
/// request it forwards (`m_psel`, ...) and muxes the peripheral's answer (`m_pready`, ...) back,
/// so once a peripheral sits behind it, Verilator sees a combinational loop through the block
/// (UNOPTFLAT) and simulates it wrongly: the peripheral latched stale write data. There is no
/// real loop (the decision does not depend on the answer); isolating the decision's nets lets
/// Verilator order them apart. Other tools ignore the comment.
struct Isolate {
    /// Name endings of the modules the block becomes (`pluton_<name>` on its own, or
    /// `pluton_<top>_<path>_<field>` inside a top): a module matches if its name ends in `_<ending>`.
    modules: &'static [&'static str],
    nets: &'static [&'static str],
}

const ISOLATE: &[Isolate] = &[
    Isolate {
        modules: &["firewall", "security_fw"],
        nets: &[
            "win_oh", "is_per", "is_cfg", "owner_sel", "rule_hit", "off", "cfg_oh", "cause", "fwd", "den", "cfg_write", "cfg_read", "m_psel",
            "m_penable", "m_pwrite", "m_paddr", "m_pwdata", "m_pstrb", "m_pmaster",
        ],
    },
    // The APB arbiter likewise forwards requests and returns answers in one block; its forward
    // nets never read m_pready, so isolating them keeps a top with the firewall behind it loop-free.
    Isolate {
        modules: &["apb_arb", "soc_arb"],
        nets: &["tie1", "pick", "grant", "fwd", "m_psel", "m_penable", "m_pwrite", "m_paddr", "m_pwdata", "m_pstrb", "m_pmaster"],
    },
    // The core reads the LUT RAM a cycle early, with the decode stage's next read addresses
    // (a function of the core's next state), into its operand flops, in the block that writes
    // the RAM: isolating the address and operand assignments leaves no loop through the RAM or
    // the decode stage.
    Isolate {
        modules: &["m0", "node_core", "sec_core", "app_core"],
        nets: &["ra", "rb", "rf__raddr_a", "rf__raddr_b", "opa__d", "opb__d", "ok_a__d", "ok_b__d", "hit_a__d", "hit_b__d"],
    },
    // The core both drives the SCS's inputs and reads its flop-driven outputs in its one block.
    Isolate {
        modules: &["m0_scs", "core_scs"],
        nets: &["rdata", "take", "take_num", "late", "wake", "exec_neg", "svc_ok", "sevonpend_ev", "sleepdeep", "sysresetreq"],
    },
];

/// Lint waivers, each for one declaration of one module, with its reason written beside it in the
/// Verilog (`lint_off` before the line, `lint_on` after it), so nothing else is waived.
/// The DRBG's sequencer runs the AES core on the core's fixed timing contract (edges counted
/// from each key load and start), so it never waits on the core's handshakes: constant time.
const DRBG_FIXED: &str = "the DRBG's schedule follows the AES core's fixed cycle counts (constant time), not its handshakes";

/// The AES engine counts OP_START's edges from the core's fixed key-load and block times, and
/// takes each block's result at the core's `done`.
const AES_FIXED: &str = "the engine counts the key load's fixed edges (the core's contract) and takes results at done";

const PRNG_PAD: &str = "Trivium steps come 64 at a time: rnd takes 160 of the first 192 bits, mask 256 of the last 256; the rest of the 288-bit sums is unused or zero";

const TRNG_COND_DONE: &str = "the conditioner sees a block end as the core's busy falling; done serves the SHA engine";

struct Waiver {
    module: &'static str,
    net: &'static str,
    rule: &'static str,
    reason: &'static str,
}

const MPROD: &str = "bits 31:16: the Montgomery digit mod n is (low 16 bits of the sum) times n' mod 2^16, the product's low half";
const NO_P256: &str = "this system has no P-256 engine: the SHA engine's digest port (for its HASH) ends here";

const WAIVERS: &[Waiver] = &[
    Waiver { module: "pluton_p256", net: "mprod", rule: "UNUSEDSIGNAL", reason: MPROD },
    Waiver { module: "pluton_security_p256", net: "mprod", rule: "UNUSEDSIGNAL", reason: MPROD },
    Waiver { module: "pluton_soc_security_p256", net: "mprod", rule: "UNUSEDSIGNAL", reason: MPROD },
    Waiver { module: "pluton_drbg", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_drbg", net: "aes__done", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_drbg", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_security_drbg", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_security_drbg", net: "aes__done", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_security_drbg", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_soc_security_drbg", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_soc_security_drbg", net: "aes__done", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_soc_security_drbg", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: DRBG_FIXED },
    Waiver { module: "pluton_aes", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_aes", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_aes_masked", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_aes_masked", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_aes_masked_prng", net: "zr", rule: "UNUSEDSIGNAL", reason: PRNG_PAD },
    Waiver { module: "pluton_aes_masked_prng", net: "zm", rule: "UNUSEDSIGNAL", reason: PRNG_PAD },
    Waiver { module: "pluton_security_aes", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_security_aes", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_soc_security_aes", net: "aes__busy", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_soc_security_aes", net: "aes__key_ready", rule: "UNUSEDSIGNAL", reason: AES_FIXED },
    Waiver { module: "pluton_security_aes_prng", net: "zr", rule: "UNUSEDSIGNAL", reason: PRNG_PAD },
    Waiver { module: "pluton_security_aes_prng", net: "zm", rule: "UNUSEDSIGNAL", reason: PRNG_PAD },
    Waiver { module: "pluton_soc_security_aes_prng", net: "zr", rule: "UNUSEDSIGNAL", reason: PRNG_PAD },
    Waiver { module: "pluton_soc_security_aes_prng", net: "zm", rule: "UNUSEDSIGNAL", reason: PRNG_PAD },
    Waiver { module: "pluton_trng_cond", net: "core__done", rule: "UNUSEDSIGNAL", reason: TRNG_COND_DONE },
    Waiver { module: "pluton_security_trng_cond", net: "core__done", rule: "UNUSEDSIGNAL", reason: TRNG_COND_DONE },
    Waiver { module: "pluton_soc_security_trng_cond", net: "core__done", rule: "UNUSEDSIGNAL", reason: TRNG_COND_DONE },
    Waiver { module: "pluton_m0sys", net: "sha__digest_out", rule: "UNUSEDSIGNAL", reason: NO_P256 },
    Waiver { module: "pluton_m0sys", net: "sha__digest_valid", rule: "UNUSEDSIGNAL", reason: NO_P256 },
    Waiver { module: "pluton_m0sys", net: "sha__digest_master", rule: "UNUSEDSIGNAL", reason: NO_P256 },
    Waiver { module: "pluton_soc", net: "security__ext_penable", rule: "UNUSEDSIGNAL", reason: "external window 6 has no peripheral in this system; its lane (bit 2) ends here" },
    Waiver { module: "pluton_soc", net: "security__ext_pwrite", rule: "UNUSEDSIGNAL", reason: "external window 6 has no peripheral in this system; its lane (bit 2) ends here" },
    Waiver { module: "pluton_soc", net: "security__ext_paddr", rule: "UNUSEDSIGNAL", reason: "external window 6 has no peripheral in this system; its lane (bits 35:24) ends here" },
    Waiver { module: "pluton_soc", net: "security__ext_pwdata", rule: "UNUSEDSIGNAL", reason: "external window 6 has no peripheral in this system; its lane (bits 95:64) ends here" },
    Waiver { module: "pluton_soc", net: "security__ext_pstrb", rule: "UNUSEDSIGNAL", reason: "external window 6 has no peripheral in this system; its lane (bits 11:8) ends here" },
    Waiver { module: "pluton_soc", net: "security__ext_pmaster", rule: "UNUSEDSIGNAL", reason: "external window 6 has no peripheral in this system; its lane (bits 11:8) ends here" },
    Waiver { module: "pluton_security", net: "fw__owner_chg", rule: "UNUSEDSIGNAL", reason: "bits 3:1 (windows 1-3): the OTP and the Wi-Fi arbiter check pmaster on every register and keep no result for an owner" },
    Waiver { module: "pluton_soc_security", net: "fw__owner_chg", rule: "UNUSEDSIGNAL", reason: "bits 3:1 (windows 1-3): the OTP and the Wi-Fi arbiter check pmaster on every register and keep no result for an owner" },
    Waiver { module: "pluton_soc", net: "security__ext_owner_chg", rule: "UNUSEDSIGNAL", reason: "the mailbox's windows 4 and 5 keep the owners the boot ROM locks; it holds nothing to drop" },
];

/// Wrap each declaration listed in `WAIVERS` in its `lint_off`/`lint_on` pair.
fn lint_waivers(text: &str) -> String {
    let mut out = Vec::new();
    let mut module = String::new();
    let mut used = vec![false; WAIVERS.len()];
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("module ") {
            module = rest.split('(').next().unwrap_or_default().to_string();
        }
        let t = line.trim();
        let decl = t.starts_with("wire ") || t.starts_with("reg ");
        let net = t.trim_end_matches(';').split_whitespace().last();
        match WAIVERS.iter().position(|w| decl && w.module == module && Some(w.net) == net) {
            Some(i) => {
                let w = &WAIVERS[i];
                used[i] = true;
                out.push(format!("    // Waived: {}.", w.reason));
                out.push(format!("    /* verilator lint_off {} */", w.rule));
                out.push(line.to_string());
                out.push(format!("    /* verilator lint_on {} */", w.rule));
            }
            None => out.push(line.to_string()),
        }
    }
    // A waiver whose net was renamed would silently stop applying: insist on finding each one.
    for (w, u) in WAIVERS.iter().zip(&used) {
        assert!(*u || !text.contains(&format!("module {}(", w.module)), "lint waiver: no declaration of `{}` in module {}", w.net, w.module);
    }
    out.join("\n") + "\n"
}

/// Add `/*verilator isolate_assignments*/` to the declarations listed in `ISOLATE`.
fn isolate_assignments(text: &str) -> String {
    let mut out = Vec::new();
    let mut module = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("module ") {
            module = rest.split('(').next().unwrap_or_default().to_string();
        }
        let t = line.trim();
        let net = t.strip_prefix("output ").unwrap_or(t).strip_prefix("reg ").and_then(|r| r.strip_suffix(';')).and_then(|r| r.split_whitespace().last());
        let hit = net.is_some_and(|n| ISOLATE.iter().any(|i| i.modules.iter().any(|m| module.ends_with(&format!("_{m}"))) && i.nets.contains(&n)));
        if hit {
            out.push(format!("{} /*verilator isolate_assignments*/;", line.trim_end().trim_end_matches(';')));
        } else {
            out.push(line.to_string());
        }
    }
    // A renamed net would silently lose its isolation: insist on finding every one.
    for i in ISOLATE {
        for m in i.modules.iter().filter(|m| text.contains(&format!("module {m}("))) {
            let body = &text[text.find(&format!("module {m}(")).unwrap()..];
            let body = &body[..body.find("endmodule").unwrap_or(body.len())];
            for n in i.nets {
                assert!(body.lines().any(|l| l.contains("reg ") && l.trim().trim_end_matches(';').split_whitespace().last() == Some(n)), "isolate_assignments: no `reg {n}` in module {m}");
            }
        }
    }
    out.join("\n") + "\n"
}

/// Make every net that crosses a module boundary change at most once per evaluation.
///
/// rust-hdl writes a module's logic as one `always @(*)` that gives a net its default and then
/// overrides it. When a parent and a child feed each other combinationally (the core and its
/// SCS, for example: no bit-level loop), an event-driven simulator such as Icarus wakes the other
/// block on each of those passing values, and the two blocks wake each other forever at one time
/// step. So a net that is an `output reg` of the module or feeds a sub-module's input, and is
/// assigned more than once in the block, is computed in `<net>__comb` and copied to the net once,
/// at the end of the block. Values do not change; a net listed for `isolate_assignments` passes
/// the mark on to its `__comb`, so Verilator still schedules it apart.
fn glitch_free_boundaries(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("module ") {
            out.push(lines[i].to_string());
            i += 1;
            continue;
        }
        let end = (i..lines.len()).find(|&j| lines[j].starts_with("endmodule")).unwrap_or(lines.len() - 1);
        out.extend(glitch_free_module(&lines[i..=end]));
        i = end + 1;
    }
    out.join("\n") + "\n"
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Where `word` stands in `text` as a whole identifier.
fn word_positions<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(word).map(|(at, _)| at).filter(move |&at| {
        !text[..at].chars().next_back().is_some_and(is_ident) && !text[at + word.len()..].chars().next().is_some_and(is_ident)
    })
}

/// `text` with each whole-word `from` replaced by `to`.
fn replace_word(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for at in word_positions(text, from) {
        out.push_str(&text[last..at]);
        out.push_str(to);
        last = at + from.len();
    }
    out.push_str(&text[last..]);
    out
}

fn glitch_free_module(lines: &[&str]) -> Vec<String> {
    // Declarations: `reg [w] name;` or `output reg [w] name;`, possibly marked for isolation.
    let mut decls: Vec<(String, String, bool)> = Vec::new();
    let mut boundary: Vec<String> = Vec::new();
    for l in lines {
        let t = l.trim();
        let isolated = t.contains("isolate_assignments");
        let t = t.split("/*").next().unwrap_or(t).trim().trim_end_matches(';').trim();
        let (is_out, rest) = match t.strip_prefix("output reg ") {
            Some(r) => (true, Some(r)),
            None => (false, t.strip_prefix("reg ")),
        };
        if let Some(r) = rest {
            let name = r.split_whitespace().last().unwrap_or_default().to_string();
            let width = r[..r.len() - name.len()].trim().to_string();
            if is_out {
                boundary.push(name.clone());
            }
            decls.push((name, width, isolated));
        }
        // A sub-module port connection: `.port(net)`.
        if let Some(net) = t.strip_prefix('.').and_then(|r| r.split_once('(')).and_then(|(_, r)| r.split(')').next()) {
            boundary.push(net.to_string());
        }
    }
    let Some(start) = lines.iter().position(|l| *l == "    always @(*) begin") else {
        return lines.iter().map(|l| l.to_string()).collect();
    };
    let Some(end) = (start..lines.len()).find(|&j| lines[j] == "    end") else {
        return lines.iter().map(|l| l.to_string()).collect();
    };
    // Assignments `name = ...` anywhere on a line (not `==`, `!=`, `<=`, `>=`).
    let assigns = |name: &str| {
        lines[start..end]
            .iter()
            .map(|l| {
                word_positions(l, name)
                    .filter(|at| {
                        let after = l[at + name.len()..].trim_start();
                        after.starts_with('=') && !after.starts_with("==")
                    })
                    .count()
            })
            .sum::<usize>()
    };
    let mut shadow: Vec<&(String, String, bool)> =
        decls.iter().filter(|(n, _, _)| boundary.contains(n) && assigns(n) > 1).collect();
    shadow.sort();
    shadow.dedup();
    if shadow.is_empty() {
        return lines.iter().map(|l| l.to_string()).collect();
    }
    let mut out: Vec<String> = lines[..start].iter().map(|l| l.to_string()).collect();
    for (n, w, iso) in &shadow {
        let w = if w.is_empty() { String::new() } else { format!("{w} ") };
        let mark = if *iso { " /*verilator isolate_assignments*/" } else { "" };
        out.push(format!("    reg {w}{n}__comb{mark};"));
    }
    out.push(lines[start].to_string());
    for l in &lines[start + 1..end] {
        let mut l = l.to_string();
        for (n, _, _) in &shadow {
            l = replace_word(&l, n, &format!("{n}__comb"));
        }
        out.push(l);
    }
    for (n, _, _) in &shadow {
        out.push(format!("        {n} = {n}__comb;"));
    }
    out.extend(lines[end..].iter().map(|l| l.to_string()));
    out
}

/// The files `pluton gen` writes, as (relative path, contents).
pub fn generate_all() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut lib = crate::share::Library::default();
    for b in blocks() {
        let (verilog, ports) = (b.verilog)();
        let m = b.map.module;
        let header = format!(
            "// {m}: {}\n// Generated by `pluton gen` from rust-hdl-src/ (RustHDL). Do not edit.\n// Reset: asynchronous, active-low `rst_n`; every flop is reset.\n// Complete alone; each module sits inside `ifndef <MODULE>_DEFINED, so files read together define it once.\n\n",
            b.map.desc
        );
        let own = lib.share(m, &lint_waivers(&glitch_free_boundaries(&isolate_assignments(&tidy_verilog(&verilog, m)))));
        let mut text = header + &own;
        // A top that instantiates the fuse macro carries its stand-in, so the file is complete alone.
        if text.lines().any(|l| l.trim_start().starts_with(&format!("{} ", crate::otp::fuse_array::MODULE))) {
            text += &format!("\n{}", crate::otp::fuse_array::standin_verilog());
        }
        files.push((format!("rtl/{m}.v"), text));
        files.push((format!("rtl/{m}.ports"), format!("# {m} top-level ports: in|out <width> <name>\n{ports}")));
        files.push((format!("rtl/{m}_regs.md"), b.map.to_markdown()));
        files.push((format!("rtl/{m}_regs.h"), b.map.to_c_header()));
        if let Some(rdl) = b.map.to_systemrdl() {
            files.push((format!("rtl/{m}_regs.rdl"), rdl));
        }
        files.push((format!("rtl/{m}.xml"), crate::ipxact::component(b.map, &ports, env!("CARGO_PKG_VERSION"))));
    }
    // Behavioural models of hard macros the tops instantiate but do not define (see README.md).
    files.push((crate::otp::fuse_array::MODEL_PATH.into(), crate::otp::fuse_array::model_verilog()));
    let manifest: String = files
        .iter()
        .map(|(path, text)| format!("{}  {}\n", sha256_hex(text.as_bytes()), path.trim_start_matches("rtl/")))
        .collect();
    files.push(("rtl/MANIFEST.sha256".into(), manifest));
    files
}

/// Write the generated files under `root`; returns the paths written. A file whose text is
/// unchanged is not rewritten: its timestamp stays, so the build does not re-Verilate it.
pub fn write_all(root: &Path) -> std::io::Result<Vec<String>> {
    let mut written = Vec::new();
    for (path, text) in generate_all() {
        let file = root.join(&path);
        if std::fs::read_to_string(&file).is_ok_and(|old| old == text) {
            continue;
        }
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&file, text)?;
        written.push(path);
    }
    Ok(written)
}

/// Compare `rtl/` with what the generator produces; returns the paths that differ or are missing.
pub fn check_all(root: &Path) -> Vec<String> {
    let mut stale = Vec::new();
    for (path, text) in generate_all() {
        match std::fs::read_to_string(root.join(&path)) {
            Ok(on_disk) if on_disk == text => {}
            _ => stale.push(path),
        }
    }
    stale
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_nets_change_once_per_evaluation() {
        let v = "module t(a,y);\n    input wire a;\n    output reg y;\n    reg z;\n    reg k /*verilator isolate_assignments*/;\n    reg c__x;\n    sub c(\n        .x(c__x),\n        .k(k)\n    );\n    always @(*) begin\n        y = 1'b0;\n        z = a;\n        k = 1'b0;\n        if (a) k = 1'b1;\n        c__x = 1'b0;\n        if (a) y = c__x | yy;\n    end\nendmodule\n";
        let g = glitch_free_boundaries(v);
        assert!(g.contains("    reg y__comb;\n"), "{g}");
        assert!(g.contains("    reg k__comb /*verilator isolate_assignments*/;"), "{g}");
        assert!(!g.contains("c__x__comb"), "assigned once: no shadow\n{g}");
        assert!(!g.contains("z__comb"), "not on a boundary\n{g}");
        assert!(g.contains("if (a) y__comb = c__x | yy;"), "{g}");
        assert!(g.contains("if (a) y__comb = c__x | yy;"), "{g}");
        assert!(g.contains("        k = k__comb;\n        y = y__comb;\n    end"), "{g}");
    }

    #[test]
    fn tidy_renames_modules_and_dollars() {
        let v = "module top$core$st$0(a);\nendmodule // top$core$st$0\nmodule top(x);\ntop$core$st$0 st$0(\n.a(st$0$a));\nassign y = $signed(x);\nendmodule // top\n";
        let t = tidy_verilog(v, "pluton_x");
        assert!(t.contains("module pluton_x_core_st_0(a);"), "{t}");
        assert!(t.contains("pluton_x_core_st_0 st__0("), "{t}");
        assert!(t.contains("module pluton_x(x);"), "{t}");
        assert!(t.contains("$signed(x)"), "{t}");
        assert!(!t.contains("top"), "{t}");
    }
}
