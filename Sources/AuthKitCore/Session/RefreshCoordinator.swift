#if canImport(Glibc)
import Glibc
#endif
import AuthKitCrypto
import AuthKitSync

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
    /// Stores `sealedSession` for `key`, kept at least `keepMillis` (at least a minute).
    func save(key: String, sealedSession: String, keepMillis: Int64)
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
/// session too — and, when the old access token was still valid (a refresh ahead of expiry,
/// often in the background), until that token expires plus the grace window: the browser keeps
/// sending the old cookie until an answer carries the new one, and its refresh token is spent.
/// Entries are keyed by SHA-256 of the refresh token, never the token itself.
public final class RefreshCoordinator: @unchecked Sendable {
    private enum Entry {
        case inFlight
        case done(Result<RefreshedSession, WorkOSError>, expiresAt: UnixMillis)
    }

    /// How a background refresh began (``refreshInBackground(refreshToken:oldTokenExpiresAt:pool:_:)``).
    public enum BackgroundStart: Sendable, Equatable {
        /// A refresh of this token already ended (within its window): its result.
        case answered(Result<RefreshedSession, WorkOSError>)
        /// A refresh of this token is running already (in the background or for a request).
        case running
        /// Queued on the pool.
        case started
        /// The pool is full or stopping: no refresh was started.
        case poolFull
    }

    /// The longest a refreshed session answers for the token it replaced, however far away
    /// that token's expiry (a large WORKOS_REFRESH_BUFFER_SECONDS).
    public static let maxKeepMillis: Int64 = 600_000

    private let graceMillis: Int64
    private let waitMillis: Int64
    private let clock: any WallClock
    private let shared: SharedRefresh?
    private let admission: (any BlockingAdmission)?
    /// Refreshes by token hash; threads waiting on another's refresh sleep on its condition.
    private let entries = Locked<[String: Entry]>([:])

    /// - Parameters:
    ///   - graceMillis: how long a successful result answers for the old token (default 30 s).
    ///   - waitMillis: the longest a check waits for another thread's refresh.
    ///   - admission: told before a thread waits on a refresh (its own or another's), so the
    ///     server can keep threads free for checks that need no refresh.
    public init(graceMillis: Int64 = 30_000, waitMillis: Int64 = 15_000, clock: any WallClock, shared: SharedRefresh? = nil,
                admission: (any BlockingAdmission)? = nil) {
        self.admission = admission
        self.graceMillis = graceMillis
        self.waitMillis = waitMillis
        self.clock = clock
        self.shared = shared
    }

    /// Runs `refresh` for this token unless it is already running (then waits for that result)
    /// or succeeded within the grace window (then returns that result). `refreshToken` may carry
    /// more than the token (the authenticator appends the organization); only its hash is kept.
    /// - Parameter oldTokenExpiresAt: the expiry (Unix seconds) of the access token this refresh
    ///   replaces: a success answers for the old token until then plus the grace window (at most
    ///   ``maxKeepMillis``) when that is later than the grace window from now.
    public func coalesce(
        refreshToken: String, rememberRefusal: Bool = true, oldTokenExpiresAt: Int64? = nil,
        _ refresh: () -> Result<RefreshedSession, WorkOSError>
    ) -> Result<RefreshedSession, WorkOSError> {
        let key = Hex.encode(Digest.sha256(Array(refreshToken.utf8)))
        let now = clock.nowMillis()
        let found: Entry? = entries.withLock { entries in
            Self.pruneExpired(&entries, now: now)
            return entries[key]
        }
        if case .done(let result, _)? = found { return result }
        // A refresh of this token is running: this thread will wait on it, not call WorkOS.
        // Such waits have a bound of their own (issue 22: 100 requests with one cookie hit the
        // bound for WorkOS calls, and a fifth of them got 503 instead of the shared answer).
        let sharing = found != nil
        // From here this thread waits: on WorkOS as the leader, or on the leader.
        if let admission {
            guard admission.enterBlocking(sharing: sharing) else {
                return .failure(.notAttempted("too many requests are waiting on WorkOS already"))
            }
        }
        defer { admission?.leaveBlocking(sharing: sharing) }
        enum Turn { case answered(Result<RefreshedSession, WorkOSError>), lead }
        let turn = entries.waitUntil(timeoutMillis: waitMillis) { entries -> Turn? in
            Self.pruneExpired(&entries, now: clock.nowMillis())
            switch entries[key] {
            case .done(let result, _)?: return .answered(result)
            case .inFlight?: return nil
            case nil:
                entries[key] = .inFlight
                return .lead
            }
        }
        switch turn {
        case .answered(let result)?: return result
        case .lead?: return lead(key: key, rememberRefusal: rememberRefusal, oldTokenExpiresAt: oldTokenExpiresAt, refresh)
        case nil: return .failure(.transport(.timedOut))
        }
    }

