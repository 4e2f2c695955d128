import Foundation

/// Turns a `ConfigFile` into a `Config`, checking everything that can be checked offline.
struct ConfigBuilder {
    let file: ConfigFile

    static let maxThreadWindow: Duration = .seconds(365 * 86_400)

    private static let knownSections: Set<String> = ["database", "company", "mailbox", "smtp", "matching", "reminders", "ingest", "log"]

    func build() throws(ConfigError) -> Config {
        var seen: [String: ConfigFile.Section] = [:]
        for section in file.sections {
            guard Self.knownSections.contains(section.name) else {
                throw ConfigError(path: file.path, line: section.line, section: section.displayName, key: nil,
                                  message: "unknown section (known: \(Self.knownSections.sorted().joined(separator: ", ")))")
            }
            let id = section.displayName
            if let earlier = seen[id] {
                throw ConfigError(path: file.path, line: section.line, section: id, key: nil,
                                  message: "appears twice (first at line \(earlier.line)); merge the two")
            }
            if section.name == "mailbox", section.subsection == nil {
                throw ConfigError(path: file.path, line: section.line, section: id, key: nil,
                                  message: "a mailbox needs a name: [mailbox \"sales\"]")
            }
            if section.name != "mailbox", section.subsection != nil {
                throw ConfigError(path: file.path, line: section.line, section: id, key: nil,
                                  message: "[\(section.name)] takes no subsection name")
            }
            seen[id] = section
        }
        func single(_ name: String) -> ConfigFile.Section? { file.sections.first { $0.name == name } }

        guard let databaseSection = single("database") else {
            throw ConfigError(path: file.path, line: nil, section: "[database]", key: nil,
                              message: "missing section; add [database] with url = postgresql:///touchpoint?host=/run/postgresql")
        }
        var database = SectionReader(file: file, section: databaseSection)
        let databaseURL = try database.requiredString("url", hint: "a libpq URL, e.g. postgresql:///touchpoint?host=/run/postgresql")
        try database.rejectUnknownKeys()

        guard let companySection = single("company") else {
            throw ConfigError(path: file.path, line: nil, section: "[company]", key: nil,
                              message: "missing section; add [company] with domains = your-company.example")
        }
        var company = SectionReader(file: file, section: companySection)
        let domains = (company.list("domains") ?? []).map { $0.lowercased() }
        guard !domains.isEmpty else {
            throw company.error(nil, "missing required key 'domains' (the company's own mail domains decide direction)")
        }
        for domain in domains where !Self.isPlausibleDomain(domain) {
            throw company.error("domains", "\"\(domain)\" is not a domain name")
        }
        let timeZone = company.string("timezone") ?? "UTC"
        guard TimeZone(identifier: timeZone) != nil else {
            throw company.error("timezone", "\"\(timeZone)\" is not an IANA time zone (e.g. Europe/Budapest)")
        }
        try company.rejectUnknownKeys()

        var mailboxes: [MailboxConfig] = []
        for section in file.sections where section.name == "mailbox" {
            mailboxes.append(try MailboxConfigBuilder(file: file, section: section).build())
        }

        let smtp = try single("smtp").map { section throws(ConfigError) in
            try SMTPConfigBuilder(file: file, section: section).build()
        }

        var matching = MatchingConfig()
        if let section = single("matching") {
            var reader = SectionReader(file: file, section: section)
            matching.unmatched = try reader.choice("unmatched", ["ignore": .ignore, "record": .record, "create": .create], default: .ignore)
            matching.stripPlusTags = try reader.bool("strip-plus-tags", default: true)
            matching.extraFreeMailDomains = (reader.list("free-mail-domains") ?? []).map { $0.lowercased() }
            matching.ignoreAddresses = (reader.list("ignore-addresses") ?? []).map { $0.lowercased() }
            matching.threadWindow = try reader.duration("thread-window", default: matching.threadWindow)
            if matching.threadWindow > Self.maxThreadWindow {
                throw reader.error("thread-window", "must be at most \(DurationText.describe(Self.maxThreadWindow)) (a longer window chains unrelated mail with a recurring subject)")
            }
            try reader.rejectUnknownKeys()
        }

        var reminders = RemindersConfig()
        if let section = single("reminders") {
            var reader = SectionReader(file: file, section: section)
            reminders.enabled = try reader.bool("enabled", default: true)
            if let time = try reader.parsed("schedule", expected: "a time of day HH:MM", ConfigValues.timeOfDay) {
                reminders.scheduleHour = time.hour
                reminders.scheduleMinute = time.minute
            }
            reminders.defaultOwner = reader.string("default-owner")
            if let owner = reminders.defaultOwner, !Self.isPlausibleAddress(owner) {
                throw reader.error("default-owner", "\"\(owner)\" is not an email address")
            }
            reminders.lateThreshold = try reader.number("late-threshold", default: reminders.lateThreshold, range: 0.5...0.999)
            reminders.aliveThreshold = try reader.number("alive-threshold", default: reminders.aliveThreshold, range: 0.01...0.99)
            reminders.firstRepeatAfter = try reader.duration("first-repeat-after", default: reminders.firstRepeatAfter, min: .seconds(86_400))
            reminders.horizon = try reader.duration("horizon", default: reminders.horizon, min: .seconds(86_400))
            reminders.maxPerDigest = try reader.integer("max-per-digest", default: reminders.maxPerDigest, range: 1...1000)
            try reader.rejectUnknownKeys()
            if reminders.enabled, smtp == nil {
                throw ConfigError(path: file.path, line: section.line, section: "[reminders]", key: nil,
                                  message: "reminders are enabled but there is no [smtp] section to send them; add [smtp] or set enabled = no")
            }
        }

        var ingest = IngestConfig()
        if let section = single("ingest") {
            var reader = SectionReader(file: file, section: section)
            ingest.maxConnections = try reader.integer("max-connections", default: ingest.maxConnections, range: 1...256)
            ingest.quarantineAfter = try reader.integer("quarantine-after", default: ingest.quarantineAfter, range: 1...100)
            ingest.maxMessageBytes = try reader.byteSize("max-message-size", default: ingest.maxMessageBytes, range: (64 << 10)...(1 << 30))
            ingest.backoffInitial = try reader.duration("backoff-initial", default: ingest.backoffInitial, min: .milliseconds(100))
            ingest.backoffMax = try reader.duration("backoff-max", default: ingest.backoffMax, min: ingest.backoffInitial)
            try reader.rejectUnknownKeys()
        }

        var logLevel = LogLevel.info
        if let section = single("log") {
            var reader = SectionReader(file: file, section: section)
            logLevel = try reader.parsed("level", expected: "error, warn, notice, info or debug", LogLevel.init(name:)) ?? .info
            try reader.rejectUnknownKeys()
        }

        return Config(path: file.path, databaseURL: databaseURL, companyDomains: domains, timeZone: timeZone,
                      mailboxes: mailboxes, smtp: smtp, matching: matching, reminders: reminders, ingest: ingest,
                      logLevel: logLevel)
    }

