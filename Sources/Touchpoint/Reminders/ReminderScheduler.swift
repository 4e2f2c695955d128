import CRM
import Foundation
import Postgres

/// Runs `ReminderRun` daily at `[reminders] schedule` in `[company] timezone` (DST rules of
/// `ReminderSchedule`), and between runs retries pending outbox rows every few minutes.
///
/// One dedicated thread (libpq and libcurl block). Each action opens its own database connection
/// and closes it afterwards, so a database restart between runs costs nothing. Several daemons may
/// run a scheduler: the leader lock inside `ReminderRun` lets one of them act.
public final class ReminderScheduler: @unchecked Sendable {
    // Safe: `state` is guarded by `condition`; `config`, `logger`, `schedule` and `retryInterval`
    // are immutable after init; `thread` is only touched by the owner's start/join calls.

    public static let defaultRetryInterval: TimeInterval = 5 * 60

    private let config: Config
    private let logger: Logger
    private let retryInterval: TimeInterval
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private var thread: Thread?

    public init(config: Config, logger: Logger, retryInterval: TimeInterval = ReminderScheduler.defaultRetryInterval) {
        self.config = config
        self.logger = logger.with(("component", "reminders"))
        self.retryInterval = max(1, retryInterval)
    }

    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        let thread = Thread { [self] in loop() }
        thread.name = "touchpoint-reminders"
        self.thread = thread
        thread.start()
    }

    /// Asks the thread to stop; a run in progress finishes first.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the thread has ended; false when `timeout` passed first.
    @discardableResult
    public func join(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !finished && thread != nil {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }

    private func loop() {
        defer {
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        guard config.reminders.enabled else {
            logger.info("reminder.scheduler_disabled")
            return
        }
        let schedule: ReminderSchedule
        let settings: ReminderSettings
        do {
            let pad = config.reminders.scheduleMinute < 10 ? "0" : ""
            schedule = try ReminderSchedule(time: "\(config.reminders.scheduleHour):\(pad)\(config.reminders.scheduleMinute)",
                                            timeZone: config.timeZone)
            settings = try ReminderSettings(config: config)
        } catch {
            logger.error("reminder.scheduler_failed", ("error", .string("\(error)")))
            return
        }
        var nextRun = schedule.nextRun(after: Date())
        logger.info("reminder.scheduled", ("next_run", .string(nextRun.ISO8601Format())))
        while true {
            let wake = min(nextRun, Date().addingTimeInterval(retryInterval))
            if waitForStop(until: wake) { return }
            let dailyRun = Date() >= nextRun
            perform(settings, options: ReminderRun.Options(sendOnly: !dailyRun))
            if dailyRun {
                nextRun = schedule.nextRun(after: Date())
                logger.info("reminder.scheduled", ("next_run", .string(nextRun.ISO8601Format())))
            }
        }
    }

    /// true when stop() was called.
    private func waitForStop(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !stopping {
            if !condition.wait(until: deadline) { return stopping }
        }
        return true
    }

    private func perform(_ settings: ReminderSettings, options: ReminderRun.Options) {
        do {
            let connection = try PostgresConnection(config.databaseURL)
            _ = try ReminderRun(connection: connection, settings: settings, logger: logger).run(options)
        } catch {
            // The next pass (minutes away) tries again; the daily run's reminders are created by
            // the next daily run or `touchpoint reminders run`.
            logger.error("reminder.run_failed", ("error", .string("\(error)")), ("send_only", .string(options.sendOnly ? "yes" : "no")))
        }
    }
}
