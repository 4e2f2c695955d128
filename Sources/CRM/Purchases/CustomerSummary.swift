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
        // Per customer: the purchase days (sorted and deduplicated at the end) and the amount spent.
        var indexByCustomer: [String: Int] = [:]
        var ids: [String] = []
        var days: [[Int]] = []
        var amounts: [Double] = []
        var hasAmount: [Bool] = []
        for transaction in transactions where transaction.day <= observationEnd {
            let index: Int
            if let known = indexByCustomer[transaction.customerID] {
                index = known
            } else {
                index = ids.count
                indexByCustomer[transaction.customerID] = index
                ids.append(transaction.customerID)
                days.append([])
                amounts.append(0)
                hasAmount.append(false)
            }
            days[index].append(transaction.day.daysSinceEpoch)
            amounts[index] += transaction.amount
            hasAmount[index] = hasAmount[index] || transaction.amount != 0
        }
        // Numeric ids parsed once, not at every comparison.
        let numeric = ids.map { Int($0) }
        let order = ids.indices.sorted { l, r in
            switch (numeric[l], numeric[r]) {
            case let (a?, b?): return a != b ? a < b : ids[l] < ids[r]
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return ids[l] < ids[r]
            }
        }
        return order.map { index in
            var purchaseDays = days[index]
            purchaseDays.sort()
            var distinct = 1
            for k in purchaseDays.indices.dropFirst() where purchaseDays[k] != purchaseDays[k - 1] { distinct += 1 }
            let first = PurchaseDay(daysSinceEpoch: purchaseDays[0])
            let last = PurchaseDay(daysSinceEpoch: purchaseDays[purchaseDays.count - 1])
            let x = distinct - 1
            let history = PurchaseHistory(
                x: x,
                tx: x == 0 ? 0 : Double(last - first) / daysPerUnit,
                T: Double(observationEnd - first) / daysPerUnit)
            return CustomerSummary(
                customerID: ids[index], history: history, firstPurchase: first, lastPurchase: last,
                observationEnd: observationEnd,
                typicalOrderValue: hasAmount[index] ? amounts[index] / Double(distinct) : nil)
        }
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
