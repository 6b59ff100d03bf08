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

use ndarray::{s, ArrayView2, ArrayView3, ArrayViewMut3, Axis};
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

/// `np.nan_to_num(x)`.
#[inline(always)]
fn nan_to_num(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else if x == f64::INFINITY {
        f64::MAX
    } else if x == f64::NEG_INFINITY {
        f64::MIN
    } else {
        x
    }
}

/// `np.modf(x)` for `0 <= |x| < 2**63`: (fraction, integral part), both with the sign of `x`.
/// (The integral part via an integer: baseline x86-64 has no rounding instruction, and
/// `f64::trunc` would be a libm call.)
#[inline(always)]
fn modf(x: f64) -> (f64, f64) {
    let whole = x as i64 as f64;
    ((x - whole).copysign(x), whole)
}

/// `np.rint(x)` (round half to even) for finite `x`: below 2**52 in magnitude, adding and
/// subtracting 2**52 leaves the nearest integer, ties to even (IEEE rounding does it exactly);
/// from there on every double is an integer. (No libm call, as for [`modf`].)
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
/// (line start/end x pixel start/end) and the weights along lines and pixels.
#[derive(Clone, Copy)]
struct Cell<T> {
    corners: [usize; 4],
    w_l: T,
    w_p: T,
}

/// `l_start` (the clipped index's integral part) and `l_end = clip(l_start + 1, 1, n - 1)`
/// (an int64 clip), and the fraction, along an axis of `n >= 1` points.
#[inline(always)]
fn cell_axis(index: f64, n: usize) -> (usize, usize, f64) {
    let (fraction, whole) = modf(clip(index, 0.0, (n - 1) as f64));
    let start = whole as usize;
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
    let (x, y) = (nan_to_num(x), nan_to_num(y));
    let last = |n: usize| (n - 1) as f64;
    match method {
        Method::Bilinear => {
            let (l_start, l_end, w_l) = cell_axis(y, lines);
            let (p_start, p_end, w_p) = cell_axis(x, pixels);
            Some(Cell {
                corners: [
                    l_start * pixels + p_start,
                    l_start * pixels + p_end,
                    l_end * pixels + p_start,
                    l_end * pixels + p_end,
                ],
                w_l: T::narrow(w_l),
                w_p: T::narrow(w_p),
            })
        }
        Method::Nearest => {
            let l = clip(rint(y), 0.0, last(lines)) as usize;
            let p = clip(rint(x), 0.0, last(pixels)) as usize;
            Some(Cell {
                corners: [l * pixels + p; 4],
                w_l: T::narrow(0.0),
                w_p: T::narrow(0.0),
            })
        }
    }
}

/// NumPy's `((1 - wl) * (1 - wp) * d00 + (1 - wl) * wp * d01 + wl * (1 - wp) * d10 + wl * wp *
/// d11)`, every step in `T`.
#[inline(always)]
fn bilinear<T: GeoFloat>(cell: &Cell<T>, channel: &[T]) -> T {
    let one = T::narrow(1.0);
    let (w_l, w_p) = (cell.w_l, cell.w_p);
    let [c00, c01, c10, c11] = cell.corners;
    (one - w_l) * (one - w_p) * channel[c00]
        + (one - w_l) * w_p * channel[c01]
        + w_l * (one - w_p) * channel[c10]
        + w_l * w_p * channel[c11]
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
    let plane = lines * pixels;
    let rows_task = |(task, mut block): (usize, ArrayViewMut3<'_, T>)| -> Result<(), Stopped> {
        check(stop)?;
        let first = task * ROWS_PER_TASK;
        let mut cells = Vec::with_capacity(cols);
        for r in 0..block.dim().1 {
            let (x, y) = (indices.x.row(first + r), indices.y.row(first + r));
            cells.clear();
            cells.extend(
                (0..cols).map(|j| locate::<T>(x[j], y[j], indices.start, (lines, pixels), method)),
            );
            for c in 0..channels {
                let channel = &values[c * plane..(c + 1) * plane];
                let mut out_row = block.slice_mut(s![c, r, ..]);
                for (value, cell) in out_row.iter_mut().zip(&cells) {
                    *value = match cell {
                        None => fill,
                        Some(cell) => match method {
                            Method::Bilinear => bilinear(cell, channel),
                            Method::Nearest => channel[cell.corners[0]],
                        },
                    };
                }
            }
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
