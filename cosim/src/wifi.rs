//! Cycle-accurate, port-level reference model of the Wi-Fi arbiter (`pluton_wifi`), written from its README.
//!
//! The model follows `rust-hdl-src/src/wifi/README.md` (the behavioural and timing contract) and
//! the register map in `pluton_regs::wifi::regs` (register owners included). It never looks at the RTL.
//!
//! How it is built:
//! - `poke` only stores input values (and applies the asynchronous reset).
//! - `peek`: `prdata`/`pslverr` are combinational from the state and the APB request (shown only
//!   in the access phase, `psel & penable`; 0 otherwise); `pready` is always 1; every other output
//!   is a function of the state alone.
//! - `step` is one rising edge: the completing transfer, the timeout, the command handshake and
//!   the event handshake are all decided from the state before the edge, then applied.
//!
//! Queues are plain `Vec`s in FIFO order (index 0 = head); the README bounds them
//! (`REQ_LEVEL + CPL_LEVEL <= QUEUE_DEPTH`), which the model asserts.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
/// One APB request as seen on the inputs (the one the protocol check latches).
type BusRequest = ApbRequest;
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::wifi::regs::{self, MAP};

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
const WIFI_CMD_READY: usize = 9;
const WIFI_EVT_VALID: usize = 10;
const WIFI_EVT_DATA: usize = 11;
const PRDATA: usize = 12;
const PREADY: usize = 13;
const PSLVERR: usize = 14;
const WIFI_CMD_VALID: usize = 15;
const OUT_CMD_OP: usize = 16;
const OUT_CMD_ARG0: usize = 17;
const OUT_CMD_ARG1: usize = 18;
const OUT_CMD_SEQ: usize = 19;
const WIFI_EVT_READY: usize = 20;
const INTR_SEC: usize = 21;
const INTR_APP: usize = 22;

/// (name, direction, width) of every port, in declaration order (README port table).
const PORTS: [(&str, Dir, u32); 23] = [
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 12),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("wifi_cmd_ready", Dir::In, 1),
    ("wifi_evt_valid", Dir::In, 1),
    ("wifi_evt_data", Dir::In, 32),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("wifi_cmd_valid", Dir::Out, 1),
    ("wifi_cmd_op", Dir::Out, 8),
    ("wifi_cmd_arg0", Dir::Out, 32),
    ("wifi_cmd_arg1", Dir::Out, 32),
    ("wifi_cmd_seq", Dir::Out, 8),
    ("wifi_evt_ready", Dir::Out, 1),
    ("intr_sec", Dir::Out, 1),
    ("intr_app", Dir::Out, 1),
];

/// One queued request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub seq: u32,
    pub op: u32,
    pub arg0: u32,
    pub arg1: u32,
}

/// One queued completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    pub seq: u32,
    pub status: u32,
}

/// What a write that passed every check does at its completion edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Read(u32),
    ClearErrInfo,
    ReqOp(u32),
    ReqArg0(u32),
    ReqArg1(u32),
    ReqPush,
    AppCplPop,
    SecComplete(u32),
    CmdOp(u32),
    CmdArg0(u32),
    CmdArg1(u32),
    CmdSeq(u32),
    CmdGo,
    CmdAck,
    EvtPop,
}


/// Port-level model of `pluton_wifi`.
pub struct WifiModel {
    ports: Vec<Port>,
    /// Last poked value of every port (outputs unused), masked to the port width.
    inputs: Vec<Vec<u32>>,

    // Mailbox.
    req_op: u32,
    req_arg0: u32,
    req_arg1: u32,
    last_seq: u32,
    req_q: Vec<Request>,
    cpl_q: Vec<Completion>,
    /// Cycles the head request has waited (11-bit counter).
    age: u32,

    // Wi-Fi command interface.
    cmd_op: u32,
    cmd_arg0: u32,
    cmd_arg1: u32,
    cmd_seq: u32,
    cmd_valid: bool,
    cmd_done: bool,

