#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One complete server response: its text outside literals (line segments joined, each
/// literal's `{n}` marker and CRLF kept, the final CRLF removed) and its literals in order.
struct ResponseFrame: Sendable {
    var line: [UInt8]
    var literals: [[UInt8]]
}

/// Cuts the byte stream into complete responses. This is the only place that decides where
/// a response ends, and it does so from literal lengths, never from the content of a literal:
/// a mail body line reading `A0004 OK` is just data here.
///
/// Incremental: bytes are scanned once. `scanIndex` remembers how far the search for LF got,
/// so a response arriving in a thousand chunks costs the same as one arriving whole.
/// Literal bytes are copied once, into their own buffer.
struct ResponseFramer {
    let limits: IMAPParserLimits

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var scanIndex = 0
    private var line: [UInt8] = []
    private var literals: [[UInt8]] = []
    private var literal: [UInt8] = []
    private var literalRemaining = 0
    private var inLiteral = false

    init(limits: IMAPParserLimits) {
        self.limits = limits
    }

    /// Bytes received but not yet part of a returned frame.
    var bufferedByteCount: Int { buffer.count - readIndex + line.count + literal.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compactIfWorthwhile()
        buffer.append(contentsOf: bytes)
    }

    /// Returns the next complete frame, or nil when more bytes are needed.
    mutating func nextFrame() throws -> ResponseFrame? {
        while true {
            if inLiteral {
                let available = buffer.count - readIndex
                let take = min(available, literalRemaining)
                if take > 0 {
                    literal.append(contentsOf: buffer[readIndex..<(readIndex + take)])
                    readIndex += take
                    literalRemaining -= take
                }
                guard literalRemaining == 0 else { return nil }
                literals.append(literal)
                literal = []
                inLiteral = false
                scanIndex = readIndex
            }

            guard let lineFeed = findLineFeed() else {
                scanIndex = buffer.count
                if line.count + (buffer.count - readIndex) > limits.maxLineLength {
                    throw IMAPParseError(.lineTooLong(limit: limits.maxLineLength), offset: line.count)
                }
                return nil
            }
            let segmentEnd = lineFeed + 1
            if line.count + (segmentEnd - readIndex) > limits.maxLineLength {
                throw IMAPParseError(.lineTooLong(limit: limits.maxLineLength), offset: line.count)
            }
            line.append(contentsOf: buffer[readIndex..<segmentEnd])
            readIndex = segmentEnd
            scanIndex = segmentEnd

            if let size = try literalSizeAtEndOfLine() {
                guard literals.count < limits.maxLiteralsPerResponse else {
                    throw IMAPParseError(.tooManyLiterals(limit: limits.maxLiteralsPerResponse), offset: line.count)
                }
                inLiteral = true
                literalRemaining = size
                literal = []
                literal.reserveCapacity(size)
                continue
            }

            // Strip the terminator: CRLF, or a bare LF (a leniency some servers need).
            line.removeLast()
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let frame = ResponseFrame(line: line, literals: literals)
            line = []
            literals = []
            return frame
        }
    }

    private func findLineFeed() -> Int? {
        guard scanIndex < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            let base = raw.baseAddress! + scanIndex
            guard let hit = memchr(base, 0x0A, raw.count - scanIndex) else { return nil }
            return scanIndex + (UnsafeRawPointer(hit) - base)
        }
    }

    /// If the accumulated line ends with `{n}`, `{n+}` or `~{n}` before its terminator,
    /// returns n (RFC 3501 §4.3, RFC 7888 LITERAL+, RFC 3516 literal8).
    private func literalSizeAtEndOfLine() throws -> Int? {
        var end = line.count - 1  // the LF
        if end > 0 && line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        var index = end - 1
        guard index >= 0, line[index] == UInt8(ascii: "}") else { return nil }
        index -= 1
        if index >= 0 && (line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-")) { index -= 1 }
        let digitsEnd = index + 1
        while index >= 0 && line[index] >= UInt8(ascii: "0") && line[index] <= UInt8(ascii: "9") { index -= 1 }
        let digitsStart = index + 1
        guard digitsStart < digitsEnd, index >= 0, line[index] == UInt8(ascii: "{") else { return nil }
        var size: UInt64 = 0
        for digit in line[digitsStart..<digitsEnd] {
            size = size &* 10 &+ UInt64(digit - UInt8(ascii: "0"))
            if size > UInt64(limits.maxLiteralSize) || digitsEnd - digitsStart > 19 {
                throw IMAPParseError(.literalTooLarge(size: size, limit: limits.maxLiteralSize), offset: digitsStart)
            }
        }
        return Int(size)
    }

    /// Gives back the buffer's memory when nothing is pending: it keeps the capacity of the
    /// largest burst it ever held (a pipelined batch), which an idle session need not keep.
    /// Bytes not yet framed are never dropped; with some pending, this does nothing.
    mutating func releaseSpareCapacity() {
        guard readIndex == buffer.count, line.isEmpty, literals.isEmpty, !inLiteral else { return }
        buffer = []
        line = []
        literal = []
        readIndex = 0
        scanIndex = 0
    }

    /// Drops consumed bytes once they dominate the buffer, so memory stays bounded by what is
    /// unconsumed and the copying cost stays linear overall.
    private mutating func compactIfWorthwhile() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            scanIndex = 0
            readIndex = 0
        } else if readIndex >= 65_536 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            scanIndex -= readIndex
            readIndex = 0
        }
    }
}
