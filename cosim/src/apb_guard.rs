//! The APB protocol check every completer makes (`rust-hdl-src/src/common/README.md`, "APB
//! protocol violations"), kept once for all block models.
//!
//! A transfer's request is latched in its first access cycle. An access cycle breaks the
//! protocol when no setup phase came before it, when the request differs from the latched one
//! during wait states, or when it is the first access after a transfer was left in a wait state.

/// The fields a requester must hold from setup to completion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApbRequest {
    pub paddr: u32,
    pub pwrite: bool,
    pub pwdata: u32,
    pub pstrb: u32,
    pub pmaster: u32,
}

/// The check's state: what the last cycle was, and the latched request.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApbGuardModel {
    /// The last cycle was an access cycle that did not complete (a wait state).
    waiting: bool,
    /// The last cycle was a setup phase (`psel & !penable`).
    setup: bool,
    /// A transfer was left in a wait state: the next access is refused.
    poisoned: bool,
    latched: ApbRequest,
}

impl ApbGuardModel {
    /// Whether the cycle's access (`psel & penable`) is a protocol violation.
    pub fn violation(&self, psel: bool, penable: bool, req: &ApbRequest) -> bool {
        self.bare(psel, penable) || (psel && penable && (self.poisoned || (self.waiting && self.changed(req))))
    }

    /// Rule 1 alone: an access with no setup phase or wait state before it (what a completer
    /// that never waits, the firewall's config page, checks).
    pub fn bare(&self, psel: bool, penable: bool) -> bool {
        psel && penable && !self.waiting && !self.setup
    }

    /// The request differs from the latched one (`wdata` only on a write: APB4 leaves it
    /// undefined on a read).
    fn changed(&self, req: &ApbRequest) -> bool {
        let l = &self.latched;
        req.pwrite != l.pwrite || req.paddr != l.paddr || req.pstrb != l.pstrb || req.pmaster != l.pmaster || (l.pwrite && req.pwdata != l.pwdata)
    }

    /// A rising edge with `rst_n` high; the arguments are the bus and the block's `pready` as
    /// they were before the edge.
    pub fn edge(&mut self, psel: bool, penable: bool, pready: bool, req: &ApbRequest) {
        let access = psel && penable;
        if access && !self.waiting {
            self.latched = *req;
        }
        if self.waiting && !access {
            self.poisoned = true;
        } else if access && pready {
            self.poisoned = false;
        }
        self.setup = psel && !penable;
        self.waiting = access && !pready;
    }

    pub fn reset(&mut self) {
        *self = ApbGuardModel::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: ApbRequest = ApbRequest { pwrite: false, paddr: 0x28, pwdata: 0, pstrb: 0, pmaster: 0 };

    #[test]
    fn a_well_formed_transfer_passes_and_a_bare_access_does_not() {
        let mut g = ApbGuardModel::default();
        assert!(g.violation(true, true, &R), "access with no setup before it");
        g.edge(true, false, true, &R);
        assert!(!g.violation(true, true, &R));
        g.edge(true, true, false, &R); // one wait state
        assert!(!g.violation(true, true, &R));
        let moved = ApbRequest { paddr: 0x2e, ..R };
        assert!(g.violation(true, true, &moved), "address changed in a wait state");
        assert!(!g.violation(true, true, &ApbRequest { pwdata: 5, ..R }), "pwdata of a read may move");
        g.edge(true, true, true, &R);
        assert!(g.violation(true, true, &R), "back-to-back access with no setup");
    }

    #[test]
    fn an_abandoned_wait_poisons_the_next_completion() {
        let mut g = ApbGuardModel::default();
        g.edge(true, false, true, &R);
        g.edge(true, true, false, &R);
        g.edge(true, false, true, &R); // penable dropped in the wait: a new setup follows
        assert!(g.violation(true, true, &ApbRequest { paddr: 0x2e, ..R }));
        g.edge(true, true, true, &R); // it completes (with its error): the poison is gone
        g.edge(true, false, true, &R);
        assert!(!g.violation(true, true, &R));
    }
}
