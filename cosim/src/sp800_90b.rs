//! SP 800-90B section 4.4 health tests, as a reference: their cutoffs from the claimed min-entropy,
//! and the Repetition Count and Adaptive Proportion tests over a stream of samples.
//!
//! The TRNG block's model and bench (issue 13) use these; the RTL takes the same cutoffs as
//! constants. False-alarm probability α is given as its base-2 logarithm's magnitude (20 for
//! α = 2^-20, the rate the project claims).

/// Repetition Count Test cutoff (SP 800-90B 4.4.1): C = 1 + ⌈-log2(α) / H⌉. A run of C identical
/// samples fails the test.
pub fn rct_cutoff(h: f64, alpha_log2: u32) -> Result<u32, String> {
    check_entropy(h)?;
    Ok(1 + (alpha_log2 as f64 / h).ceil() as u32)
}

/// Adaptive Proportion Test cutoff (SP 800-90B 4.4.2): C = 1 + CRITBINOM(W, 2^-H, 1 - α), the
/// smallest count of the window's first sample among the W samples of a window (the first one
/// included) whose probability of being reached or exceeded by a source of min-entropy H is at
/// most α. A window in which the first sample occurs C times or more fails the test.
pub fn apt_cutoff(window: u32, h: f64, alpha_log2: u32) -> Result<u32, String> {
    check_entropy(h)?;
    if window < 2 {
        return Err(format!("APT window {window}: it must hold at least 2 samples"));
    }
    let p = (-h).exp2();
    let alpha = (-(alpha_log2 as f64)).exp2();
    // CRITBINOM(n, p, 1 - α): the smallest k with P(X <= k) >= 1 - α, i.e. P(X > k) <= α. The
    // tail is summed from the top, term by term in log space, so nothing cancels.
    let n = window;
    let mut tail = 0.0; // P(X > k) for the k being tried
    for k in (0..=n).rev() {
        // Before adding pmf(k): tail = P(X > k).
        if tail > alpha {
            // P(X > k) > α, so k is too small; k + 1 was the smallest that passed.
            return Ok(1 + (k + 1));
        }
        tail += binomial_pmf(n, k, p);
    }
    Ok(1)
}

/// The min-entropy must be a number of bits per sample in (0, 8] (the project's samples are at
/// most a byte).
fn check_entropy(h: f64) -> Result<(), String> {
    if !(h > 0.0 && h <= 8.0) {
        return Err(format!("claimed min-entropy H = {h} bits per sample: it must be in (0, 8]"));
    }
    Ok(())
}

/// P(X = k) for X ~ Binomial(n, p), through logarithms (n up to thousands).
fn binomial_pmf(n: u32, k: u32, p: f64) -> f64 {
    let ln_choose = ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k);
    (ln_choose + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp()
}

/// ln(n!) as a sum (exact enough for the window sizes here, and no special function needed).
fn ln_factorial(n: u32) -> f64 {
    (2..=n).map(|i| (i as f64).ln()).sum()
}

/// The Repetition Count Test over a stream: it fails (and latches) when `cutoff` identical samples
/// have come in a row.
#[derive(Clone, Debug)]
pub struct Rct {
    pub cutoff: u32,
    last: Option<u8>,
    run: u32,
    pub failed: bool,
}

impl Rct {
    pub fn new(cutoff: u32) -> Rct {
        Rct { cutoff, last: None, run: 0, failed: false }
    }

    /// One sample; true if the test has failed (now or before).
    pub fn sample(&mut self, x: u8) -> bool {
        self.run = if self.last == Some(x) { self.run + 1 } else { 1 };
        self.last = Some(x);
        self.failed |= self.run >= self.cutoff;
        self.failed
    }

    /// The length of the current run, the last sample included (0 before the first sample).
    pub fn run(&self) -> u32 {
        self.run
    }
}

/// The Adaptive Proportion Test over a stream: consecutive windows of `window` samples; in each,
/// the first sample is counted (itself included) and the test fails (and latches) when the count
/// reaches `cutoff`.
#[derive(Clone, Debug)]
pub struct Apt {
    pub window: u32,
    pub cutoff: u32,
    first: u8,
    seen: u32,
    count: u32,
    pub failed: bool,
}

