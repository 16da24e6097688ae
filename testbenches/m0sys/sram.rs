//! SRAM bench (`pluton_sram`, the systems' `AhbRam` alone): the bench is the AHB-Lite master and the rest of the bus, and a reference memory checks every response, forwarding included.
//!
//! The reference is written from the AHB-Lite rules and `rust-hdl-src/src/m0sys/README.md`, not
//! from the RTL: a transfer's lanes come from `HSIZE`/`HADDR[1:0]` (little-endian); a write
//! changes its lanes at the edge that ends its data phase; a read returns the whole word as it is
//! after every earlier write (so a read whose address phase is a write's data phase sees that
//! write); `HSIZE` above a word, a misaligned address, or a write with `read_only` is the
//! two-cycle ERROR and changes nothing; IDLE and BUSY get OKAY without a wait state; outside a
//! data phase of its own the RAM drives `HRDATA = 0` (the mux ORs the slaves' read data and takes
//! `HREADYOUT`/`HRESP` from the data phase's owner). The core never
//! makes the write-then-read of one word that needs forwarding; here it is made on purpose.

use crate::regression::{Case, Ctx};
use pluton_bindings::Tb;
use pluton_hdl::m0sys::regs::SRAM_SIZE;
use rand::Rng;
use std::collections::VecDeque;

const WORDS: u32 = SRAM_SIZE / 4;
const IDLE: u32 = 0;
const BUSY: u32 = 1;
const NONSEQ: u32 = 2;
const SEQ: u32 = 3;
const BYTE: u32 = 0;
const HALF: u32 = 1;
const WORD: u32 = 2;
/// Every legal (HSIZE, byte offset) pair: four bytes, two halfwords, the word.
const SHAPES: [(u32, u32); 7] = [(BYTE, 0), (BYTE, 1), (BYTE, 2), (BYTE, 3), (HALF, 0), (HALF, 2), (WORD, 0)];

pub fn cases() -> Vec<Case> {
    vec![
        Case { name: "sram_directed", body: |ctx| Box::pin(directed(ctx)) },
        Case { name: "sram_random", body: |ctx| Box::pin(random(ctx)) },
    ]
}

/// Byte lanes of a transfer (bit i = `HWDATA[8i+7:8i]`), or `None` for an ERROR (above a word,
/// or not aligned to its size).
fn lanes(addr: u32, size: u32) -> Option<u32> {
    match size {
        BYTE => Some(1 << (addr & 3)),
        HALF if addr & 1 == 0 => Some(0b11 << (addr & 2)),
        WORD if addr & 3 == 0 => Some(0b1111),
        _ => None,
    }
}

fn mask32(lanes: u32) -> u32 {
    (0..4).filter(|i| lanes >> i & 1 == 1).map(|i| 0xff << (8 * i)).sum()
}

fn size_name(size: u32) -> String {
    match size {
        BYTE => "byte".into(),
        HALF => "halfword".into(),
        WORD => "word".into(),
        s => format!("HSIZE {s}"),
    }
}

/// One address phase the bench presents; it is held while HREADY is low.
#[derive(Clone, Copy, Debug)]
struct Phase {
    /// HSEL: the RAM; otherwise another slave on the bus owns the transfer.
    sel: bool,
    trans: u32,
    /// Byte address in the RAM (`HADDR[13:0]`).
    addr: u32,
    size: u32,
    write: bool,
    /// HWDATA in the write's data phase.
    data: u32,
    /// Wait states of the other slave's data phase (HREADY low from elsewhere).
    waits: u32,
}

