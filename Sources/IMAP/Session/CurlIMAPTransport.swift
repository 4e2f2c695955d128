import Curl

/// The live transport: libcurl connects, does implicit TLS or STARTTLS, verifies the
/// certificate and host name, and logs in (CONNECT_ONLY); then the stream is ours
/// (DESIGN §3: libcurl's own IMAP requests mishandle literals and can be desynchronised by a
/// mail body). Not Sendable: confined to the session's thread like the session itself.
public final class CurlIMAPTransport: IMAPTransport {
    private var easy: CurlEasy?

    /// Connects and logs in. BLOCKS up to the endpoint's connect and response timeouts.
    /// `trace` receives libcurl's connect and login trace, already redacted (no password,
    /// token or SASL payload), for the caller's debug log.
    public init(endpoint: MailServerEndpoint, trace: ((CurlDebugEvent) -> Void)? = nil) throws(IMAPError) {
        guard endpoint.scheme == .imap || endpoint.scheme == .imaps else {
            throw IMAPError(.invalidArgument("not an IMAP URL: \(endpoint.scheme.rawValue)://"), command: "CONNECT")
        }
        do {
            let easy = try CurlEasy()
            try endpoint.apply(to: easy)
            if let trace { try easy.setDebugHandler(trace) }
            try easy.setConnectOnly(true)
            try easy.perform()
            self.easy = easy
        } catch {
            if error.kind == .timeout {
                throw IMAPError(.timeout(after: max(endpoint.connectTimeout, endpoint.responseTimeout)), command: "CONNECT")
            }
            throw IMAPError(.transport(error.description, transient: error.isTransient), command: "CONNECT")
        }
    }

    public func send(_ bytes: [UInt8], timeout: Duration) throws {
        guard let easy else { throw IMAPError(.connectionClosed(bye: nil)) }
        try easy.sendAll(bytes, timeout: timeout)
    }

    /// Drains what libcurl already has before polling: TLS may hold decrypted bytes that the
    /// socket no longer shows as readable.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws -> IMAPTransportReceipt {
        guard let easy else { return .closed }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            switch try easy.receive(into: buffer) {
            case .transferred(let count) where count > 0:
                return .received(count)
            case .closed, .transferred:
                return .closed
            case .wouldBlock:
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero, try easy.wait(for: .readable, timeout: remaining) else { return .timedOut }
            }
        }
    }

    public func close() {
        easy = nil
    }
}

extension CurlError: TransientTransportError {}

extension IMAPSession {
    /// Connects, logs in and returns a session over the connection.
    public static func connect(to endpoint: MailServerEndpoint, options: IMAPSessionOptions = IMAPSessionOptions(),
                               trace: ((CurlDebugEvent) -> Void)? = nil) throws(IMAPError) -> IMAPSession {
        IMAPSession(transport: try CurlIMAPTransport(endpoint: endpoint, trace: trace), options: options)
    }
}
