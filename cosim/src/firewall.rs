//! Cycle-accurate, port-level reference model of the IO firewall (`pluton_firewall`), written from its README.
//!
//! The model follows `rust-hdl-src/src/firewall/README.md` (the behavioural and timing contract)
//! and the register map in `pluton_regs::firewall::regs`. It never looks at the RTL.
//!
//! The firewall keeps no state for forwarded transfers, so almost everything is combinational:
//! - `poke` stores the inputs (and applies the asynchronous reset);
//! - `peek` computes `cause` from the request inputs and the configuration, then every output
//!   (forwarded bus, upstream response, config register read data) from it;
//! - `step` is one rising edge: a denied transfer that completes is logged and counted, an
//!   allowed config write updates the configuration or clears the log.
//!
//! The combinational outputs follow the README formulas whatever `rst_n` is (during reset the
//! state is all zero, so master 0 owns every window); edges with `rst_n` low do nothing.
//!
//! Hardening (alert contract): while `esc` is 1 every peripheral transfer is refused with
//! CAUSE_FATAL (checked first) and so is every config write that passes ACCESS and STRB (before
//! CFG_LOCKED); ALERT (0x034) reads `esc`. `alert_recov` is 1 after each edge that counts a
//! violation (also with VIOL_COUNT saturated); `alert_fatal` reports faults in the RTL's own
//! state, which a model has not, so it is 0.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::firewall::regs::{self, MAP};

// Port ids, in declaration order (the order of `ports()`).
const CLOCK: usize = 0;
const RST_N: usize = 1;
const PSEL: usize = 2;
const PENABLE: usize = 3;
const PWRITE: usize = 4;
const PADDR: usize = 5;
const PWDATA: usize = 6;
const PSTRB: usize = 7;
const PMASTER: usize = 8;
const M_PRDATA: usize = 9;
const M_PREADY: usize = 10;
const M_PSLVERR: usize = 11;
const ESC: usize = 12;
const PRDATA: usize = 13;
const PREADY: usize = 14;
const PSLVERR: usize = 15;
const M_PSEL: usize = 16;
const M_PENABLE: usize = 17;
const M_PWRITE: usize = 18;
const M_PADDR: usize = 19;
const M_PWDATA: usize = 20;
const M_PSTRB: usize = 21;
const M_PMASTER: usize = 22;
const INTR_VIOL: usize = 23;
const LOCKED_O: usize = 24;
const OWNER_CHG: usize = 25;
// `_OUT`: the register map names `ALERT.FATAL` `ALERT_FATAL`.
const ALERT_FATAL_OUT: usize = 26;
const ALERT_RECOV_OUT: usize = 27;

/// (name, direction, width) of every port, in declaration order (README port table).
const PORTS: [(&str, Dir, u32); 28] = [
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 16),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("m_prdata", Dir::In, 256),
    ("m_pready", Dir::In, 8),
    ("m_pslverr", Dir::In, 8),
    ("esc", Dir::In, 1),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("m_psel", Dir::Out, 8),
    ("m_penable", Dir::Out, 8),
    ("m_pwrite", Dir::Out, 8),
    ("m_paddr", Dir::Out, 96),
    ("m_pwdata", Dir::Out, 256),
    ("m_pstrb", Dir::Out, 32),
    ("m_pmaster", Dir::Out, 32),
    ("intr_viol", Dir::Out, 1),
    ("locked_o", Dir::Out, 1),
    ("owner_chg", Dir::Out, 8),
    ("alert_fatal", Dir::Out, 1),
    ("alert_recov", Dir::Out, 1),
];

use regs::{ALERT, CAUSE_FATAL};

/// Width of one window's lane in each per-window downstream output.
fn lane_width(port: usize) -> Option<u32> {
    match port {
        M_PENABLE | M_PWRITE => Some(1),
        M_PADDR => Some(12),
        M_PWDATA => Some(32),
        M_PSTRB | M_PMASTER => Some(4),
        _ => None,
    }
}

/// Where a request goes, decided from `paddr[15:12]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Peripheral window k (0..7).
    Window(usize),
    /// The firewall's own config page (window 8).
    Config,
    /// Windows 9..15.
    Unmapped,
}

/// Port-level model of `pluton_firewall`.
pub struct FirewallModel {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,

    // Configuration.
    owner: [u32; 8],
    no_read: [bool; 8],
    no_write: [bool; 8],
    locked: bool,
    /// Bit k: OWNER[k] changed at the last edge.
    owner_chg: u32,
    /// `alert_recov`: a violation was counted at the last edge.
    alert_recov: bool,
    /// The config page's APB protocol check (it follows every upstream transfer).
    guard: ApbGuardModel,

