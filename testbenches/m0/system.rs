//! The first system (`pluton_m0sys`: core, ROM, SRAM, AHB-to-APB bridge, SHA-256, UART): its C demo in lock-step with the ISS, digests checked against `ring`.

use super::compile::build_at;
use super::image::Image;
use super::tb::{run, BusMode, RunConfig};
use crate::regression::{Case, Ctx};
use crate::vectors::to_hex;
use pluton_bindings::Dut;
use pluton_toolchain::project_root;

/// The APB window: reads there are device registers (the ISS is given the RTL's value).
pub const MMIO_BASE: u32 = 0x4000_0000;

pub fn cases() -> Vec<Case> {
    vec![Case { name: "m0sys_sha_demo", body: |ctx| Box::pin(sha_demo(ctx)) }]
}

/// Writes the image into the ROM through the loader port (reset is held low meanwhile).
pub fn load_rom(dut: &mut dyn Dut, image: &Image) -> Result<(), String> {
    load_rom_of(dut, image, "")
}

/// As `load_rom`, through the loader ports of the core whose ports start with `core` (`sec_`).
pub fn load_rom_of(dut: &mut dyn Dut, image: &Image, core: &str) -> Result<(), String> {
    let id = |n: &str| dut.port_id(&format!("{core}{n}")).ok_or_else(|| format!("{} has no port `{core}{n}`", dut.name()));
    let (we, addr, data) = (id("ld_we")?, id("ld_addr")?, id("ld_data")?);
    dut.poke_u32(we, 1);
    for i in 0..image.bytes.len().div_ceil(4) {
        dut.poke_u32(addr, i as u32);
        dut.poke_u32(data, image.word(4 * i as u32));
        dut.step();
    }
    dut.poke_u32(we, 0);
    Ok(())
}

/// The demo's messages, as `sha_demo.c` builds them.
pub fn demo_messages() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("nist448", b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".to_vec()),
        ("pattern1001", (0..1001u32).map(|i| ((31 * i + 7) % 256) as u8).collect()),
        // Lengths 3 mod 4: the tail goes as a halfword and a lane-2 byte.
        ("abc", b"abc".to_vec()),
        ("pattern1003", (0..1003u32).map(|i| ((31 * i + 7) % 256) as u8).collect()),
    ]
}

async fn sha_demo(ctx: Ctx) -> Result<(), String> {
    let image = build_at(&project_root().join("testbenches/m0sys/programs"), "sha_demo")?;
    let cfg = RunConfig { bus: BusMode::Monitor { mmio_base: MMIO_BASE }, loader: Some(load_rom), ..RunConfig::default() };
    let started = std::time::Instant::now();
    let r = ctx.tb.with_dut(|dut| run(dut, &image, &cfg))?;
    let seconds = started.elapsed().as_secs_f64();
    ctx.add_cycles(r.cycles);
    if !r.success {
        return Err(format!("sha_demo did not exit successfully; output:\n{}", r.output));
    }
    for (name, message) in demo_messages() {
        let want = to_hex(ring::digest::digest(&ring::digest::SHA256, &message).as_ref());
        let line = format!("sha256({name}) = {want}");
        if !r.output.lines().any(|l| l == line) {
            return Err(format!("the UART output lacks `{line}` (ring's digest); it was:\n{}", r.output));
        }
        ctx.count(1);
    }
    ctx.metric("instructions", r.instructions as f64);
    ctx.metric("instructions_per_s_lockstep", r.instructions as f64 / seconds);
    ctx.metric("wait_states", r.wait_states as f64);
    Ok(())
}
