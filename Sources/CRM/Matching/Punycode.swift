/// RFC 3492 Punycode decoding, enough to show IDN domains (`xn--…` labels) in their Unicode form.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
    private static let initialBias = 72, initialN = 128
    /// Bounds the work on hostile input: DNS labels are at most 63 octets.
    static let maxInputLength = 256

    /// Decodes the part after `xn--`; nil when it is not valid Punycode.
    static func decode(_ encoded: Substring) -> String? {
        guard encoded.count <= maxInputLength, encoded.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
        var output: [Unicode.Scalar] = []
        var rest = encoded.unicodeScalars[...]
        // Basic code points are everything before the last delimiter.
        if let delimiter = rest.lastIndex(of: "-") {
            output = Array(rest[..<delimiter])
            rest = rest[rest.index(after: delimiter)...]
        }
        var n = initialN, i = 0, bias = initialBias
        var input = rest.makeIterator()
        var pending = input.next()
        while pending != nil {
            let oldI = i
            var weight = 1
            var k = base
            while true {
                guard let scalar = pending, let digit = digitValue(scalar) else { return nil }
                pending = input.next()
                let (product, overflow1) = digit.multipliedReportingOverflow(by: weight)
                let (sum, overflow2) = i.addingReportingOverflow(product)
                guard !overflow1, !overflow2, sum <= Int(UInt32.max) else { return nil }
                i = sum
                let threshold = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < threshold { break }
                weight *= base - threshold
                guard weight <= Int(UInt32.max) else { return nil }
                k += base
            }
            let length = output.count + 1
            bias = adapt(delta: i - oldI, points: length, first: oldI == 0)
            n += i / length
            i %= length
            guard let scalar = Unicode.Scalar(UInt32(clamping: n)), n <= 0x10FFFF else { return nil }
            output.insert(scalar, at: i)
            i += 1
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: output)
        return result
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> Int? {
        switch scalar.value {
        case 0x30...0x39: return Int(scalar.value) - 0x30 + 26   // 0-9
        case 0x41...0x5A: return Int(scalar.value) - 0x41       // A-Z
        case 0x61...0x7A: return Int(scalar.value) - 0x61       // a-z
        default: return nil
        }
    }

    private static func adapt(delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