    // Event buffer.
    evt_valid: bool,
    evt_data: u32,
    evt_ready: bool,

    err_info: u32,
    guard: ApbGuardModel,

    // Statistics, for tests and reports.
    timeouts: u64,
    commands_taken: u64,
}

impl Default for WifiModel {
    fn default() -> Self {
        Self::new()
    }
}

impl WifiModel {
    /// A model with all inputs low, hence held in reset until `rst_n` is driven high.
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        let mut model = WifiModel {
            ports,
            inputs,
            req_op: 0,
            req_arg0: 0,
            req_arg1: 0,
            last_seq: 0,
            req_q: Vec::new(),
            cpl_q: Vec::new(),
            age: 0,
            cmd_op: 0,
            cmd_arg0: 0,
            cmd_arg1: 0,
            cmd_seq: 0,
            cmd_valid: false,
            cmd_done: false,
            evt_valid: false,
            evt_data: 0,
            evt_ready: false,
            err_info: 0,
            guard: ApbGuardModel::default(),
            timeouts: 0,
            commands_taken: 0,
        };
        model.reset();
        model
    }

    /// Requests waiting for the security core, head first.
    pub fn requests(&self) -> &[Request] {
        &self.req_q
    }
    /// Completions waiting for the application core, head first.
    pub fn completions(&self) -> &[Completion] {
        &self.cpl_q
    }
    /// Requests completed by the hardware timeout since the model was created.
    pub fn timeouts(&self) -> u64 {
        self.timeouts
    }
    /// Commands taken by the Wi-Fi subsystem since the model was created.
    pub fn commands_taken(&self) -> u64 {
        self.commands_taken
    }

    fn reset(&mut self) {
        self.req_op = 0;
        self.req_arg0 = 0;
        self.req_arg1 = 0;
        self.last_seq = 0;
        self.req_q.clear();
        self.cpl_q.clear();
        self.age = 0;
        self.cmd_op = 0;
        self.cmd_arg0 = 0;
        self.cmd_arg1 = 0;
        self.cmd_seq = 0;
        self.cmd_valid = false;
        self.cmd_done = false;
        self.evt_valid = false;
        self.evt_data = 0;
        self.evt_ready = false;
        self.err_info = 0;
        self.guard.reset();
    }

    fn input(&self, port: usize) -> u32 {
        self.inputs[port][0]
    }
    fn in_reset(&self) -> bool {
        self.input(RST_N) == 0
    }
    fn access_phase(&self) -> bool {
        self.input(PSEL) == 1 && self.input(PENABLE) == 1
    }
    fn request(&self) -> BusRequest {
        BusRequest {
            paddr: self.input(PADDR),
            pwrite: self.input(PWRITE) == 1,
            pwdata: self.input(PWDATA),
            pstrb: self.input(PSTRB),
            pmaster: self.input(PMASTER),
        }
    }
    fn req_level(&self) -> u32 {
        self.req_q.len() as u32
    }
    fn cpl_level(&self) -> u32 {
        self.cpl_q.len() as u32
    }
    fn full(&self) -> bool {
        self.req_level() + self.cpl_level() == regs::QUEUE_DEPTH
    }

    fn read_register(&self, reg: &Register) -> u32 {
        let head = self.req_q.first();
        match reg.offset {
            o if o == regs::ID.offset => regs::BLOCK_ID,
            o if o == regs::ERR_INFO.offset => self.err_info,
            o if o == regs::SEC_STATUS.offset => {
                regs::SEC_STATUS_REQ_PENDING.put(!self.req_q.is_empty() as u32)
                    | regs::SEC_STATUS_CMD_BUSY.put(self.cmd_valid as u32)
                    | regs::SEC_STATUS_CMD_DONE.put(self.cmd_done as u32)
                    | regs::SEC_STATUS_EVT_VALID.put(self.evt_valid as u32)
                    | regs::SEC_STATUS_ERR.put((self.err_info != 0) as u32)
                    | regs::SEC_STATUS_REQ_LEVEL.put(self.req_level())
                    | regs::SEC_STATUS_CPL_LEVEL.put(self.cpl_level())
            }
            o if o == regs::APP_STATUS.offset => {
                regs::APP_STATUS_LAST_SEQ.put(self.last_seq)
                    | regs::APP_STATUS_REQ_LEVEL.put(self.req_level())
                    | regs::APP_STATUS_CPL_LEVEL.put(self.cpl_level())
                    | regs::APP_STATUS_FULL.put(self.full() as u32)
            }
            o if o == regs::REQ_OP.offset => self.req_op,
            o if o == regs::REQ_ARG0.offset => self.req_arg0,
            o if o == regs::REQ_ARG1.offset => self.req_arg1,
            o if o == regs::APP_CPL.offset => match self.cpl_q.first() {
                Some(c) => {
                    regs::APP_CPL_VALID.put(1) | regs::APP_CPL_STATUS.put(c.status) | regs::APP_CPL_SEQ.put(c.seq)
                }
                None => 0,
            },
            o if o == regs::SEC_REQ_OP.offset => head.map_or(0, |r| r.op),
            o if o == regs::SEC_REQ_ARG0.offset => head.map_or(0, |r| r.arg0),
            o if o == regs::SEC_REQ_ARG1.offset => head.map_or(0, |r| r.arg1),
            o if o == regs::SEC_REQ_SEQ.offset => head.map_or(0, |r| r.seq),
            o if o == regs::WIFI_CMD_OP.offset => self.cmd_op,
            o if o == regs::WIFI_CMD_ARG0.offset => self.cmd_arg0,
            o if o == regs::WIFI_CMD_ARG1.offset => self.cmd_arg1,
            o if o == regs::WIFI_CMD_SEQ.offset => self.cmd_seq,
            o if o == regs::EVT_DATA.offset => {
                if self.evt_valid {
                    self.evt_data
                } else {
                    0
                }
            }
            _ => unreachable!("register {} is not readable", reg.name),
        }
    }

    /// The README's checks, in its order, against the state before the edge.
    fn check(&self, req: &BusRequest) -> Result<Action, u32> {
        // 0. The APB protocol.
        if self.guard.violation(self.input(PSEL) == 1, self.input(PENABLE) == 1, &req) {
            return Err(regs::ERR_PROTOCOL);
        }
        // 1. Unaligned or unmapped.
        let Some((reg, _)) = MAP.decode(req.paddr) else {
            return Err(regs::ERR_UNMAPPED);
        };
        // 2. Owner.
        if !regs::allowed(reg, req.pmaster) {
            return Err(regs::ERR_MASTER);
        }
        // 3. Direction.
        if !req.pwrite {
            return if reg.access.readable() {
                Ok(Action::Read(self.read_register(reg)))
            } else {
                Err(regs::ERR_READ_WO)
            };
        }
        if !reg.access.writable() {
            return Err(regs::ERR_WRITE_RO);
        }
        // 4. Strobes.
        if req.pstrb != 0b1111 {
            return Err(regs::ERR_STRB);
        }
        let d = req.pwdata;
        let byte_only = d >> 8 == 0;
        let one = d == 1;
        let value = |ok: bool| if ok { Ok(()) } else { Err(regs::ERR_VALUE) };
        let not_busy = || if self.cmd_valid { Err(regs::ERR_BUSY) } else { Ok(()) };
        // 5. Values, then 6. state.
        match reg.offset {
            o if o == regs::ERR_INFO.offset => Ok(Action::ClearErrInfo),
            o if o == regs::REQ_OP.offset => value(byte_only).map(|_| Action::ReqOp(d)),
            o if o == regs::REQ_ARG0.offset => Ok(Action::ReqArg0(d)),
            o if o == regs::REQ_ARG1.offset => Ok(Action::ReqArg1(d)),
            o if o == regs::REQ_PUSH.offset => {
                value(one)?;
                if self.full() {
                    Err(regs::ERR_FULL)
                } else {
                    Ok(Action::ReqPush)
                }
            }
            o if o == regs::APP_CPL_POP.offset => {
                value(one)?;
                if self.cpl_q.is_empty() {
                    Err(regs::ERR_EMPTY)
                } else {
                    Ok(Action::AppCplPop)
                }
            }
            o if o == regs::SEC_COMPLETE.offset => {
                value(d >> 16 == 0 && regs::SEC_COMPLETE_STATUS.get(d) != regs::STATUS_TIMEOUT)?;
                match self.req_q.first() {
                    None => Err(regs::ERR_EMPTY),
                    Some(h) if h.seq != regs::SEC_COMPLETE_SEQ.get(d) => Err(regs::ERR_SEQ),
                    Some(_) => Ok(Action::SecComplete(regs::SEC_COMPLETE_STATUS.get(d))),
                }
            }
            o if o == regs::WIFI_CMD_OP.offset => {
                value(byte_only)?;
                not_busy().map(|_| Action::CmdOp(d))
            }
            o if o == regs::WIFI_CMD_ARG0.offset => not_busy().map(|_| Action::CmdArg0(d)),
            o if o == regs::WIFI_CMD_ARG1.offset => not_busy().map(|_| Action::CmdArg1(d)),
            o if o == regs::WIFI_CMD_SEQ.offset => {
                value(byte_only)?;
                not_busy().map(|_| Action::CmdSeq(d))
            }
            o if o == regs::WIFI_CMD_GO.offset => {
                value(one)?;
                not_busy().map(|_| Action::CmdGo)
            }
            o if o == regs::WIFI_CMD_ACK.offset => value(one).map(|_| Action::CmdAck),
            o if o == regs::EVT_POP.offset => {
                value(one)?;
                if self.evt_valid {
                    Ok(Action::EvtPop)
                } else {
                    Err(regs::ERR_EMPTY)
                }
            }
            _ => unreachable!("register {} is not writable", reg.name),
        }
    }

    fn log_error(&mut self, code: u32, req: &BusRequest) {
        if self.err_info == 0 {
            self.err_info = regs::ERR_INFO_CODE.put(code)
                | regs::ERR_INFO_MASTER.put(req.pmaster)
                | regs::ERR_INFO_WRITE.put(req.pwrite as u32)
                | regs::ERR_INFO_ADDR.put(req.paddr);
        } else {
            self.err_info |= regs::ERR_INFO_OVERFLOW.put(1);
        }
    }

    /// Rising edge with `rst_n` high; every condition uses the state before the edge.
    fn rising_edge(&mut self) {
        let req = self.request();
        let outcome = self.access_phase().then(|| self.check(&req));
        let write = match outcome {
            Some(Ok(Action::Read(_))) | None => None,
            Some(Ok(a)) => Some(a),
            Some(Err(_)) => None,
        };
        let level_before = self.req_level();
        let timeout =
            level_before > 0 && self.age == regs::REQ_TIMEOUT - 1 && !matches!(write, Some(Action::SecComplete(_)));
        let cmd_taken = self.cmd_valid && self.input(WIFI_CMD_READY) == 1;
        let evt_taken = self.input(WIFI_EVT_VALID) == 1 && self.evt_ready;

        // Completion queue: a pop removes the old head, then a new completion goes behind.
        if write == Some(Action::AppCplPop) {
            self.cpl_q.remove(0);
        }
        let mut head_removed = false;
        if let Some(Action::SecComplete(status)) = write {
            let head = self.req_q.remove(0);
            self.cpl_q.push(Completion { seq: head.seq, status });
            head_removed = true;
        } else if timeout {
            let head = self.req_q.remove(0);
            self.cpl_q.push(Completion {
                seq: head.seq,
                status: regs::STATUS_TIMEOUT,
            });
            head_removed = true;
            self.timeouts += 1;
        }
        if write == Some(Action::ReqPush) {
            self.last_seq = (self.last_seq + 1) & 0xFF;
            self.req_q.push(Request {
                seq: self.last_seq,
                op: self.req_op,
                arg0: self.req_arg0,
                arg1: self.req_arg1,
            });
        }
        assert!(
            self.req_level() + self.cpl_level() <= regs::QUEUE_DEPTH,
            "queue bound broken"
        );
        self.age = if level_before == 0 || head_removed {
            0
        } else {
            (self.age + 1) & 0x7FF
        };

        // Command interface.
        if cmd_taken {
            self.cmd_valid = false;
            self.cmd_done = true;
            self.commands_taken += 1;
        }
        // Event buffer.
        if evt_taken {
            self.evt_valid = true;
            self.evt_data = self.input(WIFI_EVT_DATA);
        }

        match write {
            Some(Action::ClearErrInfo) => self.err_info = 0,
            Some(Action::ReqOp(v)) => self.req_op = v,
            Some(Action::ReqArg0(v)) => self.req_arg0 = v,
            Some(Action::ReqArg1(v)) => self.req_arg1 = v,
            Some(Action::CmdOp(v)) => self.cmd_op = v,
            Some(Action::CmdArg0(v)) => self.cmd_arg0 = v,
            Some(Action::CmdArg1(v)) => self.cmd_arg1 = v,
            Some(Action::CmdSeq(v)) => self.cmd_seq = v,
            Some(Action::CmdGo) => self.cmd_valid = true,
            // A take at the same edge wins over the acknowledge.
            Some(Action::CmdAck) if !cmd_taken => self.cmd_done = false,
            Some(Action::EvtPop) => self.evt_valid = false,
            _ => {}
        }
        if let Some(Err(code)) = outcome {
            self.log_error(code, &req);
        }
        self.evt_ready = !self.evt_valid;
    }
}

