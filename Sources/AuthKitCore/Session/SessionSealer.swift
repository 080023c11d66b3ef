/// Why a session cookie did not yield a session. Each case is "not signed in" to the caller;
/// the reason is for the log line.
public enum SessionReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case seal(IronError)
    case payload(SessionPayloadError)

    public var description: String {
        switch self {
        case .seal(let error): "seal: \(error)"
        case .payload(let error): "payload: \(error)"
        }
    }
}

/// A session read from a cookie.
public struct OpenedSession: Sendable, Equatable {
    public var payload: SessionPayload
    /// True when a `WORKOS_COOKIE_PASSWORD_PREVIOUS` password opened it: re-seal it with the
    /// current password so rotation finishes without signing anybody out.
    public var needsReseal: Bool
}

/// Seals and opens session cookies and other sealed values (PKCE state) with the cookie
/// passwords, byte-compatible with authkit-nextjs.
///
/// Every seal uses password id `1`, because that is the only id authkit-nextjs can open.
/// Previous passwords are tried, in order, for seals with id `1` that the current one cannot open.
public struct SessionSealer: Sendable {
    public static let passwordId = "1"

    private let candidates: [String]
    private let clock: any WallClock
    private let random: any RandomSource

    public init(password: String, previousPasswords: [String] = [], clock: any WallClock, random: any RandomSource) {
        self.candidates = [password] + previousPasswords
        self.clock = clock
        self.random = random
    }

    public init(config: AuthKitConfig, clock: any WallClock, random: any RandomSource) {
        self.init(password: config.cookiePassword, previousPasswords: config.previousCookiePasswords, clock: clock, random: random)
    }

    /// Opens a session cookie value.
    public func openSession(_ cookieValue: String) -> Result<OpenedSession, SessionReadError> {
        let text: IronSession.OpenedText
        let candidates = self.candidates
        do {
            text = try IronSession.unsealText(cookieValue, passwords: { $0 == Self.passwordId ? candidates : [] }, now: clock.nowMillis())
        } catch {
            return .failure(.seal(error))
        }
        // What iron-session 8 wrote as an object, read in one pass; anything else (older seals,
        // `null`, other JSON) the general way.
        if text.version == IronSession.currentVersion, text.plaintext.first(where: { !JSONParser.isWhitespace($0) }) == UInt8(ascii: "{") {
            return SessionPayload.read(sessionJSONText: text.plaintext).map { OpenedSession(payload: $0, needsReseal: text.passwordIndex > 0) }
        }
        let opened: IronSession.Opened
        do {
            opened = try IronSession.opened(text)
        } catch {
            return .failure(.seal(error))
        }
        do {
            let payload = try SessionPayload(json: opened.value)
            return .success(OpenedSession(payload: payload, needsReseal: opened.passwordIndex > 0))
        } catch {
            return .failure(.payload(error))
        }
    }

    /// Seals a session with ttl 0, as authkit's `encryptSession`.
    public func sealSession(_ payload: SessionPayload) -> String {
        seal(payload.json, ttlSeconds: 0)
    }

    /// Seals any JSON value (`sealData(value, {password, ttl})`).
    public func seal(_ value: JSONValue, ttlSeconds: Int64) -> String {
        do {
            return try IronSession.seal(
                JSONWriter.bytes(value), passwordId: Self.passwordId, password: candidates[0],
                ttlSeconds: ttlSeconds, now: clock.nowMillis(), parameters: .random(random))
        } catch {
            // Only a short password or a bad id can fail, and configuration validation rules
            // both out before anything is sealed.
            preconditionFailure("sealing failed: \(error)")
        }
    }

    /// Opens any sealed value (`unsealData`).
    public func unsealValue(_ sealed: String) throws(IronError) -> IronSession.Opened {
        let candidates = self.candidates
        return try IronSession.unseal(
            sealed, passwords: { $0 == Self.passwordId ? candidates : [] }, now: clock.nowMillis())
    }
}
