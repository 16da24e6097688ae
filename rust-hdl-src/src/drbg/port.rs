//! One sideload port of the CTR_DRBG (README "State and commands"): two generated blocks make one 256-bit value for another block.

use crate::common::prims::{RDff, ZeroExt};
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// A port fed by a GENERATE with its DEST: block 1 goes to bits 255:128 and is held (not
    /// valid), block 2 completes the value and makes it valid. `clear` empties the port unless a
    /// block is stored at the same edge; `wipe` empties it whatever else happens.
    SidePort
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// The consumer took the value, or its window changed owner.
        clear: Signal<In, bool>,
        /// UNINSTANTIATE, escalation or a fault.
        wipe: Signal<In, bool>,
        /// A generated block is stored here at this edge; `first`: it is block 1 of 2.
        store: Signal<In, bool>,
        first: Signal<In, bool>,
        block: Signal<In, Bits<128>>,
        /// The value while valid, else 0.
        value: Signal<Out, Bits<256>>,
        valid: Signal<Out, bool>,
    }
    consts {
        zero256: 256 = 0,
        k128: 9 = 128,
    }
    fields {
        port: RDff<Bits<256>>,
        full: RDff<bool>,
        /// Block 1 of a value being made is held (a clear drops it).
        half: RDff<bool>,
        wide: ZeroExt<128, 256>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    SidePort;
    hold [port, full, half]
    fn update(&mut self) {
        self.wide.a.next = self.block.val();
        if self.clear.val() {
            self.port.d.next = self.zero256.val();
            self.full.d.next = false;
            self.half.d.next = false;
        }
        if self.store.val() {
            // Block 1 replaces any value; block 2 completes it, unless a clear dropped block 1
            // (then the port stays empty: never a half-zero value).
            self.port.d.next = self.zero256.val();
            self.full.d.next = false;
            self.half.d.next = false;
            if self.first.val() {
                self.port.d.next = self.wide.y.val() << self.k128.val();
                self.half.d.next = true;
            } else if self.half.q.val() {
                self.port.d.next = self.port.q.val() | self.wide.y.val();
                self.full.d.next = true;
            }
        }
        if self.wipe.val() {
            self.port.d.next = self.zero256.val();
            self.full.d.next = false;
            self.half.d.next = false;
        }
        self.value.next = self.zero256.val();
        if self.full.q.val() {
            self.value.next = self.port.q.val();
        }
        self.valid.next = self.full.q.val();
    }
}
