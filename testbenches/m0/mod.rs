//! The soft Cortex-M0 core's benches: program images, the semihosting service, the cross compiler, QEMU, random programs and the lock-step harness.
pub mod cases;
pub mod compile;
pub mod image;
pub mod iss_run;
pub mod qemu;
pub mod random;
pub mod semihost;
pub mod system;
pub mod tb;
