internal import CLibPQ

/// Rows for `COPY … FROM STDIN` in text format, encoded as they are appended:
/// `\N` for NULL, backslash escapes for backslash, tab, newline and carriage return, and a
/// thrown error for NUL (PostgreSQL text cannot hold it). Append fields, then `endRow()`.
public struct PostgresCopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    private var fieldsInRow = 0

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public mutating func append<Value: PostgresEncodable>(_ value: Value) throws {
        if fieldsInRow > 0 { bytes.append(UInt8(ascii: "\t")) }
        fieldsInRow += 1
        switch value.postgresBind {
        case .null:
            bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N"))
        case .text(let text):
            try appendEscaped(text)
        case .binary(let data):
            // bytea input is `\x…`; the backslash itself must be escaped for COPY.
            bytes.append(contentsOf: Array("\\\\x".utf8))
            bytes.append(contentsOf: PostgresHex.encode(data).utf8)
        }
    }

    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rowCount += 1
        fieldsInRow = 0
    }

    private mutating func appendEscaped(_ text: String) throws {
        let needsWork = text.utf8.contains { $0 == 0 || $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard needsWork else {
            bytes.append(contentsOf: text.utf8)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0:
                throw PostgresError(kind: .usage,
                                    message: "COPY row \(rowCount + 1) field \(fieldsInRow) contains a NUL byte, which PostgreSQL text cannot store")
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(byte)
            }
        }
    }
}

extension PostgresConnection {
    static let copyChunkSize = 1 << 20

    /// Streams `rows` through `COPY … FROM STDIN` (the statement is trusted SQL: COPY takes no
    /// parameters). Returns the number of rows the server stored.
    @discardableResult
    public func copyIn(_ statement: PostgresQuery, rows: PostgresCopyRows) throws -> Int {
        guard statement.binds.isEmpty else {
            throw PostgresError(kind: .usage, message: "COPY cannot take bind parameters")
        }
        try prepareForOperation()
        let start = try checked(PQexec(handle, statement.sql))
        let status = PQresultStatus(start)
        PQclear(start)
        guard status == PGRES_COPY_IN else {
            throw PostgresError(kind: .usage, message: "statement did not start COPY FROM STDIN")
        }
        var sendFailure: String?
        rows.bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let length = min(Self.copyChunkSize, buffer.count - offset)
                let sent = (buffer.baseAddress! + offset).withMemoryRebound(to: CChar.self, capacity: length) {
                    PQputCopyData(handle, $0, Int32(length))
                }
                if sent != 1 { sendFailure = Self.lastErrorMessage(handle); break }
                offset += length
            }
        }
        if PQputCopyEnd(handle, sendFailure) != 1 && sendFailure == nil {
            sendFailure = Self.lastErrorMessage(handle)
        }
        // Drain every result so the connection is ready for the next statement.
        var firstError: (any Error)?
        var stored = 0
        while let result = PQgetResult(handle) {
            do {
                let rowsResult = PostgresRows(try checked(result))
                stored = rowsResult.affectedRows
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        if let sendFailure { throw connectionOrClientError(message: sendFailure) }
        return stored
    }
}
