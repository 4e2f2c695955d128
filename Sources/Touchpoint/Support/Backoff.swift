/// Exponential backoff with jitter, capped: the delay before retry n (n ≥ 1) is uniform in
/// [c/2, c] with c = min(maximum, initial · 2^(n-1)), which spreads the retries of many workers
/// that failed together while keeping a floor, so an unlucky draw never hammers a failing server.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public private(set) var failures = 0

    public init(initial: Duration, maximum: Duration) {
        precondition(initial > .zero && maximum >= initial, "backoff bounds must be positive and ordered")
        self.initial = initial
        self.maximum = maximum
    }

    /// The ceiling of the next delay, before jitter.
    public var ceiling: Duration {
        guard failures > 0 else { return .zero }
        let doublings = min(failures - 1, 40)
        let scaled = initial * (1 << doublings)
        return min(scaled, maximum)
    }

    /// Records a failure and returns how long to wait before trying again.
    public mutating func nextDelay<G: RandomNumberGenerator>(using generator: inout G) -> Duration {
        failures += 1
        let cap = ceiling
        let fraction = Double.random(in: 0.5...1.0, using: &generator)
        return cap * fraction
    }

    public mutating func nextDelay() -> Duration {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    public mutating func reset() { failures = 0 }
}

/// Spreads periodic polls so that many mailboxes configured alike do not fire in lockstep.
public func jittered(_ interval: Duration, fraction: Double = 0.1) -> Duration {
    interval * Double.random(in: (1 - fraction)...(1 + fraction))
}
