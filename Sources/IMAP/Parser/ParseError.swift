/// Why a server response could not be parsed. `description` never contains response bytes
/// (they may be mail content); `debugDescription` adds a short escaped excerpt.
public struct IMAPParseError: Error, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Equatable {
        case lineTooLong(limit: Int)
        case literalTooLarge(size: UInt64, limit: Int)
        case tooManyLiterals(limit: Int)
        case nestingTooDeep(limit: Int)
        case tooManyElements(limit: Int)
        case numberOutOfRange
        /// The grammar expected something else; `expected` names the construct.
        case malformed(expected: String)
    }

    public let kind: Kind
    /// Byte offset inside the response (outside literals) where parsing stopped.
    public let offset: Int
    let excerpt: String

    init(_ kind: Kind, offset: Int = 0, excerpt: String = "") {
        self.kind = kind
        self.offset = offset
        self.excerpt = excerpt
    }

    /// Limit violations cannot be recovered from: the stream position is lost.
    public var isLimitViolation: Bool {
        if case .malformed = kind { return false }
        if case .numberOutOfRange = kind { return false }
        return true
    }

    public var description: String {
        switch kind {
        case .lineTooLong(let limit): return "IMAP response line longer than \(limit) bytes"
        case .literalTooLarge(let size, let limit): return "IMAP literal of \(size) bytes exceeds limit of \(limit)"
        case .tooManyLiterals(let limit): return "IMAP response has more than \(limit) literals"
        case .nestingTooDeep(let limit): return "IMAP response nested deeper than \(limit) levels"
        case .tooManyElements(let limit): return "IMAP list longer than \(limit) elements"
        case .numberOutOfRange: return "IMAP number out of range at byte \(offset)"
        case .malformed(let expected): return "malformed IMAP response: expected \(expected) at byte \(offset)"
        }
    }

    public var debugDescription: String { excerpt.isEmpty ? description : "\(description) near \"\(excerpt)\"" }
}

extension IMAPParseError {
    /// At most 40 bytes around `offset`, control and 8-bit bytes escaped, for debug logs.
    static func excerpt(of bytes: [UInt8], at offset: Int) -> String {
        let start = max(0, offset - 20)
        let end = min(bytes.count, offset + 20)
        var text = ""
        for byte in bytes[start..<end] {
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16, uppercase: true)
            }
        }
        return text
    }
}
