internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A server notice (WARNING, NOTICE, …) as delivered to the logger.
public struct PostgresNotice: Sendable {
    public var severity: String
    public var sqlState: SQLState?
    public var message: String
}

/// The one owner of a libpq connection. Blocking and not Sendable: use it from one thread
/// (a `PostgresWorker` does that for async code).
///
/// Reconnect policy: before every operation the connection checks whether the server hung up
/// while we were idle (poll + PQconsumeInput, no round trip) and, if so, resets. A statement that
/// was already sent when the link broke is never re-sent: the caller gets a transient error
/// (`.transactionLost` inside a transaction) and decides whether to run the work again.
public final class PostgresConnection {
    let handle: OpaquePointer
    private let noticeSink: NoticeSink
    var transactionDepth = 0
    var preparedStatements: [String: String] = [:]
    var preparedStatementCounter = 0
    /// Incremented at every reset: session state (prepared statements, LISTENs, temp tables) is gone.
    public private(set) var sessionGeneration = 0

    /// - Parameter conninfo: a libpq URL (`postgresql://user@host:port/db?sslmode=verify-full`)
    ///   or key/value conninfo (`host=/run/postgresql dbname=touchpoint`). libpq honours sslmode,
    ///   unix sockets and PG* environment variables.
    public init(_ conninfo: String, onNotice: ((PostgresNotice) -> Void)? = nil) throws {
        guard let connection = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.lastErrorMessage(connection)
            PQfinish(connection)
            throw PostgresError(kind: .connection, message: message)
        }
        handle = connection
        noticeSink = NoticeSink(handler: onNotice)
        // The sink lives as long as the connection (same owner), so an unretained pointer is safe.
        PQsetNoticeReceiver(connection, noticeTrampoline, Unmanaged.passUnretained(noticeSink).toOpaque())
        try configureSession()
    }

    deinit {
        PQfinish(handle)
    }

    /// Replaces the notice handler (e.g. once the logger exists).
    public func setNoticeHandler(_ handler: ((PostgresNotice) -> Void)?) {
        noticeSink.handler = handler
    }

    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }
    public var isInTransaction: Bool { transactionDepth > 0 }
    public var serverVersion: Int { Int(PQserverVersion(handle)) }
    /// The backend process id (what `pg_terminate_backend` takes).
    public var backendProcessID: Int32 { PQbackendPID(handle) }

    /// Drops the current session and connects again (same conninfo). Session state is lost.
    public func reconnect() throws {
        PQreset(handle)
        transactionDepth = 0
        preparedStatements.removeAll()
        sessionGeneration += 1
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: Self.lastErrorMessage(handle))
        }
        try configureSession()
    }

    /// Runs a statement; every interpolated value is a bind parameter.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        try prepareForOperation()
        let result = try withParameters(query.binds) { count, values, lengths, formats in
            PQexecParams(handle, query.sql, count, nil, values, lengths, formats, 0)
        }
        return PostgresRows(try checked(result))
    }

    /// Runs trusted SQL written in code (migrations): several statements, no parameters.
    public func execute(script: PostgresScript) throws {
        try prepareForOperation()
        _ = PostgresRows(try checked(PQexec(handle, script.sql)))
    }

    // MARK: - Internals shared by the extensions

    /// Session settings the decoders rely on: ISO dates in UTC, UTF-8 text.
    private func configureSession() throws {
        guard PQsetClientEncoding(handle, "UTF8") == 0 else {
            throw PostgresError(kind: .connection, message: Self.lastErrorMessage(handle))
        }
        _ = PostgresRows(try checked(PQexec(handle, "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'")))
    }

    func prepareForOperation() throws {
        if PQstatus(handle) == CONNECTION_OK {
            noticeServerHangupWhileIdle()
        }
        guard PQstatus(handle) != CONNECTION_OK else { return }
        if transactionDepth > 0 {
            // Do not reset under an open transaction: its work is gone and the caller must know.
            throw PostgresError(kind: .transactionLost,
                                message: "connection lost during a transaction; the transaction was not committed")
        }
        try reconnect()
    }

    /// A server that restarted while we were idle has already sent FATAL + EOF: reading what is
    /// buffered (without blocking) lets libpq notice before we send a statement into a dead socket.
    private func noticeServerHangupWhileIdle() {
        let socket = PQsocket(handle)
        guard socket >= 0 else { return }
        // The FATAL message and the EOF may need separate reads; a few rounds are enough
        // (NOTIFY traffic could keep the socket readable, hence the bound).
        for _ in 0..<4 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { return }
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else { return }
        }
    }

    /// Turns a libpq result into rows or a typed error. Takes ownership of `result`.
    func checked(_ result: OpaquePointer?) throws -> OpaquePointer {
        guard let result else {
            throw connectionOrClientError(message: Self.lastErrorMessage(handle))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN:
            return result
        default:
            var error = Self.error(from: result)
            PQclear(result)
            if PQstatus(handle) != CONNECTION_OK {
                error.kind = transactionDepth > 0 ? .transactionLost : .connection
            }
            throw error
        }
    }

    func connectionOrClientError(message: String) -> PostgresError {
        if PQstatus(handle) != CONNECTION_OK {
            return PostgresError(kind: transactionDepth > 0 ? .transactionLost : .connection, message: message)
        }
        return PostgresError(kind: .usage, message: message)
    }

    static func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let primary = field(tp_pg_diag_message_primary())
            ?? String(cString: PQresultErrorMessage(result)).trimmingNewlines()
        let state = field(tp_pg_diag_sqlstate()).map(SQLState.init(rawValue:))
        return PostgresError(
            kind: state == nil ? .connection : .server,
            message: primary.isEmpty ? "unknown libpq error" : primary,
            sqlState: state,
            severity: field(tp_pg_diag_severity()),
            detail: field(tp_pg_diag_message_detail()),
            hint: field(tp_pg_diag_message_hint()),
            constraint: field(tp_pg_diag_constraint_name()),
            table: field(tp_pg_diag_table_name()),
            column: field(tp_pg_diag_column_name()))
    }

    static func lastErrorMessage(_ connection: OpaquePointer) -> String {
        guard let pointer = PQerrorMessage(connection) else { return "unknown libpq error" }
        let message = String(cString: pointer).trimmingNewlines()
        return message.isEmpty ? "unknown libpq error" : message
    }

    /// Lays all parameter bytes out in one buffer and hands libpq pointers into it.
    func withParameters(
        _ binds: [PostgresBind],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> OpaquePointer?
    ) throws -> OpaquePointer? {
        guard binds.count <= 65_535 else {
            throw PostgresError(kind: .usage, message: "\(binds.count) parameters; PostgreSQL accepts at most 65535 per statement")
        }
        var storage: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        offsets.reserveCapacity(binds.count)
        lengths.reserveCapacity(binds.count)
        formats.reserveCapacity(binds.count)
        for (position, bind) in binds.enumerated() {
            switch bind {
            case .null:
                offsets.append(-1); lengths.append(0); formats.append(0)
            case .text(let text):
                if PostgresBytesScan.contains(0, in: text) {
                    throw PostgresError(kind: .invalidParameter(index: position + 1),
                                        message: "parameter $\(position + 1) contains a NUL byte, which PostgreSQL text cannot store")
                }
                offsets.append(storage.count); lengths.append(0); formats.append(0)
                storage.append(contentsOf: text.utf8)
                storage.append(0)
            case .binary(let bytes):
                guard bytes.count <= Int(Int32.max) else {
                    throw PostgresError(kind: .invalidParameter(index: position + 1),
                                        message: "parameter $\(position + 1) is larger than 2 GiB")
                }
                offsets.append(storage.count); lengths.append(Int32(bytes.count)); formats.append(1)
                storage.append(contentsOf: bytes)
            }
        }
        storage.append(0)  // never empty, so the base address exists
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            let values: [UnsafePointer<CChar>?] = offsets.map {
                $0 < 0 ? nil : (base + $0).assumingMemoryBound(to: CChar.self)
            }
            return values.withUnsafeBufferPointer { valuePointers in
                lengths.withUnsafeBufferPointer { lengthPointers in
                    formats.withUnsafeBufferPointer { formatPointers in
                        body(Int32(binds.count), valuePointers.baseAddress, lengthPointers.baseAddress, formatPointers.baseAddress)
                    }
                }
            }
        }
    }
}

/// Trusted multi-statement SQL from string literals only: it cannot be built from runtime data.
public struct PostgresScript: ExpressibleByStringLiteral, Sendable {
    public let sql: String
    public init(stringLiteral value: StaticString) { sql = value.description }
}

final class NoticeSink {
    var handler: ((PostgresNotice) -> Void)?
    init(handler: ((PostgresNotice) -> Void)?) { self.handler = handler }
}

private func noticeTrampoline(_ context: UnsafeMutableRawPointer?, _ result: OpaquePointer?) {
    guard let context, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    guard let handler = sink.handler else { return }
    func field(_ code: Int32) -> String? {
        guard let pointer = PQresultErrorField(result, code) else { return nil }
        return String(cString: pointer)
    }
    handler(PostgresNotice(
        severity: field(tp_pg_diag_severity()) ?? "NOTICE",
        sqlState: field(tp_pg_diag_sqlstate()).map(SQLState.init(rawValue:)),
        message: field(tp_pg_diag_message_primary()) ?? String(cString: PQresultErrorMessage(result)).trimmingNewlines()))
}

extension String {
    func trimmingNewlines() -> String {
        var text = self
        while let last = text.last, last.isNewline || last == " " { text.removeLast() }
        return text
    }
}
