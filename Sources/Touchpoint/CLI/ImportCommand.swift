import Foundation
import Postgres

/// `touchpoint import contacts|purchases FILE.csv`.
struct ImportCommand: Command {
    let name = "import"
    let summary = "import contacts or purchases from a CSV file (idempotent)"
    let help = """
    Usage: touchpoint import contacts FILE.csv [--config PATH]
           touchpoint import purchases FILE.csv [--config PATH]

    contacts: RFC 4180 CSV, UTF-8 with or without BOM, with a header row naming the columns
      name, email, account, account_domains, owner_email
    (several emails or domains separated by ';'; header names are case-insensitive). Rows are
    upserted in one transaction: a contact is the one that already owns any of the row's
    addresses; addresses are only ever added; empty fields leave stored values alone.
    Importing the same file again changes nothing. Every rejected row is listed with its line
    number and the reason; the valid rows are still imported.

    purchases: same CSV rules, columns
      customer_email (or customer_id = the contact's external id), purchased_at, amount, currency, external_ref
    purchased_at is a date (YYYY-MM-DD, midnight in [company] timezone) or an RFC 3339 timestamp
    (2026-03-14T09:23:00Z); amount uses '.' as decimal separator and needs a currency (EUR, USD,
    HUF …); both may be empty. external_ref identifies a purchase: importing the same file again
    changes nothing, a corrected row updates its purchase. Rows for customers that are not
    contacts (by any of their addresses, or by external id) are listed by line and skipped.

    Prints progress on a terminal and a summary always: created (inserted), updated, unchanged, rejected.

    Exit status: 0 imported (even with rejected rows), 65 the file is not valid CSV or lacks
    required columns, 66 the file cannot be read, 69 database unreachable.

    """
    let spec = Arguments.Spec()

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.count == 2 else {
            throw CommandFailure.usage("expected: import contacts FILE.csv")
        }
        let kind = arguments.positionals[0]
        let path = arguments.positionals[1]
        guard kind == "contacts" || kind == "purchases" else {
            throw CommandFailure.usage("unknown import kind '\(kind)' (known: contacts, purchases)")
        }
        let bytes: [UInt8]
        do { bytes = try InspectCommand.read(path) } catch {
            throw CommandFailure(.noInput, "\(path): \(error)")
        }
        let config = try context.loadConfig()
        let database = try Database.connectMigrated(config)
        if kind == "purchases" {
            return try PurchaseImportCommand.run(bytes, path: path, config: config, database: database, context)
        }
        let console = ImportConsole(path: path, context: context)
        let summary = try console.perform { progress in try ContactImporter(database).run(bytes, progress: progress) }
        console.report(rejected: summary.rejected.map { ($0.line, $0.reason) }, unknownColumns: summary.unknownColumns)
        console.done("\(summary.created) created, \(summary.updated) updated, "
            + "\(summary.unchanged) unchanged, \(summary.rejected.count) rejected; \(summary.accountsCreated) accounts and "
            + "\(summary.ownersCreated) owners created, \(summary.domainsAdded) domains added")
        return .success
    }
}

/// The purchases half of `touchpoint import`.
enum PurchaseImportCommand {
    static func run(_ bytes: [UInt8], path: String, config: Config, database: PostgresConnection,
                    _ context: CommandContext) throws -> ExitCode {
        guard let zone = TimeZone(identifier: config.timeZone) else {
            throw CommandFailure(.configuration, "[company] timezone: \"\(config.timeZone)\" is not a known IANA time zone")
        }
        let console = ImportConsole(path: path, context: context)
        let summary = try console.perform { progress in try PurchaseImporter(database, timeZone: zone).run(bytes, progress: progress) }
        console.report(rejected: summary.rejected.map { ($0.line, $0.reason) }, unknownColumns: summary.unknownColumns)
        console.done("\(summary.inserted) purchases created, \(summary.updated) updated, "
            + "\(summary.unchanged) unchanged, \(summary.rejected.count) rejected")
        return .success
    }
}

/// What both imports print: progress on a terminal, rejected rows by line, unknown columns, and
/// the one-line summary with the elapsed time.
struct ImportConsole {
    let path: String
    let context: CommandContext
    let started = Date()

    /// Runs the import with a progress line on a terminal; a file the importer cannot read as
    /// its CSV is a data error (exit 65) naming the file.
    func perform<Summary>(_ body: ((ImportProgress) -> Void) throws -> Summary) throws -> Summary {
        defer { if context.io.isTerminal { context.io.err("\n") } }
        do {
            return try body { progress in
                guard context.io.isTerminal else { return }
                let percent = progress.totalBytes > 0 ? 100 * progress.bytesRead / progress.totalBytes : 100
                context.io.err("\r\(path): \(progress.rowsRead) rows read (\(percent)%)\(progress.phase == .storing ? ", storing…" : "")   ")
            }
        } catch let error as ContactImportError {
            throw CommandFailure(.dataError, "\(path): \(error)")
        } catch let error as PurchaseImportError {
            throw CommandFailure(.dataError, "\(path): \(error)")
        }
    }

    func report(rejected: [(line: Int, reason: String)], unknownColumns: [String]) {
        for rejection in rejected.prefix(1000) {
            context.io.err("\(path):\(rejection.line): rejected: \(rejection.reason)\n")
        }
        if rejected.count > 1000 { context.io.err("… and \(rejected.count - 1000) more rejected rows\n") }
        if !unknownColumns.isEmpty {
            context.io.err("warning: ignored unknown columns: \(unknownColumns.joined(separator: ", "))\n")
        }
    }

    func done(_ counts: String) {
        let seconds = Date().timeIntervalSince(started)
        context.io.out("imported \(path) in \(String(format: "%.1f", seconds)) s: \(counts)\n")
    }
}
