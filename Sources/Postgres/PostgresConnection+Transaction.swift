internal import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws. Nested
    /// calls become savepoints. If the connection breaks inside, the error is `.transactionLost`
    /// (transient): nothing was committed and nothing is retried behind the caller's back.
    public func transaction<Value>(_ body: (PostgresConnection) throws -> Value) throws -> Value {
        if transactionDepth > 0 { return try savepoint(body) }
        try query("BEGIN")
        transactionDepth = 1
        do {
            let value = try body(self)
            try query("COMMIT")
            transactionDepth = 0
            return value
        } catch {
            abandonTransaction()
            throw Self.asTransactionFailure(error)
        }
    }

    private func savepoint<Value>(_ body: (PostgresConnection) throws -> Value) throws -> Value {
        let name = "tp_savepoint_\(transactionDepth)"
        try query("SAVEPOINT \(unescaped: name)")
        transactionDepth += 1
        do {
            let value = try body(self)
            try query("RELEASE SAVEPOINT \(unescaped: name)")
            transactionDepth -= 1
            return value
        } catch {
            transactionDepth -= 1
            if isConnected, PQtransactionStatus(handle) == PQTRANS_INERROR || PQtransactionStatus(handle) == PQTRANS_INTRANS {
                _ = try? query("ROLLBACK TO SAVEPOINT \(unescaped: name)")
            }
            throw error
        }
    }

    /// Best effort: a broken connection has already lost the transaction server-side.
    private func abandonTransaction() {
        if isConnected, PQtransactionStatus(handle) != PQTRANS_IDLE {
            if let result = PQexec(handle, "ROLLBACK") { PQclear(result) }
        }
        transactionDepth = 0
    }

    private static func asTransactionFailure(_ error: any Error) -> any Error {
        guard var failure = error as? PostgresError, failure.kind == .connection else { return error }
        failure.kind = .transactionLost
        return failure
    }
}
