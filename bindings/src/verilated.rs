//! Verilated RTL models behind the `Dut` trait, one per `rtl/<top>.ports` found at build time.

use crate::dut::{Dir, Dut, Port};
use std::ffi::c_void;
use std::ptr::NonNull;

/// One port as embedded at build time (static data, no allocation).
#[derive(Clone, Copy, Debug)]
pub struct PortSpec {
    pub name: &'static str,
    pub dir: Dir,
    pub width: u32,
}

/// A Verilated top known to this build: its ports, C++ sources, and the C entry points of its shim.
pub struct TopModel {
    pub name: &'static str,
    pub ports: &'static [PortSpec],
    /// Verilator's output folder for this top (headers and generated C++).
    pub model_dir: &'static str,
    /// The Verilog it was verilated from: hard-macro models first, then the top's file.
    pub verilog: &'static [&'static str],
    /// The generated C++ files compiled for this top (shim included).
    pub cpp_sources: &'static [&'static str],
    /// (rand_reset, seed): Verilator's `randReset` (0 all zero, 2 random) and `randSeed`.
    new: unsafe extern "C" fn(i32, i32) -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    eval: unsafe extern "C" fn(*mut c_void),
    step: unsafe extern "C" fn(*mut c_void),
    poke: unsafe extern "C" fn(*mut c_void, u32, *const u32),
    peek: unsafe extern "C" fn(*mut c_void, u32, *mut u32),
    /// Named access to every state element, in a `<top>_fi` build only.
    state: Option<StateApi>,
}

impl TopModel {
    /// Its ports, as the `Dut` trait lists them.
    pub fn port_list(&self) -> Vec<Port> {
        self.ports.iter().map(|p| Port { name: p.name.to_string(), dir: p.dir, width: p.width }).collect()
    }
}

/// The C entry points of a state-access (`_fi`) model.
struct StateApi {
    count: unsafe extern "C" fn(*mut c_void) -> u32,
    name: unsafe extern "C" fn(*mut c_void, u32) -> *const std::ffi::c_char,
    shape: unsafe extern "C" fn(*mut c_void, u32, *mut u32),
    read: unsafe extern "C" fn(*mut c_void, u32, *mut u32),
    write: unsafe extern "C" fn(*mut c_void, u32, *const u32),
}

/// One state element of a state-access model: a flop (`q` of an `RDff`, or a register inside a
/// primitive) or a RAM array.
#[derive(Clone, Debug)]
pub struct StateVar {
    /// Hierarchical name, e.g. `pluton_security.fw.locked.q`.
    pub name: String,
    /// Bits per element.
    pub bits: u32,
    /// 1 for a flop; the number of words for a RAM array.
    pub elements: u32,
    /// Raw size in 32-bit words (what `read_state` fills).
    pub words: usize,
}

impl StateVar {
    /// A flop (or a register of flops), as opposed to a RAM array.
    pub fn is_flop(&self) -> bool {
        self.elements == 1
    }
}

include!(concat!(env!("OUT_DIR"), "/verilated_tops.rs"));
include!(concat!(env!("OUT_DIR"), "/build_error.rs"));

/// Why no Verilated models were built (Verilator missing, or it rejected `rtl/`), if so.
pub fn build_error() -> Option<&'static str> {
    BUILD_ERROR
}

/// Names of the Verilated tops built into this crate, sorted.
pub fn verilated_tops() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| TOPS.iter().map(|t| t.name).collect())
}

/// Build-time facts about a Verilated top (ports, sources), if it was built.
pub fn top_model(top: &str) -> Option<&'static TopModel> {
    TOPS.iter().find(|t| t.name == top)
}

/// Random initial state for models opened from now on: `Some(seed)` gives every variable Verilator
/// did not see initialised (flops before reset, RAM arrays) a value derived from `seed`, as
/// `+verilator+rand+reset+2 +verilator+seed+N` would; `None` (the default) starts them at 0. The
/// models are built with `--x-assign unique --x-initial unique`, so both runs use the same model.
pub fn set_random_init(seed: Option<u32>) {
    // Verilator takes a positive `int` seed (0 would mean "pick one"), so 1..=i32::MAX.
    let v = seed.map(|s| (s & 0x7fff_ffff).max(1)).unwrap_or(0);
    RANDOM_INIT.store(v, std::sync::atomic::Ordering::SeqCst);
}

