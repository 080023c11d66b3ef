import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `serve --listen`: a supervising parent holds the socket and restarts a worker that dies, so a
/// crash under load costs the requests in flight at that instant and nothing after it.
@Suite(.serialized) struct SupervisorTests {
    static let environment = ServeTests.environment

    /// "unix": a socket in `directory`; "tcp": a free loopback port.
    static func address(_ kind: String, in directory: URL) -> ProbeAddress {
        kind == "unix" ? .unix(directory.appendingPathComponent("s.sock").path) : .tcp(freeLoopbackPort())
    }

    @Test(arguments: ["unix", "tcp"])
    func aCrashedWorkerIsReplacedAndTheSocketKeepsAnswering(kind: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = Self.address(kind, in: directory)
        let serve = try SupervisedServe(address: address, environment: Self.environment, directory: directory)
        let parent = serve.pid
        let worker = try #require(serve.workerPID)

        // SIGKILL, not SIGSEGV: a SIGSEGV sent with kill(2) is caught by the Swift runtime's
        // backtracer, which prints a backtrace and lets the process carry on (no fault to repeat).
        let result = CrashUnderLoad.run(address: address) { kill(worker, SIGKILL) }
        print("crash under load, \(address): \(result)")
        for sample in result.failed.prefix(12) {
            print("  failed: sent at \(Int(sample.started * 1000)) ms, ended at \(Int(sample.finished * 1000)) ms, status \(sample.status.map(String.init) ?? "connection error")")
        }

        #expect(serve.process.isRunning, "the supervisor \(parent) is gone: \(serve.log)")
        #expect(serve.pid == parent)
        let replacement = serve.workerPID
        #expect(replacement != nil && replacement != worker, "the worker \(worker) was not replaced")
        #expect(!processExists(worker))
        if case .unix(let path) = address { #expect(FileManager.default.fileExists(atPath: path)) }
        #expect(address.check() == 401)
        // Requests sent after the crash wait in the listen queue for the new worker.
        #expect(result.failedAfter.isEmpty, "\(result)")
        // Only the requests the dead worker held can fail: at most one per client thread.
        #expect(result.failed.count <= 4, "\(result)")
        #expect(serve.log.contains("worker \(worker) killed by signal 9 (SIGKILL)"), "\(serve.log)")
        #expect(serve.stop() == 0)
    }

    /// SIGHUP swaps in a new worker; the old one finishes its requests. On the code before, the
    /// old worker's SIGTERM shut the shared socket down and every connection after was refused.
    @Test(arguments: ["unix", "tcp"])
    func sighupSwapsTheWorkerWithoutDroppingARequest(kind: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = Self.address(kind, in: directory)
        let serve = try SupervisedServe(address: address, environment: Self.environment, directory: directory)
        let worker = try #require(serve.workerPID)
        let result = CrashUnderLoad.run(address: address) { kill(serve.pid, SIGHUP) }
        print("SIGHUP under load, \(address): \(result)")
        #expect(result.failed.isEmpty, "\(result)")
        #expect(waitUntil(timeout: 5) { !processExists(worker) && serve.workerPID.map { $0 != worker } == true })
        #expect(address.check() == 401)
        #expect(serve.stop() == 0)
    }

    @Test func sigtermStopsTheSupervisorAndTheWorker() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = ProbeAddress.unix(directory.appendingPathComponent("s.sock").path)
        // A marker in the environment with no supervisor behind it is ignored, not trusted.
        let stray = Self.environment.merging(["AUTHKIT_SUPERVISED_FD": "3", "AUTHKIT_SUPERVISOR_PID": "1"]) { a, _ in a }
        let serve = try SupervisedServe(address: address, environment: stray, directory: directory)
        let worker = try #require(serve.workerPID)
        #expect(worker != serve.pid)
        #expect(serve.stop() == 0)
        #expect(waitUntil(timeout: 5) { !processExists(worker) }, "worker \(worker) outlived its supervisor")
        #expect(serve.log.contains("stopped"))
        #expect(!serve.log.contains("restart"))
    }

    @Test func aWorkerWhoseSupervisorIsKilledStops() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = ProbeAddress.tcp(freeLoopbackPort())
        let serve = try SupervisedServe(address: address, environment: Self.environment, directory: directory)
        let worker = try #require(childPIDs(of: serve.pid).first)
        kill(serve.pid, SIGKILL)
        // No orphan keeps the port: a new instance could not listen on it.
        #expect(waitUntil(timeout: 5) { !processExists(worker) }, "worker \(worker) outlived its killed supervisor")
        #expect(serve.log.contains("the supervisor \(serve.pid) is gone: stopping"), "\(serve.log)")
    }

    @Test func aWorkerThatCannotLoadItsSettingsIsNotRestarted() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let envFile = directory.appendingPathComponent("authkit.env")
        let lines = Self.environment.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        try lines.write(to: envFile, atomically: true, encoding: .utf8)
        let address = ProbeAddress.unix(directory.appendingPathComponent("s.sock").path)
        let serve = try SupervisedServe(address: address, environment: [:], directory: directory, arguments: ["--env-file", envFile.path])
        let worker = try #require(serve.workerPID)
        // The settings break while it runs; the worker started after the crash reads them.
        try "WORKOS_CLIENT_ID=\n".write(to: envFile, atomically: true, encoding: .utf8)
        kill(worker, SIGKILL)
        #expect(waitUntil(timeout: 15) { !serve.process.isRunning }, "the supervisor kept restarting: \(serve.log)")
        #expect(serve.process.terminationStatus == 78)
        #expect(serve.log.contains("configuration error"), "\(serve.log)")
        #expect(childPIDs(of: serve.pid).isEmpty)
    }

    @Test func aWorkerThatKeepsCrashingIsRestartedWithABackoff() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = ProbeAddress.unix(directory.appendingPathComponent("s.sock").path)
        let serve = try SupervisedServe(address: address, environment: Self.environment, directory: directory)
        var killed: [Int32] = []
        for _ in 0..<7 {
            guard waitUntil(timeout: 10, { childPIDs(of: serve.pid).contains { !killed.contains($0) } }),
                  let worker = childPIDs(of: serve.pid).first(where: { !killed.contains($0) }) else { break }
            kill(worker, SIGKILL)
            killed.append(worker)
        }
        #expect(killed.count >= 6)
        #expect(serve.log.contains("waiting"), "\(serve.log)")
        // It never gives up: a worker comes back and answers.
        #expect(waitUntil(timeout: 15) { address.check(timeout: 2) == 401 })
        #expect(serve.process.isRunning)
        #expect(serve.stop() == 0)
    }

    @Test func noSupervisorIsOneProcess() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = ProbeAddress.unix(directory.appendingPathComponent("s.sock").path)
        let serve = try SupervisedServe(address: address, environment: Self.environment, directory: directory, arguments: ["--no-supervisor"])
        #expect(childPIDs(of: serve.pid).isEmpty)
        #expect(address.check() == 401)
        #expect(serve.stop() == 0)
    }
}
