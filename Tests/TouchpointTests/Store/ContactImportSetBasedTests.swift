import Foundation
import XCTest
import Postgres
@testable import Touchpoint

/// The cases a set-based import can get wrong where a row-by-row one could not: several rows of
/// one file touching the same contact, account or domain, and rejections in the middle.
final class ContactImportSetBasedTests: MigratedDatabaseTestCase {
    private func run(_ csv: String) throws -> ImportSummary {
        try ContactImporter(connection).run(Array(csv.utf8))
    }

    private func contactName(owning address: String) throws -> String? {
        try connection.query("""
            SELECT c.name FROM contacts c JOIN contact_addresses a ON a.contact_id = c.id WHERE a.address = \(address)
            """).map { try $0.decode(String.self, at: 0) }.first
    }

    private func addresses(of name: String) throws -> [String] {
        try connection.query("""
            SELECT a.address FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id
             WHERE c.name = \(name) ORDER BY a.position
            """).map { try $0.decode(String.self, at: 0) }
    }

    /// Every row version's xmin: equal before and after a run only if the run rewrote nothing.
    private func rowVersions() throws -> [String] {
        try ["contacts", "contact_addresses", "accounts", "account_domains", "owners"].map { table in
            try connection.query("SELECT COALESCE(string_agg(xmin::text || ':' || ctid::text, ',' ORDER BY ctid), '') FROM \(unescaped: table)")
                .scalar(String.self)
        }
    }

    static let duplicatesWithinOneFile = """
        name,email,account,account_domains,owner_email
        Ann,ann@acme.example,Acme,acme.example,rep@acme.example
        Ann Again,ANN@acme.example,Acme,,
        Bea,bea@acme.example,ACME,acme.example,REP@acme.example
        Cid,cid@other.example,Other,acme.example,
        Dan,dan@acme.example;dan@acme.example,acme,,
        """

    func testDuplicatesWithinOneFile() throws {
        let summary = try run(Self.duplicatesWithinOneFile)
        XCTAssertEqual(summary.created, 3)
        XCTAssertEqual(summary.rejected.map(\.line), [3, 5])
        XCTAssertEqual(summary.rejected.first?.reason, "email ann@acme.example already appears on line 2")
        XCTAssertEqual(summary.rejected.last?.reason, "account domain acme.example belongs to another account earlier in the file")
        XCTAssertEqual(summary.accountsCreated, 1, "Acme, ACME and acme are one account")
        XCTAssertEqual(summary.domainsAdded, 1)
        XCTAssertEqual(summary.ownersCreated, 1)
        XCTAssertEqual(try connection.query("SELECT name FROM accounts").scalar(String.self), "Acme", "spelt as on its first line")
        XCTAssertEqual(try addresses(of: "Dan"), ["dan@acme.example"])
        XCTAssertEqual(try connection.query("SELECT count(DISTINCT account_id) FROM contacts").scalar(Int.self), 1)
    }

    func testAddressesNeverMoveBetweenContacts() throws {
        _ = try run("name,email\nAnn,ann@example.com\nBob,bob@example.com\n")
        let merge = try run("name,email\nMerged,ann@example.com;bob@example.com\n")
        XCTAssertEqual(merge.rejected, [
            ContactImportRejection(line: 2, reason: "its addresses belong to different existing contacts"),
        ])
        XCTAssertEqual(merge.created + merge.updated, 0)
        XCTAssertEqual(try contactName(owning: "ann@example.com"), "Ann")
        XCTAssertEqual(try contactName(owning: "bob@example.com"), "Bob")

        let grow = try run("name,email\nAnn K,ann.k@example.com;ann@example.com\nRobert,rob@example.com\n")
        XCTAssertEqual(grow.updated, 1)
        XCTAssertEqual(grow.created, 1)
        XCTAssertEqual(try addresses(of: "Ann K"), ["ann@example.com", "ann.k@example.com"], "added after the kept primary")
        XCTAssertEqual(try addresses(of: "Bob"), ["bob@example.com"])
        XCTAssertEqual(try contactName(owning: "rob@example.com"), "Robert")
    }

