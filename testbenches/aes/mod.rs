//! AES engine test bench (the engine's RTL and model land next).
use crate::regression::BlockBench;

pub fn benches() -> Vec<BlockBench> {
    vec![]
}
