extension PostgresConnection {
    /// Session-level advisory lock without waiting: true when this session now holds it.
    /// (Session locks survive commits and are released by `advisoryUnlock` or disconnect.)
    public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_try_advisory_lock(\(key))").scalar(Bool.self)
    }

    /// Session-level advisory lock, waiting until it is free.
    public func advisoryLock(_ key: Int64) throws {
        try query("SELECT pg_advisory_lock(\(key))")
    }

    /// True when the lock was held by this session and is now released.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_advisory_unlock(\(key))").scalar(Bool.self)
    }

    /// Transaction-level advisory lock, released by COMMIT/ROLLBACK; waits until it is free.
    public func advisoryTransactionLock(_ key: Int64) throws {
        try query("SELECT pg_advisory_xact_lock(\(key))")
    }
}
