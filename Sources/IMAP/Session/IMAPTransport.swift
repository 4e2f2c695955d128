/// The byte stream under an `IMAPSession`: the live one is libcurl's logged-in connection
/// (`CurlIMAPTransport`); tests use an in-memory server. Calls BLOCK the calling thread for
/// at most their timeout, so a session belongs on a dedicated thread, not the cooperative pool.
public protocol IMAPTransport: AnyObject {
    /// Sends every byte, or throws. BLOCKS up to `timeout` waiting for the socket.
    func send(_ bytes: [UInt8], timeout: Duration) throws
    /// Reads what is available into `buffer`, waiting up to `timeout` for the first byte.
    func receive(into buffer: UnsafeMutableRawBufferPointer, timeout: Duration) throws -> IMAPTransportReceipt
    /// Closes the connection; further calls fail.
    func close()
}

public enum IMAPTransportReceipt: Sendable, Equatable {
    case received(Int)
    case timedOut
    case closed
}