    /// Starts a refresh of this token on `pool` unless one is running or ended within its
    /// window; never waits. The refresh's success answers for the old token until
    /// `oldTokenExpiresAt` plus the grace window, here and in the shared store, so the old
    /// cookie's next request gets the new session.
    public func refreshInBackground(
        refreshToken: String, oldTokenExpiresAt: Int64, pool: BackgroundRefreshPool,
        _ refresh: @escaping @Sendable () -> Result<RefreshedSession, WorkOSError>
    ) -> BackgroundStart {
        let key = Hex.encode(Digest.sha256(Array(refreshToken.utf8)))
        let now = clock.nowMillis()
        let existing: BackgroundStart? = entries.withLock { entries in
            Self.pruneExpired(&entries, now: now)
            switch entries[key] {
            case .done(let result, _)?: return .answered(result)
            case .inFlight?: return .running
            case nil:
                entries[key] = .inFlight
                return nil
            }
        }
        if let existing { return existing }
        guard pool.submit({ [self] in _ = lead(key: key, rememberRefusal: true, oldTokenExpiresAt: oldTokenExpiresAt, refresh) }) else {
            // A request may have begun waiting on this entry meanwhile: it leads now.
            entries.withLockBroadcasting { $0[key] = nil }
            return .poolFull
        }
        return .started
    }

    /// The old token's expiry plus the grace window, in milliseconds.
    private func oldTokenEnd(_ oldTokenExpiresAt: Int64?) -> UnixMillis? {
        oldTokenExpiresAt.map { $0.multipliedClamped(by: 1000).addingClamped(graceMillis) }
    }

    /// Until when a success answers for the old token: the grace window, or the old token's
    /// expiry plus the grace window when that is later (bounded by ``maxKeepMillis``).
    private func keepUntil(_ oldTokenExpiresAt: Int64?) -> UnixMillis {
        let now = clock.nowMillis()
        let graceEnd = now.addingClamped(graceMillis)
        guard let oldEnd = oldTokenEnd(oldTokenExpiresAt) else { return graceEnd }
        return min(max(graceEnd, oldEnd), now.addingClamped(Self.maxKeepMillis))
    }

    /// Refreshes as the leader of `key`, whose entry this thread set in flight; records the
    /// result and wakes the threads waiting on it.
    private func lead(
        key: String, rememberRefusal: Bool, oldTokenExpiresAt: Int64?, _ refresh: () -> Result<RefreshedSession, WorkOSError>
    ) -> Result<RefreshedSession, WorkOSError> {
        let result = shared.map { crossProcess(key: key, $0, rememberRefusal: rememberRefusal, oldTokenExpiresAt: oldTokenExpiresAt, refresh) }
            ?? refresh()
        let entry: Entry
        switch result {
        case .success:
            entry = .done(result, expiresAt: keepUntil(oldTokenExpiresAt))
        case .failure(let error) where rememberRefusal && Self.isRejection(error):
            // WorkOS refused the token itself (invalid_grant, a revoked session): asking
            // again gives the same answer, so it answers for the window too. Without it,
            // a page of 100 assets with a revoked session made a dozen calls (issue 22).
            entry = .done(result, expiresAt: clock.nowMillis() + graceMillis)
        case .failure:
            // Waiters share this failure; the next check tries again.
            entry = .done(result, expiresAt: clock.nowMillis())
        }
        entries.withLockBroadcasting { $0[key] = entry }
        return result
    }