impl Phase {
    fn idle() -> Phase {
        Phase { sel: false, trans: IDLE, addr: 0, size: WORD, write: false, data: 0, waits: 0 }
    }
    /// IDLE or BUSY with HSEL high: the RAM must ignore it.
    fn idle_sel(trans: u32, addr: u32) -> Phase {
        Phase { sel: true, trans, addr, ..Phase::idle() }
    }
    /// A BUSY before burst beat `beat`, with that beat's control signals (as AHB-Lite asks).
    fn busy_before(beat: Phase) -> Phase {
        Phase { trans: BUSY, data: 0, waits: 0, ..beat }
    }
    fn write(addr: u32, size: u32, data: u32) -> Phase {
        Phase { sel: true, trans: NONSEQ, addr, size, write: true, data, waits: 0 }
    }
    fn read(addr: u32, size: u32) -> Phase {
        Phase { sel: true, trans: NONSEQ, addr, size, write: false, data: 0, waits: 0 }
    }
    /// A transfer to another slave that holds HREADY low for `waits` cycles of its data phase.
    fn other(write: bool, waits: u32) -> Phase {
        Phase { sel: false, trans: NONSEQ, addr: 0x3ffc, size: WORD, write, data: 0, waits }
    }
    fn seq(self) -> Phase {
        Phase { trans: SEQ, ..self }
    }
    fn is_transfer(&self) -> bool {
        self.trans == NONSEQ || self.trans == SEQ
    }
    fn describe(&self) -> String {
        let t = ["IDLE", "BUSY", "NONSEQ", "SEQ"][self.trans as usize];
        if !self.sel {
            return match self.is_transfer() {
                true => format!("{t} to another slave, wait states: {}", self.waits),
                false => format!("{t}, HSEL low"),
            };
        }
        if !self.is_transfer() {
            return format!("{t} with HSEL high, HADDR {:#06x}", self.addr);
        }
        let what = if self.write { format!("write HWDATA {:#010x}", self.data) } else { "read".into() };
        format!("{t} {} {what}, HADDR {:#06x} (word {:#05x})", size_name(self.size), self.addr, self.addr >> 2)
    }
}

/// Who owns the current data phase, and what the RAM must answer in it.
#[derive(Clone, Copy, Debug)]
enum Data {
    /// No transfer: IDLE or BUSY, to the RAM (`true`: it answers OKAY without a wait state) or
    /// not.
    Idle(bool),
    /// Another slave's transfer with this many wait states still to come.
    Other(u32),
    Write(Phase, u32),
    /// A read, and the write (lanes, HWDATA) whose data phase was its address phase, if that
    /// write was to the same word: those bytes must be forwarded.
    Read(Phase, Option<(u32, u32)>),
    /// ERROR, first (`true`) or second cycle.
    Error(Phase, bool),
}

#[derive(Clone, Copy)]
struct Pins {
    hsel: usize,
    haddr: usize,
    htrans: usize,
    hsize: usize,
    hwrite: usize,
    hwdata: usize,
    hready: usize,
    read_only: usize,
    ld_we: usize,
    ld_addr: usize,
    ld_data: usize,
    hreadyout: usize,
    hresp: usize,
    hrdata: usize,
}

impl Pins {
    fn new(tb: &Tb) -> Result<Pins, String> {
        Ok(Pins {
            hsel: tb.port("hsel")?,
            haddr: tb.port("haddr")?,
            htrans: tb.port("htrans")?,
            hsize: tb.port("hsize")?,
            hwrite: tb.port("hwrite")?,
            hwdata: tb.port("hwdata")?,
            hready: tb.port("hready")?,
            read_only: tb.port("read_only")?,
            ld_we: tb.port("ld_we")?,
            ld_addr: tb.port("ld_addr")?,
            ld_data: tb.port("ld_data")?,
            hreadyout: tb.port("hreadyout")?,
            hresp: tb.port("hresp")?,
            hrdata: tb.port("hrdata")?,
        })
    }
}

/// What the run reached, for the summary and the coverage checks.
#[derive(Default)]
struct Stats {
    transfers: u64,
    reads: u64,
    /// Reads whose address phase was the data phase of a write to the same word.
    forwarded: u64,
    /// ... of which the write had fewer than four lanes (forwarded and stored bytes merged).
    forwarded_partial: u64,
    errors: u64,
    /// ERRORs after which the master turned its next transfer into IDLE.
    cancelled: u64,
    /// Cycles with HREADY low from another slave while the RAM saw an address phase.
    waited: u64,
}

/// The master, the rest of the bus and the reference memory.
struct AhbBench {
    tb: Tb,
    p: Pins,
    /// The reference memory: every word as the bench's own writes left it.
    mem: Vec<u32>,
    read_only: bool,
    queue: VecDeque<Phase>,
    data: Data,
    /// The RAM write whose data phase ended at the last edge: (word, lanes, HWDATA).
    committed: Option<(u32, u32, u32)>,
    history: VecDeque<String>,
    /// Chance that the master cancels its next transfer in an ERROR's first cycle, and that it
    /// turns an IDLE address phase into its next transfer while HREADY is low (both AHB-Lite).
    cancel_rate: f64,
    change_rate: f64,
    stats: Stats,
}

