//! One gradient search split across threads, with the serial search's bits.
//!
//! The search is deterministic: the state after a target pixel (the source pixel it stands on
//! and the last solution) and the pixel's inputs decide everything after it. The target rows
//! are split into one segment per thread, with about as many targets to search each, and
//! searched at the same time, each but the first from a guessed starting state. Then, in order,
//! each segment whose guess was not the state the previous segment truly ended in is searched
//! again from that state, pixel by pixel, until the state after a pixel equals the guessed
//! run's state after the same pixel: from there on the guessed run's outputs are the true ones.
//! The runs usually meet within a few pixels (one step of the search lands on the same source
//! pixel from anywhere near); if they never do, the whole segment is searched again. Either way
//! every output is the serial search's.

use std::ops::{ControlFlow, Range};
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use super::search::{
    column, search_rows_until, CachedCell, Limits, SearchState, Solution, SourceGrid, Targets,
};
use crate::numpy_cast::f64_to_c_int;
use crate::{in_rayon_pool, Stopped};

/// Target rows each thread needs at least before the search is split across threads.
const MIN_ROWS_PER_SEGMENT: usize = 64;
/// How many pixels at the start of a guessed segment keep their state for the check.
const CHECKED_PIXELS: usize = 1 << 14;

/// The target rows of each segment: all of them outside a rayon pool or with few rows, else one
/// segment per thread of the pool, each with about as many targets to search (the rows' targets
/// with infinite x are skipped by the search, so they cost nothing: a geostationary disk's
/// targets can be infinite over half of the grid). Consecutive, non-empty, covering every row.
pub fn segments(targets: Targets<'_>) -> Vec<Range<usize>> {
    let (rows, cols) = targets.dim();
    let threads = if in_rayon_pool() {
        rayon::current_num_threads()
    } else {
        1
    };
    let count = threads.min(rows / MIN_ROWS_PER_SEGMENT).max(1);
    if count == 1 {
        return std::iter::once(0..rows).collect();
    }
    let work: Vec<usize> = (0..rows)
        .into_par_iter()
        .map(|i| {
            (0..cols)
                .filter(|&j| !targets.at(i * cols + j).0.is_infinite())
                .count()
        })
        .collect();
    let total: usize = work.iter().sum();
    if total == 0 {
        return even_segments(rows, count);
    }
    // Segment s ends at the first row where the work so far reaches s/count of the total.
    let mut ends = Vec::with_capacity(count);
    let mut done = 0;
    for (i, w) in work.iter().enumerate() {
        done += w;
        let share = total * (ends.len() + 1) / count;
        if done >= share && ends.len() + 1 < count {
            ends.push(i + 1);
        }
    }
    ends.push(rows);
    ends.dedup();
    let mut start = 0;
    ends.into_iter()
        .map(|end| {
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

/// `count` segments of equal numbers of rows (the last one shorter).
fn even_segments(rows: usize, count: usize) -> Vec<Range<usize>> {
    let per = rows.div_ceil(count).max(1);
    (0..rows.div_ceil(per))
        .map(|s| s * per..(s * per + per).min(rows))
        .collect()
}

/// A guess of the state a search would be in just after target `(tx, ty)`: upstream's steps from
/// the source's centre, up to 64 of them instead of 5, and the source pixel where they converge
/// (the centre if they do not). Only a guess, checked before use (see the module).
pub fn seed_state<G: SourceGrid>(grid: &G, limits: Limits, target: (f64, f64)) -> SearchState {
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
        let (dl, dp) = cell.offsets(target);
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

/// One segment's guessed run: the state it started from and ended in, and the state after each
/// of its first pixels.
struct Guess {
    entry: SearchState,
    exit: SearchState,
    after: Vec<SearchState>,
}

/// Searches all target rows, `outputs[s]` holding the outputs of rows `segments[s]` (from
/// [`segments`]): `store(output, row within it, column, solution)` for every pixel.
#[allow(clippy::too_many_arguments)]
pub fn split_search<G: SourceGrid, O: Send>(
    grid: &G,
    limits: Limits,
    targets: Targets<'_>,
    segments: &[Range<usize>],
    mut outputs: Vec<O>,
    store: &(impl Fn(&mut O, usize, usize, Option<Solution>) + Sync),
    stop: &AtomicBool,
    seed: &(impl Fn(&G, Limits, (f64, f64)) -> SearchState + Sync + ?Sized),
) -> Result<(), Stopped> {
    let (rows, cols) = targets.dim();
    if rows * cols == 0 {
        return Ok(());
    }
    assert_eq!(outputs.len(), segments.len());
    let range = |s: usize| segments[s].clone();
    let run = |output: &mut O, rows: Range<usize>, entry: SearchState, keep: usize| {
        let (start, mut state, mut after) = (rows.start, entry, Vec::new());
        search_rows_until(
            grid,
            limits,
            targets,
            rows,
            &mut state,
            stop,
            |i, j, found, now| {
                store(output, i - start, j, found);
                if after.len() < keep {
                    after.push(*now);
                }
                ControlFlow::Continue(())
            },
        )?;
        Ok(Guess {
            entry,
            exit: state,
            after,
        })
    };
    let centre = SearchState::centre(limits);
    if outputs.len() == 1 {
        run(&mut outputs[0], range(0), centre, 0)?;
        return Ok(());
    }
    let guesses = outputs
        .par_iter_mut()
        .enumerate()
        .map(|(s, output)| {
            let rows = range(s);
            if s == 0 {
                return run(output, rows, centre, 0);
            }
            let k = rows.start * cols + column(rows.start, 0, cols);
            let entry = seed(grid, limits, targets.at(k));
            run(output, rows, entry, CHECKED_PIXELS)
        })
        .collect::<Result<Vec<Guess>, Stopped>>()?;
    let mut entry = guesses[0].exit;
    for (s, (output, guess)) in outputs.iter_mut().zip(&guesses).enumerate().skip(1) {
        if guess.entry == entry {
            entry = guess.exit;
            continue;
        }
        let rows = range(s);
        let (start, mut state, mut k) = (rows.start, entry, 0);
        let completed = search_rows_until(
            grid,
            limits,
            targets,
            rows,
            &mut state,
            stop,
            |i, j, found, now| {
                store(output, i - start, j, found);
                let met = guess.after.get(k) == Some(now);
                k += 1;
                if met {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )?;
        entry = if completed { state } else { guess.exit };
    }
    Ok(())
}