    // Violation log.
    viol_valid: bool,
    viol_write: bool,
    viol_cause: u32,
    viol_master: u32,
    viol_addr: u32,
    viol_count: u32,

    // Statistics, for tests and reports.
    /// Completed transfers that were forwarded to a peripheral.
    forwarded: u64,
    /// Completed transfers that were denied.
    denied: u64,
}

impl Default for FirewallModel {
    fn default() -> Self {
        Self::new()
    }
}

impl FirewallModel {
    /// A model with all inputs low, hence held in reset until `rst_n` is driven high.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let mut model = FirewallModel {
            ports,
            inputs,
            owner: [0; 8],
            no_read: [false; 8],
            no_write: [false; 8],
            locked: false,
            owner_chg: 0,
            alert_recov: false,
            guard: ApbGuardModel::default(),
            viol_valid: false,
            viol_write: false,
            viol_cause: 0,
            viol_master: 0,
            viol_addr: 0,
            viol_count: 0,
            forwarded: 0,
            denied: 0,
        };
        model.reset();
        model
    }

    /// Completed transfers forwarded to a peripheral since the model was created.
    pub fn forwarded(&self) -> u64 {
        self.forwarded
    }
    /// Completed transfers denied since the model was created.
    pub fn denied(&self) -> u64 {
        self.denied
    }
    /// The configured owner of window `k`.
    pub fn owner(&self, k: usize) -> u32 {
        self.owner[k]
    }
    /// `LOCK.LOCKED`.
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// All state to its reset value (0): SEC owns every window, R/W allowed, nothing logged.
    fn reset(&mut self) {
        self.owner = [0; 8];
        self.no_read = [false; 8];
        self.no_write = [false; 8];
        self.locked = false;
        self.owner_chg = 0;
        self.alert_recov = false;
        self.guard.reset();
        self.clear_log();
    }

    fn clear_log(&mut self) {
        self.viol_valid = false;
        self.viol_write = false;
        self.viol_cause = 0;
        self.viol_master = 0;
        self.viol_addr = 0;
        self.viol_count = 0;
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn in_reset(&self) -> bool {
        self.input(RST_N) == 0
    }
    fn psel(&self) -> bool {
        self.input(PSEL) == 1
    }
    fn pwrite(&self) -> bool {
        self.input(PWRITE) == 1
    }
    fn offset(&self) -> u32 {
        self.input(PADDR) & 0xFFF
    }
    /// Escalation: the subsystem's fatal alert, held until reset.
    fn esc(&self) -> bool {
        self.input(ESC) == 1
    }

    fn target(&self) -> Target {
        match self.input(PADDR) >> 12 {
            w if w < regs::WINDOWS => Target::Window(w as usize),
            w if w == regs::CFG_WINDOW => Target::Config,
            _ => Target::Unmapped,
        }
    }

    /// The README's `cause`, from the request inputs and the state (whatever psel/penable are).
    fn cause(&self) -> u32 {
        let pmaster = self.input(PMASTER);
        let write = self.pwrite();
        match self.target() {
            Target::Unmapped => regs::CAUSE_UNMAPPED,
            Target::Window(k) => {
                // Escalation shuts every peripheral window, before any other check.
                if self.esc() {
                    CAUSE_FATAL
                } else if pmaster != self.owner[k] {
                    regs::CAUSE_NOT_OWNER
                } else if if write { self.no_write[k] } else { self.no_read[k] } {
                    regs::CAUSE_RULE
                } else {
                    regs::CAUSE_NONE
                }
            }
            Target::Config => {
                if pmaster != regs::MASTER_SEC {
                    return regs::CAUSE_CFG_MASTER;
                }
                if self.guard.bare(self.psel(), self.input(PENABLE) == 1) {
                    return regs::CAUSE_PROTOCOL;
                }
                // decode refuses unaligned offsets and unmapped ones.
                let Some((reg, _)) = MAP.decode(self.offset()) else {
                    return regs::CAUSE_UNMAPPED;
                };
                if !write {
                    return regs::CAUSE_NONE;
                }
                if !reg.access.writable() {
                    regs::CAUSE_ACCESS
                } else if self.input(PSTRB) != 0b1111 {
                    regs::CAUSE_STRB
                } else if self.esc() {
                    // Escalation freezes the configuration; the security core can still read it.
                    CAUSE_FATAL
                } else if self.locked && (reg.offset == regs::WIN_CFG.offset || reg.offset == regs::LOCK.offset) {
                    regs::CAUSE_CFG_LOCKED
                } else {
                    regs::CAUSE_NONE
                }
            }
        }
    }

    fn apb_request(&self) -> ApbRequest {
        ApbRequest { pwrite: self.pwrite(), paddr: self.input(PADDR), pwdata: self.input(PWDATA), pstrb: self.input(PSTRB), pmaster: self.input(PMASTER) }
    }

    /// `fwd`: the request is forwarded to window k.
    fn forwarded_window(&self) -> Option<usize> {
        match self.target() {
            Target::Window(k) if self.psel() && self.cause() == regs::CAUSE_NONE => Some(k),
            _ => None,
        }
    }
    /// `den`: the request is denied.
    fn denied_now(&self) -> bool {
        self.psel() && self.cause() != regs::CAUSE_NONE
    }
    /// An allowed config page access is on the bus.
    fn config_allowed(&self) -> bool {
        self.psel() && self.target() == Target::Config && self.cause() == regs::CAUSE_NONE
    }

    fn viol_info(&self) -> u32 {
        regs::VIOL_INFO_VALID.put(self.viol_valid as u32)
            | regs::VIOL_INFO_WRITE.put(self.viol_write as u32)
            | regs::VIOL_INFO_CAUSE.put(self.viol_cause)
            | regs::VIOL_INFO_MASTER.put(self.viol_master)
    }

    /// Value of the config register at `off` (mapped and aligned).
    fn config_read(&self, off: u32) -> u32 {
        let (reg, index) = MAP.decode(off).expect("config read of an unmapped offset");
        let k = index as usize;
        match reg.offset {
            o if o == regs::WIN_CFG.offset => {
                regs::WIN_CFG_OWNER.put(self.owner[k])
                    | regs::WIN_CFG_NO_READ.put(self.no_read[k] as u32)
                    | regs::WIN_CFG_NO_WRITE.put(self.no_write[k] as u32)
            }
            o if o == regs::LOCK.offset => regs::LOCK_LOCKED.put(self.locked as u32),
            o if o == regs::VIOL_INFO.offset => self.viol_info(),
            o if o == regs::VIOL_ADDR.offset => regs::VIOL_ADDR_ADDR.put(self.viol_addr),
            o if o == regs::VIOL_COUNT.offset => self.viol_count,
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == ALERT.offset => regs::ALERT_FATAL.put(self.esc() as u32),
            _ => unreachable!("config register {}", reg.name),
        }
    }

    fn prdata_now(&self) -> u32 {
        if let Some(k) = self.forwarded_window() {
            self.inputs[M_PRDATA][k]
        } else if self.config_allowed() && !self.pwrite() {
            self.config_read(self.offset())
        } else {
            0
        }
    }
    fn pready_now(&self) -> bool {
        match self.forwarded_window() {
            Some(k) => self.input(M_PREADY) >> k & 1 == 1,
            None => true,
        }
    }
    fn pslverr_now(&self) -> bool {
        match self.forwarded_window() {
            Some(k) => self.input(M_PSLVERR) >> k & 1 == 1,
            None => self.denied_now(),
        }
    }

    /// Rising edge with `rst_n` high: everything decided from the state before the edge.
    fn rising_edge(&mut self) {
        let done = self.psel() && self.input(PENABLE) == 1 && self.pready_now();
        // Pulses: set only below, for one cycle.
        self.owner_chg = 0;
        self.alert_recov = false;
        if !done {
            return;
        }
        if self.denied_now() {
            self.denied += 1;
            // Every counted violation, also when VIOL_COUNT is saturated and does not move.
            self.alert_recov = true;
            if !self.viol_valid {
                self.viol_valid = true;
                self.viol_write = self.pwrite();
                self.viol_cause = self.cause();
                self.viol_master = self.input(PMASTER);
                self.viol_addr = self.input(PADDR);
            }
            self.viol_count = self.viol_count.saturating_add(1);
            return;
        }
        if self.forwarded_window().is_some() {
            self.forwarded += 1;
            return;
        }
        if self.config_allowed() && self.pwrite() {
            let data = self.input(PWDATA);
            let (reg, index) = MAP.decode(self.offset()).expect("allowed config write is mapped");
            let k = index as usize;
            match reg.offset {
                o if o == regs::WIN_CFG.offset => {
                    if regs::WIN_CFG_OWNER.get(data) != self.owner[k] {
                        self.owner_chg = 1 << k;
                    }
                    self.owner[k] = regs::WIN_CFG_OWNER.get(data);
                    self.no_read[k] = regs::WIN_CFG_NO_READ.get(data) == 1;
                    self.no_write[k] = regs::WIN_CFG_NO_WRITE.get(data) == 1;
                }
                o if o == regs::LOCK.offset => self.locked |= regs::LOCK_LOCKED.get(data) == 1,
                o if o == regs::VIOL_INFO.offset => self.clear_log(),
                _ => unreachable!("allowed write to {}", reg.name),
            }
        }
    }
}

