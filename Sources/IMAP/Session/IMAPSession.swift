/// Our own IMAP engine over a logged-in byte stream (DESIGN §3). Read-only by construction:
/// it only EXAMINEs and fetches with `BODY.PEEK`, so no flag ever changes on the server.
///
/// Not Sendable and blocking: one session lives on one dedicated thread. After a fatal error
/// (timeout, closed connection, a foreign tag, a parser limit) every call throws
/// `.sessionBroken`; the owner reconnects.
public final class IMAPSession {
    public let options: IMAPSessionOptions
    /// What the server announced; refreshed by `capability()` and by `[CAPABILITY …]` codes.
    public private(set) var capabilities: Set<String> = []
    /// Bytes through the transport, for benchmarks and for proving what was not downloaded.
    public private(set) var bytesReceived: UInt64 = 0
    public private(set) var bytesSent: UInt64 = 0
    public internal(set) var selectedMailbox: MailboxName?

    let transport: any IMAPTransport
    private var parser: IMAPResponseParser
    private var tags = TagGenerator()
    /// Allocated on first use and freed by `releaseIdleMemory`: an idle session keeps no buffer.
    private var receiveBuffer: UnsafeMutableRawBufferPointer?
    private var brokenBy: IMAPError?
    /// Tags sent and not yet completed; a tagged response for any other tag is a violation.
    private var inFlight: Set<String> = []
    /// Completed statuses not yet collected by their `wait`.
    private var finished: [String: TaggedStatus] = [:]
    /// First grammar error seen since the last `wait` returned; thrown at its end so the
    /// session stays in step with the server.
    private var deferredError: IMAPError?
    private var byeText: String?
    private let clock = ContinuousClock()

    public init(transport: any IMAPTransport, options: IMAPSessionOptions = IMAPSessionOptions()) {
        self.transport = transport
        self.options = options
        self.parser = IMAPResponseParser(limits: options.parserLimits)
    }

    deinit {
        receiveBuffer?.deallocate()
    }

    public var isBroken: Bool { brokenBy != nil }

    /// Frees what the parser kept from the largest response burst so far (a fetched batch);
    /// for a session that is about to wait for new mail. Nothing pending is lost.
    public func releaseIdleMemory() {
        parser.releaseSpareCapacity()
        receiveBuffer?.deallocate()
        receiveBuffer = nil
    }

    // MARK: Building commands

    func command(_ name: String, _ build: (inout CommandBuilder) throws(IMAPError) -> Void = { _ in }) throws(IMAPError) -> IMAPCommand {
        var builder = CommandBuilder(tag: tags.make(), name: name, literalPlus: capabilities.contains("LITERAL+"))
        try build(&builder)
        return builder.build()
    }

    // MARK: The engine

    /// Sends the commands back to back (pipelining), hands every untagged response to
    /// `onUntagged`, and returns each command's final status in command order. A tagged
    /// response whose tag is not outstanding is a protocol violation: the session stops.
    func execute(
        _ commands: [IMAPCommand],
        context: IMAPError,
        onUntagged: (UntaggedResponse) throws(IMAPError) -> Void
    ) throws(IMAPError) -> [TaggedStatus] {
        var single: [IMAPCommand] = []
        for command in commands {
            if command.segments.count == 1 {
                single.append(command)
                continue
            }
            try send(single, context: context)
            single = []
            try sendWithContinuations(command, context: context, onUntagged: onUntagged)
        }
        try send(single, context: context)
        return try wait(for: commands.map(\.tag), context: context, onUntagged: onUntagged)
    }

    /// Sends commands without synchronizing literals in one write; their tags become outstanding.
    func send(_ commands: [IMAPCommand], context: IMAPError) throws(IMAPError) {
        if let brokenBy { throw IMAPError(.sessionBroken, command: brokenBy.command, mailbox: context.mailbox) }
        guard !commands.isEmpty else { return }
        var bytes: [UInt8] = []
        for command in commands {
            bytes += command.segments.joined()
            inFlight.insert(command.tag)
        }
        try sendBytes(bytes, context: context)
    }

    /// Synchronizing literals need the server's "+" between segments (RFC 3501 §7.5).
    private func sendWithContinuations(
        _ command: IMAPCommand, context: IMAPError, onUntagged: (UntaggedResponse) throws(IMAPError) -> Void
    ) throws(IMAPError) {
        if let brokenBy { throw IMAPError(.sessionBroken, command: brokenBy.command, mailbox: context.mailbox) }
        inFlight.insert(command.tag)
        for (index, segment) in command.segments.enumerated() {
            try sendBytes(segment, context: context)
            guard index < command.segments.count - 1 else { return }
            while true {
                let response = try readResponse(context: context)
                if case .continuation = response { break }
                try dispatch(response, context: context, onUntagged: onUntagged)
                // Refused before the literal (NO/BAD): the rest must not be sent.
                if finished[command.tag] != nil { return }
            }
        }
    }

