import Foundation
import Postgres
import Touchpoint

/// `touchpoint-bench store --database URL --rows N [--batch 1000] [--interactions-per-message 1]`
///
/// Commits N interactions with their messages in batches, exactly as the daemon does
/// (messages + locations + interactions + the folder cursor, one transaction per batch).
/// `--batch` counts messages, like the daemon's `batch-size`; each message carries K
/// interactions with K different contacts (the ingest corpus averages ~4.9), so a run stores
/// ceil(N / K) messages. Use a scratch database: the benchmark migrates it and adds rows.
enum StoreBench {
    static let usage = "store --database URL --rows N [--batch 1000] [--interactions-per-message 1]"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--database", "--rows", "--batch", "--interactions-per-message"])
        let rows = try args.integer("--rows", default: 100_000)
        let batchSize = try args.integer("--batch", default: 1000)
        let perMessage = try args.integer("--interactions-per-message", default: 1)
        guard rows >= 1, batchSize >= 1, (1...1000).contains(perMessage) else {
            throw BenchError("--rows and --batch must be positive, --interactions-per-message 1...1000")
        }
        let database = try PostgresConnection(try args.required("--database"))
        try Migrator.migrate(database)
        let run = UUID().uuidString.prefix(8)
        let contacts = try database.query("""
            INSERT INTO contacts (name) SELECT \("Bench contact \(run) ") || n FROM generate_series(1, \(perMessage)) n RETURNING id
            """).map { try $0.decode(Int64.self, at: 0) }
        let mailbox = "bench-\(run)"
        let backend = try database.query("SELECT pg_backend_pid()").scalar(Int.self)
        let serverStart = Measure.backendCPUSeconds(backend)
        let start = Measure.now()
        let cpuStart = Measure.cpuSeconds()
        var uid: UInt32 = 0
        var committed = 0
        var messages = 0
        while committed < rows {
            let batchRows = min(batchSize * perMessage, rows - committed)
            let count = (batchRows + perMessage - 1) / perMessage
            var batch = IngestBatch(cursor: FolderCursor(mailbox: mailbox, folder: "INBOX", uidValidity: 1, lastUID: uid + UInt32(count)))
            batch.interactions.reserveCapacity(batchRows)
            for index in 0..<count {
                uid += 1
                let identity = "bench-\(run)-\(uid)@example.com"
                let date = Date(timeIntervalSince1970: 1_780_000_000 + Double(uid))
                batch.messages.append(IngestedMessage(uid: uid, identity: identity, messageID: identity, date: date,
                                                      subject: "Order \(uid)", snippet: "Hello, please send 12 units of item \(uid).",
                                                      size: 4096, threadID: "msg:\(identity)",
                                                      threadKey: Int64(bitPattern: UInt64(uid) &* 0x9E37_79B9_7F4A_7C15)))
                for contact in contacts.prefix(min(perMessage, batchRows - index * perMessage)) {
                    batch.interactions.append(InteractionRow(messageIdentity: identity, contactID: contact, accountID: nil,
                                                             direction: .inbound, occurredAt: date))
                }
            }
            let result = try Store.commitBatch(batch, database)
            guard result.interactionsInserted == batchRows else {
                throw BenchError("batch stored \(result.interactionsInserted) of \(batchRows) interactions")
            }
            committed += batchRows
            messages += count
        }
        let seconds = Measure.now() - start
        report("store", [
            ("rows", "\(rows)"), ("messages", "\(messages)"), ("interactions_per_message", "\(perMessage)"),
            ("batch", "\(batchSize)"), ("seconds", format(seconds, 3)),
            ("rows_per_s", format(Double(rows) / seconds, 0)), ("cpu_seconds", format(Measure.cpuSeconds() - cpuStart, 3)),
        ] + (serverStart.flatMap { start in Measure.backendCPUSeconds(backend).map { [("server_cpu_s", format($0 - start, 3))] } } ?? []))
    }
}
