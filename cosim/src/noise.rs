//! Seeded stochastic model of a TRNG's raw noise source: a two-state Markov chain plus faults.
//!
//! The healthy source is a two-state Markov chain over bits. With stationary P(1) = `p_one` = p
//! and lag-1 autocorrelation `autocorr` = rho, the transition probabilities are
//!
//! ```text
//!   P(1 | last bit 1) = p + rho(1 - p)
//!   P(1 | last bit 0) = p(1 - rho)
//! ```
//!
//! rho = 0 gives independent bits; rho > 0 makes runs longer, rho < 0 makes the bits alternate
//! more. The first bit is drawn with P(1) = p, so the chain is stationary from its first sample.
//!
//! From sample `fault_at` on (samples count from 0) the source follows its `Fault` instead. The
//! faults are the ones the SP 800-90B health tests are meant to catch (or, for `Periodic`, may
//! miss), so a bench can check that the RCT and APT trip, and when.
//!
//! Every random draw comes from a `ChaCha8Rng` seeded from the u64 seed: ChaCha8 gives the same
//! stream on every platform and rand version (rand's `StdRng` does not promise that), so a seed
//! printed by a failing run replays it.

use std::collections::VecDeque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How the source misbehaves, from sample `fault_at` on (before `fault_at` it is healthy).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    None,
    /// Every bit is this value. (A dead or saturated source: the RCT's case.)
    StuckAt(bool),
    /// P(1) moves by `per_sample` every sample (clamped to [0, 1]): sample `fault_at + k` is drawn
    /// with P(1) = p_one + (k + 1) * per_sample. The autocorrelation stays `autocorr`.
    /// (A drifting comparator threshold: the APT's case.)
    BiasDrift { per_sample: f64 },
    /// The source repeats the last `period` bits it produced before the fault, forever.
    /// (An oscillator locked to a clock: a long enough period passes both RCT and APT.)
    Periodic { period: usize },
}

/// Parameters of a noise source; `NoiseSource::new` checks them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NoiseParams {
    /// Stationary probability of a 1, in (0, 1).
    pub p_one: f64,
    /// Lag-1 autocorrelation rho; both transition probabilities must stay in [0, 1].
    pub autocorr: f64,
    pub fault: Fault,
    /// Index of the first faulty sample (0 = faulty from the start).
    pub fault_at: u64,
}

/// A noise source: call `next_bit` for each raw sample.
#[derive(Clone, Debug)]
pub struct NoiseSource {
    params: NoiseParams,
    rng: ChaCha8Rng,
    /// P(1 | last bit 1) of the healthy chain.
    p_one_after_one: f64,
    /// P(1 | last bit 0) of the healthy chain.
    p_one_after_zero: f64,
    /// The last bit produced (None before the first one).
    last: Option<bool>,
    /// Bits produced so far; also the index of the next sample.
    count: u64,
    /// For `Periodic` only: the last `period` healthy bits, oldest first; after the fault it
    /// rotates, so its front is always the next bit to repeat.
    recent: VecDeque<bool>,
}

/// Transition probabilities (P(1|1), P(1|0)) of the chain with stationary P(1) = `p_one` and
/// lag-1 autocorrelation `autocorr`. They may fall outside [0, 1]; the caller checks or clamps.
fn transitions(p_one: f64, autocorr: f64) -> (f64, f64) {
    let after_one = p_one + autocorr * (1.0 - p_one);
    let after_zero = p_one * (1.0 - autocorr);
    (after_one, after_zero)
}

/// Room for rounding when checking a transition probability against [0, 1], so that e.g.
/// p_one = 0.3 with autocorr = -3/7 (P(1|1) exactly 0 on paper) is accepted.
const ROUNDING: f64 = 1e-12;

