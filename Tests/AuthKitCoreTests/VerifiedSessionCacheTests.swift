import AuthKitCrypto
import Logging
import Synchronization
import Testing
@testable import AuthKitCore

@Suite struct VerifiedSessionCacheTests {
    let start: Int64 = 1_785_000_000
    let factory = TokenFactory()

    /// Counts key lookups: one per full verification.
    final class CountingKeys: SigningKeyProvider {
        let inner: any SigningKeyProvider
        let calls = Atomic<Int>(0)
        init(_ inner: any SigningKeyProvider) { self.inner = inner }
        func keys(forKeyId keyId: String?) throws(TokenError) -> [RSAPublicKey] {
            calls.add(1, ordering: .relaxed)
            return try inner.keys(forKeyId: keyId)
        }
    }

    func session(_ tag: String) -> AuthenticatedSession {
        let claims = AccessTokenClaims(payload: .object([("sub", .string("u")), ("exp", .int(2_000_000_000))]))!
        let user = SessionUser(sessionJSON: .object([("id", .string("u"))]))!
        return AuthenticatedSession(payload: SessionPayload(accessToken: "at_\(tag)", refreshToken: "rt_\(tag)", user: user), claims: claims, refreshed: false)
    }

    @Test func leastRecentlyUsedGoesFirstAndEntriesExpire() {
        let cache = VerifiedSessionCache(capacity: 2)
        let a = VerifiedSessionCache.key(cookieValue: "a"), b = VerifiedSessionCache.key(cookieValue: "b"), c = VerifiedSessionCache.key(cookieValue: "c")
        cache.store(a, session: session("a"), validUntilMillis: 10_000)
        cache.store(b, session: session("b"), validUntilMillis: 10_000)
        #expect(cache.lookup(a, nowMillis: 1)?.payload.accessToken == "at_a")   // a is now the most recent
        cache.store(c, session: session("c"), validUntilMillis: 10_000)          // evicts b
        #expect(cache.lookup(b, nowMillis: 1) == nil)
        #expect(cache.lookup(a, nowMillis: 1) != nil && cache.lookup(c, nowMillis: 1) != nil)
        #expect(cache.lookup(a, nowMillis: 10_000) == nil, "expired at its deadline")
        #expect(cache.count == 1)
        #expect(cache.lookup(c, nowMillis: 2)?.payload.refreshToken == "", "no refresh token is kept")
        #expect(VerifiedSessionCache(capacity: 0).lookup(a, nowMillis: 1) == nil)
        #expect(VerifiedSessionCache.key(cookieValue: "a") == a && a != b)
    }

    @Test func manyEntriesStayWithinCapacity() {
        let cache = VerifiedSessionCache(capacity: 100)
        for i in 0..<10_000 { cache.store(VerifiedSessionCache.key(cookieValue: "c\(i)"), session: session("\(i)"), validUntilMillis: 10_000) }
        #expect(cache.count == 100)
        #expect(cache.lookup(VerifiedSessionCache.key(cookieValue: "c9999"), nowMillis: 1) != nil)
        #expect(cache.lookup(VerifiedSessionCache.key(cookieValue: "c0"), nowMillis: 1) == nil)
    }

