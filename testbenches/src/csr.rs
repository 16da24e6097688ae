//! CSR tests generated from a block's register map (as OpenTitan's `csr_tests`): reset values,
//! read-back of every RW field bit, every access-type refusal and every unmapped address.
//!
//! Nothing here is written per block: a bench names its map, where the map sits in its address
//! space, the requester allowed everywhere, and where refusals are logged (`CsrSpec`). A
//! register whose access has side effects says so in the map itself (`Register::csr`).

use crate::regression::{Case, Ctx, TestFuture};
use pluton_bindings::apb::{Apb, ApbError};
use pluton_hdl::common::regmap::{Access, CsrTest, RegMap, Register, ANY};
use rand::Rng;

/// How a block's CSR tests reach its map.
pub struct CsrSpec {
    pub map: &'static RegMap,
    /// `paddr` of the map's offset 0 (the firewall's config page sits at window 8).
    pub base: u32,
    /// `pmaster` for addresses no register covers (each register is reached by one of its own
    /// `readers`/`writers`).
    pub master: u32,
    pub log: ErrLog,
}

/// Where a refused access is recorded.
pub enum ErrLog {
    /// `ERR_INFO`: CODE | MASTER << 4 | WRITE << 8 | ADDR << 16 (OVERFLOW in bit 31), the codes
    /// being the map's `ERR_*` constants; any write clears it.
    ErrInfo,
    /// The firewall's `VIOL_INFO` (VALID | WRITE << 1 | CAUSE << 4 | MASTER << 8) and
    /// `VIOL_ADDR`, the causes being the map's `CAUSE_*` constants; a write to `VIOL_INFO` clears both.
    Viol,
}

/// Why an access is refused; each log names its own code for it.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    Unmapped,
    ReadWo,
    WriteRo,
    Strb,
    Master,
}

impl CsrSpec {
    fn code(&self, why: Refusal) -> u32 {
        let name = match (&self.log, why) {
            (ErrLog::ErrInfo, Refusal::Unmapped) => "ERR_UNMAPPED",
            (ErrLog::ErrInfo, Refusal::ReadWo) => "ERR_READ_WO",
            (ErrLog::ErrInfo, Refusal::WriteRo) => "ERR_WRITE_RO",
            (ErrLog::ErrInfo, Refusal::Strb) => "ERR_STRB",
            (ErrLog::ErrInfo, Refusal::Master) => "ERR_MASTER",
            (ErrLog::Viol, Refusal::Master) => "CAUSE_CFG_MASTER",
            (ErrLog::Viol, Refusal::Unmapped) => "CAUSE_UNMAPPED",
            // The config page has no write-only register.
            (ErrLog::Viol, Refusal::ReadWo | Refusal::WriteRo) => "CAUSE_ACCESS",
            (ErrLog::Viol, Refusal::Strb) => "CAUSE_STRB",
        };
        self.map.constant(name)
    }

    fn log_reg(&self) -> &'static Register {
        self.map.reg(match self.log {
            ErrLog::ErrInfo => "ERR_INFO",
            ErrLog::Viol => "VIOL_INFO",
        })
    }

    /// The value the log must hold after refusal `why` of `master`'s access at `paddr`.
    fn logged(&self, why: Refusal, master: u32, write: bool, paddr: u32) -> u32 {
        let code = self.code(why);
        match self.log {
            ErrLog::ErrInfo => code | master << 4 | (write as u32) << 8 | (paddr & 0xfff) << 16,
            ErrLog::Viol => 1 | (write as u32) << 1 | code << 4 | master << 8,
        }
    }
}

/// The generated tests of a block: three for every map, and the APB protocol test for a map
/// whose front end makes the protocol check (it lists `ERR_PROTOCOL`).
pub fn cases_for(spec: &CsrSpec) -> Vec<Case> {
    let mut cases = vec![
        Case { name: "csr_reset", body: reset_values },
        Case { name: "csr_rw", body: rw_bits },
        Case { name: "csr_refusals", body: refusals },
    ];
    if spec.map.constants.iter().any(|c| c.name == "ERR_PROTOCOL") {
        cases.push(Case { name: "csr_protocol", body: protocol });
    }
    cases
}

