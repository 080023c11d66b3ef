@testable import AuthKitCore
import Logging
import Testing
@testable import AuthKitFastCGI
@testable import AuthKitGateway

/// Which requests the check's fast path may answer, what it keys them by, and what it keeps.
/// (That a remembered answer equals the full path's is shown through real nginx, in
/// `NginxFlowTests.repeatedChecksKeepEachLocationsAnswer`.)
@Suite struct CheckAnswerMemoTests {
    struct Unreachable: HTTPTransport {
        func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse { throw .timedOut }
    }

    static func service(cacheSize: Int = 10, eagerAuth: Bool = false, assertionSigner: AssertionSigner? = nil) -> AuthKitService {
        let config = AuthKitConfig(
            clientId: "client_01", apiKey: "sk_test_secret_api_key_value", cookiePassword: "this-is-a-32-character-password!",
            redirectURI: "https://app.example.com/auth/callback", apiHostname: "workos.test")
        let clock = SystemClock()
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let authenticator = SessionAuthenticator(
            sealer: SessionSealer(config: config, clock: clock, random: SecureRandom()),
            verifier: AccessTokenVerifier(keys: StaticKeyProvider(JSONWebKeySet(keys: [])), clock: clock, issuers: AcceptedIssuers([])),
            workos: WorkOSClient(config: config, transport: Unreachable(), random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger,
            cache: VerifiedSessionCache(capacity: cacheSize))
        var settings = EndpointSettings(origin: "https://app.example.com", redirectURI: config.redirectURI)
        settings.eagerAuth = eagerAuth
        settings.assertionSigner = assertionSigner
        return AuthKitService(settings: settings, authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger)
    }

    static let check: [(String, String)] = [
        ("FCGI_ROLE", "RESPONDER"), ("AUTHKIT_ACTION", "check"), ("REQUEST_URI", "/docs/a"),
        ("HTTP_COOKIE", "theme=dark; wos-session=Fe26.2*1*abc; _ga=1"), ("REDIRECT_STATUS", "200"),
    ]

    func ticket(_ memo: CheckAnswerMemo, _ pairs: [(String, String)]) -> CheckAnswerMemo.Ticket? {
        FastCGIParameters.with(pairs) { memo.ticket(for: $0) }
    }

    func replacing(_ name: String, with value: String?, in pairs: [(String, String)] = check) -> [(String, String)] {
        pairs.compactMap { $0.0 == name ? value.map { (name, $0) } : $0 }
    }

    @Test func checksWithASessionCookieGetATicket() throws {
        let memo = CheckAnswerMemo(service: Self.service())
        let checkTicket = try #require(ticket(memo, Self.check))
        #expect(checkTicket.key == VerifiedSessionCache.key(cookieValue: "Fe26.2*1*abc"))
        let authorizer = [("FCGI_ROLE", "AUTHORIZER"), ("REQUEST_URI", "/x"), ("HTTP_COOKIE", "wos-session=Fe26.2*1*abc")]
        #expect(ticket(memo, authorizer)?.key == checkTicket.key, "an Apache authorizer is a check too")
        // The last cookie of the name counts, as in the full path.
        #expect(ticket(memo, replacing("HTTP_COOKIE", with: "wos-session=old; wos-session=new"))?.key
                == VerifiedSessionCache.key(cookieValue: "new"))
    }

    /// The check reuses the ticket's key instead of hashing the cookie again
    /// (`AuthRequest.sessionCookieKey`): it must be the key of exactly the cookie the check
    /// reads, for every Cookie header the memo takes (repeated names, repeated headers, spaces,
    /// other cookies around it).
    @Test(arguments: [
        [("HTTP_COOKIE", "wos-session=Fe26.2*1*abc")],
        [("HTTP_COOKIE", "a=1;wos-session=x;b=2")],
        [("HTTP_COOKIE", "wos-session=old; wos-session=new")],
        [("HTTP_COOKIE", "wos-session=first"), ("HTTP_COOKIE", "wos-session=second")],
        [("HTTP_COOKIE", "  wos-session=padded  ;x=1")],
        [("HTTP_COOKIE", "wos-sessionx=no; wos-session=yes; xwos-session=no")],
        [("HTTP_COOKIE", "wos-session=\"quoted\"")],
    ])
    func theTicketsKeyIsTheKeyOfTheCookieTheCheckReads(_ cookies: [(String, String)]) throws {
        let memo = CheckAnswerMemo(service: Self.service())
        let pairs = replacing("HTTP_COOKIE", with: nil) + cookies
        guard let ticket = ticket(memo, pairs) else { return }
        let (request, _) = FastCGIParameters.with(pairs) { GatewayRequest.make(parameters: $0, body: []) }
        let value = try #require(request.cookie("wos-session"))
        #expect(ticket.key == VerifiedSessionCache.key(cookieValue: value), "\(cookies)")
    }

