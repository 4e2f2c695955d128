import Curl

/// Sends messages through one SMTP server over one reused connection.
///
/// TLS is required (`smtps://`, or `smtp://` with STARTTLS that must succeed) unless the endpoint
/// was explicitly built with `tls: .none`; the certificate and host name are verified; credentials
/// go out only after TLS is up. Envelope addresses and message bytes are checked before anything
/// is sent. One refused recipient does not lose the others (`MAIL_RCPT_ALLLOWFAILS`); every
/// recipient's outcome is reported.
///
/// Not `Sendable`, and `send` BLOCKS the calling thread for up to `messageTimeout`: run it on a
/// dedicated thread or serial queue, never on Swift's cooperative pool.
public final class SMTPClient {
    /// RFC 5321 §4.5.3.1.8: servers must accept at least 100 recipients per message.
    public static let maximumRecipients = 100
    public static let defaultMaximumMessageSize = 50 * 1024 * 1024

    public let endpoint: MailServerEndpoint
    public let clientName: String
    public let messageTimeout: Duration
    public let maximumMessageSize: Int

    private let transcript: TranscriptRecorder
    private var easy: CurlEasy?

    /// Does not connect: the first `send` does.
    /// - Parameters:
    ///   - endpoint: `smtps://host[:465]` or `smtp://host[:587]`; credentials for AUTH.
    ///   - clientName: the name we give in EHLO (our host's FQDN or an address literal).
    ///   - messageTimeout: bound on one `send`, from connect to the server's verdict on the message.
    ///   - trace: receives libcurl's redacted protocol trace (no secrets, no message content).
    public init(
        endpoint: MailServerEndpoint,
        clientName: String = "localhost",
        messageTimeout: Duration = .seconds(120),
        maximumMessageSize: Int = SMTPClient.defaultMaximumMessageSize,
        trace: ((CurlDebugEvent) -> Void)? = nil
    ) throws(SMTPError) {
        guard endpoint.scheme == .smtp || endpoint.scheme == .smtps else {
            throw SMTPError(kind: .configuration, detail: "\(endpoint.url) is not an smtp:// or smtps:// URL")
        }
        guard Self.isValidClientName(clientName) else {
            throw SMTPError(kind: .configuration,
                            detail: "client name \(EnvelopeAddress.quoted(clientName)) is not a host name or address literal")
        }
        self.endpoint = endpoint
        self.clientName = clientName
        self.messageTimeout = messageTimeout
        self.maximumMessageSize = maximumMessageSize
        self.transcript = TranscriptRecorder(forward: trace)
    }

    /// Sends `message` (complete RFC 5322 bytes with CRLF line ends, e.g. from the MIME builder)
    /// to `recipients`. BLOCKS until the server has given its verdict or a timeout fires.
    ///
    /// - Returns: the delivery with every recipient's outcome; at least one recipient was accepted.
    ///   Refused recipients are in `rejected` (`isRetryable` for 4xx).
    /// - Throws: `SMTPError`; `isTransient` says whether sending again later can help.
    public func send(_ message: [UInt8], from sender: EnvelopeAddress, to recipients: [EnvelopeAddress]) throws(SMTPError)
        -> SMTPDelivery
    {
        let uniqueRecipients = Self.unique(recipients)
        guard !uniqueRecipients.isEmpty else {
            throw SMTPError(kind: .invalidEnvelope, detail: "no recipients")
        }
        guard uniqueRecipients.count <= Self.maximumRecipients else {
            throw SMTPError(kind: .invalidEnvelope,
                            detail: "\(uniqueRecipients.count) recipients; at most \(Self.maximumRecipients) per message")
        }
        let upload = try OutgoingMessageCheck.prepared(message, maximumSize: maximumMessageSize)

        let easy = try connectionHandle()
        transcript.reset()
        do {
            try easy.setMailFrom(sender.path)
            try easy.setMailRecipients(uniqueRecipients.map(\.path))
            try easy.setUpload(upload)
            try easy.perform()
        } catch {
            // libcurl closes a connection after a failed transaction; start clean next time.
            self.easy = nil
            throw Self.interpret(error, transcript: transcript.current, recipients: uniqueRecipients)
        }
        // The message is accepted now: a failure to release the bytes must not read as a failed
        // send (the caller would send it twice). Start with a fresh handle instead.
        do { try easy.clearUpload() } catch { self.easy = nil }
        let current = transcript.current
        return SMTPDelivery(
            recipients: current.results(for: uniqueRecipients),
            reply: current.messageReply ?? SMTPReply(code: easy.responseCode, text: ""),
            openedConnection: current.connectionsOpened > 0)
    }

    /// Closes the connection (libcurl sends QUIT). The next `send` connects again. BLOCKS briefly.
    public func disconnect() {
        easy = nil
    }

