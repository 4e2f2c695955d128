import Curl

/// Follows libcurl's (redacted) protocol trace of one transaction and pairs each command with its
/// reply. libcurl reports only the last reply code; with MAIL_RCPT_ALLLOWFAILS it carries on past
/// refused recipients without saying which ones, so the trace is the only place to learn that.
/// libcurl sends RCPT TO one at a time in list order (no PIPELINING), which makes the pairing exact.
struct SMTPTranscript {
    private enum Awaiting {
        case nothing
        case mailFrom
        case recipient
        case data
        /// DATA was answered 354: the next reply is the verdict on the message itself.
        case messageVerdict
        case otherCommand
    }

    private(set) var mailFromReply: SMTPReply?
    private(set) var recipientReplies: [SMTPReply] = []
    private(set) var dataReply: SMTPReply?
    private(set) var messageReply: SMTPReply?
    private(set) var lastReply: SMTPReply?
    /// An AUTH command went out (checked by tests: never on a connection without TLS).
    private(set) var sentAuthentication = false
    /// The number of new connections libcurl opened (connection reuse shows as 0 after the first).
    private(set) var connectionsOpened = 0
    private var awaiting = Awaiting.nothing

    mutating func observe(_ event: CurlDebugEvent) {
        switch event.kind {
        case .sent:
            let command = event.text.uppercased()
            if command.hasPrefix("MAIL FROM:") {
                awaiting = .mailFrom
            } else if command.hasPrefix("RCPT TO:") {
                awaiting = .recipient
            } else if command == "DATA" {
                awaiting = .data
            } else {
                if command.hasPrefix("AUTH ") || command == "AUTH" { sentAuthentication = true }
                // A bare base64 line answers an AUTH challenge: still part of the AUTH exchange.
                awaiting = .otherCommand
            }
        case .received:
            guard let (reply, isFinal) = SMTPReply.parse(line: event.text), isFinal else { return }
            record(reply)
        case .info:
            if event.text.hasPrefix("Connected to ") { connectionsOpened += 1 }
        case .receivedData, .sentData:
            break
        }
    }

    private mutating func record(_ reply: SMTPReply) {
        lastReply = reply
        switch awaiting {
        case .mailFrom:
            mailFromReply = reply
        case .recipient:
            recipientReplies.append(reply)
        case .data:
            dataReply = reply
            if reply.code == 354 {
                awaiting = .messageVerdict
                return
            }
        case .messageVerdict:
            messageReply = reply
        case .nothing, .otherCommand:
            break
        }
        awaiting = .nothing
    }

    /// Per-recipient outcomes, in the order the recipients were given.
    func results(for recipients: [EnvelopeAddress]) -> [RecipientResult] {
        recipients.enumerated().map { index, recipient in
            guard index < recipientReplies.count else {
                return RecipientResult(recipient: recipient, outcome: .notAttempted)
            }
            let reply = recipientReplies[index]
            return RecipientResult(recipient: recipient, outcome: reply.code / 100 == 2 ? .accepted(reply) : .rejected(reply))
        }
    }
}
