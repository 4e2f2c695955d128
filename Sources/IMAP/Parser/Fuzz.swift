/// Entry point for a libFuzzer harness: feeds arbitrary bytes to the response parser in two
/// chunkings and requires identical results. Any crash, hang or mismatch is a bug; thrown
/// parse errors are the expected outcome for garbage.
public func fuzzIMAPResponses(_ data: UnsafeRawBufferPointer) {
    // Small limits so the fuzzer reaches the limit paths instead of allocating.
    let limits = IMAPParserLimits(
        maxLineLength: 64 << 10, maxLiteralSize: 1 << 20, maxLiteralsPerResponse: 64,
        maxNestingDepth: 32, maxListElements: 10_000
    )
    let whole = collectResponses(data, chunkSize: data.count, limits: limits)
    let split = collectResponses(data, chunkSize: 7, limits: limits)
    precondition(whole == split, "IMAP parser result depends on chunking")
}

private struct FuzzOutcome: Equatable {
    var responses: [IMAPResponse] = []
    var error: IMAPParseError?
}

private func collectResponses(_ data: UnsafeRawBufferPointer, chunkSize: Int, limits: IMAPParserLimits) -> FuzzOutcome {
    var parser = IMAPResponseParser(limits: limits)
    var outcome = FuzzOutcome()
    var offset = 0
    let step = max(1, chunkSize)
    repeat {
        let end = min(data.count, offset + step)
        parser.append(UnsafeRawBufferPointer(rebasing: data[offset..<end]))
        offset = end
        do {
            // Grammar errors leave the framer in step: keep going, like the session would not,
            // so later code paths are exercised too. Limit errors end the stream.
            while true {
                do {
                    guard let response = try parser.next() else { break }
                    outcome.responses.append(response)
                } catch let error as IMAPParseError where !error.isLimitViolation {
                    outcome.responses.append(.untagged(.other(name: "PARSE-ERROR")))
                }
            }
        } catch {
            outcome.error = error as? IMAPParseError
            return outcome
        }
    } while offset < data.count
    return outcome
}
