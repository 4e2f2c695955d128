/// How a charset label found in mail is decoded. Labels are case-insensitive and wildly inconsistent
/// in real mail; each alias maps to the glibc iconv name of the *superset* senders actually use
/// (mail labelled gb2312 routinely contains GBK characters, ks_c_5601-1987 means CP949, shift_jis
/// means CP932), with fallbacks for iconv builds that lack the superset.
enum CharsetDecoding: Hashable {
    case utf8
    case ascii
    /// ISO-8859-1 and windows-1252, decoded by table: the WHATWG practice of reading Latin-1 labels as
    /// windows-1252 (its superset for printable text) is followed here.
    case windows1252
    case iconv(candidates: [String])
    case unknown(label: String)

    static func forLabel(_ raw: String) -> CharsetDecoding {
        var label = raw.lowercasedTrimmed
        if label.hasPrefix("\""), label.hasSuffix("\""), label.count >= 2 {
            label = String(label.dropFirst().dropLast())
        }
        if let star = label.firstIndex(of: "*") { label = String(label[..<star]) }  // RFC 2231 language
        switch label {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": return .utf8
        case "", "us-ascii", "ascii", "ansi_x3.4-1968", "ansi-x3.4-1968", "ansi_x3.4-1986", "iso_646.irv:1991", "us", "iso646-us", "646", "iso-ir-6", "default",
             "x-unknown", "unknown", "unknown-8bit", "x-user-defined":
            return .ascii
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819",
             "windows-1252", "cp1252", "x-cp1252", "cp-1252", "ibm819":
            return .windows1252
        case "gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "gb_2312-80", "chinese",
             "csgb2312", "x-euc-cn", "gb18030", "hz-gb-2312":
            return label == "hz-gb-2312" ? .iconv(candidates: ["HZ"]) : .iconv(candidates: ["GB18030", "GBK", "GB2312"])
        case "big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "cp950", "big5-hkscs":
            return .iconv(candidates: label == "big5-hkscs" ? ["BIG5-HKSCS", "CP950"] : ["CP950", "BIG5-HKSCS", "BIG5"])
        case "ks_c_5601-1987", "ks_c_5601", "ks_c_5601-1989", "ksc5601", "ksc_5601", "euc-kr", "korean",
             "cp949", "uhc", "x-windows-949", "windows-949", "csksc56011987", "iso-ir-149", "cseuckr":
            return .iconv(candidates: ["CP949", "EUC-KR"])
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "cp932", "windows-31j",
             "x-ms-cp932", "ms932":
            return .iconv(candidates: ["CP932", "SHIFT_JIS"])
        case "euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese":
            return .iconv(candidates: ["EUC-JP-MS", "EUC-JP"])
        case "iso-2022-jp", "csiso2022jp", "iso-2022-jp-2", "iso-2022-jp-1":
            return .iconv(candidates: ["ISO-2022-JP-2", "ISO-2022-JP"])
        case "iso-2022-kr": return .iconv(candidates: ["ISO-2022-KR"])
        case "koi8-r", "koi8r", "cskoi8r", "koi8": return .iconv(candidates: ["KOI8-R"])
        case "koi8-u", "koi8u", "koi8-ru": return .iconv(candidates: ["KOI8-U", "KOI8-R"])
        case "utf-7", "utf7", "unicode-1-1-utf-7", "x-unicode-2-0-utf-7": return .iconv(candidates: ["UTF-7"])
        case "utf-16", "utf16", "unicode": return .iconv(candidates: ["UTF-16"])
        case "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be":
            return .iconv(candidates: [label.uppercased()])
        case "tis-620", "windows-874", "cp874", "iso-8859-11": return .iconv(candidates: ["CP874", "TIS-620"])
        case "iso-8859-8-i", "iso-8859-8-e", "logical", "visual": return .iconv(candidates: ["ISO-8859-8"])
        case "iso-8859-6-i", "iso-8859-6-e": return .iconv(candidates: ["ISO-8859-6"])
        default: break
        }
        if let n = suffixNumber(label, prefixes: ["windows-", "cp-", "cp", "x-cp", "win-", "win"]), (1250...1258).contains(n) {
            return .iconv(candidates: ["CP\(n)"])
        }
        if let n = suffixNumber(label, prefixes: ["iso-8859-", "iso8859-", "iso_8859-", "iso8859_", "iso-8859_"]),
           (2...16).contains(n), n != 12 {
            return .iconv(candidates: ["ISO-8859-\(n)"])
        }
        if let n = suffixNumber(label, prefixes: ["latin"]) {
            let map = [2: 2, 3: 3, 4: 4, 5: 9, 6: 10, 7: 13, 8: 14, 9: 15, 10: 16]
            if let iso = map[n] { return .iconv(candidates: ["ISO-8859-\(iso)"]) }
        }
        // An unlisted label is tried with iconv under its own name when it looks like a charset
        // name at all: the label is attacker-controlled and glibc interprets "/" and "//" suffixes.
        if label.utf8.count <= 40, label.utf8.allSatisfy({ isNameByte($0) }) {
            return .iconv(candidates: [label.uppercased()])
        }
        return .unknown(label: label)
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 45 || b == 95 || b == 46 || b == 58
    }

    private static func suffixNumber(_ label: String, prefixes: [String]) -> Int? {
        for prefix in prefixes where label.hasPrefix(prefix) {
            let rest = label.dropFirst(prefix.count)
            if !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(rest) { return n }
        }
        return nil
    }
}