/// The register elements (array entries one by one) a test may touch.
fn elements(spec: &CsrSpec, keep: impl Fn(&Register) -> bool) -> Vec<(&'static Register, u32)> {
    spec.map.regs.iter().filter(|r| keep(r)).flat_map(|r| (0..r.count).map(move |i| (r, i))).collect()
}

fn spec_of(ctx: &Ctx) -> Result<&'static CsrSpec, String> {
    ctx.csr.ok_or_else(|| "this bench has no CSR spec".to_string())
}

/// A requester on one block's register map (addresses from the map, `pmaster` from its spec).
struct MapBus<'a> {
    apb: Apb,
    spec: &'a CsrSpec,
}

impl MapBus<'_> {
    fn addr(&self, r: &Register, i: u32) -> u32 {
        self.spec.base + r.addr(i)
    }

    /// A read by one of the register's readers.
    async fn read(&self, r: &Register, i: u32) -> Result<u32, String> {
        let apb = self.apb.with_master(r.first_master(false));
        apb.read(self.addr(r, i)).await.map_err(|e| format!("{}[{i}]: {e}", r.name))
    }

    /// A write by one of the register's writers.
    async fn write(&self, r: &Register, i: u32, v: u32) -> Result<(), String> {
        let apb = self.apb.with_master(r.first_master(true));
        apb.write(self.addr(r, i), v).await.map_err(|e| format!("{}[{i}]: {e}", r.name))
    }

    /// `master`'s access must be refused with PSLVERR (a read returning 0) and logged as `why`;
    /// the log is then cleared.
    async fn refused(&self, what: &str, master: u32, write: bool, paddr: u32, strb: u32, why: Refusal) -> Result<(), String> {
        match self.apb.with_master(master).transfer(write, paddr, 0xffff_ffff, strb).await {
            Err(ApbError::SlvErr { data, .. }) => {
                if !write && data != 0 {
                    return Err(format!("{what}: refused read returned {data:#010x}, not 0"));
                }
            }
            Err(e) => return Err(format!("{what}: {e}")),
            Ok(t) => return Err(format!("{what}: completed without PSLVERR (data {:#010x}); expected {why:?}", t.data)),
        }
        let log = self.spec.log_reg();
        let got = self.read(log, 0).await?;
        let want = self.spec.logged(why, master, write, paddr);
        if got != want {
            return Err(format!("{what}: {} = {got:#010x}, expected {want:#010x} ({why:?})", log.name));
        }
        if let ErrLog::Viol = self.spec.log {
            let addr = self.read(self.spec.map.reg("VIOL_ADDR"), 0).await?;
            if addr != paddr & 0xffff {
                return Err(format!("{what}: VIOL_ADDR = {addr:#x}, expected {paddr:#x}"));
            }
        }
        self.write(log, 0, 0).await?;
        let after = self.read(log, 0).await?;
        if after != 0 {
            return Err(format!("{what}: {} not cleared by a write ({after:#010x})", log.name));
        }
        Ok(())
    }
}

fn bus(ctx: &Ctx) -> Result<MapBus<'static>, String> {
    let spec = spec_of(ctx)?;
    Ok(MapBus { apb: Apb::new(&ctx.tb)?.with_master(spec.master), spec })
}

/// Every readable register whose value is fixed at reset reads its documented reset value, and
/// nothing is logged meanwhile.
fn reset_values(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let bus = bus(&ctx)?;
        for (r, i) in elements(bus.spec, |r| r.access.readable() && !matches!(r.csr, CsrTest::Live(_))) {
            let got = bus.read(r, i).await?;
            if got != r.reset {
                return Err(format!("{}[{i}] reads {got:#010x} after reset, the map says {:#010x}", r.name, r.reset));
            }
            ctx.count(1);
        }
        let log = bus.read(bus.spec.log_reg(), 0).await?;
        if log != 0 {
            return Err(format!("{} = {log:#010x} after the reset reads", bus.spec.log_reg().name));
        }
        Ok(())
    })
}

