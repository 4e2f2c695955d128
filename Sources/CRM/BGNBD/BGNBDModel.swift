import Foundation

/// Per-customer quantities of a fitted BG/NBD model (Fader, Hardie & Lee 2005).
/// All times are in the unit the histories were built with (weeks for CDNOW).
public struct BGNBDModel: Sendable {
    public let parameters: BGNBDParameters

    public init(parameters: BGNBDParameters) {
        precondition(parameters.isValid, "BG/NBD parameters must be positive and finite: \(parameters)")
        self.parameters = parameters
    }

    /// The log-likelihood of one history.
    public func logLikelihood(_ h: PurchaseHistory) -> Double {
        let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
        let x = Double(h.x)
        let a1 = SpecialFunctions.logGamma(r + x) - SpecialFunctions.logGamma(r) + r * log(alpha)
        let a2 = SpecialFunctions.logGamma(a + b) + SpecialFunctions.logGamma(b + x) - SpecialFunctions.logGamma(b) - SpecialFunctions.logGamma(a + b + x)
        let a3 = -(r + x) * log(alpha + h.T)
        guard h.x > 0 else { return a1 + a2 + a3 }
        let a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + h.tx)
        return a1 + a2 + SpecialFunctions.logAddExp(a3, a4)
    }

    /// The sum of the log-likelihoods.
    public func logLikelihood(_ histories: [PurchaseHistory]) -> Double {
        histories.reduce(0) { $0 + logLikelihood($1) }
    }

    /// P(alive | x, t_x, T); 1 for customers without repeat purchases (a known weakness of the model:
    /// treat one-time buyers separately).
    public func probabilityAlive(_ h: PurchaseHistory) -> Double {
        guard h.x > 0 else { return 1 }
        let x = Double(h.x)
        let logOdds = log(parameters.a) - log(parameters.b + x - 1)
            + (parameters.r + x) * (log(parameters.alpha + h.T) - log(parameters.alpha + h.tx))
        // 1/(1 + e^L) written so that large |L| neither overflows nor loses the tail.
        return logOdds > 0 ? exp(-logOdds) / (1 + exp(-logOdds)) : 1 / (1 + exp(logOdds))
    }

    /// E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units.
    public func expectedPurchases(in t: Double, given h: PurchaseHistory) -> Double {
        expectedPurchasesDetailed(in: t, given: h).value
    }

    /// As `expectedPurchases`, with whether the hypergeometric series converged.
    public func expectedPurchasesDetailed(in t: Double, given h: PurchaseHistory) -> (value: Double, converged: Bool) {
        precondition(t >= 0, "horizon must not be negative")
        if t == 0 { return (0, true) }
        let (r, alpha, a, b) = (parameters.r, parameters.alpha, parameters.a, parameters.b)
        let x = Double(h.x)
        let z = t / (alpha + h.T + t)
        let c = a + b + x - 1
        let p = a + b - 1 - r
        let epsilon = a - 1
        let logOneMinusZ = log1p(-z)
        // Euler's form: E = c/ε · [1 − (1−z)^ε · ₂F₁(p, ε; c; z)] · P(alive), ε = a − 1.
        // Writing ₂F₁(p, ε; c; z) = 1 + ε·G removes the 0/0 at a = 1:
        //   [1 − (1−z)^ε (1 + εG)]/ε = −expm1(ε ln(1−z))/ε − (1−z)^ε · G.
        let bracketOverEpsilon: Double
        let converged: Bool
        if a > Self.largeA {
            // With a large a the Euler-form series climbs for ~a·z/(1−z) terms before it converges,
            // while the original form ₂F₁(r + x, b + x; c; z) has ratio ≈ b/(a + b)·z: use it, in logs.
            let f = Hypergeometric.logGaussSeriesPositive(r + x, b + x, c, z, limit: Self.termLimit(z))
            bracketOverEpsilon = -expm1((r + x) * logOneMinusZ + f.value) / epsilon
            converged = f.converged
        } else if z > Hypergeometric.connectionThreshold && abs(epsilon) > 1e-3 {
            let f = Hypergeometric.f21(p, epsilon, c, z)
            bracketOverEpsilon = (1 - exp(epsilon * logOneMinusZ) * f.value) / epsilon
            converged = f.converged
        } else {
            let g = Self.seriesG(p: p, a: a, c: c, z: z)
            let head = epsilon == 0 ? -logOneMinusZ : -expm1(epsilon * logOneMinusZ) / epsilon
            bracketOverEpsilon = head - exp(epsilon * logOneMinusZ) * g.value
            converged = g.converged
        }
        return (c * bracketOverEpsilon * probabilityAlive(h), converged)
    }

    /// Unconditional E[X(t)]: expected purchases of a customer in the first `t` units after the first
    /// purchase (the same formula as a customer with x = 0 observed for T = 0).
    public func expectedPurchasesOfNewCustomer(in t: Double) -> Double {
        expectedPurchases(in: t, given: PurchaseHistory(x: 0, tx: 0, T: 0))
    }

    /// The lateness q: the probability that, if alive, the customer would already have bought again
    /// between the last purchase and T.
    public func lateness(_ h: PurchaseHistory) -> Double {
        let shape = parameters.r + Double(h.x)
        return -expm1(shape * (log(parameters.alpha + h.tx) - log(parameters.alpha + h.T)))
    }

    /// The time after the last purchase at which the lateness reaches `q` (0 ≤ q < 1).
    public func timeSinceLastPurchase(atLateness q: Double, given h: PurchaseHistory) -> Double {
        precondition(q >= 0 && q < 1, "lateness threshold must be in [0, 1)")
        let shape = parameters.r + Double(h.x)
        return (parameters.alpha + h.tx) * expm1(-log1p(-q) / shape)
    }

    /// The median wait from the last purchase to the next one, if the customer is alive.
    public func medianWaitToNextPurchase(_ h: PurchaseHistory) -> Double {
        timeSinceLastPurchase(atLateness: 0.5, given: h)
    }

    /// Above this a the original (non-Euler) series converges faster.
    static let largeA = 10.0

    static func termLimit(_ z: Double) -> Int {
        z > Hypergeometric.connectionThreshold ? Hypergeometric.largeSeriesTermLimit : Hypergeometric.seriesTermLimit
    }

    /// G = Σₙ≥₁ (p)ₙ (a)ₙ₋₁ zⁿ / ((c)ₙ n!), so that ₂F₁(p, a − 1; c; z) = 1 + (a − 1)·G.
    static func seriesG(p: Double, a: Double, c: Double, z: Double) -> Hypergeometric.Result {
        let limit = termLimit(z)
        var term = p * z / c
        var sum = term
        var n = 1.0
        for index in 0..<limit {
            if term == 0 || abs(term) < 1e-17 * abs(sum) {
                return Hypergeometric.Result(value: sum, converged: sum.isFinite, terms: index + 1)
            }
            term *= (p + n) * (a + n - 1) / ((c + n) * (n + 1)) * z
            sum += term
            n += 1
        }
        return Hypergeometric.Result(value: sum, converged: false, terms: limit)
    }
}
