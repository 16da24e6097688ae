//! Reads cell counts from Yosys `stat -json` and utilisation and Fmax from nextpnr logs.

/// Cell counts `(type, count)` of the whole design from `stat -json` output.
///
/// Reads the `num_cells_by_type` object of the `"design"` section (the flattened totals),
/// or of the only module when there is no `"design"` section.
pub fn stat_cells(json: &str) -> Result<Vec<(String, u64)>, String> {
    let from = json.find("\"design\"").unwrap_or(0);
    let start = json[from..]
        .find("\"num_cells_by_type\"")
        .map(|i| from + i)
        .ok_or("yosys stat -json has no num_cells_by_type")?;
    let body = &json[start..];
    let open = body.find('{').ok_or("num_cells_by_type is not an object")?;
    let close = body.find('}').ok_or("num_cells_by_type is not closed")?;
    // The object is flat: `"TYPE": N` pairs separated by commas.
    body[open + 1..close]
        .split(',')
        .filter(|pair| !pair.trim().is_empty())
        // `$scopeinfo` only records the flattened hierarchy; it is not hardware.
        .filter(|pair| !pair.contains("$scopeinfo"))
        .map(|pair| {
            let (name, count) = pair
                .rsplit_once(':')
                .ok_or_else(|| format!("bad stat entry `{pair}`"))?;
            let count = count
                .trim()
                .parse()
                .map_err(|_| format!("bad stat count `{pair}`"))?;
            Ok((name.trim().trim_matches('"').to_string(), count))
        })
        .collect()
}

/// Sum of the counts of the cell types that `wanted` accepts.
pub fn count_cells(cells: &[(String, u64)], wanted: impl Fn(&str) -> bool) -> u64 {
    cells
        .iter()
        .filter(|(name, _)| wanted(name))
        .map(|(_, n)| n)
        .sum()
}

/// One line of nextpnr's "Device utilisation" table: bel type, used, available.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Utilisation {
    pub bel: String,
    pub used: u64,
    pub available: u64,
}

/// The "Device utilisation" table of a nextpnr log (the last one if it is printed twice).
pub fn nextpnr_utilisation(log: &str) -> Vec<Utilisation> {
    let Some(at) = log.rfind("Device utilisation:") else {
        return vec![];
    };
    log[at..]
        .lines()
        .skip(1)
        // Lines look like `Info: \t     ICESTORM_LC:    46/  5280     0%`.
        .map(|line| line.trim_start_matches("Info:").trim())
        .take_while(|line| line.contains(':') && line.contains('/'))
        .filter_map(|line| {
            let (bel, rest) = line.split_once(':')?;
            let (used, rest) = rest.split_once('/')?;
            let available = rest.split_whitespace().next()?;
            Some(Utilisation {
                bel: bel.trim().to_string(),
                used: used.trim().parse().ok()?,
                available: available.parse().ok()?,
            })
        })
        .collect()
}

