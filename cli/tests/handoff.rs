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
    for p in ["INTEGRATION.md", "docs/integration.html", "regs/pluton_sha256_regs.rdl", "regs/pluton_sha256.xml", "regs/pluton_sha256_regs.h", "docs/sha256.html", "docs/pluton_sha256_regs.html"] {
        assert!(fa.contains_key(Path::new(p)), "no {p}");
    }

    // FuseSoC finds a core per top, and its lint target (Verilator -Wall through FuseSoC's own
    // flow) passes on the subsystem, whose core reads the fuse macro's model first.
    fusesoc_reads_the_cores(&a, &rtl);

    // A folder that is not a bundle is left alone.
    let other = tmp.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("keep.txt"), "mine").unwrap();
    let out = handoff(&other);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("is not a hand-off bundle"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(other.join("keep.txt")).unwrap(), "mine");
    let _ = std::fs::remove_dir_all(&tmp);
}

fn fusesoc_reads_the_cores(bundle: &Path, rtl: &Path) {
    let fusesoc_bin = pluton_toolchain::fusesoc().expect("FuseSoC installs");
    let fusesoc_in = |root: &Path, args: &[&str]| {
        let verilator = pluton_toolchain::verilator().unwrap();
        // FuseSoC runs `verilator` from PATH: put the project's first.
        let bin = verilator.program.parent().unwrap().to_path_buf();
        let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
        let out = Command::new(&fusesoc_bin)
            .arg("--cores-root")
            .arg(root)
            .args(args)
            .env("PATH", path)
            .envs(verilator.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .current_dir(root)
            .output()
            .unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
    };
    let fusesoc = |args: &[&str]| fusesoc_in(bundle, args);
    let (ok, list) = fusesoc(&["core", "list"]);
    assert!(ok, "{list}");
    let tops: Vec<String> = std::fs::read_dir(rtl).unwrap().flatten().filter_map(|e| e.file_name().into_string().ok()?.strip_suffix(".ports").map(str::to_string)).collect();
    assert!(tops.len() > 10);
    for top in &tops {
        assert!(list.contains(&format!("pluton:ip:{top}:")), "FuseSoC does not list {top}:\n{list}");
    }
    let work = bundle.parent().unwrap().join("fusesoc-work");
    let (ok, out) = fusesoc(&["run", "--target", "lint", "--work-root", work.to_str().unwrap(), "pluton:ip:pluton_security"]);
    assert!(ok, "fusesoc lint of pluton_security:\n{out}");
    // The lint ran Verilator on both files.
    let (ok, info) = fusesoc(&["core-info", "pluton:ip:pluton_security"]);
    assert!(ok && info.contains("lint"), "{info}");
    let core = std::fs::read_to_string(bundle.join("rtl/pluton_security.core")).unwrap();
    let models = core.find("models/pluton_fuse_array.v").expect("the macro model is in the core");
    assert!(models < core.find("pluton_security.v").unwrap(), "the model comes first:\n{core}");

    // The lint can fail: the same core with a truncating assignment in the top does not pass -Wall.
    let broken = bundle.parent().unwrap().join("fusesoc-broken");
    std::fs::create_dir_all(broken.join("rtl/models")).unwrap();
    std::fs::create_dir_all(broken.join("constraints")).unwrap();
    std::fs::copy(bundle.join("rtl/models/pluton_fuse_array.v"), broken.join("rtl/models/pluton_fuse_array.v")).unwrap();
    std::fs::copy(bundle.join("constraints/pluton_security.sdc"), broken.join("constraints/pluton_security.sdc")).unwrap();
    std::fs::copy(bundle.join("rtl/pluton_security.core"), broken.join("rtl/pluton_security.core")).unwrap();
    let top = String::from_utf8(std::fs::read(bundle.join("rtl/pluton_security.v")).unwrap()).unwrap();
    let at = top.find("module pluton_security(").unwrap();
    let end = at + top[at..].find("endmodule").unwrap();
    std::fs::write(broken.join("rtl/pluton_security.v"), format!("{}    wire [3:0] lint_probe_width = 8'hff;\n{}", &top[..end], &top[end..])).unwrap();
    let (ok, out) = fusesoc_in(&broken, &["run", "--target", "lint", "--work-root", broken.join("work").to_str().unwrap(), "pluton:ip:pluton_security"]);
    assert!(!ok && out.contains("WIDTHTRUNC") && out.contains("lint_probe_width"), "lint did not fail on a truncation:\n{out}");
}
