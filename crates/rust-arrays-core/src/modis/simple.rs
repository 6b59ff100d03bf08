//! MODIS geolocation interpolation from longitude and latitude alone, as in
//! `geotiepoints.simple_modis_interpolator` 1.9.0, bit for bit for float32 and float64 input.
//!
//! Per 10-row scan upstream converts the tie points to x, y, z (the same `lonlat2xyz` as the
//! zenith interpolator), interpolates each with scipy's `map_coordinates(order=1,
//! mode="nearest")` at fine coordinates `y = j / f - (f / 16 + 1 / 8)`, `x = i / f` (f = 4 for
//! 250 m, 2 for 500 m), extrapolates the last `f - 1` fine columns from the two before them,
//! replaces the first and last fine rows by a linear extrapolation along the track, and converts
//! back (`xyz2lonlat`, as in the zenith interpolator). Every step is reproduced in upstream's
//! types: scipy sums the four weighted corners in double and stores into the input's type; the
//! extrapolations are arithmetic of the input's type. See `docs/simple_modis.md`.
//!
//! Scans are independent: [`interpolate_scan`] does one with its own small work buffers.

use std::sync::atomic::AtomicBool;

use ndarray::{s, ArrayView2};

use super::fine_rows::{self, low_latitude_threshold, ChunkWork, PixelArguments, CHUNK};
use super::tie_points::{self, TiePointWork};
use super::{for_each_scan, repeat_each, runnable, scans_of, GeoFloat, ModisError};
use crate::simd_row_sum::Isa;
use crate::Stopped;

/// Tie point rows per scan (1 km).
pub const SCAN_ROWS: usize = 10;

/// scipy's order-1 weights of a coordinate: `(start, w0, w1)` with `start = floor(c)`,
/// `w0 = 1 - (c - floor(c))` and `w1 = 1 - w0` (`get_spline_interpolation_weights`: the last
/// weight is one minus the others, not `c - floor(c)`).
fn spline_weights(coordinate: f64) -> (i64, f64, f64) {
    let floor = coordinate.floor();
    let w0 = 1.0 - (coordinate - floor);
    (floor as i64, w0, 1.0 - w0)
}

/// The two tie rows and weights of a fine row that `map_coordinates` interpolates (indices
/// outside the scan are clamped to its edge, as `mode="nearest"` does).
#[derive(Debug, Clone, Copy, PartialEq)]
struct RowWeights {
    upper: usize,
    lower: usize,
    w0: f64,
    w1: f64,
}

/// Upstream's linear extrapolation along the track: fine rows `targets` from rows `low` and
/// `high` (after their columns were extrapolated).
#[derive(Debug, Clone, PartialEq)]
struct Extrapolation {
    low: usize,
    high: usize,
    targets: Vec<usize>,
}

/// The fixed layout of one interpolation: fine coordinates and weights, which rows are
/// extrapolated.
#[derive(Debug, Clone)]
pub struct Geometry<T> {
    /// Fine pixels per tie point along each axis (4 or 2).
    pub factor: usize,
    /// Tie point columns (1354 for MODIS; any number from 2 on).
    pub coarse_cols: usize,
    /// Fine rows per scan.
    pub fine_rows: usize,
    /// Fine columns.
    pub fine_cols: usize,
    /// Upstream's fine row coordinates `y` (in the input's type).
    y: Vec<T>,
    /// Per fine row: its `map_coordinates` weights, None for the rows the extrapolations replace.
    rows: Vec<Option<RowWeights>>,
    /// Per fine column: the weights of tie columns `i / factor` and `i / factor + 1` (clamped).
    col_w0: Vec<f64>,
    col_w1: Vec<f64>,
    /// The first and last rows' extrapolations.
    extrapolations: [Extrapolation; 2],
}

