/// What happened, by name, for `GET /_emulate/counters`: calls per endpoint
/// (`authorize`, `authenticate`, `jwks`, `logout`, `revoke`, …), per grant type
/// (`authenticate.authorization_code`, `authenticate.refresh_token`), and events
/// (`codes_issued`, `codes_exchanged`, `refreshes`, `refresh_token_reuse`, `refresh_grace_replays`
/// (strict mode: a spent refresh token answered within the grace window),
/// `organization_switches`, `sessions_ended`, `idempotent_replays`, `faults_applied`,
/// `errors.<code>`). A name that never happened is absent, not zero.
struct Counters: Sendable {
    private(set) var values: [String: Int] = [:]

    mutating func bump(_ name: String) { values[name, default: 0] += 1 }

    mutating func reset() { values.removeAll() }

    var json: JSONValue { .object(values.mapValues(JSONValue.int)) }
}
