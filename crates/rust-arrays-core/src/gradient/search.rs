//! The index search of pyresample's Cython `one_step_gradient_search_no_gil`, and what it writes
//! for each target pixel: the source value there (bilinear or nearest, `bil` / `nn`) or the
//! fractional source indices (`indices_xy`).
//!
//! Every operation is the C's: double arithmetic in the same order, `(int)` casts of doubles as
//! x86-64 does them (NaN and out-of-range give `INT_MIN`, see [`f64_to_c_int`]), the same bounds
//! checks and the same state carried from one target pixel to the next.

use std::ops::{ControlFlow, Range};
use std::sync::atomic::AtomicBool;

use ndarray::{ArrayView2, ArrayView3, ArrayViewMut3, Axis};

use super::numpy_gradient::{self, along};
use super::split::{seed_state, segments, split_search};
use super::{same_shape, GeoFloat, Method, ShapeError};
use crate::numpy_cast::f64_to_c_int;
use crate::{check, Stopped};

/// The source grid the search walks: its coordinates in the target's projection and their
/// gradients along lines and pixels.
pub trait SourceGrid: Sync {
    /// `(lines, pixels)`.
    fn dim(&self) -> (usize, usize);
    /// `(x, y)` at line `l`, pixel `p`, which is element `k = l * pixels + p` in C order.
    fn xy(&self, k: usize) -> (f64, f64);
    /// `[xl, xp, yl, yp]`: the gradients of x and y along lines and along pixels at line `l`,
    /// pixel `p` (element `k`).
    fn gradients(&self, l: usize, p: usize, k: usize) -> [f64; 4];
    /// Hints that element `k` will be read soon (no effect on results).
    fn prefetch(&self, _k: usize) {}
}

/// A 2-D float64 array in row-major order, read at positions the search has checked (one
/// bounds check per read, on the flat index).
#[derive(Clone, Copy)]
pub struct Plane<'a> {
    values: &'a [f64],
    dim: (usize, usize),
}

impl<'a> Plane<'a> {
    /// `None` unless `view` is in standard (C) layout.
    pub fn new(view: ArrayView2<'a, f64>) -> Option<Self> {
        let dim = view.dim();
        Some(Plane {
            values: view.to_slice()?,
            dim,
        })
    }

    /// Element `k` in C order.
    #[inline(always)]
    fn at(&self, k: usize) -> f64 {
        self.values[k]
    }

    /// Asks the CPU to bring element `k` (if there is one) into cache; no effect on values.
    #[inline(always)]
    #[allow(unsafe_code)]
    fn prefetch(&self, k: usize) {
        #[cfg(not(target_arch = "x86_64"))]
        let _ = k;
        #[cfg(target_arch = "x86_64")]
        if k < self.values.len() {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: a prefetch never faults; the address is inside the slice anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(self.values.as_ptr().add(k).cast()) }
        }
    }
}

/// `Err` naming the first array that is not in standard (C) layout.
fn planes<'a, const N: usize>(
    named: [(&str, ArrayView2<'a, f64>); N],
) -> Result<[Plane<'a>; N], ShapeError> {
    let mut out = Vec::with_capacity(N);
    for (name, view) in named {
        let plane = Plane::new(view)
            .ok_or_else(|| ShapeError(format!("{name} must be a C-contiguous array")))?;
        out.push(plane);
    }
    Ok(out.try_into().unwrap_or_else(|_| unreachable!()))
}

/// Coordinates with gradients given by the caller (upstream's kernel arguments).
pub struct GivenGradients<'a> {
    x: Plane<'a>,
    y: Plane<'a>,
    xl: Plane<'a>,
    xp: Plane<'a>,
    yl: Plane<'a>,
    yp: Plane<'a>,
}

