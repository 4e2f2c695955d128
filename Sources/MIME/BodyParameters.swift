/// The name a sender gave a part, from parameters as IMAP servers list them in BODYSTRUCTURE.
public enum BodyParameters {
    /// The disposition's `filename`, falling back to Content-Type's legacy `name`; both decoded
    /// with the header rules (RFC 2231 charsets and continuations, encoded-words).
    public static func filename(disposition: [(name: String, value: String)], contentType: [(name: String, value: String)]) -> String? {
        if let name = HeaderDecoding.parameters(disposition).parameters["filename"], !name.isEmpty { return name }
        if let name = HeaderDecoding.parameters(contentType).parameters["name"], !name.isEmpty { return name }
        return nil
    }
}
