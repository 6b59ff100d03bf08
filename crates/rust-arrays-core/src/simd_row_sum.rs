//! The O(n * m) hot loop of the talk's `do_something` for float64 and float32 squares, as SIMD
//! kernels picked at run time (AVX-512, AVX2 or plain scalar), every one of them bit-identical to
//! [`SquareSum::rounded_root`] summed with wrap-around.
//!
//! Per pair `(x, y)`: `s = x + y`, `r = sqrt(s)`, `q = round_ties_even(r)`, all in the input dtype
//! (no FMA), then NumPy's x86-64 cast of `q` to int64 ([`crate::numpy_cast`]); only values above
//! [`COUNTED_ABOVE`](crate::square_sum::COUNTED_ABOVE) count. As `q` is an integer-valued float,
//! "the cast is above 10" means `10 < q < 2**63`, and then the cast is exact.
//!
//! The library is built for baseline x86-64, so the vector code lives in `#[target_feature]`
//! functions that are only entered after [`Isa::is_available`] confirmed the CPU supports them.

// `std::arch` loads and calling `#[target_feature]` functions are unsafe; each use is checked.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::sync::OnceLock;

use half::f16;

use crate::square_sum::{counted_sum, SquareSum};

/// An instruction set the kernels can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Portable Rust, the reference.
    Scalar,
    /// AVX2 (256-bit vectors), without FMA.
    Avx2,
    /// AVX-512 F + DQ (512-bit vectors and float <-> int64 conversions).
    Avx512,
}

impl Isa {
    /// Every instruction set, from the slowest to the fastest.
    pub const ALL: [Isa; 3] = [Isa::Scalar, Isa::Avx2, Isa::Avx512];

    /// `"scalar"`, `"avx2"` or `"avx512"`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// The inverse of [`Isa::name`].
    pub fn from_name(name: &str) -> Option<Isa> {
        Isa::ALL.into_iter().find(|isa| isa.name() == name)
    }

    /// Whether this CPU (and OS) can run the kernels of this instruction set.
    pub fn is_available(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Avx2 | Isa::Avx512 => false,
        }
    }

    /// `self` if available, else the best available instruction set.
    fn or_best(self) -> Isa {
        if self.is_available() {
            self
        } else {
            best_isa()
        }
    }
}

/// The fastest instruction set this CPU supports (detected once).
pub fn best_isa() -> Isa {
    static BEST: OnceLock<Isa> = OnceLock::new();
    *BEST.get_or_init(|| {
        Isa::ALL
            .into_iter()
            .rev()
            .find(|isa| isa.is_available())
            .unwrap_or(Isa::Scalar)
    })
}

