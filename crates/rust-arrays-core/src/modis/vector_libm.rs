//! glibc's own vector `acos`/`asin` (libmvec, glibc >= 2.35: `_ZGVeN8v_acos` for AVX-512,
//! `_ZGVdN4v_acos` for AVX2, ...), found with `dlopen` at run time so the library still loads
//! where they are missing (older glibc, musl, other systems): the scalar calls serve there.
//!
//! They are ~10x faster than the scalar calls but may differ from them by a few ulp, so a vector
//! result never decides an output on its own: `fine_rows` keeps it only where every angle within
//! [`margin`] of it gives the same float32 output, and calls the scalar function otherwise.

/// Relative distance between a vector result and the scalar one that the callers tolerate:
/// 2^-36, i.e. 65536 ulp of a double, where glibc aims at 4 ulp for its vector functions and
/// [`self_check`] refuses anything beyond 1/64 of it.
pub(super) const RELATIVE_MARGIN: f64 = 1.0 / (1u64 << 36) as f64;
/// Absolute part of the margin (2^-1000), for results near zero.
pub(super) const ABSOLUTE_MARGIN: f64 = f64::from_bits((1023 - 1000) << 52);

/// The half-width of the interval around a vector result `angle` that must hold the scalar one.
#[inline(always)]
pub(super) fn margin(angle: f64) -> f64 {
    angle.abs() * RELATIVE_MARGIN + ABSOLUTE_MARGIN
}

pub use imp::status;
pub(super) use imp::{angles, available};

/// Whether float32 outputs computed with an instruction set use glibc's vector functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorLibm {
    /// Yes (with the scalar calls wherever a vector result cannot decide the output).
    Used,
    /// Not with the scalar instruction set (the reference build).
    ScalarIsa,
    /// No vector functions for this instruction set here (no libmvec >= glibc 2.35, or another
    /// platform): only scalar calls.
    NotFound,
    /// Found but refused: their results strayed beyond the self-check's bound.
    FailedSelfCheck,
}

impl VectorLibm {
    pub fn describe(self) -> &'static str {
        match self {
            VectorLibm::Used => "glibc vector acos/asin (libmvec), checked, scalar where unsure",
            VectorLibm::ScalarIsa => "glibc scalar acos/asin (scalar instruction set)",
            VectorLibm::NotFound => "glibc scalar acos/asin (no vector functions found)",
            VectorLibm::FailedSelfCheck => {
                "glibc scalar acos/asin (vector functions failed the self-check)"
            }
        }
    }
}

/// Arguments checked against the scalar functions before the vector ones are trusted: the
/// domain's ends, zeros, tiny values, the polynomial/`sqrt` switch points of common designs,
/// and a sweep of [-1, 1] (never outside: the callers do not use vector results there).
fn self_check_arguments() -> Vec<f64> {
    let mut arguments = vec![-1.0, 1.0, 0.0, -0.0, 1e-300, -1e-300, 1e-9, 0.5, -0.5];
    arguments.extend([0.125, 0.25, 0.4375, 0.5625, 0.75, 0.875, 0.96875, 0.9999999]);
    arguments.extend((0..256).map(|k| (f64::from(k) + 0.5) / 128.0 - 1.0));
    let mirrored: Vec<f64> = arguments.iter().map(|&x| -x).collect();
    arguments.extend(mirrored);
    let lanes = 8;
    arguments.resize(arguments.len().next_multiple_of(lanes), 0.5);
    arguments
}

