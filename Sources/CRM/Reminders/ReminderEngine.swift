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
