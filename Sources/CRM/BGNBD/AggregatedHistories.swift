/// Histories grouped for fast likelihood evaluation.
///
/// Identical (x, t_x, T) triples become one weighted row, and every transcendental function that
/// depends only on x, only on t_x or only on T is evaluated once per distinct value: for CDNOW that
/// is ~30 distinct x, ~90 distinct T and ~270 distinct t_x for 2,357 customers, leaving one
/// `exp` + `log1p` per distinct triple.
struct AggregatedHistories: Sendable {
    /// Distinct values.
    let xValues: [Double]
    let txValues: [Double]
    let TValues: [Double]
    /// Customers per distinct x.
    let xCounts: [Double]
    /// Rows with x > 0: indices into the distinct-value arrays and the row weight.
    let repeatX: [Int32]
    let repeatTx: [Int32]
    let repeatT: [Int32]
    let repeatWeight: [Double]
    /// Customers with x = 0, by distinct T.
    let oneTimeWeightByT: [Double]
    let customerCount: Int
    let distinctTriples: Int

    init(_ histories: [PurchaseHistory]) {
        self.init(weighted: histories.map { ($0, 1) })
    }

    /// Histories with how many customers share each (weights must be positive).
    init(weighted: [(history: PurchaseHistory, count: Double)]) {
        let histories = weighted.map(\.history)
        // Distinct values in ascending order, so that neither the input order nor hashing changes the
        // order of the floating-point sums (and so the fit).
        let xValues = Set(histories.map(\.x)).sorted()
        let txValues = Set(histories.lazy.filter { $0.x > 0 }.map(\.tx)).sorted()
        let TValues = Set(histories.map(\.T)).sorted()
        let xIndex = Dictionary(uniqueKeysWithValues: xValues.enumerated().map { ($1, $0) })
        let txIndex = Dictionary(uniqueKeysWithValues: txValues.enumerated().map { ($1, $0) })
        let TIndex = Dictionary(uniqueKeysWithValues: TValues.enumerated().map { ($1, $0) })
        struct Key: Hashable { let x: Int32, tx: Int32, T: Int32 }
        var xCounts = Array(repeating: 0.0, count: xValues.count)
        var rows: [Key: Double] = [:]
        var oneTime = Array(repeating: 0.0, count: TValues.count)
        // The indices exist: the tables were built from these same histories.
        for (h, count) in weighted {
            let xi = xIndex[h.x]!, Ti = TIndex[h.T]!
            xCounts[xi] += count
            if h.x == 0 {
                oneTime[Ti] += count
            } else {
                rows[Key(x: Int32(xi), tx: Int32(txIndex[h.tx]!), T: Int32(Ti)), default: 0] += count
            }
        }
        let ordered = rows.sorted { l, r in
            (l.key.x, l.key.tx, l.key.T) < (r.key.x, r.key.tx, r.key.T)
        }
        self.xValues = xValues.map(Double.init)
        self.txValues = txValues
        self.TValues = TValues
        self.xCounts = xCounts
        repeatX = ordered.map { $0.key.x }
        repeatTx = ordered.map { $0.key.tx }
        repeatT = ordered.map { $0.key.T }
        repeatWeight = ordered.map { $0.value }
        oneTimeWeightByT = oneTime
        customerCount = Int(weighted.reduce(0) { $0 + $1.count }.rounded())
        distinctTriples = ordered.count + oneTime.filter { $0 > 0 }.count
    }
}
