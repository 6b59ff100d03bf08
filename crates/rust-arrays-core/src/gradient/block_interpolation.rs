//! pyresample's NumPy `block_bilinear_interpolator` and `block_nn_interpolator`, one target pixel
//! at a time, with no full-size temporaries.
//!
//! Per pixel, as NumPy's whole-array steps do: the block's start is subtracted from the indices
//! (when a block is given), NaN y marks the pixel as missing, `nan_to_num` turns NaN into 0 and
//! ±inf into ±`f64::MAX`, `clip` keeps indices in the data (`if x < lo {lo}; if x > hi {hi}`,
//! which leaves -0.0 alone), `modf` splits them. Bilinear weights are then rounded to the data's
//! type and every product and sum is in that type, in NumPy's order; nearest rounds half to even
//! (`np.rint`).

use std::sync::atomic::AtomicBool;

use ndarray::{ArrayView1, ArrayView2, ArrayView3, ArrayViewMut3, Axis};
use rayon::prelude::*;

use super::{same_shape, GeoFloat, Method, ShapeError};
use crate::{check, in_rayon_pool, Stopped};

/// The fractional source indices of a block of target pixels (upstream's `indices_xy`), with
/// the block's source start `(x, y)` to subtract, if any (`block_info`'s array location).
#[derive(Clone, Copy)]
pub struct BlockIndices<'a> {
    pub x: ArrayView2<'a, f64>,
    pub y: ArrayView2<'a, f64>,
    pub start: Option<(f64, f64)>,
}

impl<'a> BlockIndices<'a> {
    /// `Err` unless `x` and `y` have one shape.
    pub fn new(
        x: ArrayView2<'a, f64>,
        y: ArrayView2<'a, f64>,
        start: Option<(f64, f64)>,
    ) -> Result<Self, ShapeError> {
        same_shape("indices_xy[1]", y.dim(), "indices_xy[0]", x.dim())?;
        Ok(BlockIndices { x, y, start })
    }
}

/// NumPy's float `clip` with constant bounds.
#[inline(always)]
fn clip(mut x: f64, low: f64, high: f64) -> f64 {
    if x < low {
        x = low;
    }
    if x > high {
        x = high;
    }
    x
}

/// `np.clip(np.nan_to_num(x), 0, last)`: NaN becomes 0, and ±inf clip to the bounds just as the
/// ±`f64::MAX` that `nan_to_num` would make of them.
#[inline(always)]
fn clipped(x: f64, last: f64) -> f64 {
    clip(if x.is_nan() { 0.0 } else { x }, 0.0, last)
}

/// The integral part of `0 <= x < 2**63` (or -0.0), as an integer: one truncating conversion
/// (`as` adds saturation checks that cannot apply here).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
fn whole_part(x: f64) -> usize {
    use std::arch::x86_64::{_mm_cvttsd_si64, _mm_set_sd};
    // SAFETY: SSE2 is part of x86-64 itself, so every x86-64 CPU has these instructions.
    unsafe { _mm_cvttsd_si64(_mm_set_sd(x)) as usize }
}

/// The integral part of `0 <= x < 2**63` (or -0.0), as an integer.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn whole_part(x: f64) -> usize {
    x as usize
}

/// `np.modf(x)` for `0 <= x < 2**63` (or -0.0): the fraction, with the sign of `x`, and the
/// integral part as an integer.
#[inline(always)]
fn modf(x: f64) -> (f64, usize) {
    let whole = whole_part(x);
    ((x - whole as f64).copysign(x), whole)
}

/// `np.rint(x)` (round half to even) for finite or infinite `x`: below 2**52 in magnitude,
/// adding and subtracting 2**52 leaves the nearest integer, ties to even (IEEE rounding does it
/// exactly); from there on every double is an integer. (No libm call: baseline x86-64 has no
/// rounding instruction.)
#[inline(always)]
fn rint(x: f64) -> f64 {
    const TWO_POW_52: f64 = 4_503_599_627_370_496.0;
    if x.abs() < TWO_POW_52 {
        ((x.abs() + TWO_POW_52) - TWO_POW_52).copysign(x)
    } else {
        x
    }
}