impl<'a> GivenGradients<'a> {
    /// `Err` unless all six arrays have one shape and are C-contiguous.
    pub fn new(
        x: ArrayView2<'a, f64>,
        y: ArrayView2<'a, f64>,
        [xl, xp, yl, yp]: [ArrayView2<'a, f64>; 4],
    ) -> Result<Self, ShapeError> {
        let named = [
            ("src_y", &y),
            ("xl", &xl),
            ("xp", &xp),
            ("yl", &yl),
            ("yp", &yp),
        ];
        for (name, array) in named {
            same_shape(name, array.dim(), "src_x", x.dim())?;
        }
        let [x, y, xl, xp, yl, yp] = planes([
            ("src_x", x),
            ("src_y", y),
            ("xl", xl),
            ("xp", xp),
            ("yl", yl),
            ("yp", yp),
        ])?;
        Ok(GivenGradients {
            x,
            y,
            xl,
            xp,
            yl,
            yp,
        })
    }
}

impl SourceGrid for GivenGradients<'_> {
    fn dim(&self) -> (usize, usize) {
        self.x.dim
    }
    #[inline(always)]
    fn xy(&self, k: usize) -> (f64, f64) {
        (self.x.at(k), self.y.at(k))
    }
    #[inline(always)]
    fn gradients(&self, _: usize, _: usize, k: usize) -> [f64; 4] {
        [self.xl.at(k), self.xp.at(k), self.yl.at(k), self.yp.at(k)]
    }
    #[inline(always)]
    fn prefetch(&self, k: usize) {
        for plane in [&self.x, &self.y, &self.xl, &self.xp, &self.yl, &self.yp] {
            plane.prefetch(k);
        }
    }
}

/// Coordinates whose gradients are `np.gradient`'s, computed where the search needs them
/// (the same bits as NumPy's arrays, without four source-sized arrays).
pub struct DerivedGradients<'a> {
    x: Plane<'a>,
    y: Plane<'a>,
}

impl<'a> DerivedGradients<'a> {
    /// `Err` unless `x` and `y` have one shape with at least 2 lines and 2 pixels (as
    /// `np.gradient` needs) and are C-contiguous.
    pub fn new(x: ArrayView2<'a, f64>, y: ArrayView2<'a, f64>) -> Result<Self, ShapeError> {
        same_shape("src_y", y.dim(), "src_x", x.dim())?;
        numpy_gradient::check_shape(x.dim())?;
        let [x, y] = planes([("src_x", x), ("src_y", y)])?;
        Ok(DerivedGradients { x, y })
    }
}

impl SourceGrid for DerivedGradients<'_> {
    fn dim(&self) -> (usize, usize) {
        self.x.dim
    }
    #[inline(always)]
    fn xy(&self, k: usize) -> (f64, f64) {
        (self.x.at(k), self.y.at(k))
    }
    #[inline(always)]
    fn gradients(&self, l: usize, p: usize, k: usize) -> [f64; 4] {
        let (lines, pixels) = self.x.dim;
        let (x, y) = (&self.x, &self.y);
        // Neighbours along lines are `pixels` elements apart, along pixels 1.
        if l.wrapping_sub(1) < lines - 2 && p.wrapping_sub(1) < pixels - 2 {
            // Inside (the common case): central differences along both axes.
            let central =
                |plane: &Plane<'_>, step: usize| (plane.at(k + step) - plane.at(k - step)) / 2.0;
            return [
                central(x, pixels),
                central(x, 1),
                central(y, pixels),
                central(y, 1),
            ];
        }
        let line = |plane: &Plane<'_>| along(lines, l, |m| plane.at(m * pixels + p));
        let pixel = |plane: &Plane<'_>| along(pixels, p, |m| plane.at(k - p + m));
        [line(x), pixel(x), line(y), pixel(y)]
    }
}

/// Where the search stands between two target pixels: upstream's `l0`, `p0`, `last_l0`,
/// `last_p0` (C ints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchState {
    pub(super) l0: i32,
    pub(super) p0: i32,
    pub(super) last_l0: i32,
    pub(super) last_p0: i32,
}

