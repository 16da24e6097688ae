//! Declaring a block with many sized constants and internal signals without writing each one twice.

use rust_hdl::prelude::*;

/// A sized constant, so comparisons and assignments have equal widths in the Verilog
/// (rust-hdl prints bare Rust integer literals as 64-bit constants).
pub fn c<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(bits::<N>(v))
}

/// Declares a block struct and its `Default`: ports and fields start at their defaults, each
/// constant at its value. `consts { name: width = value }`.
#[macro_export]
macro_rules! hdl_block {
    (
        $(#[$meta:meta])*
        $name:ident
        ports { $($(#[$pm:meta])* $p:ident : $pt:ty),* $(,)? }
        consts { $($k:ident : $kw:literal = $kv:expr),* $(,)? }
        fields { $($(#[$fm:meta])* $f:ident : $ft:ty),* $(,)? }
    ) => {
        $(#[$meta])*
        #[allow(non_snake_case)]
        #[derive(LogicBlock)]
        pub struct $name {
            $($(#[$pm])* pub $p: $pt,)*
            $($k: Constant<Bits<$kw>>,)*
            $($(#[$fm])* $f: $ft,)*
        }
        impl Default for $name {
            fn default() -> Self {
                Self {
                    $($p: Default::default(),)*
                    $($k: $crate::common::block::c::<$kw>($kv),)*
                    $($f: Default::default(),)*
                }
            }
        }
    };
}
