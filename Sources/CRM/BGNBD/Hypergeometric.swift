import Foundation

/// Gauss's hypergeometric function ₂F₁(a, b; c; z) for real 0 ≤ z < 1, which is all the model needs.
///
/// The Gauss series converges like zⁿ, so close to z = 1 it is slow; there the 1 − z connection
/// formula turns the problem into two series in 1 − z, unless c − a − b is (nearly) an integer, where
/// that formula is singular and we fall back to the direct series with a larger term budget.
enum Hypergeometric {
    struct Result {
        var value: Double
        var converged: Bool
        var terms: Int
    }

    /// Above this z the connection formula is used when it is well defined.
    static let connectionThreshold = 0.9
    static let seriesTermLimit = 20_000
    static let largeSeriesTermLimit = 2_000_000

    static func f21(_ a: Double, _ b: Double, _ c: Double, _ z: Double, allowTransformation: Bool = true) -> Result {
        precondition(z >= 0 && z < 1, "2F1 is only evaluated on [0, 1)")
        if z == 0 { return Result(value: 1, converged: true, terms: 0) }
        if allowTransformation && z > connectionThreshold {
            let gap = c - a - b
            if abs(gap - gap.rounded()) > 0.01, let transformed = connectionFormula(a, b, c, z) {
                return transformed
            }
            return gaussSeries(a, b, c, z, limit: largeSeriesTermLimit)
        }
        return gaussSeries(a, b, c, z, limit: z > connectionThreshold ? largeSeriesTermLimit : seriesTermLimit)
    }

    /// term₀ = 1; termₙ₊₁ = termₙ·(a + n)(b + n)/((c + n)(n + 1))·z; stops when |term| < 1e-16·|sum|.
    static func gaussSeries(_ a: Double, _ b: Double, _ c: Double, _ z: Double, limit: Int) -> Result {
        var term = 1.0
        var sum = 1.0
        var n = 0.0
        for index in 0..<limit {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            sum += term
            n += 1
            if term == 0 || abs(term) < 1e-16 * abs(sum) {
                return Result(value: sum, converged: sum.isFinite, terms: index + 1)
            }
        }
        return Result(value: sum, converged: false, terms: limit)
    }

    /// ln ₂F₁ by the Gauss series for positive a, b, c (all terms positive), rescaling the running sum
    /// so that functions far beyond the Double range (e.g. x in the hundreds) stay representable.
    static func logGaussSeriesPositive(_ a: Double, _ b: Double, _ c: Double, _ z: Double, limit: Int) -> Result {
        precondition(a > 0 && b > 0 && c > 0, "all-positive series only")
        var term = 1.0
        var sum = 1.0
        var logScale = 0.0
        var n = 0.0
        for index in 0..<limit {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            sum += term
            n += 1
            if sum > 1e200 {
                sum *= 1e-200
                term *= 1e-200
                logScale += 200 * M_LN10
            }
            if term < 1e-16 * sum {
                return Result(value: log(sum) + logScale, converged: sum.isFinite, terms: index + 1)
            }
        }
        return Result(value: log(sum) + logScale, converged: false, terms: limit)
    }

    /// Abramowitz & Stegun 15.3.6, valid when c − a − b is not an integer.
    private static func connectionFormula(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Result? {
        let w = 1 - z
        let first = gaussSeries(a, b, a + b - c + 1, w, limit: seriesTermLimit)
        let second = gaussSeries(c - a, c - b, c - a - b + 1, w, limit: seriesTermLimit)
        let g = SpecialFunctions.logGammaWithSign
        let gc = g(c), gcab = g(c - a - b), gca = g(c - a), gcb = g(c - b)
        let gabc = g(a + b - c), ga = g(a), gb = g(b)
        let coefficient1 = gc.sign * gcab.sign * gca.sign * gcb.sign * exp(gc.value + gcab.value - gca.value - gcb.value)
        let coefficient2 = gc.sign * gabc.sign * ga.sign * gb.sign
            * exp(gc.value + gabc.value - ga.value - gb.value + (c - a - b) * log(w))
        // A pole of Γ in a denominator makes its term vanish; exp(-inf) already gives 0.
        let value = coefficient1 * first.value + coefficient2 * second.value
        guard value.isFinite else { return nil }
        return Result(value: value, converged: first.converged && second.converged, terms: first.terms + second.terms)
    }
}