impl SearchState {
    /// At source pixel `(l0, p0)`, the last solution at `(last_l0, last_p0)`.
    #[cfg(test)]
    pub(crate) fn at(l0: i32, p0: i32, last_l0: i32, last_p0: i32) -> Self {
        SearchState {
            l0,
            p0,
            last_l0,
            last_p0,
        }
    }

    /// Upstream's start: the centre of the source, `lmax // 2` with C's division (toward zero).
    pub fn centre(limits: Limits) -> Self {
        let (l0, p0) = (limits.lmax / 2, limits.pmax / 2);
        SearchState {
            l0,
            p0,
            last_l0: l0,
            last_p0: p0,
        }
    }
}

/// The last valid line and pixel of the source, as C ints (-1 for an empty axis).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub lmax: i32,
    pub pmax: i32,
}

impl Limits {
    /// `Err` for a source with 2**31 lines or pixels or more (upstream's C ints overflow).
    pub fn of(dim: (usize, usize)) -> Result<Self, ShapeError> {
        let last = |n: usize| {
            i32::try_from(n)
                .map(|n| n - 1)
                .map_err(|_| ShapeError(format!("the source has too many lines or pixels: {n}")))
        };
        Ok(Limits {
            lmax: last(dim.0)?,
            pmax: last(dim.1)?,
        })
    }
}

/// A target pixel's solution: the source pixel `(l0, p0)` and the offsets from it, with
/// `dl + l0` and `dp + p0` inside the source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Solution {
    pub l0: i32,
    pub p0: i32,
    pub dl: f64,
    pub dp: f64,
}

/// How far along its last move the search prefetches the next source cell: it mostly walks in
/// a straight line, and the six reads of a new cell were its main stall (1.1-1.3x measured).
const PREFETCH_CELLS_AHEAD: usize = 2;

/// What the search reads and derives at one source pixel, kept for the next target pixel: most
/// consecutive targets start (and many end) at the same source pixel. Reusing the values is
/// reusing the very same doubles, so no bit changes.
#[derive(Clone, Copy)]
pub(super) struct CachedCell {
    /// Element index in C order; `usize::MAX` before the first read.
    pub(super) k: usize,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) xl: f64,
    pub(super) xp: f64,
    pub(super) yl: f64,
    pub(super) yp: f64,
    /// `yl * xp - yp * xl`.
    pub(super) d: f64,
}

impl CachedCell {
    /// Upstream's step from this cell towards the target `(tx, ty)`: the line and pixel
    /// offsets `(dl, dp)`, its expressions in its order.
    #[inline(always)]
    pub(super) fn offsets(&self, (tx, ty): (f64, f64)) -> (f64, f64) {
        let (dx, dy) = (tx - self.x, ty - self.y);
        (
            (self.xp * dy - self.yp * dx) / self.d,
            (self.yl * dx - self.xl * dy) / self.d,
        )
    }

    pub(super) const EMPTY: CachedCell = CachedCell {
        k: usize::MAX,
        x: 0.0,
        y: 0.0,
        xl: 0.0,
        xp: 0.0,
        yl: 0.0,
        yp: 0.0,
        d: 0.0,
    };

    /// The cell at line `l`, pixel `p` (element `k`), read from `grid` unless it is this one.
    #[inline(always)]
    pub(super) fn at<G: SourceGrid>(
        &mut self,
        grid: &G,
        l: usize,
        p: usize,
        k: usize,
    ) -> &CachedCell {
        if self.k != k {
            let ahead = k.wrapping_add(k.wrapping_sub(self.k).wrapping_mul(PREFETCH_CELLS_AHEAD));
            grid.prefetch(ahead);
            let (x, y) = grid.xy(k);
            let [xl, xp, yl, yp] = grid.gradients(l, p, k);
            *self = CachedCell {
                k,
                x,
                y,
                xl,
                xp,
                yl,
                yp,
                d: yl * xp - yp * xl,
            };
        }
        self
    }
}

