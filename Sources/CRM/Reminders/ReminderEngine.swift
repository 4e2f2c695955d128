import Foundation

/// Applies the reminder policy to every customer with a fitted model (DESIGN §6). Pure: the caller
/// loads candidates and open reminders, and writes the result.
public enum ReminderEngine {
    public static func evaluate(_ candidates: [ReminderCandidate], model: BGNBDModel,
                                policy: ReminderPolicy) -> ReminderEvaluation {
        var proposed: [Reminder] = []
        var suppressed: [SuppressedReminder] = []
        for candidate in candidates {
            guard let (reminder, lateSince) = proposal(for: candidate, model: model, policy: policy) else { continue }
            if let contacted = candidate.lastOutboundContact, contacted >= lateSince {
                suppressed.append(SuppressedReminder(reminder: reminder, reason: .contactedSinceLate))
            } else if candidate.openReminderKinds.contains(reminder.kind) {
                suppressed.append(SuppressedReminder(reminder: reminder, reason: .openReminder))
            } else {
                proposed.append(reminder)
            }
        }
        proposed.sort { l, r in
            l.score != r.score ? l.score > r.score : CustomerSummary.customerIDOrder(l.customerID, r.customerID)
        }
        var perOwner: [String: Int] = [:]
        var kept: [Reminder] = []
        for reminder in proposed {
            let key = reminder.owner ?? ""
            if perOwner[key, default: 0] < policy.maxPerOwner {
                perOwner[key, default: 0] += 1
                kept.append(reminder)
            } else {
                suppressed.append(SuppressedReminder(reminder: reminder, reason: .ownerLimit))
            }
        }
        return ReminderEvaluation(reminders: kept, suppressed: suppressed)
    }

    /// The reminder a customer qualifies for, with the day from which an outbound email counts as
    /// "the rep already reached out"; nil when none.
    static func proposal(for candidate: ReminderCandidate, model: BGNBDModel,
                         policy: ReminderPolicy) -> (Reminder, lateSince: PurchaseDay)? {
        let summary = candidate.summary
        let history = summary.history
        let today = summary.observationEnd
        let daysSinceLast = today - summary.lastPurchase
        let horizon = Double(policy.horizonDays) / policy.daysPerUnit
        let expected = model.expectedPurchases(in: horizon, given: history)
        let value = candidate.typicalOrderValue ?? summary.typicalOrderValue
        let emails = ReasonText.emails(fromCustomer: candidate.emailsFromCustomerSinceLastPurchase,
                                       fromUs: candidate.emailsFromUsSinceLastPurchase)
        func reminder(_ kind: ReminderKind, reason: String, due: PurchaseDay, pAlive: Double,
                      interval: Double?, lateness: Double?) -> Reminder {
            Reminder(customerID: summary.customerID, owner: candidate.owner, kind: kind, reason: reason, dueDay: due,
                     pAlive: pAlive, expectedPurchases: expected, score: expected * (value ?? 1),
                     lastPurchase: summary.lastPurchase, typicalIntervalDays: interval, lateness: lateness)
        }

        guard history.x > 0 else {
            guard daysSinceLast >= policy.firstRepeatAfterDays else { return nil }
            let due = summary.lastPurchase.adding(days: policy.firstRepeatAfterDays)
            let reason = "bought once, \(ReasonText.ago(days: daysSinceLast)); \(emails)"
            return (reminder(.firstRepeat, reason: reason, due: due, pAlive: model.probabilityAlive(history),
                             interval: nil, lateness: nil), due)
        }

        let pAlive = model.probabilityAlive(history)
        let lateness = model.lateness(history)
        let interval = history.tx * policy.daysPerUnit / Double(history.x)
        // The day the lateness crossed the due threshold: from then on the purchase is "late".
        let lateAfter = model.timeSinceLastPurchase(atLateness: policy.dueLateness, given: history) * policy.daysPerUnit
        let lateSince = min(today, summary.lastPurchase.adding(days: Int(lateAfter.rounded(.up))))
        let rhythm = ReasonText.interval(days: interval)
        let last = ReasonText.ago(days: daysSinceLast)

        if lateness >= policy.dueLateness && pAlive >= policy.dueMinimumPAlive {
            let reason = "usually orders every \(rhythm); last order \(last); \(emails)"
            return (reminder(.due, reason: reason, due: lateSince, pAlive: pAlive, interval: interval, lateness: lateness), lateSince)
        }
        let spend = value.map { $0 * Double(history.x + 1) }
        let valuable = policy.winBackMinimumValue == 0 || (spend ?? 0) >= policy.winBackMinimumValue
        if pAlive < policy.winBackBelowPAlive && pAlive >= policy.winBackMinimumPAlive && valuable
            && history.x >= policy.winBackMinimumRepeatPurchases {
            let reason = "used to order every \(rhythm); last order \(last); likely lapsed; \(emails)"
            return (reminder(.winBack, reason: reason, due: lateSince, pAlive: pAlive, interval: interval, lateness: lateness), lateSince)
        }
        return nil
    }
}

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
