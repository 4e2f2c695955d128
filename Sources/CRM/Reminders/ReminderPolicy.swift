/// The `[reminders]` thresholds (DESIGN §6), with defaults for B2B sales, where customers reorder
/// on a rhythm of weeks to months and a call from the rep is cheap compared to a lost order.
public struct ReminderPolicy: Sendable, Hashable {
    /// Due when an alive customer would already have bought again with at least this probability.
    public var dueLateness = 0.8
    /// …and the customer is still this likely to be active.
    public var dueMinimumPAlive = 0.5
    /// Win-back when P(alive) has fallen below this…
    public var winBackBelowPAlive = 0.5
    /// …but not so far that the customer is surely gone.
    public var winBackMinimumPAlive = 0.01
    /// …and the customer was worth it: total spend (typical order value × purchase days) at least
    /// this; 0 disables the floor (also the only option when amounts are unknown).
    public var winBackMinimumValue = 0.0
    /// …and had a rhythm at all (repeat purchase days).
    public var winBackMinimumRepeatPurchases = 2
    /// One-time buyers get a first-repeat nudge this many days after their purchase.
    public var firstRepeatAfterDays = 45
    /// Expected purchases (and the score) are computed over this horizon.
    public var horizonDays = 90
    /// At most this many reminders per owner per digest, best first.
    public var maxPerOwner = 25
    /// The model's time unit in days (7: the model was fitted in weeks).
    public var daysPerUnit = 7.0

    public init() {}

    /// Checks the values an admin may have mistyped; the message names the setting.
    public func validate() throws(ReminderPolicyError) {
        func probability(_ value: Double, _ name: String) throws(ReminderPolicyError) {
            guard value >= 0 && value <= 1 else { throw ReminderPolicyError(setting: name, problem: "\(value) is not a probability between 0 and 1") }
        }
        try probability(dueLateness, "due-lateness")
        guard dueLateness < 1 else { throw ReminderPolicyError(setting: "due-lateness", problem: "must be below 1") }
        try probability(dueMinimumPAlive, "due-min-p-alive")
        try probability(winBackBelowPAlive, "winback-below-p-alive")
        try probability(winBackMinimumPAlive, "winback-min-p-alive")
        guard winBackMinimumValue >= 0, winBackMinimumValue.isFinite else {
            throw ReminderPolicyError(setting: "winback-min-value", problem: "must be zero or positive")
        }
        guard winBackMinimumRepeatPurchases >= 1 else {
            throw ReminderPolicyError(setting: "winback-min-repeat-purchases", problem: "must be at least 1")
        }
        guard firstRepeatAfterDays >= 1 else { throw ReminderPolicyError(setting: "first-repeat-after", problem: "must be at least 1 day") }
        guard horizonDays >= 1 else { throw ReminderPolicyError(setting: "horizon", problem: "must be at least 1 day") }
        guard maxPerOwner >= 1 else { throw ReminderPolicyError(setting: "max-per-owner", problem: "must be at least 1") }
        guard daysPerUnit > 0, daysPerUnit.isFinite else { throw ReminderPolicyError(setting: "time-unit", problem: "must be positive") }
    }
}

public struct ReminderPolicyError: Error, Hashable, CustomStringConvertible {
    public var setting: String
    public var problem: String
    public var description: String { "[reminders] \(setting): \(problem)" }
}
