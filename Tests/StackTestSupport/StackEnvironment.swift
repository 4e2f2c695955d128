import Foundation
import XCTest

/// Reads the env file of `deploy/local/stack` (exported by `deploy/local/test`). Every reader
/// skips the test visibly when a variable is missing, so `swift test` without the stack still
/// runs the pure tests and says why the others were skipped.
public enum StackEnvironment {
    public static func value(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw XCTSkip("\(name) not set: run deploy/local/test")
        }
        return value
    }

    public static func port(_ name: String) throws -> Int {
        guard let port = Int(try value(name)), (1...65_535).contains(port) else {
            throw XCTSkip("\(name) is not a port number")
        }
        return port
    }
}