impl Apt {
    pub fn new(window: u32, cutoff: u32) -> Apt {
        Apt { window, cutoff, first: 0, seen: 0, count: 0, failed: false }
    }

    /// One sample; true if the test has failed (now or before).
    pub fn sample(&mut self, x: u8) -> bool {
        if self.seen == 0 {
            self.first = x;
            self.count = 0;
        }
        self.count += (x == self.first) as u32;
        self.seen += 1;
        self.failed |= self.count >= self.cutoff;
        if self.seen == self.window {
            self.seen = 0;
        }
        self.failed
    }

    /// The count of the current (or just completed) window's first sample, the last sample
    /// included (0 before the first sample).
    pub fn count(&self) -> u32 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cutoffs `../shared/reference/FACTS.md` lists (SP 800-90B at α = 2^-20).
    #[test]
    fn cutoffs_match_the_reference_table() {
        assert_eq!(rct_cutoff(1.0, 20), Ok(21));
        assert_eq!(rct_cutoff(0.5, 20), Ok(41));
        assert_eq!(apt_cutoff(1024, 1.0, 20), Ok(589));
        // The TRNG's claim (its README): H = 0.5, W = 1,024 (exact binomial sum in Python: 793).
        assert_eq!(apt_cutoff(1024, 0.5, 20), Ok(793));
        for (h, c) in [(0.5, 410), (1.0, 311), (2.0, 177), (4.0, 62), (8.0, 13)] {
            assert_eq!(apt_cutoff(512, h, 20), Ok(c), "W = 512, H = {h}");
        }
    }

    #[test]
    fn bad_entropy_and_windows_are_refused_with_a_reason() {
        for h in [0.0, -1.0, 9.0, f64::NAN] {
            assert!(rct_cutoff(h, 20).unwrap_err().contains("min-entropy"), "H = {h}");
            assert!(apt_cutoff(1024, h, 20).unwrap_err().contains("min-entropy"), "H = {h}");
        }
        assert!(apt_cutoff(1, 1.0, 20).unwrap_err().contains("window"));
    }

    /// A stuck source fails the RCT exactly at its cutoff-th identical sample, not before.
    #[test]
    fn rct_fails_at_the_cutoffth_repeat() {
        let mut rct = Rct::new(21);
        let fails: Vec<bool> = (0..21).map(|_| rct.sample(1)).collect();
        assert_eq!(fails.iter().position(|f| *f), Some(20));
        // A change of value restarts the run; the failure stays latched.
        assert!(rct.sample(0));
        let mut fresh = Rct::new(3);
        assert_eq!([1, 1, 0, 0, 1, 1, 1].map(|x| fresh.sample(x)), [false, false, false, false, false, false, true]);
    }

    /// The APT counts the window's first sample, itself included, and restarts each window.
    #[test]
    fn apt_counts_the_first_sample_per_window() {
        // Window 4, cutoff 3: 1 1 0 1 fails at the fourth sample (three 1s).
        let mut apt = Apt::new(4, 3);
        assert_eq!([1, 1, 0, 1].map(|x| apt.sample(x)), [false, false, false, true]);
        // 1 0 0 0 | 1 1 0 0: never three of the first sample in one window.
        let mut apt = Apt::new(4, 3);
        assert!([1, 0, 0, 0, 1, 1, 0, 0].iter().all(|&x| !apt.sample(x)));
    }

    /// A fair, independent source (a fixed-seed generator) passes both tests over 2^20 bits;
    /// one that gives 1 with probability 0.75 fails the APT within a few windows.
    #[test]
    fn a_fair_source_passes_and_a_biased_one_fails_the_apt() {
        use rand::{Rng, SeedableRng};
        let seed = 0x900b;
        println!("seed = {seed}");
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let (mut rct, mut apt) = (Rct::new(21), Apt::new(1024, 589));
        for _ in 0..1 << 20 {
            let x = rng.gen::<bool>() as u8;
            rct.sample(x);
            apt.sample(x);
        }
        assert!(!rct.failed && !apt.failed);
        let mut apt = Apt::new(1024, 589);
        let at = (0..8 * 1024).position(|_| apt.sample(rng.gen_bool(0.75) as u8));
        assert!(at.is_some_and(|n| n < 4 * 1024), "the APT took {at:?} samples to see a 0.75 bias");
    }
}
