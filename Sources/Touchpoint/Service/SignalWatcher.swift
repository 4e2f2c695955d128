import Dispatch
import Foundation

/// Turns SIGTERM/SIGINT/SIGHUP into callbacks on a private queue. The signals are blocked for
/// the default disposition first, so the process is never killed before the handler runs.
public final class SignalWatcher: @unchecked Sendable {
    // Safe: `sources` is written once in init and only read afterwards.
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "touchpoint.signals")

    public init(terminate: @escaping @Sendable (Int32) -> Void, reload: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGTERM, SIGINT, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler {
                if signalNumber == SIGHUP { reload() } else { terminate(signalNumber) }
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
