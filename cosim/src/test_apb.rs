//! A tiny synchronous APB4 master: drives any `Dut` through its psel/penable/... ports (the
//! models' unit tests, and benches that step a Verilated model themselves).

use pluton_bindings::dut::{ApbPins, Dut};
use pluton_regs::common::regmap::apb_common::ERR_INFO_CODE;
use pluton_regs::common::regmap::Register;

/// How one transfer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// `prdata` in the completing cycle (0 for writes).
    pub data: u32,
    /// `pslverr` in the completing cycle.
    pub err: bool,
    /// Cycles with `pready = 0` before the transfer completed.
    pub waits: u32,
}

/// Port ids of the bus, looked up once by name (`self.psel`, ... through `Deref`).
pub struct Apb {
    pins: ApbPins,
    rst_n: usize,
    /// Rising edges driven through this helper.
    pub edges: u64,
}

impl std::ops::Deref for Apb {
    type Target = ApbPins;
    fn deref(&self) -> &ApbPins {
        &self.pins
    }
}

impl Apb {
    pub fn new(dut: &dyn Dut) -> Self {
        let pins = ApbPins::find(|n| dut.port_id(n)).unwrap_or_else(|missing| panic!("{} has no APB port(s) {}", dut.name(), missing.join(", ")));
        Apb { pins, rst_n: dut.port_id("rst_n").unwrap_or_else(|| panic!("no port rst_n")), edges: 0 }
    }

    /// One clock cycle.
    pub fn step(&mut self, dut: &mut dyn Dut) {
        dut.step();
        self.edges += 1;
    }

    /// Hold reset for two edges, then release it.
    pub fn reset(&mut self, dut: &mut dyn Dut) {
        dut.poke_u32(self.rst_n, 0);
        self.step(dut);
        self.step(dut);
        dut.poke_u32(self.rst_n, 1);
    }

    /// One transfer: a setup cycle, then access cycles until `pready`. Completes at the last edge.
    pub fn transfer(&mut self, dut: &mut dyn Dut, write: bool, addr: u32, data: u32, strb: u32, master: u32) -> Done {
        self.pins.drive_setup(dut, write, addr, data, strb, master);
        self.step(dut);
        dut.poke_u32(self.penable, 1);
        let mut waits = 0;
        let done = loop {
            if dut.peek_u32(self.pready) == 1 {
                let done = Done {
                    data: dut.peek_u32(self.prdata),
                    err: dut.peek_u32(self.pslverr) == 1,
                    waits,
                };
                self.step(dut);
                break done;
            }
            self.step(dut);
            waits += 1;
            assert!(waits < 10_000, "APB transfer to 0x{addr:03x} never completed");
        };
        dut.poke_u32(self.psel, 0);
        dut.poke_u32(self.penable, 0);
        done
    }

    pub fn write(&mut self, dut: &mut dyn Dut, addr: u32, data: u32) -> Done {
        self.transfer(dut, true, addr, data, 0b1111, 0)
    }
    pub fn write_strb(&mut self, dut: &mut dyn Dut, addr: u32, data: u32, strb: u32) -> Done {
        self.transfer(dut, true, addr, data, strb, 0)
    }
    pub fn read(&mut self, dut: &mut dyn Dut, addr: u32) -> Done {
        self.transfer(dut, false, addr, 0, 0, 0)
    }

    /// A read of `reg` (word 0) that must pass.
    pub fn read_ok(&mut self, dut: &mut dyn Dut, reg: &Register) -> u32 {
        let d = self.read(dut, reg.offset);
        assert!(!d.err, "read of {} refused", reg.name);
        d.data
    }

    /// A write of `reg` (word 0) that must pass.
    pub fn write_ok(&mut self, dut: &mut dyn Dut, reg: &Register, v: u32) {
        let d = self.write(dut, reg.offset, v);
        assert!(!d.err, "{} <- {v:#x} refused", reg.name);
    }

    /// The code in the block's ERR_INFO register `err_info`, which is then cleared.
    pub fn take_code(&mut self, dut: &mut dyn Dut, err_info: &Register) -> u32 {
        let c = ERR_INFO_CODE.get(self.read_ok(dut, err_info));
        self.write_ok(dut, err_info, 0);
        c
    }

    /// A transfer that must be refused at once (PRDATA 0, PSLVERR 1, no wait state): its ERR_INFO code.
    #[allow(clippy::too_many_arguments)]
    pub fn refused(&mut self, dut: &mut dyn Dut, err_info: &Register, write: bool, addr: u32, data: u32, strb: u32, master: u32) -> u32 {
        let d = self.transfer(dut, write, addr, data, strb, master);
        assert_eq!((d.data, d.err, d.waits), (0, true, 0), "{} 0x{addr:03x} <- {data:#x} by {master}", if write { "write" } else { "read" });
        self.take_code(dut, err_info)
    }
}