/// The wrapping int64 sum over all pairs `xs × ys` of the counted rounded roots, with `isa` (or
/// the best available instruction set if this CPU lacks `isa`).
pub fn block_sum_f64(isa: Isa, xs: &[f64], ys: &[f64]) -> i64 {
    match isa.or_best() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_best` only returns instruction sets the CPU supports.
        Isa::Avx512 => unsafe { x86::block_sum_f64_avx512(xs, ys) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { x86::block_sum_f64_avx2(xs, ys) },
        _ => counted_sum(xs, ys),
    }
}

/// [`block_sum_f64`] for float32 squares.
pub fn block_sum_f32(isa: Isa, xs: &[f32], ys: &[f32]) -> i64 {
    match isa.or_best() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `or_best` only returns instruction sets the CPU supports.
        Isa::Avx512 => unsafe { x86::block_sum_f32_avx512(xs, ys) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { x86::block_sum_f32_avx2(xs, ys) },
        _ => counted_sum(xs, ys),
    }
}

/// A dtype whose blocks of pairs can be summed: with the vector kernels of `isa` for float64 and
/// float32, one pair at a time ([`counted_sum`]) for the others.
pub trait BlockSum: SquareSum {
    /// The wrapping sum over all pairs of `rows` and `b_sq` of the values above
    /// [`COUNTED_ABOVE`](crate::square_sum::COUNTED_ABOVE).crate::square_sum::COUNTED_ABOVE).
    fn block_sum(_isa: Isa, rows: &[Self], b_sq: &[Self]) -> i64 {
        counted_sum(rows, b_sq)
    }
}

impl BlockSum for f64 {
    fn block_sum(isa: Isa, rows: &[f64], b_sq: &[f64]) -> i64 {
        block_sum_f64(isa, rows, b_sq)
    }
}

impl BlockSum for f32 {
    fn block_sum(isa: Isa, rows: &[f32], b_sq: &[f32]) -> i64 {
        block_sum_f32(isa, rows, b_sq)
    }
}

impl BlockSum for f16 {}
impl BlockSum for i8 {}
impl BlockSum for u8 {}
impl BlockSum for i16 {}
impl BlockSum for u16 {}
impl BlockSum for i32 {}
impl BlockSum for u32 {}
impl BlockSum for i64 {}
impl BlockSum for u64 {}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The vector kernels. Each processes `ROWS` values of `xs` against every vector of `ys`
    //! (register blocking: one load of `ys` feeds `ROWS` independent square roots), then the
    //! leftover rows one at a time. The last, partial vector of `ys` is padded with NaN, whose
    //! root never counts, so tails need no masking.

    use std::arch::x86_64::*;

    use crate::square_sum::{counted_sum, SquareSum, COUNTED_ABOVE};

    /// The scalar code for the rare vectors the fast path cannot convert.
    #[cold]
    #[inline(never)]
    fn scalar_fallback<T: SquareSum>(xs: &[T], ys: &[T]) -> i64 {
        counted_sum(xs, ys)
    }

    /// Rows of `xs` per pass over `ys`.
    const ROWS: usize = 8;
    /// Round to nearest, ties to even, without raising exceptions.
    const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    const TWO_POW_31: f32 = 2_147_483_648.0;
    const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

    /// `ys` split into whole `N`-lane vectors and a NaN-padded last vector (if any).
    fn split_ys<T: Copy, const N: usize>(ys: &[T], nan: T) -> (&[T], Option<[T; N]>) {
        let full = ys.len() - ys.len() % N;
        let (whole, rest) = ys.split_at(full);
        let tail = (!rest.is_empty()).then(|| {
            let mut tail = [nan; N];
            tail[..rest.len()].copy_from_slice(rest);
            tail
        });
        (whole, tail)
    }

    /// Runs `block` on blocks of `ROWS` values of `xs`, then `single` on the leftover values.
    #[inline(always)]
    fn by_row_blocks<T: Copy>(
        xs: &[T],
        mut block: impl FnMut(&[T; ROWS]) -> i64,
        mut single: impl FnMut(&[T; 1]) -> i64,
    ) -> i64 {
        let mut blocks = xs.chunks_exact(ROWS);
        let mut total = 0i64;
        for rows in &mut blocks {
            total = total.wrapping_add(block(rows.try_into().expect("ROWS values")));
        }
        for &x in blocks.remainder() {
            total = total.wrapping_add(single(&[x]));
        }
        total
    }

    // ---------------------------------------------------------------- AVX-512, float64 --------

    /// # Safety
    /// The CPU must support AVX-512 F and DQ.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn block_sum_f64_avx512(xs: &[f64], ys: &[f64]) -> i64 {
        let (whole, tail) = split_ys::<f64, 8>(ys, f64::NAN);
        by_row_blocks(
            xs,
            |rows| rows_f64_avx512(rows, whole, tail.as_ref()),
            |rows| rows_f64_avx512(rows, whole, tail.as_ref()),
        )
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn rows_f64_avx512<const R: usize>(
        xs: &[f64; R],
        whole: &[f64],
        tail: Option<&[f64; 8]>,
    ) -> i64 {
        let mut xv = [_mm512_setzero_pd(); R];
        for (v, &x) in xv.iter_mut().zip(xs) {
            *v = _mm512_set1_pd(x);
        }
        let mut acc = [_mm512_setzero_si512(); R];
        let step = |acc: &mut [__m512i; R], y: __m512d| {
            let above = _mm512_set1_epi64(COUNTED_ABOVE);
            for (a, &x) in acc.iter_mut().zip(&xv) {
                let root = _mm512_sqrt_pd(_mm512_add_pd(x, y));
                // vcvtpd2qq: rounds ties to even, gives i64::MIN for NaN and out-of-range values.
                let value = _mm512_cvt_roundpd_epi64::<NEAREST>(root);
                let counted = _mm512_cmpgt_epi64_mask(value, above);
                *a = _mm512_mask_add_epi64(*a, counted, *a, value);
            }
        };
        for chunk in whole.chunks_exact(8) {
            // SAFETY: `chunk` holds 8 f64; `loadu` has no alignment requirement.
            let y = unsafe { _mm512_loadu_pd(chunk.as_ptr()) };
            step(&mut acc, y);
        }
        if let Some(tail) = tail {
            // SAFETY: `tail` holds 8 f64.
            let y = unsafe { _mm512_loadu_pd(tail.as_ptr()) };
            step(&mut acc, y);
        }
        let sum = acc
            .iter()
            .fold(_mm512_setzero_si512(), |s, &a| _mm512_add_epi64(s, a));
        _mm512_reduce_add_epi64(sum)
    }

    // ---------------------------------------------------------------- AVX-512, float32 --------

    /// # Safety
    /// The CPU must support AVX-512 F and DQ.
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn block_sum_f32_avx512(xs: &[f32], ys: &[f32]) -> i64 {
        let (whole, tail) = split_ys::<f32, 16>(ys, f32::NAN);
        by_row_blocks(
            xs,
            |rows| rows_f32_avx512(rows, whole, tail.as_ref()),
            |rows| rows_f32_avx512(rows, whole, tail.as_ref()),
        )
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    fn rows_f32_avx512<const R: usize>(
        xs: &[f32; R],
        whole: &[f32],
        tail: Option<&[f32; 16]>,
    ) -> i64 {
        let mut xv = [_mm512_setzero_ps(); R];
        for (v, &x) in xv.iter_mut().zip(xs) {
            *v = _mm512_set1_ps(x);
        }
        // Lanes 0-7 and 8-15 of the roots, converted to int64 separately.
        let mut acc = [[_mm512_setzero_si512(); 2]; R];
        let step = |acc: &mut [[__m512i; 2]; R], y: __m512| {
            let above = _mm512_set1_epi64(COUNTED_ABOVE);
            for (a, &x) in acc.iter_mut().zip(&xv) {
                let root = _mm512_sqrt_ps(_mm512_add_ps(x, y));
                let halves = [
                    _mm512_castps512_ps256(root),
                    _mm512_extractf32x8_ps::<1>(root),
                ];
                for (a, half) in a.iter_mut().zip(halves) {
                    // vcvtps2qq: ties to even, i64::MIN for NaN and values out of range (the
                    // float32 is compared with 2**63 exactly).
                    let value = _mm512_cvt_roundps_epi64::<NEAREST>(half);
                    let counted = _mm512_cmpgt_epi64_mask(value, above);
                    *a = _mm512_mask_add_epi64(*a, counted, *a, value);
                }
            }
        };
        for chunk in whole.chunks_exact(16) {
            // SAFETY: `chunk` holds 16 f32; `loadu` has no alignment requirement.
            let y = unsafe { _mm512_loadu_ps(chunk.as_ptr()) };
            step(&mut acc, y);
        }
        if let Some(tail) = tail {
            // SAFETY: `tail` holds 16 f32.
            let y = unsafe { _mm512_loadu_ps(tail.as_ptr()) };
            step(&mut acc, y);
        }
        let sum = acc
            .iter()
            .flatten()
            .fold(_mm512_setzero_si512(), |s, &a| _mm512_add_epi64(s, a));
        _mm512_reduce_add_epi64(sum)
    }

    // ---------------------------------------------------------------- AVX2 helpers ------------

    /// The wrapping sum of the four int64 lanes.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sum_lanes(v: __m256i) -> i64 {
        let low = _mm256_castsi256_si128(v);
        let high = _mm256_extracti128_si256::<1>(v);
        let pair = _mm_add_epi64(low, high);
        _mm_cvtsi128_si64(pair).wrapping_add(_mm_extract_epi64::<1>(pair))
    }

    // ---------------------------------------------------------------- AVX2, float64 -----------

    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn block_sum_f64_avx2(xs: &[f64], ys: &[f64]) -> i64 {
        let (whole, tail) = split_ys::<f64, 4>(ys, f64::NAN);
        by_row_blocks(
            xs,
            |rows| rows_f64_avx2(rows, whole, tail.as_ref()),
            |rows| rows_f64_avx2(rows, whole, tail.as_ref()),
        )
    }

    /// AVX2 cannot convert float64 to int64, but for `0 <= r < 2**52` the float64 `r + 2**52`
    /// is `2**52 + round_ties_even(r)` (the spacing there is 1; the default rounding mode rounds
    /// ties to even, and `2**52 + k` is even exactly when `k` is), whose bits minus those of
    /// `2**52` are that integer (this holds up to the sum `2**53`, whose exponent step adds
    /// exactly `2**52` to the bits). Vectors with a root at or above `2**52` (rare: squares above
    /// 2**104) go through the scalar code.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn rows_f64_avx2<const R: usize>(xs: &[f64; R], whole: &[f64], tail: Option<&[f64; 4]>) -> i64 {
        let mut xv = [_mm256_setzero_pd(); R];
        for (v, &x) in xv.iter_mut().zip(xs) {
            *v = _mm256_set1_pd(x);
        }
        let mut acc = [_mm256_setzero_si256(); R];
        let mut slow = 0i64;
        let mut step = |acc: &mut [__m256i; R], ys: &[f64]| {
            // SAFETY: `ys` holds 4 f64 (a chunk or the tail); no alignment requirement.
            let y = unsafe { _mm256_loadu_pd(ys.as_ptr()) };
            let mut roots = [_mm256_setzero_pd(); R];
            let mut big = _mm256_setzero_pd();
            for (root, &x) in roots.iter_mut().zip(&xv) {
                *root = _mm256_sqrt_pd(_mm256_add_pd(x, y));
                big = _mm256_or_pd(
                    big,
                    _mm256_cmp_pd::<_CMP_GE_OQ>(*root, _mm256_set1_pd(TWO_POW_52)),
                );
            }
            if _mm256_movemask_pd(big) != 0 {
                slow = slow.wrapping_add(scalar_fallback(xs, ys));
                return;
            }
            let magic = _mm256_set1_pd(TWO_POW_52);
            for (a, &root) in acc.iter_mut().zip(&roots) {
                let value = _mm256_sub_epi64(
                    _mm256_castpd_si256(_mm256_add_pd(root, magic)),
                    _mm256_castpd_si256(magic),
                );
                // round_ties_even(r) > 10 exactly when r > 10.5; false for NaN.
                let counted = _mm256_cmp_pd::<_CMP_GT_OQ>(root, _mm256_set1_pd(10.5));
                *a = _mm256_add_epi64(*a, _mm256_and_si256(value, _mm256_castpd_si256(counted)));
            }
        };
        for chunk in whole.chunks_exact(4) {
            step(&mut acc, chunk);
        }
        if let Some(tail) = tail {
            step(&mut acc, tail);
        }
        let sum = acc
            .iter()
            .fold(_mm256_setzero_si256(), |s, &a| _mm256_add_epi64(s, a));
        sum_lanes(sum).wrapping_add(slow)
    }

    // ---------------------------------------------------------------- AVX2, float32 -----------

    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn block_sum_f32_avx2(xs: &[f32], ys: &[f32]) -> i64 {
        let (whole, tail) = split_ys::<f32, 8>(ys, f32::NAN);
        by_row_blocks(
            xs,
            |rows| rows_f32_avx2(rows, whole, tail.as_ref()),
            |rows| rows_f32_avx2(rows, whole, tail.as_ref()),
        )
    }

    /// Roots below `2**31` round and convert to int32 in one `vcvtps2dq` (default rounding mode:
    /// ties to even); NaN gives `i32::MIN`, which is not counted. Vectors with a root at or above
    /// `2**31` (squares above 2**62) go through the scalar code.
    ///
    /// The counted int32 values `v` (all below `2**31`) are summed in int64 lanes without
    /// widening: adding the int32 pair `(e, o)` as the int64 `e + 2**32 o` to `a`, and `o` to
    /// `b`, the sum of all values is `a - 2**32 b + b` (all modulo 2**64).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn rows_f32_avx2<const R: usize>(xs: &[f32; R], whole: &[f32], tail: Option<&[f32; 8]>) -> i64 {
        let mut xv = [_mm256_setzero_ps(); R];
        for (v, &x) in xv.iter_mut().zip(xs) {
            *v = _mm256_set1_ps(x);
        }
        let mut pairs = [_mm256_setzero_si256(); R];
        let mut odds = [_mm256_setzero_si256(); R];
        let mut slow = 0i64;
        let mut step = |pairs: &mut [__m256i; R], odds: &mut [__m256i; R], ys: &[f32]| {
            // SAFETY: `ys` holds 8 f32 (a chunk or the tail); no alignment requirement.
            let y = unsafe { _mm256_loadu_ps(ys.as_ptr()) };
            let mut roots = [_mm256_setzero_ps(); R];
            let mut big = _mm256_setzero_ps();
            for (root, &x) in roots.iter_mut().zip(&xv) {
                *root = _mm256_sqrt_ps(_mm256_add_ps(x, y));
                big = _mm256_or_ps(
                    big,
                    _mm256_cmp_ps::<_CMP_GE_OQ>(*root, _mm256_set1_ps(TWO_POW_31)),
                );
            }
            if _mm256_movemask_ps(big) != 0 {
                slow = slow.wrapping_add(scalar_fallback(xs, ys));
                return;
            }
            let above = _mm256_set1_epi32(COUNTED_ABOVE as i32);
            for ((p, o), &root) in pairs.iter_mut().zip(odds.iter_mut()).zip(&roots) {
                let value = _mm256_cvtps_epi32(root);
                let counted = _mm256_and_si256(value, _mm256_cmpgt_epi32(value, above));
                *p = _mm256_add_epi64(*p, counted);
                *o = _mm256_add_epi64(*o, _mm256_srli_epi64::<32>(counted));
            }
        };
        for chunk in whole.chunks_exact(8) {
            step(&mut pairs, &mut odds, chunk);
        }
        if let Some(tail) = tail {
            step(&mut pairs, &mut odds, tail);
        }
        let pairs = acc_sum(&pairs);
        let odds = acc_sum(&odds);
        pairs
            .wrapping_sub(odds.wrapping_shl(32))
            .wrapping_add(odds)
            .wrapping_add(slow)
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn acc_sum(acc: &[__m256i]) -> i64 {
        sum_lanes(
            acc.iter()
                .fold(_mm256_setzero_si256(), |s, &a| _mm256_add_epi64(s, a)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: tiny and deterministic.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        /// Uniform in [0, 1).
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn available() -> Vec<Isa> {
        Isa::ALL
            .into_iter()
            .filter(|isa| isa.is_available())
            .collect()
    }

    fn check_f64(xs: &[f64], ys: &[f64]) {
        let expected = counted_sum(xs, ys);
        for isa in available() {
            assert_eq!(
                block_sum_f64(isa, xs, ys),
                expected,
                "{isa:?} f64 {xs:?} {ys:?}"
            );
        }
    }

    fn check_f32(xs: &[f32], ys: &[f32]) {
        let expected = counted_sum(xs, ys);
        for isa in available() {
            assert_eq!(
                block_sum_f32(isa, xs, ys),
                expected,
                "{isa:?} f32 {xs:?} {ys:?}"
            );
        }
    }

    /// Squares of uniform values in [0, 100).
    fn random_squares(rng: &mut Rng, n: usize) -> Vec<f64> {
        (0..n).map(|_| (100.0 * rng.unit()).powi(2)).collect()
    }

    /// `value` and its neighbours up to `spread` ulps away.
    fn around_f64(value: f64, spread: i64) -> impl Iterator<Item = f64> {
        (-spread..=spread).map(move |d| f64::from_bits(value.to_bits().wrapping_add_signed(d)))
    }

    fn around_f32(value: f32, spread: i32) -> impl Iterator<Item = f32> {
        (-spread..=spread).map(move |d| f32::from_bits(value.to_bits().wrapping_add_signed(d)))
    }

    fn hostile_f64() -> Vec<f64> {
        let mut values = vec![
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            -1.0,
            -121.0,
            -1e300,
            f64::MAX,
            1e308,
            f64::MIN_POSITIVE,
            5e-324,
            100.0,
            121.0,
            144.0,
        ];
        // Roots exactly halfway between integers.
        for k in (0..300).chain([1 << 20, (1 << 26) - 1, 1 << 26, 3 << 24]) {
            let half = k as f64 + 0.5;
            values.extend(around_f64(half * half, 1));
        }
        // The rounding threshold of the counted values.
        values.extend(around_f64(110.25, 3));
        values.extend(around_f64(132.25, 3));
        // Roots near 2**52, 2**53, 2**62 and 2**63 (squares near 2**104, ... 2**126).
        for exponent in [52, 53, 62, 63, 64] {
            let square = 2f64.powi(2 * exponent);
            values.extend(around_f64(square, 4));
            let root = 2f64.powi(exponent);
            for d in [-1.5, -1.0, -0.5, 0.5, 1.0] {
                let r = root + d * root * f64::EPSILON;
                values.push(r * r);
            }
        }
        values
    }

    fn hostile_f32() -> Vec<f32> {
        let mut values = vec![
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            0.0,
            -0.0,
            -1.0,
            -121.0,
            -1e30,
            f32::MAX,
            3e38,
            f32::MIN_POSITIVE,
            1e-45,
            100.0,
            121.0,
            144.0,
        ];
        for k in (0..300).chain([1 << 10, (1 << 11) - 1, 1 << 11, 3 << 10]) {
            let half = k as f32 + 0.5;
            values.extend(around_f32(half * half, 1));
        }
        values.extend(around_f32(110.25, 3));
        values.extend(around_f32(132.25, 3));
        // Roots near 2**23, 2**24, 2**31, 2**62, 2**63 and 2**64.
        for exponent in [23, 24, 31, 62, 63, 64] {
            values.extend(around_f32(2f32.powi(2 * exponent), 4));
            let root = 2f32.powi(exponent);
            for d in [-1.5, -1.0, -0.5, 0.5, 1.0] {
                let r = root + d * root * f32::EPSILON;
                values.push(r * r);
            }
        }
        values
    }

    #[test]
    fn names_round_trip_and_best_is_available() {
        for isa in Isa::ALL {
            assert_eq!(Isa::from_name(isa.name()), Some(isa));
        }
        assert_eq!(Isa::from_name("sse"), None);
        assert!(best_isa().is_available());
        assert!(Isa::Scalar.is_available());
    }

    #[test]
    fn talks_example_gives_1916() {
        let a: Vec<f64> = (0..5).map(|v: i32| f64::from(v * v)).collect();
        let b: Vec<f64> = (0..30).map(|v: i32| f64::from(v * v)).collect();
        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
        for isa in Isa::ALL {
            assert_eq!(block_sum_f64(isa, &a, &b), 1916);
            assert_eq!(block_sum_f32(isa, &a32, &b32), 1916);
        }
    }

    #[test]
    fn random_data_matches_scalar() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for (n, m) in [(1, 1000), (37, 333), (100, 257), (8, 16), (9, 17)] {
            let xs = random_squares(&mut rng, n);
            let ys = random_squares(&mut rng, m);
            check_f64(&xs, &ys);
            let xs32: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
            let ys32: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
            check_f32(&xs32, &ys32);
        }
    }

    #[test]
    fn every_length_up_to_70_matches_scalar() {
        let mut rng = Rng(42);
        let (pool, pool32) = (hostile_f64(), hostile_f32());
        for n in 0..=70 {
            for m in 0..=70 {
                // Mostly ordinary values, with some hostile ones mixed in.
                let mut pick = |_| {
                    if rng.below(4) == 0 {
                        (pool[rng.below(pool.len())], pool32[rng.below(pool32.len())])
                    } else {
                        let v = (150.0 * rng.unit()).powi(2);
                        (v, v as f32)
                    }
                };
                let (xs, xs32): (Vec<f64>, Vec<f32>) = (0..n).map(&mut pick).unzip();
                let (ys, ys32): (Vec<f64>, Vec<f32>) = (0..m).map(&mut pick).unzip();
                check_f64(&xs, &ys);
                check_f32(&xs32, &ys32);
            }
        }
    }

    #[test]
    fn all_hostile_pairs_match_scalar() {
        let pool = hostile_f64();
        check_f64(&pool, &pool);
        let pool32 = hostile_f32();
        check_f32(&pool32, &pool32);
        // Hostile values as xs against plain small ys and vice versa.
        let small: Vec<f64> = (0..40).map(|v: i32| f64::from(v * v)).collect();
        let small32: Vec<f32> = small.iter().map(|&v| v as f32).collect();
        check_f64(&pool, &small);
        check_f64(&small, &pool);
        check_f32(&pool32, &small32);
        check_f32(&small32, &pool32);
        // Every hostile value, alone, against zero.
        for &x in &pool {
            check_f64(&[x], &[0.0; 9]);
        }
        for &x in &pool32 {
            check_f32(&[x], &[0.0; 17]);
        }
    }

    #[test]
    fn ties_round_to_even_in_every_path() {
        // sqrt(110.25) = 10.5 rounds to 10 (not counted); 132.25 -> 11.5 -> 12.
        for isa in Isa::ALL {
            assert_eq!(block_sum_f64(isa, &[110.25], &[0.0; 13]), 0);
            assert_eq!(block_sum_f64(isa, &[132.25], &[0.0; 13]), 12 * 13);
            assert_eq!(block_sum_f32(isa, &[110.25], &[0.0; 21]), 0);
            assert_eq!(block_sum_f32(isa, &[132.25], &[0.0; 21]), 12 * 21);
        }
    }

    #[test]
    fn sums_wrap_like_int64() {
        let mut rng = Rng(7);
        // Roots near 2**62: the sum wraps many times.
        let xs: Vec<f64> = (0..67)
            .map(|_| (2f64.powi(62) * (1.0 + rng.unit())).powi(2))
            .collect();
        let ys: Vec<f64> = (0..53).map(|_| 1e30 * rng.unit()).collect();
        let exact: i128 = xs
            .iter()
            .flat_map(|&x| ys.iter().map(move |&y| i128::from(f64::rounded_root(x, y))))
            .sum();
        let expected = counted_sum(&xs, &ys);
        assert_ne!(i128::from(expected), exact, "the test sum must wrap");
        check_f64(&xs, &ys);
        check_f64(&ys, &xs);
        let xs32: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
        let ys32: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
        check_f32(&xs32, &ys32);
        check_f32(&ys32, &xs32);
        // Roots exactly 2**62: two give i64::MIN, four give 0.
        let square = 2f64.powi(124);
        for isa in Isa::ALL {
            assert_eq!(block_sum_f64(isa, &[square; 2], &[0.0]), i64::MIN);
            assert_eq!(block_sum_f64(isa, &[square; 4], &[0.0]), 0);
            assert_eq!(block_sum_f32(isa, &[square as f32; 2], &[0.0]), i64::MIN);
        }
    }

    /// `cargo test --release -- --ignored --nocapture bench`
    #[test]
    #[ignore = "benchmark"]
    fn bench_pairs_per_second() {
        use std::time::Instant;
        let mut rng = Rng(1);
        let xs = random_squares(&mut rng, 10_000);
        let ys = random_squares(&mut rng, 20_000);
        let xs32: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
        let ys32: Vec<f32> = ys.iter().map(|&v| v as f32).collect();
        let pairs = (xs.len() * ys.len()) as f64;
        for isa in available() {
            let start = Instant::now();
            let total = block_sum_f64(isa, &xs, &ys);
            let f64_rate = pairs / start.elapsed().as_secs_f64() / 1e9;
            let start = Instant::now();
            let total32 = block_sum_f32(isa, &xs32, &ys32);
            let f32_rate = pairs / start.elapsed().as_secs_f64() / 1e9;
            println!(
                "{:>6}: f64 {f64_rate:.2} G pairs/s ({total}), f32 {f32_rate:.2} G pairs/s ({total32})",
                isa.name()
            );
        }
    }
}
