//! Verilates every `rtl/<top>.ports` + `rtl/<top>.v` pair and links the C++ models into this crate.
//!
//! For each top we run Verilator (`--cc`), generate a tiny `extern "C"` shim from the ports file,
//! compile everything with the `cc` crate into one static library, and write a Rust registry
//! (`$OUT_DIR/verilated_tops.rs`) that `src/verilated.rs` includes. Nothing here is per-block:
//! dropping a new `.ports` + `.v` pair into `rtl/` is all it takes to get a new model.
//!
//! `PLUTON_RTL_DIR` overrides the `rtl/` folder (handy for probe designs during development).

// The same parser the runtime uses, so build time and run time agree on the port list.
#[allow(dead_code)]

use pluton_toolchain::ports::{parse_ports, Dir, Port};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// One generated top: `rtl/<stem>.v`, top module `<stem>`, ports from `rtl/<stem>.ports`.
struct Top {
    /// Model name: the module name, or `<module>_fi` for a state-access build.
    stem: String,
    /// The Verilog top module.
    module: String,
    /// Built with every state element public (`STATE_ACCESS_VLT`), for fault injection.
    state_access: bool,
    verilog: PathBuf,
    ports: Vec<Port>,
    /// Verilator's output folder (`$OUT_DIR/<stem>`).
    mdir: PathBuf,
    /// Hot-path C++ (eval and friends): compiled with optimization.
    fast_cpp: Vec<PathBuf>,
    /// Construction / initial-settle C++: runs once, so compiled cheaply.
    slow_cpp: Vec<PathBuf>,
}

fn main() {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let error = match run() {
        Ok(()) => None,
        Err(e) => {
            // Build without models rather than fail: `pluton gen` (in this same workspace) must
            // stay runnable to repair a broken rtl/. Every co-simulation then fails with `e`.
            println!("cargo:warning=pluton-bindings: no Verilated models: {}", e.lines().next().unwrap_or(""));
            write_registry(&out_dir, &[], &[], Path::new("")).expect("writing an empty registry");
            Some(e)
        }
    };
    fs::write(out_dir.join("build_error.rs"), format!("pub const BUILD_ERROR: Option<&str> = {error:?};\n"))
        .expect("writing build_error.rs");
}

fn run() -> Result<(), String> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let root = pluton_toolchain::project_root();
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PLUTON_RTL_DIR");

    let rtl_dir = match std::env::var_os("PLUTON_RTL_DIR") {
        Some(d) => PathBuf::from(d),
        None => root.join("rtl"),
    };
    // Watching the folder catches added/removed tops; the files themselves are watched below.
    println!("cargo:rerun-if-changed={}", rtl_dir.display());
    println!("cargo:rerun-if-changed={}", rtl_dir.join("models").display());

    let mut tops = find_tops(&rtl_dir, &out_dir)?;
    if tops.is_empty() {
        // No RTL yet: the crate still builds, with an empty registry.
        return write_registry(&out_dir, &tops, &[], Path::new(""));
    }

    let verilator = pluton_toolchain::verilator()
        .map_err(|e| format!("Verilator is needed to build the RTL models in {}: {e}", rtl_dir.display()))?;
    let vroot = pluton_toolchain::verilator_root(&verilator)
        .map_err(|e| format!("cannot locate Verilator's include folder: {e}"))?;
    let include = vroot.join("include");

    // Runtime files every executable needs once (verilated.cpp, and verilated_threads.cpp on 5.x).
    let mut globals = BTreeSet::new();
    for top in &mut tops {
        verilate(&verilator, top)?;
        globals.extend(read_class_lists(top)?);
        let shim = top.mdir.join(format!("{}_shim.cpp", top.stem));
        let mut text = shim_cpp(&top.stem, &top.ports, top.state_access);
        if top.state_access {
            text += &state_shim_cpp(&top.stem);
        }
        fs::write(&shim, text).map_err(|e| e.to_string())?;
        top.fast_cpp.push(shim);
    }
    let runtime_cpp: Vec<PathBuf> = globals.iter().map(|g| include.join(format!("{g}.cpp"))).collect();

    // Two optimization levels, one archive: the hot path gets -O2, run-once code gets -O0.
    let mut objects = Vec::new();
    let fast: Vec<&PathBuf> = tops.iter().flat_map(|t| &t.fast_cpp).collect();
    let slow: Vec<&PathBuf> = tops.iter().flat_map(|t| &t.slow_cpp).collect();
    objects.extend(runtime_objects(&include, &out_dir.join("obj_runtime"), &runtime_cpp)?);
    objects.extend(cxx(&include, &tops, &out_dir.join("obj_fast"), 2).files(fast).compile_intermediates());
    objects.extend(cxx(&include, &tops, &out_dir.join("obj_slow"), 0).files(slow).compile_intermediates());
    cxx(&include, &tops, &out_dir.join("obj_lib"), 0).objects(objects).compile("pluton_verilated");
    // verilated_threads.cpp uses std::thread.
    println!("cargo:rustc-link-lib=pthread");

    write_registry(&out_dir, &tops, &runtime_cpp, &vroot)
}

