import Curl
import Foundation

/// Connect, TLS and login against a mail server through libcurl's CONNECT_ONLY (the same path
/// the daemon takes), turned into `doctor` lines: which stage worked, where it failed, and what
/// an admin should change.
struct ServerProbe {
    /// The endpoint a server check needs, or nil after reporting why it could not be built
    /// (the secret was unreadable: the only thing `check-config` cannot see from here).
    static func endpoint(_ subject: String, _ report: inout DoctorReport,
                         _ make: () throws -> MailServerEndpoint) -> MailServerEndpoint? {
        do {
            return try make()
        } catch {
            report.fail(subject, "\(error)", fix: "make the secret readable by the service user (see `touchpoint check-config`)",
                        kind: .configuration)
            return nil
        }
    }

    let subject: String
    let endpoint: MailServerEndpoint
    let hostPort: String
    /// "password in file /etc/…" — where the admin finds the secret to check.
    let secretSource: String?
    let user: String?

    /// Returns true when connect, TLS and login all worked (every stage got its line).
    func check(_ report: inout DoctorReport) -> Bool {
        let failure: CurlError?
        do {
            let easy = try CurlEasy()
            try endpoint.apply(to: easy)
            try easy.setConnectOnly(true)
            try easy.perform()
            failure = nil
        } catch {
            failure = error
        }
        let reached = Self.stageReached(failure?.kind)
        if reached >= .tls {
            report.pass(subject, "TCP connect to \(hostPort)")
        } else if let failure {
            report.fail(subject, "connect to \(hostPort): \(failure)", fix: connectFix(failure.kind))
            return false
        }
        if reached >= .login {
            report.pass(subject, tlsSummary)
        } else if let failure {
            report.fail(subject, "TLS: \(failure)", fix: tlsFix(failure.kind))
            return false
        }
        if let failure {
            report.fail(subject, "login as \(user ?? "?"): \(failure)", fix: loginFix(failure.kind))
            return false
        }
        if let user {
            report.pass(subject, "login as \(user)")
        } else {
            report.pass(subject, "no login configured (the server accepted the connection)")
        }
        return true
    }

    enum Stage: Int, Comparable {
        case connect, tls, login, done
        static func < (lhs: Stage, rhs: Stage) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The last stage that was entered: a certificate error proves TCP worked, a refused login
    /// proves TLS worked.
    static func stageReached(_ kind: CurlError.Kind?) -> Stage {
        switch kind {
        case nil: .done
        case .tlsCertificate?, .tlsHandshake?, .tlsUnavailable?: .tls
        case .loginDenied?, .authenticationUnavailable?: .login
        default: .connect
        }
    }

    private var tlsSummary: String {
        let trust = endpoint.caFile.map { "CA file \($0)" } ?? "the system trust store"
        switch endpoint.tls {
        case .implicit: return "TLS (implicit), certificate and host name verified against \(trust)"
        case .startTLSRequired: return "STARTTLS (required), certificate and host name verified against \(trust)"
        case .none: return "no TLS (tls = none): credentials cross the network in clear; use it only on a trusted network"
        }
    }

    private func connectFix(_ kind: CurlError.Kind) -> String {
        switch kind {
        case .couldNotResolve: "the host name does not resolve: check the host in url ="
        case .couldNotConnect: "nothing accepts connections there: check host and port in url =, that the server runs, and the firewall"
        case .timeout: "no answer in time: check host, port and the firewall between this host and the server"
        case .invalidConfiguration: "fix url = in the configuration"
        case .recvFailed, .sendFailed:
            "the server dropped the connection: the TLS mode may not match the port (imaps:// or smtps:// for implicit TLS, imap:// or smtp:// for STARTTLS)"
        default: "check url = and the server's logs"
        }
    }

    private func tlsFix(_ kind: CurlError.Kind) -> String {
        switch kind {
        case .tlsCertificate:
            if let ca = endpoint.caFile {
                return "certificate not trusted or not issued for \(endpoint.host): ca-file = \(ca) must hold the CA that signed the server's certificate (or remove ca-file and install the CA in the system store), and the certificate must name \(endpoint.host)"
            }
            return "certificate not trusted or not issued for \(endpoint.host): set ca-file = /path/to/ca.pem or install the CA (update-ca-certificates), and connect with the name the certificate carries"
        case .tlsUnavailable:
            return "the server does not offer STARTTLS: use the implicit-TLS URL (imaps:// or smtps://) or enable STARTTLS on the server"
        default:
            return "the TLS handshake failed: check that the scheme matches the port (implicit TLS: imaps:// 993, smtps:// 465; STARTTLS: imap:// 143, smtp:// 587)"
        }
    }

    private func loginFix(_ kind: CurlError.Kind) -> String {
        let source = secretSource.map { " in \($0)" } ?? ""
        switch kind {
        case .authenticationUnavailable:
            return "the server offers no authentication mechanism we can use for these credentials: check the mechanism (password vs oauth2-mechanism) against the server's"
        default:
            return "the server refused the credentials: check user = and the secret\(source) (expired token? changed password?)"
        }
    }
}
