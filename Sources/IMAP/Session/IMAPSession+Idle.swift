extension IMAPSession {
    /// Waits for the server to report changes in the examined mailbox (RFC 2177 IDLE), at most
    /// `timeout` and never longer than `options.idleMaximum`, then ends the IDLE with DONE.
    /// Call it again to keep waiting: each call stays under the servers' 30-minute cutoff.
    public func idle(timeout: Duration) throws(IMAPError) -> IdleOutcome {
        let context = IMAPError(.sessionBroken, command: "IDLE", mailbox: selectedMailbox)
        try requireSelected(context)
        try ensureCapabilities()
        guard capabilities.contains("IDLE") else {
            throw IMAPError(.commandFailed(.no, code: nil, text: "server does not announce IDLE"), command: "IDLE",
                            mailbox: selectedMailbox)
        }
        let idle = try command("IDLE")
        try sendBytes(idle.segments[0], context: context)

        var updates: [UntaggedResponse] = []
        // Until "+": the server may still refuse the command.
        while true {
            let response = try readResponse(context: context)
            switch response {
            case .continuation: break
            case .untagged(let untagged):
                updates.append(untagged)
                continue
            case .tagged(let status):
                guard status.tag == idle.tag else {
                    throw breakSession(IMAPError(.protocolViolation("response for unknown tag"), command: "IDLE", mailbox: selectedMailbox))
                }
                try requireOK(status, context)
                return updates.isEmpty ? .timedOut : .changed(updates)
            }
            break
        }

        let wait = min(timeout, options.idleMaximum)
        let deadline = ContinuousClock.now.advanced(by: wait)
        waiting: while updates.isEmpty {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero,
                  let response = try nextResponse(timeout: remaining, context: context) else { break }
            switch response {
            case .untagged(let untagged):
                if case .status(let status) = untagged, status.condition == .ok { continue waiting }  // keep-alive
                updates.append(untagged)
            case .tagged(let status):
                throw breakSession(IMAPError(.protocolViolation("tagged \(status.condition.rawValue) during IDLE"),
                                             command: "IDLE", mailbox: selectedMailbox))
            case .continuation:
                continue waiting
            }
        }

        try sendBytes(Array("DONE\r\n".utf8), context: context)
        while true {
            let response = try readResponse(context: context)
            switch response {
            case .untagged(let untagged):
                updates.append(untagged)
            case .tagged(let status):
                guard status.tag == idle.tag else {
                    throw breakSession(IMAPError(.protocolViolation("response for unknown tag"), command: "IDLE", mailbox: selectedMailbox))
                }
                try requireOK(status, context)
                if let error = takeDeferredError() { throw error }
                return updates.isEmpty ? .timedOut : .changed(updates)
            case .continuation:
                continue
            }
        }
    }
}
