/// `AddressNormalizer.normalize` on the UTF-8 bytes of an all-ASCII address, without Character
/// (grapheme) iteration. For ASCII, Unicode's White_Space is exactly HT, LF, VT, FF, CR and space,
/// lowercasing is the ASCII mapping and every Character is one byte (CR LF aside, which is
/// whitespace either way), so the result equals the general path's. Input it does not cover
/// (8-bit bytes, `xn--` labels that need Punycode) is handed back to the general path.
enum ASCIIAddress {
    struct Outcome {
        /// The normalised address, or nil when the text is not an address.
        var address: String?
    }

    /// nil: not covered here, use the general path.
    static func normalize(_ bytes: UnsafeBufferPointer<UInt8>, stripPlusTags: Bool) -> Outcome? {
        for byte in bytes where byte >= 0x80 { return nil }
        var lo = 0, hi = bytes.count
        trim(bytes, &lo, &hi)
        if hi - lo >= 2, bytes[lo] == UInt8(ascii: "<"), bytes[hi - 1] == UInt8(ascii: ">") {
            lo += 1
            hi -= 1
            trim(bytes, &lo, &hi)
        }
        var at = hi - 1
        while at >= lo, bytes[at] != UInt8(ascii: "@") { at -= 1 }
        guard at >= lo else { return Outcome(address: nil) }
        var localEnd = at
        guard localEnd > lo else { return Outcome(address: nil) }

        var domainStart = at + 1, domainEnd = hi
        trim(bytes, &domainStart, &domainEnd)
        if domainEnd > domainStart, bytes[domainEnd - 1] == UInt8(ascii: ".") { domainEnd -= 1 }
        guard domainEnd > domainStart, domainEnd - domainStart <= 255 else { return Outcome(address: nil) }
        var labelStart = domainStart
        for index in domainStart...domainEnd where index == domainEnd || bytes[index] == UInt8(ascii: ".") {
            guard index > labelStart else { return Outcome(address: nil) }
            if index - labelStart >= 4, lower(bytes[labelStart]) == UInt8(ascii: "x"), lower(bytes[labelStart + 1]) == UInt8(ascii: "n"),
               bytes[labelStart + 2] == UInt8(ascii: "-"), bytes[labelStart + 3] == UInt8(ascii: "-") {
                return nil
            }
            labelStart = index + 1
        }
        for index in domainStart..<domainEnd where bytes[index] != UInt8(ascii: ".") && isForbiddenInDomain(bytes[index]) {
            return Outcome(address: nil)
        }

        if stripPlusTags {
            var plus = lo + 1
            while plus < localEnd, bytes[plus] != UInt8(ascii: "+") { plus += 1 }
            // A "+" first in the local part is not a tag separator.
            if bytes[lo] != UInt8(ascii: "+") { localEnd = plus }
        }
        let count = (localEnd - lo) + 1 + (domainEnd - domainStart)
        let address = String(unsafeUninitializedCapacity: count) { out in
            var k = 0
            for index in lo..<localEnd { out[k] = lower(bytes[index]); k += 1 }
            out[k] = UInt8(ascii: "@")
            k += 1
            for index in domainStart..<domainEnd { out[k] = lower(bytes[index]); k += 1 }
            return k
        }
        return Outcome(address: address)
    }

    @inline(__always)
    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || (byte >= 0x09 && byte <= 0x0D)
    }

    private static func trim(_ bytes: UnsafeBufferPointer<UInt8>, _ lo: inout Int, _ hi: inout Int) {
        while lo < hi, isWhitespace(bytes[lo]) { lo += 1 }
        while hi > lo, isWhitespace(bytes[hi - 1]) { hi -= 1 }
    }

    /// The ASCII half of `AddressNormalizer.isForbiddenInDomain`.
    private static func isForbiddenInDomain(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<0x21, 0x7F: return true
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "\\"), UInt8(ascii: ","), UInt8(ascii: "\""):
            return true
        default: return false
        }
    }
}
