internal import CLibPQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var senderProcessID: Int32
}

extension PostgresConnection {
    /// `LISTEN channel` (the channel name is quoted as an identifier by libpq).
    public func listen(_ channel: String) throws {
        try query("LISTEN \(unescaped: try quotedIdentifier(channel))")
    }

    public func unlisten(_ channel: String) throws {
        try query("UNLISTEN \(unescaped: try quotedIdentifier(channel))")
    }

    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify(\(channel), \(payload))")
    }

    /// Returns the notifications already received, waiting up to `timeout` seconds for the
    /// first one if none is queued. Does not send anything to the server.
    public func pollNotifications(timeout: Double) throws -> [PostgresNotification] {
        try prepareForOperation()
        try consumeInput()
        var received = drainNotifications()
        guard received.isEmpty, timeout > 0 else { return received }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw connectionOrClientError(message: Self.lastErrorMessage(handle)) }
        let deadline = monotonicSeconds() + timeout
        while received.isEmpty {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { break }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, Double(Int32.max)).rounded(.up)))
            if ready < 0 {
                if errno == EINTR { continue }
                throw PostgresError(kind: .connection, message: "poll failed: errno \(errno)")
            }
            if ready == 0 { break }
            try consumeInput()
            received = drainNotifications()
        }
        return received
    }

    private func consumeInput() throws {
        if PQconsumeInput(handle) == 0 {
            throw connectionOrClientError(message: Self.lastErrorMessage(handle))
        }
    }

    private func drainNotifications() -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notice = PQnotifies(handle) {
            received.append(PostgresNotification(
                channel: String(cString: notice.pointee.relname),
                payload: notice.pointee.extra.map { String(cString: $0) } ?? "",
                senderProcessID: notice.pointee.be_pid))
            PQfreemem(notice)
        }
        return received
    }

    func quotedIdentifier(_ identifier: String) throws -> String {
        guard !identifier.utf8.contains(0) else {
            throw PostgresError(kind: .usage, message: "identifier contains a NUL byte")
        }
        guard let quoted = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError(kind: .usage, message: Self.lastErrorMessage(handle))
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    private func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
