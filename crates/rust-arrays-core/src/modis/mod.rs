//! MODIS geolocation interpolation with the satellite zenith angle, as in
//! `geotiepoints.modisinterpolator` 1.9.0, bit for bit for float32 input.
//!
//! Every step reproduces the C that Cython 3.2.4 generates upstream: integer literals there are C
//! doubles, so `1 - x` with a float `x` is computed in double, while `float * float` stays float
//! and every store into a float variable rounds. `T::wide` widens to f64, `T::narrow` is such a
//! store. All libm calls are the double versions (`sin`, `cos`, `asin`, `acos`, `sqrt`). For f64
//! input the same formulas run in f64 (upstream rejects float64). See `docs/modis.md`.
//!
//! Scans are independent: [`interpolate_scan`] does one scan with its own small work buffers, so
//! callers can run scans in parallel.

use std::f64::consts::PI;
use std::ops::{Add, Div, Mul, Range, Sub};
use std::sync::atomic::AtomicBool;

use ndarray::{s, ArrayView2};
use rayon::prelude::*;

use crate::simd_row_sum::Isa;
use crate::{check, in_rayon_pool, Stopped};

/// `$name(isa, args..)` runs `super::$name(args..)` compiled for `isa`, which the caller made
/// sure this CPU has: the AVX-512 and AVX2 builds of plain Rust loops, picked at run time (the
/// library is built for baseline x86-64). Used inside the `wide` modules of the passes, which
/// import `GeoFloat` and `Isa`.
#[cfg(target_arch = "x86_64")]
macro_rules! dispatch {
    ($name:ident, $avx512:ident, $avx2:ident, <$t:ident>, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        #[target_feature(enable = "avx512f")]
        fn $avx512<$t: GeoFloat>($($arg: $ty),*) -> $ret {
            super::$name($($arg),*)
        }

        #[target_feature(enable = "avx2")]
        fn $avx2<$t: GeoFloat>($($arg: $ty),*) -> $ret {
            super::$name($($arg),*)
        }

        pub(super) fn $name<$t: GeoFloat>(isa: Isa, $($arg: $ty),*) -> $ret {
            debug_assert!(isa.is_available());
            match isa {
                // SAFETY: the caller checked that this CPU has the instruction set.
                Isa::Avx512 => unsafe { $avx512($($arg),*) },
                // SAFETY: as above.
                Isa::Avx2 => unsafe { $avx2($($arg),*) },
                Isa::Scalar => super::$name($($arg),*),
            }
        }
    };
}

