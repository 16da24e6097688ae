//! Lock-step harness for the soft core: Verilated `pluton_m0` on an AHB-Lite memory model, beside the ISS, compared on every retired record.
//!
//! The RTL runs cycle by cycle. Each time it ends a record (`trc_retire`), the ISS steps once and
//! the two records must agree: kind, PC or exception number and handler, every register's final
//! value, the AHB writes in order, flags, IPSR, CONTROL, PRIMASK, and the cycle count when the
//! record saw no wait state. The memory seen by the RTL and the memory seen by the ISS are two
//! separate copies of the image; only their writes are compared.
//!
//! The inner loop is plain synchronous code on the `Dut` (one call from an async test body):
//! it runs tens of millions of cycles, and per-cycle task switches would halve its speed.

use super::image::Image;
use super::semihost::{Semi, Semihost};
use pluton_bindings::Dut;
use pluton_cosim::armv6m::{Bus, BusFault, Cpu, Event, IrqSource, Retired};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

/// ROM (flash) and SRAM as on QEMU's `microbit` board; anything else is an ERROR response.
pub const ROM_BASE: u32 = 0x0000_0000;
pub const ROM_SIZE: usize = 256 * 1024;
pub const SRAM_BASE: u32 = 0x2000_0000;
pub const SRAM_SIZE: usize = 16 * 1024;

/// The memory behind the bus: an image in ROM, a zeroed SRAM, and optional error windows.
#[derive(Clone)]
pub struct Memory {
    rom: Vec<u8>,
    sram: Vec<u8>,
    /// Address ranges `[start, end)` that answer ERROR although they are mapped.
    pub error_ranges: Vec<(u32, u32)>,
}

impl Memory {
    pub fn new(image: &Image) -> Result<Memory, String> {
        if image.bytes.len() > ROM_SIZE {
            return Err(format!("image `{}` is {} bytes; the ROM holds {ROM_SIZE}", image.name, image.bytes.len()));
        }
        let mut rom = vec![0; ROM_SIZE];
        rom[..image.bytes.len()].copy_from_slice(&image.bytes);
        Ok(Memory { rom, sram: vec![0; SRAM_SIZE], error_ranges: Vec::new() })
    }

    /// Byte offset of `addr` in the ROM (false) or SRAM (true), or None when it errors.
    fn locate(&self, addr: u32, size: u8) -> Option<(bool, usize)> {
        if self.error_ranges.iter().any(|&(s, e)| addr >= s && addr < e) {
            return None;
        }
        let end = addr.checked_add(size as u32)?;
        if end <= ROM_BASE + ROM_SIZE as u32 {
            Some((false, (addr - ROM_BASE) as usize))
        } else if addr >= SRAM_BASE && end <= SRAM_BASE + SRAM_SIZE as u32 {
            Some((true, (addr - SRAM_BASE) as usize))
        } else {
            None
        }
    }

    fn bytes(&self, sram: bool) -> &[u8] {
        if sram {
            &self.sram
        } else {
            &self.rom
        }
    }

    /// Reads `size` bytes little-endian.
    pub fn load(&self, addr: u32, size: u8) -> Option<u32> {
        let (sram, off) = self.locate(addr, size)?;
        let b = self.bytes(sram);
        Some((0..size as usize).fold(0, |v, i| v | (b[off + i] as u32) << (8 * i)))
    }

    /// Writes `size` bytes; the ROM is writable from the bus on purpose (the programs keep their
    /// data in SRAM, and a write to ROM is still compared with the ISS).
    pub fn store(&mut self, addr: u32, size: u8, value: u32) -> bool {
        let Some((sram, off)) = self.locate(addr, size) else { return false };
        let b = if sram { &mut self.sram } else { &mut self.rom };
        for i in 0..size as usize {
            b[off + i] = (value >> (8 * i)) as u8;
        }
        true
    }
}

impl Bus for Memory {
    fn read(&mut self, addr: u32, size: u8) -> Result<u32, BusFault> {
        self.load(addr, size).ok_or(BusFault { addr })
    }
    fn write(&mut self, addr: u32, size: u8, value: u32) -> Result<(), BusFault> {
        if self.store(addr, size, value) {
            Ok(())
        } else {
            Err(BusFault { addr })
        }
    }
}

