//! The Arm semihosting calls the test programs use (`BKPT 0xAB`, operation in R0, argument in R1), serviced for every harness.

/// SYS_WRITEC: R1 points at one character.
pub const SYS_WRITEC: u32 = 0x03;
/// SYS_WRITE0: R1 points at a NUL-terminated string.
pub const SYS_WRITE0: u32 = 0x04;
/// SYS_EXIT: R1 is the reason (32-bit semihosting passes it directly).
pub const SYS_EXIT: u32 = 0x18;
/// The SYS_EXIT reason for a normal end of the program.
pub const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x20026;
/// Longest string SYS_WRITE0 follows before calling it runaway.
const MAX_STRING: u32 = 64 * 1024;

/// What the program asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Semi {
    Continue,
    Exit { success: bool, reason: u32 },
}

/// The host side: collects the program's output.
#[derive(Clone, Debug, Default)]
pub struct Semihost {
    pub out: Vec<u8>,
}

impl Semihost {
    /// Services one call; `read_byte` reads target memory (None = not mapped).
    pub fn service(&mut self, r0: u32, r1: u32, read_byte: &mut dyn FnMut(u32) -> Option<u8>) -> Result<Semi, String> {
        match r0 {
            SYS_WRITEC => {
                let c = read_byte(r1).ok_or_else(|| format!("semihosting SYS_WRITEC: R1 = {r1:#x} is not readable memory"))?;
                self.out.push(c);
                Ok(Semi::Continue)
            }
            SYS_WRITE0 => {
                for i in 0..MAX_STRING {
                    let a = r1.wrapping_add(i);
                    match read_byte(a) {
                        Some(0) => return Ok(Semi::Continue),
                        Some(c) => self.out.push(c),
                        None => return Err(format!("semihosting SYS_WRITE0: string at {r1:#x} runs into unmapped {a:#x}")),
                    }
                }
                Err(format!("semihosting SYS_WRITE0: string at {r1:#x} has no NUL within {MAX_STRING} bytes"))
            }
            SYS_EXIT => Ok(Semi::Exit { success: r1 == ADP_STOPPED_APPLICATION_EXIT, reason: r1 }),
            op => Err(format!("semihosting operation {op:#x} is not supported (only SYS_WRITEC, SYS_WRITE0, SYS_EXIT)")),
        }
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semihost_calls() {
        let mem = b"hi\0x";
        let mut read = |a: u32| mem.get(a as usize).copied();
        let mut s = Semihost::default();
        assert_eq!(s.service(SYS_WRITE0, 0, &mut read), Ok(Semi::Continue));
        assert_eq!(s.service(SYS_WRITEC, 3, &mut read), Ok(Semi::Continue));
        assert_eq!(s.output(), "hix");
        assert!(s.service(SYS_WRITE0, 3, &mut read).unwrap_err().contains("unmapped"));
        assert!(s.service(0x99, 0, &mut read).unwrap_err().contains("0x99"));
        assert_eq!(s.service(SYS_EXIT, ADP_STOPPED_APPLICATION_EXIT, &mut read), Ok(Semi::Exit { success: true, reason: 0x20026 }));
        assert_eq!(s.service(SYS_EXIT, 1, &mut read), Ok(Semi::Exit { success: false, reason: 1 }));
    }
}
