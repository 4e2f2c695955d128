import Foundation

/// Draws purchase histories from a BG/NBD model: for tests (does the fit recover known parameters?)
/// and for benchmarks that need realistic synthetic customers. Deterministic for a given seed.
public struct BGNBDSimulator: Sendable {
    public let parameters: BGNBDParameters
    private var state: UInt64

    public init(parameters: BGNBDParameters, seed: UInt64) {
        precondition(parameters.isValid, "BG/NBD parameters must be positive and finite")
        self.parameters = parameters
        state = seed
    }

    /// Purchase times (in model units, after the first purchase at 0) of one customer observed for `T`.
    public mutating func purchaseTimes(observedFor T: Double) -> [Double] {
        let rate = gamma(shape: parameters.r) / parameters.alpha
        let g1 = gamma(shape: parameters.a), g2 = gamma(shape: parameters.b)
        let dropout = g1 / (g1 + g2)
        var times: [Double] = []
        var now = 0.0
        // Bounded: a customer buys at most this many times in the simulation.
        while times.count < 10_000 {
            now += -log1p(-uniform()) / rate
            if now > T { break }
            times.append(now)
            // The model lets a customer become inactive right after each *repeat* purchase.
            if uniform() < dropout { break }
        }
        return times
    }

    /// A history on whole days (`daysPerUnit` days per model unit), as real data would arrive.
    public mutating func history(observedForDays days: Int, daysPerUnit: Double = 7) -> PurchaseHistory {
        let T = Double(days) / daysPerUnit
        let purchaseDays = Set(purchaseTimes(observedFor: T).map { Int(($0 * daysPerUnit).rounded(.down)) }.filter { $0 > 0 && $0 <= days })
        let last = purchaseDays.max() ?? 0
        return PurchaseHistory(x: purchaseDays.count, tx: Double(last) / daysPerUnit, T: T)
    }

    /// Purchases of one simulated customer as dated transactions (for synthetic databases): the first
    /// on `firstPurchase`, repeats while alive up to `observationEnd`. Amounts vary ±50% around `typicalAmount`.
    public mutating func transactions(customerID: String, firstPurchase: PurchaseDay, observationEnd: PurchaseDay,
                                      daysPerUnit: Double = 7, typicalAmount: Double = 100) -> [Transaction] {
        let days = max(0, observationEnd - firstPurchase)
        let times = purchaseTimes(observedFor: Double(days) / daysPerUnit)
        return ([0] + times).map { time in
            let offset = min(days, Int((time * daysPerUnit).rounded(.down)))
            let amount = (typicalAmount * (0.5 + uniform()) * 100).rounded() / 100
            return Transaction(customerID: customerID, day: firstPurchase.adding(days: offset), amount: amount)
        }
    }

    // SplitMix64: tiny, fast, and good enough for simulation.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on [0, 1).
    private mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    private mutating func normal() -> Double {
        // Box-Muller; 1 − u avoids log(0).
        let u = 1 - uniform(), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Marsaglia-Tsang; shapes below 1 via Gamma(k) = Gamma(k + 1)·U^(1/k).
    private mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1) * pow(1 - uniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1 - uniform()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}
