internal import CCurl

/// A failure of a libcurl call, or a request our own code refused before calling libcurl.
///
/// `description` names the operation, curl's code and text and curl's error-buffer detail. It
/// never contains a secret: we never put credentials in URLs, and `CurlEasy` scrubs every
/// secret it was given from the detail before building the error.
public struct CurlError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case couldNotResolve
        case couldNotConnect
        /// The TLS handshake failed for a reason other than the certificate (protocol, cipher, reset).
        case tlsHandshake
        /// The server certificate is not trusted by the configured CA, or does not name the host.
        case tlsCertificate
        /// TLS was required but the server does not offer STARTTLS; nothing secret was sent.
        case tlsUnavailable
        /// The server rejected the credentials.
        case loginDenied
        /// No authentication mechanism both sides support (e.g. a bearer token but no XOAUTH2).
        case authenticationUnavailable
        case timeout
        case sendFailed
        case recvFailed
        /// The server replied something libcurl could not make sense of, or refused a command.
        case protocolViolation
        /// Refused by our own checks (bad URL, CR/LF/NUL in a value, plaintext not allowed …).
        case invalidConfiguration
        /// A callback aborted the transfer.
        case aborted
        case other
    }

    public let kind: Kind
    /// The CURLcode, or nil when our own code refused the request before libcurl ran.
    public let code: Int32?
    /// curl's fixed text for `code` (`curl_easy_strerror`).
    public let curlText: String
    /// curl's error-buffer text for this failure (more specific than `curlText`), secrets scrubbed.
    public let detail: String
    /// What we were doing, e.g. "perform imaps://127.0.0.1:993/".
    public let operation: String

    /// Whether trying again later can help (network trouble, timeouts), as opposed to
    /// failures that need an admin (certificates, credentials, configuration).
    public var isTransient: Bool {
        switch kind {
        case .couldNotResolve, .couldNotConnect, .tlsHandshake, .timeout, .sendFailed, .recvFailed:
            return true
        case .tlsCertificate, .tlsUnavailable, .loginDenied, .authenticationUnavailable,
            .protocolViolation, .invalidConfiguration, .aborted, .other:
            return false
        }
    }

    public var description: String {
        var text = operation.isEmpty ? "curl" : operation
        if let code {
            text += ": curl error \(code) (\(curlText))"
        } else {
            text += ": refused"
        }
        if !detail.isEmpty && detail != curlText {
            text += ": \(detail)"
        }
        return text
    }

    /// An error reported by libcurl.
    init(code: Int32, operation: String, detail: String) {
        self.code = code
        self.kind = Self.kind(for: code)
        self.curlText = String(cString: curl_easy_strerror(CURLcode(rawValue: UInt32(bitPattern: code))))
        self.detail = detail
        self.operation = operation
    }

    /// An error raised by our own checks, without libcurl.
    public init(refused kind: Kind, operation: String, detail: String) {
        self.code = nil
        self.kind = kind
        self.curlText = ""
        self.detail = detail
        self.operation = operation
    }

    private static func kind(for code: Int32) -> Kind {
        switch CURLcode(rawValue: UInt32(bitPattern: code)) {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldNotResolve
        case CURLE_COULDNT_CONNECT:
            return .couldNotConnect
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CRL_BADFILE:
            return .tlsCertificate
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_ENGINE_INITFAILED,
            CURLE_SSL_CIPHER:
            return .tlsHandshake
        case CURLE_USE_SSL_FAILED:
            return .tlsUnavailable
        case CURLE_LOGIN_DENIED:
            return .loginDenied
        case CURLE_AUTH_ERROR:
            return .authenticationUnavailable
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SEND_ERROR:
            return .sendFailed
        case CURLE_RECV_ERROR, CURLE_GOT_NOTHING:
            return .recvFailed
        case CURLE_WEIRD_SERVER_REPLY, CURLE_REMOTE_ACCESS_DENIED, CURLE_QUOTE_ERROR:
            return .protocolViolation
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT,
            CURLE_UNKNOWN_OPTION, CURLE_NOT_BUILT_IN, CURLE_FAILED_INIT:
            return .invalidConfiguration
        case CURLE_ABORTED_BY_CALLBACK, CURLE_READ_ERROR, CURLE_WRITE_ERROR:
            return .aborted
        default:
            return .other
        }
    }
}
