//! Upstream's `lonlat2xyz` for the tie points of one scan: cartesian coordinates (float32 or
//! float64 like the input) from longitude and latitude in degrees.
//!
//! For float32 output the four `sin`/`cos` per tie point can come from glibc's vector functions
//! ([`vector_libm`]), kept under the same rule as the fine pixels' angles: `x` is
//! `(R * cos(lat)) * cos(lon)` rounded twice, which moves monotonically with either factor
//! whatever the other's sign, so its value for any factors in a box lies between its values at
//! the box's four corners; if those four (within the margin of both vector results) give the
//! same bits, so do the scalar calls. Likewise `y` with `sin(lon)`, and `z` between its two
//! ends. Other tie points take the scalar calls.

use super::{deg2rad, vector_libm, GeoFloat, EARTH_RADIUS};
use crate::simd_row_sum::Isa;

/// `x` or `y`: `(R * cos(lat)) * cos(lon)` or `* sin(lon)`, stored.
#[inline(always)]
fn horizontal<T: GeoFloat>(cos_lat: f64, lon_term: f64) -> T {
    T::narrow((EARTH_RADIUS * cos_lat) * lon_term)
}

/// `z`: `R * sin(lat)`, stored.
#[inline(always)]
fn vertical<T: GeoFloat>(sin_lat: f64) -> T {
    T::narrow(EARTH_RADIUS * sin_lat)
}

/// Upstream's `lonlat2xyz` of one tie point from its radians, with glibc's scalar calls.
#[inline]
fn xyz_of_radians<T: GeoFloat>(lon: f64, lat: f64) -> [T; 3] {
    [
        horizontal(lat.cos(), lon.cos()),
        horizontal(lat.cos(), lon.sin()),
        vertical(lat.sin()),
    ]
}

/// Upstream's `lonlat2xyz` for one tie point (degrees).
#[inline]
pub(super) fn lonlat_to_xyz<T: GeoFloat>(lon: T, lat: T) -> [T; 3] {
    xyz_of_radians(deg2rad(lon).wide(), deg2rad(lat).wide())
}

/// Per-scan buffers of the vector path: radians, their sines and cosines, unsure tie points.
#[derive(Debug, Clone)]
pub(super) struct TiePointWork {
    lon: Vec<f64>,
    lat: Vec<f64>,
    sin_lon: Vec<f64>,
    cos_lon: Vec<f64>,
    sin_lat: Vec<f64>,
    cos_lat: Vec<f64>,
    unsure: Vec<bool>,
}

impl TiePointWork {
    pub fn new(tie_points: usize) -> Self {
        // Whole vectors: the lanes past the last tie point are computed, never read.
        let column = || vec![0.0; tie_points.next_multiple_of(8)];
        Self {
            lon: column(),
            lat: column(),
            sin_lon: column(),
            cos_lon: column(),
            sin_lat: column(),
            cos_lat: column(),
            unsure: vec![false; tie_points],
        }
    }
}

/// `xyz[k] = lonlat2xyz(lon_lat(k))` for every tie point `k` of a scan, with glibc's vector
/// `sin`/`cos` where they decide the output and `isa` (one this CPU has) has them, the scalar
/// calls otherwise.
pub(super) fn scan_xyz<T: GeoFloat>(
    isa: Isa,
    lon_lat: impl Fn(usize) -> (T, T),
    work: &mut TiePointWork,
    xyz: &mut [[T; 3]],
) {
    if !(T::VECTOR_LIBM && vector_libm::available(isa)) {
        for (k, point) in xyz.iter_mut().enumerate() {
            let (lon, lat) = lon_lat(k);
            *point = lonlat_to_xyz(lon, lat);
        }
        return;
    }
    for k in 0..xyz.len() {
        let (lon, lat) = lon_lat(k);
        work.lon[k] = deg2rad(lon).wide();
        work.lat[k] = deg2rad(lat).wide();
    }
    vector_libm::sin_cos(isa, &work.lon, &mut work.sin_lon, &mut work.cos_lon);
    vector_libm::sin_cos(isa, &work.lat, &mut work.sin_lat, &mut work.cos_lat);
    if wide::checked_xyz(isa, work, xyz) {
        settle_unsure(work, xyz);
    }
}

/// The scalar calls for the tie points [`checked_xyz`] left unsure.
#[inline(never)]
fn settle_unsure<T: GeoFloat>(work: &TiePointWork, xyz: &mut [[T; 3]]) {
    for k in (0..xyz.len()).filter(|&k| work.unsure[k]) {
        xyz[k] = xyz_of_radians(work.lon[k], work.lat[k]);
    }
}

