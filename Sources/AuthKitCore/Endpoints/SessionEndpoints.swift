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

    /// `/auth/refresh` (POST, same-origin): refresh now, optionally into another organization
    /// (`organization_id`), like `refreshSession` / `switchToOrganization`.
    func refresh(_ request: AuthRequest) -> AuthResponse {
        guard request.method == "POST" else { return .json(405, .object([("error", .string("method_not_allowed"))])) }
        guard isSameOrigin(request) else { return .json(403, .object([("error", .string("same_origin_required"))])) }
        guard let cookie = sessionCookie(request), case .success(let opened) = sealer.openSession(cookie) else {
            return .json(401, .object([("user", .null)]))
        }
        let current = AccessTokenVerifier.decodeUnverified(opened.payload.accessToken)
        let organization = request.formValue("organization_id") ?? request.queryValue("organization_id") ?? current?.organizationId
        return answer(authenticator.refresh(opened.payload, organizationId: organization, stillValid: nil)) { Self.sessionJSON($0) }
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
