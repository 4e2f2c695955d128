import Foundation
import Postgres
import XCTest
@testable import Touchpoint

final class PurchaseImporterTests: XCTestCase {
    func testDemoImportIsIdempotent() throws {
        let world = try ReminderWorld()
        try world.importDemo()
        let again = try PurchaseImporter(world.connection, timeZone: ReminderWorld.timeZone)
            .run(try [UInt8](Data(contentsOf: ReminderWorld.demo.appendingPathComponent("purchases.csv"))))
        XCTAssertEqual(again.inserted, 0)
        XCTAssertEqual(again.updated, 0)
        XCTAssertEqual(again.unchanged, 486)
        XCTAssertEqual(try world.connection.query("SELECT count(*) FROM purchases").scalar(Int.self), 486)
        XCTAssertEqual(try world.connection.query("SELECT count(DISTINCT contact_id) FROM purchases").scalar(Int.self), 35)
    }

    func testRejectionsAreReportedByLineAndTheRestIsStored() throws {
        let world = try ReminderWorld()
        let contacts = "name,email,account,account_domains,owner_email\r\nAnna Ügyfél,anna@customer.example;alias@customer.example,Customer Kft.,customer.example,rep@acme.example\r\n"
        _ = try ContactImporter(world.connection).run(Array(contacts.utf8))
        try world.connection.query("UPDATE contacts SET external_id = 'C-42'")
        let csv = """
            customer_email,customer_id,purchased_at,amount,currency,external_ref
            Anna@Customer.example,,2026-03-14T09:23:00Z,120.50,EUR,R-1
            nobody@else.example,,2026-03-15,10,EUR,R-2
            anna@customer.example,,14/03/2026,10,EUR,R-3
            ,C-42,2026-04-01,,,R-4
            alias@customer.example,,2026-04-02,7,,R-5
            ,C-999,2026-04-03,1,USD,R-6
            anna@customer.example,,2026-04-04,1,USD,R-1

            """
        let importer = PurchaseImporter(world.connection, timeZone: ReminderWorld.timeZone)
        let summary = try importer.run(Array(csv.utf8))
        XCTAssertEqual(summary.inserted, 2)
        XCTAssertEqual(summary.rejected.map(\.line), [3, 4, 6, 7, 8])
        XCTAssertEqual(summary.rejected[0].reason, "unknown customer nobody@else.example")
        XCTAssertTrue(summary.rejected[1].reason.contains("14/03/2026"), summary.rejected[1].reason)
        XCTAssertEqual(summary.rejected[2].reason, "amount without currency")
        XCTAssertEqual(summary.rejected[3].reason, "unknown customer_id C-999")
        XCTAssertEqual(summary.rejected[4].reason, "external_ref R-1 already appears on line 2")
        // A corrected row updates its purchase; the rest stays unchanged.
        let corrected = csv.replacingOccurrences(of: "120.50", with: "121.00")
        let second = try importer.run(Array(corrected.utf8))
        XCTAssertEqual(second.inserted, 0)
        XCTAssertEqual(second.updated, 1)
        XCTAssertEqual(second.unchanged, 1)
        XCTAssertEqual(try world.connection.query("SELECT amount::text FROM purchases WHERE external_ref = 'R-1'").scalar(String.self), "121.0000")
    }

    func testMissingColumnsStopTheImport() throws {
        let world = try ReminderWorld()
        XCTAssertThrowsError(try PurchaseImporter(world.connection, timeZone: ReminderWorld.timeZone)
            .run(Array("customer_email,amount,currency\r\nx@y.example,1,EUR\r\n".utf8))) { error in
            XCTAssertEqual(error as? PurchaseImportError, .missingColumn("purchased_at"))
        }
    }
}
