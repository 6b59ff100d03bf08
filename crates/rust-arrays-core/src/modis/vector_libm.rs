//! glibc's own vector `acos`, `asin`, `sin` and `cos` (libmvec, glibc >= 2.35: `_ZGVeN8v_acos`
//! for AVX-512, `_ZGVdN4v_acos` for AVX2, ...), found with `dlopen` at run time so the library
//! still loads where they are missing (older glibc, musl, other systems): the scalar calls serve
//! there.
//!
//! They are ~10x faster than the scalar calls but may differ from them by a few ulp, so a vector
//! result never decides an output on its own: `fine_rows` and `tie_points` keep it only where
//! every value within [`margin`] of it gives the same float32 output, and call the scalar
//! function otherwise.

/// Relative distance between a vector result and the scalar one that the callers tolerate:
/// 2^-36, i.e. 65536 ulp of a double, where glibc aims at 4 ulp for its vector functions and
/// the self-check refuses anything beyond 1/64 of it.
pub(super) const RELATIVE_MARGIN: f64 = 1.0 / (1u64 << 36) as f64;
/// Absolute part of the margin (2^-1000), for results near zero.
pub(super) const ABSOLUTE_MARGIN: f64 = f64::from_bits((1023 - 1000) << 52);

/// The half-width of the interval around a vector result `angle` that must hold the scalar one.
#[inline(always)]
pub(super) fn margin(angle: f64) -> f64 {
    angle.abs() * RELATIVE_MARGIN + ABSOLUTE_MARGIN
}

pub use imp::status;
pub(super) use imp::{angles, available, sin_cos};

/// Arguments (radians) beyond which callers do not use vector `sin`/`cos` results: the range
/// the self-check covers, far beyond the +-pi of longitudes and latitudes.
pub(super) const TRIG_DOMAIN: f64 = 16.0;

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
    /// Turned off by `RUST_ARRAYS_LIBMVEC=0` (read once, at the first use).
    Disabled,
}

/// The environment variable that turns the vector functions off when set to `0` (for example to
/// test or time the scalar calls with the vector arithmetic, as on systems without libmvec).
pub const VARIABLE: &str = "RUST_ARRAYS_LIBMVEC";

fn disabled_by_environment() -> bool {
    std::env::var_os(VARIABLE).is_some_and(|value| value == "0")
}

impl VectorLibm {
    pub fn describe(self) -> &'static str {
        match self {
            VectorLibm::Used => {
                "glibc vector acos/asin/sin/cos (libmvec), checked, scalar where unsure"
            }
            VectorLibm::ScalarIsa => "glibc scalar libm calls (scalar instruction set)",
            VectorLibm::NotFound => "glibc scalar libm calls (no vector functions found)",
            VectorLibm::FailedSelfCheck => {
                "glibc scalar libm calls (vector functions failed the self-check)"
            }
            VectorLibm::Disabled => "glibc scalar libm calls (RUST_ARRAYS_LIBMVEC=0)",
        }
    }
}

/// Arguments checked against the scalar `acos`/`asin` before the vector ones are trusted: the
/// domain's ends, zeros, tiny values, the polynomial/`sqrt` switch points of common designs,
/// and a sweep of [-1, 1] (never outside: the callers do not use vector results there).
fn self_check_arguments() -> Vec<f64> {
    let mut arguments = vec![-1.0, 1.0, 0.0, -0.0, 1e-300, -1e-300, 1e-9, 0.5, -0.5];
    arguments.extend([0.125, 0.25, 0.4375, 0.5625, 0.75, 0.875, 0.96875, 0.9999999]);
    arguments.extend((0..256).map(|k| (f64::from(k) + 0.5) / 128.0 - 1.0));
    padded(mirrored(arguments))
}

/// Arguments checked against the scalar `sin`/`cos`: zeros, tiny values, next to every
/// multiple of pi/4 in [-`TRIG_DOMAIN`, `TRIG_DOMAIN`] (where results vanish or switch
/// formulas), and a sweep of the domain.
fn self_check_sin_cos_arguments() -> Vec<f64> {
    let mut arguments = vec![0.0, -0.0, 1e-300, 1e-9, TRIG_DOMAIN];
    for k in 0..=20 {
        let quarter = f64::from(k) * std::f64::consts::FRAC_PI_4;
        arguments.extend([quarter, quarter * (1.0 + 1e-12), quarter * (1.0 - 1e-12)]);
    }
    arguments.extend((0..512).map(|k| (f64::from(k) + 0.5) / 512.0 * TRIG_DOMAIN));
    padded(mirrored(arguments))
}

fn mirrored(mut arguments: Vec<f64>) -> Vec<f64> {
    let negated: Vec<f64> = arguments.iter().map(|&x| -x).collect();
    arguments.extend(negated);
    arguments
}

