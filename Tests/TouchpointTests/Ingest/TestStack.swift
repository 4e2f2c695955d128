import Foundation
import XCTest

/// The local service stack started by deploy/local/test, seen from a test: environment,
/// the stack script's helpers, and the built `touchpoint` binary.
struct TestStack {
    let environment: [String: String]

    init() throws {
        environment = ProcessInfo.processInfo.environment
        for key in ["TP_STACK", "TP_IMAP_PORT", "TP_CA_FILE", "TP_PG_URL", "TP_PG_ADMIN_URL"] where environment[key] == nil {
            throw XCTSkip("\(key) not set: run deploy/local/test")
        }
    }

    subscript(_ key: String) -> String { environment[key] ?? "" }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `.build/debug/touchpoint`, built beside the test bundle by `swift build --build-tests`.
    static var touchpointBinary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("touchpoint").path
    }

    @discardableResult
    func stack(_ arguments: [String]) throws -> String {
        let result = try Self.run(self["TP_STACK"], arguments)
        guard result.status == 0 else {
            throw XCTSkip("stack \(arguments.joined(separator: " ")) failed: \(result.error)")
        }
        return result.output
    }

    /// Creates a mail user with a random password; returns (login, password).
    func addMailUser(_ prefix: String) throws -> (user: String, password: String) {
        let user = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let password = "pw-" + UUID().uuidString.prefix(12)
        try stack(["add-user", user, String(password)])
        return (user, String(password))
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs a program to completion, capturing both streams.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        let errorData = LockedData()
        let reader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { Thread.sleep(forTimeInterval: 0.01) }
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData.value, as: UTF8.self))
    }
}

final class LockedData: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
