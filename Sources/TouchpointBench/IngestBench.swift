import Foundation
import Postgres
import Touchpoint

/// `touchpoint-bench ingest --config FILE`
///
/// One full cycle of the daemon (`serve --once`) in this process: every mailbox and folder of
/// the configuration synced from its stored cursor. Point it at a fresh database for a first
/// sync. Prints messages fetched, wall time, CPU time and peak memory.
enum IngestBench {
    static let usage = "ingest --config FILE [--log-level warn]"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--config", "--log-level"])
        let config = try Config.load(path: try args.required("--config"))
        let level = LogLevel(name: args.options["--log-level"] ?? "warn") ?? .warning
        let database = try PostgresConnection(config.databaseURL)
        try Migrator.migrate(database)
        let before = try seen(database)
        let cpuStart = Measure.cpuSeconds()
        let start = Measure.now()
        let status = Service(config: config, logger: Logger(minimumLevel: level), once: true).run()
        let seconds = Measure.now() - start
        let cpu = Measure.cpuSeconds() - cpuStart
        guard status == .success else { throw BenchError("the cycle failed with exit status \(status.rawValue); rerun with --log-level info") }
        let messages = try seen(database) - before
        let interactions = try database.query("SELECT count(*) FROM interactions").scalar(Int64.self)
        report("ingest", [
            ("messages", "\(messages)"), ("interactions", "\(interactions)"), ("seconds", format(seconds, 3)),
            ("msgs_per_s", format(Double(messages) / seconds, 0)), ("cpu_seconds", format(cpu, 3)),
            ("peak_rss_mb", format(Measure.peakRSSMegabytes(), 1)),
        ])
    }

    static func seen(_ database: PostgresConnection) throws -> Int64 {
        try database.query("SELECT coalesce(sum(messages_seen), 0)::bigint FROM folder_state").scalar(Int64.self)
    }
}
