use std::f64::consts::PI;

use super::super::tests::{
    bits, differing, in_each_pool, sprinkle, xyz_to_lonlat, HOSTILE_DEGREES,
};
use super::*;

/// A plausible scan of `cols` tie points: a track heading north-east at (`lon0`, `lat0`).
fn scan<T: GeoFloat>(cols: usize, lon0: f64, lat0: f64) -> (Vec<T>, Vec<T>) {
    let mut out = (Vec::new(), Vec::new());
    for i in 0..SCAN_ROWS {
        for j in 0..cols {
            let across = j as f64 - (cols as f64 - 1.0) / 2.0;
            out.0
                .push(T::narrow(lon0 + across * 0.013 + i as f64 * 0.004));
            out.1
                .push(T::narrow(lat0 + i as f64 * 0.009 - across * 0.002));
        }
    }
    out
}

/// A scan with hostile tie points: [`HOSTILE_DEGREES`] and the smallest subnormal.
fn hostile_scan<T: GeoFloat>(cols: usize, seed: u64) -> (Vec<T>, Vec<T>) {
    let mut input = scan(cols, -179.95, 89.95);
    let values: Vec<f64> = HOSTILE_DEGREES.iter().copied().chain([5e-324]).collect();
    let n = input.0.len();
    sprinkle(&mut [&mut input.0, &mut input.1], &values, n / 6, seed);
    input
}

/// One scan through [`interpolate`].
fn run_with<T: GeoFloat>(g: &Geometry<T>, input: &(Vec<T>, Vec<T>), isa: Isa) -> (Vec<T>, Vec<T>) {
    let view = |values| ndarray::ArrayView2::from_shape((SCAN_ROWS, g.coarse_cols), values);
    let (lon, lat) = (view(&input.0).unwrap(), view(&input.1).unwrap());
    let mut out = (vec![T::narrow(0.0); g.fine_rows * g.fine_cols], Vec::new());
    out.1 = out.0.clone();
    let stop = AtomicBool::new(false);
    let done = interpolate(g, lon, lat, &mut out.0, &mut out.1, isa, &stop);
    assert_eq!(done, Ok(Ok(())));
    out
}

/// scipy's `map_coordinates(input, coordinates, order=1, mode="nearest")` for a 2-D `input`
/// (`rows` x `cols`, row-major) at one point, written the way `NI_GeometricTransform` goes:
/// per axis the filter start `floor(c)`, the border mapping of the filter's indices when it
/// reaches past an edge, the spline weights; then the corners in the filter's order, each
/// `value * row weight * column weight`, added to 0.
#[allow(clippy::needless_range_loop)] // indexed like the C
fn map_coordinates_order1_nearest(
    input: &[f64],
    (rows, cols): (usize, usize),
    coordinates: [f64; 2],
) -> f64 {
    let dims = [rows as i64, cols as i64];
    let mut indices = [[0i64; 2]; 2];
    let mut weights = [[0f64; 2]; 2];
    for axis in 0..2 {
        let cc = coordinates[axis] + 0.0; // + nprepad (0 for order 1)
        let start = cc.floor() as i64;
        let edge = start < 0 || start + 1 >= dims[axis];
        for l in 0..2 {
            let index = start + l as i64;
            // mode "nearest": indices past the border map to the border.
            indices[axis][l] = if edge {
                index.clamp(0, dims[axis] - 1)
            } else {
                index
            };
        }
        let x = cc - cc.floor();
        weights[axis][0] = 1.0 - x;
        weights[axis][1] = 1.0 - weights[axis][0];
    }
    let mut t = 0.0;
    for row in 0..2 {
        for col in 0..2 {
            let (i, j) = (indices[0][row] as usize, indices[1][col] as usize);
            let mut coeff = input[i * cols + j];
            coeff *= weights[0][row];
            coeff *= weights[1][col];
            t += coeff;
        }
    }
    t
}