/// Elsewhere only the portable build exists: `$name(isa, args..)` runs `super::$name(args..)`.
#[cfg(not(target_arch = "x86_64"))]
macro_rules! dispatch {
    ($name:ident, $avx512:ident, $avx2:ident, <$t:ident>, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {
        pub(super) fn $name<$t: GeoFloat>(_isa: Isa, $($arg: $ty),*) -> $ret {
            super::$name($($arg),*)
        }
    };
}

mod fine_rows;
pub mod simple;
mod tie_points;
mod vector_libm;

pub use vector_libm::{status as vector_libm_status, VectorLibm, VARIABLE as LIBMVEC_VARIABLE};

use fine_rows::{fine_chunk, CellRow, ChunkInput, ChunkWork, Track, CHUNK};
use tie_points::TiePointWork;

/// Earth radius (km) and satellite altitude (km) of the zenith-angle geometry.
const R: f64 = 6370.997;
const H: f64 = 709.0;
/// Earth radius (m) of the cartesian conversion.
const EARTH_RADIUS: f64 = 6_370_997.0;

/// float32 or float64: the type of the input, output and every "float" variable upstream.
pub trait GeoFloat:
    Copy
    + Send
    + Sync
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + 'static
{
    /// Widening to double (exact).
    fn wide(self) -> f64;
    /// A store of a double into a variable of this type (round to nearest even).
    fn narrow(value: f64) -> Self;
    /// Whether glibc's vector functions can decide outputs of this type (see
    /// `fine_rows::checked_degrees`, `tie_points::checked_xyz`): not for float64, whose outputs
    /// keep every bit of the libm result, so no margin around a vector result could ever round
    /// to one output.
    const VECTOR_LIBM: bool;
    /// Bitwise equality of numbers (tells -0 from 0; widening is exact and one-to-one on them).
    #[inline(always)]
    fn same_bits(self, other: Self) -> bool {
        self.wide().to_bits() == other.wide().to_bits()
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        self.wide().is_nan()
    }
}

impl GeoFloat for f32 {
    #[inline(always)]
    fn wide(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn narrow(value: f64) -> Self {
        value as f32
    }
    const VECTOR_LIBM: bool = true;
}

impl GeoFloat for f64 {
    #[inline(always)]
    fn wide(self) -> f64 {
        self
    }
    #[inline(always)]
    fn narrow(value: f64) -> Self {
        value
    }
    const VECTOR_LIBM: bool = false;
}

/// The resolutions upstream supports: 1 km to 500 m or 250 m, 5 km to 1 km, 500 m or 250 m.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    M250,
    M500,
    Km1,
    Km5,
}

impl Resolution {
    /// The resolution of that many metres, if supported.
    pub fn from_metres(metres: u32) -> Option<Self> {
        match metres {
            250 => Some(Self::M250),
            500 => Some(Self::M500),
            1000 => Some(Self::Km1),
            5000 => Some(Self::Km5),
            _ => None,
        }
    }

    fn metres(self) -> usize {
        match self {
            Self::M250 => 250,
            Self::M500 => 500,
            Self::Km1 => 1000,
            Self::Km5 => 5000,
        }
    }
}

/// Why a geometry or an input cannot be interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModisError {
    /// The coarse/fine pair is not one upstream supports (`supported` lists those that are).
    Resolutions {
        coarse: u32,
        fine: u32,
        supported: &'static str,
    },
    /// 5 km tie points must have 270 or 271 columns.
    ScanWidth(usize),
    /// Inputs of the wrong shape.
    Shape(String),
}

impl std::fmt::Display for ModisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Resolutions {
                coarse,
                fine,
                supported,
            } => write!(
                f,
                "cannot interpolate from {coarse} m to {fine} m (supported: {supported})"
            ),
            Self::ScanWidth(width) => write!(
                f,
                "5 km tie points must have 270 or 271 columns per scan, got {width}"
            ),
            Self::Shape(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for ModisError {}

/// The fixed layout of one interpolation: scan sizes, fine coordinates (`s_s`, `s_t`) and which
/// coarse cell each fine row and column falls in.
#[derive(Debug, Clone)]
pub struct Geometry<T> {
    /// Coarse rows per scan (10 for 1 km, 2 for 5 km).
    pub coarse_rows: usize,
    /// Coarse columns per scan (1354; 271 or 270 for 5 km).
    pub coarse_cols: usize,
    /// Fine rows per scan.
    pub fine_rows: usize,
    /// Fine columns per scan.
    pub fine_cols: usize,
    /// Fine pixels per coarse pixel along each axis.
    pub factor: usize,
    /// `scan_width` of upstream's alignment term: coarse pixels per km (1 or 5).
    scan_width: usize,
    s_t: Vec<T>,
    /// `s_s` widened, and `s_s * (1 - s_s)` in double, per fine column.
    scan: Vec<f64>,
    scan_curvature: Vec<f64>,
    cell_row: Vec<usize>,
    /// The fine columns of the coarse cell columns, in blocks of cells with equally long runs.
    column_blocks: Vec<ColumnBlock>,
}

/// Consecutive coarse cell columns `cells` whose fine columns, from `first_col` on, come in runs
/// of `run` columns each (so a block is copied with one tight loop per array).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ColumnBlock {
    cells: Range<usize>,
    first_col: usize,
    run: usize,
}

impl ColumnBlock {
    fn columns(&self) -> Range<usize> {
        self.first_col..self.first_col + self.cells.len() * self.run
    }
}

