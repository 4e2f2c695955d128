import Curl
import Foundation
import IMAP
import MIME
import Postgres

/// Per-mailbox state that `status`, STATUS= and `serve --once` read.
public struct MailboxHealth: Sendable {
    public var name: String
    public var lastSuccess: Date?
    public var lastError: String?
    public var consecutiveFailures = 0
    public var cycles = 0
    public var messagesLogged = 0
    public var interactions = 0
    public var lockedElsewhere = false
}

/// Works one configured mailbox on its own thread: connect, sync every folder, wait (poll
/// interval with jitter, or IMAP IDLE), repeat; back off exponentially on failure. Blocking
/// libcurl and libpq calls stay on this thread, never on Swift's cooperative pool (DESIGN §3).
final class MailboxWorker: @unchecked Sendable {
    // Safe: `health` is guarded by `lock`; everything else is immutable or confined to the
    // worker thread (`session`, `database`).
    let config: MailboxConfig
    private let service: Config
    private let contexts: MatchingContextCache
    private let logger: Logger
    let stop: StopSignal
    private let once: Bool
    private let slots: SyncSlots
    private let lock = NSLock()
    private var healthState: MailboxHealth
    private let finished = DispatchSemaphore(value: 0)
    private var session: IMAPSession?
    private var database: PostgresConnection?
    private var holdsLock = false
    /// The `sessionGeneration` of the database session that took the advisory lock: a reconnect
    /// (even one libpq did transparently before a query) means a new session without the lock.
    private var lockGeneration = -1

    init(config: MailboxConfig, service: Config, contexts: MatchingContextCache, logger: Logger, once: Bool,
         slots: SyncSlots = SyncSlots(capacity: .max)) {
        self.slots = slots
        self.config = config
        self.service = service
        self.contexts = contexts
        self.logger = logger.with(("mailbox", .string(config.name)))
        self.stop = StopSignal()
        self.once = once
        self.healthState = MailboxHealth(name: config.name)
    }

    var health: MailboxHealth {
        lock.lock(); defer { lock.unlock() }
        return healthState
    }

    private func updateHealth(_ change: (inout MailboxHealth) -> Void) {
        lock.lock(); change(&healthState); lock.unlock()
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "mailbox-\(config.name)"
        thread.start()
    }

