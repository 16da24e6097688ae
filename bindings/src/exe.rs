//! Builds executables around a Verilated model at run time: benchmark loops and traced replays.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One executable: a generated `main`, the model's C++ and Verilator's runtime.
pub(crate) struct CxxExe<'a> {
    /// Source of `main`, written next to `exe` as `<exe>.cpp`.
    pub main: &'a str,
    pub exe: &'a Path,
    /// Folders with headers: the model's `-Mdir` (Verilator's own are added).
    pub include: &'a [&'a Path],
    /// The model's generated files and the runtime files, compiled with `flags`.
    pub sources: &'a [PathBuf],
    pub flags: &'a [&'a str],
    /// `-D` switches (`-DVM_TRACE=1`, ...).
    pub defines: &'a [String],
    /// Extra link arguments (`-lz` for FST).
    pub libs: &'a [&'a str],
}

/// The C++ compiler: `$CXX`, else `c++`.
fn compiler() -> String {
    std::env::var("CXX").unwrap_or_else(|_| "c++".into())
}

impl CxxExe<'_> {
    /// Compile every file to its own object, as many at once as there are cores, then link.
    /// Returns the executable.
    pub fn build(&self) -> Result<PathBuf, String> {
        let objs = self.exe.with_extension("objs");
        std::fs::create_dir_all(&objs).map_err(|e| format!("creating {}: {e}", objs.display()))?;
        let main_path = self.exe.with_extension("cpp");
        std::fs::write(&main_path, self.main).map_err(|e| format!("writing {}: {e}", main_path.display()))?;

        let inc = Path::new(crate::verilated::VERILATOR_ROOT).join("include");
        let mut common: Vec<String> = vec!["-std=c++17".into()];
        common.extend(self.flags.iter().map(|f| f.to_string()));
        common.push(format!("-I{}", inc.display()));
        common.push(format!("-I{}", inc.join("vltstd").display()));
        common.extend(self.include.iter().map(|d| format!("-I{}", d.display())));
        common.extend(self.defines.iter().cloned());

        let sources: Vec<PathBuf> = std::iter::once(main_path.clone()).chain(self.sources.iter().cloned()).collect();
        let jobs: Vec<(PathBuf, PathBuf)> = sources
            .iter()
            .enumerate()
            .map(|(i, src)| {
                let stem = src.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                (src.clone(), objs.join(format!("{i:03}_{stem}.o")))
            })
            .collect();
        let compiled = crate::par::parallel_map(&jobs, |(src, obj)| {
            match Command::new(compiler()).args(&common).arg("-c").arg(src).arg("-o").arg(obj).output() {
                Ok(o) if o.status.success() => Ok(()),
                Ok(o) => Err(format!("compiling {} failed:\n{}", src.display(), String::from_utf8_lossy(&o.stderr))),
                Err(e) => Err(format!("cannot run {}: {e}", compiler())),
            }
        });
        compiled.into_iter().collect::<Result<Vec<()>, String>>()?;
        let out = Command::new(compiler())
            .arg("-o")
            .arg(self.exe)
            .args(jobs.iter().map(|(_, o)| o))
            .arg("-pthread")
            .args(self.libs)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", compiler()))?;
        if !out.status.success() {
            return Err(format!("linking {} failed:\n{}", self.exe.display(), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(self.exe.to_path_buf())
    }
}

/// Verilate `module` from `verilog` into a fresh `mdir` with `flags`; returns Verilator's lists
/// of the files to compile, as paths (generated files in `mdir`, runtime files from its root).
pub(crate) fn verilate(module: &str, prefix: &str, verilog: &[PathBuf], mdir: &Path, flags: &[&str]) -> Result<Vec<PathBuf>, String> {
    let _ = std::fs::remove_dir_all(mdir);
    let verilator = pluton_toolchain::verilator()?;
    let out = verilator
        .command()
        .arg("--cc")
        .args(verilog)
        .args(["--top-module", module, "--prefix", prefix, "-Wno-fatal", "-Mdir"])
        .arg(mdir)
        .args(flags)
        .output()
        .map_err(|e| format!("cannot run Verilator: {e}"))?;
    if !out.status.success() {
        return Err(format!("Verilator failed on {module}:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    let mk = mdir.join(format!("{prefix}_classes.mk"));
    let text = std::fs::read_to_string(&mk).map_err(|e| format!("{}: {e}", mk.display()))?;
    let lists = pluton_toolchain::model_build::class_lists(&text);
    let include = Path::new(crate::verilated::VERILATOR_ROOT).join("include");
    Ok(lists
        .fast
        .iter()
        .chain(&lists.slow)
        .map(|n| mdir.join(format!("{n}.cpp")))
        .chain(lists.globals.iter().map(|g| include.join(format!("{g}.cpp"))))
        .collect())
}
