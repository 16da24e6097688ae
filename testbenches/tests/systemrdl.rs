//! The exported SystemRDL (`rtl/<module>_regs.rdl`) compiles with the reference compiler
//! (PyPI `systemrdl-compiler`), and what it reads back is the register map in Rust: every
//! register's offset and count, every field's position, software access, read side effect
//! and reset value.

use pluton_hdl::common::regmap::{Access, Field, RegMap};
use serde::Deserialize;

#[derive(Deserialize, Debug)]
struct Reg {
    name: String,
    offset: u32,
    count: u32,
    fields: Vec<Fld>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Fld {
    name: String,
    lsb: u32,
    width: u32,
    sw: String,
    rclr: bool,
    reset: u32,
}

/// Compile and elaborate each file; print its registers as JSON (arrays once, not unrolled).
const READ_BACK: &str = r#"
import json, sys
from systemrdl import RDLCompiler
out = {}
for path in sys.argv[1:]:
    c = RDLCompiler()
    c.compile_file(path)
    top = c.elaborate().top
    regs = []
    for r in top.registers(unroll=False):
        regs.append({
            "name": r.inst_name,
            "offset": r.raw_address_offset,
            "count": r.array_dimensions[0] if r.is_array else 1,
            "fields": [{
                "name": f.inst_name, "lsb": f.lsb, "width": f.width,
                "sw": f.get_property("sw").name, "rclr": f.get_property("onread") is not None,
                "reset": f.get_property("reset") or 0,
            } for f in r.fields()],
        })
    out[top.inst_name] = regs
print(json.dumps(out))
"#;

fn expected(map: &RegMap) -> Vec<(String, u32, u32, Vec<Fld>)> {
    map.regs
        .iter()
        .map(|r| {
            let whole = [Field { name: "VALUE", lsb: 0, width: 32, desc: "" }];
            let fields = if r.fields.is_empty() { &whole[..] } else { r.fields };
            let sw = match r.access {
                Access::Rw => "rw",
                Access::Ro | Access::Rc => "r",
                Access::Wo => "w",
            };
            let fields = fields
                .iter()
                .map(|f| Fld { name: f.name.into(), lsb: f.lsb, width: f.width, sw: sw.into(), rclr: r.access == Access::Rc, reset: f.get(r.reset) })
                .collect();
            (r.name.to_string(), r.offset, r.count, fields)
        })
        .collect()
}

#[test]
fn every_exported_map_reads_back_as_the_rust_map() {
    let python = pluton_toolchain::systemrdl_python().expect("the SystemRDL compiler");
    let rtl = pluton_toolchain::project_root().join("rtl");
    let maps: Vec<&RegMap> = pluton_hdl::gen::blocks().iter().map(|b| b.map).filter(|m| !m.regs.is_empty()).collect();
    let files: Vec<std::path::PathBuf> = maps.iter().map(|m| rtl.join(format!("{}_regs.rdl", m.module))).collect();
    assert!(maps.len() >= 10, "only {} maps with registers", maps.len());
    let out = std::process::Command::new(&python).arg("-c").arg(READ_BACK).args(&files).output().unwrap();
    assert!(out.status.success(), "systemrdl-compiler: {}", String::from_utf8_lossy(&out.stderr));
    let read: std::collections::BTreeMap<String, Vec<Reg>> = serde_json::from_slice(&out.stdout).unwrap();
    for map in maps {
        let got = read.get(map.module).unwrap_or_else(|| panic!("{} not read back", map.module));
        let got: Vec<(String, u32, u32, &Vec<Fld>)> = got.iter().map(|r| (r.name.clone(), r.offset, r.count, &r.fields)).collect();
        let want = expected(map);
        assert_eq!(got.len(), want.len(), "{}: register count", map.module);
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((&g.0, g.1, g.2, g.3), (&w.0, w.1, w.2, &w.3), "{}", map.module);
        }
    }
}
