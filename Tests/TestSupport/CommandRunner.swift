import Foundation

/// Runs a program and captures its exit status and output (for tests that drive the real `ddexd` binary
/// and real peers such as `xmllint`, `sqlite3`, `python3`).
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum CommandRunner {
    /// The `ddexd` binary SwiftPM built next to the test bundle.
    public static var ddexd: URL {
        productsFolder.appendingPathComponent("ddexd")
    }

    /// The folder holding the built products (the test bundle's parent).
    public static var productsFolder: URL {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return RepositoryPaths.root.appendingPathComponent(".build/debug")
    }

    @discardableResult
    public static func run(_ executable: URL, _ arguments: [String], currentDirectory: URL? = nil,
                           environment: [String: String]? = nil, stdin: Data? = nil) throws -> CommandResult
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a program found on PATH.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], currentDirectory: URL? = nil) throws -> CommandResult {
        try run(URL(fileURLWithPath: "/usr/bin/env"), [program] + arguments, currentDirectory: currentDirectory)
    }
}