impl Dut for WifiModel {
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
        let out = match port {
            PRDATA | PSLVERR => {
                let result = self.access_phase().then(|| self.check(&self.request()));
                match (port, result) {
                    (PRDATA, Some(Ok(Action::Read(v)))) => v,
                    (PSLVERR, Some(Err(_))) => 1,
                    _ => 0,
                }
            }
            PREADY => 1,
            WIFI_CMD_VALID => self.cmd_valid as u32,
            OUT_CMD_OP => self.cmd_op,
            OUT_CMD_ARG0 => self.cmd_arg0,
            OUT_CMD_ARG1 => self.cmd_arg1,
            OUT_CMD_SEQ => self.cmd_seq,
            WIFI_EVT_READY => self.evt_ready as u32,
            INTR_SEC => (!self.req_q.is_empty() || self.cmd_done || self.evt_valid) as u32,
            INTR_APP => !self.cpl_q.is_empty() as u32,
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
        self.rising_edge();
        // Every transfer completes in its first access cycle (pready = 1).
        let req = self.request();
        self.guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, true, &req);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_apb::{Apb, Done};
    use pluton_regs::wifi::regs::*;

    fn setup() -> (WifiModel, Apb) {
        let mut m = WifiModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        (m, apb)
    }

    fn sec_w(m: &mut WifiModel, apb: &mut Apb, reg: &Register, v: u32) -> Done {
        apb.transfer(m, true, reg.offset, v, 0xF, MASTER_SEC)
    }
    fn sec_r(m: &mut WifiModel, apb: &mut Apb, reg: &Register) -> Done {
        apb.transfer(m, false, reg.offset, 0, 0, MASTER_SEC)
    }
    fn app_w(m: &mut WifiModel, apb: &mut Apb, reg: &Register, v: u32) -> Done {
        apb.transfer(m, true, reg.offset, v, 0xF, MASTER_APP)
    }
    fn app_r(m: &mut WifiModel, apb: &mut Apb, reg: &Register) -> Done {
        apb.transfer(m, false, reg.offset, 0, 0, MASTER_APP)
    }
    fn err_code(m: &mut WifiModel, apb: &mut Apb) -> u32 {
        let c = ERR_INFO_CODE.get(sec_r(m, apb, &ERR_INFO).data);
        assert!(!sec_w(m, apb, &ERR_INFO, 0).err);
        c
    }
    fn push(m: &mut WifiModel, apb: &mut Apb, op: u32, arg0: u32) -> Done {
        assert!(!app_w(m, apb, &REQ_OP, op).err);
        assert!(!app_w(m, apb, &REQ_ARG0, arg0).err);
        app_w(m, apb, &REQ_PUSH, 1)
    }

