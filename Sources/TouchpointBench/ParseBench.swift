import Foundation
import MIME

/// `touchpoint-bench parse [--repeat N] [--memory] FILE|DIR…`
///
/// Parses every message: headers and addresses decoded, the text part decoded, attachments
/// walked without decoding (the parser computes their sizes). Files are read into memory first
/// so only parsing is timed, as the GMime and Python harnesses in deploy/bench/ do.
/// `--memory` instead streams one file at a time and reports how far the peak RSS rose above
/// the baseline, next to the largest message.
enum ParseBench {
    static let usage = "parse [--repeat N] [--memory] FILE|DIR..."

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--repeat"], flags: ["--memory"])
        guard !args.positionals.isEmpty else { throw BenchError("name message files or directories", usage: true) }
        let paths = try args.positionals.flatMap(messageFiles)
        guard !paths.isEmpty else { throw BenchError("no message files found") }
        if args.flags.contains("--memory") {
            try measureMemory(paths)
            return
        }
        let repeats = try args.integer("--repeat", default: 1)
        let messages = try paths.map { path -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
            return Array(data)
        }
        let bytes = messages.reduce(0) { $0 + $1.count }
        let parser = MessageParser()
        var checksum = 0
        let cpuStart = Measure.cpuSeconds()
        let start = Measure.now()
        for _ in 0..<repeats {
            for message in messages {
                let parsed = parser.parse(message)
                // Touch the results so the work cannot be optimised away.
                checksum &+= (parsed.subject?.utf8.count ?? 0) &+ (parsed.text?.utf8.count ?? 0)
                    &+ parsed.attachments.reduce(0) { $0 &+ $1.size } &+ parsed.from.count
            }
        }
        let seconds = Measure.now() - start
        let totalBytes = Double(bytes * repeats)
        report("parse", [
            ("impl", "touchpoint"), ("messages", "\(messages.count * repeats)"), ("bytes", "\(bytes * repeats)"),
            ("seconds", format(seconds, 4)), ("mb_per_s", format(totalBytes / seconds / 1e6, 1)),
            ("msgs_per_s", format(Double(messages.count * repeats) / seconds, 0)),
            ("cpu_seconds", format(Measure.cpuSeconds() - cpuStart, 3)), ("checksum", "\(checksum & 0xFFFF)"),
        ])
    }

    static func measureMemory(_ paths: [String]) throws {
        let parser = MessageParser()
        let baseline = Measure.currentRSSMegabytes()
        var largest = 0
        var peakGrowth = 0.0
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
            largest = max(largest, data.count)
            let parsed = parser.parse(Array(data))
            _ = parsed.text?.utf8.count
            peakGrowth = max(peakGrowth, Measure.currentRSSMegabytes() - baseline)
        }
        report("parse-memory", [
            ("messages", "\(paths.count)"), ("largest_message_mb", format(Double(largest) / 1_048_576, 2)),
            ("rss_growth_mb", format(peakGrowth, 2)), ("peak_rss_mb", format(Measure.peakRSSMegabytes(), 1)),
        ])
    }

    /// A file, or every regular file below a directory (sorted, hidden files and expected-result
    /// files such as .json/.xml skipped).
    static func messageFiles(_ path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw BenchError("\(path) does not exist") }
        guard isDirectory.boolValue else { return [path] }
        let skipped: Set<String> = ["json", "xml", "out", "md", "py", "c", "sh", "bin"]
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            let full = path + "/" + relative
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") || skipped.contains((name as NSString).pathExtension.lowercased()) { continue }
            files.append(full)
        }
        return files.sorted()
    }
}