/// Every `<stem>.ports` in `rtl_dir`, sorted by name, with its Verilog next to it.
fn find_tops(rtl_dir: &Path, out_dir: &Path) -> Result<Vec<Top>, String> {
    let Ok(entries) = fs::read_dir(rtl_dir) else { return Ok(Vec::new()) };
    let mut ports_files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ports"))
        .collect();
    ports_files.sort();

    let mut tops = Vec::new();
    for pf in ports_files {
        let stem = pf.file_stem().unwrap().to_string_lossy().into_owned();
        let verilog = pf.with_extension("v");
        println!("cargo:rerun-if-changed={}", pf.display());
        if !is_c_ident(&stem) {
            return Err(format!("{}: the top name `{stem}` must be a plain identifier", pf.display()));
        }
        if !verilog.exists() {
            return Err(format!("{} has no matching Verilog file {}", pf.display(), verilog.display()));
        }
        let text = fs::read_to_string(&pf).map_err(|e| format!("{}: {e}", pf.display()))?;
        let ports = parse_ports(&text).map_err(|e| format!("{}: {e}", pf.display()))?;
        for p in &ports {
            // Verilator mangles other names (e.g. C++ keywords); we rely on the plain member name.
            if !is_c_ident(&p.name) || CPP_KEYWORDS.contains(&p.name.as_str()) {
                return Err(format!("{}: port name `{}` is not usable as a C++ member", pf.display(), p.name));
            }
        }
        let mdir = out_dir.join(&stem);
        if FAULT_TOPS.contains(&stem.as_str()) {
            let fi = format!("{stem}_fi");
            tops.push(Top {
                stem: fi.clone(),
                module: stem.clone(),
                state_access: true,
                verilog: verilog.clone(),
                ports: ports.clone(),
                mdir: out_dir.join(fi),
                fast_cpp: Vec::new(),
                slow_cpp: Vec::new(),
            });
        }
        tops.push(Top { module: stem.clone(), stem, state_access: false, verilog, ports, mdir, fast_cpp: Vec::new(), slow_cpp: Vec::new() });
    }
    Ok(tops)
}

/// Tops that get a second model, `<top>_fi`, whose state elements a test can read and write by
/// name (the fault campaign flips them). Separate, because public state slows every model down.
const FAULT_TOPS: &[&str] = &["pluton_security", "pluton_p256", "pluton_trng", "pluton_drbg", "pluton_aes", "pluton_aes_masked"];

/// Verilator configuration for a state-access build: every flop of the project's primitives is
/// public, so `VerilatedScope` lists it. RAM arrays are listed too (to compare whole states), but
/// they are memories, not flops. The names follow `rust-hdl-src/src/common/prims.rs`. Two nets
/// are listed to be read only: the firewall's downstream selects and masters, which a fault
/// campaign watches for unauthorized selects inside the subsystem.
const STATE_ACCESS_VLT: &str = "`verilator_config
public_flat_rw -module \"pluton_rdff*\" -var \"q\"
public_flat_rw -module \"pluton_apbsetupcheck\" -var \"*_q\"
public_flat_rw -module \"pluton_apbguard*\" -var \"*_q\"
public_flat_rw -module \"pluton_errlog\" -var \"info\"
public_flat_rw -module \"pluton_ram16x32\" -var \"rdata\"
public_flat_rw -module \"pluton_ram16x32\" -var \"mem\"
public_flat_rw -module \"pluton_fuse_array\" -var \"rdata\"
public_flat_rw -module \"pluton_fuse_array\" -var \"mem\"
public_flat_rd -module \"pluton_firewall\" -var \"m_psel\"
public_flat_rd -module \"pluton_firewall\" -var \"m_pmaster\"
";