/// The seed set by [`set_random_init`] (as Verilator gets it), if random initial state is on.
pub fn random_init() -> Option<u32> {
    match RANDOM_INIT.load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

static RANDOM_INIT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A fresh instance of the Verilated top `top` (its own `VerilatedContext`), or `None` if not built.
pub fn open_verilated(top: &str) -> Option<Box<dyn Dut>> {
    VerilatedDut::open(top).map(|d| Box::new(d) as Box<dyn Dut>)
}

/// A live Verilated model. Dropping it runs `final()` and frees the C++ model and its context.
pub struct VerilatedDut {
    model: NonNull<c_void>,
    top: &'static TopModel,
    ports: Vec<Port>,
    /// Inputs changed since the last `eval`: outputs may be stale until we settle.
    dirty: bool,
    /// The clock was set low after the last rising edge without an eval. Outputs are still
    /// right (every flop is on the rising edge), but Verilator must see the low clock before the
    /// next rise; that eval also settles the next cycle's inputs, so a cycle costs two evals.
    fall_pending: bool,
    /// The asynchronous reset input (`rst_n`), if any.
    rst_n: Option<usize>,
    /// `rst_n` was poked since the last `eval`.
    reset_poked: bool,
    /// Size in words of each state element (state-access models only), so that reading one
    /// in a simulation loop costs one call, not three.
    state_words: Vec<usize>,
}

// The model is only ever touched through `&mut self`, and each has its own VerilatedContext,
// so moving it to another thread is fine (sharing is not, and `Dut` needs `&mut` anyway).
unsafe impl Send for VerilatedDut {}

impl VerilatedDut {
    /// Instantiate `top`; the clock starts low and initial blocks have run.
    pub fn open(top: &str) -> Option<Self> {
        let top = top_model(top)?;
        let (rand_reset, seed) = match random_init() {
            Some(seed) => (2, seed as i32),
            None => (0, 0),
        };
        let model = NonNull::new(unsafe { (top.new)(rand_reset, seed) }).expect("Verilated model allocation failed");
        // Take the table of state elements now: Verilator keeps scopes in a per-thread map, and
        // dropping another model with the same scope names on this thread erases them.
        let state_words = top.state.as_ref().map_or(Vec::new(), |api| {
            let m = model.as_ptr();
            (0..unsafe { (api.count)(m) })
                .map(|i| {
                    let mut shape = [0u32; 3];
                    unsafe { (api.shape)(m, i, shape.as_mut_ptr()) };
                    shape[2].div_ceil(4) as usize
                })
                .collect()
        });
        let ports = top.port_list();
        let rst_n = ports.iter().position(|p| p.name == "rst_n" && p.dir == Dir::In);
        let mut dut = VerilatedDut { model, top, ports, dirty: false, fall_pending: false, rst_n, reset_poked: false, state_words };
        // Every input starts at 0 (the clock low), as a test bench drives them from time 0: with
        // random initial state an undriven input would otherwise start random too (a tester
        // port's write strobe, say), which is the bench's business, not the design's state.
        for i in 0..dut.ports.len() {
            if dut.ports[i].dir == Dir::In {
                let words = vec![0u32; dut.ports[i].width.div_ceil(32) as usize];
                dut.poke(i, &words);
            }
        }
        // First eval runs initial blocks and settles combinational logic.
        unsafe { (top.eval)(dut.model.as_ptr()) };
        // Power-on reset: a falling edge on rst_n, so every flop is reset now, as a level-active
        // reset held from power-up does in silicon (and X -> 0 does on a 4-state simulator).
        // Otherwise, with random initial state, flops keep their random values until the first
        // clock edge, and that edge already acts on them (a fuse macro write, say). No clock
        // edge happens here, and from all-zero state it changes nothing.
        if let Some(r) = rst_n {
            dut.poke_u32(r, 1);
            unsafe { (top.eval)(dut.model.as_ptr()) };
            dut.poke_u32(r, 0);
            unsafe { (top.eval)(dut.model.as_ptr()) };
        }
        dut.dirty = false;
        dut.reset_poked = false;
        Some(dut)
    }

    /// Build-time facts about this model.
    pub fn top_model(&self) -> &'static TopModel {
        self.top
    }

    /// Settle combinational logic now (normally done lazily by `peek`).
    pub fn eval(&mut self) {
        unsafe { (self.top.eval)(self.model.as_ptr()) };
        self.dirty = false;
        self.fall_pending = false;
        self.reset_poked = false;
    }

    /// The state elements of a state-access (`<top>_fi`) model, sorted by name; `None` for other
    /// models.
    pub fn state_vars(&self) -> Option<Vec<StateVar>> {
        let api = self.top.state.as_ref()?;
        let m = self.model.as_ptr();
        let n = unsafe { (api.count)(m) };
        Some(
            (0..n)
                .map(|i| {
                    let full = unsafe { std::ffi::CStr::from_ptr((api.name)(m, i)) }.to_string_lossy().into_owned();
                    // Verilator's scopes start at the wrapper `TOP`; the design starts below it.
                    let name = full.strip_prefix("TOP.").unwrap_or(&full).to_string();
                    let mut shape = [0u32; 3];
                    unsafe { (api.shape)(m, i, shape.as_mut_ptr()) };
                    StateVar { name, bits: shape[0], elements: shape[1], words: shape[2].div_ceil(4) as usize }
                })
                .collect(),
        )
    }

    /// Read state element `i` (an index into `state_vars`) into `words` (at least its `words`).
    pub fn read_state(&mut self, i: usize, words: &mut [u32]) {
        let api = self.state_checked(i, words.len());
        unsafe { (api.read)(self.model.as_ptr(), i as u32, words.as_mut_ptr()) };
    }

    /// Overwrite state element `i`; combinational logic settles at the next peek or step.
    pub fn write_state(&mut self, i: usize, words: &[u32]) {
        let api = self.state_checked(i, words.len());
        unsafe { (api.write)(self.model.as_ptr(), i as u32, words.as_ptr()) };
        self.dirty = true;
    }

    /// The state API, once `i` is a valid element and `len` words hold it (the C++ side copies).
    fn state_checked(&self, i: usize, len: usize) -> &'static StateApi {
        let Some(api) = self.top.state.as_ref() else { panic!("{} is not a state-access model", self.top.name) };
        let Some(&words) = self.state_words.get(i) else { panic!("{}: no state element #{i} (it has {})", self.top.name, self.state_words.len()) };
        assert!(len >= words, "{}: state element #{i} needs {words} words, got {len}", self.top.name);
        api
    }


    /// Invert bit `bit` of flop `i`: a single-event upset.
    pub fn flip(&mut self, i: usize, var: &StateVar, bit: u32) {
        let mut w = vec![0u32; var.words];
        self.read_state(i, &mut w);
        w[(bit / 32) as usize] ^= 1 << (bit % 32);
        self.write_state(i, &w);
    }

    #[cold]
    fn bad_port(&self, port: usize, len: usize, poke: bool) -> ! {
        match self.ports.get(port) {
            None => panic!("{}: no port #{port} (it has {})", self.top.name, self.ports.len()),
            Some(p) if poke && p.dir == Dir::Out => panic!("{}: cannot poke output `{}`", self.top.name, p.name),
            Some(p) => panic!("{}: port `{}` is {} bits = {} words, got {len}", self.top.name, p.name, p.width, p.words()),
        }
    }
}

