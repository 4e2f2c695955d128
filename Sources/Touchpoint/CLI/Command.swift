import Foundation

/// Where a command writes. Tests capture both streams; the executable writes to fd 1 and 2.
public struct CommandIO: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void
    public var environment: [String: String]
    public var isTerminal: Bool

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void,
                environment: [String: String], isTerminal: Bool) {
        self.out = out
        self.err = err
        self.environment = environment
        self.isTerminal = isTerminal
    }

    public static var process: CommandIO {
        CommandIO(out: { FileDescriptorSink(fd: 1).write(line: $0) },
                  err: { FileDescriptorSink(fd: 2).write(line: $0) },
                  environment: ProcessInfo.processInfo.environment,
                  isTerminal: isatty(2) == 1)
    }
}

/// What every command receives: its arguments, the streams and the options common to all commands.
public struct CommandContext: Sendable {
    public var io: CommandIO
    public var configPath: String
    public var logLevel: LogLevel?

    public var logger: Logger {
        Logger(minimumLevel: logLevel ?? .info, journald: io.environment["JOURNAL_STREAM"] != nil,
               sink: FileDescriptorSink(fd: 2))
    }

    public func loadConfig() throws(CommandFailure) -> Config {
        do {
            return try Config.load(path: configPath)
        } catch {
            throw CommandFailure(.configuration, "\(error)")
        }
    }
}

public protocol Command: Sendable {
    var name: String { get }
    var summary: String { get }
    /// The full `--help` text, starting with the usage line.
    var help: String { get }
    var spec: Arguments.Spec { get }
    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode
}