impl<T: GeoFloat> Geometry<T> {
    /// The geometry of `coarse` to `fine` tie points. `coarse_scan_width` is only read for 5 km
    /// (None or 0: 271).
    pub fn new(
        coarse: u32,
        fine: u32,
        coarse_scan_width: Option<usize>,
    ) -> Result<Self, ModisError> {
        use Resolution::*;
        let bad = ModisError::Resolutions {
            coarse,
            fine,
            supported: "1000 to 500 or 250, 5000 to 1000, 500 or 250",
        };
        let (c, f) = match (
            Resolution::from_metres(coarse),
            Resolution::from_metres(fine),
        ) {
            (Some(c), Some(f)) => (c, f),
            _ => return Err(bad),
        };
        if !matches!((c, f), (Km1, M500 | M250) | (Km5, Km1 | M500 | M250)) {
            return Err(bad);
        }
        let coarse_per_km = c.metres() / 1000;
        let fine_per_km = 1000 / f.metres();
        let factor = fine_per_km * coarse_per_km;
        let fine_cols = 1354 * fine_per_km;
        let (coarse_rows, coarse_cols) = if c == Km1 {
            (10, 1354)
        } else {
            match coarse_scan_width.unwrap_or(0) {
                0 | 271 => (2, 271),
                270 => (2, 270),
                other => return Err(ModisError::ScanWidth(other)),
            }
        };
        let fine_rows = coarse_rows * factor;
        // Upstream's float32 coordinate arrays (exact small values in either type).
        let (x, y): (Vec<f64>, Vec<f64>) = if c == Km1 {
            let x = (0..fine_cols)
                .map(|col| {
                    if col >= fine_cols - factor {
                        (factor + col - (fine_cols - factor)) as f64
                    } else {
                        (col % factor) as f64
                    }
                })
                .collect();
            let half = factor / 2;
            let y = (0..fine_rows)
                .map(|row| {
                    if row < half {
                        0.5 + row as f64 - half as f64
                    } else if row >= fine_rows - half {
                        (factor as f64 + 0.5) + (half - (fine_rows - row)) as f64
                    } else {
                        ((row + half) % factor) as f64 + 0.5
                    }
                })
                .collect();
            (x, y)
        } else {
            let mut x: Vec<f64> = (0..fine_cols)
                .map(|col| (col as i64 - 2).rem_euclid(factor as i64) as f64)
                .collect();
            x[0] = -2.0;
            x[1] = -1.0;
            let tail: &[f64] = if coarse_cols == 271 {
                &[5.0, 6.0]
            } else {
                &[5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]
            };
            x[fine_cols - tail.len()..].copy_from_slice(tail);
            let y = (0..fine_rows).map(|row| row as f64 - 2.0).collect();
            (x, y)
        };
        let n = T::narrow(factor as f64);
        let s_s: Vec<T> = x.iter().map(|&v| T::narrow(v) / n).collect();
        let s_t = y.iter().map(|&v| T::narrow(v) / n).collect();
        let scan: Vec<f64> = s_s.iter().map(|v| v.wide()).collect();
        let scan_curvature = scan.iter().map(|&v| v * (1.0 - v)).collect();
        // The coarse cell of each fine pixel, as upstream's block copies ("expansion") place it.
        let (row_shift, col_shift) = if c == Km1 {
            (factor as i64 / 2, 0)
        } else {
            (0, 2 * fine_per_km as i64)
        };
        let cell = |index: usize, shift: i64, cells: usize| {
            (index as i64 - shift)
                .div_euclid(factor as i64)
                .clamp(0, cells as i64 - 1) as usize
        };
        let cell_row = (0..fine_rows)
            .map(|row| cell(row, row_shift, coarse_rows - 1))
            .collect();
        let cell_col: Vec<usize> = (0..fine_cols)
            .map(|col| cell(col, col_shift, coarse_cols - 1))
            .collect();
        let mut column_runs: Vec<(usize, Range<usize>)> = Vec::new();
        for (col, &j) in cell_col.iter().enumerate() {
            match column_runs.last_mut() {
                Some((last, run)) if *last == j => run.end = col + 1,
                _ => column_runs.push((j, col..col + 1)),
            }
        }
        let mut column_blocks: Vec<ColumnBlock> = Vec::new();
        for (j, columns) in column_runs {
            match column_blocks.last_mut() {
                Some(block) if block.cells.end == j && block.run == columns.len() => {
                    block.cells.end += 1;
                }
                _ => column_blocks.push(ColumnBlock {
                    cells: j..j + 1,
                    first_col: columns.start,
                    run: columns.len(),
                }),
            }
        }
        Ok(Self {
            coarse_rows,
            coarse_cols,
            fine_rows,
            fine_cols,
            factor,
            scan_width: coarse_per_km,
            s_t,
            scan,
            scan_curvature,
            cell_row,
            column_blocks,
        })
    }

