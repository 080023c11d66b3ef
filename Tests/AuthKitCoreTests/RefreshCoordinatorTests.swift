import Dispatch
import AuthKitSync
import Foundation
import Testing
@testable import AuthKitCore

@Suite struct RefreshCoordinatorTests {
    let claims = AccessTokenClaims(payload: .object([("sub", .string("u")), ("exp", .int(2_000_000_000))]))!

    func refreshed(_ tag: String) -> RefreshedSession {
        let user = SessionUser(sessionJSON: .object([("id", .string("u"))]))!
        return RefreshedSession(payload: SessionPayload(accessToken: "at_\(tag)", refreshToken: "rt_\(tag)", user: user),
                                claims: claims, setCookie: "wos-session=\(tag)")
    }

    /// N threads in `coalesce` at once, for certain: the refresh does not return before all N
    /// have entered (passed admission, about to wait on it), so a refresh per thread would be
    /// N calls, not one that happened to run alone.
    @Test func concurrentRefreshesOfOneTokenCallWorkOSOnce() {
        let threads = 32
        let admission = CountingAdmission(limit: threads, sharingLimit: threads)
        let coordinator = RefreshCoordinator(clock: ManualClock(seconds: 1_785_000_000), admission: admission)
        let calls = Locked(0)
        let cookies = Locked<[String]>([])
        let group = DispatchGroup()
        // Threads of their own: Dispatch runs about one blocked work item per CPU at a time.
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                let result = coordinator.coalesce(refreshToken: "rt_old") {
                    calls.withLock { $0 += 1 }
                    let entered = admission.state.waitUntil(timeoutMillis: 20_000) { $0.admitted == threads ? true : nil }
                    if entered == nil { Issue.record("not all \(threads) threads entered coalesce: \(admission.state.withLock { $0 })") }
                    return .success(refreshed("new"))
                }
                if case .success(let session) = result { cookies.withLock { $0.append(session.setCookie) } }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(calls.withLock { $0 } == 1)
        #expect(cookies.withLock { $0 }.count == threads)
        #expect(Set(cookies.withLock { $0 }) == ["wos-session=new"])
    }

    @Test func successIsKeptForTheGraceWindowFailuresAreNot() {
        let clock = ManualClock(seconds: 1_785_000_000)
        let coordinator = RefreshCoordinator(graceMillis: 30_000, clock: clock)
        var calls = 0
        _ = coordinator.coalesce(refreshToken: "a") { calls += 1; return .success(refreshed("1")) }
        clock.advance(seconds: 29)
        _ = coordinator.coalesce(refreshToken: "a") { calls += 1; return .success(refreshed("2")) }
        #expect(calls == 1)
        clock.advance(seconds: 2)
        _ = coordinator.coalesce(refreshToken: "a") { calls += 1; return .success(refreshed("3")) }
        #expect(calls == 2)
        _ = coordinator.coalesce(refreshToken: "b") { calls += 1; return .failure(.transport(.timedOut)) }
        _ = coordinator.coalesce(refreshToken: "b") { calls += 1; return .failure(.transport(.timedOut)) }
        #expect(calls == 4)
    }

