import Foundation
import Postgres
import Touchpoint

/// `touchpoint-bench import-contacts --database URL --rows N`
///
/// Generates an N-row contacts CSV (two addresses per contact, 2% of rows per account) and
/// imports it with the same importer as `touchpoint import contacts`, timing the import alone.
/// Use a scratch database.
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
        let start = Measure.now()
        let summary = try ContactImporter(database).run(bytes)
        let seconds = Measure.now() - start
        guard summary.rejected.isEmpty else { throw BenchError("\(summary.rejected.count) rows rejected, first: \(summary.rejected[0].reason)") }
        report("import-contacts", [
            ("contacts", "\(rows)"), ("created", "\(summary.created)"), ("seconds", format(seconds, 3)),
            ("contacts_per_s", format(Double(rows) / seconds, 0)),
        ])
    }
}
