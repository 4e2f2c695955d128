import Foundation

/// A one-way "please stop" flag that sleeping workers can wait on: a stop request wakes every
/// waiter at once instead of letting them finish their poll interval.
public final class StopSignal: @unchecked Sendable {
    // Safe: `stopped` is only read or written while holding `condition`.
    private let condition = NSCondition()
    private var stopped = false

    public init() {}

    public var isStopped: Bool {
        condition.lock(); defer { condition.unlock() }
        return stopped
    }

    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `duration`; returns true when woken by `stop()`.
    @discardableResult
    public func wait(for duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        let deadline = Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        condition.lock(); defer { condition.unlock() }
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return stopped
    }
}

/// A resettable wake-up for a loop that sleeps between ticks: `notify()` ends the current (or
/// next) wait early, and the wait consumes it.
public final class Wakeup: @unchecked Sendable {
    // Safe: `pending` is only read or written while holding `condition`.
    private let condition = NSCondition()
    private var pending = false

    public init() {}

    public func notify() {
        condition.lock()
        pending = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `duration`; returns true when woken by `notify()`.
    @discardableResult
    public func wait(for duration: Duration) -> Bool {
        let (seconds, attoseconds) = duration.components
        let deadline = Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        condition.lock(); defer { condition.unlock() }
        while !pending {
            if !condition.wait(until: deadline) { break }
        }
        let woken = pending
        pending = false
        return woken
    }
}