/// Searches the source position of `target` (x, y in the source's projection) from `state`,
/// which it updates as upstream does; `None` when the search does not converge in 5 steps or
/// ends outside the source.
#[inline(always)]
fn search_pixel<G: SourceGrid>(
    grid: &G,
    limits: Limits,
    target: (f64, f64),
    state: &mut SearchState,
    cache: &mut CachedCell,
) -> Option<Solution> {
    let Limits { lmax, pmax } = limits;
    let pixels = (pmax + 1) as usize;
    let (mut l0, mut p0) = (state.l0, state.p0);
    // Upstream counts up to 5 tries, whatever each one does (step, move back inside, or
    // find no gradient and try the same pixel again).
    for _ in 0..5 {
        if !((0..=lmax).contains(&l0) && (0..=pmax).contains(&p0)) {
            l0 = l0.min(lmax).max(0);
            p0 = p0.min(pmax).max(0);
            continue;
        }
        let (l, p) = (l0 as usize, p0 as usize);
        let cell = cache.at(grid, l, p, l * pixels + p);
        if cell.d == 0.0 {
            continue;
        }
        let (dl, dp) = cell.offsets(target);
        if dp.abs() < 1.0 && dl.abs() < 1.0 {
            *state = SearchState {
                l0,
                p0,
                last_l0: l0,
                last_p0: p0,
            };
            let (line, pixel) = (dl + f64::from(l0), dp + f64::from(p0));
            let inside =
                0.0 <= line && line <= f64::from(lmax) && 0.0 <= pixel && pixel <= f64::from(pmax);
            return inside.then_some(Solution { l0, p0, dl, dp });
        }
        l0 = f64_to_c_int(f64::from(l0) + dl);
        p0 = f64_to_c_int(f64::from(p0) + dp);
    }
    state.l0 = state.last_l0;
    state.p0 = state.last_p0;
    None
}

/// The target grid: x and y of every target pixel in the source's projection.
#[derive(Clone, Copy)]
pub struct Targets<'a> {
    x: Plane<'a>,
    y: Plane<'a>,
}

impl<'a> Targets<'a> {
    /// `Err` unless `x` and `y` have one shape and are C-contiguous.
    pub fn new(x: ArrayView2<'a, f64>, y: ArrayView2<'a, f64>) -> Result<Self, ShapeError> {
        same_shape("dst_y", y.dim(), "dst_x", x.dim())?;
        let [x, y] = planes([("dst_x", x), ("dst_y", y)])?;
        Ok(Targets { x, y })
    }

    pub fn dim(&self) -> (usize, usize) {
        self.x.dim
    }

    /// The target coordinates `(x, y)` of element `k` in C order.
    pub(super) fn at(&self, k: usize) -> (f64, f64) {
        (self.x.at(k), self.y.at(k))
    }
}

/// The column of the `k`-th pixel visited in target row `i`: even rows run left to right, odd
/// rows right to left.
#[inline(always)]
pub(super) fn column(i: usize, k: usize, cols: usize) -> usize {
    if i.is_multiple_of(2) {
        k
    } else {
        cols - 1 - k
    }
}

