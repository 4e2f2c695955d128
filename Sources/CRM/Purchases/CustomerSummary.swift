/// Everything the reminder policy needs to know about one customer's purchases up to a cut-off day.
public struct CustomerSummary: Hashable, Sendable {
    public var customerID: String
    public var history: PurchaseHistory
    public var firstPurchase: PurchaseDay
    public var lastPurchase: PurchaseDay
    /// The observation end the history was computed at.
    public var observationEnd: PurchaseDay
    /// Mean amount per purchase day (all purchase days up to the cut-off), nil when no amounts are known.
    public var typicalOrderValue: Double?

    public init(customerID: String, history: PurchaseHistory, firstPurchase: PurchaseDay, lastPurchase: PurchaseDay,
                observationEnd: PurchaseDay, typicalOrderValue: Double?) {
        self.customerID = customerID
        self.history = history
        self.firstPurchase = firstPurchase
        self.lastPurchase = lastPurchase
        self.observationEnd = observationEnd
        self.typicalOrderValue = typicalOrderValue
    }

    /// Builds one summary per customer whose first purchase is on or before `observationEnd`; purchases
    /// after it are ignored. Sorted by customer id. `daysPerUnit` is 7 for weeks.
    public static func build(transactions: [Transaction], observationEnd: PurchaseDay,
                             daysPerUnit: Double = 7) -> [CustomerSummary] {
        precondition(daysPerUnit > 0, "daysPerUnit must be positive")
        struct Accumulator {
            var first: PurchaseDay
            var last: PurchaseDay
            var days: Set<PurchaseDay>
            var amount: Double
            var hasAmount: Bool
        }
        var byCustomer: [String: Accumulator] = [:]
        for transaction in transactions where transaction.day <= observationEnd {
            if var acc = byCustomer[transaction.customerID] {
                acc.first = min(acc.first, transaction.day)
                acc.last = max(acc.last, transaction.day)
                acc.days.insert(transaction.day)
                acc.amount += transaction.amount
                acc.hasAmount = acc.hasAmount || transaction.amount != 0
                byCustomer[transaction.customerID] = acc
            } else {
                byCustomer[transaction.customerID] = Accumulator(
                    first: transaction.day, last: transaction.day, days: [transaction.day],
                    amount: transaction.amount, hasAmount: transaction.amount != 0)
            }
        }
        return byCustomer.map { id, acc in
            let x = acc.days.count - 1
            let history = PurchaseHistory(
                x: x,
                tx: x == 0 ? 0 : Double(acc.last - acc.first) / daysPerUnit,
                T: Double(observationEnd - acc.first) / daysPerUnit)
            return CustomerSummary(
                customerID: id, history: history, firstPurchase: acc.first, lastPurchase: acc.last,
                observationEnd: observationEnd,
                typicalOrderValue: acc.hasAmount ? acc.amount / Double(acc.days.count) : nil)
        }.sorted { customerIDOrder($0.customerID, $1.customerID) }
    }

    /// Numeric ids in numeric order ("2" before "10"), then everything else in code-point order.
    static func customerIDOrder(_ lhs: String, _ rhs: String) -> Bool {
        switch (Int(lhs), Int(rhs)) {
        case let (l?, r?): return l != r ? l < r : lhs < rhs
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return lhs < rhs
        }
    }
}
