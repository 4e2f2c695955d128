/// Removes credentials from libcurl's verbose trace before anyone sees it.
///
/// libcurl's debug callback hands over `AUTHENTICATE PLAIN <base64 user\0password>`, `LOGIN user
/// password`, SMTP `AUTH PLAIN …` and the bare base64 lines of a SASL exchange, bearer tokens
/// included (DESIGN §3). The rules work on whole lines and fail closed:
/// - an outgoing IMAP `AUTHENTICATE` / SMTP `AUTH` keeps only the mechanism name;
/// - an outgoing IMAP `LOGIN` keeps only the command word;
/// - any outgoing line that is a single token and not a known argument-less command is a SASL
///   continuation answer and is replaced entirely;
/// - every secret the handle was given is scrubbed from every line, in any direction.
/// Lines are bounded and control characters escaped, so hostile server text cannot forge log lines.
struct DebugRedactor: Sendable {
    static let placeholder = "<redacted>"
    static let maximumLineLength = 1_000

    /// Argument-less commands that may appear alone on a line (SMTP and IMAP's `DONE`).
    private static let bareCommands: Set<String> = [
        "QUIT", "DATA", "RSET", "NOOP", "STARTTLS", "DONE", "HELP", "TURN",
    ]

    var secrets: [String] = []

    func redactSent(_ line: String) -> String {
        bounded(scrub(redactCommand(line)))
    }

    func redactOther(_ line: String) -> String {
        bounded(scrub(line))
    }

    private func redactCommand(_ line: String) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let first = words.first, !first.isEmpty else { return line }
        if words.count == 1 {
            return Self.bareCommands.contains(first.uppercased()) ? line : Self.placeholder
        }
        // SMTP: "AUTH MECH [initial-response]".
        if first.uppercased() == "AUTH" {
            return words.count > 2 ? "\(first) \(words[1]) \(Self.placeholder)" : line
        }
        // IMAP: "TAG AUTHENTICATE MECH [initial-response]" and "TAG LOGIN user password".
        let command = words[1].uppercased()
        if command == "AUTHENTICATE" {
            return words.count > 3 ? "\(first) \(words[1]) \(words[2]) \(Self.placeholder)" : line
        }
        if command == "LOGIN" {
            return "\(first) \(words[1]) \(Self.placeholder)"
        }
        return line
    }

    private func scrub(_ line: String) -> String {
        var result = line
        for secret in secrets where !secret.isEmpty && result.contains(secret) {
            result = result.replacingAll(secret, with: Self.placeholder)
        }
        return result
    }

    private func bounded(_ line: String) -> String {
        var output = ""
        var count = 0
        for scalar in line.unicodeScalars {
            if count >= Self.maximumLineLength {
                output += "…(truncated)"
                break
            }
            if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
                output += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                output.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return output
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        // Plain splitting keeps this free of Foundation and of regex metacharacter surprises.
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }

    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
