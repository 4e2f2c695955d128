/// A failed IMAP operation, with what an admin needs to act: which command, which mailbox,
/// which UIDs. `description` holds no message content; server text is bounded and escaped.
public struct IMAPError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No byte arrived from the server within the command timeout.
        case timeout(after: Duration)
        /// The server closed the connection (with its BYE text, when it sent one).
        case connectionClosed(bye: String?)
        /// The server answered NO or BAD.
        case commandFailed(ResponseCondition, code: ResponseCode?, text: String)
        /// The server broke the protocol (a foreign tag, a missing UIDVALIDITY, …).
        case protocolViolation(String)
        case parse(IMAPParseError)
        /// Refused before sending: CR/LF/NUL in an argument, an empty range, …
        case invalidArgument(String)
        /// The connection layer failed (TLS, socket); `transient` says whether retrying can help.
        case transport(String, transient: Bool)
        /// The session is unusable after an earlier fatal error; reconnect.
        case sessionBroken
    }

    public let kind: Kind
    public var command: String?
    public var mailbox: MailboxName?
    public var uids: ClosedRange<UID>?

    public init(_ kind: Kind, command: String? = nil, mailbox: MailboxName? = nil, uids: ClosedRange<UID>? = nil) {
        self.kind = kind
        self.command = command
        self.mailbox = mailbox
        self.uids = uids
    }

    /// Whether reconnecting and retrying later can help.
    public var isTransient: Bool {
        switch kind {
        case .timeout, .connectionClosed, .sessionBroken: return true
        case .transport(_, let transient): return transient
        case .commandFailed(let condition, let code, _):
            // NO with no code is often "try again later" (server busy, mailbox locked).
            return condition == .no && code == nil
        case .protocolViolation, .parse, .invalidArgument: return false
        }
    }

    public var description: String {
        var text: String
        switch kind {
        case .timeout(let after): text = "IMAP server sent nothing for \(after)"
        case .connectionClosed(let bye): text = "IMAP connection closed by the server" + (bye.map { ": \(Self.escape($0))" } ?? "")
        case .commandFailed(let condition, let code, let serverText):
            text = "IMAP server answered \(condition.rawValue)"
            if let code { text += " [\(code)]" }
            if !serverText.isEmpty { text += ": \(Self.escape(serverText))" }
        case .protocolViolation(let what): text = "IMAP protocol violation: \(what)"
        case .parse(let error): text = error.description
        case .invalidArgument(let what): text = "invalid IMAP argument: \(what)"
        case .transport(let what, _): text = "IMAP transport failed: \(what)"
        case .sessionBroken: text = "IMAP session unusable after an earlier error"
        }
        var context: [String] = []
        if let command { context.append("command \(command)") }
        if let mailbox { context.append("mailbox \"\(Self.escape(mailbox.displayName))\"") }
        if let uids { context.append("UIDs \(uids.imapSet)") }
        if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
        return text
    }

    /// Control characters escaped, at most 200 characters: server text goes to logs.
    static func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars.prefix(200) {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