/// Interrupt inputs over time: piecewise constant from each listed cycle on (ISS numbering: the
/// first instruction starts in cycle 0).
#[derive(Clone, Debug, Default)]
pub struct IrqPlan {
    /// (from cycle, IRQ lines, NMI, RXEV), sorted by cycle.
    pub steps: Vec<(u64, u32, bool, bool)>,
}

impl IrqSource for IrqPlan {
    fn at(&self, cycle: u64) -> (u32, bool, bool) {
        let i = self.steps.partition_point(|s| s.0 <= cycle);
        if i == 0 {
            (0, false, false)
        } else {
            let s = self.steps[i - 1];
            (s.1, s.2, s.3)
        }
    }
}

/// A system's interrupt inputs as its core saw them, recorded cycle by cycle (monitor mode): the
/// ISS is handed what the RTL's own sources (engine done, UART) did. The ISS asks only for cycles
/// up to the end of the record it is checking, which the RTL has already run.
#[derive(Clone, Default)]
struct Recorded(Arc<Mutex<Vec<(u32, bool, bool)>>>);

impl IrqSource for Recorded {
    fn at(&self, cycle: u64) -> (u32, bool, bool) {
        let v = self.0.lock().expect("recorded inputs");
        v.get(cycle as usize).or(v.last()).copied().unwrap_or_default()
    }
}

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Give up after this many cycles.
    pub max_cycles: u64,
    /// Wait states per data phase are drawn from 0..=max_waits (0: zero-wait memory, cycles compared).
    pub max_waits: u32,
    /// Seed of the wait-state draw.
    pub wait_seed: u64,
    pub irq: IrqPlan,
    /// Address ranges that answer ERROR.
    pub error_ranges: Vec<(u32, u32)>,
    /// The run is expected to end in LOCKUP rather than SYS_EXIT.
    pub expect_lockup: bool,
    /// Who answers the core's bus: the harness's memory, or a system around the core.
    pub bus: BusMode,
    /// Loads the image into the DUT while reset is held (systems with their own ROM).
    pub loader: Option<fn(&mut dyn Dut, &Image) -> Result<(), String>>,
    /// Prefix of the core's ports in a multi-core system (`sec_`, `app_`); empty otherwise.
    pub core: &'static str,
    /// A port that holds this core in reset apart from `rst_n` (the core starts when it is 1).
    pub core_reset: Option<&'static str>,
}

/// Who answers the core's AHB transfers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusMode {
    /// `pluton_m0` alone: the harness drives HRDATA/HREADY/HRESP from its own memory.
    Drive,
    /// A system top that contains the core: the harness watches the core's bus on the `mon_*`
    /// ports. Reads at or above `mmio_base` are device registers: the ISS is given the value
    /// the RTL read (their effects are checked by the test's output instead).
    Monitor { mmio_base: u32 },
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            max_cycles: 20_000_000,
            max_waits: 0,
            wait_seed: 1,
            irq: IrqPlan::default(),
            error_ranges: Vec::new(),
            expect_lockup: false,
            bus: BusMode::Drive,
            loader: None,
            core: "",
            core_reset: None,
        }
    }
}

/// What a run produced and measured.
#[derive(Clone, Debug, Default)]
pub struct RunResult {
    pub output: String,
    /// SYS_EXIT with ADP_Stopped_ApplicationExit (or the expected lockup).
    pub success: bool,
    pub instructions: u64,
    pub entries: u64,
    /// Cycles from the first instruction on, halted cycles excluded.
    pub cycles: u64,
    /// Cycles spent in instruction records (for CPI).
    pub instruction_cycles: u64,
    /// Records whose cycles were compared with the ISS.
    pub timed_records: u64,
    pub wait_states: u64,
    /// Exception numbers entered, counted.
    pub exceptions: BTreeMap<u32, u64>,
    /// Device-register reads (monitor mode): address and the value the core received.
    pub device_reads: Vec<(u32, u32)>,
    /// Device-register writes the system accepted (monitor mode): address and value.
    pub device_writes: Vec<(u32, u32)>,
}

