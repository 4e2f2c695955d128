/// A contact's id in the store.
public struct ContactID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (l: ContactID, r: ContactID) -> Bool { l.rawValue < r.rawValue }
    public var description: String { String(rawValue) }
}

/// An account's (company's) id in the store.
public struct AccountID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public static func < (l: AccountID, r: AccountID) -> Bool { l.rawValue < r.rawValue }
    public var description: String { String(rawValue) }
}