fn is_c_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next().is_some_and(|f| f.is_ascii_alphabetic() || f == '_') && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

const CPP_KEYWORDS: &[&str] = &[
    "auto", "bool", "break", "case", "char", "class", "const", "continue", "default", "delete", "do", "double",
    "else", "enum", "explicit", "extern", "float", "for", "friend", "goto", "if", "inline", "int", "long",
    "namespace", "new", "operator", "private", "protected", "public", "register", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "template", "this", "throw", "try", "typedef", "union",
    "unsigned", "virtual", "void", "volatile", "while",
];

/// Run Verilator for one top into a fresh `-Mdir` (so stale files never get compiled).
fn verilate(verilator: &pluton_toolchain::Tool, top: &Top) -> Result<(), String> {
    let _ = fs::remove_dir_all(&top.mdir);
    let mut cmd = verilator.command();
    // Hard-macro models (`rtl/models/<module>.v`, e.g. the fuse array) go first, so the top's
    // stand-ins step aside; the top's file holds every other module.
    cmd.arg("--cc").args(pluton_toolchain::lint::design(&top.verilog)?);
    if top.state_access {
        fs::create_dir_all(&top.mdir).map_err(|e| e.to_string())?;
        let vlt = top.mdir.join("state_access.vlt");
        fs::write(&vlt, STATE_ACCESS_VLT).map_err(|e| e.to_string())?;
        cmd.arg(vlt);
    }
    cmd.args(["--top-module", &top.module])
        .arg("-Mdir")
        .arg(&top.mdir)
        .args(["--prefix", &format!("V{}", top.stem)])
        .args(pluton_toolchain::model_build::COSIM_VERILATOR_FLAGS)
        // Lint warnings on generated RTL should not stop the build; they are kept in verilator.log.
        .arg("-Wno-fatal");
    let out = cmd.output().map_err(|e| format!("cannot run Verilator ({:?}): {e}", cmd.get_program()))?;
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let _ = fs::create_dir_all(&top.mdir);
    let _ = fs::write(top.mdir.join("verilator.log"), &log);
    if !out.status.success() {
        return Err(format!("Verilator failed on {} ({}):\n{log}", top.verilog.display(), out.status));
    }
    Ok(())
}

/// Take Verilator's file lists for `top` (see `pluton_toolchain::model_build::class_lists`);
/// returns the runtime files (`VM_GLOBAL_*`) the model needs.
fn read_class_lists(top: &mut Top) -> Result<Vec<String>, String> {
    let mk = top.mdir.join(format!("V{}_classes.mk", top.stem));
    let text = fs::read_to_string(&mk).map_err(|e| format!("{}: {e}", mk.display()))?;
    let lists = pluton_toolchain::model_build::class_lists(&text);
    let cpp = |names: &[String]| names.iter().map(|n| top.mdir.join(format!("{n}.cpp"))).collect::<Vec<_>>();
    top.fast_cpp.extend(cpp(&lists.fast));
    top.slow_cpp.extend(cpp(&lists.slow));
    if top.fast_cpp.is_empty() {
        return Err(format!("{}: no generated classes listed", mk.display()));
    }
    Ok(lists.globals)
}

/// Verilator's runtime objects, compiled once and reused while Verilator and the file list stay
/// the same (it is the slowest part of the build and does not depend on the RTL).
fn runtime_objects(include: &Path, dir: &Path, runtime_cpp: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let stamp = dir.join("stamp");
    let mut key = format!("{CXX_DEFINES:?}\n");
    for f in runtime_cpp {
        let modified = fs::metadata(f).and_then(|m| m.modified()).map_err(|e| format!("{}: {e}", f.display()))?;
        key += &format!("{} {modified:?}\n", f.display());
    }
    if let Ok(text) = fs::read_to_string(&stamp) {
        if let Some(objs) = text.strip_prefix(&key) {
            let objs: Vec<PathBuf> = objs.lines().map(PathBuf::from).collect();
            if objs.iter().all(|o| o.exists()) {
                return Ok(objs);
            }
        }
    }
    let objs = cxx(include, &[], dir, 2).files(runtime_cpp).compile_intermediates();
    let list: String = objs.iter().map(|o| format!("{}\n", o.display())).collect();
    fs::write(&stamp, key + &list).map_err(|e| e.to_string())?;
    Ok(objs)
}

