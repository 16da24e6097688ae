//! Building blocks shared by every IP: primitives and register-map types.
pub mod block;
pub mod masters;
pub mod prims;
pub mod regmap;
