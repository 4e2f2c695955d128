import XCTest
import CRM

/// Loads ../shared/data/cdnow once per test process; tests skip visibly when it is absent.
enum CDNOWFixture {
    static let path: String = {
        let here = URL(fileURLWithPath: #filePath)
        // Tests/CRMTests/this file → worktree root → ../shared
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/data/cdnow/CDNOW_sample.txt").path
    }()

    static func transactions() throws -> [Transaction] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("CDNOW data not found at \(path): ../shared/data/cdnow is needed for this test")
        }
        return try CDNOW.load(path: path)
    }

    static func calibration() throws -> [CustomerSummary] {
        CustomerSummary.build(transactions: try transactions(), observationEnd: CDNOW.calibrationEnd)
    }

    /// t_x and T as in lifetimes' shipped CDNOW summary: rounded to 2 decimals.
    static func roundedLikeLifetimes(_ h: PurchaseHistory) -> PurchaseHistory {
        PurchaseHistory(x: h.x, tx: (h.tx * 100).rounded() / 100, T: (h.T * 100).rounded() / 100)
    }

    /// lifetimes 0.11.3's maximum-likelihood parameters on the calibration data.
    static let published = BGNBDParameters(r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752)
}