impl AhbBench {
    fn new(tb: &Tb) -> Result<AhbBench, String> {
        Ok(AhbBench {
            tb: tb.clone(),
            p: Pins::new(tb)?,
            mem: vec![0; WORDS as usize],
            read_only: false,
            queue: VecDeque::new(),
            data: Data::Idle(false),
            committed: None,
            history: VecDeque::new(),
            cancel_rate: 0.5,
            change_rate: 0.0,
            stats: Stats::default(),
        })
    }

    /// Fill the whole array through the loader port (the array has no reset) with `word(i)`.
    async fn load(&mut self, mut word: impl FnMut(&mut AhbBench) -> u32) {
        let (tb, p) = (self.tb.clone(), self.p);
        tb.poke_u32(p.hsel, 0);
        tb.poke_u32(p.htrans, IDLE);
        tb.poke_u32(p.hready, 1);
        tb.poke_u32(p.ld_we, 1);
        for i in 0..WORDS {
            let w = word(self);
            self.mem[i as usize] = w;
            tb.poke_u32(p.ld_addr, i);
            tb.poke_u32(p.ld_data, w);
            tb.rising_edge().await;
        }
        tb.poke_u32(p.ld_we, 0);
    }

    fn rand_u32(&self) -> u32 {
        self.tb.rng().gen()
    }

    fn failure(&self, msg: String) -> String {
        let hist: Vec<String> = self.history.iter().map(|h| format!("    {h}")).collect();
        format!("{msg}\n  last transfers accepted (oldest first):\n{}", hist.join("\n"))
    }

