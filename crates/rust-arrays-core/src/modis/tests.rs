use super::*;

const PAIRS: [(u32, u32, Option<usize>); 6] = [
    (1000, 250, None),
    (1000, 500, None),
    (5000, 1000, Some(271)),
    (5000, 1000, Some(270)),
    (5000, 500, None),
    (5000, 250, Some(270)),
];

/// Upstream's block copies (`_expand_tiepoint_array_*`), written out literally: the coarse cell
/// index (row, col) stored at each fine pixel.
fn expanded_literally(g: &Geometry<f32>, five_km: bool) -> Vec<(usize, usize)> {
    let n = g.factor;
    let (in_rows, in_cols) = (g.coarse_rows - 1, g.coarse_cols - 1);
    let mut out = vec![(usize::MAX, usize::MAX); g.fine_rows * g.fine_cols];
    let mut put = |value: (usize, usize), row: usize, col: usize, height: usize, width: usize| {
        for r in row..row + height {
            for c in col..col + width {
                out[r * g.fine_cols + c] = value;
            }
        }
    };
    if !five_km {
        let half = n / 2;
        for i in 0..in_rows {
            for j in 0..in_cols {
                put((i, j), i * n + half, j * n, n, n);
            }
        }
        for j in 0..in_cols {
            put((0, j), 0, j * n, n, n);
            put((in_rows - 1, j), (in_rows - 1) * n + n, j * n, n, n);
        }
        let j = in_cols - 1;
        for i in 0..in_rows {
            put((i, j), i * n + half, j * n + n, n, n);
        }
        put((0, j), 0, j * n + n, n, n);
        put((in_rows - 1, j), (in_rows - 1) * n + n, j * n + n, n, n);
    } else {
        let factor_5km = n / 5 * 2;
        for j in 0..in_cols {
            put((0, j), 0, j * n + factor_5km, 2 * n, n);
        }
        put((0, 0), 0, 0, 2 * n, factor_5km);
        if g.coarse_cols == 270 {
            let j = in_cols - 1;
            put((0, j), 0, j * n + n + factor_5km, 2 * n, n);
        }
        let j = in_cols - 1;
        put((0, j), 0, g.fine_cols - factor_5km, 2 * n, factor_5km);
    }
    out
}

#[test]
fn cells_match_upstream_block_copies() {
    for (coarse, fine, width) in PAIRS {
        let g = Geometry::<f32>::new(coarse, fine, width).unwrap();
        let literal = expanded_literally(&g, coarse == 5000);
        for r in 0..g.fine_rows {
            for c in 0..g.fine_cols {
                assert_eq!(
                    literal[r * g.fine_cols + c],
                    (g.cell_row[r], g.cell_col[c]),
                    "{coarse}->{fine} ({width:?}) at ({r}, {c})"
                );
            }
        }
    }
}

#[test]
fn coordinates_1km_to_250m() {
    let g = Geometry::<f32>::new(1000, 250, None).unwrap();
    assert_eq!((g.fine_rows, g.fine_cols), (40, 5416));
    let y: Vec<f32> = g.s_t.iter().map(|v| v * 4.0).collect();
    assert_eq!(&y[..8], &[-1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.5, 1.5]);
    assert_eq!(&y[36..], &[2.5, 3.5, 4.5, 5.5]);
    let x: Vec<f32> = g.s_s.iter().map(|v| v * 4.0).collect();
    assert_eq!(&x[..5], &[0.0, 1.0, 2.0, 3.0, 0.0]);
    assert_eq!(&x[5412..], &[4.0, 5.0, 6.0, 7.0]);
}

#[test]
fn rejects_unsupported() {
    assert!(Geometry::<f32>::new(1000, 1000, None).is_err());
    assert!(Geometry::<f32>::new(250, 1000, None).is_err());
    assert_eq!(
        Geometry::<f32>::new(5000, 1000, Some(200)).unwrap_err(),
        ModisError::ScanWidth(200)
    );
}

/// A plausible scan: tie points along a track heading north at `lon0`, satz growing from nadir.
fn scan<T: GeoFloat>(g: &Geometry<T>, lon0: f64, lat0: f64) -> (Vec<T>, Vec<T>, Vec<T>) {
    let (rows, cols) = (g.coarse_rows, g.coarse_cols);
    let step = if rows == 10 { 0.01 } else { 0.05 };
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rows {
        for j in 0..cols {
            let across = j as f64 - (cols as f64 - 1.0) / 2.0;
            out.0.push(T::narrow(lon0 + across * step * 1.3));
            out.1.push(T::narrow(lat0 + i as f64 * step));
            out.2
                .push(T::narrow(across.abs() / (cols as f64 / 2.0) * 65.0));
        }
    }
    out
}

