//! How NumPy turns one pair of squares into a value of the talk's `do_something`, per dtype:
//! `np.sqrt(x + y).round().astype(np.int64)` with NumPy's arithmetic for the dtype the squares
//! are added in, and which values count. The reference every faster path is tested against.

use half::f16;

use crate::numpy_cast::{f32_to_i64, f64_to_i64};

/// Rounded roots at or below this value count as zero (the talk's `tmp[tmp <= 10] = 0`).
pub const COUNTED_ABOVE: i64 = 10;

/// A dtype in which NumPy adds the two squares.
pub trait SquareSum: Copy + Send + Sync {
    /// `np.sqrt(x + y).round().astype(np.int64)` with both operands of this dtype.
    fn rounded_root(x: Self, y: Self) -> i64;
}

impl SquareSum for f64 {
    #[inline(always)]
    fn rounded_root(x: f64, y: f64) -> i64 {
        f64_to_i64((x + y).sqrt().round_ties_even())
    }
}

impl SquareSum for f32 {
    #[inline(always)]
    fn rounded_root(x: f32, y: f32) -> i64 {
        f32_to_i64((x + y).sqrt().round_ties_even())
    }
}

/// NumPy computes every float16 operation in float32 and rounds the result to float16.
#[inline(always)]
fn half_rounded_root(sum: f16) -> i64 {
    let root = f16::from_f32(sum.to_f32().sqrt());
    // Rounding a float16 to an integer is exact in float16, so no further rounding step.
    f32_to_i64(root.to_f32().round_ties_even())
}

impl SquareSum for f16 {
    #[inline(always)]
    fn rounded_root(x: f16, y: f16) -> i64 {
        half_rounded_root(f16::from_f32(x.to_f32() + y.to_f32()))
    }
}

/// Integer squares add with wrap-around in their own dtype; `np.sqrt` then converts the sum to
/// float16 (8-bit ints), float32 (16-bit) or float64 (wider), as NumPy's ufunc type resolution
/// picks the first float loop the integer dtype casts to safely.
macro_rules! integer_square_sum {
    (float16: $($int:ty),*) => {$(
        impl SquareSum for $int {
            #[inline(always)]
            fn rounded_root(x: $int, y: $int) -> i64 {
                // Every 8-bit integer is exact in float16.
                half_rounded_root(f16::from_f32(f32::from(x.wrapping_add(y))))
            }
        }
    )*};
    (float32: $($int:ty),*) => {$(
        impl SquareSum for $int {
            #[inline(always)]
            fn rounded_root(x: $int, y: $int) -> i64 {
                f32_to_i64(f32::from(x.wrapping_add(y)).sqrt().round_ties_even())
            }
        }
    )*};
    (float64: $($int:ty),*) => {$(
        impl SquareSum for $int {
            #[inline(always)]
            fn rounded_root(x: $int, y: $int) -> i64 {
                // `as f64` rounds to nearest even, like C's integer to double conversion.
                f64_to_i64((x.wrapping_add(y) as f64).sqrt().round_ties_even())
            }
        }
    )*};
}
integer_square_sum!(float16: i8, u8);
integer_square_sum!(float32: i16, u16);
integer_square_sum!(float64: i32, u32, i64, u64);

/// The reference sum of a block: the wrapping int64 sum over all pairs `xs × ys` of the rounded
/// roots above [`COUNTED_ABOVE`], one pair at a time.
pub fn counted_sum<T: SquareSum>(xs: &[T], ys: &[T]) -> i64 {
    xs.iter().fold(0i64, |total, &x| {
        ys.iter().fold(total, |total, &y| {
            let value = T::rounded_root(x, y);
            total.wrapping_add(if value > COUNTED_ABOVE { value } else { 0 })
        })
    })
}
