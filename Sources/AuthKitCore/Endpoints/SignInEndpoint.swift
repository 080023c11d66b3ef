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
        let pkce = PKCE(random: random)
        let state = PKCEState(
            nonce: UUIDv4.string(random.bytes(16)), codeVerifier: pkce.codeVerifier,
            customState: request.queryValue("state"), returnPathname: returnTo)
        let sealedState = sealer.seal(state.json, ttlSeconds: PKCEState.ttlSeconds)
        let url = workos.authorizationURL(AuthorizationRequest(
            redirectURI: settings.redirectURI, state: sealedState, codeChallenge: pkce.codeChallenge,
            screenHint: signUp ? .signUp : .signIn,
            organizationId: request.queryValue("organization_id"), loginHint: request.queryValue("login_hint")))

        var response = AuthResponse.redirect(url)
        let options = verifierCookieOptions(name: VerifierCookie.name(forSealedState: sealedState))
        for stale in staleVerifierCookies(request) {
            response.headers.append(("Set-Cookie", SetCookie.delete(options: verifierCookieOptions(name: stale))))
        }
        response.headers.append(("Set-Cookie", SetCookie.set(sealedState, options: options)))
        response.headers.append(("Set-Cookie", loop.setCookie))
        return response
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
        let existing = request.cookies.filter { $0.name.hasPrefix(VerifierCookie.prefix) }
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
