import Curl
import Foundation

/// The SMTP checks: connect, TLS and AUTH through libcurl's CONNECT_ONLY; no MAIL FROM is ever
/// sent, so nothing can be delivered.
struct SMTPDoctor {
    let smtp: SMTPConfig
    let environment: [String: String]

    func check(_ report: inout DoctorReport) {
        let subject = "smtp"
        guard let endpoint = ServerProbe.endpoint(subject, &report, { try MailEndpoints.smtp(smtp, environment: environment) }) else { return }
        let components = URLComponents(string: smtp.url)
        let port = components?.port ?? (components?.scheme?.lowercased() == "smtps" ? 465 : 587)
        let probe = ServerProbe(subject: subject, endpoint: endpoint, hostPort: "\(endpoint.host):\(port)",
                                secretSource: smtp.secret.map(\.description), user: smtp.user)
        if probe.check(&report) {
            report.pass(subject, "ready to send as \(smtp.from) (nothing was sent)")
        }
    }
}
