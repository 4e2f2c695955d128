/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3): printable US-ASCII stands for itself,
/// "&" is written "&-", and any other run of characters is UTF-16 in modified base64
/// ("," instead of "/", no padding) between "&" and "-".
public enum ModifiedUTF7 {
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public let offset: Int
        public var description: String { "invalid modified UTF-7 in mailbox name at byte \(offset)" }
    }

    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)
    private static let reverse: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    public static func encode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        var pending: [UInt16] = []

        func flush() {
            guard !pending.isEmpty else { return }
            output.append(UInt8(ascii: "&"))
            var bits: UInt32 = 0
            var bitCount = 0
            for unit in pending {
                bits = (bits << 16) | UInt32(unit)
                bitCount += 16
                while bitCount >= 6 {
                    bitCount -= 6
                    output.append(alphabet[Int((bits >> UInt32(bitCount)) & 0x3F)])
                }
                bits &= (1 << UInt32(bitCount)) - 1
            }
            if bitCount > 0 {
                output.append(alphabet[Int((bits << UInt32(6 - bitCount)) & 0x3F)])
            }
            output.append(UInt8(ascii: "-"))
            pending.removeAll(keepingCapacity: true)
        }

        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: Array(String(scalar).utf16))
            }
        }
        flush()
        return output
    }

    public static func decode(_ bytes: [UInt8]) throws -> String {
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20 && byte <= 0x7E else { throw DecodingError(offset: index) }
            if byte != UInt8(ascii: "&") {
                scalars.append(Unicode.Scalar(byte))
                index += 1
                continue
            }
            let start = index
            index += 1
            if index < bytes.count && bytes[index] == UInt8(ascii: "-") {
                scalars.append("&")
                index += 1
                continue
            }
            var units: [UInt16] = []
            var bits: UInt32 = 0
            var bitCount = 0
            while index < bytes.count && bytes[index] != UInt8(ascii: "-") {
                let value = reverse[Int(bytes[index])]
                guard value >= 0 else { throw DecodingError(offset: index) }
                bits = (bits << 6) | UInt32(value)
                bitCount += 6
                if bitCount >= 16 {
                    bitCount -= 16
                    units.append(UInt16((bits >> UInt32(bitCount)) & 0xFFFF))
                }
                bits &= (1 << UInt32(bitCount)) - 1
                index += 1
            }
            // Unterminated shift, leftover non-zero bits, or an empty "&-"-less shift are all malformed.
            guard index < bytes.count, !units.isEmpty, bits == 0 else { throw DecodingError(offset: start) }
            index += 1
            var decoder = UTF16()
            var iterator = units.makeIterator()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    // RFC 3501: printable ASCII must not be base64-encoded.
                    if scalar.value >= 0x20 && scalar.value <= 0x7E { throw DecodingError(offset: start) }
                    scalars.append(scalar)
                case .emptyInput: break loop
                case .error: throw DecodingError(offset: start)
                }
            }
        }
        return String(scalars)
    }
}
