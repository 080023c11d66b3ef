extension AuthKitService {
    /// `/auth/session`, like authkit's `useAuth`: who is signed in, never the tokens.
    func session(_ request: AuthRequest) -> AuthResponse {
        withSession(request) { session in Self.sessionJSON(session) }
    }

    /// `/auth/token`, like `useAccessToken`: the access token, refreshed if needed. Same-origin
    /// only, so another site cannot read it with the user's cookies.
    func token(_ request: AuthRequest) -> AuthResponse {
        guard isSameOrigin(request) else { return .json(403, .object([("error", .string("same_origin_required"))])) }
        return withSession(request) { session in
            .object([("accessToken", .string(session.payload.accessToken)), ("expiresAt", .int(session.claims.expiresAt))])
        }
    }

    /// `/auth/refresh` (POST, same-origin): refresh now, like `refreshSession`; with
    /// `organization_id`, switch into that organization, like `switchToOrganization` — whose
    /// refusals keep the session (``organizationSwitch(_:payload:organizationId:)``).
    func refresh(_ request: AuthRequest) -> AuthResponse {
        guard request.method == "POST" else { return .json(405, .object([("error", .string("method_not_allowed"))])) }
        guard isSameOrigin(request) else { return .json(403, .object([("error", .string("same_origin_required"))])) }
        guard let cookie = sessionCookie(request), case .success(let opened) = sealer.openSession(cookie) else {
            return .json(401, .object([("user", .null)]))
        }
        let current = AccessTokenVerifier.decodeUnverified(opened.payload.accessToken)
        if let organization = request.formValue("organization_id") ?? request.queryValue("organization_id"), organization != current?.organizationId {
            return organizationSwitch(request, payload: opened.payload, organizationId: organization)
        }
        return answer(authenticator.refresh(opened.payload, organizationId: current?.organizationId, stillValid: nil)) { Self.sessionJSON($0) }
    }

    /// An organization switch. Switched: 200 and the session, as a refresh. Refused by WorkOS:
    /// the cookie is left alone and the page gets `{error, error_description}` (400, or 403 when
    /// WorkOS said 403) to show; when the refusal can be resolved by signing in into that
    /// organization (`authkit_redirect_url`, `sso_required`, `mfa_enrollment`) the answer also
    /// says where to go — `redirect` in the JSON, or a 303 there for a form a browser posted.
    func organizationSwitch(_ request: AuthRequest, payload: SessionPayload, organizationId: String) -> AuthResponse {
        // An organization ID is short ASCII; anything else is refused before WorkOS sees it.
        guard !organizationId.isEmpty, organizationId.utf8.count <= 128,
              organizationId.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .json(400, .object([("error", .string("invalid_organization_id")),
                                       ("error_description", .string("organization_id is not an organization ID."))]))
        }
        switch authenticator.switchOrganization(payload, organizationId: organizationId) {
        case .switched(let session, let setCookie):
            return answer(.signedIn(session, setCookie: setCookie)) { Self.sessionJSON($0) }
        case .ended(let outcome):
            return answer(outcome) { Self.sessionJSON($0) }
        case .refused(let error):
            var fields: [(String, JSONValue)] = [
                ("error", .string(error.code ?? "organization_switch_failed")),
                ("error_description", .string(error.refusalDescription)),
            ]
            let redirect = error.redirectURL ?? (["sso_required", "mfa_enrollment"].contains(error.code ?? "")
                ? absolute(settings.prefix + "sign-in?organization_id=" + PercentEncoding.uriComponent(organizationId)
                           + "&return_to=" + PercentEncoding.uriComponent(ReturnPath.sanitize(request.formValue("return_to"))))
                : nil)
            if let redirect {
                if request.isNavigation { return .redirect(redirect, status: 303) }
                fields.append(("redirect", .string(redirect)))
            }
            let status = if case .http(403, _, _, _, _, _) = error { 403 } else { 400 }
            return .json(status, .object(fields))
        }
    }

    private func withSession(_ request: AuthRequest, _ body: (AuthenticatedSession) -> JSONValue) -> AuthResponse {
        answer(authenticator.authenticate(cookieValue: sessionCookie(request)), body)
    }

    private func answer(_ outcome: SessionOutcome, _ body: (AuthenticatedSession) -> JSONValue) -> AuthResponse {
        switch outcome {
        case .signedIn(let session, let setCookie):
            var response = AuthResponse.json(200, body(session))
            if let setCookie { response.headers.append(("Set-Cookie", setCookie)) }
            return response
        case .signedOut(_, let setCookie):
            var response = AuthResponse.json(401, .object([("user", .null)]))
            if let setCookie { response.headers.append(("Set-Cookie", setCookie)) }
            return response
        case .unavailable:
            return AuthResponse(status: 503, headers: [("Retry-After", "5")])
        }
    }

    static func sessionJSON(_ session: AuthenticatedSession) -> JSONValue {
        let claims = session.claims
        func strings(_ list: [String]) -> JSONValue { .array(list.map(JSONValue.string)) }
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            ("user", session.payload.user.json),
            ("sessionId", optional(claims.sessionId)),
            ("organizationId", optional(claims.organizationId)),
            ("role", optional(claims.role)),
            ("roles", strings(claims.roles)),
            ("permissions", strings(claims.permissions)),
            ("entitlements", strings(claims.entitlements)),
            ("featureFlags", strings(claims.featureFlags)),
            ("impersonator", session.payload.impersonator.map {
                .object([("email", .string($0.email)), ("reason", optional($0.reason))])
            } ?? .null),
            ("expiresAt", .int(claims.expiresAt)),
        ])
    }
}
