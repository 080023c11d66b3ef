import AuthKitSync
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct LockedTests {
    /// Two threads adding 100,000 each: every increment is kept.
    @Test func incrementsFromTwoThreadsAreAllKept() {
        let counter = Locked(0)
        let done = Wakeup()
        for _ in 0..<2 {
            DetachedThread.start {
                for _ in 0..<100_000 { counter.withLock { $0 += 1 } }
                done.post()
            }
        }
        done.wait()
        done.wait()
        #expect(counter.withLock { $0 } == 200_000)
    }

    /// A waiter sleeps until another thread's broadcast makes its step answer, well before its timeout.
    @Test func aWaiterWakesOnBroadcast() {
        let state = Locked<Int?>(nil)
        DetachedThread.start {
            usleep(50_000)
            state.withLockBroadcasting { $0 = 7 }
        }
        let started = MonotonicNanos.now()
        let answer = state.waitUntil(timeoutMillis: 10_000) { $0 }
        #expect(answer == 7)
        #expect(MonotonicNanos.now() - started < 5_000_000_000)
    }

    /// With no broadcast the wait ends at its timeout, and the step's last answer (nil) is returned.
    @Test func aWaitEndsAtItsTimeout() {
        let state = Locked(0)
        let started = MonotonicNanos.now()
        let answer: Int? = state.waitUntil(timeoutMillis: 100) { value in value == 1 ? value : nil }
        let elapsed = MonotonicNanos.now() - started
        #expect(answer == nil)
        #expect(elapsed >= 100_000_000)
    }

    /// The step runs once more after the timeout: a value set without a broadcast is still seen.
    @Test func theStepRunsOnceMoreAtTheTimeout() {
        let state = Locked(0)
        DetachedThread.start { state.withLock { $0 = 1 } }
        usleep(20_000)
        let answer: Int? = state.waitUntil(timeoutMillis: 50) { value in value == 1 ? value : nil }
        #expect(answer == 1)
    }

    /// A negative timeout does not trap and does not wait.
    @Test func aNegativeTimeoutAnswersAtOnce() {
        let state = Locked(0)
        let answer: Int? = state.waitUntil(timeoutMillis: .min) { _ in nil }
        #expect(answer == nil)
    }

    @Test func withLockIfAvailableRefusesWhileHeld() {
        let state = Locked(0)
        let inside = Wakeup(), release = Wakeup(), finished = Wakeup()
        DetachedThread.start {
            state.withLock { _ in
                inside.post()
                release.wait()
            }
            finished.post()
        }
        inside.wait()
        #expect(state.withLockIfAvailable { $0 } == nil)
        release.post()
        finished.wait()
        #expect(state.withLockIfAvailable { $0 } == 0)
    }
}

/// CLOCK_MONOTONIC in nanoseconds (AuthKitSync has no clock of its own).
enum MonotonicNanos {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
