//! Reference models of the Pluton blocks and the lock-step checker that runs a model beside the RTL.

pub mod lockstep;
pub mod sha256;

#[cfg(test)]
mod test_apb;

pub use lockstep::{LockStep, Mismatch};
pub use sha256::Sha256Model;
