import AuthKitCore
import AuthKitCurl
import AuthKitRedis
import Foundation
import Logging
import Testing

/// WorkOS's answers about API keys shared between hosts through a real redis-server: two
/// authenticators (two hosts) with their own caches, one emulator, one WorkOS call.
@Suite(.serialized) struct ApiKeyRedisTests {
    static func authenticator(_ emulator: EmulatorProcess, store: (any SharedApiKeyStore)?) -> ApiKeyAuthenticator {
        var config = emulator.config()
        config.httpRetries = 0
        let transport = CurlTransport(connectTimeoutMillis: 1000, totalTimeoutMillis: 3000, userAgent: "authkit-fcgi/test")
        return ApiKeyAuthenticator(workos: WorkOSClient(config: config, transport: transport, random: SecureRandom()),
                                   cache: ApiKeyCache(policy: ApiKeyCachePolicy()), shared: store, clock: SystemClock(),
                                   logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func oneHostsAnswerServesTheOthers() throws {
        let redis = try RedisServer()
        let emulator = try EmulatorProcess()
        let key = try emulator.createApiKey()
        let store = RedisApiKeyStore(pool: RedisPool(url: try RedisURL(parsing: redis.url)))
        let first = Self.authenticator(emulator, store: store), second = Self.authenticator(emulator, store: store)
        guard case .valid(let found) = first.validate(key.value) else { Issue.record("not valid"); return }
        #expect(found.id == key.id && found.ownerId == EmulatorProcess.acme && found.permissions == ["posts:read", "posts:write"])
        #expect(second.validate(key.value) == .valid(found))
        #expect(try emulator.counters()["api_key_validations"] == 1, "the second host used the first one's answer")
        // Stored under the key's hash, holding no trace of the key.
        let record = try #require(store.loadApiKeyAnswer(digest: DigestKey(key.value).hex))
        #expect(!record.contains(key.value) && record.contains(key.id))
        // A refusal is shared too.
        guard case .invalid = first.validate("sk_unknown"), case .invalid = second.validate("sk_unknown") else {
            Issue.record("an unknown key was not refused"); return
        }
        #expect(try emulator.counters()["api_key_validations"] == 2)
    }

    @Test func anUnreachableRedisOnlyCostsAWorkOSCall() throws {
        let emulator = try EmulatorProcess()
        let key = try emulator.createApiKey()
        let store = RedisApiKeyStore(pool: RedisPool(url: try RedisURL(parsing: "redis://127.0.0.1:\(freeLoopbackPort())"), connectTimeoutMillis: 200))
        let host = Self.authenticator(emulator, store: store)
        guard case .valid = host.validate(key.value) else { Issue.record("not valid without Redis"); return }
        guard case .valid = Self.authenticator(emulator, store: store).validate(key.value) else { Issue.record("not valid"); return }
        #expect(try emulator.counters()["api_key_validations"] == 2)
    }
}