    static func isPlausibleDomain(_ text: String) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }

    static func isPlausibleAddress(_ text: String) -> Bool {
        let address = text.split(separator: "<").last.map { String($0.split(separator: ">").first ?? "") } ?? text
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && isPlausibleDomain(String(parts[1]))
            && !address.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" || $0 == "\0" })
    }
}

/// Secrets may come from `password-file`/`oauth2-token-file` or a systemd credential name.
private func secretSource(_ reader: inout SectionReader, fileKey: String, credentialKey: String) throws(ConfigError) -> SecretSource? {
    let path = reader.string(fileKey)
    let credential = reader.string(credentialKey)
    switch (path, credential) {
    case (let p?, nil):
        guard p.hasPrefix("/") else { throw reader.error(fileKey, "\"\(p)\" must be an absolute path") }
        return .file(p)
    case (nil, let c?):
        guard !c.contains("/"), !c.isEmpty else { throw reader.error(credentialKey, "\"\(c)\" must be a credential name, not a path") }
        return .credential(c)
    case (nil, nil): return nil
    case (_?, _?): throw reader.error(credentialKey, "set either \(fileKey) or \(credentialKey), not both")
    }
}

struct MailboxConfigBuilder {
    let file: ConfigFile
    let section: ConfigFile.Section

