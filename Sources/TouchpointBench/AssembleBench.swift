import CRM
import Foundation
import IMAP
import MIME
import Touchpoint

/// `touchpoint-bench assemble DIR [--contacts N] [--limit N] [--repeat N] [--batch-size N] [--dump FILE]`
///
/// The daemon's per-message CPU after the fetch, offline and repeatable: the .eml files of DIR
/// are served by an in-memory IMAP server (`CorpusIMAPServer`), fetched in batches by the real
/// `IMAPSession` (untimed), and every batch goes through the pipeline's own `MessageAssembler`
/// and `BatchBuilder` (timed: header and envelope decoding, text-part decoding, snippet,
/// identity, matching, thread key, batch rows). Storing is not included (`store`, `ingest`).
/// Contacts are every From/To/Cc address of the corpus, as `compare-ingest` imports them;
/// `--contacts N` keeps the first N, or pads with unrelated contacts up to N.
/// `--dump FILE` writes every captured message and batch row as text, to compare outputs
/// before and after a change.
enum AssembleBench {
    static let usage = "assemble DIR [--contacts N] [--limit N] [--repeat N] [--batch-size N] [--dump FILE]"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--contacts", "--limit", "--repeat", "--batch-size", "--dump"])
        guard args.positionals.count == 1 else { throw BenchError("name one directory of .eml files", usage: true) }
        var paths = try ParseBench.messageFiles(args.positionals[0])
        if args.options["--limit"] != nil { paths = Array(paths.prefix(try args.integer("--limit", default: 1))) }
        guard !paths.isEmpty else { throw BenchError("no message files found") }
        let files = try paths.map { path -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
            return Array(data)
        }
        let repeats = try args.integer("--repeat", default: 1)
        let batchSize = try args.integer("--batch-size", default: 1000)
        let server = CorpusIMAPServer(files: files)
        let contactCount = args.options["--contacts"] == nil ? nil : try args.integer("--contacts", default: 1)
        let context = try matchingContext(files, contactCount: contactCount)
        var dump = args.options["--dump"].map { _ in "" }

        var totals = StageTotals()
        for _ in 0..<repeats {
            let session = IMAPSession(transport: server)
            _ = try session.examine(.inbox)
            let ranges = stride(from: 1, through: files.count, by: batchSize).map {
                UID(UInt32($0))...UID(UInt32(min($0 + batchSize - 1, files.count)))
            }
            var index = 0
            try session.fetchBatches(ranges) { (fetched: [FetchedMessage]) throws(IMAPError) in
                let range = ranges[index]
                index += 1
                let assembler = MessageAssembler()
                let builder = BatchBuilder(mailbox: "bench", folder: "INBOX", context: context)
                let cursor = FolderCursor(mailbox: "bench", folder: "INBOX", uidValidity: 1, lastUID: range.upperBound.rawValue)
                let start = StageClock()
                var captured: [CapturedMessage] = []
                captured.reserveCapacity(fetched.count)
                for message in fetched { captured.append(assembler.assemble(message)) }
                let assembled = StageClock()
                let outcome = builder.build(captured, cursor: cursor, now: Date(timeIntervalSince1970: 0))
                let built = StageClock()
                totals.add(messages: fetched.count, start: start, assembled: assembled, built: built, outcome: outcome)
                if dump != nil {
                    for message in captured { dump! += "\(message)\n" }
                    dump! += "\(outcome.batch)\n\(outcome.skippedByReason.sorted { $0.key < $1.key })\n"
                }
            }
        }
        if let dump, let path = args.options["--dump"] {
            guard FileManager.default.createFile(atPath: path, contents: Data(dump.utf8)) else { throw BenchError("cannot write \(path)") }
        }
        let messages = Double(totals.messages)
        report("assemble", [
            ("messages", "\(totals.messages)"), ("contacts", "\(context.snapshot.contacts.count)"),
            ("interactions", "\(totals.interactions)"), ("seconds", format(totals.wallSeconds, 4)),
            ("msgs_per_s", format(messages / totals.wallSeconds, 0)),
            ("cpu_us_per_msg", format(totals.cpuSeconds / messages * 1e6, 2)),
            ("assemble_cpu_us_per_msg", format(totals.assembleCPUSeconds / messages * 1e6, 2)),
            ("match_cpu_us_per_msg", format((totals.cpuSeconds - totals.assembleCPUSeconds) / messages * 1e6, 2)),
        ])
    }

    /// One contact per From/To/Cc address of the corpus (like `compare-ingest`'s import), under
    /// the same `[company]` domain; trimmed or padded to `contactCount`.
    static func matchingContext(_ files: [[UInt8]], contactCount: Int?) throws -> MatchingContext {
        let parser = MessageParser()
        var seen = Set<String>()
        var addresses: [String] = []
        for file in files {
            let parsed = parser.parse(file)
            for mailbox in parsed.from + parsed.to + parsed.cc {
                let address = mailbox.address.lowercased()
                if address.contains("@"), seen.insert(address).inserted { addresses.append(address) }
            }
        }
        if let contactCount {
            addresses = Array(addresses.prefix(contactCount))
            var filler = 0
            while addresses.count < contactCount {
                filler += 1
                addresses.append("filler-\(filler)@customer-\(filler % 997).example")
            }
        }
        let contacts = addresses.enumerated().map { index, address in
            CRM.ContactSnapshot.Contact(id: ContactID(Int64(index + 1)), name: "Contact \(index + 1)", addresses: [address])
        }
        let config = try Config.parse(path: "(assemble bench)", text: """
            [database]
            url = postgresql:///unused
            [company]
            domains = acme-internal.example
            """)
        return MatchingContext(contacts: contacts, accounts: [], ownerEmailByID: [:], config: config)
    }
}

/// The calling thread's CPU time and the wall clock at one instant.
private struct StageClock {
    let cpu: Double
    let wall: Double

    init() {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        cpu = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        wall = Measure.now()
    }
}

private struct StageTotals {
    var messages = 0
    var interactions = 0
    var cpuSeconds = 0.0
    var assembleCPUSeconds = 0.0
    var wallSeconds = 0.0

    mutating func add(messages count: Int, start: StageClock, assembled: StageClock, built: StageClock, outcome: BatchBuilder.Outcome) {
        messages += count
        interactions += outcome.batch.interactions.count
        cpuSeconds += built.cpu - start.cpu
        assembleCPUSeconds += assembled.cpu - start.cpu
        wallSeconds += built.wall - start.wall
    }
}
