extension AuthKitService {
    /// `/auth/sign-out`: a POST that does not provably come from another site, or a GET that
    /// provably comes from this one, deletes the session and every verifier cookie, then sends
    /// the browser to WorkOS's logout URL so the WorkOS session ends too (authkit-nextjs #474).
    ///
    /// Anything else ends nothing (sign-out CSRF: another site must not sign people out): a
    /// page navigation (the address typed, a link from elsewhere) gets a page with a sign-out
    /// button, which posts from this origin; other requests get 403 (a cross-site POST) or 405.
    func signOut(_ request: AuthRequest) -> AuthResponse {
        let requested = request.formValue("return_to") ?? request.queryValue("return_to")
        switch request.method {
        case "POST" where !isCrossSite(request):
            break
        case "GET" where isSameOrigin(request):
            break
        case "GET" where request.isNavigation:
            return SignOutPage.response(action: settings.prefix + "sign-out", returnTo: requested.map { ResponseBudget.returnPath(ReturnPath.sanitize($0)) })
        case "POST":
            logger.info("cross-site sign-out refused", metadata: ["origin": "\(LocationSettings.visible(request.header("origin") ?? request.header("referer") ?? "-"))"])
            return .json(403, .object([("error", .string("cross_site_sign_out"))]))
        default:
            return .json(405, .object([("error", .string("sign_out_requires_post_or_same_origin_get"))]))
        }
        // Another site only when AUTHKIT_ALLOWED_RETURN_HOSTS names it; otherwise our own origin.
        let returnTo = settings.allowedReturnHosts.external(requested).map { $0.utf8.count <= ResponseBudget.returnPathBytes ? $0 : settings.origin + "/" }
            ?? absolute(ResponseBudget.returnPath(ReturnPath.sanitize(requested)))
        var sessionId: String?
        if let cookie = sessionCookie(request), case .success(let opened) = sealer.openSession(cookie) {
            sessionId = AccessTokenVerifier.decodeUnverified(opened.payload.accessToken)?.sessionId
        }
        var response = AuthResponse.redirect(sessionId.map { workos.logoutURL(sessionId: $0, returnTo: returnTo) } ?? returnTo,
                                             status: request.method == "POST" ? 303 : 302)
        response.headers.append(("Set-Cookie", SetCookie.delete(options: authenticator.cookieOptions)))
        // A bounded number per answer: a sibling subdomain may have planted hundreds.
        for cookie in request.cookies.filter({ $0.name.utf8.starts(with: VerifierCookie.prefix.utf8) }).prefix(ResponseBudget.deletionsPerAnswer * 2) {
            response.headers.append(("Set-Cookie", SetCookie.delete(options: verifierCookieOptions(name: cookie.name))))
        }
        logger.info("signed out", metadata: ["session": "\(sessionId ?? "-")"])
        return response
    }

    /// Whether a state-changing request provably comes from another site: `Sec-Fetch-Site`
    /// other than `same-origin` or `none` (a sibling subdomain is `same-site`, and another site
    /// all the same), else an `Origin` (including `null`) or a `Referer` of another origin.
    /// A request with none of them (curl, a script) is no browser's, so no forgery.
    func isCrossSite(_ request: AuthRequest) -> Bool {
        let ours = settings.origin.lowercasedASCII()
        if let site = request.header("sec-fetch-site").map({ $0.lowercasedASCII() }) {
            return !site.utf8.elementsEqual("same-origin".utf8) && !site.utf8.elementsEqual("none".utf8)
        }
        if let origin = request.header("origin") { return !origin.lowercasedASCII().utf8.elementsEqual(ours.utf8) }
        if let referer = request.header("referer") {
            return EndpointSettings.origin(of: referer).map { !$0.lowercasedASCII().utf8.elementsEqual(ours.utf8) } ?? true
        }
        return false
    }
}

/// The page a browser gets for `/auth/sign-out` opened by address or from another site: one
/// button that posts the sign-out from this origin. Nothing is signed out until it is pressed.
enum SignOutPage {
    static func response(action: String, returnTo: String?) -> AuthResponse {
        let hidden = returnTo.map { #"<input type="hidden" name="return_to" value="\#(HTMLText.escape($0))">"# } ?? ""
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign out</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
            <h1>Sign out?</h1>
            <form method="post" action="\(HTMLText.escape(action))">\(hidden)<button type="submit">Sign out</button></form>
            </body></html>
            """
        var response = AuthResponse.html(200, html)
        // Not framed by another site: a click-jacked button would be a forged sign-out again.
        response.headers.append(("X-Frame-Options", "DENY"))
        response.headers.append(("Content-Security-Policy", "frame-ancestors 'none'"))
        return response
    }
}
