//! SP 800-90B section 4.4 health tests on one raw bit per sample: the Repetition Count Test, the Adaptive Proportion Test and their statistics.

use super::regs;
use crate::common::prims::RDff;
use rust_hdl::prelude::*;

crate::hdl_block! {
    /// RCT and APT over the samples (README "Health tests"). The verdicts are combinational for
    /// the sample offered in this cycle; the counters move at its edge.
    HealthTests
    ports {
        clock: Signal<In, Clock>,
        rst_n: Signal<In, bool>,
        /// A sample is taken at this edge.
        sample: Signal<In, bool>,
        raw_bit: Signal<In, bool>,
        /// Start both tests over at this edge (the next sample begins a run and a window).
        restart: Signal<In, bool>,
        /// Zero the statistics at this edge (enable).
        zero_stats: Signal<In, bool>,
        /// This sample makes a run of `rct_cutoff` identical bits.
        rct_fail: Signal<Out, bool>,
        /// This sample makes the window's count reach `apt_cutoff`.
        apt_fail: Signal<Out, bool>,
        /// This sample is the last of its APT window (the end of the startup test).
        window_end: Signal<Out, bool>,
        rct_max: Signal<Out, Bits<6>>,
        apt_max: Signal<Out, Bits<11>>,
        samples: Signal<Out, Bits<32>>,
    }
    consts {
        rct_cutoff: 6 = regs::RCT_CUTOFF_VALUE as u64,
        apt_cutoff: 11 = regs::APT_CUTOFF_VALUE as u64,
        last_in_window: 10 = regs::APT_WINDOW as u64 - 1,
        zero6: 6 = 0,
        one6: 6 = 1,
        zero10: 10 = 0,
        one10: 10 = 1,
        zero11: 11 = 0,
        one11: 11 = 1,
        zero32: 32 = 0,
        one32: 32 = 1,
        max32: 32 = 0xffff_ffff,
    }
    fields {
        /// RCT: the last bit and the length of its run (0: no sample since the restart).
        rct_last: RDff<bool>,
        rct_run: RDff<Bits<6>>,
        /// APT: the window's first bit, the samples of the window so far, the count of the first bit.
        apt_first: RDff<bool>,
        apt_seen: RDff<Bits<10>>,
        apt_count: RDff<Bits<11>>,
        rct_max_q: RDff<Bits<6>>,
        apt_max_q: RDff<Bits<11>>,
        samples_q: RDff<Bits<32>>,
        run_next: Signal<Local, Bits<6>>,
        count_next: Signal<Local, Bits<11>>,
    }
}

crate::hdl_logic! {
    #[hdl_gen]
    HealthTests;
    hold [rct_last, rct_run, apt_first, apt_seen, apt_count, rct_max_q, apt_max_q, samples_q]
    fn update(&mut self) {
        // The run and window count this sample makes.
        self.run_next.next = self.one6.val();
        if (self.rct_run.q.val() != self.zero6.val()) & (self.raw_bit.val() == self.rct_last.q.val()) {
            self.run_next.next = self.rct_run.q.val() + self.one6.val();
        }
        self.count_next.next = self.one11.val();
        if self.apt_seen.q.val() != self.zero10.val() {
            self.count_next.next = self.apt_count.q.val();
            if self.raw_bit.val() == self.apt_first.q.val() {
                self.count_next.next = self.apt_count.q.val() + self.one11.val();
            }
        }
        self.rct_fail.next = self.sample.val() & (self.run_next.val() >= self.rct_cutoff.val());
        self.apt_fail.next = self.sample.val() & (self.count_next.val() >= self.apt_cutoff.val());
        self.window_end.next = self.sample.val() & (self.apt_seen.q.val() == self.last_in_window.val());

        if self.restart.val() {
            self.rct_run.d.next = self.zero6.val();
            self.rct_last.d.next = false;
            self.apt_seen.d.next = self.zero10.val();
            self.apt_count.d.next = self.zero11.val();
            self.apt_first.d.next = false;
        } else if self.sample.val() {
            self.rct_last.d.next = self.raw_bit.val();
            self.rct_run.d.next = self.run_next.val();
            if self.apt_seen.q.val() == self.zero10.val() {
                self.apt_first.d.next = self.raw_bit.val();
            }
            self.apt_count.d.next = self.count_next.val();
            // 10 bits: the window's last sample wraps the index to 0.
            self.apt_seen.d.next = self.apt_seen.q.val() + self.one10.val();
        }

        // Statistics since enable; a failing sample counts too.
        if self.zero_stats.val() {
            self.rct_max_q.d.next = self.zero6.val();
            self.apt_max_q.d.next = self.zero11.val();
            self.samples_q.d.next = self.zero32.val();
        } else if self.sample.val() {
            if self.run_next.val() > self.rct_max_q.q.val() {
                self.rct_max_q.d.next = self.run_next.val();
            }
            if self.count_next.val() > self.apt_max_q.q.val() {
                self.apt_max_q.d.next = self.count_next.val();
            }
            if self.samples_q.q.val() != self.max32.val() {
                self.samples_q.d.next = self.samples_q.q.val() + self.one32.val();
            }
        }
        self.rct_max.next = self.rct_max_q.q.val();
        self.apt_max.next = self.apt_max_q.q.val();
        self.samples.next = self.samples_q.q.val();
    }
}
