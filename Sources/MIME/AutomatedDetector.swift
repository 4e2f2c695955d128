/// Why a message was judged automated (DESIGN §5 rule 5). `description` is a short reason for logs.
public struct AutomatedReason: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case autoSubmitted = "auto-submitted"
        case precedence
        case listHeader = "list-header"
        case autoreplyHeader = "autoreply-header"
        case nullSender = "null-sender"
        case systemSender = "system-sender"
        case deliveryReport = "delivery-report"
    }

    public var kind: Kind
    public var detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}

/// Detects automated mail from headers alone, plus the top-level content type when known (the IMAP
/// pipeline has it from BODYSTRUCTURE without fetching the body).
public enum AutomatedDetector {
    public static func detect(headers: HeaderList, contentType: ContentType? = nil, from: [Mailbox]? = nil) -> AutomatedReason? {
        if let value = headers.first(named: "Auto-Submitted")?.value.lowercasedTrimmed, !value.isEmpty,
           !(value == "no" || value.hasPrefix("no;") || value.hasPrefix("no ")) {
            return AutomatedReason(kind: .autoSubmitted, detail: value)
        }
        if let value = headers.first(named: "Precedence")?.value.lowercasedTrimmed,
           ["bulk", "list", "junk", "auto_reply"].contains(value) {
            return AutomatedReason(kind: .precedence, detail: value)
        }
        for name in ["List-Id", "List-Unsubscribe"] where headers.first(named: name) != nil {
            return AutomatedReason(kind: .listHeader, detail: name)
        }
        for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"] {
            guard let field = headers.first(named: name) else { continue }
            if name == "X-Auto-Response-Suppress" {
                // Exchange marks its own auto-replies "All"/"OOF"; ordinary mail may carry other values.
                let v = field.value.lowercasedTrimmed
                if v == "all" || v.contains("oof") { return AutomatedReason(kind: .autoreplyHeader, detail: "\(name): \(v)") }
                continue
            }
            return AutomatedReason(kind: .autoreplyHeader, detail: name)
        }
        if let returnPath = headers.first(named: "Return-Path") {
            let v = returnPath.rawValue.filter { !ASCII.isWhitespace($0) }
            if v == [60, 62] || v.isEmpty { return AutomatedReason(kind: .nullSender, detail: "Return-Path: <>") }
        }
        var converterDefects: [String] = []
        let senders = from ?? headers.first(named: "From").map { field in
            CharsetConverterPool.shared.withConverter {
                AddressListParser.parse(field.rawValue, converter: $0, limit: 10, defects: &converterDefects)
            }
        } ?? []
        for sender in senders {
            let address = sender.address.lowercased()
            let local = address.split(separator: "@", maxSplits: 1).first.map(String.init) ?? address
            if address.isEmpty || address == "<>" { return AutomatedReason(kind: .nullSender, detail: "From: <>") }
            if local == "mailer-daemon" || local == "postmaster" {
                return AutomatedReason(kind: .systemSender, detail: local)
            }
        }
        if let contentType, contentType.type == "multipart", contentType.subtype == "report",
           let reportType = contentType.parameters["report-type"]?.lowercased(),
           reportType == "delivery-status" || reportType == "disposition-notification" {
            return AutomatedReason(kind: .deliveryReport, detail: "multipart/report; report-type=\(reportType)")
        }
        return nil
    }
}
