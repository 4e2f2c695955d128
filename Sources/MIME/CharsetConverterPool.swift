import Foundation

/// Keeps converters (and their open iconv descriptors) between parses. Opening a descriptor loads a
/// gconv module, and closing the last descriptor of a charset unloads it again: per-parse converters
/// spent more time in dlopen than in parsing small messages.
///
/// `@unchecked Sendable` is safe because the only state is the array of idle converters, touched
/// only under `lock`; a converter is used by exactly one parse at a time (checked out, then returned).
final class CharsetConverterPool: @unchecked Sendable {
    static let shared = CharsetConverterPool()
    private static let maxIdle = 8
    private let lock = NSLock()
    private var idle: [CharsetConverter] = []

    func withConverter<T>(_ body: (CharsetConverter) -> T) -> T {
        lock.lock()
        let converter = idle.popLast() ?? CharsetConverter()
        lock.unlock()
        let result = body(converter)
        lock.lock()
        if idle.count < Self.maxIdle { idle.append(converter) }
        lock.unlock()
        return result
    }

    /// Closes all idle converters but `keeping`: each holds a descriptor (a few hundred KB for the
    /// CJK charsets) per charset it met, and an idle daemon needs none of that. One kept converter
    /// keeps the gconv modules loaded, so the next parse does not pay for dlopen again.
    func releaseIdle(keeping: Int) {
        lock.lock()
        let released = idle.count > keeping ? Array(idle[max(0, keeping)...]) : []
        idle.removeLast(released.count)
        lock.unlock()
        withExtendedLifetime(released) {}  // deinit closes the descriptors, outside the lock
    }
}

/// Memory the MIME parser keeps between messages for speed.
public enum MIMECaches {
    /// For a process about to sit idle (a daemon between polls): frees the charset converters
    /// parallel parses left behind, keeping one so the charset modules stay loaded.
    public static func releaseIdleConverters() {
        CharsetConverterPool.shared.releaseIdle(keeping: 1)
    }
}
