import AuthKitSync
import Logging

/// Logs a token refused for its issuer once per distinct key id and issuer, so that a stream
/// of such tokens (a misconfigured `WORKOS_ISSUER`, or someone replaying tokens of another
/// WorkOS environment) gives one warning each, not one per request. Bounded: after
/// ``capacity`` pairs nothing new is remembered or logged, save one line saying so.
public final class RefusedIssuerLog: Sendable {
    public static let capacity = 64

    private let logger: Logger
    private let seen = Locked<Set<String>>([])

    public init(logger: Logger) { self.logger = logger }

    /// Whether this pair is new (and was remembered): true once per pair, while there is room;
    /// once more when the memory has just filled (to say that later pairs go unlogged).
    func firstSighting(keyId: String?, issuer: String?) -> Sighting {
        // Absent and empty are different values.
        let pair = (keyId.map { "=" + $0 } ?? "-") + "\u{0}" + (issuer.map { "=" + $0 } ?? "-")
        return seen.withLock { seen in
            if seen.contains(pair) { return .repeated }
            guard seen.count < Self.capacity else { return .repeated }
            seen.insert(pair)
            return seen.count == Self.capacity ? .lastRemembered : .new
        }
    }

    enum Sighting: Equatable { case new, lastRemembered, repeated }

    /// Logs the refusal if this pair was not logged before.
    func refused(keyId: String?, issuer: String?, accepted: AcceptedIssuers) {
        let sighting = firstSighting(keyId: keyId, issuer: issuer)
        guard sighting != .repeated else { return }
        logger.warning("access token refused: its issuer is not accepted", metadata: [
            "issuer": "\(issuer.map(LocationSettings.visible) ?? "(none)")", "kid": "\(keyId.map(LocationSettings.visible) ?? "(none)")",
            "accepted": "\(accepted.values.joined(separator: ","))",
            "fix": "if this is your WorkOS environment's issuer (a custom authentication domain), add it to WORKOS_ISSUER",
        ])
        if sighting == .lastRemembered {
            logger.warning("\(Self.capacity) different refused issuers logged; further ones are not logged")
        }
    }
}