    /// Fresh work buffers for [`interpolate_scan`] (one set per thread).
    pub fn buffers(&self) -> ScanBuffers<T> {
        let cells = (self.coarse_rows - 1) * (self.coarse_cols - 1);
        let zero = T::narrow(0.0);
        ScanBuffers {
            expansion: vec![zero; cells],
            alignment: vec![zero; cells],
            xyz: vec![[zero; 3]; self.coarse_rows * self.coarse_cols],
            tie_points: TiePointWork::new(self.coarse_rows * self.coarse_cols),
            zenith: vec![
                Zenith {
                    phi: zero,
                    theta: zero
                };
                self.coarse_cols
            ],
            cell_row: CellRow::new(self.fine_cols),
            chunk: ChunkWork::new(),
        }
    }
}

/// Per-scan work buffers: the expansion and alignment coefficients of each coarse cell, the
/// cartesian coordinates of each tie point, the zenith terms of one row of tie points, one
/// coarse cell row gathered per fine column and the intermediates of one chunk of a fine row.
#[derive(Debug, Clone)]
pub struct ScanBuffers<T> {
    expansion: Vec<T>,
    alignment: Vec<T>,
    xyz: Vec<[T; 3]>,
    tie_points: TiePointWork,
    /// The zenith terms of one row of tie points.
    zenith: Vec<Zenith<T>>,
    cell_row: CellRow<T>,
    chunk: ChunkWork,
}

/// `isa` if this CPU has it, else the best it has.
fn runnable(isa: Isa) -> Isa {
    if isa.is_available() {
        isa
    } else {
        crate::simd_row_sum::best_isa()
    }
}

#[inline(always)]
fn deg2rad<T: GeoFloat>(degrees: T) -> T {
    T::narrow(degrees.wide() * (PI / 180.0))
}

#[inline(always)]
fn rad2deg(radians: f64) -> f64 {
    radians * (180.0 / PI)
}

#[inline(always)]
fn sign(value: f64) -> f64 {
    if value > 0.0 {
        1.0
    } else if value < 0.0 {
        -1.0
    } else {
        0.0
    }
}

#[inline(always)]
fn compute_phi<T: GeoFloat>(zeta: T) -> T {
    T::narrow(((R * zeta.wide().sin()) / (R + H)).asin())
}

#[inline(always)]
fn compute_zeta<T: GeoFloat>(phi: T) -> T {
    T::narrow((((R + H) * phi.wide().sin()) / R).asin())
}

/// The zenith terms of one tie point: the angle `phi` at the satellite and `theta = satz - phi`
/// at the earth's centre (radians). Upstream computes them twice, once per neighbouring cell;
/// computing them once per tie point gives the same values at half the libm calls.
#[derive(Debug, Clone, Copy)]
struct Zenith<T> {
    phi: T,
    theta: T,
}

#[inline]
fn zenith<T: GeoFloat>(satz: T) -> Zenith<T> {
    let satz_rad = deg2rad(satz);
    let phi = compute_phi(satz_rad);
    Zenith {
        phi,
        theta: satz_rad - phi,
    }
}

