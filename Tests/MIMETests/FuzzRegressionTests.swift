import Foundation
import XCTest
@testable import MIME

/// Replays inputs through the fuzz entry point (deploy/fuzz/mime). When the fuzzer saves a crashing
/// input (.build/fuzz-mime/crash-*), add it here as base64 with a note on what it broke.
final class FuzzRegressionTests: XCTestCase {
    /// Saved fuzzer findings (base64). None so far: 15 + 12 minutes of libFuzzer runs found nothing.
    static let savedFindings: [String] = []

    /// Hand-made edge inputs in the shapes the fuzzer mutates toward.
    static let edgeInputs: [[UInt8]] = [
        [],
        [0],
        Array("\r".utf8),
        Array("\n\n\n".utf8),
        Array(":".utf8),
        Array("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n".utf8),
        Array("Content-Type: multipart/mixed; boundary=a\n\n--a".utf8),
        Array("Content-Type: multipart/mixed; boundary=a\n\n--a\n".utf8),
        Array("Content-Type: multipart/mixed; boundary=a\n\n--a--".utf8),
        Array("Content-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\n/v8A".utf8),
        Array("Content-Type: text/plain; charset=iso-2022-jp\n\n\u{1B}$B".utf8),
        Array("Content-Type: text/plain; charset=utf-7\n\n+AGEAYgBj-+".utf8),
        Array("Content-Type: text/html\n\n<".utf8),
        Array("Content-Type: text/html\n\n&#99999999;&#x110000;&#0;<!--".utf8),
        Array("Content-Type: text/plain; format=flowed; delsp=yes\n\n \n>\n> \n".utf8),
        Array("Content-Transfer-Encoding: quoted-printable\n\n=".utf8),
        Array("Content-Transfer-Encoding: quoted-printable\n\n=\r".utf8),
        Array("Content-Transfer-Encoding: base64\n\n=".utf8),
        Array("Content-Disposition: attachment; filename*0*=utf-8''%; filename*999999999999999999999=x\n\n".utf8),
        Array("From: \"\\\n\n".utf8),
        Array("From: (((((\n\n".utf8),
        Array("From: <@\n\n".utf8),
        Array("Date: 99:99:99\n\n".utf8),
        Array("Date: 1 Jan -5\n\n".utf8),
        Array("Date: 9999999999999999999999 Jan 2024\n\n".utf8),
        Array("Subject: =?utf-8?b?=?=\n\n".utf8),
        Array("Subject: =??b??=\n\n".utf8),
        Array("Message-ID: <<<>>>\nReferences: (\n\n".utf8),
        Array("\nbegin 777 a\nM\nend\n".utf8),
        Array("Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n".utf8),
        [0xFF, 0xFE, 0x3A, 0x0A, 0x0A],
    ]

    func testSavedFindingsAndEdgeInputsParse() throws {
        var inputs = Self.edgeInputs
        for encoded in Self.savedFindings {
            inputs.append(Array(try XCTUnwrap(Data(base64Encoded: encoded))))
        }
        for input in inputs {
            input.withUnsafeBytes { fuzzParse($0) }
            let line = MessageParser().parse(input).inspectJSON(file: "x")
            XCTAssertNotNil(try? JSONSerialization.jsonObject(with: Data(line.utf8)), String(decoding: input, as: UTF8.self))
        }
    }
}