/// Runs the search over target rows `rows` in upstream's order (even rows left to right, odd
/// rows right to left), calling `visit(i, j, solution, state after it)` for every pixel of
/// those rows (`None`: nothing found, or an infinite target x, which upstream skips) until it
/// returns `ControlFlow::Break`. `stop` is looked at once per row. `Ok(true)` when every pixel
/// of `rows` was visited.
pub fn search_rows_until<G: SourceGrid>(
    grid: &G,
    limits: Limits,
    targets: Targets<'_>,
    rows: Range<usize>,
    state: &mut SearchState,
    stop: &AtomicBool,
    mut visit: impl FnMut(usize, usize, Option<Solution>, &SearchState) -> ControlFlow<()>,
) -> Result<bool, Stopped> {
    debug_assert_eq!(Limits::of(grid.dim()), Ok(limits));
    let cols = targets.dim().1;
    let mut cache = CachedCell::EMPTY;
    for i in rows {
        check(stop)?;
        let row = i * cols..(i + 1) * cols;
        let (row_x, row_y) = (&targets.x.values[row.clone()], &targets.y.values[row]);
        for k in 0..cols {
            let j = column(i, k, cols);
            let tx = row_x[j];
            let found = if tx.is_infinite() {
                None
            } else {
                search_pixel(grid, limits, (tx, row_y[j]), state, &mut cache)
            };
            if visit(i, j, found, state).is_break() {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Upstream's `indices_xy`: `out[0]` the source pixel (x) index `dp + p0`, `out[1]` the line
/// (y) index `dl + l0`, NaN where nothing is found. With `offset = Some((x0, y0))`, `x0` and
/// `y0` are then added (what `gradient_resampler_indices` does for a block: `+= start`).
/// `out` is the (2, rows, columns) array in C order. Inside a rayon pool of several threads
/// the search is split across them (see [`split_search`]): the same bits.
pub fn indices_into<G: SourceGrid>(
    grid: &G,
    targets: Targets<'_>,
    offset: Option<(f64, f64)>,
    out: &mut [f64],
    stop: &AtomicBool,
) -> Result<Result<(), ShapeError>, Stopped> {
    indices_with_guesses(grid, targets, offset, out, stop, &seed_state::<G>)
}

/// [`indices_into`] with the segments' guessed starting states from `seed` (tests pass bad
/// guesses: the result must not change).
pub(super) fn indices_with_guesses<G: SourceGrid>(
    grid: &G,
    targets: Targets<'_>,
    offset: Option<(f64, f64)>,
    out: &mut [f64],
    stop: &AtomicBool,
    seed: &(impl Fn(&G, Limits, (f64, f64)) -> SearchState + Sync + ?Sized),
) -> Result<Result<(), ShapeError>, Stopped> {
    let (rows, cols) = targets.dim();
    let (out_x, out_y) = out.split_at_mut(rows * cols);
    assert_eq!(out_y.len(), rows * cols);
    let limits = match Limits::of(grid.dim()) {
        Ok(limits) => limits,
        Err(err) => return Ok(Err(err)),
    };
    let segments = segments(targets);
    let mut outputs = Vec::with_capacity(segments.len());
    let (mut rest_x, mut rest_y) = (out_x, out_y);
    for rows in &segments {
        let (x, more_x) = rest_x.split_at_mut(rows.len() * cols);
        let (y, more_y) = rest_y.split_at_mut(rows.len() * cols);
        outputs.push((x, y));
        (rest_x, rest_y) = (more_x, more_y);
    }
    let store = |(out_x, out_y): &mut (&mut [f64], &mut [f64]), r: usize, j: usize, found| {
        let (x, y) = match found {
            Some(Solution { l0, p0, dl, dp }) => (dp + f64::from(p0), dl + f64::from(l0)),
            None => (f64::NAN, f64::NAN),
        };
        let (x, y) = match offset {
            Some((x0, y0)) => (x + x0, y + y0),
            None => (x, y),
        };
        out_x[r * cols + j] = x;
        out_y[r * cols + j] = y;
    };
    split_search(
        grid, limits, targets, &segments, outputs, &store, stop, seed,
    )?;
    Ok(Ok(()))
}

/// Cython's `bil`: the four neighbours on the side of the offsets, weights and sum in double,
/// each channel's value rounded once to the data's type.
#[inline(always)]
fn bilinear<T: GeoFloat>(
    data: &ArrayView3<'_, T>,
    s: Solution,
    limits: Limits,
    mut write: impl FnMut(usize, T),
) {
    let (l_a, l_b, w_l) = if s.dl < 0.0 {
        ((s.l0 - 1).max(0), s.l0, 1.0 + s.dl)
    } else {
        (s.l0, (s.l0 + 1).min(limits.lmax), s.dl)
    };
    let (p_a, p_b, w_p) = if s.dp < 0.0 {
        ((s.p0 - 1).max(0), s.p0, 1.0 + s.dp)
    } else {
        (s.p0, (s.p0 + 1).min(limits.pmax), s.dp)
    };
    let (l_a, l_b, p_a, p_b) = (l_a as usize, l_b as usize, p_a as usize, p_b as usize);
    let (aa, ab, ba, bb) = (
        (1.0 - w_l) * (1.0 - w_p),
        (1.0 - w_l) * w_p,
        w_l * (1.0 - w_p),
        w_l * w_p,
    );
    for (c, channel) in data.axis_iter(Axis(0)).enumerate() {
        let value = aa * channel[[l_a, p_a]].wide()
            + ab * channel[[l_a, p_b]].wide()
            + ba * channel[[l_b, p_a]].wide()
            + bb * channel[[l_b, p_b]].wide();
        write(c, T::narrow(value));
    }
}

/// Cython's `nn`: the neighbour more than half a pixel away where there is one.
#[inline(always)]
fn nearest<T: GeoFloat>(
    data: &ArrayView3<'_, T>,
    s: Solution,
    limits: Limits,
    mut write: impl FnMut(usize, T),
) {
    let pick = |at: i32, offset: f64, max: i32| {
        if offset < -0.5 && at > 0 {
            at - 1
        } else if offset > 0.5 && at < max {
            at + 1
        } else {
            at
        }
    };
    let l = pick(s.l0, s.dl, limits.lmax) as usize;
    let p = pick(s.p0, s.dp, limits.pmax) as usize;
    for (c, channel) in data.axis_iter(Axis(0)).enumerate() {
        write(c, channel[[l, p]]);
    }
}

/// The value(s) of one target pixel from its solution, NaN where there is none.
#[inline(always)]
fn interpolate_pixel<T: GeoFloat>(
    data: &ArrayView3<'_, T>,
    found: Option<Solution>,
    limits: Limits,
    method: Method,
    mut write: impl FnMut(usize, T),
) {
    match (found, method) {
        (Some(s), Method::Bilinear) => bilinear(data, s, limits, write),
        (Some(s), Method::Nearest) => nearest(data, s, limits, write),
        (None, _) => (0..data.dim().0).for_each(|c| write(c, T::narrow(f64::NAN))),
    }
}

/// Upstream's `one_step_gradient_search`: `out` (channels, target rows, target columns) gets
/// `data` (channels, source lines, source pixels) at each target pixel, NaN where nothing is
/// found. Inside a rayon pool of several threads the search, and with it the interpolation, is
/// split across them (see [`split_search`]): the same bits.
pub fn search_into<T: GeoFloat, G: SourceGrid>(
    grid: &G,
    data: ArrayView3<'_, T>,
    targets: Targets<'_>,
    method: Method,
    out: ArrayViewMut3<'_, T>,
    stop: &AtomicBool,
) -> Result<Result<(), ShapeError>, Stopped> {
    let (channels, lines, pixels) = data.dim();
    if (lines, pixels) != grid.dim() {
        return Ok(Err(ShapeError(format!(
            "data must have the source's {:?} lines and pixels after its first axis, got shape {:?}",
            grid.dim(),
            data.dim()
        ))));
    }
    let (rows, cols) = targets.dim();
    assert_eq!(out.dim(), (channels, rows, cols));
    let limits = match Limits::of(grid.dim()) {
        Ok(limits) => limits,
        Err(err) => return Ok(Err(err)),
    };
    let store = |block: &mut ArrayViewMut3<'_, T>, r: usize, j: usize, found| {
        interpolate_pixel(&data, found, limits, method, |c, v| block[[c, r, j]] = v);
    };
    let segments = segments(targets);
    let mut outputs = Vec::with_capacity(segments.len());
    let mut rest = out;
    for rows in &segments {
        let (block, more) = rest.split_at(Axis(1), rows.len());
        outputs.push(block);
        rest = more;
    }
    let seed = seed_state::<G>;
    split_search(
        grid, limits, targets, &segments, outputs, &store, stop, &seed,
    )?;
    Ok(Ok(()))
}
