public enum ReminderKind: String, Sendable, Hashable, CaseIterable {
    /// Late by the customer's own rhythm and still likely active.
    case due
    /// Likely lapsed, but worth a try.
    case winBack = "win-back"
    /// Bought once; nudge toward the second order.
    case firstRepeat = "first-repeat"
}

/// What the policy knows about one customer on the run day.
public struct ReminderCandidate: Sendable, Hashable {
    /// Purchases up to the run day (its `observationEnd` is the run day).
    public var summary: CustomerSummary
    /// The most recent outbound interaction (email from us) to this customer, if any.
    public var lastOutboundContact: PurchaseDay?
    /// Emails since the last purchase, by direction.
    public var emailsFromCustomerSinceLastPurchase: Int
    public var emailsFromUsSinceLastPurchase: Int
    /// Kinds of reminders still open (neither acknowledged nor dismissed) for this customer.
    public var openReminderKinds: Set<ReminderKind>
    /// Overrides the summary's typical order value when known from elsewhere.
    public var typicalOrderValue: Double?
    public var owner: String?

    public init(summary: CustomerSummary, lastOutboundContact: PurchaseDay? = nil, emailsFromCustomerSinceLastPurchase: Int = 0,
                emailsFromUsSinceLastPurchase: Int = 0, openReminderKinds: Set<ReminderKind> = [],
                typicalOrderValue: Double? = nil, owner: String? = nil) {
        self.summary = summary
        self.lastOutboundContact = lastOutboundContact
        self.emailsFromCustomerSinceLastPurchase = emailsFromCustomerSinceLastPurchase
        self.emailsFromUsSinceLastPurchase = emailsFromUsSinceLastPurchase
        self.openReminderKinds = openReminderKinds
        self.typicalOrderValue = typicalOrderValue
        self.owner = owner
    }
}

public struct Reminder: Sendable, Hashable {
    public var customerID: String
    public var owner: String?
    public var kind: ReminderKind
    /// In plain words, for the rep.
    public var reason: String
    /// The day the reminder became due (for `due`: the day the next purchase became late).
    public var dueDay: PurchaseDay
    public var pAlive: Double
    /// Expected purchase days over the policy horizon.
    public var expectedPurchases: Double
    /// expectedPurchases × typical order value (× 1 when the value is unknown): the ranking key.
    public var score: Double
    public var lastPurchase: PurchaseDay
    /// Mean days between purchase days; nil for one-time buyers.
    public var typicalIntervalDays: Double?
    /// The lateness q; nil for one-time buyers.
    public var lateness: Double?
}

public enum SuppressionReason: String, Sendable, Hashable {
    /// A rep already wrote to the customer after the purchase became late.
    case contactedSinceLate = "contacted-since-late"
    /// A reminder of this kind is still open.
    case openReminder = "open-reminder"
    /// Beyond the per-owner limit for this digest.
    case ownerLimit = "owner-limit"
}

public struct SuppressedReminder: Sendable, Hashable {
    public var reminder: Reminder
    public var reason: SuppressionReason
}

public struct ReminderEvaluation: Sendable, Hashable {
    /// Best first; at most `maxPerOwner` per owner.
    public var reminders: [Reminder]
    public var suppressed: [SuppressedReminder]
}