/// Whether `vector` (the vector function's results on `arguments`) is within 1/64 of the
/// margin of the scalar function everywhere: a loader or ABI mistake, or a libmvec far less
/// accurate than glibc intends, turns the vector path off instead of risking an output.
fn self_check(arguments: &[f64], vector: &[f64], scalar: fn(f64) -> f64) -> bool {
    arguments.iter().zip(vector).all(|(&x, &v)| {
        let s = scalar(x);
        (v - s).abs() <= margin(s) / 64.0
    })
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[allow(unsafe_code)]
mod imp {
    use std::arch::x86_64::{
        __m256d, __m512d, _mm256_loadu_pd, _mm256_storeu_pd, _mm512_loadu_pd, _mm512_storeu_pd,
    };
    use std::ffi::{c_void, CStr};
    use std::sync::OnceLock;

    use super::VectorLibm;
    use crate::simd_row_sum::Isa;

    // The x86-64 vector function ABI passes these vectors in zmm0/ymm0, which is how Rust's
    // "C" ABI passes them when the caller has the target feature: every call below sits in a
    // function with that feature.
    #[allow(improper_ctypes_definitions)]
    type Wide8 = unsafe extern "C" fn(__m512d) -> __m512d;
    #[allow(improper_ctypes_definitions)]
    type Wide4 = unsafe extern "C" fn(__m256d) -> __m256d;

    #[derive(Clone, Copy)]
    struct Pair<F> {
        acos: F,
        asin: F,
    }

    struct Loaded {
        avx512: Result<Pair<Wide8>, VectorLibm>,
        avx2: Result<Pair<Wide4>, VectorLibm>,
    }

    impl Default for Loaded {
        fn default() -> Self {
            Self {
                avx512: Err(VectorLibm::NotFound),
                avx2: Err(VectorLibm::NotFound),
            }
        }
    }

    static LOADED: OnceLock<Loaded> = OnceLock::new();

    fn loaded() -> &'static Loaded {
        LOADED.get_or_init(load)
    }

    fn load() -> Loaded {
        // SAFETY: a NUL-terminated name; the handle is never closed, so the symbols stay valid
        // for the life of the process.
        let handle =
            unsafe { libc::dlopen(c"libmvec.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            return Loaded::default();
        }
        let symbol = |name: &CStr| -> Option<*mut c_void> {
            // SAFETY: a valid handle and a NUL-terminated name.
            let address = unsafe { libc::dlsym(handle, name.as_ptr()) };
            (!address.is_null()).then_some(address)
        };
        let mut loaded = Loaded::default();
        if Isa::Avx512.is_available() {
            if let (Some(acos), Some(asin)) = (symbol(c"_ZGVeN8v_acos"), symbol(c"_ZGVeN8v_asin")) {
                // SAFETY: glibc declares both as `__m512d f(__m512d)` (the 'e' = AVX-512 variant).
                let pair: Pair<Wide8> = unsafe {
                    Pair {
                        acos: std::mem::transmute::<*mut c_void, Wide8>(acos),
                        asin: std::mem::transmute::<*mut c_void, Wide8>(asin),
                    }
                };
                // SAFETY: AVX-512 is available (checked above).
                loaded.avx512 = unsafe { checked_avx512(pair) };
            }
        }
        if Isa::Avx2.is_available() {
            if let (Some(acos), Some(asin)) = (symbol(c"_ZGVdN4v_acos"), symbol(c"_ZGVdN4v_asin")) {
                // SAFETY: glibc declares both as `__m256d f(__m256d)` (the 'd' = AVX2 variant).
                let pair: Pair<Wide4> = unsafe {
                    Pair {
                        acos: std::mem::transmute::<*mut c_void, Wide4>(acos),
                        asin: std::mem::transmute::<*mut c_void, Wide4>(asin),
                    }
                };
                // SAFETY: AVX2 is available (checked above).
                loaded.avx2 = unsafe { checked_avx2(pair) };
            }
        }
        loaded
    }

    #[target_feature(enable = "avx512f")]
    fn checked_avx512(pair: Pair<Wide8>) -> Result<Pair<Wide8>, VectorLibm> {
        let arguments = super::self_check_arguments();
        let mut acos = vec![0.0; arguments.len()];
        let mut asin = vec![0.0; arguments.len()];
        let no_low = vec![false; arguments.len()];
        let all_low = vec![true; arguments.len()];
        avx512(
            &pair,
            &arguments,
            &arguments,
            &all_low,
            &mut vec![0.0; acos.len()],
            &mut acos,
        );
        avx512(
            &pair,
            &arguments,
            &arguments,
            &no_low,
            &mut vec![0.0; asin.len()],
            &mut asin,
        );
        (super::self_check(&arguments, &acos, f64::acos)
            && super::self_check(&arguments, &asin, f64::asin))
        .then_some(pair)
        .ok_or(VectorLibm::FailedSelfCheck)
    }

    #[target_feature(enable = "avx2")]
    fn checked_avx2(pair: Pair<Wide4>) -> Result<Pair<Wide4>, VectorLibm> {
        let arguments = super::self_check_arguments();
        let mut acos = vec![0.0; arguments.len()];
        let mut asin = vec![0.0; arguments.len()];
        let no_low = vec![false; arguments.len()];
        let all_low = vec![true; arguments.len()];
        avx2(
            &pair,
            &arguments,
            &arguments,
            &all_low,
            &mut vec![0.0; acos.len()],
            &mut acos,
        );
        avx2(
            &pair,
            &arguments,
            &arguments,
            &no_low,
            &mut vec![0.0; asin.len()],
            &mut asin,
        );
        (super::self_check(&arguments, &acos, f64::acos)
            && super::self_check(&arguments, &asin, f64::asin))
        .then_some(pair)
        .ok_or(VectorLibm::FailedSelfCheck)
    }

    /// Whether float32 outputs computed with `isa` use the vector functions, and if not why.
    pub fn status(isa: Isa) -> VectorLibm {
        let status = |result: Result<(), VectorLibm>| result.err().unwrap_or(VectorLibm::Used);
        match isa {
            Isa::Avx512 => status(loaded().avx512.map(drop)),
            Isa::Avx2 => status(loaded().avx2.map(drop)),
            Isa::Scalar => VectorLibm::ScalarIsa,
        }
    }

    /// Whether the vector functions serve `isa` (an instruction set this CPU has).
    pub(in crate::modis) fn available(isa: Isa) -> bool {
        status(isa) == VectorLibm::Used
    }

    /// `lon_angles = acos(lon_arguments)`, `lat_angles = acos or asin(lat_arguments)` as `low`
    /// says, with the vector functions of `isa`. Lengths: equal and a multiple of 8.
    ///
    /// # Panics
    /// If [`available`] is false for `isa`.
    pub(in crate::modis) fn angles(
        isa: Isa,
        lon_arguments: &[f64],
        lat_arguments: &[f64],
        low: &[bool],
        lon_angles: &mut [f64],
        lat_angles: &mut [f64],
    ) {
        let loaded = loaded();
        match isa {
            Isa::Avx512 => {
                let pair = loaded.avx512.as_ref().expect("libmvec AVX-512 functions");
                let (a, b, l) = (lon_arguments, lat_arguments, low);
                // SAFETY: loaded only after the CPU reported AVX-512.
                unsafe { avx512(pair, a, b, l, lon_angles, lat_angles) }
            }
            Isa::Avx2 => {
                let pair = loaded.avx2.as_ref().expect("libmvec AVX2 functions");
                let (a, b, l) = (lon_arguments, lat_arguments, low);
                // SAFETY: loaded only after the CPU reported AVX2.
                unsafe { avx2(pair, a, b, l, lon_angles, lat_angles) }
            }
            Isa::Scalar => panic!("no vector libm for the scalar instruction set"),
        }
    }

    /// One body for both widths: `$load`/`$store` move `$lanes` doubles, `$pair` holds the calls.
    macro_rules! vector_angles {
        ($name:ident, $feature:literal, $pair:ty, $lanes:literal, $load:ident, $store:ident) => {
            #[target_feature(enable = $feature)]
            fn $name(
                pair: &$pair,
                lon_arguments: &[f64],
                lat_arguments: &[f64],
                low: &[bool],
                lon_angles: &mut [f64],
                lat_angles: &mut [f64],
            ) {
                let n = lon_arguments.len();
                assert!(n % $lanes == 0 && [lat_arguments.len(), low.len()] == [n, n]);
                assert!(lon_angles.len() == n && lat_angles.len() == n);
                let groups = lon_arguments
                    .chunks_exact($lanes)
                    .zip(lat_arguments.chunks_exact($lanes))
                    .zip(low.chunks_exact($lanes))
                    .zip(lon_angles.chunks_exact_mut($lanes))
                    .zip(lat_angles.chunks_exact_mut($lanes));
                for ((((lon_in, lat_in), low), lon_out), lat_out) in groups {
                    // SAFETY: every slice holds exactly `$lanes` doubles; the calls follow the
                    // vector ABI of glibc's declarations (see `Wide8`/`Wide4`).
                    unsafe {
                        $store(lon_out.as_mut_ptr(), (pair.acos)($load(lon_in.as_ptr())));
                        let lat = $load(lat_in.as_ptr());
                        match low.iter().filter(|&&is_low| is_low).count() {
                            $lanes => $store(lat_out.as_mut_ptr(), (pair.acos)(lat)),
                            0 => $store(lat_out.as_mut_ptr(), (pair.asin)(lat)),
                            _ => {
                                let mut acos = [0.0; $lanes];
                                $store(acos.as_mut_ptr(), (pair.acos)(lat));
                                $store(lat_out.as_mut_ptr(), (pair.asin)(lat));
                                for ((out, acos), &is_low) in lat_out.iter_mut().zip(acos).zip(low)
                                {
                                    if is_low {
                                        *out = acos;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
    }

    vector_angles!(
        avx512,
        "avx512f",
        Pair<Wide8>,
        8,
        _mm512_loadu_pd,
        _mm512_storeu_pd
    );
    vector_angles!(
        avx2,
        "avx2",
        Pair<Wide4>,
        4,
        _mm256_loadu_pd,
        _mm256_storeu_pd
    );
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
mod imp {
    use super::VectorLibm;
    use crate::simd_row_sum::Isa;

    pub fn status(isa: Isa) -> VectorLibm {
        match isa {
            Isa::Scalar => VectorLibm::ScalarIsa,
            _ => VectorLibm::NotFound,
        }
    }

    pub(in crate::modis) fn available(_isa: Isa) -> bool {
        false
    }

    pub(in crate::modis) fn angles(
        _isa: Isa,
        _lon_arguments: &[f64],
        _lat_arguments: &[f64],
        _low: &[bool],
        _lon_angles: &mut [f64],
        _lat_angles: &mut [f64],
    ) {
        panic!("no vector libm on this platform")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::xorshift;
    use super::*;
    use crate::simd_row_sum::Isa;

    /// Where libmvec exists (glibc >= 2.35 on x86-64) its functions must pass the self-check, and
    /// on many more arguments than the self-check's they stay 64x inside the margin (the largest
    /// distance in ulp is printed: a few, where glibc aims at 4).
    #[test]
    fn vector_functions_stay_far_inside_the_margin() {
        let mut next = xorshift(2024);
        let mut arguments = Vec::new();
        for k in 0..1 << 20 {
            let unit = (next() >> 11) as f64 / (1u64 << 53) as f64;
            arguments.push(match k % 4 {
                0 => 2.0 * unit - 1.0,
                1 => 1.0 - unit * 1e-6,
                2 => (unit - 0.5) * 1e-6,
                _ => -(1.0 - unit * 1e-12),
            });
        }
        for isa in [Isa::Avx2, Isa::Avx512] {
            let status = status(isa);
            eprintln!("{isa:?}: {status:?}");
            assert_ne!(status, VectorLibm::FailedSelfCheck, "{isa:?}");
            if status != VectorLibm::Used {
                continue;
            }
            for low in [true, false] {
                let scalar = if low { f64::acos } else { f64::asin };
                let mut angles = vec![0.0; arguments.len()];
                let flags = vec![low; arguments.len()];
                let mut unused = vec![0.0; arguments.len()];
                angles_of(isa, &arguments, &flags, &mut unused, &mut angles);
                let mut worst_ulp = 0;
                for (&x, &v) in arguments.iter().zip(&angles) {
                    let s = scalar(x);
                    assert!((v - s).abs() <= margin(s) / 64.0, "{isa:?} low={low} {x:e}");
                    worst_ulp = worst_ulp.max((v.to_bits() as i64 - s.to_bits() as i64).abs());
                }
                eprintln!("{isa:?} acos={low}: at most {worst_ulp} ulp from the scalar function");
            }
        }
    }

    fn angles_of(isa: Isa, x: &[f64], low: &[bool], lon: &mut [f64], lat: &mut [f64]) {
        angles(isa, x, x, low, lon, lat);
    }
}
