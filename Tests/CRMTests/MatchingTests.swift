import XCTest
@testable import CRM

final class AddressNormalizerTests: XCTestCase {
    let normalizer = AddressNormalizer(stripPlusTags: true)

    func testTrimLowercaseAndBrackets() {
        XCTAssertEqual(normalizer.normalize("  <John.Doe@Example.COM> "), "john.doe@example.com")
        XCTAssertEqual(normalizer.normalize("Anna@Example.com."), "anna@example.com")
        XCTAssertNil(normalizer.normalize("not an address"))
        XCTAssertNil(normalizer.normalize("@example.com"))
        XCTAssertNil(normalizer.normalize("a@"))
        XCTAssertNil(normalizer.normalize("a@exa mple.com"))
        XCTAssertNil(normalizer.normalize("a@example.com>"))
        XCTAssertNil(normalizer.normalize("a@exa\u{0}mple.com"))
        XCTAssertNil(normalizer.normalize(String(repeating: "a", count: 400) + "@example.com"))
    }

    func testPlusTags() {
        XCTAssertEqual(normalizer.normalize("bob+invoices@example.com"), "bob@example.com")
        XCTAssertEqual(AddressNormalizer(stripPlusTags: false).normalize("bob+invoices@example.com"), "bob+invoices@example.com")
        // A local part that starts with + has no base to keep.
        XCTAssertEqual(normalizer.normalize("+tag@example.com"), "+tag@example.com")
    }

    func testIDNDomainsDecoded() {
        XCTAssertEqual(normalizer.normalize("info@XN--Mnchen-3ya.de"), "info@münchen.de")
        XCTAssertEqual(normalizer.normalize("info@münchen.de"), "info@münchen.de")
        XCTAssertEqual(AddressNormalizer.normalizeDomain("xn--fiqs8s"), "中国")
        // Invalid Punycode is kept as written rather than dropped.
        XCTAssertEqual(AddressNormalizer.normalizeDomain("xn--99999999999.com"), "xn--99999999999.com")
    }

    func testPunycodeVectors() {
        XCTAssertEqual(Punycode.decode("mnchen-3ya"), "münchen")
        XCTAssertEqual(Punycode.decode("bcher-kva"), "bücher")
        XCTAssertEqual(Punycode.decode("80ak6aa92e"), "аррӏе")
        XCTAssertEqual(Punycode.decode("4gbrim"), "موقع")
        // RFC 3492 §7.1 (L) and (S).
        XCTAssertEqual(Punycode.decode("3B-ww4c5e180e575a65lsy2b"), "3年B組金八先生")
        XCTAssertEqual(Punycode.decode("-> $1.00 <--"), "-> $1.00 <-")
        XCTAssertNil(Punycode.decode("a!"))
        XCTAssertNil(Punycode.decode("zzzzzzzzzzzzzzzzzzzzzzzzzz"))
    }
}

final class FreeMailDomainsTests: XCTestCase {
    func testShippedListAndWildcards() {
        let list = FreeMailDomains()
        for domain in ["gmail.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "yahoo.co.jp", "yahoo.de", "gmx.net",
                       "gmx.at", "live.com", "web.de", "freemail.hu", "citromail.hu", "mail.ru", "yandex.ru", "qq.com", "163.com"] {
            XCTAssertTrue(list.contains(domain), domain)
        }
        for domain in ["example.com", "hotmail-partners.com", "mygmail.com", "corp.hotmail.evil.example.com", "hotmail"] {
            XCTAssertFalse(list.contains(domain), domain)
        }
    }

    func testExtendableFromConfig() {
        let list = FreeMailDomains(additional: ["Mail.Example.org", "freebie.*"])
        XCTAssertTrue(list.contains("mail.example.org"))
        XCTAssertTrue(list.contains("freebie.io"))
        XCTAssertTrue(list.contains("gmail.com"))
        XCTAssertFalse(FreeMailDomains(additional: ["x.org"], includeShipped: false).contains("gmail.com"))
    }
}

final class MatcherTests: XCTestCase {
    let normalizer = AddressNormalizer(stripPlusTags: true)
    lazy var snapshot = ContactSnapshot(
        contacts: [
            .init(id: ContactID(1), name: "Anna Kovács", addresses: ["Anna@Acme.example", "anna.k@gmail.com"], accountID: AccountID(10)),
            .init(id: ContactID(2), name: "Bob", addresses: ["bob@globex.example"], accountID: AccountID(20)),
            .init(id: ContactID(3), name: "Copy", addresses: ["anna@acme.example"], accountID: AccountID(10)),
        ],
        accounts: [
            .init(id: AccountID(10), name: "Acme", domains: ["acme.example"]),
            .init(id: AccountID(20), name: "Globex", domains: ["globex.example", "gmail.com"]),
        ],
        normalizer: normalizer)
    let config = MatchingConfig(internalDomains: ["ourco.example"])

