//! Verilator coverage files (`coverage.dat`): read, merge over runs, count, and write back.
//!
//! Each line of a file is one coverage point: `C '<key>' <count>`, where the key is a list of
//! fields (`\x01name\x02value`): `f` file, `l` line, `t` type (`line`, `block`, `branch`,
//! `toggle`), `page` (`v_<kind>/<module>`), `o` what (`if`, `else`, `psel:0->1`), `h` the
//! instance. Merging adds the counts of equal keys, as `verilator_coverage` does.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The kinds of point counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A statement block or one side of a branch (Verilator's line coverage).
    Line,
    /// One direction of one bit of a signal (0->1 or 1->0).
    Toggle,
}

/// One coverage point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    pub kind: Kind,
    pub file: String,
    pub line: u32,
    /// The module the point is in.
    pub module: String,
    /// What is counted: the branch side (`if`, `else`, `case`) or the toggle (`psel:0->1`).
    pub what: String,
    /// The instance, e.g. `TOP.pluton_sha256.core`.
    pub instance: String,
    pub count: u64,
}

/// Covered and total points of one kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figure {
    pub covered: u64,
    pub total: u64,
}

impl Figure {
    /// Covered share in percent (100 when there is nothing to cover).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.total as f64
        }
    }
}

/// Coverage points with their counts, merged over any number of runs.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    counts: BTreeMap<String, u64>,
}

impl Coverage {
    /// Read one `coverage.dat`.
    pub fn read(path: &Path) -> Result<Coverage, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut c = Coverage::default();
        c.add_text(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(c)
    }

    fn add_text(&mut self, text: &str) -> Result<(), String> {
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("line {}: not a coverage point: {line:.60}", n + 1);
            let rest = line.strip_prefix("C '").ok_or_else(bad)?;
            let (key, count) = rest.rsplit_once("' ").ok_or_else(bad)?;
            let count: u64 = count.trim().parse().map_err(|_| bad())?;
            *self.counts.entry(key.to_string()).or_default() += count;
        }
        Ok(())
    }

    /// Add `other`'s counts to these.
    pub fn merge(&mut self, other: &Coverage) {
        for (k, v) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += v;
        }
    }

    /// Every point of a counted kind (branch sides count as lines).
    pub fn points(&self) -> impl Iterator<Item = Point> + '_ {
        self.counts.iter().filter_map(|(key, &count)| {
            let field = |name: &str| key.split('\u{1}').find_map(|f| f.strip_prefix(name).and_then(|v| v.strip_prefix('\u{2}')));
            let kind = match field("t")? {
                "line" | "block" | "branch" => Kind::Line,
                "toggle" => Kind::Toggle,
                _ => return None,
            };
            Some(Point {
                kind,
                file: field("f").unwrap_or("").to_string(),
                line: field("l").and_then(|l| l.parse().ok()).unwrap_or(0),
                module: field("page").and_then(|p| p.split_once('/')).map_or("", |(_, m)| m).to_string(),
                what: demangle(field("o").unwrap_or("")),
                instance: demangle(field("h").unwrap_or("")),
                count,
            })
        })
    }

    /// Covered and total points of each kind.
    pub fn figures(&self) -> BTreeMap<Kind, Figure> {
        let mut f: BTreeMap<Kind, Figure> = [(Kind::Line, Figure::default()), (Kind::Toggle, Figure::default())].into();
        for p in self.points() {
            let e = f.entry(p.kind).or_default();
            e.total += 1;
            e.covered += (p.count > 0) as u64;
        }
        f
    }

    /// Write the merged points as a `coverage.dat` (readable by `verilator_coverage`).
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let mut s = String::from("# SystemC::Coverage-3\n");
        for (k, v) in &self.counts {
            let _ = writeln!(s, "C '{k}' {v}");
        }
        std::fs::write(path, s).map_err(|e| format!("writing {}: {e}", path.display()))
    }
}

/// Undo Verilator's name encoding: `__0XX` is the character with hex code XX (rust-hdl's
/// `ctrl_hmac__q` becomes `ctrl_hmac___05Fq`).
fn demangle(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find("__0") {
        let code = rest.get(at + 3..at + 5).and_then(|h| u8::from_str_radix(h, 16).ok()).filter(u8::is_ascii);
        match code {
            Some(c) => {
                out.push_str(&rest[..at]);
                out.push(c as char);
                rest = &rest[at + 5..];
            }
            None => {
                out.push_str(&rest[..at + 3]);
                rest = &rest[at + 3..];
            }
        }
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "# SystemC::Coverage-3\n\
        C '\u{1}f\u{2}x.v\u{1}l\u{2}7\u{1}t\u{2}toggle\u{1}page\u{2}v_toggle/top\u{1}o\u{2}psel:0->1\u{1}h\u{2}TOP.top' 3\n\
        C '\u{1}f\u{2}x.v\u{1}l\u{2}9\u{1}t\u{2}branch\u{1}page\u{2}v_branch/top\u{1}o\u{2}if\u{1}h\u{2}TOP.top' 0\n\
        C '\u{1}f\u{2}x.v\u{1}l\u{2}9\u{1}t\u{2}branch\u{1}page\u{2}v_branch/top\u{1}o\u{2}else\u{1}h\u{2}TOP.top' 5\n";

    #[test]
    fn merging_adds_counts_and_figures_count_points() {
        let mut c = Coverage::default();
        c.add_text(A).unwrap();
        assert_eq!(c.figures()[&Kind::Line], Figure { covered: 1, total: 2 });
        assert_eq!(c.figures()[&Kind::Toggle], Figure { covered: 1, total: 1 });
        let b = "C '\u{1}f\u{2}x.v\u{1}l\u{2}9\u{1}t\u{2}branch\u{1}page\u{2}v_branch/top\u{1}o\u{2}if\u{1}h\u{2}TOP.top' 2\n";
        let mut other = Coverage::default();
        other.add_text(b).unwrap();
        c.merge(&other);
        assert_eq!(c.figures()[&Kind::Line], Figure { covered: 2, total: 2 });
        let ifs: Vec<Point> = c.points().filter(|p| p.what == "if").collect();
        assert_eq!((ifs.len(), ifs[0].count, ifs[0].line, ifs[0].module.as_str()), (1, 2, 9, "top"));
    }

    #[test]
    fn names_are_demangled() {
        assert_eq!(demangle("ctrl_hmac___05Fq:0->1"), "ctrl_hmac__q:0->1");
        assert_eq!(demangle("a__0b"), "a__0b");
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = Coverage::default().add_text("C 'x' lots\n").unwrap_err();
        assert!(e.starts_with("line 1: not a coverage point"), "{e}");
    }
}