    // MARK: - Internals

    private func connectionHandle() throws(SMTPError) -> CurlEasy {
        if let easy { return easy }
        do {
            let easy = try CurlEasy()
            try endpoint.apply(to: easy)
            try easy.setURL(Self.url(endpoint.url, clientName: clientName))
            try easy.setTimeout(messageTimeout)
            // A server that accepts the connection and then stalls mid-DATA: give up after 60 s
            // below 1 byte/s rather than waiting for the whole message timeout.
            try easy.setLowSpeedLimit(bytesPerSecond: 1, for: .seconds(60))
            try easy.setMailRecipientsAllowFailures(true)
            let recorder = transcript
            try easy.setDebugHandler { recorder.observe($0) }
            self.easy = easy
            return easy
        } catch {
            throw Self.interpret(error, transcript: SMTPTranscript(), recipients: [])
        }
    }

    /// The EHLO name travels as the URL path (libcurl's convention).
    private static func url(_ base: String, clientName: String) -> String {
        var trimmed = Substring(base)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if let schemeEnd = trimmed.range(of: "://"), trimmed[schemeEnd.upperBound...].contains("/") {
            return base  // the configuration already names the EHLO domain
        }
        return "\(trimmed)/\(clientName)"
    }

    private static func interpret(_ error: CurlError, transcript: SMTPTranscript,
                                  recipients: [EnvelopeAddress]) -> SMTPError {
        let results = transcript.results(for: recipients)
        if let reply = transcript.mailFromReply, reply.code / 100 != 2 {
            return SMTPError(kind: .senderRejected, reply: reply, recipients: results, curlError: error)
        }
        if !transcript.recipientReplies.isEmpty && !results.contains(where: \.isAccepted) {
            return SMTPError(kind: .recipientsRejected, recipients: results, curlError: error,
                             detail: "no recipient was accepted")
        }
        if let reply = transcript.dataReply, reply.code != 354 {
            return SMTPError(kind: .messageRejected, reply: reply, recipients: results, curlError: error)
        }
        if let reply = transcript.messageReply, reply.code / 100 != 2 {
            return SMTPError(kind: .messageRejected, reply: reply, recipients: results, curlError: error)
        }
        let failedReply = transcript.lastReply.flatMap { $0.code >= 400 ? $0 : nil }
        let kind: SMTPError.Kind
        switch error.kind {
        case .tlsCertificate, .tlsHandshake, .tlsUnavailable: kind = .tls
        case .loginDenied, .authenticationUnavailable: kind = .authentication
        case .timeout: kind = .timeout
        case .couldNotResolve, .couldNotConnect, .sendFailed, .recvFailed: kind = .connection
        case .invalidConfiguration: kind = .configuration
        case .protocolViolation, .aborted, .other: kind = .other
        }
        let verdictLost = transcript.dataReply?.code == 354 && transcript.messageReply == nil
        return SMTPError(kind: kind, reply: failedReply, recipients: results, curlError: error,
                         mayHaveBeenDelivered: verdictLost)
    }

    private static func unique(_ recipients: [EnvelopeAddress]) -> [EnvelopeAddress] {
        var seen = Set<String>()
        return recipients.filter { seen.insert($0.addrSpec.lowercased()).inserted }
    }

    private static func isValidClientName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        let bytes = Array(name.utf8)
        if bytes.first == UInt8(ascii: "[") {
            return bytes.last == UInt8(ascii: "]") && bytes.count > 2
                && bytes.dropFirst().dropLast().allSatisfy { $0 == 0x2E || $0 == 0x3A || isAlphanumeric($0) }
        }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}

/// The outcome of one accepted message.
public struct SMTPDelivery: Sendable, Equatable {
    /// Every recipient, in the order given (duplicates removed).
    public let recipients: [RecipientResult]
    /// The server's verdict on the message (250 … queued as …).
    public let reply: SMTPReply
    /// False when the message went over a connection kept from an earlier `send`.
    public let openedConnection: Bool

    public var accepted: [EnvelopeAddress] { recipients.filter(\.isAccepted).map(\.recipient) }
    public var rejected: [RecipientResult] { recipients.filter { !$0.isAccepted } }
}

/// Holds the transcript of the current transaction; shared by the client and the debug handler
/// it installs, so the handle's closure does not retain the client.
private final class TranscriptRecorder {
    private(set) var current = SMTPTranscript()
    private let forward: ((CurlDebugEvent) -> Void)?

    init(forward: ((CurlDebugEvent) -> Void)?) { self.forward = forward }

    func reset() {
        current = SMTPTranscript()
    }

    func observe(_ event: CurlDebugEvent) {
        current.observe(event)
        forward?(event)
    }
}
