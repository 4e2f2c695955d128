import XCTest
@testable import MIME

final class HeaderDecodingTests: XCTestCase {
    func testEncodedWordsAndContentType() {
        XCTAssertEqual(HeaderDecoding.decodeEncodedWords("=?koi8-r?B?8NLJ18XU?= !").text, "Привет !")
        let ct = HeaderDecoding.contentType("Text/HTML; Charset=\"ISO-8859-2\"")
        XCTAssertEqual(ct?.mimeType, "text/html")
        XCTAssertEqual(ct?.charset, "ISO-8859-2")
        XCTAssertNil(HeaderDecoding.contentType("garbage"))
    }

    func testBodystructureStyleParameterPairs() {
        let (params, defects) = HeaderDecoding.parameters([
            (name: "FILENAME*0*", value: "utf-8''%E2%82%AC%20"), (name: "filename*1", value: "with \"quote\" \\ .txt"),
            (name: "name", value: "=?utf-8?q?caf=C3=A9.pdf?="), (name: "bad name", value: "x"),
        ])
        XCTAssertEqual(params["filename"], "€ with \"quote\" \\ .txt")
        XCTAssertEqual(params["name"], "café.pdf")
        XCTAssertNil(params["bad name"])
        XCTAssertEqual(defects, [])
    }
}
