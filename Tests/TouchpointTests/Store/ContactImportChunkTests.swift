import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// An import is stored chunk by chunk while the file is read. Where the chunks fall must not
/// change anything: the same files give the same summaries and the same tables whether the
/// whole file is one chunk or every row is its own.
final class ContactImportChunkTests: MigratedDatabaseTestCase {
    private enum Step {
        case sql(String)
        case file(String)
    }

    private static let scenarios: [[Step]] = [
        [.file(ContactImporterTests.sample),
         .file("name,email,account\nAnna Kovács,anna.k@acme.example,Acme Kft.\nBob,bob@builder.example;bob@home.example,\n")],
        [.file(ContactImportSetBasedTests.duplicatesWithinOneFile)],
        [.file("name,email\nAnn,ann@example.com\nBob,bob@example.com\n"),
         .file("name,email\nMerged,ann@example.com;bob@example.com\n"),
         .file("name,email\nAnn K,ann.k@example.com;ann@example.com\nRobert,rob@example.com\n")],
        // Two rows naming one stored contact, and a third one later: the first keeps it.
        [.file("name,email\nAnn,ann@example.com;ann@home.example;ann@old.example\n"),
         .file("name,email\nAnn Work,ann@example.com\nNew,new@example.com\nAnn Home,ann@home.example\nAnn Old,ann@old.example\n")],
        [.file("name,email,account,account_domains\nAnn,ann@acme.example,Acme Kft.,acme.example\n"),
         .file("""
            name,email,account,account_domains
            Ann,ann@acme.example,ACME KFT.,
            Bob,bob@acme.example,Acme Hungary,acme.example
            Cy,cy@acme.example,Acme Hungary,acme.hu
            Di,di@acme.example,acme hungary,acme.hu
            """),
         .file("name,email,account\nAnn,ann@acme.example,Acme Hungary\n")],
        [.sql("INSERT INTO accounts (name) VALUES ('Taken')"),
         .sql("INSERT INTO account_domains (domain, account_id) SELECT 'taken.example', id FROM accounts"),
         .file(midFileRejections), .file(midFileRejections)],
    ]

    private static var midFileRejections: String {
        var csv = "name,email,account,account_domains,owner_email\n"
        for n in 0..<40 {
            switch n % 10 {
            case 3: csv += "\"Two\nLines \(n)\",p\(n)@example.com,,,\n"
            case 5: csv += "Thief \(n),p\(n)@example.com,Mine \(n),taken.example,\n"
            case 7: csv += "Broken \(n),not an address,,,\n"
            case 8: csv += "Twice \(n),p\(n - 1)@example.com,,,\n"
            default: csv += "P \(n),p\(n)@example.com,Acct \(n % 4),acct\(n % 4).example,rep\(n % 3)@example.com\n"
            }
        }
        return csv
    }

    /// Every table an import writes, by natural keys (ids differ between runs).
    private func tables() throws -> [String] {
        let contacts = try connection.query("""
            SELECT c.name || ' | ' || COALESCE(a.name, '-') || ' | ' || COALESCE(o.email, '-') || ' | '
                   || (SELECT string_agg(ca.address, ';' ORDER BY ca.position) FROM contact_addresses ca WHERE ca.contact_id = c.id)
              FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN owners o ON o.id = c.owner_id
             ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        let accounts = try connection.query("""
            SELECT a.name || '=' || COALESCE(string_agg(d.domain, ';' ORDER BY d.domain), '')
              FROM accounts a LEFT JOIN account_domains d ON d.account_id = a.id GROUP BY a.name ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        let owners = try connection.query("SELECT email FROM owners ORDER BY 1").map { try $0.decode(String.self, at: 0) }
        return contacts + ["--"] + accounts + ["--"] + owners
    }

    private func play(_ scenario: [Step], chunkRows: Int) throws -> (summaries: [ImportSummary], tables: [String]) {
        // DELETE, not TRUNCATE: other tables keep real foreign keys to contacts. The triggers
        // cascade to addresses and domains.
        try connection.execute(script: "DELETE FROM contacts; DELETE FROM accounts; DELETE FROM owners")
        var summaries: [ImportSummary] = []
        for step in scenario {
            switch step {
            case .sql(let statement): try connection.query("\(unescaped: statement)")
            case .file(let csv):
                summaries.append(try ContactImporter(connection, chunkRows: chunkRows).run(Array(csv.utf8)))
            }
        }
        return (summaries, try tables())
    }

    func testWhereTheChunksFallChangesNothing() throws {
        for (index, scenario) in Self.scenarios.enumerated() {
            let whole = try play(scenario, chunkRows: ContactImporter.defaultChunkRows)
            XCTAssertNotEqual(whole.tables.first, "--", "scenario \(index) stored no contact")
            for chunkRows in [1, 2, 3] {
                let chunked = try play(scenario, chunkRows: chunkRows)
                XCTAssertEqual(chunked.summaries, whole.summaries, "scenario \(index), \(chunkRows) rows per chunk")
                XCTAssertEqual(chunked.tables, whole.tables, "scenario \(index), \(chunkRows) rows per chunk")
            }
        }
    }

    /// The cross-chunk rule spelled out: rows of later chunks that name a stored contact an
    /// earlier chunk already updated are rejected against that earlier line.
    func testAStoredContactNamedInSeveralChunksIsUpdatedOnceByItsFirstLine() throws {
        let scenario = Self.scenarios[3]
        let result = try play(scenario, chunkRows: 1)
        XCTAssertEqual(result.summaries[1].rejected, [
            ContactImportRejection(line: 4, reason: "same existing contact as line 2"),
            ContactImportRejection(line: 5, reason: "same existing contact as line 2"),
        ])
        XCTAssertEqual(result.summaries[1].updated, 1)
        XCTAssertEqual(result.summaries[1].created, 1)
        XCTAssertTrue(result.tables.contains("Ann Work | - | - | ann@example.com;ann@home.example;ann@old.example"), "\(result.tables)")
    }

    /// A failure in a later chunk rolls back the earlier ones too.
    func testAFailingLaterChunkLeavesNothingOfTheEarlierOnes() throws {
        try connection.query("ALTER TABLE contacts ADD CONSTRAINT no_evil CHECK (name <> 'Evil')")
        let csv = "name,email,account,owner_email\nGood,g@example.com,Acme,o@example.com\nFine,f@example.com,,\nEvil,e@example.com,Acme,\n"
        XCTAssertThrowsError(try ContactImporter(connection, chunkRows: 1).run(Array(csv.utf8))) {
            XCTAssertEqual(($0 as? PostgresError)?.constraint, "no_evil")
        }
        for table in ["contacts", "contact_addresses", "accounts", "owners"] {
            XCTAssertEqual(try connection.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self), 0, table)
        }
        let summary = try ContactImporter(connection, chunkRows: 1).run(Array("email\nok@example.com\n".utf8))
        XCTAssertEqual(summary.created, 1, "the connection is usable after the failed import")
    }
}