/// Upstream's `_compute_expansion_alignment` for a tie point `a` and its right neighbour `b`:
/// (expansion, alignment).
#[inline]
fn expansion_alignment<T: GeoFloat>(a: Zenith<T>, b: Zenith<T>, scan_width: usize) -> (T, T) {
    let (phi_a, phi_b, theta_a, theta_b) = (a.phi, b.phi, a.theta, b.theta);
    let phi = T::narrow((phi_a + phi_b).wide() / 2.0);
    let zeta = compute_zeta(phi);
    let theta = zeta - phi;
    let denominator = if theta_a == theta_b {
        T::narrow(theta_a.wide() * 2.0)
    } else {
        theta_a - theta_b
    };
    let expansion =
        T::narrow(4.0 * ((((theta_a + theta_b).wide() / 2.0) - theta.wide()) / denominator.wide()));
    let sin_beta_2 = T::narrow(scan_width as f64 / (2.0 * H));
    let cos_zeta = zeta.wide().cos();
    let d = T::narrow(((((R + H) / R) * phi.wide().cos()) - cos_zeta) * sin_beta_2.wide());
    let e = T::narrow(cos_zeta - (cos_zeta * cos_zeta - (d * d).wide()).sqrt());
    let alignment = T::narrow(((4.0 * e.wide()) * zeta.wide().sin()) / denominator.wide());
    (expansion, alignment)
}

/// Interpolates one scan. `lon`, `lat`, `satz` give the coarse tie point at (row, column) of the
/// scan (`coarse_rows` x `coarse_cols`, degrees); `fine_lon` and `fine_lat` are the scan's
/// output, row-major `fine_rows` x `fine_cols`. `isa` picks the vector build of the per-pixel
/// arithmetic (unavailable ones fall back to the best available; all give the same bits).
#[allow(clippy::too_many_arguments)]
pub fn interpolate_scan<T: GeoFloat>(
    geometry: &Geometry<T>,
    lon: impl Fn(usize, usize) -> T,
    lat: impl Fn(usize, usize) -> T,
    satz: impl Fn(usize, usize) -> T,
    buffers: &mut ScanBuffers<T>,
    fine_lon: &mut [T],
    fine_lat: &mut [T],
    isa: Isa,
) {
    let g = geometry;
    // Resolved once per scan: the passes below take an instruction set this CPU has.
    let isa = runnable(isa);
    let (rows, cols) = (g.coarse_rows, g.coarse_cols);
    assert_eq!(fine_lon.len(), g.fine_rows * g.fine_cols);
    assert_eq!(fine_lat.len(), g.fine_rows * g.fine_cols);
    let cell_cols = cols - 1;
    for i in 0..rows - 1 {
        for (j, point) in buffers.zenith.iter_mut().enumerate() {
            *point = zenith(satz(i, j));
        }
        for j in 0..cell_cols {
            let (a, b) = (buffers.zenith[j], buffers.zenith[j + 1]);
            let (expansion, alignment) = expansion_alignment(a, b, g.scan_width);
            buffers.expansion[i * cell_cols + j] = expansion;
            buffers.alignment[i * cell_cols + j] = alignment;
        }
    }
    let tie_point = |k: usize| (k / cols, k % cols);
    let lon_lat = |k| {
        let (i, j) = tie_point(k);
        (lon(i, j), lat(i, j))
    };
    tie_points::scan_xyz(isa, lon_lat, &mut buffers.tie_points, &mut buffers.xyz);
    let rows_out = fine_lon
        .chunks_exact_mut(g.fine_cols)
        .zip(fine_lat.chunks_exact_mut(g.fine_cols));
    let mut gathered = None;
    for (r, (lon_row, lat_row)) in rows_out.enumerate() {
        let i = g.cell_row[r];
        if gathered != Some(i) {
            gather_cell_row(g, i, buffers);
            gathered = Some(i);
        }
        let fraction = g.s_t[r];
        let s_t = fraction.wide();
        let track = Track {
            fraction,
            curvature: s_t * (1.0 - s_t),
            complement: 1.0 - s_t,
        };
        let cells = &buffers.cell_row;
        for start in (0..g.fine_cols).step_by(CHUNK) {
            let columns = start..(start + CHUNK).min(g.fine_cols);
            let input = ChunkInput {
                scan: &g.scan[columns.clone()],
                scan_curvature: &g.scan_curvature[columns.clone()],
                expansion: &cells.expansion[columns.clone()],
                alignment: &cells.alignment[columns.clone()],
                corners: std::array::from_fn(|corner| {
                    std::array::from_fn(|k| &cells.corners[corner][k][columns.clone()])
                }),
            };
            fine_chunk(
                isa,
                track,
                &input,
                &mut buffers.chunk,
                &mut lon_row[columns.clone()],
                &mut lat_row[columns],
            );
        }
    }
}