    /// Waits for the worker thread to end (after `stop.stop()` or a `--once` cycle).
    func join(timeout: Duration) -> Bool {
        let (seconds, attoseconds) = timeout.components
        return finished.wait(timeout: .now() + .nanoseconds(Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000))) == .success
    }

    /// The advisory-lock key of this mailbox: the same for every instance sharing the database.
    static func lockKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "touchpoint.mailbox:\(name)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return Int64(bitPattern: hash)
    }

    private func run() {
        var backoff = Backoff(initial: service.ingest.backoffInitial, maximum: service.ingest.backoffMax)
        if config.tls == .none {
            logger.warning("mailbox.plaintext", ("detail", "tls = none: the password crosses the network in clear"))
        }
        while !stop.isStopped {
            let started = Date()
            guard slots.acquire(unless: stop) else { break }
            let outcome = Result { try cycle() }
            slots.release()
            do {
                let worked = try outcome.get()
                backoff.reset()
                updateHealth {
                    $0.consecutiveFailures = 0
                    $0.lastError = nil
                    $0.cycles += 1
                    $0.lockedElsewhere = !worked
                    if worked { $0.lastSuccess = Date() }
                }
                if once { break }
                waitForNextPoll(since: started)
            } catch {
                let description = "\(error)"
                let delay = backoff.nextDelay()
                updateHealth {
                    $0.consecutiveFailures += 1
                    $0.lastError = description
                    $0.cycles += 1
                }
                logger.error("mailbox.failed", ("error", .string(description)), ("retry_in", .string(DurationText.describe(delay))),
                             ("failures", .of(backoff.failures)))
                dropConnections()
                // `--once` still rides out a passing network or server hiccup (a few quick
                // retries), but not a wrong password or a certificate problem.
                if once && (backoff.failures >= Self.onceAttempts || !Self.isTransient(error)) { break }
                stop.wait(for: once ? min(delay, .seconds(5)) : delay)
            }
        }
        logout()
    }

    /// One pass over every folder. Returns false when another instance holds the mailbox.
    private func cycle() throws -> Bool {
        let database = try connectDatabase()
        if holdsLock {
            // Any statement notices a server that hung up while we were idle and reconnects.
            try database.query("SELECT 1")
            confirmLockStillHeld(database)
        }
        if !holdsLock {
            holdsLock = try database.tryAdvisoryLock(Self.lockKey(config.name))
            guard holdsLock else {
                logger.debug("mailbox.locked-elsewhere")
                return false
            }
            lockGeneration = database.sessionGeneration
            logger.info("mailbox.acquired", ("db_pid", .of(database.backendProcessID)))
        }
        let context = try contexts.context(database)
        let session = try connectIMAP()
        var reports: [FolderSyncReport] = []
        for folder in try resolveFolders(session) {
            if stop.isStopped { break }
            // Another instance may own the mailbox since our session was replaced: stop at once.
            guard confirmLockStillHeld(database) else { break }
            do {
                let report = try FolderSync(mailbox: config, folder: folder, session: session, database: database,
                                            context: context, reloadContext: { [contexts] in try contexts.context(database) },
                                            ingest: service.ingest, logger: logger, stop: stop,
                                            lockKey: Self.lockKey(config.name)).run()
                reports.append(report)
                if report.fetched > 0 || report.resynced {
                    logger.info("folder.synced", ("folder", .string(report.folder)), ("fetched", .of(report.fetched)),
                                ("new", .of(report.newMessages)), ("interactions", .of(report.interactions)),
                                ("skipped", .string(Self.describe(report.skippedByReason))), ("quarantined", .of(report.quarantined)))
                }
            } catch let error as IMAPError where Self.isMissingFolder(error) {
                // A folder that vanished on the server is not a deletion of CRM data (DESIGN §9).
                logger.warning("folder.missing", ("folder", .string(folder.displayName)), ("error", .string(error.description)))
                try? Store.recordFolderError(mailbox: config.name, folder: folder.displayName, uidValidity: 1,
                                             error: error.description, database)
            }
        }
        let fetched = reports.reduce(0) { $0 + $1.fetched }
        let logged = reports.reduce(0) { $0 + $1.newMessages }
        let interactions = reports.reduce(0) { $0 + $1.interactions }
        updateHealth {
            $0.messagesLogged += logged
            $0.interactions += interactions
        }
        logger.log(fetched > 0 ? .info : .debug, "mailbox.synced", [
            ("folders", .of(reports.count)), ("fetched", .of(fetched)), ("new", .of(logged)), ("interactions", .of(interactions)),
        ])
        if fetched > 0 { releaseMemoryAfterSync(session) }
        return true
    }

    /// After a pass that fetched mail the worker goes back to waiting: what the pass grew for
    /// speed (parser buffer, charset converters of parallel parses, free malloc pages) goes back.
    private func releaseMemoryAfterSync(_ session: IMAPSession) {
        session.releaseIdleMemory()
        MIMECaches.releaseIdleConverters()
        ProcessMemory.returnFreePages()
    }

    /// False (and the lock forgotten) when the session that took the lock is gone.
    @discardableResult
    private func confirmLockStillHeld(_ database: PostgresConnection) -> Bool {
        guard holdsLock else { return false }
        guard database.isConnected, database.sessionGeneration == lockGeneration else {
            holdsLock = false
            logger.warning("mailbox.lock-lost", ("detail", "the database session holding the mailbox lock ended; competing for it again"))
            return false
        }
        return true
    }

    private func connectDatabase() throws -> PostgresConnection {
        if let database {
            if database.isConnected { return database }
            // The session (and with it our advisory lock) is gone: another instance may have
            // taken the mailbox. Reconnect and compete for the lock again.
            confirmLockStillHeld(database)
            try database.reconnect()
            return database
        }
        let connection = try PostgresConnection(service.databaseURL) { [logger] notice in
            logger.debug("db.notice", ("severity", .string(notice.severity)), ("message", .string(notice.message)))
        }
        database = connection
        return connection
    }

    private func connectIMAP() throws -> IMAPSession {
        if let session, !session.isBroken { return session }
        session = nil
        let endpoint = try MailEndpoints.imap(config)
        let options = IMAPSessionOptions(textPartLimit: config.textFetchBytes)
        // At debug level libcurl's own trace (connect, TLS, login; redacted by the Curl module)
        // goes through the same logger as everything else.
        let trace: ((CurlDebugEvent) -> Void)? = logger.isEnabled(.debug) ? { [logger] event in
            guard event.kind == .info || event.kind == .sent || event.kind == .received else { return }
            logger.debug("curl.trace", ("direction", .string(event.kind == .info ? "info" : event.kind == .sent ? "out" : "in")),
                         ("text", .string(event.text)))
        } : nil
        let connected = try IMAPSession.connect(to: endpoint, options: options, trace: trace)
        logger.info("imap.connected", ("host", .string(config.host)), ("tls", .string(config.tls.rawValue)),
                    ("user", .string(config.user)))
        session = connected
        return connected
    }

    private func resolveFolders(_ session: IMAPSession) throws -> [MailboxName] {
        var folders: [MailboxName] = []
        for name in config.folders {
            if name == "\\Sent" {
                if let sent = try session.findSentFolder() {
                    folders.append(sent)
                } else {
                    logger.warning("folder.no-sent", ("detail", "the server names no \\Sent folder and none has a usual Sent name; list it in folders ="))
                }
            } else {
                folders.append(name.uppercased() == "INBOX" ? .inbox : MailboxName(name))
            }
        }
        var seen = Set<MailboxName>()
        return folders.filter { seen.insert($0).inserted }
    }

    private func waitForNextPoll(since started: Date) {
        let interval = jittered(config.pollInterval)
        guard config.idle, let session, session.capabilities.contains("IDLE") else {
            stop.wait(for: interval)
            return
        }
        // IDLE on INBOX in short slices, so a stop request is honoured within seconds.
        let deadline = started.addingTimeInterval(Double(interval.components.seconds))
        do {
            _ = try session.examine(.inbox)
            while !stop.isStopped, Date() < deadline {
                let slice = Duration.seconds(min(10, max(1, deadline.timeIntervalSinceNow)))
                if case .changed = try session.idle(timeout: slice) {
                    logger.debug("mailbox.new-mail")
                    return
                }
            }
        } catch {
            logger.info("imap.idle-ended", ("error", .string("\(error)")))
            dropConnections(keepDatabase: true)
            stop.wait(for: .seconds(max(0, Int64(deadline.timeIntervalSinceNow))))
        }
    }

    private func dropConnections(keepDatabase: Bool = false) {
        session = nil
        if !keepDatabase, let database, !database.isConnected {
            confirmLockStillHeld(database)
        }
    }

    private func logout() {
        if let session, !session.isBroken {
            try? session.logout()
            logger.info("imap.logged-out")
        }
        session = nil
        if holdsLock, let database, database.isConnected, database.sessionGeneration == lockGeneration {
            // Closing the session frees the lock anyway; unlocking first makes the hand-over
            // to another instance visible in the log and immediate.
            _ = try? database.advisoryUnlock(Self.lockKey(config.name))
            logger.info("mailbox.released")
        }
        holdsLock = false
        database = nil
    }

    /// Attempts `serve --once` makes for a mailbox whose failures are transient.
    static let onceAttempts = 3

    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case let error as IMAPError: error.isTransient
        case let error as PostgresError: error.isTransient
        case let error as CurlError: error.isTransient
        default: false
        }
    }

    static func isMissingFolder(_ error: IMAPError) -> Bool {
        guard error.command == "EXAMINE", case .commandFailed(.no, _, _) = error.kind else { return false }
        return true
    }

    static func describe(_ counts: [String: Int]) -> String {
        counts.isEmpty ? "0" : counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }
}
