import Foundation

/// `touchpoint import contacts|purchases FILE.csv`.
struct ImportCommand: Command {
    let name = "import"
    let summary = "import contacts from a CSV file (idempotent)"
    let help = """
    Usage: touchpoint import contacts FILE.csv [--config PATH]

    contacts: RFC 4180 CSV, UTF-8 with or without BOM, with a header row naming the columns
      name, email, account, account_domains, owner_email
    (several emails or domains separated by ';'; header names are case-insensitive). Rows are
    upserted in one transaction: a contact is the one that already owns any of the row's
    addresses; addresses are only ever added; empty fields leave stored values alone.
    Importing the same file again changes nothing. Every rejected row is listed with its line
    number and the reason; the valid rows are still imported.

    Prints progress on a terminal and a summary always: created, updated, unchanged, rejected.

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
        guard kind == "contacts" else {
            throw CommandFailure.usage("unknown import kind '\(kind)' (known: contacts)")
        }
        let bytes: [UInt8]
        do { bytes = try InspectCommand.read(path) } catch {
            throw CommandFailure(.noInput, "\(path): \(error)")
        }
        let config = try context.loadConfig()
        let database = try Database.connectMigrated(config)
        let started = Date()
        let summary: ImportSummary
        do {
            summary = try ContactImporter(database).run(bytes) { progress in
                guard context.io.isTerminal else { return }
                let percent = progress.totalBytes > 0 ? 100 * progress.bytesRead / progress.totalBytes : 100
                context.io.err("\r\(path): \(progress.rowsRead) rows read (\(percent)%)\(progress.phase == .storing ? ", storing…" : "")   ")
            }
        } catch let error as ContactImportError {
            if context.io.isTerminal { context.io.err("\n") }
            throw CommandFailure(.dataError, "\(path): \(error)")
        }
        if context.io.isTerminal { context.io.err("\n") }
        for rejection in summary.rejected.prefix(1000) {
            context.io.err("\(path):\(rejection.line): rejected: \(rejection.reason)\n")
        }
        if summary.rejected.count > 1000 { context.io.err("… and \(summary.rejected.count - 1000) more rejected rows\n") }
        if !summary.unknownColumns.isEmpty {
            context.io.err("warning: ignored unknown columns: \(summary.unknownColumns.joined(separator: ", "))\n")
        }
        let seconds = Date().timeIntervalSince(started)
        context.io.out("imported \(path) in \(String(format: "%.1f", seconds)) s: \(summary.created) created, \(summary.updated) updated, "
            + "\(summary.unchanged) unchanged, \(summary.rejected.count) rejected; \(summary.accountsCreated) accounts and "
            + "\(summary.ownersCreated) owners created, \(summary.domainsAdded) domains added\n")
        return .success
    }
}
