// swift-tools-version:6.0
// ddexd: an open, self-hostable DDEX file-exchange daemon. Licensed under the Apache License 2.0 (LICENSE).
// It runs on Linux (Debian 12 with Swift 6.3 is what it is built and tested on): it uses inotify, sd_notify
// and Debian's libssh2, libxml2 and SQLite, so it declares no Apple platform.
import PackageDescription

// Dependencies point one way: model → formats → transport and store → daemon → CLI.
let package = Package(
    name: "ddexd",
    products: [
        .executable(name: "ddexd", targets: ["ddexd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // GRDB 7 over Debian's system SQLite (its GRDBSQLite target is a system library): the store's
        // DatabasePool (one writer, pooled readers, WAL), DatabaseMigrator and column-named records.
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // The PostgreSQL engine of the store (`[store] kind = "postgresql"`): connections, COPY FROM.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // What postgres-nio runs on, named because the PostgreSQL engine sets up its event loop and TLS itself.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // MARK: C libraries from Debian
        .systemLibrary(name: "CLibSSH2", path: "Sources/CLibSSH2", pkgConfig: "libssh2",
                       providers: [.apt(["libssh2-1-dev"])]),
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CDDEXZlib", path: "Sources/CDDEXZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // MARK: Model and runtime support
        .target(name: "DDEXModel"),
        // The blocking thread pool, the lock idiom and wake-ups that the store, delivery and daemon share.
        .target(name: "DDEXRuntime"),
        .target(name: "DDEXConfig", dependencies: [
            "DDEXModel",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),

        // MARK: Formats
        .target(name: "XMLSupport", dependencies: ["CLibXML2", "DDEXModel"]),
        .target(name: "Media", dependencies: [
            "DDEXModel",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Intake", dependencies: [
            // ERN: a master ERN is checked against the same compiled XSDs the bundles are (ERNSchemaSet).
            "DDEXModel", "DDEXConfig", "DDEXRuntime", "XMLSupport", "Media", "ERN", "CDDEXZlib",
        ]),
        .target(name: "ERN", dependencies: ["DDEXModel", "DDEXConfig", "DDEXRuntime", "XMLSupport"]),
        .target(name: "Bundling", dependencies: [
            "DDEXModel", "DDEXConfig", "ERN", "Media", "XMLSupport",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Release builds of the DSR parser skip the run-time exclusivity checks: its per-line state is class
        // properties lent inout millions of times a second, where the checks cost more than the parse (ddexd-bench
        // dsr, perf). Debug and test builds keep them.
        .target(name: "DSR", dependencies: [
            "DDEXModel", "CDDEXZlib",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),

        // MARK: Transport and store
        .target(name: "SFTP", dependencies: [
            "CLibSSH2", "DDEXModel",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Store", dependencies: [
            "CSQLite", "DDEXModel", "DDEXRuntime", "DSR",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], exclude: ["Schema/DSR-SCHEMA.md"]),
        .target(name: "Delivery", dependencies: [
            "DDEXModel", "DDEXConfig", "DDEXRuntime", "Bundling", "ERN", "SFTP", "Store", "DSR",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Ledger", dependencies: ["DDEXModel", "DDEXConfig", "Store", "DSR"]),
        // The store's second engine: the same repository protocols and migrations on PostgreSQL, for several
        // instances sharing one database. Only the daemon and the command line depend on it (the fuzzers and the
        // SQLite-only paths do not build postgres-nio).
        .target(name: "PostgresStore", dependencies: [
            "DDEXModel", "DDEXConfig", "DDEXRuntime", "Store", "DSR", "Ledger",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // MARK: Daemon and command line
        .target(name: "Daemon", dependencies: [
            "DDEXModel", "DDEXConfig", "DDEXRuntime", "Intake", "ERN", "Bundling", "Delivery", "Store", "DSR", "Ledger",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "ddexd", dependencies: [
            "Daemon", "DDEXModel", "DDEXConfig", "Intake", "ERN", "Bundling", "Delivery", "SFTP", "Store", "PostgresStore", "DSR", "Ledger",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),

        // MARK: Benchmarks (release-build tools that compare against a reference in the same run)
        .executableTarget(name: "ddexd-bench", dependencies: [
            "DDEXModel", "DDEXConfig", "Intake", "Media", "ERN", "Bundling", "SFTP", "Delivery", "Store", "DSR", "Ledger",
            "PostgresStore", "Harness",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/ddexd-bench"),
        // What the benchmarks and the integration tests both run ddexd against: a real OpenSSH sshd on
        // loopback, synthetic releases, private temporary folders. Not product code, not test code.
        .target(name: "Harness", dependencies: ["DDEXModel"], path: "Benchmarks/Harness"),

        // MARK: Fuzzing: `scripts/fuzz` builds ddexd-fuzz with libFuzzer; a plain build replays inputs
        .target(name: "FuzzTargets", dependencies: [
            "DDEXModel", "DDEXConfig", "DSR", "ERN", "Intake", "Ledger", "Media", "SFTP", "Harness",
        ], path: "Tests/FuzzTargets"),
        .executableTarget(name: "ddexd-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz"),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["DDEXModel", "Intake", "Harness"], path: "Tests/TestSupport"),
        .testTarget(name: "DDEXModelTests", dependencies: ["DDEXModel"]),
        .testTarget(name: "DDEXRuntimeTests", dependencies: ["DDEXRuntime"]),
        .testTarget(name: "DDEXConfigTests", dependencies: ["DDEXConfig", "TestSupport"]),
        .testTarget(name: "XMLSupportTests", dependencies: ["XMLSupport", "TestSupport"]),
        .testTarget(name: "MediaTests", dependencies: ["Media", "TestSupport"]),
        .testTarget(name: "IntakeTests", dependencies: [
            "Intake", "ERN", "TestSupport",
            // Writes zips for the unpacker's tests (ddexd reads zips with its own bounded reader).
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .testTarget(name: "ERNTests", dependencies: ["ERN", "Intake", "XMLSupport", "Harness", "TestSupport"]),
        .testTarget(name: "BundlingTests", dependencies: ["Bundling", "Intake", "Harness", "TestSupport"]),
        .testTarget(name: "DSRTests", dependencies: ["DSR", "TestSupport"]),
        .testTarget(name: "SFTPTests", dependencies: ["SFTP", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: [
            "Store", "TestSupport",
            // The migration tests make stores the way an earlier ddexd did, with SQL of their own.
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "DeliveryTests", dependencies: ["Delivery", "DDEXRuntime", "Bundling", "Intake", "ERN", "Store", "SFTP", "DDEXConfig", "DDEXModel", "Harness", "TestSupport"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "Store", "DSR", "TestSupport"]),
        .testTarget(name: "PostgresStoreTests", dependencies: [
            "PostgresStore", "Store", "DDEXConfig", "DDEXModel", "DDEXRuntime", "DSR", "Ledger", "Harness", "TestSupport",
        ]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "DDEXRuntime", "Store", "DDEXModel", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets", "TestSupport"]),
    ]
)
