//! VCD recording of every top-level port, plus a GTKWave save file listing them.

use crate::dut::{Dir, Dut};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use vcd::{IdCode, TimescaleUnit, Value};

/// An open waveform: one VCD wire per port, values written only when they change.
pub(crate) struct Waves {
    vcd: vcd::Writer<BufWriter<File>>,
    pub(crate) vcd_path: PathBuf,
    pub(crate) gtkw_path: PathBuf,
    ids: Vec<IdCode>,
    widths: Vec<u32>,
    /// Word offset of each port in `last`/`now`.
    offsets: Vec<usize>,
    clock: Option<usize>,
    last: Vec<u32>,
    now: Vec<u32>,
    first: bool,
}

impl Waves {
    /// Create `path` (and its folder) and a `.gtkw` next to it; write the VCD header.
    pub(crate) fn create(path: &Path, dut: &mut dyn Dut, period_ns: u64) -> std::io::Result<Waves> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let ports = dut.ports().to_vec();
        let mut vcd = vcd::Writer::new(BufWriter::new(File::create(path)?));
        vcd.comment(&format!("pluton-bindings: {} ports, clock period {period_ns} ns", dut.name()))?;
        vcd.timescale(1, TimescaleUnit::NS)?;
        vcd.add_module(dut.name())?;
        let mut ids = Vec::new();
        let mut offsets = Vec::new();
        let mut words = 0;
        for p in &ports {
            ids.push(vcd.add_wire(p.width, &p.name)?);
            offsets.push(words);
            words += p.words();
        }
        vcd.upscope()?;
        vcd.enddefinitions()?;

        let gtkw_path = path.with_extension("gtkw");
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut g = format!("[dumpfile] \"{}\"\n[savefile] \"{}\"\n[timestart] 0\n", abs.display(),
            std::path::absolute(&gtkw_path).unwrap_or_else(|_| gtkw_path.clone()).display());
        // Clock and reset first, then inputs, then outputs: the order a designer scans them.
        let mut order: Vec<usize> = (0..ports.len()).collect();
        order.sort_by_key(|&i| match (ports[i].name.as_str(), ports[i].dir) {
            ("clock", _) => 0,
            ("rst_n", _) => 1,
            (_, Dir::In) => 2,
            (_, Dir::Out) => 3,
        });
        for i in order {
            let p = &ports[i];
            if p.width == 1 {
                g.push_str(&format!("@28\n{}.{}\n", dut.name(), p.name));
            } else {
                g.push_str(&format!("@22\n{}.{}[{}:0]\n", dut.name(), p.name, p.width - 1));
            }
        }
        std::fs::write(&gtkw_path, g)?;

        Ok(Waves {
            vcd,
            vcd_path: path.to_path_buf(),
            gtkw_path,
            widths: ports.iter().map(|p| p.width).collect(),
            clock: ports.iter().position(|p| p.name == "clock"),
            ids,
            offsets,
            last: vec![0; words],
            now: vec![0; words],
            first: true,
        })
    }

    /// Record every port at `time_ns`, with the clock shown at `clock` (it is never poked).
    pub(crate) fn sample(&mut self, dut: &mut dyn Dut, time_ns: u64, clock: bool) -> std::io::Result<()> {
        let n = self.ids.len();
        for i in 0..n {
            let (o, w) = (self.offsets[i], self.widths[i].div_ceil(32) as usize);
            if Some(i) == self.clock {
                self.now[o] = clock as u32;
            } else {
                dut.peek(i, &mut self.now[o..o + w]);
            }
        }
        let mut stamped = false;
        for i in 0..n {
            let (o, w) = (self.offsets[i], self.widths[i].div_ceil(32) as usize);
            if !self.first && self.now[o..o + w] == self.last[o..o + w] {
                continue;
            }
            if !stamped {
                self.vcd.timestamp(time_ns)?;
                stamped = true;
            }
            let width = self.widths[i];
            let words = &self.now[o..o + w];
            let bit = |b: u32| if words[(b / 32) as usize] >> (b % 32) & 1 == 1 { Value::V1 } else { Value::V0 };
            if width == 1 {
                self.vcd.change_scalar(self.ids[i], bit(0))?;
            } else {
                self.vcd.change_vector(self.ids[i], (0..width).rev().map(bit))?;
            }
        }
        self.first = false;
        std::mem::swap(&mut self.last, &mut self.now);
        Ok(())
    }

    /// Flush and close the VCD (the final timestamp marks the end of the run).
    pub(crate) fn finish(mut self, end_ns: u64) -> std::io::Result<()> {
        self.vcd.timestamp(end_ns)?;
        self.vcd.writer().flush()
    }
}
