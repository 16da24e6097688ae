//! Register-map description types: the one source for RTL decode, models, docs and C headers.

/// How software may access a register or field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read and write.
    Rw,
    /// Read only; a write gives PSLVERR (`ERR_WRITE_RO`).
    Ro,
    /// Write only; a read gives PSLVERR (`ERR_READ_WO`) and returns 0.
    Wo,
    /// Read; writing any value clears it.
    Rc,
}

impl Access {
    pub fn short(self) -> &'static str {
        match self {
            Access::Rw => "RW",
            Access::Ro => "RO",
            Access::Wo => "WO",
            Access::Rc => "RC",
        }
    }
    pub fn readable(self) -> bool {
        !matches!(self, Access::Wo)
    }
    pub fn writable(self) -> bool {
        !matches!(self, Access::Ro)
    }
}

/// A bit field inside a register.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub lsb: u32,
    pub width: u32,
    pub desc: &'static str,
}

impl Field {
    pub const fn mask(&self) -> u32 {
        (((1u64 << self.width) - 1) as u32) << self.lsb
    }
    /// Extract this field from a register value.
    pub const fn get(&self, reg: u32) -> u32 {
        (reg & self.mask()) >> self.lsb
    }
    /// Place `value` in this field (bits outside the field are dropped).
    pub const fn put(&self, value: u32) -> u32 {
        (value << self.lsb) & self.mask()
    }
}

/// What every APB block shares, re-exported by each map: `ERR_INFO`'s layout (kept by `ErrLog`)
/// and the codes of the refusals the register front end decides.
pub mod apb_common {
    use super::Field;

    pub const ERR_INFO_CODE: Field = Field { name: "CODE", lsb: 0, width: 4, desc: "First error since the last clear (ERR_* constants)" };
    pub const ERR_INFO_MASTER: Field = Field { name: "MASTER", lsb: 4, width: 4, desc: "pmaster of the faulting access" };
    pub const ERR_INFO_WRITE: Field = Field { name: "WRITE", lsb: 8, width: 1, desc: "1 if the faulting access was a write" };
    pub const ERR_INFO_ADDR: Field = Field { name: "ADDR", lsb: 16, width: 12, desc: "paddr of the faulting access" };
    pub const ERR_INFO_OVERFLOW: Field = Field { name: "OVERFLOW", lsb: 31, width: 1, desc: "More errors happened after the logged one" };
    pub const ERR_INFO_FIELDS: &[Field] = &[ERR_INFO_CODE, ERR_INFO_MASTER, ERR_INFO_WRITE, ERR_INFO_ADDR, ERR_INFO_OVERFLOW];

    pub const ERR_NONE: u32 = 0;
    pub const ERR_UNMAPPED: u32 = 1;
    pub const ERR_READ_WO: u32 = 2;
    pub const ERR_WRITE_RO: u32 = 3;
    pub const ERR_STRB: u32 = 6;
    /// An APB protocol violation (`ApbGuard`): access without setup, a request changed during
    /// wait states, or the first access after a transfer was abandoned in a wait state.
    pub const ERR_PROTOCOL: u32 = 15;
}

/// A set of requesters on the `pmaster` sideband, bit m = master m.
pub type Masters = u16;
/// Every requester.
pub const ANY: Masters = 0xFFFF;
/// The security core alone.
pub const SEC: Masters = 1 << crate::common::masters::MASTER_SEC;
/// The application core alone.
pub const APP: Masters = 1 << crate::common::masters::MASTER_APP;

