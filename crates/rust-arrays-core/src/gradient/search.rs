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
use super::{same_shape, GeoFloat, Method, ShapeError};
use crate::numpy_cast::f64_to_c_int;
use rayon::prelude::*;

use crate::{check, in_rayon_pool, Stopped};

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
    l0: i32,
    p0: i32,
    last_l0: i32,
    last_p0: i32,
}

impl SearchState {
    /// At source pixel `(l0, p0)`, the last solution at `(last_l0, last_p0)`.
    #[cfg(test)]
    pub(super) fn at(l0: i32, p0: i32, last_l0: i32, last_p0: i32) -> Self {
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

/// What the search reads and derives at one source pixel, kept for the next target pixel: most
/// consecutive targets start (and many end) at the same source pixel. Reusing the values is
/// reusing the very same doubles, so no bit changes.
#[derive(Clone, Copy)]
struct CachedCell {
    /// Element index in C order; `usize::MAX` before the first read.
    k: usize,
    x: f64,
    y: f64,
    xl: f64,
    xp: f64,
    yl: f64,
    yp: f64,
    /// `yl * xp - yp * xl`.
    d: f64,
}

impl CachedCell {
    const EMPTY: CachedCell = CachedCell {
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
    fn at<G: SourceGrid>(&mut self, grid: &G, l: usize, p: usize, k: usize) -> &CachedCell {
        if self.k != k {
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

/// Searches the source position of the target point `(tx, ty)` from `state`, which it updates
/// as upstream does; `None` when the search does not converge in 5 steps or ends outside the
/// source.
#[inline(always)]
fn search_pixel<G: SourceGrid>(
    grid: &G,
    limits: Limits,
    (tx, ty): (f64, f64),
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
        let (dx, dy) = (tx - cell.x, ty - cell.y);
        let dl = (cell.xp * dy - cell.yp * dx) / cell.d;
        let dp = (cell.yl * dx - cell.xl * dy) / cell.d;
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
}

/// The column of the `k`-th pixel visited in target row `i`: even rows run left to right, odd
/// rows right to left.
#[inline(always)]
fn column(i: usize, k: usize, cols: usize) -> usize {
    if i.is_multiple_of(2) {
        k
    } else {
        cols - 1 - k
    }
}

/// Runs the search over target rows `rows` in upstream's order (even rows left to right, odd
/// rows right to left), calling `visit(i, j, solution)` once for every pixel of those rows
/// (`None`: nothing found, or an infinite target x, which upstream skips). `stop` is looked at
/// once per row.
pub fn search_rows<G: SourceGrid>(
    grid: &G,
    limits: Limits,
    targets: Targets<'_>,
    rows: Range<usize>,
    state: &mut SearchState,
    stop: &AtomicBool,
    mut visit: impl FnMut(usize, usize, Option<Solution>),
) -> Result<(), Stopped> {
    search_rows_until(
        grid,
        limits,
        targets,
        rows,
        state,
        stop,
        |i, j, found, _| {
            visit(i, j, found);
            ControlFlow::Continue(())
        },
    )?;
    Ok(())
}

/// [`search_rows`], where `visit` also sees the state after each pixel and can end the search
/// there (`ControlFlow::Break`). `Ok(true)` when every pixel of `rows` was visited.
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

/// A guess of the state a search would be in just after target `(tx, ty)`: upstream's steps from
/// the source's centre, up to 64 of them instead of 5, and the source pixel where they converge
/// (the centre if they do not). Only a guess, checked before use (see [`indices_into`]).
fn seed_state<G: SourceGrid>(grid: &G, limits: Limits, (tx, ty): (f64, f64)) -> SearchState {
    let centre = SearchState::centre(limits);
    let Limits { lmax, pmax } = limits;
    let pixels = (pmax + 1) as usize;
    let (mut l0, mut p0) = (centre.l0, centre.p0);
    let mut cache = CachedCell::EMPTY;
    for _ in 0..64 {
        if !((0..=lmax).contains(&l0) && (0..=pmax).contains(&p0)) {
            l0 = l0.min(lmax).max(0);
            p0 = p0.min(pmax).max(0);
            continue;
        }
        let (l, p) = (l0 as usize, p0 as usize);
        let cell = cache.at(grid, l, p, l * pixels + p);
        let (dx, dy) = (tx - cell.x, ty - cell.y);
        let dl = (cell.xp * dy - cell.yp * dx) / cell.d;
        let dp = (cell.yl * dx - cell.xl * dy) / cell.d;
        if dp.abs() < 1.0 && dl.abs() < 1.0 {
            return SearchState {
                l0,
                p0,
                last_l0: l0,
                last_p0: p0,
            };
        }
        if !(dl.is_finite() && dp.is_finite()) {
            break;
        }
        l0 = f64_to_c_int(f64::from(l0) + dl);
        p0 = f64_to_c_int(f64::from(p0) + dp);
    }
    centre
}

/// Target rows each thread needs at least before the search is split across threads.
const MIN_ROWS_PER_SEGMENT: usize = 64;
/// How many pixels at the start of a speculative segment keep their state for the check.
const CHECKED_PIXELS: usize = 1 << 14;

/// One thread's share of a split search: its target rows and their outputs, the state it
/// started from (a guess for all but the first), the state it ended in, and the state after
/// each of its first pixels.
struct Segment<'o> {
    rows: Range<usize>,
    out_x: &'o mut [f64],
    out_y: &'o mut [f64],
    entry: SearchState,
    exit: SearchState,
    after: Vec<SearchState>,
}

/// Upstream's `indices_xy`: `out[0]` the source pixel (x) index `dp + p0`, `out[1]` the line
/// (y) index `dl + l0`, NaN where nothing is found. With `offset = Some((x0, y0))`, `x0` and
/// `y0` are then added (what `gradient_resampler_indices` does for a block: `+= start`).
/// `out` is the (2, rows, columns) array in C order.
///
/// Inside a rayon pool of several threads, the target rows are split into one segment per
/// thread, searched at the same time, each but the first from a guessed state. The search is
/// deterministic: the state after a pixel and the pixel's inputs decide everything after it.
/// So, in order, each segment whose guess was not the state the previous one truly ended in is
/// searched again from that state, pixel by pixel, until the state after a pixel equals the
/// guessed run's state after the same pixel: from there on, the guessed run's outputs are the
/// true ones (they usually meet within a few pixels; if they never do, the whole segment is
/// searched again). The outputs are the serial search's, bit for bit, for any thread count.
pub fn indices_into<G: SourceGrid>(
    grid: &G,
    targets: Targets<'_>,
    offset: Option<(f64, f64)>,
    out: &mut [f64],
    stop: &AtomicBool,
) -> Result<Result<(), ShapeError>, Stopped> {
    let seed = |limits: Limits, target: (f64, f64)| seed_state(grid, limits, target);
    indices_with_guesses(grid, targets, offset, out, stop, &seed)
}

/// [`indices_into`] with the guess of each segment's starting state from `seed(limits, its
/// first target)` (tests pass bad guesses: the result must not change).
pub(super) fn indices_with_guesses<G: SourceGrid>(
    grid: &G,
    targets: Targets<'_>,
    offset: Option<(f64, f64)>,
    out: &mut [f64],
    stop: &AtomicBool,
    seed: &(dyn Fn(Limits, (f64, f64)) -> SearchState + Sync),
) -> Result<Result<(), ShapeError>, Stopped> {
    let (rows, cols) = targets.dim();
    let (out_x, out_y) = out.split_at_mut(rows * cols);
    assert_eq!(out_y.len(), rows * cols);
    let limits = match Limits::of(grid.dim()) {
        Ok(limits) => limits,
        Err(err) => return Ok(Err(err)),
    };
    if rows * cols == 0 {
        return Ok(Ok(()));
    }
    let threads = if in_rayon_pool() {
        rayon::current_num_threads()
    } else {
        1
    };
    let count = threads.min(rows / MIN_ROWS_PER_SEGMENT).max(1);
    let per = rows.div_ceil(count).max(1);
    let mut segments: Vec<Segment<'_>> = out_x
        .chunks_mut(per * cols)
        .zip(out_y.chunks_mut(per * cols))
        .enumerate()
        .map(|(s, (out_x, out_y))| Segment {
            rows: s * per..(s * per + per).min(rows),
            out_x,
            out_y,
            entry: SearchState::centre(limits),
            exit: SearchState::centre(limits),
            after: Vec::new(),
        })
        .collect();
    let store =
        |segment_x: &mut [f64], segment_y: &mut [f64], k: usize, found: Option<Solution>| {
            let (x, y) = match found {
                Some(s) => (s.dp + f64::from(s.p0), s.dl + f64::from(s.l0)),
                None => (f64::NAN, f64::NAN),
            };
            let (x, y) = match offset {
                Some((x0, y0)) => (x + x0, y + y0),
                None => (x, y),
            };
            segment_x[k] = x;
            segment_y[k] = y;
        };
    let guess = |segment: &mut Segment<'_>, first: bool| -> Result<(), Stopped> {
        let Segment {
            rows: segment_rows,
            out_x,
            out_y,
            entry,
            exit,
            after,
        } = segment;
        let start = segment_rows.start;
        if !first && cols > 0 {
            let k = start * cols + column(start, 0, cols);
            *entry = seed(limits, (targets.x.values[k], targets.y.values[k]));
        }
        let mut state = *entry;
        let keep = if first { 0 } else { CHECKED_PIXELS };
        search_rows_until(
            grid,
            limits,
            targets,
            segment_rows.clone(),
            &mut state,
            stop,
            |i, j, found, now| {
                store(out_x, out_y, (i - start) * cols + j, found);
                if after.len() < keep {
                    after.push(*now);
                }
                ControlFlow::Continue(())
            },
        )?;
        *exit = state;
        Ok(())
    };
    if segments.len() == 1 {
        guess(&mut segments[0], true)?;
        return Ok(Ok(()));
    }
    segments
        .par_iter_mut()
        .enumerate()
        .try_for_each(|(s, segment)| guess(segment, s == 0))?;
    let mut entry = segments[0].exit;
    for segment in &mut segments[1..] {
        if segment.entry == entry {
            entry = segment.exit;
            continue;
        }
        let start = segment.rows.start;
        let (mut state, mut k) = (entry, 0);
        let Segment {
            out_x,
            out_y,
            after,
            ..
        } = segment;
        let completed = search_rows_until(
            grid,
            limits,
            targets,
            segment.rows.clone(),
            &mut state,
            stop,
            |i, j, found, now| {
                store(out_x, out_y, (i - start) * cols + j, found);
                let met = after.get(k) == Some(now);
                k += 1;
                if met {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )?;
        entry = if completed { state } else { segment.exit };
    }
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

/// Target rows handed from the search to the interpolation at a time (two threads).
const ROWS_PER_HANDOFF: usize = 8;

/// Upstream's `one_step_gradient_search`: `out` (channels, target rows, target columns) gets
/// `data` (channels, source lines, source pixels) at each target pixel, NaN where nothing is
/// found. Inside a rayon pool of two or more threads the search runs on this thread and hands
/// its solutions, a few rows at a time, to the pool for interpolation; elsewhere both run here,
/// pixel by pixel. The result is the same.
pub fn search_into<T: GeoFloat, G: SourceGrid>(
    grid: &G,
    data: ArrayView3<'_, T>,
    targets: Targets<'_>,
    method: Method,
    mut out: ArrayViewMut3<'_, T>,
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
    let mut state = SearchState::centre(limits);
    if !in_rayon_pool() || rayon::current_num_threads() < 2 || channels == 0 {
        search_rows(
            grid,
            limits,
            targets,
            0..rows,
            &mut state,
            stop,
            |i, j, found| {
                interpolate_pixel(&data, found, limits, method, |c, v| out[[c, i, j]] = v);
            },
        )?;
        return Ok(Ok(()));
    }
    let data = &data;
    rayon::scope(|scope| -> Result<(), Stopped> {
        let blocks = out.axis_chunks_iter_mut(Axis(1), ROWS_PER_HANDOFF);
        for (b, mut block) in blocks.enumerate() {
            let first = b * ROWS_PER_HANDOFF;
            let rows = first..first + block.dim().1;
            let mut found = Vec::with_capacity(rows.len() * cols);
            search_rows(grid, limits, targets, rows, &mut state, stop, |_, _, s| {
                found.push(s)
            })?;
            scope.spawn(move |_| {
                // `found` is in visiting order: odd rows run right to left.
                for (r, row) in found.chunks_exact(cols.max(1)).enumerate() {
                    for (k, &s) in row.iter().enumerate() {
                        let j = column(first + r, k, cols);
                        interpolate_pixel(data, s, limits, method, |c, v| block[[c, r, j]] = v);
                    }
                }
            });
        }
        Ok(())
    })?;
    Ok(Ok(()))
}