/// One scan the way upstream computes it, array by array and loop by loop: `lonlat2xyz`,
/// `map_coordinates` of each coordinate over the whole fine grid, the column extrapolation of
/// every row, the row extrapolations of every column, `xyz2lonlat`. The reference for the
/// row-by-row passes.
#[allow(clippy::needless_range_loop)] // indexed like the Cython
fn run_literally<T: GeoFloat>(g: &Geometry<T>, input: &(Vec<T>, Vec<T>)) -> (Vec<T>, Vec<T>) {
    let (cols, f) = (g.coarse_cols, g.factor);
    let (rows_out, cols_out) = (SCAN_ROWS * f, cols * f);
    let deg2rad = |v: T| T::narrow(v.wide() * (PI / 180.0));
    let xyz_in: Vec<[T; 3]> = input
        .0
        .iter()
        .zip(&input.1)
        .map(|(&lon, &lat)| {
            let (lon, lat) = (deg2rad(lon).wide(), deg2rad(lat).wide());
            [
                T::narrow(6370997.0 * lat.cos() * lon.cos()),
                T::narrow(6370997.0 * lat.cos() * lon.sin()),
                T::narrow(6370997.0 * lat.sin()),
            ]
        })
        .collect();
    // `_compute_yx_coordinate_arrays`, stored in the input's type.
    let ff = f as f64;
    let y: Vec<T> = (0..rows_out)
        .map(|j| T::narrow(j as f64 * (1.0 / ff) - (ff * (1.0 / 16.0) + (1.0 / 8.0))))
        .collect();
    let x: Vec<T> = (0..cols_out)
        .map(|i| T::narrow(i as f64 * (1.0 / ff)))
        .collect();
    let mut result = vec![[T::narrow(0.0); 3]; rows_out * cols_out];
    for k in 0..3 {
        let nav: Vec<f64> = xyz_in.iter().map(|p| p[k].wide()).collect();
        let mut r: Vec<T> = Vec::with_capacity(rows_out * cols_out);
        for j in 0..rows_out {
            for i in 0..cols_out {
                let value = map_coordinates_order1_nearest(
                    &nav,
                    (SCAN_ROWS, cols),
                    [y[j].wide(), x[i].wide()],
                );
                r.push(T::narrow(value));
            }
        }
        let at = |j: usize, i: usize| j * cols_out + i;
        let n = f - 1;
        for row in 0..rows_out {
            let diff = r[at(row, cols_out - n - 1)] - r[at(row, cols_out - n - 2)];
            for offset in 0..n {
                let index = at(row, cols_out - n + offset);
                r[index] = r[index] + diff * T::narrow((offset + 1) as f64);
            }
        }
        let (span, tops, bottoms): (usize, &[usize], &[usize]) = if f == 4 {
            (3, &[0, 1], &[38, 39])
        } else {
            (1, &[0], &[19])
        };
        let (top, bottom) = (tops[tops.len() - 1] + 1, bottoms[0] - span - 1);
        for col in 0..cols_out {
            for (offset, targets) in [(top, tops), (bottom, bottoms)] {
                let m = (r[at(offset + span, col)] - r[at(offset, col)])
                    / (y[offset + span] - y[offset]);
                let b = r[at(offset + span, col)] - m * y[offset + span];
                for &target in targets {
                    r[at(target, col)] = m * y[target] + b;
                }
            }
        }
        for (point, value) in result.iter_mut().zip(r) {
            point[k] = value;
        }
    }
    result.into_iter().map(xyz_to_lonlat).unzip()
}

fn assert_every_isa_matches_literally<T: GeoFloat>(
    g: &Geometry<T>,
    input: &(Vec<T>, Vec<T>),
    nan_bits: bool,
    what: &str,
) {
    let expected = run_literally(g, input);
    for isa in Isa::ALL {
        let actual = run_with(g, input, isa);
        for (got, want) in [(&actual.0, &expected.0), (&actual.1, &expected.1)] {
            if nan_bits {
                let differ = bits(got)
                    .iter()
                    .zip(bits(want))
                    .filter(|(a, b)| **a != *b)
                    .count();
                assert_eq!(differ, 0, "{what} {isa:?}: {differ} values differ");
            } else {
                assert_eq!(differing(got, want), 0, "{what} {isa:?}");
            }
        }
    }
}

#[test]
fn row_by_row_equals_upstream_literally_for_every_isa() {
    for fine in [250, 500] {
        for cols in [2, 3, 9, 300] {
            let what = format!("{fine} m, {cols} columns");
            let g32 = Geometry::<f32>::new(1000, fine, cols).unwrap();
            let g64 = Geometry::<f64>::new(1000, fine, cols).unwrap();
            assert_every_isa_matches_literally(&g32, &scan(cols, 179.9, -60.0), true, &what);
            // Across the equator (the latitude's finest outputs) and over a pole.
            assert_every_isa_matches_literally(&g32, &scan(cols, 30.0, -0.04), true, &what);
            assert_every_isa_matches_literally(&g64, &scan(cols, 12.0, 53.0), true, &what);
            assert_every_isa_matches_literally(&g64, &scan(cols, -70.0, 89.95), true, &what);
            // NaN-ness only: +NaN and -NaN meeting in one operation may keep either (see
            // `differing`).
            for seed in 1..4 {
                let (h32, h64) = (hostile_scan(cols, seed), hostile_scan(cols, seed));
                assert_every_isa_matches_literally(&g32, &h32, false, &what);
                assert_every_isa_matches_literally(&g64, &h64, false, &what);
            }
        }
    }
}

