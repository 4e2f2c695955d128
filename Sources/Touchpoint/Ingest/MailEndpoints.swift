import Curl
import Foundation

/// Builds libcurl endpoints from the configuration, reading secrets at connect time so that a
/// rotated password or refreshed OAuth token is picked up without a restart.
public enum MailEndpoints {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static func tlsPolicy(_ mode: TLSMode) -> MailServerEndpoint.TLSPolicy {
        switch mode {
        case .implicit: .implicit
        case .starttls: .startTLSRequired
        case .none: .none
        }
    }

    public static func imap(_ mailbox: MailboxConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailServerEndpoint {
        let secret: String
        do { secret = try mailbox.secret.read(environment: environment) } catch {
            throw Failure(description: "[mailbox \"\(mailbox.name)\"] \(error)")
        }
        let credentials: MailServerEndpoint.Credentials
        switch mailbox.auth {
        case .password: credentials = .password(user: mailbox.user, password: Secret(secret))
        case .xoauth2: credentials = .bearer(user: mailbox.user, token: Secret(secret), mechanism: .xoauth2)
        case .oauthbearer: credentials = .bearer(user: mailbox.user, token: Secret(secret), mechanism: .oauthbearer)
        }
        do {
            return try MailServerEndpoint(url: mailbox.url, tls: tlsPolicy(mailbox.tls), caFile: mailbox.caFile, credentials: credentials)
        } catch {
            throw Failure(description: "[mailbox \"\(mailbox.name)\"] url: \(error)")
        }
    }

    public static func smtp(_ smtp: SMTPConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MailServerEndpoint {
        var credentials: MailServerEndpoint.Credentials?
        if let source = smtp.secret, let user = smtp.user {
            do { credentials = .password(user: user, password: Secret(try source.read(environment: environment))) } catch {
                throw Failure(description: "[smtp] \(error)")
            }
        }
        do {
            return try MailServerEndpoint(url: smtp.url, tls: tlsPolicy(smtp.tls), caFile: smtp.caFile, credentials: credentials,
                                          loginTimeout: smtp.timeout)
        } catch {
            throw Failure(description: "[smtp] url: \(error)")
        }
    }
}