impl Dut for FirewallModel {
    fn name(&self) -> &str {
        MAP.module
    }

    fn ports(&self) -> &[Port] {
        &self.ports
    }

    fn poke(&mut self, port: usize, value: &[u32]) {
        let p = &self.ports[port];
        assert_eq!(p.dir, Dir::In, "poke of output port {}", p.name);
        if port == CLOCK {
            return; // the clock is driven by step()
        }
        let width = p.width;
        crate::ports::store_masked(&mut self.inputs[port], width, value);
        // Asynchronous reset: takes effect as soon as rst_n is low.
        if self.in_reset() {
            self.reset();
        }
    }

    fn peek(&mut self, port: usize, value: &mut [u32]) {
        value.fill(0);
        let fwd = self.forwarded_window();
        // Per-window outputs: the forwarded field in window k's lane, every other lane zero.
        if let Some(w) = lane_width(port) {
            if let Some(k) = fwd {
                let x = match port {
                    M_PENABLE => self.input(PENABLE),
                    M_PWRITE => self.pwrite() as u32,
                    M_PADDR => self.offset(),
                    M_PWDATA => self.input(PWDATA),
                    M_PSTRB => self.input(PSTRB),
                    _ => self.input(PMASTER),
                };
                for i in 0..w {
                    let bit = w * k as u32 + i;
                    value[(bit / 32) as usize] |= ((x >> i) & 1) << (bit % 32);
                }
            }
            return;
        }
        let out = match port {
            PRDATA => self.prdata_now(),
            PREADY => self.pready_now() as u32,
            PSLVERR => self.pslverr_now() as u32,
            M_PSEL => fwd.map_or(0, |k| 1 << k),
            INTR_VIOL => self.viol_valid as u32,
            // The safe state keeps the application core in reset, whatever LOCK says.
            LOCKED_O => (self.locked && !self.esc()) as u32,
            OWNER_CHG => self.owner_chg,
            // Faults in the RTL's own state: a model has none.
            ALERT_FATAL_OUT => 0,
            ALERT_RECOV_OUT => self.alert_recov as u32,
            _ => {
                // Inputs read back as poked (the clock reads 0 between steps).
                let n = value.len().min(self.inputs[port].len());
                value[..n].copy_from_slice(&self.inputs[port][..n]);
                return;
            }
        };
        if let Some(v) = value.first_mut() {
            *v = out;
        }
    }

