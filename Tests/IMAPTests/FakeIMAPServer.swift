import XCTest
@testable import IMAP

/// An in-memory IMAP server behind the `IMAPTransport` protocol: enough of RFC 3501 for the
/// session's commands, delivering its output in seeded random chunks so the session is
/// exercised with arbitrary network cuts.
final class FakeIMAPServer: IMAPTransport {
    struct Message {
        var uid: UInt32
        var header: [UInt8]
        var structure: String
        /// Body sections by IMAP section name ("1", "1.2").
        var sections: [String: [UInt8]]
        var flags: [String] = []
        var size: Int { header.count + sections.values.reduce(0) { $0 + $1.count } }
    }

    var messages: [Message] = []
    var capabilities = "IMAP4rev1 LITERAL+ IDLE CONDSTORE SPECIAL-USE LIST-EXTENDED"
    var listLines: [String] = ["* LIST (\\HasNoChildren) \"/\" INBOX"]
    var uidValidity: UInt32 = 1000
    var highestModSeq: UInt64? = 77
    /// Answer nothing from this command on (a stalled server).
    var stallOnCommand: String?
    /// Close the connection when this command arrives.
    var closeOnCommand: String?
    /// Untagged lines pushed once an IDLE starts.
    var idleUpdates: [String] = []
    /// Replaces the normal answer for a command verb; gets the tag.
    var override: [String: (String) -> [UInt8]] = [:]

    private(set) var commandLines: [String] = []
    private var inbound: [UInt8] = []
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var generator: SeededGenerator
    private let maxChunk: Int
    private var closed = false
    private var stalled = false
    private var idleTag: String?

    init(seed: UInt64 = 1, maxChunk: Int = 4096) {
        generator = SeededGenerator(seed: seed)
        self.maxChunk = maxChunk
    }

    // MARK: IMAPTransport

