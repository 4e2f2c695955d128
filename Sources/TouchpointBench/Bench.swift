import Foundation

/// touchpoint-bench: the project's benchmarks. Each subcommand prints one logfmt line
/// (`bench=NAME key=value …`) for the comparison scripts under deploy/bench/.
@main
enum Bench {
    typealias Subcommand = (name: String, usage: String, run: @Sendable (ArraySlice<String>) throws -> Void)

    static let subcommands: [Subcommand] = [
        ("parse", ParseBench.usage, ParseBench.run),
        ("imap-fetch", IMAPFetchBench.usage, IMAPFetchBench.run),
        ("store", StoreBench.usage, StoreBench.run),
        ("import-contacts", ImportContactsBench.usage, ImportContactsBench.run),
        ("ingest", IngestBench.usage, IngestBench.run),
        ("assemble", AssembleBench.usage, AssembleBench.run),
        ("bgnbd", BGNBDBench.usage, BGNBDBench.run),
        ("reminders", RemindersBench.usage, RemindersBench.run),
    ]

    static func printUsage() {
        var text = "Usage: touchpoint-bench SUBCOMMAND [OPTIONS]\n\nSubcommands:\n"
        for command in subcommands { text += "  " + command.usage + "\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, name != "--help", name != "-h" else {
            printUsage()
            exit(arguments.isEmpty ? 64 : 0)
        }
        guard let command = subcommands.first(where: { $0.name == name }) else {
            FileHandle.standardError.write(Data("touchpoint-bench: unknown subcommand '\(name)'\n".utf8))
            printUsage()
            exit(64)
        }
        do {
            try command.run(arguments.dropFirst())
        } catch let error as BenchError {
            FileHandle.standardError.write(Data("touchpoint-bench \(name): \(error)\n".utf8))
            if error.usage { FileHandle.standardError.write(Data("usage: touchpoint-bench \(command.usage)\n".utf8)) }
            exit(error.usage ? 64 : 1)
        } catch {
            FileHandle.standardError.write(Data("touchpoint-bench \(name): \(error)\n".utf8))
            exit(1)
        }
    }
}
