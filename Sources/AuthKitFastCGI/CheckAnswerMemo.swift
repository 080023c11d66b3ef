import AuthKitCore
#if canImport(Glibc)
import Glibc
#endif

/// The check's fast path for a session seen before: the whole answer, bytes as written.
///
/// For a cookie whose session is in the ``VerifiedSessionCache``, the allowed check's answer
/// depends on nothing but that session and the location's settings: no path rule, header or
/// method enters a signed-in 200 (the path matters only when signed out; the `Accept` header
/// only for the eager-auth cookie, so the memo is off when `WORKOS_EAGER_AUTH` is on). So the
/// first full answer is kept beside the session, keyed by the settings, and later checks with
/// the same cookie at a location with the same settings get it without building a request,
/// a session or headers. It lives and dies with the session's cache entry, so nothing
/// outlives the refresh deadline; an answer that sets a cookie or refuses is never kept.
///
/// The settings are every `AUTHKIT_*` parameter, the `REDIRECT_AUTHKIT_*` ones with
/// `REDIRECT_STATUS` (Apache merges them after an internal redirect; nginx's stock
/// `fastcgi_params` sends `REDIRECT_STATUS 200` on every request) and the FastCGI roles.
/// `AUTHKIT_SERVED_PATH` is not a setting (it is the path, which a signed-in answer does not
/// depend on). Requests the memo stays out of (the full path answers them): anything not a
/// check, locations with `AUTHKIT_MAX_AUTH_AGE` (the answer changes as the sign-in ages), requests carrying an `Authorization` header (a bearer token may decide) or an
/// `X-AuthKit-*` header of the client's (refused by the full path), cookies that
/// need percent-decoding, and request targets the check refuses to read (``ServedPath``).
///
/// API keys the same way: at a location with `AUTHKIT_ALLOW_API_KEY=true`, a bearer token that
/// the check would validate as an API key (not a JWT where access tokens are allowed too) is
/// remembered under its hash beside WorkOS's answer in the ``ApiKeyCache``, while that answer
/// is fresh and valid; the `Authorization` header then decides and the cookie does not.
public struct CheckAnswerMemo: Sendable {
    private let authenticator: SessionAuthenticator
    private let apiKeys: ApiKeyAuthenticator
    private let cookieName: [UInt8]
    /// False when there is no session cache, eager auth makes answers depend on `Accept`,
    /// every check is to be logged with its details (debug), or identity assertions are on
    /// (each is signed for its request's path and time).
    public let enabled: Bool
    /// False when API keys are not cached, every check is to be logged, or identity assertions
    /// are on (an allowed key's answer carries one too, signed for its request).
    public let apiKeysEnabled: Bool

    public init(service: AuthKitService, logsEveryCheck: Bool = false) {
        authenticator = service.authenticator
        apiKeys = service.apiKeys
        cookieName = Array(service.authenticator.cookieOptions.name.utf8)
        // The identity assertion names the path and expires within a minute: never replayed.
        enabled = (service.authenticator.cache?.capacity ?? 0) > 0 && !service.settings.eagerAuth && !logsEveryCheck
            && service.settings.assertionSigner == nil
        let policy = service.apiKeys.cache.policy
        apiKeysEnabled = policy.capacity > 0 && policy.positiveMillis > 0 && !logsEveryCheck
            && service.settings.assertionSigner == nil
    }

    /// What a check is remembered under: the cookie's (or API key's) hash and the location's settings.
    public struct Ticket: Sendable {
        public let key: VerifiedSessionCache.Key
        public let context: [UInt8]
        /// The key is an API key's hash, not a cookie's.
        public var apiKey = false
    }