/// A quiet C++17 compile with Verilator's include folders and the model's feature switches.
fn cxx(include: &Path, tops: &[Top], obj_dir: &Path, opt: u32) -> cc::Build {
    let _ = fs::create_dir_all(obj_dir);
    let mut b = cc::Build::new();
    b.cpp(true)
        .std("c++17")
        .opt_level(opt)
        .debug(false)
        .warnings(false)
        .cargo_warnings(false)
        .out_dir(obj_dir)
        .include(include)
        .include(include.join("vltstd"));
    for t in tops {
        b.include(&t.mdir);
    }
    for (k, v) in CXX_DEFINES {
        b.define(k, Some(*v));
    }
    b
}

/// Feature switches matching `--cc` without tracing, coverage, SystemC or timing.
const CXX_DEFINES: &[(&str, &str)] = &[
    ("VERILATOR", "1"),
    ("VM_COVERAGE", "0"),
    ("VM_SC", "0"),
    ("VM_TIMING", "0"),
    ("VM_TRACE", "0"),
    ("VM_TRACE_FST", "0"),
    ("VM_TRACE_VCD", "0"),
    ("VM_TRACE_SAIF", "0"),
];

/// The Verilator C++ type family for a port width: CData/SData/IData, QData, or VlWide<N>.
enum CType {
    Narrow, // up to 32 bits: one word
    Quad,   // 33..=64 bits
    Wide,   // above 64 bits: VlWide<words>
}

fn ctype(width: u32) -> CType {
    match width {
        0..=32 => CType::Narrow,
        33..=64 => CType::Quad,
        _ => CType::Wide,
    }
}

/// Mask for the top word of a port (Verilator expects unused high bits to be zero).
fn top_word_mask(width: u32) -> String {
    match width % 32 {
        0 => "0xffffffffu".into(),
        r => format!("0x{:x}u", (1u64 << r) - 1),
    }
}

/// Generate the C ABI for one top: new/free/eval/step and poke/peek switched on port index.
fn shim_cpp(stem: &str, ports: &[Port], state_access: bool) -> String {
    let mut s = String::new();
    let v = format!("V{stem}");
    let _ = writeln!(s, "// Generated by pluton-bindings/build.rs from {stem}.ports. Do not edit.");
    let _ = writeln!(s, "#include <cstdint>\n#include \"verilated.h\"\n#include \"{v}.h\"\n");
    // A state-access model keeps its table of public variables (see `state_shim_cpp`).
    let vars = if state_access {
        let _ = writeln!(
            s,
            "#include <string>\n#include <vector>\nnamespace {{\nstruct StateVar {{ std::string name; void* data; uint32_t bits; uint32_t bytes; uint32_t elements; }};\n}}\n"
        );
        "\n    std::vector<StateVar> vars;"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "namespace {{\n\
         // Each model owns its context, so models can live in parallel threads and come and go.\n\
         // The context's random-reset mode and seed must be set before the top is built.\n\
         inline VerilatedContext* setup(VerilatedContext& c, int rand_reset, int seed) {{\n    \
         c.randReset(rand_reset);\n    if (seed > 0) c.randSeed(seed);\n    return &c;\n}}\n\
         struct Model {{\n    VerilatedContext context;\n    {v} top;{vars}\n    \
         Model(int rand_reset, int seed) : context{{}}, top{{setup(context, rand_reset, seed), \"TOP\"}} {{}}\n}};\n\
         inline {v}& top(void* p) {{ return static_cast<Model*>(p)->top; }}\n}}  // namespace\n"
    );
    let _ = writeln!(s, "extern \"C\" {{");
    let _ = writeln!(s, "void* pluton_vl_{stem}_new(int32_t rand_reset, int32_t seed) {{ return new Model(rand_reset, seed); }}");
    let _ = writeln!(
        s,
        "void pluton_vl_{stem}_free(void* p) {{ static_cast<Model*>(p)->top.final(); delete static_cast<Model*>(p); }}"
    );
    let _ = writeln!(s, "void pluton_vl_{stem}_eval(void* p) {{ top(p).eval(); }}");
    let has_clock = ports.iter().any(|p| p.name == "clock" && p.dir == Dir::In && p.width == 1);
    if has_clock {
        let _ = writeln!(
            s,
            "void pluton_vl_{stem}_step(void* p) {{ {v}& t = top(p); t.clock = 1; t.eval(); t.clock = 0; }}"
        );
    } else {
        let _ = writeln!(s, "void pluton_vl_{stem}_step(void* p) {{ top(p).eval(); }}");
    }

    let _ = writeln!(s, "\nvoid pluton_vl_{stem}_poke(void* p, uint32_t port, const uint32_t* w) {{");
    let _ = writeln!(s, "    {v}& t = top(p);\n    switch (port) {{");
    for (i, p) in ports.iter().enumerate().filter(|(_, p)| p.dir == Dir::In) {
        let (n, m, words) = (&p.name, top_word_mask(p.width), p.words());
        let body = match ctype(p.width) {
            CType::Narrow => format!("t.{n} = w[0] & {m};"),
            CType::Quad => format!("t.{n} = (QData(w[1] & {m}) << 32) | QData(w[0]);"),
            CType::Wide => format!(
                "for (int i = 0; i < {words}; ++i) t.{n}.m_storage[i] = w[i]; t.{n}.m_storage[{}] &= {m};",
                words - 1
            ),
        };
        let _ = writeln!(s, "    case {i}: {body} break;  // in {} {n}", p.width);
    }
    let _ = writeln!(s, "    default: break;\n    }}\n}}");

    let _ = writeln!(s, "\nvoid pluton_vl_{stem}_peek(void* p, uint32_t port, uint32_t* w) {{");
    let _ = writeln!(s, "    {v}& t = top(p);\n    switch (port) {{");
    for (i, p) in ports.iter().enumerate() {
        let (n, words) = (&p.name, p.words());
        let body = match ctype(p.width) {
            CType::Narrow => format!("w[0] = t.{n};"),
            CType::Quad => format!("w[0] = uint32_t(t.{n}); w[1] = uint32_t(t.{n} >> 32);"),
            CType::Wide => format!("for (int i = 0; i < {words}; ++i) w[i] = t.{n}.m_storage[i];"),
        };
        let dir = if p.dir == Dir::In { "in" } else { "out" };
        let _ = writeln!(s, "    case {i}: {body} break;  // {dir} {} {n}", p.width);
    }
    let _ = writeln!(s, "    default: break;\n    }}\n}}\n}}  // extern \"C\"");
    s
}

