/// Checks the bytes of a message before they go into DATA.
///
/// libcurl dot-stuffs, but sends line endings as given. A bare CR or LF is read differently by
/// different servers (the root of "SMTP smuggling"), so the message must use CRLF only, lines must
/// fit RFC 5322's 998-octet limit, and NUL is not allowed in mail. The builder produces such
/// messages; anything else is refused here, before connecting, with the offset of the problem.
enum OutgoingMessageCheck {
    static let maximumLineLength = 998

    /// - Returns: the bytes to upload: `message`, plus a final CRLF when it lacks one (libcurl
    ///   would otherwise add it, and the server would store bytes we did not send).
    static func prepared(_ message: [UInt8], maximumSize: Int) throws(SMTPError) -> [UInt8] {
        func refuse(_ reason: String) -> SMTPError {
            SMTPError(kind: .invalidMessage, detail: reason)
        }
        guard !message.isEmpty else { throw refuse("the message is empty") }
        guard message.count <= maximumSize else {
            throw refuse("the message has \(message.count) bytes, more than the limit of \(maximumSize)")
        }
        var lineStart = 0
        var index = 0
        while index < message.count {
            let byte = message[index]
            switch byte {
            case 0x0D:
                guard index + 1 < message.count, message[index + 1] == 0x0A else {
                    throw refuse("bare CR at byte \(index): lines must end with CRLF")
                }
                if index - lineStart > maximumLineLength {
                    throw refuse("line at byte \(lineStart) is longer than \(maximumLineLength) octets")
                }
                index += 2
                lineStart = index
                continue
            case 0x0A:
                throw refuse("bare LF at byte \(index): lines must end with CRLF")
            case 0x00:
                throw refuse("NUL at byte \(index)")
            default:
                break
            }
            index += 1
        }
        if message.count - lineStart > maximumLineLength {
            throw refuse("line at byte \(lineStart) is longer than \(maximumLineLength) octets")
        }
        return lineStart == message.count ? message : message + [0x0D, 0x0A]
    }
}