    #[test]
    fn port_list_matches_readme() {
        let m = WifiModel::new();
        assert_eq!(m.ports().len(), 23);
        assert_eq!(m.port_id("wifi_evt_data"), Some(11));
        assert_eq!(m.port_id("intr_app"), Some(22));
        assert_eq!(m.name(), "pluton_wifi");
    }

    #[test]
    fn request_forward_and_complete() {
        let (mut m, mut apb) = setup();
        assert_eq!(app_r(&mut m, &mut apb, &ID).data, BLOCK_ID);
        assert!(!push(&mut m, &mut apb, 0x12, 0xaaaa_5555).err);
        assert_eq!(m.peek_u32(INTR_SEC), 1);
        assert_eq!(APP_STATUS_LAST_SEQ.get(app_r(&mut m, &mut apb, &APP_STATUS).data), 1);
        assert_eq!(sec_r(&mut m, &mut apb, &SEC_REQ_OP).data, 0x12);
        assert_eq!(sec_r(&mut m, &mut apb, &SEC_REQ_ARG0).data, 0xaaaa_5555);
        assert_eq!(sec_r(&mut m, &mut apb, &SEC_REQ_SEQ).data, 1);
        // The security core forwards it as a Wi-Fi command.
        assert!(!sec_w(&mut m, &mut apb, &WIFI_CMD_OP, 0x12).err);
        assert!(!sec_w(&mut m, &mut apb, &WIFI_CMD_SEQ, 1).err);
        assert_eq!((m.peek_u32(OUT_CMD_OP), m.peek_u32(OUT_CMD_SEQ)), (0x12, 1));
        assert!(!sec_w(&mut m, &mut apb, &WIFI_CMD_GO, 1).err);
        assert_eq!(m.peek_u32(WIFI_CMD_VALID), 1);
        // Offered command is stable: writes are ERR_BUSY.
        assert!(sec_w(&mut m, &mut apb, &WIFI_CMD_ARG0, 5).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_BUSY);
        m.poke_u32(WIFI_CMD_READY, 1);
        apb.step(&mut m);
        m.poke_u32(WIFI_CMD_READY, 0);
        assert_eq!(m.peek_u32(WIFI_CMD_VALID), 0);
        assert_eq!(SEC_STATUS_CMD_DONE.get(sec_r(&mut m, &mut apb, &SEC_STATUS).data), 1);
        assert!(!sec_w(&mut m, &mut apb, &WIFI_CMD_ACK, 1).err);
        // Complete with OK: the app core sees {seq 1, OK}.
        assert!(sec_w(&mut m, &mut apb, &SEC_COMPLETE, SEC_COMPLETE_SEQ.put(2)).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_SEQ);
        assert!(!sec_w(&mut m, &mut apb, &SEC_COMPLETE, SEC_COMPLETE_SEQ.put(1) | STATUS_OK).err);
        assert_eq!(m.peek_u32(INTR_SEC), 0);
        assert_eq!(m.peek_u32(INTR_APP), 1);
        assert_eq!(app_r(&mut m, &mut apb, &APP_CPL).data, 0x8000_0001);
        assert!(!app_w(&mut m, &mut apb, &APP_CPL_POP, 1).err);
        assert_eq!(m.peek_u32(INTR_APP), 0);
        assert!(app_w(&mut m, &mut apb, &APP_CPL_POP, 1).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_EMPTY);
    }

