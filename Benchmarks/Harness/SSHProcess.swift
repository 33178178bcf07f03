import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes for the sshd harness, with `posix_spawn` and `waitpid`.
///
/// Foundation's `Process` is not used: on Linux its reaper thread can block in `wait4` on one long-running child
/// (sshd) and then never notice that a short one (`ssh-keygen`) ended, so `waitUntilExit` hangs.
public enum SSHProcess {
    /// Starts `executable` with `arguments`; standard input is /dev/null, standard output and error go to the given
    /// descriptors (or /dev/null). Returns the child's PID.
    public static func spawn(_ executable: String, _ arguments: [String], stdout: Int32? = nil,
                             stderr: Int32? = nil) throws -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        if let stderr { posix_spawn_file_actions_adddup2(&actions, stderr, 2) } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard status == 0 else {
            throw HarnessError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Waits for a child and returns its exit status (128 + signal if it was killed).
    @discardableResult
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Whether a child has ended; reaps it if so.
    public static func hasExited(_ pid: pid_t, status: inout Int32) -> Bool {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            let signal = raw & 0x7f
            status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
            return true
        }
        return result < 0 && errno == ECHILD
    }

    /// Runs a tool to completion and returns its standard output; throws with its standard error if it fails.
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw HarnessError("pipe(): \(String(cString: strerror(errno)))") }
        let pid: pid_t
        do {
            pid = try spawn(executable, arguments, stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            outPipe.forEach { close($0) }
            errPipe.forEach { close($0) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        let (out, err) = drain(outPipe[0], errPipe[0])
        close(outPipe[0])
        close(errPipe[0])
        let status = wait(pid)
        return (status, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Reads two pipes to their ends together, so neither child pipe can fill up and block the child.
    private static func drain(_ first: Int32, _ second: Int32) -> ([UInt8], [UInt8]) {
        var buffers: [[UInt8]] = [[], []]
        var descriptors = [pollfd(fd: first, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var chunk = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            guard poll(&descriptors, 2, -1) >= 0 else {
                if errno == EINTR { continue }
                break
            }
            for index in 0..<2 where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(descriptors[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffers[index].append(contentsOf: chunk[0..<count])
                } else if count == 0 || errno != EINTR {
                    descriptors[index].fd = -1
                    open -= 1
                }
            }
        }
        return (buffers[0], buffers[1])
    }
}
