#if canImport(Glibc)
import Glibc
#endif
import AuthKitCrypto

/// A refresh that happened: the new session and the `Set-Cookie` that carries it.
public struct RefreshedSession: Sendable, Equatable {
    public var payload: SessionPayload
    public var claims: AccessTokenClaims
    public var setCookie: String
}

/// Coordination between processes on one host (several `serve` instances, CGI mode): a lock
/// per refresh token and the resulting session, kept encrypted (sealed with the cookie
/// password) for the grace window. The executable implements it over files in
/// `AUTHKIT_CACHE_DIR`.
public protocol SharedRefreshStore: Sendable {
    /// Runs `body` holding the cross-process lock for `key`; nil when the lock could not be had
    /// within `timeoutMillis`. A lock must be released when its holder dies.
    func withLock<T>(key: String, timeoutMillis: Int64, _ body: () -> T) -> T?
    /// The sealed session stored for `key` and when it was stored.
    func load(key: String) -> (sealedSession: String, storedAt: UnixMillis)?
    func save(key: String, sealedSession: String)
}

/// How a refreshed session is stored in a ``SharedRefreshStore`` and read back.
public struct SharedRefresh: Sendable {
    public let store: any SharedRefreshStore
    public let encode: @Sendable (RefreshedSession) -> String
    public let decode: @Sendable (String) -> RefreshedSession?

    public init(store: any SharedRefreshStore, encode: @escaping @Sendable (RefreshedSession) -> String,
                decode: @escaping @Sendable (String) -> RefreshedSession?) {
        self.store = store
        self.encode = encode
        self.decode = decode
    }
}

/// One refresh per refresh token at a time, in this process — and across processes when a
/// ``SharedRefreshStore`` is given.
///
/// WorkOS refresh tokens are single-use: when a page loads thirty assets with an expired
/// token, thirty checks arrive with the same cookie. The first refreshes; the others wait for
/// its result instead of spending the token again (and getting `invalid_grant`). A successful
/// result stays for a grace window, so checks that arrive later with the old cookie get the new
/// session too. Entries are keyed by SHA-256 of the refresh token, never the token itself.
public final class RefreshCoordinator: @unchecked Sendable {
    private enum Entry {
        case inFlight
        case done(Result<RefreshedSession, WorkOSError>, expiresAt: UnixMillis)
    }

    private let graceMillis: Int64
    private let waitMillis: Int64
    private let clock: any Clock
    private let shared: SharedRefresh?
    private let admission: (any BlockingAdmission)?
    // Guarded by `mutex`; waiters sleep on `condition`.
    private var entries: [String: Entry] = [:]
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()

    /// - Parameters:
    ///   - graceMillis: how long a successful result answers for the old token (default 30 s).
    ///   - waitMillis: the longest a check waits for another thread's refresh.
    ///   - admission: told before a thread waits on a refresh (its own or another's), so the
    ///     server can keep threads free for checks that need no refresh.
    public init(graceMillis: Int64 = 30_000, waitMillis: Int64 = 15_000, clock: any Clock, shared: SharedRefresh? = nil,
                admission: (any BlockingAdmission)? = nil) {
        self.admission = admission
        self.graceMillis = graceMillis
        self.waitMillis = waitMillis
        self.clock = clock
        self.shared = shared
        pthread_mutex_init(&mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `refresh` for this token unless it is already running (then waits for that result)
    /// or succeeded within the grace window (then returns that result). `refreshToken` may carry
    /// more than the token (the authenticator appends the organization); only its hash is kept.
    public func coalesce(
        refreshToken: String, _ refresh: () -> Result<RefreshedSession, WorkOSError>
    ) -> Result<RefreshedSession, WorkOSError> {
        let key = Hex.encode(Digest.sha256(Array(refreshToken.utf8)))
        pthread_mutex_lock(&mutex)
        pruneExpired()
        if case .done(let result, _)? = entries[key] {
            pthread_mutex_unlock(&mutex)
            return result
        }
        pthread_mutex_unlock(&mutex)
        // From here this thread waits: on WorkOS as the leader, or on the leader.
        if let admission {
            guard admission.enterBlocking() else {
                return .failure(.notAttempted("too many requests are waiting on WorkOS already"))
            }
        }
        defer { admission?.leaveBlocking() }
        pthread_mutex_lock(&mutex)
        pruneExpired()
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        deadline.tv_sec += Int(waitMillis / 1000)
        deadline.tv_nsec += Int(waitMillis % 1000) * 1_000_000
        if deadline.tv_nsec >= 1_000_000_000 { deadline.tv_sec += 1; deadline.tv_nsec -= 1_000_000_000 }
        while true {
            switch entries[key] {
            case .done(let result, _)?:
                pthread_mutex_unlock(&mutex)
                return result
            case .inFlight?:
                if pthread_cond_timedwait(&condition, &mutex, &deadline) == ETIMEDOUT, case .inFlight? = entries[key] {
                    pthread_mutex_unlock(&mutex)
                    return .failure(.transport(.timedOut))
                }
            case nil:
                entries[key] = .inFlight
                pthread_mutex_unlock(&mutex)
                let result = shared.map { crossProcess(key: key, $0, refresh) } ?? refresh()
                pthread_mutex_lock(&mutex)
                switch result {
                case .success:
                    entries[key] = .done(result, expiresAt: clock.nowMillis() + graceMillis)
                case .failure:
                    // Waiters share this failure; the next check tries again.
                    entries[key] = .done(result, expiresAt: clock.nowMillis())
                }
                pthread_cond_broadcast(&condition)
                pthread_mutex_unlock(&mutex)
                return result
            }
        }
    }

    /// The leader of this process coordinates with other processes: under the shared lock, a
    /// session another process stored within the grace window answers; otherwise this process
    /// refreshes and stores the result.
    private func crossProcess(
        key: String, _ shared: SharedRefresh, _ refresh: () -> Result<RefreshedSession, WorkOSError>
    ) -> Result<RefreshedSession, WorkOSError> {
        let outcome = shared.store.withLock(key: key, timeoutMillis: waitMillis) { () -> Result<RefreshedSession, WorkOSError> in
            // The stored time comes from Redis or a file: checked (Int64.min must not trap), and
            // within a grace window either way (another host's clock may run a little ahead, but a
            // stamp far in the future must not pin a session).
            if let stored = shared.store.load(key: key), case let (age, false) = clock.nowMillis().subtractingReportingOverflow(stored.storedAt),
               age > -graceMillis, age < graceMillis,
               let session = shared.decode(stored.sealedSession) {
                return .success(session)
            }
            let result = refresh()
            if case .success(let session) = result { shared.store.save(key: key, sealedSession: shared.encode(session)) }
            return result
        }
        return outcome ?? .failure(.transport(.timedOut))
    }

    /// Entries past their window. Called with the mutex held.
    private func pruneExpired() {
        let now = clock.nowMillis()
        entries = entries.filter { _, entry in
            if case .done(_, let expiresAt) = entry { return expiresAt > now }
            return true
        }
    }
}
