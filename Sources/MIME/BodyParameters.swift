/// The name a sender gave a part, from parameters as IMAP servers list them in BODYSTRUCTURE.
public enum BodyParameters {
    /// The disposition's `filename`, falling back to Content-Type's legacy `name`; both decoded
    /// with the header rules (RFC 2231 charsets and continuations, encoded-words).
    public static func filename(disposition: [(name: String, value: String)], contentType: [(name: String, value: String)]) -> String? {
        if mayName("filename", disposition), let name = HeaderDecoding.parameters(disposition).parameters["filename"], !name.isEmpty {
            return name
        }
        if mayName("name", contentType), let name = HeaderDecoding.parameters(contentType).parameters["name"], !name.isEmpty {
            return name
        }
        return nil
    }

    /// Whether any pair could resolve to `parameter`: its name is `parameter`, `parameter*` or
    /// `parameter*N[*]` in any case, so it starts with `parameter` (ASCII case-insensitively).
    /// Most parts (a charset, a boundary) have none, and then decoding the list is skipped.
    static func mayName(_ parameter: String, _ pairs: [(name: String, value: String)]) -> Bool {
        let wanted = parameter.utf8
        return pairs.contains { pair in
            let name = pair.name.utf8
            return name.count >= wanted.count && zip(name, wanted).allSatisfy { ASCII.lower($0) == $1 }
        }
    }
}
