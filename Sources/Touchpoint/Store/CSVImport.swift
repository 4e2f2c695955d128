import Postgres

/// The frame both CSV imports (contacts, purchases) share: read the header, then every record
/// with a progress report every `progressEvery` rows; then store what was valid in one
/// transaction (`store`), or chunk by chunk in one transaction while the rest is read (`stream`).
/// The importers supply the header type, the per-record validation and the store.
enum CSVImport {
    static let progressEvery = 10_000

    /// Reads the header row with `makeHeader`, then hands each record to `onRecord`: a parsed one
    /// as `.success`, one the CSV reader could not parse as `.failure` (line and reason, to be
    /// rejected; reading goes on at the next line).
    static func scan<Header>(_ bytes: [UInt8], progress: (ImportProgress) -> Void,
                             emptyFile: @autoclosure () -> any Error,
                             malformedHeader: (CSVReader.Failure) -> any Error,
                             makeHeader: ([String]) throws -> Header,
                             onRecord: (Header, Result<CSVReader.Record, CSVReader.Failure>) throws -> Void) throws -> Header {
        var reader = CSVReader(bytes)
        guard let first = reader.next() else { throw emptyFile() }
        let header: Header
        switch first {
        case .failure(let failure): throw malformedHeader(failure)
        case .success(let record): header = try makeHeader(record.fields)
        }
        var seen = 0
        while let next = reader.next() {
            seen += 1
            if seen % progressEvery == 0 {
                progress(ImportProgress(phase: .reading, rowsRead: seen, bytesRead: reader.offset, totalBytes: bytes.count))
            }
            try onRecord(header, next)
        }
        return header
    }

    /// Reads like `scan` and stores the accepted rows in one transaction, `chunkRows` at a time:
    /// chunk N is stored on a thread of its own while chunk N+1 is read and validated, so the
    /// client's parsing overlaps the server's work instead of preceding it. At most one chunk
    /// waits (bounded memory beyond the file itself). A failure of any chunk rolls back all of
    /// them; `storeChunk` runs on the storing thread only, in order, and owns the connection
    /// until this returns.
    static func stream<Header, Row>(_ bytes: [UInt8], into connection: PostgresConnection, chunkRows: Int,
                                    threadName: String, progress: (ImportProgress) -> Void,
                                    emptyFile: @autoclosure () -> any Error,
                                    malformedHeader: (CSVReader.Failure) -> any Error,
                                    makeHeader: ([String]) throws -> Header,
                                    accept: (Header, Result<CSVReader.Record, CSVReader.Failure>) -> Row?,
                                    storeChunk: @escaping ([Row], PostgresConnection) throws -> Void) throws -> Header {
        var records = 0
        let header = try connection.transaction { tx in
            let committer = OrderedCommitter<[Row]>(capacity: 1, threadName: threadName) { try storeChunk($0, tx) }
            let header: Header
            do {
                var chunk: [Row] = []
                chunk.reserveCapacity(chunkRows)
                header = try scan(bytes, progress: progress, emptyFile: emptyFile(), malformedHeader: malformedHeader,
                                  makeHeader: makeHeader) { header, next in
                    records += 1
                    guard let row = accept(header, next) else { return }
                    chunk.append(row)
                    if chunk.count >= chunkRows {
                        try committer.submit(chunk)
                        chunk.removeAll(keepingCapacity: true)
                    }
                }
                if !chunk.isEmpty { try committer.submit(chunk) }
            } catch {
                try? committer.finish()
                throw error
            }
            progress(.afterReading(.storing, rows: records, bytes: bytes.count))
            try committer.finish()
            return header
        }
        progress(.afterReading(.done, rows: records, bytes: bytes.count))
        return header
    }

    /// Reports the storing phase, runs `store` in one transaction when there is anything to
    /// store, then reports the end.
    static func store(_ connection: PostgresConnection, rowsRead: Int, totalBytes: Int, hasRows: Bool,
                      progress: (ImportProgress) -> Void, _ store: (PostgresConnection) throws -> Void) throws {
        progress(.afterReading(.storing, rows: rowsRead, bytes: totalBytes))
        if hasRows {
            try connection.transaction { tx in try store(tx) }
        }
        progress(.afterReading(.done, rows: rowsRead, bytes: totalBytes))
    }
}

extension ImportProgress {
    /// A report once the whole file has been read.
    static func afterReading(_ phase: Phase, rows: Int, bytes: Int) -> ImportProgress {
        ImportProgress(phase: phase, rowsRead: rows, bytesRead: bytes, totalBytes: bytes)
    }
}
