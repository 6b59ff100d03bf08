//! Benchmarks of the core kernels on every path, as ratios measured in one run:
//! `cargo bench -p rust-arrays-core` (a plain harness: median of repeated runs, no dependencies).

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use ndarray::{ArrayD, IxDyn};
use rust_arrays_core::masked_hypot::masked_hypot;
use rust_arrays_core::primes::first_primes;
use rust_arrays_core::rounded_hypot_sum::sum_rounded_roots;
use rust_arrays_core::rounded_hypot_sweep::{sum_float_squares, Method};
use rust_arrays_core::simd_row_sum::{best_isa, Isa};

static NEVER: AtomicBool = AtomicBool::new(false);

/// The median wall time of `repeats` runs after one warm-up.
fn median(repeats: usize, mut run: impl FnMut()) -> Duration {
    run();
    let mut times: Vec<Duration> = (0..repeats)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[repeats / 2]
}

/// Uniform values in [0, scale) from a fixed xorshift sequence.
fn uniform(seed: u64, n: usize, scale: f64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64 * scale
        })
        .collect()
}

fn report(name: &str, time: Duration, work: f64, unit: &str, baseline: Duration) {
    println!(
        "{name:<44} {:>10.2} ms {:>8.2} G{unit}/s {:>7.2}x",
        time.as_secs_f64() * 1e3,
        work / time.as_secs_f64() / 1e9,
        baseline.as_secs_f64() / time.as_secs_f64()
    );
}

fn main() {
    let pools: Vec<(usize, rayon::ThreadPool)> = [1, 2]
        .into_iter()
        .map(|threads| {
            (
                threads,
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap(),
            )
        })
        .collect();

    // The talk's workload: a = random(10000) * 100, b = random(20000) * 100, as squares.
    let (a, b) = (uniform(1, 10_000, 100.0), uniform(2, 20_000, 100.0));
    let a64: Vec<f64> = a.iter().map(|v| v * v).collect();
    let b64: Vec<f64> = b.iter().map(|v| v * v).collect();
    let a32: Vec<f32> = a.iter().map(|&v| (v as f32) * (v as f32)).collect();
    let b32: Vec<f32> = b.iter().map(|&v| (v as f32) * (v as f32)).collect();
    let pairs = 2e8;
    println!("do_something, 10000 x 20000 pairs (ratio: against scalar brute force on 1 thread)");
    let scalar64 = median(3, || {
        black_box(sum_rounded_roots(&a64, &b64, Isa::Scalar, &NEVER).unwrap());
    });
    let scalar32 = median(3, || {
        black_box(sum_rounded_roots(&a32, &b32, Isa::Scalar, &NEVER).unwrap());
    });
    for (threads, pool) in &pools {
        for isa in Isa::ALL.into_iter().filter(|isa| isa.is_available()) {
            let t = median(5, || {
                black_box(
                    pool.install(|| sum_rounded_roots(&a64, &b64, isa, &NEVER))
                        .unwrap(),
                );
            });
            report(
                &format!("f64 brute force {} {threads} thr", isa.name()),
                t,
                pairs,
                "pairs",
                scalar64,
            );
            let t = median(5, || {
                black_box(
                    pool.install(|| sum_rounded_roots(&a32, &b32, isa, &NEVER))
                        .unwrap(),
                );
            });
            report(
                &format!("f32 brute force {} {threads} thr", isa.name()),
                t,
                pairs,
                "pairs",
                scalar32,
            );
        }
        let best = best_isa();
        let t = median(9, || {
            black_box(
                pool.install(|| sum_float_squares(&a64, &b64, Method::Sweep, best, &NEVER))
                    .unwrap(),
            );
        });
        report(
            &format!("f64 sweep {threads} thr"),
            t,
            pairs,
            "pairs",
            scalar64,
        );
        let t = median(9, || {
            black_box(
                pool.install(|| sum_float_squares(&a32, &b32, Method::Sweep, best, &NEVER))
                    .unwrap(),
            );
        });
        report(
            &format!("f32 sweep {threads} thr"),
            t,
            pairs,
            "pairs",
            scalar32,
        );
    }

    println!("primes, first 10**7 (ratio: against 1 thread)");
    let one = median(5, || {
        black_box(
            pools[0]
                .1
                .install(|| first_primes(10_000_000, &NEVER))
                .unwrap(),
        );
    });
    for (threads, pool) in &pools {
        let t = median(5, || {
            black_box(pool.install(|| first_primes(10_000_000, &NEVER)).unwrap());
        });
        report(
            &format!("first_primes {threads} thr"),
            t,
            1e7,
            "primes",
            one,
        );
    }

    println!("masked_hypot, 10**7 float64 (ratio: against 1 thread)");
    let n = 10_000_000;
    let x = ArrayD::from_shape_vec(IxDyn(&[n]), uniform(3, n, 4.0)).unwrap();
    let y = ArrayD::from_shape_vec(IxDyn(&[n]), uniform(4, n, 1.0)).unwrap();
    let mut out = ArrayD::<f64>::zeros(IxDyn(&[n]));
    let one = median(9, || {
        pools[0]
            .1
            .install(|| masked_hypot(x.view(), y.view(), out.view_mut(), 2.0, best_isa(), &NEVER))
            .unwrap();
    });
    for (threads, pool) in &pools {
        let t = median(9, || {
            pool.install(|| {
                masked_hypot(x.view(), y.view(), out.view_mut(), 2.0, best_isa(), &NEVER)
            })
            .unwrap();
        });
        report(
            &format!("masked_hypot {threads} thr"),
            t,
            n as f64,
            "elements",
            one,
        );
    }
}