/// The state-access C ABI of a `_fi` model: its public variables (flops and RAM arrays, found
/// through Verilator's scope table, sorted by name), each read and written as raw little-endian
/// words.
fn state_shim_cpp(stem: &str) -> String {
    format!(
        r#"
#include <algorithm>
#include <cstring>
#include "verilated_syms.h"
namespace {{
std::vector<StateVar>& state_vars(void* p) {{
    Model* m = static_cast<Model*>(p);
    if (!m->vars.empty()) return m->vars;
    for (const auto& sc : *m->context.scopeNameMap()) {{
        const VerilatedVarNameMap* vars = sc.second->varsp();
        if (!vars) continue;
        for (const auto& v : *vars) {{
            uint32_t elements = 1;
            for (int d = 1; d <= v.second.udims(); ++d) elements *= v.second.elements(d);
            m->vars.push_back({{std::string(sc.first) + "." + v.first, v.second.datap(),
                uint32_t(v.second.entBits()), uint32_t(v.second.entSize() * elements), elements}});
        }}
    }}
    std::sort(m->vars.begin(), m->vars.end(), [](const StateVar& a, const StateVar& b) {{ return a.name < b.name; }});
    return m->vars;
}}
}}  // namespace
extern "C" {{
uint32_t pluton_vl_{stem}_state_count(void* p) {{ return uint32_t(state_vars(p).size()); }}
const char* pluton_vl_{stem}_state_name(void* p, uint32_t i) {{ return state_vars(p)[i].name.c_str(); }}
// bits per element, elements, size in bytes.
void pluton_vl_{stem}_state_shape(void* p, uint32_t i, uint32_t* out) {{
    const StateVar& v = state_vars(p)[i]; out[0] = v.bits; out[1] = v.elements; out[2] = v.bytes;
}}
void pluton_vl_{stem}_state_read(void* p, uint32_t i, uint32_t* w) {{
    const StateVar& v = state_vars(p)[i]; std::memset(w, 0, (v.bytes + 3) / 4 * 4); std::memcpy(w, v.data, v.bytes);
}}
void pluton_vl_{stem}_state_write(void* p, uint32_t i, const uint32_t* w) {{
    const StateVar& v = state_vars(p)[i]; std::memcpy(v.data, w, v.bytes);
}}
}}  // extern "C"
"#
    )
}

