import Foundation

/// Mail providers whose domain says nothing about the customer's company: an address there is never
/// matched to an account by domain (DESIGN §5.3). `name.*` entries match the name under any TLD,
/// including two-label ones (`hotmail.co.uk`).
public struct FreeMailDomains: Sendable, Hashable {
    private var exact: Set<String>
    private var anyTLD: Set<String>

    public static let shipped: [String] = [
        // Global
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.*", "live.*", "msn.com", "passport.com",
        "yahoo.*", "ymail.com", "rocketmail.com", "icloud.com", "me.com", "mac.com", "aol.com", "aim.com",
        "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tuta.io", "zoho.com",
        "zohomail.com", "fastmail.com", "fastmail.fm", "hey.com", "mail.com", "email.com", "usa.com",
        "gmx.*", "hushmail.com", "mailbox.org", "posteo.de", "posteo.net", "duck.com", "yandex.*",
        // Germany, Austria, Switzerland
        "web.de", "t-online.de", "freenet.de", "arcor.de", "online.de", "bluewin.ch", "aon.at",
        // Russia and neighbours
        "mail.ru", "bk.ru", "list.ru", "inbox.ru", "internet.ru", "ya.ru", "rambler.ru", "ukr.net", "i.ua",
        // China, Korea, Japan
        "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com",
        "aliyun.com", "139.com", "naver.com", "daum.net", "hanmail.net", "nate.com", "yahoo.co.jp",
        "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp",
        // Central and Eastern Europe
        "freemail.hu", "citromail.hu", "indamail.hu", "vipmail.hu", "seznam.cz", "email.cz", "centrum.cz",
        "atlas.cz", "azet.sk", "centrum.sk", "wp.pl", "o2.pl", "interia.pl", "onet.pl", "op.pl", "poczta.onet.pl",
        "abv.bg",
        // Western and Southern Europe
        "libero.it", "virgilio.it", "tiscali.it", "alice.it", "tin.it", "orange.fr", "laposte.net", "free.fr",
        "wanadoo.fr", "sfr.fr", "neuf.fr", "club-internet.fr", "btinternet.com", "sky.com", "virginmedia.com",
        "ntlworld.com", "talktalk.net", "telenet.be", "skynet.be", "ziggo.nl", "kpnmail.nl", "home.nl",
        "planet.nl", "telia.com", "online.no", "sapo.pt", "terra.com.br", "bol.com.br", "uol.com.br",
        // North America, Oceania, India
        "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net",
        "earthlink.net", "shaw.ca", "rogers.com", "sympatico.ca", "bigpond.com", "optusnet.com.au",
        "xtra.co.nz", "rediffmail.com",
    ]

    /// The shipped list plus `additional` entries (from config; same `name.*` syntax).
    public init(additional: [String] = [], includeShipped: Bool = true) {
        exact = []
        anyTLD = []
        for entry in (includeShipped ? Self.shipped : []) + additional {
            let trimmed = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if trimmed.hasSuffix(".*") {
                anyTLD.insert(String(trimmed.dropLast(2)))
            } else if let domain = AddressNormalizer.normalizeDomain(trimmed) {
                exact.insert(domain)
            }
        }
    }

    /// Whether a normalised domain belongs to a free-mail provider.
    public func contains(_ domain: some StringProtocol) -> Bool {
        let domain = String(domain)
        if exact.contains(domain) { return true }
        guard let dot = domain.firstIndex(of: "."), dot != domain.startIndex else { return false }
        let suffix = domain[domain.index(after: dot)...]
        // `hotmail.*`: the provider's name followed by a TLD of one or two labels.
        return anyTLD.contains(String(domain[..<dot])) && !suffix.isEmpty && suffix.split(separator: ".").count <= 2
    }
}
