//! Building blocks shared by every IP: primitives and register-map types.
pub mod block;
pub use pluton_regs::common::masters;
pub mod prims;
pub use pluton_regs::common::regmap;
