//! Runs an image on QEMU's Cortex-M0 board (`qemu-system-arm -M microbit`) with semihosting, for comparison with the ISS and the RTL.
//!
//! QEMU loads a raw image given to `-kernel` at address 0 and starts from its vector table.
//! Semihosting output (SYS_WRITE0/SYS_WRITEC) goes to a file chardev that is read back; SYS_EXIT with
//! ADP_Stopped_ApplicationExit exits QEMU with status 0, any other reason with status 1.

use super::image::Image;
use pluton_toolchain::project_root;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a QEMU run gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QemuRun {
    Ran { output: String, success: bool },
    /// QEMU could not run here; the text says why and what to install.
    Skipped(String),
}

pub const QEMU: &str = "qemu-system-arm";

/// Why QEMU cannot run on this machine, if it cannot.
pub fn unavailable() -> Option<String> {
    match Command::new(QEMU).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(s) if s.success() => None,
        _ => Some(format!("{QEMU} not found on PATH (install the Debian package qemu-system-arm; CI's .ci/run does)")),
    }
}

/// Runs `image` until it exits or `timeout` passes (a timeout is a run that did not succeed).
pub fn run(image: &Image, timeout: Duration) -> QemuRun {
    if let Some(why) = unavailable() {
        return QemuRun::Skipped(why);
    }
    let dir = project_root().join("target/m0-programs");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("qemu-{}-{}.bin", image.name.replace(|c: char| !c.is_alphanumeric(), "_"), std::process::id()));
    if let Err(e) = std::fs::write(&file, &image.bytes) {
        return QemuRun::Ran { output: format!("cannot write {}: {e}", file.display()), success: false };
    }
    // Semihosting output goes to a file chardev: QEMU's default console is the terminal's stderr.
    let out_file = file.with_extension("out");
    let _ = std::fs::remove_file(&out_file);
    let child = Command::new(QEMU)
        .args(["-M", "microbit", "-display", "none", "-monitor", "none", "-serial", "none"])
        .args(["-semihosting-config", "enable=on,target=native,chardev=semi", "-chardev"])
        .arg(format!("file,id=semi,path={}", out_file.display()))
        .arg("-kernel")
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return QemuRun::Skipped(format!("cannot start {QEMU}: {e}")),
    };
    // Read stdout on a thread so a chatty program cannot fill the pipe and stall.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let out = std::fs::read(&out_file).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default() + &stdout;
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&out_file);
    match status {
        Some(s) => QemuRun::Ran { output: out, success: s.success() },
        None => QemuRun::Ran { output: format!("{out}\n[QEMU timed out after {timeout:?}]"), success: false },
    }
}
