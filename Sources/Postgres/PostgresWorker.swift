import Dispatch

/// Runs blocking libpq work for async code on its own serial DispatchQueue, so a slow query
/// never stalls Swift's cooperative thread pool (DESIGN §3: two threads here).
///
/// The connection is created lazily on the queue and reconnects by itself (see
/// `PostgresConnection`); a connect failure surfaces from `run` and is retried on the next call.
public final class PostgresWorker: @unchecked Sendable {
    // Why @unchecked Sendable is safe: `connection` is read and written only inside blocks
    // running on `queue`, a serial queue, so the non-Sendable connection is confined to one
    // thread at a time; every other stored property is immutable and Sendable.
    private let queue: DispatchQueue
    private let conninfo: String
    private let onNotice: (@Sendable (PostgresNotice) -> Void)?
    private var connection: PostgresConnection?

    public init(conninfo: String, label: String = "touchpoint.postgres",
                onNotice: (@Sendable (PostgresNotice) -> Void)? = nil) {
        self.queue = DispatchQueue(label: label)
        self.conninfo = conninfo
        self.onNotice = onNotice
    }

    /// Runs `body` with the worker's connection on the worker's queue.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    continuation.resume(returning: try body(try self.connectionOnQueue()))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Closes the connection (the next `run` opens a new one).
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }

    private func connectionOnQueue() throws -> PostgresConnection {
        if let connection { return connection }
        let opened = try PostgresConnection(conninfo, onNotice: onNotice)
        connection = opened
        return opened
    }
}
