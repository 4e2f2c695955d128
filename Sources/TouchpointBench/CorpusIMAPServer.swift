import Foundation
import IMAP
import MIME

/// An in-memory IMAP server over a corpus of .eml files, behind `IMAPTransport`: it answers the
/// commands a first sync sends (CAPABILITY, EXAMINE, UID FETCH of headers, BODYSTRUCTURE and
/// partial text sections) the way Dovecot does, so `touchpoint-bench assemble` feeds the
/// pipeline exactly the `FetchedMessage` values a live fetch produces, without sockets or TLS.
///
/// Differences from Dovecot, none of which the assembler's cost depends on: parameter values
/// in BODYSTRUCTURE are the MIME parser's decoded ones (Dovecot sends RFC 2231 pieces raw),
/// an attached message is described as an opaque part, and INTERNALDATE is one fixed date.
final class CorpusIMAPServer: IMAPTransport {
    struct Message {
        var bytes: [UInt8]
        var header: Range<Int>
        var structure: [UInt8]
        /// Encoded body of every leaf part by IMAP section ("1", "1.2").
        var sections: [String: Range<Int>]
    }

    private(set) var messages: [Message] = []
    private var inbound: [UInt8] = []
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var closed = false

    init(files: [[UInt8]]) {
        let parser = MessageParser()
        messages = files.map { bytes in
            let parsed = parser.parse(bytes)
            var sections: [String: Range<Int>] = [:]
            var structure: [UInt8] = []
            Self.describe(parsed.root, bytes: bytes, isRoot: true, into: &structure, sections: &sections)
            return Message(bytes: bytes, header: 0..<min(parsed.root.bodyRange.lowerBound, bytes.count),
                           structure: structure, sections: sections)
        }
    }

    // MARK: IMAPTransport