/// Write `$OUT_DIR/verilated_tops.rs`: FFI declarations plus a static table of tops.
fn write_registry(out_dir: &Path, tops: &[Top], runtime_cpp: &[PathBuf], vroot: &Path) -> Result<(), String> {
    let mut s = String::new();
    let _ = writeln!(s, "// Generated by pluton-bindings/build.rs. Do not edit.\n");
    for t in tops {
        let st = &t.stem;
        let _ = writeln!(
            s,
            "extern \"C\" {{\n    fn pluton_vl_{st}_new(rand_reset: i32, seed: i32) -> *mut c_void;\n    fn pluton_vl_{st}_free(m: *mut c_void);\n    \
             fn pluton_vl_{st}_eval(m: *mut c_void);\n    fn pluton_vl_{st}_step(m: *mut c_void);\n    \
             fn pluton_vl_{st}_poke(m: *mut c_void, port: u32, words: *const u32);\n    \
             fn pluton_vl_{st}_peek(m: *mut c_void, port: u32, words: *mut u32);\n}}\n"
        );
        if t.state_access {
            let _ = writeln!(
                s,
                "extern \"C\" {{\n    fn pluton_vl_{st}_state_count(m: *mut c_void) -> u32;\n    \
                 fn pluton_vl_{st}_state_name(m: *mut c_void, i: u32) -> *const std::ffi::c_char;\n    \
                 fn pluton_vl_{st}_state_shape(m: *mut c_void, i: u32, out: *mut u32);\n    \
                 fn pluton_vl_{st}_state_read(m: *mut c_void, i: u32, words: *mut u32);\n    \
                 fn pluton_vl_{st}_state_write(m: *mut c_void, i: u32, words: *const u32);\n}}\n"
            );
        }
    }
    let _ = writeln!(s, "pub(crate) static TOPS: &[TopModel] = &[");
    for t in tops {
        let st = &t.stem;
        let _ = writeln!(s, "    TopModel {{\n        name: {st:?},\n        ports: &[");
        for p in &t.ports {
            let dir = if p.dir == Dir::In { "In" } else { "Out" };
            let _ = writeln!(s, "            PortSpec {{ name: {:?}, dir: Dir::{dir}, width: {} }},", p.name, p.width);
        }
        let cpp: Vec<String> = t.fast_cpp.iter().chain(&t.slow_cpp).map(|p| p.display().to_string()).collect();
        let design: Vec<String> =
            pluton_toolchain::lint::design(&t.verilog)?.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(
            s,
            "        ],\n        model_dir: {:?},\n        verilog: &{design:?},\n        cpp_sources: &{cpp:?},\n        \
             new: pluton_vl_{st}_new,\n        free: pluton_vl_{st}_free,\n        eval: pluton_vl_{st}_eval,\n        \
             step: pluton_vl_{st}_step,\n        poke: pluton_vl_{st}_poke,\n        peek: pluton_vl_{st}_peek,\n        state: {},\n    }},",
            t.mdir.display().to_string(),
            if t.state_access {
                format!(
                    "Some(StateApi {{ count: pluton_vl_{st}_state_count, name: pluton_vl_{st}_state_name, \
                     shape: pluton_vl_{st}_state_shape, read: pluton_vl_{st}_state_read, write: pluton_vl_{st}_state_write }})"
                )
            } else {
                "None".into()
            }
        );
    }
    let _ = writeln!(s, "];\n");
    let rt: Vec<String> = runtime_cpp.iter().map(|p| p.display().to_string()).collect();
    let defs: Vec<String> = CXX_DEFINES.iter().map(|(k, v)| format!("-D{k}={v}")).collect();
    let _ = writeln!(s, "/// Verilator runtime sources linked into every model (for out-of-tree builds, e.g. benchmarks).");
    let _ = writeln!(s, "pub const RUNTIME_SOURCES: &[&str] = &{rt:?};");
    let _ = writeln!(s, "/// `$VERILATOR_ROOT` the models were built against (empty when there are none).");
    let _ = writeln!(s, "pub const VERILATOR_ROOT: &str = {:?};", vroot.display().to_string());
    let _ = writeln!(s, "/// Preprocessor switches the models were compiled with.");
    let _ = writeln!(s, "pub const CXX_DEFINES: &[&str] = &{defs:?};");
    fs::write(out_dir.join("verilated_tops.rs"), s).map_err(|e| e.to_string())
}