    /// Issue 22 item 2: a token WorkOS refused is not offered again within the window, by
    /// this process or, through the shared store, another; a "later" (429, 5xx) is.
    @Test func aRefusedTokenIsRememberedForTheWindow() {
        let clock = ManualClock(seconds: 1_785_000_000)
        let coordinator = RefreshCoordinator(graceMillis: 30_000, clock: clock)
        let invalidGrant = WorkOSError.http(status: 400, code: "invalid_grant", message: "Session has already ended.", requestId: nil, retryAfterSeconds: nil)
        var calls = 0
        for _ in 0..<3 {
            let result = coordinator.coalesce(refreshToken: "revoked") { calls += 1; return .failure(invalidGrant) }
            guard case .failure(let error) = result else { Issue.record("refreshed"); continue }
            #expect(error.code == "invalid_grant")
        }
        #expect(calls == 1)
        clock.advance(seconds: 31)
        _ = coordinator.coalesce(refreshToken: "revoked") { calls += 1; return .failure(invalidGrant) }
        #expect(calls == 2)
        let later = WorkOSError.http(status: 429, code: "rate_limited", message: nil, requestId: nil, retryAfterSeconds: 1)
        _ = coordinator.coalesce(refreshToken: "busy") { calls += 1; return .failure(later) }
        _ = coordinator.coalesce(refreshToken: "busy") { calls += 1; return .failure(later) }
        #expect(calls == 4)

        // The test store stamps entries at 1_785_000_000 s: a clock of that time.
        let storeClock = ManualClock(seconds: 1_785_000_000)
        let store = SharedRefreshTests.MemoryStore()
        let shared = SharedRefresh(store: store, encode: { $0.setCookie }, decode: { _ in nil })
        var sharedCalls = 0
        _ = RefreshCoordinator(clock: storeClock, shared: shared).coalesce(refreshToken: "revoked") { sharedCalls += 1; return .failure(invalidGrant) }
        let other = RefreshCoordinator(clock: storeClock, shared: shared).coalesce(refreshToken: "revoked") { sharedCalls += 1; return .success(refreshed("x")) }
        #expect(sharedCalls == 1)
        guard case .failure(let remembered) = other else { Issue.record("another process refreshed a refused token"); return }
        #expect(remembered.code == "invalid_grant" && !remembered.isTransient)
        #expect(store.sessions.values.map { $0.0 } == ["!rejected 400 invalid_grant"])
        // What the store holds is read strictly: junk is no rejection.
        for junk in ["!rejected", "!rejected 200 x", "!rejected 9999999999 x", "!rejected 4OO x", "Fe26.2*1*x"] {
            #expect(RefreshCoordinator.rejection(stored: junk) == nil, "\(junk)")
        }
    }

    /// Counts admissions; refuses once `limit` threads wait on calls of their own, or
    /// `sharingLimit` on another thread's call.
    final class CountingAdmission: BlockingAdmission, Sendable {
        let limit: Int
        let sharingLimit: Int
        let state = Locked((waiting: 0, sharing: 0, admitted: 0, refused: 0))
        init(limit: Int, sharingLimit: Int = 0) { self.limit = limit; self.sharingLimit = sharingLimit }
        func enterBlocking(sharing: Bool) -> Bool {
            // Broadcasting: a test may wait in `state.waitUntil` for threads to enter.
            state.withLockBroadcasting { state in
                guard sharing ? state.sharing < sharingLimit : state.waiting < limit else { state.refused += 1; return false }
                if sharing { state.sharing += 1 } else { state.waiting += 1 }
                state.admitted += 1
                return true
            }
        }
        func leaveBlocking(sharing: Bool) { state.withLock { if sharing { $0.sharing -= 1 } else { $0.waiting -= 1 } } }
    }