    /// One clock cycle: check the RAM's answer in the current data phase, drive HREADY and the
    /// next address phase, take the edge, and apply what the edge did to the reference.
    async fn cycle(&mut self, ctx: &Ctx) -> Result<(), String> {
        let (tb, p) = (self.tb.clone(), self.p);
        let c = tb.cycle();
        let out = |tb: &Tb| (tb.peek_u32(p.hreadyout), tb.peek_u32(p.hresp), tb.peek_u32(p.hrdata));
        let (rdy, resp, rdata) = out(&tb);

        // 1. What the RAM must answer now. Outside a data phase of its own only HRDATA = 0 is
        // required (the mux ORs every slave's read data and takes the owner's HREADYOUT/HRESP).
        let (want, what) = match self.data {
            Data::Idle(false) | Data::Other(_) => ((rdy, resp, 0), "another slave's data phase (or none)".to_string()),
            Data::Idle(true) => ((1, 0, 0), "the data phase of an IDLE or BUSY with HSEL high".to_string()),
            Data::Write(ph, _) => ((1, 0, 0), format!("the data phase of {}", ph.describe())),
            Data::Read(ph, _) => ((1, 0, self.mem[(ph.addr >> 2) as usize]), format!("the data phase of {}", ph.describe())),
            Data::Error(ph, first) => {
                let cyc = if first { "first" } else { "second" };
                ((u32::from(!first), 1, 0), format!("the {cyc} ERROR cycle of {}", ph.describe()))
            }
        };
        if let Data::Read(ph, fwd) = self.data {
            if rdata != want.2 {
                let diff: u32 = (0..4).filter(|i| (rdata ^ want.2) >> (8 * i) & 0xff != 0).map(|i| 1 << i).sum();
                let why = match fwd {
                    Some((l, d)) => format!(
                        "; its address phase was the data phase of a write to the same word (lanes {l:04b}, HWDATA {d:#010x}), \
                         whose bytes the RAM must forward (README: read right after a write to the same word)"
                    ),
                    None => String::new(),
                };
                return Err(self.failure(format!(
                    "cycle {c}: {} returned HRDATA {rdata:#010x}, expected {:#010x} (lanes {diff:04b} differ){why}",
                    ph.describe(),
                    want.2
                )));
            }
            ctx.count(1);
        }
        if (rdy, resp, rdata) != want {
            return Err(self.failure(format!(
                "cycle {c}: in {what} the RAM answers HREADYOUT {rdy}, HRESP {resp}, HRDATA {rdata:#010x}; expected {}, {}, {:#010x}",
                want.0, want.1, want.2
            )));
        }
        if matches!(self.data, Data::Error(..)) {
            ctx.count(1);
        }

        // 2. HREADY is the data phase owner's HREADYOUT.
        let hready = match self.data {
            Data::Other(waits) => waits == 0,
            Data::Idle(false) => true,
            _ => rdy == 1,
        };
        // 3. The master's choices while HREADY is low (AHB-Lite): in an ERROR's first cycle it may
        // cancel its next transfer (HTRANS to IDLE); during wait states it may turn an IDLE
        // address phase into a transfer. A NONSEQ or SEQ is otherwise held.
        if !hready {
            let front = self.queue.front().copied();
            let roll: f64 = tb.rng().gen();
            if matches!(self.data, Data::Error(_, true)) && front.is_some_and(|f| f.is_transfer()) && roll < self.cancel_rate {
                let f = self.queue.pop_front().unwrap();
                self.history.push_back(format!("cycle {c}: {} cancelled after the ERROR", f.describe()));
                // A SEQ may not follow the IDLE: the beats of its burst become single transfers.
                for ph in self.queue.iter_mut().take_while(|ph| ph.trans == SEQ || ph.trans == BUSY) {
                    *ph = if ph.trans == BUSY { Phase::idle() } else { Phase { trans: NONSEQ, ..*ph } };
                }
                self.queue.push_front(Phase::idle());
                self.stats.cancelled += 1;
            } else if front.is_some_and(|f| f.trans == IDLE) && self.queue.len() > 1 && roll < self.change_rate {
                self.queue.pop_front();
            }
            if self.queue.front().is_some_and(|f| f.sel) {
                self.stats.waited += 1;
            }
        }

        // 4. Drive the cycle. HWDATA carries noise outside a RAM write's data phase.
        let a = self.queue.front().copied().unwrap_or_else(Phase::idle);
        let hwdata = match self.data {
            Data::Write(ph, _) => ph.data,
            _ => self.rand_u32(),
        };
        tb.poke_u32(p.hsel, u32::from(a.sel));
        tb.poke_u32(p.haddr, a.addr);
        tb.poke_u32(p.htrans, a.trans);
        tb.poke_u32(p.hsize, a.size);
        tb.poke_u32(p.hwrite, u32::from(a.write));
        tb.poke_u32(p.hwdata, hwdata);
        tb.poke_u32(p.hready, u32::from(hready));
        tb.poke_u32(p.read_only, u32::from(self.read_only));
        tb.poke_u32(p.ld_we, 0);
        // The answer comes from flops (README): nothing driven in this cycle may change it.
        if out(&tb) != (rdy, resp, rdata) {
            return Err(self.failure(format!(
                "cycle {c}: the RAM's answer changed with this cycle's address phase ({}): a combinational path to HREADYOUT/HRESP/HRDATA",
                a.describe()
            )));
        }

        tb.rising_edge().await;

        // 5. What the edge did.
        if !hready {
            self.data = match self.data {
                Data::Other(w) => Data::Other(w - 1),
                Data::Error(ph, true) => Data::Error(ph, false),
                d => return Err(self.failure(format!("cycle {c}: HREADY low in {d:?}, which never waits"))),
            };
            self.committed = None;
            return Ok(());
        }
        self.committed = None;
        if let Data::Write(ph, l) = self.data {
            let w = (ph.addr >> 2) as usize;
            let m = mask32(l);
            self.mem[w] = (self.mem[w] & !m) | (ph.data & m);
            self.committed = Some((w as u32, l, ph.data));
        }
        let a = self.queue.pop_front().unwrap_or_else(Phase::idle);
        if a.is_transfer() || a.sel {
            self.history.push_back(format!("cycle {c}: {}", a.describe()));
            if self.history.len() > 8 {
                self.history.pop_front();
            }
        }
        self.data = if !a.is_transfer() {
            Data::Idle(a.sel)
        } else if !a.sel {
            Data::Other(a.waits)
        } else {
            self.stats.transfers += 1;
            match lanes(a.addr, a.size) {
                Some(l) if !(a.write && self.read_only) && a.write => Data::Write(a, l),
                Some(_) if !a.write => {
                    self.stats.reads += 1;
                    let fwd = self.committed.filter(|&(w, _, _)| w == a.addr >> 2).map(|(_, l, d)| (l, d));
                    if let Some((l, _)) = fwd {
                        self.stats.forwarded += 1;
                        self.stats.forwarded_partial += u64::from(l != 0b1111);
                    }
                    Data::Read(a, fwd)
                }
                _ => {
                    self.stats.errors += 1;
                    Data::Error(a, true)
                }
            }
        };
        Ok(())
    }