/// What the CSR tests generated from the map (`testbenches/src/csr.rs`) may do with a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsrTest {
    /// Every check its access type allows: reset value; for RW, write and read back every field
    /// bit and a partial-strobe write refused; for RO, a write refused and the value unchanged;
    /// for WO, a read refused.
    Full,
    /// As `Full`, but only some values are legal (others get `ERR_VALUE`): the read-back writes
    /// these. The reason says which values are refused.
    Legal(&'static [u32], &'static str),
    /// Writing has a side effect (a command, data into a FIFO or hash, a lock): the tests never
    /// write it, and a refused read (WO) is still checked. The reason says what the effect is.
    NoWrite(&'static str),
    /// Its value is not fixed at reset (it follows the hardware's state): no reset-value check,
    /// nor writes. The reason says what it follows.
    Live(&'static str),
}

/// One register, or an array of `count` registers at consecutive word offsets.
#[derive(Clone, Copy, Debug)]
pub struct Register {
    pub name: &'static str,
    pub offset: u32,
    pub count: u32,
    pub access: Access,
    pub reset: u32,
    pub desc: &'static str,
    pub fields: &'static [Field],
    /// Who may read it and who may write it; any other requester gets the block's `ERR_MASTER`.
    /// A read-only register lists its readers as writers too (and a write-only one its writers
    /// as readers), so that one of them writing (reading) it gets `ERR_WRITE_RO` (`ERR_READ_WO`).
    pub readers: Masters,
    pub writers: Masters,
    /// What the generated CSR tests may do with it.
    pub csr: CsrTest,
}

impl Register {
    /// Byte address of element `i` of this register.
    pub const fn addr(&self, i: u32) -> u32 {
        self.offset + 4 * i
    }
    /// May requester `pmaster` read (`write = false`) or write this register?
    pub const fn allows(&self, pmaster: u32, write: bool) -> bool {
        let set = if write { self.writers } else { self.readers };
        set >> (pmaster & 15) & 1 == 1
    }
    /// A requester allowed to read (`write = false`) or write it: the lowest-numbered one.
    pub const fn first_master(&self, write: bool) -> u32 {
        let set = if write { self.writers } else { self.readers };
        set.trailing_zeros()
    }
    /// The bits software can write and read back: the fields, or the whole word if it has none.
    pub const fn writable_mask(&self) -> u32 {
        if self.fields.is_empty() {
            return u32::MAX;
        }
        let mut m = 0;
        let mut i = 0;
        while i < self.fields.len() {
            m |= self.fields[i].mask();
            i += 1;
        }
        m
    }
    /// Does byte address `addr` fall in this register (or array)?
    pub const fn contains(&self, addr: u32) -> bool {
        addr >= self.offset && addr < self.offset + 4 * self.count && addr % 4 == 0
    }
}

/// A named constant published with the map (error codes, IDs, timing).
#[derive(Clone, Copy, Debug)]
pub struct Constant {
    pub name: &'static str,
    pub value: u32,
    pub desc: &'static str,
}

/// A map's `constants`, each named once: `constants![BLOCK_ID => "Value of ID"]` publishes the
/// constant `BLOCK_ID` in scope; `constants![NUM_IRQ = 32 => ".."]` gives the value where no
/// constant of that name is in scope.
#[macro_export]
macro_rules! constants {
    ($($name:ident $(= $value:expr)? => $desc:expr),* $(,)?) => {
        &[$($crate::common::regmap::Constant {
            name: stringify!($name),
            value: $crate::constant_value!($name $(, $value)?),
            desc: $desc,
        }),*]
    };
}

/// The value in `constants!`: the given expression, or the constant of that name.
#[doc(hidden)]
#[macro_export]
macro_rules! constant_value {
    ($name:ident) => {
        $name
    };
    ($name:ident, $value:expr) => {
        $value
    };
}

/// How software reaches a block's registers (decides the access rules stated in the docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bus {
    /// APB4 completer: a refused access completes with PSLVERR and is logged in `ERR_INFO`.
    Apb4,
    /// Registers inside the soft core (its System Control Space): word accesses only; anything
    /// else is a HardFault in the core, unimplemented words read 0 and ignore writes.
    CoreScs,
}

/// The whole register map of one IP block.
#[derive(Clone, Copy, Debug)]
pub struct RegMap {
    /// Short block name, as used by the CLI (`sha256`).
    pub block: &'static str,
    /// Verilog module name and C prefix stem (`pluton_sha256`).
    pub module: &'static str,
    /// Width of `paddr` in bits.
    pub addr_bits: u32,
    pub bus: Bus,
    pub desc: &'static str,
    pub regs: &'static [Register],
    pub constants: &'static [Constant],
}

