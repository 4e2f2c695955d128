/// A mailbox for the SMTP envelope (MAIL FROM / RCPT TO): an RFC 5321 `Mailbox` written as
/// `local@domain`, checked before it can reach a command line.
///
/// Refused: CR, LF, NUL and every other control character (command injection), spaces and angle
/// brackets inside (they would end the path), quoted local parts, non-ASCII (needs SMTPUTF8, which
/// we do not negotiate: give domains in punycode), and anything over the RFC 5321 length limits.
public struct EnvelopeAddress: Sendable, Hashable, CustomStringConvertible {
    /// `local@domain`, without angle brackets.
    public let addrSpec: String

    public static let maximumLocalPartLength = 64
    public static let maximumDomainLength = 255
    /// RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.
    public static let maximumLength = 254

    /// - Parameter text: `local@domain` or `<local@domain>`.
    public init(_ text: String) throws(SMTPError) {
        func refuse(_ reason: String) -> SMTPError {
            SMTPError(kind: .invalidEnvelope, detail: "envelope address \(Self.quoted(text)): \(reason)")
        }
        var bytes = Array(text.utf8)
        if let index = bytes.firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw refuse(bytes[index] == 0x0D || bytes[index] == 0x0A ? "contains CR or LF" : "contains a control character")
        }
        if bytes.first == UInt8(ascii: "<") && bytes.last == UInt8(ascii: ">") && bytes.count >= 2 {
            bytes = Array(bytes.dropFirst().dropLast())
        }
        if bytes.contains(where: { $0 >= 0x80 }) {
            throw refuse("non-ASCII (SMTPUTF8 is not supported; write the domain in punycode)")
        }
        if bytes.contains(UInt8(ascii: " ")) { throw refuse("contains a space") }
        if bytes.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) {
            throw refuse("contains an angle bracket")
        }
        guard bytes.count <= Self.maximumLength else { throw refuse("longer than \(Self.maximumLength) octets") }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { throw refuse("has no @") }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard Self.isDotAtom(local) else { throw refuse("local part is not a dot-atom") }
        guard local.count <= Self.maximumLocalPartLength else {
            throw refuse("local part longer than \(Self.maximumLocalPartLength) octets")
        }
        guard Self.isDomain(domain) || Self.isAddressLiteral(domain) else { throw refuse("domain is not valid") }
        addrSpec = String(decoding: bytes, as: UTF8.self)
    }

    /// `<local@domain>`, as libcurl puts it on the wire.
    public var path: String { "<\(addrSpec)>" }

    public var description: String { addrSpec }

    public var localPart: Substring { addrSpec[..<addrSpec.lastIndex(of: "@")!] }
    public var domain: Substring { addrSpec[addrSpec.index(after: addrSpec.lastIndex(of: "@")!)...] }

    /// RFC 5322 atext, as allowed in an SMTP dot-string.
    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~".utf8)

    private static func isDotAtom(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousWasDot = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
                continue
            }
            previousWasDot = false
            guard isAlphanumeric(byte) || atextSymbols.contains(byte) else { return false }
        }
        return true
    }

    private static func isDomain(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumDomainLength else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// `[192.0.2.1]` or `[IPv6:…]` (RFC 5321 §4.1.3), checked loosely: brackets, then
    /// only hex digits, dots, colons and the `IPv6:` tag.
    private static func isAddressLiteral(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 3, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return false }
        let inner = bytes.dropFirst().dropLast()
        return inner.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// Shows a refused value safely in an error: control characters escaped, length bounded.
    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars.prefix(120) {
            switch scalar {
            case "\r": output += "\\r"
            case "\n": output += "\\n"
            case "\"": output += "\\\""
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + (text.unicodeScalars.count > 120 ? "…\"" : "\"")
    }
}