/// Copies the coefficients and corners of coarse cell row `i` to each fine column.
fn gather_cell_row<T: GeoFloat>(g: &Geometry<T>, i: usize, buffers: &mut ScanBuffers<T>) {
    let (cols, cell_cols) = (g.coarse_cols, g.coarse_cols - 1);
    let cells = &mut buffers.cell_row;
    for block in &g.column_blocks {
        let (columns, run) = (block.columns(), block.run);
        let row = i * cell_cols;
        let coefficients = [
            (&mut cells.expansion, &buffers.expansion),
            (&mut cells.alignment, &buffers.alignment),
        ];
        for (out, values) in coefficients {
            let values = &values[row + block.cells.start..row + block.cells.end];
            repeat_each(&mut out[columns.clone()], run, values.iter().copied());
        }
        let first_points = [i * cols, i * cols + 1, (i + 1) * cols, (i + 1) * cols + 1];
        for (corner, first) in cells.corners.iter_mut().zip(first_points) {
            let points = &buffers.xyz[first + block.cells.start..first + block.cells.end];
            for (k, coordinate) in corner.iter_mut().enumerate() {
                let values = points.iter().map(|point| point[k]);
                repeat_each(&mut coordinate[columns.clone()], run, values);
            }
        }
    }
}

/// `out` = each of `values` repeated `run` times (runs of 2, 4 and 5, the common factors, get
/// fixed-size copies).
#[inline(always)]
fn repeat_each<T: Copy>(out: &mut [T], run: usize, values: impl Iterator<Item = T>) {
    fn fixed<T: Copy, const N: usize>(out: &mut [T], values: impl Iterator<Item = T>) {
        for (chunk, value) in out.chunks_exact_mut(N).zip(values) {
            chunk.copy_from_slice(&[value; N]);
        }
    }
    match run {
        2 => fixed::<T, 2>(out, values),
        4 => fixed::<T, 4>(out, values),
        5 => fixed::<T, 5>(out, values),
        _ => {
            for (chunk, value) in out.chunks_exact_mut(run).zip(values) {
                chunk.fill(value);
            }
        }
    }
}

impl<T: GeoFloat> Geometry<T> {
    /// The number of scans in tie point arrays of `rows` x `cols`, or why they do not fit.
    pub fn scans(&self, rows: usize, cols: usize) -> Result<usize, ModisError> {
        if cols != self.coarse_cols {
            return Err(ModisError::Shape(format!(
                "expected {} columns of tie points per scan, got {cols}",
                self.coarse_cols
            )));
        }
        if !rows.is_multiple_of(self.coarse_rows) {
            return Err(ModisError::Shape(format!(
                "{rows} rows are not whole scans of {} rows",
                self.coarse_rows
            )));
        }
        Ok(rows / self.coarse_rows)
    }
}

