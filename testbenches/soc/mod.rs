//! The two-core system's bench: its demo programs and the two-core lock-step run.
pub mod tb;