/// Port ids of one core, looked up once: `pluton_m0`'s own ports (drive mode), or a system's
/// `<core>mon_*`, `<core>trc_*` and status ports (monitor mode).
struct Ports {
    haddr: usize,
    htrans: usize,
    hsize: usize,
    hburst: Option<usize>,
    hprot: usize,
    hwrite: usize,
    hwdata: usize,
    hrdata: usize,
    hready: usize,
    hresp: usize,
    /// The core's IRQ lines (`IRQ`), or a system's external IRQ input if it has one.
    irq: Option<usize>,
    /// The core's whole IRQ input of a system (monitor mode).
    mon_irq: Option<usize>,
    /// A UART-like byte output of a system (its bytes join the semihosting output).
    tx_valid: Option<usize>,
    tx_byte: Option<usize>,
    nmi: Option<usize>,
    rxev: Option<usize>,
    /// The core's own reset, if the system holds it apart from `rst_n` (the follower starts
    /// when it rises).
    core_rst_n: Option<usize>,
    lockup: usize,
    halted: usize,
    dbgrestart: usize,
    sysresetreq: usize,
    retire: usize,
    exc: usize,
    excnum: usize,
    pc: usize,
    rf_we: usize,
    rf_idx: usize,
    rf_data: usize,
    apsr: usize,
    ipsr: usize,
    control: usize,
    primask: usize,
}

impl Ports {
    fn find(dut: &dyn Dut, cfg: &RunConfig) -> Result<Ports, String> {
        let core = cfg.core;
        let p = |n: &str| dut.port_id(&format!("{core}{n}")).ok_or_else(|| format!("{} has no port `{core}{n}`", dut.name()));
        let opt = |n: &str| dut.port_id(&format!("{core}{n}"));
        let drive = cfg.bus == BusMode::Drive;
        let b = |n: &str| if drive { p(n) } else { p(&format!("mon_{}", n.to_lowercase())) };
        Ok(Ports {
            haddr: b("HADDR")?,
            htrans: b("HTRANS")?,
            hsize: b("HSIZE")?,
            hburst: if drive { Some(p("HBURST")?) } else { None },
            hwrite: b("HWRITE")?,
            hprot: b("HPROT")?,
            hwdata: b("HWDATA")?,
            hrdata: b("HRDATA")?,
            hready: b("HREADY")?,
            hresp: b("HRESP")?,
            irq: if drive { Some(p("IRQ")?) } else { opt("irq_ext") },
            mon_irq: if drive { None } else { Some(p("mon_irq")?) },
            tx_valid: opt("tx_valid"),
            tx_byte: opt("tx_byte"),
            nmi: opt("NMI"),
            rxev: opt("RXEV"),
            core_rst_n: match cfg.core_reset {
                Some(n) => Some(dut.port_id(n).ok_or_else(|| format!("{} has no port `{n}`", dut.name()))?),
                None => None,
            },
            lockup: p("LOCKUP")?,
            halted: p("HALTED")?,
            dbgrestart: p("DBGRESTART")?,
            sysresetreq: p("SYSRESETREQ")?,
            retire: p("trc_retire")?,
            exc: p("trc_exc")?,
            excnum: p("trc_excnum")?,
            pc: p("trc_pc")?,
            rf_we: p("trc_rf_we")?,
            rf_idx: p("trc_rf_idx")?,
            rf_data: p("trc_rf_data")?,
            apsr: p("trc_apsr")?,
            ipsr: p("trc_ipsr")?,
            control: p("trc_control")?,
            primask: p("trc_primask")?,
        })
    }
}

/// An AHB data phase in progress.
#[derive(Clone, Copy, Debug)]
struct DataPhase {
    addr: u32,
    size: u8,
    write: bool,
    /// Wait states still to insert before it completes.
    waits: u32,
    /// ERROR response: 2 = first cycle next, 1 = second cycle next.
    error: u8,
}

