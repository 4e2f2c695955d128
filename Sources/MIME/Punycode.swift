/// RFC 3492 decoding, only to show IDN domains (`xn--…` labels) in their Unicode form.
enum Punycode {
    static func unicodeDomain(_ domain: String) -> String {
        guard domain.contains("xn--") else { return domain }
        return domain.split(separator: ".", omittingEmptySubsequences: false).map { label -> String in
            guard label.hasPrefix("xn--"), let decoded = decode(String(label.dropFirst(4))) else { return String(label) }
            return decoded.lowercased()
        }.joined(separator: ".")
    }

    static func decode(_ input: String) -> String? {
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        var output: [UInt32] = []
        var bytes = Array(input.utf8)
        guard bytes.count <= 253 else { return nil }
        if let delimiter = bytes.lastIndex(of: ASCII.hyphen) {
            output = bytes[..<delimiter].map { UInt32($0) }
            bytes = Array(bytes[(delimiter + 1)...])
        }
        var n = 128, i = 0, bias = 72, pos = 0
        func adapt(_ delta: Int, _ numPoints: Int, _ first: Bool) -> Int {
            var delta = first ? delta / damp : delta / 2
            delta += delta / numPoints
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 { delta /= base - tMin; k += base }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }
        while pos < bytes.count {
            let oldI = i
            var w = 1, k = base
            while true {
                guard pos < bytes.count else { return nil }
                let c = bytes[pos]; pos += 1
                let digit: Int
                switch c {
                case 48...57: digit = Int(c) - 22
                case 65...90: digit = Int(c) - 65
                case 97...122: digit = Int(c) - 97
                default: return nil
                }
                let (mul, o1) = digit.multipliedReportingOverflow(by: w)
                guard !o1 else { return nil }
                let (sum, o2) = i.addingReportingOverflow(mul)
                guard !o2, sum < 0x7FFF_FFFF else { return nil }
                i = sum
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                w *= base - t
                guard w < 0x7FFF_FFFF else { return nil }
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, output.count < 256 else { return nil }
            output.insert(UInt32(n), at: i)
            i += 1
        }
        var scalars = String.UnicodeScalarView()
        for v in output {
            guard let s = Unicode.Scalar(v) else { return nil }
            scalars.append(s)
        }
        return String(scalars)
    }
}
