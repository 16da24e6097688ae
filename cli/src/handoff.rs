//! `pluton handoff -o DIR`: the bundle a chip partner takes into their flow, byte-identical on every run.
//!
//! ```text
//! DIR/README.md                 what is here
//! DIR/INTEGRATION.md            what the chip around the subsystem must provide and must not do
//! DIR/rtl/<top>.v, .ports       the generated RTL (each file complete alone)
//! DIR/rtl/models/*.v            behavioural models of hard macros: replace with your macro
//! DIR/filelists/<top>.f         what to read for a top, in order (models first)
//! DIR/rtl/<top>.core            a FuseSoC (CAPI2) core per top: `default` and a Verilator `lint` target
//! DIR/constraints/<top>.sdc     clock, reset and I/O timing
//! DIR/regs/<top>_regs.{h,md,rdl} register maps: C header, table, SystemRDL
//! DIR/regs/<top>.xml            IP-XACT (IEEE 1685-2014) component: ports, APB4 interface, registers
//! DIR/docs/*.html               each block's contract and register table
//! DIR/reports/lint.txt          Verilator -Wall and Yosys check on every file, now
//! DIR/reports/synth/*.md        synthesis reports (utilisation, Fmax) per block and target
//! DIR/MANIFEST.sha256           the SHA-256 of every file above
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The SDC's clock period (ns): the 50 MHz the FPGA reports are placed for. Set your own.
const PERIOD_NS: f64 = 20.0;
/// Share of the period given to logic outside the block on every synchronous input and output.
const IO_SHARE: f64 = 0.4;

/// Every file of the bundle, by path inside it. Built in memory, so two runs write the same bytes.
type Bundle = BTreeMap<String, Vec<u8>>;