/// splitmix64: the wait-state draw (deterministic per seed).
fn next_rand(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Everything the RTL did since its last record ended.
#[derive(Default)]
struct RtlRecord {
    regs: BTreeMap<u8, u32>,
    writes: Vec<(u32, u8, u32)>,
    cycles: u64,
    waits: u64,
    bus_error: bool,
}

const SEMIHOSTING_BKPT: u8 = 0xAB;

/// A device-register transfer the RTL completed: address, size, write, and the value read or
/// written (None: the system answered ERROR).
type MmioAccess = (u32, u8, bool, Option<u32>);

/// The ISS's view of memory: its own copy of the image, plus (in monitor mode) the device-register
/// transfers the RTL made, handed over in order: a read gets the RTL's value, and a transfer the
/// system refused faults on the ISS too.
struct IssBus {
    mem: Memory,
    mmio_base: Option<u32>,
    mmio: VecDeque<MmioAccess>,
}

impl IssBus {
    /// The RTL's next device transfer, if it is this one: the value read or written, or the
    /// system's refusal.
    fn device(&mut self, addr: u32, size: u8, write: bool) -> Result<u32, BusFault> {
        match self.mmio.pop_front() {
            Some((a, s, w, v)) if a == addr && s == size && w == write => v.ok_or(BusFault { addr }),
            // The ISS made a device transfer the RTL did not: an error record follows.
            _ => Err(BusFault { addr }),
        }
    }
}

impl Bus for IssBus {
    fn read(&mut self, addr: u32, size: u8) -> Result<u32, BusFault> {
        match self.mmio_base {
            Some(base) if addr >= base => self.device(addr, size, false),
            _ => self.mem.read(addr, size),
        }
    }
    fn write(&mut self, addr: u32, size: u8, value: u32) -> Result<(), BusFault> {
        match self.mmio_base {
            Some(base) if addr >= base => self.device(addr, size, true).map(|_| ()),
            _ => self.mem.write(addr, size, value),
        }
    }
}

/// Follows one core of a DUT in lock-step with its own ISS, cycle by cycle. A loop around it
/// steps the DUT; each cycle it calls `inputs` (pokes only), then `outputs` (peeks and checks),
/// then steps the DUT and calls `after_edge`. Several followers can share one DUT (a multi-core
/// system): all `inputs` first, then all `outputs`.
pub struct Follower {
    cfg: RunConfig,
    p: Ports,
    drive: bool,
    /// The harness's memory: in drive mode it answers the core; in monitor mode it checks the
    /// system's memory reads.
    mem: Memory,
    mmio_base: Option<u32>,
    iss: IssBus,
    cpu: Cpu,
    recorded: Recorded,
    semi: Semihost,
    res: RunResult,
    rng: u64,
    dp: Option<DataPhase>,
    /// The previous cycle's address phase while it was stalled (AHB-Lite: must be held).
    held: Option<(u32, u32, u32, u32)>,
    rec: RtlRecord,
    /// ISS cycle numbering: the RTL's cycle 6 after reset is ISS cycle 0 (README, "Reset").
    t: i64,
    rtl_cycle: u64,
    /// 0 running, 1 halted: pulse DBGRESTART now, 2 restart pulsed.
    halt_state: u8,
    halted: bool,
    halted_next: bool,
    /// HREADY and HRESP the harness drove this cycle (drive mode).
    answer: (bool, bool),
    records: u64,
    uart: Vec<u8>,
    /// Out of reset: the follower runs.
    started: bool,
    /// The program ended (SYS_EXIT or the expected lockup); the result is final.
    pub finished: bool,
}

impl Follower {
    /// Finds the core's ports and boots the ISS on `image`. The DUT is not touched.
    pub fn new(dut: &mut dyn Dut, image: &Image, cfg: &RunConfig) -> Result<Follower, String> {
        let p = Ports::find(dut, cfg)?;
        let drive = cfg.bus == BusMode::Drive;
        let mut mem = Memory::new(image)?;
        mem.error_ranges = cfg.error_ranges.clone();
        let mmio_base = match cfg.bus {
            BusMode::Drive => None,
            BusMode::Monitor { mmio_base } => Some(mmio_base),
        };
        let mut iss = IssBus { mem: mem.clone(), mmio_base, mmio: VecDeque::new() };
        let mut cpu = Cpu::new();
        let recorded = Recorded::default();
        if drive {
            cpu.set_irq_source(cfg.irq.clone());
        } else {
            cpu.set_irq_source(recorded.clone());
        }
        cpu.reset(&mut iss).map_err(|e| format!("ISS reset: vector fetch at {:#x} failed", e.addr))?;
        Ok(Follower {
            cfg: cfg.clone(),
            p,
            drive,
            mem,
            mmio_base,
            iss,
            cpu,
            recorded,
            semi: Semihost::default(),
            res: RunResult::default(),
            rng: cfg.wait_seed,
            dp: None,
            held: None,
            rec: RtlRecord::default(),
            t: -5,
            rtl_cycle: 0,
            halt_state: 0,
            halted: false,
            halted_next: false,
            answer: (true, false),
            records: 0,
            uart: Vec::new(),
            started: false,
            finished: false,
        })
    }

    /// Drives the core's inputs low (before reset).
    pub fn idle_inputs(&self, dut: &mut dyn Dut) {
        let mut inputs = vec![self.p.irq, self.p.nmi, self.p.rxev, Some(self.p.dbgrestart)];
        if self.drive {
            inputs.extend([Some(self.p.hready), Some(self.p.hresp), Some(self.p.hrdata)]);
        }
        for port in inputs.into_iter().flatten() {
            dut.poke_u32(port, 0);
        }
    }

    /// The core leaves reset: the coming edge is its first.
    pub fn start(&mut self, dut: &mut dyn Dut) {
        self.started = true;
        self.halted_next = dut.peek_u32(self.p.halted) == 1;
    }

    /// Instructions, cycles and output so far (final once `finished`).
    pub fn result(&self) -> &RunResult {
        &self.res
    }

    /// The write now in its data phase, as (address, HWDATA): a bridge may complete the APB
    /// side of a write (and the target act on it) before HREADY ends the AHB data phase.
    pub fn writing(&self, dut: &mut dyn Dut) -> Option<(u32, u32)> {
        self.dp.filter(|d| d.write && self.started && !self.finished).map(|d| (d.addr, dut.peek_u32(self.p.hwdata)))
    }

    fn active(&mut self, dut: &mut dyn Dut) -> bool {
        if !self.started && !self.finished {
            if let Some(r) = self.p.core_rst_n {
                if dut.peek_u32(r) == 1 {
                    self.start(dut);
                }
            }
        }
        self.started && !self.finished
    }

    /// This cycle's inputs: IRQ plan, the memory's answer (drive mode), the debug restart.
    pub fn inputs(&mut self, dut: &mut dyn Dut) -> Result<(), String> {
        if !self.active(dut) {
            return Ok(());
        }
        let p = &self.p;
        self.rtl_cycle += 1;
        if self.rtl_cycle > self.cfg.max_cycles {
            return Err(format!("no SYS_EXIT within {} cycles (pc of last record {:#x})", self.cfg.max_cycles, self.cpu.pc));
        }
        let (irq, nmi, rxev) = if self.t >= 0 { self.cfg.irq.at(self.t as u64) } else { (0, false, false) };
        for (port, v) in [(p.irq, irq), (p.nmi, nmi as u32), (p.rxev, rxev as u32)] {
            if let Some(port) = port {
                dut.poke_u32(port, v);
            }
        }
        if self.drive {
            let (hready, hresp, hrdata) = match self.dp {
                None => (true, false, 0),
                Some(d) if d.error == 2 => (false, true, 0),
                Some(d) if d.error == 1 => (true, true, 0),
                Some(d) if d.waits > 0 => (false, false, 0xDEAD_BEEF),
                Some(d) if d.write => (true, false, 0),
                Some(d) => (true, false, self.mem.load(d.addr & !3, 4).unwrap_or(0)),
            };
            dut.poke_u32(p.hready, hready as u32);
            dut.poke_u32(p.hresp, hresp as u32);
            dut.poke_u32(p.hrdata, hrdata);
            self.answer = (hready, hresp);
        }
        // HALTED comes from a flop: last cycle's value after the edge is this cycle's, so the
        // restart pulse is poked before the first peek (one settle per cycle, not two).
        self.halted = self.halted_next;
        if self.halted && self.halt_state == 1 {
            dut.poke_u32(p.dbgrestart, 1);
            self.halt_state = 2;
        } else if self.halt_state == 2 {
            dut.poke_u32(p.dbgrestart, 0);
            if !self.halted {
                self.halt_state = 0;
            }
        }
        Ok(())
    }

    /// This cycle's outputs: bus checks, data phases, trace, and the record comparison when the
    /// RTL ends a record. Ok(true) when the program has ended.
    pub fn outputs(&mut self, dut: &mut dyn Dut) -> Result<bool, String> {
        if !self.started || self.finished {
            return Ok(self.finished);
        }
        let rtl_cycle = self.rtl_cycle;
        let p = &self.p;
        let drive = self.drive;
        if dut.peek_u32(p.halted) != self.halted as u32 {
            return Err(format!("cycle {rtl_cycle}: HALTED changed between edges"));
        }
        let (hready, hresp) = if drive { self.answer } else { (dut.peek_u32(p.hready) == 1, dut.peek_u32(p.hresp) == 1) };
        let htrans = dut.peek_u32(p.htrans);
        let haddr = dut.peek_u32(p.haddr);
        let hwrite = dut.peek_u32(p.hwrite);
        let hsize = dut.peek_u32(p.hsize);
        if htrans != 0 && htrans != 2 {
            return Err(format!("cycle {rtl_cycle}: HTRANS = {htrans}; the core may only issue IDLE or NONSEQ"));
        }
        if htrans == 2 {
            if hsize > 2 || haddr & ((1 << hsize) - 1) != 0 {
                return Err(format!("cycle {rtl_cycle}: unaligned or bad transfer HADDR {haddr:#x} HSIZE {hsize}"));
            }
            if p.hburst.is_some_and(|b| dut.peek_u32(b) != 0) {
                return Err(format!("cycle {rtl_cycle}: HBURST must be SINGLE"));
            }
            // The core is always privileged (no unprivileged Thread mode): HPROT[1] = 1, [3:2] = 0.
            let hprot = dut.peek_u32(p.hprot);
            if hprot & 0b1110 != 0b0010 {
                return Err(format!("cycle {rtl_cycle}: HPROT = {hprot:#06b} at {haddr:#x}; a privileged core drives x010 (bit 0: data)"));
            }
        }
        // A stalled address phase must not change, unless the stall is an ERROR response. An IDLE
        // one stays IDLE: the contract's address phase is a function of frozen state, so no
        // transfer starts in a wait state (AHB-Lite would allow IDLE -> NONSEQ; this core never
        // does it).
        if let Some(h) = self.held {
            let now = (htrans, haddr, hwrite, hsize);
            let changed = if h.0 == 2 { now != h } else { htrans != h.0 };
            if changed && !hresp {
                return Err(format!("cycle {rtl_cycle}: address phase changed during a wait state: {h:x?} -> {now:x?}"));
            }
        }

        // The rising edge: the data phase completes when HREADY is high.
        if hready {
            if let Some(d) = self.dp {
                let lane = (d.addr & 3) * 8;
                let mask = if d.size == 4 { u32::MAX } else { (1u32 << (8 * d.size as u32)) - 1 };
                let device = self.mmio_base.is_some_and(|b| d.addr >= b);
                if hresp {
                    self.rec.bus_error = true;
                    if device {
                        self.iss.mmio.push_back((d.addr, d.size, d.write, None));
                    }
                } else if d.write {
                    let value = (dut.peek_u32(p.hwdata) >> lane) & mask;
                    self.mem.store(d.addr, d.size, value);
                    self.rec.writes.push((d.addr, d.size, value));
                    if device {
                        self.iss.mmio.push_back((d.addr, d.size, true, Some(value)));
                        self.res.device_writes.push((d.addr, value));
                    }
                } else if !drive {
                    let value = (dut.peek_u32(p.hrdata) >> lane) & mask;
                    if device {
                        self.iss.mmio.push_back((d.addr, d.size, false, Some(value)));
                        self.res.device_reads.push((d.addr, value));
                    } else if self.mem.load(d.addr, d.size) != Some(value) {
                        return Err(format!(
                            "cycle {rtl_cycle}: the system's memory returned {value:#x} for {:#x} (size {}); the image holds {:x?}",
                            d.addr,
                            d.size,
                            self.mem.load(d.addr, d.size)
                        ));
                    }
                }
            }
            self.dp = None;
            self.held = None;
            if htrans == 2 {
                let size = 1u8 << hsize;
                let mapped = self.mem.locate(haddr, size).is_some();
                let waits = if self.cfg.max_waits == 0 || !drive { 0 } else { (next_rand(&mut self.rng) % (self.cfg.max_waits as u64 + 1)) as u32 };
                self.dp = Some(DataPhase { addr: haddr, size, write: hwrite == 1, waits, error: if mapped { 0 } else { 2 } });
            }
        } else {
            self.held = Some((htrans, haddr, hwrite, hsize));
            if !hresp {
                self.rec.waits += 1;
            }
            if let Some(d) = self.dp.as_mut() {
                if d.error == 2 {
                    d.error = 1;
                } else if d.waits > 0 {
                    d.waits -= 1;
                }
            }
        }
        if let (Some(v), Some(b)) = (p.tx_valid, p.tx_byte) {
            if dut.peek_u32(v) == 1 {
                self.uart.push(dut.peek_u32(b) as u8);
            }
        }

        // Trace of this cycle.
        if !self.halted && self.t >= 0 {
            self.rec.cycles += 1;
        }
        if let (Some(mon), true) = (p.mon_irq, self.t >= 0) {
            let (_, nmi, rxev) = self.cfg.irq.at(self.t as u64);
            self.recorded.0.lock().expect("recorded inputs").push((dut.peek_u32(mon), nmi, rxev));
        }
        // The reset sequence's MSP load (before cycle 6) is not part of any record.
        if dut.peek_u32(p.rf_we) == 1 && self.t >= 0 {
            self.rec.regs.insert(dut.peek_u32(p.rf_idx) as u8, dut.peek_u32(p.rf_data));
        }
        let retire = dut.peek_u32(p.retire) == 1;
        let lockup = dut.peek_u32(p.lockup) == 1;
        if dut.peek_u32(p.sysresetreq) == 1 {
            return Err(format!("cycle {rtl_cycle}: SYSRESETREQ asserted"));
        }
        if !retire {
            if lockup {
                return Err(format!("cycle {rtl_cycle}: RTL locked up without a lockup record"));
            }
            return Ok(false);
        }
        self.records += 1;
        let records = self.records;
        let r = self.cpu.step(&mut self.iss);
        compare(dut, p, &r, &self.cpu, &self.rec, records).map_err(|e| format!("record {records} (RTL cycle {rtl_cycle}): {e}"))?;
        if let Some(extra) = self.iss.mmio.front() {
            return Err(format!("record {records}: the RTL accessed device register {:#x} but the ISS did not", extra.0));
        }
        let rec = std::mem::take(&mut self.rec);
        self.res.cycles += rec.cycles;
        self.res.wait_states += rec.waits;
        if rec.waits > 0 {
            self.cpu.add_stall(rec.cycles.saturating_sub(r.cycles as u64));
        }
        match r.exc {
            Some(n) => {
                self.res.entries += 1;
                *self.res.exceptions.entry(n).or_default() += 1;
            }
            None => {
                self.res.instructions += 1;
                self.res.instruction_cycles += rec.cycles;
            }
        }
        if rec.waits == 0 && !rec.bus_error {
            self.res.timed_records += 1;
        }
        match r.event {
            Event::Breakpoint(SEMIHOSTING_BKPT) => {
                let mem = &self.iss.mem;
                let mut read = |a: u32| mem.load(a, 1).map(|v| v as u8);
                match self.semi.service(self.cpu.reg(0), self.cpu.reg(1), &mut read)? {
                    Semi::Continue => {
                        self.cpu.resume_from_halt();
                        self.halt_state = 1;
                    }
                    Semi::Exit { success, reason } => {
                        self.end(success && !self.cfg.expect_lockup);
                        if !success {
                            self.res.output += &format!("\n[SYS_EXIT reason {reason:#x}]");
                        }
                        return Ok(true);
                    }
                }
            }
            Event::Breakpoint(imm) => return Err(format!("BKPT #{imm:#x} at {:#x} (only semihosting BKPT 0xAB is serviced)", r.pc)),
            _ => {}
        }
        if r.exc == Some(0) || lockup {
            if !(r.exc == Some(0) && lockup) {
                return Err(format!("lockup disagrees: RTL LOCKUP = {lockup}, ISS record {:?}", r.exc));
            }
            self.end(self.cfg.expect_lockup);
            return Ok(true);
        }
        Ok(false)
    }

    fn end(&mut self, success: bool) {
        self.finished = true;
        self.res.success = success;
        self.res.output = String::from_utf8_lossy(&self.uart).into_owned() + &String::from_utf8_lossy(&self.semi.out);
    }

    /// After the DUT's rising edge.
    pub fn after_edge(&mut self, dut: &mut dyn Dut) {
        if !self.started || self.finished {
            return;
        }
        if !self.halted {
            self.t += 1;
        }
        self.halted_next = dut.peek_u32(self.p.halted) == 1;
    }
}

/// Runs `image` on the RTL and the ISS in lock-step until SYS_EXIT (or the expected lockup).
/// An `Err` names the first disagreement, with the record and the cycle.
pub fn run(dut: &mut dyn Dut, image: &Image, cfg: &RunConfig) -> Result<RunResult, String> {
    let mut f = Follower::new(dut, image, cfg)?;
    let rst_n = dut.port_id("rst_n").ok_or_else(|| format!("{} has no port `rst_n`", dut.name()))?;
    f.idle_inputs(dut);
    dut.poke_u32(rst_n, 0);
    dut.step();
    if let Some(load) = cfg.loader {
        load(dut, image)?;
    }
    dut.step();
    dut.poke_u32(rst_n, 1);
    f.start(dut);
    loop {
        f.inputs(dut)?;
        if f.outputs(dut)? {
            return Ok(f.res);
        }
        dut.step();
        f.after_edge(dut);
    }
}

/// Compares one RTL record with the ISS's record `r` (after the ISS stepped).
fn compare(dut: &mut dyn Dut, p: &Ports, r: &Retired, cpu: &Cpu, rec: &RtlRecord, n: u64) -> Result<(), String> {
    let rtl_exc = dut.peek_u32(p.exc) == 1;
    let rtl_pc = dut.peek_u32(p.pc);
    let what = match r.exc {
        Some(e) => format!("ISS: entry to exception {e}, handler {:#x}", r.next_pc),
        None => format!("ISS: {:?} at {:#x}", r.instr, r.pc),
    };
    match r.exc {
        Some(e) => {
            let num = dut.peek_u32(p.excnum);
            if !rtl_exc || num != e {
                return Err(format!("{what}; RTL: {}", if rtl_exc { format!("entry to exception {num}") } else { format!("instruction at {rtl_pc:#x}") }));
            }
            if e != 0 && rtl_pc != r.next_pc {
                return Err(format!("{what}; RTL handler {rtl_pc:#x}"));
            }
        }
        None => {
            if rtl_exc {
                return Err(format!("{what}; RTL: entry to exception {}", dut.peek_u32(p.excnum)));
            }
            if rtl_pc != r.pc {
                return Err(format!("{what}; RTL instruction at {rtl_pc:#x}"));
            }
        }
    }
    let mut iss_regs = BTreeMap::new();
    for &(reg, v) in &r.reg_writes {
        iss_regs.insert(reg, v);
    }
    if iss_regs != rec.regs {
        return Err(format!("{what}: register writes differ (13 = MSP, 14 = LR, 15 = PSP)\n  ISS {iss_regs:x?}\n  RTL {:x?}", rec.regs));
    }
    if r.mem_writes != rec.writes {
        return Err(format!("{what}: memory writes differ (address, size, value)\n  ISS {:x?}\n  RTL {:x?}", r.mem_writes, rec.writes));
    }
    let f = cpu.flags;
    let apsr = (f.n as u32) << 3 | (f.z as u32) << 2 | (f.c as u32) << 1 | f.v as u32;
    let got = (dut.peek_u32(p.apsr), dut.peek_u32(p.ipsr), dut.peek_u32(p.control), dut.peek_u32(p.primask));
    let want = (apsr, cpu.ipsr, (cpu.spsel as u32) << 1 | cpu.npriv as u32, cpu.primask as u32);
    if got != want {
        return Err(format!("{what}: state after the record (NZCV, IPSR, CONTROL, PRIMASK) ISS {want:x?}, RTL {got:x?}"));
    }
    let lockup = r.exc == Some(0);
    if rec.waits == 0 && !rec.bus_error && !lockup && rec.cycles != r.cycles as u64 {
        return Err(format!("{what}: {} cycles on the RTL, {} in the timing contract (record {n})", rec.cycles, r.cycles));
    }
    Ok(())
}
