import Dispatch

/// Bounds how many mailboxes sync at once (`[ingest] max-connections`): a worker holds a slot
/// for one cycle (connect, fetch, commit) and gives it back before it waits for new mail.
final class SyncSlots: Sendable {
    private let semaphore: DispatchSemaphore
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        semaphore = DispatchSemaphore(value: self.capacity)
    }

    /// Waits for a slot; returns false when `stop` fired first.
    func acquire(unless stop: StopSignal) -> Bool {
        while !stop.isStopped {
            if semaphore.wait(timeout: .now() + .milliseconds(250)) == .success { return true }
        }
        return false
    }

    func release() { semaphore.signal() }
}
