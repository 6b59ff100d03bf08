//! The first `n` primes by a segmented sieve of Eratosthenes over odd numbers.
//!
//! The talk's version does trial division by every prime found so far (quadratic) and caps the
//! count at 1000; this one has no cap, needs memory only for the result plus one segment, and
//! takes O(p log log p) time for the n-th prime p.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::{check, in_rayon_pool, Stopped};

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

/// The odd primes in one segment: the odd numbers `low, low + 2, ..., low + 2 * (odds - 1)`,
/// crossed off by every odd sieving prime up to the square root of the segment's end.
fn sieve_segment(low: u64, odds: usize, odd_sieving_primes: &[u64]) -> Vec<u64> {
    let high = low + 2 * odds as u64; // exclusive
    let mut is_prime = vec![true; odds];
    for &p in odd_sieving_primes {
        if p * p >= high {
            break; // sorted: no later prime has a multiple to cross off here
        }
        // The first odd multiple of p in the segment, but never p itself (p*p at the least).
        let mut first = low.div_ceil(p) * p;
        if first % 2 == 0 {
            first += p;
        }
        let first = first.max(p * p);
        let mut index = ((first - low) / 2) as usize;
        let step = p as usize;
        while index < odds {
            is_prime[index] = false;
            index += step;
        }
    }
    is_prime
        .iter()
        .enumerate()
        .filter(|(_, &prime)| prime)
        .map(|(index, _)| low + 2 * index as u64)
        .collect()
}

/// The first `count` primes in increasing order.
///
/// The caller is expected to have checked that `count` values fit in memory; the result is
/// allocated once with that capacity. Segments are sieved in parallel inside a rayon pool (see
/// the crate docs), in batches so the work stops soon after `count` primes are found.
pub fn first_primes(count: usize, stop: &AtomicBool) -> Result<Vec<u64>, Stopped> {
    let mut primes = Vec::with_capacity(count);
    if count == 0 {
        return Ok(primes);
    }
    primes.push(2);
    let limit = nth_prime_upper_bound(count as u64);
    let sqrt_limit = (limit as f64).sqrt() as usize + 1;
    let odd_sieving_primes: Vec<u64> = primes_up_to(sqrt_limit).into_iter().skip(1).collect();
    // Small counts need less than a full segment: don't clear and scan what they never use.
    let odds = SEGMENT_ODDS.min(((limit - 3) / 2 + 1) as usize);
    let segment_low = |segment: usize| 3 + 2 * (segment * odds) as u64;
    let parallel = in_rayon_pool();
    let batch = if parallel {
        4 * rayon::current_num_threads()
    } else {
        1
    };
    let mut next = 0;
    while primes.len() < count {
        check(stop)?;
        let segments = next..next + batch;
        let found: Vec<Vec<u64>> = if parallel {
            segments
                .into_par_iter()
                .map(|segment| sieve_segment(segment_low(segment), odds, &odd_sieving_primes))
                .collect()
        } else {
            segments
                .map(|segment| sieve_segment(segment_low(segment), odds, &odd_sieving_primes))
                .collect()
        };
        for segment_primes in found {
            let wanted = (count - primes.len()).min(segment_primes.len());
            primes.extend_from_slice(&segment_primes[..wanted]);
        }
        next += batch;
    }
    Ok(primes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    static NEVER: AtomicBool = AtomicBool::new(false);

    /// The serial result, checked to be the same on pools of 1 to 3 threads.
    fn first(count: usize) -> Vec<u64> {
        let serial = first_primes(count, &NEVER).unwrap();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(
                pool.install(|| first_primes(count, &NEVER)).as_ref(),
                Ok(&serial)
            );
        }
        serial
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
            assert_eq!(first(count), trial_division(count), "{count}");
        }
    }

    #[test]
    fn crosses_segment_boundaries() {
        let count = 60_000; // the 60000th prime is 746773, beyond one segment of 512K numbers
        let primes = first(count);
        assert_eq!(primes.len(), count);
        assert_eq!(primes[count - 1], 746_773);
        assert!(primes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn known_nth_primes() {
        let primes = first(1_000_000);
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
    fn a_set_stop_flag_stops_the_sieve() {
        let stop = AtomicBool::new(true);
        assert_eq!(first_primes(10_000_000, &stop), Err(Stopped));
        stop.store(false, Ordering::Relaxed);
        assert_eq!(first_primes(3, &stop), Ok(vec![2, 3, 5]));
    }
}
