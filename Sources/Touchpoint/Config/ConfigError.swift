/// A configuration problem, pointing at the file, line, section and key an admin must edit:
/// `touchpoint.conf:14: [mailbox "sales"] poll-interval: "6O" is not a duration`.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let line: Int?
    public let section: String?
    public let key: String?
    public let message: String

    public init(path: String, line: Int?, section: String?, key: String?, message: String) {
        self.path = path
        self.line = line
        self.section = section
        self.key = key
        self.message = message
    }

    public var description: String {
        var out = path
        if let line { out += ":\(line)" }
        out += ":"
        if let section { out += " " + section }
        if let key { out += " " + key + ":" }
        return out + " " + message
    }
}
