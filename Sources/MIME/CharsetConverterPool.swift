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
}