/// `horizontal` of every corner of the box `cos_lat +- cos_lat_margin` x `lon_term +-
/// lon_term_margin`: the lower corner's output, and whether all four have the same bits.
#[inline(always)]
fn horizontal_corners<T: GeoFloat>(cos_lat: [f64; 2], lon_term: [f64; 2]) -> (T, bool) {
    let [cos_lat, cos_lat_margin] = cos_lat;
    let [lon_term, lon_term_margin] = lon_term;
    let (low, high) = (cos_lat - cos_lat_margin, cos_lat + cos_lat_margin);
    let corner = horizontal::<T>(low, lon_term - lon_term_margin);
    let same = corner.same_bits(horizontal(low, lon_term + lon_term_margin))
        && corner.same_bits(horizontal(high, lon_term - lon_term_margin))
        && corner.same_bits(horizontal(high, lon_term + lon_term_margin));
    (corner, same)
}

/// Stores the output of the vector results' lower corners and marks a tie point unsure unless
/// every corner gives the same bits, the radians are within the range the self-check covered
/// and the outputs are numbers. Returns whether any tie point is unsure.
#[inline(always)]
fn checked_xyz<T: GeoFloat>(work: &mut TiePointWork, xyz: &mut [[T; 3]]) -> bool {
    let n = xyz.len();
    let (lon, lat) = (&work.lon[..n], &work.lat[..n]);
    let (sin_lon, cos_lon) = (&work.sin_lon[..n], &work.cos_lon[..n]);
    let (sin_lat, cos_lat) = (&work.sin_lat[..n], &work.cos_lat[..n]);
    let unsure = &mut work.unsure[..n];
    let with_margin = |value: f64| [value, vector_libm::margin(value)];
    let mut any_unsure = false;
    for k in 0..n {
        let (x, x_same) = horizontal_corners::<T>(with_margin(cos_lat[k]), with_margin(cos_lon[k]));
        let (y, y_same) = horizontal_corners::<T>(with_margin(cos_lat[k]), with_margin(sin_lon[k]));
        let z_margin = vector_libm::margin(sin_lat[k]);
        let z: T = vertical(sin_lat[k] - z_margin);
        let z_same = z.same_bits(vertical(sin_lat[k] + z_margin));
        let in_domain =
            lon[k].abs() <= vector_libm::TRIG_DOMAIN && lat[k].abs() <= vector_libm::TRIG_DOMAIN;
        let numbers = !(x.is_nan() || y.is_nan() || z.is_nan());
        xyz[k] = [x, y, z];
        unsure[k] = !(in_domain && x_same && y_same && z_same && numbers);
        any_unsure |= unsure[k];
    }
    any_unsure
}

#[cfg_attr(target_arch = "x86_64", allow(unsafe_code))]
mod wide {
    use super::{GeoFloat, TiePointWork};
    use crate::simd_row_sum::Isa;

    dispatch!(checked_xyz, checked_xyz_avx512, checked_xyz_avx2, <T>,
        (work: &mut TiePointWork, xyz: &mut [[T; 3]]) -> bool);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{margin_spreads, unit, xorshift, MarginTally};
    use super::super::vector_libm::{RELATIVE_MARGIN, TRIG_DOMAIN};
    use super::*;
    use std::f64::consts::{FRAC_PI_2, PI};

    const POINTS: usize = 1024;

    /// Radians anywhere on Earth.
    fn ordinary(_k: usize, unit: f64, other: f64) -> (f64, f64) {
        ((2.0 * unit - 1.0) * PI, (2.0 * other - 1.0) * FRAC_PI_2)
    }

    /// Where sines and cosines vanish or the outputs are finest: next to multiples of pi/2,
    /// zeros, the edge of the self-checked range, beyond it, infinities and NaN.
    fn hard(k: usize, unit: f64, other: f64) -> (f64, f64) {
        let near = |multiple: f64| multiple * FRAC_PI_2 * (1.0 + (unit - 0.5) * 1e-9);
        let specials = [
            0.0,
            -0.0,
            near(1.0),
            near(-1.0),
            near(2.0),
            near(-2.0),
            TRIG_DOMAIN,
            -TRIG_DOMAIN * (1.0 + f64::EPSILON),
            1e30,
            f64::INFINITY,
            f64::NAN,
            (unit - 0.5) * 1e-12,
        ];
        let pick = |value: f64| specials[(value * specials.len() as f64) as usize];
        match k % 3 {
            0 => (pick(unit), pick(other)),
            1 => (pick(unit), (2.0 * other - 1.0) * FRAC_PI_2),
            _ => ((2.0 * unit - 1.0) * PI, pick(other)),
        }
    }

