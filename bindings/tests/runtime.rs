//! Runtime tests against a tiny pure-Rust DUT (no Verilator needed), plus a Verilated probe if built.

use pluton_bindings::apb::{Apb, ApbError};
use pluton_bindings::{open_verilated, tb_log, verilated_tops, Dir, Dut, Port, Sim, SimOptions};
use rand::Rng;
use std::cell::RefCell;
use std::rc::Rc;

/// A free-running 8-bit counter plus an APB completer:
/// `0x000` scratch (RW, byte strobes), `0x004` counter (RO), `0x008` slow scratch
/// (`0x00c` wait states per access), `0xffc` answers `pslverr`, `0xf00` never answers.
#[derive(Default)]
struct ToyApb {
    ports: Vec<Port>,
    inp: [u32; 9],
    count: u32,
    scratch: u32,
    slow: u32,
    slow_waits: u32,
    waited: u32,
}

const RST_N: usize = 1;
const PSEL: usize = 2;
const PENABLE: usize = 3;
const PWRITE: usize = 4;
const PADDR: usize = 5;
const PWDATA: usize = 6;
const PSTRB: usize = 7;
const PRDATA: usize = 9;
const PREADY: usize = 10;
const PSLVERR: usize = 11;
const COUNT: usize = 12;

impl ToyApb {
    fn boxed() -> Box<dyn Dut> {
        let spec = "in 1 clock\nin 1 rst_n\nin 1 psel\nin 1 penable\nin 1 pwrite\nin 12 paddr\nin 32 pwdata\n\
                    in 4 pstrb\nin 4 pmaster\nout 32 prdata\nout 1 pready\nout 1 pslverr\nout 8 count\n";
        Box::new(ToyApb { ports: pluton_bindings::parse_ports(spec).unwrap(), ..Default::default() })
    }
    fn access(&self) -> bool {
        self.inp[PSEL] & self.inp[PENABLE] & 1 == 1
    }
    fn pready(&self) -> bool {
        match self.inp[PADDR] {
            0xf00 => false,
            0x008 => self.waited >= self.slow_waits,
            _ => true,
        }
    }
    fn strobe(old: u32, new: u32, strb: u32) -> u32 {
        (0..4).fold(old, |v, b| if strb >> b & 1 == 1 { (v & !(0xff << (8 * b))) | (new & (0xff << (8 * b))) } else { v })
    }
}

impl Dut for ToyApb {
    fn name(&self) -> &str {
        "toy_apb"
    }
    fn ports(&self) -> &[Port] {
        &self.ports
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        assert_eq!(self.ports[port].dir, Dir::In);
        self.inp[port] = value[0];
        if port == RST_N && value[0] & 1 == 0 {
            // Asynchronous, active-low reset.
            (self.count, self.scratch, self.slow, self.slow_waits, self.waited) = (0, 0, 0, 0, 0);
        }
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        let a = self.inp[PADDR];
        value[0] = match port {
            PRDATA => match a {
                0x000 => self.scratch,
                0x004 => self.count,
                0x008 => self.slow,
                0x00c => self.slow_waits,
                _ => 0xdead_beef,
            },
            PREADY => self.pready() as u32,
            PSLVERR => (a == 0xffc) as u32,
            COUNT => self.count,
            p => self.inp[p],
        };
    }
    fn step(&mut self) {
        if self.inp[RST_N] & 1 == 0 {
            return;
        }
        if self.access() && self.pready() {
            if self.inp[PWRITE] & 1 == 1 {
                let (d, s) = (self.inp[PWDATA], self.inp[PSTRB]);
                match self.inp[PADDR] {
                    0x000 => self.scratch = Self::strobe(self.scratch, d, s),
                    0x008 => self.slow = d,
                    0x00c => self.slow_waits = d,
                    _ => {}
                }
            }
            self.waited = 0;
        } else if self.access() {
            self.waited += 1;
        }
        self.count = (self.count + 1) & 0xff;
    }
}

fn sim() -> Sim {
    Sim::with_options(ToyApb::boxed, SimOptions { seed: Some(7), waves_on_failure: false, ..Default::default() })
}

