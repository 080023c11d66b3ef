import Foundation

/// Everything the emulator remembers. A value, changed only inside `EmulatorStore.with`.
struct StoreState: Sendable {
    var settings: EmulatorSettings
    let seed: Seed
    var keys: SigningKeyRing
    var clock = EmulatorClock()
    var codes: [String: AuthorizationCode] = [:]
    var refreshTokens: [String: RefreshTokenRecord] = [:]
    var sessions: [String: SessionRecord] = [:]
    /// Organization API keys, oldest first.
    var apiKeys: [ApiKeyRecord] = []
    var idempotentReplies: [String: StoredReply] = [:]
    var counters = Counters()
    var faults = FaultList()
    var webhooks = ReceivedWebhooks()

    init(settings: EmulatorSettings, seed: Seed, signingKey: SigningKey) {
        self.settings = settings
        self.seed = seed
        keys = SigningKeyRing(first: signingKey)
    }

    var now: Date { clock.now }

    /// Forgets sessions, codes, tokens, API keys, stored replies, faults, received webhooks, counters and the clock shift;
    /// keeps the seed, the settings and the signing keys.
    mutating func reset() {
        clock = EmulatorClock()
        codes.removeAll()
        refreshTokens.removeAll()
        sessions.removeAll()
        apiKeys.removeAll()
        idempotentReplies.removeAll()
        counters.reset()
        faults.removeAll()
        webhooks = ReceivedWebhooks()
    }
}
