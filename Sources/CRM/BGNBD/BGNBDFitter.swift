import Foundation

/// Why a fit could not even start.
public enum BGNBDFitError: Error, Equatable, CustomStringConvertible {
    case noCustomers
    case invalidHistory(index: Int, reason: String)
    case noRepeatPurchases

    public var description: String {
        switch self {
        case .noCustomers: return "BG/NBD fit: no customers with purchases"
        case let .invalidHistory(index, reason): return "BG/NBD fit: customer #\(index): \(reason)"
        case .noRepeatPurchases: return "BG/NBD fit: no customer has a repeat purchase, the model is not identifiable"
        }
    }
}

/// The outcome of a maximum-likelihood fit. A fit that did not converge still returns its best point:
/// the caller decides whether to use it (and should log `converged = false`).
public struct BGNBDFit: Sendable {
    public var parameters: BGNBDParameters
    public var logLikelihood: Double
    public var converged: Bool
    /// Nelder-Mead iterations + quasi-Newton iterations, over both stages when the fallback ran.
    public var iterations: Int
    /// Whether the quick path failed and the full Nelder-Mead fallback was needed.
    public var usedFallback: Bool
    public var likelihoodEvaluations: Int
    public var customers: Int
    /// Distinct (x, t_x, T) triples the likelihood was evaluated over.
    public var distinctHistories: Int

    public var model: BGNBDModel { BGNBDModel(parameters: parameters) }
}

/// Maximum-likelihood BG/NBD fit on log-parameters.
///
/// Quick path: a few Nelder-Mead steps from a fixed start, then BFGS with the analytic gradient to a
/// tight gradient tolerance (on CDNOW ~30 likelihood evaluations). Should BFGS not converge, the
/// fallback runs Nelder-Mead to its (loose) tolerances — robust far from the optimum — and polishes
/// again with BFGS. Everything is deterministic: fixed start, fixed tolerances, fixed summation order.
public enum BGNBDFitter {
    public struct Options: Sendable {
        /// Nelder-Mead steps before the quick BFGS attempt.
        public var quickNelderMeadIterations = 5
        /// Fallback: loose on purpose, Nelder-Mead only has to reach the basin; BFGS does the precision.
        public var nelderMeadValueTolerance = 1e-3
        public var nelderMeadPointTolerance = 0.3
        public var nelderMeadMaxIterations = 2_000
        /// On the mean log-likelihood per customer, per log-parameter.
        public var gradientTolerance = 1e-9
        /// Accepted when rounding noise stops further progress.
        public var noiseFloorGradientTolerance = 1e-6
        public var quasiNewtonMaxIterations = 200
        public init() {}
    }

    public static func fit(_ histories: [PurchaseHistory], options: Options = Options()) throws(BGNBDFitError) -> BGNBDFit {
        try fit(weighted: histories.map { ($0, 1) }, options: options)
    }

    /// The same fit over histories already grouped, e.g. by `GROUP BY x, t_x, T` in SQL: each
    /// history stands for `count` customers.
    public static func fit(weighted: [(history: PurchaseHistory, count: Int)],
                           options: Options = Options()) throws(BGNBDFitError) -> BGNBDFit {
        for (index, row) in weighted.enumerated() {
            if let reason = row.history.defect { throw BGNBDFitError.invalidHistory(index: index, reason: reason) }
            if row.count < 0 { throw BGNBDFitError.invalidHistory(index: index, reason: "count \(row.count) is negative") }
        }
        let weighted = weighted.filter { $0.count > 0 }
        guard !weighted.isEmpty else { throw BGNBDFitError.noCustomers }
        guard weighted.contains(where: { $0.history.x > 0 }) else { throw BGNBDFitError.noRepeatPurchases }
        let data = AggregatedHistories(weighted: weighted.map { ($0.history, Double($0.count)) })
        let likelihood = BGNBDLikelihood(data)
        let scale = 1 / Double(data.customerCount)
        // Start: r = a = b = 1 and α at the mean observation time, so the start is unit-free.
        let meanT = max(weighted.reduce(0) { $0 + $1.history.T * Double($1.count) } / Double(data.customerCount), 1e-6)
        let start = [0, log(meanT), 0, 0]
        let objective: ([Double]) -> Double = { -scale * likelihood.value(at: $0) }
        let objectiveAndGradient: ([Double]) -> (value: Double, gradient: [Double]) = { theta in
            let (value, gradient) = likelihood.valueAndGradient(at: theta)
            return (-scale * value, gradient.map { -scale * $0 })
        }
        func stage(nelderMeadIterations: Int) -> (best: Optimizers.Outcome, converged: Bool, iterations: Int) {
            let coarse = Optimizers.nelderMead(
                objective, start: start, step: 1,
                valueTolerance: options.nelderMeadValueTolerance, pointTolerance: options.nelderMeadPointTolerance,
                maxIterations: nelderMeadIterations)
            let polished = Optimizers.bfgs(
                objectiveAndGradient, start: coarse.point, gradientTolerance: options.gradientTolerance,
                floorGradientTolerance: options.noiseFloorGradientTolerance,
                maxIterations: options.quasiNewtonMaxIterations)
            let polishedWins = polished.value <= coarse.value
            return (polishedWins ? polished : coarse, polished.converged && polishedWins,
                    coarse.iterations + polished.iterations)
        }
        var result = stage(nelderMeadIterations: min(options.quickNelderMeadIterations, options.nelderMeadMaxIterations))
        var usedFallback = false
        if !result.converged {
            let fallback = stage(nelderMeadIterations: options.nelderMeadMaxIterations)
            usedFallback = true
            let iterations = result.iterations + fallback.iterations
            result = fallback.best.value <= result.best.value || fallback.converged ? fallback : result
            result.iterations = iterations
        }
        let theta = result.best.point
        return BGNBDFit(
            parameters: BGNBDParameters(r: exp(theta[0]), alpha: exp(theta[1]), a: exp(theta[2]), b: exp(theta[3])),
            logLikelihood: likelihood.value(at: theta),
            converged: result.converged,
            iterations: result.iterations,
            usedFallback: usedFallback,
            likelihoodEvaluations: likelihood.evaluations,
            customers: data.customerCount,
            distinctHistories: data.distinctTriples)
    }
}