impl NoiseSource {
    /// A source whose random draws all come from `seed`. Bad parameters give `Err` naming the
    /// problem.
    pub fn new(seed: u64, params: NoiseParams) -> Result<NoiseSource, String> {
        let NoiseParams { p_one, autocorr, fault, fault_at } = params;
        // Written as !(inside) so that NaN is rejected too.
        if !(p_one > 0.0 && p_one < 1.0) {
            return Err(format!("p_one = {p_one} is outside (0, 1)"));
        }
        if !autocorr.is_finite() {
            return Err(format!("autocorr = {autocorr} is not a finite number"));
        }
        let (after_one, after_zero) = transitions(p_one, autocorr);
        for (name, p) in [("P(1|1)", after_one), ("P(1|0)", after_zero)] {
            if !(-ROUNDING..=1.0 + ROUNDING).contains(&p) {
                return Err(format!(
                    "autocorr = {autocorr} with p_one = {p_one} gives {name} = {p}, outside [0, 1]"
                ));
            }
        }
        match fault {
            Fault::None | Fault::StuckAt(_) => {}
            Fault::BiasDrift { per_sample } => {
                if !per_sample.is_finite() {
                    return Err(format!(
                        "BiasDrift per_sample = {per_sample} is not a finite number"
                    ));
                }
            }
            Fault::Periodic { period } => {
                if period == 0 {
                    return Err("Periodic period = 0: the period must be at least 1".to_string());
                }
                // The fault repeats bits the source produced before it, so they must exist.
                if (period as u64) > fault_at {
                    return Err(format!(
                        "Periodic period = {period} needs at least {period} healthy bits before \
                         the fault, but fault_at = {fault_at}"
                    ));
                }
            }
        }
        Ok(NoiseSource {
            params,
            rng: ChaCha8Rng::seed_from_u64(seed),
            p_one_after_one: after_one.clamp(0.0, 1.0),
            p_one_after_zero: after_zero.clamp(0.0, 1.0),
            last: None,
            count: 0,
            recent: VecDeque::new(),
        })
    }

    /// The next raw bit.
    pub fn next_bit(&mut self) -> bool {
        let bit = if self.count < self.params.fault_at {
            let bit = self.draw(self.p_one_after_one, self.p_one_after_zero, self.params.p_one);
            if let Fault::Periodic { period } = self.params.fault {
                self.recent.push_back(bit);
                if self.recent.len() > period {
                    self.recent.pop_front();
                }
            }
            bit
        } else {
            match self.params.fault {
                Fault::None => {
                    self.draw(self.p_one_after_one, self.p_one_after_zero, self.params.p_one)
                }
                Fault::StuckAt(value) => value,
                Fault::BiasDrift { per_sample } => {
                    let steps = (self.count - self.params.fault_at + 1) as f64;
                    let p_now = (self.params.p_one + steps * per_sample).clamp(0.0, 1.0);
                    // Near 0 or 1 a negative autocorr can push a transition probability out of
                    // [0, 1]; clamping keeps it a valid chain that ends up stuck at 0 or 1.
                    let (after_one, after_zero) = transitions(p_now, self.params.autocorr);
                    self.draw(after_one.clamp(0.0, 1.0), after_zero.clamp(0.0, 1.0), p_now)
                }
                Fault::Periodic { .. } => {
                    // Rotate the window: the oldest bit comes out and goes to the back, so bit n
                    // equals bit n - period from here on.
                    let bit = self.recent.pop_front().expect("new() ensures period <= fault_at");
                    self.recent.push_back(bit);
                    bit
                }
            }
        };
        self.last = Some(bit);
        self.count += 1;
        bit
    }

    /// Bits produced so far.
    pub fn samples(&self) -> u64 {
        self.count
    }

    /// The parameters the source was built with.
    pub fn params(&self) -> &NoiseParams {
        &self.params
    }

    /// A conservative min-entropy per bit of the healthy source: -log2 of the largest transition
    /// probability (of the four: P(1|1), P(0|1), P(1|0), P(0|0)). This is the H that the RCT and
    /// APT cutoffs are computed from.
    pub fn min_entropy_per_bit(&self) -> f64 {
        let largest = [
            self.p_one_after_one,
            1.0 - self.p_one_after_one,
            self.p_one_after_zero,
            1.0 - self.p_one_after_zero,
        ]
        .into_iter()
        .fold(0.0, f64::max);
        // 0.0 - x rather than -x, so that a deterministic chain reports 0 rather than -0.
        0.0 - largest.log2()
    }

