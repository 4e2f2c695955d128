/// A message flag or keyword (RFC 3501 §2.3.2). System flags compare case-insensitively,
/// as the RFC says flag names are case-insensitive; the spelling the server sent is kept.
public struct Flag: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let seen = Flag("\\Seen")
    public static let answered = Flag("\\Answered")
    public static let flagged = Flag("\\Flagged")
    public static let deleted = Flag("\\Deleted")
    public static let draft = Flag("\\Draft")
    public static let recent = Flag("\\Recent")

    public static func == (lhs: Flag, rhs: Flag) -> Bool {
        lhs.rawValue.lowercased() == rhs.rawValue.lowercased()
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue.lowercased()) }
    public var description: String { rawValue }
}