    func build() throws(ConfigError) -> MailboxConfig {
        var reader = SectionReader(file: file, section: section)
        let name = section.subsection ?? ""
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." || $0 == "@" }) else {
            throw reader.error(nil, "mailbox name \"\(name)\" may contain only letters, digits, '-', '_', '.', '@'")
        }
        let url = try reader.requiredString("url", hint: "e.g. imaps://imap.example.com/")
        guard let endpoint = Endpoint(url: url, defaultTLS: ["imaps": .implicit, "imap": .starttls]) else {
            throw reader.error("url", "\"\(url)\" is not an imaps:// or imap:// URL with a host")
        }
        let user = try reader.requiredString("user", hint: "the login name, e.g. sales@example.com")
        if reader.string("password") != nil {
            throw reader.error("password", "passwords are never written in the config: put it in a file (password-file = /etc/touchpoint/NAME.secret, mode 0600) or a systemd credential (password-credential = NAME)")
        }
        let passwordSecret = try secretSource(&reader, fileKey: "password-file", credentialKey: "password-credential")
        let tokenSecret = try secretSource(&reader, fileKey: "oauth2-token-file", credentialKey: "oauth2-token-credential")
        let auth: MailAuthMechanism
        let secret: SecretSource
        switch (passwordSecret, tokenSecret) {
        case (let p?, nil): auth = .password; secret = p
        case (nil, let t?):
            auth = try reader.choice("oauth2-mechanism", ["xoauth2": .xoauth2, "oauthbearer": .oauthbearer], default: .xoauth2)
            secret = t
        case (nil, nil): throw reader.error(nil, "missing credentials: set password-file, password-credential, oauth2-token-file or oauth2-token-credential")
        case (_?, _?): throw reader.error(nil, "set a password or an OAuth2 token, not both")
        }
        _ = reader.string("oauth2-mechanism")
        var tls = endpoint.tls
        if let raw = reader.string("tls") {
            switch raw.lowercased() {
            case "implicit" where endpoint.scheme == "imaps", "required" where endpoint.scheme == "imaps": tls = .implicit
            case "starttls" where endpoint.scheme == "imap", "required" where endpoint.scheme == "imap": tls = .starttls
            case "none" where endpoint.scheme == "imap": tls = .none
            default:
                throw reader.error("tls", "\"\(raw)\" does not fit \(endpoint.scheme)://: use imaps:// for implicit TLS, imap:// with tls = starttls (the default), or imap:// with tls = none to allow plaintext on a trusted network")
            }
        }
        let caFile = reader.string("ca-file")
        if let caFile, !caFile.hasPrefix("/") { throw reader.error("ca-file", "\"\(caFile)\" must be an absolute path") }
        let folders = reader.list("folders") ?? ["INBOX", "\\Sent"]
        guard !folders.isEmpty else { throw reader.error("folders", "lists no folder") }
        for folder in folders where folder.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" || $0 == "*" || $0 == "%" }) {
            throw reader.error("folders", "\"\(folder)\" contains a character that cannot be in a folder name")
        }
        let config = MailboxConfig(
            name: name, url: url, host: endpoint.host, port: endpoint.port, tls: tls, caFile: caFile, user: user,
            auth: auth, secret: secret, folders: folders,
            pollInterval: try reader.duration("poll-interval", default: .seconds(60), min: .seconds(1)),
            idle: try reader.bool("idle", default: true),
            since: try reader.parsed("since", expected: "a date YYYY-MM-DD", ConfigValues.date),
            batchSize: try reader.integer("batch-size", default: 500, range: 1...5000),
            textFetchBytes: try reader.byteSize("text-fetch-size", default: 64 << 10, range: 1024...(16 << 20)),
            enabled: try reader.bool("enabled", default: true))
        try reader.rejectUnknownKeys()
        return config
    }
}

struct SMTPConfigBuilder {
    let file: ConfigFile
    let section: ConfigFile.Section

    func build() throws(ConfigError) -> SMTPConfig {
        var reader = SectionReader(file: file, section: section)
        let url = try reader.requiredString("url", hint: "e.g. smtp://smtp.example.com:587")
        guard let endpoint = Endpoint(url: url, defaultTLS: ["smtps": .implicit, "smtp": .starttls]) else {
            throw reader.error("url", "\"\(url)\" is not an smtps:// or smtp:// URL with a host")
        }
        var tls = endpoint.tls
        if let raw = reader.string("starttls") {
            switch raw.lowercased() {
            case "required" where endpoint.scheme == "smtp": tls = .starttls
            case "none" where endpoint.scheme == "smtp", "no" where endpoint.scheme == "smtp": tls = .none
            default: throw reader.error("starttls", "\"\(raw)\" does not fit \(endpoint.scheme)://: use required (default) or none with smtp://; smtps:// is always TLS")
            }
        }
        if reader.string("password") != nil {
            throw reader.error("password", "passwords are never written in the config: use password-file = or password-credential =")
        }
        let secret = try secretSource(&reader, fileKey: "password-file", credentialKey: "password-credential")
        let user = reader.string("user")
        if secret != nil, user == nil { throw reader.error(nil, "a password is set but no user") }
        let from = try reader.requiredString("from", hint: "e.g. Touchpoint <touchpoint@example.com>")
        guard ConfigBuilder.isPlausibleAddress(from) else { throw reader.error("from", "\"\(from)\" is not an address") }
        let caFile = reader.string("ca-file")
        if let caFile, !caFile.hasPrefix("/") { throw reader.error("ca-file", "\"\(caFile)\" must be an absolute path") }
        let config = SMTPConfig(url: url, tls: tls, caFile: caFile, user: user, secret: secret, from: from,
                                timeout: try reader.duration("timeout", default: .seconds(60), min: .seconds(1)))
        try reader.rejectUnknownKeys()
        return config
    }
}

/// The scheme, host and port of a mail URL, with the TLS mode its scheme implies.
struct Endpoint {
    let scheme: String
    let host: String
    let port: Int
    let tls: TLSMode

    init?(url: String, defaultTLS: [String: TLSMode]) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let tls = defaultTLS[scheme], let host = components.host, !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host
        self.tls = tls
        let defaults = ["imaps": 993, "imap": 143, "smtps": 465, "smtp": 587]
        self.port = components.port ?? defaults[scheme] ?? 0
    }
}
