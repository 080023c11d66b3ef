extension AuthKitService {
    /// `/auth/sign-in` and `/auth/sign-up`: authkit-nextjs v3+ PKCE (spec §3.2). The state
    /// `{nonce, codeVerifier, customState?, returnPathname}` is sealed for 600 s and is both the
    /// `state` parameter and the value of a per-flow `wos-auth-verifier-<fnv1a>` cookie.
    func signIn(_ request: AuthRequest, signUp: Bool) -> AuthResponse {
        // Login state only for page navigations: a script fetching this URL would otherwise
        // pile up verifier cookies (authkit-nextjs #432, HTTP 431).
        guard request.isNavigation else {
            return .json(401, .object([("error", .string("sign_in_requires_navigation")),
                                       ("signInUrl", .string(request.requestURI))]))
        }
        let loop = settings.signInLoopGuard.record(cookie: request.cookie(SignInLoopGuard.cookieName), nowSeconds: clock.nowMillis() / 1000)
        if settings.signInLoopGuard.isLooping(attempts: loop.attempts) {
            logger.warning("sign-in loop stopped", metadata: ["attempts": "\(loop.attempts)", "path": "\(request.path)"])
            var page = ErrorPage.response(
                status: 429, code: "sign_in_loop",
                message: "Signing in was started \(loop.attempts) times in a minute without the session sticking. Your browser may be refusing the session cookie: allow cookies for this site and make sure you use the site's usual address (https if it has one). Then try again in a minute.",
                navigation: true, retryLocation: settings.prefix + "sign-in", template: settings.errorPageTemplate)
            page.headers.append(("Retry-After", String(settings.signInLoopGuard.windowSeconds)))
            page.headers.append(("Set-Cookie", loop.setCookie))
            return page
        }
        let returnTo = ReturnPath.sanitize(request.queryValue("return_to") ?? request.queryValue("returnTo"))
        // Hints only: an over-long one is dropped rather than let it overflow the answer.
        let loginHint = request.queryValue("login_hint").flatMap { $0.utf8.count <= 320 ? $0 : nil }
        let organization = request.queryValue("organization_id").flatMap { $0.utf8.count <= 128 ? $0 : nil }
        // Not a hint: a location that needs a recent sign-in sent it, and dropping it would send
        // the user back there with the same old sign-in. A bad one is refused.
        var maxAge: Int64?
        if let text = request.queryValue("max_age") {
            guard let value = RecentAuthentication.maxAge(text, range: RecentAuthentication.allowedRequestMaxAge) else {
                return ErrorPage.response(status: 400, code: "invalid_max_age", message: "This sign-in link is not valid. Please start again from the site.",
                                          navigation: true, retryLocation: settings.prefix + "sign-in", template: settings.errorPageTemplate)
            }
            maxAge = value
        }
        let stale = staleVerifierCookies(request).prefix(ResponseBudget.deletionsPerAnswer)
        let pkce = PKCE(random: random)
        // The state travels twice (the authorize URL and the verifier cookie): a long return_to
        // loses its query, then itself, until the answer fits the servers' buffers.
        for candidate in ResponseBudget.returnPathCandidates(returnTo) {
            let state = PKCEState(
                nonce: UUIDv4.string(random.bytes(16)), codeVerifier: pkce.codeVerifier,
                customState: request.queryValue("state"), returnPathname: candidate)
            let sealedState = sealer.seal(state.json, ttlSeconds: PKCEState.ttlSeconds)
            let url = workos.authorizationURL(AuthorizationRequest(
                redirectURI: settings.redirectURI, state: sealedState, codeChallenge: pkce.codeChallenge,
                screenHint: signUp ? .signUp : .signIn, organizationId: organization, loginHint: loginHint,
                maxAge: maxAge.map { Int($0) }))

            var response = AuthResponse.redirect(url)
            let options = verifierCookieOptions(name: VerifierCookie.name(forSealedState: sealedState))
            for name in stale {
                response.headers.append(("Set-Cookie", SetCookie.delete(options: verifierCookieOptions(name: name))))
            }
            response.headers.append(("Set-Cookie", SetCookie.set(sealedState, options: options)))
            response.headers.append(("Set-Cookie", loop.setCookie))
            if ResponseBudget.headerSize(response) <= ResponseBudget.headerBytes { return response }
        }
        // Only the app's own `state` can still be too big: say so, never a 502.
        logger.info("sign-in refused: the request's state does not fit a cookie", metadata: ["state_bytes": "\(request.queryValue("state")?.utf8.count ?? 0)"])
        return ErrorPage.response(status: 400, code: "sign_in_request_too_large", message: "This sign-in link carries too much data. Please start again from the site.",
                                  navigation: true, retryLocation: settings.prefix + "sign-in", template: settings.errorPageTemplate)
    }

    /// The verifier cookie's attributes: the session cookie's, with SameSite Strict relaxed to
    /// Lax (the callback is a cross-site navigation from WorkOS) and a 600 s lifetime.
    func verifierCookieOptions(name: String) -> CookieOptions {
        var options = authenticator.cookieOptions
        options.name = name
        if options.sameSite == .strict { options.sameSite = .lax }
        options.maxAge = Int(PKCEState.ttlSeconds)
        return options
    }

    /// Verifier cookies to expire so that, with the new one, at most
    /// ``VerifierCookie/maximumConcurrentFlows`` remain: the oldest first, read from the
    /// expiration each sealed state carries in clear.
    func staleVerifierCookies(_ request: AuthRequest) -> [String] {
        let existing = request.cookies.filter { $0.name.utf8.starts(with: VerifierCookie.prefix.utf8) }
        let excess = existing.count - (VerifierCookie.maximumConcurrentFlows - 1)
        guard excess > 0 else { return [] }
        let byAge = existing.sorted { Self.sealExpiration($0.value) < Self.sealExpiration($1.value) }
        return byAge.prefix(excess).map(\.name)
    }

    /// The expiration field of an iron seal (component 5), or 0 when there is none or it is
    /// not digits. Read on the bytes (the cookie is outside input); a huge one saturates.
    static func sealExpiration(_ seal: String) -> Int64 {
        var field = 0
        var start = seal.utf8.startIndex
        for index in seal.utf8.indices where seal.utf8[index] == UInt8(ascii: "*") {
            if field == 5 { return DecimalText.saturating(seal.utf8[start..<index]) ?? 0 }
            field += 1
            start = seal.utf8.index(after: index)
        }
        return field == 5 ? DecimalText.saturating(seal.utf8[start...]) ?? 0 : 0
    }
}
