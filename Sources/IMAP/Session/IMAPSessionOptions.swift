/// Tunables of one IMAP session; every value is bounded.
public struct IMAPSessionOptions: Sendable, Equatable {
    /// A command fails when the server sends nothing for this long (an inactivity timeout, so
    /// a large batch that keeps streaming is not cut off).
    public var commandTimeout: Duration
    /// Bytes fetched from the first text part (`BODY.PEEK[n]<0.limit>`).
    public var textPartLimit: Int
    /// One IDLE lasts at most this long; servers may drop idle clients after 30 minutes
    /// (RFC 2177), so the default re-issues after 29.
    public var idleMaximum: Duration
    /// Widest UID range one `fetchBatch` accepts.
    public var maxBatchWidth: UInt64
    /// Bytes read from the transport per call. Over TLS one read returns at most one record
    /// (16 KiB), so a larger buffer only helps plaintext connections; every session keeps one.
    public var receiveBufferSize: Int
    public var parserLimits: IMAPParserLimits
    /// Ask for HIGHESTMODSEQ with `EXAMINE … (CONDSTORE)` when the server supports it.
    public var useCondStore: Bool
    /// Fetch section 1 along with the headers (see `fetchBatch`); off, every text part costs
    /// a second pipelined command.
    public var speculativeFirstPart: Bool

    public init(
        commandTimeout: Duration = .seconds(60),
        textPartLimit: Int = 16 * 1024,
        idleMaximum: Duration = .seconds(29 * 60),
        maxBatchWidth: UInt64 = 1_000_000,
        receiveBufferSize: Int = 64 * 1024,
        parserLimits: IMAPParserLimits = .default,
        useCondStore: Bool = true,
        speculativeFirstPart: Bool = true
    ) {
        self.commandTimeout = commandTimeout
        self.textPartLimit = max(1, min(textPartLimit, 16 << 20))
        self.idleMaximum = min(idleMaximum, .seconds(29 * 60))
        self.maxBatchWidth = max(1, maxBatchWidth)
        self.receiveBufferSize = max(4096, min(receiveBufferSize, 16 << 20))
        self.parserLimits = parserLimits
        self.useCondStore = useCondStore
        self.speculativeFirstPart = speculativeFirstPart
    }
}
