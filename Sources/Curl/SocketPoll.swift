#if canImport(Glibc)
import Glibc
#endif

/// poll(2) on one socket: the single place that waits on the network, retrying EINTR with
/// the remaining time so a signal neither shortens nor stretches the timeout.
public enum SocketPoll {
    public enum Readiness: Sendable, Equatable { case readable, writable, readableOrWritable }

    /// BLOCKS up to `timeout`. Returns true when ready (hang-up and errors count as ready:
    /// the next send/receive reports them), false when the timeout passed.
    public static func wait(socket: Int32, for readiness: Readiness, timeout: Duration) throws(CurlError) -> Bool {
        var events: Int16 = 0
        switch readiness {
        case .readable: events = Int16(POLLIN)
        case .writable: events = Int16(POLLOUT)
        case .readableOrWritable: events = Int16(POLLIN) | Int16(POLLOUT)
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let remaining = clock.now.duration(to: deadline)
            let milliseconds = remaining <= .zero ? 0 : Int32(clamping: remaining.curlMilliseconds)
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let result = poll(&descriptor, 1, milliseconds)
            if result > 0 { return true }
            if result == 0 { return false }
            let error = errno
            if error == EINTR { continue }
            throw CurlError(refused: .other, operation: "poll socket \(socket)",
                            detail: String(cString: strerror(error)))
        }
    }
}
