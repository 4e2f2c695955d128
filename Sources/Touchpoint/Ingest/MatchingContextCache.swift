import Foundation
import Postgres

/// Shares one `MatchingContext` between mailbox workers and reloads it only when the contact
/// tables changed: a one-row version counter bumped by triggers (migration 2) is checked per
/// cycle instead of re-reading contacts per message.
final class MatchingContextCache: @unchecked Sendable {
    // Safe: `current` and `version` are only touched while holding `lock`.
    private let lock = NSLock()
    private var current: MatchingContext?
    private var version: Int64 = -1
    private let config: Config
    private let logger: Logger

    init(config: Config, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    func context(_ database: PostgresConnection) throws -> MatchingContext {
        let latest = try database.query("SELECT version FROM crm_catalog_version").scalar(Int64.self)
        lock.lock()
        if let current, latest == version {
            lock.unlock()
            return current
        }
        lock.unlock()
        if config.matching.unmatched == .record {
            // Contacts changed: messages that mentioned their addresses before they existed
            // become interactions now (DESIGN: recorded parties are linked on the next cycle).
            let linked = try Store.linkRecordedMentions(database)
            if linked > 0 { logger.info("contacts.linked", ("interactions", .of(linked))) }
        }
        let records = try Store.loadContactSnapshot(database)
        let context = MatchingContext(records: records, config: config)
        lock.lock()
        if latest >= version {
            current = context
            version = latest
        }
        lock.unlock()
        logger.info("contacts.loaded", ("contacts", .of(records.contacts.count)), ("accounts", .of(records.accounts.count)),
                    ("version", .int(latest)))
        for conflict in context.snapshot.conflicts.prefix(20) {
            logger.warning("contacts.conflict", ("detail", .string("\(conflict)")))
        }
        return context
    }
}