    /// Radians from `draw` with the scalar sines and cosines moved by `1 + scale * t`, `t` from
    /// `spread` (and a number where the scalar ones are NaN or the radians outside the
    /// self-checked range, as an inaccurate vector function might give).
    fn work_near_scalar(
        seed: u64,
        draw: fn(usize, f64, f64) -> (f64, f64),
        scale: f64,
        spread: &mut dyn FnMut() -> f64,
    ) -> TiePointWork {
        let mut next = xorshift(seed);
        let mut uniform = move || unit(next());
        let mut work = TiePointWork::new(POINTS);
        for k in 0..POINTS {
            let (lon, lat) = draw(k, uniform(), uniform());
            work.lon[k] = lon;
            work.lat[k] = lat;
            let mut near = |value: f64, radians: f64| {
                if value.is_nan() || radians.abs() > TRIG_DOMAIN {
                    0.5
                } else {
                    value * (1.0 + scale * spread())
                }
            };
            work.sin_lon[k] = near(lon.sin(), lon);
            work.cos_lon[k] = near(lon.cos(), lon);
            work.sin_lat[k] = near(lat.sin(), lat);
            work.cos_lat[k] = near(lat.cos(), lat);
        }
        work
    }

    /// The bits of each coordinate, with every NaN as one value: where a +NaN and a -NaN meet
    /// in one multiplication (from `inf` and NaN radians), x86 keeps the first operand's, and
    /// each build may order the operands differently (as in `super::super::tests::differing`).
    fn bits(xyz: &[[f32; 3]]) -> Vec<[u32; 3]> {
        let canonical = |v: f32| if v.is_nan() { u32::MAX } else { v.to_bits() };
        xyz.iter().map(|p| p.map(canonical)).collect()
    }

    /// As for the fine pixels' angles: whatever sines and cosines within the margin of the
    /// scalar ones the vector calls deliver, `checked_xyz` + `settle_unsure` store the scalar
    /// calls' outputs, with every instruction set's build.
    #[test]
    fn checked_xyz_stores_the_scalar_outputs_for_any_values_in_the_margin() {
        // 0.9: the check puts the margin around the vector result, not the scalar one.
        let scale = 0.9 * RELATIVE_MARGIN;
        let mut tally = MarginTally::default();
        for seed in 1..=10 {
            for (draw, is_ordinary) in [(ordinary as fn(_, _, _) -> _, true), (hard, false)] {
                let want: Vec<[f32; 3]> = {
                    let work = work_near_scalar(seed, draw, 0.0, &mut || 0.0);
                    (0..POINTS)
                        .map(|k| xyz_of_radians(work.lon[k], work.lat[k]))
                        .collect()
                };
                for mut spread in margin_spreads(seed) {
                    let mut work = work_near_scalar(seed, draw, scale, &mut spread);
                    let unchecked: Vec<[f32; 3]> = (0..POINTS)
                        .map(|k| {
                            let (cos_lat, sin_lat) = (work.cos_lat[k], work.sin_lat[k]);
                            [
                                horizontal(cos_lat, work.cos_lon[k]),
                                horizontal(cos_lat, work.sin_lon[k]),
                                vertical(sin_lat),
                            ]
                        })
                        .collect();
                    tally.wrong_unchecked += usize::from(bits(&unchecked) != bits(&want));
                    for isa in Isa::ALL.into_iter().filter(|isa| isa.is_available()) {
                        let mut xyz = vec![[0f32; 3]; POINTS];
                        let any_unsure = wide::checked_xyz(isa, &mut work, &mut xyz);
                        assert_eq!(any_unsure, work.unsure.contains(&true));
                        if is_ordinary && isa == Isa::Scalar {
                            tally.unsure_ordinary += work.unsure.iter().filter(|&&u| u).count();
                            tally.ordinary += POINTS;
                        }
                        settle_unsure(&work, &mut xyz);
                        let (got, want) = (bits(&xyz), bits(&want));
                        let differ = got.iter().zip(&want).filter(|(g, w)| g != w).count();
                        assert_eq!(differ, 0, "seed {seed} {isa:?} ordinary={is_ordinary}");
                    }
                }
            }
        }
        tally.assert_meaningful("tie points");
    }
}