/// Whole vectors of the widest width (8 doubles).
fn padded(mut arguments: Vec<f64>) -> Vec<f64> {
    arguments.resize(arguments.len().next_multiple_of(8), 0.5);
    arguments
}

/// Whether `vector` (the vector function's results on `arguments`) is within 1/64 of the
/// margin of the scalar function everywhere: a loader or ABI mistake, or a libmvec far less
/// accurate than glibc intends, turns the vector path off instead of risking an output.
fn within_self_check_bound(arguments: &[f64], vector: &[f64], scalar: fn(f64) -> f64) -> bool {
    arguments.iter().zip(vector).all(|(&x, &v)| {
        let s = scalar(x);
        (v - s).abs() <= margin(s) / 64.0
    })
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[allow(unsafe_code)]
mod imp {
    use std::ffi::{c_void, CStr};
    use std::sync::OnceLock;

    use super::VectorLibm;
    use crate::simd_row_sum::Isa;

    /// glibc's vector functions of one width, as `__m512d f(__m512d)` or `__m256d f(__m256d)`.
    #[derive(Clone, Copy)]
    struct Functions<F> {
        acos: F,
        asin: F,
        sin: F,
        cos: F,
    }

    struct Loaded {
        avx512: Result<Functions<avx512::Wide>, VectorLibm>,
        avx2: Result<Functions<avx2::Wide>, VectorLibm>,
    }

    static LOADED: OnceLock<Loaded> = OnceLock::new();

    fn loaded() -> &'static Loaded {
        LOADED.get_or_init(load)
    }

    fn load() -> Loaded {
        let without = |why| Loaded {
            avx512: Err(why),
            avx2: Err(why),
        };
        if super::disabled_by_environment() {
            return without(VectorLibm::Disabled);
        }
        // SAFETY: a NUL-terminated name; the handle is never closed, so the symbols stay valid
        // for the life of the process.
        let handle =
            unsafe { libc::dlopen(c"libmvec.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            return without(VectorLibm::NotFound);
        }
        let symbols = |names: [&CStr; 4]| -> Option<[*mut c_void; 4]> {
            let mut found = [std::ptr::null_mut(); 4];
            for (address, name) in found.iter_mut().zip(names) {
                // SAFETY: a valid handle and a NUL-terminated name.
                *address = unsafe { libc::dlsym(handle, name.as_ptr()) };
            }
            (!found.contains(&std::ptr::null_mut())).then_some(found)
        };
        Loaded {
            avx512: avx512::load(&symbols),
            avx2: avx2::load(&symbols),
        }
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

    fn unavailable(isa: Isa) -> ! {
        panic!("no vector libm for {isa:?}")
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
        let (a, b, l) = (lon_arguments, lat_arguments, low);
        match (isa, loaded()) {
            // SAFETY: loaded only after the CPU reported AVX-512.
            (Isa::Avx512, Loaded { avx512: Ok(f), .. }) => unsafe {
                avx512::angles(f, a, b, l, lon_angles, lat_angles)
            },
            // SAFETY: loaded only after the CPU reported AVX2.
            (Isa::Avx2, Loaded { avx2: Ok(f), .. }) => unsafe {
                avx2::angles(f, a, b, l, lon_angles, lat_angles)
            },
            _ => unavailable(isa),
        }
    }

    /// `sin = sin(arguments)`, `cos = cos(arguments)` with the vector functions of `isa`.
    /// Lengths: equal and a multiple of 8.
    ///
    /// # Panics
    /// If [`available`] is false for `isa`.
    pub(in crate::modis) fn sin_cos(isa: Isa, arguments: &[f64], sin: &mut [f64], cos: &mut [f64]) {
        match (isa, loaded()) {
            // SAFETY: loaded only after the CPU reported AVX-512.
            (Isa::Avx512, Loaded { avx512: Ok(f), .. }) => unsafe {
                avx512::sin_cos(f, arguments, sin, cos)
            },
            // SAFETY: loaded only after the CPU reported AVX2.
            (Isa::Avx2, Loaded { avx2: Ok(f), .. }) => unsafe {
                avx2::sin_cos(f, arguments, sin, cos)
            },
            _ => unavailable(isa),
        }
    }

    /// The calls of one vector width: `$lanes` doubles per `$vector`, moved by `$load`/`$store`
    /// and compiled with `$feature` (instruction set `$isa`), which every caller must have
    /// checked; glibc's names for them start with `$prefix`.
    macro_rules! width {
        (
            $width:ident, $isa:expr, $feature:literal, $prefix:literal,
            $vector:ident, $lanes:literal, $load:ident, $store:ident
        ) => {
            mod $width {
                use std::arch::x86_64::{$load, $store, $vector};
                use std::ffi::{c_void, CStr};

                use super::super::{self_check_arguments, self_check_sin_cos_arguments};
                use super::super::{within_self_check_bound, VectorLibm};
                use super::Functions;
                use crate::simd_row_sum::Isa;

                // The x86-64 vector function ABI passes the vector in zmm0/ymm0, which is how
                // Rust's "C" ABI passes it when the caller has the target feature: every call
                // below sits in a function with that feature.
                #[allow(improper_ctypes_definitions)]
                pub(super) type Wide = unsafe extern "C" fn($vector) -> $vector;

                /// The functions of this width found by `symbols`, if this CPU has `$isa` and
                /// they pass the self-check.
                pub(super) fn load(
                    symbols: &dyn Fn([&CStr; 4]) -> Option<[*mut c_void; 4]>,
                ) -> Result<Functions<Wide>, VectorLibm> {
                    let names = [
                        concat!($prefix, "acos\0"),
                        concat!($prefix, "asin\0"),
                        concat!($prefix, "sin\0"),
                        concat!($prefix, "cos\0"),
                    ];
                    let names = names.map(|name| {
                        CStr::from_bytes_with_nul(name.as_bytes()).expect("NUL-terminated")
                    });
                    if !$isa.is_available() {
                        return Err(VectorLibm::NotFound);
                    }
                    let [acos, asin, sin, cos] = symbols(names).ok_or(VectorLibm::NotFound)?;
                    // SAFETY: glibc declares each of these as `$vector f($vector)`.
                    let cast =
                        |address| unsafe { std::mem::transmute::<*mut c_void, Wide>(address) };
                    let functions = Functions {
                        acos: cast(acos),
                        asin: cast(asin),
                        sin: cast(sin),
                        cos: cast(cos),
                    };
                    // SAFETY: this CPU has `$isa` (checked above).
                    unsafe { self_check(&functions) }.map(|()| functions)
                }

                /// `out = f(arguments)`, `$lanes` at a time.
                #[target_feature(enable = $feature)]
                fn map(f: Wide, arguments: &[f64], out: &mut [f64]) {
                    assert!(arguments.len() % $lanes == 0 && out.len() == arguments.len());
                    let groups = arguments
                        .chunks_exact($lanes)
                        .zip(out.chunks_exact_mut($lanes));
                    for (group, out) in groups {
                        // SAFETY: both slices hold exactly `$lanes` doubles; `f` follows the
                        // vector ABI (see `Wide`).
                        unsafe { $store(out.as_mut_ptr(), f($load(group.as_ptr()))) };
                    }
                }

                #[target_feature(enable = $feature)]
                pub(super) fn angles(
                    f: &Functions<Wide>,
                    lon_arguments: &[f64],
                    lat_arguments: &[f64],
                    low: &[bool],
                    lon_angles: &mut [f64],
                    lat_angles: &mut [f64],
                ) {
                    let n = lon_arguments.len();
                    assert!([lat_arguments.len(), low.len(), lat_angles.len()] == [n, n, n]);
                    map(f.acos, lon_arguments, lon_angles);
                    let groups = lat_arguments
                        .chunks_exact($lanes)
                        .zip(low.chunks_exact($lanes))
                        .zip(lat_angles.chunks_exact_mut($lanes));
                    for ((arguments, low), out) in groups {
                        match low.iter().filter(|&&is_low| is_low).count() {
                            $lanes => map(f.acos, arguments, out),
                            0 => map(f.asin, arguments, out),
                            _ => {
                                let mut acos = [0.0; $lanes];
                                map(f.acos, arguments, &mut acos);
                                map(f.asin, arguments, out);
                                for ((out, acos), &is_low) in out.iter_mut().zip(acos).zip(low) {
                                    if is_low {
                                        *out = acos;
                                    }
                                }
                            }
                        }
                    }
                }

                #[target_feature(enable = $feature)]
                pub(super) fn sin_cos(
                    f: &Functions<Wide>,
                    arguments: &[f64],
                    sin: &mut [f64],
                    cos: &mut [f64],
                ) {
                    map(f.sin, arguments, sin);
                    map(f.cos, arguments, cos);
                }

                #[target_feature(enable = $feature)]
                pub(super) fn self_check(f: &Functions<Wide>) -> Result<(), VectorLibm> {
                    let checks: [(Wide, fn(f64) -> f64, Vec<f64>); 4] = [
                        (f.acos, f64::acos, self_check_arguments()),
                        (f.asin, f64::asin, self_check_arguments()),
                        (f.sin, f64::sin, self_check_sin_cos_arguments()),
                        (f.cos, f64::cos, self_check_sin_cos_arguments()),
                    ];
                    for (vector, scalar, arguments) in checks {
                        let mut out = vec![0.0; arguments.len()];
                        map(vector, &arguments, &mut out);
                        if !within_self_check_bound(&arguments, &out, scalar) {
                            return Err(VectorLibm::FailedSelfCheck);
                        }
                    }
                    Ok(())
                }
            }
        };
    }

    // 'e' = glibc's AVX-512 variants (8 doubles), 'd' = its AVX2 ones (4 doubles).
    width!(
        avx512,
        Isa::Avx512,
        "avx512f",
        "_ZGVeN8v_",
        __m512d,
        8,
        _mm512_loadu_pd,
        _mm512_storeu_pd
    );
    width!(
        avx2,
        Isa::Avx2,
        "avx2",
        "_ZGVdN4v_",
        __m256d,
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
            _ if super::disabled_by_environment() => VectorLibm::Disabled,
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

    pub(in crate::modis) fn sin_cos(
        _isa: Isa,
        _arguments: &[f64],
        _sin: &mut [f64],
        _cos: &mut [f64],
    ) {
        panic!("no vector libm on this platform")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{unit, xorshift};
    use super::*;
    use crate::simd_row_sum::Isa;

    /// `count` arguments from `draw(k, unit)` with `unit` uniform in [0, 1).
    fn arguments(count: usize, draw: impl Fn(usize, f64) -> f64) -> Vec<f64> {
        let mut next = xorshift(2024);
        (0..count).map(|k| draw(k, unit(next()))).collect()
    }

    /// The largest distance of `vector` from `scalar` in ulp, after asserting that each is 64x
    /// inside the margin.
    fn worst_ulp(what: &str, x: &[f64], vector: &[f64], scalar: fn(f64) -> f64) -> i64 {
        let mut worst = 0;
        for (&x, &v) in x.iter().zip(vector) {
            let s = scalar(x);
            assert!(
                (v - s).abs() <= margin(s) / 64.0,
                "{what} {x:e}: {v:e} vs {s:e}"
            );
            worst = worst.max((v.to_bits() as i64 - s.to_bits() as i64).abs());
        }
        worst
    }

    /// Where libmvec exists (glibc >= 2.35 on x86-64) its functions must pass the self-check, and
    /// on many more arguments than the self-check's they stay 64x inside the margin (the largest
    /// distance in ulp is printed: a few, where glibc aims at 4).
    #[test]
    fn vector_functions_stay_far_inside_the_margin() {
        let inverse = arguments(1 << 20, |k, unit| match k % 4 {
            0 => 2.0 * unit - 1.0,
            1 => 1.0 - unit * 1e-6,
            2 => (unit - 0.5) * 1e-6,
            _ => -(1.0 - unit * 1e-12),
        });
        let quarter = std::f64::consts::FRAC_PI_4;
        let trig = arguments(1 << 20, |k, unit| match k % 3 {
            0 => (2.0 * unit - 1.0) * TRIG_DOMAIN,
            1 => (k % 41) as f64 * quarter * (1.0 + (unit - 0.5) * 1e-9) - 10.0 * quarter,
            _ => (unit - 0.5) * 1e-6,
        });
        for isa in [Isa::Avx2, Isa::Avx512] {
            let status = status(isa);
            eprintln!("{isa:?}: {status:?}");
            assert_ne!(status, VectorLibm::FailedSelfCheck, "{isa:?}");
            if status != VectorLibm::Used {
                continue;
            }
            let n = inverse.len();
            let (mut lon, mut lat) = (vec![0.0; n], vec![0.0; n]);
            let (mut sin, mut cos) = (vec![0.0; n], vec![0.0; n]);
            angles(isa, &inverse, &inverse, &vec![false; n], &mut lon, &mut lat);
            let results = [
                ("acos", &inverse, &lon, f64::acos as fn(f64) -> f64),
                ("asin", &inverse, &lat, f64::asin),
            ];
            for (name, x, vector, scalar) in results {
                let ulp = worst_ulp(&format!("{isa:?} {name}"), x, vector, scalar);
                eprintln!("{isa:?} {name}: at most {ulp} ulp from the scalar function");
            }
            sin_cos(isa, &trig, &mut sin, &mut cos);
            for (name, vector, scalar) in [
                ("sin", &sin, f64::sin as fn(f64) -> f64),
                ("cos", &cos, f64::cos),
            ] {
                let ulp = worst_ulp(&format!("{isa:?} {name}"), &trig, vector, scalar);
                eprintln!("{isa:?} {name}: at most {ulp} ulp from the scalar function");
            }
        }
    }
}
