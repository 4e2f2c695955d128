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
    private let receiveBuffer: UnsafeMutableRawBufferPointer
    private var brokenBy: IMAPError?
    private var byeText: String?
    private let clock = ContinuousClock()

    public init(transport: any IMAPTransport, options: IMAPSessionOptions = IMAPSessionOptions()) {
        self.transport = transport
        self.options = options
        self.parser = IMAPResponseParser(limits: options.parserLimits)
        self.receiveBuffer = .allocate(byteCount: options.receiveBufferSize, alignment: 16)
    }

    deinit {
        receiveBuffer.deallocate()
    }

    public var isBroken: Bool { brokenBy != nil }

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
        if let brokenBy { throw IMAPError(.sessionBroken, command: brokenBy.command, mailbox: context.mailbox) }
        var pending = Set(commands.map(\.tag))
        var statuses: [String: TaggedStatus] = [:]
        var deferredError: IMAPError?

        func handle(_ response: IMAPResponse) throws(IMAPError) {
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
                guard pending.remove(status.tag) != nil else {
                    throw breakSession(IMAPError(.protocolViolation("response for unknown tag \(IMAPError.escape(status.tag))"),
                                                 command: context.command, mailbox: context.mailbox, uids: context.uids))
                }
                if case .capability(let list)? = status.code { capabilities = Set(list) }
                statuses[status.tag] = status
            case .continuation:
                throw breakSession(IMAPError(.protocolViolation("unexpected continuation request"),
                                             command: context.command, mailbox: context.mailbox, uids: context.uids))
            }
        }

        // Synchronizing literals need the server's "+" between segments; such a command is
        // sent alone. Everything else goes out in one write.
        var batch: [UInt8] = []
        for command in commands {
            if command.segments.count == 1 {
                batch += command.segments[0]
                continue
            }
            try sendBytes(batch, context: context)
            batch = []
            for (index, segment) in command.segments.enumerated() {
                try sendBytes(segment, context: context)
                guard index < command.segments.count - 1 else { break }
                while true {
                    let response = try readResponse(context: context, deferredError: &deferredError)
                    if case .continuation = response { break }
                    if case .tagged(let status) = response, status.tag == command.tag {
                        pending.remove(status.tag)
                        statuses[status.tag] = status
                        break
                    }
                    try handle(response)
                }
                if statuses[command.tag] != nil { break }
            }
        }
        try sendBytes(batch, context: context)

        while !pending.isEmpty {
            let response = try readResponse(context: context, deferredError: &deferredError)
            try handle(response)
        }
        if let deferredError { throw deferredError }
        return commands.map { statuses[$0.tag]! }
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
    func readResponse(context: IMAPError, deferredError: inout IMAPError?) throws(IMAPError) -> IMAPResponse {
        while true {
            guard let response = try nextResponse(timeout: options.commandTimeout, context: context, deferredError: &deferredError) else {
                throw breakSession(IMAPError(.timeout(after: options.commandTimeout),
                                             command: context.command, mailbox: context.mailbox, uids: context.uids))
            }
            return response
        }
    }

    /// Like `readResponse`, but a quiet server is not an error: returns nil after `timeout`.
    func nextResponse(timeout: Duration, context: IMAPError, deferredError: inout IMAPError?) throws(IMAPError) -> IMAPResponse? {
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
            let receipt: IMAPTransportReceipt
            do {
                receipt = try transport.receive(into: receiveBuffer, timeout: remaining)
            } catch {
                throw breakSession(transportError(error, context))
            }
            switch receipt {
            case .received(let count):
                parser.append(UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count]))
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
