import Curl
import Foundation
import IMAP

/// `touchpoint-bench imap-fetch --url URL --user U --password-file F [--ca-file CA] [--folder INBOX]
/// [--batch 1000] [--text-bytes 16384]`
///
/// Fetches what the daemon fetches for every message of the folder — headers, BODYSTRUCTURE,
/// size, arrival time and the first text part up to the limit — over one connection.
enum IMAPFetchBench {
    static let usage = "imap-fetch --url URL --user U --password-file F [--ca-file CA] [--folder INBOX] [--batch 1000] [--text-bytes 16384]"

    static func run(_ arguments: ArraySlice<String>) throws {
        let args = try BenchArguments(arguments, options: ["--url", "--user", "--password-file", "--ca-file", "--folder", "--batch", "--text-bytes"])
        let passwordPath = try args.required("--password-file")
        guard let passwordData = FileManager.default.contents(atPath: passwordPath),
              let password = String(data: passwordData, encoding: .utf8)?.trimmingCharacters(in: .newlines) else {
            throw BenchError("cannot read \(passwordPath)")
        }
        let endpoint = try MailServerEndpoint(
            url: try args.required("--url"), caFile: args.options["--ca-file"],
            credentials: .password(user: try args.required("--user"), password: Secret(password)))
        let batchSize = try args.integer("--batch", default: 1000)
        let options = IMAPSessionOptions(textPartLimit: try args.integer("--text-bytes", default: 16 * 1024))

        let cpuStart = Measure.cpuSeconds()
        let start = Measure.now()
        let session = try IMAPSession.connect(to: endpoint, options: options)
        let connected = Measure.now()
        let examined = try session.examine(MailboxName(args.options["--folder"] ?? "INBOX"))
        var messages = 0
        var textBytes = 0
        if let uidNext = examined.uidNext, uidNext.rawValue > 1 {
            // Pipelined like the daemon: the next batch's headers are requested while this one is read.
            let ranges = stride(from: UInt32(1), to: uidNext.rawValue, by: batchSize).map {
                UID($0)...UID(min(uidNext.rawValue - 1, $0 + UInt32(batchSize) - 1))
            }
            try session.fetchBatches(ranges) { (batch: [FetchedMessage]) throws(IMAPError) in
                messages += batch.count
                textBytes += batch.reduce(0) { $0 + ($1.firstTextPart?.bytes.count ?? 0) }
            }
        }
        let seconds = Measure.now() - start
        try? session.logout()
        report("imap-fetch", [
            ("messages", "\(messages)"), ("bytes", "\(session.bytesReceived)"), ("text_bytes", "\(textBytes)"),
            ("seconds", format(seconds, 3)), ("login_seconds", format(connected - start, 3)),
            ("msgs_per_s", format(Double(messages) / seconds, 0)),
            ("cpu_seconds", format(Measure.cpuSeconds() - cpuStart, 3)), ("peak_rss_mb", format(Measure.peakRSSMegabytes(), 1)),
        ])
    }
}
