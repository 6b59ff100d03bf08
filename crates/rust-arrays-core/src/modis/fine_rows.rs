//! The per-pixel work of one fine row, in three passes over short column chunks so that the
//! plain IEEE arithmetic vectorises and the libm calls run back to back:
//!
//! 1. [`angle_arguments`] (vectorised): bilinear interpolation of the cartesian corners, then
//!    the arguments of the two inverse trigonometric calls of upstream's `xyz2lonlat`;
//! 2. [`angles`] (scalar): glibc's `acos`/`asin` on them, exactly the calls upstream makes;
//! 3. [`degrees`] (vectorised): radians to degrees, signs, the store into the output type.
//!
//! Splitting changes no value: every intermediate is the same IEEE operation on the same
//! operands in the same type as in a per-pixel loop (Rust never fuses or reassociates), and
//! `1 * v == v` bit for bit, which lets both latitude branches share one formula. A literal
//! per-pixel port checks this in the tests, for every instruction set.

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
    /// `acos` argument of the longitude, then the angle.
    lon: Vec<f64>,
    /// `acos` (low latitudes) or `asin` argument of the latitude, then the angle.
    lat: Vec<f64>,
    /// Whether the latitude takes upstream's low-latitude (`acos`) branch.
    low: Vec<bool>,
    /// `sign(y)`.
    lon_sign: Vec<f64>,
    /// 1 on the low-latitude branch, `sign(z)` on the other.
    lat_factor: Vec<f64>,
}

impl ChunkWork {
    pub fn new() -> Self {
        Self {
            lon: vec![0.0; CHUNK],
            lat: vec![0.0; CHUNK],
            low: vec![false; CHUNK],
            lon_sign: vec![0.0; CHUNK],
            lat_factor: vec![0.0; CHUNK],
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
    let (lon, lat, low) = (&mut work.lon[..n], &mut work.lat[..n], &mut work.low[..n]);
    let (lon_sign, lat_factor) = (&mut work.lon_sign[..n], &mut work.lat_factor[..n]);
    // Upstream: `z < thr * R and z > (-1.0 * thr) * R` with the float thr = 0.8.
    let threshold = T::narrow(0.8).wide() * EARTH_RADIUS;
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
        let norm = (x * x + y * y).sqrt();
        let is_low = z < threshold && z > -threshold;
        lon[c] = x / norm;
        lat[c] = if is_low { z } else { norm } / EARTH_RADIUS;
        low[c] = is_low;
        lon_sign[c] = sign(y);
        lat_factor[c] = if is_low { 1.0 } else { sign(z) };
    }
}

/// Pass 2: the libm calls, in place (never vectorised: glibc's scalar functions are the
/// reference).
#[inline(never)]
fn angles(work: &mut ChunkWork, n: usize) {
    let (lon, lat, low) = (&mut work.lon[..n], &mut work.lat[..n], &work.low[..n]);
    for c in 0..n {
        lon[c] = lon[c].acos();
        lat[c] = if low[c] { lat[c].acos() } else { lat[c].asin() };
    }
}

/// Pass 3: `lon = deg(acos(..)) * sign(y)`, `lat = 90 - deg(acos(z / R))` or
/// `sign(z) * (90 - deg(asin(..)))`, stored into the output type.
#[inline(always)]
fn degrees<T: GeoFloat>(work: &ChunkWork, out_lon: &mut [T], out_lat: &mut [T]) {
    let n = out_lon.len();
    let (lon, lat) = (&work.lon[..n], &work.lat[..n]);
    let (lon_sign, lat_factor) = (&work.lon_sign[..n], &work.lat_factor[..n]);
    let out_lat = &mut out_lat[..n];
    for c in 0..n {
        out_lon[c] = T::narrow(rad2deg(lon[c]) * lon_sign[c]);
        out_lat[c] = T::narrow(lat_factor[c] * (90.0 - rad2deg(lat[c])));
    }
}

/// One chunk of a fine row with the vector passes built for `isa`.
pub(super) fn fine_chunk<T: GeoFloat>(
    isa: crate::simd_row_sum::Isa,
    track: Track<T>,
    input: &ChunkInput<'_, T>,
    work: &mut ChunkWork,
    out_lon: &mut [T],
    out_lat: &mut [T],
) {
    let n = out_lon.len();
    debug_assert!(n <= CHUNK && input.scan.len() == n && out_lat.len() == n);
    wide::angle_arguments(isa, track, input, work);
    angles(work, n);
    wide::degrees(isa, work, out_lon, out_lat);
}

/// The vector passes compiled for AVX-512 / AVX2 and picked at run time (the library is built
/// for baseline x86-64). Only IEEE add, sub, mul, div, sqrt, compares and conversions are
/// involved, so every build gives the same bits.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod wide {
    use super::{ChunkInput, ChunkWork, GeoFloat, Track};
    use crate::simd_row_sum::{best_isa, Isa};

    fn available(isa: Isa) -> Isa {
        if isa.is_available() {
            isa
        } else {
            best_isa()
        }
    }

    #[target_feature(enable = "avx512f")]
    fn angle_arguments_avx512<T: GeoFloat>(t: Track<T>, i: &ChunkInput<'_, T>, w: &mut ChunkWork) {
        super::angle_arguments(t, i, w);
    }

    #[target_feature(enable = "avx2")]
    fn angle_arguments_avx2<T: GeoFloat>(t: Track<T>, i: &ChunkInput<'_, T>, w: &mut ChunkWork) {
        super::angle_arguments(t, i, w);
    }

    pub(super) fn angle_arguments<T: GeoFloat>(
        isa: Isa,
        track: Track<T>,
        input: &ChunkInput<'_, T>,
        work: &mut ChunkWork,
    ) {
        match available(isa) {
            // SAFETY: `available` only returns instruction sets this CPU has.
            Isa::Avx512 => unsafe { angle_arguments_avx512(track, input, work) },
            // SAFETY: as above.
            Isa::Avx2 => unsafe { angle_arguments_avx2(track, input, work) },
            Isa::Scalar => super::angle_arguments(track, input, work),
        }
    }

    #[target_feature(enable = "avx512f")]
    fn degrees_avx512<T: GeoFloat>(w: &ChunkWork, lon: &mut [T], lat: &mut [T]) {
        super::degrees(w, lon, lat);
    }

    #[target_feature(enable = "avx2")]
    fn degrees_avx2<T: GeoFloat>(w: &ChunkWork, lon: &mut [T], lat: &mut [T]) {
        super::degrees(w, lon, lat);
    }

    pub(super) fn degrees<T: GeoFloat>(isa: Isa, work: &ChunkWork, lon: &mut [T], lat: &mut [T]) {
        match available(isa) {
            // SAFETY: `available` only returns instruction sets this CPU has.
            Isa::Avx512 => unsafe { degrees_avx512(work, lon, lat) },
            // SAFETY: as above.
            Isa::Avx2 => unsafe { degrees_avx2(work, lon, lat) },
            Isa::Scalar => super::degrees(work, lon, lat),
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod wide {
    use super::{ChunkInput, ChunkWork, GeoFloat, Track};
    use crate::simd_row_sum::Isa;

    pub(super) fn angle_arguments<T: GeoFloat>(
        _isa: Isa,
        track: Track<T>,
        input: &ChunkInput<'_, T>,
        work: &mut ChunkWork,
    ) {
        super::angle_arguments(track, input, work);
    }

    pub(super) fn degrees<T: GeoFloat>(_isa: Isa, work: &ChunkWork, lon: &mut [T], lat: &mut [T]) {
        super::degrees(work, lon, lat);
    }
}
