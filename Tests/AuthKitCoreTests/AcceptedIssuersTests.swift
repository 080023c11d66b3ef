import Logging
import Testing
@testable import AuthKitCore

/// The access token's `iss`: which values are accepted, how `WORKOS_ISSUER` is read, and that
/// the verifier refuses every other (logging each key id and issuer once).
@Suite struct AcceptedIssuersTests {
    let now: Int64 = 1_785_000_000
    let factory = TokenFactory()
    static let emulator = AcceptedIssuers.derived(https: false, hostname: "127.0.0.1", port: 8787, clientId: "client_emulate")

    @Test func derivedFromTheAPIOriginInWorkOSsTwoShapes() {
        #expect(AcceptedIssuers.derived(https: true, hostname: "api.workos.com", port: nil, clientId: "client_01").values
                == ["https://api.workos.com", "https://api.workos.com/user_management/client_01"])
        #expect(AcceptedIssuers.derived(https: true, hostname: "API.WorkOS.com", port: 443, clientId: "client_01").values
                == ["https://api.workos.com", "https://api.workos.com/user_management/client_01"], "no default port, host folded")
        #expect(AcceptedIssuers.derived(https: true, hostname: "api.example.com", port: 8443, clientId: "c").values.first == "https://api.example.com:8443")
        #expect(Self.emulator.values == ["http://127.0.0.1:8787", "http://127.0.0.1:8787/user_management/client_emulate"])
        #expect(AcceptedIssuers.derived(https: false, hostname: "localhost", port: 80, clientId: "c").values.first == "http://localhost")
    }

    @Test func onlyExactValuesAreAccepted() {
        let issuers = Self.emulator
        #expect(issuers.accepts("http://127.0.0.1:8787/user_management/client_emulate"))
        #expect(issuers.accepts("http://127.0.0.1:8787"))
        for wrong: String? in [
            nil, "", "http://127.0.0.2:8787/user_management/client_emulate",  // wrong host
            "https://127.0.0.1:8787/user_management/client_emulate",  // https for http
            "http://127.0.0.1:8788/user_management/client_emulate", "http://127.0.0.1/user_management/client_emulate",  // port
            "http://127.0.0.1:8787/", "http://127.0.0.1:8787/user_management/client_emulate/",  // trailing slash
            "http://127.0.0.1:8787/user_management/client_other", "http://127.0.0.1:8787/user_management/",  // client id
            "HTTP://127.0.0.1:8787", "http://127.0.0.1:8787/user_management/client_emulate\u{0}", "http://127.0.0.1:8787/sso/client_emulate",
            "http://127.0.0.1:8787/user_management/client_emulat\u{0065}\u{0301}",  // a mark glued onto the last letter
        ] {
            #expect(!issuers.accepts(wrong), "\(String(describing: wrong))")
        }
    }

    @Test func workosIssuerIsACommaSeparatedListOfURLs() throws {
        #expect(AcceptedIssuers.parse(list: "https://auth.example.com")?.values == ["https://auth.example.com"])
        #expect(AcceptedIssuers.parse(list: " https://api.workos.com , ,https://api.workos.com/user_management/client_1,")?.values
                == ["https://api.workos.com", "https://api.workos.com/user_management/client_1"])
        for bad in ["", " , ", "auth.example.com", "https://", "https:///x", "ftp://auth.example.com", "https://auth example.com",
                    "https://auth.example.com\n", "https://auth.example.com/\u{7F}", "https://auth.exämple.com",
                    "https://a.example/" + String(repeating: "x", count: 600),
                    Array(repeating: "https://a.example", count: 17).joined(separator: ",")] {
            #expect(AcceptedIssuers.parse(list: bad) == nil, "\(bad)")
        }
    }

    @Test func theConfigurationDerivesOrTakesWorkOSIssuer() throws {
        let environment = ["WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_x", "WORKOS_COOKIE_PASSWORD": Fixtures.password,
                           "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback"]
        let derived = try ConfigLoader.load(environment)
        #expect(derived.acceptedIssuers.values == ["https://api.workos.com", "https://api.workos.com/user_management/client_01"])
        let custom = try ConfigLoader.load(environment.merging(["WORKOS_ISSUER": "https://auth.example.com"]) { _, b in b })
        #expect(custom.acceptedIssuers.values == ["https://auth.example.com"], "replaces the derived ones, as in authkit-nextjs")
        #expect(throws: ConfigErrors.self) { try ConfigLoader.load(environment.merging(["WORKOS_ISSUER": "auth.example.com"]) { _, b in b }) }
        #expect(ConfigLoader.describe(custom).contains { $0.name == "WORKOS_ISSUER" && $0.value == "https://auth.example.com" })
    }

    func verifier(_ log: RefusedIssuerLog? = nil) -> AccessTokenVerifier {
        AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: FixedClock(millis: now * 1000), issuers: TokenFactory.issuers, refusedIssuers: log)
    }

    func token(iss: JSONValue?, exp: Int64? = nil, kid: String = "key_1") -> String {
        var claims: [(key: String, value: JSONValue)] = [("sub", .string("user_01")), ("iat", .int(now))]
        if let iss { claims.append(("iss", iss)) }
        claims.append(("exp", .int(exp ?? now + 300)))
        return TokenFactory(keyId: kid).token(claims: .object(claims))
    }

    @Test func theVerifierRefusesEveryOtherIssuer() throws {
        #expect(try verifier().verify(token(iss: .string(TokenFactory.issuer))).get().issuer == TokenFactory.issuer)
        #expect(verifier().verify(token(iss: .string("https://api.workos.com"))) == .failure(.wrongIssuer("https://api.workos.com")))
        #expect(verifier().verify(token(iss: .string(TokenFactory.issuer + "/"))) == .failure(.wrongIssuer(TokenFactory.issuer + "/")))
        #expect(verifier().verify(token(iss: .string("https://api.workos.com/user_management/client_02"))) == .failure(.wrongIssuer("https://api.workos.com/user_management/client_02")))
        #expect(verifier().verify(token(iss: nil)) == .failure(.wrongIssuer(nil)), "missing iss")
        #expect(verifier().verify(token(iss: .int(1))) == .failure(.wrongIssuer(nil)), "iss not a string")
        // The issuer is checked after the signature and exp: a forged or expired token says so.
        #expect(verifier().verify(token(iss: nil, exp: now - 1)) == .failure(.expired))
        let forged = TokenFactory(key: TokenFactory.otherKey).token(claims: .object([("sub", .string("u")), ("exp", .int(now + 300))]))
        #expect(verifier().verify(forged) == .failure(.badSignature))
        // exp stays required, whatever the issuer.
        let noExp = factory.token(claims: .object([("iss", .string(TokenFactory.issuer)), ("sub", .string("user_01"))]))
        guard case .failure(.malformed) = verifier().verify(noExp) else { Issue.record("no exp accepted"); return }
        #expect(TokenError.wrongIssuer("x\ny").description == "issuer x?y not accepted")
    }

    /// Which refusals are logged: the first of each key id and issuer pair, while there is room.
    /// (The lines themselves are counted through real nginx in `RecentAuthAndIssuerTests`.)
    @Test func eachKeyAndIssuerIsLoggedOnce() {
        let log = RefusedIssuerLog(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let verifier = verifier(log)
        for _ in 0..<5 {
            _ = verifier.verify(token(iss: .string("https://evil.example")))
            _ = verifier.verify(token(iss: nil))
            _ = verifier.verify(token(iss: .string("https://evil.example"), kid: "key_2"))
            _ = verifier.verify(token(iss: .string(TokenFactory.issuer)))
        }
        // Both refusals were recorded (so logged once); key_2 is not in the key set, refused
        // before the issuer is looked at; the accepted issuer is never recorded.
        #expect(log.firstSighting(keyId: "key_1", issuer: "https://evil.example") == .repeated)
        #expect(log.firstSighting(keyId: "key_1", issuer: nil) == .repeated)
        #expect(log.firstSighting(keyId: "key_2", issuer: "https://evil.example") == .new)
        #expect(log.firstSighting(keyId: "key_1", issuer: TokenFactory.issuer) == .new)
        #expect(log.firstSighting(keyId: "key_1", issuer: "") == .new, "no issuer and an empty one are different pairs")
    }

    @Test func theLogsMemoryIsBounded() {
        let log = RefusedIssuerLog(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        var sightings: [RefusedIssuerLog.Sighting] = []
        for _ in 0..<3 {
            for index in 0..<(RefusedIssuerLog.capacity * 4) {
                sightings.append(log.firstSighting(keyId: "key_1", issuer: "https://\(index).example"))
            }
        }
        #expect(sightings.filter { $0 == .new }.count == RefusedIssuerLog.capacity - 1)
        #expect(sightings.filter { $0 == .lastRemembered }.count == 1, "the line saying later ones go unlogged")
        #expect(sightings[RefusedIssuerLog.capacity - 1] == .lastRemembered)
        #expect(log.firstSighting(keyId: "key_1", issuer: "https://0.example") == .repeated)
        #expect(log.firstSighting(keyId: "key_9", issuer: "https://new.example") == .repeated, "full: nothing new remembered or logged")
    }
}