    /// One step of a Markov chain with these transition probabilities; `p_first` is P(1) for the
    /// very first bit, which has no predecessor.
    fn draw(&mut self, p_one_after_one: f64, p_one_after_zero: f64, p_first: f64) -> bool {
        let p = match self.last {
            Some(true) => p_one_after_one,
            Some(false) => p_one_after_zero,
            None => p_first,
        };
        self.rng.gen_bool(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MILLION: usize = 1_000_000;

    fn healthy(p_one: f64, autocorr: f64) -> NoiseParams {
        NoiseParams { p_one, autocorr, fault: Fault::None, fault_at: 0 }
    }

    /// Independent fair bits, with this fault from `fault_at` on.
    fn fair_with(fault: Fault, fault_at: u64) -> NoiseParams {
        NoiseParams { fault, fault_at, ..healthy(0.5, 0.0) }
    }

    fn source(seed: u64, params: NoiseParams) -> NoiseSource {
        NoiseSource::new(seed, params).unwrap_or_else(|e| panic!("{params:?} rejected: {e}"))
    }

    fn take(src: &mut NoiseSource, n: usize) -> Vec<bool> {
        (0..n).map(|_| src.next_bit()).collect()
    }

    fn fraction_of_ones(bits: &[bool]) -> f64 {
        bits.iter().filter(|&&b| b).count() as f64 / bits.len() as f64
    }

    /// Sample lag-1 autocorrelation: sum (x[i] - m)(x[i+1] - m) / sum (x[i] - m)^2.
    fn lag1_autocorr(bits: &[bool]) -> f64 {
        let m = fraction_of_ones(bits);
        let x: Vec<f64> = bits.iter().map(|&b| if b { 1.0 } else { 0.0 } - m).collect();
        let num: f64 = x.windows(2).map(|w| w[0] * w[1]).sum();
        let den: f64 = x.iter().map(|v| v * v).sum();
        num / den
    }

    /// The smallest q >= 1 with bits[i] == bits[i + q] for every i (the length if none is shorter).
    fn smallest_period(bits: &[bool]) -> usize {
        (1..bits.len())
            .find(|&q| (0..bits.len() - q).all(|i| bits[i] == bits[i + q]))
            .unwrap_or(bits.len())
    }

    #[test]
    fn noise_p_one_matches_stationary_probability() {
        // rho != 0 cases check the transition probabilities really keep P(1) at p_one.
        // One sigma over 1e6 bits is at most 0.0008 here (0.0005 * sqrt((1 + rho) / (1 - rho))).
        for (seed, p_one, autocorr) in
            [(1, 0.5, 0.0), (2, 0.3, 0.0), (3, 0.7, 0.0), (4, 0.3, 0.4), (5, 0.7, -0.2)]
        {
            let bits = take(&mut source(seed, healthy(p_one, autocorr)), MILLION);
            let measured = fraction_of_ones(&bits);
            println!("p_one {p_one} autocorr {autocorr}: measured P(1) {measured:.5}");
            assert!(
                (measured - p_one).abs() < 0.003,
                "seed {seed}, p_one {p_one}, autocorr {autocorr}: measured P(1) = {measured}"
            );
        }
    }

    #[test]
    fn noise_lag1_autocorr_matches_rho() {
        // The standard error of the estimate over 1e6 bits is about 0.001.
        let mut seed = 10;
        for p_one in [0.5, 0.3] {
            for autocorr in [0.0, 0.2, -0.2] {
                seed += 1;
                let bits = take(&mut source(seed, healthy(p_one, autocorr)), MILLION);
                let measured = lag1_autocorr(&bits);
                println!("p_one {p_one} autocorr {autocorr}: measured {measured:.5}");
                assert!(
                    (measured - autocorr).abs() < 0.005,
                    "seed {seed}, p_one {p_one}, autocorr {autocorr}: measured {measured}"
                );
            }
        }
    }

    #[test]
    fn noise_same_seed_same_stream_different_seed_different() {
        let params = healthy(0.5, 0.1);
        let mut a = source(42, params);
        let mut b = source(42, params);
        let mut c = source(43, params);
        let (bits_a, bits_b, bits_c) =
            (take(&mut a, 10_000), take(&mut b, 10_000), take(&mut c, 10_000));
        assert_eq!(bits_a, bits_b, "seed 42 twice gave different streams");
        assert_eq!(a.samples(), 10_000);
        // Independent fair-ish streams agree on about half the bits; equal would be a bug.
        let agree = bits_a.iter().zip(&bits_c).filter(|(x, y)| x == y).count();
        println!("seeds 42 and 43 agree on {agree} of 10000 bits");
        assert!((4_000..6_000).contains(&agree), "seeds 42 and 43 agree on {agree} of 10000 bits");
    }

    #[test]
    fn noise_stuck_at_from_fault_at_healthy_before() {
        let seed = 7;
        let reference = take(&mut source(seed, healthy(0.5, 0.0)), 2_000);
        for value in [false, true] {
            // Put fault_at where the healthy bits on both sides of the boundary are !value, so a
            // fault starting one sample early or late shows.
            let i = (500..).find(|&i| reference[i] != value && reference[i + 1] != value).unwrap();
            let fault_at = (i + 1) as u64;
            let params = fair_with(Fault::StuckAt(value), fault_at);
            let bits = take(&mut source(seed, params), 100_000);
            let n = fault_at as usize;
            assert_eq!(
                bits[..n],
                reference[..n],
                "StuckAt({value}): bits before fault_at {n} not the healthy stream"
            );
            if let Some(k) = bits[n..].iter().position(|&b| b != value) {
                panic!("StuckAt({value}) from {n}: sample {} is {}", n + k, !value);
            }
        }
    }

    #[test]
    fn noise_periodic_repeats_last_period_bits_with_exactly_that_period() {
        let seed = 99;
        let reference = take(&mut source(seed, healthy(0.5, 0.0)), 5_000);
        for period in [1, 2, 3, 8, 12, 33, 100, 1_000] {
            // A generic prefix: put fault_at where the last `period` healthy bits, repeated, have
            // no smaller period (e.g. not 000 for period 3). Twice the window is enough to see
            // any smaller period of the endless repetition.
            let fault_at = (1_000..)
                .find(|&at| {
                    let window = &reference[at - period..at];
                    smallest_period(&[window, window].concat()) == period
                })
                .unwrap();
            let params = fair_with(Fault::Periodic { period }, fault_at as u64);
            let bits = take(&mut source(seed, params), fault_at + 5_000);
            assert_eq!(
                bits[..fault_at],
                reference[..fault_at],
                "period {period}: healthy prefix changed"
            );
            // From fault_at on: the window reference[fault_at - period..fault_at], over and over.
            let window = &reference[fault_at - period..fault_at];
            for (k, &b) in bits[fault_at..].iter().enumerate() {
                assert_eq!(
                    b,
                    window[k % period],
                    "period {period}, fault_at {fault_at}: sample {}",
                    fault_at + k
                );
            }
            let faulty_period = smallest_period(&bits[fault_at..]);
            println!("period {period}: fault_at {fault_at}, output repeats every {faulty_period}");
            assert_eq!(
                faulty_period, period,
                "seed {seed}, fault_at {fault_at}: Periodic {{ period: {period} }} output repeats \
                 every {faulty_period}"
            );
        }
    }

    #[test]
    fn noise_bias_drift_moves_p_one_in_windows() {
        // P(1) goes from 0.5 up by 2e-6 a sample: 1 after 250 000 samples, then stays there.
        let (p_one, per_sample, fault_at) = (0.5, 2e-6, 100_000_u64);
        let params =
            NoiseParams { fault: Fault::BiasDrift { per_sample }, fault_at, ..healthy(p_one, 0.0) };
        let bits = take(&mut source(3, params), 500_000);
        let window = 50_000;
        for (w, chunk) in bits.chunks(window).enumerate() {
            // Expected P(1) of the window: the mean of the drifting P(1) over its samples.
            let expected: f64 = (w * window..(w + 1) * window)
                .map(|n| {
                    let steps = (n as f64 - fault_at as f64 + 1.0).max(0.0);
                    (p_one + steps * per_sample).min(1.0)
                })
                .sum::<f64>()
                / window as f64;
            let measured = fraction_of_ones(chunk);
            println!("window {w}: expected P(1) {expected:.4}, measured {measured:.4}");
            // One sigma over 50 000 bits is at most 0.0023.
            assert!(
                (measured - expected).abs() < 0.012,
                "window {w}: expected {expected}, measured {measured}"
            );
        }
        // Once P(1) has reached 1 the source is stuck at 1.
        assert!(bits[350_001..].iter().all(|&b| b), "P(1) clamped at 1 but a 0 came out");

        // Downwards, with autocorrelation: P(1) reaches 0 after 0.3 / 1e-5 = 30 000 samples.
        let params = NoiseParams {
            fault: Fault::BiasDrift { per_sample: -1e-5 },
            fault_at: 1_000,
            ..healthy(0.3, 0.2)
        };
        let bits = take(&mut source(4, params), 60_000);
        let early = fraction_of_ones(&bits[..1_000]);
        let late = fraction_of_ones(&bits[20_000..30_000]);
        println!(
            "downward drift: P(1) {early:.3} before the fault, {late:.3} in samples 20000..30000"
        );
        assert!(
            (early - 0.3).abs() < 0.06 && late < 0.1,
            "downward drift: {early} before, {late} late"
        );
        assert!(bits[31_100..].iter().all(|&b| !b), "P(1) clamped at 0 but a 1 came out");

        // The first faulty sample has already moved one step: with p_one = 0.5 and a step of
        // 0.5, sample fault_at is drawn with P(1) = 1. (Were it drawn at 0.5, one of these 40
        // would almost surely be 0.)
        for fault_at in 1..=40 {
            let params = fair_with(Fault::BiasDrift { per_sample: 0.5 }, fault_at);
            let bits = take(&mut source(fault_at, params), 100);
            let n = fault_at as usize;
            assert!(bits[n..].iter().all(|&b| b), "seed {fault_at}: P(1) 1 from {n}, got {bits:?}");
        }
    }

    #[test]
    fn noise_bad_params_are_rejected_with_a_clear_message() {
        let cases: Vec<(NoiseParams, &str)> = vec![
            (healthy(0.0, 0.0), "p_one = 0 is outside (0, 1)"),
            (healthy(1.0, 0.0), "p_one = 1 is outside (0, 1)"),
            (healthy(-0.2, 0.0), "p_one = -0.2 is outside (0, 1)"),
            (healthy(1.5, 0.0), "p_one = 1.5 is outside (0, 1)"),
            (healthy(f64::NAN, 0.0), "p_one = NaN is outside (0, 1)"),
            (healthy(0.5, f64::INFINITY), "autocorr = inf is not a finite number"),
            // P(1|1) = 0.3 - 0.5 * 0.7 < 0.
            (healthy(0.3, -0.5), "autocorr = -0.5 with p_one = 0.3 gives P(1|1) = "),
            // P(1|0) = 0.7 * (1 + 0.5) > 1.
            (healthy(0.7, -0.5), "autocorr = -0.5 with p_one = 0.7 gives P(1|0) = "),
            // P(1|1) = 0.5 + 1.5 * 0.5 > 1.
            (healthy(0.5, 1.5), "autocorr = 1.5 with p_one = 0.5 gives P(1|1) = "),
            (fair_with(Fault::Periodic { period: 0 }, 10), "Periodic period = 0"),
            (
                fair_with(Fault::Periodic { period: 11 }, 10),
                "Periodic period = 11 needs at least 11 healthy bits before the fault, \
                 but fault_at = 10",
            ),
            (
                fair_with(Fault::BiasDrift { per_sample: f64::NAN }, 0),
                "BiasDrift per_sample = NaN is not a finite number",
            ),
        ];
        for (params, wanted) in cases {
            match NoiseSource::new(1, params) {
                Ok(_) => panic!("{params:?} accepted"),
                Err(e) => assert!(
                    e.starts_with(wanted),
                    "{params:?}: message {e:?} does not start with {wanted:?}"
                ),
            }
        }
        // The edges of the valid range are accepted: p_one = 0.5, autocorr = -1 alternates, and
        // P(1|1) = 0 exactly on paper at p_one = 0.3, autocorr = -3/7.
        let mut alternating = source(1, healthy(0.5, -1.0));
        let bits = take(&mut alternating, 1_000);
        assert!(bits.windows(2).all(|w| w[0] != w[1]), "autocorr = -1 did not alternate");
        assert!(NoiseSource::new(1, healthy(0.3, -3.0 / 7.0)).is_ok());
        assert!(NoiseSource::new(1, healthy(0.5, 1.0)).is_ok());
    }

    #[test]
    fn noise_min_entropy_per_bit_matches_hand_computed_values() {
        // (p_one, autocorr, largest transition probability, -log2 of it); worked out by hand:
        let cases = [
            (0.5, 0.0, "0.5", 1.0),
            (0.3, 0.0, "P(0|x) = 0.7", 0.514_573_172_829_758_3),
            (0.5, 0.2, "P(1|1) = 0.6", 0.736_965_594_166_206_2),
            (0.3, 0.2, "P(0|0) = 1 - 0.24 = 0.76", 0.395_928_676_331_139_2),
            (0.7, -0.2, "P(1|0) = 0.84", 0.251_538_766_995_964_45),
            (0.5, -1.0, "P(1|0) = 1", 0.0),
        ];
        for (p_one, autocorr, largest, wanted) in cases {
            let h = source(1, healthy(p_one, autocorr)).min_entropy_per_bit();
            println!("p_one {p_one} autocorr {autocorr}: largest {largest}, H = {h}");
            assert!(
                (h - wanted).abs() < 1e-12,
                "p_one {p_one} autocorr {autocorr}: H = {h}, wanted {wanted}"
            );
            assert!(h <= 1.0 && h.is_sign_positive());
            if p_one == 0.5 && autocorr == 0.0 {
                assert_eq!(h, 1.0, "independent fair bits must give exactly 1 bit");
            } else {
                assert!(h < 1.0, "p_one {p_one} autocorr {autocorr}: H = {h}, not below 1");
            }
        }
    }
}
