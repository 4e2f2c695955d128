import Foundation

/// How to reach and log into an IMAP or SMTP server; shared by the IMAP and SMTP clients.
///
/// TLS is never "if possible" (DESIGN §9): `imaps://`/`smtps://` use implicit TLS, and
/// `imap://`/`smtp://` require STARTTLS unless `.none` is passed explicitly — the only way to
/// send credentials in clear, which callers must log as a warning (`sendsCredentialsInPlaintext`).
/// The certificate and the host name are always verified.
public struct MailServerEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Equatable {
        case imap, imaps, smtp, smtps

        public var usesImplicitTLS: Bool { self == .imaps || self == .smtps }
    }

    public enum TLSPolicy: Sendable, Equatable {
        /// TLS from the first byte (imaps, smtps).
        case implicit
        /// Plain connect, then STARTTLS; the connection fails before login when it is not offered.
        case startTLSRequired
        /// No TLS at all. Only for a server the configuration explicitly marks `tls = none`.
        case none
    }

    public enum BearerMechanism: String, Sendable, Equatable {
        case xoauth2 = "XOAUTH2"
        case oauthbearer = "OAUTHBEARER"
    }

    public enum Credentials: Sendable, Equatable, CustomStringConvertible {
        /// PLAIN / LOGIN (libcurl picks the best mechanism the server offers).
        case password(user: String, password: Secret)
        /// OAuth 2.0 bearer token with the given SASL mechanism.
        case bearer(user: String, token: Secret, mechanism: BearerMechanism)

        public var user: String {
            switch self {
            case .password(let user, _), .bearer(let user, _, _): return user
            }
        }

        public var description: String {
            switch self {
            case .password(let user, _): return "password for \(user)"
            case .bearer(let user, _, let mechanism): return "\(mechanism.rawValue) token for \(user)"
            }
        }
    }

    public let url: String
    public let scheme: Scheme
    public let host: String
    public let port: Int?
    public let tls: TLSPolicy
    /// PEM file of trusted CAs; nil trusts the system store, `systemCADirectory`.
    public var caFile: String?
    /// The system's trusted CAs as a hashed directory (OpenSSL `c_rehash` layout), used when
    /// `caFile` is nil. Debian's is `/etc/ssl/certs`; tests point it elsewhere.
    public var systemCADirectory = "/etc/ssl/certs"
    public var credentials: Credentials?
    /// Bound on the TCP connect (and the TLS handshake for implicit TLS).
    public var connectTimeout: Duration
    /// Bound on each protocol reply (greeting, STARTTLS, login …).
    public var responseTimeout: Duration
    /// Bound on the whole of connect + TLS + login (libcurl's `TIMEOUT_MS` for the perform). It does
    /// not limit a CONNECT_ONLY stream afterwards: `send`/`receive` never block, callers bound
    /// each wait with `SocketPoll`. SMTP replaces it with its per-message timeout.
    public var loginTimeout: Duration
    /// `host:port:address` entries (`CURLOPT_RESOLVE`), for tests and split-horizon setups.
    public var resolveOverrides: [String] = []

    /// - Parameter tls: nil derives the policy from the scheme (implicit for imaps/smtps,
    ///   STARTTLS required for imap/smtp). `.none` must be asked for explicitly.
    /// - Throws: `CurlError` of kind `.invalidConfiguration` for a URL or policy that does not fit.
    public init(
        url: String,
        tls: TLSPolicy? = nil,
        caFile: String? = nil,
        credentials: Credentials? = nil,
        connectTimeout: Duration = .seconds(15),
        responseTimeout: Duration = .seconds(30),
        loginTimeout: Duration = .seconds(60)
    ) throws(CurlError) {
        func refuse(_ detail: String) -> CurlError {
            CurlError(refused: .invalidConfiguration, operation: "mail server URL", detail: detail)
        }
        guard !url.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
            throw refuse("URL contains spaces or control characters")
        }
        guard let components = URLComponents(string: url), let schemeText = components.scheme,
            let scheme = Scheme(rawValue: schemeText.lowercased())
        else {
            throw refuse("expected imap://, imaps://, smtp:// or smtps://")
        }
        guard components.user == nil, components.password == nil else {
            throw refuse("credentials belong in the password/token settings, not in the URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw refuse("URL has no host")
        }
        let policy = tls ?? (scheme.usesImplicitTLS ? .implicit : .startTLSRequired)
        switch (scheme.usesImplicitTLS, policy) {
        case (true, .implicit), (false, .startTLSRequired), (false, .none):
            break
        case (true, _):
            throw refuse("\(scheme.rawValue):// is implicit TLS; use tls = implicit")
        case (false, .implicit):
            throw refuse("\(scheme.rawValue):// is not implicit TLS; use \(scheme.rawValue)s:// for that")
        }
        if let credentials {
            try Self.validate(credentials)
        }
        self.url = url
        self.scheme = scheme
        self.host = host
        self.port = components.port
        self.tls = policy
        self.caFile = caFile
        self.credentials = credentials
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.loginTimeout = loginTimeout
    }

    /// True only for `.none`: the daemon must log a warning for such a server.
    public var sendsCredentialsInPlaintext: Bool { tls == .none && credentials != nil }

    public var description: String {
        var text = "\(url) tls=\(tls)"
        if let credentials { text += " auth=\(credentials)" }
        return text
    }

    /// Configures `easy` to connect, secure and log in as described. Callers add the rest
    /// (CONNECT_ONLY for IMAP, envelope and upload for SMTP).
    public func apply(to easy: CurlEasy) throws(CurlError) {
        try easy.setURL(url)
        try easy.setAllowedProtocols(scheme.rawValue)
        try easy.setTLSUsage(tls == .none ? .none : .required)
        try easy.setVerifyPeer(true)
        try easy.setVerifyHost(true)
        if let caFile {
            try easy.setCAFile(caFile)
        } else {
            // The system store as a hashed directory instead of libcurl's built-in bundle file: OpenSSL then reads only the certificates a chain
            // needs, where the ~140-certificate bundle costs every TLS connection ~0.7 MB for as
            // long as it stays open (one per mailbox). The trusted set is the same:
            // update-ca-certificates writes both from the same certificates.
            try easy.setCAFile(nil)
            try easy.setCAPath(systemCADirectory)
        }
        try easy.setConnectTimeout(connectTimeout)
        try easy.setServerResponseTimeout(responseTimeout)
        try easy.setTimeout(loginTimeout)
        if !resolveOverrides.isEmpty { try easy.setResolveOverrides(resolveOverrides) }
        switch credentials {
        case .none:
            break
        case .password(let user, let password)?:
            try easy.setUsername(user)
            try easy.setPassword(password)
        case .bearer(let user, let token, let mechanism)?:
            try easy.setUsername(user)
            try easy.setBearerToken(token)
            try easy.setLoginOptions("AUTH=\(mechanism.rawValue)")
        }
    }

    /// libcurl quotes IMAP LOGIN arguments but does not refuse line breaks in them: a CR/LF in a
    /// user name or secret would end the command early, so none may contain CR, LF or NUL.
    private static func validate(_ credentials: Credentials) throws(CurlError) {
        let values: [(String, String)]
        switch credentials {
        case .password(let user, let password): values = [("user", user), ("password", password.exposedValue)]
        case .bearer(let user, let token, _): values = [("user", user), ("token", token.exposedValue)]
        }
        for (name, value) in values where value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            throw CurlError(refused: .invalidConfiguration, operation: "mail server credentials",
                            detail: "\(name) contains CR, LF or NUL")
        }
        if credentials.user.isEmpty {
            throw CurlError(refused: .invalidConfiguration, operation: "mail server credentials",
                            detail: "empty user name")
        }
    }
}