    func testTwoRowsHittingOneExistingContactKeepTheFirst() throws {
        _ = try run("name,email\nAnn,ann@example.com;ann@home.example\n")
        let summary = try run("name,email\nAnn Work,ann@example.com\nAnn Home,ann@home.example\n")
        XCTAssertEqual(summary.rejected, [ContactImportRejection(line: 3, reason: "same existing contact as line 2")])
        XCTAssertEqual(try contactName(owning: "ann@home.example"), "Ann Work")
    }

    func testAnAccountRenamedInTheFile() throws {
        _ = try run("name,email,account,account_domains\nAnn,ann@acme.example,Acme Kft.,acme.example\n")
        let summary = try run("""
            name,email,account,account_domains
            Ann,ann@acme.example,ACME KFT.,
            Bob,bob@acme.example,Acme Hungary,acme.example
            Cy,cy@acme.example,Acme Hungary,acme.hu
            """)
        XCTAssertEqual(summary.unchanged, 1, "a change of case names the same account")
        XCTAssertEqual(summary.rejected, [
            ContactImportRejection(line: 3, reason: "account domain acme.example belongs to account Acme Kft."),
        ])
        XCTAssertEqual(summary.created, 1)
        XCTAssertEqual(summary.accountsCreated, 1)
        let accounts = try connection.query("""
            SELECT a.name || '=' || COALESCE(string_agg(d.domain, ';' ORDER BY d.domain), '')
              FROM accounts a LEFT JOIN account_domains d ON d.account_id = a.id GROUP BY a.name ORDER BY a.name
            """).map { try $0.decode(String.self, at: 0) }
        XCTAssertEqual(accounts, ["Acme Hungary=acme.hu", "Acme Kft.=acme.example"])

        let moved = try run("name,email,account\nAnn,ann@acme.example,Acme Hungary\n")
        XCTAssertEqual(moved.updated, 1, "a contact moves to the account its row names")
        XCTAssertEqual(try connection.query("""
            SELECT a.name FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.name = 'Ann'
            """).scalar(String.self), "Acme Hungary")
    }

    func testRowsRejectedMidFileKeepTheirLinesAndTheRestIsStored() throws {
        try connection.query("INSERT INTO accounts (name) VALUES ('Taken')")
        try connection.query("INSERT INTO account_domains (domain, account_id) SELECT 'taken.example', id FROM accounts")
        var csv = "name,email,account,account_domains\n"
        var line = 1
        var expectedRejections: [Int] = []
        for n in 0..<300 {
            line += 1
            switch n % 50 {
            case 7:  // two physical lines: the lines after it shift by one
                csv += "\"Two\nLines \(n)\",p\(n)@example.com,,\n"
                line += 1
            case 13:
                csv += "Thief \(n),p\(n)@example.com,Mine \(n),taken.example\n"
                expectedRejections.append(line)
            case 29:
                csv += "Broken \(n),not an address,,\n"
                expectedRejections.append(line)
            default:
                csv += "P \(n),p\(n)@example.com,Acct \(n % 4),acct\(n % 4).example\n"
            }
        }
        let first = try run(csv)
        XCTAssertEqual(first.rejected.map(\.line), expectedRejections)
        XCTAssertEqual(first.created, 300 - expectedRejections.count)
        XCTAssertEqual(try connection.query("SELECT count(*) FROM accounts WHERE name LIKE 'Mine%'").scalar(Int.self), 0)

        let versions = try rowVersions()
        let second = try run(csv)
        XCTAssertEqual(second.unchanged, first.created)
        XCTAssertEqual(second.created + second.updated, 0)
        XCTAssertEqual(second.rejected, first.rejected)
        XCTAssertEqual(try rowVersions(), versions, "the second run rewrote no row")
    }
}

final class ContactImportListTests: XCTestCase {
    func testListsSplitOnSemicolonsTrimmedWithoutEmptyItems() {
        XCTAssertEqual(ContactRowValidator.splitList(""), [])
        XCTAssertEqual(ContactRowValidator.splitList(";; ;"), [])
        XCTAssertEqual(ContactRowValidator.splitList("a@x.example"), ["a@x.example"])
        XCTAssertEqual(ContactRowValidator.splitList(" a@x.example ;b@x.example;\u{00A0}c@x.example\u{00A0};"),
                       ["a@x.example", "b@x.example", "c@x.example"])
        XCTAssertEqual(ContactRowValidator.splitList("zoë@例え.jp;👩‍👩‍👧@x.example"), ["zoë@例え.jp", "👩‍👩‍👧@x.example"])
    }
}
