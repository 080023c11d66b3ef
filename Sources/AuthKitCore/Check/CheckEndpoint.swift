extension AuthKitService {
    /// Retry-After for a check that could not be answered because WorkOS is unavailable.
    public static let unavailableRetrySeconds = 5

    /// The auth check for nginx `auth_request` (and, mapped by the executable, Apache's
    /// authorizer). `requestURI` is the original request's.
    ///
    /// - 200: signed in and every requirement holds; identity headers; `Set-Cookie` after a
    ///   refresh. Also 200 without identity in optional mode and on unauthenticated paths.
    /// - 401: not signed in; navigations get `X-AuthKit-Sign-In` for the server to redirect to.
    ///   Also a sign-in older than `AUTHKIT_MAX_AUTH_AGE`: the sign-in carries `max_age`, other
    ///   requests get `WWW-Authenticate: Bearer error="insufficient_user_authentication"`.
    /// - 403: signed in, a requirement failed.
    /// - 401 with `X-AuthKit-Unavailable: <seconds>`: WorkOS could not refresh now (or no
    ///   signing keys could be had); the cookie is kept and the servers answer 503 + Retry-After.
    func check(_ request: AuthRequest, location: LocationSettings) -> CheckDecision {
        let optional = location.mode == .optional
        // A target that cannot be read with certainty is refused whoever asks: what the server
        // serves and what an upstream reads could differ (see ServedPath).
        let target: String
        switch ServedPath.target(request.requestURI.utf8) {
        case .success(let read): target = read
        case .failure(let refusal): return badTarget(refusal)
        }
        // A client's own X-AuthKit-* header would reach the upstream beside (or instead of) ours.
        if let spoofed = request.headers.keys.first(where: AuthKitHeaders.isClientSpoof(headerName:))
            ?? (location.clientHeaderSeen ? "X-AuthKit-* (seen by Apache)" : nil) {
            logger.info("request refused: the client sent an X-AuthKit-* header", metadata: ["header": "\(spoofed)"])
            return CheckDecision(.badRequest)
        }
        if location.allowBearer || location.allowApiKey, let token = BearerToken.parse(request.header("authorization")) {
            // Both allowed: a JWT's shape (three parts) names an access token; a WorkOS API
            // key has no dots.
            if location.allowBearer && (!location.allowApiKey || BearerToken.isJWTShaped(token)) {
                return bearerCheck(request, token: token, requirements: location.requirements, maxAuthAge: location.maxAuthAge)
            }
            // An API key has no sign-in, so no sign-in time: a location asking for a recent one
            // refuses it (fail closed, as for a token without auth_time).
            if let maxAge = location.maxAuthAge {
                logger.info("API key refused: the location requires a recent sign-in", metadata: ["max_auth_age": "\(maxAge)"])
                return CheckDecision(.unauthenticated(challenge: RecentAuthentication.challenge(maxAge: maxAge)))
            }
            return apiKeyCheck(request, token: token, requirements: location.requirements)
        }
        switch authenticator.authenticate(cookieValue: sessionCookie(request), useCache: true, knownKey: request.sessionCookieKey) {
        case .signedIn(let session, let setCookie):
            // On every request, cached session or not: `auth_time` ages with the clock.
            if let maxAge = location.maxAuthAge, isStale(session.claims, maxAge: maxAge) {
                logger.info("sign-in too old for this location, signing in again", metadata: [
                    "user": "\(session.payload.user.id)", "max_age": "\(maxAge)",
                    "auth_time": "\(session.claims.authTime.map(String.init) ?? "(none)")",
                ])
                return staleSignIn(request, target: target, maxAge: maxAge, optional: optional, setCookie: setCookie)
            }
            if let failure = location.requirements.failure(for: session.claims) {
                logger.info("requirement failed", metadata: ["user": "\(session.payload.user.id)", "reason": "\(failure)"])
                return CheckDecision(.forbidden(failure), setCookie: setCookie)
            }
            var identity = Identity(session: session, includeAccessToken: settings.passAccessToken).fields.map { (name: $0.headerName, value: $0.value) }
            let user = session.payload.user
            if let refusal = addAssertion(to: &identity, request, AssertionSigner.Subject(
                userId: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName,
                claims: session.claims, impersonatorEmail: session.payload.impersonator?.email)) {
                // A refreshed session must still reach the browser: its old refresh token is spent.
                return CheckDecision(refusal, setCookie: setCookie)
            }
            return CheckDecision(.allow(identity: identity, eagerAuthCookie: eagerAuthCookie(request, session: session)), setCookie: setCookie)
        case .signedOut(let reason, let setCookie):
            logger.debug("not signed in", metadata: ["reason": "\(reason)"])
            if optional { return .pass(setCookie: setCookie) }
            let served: String
            switch servedPath(request) {
            case .success(let read): served = read
            case .failure(let refusal): return CheckDecision(refusal.verdict, setCookie: setCookie)
            }
            if isUnauthenticated(served: served, target: target) { return .pass(setCookie: setCookie) }
            guard request.isNavigation else { return CheckDecision(.unauthenticated(challenge: nil), setCookie: setCookie) }
            let signUp = settings.signUpPaths.contains { $0.matches(served) }
            return CheckDecision(.signIn(url: settings.signInLocation(returnTo: request.requestURI, signUp: signUp)), setCookie: setCookie)
        case .unavailable(let reason):
            logger.warning("session check unavailable", metadata: ["reason": "\(reason)"])
            return CheckDecision(.unavailable(retryAfterSeconds: Self.unavailableRetrySeconds))
        }
    }

    /// Whether the session's sign-in is older than `maxAge` (``RecentAuthentication``), by our clock.
    func isStale(_ claims: AccessTokenClaims, maxAge: Int64) -> Bool {
        RecentAuthentication.isStale(authTime: claims.authTime, maxAge: maxAge, nowSeconds: clock.nowSeconds(),
                                     leewaySeconds: authenticator.verifier.leeway)
    }

    /// The answer for a signed-in session whose sign-in is too old for the location: a page
    /// navigation is sent to sign in with `max_age`, which WorkOS honours by asking the user to
    /// authenticate again (so the new token's `auth_time` is fresh and there is no loop); any
    /// other request gets 401 with RFC 9470's `insufficient_user_authentication` challenge. In
    /// optional mode, and on a path a signed-out visitor may see, the request passes without
    /// identity. A refreshed session's cookie goes along when the answer still fits the servers'
    /// buffers (``ResponseBudget``); the sign-in replaces it anyway.
    func staleSignIn(_ request: AuthRequest, target: String, maxAge: Int64, optional: Bool, setCookie: String?) -> CheckDecision {
        let open: Bool
        if optional {
            open = true
        } else {
            switch servedPath(request) {
            case .success(let served): open = isUnauthenticated(served: served, target: target)
            case .failure(let refusal): return CheckDecision(refusal.verdict)
            }
        }
        let decision: CheckDecision
        if open {
            decision = .pass()
        } else if request.isNavigation {
            decision = CheckDecision(.signIn(url: settings.signInLocation(returnTo: request.requestURI, signUp: false, maxAge: maxAge)))
        } else {
            decision = CheckDecision(.unauthenticated(challenge: RecentAuthentication.challenge(maxAge: maxAge)))
        }
        guard let setCookie else { return decision }
        var withCookie = decision
        withCookie.setCookie = setCookie
        // Measured as nginx gets it (the largest of the renderings), with the cache headers.
        var measured = NginxCheckResponse.render(withCookie)
        measured.addCachePrevention()
        if ResponseBudget.headerSize(measured) <= ResponseBudget.headerBytes { return withCookie }
        logger.debug("refreshed session cookie left out of the sign-in answer: too large to fit with it")
        return decision
    }

    /// A refusal of ``servedPath(_:)``, with the verdict to give.
    struct PathRefusal: Error {
        let verdict: CheckDecision.Verdict
    }

    /// The path the server serves (`AUTHKIT_SERVED_PATH`), on which path rules decide; they
    /// hold only when the strict reading of the raw target (what a proxied upstream receives)
    /// agrees. Missing: 500 (a configuration error); unreadable: 400.
    func servedPath(_ request: AuthRequest) -> Result<String, PathRefusal> {
        guard let sent = request.servedPath, !sent.isEmpty else { return .failure(PathRefusal(verdict: missingServedPath())) }
        switch ServedPath.server(sent.utf8) {
        case .success(let read): return .success(read)
        case .failure(let refusal): return .failure(PathRefusal(verdict: badTarget(refusal).verdict))
        }
    }

    /// Adds `X-AuthKit-Assertion` to an allowed answer's identity when assertions are on, naming
    /// the path the server serves (never the raw target) and the request's host. Returns the
    /// verdict that replaces the allowed one when no assertion can be made: without the served
    /// path (500), with a path the check cannot read (400), or when no key signs (503, as WorkOS
    /// being down).
    func addAssertion(to identity: inout [(name: String, value: String)], _ request: AuthRequest, _ subject: AssertionSigner.Subject) -> CheckDecision.Verdict? {
        guard let signer = settings.assertionSigner else { return nil }
        let served: String
        switch servedPath(request) {
        case .success(let read): served = read
        case .failure(let refusal): return refusal.verdict
        }
        let host = AssertionSigner.hostName(request.header("host") ?? "")
        guard let token = signer.assertion(for: subject, audience: settings.assertionAudience(for: request),
                                           issuer: settings.assertionIssuer(for: request), host: host, path: served) else {
            logger.error("no key could sign the identity assertion; denying", metadata: ["fix": "check AUTHKIT_ASSERTION_KEY_DIR is writable by this user"])
            return .unavailable(retryAfterSeconds: Self.unavailableRetrySeconds)
        }
        identity.append((AssertionSigner.headerName, token))
        return nil
    }

    /// Whether a path rule lets a signed-out request through: a pattern of
    /// `WORKOS_UNAUTHENTICATED_PATHS` (or the callback) matches both the server's path and the
    /// raw target's. A `;` in the target's path never counts as public: some upstreams (Tomcat,
    /// Jetty, Spring) cut path parameters, so `/public/..;/secret` is `/secret` to them.
    func isUnauthenticated(served: String, target: String) -> Bool {
        guard !target.utf8.contains(UInt8(ascii: ";")) else { return false }
        return settings.unauthenticatedPaths.contains { $0.matches(served) && $0.matches(target) }
    }

    /// The check's answer for a target it cannot read with certainty: a bad request, which every
    /// renderer turns into a 400 page.
    func badTarget(_ refusal: ServedPath.Refusal) -> CheckDecision {
        logger.info("request target refused", metadata: ["reason": "\(refusal)", "fix": "none needed: no browser sends such a target"])
        return CheckDecision(.badRequest)
    }

    /// Set by the Apache snippets (`SetEnvIfNoCase ^X[-_.]AuthKit[-_.] …`) when a request header
    /// of ours arrives under a spelling Apache drops from the CGI environment (underscores) but
    /// would still proxy: the check refuses the request.
    public static let clientHeaderParameter = "AUTHKIT_CLIENT_HEADER"

    /// The header that tells the servers' mappings to answer 400 (``NginxCheckResponse``).
    public static let badRequestHeader = NginxCheckResponse.badRequestHeader

    /// The server did not send the path it serves: a configuration error, answered 500.
    func missingServedPath() -> CheckDecision.Verdict {
        logger.error("AUTHKIT_SERVED_PATH is missing, so path rules cannot be decided; denying", metadata: [
            "fix": "nginx: include authkit/authkit-protect.conf in every location with auth_request (it sets $authkit_served_path from $uri); Apache: include the shipped authkit-site.conf or authkit-fcgid.conf (SetEnvIf Request_URI ... AUTHKIT_SERVED_PATH)",
        ])
        return .misconfigured
    }

    /// authkit-nextjs's eagerAuth cookie (spec §2.6): `workos-access-token=<jwt>; SameSite=Lax;
    /// Max-Age=30[; Secure]`, on document navigations only, when missing or different. Like
    /// authkit's it has no Path and is not HttpOnly: the page's script reads it once.
    func eagerAuthCookie(_ request: AuthRequest, session: AuthenticatedSession) -> String? {
        guard settings.eagerAuth, request.isNavigation, request.header("accept")?.containsBytes("text/html") == true,
              request.cookie("workos-access-token") != session.payload.accessToken else { return nil }
        var cookie = "workos-access-token=\(session.payload.accessToken); SameSite=Lax; Max-Age=30"
        if settings.redirectURI.hasASCIICaseInsensitivePrefix("https:") { cookie += "; Secure" }
        return cookie
    }

    /// `Authorization: Bearer <access token>` where the location allows it
    /// (`AUTHKIT_ALLOW_BEARER=true`): verified exactly like the cookie's token, requirements
    /// applied, and the location's maximum sign-in age; never refreshed, never a redirect, no cookie.
    func bearerCheck(_ request: AuthRequest, token: String, requirements: Requirements, maxAuthAge: Int64? = nil) -> CheckDecision {
        switch authenticator.verifier.verify(token) {
        case .success(let claims):
            if let maxAuthAge, isStale(claims, maxAge: maxAuthAge) {
                logger.info("sign-in too old for this location", metadata: ["user": "\(claims.subject)", "max_age": "\(maxAuthAge)", "via": "bearer"])
                return CheckDecision(.unauthenticated(challenge: RecentAuthentication.challenge(maxAge: maxAuthAge)))
            }
            if let failure = requirements.failure(for: claims) {
                logger.info("requirement failed", metadata: ["user": "\(claims.subject)", "reason": "\(failure)", "via": "bearer"])
                return CheckDecision(.forbidden(failure))
            }
            var identity = Identity(bearerClaims: claims).fields.map { (name: $0.headerName, value: $0.value) }
            let subject = AssertionSigner.Subject(userId: claims.subject, email: nil, firstName: nil, lastName: nil, claims: claims, impersonatorEmail: nil)
            return CheckDecision(addAssertion(to: &identity, request, subject) ?? .allow(identity: identity, eagerAuthCookie: nil))
        case .failure(.keysUnavailable(let why)):
            logger.warning("bearer check unavailable", metadata: ["reason": "\(why)"])
            return CheckDecision(.unavailable(retryAfterSeconds: Self.unavailableRetrySeconds))
        case .failure(let error):
            logger.debug("bearer token refused", metadata: ["reason": "\(error)"])
            return CheckDecision(.unauthenticated(challenge: Self.invalidTokenChallenge))
        }
    }
}

