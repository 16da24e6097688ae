//! Generates each APB block's register front end (`RegFront`) from its register map.
//!
//! The map (`src/<ip>/regs.rs`, compiled here through `pluton-regs`) is the one source: the
//! front end decodes every register into an `is_<name>` output and gives the checks every APB
//! block makes, in the documented order (unmapped or misaligned, wrong master, read of a WO
//! register, write to a RO one), as `err`, with a partial-strobe write flagged in `strb_part`.
//! The block's datapath then writes only its own rules, its registers and its read mux.

use pluton_regs::common::regmap::{Access, Bus, RegMap, Register, ANY};
use std::fmt::Write;
use std::path::PathBuf;

/// The maps that get a front end: every APB map with registers (`pluton_regs::maps()`), each
/// in `<block>_front.rs`, which its IP includes with `crate::reg_front!`.
fn maps() -> Vec<&'static RegMap> {
    pluton_regs::maps().into_iter().filter(|m| m.bus == Bus::Apb4 && !m.regs.is_empty()).collect()
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    for map in maps() {
        std::fs::write(out.join(format!("{}_front.rs", map.block)), front(map)).expect("writing the generated front end");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src");
}

fn port(r: &Register) -> String {
    format!("is_{}", r.name.to_lowercase())
}

/// The test for "`paddr` is in register `r`": an equality for one word; for an array on an
/// aligned power-of-two span, the high bits and `aligned`; otherwise a range.
fn decode(r: &Register, aw: u32, consts: &mut String) -> String {
    let name = r.name.to_lowercase();
    let span = 4 * r.count;
    if r.count == 1 {
        writeln!(consts, "        k_{name}: {aw} = {:#x},", r.offset).unwrap();
        format!("self.paddr.val() == self.k_{name}.val()")
    } else if span.is_power_of_two() && r.offset % span == 0 {
        let low = span.trailing_zeros();
        let hi = aw - low;
        writeln!(consts, "        k_{name}: {hi} = {:#x},", r.offset >> low).unwrap();
        format!("self.aligned.val() & (self.paddr.val().get_bits::<{hi}>({low}) == self.k_{name}.val())")
    } else {
        writeln!(consts, "        k_{name}_lo: {aw} = {:#x},", r.offset).unwrap();
        writeln!(consts, "        k_{name}_end: {aw} = {:#x},", r.offset + span).unwrap();
        format!("self.aligned.val() & (self.paddr.val() >= self.k_{name}_lo.val()) & (self.paddr.val() < self.k_{name}_end.val())")
    }
}