/// Interpolates every scan of `lon`, `lat`, `satz` (same shape, whole scans, degrees) into the
/// row-major `fine_lon` and `fine_lat` (`scans * fine_rows` x `fine_cols`). Inside a rayon pool
/// the scans are shared out across it (one set of work buffers per task), elsewhere they run
/// serially on the calling thread; the result is the same. `stop` is looked at between scans.
/// `isa` as for [`interpolate_scan`].
#[allow(clippy::too_many_arguments)]
pub fn interpolate<T: GeoFloat>(
    geometry: &Geometry<T>,
    lon: ArrayView2<'_, T>,
    lat: ArrayView2<'_, T>,
    satz: ArrayView2<'_, T>,
    fine_lon: &mut [T],
    fine_lat: &mut [T],
    isa: Isa,
    stop: &AtomicBool,
) -> Result<Result<(), ModisError>, Stopped> {
    let g = geometry;
    let scans = match scans_of(&[lon, lat, satz], "lon, lat and satz", |r, c| g.scans(r, c)) {
        Ok(scans) => scans,
        Err(err) => return Ok(Err(err)),
    };
    let one = |buffers: &mut ScanBuffers<T>, scan: usize, out_lon: &mut [T], out_lat: &mut [T]| {
        let rows = scan * g.coarse_rows..(scan + 1) * g.coarse_rows;
        let (lon, lat, satz) = (
            lon.slice(s![rows.clone(), ..]),
            lat.slice(s![rows.clone(), ..]),
            satz.slice(s![rows, ..]),
        );
        interpolate_scan(
            g,
            |i, j| lon[[i, j]],
            |i, j| lat[[i, j]],
            |i, j| satz[[i, j]],
            buffers,
            out_lon,
            out_lat,
            isa,
        );
    };
    for_each_scan(scans, fine_lon, fine_lat, stop, || g.buffers(), one)?;
    Ok(Ok(()))
}

/// The number of scans in `inputs` (`names` in messages), which must have one shape, as
/// `scans(rows, cols)` counts them.
fn scans_of<T>(
    inputs: &[ArrayView2<'_, T>],
    names: &str,
    scans: impl FnOnce(usize, usize) -> Result<usize, ModisError>,
) -> Result<usize, ModisError> {
    let dims: Vec<String> = inputs.iter().map(|a| format!("{:?}", a.dim())).collect();
    if dims.iter().any(|d| *d != dims[0]) {
        let (last, first) = dims.split_last().expect("inputs");
        return Err(ModisError::Shape(format!(
            "{names} must have one shape, got {} and {last}",
            first.join(", ")
        )));
    }
    scans(inputs[0].nrows(), inputs[0].ncols())
}

/// Runs `one(buffers, scan, fine_lon, fine_lat)` for each of `scans` scans, with that scan's
/// share of the outputs. Inside a rayon pool the scans are shared out across it (one
/// `buffers()` per task), elsewhere they run serially on the calling thread; each scan's outputs
/// depend on that scan alone, so the result is the same. `stop` is looked at before each scan.
fn for_each_scan<T: Send, B>(
    scans: usize,
    fine_lon: &mut [T],
    fine_lat: &mut [T],
    stop: &AtomicBool,
    buffers: impl Fn() -> B + Sync + Send,
    one: impl Fn(&mut B, usize, &mut [T], &mut [T]) + Sync + Send,
) -> Result<(), Stopped> {
    assert_eq!(fine_lon.len(), fine_lat.len());
    if scans == 0 {
        assert!(fine_lon.is_empty());
        return Ok(());
    }
    assert!(fine_lon.len().is_multiple_of(scans));
    let scan_len = fine_lon.len() / scans;
    let step = |buffers: &mut B, (scan, (lon, lat)): (usize, (&mut [T], &mut [T]))| {
        check(stop)?;
        one(buffers, scan, lon, lat);
        Ok(())
    };
    if in_rayon_pool() {
        fine_lon
            .par_chunks_mut(scan_len)
            .zip(fine_lat.par_chunks_mut(scan_len))
            .enumerate()
            .try_for_each_init(buffers, step)
    } else {
        let mut buffers = buffers();
        fine_lon
            .chunks_mut(scan_len)
            .zip(fine_lat.chunks_mut(scan_len))
            .enumerate()
            .try_for_each(|item| step(&mut buffers, item))
    }
}

#[cfg(test)]
mod tests;