    /// Run until every queued address phase is accepted and its data phase is over.
    async fn drain(&mut self, ctx: &Ctx) -> Result<(), String> {
        while !self.queue.is_empty() || !matches!(self.data, Data::Idle(_)) {
            self.cycle(ctx).await?;
        }
        Ok(())
    }

    /// Read every word back (the array must hold exactly what the reference does).
    async fn scan(&mut self, ctx: &Ctx) -> Result<(), String> {
        for w in 0..WORDS {
            self.queue.push_back(Phase::read(4 * w, WORD));
            self.cycle(ctx).await?;
        }
        self.drain(ctx).await
    }

    fn metrics(&self, ctx: &Ctx) {
        let s = &self.stats;
        ctx.metric("transfers", s.transfers as f64);
        ctx.metric("reads", s.reads as f64);
        ctx.metric("forwarded_reads", s.forwarded as f64);
        ctx.metric("forwarded_partial", s.forwarded_partial as f64);
        ctx.metric("error_responses", s.errors as f64);
        ctx.metric("cancelled_after_error", s.cancelled as f64);
        ctx.metric("held_address_cycles", s.waited as f64);
    }
}

/// A byte pattern the directed test writes: every byte has bit 7 set, and the loaded words have
/// it clear in every byte, so a write changes every lane it touches.
fn write_pattern(b: &AhbBench) -> u32 {
    b.rand_u32() | 0x8080_8080
}

