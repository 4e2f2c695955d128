internal import CCurl

/// The bytes of one upload and how far libcurl has read them.
final class UploadSource {
    let bytes: [UInt8]
    var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func rewind() { offset = 0 }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { raw in
            buffer.copyMemory(from: raw.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// Receives libcurl's debug callback, redacts, and forwards to the handle's Swift handler.
final class DebugSink {
    var redactor = DebugRedactor()
    var handler: ((CurlDebugEvent) -> Void)?

    func deliver(type: UInt32, bytes: UnsafeRawBufferPointer) {
        guard let handler else { return }
        switch type {
        case CURLINFO_TEXT.rawValue:
            for line in lines(bytes) { handler(CurlDebugEvent(kind: .info, text: redactor.redactOther(line))) }
        case CURLINFO_HEADER_IN.rawValue:
            for line in lines(bytes) { handler(CurlDebugEvent(kind: .received, text: redactor.redactOther(line))) }
        case CURLINFO_HEADER_OUT.rawValue:
            for line in lines(bytes) { handler(CurlDebugEvent(kind: .sent, text: redactor.redactSent(line))) }
        case CURLINFO_DATA_IN.rawValue:
            handler(CurlDebugEvent(kind: .receivedData, text: "\(bytes.count) bytes"))
        case CURLINFO_DATA_OUT.rawValue:
            handler(CurlDebugEvent(kind: .sentData, text: "\(bytes.count) bytes"))
        default:
            // TLS records: binary, and never useful in a log.
            break
        }
    }

    /// Splits on LF bytes (a Swift `Character` would treat CR LF as one unit) and drops the CR.
    private func lines(_ bytes: UnsafeRawBufferPointer) -> [String] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true).compactMap { line in
            let trimmed = line.last == 0x0D ? line.dropLast() : line
            return trimmed.isEmpty ? nil : String(decoding: trimmed, as: UTF8.self)
        }
    }
}
