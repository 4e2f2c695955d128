internal import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of a libcurl easy handle.
///
/// Not `Sendable`: a handle must be used by one thread at a time, so it lives inside whatever
/// confines it (a dedicated thread or a serial executor). Every call that talks to the network —
/// `perform`, `send`, `receive`, `wait`, `sendAll` — BLOCKS the calling thread (bounded by the
/// configured timeouts); never call them on Swift's cooperative pool.
///
/// Lifetimes libcurl does not manage for us are held here: the error buffer, every `curl_slist`
/// handed to an option, the upload bytes, and the debug handler. All are released in `deinit`,
/// after `curl_easy_cleanup`.
public final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int
    /// Lists keyed by CURLoption raw value; libcurl only borrows them.
    private var lists: [UInt32: UnsafeMutablePointer<curl_slist>] = [:]
    private var uploadSource: UploadSource?
    private let debugSink = DebugSink()
    private(set) var url = ""

    public init() throws(CurlError) {
        try Curl.initialize()
        guard let handle = curl_easy_init() else {
            throw CurlError(refused: .other, operation: "curl_easy_init", detail: "libcurl returned no handle")
        }
        self.handle = handle
        errorBufferSize = Int(tp_curl_error_size()) + 1
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
        // Every stored property is set: if a line below throws, Swift runs `deinit`, which frees
        // the handle and the buffer (freeing them here too would be a double free).
        try check(tp_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)),
                  "set error buffer")
        // Signals (SIGALRM for resolver timeouts) are unsafe in a threaded process.
        try setLong(CURLOPT_NOSIGNAL, 1, "set NOSIGNAL")
        // Without a write function libcurl writes response bodies to stdout.
        try check(tp_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, { _, size, count, _ in
            size * count
        }), "set write function")
        try check(tp_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(debugSink).toOpaque()),
                  "set debug data")
    }

    deinit {
        curl_easy_cleanup(handle)
        for list in lists.values { curl_slist_free_all(list) }
        errorBuffer.deallocate()
    }

    // MARK: - Connection

    /// The URL to talk to, e.g. `imaps://mail.example.com:993/` or `smtp://host:587/client.example.com`.
    public func setURL(_ url: String) throws(CurlError) {
        try setString(CURLOPT_URL, url, "set URL")
        self.url = url
    }

    /// Limits the protocols libcurl may use for this handle, e.g. `"imap,imaps"`.
    public func setAllowedProtocols(_ protocols: String) throws(CurlError) {
        try setString(CURLOPT_PROTOCOLS_STR, protocols, "set allowed protocols")
    }

    public func setConnectTimeout(_ timeout: Duration) throws(CurlError) {
        try setLong(CURLOPT_CONNECTTIMEOUT_MS, timeout.curlMilliseconds, "set connect timeout")
    }

    /// Bounds a whole `perform` (connect, TLS, login and, for SMTP, the transfer). Zero: no bound.
    public func setTimeout(_ timeout: Duration) throws(CurlError) {
        try setLong(CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds, "set timeout")
    }

    /// Bounds the wait for each protocol reply (greeting, STARTTLS, AUTH, RCPT …).
    public func setServerResponseTimeout(_ timeout: Duration) throws(CurlError) {
        let seconds = max(1, (timeout.curlMilliseconds + 999) / 1000)
        try setLong(CURLOPT_SERVER_RESPONSE_TIMEOUT, seconds, "set server response timeout")
    }

    /// Aborts a transfer slower than `bytesPerSecond` for `duration` (a stalled upload).
    public func setLowSpeedLimit(bytesPerSecond: Int, for duration: Duration) throws(CurlError) {
        try setLong(CURLOPT_LOW_SPEED_LIMIT, bytesPerSecond, "set low speed limit")
        try setLong(CURLOPT_LOW_SPEED_TIME, max(1, duration.curlMilliseconds / 1000), "set low speed time")
    }

    /// Static host:port:address entries (`CURLOPT_RESOLVE`), e.g. to reach a test server by a
    /// certificate name that does not resolve. An empty list removes the overrides.
    public func setResolveOverrides(_ entries: [String]) throws(CurlError) {
        try setList(CURLOPT_RESOLVE, entries, "set resolve overrides")
    }

    /// Stop after connect + TLS + login and hand the stream to `send`/`receive`.
    public func setConnectOnly(_ enabled: Bool) throws(CurlError) {
        try setLong(CURLOPT_CONNECT_ONLY, enabled ? 1 : 0, "set CONNECT_ONLY")
    }

    // MARK: - TLS

    /// `.required` = `CURLUSESSL_ALL`: STARTTLS must succeed or the connection fails before any
    /// credentials are sent. `.none` talks plaintext (only for explicitly configured servers).
    public func setTLSUsage(_ usage: TLSUsage) throws(CurlError) {
        let value = usage == .required ? CURLUSESSL_ALL : CURLUSESSL_NONE
        try setLong(CURLOPT_USE_SSL, Int(value.rawValue), "set USE_SSL")
    }

    public enum TLSUsage: Sendable, Equatable { case none, required }

    /// PEM bundle of trusted CAs; nil means none (libcurl's built-in default is a bundle path).
    public func setCAFile(_ path: String?) throws(CurlError) {
        try setString(CURLOPT_CAINFO, path, "set CA file")
    }

    /// Directory of hashed CA certificates, read on demand; nil means none.
    public func setCAPath(_ path: String?) throws(CurlError) {
        try setString(CURLOPT_CAPATH, path, "set CA path")
    }

    public func setVerifyPeer(_ enabled: Bool) throws(CurlError) {
        try setLong(CURLOPT_SSL_VERIFYPEER, enabled ? 1 : 0, "set SSL_VERIFYPEER")
    }

    /// Checks the certificate names the host we connect to (libcurl's value 2).
    public func setVerifyHost(_ enabled: Bool) throws(CurlError) {
        try setLong(CURLOPT_SSL_VERIFYHOST, enabled ? 2 : 0, "set SSL_VERIFYHOST")
    }

    // MARK: - Authentication

    public func setUsername(_ user: String) throws(CurlError) {
        try setString(CURLOPT_USERNAME, user, "set user name")
    }

    public func setPassword(_ password: Secret) throws(CurlError) {
        debugSink.redactor.remember(password)
        try setString(CURLOPT_PASSWORD, password.exposedValue, "set password")
    }

    /// Protocol login options, e.g. `AUTH=XOAUTH2`, `AUTH=PLAIN`, `AUTH=*`.
    public func setLoginOptions(_ options: String?) throws(CurlError) {
        try setString(CURLOPT_LOGIN_OPTIONS, options, "set login options")
    }

    /// The OAuth 2.0 bearer token for XOAUTH2 / OAUTHBEARER.
    public func setBearerToken(_ token: Secret) throws(CurlError) {
        debugSink.redactor.remember(token)
        try setString(CURLOPT_XOAUTH2_BEARER, token.exposedValue, "set bearer token")
    }

    /// SASL authorisation identity (act as another user), for servers that allow it.
    public func setSASLAuthorizationIdentity(_ identity: String?) throws(CurlError) {
        try setString(CURLOPT_SASL_AUTHZID, identity, "set SASL authzid")
    }

    // MARK: - Diagnostics

    /// Turns on libcurl's verbose trace and routes it, redacted, to `handler` (called on the
    /// thread that runs `perform`). nil turns tracing off.
    public func setDebugHandler(_ handler: ((CurlDebugEvent) -> Void)?) throws(CurlError) {
        debugSink.handler = handler
        if handler != nil {
            try check(tp_curl_setopt_debug_callback(handle, { _, type, data, size, userdata in
                guard let userdata, let data else { return 0 }
                let sink = Unmanaged<DebugSink>.fromOpaque(userdata).takeUnretainedValue()
                sink.deliver(type: type.rawValue, bytes: UnsafeRawBufferPointer(start: data, count: size))
                return 0
            }), "set debug function")
        }
        try setLong(CURLOPT_VERBOSE, handler == nil ? 0 : 1, "set VERBOSE")
    }

    // MARK: - SMTP envelope and upload

    public func setMailFrom(_ address: String) throws(CurlError) {
        try setString(CURLOPT_MAIL_FROM, address, "set MAIL FROM")
    }

    public func setMailRecipients(_ recipients: [String]) throws(CurlError) {
        try setList(CURLOPT_MAIL_RCPT, recipients, "set recipients")
    }

    /// Keep going when some (not all) RCPT TO are refused. Spelled with three L's in 7.88.
    public func setMailRecipientsAllowFailures(_ enabled: Bool) throws(CurlError) {
        try setLong(CURLOPT_MAIL_RCPT_ALLLOWFAILS, enabled ? 1 : 0, "set MAIL_RCPT_ALLLOWFAILS")
    }

    /// Uploads `bytes` on the next `perform` (SMTP DATA). The bytes are held until replaced.
    public func setUpload(_ bytes: [UInt8]) throws(CurlError) {
        let source = UploadSource(bytes: bytes)
        try setLong(CURLOPT_UPLOAD, 1, "set UPLOAD")
        try check(tp_curl_setopt_data_callback(handle, CURLOPT_READFUNCTION, { buffer, size, count, userdata in
            guard let buffer, let userdata else { return tp_curl_readfunc_abort() }
            let source = Unmanaged<UploadSource>.fromOpaque(userdata).takeUnretainedValue()
            return source.read(into: UnsafeMutableRawPointer(buffer), capacity: size * count)
        }), "set read function")
        try check(tp_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque()),
                  "set read data")
        try check(tp_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes.count)),
                  "set upload size")
        uploadSource = source
    }

    /// Ends uploading and releases the bytes (a 50 MB message need not live until the next send).
    /// The read callback keeps a valid, empty source: libcurl may still hold the pointer.
    public func clearUpload() throws(CurlError) {
        guard uploadSource != nil else { return }
        let empty = UploadSource(bytes: [])
        try check(tp_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(empty).toOpaque()),
                  "clear read data")
        uploadSource = empty
        try setLong(CURLOPT_UPLOAD, 0, "clear UPLOAD")
        try check(tp_curl_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, -1), "clear upload size")
    }

    // MARK: - Running

    /// Runs the configured transfer. BLOCKS until it finishes or a timeout fires.
    public func perform() throws(CurlError) {
        errorBuffer[0] = 0
        uploadSource?.rewind()
        let code = curl_easy_perform(handle)
        if code != CURLE_OK {
            throw makeError(code, operation: "perform \(url)")
        }
    }

    /// The last protocol reply code (SMTP 250/550 …, IMAP has none), 0 when there was none.
    public var responseCode: Int {
        var value: CLong = 0
        guard tp_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value) == CURLE_OK else { return 0 }
        return Int(value)
    }

    /// The socket of the connection a CONNECT_ONLY perform left open, nil when there is none.
    public var activeSocket: Int32? {
        var socket: curl_socket_t = CURL_SOCKET_BAD
        guard tp_curl_getinfo_socket(handle, &socket) == CURLE_OK, socket != CURL_SOCKET_BAD else { return nil }
        return socket
    }

    // MARK: - Helpers

    private func check(_ code: CURLcode, _ operation: String) throws(CurlError) {
        if code != CURLE_OK { throw makeError(code, operation: operation) }
    }

    func makeError(_ code: CURLcode, operation: String) -> CurlError {
        let detail = debugSink.redactor.redactOther(String(cString: errorBuffer))
        return CurlError(code: Int32(bitPattern: code.rawValue), operation: operation, detail: detail)
    }

    private func setLong(_ option: CURLoption, _ value: Int, _ operation: String) throws(CurlError) {
        try check(tp_curl_setopt_long(handle, option, value), operation)
    }

    private func setString(_ option: CURLoption, _ value: String?, _ operation: String) throws(CurlError) {
        guard let value else {
            try check(tp_curl_setopt_string(handle, option, nil), operation)
            return
        }
        // A C string ends at the first NUL: refuse rather than silently truncate.
        guard !value.utf8.contains(0) else {
            throw CurlError(refused: .invalidConfiguration, operation: operation, detail: "value contains NUL")
        }
        try check(tp_curl_setopt_string(handle, option, value), operation)
    }

    private func setList(_ option: CURLoption, _ entries: [String], _ operation: String) throws(CurlError) {
        if entries.contains(where: { $0.utf8.contains(0) }) {
            throw CurlError(refused: .invalidConfiguration, operation: operation, detail: "entry contains NUL")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for entry in entries {
            guard let extended = curl_slist_append(list, entry) else {
                curl_slist_free_all(list)
                throw CurlError(refused: .other, operation: operation, detail: "out of memory building list")
            }
            list = extended
        }
        do {
            try check(tp_curl_setopt_slist(handle, option, list), operation)
        } catch {
            curl_slist_free_all(list)
            throw error
        }
        // The old list is no longer referenced by the handle: free it only now.
        if let old = lists.removeValue(forKey: option.rawValue) { curl_slist_free_all(old) }
        if let list { lists[option.rawValue] = list }
    }
}
