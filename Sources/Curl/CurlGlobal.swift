internal import CCurl

/// Process-wide libcurl state.
///
/// `curl_global_init` is not thread-safe and must run exactly once before any easy handle
/// exists. A Swift `static let` is initialised exactly once, atomically, so every path that
/// creates a handle goes through `Curl.initialize()` and the first caller wins; daemons
/// should still call it from `main` before starting threads, which is what libcurl asks for.
public enum Curl {
    private static let globalInitResult: Int32 = Int32(curl_global_init(tp_curl_global_all()).rawValue)

    /// Initialises libcurl once for the whole process. Safe to call any number of times.
    /// - Throws: `CurlError` when libcurl cannot initialise (e.g. the TLS library fails).
    public static func initialize() throws(CurlError) {
        let code = globalInitResult
        if code != 0 {
            throw CurlError(code: code, operation: "curl_global_init", detail: "")
        }
    }

    /// The libcurl version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.x …", for `doctor` output.
    public static var versionDescription: String {
        String(cString: curl_version())
    }
}
