extension IMAPSession {
    /// Fetches one batch: headers, structure, size and arrival time of every message in
    /// `uids`, then the first `textPartLimit` bytes of each message's first text part —
    /// one `UID FETCH` per distinct part number, all pipelined in one round trip. Never the
    /// whole message, never `\Seen` (BODY.PEEK only). Messages come back in UID order; UIDs
    /// with no message are simply absent.
    public func fetchBatch(uids: ClosedRange<UID>) throws(IMAPError) -> [FetchedMessage] {
        let context = IMAPError(.sessionBroken, command: "UID FETCH", mailbox: selectedMailbox, uids: uids)
        try requireSelected(context)
        guard uids.width <= options.maxBatchWidth else {
            throw IMAPError(.invalidArgument("batch wider than \(options.maxBatchWidth) UIDs"),
                            command: "UID FETCH", mailbox: selectedMailbox, uids: uids)
        }

        // Section 1 is the first text part of most mail (single-part text, or a multipart whose
        // first child is text/plain), so it is fetched speculatively in the same pass: the
        // server reads each message once and most batches need one round trip. A wrong guess
        // costs at most `textPartLimit` bytes for that message.
        let speculative = options.speculativeFirstPart ? " BODY.PEEK[1]<0.\(options.textPartLimit)>" : ""
        let headerFetch = try command("UID FETCH") { (builder: inout CommandBuilder) throws(IMAPError) in
            try builder.raw("\(uids.imapSet) (UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER]\(speculative))")
        }
        var messages: [UID: FetchedMessage] = [:]
        var sectionOne: [UID: [UInt8]] = [:]
        let status = try execute([headerFetch], context: context) { (response: UntaggedResponse) throws(IMAPError) in
            // Unsolicited FETCHes (flag updates of other clients) carry neither item: skip them.
            guard case .fetch(let fetch) = response, let uid = fetch.uid, uids.contains(uid),
                  fetch.bodyStructure != nil || fetch.section(.header) != nil else { return }
            var message = messages[uid] ?? FetchedMessage(uid: uid, size: 0, internalDate: nil, bodyStructure: nil,
                                                         headerBytes: [], firstTextPart: nil)
            if let size = fetch.rfc822Size { message.size = size }
            if let date = fetch.internalDate { message.internalDate = date }
            if let structure = fetch.bodyStructure { message.bodyStructure = structure }
            if let header = fetch.section(.header) { message.headerBytes = header.bytes ?? [] }
            if let first = fetch.sections.first(where: { $0.section.part == [1] && $0.section.text.isEmpty }) {
                sectionOne[uid] = first.bytes ?? []
            }
            messages[uid] = message
        }[0]
        try requireOK(status, context)

        try fetchTextParts(into: &messages, prefetched: sectionOne, context: context)
        return messages.keys.sorted().map { messages[$0]! }
    }

    /// Groups the messages by the section of their first text part and fetches each group's
    /// partial text with one pipelined command per group.
    private func fetchTextParts(into messages: inout [UID: FetchedMessage], prefetched: [UID: [UInt8]],
                                context: IMAPError) throws(IMAPError) {
        var groups: [[Int]: [UID]] = [:]
        var parts: [UID: BodyPart] = [:]
        var paths: [UID: [Int]] = [:]
        for (uid, message) in messages {
            guard let (path, part) = message.bodyStructure?.firstTextPart() else { continue }
            parts[uid] = part
            paths[uid] = path
            if part.size == 0 || (path == [1] && prefetched[uid] != nil) {
                let bytes = part.size == 0 ? [] : prefetched[uid]!
                messages[uid]?.firstTextPart = TextPart(section: path, bytes: bytes, truncated: UInt64(bytes.count) < part.size,
                                                        transferEncoding: part.encoding, charset: part.charset, subtype: part.subtype)
                continue
            }
            groups[path, default: []].append(uid)
        }
        guard !groups.isEmpty else { return }

        let limit = options.textPartLimit
        let ordered = groups.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var commands: [IMAPCommand] = []
        for path in ordered {
            let section = path.map(String.init).joined(separator: ".")
            commands.append(try command("UID FETCH") { (builder: inout CommandBuilder) throws(IMAPError) in
                try builder.raw("\(groups[path]!.imapSequenceSet) (UID BODY.PEEK[\(section)]<0.\(limit)>)")
            })
        }
        var received: [UID: ([Int], [UInt8])] = [:]
        let statuses = try execute(commands, context: context) { (response: UntaggedResponse) throws(IMAPError) in
            guard case .fetch(let fetch) = response, let uid = fetch.uid, let path = paths[uid] else { return }
            if let data = fetch.sections.first(where: { $0.section.part == path && $0.section.text.isEmpty }) {
                received[uid] = (path, data.bytes ?? [])
            }
        }
        for status in statuses where status.condition == .bad {
            try requireOK(status, context)
        }
        // A NO here (a message expunged meanwhile, a server-side parse failure) costs only
        // that snippet: the message is still captured from its headers.
        for (uid, (path, bytes)) in received {
            guard let part = parts[uid] else { continue }
            messages[uid]?.firstTextPart = TextPart(
                section: path, bytes: bytes, truncated: UInt64(bytes.count) < part.size,
                transferEncoding: part.encoding, charset: part.charset, subtype: part.subtype
            )
        }
    }

    /// Current flags of the given UIDs (`UID FETCH set (UID FLAGS)`; reading flags sets none).
    public func fetchFlags(uids: ClosedRange<UID>) throws(IMAPError) -> [UID: [Flag]] {
        let context = IMAPError(.sessionBroken, command: "UID FETCH", mailbox: selectedMailbox, uids: uids)
        try requireSelected(context)
        let fetch = try command("UID FETCH") { (builder: inout CommandBuilder) throws(IMAPError) in
            try builder.raw("\(uids.imapSet) (UID FLAGS)")
        }
        var flags: [UID: [Flag]] = [:]
        let status = try execute([fetch], context: context) { (response: UntaggedResponse) throws(IMAPError) in
            if case .fetch(let item) = response, let uid = item.uid, let itemFlags = item.flags, uids.contains(uid) {
                flags[uid] = itemFlags
            }
        }[0]
        try requireOK(status, context)
        return flags
    }
}
