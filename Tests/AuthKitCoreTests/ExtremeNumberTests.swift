import Logging
import Testing
@testable import AuthKitCore

/// Extreme and malformed numbers in every numeric field that comes from outside: no trap, and
/// a sane result (issue 26 item 2). The loop-guard cookie has its own suite, LoopGuardExtremeTests.
@Suite struct ExtremeNumberTests {
    /// Texts that are not plain in-range decimal numbers, and some that are, at the edges.
    static let texts: [String] = [
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "-0", "+1", "+0", "-1", "1e400", "-1e400", "1e-400", "1E+99999999999", "0.5", "-0.0", "1.5",
        String(repeating: "9", count: 400), "-" + String(repeating: "9", count: 400), "0000000000000000000000042", "042",
        " 42", "42 ", "\t42", "4 2", "١", "٤٢", "４２", "0x2A", "4_2", "", "-", "+", "NaN", "Infinity", "-Infinity", "2147483648",
        "4294967296", "42\u{301}", "\u{301}42", "99999999999999999999", "0",
    ]

    @Test func decimalTextReadsOnlyASCIIDigitsAndNeverTraps() {
        for text in Self.texts {
            let value = DecimalText.int64(text.utf8)
            let allDigits = !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            if value != nil { #expect(allDigits && value! >= 0, "\(text)") }
            let saturated = DecimalText.saturating(text.utf8, ceiling: 86_400)
            #expect((saturated != nil) == allDigits, "\(text)")
            if let saturated { #expect((0...86_400).contains(saturated), "\(text)") }
        }
        #expect(DecimalText.int64("9223372036854775807".utf8) == .max)
        #expect(DecimalText.int64("9223372036854775808".utf8) == nil)
        #expect(DecimalText.int64("0000000000000000000042".utf8) == nil, "more than 19 digits")
        #expect(DecimalText.int64("042".utf8) == 42)
        #expect(DecimalText.saturating(String(repeating: "9", count: 400).utf8) == .max)
        #expect(DecimalText.saturating("18446744073709551616".utf8, ceiling: 1000) == 1000)
        #expect(DecimalText.saturating("12".utf8, ceiling: -5) == 0)
    }

    @Test func clampedArithmeticClampsAtBothEnds() {
        #expect(Int64.max.addingClamped(1) == .max && Int64.min.addingClamped(-1) == .min)
        #expect(Int64.min.subtractingClamped(1) == .min && Int64.max.subtractingClamped(-1) == .max)
        #expect(Int64(0).subtractingClamped(.min) == .max && Int64(-1).subtractingClamped(.min) == .max)
        #expect(Int64.max.multipliedClamped(by: 1000) == .max && Int64.min.multipliedClamped(by: 1000) == .min)
        #expect(Int64.max.multipliedClamped(by: -2) == .min && Int64.min.multipliedClamped(by: -1) == .max)
        #expect(Int64(7).addingClamped(5) == 12 && Int64(7).subtractingClamped(5) == 2 && Int64(-7).multipliedClamped(by: 5) == -35)
        #expect(Int64.clamping(.nan) == nil && Int64.clamping(.infinity) == .max && Int64.clamping(-.infinity) == .min)
        #expect(Int64.clamping(1e300) == .max && Int64.clamping(-1e300) == .min && Int64.clamping(-1.5) == -2)
        #expect(Int64.clamping(9_223_372_036_854_775_807.0) == .max, "2^63 as a Double")
    }

    @Test func contentLengthIsDigitsOnlyAndSaturates() {
        for text in Self.texts {
            let length = ContentLength.parse(text)
            if let length { #expect(length >= 0, "\(text)") }
        }
        #expect(ContentLength.parse("99999999999999999999") == .max)
        #expect(ContentLength.parse(String(repeating: "9", count: 400)) == .max)
        #expect(ContentLength.parse("13") == 13 && ContentLength.parse("013") == 13)
        for refused in ["-1", "+5", " 13", "13 ", "1e3", "١٣", "-0", "0x0d", ""] { #expect(ContentLength.parse(refused) == nil, "\(refused)") }
        #expect(ContentLength.parse(nil) == nil)
    }

    /// `exp`, `nbf`, `iat` and `auth_time` as JSON number texts, each in a payload.
    @Test func tokenTimesInAPayloadNeverTrap() {
        let jsonNumbers = Self.texts.filter { (try? JSONParser.parse(Array($0.utf8))) != nil }
        #expect(jsonNumbers.contains("1e400") && jsonNumbers.contains("-0") && jsonNumbers.contains(String(repeating: "9", count: 400)))
        let limit: Int64 = 1_000_000_000_000_000
        let policies = [RefreshPolicy(bufferSeconds: nil), RefreshPolicy(bufferSeconds: 0), RefreshPolicy(bufferSeconds: .max), RefreshPolicy(bufferSeconds: .min)]
        for number in jsonNumbers {
            for field in ["exp", "iat", "nbf", "auth_time"] {
                let others = ["exp", "iat", "nbf"].filter { $0 != field }.map { #""\#($0)":1785000000"# }.joined(separator: ",")
                let payload = Array(#"{"sub":"user_01",\#(others),"\#(field)":\#(number)}"#.utf8)
                guard let claims = AccessTokenClaims(payloadJSON: payload) else { continue }
                for time in [claims.expiresAt, claims.issuedAt, claims.notBefore, claims.authTime].compactMap({ $0 }) {
                    #expect((-limit...limit).contains(time), "\(field)=\(number)")
                }
                for policy in policies {
                    for now in [Int64.min, -1, 0, 1_785_000_000, Int64.max] {
                        _ = policy.state(of: .success(claims), nowSeconds: now)
                        _ = policy.buffer(for: claims)
                    }
                }
            }
        }
        // Numbers JSON does not have are not a token's payload at all.
        for text in ["+1", "01", "١", "NaN", "Infinity", "0x2A", ".5"] {
            #expect(AccessTokenClaims(payloadJSON: Array(#"{"sub":"u","exp":\#(text)}"#.utf8)) == nil, "\(text)")
        }
        // Public claims set to anything: the policy still answers.
        var wild = AccessTokenClaims(payloadJSON: Array(#"{"sub":"u","exp":1}"#.utf8))!
        for (exp, iat) in [(Int64.max, Int64.min), (Int64.min, Int64.max), (Int64.max, Int64.max)] {
            wild.expiresAt = exp
            wild.issuedAt = iat
            for policy in policies { _ = policy.state(of: .success(wild), nowSeconds: Int64.max) }
        }
    }

    @Test func signedTokensWithExtremeTimesVerifyOrFailNeverTrap() {
        let factory = TokenFactory()
        let keys = StaticKeyProvider(factory.keySet)
        for now in [Int64.min / 1000, 0, 1_785_000_000, Int64.max / 1000] {
            let clock = ManualClock(seconds: now)
            for leeway in [0, 300, Int.max, Int.min] {
                let verifier = AccessTokenVerifier(keys: keys, clock: clock, leewaySeconds: leeway, issuers: TokenFactory.issuers)
                for number in ["9223372036854775807", "-9223372036854775808", "1e400", "-1e400", "1e300", "-0", String(repeating: "9", count: 400)] {
                    for field in ["exp", "nbf", "iat"] {
                        var claims: [(key: String, value: JSONValue)] = [("sub", .string("user_01")), ("exp", .int(1_785_000_300)), ("iat", .int(1_785_000_000))]
                        claims.removeAll { $0.key == field }
                        claims.append((field, .number(number)))
                        _ = verifier.verify(factory.token(claims: .object(claims)))
                    }
                }
            }
        }
    }

    /// A session whose token expires at the far end of time goes through the check's cache path.
    @Test func aSessionWithAFarFutureExpiryIsCheckedAndCached() {
        let factory = TokenFactory()
        let clock = ManualClock(seconds: 1_785_000_000)
        let config = Fixtures.config()
        let sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let workos = ScriptedTransport { _ throws(HTTPTransportError) in ScriptedTransport.json(500, "{}") }
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: workos, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), cache: VerifiedSessionCache(capacity: 16))
        let user = SessionUser(apiJSON: try! JSONParser.parse(Array(Fixtures.apiUser().utf8)))!
        for exp in ["9223372036854775807", "1e300", "999999999999999999999999", "1e400"] {
            let token = factory.token(claims: .object([("iss", .string(TokenFactory.issuer)), ("sub", .string("user_01")), ("sid", .string("s")), ("exp", .number(exp)), ("iat", .int(1_785_000_000))]))
            let cookie = sealer.sealSession(SessionPayload(accessToken: token, refreshToken: "rt", user: user))
            for _ in 0..<2 {
                switch authenticator.authenticate(cookieValue: cookie, useCache: true) {
                case .signedIn(let session, _): #expect(session.claims.expiresAt == 1_000_000_000_000_000, "\(exp)")
                default: #expect(exp == "1e400", "exp \(exp): only an infinite exp is refused")
                }
            }
        }
    }

    @Test func jsonNumbersOfAnySizeParseWithoutTrapping() throws {
        for text in ["1e400", "-1e400", "1e-400", "-0", "-0.0", "1E+99999999999", "123456789012345678901234567890", "-9223372036854775809",
                     "9223372036854775808", String(repeating: "9", count: 400), "0." + String(repeating: "0", count: 400) + "1", "1e" + String(repeating: "9", count: 400)] {
            let value = try JSONParser.parse(Array(text.utf8))
            _ = value.doubleValue
            if let integer = value.int64Value { #expect(text.hasPrefix("-0") ? integer == 0 : true) }
            #expect(value == value || value.doubleValue?.isNaN == true)
            #expect(JSONWriter.string(value) == text, "kept as written")
        }
        #expect(try JSONParser.parse(Array("9223372036854775808".utf8)).int64Value == nil, "past Int64: not an Int64")
        #expect(try JSONParser.parse(Array("-0".utf8)).int64Value == 0)
        for refused in ["+1", "01", "١", "NaN", "Infinity", "1e", "-", ".5", "1.", "0x10"] {
            #expect((try? JSONParser.parse(Array(refused.utf8))) == nil, "\(refused)")
        }
    }

    @Test func retryAfterIsDigitsCappedAtADay() {
        for text in Self.texts + ["  12  ", "\t7", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            let response = HTTPResponse(status: 429, headers: [("Retry-After", text)])
            guard case .http(_, _, _, _, let retryAfter, _) = WorkOSClient.error(from: response) else { Issue.record("not .http"); continue }
            if let retryAfter { #expect((0...86_400).contains(retryAfter), "\(text)") }
            let policy = RetryPolicy(maxRetries: 5, budgetMillis: .max)
            for elapsed in [Int64.min, 0, Int64.max] {
                if let wait = policy.delay(after: .http(status: 429, code: nil, message: nil, requestId: nil, retryAfterSeconds: retryAfter),
                                           attempt: 0, elapsedMillis: elapsed, random: CountingRandom()) {
                    #expect(wait >= 0 && wait <= 86_400_000)
                }
            }
        }
        #expect(WorkOSClient.retryAfterSeconds("99999999999999999999") == 86_400)
        #expect(WorkOSClient.retryAfterSeconds(" 12 ") == 12)
        for refused in ["-1", "+5", "1e3", "١", "1 2"] { #expect(WorkOSClient.retryAfterSeconds(refused) == nil, "\(refused)") }
        // Any Int a caller puts there: clamped before multiplying.
        for seconds in [Int.max, Int.min, -1] {
            _ = RetryPolicy().delay(after: .http(status: 429, code: nil, message: nil, requestId: nil, retryAfterSeconds: seconds),
                                    attempt: 0, elapsedMillis: 0, random: CountingRandom())
        }
    }

    @Test func expiresInAndOAuthTokenNumbersInAWorkOSAnswerAreHarmless() throws {
        for number in ["9223372036854775807", "-9223372036854775808", "1e400", "-0", String(repeating: "9", count: 400)] {
            let json = try JSONParser.parse(Array("""
                {"user":\(Fixtures.apiUser()),"access_token":"at","refresh_token":"rt","expires_in":\(number),
                 "oauth_tokens":{"access_token":"x","expires_at":\(number),"expires_in":\(number)}}
                """.utf8))
            let answer = try AuthenticationResponse(json: json)
            #expect(answer.accessToken == "at" && answer.oauthTokens?["expires_at"] != nil)
        }
    }

    @Test func sealExpirationsOfAnySizeNeverTrap() throws {
        let password = Fixtures.password
        let parameters = Iron.SealParameters(encryptionSalt: String(repeating: "a", count: 64), hmacSalt: String(repeating: "b", count: 64), iv: [UInt8](repeating: 1, count: 16))
        for (ttl, now) in [(Int64.max, Int64.max), (Int64.max, 0), (1, Int64.max), (Int64.min, Int64.min), (600, Int64.min)] {
            let seal = try IronSession.seal(Array("{}".utf8), passwordId: "1", password: password, ttlSeconds: ttl, now: now, parameters: parameters)
            for reader in [Int64.min, 0, 1_785_000_000_000, Int64.max] {
                _ = try? IronSession.unseal(seal, passwords: { _ in [password] }, now: reader)
            }
            _ = AuthKitService.sealExpiration(seal)
        }
        // Hand-made seals: the expiration field as sent, before any MAC check.
        for field in Self.texts + ["-1", "1.5"] {
            let seal = "Fe26.2*1*\(String(repeating: "a", count: 64))*AQEBAQEBAQEBAQEBAQEBAQ*AAAA*\(field)*\(String(repeating: "b", count: 64))*mac~2"
            #expect(throws: IronError.self) { try IronSession.unseal(seal, passwords: { _ in [password] }, now: 1_785_000_000_000) }
            let expiration = AuthKitService.sealExpiration(seal)
            #expect(expiration >= 0, "\(field)")
        }
        #expect(AuthKitService.sealExpiration("a*b*c*d*e*99999999999999999999*g*h") == .max)
        #expect(AuthKitService.sealExpiration("a*b*c*d*e*1785000600000*g*h") == 1_785_000_600_000)
        #expect(AuthKitService.sealExpiration("a*b*c*d*e*1785000600000") == 1_785_000_600_000)
        #expect(AuthKitService.sealExpiration("a*b*c*d*e*-5*g*h") == 0 && AuthKitService.sealExpiration("a*b") == 0)
        #expect(AuthKitService.sealExpiration("a*b*c*d*e\u{301}*77*g") == 77, "split on bytes: a combining mark does not glue onto *")
        // iron-session's version suffix, parsed like JavaScript's parseInt, saturates.
        #expect(IronSession.parseIntLikeJavaScript("99999999999999999999") == .max)
        #expect(IronSession.parseIntLikeJavaScript("-99999999999999999999") == -.max)
        #expect(IronSession.parseIntLikeJavaScript("1234567890123456789") == 1_234_567_890_123_456_789, "no truncation to 18 digits")
        #expect(IronSession.parseIntLikeJavaScript("١") == nil && IronSession.parseIntLikeJavaScript(" +7x") == 7)
    }

    @Test func maxAgesStaySane() throws {
        let minimal = ["WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
                       "WORKOS_COOKIE_PASSWORD": Fixtures.password, "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback"]
        for text in Self.texts {
            do {
                let config = try ConfigLoader.load(minimal.merging(["WORKOS_COOKIE_MAX_AGE": text]) { _, b in b })
                #expect((0...Int(Int32.max)).contains(config.cookieMaxAge), "\(text)")
                let header = SetCookie.set("v", options: .session(config: config))
                #expect(header.contains("Max-Age=\(config.cookieMaxAge)"))
            } catch {
                #expect(error.errors.map(\.variable) == ["WORKOS_COOKIE_MAX_AGE"], "\(text)")
            }
        }
        for huge in ["99999999999999999999", "2147483648", "9223372036854775807", "-5"] {
            #expect(throws: ConfigErrors.self, "\(huge)") { try ConfigLoader.load(minimal.merging(["WORKOS_COOKIE_MAX_AGE": huge]) { _, b in b }) }
        }
        #expect(try ConfigLoader.load(minimal.merging(["WORKOS_COOKIE_MAX_AGE": "2147483647"]) { _, b in b }).cookieMaxAge == 2_147_483_647)
    }

    @Test func numericSettingsOutOfRangeAreConfigErrors() {
        let minimal = ["WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_1234567890abcdefghij",
                       "WORKOS_COOKIE_PASSWORD": Fixtures.password, "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback"]
        let settings = ["WORKOS_API_PORT", "WORKOS_REFRESH_BUFFER_SECONDS", "AUTHKIT_CLOCK_LEEWAY_SECONDS", "AUTHKIT_HTTP_CONNECT_TIMEOUT_MS",
                        "AUTHKIT_HTTP_TIMEOUT_MS", "AUTHKIT_HTTP_RETRIES", "AUTHKIT_SESSION_CACHE_SIZE", "AUTHKIT_API_KEY_CACHE_SECONDS",
                        "AUTHKIT_API_KEY_NEGATIVE_CACHE_SECONDS", "AUTHKIT_API_KEY_CACHE_SIZE"]
        for name in settings {
            for text in Self.texts where !text.isEmpty {
                do {
                    let config = try ConfigLoader.load(minimal.merging([name: text]) { _, b in b })
                    #expect(text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 || $0 == 0x20 || $0 == 0x09 }, "\(name)=\(text) loaded")
                    _ = config
                } catch {
                    #expect(error.errors.count == 1, "\(name)=\(text)")
                    for problem in error.errors {
                        #expect(problem.variable == name || problem.variable == "AUTHKIT_HTTP_TIMEOUT_MS", "\(name)=\(text)")
                        #expect(!problem.line.contains("\n"))
                    }
                }
            }
            for huge in ["99999999999999999999", "-5", "+5", "1e3", "١"] {
                #expect(throws: ConfigErrors.self, "\(name)=\(huge)") { try ConfigLoader.load(minimal.merging([name: huge]) { _, b in b }) }
            }
        }
    }

    @Test func aSharedStoreTimestampOfAnyValueNeverTraps() {
        final class Store: SharedRefreshStore, @unchecked Sendable {
            let storedAt: Int64
            init(_ storedAt: Int64) { self.storedAt = storedAt }
            func withLock<T>(key: String, timeoutMillis: Int64, _ body: () -> T) -> T? { body() }
            func load(key: String) -> (sealedSession: String, storedAt: UnixMillis)? { ("sealed", storedAt) }
            func save(key: String, sealedSession: String, keepMillis: Int64) {}
        }
        /// Single-threaded here: one coalesce at a time.
        final class Counter: @unchecked Sendable { var count = 0 }
        let clock = ManualClock(seconds: 1_785_000_000)
        let now = clock.nowMillis()
        for (storedAt, answersFromStore) in [(Int64.min, false), (Int64.max, false), (now - 10, true), (now + 10, true), (now + 3_600_000, false), (0, false)] {
            let decoded = Counter()
            let shared = SharedRefresh(store: Store(storedAt), encode: { _ in "" }, decode: { _ in decoded.count += 1; return nil })
            let coordinator = RefreshCoordinator(clock: clock, shared: shared)
            _ = coordinator.coalesce(refreshToken: "rt-\(storedAt)") { .failure(.notAttempted("test")) }
            #expect((decoded.count == 1) == answersFromStore, "storedAt \(storedAt)")
        }
    }
}
