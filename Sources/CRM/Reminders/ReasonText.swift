/// Plain-language fragments for reminder reasons ("~5 weeks", "9 weeks ago", "2 emails since, none from us").
public enum ReasonText {
    /// A typical interval, rounded to a unit a person would use.
    public static func interval(days: Double) -> String {
        "~" + span(days: max(1, days.rounded()))
    }

    public static func ago(days: Int) -> String {
        switch days {
        case ..<1: return "today"
        case 1: return "yesterday"
        default: return span(days: Double(days)) + " ago"
        }
    }

    public static func emails(fromCustomer: Int, fromUs: Int) -> String {
        let total = fromCustomer + fromUs
        guard total > 0 else { return "no emails since" }
        let ours = fromUs == 0 ? "none from us" : fromUs == total ? (total == 1 ? "from us" : "all from us") : "\(fromUs) from us"
        return "\(total) email\(total == 1 ? "" : "s") since, \(ours)"
    }

    /// P(alive) for a reader: the model ranks well but is not calibrated, so coarse words fit
    /// better than a percentage.
    public static func likelihood(pAlive: Double) -> String {
        switch pAlive {
        case 0.9...: return "very likely still a customer"
        case 0.7..<0.9: return "likely still a customer"
        case 0.4..<0.7: return "may still be a customer"
        case 0.1..<0.4: return "probably lapsed"
        default: return "very likely lapsed"
        }
    }

    private static func span(days: Double) -> String {
        func unit(_ count: Int, _ name: String) -> String { "\(count) \(name)\(count == 1 ? "" : "s")" }
        if days < 14 { return unit(Int(days.rounded()), "day") }
        if days < 7 * 13 { return unit(Int((days / 7).rounded()), "week") }
        if days < 730 { return unit(Int((days / 30.44).rounded()), "month") }
        return unit(Int((days / 365.25).rounded()), "year")
    }
}
