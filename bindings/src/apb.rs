//! APB4 requester (bus master) BFM: drives `psel/penable/...` and waits for `pready`.
//!
//! Timing (AMBA APB4): a **setup** cycle (`psel=1, penable=0`), then **access** cycles
//! (`penable=1`) until `pready` is high at a rising edge. `prdata`/`pslverr` are sampled just
//! before that edge. Afterwards `psel` drops, unless the same task starts another transfer
//! right away (back-to-back: `psel` stays high, `penable` drops for the next setup cycle).

use crate::apb_agents::Bus;
use crate::sim::Tb;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

/// Default limit on access cycles before a transfer is declared stuck.
pub const DEFAULT_MAX_WAIT: u64 = 10_000;

/// One completed transfer, as seen by observers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApbTransfer {
    pub write: bool,
    pub addr: u32,
    /// Write data, or the sampled `prdata` for reads (also when `slverr`).
    pub data: u32,
    pub strb: u32,
    pub master: u32,
    pub slverr: bool,
    /// Access cycles with `pready` low.
    pub wait_states: u64,
    /// Simulated time the transfer completed.
    pub at_ns: u64,
}

/// Why a transfer failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApbError {
    /// The completer answered with `pslverr` (the transfer still completed).
    SlvErr { write: bool, addr: u32, data: u32, wait_states: u64 },
    /// `pready` stayed low for more than the wait-state limit.
    Stuck { write: bool, addr: u32, cycles: u64 },
}

impl fmt::Display for ApbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rw = |w: &bool| if *w { "write" } else { "read" };
        match self {
            ApbError::SlvErr { write, addr, wait_states, .. } => {
                write!(f, "APB {} {addr:#05x}: pslverr (after {wait_states} wait states)", rw(write))
            }
            ApbError::Stuck { write, addr, cycles } => {
                write!(f, "APB {} {addr:#05x}: pready stuck low for {cycles} cycles", rw(write))
            }
        }
    }
}

impl std::error::Error for ApbError {}

// Lets a test body (which returns `Result<(), String>`) use `?` on bus errors.
impl From<ApbError> for String {
    fn from(e: ApbError) -> String {
        e.to_string()
    }
}


type Observer = Box<dyn FnMut(&ApbTransfer)>;

/// APB requester. Clones share the bus: transfers from different tasks are serialized.
#[derive(Clone)]
pub struct Apb {
    tb: Tb,
    ids: Bus,
    addr_mask: u32,
    /// Value driven on `pmaster` (the requester id the completer checks for access control).
    pub master: u32,
    /// Access cycles allowed before `ApbError::Stuck`.
    pub max_wait: u64,
    busy: Rc<Cell<bool>>,
    observers: Rc<RefCell<Vec<Observer>>>,
}

impl Apb {
    /// Resolve the APB ports once. `pstrb`, `pmaster` and `pslverr` are optional.
    pub fn new(tb: &Tb) -> Result<Apb, String> {
        let ids = Bus::new(tb, "", 0)?;
        let width = tb.with_dut(|d| d.ports()[ids.paddr].width);
        let addr_mask = if width >= 32 { u32::MAX } else { (1 << width) - 1 };
        Ok(Apb {
            tb: tb.clone(),
            ids,
            addr_mask,
            master: 0,
            max_wait: DEFAULT_MAX_WAIT,
            busy: Rc::new(Cell::new(false)),
            observers: Rc::new(RefCell::new(Vec::new())),
        })
    }

    /// This requester with `pmaster = id` (shares the bus and observers with `self`).
    pub fn with_master(&self, id: u32) -> Apb {
        Apb { master: id, ..self.clone() }
    }

    /// Call `f` after every completed transfer (reads and writes, including `pslverr` ones).
    pub fn observe(&self, f: impl FnMut(&ApbTransfer) + 'static) {
        self.observers.borrow_mut().push(Box::new(f));
    }

    /// Write all four byte lanes.
    pub async fn write(&self, addr: u32, data: u32) -> Result<(), ApbError> {
        self.transfer(true, addr, data, 0xf).await.map(|_| ())
    }

    /// Write the byte lanes set in `strb` (bit i = byte i).
    pub async fn write_strb(&self, addr: u32, data: u32, strb: u32) -> Result<(), ApbError> {
        self.transfer(true, addr, data, strb).await.map(|_| ())
    }

    /// Read a word.
    pub async fn read(&self, addr: u32) -> Result<u32, ApbError> {
        self.transfer(false, addr, 0, 0).await.map(|t| t.data)
    }

    /// One transfer with the full record (wait states, time). `pslverr` gives `Err(SlvErr)`.
    pub async fn transfer(&self, write: bool, addr: u32, data: u32, strb: u32) -> Result<ApbTransfer, ApbError> {
        // Another task is mid-transfer on this bus: wait our turn.
        while self.busy.get() {
            self.tb.rising_edge().await;
        }
        // Released on drop too, so a transfer cancelled by `timeout` does not lock the bus.
        let _turn = BusTurn::take(&self.busy);
        self.transfer_inner(write, addr & self.addr_mask, data, strb).await
    }

    async fn transfer_inner(&self, write: bool, addr: u32, data: u32, strb: u32) -> Result<ApbTransfer, ApbError> {
        let (tb, id) = (&self.tb, self.ids);
        // Setup phase.
        tb.poke_u32(id.psel, 1);
        tb.poke_u32(id.penable, 0);
        tb.poke_u32(id.pwrite, write as u32);
        tb.poke_u32(id.paddr, addr);
        tb.poke_u32(id.pwdata, if write { data } else { 0 });
        if let Some(p) = id.pstrb {
            tb.poke_u32(p, if write { strb } else { 0 });
        }
        if let Some(p) = id.pmaster {
            tb.poke_u32(p, self.master);
        }
        tb.rising_edge().await;

        // Access phase: sample just before each edge; done at the edge where pready is high.
        tb.poke_u32(id.penable, 1);
        let mut wait_states = 0;
        let (rdata, slverr) = loop {
            let ready = tb.peek_u32(id.pready) & 1 == 1;
            let sampled = if ready {
                Some((tb.peek_u32(id.prdata), id.pslverr.is_some_and(|p| tb.peek_u32(p) & 1 == 1)))
            } else {
                None
            };
            tb.rising_edge().await;
            if let Some(s) = sampled {
                break s;
            }
            wait_states += 1;
            if wait_states > self.max_wait {
                tb.poke_u32(id.psel, 0);
                tb.poke_u32(id.penable, 0);
                return Err(ApbError::Stuck { write, addr, cycles: wait_states });
            }
        };
        // Idle (a back-to-back transfer overrides this before the next edge).
        tb.poke_u32(id.psel, 0);
        tb.poke_u32(id.penable, 0);

        let t = ApbTransfer {
            write,
            addr,
            data: if write { data } else { rdata },
            strb: if write { strb } else { 0 },
            master: self.master,
            slverr,
            wait_states,
            at_ns: tb.now_ns(),
        };
        for f in self.observers.borrow_mut().iter_mut() {
            f(&t);
        }
        if slverr {
            return Err(ApbError::SlvErr { write, addr, data: t.data, wait_states });
        }
        Ok(t)
    }
}

/// Holds the bus for one transfer.
struct BusTurn<'a>(&'a Cell<bool>);

impl<'a> BusTurn<'a> {
    fn take(busy: &'a Cell<bool>) -> Self {
        busy.set(true);
        BusTurn(busy)
    }
}

impl Drop for BusTurn<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}
