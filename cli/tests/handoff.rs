//! `pluton handoff`: two runs write the same bytes, the MANIFEST holds, and the pieces match the RTL.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn handoff(out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pluton")).args(["handoff", "-o"]).arg(out).output().unwrap()
}

#[test]
fn two_runs_give_the_same_bytes_and_the_manifest_holds() {
    let tmp = pluton_toolchain::project_root().join("build").join("tmp").join(format!("handoff_{}", std::process::id()));
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    for dir in [&a, &b] {
        let out = handoff(dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (p, bytes) in &fa {
        assert!(fb[p] == *bytes, "{} differs between two runs", p.display());
    }

    // Every file but the MANIFEST is listed with its SHA-256.
    let manifest = String::from_utf8(fa[Path::new("MANIFEST.sha256")].clone()).unwrap();
    let listed: BTreeMap<&str, &str> = manifest.lines().map(|l| { let (h, p) = l.split_once("  ").unwrap(); (p, h) }).collect();
    assert_eq!(listed.len() + 1, fa.len(), "MANIFEST lists every other file");
    for (p, bytes) in &fa {
        if p == Path::new("MANIFEST.sha256") {
            continue;
        }
        let hex: String = ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(listed[p.to_str().unwrap()], hex, "{}", p.display());
    }

    // The RTL is the committed RTL; a top reads the fuse macro's model first.
    let rtl = pluton_toolchain::project_root().join("rtl");
    assert!(fa[Path::new("rtl/pluton_sha256.v")] == std::fs::read(rtl.join("pluton_sha256.v")).unwrap());
    let f = String::from_utf8(fa[Path::new("filelists/pluton_security.f")].clone()).unwrap();
    assert_eq!(f, "rtl/models/pluton_fuse_array.v\nrtl/pluton_security.v\n");
    // The SDC constrains every synchronous input of the top, as its port list has them.
    let ports = std::fs::read_to_string(rtl.join("pluton_sha256.ports")).unwrap();
    let inputs: Vec<&str> = ports.lines().filter_map(|l| l.strip_prefix("in ")).map(|l| l.split_whitespace().nth(1).unwrap()).filter(|n| *n != "clock" && *n != "rst_n").collect();
    let sdc = String::from_utf8(fa[Path::new("constraints/pluton_sha256.sdc")].clone()).unwrap();
    assert!(sdc.contains(&format!("set_input_delay -clock clk 8.000 [get_ports {{{}}}]", inputs.join(" "))), "{sdc}");
    assert!(sdc.contains("create_clock -name clk -period 20.000 [get_ports clock]") && sdc.contains("set_false_path -from [get_ports rst_n]"));
    assert!(String::from_utf8_lossy(&fa[Path::new("reports/lint.txt")]).ends_with("lint clean\n"));
    for p in ["regs/pluton_sha256_regs.rdl", "regs/pluton_sha256_regs.h", "docs/sha256.html", "docs/pluton_sha256_regs.html"] {
        assert!(fa.contains_key(Path::new(p)), "no {p}");
    }

    // A folder that is not a bundle is left alone.
    let other = tmp.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let out = handoff(&other);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("is not a hand-off bundle"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(other.join("keep.txt")).unwrap(), "mine");
    let _ = std::fs::remove_dir_all(&tmp);
}
