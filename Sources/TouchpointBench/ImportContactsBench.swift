import Foundation
import Postgres
import Touchpoint

/// `touchpoint-bench import-contacts --database URL --rows N`
///
/// Generates an N-row contacts CSV (two addresses per contact, 2% of rows per account) and
/// imports it with the same importer as `touchpoint import contacts`, timing the import alone.
/// Also prints the import's CPU split: `client_cpu_s` (this process: parsing, validation, COPY
/// encoding) and, when the server runs on this machine, `server_cpu_s` (its backend process,
/// read from /proc). Use a scratch database.
enum ImportContactsBench {
    static let usage = "import-contacts --database URL --rows N"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--database", "--rows"])
        let rows = try args.integer("--rows", default: 100_000)
        let database = try PostgresConnection(try args.required("--database"))
        try Migrator.migrate(database)
        let run = UUID().uuidString.prefix(6).lowercased()
        var csv = "name,email,account,account_domains,owner_email\n"
        csv.reserveCapacity(rows * 120)
        let accounts = max(1, rows / 50)
        for i in 0..<rows {
            let account = i % accounts
            csv += "Contact \(i),c\(i)@a\(account)-\(run).example;c\(i).alt@a\(account)-\(run).example,"
                + "\"Account \(account) \(run), Ltd\",a\(account)-\(run).example,rep\(account % 20)@acme.example\n"
        }
        let bytes = Array(csv.utf8)
        let backend = try database.query("SELECT pg_backend_pid()").scalar(Int.self)
        let serverStart = Measure.backendCPUSeconds(backend)
        let clientStart = Measure.cpuSeconds()
        let start = Measure.now()
        let summary = try ContactImporter(database).run(bytes)
        let seconds = Measure.now() - start
        let clientSeconds = Measure.cpuSeconds() - clientStart
        let serverSeconds = serverStart.flatMap { start in Measure.backendCPUSeconds(backend).map { $0 - start } }
        guard summary.rejected.isEmpty else { throw BenchError("\(summary.rejected.count) rows rejected, first: \(summary.rejected[0].reason)") }
        report("import-contacts", [
            ("contacts", "\(rows)"), ("created", "\(summary.created)"), ("seconds", format(seconds, 3)),
            ("contacts_per_s", format(Double(rows) / seconds, 0)), ("client_cpu_s", format(clientSeconds, 3)),
        ] + (serverSeconds.map { [("server_cpu_s", format($0, 3))] } ?? []))
    }
}
