import Foundation
import XCTest

/// Runs a `$TP_STACK` subcommand (e.g. `restart pg`); throws when it exits non-zero. Its stdout
/// (the env file path on `start`) is discarded, its stderr (progress, errors) kept for the log.
/// posix_spawn + waitpid rather than Foundation.Process: on Linux, Process.waitUntilExit missed
/// the exit of a script whose grandchild (a restarted daemon) kept inherited descriptors, and hung.
public func runStack(_ arguments: [String]) throws {
    let stack = try StackEnvironment.value("TP_STACK")
    let argv = ([stack] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, stack, &actions, nil, argv, environ)
    guard spawned == 0 else { throw XCTSkip("cannot run \(stack): errno \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else { throw StackCommandFailed(arguments: arguments, status: status) }
}

public struct StackCommandFailed: Error, CustomStringConvertible {
    public let arguments: [String]
    public let status: Int32
    public var description: String { "stack \(arguments.joined(separator: " ")) failed with wait status \(status)" }
}