    /// Issue 22: 100 requests with one expired cookie on one process; the bound for calls of
    /// their own (`--max-waiting`) turned a fifth of them into 503s. Threads that only wait for
    /// the running refresh are bounded apart: one call, and every thread gets its answer.
    @Test func threadsSharingARefreshHaveABoundOfTheirOwn() {
        let admission = CountingAdmission(limit: 1, sharingLimit: 64)
        let coordinator = RefreshCoordinator(clock: ManualClock(seconds: 1_785_000_000), admission: admission)
        let calls = Locked(0), answered = Locked(0)
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            _ = coordinator.coalesce(refreshToken: "a") {
                calls.withLock { $0 += 1 }
                inside.signal()
                release.wait()
                return .success(refreshed("1"))
            }
        }
        inside.wait()
        // Threads of their own: Dispatch runs about one blocked item per CPU at a time here.
        for _ in 0..<40 {
            group.enter()
            Thread.detachNewThread {
                let result = coordinator.coalesce(refreshToken: "a") { calls.withLock { $0 += 1 }; return .success(refreshed("2")) }
                if result == .success(refreshed("1")) { answered.withLock { $0 += 1 } }
                group.leave()
            }
        }
        // Each waiter holds a thread: wait until all 40 are admitted (or a few were refused).
        let deadline = ContinuousClock.now + .seconds(10)
        while admission.state.withLock({ $0.sharing + $0.refused }) < 40 && ContinuousClock.now < deadline { usleep(1000) }
        release.signal()
        group.wait()
        let state = admission.state.withLock { $0 }
        #expect(calls.withLock { $0 } == 1)
        #expect(answered.withLock { $0 } == 40)
        #expect(state.refused == 0 && state.waiting == 0 && state.sharing == 0)
    }

    @Test func threadsWaitOnlyWhenThePoolAdmitsThem() {
        let admission = CountingAdmission(limit: 1)
        let clock = ManualClock(seconds: 1_785_000_000)
        let coordinator = RefreshCoordinator(clock: clock, admission: admission)
        let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let leader = DispatchGroup()
        leader.enter()
        DispatchQueue.global().async {
            _ = coordinator.coalesce(refreshToken: "a") { inside.signal(); release.wait(); return .success(refreshed("1")) }
            leader.leave()
        }
        inside.wait()
        // The pool is full: a second thread is not made to wait, and no second call is made.
        var called = false
        let refused = coordinator.coalesce(refreshToken: "a") { called = true; return .success(refreshed("2")) }
        #expect(refused == .failure(.notAttempted("too many requests are waiting on WorkOS already")))
        #expect(!called && WorkOSError.notAttempted("x").isTransient)
        release.signal()
        leader.wait()
        // Within the grace window the result needs no waiting, so no admission either.
        #expect(coordinator.coalesce(refreshToken: "a") { .success(refreshed("3")) } == .success(refreshed("1")))
        let state = admission.state.withLock { $0 }
        #expect(state.admitted == 1 && state.refused == 1 && state.waiting == 0)
    }

    @Test func waitingIsBounded() {
        let coordinator = RefreshCoordinator(waitMillis: 100, clock: SystemClock())
        let started = Locked(false)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            _ = coordinator.coalesce(refreshToken: "slow") {
                started.withLock { $0 = true }
                usleep(600_000)
                return .success(refreshed("late"))
            }
        }
        while !started.withLock({ $0 }) { usleep(1000) }
        let result = coordinator.coalesce(refreshToken: "slow") { .success(refreshed("never")) }
        #expect(result == .failure(.transport(.timedOut)))
        group.wait()
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Two coordinators standing for two processes, sharing a store.
@Suite struct SharedRefreshTests {
    final class MemoryStore: SharedRefreshStore, @unchecked Sendable {
        let lock = NSLockLike()
        var sessions: [String: (String, UnixMillis)] = [:]
        func withLock<T>(key: String, timeoutMillis: Int64, _ body: () -> T) -> T? { lock.run(body) }
        func load(key: String) -> (sealedSession: String, storedAt: UnixMillis)? { sessions[key].map { ($0.0, $0.1) } }
        func save(key: String, sealedSession: String, keepMillis: Int64) { sessions[key] = (sealedSession, 1_785_000_000_000) }
    }

    /// A recursive-free lock for the test store.
    final class NSLockLike: @unchecked Sendable {
        private let mutex = Locked(())
        func run<T>(_ body: () -> T) -> T { mutex.withLock { _ in body() } }
    }

    @Test func aSecondProcessUsesTheFirstOnesResult() {
        let store = MemoryStore()
        let claims = AccessTokenClaims(payload: .object([("sub", .string("u")), ("exp", .int(2_000_000_000))]))!
        let user = SessionUser(sessionJSON: .object([("id", .string("u"))]))!
        let shared = SharedRefresh(
            store: store,
            encode: { $0.payload.accessToken },
            decode: { RefreshedSession(payload: SessionPayload(accessToken: $0, refreshToken: "rt", user: user), claims: claims, setCookie: "c=\($0)") })
        let clock = ManualClock(seconds: 1_785_000_000)
        let processA = RefreshCoordinator(clock: clock, shared: shared)
        let processB = RefreshCoordinator(clock: clock, shared: shared)
        var calls = 0
        let refresh = { () -> Result<RefreshedSession, WorkOSError> in
            calls += 1
            return .success(RefreshedSession(payload: SessionPayload(accessToken: "at_new", refreshToken: "rt2", user: user), claims: claims, setCookie: "c=at_new"))
        }
        let a = processA.coalesce(refreshToken: "rt_old", refresh)
        let b = processB.coalesce(refreshToken: "rt_old", refresh)
        #expect(calls == 1)
        #expect((try? a.get().setCookie) == "c=at_new" && (try? b.get().setCookie) == "c=at_new")
        // Past the grace window the stored session no longer answers.
        clock.advance(seconds: 31)
        _ = RefreshCoordinator(clock: clock, shared: shared).coalesce(refreshToken: "rt_old", refresh)
        #expect(calls == 2)
    }
}
