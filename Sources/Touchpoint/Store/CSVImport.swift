import Postgres

/// The frame both CSV imports (contacts, purchases) share: read the header, then every record
/// with a progress report every `progressEvery` rows; then store what was valid in one
/// transaction. The importers supply the header type, the per-record validation and the store.
enum CSVImport {
    static let progressEvery = 10_000

    /// Reads the header row with `makeHeader`, then hands each record to `onRecord`: a parsed one
    /// as `.success`, one the CSV reader could not parse as `.failure` (line and reason, to be
    /// rejected; reading goes on at the next line).
    static func scan<Header>(_ bytes: [UInt8], progress: (ImportProgress) -> Void,
                             emptyFile: @autoclosure () -> any Error,
                             malformedHeader: (CSVReader.Failure) -> any Error,
                             makeHeader: ([String]) throws -> Header,
                             onRecord: (Header, Result<CSVReader.Record, CSVReader.Failure>) -> Void) throws -> Header {
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
            onRecord(header, next)
        }
        return header
    }

    /// Reports the storing phase, runs `store` in one transaction when there is anything to
    /// store, then reports the end.
    static func store(_ connection: PostgresConnection, rowsRead: Int, totalBytes: Int, hasRows: Bool,
                      progress: (ImportProgress) -> Void, _ store: (PostgresConnection) throws -> Void) throws {
        progress(ImportProgress(phase: .storing, rowsRead: rowsRead, bytesRead: totalBytes, totalBytes: totalBytes))
        if hasRows {
            try connection.transaction { tx in try store(tx) }
        }
        progress(ImportProgress(phase: .done, rowsRead: rowsRead, bytesRead: totalBytes, totalBytes: totalBytes))
    }
}