pub fn run(out: &Path) -> Result<(), String> {
    let root = pluton_toolchain::project_root();
    crate::gen_check()?;
    let mut b = Bundle::new();
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let rtl = root.join("rtl");

    let mut tops = Vec::new();
    for f in sorted_files(&rtl)? {
        let name = file_name(&f);
        match f.extension().and_then(|e| e.to_str()) {
            Some("v") | Some("ports") => {
                b.insert(format!("rtl/{name}"), read(&f)?);
                if name.ends_with(".ports") {
                    tops.push(name.trim_end_matches(".ports").to_string());
                }
            }
            Some("h") | Some("md") | Some("rdl") | Some("xml") => {
                b.insert(format!("regs/{name}"), read(&f)?);
            }
            _ => {}
        }
    }
    for f in sorted_files(&rtl.join("models"))? {
        b.insert(format!("rtl/models/{}", file_name(&f)), read(&f)?);
    }
    for top in &tops {
        let verilog = rtl.join(format!("{top}.v"));
        let design = pluton_toolchain::lint::design(&verilog)?;
        let list: String = design.iter().map(|p| format!("rtl/{}\n", p.strip_prefix(&rtl).unwrap_or(p).display())).collect();
        b.insert(format!("filelists/{top}.f"), list.into_bytes());
        let files: Vec<String> = design.iter().map(|p| p.strip_prefix(&rtl).unwrap_or(p).display().to_string()).collect();
        b.insert(format!("rtl/{top}.core"), fusesoc_core(top, &files).into_bytes());
        let ports_text = String::from_utf8_lossy(&b[&format!("rtl/{top}.ports")]).into_owned();
        let ports = pluton_toolchain::ports::parse_ports(&ports_text).map_err(|e| format!("rtl/{top}.ports: {e}"))?;
        b.insert(format!("constraints/{top}.sdc"), sdc(top, &ports).into_bytes());
    }

    // Docs: each block's contract, and each register table, as HTML.
    for ip in sorted_files(&root.join("rust-hdl-src/src"))?.into_iter().filter(|d| d.join("README.md").is_file()) {
        let name = file_name(&ip);
        let md = String::from_utf8_lossy(&read(&ip.join("README.md"))?).into_owned();
        b.insert(format!("docs/{name}.html"), html(&format!("{name}: contract"), &md).into_bytes());
    }
    let guide = read(&root.join("rust-hdl-src/src/security/INTEGRATION.md"))?;
    b.insert("docs/integration.html".into(), html("Integrating pluton_security", &String::from_utf8_lossy(&guide)).into_bytes());
    b.insert("INTEGRATION.md".into(), guide);
    for (path, text) in b.clone().iter().filter(|(p, _)| p.starts_with("regs/") && p.ends_with(".md")) {
        let stem = path.trim_start_matches("regs/").trim_end_matches(".md");
        b.insert(format!("docs/{stem}.html"), html(stem, &String::from_utf8_lossy(text)).into_bytes());
    }

    // Reports: lint run now on the bundled RTL's source, synthesis as last measured.
    let (lint, clean) = crate::lint_text(&pluton_toolchain::lint::lint_dir(&rtl)?);
    if !clean {
        return Err(format!("rtl/ is not lint clean; no bundle written:\n{lint}"));
    }
    let (v, y) = (pluton_toolchain::verilator()?, pluton_toolchain::yosys()?);
    b.insert("reports/lint.txt".into(), format!("# Verilator {}, Yosys {}\n{lint}", v.version, y.version).into_bytes());
    for f in sorted_files(&root.join("fpga/reports"))?.into_iter().filter(|f| f.extension().is_some_and(|e| e == "md")) {
        b.insert(format!("reports/synth/{}", file_name(&f)), read(&f)?);
    }
    b.insert("README.md".into(), readme(&tops).into_bytes());
    let manifest: String = b.iter().map(|(p, bytes)| format!("{}  {p}\n", sha256_hex(bytes))).collect();
    b.insert("MANIFEST.sha256".into(), manifest.into_bytes());

    // Write: a fresh folder, so nothing from an earlier bundle stays.
    if out.exists() {
        if !out.join("MANIFEST.sha256").is_file() {
            return Err(format!("{} exists and is not a hand-off bundle; not overwriting it", out.display()));
        }
        std::fs::remove_dir_all(out).map_err(|e| format!("cannot clear {}: {e}", out.display()))?;
    }
    for (p, bytes) in &b {
        let path = out.join(p);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    println!("wrote {} files to {} (MANIFEST.sha256 lists them)", b.len(), out.display());
    Ok(())
}

fn sorted_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Timing constraints of one top: its clock, the asynchronous reset, and an I/O budget on every
/// other port.
fn sdc(top: &str, ports: &[pluton_toolchain::ports::Port]) -> String {
    use pluton_toolchain::ports::Dir;
    let io = PERIOD_NS * IO_SHARE;
    let mut s = format!(
        "# {top}: timing constraints for synthesis and STA. Generated by `pluton handoff`.\n\
         # One clock domain: every flop is on the rising edge of `clock`.\n\
         create_clock -name clk -period {PERIOD_NS:.3} [get_ports clock]\n\n\
         # rst_n resets every flop asynchronously; synchronise its release to `clock` outside the block.\n\
         set_false_path -from [get_ports rst_n]\n\n\
         # Every other port is synchronous to `clock`: {:.0}% of the period is left to the logic outside.\n",
        IO_SHARE * 100.0
    );
    let names = |dir: Dir| -> Vec<&str> { ports.iter().filter(|p| p.dir == dir && p.name != "clock" && p.name != "rst_n").map(|p| p.name.as_str()).collect() };
    for (dir, cmd) in [(Dir::In, "set_input_delay"), (Dir::Out, "set_output_delay")] {
        let list = names(dir);
        if !list.is_empty() {
            let _ = writeln!(s, "{cmd} -clock clk {io:.3} [get_ports {{{}}}]", list.join(" "));
        }
    }
    s
}

/// A self-contained HTML page of one Markdown document.
fn html(title: &str, md: &str) -> String {
    let mut body = String::new();
    let opts = pulldown_cmark::Options::ENABLE_TABLES;
    pulldown_cmark::html::push_html(&mut body, pulldown_cmark::Parser::new_ext(md, opts));
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #bbb;padding:3px 8px}}code{{font-size:90%}}</style></head>\n<body>\n{body}</body></html>\n"
    )
}

