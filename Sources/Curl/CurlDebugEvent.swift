/// One piece of libcurl's verbose trace, already redacted (see `DebugRedactor`).
public struct CurlDebugEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// libcurl's own informational text ("Connected to …", "SSL connection using …").
        case info
        /// A protocol line the server sent (IMAP response, SMTP reply).
        case received
        /// A protocol line we sent (IMAP command, SMTP command).
        case sent
        /// Payload bytes; only their count is reported, never the content.
        case receivedData
        case sentData
    }

    public let kind: Kind
    public let text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String {
        switch kind {
        case .info: return "* \(text)"
        case .received: return "< \(text)"
        case .sent: return "> \(text)"
        case .receivedData: return "< [\(text)]"
        case .sentData: return "> [\(text)]"
        }
    }
}
