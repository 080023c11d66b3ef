import Testing
@testable import AuthKitCore

@Suite struct AccessTokenVerifierTests {
    let now: Int64 = 1_785_000_000
    let factory = TokenFactory()

    func verifier(leeway: Int = 0, keys: JSONWebKeySet? = nil, issuers: AcceptedIssuers? = nil, refusedIssuers: RefusedIssuerLog? = nil) -> AccessTokenVerifier {
        AccessTokenVerifier(keys: StaticKeyProvider(keys ?? factory.keySet), clock: FixedClock(millis: now * 1000), leewaySeconds: leeway,
                            issuers: issuers ?? TokenFactory.issuers, refusedIssuers: refusedIssuers)
    }

    @Test func acceptsAValidTokenAndReadsEveryClaim() throws {
        let token = factory.accessToken(iat: now - 10, exp: now + 290, extra: [("act", .object([("sub", .string("admin@foocorp.com"))]))])
        let claims = try verifier().verify(token).get()
        #expect(claims.subject == "user_01")
        #expect(claims.sessionId == "session_01")
        #expect(claims.organizationId == "org_01")
        #expect(claims.role == "admin")
        #expect(claims.roles == ["admin", "member"])
        #expect(claims.permissions == ["posts:read", "posts:write"])
        #expect(claims.entitlements == ["audit-logs"])
        #expect(claims.featureFlags == ["beta"])
        #expect(claims.actor == "admin@foocorp.com")
        #expect(claims.expiresAt == now + 290)
        #expect(claims.issuedAt == now - 10)
    }

    @Test func rejectsExpiredAtTheExactSecondLikeJose() {
        // jose: exp <= now is expired.
        #expect(verifier().verify(factory.accessToken(iat: now - 300, exp: now)) == .failure(.expired))
        #expect((try? verifier().verify(factory.accessToken(iat: now - 300, exp: now + 1)).get()) != nil)
    }

    @Test func leewayExtendsExpiryAndNotBefore() {
        let expired = factory.accessToken(iat: now - 300, exp: now - 5)
        #expect(verifier(leeway: 0).verify(expired) == .failure(.expired))
        #expect((try? verifier(leeway: 10).verify(expired).get()) != nil)
        let early = factory.accessToken(iat: now, exp: now + 300, extra: [("nbf", .int(now + 5))])
        #expect(verifier(leeway: 0).verify(early) == .failure(.notYetValid))
        #expect((try? verifier(leeway: 10).verify(early).get()) != nil)
    }

    @Test(arguments: ["none", "HS256", "RS384", "ES256", "PS256"])
    func rejectsEveryAlgorithmButRS256(_ alg: String) {
        let token = factory.token(
            header: .object([("alg", .string(alg)), ("kid", .string("key_1"))]),
            claims: .object([("sub", .string("user_01")), ("exp", .int(now + 100))]))
        #expect(verifier().verify(token) == .failure(.unsupportedAlgorithm(alg)))
    }

    @Test func rejectsAnUnsignedNoneTokenWithEmptySignature() {
        let header = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"sub":"user_01","exp":9999999999}"#.utf8))
        #expect(verifier().verify("\(header).\(payload).") == .failure(.unsupportedAlgorithm("none")))
    }

    @Test func rejectsAForeignSignatureAndATamperedPayload() throws {
        let foreign = TokenFactory(key: TokenFactory.otherKey, keyId: "key_1").accessToken(iat: now, exp: now + 300)
        #expect(verifier().verify(foreign) == .failure(.badSignature))
        let good = factory.accessToken(iat: now, exp: now + 300)
        var parts = good.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Array(#"{"sub":"user_evil","exp":9999999999}"#.utf8))
        #expect(verifier().verify(parts.joined(separator: ".")) == .failure(.badSignature))
    }

    @Test func unknownKidIsReported() {
        let token = TokenFactory(keyId: "key_rotated").accessToken(iat: now, exp: now + 300)
        #expect(verifier().verify(token) == .failure(.unknownKey("key_rotated")))
    }

    @Test func rejectsCritHeadersAndMissingClaims() {
        let crit = factory.token(
            header: .object([("alg", .string("RS256")), ("kid", .string("key_1")), ("crit", .array([.string("b64")]))]),
            claims: .object([("sub", .string("u")), ("exp", .int(now + 100))]))
        #expect(verifier().verify(crit) == .failure(.unsupportedAlgorithm("crit header")))
        let noExp = factory.token(claims: .object([("sub", .string("u"))]))
        guard case .failure(.malformed) = verifier().verify(noExp) else { Issue.record("no exp accepted"); return }
        let stringIat = factory.token(claims: .object([("sub", .string("u")), ("exp", .int(now + 100)), ("iat", .string("x"))]))
        guard case .failure(.malformed) = verifier().verify(stringIat) else { Issue.record("string iat accepted"); return }
    }

    @Test(arguments: ["", "a.b", "a.b.c.d", "!!!.e30.e30", "e30.e30.!!!", "bm90IGpzb24.e30.", "W10.e30."])
    func malformedTokensAreRejectedWithoutCrashing(_ token: String) {
        guard case .failure = verifier().verify(token) else { Issue.record("accepted \(token)"); return }
    }
}

/// Inputs the fuzzer found or that sit next to what it found.
@Suite struct AccessTokenClaimsEdgeTests {
    @Test func hugeAndOddNumericDatesDoNotTrap() throws {
        for exp in ["1e300", "-1e300", "9223372036854775807", "-9223372036854775808", "18446744073709551616", "1.5", "0"] {
            let payload = try JSONParser.parse(#"{"sub":"u","exp":\#(exp),"iat":\#(exp),"nbf":\#(exp),"auth_time":\#(exp)}"#)
            let claims = try #require(AccessTokenClaims(payload: payload), "\(exp)")
            #expect(abs(claims.expiresAt) <= 1_000_000_000_000_000)
        }
        #expect(AccessTokenClaims(payload: try JSONParser.parse(#"{"sub":"u","exp":"soon"}"#)) == nil)
    }

    @Test func aHugeRetryAfterDoesNotTrap() {
        let policy = RetryPolicy(maxRetries: 2, budgetMillis: 10_000)
        let error = WorkOSError.http(status: 429, code: nil, message: nil, requestId: nil, retryAfterSeconds: Int.max)
        #expect(policy.delay(after: error, attempt: 0, elapsedMillis: 0, random: SecureRandom()) == nil, "longer than the budget: give up")
    }
}