    private func party(_ address: String, _ name: String? = nil) -> MailParty { MailParty(address: address, displayName: name) }

    func testInboundExactAddressMatch() {
        let result = Matcher.match(message: MessageParties(from: [party("Anna+quotes@ACME.example", "Anna")], to: [party("rep@ourco.example")]),
                                   snapshot: snapshot, config: config)
        XCTAssertEqual(result.direction, .inbound)
        XCTAssertEqual(result.interactions, [MatchedInteraction(contactID: ContactID(1), accountID: AccountID(10), direction: .inbound,
                                                                address: "anna@acme.example", evidence: .address)])
        XCTAssertNil(result.skipped)
    }

    func testOutboundToSeveralContactsDeduplicated() {
        let message = MessageParties(from: [party("rep@ourco.example")],
                                     to: [party("anna@acme.example"), party("bob@globex.example")],
                                     cc: [party("ANNA.K@gmail.com"), party("anna@acme.example")])
        let result = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(result.direction, .outbound)
        XCTAssertEqual(result.interactions.map(\.contactID), [ContactID(1), ContactID(2)])
        XCTAssertTrue(result.interactions.allSatisfy { $0.direction == .outbound })
    }

    func testAccountByDomainButNeverFreeMail() {
        let message = MessageParties(from: [party("new.person@acme.example")], to: [party("rep@ourco.example")],
                                     cc: [party("stranger@gmail.com"), party("other@acme.example")])
        let result = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(result.interactions, [MatchedInteraction(contactID: nil, accountID: AccountID(10), direction: .inbound,
                                                                address: "new.person@acme.example", evidence: .accountDomain)])
        XCTAssertEqual(result.ignoredParties, 1)
        // The account listing gmail.com is reported, and gmail.com never maps to it.
        XCTAssertTrue(snapshot.conflicts.contains(.freeMailDomain("gmail.com", account: AccountID(20))))
        XCTAssertNil(snapshot.account(forNormalizedDomain: "gmail.com"))
    }

    func testAccountLevelDroppedWhenContactOfAccountMatched() {
        let message = MessageParties(from: [party("anna@acme.example")], to: [party("rep@ourco.example")], cc: [party("colleague@acme.example")])
        let result = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(result.interactions.map(\.contactID), [ContactID(1)])
    }

    func testSharedAddressLowerIDWins() {
        XCTAssertEqual(snapshot.contact(forNormalizedAddress: "anna@acme.example")?.id, ContactID(1))
        XCTAssertTrue(snapshot.conflicts.contains(.sharedAddress("anna@acme.example", kept: ContactID(1), ignored: ContactID(3))))
    }

    func testInternalOnlySkipped() {
        let message = MessageParties(from: [party("a@ourco.example")], to: [party("b@sales.ourco.example")])
        XCTAssertEqual(Matcher.match(message: message, snapshot: snapshot, config: config).skipped, .internalOnly)
    }

    func testExternalOnlyTreatedAsInbound() {
        // e.g. a customer's mail forwarded or BCC'd into a rep's mailbox.
        let message = MessageParties(from: [party("bob@globex.example")], to: [party("anna@acme.example")])
        let result = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(result.direction, .inbound)
        XCTAssertEqual(Set(result.interactions.compactMap(\.contactID)), [ContactID(1), ContactID(2)])
    }

    func testSenderUsedOnlyWithoutFrom() {
        let message = MessageParties(sender: party("rep@ourco.example"), to: [party("bob@globex.example")])
        XCTAssertEqual(Matcher.match(message: message, snapshot: snapshot, config: config).direction, .outbound)
        let withFrom = MessageParties(from: [party("bob@globex.example")], sender: party("rep@ourco.example"), to: [party("rep@ourco.example")])
        XCTAssertEqual(Matcher.match(message: withFrom, snapshot: snapshot, config: config).direction, .inbound)
    }

    func testReplyToPartyMatched() {
        // A web form: our system writes to a rep on the customer's behalf.
        let message = MessageParties(from: [party("noreply@ourco.example")], to: [party("rep@ourco.example")], replyTo: [party("bob@globex.example")])
        let result = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(result.interactions.map(\.contactID), [ContactID(2)])
        XCTAssertEqual(result.direction, .inbound)
        // A rep writing to the customer with a shared Reply-To stays outbound.
        let outbound = MessageParties(from: [party("rep@ourco.example")], to: [party("bob@globex.example")], replyTo: [party("sales@ourco.example")])
        XCTAssertEqual(Matcher.match(message: outbound, snapshot: snapshot, config: config).direction, .outbound)
    }

