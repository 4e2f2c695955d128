import Foundation
import XCTest
import Postgres
@testable import Touchpoint

final class ContactImporterTests: MigratedDatabaseTestCase {
    private func run(_ csv: String) throws -> ImportSummary {
        try ContactImporter(connection).run(Array(csv.utf8))
    }

    static let sample = #"""
        Name,EMAIL,Account,Account_Domains,Owner_Email,Favourite Colour
        "Kovács, Anna",anna@acme.example; Anna.K@Acme.Example ,Acme Kft.,acme.example;@acme.hu,Rep@Example.com,blue
        "Bob ""The Builder""",bob@builder.example,,,,
        "Multi
        Line",ml@example.org,Acme Kft.,,rep@example.com,
        Zoë 漢字 👩‍👩‍👧,zoe@example.net,Other Ltd,other.example,,

        """#

    func testImportCreatesThenSecondRunChangesNothing() throws {
        let first = try run(Self.sample)
        XCTAssertEqual(first.created, 4)
        XCTAssertEqual(first.updated, 0)
        XCTAssertEqual(first.unchanged, 0)
        XCTAssertEqual(first.rejected, [])
        XCTAssertEqual(first.unknownColumns, ["Favourite Colour"])
        XCTAssertEqual(first.accountsCreated, 2)
        XCTAssertEqual(first.ownersCreated, 1)
        XCTAssertEqual(first.domainsAdded, 3)

        let snapshot = try Store.loadContactSnapshot(connection)
        let anna = try XCTUnwrap(snapshot.contacts.first { $0.name == "Kovács, Anna" })
        XCTAssertEqual(anna.addresses, ["anna@acme.example", "anna.k@acme.example"])
        XCTAssertEqual(snapshot.contacts.map(\.name).sorted(), ["Bob \"The Builder\"", "Kovács, Anna", "Multi\nLine", "Zoë 漢字 👩‍👩‍👧"])
        XCTAssertEqual(Set(snapshot.accounts.flatMap(\.domains)), ["acme.example", "acme.hu", "other.example"])
        XCTAssertEqual(snapshot.owners.map(\.email), ["rep@example.com"])
        XCTAssertEqual(anna.ownerID, snapshot.owners.first?.id)

        let second = try run(Self.sample)
        XCTAssertEqual(second.created, 0)
        XCTAssertEqual(second.updated, 0)
        XCTAssertEqual(second.unchanged, 4)
        XCTAssertEqual(second.accountsCreated + second.ownersCreated + second.domainsAdded, 0)
        XCTAssertEqual(try Store.loadContactSnapshot(connection), snapshot)
    }

    func testChangedRowsCountAsUpdated() throws {
        _ = try run(Self.sample)
        let changed = #"""
            name,email,account
            Anna Kovács,anna.k@acme.example,Acme Kft.
            Bob,bob@builder.example;bob@home.example,
            """#
        let summary = try run(changed)
        XCTAssertEqual(summary.updated, 2)
        XCTAssertEqual(summary.created, 0)
        let names = try connection.query("SELECT c.name FROM contacts c JOIN contact_addresses a ON a.contact_id = c.id WHERE a.address = 'bob@home.example'")
            .map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(names, ["Bob"])
    }

    func testRejectedRowsAreNamedByLineAndTheRestIsImported() throws {
        try connection.query("INSERT INTO accounts (name) VALUES ('Taken Inc')")
        try connection.query("INSERT INTO account_domains (domain, account_id) SELECT 'taken.example', id FROM accounts")
        let csv = #"""
            name,email,account,account_domains,owner_email
            Good,good@example.com,,,
            No Mail,,,,
            Bad Mail,not-an-address,,,
            Twice,good@example.com,,,
            Orphan Domain,od@example.com,,orphan.example,
            Stray,"quo"te@example.com,,,
            Thief,thief@example.com,Mine,taken.example,
            Short,short@example.com
            Bad Owner,bo@example.com,,,owner at example
            """#
        let summary = try run(csv)
        XCTAssertEqual(summary.created, 1)
        XCTAssertEqual(summary.rejected.map(\.line), [3, 4, 5, 6, 7, 8, 9, 10])
        let reasons = Dictionary(uniqueKeysWithValues: summary.rejected.map { ($0.line, $0.reason) })
        XCTAssertEqual(reasons[3], "no email address")
        XCTAssertEqual(reasons[5], "email good@example.com already appears on line 2")
        XCTAssertEqual(reasons[6], "account_domains given without an account")
        XCTAssertEqual(reasons[8], "account domain taken.example belongs to account Taken Inc")
        XCTAssertEqual(reasons[9], "expected 5 fields, found 2")
        XCTAssertEqual(try connection.query("SELECT count(*) FROM accounts WHERE name = 'Mine'").scalar(Int.self), 0,
                       "a rejected row creates nothing")
    }

    func testAddressesOfTwoExistingContactsOnOneRowAreRejected() throws {
        _ = try run("email\na@example.com\nb@example.com\nc@example.com\n")
        let summary = try run("email,name\na@example.com;b@example.com,Merged?\nc@example.com,C\n")
        XCTAssertEqual(summary.rejected, [ContactImportRejection(line: 2, reason: "its addresses belong to different existing contacts")])
        XCTAssertEqual(summary.updated, 1)
    }

    func testDatabaseFailureLeavesNothingHalfImported() throws {
        // A constraint the importer cannot know about fails the set-based insert mid-way.
        try connection.query("ALTER TABLE contacts ADD CONSTRAINT no_evil CHECK (name <> 'Evil')")
        XCTAssertThrowsError(try run("name,email,account,owner_email\nGood,g@example.com,Acme,o@example.com\nEvil,e@example.com,Acme,\n")) {
            XCTAssertEqual(($0 as? PostgresError)?.constraint, "no_evil")
        }
        for table in ["contacts", "contact_addresses", "accounts", "owners"] {
            XCTAssertEqual(try connection.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self), 0, table)
        }
    }

    func testMissingEmailColumnIsAClearError() {
        XCTAssertThrowsError(try run("name,account\nAnn,Acme\n")) {
            XCTAssertEqual($0 as? ContactImportError, .missingColumn("email"))
        }
        XCTAssertThrowsError(try run("")) { XCTAssertEqual($0 as? ContactImportError, .emptyFile) }
    }

    func testProgressIsReportedAndEndsWithDone() throws {
        var rows = ["email"]
        for n in 0..<25_000 { rows.append("c\(n)@bulk.example") }
        var phases: [ImportProgress.Phase] = []
        let summary = try ContactImporter(connection).run(Array(rows.joined(separator: "\n").utf8)) { phases.append($0.phase) }
        XCTAssertEqual(summary.created, 25_000)
        XCTAssertEqual(phases, [.reading, .reading, .storing, .done])
    }
}