    #[test]
    fn full_back_pressure_counts_completions() {
        let (mut m, mut apb) = setup();
        for i in 0..4 {
            assert!(!push(&mut m, &mut apb, i, 0).err);
        }
        assert_eq!(APP_STATUS_FULL.get(app_r(&mut m, &mut apb, &APP_STATUS).data), 1);
        assert!(push(&mut m, &mut apb, 9, 0).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_FULL);
        assert!(
            !sec_w(
                &mut m,
                &mut apb,
                &SEC_COMPLETE,
                SEC_COMPLETE_SEQ.put(1) | STATUS_REFUSED
            )
            .err
        );
        // Still full: the completion is outstanding until popped.
        assert!(app_w(&mut m, &mut apb, &REQ_PUSH, 1).err);
        assert!(!app_w(&mut m, &mut apb, &APP_CPL_POP, 1).err);
        assert!(!app_w(&mut m, &mut apb, &REQ_PUSH, 1).err);
        assert_eq!(m.requests().iter().map(|r| r.seq).collect::<Vec<_>>(), [2, 3, 4, 5]);
    }

    #[test]
    fn timeout_at_head_plus_2048() {
        let (mut m, mut apb) = setup();
        push(&mut m, &mut apb, 1, 0);
        let e = apb.edges; // the push completed at this edge: the request is head from here
        assert!(!push(&mut m, &mut apb, 2, 0).err);
        while apb.edges < e + REQ_TIMEOUT as u64 - 1 {
            apb.step(&mut m);
        }
        assert_eq!(m.peek_u32(INTR_APP), 0);
        apb.step(&mut m); // edge e + 2048
        assert_eq!(m.peek_u32(INTR_APP), 1);
        assert_eq!(
            m.completions(),
            &[Completion {
                seq: 1,
                status: STATUS_TIMEOUT
            }]
        );
        assert_eq!(m.requests()[0].seq, 2);
        assert_eq!(m.timeouts(), 1);
        // A stale completion for seq 1 is ERR_SEQ.
        assert!(sec_w(&mut m, &mut apb, &SEC_COMPLETE, SEC_COMPLETE_SEQ.put(1)).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_SEQ);
    }