#[test]
fn clock_cycles_counts_and_reset_happens_first() {
    let mut s = sim();
    let summary = s
        .run("clock_cycles", |tb| async move {
            // Default reset: 5 cycles low + 1 after release.
            if tb.cycle() != 6 || tb.now_ns() != 60 {
                return Err(format!("body started at cycle {}", tb.cycle()));
            }
            let count = tb.port("count")?;
            let c0 = tb.peek_u32(count);
            tb.clock_cycles(10).await;
            tb.rising_edge().await;
            tb.timer(25).await; // rounds up to 3 cycles
            let c1 = tb.peek_u32(count);
            tb_log!(tb, "count {c0} -> {c1}");
            if c1 - c0 != 14 || tb.cycle() != 20 {
                return Err(format!("count advanced {} in {} cycles", c1 - c0, tb.cycle() - 6));
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(summary.cycles, 20);
    assert_eq!(summary.time_ns, 200);
}

#[test]
fn spawn_and_join_run_concurrently() {
    let mut s = sim();
    s.run("spawn_join", |tb| async move {
        let log = Rc::new(RefCell::new(Vec::new()));
        let (t1, l1) = (tb.clone(), log.clone());
        let a = tb.spawn(async move {
            for _ in 0..3 {
                t1.clock_cycles(2).await;
                l1.borrow_mut().push(('a', t1.cycle()));
            }
            42u32
        });
        let (t2, l2) = (tb.clone(), log.clone());
        let b = tb.spawn(async move {
            for _ in 0..2 {
                t2.clock_cycles(3).await;
                l2.borrow_mut().push(('b', t2.cycle()));
            }
            "done"
        });
        let start = tb.cycle();
        let (ra, rb) = (a.await, b.await);
        assert_eq!((ra, rb), (42, "done"));
        assert_eq!(tb.cycle() - start, 6);
        let got: Vec<_> = log.borrow().iter().map(|(n, c)| (*n, c - start)).collect();
        // Same-cycle wake-ups run in registration order: deterministic.
        assert_eq!(got, vec![('a', 2), ('b', 3), ('a', 4), ('b', 6), ('a', 6)]);
        Ok(())
    })
    .unwrap();
}

#[test]
fn timeout_fires_and_passes_through() {
    let mut s = sim();
    s.run("timeout", |tb| async move {
        let start = tb.cycle();
        let r = tb.timeout(5, tb.clock_cycles(100)).await;
        let err = r.expect_err("100 cycles must not fit in 5");
        assert_eq!(err.cycles, 5);
        assert_eq!(tb.cycle() - start, 5);
        let ok = tb.timeout(5, async { tb.clock_cycles(3).await; 9 }).await;
        assert_eq!(ok, Ok(9));
        // A stuck APB transfer cancelled by the timeout must free the bus.
        let apb = Apb::new(&tb)?;
        assert!(tb.timeout(20, apb.read(0xf00)).await.is_err());
        apb.write(0, 0x1234_5678).await?;
        Ok(())
    })
    .unwrap();
}

#[test]
fn timeout_error_fails_the_run_with_time() {
    let mut s = sim();
    let f = s
        .run("timeout_fails", |tb| async move {
            tb.timeout(4, tb.clock_cycles(10)).await?;
            Ok(())
        })
        .unwrap_err();
    assert!(f.message.contains("timed out after 4 cycles"), "{f}");
    assert_eq!(f.cycle, 10);
    assert!(f.to_string().contains("failed at 100 ns"), "{f}");
}

#[test]
fn panic_in_spawned_task_fails_the_run() {
    let mut s = sim();
    let f = s
        .run("panics", |tb| async move {
            let t = tb.clone();
            tb.spawn(async move {
                t.clock_cycles(3).await;
                panic!("scoreboard mismatch");
            });
            tb.clock_cycles(50).await;
            Ok(())
        })
        .unwrap_err();
    assert!(f.message.contains("scoreboard mismatch"), "{f}");
    assert_eq!(f.cycle, 9);
}

#[test]
fn deadlock_is_reported() {
    let mut s = sim();
    let f = s
        .run("deadlock", |_tb| async move {
            std::future::pending::<()>().await;
            Ok(())
        })
        .unwrap_err();
    assert!(f.message.contains("deadlock"), "{f}");
}

#[test]
fn same_seed_same_random_stream() {
    let draw = |seed| {
        let out = Rc::new(RefCell::new(Vec::new()));
        let o = out.clone();
        let mut s = Sim::with_options(ToyApb::boxed, SimOptions { seed: Some(seed), ..Default::default() });
        s.run("rng", move |tb| {
            let o = o.clone();
            async move {
                o.borrow_mut().clear();
                for _ in 0..8 {
                    let v: u32 = tb.rng().gen();
                    o.borrow_mut().push(v);
                    tb.clock_cycles(tb.rng().gen_range(1..4)).await;
                }
                Ok(())
            }
        })
        .unwrap();
        out.take()
    };
    assert_eq!(draw(99), draw(99));
    assert_ne!(draw(99), draw(100));
}

#[test]
fn apb_reads_writes_strobes_waits_and_errors() {
    let mut s = sim();
    s.run("apb", |tb| async move {
        let apb = Apb::new(&tb)?.with_master(3);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let s2 = seen.clone();
        apb.observe(move |t| s2.borrow_mut().push(*t));

        apb.write(0x000, 0x1122_3344).await?;
        assert_eq!(apb.read(0x000).await?, 0x1122_3344);
        apb.write_strb(0x000, 0xaabb_ccdd, 0b0101).await?;
        assert_eq!(apb.read(0x000).await?, 0x11bb_33dd);

        // Setup + access = 2 cycles with no wait states.
        let c = tb.cycle();
        apb.read(0x004).await?;
        assert_eq!(tb.cycle() - c, 2);

        apb.write(0x00c, 3).await?;
        let c = tb.cycle();
        let t = apb.transfer(true, 0x008, 0x55, 0xf).await?;
        assert_eq!((t.wait_states, tb.cycle() - c), (3, 5));
        assert_eq!(apb.read(0x008).await?, 0x55);

        match apb.read(0xffc).await {
            Err(ApbError::SlvErr { addr: 0xffc, write: false, .. }) => {}
            other => return Err(format!("expected pslverr, got {other:?}")),
        }
        let mut stuck = apb.clone();
        stuck.max_wait = 20;
        match stuck.read(0xf00).await {
            Err(e @ ApbError::Stuck { .. }) => assert!(e.to_string().contains("pready stuck low")),
            other => return Err(format!("expected stuck, got {other:?}")),
        }
        // Two tasks on one bus are serialized, not interleaved.
        let a2 = apb.clone();
        let h = tb.spawn(async move { a2.write(0x000, 0xcafe).await });
        assert_eq!(apb.read(0x004).await.is_ok(), true);
        h.await?;
        assert_eq!(apb.read(0x000).await?, 0xcafe);

        let seen = seen.borrow();
        assert!(seen.iter().all(|t| t.master == 3));
        assert!(seen.iter().any(|t| !t.write && t.addr == 0xffc && t.slverr));
        assert_eq!(seen.iter().filter(|t| !t.write).count(), 7);
        Ok(())
    })
    .unwrap();
}

#[test]
fn after_step_hook_fails_at_the_right_cycle() {
    let mut s = sim().after_step(|d| {
        let c = d.peek_u32(COUNT);
        if c == 20 {
            Err(format!("count reached {c}"))
        } else {
            Ok(())
        }
    });
    let f = s.run("hook", |tb| async move { tb.clock_cycles(100).await; Ok(()) }).unwrap_err();
    assert!(f.message.contains("count reached 20"), "{f}");
    // Counter starts counting after reset release (cycle 5): 20 counts later.
    assert_eq!(f.cycle, 25);
}

/// A checker of `count` that finds it wrong at cycle 20: it reports at `finish`, as the
/// pipelined lock-step does, or (in step) through `found`, which the run's after-step hook reads.
struct Checker {
    inner: Box<dyn Dut>,
    in_step: bool,
    cycle: u64,
    found: Rc<RefCell<Option<String>>>,
}

impl Dut for Checker {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn ports(&self) -> &[Port] {
        self.inner.ports()
    }
    fn poke(&mut self, port: usize, value: &[u32]) {
        self.inner.poke(port, value)
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        self.inner.peek(port, value)
    }
    fn step(&mut self) {
        self.inner.step();
        self.cycle += 1;
        if self.cycle == 20 && self.in_step {
            *self.found.borrow_mut() = Some("count wrong at cycle 20".into());
        }
    }
    fn finish(&mut self) -> Result<(), String> {
        if !self.in_step && self.cycle >= 20 {
            return Err("count wrong at cycle 20".into());
        }
        Ok(())
    }
}

/// A check that reports late (at `finish`) fails the run; the replay with waves checks in
/// step and stops at cycle 20, and the failure takes that cycle, with no "replay differed".
#[test]
fn a_late_check_fails_at_its_own_cycle_after_the_replay() {
    let opened = Rc::new(std::cell::Cell::new(0));
    let found: Rc<RefCell<Option<String>>> = Rc::default();
    let (o2, f2) = (opened.clone(), found.clone());
    let factory = move || -> Box<dyn Dut> {
        o2.set(o2.get() + 1);
        Box::new(Checker { inner: ToyApb::boxed(), in_step: o2.get() > 1, cycle: 0, found: f2.clone() })
    };
    let hook = move |_: &mut dyn Dut| found.borrow().clone().map_or(Ok(()), Err);
    let mut s = Sim::with_options(factory, SimOptions { seed: Some(3), ..Default::default() }).after_step(hook);
    let f = s.run("late check", |tb| async move { tb.clock_cycles(100).await; Ok(()) }).unwrap_err();
    assert_eq!(opened.get(), 2, "ran, then replayed");
    assert_eq!(f.message, "count wrong at cycle 20");
    assert_eq!(f.cycle, 20);
}

#[test]
fn waves_are_written_when_asked() {
    let dir = std::env::temp_dir().join(format!("pluton_waves_{}", std::process::id()));
    let vcd = dir.join("asked.vcd");
    let mut s = Sim::with_options(ToyApb::boxed, SimOptions { seed: Some(1), waves: Some(vcd.clone()), ..Default::default() });
    let summary = s
        .run("waves", |tb| async move {
            Apb::new(&tb)?.write(0, 0xabcd).await?;
            Ok(())
        })
        .unwrap();
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("$var wire 12") && text.contains("paddr") && text.contains("#80"), "{text}");
    let gtkw = std::fs::read_to_string(vcd.with_extension("gtkw")).unwrap();
    assert!(gtkw.contains("[dumpfile]") && gtkw.contains("toy_apb.paddr[11:0]"), "{gtkw}");
    assert_eq!(summary.waves.unwrap().0, vcd);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failure_is_replayed_with_waves_and_same_seed() {
    let mut s = Sim::with_options(ToyApb::boxed, SimOptions { seed: None, ..Default::default() });
    let runs = Rc::new(RefCell::new(Vec::new()));
    let r2 = runs.clone();
    let f = s
        .run("replayed failure", move |tb| {
            let r2 = r2.clone();
            async move {
                let v: u64 = tb.rng().gen();
                r2.borrow_mut().push(v);
                tb.clock_cycles(7).await;
                Err(format!("bad value {v:#x}"))
            }
        })
        .unwrap_err();
    let runs = runs.borrow();
    assert_eq!(runs.len(), 2, "ran once, then replayed once");
    assert_eq!(runs[0], runs[1], "replay used the same seed");
    let (vcd, gtkw) = f.waves.clone().expect("replay recorded waves");
    assert!(vcd.ends_with("build/waves/replayed_failure.vcd"), "{}", vcd.display());
    assert!(std::fs::metadata(&vcd).unwrap().len() > 100);
    assert!(std::fs::read_to_string(&gtkw).unwrap().contains("replayed_failure.vcd"));
    assert!(!f.message.contains("replay differed"), "{f}");
    assert!(f.to_string().contains(&format!("--seed {}", f.seed)));
    assert_eq!(f.cycle, 13);
}

#[test]
#[ignore = "needs a build with PLUTON_RTL_DIR pointing at the probe counter design"]
fn verilated_probe_counter() {
    assert!(verilated_tops().contains(&"zz_probe_counter"), "zz_probe_counter not built: set PLUTON_RTL_DIR");
    let mut d = open_verilated("zz_probe_counter").unwrap();
    let id = |n: &str| d.port_id(n).unwrap();
    let (rst, en, key, mid, count, fold, wide, mid_out) =
        (id("rst_n"), id("enable"), id("key_in"), id("mid_in"), id("count"), id("fold"), id("wide_out"), id("mid_out"));
    d.poke_u32(rst, 0);
    assert_eq!(d.peek_u32(count), 0);
    d.poke_u32(rst, 1);
    d.poke_u32(en, 1);
    for _ in 0..5 {
        d.step();
    }
    assert_eq!(d.peek_u32(count), 5);
    // 256-bit input folds to 32 bits combinationally.
    let k: Vec<u32> = (1..=8).map(|i| i * 0x0101_0101).collect();
    d.poke(key, &k);
    assert_eq!(d.peek_u32(fold), k.iter().fold(0, |a, b| a ^ b));
    d.step();
    d.step();
    let mut w = [0u32; 3];
    d.peek(wide, &mut w);
    assert_eq!(w, [k.iter().fold(0, |a, b| a ^ b), k.iter().fold(0, |a, b| a ^ b), 0]);
    // 40-bit port: high bits beyond the width are masked off on poke.
    d.poke(mid, &[0xffff_fff0, 0xffff_ffff]);
    let mut m = [0u32; 2];
    d.peek(mid, &mut m);
    assert_eq!(m, [0xffff_fff0, 0xff]);
    d.peek(mid_out, &mut m);
    assert_eq!(m, [0xffff_fff0 + 7, 0xff]);
    // Async reset without a clock edge.
    d.poke_u32(rst, 0);
    assert_eq!(d.peek_u32(count), 0);

    // Many models, in parallel threads, created and dropped.
    let threads: Vec<_> = (0..4)
        .map(|n| {
            std::thread::spawn(move || {
                for _ in 0..20 {
                    let mut d = open_verilated("zz_probe_counter").unwrap();
                    let (rst, en, count) = (d.port_id("rst_n").unwrap(), d.port_id("enable").unwrap(), d.port_id("count").unwrap());
                    d.poke_u32(rst, 0);
                    d.poke_u32(rst, 1);
                    d.poke_u32(en, 1);
                    for _ in 0..(100 + n) {
                        d.step();
                    }
                    assert_eq!(d.peek_u32(count), 100 + n);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());

    // And through the runtime, with waves.
    let vcd = std::env::temp_dir().join(format!("pluton_probe_{}.vcd", std::process::id()));
    let mut s = Sim::with_options(
        || open_verilated("zz_probe_counter").unwrap(),
        SimOptions { seed: Some(3), waves: Some(vcd.clone()), ..Default::default() },
    );
    s.run("probe", |tb| async move {
        let (en, count) = (tb.port("enable")?, tb.port("count")?);
        tb.poke_u32(en, 1);
        tb.clock_cycles(10).await;
        match tb.peek_u32(count) {
            10 => Ok(()),
            c => Err(format!("count = {c}")),
        }
    })
    .unwrap();
    assert!(std::fs::read_to_string(&vcd).unwrap().contains("key_in"));
    let _ = std::fs::remove_file(&vcd);
    let _ = std::fs::remove_file(vcd.with_extension("gtkw"));
}

#[test]
fn verilated_sha256_id_register() {
    assert!(verilated_tops().contains(&"pluton_sha256"), "rtl/pluton_sha256 was not Verilated: {:?}", verilated_tops());
    let mut s = Sim::with_options(
        || open_verilated("pluton_sha256").unwrap(),
        SimOptions { seed: Some(5), ..Default::default() },
    );
    s.run("sha256_id", |tb| async move {
        let apb = Apb::new(&tb)?;
        let id = tb.timeout(100, apb.read(0x01c)).await??;
        if id != 0x5348_0100 {
            return Err(format!("ID = {id:#010x}"));
        }
        Ok(())
    })
    .unwrap();
}
