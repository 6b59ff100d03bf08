use std::sync::atomic::AtomicBool;

use ndarray::{s, Array2, Array3, ArrayView2};

use super::block_interpolation::{block_interpolate, BlockIndices};
use super::numpy_gradient::gradient_2d;
use super::search::{
    indices_into, indices_with_guesses, search_into, DerivedGradients, GivenGradients, Limits,
    SearchState, Targets,
};
use super::split::segments;
use super::Method;

/// The coordinates of upstream's Cython tests: x = pixel, y = line on a 10 x 10 grid.
fn unit_grid(n: usize) -> (Array2<f64>, Array2<f64>) {
    let x = Array2::from_shape_fn((n, n), |(_, p)| p as f64);
    let y = Array2::from_shape_fn((n, n), |(l, _)| l as f64);
    (x, y)
}

fn gradients(f: ArrayView2<'_, f64>) -> (Array2<f64>, Array2<f64>) {
    let mut along_lines = Array2::zeros(f.dim());
    let mut along_pixels = Array2::zeros(f.dim());
    gradient_2d(f, along_lines.view_mut(), along_pixels.view_mut()).unwrap();
    (along_lines, along_pixels)
}

#[test]
fn numpy_gradient_edges_and_centre() {
    let f = ndarray::arr2(&[[1.0, 2.0, 4.0], [7.0, 11.0, 16.0]]);
    let (gl, gp) = gradients(f.view());
    assert_eq!(gl, ndarray::arr2(&[[6.0, 9.0, 12.0], [6.0, 9.0, 12.0]]));
    assert_eq!(gp, ndarray::arr2(&[[1.0, 1.5, 2.0], [4.0, 4.5, 5.0]]));
    let (mut a, mut b) = (Array2::zeros((1, 3)), Array2::zeros((1, 3)));
    let row = ndarray::arr2(&[[1.0, 2.0, 3.0]]);
    assert!(gradient_2d(row.view(), a.view_mut(), b.view_mut()).is_err());
}

