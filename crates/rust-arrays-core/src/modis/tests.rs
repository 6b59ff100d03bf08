use super::tie_points::lonlat_to_xyz;
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

/// The coarse cell column of each fine column, from the geometry's blocks (which must cover
/// the fine columns in order).
fn cell_cols<T>(g: &Geometry<T>) -> Vec<usize> {
    let mut next_col = 0;
    let mut cells = Vec::new();
    for block in &g.column_blocks {
        assert_eq!(block.first_col, next_col);
        next_col = block.columns().end;
        cells.extend(
            block
                .cells
                .clone()
                .flat_map(|j| std::iter::repeat_n(j, block.run)),
        );
    }
    cells
}

#[test]
fn cells_match_upstream_block_copies() {
    for (coarse, fine, width) in PAIRS {
        let g = Geometry::<f32>::new(coarse, fine, width).unwrap();
        let literal = expanded_literally(&g, coarse == 5000);
        let cell_col = cell_cols(&g);
        for r in 0..g.fine_rows {
            for c in 0..g.fine_cols {
                assert_eq!(
                    literal[r * g.fine_cols + c],
                    (g.cell_row[r], cell_col[c]),
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
    let x: Vec<f64> = g.scan.iter().map(|v| v * 4.0).collect();
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
    run_with(g, input, crate::simd_row_sum::best_isa())
}

fn run_with<T: GeoFloat>(
    g: &Geometry<T>,
    input: &(Vec<T>, Vec<T>, Vec<T>),
    isa: Isa,
) -> (Vec<T>, Vec<T>) {
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
        isa,
    );
    (lon, lat)
}

/// Upstream's `xyz2lonlat` (default `low_lat_z=True`, `thr=0.8` rounded to `T`), literally.
pub(super) fn xyz_to_lonlat<T: GeoFloat>(xyz: [T; 3]) -> (T, T) {
    let (x, y, z) = (xyz[0].wide(), xyz[1].wide(), xyz[2].wide());
    let lon = T::narrow(rad2deg((x / (x * x + y * y).sqrt()).acos()) * sign(y));
    let thr = T::narrow(0.8).wide();
    let lat = if z < thr * EARTH_RADIUS && z > -thr * EARTH_RADIUS {
        T::narrow(90.0 - rad2deg((z / EARTH_RADIUS).acos()))
    } else {
        T::narrow(sign(z) * (90.0 - rad2deg(((x * x + y * y).sqrt() / EARTH_RADIUS).asin())))
    };
    (lon, lat)
}

/// One scan the way upstream's loops compute it, pixel by pixel: the reference for the
/// chunked passes of `fine_rows`.
fn run_per_pixel<T: GeoFloat>(
    g: &Geometry<T>,
    input: &(Vec<T>, Vec<T>, Vec<T>),
) -> (Vec<T>, Vec<T>) {
    let (rows, cols) = (g.coarse_rows, g.coarse_cols);
    let at = |v: &Vec<T>, i: usize, j: usize| v[i * cols + j];
    let xyz = |i, j| lonlat_to_xyz(at(&input.0, i, j), at(&input.1, i, j));
    let mut out = (Vec::new(), Vec::new());
    assert_eq!(input.0.len(), rows * cols);
    let cell_col = cell_cols(g);
    for r in 0..g.fine_rows {
        let i = g.cell_row[r];
        let a_track = g.s_t[r];
        let s_t = a_track.wide();
        for (c, &j) in cell_col.iter().enumerate() {
            let (expansion, alignment) = expansion_alignment(
                zenith(at(&input.2, i, j)),
                zenith(at(&input.2, i, j + 1)),
                g.scan_width,
            );
            let s_s = T::narrow(g.scan[c]).wide();
            let a_scan = T::narrow(
                (s_s + (s_s * (1.0 - s_s)) * expansion.wide())
                    + (s_t * (1.0 - s_t)) * alignment.wide(),
            );
            let (upper_left, upper_right) = (xyz(i, j), xyz(i, j + 1));
            let (lower_left, lower_right) = (xyz(i + 1, j), xyz(i + 1, j + 1));
            let point: [T; 3] = std::array::from_fn(|k| {
                let scan1 = T::narrow(
                    (1.0 - a_scan.wide()) * upper_left[k].wide() + (a_scan * upper_right[k]).wide(),
                );
                let scan2 = T::narrow(
                    (1.0 - a_scan.wide()) * lower_left[k].wide() + (a_scan * lower_right[k]).wide(),
                );
                T::narrow((1.0 - a_track.wide()) * scan1.wide() + (a_track * scan2).wide())
            });
            let (lon, lat) = xyz_to_lonlat(point);
            out.0.push(lon);
            out.1.push(lat);
        }
    }
    out
}

/// Runs `call` on the calling thread (no rayon pool), then inside rayon pools of 1 and 3
/// threads.
pub(super) fn in_each_pool(mut call: impl FnMut() + Send) {
    call();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build();
        pool.unwrap().install(&mut call);
    }
}

/// A small deterministic pseudo-random generator (xorshift64).
pub(super) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// A generator's 64 bits as a uniform double in [0, 1).
pub(super) fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// How the tests of the vector-libm checks move a scalar result inside the margin, `1 + scale *
/// t`: `t` = -1 and 1 (both ends), a random sign per value, and uniform in [-1, 1).
pub(super) fn margin_spreads(seed: u64) -> [Box<dyn FnMut() -> f64>; 4] {
    let mut uniform = xorshift(seed * 7919);
    let mut sign = xorshift(seed * 104_729);
    [
        Box::new(|| -1.0),
        Box::new(|| 1.0),
        Box::new(move || if sign().is_multiple_of(2) { -1.0 } else { 1.0 }),
        Box::new(move || 2.0 * unit(uniform()) - 1.0),
    ]
}

/// What the tests of the vector-libm checks count beyond exactness.
#[derive(Default)]
pub(super) struct MarginTally {
    /// Values the check left to the scalar calls, on ordinary inputs.
    pub unsure_ordinary: usize,
    /// Ordinary values checked.
    pub ordinary: usize,
    /// Perturbed inputs whose outputs differ from the scalar ones without the check.
    pub wrong_unchecked: usize,
}

impl MarginTally {
    /// The perturbations must change unchecked outputs (without the check the test would
    /// fail), and the check must decide almost every ordinary value by itself.
    pub fn assert_meaningful(&self, what: &str) {
        assert!(
            self.wrong_unchecked > 0,
            "{what}: the perturbations change nothing"
        );
        eprintln!(
            "unsure: {} of {} ordinary {what}",
            self.unsure_ordinary, self.ordinary
        );
        assert!(self.unsure_ordinary * 100 < self.ordinary, "{what}");
    }
}

/// Hostile values (degrees): NaN of both signs, infinities, signed zeros, the poles and the
/// antimeridian, huge values, and two ordinary ones.
pub(super) const HOSTILE_DEGREES: [f64; 14] = [
    f64::NAN,
    -f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    0.0,
    -0.0,
    90.0,
    -90.0,
    180.0,
    -180.0,
    1e30,
    -1e30,
    53.13,
    89.999,
];

/// Puts `count` values drawn from `values` at random places of random ones of `arrays` (all of
/// one length), with a small xorshift generator seeded by `seed`.
pub(super) fn sprinkle<T: GeoFloat>(
    arrays: &mut [&mut Vec<T>],
    values: &[f64],
    count: usize,
    seed: u64,
) {
    let mut next = xorshift(seed);
    let mut next = || next() as usize;
    let n = arrays[0].len();
    for _ in 0..count {
        let value = T::narrow(values[next() % values.len()]);
        let index = next() % n;
        let which = next() % arrays.len();
        arrays[which][index] = value;
    }
}

/// A scan with hostile tie points ([`HOSTILE_DEGREES`], in the zenith angles too, where two
/// adjacent zeros can occur).
fn hostile_scan<T: GeoFloat>(g: &Geometry<T>, seed: u64) -> (Vec<T>, Vec<T>, Vec<T>) {
    let mut input = scan(g, -179.9, 80.0);
    let n = input.0.len();
    let arrays = &mut [&mut input.0, &mut input.1, &mut input.2];
    sprinkle(arrays, &HOSTILE_DEGREES, n / 8, seed);
    input
}

pub(super) fn bits<T: GeoFloat>(values: &[T]) -> Vec<u64> {
    values.iter().map(|v| v.wide().to_bits()).collect()
}

/// Positions where two outputs differ, NaNs compared by NaN-ness only: where two different NaNs
/// (here +NaN and -NaN tie points) meet in one addition, x86 keeps the first operand's, and
/// LLVM may swap the operands of a commutative operation differently in each build.
pub(super) fn differing<T: GeoFloat>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .zip(b)
        .filter(|(x, y)| {
            let (x, y) = (x.wide(), y.wide());
            !(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
        })
        .count()
}

/// Asserts that every instruction set's build gives the per-pixel loop's values on `input`,
/// every bit (`nan_bits`) or with NaNs compared by NaN-ness only (see `differing`).
fn assert_every_isa_matches_per_pixel<T: GeoFloat>(
    g: &Geometry<T>,
    input: &(Vec<T>, Vec<T>, Vec<T>),
    nan_bits: bool,
    what: &str,
) {
    let expected = run_per_pixel(g, input);
    for isa in Isa::ALL {
        let actual = run_with(g, input, isa);
        for (got, want) in [(&actual.0, &expected.0), (&actual.1, &expected.1)] {
            if nan_bits {
                assert_eq!(bits(got), bits(want), "{what} {isa:?}");
            } else {
                assert_eq!(differing(got, want), 0, "{what} {isa:?}");
            }
        }
    }
}

#[test]
fn chunked_passes_equal_the_per_pixel_loop_for_every_isa() {
    for (coarse, fine, width) in PAIRS {
        let what = format!("{coarse}->{fine}");
        let g32 = Geometry::<f32>::new(coarse, fine, width).unwrap();
        let g64 = Geometry::<f64>::new(coarse, fine, width).unwrap();
        assert_every_isa_matches_per_pixel(&g32, &scan(&g32, 179.9, -60.0), true, &what);
        // Across the equator, where the latitude's float32 output is finest.
        assert_every_isa_matches_per_pixel(&g32, &scan(&g32, 30.0, -0.05), true, &what);
        assert_every_isa_matches_per_pixel(&g64, &scan(&g64, 12.0, 53.0), true, &what);
        for seed in 1..4 {
            assert_every_isa_matches_per_pixel(&g32, &hostile_scan(&g32, seed), false, &what);
            assert_every_isa_matches_per_pixel(&g64, &hostile_scan(&g64, seed), false, &what);
        }
    }
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
    in_each_pool(|| {
        let mut out = (vec![0.0; expected.0.len()], vec![0.0; expected.0.len()]);
        let isa = crate::simd_row_sum::best_isa();
        let (lon, lat, satz) = (lon.view(), lat.view(), satz.view());
        let done = interpolate(&g, lon, lat, satz, &mut out.0, &mut out.1, isa, &stop);
        assert_eq!(done, Ok(Ok(())));
        assert_eq!(bits(&out.0), bits(&expected.0));
        assert_eq!(bits(&out.1), bits(&expected.1));
    });
    let partial = lon.slice(ndarray::s![..25, ..]);
    let isa = Isa::Scalar;
    let err = interpolate(&g, partial, partial, partial, &mut [], &mut [], isa, &stop).unwrap();
    assert!(matches!(err, Err(ModisError::Shape(_))));
}
