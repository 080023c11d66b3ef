extension AuthKitService {
    /// `/auth/sign-out`: POST, or GET when provably same-origin (a cross-site GET must not be
    /// able to sign people out). Deletes the session and every verifier cookie, then sends the
    /// browser to WorkOS's logout URL so the WorkOS session ends too (authkit-nextjs #474).
    func signOut(_ request: AuthRequest) -> AuthResponse {
        guard request.method == "POST" || (request.method == "GET" && isSameOrigin(request)) else {
            return .json(405, .object([("error", .string("sign_out_requires_post_or_same_origin_get"))]))
        }
        let requested = request.formValue("return_to") ?? request.queryValue("return_to")
        // Another site only when AUTHKIT_ALLOWED_RETURN_HOSTS names it; otherwise our own origin.
        let returnTo = settings.allowedReturnHosts.external(requested) ?? absolute(ReturnPath.sanitize(requested))
        var sessionId: String?
        if let cookie = sessionCookie(request), case .success(let opened) = sealer.openSession(cookie) {
            sessionId = AccessTokenVerifier.decodeUnverified(opened.payload.accessToken)?.sessionId
        }
        var response = AuthResponse.redirect(sessionId.map { workos.logoutURL(sessionId: $0, returnTo: returnTo) } ?? returnTo,
                                             status: request.method == "POST" ? 303 : 302)
        response.headers.append(("Set-Cookie", SetCookie.delete(options: authenticator.cookieOptions)))
        for cookie in request.cookies where cookie.name.hasPrefix(VerifierCookie.prefix) {
            response.headers.append(("Set-Cookie", SetCookie.delete(options: verifierCookieOptions(name: cookie.name))))
        }
        logger.info("signed out", metadata: ["session": "\(sessionId ?? "-")"])
        return response
    }
}