/// Each RW register (`Full`) holds every field bit: its field mask, a random pattern inside it and
/// zero read back as written (bits outside the fields are reserved: written 0), or the map's legal
/// values (`Legal`); a write with a partial strobe is refused and changes nothing; the reset value
/// is put back.
fn rw_bits(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let bus = bus(&ctx)?;
        let regs = elements(bus.spec, |r| r.access == Access::Rw && matches!(r.csr, CsrTest::Full | CsrTest::Legal(..)));
        if regs.is_empty() {
            return Err("the map has no RW register the test may write".into());
        }
        for (r, i) in regs {
            let mask = r.writable_mask();
            let pattern: u32 = ctx.tb.rng().gen();
            let generated = [mask, pattern & mask, 0];
            let values = match r.csr {
                CsrTest::Legal(values, _) => values,
                _ => &generated[..],
            };
            for &v in values {
                bus.write(r, i, v).await?;
                let got = bus.read(r, i).await?;
                if got != v {
                    return Err(format!("{}[{i}]: wrote {v:#010x}, read {got:#010x}", r.name));
                }
                ctx.count(1);
            }
            let what = format!("{}[{i}] written with pstrb 0b0111", r.name);
            bus.refused(&what, r.first_master(true), true, bus.addr(r, i), 0b0111, Refusal::Strb).await?;
            let got = bus.read(r, i).await?;
            let last = values[values.len() - 1];
            if got != last {
                return Err(format!("{what}: the register changed from {last:#010x} to {got:#010x}"));
            }
            bus.write(r, i, r.reset).await?;
            ctx.count(1);
        }
        Ok(())
    })
}

/// Reads of WO registers and writes to RO ones (which leave them unchanged) are refused, as is
/// every access to an unmapped word and every misaligned address in the map's space.
fn refusals(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let bus = bus(&ctx)?;
        for (r, i) in elements(bus.spec, |r| r.access == Access::Wo) {
            bus.refused(&format!("read of WO {}[{i}]", r.name), r.first_master(false), false, bus.addr(r, i), 0, Refusal::ReadWo).await?;
            ctx.count(1);
        }
        for (r, i) in elements(bus.spec, |r| r.access == Access::Ro && r.csr == CsrTest::Full) {
            let before = bus.read(r, i).await?;
            bus.refused(&format!("write to RO {}[{i}]", r.name), r.first_master(true), true, bus.addr(r, i), 0xf, Refusal::WriteRo).await?;
            let after = bus.read(r, i).await?;
            if after != before {
                return Err(format!("write to RO {}[{i}] changed it: {before:#010x} -> {after:#010x}", r.name));
            }
            ctx.count(1);
        }
        // Each register, read and written by the lowest-numbered requester its rules leave out.
        for (r, i) in elements(bus.spec, |r| r.readers != ANY || r.writers != ANY) {
            for write in [false, true] {
                let set = if write { r.writers } else { r.readers };
                let outsider = (!set).trailing_zeros();
                let what = format!("{} of {}[{i}] by master {outsider}", if write { "write" } else { "read" }, r.name);
                bus.refused(&what, outsider, write, bus.addr(r, i), 0xf, Refusal::Master).await?;
            }
            ctx.count(1);
        }
        // Every word of the map's space that no register covers, read and written.
        let words = 1u32 << (bus.spec.map.addr_bits - 2);
        for w in 0..words {
            let offset = 4 * w;
            if bus.spec.map.decode(offset).is_some() {
                continue;
            }
            for write in [false, true] {
                let what = format!("{} of unmapped offset {offset:#05x}", if write { "write" } else { "read" });
                bus.refused(&what, bus.spec.master, write, bus.spec.base + offset, 0xf, Refusal::Unmapped).await?;
            }
            ctx.count(1);
        }
        // Misaligned addresses inside each register.
        for r in bus.spec.map.regs {
            for b in 1..4 {
                let paddr = bus.addr(r, 0) + b;
                bus.refused(&format!("read of misaligned {paddr:#05x} ({})", r.name), r.first_master(false), false, paddr, 0, Refusal::Unmapped).await?;
            }
            ctx.count(1);
        }
        Ok(())
    })
}

