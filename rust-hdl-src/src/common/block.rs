//! Declaring a block with many sized constants and internal signals without writing each one twice.

use rust_hdl::prelude::*;

/// A sized constant, so comparisons and assignments have equal widths in the Verilog
/// (rust-hdl prints bare Rust integer literals as 64-bit constants).
pub fn c<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(bits::<N>(v))
}

/// Declares a block struct, its `Default` and its `TopBlock` (inputs driven from outside when it
/// is generated as a top): ports and fields start at their defaults (or at `= expr` where a
/// field gives one), each constant at its value. `consts { name: width = value }`.
///
/// `apb(N)` before `ports` declares `clock`, `rst_n` and the APB4 completer ports first
/// (`psel`, `penable`, `pwrite`, `paddr` of N bits, `pwdata`, `pstrb`, `pmaster`, `prdata`,
/// `pready`, `pslverr`), in that order.
#[macro_export]
macro_rules! hdl_block {
    (
        $(#[$meta:meta])*
        $name:ident
        apb($aw:literal)
        ports { $($rest:tt)* }
        $($tail:tt)*
    ) => {
        $crate::hdl_block! {
            $(#[$meta])*
            $name
            ports {
                clock: Signal<In, Clock>,
                rst_n: Signal<In, bool>,
                /// APB4 completer; `pmaster` names the requester (`common::masters`).
                psel: Signal<In, bool>,
                penable: Signal<In, bool>,
                pwrite: Signal<In, bool>,
                paddr: Signal<In, Bits<$aw>>,
                pwdata: Signal<In, Bits<32>>,
                pstrb: Signal<In, Bits<4>>,
                pmaster: Signal<In, Bits<4>>,
                prdata: Signal<Out, Bits<32>>,
                pready: Signal<Out, bool>,
                pslverr: Signal<Out, bool>,
                $($rest)*
            }
            $($tail)*
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident
        ports { $($(#[$pm:meta])* $p:ident : $pt:ty),* $(,)? }
        consts { $($k:ident : $kw:literal = $kv:expr),* $(,)? }
        fields { $($(#[$fm:meta])* $f:ident : $ft:ty $(= $fv:expr)?),* $(,)? }
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
                    $($f: $crate::field_default!($($fv)?),)*
                }
            }
        }
        impl $crate::gen::TopBlock for $name {
            fn connect_inputs(&mut self) {
                $($crate::gen::ConnectIfInput::connect_if_input(&mut self.$p);)*
            }
        }
    };
}

/// A field's start value in `hdl_block!`: the given expression, or its `Default`.
#[doc(hidden)]
#[macro_export]
macro_rules! field_default {
    () => {
        Default::default()
    };
    ($v:expr) => {
        $v
    };
}

/// `impl Logic` for a block, with the wiring every clocked part needs written out first:
/// - `hold [..]`: flops (`RDff`) given clock and reset, and `d = q` so they keep their value
///   unless the body assigns them;
/// - `reset [..]`: flops and sub-blocks given clock and reset only (the body sets `d`);
/// - `clock [..]`: parts with a clock and no reset (RAM arrays).
///
/// - `pass { sub: [a, b] }`: the block's own signals `a`, `b` drive the sub-block's inputs of the
///   same names (`sub.a = a`), as an APB front end or log takes the bus.
///
/// Then `#[hdl_gen] fn update(&mut self)` as usual (the attribute is written at the call site,
/// so the proc macro's `self` is the body's).
#[macro_export]
macro_rules! hdl_logic {
    (
        $pound:tt $gen:tt
        $name:ident;
        $(reset [$($r:ident),* $(,)?])?
        $(clock [$($c:ident),* $(,)?])?
        $(hold [$($h:ident),* $(,)?])?
        $(pass { $($sub:ident : [$($w:ident),* $(,)?]),* $(,)? })?
        fn update(&mut $s:ident) { $($body:tt)* }
    ) => {
        impl Logic for $name {
            $pound $gen
            fn update(&mut $s) {
                $($(
                    $s.$r.clock.next = $s.clock.val();
                    $s.$r.rst_n.next = $s.rst_n.val();
                )*)?
                $($(
                    $s.$c.clock.next = $s.clock.val();
                )*)?
                $($(
                    $s.$h.clock.next = $s.clock.val();
                    $s.$h.rst_n.next = $s.rst_n.val();
                    $s.$h.d.next = $s.$h.q.val();
                )*)?
                $($($(
                    $s.$sub.$w.next = $s.$w.val();
                )*)*)?
                $($body)*
            }
        }
    };
}

/// `reg_front!(front, "sha256")`: module `front` holding the `RegFront` that `build.rs` generated
/// from the register map whose `block` is "sha256".
#[macro_export]
macro_rules! reg_front {
    ($module:ident, $block:literal) => {
        /// The register front end generated from the register map (by `build.rs`).
        pub mod $module {
            use rust_hdl::prelude::*;
            include!(concat!(env!("OUT_DIR"), "/", $block, "_front.rs"));
        }
    };
}
