//! The per-pixel work of one fine row, in passes over short column chunks so that the plain
//! IEEE arithmetic vectorises and the libm calls run back to back:
//!
//! 1. [`angle_arguments`] (vectorised): bilinear interpolation of the cartesian corners, then
//!    the arguments of the two inverse trigonometric calls of upstream's `xyz2lonlat`;
//! 2. the `acos`/`asin` calls: glibc's scalar functions ([`exact_angles`]), exactly the calls
//!    upstream makes, or for float32 output glibc's vector functions ([`vector_libm`]);
//! 3. [`degrees`] (vectorised): radians to degrees, signs, the store into the output type. After
//!    vector calls, [`checked_degrees`] also rounds the two ends of each angle's margin and marks
//!    the pixels where they differ; [`settle_unsure`] redoes those with the scalar calls.
//!
//! Splitting changes no value: every intermediate is the same IEEE operation on the same
//! operands in the same type as in a per-pixel loop (Rust never fuses or reassociates), and
//! `1 * v == v` bit for bit, which lets both latitude branches share one formula. A literal
//! per-pixel port checks this in the tests, for every instruction set.
//!
//! Why a vector result that passes the check gives the scalar call's output: the output is a
//! monotonic function of the angle (each IEEE operation rounds monotonically, and the signs are
//! fixed per pixel), so if both ends of an interval that holds the scalar angle give the same
//! bits, so does every angle between them. docs/modis.md has the details.

use super::vector_libm;
use super::{rad2deg, sign, GeoFloat, EARTH_RADIUS};

/// Fine columns per chunk: the intermediates of a chunk stay in the L1 cache.
pub(super) const CHUNK: usize = 256;

/// The coarse-cell values each fine column of one coarse cell row reads, gathered once per cell
/// row (it serves `factor` fine rows) so the passes read contiguous memory.
#[derive(Debug, Clone)]
pub(super) struct CellRow<T> {
    pub expansion: Vec<T>,
    pub alignment: Vec<T>,
    /// x, y, z of the upper-left, upper-right, lower-left and lower-right tie points.
    pub corners: [[Vec<T>; 3]; 4],
}

impl<T: GeoFloat> CellRow<T> {
    pub fn new(fine_cols: usize) -> Self {
        let column = || vec![T::narrow(0.0); fine_cols];
        Self {
            expansion: column(),
            alignment: column(),
            corners: std::array::from_fn(|_| std::array::from_fn(|_| column())),
        }
    }
}

/// The values of one fine row that are the same for every column (upstream's `a_track` terms).
#[derive(Debug, Clone, Copy)]
pub(super) struct Track<T> {
    /// `a_track` itself (a float upstream).
    pub fraction: T,
    /// `s_t * (1 - s_t)` in double.
    pub curvature: f64,
    /// `1 - a_track` in double.
    pub complement: f64,
}

/// Chunk-sized intermediates between the passes.
#[derive(Debug, Clone)]
pub(super) struct ChunkWork {
    /// `acos` argument of the longitude.
    lon_argument: Vec<f64>,
    /// `acos` (low latitudes) or `asin` argument of the latitude.
    lat_argument: Vec<f64>,
    /// Whether the latitude takes upstream's low-latitude (`acos`) branch.
    low: Vec<bool>,
    lon_angle: Vec<f64>,
    lat_angle: Vec<f64>,
    /// `sign(y)`.
    lon_sign: Vec<f64>,
    /// 1 on the low-latitude branch, `sign(z)` on the other.
    lat_factor: Vec<f64>,
    /// Pixels whose vector angles could not decide the output.
    unsure: Vec<bool>,
}

impl ChunkWork {
    pub fn new() -> Self {
        Self {
            lon_argument: vec![0.0; CHUNK],
            lat_argument: vec![0.0; CHUNK],
            low: vec![false; CHUNK],
            lon_angle: vec![0.0; CHUNK],
            lat_angle: vec![0.0; CHUNK],
            lon_sign: vec![0.0; CHUNK],
            lat_factor: vec![0.0; CHUNK],
            unsure: vec![false; CHUNK],
        }
    }
}

