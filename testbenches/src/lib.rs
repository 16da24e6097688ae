//! Co-simulation test benches and the vectors they use.
pub mod vectors;