/// The directed sequences, each on words nothing else has written (`fresh`; section 3 also
/// touches their neighbours one address bit away).
async fn directed(ctx: Ctx) -> Result<(), String> {
    let mut b = AhbBench::new(&ctx.tb)?;
    b.load(|b| b.rand_u32() & 0x7f7f_7f7f).await;
    // Words in an order that spreads them over the address bits.
    let mut order = (0..WORDS).map(|i| (i * 1237 + 5) % WORDS);
    let mut fresh = move || 4 * order.next().expect("enough words");
    macro_rules! run {
        ($($ph:expr),* $(,)?) => {{
            $(b.queue.push_back($ph);)*
            b.queue.push_back(Phase::idle());
            b.drain(&ctx).await?;
        }};
    }

    // 1. Write then read of the same word, back to back, every write shape against every read
    //    shape (a narrow write then a word read checks the merge of forwarded and stored lanes);
    //    then the word again from the array.
    for (ws, wo) in SHAPES {
        for (rs, ro) in SHAPES {
            let x = fresh();
            run!(Phase::write(x + wo, ws, write_pattern(&b)), Phase::read(x + ro, rs), Phase::read(x, WORD));
        }
    }
    // 2. Write, write, read of one word: the first write is in the array, the second forwarded.
    for (s1, o1) in SHAPES {
        for (s2, o2) in SHAPES {
            let x = fresh();
            let d1 = write_pattern(&b);
            let d2 = (d1 ^ 0x0f0f_0f0f) | 0x8080_8080;
            run!(Phase::write(x + o1, s1, d1), Phase::write(x + o2, s2, d2), Phase::read(x, WORD));
        }
    }
    // The bench's own check of itself: each of the 98 reads above came right after a write to its
    // word, 84 of them after a partial one.
    if (b.stats.forwarded, b.stats.forwarded_partial) != (98, 84) {
        return Err(format!("the bench made {} forwarded reads ({} partial), not 98 (84)", b.stats.forwarded, b.stats.forwarded_partial));
    }
    // Two words interleaved: each read follows a write to the other word, or to its own.
    for (s, o) in SHAPES {
        let (x, y) = (fresh(), fresh());
        run!(
            Phase::write(x + o, s, write_pattern(&b)),
            Phase::write(y + o, s, write_pattern(&b)),
            Phase::read(y, WORD),
            Phase::read(x, WORD),
            Phase::write(x, WORD, write_pattern(&b)),
            Phase::read(y + o, s),
        );
    }
    // 3. A read of another word right after a write: no forwarding, whichever address bit differs.
    for k in 0..12 {
        let x = fresh();
        let y = x ^ (4 << k);
        run!(Phase::write(y, WORD, write_pattern(&b)), Phase::write(x, WORD, write_pattern(&b)), Phase::read(y, WORD), Phase::read(x, WORD));
        run!(Phase::write(x + 1, BYTE, write_pattern(&b)), Phase::read(y, WORD));
    }
    // 4. IDLE and BUSY between the write and the read (with HSEL high or low): the array has it.
    for (s, o) in SHAPES {
        for gap in [Phase::idle(), Phase::idle_sel(IDLE, 0), Phase::idle_sel(BUSY, 0)] {
            let x = fresh();
            // The IDLE/BUSY names the same word: the RAM must not take it for a read.
            let gap = if gap.sel { Phase { addr: x, ..gap } } else { gap };
            run!(Phase::write(x + o, s, write_pattern(&b)), gap, Phase::read(x, WORD));
            run!(Phase::write(x + o, s, write_pattern(&b)), gap, gap, Phase::read(x + o, s));
        }
    }
    // 5. HREADY low from another slave: the RAM's next address phase is held through the wait
    //    states (and must be taken once, at the edge with HREADY high).
    for waits in 0..4 {
        for (s, o) in [(BYTE, 2), (HALF, 0), (WORD, 0)] {
            let x = fresh();
            run!(Phase::write(x + o, s, write_pattern(&b)), Phase::other(false, waits), Phase::read(x, WORD));
            // The write itself held, then the read right after it.
            run!(Phase::other(true, waits), Phase::write(x + o, s, write_pattern(&b)), Phase::read(x, WORD));
            // A read held behind a waiting slave, then a write and a read back to back.
            run!(Phase::other(false, waits), Phase::read(x, WORD), Phase::write(x + o, s, write_pattern(&b)), Phase::read(x + o, s));
        }
    }
    // 6. ERRORs: above a word, misaligned; the master cancels (or not) its next transfer. An
    //    erroring write changes nothing and forwards nothing; an erroring read right after a
    //    write does not disturb the next read.
    let bad = [(HALF, 1), (HALF, 3), (WORD, 1), (WORD, 2), (WORD, 3), (3, 0), (4, 0), (7, 0)];
    for (s, o) in bad {
        let x = fresh();
        run!(Phase::write(x + o, s, write_pattern(&b)), Phase::read(x, WORD), Phase::read(x, WORD));
        run!(Phase::write(x, WORD, write_pattern(&b)), Phase::read(x + o, s), Phase::read(x, WORD));
        run!(Phase::read(x + o, s), Phase::write(x + o, s, write_pattern(&b)), Phase::read(x, WORD));
    }
    // 7. ROM (`read_only`): a write is an ERROR, the array and the forwarding see nothing.
    b.read_only = true;
    for (s, o) in SHAPES {
        let x = fresh();
        run!(Phase::write(x + o, s, write_pattern(&b)), Phase::read(x, WORD), Phase::read(x + o, s));
    }
    b.read_only = false;
    // 8. Bursts: INCR4 of words, of bytes into one word (then read: four merged writes), with BUSY.
    let x = fresh() & !0xf;
    run!(
        Phase::write(x, WORD, write_pattern(&b)),
        Phase::write(x + 4, WORD, write_pattern(&b)).seq(),
        Phase::write(x + 8, WORD, write_pattern(&b)).seq(),
        Phase::write(x + 12, WORD, write_pattern(&b)).seq(),
        Phase::read(x + 12, WORD),
        Phase::read(x, WORD),
        Phase::read(x + 4, WORD).seq(),
        Phase::read(x + 8, WORD).seq(),
    );
    let x = fresh();
    run!(
        Phase::write(x, BYTE, write_pattern(&b)),
        Phase::write(x + 1, BYTE, write_pattern(&b)).seq(),
        Phase::busy_before(Phase::write(x + 2, BYTE, 0).seq()),
        Phase::write(x + 2, BYTE, write_pattern(&b)).seq(),
        Phase::write(x + 3, BYTE, write_pattern(&b)).seq(),
        Phase::read(x, WORD),
    );
    b.scan(&ctx).await?;

    b.metrics(&ctx);
    Ok(())
}

