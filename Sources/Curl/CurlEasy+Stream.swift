internal import CCurl

/// The logged-in stream a CONNECT_ONLY perform leaves behind: our own protocol engine talks over
/// it. `send` and `receive` never block on the socket; `wait` and `sendAll` block up to a timeout.
extension CurlEasy {
    /// Sends what the connection takes now, without blocking on the socket.
    /// `.wouldBlock` means: `wait(for: .writable, …)` and try again.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(CurlError) -> StreamResult {
        var sent = 0
        errorBuffer[0] = 0
        let code = curl_easy_send(handle, bytes.baseAddress, bytes.count, &sent)
        if code == CURLE_AGAIN { return .wouldBlock }
        if code != CURLE_OK { throw makeError(code, operation: "send to \(url)") }
        return .transferred(sent)
    }

    /// Reads what is available now, without blocking on the socket. Drain until `.wouldBlock`
    /// before polling: TLS may hold decrypted bytes the socket no longer shows as readable.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(CurlError) -> StreamResult {
        var received = 0
        errorBuffer[0] = 0
        let code = curl_easy_recv(handle, buffer.baseAddress, buffer.count, &received)
        if code == CURLE_AGAIN { return .wouldBlock }
        if code != CURLE_OK { throw makeError(code, operation: "receive from \(url)") }
        return received == 0 && buffer.count > 0 ? .closed : .transferred(received)
    }

    public enum StreamResult: Sendable, Equatable {
        case transferred(Int)
        /// CURLE_AGAIN: nothing can move without waiting on the socket.
        case wouldBlock
        /// The peer closed the connection (receive only).
        case closed
    }

    /// Sends all of `bytes`, waiting for the socket as needed. BLOCKS up to `timeout` per wait.
    public func sendAll(_ bytes: [UInt8], timeout: Duration) throws(CurlError) {
        var offset = 0
        while offset < bytes.count {
            // withUnsafeBytes only rethrows `any Error`: carry the typed error out in a Result.
            let attempt = bytes.withUnsafeBytes { raw in
                Result { () throws(CurlError) -> StreamResult in
                    try send(UnsafeRawBufferPointer(rebasing: raw[offset...]))
                }
            }
            let result = try attempt.get()
            switch result {
            case .transferred(let count):
                offset += count
            case .wouldBlock, .closed:
                guard try wait(for: .writable, timeout: timeout) else {
                    throw CurlError(refused: .timeout, operation: "send to \(url)",
                                    detail: "socket not writable within \(timeout)")
                }
            }
        }
    }

    /// Waits until the connection's socket is ready. BLOCKS up to `timeout`.
    /// - Returns: false when the timeout passed first.
    public func wait(for readiness: SocketPoll.Readiness, timeout: Duration) throws(CurlError) -> Bool {
        guard let socket = activeSocket else {
            throw CurlError(refused: .recvFailed, operation: "wait on \(url)", detail: "no active connection")
        }
        return try SocketPoll.wait(socket: socket, for: readiness, timeout: timeout)
    }
}