    /// Each identity assertion names its path and expires within a minute: no answer is replayed.
    @Test func identityAssertionsTurnTheMemoOff() throws {
        let signer = try AssertionSigner(source: .fixed(AssertionKey(generating: .es256)), algorithm: .es256, lifetimeSeconds: 60,
                                         clock: SystemClock(), random: SecureRandom())
        let memo = CheckAnswerMemo(service: Self.service(assertionSigner: signer))
        #expect(!memo.enabled)
        #expect(ticket(memo, Self.check) == nil)
        #expect(CheckAnswerMemo(service: Self.service()).enabled)
        // An allowed API key's answer carries an assertion too: never replayed either. (Read
        // into locals: a failed #expect on the memo itself would reflect its lock and crash.)
        let keysRemembered = memo.apiKeysEnabled
        let keyTicket = ticket(memo, CheckAnswerMemoApiKeyTests.check)
        let keysRememberedWithout = CheckAnswerMemo(service: Self.service()).apiKeysEnabled
        #expect(!keysRemembered, "the API-key memo is off while assertions are on")
        #expect(keyTicket == nil)
        #expect(keysRememberedWithout)
    }

    @Test func theMemoStaysOutOfEverythingElse() {
        let memo = CheckAnswerMemo(service: Self.service())
        #expect(ticket(memo, replacing("AUTHKIT_ACTION", with: "session")) == nil, "not a check")
        #expect(ticket(memo, replacing("AUTHKIT_ACTION", with: nil)) == nil, "a responder without an action")
        #expect(ticket(memo, Self.check + [("HTTP_AUTHORIZATION", "Bearer x")]) == nil, "a bearer token may decide")
        #expect(ticket(memo, replacing("HTTP_COOKIE", with: "wos-session=Fe26.2%2A1")) == nil, "needs percent-decoding")
        #expect(ticket(memo, replacing("HTTP_COOKIE", with: "wos-session=")) == nil)
        #expect(ticket(memo, replacing("HTTP_COOKIE", with: "wos-session")) == nil)
        #expect(ticket(memo, replacing("HTTP_COOKIE", with: "other=1")) == nil)
        #expect(ticket(memo, replacing("HTTP_COOKIE", with: nil)) == nil)
        // The action given twice counts with its last value.
        #expect(ticket(memo, Self.check + [("AUTHKIT_ACTION", "sign-in")]) == nil)
        // A target the check refuses to read is answered 400 by the full path, signed in or not.
        for target in ["/docs/a#/../x", "/docs/%2e%2e/%2e%2e/x", "/docs/%ZZ", "http://h/docs/a"] {
            #expect(ticket(memo, replacing("REQUEST_URI", with: target)) == nil, "\(target)")
        }
        #expect(ticket(memo, replacing("REQUEST_URI", with: nil)) == nil)
        #expect(ticket(CheckAnswerMemo(service: Self.service(cacheSize: 0)), Self.check) == nil)
        // With a maximum sign-in age the answer depends on the clock (the sign-in ages).
        #expect(ticket(memo, Self.check + [("AUTHKIT_MAX_AUTH_AGE", "600")]) == nil)
        #expect(ticket(memo, Self.check + [("REDIRECT_AUTHKIT_MAX_AUTH_AGE", "600")]) == nil)
        // With eager auth the answer depends on the Accept header.
        #expect(ticket(CheckAnswerMemo(service: Self.service(eagerAuth: true)), Self.check) == nil)
    }

    @Test func theLocationsSettingsAreTheContextAndNothingElse() throws {
        let memo = CheckAnswerMemo(service: Self.service())
        let base = try #require(ticket(memo, Self.check)).context
        let otherRequest = replacing("REQUEST_URI", with: "/other", in: Self.check + [("HTTP_ACCEPT", "text/html"), ("REMOTE_ADDR", "10.0.0.1")])
        #expect(try #require(ticket(memo, otherRequest)).context == base)
        // The served path is the path, not a setting: a signed-in answer does not depend on it.
        let served = Self.check + [("AUTHKIT_SERVED_PATH", "/docs/a"), ("REDIRECT_AUTHKIT_SERVED_PATH", "/x")]
        #expect(try #require(ticket(memo, served)).context == base)
        for setting in [("AUTHKIT_ROLE", "admin"), ("REDIRECT_AUTHKIT_PERMISSION", "x"), ("FCGI_APACHE_ROLE", "AUTHORIZER")] {
            #expect(try #require(ticket(memo, Self.check + [setting])).context != base, "\(setting)")
        }
        #expect(try #require(ticket(memo, replacing("REDIRECT_STATUS", with: "401"))).context != base)
    }