impl Drop for VerilatedDut {
    fn drop(&mut self) {
        unsafe { (self.top.free)(self.model.as_ptr()) };
    }
}

impl Dut for VerilatedDut {
    fn name(&self) -> &str {
        self.top.name
    }

    fn rtl(&self) -> Option<&str> {
        Some(self.top.name)
    }

    fn ports(&self) -> &[Port] {
        &self.ports
    }

    fn poke(&mut self, port: usize, value: &[u32]) {
        // The C++ side copies `words()` words: check before handing it a pointer.
        match self.top.ports.get(port) {
            Some(p) if p.dir == Dir::In && value.len() >= p.width.div_ceil(32) as usize => {}
            _ => self.bad_port(port, value.len(), true),
        }
        unsafe { (self.top.poke)(self.model.as_ptr(), port as u32, value.as_ptr()) };
        self.dirty = true;
        self.reset_poked |= Some(port) == self.rst_n;
    }

    fn peek(&mut self, port: usize, value: &mut [u32]) {
        match self.top.ports.get(port) {
            Some(p) if value.len() >= p.width.div_ceil(32) as usize => {}
            _ => self.bad_port(port, value.len(), false),
        }
        if self.dirty {
            self.eval();
        }
        unsafe { (self.top.peek)(self.model.as_ptr(), port as u32, value.as_mut_ptr()) };
    }

    fn step(&mut self) {
        // One eval before the edge: the falling edge of the last cycle together with this
        // cycle's inputs (unless a peek has settled them already). An asynchronous reset poked
        // since then also takes effect here, before the edge, as it would between two edges in
        // hardware; in the same eval as `posedge clock`, logic clocked at that edge (a RAM write
        // port, which has no reset) would still act on the pre-reset state.
        if self.dirty || self.fall_pending || self.reset_poked {
            self.eval();
        }
        // clock=1, eval, clock=0 (no eval: see `fall_pending`) - in C++, one FFI call.
        unsafe { (self.top.step)(self.model.as_ptr()) };
        self.fall_pending = true;
    }
}
