/// The raw, untyped content of a git-config style file:
///
///     [section]
///     key = value            ; comment
///     [section "subsection"]
///     key = "quoted ; value" # comment
///
/// Section and key names are case-insensitive; subsection names are case-sensitive.
/// Every entry remembers its line so typed errors can point at it.
public struct ConfigFile: Sendable {
    public struct Entry: Sendable {
        public let key: String
        public let value: String
        public let line: Int
    }

    public struct Section: Sendable {
        public let name: String
        public let subsection: String?
        public let line: Int
        public internal(set) var entries: [Entry]

        /// `[mailbox "sales"]` as written back in error messages.
        public var displayName: String {
            subsection.map { "[\(name) \"\($0)\"]" } ?? "[\(name)]"
        }
    }

    public let path: String
    public private(set) var sections: [Section] = []

    /// Bounded, because a config is small and an accidental binary file must not eat memory.
    public static let maximumBytes = 1 << 20

    public init(path: String, text: String) throws(ConfigError) {
        self.path = path
        if text.utf8.count > Self.maximumBytes {
            throw ConfigError(path: path, line: nil, section: nil, key: nil,
                              message: "file is larger than \(Self.maximumBytes) bytes; is this really the config?")
        }
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            if lineNumber == 1, line.first == "\u{FEFF}" { line = line.dropFirst() }
            let trimmed = line.trimmingConfigSpace()
            if trimmed.isEmpty || trimmed.first == ";" || trimmed.first == "#" { continue }
            if trimmed.first == "[" {
                sections.append(try parseHeader(trimmed, line: lineNumber))
                continue
            }
            guard !sections.isEmpty else {
                throw error(lineNumber, nil, "'\(trimmed)' appears before any [section]")
            }
            let entry = try parseEntry(trimmed, line: lineNumber, section: sections[sections.count - 1])
            sections[sections.count - 1].entries.append(entry)
        }
    }

    private func error(_ line: Int, _ section: Section?, _ message: String) -> ConfigError {
        ConfigError(path: path, line: line, section: section?.displayName, key: nil, message: message)
    }

    private func parseHeader(_ text: Substring, line: Int) throws(ConfigError) -> Section {
        let body = stripComment(text)
        guard body.last == "]" else { throw error(line, nil, "section header '\(text)' is missing its closing ']'") }
        let inner = body.dropFirst().dropLast().trimmingConfigSpace()
        if let quote = inner.firstIndex(of: "\"") {
            let name = inner[..<quote].trimmingConfigSpace()
            let rest = inner[inner.index(after: quote)...]
            guard rest.last == "\"", rest.count >= 1 else {
                throw error(line, nil, "section header '\(text)': the subsection name needs a closing '\"'")
            }
            let sub = String(rest.dropLast())
            try validateName(name, line: line, what: "section name")
            guard !sub.isEmpty else { throw error(line, nil, "section header '\(text)': empty subsection name") }
            return Section(name: name.lowercased(), subsection: sub, line: line, entries: [])
        }
        try validateName(inner, line: line, what: "section name")
        return Section(name: inner.lowercased(), subsection: nil, line: line, entries: [])
    }

    private func validateName(_ name: Substring, line: Int, what: String) throws(ConfigError) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw error(line, nil, "invalid \(what) '\(name)': use letters, digits and '-'")
        }
    }

    private func parseEntry(_ text: Substring, line: Int, section: Section) throws(ConfigError) -> Entry {
        guard let equals = text.firstIndex(of: "=") else {
            throw ConfigError(path: path, line: line, section: section.displayName, key: nil,
                              message: "expected 'key = value', found '\(text)'")
        }
        let key = text[..<equals].trimmingConfigSpace()
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ConfigError(path: path, line: line, section: section.displayName, key: nil,
                              message: "invalid key '\(key)': use letters, digits and '-'")
        }
        let value = try parseValue(text[text.index(after: equals)...], line: line, section: section, key: key)
        return Entry(key: key.lowercased(), value: value, line: line)
    }

    /// Unquoted text ends at `;` or `#`; double quotes keep them literal and support \" \\ \n \t.
    private func parseValue(_ text: Substring, line: Int, section: Section, key: Substring) throws(ConfigError) -> String {
        var out = ""
        var inQuotes = false
        var pendingSpace = ""
        var iterator = text.trimmingConfigSpace().makeIterator()
        while let ch = iterator.next() {
            if inQuotes {
                switch ch {
                case "\"": inQuotes = false
                case "\\":
                    guard let next = iterator.next() else { break }
                    switch next {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\", "\"": out.append(next)
                    default:
                        throw ConfigError(path: path, line: line, section: section.displayName, key: String(key),
                                          message: "unknown escape '\\\(next)' in quoted value")
                    }
                default: out.append(ch)
                }
                continue
            }
            switch ch {
            case ";", "#":
                return out
            case "\"":
                out += pendingSpace; pendingSpace = ""
                inQuotes = true
            case " ", "\t":
                pendingSpace.append(ch)
            default:
                out += pendingSpace; pendingSpace = ""
                out.append(ch)
            }
        }
        if inQuotes {
            throw ConfigError(path: path, line: line, section: section.displayName, key: String(key),
                              message: "quoted value is missing its closing '\"'")
        }
        return out
    }

    private func stripComment(_ text: Substring) -> Substring {
        var inQuotes = false
        for index in text.indices {
            let ch = text[index]
            if ch == "\"" { inQuotes.toggle() }
            if !inQuotes, ch == ";" || ch == "#" { return text[..<index].trimmingConfigSpace() }
        }
        return text
    }
}

extension Substring {
    func trimmingConfigSpace() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