impl RegMap {
    /// The register containing `addr`, with the element index for arrays.
    pub fn decode(&self, addr: u32) -> Option<(&'static Register, u32)> {
        self.regs
            .iter()
            .find(|r| r.contains(addr))
            .map(|r| (r, (addr - r.offset) / 4))
    }
    pub fn reg(&self, name: &str) -> &'static Register {
        self.regs
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no register {name} in {}", self.module))
    }
    pub fn constant(&self, name: &str) -> u32 {
        self.constants
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no constant {name} in {}", self.module))
            .value
    }
}

impl RegMap {
    /// The register table for humans (`rtl/<module>_regs.md`).
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "# `{}` registers\n\n{}.\n\nGenerated by `pluton gen` from the register map in Rust. Do not edit.\n\n",
            self.module, self.desc
        );
        if self.regs.is_empty() {
            // A top that only composes blocks: its map is the constants below (window bases).
            s += &format!("No registers of its own; {}-bit byte address. The blocks' own maps apply at the bases below.\n", self.addr_bits);
        } else if self.bus == Bus::CoreScs {
            s += &format!(
                "Inside the core (System Control Space at 0xE000E000), {}-bit byte offset, 32-bit words. A non-word \
                 access is a HardFault; unimplemented words read 0 and ignore writes.\n\n\
                 | offset | name | access | reset | description |\n|---|---|---|---|---|\n",
                self.addr_bits
            );
        } else {
            s += &format!(
                "APB4 completer, {}-bit byte address, 32-bit data. Any access not allowed below completes with \
                 PSLVERR and is logged in `ERR_INFO`.\n\n| offset | name | access | reset | description |\n|---|---|---|---|---|\n",
                self.addr_bits
            );
        }
        for r in self.regs {
            let name = if r.count > 1 { format!("{}[0..{}]", r.name, r.count) } else { r.name.to_string() };
            let desc = match masters_note(r) {
                Some(who) => format!("{who}. {}", r.desc),
                None => r.desc.to_string(),
            };
            s += &format!("| 0x{:03X} | `{}` | {} | 0x{:08X} | {} |\n", r.offset, name, r.access.short(), r.reset, desc);
        }
        for r in self.regs.iter().filter(|r| !r.fields.is_empty()) {
            s += &format!("\n## `{}` fields\n\n| bits | field | description |\n|---|---|---|\n", r.name);
            for f in r.fields {
                let bits = if f.width == 1 { format!("{}", f.lsb) } else { format!("{}:{}", f.lsb + f.width - 1, f.lsb) };
                s += &format!("| {} | `{}` | {} |\n", bits, f.name, f.desc);
            }
        }
        s += "\n## Constants\n\n| name | value | description |\n|---|---|---|\n";
        for c in self.constants {
            s += &format!("| `{}` | {} | {} |\n", c.name, c.value, c.desc);
        }
        s
    }

    /// The map in SystemRDL 2.0 (`rtl/<module>_regs.rdl`), for register tools (PeakRDL: IP-XACT,
    /// UVM, HTML). `None` for a top that only composes blocks (no registers of its own).
    /// Access: RW is `sw=rw, hw=r`; RO `sw=r, hw=w`; WO `sw=w, hw=r`; RC (any write clears it)
    /// `sw=rw, hw=w, onwrite=wclr`.
    /// Who may access (the `pmaster` rules) and the refusal behaviour are in `desc` and the docs:
    /// SystemRDL has no property for them.
    pub fn to_systemrdl(&self) -> Option<String> {
        if self.regs.is_empty() {
            return None;
        }
        let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut s = format!(
            "// {}: {}.\n// Generated by `pluton gen` from the register map in Rust. Do not edit.\n\naddrmap {} {{\n    \
             name = \"{}\";\n    desc = \"{}.\";\n    default regwidth = 32;\n    default accesswidth = 32;\n",
            self.module,
            self.desc,
            self.module,
            self.module,
            q(self.desc)
        );
        for r in self.regs {
            let (sw, hw, onread) = match r.access {
                Access::Rw => ("rw", "r", ""),
                Access::Ro => ("r", "w", ""),
                Access::Wo => ("w", "r", ""),
                Access::Rc => ("rw", "w", " onwrite = wclr;"),
            };
            let desc = match masters_note(r) {
                Some(who) => format!("{who}. {}", r.desc),
                None => r.desc.to_string(),
            };
            s += &format!("\n    reg {{\n        name = \"{}\";\n        desc = \"{}\";\n", r.name, q(&desc));
            let whole = [Field { name: "VALUE", lsb: 0, width: 32, desc: r.desc }];
            let fields = if r.fields.is_empty() { &whole[..] } else { r.fields };
            for f in fields {
                s += &format!(
                    "        field {{ desc = \"{}\"; sw = {sw}; hw = {hw};{onread} }} {}[{}:{}] = 0x{:x};\n",
                    q(f.desc),
                    f.name,
                    f.lsb + f.width - 1,
                    f.lsb,
                    f.get(r.reset)
                );
            }
            s += &if r.count > 1 {
                format!("    }} {}[{}] @ 0x{:03x} += 0x4;\n", r.name, r.count, r.offset)
            } else {
                format!("    }} {} @ 0x{:03x};\n", r.name, r.offset)
            };
        }
        Some(s + "};\n")
    }

    /// A C header for firmware (`rtl/<module>_regs.h`).
    pub fn to_c_header(&self) -> String {
        let p = self.module.to_uppercase();
        let mut s = format!(
            "/* {}: {}.\n * Generated by `pluton gen` from the register map in Rust. Do not edit. */\n#ifndef {p}_REGS_H\n#define {p}_REGS_H\n\n",
            self.module, self.desc
        );
        for r in self.regs {
            s += &format!("/* {} ({}): {} */\n", r.name, r.access.short(), r.desc);
            s += &format!("#define {p}_{}_OFFSET 0x{:03X}u\n", r.name, r.offset);
            if r.count > 1 {
                s += &format!("#define {p}_{}_COUNT {}u\n", r.name, r.count);
            }
            for f in r.fields {
                s += &format!("#define {p}_{}_{}_LSB {}u\n", r.name, f.name, f.lsb);
                s += &format!("#define {p}_{}_{}_MASK 0x{:08X}u\n", r.name, f.name, f.mask());
            }
            s += "\n";
        }
        for c in self.constants {
            s += &format!("#define {p}_{} 0x{:X}u /* {} */\n", c.name, c.value, c.desc);
        }
        s += &format!("\n#endif /* {p}_REGS_H */\n");
        s
    }
}