/// The source cell of one target pixel: the C-order offsets of its four corners in a channel
/// (line start/end x pixel start/end) and their weights, NumPy's whole-array products
/// `(1 - wl) * (1 - wp)`, `(1 - wl) * wp`, `wl * (1 - wp)`, `wl * wp` in the data's type
/// (computed once per pixel, as NumPy computes them once per array, whatever the channels).
#[derive(Clone, Copy, Default)]
struct Cell<T> {
    corners: [usize; 4],
    weights: [T; 4],
}

/// `l_start` (the clipped index's integral part), `l_end = clip(l_start + 1, 1, n - 1)` (an
/// int64 clip) and the fraction, along an axis of `n >= 1` points.
#[inline(always)]
fn cell_axis(index: f64, n: usize) -> (usize, usize, f64) {
    let (fraction, start) = modf(clipped(index, (n - 1) as f64));
    let end = (start + 1).max(1).min(n - 1);
    (start, end, fraction)
}

/// One target pixel: `None` where upstream's mask (NaN y index) applies, else the cell
/// (bilinear) or the nearest source pixel as a cell with four equal corners.
#[inline(always)]
fn locate<T: GeoFloat>(
    x: f64,
    y: f64,
    start: Option<(f64, f64)>,
    (lines, pixels): (usize, usize),
    method: Method,
) -> Option<Cell<T>> {
    let (x, y) = match start {
        Some((x0, y0)) => (x - x0, y - y0),
        None => (x, y),
    };
    if y.is_nan() {
        return None;
    }
    match method {
        Method::Bilinear => {
            let (l_start, l_end, w_l) = cell_axis(y, lines);
            let (p_start, p_end, w_p) = cell_axis(x, pixels);
            let (w_l, w_p, one) = (T::narrow(w_l), T::narrow(w_p), T::narrow(1.0));
            Some(Cell {
                corners: [
                    l_start * pixels + p_start,
                    l_start * pixels + p_end,
                    l_end * pixels + p_start,
                    l_end * pixels + p_end,
                ],
                weights: [
                    (one - w_l) * (one - w_p),
                    (one - w_l) * w_p,
                    w_l * (one - w_p),
                    w_l * w_p,
                ],
            })
        }
        Method::Nearest => {
            // rint before clip, as upstream (rint keeps NaN and ±inf, which clipped handles).
            let l = whole_part(clipped(rint(y), (lines - 1) as f64));
            let p = whole_part(clipped(rint(x), (pixels - 1) as f64));
            Some(Cell {
                corners: [l * pixels + p; 4],
                weights: [T::narrow(0.0); 4],
            })
        }
    }
}

/// `channel[k]` for a corner offset of a [`Cell`], which [`locate`] makes from a line below
/// `lines` and a pixel below `pixels`: always inside the channel's `lines * pixels` values.
#[inline(always)]
#[allow(unsafe_code)]
fn corner<T: GeoFloat>(channel: &[T], k: usize) -> T {
    debug_assert!(k < channel.len());
    // SAFETY: `k < channel.len()`, see above (the bounds check was a tenth of the work).
    unsafe { *channel.get_unchecked(k) }
}

/// NumPy's `((1 - wl) * (1 - wp) * d00 + (1 - wl) * wp * d01 + wl * (1 - wp) * d10 + wl * wp *
/// d11)`, every step in `T`, left to right.
#[inline(always)]
fn bilinear<T: GeoFloat>(cell: &Cell<T>, channel: &[T]) -> T {
    let [w00, w01, w10, w11] = cell.weights;
    let [c00, c01, c10, c11] = cell.corners;
    w00 * corner(channel, c00)
        + w01 * corner(channel, c01)
        + w10 * corner(channel, c10)
        + w11 * corner(channel, c11)
}

