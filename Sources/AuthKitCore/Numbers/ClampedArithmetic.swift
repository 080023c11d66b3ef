/// Int64 arithmetic that clamps to Int64's range instead of trapping: for sums and products
/// that involve a number from outside (a token's `exp`, a stored timestamp, a setting), where
/// Swift's `+`, `-` and `*` would end the process on overflow.
extension Int64 {
    /// `self + other`, or Int64.max / Int64.min when that overflows.
    @inlinable public func addingClamped(_ other: Int64) -> Int64 {
        let (sum, overflowed) = addingReportingOverflow(other)
        return overflowed ? (other > 0 ? .max : .min) : sum
    }

    /// `self - other`, or Int64.max / Int64.min when that overflows.
    @inlinable public func subtractingClamped(_ other: Int64) -> Int64 {
        let (difference, overflowed) = subtractingReportingOverflow(other)
        return overflowed ? (other < 0 ? .max : .min) : difference
    }

    /// `self * other`, or Int64.max / Int64.min when that overflows.
    @inlinable public func multipliedClamped(by other: Int64) -> Int64 {
        let (product, overflowed) = multipliedReportingOverflow(by: other)
        return overflowed ? ((self < 0) == (other < 0) ? .max : .min) : product
    }

    /// `value` rounded down and clamped to Int64's range; nil for NaN. `Int64(value)` traps
    /// for NaN, infinities and anything past ±9.2e18 (a file dated in the year 300 million).
    @inlinable public static func clamping(_ value: Double) -> Int64? {
        guard !value.isNaN else { return nil }
        // 2^63 is exactly representable; every Double below it converts.
        if value >= 9_223_372_036_854_775_808.0 { return .max }
        if value <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value.rounded(.down))
    }
}
