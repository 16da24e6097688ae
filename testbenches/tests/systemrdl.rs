//! The exported register maps read back as the register map in Rust: the SystemRDL
//! (`rtl/<module>_regs.rdl`) through the reference compiler (PyPI `systemrdl-compiler`), and the
//! IP-XACT component (`rtl/<module>.xml`) through PeakRDL's importer (PyPI `peakrdl-ipxact`) into
//! the same compiler. Both give every register's offset and count, every field's position,
//! software access, write side effect and reset value; the IP-XACT also its ports and APB4 bus
//! interface, compared with `rtl/<module>.ports`.

use pluton_hdl::common::regmap::{Access, Bus, Field, RegMap};
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
    /// Any write clears it (`onwrite = wclr`; IP-XACT `modifiedWriteValue clear`).
    wclr: bool,
    reset: u32,
}

#[derive(Deserialize, Debug)]
struct Component {
    regs: Vec<Reg>,
    /// (direction, width, name), in the file's order (IP-XACT only).
    ports: Vec<(String, u32, String)>,
    /// APB4 logical port -> physical port (IP-XACT only).
    apb: std::collections::BTreeMap<String, String>,
}

/// argv: `rdl|xml` then the files. Compile (or import) and elaborate each; print its registers as
/// JSON (arrays once, not unrolled), and for IP-XACT the ports and the APB4 port map as written.
const READ_BACK: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
from systemrdl import RDLCompiler
from systemrdl.rdltypes import OnWriteType
kind, out = sys.argv[1], {}
for path in sys.argv[2:]:
    c = RDLCompiler()
    ports, apb = [], {}
    if kind == "rdl":
        c.compile_file(path)
        top = c.elaborate().top
        name, block = top.inst_name, top
    else:
        from peakrdl_ipxact import IPXACTImporter
        IPXACTImporter(c).import_file(path)
        ns = {"ipxact": "http://www.accellera.org/XMLSchema/IPXACT/1685-2014"}
        comp = ET.parse(path).getroot()
        name = comp.find("ipxact:name", ns).text
        top = c.elaborate(name + "__regs").top
        block = top.get_child_by_name("regs")
        for p in comp.iterfind("ipxact:model/ipxact:ports/ipxact:port", ns):
            left = p.find("ipxact:wire/ipxact:vectors/ipxact:vector/ipxact:left", ns)
            ports.append([p.find("ipxact:wire/ipxact:direction", ns).text, 1 if left is None else int(left.text) + 1, p.find("ipxact:name", ns).text])
        for m in comp.iterfind(".//ipxact:portMap", ns):
            apb[m.find("ipxact:logicalPort/ipxact:name", ns).text] = m.find("ipxact:physicalPort/ipxact:name", ns).text
    regs = []
    for r in block.registers(unroll=False):
        regs.append({
            "name": r.inst_name,
            "offset": r.raw_address_offset,
            "count": r.array_dimensions[0] if r.is_array else 1,
            "fields": [{
                "name": f.inst_name, "lsb": f.lsb, "width": f.width,
                "sw": f.get_property("sw").name, "wclr": f.get_property("onwrite") == OnWriteType.wclr,
                "reset": f.get_property("reset") or 0,
            } for f in r.fields()],
        })
    out[name] = {"regs": regs, "ports": ports, "apb": apb}
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
                Access::Ro => "r",
                Access::Rc => "rw",
                Access::Wo => "w",
            };
            let fields = fields
                .iter()
                .map(|f| Fld { name: f.name.into(), lsb: f.lsb, width: f.width, sw: sw.into(), wclr: r.access == Access::Rc, reset: f.get(r.reset) })
                .collect();
            (r.name.to_string(), r.offset, r.count, fields)
        })
        .collect()
}

/// The maps with registers, and what the reference tools read back from their `kind` exports.
fn read_back(kind: &str) -> (Vec<&'static RegMap>, std::collections::BTreeMap<String, Component>) {
    let python = match kind {
        "rdl" => pluton_toolchain::systemrdl_python(),
        _ => pluton_toolchain::ipxact_python(),
    };
    let python = python.expect("the SystemRDL compiler (and PeakRDL's IP-XACT importer)");
    let rtl = pluton_toolchain::project_root().join("rtl");
    let maps: Vec<&RegMap> = pluton_hdl::gen::blocks().iter().map(|b| b.map).filter(|m| !m.regs.is_empty()).collect();
    assert!(maps.len() >= 10, "only {} maps with registers", maps.len());
    let file = |m: &RegMap| rtl.join(if kind == "rdl" { format!("{}_regs.rdl", m.module) } else { format!("{}.xml", m.module) });
    let files: Vec<std::path::PathBuf> = maps.iter().map(|m| file(m)).collect();
    let out = std::process::Command::new(&python).arg("-c").arg(READ_BACK).arg(kind).args(&files).output().unwrap();
    assert!(out.status.success(), "reading back the {kind} exports: {}", String::from_utf8_lossy(&out.stderr));
    (maps, serde_json::from_slice(&out.stdout).unwrap())
}

fn assert_registers_match(map: &RegMap, got: &Component) {
    let got: Vec<(String, u32, u32, &Vec<Fld>)> = got.regs.iter().map(|r| (r.name.clone(), r.offset, r.count, &r.fields)).collect();
    let want = expected(map);
    assert_eq!(got.len(), want.len(), "{}: register count", map.module);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((&g.0, g.1, g.2, g.3), (&w.0, w.1, w.2, &w.3), "{}", map.module);
    }
}

#[test]
fn every_exported_systemrdl_map_reads_back_as_the_rust_map() {
    let (maps, read) = read_back("rdl");
    for map in maps {
        assert_registers_match(map, read.get(map.module).unwrap_or_else(|| panic!("{} not read back", map.module)));
    }
}

#[test]
fn every_ipxact_component_reads_back_as_the_rust_map_and_ports() {
    let (maps, read) = read_back("xml");
    let rtl = pluton_toolchain::project_root().join("rtl");
    for map in maps {
        let got = read.get(map.module).unwrap_or_else(|| panic!("{} not read back", map.module));
        assert_registers_match(map, got);
        let text = std::fs::read_to_string(rtl.join(format!("{}.ports", map.module))).unwrap();
        let ports = pluton_toolchain::ports::parse_ports(&text).unwrap();
        let want: Vec<(String, u32, String)> = ports
            .iter()
            .map(|p| (if p.dir == pluton_toolchain::ports::Dir::In { "in" } else { "out" }.to_string(), p.width, p.name.clone()))
            .collect();
        assert_eq!(got.ports, want, "{}: ports", map.module);
        if map.bus == Bus::Apb4 {
            // Each APB4 signal maps to the port of that role (the AMBA spelling, ours lower case).
            assert_eq!(got.apb.len(), 11, "{}: APB4 port map {:?}", map.module, got.apb);
            for (logical, physical) in &got.apb {
                let role = logical.trim_end_matches('x').to_lowercase().replace("presetn", "rst_n").replace("pclk", "clock");
                assert_eq!(&role, physical, "{}: APB4 {logical}", map.module);
            }
        } else {
            assert!(got.apb.is_empty(), "{}: not an APB block, but maps {:?}", map.module, got.apb);
        }
    }
}
