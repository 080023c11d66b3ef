import Hummingbird

/// Test controls other than faults:
///
/// - `POST /_emulate/keys/rotate` `{"keep_old": true}` → `{"kid": new, "kids": [published, newest first]}`
/// - `POST /_emulate/clock` `{"offset_seconds": N}` (set) or `{"advance_seconds": N}` (add);
///   `GET` → `{"offset_seconds", "now"}`
/// - `GET /_emulate/counters`, `POST /_emulate/counters/reset`
/// - `GET`/`POST /_emulate/config` `{"access_token_ttl": S, "interactive": bool, "strict_refresh": bool,
///   "refresh_grace_seconds": N}` (N a whole number of seconds, 0…3600; anything else is a 400)
/// - `POST /_emulate/tokens/sign` `{"claims": {…}}` → `{"access_token": JWT, "kid"}`: the claims
///   exactly as given, signed with the current key (a token WorkOS's key signed with, say,
///   another `iss`)
/// - `POST /_emulate/reset`: forget sessions, codes, tokens, hooks, counters, clock shift
struct ControlRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.post("/_emulate/keys/rotate") { request, context in
            var request = request
            let keepOld = try await request.bodyJSON(context: context)?["keep_old"]?.boolValue ?? true
            // Generated outside the lock: a 2048-bit key takes a moment.
            let key = try SigningKey.generate()
            return Response(.ok(store.with { state in
                state.keys.install(key, keepOld: keepOld)
                state.counters.bump("key_rotations")
                return ["kid": .string(key.id), "kids": .array(state.keys.keys.reversed().map { .string($0.id) })]
            }))
        }

        router.get("/_emulate/clock") { _, _ in Response(.ok(store.with { Self.clockJSON($0.clock) })) }
        router.post("/_emulate/clock") { request, context in
            var request = request
            let json = try await request.bodyJSON(context: context)
            guard let json, json["offset_seconds"]?.doubleValue != nil || json["advance_seconds"]?.doubleValue != nil else {
                return Response(.error(400, code: "invalid_request", message: "expected {\"offset_seconds\": N} or {\"advance_seconds\": N}"))
            }
            return Response(.ok(store.with { state in
                if let offset = json["offset_seconds"]?.doubleValue { state.clock.offsetSeconds = offset }
                if let advance = json["advance_seconds"]?.doubleValue { state.clock.offsetSeconds += advance }
                return Self.clockJSON(state.clock)
            }))
        }

        router.get("/_emulate/counters") { _, _ in Response(.ok(store.with { $0.counters.json })) }
        router.post("/_emulate/counters/reset") { _, _ in
            Response(.ok(store.with { state in
                state.counters.reset()
                return state.counters.json
            }))
        }

        router.get("/_emulate/config") { _, _ in Response(.ok(store.with { Self.configJSON($0.settings) })) }
        router.post("/_emulate/config") { request, context in
            var request = request
            let json = try await request.bodyJSON(context: context) ?? [:]
            if let ttl = json["access_token_ttl"], (ttl.intValue ?? 0) < 1 {
                return Response(.error(400, code: "invalid_request", message: "access_token_ttl must be a positive number of seconds"))
            }
            let strict: Bool?
            switch json["strict_refresh"] {
            case nil: strict = nil
            case .bool(let value)?: strict = value
            default: return Response(.error(400, code: "invalid_request", message: "strict_refresh must be true or false"))
            }
            let grace: Int?
            switch json["refresh_grace_seconds"].map(Self.graceSeconds) {
            case nil: grace = nil
            case .some(let seconds?): grace = seconds
            case .some(nil):
                let range = EmulatorSettings.refreshGraceSecondsRange
                return Response(.error(400, code: "invalid_request",
                                       message: "refresh_grace_seconds must be a whole number of seconds, \(range.lowerBound)…\(range.upperBound)"))
            }
            return Response(.ok(store.with { state in
                if let ttl = json["access_token_ttl"]?.intValue { state.settings.accessTokenTTL = ttl }
                if let interactive = json["interactive"]?.boolValue { state.settings.interactive = interactive }
                if let strict { state.settings.strictRefresh = strict }
                if let grace { state.settings.refreshGraceSeconds = grace }
                return Self.configJSON(state.settings)
            }))
        }

        router.post("/_emulate/tokens/sign") { request, context in
            var request = request
            guard let claims = try await request.bodyJSON(context: context)?["claims"], case .object = claims else {
                return Response(.error(400, code: "invalid_request", message: "expected {\"claims\": {…}}"))
            }
            return Response(store.with { state in
                guard let token = try? state.keys.current.sign(claims: claims) else {
                    return .error(500, code: "server_error", message: "Could not sign the token.")
                }
                return .ok(["access_token": .string(token), "kid": .string(state.keys.current.id)])
            })
        }

        router.post("/_emulate/reset") { _, _ in
            store.with { $0.reset() }
            return Response(.ok(["status": "reset"]))
        }
    }

    private static func clockJSON(_ clock: EmulatorClock) -> JSONValue {
        ["offset_seconds": .double(clock.offsetSeconds), "now": .int(clock.unixSeconds)]
    }

    private static func configJSON(_ settings: EmulatorSettings) -> JSONValue {
        [
            "client_id": .string(settings.clientId), "base_url": .string(settings.baseURL),
            "redirect_uris": JSONValue(settings.redirectURIs), "access_token_ttl": .int(settings.accessTokenTTL),
            "interactive": .bool(settings.interactive), "code_ttl": .int(settings.codeTTL),
            "strict_refresh": .bool(settings.strictRefresh), "refresh_grace_seconds": .int(settings.refreshGraceSeconds),
        ]
    }

    /// A JSON number that is a whole count of seconds within the accepted range; nil otherwise
    /// (a string, a fraction, a negative or huge number).
    private static func graceSeconds(_ value: JSONValue) -> Int? {
        let seconds: Int
        switch value {
        case .int(let int): seconds = int
        case .double(let double) where double == double.rounded() && abs(double) < 1e9: seconds = Int(double)
        default: return nil
        }
        return EmulatorSettings.refreshGraceSecondsRange.contains(seconds) ? seconds : nil
    }
}
