import Curl

/// Why a message was not (fully) handed to the SMTP server, and whether retrying can help.
///
/// `description` carries what an admin needs (the stage, the server's reply, curl's detail) and
/// never a secret or message content.
public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// A MAIL FROM / RCPT TO address was refused by our own checks; nothing was sent.
        case invalidEnvelope
        /// The message bytes were refused by our own checks (bare CR/LF, line too long, too big).
        case invalidMessage
        /// The endpoint settings do not work (URL, TLS policy, CA file …).
        case configuration
        /// TCP connect, name resolution, or the connection broke.
        case connection
        /// TLS failed: certificate not trusted / wrong host, handshake error, or STARTTLS not offered.
        case tls
        /// The server refused the credentials or offers no mechanism we can use.
        case authentication
        /// MAIL FROM was refused.
        case senderRejected
        /// Every recipient was refused; see `recipients`.
        case recipientsRejected
        /// DATA, or the message after DATA, was refused.
        case messageRejected
        case timeout
        case other
    }

    public let kind: Kind
    /// The server's reply that decided the failure, when there was one.
    public let reply: SMTPReply?
    /// Per-recipient outcomes, when the transaction got that far.
    public let recipients: [RecipientResult]
    /// The libcurl failure underneath, when there was one.
    public let curlError: CurlError?
    public let detail: String
    /// The server had said 354 to DATA but its verdict on the message never arrived (connection
    /// lost or timed out): the server may have accepted it. (Conservative: also true when the
    /// connection broke mid-upload, which a server must not accept.) Retrying can deliver it twice; an
    /// outbox records this case instead of pretending nothing was sent (RFC 5321 §6.1 accepts
    /// duplicates over loss).
    public let mayHaveBeenDelivered: Bool

    init(kind: Kind, reply: SMTPReply? = nil, recipients: [RecipientResult] = [], curlError: CurlError? = nil,
         detail: String = "", mayHaveBeenDelivered: Bool = false) {
        self.kind = kind
        self.mayHaveBeenDelivered = mayHaveBeenDelivered
        self.reply = reply
        self.recipients = recipients
        self.curlError = curlError
        self.detail = detail
    }

    /// True when sending the same message later may succeed: a 4xx reply, a network failure or a
    /// timeout. False for 5xx replies, invalid input, TLS/certificate and credential problems —
    /// those need someone to change something. For `.recipientsRejected`, true when at least one
    /// recipient may be retried (`recipients.filter(\.isRetryable)`).
    public var isTransient: Bool {
        switch kind {
        case .invalidEnvelope, .invalidMessage, .configuration, .tls, .authentication:
            return false
        case .recipientsRejected:
            return recipients.contains { $0.isRetryable }
        case .senderRejected, .messageRejected:
            return reply?.isTransient ?? (curlError?.isTransient ?? false)
        case .timeout:
            return true
        case .connection, .other:
            if let reply { return reply.isTransient }
            return curlError?.isTransient ?? false
        }
    }

    public var description: String {
        var parts = ["smtp \(kind)"]
        if !detail.isEmpty { parts.append(detail) }
        if let reply { parts.append("server replied \(reply)") }
        let rejected = recipients.filter { !$0.isAccepted }
        if !rejected.isEmpty {
            parts.append("recipients: " + rejected.prefix(10).map(\.description).joined(separator: "; ")
                + (rejected.count > 10 ? "; … \(rejected.count - 10) more" : ""))
        }
        if let curlError { parts.append(curlError.description) }
        if mayHaveBeenDelivered { parts.append("the message was sent but its verdict was lost: it may have been delivered") }
        parts.append(isTransient ? "(temporary: retry later)" : "(permanent: retrying will not help)")
        return parts.joined(separator: ": ")
    }
}
