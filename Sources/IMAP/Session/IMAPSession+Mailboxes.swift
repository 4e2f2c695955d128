extension IMAPSession {
    /// Asks for CAPABILITY (libcurl did it before login; the list often grows after it).
    @discardableResult
    public func capability() throws(IMAPError) -> Set<String> {
        let context = IMAPError(.sessionBroken, command: "CAPABILITY")
        let status = try execute([try command("CAPABILITY")], context: context) { _ throws(IMAPError) in }[0]
        try requireOK(status, context)
        return capabilities
    }

    func ensureCapabilities() throws(IMAPError) {
        if capabilities.isEmpty { try capability() }
    }

    /// Every mailbox (`LIST "" "*"`), with SPECIAL-USE attributes when the server can return them.
    public func list() throws(IMAPError) -> [ListEntry] {
        try ensureCapabilities()
        let context = IMAPError(.sessionBroken, command: "LIST")
        let extended = capabilities.contains("SPECIAL-USE") && capabilities.contains("LIST-EXTENDED")
        let list = try command("LIST") { (builder: inout CommandBuilder) throws(IMAPError) in
            try builder.string("")
            try builder.string("*")
            if extended { try builder.raw("RETURN (SPECIAL-USE)") }
        }
        var entries: [ListEntry] = []
        let status = try execute([list], context: context) { (response: UntaggedResponse) throws(IMAPError) in
            if case .list(let entry) = response { entries.append(entry) }
        }[0]
        try requireOK(status, context)
        return entries
    }

    /// The sent-mail folder (SPECIAL-USE `\Sent`, else a common name), nil when none is found.
    public func findSentFolder() throws(IMAPError) -> MailboxName? {
        SentFolderFinder.find(in: try list())
    }

    /// Opens a mailbox read-only (EXAMINE never changes flags, RFC 3501 §6.3.2).
    public func examine(_ mailbox: MailboxName) throws(IMAPError) -> ExamineResult {
        try ensureCapabilities()
        let context = IMAPError(.sessionBroken, command: "EXAMINE", mailbox: mailbox)
        let condStore = options.useCondStore && capabilities.contains("CONDSTORE")
        let examine = try command("EXAMINE") { (builder: inout CommandBuilder) throws(IMAPError) in
            try builder.mailbox(mailbox)
            if condStore { try builder.raw("(CONDSTORE)") }
        }
        var uidValidity: UIDValidity?
        var uidNext: UID?
        var exists: UInt32 = 0
        var highestModSeq: ModSequence?
        selectedMailbox = nil
        let status = try execute([examine], context: context) { (response: UntaggedResponse) throws(IMAPError) in
            switch response {
            case .exists(let count): exists = count
            case .status(let status):
                switch status.code {
                case .uidValidity(let value)?: uidValidity = value
                case .uidNext(let value)?: uidNext = value
                case .highestModSeq(let value)?: highestModSeq = value
                default: break
                }
            default: break
            }
        }[0]
        try requireOK(status, context)
        guard let uidValidity else {
            throw IMAPError(.protocolViolation("EXAMINE returned no UIDVALIDITY"), command: "EXAMINE", mailbox: mailbox)
        }
        selectedMailbox = mailbox
        return ExamineResult(mailbox: mailbox, uidValidity: uidValidity, uidNext: uidNext, exists: exists,
                             highestModSeq: highestModSeq, readOnly: status.code != .readWrite)
    }

    /// UIDs that exist in `range` (`UID SEARCH UID a:b`), ascending.
    public func uidSearch(_ range: ClosedRange<UID>) throws(IMAPError) -> [UID] {
        try uidSearch(set: range.imapSet, context: IMAPError(.sessionBroken, command: "UID SEARCH", mailbox: selectedMailbox, uids: range))
            .filter { range.contains($0) }
    }

    /// UIDs from `first` to the end of the mailbox (`UID SEARCH UID first:*`), ascending. The
    /// server answers `n:*` with the last message even when it is below n: that one is dropped.
    public func uidSearch(from first: UID) throws(IMAPError) -> [UID] {
        try uidSearch(set: "\(first):*", context: IMAPError(.sessionBroken, command: "UID SEARCH", mailbox: selectedMailbox))
            .filter { $0 >= first }
    }

    private func uidSearch(set: String, context: IMAPError) throws(IMAPError) -> [UID] {
        try requireSelected(context)
        let search = try command("UID SEARCH") { (builder: inout CommandBuilder) throws(IMAPError) in
            try builder.raw("UID \(set)")
        }
        var found: [UID] = []
        let status = try execute([search], context: context) { (response: UntaggedResponse) throws(IMAPError) in
            if case .search(let uids, _) = response { found += uids.map(UID.init(rawValue:)) }
        }[0]
        try requireOK(status, context)
        return Set(found).sorted()
    }

    /// Keeps the connection alive and collects pending updates.
    @discardableResult
    public func noop() throws(IMAPError) -> [UntaggedResponse] {
        let context = IMAPError(.sessionBroken, command: "NOOP", mailbox: selectedMailbox)
        var updates: [UntaggedResponse] = []
        let status = try execute([try command("NOOP")], context: context) { (response: UntaggedResponse) throws(IMAPError) in
            updates.append(response)
        }[0]
        try requireOK(status, context)
        return updates
    }

    /// Ends the session politely and closes the transport. A server that just closes after BYE
    /// is fine.
    public func logout() throws(IMAPError) {
        defer { transport.close() }
        let context = IMAPError(.sessionBroken, command: "LOGOUT")
        do {
            let status = try execute([try command("LOGOUT")], context: context) { _ throws(IMAPError) in }[0]
            try requireOK(status, context)
        } catch {
            if case .connectionClosed = error.kind { return }
            throw error
        }
        breakSession(IMAPError(.connectionClosed(bye: "logged out"), command: "LOGOUT"))
    }

    func requireSelected(_ context: IMAPError) throws(IMAPError) {
        guard selectedMailbox != nil else {
            throw IMAPError(.invalidArgument("no mailbox examined"), command: context.command, uids: context.uids)
        }
    }
}
