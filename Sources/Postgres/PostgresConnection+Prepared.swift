internal import CLibPQ

extension PostgresConnection {
    /// Bounded so a program that builds many distinct statements cannot grow server memory forever.
    static let preparedStatementLimit = 256

    /// Runs `query` as a prepared statement: parsed and planned once per session (keyed by its
    /// SQL text), then executed with new parameters. Worth it for statements run many times.
    @discardableResult
    public func queryPrepared(_ query: PostgresQuery) throws -> PostgresRows {
        try prepareForOperation()
        let name = try preparedStatementName(for: query)
        let result = try withParameters(query.binds) { count, values, lengths, formats in
            PQexecPrepared(handle, name, count, values, lengths, formats, 0)
        }
        return PostgresRows(try checked(result))
    }

    private func preparedStatementName(for query: PostgresQuery) throws -> String {
        if let known = preparedStatements[query.sql] { return known }
        if preparedStatements.count >= Self.preparedStatementLimit {
            _ = PostgresRows(try checked(PQexec(handle, "DEALLOCATE ALL")))
            preparedStatements.removeAll()
        }
        preparedStatementCounter += 1
        let name = "tp_statement_\(preparedStatementCounter)"
        _ = PostgresRows(try checked(PQprepare(handle, name, query.sql, Int32(query.binds.count), nil)))
        preparedStatements[query.sql] = name
        return name
    }
}
