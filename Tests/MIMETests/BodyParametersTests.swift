import XCTest
@testable import MIME

final class BodyParametersTests: XCTestCase {
    func testRFC2231ContinuationsAndEncodedWords() {
        XCTAssertEqual(BodyParameters.filename(
            disposition: [("filename*0*", "utf-8''%CE%A4%CE%B9%CE%BC"), ("filename*1*", "%CE%BF%CE%BB%CF%8C%CE%B3%CE%B9%CE%BF.pdf")],
            contentType: []), "Τιμολόγιο.pdf")
        XCTAssertEqual(BodyParameters.filename(
            disposition: [], contentType: [("name", "=?koi8-r?B?8NLBytM=?=.xlsx")]), "Прайс.xlsx")
        XCTAssertEqual(BodyParameters.filename(disposition: [("filename", "a \"quoted\" name.txt")], contentType: []),
                       "a \"quoted\" name.txt")
        XCTAssertNil(BodyParameters.filename(disposition: [], contentType: [("charset", "utf-8")]))
    }
}
