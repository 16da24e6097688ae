//! `pluton_models`: the Pluton reference models as Python classes, for cocotb scoreboards.
//!
//! Every method lives once, on the base class `Model` (over the generic driver in `sim.rs`);
//! each block's class only constructs its model.

mod sim;

use pluton_cosim::{FirewallModel, OtpModel, Sha256Model, WifiModel};
use pyo3::exceptions::{PyKeyError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt};
use sim::{words_of, Sim};
use std::sync::{Mutex, MutexGuard};

/// An unknown port is a KeyError; everything else the driver refuses is a ValueError.
fn refused(msg: String) -> PyErr {
    if msg.contains("has no port") {
        PyKeyError::new_err(msg)
    } else {
        PyValueError::new_err(msg)
    }
}

/// A cycle-accurate, port-level reference model of one Pluton block.
///
/// Ports are named as in `rtl/<module>.ports`; values are Python ints (any width). The clock is
/// driven by `step()`. `apb_write` / `apb_read` run a whole APB4 transfer (setup phase, access
/// phase, wait states until `pready`) and return after its completing edge, so a bench that
/// starts each transfer at the edge the RTL's starts at stays cycle for cycle in step (`edges`).
/// Do not construct this class itself: use `Sha256Model`, `FirewallModel`, `OtpModel` or
/// `WifiModel`.
#[pyclass(subclass, module = "pluton_models")]
pub struct Model {
    sim: Mutex<Sim>,
}

impl Model {
    fn new(dut: Box<dyn pluton_bindings::dut::Dut + Send>) -> Model {
        Model { sim: Mutex::new(Sim::new(dut)) }
    }
    fn sim(&self) -> MutexGuard<'_, Sim> {
        // A poisoned lock only means an earlier call panicked; the state is still the model's.
        self.sim.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl Model {
    /// The RTL module this model stands for, e.g. `pluton_sha256`.
    #[getter]
    fn name(&self) -> String {
        self.sim().name().to_string()
    }

    /// Rising clock edges so far (every `step`, including those inside `reset` and transfers).
    #[getter]
    fn edges(&self) -> u64 {
        self.sim().edges
    }

    /// Access cycles a transfer may wait for `pready` before RuntimeError (default 10,000).
    #[getter]
    fn get_max_waits(&self) -> u32 {
        self.sim().max_waits
    }
    #[setter]
    fn set_max_waits(&self, n: u32) {
        self.sim().max_waits = n;
    }

    /// The ports as `(name, "in"|"out", width)` tuples, in declaration order.
    fn ports(&self) -> Vec<(String, &'static str, u32)> {
        self.sim()
            .ports()
            .iter()
            .map(|p| (p.name.clone(), if p.dir == pluton_bindings::dut::Dir::In { "in" } else { "out" }, p.width))
            .collect()
    }

    /// Drive input `port` with the non-negative int `value` (it must fit the port's width).
    /// Takes effect on outputs at the next `peek` and at the next edge.
    fn poke(&self, port: &str, value: &Bound<'_, PyInt>) -> PyResult<()> {
        let mut sim = self.sim();
        let width = sim.port(port).map_err(refused)?.1.width;
        if value.lt(0)? {
            return Err(PyValueError::new_err(format!("cannot poke a negative value into `{port}`")));
        }
        let bits: u64 = value.call_method0("bit_length")?.extract()?;
        if bits > width as u64 {
            return Err(PyValueError::new_err(format!("value needs {bits} bits; `{port}` has {width}")));
        }
        let n = words_of(width);
        let bytes: Vec<u8> = value.call_method1("to_bytes", (4 * n, "little"))?.extract()?;
        let words: Vec<u32> = bytes.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        sim.poke(port, &words).map_err(refused)
    }

    /// The current value of `port` as an int (outputs are settled from the state and inputs).
    fn peek<'py>(&self, py: Python<'py>, port: &str) -> PyResult<Bound<'py, PyAny>> {
        let words = self.sim().peek(port).map_err(refused)?;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        py.get_type::<PyInt>().call_method1("from_bytes", (PyBytes::new(py, &bytes), "little"))
    }

    /// `n` clock periods (rising edge, then falling edge), default 1.
    #[pyo3(signature = (n = 1))]
    fn step(&self, n: u64) {
        self.sim().step(n);
    }

    /// Hold `rst_n` low for two edges, then drive it high (asynchronous reset, as in the RTL).
    fn reset(&self) -> PyResult<()> {
        self.sim().reset().map_err(refused)
    }

    /// One APB4 write transfer of `data` to byte address `addr` from master `pmaster` with byte
    /// strobes `pstrb`; returns `pslverr` of the completing cycle (True = refused).
    #[pyo3(signature = (addr, data, pmaster = 0, pstrb = 0xF))]
    fn apb_write(&self, addr: u32, data: u32, pmaster: u32, pstrb: u32) -> PyResult<bool> {
        let done = self.sim().apb_write(addr, data, pmaster, pstrb).map_err(transfer_error)?;
        Ok(done.slverr)
    }

    /// One APB4 read transfer of byte address `addr` from master `pmaster`; returns
    /// `(prdata, pslverr)` of the completing cycle.
    #[pyo3(signature = (addr, pmaster = 0))]
    fn apb_read(&self, addr: u32, pmaster: u32) -> PyResult<(u32, bool)> {
        let done = self.sim().apb_read(addr, pmaster).map_err(transfer_error)?;
        Ok((done.data, done.slverr))
    }

    /// Access cycles with `pready` low in the last transfer that completed (0 for none).
    #[getter]
    fn last_waits(&self) -> u32 {
        self.sim().last_waits
    }

    fn __repr__(&self) -> String {
        let sim = self.sim();
        format!("<pluton_models model of {} at edge {}>", sim.name(), sim.edges)
    }
}