/// The final "Max frequency for clock '...': X MHz" of a nextpnr log, for a clock whose net
/// name contains `clock_name` (nextpnr renames `clk` to e.g. `clk$SB_IO_IN_$glb_clk`).
pub fn nextpnr_fmax(log: &str, clock_name: &str) -> Option<f64> {
    // nextpnr prints it after placement and again after routing: the last one counts.
    log.lines().rev().find_map(|line| {
        let rest = line.split("Max frequency for clock '").nth(1)?;
        let (clock, rest) = rest.split_once("': ")?;
        if !clock.contains(clock_name) {
            return None;
        }
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// One cell on nextpnr's critical path: its kind (`clk-to-q`, `logic`, `setup`), the time
/// at its output in ns, and the cell's output name.
#[derive(Clone, Debug, PartialEq)]
pub struct PathStep {
    pub kind: String,
    pub at_ns: f64,
    pub cell: String,
}

/// The cells of the last critical-path report for a clock whose name contains `clock_name`
/// (routing steps left out; they are the gaps between the times).
pub fn nextpnr_critical_path(log: &str, clock_name: &str) -> Vec<PathStep> {
    let mut path = Vec::new();
    let mut inside = false;
    for line in log.lines() {
        if let Some(rest) = line.split("Critical path report for clock '").nth(1) {
            inside = rest.split("' ").next().is_some_and(|c| c.contains(clock_name));
            if inside {
                path.clear();
            }
            continue;
        }
        if !inside {
            continue;
        }
        let Some(body) = line.strip_prefix("Info:") else {
            inside = false;
            continue;
        };
        let f: Vec<&str> = body.split_whitespace().collect();
        match f.as_slice() {
            [kind @ ("clk-to-q" | "logic" | "setup"), _, at, "Source", cell, ..] => {
                if let Ok(at_ns) = at.parse() {
                    path.push(PathStep { kind: kind.to_string(), at_ns, cell: cell.to_string() });
                }
            }
            ["routing", ..] | ["Sink", ..] | ["Defined", ..] | ["type", ..] => {}
            // "Defined in:" source locations (`file.v:12.3-12.9`).
            [first, ..] if first.contains(':') => {}
            _ => inside = false,
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Captured from nextpnr-ice40 0.11.1 placing the test counter's shell on an UP5K.
    const ICE40_LOG: &str = "\
Info: Device utilisation:
Info: \t         ICESTORM_LC:      76/   5280     1%
Info: \t        ICESTORM_RAM:       0/     30     0%
Info: \t               SB_IO:       4/     39    10%
Info: \t               SB_GB:       2/      8    25%
Info: \t        ICESTORM_DSP:       0/      8     0%

Info: Placed 4 cells based on constraints.
Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 90.76 MHz (PASS at 50.00 MHz)
Info: Routing globals...
Info: Max frequency for clock 'clk$SB_IO_IN_$glb_clk': 82.53 MHz (PASS at 50.00 MHz)

Info: Max delay <async>                -> posedge clk$SB_IO_IN_$glb_clk: 3.21 ns
";

    /// Lines of nextpnr-ecp5 0.11.1's critical-path report (pluton_m0, names shortened).
    const ECP5_PATH: &str = "\
Info: Critical path report for clock 'other' (posedge -> posedge):
Info:   clk-to-q  0.52  0.52 Source wrong.Q
Info: Critical path report for clock '$glbnet$clk$TRELLIS_IO_IN' (posedge -> posedge):
Info:       type curr  total name
Info:   clk-to-q  0.52  0.52 Source dut.pc4_TRELLIS_FF_Q.Q
Info:    routing  2.57  3.10 Net dut.pc4[0] (19,33) -> (19,3)
Info:                          Sink dut.sum_LUT4_Z.A
Info:                          Defined in:
Info:                               /share/lattice/cells_map_trellis.v:108.23-108.24
Info:                               pluton_m0.v:628.28-628.30
Info:      logic  0.24  3.33 Source dut.sum_LUT4_Z.F
Info:    routing  0.37  3.70 Net dut.sum (19,3) -> (19,4)
Info:      setup  0.00  3.70 Source dut.rq_addr_TRELLIS_FF_Q.DI
Info: 3.70 ns logic, 2.94 ns routing
";

    #[test]
    fn reads_the_critical_path_of_the_named_clock() {
        let path = nextpnr_critical_path(ECP5_PATH, "clk");
        let cells: Vec<_> = path.iter().map(|s| (s.kind.as_str(), s.at_ns, s.cell.as_str())).collect();
        assert_eq!(
            cells,
            [
                ("clk-to-q", 0.52, "dut.pc4_TRELLIS_FF_Q.Q"),
                ("logic", 3.33, "dut.sum_LUT4_Z.F"),
                ("setup", 3.70, "dut.rq_addr_TRELLIS_FF_Q.DI"),
            ]
        );
        assert_eq!(nextpnr_critical_path(ECP5_PATH, "no_such_clock"), []);
    }

    #[test]
    fn reads_nextpnr_utilisation_and_final_fmax() {
        let util = nextpnr_utilisation(ICE40_LOG);
        assert_eq!(util.len(), 5);
        assert_eq!(
            util[0],
            Utilisation {
                bel: "ICESTORM_LC".into(),
                used: 76,
                available: 5280
            }
        );
        assert_eq!(util[2].bel, "SB_IO");
        // The post-route figure (the last one), not the post-placement estimate.
        assert_eq!(nextpnr_fmax(ICE40_LOG, "clk"), Some(82.53));
        assert_eq!(nextpnr_fmax(ICE40_LOG, "other_clock"), None);
        assert_eq!(nextpnr_fmax("", "clk"), None);
    }

    #[test]
    fn reads_ecp5_fmax_with_renamed_clock() {
        let log = "Info: Max frequency for clock '$glbnet$clk$TRELLIS_IO_IN': 250.00 MHz (PASS at 50.00 MHz)\n";
        assert_eq!(nextpnr_fmax(log, "clk"), Some(250.0));
    }

    #[test]
    fn reads_design_totals_from_stat_json() {
        let json = r#"{
   "modules": {
      "\\counter": { "num_cells": 3, "num_cells_by_type": { "SB_LUT4": 1, "SB_DFFR": 2 } },
      "\\counter_shell": { "num_cells": 4, "num_cells_by_type": { "SB_DFFR": 4 } }
   },
      "design": {
         "num_cells":         67,
         "num_cells_by_type": {
            "$scopeinfo": 1,
            "SB_CARRY": 14,
            "SB_DFFER": 16,
            "SB_LUT4": 37
         }
      }
}"#;
        let cells = stat_cells(json).unwrap();
        assert_eq!(
            cells,
            [
                ("SB_CARRY".to_string(), 14),
                ("SB_DFFER".to_string(), 16),
                ("SB_LUT4".to_string(), 37)
            ]
        );
        assert_eq!(count_cells(&cells, |c| c.starts_with("SB_DFF")), 16);
        assert!(stat_cells("{}").is_err());
    }
}