extension AuthKitService {
    /// `Authorization: Bearer <WorkOS API key>` where the location allows it
    /// (`AUTHKIT_ALLOW_API_KEY=true`), as authkit-nextjs's `validateApiKey`: a valid organization
    /// key → 200 with its identity (`X-AuthKit-Api-Key-Id`, `-Api-Key-Name`,
    /// `-Organization-Id`, `-Permissions`) and, when assertions are on, an assertion for the
    /// key (`principal: api_key`, ``AssertionSigner/Subject/init(apiKey:)``); a key owned by
    /// anything but an organization, or failing a requirement → 403; an unknown, expired or
    /// deleted key → 401 with `WWW-Authenticate: Bearer error="invalid_token"`, never a
    /// redirect; WorkOS unavailable and nothing remembered → 401 with `X-AuthKit-Unavailable`
    /// (the servers answer 503).
    func apiKeyCheck(_ request: AuthRequest, token: String, requirements: Requirements) -> CheckDecision {
        switch apiKeys.validate(token) {
        case .valid(let key):
            guard key.isOrganizationKey else {
                logger.info("API key refused: not an organization key", metadata: ["key_id": "\(key.id)", "owner": "\(key.ownerType)"])
                return CheckDecision(.forbidden(.notAnOrganizationKey))
            }
            if let failure = requirements.failure(for: key) {
                logger.info("requirement failed", metadata: ["key_id": "\(key.id)", "reason": "\(failure)", "via": "API key"])
                return CheckDecision(.forbidden(failure))
            }
            var identity = Identity(apiKey: key).fields.map { (name: $0.headerName, value: $0.value) }
            return CheckDecision(addAssertion(to: &identity, request, AssertionSigner.Subject(apiKey: key)) ?? .allow(identity: identity, eagerAuthCookie: nil))
        case .invalid(let reason):
            logger.debug("API key refused", metadata: ["reason": "\(reason)"])
            return CheckDecision(.unauthenticated(challenge: Self.invalidTokenChallenge))
        case .unavailable(let reason):
            logger.warning("API key check unavailable", metadata: ["reason": "\(reason)"])
            return CheckDecision(.unavailable(retryAfterSeconds: Self.unavailableRetrySeconds))
        }
    }

    /// RFC 6750 §3.1's answer to a bearer token or API key that is not (or no longer) valid.
    static let invalidTokenChallenge = #"Bearer error="invalid_token""#
}

/// The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), nil for any other.
public enum BearerToken {
    /// Three non-empty parts separated by exactly two dots, as a compact JWS: how a location
    /// allowing both access tokens and API keys tells them apart.
    public static func isJWTShaped(_ token: String) -> Bool {
        var dots = 0, partLength = 0
        for byte in token.utf8 {
            if byte == UInt8(ascii: ".") {
                guard partLength > 0 else { return false }
                dots += 1
                partLength = 0
            } else {
                partLength += 1
            }
        }
        return dots == 2 && partLength > 0
    }

    public static func parse(_ header: String?) -> String? {
        // On the bytes: `prefix(7)` would count Characters, a mark glued onto the space included.
        guard let header, header.utf8.count > 7, header.hasASCIICaseInsensitivePrefix("bearer ") else { return nil }
        let token = header.utf8.dropFirst(7).drop { $0 == UInt8(ascii: " ") }
        guard !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: token, as: UTF8.self)
    }
}
