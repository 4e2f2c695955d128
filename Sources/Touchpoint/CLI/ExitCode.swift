/// Process exit statuses, following sysexits(3) so that systemd and scripts can tell a typo in the
/// config (78) from a server that is down (69/75).
public enum ExitCode: Int32, Sendable {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case software = 70
    case ioError = 74
    case temporaryFailure = 75
    case configuration = 78
}

/// An error that ends a command with a specific exit status and a message for the admin.
public struct CommandFailure: Error, CustomStringConvertible {
    public let code: ExitCode
    public let message: String
    public init(_ code: ExitCode, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }

    public static func usage(_ message: String) -> CommandFailure { CommandFailure(.usage, message) }
}