fn indices(x: &Array2<f64>, y: &Array2<f64>, tx: &Array2<f64>, ty: &Array2<f64>) -> Array3<f64> {
    let (xl, xp) = gradients(x.view());
    let (yl, yp) = gradients(y.view());
    let grid = GivenGradients::new(
        x.view(),
        y.view(),
        [xl.view(), xp.view(), yl.view(), yp.view()],
    )
    .unwrap();
    let targets = Targets::new(tx.view(), ty.view()).unwrap();
    let mut out = Array3::zeros((2, tx.nrows(), tx.ncols()));
    let stop = AtomicBool::new(false);
    indices_into(&grid, targets, None, out.as_slice_mut().unwrap(), &stop)
        .unwrap()
        .unwrap();
    // The same search with the gradients derived on the fly gives the same bits.
    let derived = DerivedGradients::new(x.view(), y.view()).unwrap();
    let mut again = Array3::zeros(out.dim());
    indices_into(
        &derived,
        targets,
        None,
        again.as_slice_mut().unwrap(),
        &stop,
    )
    .unwrap()
    .unwrap();
    assert!(out
        .iter()
        .zip(&again)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    out
}

#[test]
fn finds_indices_on_a_linear_grid() {
    let (x, y) = unit_grid(10);
    let tx = ndarray::arr2(&[[6.5, 6.99999, 7.7], [6.6, 7.0, 7.8], [6.7, 7.3, 7.9]]);
    let ty = ndarray::arr2(&[[6.1, 6.3, 6.5], [7.1, 7.3, 7.5], [7.8, 7.9, 8.0]]);
    let out = indices(&x, &y, &tx, &ty);
    for (a, b) in out.index_axis(ndarray::Axis(0), 0).iter().zip(&tx) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
    for (a, b) in out.index_axis(ndarray::Axis(0), 1).iter().zip(&ty) {
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
}

#[test]
fn far_away_nan_and_infinite_targets_give_nan_without_panicking() {
    let (x, y) = unit_grid(6);
    // Steps far beyond the int range (C's (int) gives INT_MIN there), NaN, inf and huge values.
    let values = [
        1e300,
        -1e300,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        3e9,
        -3e9,
        2.5,
    ];
    let tx = Array2::from_shape_fn((values.len(), values.len()), |(i, _)| values[i]);
    let ty = Array2::from_shape_fn((values.len(), values.len()), |(_, j)| values[j]);
    let out = indices(&x, &y, &tx, &ty);
    let (i, j) = (values.len() - 1, values.len() - 1);
    assert!((out[[0, i, j]] - 2.5).abs() < 1e-12);
    assert!(out[[0, 0, 0]].is_nan());
}

#[test]
fn empty_and_tiny_sources_give_nan() {
    let stop = AtomicBool::new(false);
    for (lines, pixels) in [(0, 0), (0, 3), (1, 1), (1, 4)] {
        let x = Array2::<f64>::zeros((lines, pixels));
        let grid = GivenGradients::new(x.view(), x.view(), [x.view(); 4]).unwrap();
        let t = Array2::from_elem((2, 3), 0.0);
        let targets = Targets::new(t.view(), t.view()).unwrap();
        let mut out = Array3::zeros((2, 2, 3));
        indices_into(&grid, targets, None, out.as_slice_mut().unwrap(), &stop)
            .unwrap()
            .unwrap();
        assert!(out.iter().all(|v| v.is_nan()), "{lines}x{pixels}");
    }
    let x = Array2::<f64>::zeros((1, 4));
    assert!(DerivedGradients::new(x.view(), x.view()).is_err());
}

#[test]
fn search_on_several_threads_gives_the_serial_bits() {
    // Enough target rows (300) for the search to be split across 2 and 3 threads.
    let n = 40;
    let x = Array2::from_shape_fn((n, n), |(l, p)| p as f64 * 1.3 + (l as f64 * 0.1).sin());
    let y = Array2::from_shape_fn((n, n), |(l, p)| l as f64 * 0.9 + (p as f64 * 0.07).cos());
    let (rows, cols) = (300, 29);
    let tx = Array2::from_shape_fn((rows, cols), |(i, j)| {
        j as f64 * 1.7 - 3.0 + i as f64 * 0.01
    });
    let ty = Array2::from_shape_fn((rows, cols), |(i, j)| {
        i as f64 * 0.13 - 2.0 + j as f64 * 0.02
    });
    let data = Array3::from_shape_fn((3, n, n), |(c, l, p)| (c * 1000 + l * 37 + p) as f32 * 0.5);
    let grid = DerivedGradients::new(x.view(), y.view()).unwrap();
    let targets = Targets::new(tx.view(), ty.view()).unwrap();
    let stop = AtomicBool::new(false);
    for method in [Method::Bilinear, Method::Nearest] {
        let mut serial = Array3::<f32>::zeros((3, rows, cols));
        search_into(
            &grid,
            data.view(),
            targets,
            method,
            serial.view_mut(),
            &stop,
        )
        .unwrap()
        .unwrap();
        assert!(serial.iter().any(|v| v.is_nan()) && serial.iter().any(|v| !v.is_nan()));
        for threads in [2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut parallel = Array3::<f32>::zeros((3, rows, cols));
            pool.install(|| {
                search_into(
                    &grid,
                    data.view(),
                    targets,
                    method,
                    parallel.view_mut(),
                    &stop,
                )
            })
            .unwrap()
            .unwrap();
            assert!(serial
                .iter()
                .zip(&parallel)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }
}

#[test]
fn block_interpolation_follows_numpy_steps() {
    let data = Array3::from_shape_fn((2, 3, 4), |(c, l, p)| (c * 100 + l * 10 + p) as f64);
    let x = ndarray::arr2(&[[0.5, f64::NAN, f64::INFINITY, -0.0, 1.25]]);
    let y = ndarray::arr2(&[[1.5, 0.0, f64::NEG_INFINITY, 2.0, f64::NAN]]);
    let indices = BlockIndices::new(x.view(), y.view(), None).unwrap();
    let stop = AtomicBool::new(false);
    let mut out = Array3::zeros((2, 1, 5));
    block_interpolate(
        data.view(),
        indices,
        -1.0,
        Method::Bilinear,
        out.view_mut(),
        &stop,
    )
    .unwrap()
    .unwrap();
    // 1.5 lines, 0.5 pixels; NaN x -> 0; inf x -> last pixel, -inf y -> line 0; the NaN y is
    // filled.
    assert_eq!(
        out.slice(s![0, 0, ..]).to_vec(),
        vec![15.5, 0.0, 3.0, 20.0, -1.0]
    );
    let mut nearest = Array3::zeros((2, 1, 5));
    block_interpolate(
        data.view(),
        indices,
        -1.0,
        Method::Nearest,
        nearest.view_mut(),
        &stop,
    )
    .unwrap()
    .unwrap();
    // np.rint: 0.5 -> 0, 1.5 -> 2.
    assert_eq!(
        nearest.slice(s![0, 0, ..]).to_vec(),
        vec![20.0, 0.0, 3.0, 20.0, -1.0]
    );
    let start = BlockIndices::new(x.view(), y.view(), Some((-1.0, -1.0))).unwrap();
    block_interpolate(
        data.view(),
        start,
        -1.0,
        Method::Nearest,
        nearest.view_mut(),
        &stop,
    )
    .unwrap()
    .unwrap();
    assert_eq!(nearest[[1, 0, 0]], 100.0 + 20.0 + 2.0);
}

/// A distorted grid (smooth, 1.1 x 0.9 pixels turned by 0.3 rad) whose gradients vanish
/// (d == 0, the search stays put) in its top left corner, and targets across it and beyond,
/// with NaN, inf and far values here and there.
fn split_search_case(
    n: usize,
    rows: usize,
    cols: usize,
) -> (Array2<f64>, Array2<f64>, Array2<f64>, Array2<f64>) {
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    let flat = |l: usize, p: usize| l < n / 5 && p < n / 5;
    let x = Array2::from_shape_fn((n, n), |(l, p)| {
        if flat(l, p) {
            0.0
        } else {
            1.1 * (c * p as f64 - s * l as f64) + 0.02 * (l as f64 * 0.3).sin()
        }
    });
    let y = Array2::from_shape_fn((n, n), |(l, p)| {
        if flat(l, p) {
            0.0
        } else {
            0.9 * (s * p as f64 + c * l as f64) + 0.02 * (p as f64 * 0.2).cos()
        }
    });
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut unit = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let span = n as f64;
    let mut tx = Array2::from_shape_fn((rows, cols), |(i, j)| {
        (j as f64 / cols as f64) * span * 1.2 - 0.1 * span + (i as f64 * 0.01)
    });
    let mut ty = Array2::from_shape_fn((rows, cols), |(i, j)| {
        (i as f64 / rows as f64) * span * 1.2 - 0.1 * span + (j as f64 * 0.01)
    });
    for _ in 0..(rows * cols / 50) {
        let (i, j) = (
            (unit() * rows as f64) as usize,
            (unit() * cols as f64) as usize,
        );
        let value = [f64::NAN, f64::INFINITY, 1e300, -3e9][(unit() * 4.0) as usize % 4];
        if unit() < 0.5 {
            tx[[i, j]] = value;
        } else {
            ty[[i, j]] = value;
        }
    }
    (x, y, tx, ty)
}

#[test]
fn split_search_gives_the_serial_bits_whatever_the_guesses() {
    let stop = AtomicBool::new(false);
    // Wide target pixels (several source pixels each) move the state at every pixel.
    for (n, rows, cols) in [
        (60, 300, 70),
        (40, 257, 33),
        (80, 130, 1),
        (30, 640, 12),
        (90, 200, 9),
        (50, 400, 20),
    ] {
        let (x, y, mut tx, ty) = split_search_case(n, rows, cols);
        if rows == 400 {
            // Infinite x over the first 300 rows, as beyond a geostationary disk: the segments
            // then split the last 100 rows (see `segments`).
            tx.slice_mut(s![..300, ..]).fill(f64::INFINITY);
        }
        let grid = DerivedGradients::new(x.view(), y.view()).unwrap();
        let targets = Targets::new(tx.view(), ty.view()).unwrap();
        let mut serial = Array3::zeros((2, rows, cols));
        indices_into(
            &grid,
            targets,
            Some((3.0, -2.0)),
            serial.as_slice_mut().unwrap(),
            &stop,
        )
        .unwrap()
        .unwrap();
        assert!(serial.iter().any(|v| v.is_nan()) && serial.iter().any(|v| !v.is_nan()));
        // The centre, a far corner, a pixel in the flat corner (the guessed run stays stuck
        // there and never meets the true one: whole segments are searched again), and a state
        // out of range.
        type Guess<'g> = dyn Fn(&DerivedGradients<'g>, Limits, (f64, f64)) -> SearchState + Sync;
        let guesses: [&Guess<'_>; 4] = [
            &|_, limits, _| SearchState::centre(limits),
            &|_, limits, _| SearchState::at(limits.lmax, limits.pmax, limits.lmax, 0),
            &|_, _, _| SearchState::at(1, 1, 1, 1),
            &|_, _, _| SearchState::at(i32::MIN, 7, 3, -1),
        ];
        for threads in [2, 3, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut split = Array3::zeros((2, rows, cols));
            pool.install(|| {
                indices_into(
                    &grid,
                    targets,
                    Some((3.0, -2.0)),
                    split.as_slice_mut().unwrap(),
                    &stop,
                )
            })
            .unwrap()
            .unwrap();
            assert!(serial
                .iter()
                .zip(&split)
                .all(|(a, b)| a.to_bits() == b.to_bits()));
            for guess in guesses {
                let mut split = Array3::zeros((2, rows, cols));
                pool.install(|| {
                    indices_with_guesses(
                        &grid,
                        targets,
                        Some((3.0, -2.0)),
                        split.as_slice_mut().unwrap(),
                        &stop,
                        guess,
                    )
                })
                .unwrap()
                .unwrap();
                let same = serial
                    .iter()
                    .zip(&split)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(same, "{n} {rows}x{cols}, {threads} threads");
            }
        }
    }
}

#[test]
#[allow(clippy::single_range_in_vec_init)] // a list of one segment is what is meant
fn segments_share_out_the_targets_to_search() {
    let ones = Array2::<f64>::ones((400, 10));
    let mut tx = ones.clone();
    tx.slice_mut(s![..300, ..]).fill(f64::INFINITY);
    tx[[350, 3]] = f64::NAN; // searched like any finite target
    let targets = Targets::new(tx.view(), ones.view()).unwrap();
    let in_pool = |threads| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| segments(targets))
    };
    assert_eq!(segments(targets), vec![0..400]);
    assert_eq!(in_pool(1), vec![0..400]);
    assert_eq!(in_pool(2), vec![0..350, 350..400]);
    assert_eq!(in_pool(4), vec![0..325, 325..350, 350..375, 375..400]);
    // Fewer than 64 rows per thread: fewer segments.
    assert_eq!(in_pool(8).len(), 6);
    // Nothing to search: equal numbers of rows.
    let none = Array2::from_elem((200, 3), f64::INFINITY);
    let targets = Targets::new(none.view(), none.view()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    assert_eq!(pool.install(|| segments(targets)), vec![0..100, 100..200]);
}
