import Curl
import Foundation
import IMAP

/// The checks of one mailbox: secret readable, connect/TLS/login, LIST, each configured folder
/// resolved (`\Sent` through SPECIAL-USE or its usual names) and EXAMINEd (read-only).
struct MailboxDoctor {
    let mailbox: MailboxConfig
    let environment: [String: String]

    func check(_ report: inout DoctorReport) {
        let subject = "mailbox \"\(mailbox.name)\""
        guard let endpoint = ServerProbe.endpoint(subject, &report, { try MailEndpoints.imap(mailbox, environment: environment) }) else { return }
        let probe = ServerProbe(subject: subject, endpoint: endpoint, hostPort: "\(mailbox.host):\(mailbox.port)",
                                secretSource: "\(mailbox.secret)", user: mailbox.user)
        guard probe.check(&report) else { return }
        let session: IMAPSession
        do {
            session = try IMAPSession.connect(to: endpoint, options: IMAPSessionOptions(textPartLimit: mailbox.textFetchBytes))
        } catch {
            report.fail(subject, "second connection for LIST: \(error)", fix: "the server may limit connections per user; retry")
            return
        }
        defer { try? session.logout() }
        let entries: [ListEntry]
        do {
            entries = try session.list()
            report.pass(subject, "LIST: \(entries.count) folders")
        } catch {
            report.fail(subject, "LIST: \(error)", fix: "the server refused to list folders; check the account's rights")
            return
        }
        for folder in mailbox.folders {
            examine(folder, entries: entries, session: session, subject: subject, &report)
        }
    }

    private func examine(_ folder: String, entries: [ListEntry], session: IMAPSession, subject: String, _ report: inout DoctorReport) {
        let name: MailboxName
        if folder == "\\Sent" {
            guard let sent = SentFolderFinder.find(in: entries) else {
                report.fail(subject, "folder \\Sent: the server marks no folder \\Sent and none has a usual Sent name",
                            fix: "name the sent folder in folders = (e.g. folders = INBOX, \"Sent Items\")")
                return
            }
            name = sent
        } else {
            name = folder.uppercased() == "INBOX" ? .inbox : MailboxName(folder)
        }
        let shown = folder == name.displayName ? folder : "\(folder) -> \(name.displayName)"
        do {
            let examined = try session.examine(name)
            report.pass(subject, "folder \(shown): \(examined.exists) messages, UIDVALIDITY \(examined.uidValidity.rawValue)"
                        + (examined.uidNext.map { ", next UID \($0.rawValue)" } ?? ""))
        } catch {
            report.fail(subject, "folder \(shown): \(error)",
                        fix: "check the folder's name (LIST shows \(entries.prefix(8).map(\.mailbox.displayName).joined(separator: ", "))) in folders =")
        }
    }
}