/// The random test's next address phase(s). `last` is the RAM transfer just before, which the
/// next one may continue as a burst.
fn next_phases(rng: &mut impl Rng, hot: &[u32], last: Option<Phase>) -> Vec<Phase> {
    let data: u32 = rng.gen();
    if let Some(l) = last.filter(|l| (l.addr & 0x3ff) + (1 << l.size) < 0x400) {
        // The next beat of an incrementing burst (inside its 1 KB), sometimes after a BUSY.
        if rng.gen_bool(0.12) {
            let beat = Phase { addr: l.addr + (1 << l.size), data, ..l }.seq();
            return match rng.gen_bool(0.2) {
                true => vec![Phase::busy_before(beat), beat],
                false => vec![beat],
            };
        }
    }
    let word = if rng.gen_bool(0.85) { hot[rng.gen_range(0..hot.len())] } else { rng.gen_range(0..WORDS) };
    let (size, off) = SHAPES[rng.gen_range(0..SHAPES.len())];
    let addr = 4 * word + off;
    match rng.gen_range(0..100) {
        // A write and a read of its word back to back: the forwarding, with any two shapes.
        0..=9 => {
            let (rs, ro) = SHAPES[rng.gen_range(0..SHAPES.len())];
            vec![Phase::write(addr, size, data), Phase::read(4 * word + ro, rs)]
        }
        10..=39 => vec![Phase::write(addr, size, data)],
        40..=79 => vec![Phase::read(addr, size)],
        80..=83 => vec![Phase::idle()],
        84..=87 => vec![Phase::idle_sel(IDLE, addr)],
        88..=95 => vec![Phase::other(rng.gen_bool(0.5), rng.gen_range(0..4))],
        // Above a word or misaligned: ERROR.
        _ => {
            let (size, off) = [(HALF, 1), (HALF, 3), (WORD, 1), (WORD, 2), (WORD, 3), (3, 0), (5, 0)][rng.gen_range(0..7)];
            vec![Phase { size, addr: 4 * word + off, write: rng.gen_bool(0.5), data, ..Phase::read(0, WORD) }]
        }
    }
}

/// Random transfers, mostly on a few words that differ in one address bit, so writes and reads
/// of one word meet back to back; random sizes, IDLE, BUSY in bursts, another slave with wait
/// states, ERRORs (cancelled or not), stretches as a ROM. The seed is printed; `--seed N` or
/// `PLUTON_SEED=N` replays it.
async fn random(ctx: Ctx) -> Result<(), String> {
    let n = ctx.scale(5000);
    let mut b = AhbBench::new(&ctx.tb)?;
    b.change_rate = 0.3;
    b.load(|b| b.rand_u32()).await;
    let hot: Vec<u32> = {
        let mut rng = ctx.tb.rng();
        let x: u32 = rng.gen_range(0..WORDS);
        let y: u32 = rng.gen_range(0..WORDS);
        vec![x, x ^ 1, x ^ (WORDS / 2), y, y ^ 0x40]
    };
    let mut made = 0;
    while made < n {
        // A stretch of transfers, as a RAM or (one in five) as a ROM, from an idle bus.
        b.drain(&ctx).await?;
        // No burst continues across the idle bus (a SEQ must follow its burst's last beat).
        let mut last: Option<Phase> = None;
        b.read_only = ctx.tb.rng().gen_bool(0.2);
        for _ in 0..250.min(n - made) {
            let phases = next_phases(&mut *ctx.tb.rng(), &hot, last);
            last = phases.last().filter(|ph| ph.sel && ph.is_transfer() && lanes(ph.addr, ph.size).is_some()).copied();
            made += phases.iter().filter(|ph| ph.trans != BUSY).count();
            b.queue.extend(phases);
            b.cycle(&ctx).await?;
        }
    }
    b.drain(&ctx).await?;
    b.read_only = false;
    b.scan(&ctx).await?;
    b.metrics(&ctx);
    // The test is there for the forwarding: it must have met it often, partial writes too.
    let want = (n / 50) as u64;
    if b.stats.forwarded < want || b.stats.forwarded_partial < want / 2 {
        return Err(format!(
            "only {} forwarded reads ({} after a partial write) in {n} address phases: the random mix no longer reaches the forwarding",
            b.stats.forwarded, b.stats.forwarded_partial
        ));
    }
    Ok(())
}
