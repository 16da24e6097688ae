//! Cycle-accurate, port-level reference model of the inter-core mailbox (`pluton_mailbox`), written from its README.
//!
//! `poke` stores inputs (and applies the asynchronous reset); `peek` computes `prdata`/`pslverr`
//! from the state and the request (0 outside the access phase), `pready` = 1, the interrupts from
//! the state; `step` is one rising edge. Who may read or write what comes from `regs::RULES`.

use crate::apb_guard::{ApbGuardModel, ApbRequest};
use pluton_bindings::dut::{Dir, Dut, Port};
use pluton_regs::common::regmap::Register;
use pluton_regs::mailbox::regs::{self, MAP};

const CLOCK: usize = 0;
const RST_N: usize = 1;
const PSEL: usize = 2;
const PENABLE: usize = 3;
const PWRITE: usize = 4;
const PADDR: usize = 5;
const PWDATA: usize = 6;
const PSTRB: usize = 7;
const PMASTER: usize = 8;
const PRDATA: usize = 9;
const PREADY: usize = 10;
const PSLVERR: usize = 11;
const IRQ_SEC: usize = 12;
const IRQ_APP: usize = 13;

/// (name, direction, width) of every port, in the README's order.
const PORTS: [(&str, Dir, u32); 14] = [
    ("clock", Dir::In, 1),
    ("rst_n", Dir::In, 1),
    ("psel", Dir::In, 1),
    ("penable", Dir::In, 1),
    ("pwrite", Dir::In, 1),
    ("paddr", Dir::In, 12),
    ("pwdata", Dir::In, 32),
    ("pstrb", Dir::In, 4),
    ("pmaster", Dir::In, 4),
    ("prdata", Dir::Out, 32),
    ("pready", Dir::Out, 1),
    ("pslverr", Dir::Out, 1),
    ("irq_sec", Dir::Out, 1),
    ("irq_app", Dir::Out, 1),
];

/// One direction: the buffer and its doorbell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Channel {
    pub words: [u32; 4],
    pub pending: bool,
}

/// What a transfer that passed every check does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Read(u32),
    ClearErr,
    Word { s2a: bool, i: usize, v: u32 },
    Ring { s2a: bool },
    Ack { s2a: bool },
    Ie { sec: bool, on: bool },
}

/// Port-level model of `pluton_mailbox`.
pub struct MailboxModel {
    ports: Vec<Port>,
    inputs: Vec<Vec<u32>>,
    pub s2a: Channel,
    pub a2s: Channel,
    pub sec_ie: bool,
    pub app_ie: bool,
    pub err_info: u32,
    guard: ApbGuardModel,
}

impl Default for MailboxModel {
    fn default() -> Self {
        Self::new()
    }
}

impl MailboxModel {
    pub fn new() -> Self {
        let ports = crate::ports::port_list(&PORTS);
        let inputs = crate::ports::zero_values(&ports);
        MailboxModel { ports, inputs, s2a: Channel::default(), a2s: Channel::default(), sec_ie: false, app_ie: false, err_info: 0, guard: ApbGuardModel::default() }
    }

    fn reset(&mut self) {
        self.s2a = Channel::default();
        self.a2s = Channel::default();
        self.sec_ie = false;
        self.app_ie = false;
        self.err_info = 0;
        self.guard.reset();
    }

    fn request(&self) -> ApbRequest {
        ApbRequest { pwrite: self.input(PWRITE) == 1, paddr: self.input(PADDR), pwdata: self.input(PWDATA), pstrb: self.input(PSTRB), pmaster: self.input(PMASTER) }
    }

    fn input(&self, p: usize) -> u32 {
        self.inputs[p][0]
    }
    fn access(&self) -> bool {
        self.input(PSEL) == 1 && self.input(PENABLE) == 1
    }

    fn status(&self) -> u32 {
        regs::STATUS_S2A_PENDING.put(self.s2a.pending as u32)
            | regs::STATUS_A2S_PENDING.put(self.a2s.pending as u32)
            | regs::STATUS_SEC_IE.put(self.sec_ie as u32)
            | regs::STATUS_APP_IE.put(self.app_ie as u32)
            | regs::STATUS_ERR.put((self.err_info != 0) as u32)
    }

