import Foundation
import Postgres

/// `touchpoint serve`: migrates the database, starts one worker per enabled mailbox, talks to
/// systemd, and handles SIGTERM (finish the batch, log out, exit 0) and SIGHUP (reload the
/// configuration: mailboxes added, removed or changed without a restart).
public final class Service: @unchecked Sendable {
    // Safe: `workers`, `config` and `stopping` are only touched while holding `lock`.
    private let lock = NSLock()
    private var config: Config
    private var workers: [String: MailboxWorker] = [:]
    private var stopping = false
    private let configPath: String
    private let logger: Logger
    private let once: Bool
    private let notifier: SystemdNotifier
    private let mainLoopWake = Wakeup()
    private var contexts: MatchingContextCache
    /// Daily reminder runs (leader-elected in the database); not started by `--once`.
    private var reminders: ReminderScheduler?
    /// `[ingest] max-connections`: mailboxes syncing at once.
    private let slots: SyncSlots
    private var reloadRequested = false

    /// How long shutdown waits for workers to finish their batch (systemd's TimeoutStopSec is 60 s).
    static let shutdownGrace: Duration = .seconds(45)

    public init(config: Config, logger: Logger, once: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.configPath = config.path
        self.logger = logger
        self.once = once
        self.notifier = SystemdNotifier(environment: environment)
        self.contexts = MatchingContextCache(config: config, logger: logger)
        self.slots = SyncSlots(capacity: config.ingest.maxConnections)
    }

    /// Runs until stopped (or, with `once`, until every mailbox finished one cycle).
    public func run() -> ExitCode {
        ProcessMemory.limitMallocArenas()
        logger.info("service.starting", ("version", .string(TouchpointCommandLine.version)), ("mailboxes", .of(config.mailboxes.count)),
                    ("once", .bool(once)))
        // Installed before the (possibly slow) migration, so a SIGTERM that arrives meanwhile ends
        // the process with exit 0 instead of the default action killing it mid-transaction.
        let signals = SignalWatcher(terminate: { [weak self] signal in self?.requestStop(signal: signal) },
                                    reload: { [weak self] in self?.requestReload() })
        defer { withExtendedLifetime(signals) {} }
        do {
            let database = try PostgresConnection(config.databaseURL)
            let report = try Migrator.migrate(database)
            if !report.applied.isEmpty {
                logger.notice("db.migrated", ("from", .of(report.fromVersion)), ("to", .of(report.toVersion)))
            }
        } catch let error as MigrationError {
            logger.error("db.incompatible", ("error", .string(error.description)))
            return .configuration
        } catch {
            logger.error("db.unavailable", ("error", .string("\(error)")), ("database", .string(DatabaseURL.redacted(config.databaseURL))))
            return .unavailable
        }
        lock.lock()
        if stopping {
            lock.unlock()
            if !once { notifier.stopping() }
            logger.notice("service.stopped", ("clean", .bool(true)))
            return .success
        }
        for mailbox in config.mailboxes where mailbox.enabled { startWorker(mailbox) }
        if !once { startReminders(config) }
        lock.unlock()
        notifier.ready(status: statusLine())
        logger.info("service.ready", ("mailboxes", .of(config.mailboxes.filter(\.enabled).count)))

        return once ? waitForOneCycle() : mainLoop()
    }

    /// Called with `lock` held.
    private func startReminders(_ config: Config) {
        guard config.reminders.enabled, config.smtp != nil else { return }
        let scheduler = ReminderScheduler(config: config, logger: logger)
        scheduler.start()
        reminders = scheduler
    }

    private func stopReminders() {
        lock.lock()
        let scheduler = reminders
        reminders = nil
        lock.unlock()
        guard let scheduler else { return }
        scheduler.stop()
        if !scheduler.join(timeout: 30) { logger.warning("reminder.stop-timeout") }
    }

    private func startWorker(_ mailbox: MailboxConfig) {
        let worker = MailboxWorker(config: mailbox, service: config, contexts: contexts, logger: logger, once: once, slots: slots)
        workers[mailbox.name] = worker
        worker.start()
    }

    func requestStop(signal: Int32) {
        lock.lock()
        let already = stopping
        stopping = true
        let current = Array(workers.values)
        lock.unlock()
        if already { return }
        logger.notice("service.stopping", ("signal", .string(signal == SIGTERM ? "TERM" : signal == SIGINT ? "INT" : "\(signal)")))
        // The main loop sends STOPPING=1 itself, so no WATCHDOG=1 of its can follow it.
        if once { notifier.stopping() }
        for worker in current { worker.stop.stop() }
        mainLoopWake.notify()
    }

    func requestReload() {
        lock.lock()
        reloadRequested = true
        lock.unlock()
        mainLoopWake.notify()
    }