fn front(map: &RegMap) -> String {
    let aw = map.addr_bits;
    let regs = map.regs;
    let mut consts = String::new();
    let mut logic = String::new();
    let has = |name: &str| map.constants.iter().any(|c| c.name == name);
    // A map with the common refusal codes (`ERR_*`) gets them combined in `err`; one with codes
    // of its own (the firewall's `CAUSE_*`) combines `mapped`, `wo` and `ro` in its own order.
    let codes = has("ERR_UNMAPPED");
    // A map that lists ERR_PROTOCOL gets the APB protocol check (`ApbGuard`) first in `err`.
    let guarded = codes && has("ERR_PROTOCOL");
    for code in ["ERR_UNMAPPED", "ERR_MASTER", "ERR_READ_WO", "ERR_WRITE_RO", "ERR_PROTOCOL"] {
        if has(code) {
            writeln!(consts, "        e_{}: 32 = {},", code[4..].to_lowercase(), map.constant(code)).unwrap();
        }
    }
    if codes {
        writeln!(consts, "        e_none: 32 = 0,").unwrap();
    }
    writeln!(consts, "        strb_all: 4 = 0xf,").unwrap();
    if regs.iter().any(|r| r.count > 1) {
        writeln!(consts, "        z2: 2 = 0,").unwrap();
    }

    writeln!(logic, "        self.access.next = self.psel.val() & self.penable.val();").unwrap();
    if guarded {
        for p in ["clock", "rst_n", "psel", "penable", "pready", "pwrite", "paddr", "pwdata", "pstrb", "pmaster"] {
            writeln!(logic, "        self.guard.{p}.next = self.{p}.val();").unwrap();
        }
    }
    // Only arrays test `aligned`; a single register's equality already needs bits 1:0 zero.
    let arrays = regs.iter().any(|r| r.count > 1);
    if arrays {
        writeln!(logic, "        self.aligned.next = self.paddr.val().get_bits::<2>(0) == self.z2.val();").unwrap();
    }
    for r in regs {
        let test = decode(r, aw, &mut consts);
        writeln!(logic, "        self.{}.next = {test};", port(r)).unwrap();
    }
    let any = |f: &dyn Fn(&Register) -> bool| -> String {
        let terms: Vec<String> = regs.iter().filter(|r| f(r)).map(|r| format!("self.{}.val()", port(r))).collect();
        if terms.is_empty() { "false".into() } else { terms.join(" | ") }
    };
    writeln!(logic, "        self.mapped.next = {};", any(&|_| true)).unwrap();
    // As outputs (a map with its own codes), a flag no register can raise is left out: an
    // output nobody reads fails lint in the block.
    let has_wo = codes || regs.iter().any(|r| r.access == Access::Wo);
    let has_ro = codes || regs.iter().any(|r| r.access == Access::Ro);
    if has_wo {
        writeln!(logic, "        self.wo.next = {};", any(&|r| r.access == Access::Wo)).unwrap();
    }
    if has_ro {
        writeln!(logic, "        self.ro.next = {};", any(&|r| r.access == Access::Ro)).unwrap();
    }
    // The master rule, one term per group of registers with the same readers and writers (a
    // per-register bit select of a mask synthesizes far worse: ABC cannot share it).
    let ruled = codes && regs.iter().any(|r| r.readers != ANY || r.writers != ANY);
    if ruled {
        assert!(has("ERR_MASTER"), "{}: registers with master rules need ERR_MASTER", map.module);
        let mut groups: Vec<((u16, u16), Vec<&Register>)> = Vec::new();
        for r in regs {
            match groups.iter_mut().find(|(k, _)| *k == (r.readers, r.writers)) {
                Some((_, g)) => g.push(r),
                None => groups.push(((r.readers, r.writers), vec![r])),
            }
        }
        let mut masters: Vec<u32> = Vec::new();
        let mut member = |set: u16| -> Option<String> {
            if set == ANY {
                return None;
            }
            let ids: Vec<String> = (0..16u32)
                .filter(|m| set >> m & 1 == 1)
                .map(|m| {
                    if !masters.contains(&m) {
                        masters.push(m);
                    }
                    format!("(self.pmaster.val() == self.id{m}.val())")
                })
                .collect();
            Some(format!("({})", ids.join(" | ")))
        };
        let mut terms = Vec::new();
        for ((rd, wr), g) in &groups {
            let any = format!("({})", g.iter().map(|r| format!("self.{}.val()", port(r))).collect::<Vec<_>>().join(" | "));
            let (mr, mw) = (member(*rd), member(*wr));
            terms.push(match (mr, mw) {
                (None, None) => any,
                (Some(a), Some(b)) if a == b => format!("{any} & {a}"),
                (a, b) => {
                    let side = |m: Option<String>| m.unwrap_or_else(|| "true".into());
                    format!("{any} & ((!self.pwrite.val() & {}) | (self.pwrite.val() & {}))", side(a), side(b))
                }
            });
        }
        for m in masters {
            writeln!(consts, "        id{m}: 4 = {m},").unwrap();
        }
        writeln!(logic, "        self.denied.next = !({});", terms.join("\n            | ")).unwrap();
    }
    if codes {
        writeln!(logic, "        self.err.next = self.e_none.val();").unwrap();
        if guarded {
            writeln!(logic, "        if self.guard.viol.val() {{\n            self.err.next = self.e_protocol.val();\n        }} else if !self.mapped.val() {{\n            self.err.next = self.e_unmapped.val();").unwrap();
        } else {
            writeln!(logic, "        if !self.mapped.val() {{\n            self.err.next = self.e_unmapped.val();").unwrap();
        }
        if ruled {
            writeln!(logic, "        }} else if self.denied.val() {{\n            self.err.next = self.e_master.val();").unwrap();
        }
        writeln!(logic, "        }} else if !self.pwrite.val() & self.wo.val() {{\n            self.err.next = self.e_read_wo.val();").unwrap();
        writeln!(logic, "        }} else if self.pwrite.val() & self.ro.val() {{\n            self.err.next = self.e_write_ro.val();\n        }}").unwrap();
    }
    writeln!(logic, "        self.strb_part.next = self.pwrite.val() & (self.pstrb.val() != self.strb_all.val());").unwrap();

    // Whether the address is mapped, and in a write-only or read-only register.
    let flags = |dir: &str| {
        let mut f = format!("        mapped: Signal<{dir}, bool>,\n");
        if has_wo {
            f += &format!("        wo: Signal<{dir}, bool>,\n");
        }
        if has_ro {
            f += &format!("        ro: Signal<{dir}, bool>,\n");
        }
        f
    };
    let mut ports = String::new();
    for r in regs {
        writeln!(ports, "        /// `paddr` is in `{}`.\n        {}: Signal<Out, bool>,", r.name, port(r)).unwrap();
    }
    format!(
        r#"// Generated by build.rs from the register map of `{module}`. Do not edit.

crate::hdl_block! {{
    /// APB decode and the common access checks of `{module}`, generated from its register map.
    RegFront
    ports {{
        psel: Signal<In, bool>,
        penable: Signal<In, bool>,
        pwrite: Signal<In, bool>,
        paddr: Signal<In, Bits<{aw}>>,
        pstrb: Signal<In, Bits<4>>,
{pmaster}{guard_ports}        /// The access phase of a transfer (`psel & penable`).
        access: Signal<Out, bool>,
{ports}{verdict}        /// A write whose `pstrb` is not 0b1111 (refused unless the register says otherwise).
        strb_part: Signal<Out, bool>,
    }}
    consts {{
{consts}    }}
    fields {{
{guard_field}{aligned}{flags}{denied}    }}
}}

crate::hdl_logic! {{
    #[hdl_gen]
    RegFront;
    fn update(&mut self) {{
{logic}    }}
}}
"#,
        module = map.module,
        // Only a map with master rules reads `pmaster`.
        pmaster = if ruled || guarded { "        pmaster: Signal<In, Bits<4>>,\n" } else { "" },
        guard_ports = if guarded {
            "        clock: Signal<In, Clock>,\n        rst_n: Signal<In, bool>,\n        \
             /// The block's own `pready` (the protocol check follows wait states with it).\n        \
             pready: Signal<In, bool>,\n        pwdata: Signal<In, Bits<32>>,\n"
        } else {
            ""
        },
        guard_field = if guarded { format!("        guard: crate::common::prims::ApbGuard<{aw}>,\n") } else { String::new() },
        aligned = if arrays { "        aligned: Signal<Local, bool>,\n" } else { "" },
        verdict = if codes {
            "        /// The common checks' verdict, in the documented order: 0 (none), then ERR_PROTOCOL\n        \
             /// (where the map lists it), ERR_UNMAPPED (unmapped or misaligned), ERR_MASTER,\n        \
             /// ERR_READ_WO, ERR_WRITE_RO.\n        \
             err: Signal<Out, Bits<32>>,\n"
                .to_string()
        } else {
            flags("Out")
        },
        flags = if codes { flags("Local") } else { String::new() },
        denied = if ruled { "        denied: Signal<Local, bool>,\n" } else { "" },
    )
}