    func testAutomatedSkippedWithReason() {
        let message = MessageParties(from: [party("anna@acme.example")], to: [party("rep@ourco.example")], automatedReason: "list-id")
        let result = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(result.skipped, .automated("list-id"))
        XCTAssertTrue(result.interactions.isEmpty)
        var statistics = MatchStatistics()
        statistics.add(result)
        statistics.add(Matcher.match(message: MessageParties(), snapshot: snapshot, config: config))
        XCTAssertEqual(statistics.skippedByReason, ["automated:list-id": 1, "no-parties": 1])
    }

    func testUnmatchedPolicies() {
        let message = MessageParties(from: [party("z@newco.example", " Zoltán Nagy ")],
                                     to: [party("rep@ourco.example")])
        let ignore = Matcher.match(message: message, snapshot: snapshot, config: config)
        XCTAssertEqual(ignore.ignoredParties, 1)
        XCTAssertTrue(ignore.recorded.isEmpty && ignore.proposedContacts.isEmpty && ignore.interactions.isEmpty)

        let record = Matcher.match(message: message, snapshot: snapshot,
                                   config: MatchingConfig(internalDomains: ["ourco.example"], unmatched: .record))
        XCTAssertEqual(record.recorded, [UnmatchedParty(address: "z@newco.example", displayName: "Zoltán Nagy",
                                                        internalParty: "rep@ourco.example", isFreeMail: false)])

        let create = Matcher.match(message: message, snapshot: snapshot,
                                   config: MatchingConfig(internalDomains: ["ourco.example"], unmatched: .create))
        XCTAssertEqual(create.proposedContacts.first?.displayName, "Zoltán Nagy")
        XCTAssertEqual(create.proposedContacts.first?.address, "z@newco.example")
        XCTAssertEqual(create.direction, .inbound)
    }

    func testUnreadableAddressesIgnored() {
        let message = MessageParties(from: [party("undisclosed-recipients:;")], to: [party("rep@ourco.example")])
        XCTAssertEqual(Matcher.match(message: message, snapshot: snapshot, config: config).skipped, .internalOnly)
    }
}

final class ThreadKeyTests: XCTestCase {
    let normalizer = AddressNormalizer()

    func testSubjectNormalisation() {
        XCTAssertEqual(ThreadKey.normalizeSubject("Re: AW: Fwd:  Quote   for Q3"), "quote for q3")
        XCTAssertEqual(ThreadKey.normalizeSubject("RE[2]: WG: Angebot"), "angebot")
        XCTAssertEqual(ThreadKey.normalizeSubject("Ответ: Счёт"), "счёт")
        XCTAssertEqual(ThreadKey.normalizeSubject("回复：报价"), "报价")
        XCTAssertEqual(ThreadKey.normalizeSubject("Sv: VS: Tilbud"), "tilbud")
        XCTAssertEqual(ThreadKey.normalizeSubject("ΑΠ: ΣΧΕΤ: Τιμολόγιο"), "τιμολόγιο")
        XCTAssertEqual(ThreadKey.normalizeSubject("پاسخ: سفارش"), "سفارش")
        XCTAssertEqual(ThreadKey.normalizeSubject("Meeting: Monday"), "meeting: monday")
        XCTAssertEqual(ThreadKey.normalizeSubject(String(repeating: "Re: ", count: 50) + "x").hasSuffix("x"), true)
    }

    func testReferencesRootWins() {
        let id = ThreadKey.headerThreadID(messageID: "<c@x>", inReplyTo: ["<b@x>"], references: ["<a@x>", "<b@x>"], subject: "Re: hi")
        XCTAssertEqual(id, "msg:a@x")
        XCTAssertEqual(ThreadKey.headerThreadID(messageID: "<c@x>", inReplyTo: ["<b@x>"], references: [], subject: "Re: hi"), "msg:b@x")
        XCTAssertEqual(ThreadKey.headerThreadID(messageID: "<c@x>", inReplyTo: [" "], references: ["<>", " <a@x> "], subject: "Re: hi"), "msg:a@x",
                       "empty ids are skipped")
        // The root itself lands in the same thread as its replies.
        XCTAssertEqual(ThreadKey.headerThreadID(messageID: "<a@x>", inReplyTo: [], references: [], subject: "hi"), "msg:a@x")
        XCTAssertEqual(ThreadKey.headerThreadID(messageID: "<m@x>", inReplyTo: [], references: [], subject: "Meeting: Monday"), "msg:m@x",
                       "a colon in the subject is not a reply prefix")
    }

