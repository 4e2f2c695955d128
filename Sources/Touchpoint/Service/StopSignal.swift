import Foundation

/// A one-way "please stop" flag that sleeping workers can wait on: a stop request wakes every
/// waiter at once instead of letting them finish their poll interval.
public final class StopSignal: Sendable {
    private let flag = WaitableFlag()

    public init() {}

    public var isStopped: Bool { flag.isSet }

    public func stop() { flag.set() }

    /// Sleeps up to `duration`; returns true when woken by `stop()`.
    @discardableResult
    public func wait(for duration: Duration) -> Bool { flag.wait(for: duration, consume: false) }
}

/// A resettable wake-up for a loop that sleeps between ticks: `notify()` ends the current (or
/// next) wait early, and the wait consumes it.
public final class Wakeup: Sendable {
    private let flag = WaitableFlag()

    public init() {}

    public func notify() { flag.set() }

    /// Sleeps up to `duration`; returns true when woken by `notify()`.
    @discardableResult
    public func wait(for duration: Duration) -> Bool { flag.wait(for: duration, consume: true) }
}

/// A flag threads can sleep on with a deadline; setting it wakes them all.
final class WaitableFlag: @unchecked Sendable {
    // Safe: `value` is only read or written while holding `condition`.
    private let condition = NSCondition()
    private var value = false

    var isSet: Bool {
        condition.lock(); defer { condition.unlock() }
        return value
    }

    func set() {
        condition.lock()
        value = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps until the flag is set or `duration` has passed; returns whether it was set, and
    /// clears it when `consume` is true.
    func wait(for duration: Duration, consume: Bool) -> Bool {
        let (seconds, attoseconds) = duration.components
        let deadline = Date().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
        condition.lock(); defer { condition.unlock() }
        while !value {
            if !condition.wait(until: deadline) { break }
        }
        let wasSet = value
        if consume { value = false }
        return wasSet
    }
}