    private func mainLoop() -> ExitCode {
        let watchdogInterval = notifier.watchdogInterval ?? .seconds(10)
        let tick = min(watchdogInterval, .seconds(10))
        var lastStatus = Date.distantPast
        while true {
            mainLoopWake.wait(for: tick)
            lock.lock()
            let isStopping = stopping
            let reload = reloadRequested
            reloadRequested = false
            lock.unlock()
            if isStopping {
                notifier.stopping()
                break
            }
            if reload { reloadConfiguration() }
            // The watchdog is fed only while the loop itself runs: a wedged main loop lets
            // systemd restart the service.
            if notifier.watchdogInterval != nil { notifier.watchdog() }
            if Date().timeIntervalSince(lastStatus) >= 10 {
                notifier.status(statusLine())
                lastStatus = Date()
            }
        }
        return shutdown()
    }

    private func shutdown() -> ExitCode {
        lock.lock()
        let current = Array(workers.values)
        lock.unlock()
        // Workers a reload started after the stop request have not been told yet.
        for worker in current { worker.stop.stop() }
        stopReminders()
        let deadline = ContinuousClock.now.advanced(by: Self.shutdownGrace)
        var clean = true
        for worker in current {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if !worker.join(timeout: max(remaining, .milliseconds(1))) {
                clean = false
                logger.warning("mailbox.stop-timeout", ("mailbox", .string(worker.config.name)))
            }
        }
        logger.notice("service.stopped", ("clean", .bool(clean)))
        return .success
    }

    private func waitForOneCycle() -> ExitCode {
        lock.lock()
        let current = Array(workers.values)
        lock.unlock()
        for worker in current { _ = worker.join(timeout: .seconds(86_400)) }
        var failed: [String] = []
        for worker in current.sorted(by: { $0.config.name < $1.config.name }) {
            let health = worker.health
            if let error = health.lastError {
                failed.append(worker.config.name)
                logger.error("mailbox.summary", ("mailbox", .string(health.name)), ("result", "failed"), ("error", .string(error)))
            } else {
                logger.info("mailbox.summary", ("mailbox", .string(health.name)), ("result", health.lockedElsewhere ? "held-by-other-instance" : "ok"),
                            ("new", .of(health.messagesLogged)), ("interactions", .of(health.interactions)))
            }
        }
        logger.notice("service.cycle-done", ("mailboxes", .of(current.count)), ("failed", .of(failed.count)))
        return failed.isEmpty ? .success : .temporaryFailure
    }

    private func reloadConfiguration() {
        notifier.reloading()
        let fresh: Config
        do {
            fresh = try Config.load(path: configPath)
        } catch {
            logger.error("config.reload-rejected", ("error", .string("\(error)")), ("action", "keeping the running configuration"))
            notifier.status(statusLine())
            notifier.ready()
            return
        }
        lock.lock()
        let old = config
        config = fresh
        if fresh.matching != old.matching || fresh.companyDomains != old.companyDomains {
            contexts = MatchingContextCache(config: fresh, logger: logger)
        }
        let wanted = Dictionary(uniqueKeysWithValues: fresh.mailboxes.filter(\.enabled).map { ($0.name, $0) })
        var stopped: [MailboxWorker] = []
        for (name, worker) in workers where wanted[name] != worker.config || fresh.ingest != old.ingest || fresh.databaseURL != old.databaseURL {
            worker.stop.stop()
            stopped.append(worker)
            workers[name] = nil
        }
        lock.unlock()
        // One deadline for all: waiting 45 s per worker in turn could outlast WatchdogSec while
        // this loop (the watchdog's feeder) is busy here.
        let deadline = ContinuousClock.now.advanced(by: Self.shutdownGrace)
        for worker in stopped where !worker.join(timeout: max(ContinuousClock.now.duration(to: deadline), .milliseconds(1))) {
            logger.warning("mailbox.stop-timeout", ("mailbox", .string(worker.config.name)))
        }
        if fresh.reminders != old.reminders || fresh.smtp != old.smtp || fresh.databaseURL != old.databaseURL
            || fresh.timeZone != old.timeZone {
            stopReminders()
            lock.lock()
            if !stopping { startReminders(fresh) }
            lock.unlock()
        }
        lock.lock()
        var added: [String] = []
        for (name, mailbox) in wanted.sorted(by: { $0.key < $1.key }) where workers[name] == nil && !stopping {
            startWorker(mailbox)
            added.append(name)
        }
        lock.unlock()
        logger.notice("config.reloaded", ("restarted_or_removed", .string(stopped.map(\.config.name).sorted().joined(separator: ","))),
                      ("started", .string(added.joined(separator: ","))))
        notifier.ready(status: statusLine())
    }

    func statusLine() -> String {
        lock.lock()
        let healths = workers.values.map(\.health)
        lock.unlock()
        let failing = healths.filter { $0.lastError != nil }.count
        let logged = healths.reduce(0) { $0 + $1.messagesLogged }
        let interactions = healths.reduce(0) { $0 + $1.interactions }
        return "\(healths.count) mailboxes, \(failing) failing; \(logged) messages and \(interactions) interactions logged since start"
    }
}