    /// The ticket for a request the memo may answer, nil for any other.
    public func ticket(for parameters: FastCGIParameters) -> Ticket? {
        guard enabled || apiKeysEnabled else { return nil }
        var context: [UInt8] = []
        context.reserveCapacity(256)
        var cookieHeader: UnsafeBufferPointer<UInt8>?
        var requestTarget: UnsafeBufferPointer<UInt8>?
        var authorization: UnsafeBufferPointer<UInt8>?
        // A repeated parameter counts with its last value, as in the full path's dictionary.
        var authorizer = false, checkAction = false, excluded = false, allowApiKey = false, allowBearer = false
        parameters.forEach { name, value in
            if FastCGIParameters.has(name, prefix: "HTTP_") {
                if FastCGIParameters.equals(name, "HTTP_COOKIE") { cookieHeader = value }
                if FastCGIParameters.equals(name, "HTTP_AUTHORIZATION") { authorization = value }
                // A client's X-AuthKit-* header: the full path refuses the request.
                if AuthKitHeaders.isClientSpoof(headerNameBytes: UnsafeBufferPointer(rebasing: name[5...])) { excluded = true }
            } else if FastCGIParameters.equals(name, "REQUEST_URI") {
                requestTarget = value
            } else if FastCGIParameters.equals(name, "AUTHKIT_SERVED_PATH") || FastCGIParameters.equals(name, "REDIRECT_AUTHKIT_SERVED_PATH") {
                // The path decides nothing in a signed-in answer: one memo for the location.
            } else if FastCGIParameters.has(name, prefix: "AUTHKIT_") || FastCGIParameters.has(name, prefix: "REDIRECT_AUTHKIT_")
                        || FastCGIParameters.equals(name, "FCGI_ROLE") || FastCGIParameters.equals(name, "FCGI_APACHE_ROLE")
                        || FastCGIParameters.equals(name, "REDIRECT_STATUS") {
                // Every setting of the location, in the server's order: same settings, same answer.
                context.append(contentsOf: name)
                context.append(UInt8(ascii: "="))
                context.append(contentsOf: value)
                context.append(0)
                if FastCGIParameters.equals(name, "FCGI_ROLE") { authorizer = FastCGIParameters.equalsIgnoringCase(value, "authorizer") }
                if FastCGIParameters.equals(name, "AUTHKIT_ACTION") { checkAction = FastCGIParameters.equalsIgnoringCase(value, "check") }
                // A maximum sign-in age: the answer depends on the clock, not only the session.
                if FastCGIParameters.equals(name, "AUTHKIT_MAX_AUTH_AGE") || FastCGIParameters.equals(name, "REDIRECT_AUTHKIT_MAX_AUTH_AGE") { excluded = true }
                if FastCGIParameters.equals(name, "AUTHKIT_ALLOW_API_KEY") { allowApiKey = FastCGIParameters.equalsIgnoringCase(value, "true") }
                if FastCGIParameters.equals(name, "AUTHKIT_ALLOW_BEARER") { allowBearer = FastCGIParameters.equalsIgnoringCase(value, "true") }
            }
        }
        if let authorization {
            // The header decides when the check would validate it as an API key; else the full path.
            guard apiKeysEnabled, allowApiKey, authorizer || checkAction, !excluded, let requestTarget,
                  case .success = ServedPath.target(requestTarget),
                  let token = BearerToken.parse(String(decoding: authorization, as: UTF8.self)),
                  !(allowBearer && BearerToken.isJWTShaped(token)) else { return nil }
            return Ticket(key: DigestKey(token), context: context, apiKey: true)
        }
        guard enabled else { return nil }
        // A target the check refuses (400) is the full path's to answer, signed in or not.
        guard authorizer || checkAction, !excluded, let cookieHeader, let requestTarget,
              case .success = ServedPath.target(requestTarget),
              case .value(let range) = CookieHeader.lastPair(named: cookieName, in: cookieHeader),
              !range.isEmpty, memchr(cookieHeader.baseAddress! + range.lowerBound, Int32(UInt8(ascii: "%")), range.count) == nil
        else { return nil }
        // The same pair, from the same (last) Cookie header, that AuthRequest.cookie reads, and
        // without `%` so its decoding changes nothing: the key of exactly the value the check reads.
        let key = VerifiedSessionCache.key(cookieBytes: UnsafeBufferPointer(rebasing: cookieHeader[range]))
        return Ticket(key: key, context: context)
    }

    /// The answer remembered for this ticket, if its session is still cached and valid.
    public func answer(_ ticket: Ticket) -> [UInt8]? {
        ticket.apiKey ? apiKeys.rememberedCheckAnswer(ticket.key, context: ticket.context)
            : authenticator.rememberedCheckAnswer(ticket.key, context: ticket.context)
    }

    /// Keeps the full path's answer when it allowed the request without setting a cookie.
    public func remember(_ ticket: Ticket, response: AuthResponse, bytes: [UInt8]) {
        guard response.status == 200, response.header("Set-Cookie") == nil else { return }
        if ticket.apiKey {
            apiKeys.rememberCheckAnswer(ticket.key, context: ticket.context, bytes: bytes)
        } else {
            authenticator.rememberCheckAnswer(ticket.key, context: ticket.context, bytes: bytes)
        }
    }
}
