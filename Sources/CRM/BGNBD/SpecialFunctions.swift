import Foundation

/// Small numerical helpers the model needs beyond Foundation's `lgamma`, `log`, `exp`.
enum SpecialFunctions {
    /// ln Γ(x) (glibc's lgamma; the explicit type picks the Double overload over the tuple one).
    @inline(__always)
    static func logGamma(_ x: Double) -> Double {
        let value: Double = lgamma(x)
        return value
    }

    /// ln(e^a + e^b) without overflow.
    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
    }

    /// The digamma function ψ = Γ'/Γ for x > 0: recurrence up to x ≥ 12, then the asymptotic series
    /// (first omitted term below 3e-15 there).
    static func digamma(_ value: Double) -> Double {
        precondition(value > 0, "digamma is only needed for positive arguments")
        var x = value
        var shift = 0.0
        while x < 12 {
            shift -= 1 / x
            x += 1
        }
        let inverse = 1 / x
        let inverse2 = inverse * inverse
        let series = inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2 * (1.0 / 240 - inverse2 * (1.0 / 132)))))
        return shift + log(x) - 0.5 * inverse - series
    }

    /// ln|Γ(x)| and the sign of Γ(x); Γ has poles at 0, −1, −2, … where this returns +∞.
    static func logGammaWithSign(_ x: Double) -> (value: Double, sign: Double) {
        if x > 0 { return (logGamma(x), 1) }
        if x == x.rounded() { return (.infinity, 1) }
        let sign: Double = Int(x.rounded(.down)).isMultiple(of: 2) ? 1 : -1
        return (logGamma(x), sign)
    }
}
