import CRM
import Foundation
import MIME
import Postgres
import Touchpoint

/// `touchpoint-bench reminders --database URL --customers N --purchases M`: fills an empty (or,
/// with --reset, emptied) database with a synthetic customer base through COPY, then times one full
/// reminder run without SMTP: summaries from SQL, fit, scoring, reminders and digests written.
enum RemindersBench {
    static let usage = "reminders --database URL [--customers 100000] [--purchases 1000000] [--owners 200] [--reset | --reuse]"
    static let today = PurchaseDay(year: 2026, month: 11, day: 16)!

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--database", "--customers", "--purchases", "--owners"], flags: ["--reset", "--reuse"])
        guard let url = args.options["--database"] else { throw BenchError("missing --database URL", usage: true) }
        let customers = try args.integer("--customers", default: 100_000)
        let purchases = try args.integer("--purchases", default: 1_000_000)
        let owners = try args.integer("--owners", default: 200)
        guard customers >= 2, purchases >= customers, owners >= 1, owners <= customers else {
            throw BenchError("need customers ≥ 2, purchases ≥ customers, 1 ≤ owners ≤ customers", usage: true)
        }
        let connection = try PostgresConnection(url)
        _ = try Migrator.migrate(connection)
        let existing = try connection.query("SELECT count(*) FROM contacts").scalar(Int.self)
        let loadStart = Measure.now()
        if args.flags.contains("--reuse") {
            // Same synthetic data as last time: only the previous run's output goes.
            try connection.query("TRUNCATE reminders, outbox")
        } else if existing > 0 {
            guard args.flags.contains("--reset") else {
                throw BenchError("the database already has \(existing) contacts; pass --reset to delete ALL its CRM data first")
            }
            try connection.query("TRUNCATE reminders, outbox, purchases, interactions, contact_addresses, contacts, accounts, owners CASCADE")
        }
        if !args.flags.contains("--reuse") {
            try generate(connection, customers: customers, purchases: purchases, owners: owners)
        }
        let loadSeconds = Measure.now() - loadStart

        var policy = ReminderPolicy()
        policy.maxPerOwner = 50  // the [reminders] max-per-digest default
        let settings = ReminderSettings(policy: policy, timeZone: TimeZone(identifier: "UTC")!,
                                        defaultOwner: "office@bench.example", sender: Mailbox(address: "touchpoint@bench.example"),
                                        smtp: nil)
        let logger = Logger(minimumLevel: .warning, journald: false)
        let start = Measure.now()
        let outcome = try ReminderRun(connection: connection, settings: settings, logger: logger)
            .run(ReminderRun.Options(today: today, send: false))
        let seconds = Measure.now() - start
        report("reminders", [
            ("customers", String(outcome.customers)), ("purchases", String(purchases)),
            ("seconds", String(format: "%.3f", seconds)), ("fit_seconds", String(format: "%.4f", outcome.fitSeconds)),
            ("reminders", String(outcome.created.count)),
            ("summary_seconds", String(format: "%.3f", outcome.summarySeconds)),
            ("score_seconds", String(format: "%.3f", outcome.scoreSeconds)),
            ("write_seconds", String(format: "%.3f", outcome.writeSeconds)), ("digests", String(outcome.digests)),
            ("converged", outcome.converged ? "yes" : "no"), ("load_seconds", String(format: "%.2f", loadSeconds)),
        ])
    }

    /// Deterministic (SplitMix64, fixed seed), drawn from the BG/NBD story itself so the fit has
    /// something to find: each customer buys at a rate λ ~ Gamma(r = 0.75, mean 1 per 5 weeks) from a
    /// first purchase in the last two years and drops out after each purchase with probability
    /// p ~ Beta(1, 6). Rates are scaled until the total reaches `purchases`, then the surplus is
    /// trimmed from the end of random customers' histories (never below one purchase).
    static func generate(_ connection: PostgresConnection, customers: Int, purchases: Int, owners: Int) throws {
        var random = SplitMix64(seed: 0x7470_6265_6E63_68)
        var ownerRows = PostgresCopyRows()
        for index in 1...owners {
            try ownerRows.append(index)
            try ownerRows.append("rep\(index)@bench.example")
            ownerRows.endRow()
        }
        var contactRows = PostgresCopyRows(reservingCapacity: customers * 32)
        for index in 1...customers {
            try contactRows.append(index)
            try contactRows.append("Customer \(index)")
            try contactRows.append(1 + index % owners)
            contactRows.endRow()
        }
        let end = today.daysSinceEpoch
        let firsts = (0..<customers).map { _ in end - 1 - Int(random.next() % 730) }
        let rates = (0..<customers).map { _ in random.gamma(shape: 0.75) / 0.75 / 35 }
        let dropouts = (0..<customers).map { _ in
            let x = random.gamma(shape: 1), y = random.gamma(shape: 6)
            return x / (x + y)
        }
        var scale = 1.0
        var histories: [[Int]] = []
        // Bounded: each pass at least doubles the total when short.
        for _ in 0..<12 {
            var stream = SplitMix64(seed: 0x6869_7374)
            histories = (0..<customers).map { index in
                var days = [firsts[index]]
                var day = Double(firsts[index])
                while days.count < 10_000, stream.unit() >= dropouts[index] {
                    day += -log(max(stream.unit(), 1e-12)) / (rates[index] * scale)
                    if day >= Double(end) { break }
                    days.append(Int(day))
                }
                return days
            }
            let total = histories.reduce(0) { $0 + $1.count }
            if total >= purchases { break }
            scale *= max(1.1, min(2, Double(purchases) / Double(total) * 1.05))
        }
        var surplus = histories.reduce(0) { $0 + $1.count } - purchases
        while surplus > 0 {
            let index = Int(random.next() % UInt64(customers))
            if histories[index].count > 1 { histories[index].removeLast(); surplus -= 1 }
        }

        var purchaseRows = PostgresCopyRows(reservingCapacity: purchases * 48)
        var reference = 0
        for (customer, days) in histories.enumerated() {
            for day in days {
                reference += 1
                try purchaseRows.append(customer + 1)
                try purchaseRows.append(Date(timeIntervalSince1970: Double(day) * 86_400 + 36_000))
                try purchaseRows.append(String(10 + random.next() % 990) + ".00")
                try purchaseRows.append("EUR")
                try purchaseRows.append("BENCH-\(reference)")
                purchaseRows.endRow()
            }
        }
        try connection.transaction { tx in
            try tx.copyIn("COPY owners (id, email) FROM STDIN", rows: ownerRows)
            try tx.copyIn("COPY contacts (id, name, owner_id) FROM STDIN", rows: contactRows)
            try tx.copyIn("COPY purchases (contact_id, purchased_at, amount, currency, external_ref) FROM STDIN", rows: purchaseRows)
            try tx.query("SELECT setval(pg_get_serial_sequence('contacts', 'id'), \(customers))")
            try tx.query("SELECT setval(pg_get_serial_sequence('owners', 'id'), \(owners))")
        }
        try connection.query("ANALYZE")
    }
}

struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func normal() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 through the U^(1/shape) boost.
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 { return gamma(shape: shape + 1) * pow(max(unit(), 1e-300), 1 / shape) }
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let v = pow(1 + c * x, 3)
            if v <= 0 { continue }
            let u = unit()
            if log(max(u, 1e-300)) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}
