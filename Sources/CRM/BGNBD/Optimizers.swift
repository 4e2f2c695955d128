import Foundation

/// Deterministic minimisers for the small, smooth problems of this module.
enum Optimizers {
    struct Outcome {
        var point: [Double]
        var value: Double
        var iterations: Int
        var converged: Bool
    }

    /// Nelder-Mead with the standard coefficients (1, 2, ½, ½), a fixed axis-aligned initial simplex,
    /// stopping when both the spread of values and the simplex size fall below the tolerances.
    static func nelderMead(_ f: ([Double]) -> Double, start: [Double], step: Double,
                           valueTolerance: Double, pointTolerance: Double, maxIterations: Int) -> Outcome {
        let n = start.count
        var simplex = [start]
        for i in 0..<n {
            var vertex = start
            vertex[i] += step
            simplex.append(vertex)
        }
        var values = simplex.map { sanitize(f($0)) }
        func combine(_ p: [Double], _ q: [Double], _ t: Double) -> [Double] {
            (0..<n).map { p[$0] + t * (q[$0] - p[$0]) }
        }
        var iteration = 0
        while iteration < maxIterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = values[n] - values[0]
            let size = (1...n).map { i in (0..<n).map { abs(simplex[i][$0] - simplex[0][$0]) }.max() ?? 0 }.max() ?? 0
            if spread <= valueTolerance * (abs(values[0]) + 1e-300) && size <= pointTolerance {
                return Outcome(point: simplex[0], value: values[0], iterations: iteration, converged: true)
            }
            iteration += 1
            var centroid = Array(repeating: 0.0, count: n)
            for vertex in simplex[0..<n] { for j in 0..<n { centroid[j] += vertex[j] / Double(n) } }
            let reflected = combine(centroid, simplex[n], -1)
            let reflectedValue = sanitize(f(reflected))
            if reflectedValue < values[0] {
                let expanded = combine(centroid, simplex[n], -2)
                let expandedValue = sanitize(f(expanded))
                if expandedValue < reflectedValue {
                    simplex[n] = expanded; values[n] = expandedValue
                } else {
                    simplex[n] = reflected; values[n] = reflectedValue
                }
                continue
            }
            if reflectedValue < values[n - 1] {
                simplex[n] = reflected; values[n] = reflectedValue
                continue
            }
            let outside = reflectedValue < values[n]
            let contracted = combine(centroid, outside ? reflected : simplex[n], 0.5)
            let contractedValue = sanitize(f(contracted))
            if contractedValue < (outside ? reflectedValue : values[n]) {
                simplex[n] = contracted; values[n] = contractedValue
                continue
            }
            for i in 1...n {
                simplex[i] = combine(simplex[0], simplex[i], 0.5)
                values[i] = sanitize(f(simplex[i]))
            }
        }
        let best = values.indices.min { values[$0] < values[$1] } ?? 0
        return Outcome(point: simplex[best], value: values[best], iterations: iteration, converged: false)
    }

    /// BFGS with a backtracking (Armijo) line search; stops when the largest gradient component is
    /// below `gradientTolerance`. With many customers the sums carry rounding noise, so when no step
    /// can lower the value any more the result still counts as converged if the gradient is below
    /// `floorGradientTolerance`.
    static func bfgs(_ f: ([Double]) -> (value: Double, gradient: [Double]), start: [Double],
                     gradientTolerance: Double, floorGradientTolerance: Double, maxIterations: Int) -> Outcome {
        let n = start.count
        var x = start
        var (fx, g) = f(x)
        var inverseHessian = identity(n)
        for iteration in 0..<maxIterations {
            if g.map(abs).max() ?? 0 <= gradientTolerance {
                return Outcome(point: x, value: fx, iterations: iteration, converged: true)
            }
            var direction = (0..<n).map { i in -(0..<n).reduce(0) { $0 + inverseHessian[i][$1] * g[$1] } }
            var slope = zip(direction, g).reduce(0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {
                // Not a descent direction any more: restart from steepest descent.
                inverseHessian = identity(n)
                direction = g.map { -$0 }
                slope = -g.reduce(0) { $0 + $1 * $1 }
            }
            var step = 1.0
            var accepted: (x: [Double], value: Double, gradient: [Double])?
            for _ in 0..<40 {
                let candidate = (0..<n).map { x[$0] + step * direction[$0] }
                let (value, gradient) = f(candidate)
                if value.isFinite && value <= fx + 1e-4 * step * slope {
                    accepted = (candidate, value, gradient)
                    break
                }
                step *= 0.5
            }
            guard let next = accepted, fx - next.value > 1e-15 * abs(fx) else {
                let atFloor = g.map(abs).max() ?? 0 <= floorGradientTolerance
                if let next = accepted, next.value < fx {
                    return Outcome(point: next.x, value: next.value, iterations: iteration + 1, converged: atFloor)
                }
                return Outcome(point: x, value: fx, iterations: iteration, converged: atFloor)
            }
            let s = (0..<n).map { next.x[$0] - x[$0] }
            let y = (0..<n).map { next.gradient[$0] - g[$0] }
            let sy = zip(s, y).reduce(0) { $0 + $1.0 * $1.1 }
            if sy > 1e-300 {
                if iteration == 0 {
                    // Scale the first inverse-Hessian guess to the curvature just seen.
                    let yy = y.reduce(0) { $0 + $1 * $1 }
                    inverseHessian = identity(n).map { $0.map { $0 * sy / yy } }
                }
                let rho = 1 / sy
                let hy = (0..<n).map { i in (0..<n).reduce(0) { $0 + inverseHessian[i][$1] * y[$1] } }
                let yhy = zip(y, hy).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n {
                    for j in 0..<n {
                        inverseHessian[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
                    }
                }
            }
            x = next.x
            fx = next.value
            g = next.gradient
        }
        let converged = g.map(abs).max() ?? 0 <= gradientTolerance
        return Outcome(point: x, value: fx, iterations: maxIterations, converged: converged)
    }

    private static func sanitize(_ value: Double) -> Double { value.isNaN ? .infinity : value }

    private static func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    }
}
