import Foundation
import Postgres
import Touchpoint

/// `touchpoint-bench store --database URL --rows N [--batch 1000] [--interactions-per-message 1] [--mailboxes 1]`
///
/// Commits N interactions with their messages in batches, exactly as the daemon does
/// (messages + locations + interactions + the folder cursor, one transaction per batch, each
/// folder's batches committed in order on a committer thread while the next batch is built).
/// `--batch` counts messages, like the daemon's `batch-size`; each message carries K
/// interactions with K different contacts (the ingest corpus averages ~4.9), so a run stores
/// ceil(N / K) messages. `--mailboxes M` splits the rows over M mailboxes synced at once, each
/// with its own connection, as the daemon does with `[ingest] max-connections` ≥ M. Use a
/// scratch database: the benchmark migrates it and adds rows.
enum StoreBench {
    static let usage = "store --database URL --rows N [--batch 1000] [--interactions-per-message 1] [--mailboxes 1]"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--database", "--rows", "--batch", "--interactions-per-message", "--mailboxes"])
        let rows = try args.integer("--rows", default: 100_000)
        let batchSize = try args.integer("--batch", default: 1000)
        let perMessage = try args.integer("--interactions-per-message", default: 1)
        let mailboxes = try args.integer("--mailboxes", default: 1)
        guard rows >= 1, batchSize >= 1, (1...1000).contains(perMessage), (1...64).contains(mailboxes) else {
            throw BenchError("--rows and --batch must be positive, --interactions-per-message 1...1000, --mailboxes 1...64")
        }
        let url = try args.required("--database")
        let setup = try PostgresConnection(url)
        try Migrator.migrate(setup)
        let run = String(UUID().uuidString.prefix(8))
        let contacts = try setup.query("""
            INSERT INTO contacts (name) SELECT \("Bench contact \(run) ") || n FROM generate_series(1, \(perMessage)) n RETURNING id
            """).map { try $0.decode(Int64.self, at: 0) }

        let writers = try (0..<mailboxes).map { index in
            let share = rows / mailboxes + (index < rows % mailboxes ? 1 : 0)
            return try MailboxWriter(database: try PostgresConnection(url), mailbox: "bench-\(run)-\(index)", rows: share,
                                     batchSize: batchSize, contacts: contacts)
        }
        let backends = writers.map(\.backend)
        let serverStart = backends.map(Measure.backendCPUSeconds)
        let start = Measure.now()
        let cpuStart = Measure.cpuSeconds()
        let outcomes = runConcurrently(writers.map { writer in { try writer.run() } })
        let seconds = Measure.now() - start
        let cpu = Measure.cpuSeconds() - cpuStart
        let serverEnd = backends.map(Measure.backendCPUSeconds)
        for outcome in outcomes { _ = try outcome.get() }

        let messages = outcomes.reduce(0) { $0 + ((try? $1.get()) ?? 0) }
        var fields: [(String, String)] = [
            ("rows", "\(rows)"), ("messages", "\(messages)"), ("interactions_per_message", "\(perMessage)"),
            ("mailboxes", "\(mailboxes)"), ("batch", "\(batchSize)"), ("seconds", format(seconds, 3)),
            ("rows_per_s", format(Double(rows) / seconds, 0)), ("cpu_seconds", format(cpu, 3)),
        ]
        let serverSeconds = zip(serverStart, serverEnd).map { start, end in start.flatMap { s in end.map { $0 - s } } }
        if serverSeconds.allSatisfy({ $0 != nil }) {
            fields.append(("server_cpu_s", format(serverSeconds.reduce(0) { $0 + $1! }, 3)))
        }
        report("store", fields)
    }

    /// Runs each body on a thread of its own (they block in libpq) and waits for all of them.
    private static func runConcurrently(_ bodies: [@Sendable () throws -> Int]) -> [Result<Int, any Error>] {
        let results = ResultSlots(count: bodies.count)
        let done = DispatchGroup()
        for (index, body) in bodies.enumerated() {
            done.enter()
            let thread = Thread {
                results.set(index, Result { try body() })
                done.leave()
            }
            thread.name = "bench-store-\(index)"
            thread.start()
        }
        done.wait()
        return results.all
    }
}

/// One mailbox's stream of batches: built on the calling thread, committed in order on an
/// `OrderedCommitter` thread, as `FolderSync` does.
private final class MailboxWriter: @unchecked Sendable {
    // Safe: a writer is used by one thread at a time (built on the main thread, then run on
    // its own), and its connection only by its committer between `submit` and `finish`.
    let database: PostgresConnection
    let backend: Int
    let mailbox: String
    let rows: Int
    let batchSize: Int
    let contacts: [Int64]

    init(database: PostgresConnection, mailbox: String, rows: Int, batchSize: Int, contacts: [Int64]) throws {
        self.database = database
        self.backend = try database.query("SELECT pg_backend_pid()").scalar(Int.self)
        self.mailbox = mailbox
        self.rows = rows
        self.batchSize = batchSize
        self.contacts = contacts
    }

    /// Stores this writer's rows; returns the number of messages stored.
    func run() throws -> Int {
        let perMessage = contacts.count
        let committer = OrderedCommitter<(batch: IngestBatch, rows: Int)>(capacity: 1, threadName: "bench-commit-\(mailbox)") { [database] job in
            let result = try Store.commitBatch(job.batch, database)
            guard result.interactionsInserted == job.rows else {
                throw BenchError("batch stored \(result.interactionsInserted) of \(job.rows) interactions")
            }
        }
        var uid: UInt32 = 0
        var queued = 0
        var messages = 0
        do {
            while queued < rows {
                let batchRows = min(batchSize * perMessage, rows - queued)
                let count = (batchRows + perMessage - 1) / perMessage
                try committer.submit((makeBatch(firstUID: uid + 1, messages: count, rows: batchRows), batchRows))
                uid += UInt32(count)
                queued += batchRows
                messages += count
            }
        } catch {
            try? committer.finish()
            throw error
        }
        try committer.finish()
        return messages
    }

    private func makeBatch(firstUID: UInt32, messages count: Int, rows batchRows: Int) -> IngestBatch {
        let perMessage = contacts.count
        var batch = IngestBatch(cursor: FolderCursor(mailbox: mailbox, folder: "INBOX", uidValidity: 1,
                                                     lastUID: firstUID + UInt32(count) - 1))
        batch.messages.reserveCapacity(count)
        batch.interactions.reserveCapacity(batchRows)
        for index in 0..<count {
            let uid = firstUID + UInt32(index)
            let identity = "\(mailbox)-\(uid)@example.com"
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
        return batch
    }
}

/// Results written by several threads, each to its own slot.
private final class ResultSlots: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var slots: [Result<Int, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Int, any Error>) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = result
    }

    var all: [Result<Int, any Error>] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0 ?? .failure(BenchError("writer did not report")) }
    }
}
