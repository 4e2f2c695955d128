import Foundation
import Postgres
import Touchpoint

/// `touchpoint-bench store --database URL --rows N [--batch 1000]`
///
/// Commits N messages with one interaction each in batches, exactly as the daemon does
/// (messages + locations + interactions + the folder cursor, one transaction per batch).
/// Use a scratch database: the benchmark migrates it and adds rows.
enum StoreBench {
    static let usage = "store --database URL --rows N [--batch 1000]"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--database", "--rows", "--batch"])
        let rows = try args.integer("--rows", default: 100_000)
        let batchSize = try args.integer("--batch", default: 1000)
        let database = try PostgresConnection(try args.required("--database"))
        try Migrator.migrate(database)
        let run = UUID().uuidString.prefix(8)
        let contact = try database.query("""
            INSERT INTO contacts (name) VALUES (\("Bench contact \(run)")) RETURNING id
            """).scalar(Int64.self)
        let mailbox = "bench-\(run)"
        let start = Measure.now()
        let cpuStart = Measure.cpuSeconds()
        var uid: UInt32 = 0
        var committed = 0
        while committed < rows {
            let count = min(batchSize, rows - committed)
            var batch = IngestBatch(cursor: FolderCursor(mailbox: mailbox, folder: "INBOX", uidValidity: 1, lastUID: uid + UInt32(count)))
            for _ in 0..<count {
                uid += 1
                let identity = "bench-\(run)-\(uid)@example.com"
                let date = Date(timeIntervalSince1970: 1_780_000_000 + Double(uid))
                batch.messages.append(IngestedMessage(uid: uid, identity: identity, messageID: identity, date: date,
                                                      subject: "Order \(uid)", snippet: "Hello, please send 12 units of item \(uid).",
                                                      size: 4096, threadID: "msg:\(identity)"))
                batch.interactions.append(InteractionRow(messageIdentity: identity, contactID: contact, accountID: nil,
                                                         direction: .inbound, occurredAt: date))
            }
            let result = try Store.commitBatch(batch, database)
            guard result.interactionsInserted == count else { throw BenchError("batch stored \(result.interactionsInserted) of \(count) interactions") }
            committed += count
        }
        let seconds = Measure.now() - start
        report("store", [
            ("rows", "\(rows)"), ("batch", "\(batchSize)"), ("seconds", format(seconds, 3)),
            ("rows_per_s", format(Double(rows) / seconds, 0)), ("cpu_seconds", format(Measure.cpuSeconds() - cpuStart, 3)),
        ])
    }
}
