//! The regression report: its tables carry the figures it is given, synthesis reports parse, and
//! the page renders in a real browser (headless Chromium: a screenshot that is not blank, with the
//! plots' bars in it, and no console messages). A blank page and a page that logs an error are
//! planted to show that the browser check can fail.

use pluton_bindings::coverage::Figure;
use pluton_testbenches::regression::{Backend, TestResult};
use pluton_testbenches::report::{self, CoverageRow, Inputs, SpeedRow, SynthRow};
use std::path::{Path, PathBuf};
use std::process::Command;

fn test(block: &str, name: &str, passed: bool, cycles: u64, seconds: f64) -> TestResult {
    TestResult {
        block: block.into(),
        test: name.into(),
        backend: Backend::Lockstep,
        passed,
        message: if passed { String::new() } else { "cycle 17: prdata rtl=0x1 model=0x2".into() },
        checks: 3,
        cycles,
        reads_compared: 40,
        leak_reads: 40,
        seconds,
        metrics: Vec::new(),
        skipped: false,
    }
}

/// A run with one failure, two blocks' coverage, a benchmark and two synthesis targets.
fn inputs() -> Inputs {
    Inputs {
        run: Some("seed 42, shard 1/1".into()),
        tests: vec![test("sha256", "sha256_fips", true, 2_000_000, 1.0), test("sha256", "sha256_hmac", true, 1_000_000, 0.5), test("otp", "otp_lock", false, 500_000, 1.0)],
        coverage: vec![
            CoverageRow { top: "pluton_sha256".into(), line: Figure { covered: 382, total: 383 }, toggle: Figure { covered: 17499, total: 19132 } },
            CoverageRow { top: "pluton_otp".into(), line: Figure { covered: 399, total: 402 }, toggle: Figure { covered: 10519, total: 11978 } },
        ],
        speed: vec![SpeedRow { workload: "sha256 random".into(), cycles: 1_000_000, lockstep: Some(3_000_000.0), rtl: 5_000_000.0, model: None, limit: 6_000_000.0 }],
        synth: vec![
            SynthRow { top: "pluton_sha256".into(), target: "ecp5-25k".into(), luts: 5157, ffs: 1758, fmax_mhz: Some(50.58) },
            SynthRow { top: "pluton_sha256".into(), target: "xc7a35t".into(), luts: 2929, ffs: 1402, fmax_mhz: None },
        ],
        problems: Vec::new(),
    }
}

#[test]
fn tables_carry_the_given_figures() {
    let page = report::html(&inputs());
    for want in [
        "2 passed, 1 failed, 0 skipped (seed 42, shard 1/1)",
        "cycle 17: prdata rtl=0x1 model=0x2",
        // A test's cycles and seconds.
        "<td class=\"n\">2000000</td>",
        "99.7% (382/383)",
        "87.8% (10519/11978)",
        "<td class=\"n\">0.50</td>",
        "50.58 MHz",
        "<td class=\"n\">5157</td>",
        "n/a",
    ] {
        assert!(page.contains(want), "the report lacks `{want}`");
    }
    // Plots: coverage, throughput per block, the benchmark, and per target LUTs/FFs (two) and
    // Fmax (only ecp5-25k has timing).
    assert_eq!(page.matches("<svg").count(), 6, "plots in the page");
    assert!(!page.contains("not drawn"), "a plot failed to draw");

    let empty = report::html(&Inputs::default());
    for hint in ["-- cosim</code>", "-- cosim --coverage</code>", "-- bench</code>", "-- synth BLOCK"] {
        assert!(empty.contains(hint), "an empty report does not say how to fill it: `{hint}`");
    }
    assert_eq!(empty.matches("<svg").count(), 0);
}

#[test]
fn synthesis_reports_parse_and_bad_ones_are_named() {
    let placed = "# x\n\n| resource | block + shell (placed) | block alone (yosys) |\n|---|---:|---:|\n| LUTs | 61124 | 62230 |\n| FFs | 18451 | 17990 |\n| Fmax | 24.38 MHz (nextpnr after routing) | |\n";
    assert_eq!(report::parse_synth(placed), Ok((61124, 18451, Some(24.38))));
    let artix = placed.replace("24.38 MHz (nextpnr after routing)", "n/a: use fpga/xilinx/vivado.tcl");
    assert_eq!(report::parse_synth(&artix), Ok((61124, 18451, None)));
    let no_ffs = placed.replace("| FFs |", "| Flops |");
    assert_eq!(report::parse_synth(&no_ffs), Err("no `FFs` row in the resource table".to_string()));
    let bad = placed.replace("61124", "many");
    assert_eq!(report::parse_synth(&bad), Err("`LUTs` is `many`, not a count".to_string()));
    // Every committed report parses.
    let root = pluton_toolchain::project_root();
    let got = report::gather(&root);
    assert!(got.problems.iter().all(|p| !p.contains("fpga")), "{:?}", got.problems);
    assert!(got.synth.len() >= 30, "only {} synthesis reports read", got.synth.len());
}

/// What Chromium showed: share of non-white pixels, pixels of the plots' first bar colour, and the
/// console messages it logged.
struct Rendered {
    ink: f64,
    bar_pixels: usize,
    console: Vec<String>,
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file()))
    })
}

fn render(chromium: &Path, page: &Path, work: &Path) -> Rendered {
    let shot = work.join(format!("{}.png", page.file_stem().unwrap().to_string_lossy()));
    // Flags for a closed network and a root user: no sandbox, no background connections.
    let out = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0", "--window-size=1200,2400"])
        .arg(format!("--user-data-dir={}", work.join("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("starting chromium");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(shot.is_file(), "chromium wrote no screenshot of {}: {log}", page.display());
    let console = log.lines().filter(|l| l.contains(":CONSOLE")).map(String::from).collect();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let ink = pixels.iter().filter(|p| p[..3].iter().any(|&c| c < 240)).count() as f64 / pixels.len() as f64;
    let bar_pixels = pixels.iter().filter(|p| p[..3] == [0x33, 0x66, 0xaa]).count();
    Rendered { ink, bar_pixels, console }
}

#[test]
fn the_report_renders_in_chromium_without_console_messages() {
    let Some(chromium) = chromium() else {
        println!("SKIPPED: no chromium on PATH (Debian package `chromium`; .ci/run installs it)");
        return;
    };
    let work = pluton_toolchain::project_root().join("build/tmp/report-test");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let page = work.join("report.html");
    std::fs::write(&page, report::html(&inputs())).unwrap();
    let good = render(&chromium, &page, &work);
    assert!(good.console.is_empty(), "console messages: {:?}", good.console);
    assert!(good.ink > 0.05, "the page is nearly blank: {:.1}% ink", 100.0 * good.ink);
    assert!(good.bar_pixels > 2000, "the plots' bars are missing: {} pixels", good.bar_pixels);

    // The same checks catch a blank page and one that logs an error.
    let blank = work.join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let r = render(&chromium, &blank, &work);
    assert!(r.ink < 0.01 && r.bar_pixels == 0, "a blank page shows {:.1}% ink", 100.0 * r.ink);
    let noisy = work.join("noisy.html");
    std::fs::write(&noisy, report::html(&inputs()).replace("</body>", "<script>console.error('planted')</script></body>")).unwrap();
    assert_eq!(render(&chromium, &noisy, &work).console.len(), 1, "the planted console error was not seen");
}