impl<T: GeoFloat> Geometry<T> {
    /// The geometry of `coarse` to `fine` metres for tie points `coarse_cols` wide.
    pub fn new(coarse: u32, fine: u32, coarse_cols: usize) -> Result<Self, ModisError> {
        let factor = match (coarse, fine) {
            (1000, 250) => 4,
            (1000, 500) => 2,
            _ => {
                return Err(ModisError::Resolutions {
                    coarse,
                    fine,
                    supported: "1000 to 250 or 500",
                })
            }
        };
        if coarse_cols < 2 {
            return Err(ModisError::Shape(format!(
                "need at least 2 columns of tie points, got {coarse_cols}"
            )));
        }
        let (fine_rows, fine_cols) = (SCAN_ROWS * factor, coarse_cols * factor);
        let f = factor as f64;
        // Upstream's coordinate arrays, computed in double and stored in the input's type
        // (exact values in either).
        let y: Vec<T> = (0..fine_rows)
            .map(|j| T::narrow(j as f64 * (1.0 / f) - (f * (1.0 / 16.0) + 1.0 / 8.0)))
            .collect();
        let x: Vec<T> = (0..fine_cols)
            .map(|i| T::narrow(i as f64 * (1.0 / f)))
            .collect();
        let clamp = |index: i64, len: usize| index.clamp(0, len as i64 - 1) as usize;
        let extrapolations = if factor == 4 {
            [(2, 5, vec![0, 1]), (34, 37, vec![38, 39])]
        } else {
            [(1, 2, vec![0]), (17, 18, vec![19])]
        }
        .map(|(low, high, targets)| Extrapolation { low, high, targets });
        let replaced = |j: usize| extrapolations.iter().any(|e| e.targets.contains(&j));
        let rows = y
            .iter()
            .enumerate()
            .map(|(j, y)| {
                let (start, w0, w1) = spline_weights(y.wide());
                let (upper, lower) = (clamp(start, SCAN_ROWS), clamp(start + 1, SCAN_ROWS));
                (!replaced(j)).then_some(RowWeights {
                    upper,
                    lower,
                    w0,
                    w1,
                })
            })
            .collect();
        let mut col_w0 = Vec::with_capacity(fine_cols);
        let mut col_w1 = Vec::with_capacity(fine_cols);
        for (i, x) in x.iter().enumerate() {
            let (start, w0, w1) = spline_weights(x.wide());
            // The tie columns `interpolate_row` reads: i / factor and the next, clamped.
            assert_eq!(start, (i / factor) as i64);
            col_w0.push(w0);
            col_w1.push(w1);
        }
        Ok(Self {
            factor,
            coarse_cols,
            fine_rows,
            fine_cols,
            y,
            rows,
            col_w0,
            col_w1,
            extrapolations,
        })
    }

    /// Fresh work buffers for [`interpolate_scan`] (one set per thread).
    pub fn buffers(&self) -> ScanBuffers<T> {
        let zero = T::narrow(0.0);
        let tie_points = SCAN_ROWS * self.coarse_cols;
        let row = || std::array::from_fn(|_| vec![zero; self.fine_cols]);
        ScanBuffers {
            tie_points: TiePointWork::new(tie_points),
            xyz: vec![[zero; 3]; tie_points],
            expanded: std::array::from_fn(|_| {
                vec![zero; SCAN_ROWS * (self.fine_cols + self.factor)]
            }),
            current: row(),
            kept: row(),
            extrapolated: row(),
            chunk: ChunkWork::new(),
        }
    }

    /// The number of scans in tie point arrays of `rows` x `cols`, or why they do not fit.
    pub fn scans(&self, rows: usize, cols: usize) -> Result<usize, ModisError> {
        if cols != self.coarse_cols {
            return Err(ModisError::Shape(format!(
                "expected {} columns of tie points, got {cols}",
                self.coarse_cols
            )));
        }
        if !rows.is_multiple_of(SCAN_ROWS) {
            return Err(ModisError::Shape(format!(
                "{rows} rows are not whole scans of {SCAN_ROWS} rows"
            )));
        }
        Ok(rows / SCAN_ROWS)
    }
}

/// Per-scan work buffers.
#[derive(Debug, Clone)]
pub struct ScanBuffers<T> {
    tie_points: TiePointWork,
    /// x, y, z of each tie point of the scan.
    xyz: Vec<[T; 3]>,
    /// Per coordinate, each tie row with every value repeated `factor` times and `factor` more
    /// copies of its last value: fine column `i` finds tie column `i / factor` at `i` and the
    /// next one (clamped) at `i + factor`.
    expanded: [Vec<T>; 3],
    /// x, y, z of the fine row being computed.
    current: [Vec<T>; 3],
    /// x, y, z of the fine row the next extrapolation starts from.
    kept: [Vec<T>; 3],
    /// x, y, z of an extrapolated fine row.
    extrapolated: [Vec<T>; 3],
    chunk: ChunkWork,
}

