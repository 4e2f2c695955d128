// Errors carry what an admin needs (SQLSTATE, constraint, table) while `description`
// stays free of data: server `detail` lines echo key values ("Key (email)=(x@y) already
// exists"), so they live only in `debugDescription`.

/// A five-character SQLSTATE code; extensible like `Errno`, with the codes the project branches on.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    /// The two-character class ("23" integrity constraint violation, "40" transaction rollback, …).
    public var errorClass: Substring { rawValue.prefix(2) }

    public static let uniqueViolation = SQLState("23505")
    public static let foreignKeyViolation = SQLState("23503")
    public static let notNullViolation = SQLState("23502")
    public static let checkViolation = SQLState("23514")
    public static let exclusionViolation = SQLState("23P01")
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    public static let lockNotAvailable = SQLState("55P03")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")
    public static let tooManyConnections = SQLState("53300")
    public static let undefinedTable = SQLState("42P01")
    public static let syntaxError = SQLState("42601")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let characterNotInRepertoire = SQLState("22021")
}

public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server rejected a statement (see `sqlState`).
        case server
        /// No usable connection: connect failed, the server went away, or the link broke mid-statement.
        case connection
        /// The connection broke (or was reset) while a transaction was open: its work is lost
        /// and the caller must run the whole transaction again.
        case transactionLost
        /// A bind parameter cannot be sent (e.g. NUL in text); `index` is 1-based like `$n`.
        case invalidParameter(index: Int)
        /// A column value could not be decoded as the requested Swift type.
        case decoding(column: String)
        /// The API was used in a way libpq or PostgreSQL cannot honour (e.g. COPY data with NUL).
        case usage
    }

    public var kind: Kind
    public var sqlState: SQLState?
    /// Non-localised severity (ERROR, FATAL, PANIC).
    public var severity: String?
    /// The server's primary message, or ours for client-side errors. Never includes bind values.
    public var message: String
    /// Server detail: may echo row values. Excluded from `description`.
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(kind: Kind, message: String, sqlState: SQLState? = nil, severity: String? = nil,
                detail: String? = nil, hint: String? = nil, constraint: String? = nil,
                table: String? = nil, column: String? = nil) {
        self.kind = kind; self.message = message; self.sqlState = sqlState; self.severity = severity
        self.detail = detail; self.hint = hint; self.constraint = constraint; self.table = table
        self.column = column
    }

    /// True when running the same work again later may succeed: lost connections, serialization
    /// failures, deadlocks, server shutdown/startup, connection limits.
    public var isTransient: Bool {
        switch kind {
        case .connection, .transactionLost: return true
        case .invalidParameter, .decoding, .usage: return false
        case .server:
            guard let state = sqlState else { return false }
            if state.errorClass == "08" { return true }  // connection exception
            return [.serializationFailure, .deadlockDetected, .adminShutdown, .crashShutdown,
                    .cannotConnectNow, .tooManyConnections, .lockNotAvailable].contains(state)
        }
    }

    public var isUniqueViolation: Bool { sqlState == .uniqueViolation }
    public var isForeignKeyViolation: Bool { sqlState == .foreignKeyViolation }

    public var description: String {
        var text = "PostgreSQL"
        if let severity { text += " \(severity)" }
        if let sqlState { text += " \(sqlState)" }
        text += ": \(safeMessage)"
        if let constraint { text += " (constraint \(constraint))" }
        if let table { text += " (table \(table))" }
        return text
    }

    public var debugDescription: String {
        var text = description
        if case .invalidParameter(let index) = kind { text += " [parameter $\(index)]" }
        if case .decoding(let column) = kind { text += " [column \(column)]" }
        if let detail { text += "\nDETAIL: \(detail)" }
        if let hint { text += "\nHINT: \(hint)" }
        if let column { text += "\nCOLUMN: \(column)" }
        return text
    }

    /// Data exceptions (class 22) quote the offending input in the primary message
    /// (`invalid input syntax for type integer: "…"`): cut the quoted value off.
    private var safeMessage: String {
        guard let state = sqlState, state.errorClass == "22",
              let quote = message.firstIndex(of: "\"") else { return message }
        return String(message[..<quote]).withoutTrailingColon() + " (value withheld)"
    }
}

extension String {
    fileprivate func withoutTrailingColon() -> String {
        var text = self
        while text.hasSuffix(" ") { text.removeLast() }
        if text.hasSuffix(":") { text.removeLast() }
        return text
    }
}