    #[test]
    fn sec_complete_on_the_timeout_edge_wins() {
        let (mut m, mut apb) = setup();
        push(&mut m, &mut apb, 1, 0);
        let e = apb.edges;
        // SEC_COMPLETE takes two edges (setup + access): start it so it completes at e + 2048.
        while apb.edges < e + REQ_TIMEOUT as u64 - 2 {
            apb.step(&mut m);
        }
        assert!(!sec_w(&mut m, &mut apb, &SEC_COMPLETE, SEC_COMPLETE_SEQ.put(1) | 0x42).err);
        assert_eq!(apb.edges, e + REQ_TIMEOUT as u64);
        assert_eq!(m.completions(), &[Completion { seq: 1, status: 0x42 }]);
        assert_eq!(m.timeouts(), 0);
    }

    #[test]
    fn wrong_master_and_bad_input_change_nothing() {
        let (mut m, mut apb) = setup();
        // The application core cannot drive the Wi-Fi interface.
        let r = apb.transfer(&mut m, true, WIFI_CMD_OP.offset, 0x77, 0xF, MASTER_APP);
        assert!(r.err);
        assert_eq!(m.peek_u32(OUT_CMD_OP), 0);
        assert_eq!(err_code(&mut m, &mut apb), ERR_MASTER);
        let r = apb.transfer(&mut m, true, WIFI_CMD_GO.offset, 1, 0xF, MASTER_IO0);
        assert!(r.err);
        assert_eq!(m.peek_u32(WIFI_CMD_VALID), 0);
        let info = sec_r(&mut m, &mut apb, &ERR_INFO).data;
        assert_eq!(ERR_INFO_CODE.get(info), ERR_MASTER);
        assert_eq!(ERR_INFO_MASTER.get(info), MASTER_IO0);
        assert_eq!(ERR_INFO_WRITE.get(info), 1);
        assert_eq!(ERR_INFO_ADDR.get(info), WIFI_CMD_GO.offset);
        // A second error only sets OVERFLOW; ERR_INFO itself is SEC only.
        assert!(app_r(&mut m, &mut apb, &ERR_INFO).err);
        assert_eq!(sec_r(&mut m, &mut apb, &ERR_INFO).data, info | ERR_INFO_OVERFLOW.put(1));
        assert!(!sec_w(&mut m, &mut apb, &ERR_INFO, 0x1234).err);
        // Check order: unmapped, master, direction, strobe, value, state.
        assert!(apb.transfer(&mut m, false, 0x002, 0, 0, MASTER_IO1).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_UNMAPPED);
        assert!(apb.transfer(&mut m, false, REQ_PUSH.offset, 0, 0, MASTER_SEC).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_MASTER);
        assert!(app_r(&mut m, &mut apb, &REQ_PUSH).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_READ_WO);
        assert!(sec_w(&mut m, &mut apb, &SEC_STATUS, 0).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_WRITE_RO);
        assert!(apb.transfer(&mut m, true, REQ_PUSH.offset, 2, 0x7, MASTER_APP).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_STRB);
        assert!(app_w(&mut m, &mut apb, &REQ_PUSH, 2).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_VALUE);
        assert!(app_w(&mut m, &mut apb, &REQ_OP, 0x100).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_VALUE);
        assert!(sec_w(&mut m, &mut apb, &SEC_COMPLETE, 0xFF).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_VALUE);
        assert!(sec_w(&mut m, &mut apb, &SEC_COMPLETE, 0).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_EMPTY);
        assert!(sec_w(&mut m, &mut apb, &EVT_POP, 1).err);
        assert_eq!(err_code(&mut m, &mut apb), ERR_EMPTY);
        assert_eq!(APP_STATUS_LAST_SEQ.get(app_r(&mut m, &mut apb, &APP_STATUS).data), 0);
    }

