extension AuthKitService {
    /// The callback at the redirect URI's path (spec §4): the verifier cookie must match
    /// `state`; the code is exchanged with the PKCE verifier; the session cookie is set, the
    /// verifier cookie deleted, and the browser sent to the state's `returnPathname`, reduced to
    /// path + query on our own origin. No partial session is ever written.
    func callback(_ request: AuthRequest) -> AuthResponse {
        let state = request.queryValue("state")
        var cleanup: [String] = []
        if let state { cleanup.append(SetCookie.delete(options: verifierCookieOptions(name: VerifierCookie.name(forSealedState: state)))) }

        func fail(_ status: Int, _ code: String, _ message: String) -> AuthResponse {
            logger.info("sign-in callback failed", metadata: ["error": "\(code)"])
            var response = ErrorPage.response(status: status, code: code, message: message, navigation: request.isNavigation,
                                              retryLocation: settings.prefix + "sign-in", template: settings.errorPageTemplate)
            response.headers += cleanup.map { ("Set-Cookie", $0) }
            return response
        }

        if let error = request.queryValue("error") {
            // The page says a fixed text per known code and never the request's own words
            // (error_description is whatever the link said): those go to the log.
            let known = AuthorizationError(code: error)
            logger.info("WorkOS sent an error to the callback", metadata: [
                "error": "\(LocationSettings.visible(error))",
                "description": "\(LocationSettings.visible(request.queryValue("error_description") ?? "-"))",
            ])
            return fail(400, known.code, known.message)
        }
        guard let code = request.queryValue("code"), !code.isEmpty, let state, !state.isEmpty else {
            return fail(400, "missing_auth_params", "Missing required auth parameter.")
        }
        let cookieName = VerifierCookie.name(forSealedState: state)
        guard let verifierCookie = request.cookie(cookieName) ?? request.cookie(VerifierCookie.prefix) else {
            return fail(400, "missing_pkce_cookie", "Sign-in session could not be verified. Please try signing in again.")
        }
        // The cookie must equal the state byte for byte: it binds the flow to this browser.
        guard Array(verifierCookie.utf8) == Array(state.utf8) else {
            return fail(400, "oauth_state_mismatch", "OAuth state mismatch. Please try signing in again.")
        }
        guard let opened = try? sealer.unsealValue(state), let pkceState = PKCEState(json: opened.value) else {
            return fail(400, "invalid_state", "The sign-in took too long or its state is invalid. Please try again.")
        }

        let authentication: AuthenticationResponse
        do {
            authentication = try workos.authenticate(code: code, codeVerifier: pkceState.codeVerifier)
        } catch {
            logger.warning("code exchange failed", metadata: ["error": "\(error)"])
            if error.isTransient { return fail(502, "workos_unavailable", "WorkOS could not be reached. Please try again.") }
            return fail(400, error.code ?? "authentication_failed", "Couldn't sign in. If you are not sure what happened, please contact your organization admin.")
        }
        guard let claims = AccessTokenVerifier.decodeUnverified(authentication.accessToken),
              claims.subject == authentication.user.id else {
            return fail(502, "missing_tokens", "WorkOS returned an unusable session.")
        }
        // A token the check would refuse: signing in could only loop.
        guard authenticator.verifier.issuers.accepts(claims.issuer) else {
            logger.error("WorkOS issued an access token whose issuer is not accepted", metadata: [
                "issuer": "\(claims.issuer.map(LocationSettings.visible) ?? "(none)")",
                "accepted": "\(authenticator.verifier.issuers.values.joined(separator: ","))",
                "fix": "set WORKOS_ISSUER to your WorkOS environment's token issuer (e.g. your custom authentication domain)",
            ])
            return fail(502, "unexpected_issuer", "WorkOS returned a session this site is not configured to accept.")
        }

        if let hook = settings.signInHook, let problem = hook.send(authentication, customState: pkceState.customState) {
            logger.warning("sign-in hook failed", metadata: ["error": "\(problem)", "required": "\(hook.required)"])
            if hook.required { return fail(502, "sign_in_hook_failed", "Sign-in could not be completed. Please try again.") }
        }
        guard let sessionCookie = authenticator.sessionSetCookie(authentication.sessionPayload) else {
            return fail(500, "session_too_large", "Your session is too large for a browser cookie. Please contact the site's administrator.")
        }
        var response = AuthResponse.redirect(absolute(ReturnPath.sanitize(pkceState.returnPathname)))
        response.headers += cleanup.map { ("Set-Cookie", $0) }
        response.headers.append(("Set-Cookie", sessionCookie))
        logger.info("signed in", metadata: ["user": "\(authentication.user.id)", "method": "\(authentication.authenticationMethod ?? "-")"])
        return response
    }
}

/// An OAuth 2.0 / OpenID Connect error code WorkOS may send to the callback (RFC 6749 §4.1.2.1,
/// OIDC Core §3.1.2.6), with the fixed text the error page shows for it. Any other code is
/// `authorization_error`: the page never repeats what the request said.
struct AuthorizationError: Equatable {
    let code: String
    let message: String

    static let messages: [(code: String, message: String)] = [
        ("access_denied", "Sign-in was cancelled or not allowed."),
        ("invalid_request", "The sign-in request was not valid. Please try again."),
        ("unauthorized_client", "This site may not use that way of signing in."),
        ("unsupported_response_type", "This site's sign-in is misconfigured."),
        ("invalid_scope", "This site's sign-in is misconfigured."),
        ("server_error", "WorkOS could not sign you in. Please try again."),
        ("temporarily_unavailable", "Sign-in is unavailable for a moment. Please try again."),
        ("login_required", "Please sign in again."),
        ("consent_required", "Sign-in needs your consent. Please try again."),
        ("interaction_required", "Sign-in needs you to continue in the browser. Please try again."),
        ("organization_invalid", "That organization cannot sign in here."),
        ("sso_required", "Your organization requires single sign-on."),
    ]

    init(code: String) {
        if let known = Self.messages.first(where: { $0.code.utf8.elementsEqual(code.utf8) }) {
            self.code = known.code
            message = known.message
        } else {
            self.code = "authorization_error"
            message = "WorkOS could not sign you in."
        }
    }
}

/// The page shown when sign-in fails: HTML for people, JSON for scripts.
enum ErrorPage {
    static func response(status: Int, code: String, message: String, navigation: Bool, retryLocation: String, template: String? = nil) -> AuthResponse {
        guard navigation else {
            return .json(status, .object([("error", .object([("code", .string(code)), ("message", .string(message))]))]))
        }
        if let template {
            return .html(status, template.replacingAll("{{code}}", with: escape(code)).replacingAll("{{message}}", with: escape(message)))
        }
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
            <h1>Couldn't sign you in</h1>
            <p>\(escape(message))</p>
            <p><a href="\(escape(retryLocation))">Try again</a></p>
            <p style="color: #666; font-size: .9em">Error code: \(escape(code))</p>
            </body></html>
            """
        return .html(status, html)
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}

extension String {
    /// Every occurrence of `target` replaced (the core does without Foundation).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
