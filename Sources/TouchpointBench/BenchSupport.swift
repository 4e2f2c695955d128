import Foundation

/// A benchmark failure: printed to stderr, exit status 1 (64 for usage).
struct BenchError: Error, CustomStringConvertible {
    let description: String
    let usage: Bool
    init(_ description: String, usage: Bool = false) {
        self.description = description
        self.usage = usage
    }
}

/// Monotonic wall clock and the process's own CPU time and peak memory.
enum Measure {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// User + system CPU of a local PostgreSQL backend (fields 14 and 15 of /proc/PID/stat, in
    /// clock ticks), or nil when the server is remote or in another PID namespace.
    static func backendCPUSeconds(_ pid: Int) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let commandEnd = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may contain spaces) start at field 3.
        let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident set size (VmHWM) in MiB.
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Current resident set size (VmRSS) in MiB, from /proc.
    static func currentRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
}

/// One machine-readable result line: `bench=NAME key=value …`.
func report(_ name: String, _ fields: [(String, String)]) {
    var line = "bench=\(name)"
    for (key, value) in fields { line += " \(key)=\(value)" }
    // One unbuffered write: the comparison scripts read our stdout through a pipe.
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func format(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

/// Minimal option parsing for the bench subcommands: `--name value`, flags, positionals.
struct BenchArguments {
    var options: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    init(_ arguments: ArraySlice<String>, options known: Set<String>, flags knownFlags: Set<String> = []) throws {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            if knownFlags.contains(argument) {
                flags.insert(argument)
            } else if known.contains(argument) {
                guard let value = iterator.next() else { throw BenchError("\(argument) needs a value", usage: true) }
                options[argument] = value
            } else if argument.hasPrefix("--") {
                throw BenchError("unknown option \(argument)", usage: true)
            } else {
                positionals.append(argument)
            }
        }
    }

    func required(_ name: String) throws -> String {
        guard let value = options[name] else { throw BenchError("missing \(name)", usage: true) }
        return value
    }

    func integer(_ name: String, default fallback: Int) throws -> Int {
        guard let raw = options[name] else { return fallback }
        guard let value = Int(raw), value > 0 else { throw BenchError("\(name): \"\(raw)\" is not a positive integer", usage: true) }
        return value
    }
}