/// One target row of every channel: pixel `j` (at `x[j]`, `y[j]`) into `out_rows[c][j]`,
/// `fill` where upstream's mask applies. Each pixel's cell is found once and used for every
/// channel right away (no row of cells to write and read back per channel).
#[inline(always)]
fn interpolate_row<T: GeoFloat, const BILINEAR: bool>(
    (x, y): (ArrayView1<'_, f64>, ArrayView1<'_, f64>),
    indices: &BlockIndices<'_>,
    (lines, pixels): (usize, usize),
    channels: &[&[T]],
    out_rows: &mut [&mut [T]],
    fill: T,
) {
    let method = if BILINEAR {
        Method::Bilinear
    } else {
        Method::Nearest
    };
    for (j, (&x, &y)) in x.iter().zip(y.iter()).enumerate() {
        let cell = locate::<T>(x, y, indices.start, (lines, pixels), method);
        for (channel, out) in channels.iter().zip(out_rows.iter_mut()) {
            out[j] = match &cell {
                None => fill,
                Some(cell) if BILINEAR => bilinear(cell, channel),
                Some(cell) => corner(channel, cell.corners[0]),
            };
        }
    }
}

/// Target rows per parallel task and per look at the stop flag.
const ROWS_PER_TASK: usize = 16;

/// Interpolates `data` (channels, lines, pixels; C order) at `indices` into `out` (channels,
/// target rows, target columns), `fill` where the y index is NaN. Inside a rayon pool the
/// target rows are shared out across it; elsewhere they run here. `Err` when `data` is not in
/// C order, or has no pixels to take values from while there are target pixels (NumPy's index
/// error upstream).
pub fn block_interpolate<T: GeoFloat>(
    data: ArrayView3<'_, T>,
    indices: BlockIndices<'_>,
    fill: T,
    method: Method,
    mut out: ArrayViewMut3<'_, T>,
    stop: &AtomicBool,
) -> Result<Result<(), ShapeError>, Stopped> {
    let (channels, lines, pixels) = data.dim();
    let (rows, cols) = indices.x.dim();
    assert_eq!(out.dim(), (channels, rows, cols));
    if (lines == 0 || pixels == 0) && rows * cols > 0 {
        return Ok(Err(ShapeError(format!(
            "data has no source pixels to interpolate from: its shape is {:?}",
            data.dim()
        ))));
    }
    let Some(values) = data.to_slice() else {
        return Ok(Err(ShapeError("data must be a C-contiguous array".into())));
    };
    if !out.is_standard_layout() {
        return Ok(Err(ShapeError(
            "the output must be a C-contiguous array".into(),
        )));
    }
    let plane = lines * pixels;
    let channel_values: Vec<&[T]> = values.chunks_exact(plane.max(1)).take(channels).collect();
    // One loop per method, chosen once.
    let interpolate_row = match method {
        Method::Bilinear => interpolate_row::<T, true>,
        Method::Nearest => interpolate_row::<T, false>,
    };
    let rows_task = |(task, mut block): (usize, ArrayViewMut3<'_, T>)| -> Result<(), Stopped> {
        check(stop)?;
        let first = task * ROWS_PER_TASK;
        for r in 0..block.dim().1 {
            let (x, y) = (indices.x.row(first + r), indices.y.row(first + r));
            let mut out_rows: Vec<&mut [T]> = block
                .axis_iter_mut(Axis(0))
                .map(|channel| {
                    let row = channel.index_axis_move(Axis(0), r);
                    row.into_slice().expect("output rows are contiguous")
                })
                .collect();
            interpolate_row(
                (x, y),
                &indices,
                (lines, pixels),
                &channel_values,
                &mut out_rows,
                fill,
            );
        }
        Ok(())
    };
    let tasks = out.axis_chunks_iter_mut(Axis(1), ROWS_PER_TASK);
    if in_rayon_pool() {
        tasks.into_par_iter().enumerate().try_for_each(rows_task)?;
    } else {
        tasks.enumerate().try_for_each(rows_task)?;
    }
    Ok(Ok(()))
}
