import AuthKitSync
import AuthKitCrypto

/// Supplies the public keys that may have signed a token.
public protocol SigningKeyProvider: Sendable {
    /// Keys for the token header's `kid`.
    /// - Throws: ``TokenError/unknownKey(_:)`` or ``TokenError/keysUnavailable(_:)``.
    func keys(forKeyId keyId: String?) throws(TokenError) -> [RSAPublicKey]
}

/// Keeps the fetched JWKS document between processes (CGI mode starts a process per request).
/// The executable implements it over a file in `AUTHKIT_CACHE_DIR`.
public protocol JWKSStore: Sendable {
    /// The stored document and when it was fetched, if any.
    func load() -> (document: [UInt8], fetchedAt: UnixMillis)?
    func save(document: [UInt8], fetchedAt: UnixMillis)
}

/// A fixed key set; for tests and for keys loaded from elsewhere.
public struct StaticKeyProvider: SigningKeyProvider {
    public var keySet: JSONWebKeySet
    public init(_ keySet: JSONWebKeySet) { self.keySet = keySet }
    public func keys(forKeyId keyId: String?) throws(TokenError) -> [RSAPublicKey] {
        let found = keySet.candidates(forKeyId: keyId)
        guard !found.isEmpty else { throw .unknownKey(keyId) }
        return found
    }
}

/// The JWKS at `{base}/sso/jwks/{clientId}`, fetched lazily and cached like jose's
/// `createRemoteJWKSet` (max age 10 min, 30 s cooldown between fetches, one refetch for an
/// unknown `kid`), with one difference that matters for an edge adapter: when a refetch fails,
/// the last good keys stay in use, so an outage of the JWKS endpoint signs nobody out.
///
/// Fetches are single-flight: one thread fetches while the others wait for its result.
public final class JWKSCache: SigningKeyProvider {
    public struct Settings: Sendable {
        public var maxAgeMillis: Int64 = 600_000
        public var cooldownMillis: Int64 = 30_000
        public init() {}
    }

    private struct State {
        var keySet: JSONWebKeySet?
        /// When the cached set was fetched.
        var fetchedAt: UnixMillis = .min
        /// When the last fetch was attempted, successful or not.
        var attemptedAt: UnixMillis = .min
        var lastFailure: String?
    }

    private let url: String
    private let transport: any HTTPTransport
    private let clock: any WallClock
    private let settings: Settings
    private let userAgent: String
    private let state = Locked(State())
    /// Held for the duration of a fetch, so concurrent callers wait for one fetch. Its value is
    /// unused: a `Locked(())` shows ThreadSanitizer a race that is not there (the empty value's
    /// access lands on the object's header, which `withLock` reads before locking).
    private let fetchLock = Locked(false)
    private let store: (any JWKSStore)?

    public init(
        url: String, transport: any HTTPTransport, clock: any WallClock, userAgent: String,
        settings: Settings = Settings(), store: (any JWKSStore)? = nil
    ) {
        self.url = url
        self.transport = transport
        self.clock = clock
        self.userAgent = userAgent
        self.settings = settings
        self.store = store
        // A document another process fetched recently saves this one a request.
        // One dated in the future (a file's modification time) would never age: not used.
        if let stored = store?.load(), stored.fetchedAt <= clock.nowMillis(),
           let keySet = try? JSONWebKeySet(json: stored.document), !keySet.keys.isEmpty {
            state.withLock {
                $0.keySet = keySet
                $0.fetchedAt = stored.fetchedAt
                $0.attemptedAt = stored.fetchedAt
            }
        }
    }

    /// When the keys in use were fetched (by this process or, through the store, another); nil
    /// before the first successful fetch. For the `authkit_jwks_age_seconds` gauge.
    public var fetchedAt: UnixMillis? {
        state.withLock { $0.keySet == nil ? nil : $0.fetchedAt }
    }

    public func keys(forKeyId keyId: String?) throws(TokenError) -> [RSAPublicKey] {
        let now = clock.nowMillis()
        var snapshot = state.withLock { $0 }
        if snapshot.keySet == nil || now.subtractingClamped(snapshot.fetchedAt) >= settings.maxAgeMillis {
            snapshot = refresh(seen: snapshot.attemptedAt)
        }
        if let keySet = snapshot.keySet {
            let found = keySet.candidates(forKeyId: keyId)
            if !found.isEmpty { return found }
            // Unknown kid: the keys may have rotated. One refetch, unless we fetched recently.
            let refreshed = refresh(seen: snapshot.attemptedAt)
            let retry = refreshed.keySet?.candidates(forKeyId: keyId) ?? []
            if !retry.isEmpty { return retry }
            throw .unknownKey(keyId)
        }
        throw .keysUnavailable(snapshot.lastFailure ?? "no keys fetched")
    }

    /// Fetches unless another thread did since `seen` or the cooldown forbids it; returns the
    /// state afterwards. Callers that already hold keys do not queue behind a fetch in flight:
    /// they go on with the keys they have, so a hanging JWKS endpoint slows nobody down.
    private func refresh(seen: UnixMillis) -> State {
        let haveKeys = state.withLock { $0.keySet != nil }
        if haveKeys {
            return fetchLock.withLockIfAvailable { _ in fetchIfDue(seen: seen) } ?? state.withLock { $0 }
        }
        return fetchLock.withLock { _ in fetchIfDue(seen: seen) }
    }

    private func fetchIfDue(seen: UnixMillis) -> State {
        let current = state.withLock { $0 }
        let now = clock.nowMillis()
        if current.attemptedAt != seen || (current.attemptedAt != .min && now.subtractingClamped(current.attemptedAt) < settings.cooldownMillis) {
            return current
        }
        let outcome = fetch()
        if case .success(let fetched) = outcome { store?.save(document: fetched.document, fetchedAt: clock.nowMillis()) }
        return state.withLock { state in
            state.attemptedAt = clock.nowMillis()
            switch outcome {
            case .success(let fetched):
                state.keySet = fetched.keySet
                state.fetchedAt = state.attemptedAt
                state.lastFailure = nil
            case .failure(let error):
                state.lastFailure = error.description
            }
            return state
        }
    }

    private struct Fetched { let keySet: JSONWebKeySet; let document: [UInt8] }

    private func fetch() -> Result<Fetched, TokenError> {
        let request = HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json"), ("User-Agent", userAgent)])
        let response: HTTPResponse
        do {
            response = try transport.send(request)
        } catch {
            return .failure(.keysUnavailable("JWKS fetch failed: \(error)"))
        }
        guard response.status == 200 else { return .failure(.keysUnavailable("JWKS answered HTTP \(response.status)")) }
        do {
            let keySet = try JSONWebKeySet(json: response.body)
            guard !keySet.keys.isEmpty else { return .failure(.keysUnavailable("JWKS has no usable RS256 key")) }
            return .success(Fetched(keySet: keySet, document: response.body))
        } catch {
            return .failure(error)
        }
    }
}
