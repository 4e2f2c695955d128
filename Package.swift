// swift-tools-version:6.0
// Touchpoint: a mail-to-CRM daemon. No third-party Swift packages: the toolchain and
// Debian's C libraries (libcurl, libpq, glibc iconv) only.
import PackageDescription

// Swift 6 language mode (strict concurrency) comes with tools-version 6.0.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Touchpoint",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "touchpoint", targets: ["TouchpointCLI"]),
        .executable(name: "touchpoint-bench", targets: ["TouchpointBench"]),
        .library(name: "Touchpoint", targets: ["Touchpoint"]),
    ],
    targets: [
        // C bridges: only what Swift cannot import (variadic calls, macros).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // Thin, typed owners over the C handles.
        .target(name: "Curl", dependencies: ["CCurl"], swiftSettings: strict),
        .target(name: "Postgres", dependencies: ["CLibPQ", "CivilCalendar"], swiftSettings: strict),

        // Pure cores: bytes in, values out.
        .target(name: "CivilCalendar", swiftSettings: strict),
        .target(name: "MIME", dependencies: ["CivilCalendar"], swiftSettings: strict),
        .target(name: "CRM", dependencies: ["MIME", "CivilCalendar"], swiftSettings: strict),

        // Protocol clients.
        .target(name: "IMAP", dependencies: ["Curl", "MIME", "CivilCalendar"], swiftSettings: strict),
        .target(name: "SMTP", dependencies: ["Curl", "MIME"], swiftSettings: strict),

        // The service and its executables.
        .target(
            name: "Touchpoint",
            dependencies: ["MIME", "CRM", "IMAP", "SMTP", "Postgres", "Curl"],
            exclude: ["Store/SCHEMA.md"],
            swiftSettings: strict
        ),
        .executableTarget(name: "TouchpointCLI", dependencies: ["Touchpoint"], swiftSettings: strict),
        .executableTarget(
            name: "TouchpointBench",
            dependencies: ["Touchpoint", "MIME", "CRM", "IMAP", "Postgres", "Curl"],
            swiftSettings: strict
        ),

        // Test-only helpers over the local stack (deploy/local/stack): env readers, scratch databases.
        .target(name: "StackTestSupport", dependencies: ["Postgres"], path: "Tests/StackTestSupport", swiftSettings: strict),
        .testTarget(name: "CurlTests", dependencies: ["Curl", "StackTestSupport"], swiftSettings: strict),
        .testTarget(name: "CivilCalendarTests", dependencies: ["CivilCalendar"], swiftSettings: strict),
        .testTarget(name: "MIMETests", dependencies: ["MIME"], swiftSettings: strict),
        .testTarget(name: "CRMTests", dependencies: ["CRM", "MIME"], swiftSettings: strict),
        .testTarget(name: "IMAPTests", dependencies: ["IMAP", "Curl", "MIME", "StackTestSupport"], swiftSettings: strict),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "Curl", "MIME", "StackTestSupport"], swiftSettings: strict),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "StackTestSupport"], swiftSettings: strict),
        .testTarget(name: "TouchpointTests", dependencies: ["Touchpoint", "StackTestSupport"], swiftSettings: strict),
    ]
)
