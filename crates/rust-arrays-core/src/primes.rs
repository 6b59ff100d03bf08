//! The first `n` primes by a segmented sieve of Eratosthenes over odd numbers.
//!
//! The talk's version does trial division by every prime found so far (quadratic) and caps the
//! count at 1000; this one has no cap, needs memory only for the result plus one small bitset
//! per task, and takes O(p log log p) time for the n-th prime p.
//!
//! Layout: bit `i` of the sieve stands for the odd number `2 i + 1`. Each task sieves one
//! L1-sized segment of bits; the multiples of the smallest primes are not crossed off one by
//! one but copied from a periodic pattern. Tasks run in parallel batches: sieve and count, then
//! write their primes straight into their slice of the result.

use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::{check, in_rayon_pool, Stopped};

/// 64-bit words per segment, one bit per odd number: 32 KiB, a core's L1 data cache.
const SEGMENT_WORDS: usize = 32 * 1024 / 8;
/// The smallest odd primes, crossed off by copying a periodic pattern: they would account for
/// most of the crossing off.
const PRESIEVED: [u64; 5] = [3, 5, 7, 11, 13];
/// The pattern's period in 64-bit words: 3 * 5 * 7 * 11 * 13 odd numbers repeat, so 64 times
/// as many repeat word-aligned.
const PATTERN_WORDS: usize = 15_015;

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

/// Word `w` of the pattern: bit `j` is set when `2 (64 w + j) + 1` has no factor in
/// [`PRESIEVED`]. Built once per process (it takes milliseconds).
fn presieve_pattern() -> &'static [u64] {
    static PATTERN: OnceLock<Vec<u64>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        (0..PATTERN_WORDS as u64)
            .map(|word| {
                (0..64u64)
                    .filter(|bit| {
                        PRESIEVED
                            .iter()
                            .all(|p| (2 * (64 * word + bit) + 1) % p != 0)
                    })
                    .fold(0u64, |bits, bit| bits | 1 << bit)
            })
            .collect()
    })
}

/// What every task shares.
struct Sieve {
    pattern: &'static [u64],
    /// Odd sieving primes above [`PRESIEVED`], up to the square root of the limit, sorted.
    sieving_primes: Vec<u64>,
    /// Words per segment: [`SEGMENT_WORDS`], or fewer when the limit is near.
    words: usize,
}

impl Sieve {
    /// The bitset of segment `segment`: its bits are the odd numbers `2 i + 1` for `i` from
    /// the segment's first, set where prime.
    fn segment(&self, segment: usize) -> Vec<u64> {
        let words = self.words;
        let mut bits = Vec::with_capacity(words);
        let mut offset = (segment * words) % PATTERN_WORDS;
        while bits.len() < words {
            let piece = (PATTERN_WORDS - offset).min(words - bits.len());
            bits.extend_from_slice(&self.pattern[offset..offset + piece]);
            offset = 0;
        }
        let odds = 64 * words as u64;
        let low = segment as u64 * odds; // index of the first bit
        let high = low + odds;
        if segment == 0 {
            bits[0] &= !1; // 1 is not prime
            for p in PRESIEVED {
                bits[0] |= 1 << (p / 2); // the pattern crossed off these primes themselves
            }
        }
        for &p in &self.sieving_primes {
            // The first odd multiple to cross off: p * p, or the first in this segment.
            let square = p * p / 2;
            if square >= high {
                break;
            }
            let mut index = if square >= low {
                square
            } else {
                // Odd multiples of p are p (2 k + 1): their bit indices step by p from p / 2.
                (low - p / 2).div_ceil(p) * p + p / 2
            } - low;
            while index < odds {
                bits[(index / 64) as usize] &= !(1 << (index % 64));
                index += p;
            }
        }
        bits
    }
}

/// Writes the primes of a segment's bitset into `out` (exactly as many as it holds, or fewer
/// if `out` is shorter).
fn write_primes(bits: &[u64], segment: usize, out: &mut [u64]) {
    let base = (segment * 64 * bits.len()) as u64;
    let mut slots = out.iter_mut();
    for (word_index, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            let Some(slot) = slots.next() else {
                return;
            };
            let index = base + 64 * word_index as u64 + u64::from(word.trailing_zeros());
            *slot = 2 * index + 1;
            word &= word - 1;
        }
    }
}

/// The first `count` primes in increasing order.
///
/// The caller is expected to have checked that `count` values fit in memory; the result is
/// allocated once, zeroed lazily by the OS. Segments are sieved in parallel inside a rayon pool
/// (see the crate docs).
pub fn first_primes(count: usize, stop: &AtomicBool) -> Result<Vec<u64>, Stopped> {
    let mut primes = vec![0u64; count];
    if count == 0 {
        return Ok(primes);
    }
    primes[0] = 2;
    let limit = nth_prime_upper_bound(count as u64);
    let sqrt_limit = (limit as f64).sqrt() as usize + 1;
    let largest_presieved = PRESIEVED[PRESIEVED.len() - 1];
    let sieve = Sieve {
        pattern: presieve_pattern(),
        sieving_primes: primes_up_to(sqrt_limit)
            .into_iter()
            .filter(|&p| p > largest_presieved)
            .collect(),
        // Bits for the odd numbers up to the limit, in whole words.
        words: SEGMENT_WORDS.min((limit / 2) as usize / 64 + 1),
    };
    let parallel = in_rayon_pool();
    let batch = if parallel {
        4 * rayon::current_num_threads()
    } else {
        1
    };
    let mut filled = 1;
    let mut next = 0;
    while filled < count {
        check(stop)?;
        let segments = next..next + batch;
        let sieve_and_count = |segment: usize| {
            let bits = sieve.segment(segment);
            let found: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
            (segment, bits, found)
        };
        let sieved: Vec<(usize, Vec<u64>, usize)> = if parallel {
            segments.into_par_iter().map(sieve_and_count).collect()
        } else {
            segments.map(sieve_and_count).collect()
        };
        // Each segment's slice of the result, in order, until `count` primes.
        let mut rest = &mut primes[filled..];
        let mut jobs = Vec::with_capacity(sieved.len());
        for (segment, bits, found) in &sieved {
            if rest.is_empty() {
                break;
            }
            let (slice, tail) = rest.split_at_mut((*found).min(rest.len()));
            filled += slice.len();
            jobs.push((*segment, bits, slice));
            rest = tail;
        }
        let write = |(segment, bits, slice): (usize, &Vec<u64>, &mut [u64])| {
            write_primes(bits, segment, slice)
        };
        if parallel {
            jobs.into_par_iter().for_each(write);
        } else {
            jobs.into_iter().for_each(write);
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
