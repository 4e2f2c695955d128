/// One complete SMTP reply (the last line of a multi-line reply carries the code we act on).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public let code: Int
    /// The reply text after the code, control characters escaped, bounded.
    public let text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    /// 4xx: the server may accept the same thing later.
    public var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: retrying the same thing will fail again.
    public var isPermanent: Bool { code >= 500 }

    public var description: String { text.isEmpty ? "\(code)" : "\(code) \(text)" }

    /// Parses `250 2.1.5 OK` or `250-…`; nil when the line does not start with a 3-digit code.
    /// `isFinal` is false for continuation lines (`250-…`).
    static func parse(line: String) -> (reply: SMTPReply, isFinal: Bool)? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }),
            let code = Int(String(decoding: bytes[0...2], as: UTF8.self))
        else { return nil }
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { return nil }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        return (SMTPReply(code: code, text: text), separator == UInt8(ascii: " "))
    }
}

/// What the server said to one RCPT TO.
public struct RecipientResult: Sendable, Equatable, CustomStringConvertible {
    public enum Outcome: Sendable, Equatable {
        case accepted(SMTPReply)
        case rejected(SMTPReply)
        /// The transaction ended before this recipient was tried (e.g. MAIL FROM refused).
        case notAttempted
    }

    public let recipient: EnvelopeAddress
    public let outcome: Outcome

    public var isAccepted: Bool {
        if case .accepted = outcome { return true }
        return false
    }

    /// Rejected with a 4xx, or never tried: sending to this recipient again later may work.
    public var isRetryable: Bool {
        switch outcome {
        case .accepted: return false
        case .rejected(let reply): return reply.isTransient
        case .notAttempted: return true
        }
    }

    public var description: String {
        switch outcome {
        case .accepted: return "\(recipient): accepted"
        case .rejected(let reply): return "\(recipient): rejected \(reply)"
        case .notAttempted: return "\(recipient): not attempted"
        }
    }
}
