import Foundation

/// Runs commits on a thread of their own, strictly in submission order, so the commit of batch N
/// overlaps the preparation of batch N+1 on the submitting thread: a folder sync's batches (the
/// next one is parsed and matched meanwhile) and a contact import's chunks (the next one is read).
///
/// The hand-off is bounded: at most `capacity` batches wait while one is being committed, and
/// `submit` blocks when the queue is full, so a slow database slows the fetch instead of
/// growing memory. After the first failed commit nothing more is committed: every later
/// `submit`, `drain` and `finish` throws that failure, and the batches still queued are dropped
/// (a folder sync's cursor was never committed, so the next pass fetches them again; an import
/// rolls its one transaction back).
///
/// Whoever created the committer hands it everything `commit` touches (the database connection
/// among it) until `drain` or `finish` returns; in between it must not use those itself.
public final class OrderedCommitter<Job>: @unchecked Sendable {
    // Safe: `queue`, `busy`, `closed` and `failure` are only read and written while holding
    // `condition`; `commit` is called on the committer thread only, and the submitting thread
    // promises (see above) not to touch what `commit` uses until `drain`/`finish` returned,
    // which happens-after the committer's last access through the same lock.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var busy = false
    private var closed = false
    private var failure: (any Error)?
    private let capacity: Int
    private let commit: (Job) throws -> Void
    private let ended = DispatchSemaphore(value: 0)

    public init(capacity: Int, threadName: String, commit: @escaping (Job) throws -> Void) {
        self.capacity = max(1, capacity)
        self.commit = commit
        let thread = Thread { [self] in
            work()
            ended.signal()
        }
        thread.name = threadName
        thread.start()
    }

    /// Queues a job; waits while the queue is full. Throws the failure of an earlier commit.
    public func submit(_ job: Job) throws {
        condition.lock(); defer { condition.unlock() }
        while failure == nil && queue.count >= capacity { condition.wait() }
        if let failure { throw failure }
        queue.append(job)
        condition.broadcast()
    }

    /// Throws the failure of an earlier commit, without waiting: lets the submitter skip
    /// preparing a job that could never be committed.
    public func throwIfFailed() throws {
        condition.lock(); defer { condition.unlock() }
        if let failure { throw failure }
    }

    /// Waits until every queued job is committed; afterwards the caller may use the shared
    /// resources until its next `submit`. Throws the failure of any commit.
    public func drain() throws {
        condition.lock(); defer { condition.unlock() }
        while failure == nil && (busy || !queue.isEmpty) { condition.wait() }
        if let failure { throw failure }
    }

    /// Commits what is queued (unless a commit failed), ends the thread and waits for it.
    /// Must be called exactly once, on every path, before the shared resources are used again.
    public func finish() throws {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        ended.wait()
        condition.lock(); defer { condition.unlock() }
        if let failure { throw failure }
    }

    private func work() {
        condition.lock()
        while true {
            while queue.isEmpty && !closed && failure == nil { condition.wait() }
            if queue.isEmpty || failure != nil { break }
            let job = queue.removeFirst()
            busy = true
            condition.unlock()
            let outcome = Result { try commit(job) }
            condition.lock()
            busy = false
            if case .failure(let error) = outcome {
                failure = error
                queue.removeAll()
            }
            condition.broadcast()
        }
        condition.unlock()
    }
}
