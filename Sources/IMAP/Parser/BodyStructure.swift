/// A message's MIME tree as the server describes it in BODYSTRUCTURE (RFC 3501 §7.4.2,
/// RFC 9051 §7.5.2). Media types, subtypes, encodings, disposition kinds and parameter
/// names are lower-cased; values are kept as sent.
public indirect enum BodyStructure: Sendable, Equatable {
    case singlePart(BodyPart)
    case multipart(MultipartBody)
}

public struct BodyParameter: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct ContentDisposition: Sendable, Equatable {
    public var kind: String
    public var parameters: [BodyParameter]

    public var filename: String? { parameters.value(of: "filename") }
}

public struct BodyPart: Sendable, Equatable {
    public var mediaType: String
    public var subtype: String
    public var parameters: [BodyParameter]
    public var id: String?
    public var description: String?
    public var encoding: String
    /// Size of the part's body in its transfer encoding, in bytes.
    public var size: UInt64
    /// Lines, for text/* and message/rfc822 parts.
    public var lines: UInt64?
    /// The structure of an attached message (message/rfc822, message/global).
    public var encapsulated: BodyStructure?
    public var md5: String?
    public var disposition: ContentDisposition?
    public var language: [String]
    public var location: String?

    public var charset: String? { parameters.value(of: "charset") }

    /// The name the sender gave the part, from the disposition or the legacy `name` parameter.
    public var filename: String? { disposition?.filename ?? parameters.value(of: "name") }

    public var isAttachment: Bool { disposition?.kind == "attachment" }
}

public struct MultipartBody: Sendable, Equatable {
    public var parts: [BodyStructure]
    public var subtype: String
    public var parameters: [BodyParameter]
    public var disposition: ContentDisposition?
    public var language: [String]
    public var location: String?
}

extension Array where Element == BodyParameter {
    public func value(of name: String) -> String? {
        let lowered = name.lowercased()
        return first { $0.name == lowered }?.value
    }
}

extension BodyStructure {
    /// The part at an IMAP section path (`[1, 2]` is "1.2"). For a single-part message,
    /// `[1]` is the body itself (RFC 3501 §6.4.5).
    public func part(at path: [Int]) -> BodyPart? {
        guard let first = path.first else {
            if case .singlePart(let part) = self { return part }
            return nil
        }
        switch self {
        case .singlePart(let part):
            if first == 1 && path.count == 1 { return part }
            if let inner = part.encapsulated { return inner.part(at: path) }
            return nil
        case .multipart(let multipart):
            guard first >= 1, first <= multipart.parts.count else { return nil }
            let child = multipart.parts[first - 1]
            let rest = Array(path.dropFirst())
            if rest.isEmpty {
                if case .singlePart(let part) = child { return part }
                return nil
            }
            if case .singlePart(let part) = child, let inner = part.encapsulated {
                return inner.part(at: rest)
            }
            return child.part(at: rest)
        }
    }

    /// Every leaf part with its section path, depth first, not descending into attached messages.
    public func leafParts() -> [(path: [Int], part: BodyPart)] {
        var result: [(path: [Int], part: BodyPart)] = []
        func walk(_ node: BodyStructure, _ path: [Int]) {
            switch node {
            case .singlePart(let part):
                result.append((path.isEmpty ? [1] : path, part))
            case .multipart(let multipart):
                for (index, child) in multipart.parts.enumerated() { walk(child, path + [index + 1]) }
            }
        }
        walk(self, [])
        return result
    }

    /// The part a snippet should come from: the first inline text/plain, else the first
    /// inline text/html; parts marked as attachments and attached messages are skipped.
    public func firstTextPart() -> (path: [Int], part: BodyPart)? {
        let candidates = leafParts().filter { $0.part.mediaType == "text" && !$0.part.isAttachment }
        return candidates.first { $0.part.subtype == "plain" }
            ?? candidates.first { $0.part.subtype == "html" }
    }
}