    /// The README's checks in order, on the state before the edge.
    fn check(&self) -> Result<Effect, u32> {
        if self.guard.violation(self.input(PSEL) == 1, self.input(PENABLE) == 1, &self.request()) {
            return Err(regs::ERR_PROTOCOL);
        }
        let (addr, write, data, strb, master) =
            (self.input(PADDR), self.input(PWRITE) == 1, self.input(PWDATA), self.input(PSTRB), self.input(PMASTER));
        let (reg, i): (&Register, u32) = MAP.decode(addr).ok_or(regs::ERR_UNMAPPED)?;
        if !regs::allowed(reg, master, write) {
            return Err(regs::ERR_MASTER);
        }
        if !write && !reg.access.readable() {
            return Err(regs::ERR_READ_WO);
        }
        if write && !reg.access.writable() {
            return Err(regs::ERR_WRITE_RO);
        }
        let i = i as usize;
        let name = reg.name;
        let chan = |s2a: bool| if s2a { &self.s2a } else { &self.a2s };
        if !write {
            return match name {
                "ID" => Ok(Effect::Read(regs::BLOCK_ID)),
                "ERR_INFO" => Ok(Effect::Read(self.err_info)),
                "STATUS" => Ok(Effect::Read(self.status())),
                "SEC_IRQ_EN" => Ok(Effect::Read(self.sec_ie as u32)),
                "APP_IRQ_EN" => Ok(Effect::Read(self.app_ie as u32)),
                "S2A_DATA" | "A2S_DATA" => {
                    let c = chan(name == "S2A_DATA");
                    if c.pending {
                        Ok(Effect::Read(c.words[i]))
                    } else {
                        Err(regs::ERR_EMPTY)
                    }
                }
                _ => unreachable!("{name} is not readable"),
            };
        }
        if strb != 0xF {
            return Err(regs::ERR_STRB);
        }
        match name {
            "ERR_INFO" => Ok(Effect::ClearErr),
            "SEC_IRQ_EN" | "APP_IRQ_EN" if data > 1 => Err(regs::ERR_VALUE),
            "SEC_IRQ_EN" | "APP_IRQ_EN" => Ok(Effect::Ie { sec: name == "SEC_IRQ_EN", on: data == 1 }),
            "S2A_SEND" | "A2S_SEND" | "S2A_ACK" | "A2S_ACK" if data != 1 => Err(regs::ERR_VALUE),
            "S2A_DATA" | "A2S_DATA" | "S2A_SEND" | "A2S_SEND" => {
                let s2a = name.starts_with("S2A");
                if chan(s2a).pending {
                    Err(regs::ERR_BUSY)
                } else if name.ends_with("DATA") {
                    Ok(Effect::Word { s2a, i, v: data })
                } else {
                    Ok(Effect::Ring { s2a })
                }
            }
            "S2A_ACK" | "A2S_ACK" => {
                let s2a = name == "S2A_ACK";
                if chan(s2a).pending {
                    Ok(Effect::Ack { s2a })
                } else {
                    Err(regs::ERR_EMPTY)
                }
            }
            _ => unreachable!("{name} is not writable"),
        }
    }

    fn edge(&mut self) {
        if !self.access() {
            return;
        }
        match self.check() {
            Ok(Effect::Read(_)) => {}
            Ok(Effect::ClearErr) => self.err_info = 0,
            Ok(Effect::Word { s2a, i, v }) => (if s2a { &mut self.s2a } else { &mut self.a2s }).words[i] = v,
            Ok(Effect::Ring { s2a }) => (if s2a { &mut self.s2a } else { &mut self.a2s }).pending = true,
            Ok(Effect::Ack { s2a }) => (if s2a { &mut self.s2a } else { &mut self.a2s }).pending = false,
            Ok(Effect::Ie { sec: true, on }) => self.sec_ie = on,
            Ok(Effect::Ie { sec: false, on }) => self.app_ie = on,
            Err(code) => {
                if self.err_info == 0 {
                    self.err_info = regs::ERR_INFO_CODE.put(code)
                        | regs::ERR_INFO_MASTER.put(self.input(PMASTER))
                        | regs::ERR_INFO_WRITE.put(self.input(PWRITE))
                        | regs::ERR_INFO_ADDR.put(self.input(PADDR));
                } else {
                    self.err_info |= regs::ERR_INFO_OVERFLOW.mask();
                }
            }
        }
    }
}

