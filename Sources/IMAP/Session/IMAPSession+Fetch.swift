extension IMAPSession {
    /// Fetches one batch: headers, structure, size and arrival time of every message in
    /// `uids`, and the first `textPartLimit` bytes of each message's first text part. Never
    /// the whole message, never `\Seen` (BODY.PEEK only). Messages come back in UID order;
    /// UIDs with no message are simply absent.
    public func fetchBatch(uids: ClosedRange<UID>) throws(IMAPError) -> [FetchedMessage] {
        var result: [FetchedMessage] = []
        try fetchBatches([uids]) { (messages: [FetchedMessage]) throws(IMAPError) in result = messages }
        return result
    }

    /// Fetches several batches, handing each to `consume` as soon as it is complete, while the
    /// server already works on the next one (its header fetch is pipelined ahead). `ranges`
    /// must be ascending and disjoint. An error thrown by `consume` stops the run after the
    /// command in flight has been drained, so the session stays usable.
    public func fetchBatches(
        _ ranges: [ClosedRange<UID>], consume: ([FetchedMessage]) throws(IMAPError) -> Void
    ) throws(IMAPError) {
        guard let first = ranges.first else { return }
        let context = IMAPError(.sessionBroken, command: "UID FETCH", mailbox: selectedMailbox, uids: first)
        try requireSelected(context)
        for (index, range) in ranges.enumerated() {
            guard range.width <= options.maxBatchWidth else {
                throw IMAPError(.invalidArgument("batch wider than \(options.maxBatchWidth) UIDs"),
                                command: "UID FETCH", mailbox: selectedMailbox, uids: range)
            }
            if index > 0 && ranges[index - 1].upperBound >= range.lowerBound {
                throw IMAPError(.invalidArgument("batches must be ascending and disjoint"),
                                command: "UID FETCH", mailbox: selectedMailbox, uids: range)
            }
        }

        var collector = FetchCollector(ranges: ranges)
        let accept = { (response: UntaggedResponse) throws(IMAPError) in collector.accept(response) }
        var headerTags: [String] = []
        func sendHeaderFetch(_ index: Int) throws(IMAPError) {
            let command = try headerFetchCommand(ranges[index])
            try send([command], context: batchContext(ranges[index]))
            headerTags.append(command.tag)
        }

        try sendHeaderFetch(0)
        for (index, range) in ranges.enumerated() {
            let context = batchContext(range)
            if index + 1 < ranges.count { try sendHeaderFetch(index + 1) }
            let status = try wait(for: [headerTags[index]], context: context, onUntagged: accept)[0]
            do {
                try requireOK(status, context)
                try fetchTextParts(in: range, collector: &collector, context: context)
                try consume(collector.take(range, limit: options.textPartLimit))
            } catch {
                // Keep the session in step: collect the answer to the fetch already sent.
                if index + 1 < ranges.count, !isBroken {
                    _ = try? wait(for: [headerTags[index + 1]], context: context) { _ throws(IMAPError) in }
                }
                throw error
            }
        }
    }

    private func batchContext(_ range: ClosedRange<UID>) -> IMAPError {
        IMAPError(.sessionBroken, command: "UID FETCH", mailbox: selectedMailbox, uids: range)
    }

    /// Section 1 is the first text part of most mail (single-part text, or a multipart whose
    /// first child is text/plain), so it is fetched speculatively in the same pass: the server
    /// reads each message once and most batches need one round trip. A wrong guess costs at
    /// most `textPartLimit` bytes for that message.
    private func headerFetchCommand(_ range: ClosedRange<UID>) throws(IMAPError) -> IMAPCommand {
        let speculative = options.speculativeFirstPart ? " BODY.PEEK[1]<0.\(options.textPartLimit)>" : ""
        return try command("UID FETCH") { (builder: inout CommandBuilder) throws(IMAPError) in
            try builder.raw("\(range.imapSet) (UID RFC822.SIZE INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER]\(speculative))")
        }
    }

    /// One pipelined command per distinct section still missing in `range`.
    private func fetchTextParts(in range: ClosedRange<UID>, collector: inout FetchCollector, context: IMAPError) throws(IMAPError) {
        let groups = collector.missingTextParts(in: range)
        guard !groups.isEmpty else { return }
        let limit = options.textPartLimit
        var commands: [IMAPCommand] = []
        for path in groups.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let section = path.map(String.init).joined(separator: ".")
            commands.append(try command("UID FETCH") { (builder: inout CommandBuilder) throws(IMAPError) in
                try builder.raw("\(groups[path]!.imapSequenceSet) (UID BODY.PEEK[\(section)]<0.\(limit)>)")
            })
        }
        try send(commands, context: context)
        let statuses = try wait(for: commands.map(\.tag), context: context) { (response: UntaggedResponse) throws(IMAPError) in
            collector.accept(response)
        }
        // A NO here (a message expunged meanwhile, a server-side parse failure) costs only
        // that snippet: the message is still captured from its headers.
        for status in statuses where status.condition == .bad {
            try requireOK(status, context)
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

/// Gathers FETCH responses of the batches in flight, routed by UID (batches are disjoint).
/// Unsolicited FETCHes (flag updates from other clients) carry none of the items asked for
/// and are ignored.
struct FetchCollector {
    private let ranges: [ClosedRange<UID>]
    private var messages: [UID: FetchedMessage] = [:]
    private var textPaths: [UID: ([Int], BodyPart)] = [:]
    private var sectionOne: [UID: [UInt8]] = [:]
    private var texts: [UID: [UInt8]] = [:]

    init(ranges: [ClosedRange<UID>]) { self.ranges = ranges }

    mutating func accept(_ response: UntaggedResponse) {
        guard case .fetch(let fetch) = response, let uid = fetch.uid, ranges.contains(where: { $0.contains(uid) }) else { return }
        if fetch.bodyStructure != nil || fetch.section(.header) != nil {
            var message = messages[uid] ?? FetchedMessage(uid: uid, size: 0, internalDate: nil, bodyStructure: nil,
                                                         headerBytes: [], firstTextPart: nil)
            if let size = fetch.rfc822Size { message.size = size }
            if let date = fetch.internalDate { message.internalDate = date }
            if let structure = fetch.bodyStructure {
                message.bodyStructure = structure
                if let (path, part) = structure.firstTextPart() { textPaths[uid] = (path, part) }
            }
            if let header = fetch.section(.header) { message.headerBytes = header.bytes ?? [] }
            if let first = fetch.sections.first(where: { $0.section.part == [1] && $0.section.text.isEmpty }) {
                sectionOne[uid] = first.bytes ?? []
            }
            messages[uid] = message
        } else if let (path, _) = textPaths[uid],
                  let data = fetch.sections.first(where: { $0.section.part == path && $0.section.text.isEmpty }) {
            texts[uid] = data.bytes ?? []
        }
    }

    /// UIDs of `range` whose first text part has neither arrived nor is empty, by section.
    func missingTextParts(in range: ClosedRange<UID>) -> [[Int]: [UID]] {
        var groups: [[Int]: [UID]] = [:]
        for (uid, (path, part)) in textPaths where range.contains(uid) && part.size > 0 {
            if path == [1] && sectionOne[uid] != nil { continue }
            groups[path, default: []].append(uid)
        }
        return groups
    }

    /// The finished messages of `range`, in UID order; forgets them.
    mutating func take(_ range: ClosedRange<UID>, limit: Int) -> [FetchedMessage] {
        let uids = messages.keys.filter { range.contains($0) }.sorted()
        return uids.map { uid in
            var message = messages.removeValue(forKey: uid)!
            if let (path, part) = textPaths.removeValue(forKey: uid) {
                let speculative = sectionOne.removeValue(forKey: uid)
                let bytes: [UInt8]? = part.size == 0 ? [] : (path == [1] ? speculative : nil) ?? texts[uid]
                if let bytes {
                    message.firstTextPart = TextPart(section: path, bytes: bytes, truncated: UInt64(bytes.count) < part.size,
                                                     transferEncoding: part.encoding, charset: part.charset, subtype: part.subtype)
                }
            }
            sectionOne.removeValue(forKey: uid)
            texts.removeValue(forKey: uid)
            return message
        }
    }
}
