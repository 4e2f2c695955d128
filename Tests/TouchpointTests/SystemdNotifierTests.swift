import Foundation
import XCTest
@testable import Touchpoint

/// A datagram socket standing in for systemd's notify socket.
final class FakeNotifySocket {
    let path: String
    let fd: Int32

    init(abstract: Bool = false) throws {
        let name = "tp-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        path = abstract ? "@" + name : NSTemporaryDirectory() + name
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("cannot create AF_UNIX socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        XCTAssertEqual(rc, 0, "bind \(path): errno \(errno)")
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    deinit {
        close(fd)
        if !path.hasPrefix("@") { unlink(path) }
    }
}

final class SystemdNotifierTests: XCTestCase {
    func testMessagesArriveInOrderOnPathSocket() throws {
        let fake = try FakeNotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": fake.path, "WATCHDOG_USEC": "10000000"])
        XCTAssertEqual(notifier.watchdogInterval, .seconds(5))
        notifier.ready(status: "syncing 2 mailboxes")
        notifier.watchdog()
        notifier.status("logged=5\nINJECTED=1")
        notifier.stopping()
        XCTAssertEqual(fake.receive(), "READY=1\nSTATUS=syncing 2 mailboxes")
        XCTAssertEqual(fake.receive(), "WATCHDOG=1")
        XCTAssertEqual(fake.receive(), "STATUS=logged=5 INJECTED=1")
        XCTAssertEqual(fake.receive(), "STOPPING=1")
    }

    func testAbstractSocket() throws {
        let fake = try FakeNotifySocket(abstract: true)
        SystemdNotifier(environment: ["NOTIFY_SOCKET": fake.path]).ready()
        XCTAssertEqual(fake.receive(), "READY=1")
    }

    func testDisabledWithoutSocketAndWatchdogForOtherPid() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"])
        XCTAssertFalse(notifier.isEnabled)
        XCTAssertFalse(notifier.send(["READY=1"]))
        XCTAssertNil(notifier.watchdogInterval, "the watchdog belongs to another process")
    }
}
