//! NumPy's float -> int64 cast, and C's `(int)` cast of a double, as they behave on x86-64.
//!
//! C leaves the conversion of NaN, ±inf and out-of-range values undefined; x86-64 gives the
//! CPU's "integer indefinite" value (`i64::MIN`, `i32::MIN`) for all of them, which is what
//! NumPy (which also warns) and compiled Cython code get. Rust's `as` saturates instead, so the
//! casts are spelled out here.

/// 2**63, the first float64 (and float32) value that no longer fits in an int64.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `np.float64(x).astype(np.int64)` on x86-64: truncation toward zero, `i64::MIN` when the value
/// is NaN or does not fit.
#[inline(always)]
pub fn f64_to_i64(x: f64) -> i64 {
    if (-TWO_POW_63..TWO_POW_63).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

/// `np.float32(x).astype(np.int64)` on x86-64 (every float32 is exact in float64).
#[inline(always)]
pub fn f32_to_i64(x: f32) -> i64 {
    f64_to_i64(f64::from(x))
}

/// 2**31, the first double that no longer fits in a C `int`.
const TWO_POW_31: f64 = 2_147_483_648.0;

/// C's `(int)x` for a double on x86-64 (`cvttsd2si` into a 32-bit register): truncation toward
/// zero, `i32::MIN` when the value is NaN or its truncation does not fit.
#[inline(always)]
pub fn f64_to_c_int(x: f64) -> i32 {
    // Truncation fits exactly when -2**31 - 1 < x < 2**31.
    if x > -TWO_POW_31 - 1.0 && x < TWO_POW_31 {
        x as i32
    } else {
        i32::MIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_range_values_truncate_toward_zero() {
        assert_eq!(f64_to_i64(2.9), 2);
        assert_eq!(f64_to_i64(-2.9), -2);
        assert_eq!(f64_to_i64(-0.0), 0);
        assert_eq!(f64_to_i64(-TWO_POW_63), i64::MIN);
        assert_eq!(
            f64_to_i64(9_223_372_036_854_774_784.0),
            9_223_372_036_854_774_784
        );
        assert_eq!(f32_to_i64(16_777_217.0), 16_777_216);
    }

    #[test]
    fn nan_inf_and_out_of_range_give_int64_min() {
        for x in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            TWO_POW_63,
            1e300,
            -1e19,
        ] {
            assert_eq!(f64_to_i64(x), i64::MIN, "{x}");
        }
        for x in [f32::NAN, f32::INFINITY, f32::MAX] {
            assert_eq!(f32_to_i64(x), i64::MIN, "{x}");
        }
    }

    #[test]
    fn c_int_cast_truncates_or_gives_int_min() {
        assert_eq!(f64_to_c_int(2.9), 2);
        assert_eq!(f64_to_c_int(-2.9), -2);
        assert_eq!(f64_to_c_int(-0.5), 0);
        assert_eq!(f64_to_c_int(2_147_483_647.9), i32::MAX);
        assert_eq!(f64_to_c_int(-2_147_483_648.9), i32::MIN);
        assert_eq!(f64_to_c_int(-2_147_483_648.0), i32::MIN);
        for x in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            TWO_POW_31,
            -TWO_POW_31 - 1.0,
            1e300,
            -1e19,
        ] {
            assert_eq!(f64_to_c_int(x), i32::MIN, "{x}");
        }
    }
}