    /// The leader of this process coordinates with other processes: under the shared lock, a
    /// session another process stored within the grace window (or, while the token it replaced
    /// is not past its expiry plus the grace window, within ``maxKeepMillis``) answers;
    /// otherwise this process refreshes and stores the result.
    private func crossProcess(
        key: String, _ shared: SharedRefresh, rememberRefusal: Bool, oldTokenExpiresAt: Int64?,
        _ refresh: () -> Result<RefreshedSession, WorkOSError>
    ) -> Result<RefreshedSession, WorkOSError> {
        let outcome = shared.store.withLock(key: key, timeoutMillis: waitMillis) { () -> Result<RefreshedSession, WorkOSError> in
            // The stored time comes from Redis or a file: checked (Int64.min must not trap), and
            // within a grace window either way (another host's clock may run a little ahead, but a
            // stamp far in the future must not pin a session).
            let now = clock.nowMillis()
            if let stored = shared.store.load(key: key), case let (age, false) = now.subtractingReportingOverflow(stored.storedAt),
               age > -graceMillis {
                // A refusal answers for the grace window only; a session also while the token it
                // replaced is valid (the old cookie still arrives then; its refresh token is spent).
                if age < graceMillis, let rejection = Self.rejection(stored: stored.sealedSession) { return .failure(rejection) }
                let oldTokenLive = oldTokenEnd(oldTokenExpiresAt).map { now < $0 && age < Self.maxKeepMillis } ?? false
                if age < graceMillis || oldTokenLive, Self.rejection(stored: stored.sealedSession) == nil,
                   let session = shared.decode(stored.sealedSession) { return .success(session) }
            }
            let result = refresh()
            switch result {
            case .success(let session):
                shared.store.save(key: key, sealedSession: shared.encode(session), keepMillis: max(graceMillis, keepUntil(oldTokenExpiresAt) - clock.nowMillis()))
            case .failure(let error) where rememberRefusal && Self.isRejection(error):
                shared.store.save(key: key, sealedSession: Self.stored(rejection: error), keepMillis: graceMillis)
            case .failure: break
            }
            return result
        }
        return outcome ?? .failure(.transport(.timedOut))
    }

    /// A refusal of the refresh token itself: WorkOS's 4xx other than 408 and 429 (which say
    /// "later", not "no"). Remembered for the grace window, here and in the shared store.
    static func isRejection(_ error: WorkOSError) -> Bool {
        if case .http(let status, _, _, _, _, _) = error { return (400...499).contains(status) && !error.isTransient }
        return false
    }

    /// A rejection as the shared store keeps it, beside sealed sessions (which start `Fe26.2`):
    /// `!rejected <status> <code>`; no message, no token.
    static func stored(rejection error: WorkOSError) -> String {
        guard case .http(let status, let code, _, _, _, _) = error else { return "!rejected 400 -" }
        let safeCode = code.map { String(decoding: $0.utf8.prefix(64).filter { $0 > 0x20 && $0 < 0x7F }, as: UTF8.self) } ?? ""
        return "!rejected \(status) \(safeCode.isEmpty ? "-" : safeCode)"
    }

    /// The rejection a stored value records, read on the bytes; nil for a sealed session or
    /// anything else.
    static func rejection(stored: String) -> WorkOSError? {
        let prefix = "!rejected ".utf8
        guard stored.utf8.starts(with: prefix) else { return nil }
        let fields = stored.utf8.dropFirst(prefix.count).split(separator: UInt8(ascii: " "), maxSplits: 1, omittingEmptySubsequences: true)
        guard fields.count == 2, let status = DecimalText.int64(fields[0], maxDigits: 3), (400...499).contains(status) else { return nil }
        // Compared on bytes: the store's text is not ours to read as graphemes.
        let code = fields[1].elementsEqual("-".utf8) ? nil : String(decoding: fields[1], as: UTF8.self)
        return .http(status: Int(status), code: code,
                     message: "refused by WorkOS moments ago (remembered)", requestId: nil, retryAfterSeconds: nil)
    }

    /// Drops entries past their window.
    private static func pruneExpired(_ entries: inout [String: Entry], now: UnixMillis) {
        entries = entries.filter { _, entry in
            if case .done(_, let expiresAt) = entry { return expiresAt > now }
            return true
        }
    }
}