    func send(_ bytes: [UInt8], timeout: Duration) throws {
        guard !closed else { throw IMAPError(.connectionClosed(bye: nil)) }
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
        let count = min(available, buffer.count, Int.random(in: 1...maxChunk, using: &generator))
        outbound.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + outboundOffset, byteCount: count)
        }
        outboundOffset += count
        return .received(count)
    }

    func close() { closed = true }

    // MARK: Server

    private func emit(_ text: String) { outbound += Array(text.utf8) }
    private func emit(_ bytes: [UInt8]) { outbound += bytes }

    private func handle(_ line: String) {
        commandLines.append(line)
        if stalled { return }
        if let idleTag, line == "DONE" {
            emit("\(idleTag) OK Idle completed.\r\n")
            self.idleTag = nil
            return
        }
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count >= 2 else { return emit("* BAD junk\r\n") }
        let tag = parts[0]
        var verb = parts[1].uppercased()
        var rest = parts.count > 2 ? parts[2] : ""
        if verb == "UID", let space = rest.firstIndex(of: " ") {
            verb = "UID " + rest[..<space].uppercased()
            rest = String(rest[rest.index(after: space)...])
        }
        if verb == stallOnCommand { stalled = true; return }
        if verb == closeOnCommand {
            // Half a response, then the connection drops.
            emit("* 1 FETCH (UID 1 BODY[HEADER] {100}\r\nSubject: cut")
            closed = true
            return
        }
        if let custom = override[verb] { return emit(custom(tag)) }
        switch verb {
        case "CAPABILITY":
            emit("* CAPABILITY \(capabilities)\r\n\(tag) OK done\r\n")
        case "LIST":
            for entry in listLines { emit(entry + "\r\n") }
            emit("\(tag) OK List completed.\r\n")
        case "EXAMINE":
            emit("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* \(messages.count) EXISTS\r\n* 0 RECENT\r\n")
            emit("* OK [UIDVALIDITY \(uidValidity)] UIDs valid\r\n")
            emit("* OK [UIDNEXT \((messages.map(\.uid).max() ?? 0) + 1)] Predicted next UID\r\n")
            if let highestModSeq, rest.uppercased().contains("(CONDSTORE)") {
                emit("* OK [HIGHESTMODSEQ \(highestModSeq)] Highest\r\n")
            }
            emit("\(tag) OK [READ-ONLY] Examine completed.\r\n")
        case "UID SEARCH":
            let set = rest.split(separator: " ").last.map(String.init) ?? ""
            let uids = messages.filter { Self.contains(set, $0.uid, max: messages.map(\.uid).max() ?? 0) }.map(\.uid)
            emit("* SEARCH" + uids.map { " \($0)" }.joined() + "\r\n\(tag) OK Search completed.\r\n")
        case "UID FETCH":
            fetch(tag: tag, arguments: rest)
        case "NOOP":
            emit("\(tag) OK NOOP completed.\r\n")
        case "IDLE":
            idleTag = tag
            emit("+ idling\r\n")
            for update in idleUpdates { emit(update + "\r\n") }
        case "LOGOUT":
            emit("* BYE Logging out\r\n\(tag) OK Logout completed.\r\n")
            closed = true
        default:
            emit("\(tag) BAD Unknown command \(verb)\r\n")
        }
    }

    private func fetch(tag: String, arguments: String) {
        guard let space = arguments.firstIndex(of: " ") else { return emit("\(tag) BAD fetch\r\n") }
        let set = String(arguments[..<space])
        let items = arguments[arguments.index(after: space)...].uppercased()
        let highest = messages.map(\.uid).max() ?? 0
        for (index, message) in messages.enumerated() where Self.contains(set, message.uid, max: highest) {
            var response = Array("* \(index + 1) FETCH (UID \(message.uid)".utf8)
            if items.contains("FLAGS") { response += Array(" FLAGS (\(message.flags.joined(separator: " ")))".utf8) }
            if items.contains("RFC822.SIZE") { response += Array(" RFC822.SIZE \(message.size)".utf8) }
            if items.contains("INTERNALDATE") { response += Array(" INTERNALDATE \"01-Feb-2024 10:00:00 +0100\"".utf8) }
            if items.contains("BODYSTRUCTURE") { response += Array(" BODYSTRUCTURE \(message.structure)".utf8) }
            if items.contains("BODY.PEEK[HEADER]") {
                response += Array(" BODY[HEADER] {\(message.header.count)}\r\n".utf8) + message.header
            }
            var searchStart = items.startIndex
            while let range = items.range(of: "BODY.PEEK[", range: searchStart..<items.endIndex) {
                searchStart = range.upperBound
                let spec = items[range.upperBound...]
                let section = String(spec.prefix { $0 != "]" })
                guard section != "HEADER" else { continue }
                let partial = spec.drop { $0 != "<" }.dropFirst().prefix { $0 != ">" }
                let limit = Int(partial.split(separator: ".").last!)!
                let data = Array((message.sections[section] ?? []).prefix(limit))
                response += Array(" BODY[\(section)]<0> {\(data.count)}\r\n".utf8) + data
            }
            if items.contains("BODY[") && !items.contains("BODY.PEEK[") {
                // A fetch without PEEK would set \Seen on a real server.
                messages[index].flags.append("\\Seen")
            }
            emit(response + Array(")\r\n".utf8))
        }
        emit("\(tag) OK Fetch completed.\r\n")
    }

    /// Whether `uid` is in a sequence set such as `1:5,7,9:*`.
    static func contains(_ set: String, _ uid: UInt32, max: UInt32) -> Bool {
        for piece in set.split(separator: ",") {
            let bounds = piece.split(separator: ":").map { $0 == "*" ? max : UInt32($0)! }
            let low = bounds.min()!, high = bounds.max()!
            if (low...high).contains(uid) { return true }
        }
        return false
    }
}

extension FakeIMAPServer {
    /// A plain single-part message with the given body.
    static func textMessage(uid: UInt32, subject: String, body: [UInt8]) -> Message {
        let header = Array("Subject: \(subject)\r\nFrom: a@example.com\r\n\r\n".utf8)
        let structure = "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" \(body.count) 1 NIL NIL NIL NIL)"
        return Message(uid: uid, header: header, structure: structure, sections: ["1": body])
    }
}