impl Dut for MailboxModel {
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
            return;
        }
        let width = p.width;
        crate::ports::store_masked(&mut self.inputs[port], width, value);
        if self.input(RST_N) == 0 {
            self.reset();
        }
    }
    fn peek(&mut self, port: usize, value: &mut [u32]) {
        value.fill(0);
        let out = match port {
            PRDATA => match self.access().then(|| self.check()) {
                Some(Ok(Effect::Read(v))) if self.input(PWRITE) == 0 => v,
                _ => 0,
            },
            PSLVERR => matches!(self.access().then(|| self.check()), Some(Err(_))) as u32,
            PREADY => 1,
            IRQ_SEC => (self.a2s.pending && self.sec_ie) as u32,
            IRQ_APP => (self.s2a.pending && self.app_ie) as u32,
            _ => {
                let n = value.len().min(self.inputs[port].len());
                value[..n].copy_from_slice(&self.inputs[port][..n]);
                return;
            }
        };
        value[0] = out;
    }
    fn step(&mut self) {
        if self.input(RST_N) == 0 {
            self.reset();
            return;
        }
        self.edge();
        // Every transfer completes in its first access cycle (pready = 1).
        let req = self.request();
        self.guard.edge(self.input(PSEL) == 1, self.input(PENABLE) == 1, true, &req);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_apb::Apb;
    use pluton_regs::mailbox::regs::*;

    fn setup() -> (MailboxModel, Apb) {
        let mut m = MailboxModel::new();
        let mut apb = Apb::new(&m);
        apb.reset(&mut m);
        (m, apb)
    }

    #[test]
    fn round_trip_sec_to_app() {
        let (mut m, mut apb) = setup();
        assert!(!apb.transfer(&mut m, true, APP_IRQ_EN.offset, 1, 0xF, MASTER_APP).err);
        for i in 0..4 {
            assert!(!apb.transfer(&mut m, true, S2A_DATA.addr(i), 0x100 + i, 0xF, MASTER_SEC).err);
        }
        assert_eq!(m.peek_u32(IRQ_APP), 0);
        assert!(!apb.transfer(&mut m, true, S2A_SEND.offset, 1, 0xF, MASTER_SEC).err);
        assert_eq!(m.peek_u32(IRQ_APP), 1);
        assert_eq!(m.peek_u32(IRQ_SEC), 0);
        // Sender cannot read back nor write again; IO cores see nothing.
        assert!(apb.transfer(&mut m, false, S2A_DATA.addr(0), 0, 0, MASTER_SEC).err);
        assert!(apb.transfer(&mut m, true, S2A_DATA.addr(0), 9, 0xF, MASTER_SEC).err);
        let r = apb.transfer(&mut m, false, S2A_DATA.addr(2), 0, 0, MASTER_IO0);
        assert!(r.err && r.data == 0);
        for i in 0..4 {
            assert_eq!(apb.transfer(&mut m, false, S2A_DATA.addr(i), 0, 0, MASTER_APP).data, 0x100 + i);
        }
        assert!(!apb.transfer(&mut m, true, S2A_ACK.offset, 1, 0xF, MASTER_APP).err);
        assert_eq!(m.peek_u32(IRQ_APP), 0);
        assert!(apb.transfer(&mut m, false, S2A_DATA.addr(0), 0, 0, MASTER_APP).err);
        // Errors: first logged with the IO core's read, later ones set OVERFLOW.
        let info = apb.transfer(&mut m, false, ERR_INFO.offset, 0, 0, MASTER_SEC).data;
        assert_eq!(ERR_INFO_CODE.get(info), ERR_MASTER);
        assert_eq!(ERR_INFO_MASTER.get(info), MASTER_SEC);
        assert_eq!(ERR_INFO_OVERFLOW.get(info), 1);
    }

    #[test]
    fn check_order() {
        let (mut m, mut apb) = setup();
        let code = |m: &mut MailboxModel, apb: &mut Apb, w: bool, a: u32, d: u32, s: u32, who: u32| {
            assert!(apb.transfer(m, w, a, d, s, who).err);
            let c = ERR_INFO_CODE.get(m.err_info);
            m.err_info = 0;
            c
        };
        assert_eq!(code(&mut m, &mut apb, false, 0x022, 0, 0, MASTER_APP), ERR_UNMAPPED);
        assert_eq!(code(&mut m, &mut apb, false, 0x058, 0, 0, MASTER_APP), ERR_UNMAPPED);
        assert_eq!(code(&mut m, &mut apb, false, STATUS.offset, 0, 0, MASTER_IO1), ERR_MASTER);
        assert_eq!(code(&mut m, &mut apb, false, S2A_SEND.offset, 0, 0, MASTER_SEC), ERR_READ_WO);
        assert_eq!(code(&mut m, &mut apb, false, S2A_SEND.offset, 0, 0, MASTER_APP), ERR_MASTER);
        assert_eq!(code(&mut m, &mut apb, true, ID.offset, 0, 0xF, MASTER_IO0), ERR_WRITE_RO);
        assert_eq!(code(&mut m, &mut apb, true, A2S_DATA.offset, 0, 0x3, MASTER_APP), ERR_STRB);
        assert_eq!(code(&mut m, &mut apb, true, A2S_SEND.offset, 2, 0xF, MASTER_APP), ERR_VALUE);
        assert_eq!(code(&mut m, &mut apb, true, SEC_IRQ_EN.offset, 3, 0xF, MASTER_SEC), ERR_VALUE);
        assert_eq!(code(&mut m, &mut apb, true, A2S_ACK.offset, 1, 0xF, MASTER_SEC), ERR_EMPTY);
        assert!(!apb.transfer(&mut m, true, A2S_SEND.offset, 1, 0xF, MASTER_APP).err);
        assert_eq!(code(&mut m, &mut apb, true, A2S_DATA.addr(3), 1, 0xF, MASTER_APP), ERR_BUSY);
        assert_eq!(code(&mut m, &mut apb, true, A2S_SEND.offset, 1, 0xF, MASTER_APP), ERR_BUSY);
    }
}
