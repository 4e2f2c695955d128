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

    /// Runs a program to completion, capturing both streams. Output goes to temporary files, not
    /// pipes: a daemon the program starts (the stack's PostgreSQL) may inherit the descriptors
    /// and would hold a pipe open forever.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tp-run-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out")
        let errURL = base.appendingPathExtension("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        return Result(status: process.terminationStatus,
                      output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      error: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
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