fn run<T: GeoFloat>(g: &Geometry<T>, input: &(Vec<T>, Vec<T>, Vec<T>)) -> (Vec<T>, Vec<T>) {
    let cols = g.coarse_cols;
    let mut lon = vec![T::narrow(0.0); g.fine_rows * g.fine_cols];
    let mut lat = lon.clone();
    interpolate_scan(
        g,
        |i, j| input.0[i * cols + j],
        |i, j| input.1[i * cols + j],
        |i, j| input.2[i * cols + j],
        &mut g.buffers(),
        &mut lon,
        &mut lat,
    );
    (lon, lat)
}

#[test]
fn fine_points_lie_between_tie_points() {
    for (coarse, fine, width) in PAIRS {
        let g = Geometry::<f64>::new(coarse, fine, width).unwrap();
        let input = scan(&g, 10.0, 45.0);
        let (lon, lat) = run(&g, &input);
        let (lon_min, lon_max) = input
            .0
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let (lat_min, lat_max) = input
            .1
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
        let margin = if coarse == 1000 { 0.02 } else { 0.2 };
        for (&x, &y) in lon.iter().zip(&lat) {
            assert!(x > lon_min - margin && x < lon_max + margin, "{x}");
            assert!(y > lat_min - margin && y < lat_max + margin, "{y}");
        }
    }
}

#[test]
fn float32_close_to_float64() {
    let g32 = Geometry::<f32>::new(1000, 250, None).unwrap();
    let g64 = Geometry::<f64>::new(1000, 250, None).unwrap();
    let (lon32, lat32) = run(&g32, &scan(&g32, 179.5, -70.0));
    let (lon64, lat64) = run(&g64, &scan(&g64, 179.5, -70.0));
    for (a, b) in lon32.iter().zip(&lon64).chain(lat32.iter().zip(&lat64)) {
        let diff = (f64::from(*a) - b).abs();
        assert!(diff < 1e-3 || (360.0 - diff).abs() < 1e-3, "{a} {b}");
    }
}

#[test]
fn nan_tie_points_stay_local() {
    let g = Geometry::<f32>::new(1000, 500, None).unwrap();
    let mut input = scan(&g, 0.0, 0.0);
    input.0[5 * 1354 + 600] = f32::NAN;
    let (lon, _) = run(&g, &input);
    let nans = lon.iter().filter(|v| v.is_nan()).count();
    assert!(nans > 0 && nans < 100, "{nans}");
}

#[test]
fn whole_granule_equals_scan_by_scan_in_any_pool() {
    let g = Geometry::<f32>::new(1000, 250, None).unwrap();
    let scans: Vec<_> = (0..3)
        .map(|s| scan(&g, 20.0 * s as f64, -80.0 + 30.0 * s as f64))
        .collect();
    let mut flat = (Vec::new(), Vec::new(), Vec::new());
    let mut expected = (Vec::new(), Vec::new());
    for input in &scans {
        flat.0.extend_from_slice(&input.0);
        flat.1.extend_from_slice(&input.1);
        flat.2.extend_from_slice(&input.2);
        let (lon, lat) = run(&g, input);
        expected.0.extend(lon);
        expected.1.extend(lat);
    }
    let shape = (30, 1354);
    let view = |v: &Vec<f32>| {
        ndarray::ArrayView2::from_shape(shape, v)
            .unwrap()
            .to_owned()
    };
    let (lon, lat, satz) = (view(&flat.0), view(&flat.1), view(&flat.2));
    let stop = AtomicBool::new(false);
    for threads in [None, Some(1), Some(3)] {
        let mut out = (vec![0.0; expected.0.len()], vec![0.0; expected.0.len()]);
        let mut call = || {
            interpolate(
                &g,
                lon.view(),
                lat.view(),
                satz.view(),
                &mut out.0,
                &mut out.1,
                &stop,
            )
            .unwrap()
            .unwrap()
        };
        match threads {
            None => call(),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
                .install(call),
        }
        let bits = |v: &Vec<f32>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&out.0), bits(&expected.0));
        assert_eq!(bits(&out.1), bits(&expected.1));
    }
    let partial = lon.slice(ndarray::s![..25, ..]);
    let err = interpolate(&g, partial, partial, partial, &mut [], &mut [], &stop).unwrap();
    assert!(matches!(err, Err(ModisError::Shape(_))));
}
