/// A password or token. Printing, interpolating, dumping or mirroring it yields "<redacted>",
/// so a secret cannot reach a log by accident; reading it needs the explicit `exposedValue`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret itself. Only hand this to the code that sends it to the server.
    public var exposedValue: String { value }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
