import CRM
import Foundation
import MIME

/// What a reminder run needs from the configuration, mapped onto the pure policy.
public struct ReminderSettings: Sendable {
    public var policy: ReminderPolicy
    public var timeZone: TimeZone
    /// Receives the reminders of contacts with no contact or account owner.
    public var defaultOwner: String?
    /// The digest's From (`[smtp] from`).
    public var sender: Mailbox
    /// nil: digests are written to the outbox but not sent (benchmarks, tests of the creation step).
    public var smtp: SMTPConfig?

    public init(policy: ReminderPolicy, timeZone: TimeZone, defaultOwner: String?, sender: Mailbox, smtp: SMTPConfig?) {
        self.policy = policy
        self.timeZone = timeZone
        self.defaultOwner = defaultOwner?.lowercased()
        self.sender = sender
        self.smtp = smtp
    }

    public init(config: Config) throws(ReminderSettingsError) {
        guard let zone = TimeZone(identifier: config.timeZone) else {
            throw ReminderSettingsError(description: "[company] timezone: \"\(config.timeZone)\" is not a known IANA time zone")
        }
        let policy = Self.policy(config.reminders)
        do { try policy.validate() } catch { throw ReminderSettingsError(description: error.description) }
        let from = config.smtp.map { Self.mailbox($0.from) } ?? Mailbox(address: config.reminders.defaultOwner ?? "touchpoint@localhost")
        self.init(policy: policy, timeZone: zone, defaultOwner: config.reminders.defaultOwner, sender: from, smtp: config.smtp)
    }

    /// `[reminders]` onto the policy: late-threshold is the lateness at which a purchase is late;
    /// alive-threshold splits "due" (at or above) from "win-back" (below).
    public static func policy(_ reminders: RemindersConfig) -> ReminderPolicy {
        var policy = ReminderPolicy()
        policy.dueLateness = reminders.lateThreshold
        policy.dueMinimumPAlive = reminders.aliveThreshold
        policy.winBackBelowPAlive = reminders.aliveThreshold
        policy.firstRepeatAfterDays = max(1, Int(reminders.firstRepeatAfter.components.seconds / 86_400))
        policy.horizonDays = max(1, Int(reminders.horizon.components.seconds / 86_400))
        policy.maxPerOwner = reminders.maxPerDigest
        return policy
    }

    /// `Name <addr>` or a bare address (the config checked it is plausible).
    static func mailbox(_ text: String) -> Mailbox {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else { return Mailbox(address: trimmed) }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        return Mailbox(name: name.isEmpty ? nil : name, address: address)
    }
}

public struct ReminderSettingsError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