/// APB protocol violations (issue 11): an access phase with no setup phase before it, alone or
/// straight after a completed transfer, completes at once with PSLVERR, returns 0, changes
/// nothing and logs `ERR_PROTOCOL`; a well-formed transfer right after works.
fn protocol(ctx: Ctx) -> TestFuture {
    Box::pin(async move {
        let bus = bus(&ctx)?;
        let raw = pluton_bindings::apb_agents::ApbRaw::new(&ctx.tb, "")?;
        let code = bus.spec.map.constant("ERR_PROTOCOL");
        let id = bus.spec.map.reg("ID");
        let (addr, master) = (bus.addr(id, 0), id.first_master(false));
        let log = bus.spec.log_reg();
        let expect_logged = |what: String, write: bool, paddr: u32, master: u32| {
            let want = code | master << 4 | (write as u32) << 8 | (paddr & 0xfff) << 16;
            let bus = &bus;
            async move {
                let got = bus.read(log, 0).await?;
                if got != want {
                    return Err(format!("{what}: {} = {got:#010x}, expected {want:#010x} (ERR_PROTOCOL)", log.name));
                }
                bus.write(log, 0, 0).await
            }
        };

        // 1. An access phase out of nowhere (penable with no setup phase before it).
        raw.idle().await;
        let (ready, err, data) = raw.cycle(true, true, false, addr, 0, master).await;
        raw.idle().await;
        if !(ready && err && data == 0) {
            return Err(format!("read of ID with no setup phase: pready {ready} pslverr {err} prdata {data:#010x}; expected an immediate PSLVERR with 0"));
        }
        expect_logged("access with no setup phase".into(), false, addr, master).await?;
        ctx.count(1);

        // 2. A good read, then psel and penable held high into a second access with no setup.
        raw.cycle(true, false, false, addr, 0, master).await;
        let first = raw.cycle(true, true, false, addr, 0, master).await;
        let second = raw.cycle(true, true, false, addr, 0, master).await;
        raw.idle().await;
        if first != (true, false, id.reset) {
            return Err(format!("well-formed read of ID gave {first:?}, expected (true, false, {:#010x})", id.reset));
        }
        if second != (true, true, 0) {
            return Err(format!("back-to-back access with no setup gave {second:?}, expected an immediate PSLVERR with 0"));
        }
        expect_logged("back-to-back access".into(), false, addr, master).await?;
        ctx.count(1);

        // 3. A write with no setup phase changes nothing (the first RW register the tests may write).
        if let Some((r, i)) = elements(bus.spec, |r| r.access == Access::Rw && matches!(r.csr, CsrTest::Full | CsrTest::Legal(..))).first().copied() {
            let before = bus.read(r, i).await?;
            let value = match r.csr {
                CsrTest::Legal(values, _) => values.iter().copied().find(|&v| v != before).unwrap_or(before),
                _ => !before & r.fields.iter().fold(0, |m, f| m | f.mask()),
            };
            let w_master = r.first_master(true);
            raw.idle().await;
            let (ready, err, _) = raw.cycle(true, true, true, bus.addr(r, i), value, w_master).await;
            raw.idle().await;
            if !(ready && err) {
                return Err(format!("write of {}[{i}] with no setup phase: pready {ready} pslverr {err}; expected an immediate PSLVERR", r.name));
            }
            let after = bus.read(r, i).await?;
            if after != before {
                return Err(format!("write of {}[{i}] with no setup phase changed it: {before:#010x} -> {after:#010x}", r.name));
            }
            expect_logged(format!("write of {} with no setup", r.name), true, bus.addr(r, i), w_master).await?;
            ctx.count(1);
        }
        // 4. The bus still works.
        let v = bus.read(id, 0).await?;
        if v != id.reset {
            return Err(format!("ID after the violations: {v:#010x}"));
        }
        Ok(())
    })
}