/// "Readers: SEC; writers: APP" for a register not open to every requester (else `None`).
pub fn masters_note(r: &Register) -> Option<String> {
    let names = |set: Masters| -> String {
        let ids: Vec<String> = (0..16u32)
            .filter(|m| set >> m & 1 == 1)
            .map(|m| match m {
                crate::common::masters::MASTER_SEC => "SEC".to_string(),
                crate::common::masters::MASTER_APP => "APP".to_string(),
                m => format!("master {m}"),
            })
            .collect();
        ids.join(", ")
    };
    match (r.readers, r.writers) {
        (ANY, ANY) => None,
        (rd, wr) if rd == wr => Some(format!("Only {}", names(rd))),
        (rd, wr) => Some(format!("Read by {}; written by {}", names(rd), names(wr))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_mask_put_get() {
        let f = Field { name: "X", lsb: 4, width: 5, desc: "" };
        assert_eq!(f.mask(), 0x1F0);
        assert_eq!(f.put(0x3F), 0x1F0);
        assert_eq!(f.get(0x0000_0150), 0x15);
    }

    #[test]
    fn decode_finds_array_elements_and_rejects_misaligned() {
        let m = crate::sha256::regs::MAP;
        let (r, i) = m.decode(0x48).unwrap();
        assert_eq!((r.name, i), ("KEY", 2));
        assert!(m.decode(0x49).is_none());
        assert!(m.decode(0x80).is_none());
    }
}
