import Foundation
import Testing
@testable import AuthKitCore

/// The identity assertion: kid thumbprints, the token's shape and claims, rotation under a test
/// clock, the key directory (permissions, concurrent start-up), and the check and JWKS endpoints.
@Suite struct AssertionSignerTests {
    static let es256 = try! AssertionKey(generating: .es256)
    static let start: Int64 = 1_785_000_000

    /// RFC 7638 §3.1's example key and thumbprint.
    @Test func kidIsTheRFC7638Thumbprint() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
        // Given in any order: the members are sorted.
        #expect(AssertionKey.thumbprint([("n", n), ("kty", "RSA"), ("e", "AQAB")]) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        #expect(Self.es256.kid == AssertionKey.thumbprint(Self.es256.publicMembers))
        #expect(Self.es256.kid.utf8.count == 43)
    }

    static func subject() -> AssertionSigner.Subject {
        var claims = AccessTokenClaims(payload: .object([("sub", .string("user_01")), ("exp", .int(start + 300))]))!
        claims.sessionId = "session_01"
        claims.organizationId = "org_01"
        claims.role = "admin"
        claims.roles = ["admin", "member"]
        claims.permissions = ["posts:read"]
        return .init(userId: "user_01", email: "jane@example.com", firstName: "Jane", lastName: nil, claims: claims, impersonatorEmail: "boss@example.com")
    }

    static func parts(_ token: String) throws -> (header: JSONValue, payload: JSONValue, signingInput: [UInt8], signature: [UInt8]) {
        let pieces = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(pieces.count == 3)
        return (try JSONParser.parse(try #require(Base64URL.decode(pieces[0]))), try JSONParser.parse(try #require(Base64URL.decode(pieces[1]))),
                Array((pieces[0] + "." + pieces[1]).utf8), try #require(Base64URL.decode(pieces[2])))
    }

    @Test(arguments: [AssertionAlgorithm.es256, .rs256])
    func signsAVerifiableTokenWithTheClaims(algorithm: AssertionAlgorithm) throws {
        let key = algorithm == .es256 ? Self.es256 : try AssertionKey(generating: .rs256)
        let signer = try AssertionSigner(source: .fixed(key), algorithm: algorithm, lifetimeSeconds: 60,
                                         clock: FixedClock(millis: Self.start * 1000), random: SecureRandom())
        let token = try #require(signer.assertion(for: Self.subject(), audience: "https://app.example.com",
                                                  issuer: "https://app.example.com/auth", host: "app.example.com", path: "/docs/a b"))
        let (header, payload, input, signature) = try Self.parts(token)
        #expect(header["alg"]?.stringValue == algorithm.jwsName)
        #expect(header["kid"]?.stringValue == key.kid)
        #expect(header["typ"]?.stringValue == "JWT")
        #expect(signature.count == (algorithm == .es256 ? 64 : 256))
        #expect(key.verify(signature, signingInput: input))
        var tampered = signature
        tampered[5] ^= 0x40
        #expect(!key.verify(tampered, signingInput: input))
        #expect(payload["iss"]?.stringValue == "https://app.example.com/auth")
        #expect(payload["aud"]?.stringValue == "https://app.example.com")
        #expect(payload["sub"]?.stringValue == "user_01")
        #expect(payload["principal"]?.stringValue == "user", "a user's assertion says so: its sub is a user id")
        #expect(payload["api_key_name"] == nil)
        #expect(payload["iat"]?.int64Value == Self.start)
        #expect(payload["exp"]?.int64Value == Self.start + 60)
        #expect(payload["host"]?.stringValue == "app.example.com")
        #expect(payload["path"]?.stringValue == "/docs/a b")
        #expect(payload["email"]?.stringValue == "jane@example.com")
        #expect(payload["family_name"] == nil)
        #expect(payload["sid"]?.stringValue == "session_01")
        #expect(payload["org_id"]?.stringValue == "org_01")
        #expect(payload["role"]?.stringValue == "admin")
        #expect(payload["roles"] == .array([.string("admin"), .string("member")]))
        #expect(payload["permissions"] == .array([.string("posts:read")]))
        #expect(payload["entitlements"] == .array([]))
        #expect(payload["act"]?["sub"]?.stringValue == "boss@example.com")
        let jti = try #require(payload["jti"]?.stringValue)
        let again = try #require(signer.assertion(for: Self.subject(), audience: "a", issuer: "i", host: "h", path: "/"))
        #expect(try Self.parts(again).payload["jti"]?.stringValue != jti, "a fresh jti for every token")
        let jwks = try JSONParser.parse(signer.jwks())
        #expect(jwks["keys"]?.arrayValue?.first?["kid"]?.stringValue == key.kid)
        #expect(jwks["keys"]?.arrayValue?.first?["alg"]?.stringValue == algorithm.jwsName)
        #expect(jwks["keys"]?.arrayValue?.first?["d"] == nil, "no private member in the JWKS")
    }

    /// An organization API key is its own principal: `sub` is the key's id and nothing claims a
    /// user, a session or anything an access token would carry.
    @Test func anApiKeySubjectNamesTheKeyNotAUser() throws {
        let signer = try AssertionSigner(source: .fixed(Self.es256), algorithm: .es256, lifetimeSeconds: 60,
                                         clock: FixedClock(millis: Self.start * 1000), random: SecureRandom())
        let key = ApiKey(id: "api_key_01", name: "CI deploy", ownerType: "organization", ownerId: "org_01", permissions: ["posts:read", "posts:write"])
        let subject = AssertionSigner.Subject(apiKey: key)
        #expect(subject.principal == .apiKey && subject.id == "api_key_01")
        let token = try #require(signer.assertion(for: subject, audience: "https://app.example.com",
                                                  issuer: "https://app.example.com/auth", host: "app.example.com", path: "/api/items"))
        let (header, payload, input, signature) = try Self.parts(token)
        #expect(header["kid"]?.stringValue == Self.es256.kid)
        #expect(Self.es256.verify(signature, signingInput: input))
        #expect(payload["sub"]?.stringValue == "api_key_01")
        #expect(payload["principal"]?.stringValue == "api_key")
        #expect(payload["api_key_name"]?.stringValue == "CI deploy")
        #expect(payload["org_id"]?.stringValue == "org_01")
        #expect(payload["permissions"] == .array([.string("posts:read"), .string("posts:write")]))
        #expect(payload["iss"]?.stringValue == "https://app.example.com/auth" && payload["aud"]?.stringValue == "https://app.example.com")
        #expect(payload["host"]?.stringValue == "app.example.com" && payload["path"]?.stringValue == "/api/items")
        #expect(payload["iat"]?.int64Value == Self.start && payload["nbf"]?.int64Value == Self.start)
        #expect(payload["exp"]?.int64Value == Self.start + 60)
        #expect(payload["jti"]?.stringValue?.isEmpty == false)
        for absent in ["email", "given_name", "family_name", "sid", "role", "roles", "entitlements", "feature_flags", "act"] {
            #expect(payload[absent] == nil, "\(absent): a key has none")
        }
        // The same ids never read alike: a user subject with the key's id still says "user".
        let user = Self.subject()
        #expect(user.principal == .user && user != subject)
    }

    @Test func rotationRulesUnderATestClock() throws {
        let policy = AssertionKeyRing.Policy(rotationSeconds: 86_400, lifetimeSeconds: 60)
        let t0 = Self.start
        #expect(AssertionKeyRing([]).successorDue(at: t0, algorithm: .es256, policy: policy) == t0)
        let first = AssertionKeyRing.Entry(key: Self.es256, notBefore: t0)
        var ring = AssertionKeyRing([first])
        #expect(ring.successorDue(at: t0 + 86_400 - 301, algorithm: .es256, policy: policy) == nil)
        // Made 300 s ahead of its turn, so every process and verifier sees it before it signs.
        #expect(ring.successorDue(at: t0 + 86_400 - 300, algorithm: .es256, policy: policy) == t0 + 86_400)
        // A process that slept past the turn still publishes ahead.
        #expect(ring.successorDue(at: t0 + 90_000, algorithm: .es256, policy: policy) == t0 + 90_300)
        let second = AssertionKeyRing.Entry(key: try AssertionKey(generating: .es256), notBefore: t0 + 86_400)
        ring = AssertionKeyRing([second, first])
        #expect(ring.successorDue(at: t0 + 86_400 - 100, algorithm: .es256, policy: policy) == nil)
        #expect(ring.signing(at: t0 + 86_399, algorithm: .es256)?.key.kid == first.key.kid)
        #expect(ring.published(at: t0 + 86_399, policy: policy).count == 2, "the next key is published before it signs")
        #expect(ring.signing(at: t0 + 86_400, algorithm: .es256)?.key.kid == second.key.kid, "the old key signs no more")
        // The old key stays published for the token lifetime plus the margin, then goes.
        #expect(ring.published(at: t0 + 86_400 + 359, policy: policy).count == 2)
        #expect(ring.published(at: t0 + 86_400 + 360, policy: policy).map(\.key.kid) == [second.key.kid])
        #expect(ring.signing(at: t0 - 1, algorithm: .es256) == nil)
        #expect(ring.signing(at: t0, algorithm: .rs256) == nil)
    }

    func temporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("assert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return base.path
    }

    func files(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".pem") }.sorted()
    }

    @Test func theDirectoryRotatesKeysAndRemovesRetiredOnes() throws {
        let base = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = base + "/keys"
        let policy = AssertionKeyRing.Policy(rotationSeconds: 86_400, lifetimeSeconds: 60)
        let directory = AssertionKeyDirectory(path: path, algorithm: .es256, policy: policy)
        let t0 = Self.start
        let first = try directory.load(now: t0)
        #expect(first.entries.count == 1)
        // Made 0700, the key 0600.
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o700)
        #expect(try files(path) == ["assertion-\(t0)-es256.pem"])
        #expect((try FileManager.default.attributesOfItem(atPath: path + "/assertion-\(t0)-es256.pem")[.posixPermissions] as? Int) == 0o600)
        #expect(try directory.load(now: t0 + 10).entries.map(\.key.kid) == first.entries.map(\.key.kid), "the same key on reload")

        // Inside the publish-ahead window the successor is made for its turn (a later call still
        // gives it 300 s of publication first).
        let rotated = try directory.load(now: t0 + 86_400 - 300)
        #expect(rotated.entries.count == 2)
        #expect(try files(path) == ["assertion-\(t0)-es256.pem", "assertion-\(t0 + 86_400)-es256.pem"])
        #expect(rotated.signing(at: t0 + 86_400 - 1, algorithm: .es256)?.key.kid == first.entries[0].key.kid)
        _ = try directory.load(now: t0 + 86_400 + 360)
        #expect(try files(path) == ["assertion-\(t0 + 86_400)-es256.pem"])

        // A signer over the directory picks the new key at its turn (clock-driven, re-read).
        let clock = ManualClock(seconds: t0 + 86_400 + 400)
        let signer = try AssertionSigner(source: .directory(directory), algorithm: .es256, lifetimeSeconds: 60, clock: clock, random: SecureRandom())
        let kid1 = try Self.parts(try #require(signer.assertion(for: Self.subject(), audience: "a", issuer: "i", host: "h", path: "/"))).header["kid"]?.stringValue
        // A day on, the signer makes the next key, published 300 s before it signs.
        clock.advance(seconds: 86_400)
        let stillOld = try Self.parts(try #require(signer.assertion(for: Self.subject(), audience: "a", issuer: "i", host: "h", path: "/"))).header["kid"]?.stringValue
        #expect(stillOld == kid1)
        #expect(try JSONParser.parse(signer.jwks())["keys"]?.arrayValue?.count == 2, "the next key is published before it signs")
        clock.advance(seconds: 300)
        let kid2 = try Self.parts(try #require(signer.assertion(for: Self.subject(), audience: "a", issuer: "i", host: "h", path: "/"))).header["kid"]?.stringValue
        #expect(kid1 != nil && kid2 != nil && kid1 != kid2)
        #expect(try JSONParser.parse(signer.jwks())["keys"]?.arrayValue?.count == 2, "the old key stays published after its successor signs")
    }

    @Test func anOpenDirectoryIsRefused() throws {
        let base = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: base)
        let directory = AssertionKeyDirectory(path: base, algorithm: .es256, policy: .init(rotationSeconds: 86_400, lifetimeSeconds: 60))
        #expect(throws: AssertionKeyDirectory.Failure.notPrivate(base)) { try directory.load(now: Self.start) }
        #expect(try files(base).isEmpty)
    }

    /// Processes starting together (here: threads, each with its own lock file descriptor, as
    /// separate processes have) make one key between them.
    @Test func concurrentStartUpsMakeOneKey() async throws {
        let base = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let policy = AssertionKeyRing.Policy(rotationSeconds: 86_400, lifetimeSeconds: 60)
        let kids = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try AssertionKeyDirectory(path: base, algorithm: .es256, policy: policy).load(now: Self.start).entries.map(\.key.kid)
                }
            }
            var all: [[String]] = []
            for try await kids in group { all.append(kids) }
            return all
        }
        #expect(Set(kids.map { $0.joined(separator: ",") }).count == 1, "\(kids)")
        #expect(kids.allSatisfy { $0.count == 1 })
        #expect(try files(base).count == 1)
    }

    @Test func theCheckSendsAnAssertionAndTheJWKSEndpointItsKey() throws {
        let factory = TokenFactory()
        let signer = try AssertionSigner(source: .fixed(Self.es256), algorithm: .es256, lifetimeSeconds: 60,
                                         clock: FixedClock(millis: Self.start * 1000), random: SecureRandom())
        let fixture = ServiceFixture(start: Self.start, factory: factory) { $0.assertionSigner = signer }
        let user = SessionUser(apiJSON: try JSONParser.parse(Fixtures.apiUser()))!
        let cookie = fixture.sealer.sealSession(SessionPayload(accessToken: factory.accessToken(iat: Self.start, exp: Self.start + 300),
                                                               refreshToken: "rt", user: user))
        func check(_ served: String?) -> AuthResponse {
            var parameters = ["AUTHKIT_ACTION": "check"]
            parameters["AUTHKIT_SERVED_PATH"] = served
            return fixture.service.handle(AuthRequest(method: "GET", requestURI: "/docs/x?q=1", headers: ["cookie": "wos-session=\(cookie)", "host": "App.Example.com"],
                                                      parameters: parameters))
        }
        let allowed = check("/docs/x")
        #expect(allowed.status == 200)
        let (_, payload, input, signature) = try Self.parts(try #require(allowed.header("X-AuthKit-Assertion")))
        #expect(Self.es256.verify(signature, signingInput: input))
        #expect(payload["path"]?.stringValue == "/docs/x")
        #expect(payload["host"]?.stringValue == "app.example.com")
        #expect(payload["aud"]?.stringValue == "https://app.example.com")
        #expect(payload["iss"]?.stringValue == "https://app.example.com/auth")
        #expect(payload["sub"]?.stringValue == user.id)
        // No served path: no assertion can name the path, so no allow.
        #expect(check(nil).status == 500)

        let jwks = fixture.service.handle(AuthRequest(method: "GET", requestURI: "/auth/jwks.json"))
        #expect(jwks.status == 200)
        #expect(jwks.header("Cache-Control") == "public, max-age=60")
        #expect(try JSONParser.parse(jwks.body)["keys"]?.arrayValue?.first?["kid"]?.stringValue == Self.es256.kid)
        // Off: no such endpoint, no header.
        let off = ServiceFixture(start: Self.start, factory: factory)
        #expect(off.service.handle(AuthRequest(method: "GET", requestURI: "/auth/jwks.json")).status == 404)
    }
}

@Suite struct AssertionHostNameTests {
    @Test(arguments: [
        ("app.example.com", "app.example.com"), ("App.Example.COM:8443", "app.example.com"), ("127.0.0.1:8080", "127.0.0.1"),
        ("[::1]:8080", "[::1]"), ("[::1]", "[::1]"), ("host:", "host"), ("host:x1", "host:x1"), ("", ""), ("K\u{212A}:1", "k\u{212A}"),
    ])
    func portsAreDroppedAndCaseFolded(header: String, expected: String) {
        #expect(AssertionSigner.hostName(header) == expected)
    }
}
