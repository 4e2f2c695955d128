import Foundation

/// The `touchpoint` command line: global options, then a command and its own options.
public struct TouchpointCommandLine: Sendable {
    public static let version = "0.1.0"

    public let commands: [any Command]

    public init(commands: [any Command] = TouchpointCommandLine.standardCommands) {
        self.commands = commands
    }

    public static var standardCommands: [any Command] {
        [ServeCommand(), CheckConfigCommand(), DoctorCommand(), StatusCommand(), InspectCommand(), ImportCommand(), RemindersCommand(), MigrateCommand(), VersionCommand()]
    }

    static let globalSpec = Arguments.Spec(flags: ["--help", "-h", "--version"], options: ["--config", "-c", "--log-level"])

    public var usage: String {
        let width = (commands.map(\.name.count).max() ?? 0) + 2
        var text = """
        touchpoint \(Self.version): turns a company's mail traffic into a customer-interaction log and \
        reminds sales reps whom to call.

        Usage: touchpoint [--config PATH] [--log-level LEVEL] COMMAND [OPTIONS]

        Commands:

        """
        for command in commands {
            text += "  " + command.name.padding(toLength: width, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += """

        Global options (also accepted after the command):
          -c, --config PATH    configuration file (default \(Config.defaultPath), or $TOUCHPOINT_CONFIG)
          --log-level LEVEL    error, warn, notice, info (default) or debug
          -h, --help           show help; `touchpoint COMMAND --help` for a command's own
          --version            print the version

        Exit codes: 0 ok, 1 failure, 64 usage, 65 bad data, 66 missing input, 69 service unavailable,
        75 temporary failure (retry later), 78 configuration error.

        """
        return text
    }

    /// Runs the command line and returns the process exit status. Never calls exit() itself.
    public func run(_ argv: [String], io: CommandIO) -> Int32 {
        var rest = argv[...]
        var configPath = io.environment["TOUCHPOINT_CONFIG"] ?? Config.defaultPath
        var logLevel: LogLevel?
        // Global options before the command name.
        while let first = rest.first, first.hasPrefix("-") {
            var name = first
            var inline: String?
            if let equals = first.firstIndex(of: "=") {
                name = String(first[..<equals])
                inline = String(first[first.index(after: equals)...])
            }
            rest = rest.dropFirst()
            switch name {
            case "-h", "--help":
                io.out(usage); return ExitCode.success.rawValue
            case "--version":
                io.out("touchpoint \(Self.version)\n"); return ExitCode.success.rawValue
            case "-c", "--config", "--log-level":
                guard let value = inline ?? rest.first else {
                    io.err("touchpoint: \(name) needs a value\n"); return ExitCode.usage.rawValue
                }
                if inline == nil { rest = rest.dropFirst() }
                if name == "--log-level" {
                    guard let level = LogLevel(name: value) else {
                        io.err("touchpoint: --log-level: \"\(value)\" is not one of error, warn, notice, info, debug\n")
                        return ExitCode.usage.rawValue
                    }
                    logLevel = level
                } else {
                    configPath = value
                }
            default:
                io.err("touchpoint: unknown option \(name)\nRun 'touchpoint --help' for usage.\n")
                return ExitCode.usage.rawValue
            }
        }
        guard let commandName = rest.first else {
            io.err(usage)
            return ExitCode.usage.rawValue
        }
        if commandName == "help" {
            if let topic = rest.dropFirst().first, let command = commands.first(where: { $0.name == topic }) {
                io.out(command.help)
            } else {
                io.out(usage)
            }
            return ExitCode.success.rawValue
        }
        guard let command = commands.first(where: { $0.name == commandName }) else {
            io.err("touchpoint: unknown command '\(commandName)'\nRun 'touchpoint --help' for the list of commands.\n")
            return ExitCode.usage.rawValue
        }
        var spec = command.spec
        spec.flags.formUnion(["--help", "-h"])
        spec.options.formUnion(["--config", "-c", "--log-level"])
        do {
            let arguments = try Arguments(Array(rest.dropFirst()), spec: spec)
            if arguments.has("--help") || arguments.has("-h") {
                io.out(command.help)
                return ExitCode.success.rawValue
            }
            if let path = arguments.value("--config") ?? arguments.value("-c") { configPath = path }
            if let raw = arguments.value("--log-level") {
                guard let level = LogLevel(name: raw) else {
                    throw CommandFailure.usage("--log-level: \"\(raw)\" is not one of error, warn, notice, info, debug")
                }
                logLevel = level
            }
            let context = CommandContext(io: io, configPath: configPath, logLevel: logLevel)
            return try command.run(arguments, context).rawValue
        } catch let failure as CommandFailure {
            io.err("touchpoint \(command.name): \(failure.message)\n")
            if failure.code == .usage { io.err("Run 'touchpoint \(command.name) --help' for usage.\n") }
            return failure.code.rawValue
        } catch {
            io.err("touchpoint \(command.name): \(error)\n")
            return ExitCode.failure.rawValue
        }
    }
}

struct VersionCommand: Command {
    let name = "version"
    let summary = "print the version"
    let help = "Usage: touchpoint version\n\nPrints the version of this touchpoint binary.\n"
    let spec = Arguments.Spec()
    func run(_ arguments: Arguments, _ context: CommandContext) throws -> ExitCode {
        guard arguments.positionals.isEmpty else { throw CommandFailure.usage("takes no arguments") }
        context.io.out("touchpoint \(TouchpointCommandLine.version)\n")
        return .success
    }
}
