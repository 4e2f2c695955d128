import Foundation
import MIME

/// `touchpoint inspect [--json] FILE…`: how each message parses, one result per file.
struct InspectCommand: Command {
    let name = "inspect"
    let summary = "show how message files parse (JSON Lines with --json)"
    let help = """
    Usage: touchpoint inspect [--json] FILE...

    Parses each message file (RFC 5322 / MIME, as fetched from a mailbox) and prints what
    Touchpoint reads from it: identifiers, date, addresses, subject, the text used for the
    snippet, attachments, whether it is automated mail, and any defects found. A message that
    parses badly still prints a result with its defects. Use `-` to read one message from stdin.

    Options:
      --json    one JSON object per file (JSON Lines) with the fields file, message_id,
                in_reply_to, references, date (RFC 3339 UTC), subject, from, to, cc, reply_to
                ({"name","address"} lists), text, attachments ({"filename","content_type",
                "size"}), automated, defects

    Exit status: 0 when every file was read, 66 when a file cannot be read (the others are
    still printed).

    """
    let spec = Arguments.Spec(flags: ["--json"])

    /// A message file larger than this is refused rather than read into memory.
    static let maximumFileBytes = 256 << 20

    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard !arguments.positionals.isEmpty else { throw CommandFailure.usage("name at least one message FILE") }
        let parser = MessageParser()
        var status = ExitCode.success
        for path in arguments.positionals {
            let bytes: [UInt8]
            do {
                bytes = try Self.read(path)
            } catch {
                context.io.err("touchpoint inspect: \(path): \(error)\n")
                status = .noInput
                continue
            }
            let message = parser.parse(bytes)
            if arguments.has("--json") {
                context.io.out(message.inspectJSON(file: path) + "\n")
            } else {
                context.io.out(Self.describe(message, file: path))
            }
        }
        return status
    }

    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        var info = stat()
        guard stat(path, &info) == 0 else { throw ReadError(description: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ReadError(description: "not a regular file") }
        guard Int(info.st_size) <= maximumFileBytes else {
            throw ReadError(description: "larger than \(maximumFileBytes >> 20) MiB; not a single message?")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "cannot read (permission denied?)")
        }
        return Array(data)
    }

    static func describe(_ message: ParsedMessage, file: String) -> String {
        func mailboxes(_ list: [Mailbox]) -> String {
            list.isEmpty ? "-" : list.map(\.description).joined(separator: ", ")
        }
        var out = "\(file)\n"
        out += "  Message-ID:  \(message.messageID.map { "<\($0)>" } ?? "(none)")\n"
        if !message.inReplyTo.isEmpty { out += "  In-Reply-To: \(message.inReplyTo.map { "<\($0)>" }.joined(separator: " "))\n" }
        if !message.references.isEmpty { out += "  References:  \(message.references.count) message(s), root <\(message.references[0])>\n" }
        out += "  Date:        \(message.date.map(DateParser.rfc3339) ?? "(none or unreadable)")\n"
        out += "  From:        \(mailboxes(message.from))\n"
        out += "  To:          \(mailboxes(message.to))\n"
        if !message.cc.isEmpty { out += "  Cc:          \(mailboxes(message.cc))\n" }
        if !message.replyTo.isEmpty { out += "  Reply-To:    \(mailboxes(message.replyTo))\n" }
        out += "  Subject:     \(message.subject ?? "(none)")\n"
        if let automated = message.automated { out += "  Automated:   \(automated)\n" }
        for attachment in message.attachments {
            out += "  Attachment:  \(attachment.filename ?? "(unnamed)") (\(attachment.contentType), \(attachment.size) bytes)\n"
        }
        for defect in message.defects { out += "  Defect:      \(defect)\n" }
        if let text = message.text {
            let flattened = text.split(whereSeparator: \.isNewline).joined(separator: " ")
            let snippet = flattened.count > 300 ? String(flattened.prefix(300)) + "…" : flattened
            out += "  Text:        \(snippet)\n"
        } else {
            out += "  Text:        (no text part)\n"
        }
        return out
    }
}