    @Test func onlyAllowedAnswersWithoutACookieAreKept() throws {
        let service = Self.service()
        let memo = CheckAnswerMemo(service: service)
        let kept = try #require(ticket(memo, Self.check))
        let allowed = AuthResponse(status: 200, headers: [("X-AuthKit-User-Id", "user_1")])
        // No verified session for this cookie: nothing to keep the answer beside.
        memo.remember(kept, response: allowed, bytes: [1])
        #expect(memo.answer(kept) == nil)

        let claims = try #require(AccessTokenClaims(payload: .object([("sub", .string("user_1")), ("exp", .int(4_000_000_000))])))
        let user = try #require(SessionUser(sessionJSON: .object([("id", .string("user_1"))])))
        let session = AuthenticatedSession(payload: SessionPayload(accessToken: "at", refreshToken: "rt", user: user), claims: claims, refreshed: false)
        service.authenticator.cache?.store(kept.key, session: session, validUntilMillis: Int64.max)
        memo.remember(kept, response: AuthResponse(status: 200, headers: [("Set-Cookie", "wos-session=new")]), bytes: [2])
        memo.remember(kept, response: AuthResponse(status: 403), bytes: [3])
        #expect(memo.answer(kept) == nil, "refreshed and refused answers are not kept")
        memo.remember(kept, response: allowed, bytes: [1])
        #expect(memo.answer(kept) == [1])
    }
}

/// The memo for API keys: which bearer tokens get a ticket, under what, and that a remembered
/// answer lives only while WorkOS's answer that the key is valid is fresh.
@Suite struct CheckAnswerMemoApiKeyTests {
    static let check = CheckAnswerMemoTests.check + [("AUTHKIT_ALLOW_API_KEY", "true"), ("HTTP_AUTHORIZATION", "Bearer sk_live_key")]

    func ticket(_ memo: CheckAnswerMemo, _ pairs: [(String, String)]) -> CheckAnswerMemo.Ticket? {
        FastCGIParameters.with(pairs) { memo.ticket(for: $0) }
    }

    @Test func aKeyTheCheckWouldValidateGetsATicketUnderItsHash() throws {
        let memo = CheckAnswerMemo(service: CheckAnswerMemoTests.service())
        let keyTicket = try #require(ticket(memo, Self.check))
        #expect(keyTicket.apiKey && keyTicket.key == DigestKey("sk_live_key"))
        // Not allowed here, a JWT where access tokens are allowed too, not a bearer, a spoof: the full path.
        #expect(ticket(memo, Self.check.filter { $0.0 != "AUTHKIT_ALLOW_API_KEY" }) == nil)
        #expect(ticket(memo, Self.check.map { $0.0 == "AUTHKIT_ALLOW_API_KEY" ? ($0.0, "yes") : $0 }) == nil)
        let jwt = Self.check.map { $0.0 == "HTTP_AUTHORIZATION" ? ($0.0, "Bearer a.b.c") : $0 }
        #expect(ticket(memo, jwt)?.apiKey == true, "only API keys allowed: a JWT is validated as a key")
        #expect(ticket(memo, jwt + [("AUTHKIT_ALLOW_BEARER", "true")]) == nil)
        #expect(ticket(memo, Self.check.map { $0.0 == "HTTP_AUTHORIZATION" ? ($0.0, "Basic abc") : $0 }) == nil)
        #expect(ticket(memo, Self.check + [("HTTP_X_AUTHKIT_API_KEY_ID", "spoofed")]) == nil)
        #expect(ticket(memo, Self.check.map { $0.0 == "REQUEST_URI" ? ($0.0, "/docs/%ZZ") : $0 }) == nil)
    }

    @Test func aRememberedAnswerNeedsAFreshValidAnswer() throws {
        let service = CheckAnswerMemoTests.service()
        let memo = CheckAnswerMemo(service: service)
        let keyTicket = try #require(ticket(memo, Self.check))
        let allowed = AuthResponse(status: 200)
        memo.remember(keyTicket, response: allowed, bytes: [1, 2, 3])
        #expect(memo.answer(keyTicket) == nil, "nothing is kept without WorkOS's answer")
        let now = SystemClock().nowMillis()
        let key = ApiKey(id: "api_key_01", name: "CI", ownerType: "organization", ownerId: "org_01", permissions: [])
        service.apiKeys.cache.store(keyTicket.key, ApiKeyAnswer(key: key, answeredAt: now))
        memo.remember(keyTicket, response: allowed, bytes: [1, 2, 3])
        #expect(memo.answer(keyTicket) == [1, 2, 3])
        // Past its time (the default 60 s): gone, though the entry stays for outages.
        service.apiKeys.cache.store(keyTicket.key, ApiKeyAnswer(key: key, answeredAt: now - 61_000))
        memo.remember(keyTicket, response: allowed, bytes: [1, 2, 3])
        #expect(memo.answer(keyTicket) == nil)
        // A refused key never has an answer kept.
        service.apiKeys.cache.store(keyTicket.key, ApiKeyAnswer(key: nil, answeredAt: now))
        memo.remember(keyTicket, response: allowed, bytes: [1, 2, 3])
        #expect(memo.answer(keyTicket) == nil)
    }
}
