/// A message's unique identifier within one mailbox generation (RFC 3501 §2.3.1.1).
/// Only meaningful together with the mailbox's `UIDValidity`.
public struct UID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// UIDs start at 1; 0 never names a message.
    public static let first = UID(1)
    public static let highest = UID(UInt32.max)

    public static func < (lhs: UID, rhs: UID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The generation number of a mailbox's UIDs; when it changes, every stored UID is void.
public struct UIDValidity: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public var description: String { String(rawValue) }
}

/// A CONDSTORE modification sequence (RFC 7162): 63-bit unsigned.
public struct ModSequence: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: ModSequence, rhs: ModSequence) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

extension ClosedRange where Bound == UID {
    /// The IMAP sequence-set form, `a:b` (or `a` for a single UID).
    public var imapSet: String {
        lowerBound == upperBound ? "\(lowerBound)" : "\(lowerBound):\(upperBound)"
    }

    /// Number of UIDs the range spans (not how many messages exist in it).
    public var width: UInt64 { UInt64(upperBound.rawValue) - UInt64(lowerBound.rawValue) + 1 }
}
