//! The first `n` primes by a segmented sieve of Eratosthenes over odd numbers.
//!
//! The talk's version does trial division by every prime found so far (quadratic) and caps the
//! count at 1000; this one has no cap, needs memory only for the result plus one segment, and
//! takes O(p log log p) time for the n-th prime p.

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::{check, in_rayon_pool, Stopped};

/// Odd numbers per sieve segment: one byte each, sized for a core's L1 data cache.
const SEGMENT_ODDS: usize = 32 * 1024;
/// Segments per parallel task: a task carries each prime's next multiple from one segment to
/// the next, and computes it afresh (one division per prime) only at its start.
const SEGMENTS_PER_TASK: usize = 8;
/// The smallest odd primes, crossed off by copying a periodic pattern instead of one by one:
/// they account for most of the crossing off.
const PRESIEVED: [u64; 5] = [3, 5, 7, 11, 13];
/// The pattern's period in odd numbers: 3 * 5 * 7 * 11 * 13.
const PATTERN_ODDS: usize = 15_015;

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

/// 1 for each odd number `2 j + 1` (j < [`PATTERN_ODDS`]) with no factor in [`PRESIEVED`].
fn presieve_pattern() -> Vec<u8> {
    (0..PATTERN_ODDS as u64)
        .map(|j| u8::from(PRESIEVED.iter().all(|p| (2 * j + 1) % p != 0)))
        .collect()
}

/// Fills `is_prime` (odd numbers from the odd `low`) from the presieve pattern.
fn presieve(is_prime: &mut [u8], low: u64, pattern: &[u8]) {
    let mut offset = ((low / 2) as usize) % PATTERN_ODDS;
    let mut filled = 0;
    while filled < is_prime.len() {
        let piece = (PATTERN_ODDS - offset).min(is_prime.len() - filled);
        is_prime[filled..filled + piece].copy_from_slice(&pattern[offset..offset + piece]);
        filled += piece;
        offset = 0;
    }
    // The pattern crosses off the presieved primes themselves.
    for p in PRESIEVED {
        if (low..low + 2 * is_prime.len() as u64).contains(&p) {
            is_prime[((p - low) / 2) as usize] = 1;
        }
    }
}

/// Appends the odd numbers marked 1 in `is_prime` (odd numbers from `low`) to `primes`, eight
/// bytes at a time: most words hold no prime at all.
fn collect_marked(is_prime: &[u8], low: u64, primes: &mut Vec<u64>) {
    let mut words = is_prime.chunks_exact(8);
    for (word_index, word) in words.by_ref().enumerate() {
        let mut word = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
        while word != 0 {
            // Each marked byte is 0x01: one set bit per prime.
            let index = word_index * 8 + (word.trailing_zeros() / 8) as usize;
            primes.push(low + 2 * index as u64);
            word &= word - 1;
        }
    }
    let done = is_prime.len() - words.remainder().len();
    for (index, &marked) in words.remainder().iter().enumerate() {
        if marked == 1 {
            primes.push(low + 2 * (done + index) as u64);
        }
    }
}

/// The odd primes among `odds` odd numbers from the odd `low`, sieved one L1-sized segment at a
/// time by the odd sieving primes above [`PRESIEVED`] (sorted, up to the square root of the end).
fn sieve_range(low: u64, odds: usize, sieving_primes: &[u64], pattern: &[u8]) -> Vec<u64> {
    let high = low + 2 * odds as u64; // exclusive
    let used = sieving_primes.partition_point(|&p| p * p < high);
    // For each sieving prime, the index (in odd numbers from `low`) of its next odd multiple
    // to cross off: the first one in range, but never p itself (p * p at the least).
    let mut next: Vec<usize> = sieving_primes[..used]
        .iter()
        .map(|&p| {
            let mut first = low.div_ceil(p) * p;
            if first % 2 == 0 {
                first += p;
            }
            ((first.max(p * p) - low) / 2) as usize
        })
        .collect();
    let mut primes = Vec::with_capacity(odds / 8);
    let mut is_prime = vec![0u8; SEGMENT_ODDS.min(odds)];
    let mut start = 0;
    while start < odds {
        let length = SEGMENT_ODDS.min(odds - start);
        let segment = &mut is_prime[..length];
        let segment_low = low + 2 * start as u64;
        presieve(segment, segment_low, pattern);
        let end = start + length;
        for (&p, index) in sieving_primes[..used].iter().zip(next.iter_mut()) {
            let step = p as usize;
            while *index < end {
                segment[*index - start] = 0;
                *index += step;
            }
        }
        collect_marked(segment, segment_low, &mut primes);
        start = end;
    }
    primes
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
    let largest_presieved = PRESIEVED[PRESIEVED.len() - 1];
    let sieving_primes: Vec<u64> = primes_up_to(sqrt_limit)
        .into_iter()
        .filter(|&p| p > largest_presieved)
        .collect();
    let pattern = presieve_pattern();
    // Odd numbers from 3 up to the limit; small counts need less than one task.
    let odds_to_limit = ((limit - 3) / 2 + 1) as usize;
    let task_odds = (SEGMENT_ODDS * SEGMENTS_PER_TASK).min(odds_to_limit);
    let task_low = |task: usize| 3 + 2 * (task * task_odds) as u64;
    let sieve_task =
        |task: usize| sieve_range(task_low(task), task_odds, &sieving_primes, &pattern);
    let parallel = in_rayon_pool();
    // Tasks in batches, so the sieve stops soon after `count` primes are found.
    let batch = if parallel {
        4 * rayon::current_num_threads()
    } else {
        1
    };
    let mut next = 0;
    while primes.len() < count {
        check(stop)?;
        let tasks = next..next + batch;
        let found: Vec<Vec<u64>> = if parallel {
            tasks.into_par_iter().map(sieve_task).collect()
        } else {
            tasks.map(sieve_task).collect()
        };
        for task_primes in found {
            let wanted = (count - primes.len()).min(task_primes.len());
            primes.extend_from_slice(&task_primes[..wanted]);
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
