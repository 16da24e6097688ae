//! Builds the soft core's test programs with the cross compiler (`zig cc` or `arm-none-eabi-gcc`), cached by content.
//!
//! A `.c` program is linked with `programs/crt0.S` (vector table, `.data`/`.bss` set-up, exit
//! through semihosting) and `programs/lib.c` (printing). A `.S` program brings its own vector
//! table (`.vectors` section) and links alone. Both use `programs/link.ld`: ROM at 0, 16 KB SRAM at
//! 0x20000000, as on QEMU's `microbit` board.

use super::image::Image;
use pluton_toolchain::{cross_compiler, project_root};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// The test programs that run everywhere (ISS, RTL and QEMU).
pub fn programs() -> Vec<&'static str> {
    vec!["alu", "branch", "c_sort_crc", "exceptions", "mem", "system"]
}

pub fn programs_dir() -> PathBuf {
    project_root().join("testbenches/m0/programs")
}

const CFLAGS: &[&str] = &["-Os", "-ffreestanding", "-nostdlib", "-fno-builtin", "-Wall", "-Werror", "-g0"];

/// Builds `programs/<name>.c` or `programs/<name>.S` into a flat image.
pub fn build(name: &str) -> Result<Image, String> {
    build_at(&programs_dir(), name)
}

/// Builds `<dir>/<name>.c` or `.S` (with this folder's crt0, lib and linker script); the
/// headers beside the sources and in `rtl/` count in the cache key, since programs include them.
pub fn build_at(src_dir: &std::path::Path, name: &str) -> Result<Image, String> {
    let dir = programs_dir();
    let (c, s) = (src_dir.join(format!("{name}.c")), src_dir.join(format!("{name}.S")));
    let mut sources = match (c.is_file(), s.is_file()) {
        (true, false) => vec![c, dir.join("crt0.S"), dir.join("lib.c")],
        (false, true) => vec![s],
        (true, true) => return Err(format!("program `{name}` has both a .c and a .S in {}", src_dir.display())),
        (false, false) => return Err(format!("no program `{name}`: neither {name}.c nor {name}.S in {}", src_dir.display())),
    };
    let script = dir.join("link.ld");
    sources.push(script.clone());
    let mut h = DefaultHasher::new();
    for src in &sources {
        std::fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?.hash(&mut h);
    }
    CFLAGS.hash(&mut h);
    // Headers count too: the programs' own (semihost.h, fault_handler.h) and the generated ones.
    let mut headers: Vec<PathBuf> = Vec::new();
    for folder in [dir.clone(), src_dir.to_path_buf(), project_root().join("rtl")] {
        let list = std::fs::read_dir(&folder).map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
        headers.extend(list.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "h")));
    }
    headers.sort();
    headers.dedup();
    for header in headers {
        std::fs::read(&header).map_err(|e| format!("cannot read {}: {e}", header.display()))?.hash(&mut h);
    }
    sources.pop();
    let out_dir = project_root().join("target/m0-programs");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let bin = out_dir.join(format!("{name}-{:016x}.bin", h.finish()));
    if let Ok(bytes) = std::fs::read(&bin) {
        let image = Image::new(name, bytes);
        image.check()?;
        return Ok(image);
    }
    let cc = cross_compiler()?;
    let elf = bin.with_extension("elf");
    let mut cmd = cc.cc.command();
    cmd.args(&cc.target_flags)
        .args(CFLAGS)
        .arg("-I")
        .arg(&dir)
        .arg("-T")
        .arg(&script)
        .arg("-Wl,-e,0")
        .arg("-o")
        .arg(&elf)
        .args(&sources);
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", cc.cc.name))?;
    if !out.status.success() {
        return Err(format!("{} failed on program `{name}`:\n{}{}", cc.cc.name, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
    }
    let tmp = bin.with_extension("tmp");
    let out = cc.objcopy.command().args(["-O", "binary"]).arg(&elf).arg(&tmp).output().map_err(|e| format!("cannot run {}: {e}", cc.objcopy.name))?;
    if !out.status.success() {
        return Err(format!("{} failed on `{name}`: {}", cc.objcopy.name, String::from_utf8_lossy(&out.stderr)));
    }
    std::fs::rename(&tmp, &bin).map_err(|e| format!("cannot write {}: {e}", bin.display()))?;
    let image = Image::new(name, std::fs::read(&bin).map_err(|e| format!("cannot read {}: {e}", bin.display()))?);
    image.check()?;
    Ok(image)
}
