import Foundation

/// Where a secret lives. Secrets never sit in the config file or on the command line: a file
/// (readable only by the service) or a systemd credential (`LoadCredential=` →
/// `$CREDENTIALS_DIRECTORY/NAME`).
public enum SecretSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case credential(String)

    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .credential(let name): "systemd credential \(name)"
        }
    }

    /// Reads the secret, trimming one trailing newline (editors add it; tokens never contain it).
    public func read(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecretError) -> String {
        let path: String
        switch self {
        case .file(let p): path = p
        case .credential(let name):
            guard let dir = environment["CREDENTIALS_DIRECTORY"] else {
                throw SecretError(source: self, reason: "$CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit, or password-file =)")
            }
            path = dir + "/" + name
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretError(source: self, reason: "cannot read \(path) (missing, or not readable by this user)")
        }
        guard data.count <= 64 * 1024, var text = String(data: data, encoding: .utf8) else {
            throw SecretError(source: self, reason: "\(path) is not a UTF-8 text file of at most 64 KiB")
        }
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw SecretError(source: self, reason: "\(path) is empty") }
        guard !text.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\0" }) else {
            throw SecretError(source: self, reason: "\(path) must hold one line")
        }
        return text
    }
}

public struct SecretError: Error, CustomStringConvertible, Sendable {
    public let source: SecretSource
    public let reason: String
    public var description: String { "secret from \(source): \(reason)" }
}

/// How a mail connection is protected. `none` exists only when an admin writes it for one mailbox.
public enum TLSMode: String, Sendable, Equatable {
    case implicit, starttls, none
}

public enum MailAuthMechanism: String, Sendable, Equatable {
    case password, xoauth2, oauthbearer
}

public enum UnmatchedPolicy: String, Sendable, Equatable {
    case ignore, record, create
}

public struct MailboxConfig: Sendable, Equatable {
    public var name: String
    public var url: String
    public var host: String
    public var port: Int
    public var tls: TLSMode
    public var caFile: String?
    public var user: String
    public var auth: MailAuthMechanism
    public var secret: SecretSource
    /// Folder names; `\Sent` stands for the server's SPECIAL-USE Sent folder, whatever it is called.
    public var folders: [String]
    public var pollInterval: Duration
    public var idle: Bool
    public var since: Date?
    public var batchSize: Int
    public var textFetchBytes: Int
    public var enabled: Bool
}

public struct SMTPConfig: Sendable, Equatable {
    public var url: String
    public var tls: TLSMode
    public var caFile: String?
    public var user: String?
    public var secret: SecretSource?
    public var from: String
    public var timeout: Duration
}

public struct MatchingConfig: Sendable, Equatable {
    public var unmatched: UnmatchedPolicy = .ignore
    public var stripPlusTags = true
    public var extraFreeMailDomains: [String] = []
    public var ignoreAddresses: [String] = []
    /// A message whose headers name no thread joins the nearest one with its subject and participants this close.
    public var threadWindow: Duration = ThreadWindow.defaultWindow
}

public struct RemindersConfig: Sendable, Equatable {
    public var enabled = true
    public var scheduleHour = 8
    public var scheduleMinute = 0
    public var defaultOwner: String?
    /// Probability that an alive customer would already have re-ordered by now; above it the order is late.
    public var lateThreshold = 0.8
    /// P(alive) at or above which a late customer is "due"; below it, "win-back".
    public var aliveThreshold = 0.5
    public var firstRepeatAfter: Duration = .seconds(45 * 86_400)
    public var horizon: Duration = .seconds(90 * 86_400)
    public var maxPerDigest = 50
}

public struct IngestConfig: Sendable, Equatable {
    public var maxConnections = 8
    public var quarantineAfter = 3
    public var maxMessageBytes = 64 << 20
    public var backoffInitial: Duration = .seconds(5)
    public var backoffMax: Duration = .seconds(15 * 60)
}

/// The whole, validated configuration. Built only through `Config.load`/`Config.parse`,
/// so every instance has passed every offline check.
public struct Config: Sendable, Equatable {
    public var path: String
    public var databaseURL: String
    public var companyDomains: [String]
    public var timeZone: String
    public var mailboxes: [MailboxConfig]
    public var smtp: SMTPConfig?
    public var matching: MatchingConfig
    public var reminders: RemindersConfig
    public var ingest: IngestConfig
    public var logLevel: LogLevel

    public static let defaultPath = "/etc/touchpoint/touchpoint.conf"

    public static func load(path: String) throws(ConfigError) -> Config {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(path: path, line: nil, section: nil, key: nil,
                              message: "cannot read the file (missing or not readable); pass --config PATH")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, line: nil, section: nil, key: nil, message: "the file is not valid UTF-8")
        }
        return try parse(path: path, text: text)
    }

    public static func parse(path: String, text: String) throws(ConfigError) -> Config {
        try ConfigBuilder(file: ConfigFile(path: path, text: text)).build()
    }
}