/// One coordinate of fine row `out` the way scipy's `NI_GeometricTransform` computes it for
/// order 1: the four corners, each times its row weight then its column weight, added to 0 in
/// double in the order (upper, left), (upper, right), (lower, left), (lower, right), stored in
/// the input's type. Every corner is added, even with weight 0 (a NaN there spreads).
#[inline(always)]
fn interpolate_row<T: GeoFloat>(
    upper: &[T],
    lower: &[T],
    factor: usize,
    row: RowWeights,
    columns: [&[f64]; 2],
    out: &mut [T],
) {
    let n = out.len();
    let (upper_left, upper_right) = (&upper[..n], &upper[factor..factor + n]);
    let (lower_left, lower_right) = (&lower[..n], &lower[factor..factor + n]);
    let (col_w0, col_w1) = (&columns[0][..n], &columns[1][..n]);
    for i in 0..n {
        let t = 0.0 + (upper_left[i].wide() * row.w0) * col_w0[i];
        let t = t + (upper_right[i].wide() * row.w0) * col_w1[i];
        let t = t + (lower_left[i].wide() * row.w1) * col_w0[i];
        let t = t + (lower_right[i].wide() * row.w1) * col_w1[i];
        out[i] = T::narrow(t);
    }
}

/// Upstream's `_extrapolate_xyz_rightmost_columns`: the last `count` values of a fine row
/// (where `map_coordinates` repeated the last tie column) plus 1, 2, ... times the difference
/// of the two values before them, in the input's type.
#[inline]
fn extrapolate_columns<T: GeoFloat>(row: &mut [T], count: usize) {
    let n = row.len();
    let difference = row[n - count - 1] - row[n - count - 2];
    for k in 0..count {
        let step = difference * T::narrow((k + 1) as f64);
        row[n - count + k] = row[n - count + k] + step;
    }
}

/// Upstream's `_calc_slope_*`, `_calc_offset_*` and the extrapolated value, per column, in the
/// input's type: `m = (high - low) / (y_high - y_low)`, `b = high - m * y_high`,
/// `out = m * y_out + b`.
#[inline(always)]
fn extrapolate_row<T: GeoFloat>(low: &[T], high: &[T], y: [T; 3], out: &mut [T]) {
    let [y_low, y_high, y_out] = y;
    let n = out.len();
    let (low, high) = (&low[..n], &high[..n]);
    let span = y_high - y_low;
    for i in 0..n {
        let m = (high[i] - low[i]) / span;
        let b = high[i] - m * y_high;
        out[i] = m * y_out + b;
    }
}

/// Upstream's `xyz2lonlat` up to its libm calls, for one chunk of a fine row.
#[inline(always)]
fn row_arguments<T: GeoFloat>(x: &[T], y: &[T], z: &[T], work: &mut ChunkWork) {
    let n = x.len();
    let (y, z) = (&y[..n], &z[..n]);
    let threshold = low_latitude_threshold::<T>();
    for c in 0..n {
        work.set(
            c,
            PixelArguments::of(x[c].wide(), y[c].wide(), z[c].wide(), threshold),
        );
    }
}

/// Longitudes and latitudes of one fine row from its x, y, z, chunk by chunk.
fn row_lonlat<T: GeoFloat>(
    isa: Isa,
    xyz: &[Vec<T>; 3],
    work: &mut ChunkWork,
    lon: &mut [T],
    lat: &mut [T],
) {
    for start in (0..lon.len()).step_by(CHUNK) {
        let columns = start..(start + CHUNK).min(lon.len());
        let [x, y, z] = xyz.each_ref().map(|v| &v[columns.clone()]);
        wide::row_arguments(isa, x, y, z, work);
        fine_rows::lonlat_from_arguments(isa, work, &mut lon[columns.clone()], &mut lat[columns]);
    }
}

