import AuthKitCore
import AuthKitCurl
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 22 item 5: restarts and reloads drop nothing. The test holds the listening socket as
/// systemd holds authkit-fcgi.socket (``SocketActivatedServe``: fd 3, `LISTEN_FDS=1`) behind
/// nginx with the shipped snippets, and four clients load a signed-in page all along while the
/// service is restarted, killed with SIGKILL and reloaded. Every answer must be the page.
@Suite(.serialized) struct SocketActivationTests {
    static let password = "this-is-a-32-character-password!"
    static let newPassword = "a-new-32-character-cookie-secret"

    /// nginx in front of a socket-activated authkit-fcgi, and a signed-in cookie for it.
    func start() throws -> (site: NginxSite, serve: SocketActivatedServe, cookie: String) {
        // WorkOS's single-use refresh tokens: a refresh sent again after a kill gets no replay.
        let site = try NginxSite(emulatorArguments: StrictRefresh.arguments(), server: { try SocketActivatedServe(environment: $0, directory: $1) })
        let serve = try #require(site.authkit as? SocketActivatedServe)
        let cookie = try site.emulator.sessionCookie(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback", password: Self.password)
        return (site, serve, cookie)
    }

    /// One load of the signed-in page: its status (nil: no answer) and Set-Cookie value.
    static func page(_ site: NginxSite, cookie: String, http: CurlTransport) -> (status: Int?, setCookie: String?) {
        let response = try? http.send(HTTPRequest(method: "GET", url: "\(site.base)/api/items", headers: [
            ("Accept", "application/json"), ("Cookie", "wos-session=\(cookie)"),
        ]))
        return (response?.status, response?.header("Set-Cookie").map { String($0.dropFirst("wos-session=".count).prefix { $0 != ";" }) })
    }

    /// Four clients loading the page for a second, `action`, then three seconds more.
    func underLoad(_ site: NginxSite, cookie: String, _ name: String, action: () -> Void) -> CrashUnderLoad.Result {
        let http = CurlTransport(connectTimeoutMillis: 5000, totalTimeoutMillis: 30_000, userAgent: "restart")
        let errorsBefore = Self.upstreamErrors(site)
        let result = CrashUnderLoad.run(threads: 4, before: 1, after: 3, request: {
            let status = Self.page(site, cookie: cookie, http: http).status
            return (status, status == 200)
        }, action: action)
        // The figures for docs/debian-package.md.
        print("\(name) under load: sent \(result.sent), failed \(result.failed.count), longest gap \(result.gapMilliseconds) ms, "
              + "retried by nginx \(Self.upstreamErrors(site) - errorsBefore)")
        for sample in result.failed.prefix(8) {
            print("  failed: sent at \(Int(sample.started * 1000)) ms, ended at \(Int(sample.finished * 1000)) ms, status \(sample.status.map(String.init) ?? "connection error")")
        }
        return result
    }

    /// Lines of nginx's error log about a FastCGI connection that failed (a reset or an early
    /// EOF reading the answer, a refused connect): each is a check nginx sent again, or lost.
    static func upstreamErrors(_ site: NginxSite) -> Int {
        let log = (try? String(contentsOf: site.directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains("[error]") && $0.contains("upstream") }.count
    }

    /// `systemctl restart authkit-fcgi`: SIGTERM to every process, they finish their checks and
    /// exit, a new one starts on the socket. Connections wait in its queue meanwhile. On the
    /// code before, the SIGTERMed process shut the shared socket down (shutdown(2) acts on the
    /// socket, not the descriptor), and every connection after the restart was refused.
    @Test func aRestartUnderLoadDropsNothing() throws {
        let (site, serve, cookie) = try start()
        let first = serve.pid
        nonisolated(unsafe) var status: Int32?
        nonisolated(unsafe) var restartError: Error?
        let errorsBefore = Self.upstreamErrors(site)
        let result = underLoad(site, cookie: cookie, "restart (SIGTERM, start again)") {
            status = serve.stopAll(with: SIGTERM)
            do { try serve.start() } catch { restartError = error }
        }
        #expect(restartError == nil, "\(restartError.map { "\($0)" } ?? "")")
        #expect(status == 0, "SIGTERM is a clean stop: \(serve.log)")
        #expect(serve.pid != first)
        #expect(result.failed.isEmpty, "\(result)")
        // Nothing needed the retry: the checks in flight at SIGTERM were answered.
        #expect(Self.upstreamErrors(site) == errorsBefore)
        #expect(Self.page(site, cookie: cookie, http: CurlTransport(userAgent: "after")).status == 200)
        #expect(site.stop().status == 0)
    }

    /// A check that is surely in flight in 0.5 s: an expired session, whose refresh WorkOS
    /// answers after 1.5 s. Returns what waits for its answer.
    static func slowCheck(_ site: NginxSite) throws -> () -> (status: Int?, setCookie: String?) {
        let expired = try site.emulator.expiredSessionCookie(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback", password: password)
        try site.emulator.request("POST", "/_emulate/hooks", json: #"{"path":"/user_management/authenticate","method":"POST","latency_ms":1500,"times":1}"#)
        let answer = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (status: Int?, setCookie: String?) = (nil, nil)
        // A thread of its own: the load's clients may hold every thread of Dispatch's pool.
        Thread.detachNewThread {
            result = page(site, cookie: expired, http: CurlTransport(totalTimeoutMillis: 30_000, userAgent: "slow"))
            answer.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        return { answer.wait(timeout: .now() + 30) == .success ? result : (nil, nil) }
    }

    /// A check waiting on WorkOS (a refresh that takes 1.5 s) when SIGTERM comes is answered,
    /// by the process that took it, before it exits.
    @Test func aCheckInFlightAtSIGTERMIsAnswered() throws {
        let (site, serve, _) = try start()
        let answer = try Self.slowCheck(site)
        let started = Date()
        let status = serve.stopAll(with: SIGTERM)
        let stopped = Date().timeIntervalSince(started)
        let result = answer()
        #expect(result.status == 200)
        #expect(result.setCookie != nil, "the refreshed session's cookie")
        #expect(status == 0)
        #expect(stopped > 0.5, "the process waited for its check: \(stopped) s")
        #expect(Self.upstreamErrors(site) == 0)
        #expect(try site.emulator.counters()["refreshes"] == 1, "refreshed once, not again by a retry")
        _ = site.stop()
    }

    /// kill -9: of the whole service (`systemctl kill -s KILL`, the OOM killer taking the main
    /// process: systemd then kills the rest), started again RestartSec (100 ms) later; or of the
    /// worker alone, which the supervisor replaces at once. The checks the dead process had
    /// taken get a reset or an EOF; nginx sends them again (the same socket, listed again as a
    /// backup in authkit-upstream.conf) and they wait in the socket's queue for the next
    /// process. With the upstream before (one server), each of them was a 502.
    @Test(arguments: ["service", "worker"])
    func aKill9UnderLoadDropsNothing(whom: String) throws {
        let (site, serve, cookie) = try start()
        let main = serve.pid
        let old = serve.processes
        let worker = try #require(old.last, "the service's processes")
        if whom == "worker" { try #require(worker != main, "the supervisor's worker") }
        nonisolated(unsafe) var restartError: Error?
        nonisolated(unsafe) var slow: (() -> (status: Int?, setCookie: String?))?
        let result = underLoad(site, cookie: cookie, "kill -9 of the \(whom)") {
            // One check is surely lost by the killed process: a refresh waiting on WorkOS.
            slow = try? Self.slowCheck(site)
            if whom == "service" {
                do { try serve.restart(with: SIGKILL, restartSec: 0.1) } catch { restartError = error }
            } else {
                kill(worker, SIGKILL)
            }
        }
        #expect(restartError == nil, "\(restartError.map { "\($0)" } ?? "")")
        #expect(result.failed.isEmpty, "\(result)")
        // The killed process's refresh was still waiting for WorkOS: the retry's is the exchange.
        let lost = slow?()
        #expect(lost?.status == 200, "the check the killed process held: \(lost.map { "\($0)" } ?? "not sent")")
        #expect(lost?.setCookie != nil, "the refreshed session")
        #expect(Self.upstreamErrors(site) > 0, "nginx sent it again")
        #expect(!processExists(worker))
        if whom == "service" { #expect(!old.contains(where: processExists), "every process was killed") }
        if whom == "worker" {
            #expect(serve.pid == main, "the supervisor replaced its worker: systemd restarted nothing")
            #expect(serve.log.contains("worker \(worker) killed by signal 9 (SIGKILL)"), "\(serve.log)")
        }
        #expect(Self.page(site, cookie: cookie, http: CurlTransport(userAgent: "after")).status == 200)
        _ = site.stop()
    }

    /// `systemctl reload authkit-fcgi` (SIGHUP to the main process) for a cookie-password
    /// rotation: the env file gets the new password and the old one as
    /// WORKOS_COOKIE_PASSWORD_PREVIOUS. No check fails, the main process stays, a cookie sealed
    /// with the new password opens afterwards (not before), and an old cookie is re-sealed with
    /// the new password. Before, SIGHUP killed the process (its default action).
    @Test func aReloadRotatesTheCookiePasswordWithoutDroppingARequest() throws {
        let (site, serve, cookie) = try start()
        let main = serve.pid
        let http = CurlTransport(userAgent: "reload")
        let sealedWithNew = try site.emulator.sessionCookie(redirectURI: "http://127.0.0.1:\(site.port)/auth/callback", password: Self.newPassword)
        #expect(Self.page(site, cookie: sealedWithNew, http: http).status == 401)
        #expect(Self.page(site, cookie: cookie, http: http).setCookie == nil)

        var settings = try serve.settings()
        settings["WORKOS_COOKIE_PASSWORD"] = Self.newPassword
        settings["WORKOS_COOKIE_PASSWORD_PREVIOUS"] = Self.password
        try SocketActivatedServe.write(settings, to: serve.envFile)
        nonisolated(unsafe) var reloaded = false
        let result = underLoad(site, cookie: cookie, "reload (SIGHUP, new cookie password)") {
            serve.reload()
            reloaded = waitUntil(timeout: 10) { Self.page(site, cookie: sealedWithNew, http: http).status == 200 }
        }
        #expect(reloaded, "the new password is not in use: \(serve.log)")
        #expect(result.failed.isEmpty, "\(result)")
        #expect(serve.pid == main && serve.isRunning, "reloaded, not restarted")
        #expect(Self.upstreamErrors(site) == 0)
        let resealed = try #require(Self.page(site, cookie: cookie, http: http).setCookie, "the old cookie is re-sealed")
        let newSealer = SessionSealer(password: Self.newPassword, clock: SystemClock(), random: SecureRandom())
        #expect((try? newSealer.openSession(resealed).get()) != nil, "re-sealed with the new password")
        let oldSealer = SessionSealer(password: Self.password, clock: SystemClock(), random: SecureRandom())
        #expect((try? oldSealer.openSession(resealed).get()) == nil)
        #expect(serve.log.contains("SIGHUP"))
        #expect(site.stop().status == 0)
    }

    /// A reload with settings that do not load (a typo in the env file) changes nothing: the
    /// problem is logged, the running worker keeps serving with the settings it has. Before,
    /// SIGHUP killed the process; and a supervisor that swapped workers blindly would have
    /// stopped the service (the new worker exits 78, which is never restarted).
    @Test func aReloadWithBrokenSettingsKeepsTheRunningWorker() throws {
        let (site, serve, cookie) = try start()
        let main = serve.pid
        let worker = try #require(childPIDs(of: main).first)
        var settings = try serve.settings()
        settings["WORKOS_COOKIE_PASSWORD"] = "short"
        try SocketActivatedServe.write(settings, to: serve.envFile)
        let result = underLoad(site, cookie: cookie, "reload with broken settings") {
            serve.reload()
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(result.failed.isEmpty, "\(result)")
        #expect(serve.pid == main && childPIDs(of: main) == [worker], "the same worker serves")
        #expect(serve.log.contains("SIGHUP: the settings do not load"), "\(serve.log)")
        #expect(serve.log.contains("WORKOS_COOKIE_PASSWORD"))
        #expect(!serve.log.contains(Self.password), "no secret in the log")
        #expect(site.stop().status == 0)
    }
}