    func send(_ bytes: [UInt8], timeout: Duration) throws {
        guard !closed else { throw BenchError("the in-memory IMAP server was closed") }
        inbound += bytes
        while let lineFeed = inbound.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(inbound[..<lineFeed])
            inbound.removeSubrange(...lineFeed)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            handle(String(decoding: line, as: UTF8.self))
        }
    }

    func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws -> IMAPTransportReceipt {
        let available = outbound.count - outboundOffset
        guard available > 0 else { return closed ? .closed : .timedOut }
        let count = min(available, buffer.count)
        outbound.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + outboundOffset, byteCount: count)
        }
        outboundOffset += count
        if outboundOffset == outbound.count {
            outbound.removeAll(keepingCapacity: true)
            outboundOffset = 0
        }
        return .received(count)
    }

    func close() { closed = true }

    // MARK: Commands

    private func emit(_ text: String) { outbound += text.utf8 }

    private func handle(_ line: String) {
        let words = line.split(separator: " ", maxSplits: 3).map(String.init)
        guard words.count >= 2 else { return emit("* BAD junk\r\n") }
        let tag = words[0]
        switch words[1].uppercased() {
        case "CAPABILITY":
            emit("* CAPABILITY IMAP4rev1 LITERAL+\r\n\(tag) OK done\r\n")
        case "EXAMINE":
            emit("* \(messages.count) EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n")
            emit("* OK [UIDNEXT \(messages.count + 1)] Predicted next UID\r\n\(tag) OK [READ-ONLY] Examine completed.\r\n")
        case "UID" where words.count == 4 && words[2].uppercased() == "FETCH":
            let arguments = words[3]
            guard let space = arguments.firstIndex(of: " ") else { return emit("\(tag) BAD fetch\r\n") }
            fetch(uids: Self.uids(in: arguments[..<space], count: messages.count), items: arguments[space...].uppercased())
            emit("\(tag) OK Fetch completed.\r\n")
        case "LOGOUT":
            emit("* BYE\r\n\(tag) OK Logout completed.\r\n")
            closed = true
        default:
            emit("\(tag) BAD unsupported by the bench server\r\n")
        }
    }

    private func fetch(uids: [Int], items: String) {
        let wantsHeader = items.contains("BODY.PEEK[HEADER]")
        let partials = Self.partialSections(items)
        for uid in uids {
            let message = messages[uid - 1]
            emit("* \(uid) FETCH (UID \(uid)")
            if items.contains("RFC822.SIZE") { emit(" RFC822.SIZE \(message.bytes.count)") }
            if items.contains("INTERNALDATE") { emit(" INTERNALDATE \"01-Feb-2026 10:00:00 +0100\"") }
            if items.contains("BODYSTRUCTURE") {
                emit(" BODYSTRUCTURE ")
                outbound += message.structure
            }
            if wantsHeader {
                emit(" BODY[HEADER] {\(message.header.count)}\r\n")
                outbound += message.bytes[message.header]
            }
            for (section, limit) in partials {
                let range = message.sections[section] ?? 0..<0
                let data = message.bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + limit)]
                emit(" BODY[\(section)]<0> {\(data.count)}\r\n")
                outbound += data
            }
            emit(")\r\n")
        }
    }

    /// `BODY.PEEK[1.2]<0.16384>` items of a FETCH: section and byte limit.
    static func partialSections(_ items: String) -> [(String, Int)] {
        var result: [(String, Int)] = []
        var rest = items[...]
        while let range = rest.range(of: "BODY.PEEK[") {
            let spec = rest[range.upperBound...]
            rest = spec
            let section = String(spec.prefix { $0 != "]" })
            guard section != "HEADER" else { continue }
            let partial = spec.drop { $0 != "<" }.dropFirst().prefix { $0 != ">" }
            result.append((section, partial.split(separator: ".").last.flatMap { Int($0) } ?? Int.max))
        }
        return result
    }

    /// The UIDs of a sequence set such as `1:1000` or `3,5:7` (UID n is the n-th message).
    static func uids(in set: Substring, count: Int) -> [Int] {
        var result: [Int] = []
        for piece in set.split(separator: ",") {
            let bounds = piece.split(separator: ":").map { $0 == "*" ? count : Int($0) ?? 0 }
            guard let low = bounds.min(), let high = bounds.max() else { continue }
            let clamped = max(1, low)...max(1, min(high, count))
            if low <= count { result += clamped }
        }
        return result
    }

    // MARK: BODYSTRUCTURE (RFC 3501 §7.4.2)

    static func describe(_ part: MIMEPart, bytes: [UInt8], isRoot: Bool, into out: inout [UInt8], sections: inout [String: Range<Int>]) {
        let type = part.contentType
        if type.isMultipart, !part.children.isEmpty {
            out += "(".utf8
            for child in part.children { describe(child, bytes: bytes, isRoot: false, into: &out, sections: &sections) }
            out += " ".utf8
            string(type.subtype, into: &out)
            out += " ".utf8
            parameters(type.parameters, into: &out)
            out += " ".utf8
            disposition(part, into: &out)
            out += " NIL NIL)".utf8
            return
        }
        sections[isRoot ? "1" : part.path] = part.bodyRange
        let opaque = type.isEmbeddedMessage
        out += "(".utf8
        string(opaque ? "application" : type.type, into: &out)
        out += " ".utf8
        string(opaque ? "octet-stream" : type.subtype, into: &out)
        out += " ".utf8
        parameters(type.parameters, into: &out)
        out += " NIL NIL ".utf8
        string(part.transferEncoding.description, into: &out)
        out += " \(part.bodyRange.count)".utf8
        if type.isText {
            let lines = bytes[part.bodyRange].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            out += " \(lines)".utf8
        }
        out += " NIL ".utf8
        disposition(part, into: &out)
        out += " NIL NIL)".utf8
    }

    private static func disposition(_ part: MIMEPart, into out: inout [UInt8]) {
        guard let kind = part.disposition else { return out += "NIL".utf8 }
        out += "(".utf8
        string(kind, into: &out)
        out += " ".utf8
        parameters(part.filename.map { ["filename": $0] } ?? [:], into: &out)
        out += ")".utf8
    }

    private static func parameters(_ parameters: [String: String], into out: inout [UInt8]) {
        guard !parameters.isEmpty else { return out += "NIL".utf8 }
        out += "(".utf8
        for (index, (name, value)) in parameters.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out += " ".utf8 }
            string(name, into: &out)
            out += " ".utf8
            string(value, into: &out)
        }
        out += ")".utf8
    }

    /// A quoted string when it can be one, else a literal (8-bit or CR/LF content).
    private static func string(_ text: String, into out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        } else {
            out += "{\(bytes.count)}\r\n".utf8
            out += bytes
        }
    }
}
