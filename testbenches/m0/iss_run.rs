//! Runs an image on the ARMv6-M ISS alone (no RTL), servicing semihosting: the quick reference run that QEMU is compared with.

use super::image::Image;
use super::semihost::{Semi, Semihost};
use super::tb::Memory;
use pluton_cosim::armv6m::{Cpu, Event};

/// What an ISS run gave.
#[derive(Clone, Debug, Default)]
pub struct IssRun {
    pub output: String,
    pub success: bool,
    pub instructions: u64,
    pub cycles: u64,
}

/// Runs until SYS_EXIT; more than `max_records` records, another BKPT or a lockup is an error.
pub fn run_iss(image: &Image, max_records: u64) -> Result<IssRun, String> {
    run_iss_with_errors(image, max_records, &[])
}

/// `run_iss` with bus ERROR answered in `error_ranges` ([start, end) byte ranges), as the
/// lock-step bench can be told to.
pub fn run_iss_with_errors(image: &Image, max_records: u64, error_ranges: &[(u32, u32)]) -> Result<IssRun, String> {
    image.check()?;
    let mut mem = Memory::new(image)?;
    mem.error_ranges = error_ranges.to_vec();
    let mut cpu = Cpu::new();
    cpu.reset(&mut mem).map_err(|e| format!("{}: reset vector fetch at {:#x} failed", image.name, e.addr))?;
    let mut semi = Semihost::default();
    let mut run = IssRun::default();
    // M0_TRACE=1 prints every record (debugging a program).
    let trace = std::env::var_os("M0_TRACE").is_some();
    for _ in 0..max_records {
        let r = cpu.step(&mut mem);
        if trace {
            eprintln!("{:>10} {:08x} {:?} exc {:?} regs {:x?} writes {:x?}", cpu.cycle, r.pc, r.instr, r.exc, r.reg_writes, r.mem_writes);
        }
        run.cycles += r.cycles as u64;
        if r.exc.is_none() {
            run.instructions += 1;
        }
        match r.event {
            Event::Breakpoint(0xAB) => {
                let mut read = |a: u32| mem.load(a, 1).map(|v| v as u8);
                match semi.service(cpu.reg(0), cpu.reg(1), &mut read).map_err(|e| format!("{}: {e} (BKPT at {:#x}, after {} instructions)", image.name, r.pc, run.instructions))? {
                    Semi::Continue => cpu.resume_from_halt(),
                    Semi::Exit { success, reason } => {
                        run.output = semi.output();
                        run.success = success;
                        if !success {
                            run.output += &format!("\n[SYS_EXIT reason {reason:#x}]");
                        }
                        return Ok(run);
                    }
                }
            }
            Event::Breakpoint(imm) => return Err(format!("{}: BKPT #{imm:#x} at {:#x}", image.name, r.pc)),
            Event::Lockup => return Err(format!("{}: the ISS locked up; output so far:\n{}", image.name, semi.output())),
            _ => {}
        }
    }
    Err(format!("{}: no SYS_EXIT within {max_records} records; output so far:\n{}", image.name, semi.output()))
}