/// Interpolates one scan. `lon(i, j)`, `lat(i, j)` give tie point (row, column) of the scan
/// (`SCAN_ROWS` x `coarse_cols`, degrees); `fine_lon` and `fine_lat` are the scan's output,
/// row-major `fine_rows` x `fine_cols`. `isa` picks the vector build of the arithmetic
/// (unavailable ones fall back to the best available; all give the same bits).
pub fn interpolate_scan<T: GeoFloat>(
    g: &Geometry<T>,
    lon: impl Fn(usize, usize) -> T,
    lat: impl Fn(usize, usize) -> T,
    buffers: &mut ScanBuffers<T>,
    fine_lon: &mut [T],
    fine_lat: &mut [T],
    isa: Isa,
) {
    let isa = runnable(isa);
    let (cols, f, width) = (g.coarse_cols, g.factor, g.fine_cols);
    assert_eq!(fine_lon.len(), g.fine_rows * width);
    assert_eq!(fine_lat.len(), g.fine_rows * width);
    let lon_lat = |k: usize| (lon(k / cols, k % cols), lat(k / cols, k % cols));
    tie_points::scan_xyz(isa, lon_lat, &mut buffers.tie_points, &mut buffers.xyz);
    let expanded_len = width + f;
    for (k, expanded) in buffers.expanded.iter_mut().enumerate() {
        for (i, out) in expanded.chunks_exact_mut(expanded_len).enumerate() {
            let points = &buffers.xyz[i * cols..(i + 1) * cols];
            repeat_each(&mut out[..width], f, points.iter().map(|p| p[k]));
            out[width..].fill(points[cols - 1][k]);
        }
    }
    let ScanBuffers {
        expanded,
        current,
        kept,
        extrapolated,
        chunk,
        ..
    } = buffers;
    let mut out_rows = fine_lon
        .chunks_exact_mut(width)
        .zip(fine_lat.chunks_exact_mut(width))
        .collect::<Vec<_>>();
    for (j, row) in g.rows.iter().enumerate() {
        let Some(row) = *row else { continue };
        for k in 0..3 {
            let tie_row = |i: usize| &expanded[k][i * expanded_len..(i + 1) * expanded_len];
            let (upper, lower) = (tie_row(row.upper), tie_row(row.lower));
            let columns = [&g.col_w0[..], &g.col_w1[..]];
            wide::interpolate_row(isa, upper, lower, f, row, columns, &mut current[k]);
            extrapolate_columns(&mut current[k], f - 1);
        }
        let (lon_row, lat_row) = &mut out_rows[j];
        row_lonlat(isa, current, chunk, lon_row, lat_row);
        for e in &g.extrapolations {
            if j == e.low {
                for (kept, current) in kept.iter_mut().zip(current.iter()) {
                    kept.copy_from_slice(current);
                }
            }
            if j != e.high {
                continue;
            }
            for &target in &e.targets {
                let y = [g.y[e.low], g.y[e.high], g.y[target]];
                for k in 0..3 {
                    wide::extrapolate_row(isa, &kept[k], &current[k], y, &mut extrapolated[k]);
                }
                let (lon_row, lat_row) = &mut out_rows[target];
                row_lonlat(isa, extrapolated, chunk, lon_row, lat_row);
            }
        }
    }
}

/// Interpolates every scan of `lon`, `lat` (same shape, whole scans, degrees) into the row-major
/// `fine_lon` and `fine_lat` (`scans * fine_rows` x `fine_cols`). Inside a rayon pool the scans
/// are shared out across it, elsewhere they run serially; the result is the same. `stop` is
/// looked at between scans. `isa` as for [`interpolate_scan`].
pub fn interpolate<T: GeoFloat>(
    g: &Geometry<T>,
    lon: ArrayView2<'_, T>,
    lat: ArrayView2<'_, T>,
    fine_lon: &mut [T],
    fine_lat: &mut [T],
    isa: Isa,
    stop: &AtomicBool,
) -> Result<Result<(), ModisError>, Stopped> {
    let scans = match scans_of(&[lon, lat], "lon and lat", |r, c| g.scans(r, c)) {
        Ok(scans) => scans,
        Err(err) => return Ok(Err(err)),
    };
    let one = |buffers: &mut ScanBuffers<T>, scan: usize, out_lon: &mut [T], out_lat: &mut [T]| {
        let rows = scan * SCAN_ROWS..(scan + 1) * SCAN_ROWS;
        let lon = lon.slice(s![rows.clone(), ..]);
        let lat = lat.slice(s![rows, ..]);
        let (lon, lat) = (|i, j| lon[[i, j]], |i, j| lat[[i, j]]);
        interpolate_scan(g, lon, lat, buffers, out_lon, out_lat, isa);
    };
    for_each_scan(scans, fine_lon, fine_lat, stop, || g.buffers(), one)?;
    Ok(Ok(()))
}

/// The vector passes compiled for AVX-512 / AVX2 and picked at run time (the library is built
/// for baseline x86-64). Only IEEE add, sub, mul, div, sqrt, compares and conversions are
/// involved, never fused, so every build gives the same bits.
#[cfg_attr(target_arch = "x86_64", allow(unsafe_code))]
mod wide {
    use super::{ChunkWork, GeoFloat, RowWeights};
    use crate::simd_row_sum::Isa;

    dispatch!(interpolate_row, interpolate_row_avx512, interpolate_row_avx2, <T>,
        (upper: &[T], lower: &[T], factor: usize, row: RowWeights, columns: [&[f64]; 2],
         out: &mut [T]) -> ());
    dispatch!(extrapolate_row, extrapolate_row_avx512, extrapolate_row_avx2, <T>,
        (low: &[T], high: &[T], y: [T; 3], out: &mut [T]) -> ());
    dispatch!(row_arguments, row_arguments_avx512, row_arguments_avx2, <T>,
        (x: &[T], y: &[T], z: &[T], work: &mut ChunkWork) -> ());
}

#[cfg(test)]
mod tests;