/// A transfer that never completed is a RuntimeError; a refused argument a ValueError.
fn transfer_error(msg: String) -> PyErr {
    if msg.contains("no pready") {
        PyRuntimeError::new_err(msg)
    } else {
        refused(msg)
    }
}

/// Reference model of `pluton_sha256`, the SHA-256 / HMAC-SHA256 engine (register map:
/// `rtl/pluton_sha256_regs.md`). All inputs start at 0, so it is held in reset until `rst_n`
/// is driven high (`reset()` does both).
#[pyclass(extends = Model, name = "Sha256Model", module = "pluton_models")]
pub struct Sha256;

/// Reference model of `pluton_firewall`, the IO firewall (8 windows, owners, rules, lock).
/// Forwarded accesses wait on the window's `m_pready`, which the bench drives.
#[pyclass(extends = Model, name = "FirewallModel", module = "pluton_models")]
pub struct Firewall;

/// Reference model of `pluton_otp`, the key fuses (64x40-bit OTP array, life cycle, locks),
/// starting from a blank fuse array.
#[pyclass(extends = Model, name = "OtpModel", module = "pluton_models")]
pub struct Otp;

/// Reference model of `pluton_wifi`, the Wi-Fi arbiter (the radio's command and event ports
/// are its `wifi_*` ports).
#[pyclass(extends = Model, name = "WifiModel", module = "pluton_models")]
pub struct Wifi;

#[pymethods]
impl Sha256 {
    #[new]
    fn new() -> (Self, Model) {
        (Sha256, Model::new(Box::new(Sha256Model::new())))
    }
}

#[pymethods]
impl Firewall {
    #[new]
    fn new() -> (Self, Model) {
        (Firewall, Model::new(Box::new(FirewallModel::new())))
    }
}

#[pymethods]
impl Otp {
    #[new]
    fn new() -> (Self, Model) {
        (Otp, Model::new(Box::new(OtpModel::new())))
    }
}

#[pymethods]
impl Wifi {
    #[new]
    fn new() -> (Self, Model) {
        (Wifi, Model::new(Box::new(WifiModel::new())))
    }
}

#[pymodule]
fn pluton_models(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_class::<Sha256>()?;
    m.add_class::<Firewall>()?;
    m.add_class::<Otp>()?;
    m.add_class::<Wifi>()?;
    m.add("DEFAULT_MAX_WAITS", sim::DEFAULT_MAX_WAITS)?;
    Ok(())
}
