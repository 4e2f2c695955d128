import Foundation

/// `touchpoint serve [--once]`: the daemon.
struct ServeCommand: Command {
    let name = "serve"
    let summary = "run the daemon: poll every mailbox, log interactions (--once: one cycle)"
    let help = """
    Usage: touchpoint serve [--once] [--config PATH] [--log-level LEVEL]

    Migrates the database if needed, then works every enabled mailbox on its own thread:
    connects over TLS, syncs each folder (INBOX and the Sent folder by default) from its
    stored cursor, commits each batch of messages with its cursor in one transaction, and
    waits for new mail (IDLE or the poll interval). Runs until SIGTERM or SIGINT, which finish
    the current batch, log out and exit 0. SIGHUP reloads the configuration: mailboxes are
    added, removed or restarted without a restart; an invalid new file is logged and ignored.

    Under systemd (Type=notify) it reports READY=1, STATUS=, WATCHDOG=1 and STOPPING=1 on
    $NOTIFY_SOCKET. Logs are logfmt lines on stderr (with <N> priorities under journald).

    Options:
      --once    one full cycle over every mailbox, then exit: 0 when all succeeded,
                75 when any mailbox failed (the summary names it)

    Exit status: 0 stopped cleanly, 69 database unreachable, 75 a mailbox failed (--once),
    78 configuration error or a database schema newer than this binary.

    """
    let spec = Arguments.Spec(flags: ["--once"])

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.isEmpty else { throw CommandFailure.usage("takes no arguments") }
        let config = try context.loadConfig()
        var logger = context.logger
        if context.logLevel == nil { logger.minimumLevel = config.logLevel }
        let service = Service(config: config, logger: logger, once: arguments.has("--once"), environment: context.io.environment)
        return service.run()
    }
}
