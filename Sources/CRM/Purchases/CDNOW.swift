import Foundation

/// The CDNOW sample of Fader & Hardie (see ../shared/reference/bgnbd.md): whitespace-separated
/// `master_id sample_id YYYYMMDD number_of_cds dollar_value`, no header. Customers are keyed by
/// sample_id, the id the published reference figures use.
public enum CDNOW {
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "CDNOW line \(line): \(reason)" }
    }

    /// The calibration end of the published analyses; the holdout is the 39 weeks after it.
    public static let calibrationEnd = PurchaseDay(year: 1997, month: 9, day: 30)!
    public static let holdoutDays = 39 * 7

    public static func parse(_ text: String) throws -> [Transaction] {
        var transactions: [Transaction] = []
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so both line ends are named.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count == 5 else {
                throw ParseError(line: lineNumber, reason: "expected 5 fields, found \(fields.count)")
            }
            guard let day = PurchaseDay(parsing: fields[2]) else {
                throw ParseError(line: lineNumber, reason: "\"\(fields[2])\" is not a YYYYMMDD date")
            }
            guard let amount = Double(fields[4]), amount.isFinite else {
                throw ParseError(line: lineNumber, reason: "\"\(fields[4])\" is not an amount")
            }
            // Leading zeros are formatting: "0001" and "1" are the same customer.
            let id = Int(fields[1]).map(String.init) ?? String(fields[1])
            transactions.append(Transaction(customerID: id, day: day, amount: amount))
        }
        return transactions
    }

    /// Reads and parses a file. The only file access in this module, kept here so the benchmark and
    /// the tests load the data the same way.
    public static func load(path: String) throws -> [Transaction] {
        try parse(String(contentsOfFile: path, encoding: .utf8))
    }
}