/// The inputs of one chunk of fine columns: per-column coordinates and the gathered cell row.
pub(super) struct ChunkInput<'a, T> {
    /// `s_s` widened to double.
    pub scan: &'a [f64],
    /// `s_s * (1 - s_s)` in double.
    pub scan_curvature: &'a [f64],
    pub expansion: &'a [T],
    pub alignment: &'a [T],
    pub corners: [[&'a [T]; 3]; 4],
}

/// Upstream's two linear interpolations along the scan, then one along the track, of one
/// cartesian coordinate (a closure here would not be inlined into the vector builds).
#[inline(always)]
fn bilinear<T: GeoFloat>(track: Track<T>, a_scan: T, complement: f64, corners: [T; 4]) -> f64 {
    let [upper_left, upper_right, lower_left, lower_right] = corners;
    let upper = T::narrow(complement * upper_left.wide() + (a_scan * upper_right).wide());
    let lower = T::narrow(complement * lower_left.wide() + (a_scan * lower_right).wide());
    T::narrow(track.complement * upper.wide() + (track.fraction * lower).wide()).wide()
}

/// Pass 1: upstream's interpolation of x, y, z at each fine pixel, then `xyz2lonlat` up to its
/// libm calls.
#[inline(always)]
fn angle_arguments<T: GeoFloat>(track: Track<T>, input: &ChunkInput<'_, T>, work: &mut ChunkWork) {
    let n = input.scan.len();
    let (scan, curvature) = (&input.scan[..n], &input.scan_curvature[..n]);
    let (expansion, alignment) = (&input.expansion[..n], &input.alignment[..n]);
    let [upper_left, upper_right, lower_left, lower_right] =
        input.corners.map(|xyz| xyz.map(|v| &v[..n]));
    let (lon, lat) = (&mut work.lon_argument[..n], &mut work.lat_argument[..n]);
    let low = &mut work.low[..n];
    let (lon_sign, lat_factor) = (&mut work.lon_sign[..n], &mut work.lat_factor[..n]);
    let threshold = low_latitude_threshold::<T>();
    for c in 0..n {
        let a_scan = T::narrow(
            (scan[c] + curvature[c] * expansion[c].wide()) + track.curvature * alignment[c].wide(),
        );
        let complement = 1.0 - a_scan.wide();
        let corners = |k: usize| {
            [
                upper_left[k][c],
                upper_right[k][c],
                lower_left[k][c],
                lower_right[k][c],
            ]
        };
        let x = bilinear(track, a_scan, complement, corners(0));
        let y = bilinear(track, a_scan, complement, corners(1));
        let z = bilinear(track, a_scan, complement, corners(2));
        let pixel = PixelArguments::of(x, y, z, threshold);
        (lon[c], lat[c], low[c]) = (pixel.lon, pixel.lat, pixel.low);
        (lon_sign[c], lat_factor[c]) = (pixel.lon_sign, pixel.lat_factor);
    }
}

/// Upstream's `xyz2lonlat` (`low_lat_z=True`) of one pixel up to its libm calls.
#[derive(Debug, Clone, Copy)]
pub(super) struct PixelArguments {
    /// `acos` argument of the longitude.
    pub lon: f64,
    /// `acos` (low latitudes) or `asin` argument of the latitude.
    pub lat: f64,
    /// Whether the latitude takes the low-latitude (`acos`) branch.
    pub low: bool,
    /// `sign(y)`.
    pub lon_sign: f64,
    /// 1 on the low-latitude branch, `sign(z)` on the other.
    pub lat_factor: f64,
}

impl PixelArguments {
    /// `threshold` is [`low_latitude_threshold`]; `x`, `y`, `z` are the widened coordinates.
    #[inline(always)]
    pub fn of(x: f64, y: f64, z: f64, threshold: f64) -> Self {
        let norm = (x * x + y * y).sqrt();
        let low = z < threshold && z > -threshold;
        Self {
            lon: x / norm,
            lat: if low { z } else { norm } / EARTH_RADIUS,
            low,
            lon_sign: sign(y),
            lat_factor: if low { 1.0 } else { sign(z) },
        }
    }
}

/// Upstream's `z < thr * R and z > (-1.0 * thr) * R` bound, with its default `thr = 0.8` of the
/// input's type (for float32 0.800000011920929).
#[inline(always)]
pub(super) fn low_latitude_threshold<T: GeoFloat>() -> f64 {
    T::narrow(0.8).wide() * EARTH_RADIUS
}

impl ChunkWork {
    /// Stores pixel `c`'s arguments for the passes after [`PixelArguments::of`].
    #[inline(always)]
    pub(super) fn set(&mut self, c: usize, pixel: PixelArguments) {
        self.lon_argument[c] = pixel.lon;
        self.lat_argument[c] = pixel.lat;
        self.low[c] = pixel.low;
        self.lon_sign[c] = pixel.lon_sign;
        self.lat_factor[c] = pixel.lat_factor;
    }
}

/// glibc's scalar `acos`/`asin` of one pixel: the calls upstream makes.
#[inline(always)]
fn exact_angles(lon_argument: f64, lat_argument: f64, low: bool) -> (f64, f64) {
    let lat = if low {
        lat_argument.acos()
    } else {
        lat_argument.asin()
    };
    (lon_argument.acos(), lat)
}

/// Pass 2 with the scalar calls (never vectorised: glibc's scalar functions are the reference).
#[inline(never)]
fn scalar_angles(work: &mut ChunkWork, n: usize) {
    let (lon_argument, lon_angle) = (&work.lon_argument[..n], &mut work.lon_angle[..n]);
    for (angle, &argument) in lon_angle.iter_mut().zip(lon_argument) {
        *angle = argument.acos();
    }
    let (lat_argument, low) = (&work.lat_argument[..n], &work.low[..n]);
    for ((angle, &argument), &low) in work.lat_angle[..n].iter_mut().zip(lat_argument).zip(low) {
        *angle = if low {
            argument.acos()
        } else {
            argument.asin()
        };
    }
}

/// `lon = deg(acos(..)) * sign(y)`, stored into the output type.
#[inline(always)]
fn lon_degrees<T: GeoFloat>(angle: f64, sign: f64) -> T {
    T::narrow(rad2deg(angle) * sign)
}

/// `lat = 90 - deg(acos(z / R))` or `sign(z) * (90 - deg(asin(..)))`, stored into the output
/// type.
#[inline(always)]
fn lat_degrees<T: GeoFloat>(angle: f64, factor: f64) -> T {
    T::narrow(factor * (90.0 - rad2deg(angle)))
}

/// Pass 3 after scalar calls.
#[inline(always)]
fn degrees<T: GeoFloat>(work: &ChunkWork, out_lon: &mut [T], out_lat: &mut [T]) {
    let n = out_lon.len();
    let (lon, lat) = (&work.lon_angle[..n], &work.lat_angle[..n]);
    let (lon_sign, lat_factor) = (&work.lon_sign[..n], &work.lat_factor[..n]);
    let out_lat = &mut out_lat[..n];
    for c in 0..n {
        out_lon[c] = lon_degrees(lon[c], lon_sign[c]);
        out_lat[c] = lat_degrees(lat[c], lat_factor[c]);
    }
}

/// Pass 3 after vector calls: stores the output of the lower end of each angle's margin and
/// marks a pixel unsure unless both ends of both margins give the same bits, the arguments are
/// in the functions' domain and the output is a number (NaN payloads and signs are left to the
/// scalar calls).
/// Returns whether any pixel is unsure.
#[inline(always)]
fn checked_degrees<T: GeoFloat>(
    work: &mut ChunkWork,
    out_lon: &mut [T],
    out_lat: &mut [T],
) -> bool {
    let n = out_lon.len();
    let (lon_argument, lat_argument) = (&work.lon_argument[..n], &work.lat_argument[..n]);
    let (lon, lat) = (&work.lon_angle[..n], &work.lat_angle[..n]);
    let (lon_sign, lat_factor) = (&work.lon_sign[..n], &work.lat_factor[..n]);
    let (out_lat, unsure) = (&mut out_lat[..n], &mut work.unsure[..n]);
    let mut any_unsure = false;
    for c in 0..n {
        let (lon_margin, lat_margin) = (vector_libm::margin(lon[c]), vector_libm::margin(lat[c]));
        let lon_low: T = lon_degrees(lon[c] - lon_margin, lon_sign[c]);
        let lon_high: T = lon_degrees(lon[c] + lon_margin, lon_sign[c]);
        let lat_low: T = lat_degrees(lat[c] - lat_margin, lat_factor[c]);
        let lat_high: T = lat_degrees(lat[c] + lat_margin, lat_factor[c]);
        let in_domain = lon_argument[c].abs() <= 1.0 && lat_argument[c].abs() <= 1.0;
        let decided = lon_low.same_bits(lon_high) && lat_low.same_bits(lat_high);
        let numbers = !(lon_low.is_nan() || lat_low.is_nan());
        out_lon[c] = lon_low;
        out_lat[c] = lat_low;
        unsure[c] = !(in_domain && decided && numbers);
        any_unsure |= unsure[c];
    }
    any_unsure
}

/// Pass 4 after vector calls: the scalar calls for the pixels [`checked_degrees`] left unsure.
#[inline(never)]
fn settle_unsure<T: GeoFloat>(work: &ChunkWork, out_lon: &mut [T], out_lat: &mut [T]) {
    let n = out_lon.len();
    for c in (0..n).filter(|&c| work.unsure[c]) {
        let (lon, lat) = exact_angles(work.lon_argument[c], work.lat_argument[c], work.low[c]);
        out_lon[c] = lon_degrees(lon, work.lon_sign[c]);
        out_lat[c] = lat_degrees(lat, work.lat_factor[c]);
    }
}

/// One chunk of a fine row with the vector passes built for `isa` (one this CPU has).
pub(super) fn fine_chunk<T: GeoFloat>(
    isa: crate::simd_row_sum::Isa,
    track: Track<T>,
    input: &ChunkInput<'_, T>,
    work: &mut ChunkWork,
    out_lon: &mut [T],
    out_lat: &mut [T],
) {
    debug_assert!(input.scan.len() == out_lon.len());
    wide::angle_arguments(isa, track, input, work);
    lonlat_from_arguments(isa, work, out_lon, out_lat);
}

/// Passes 2 to 4 on the arguments pass 1 left in `work`: the libm calls and the outputs.
pub(super) fn lonlat_from_arguments<T: GeoFloat>(
    isa: crate::simd_row_sum::Isa,
    work: &mut ChunkWork,
    out_lon: &mut [T],
    out_lat: &mut [T],
) {
    let n = out_lon.len();
    debug_assert!(n <= CHUNK && out_lat.len() == n);
    if T::VECTOR_LIBM && vector_libm::available(isa) {
        // Whole vectors: the lanes past `n` hold leftovers of earlier chunks (or
        // zeros); their angles are computed but never read.
        let lanes = n.next_multiple_of(8);
        vector_libm::angles(
            isa,
            &work.lon_argument[..lanes],
            &work.lat_argument[..lanes],
            &work.low[..lanes],
            &mut work.lon_angle[..lanes],
            &mut work.lat_angle[..lanes],
        );
        if wide::checked_degrees(isa, work, out_lon, out_lat) {
            settle_unsure(work, out_lon, out_lat);
        }
    } else {
        scalar_angles(work, n);
        wide::degrees(isa, work, out_lon, out_lat);
    }
}

/// The vector passes compiled for AVX-512 / AVX2 and picked at run time (the library is built
/// for baseline x86-64). Only IEEE add, sub, mul, div, sqrt, compares and conversions are
/// involved, so every build gives the same bits.
#[cfg_attr(target_arch = "x86_64", allow(unsafe_code))]
mod wide {
    use super::{ChunkInput, ChunkWork, GeoFloat, Track};
    use crate::simd_row_sum::Isa;

    dispatch!(angle_arguments, angle_arguments_avx512, angle_arguments_avx2, <T>,
        (track: Track<T>, input: &ChunkInput<'_, T>, work: &mut ChunkWork) -> ());
    dispatch!(degrees, degrees_avx512, degrees_avx2, <T>,
        (work: &ChunkWork, lon: &mut [T], lat: &mut [T]) -> ());
    dispatch!(checked_degrees, checked_degrees_avx512, checked_degrees_avx2, <T>,
        (work: &mut ChunkWork, lon: &mut [T], lat: &mut [T]) -> bool);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{margin_spreads, unit, xorshift, MarginTally};
    use super::super::vector_libm::RELATIVE_MARGIN;
    use super::*;
    use crate::simd_row_sum::Isa;

    /// A chunk of pixels with the arguments of `xyz2lonlat` drawn by `draw(column, unit)` for a
    /// uniform `unit` in [0, 1), every branch and sign.
    fn chunk(seed: u64, draw: impl Fn(usize, f64) -> (f64, f64, bool)) -> ChunkWork {
        let mut next = xorshift(seed);
        let mut work = ChunkWork::new();
        for c in 0..CHUNK {
            let (lon_argument, lat_argument, low) = draw(c, unit(next()));
            let signs = [-1.0, 0.0, 1.0];
            work.lon_argument[c] = lon_argument;
            work.lat_argument[c] = lat_argument;
            work.low[c] = low;
            work.lon_sign[c] = signs[next() as usize % 3];
            work.lat_factor[c] = if low { 1.0 } else { signs[next() as usize % 3] };
        }
        work
    }

    /// Arguments anywhere in the functions' domain (the latitude's as its branch allows).
    fn ordinary(c: usize, unit: f64) -> (f64, f64, bool) {
        let low = !c.is_multiple_of(3);
        let lat = if low {
            (2.0 * unit - 1.0) * 0.8
        } else {
            0.6 * unit
        };
        (1.0 - 2.0 * unit, lat, low)
    }

    /// Where the outputs are finest or the functions steepest: longitudes near 0 and 180, the
    /// equator, the poles, the domain's ends, zeros, and arguments just outside the domain.
    fn hard(c: usize, unit: f64) -> (f64, f64, bool) {
        let near_one = 1.0 - unit * 1e-9;
        let outside = 1.0 + f64::EPSILON;
        let lon = [near_one, -near_one, 1.0, -1.0, 0.0, -0.0, outside, -outside][c % 8];
        let low = !c.is_multiple_of(3);
        let lat = match (low, c % 5) {
            (true, 0) => (unit - 0.5) * 1e-7,
            (true, 1) => 0.0,
            (true, 2) => -0.0,
            (true, _) => 0.8 * (1.0 - unit * 1e-6),
            (false, 0) => unit * 1e-7,
            (false, 1) => 0.0,
            (false, _) => 0.6 * unit,
        };
        (lon, lat, low)
    }

    fn output_bits(lon: &[f32], lat: &[f32]) -> Vec<(u32, u32)> {
        lon.iter()
            .zip(lat)
            .map(|(a, b)| (a.to_bits(), b.to_bits()))
            .collect()
    }

    /// Sets each angle to the scalar one times `1 + scale * t` with `t` from `spread`, and to 1
    /// where the scalar one is NaN (a number where glibc's is NaN, outside the domain).
    fn perturb(work: &mut ChunkWork, scale: f64, spread: &mut impl FnMut() -> f64) {
        let near = |angle: f64, t: f64| {
            if angle.is_nan() {
                1.0
            } else {
                angle * (1.0 + scale * t)
            }
        };
        for c in 0..CHUNK {
            let (lon, lat) = exact_angles(work.lon_argument[c], work.lat_argument[c], work.low[c]);
            work.lon_angle[c] = near(lon, spread());
            work.lat_angle[c] = near(lat, spread());
        }
    }

    /// The core claim behind the vector calls: whatever angles within the margin of the scalar
    /// ones pass 2 delivers, `checked_degrees` + `settle_unsure` store the scalar calls' outputs.
    /// The angles are pushed to both ends of the margin and spread inside it, on ordinary and
    /// hard pixels, with every instruction set's build of `checked_degrees`.
    #[test]
    fn checked_degrees_store_the_scalar_outputs_for_any_angle_in_the_margin() {
        // 0.9: the check puts the margin around the vector result, not the scalar one.
        let scale = 0.9 * RELATIVE_MARGIN;
        let mut tally = MarginTally::default();
        for seed in 1..=40 {
            for (draw, is_ordinary) in [(ordinary as fn(_, _) -> _, true), (hard, false)] {
                let mut work = chunk(seed, draw);
                let (mut want_lon, mut want_lat) = (vec![0f32; CHUNK], vec![0f32; CHUNK]);
                scalar_angles(&mut work, CHUNK);
                degrees(&work, &mut want_lon, &mut want_lat);
                let want = output_bits(&want_lon, &want_lat);
                for mut spread in margin_spreads(seed) {
                    perturb(&mut work, scale, &mut spread);
                    let (mut lon, mut lat) = (vec![0f32; CHUNK], vec![0f32; CHUNK]);
                    degrees(&work, &mut lon, &mut lat);
                    tally.wrong_unchecked += usize::from(output_bits(&lon, &lat) != want);
                    for isa in Isa::ALL.into_iter().filter(|isa| isa.is_available()) {
                        let (mut lon, mut lat) = (vec![0f32; CHUNK], vec![0f32; CHUNK]);
                        let any_unsure = wide::checked_degrees(isa, &mut work, &mut lon, &mut lat);
                        assert_eq!(any_unsure, work.unsure.contains(&true));
                        if is_ordinary && isa == Isa::Scalar {
                            tally.unsure_ordinary += work.unsure.iter().filter(|&&u| u).count();
                            tally.ordinary += CHUNK;
                        }
                        settle_unsure(&work, &mut lon, &mut lat);
                        let got = output_bits(&lon, &lat);
                        let differ = got.iter().zip(&want).filter(|(g, w)| g != w).count();
                        assert_eq!(differ, 0, "seed {seed} {isa:?} ordinary={is_ordinary}");
                    }
                }
            }
        }
        tally.assert_meaningful("pixels");
    }
}