/// The VLNV of a top's FuseSoC core.
pub fn core_name(top: &str) -> String {
    format!("pluton:ip:{top}:{}", env!("CARGO_PKG_VERSION"))
}

/// A FuseSoC CAPI2 core for `top`, beside its RTL: `files` are the design's files relative to
/// `rtl/`, hard-macro models first (as the filelist has them).
fn fusesoc_core(top: &str, files: &[String]) -> String {
    let (models, own): (Vec<&String>, Vec<&String>) = files.iter().partition(|f| f.starts_with("models/"));
    let list = |fs: &[&String]| fs.iter().map(|f| format!("      - {f}\n")).collect::<String>();
    let mut s = format!("CAPI=2:\n# Generated by `pluton handoff`; do not edit.\nname: {}\ndescription: Pluton {top}, RTL generated from RustHDL\n\nfilesets:\n", core_name(top));
    let mut sets = Vec::new();
    if !models.is_empty() {
        let _ = write!(s, "  # Behavioural models of hard macros: replace with your macro.\n  macro_models:\n    files:\n{}    file_type: verilogSource\n", list(&models));
        sets.push("macro_models");
    }
    let _ = write!(s, "  rtl:\n    files:\n{}    file_type: verilogSource\n", list(&own));
    sets.push("rtl");
    let _ = write!(s, "  constraints:\n    files:\n      - ../constraints/{top}.sdc\n    file_type: SDC\n\n");
    let design = sets.join(", ");
    let _ = write!(
        s,
        "targets:\n  default:\n    filesets: [{design}, constraints]\n    toplevel: {top}\n  lint:\n    default_tool: verilator\n    filesets: [{design}]\n    toplevel: {top}\n    tools:\n      verilator:\n        mode: lint-only\n        verilator_options: [-Wall]\n"
    );
    s
}

fn readme(tops: &[String]) -> String {
    let mut s = String::from(
        "# Pluton subsystem: hand-off bundle\n\nGenerated by `pluton handoff` from the project's committed sources; two runs give \
         the same bytes. `MANIFEST.sha256` holds the SHA-256 of every other file (`sha256sum -c MANIFEST.sha256`). \
         Start with `INTEGRATION.md`: what the chip around the subsystem must provide, and must never do.\n\n\
         | folder | what |\n|---|---|\n\
         | `rtl/` | Verilog-2005 per top, each file complete alone (a module shared by two tops is guarded by `` `ifndef``); the `.ports` lists |\n\
         | `rtl/models/` | behavioural models of hard macros (the fuse array): simulation and FPGA only, replace with your macro |\n\
         | `filelists/` | per top, the files to read in order |\n\
         | `rtl/*.core` | per top, a FuseSoC core (`fusesoc --cores-root . run --target lint pluton:ip:<top>` lints it with Verilator) |\n\
         | `constraints/` | per top, SDC: the clock, the asynchronous reset, an I/O budget |\n\
         | `regs/` | per block, the register map as a C header, a Markdown table and SystemRDL 2.0; per top, an IP-XACT (IEEE 1685-2014) component with its ports, APB4 bus interface and registers |\n\
         | `docs/` | per block, its contract (ports, registers, timing, what is never readable) and register table, as HTML |\n\
         | `reports/` | lint (Verilator `-Wall`, Yosys `check -assert`, run when the bundle was made) and synthesis reports |\n\n\
         Reset is asynchronous and active low (`rst_n`) on every flop; there is one clock (`clock`, rising edge).\n\n## Tops\n\n",
    );
    for t in tops {
        let _ = writeln!(s, "- `{t}`: `filelists/{t}.f`, `constraints/{t}.sdc`");
    }
    s
}
