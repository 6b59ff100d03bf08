//! The first `n` primes by a segmented sieve of Eratosthenes over odd numbers.
//!
//! The talk's version does trial division by every prime found so far (quadratic) and caps the
//! count at 1000; this one has no cap, needs memory only for the result plus one segment, and
//! takes O(p log log p) time for the n-th prime p.

use crate::WORK_BETWEEN_CHECKS;

/// Odd numbers per sieve segment: one byte each, sized to stay in a core's L2 cache.
const SEGMENT_ODDS: usize = 256 * 1024;

/// An upper bound on the `n`-th prime (1-based): `n (ln n + ln ln n)` for `n >= 6`
/// (Rosser's theorem), rounded up with a margin for float error.
pub fn nth_prime_upper_bound(n: u64) -> u64 {
    if n < 6 {
        return 13;
    }
    let x = n as f64;
    (x * (x.ln() + x.ln().ln())).ceil() as u64 + 16
}

/// All primes `<= limit`, by a plain sieve (used for the sieving primes up to `sqrt(limit)`).
fn primes_up_to(limit: usize) -> Vec<u64> {
    let mut composite = vec![false; limit + 1];
    let mut primes = Vec::new();
    for n in 2..=limit {
        if !composite[n] {
            primes.push(n as u64);
            let mut multiple = n * n;
            while multiple <= limit {
                composite[multiple] = true;
                multiple += n;
            }
        }
    }
    primes
}

/// The first `count` primes in increasing order.
///
/// The caller is expected to have checked that `count` values fit in memory; the vector is
/// allocated once with that capacity. `check` is called between segments; its error stops the
/// sieve and is returned.
pub fn first_primes<E>(
    count: usize,
    mut check: impl FnMut() -> Result<(), E>,
) -> Result<Vec<u64>, E> {
    let mut primes = Vec::with_capacity(count);
    if count == 0 {
        return Ok(primes);
    }
    primes.push(2);
    let limit = nth_prime_upper_bound(count as u64);
    // Odd sieving primes up to sqrt(limit), each with the next odd multiple still to cross off.
    let sqrt_limit = (limit as f64).sqrt() as usize + 1;
    let mut sievers: Vec<(u64, u64)> = primes_up_to(sqrt_limit)
        .into_iter()
        .skip(1)
        .map(|p| (p, p * p))
        .collect();
    // Small counts need less than a full segment: don't clear and scan what they never use.
    let segment_odds = SEGMENT_ODDS.min(((limit - 3) / 2 + 1) as usize);
    let mut segment = vec![true; segment_odds];
    // The segment holds the odd numbers low, low + 2, ..., low + 2 * (segment_odds - 1).
    let mut low: u64 = 3;
    let mut work_since_check = 0;
    while primes.len() < count {
        if work_since_check >= WORK_BETWEEN_CHECKS {
            check()?;
            work_since_check = 0;
        }
        work_since_check += segment_odds;
        let high = low + 2 * segment_odds as u64; // exclusive
        segment.fill(true);
        for (p, next) in sievers.iter_mut() {
            if *next >= high {
                // Sieving primes are sorted and so are their squares: later ones start later.
                if *p * *p >= high {
                    break;
                }
                continue;
            }
            let mut index = ((*next - low) / 2) as usize;
            let step = *p as usize;
            while index < segment_odds {
                segment[index] = false;
                index += step;
            }
            *next = low + 2 * index as u64;
        }
        for (index, _) in segment.iter().enumerate().filter(|(_, &is_prime)| is_prime) {
            primes.push(low + 2 * index as u64);
            if primes.len() == count {
                break;
            }
        }
        low = high;
    }
    Ok(primes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn never() -> Result<(), Infallible> {
        Ok(())
    }

    fn trial_division(count: usize) -> Vec<u64> {
        let mut primes: Vec<u64> = Vec::new();
        let mut n = 2;
        while primes.len() < count {
            if primes.iter().all(|p| n % p != 0) {
                primes.push(n);
            }
            n += 1;
        }
        primes
    }

    #[test]
    fn small_counts_match_trial_division() {
        for count in 0..200 {
            assert_eq!(
                first_primes(count, never).unwrap(),
                trial_division(count),
                "{count}"
            );
        }
    }

    #[test]
    fn crosses_segment_boundaries() {
        let count = 60_000; // the 60000th prime is 746773, beyond one segment of 512K numbers
        let primes = first_primes(count, never).unwrap();
        assert_eq!(primes.len(), count);
        assert_eq!(primes[count - 1], 746_773);
        assert!(primes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn known_nth_primes() {
        let primes = first_primes(1_000_000, never).unwrap();
        assert_eq!(primes[9_999], 104_729);
        assert_eq!(primes[999_999], 15_485_863);
    }

    #[test]
    fn upper_bound_holds() {
        for (n, nth) in [
            (1, 2),
            (5, 11),
            (6, 13),
            (1000, 7919),
            (1_000_000, 15_485_863),
        ] {
            assert!(nth_prime_upper_bound(n) >= nth, "{n}");
        }
    }

    #[test]
    fn check_errors_stop_the_sieve() {
        assert_eq!(first_primes(10_000_000, || Err("stop")), Err("stop"));
    }
}
