extension Duration {
    /// Whole milliseconds for libcurl's `*_MS` options: rounded up, so a tiny positive timeout never
    /// becomes 0 ("no timeout"); negative becomes 0; absurdly large values saturate instead of trapping.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return Int.max }
        let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        let (total, overflowAgain) = whole.addingReportingOverflow(fraction)
        return overflowAgain ? Int.max : Int(total)
    }
}