    func testOnlyTheSubjectCanPlaceAReplyWithoutReferencesOrAMessageWithoutID() {
        XCTAssertNil(ThreadKey.headerThreadID(messageID: "<r@x>", inReplyTo: [], references: [], subject: "Re: Quote"))
        XCTAssertNil(ThreadKey.headerThreadID(messageID: "<r@x>", inReplyTo: [], references: [], subject: "AW: Angebot"))
        XCTAssertNil(ThreadKey.headerThreadID(messageID: "<r@x>", inReplyTo: [], references: [], subject: "回复：报价"))
        XCTAssertNil(ThreadKey.headerThreadID(messageID: nil, inReplyTo: [], references: [], subject: "Quote"))
        XCTAssertNil(ThreadKey.headerThreadID(messageID: "<>", inReplyTo: [], references: [], subject: "Quote"))
        XCTAssertTrue(ThreadKey.looksLikeReply("Fwd: x"))
        XCTAssertFalse(ThreadKey.looksLikeReply("  Quote   for  Q3 "), "whitespace alone is no prefix")
    }

    func testSubjectKeyIgnoresPrefixesCaseAndParticipantOrder() {
        let first = ThreadKey.subjectKey(subject: "Quote", participants: ["a@x.example", "B@y.example"], normalizer: normalizer)
        let reply = ThreadKey.subjectKey(subject: "Re:  QUOTE", participants: ["b@y.example", "a@x.example", "A@x.example"],
                                         normalizer: normalizer)
        XCTAssertEqual(first, reply)
        XCTAssertNotEqual(first, ThreadKey.subjectKey(subject: "Quote", participants: ["a@x.example", "c@y.example"], normalizer: normalizer))
        XCTAssertNotEqual(first, ThreadKey.subjectKey(subject: "Quote 2", participants: ["a@x.example", "b@y.example"], normalizer: normalizer))
        XCTAssertNotEqual(first, ThreadKey.subjectKey(subject: "Quote", participants: ["a@x.example"], normalizer: normalizer))
    }

    func testTheASCIIFastPathAgreesWithTheNormalizer() {
        let addresses = [
            "anna@acme.example", "Anna.Kovacs@ACME.Example", "<jane+orders@x.example>", "+tag@x.example", "a+b+c@x.example",
            " spaced@x.example ", "<a@x.example", "a@x.example>", "<>", "@x.example", "a@", "a@@x.example", "a@b@x.example",
            "a@x.example.", "a@x..example", "a@.x.example", "a@xn--bcher-kva.example", "a@XN--BCHER-KVA.example", "a@sub.xn--bcher-kva.ch",
            "a@x-n--y.example", "a@(x).example", "a@x,example", "\"quoted\"@x.example", "ünïcode@x.example", "a@bücher.example",
            "a\tb@x.example", "a@x.example\u{0}", "plain", "", String(repeating: "a", count: 400) + "@x.example",
        ]
        for strip in [true, false] {
            let normalizer = AddressNormalizer(stripPlusTags: strip)
            for address in addresses {
                XCTAssertEqual(ThreadKey.participantKey(address, normalizer), normalizer.normalize(address), "\(address) strip=\(strip)")
            }
        }
    }

    func testIdentifyAgreesWithTheSeparateFunctions() {
        for (subject, ids) in [("Re: Quote", ([], [])), ("Quote", ([], [])), ("Quote", (["<p@x>"], ["<r@x>"])), ("ΑΠ: Τιμή", ([], [])),
                               ("  RE[2]:   Fwd:  Offer  ", ([], [])), ("Re:", ([], [])), ("meeting: monday", ([], []))] as [(String, ([String], [String]))] {
            let both = ThreadKey.identify(messageID: "<m@x>", inReplyTo: ids.0, references: ids.1, subject: subject,
                                          participants: ["b@y.example", "A@x.example"], normalizer: normalizer)
            XCTAssertEqual(both.headerThreadID, ThreadKey.headerThreadID(messageID: "<m@x>", inReplyTo: ids.0, references: ids.1, subject: subject))
            XCTAssertEqual(both.subjectKey, ThreadKey.subjectKey(subject: subject, participants: ["a@x.example", "b@y.example"], normalizer: normalizer))
        }
        XCTAssertEqual(ThreadKey.normalizeSubject("  RE[2]:   Fwd:  Offer  "), "offer")
        XCTAssertEqual(ThreadKey.normalizeSubject("Re:"), "")
        XCTAssertTrue(ThreadKey.looksLikeReply("RE(3): x"))
        XCTAssertFalse(ThreadKey.looksLikeReply("Order 5: x"))
    }

    /// Keys are stored and compared with the keys of mail synced by later releases (and migration 5
    /// recovers them from the old `subj:<hex>` thread ids): the function must never change. The
    /// value is FNV-1a 64 of "quote\na@x.example,b@y.example", computed independently.
    func testSubjectKeyIsTheStableFNV1aOfTheNormalisedMaterial() {
        XCTAssertEqual(ThreadKey.subjectKey(subject: "RE: Quote", participants: ["B@y.example", "a@x.example"], normalizer: normalizer),
                       Int64(bitPattern: 0xB3B1_F836_C637_15DF))
    }
}