#[test]
fn geometry_of_upstream_coordinates() {
    let g = Geometry::<f32>::new(1000, 250, 1354).unwrap();
    assert_eq!((g.fine_rows, g.fine_cols, g.factor), (40, 5416, 4));
    assert_eq!(&g.y[..4], &[-0.375, -0.125, 0.125, 0.375]);
    assert_eq!(&g.y[38..], &[9.125, 9.375]);
    // Rows 0, 1, 38 and 39 are replaced by extrapolations; the others interpolate.
    let interpolated: Vec<usize> = (0..40).filter(|&j| g.rows[j].is_some()).collect();
    assert_eq!(interpolated, (2..38).collect::<Vec<_>>());
    assert_eq!(
        g.rows[2],
        Some(RowWeights {
            upper: 0,
            lower: 1,
            w0: 0.875,
            w1: 0.125
        })
    );
    assert_eq!(&g.col_w0[5412..], &[1.0, 0.75, 0.5, 0.25]);
    let g = Geometry::<f64>::new(1000, 500, 1354).unwrap();
    assert_eq!((g.fine_rows, g.fine_cols), (20, 2708));
    assert_eq!(&g.y[..3], &[-0.25, 0.25, 0.75]);
    assert_eq!(g.rows.iter().filter(|row| row.is_none()).count(), 2);
}

#[test]
fn rejects_unsupported() {
    for (coarse, fine) in [
        (1000, 1000),
        (500, 250),
        (5000, 1000),
        (1000, 0),
        (250, 1000),
    ] {
        let err = Geometry::<f32>::new(coarse, fine, 1354).unwrap_err();
        assert!(matches!(err, ModisError::Resolutions { .. }), "{err}");
        assert!(err.to_string().contains("supported: 1000 to 250 or 500"));
    }
    assert!(matches!(
        Geometry::<f32>::new(1000, 250, 1),
        Err(ModisError::Shape(_))
    ));
    let g = Geometry::<f32>::new(1000, 250, 1354).unwrap();
    assert!(matches!(g.scans(15, 1354), Err(ModisError::Shape(_))));
    assert!(matches!(g.scans(10, 1353), Err(ModisError::Shape(_))));
    assert_eq!(g.scans(30, 1354), Ok(3));
}

#[test]
fn whole_granule_equals_scan_by_scan_in_any_pool() {
    let g = Geometry::<f64>::new(1000, 250, 1354).unwrap();
    let scans: Vec<_> = (0..3)
        .map(|s| scan::<f64>(1354, 20.0 * s as f64, -80.0 + 30.0 * s as f64))
        .collect();
    let mut flat = (Vec::new(), Vec::new());
    let mut expected = (Vec::new(), Vec::new());
    for input in &scans {
        flat.0.extend_from_slice(&input.0);
        flat.1.extend_from_slice(&input.1);
        let (lon, lat) = run_with(&g, input, crate::simd_row_sum::best_isa());
        expected.0.extend(lon);
        expected.1.extend(lat);
    }
    fn view(v: &[f64]) -> ndarray::ArrayView2<'_, f64> {
        ndarray::ArrayView2::from_shape((30, 1354), v).unwrap()
    }
    let (lon, lat) = (view(&flat.0), view(&flat.1));
    let stop = AtomicBool::new(false);
    in_each_pool(|| {
        let mut out = (vec![0.0; expected.0.len()], vec![0.0; expected.0.len()]);
        let isa = crate::simd_row_sum::best_isa();
        let done = interpolate(&g, lon, lat, &mut out.0, &mut out.1, isa, &stop);
        assert_eq!(done, Ok(Ok(())));
        assert_eq!(bits(&out.0), bits(&expected.0));
        assert_eq!(bits(&out.1), bits(&expected.1));
    });
    let partial = lon.slice(ndarray::s![..25, ..]);
    let err = interpolate(&g, partial, partial, &mut [], &mut [], Isa::Scalar, &stop).unwrap();
    assert!(matches!(err, Err(ModisError::Shape(_))));
    let narrow = lat.slice(ndarray::s![.., ..1000]);
    let err = interpolate(&g, lon, narrow, &mut [], &mut [], Isa::Scalar, &stop).unwrap();
    assert!(matches!(err, Err(ModisError::Shape(_))));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut out = (vec![0.0; expected.0.len()], vec![0.0; expected.0.len()]);
    let isa = Isa::Scalar;
    assert_eq!(
        interpolate(&g, lon, lat, &mut out.0, &mut out.1, isa, &stop),
        Err(Stopped)
    );
}

#[test]
fn float32_close_to_float64() {
    let g32 = Geometry::<f32>::new(1000, 250, 1354).unwrap();
    let g64 = Geometry::<f64>::new(1000, 250, 1354).unwrap();
    let isa = crate::simd_row_sum::best_isa();
    let (lon32, lat32) = run_with(&g32, &scan(1354, 179.5, -70.0), isa);
    let (lon64, lat64) = run_with(&g64, &scan(1354, 179.5, -70.0), isa);
    for (a, b) in lon32.iter().zip(&lon64).chain(lat32.iter().zip(&lat64)) {
        let diff = (f64::from(*a) - b).abs();
        assert!(diff < 1e-3 || (360.0 - diff).abs() < 1e-3, "{a} {b}");
    }
}