    /// Reads until every tag in `tags` has completed. Tagged responses of other outstanding
    /// commands are kept for their own wait; untagged responses all go to `onUntagged`.
    func wait(
        for tags: [String], context: IMAPError, onUntagged: (UntaggedResponse) throws(IMAPError) -> Void
    ) throws(IMAPError) -> [TaggedStatus] {
        while !tags.allSatisfy({ finished[$0] != nil }) {
            let response = try readResponse(context: context)
            try dispatch(response, context: context, onUntagged: onUntagged)
        }
        let statuses = tags.map { finished.removeValue(forKey: $0)! }
        if let error = deferredError {
            deferredError = nil
            throw error
        }
        return statuses
    }

    func takeDeferredError() -> IMAPError? {
        defer { deferredError = nil }
        return deferredError
    }

    private func dispatch(
        _ response: IMAPResponse, context: IMAPError, onUntagged: (UntaggedResponse) throws(IMAPError) -> Void
    ) throws(IMAPError) {
        switch response {
        case .untagged(let untagged):
            if case .status(let status) = untagged {
                if status.condition == .bye { byeText = status.text }
                if case .capability(let list)? = status.code { capabilities = Set(list) }
            }
            if case .capability(let list) = untagged { capabilities = Set(list) }
            do {
                try onUntagged(untagged)
            } catch {
                if deferredError == nil { deferredError = error }
            }
        case .tagged(let status):
            guard inFlight.remove(status.tag) != nil else {
                throw breakSession(IMAPError(.protocolViolation("response for unknown tag \(IMAPError.escape(status.tag))"),
                                             command: context.command, mailbox: context.mailbox, uids: context.uids))
            }
            if case .capability(let list)? = status.code { capabilities = Set(list) }
            finished[status.tag] = status
        case .continuation:
            throw breakSession(IMAPError(.protocolViolation("unexpected continuation request"),
                                         command: context.command, mailbox: context.mailbox, uids: context.uids))
        }
    }

    /// Throws `commandFailed` unless the status is OK.
    func requireOK(_ status: TaggedStatus, _ context: IMAPError) throws(IMAPError) {
        guard status.condition == .ok else {
            throw IMAPError(.commandFailed(status.condition, code: status.code, text: status.text),
                            command: context.command, mailbox: context.mailbox, uids: context.uids)
        }
    }

    func sendBytes(_ bytes: [UInt8], context: IMAPError) throws(IMAPError) {
        guard !bytes.isEmpty else { return }
        do {
            try transport.send(bytes, timeout: options.commandTimeout)
        } catch {
            throw breakSession(transportError(error, context))
        }
        bytesSent += UInt64(bytes.count)
    }

    /// The next complete response; waits at most `commandTimeout` for each chunk.
    /// Grammar errors are recorded in `deferredError` and reading goes on, so the session stays
    /// in step with the server; limit violations end the session.
    func readResponse(context: IMAPError) throws(IMAPError) -> IMAPResponse {
        guard let response = try nextResponse(timeout: options.commandTimeout, context: context) else {
            throw breakSession(IMAPError(.timeout(after: options.commandTimeout),
                                         command: context.command, mailbox: context.mailbox, uids: context.uids))
        }
        return response
    }

    /// Like `readResponse`, but a quiet server is not an error: returns nil after `timeout`.
    func nextResponse(timeout: Duration, context: IMAPError) throws(IMAPError) -> IMAPResponse? {
        let deadline = clock.now.advanced(by: timeout)
        while true {
            do {
                if let response = try parser.next() { return response }
            } catch let error as IMAPParseError {
                let wrapped = IMAPError(.parse(error), command: context.command, mailbox: context.mailbox, uids: context.uids)
                if error.isLimitViolation { throw breakSession(wrapped) }
                if deferredError == nil { deferredError = wrapped }
                continue
            } catch {
                throw breakSession(IMAPError(.protocolViolation("\(error)"), command: context.command))
            }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else { return nil }
            let buffer = receiveBuffer ?? .allocate(byteCount: options.receiveBufferSize, alignment: 16)
            receiveBuffer = buffer
            let receipt: IMAPTransportReceipt
            do {
                receipt = try transport.receive(into: buffer, timeout: remaining)
            } catch {
                throw breakSession(transportError(error, context))
            }
            switch receipt {
            case .received(let count):
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                bytesReceived += UInt64(count)
            case .timedOut:
                return nil
            case .closed:
                throw breakSession(IMAPError(.connectionClosed(bye: byeText), command: context.command,
                                             mailbox: context.mailbox, uids: context.uids))
            }
        }
    }

    @discardableResult
    func breakSession(_ error: IMAPError) -> IMAPError {
        if brokenBy == nil { brokenBy = error }
        return error
    }

    private func transportError(_ error: any Error, _ context: IMAPError) -> IMAPError {
        if let imapError = error as? IMAPError { return imapError }
        let transient = (error as? any TransientTransportError)?.isTransient ?? true
        return IMAPError(.transport(String(describing: error), transient: transient),
                         command: context.command, mailbox: context.mailbox, uids: context.uids)
    }
}

/// Lets a transport's errors say whether retrying can help.
public protocol TransientTransportError: Error {
    var isTransient: Bool { get }
}
