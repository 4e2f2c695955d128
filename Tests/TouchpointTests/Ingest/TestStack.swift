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
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tp-run-\(UUID().uuidString)")
        let outPath = base.path + ".out"
        let errPath = base.path + ".err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let pid = try spawn(executable, arguments, environment: environment, stdout: outPath, stderr: errPath)
        let exitStatus = wait(pid)
        return Result(status: exitStatus,
                      output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      error: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

extension TestStack {
    /// Starts a program with stdin from /dev/null and both streams to files. posix_spawn +
    /// waitpid rather than Foundation's Process: its waitUntilExit was seen to hang when the
    /// child left a daemon behind (the stack restarting PostgreSQL).
    static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                      stdout: String = "/dev/null", stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [executable] + arguments
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in posix_spawn(&pid, executable, &actions, nil, cArgv, cEnv) }
        }
        guard spawned == 0 else { throw XCTSkip("cannot run \(executable): errno \(spawned)") }
        return pid
    }

    /// Waits for the child and returns its exit status (128 + signal when killed).
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Whether the child has exited (reaping it if so).
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }
}

/// Runs `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}

final class LockedData: @unchecked Sendable {
    // Safe: guarded by `lock`.
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
}