    fn step(&mut self) {
        if self.in_reset() {
            self.reset();
            return;
        }
        let (sel, en, ready, req) = (self.psel(), self.input(PENABLE) == 1, self.pready_now(), self.apb_request());
        self.rising_edge();
        self.guard.edge(sel, en, ready, &req);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_apb::{Apb, Done};
    use pluton_regs::firewall::regs::*;

    /// A model out of reset, and a bus master for it.
    fn setup() -> (FirewallModel, Apb) {
        let mut m = FirewallModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        (m, apb)
    }

    /// The eight `w`-bit lanes of a per-window output.
    fn lanes(m: &mut FirewallModel, port: usize, w: u32) -> [u32; 8] {
        let mut v = vec![0u32; m.ports()[port].words()];
        m.peek(port, &mut v);
        std::array::from_fn(|k| pluton_bindings::dut::lane(&v, w, k as u32))
    }

    fn cfg(reg: &pluton_regs::common::regmap::Register, i: u32) -> u32 {
        CFG_WINDOW << 12 | reg.addr(i)
    }

    fn win_cfg(owner: u32, no_read: bool, no_write: bool) -> u32 {
        WIN_CFG_OWNER.put(owner) | WIN_CFG_NO_READ.put(no_read as u32) | WIN_CFG_NO_WRITE.put(no_write as u32)
    }

    /// All 8 peripherals ready, no error, peripheral k reads 0x1000_0000 * k + 0xabc.
    fn peripherals_ready(m: &mut FirewallModel) {
        m.poke_u32(M_PREADY, 0xFF);
        m.poke_u32(M_PSLVERR, 0);
        let data: Vec<u32> = (0..8).map(|k| 0x1000_0000 * k + 0xabc).collect();
        m.poke(M_PRDATA, &data);
    }

    #[test]
    fn port_list_matches_readme() {
        let m = FirewallModel::new();
        assert_eq!(m.ports().len(), 28);
        assert_eq!(m.port_id("owner_chg"), Some(25));
        assert_eq!(m.port_id("esc"), Some(ESC));
        assert_eq!(m.port_id("alert_fatal"), Some(ALERT_FATAL_OUT));
        assert_eq!(m.port_id("alert_recov"), Some(ALERT_RECOV_OUT));
        assert_eq!(m.ports()[M_PWDATA].words(), 8);
        assert_eq!(m.port_id("m_prdata"), Some(9));
        assert_eq!(m.ports()[9].words(), 8);
        assert_eq!(m.port_id("intr_viol"), Some(23));
        assert_eq!(m.port_id("locked_o"), Some(24));
        assert_eq!(m.name(), "pluton_firewall");
    }

    #[test]
    fn reset_sec_owns_everything_and_forwarding_adds_no_cycles() {
        let (mut m, mut apb) = setup();
        peripherals_ready(&mut m);
        let before = apb.edges;
        let r = apb.read(&mut m, 0x3_010);
        assert_eq!(apb.edges - before, 2, "setup + one access cycle");
        assert_eq!((r.data, r.err, r.waits), (0x3000_0abc, false, 0));
        assert_eq!(m.forwarded(), 1);
        assert_eq!(apb.read(&mut m, cfg(&ID, 0)).data, BLOCK_ID);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 0);
    }

