import AuthKitSync
import Testing
@testable import AuthKitCore

@Suite struct JWKSCacheTests {
    let url = "https://workos.test/sso/jwks/client_01"

    /// A JWKS endpoint whose answer the test can switch.
    final class Endpoint: Sendable {
        let document: Locked<HTTPResponse?>
        init(_ json: String) { document = Locked(ScriptedTransport.json(200, json)) }
        func set(_ response: HTTPResponse?) { document.withLock { $0 = response } }
        func handler() -> ScriptedTransport.Handler {
            { [self] _ throws(HTTPTransportError) in
                guard let response = document.withLock({ $0 }) else { throw .connectionFailed("refused") }
                return response
            }
        }
    }

    func cache(_ endpoint: Endpoint, clock: ManualClock) -> (JWKSCache, ScriptedTransport) {
        let transport = ScriptedTransport(endpoint.handler())
        return (JWKSCache(url: url, transport: transport, clock: clock, userAgent: "authkit-fcgi/test"), transport)
    }

    @Test func fetchesLazilyOnceAndKeepsForTenMinutes() throws {
        let clock = ManualClock(seconds: 1_785_000_000)
        let (cache, transport) = cache(Endpoint(TokenFactory().jwksJSON), clock: clock)
        #expect(transport.requests.isEmpty)
        _ = try cache.keys(forKeyId: "key_1")
        _ = try cache.keys(forKeyId: "key_1")
        #expect(transport.requests.count == 1)
        #expect(transport.requests[0].url == url)
        #expect(transport.requests[0].headers.contains { $0.name == "User-Agent" && $0.value == "authkit-fcgi/test" })
        clock.advance(seconds: 599)
        _ = try cache.keys(forKeyId: "key_1")
        #expect(transport.requests.count == 1)
        clock.advance(seconds: 1)
        _ = try cache.keys(forKeyId: "key_1")
        #expect(transport.requests.count == 2)
    }

    @Test func unknownKidRefetchesOnceWithinTheCooldown() throws {
        let clock = ManualClock(seconds: 1_785_000_000)
        let endpoint = Endpoint(TokenFactory().jwksJSON)
        let (cache, transport) = cache(endpoint, clock: clock)
        _ = try cache.keys(forKeyId: "key_1")
        clock.advance(seconds: 31)
        // The keys rotate at WorkOS.
        endpoint.set(ScriptedTransport.json(200, TokenFactory(key: TokenFactory.otherKey, keyId: "key_2").jwksJSON))
        #expect(try cache.keys(forKeyId: "key_2").count == 1)
        #expect(transport.requests.count == 2)
        // A kid nobody has: no refetch inside the 30 s cooldown.
        #expect(throws: TokenError.unknownKey("key_9")) { try cache.keys(forKeyId: "key_9") }
        #expect(throws: TokenError.unknownKey("key_9")) { try cache.keys(forKeyId: "key_9") }
        #expect(transport.requests.count == 2)
        clock.advance(seconds: 30)
        #expect(throws: TokenError.unknownKey("key_9")) { try cache.keys(forKeyId: "key_9") }
        #expect(transport.requests.count == 3)
    }

    @Test func outageKeepsTheLastGoodKeys() throws {
        let clock = ManualClock(seconds: 1_785_000_000)
        let endpoint = Endpoint(TokenFactory().jwksJSON)
        let (cache, transport) = cache(endpoint, clock: clock)
        _ = try cache.keys(forKeyId: "key_1")
        for failure in [nil, ScriptedTransport.json(503, "{}"), ScriptedTransport.json(200, "<html>")] {
            endpoint.set(failure)
            clock.advance(seconds: 700)
            #expect(try cache.keys(forKeyId: "key_1").count == 1, "keys lost after \(String(describing: failure?.status))")
        }
        #expect(transport.requests.count == 4)
        // And back to normal.
        endpoint.set(ScriptedTransport.json(200, TokenFactory().jwksJSON))
        clock.advance(seconds: 700)
        _ = try cache.keys(forKeyId: "key_1")
        #expect(transport.requests.count == 5)
    }

    @Test func noKeysEverIsUnavailableAndRetriedAfterTheCooldown() throws {
        let clock = ManualClock(seconds: 1_785_000_000)
        let endpoint = Endpoint("{}")
        endpoint.set(nil)
        let (cache, transport) = cache(endpoint, clock: clock)
        #expect { try cache.keys(forKeyId: "key_1") } throws: { ($0 as? TokenError).map { if case .keysUnavailable = $0 { true } else { false } } ?? false }
        _ = try? cache.keys(forKeyId: "key_1")
        #expect(transport.requests.count == 1)
        clock.advance(seconds: 30)
        endpoint.set(ScriptedTransport.json(200, TokenFactory().jwksJSON))
        #expect(try cache.keys(forKeyId: "key_1").count == 1)
    }

    @Test func skipsKeysThatAreNotRS256SigningKeys() throws {
        let good = TokenFactory()
        var document = try JSONParser.parse(good.jwksJSON)
        guard case .object(var members) = document, case .array(var keys) = members[0].value, case .object(let key) = keys[0] else {
            Issue.record("fixture"); return
        }
        func variant(_ change: (inout [(key: String, value: JSONValue)]) -> Void) -> JSONValue {
            var copy = key
            change(&copy)
            return .object(copy)
        }
        keys = [
            variant { $0 = $0.map { $0.key == "use" ? ($0.key, .string("enc")) : $0 } },
            variant { $0 = $0.map { $0.key == "alg" ? ($0.key, .string("RS512")) : $0 } },
            variant { $0 = $0.map { $0.key == "kty" ? ($0.key, .string("EC")) : $0 } },
            variant { $0.append(("key_ops", .array([.string("encrypt")]))) },
        ]
        members[0].value = .array(keys)
        document = .object(members)
        #expect(try JSONWebKeySet(json: JSONWriter.bytes(document)).keys.isEmpty)
    }
}