    #[test]
    fn event_buffer_and_ready_flop() {
        let mut m = WifiModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        // evt_ready is 0 until the first edge after reset.
        assert_eq!(m.peek_u32(WIFI_EVT_READY), 0);
        m.poke_u32(WIFI_EVT_VALID, 1);
        m.poke_u32(WIFI_EVT_DATA, 0xE1);
        apb.step(&mut m); // not taken: ready was 0
        assert_eq!(m.peek_u32(WIFI_EVT_READY), 1);
        assert_eq!(m.peek_u32(INTR_SEC), 0);
        apb.step(&mut m); // taken
        m.poke_u32(WIFI_EVT_DATA, 0xE2);
        assert_eq!(m.peek_u32(WIFI_EVT_READY), 0);
        assert_eq!(m.peek_u32(INTR_SEC), 1);
        assert_eq!(sec_r(&mut m, &mut apb, &EVT_DATA).data, 0xE1);
        assert!(!sec_w(&mut m, &mut apb, &EVT_POP, 1).err);
        // Ready comes back the edge after the pop, and E2 is taken at the edge after that.
        assert_eq!(m.peek_u32(WIFI_EVT_READY), 1);
        apb.step(&mut m);
        m.poke_u32(WIFI_EVT_VALID, 0);
        assert_eq!(sec_r(&mut m, &mut apb, &EVT_DATA).data, 0xE2);
        assert!(app_r(&mut m, &mut apb, &EVT_DATA).err);
    }

    #[test]
    fn seq_wraps_after_255() {
        let (mut m, mut apb) = setup();
        for i in 1..=257u32 {
            assert!(!app_w(&mut m, &mut apb, &REQ_PUSH, 1).err);
            let seq = i & 0xFF;
            assert_eq!(sec_r(&mut m, &mut apb, &SEC_REQ_SEQ).data, seq);
            assert!(!sec_w(&mut m, &mut apb, &SEC_COMPLETE, SEC_COMPLETE_SEQ.put(seq)).err);
            assert!(!app_w(&mut m, &mut apb, &APP_CPL_POP, 1).err);
        }
        assert_eq!(APP_STATUS_LAST_SEQ.get(app_r(&mut m, &mut apb, &APP_STATUS).data), 1);
    }
}
