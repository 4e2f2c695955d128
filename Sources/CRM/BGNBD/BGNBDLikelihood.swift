import Foundation

/// The summed BG/NBD log-likelihood and its analytic gradient with respect to the log-parameters
/// (ln r, ln α, ln a, ln b), over aggregated histories.
///
/// A final class so that the scratch buffers are allocated once per fit; it is used by one fit on
/// one thread and never shared.
final class BGNBDLikelihood {
    let data: AggregatedHistories
    private(set) var evaluations = 0
    private var logAlphaPlusT: [Double]
    private var logAlphaPlusTx: [Double]
    private var logBPlusXMinus1: [Double]

    init(_ data: AggregatedHistories) {
        self.data = data
        logAlphaPlusT = Array(repeating: 0, count: data.TValues.count)
        logAlphaPlusTx = Array(repeating: 0, count: data.txValues.count)
        logBPlusXMinus1 = Array(repeating: 0, count: data.xValues.count)
    }

    /// Log-likelihood at exp(θ).
    func value(at theta: [Double]) -> Double {
        evaluate(theta, wantGradient: false).value
    }

    /// Log-likelihood at exp(θ) and ∂ℓ/∂θ.
    func valueAndGradient(at theta: [Double]) -> (value: Double, gradient: [Double]) {
        evaluate(theta, wantGradient: true)
    }

    private func evaluate(_ theta: [Double], wantGradient: Bool) -> (value: Double, gradient: [Double]) {
        evaluations += 1
        let r = exp(theta[0]), alpha = exp(theta[1]), a = exp(theta[2]), b = exp(theta[3])
        guard r.isFinite, alpha.isFinite, a.isFinite, b.isFinite, r > 0, alpha > 0, a > 0, b > 0 else {
            return (-.infinity, [0, 0, 0, 0])
        }
        let logAlpha = log(alpha), logA = log(a)
        for i in data.TValues.indices { logAlphaPlusT[i] = log(alpha + data.TValues[i]) }
        for i in data.txValues.indices { logAlphaPlusTx[i] = log(alpha + data.txValues[i]) }

        var total = 0.0
        var dr = 0.0, dAlpha = 0.0, da = 0.0, db = 0.0
        let lnGamma = SpecialFunctions.logGamma
        let lgR = lnGamma(r), lgB = lnGamma(b), lgAB = lnGamma(a + b)
        let psiR = wantGradient ? SpecialFunctions.digamma(r) : 0
        let psiB = wantGradient ? SpecialFunctions.digamma(b) : 0
        let psiAB = wantGradient ? SpecialFunctions.digamma(a + b) : 0
        for i in data.xValues.indices {
            let x = data.xValues[i], n = data.xCounts[i]
            // A1 + A2: depends on x only.
            let a1 = lnGamma(r + x) - lgR + r * logAlpha
            let a2 = lgAB + lnGamma(b + x) - lgB - lnGamma(a + b + x)
            total += n * (a1 + a2)
            logBPlusXMinus1[i] = x > 0 ? log(b + x - 1) : 0
            if wantGradient {
                dr += n * (SpecialFunctions.digamma(r + x) - psiR + logAlpha)
                dAlpha += n * r / alpha
                if x > 0 {
                    let psiABX = SpecialFunctions.digamma(a + b + x)
                    da += n * (psiAB - psiABX)
                    db += n * (psiAB + SpecialFunctions.digamma(b + x) - psiB - psiABX)
                }
            }
        }
        // One-time buyers: ℓ = A1 + A2 + A3 with A3 = −r ln(α + T).
        for i in data.TValues.indices where data.oneTimeWeightByT[i] > 0 {
            let n = data.oneTimeWeightByT[i]
            total -= n * r * logAlphaPlusT[i]
            if wantGradient {
                dr -= n * logAlphaPlusT[i]
                dAlpha -= n * r / (alpha + data.TValues[i])
            }
        }
        // Repeat buyers: logaddexp(A3, A4).
        for row in data.repeatWeight.indices {
            let xi = Int(data.repeatX[row]), ti = Int(data.repeatTx[row]), Ti = Int(data.repeatT[row])
            let n = data.repeatWeight[row]
            let shape = r + data.xValues[xi]
            let a3 = -shape * logAlphaPlusT[Ti]
            let a4 = logA - logBPlusXMinus1[xi] - shape * logAlphaPlusTx[ti]
            let w4: Double
            if a3 >= a4 {
                let e = exp(a4 - a3)
                total += n * (a3 + log1p(e))
                w4 = e / (1 + e)
            } else {
                let e = exp(a3 - a4)
                total += n * (a4 + log1p(e))
                w4 = 1 / (1 + e)
            }
            if wantGradient {
                let w3 = 1 - w4
                dr -= n * (w3 * logAlphaPlusT[Ti] + w4 * logAlphaPlusTx[ti])
                dAlpha -= n * shape * (w3 / (alpha + data.TValues[Ti]) + w4 / (alpha + data.txValues[ti]))
                da += n * w4 / a
                db -= n * w4 / (b + data.xValues[xi] - 1)
            }
        }
        // Chain rule for θ = ln(parameter).
        return (total, wantGradient ? [dr * r, dAlpha * alpha, da * a, db * b] : [0, 0, 0, 0])
    }
}
