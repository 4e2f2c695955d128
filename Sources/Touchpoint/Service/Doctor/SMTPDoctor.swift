import Curl
import Foundation

/// The SMTP checks: connect, TLS and AUTH through libcurl's CONNECT_ONLY; no MAIL FROM is ever
/// sent, so nothing can be delivered.
struct SMTPDoctor {
    let smtp: SMTPConfig
    let environment: [String: String]

    func check(_ report: inout DoctorReport) {
        let subject = "smtp"
        let endpoint: MailServerEndpoint
        do {
            endpoint = try MailEndpoints.smtp(smtp, environment: environment)
        } catch {
            report.fail(subject, "\(error)", fix: "make the secret readable by the service user (see `touchpoint check-config`)", kind: .configuration)
            return
        }
        let components = URLComponents(string: smtp.url)
        let port = components?.port ?? (components?.scheme?.lowercased() == "smtps" ? 465 : 587)
        let probe = ServerProbe(subject: subject, endpoint: endpoint, hostPort: "\(endpoint.host):\(port)",
                                secretSource: smtp.secret.map(\.description), user: smtp.user)
        if probe.check(&report) {
            report.pass(subject, "ready to send as \(smtp.from) (nothing was sent)")
        }
    }
}