    @Test func rememberedAnswersLiveAndDieWithTheirSession() {
        let cache = VerifiedSessionCache(capacity: 2)
        let a = VerifiedSessionCache.key(cookieValue: "a"), b = VerifiedSessionCache.key(cookieValue: "b")
        let here = Array("AUTHKIT_ACTION=check\0".utf8), there = Array("AUTHKIT_ROLE=admin\0".utf8)
        // Nothing is remembered for a cookie whose session is not cached.
        cache.rememberAnswer(a, context: here, bytes: [1])
        #expect(cache.answer(a, context: here, nowMillis: 1) == nil)

        cache.store(a, session: session("a"), validUntilMillis: 10_000)
        cache.rememberAnswer(a, context: here, bytes: [1])
        cache.rememberAnswer(a, context: there, bytes: [2])
        #expect(cache.answer(a, context: here, nowMillis: 1) == [1])
        #expect(cache.answer(a, context: there, nowMillis: 1) == [2])
        #expect(cache.answer(a, context: here + [0], nowMillis: 1) == nil, "another location's settings")
        #expect(cache.answer(b, context: here, nowMillis: 1) == nil, "another cookie")
        #expect(cache.answer(a, context: here, nowMillis: 10_000) == nil, "not past the refresh deadline")

        // A session stored again (refreshed, re-verified) starts with no answers.
        cache.store(a, session: session("a2"), validUntilMillis: 20_000)
        #expect(cache.answer(a, context: here, nowMillis: 1) == nil)

        // At most answersPerSession contexts; the oldest goes first.
        for i in 0...VerifiedSessionCache.answersPerSession {
            cache.rememberAnswer(a, context: Array("AUTHKIT_ROLE=r\(i)\0".utf8), bytes: [UInt8(i)])
        }
        #expect(cache.answer(a, context: Array("AUTHKIT_ROLE=r0\0".utf8), nowMillis: 1) == nil)
        #expect(cache.answer(a, context: Array("AUTHKIT_ROLE=r1\0".utf8), nowMillis: 1) == [1])
        #expect(cache.answer(a, context: Array("AUTHKIT_ROLE=r\(VerifiedSessionCache.answersPerSession)\0".utf8), nowMillis: 1)
                == [UInt8(VerifiedSessionCache.answersPerSession)])

        // An answer keeps its session recent: b and c arrive, b is evicted rather than a.
        cache.store(b, session: session("b"), validUntilMillis: 20_000)
        _ = cache.answer(a, context: Array("AUTHKIT_ROLE=r1\0".utf8), nowMillis: 1)
        cache.store(VerifiedSessionCache.key(cookieValue: "c"), session: session("c"), validUntilMillis: 20_000)
        #expect(cache.lookup(b, nowMillis: 1) == nil && cache.lookup(a, nowMillis: 1) != nil)
        #expect(VerifiedSessionCache(capacity: 0).answer(a, context: here, nowMillis: 1) == nil)
    }

    @Test func theCheckVerifiesOnceUntilTheRefreshDeadline() {
        let config = Fixtures.config()
        let clock = ManualClock(seconds: start)
        let keys = CountingKeys(StaticKeyProvider(factory.keySet))
        let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(keys: keys, clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: ScriptedTransport { _ throws(HTTPTransportError) in throw .timedOut }, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), cache: VerifiedSessionCache(capacity: 10))
        let user = SessionUser(apiJSON: try! JSONParser.parse(Fixtures.apiUser()))!
        let cookie = sealer.sealSession(SessionPayload(accessToken: factory.accessToken(iat: start, exp: start + 300), refreshToken: "rt", user: user))
        for _ in 0..<5 {
            guard case .signedIn(let session, nil) = authenticator.authenticate(cookieValue: cookie, useCache: true) else { Issue.record("not signed in"); return }
            #expect(session.payload.user.id == "user_01")
        }
        #expect(keys.calls.load(ordering: .relaxed) == 1)
        // Other endpoints never use it (they may need the refresh token).
        guard case .signedIn(let full, _) = authenticator.authenticate(cookieValue: cookie) else { Issue.record("not signed in"); return }
        #expect(full.payload.refreshToken == "rt" && keys.calls.load(ordering: .relaxed) == 2)
        // A token of 300 s refreshes 30 s before exp: from then on the full path runs again.
        clock.advance(seconds: 270)
        _ = authenticator.authenticate(cookieValue: cookie, useCache: true)
        #expect(keys.calls.load(ordering: .relaxed) == 3)
        // A different cookie is a different entry.
        #expect(authenticator.cache?.lookup(VerifiedSessionCache.key(cookieValue: cookie + "x"), nowMillis: start * 1000) == nil)
    }
}
