import Glibc

/// Byte searches over a string's UTF-8 with `memchr`: the NUL and quote checks run on every
/// element of every batch column, and the generic per-byte `UTF8View.contains` was the
/// client's top profile entry when encoding a 1000-message batch.
enum PostgresBytesScan {
    static func contains(_ byte: UInt8, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return false }
            return memchr(base, Int32(byte), buffer.count) != nil
        }
    }
}
