/// Ranking quality of a per-customer score for "bought again in the holdout period".
public enum HoldoutEvaluation {
    /// Area under the ROC curve (Mann-Whitney U with average ranks for ties): the probability that a
    /// random positive scores above a random negative. nil when either class is empty.
    public static func rankingAUC(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let averageRank = Double(start + end) / 2 + 1
            for k in start...end where labels[order[k]] { positiveRankSum += averageRank }
            start = end + 1
        }
        let u = positiveRankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// For each summary, whether the customer has a purchase day in (observationEnd, observationEnd + holdoutDays].
    public static func boughtInHoldout(_ summaries: [CustomerSummary], transactions: [Transaction],
                                       holdoutDays: Int) -> [Bool] {
        var observationEnd: [String: PurchaseDay] = [:]
        for summary in summaries { observationEnd[summary.customerID] = summary.observationEnd }
        var inHoldout = Set<String>()
        for transaction in transactions {
            guard let end = observationEnd[transaction.customerID] else { continue }
            if transaction.day > end && transaction.day - end <= holdoutDays { inHoldout.insert(transaction.customerID) }
        }
        return summaries.map { inHoldout.contains($0.customerID) }
    }

    /// The naive rule other CRMs use: a customer is due at "last purchase + mean interval". As a score,
    /// how overdue the customer is in units of their own mean interval, (T − t_x)/(t_x/x); one-time
    /// buyers have no interval, so the rule never flags them (score −∞).
    public static func naiveOverdueScore(_ history: PurchaseHistory) -> Double {
        guard history.x > 0, history.tx > 0 else { return -.infinity }
        return (history.T - history.tx) / (history.tx / Double(history.x))
    }
}