    #[test]
    fn forwarded_bus_is_combinational_and_zero_when_denied() {
        let (mut m, _apb) = setup();
        peripherals_ready(&mut m);
        m.poke_u32(PSEL, 1);
        m.poke_u32(PWRITE, 1);
        m.poke_u32(PADDR, 0x5_123);
        m.poke_u32(PWDATA, 0xdead_beef);
        m.poke_u32(PSTRB, 0b0110);
        m.poke_u32(PMASTER, 0);
        // Setup phase: m_psel already set, m_penable low; only window 5's lane carries the
        // request, every other lane is zero.
        assert_eq!(m.peek_u32(M_PSEL), 1 << 5);
        assert_eq!(lanes(&mut m, M_PENABLE, 1), [0; 8]);
        assert_eq!(lanes(&mut m, M_PADDR, 12), [0, 0, 0, 0, 0, 0x123, 0, 0]);
        assert_eq!(lanes(&mut m, M_PWDATA, 32), [0, 0, 0, 0, 0, 0xdead_beef, 0, 0]);
        assert_eq!(lanes(&mut m, M_PSTRB, 4), [0, 0, 0, 0, 0, 0b0110, 0, 0]);
        assert_eq!(lanes(&mut m, M_PWRITE, 1), [0, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(lanes(&mut m, M_PMASTER, 4), [0; 8]);
        m.poke_u32(PENABLE, 1);
        assert_eq!(lanes(&mut m, M_PENABLE, 1), [0, 0, 0, 0, 0, 1, 0, 0]);
        // Peripheral wait state passes straight back; so does its pslverr.
        m.poke_u32(M_PREADY, 0xFF & !(1 << 5));
        assert_eq!(m.peek_u32(PREADY), 0);
        m.poke_u32(M_PREADY, 0xFF);
        m.poke_u32(M_PSLVERR, 1 << 5);
        assert_eq!(m.peek_u32(PSLVERR), 1);
        m.step();
        // A peripheral's error is no violation.
        assert_eq!(m.peek_u32(INTR_VIOL), 0);
        // The application core is not the owner: nothing downstream at all.
        m.poke_u32(PMASTER, 1);
        for p in [M_PSEL, PRDATA] {
            assert_eq!(m.peek_u32(p), 0, "port {p}");
        }
        for (p, w) in [(M_PENABLE, 1), (M_PWRITE, 1), (M_PADDR, 12), (M_PWDATA, 32), (M_PSTRB, 4), (M_PMASTER, 4)] {
            assert_eq!(lanes(&mut m, p, w), [0; 8], "port {p}");
        }
        assert_eq!((m.peek_u32(PREADY), m.peek_u32(PSLVERR)), (1, 1));
    }

    #[test]
    fn owner_change_pulses_owner_chg_for_one_cycle() {
        let (mut m, mut apb) = setup();
        peripherals_ready(&mut m);
        // Same owner (0) again: no change, no pulse.
        assert!(!apb.write(&mut m, cfg(&WIN_CFG, 0), win_cfg(MASTER_SEC, false, true)).err);
        assert_eq!(m.peek_u32(OWNER_CHG), 0);
        // Window 0 to the application core: bit 0 for the cycle after the edge, then 0.
        assert!(!apb.write(&mut m, cfg(&WIN_CFG, 0), win_cfg(MASTER_APP, false, false)).err);
        assert_eq!(m.peek_u32(OWNER_CHG), 1);
        m.step();
        assert_eq!(m.peek_u32(OWNER_CHG), 0);
        assert!(!apb.write(&mut m, cfg(&WIN_CFG, 6), win_cfg(MASTER_IO1, false, false)).err);
        assert_eq!(m.peek_u32(OWNER_CHG), 1 << 6);
        // A denied write changes nothing and pulses nothing.
        assert!(apb.transfer(&mut m, true, cfg(&WIN_CFG, 3), win_cfg(MASTER_APP, false, false), 0xF, MASTER_APP).err);
        assert_eq!(m.peek_u32(OWNER_CHG), 0);
    }

    #[test]
    fn denial_is_logged_first_kept_and_counted() {
        let (mut m, mut apb) = setup();
        peripherals_ready(&mut m);
        // Window 2 to the I/O core 0, read-only.
        assert!(
            !apb.write(&mut m, cfg(&WIN_CFG, 2), win_cfg(MASTER_IO0, false, true))
                .err
        );
        // The application core reads window 2: NOT_OWNER.
        let r = apb.transfer(&mut m, false, 0x2_040, 0, 0, MASTER_APP);
        assert_eq!((r.data, r.err, r.waits), (0, true, 0));
        assert_eq!(m.peek_u32(INTR_VIOL), 1);
        // The owner writes: RULE (counted, not logged over the first).
        assert!(apb.transfer(&mut m, true, 0x2_044, 7, 0xF, MASTER_IO0).err);
        // The owner reads: forwarded.
        assert!(!apb.transfer(&mut m, false, 0x2_044, 0, 0, MASTER_IO0).err);
        // Unmapped window.
        assert!(apb.transfer(&mut m, false, 0xA_000, 0, 0, MASTER_SEC).err);
        let info = apb.read(&mut m, cfg(&VIOL_INFO, 0)).data;
        assert_eq!(VIOL_INFO_VALID.get(info), 1);
        assert_eq!(VIOL_INFO_WRITE.get(info), 0);
        assert_eq!(VIOL_INFO_CAUSE.get(info), CAUSE_NOT_OWNER);
        assert_eq!(VIOL_INFO_MASTER.get(info), MASTER_APP);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_ADDR, 0)).data, 0x2_040);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 3);
        // A config page access from another master is itself a violation.
        assert!(apb.transfer(&mut m, true, cfg(&VIOL_INFO, 0), 0, 0xF, MASTER_APP).err);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 4);
        // Master 0 clears the log.
        assert!(!apb.write(&mut m, cfg(&VIOL_INFO, 0), 0).err);
        assert_eq!(m.peek_u32(INTR_VIOL), 0);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 0);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_ADDR, 0)).data, 0);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_INFO, 0)).data, 0);
    }

    #[test]
    fn config_page_check_order() {
        let (mut m, mut apb) = setup();
        let cause = |m: &mut FirewallModel, apb: &mut Apb| {
            let c = VIOL_INFO_CAUSE.get(apb.read(m, cfg(&VIOL_INFO, 0)).data);
            assert!(!apb.write(m, cfg(&VIOL_INFO, 0), 0).err);
            c
        };
        // CFG_MASTER beats UNMAPPED.
        assert!(apb.transfer(&mut m, false, 0x8_035, 0, 0, MASTER_IO1).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_CFG_MASTER);
        assert!(apb.read(&mut m, 0x8_038).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_UNMAPPED);
        assert!(apb.read(&mut m, 0x8_002).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_UNMAPPED);
        // ACCESS beats STRB.
        assert!(apb.write_strb(&mut m, cfg(&ID, 0), 0, 0b0011).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_ACCESS);
        assert!(apb.write_strb(&mut m, cfg(&WIN_CFG, 1), 0, 0b0011).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_STRB);
        // Lock; then config writes are CFG_LOCKED (also 0 to LOCK), reads and clears still work.
        assert!(!apb.write(&mut m, cfg(&WIN_CFG, 1), 0xFFFF_FFFF).err);
        assert_eq!(apb.read(&mut m, cfg(&WIN_CFG, 1)).data, 0x30F);
        assert!(!apb.write(&mut m, cfg(&LOCK, 0), 0xFFFF_FFFE).err);
        assert_eq!(apb.read(&mut m, cfg(&LOCK, 0)).data, 0);
        assert!(!apb.write(&mut m, cfg(&LOCK, 0), 1).err);
        assert!(m.locked());
        assert!(apb.write(&mut m, cfg(&WIN_CFG, 1), 0).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_CFG_LOCKED);
        assert!(apb.write(&mut m, cfg(&LOCK, 0), 0).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_CFG_LOCKED);
        // STRB beats CFG_LOCKED.
        assert!(apb.write_strb(&mut m, cfg(&LOCK, 0), 0, 0).err);
        assert_eq!(cause(&mut m, &mut apb), CAUSE_STRB);
        assert_eq!(apb.read(&mut m, cfg(&WIN_CFG, 1)).data, 0x30F);
        assert_eq!(m.owner(1), 15);
        // Only reset unlocks.
        apb.reset(&mut m);
        assert!(!m.locked());
        assert_eq!(apb.read(&mut m, cfg(&WIN_CFG, 1)).data, 0);
    }

    #[test]
    fn violation_count_saturates() {
        let (mut m, mut apb) = setup();
        m.viol_count = u32::MAX - 1;
        assert!(apb.read(&mut m, 0xF_000).err);
        assert!(apb.read(&mut m, 0xF_000).err);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, u32::MAX);
    }

    /// The cause of the logged violation; then the log is cleared (needs `esc` low).
    fn logged_cause(m: &mut FirewallModel, apb: &mut Apb) -> u32 {
        let c = VIOL_INFO_CAUSE.get(apb.read(m, cfg(&VIOL_INFO, 0)).data);
        assert!(!apb.write(m, cfg(&VIOL_INFO, 0), 0).err);
        c
    }

    #[test]
    fn alert_register_reads_esc_and_is_read_only() {
        let (mut m, mut apb) = setup();
        let alert = cfg(&ALERT, 0);
        assert_eq!(alert, 0x8_034);
        assert_eq!(apb.read(&mut m, alert), Done { data: 0, err: false, waits: 0 });
        m.poke_u32(ESC, 1);
        assert_eq!(apb.read(&mut m, alert), Done { data: 1, err: false, waits: 0 });
        // Only the security core reads it.
        assert!(apb.transfer(&mut m, false, alert, 0, 0, MASTER_APP).err);
        m.poke_u32(ESC, 0);
        assert_eq!(logged_cause(&mut m, &mut apb), CAUSE_CFG_MASTER);
        // A write is ACCESS, with esc low or high (ACCESS is checked before FATAL).
        assert!(apb.write(&mut m, alert, 1).err);
        assert_eq!(logged_cause(&mut m, &mut apb), CAUSE_ACCESS);
        m.poke_u32(ESC, 1);
        assert!(apb.write(&mut m, alert, 1).err);
        m.poke_u32(ESC, 0);
        assert_eq!(logged_cause(&mut m, &mut apb), CAUSE_ACCESS);
    }

    #[test]
    fn escalation_refuses_peripherals_and_config_writes() {
        let (mut m, mut apb) = setup();
        peripherals_ready(&mut m);
        assert!(!apb.write(&mut m, cfg(&WIN_CFG, 2), win_cfg(MASTER_APP, false, false)).err);
        m.poke_u32(ESC, 1);
        // Window 0 read by its owner: refused with FATAL, nothing forwarded, logged and counted.
        m.poke_u32(PSEL, 1);
        m.poke_u32(PADDR, 0x0_010);
        m.poke_u32(PMASTER, MASTER_SEC);
        assert_eq!(m.peek_u32(M_PSEL), 0);
        let r = apb.transfer(&mut m, false, 0x0_010, 0, 0, MASTER_SEC);
        assert_eq!((r.data, r.err, r.waits), (0, true, 0));
        assert_eq!(m.forwarded(), 0);
        assert_eq!(m.peek_u32(INTR_VIOL), 1);
        // FATAL comes before NOT_OWNER (window 2 is the application core's).
        assert!(apb.transfer(&mut m, true, 0x2_000, 5, 0xF, MASTER_IO0).err);
        // Config reads by the security core still work; the log holds the first violation.
        let info = apb.read(&mut m, cfg(&VIOL_INFO, 0)).data;
        assert_eq!(VIOL_INFO_CAUSE.get(info), CAUSE_FATAL);
        assert_eq!((VIOL_INFO_WRITE.get(info), VIOL_INFO_MASTER.get(info)), (0, MASTER_SEC));
        assert_eq!(apb.read(&mut m, cfg(&VIOL_ADDR, 0)).data, 0x0_010);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 2);
        assert_eq!(apb.read(&mut m, cfg(&WIN_CFG, 2)).data, win_cfg(MASTER_APP, false, false));
        // Every config write is FATAL, the log clear included; the earlier checks keep their
        // order (STRB before FATAL, CFG_MASTER and UNMAPPED first).
        assert!(apb.write(&mut m, cfg(&WIN_CFG, 2), 0).err);
        assert!(apb.write(&mut m, cfg(&VIOL_INFO, 0), 0).err);
        assert_eq!(m.peek_u32(INTR_VIOL), 1);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 4);
        assert_eq!(m.owner(2), MASTER_APP);
        let strb_then_master = [
            apb.write_strb(&mut m, cfg(&LOCK, 0), 1, 0b0001).err,
            apb.transfer(&mut m, true, cfg(&LOCK, 0), 1, 0xF, MASTER_APP).err,
            apb.write(&mut m, 0x8_03C, 1).err,
        ];
        assert_eq!(strb_then_master, [true; 3]);
        assert!(!m.locked());
        // Which cause each had shows once esc is gone (only reset drops it in the system).
        m.poke_u32(ESC, 0);
        assert_eq!(apb.read(&mut m, cfg(&VIOL_COUNT, 0)).data, 7);
        assert_eq!(logged_cause(&mut m, &mut apb), CAUSE_FATAL);
        m.poke_u32(ESC, 1);
        for (write, addr, strb, master, want) in [
            (true, cfg(&LOCK, 0), 0b0001, MASTER_SEC, CAUSE_STRB),
            (true, cfg(&LOCK, 0), 0xF, MASTER_APP, CAUSE_CFG_MASTER),
            (true, 0x8_03C, 0xF, MASTER_SEC, CAUSE_UNMAPPED),
            (true, cfg(&LOCK, 0), 0xF, MASTER_SEC, CAUSE_FATAL),
            (true, 0x2_000, 0xF, MASTER_IO0, CAUSE_FATAL), // before NOT_OWNER
            (false, 0x5_000, 0, MASTER_SEC, CAUSE_FATAL),
            (false, 0xB_000, 0, MASTER_SEC, CAUSE_UNMAPPED),
        ] {
            assert!(apb.transfer(&mut m, write, addr, 1, strb, master).err, "0x{addr:x}");
            m.poke_u32(ESC, 0);
            assert_eq!(logged_cause(&mut m, &mut apb), want, "0x{addr:x}");
            m.poke_u32(ESC, 1);
        }
        // Locked too: FATAL comes before CFG_LOCKED.
        m.poke_u32(ESC, 0);
        assert!(!apb.write(&mut m, cfg(&LOCK, 0), 1).err);
        m.poke_u32(ESC, 1);
        assert!(apb.write(&mut m, cfg(&WIN_CFG, 0), 0).err);
        m.poke_u32(ESC, 0);
        assert_eq!(logged_cause(&mut m, &mut apb), CAUSE_FATAL);
        // Without esc the owner is served again.
        assert!(!apb.read(&mut m, 0x0_010).err);
        assert_eq!(m.forwarded(), 1);
    }

    #[test]
    fn alert_recov_pulses_once_per_counted_violation() {
        let (mut m, mut apb) = setup();
        peripherals_ready(&mut m);
        assert_eq!((m.peek_u32(ALERT_RECOV_OUT), m.peek_u32(ALERT_FATAL_OUT)), (0, 0));
        // A denied transfer: 1 in the cycle after its completion edge only.
        m.poke_u32(PSEL, 1);
        m.poke_u32(PADDR, 0xF_000);
        apb.step(&mut m); // setup phase: nothing completes
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 0);
        m.poke_u32(PENABLE, 1);
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 0, "registered, not combinational");
        apb.step(&mut m);
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 1);
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        apb.step(&mut m);
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 0);
        // Back-to-back denials: 1 after each completion edge.
        let mut seen = Vec::new();
        for _ in 0..2 {
            m.poke_u32(PSEL, 1);
            m.poke_u32(PENABLE, 0);
            apb.step(&mut m);
            seen.push(m.peek_u32(ALERT_RECOV_OUT));
            m.poke_u32(PENABLE, 1);
            apb.step(&mut m);
            seen.push(m.peek_u32(ALERT_RECOV_OUT));
        }
        assert_eq!(seen, [0, 1, 0, 1]);
        // Allowed transfers and a peripheral's own error do not pulse.
        m.poke_u32(PSEL, 0);
        m.poke_u32(PENABLE, 0);
        for addr in [0x1_000, cfg(&ID, 0)] {
            assert!(!apb.read(&mut m, addr).err);
            assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 0);
        }
        m.poke_u32(M_PSLVERR, 1);
        assert!(apb.read(&mut m, 0x0_000).err);
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 0);
        // Counted also when VIOL_COUNT is saturated and does not move.
        m.viol_count = u32::MAX;
        assert!(apb.read(&mut m, 0xF_000).err);
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 1);
        assert_eq!(m.viol_count, u32::MAX);
        // Escalation refusals are violations too; alert_fatal stays 0.
        m.poke_u32(ESC, 1);
        assert!(apb.read(&mut m, 0x3_000).err);
        assert_eq!((m.peek_u32(ALERT_RECOV_OUT), m.peek_u32(ALERT_FATAL_OUT)), (1, 0));
        // Reset clears it at once.
        m.poke_u32(RST_N, 0);
        assert_eq!(m.peek_u32(ALERT_RECOV_OUT), 0);
    }
}
